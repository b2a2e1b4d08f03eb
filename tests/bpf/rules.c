// SPDX-License-Identifier: GPL-2.0
/* Packet tests of the rules (xg-rule): the classification by class and
 * destination port, every match field, the actions, the first match
 * winning, the port ranges at their edges, packets without a port, and a
 * rule set too dense to classify.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"
#include "xg.h"

#define C(rc) (1U << XG_RC_##rc)

static struct xg_rule_src rule(int action, __u32 classes, int lo, int hi)
{
	struct xg_rule_src s;

	memset(&s, 0, sizeof(s));
	s.r.action = action;
	s.classes = classes;
	if (lo >= 0) {
		s.nports = 1;
		s.port_lo[0] = lo;
		s.port_hi[0] = hi;
	}
	return s;
}

/* @cidr into @a/@len in the IPv6 space (IPv4 as ::ffff:a.b.c.d). */
static void prefix(const char *cidr, __u32 *a, __u8 *len)
{
	char buf[64];
	char *slash;
	int bits, i;

	snprintf(buf, sizeof(buf), "%s", cidr);
	slash = strchr(buf, '/');
	*slash = '\0';
	bits = atoi(slash + 1);
	memset(a, 0, 16);
	if (strchr(buf, ':')) {
		inet_pton(AF_INET6, buf, a);
	} else {
		a[2] = htonl(0xffff);
		inet_pton(AF_INET, buf, &a[3]);
		bits += 96;
	}
	*len = bits;
	for (i = 0; i < 4; i++) {
		int b = bits - 32 * i;

		if (b <= 0)
			a[i] = 0;
		else if (b < 32)
			a[i] &= htonl(~0U << (32 - b));
	}
}

static int set_rules(const char *name, const struct xg_rule_src *s, int n)
{
	char err[160];

	if (h_reset(0) || h_write_config(0, &(struct xg_config){ 0 }) ||
	    h_rules(s, n, err, sizeof(err))) {
		fail(name, "cannot set the rules: %s", err);
		return -1;
	}
	return 0;
}

static int hits(const char *name, uint32_t idx, int64_t want)
{
	int64_t got = h_rule_hits(idx);

	if (got == want)
		return 0;
	fail(name, "rule %u has %lld hits, want %lld", idx, (long long)got,
	     (long long)want);
	return -1;
}

static void f_port_rule(void)
{
	const char *name = "rules: tcp dport 22 drop; other ports and udp pass";
	struct xg_rule_src s = rule(XG_RA_DROP, C(TCP), 22, 22);
	struct frame f22, f23, u22;

	BUILD(&f22, FRAME(.ip = 4, .proto = IPPROTO_TCP, .ports = 1,
			  .sport = 40000, .dport = 22));
	BUILD(&f23, FRAME(.ip = 4, .proto = IPPROTO_TCP, .ports = 1,
			  .sport = 40000, .dport = 23));
	BUILD(&u22, FRAME(.ip = 4, .proto = IPPROTO_UDP, .ports = 1,
			  .sport = 40000, .dport = 22));
	record(!set_rules(name, &s, 1) &&
	       !send_expect(name, &f22, 3, XG_C_TCP, XG_R_RULE_DROP) &&
	       !send_expect(name, &f23, 1, XG_C_TCP, XG_R_PASS) &&
	       !send_expect(name, &u22, 1, XG_C_UDP, XG_R_PASS) &&
	       !hits(name, 0, 3));
}

/* Ports 0, 1 (a range of one) and 65535; 2 and 65534 are outside. */
static void f_port_edges(void)
{
	const char *name = "rules: dport 0, 1-1 and 65535 at their edges";
	struct xg_rule_src s[3] = { rule(XG_RA_DROP, C(UDP), 0, 0),
				    rule(XG_RA_DROP, C(UDP), 1, 1),
				    rule(XG_RA_DROP, C(UDP), 65535, 65535) };
	static const int drop[] = { 0, 1, 65535 }, pass[] = { 2, 65534 };
	struct frame f;
	int ok = !set_rules(name, s, 3);
	size_t i;

	for (i = 0; ok && i < ARRAY_SIZE(drop); i++) {
		BUILD(&f, FRAME(.ip = 4, .proto = IPPROTO_UDP, .ports = 1,
				.dport = drop[i]));
		ok = !send_expect(name, &f, 1, XG_C_UDP, XG_R_RULE_DROP) &&
		     !hits(name, i, 1);
	}
	for (i = 0; ok && i < ARRAY_SIZE(pass); i++) {
		BUILD(&f, FRAME(.ip = 4, .proto = IPPROTO_UDP, .ports = 1,
				.dport = pass[i]));
		ok = !send_expect(name, &f, 1, XG_C_UDP, XG_R_PASS);
	}
	record(ok);
}

/* dport !22,80: every other port, never a packet without one. */
static void f_not_dport(void)
{
	const char *name = "rules: dport !22,80 drops the SYNs to other ports";
	struct xg_rule_src s = rule(XG_RA_DROP, C(TCP), 22, 22);
	struct frame f;
	int ok;

	s.nports = 2;
	s.port_lo[1] = s.port_hi[1] = 80;
	s.classes |= XG_RS_NOT_DPORT;
	ok = !set_rules(name, &s, 1);
	BUILD(&f, FRAME(.ip = 4, .proto = IPPROTO_TCP, .ports = 1,
			.sport = 40000, .dport = 8080));
	ok = ok && !send_expect(name, &f, 1, XG_C_TCP, XG_R_RULE_DROP);
	BUILD(&f, FRAME(.ip = 4, .proto = IPPROTO_TCP, .ports = 1,
			.sport = 40000, .dport = 22));
	ok = ok && !send_expect(name, &f, 1, XG_C_TCP, XG_R_PASS);
	BUILD(&f, B4_TCP); /* to port 80 */
	ok = ok && !send_expect(name, &f, 1, XG_C_TCP, XG_R_PASS);
	BUILD(&f, B4_FRAG_LATER); /* no port */
	ok = ok && !send_expect(name, &f, 1, XG_C_TCP, XG_R_PASS);
	record(ok);
}

/* The first match wins; a pass rule skips the rate limits. */
static void f_first_match(void)
{
	const char *name = "rules: first match wins; pass skips the limits";
	struct xg_rule_src s[2] = { rule(XG_RA_PASS, C(TCP), 80, 80),
				    rule(XG_RA_DROP, C(TCP), 80, 80) };
	struct xg_config cfg = one_limit(XG_LIM_SYN, 1, 1);
	struct frame in, out;
	char err[160];
	int ok;

	s[0].r.match = XG_RM_SRC | XG_RM_FLAGS;
	prefix("198.18.0.0/24", s[0].r.src, &s[0].r.src_len);
	s[0].r.tcp_flags = TCP_SYN;
	s[0].r.tcp_mask = TCP_SYN | TCP_ACK;
	BUILD(&in, FRAME(.ip = 4, .proto = IPPROTO_TCP, .src = "198.18.0.9"));
	BUILD(&out, FRAME(.ip = 4, .proto = IPPROTO_TCP, .src = "198.18.1.9"));
	ok = !setup_limits(name, &cfg) && !h_rules(s, 2, err, sizeof(err));
	if (!ok)
		fail(name, "cannot set the rules: %s", err);
	ok = ok && !send_expect(name, &in, 5, XG_C_TCP, XG_R_PASS) &&
	     !send_expect(name, &out, 2, XG_C_TCP, XG_R_RULE_DROP) &&
	     !hits(name, 0, 5) && !hits(name, 1, 2) && !track_is(name, 0);
	record(ok);
}

static void f_rate_total(void)
{
	const char *name = "rules: rate 2/2 total on udp 53: the third drops";
	struct xg_rule_src s = rule(XG_RA_RATE, C(UDP), 53, 53);
	struct frame f;

	s.r.rate = (struct xg_limit){ .rate = 2, .burst = 2 };
	s.r.rate.interval_ns = XG_NSEC_PER_SEC / 2;
	s.r.rate.tau_ns = s.r.rate.interval_ns;
	BUILD(&f, B4_UDP);
	record(!set_rules(name, &s, 1) &&
	       !send_expect(name, &f, 2, XG_C_UDP, XG_R_PASS) &&
	       !send_expect(name, &f, 3, XG_C_UDP, XG_R_RULE_RATE) &&
	       !hits(name, 0, 5));
}

static void f_rate_per_source(void)
{
	const char *name = "rules: rate 2/2 per source: each source its own";
	struct xg_rule_src s = rule(XG_RA_RATE, C(UDP), 53, 53);

	s.r.match = XG_RM_PER_SOURCE;
	s.r.rate = (struct xg_limit){ .rate = 2, .burst = 2 };
	s.r.rate.interval_ns = XG_NSEC_PER_SEC / 2;
	s.r.rate.tau_ns = s.r.rate.interval_ns;
	record(!set_rules(name, &s, 1) &&
	       !udp_from(name, "198.18.0.1", 2, XG_R_PASS) &&
	       !udp_from(name, "198.18.0.1", 1, XG_R_RULE_RATE) &&
	       !udp_from(name, "198.18.0.2", 2, XG_R_PASS) &&
	       !udp_from(name, "198.18.0.2", 1, XG_R_RULE_RATE) &&
	       !udp_from(name, "2001:db8::1", 2, XG_R_PASS) &&
	       !hits(name, 0, 8));
}

/* monitor: the packet goes on (here to its rate limit), and each match
 * is offered to the event stream as a monitor event of its rule, under
 * the monitor budget: 2 a burst, the third sampled out.
 */
static void f_monitor(void)
{
	const char *name = "rules: monitor: events of type monitor, its budget";
	struct xg_rule_src s[2] = { rule(XG_RA_DROP, C(UDP), 54, 54),
				    rule(XG_RA_MONITOR, C(UDP), 53, 53) };
	struct xg_config cfg = one_limit(XG_LIM_UDP, 2, 2);
	struct xg_event ev[8];
	struct xg_evstats es;
	struct frame f;
	char err[160];
	int ok, n = 0, i;

	cfg.limit[XG_LIM_MONITOR] = (struct xg_limit){ .rate = 2, .burst = 2 };
	BUILD(&f, B4_UDP); /* to port 53 */
	ok = !setup_limits(name, &cfg) && !h_rules(s, 2, err, sizeof(err));
	ok = ok && !send_expect(name, &f, 2, XG_C_UDP, XG_R_PASS) &&
	     !send_expect(name, &f, 1, XG_C_UDP, XG_R_RATE_UDP) &&
	     !hits(name, 1, 3) && !hits(name, 0, 0) && !h_evstats(&es);
	if (ok)
		n = h_events(ev, 8);
	if (ok && (n != 2 || es.mon_sent != 2 || es.mon_sampled != 1 ||
		   es.mon_lost || es.sent)) {
		fail(name,
		     "%d events, monitor sent %llu sampled %llu lost %llu, "
		     "drop events %llu; want 2, 2 1 0, 0",
		     n, (unsigned long long)es.mon_sent,
		     (unsigned long long)es.mon_sampled,
		     (unsigned long long)es.mon_lost,
		     (unsigned long long)es.sent);
		ok = 0;
	}
	for (i = 0; ok && i < n; i++)
		if (ev[i].type != XG_EVT_MONITOR || ev[i].rule != 1 ||
		    ev[i].reason != XG_R_PASS || ev[i].dport != 53) {
			fail(name,
			     "event %d: type %u rule %u reason %u dport %u", i,
			     ev[i].type, ev[i].rule, ev[i].reason, ev[i].dport);
			ok = 0;
		}
	record(ok);
}

/* ban SECONDS: the first drop puts the source on the blocklist. */
static void f_ban(void)
{
	const char *name = "rules: drop with ban: then the blocklist drops it";
	struct xg_rule_src s = rule(XG_RA_DROP, C(TCP), 22, 22);
	struct frame f;

	s.r.ban_secs = 60;
	BUILD(&f, FRAME(.ip = 4, .proto = IPPROTO_TCP, .ports = 1,
			.sport = 40000, .dport = 22));
	record(!set_rules(name, &s, 1) &&
	       !send_expect(name, &f, 1, XG_C_TCP, XG_R_RULE_DROP) &&
	       !send_expect(name, &f, 2, XG_C_TCP, XG_R_AUTOBAN) &&
	       !hits(name, 0, 1));
}

/* A non-first fragment has no port: only rules without one match it. */
static void f_portless(void)
{
	const char *name = "rules: a later fragment meets port-less rules only";
	struct xg_rule_src port = rule(XG_RA_DROP, C(TCP), 80, 80);
	struct xg_rule_src any = rule(XG_RA_DROP, C(TCP), -1, -1);
	struct frame f;

	BUILD(&f, B4_FRAG_LATER);
	record(!set_rules(name, &port, 1) &&
	       !send_expect(name, &f, 1, XG_C_TCP, XG_R_PASS) &&
	       !set_rules(name, &any, 1) &&
	       !send_expect(name, &f, 1, XG_C_TCP, XG_R_RULE_DROP));
}

static void f_fields(void)
{
	const char *name = "rules: dst (IPv6), ttl, len, icmp type, !frag";
	struct xg_rule_src s[4] = { rule(XG_RA_DROP, C(UDP), -1, -1),
				    rule(XG_RA_DROP, C(TCP), -1, -1),
				    rule(XG_RA_DROP, C(ICMP), -1, -1),
				    rule(XG_RA_DROP, C(OTHER), -1, -1) };
	struct frame f;
	int ok;

	s[0].r.match = XG_RM_DST | XG_RM_V6;
	prefix("2001:db8:ffff::/48", s[0].r.dst, &s[0].r.dst_len);
	s[1].r.match = XG_RM_TTL | XG_RM_NOFRAG;
	s[1].r.ttl_lo = 1;
	s[1].r.ttl_hi = 5;
	s[2].r.match = XG_RM_ICMP_TYPE;
	s[2].r.icmp_type = 8;
	s[3].r.match = XG_RM_LEN | XG_RM_PROTO;
	s[3].r.proto = IPPROTO_GRE;
	s[3].r.len_lo = 0;
	s[3].r.len_hi = 30;
	ok = !set_rules(name, s, 4);
	BUILD(&f, B6_UDP);
	ok = ok && !send_expect(name, &f, 1, XG_C_UDP, XG_R_RULE_DROP);
	BUILD(&f,
	      FRAME(.ip = 6, .proto = IPPROTO_UDP, .dst = "2001:db8:fffe::1"));
	ok = ok && !send_expect(name, &f, 1, XG_C_UDP, XG_R_PASS);
	BUILD(&f, B4_UDP); /* an IPv4 destination: not V6 */
	ok = ok && !send_expect(name, &f, 1, XG_C_UDP, XG_R_PASS);
	BUILD(&f, FRAME(.ip = 4, .proto = IPPROTO_TCP, .ttl = 3));
	ok = ok && !send_expect(name, &f, 1, XG_C_TCP, XG_R_RULE_DROP);
	BUILD(&f, FRAME(.ip = 4, .proto = IPPROTO_TCP, .ttl = 6));
	ok = ok && !send_expect(name, &f, 1, XG_C_TCP, XG_R_PASS);
	BUILD(&f, FRAME(.ip = 4, .proto = IPPROTO_TCP, .ttl = 3, .frag = 100,
			.payload = 8));
	ok = ok && !send_expect(name, &f, 1, XG_C_TCP, XG_R_PASS);
	BUILD(&f, B4_ICMP);
	ok = ok && !send_expect(name, &f, 1, XG_C_ICMP, XG_R_RULE_DROP);
	BUILD(&f, FRAME(.ip = 4, .proto = IPPROTO_ICMP, .icmp_type = 3));
	ok = ok && !send_expect(name, &f, 1, XG_C_ICMP, XG_R_PASS);
	BUILD(&f, B4_GRE); /* 20 + 4 bytes */
	ok = ok && !send_expect(name, &f, 1, XG_C_OTHER_IP, XG_R_RULE_DROP);
	BUILD(&f, FRAME(.ip = 4, .proto = IPPROTO_GRE, .payload = 40));
	ok = ok && !send_expect(name, &f, 1, XG_C_OTHER_IP, XG_R_PASS);
	record(ok);
}

/* 1,000 rules on ports of their own: a packet meets its port's rule. */
static void f_many(void)
{
	const char *name = "rules: 1000 rules, each on its own port";
	static struct xg_rule_src s[1000];
	struct frame f;
	int i, ok;

	for (i = 0; i < 1000; i++)
		s[i] = rule(XG_RA_DROP, C(UDP), 10000 + i, 10000 + i);
	ok = !set_rules(name, s, 1000);
	BUILD(&f,
	      FRAME(.ip = 4, .proto = IPPROTO_UDP, .ports = 1, .dport = 10999));
	ok = ok && !send_expect(name, &f, 2, XG_C_UDP, XG_R_RULE_DROP) &&
	     !hits(name, 999, 2) && !hits(name, 998, 0);
	BUILD(&f,
	      FRAME(.ip = 4, .proto = IPPROTO_UDP, .ports = 1, .dport = 11000));
	ok = ok && !send_expect(name, &f, 1, XG_C_UDP, XG_R_PASS);
	record(ok);
}

/* sport ranges at their edges, ICMP codes, a rule for later fragments
 * only, and IPv6 behind extension headers (ports read after the chain; a
 * later IPv6 fragment has none).
 */
static void f_more_fields(void)
{
	const char *name =
		"rules: sport, icmp code, frag, IPv6 extension headers";
	struct xg_rule_src s[4] = { rule(XG_RA_DROP, C(UDP), 53, 53),
				    rule(XG_RA_DROP, C(ICMP), -1, -1),
				    rule(XG_RA_DROP, C(TCP), 22, 22),
				    rule(XG_RA_DROP, C(TCP), -1, -1) };
	struct frame f;
	int ok;

	s[0].r.match = XG_RM_SPORT;
	s[0].r.sport_lo = 1024;
	s[0].r.sport_hi = 2047;
	s[1].r.match = XG_RM_ICMP_TYPE | XG_RM_ICMP_CODE;
	s[1].r.icmp_type = 3;
	s[1].r.icmp_code = 0;
	s[3].r.match = XG_RM_FRAG;
	ok = !set_rules(name, s, 4);
	BUILD(&f, FRAME(.ip = 4, .proto = IPPROTO_UDP, .ports = 1,
			.sport = 1024, .dport = 53));
	ok = ok && !send_expect(name, &f, 1, XG_C_UDP, XG_R_RULE_DROP);
	BUILD(&f, FRAME(.ip = 4, .proto = IPPROTO_UDP, .ports = 1,
			.sport = 2047, .dport = 53));
	ok = ok && !send_expect(name, &f, 1, XG_C_UDP, XG_R_RULE_DROP);
	BUILD(&f, FRAME(.ip = 4, .proto = IPPROTO_UDP, .ports = 1,
			.sport = 1023, .dport = 53));
	ok = ok && !send_expect(name, &f, 1, XG_C_UDP, XG_R_PASS);
	BUILD(&f, FRAME(.ip = 4, .proto = IPPROTO_UDP, .ports = 1,
			.sport = 2048, .dport = 53));
	ok = ok && !send_expect(name, &f, 1, XG_C_UDP, XG_R_PASS);
	/* type 3 code 0: the frame's code byte is 0 */
	BUILD(&f, FRAME(.ip = 4, .proto = IPPROTO_ICMP, .icmp_type = 3));
	ok = ok && !send_expect(name, &f, 1, XG_C_ICMP, XG_R_RULE_DROP);
	BUILD(&f, FRAME(.ip = 4, .proto = IPPROTO_TCP, .ports = 1,
			.sport = 40000, .dport = 23));
	ok = ok && !send_expect(name, &f, 1, XG_C_TCP, XG_R_PASS);
	BUILD(&f, B4_FRAG_LATER); /* only the frag rule matches */
	ok = ok && !send_expect(name, &f, 1, XG_C_TCP, XG_R_RULE_DROP) &&
	     !hits(name, 3, 1);
	BUILD(&f, FRAME(.ip = 6, .ext = { DSTOPT, { EXT_HOP, 0 } },
			.proto = IPPROTO_TCP, .ports = 1, .sport = 40000,
			.dport = 22));
	ok = ok && !send_expect(name, &f, 1, XG_C_TCP, XG_R_RULE_DROP) &&
	     !hits(name, 2, 1);
	BUILD(&f, FRAME(.ip = 6, .ext = { { EXT_FRAGMENT, 0, .offset = 8 } },
			.proto = IPPROTO_TCP));
	ok = ok && !send_expect(name, &f, 1, XG_C_TCP, XG_R_RULE_DROP) &&
	     !hits(name, 3, 2) && !hits(name, 2, 1);
	record(ok);
}

/* More candidates than one packet may meet: refused, nothing written. */
static void f_too_dense(void)
{
	const char *name = "rules: 17 rules on tcp port 80 are refused";
	struct xg_rule_src s[XG_RULE_CAND + 1];
	char err[160] = "";
	int i, e;

	for (i = 0; i <= XG_RULE_CAND; i++)
		s[i] = rule(XG_RA_DROP, C(TCP), 80, 80);
	e = h_rules(s, XG_RULE_CAND + 1, err, sizeof(err));
	if (e != -E2BIG || !strstr(err, "tcp port 80"))
		fail(name, "got %d '%s', want -E2BIG naming tcp port 80", e,
		     err);
	record(e == -E2BIG && strstr(err, "tcp port 80"));
}

/* The bank not in force can be written at will; the flip of the
 * settings' rule_bank is what changes the rules packets meet.
 */
static void f_banks(void)
{
	const char *name = "rules: the other bank counts only once flipped";
	struct xg_rule_src drop = rule(XG_RA_DROP, C(UDP), 53, 53);
	struct xg_rule_src none = rule(XG_RA_DROP, C(UDP), 54, 54);
	struct xg_config *cfg;
	struct frame f;
	uint32_t bank;
	int ok;

	BUILD(&f, B4_UDP); /* to port 53 */
	ok = !set_rules(name, &drop, 1) &&
	     !send_expect(name, &f, 1, XG_C_UDP, XG_R_RULE_DROP);
	cfg = &h_state()->cfg[h_state()->cfg_slot & 1];
	bank = cfg->rule_bank;
	ok = ok && !h_rules_stage(&none, 1, !bank) &&
	     !send_expect(name, &f, 1, XG_C_UDP, XG_R_RULE_DROP);
	if (ok) {
		cfg->rule_bank = !bank;
		ok = !send_expect(name, &f, 1, XG_C_UDP, XG_R_PASS);
	}
	record(ok);
}

void run_rules(void)
{
	f_port_rule();
	f_port_edges();
	f_not_dport();
	f_first_match();
	f_rate_total();
	f_rate_per_source();
	f_ban();
	f_monitor();
	f_portless();
	f_fields();
	f_more_fields();
	f_many();
	f_too_dense();
	f_banks();
	h_reset(0);
}
