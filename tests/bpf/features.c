// SPDX-License-Identifier: GPL-2.0
/* Packet tests of the features of passing packets (xg-features): the
 * fields of each kind of packet, the 1-in-N sample and the budget exact
 * on the test clock, passes only, monitor rules, the ring buffer full,
 * and nothing at all while features are off.
 */
#include <arpa/inet.h>
#include <string.h>

#include "check.h"

#define FT_ALL ((struct xg_limit){ .rate = 1000000, .burst = 1000000 })
#define FT_MAX 64

/* Maps reset, every limit off but @cfg's, features at @lim with 1 in
 * @n sampled (0: monitor rules only).
 */
static int set_features(const char *name, struct xg_config *cfg,
			struct xg_limit lim, uint32_t n)
{
	cfg->limit[XG_LIM_FEATURES] = lim;
	cfg->feat_n = n;
	cfg->feat_mul = xg_feat_mul(n);
	return setup_limits(name, cfg);
}

/* The features made since the last look are @want, and the counts are
 * @sent, @sampled, @lost since the reset.
 */
static int features_are(const char *name, int want, uint64_t sent,
			uint64_t sampled, uint64_t lost)
{
	struct xg_evstats es;
	int n = h_features(NULL, 0);

	if (n == want && !h_evstats(&es) && es.feat_sent == sent &&
	    es.feat_sampled == sampled && es.feat_lost == lost)
		return 0;
	fail(name,
	     "%d features, sent %llu sampled %llu lost %llu; want %d, %llu "
	     "%llu %llu",
	     n, (unsigned long long)es.feat_sent,
	     (unsigned long long)es.feat_sampled,
	     (unsigned long long)es.feat_lost, want, (unsigned long long)sent,
	     (unsigned long long)sampled, (unsigned long long)lost);
	return -1;
}

/* ---- fields -------------------------------------------------------------- */

struct ft_case {
	const char *name;
	struct frame_spec frame;
	int ipver;
	uint8_t proto, tcp_flags, tos, flags;
	uint16_t sport, dport, payload;
	const char *src, *dst;
};

#define FT_V4 XG_EV_L3
#define FT_V6 (XG_EV_L3 | XG_EV_IPV6)

static const struct ft_case ft_cases[] = {
	{ "features: tcp syn+ack, ports, tos, payload after the options",
	  FRAME(.ip = 4, .proto = IPPROTO_TCP, .tcp_flags = TCP_SYN | TCP_ACK,
		.doff = 8, .ports = 1, .sport = 443, .dport = 50000,
		.tos = 0xb8, .payload = 100, .src = "198.18.7.1"),
	  4, IPPROTO_TCP, TCP_SYN | TCP_ACK, 0xb8, FT_V4 | XG_EV_PORTS, 443,
	  50000, 100, "198.18.7.1", "198.19.0.1" },
	{ "features: tcp fin+psh+ack, no payload",
	  FRAME(.ip = 4, .proto = IPPROTO_TCP,
		.tcp_flags = TCP_FIN | TCP_PSH | TCP_ACK),
	  4, IPPROTO_TCP, TCP_FIN | TCP_PSH | TCP_ACK, 0, FT_V4 | XG_EV_PORTS,
	  40000, 80, 0, "198.18.0.1", "198.19.0.1" },
	{ "features: udp, registered ports, 512 bytes of payload",
	  FRAME(.ip = 4, .proto = IPPROTO_UDP, .ports = 1, .sport = 5353,
		.dport = 1024, .payload = 512),
	  4, IPPROTO_UDP, 0, 0, FT_V4 | XG_EV_PORTS, 5353, 1024, 512,
	  "198.18.0.1", "198.19.0.1" },
	{ "features: icmp echo, payload after 8 bytes",
	  FRAME(.ip = 4, .proto = IPPROTO_ICMP, .payload = 56, .tos = 0x10), 4,
	  IPPROTO_ICMP, 0, 0x10, FT_V4, 0, 0, 56, "198.18.0.1", "198.19.0.1" },
	{ "features: a later fragment: its whole IP payload, no ports",
	  B4_FRAG_LATER, 4, IPPROTO_TCP, 0, 0, FT_V4 | XG_EV_FRAG, 0, 0, 8,
	  "198.18.0.1", "198.19.0.1" },
	{ "features: gre: the IP payload", B4_GRE, 4, IPPROTO_GRE, 0, 0, FT_V4,
	  0, 0, 4, "198.18.0.1", "198.19.0.1" },
	{ "features: ipv6 tcp, traffic class, payload",
	  FRAME(.ip = 6, .proto = IPPROTO_TCP, .tcp_flags = TCP_ACK | TCP_URG,
		.tos = 0xa5, .payload = 900, .ports = 1, .sport = 60000,
		.dport = 22),
	  6, IPPROTO_TCP, TCP_ACK | TCP_URG, 0xa5, FT_V6 | XG_EV_PORTS, 60000,
	  22, 900, "2001:db8::1", "2001:db8:ffff::1" },
	{ "features: ipv6 udp behind extension headers", B6_AH_UDP, 6,
	  IPPROTO_UDP, 0, 0, FT_V6 | XG_EV_PORTS, 40000, 53, 0, "2001:db8::1",
	  "2001:db8:ffff::1" },
	{ "features: icmpv6 echo",
	  FRAME(.ip = 6, .proto = IPPROTO_ICMPV6, .payload = 8), 6,
	  IPPROTO_ICMPV6, 0, 0, FT_V6, 0, 0, 8, "2001:db8::1",
	  "2001:db8:ffff::1" },
	{ "features: tcp with ece and cwr",
	  FRAME(.ip = 4, .proto = IPPROTO_TCP,
		.tcp_flags = TCP_SYN | TCP_ECE | TCP_CWR),
	  4, IPPROTO_TCP, TCP_SYN | TCP_ECE | TCP_CWR, 0, FT_V4 | XG_EV_PORTS,
	  40000, 80, 0, "198.18.0.1", "198.19.0.1" },
};

static int addr_is(int ipver, const uint32_t *a, const char *want)
{
	uint32_t w[4] = { 0 };

	if (inet_pton(ipver == 6 ? AF_INET6 : AF_INET, want, w) != 1)
		return 0;
	return !memcmp(a, w, ipver == 6 ? 16 : 4);
}

static int feature_is(const struct ft_case *c, const struct xg_feature *f,
		      size_t len, uint64_t t0, uint64_t t1)
{
	if (f->ts_ns >= t0 && f->ts_ns <= t1 && f->ipver == c->ipver &&
	    f->l4proto == c->proto && f->tcp_flags == c->tcp_flags &&
	    f->tos == c->tos && f->flags == c->flags && f->sport == c->sport &&
	    f->dport == c->dport && f->payload_len == c->payload &&
	    f->len == len && f->ifindex == LO_IFINDEX &&
	    f->reason == XG_R_PASS && addr_is(c->ipver, f->saddr, c->src) &&
	    addr_is(c->ipver, f->daddr, c->dst))
		return 0;
	fail(c->name,
	     "ip %u proto %u flags %#x tos %#x evflags %#x ports %u %u "
	     "payload %u len %u ifindex %u reason %u",
	     f->ipver, f->l4proto, f->tcp_flags, f->tos, f->flags, f->sport,
	     f->dport, f->payload_len, f->len, f->ifindex, f->reason);
	return -1;
}

static void f_fields(void)
{
	const struct ft_case *c;
	struct xg_feature ft;
	struct xg_config cfg;
	struct frame f;
	uint64_t t0;
	size_t i;
	int n;

	for (i = 0; i < ARRAY_SIZE(ft_cases); i++) {
		c = &ft_cases[i];
		build_frame(&f, &c->frame);
		h_config_off(&cfg);
		if (set_features(c->name, &cfg, FT_ALL, 1)) {
			record(0);
			continue;
		}
		t0 = h_boot_ns();
		if (h_run_on(0, &f, f.len, LO_IFINDEX) != XDP_PASS) {
			fail(c->name, "not passed");
			record(0);
			continue;
		}
		n = h_features(&ft, 1);
		if (n != 1) {
			fail(c->name, "%d features, want 1", n);
			record(0);
			continue;
		}
		record(!feature_is(c, &ft, f.len, t0, h_boot_ns()));
	}
}

/* ---- which packets ------------------------------------------------------- */

/* 1 in 3 of each counter: counts 3, 6 and 9 of 10 UDP packets, and of 7
 * TCP packets between them counts 3 and 6: the counters' own.
 */
static void f_sample(void)
{
	const char *name = "features: sample 1/3 is every third of a counter";
	const char *one = "features: sample 1/1 takes every passing packet";
	struct xg_config cfg;
	struct frame udp, tcp;
	int i, ok;

	BUILD(&udp, B4_UDP);
	BUILD(&tcp, B4_ACK);
	h_config_off(&cfg);
	ok = !set_features(name, &cfg, FT_ALL, 3);
	for (i = 0; ok && i < 10; i++)
		ok = !send_expect(name, &udp, 1, XG_C_UDP, XG_R_PASS) &&
		     (i >= 7 ||
		      !send_expect(name, &tcp, 1, XG_C_TCP, XG_R_PASS));
	record(ok && !features_are(name, 3 + 2, 5, 0, 0));

	h_config_off(&cfg);
	record(!set_features(one, &cfg, FT_ALL, 1) &&
	       !send_expect(one, &udp, 9, XG_C_UDP, XG_R_PASS) &&
	       !features_are(one, 9, 9, 0, 0));
}

/* Rate 1/s, burst 4: 4 of 10 go out on one instant; a second later one
 * more token, and it goes to the next packet offered.
 */
static void f_budget(void)
{
	const char *name = "features: the budget: its burst, then one a second";
	struct xg_config cfg;
	struct frame udp;

	BUILD(&udp, B4_UDP);
	h_config_off(&cfg);
	record(!set_features(name, &cfg,
			     (struct xg_limit){ .rate = 1, .burst = 4 }, 1) &&
	       !send_expect(name, &udp, 10, XG_C_UDP, XG_R_PASS) &&
	       !features_are(name, 4, 4, 6, 0) &&
	       (h_advance(XG_NSEC_PER_SEC), 1) &&
	       !send_expect(name, &udp, 3, XG_C_UDP, XG_R_PASS) &&
	       !features_are(name, 1, 5, 8, 0));
}

/* What is dropped is never a feature: a blocklisted source, a source
 * over its rate, a malformed packet dropped.
 */
static void f_passes_only(void)
{
	const char *name = "features: drops make none, passes one each";
	const char *mal = "features: a malformed packet dropped makes none";
	struct xg_config cfg = one_limit(XG_LIM_UDP, 2, 2);
	struct frame udp, blocked, cut;

	BUILD(&udp, B4_UDP);
	BUILD(&blocked,
	      FRAME(.ip = 4, .proto = IPPROTO_UDP, .src = "198.18.0.5"));
	record(!set_features(name, &cfg, FT_ALL, 1) &&
	       !h_add(1, "198.18.0.5", 0) &&
	       !send_expect(name, &udp, 2, XG_C_UDP, XG_R_PASS) &&
	       !send_expect(name, &udp, 3, XG_C_UDP, XG_R_RATE_UDP) &&
	       !send_expect(name, &blocked, 2, XG_C_UDP, XG_R_BLOCKLISTED) &&
	       !features_are(name, 2, 2, 0, 0));

	h_config_off(&cfg);
	cfg.flags = DROP_MAL;
	BUILD(&cut, B4_UDP_CUT);
	record(!set_features(mal, &cfg, FT_ALL, 1) &&
	       !send_verdict(mal, &cut, 2, XG_C_UDP, XG_R_MALFORMED,
			     XDP_DROP) &&
	       !features_are(mal, 0, 0, 0, 0));
}

/* Off: the budget's rate 0 makes no feature and counts nothing, with
 * the sample at 1/1.
 */
static void f_off(void)
{
	const char *name = "features: off makes none and counts nothing";
	struct xg_config cfg;
	struct frame udp;

	BUILD(&udp, B4_UDP);
	h_config_off(&cfg);
	record(!set_features(name, &cfg, (struct xg_limit){ 0 }, 1) &&
	       !send_expect(name, &udp, 5, XG_C_UDP, XG_R_PASS) &&
	       !features_are(name, 0, 0, 0, 0));
}

/* A monitor rule's matches are offered whatever the sample (here off),
 * with the rule's slot; a match the limits then drop is not.
 */
static void f_monitor(void)
{
	const char *name = "features: monitor rules feed them, with the rule";
	struct xg_rule_src s;
	struct xg_config cfg = one_limit(XG_LIM_UDP, 2, 2);
	struct xg_feature ft[FT_MAX];
	struct frame m53, other;
	char err[160];
	int ok, n = 0, i;

	memset(&s, 0, sizeof(s));
	s.r.action = XG_RA_MONITOR;
	s.classes = 1U << XG_RC_UDP;
	s.nports = 1;
	s.port_lo[0] = s.port_hi[0] = 53;
	BUILD(&m53, B4_UDP); /* to port 53 */
	BUILD(&other, FRAME(.ip = 4, .proto = IPPROTO_TCP, .tcp_flags = TCP_ACK,
			    .src = "198.18.9.9"));
	ok = !set_features(name, &cfg, FT_ALL, 0) &&
	     !h_rules(&s, 1, err, sizeof(err));
	ok = ok && !send_expect(name, &other, 4, XG_C_TCP, XG_R_PASS) &&
	     !send_expect(name, &m53, 2, XG_C_UDP, XG_R_PASS) &&
	     !send_expect(name, &m53, 1, XG_C_UDP, XG_R_RATE_UDP);
	if (ok)
		n = h_features(ft, FT_MAX);
	if (ok && n != 2) {
		fail(name, "%d features, want 2", n);
		ok = 0;
	}
	for (i = 0; ok && i < n; i++)
		if (!(ft[i].flags & XG_EV_RULE) || ft[i].rule != 0 ||
		    ft[i].dport != 53) {
			fail(name, "feature %d: flags %#x rule %u dport %u", i,
			     ft[i].flags, ft[i].rule, ft[i].dport);
			ok = 0;
		}
	record(ok && !features_are(name, 0, 2, 0, 0));
}

/* More passes than the ring buffer holds, nobody reading: the rest are
 * counted lost, and sent + lost is every pass.
 */
static void f_lost(void)
{
	const char *name = "features: a full ring buffer counts them lost";
	struct xg_evstats es;
	struct xg_config cfg;
	struct frame udp;
	uint32_t runs = XG_FEATS_BYTES / sizeof(struct xg_feature) + 100;

	BUILD(&udp, B4_UDP);
	h_config_off(&cfg);
	if (set_features(name, &cfg, FT_ALL, 1) ||
	    h_run_n(&udp, runs) != XDP_PASS || h_evstats(&es)) {
		fail(name, "cannot run %u frames", runs);
		record(0);
		return;
	}
	if (!es.feat_lost || es.feat_sent + es.feat_lost != runs ||
	    es.feat_sampled) {
		fail(name, "sent %llu lost %llu sampled %llu of %u",
		     (unsigned long long)es.feat_sent,
		     (unsigned long long)es.feat_lost,
		     (unsigned long long)es.feat_sampled, runs);
		record(0);
		return;
	}
	record(!features_are(name, (int)es.feat_sent, es.feat_sent, 0,
			     es.feat_lost));
}

void run_features(void)
{
	f_fields();
	f_sample();
	f_budget();
	f_passes_only();
	f_off();
	f_monitor();
	f_lost();
	h_clear_events();
}
