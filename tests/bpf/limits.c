// SPDX-License-Identifier: GPL-2.0
/* Packet tests of the per-source rate limits: xg-load's defaults on single
 * packets (rows), bursts per class, buckets per source and IPv6 prefix,
 * what is never limited, the config slot flip, refill, automatic bans.
 * All on the test clock (h_advance()), so nothing sleeps.
 */
#include <arpa/inet.h>

#include "check.h"

/* ---- default limits: one packet of every class passes -------------------- */

/* The limits xg-load starts with: a single packet of any class passes. */
static int s_defaults(void)
{
	struct xg_config cfg;

	h_config_defaults(&cfg);
	return h_write_config(0, &cfg);
}

static int s_defaults_drop_mal(void)
{
	struct xg_config cfg;

	h_config_defaults(&cfg);
	cfg.flags = XG_CFG_DROP_MALFORMED;
	return h_write_config(0, &cfg);
}

static int s_defaults_block4(void)
{
	return s_defaults() ?: h_add(1, SRC4, 0);
}

static const struct tcase cases[] = {
	{ "defaults: ipv4 syn", B4_TCP, s_defaults, 0, P(TCP), XG_R_PASS,
	  NULL },
	{ "defaults: ipv4 udp", B4_UDP, s_defaults, 0, P(UDP), XG_R_PASS,
	  NULL },
	{ "defaults: ipv4 icmp", B4_ICMP, s_defaults, 0, P(ICMP), XG_R_PASS,
	  NULL },
	{ "defaults: ipv4 later fragment", B4_FRAG_LATER, s_defaults, 0, P(TCP),
	  XG_R_PASS, NULL },
	{ "defaults: ipv6 syn through ext headers", B6_CHAIN, s_defaults, 0,
	  P(TCP), XG_R_PASS, NULL },
	{ "defaults: ipv6 udp", B6_UDP, s_defaults, 0, P(UDP), XG_R_PASS,
	  NULL },
	{ "defaults: ipv6 icmpv6", B6_ICMP6, s_defaults, 0, P(ICMP), XG_R_PASS,
	  NULL },
	{ "defaults: ipv6 later fragment", B6_FRAG_LATER, s_defaults, 0, P(TCP),
	  XG_R_PASS, NULL },
	{ "defaults: gre", B4_GRE, s_defaults, 0, P(OTHER_IP), XG_R_PASS,
	  NULL },
	{ "defaults: blocked udp", B4_UDP, s_defaults_block4, 0, D(UDP),
	  XG_R_BLOCKLISTED, NULL },
	{ "defaults: malformed udp counts as malformed", B4_UDP_CUT,
	  s_defaults_drop_mal, 0, D(UDP), XG_R_MALFORMED, NULL },
};

void run_limit_cases(void)
{
	run_cases(cases, ARRAY_SIZE(cases));
}

/* ---- bursts, buckets ----------------------------------------------------- */

struct burst_case {
	const char *name;
	struct frame_spec frame;
	int limit;
	int class;
	int reason; /* of the packets within the burst */
};

/* Rate 1/s: no token comes back while the case runs, so exactly the
 * burst passes. A malformed L4 header that is passed meets the limit of
 * its class (bad TCP: the SYN limit), so a flood of bad headers is cut
 * like any other.
 */
static const struct burst_case bursts[] = {
	{ "burst: ipv4 syn", B4_TCP, XG_LIM_SYN, XG_C_TCP, XG_R_PASS },
	{ "burst: ipv6 syn", B6_TCP, XG_LIM_SYN, XG_C_TCP, XG_R_PASS },
	{ "burst: ipv4 udp", B4_UDP, XG_LIM_UDP, XG_C_UDP, XG_R_PASS },
	{ "burst: ipv6 udp behind ah", B6_AH_UDP, XG_LIM_UDP, XG_C_UDP,
	  XG_R_PASS },
	{ "burst: ipv4 icmp", B4_ICMP, XG_LIM_ICMP, XG_C_ICMP, XG_R_PASS },
	{ "burst: ipv6 icmpv6", B6_ICMP6, XG_LIM_ICMP, XG_C_ICMP, XG_R_PASS },
	{ "burst: ipv4 later fragments", B4_FRAG_LATER, XG_LIM_FRAG, XG_C_TCP,
	  XG_R_PASS },
	{ "burst: ipv6 later fragments", B6_FRAG_LATER, XG_LIM_FRAG, XG_C_TCP,
	  XG_R_PASS },
	{ "burst: malformed tcp (doff 4)", B4_TCP_DOFF4, XG_LIM_SYN, XG_C_TCP,
	  XG_R_MALFORMED },
	{ "burst: malformed udp (cut)", B4_UDP_CUT, XG_LIM_UDP, XG_C_UDP,
	  XG_R_MALFORMED },
};

#define BURST 5

static void f_bursts(void)
{
	struct xg_config cfg;
	size_t i;

	for (i = 0; i < ARRAY_SIZE(bursts); i++) {
		const struct burst_case *b = &bursts[i];
		struct frame f;

		build_frame(&f, &b->frame);
		cfg = one_limit(b->limit, 1, BURST);
		record(!setup_limits(b->name, &cfg) &&
		       !send_expect(b->name, &f, BURST, b->class, b->reason) &&
		       !send_expect(b->name, &f, 3, b->class,
				    XG_R_RATE_SYN + b->limit) &&
		       !track_is(b->name, 1));
	}
}

/* A first fragment has its L4 header: it counts in its protocol's limit,
 * not in the fragment limit; every class has a bucket of its own.
 */
static void f_classes_apart(void)
{
	const char *name = "burst: classes have buckets of their own";
	struct frame udp, icmp, first, later;
	struct xg_config cfg;
	int k;

	BUILD(&udp, B4_UDP);
	BUILD(&icmp, B4_ICMP);
	BUILD(&first, B4_FRAG_FIRST);
	BUILD(&later, B4_FRAG_LATER);
	h_config_off(&cfg);
	for (k = 0; k < XG_LIM_SRC; k++)
		cfg.limit[k] = (struct xg_limit){ .rate = 1, .burst = 2 };
	record(!setup_limits(name, &cfg) &&
	       !send_expect(name, &udp, 2, XG_C_UDP, XG_R_PASS) &&
	       !send_expect(name, &udp, 1, XG_C_UDP, XG_R_RATE_UDP) &&
	       !send_expect(name, &icmp, 2, XG_C_ICMP, XG_R_PASS) &&
	       !send_expect(name, &icmp, 1, XG_C_ICMP, XG_R_RATE_ICMP) &&
	       !send_expect(name, &first, 2, XG_C_TCP, XG_R_PASS) &&
	       !send_expect(name, &first, 1, XG_C_TCP, XG_R_RATE_SYN) &&
	       !send_expect(name, &later, 2, XG_C_TCP, XG_R_PASS) &&
	       !send_expect(name, &later, 1, XG_C_TCP, XG_R_RATE_FRAG) &&
	       !track_is(name, 1));
}

static void f_refill(void)
{
	const char *name = "refill: one more token after 1.1 s at 1/s";
	struct xg_config cfg = one_limit(XG_LIM_UDP, 1, 3);
	struct frame f;
	int ok;

	BUILD(&f, B4_UDP);
	ok = !setup_limits(name, &cfg) &&
	     !send_expect(name, &f, 3, XG_C_UDP, XG_R_PASS) &&
	     !send_expect(name, &f, 1, XG_C_UDP, XG_R_RATE_UDP);
	if (ok)
		h_advance(1100 * 1000000ULL);
	record(ok && !send_expect(name, &f, 1, XG_C_UDP, XG_R_PASS) &&
	       !send_expect(name, &f, 1, XG_C_UDP, XG_R_RATE_UDP));
}

static void f_sources(void)
{
	const char *n4 = "sources: ipv4 hosts have buckets of their own";
	const char *n64 = "sources: ipv6 /64 shares one bucket";
	const char *n128 = "sources: v6-prefix 128 separates hosts";
	const char *n48 = "sources: v6-prefix 48 joins /64s";
	struct xg_config cfg = one_limit(XG_LIM_UDP, 1, 2);
	struct xg_in6 key = { { 0, 0, htonl(0xffff), 0 } };
	struct xg_src src;

	/* The key is v4-mapped: ::ffff:198.18.0.1. */
	inet_pton(AF_INET, SRC4, &key.addr[3]);
	record(!setup_limits(n4, &cfg) &&
	       !udp_from(n4, "198.18.0.1", 2, XG_R_PASS) &&
	       !udp_from(n4, "198.18.0.1", 1, XG_R_RATE_UDP) &&
	       !udp_from(n4, "198.18.0.2", 2, XG_R_PASS) &&
	       !udp_from(n4, "198.18.0.2", 1, XG_R_RATE_UDP) &&
	       !track_is(n4, 2) && !h_track_lookup(&key, &src));

	cfg.v6_prefix = 64;
	record(!setup_limits(n64, &cfg) &&
	       !udp_from(n64, "2001:db8::1", 1, XG_R_PASS) &&
	       !udp_from(n64, "2001:db8::ffff:2", 1, XG_R_PASS) &&
	       !udp_from(n64, "2001:db8::3", 1, XG_R_RATE_UDP) &&
	       !udp_from(n64, "2001:db8:0:1::1", 2, XG_R_PASS) &&
	       !udp_from(n64, "2001:db8:0:1::1", 1, XG_R_RATE_UDP) &&
	       !track_is(n64, 2));

	cfg.v6_prefix = 128;
	record(!setup_limits(n128, &cfg) &&
	       !udp_from(n128, "2001:db8::1", 2, XG_R_PASS) &&
	       !udp_from(n128, "2001:db8::1", 1, XG_R_RATE_UDP) &&
	       !udp_from(n128, "2001:db8::2", 2, XG_R_PASS) &&
	       !track_is(n128, 2));

	cfg.v6_prefix = 48;
	record(!setup_limits(n48, &cfg) &&
	       !udp_from(n48, "2001:db8::1", 1, XG_R_PASS) &&
	       !udp_from(n48, "2001:db8:0:ffff::1", 1, XG_R_PASS) &&
	       !udp_from(n48, "2001:db8:0:1::1", 1, XG_R_RATE_UDP) &&
	       !udp_from(n48, "2001:db8:1::1", 1, XG_R_PASS) &&
	       !track_is(n48, 2));
}

/* Limits so tight that anything limited would show: what must not be
 * limited passes every time and leaves no trace in xg_track.
 */
static void f_not_limited(void)
{
	const char *tcp = "not limited: syn+ack, ack, gre";
	const char *off = "not limited: rate 0 takes no lookup";
	const char *allow = "not limited: allowlisted source, nor banned";
	struct frame synack, ack, gre, syn, udp;
	struct xg_config cfg;
	int k;

	BUILD(&synack, FRAME(.ip = 4, .proto = IPPROTO_TCP,
			     .tcp_flags = TCP_SYN | TCP_ACK));
	BUILD(&ack, B4_ACK);
	BUILD(&gre, B4_GRE);
	BUILD(&syn, B4_TCP);
	BUILD(&udp, B4_UDP);
	h_config_off(&cfg);
	for (k = 0; k < XG_LIM_MAX; k++)
		cfg.limit[k] = (struct xg_limit){ .rate = 1, .burst = 1 };
	/* room in the ceiling, so the second SYN meets its source's limit */
	cfg.limit[XG_LIM_SYN_GLOBAL].burst = 5;
	record(!setup_limits(tcp, &cfg) &&
	       !send_expect(tcp, &synack, 5, XG_C_TCP, XG_R_PASS) &&
	       !send_expect(tcp, &ack, 5, XG_C_TCP, XG_R_PASS) &&
	       !send_expect(tcp, &gre, 5, XG_C_OTHER_IP, XG_R_PASS) &&
	       !track_is(tcp, 0) &&
	       !send_expect(tcp, &syn, 1, XG_C_TCP, XG_R_PASS) &&
	       !send_expect(tcp, &syn, 1, XG_C_TCP, XG_R_RATE_SYN));

	cfg.limit[XG_LIM_UDP].rate = 0;
	cfg.limit[XG_LIM_GLOBAL + XG_LIM_UDP].rate = 0;
	record(!setup_limits(off, &cfg) &&
	       !send_expect(off, &udp, 5, XG_C_UDP, XG_R_PASS) &&
	       !track_is(off, 0));

	cfg.ban_secs = 60;
	cfg.ban_factor = 2;
	cfg.ban_after = 1;
	record(!setup_limits(allow, &cfg) && !h_add(0, SRC4, 0) &&
	       !send_expect(allow, &udp, 5, XG_C_UDP, XG_R_ALLOWLISTED) &&
	       !send_expect(allow, &syn, 5, XG_C_TCP, XG_R_ALLOWLISTED) &&
	       !track_is(allow, 0) && hits_is(allow, 1, SRC4, -1) == 0);
}

/* User space writes the slot not in force, then flips cfg_slot. */
static void f_slot_flip(void)
{
	const char *name = "config slot flip takes effect";
	struct xg_config on = one_limit(XG_LIM_UDP, 1, 1);
	struct frame udp, cut;
	int ok;

	BUILD(&udp, B4_UDP);
	BUILD(&cut, B4_UDP_CUT);
	on.flags = XG_CFG_DROP_MALFORMED;
	ok = !h_reset(0) && !h_write_config(1, &on) &&
	     !send_expect(name, &udp, 3, XG_C_UDP, XG_R_PASS) &&
	     !track_is(name, 0);
	if (ok) {
		h_state()->cfg_slot = 1;
		ok = !send_expect(name, &udp, 1, XG_C_UDP, XG_R_PASS) &&
		     !send_expect(name, &udp, 1, XG_C_UDP, XG_R_RATE_UDP) &&
		     !send_verdict(name, &cut, 1, XG_C_UDP, XG_R_MALFORMED,
				   XDP_DROP);
	}
	if (ok) {
		h_state()->cfg_slot = 0;
		ok = !send_expect(name, &udp, 2, XG_C_UDP, XG_R_PASS) &&
		     !send_expect(name, &cut, 1, XG_C_UDP, XG_R_MALFORMED);
	}
	record(ok);
}

/* An automatic ban: sane expiry, the auto flag, the list bit. */
static int ban_is(const char *name, const char *cidr, uint32_t secs)
{
	struct xg_entry e;
	uint64_t now = h_boot_ns();

	if (h_entry(1, cidr, &e)) {
		fail(name, "%s is not on the blocklist", cidr);
		return -1;
	}
	if (!(e.flags & XG_E_AUTO) ||
	    e.expires_ns > now + secs * XG_NSEC_PER_SEC ||
	    e.expires_ns + 5 * XG_NSEC_PER_SEC < now + secs * XG_NSEC_PER_SEC) {
		fail(name, "%s: flags %u, expires in %lld ms, want auto, %u s",
		     cidr, e.flags, (long long)(e.expires_ns - now) / 1000000,
		     secs);
		return -1;
	}
	return 0;
}

static int bits_are(const char *name, uint32_t want)
{
	uint32_t got = __atomic_load_n(&h_state()->lists, __ATOMIC_SEQ_CST);

	if (got == want)
		return 0;
	fail(name, "xg_state.lists is %#x, want %#x", got, want);
	return -1;
}

/* Rate 1/s burst 2, ban after 1 s at 2x: every source here goes over in
 * one window and again in the next, 1.05 s later, and that drop, which
 * closes the window with a strike, bans. 198.18.0.2 carries an expired
 * automatic ban user space has not swept: the new ban replaces it.
 * 198.18.0.3 first goes over in the second window: no ban yet.
 */
static void f_autoban(void)
{
	const char *v4 = "autoban: ipv4 host";
	const char *stale = "autoban: over an expired, unswept ban";
	const char *v6 = "autoban: ipv6 /64";
	const char *late = "autoban: one window over is not enough";
	struct xg_config cfg = one_limit(XG_LIM_UDP, 1, 2);
	struct xg_entry old = { .expires_ns = h_boot_ns() - XG_NSEC_PER_SEC,
				.flags = XG_E_AUTO };
	int ok, ok4, ok_stale, ok6, ok_late;

	cfg.ban_secs = 60;
	cfg.ban_factor = 2;
	cfg.ban_after = 1;
	ok = !setup_limits(v4, &cfg) && !h_add_entry(1, "198.18.0.2", &old, 0);
	ok4 = ok && !udp_from(v4, "198.18.0.1", 2, XG_R_PASS) &&
	      !udp_from(v4, "198.18.0.1", 1, XG_R_RATE_UDP);
	ok_stale = ok && !udp_from(stale, "198.18.0.2", 2, XG_R_PASS) &&
		   !udp_from(stale, "198.18.0.2", 1, XG_R_RATE_UDP);
	ok6 = ok && !udp_from(v6, "2001:db8:0:5::1", 2, XG_R_PASS) &&
	      !udp_from(v6, "2001:db8:0:5::2", 1, XG_R_RATE_UDP);
	ok_late = ok && !udp_from(late, "198.18.0.3", 2, XG_R_PASS);
	ok = ok && !bits_are(v4, 0) && hits_is(v4, 1, "198.18.0.1", -1) == 0;

	h_advance(1050 * 1000000ULL);
	ok4 = ok4 && ok && !udp_from(v4, "198.18.0.1", 1, XG_R_PASS) &&
	      !udp_from(v4, "198.18.0.1", 1, XG_R_RATE_UDP) &&
	      !ban_is(v4, "198.18.0.1", 60) && !bits_are(v4, XG_L_BLOCK4) &&
	      !udp_from(v4, "198.18.0.1", 2, XG_R_AUTOBAN) &&
	      hits_is(v4, 1, "198.18.0.1", 2) == 0;
	ok_stale = ok_stale && ok &&
		   !udp_from(stale, "198.18.0.2", 1, XG_R_PASS) &&
		   !udp_from(stale, "198.18.0.2", 1, XG_R_RATE_UDP) &&
		   !ban_is(stale, "198.18.0.2", 60) &&
		   !udp_from(stale, "198.18.0.2", 1, XG_R_AUTOBAN);
	ok6 = ok6 && ok && !udp_from(v6, "2001:db8:0:5::3", 1, XG_R_PASS) &&
	      !udp_from(v6, "2001:db8:0:5::4", 1, XG_R_RATE_UDP) &&
	      !ban_is(v6, "2001:db8:0:5::/64", 60) &&
	      !bits_are(v6, XG_L_BLOCK4 | XG_L_BLOCK6P) &&
	      /* the ban set its /32's bit in xg_pfx, cleared by the reset */
	      h_pfx_bit(1, 0x20010db8) == 1 &&
	      !udp_from(v6, "2001:db8:0:5:ffff::9", 1, XG_R_AUTOBAN) &&
	      !udp_from(v6, "2001:db8:0:6::1", 1, XG_R_PASS);
	ok_late = ok_late && ok &&
		  !udp_from(late, "198.18.0.3", 1, XG_R_PASS) &&
		  !udp_from(late, "198.18.0.3", 1, XG_R_RATE_UDP) &&
		  !udp_from(late, "198.18.0.3", 1, XG_R_RATE_UDP) &&
		  hits_is(late, 1, "198.18.0.3", -1) == 0;
	record(ok4);
	record(ok_stale);
	record(ok6);
	record(ok_late);
}

/* A chain too long to walk hides its upper layer: it must not escape
 * the limits. It meets its source's fragment limit (the packets whose L4
 * the program cannot see), and the global SYN ceiling does not apply.
 */
static void f_deep_chain(void)
{
	const char *name = "nine ext headers meet the fragment limit";
	const char *syn = "nine ext headers: the syn limit is not theirs";
	struct xg_config cfg = one_limit(XG_LIM_FRAG, 1, 1);
	struct frame f, other;

	BUILD(&f, B6_NINE_EXT);
	BUILD(&other, B6_TCP);
	record(!setup_limits(name, &cfg) &&
	       !send_expect(name, &f, 1, XG_C_OTHER_IP, XG_R_MALFORMED) &&
	       !send_expect(name, &f, 49, XG_C_OTHER_IP, XG_R_RATE_FRAG) &&
	       !track_is(name, 1));
	cfg = one_limit(XG_LIM_SYN, 1, 1);
	record(!setup_limits(syn, &cfg) &&
	       !send_expect(syn, &f, 5, XG_C_OTHER_IP, XG_R_MALFORMED) &&
	       !track_is(syn, 0));
}

/* IPv4-mapped IPv6 sources have the bucket of the IPv4 address they
 * carry, whatever v6-prefix says: with 96, ::ffff:0:0/96 would otherwise
 * be one bucket for all of them.
 */
static void f_mapped_sources(void)
{
	const char *p96 = "mapped sources: own buckets with v6-prefix 96";
	const char *p128 = "mapped sources: the bucket of their ipv4 address";
	struct xg_config cfg = one_limit(XG_LIM_UDP, 1, 2);

	cfg.v6_prefix = 96;
	record(!setup_limits(p96, &cfg) &&
	       !udp_from(p96, "::ffff:198.18.20.1", 2, XG_R_PASS) &&
	       !udp_from(p96, "::ffff:198.18.20.1", 1, XG_R_RATE_UDP) &&
	       !udp_from(p96, "::ffff:198.18.20.2", 2, XG_R_PASS) &&
	       !udp_from(p96, "::ffff:198.18.20.2", 1, XG_R_RATE_UDP) &&
	       !udp_from(p96, "::ffff:198.18.21.1", 2, XG_R_PASS) &&
	       !track_is(p96, 3));
	cfg.v6_prefix = 128;
	record(!setup_limits(p128, &cfg) &&
	       !udp_from(p128, "198.18.20.1", 1, XG_R_PASS) &&
	       !udp_from(p128, "::ffff:198.18.20.1", 1, XG_R_PASS) &&
	       !udp_from(p128, "198.18.20.1", 1, XG_R_RATE_UDP) &&
	       !udp_from(p128, "::ffff:198.18.20.1", 1, XG_R_RATE_UDP) &&
	       !track_is(p128, 1));
}

void run_limits(void)
{
	f_bursts();
	f_classes_apart();
	f_sources();
	f_not_limited();
	f_slot_flip();
	f_refill();
	f_autoban();
	f_deep_chain();
	f_mapped_sources();
}
