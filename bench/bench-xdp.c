// SPDX-License-Identifier: GPL-2.0
/* bench-xdp: what the XDP program costs per packet, through
 * BPF_PROG_TEST_RUN on one frame at a time; printed, not asserted. First
 * the program's size, then per path the median ns per packet of
 * BENCH_RUNS timings, their range and the verdict. The program runs on
 * the real clock, as xg-load loads it, through the packet tests' loader
 * (tests/bpf/harness.c); XG_TEST_KFEAT=0 measures the build for kernels
 * before 5.12.
 */
#include <stdio.h>
#include <string.h>
#include <stdlib.h>
#include <unistd.h>

#include <linux/bpf.h>

#include "frames.h"
#include "harness.h"

static const struct frame_spec b4_tcp = B4_TCP;
static const struct frame_spec b4_ack = B4_ACK;
static const struct frame_spec b4_udp = B4_UDP;
static const struct frame_spec b6_udp = B6_UDP;
/* to one of the 1,000 rules' ports */
static const struct frame_spec b4_udp_rule =
	FRAME(.ip = 4, .proto = IPPROTO_UDP, .ports = 1, .sport = 40000,
	      .dport = 10500);
/* its /24 has prefixes */
static const struct frame_spec b4_ack_in_prefixes =
	FRAME(.ip = 4, .proto = IPPROTO_TCP, .tcp_flags = TCP_ACK,
	      .src = "198.18.16.200");

#define BENCH_REPEAT 1000000
#define BENCH_RUNS 5
/* Fewer records than the ring buffer holds, so every one is sent. */
#define BENCH_SENT_REPEAT 2000

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* The median of BENCH_RUNS timings of @repeat runs each. @setup runs
 * before each timing, after the maps are reset and @cfg is written.
 */
static int bench_cpus(const char *what, const struct frame_spec *spec,
		      const struct xg_config *cfg, int (*setup)(void),
		      uint32_t repeat, int want, int cpus)
{
	struct frame f;
	uint32_t ns[BENCH_RUNS];
	int verdict = -1, i;

	build_frame(&f, spec);
	for (i = 0; i < BENCH_RUNS; i++) {
		if (h_reset(0) || h_write_config(0, cfg) || (setup && setup()))
			return -1;
		verdict = cpus > 1 ? h_bench_cpus(&f, repeat, cpus, &ns[i]) :
				     h_bench(&f, repeat, &ns[i]);
		if (verdict < 0)
			return -1;
	}
	qsort(ns, BENCH_RUNS, sizeof(ns[0]), cmp_u32);
	printf("%-48s %5u ns/packet (%u-%u)  %s%s\n", what, ns[BENCH_RUNS / 2],
	       ns[0], ns[BENCH_RUNS - 1], verdict == XDP_PASS ? "pass" : "drop",
	       verdict == want ? "" : " (unexpected)");
	return 0;
}

static int bench_one(const char *what, const struct frame_spec *spec,
		     const struct xg_config *cfg, int (*setup)(void),
		     uint32_t repeat, int want)
{
	return bench_cpus(what, spec, cfg, setup, repeat, want, 1);
}

/* 2,000 /28s of each list in 198.18.16.0/20 and 2001:db8:10::/44 (/64s),
 * as a blocklist of prefixes beside the lab's addresses.
 */
static int s_prefixes(void)
{
	char cidr[48];
	int i, err = 0;

	for (i = 0; i < 2000 && !err; i++) {
		snprintf(cidr, sizeof(cidr), "198.18.%d.%d/28", 16 + i / 16,
			 (i % 16) * 16);
		err = h_add(i & 1, cidr, 0);
		snprintf(cidr, sizeof(cidr), "2001:db8:10:%x::/64", i);
		err = err ?: h_add(i & 1, cidr, 0);
	}
	return err;
}

static int s_block4(void)
{
	return h_add(1, SRC4, 0);
}

/* The budget and the ceiling spent by two other sources. */
static int fill_budget(void)
{
	struct frame f;

	BUILD(&f, FRAME(.ip = 4, .proto = IPPROTO_UDP, .src = "198.18.0.201"));
	if (h_run(&f, f.len) < 0)
		return -1;
	BUILD(&f, FRAME(.ip = 4, .proto = IPPROTO_UDP, .src = "198.18.0.202"));
	return h_run(&f, f.len) < 0 ? -1 : 0;
}

/* A full ring buffer: every drop within the budget is lost. */
/* 1,000 drop rules on UDP ports 10000-10999; with @dense, 16 more on
 * port 53 for sources in 198.19.0.0/24, which no bench frame comes from:
 * a packet to port 53 then checks 16 rules and matches none.
 */
static int rules_1000(int dense, int action)
{
	static struct xg_rule_src s[1000 + XG_RULE_CAND];
	char err[160];
	int i, n = 0;

	memset(s, 0, sizeof(s));
	for (i = 0; i < 1000; i++, n++) {
		s[n].r.id = n + 1;
		s[n].r.action = action;
		s[n].classes = 1U << XG_RC_UDP;
		s[n].nports = 1;
		s[n].port_lo[0] = s[n].port_hi[0] = 10000 + i;
	}
	for (i = 0; dense && i < XG_RULE_CAND; i++, n++) {
		s[n].r.id = n + 1;
		s[n].r.action = XG_RA_DROP;
		s[n].r.match = XG_RM_SRC;
		s[n].r.src[2] = htonl(0xffff);
		s[n].r.src[3] = htonl(0xc6130000); /* 198.19.0.0 */
		s[n].r.src_len = 96 + 24;
		s[n].classes = 1U << XG_RC_UDP;
		s[n].nports = 1;
		s[n].port_lo[0] = s[n].port_hi[0] = 53;
	}
	if (h_rules(s, n, err, sizeof(err))) {
		fprintf(stderr, "bench-xdp: rules: %s\n", err);
		return -1;
	}
	return 0;
}

static int s_rules(void)
{
	return rules_1000(0, XG_RA_DROP);
}

static int s_rules_dense(void)
{
	return rules_1000(1, XG_RA_DROP);
}

/* monitor rules with the monitor budget off: matched, counted, passed */
static int s_rules_monitor(void)
{
	return rules_1000(0, XG_RA_MONITOR);
}

static int fill_ring(void)
{
	struct frame f;

	BUILD(&f, B4_TCP);
	if (s_block4())
		return -1;
	return h_run_n(&f, XG_EVENTS_BYTES / 64) < 0 ? -1 : 0;
}

/* Features at @rate a second, 1 in @n sampled (xg_feat_mul()). */
static struct xg_config features(uint32_t rate, uint32_t n)
{
	struct xg_config cfg;

	h_config_off(&cfg);
	cfg.limit[XG_LIM_FEATURES] =
		(struct xg_limit){ .rate = rate, .burst = rate ? rate : 0 };
	cfg.feat_n = n;
	cfg.feat_mul = xg_feat_mul(n);
	return cfg;
}

static int fill_feats(void)
{
	struct frame f;

	BUILD(&f, B4_UDP);
	return h_run_n(&f, XG_FEATS_BYTES / 64) < 0 ? -1 : 0;
}

/* The pass path with features off, on but sampling nothing, on and
 * sampling into an empty budget, every packet sent, and the ring full.
 */
static int bench_features(void)
{
	struct xg_config off = features(0, 1), none = features(1000000, 0),
			 rare = features(1000000, 1000000),
			 budget = features(1, 1), all = features(1000000000, 1);

	return bench_one("udp, limits off, features off", &b4_udp, &off, NULL,
			 BENCH_REPEAT, XDP_PASS) ||
	       bench_one("udp, limits off, features on, sample off", &b4_udp,
			 &none, NULL, BENCH_REPEAT, XDP_PASS) ||
	       bench_one("udp, limits off, features on, sample 1/1000000",
			 &b4_udp, &rare, NULL, BENCH_REPEAT, XDP_PASS) ||
	       bench_one("udp, limits off, features 1/1, over the budget",
			 &b4_udp, &budget, NULL, BENCH_REPEAT, XDP_PASS) ||
	       bench_one("udp, limits off, features 1/1, every one sent",
			 &b4_udp, &all, NULL, BENCH_SENT_REPEAT, XDP_PASS) ||
	       bench_one("udp, limits off, features 1/1, ring full: lost",
			 &b4_udp, &all, fill_feats, BENCH_REPEAT, XDP_PASS);
}

static int bench(void)
{
	struct xg_config off, on, syn, ev_off, ev_on, ev_all, syn_ev, refused;
	uint32_t insns, jited, verified;

	if (h_prog_size(&insns, &jited, &verified))
		return 1;
	printf("program: %u xlated instructions, %u bytes jited, "
	       "%u instructions verified\n",
	       insns, jited, verified);
	h_config_off(&off);
	h_config_defaults(&on);
	/* Far above what the loop sends, so every packet takes a token. */
	on.limit[XG_LIM_UDP] =
		(struct xg_limit){ .rate = 100000000, .burst = 1000000000 };
	/* a spoofed flood's packet: budget and ceiling empty at once */
	h_config_defaults(&refused);
	refused.limit[XG_LIM_NEW + XG_LIM_UDP] =
		(struct xg_limit){ .rate = 1, .burst = 1 };
	refused.limit[XG_LIM_GLOBAL + XG_LIM_UDP] =
		(struct xg_limit){ .rate = 1, .burst = 1 };
	h_config_defaults(&syn);
	syn.limit[XG_LIM_SYN] = (struct xg_limit){ .rate = 1, .burst = 1 };
	syn.limit[XG_LIM_EVENTS].rate = 0;
	syn_ev = syn;
	syn_ev.limit[XG_LIM_EVENTS] =
		(struct xg_limit){ .rate = 1, .burst = 1 };
	h_config_defaults(&ev_on);
	/* The default budget: after the first burst every drop is sampled. */
	ev_off = ev_on;
	ev_off.limit[XG_LIM_EVENTS].rate = 0;
	ev_all = ev_on;
	ev_all.limit[XG_LIM_EVENTS] =
		(struct xg_limit){ .rate = 1000000000, .burst = 1000000000 };
	if (bench_one("udp, limits off", &b4_udp, &off, NULL, BENCH_REPEAT,
		      XDP_PASS) ||
	    bench_one("udp pass, limits on (source tracked)", &b4_udp, &on,
		      NULL, BENCH_REPEAT, XDP_PASS) ||
	    bench_one("tcp ack, prefix lists, its /24 has none", &b4_ack, &on,
		      s_prefixes, BENCH_REPEAT, XDP_PASS) ||
	    bench_one("tcp ack, prefix lists, its /24 has some",
		      &b4_ack_in_prefixes, &on, s_prefixes, BENCH_REPEAT,
		      XDP_PASS) ||
	    bench_one("udp, untracked, budget and ceiling empty", &b4_udp,
		      &refused, fill_budget, BENCH_REPEAT, XDP_DROP) ||
	    bench_one("tcp ack, limits on (no tracker)", &b4_ack, &on, NULL,
		      BENCH_REPEAT, XDP_PASS) ||
	    bench_one("ipv6 udp pass, limits on", &b6_udp, &on, NULL,
		      BENCH_REPEAT, XDP_PASS) ||
	    bench_one("blocklisted, events off", &b4_tcp, &ev_off, s_block4,
		      BENCH_REPEAT, XDP_DROP) ||
	    bench_one("blocklisted, events on (sampled out)", &b4_tcp, &ev_on,
		      s_block4, BENCH_REPEAT, XDP_DROP) ||
	    bench_one("blocklisted, events on (every drop sent)", &b4_tcp,
		      &ev_all, s_block4, BENCH_SENT_REPEAT, XDP_DROP) ||
	    bench_one("blocklisted, events on (ring full: lost)", &b4_tcp,
		      &ev_all, fill_ring, BENCH_REPEAT, XDP_DROP) ||
	    bench_one("syn over its rate, events off (ban on)", &b4_tcp, &syn,
		      NULL, BENCH_REPEAT, XDP_DROP) ||
	    bench_one("syn over its rate, events on (sampled out)", &b4_tcp,
		      &syn_ev, NULL, BENCH_REPEAT, XDP_DROP))
		return 1;
	if (bench_one("udp, limits off, 1000 rules, none on its port", &b4_udp,
		      &off, s_rules, BENCH_REPEAT, XDP_PASS) ||
	    bench_one("udp, limits off, 1000 rules, 16 checked, no match",
		      &b4_udp, &off, s_rules_dense, BENCH_REPEAT, XDP_PASS) ||
	    bench_one("udp, limits off, matches 1 of 1000 rules (drop)",
		      &b4_udp_rule, &off, s_rules, BENCH_REPEAT, XDP_DROP) ||
	    bench_one("udp, limits off, matches 1 of 1000 (monitor)",
		      &b4_udp_rule, &off, s_rules_monitor, BENCH_REPEAT,
		      XDP_PASS))
		return 1;
	if (bench_features())
		return 1;
	/* One source on every CPU at once, as RSS spreads a flood: the
	 * cache lines the CPUs share are what this measures.
	 */
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return 0;
	if (bench_cpus("2 CPUs: blocklisted, events on", &b4_tcp, &ev_on,
		       s_block4, BENCH_REPEAT, XDP_DROP, 2) ||
	    bench_cpus("2 CPUs: syn over its rate (ban on)", &b4_tcp, &syn,
		       NULL, BENCH_REPEAT, XDP_DROP, 2) ||
	    bench_cpus("2 CPUs: udp pass, source tracked", &b4_udp, &on, NULL,
		       BENCH_REPEAT, XDP_PASS, 2))
		return 1;
	return 0;
}

/* One run a call: a SYN answered in place leaves a SYN-ACK in the
 * buffer, so repeat > 1 would time the SYN-ACK. The median of
 * SC_CALLS calls, in ns; the call's own cost is in it, so a TCP ACK
 * passed the same way is printed beside it.
 */
#define SC_CALLS 20000

static uint32_t median_calls(const struct frame *f, int *verdict)
{
	static uint32_t ns[SC_CALLS];
	int i;

	for (i = 0; i < SC_CALLS; i++) {
		*verdict = h_bench(f, 1, &ns[i]);
		if (*verdict < 0)
			return 0;
	}
	qsort(ns, SC_CALLS, sizeof(ns[0]), cmp_u32);
	return ns[SC_CALLS / 2];
}

/* A SYN as Linux sends it: MSS 1460, SACK permitted, timestamp, NOP,
 * window scale 7.
 */
static void linux_syn(struct frame *f, uint8_t flags)
{
	static const uint8_t opts[20] = { 2, 4, 5, 0xb4, 4, 2, 8, 10, 0, 0,
					  0, 1, 0, 0,	 0, 0, 1, 3,  3, 7 };
	uint8_t *th;

	BUILD(f, FRAME(.ip = 4, .proto = IPPROTO_TCP, .dst = "127.0.0.1",
		       .doff = flags == TCP_SYN ? 10 : 5, .tcp_flags = flags,
		       .ports = 1, .sport = 40000, .dport = H_SC_PORT));
	th = f->buf + f->l3 + 20;
	if (flags == TCP_SYN)
		memcpy(th + 20, opts, sizeof(opts));
	else
		th[8] = 0x5a; /* an ACK of no cookie */
}

static const struct frame_spec b4_bad_cookie =
	FRAME(.ip = 4, .proto = IPPROTO_TCP, .tcp_flags = TCP_ACK,
	      .dst = "127.0.0.1", .ports = 1, .sport = 40000,
	      .dport = H_SC_PORT);

static int s_sc_port(void)
{
	return h_sc_port(H_SC_PORT, XG_SC_ON);
}

/* The SYN cookie step, last: the process moves into a network namespace
 * of its own with listeners (h_sc_lab()).
 */
static int bench_syncookies(void)
{
	struct frame syn, ack;
	struct xg_config cfg;
	uint32_t ns_ack, ns_syn, ns_ts;
	int v_ack, v_syn, v_ts;

	if (!(h_kfeat() & XG_KF_SYNCOOKIE) || h_sc_lab(2)) {
		printf("syn cookies: no helpers or no namespace; skipped\n");
		return 0;
	}
	linux_syn(&syn, TCP_SYN);
	linux_syn(&ack, TCP_ACK);
	if (h_reset(XG_CFG_SYNCOOKIES) || h_read_config(0, &cfg))
		return 1;
	/* no port in cookie mode yet: the ACK is parsed and passed */
	ns_ack = median_calls(&ack, &v_ack);
	if (h_sc_port(H_SC_PORT, XG_SC_ON))
		return 1;
	ns_syn = median_calls(&syn, &v_syn);
	cfg.sc_wscale = 7 + 1;
	if (h_write_config(0, &cfg))
		return 1;
	ns_ts = median_calls(&syn, &v_ts);
	printf("%-48s %5u ns/call  %s\n", "1 run a call: tcp ack, pass", ns_ack,
	       v_ack == XDP_PASS ? "pass" : "(unexpected)");
	printf("%-48s %5u ns/call  %s\n", "1 run a call: syn answered, cookie",
	       ns_syn, v_syn == XDP_TX ? "tx" : "(unexpected)");
	if (ns_ts)
		printf("%-48s %5u ns/call  %s\n",
		       "1 run a call: syn answered, timestamp mode", ns_ts,
		       v_ts == XDP_TX ? "tx" : "(unexpected)");
	cfg.sc_wscale = 0;
	return bench_one("ack of no cookie to a cookie port: cookie_bad",
			 &b4_bad_cookie, &cfg, s_sc_port, BENCH_REPEAT,
			 XDP_DROP);
}

int main(int argc, char **argv)
{
	int err;

	if (argc > 1) {
		fprintf(stderr, "bench-xdp: takes no arguments\n");
		return 2;
	}
	h_real_clock = 1;
	if (h_open()) {
		h_close();
		return 1;
	}
	err = bench() || bench_syncookies();
	h_close();
	return err;
}
