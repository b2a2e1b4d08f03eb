// SPDX-License-Identifier: GPL-2.0
/* Packet tests of the allow- and blocklists: host entries and prefixes,
 * allowlist first, expiry, automatic bans, the xg_state.lists bits, one
 * row each; then list hits kept per CPU and the xg_pfx bits.
 */
#include <arpa/inet.h>
#include <sched.h>
#include <stdio.h>

#include "check.h"

/* ---- map setups ---------------------------------------------------------- */

int s_block4(void)
{
	return h_add(1, SRC4, 0);
}

int s_block4_prefix(void)
{
	return h_add(1, "198.18.0.0/24", 0);
}

int s_allow_and_block4(void)
{
	return h_add(1, SRC4, 0) ?: h_add(0, SRC4, 0);
}

static int s_allow_prefix_block_host4(void)
{
	return h_add(1, SRC4, 0) ?: h_add(0, "198.18.0.0/15", 0);
}

int s_block6(void)
{
	return h_add(1, SRC6, 0);
}

int s_block6_prefix(void)
{
	return h_add(1, "2001:db8::/48", 0);
}

static int s_allow6(void)
{
	return h_add(0, SRC6, 0) ?: h_add(1, "2001:db8::/32", 0);
}

static int s_block4_expired(void)
{
	return h_add(1, SRC4, h_boot_ns() - XG_NSEC_PER_SEC);
}

static int s_block4_expired_prefix_live(void)
{
	return h_add(1, SRC4, h_boot_ns() - XG_NSEC_PER_SEC) ?:
		       h_add(1, "198.18.0.0/16", 0);
}

static int s_allow4_expired(void)
{
	return h_add(0, SRC4, h_boot_ns() - XG_NSEC_PER_SEC) ?:
							       h_add(1, SRC4, 0);
}

static int s_block4_future(void)
{
	return h_add(1, SRC4, h_boot_ns() + 3600 * XG_NSEC_PER_SEC);
}

static int s_block6_prefix_future(void)
{
	return h_add(1, "2001:db8::/48", h_boot_ns() + 3600 * XG_NSEC_PER_SEC);
}

/* An expired entry is invisible: the next shorter live prefix matches. */
static int s_block4_expired_longer(void)
{
	return h_add(1, "198.18.0.0/24", 0) ?:
		       h_add(1, "198.18.0.0/28", h_boot_ns() - XG_NSEC_PER_SEC);
}

/* Every length from /25 to /32 expired above a live /24. */
static int s_block4_expired_nested(void)
{
	char cidr[32];
	int len, err = h_add(1, "198.18.0.0/24", 0);

	for (len = 25; len <= 32 && !err; len++) {
		snprintf(cidr, sizeof(cidr), "198.18.0.%d/%d",
			 len == 32 ? 1 : 0, len);
		err = h_add(1, cidr, h_boot_ns() - XG_NSEC_PER_SEC);
	}
	return err;
}

static int s_block4_all_expired(void)
{
	return h_add(1, "198.18.0.0/24", h_boot_ns() - XG_NSEC_PER_SEC) ?:
		       h_add(1, "198.18.0.0/28", h_boot_ns() - XG_NSEC_PER_SEC);
}

static int s_allow4_expired_longer(void)
{
	return h_add(1, SRC4, 0)		    ?:
		       h_add(0, "198.18.0.0/24", 0) ?:
		       h_add(0, "198.18.0.0/28", h_boot_ns() - XG_NSEC_PER_SEC);
}

/* An automatic /64 ban that expired inside the operator's /48. */
static int s_block6_auto_expired_in_prefix(void)
{
	struct xg_entry e = { .expires_ns = h_boot_ns() - XG_NSEC_PER_SEC,
			      .flags = XG_E_AUTO };

	return h_add(1, "2001:db8::/48", 0) ?:
		       h_add_entry(1, "2001:db8::/64", &e, 1);
}

/* A live /32 under expired /40, /48, /56, /64, /96 and /128. */
static int s_block6_expired_nested(void)
{
	static const char *const nest[] = {
		"2001:db8::/40", "2001:db8::/48", "2001:db8::/56",
		"2001:db8::/64", "2001:db8::/96", "2001:db8::1/128",
	};
	size_t i;
	int err = h_add(1, "2001:db8::/32", 0);

	for (i = 0; i < sizeof(nest) / sizeof(nest[0]) && !err; i++)
		err = h_add(1, nest[i], h_boot_ns() - XG_NSEC_PER_SEC);
	return err;
}

static int s_allow6_expired_longer(void)
{
	return h_add(1, SRC6, 0)		    ?:
		       h_add(0, "2001:db8::/32", 0) ?:
		       h_add(0, "2001:db8::/64", h_boot_ns() - XG_NSEC_PER_SEC);
}

static int s_block4_prefix_for_mapped(void)
{
	return h_add(1, "198.18.0.0/24", 0);
}

static int s_block6_mapped_prefix(void)
{
	return h_add(1, "::ffff:0:0/96", 0);
}

/* Another list non-empty, so the program does look at the lists. */
static int s_block4_stale(void)
{
	return h_add(0, "198.18.5.5", 0) ?: h_add_stale(1, SRC4);
}

static int s_block4_stale_prefix(void)
{
	return h_add(1, "198.18.9.9", 0) ?: h_add_stale(1, "198.18.0.0/16");
}

static int s_block6_stale(void)
{
	return h_add(1, "198.18.0.0/15", 0) ?:
		       h_add_stale(1, SRC6) ?:
					      h_add_stale(1, "2001:db8::/32");
}

int s_block4_auto(void)
{
	struct xg_entry e = { .expires_ns =
				      h_boot_ns() + 3600 * XG_NSEC_PER_SEC,
			      .flags = XG_E_AUTO };

	return h_add_entry(1, SRC4, &e, 1);
}

int s_block6_prefix_auto(void)
{
	struct xg_entry e = { .expires_ns =
				      h_boot_ns() + 3600 * XG_NSEC_PER_SEC,
			      .flags = XG_E_AUTO };

	return h_add_entry(1, "2001:db8::/64", &e, 1);
}

static int s_block4_auto_expired(void)
{
	struct xg_entry e = { .expires_ns = h_boot_ns() - XG_NSEC_PER_SEC,
			      .flags = XG_E_AUTO };

	return h_add_entry(1, SRC4, &e, 1);
}

static int s_allow_auto4(void)
{
	return s_block4_auto() ?: h_add(0, SRC4, 0);
}

/* ---- checks after the run ------------------------------------------------ */

static int p_block4_hit(const char *name)
{
	return hits_is(name, 1, SRC4, 1);
}

static int p_block6_prefix_hit(const char *name)
{
	return hits_is(name, 1, "2001:db8::/48", 1);
}

/* The allowlist decides first; the blocklist entry is never reached. */
static int p_allow_first(const char *name)
{
	return hits_is(name, 0, SRC4, 1) ?: hits_is(name, 1, SRC4, 0);
}

static int p_expired_not_hit(const char *name)
{
	return hits_is(name, 1, SRC4, 0);
}

static int p_stale_not_hit(const char *name)
{
	return hits_is(name, 1, SRC4, 0);
}

static int p_stale_prefix_not_hit(const char *name)
{
	return hits_is(name, 1, "198.18.0.0/16", 0);
}

/* ---- the table ----------------------------------------------------------- */

#define B4_TCP_OTHER                                               \
	{                                                          \
		.ip = 4, .proto = IPPROTO_TCP, .src = "198.18.1.1" \
	}
#define B6_TCP_OTHER                                                  \
	{                                                             \
		.ip = 6, .proto = IPPROTO_TCP, .src = "2001:db8:1::1" \
	}
/* ::ffff:198.18.0.1, the IPv4-mapped form of SRC4, over IPv6. */
#define B6_MAPPED                                                         \
	{                                                                 \
		.ip = 6, .proto = IPPROTO_TCP, .src = "::ffff:198.18.0.1" \
	}

static const struct tcase cases[] = {
	{ "blocked /32", B4_TCP, s_block4, 0, D(TCP), XG_R_BLOCKLISTED,
	  p_block4_hit },
	{ "other host not blocked", B4_TCP_OTHER, s_block4, 0, P(TCP),
	  XG_R_PASS, NULL },
	{ "blocked /24",
	  FRAME(.ip = 4, .proto = IPPROTO_TCP, .src = "198.18.0.77"),
	  s_block4_prefix, 0, D(TCP), XG_R_BLOCKLISTED, NULL },
	{ "outside the /24", B4_TCP_OTHER, s_block4_prefix, 0, P(TCP),
	  XG_R_PASS, NULL },
	{ "allowlist beats blocklist", B4_TCP, s_allow_and_block4, 0, P(TCP),
	  XG_R_ALLOWLISTED, p_allow_first },
	{ "allowed /15 beats blocked host", B4_TCP, s_allow_prefix_block_host4,
	  0, P(TCP), XG_R_ALLOWLISTED, NULL },
	{ "allowlisted, malformed l4", B4_TCP_DOFF4, s_allow_and_block4,
	  DROP_MAL, P(TCP), XG_R_ALLOWLISTED, NULL },
	{ "blocklisted, malformed l4", B4_TCP_DOFF4, s_block4, 0, D(TCP),
	  XG_R_BLOCKLISTED, NULL },
	{ "ipv6 blocked host", B6_UDP, s_block6, 0, D(UDP), XG_R_BLOCKLISTED,
	  NULL },
	{ "ipv6 blocked /48",
	  FRAME(.ip = 6, .proto = IPPROTO_TCP, .src = "2001:db8:0:ffff::9"),
	  s_block6_prefix, 0, D(TCP), XG_R_BLOCKLISTED, NULL },
	{ "ipv6 outside the /48", B6_TCP_OTHER, s_block6_prefix, 0, P(TCP),
	  XG_R_PASS, NULL },
	{ "ipv6 allowlisted in a blocked /32", B6_ICMP6, s_allow6, 0, P(ICMP),
	  XG_R_ALLOWLISTED, NULL },
	{ "ipv6 not allowlisted in a blocked /32", B6_TCP_OTHER, s_allow6, 0,
	  D(TCP), XG_R_BLOCKLISTED, NULL },
	{ "ipv4 list does not match ipv6", B6_TCP, s_block4_prefix, 0, P(TCP),
	  XG_R_PASS, NULL },
	{ "expired /28 inside a blocked /24", B4_TCP, s_block4_expired_longer,
	  0, D(TCP), XG_R_BLOCKLISTED, NULL },
	{ "expired /25 to /32 inside a blocked /24", B4_TCP,
	  s_block4_expired_nested, 0, D(TCP), XG_R_BLOCKLISTED, NULL },
	{ "expired /24 and /28: no match", B4_TCP, s_block4_all_expired, 0,
	  P(TCP), XG_R_PASS, NULL },
	{ "expired allowed /28 inside an allowed /24", B4_TCP,
	  s_allow4_expired_longer, 0, P(TCP), XG_R_ALLOWLISTED, NULL },
	{ "expired automatic /64 inside a blocked /48", B6_TCP,
	  s_block6_auto_expired_in_prefix, 0, D(TCP), XG_R_BLOCKLISTED, NULL },
	{ "expired /40 to /128 inside a blocked /32", B6_TCP,
	  s_block6_expired_nested, 0, D(TCP), XG_R_BLOCKLISTED, NULL },
	{ "expired allowed /64 inside an allowed /32", B6_TCP,
	  s_allow6_expired_longer, 0, P(TCP), XG_R_ALLOWLISTED, NULL },
	/* IPv4-mapped IPv6 sources are their IPv4 address */
	{ "ipv4-mapped source, ipv4 host blocked", B6_MAPPED, s_block4, 0,
	  D(TCP), XG_R_BLOCKLISTED, NULL },
	{ "ipv4-mapped source, ipv4 prefix blocked", B6_MAPPED,
	  s_block4_prefix_for_mapped, 0, D(TCP), XG_R_BLOCKLISTED, NULL },
	{ "ipv4-mapped source, ipv4 host allowed", B6_MAPPED,
	  s_allow_and_block4, 0, P(TCP), XG_R_ALLOWLISTED, NULL },
	{ "ipv4-mapped source, ipv6 lists not consulted", B6_MAPPED,
	  s_block6_mapped_prefix, 0, P(TCP), XG_R_PASS, NULL },
	{ "expired block entry", B4_TCP, s_block4_expired, 0, P(TCP), XG_R_PASS,
	  p_expired_not_hit },
	{ "expired host, live prefix", B4_TCP, s_block4_expired_prefix_live, 0,
	  D(TCP), XG_R_BLOCKLISTED, NULL },
	{ "expired allow entry", B4_TCP, s_allow4_expired, 0, D(TCP),
	  XG_R_BLOCKLISTED, NULL },
	{ "future expiry matches", B4_TCP, s_block4_future, 0, D(TCP),
	  XG_R_BLOCKLISTED, p_block4_hit },
	{ "ipv6 prefix with future expiry", B6_TCP, s_block6_prefix_future, 0,
	  D(TCP), XG_R_BLOCKLISTED, p_block6_prefix_hit },
	{ "list bit clear: host entry not consulted", B4_TCP, s_block4_stale, 0,
	  P(TCP), XG_R_PASS, p_stale_not_hit },
	{ "list bit clear: prefix entry not consulted", B4_TCP,
	  s_block4_stale_prefix, 0, P(TCP), XG_R_PASS, p_stale_prefix_not_hit },
	{ "list bits clear: ipv6 entries not consulted", B6_TCP, s_block6_stale,
	  0, P(TCP), XG_R_PASS, NULL },
	{ "automatic ban counts as autoban", B4_TCP, s_block4_auto, 0, D(TCP),
	  XG_R_AUTOBAN, p_block4_hit },
	{ "automatic ban of an ipv6 /64", B6_TCP_IN_64, s_block6_prefix_auto, 0,
	  D(TCP), XG_R_AUTOBAN, NULL },
	{ "expired automatic ban", B4_UDP, s_block4_auto_expired, 0, P(UDP),
	  XG_R_PASS, p_expired_not_hit },
	{ "allowlist beats automatic ban", B4_UDP, s_allow_auto4, 0, P(UDP),
	  XG_R_ALLOWLISTED, NULL },

};

void run_list_cases(void)
{
	run_cases(cases, ARRAY_SIZE(cases));
}

/* ---- xg_pfx: the tries only where a prefix may be ------------------------ */

/* A source whose /24 (IPv6: /32 hash) has no bit skips both tries: with
 * the bit cleared behind the lists' back, a blocked prefix no longer
 * matches; set again, it does. A host entry needs no bit.
 */
static void f_pfx_skip(void)
{
	const char *v4 = "xg_pfx: a clear bit skips the ipv4 tries";
	const char *v6 = "xg_pfx: a clear bit skips the ipv6 tries";
	const char *host = "xg_pfx: host entries do not depend on it";
	struct frame f, g;

	BUILD(&f, FRAME(.ip = 4, .proto = IPPROTO_TCP, .src = "198.18.7.9"));
	BUILD(&g, FRAME(.ip = 6, .proto = IPPROTO_TCP, .src = "2001:db8:7::9"));
	record(!h_reset(0) && !h_add(1, "198.18.7.0/24", 0) &&
	       h_pfx_bit(0, 0xc6120709) == 1 &&
	       !send_expect(v4, &f, 1, XG_C_TCP, XG_R_BLOCKLISTED) &&
	       !h_pfx_clear() && h_pfx_bit(0, 0xc6120709) == 0 &&
	       !send_expect(v4, &f, 1, XG_C_TCP, XG_R_PASS) &&
	       (h_pfx_cover(0, 0xc6120700, 24), 1) &&
	       !send_expect(v4, &f, 1, XG_C_TCP, XG_R_BLOCKLISTED) &&
	       hits_is(v4, 1, "198.18.7.0/24", 2) == 0);
	record(!h_reset(0) && !h_add(0, "2001:db8:7::/48", 0) &&
	       !send_expect(v6, &g, 1, XG_C_TCP, XG_R_ALLOWLISTED) &&
	       !h_pfx_clear() && !send_expect(v6, &g, 1, XG_C_TCP, XG_R_PASS));
	record(!h_reset(0) && !h_add(1, "198.18.7.9", 0) &&
	       !h_add(0, "198.18.9.0/24", 0) && !h_pfx_clear() &&
	       !send_expect(host, &f, 1, XG_C_TCP, XG_R_BLOCKLISTED));
}

/* ---- list hits, per CPU -------------------------------------------------- */

/* A CPU keeps an entry's hits in its xg_hot slot and moves them into the
 * entry every XG_HOT_FLUSH; an entry whose slot another entry holds is
 * counted in the entry at once. Readers see the sum either way.
 */
static void f_hot_hits(void)
{
	const char *flush = "list hits: per-CPU slot, moved every XG_HOT_FLUSH";
	const char *taken = "list hits: a taken slot counts in the entry";
	const char *again =
		"list hits: a new entry of the same key starts at 0";
	struct frame f, g;
	char a[32], b[32];
	struct xg_entry e;
	uint32_t x, y, ka = 0, kb = 0;
	cpu_set_t one, all;
	int ok, pinned;

	/* one CPU for both runs: the slots are per CPU */
	CPU_ZERO(&one);
	CPU_SET(sched_getcpu() < 0 ? 0 : sched_getcpu(), &one);
	pinned = !sched_getaffinity(0, sizeof(all), &all) &&
		 !sched_setaffinity(0, sizeof(one), &one);
	BUILD(&f, B4_TCP);
	ok = !h_reset(0) && !h_add(1, SRC4, 0) &&
	     h_run_n(&f, XG_HOT_FLUSH + 5) == XDP_DROP &&
	     !h_entry_raw(1, SRC4, &e) && h_hits(1, SRC4) == XG_HOT_FLUSH + 5;
	if (ok && e.hits != XG_HOT_FLUSH) {
		fail(flush, "the entry holds %llu hits, want %u",
		     (unsigned long long)e.hits, XG_HOT_FLUSH);
		ok = 0;
	}
	record(ok);

	/* two blocked hosts whose entries (with their ids) share a slot */
	ok = !h_reset(0);
	for (x = 1; ok && x < 250; x++) {
		snprintf(a, sizeof(a), "198.18.0.%u", x);
		ok = !h_add(1, a, 0);
	}
	for (x = 1; ok && x < 250 && !kb; x++) {
		snprintf(a, sizeof(a), "198.18.0.%u", x);
		ok = !h_entry_raw(1, a, &e);
		ka = xg_hot_tag(XG_L_BLOCK4 | XG_E_ID(e.flags) << XG_E_ID_SHIFT,
				32, htonl(0xc6120000U | x), 0, 0, 0) >>
		     58;
		for (y = x + 1; ok && y < 250; y++) {
			snprintf(b, sizeof(b), "198.18.0.%u", y);
			ok = !h_entry_raw(1, b, &e);
			if (ok &&
			    xg_hot_tag(XG_L_BLOCK4 | XG_E_ID(e.flags)
							     << XG_E_ID_SHIFT,
				       32, htonl(0xc6120000U | y), 0, 0,
				       0) >> 58 ==
				    ka) {
				kb = y;
				break;
			}
		}
		if (kb)
			break;
	}
	snprintf(a, sizeof(a), "198.18.0.%u", x);
	snprintf(b, sizeof(b), "198.18.0.%u", kb);
	BUILD(&f, FRAME(.ip = 4, .proto = IPPROTO_TCP, .src = a));
	BUILD(&g, FRAME(.ip = 4, .proto = IPPROTO_TCP, .src = b));
	ok = ok && kb && h_run_n(&f, 3) == XDP_DROP &&
	     h_run_n(&g, 2) == XDP_DROP && !h_entry_raw(1, b, &e) &&
	     e.hits == 2 && h_hits(1, a) == 3 && !h_entry_raw(1, a, &e) &&
	     e.hits == 0;
	if (!ok)
		fail(taken, "%s and %s: hits %lld and %lld", a, b,
		     (long long)h_hits(1, a), (long long)h_hits(1, b));
	record(ok);

	/* an entry added again is a new entry: what a CPU holds for the
	 * old one is not its own
	 */
	BUILD(&f, B4_TCP);
	record(!h_reset(0) && !h_add(1, SRC4, 0) &&
	       h_run_n(&f, 5) == XDP_DROP && h_hits(1, SRC4) == 5 &&
	       !h_add(1, SRC4, 0) && h_hits(1, SRC4) == 0 &&
	       h_run_n(&f, 2) == XDP_DROP && hits_is(again, 1, SRC4, 2) == 0);
	if (pinned)
		sched_setaffinity(0, sizeof(all), &all);
}

void run_lists(void)
{
	f_hot_hits();
	f_pfx_skip();
}
