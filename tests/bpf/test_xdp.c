// SPDX-License-Identifier: GPL-2.0
/* Packet tests for the XDP program: one table of frames with the verdict,
 * class and reason each must get, every truncation of a few frames, then
 * sequences for the rate limits and automatic bans, on the program's
 * test clock (h_advance()), so nothing sleeps and the counts do not
 * depend on the machine's speed.
 * `test_xdp --bench` prints the program size and ns per packet instead.
 */
#include <arpa/inet.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <netinet/in.h>

#include "harness.h"
#include "pkt.h"
#include "xg_abi.h"

#define SRC4 "198.18.0.1"
#define TCP_SYN 0x02
#define TCP_ACK 0x10
#define SRC6 "2001:db8::1"
#define IP_MF 0x2000
#define SEC_NS 1000000000ULL

static int passed, failed;
/* Set while the table and the cuts run again with drop events on. */
static int events_mode;

static void fail(const char *name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void fail(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("FAIL %s%s: ", name, events_mode ? " (events on)" : "");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

/* ---- frames -------------------------------------------------------------- */

static void tcp4(struct frame *f, const char *src, int ihl, int doff)
{
	put_eth(f, ETH_P_IP);
	put_ipv4(f, src, IPPROTO_TCP, ihl, 0);
	put_tcp(f, doff);
	ip_end(f);
}

static void b_arp(struct frame *f)
{
	put_eth(f, ETH_P_ARP);
	put_zero(f, 28);
}

static void b_vlan_cut(struct frame *f)
{
	put_eth(f, ETH_P_8021Q);
}

static void b_vlan_tcp(struct frame *f)
{
	put_eth(f, ETH_P_8021Q);
	put_vlan(f, 100, ETH_P_IP);
	put_ipv4(f, SRC4, IPPROTO_TCP, 5, 0);
	put_tcp(f, 5);
	ip_end(f);
}

static void b_qinq_udp(struct frame *f)
{
	put_eth(f, ETH_P_8021AD);
	put_vlan(f, 100, ETH_P_8021Q);
	put_vlan(f, 200, ETH_P_IP);
	put_ipv4(f, SRC4, IPPROTO_UDP, 5, 0);
	put_udp(f);
	ip_end(f);
}

static void b_qinq_udp6(struct frame *f)
{
	put_eth(f, ETH_P_8021AD);
	put_vlan(f, 100, ETH_P_8021Q);
	put_vlan(f, 200, ETH_P_IPV6);
	put_ipv6(f, SRC6, IPPROTO_UDP);
	put_udp(f);
	ip_end(f);
}

static void b_three_tags(struct frame *f)
{
	put_eth(f, ETH_P_8021AD);
	put_vlan(f, 100, ETH_P_8021Q);
	put_vlan(f, 200, ETH_P_8021Q);
	put_vlan(f, 300, ETH_P_IP);
	put_ipv4(f, SRC4, IPPROTO_UDP, 5, 0);
	put_udp(f);
	ip_end(f);
}

static void b4_tcp(struct frame *f)
{
	tcp4(f, SRC4, 5, 5);
}

static void b4_tcp_other_src(struct frame *f)
{
	tcp4(f, "198.18.1.1", 5, 5);
}

static void b4_tcp_in_prefix(struct frame *f)
{
	tcp4(f, "198.18.0.77", 5, 5);
}

static void b4_udp(struct frame *f)
{
	put_eth(f, ETH_P_IP);
	put_ipv4(f, SRC4, IPPROTO_UDP, 5, 0);
	put_udp(f);
	ip_end(f);
}

static void b4_icmp(struct frame *f)
{
	put_eth(f, ETH_P_IP);
	put_ipv4(f, SRC4, IPPROTO_ICMP, 5, 0);
	put_icmp(f, 8);
	ip_end(f);
}

static void b4_gre(struct frame *f)
{
	put_eth(f, ETH_P_IP);
	put_ipv4(f, SRC4, IPPROTO_GRE, 5, 0);
	put_zero(f, 4);
	ip_end(f);
}

/* AH over IPv4 (RFC 4302): a protocol like any other, not the IPv6
 * extension header of the same number.
 */
static void b4_ah(struct frame *f)
{
	put_eth(f, ETH_P_IP);
	put_ipv4(f, SRC4, IPPROTO_AH, 5, 0);
	put_zero(f, 12);
	ip_end(f);
}

static void b4_icmpv6_proto(struct frame *f)
{
	put_eth(f, ETH_P_IP);
	put_ipv4(f, SRC4, IPPROTO_ICMPV6, 5, 0);
	put_icmp(f, 128);
	ip_end(f);
}

static void b4_ihl6(struct frame *f)
{
	tcp4(f, SRC4, 6, 5);
}

static void b4_ihl15(struct frame *f)
{
	tcp4(f, SRC4, 15, 8);
}

static void b4_ihl4(struct frame *f)
{
	tcp4(f, SRC4, 4, 5);
}

static void b4_version6(struct frame *f)
{
	tcp4(f, SRC4, 5, 5);
	f->buf[ETH_HLEN] = 0x65;
}

static void b4_totlen_big(struct frame *f)
{
	tcp4(f, SRC4, 5, 5);
	set_ip_len(f, f->len - ETH_HLEN + 1);
}

static void b4_totlen_lt_hdr(struct frame *f)
{
	tcp4(f, SRC4, 5, 5);
	set_ip_len(f, 19);
}

static void b4_totlen_lt_ihl(struct frame *f)
{
	tcp4(f, SRC4, 6, 5);
	set_ip_len(f, 20);
}

/* A 54-byte SYN padded to Ethernet's minimum 60. */
static void b4_padded(struct frame *f)
{
	tcp4(f, SRC4, 5, 5);
	put_zero(f, 6);
}

/* The UDP header is in the frame, but beyond what tot_len covers. */
static void b4_udp_past_totlen(struct frame *f)
{
	b4_udp(f);
	set_ip_len(f, 24);
}

static void b4_frag_first(struct frame *f)
{
	put_eth(f, ETH_P_IP);
	put_ipv4(f, SRC4, IPPROTO_TCP, 5, IP_MF);
	put_tcp(f, 5);
	put_zero(f, 16);
	ip_end(f);
}

static void b4_frag_first_cut(struct frame *f)
{
	put_eth(f, ETH_P_IP);
	put_ipv4(f, SRC4, IPPROTO_TCP, 5, IP_MF);
	put_zero(f, 8);
	ip_end(f);
}

/* Eight payload bytes that would be a TCP header with doff 0. */
static void b4_frag_later(struct frame *f)
{
	put_eth(f, ETH_P_IP);
	put_ipv4(f, SRC4, IPPROTO_TCP, 5, 100);
	put_zero(f, 8);
	ip_end(f);
}

static void b4_tcp_doff4(struct frame *f)
{
	tcp4(f, SRC4, 5, 4);
}

static void b4_tcp_doff_past_end(struct frame *f)
{
	tcp4(f, SRC4, 5, 5);
	f->buf[f->len - 20 + 12] = 15 << 4;
}

static void b4_tcp_cut(struct frame *f)
{
	put_eth(f, ETH_P_IP);
	put_ipv4(f, SRC4, IPPROTO_TCP, 5, 0);
	put_zero(f, 19);
	ip_end(f);
}

static void b4_udp_cut(struct frame *f)
{
	put_eth(f, ETH_P_IP);
	put_ipv4(f, SRC4, IPPROTO_UDP, 5, 0);
	put_zero(f, 7);
	ip_end(f);
}

static void b4_icmp_cut(struct frame *f)
{
	put_eth(f, ETH_P_IP);
	put_ipv4(f, SRC4, IPPROTO_ICMP, 5, 0);
	put_zero(f, 4);
	ip_end(f);
}

static void l4_6(struct frame *f, uint8_t proto)
{
	if (proto == IPPROTO_TCP)
		put_tcp(f, 5);
	else if (proto == IPPROTO_UDP)
		put_udp(f);
	else if (proto == IPPROTO_ICMPV6 || proto == IPPROTO_ICMP)
		put_icmp(f, 128);
}

static void plain6(struct frame *f, const char *src, uint8_t proto)
{
	put_eth(f, ETH_P_IPV6);
	put_ipv6(f, src, proto);
	l4_6(f, proto);
	ip_end(f);
}

static void b6_tcp(struct frame *f)
{
	plain6(f, SRC6, IPPROTO_TCP);
}

static void b6_tcp_other_src(struct frame *f)
{
	plain6(f, "2001:db8:1::1", IPPROTO_TCP);
}

static void b6_tcp_in_prefix(struct frame *f)
{
	plain6(f, "2001:db8:0:ffff::9", IPPROTO_TCP);
}

static void b6_tcp_in_prefix_64(struct frame *f)
{
	plain6(f, "2001:db8::ffff:1", IPPROTO_TCP);
}

/* ::ffff:198.18.0.1, the IPv4-mapped form of SRC4, over IPv6. */
#define SRC4_MAPPED "::ffff:198.18.0.1"

static void b6_tcp_mapped(struct frame *f)
{
	plain6(f, SRC4_MAPPED, IPPROTO_TCP);
}

static void b6_udp(struct frame *f)
{
	plain6(f, SRC6, IPPROTO_UDP);
}

static void b6_icmp6(struct frame *f)
{
	plain6(f, SRC6, IPPROTO_ICMPV6);
}

static void b6_icmp4_proto(struct frame *f)
{
	plain6(f, SRC6, IPPROTO_ICMP);
}

static void b6_no_next(struct frame *f)
{
	plain6(f, SRC6, 59);
}

static void b6_icmp6_cut(struct frame *f)
{
	put_eth(f, ETH_P_IPV6);
	put_ipv6(f, SRC6, IPPROTO_ICMPV6);
	put_zero(f, 4);
	ip_end(f);
}

static void b6_udp_cut(struct frame *f)
{
	put_eth(f, ETH_P_IPV6);
	put_ipv6(f, SRC6, IPPROTO_UDP);
	put_zero(f, 4);
	ip_end(f);
}

static void b6_version4(struct frame *f)
{
	b6_tcp(f);
	f->buf[ETH_HLEN] = 0x40;
}

static void b6_payload_big(struct frame *f)
{
	b6_tcp(f);
	set_ip_len(f, 21);
}

static void b6_chain(struct frame *f)
{
	put_eth(f, ETH_P_IPV6);
	put_ipv6(f, SRC6, IPPROTO_HOPOPTS);
	put_ext6(f, IPPROTO_ROUTING, 0);
	put_ext6(f, IPPROTO_DSTOPTS, 2);
	put_ext6(f, IPPROTO_TCP, 1);
	put_tcp(f, 6);
	ip_end(f);
}

static void b6_chain_tcp_cut(struct frame *f)
{
	put_eth(f, ETH_P_IPV6);
	put_ipv6(f, SRC6, IPPROTO_HOPOPTS);
	put_ext6(f, IPPROTO_ROUTING, 0);
	put_ext6(f, IPPROTO_TCP, 0);
	put_zero(f, 12);
	ip_end(f);
}

static void b6_ah(struct frame *f)
{
	put_eth(f, ETH_P_IPV6);
	put_ipv6(f, SRC6, IPPROTO_AH);
	put_ah6(f, IPPROTO_UDP, 4);
	put_udp(f);
	ip_end(f);
}

/* Hop-by-hop claiming 40 bytes with 8 in the packet. */
static void b6_ext_overrun(struct frame *f)
{
	put_eth(f, ETH_P_IPV6);
	put_ipv6(f, SRC6, IPPROTO_HOPOPTS);
	put_ext6(f, IPPROTO_TCP, 0);
	f->buf[f->len - 7] = 4;
	ip_end(f);
}

static void dstopts_chain(struct frame *f, int n)
{
	int i;

	put_eth(f, ETH_P_IPV6);
	put_ipv6(f, SRC6, IPPROTO_DSTOPTS);
	for (i = 1; i <= n; i++)
		put_ext6(f, i == n ? IPPROTO_TCP : IPPROTO_DSTOPTS, 0);
	put_tcp(f, 5);
	ip_end(f);
}

static void b6_eight_ext(struct frame *f)
{
	dstopts_chain(f, 8);
}

static void b6_nine_ext(struct frame *f)
{
	dstopts_chain(f, 9);
}

static void b6_frag_first(struct frame *f)
{
	put_eth(f, ETH_P_IPV6);
	put_ipv6(f, SRC6, IPPROTO_FRAGMENT);
	put_frag6(f, IPPROTO_UDP, 0, 1);
	put_udp(f);
	put_zero(f, 16);
	ip_end(f);
}

static void b6_frag_later(struct frame *f)
{
	put_eth(f, ETH_P_IPV6);
	put_ipv6(f, SRC6, IPPROTO_HOPOPTS);
	put_ext6(f, IPPROTO_FRAGMENT, 0);
	put_frag6(f, IPPROTO_TCP, 100, 0);
	put_zero(f, 4);
	ip_end(f);
}

/* ---- map setups ---------------------------------------------------------- */

static int s_block4(void)
{
	return h_add(1, SRC4, 0);
}

static int s_block4_prefix(void)
{
	return h_add(1, "198.18.0.0/24", 0);
}

static int s_allow_and_block4(void)
{
	return h_add(1, SRC4, 0) ?: h_add(0, SRC4, 0);
}

static int s_allow_prefix_block_host4(void)
{
	return h_add(1, SRC4, 0) ?: h_add(0, "198.18.0.0/15", 0);
}

static int s_block6(void)
{
	return h_add(1, SRC6, 0);
}

static int s_block6_prefix(void)
{
	return h_add(1, "2001:db8::/48", 0);
}

static int s_allow6(void)
{
	return h_add(0, SRC6, 0) ?: h_add(1, "2001:db8::/32", 0);
}

static int s_block4_expired(void)
{
	return h_add(1, SRC4, h_boot_ns() - SEC_NS);
}

static int s_block4_expired_prefix_live(void)
{
	return h_add(1, SRC4, h_boot_ns() - SEC_NS) ?:
		       h_add(1, "198.18.0.0/16", 0);
}

static int s_allow4_expired(void)
{
	return h_add(0, SRC4, h_boot_ns() - SEC_NS) ?: h_add(1, SRC4, 0);
}

static int s_block4_future(void)
{
	return h_add(1, SRC4, h_boot_ns() + 3600 * SEC_NS);
}

static int s_block6_prefix_future(void)
{
	return h_add(1, "2001:db8::/48", h_boot_ns() + 3600 * SEC_NS);
}

/* An expired entry is invisible: the next shorter live prefix matches. */
static int s_block4_expired_longer(void)
{
	return h_add(1, "198.18.0.0/24", 0) ?:
		       h_add(1, "198.18.0.0/28", h_boot_ns() - SEC_NS);
}

/* Every length from /25 to /32 expired above a live /24. */
static int s_block4_expired_nested(void)
{
	char cidr[32];
	int len, err = h_add(1, "198.18.0.0/24", 0);

	for (len = 25; len <= 32 && !err; len++) {
		snprintf(cidr, sizeof(cidr), "198.18.0.%d/%d",
			 len == 32 ? 1 : 0, len);
		err = h_add(1, cidr, h_boot_ns() - SEC_NS);
	}
	return err;
}

static int s_block4_all_expired(void)
{
	return h_add(1, "198.18.0.0/24", h_boot_ns() - SEC_NS) ?:
		       h_add(1, "198.18.0.0/28", h_boot_ns() - SEC_NS);
}

static int s_allow4_expired_longer(void)
{
	return h_add(1, SRC4, 0)		    ?:
		       h_add(0, "198.18.0.0/24", 0) ?:
		       h_add(0, "198.18.0.0/28", h_boot_ns() - SEC_NS);
}

/* An automatic /64 ban that expired inside the operator's /48. */
static int s_block6_auto_expired_in_prefix(void)
{
	struct xg_entry e = { .expires_ns = h_boot_ns() - SEC_NS,
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
		err = h_add(1, nest[i], h_boot_ns() - SEC_NS);
	return err;
}

static int s_allow6_expired_longer(void)
{
	return h_add(1, SRC6, 0)		    ?:
		       h_add(0, "2001:db8::/32", 0) ?:
		       h_add(0, "2001:db8::/64", h_boot_ns() - SEC_NS);
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

static int s_block4_auto(void)
{
	struct xg_entry e = { .expires_ns = h_boot_ns() + 3600 * SEC_NS,
			      .flags = XG_E_AUTO };

	return h_add_entry(1, SRC4, &e, 1);
}

static int s_block6_prefix_auto(void)
{
	struct xg_entry e = { .expires_ns = h_boot_ns() + 3600 * SEC_NS,
			      .flags = XG_E_AUTO };

	return h_add_entry(1, "2001:db8::/64", &e, 1);
}

static int s_block4_auto_expired(void)
{
	struct xg_entry e = { .expires_ns = h_boot_ns() - SEC_NS,
			      .flags = XG_E_AUTO };

	return h_add_entry(1, SRC4, &e, 1);
}

static int s_allow_auto4(void)
{
	return s_block4_auto() ?: h_add(0, SRC4, 0);
}

static int s_defaults_block4(void)
{
	return s_defaults() ?: h_add(1, SRC4, 0);
}

/* ---- checks after the run ------------------------------------------------ */

static int hits_is(const char *name, int block, const char *cidr, int64_t want)
{
	int64_t got = h_hits(block, cidr);

	if (got == want)
		return 0;
	fail(name, "%s list entry %s has %lld hits, want %lld",
	     block ? "block" : "allow", cidr, (long long)got, (long long)want);
	return -1;
}

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

#define DROP_MAL XG_CFG_DROP_MALFORMED

struct tcase {
	const char *name;
	void (*build)(struct frame *f);
	int (*setup)(void);
	uint32_t flags; /* xg_config.flags */
	int verdict;
	int class;
	int reason;
	int (*post)(const char *name);
};

#define P(class) XDP_PASS, XG_C_##class
#define D(class) XDP_DROP, XG_C_##class

static const struct tcase cases[] = {
	/* L2 */
	{ "arp is non-ip", b_arp, NULL, 0, P(NON_IP), XG_R_PASS, NULL },
	{ "arp with drop-malformed", b_arp, NULL, DROP_MAL, P(NON_IP),
	  XG_R_PASS, NULL },
	{ "vlan tag cut off", b_vlan_cut, NULL, 0, P(NON_IP), XG_R_MALFORMED,
	  NULL },
	{ "vlan tag cut off, drop-malformed", b_vlan_cut, NULL, DROP_MAL,
	  D(NON_IP), XG_R_MALFORMED, NULL },
	{ "vlan ipv4 tcp", b_vlan_tcp, NULL, 0, P(TCP), XG_R_PASS, NULL },
	{ "vlan ipv4 tcp blocked", b_vlan_tcp, s_block4, 0, D(TCP),
	  XG_R_BLOCKLISTED, NULL },
	{ "qinq ipv4 udp", b_qinq_udp, NULL, 0, P(UDP), XG_R_PASS, NULL },
	{ "qinq ipv4 udp blocked", b_qinq_udp, s_block4_prefix, 0, D(UDP),
	  XG_R_BLOCKLISTED, NULL },
	{ "qinq ipv6 udp blocked", b_qinq_udp6, s_block6, 0, D(UDP),
	  XG_R_BLOCKLISTED, NULL },
	{ "three vlan tags are not ip", b_three_tags, s_block4, 0, P(NON_IP),
	  XG_R_PASS, NULL },

	/* IPv4 */
	{ "ipv4 tcp", b4_tcp, NULL, 0, P(TCP), XG_R_PASS, NULL },
	{ "ipv4 udp", b4_udp, NULL, 0, P(UDP), XG_R_PASS, NULL },
	{ "ipv4 icmp", b4_icmp, NULL, 0, P(ICMP), XG_R_PASS, NULL },
	{ "ipv4 ah is other-ip, not an ipv6 chain", b4_ah, NULL, DROP_MAL,
	  P(OTHER_IP), XG_R_PASS, NULL },
	{ "ipv4 gre is other-ip", b4_gre, NULL, 0, P(OTHER_IP), XG_R_PASS,
	  NULL },
	{ "ipv4 carrying icmpv6 is other-ip", b4_icmpv6_proto, NULL, 0,
	  P(OTHER_IP), XG_R_PASS, NULL },
	{ "ipv4 ihl 6", b4_ihl6, NULL, 0, P(TCP), XG_R_PASS, NULL },
	{ "ipv4 ihl 15, tcp options", b4_ihl15, NULL, 0, P(TCP), XG_R_PASS,
	  NULL },
	{ "ipv4 ihl 4", b4_ihl4, NULL, 0, P(OTHER_IP), XG_R_MALFORMED, NULL },
	{ "ipv4 ihl 4, drop-malformed", b4_ihl4, NULL, DROP_MAL, D(OTHER_IP),
	  XG_R_MALFORMED, NULL },
	{ "ipv4 ethertype, version 6", b4_version6, NULL, 0, P(OTHER_IP),
	  XG_R_MALFORMED, NULL },
	{ "ipv4 tot_len past the frame", b4_totlen_big, NULL, 0, P(OTHER_IP),
	  XG_R_MALFORMED, NULL },
	{ "ipv4 tot_len under 20", b4_totlen_lt_hdr, NULL, 0, P(OTHER_IP),
	  XG_R_MALFORMED, NULL },
	{ "ipv4 tot_len under ihl*4", b4_totlen_lt_ihl, NULL, 0, P(OTHER_IP),
	  XG_R_MALFORMED, NULL },
	/* the header is there, so is its source: the lists see it */
	{ "ipv4 bad length from a blocked source", b4_totlen_big, s_block4, 0,
	  D(OTHER_IP), XG_R_BLOCKLISTED, NULL },
	{ "ipv4 bad length from an allowed source", b4_totlen_big,
	  s_allow_and_block4, DROP_MAL, P(OTHER_IP), XG_R_ALLOWLISTED, NULL },
	{ "ipv4 tcp in a padded frame", b4_padded, NULL, 0, P(TCP), XG_R_PASS,
	  NULL },
	{ "ipv4 udp header past tot_len", b4_udp_past_totlen, NULL, 0, P(UDP),
	  XG_R_MALFORMED, NULL },
	{ "ipv4 first fragment", b4_frag_first, NULL, 0, P(TCP), XG_R_PASS,
	  NULL },
	{ "ipv4 first fragment, tcp cut", b4_frag_first_cut, NULL, 0, P(TCP),
	  XG_R_MALFORMED, NULL },
	{ "ipv4 later fragment skips l4", b4_frag_later, NULL, DROP_MAL, P(TCP),
	  XG_R_PASS, NULL },
	{ "ipv4 later fragment, blocked host", b4_frag_later, s_block4, 0,
	  D(TCP), XG_R_BLOCKLISTED, NULL },
	{ "ipv4 later fragment, blocked prefix", b4_frag_later, s_block4_prefix,
	  0, D(TCP), XG_R_BLOCKLISTED, NULL },
	{ "ipv4 tcp doff 4", b4_tcp_doff4, NULL, 0, P(TCP), XG_R_MALFORMED,
	  NULL },
	{ "ipv4 tcp doff 4, drop-malformed", b4_tcp_doff4, NULL, DROP_MAL,
	  D(TCP), XG_R_MALFORMED, NULL },
	{ "ipv4 tcp doff past the end", b4_tcp_doff_past_end, NULL, 0, P(TCP),
	  XG_R_MALFORMED, NULL },
	{ "ipv4 tcp cut", b4_tcp_cut, NULL, 0, P(TCP), XG_R_MALFORMED, NULL },
	{ "ipv4 udp cut", b4_udp_cut, NULL, 0, P(UDP), XG_R_MALFORMED, NULL },
	{ "ipv4 icmp cut", b4_icmp_cut, NULL, DROP_MAL, D(ICMP), XG_R_MALFORMED,
	  NULL },

	/* IPv6 */
	{ "ipv6 tcp", b6_tcp, NULL, 0, P(TCP), XG_R_PASS, NULL },
	{ "ipv6 udp", b6_udp, NULL, 0, P(UDP), XG_R_PASS, NULL },
	{ "ipv6 icmpv6", b6_icmp6, NULL, 0, P(ICMP), XG_R_PASS, NULL },
	{ "ipv6 carrying icmp is other-ip", b6_icmp4_proto, NULL, 0,
	  P(OTHER_IP), XG_R_PASS, NULL },
	{ "ipv6 no next header", b6_no_next, NULL, 0, P(OTHER_IP), XG_R_PASS,
	  NULL },
	{ "ipv6 icmpv6 cut", b6_icmp6_cut, NULL, 0, P(ICMP), XG_R_MALFORMED,
	  NULL },
	{ "ipv6 udp cut", b6_udp_cut, NULL, DROP_MAL, D(UDP), XG_R_MALFORMED,
	  NULL },
	{ "ipv6 ethertype, version 4", b6_version4, NULL, 0, P(OTHER_IP),
	  XG_R_MALFORMED, NULL },
	{ "ipv6 payload_len past the frame", b6_payload_big, NULL, 0,
	  P(OTHER_IP), XG_R_MALFORMED, NULL },
	{ "ipv6 hop-by-hop, routing, dest-opts, tcp", b6_chain, NULL, 0, P(TCP),
	  XG_R_PASS, NULL },
	{ "ipv6 ext chain, tcp cut", b6_chain_tcp_cut, NULL, 0, P(TCP),
	  XG_R_MALFORMED, NULL },
	{ "ipv6 ext chain, blocked", b6_chain, s_block6, 0, D(TCP),
	  XG_R_BLOCKLISTED, NULL },
	{ "ipv6 ah, udp", b6_ah, NULL, 0, P(UDP), XG_R_PASS, NULL },
	{ "ipv6 ext header past payload", b6_ext_overrun, NULL, 0, P(OTHER_IP),
	  XG_R_MALFORMED, NULL },
	{ "ipv6 eight ext headers", b6_eight_ext, NULL, 0, P(TCP), XG_R_PASS,
	  NULL },
	/* Too long to walk: no upper layer seen, so malformed (it meets
	 * the limits; f_deep_chain()).
	 */
	{ "ipv6 nine ext headers are malformed", b6_nine_ext, NULL, 0,
	  P(OTHER_IP), XG_R_MALFORMED, NULL },
	{ "ipv6 nine ext headers, drop-malformed", b6_nine_ext, NULL, DROP_MAL,
	  D(OTHER_IP), XG_R_MALFORMED, NULL },
	{ "ipv6 nine ext headers, still blocked", b6_nine_ext, s_block6, 0,
	  D(OTHER_IP), XG_R_BLOCKLISTED, NULL },
	{ "ipv6 first fragment", b6_frag_first, NULL, 0, P(UDP), XG_R_PASS,
	  NULL },
	{ "ipv6 later fragment skips l4", b6_frag_later, NULL, DROP_MAL, P(TCP),
	  XG_R_PASS, NULL },
	{ "ipv6 later fragment, blocked host", b6_frag_later, s_block6, 0,
	  D(TCP), XG_R_BLOCKLISTED, NULL },
	{ "ipv6 later fragment, blocked prefix", b6_frag_later, s_block6_prefix,
	  0, D(TCP), XG_R_BLOCKLISTED, NULL },

	/* lists */
	{ "blocked /32", b4_tcp, s_block4, 0, D(TCP), XG_R_BLOCKLISTED,
	  p_block4_hit },
	{ "other host not blocked", b4_tcp_other_src, s_block4, 0, P(TCP),
	  XG_R_PASS, NULL },
	{ "blocked /24", b4_tcp_in_prefix, s_block4_prefix, 0, D(TCP),
	  XG_R_BLOCKLISTED, NULL },
	{ "outside the /24", b4_tcp_other_src, s_block4_prefix, 0, P(TCP),
	  XG_R_PASS, NULL },
	{ "allowlist beats blocklist", b4_tcp, s_allow_and_block4, 0, P(TCP),
	  XG_R_ALLOWLISTED, p_allow_first },
	{ "allowed /15 beats blocked host", b4_tcp, s_allow_prefix_block_host4,
	  0, P(TCP), XG_R_ALLOWLISTED, NULL },
	{ "allowlisted, malformed l4", b4_tcp_doff4, s_allow_and_block4,
	  DROP_MAL, P(TCP), XG_R_ALLOWLISTED, NULL },
	{ "blocklisted, malformed l4", b4_tcp_doff4, s_block4, 0, D(TCP),
	  XG_R_BLOCKLISTED, NULL },
	{ "ipv6 blocked host", b6_udp, s_block6, 0, D(UDP), XG_R_BLOCKLISTED,
	  NULL },
	{ "ipv6 blocked /48", b6_tcp_in_prefix, s_block6_prefix, 0, D(TCP),
	  XG_R_BLOCKLISTED, NULL },
	{ "ipv6 outside the /48", b6_tcp_other_src, s_block6_prefix, 0, P(TCP),
	  XG_R_PASS, NULL },
	{ "ipv6 allowlisted in a blocked /32", b6_icmp6, s_allow6, 0, P(ICMP),
	  XG_R_ALLOWLISTED, NULL },
	{ "ipv6 not allowlisted in a blocked /32", b6_tcp_other_src, s_allow6,
	  0, D(TCP), XG_R_BLOCKLISTED, NULL },
	{ "ipv4 list does not match ipv6", b6_tcp, s_block4_prefix, 0, P(TCP),
	  XG_R_PASS, NULL },
	{ "expired /28 inside a blocked /24", b4_tcp, s_block4_expired_longer,
	  0, D(TCP), XG_R_BLOCKLISTED, NULL },
	{ "expired /25 to /32 inside a blocked /24", b4_tcp,
	  s_block4_expired_nested, 0, D(TCP), XG_R_BLOCKLISTED, NULL },
	{ "expired /24 and /28: no match", b4_tcp, s_block4_all_expired, 0,
	  P(TCP), XG_R_PASS, NULL },
	{ "expired allowed /28 inside an allowed /24", b4_tcp,
	  s_allow4_expired_longer, 0, P(TCP), XG_R_ALLOWLISTED, NULL },
	{ "expired automatic /64 inside a blocked /48", b6_tcp,
	  s_block6_auto_expired_in_prefix, 0, D(TCP), XG_R_BLOCKLISTED, NULL },
	{ "expired /40 to /128 inside a blocked /32", b6_tcp,
	  s_block6_expired_nested, 0, D(TCP), XG_R_BLOCKLISTED, NULL },
	{ "expired allowed /64 inside an allowed /32", b6_tcp,
	  s_allow6_expired_longer, 0, P(TCP), XG_R_ALLOWLISTED, NULL },
	/* IPv4-mapped IPv6 sources are their IPv4 address */
	{ "ipv4-mapped source, ipv4 host blocked", b6_tcp_mapped, s_block4, 0,
	  D(TCP), XG_R_BLOCKLISTED, NULL },
	{ "ipv4-mapped source, ipv4 prefix blocked", b6_tcp_mapped,
	  s_block4_prefix_for_mapped, 0, D(TCP), XG_R_BLOCKLISTED, NULL },
	{ "ipv4-mapped source, ipv4 host allowed", b6_tcp_mapped,
	  s_allow_and_block4, 0, P(TCP), XG_R_ALLOWLISTED, NULL },
	{ "ipv4-mapped source, ipv6 lists not consulted", b6_tcp_mapped,
	  s_block6_mapped_prefix, 0, P(TCP), XG_R_PASS, NULL },
	{ "expired block entry", b4_tcp, s_block4_expired, 0, P(TCP), XG_R_PASS,
	  p_expired_not_hit },
	{ "expired host, live prefix", b4_tcp, s_block4_expired_prefix_live, 0,
	  D(TCP), XG_R_BLOCKLISTED, NULL },
	{ "expired allow entry", b4_tcp, s_allow4_expired, 0, D(TCP),
	  XG_R_BLOCKLISTED, NULL },
	{ "future expiry matches", b4_tcp, s_block4_future, 0, D(TCP),
	  XG_R_BLOCKLISTED, p_block4_hit },
	{ "ipv6 prefix with future expiry", b6_tcp, s_block6_prefix_future, 0,
	  D(TCP), XG_R_BLOCKLISTED, p_block6_prefix_hit },
	{ "list bit clear: host entry not consulted", b4_tcp, s_block4_stale, 0,
	  P(TCP), XG_R_PASS, p_stale_not_hit },
	{ "list bit clear: prefix entry not consulted", b4_tcp,
	  s_block4_stale_prefix, 0, P(TCP), XG_R_PASS, p_stale_prefix_not_hit },
	{ "list bits clear: ipv6 entries not consulted", b6_tcp, s_block6_stale,
	  0, P(TCP), XG_R_PASS, NULL },
	{ "automatic ban counts as autoban", b4_tcp, s_block4_auto, 0, D(TCP),
	  XG_R_AUTOBAN, p_block4_hit },
	{ "automatic ban of an ipv6 /64", b6_tcp_in_prefix_64,
	  s_block6_prefix_auto, 0, D(TCP), XG_R_AUTOBAN, NULL },
	{ "expired automatic ban", b4_udp, s_block4_auto_expired, 0, P(UDP),
	  XG_R_PASS, p_expired_not_hit },
	{ "allowlist beats automatic ban", b4_udp, s_allow_auto4, 0, P(UDP),
	  XG_R_ALLOWLISTED, NULL },

	/* default limits: one packet of every class passes */
	{ "defaults: ipv4 syn", b4_tcp, s_defaults, 0, P(TCP), XG_R_PASS,
	  NULL },
	{ "defaults: ipv4 udp", b4_udp, s_defaults, 0, P(UDP), XG_R_PASS,
	  NULL },
	{ "defaults: ipv4 icmp", b4_icmp, s_defaults, 0, P(ICMP), XG_R_PASS,
	  NULL },
	{ "defaults: ipv4 later fragment", b4_frag_later, s_defaults, 0, P(TCP),
	  XG_R_PASS, NULL },
	{ "defaults: ipv6 syn through ext headers", b6_chain, s_defaults, 0,
	  P(TCP), XG_R_PASS, NULL },
	{ "defaults: ipv6 udp", b6_udp, s_defaults, 0, P(UDP), XG_R_PASS,
	  NULL },
	{ "defaults: ipv6 icmpv6", b6_icmp6, s_defaults, 0, P(ICMP), XG_R_PASS,
	  NULL },
	{ "defaults: ipv6 later fragment", b6_frag_later, s_defaults, 0, P(TCP),
	  XG_R_PASS, NULL },
	{ "defaults: gre", b4_gre, s_defaults, 0, P(OTHER_IP), XG_R_PASS,
	  NULL },
	{ "defaults: blocked udp", b4_udp, s_defaults_block4, 0, D(UDP),
	  XG_R_BLOCKLISTED, NULL },
	{ "defaults: malformed udp counts as malformed", b4_udp_cut,
	  s_defaults_drop_mal, 0, D(UDP), XG_R_MALFORMED, NULL },
};

#undef P
#undef D

/* ---- running ------------------------------------------------------------- */

static int expected_verdict(int reason, uint32_t flags)
{
	if (reason == XG_R_PASS || reason == XG_R_ALLOWLISTED)
		return XDP_PASS;
	if (reason == XG_R_MALFORMED && !(flags & XG_CFG_DROP_MALFORMED))
		return XDP_PASS;
	return XDP_DROP;
}

/* With events on (the second pass over the table and the cuts), every
 * drop must make exactly one event and every pass none.
 */
static uint64_t mode_drops;

/* Turns events on in both config slots with a budget no case exhausts;
 * after the case's own setup, which may rewrite the config.
 */
static int events_mode_apply(void)
{
	struct xg_config cfg;
	uint32_t i;

	mode_drops = 0;
	if (!events_mode)
		return 0;
	for (i = 0; i < 2; i++) {
		if (h_read_config(i, &cfg))
			return -1;
		cfg.limit[XG_LIM_EVENTS] =
			(struct xg_limit){ .rate = 1000000, .burst = 1000000 };
		if (h_write_config(i, &cfg))
			return -1;
	}
	return 0;
}

/* The event of the frame just run, if events_mode is on. @key is the
 * counter it moved.
 */
static int check_mode_event(const char *name, size_t len, int verdict, int key)
{
	struct xg_event ev;
	struct xg_evstats es;
	int n, drop = verdict == XDP_DROP;

	if (!events_mode)
		return 0;
	mode_drops += drop;
	n = h_events(&ev, 1);
	if (n != drop || h_evstats(&es)) {
		fail(name, "%zu bytes: verdict %d made %d events", len, verdict,
		     n);
		return -1;
	}
	if (es.sent != mode_drops || es.sampled || es.lost) {
		fail(name,
		     "%zu bytes: evstats sent %llu sampled %llu lost %llu, "
		     "%llu drops",
		     len, (unsigned long long)es.sent,
		     (unsigned long long)es.sampled,
		     (unsigned long long)es.lost,
		     (unsigned long long)mode_drops);
		return -1;
	}
	if (n && (ev.reason != key % XG_R_SLOTS ||
		  ev.class != (key / XG_R_SLOTS) % XG_C_MAX || ev.len != len ||
		  ev.ifslot != key / XG_SLOT_COUNTERS)) {
		fail(name, "%zu bytes: event reason %u class %u len %u slot %u",
		     len, ev.reason, ev.class, ev.len, ev.ifslot);
		return -1;
	}
	return 0;
}

/* Runs @len bytes of @f on program copy @copy; returns the one counter
 * (XG_STATS_KEY) that moved by one packet of @len bytes, or -1 (after
 * saying why) if the counters moved any other way. *@verdict gets the
 * XDP action.
 */
static int run_counted_on(const char *name, int copy, const struct frame *f,
			  size_t len, int *verdict)
{
	static struct xg_counter before[XG_STATS_SLOTS], after[XG_STATS_SLOTS];
	int key = -1, i;

	if (h_read_stats(before)) {
		fail(name, "cannot read xg_stats");
		return -1;
	}
	*verdict = h_run_on(copy, f, len, 0);
	if (*verdict < 0) {
		fail(name, "test run failed at %zu bytes", len);
		return -1;
	}
	if (h_read_stats(after)) {
		fail(name, "cannot read xg_stats");
		return -1;
	}

	for (i = 0; i < XG_STATS_SLOTS; i++) {
		uint64_t dp = after[i].packets - before[i].packets;
		uint64_t db = after[i].bytes - before[i].bytes;

		if (!dp && !db)
			continue;
		if (dp != 1 || db != len || key >= 0) {
			fail(name,
			     "%zu bytes: counter %d (slot %d class %d reason "
			     "%d) moved +%llu packets +%llu bytes",
			     len, i, i / XG_SLOT_COUNTERS,
			     (i / XG_R_SLOTS) % XG_C_MAX, i % XG_R_SLOTS,
			     (unsigned long long)dp, (unsigned long long)db);
			return -1;
		}
		key = i;
	}
	if (key < 0) {
		fail(name, "%zu bytes: no counter moved", len);
		return -1;
	}
	if (*verdict == XDP_ABORTED) {
		fail(name, "%zu bytes: XDP_ABORTED", len);
		return -1;
	}
	return check_mode_event(name, len, *verdict, key) ? -1 : key;
}

/* The same on the first program (xg_ifslot 0): the key is class *
 * XG_R_SLOTS + reason.
 */
static int run_counted(const char *name, const struct frame *f, size_t len,
		       int *verdict)
{
	return run_counted_on(name, 0, f, len, verdict);
}

/* Returns -1 for a failure, so a caller can record and leave at once. */
static int record(int ok)
{
	if (ok)
		passed++;
	else
		failed++;
	return ok ? 0 : -1;
}

static int run_case(const struct tcase *c)
{
	struct frame f = { 0 };
	int verdict, slot, want = c->class * XG_R_SLOTS + c->reason;

	c->build(&f);
	if (h_reset(c->flags) || (c->setup && c->setup()) ||
	    events_mode_apply()) {
		fail(c->name, "cannot set up the maps");
		return record(0);
	}
	slot = run_counted(c->name, &f, f.len, &verdict);
	if (slot < 0)
		return record(0);
	if (verdict != c->verdict || slot != want) {
		fail(c->name,
		     "got verdict %d class %d reason %d, want %d %d %d",
		     verdict, slot / XG_R_SLOTS, slot % XG_R_SLOTS, c->verdict,
		     c->class, c->reason);
		return record(0);
	}
	return record(!c->post || c->post(c->name) == 0);
}

/* ---- truncation ---------------------------------------------------------- */

struct tframe {
	const char *name;
	void (*build)(struct frame *f);
	size_t l2_len; /* Ethernet and VLAN tags */
};

static void b4_tcp_opts(struct frame *f)
{
	tcp4(f, SRC4, 8, 8);
}

static const struct tframe tframes[] = {
	{ "ipv4 tcp with options", b4_tcp_opts, ETH_HLEN },
	{ "ipv6 ext chain, tcp", b6_chain, ETH_HLEN },
	{ "qinq ipv4 udp", b_qinq_udp, ETH_HLEN + 8 },
	{ "ipv6 ah, udp", b6_ah, ETH_HLEN },
};

/* Every cut of the frame: the IP length field then claims more than the
 * frame holds, so each is malformed, at L2 while the tags are cut. The
 * source is blocklisted: once the whole IP header is in the frame its
 * source is known and the blocklist drops it; before, it is malformed.
 */
static int truncate_raw(const struct tframe *t, const struct frame *f,
			uint32_t flags)
{
	char name[128];
	int verdict, slot, ok = 1;
	size_t len, ip_end;

	snprintf(name, sizeof(name), "cut %s%s%s", t->name,
		 flags ? ", drop-malformed" : "",
		 events_mode ? ", events on" : "");
	if (h_reset(flags) || h_add(1, "198.18.0.0/15", 0) ||
	    h_add(1, "2001:db8::/32", 0) || events_mode_apply()) {
		fail(name, "cannot set up the maps");
		return record(0);
	}
	ip_end = t->l2_len + ((f->buf[f->l3] >> 4) == 6 ? 40 : 20);
	for (len = ETH_HLEN; len < f->len && ok; len++) {
		int class = len < t->l2_len ? XG_C_NON_IP : XG_C_OTHER_IP;
		int reason = len < ip_end ? XG_R_MALFORMED : XG_R_BLOCKLISTED;
		int want = class * XG_R_SLOTS + reason;

		slot = run_counted(name, f, len, &verdict);
		if (slot < 0) {
			ok = 0;
		} else if (slot != want ||
			   verdict != expected_verdict(reason, flags)) {
			fail(name, "%zu bytes: verdict %d class %d reason %d",
			     len, verdict, slot / XG_R_SLOTS,
			     slot % XG_R_SLOTS);
			ok = 0;
		}
	}
	return record(ok);
}

/* Every cut with the IP length field rewritten to fit, so the cuts reach
 * the extension headers and L4: any class, one slot, a verdict that agrees
 * with the reason, and a blocked source never passed as if unlisted.
 */
static int truncate_fitted(const struct tframe *t, const struct frame *full,
			   int blocked)
{
	char name[128];
	struct frame f;
	int bad_reason = blocked ? XG_R_PASS : XG_R_BLOCKLISTED;
	int verdict, slot, ok = 1;
	size_t len, ip_hdr;

	snprintf(name, sizeof(name), "cut %s, length fitted%s%s", t->name,
		 blocked ? ", source blocked" : "",
		 events_mode ? ", events on" : "");
	if (h_reset(0) ||
	    (blocked && (h_add(1, SRC4, 0) || h_add(1, SRC6, 0))) ||
	    events_mode_apply()) {
		fail(name, "cannot set up the maps");
		return record(0);
	}
	ip_hdr = (full->buf[full->l3] >> 4) == 6 ? 40 : 0;
	for (len = ETH_HLEN; len < full->len && ok; len++) {
		f = *full;
		if (len >= full->l3 + ip_hdr)
			set_ip_len(&f, len - full->l3 - ip_hdr);
		slot = run_counted(name, &f, len, &verdict);
		if (slot < 0) {
			ok = 0;
		} else if (verdict != expected_verdict(slot % XG_R_SLOTS, 0) ||
			   slot % XG_R_SLOTS == bad_reason) {
			fail(name, "%zu bytes: verdict %d for reason %d", len,
			     verdict, slot % XG_R_SLOTS);
			ok = 0;
		}
	}
	return record(ok);
}

static void run_truncations(void)
{
	size_t i;

	for (i = 0; i < sizeof(tframes) / sizeof(tframes[0]); i++) {
		const struct tframe *t = &tframes[i];
		struct frame f = { 0 };

		t->build(&f);
		truncate_raw(t, &f, 0);
		truncate_raw(t, &f, XG_CFG_DROP_MALFORMED);
		truncate_fitted(t, &f, 0);
		truncate_fitted(t, &f, 1);
	}
}

/* ---- rate limits and automatic bans -------------------------------------- */

/* Frames by source, for the cases that send from many. */
static void udp4_from(struct frame *f, const char *src)
{
	put_eth(f, ETH_P_IP);
	put_ipv4(f, src, IPPROTO_UDP, 5, 0);
	put_udp(f);
	ip_end(f);
}

static void tcp4_flags(struct frame *f, const char *src, uint8_t flags)
{
	tcp4(f, src, 5, 5);
	f->buf[f->len - 20 + 13] = flags;
}

static void b4_synack(struct frame *f)
{
	tcp4_flags(f, SRC4, TCP_SYN | TCP_ACK);
}

static void b4_ack(struct frame *f)
{
	tcp4_flags(f, SRC4, TCP_ACK);
}

static void b6_syn(struct frame *f)
{
	plain6(f, SRC6, IPPROTO_TCP);
}

/* @n frames, each counted once under @class/@reason with the verdict the
 * reason implies. Returns 0, or -1 after saying which frame went wrong.
 */
static int send_verdict(const char *name, const struct frame *f, int n,
			int class, int reason, int want_verdict)
{
	int want = class * XG_R_SLOTS + reason, verdict, slot, i;

	for (i = 0; i < n; i++) {
		slot = run_counted(name, f, f->len, &verdict);
		if (slot < 0)
			return -1;
		if (slot != want || verdict != want_verdict) {
			fail(name,
			     "frame %d: verdict %d class %d reason %d, want "
			     "%d %d %d",
			     i + 1, verdict, slot / XG_R_SLOTS,
			     slot % XG_R_SLOTS, want_verdict, class, reason);
			return -1;
		}
	}
	return 0;
}

static int send_expect(const char *name, const struct frame *f, int n,
		       int class, int reason)
{
	return send_verdict(name, f, n, class, reason,
			    expected_verdict(reason, 0));
}

static int track_is(const char *name, int want)
{
	int got = h_track_count();

	if (got == want)
		return 0;
	fail(name, "xg_track holds %d sources, want %d", got, want);
	return -1;
}

/* Resets the maps and writes @cfg to slot 0. */
static int setup_limits(const char *name, const struct xg_config *cfg)
{
	if (h_reset(0) || h_write_config(0, cfg)) {
		fail(name, "cannot set up the maps");
		return -1;
	}
	return 0;
}

static struct xg_config one_limit(int k, uint32_t rate, uint32_t burst)
{
	struct xg_config cfg;

	h_config_off(&cfg);
	cfg.limit[k].rate = rate;
	cfg.limit[k].burst = burst;
	return cfg;
}

struct burst_case {
	const char *name;
	void (*build)(struct frame *f);
	int limit;
	int class;
};

/* Rate 1/s: no token comes back while the case runs, so exactly the
 * burst passes.
 */
static const struct burst_case bursts[] = {
	{ "burst: ipv4 syn", b4_tcp, XG_LIM_SYN, XG_C_TCP },
	{ "burst: ipv6 syn", b6_syn, XG_LIM_SYN, XG_C_TCP },
	{ "burst: ipv4 udp", b4_udp, XG_LIM_UDP, XG_C_UDP },
	{ "burst: ipv6 udp behind ah", b6_ah, XG_LIM_UDP, XG_C_UDP },
	{ "burst: ipv4 icmp", b4_icmp, XG_LIM_ICMP, XG_C_ICMP },
	{ "burst: ipv6 icmpv6", b6_icmp6, XG_LIM_ICMP, XG_C_ICMP },
	{ "burst: ipv4 later fragments", b4_frag_later, XG_LIM_FRAG, XG_C_TCP },
	{ "burst: ipv6 later fragments", b6_frag_later, XG_LIM_FRAG, XG_C_TCP },
};

/* A malformed L4 header that is passed meets the limit of its class (bad
 * TCP: the SYN limit), so a flood of bad headers is cut like any other.
 */
static const struct burst_case malformed_bursts[] = {
	{ "burst: malformed tcp (doff 4)", b4_tcp_doff4, XG_LIM_SYN, XG_C_TCP },
	{ "burst: malformed udp (cut)", b4_udp_cut, XG_LIM_UDP, XG_C_UDP },
};

#define BURST 5

static void f_bursts(void)
{
	struct xg_config cfg;
	size_t i;

	for (i = 0; i < sizeof(bursts) / sizeof(bursts[0]); i++) {
		const struct burst_case *b = &bursts[i];
		struct frame f = { 0 };

		b->build(&f);
		cfg = one_limit(b->limit, 1, BURST);
		record(!setup_limits(b->name, &cfg) &&
		       !send_expect(b->name, &f, BURST, b->class, XG_R_PASS) &&
		       !send_expect(b->name, &f, 3, b->class,
				    XG_R_RATE_SYN + b->limit) &&
		       !track_is(b->name, 1));
	}
}

static void f_malformed_bursts(void)
{
	struct xg_config cfg;
	size_t i;

	for (i = 0; i < sizeof(malformed_bursts) / sizeof(malformed_bursts[0]);
	     i++) {
		const struct burst_case *b = &malformed_bursts[i];
		struct frame f = { 0 };

		b->build(&f);
		cfg = one_limit(b->limit, 1, BURST);
		record(!setup_limits(b->name, &cfg) &&
		       !send_expect(b->name, &f, BURST, b->class,
				    XG_R_MALFORMED) &&
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
	struct frame udp = { 0 }, icmp = { 0 }, first = { 0 }, later = { 0 };
	struct xg_config cfg;
	int k;

	b4_udp(&udp);
	b4_icmp(&icmp);
	b4_frag_first(&first);
	b4_frag_later(&later);
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
	struct frame f = { 0 };
	int ok;

	b4_udp(&f);
	ok = !setup_limits(name, &cfg) &&
	     !send_expect(name, &f, 3, XG_C_UDP, XG_R_PASS) &&
	     !send_expect(name, &f, 1, XG_C_UDP, XG_R_RATE_UDP);
	if (ok)
		h_advance(1100 * 1000000ULL);
	record(ok && !send_expect(name, &f, 1, XG_C_UDP, XG_R_PASS) &&
	       !send_expect(name, &f, 1, XG_C_UDP, XG_R_RATE_UDP));
}

/* Sends one UDP frame from @src; 0 if it got @reason. */
static int udp_from(const char *name, const char *src, int n, int reason)
{
	struct frame f = { 0 };

	if (strchr(src, ':'))
		plain6(&f, src, IPPROTO_UDP);
	else
		udp4_from(&f, src);
	return send_expect(name, &f, n, XG_C_UDP, reason);
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

/* ---- admission of new sources, and the ceilings --------------------------- */

/* Spoofed sources: 198.18.0.0/15 from its first address on. */
#define SPOOF4 0xc6120001U
#define KNOWN4 "198.19.255.250"

static const char *const lim_names[XG_LIM_SRC] = { "syn", "udp", "icmp",
						   "frag" };
static const int lim_class[XG_LIM_SRC] = { XG_C_TCP, XG_C_UDP, XG_C_ICMP,
					   XG_C_UDP };

/* A frame of limit @k's class (a fragment: a later one of UDP). */
static void class_frame(struct frame *f, int k, const char *src)
{
	memset(f, 0, sizeof(*f));
	put_eth(f, ETH_P_IP);
	if (k == XG_LIM_SYN) {
		put_ipv4(f, src, IPPROTO_TCP, 5, 0);
		put_tcp(f, 5);
	} else if (k == XG_LIM_UDP) {
		put_ipv4(f, src, IPPROTO_UDP, 5, 0);
		put_udp(f);
	} else if (k == XG_LIM_ICMP) {
		put_ipv4(f, src, IPPROTO_ICMP, 5, 0);
		put_icmp(f, 8);
	} else {
		put_ipv4(f, src, IPPROTO_UDP, 5, 100);
		put_zero(f, 8);
	}
	ip_end(f);
}

/* @n frames of limit @k, one from each spoofed source from @first on;
 * 0 if each got @reason.
 */
static int spoofed(const char *name, int k, int first, int n, int reason)
{
	struct frame f;
	char src[INET_ADDRSTRLEN];
	struct in_addr a;
	int i;

	for (i = first; i < first + n; i++) {
		a.s_addr = htonl(SPOOF4 + i);
		inet_ntop(AF_INET, &a, src, sizeof(src));
		class_frame(&f, k, src);
		if (send_expect(name, &f, 1, lim_class[k], reason))
			return -1;
	}
	return 0;
}

static int known(const char *name, int k, int n, int reason)
{
	struct frame f;

	class_frame(&f, k, KNOWN4);
	return send_expect(name, &f, n, lim_class[k], reason);
}

/* Class @k's admission counts, summed over CPUs, are as given. */
static int admit_is(const char *name, int k, uint64_t admitted,
		    uint64_t refused)
{
	struct xg_admit_class a;

	if (h_admit(k, &a)) {
		fail(name, "cannot read xg_admit");
		return -1;
	}
	if (a.admitted == admitted && a.refused == refused)
		return 0;
	fail(name, "%s admitted %llu refused %llu, want %llu %llu",
	     lim_names[k], (unsigned long long)a.admitted,
	     (unsigned long long)a.refused, (unsigned long long)admitted,
	     (unsigned long long)refused);
	return -1;
}

/* Per-source limit @k, its budget of new sources and its ceiling. */
static struct xg_config admit_config(int k, struct xg_limit src,
				     struct xg_limit budget,
				     struct xg_limit ceil)
{
	struct xg_config cfg;

	h_config_off(&cfg);
	cfg.limit[k] = src;
	cfg.limit[XG_LIM_NEW + k] = budget;
	cfg.limit[XG_LIM_GLOBAL + k] = ceil;
	return cfg;
}

#define LIM(r, b) ((struct xg_limit){ .rate = (r), .burst = (b) })

/* In every limited class: a budget of 4 new sources, a ceiling of 8
 * packets of the others, then drops; the known source, tracked 5 s
 * before the flood, meets only its own limit, and nothing refused enters
 * the tracker.
 */
static void f_admission(void)
{
	char name[96];
	struct xg_admit_class a;
	int k, j, ok;

	for (k = 0; k < XG_LIM_SRC; k++) {
		struct xg_config cfg =
			admit_config(k, LIM(100, 100), LIM(1, 4), LIM(1, 8));

		snprintf(name, sizeof(name),
			 "admission %s: budget, ceiling, known source kept",
			 lim_names[k]);
		ok = !setup_limits(name, &cfg) &&
		     !known(name, k, 1, XG_R_PASS) &&
		     (h_advance(5 * SEC_NS), 1) &&
		     !spoofed(name, k, 0, 4, XG_R_PASS) && !track_is(name, 5) &&
		     !spoofed(name, k, 4, 8, XG_R_PASS) &&
		     !spoofed(name, k, 12, 50, XG_R_SYN_GLOBAL + k) &&
		     !track_is(name, 5) && !known(name, k, 20, XG_R_PASS) &&
		     !admit_is(name, k, 5, 58) && !h_admit(k, &a);
		if (ok && (a.win_admitted != 4 || a.win_refused != 58 ||
			   a.since_ns != h_boot_ns() ||
			   a.last_refused_ns != h_boot_ns())) {
			fail(name,
			     "window %u/%u, since %llu, last %llu; want 4/58 "
			     "and now (%llu)",
			     a.win_admitted, a.win_refused,
			     (unsigned long long)a.since_ns,
			     (unsigned long long)a.last_refused_ns,
			     (unsigned long long)h_boot_ns());
			ok = 0;
		}
		for (j = 0; ok && j < XG_LIM_SRC; j++)
			if (j != k)
				ok = !admit_is(name, j, 0, 0);
		record(ok);
	}
}

/* The budget and the ceiling refill at their rates; the windows give
 * the last second, and an attack starts anew after a quiet spell.
 */
static void f_admission_refill(void)
{
	const char *name = "admission: budget and ceiling refill, windows";
	const char *quiet = "admission: an attack ends after a quiet spell";
	struct xg_config cfg =
		admit_config(XG_LIM_UDP, LIM(100, 100), LIM(1, 1), LIM(1, 1));
	struct xg_admit_class a;
	uint64_t t0;
	int ok;

	ok = !setup_limits(name, &cfg) &&
	     !spoofed(name, XG_LIM_UDP, 0, 1, XG_R_PASS) &&
	     !spoofed(name, XG_LIM_UDP, 1, 1, XG_R_PASS) &&
	     !spoofed(name, XG_LIM_UDP, 2, 1, XG_R_UDP_GLOBAL);
	t0 = h_boot_ns();
	h_advance(XG_NSEC_PER_SEC);
	/* admitted on probation: it takes the ceiling's token as well */
	ok = ok && !spoofed(name, XG_LIM_UDP, 3, 1, XG_R_PASS) &&
	     !spoofed(name, XG_LIM_UDP, 4, 1, XG_R_UDP_GLOBAL) &&
	     !spoofed(name, XG_LIM_UDP, 5, 1, XG_R_UDP_GLOBAL) &&
	     !track_is(name, 2) && !admit_is(name, XG_LIM_UDP, 2, 4) &&
	     !h_admit(XG_LIM_UDP, &a);
	if (ok &&
	    (a.last_admitted != 1 || a.last_refused != 2 ||
	     a.win_admitted != 1 || a.win_refused != 2 || a.since_ns != t0)) {
		fail(name,
		     "last %u/%u, window %u/%u, since %llu; want 1/2, 1/2, "
		     "%llu",
		     a.last_admitted, a.last_refused, a.win_admitted,
		     a.win_refused, (unsigned long long)a.since_ns,
		     (unsigned long long)t0);
		ok = 0;
	}
	record(ok);

	h_advance(XG_ATTACK_QUIET_NS + XG_NSEC_PER_SEC);
	ok = !spoofed(quiet, XG_LIM_UDP, 6, 1, XG_R_PASS) &&
	     !spoofed(quiet, XG_LIM_UDP, 7, 1, XG_R_UDP_GLOBAL) &&
	     !h_admit(XG_LIM_UDP, &a);
	if (ok && (a.since_ns != h_boot_ns() || a.last_admitted != 0 ||
		   a.last_refused != 0)) {
		fail(quiet, "since %llu, last %u/%u; want %llu, 0/0",
		     (unsigned long long)a.since_ns, a.last_admitted,
		     a.last_refused, (unsigned long long)h_boot_ns());
		ok = 0;
	}
	record(ok);
}

/* A source the budget admitted while it refused others (or within its
 * burst before) shares the ceiling with the refused ones; a source known
 * from before does not; 60 s without a refusal end the probation.
 */
static void f_probation(void)
{
	const char *name = "probation: sources admitted in an attack share "
			   "the ceiling";
	const char *end = "probation: ends 60 s after the last refusal";
	struct xg_config cfg =
		admit_config(XG_LIM_UDP, LIM(100, 100), LIM(1, 1), LIM(1, 2));
	struct frame f2;
	int ok;

	class_frame(&f2, XG_LIM_UDP, "198.18.0.3"); /* spoofed source 2 */
	ok = !setup_limits(name, &cfg) &&
	     !known(name, XG_LIM_UDP, 1, XG_R_PASS);
	h_advance(5 * SEC_NS);
	ok = ok && !spoofed(name, XG_LIM_UDP, 0, 1, XG_R_PASS) &&
	     !spoofed(name, XG_LIM_UDP, 1, 1, XG_R_PASS);
	h_advance(SEC_NS);
	ok = ok && !send_expect(name, &f2, 2, XG_C_UDP, XG_R_PASS) &&
	     !send_expect(name, &f2, 1, XG_C_UDP, XG_R_UDP_GLOBAL) &&
	     /* admitted just before the first refusal, in the burst */
	     !spoofed(name, XG_LIM_UDP, 0, 1, XG_R_UDP_GLOBAL) &&
	     !known(name, XG_LIM_UDP, 5, XG_R_PASS) && !track_is(name, 3);
	record(ok);
	h_advance(XG_PROBATION_QUIET_NS + SEC_NS);
	record(ok && !send_expect(end, &f2, 5, XG_C_UDP, XG_R_PASS) &&
	       !spoofed(end, XG_LIM_UDP, 0, 5, XG_R_PASS));
}

/* A source tracked from before an attack takes no token of the ceiling,
 * and its own limit, not the ceiling, drops it: with the ceiling empty it
 * still passes within its rate.
 */
static void f_ceiling_tracked(void)
{
	const char *name = "ceiling: a known source takes no token";
	struct xg_config cfg =
		admit_config(XG_LIM_SYN, LIM(2, 2), LIM(1, 1), LIM(1, 1));
	int ok;

	ok = !setup_limits(name, &cfg) &&
	     !known(name, XG_LIM_SYN, 1, XG_R_PASS);
	h_advance(5 * SEC_NS);
	ok = ok && !spoofed(name, XG_LIM_SYN, 0, 1, XG_R_PASS) &&
	     !spoofed(name, XG_LIM_SYN, 1, 1, XG_R_PASS) &&
	     !spoofed(name, XG_LIM_SYN, 2, 1, XG_R_SYN_GLOBAL) &&
	     !known(name, XG_LIM_SYN, 2, XG_R_PASS) &&
	     !known(name, XG_LIM_SYN, 1, XG_R_RATE_SYN);
	/* half a second: one token of its own, none of budget or ceiling */
	h_advance(SEC_NS / 2);
	record(ok && !known(name, XG_LIM_SYN, 1, XG_R_PASS) &&
	       !spoofed(name, XG_LIM_SYN, 3, 1, XG_R_SYN_GLOBAL) &&
	       !track_is(name, 2));
}

/* The settings that switch parts off. */
static void f_admission_off(void)
{
	const char *nosrc = "ceiling: without a per-source limit, every packet";
	const char *nobudget = "admission: budget off admits every source";
	const char *noceil = "admission: ceiling off passes the refused";
	struct xg_config cfg;

	cfg = admit_config(XG_LIM_SYN, LIM(0, 0), LIM(1, 1), LIM(1, 3));
	record(!setup_limits(nosrc, &cfg) &&
	       !spoofed(nosrc, XG_LIM_SYN, 0, 3, XG_R_PASS) &&
	       !spoofed(nosrc, XG_LIM_SYN, 3, 2, XG_R_SYN_GLOBAL) &&
	       !known(nosrc, XG_LIM_SYN, 1, XG_R_SYN_GLOBAL) &&
	       !track_is(nosrc, 0) && !admit_is(nosrc, XG_LIM_SYN, 0, 0));

	cfg = admit_config(XG_LIM_UDP, LIM(1, 1), LIM(0, 0), LIM(1, 1));
	record(!setup_limits(nobudget, &cfg) &&
	       !spoofed(nobudget, XG_LIM_UDP, 0, 20, XG_R_PASS) &&
	       !track_is(nobudget, 20) &&
	       !admit_is(nobudget, XG_LIM_UDP, 20, 0));

	cfg = admit_config(XG_LIM_UDP, LIM(1, 1), LIM(1, 1), LIM(0, 0));
	record(!setup_limits(noceil, &cfg) &&
	       !spoofed(noceil, XG_LIM_UDP, 0, 20, XG_R_PASS) &&
	       !track_is(noceil, 1) && !admit_is(noceil, XG_LIM_UDP, 1, 19));
}

/* Spoofed IPv6 sources, one /64 each: 2001:db8:XXXX:YYYY::1. */
static void spoof6_frame(struct frame *f, uint32_t i)
{
	uint32_t be = htonl(i);

	memcpy(f->buf + 14 + 8 + 4, &be, sizeof(be));
}

/* The sum of every reason of @class between two reads. */
static uint64_t moved(const struct xg_counter *a, const struct xg_counter *b,
		      int class, int reason)
{
	int i = XG_STATS_KEY(0, class, reason);

	return b[i].packets - a[i].packets;
}

/* XG_TEST_FLOOD spoofed UDP sources (default 1,048,576), one packet
 * each, over 10 s of the test clock, against 1,000 known clients tracked
 * 2 s before it: every known client is still tracked and served after,
 * the tracker grew by what the budget let in during the flood and
 * nothing more, the sources admitted once the budget refused others
 * shared the ceiling with the refused ones, and the verdicts add up.
 */
static void f_admission_flood(void)
{
	const char *name = "admission: a million spoofed sources evict no one";
	static struct xg_counter c0[XG_STATS_SLOTS], c1[XG_STATS_SLOTS];
	struct xg_config cfg = admit_config(XG_LIM_UDP, LIM(10, 10),
					    LIM(1000, 1000), LIM(1000, 1000));
	const char *env = getenv("XG_TEST_FLOOD");
	uint32_t n = env ? (uint32_t)strtoul(env, NULL, 0) : 1U << 20;
	uint64_t step = 10 * XG_NSEC_PER_SEC / n, pass, drop, admitted;
	uint64_t want_new = n * step / 1000000; /* 1 ms a token */
	struct xg_admit_class a;
	struct frame f = { 0 };
	char src[INET_ADDRSTRLEN];
	struct in_addr in;
	uint32_t i;
	int ok;

	ok = !setup_limits(name, &cfg);
	for (i = 0; ok && i < 1000; i++) {
		in.s_addr = htonl(SPOOF4 + 100000 + i);
		inet_ntop(AF_INET, &in, src, sizeof(src));
		class_frame(&f, XG_LIM_UDP, src);
		ok = h_run(&f, f.len) == XDP_PASS;
	}
	ok = ok && !track_is(name, 1000) && !h_read_stats(c0);
	/* known for longer than the budget's burst takes to refill */
	h_advance(2 * SEC_NS);
	memset(&f, 0, sizeof(f));
	plain6(&f, "2001:db8::1", IPPROTO_UDP);
	for (i = 0; ok && i < n; i++) {
		spoof6_frame(&f, i);
		h_advance(step);
		ok = h_run(&f, f.len) >= 0;
	}
	ok = ok && !h_read_stats(c1) && !h_admit(XG_LIM_UDP, &a);
	if (!ok) {
		fail(name, "cannot run the flood");
		record(0);
		return;
	}
	pass = moved(c0, c1, XG_C_UDP, XG_R_PASS);
	drop = moved(c0, c1, XG_C_UDP, XG_R_UDP_GLOBAL);
	admitted = a.admitted - 1000;
	/* The budget's burst (1,000) admits the flood's first sources,
	 * before any refusal; then budget and ceiling each give 1,000 a
	 * second, about want_new in 10 s, and the ceiling's burst of 1,000:
	 * the sources admitted after that share the ceiling's tokens.
	 */
	if (pass + drop != n || a.refused != n - admitted ||
	    admitted + 1 < want_new + 1000 || admitted > want_new + 1001 ||
	    pass + 1 < want_new + 2000 || pass > want_new + 2001 ||
	    h_track_count() != (int)(1000 + admitted)) {
		fail(name,
		     "%u sent: %llu passed, %llu dropped, %llu admitted, %llu "
		     "refused, %d tracked; want ~%llu admitted, ~%llu "
		     "passed",
		     n, (unsigned long long)pass, (unsigned long long)drop,
		     (unsigned long long)admitted,
		     (unsigned long long)a.refused, h_track_count(),
		     (unsigned long long)want_new + 1000,
		     (unsigned long long)want_new + 2000);
		record(0);
		return;
	}
	for (i = 0; ok && i < 1000; i++) {
		in.s_addr = htonl(SPOOF4 + 100000 + i);
		inet_ntop(AF_INET, &in, src, sizeof(src));
		class_frame(&f, XG_LIM_UDP, src);
		ok = !send_expect(name, &f, 1, XG_C_UDP, XG_R_PASS);
	}
	record(ok && !track_is(name, (int)(1000 + admitted)));
}

/* Limits so tight that anything limited would show: what must not be
 * limited passes every time and leaves no trace in xg_track.
 */
static void f_not_limited(void)
{
	const char *tcp = "not limited: syn+ack, ack, gre";
	const char *off = "not limited: rate 0 takes no lookup";
	const char *allow = "not limited: allowlisted source, nor banned";
	struct frame synack = { 0 }, ack = { 0 }, gre = { 0 }, syn = { 0 };
	struct frame udp = { 0 };
	struct xg_config cfg;
	int k;

	b4_synack(&synack);
	b4_ack(&ack);
	b4_gre(&gre);
	b4_tcp(&syn);
	b4_udp(&udp);
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
	struct frame udp = { 0 }, cut = { 0 };
	int ok;

	b4_udp(&udp);
	b4_udp_cut(&cut);
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
	if (!(e.flags & XG_E_AUTO) || e.expires_ns > now + secs * SEC_NS ||
	    e.expires_ns + 5 * SEC_NS < now + secs * SEC_NS) {
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
	struct xg_entry old = { .expires_ns = h_boot_ns() - SEC_NS,
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
	struct frame f = { 0 }, other = { 0 };

	b6_nine_ext(&f);
	b6_tcp(&other);
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
	struct frame f = { 0 }, g = { 0 };

	tcp4(&f, "198.18.7.9", 5, 5);
	plain6(&g, "2001:db8:7::9", IPPROTO_TCP);
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
	struct frame f = { 0 }, g = { 0 };
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
	tcp4(&f, SRC4, 5, 5);
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
	tcp4(&f, a, 5, 5);
	tcp4(&g, b, 5, 5);
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
	tcp4(&f, SRC4, 5, 5);
	record(!h_reset(0) && !h_add(1, SRC4, 0) &&
	       h_run_n(&f, 5) == XDP_DROP && h_hits(1, SRC4) == 5 &&
	       !h_add(1, SRC4, 0) && h_hits(1, SRC4) == 0 &&
	       h_run_n(&f, 2) == XDP_DROP && hits_is(again, 1, SRC4, 2) == 0);
	if (pinned)
		sched_setaffinity(0, sizeof(all), &all);
}

static void run_floods(void)
{
	f_hot_hits();
	f_pfx_skip();
	f_bursts();
	f_malformed_bursts();
	f_classes_apart();
	f_sources();
	f_not_limited();
	f_slot_flip();
	f_refill();
	f_autoban();
	f_deep_chain();
	f_mapped_sources();
	f_admission();
	f_admission_refill();
	f_ceiling_tracked();
	f_probation();
	f_admission_off();
	f_admission_flood();
}

/* ---- counter slots per interface ----------------------------------------- */

/* Two more copies of the program over the same maps, as xg-load attaches
 * one per interface: slot 7 and the last slot.
 */
#define COPY_SLOT 7
static int copy7, copy_last;

static int load_copies(void)
{
	copy7 = h_load_copy(COPY_SLOT);
	copy_last = h_load_copy(XG_MAX_IFACES);
	return copy7 < 0 || copy_last < 0 ? -1 : 0;
}

/* @f on program @copy counts once, under @ifslot and nowhere else. */
static int slot_counts(const char *name, int copy, uint32_t ifslot,
		       const struct frame *f, int class, int reason,
		       int want_verdict)
{
	int verdict, key = run_counted_on(name, copy, f, f->len, &verdict);
	int want = XG_STATS_KEY(ifslot, class, reason);

	if (key < 0)
		return -1;
	if (key != want || verdict != want_verdict) {
		fail(name, "verdict %d counter %d, want %d counter %d", verdict,
		     key, want_verdict, want);
		return -1;
	}
	return 0;
}

static void f_slots(void)
{
	const char *n7 = "slots: a copy with xg_ifslot 7 counts in slot 7 only";
	const char *nlast = "slots: xg_ifslot 32 counts in the last slot only";
	const char *n0 = "slots: the copies share lists, each its own slot";
	struct frame tcp = { 0 }, udp = { 0 };

	b4_tcp(&tcp);
	b4_udp(&udp);
	if (copy7 < 0 || copy_last < 0) {
		fail(n7, "cannot load copies of the program");
		record(0);
		return;
	}
	record(!h_reset(0) && !s_block4() &&
	       !slot_counts(n7, copy7, COPY_SLOT, &tcp, XG_C_TCP,
			    XG_R_BLOCKLISTED, XDP_DROP) &&
	       !slot_counts(n7, copy7, COPY_SLOT, &udp, XG_C_UDP,
			    XG_R_BLOCKLISTED, XDP_DROP));
	record(!h_reset(0) &&
	       !slot_counts(nlast, copy_last, XG_MAX_IFACES, &udp, XG_C_UDP,
			    XG_R_PASS, XDP_PASS) &&
	       !slot_counts(nlast, copy_last, XG_MAX_IFACES, &tcp, XG_C_TCP,
			    XG_R_PASS, XDP_PASS));
	record(!h_reset(0) && !s_block4() &&
	       !slot_counts(n0, 0, 0, &tcp, XG_C_TCP, XG_R_BLOCKLISTED,
			    XDP_DROP) &&
	       !slot_counts(n0, copy7, COPY_SLOT, &tcp, XG_C_TCP,
			    XG_R_BLOCKLISTED, XDP_DROP) &&
	       !slot_counts(n0, copy_last, XG_MAX_IFACES, &tcp, XG_C_TCP,
			    XG_R_BLOCKLISTED, XDP_DROP) &&
	       hits_is(n0, 1, SRC4, 3) == 0);
}

/* ---- drop events --------------------------------------------------------- */

#define LO_IFINDEX 1 /* the loopback device: a test run may claim it */
#define DST4 "198.19.0.1" /* what put_ipv4() and put_ipv6() write */
#define DST6 "2001:db8:ffff::1"
#define EV_ALL ((struct xg_limit){ .rate = 1000000, .burst = 1000000 })
#define EV_FLAGS_46 XG_EV_L3
#define EV_FLAGS_6 (XG_EV_L3 | XG_EV_IPV6)

/* Writes the events budget into the config slot in force. */
static int set_events(struct xg_limit lim)
{
	struct xg_config cfg;

	if (h_read_config(0, &cfg))
		return -1;
	cfg.limit[XG_LIM_EVENTS] = lim;
	return h_write_config(0, &cfg);
}

static int evstats_are(const char *name, uint64_t sent, uint64_t sampled,
		       uint64_t lost)
{
	struct xg_evstats es;

	if (h_evstats(&es)) {
		fail(name, "cannot read xg_evstats");
		return -1;
	}
	if (es.sent == sent && es.sampled == sampled && es.lost == lost)
		return 0;
	fail(name,
	     "evstats sent %llu sampled %llu lost %llu, want %llu %llu "
	     "%llu",
	     (unsigned long long)es.sent, (unsigned long long)es.sampled,
	     (unsigned long long)es.lost, (unsigned long long)sent,
	     (unsigned long long)sampled, (unsigned long long)lost);
	return -1;
}

/* Consumes the ring buffer; 0 if it held exactly @want records. */
static int events_are(const char *name, int want)
{
	int n = h_events(NULL, 0);

	if (n == want)
		return 0;
	fail(name, "%d events in the ring buffer, want %d", n, want);
	return -1;
}

/* The packets counted under @class and @reason in @ifslot: 0 if there
 * are @want.
 */
static int counted_is(const char *name, uint32_t ifslot, int class, int reason,
		      uint64_t want)
{
	static struct xg_counter c[XG_STATS_SLOTS];
	uint64_t got;

	if (h_read_stats(c)) {
		fail(name, "cannot read xg_stats");
		return -1;
	}
	got = c[XG_STATS_KEY(ifslot, class, reason)].packets;
	if (got == want)
		return 0;
	fail(name, "slot %u class %d reason %d counted %llu, want %llu", ifslot,
	     class, reason, (unsigned long long)got, (unsigned long long)want);
	return -1;
}

/* Consumes the ring buffer: 0 if it held one record, of @reason and
 * with @flags.
 */
static int one_event_is(const char *name, int reason, uint8_t flags,
			uint8_t tcp_flags)
{
	struct xg_event ev;
	int n = h_events(&ev, 1);

	if (n != 1) {
		fail(name, "%d events in the ring buffer, want 1", n);
		return -1;
	}
	if (ev.reason == reason && ev.flags == flags &&
	    ev.tcp_flags == tcp_flags)
		return 0;
	fail(name, "event reason %u flags %#x tcp_flags %#x, want %d %#x %#x",
	     ev.reason, ev.flags, ev.tcp_flags, reason, flags, tcp_flags);
	return -1;
}

struct ev_case {
	const char *name;
	void (*build)(struct frame *f);
	int (*setup)(void);
	uint32_t flags; /* xg_config.flags */
	int class;
	int reason;
	uint8_t l4proto;
	uint8_t tcp_flags;
	uint8_t ev_flags;
	uint16_t sport; /* or ICMP type */
	uint16_t dport; /* or ICMP code */
	const char *saddr; /* NULL: no L3, both addresses zero */
	const char *daddr;
};

static void b4_tcp_doff4_dropped(struct frame *f)
{
	b4_tcp_doff4(f);
}

static const struct ev_case ev_cases[] = {
	{ "event: ipv4 tcp syn, blocklisted", b4_tcp, s_block4, 0, XG_C_TCP,
	  XG_R_BLOCKLISTED, IPPROTO_TCP, TCP_SYN, XG_EV_L3 | XG_EV_PORTS, 40000,
	  80, SRC4, DST4 },
	{ "event: vlan ipv4 tcp, blocklisted", b_vlan_tcp, s_block4, 0,
	  XG_C_TCP, XG_R_BLOCKLISTED, IPPROTO_TCP, TCP_SYN,
	  XG_EV_L3 | XG_EV_PORTS, 40000, 80, SRC4, DST4 },
	{ "event: ipv4 udp, blocklisted prefix", b4_udp, s_block4_prefix, 0,
	  XG_C_UDP, XG_R_BLOCKLISTED, IPPROTO_UDP, 0, XG_EV_L3 | XG_EV_PORTS,
	  40000, 53, SRC4, DST4 },
	{ "event: ipv4 icmp echo, automatic ban", b4_icmp, s_block4_auto, 0,
	  XG_C_ICMP, XG_R_AUTOBAN, IPPROTO_ICMP, 0, XG_EV_L3 | XG_EV_ICMP, 8, 0,
	  SRC4, DST4 },
	{ "event: ipv4 first fragment has ports", b4_frag_first, s_block4, 0,
	  XG_C_TCP, XG_R_BLOCKLISTED, IPPROTO_TCP, TCP_SYN,
	  XG_EV_L3 | XG_EV_PORTS, 40000, 80, SRC4, DST4 },
	{ "event: ipv4 later fragment has none", b4_frag_later, s_block4, 0,
	  XG_C_TCP, XG_R_BLOCKLISTED, IPPROTO_TCP, 0, XG_EV_L3 | XG_EV_FRAG, 0,
	  0, SRC4, DST4 },
	{ "event: ipv6 udp, blocklisted", b6_udp, s_block6, 0, XG_C_UDP,
	  XG_R_BLOCKLISTED, IPPROTO_UDP, 0, EV_FLAGS_6 | XG_EV_PORTS, 40000, 53,
	  SRC6, DST6 },
	{ "event: ipv6 tcp behind ext headers", b6_chain, s_block6, 0, XG_C_TCP,
	  XG_R_BLOCKLISTED, IPPROTO_TCP, TCP_SYN, EV_FLAGS_6 | XG_EV_PORTS,
	  40000, 80, SRC6, DST6 },
	{ "event: ipv6 icmpv6 echo", b6_icmp6, s_block6_prefix, 0, XG_C_ICMP,
	  XG_R_BLOCKLISTED, IPPROTO_ICMPV6, 0, EV_FLAGS_6 | XG_EV_ICMP, 128, 0,
	  SRC6, DST6 },
	{ "event: ipv6 automatic ban of a /64", b6_tcp_in_prefix_64,
	  s_block6_prefix_auto, 0, XG_C_TCP, XG_R_AUTOBAN, IPPROTO_TCP, TCP_SYN,
	  EV_FLAGS_6 | XG_EV_PORTS, 40000, 80, "2001:db8::ffff:1", DST6 },
	{ "event: ipv6 later fragment", b6_frag_later, s_block6, 0, XG_C_TCP,
	  XG_R_BLOCKLISTED, IPPROTO_TCP, 0, EV_FLAGS_6 | XG_EV_FRAG, 0, 0, SRC6,
	  DST6 },
	/* malformed, dropped: what was readable is reported */
	{ "event: malformed tcp (doff 4) keeps its ports", b4_tcp_doff4_dropped,
	  NULL, DROP_MAL, XG_C_TCP, XG_R_MALFORMED, IPPROTO_TCP, 0,
	  XG_EV_L3 | XG_EV_PORTS, 40000, 80, SRC4, DST4 },
	{ "event: malformed icmpv6 (cut) has no type", b6_icmp6_cut, NULL,
	  DROP_MAL, XG_C_ICMP, XG_R_MALFORMED, IPPROTO_ICMPV6, 0,
	  EV_FLAGS_6 | XG_EV_ICMP, 0, 0, SRC6, DST6 },
	{ "event: malformed ipv4 header has no addresses", b4_ihl4, NULL,
	  DROP_MAL, XG_C_OTHER_IP, XG_R_MALFORMED, 0, 0, 0, 0, 0, NULL, NULL },
	{ "event: malformed ipv6 ext chain keeps addresses", b6_ext_overrun,
	  NULL, DROP_MAL, XG_C_OTHER_IP, XG_R_MALFORMED, 0, 0, EV_FLAGS_6, 0, 0,
	  SRC6, DST6 },
	{ "event: vlan tag cut off, non-ip", b_vlan_cut, NULL, DROP_MAL,
	  XG_C_NON_IP, XG_R_MALFORMED, 0, 0, 0, 0, 0, NULL, NULL },
};

/* The record against what the frame holds, field by field. */
static int event_is(const char *name, const struct ev_case *c,
		    const struct xg_event *ev, size_t len, uint64_t t0,
		    uint64_t t1)
{
	uint32_t sa[4] = { 0 }, da[4] = { 0 };
	static const uint8_t zero[sizeof(ev->pad)];
	int v6 = c->ev_flags & XG_EV_IPV6;

	if (c->saddr) {
		inet_pton(v6 ? AF_INET6 : AF_INET, c->saddr, sa);
		inet_pton(v6 ? AF_INET6 : AF_INET, c->daddr, da);
	}
#define EV_CHECK(cond, fmt, ...)                      \
	do {                                          \
		if (!(cond)) {                        \
			fail(name, fmt, __VA_ARGS__); \
			return -1;                    \
		}                                     \
	} while (0)
	EV_CHECK(ev->ts_ns >= t0 && ev->ts_ns <= t1,
		 "ts_ns %llu outside the run (%llu-%llu)",
		 (unsigned long long)ev->ts_ns, (unsigned long long)t0,
		 (unsigned long long)t1);
	EV_CHECK(!memcmp(ev->saddr, sa, 16) && !memcmp(ev->daddr, da, 16),
		 "addresses %08x.. %08x.., want %08x.. %08x..",
		 ntohl(ev->saddr[0]), ntohl(ev->daddr[0]), ntohl(sa[0]),
		 ntohl(da[0]));
	EV_CHECK(ev->ifindex == LO_IFINDEX && ev->len == len &&
			 ev->ifslot == COPY_SLOT,
		 "ifindex %u len %u ifslot %u, want %u %zu %u", ev->ifindex,
		 ev->len, ev->ifslot, LO_IFINDEX, len, COPY_SLOT);
	EV_CHECK(ev->reason == c->reason && ev->class == c->class,
		 "reason %u class %u, want %d %d", ev->reason, ev->class,
		 c->reason, c->class);
	EV_CHECK(ev->l4proto == c->l4proto && ev->tcp_flags == c->tcp_flags &&
			 ev->flags == c->ev_flags,
		 "l4proto %u tcp_flags %#x flags %#x, want %u %#x %#x",
		 ev->l4proto, ev->tcp_flags, ev->flags, c->l4proto,
		 c->tcp_flags, c->ev_flags);
	EV_CHECK(ev->sport == c->sport && ev->dport == c->dport,
		 "sport %u dport %u, want %u %u", ev->sport, ev->dport,
		 c->sport, c->dport);
	EV_CHECK(!memcmp(ev->pad, zero, sizeof(zero)), "%s", "pad not zero");
#undef EV_CHECK
	return 0;
}

/* Each frame dropped once on the slot-7 copy, received on lo: one event
 * with every field as the frame has it.
 */
static void f_event_fields(void)
{
	size_t i;

	for (i = 0; i < sizeof(ev_cases) / sizeof(ev_cases[0]); i++) {
		const struct ev_case *c = &ev_cases[i];
		struct frame f = { 0 };
		struct xg_event ev;
		uint64_t t0, t1;
		int verdict, n;

		c->build(&f);
		if (h_reset(c->flags) || (c->setup && c->setup()) ||
		    set_events(EV_ALL)) {
			fail(c->name, "cannot set up the maps");
			record(0);
			continue;
		}
		t0 = h_boot_ns();
		verdict = h_run_on(copy7, &f, f.len, LO_IFINDEX);
		t1 = h_boot_ns();
		n = h_events(&ev, 1);
		if (verdict != XDP_DROP || n != 1) {
			fail(c->name, "verdict %d, %d events; want drop, 1",
			     verdict, n);
			record(0);
			continue;
		}
		record(!event_is(c->name, c, &ev, f.len, t0, t1) &&
		       !evstats_are(c->name, 1, 0, 0));
	}
}

/* Rate drops make events under their own reason; what passes makes
 * none, and neither moves xg_evstats.
 */
static void f_event_rates(void)
{
	const char *rate = "events: a rate drop has its reason, a pass none";
	const char *global = "events: a syn over the global ceiling";
	struct xg_config cfg = one_limit(XG_LIM_UDP, 1, 2);
	struct frame udp = { 0 }, syn = { 0 };

	b4_udp(&udp);
	cfg.limit[XG_LIM_EVENTS] = EV_ALL;
	record(!setup_limits(rate, &cfg) &&
	       !send_expect(rate, &udp, 2, XG_C_UDP, XG_R_PASS) &&
	       !events_are(rate, 0) && !evstats_are(rate, 0, 0, 0) &&
	       !send_expect(rate, &udp, 1, XG_C_UDP, XG_R_RATE_UDP) &&
	       !one_event_is(rate, XG_R_RATE_UDP, XG_EV_L3 | XG_EV_PORTS, 0) &&
	       !evstats_are(rate, 1, 0, 0));

	h_config_off(&cfg);
	cfg.limit[XG_LIM_SYN_GLOBAL] =
		(struct xg_limit){ .rate = 1, .burst = 1 };
	cfg.limit[XG_LIM_EVENTS] = EV_ALL;
	tcp4(&syn, "198.18.3.3", 5, 5);
	record(!setup_limits(global, &cfg) &&
	       !send_expect(global, &syn, 1, XG_C_TCP, XG_R_PASS) &&
	       !send_expect(global, &syn, 1, XG_C_TCP, XG_R_SYN_GLOBAL) &&
	       !one_event_is(global, XG_R_SYN_GLOBAL, XG_EV_L3 | XG_EV_PORTS,
			     TCP_SYN) &&
	       !evstats_are(global, 1, 0, 0));
}

#define BUDGET_BURST 5
#define BUDGET_DROPS 20

/* Rate 1/s: no token comes back while the case runs, so the burst is
 * what goes out, on whichever program copy the drops happen.
 */
static void f_event_budget(void)
{
	const char *name = "events: rate 1 burst 5 sends 5, samples the rest";
	const char *off = "events: off (rate 0) makes none, counts none";
	struct frame f = { 0 };
	int i, ok;

	b4_tcp(&f);
	ok = !h_reset(0) && !s_block4() &&
	     !set_events(
		     (struct xg_limit){ .rate = 1, .burst = BUDGET_BURST }) &&
	     h_run_n(&f, BUDGET_DROPS / 2) == XDP_DROP;
	for (i = 0; ok && i < BUDGET_DROPS / 2; i++)
		ok = h_run_on(copy7, &f, f.len, 0) == XDP_DROP;
	if (!ok)
		fail(name, "cannot set up or run");
	record(ok &&
	       !counted_is(name, 0, XG_C_TCP, XG_R_BLOCKLISTED,
			   BUDGET_DROPS / 2) &&
	       !counted_is(name, COPY_SLOT, XG_C_TCP, XG_R_BLOCKLISTED,
			   BUDGET_DROPS / 2) &&
	       !evstats_are(name, BUDGET_BURST, BUDGET_DROPS - BUDGET_BURST,
			    0) &&
	       !events_are(name, BUDGET_BURST));

	record(!h_reset(0) && !s_block4() && !set_events((struct xg_limit){}) &&
	       h_run_n(&f, BUDGET_DROPS) == XDP_DROP &&
	       !counted_is(off, 0, XG_C_TCP, XG_R_BLOCKLISTED, BUDGET_DROPS) &&
	       !evstats_are(off, 0, 0, 0) && !events_are(off, 0));
}

/* After a miss a CPU counts its next drops as sampled without looking
 * at the budget, twice as many after each miss in a row, up to 63; once
 * the budget has a token again, an attempt finds it within 64 drops.
 */
static void f_event_skip(void)
{
	const char *name = "events: after a miss a CPU skips, up to 63 drops";
	const char *refill = "events: a refilled budget is found in 64 drops";
	struct xg_evstats es;
	struct frame f = { 0 };
	int ok;

	b4_tcp(&f);
	ok = !h_reset(0) && !s_block4() &&
	     !set_events((struct xg_limit){ .rate = 1, .burst = 1 }) &&
	     h_run_n(&f, 1000) == XDP_DROP && !h_evstats(&es);
	if (ok && es.backoff != XG_EV_SKIP_MAX) {
		fail(name, "backoff %u, want %u", es.backoff, XG_EV_SKIP_MAX);
		ok = 0;
	}
	record(ok && !evstats_are(name, 1, 999, 0) && !events_are(name, 1));

	h_advance(SEC_NS);
	ok = h_run_n(&f, XG_EV_SKIP_MAX + 1) == XDP_DROP && !h_evstats(&es);
	record(ok && !evstats_are(refill, 2, 999 + XG_EV_SKIP_MAX, 0) &&
	       !events_are(refill, 1));
}

/* With no consumer the ring buffer fills: each record takes its header
 * and the 64-byte event, and what does not fit is lost, not sampled.
 */
static void f_event_lost(void)
{
	const char *name = "events: a full ring buffer counts lost";
	uint64_t fit = XG_EVENTS_BYTES /
		       (BPF_RINGBUF_HDR_SZ + sizeof(struct xg_event));
	uint64_t drops = fit + 100;
	struct frame f = { 0 };

	b4_tcp(&f);
	record(!h_reset(0) && !s_block4() && !set_events(EV_ALL) &&
	       h_run_n(&f, drops) == XDP_DROP &&
	       !counted_is(name, 0, XG_C_TCP, XG_R_BLOCKLISTED, drops) &&
	       !evstats_are(name, fit, 0, drops - fit) &&
	       !events_are(name, fit) && h_run(&f, f.len) == XDP_DROP &&
	       !evstats_are(name, fit + 1, 0, drops - fit) &&
	       !events_are(name, 1));
}

/* ---- per-source windows (xg-stats --top) --------------------------------- */

static struct xg_in6 v4_key(const char *src)
{
	struct xg_in6 key = { { 0, 0, htonl(0xffff), 0 } };

	inet_pton(AF_INET, src, &key.addr[3]);
	return key;
}

/* A source whose UDP bucket is empty for an hour, with a window that
 * started @age_ms ago and counted over[] = {1, 2, 3, 4}.
 */
static int put_window(const char *src, uint64_t age_ms, uint32_t last)
{
	struct xg_in6 key = v4_key(src);
	uint64_t now = h_boot_ns();
	struct xg_src s = { .win_start = now - age_ms * 1000000,
			    .over = { 1, 2, 3, 4 },
			    .last_over = last };

	s.tat[XG_LIM_UDP] = now + 3600 * SEC_NS;
	return h_track_update(&key, &s);
}

static int window_is(const char *name, const char *src, uint64_t t0,
		     const uint32_t over[XG_LIM_SRC], uint32_t last)
{
	struct xg_in6 key = v4_key(src);
	struct xg_src s;

	if (h_track_lookup(&key, &s)) {
		fail(name, "%s is not tracked", src);
		return -1;
	}
	if (memcmp(s.over, over, sizeof(s.over)) || s.last_over != last ||
	    s.win_start < t0 || s.win_start > h_boot_ns() || s.strikes) {
		fail(name,
		     "over %u %u %u %u last_over %u strikes %u, window "
		     "%lld ms old; want over %u %u %u %u last_over %u",
		     s.over[0], s.over[1], s.over[2], s.over[3], s.last_over,
		     s.strikes,
		     (long long)(h_boot_ns() - s.win_start) / 1000000, over[0],
		     over[1], over[2], over[3], last);
		return -1;
	}
	return 0;
}

/* Bans off: the windows are kept all the same, and nobody is banned. */
static void f_windows(void)
{
	const char *count = "window: rate drops count in over[], bans off";
	const char *next = "window: closing the window before sets last_over";
	const char *stale = "window: a window with a quiet second after: 0";
	static const uint32_t udp3[XG_LIM_SRC] = { [XG_LIM_UDP] = 3 };
	static const uint32_t udp1[XG_LIM_SRC] = { [XG_LIM_UDP] = 1 };
	struct xg_config cfg = one_limit(XG_LIM_UDP, 1, 2);
	uint64_t t0 = h_boot_ns();

	record(!setup_limits(count, &cfg) &&
	       !udp_from(count, "198.18.0.1", 2, XG_R_PASS) &&
	       !udp_from(count, "198.18.0.1", 3, XG_R_RATE_UDP) &&
	       !window_is(count, "198.18.0.1", t0, udp3, 0) &&
	       hits_is(count, 1, "198.18.0.1", -1) == 0);

	t0 = h_boot_ns();
	record(!setup_limits(next, &cfg) &&
	       !put_window("198.18.0.2", 1500, 9) &&
	       !udp_from(next, "198.18.0.2", 1, XG_R_RATE_UDP) &&
	       !window_is(next, "198.18.0.2", t0, udp1, 1 + 2 + 3 + 4));

	t0 = h_boot_ns();
	record(!setup_limits(stale, &cfg) &&
	       !put_window("198.18.0.3", 2500, 9) &&
	       !udp_from(stale, "198.18.0.3", 1, XG_R_RATE_UDP) &&
	       !window_is(stale, "198.18.0.3", t0, udp1, 0));
}

/* Beyond XG_OVER_EXACT drops a window, one in XG_OVER_SAMPLE adds
 * XG_OVER_SAMPLE: the count moves in steps of XG_OVER_SAMPLE and stays
 * near the drops sent (7 standard deviations either side); counted one
 * by one they would not be a multiple of XG_OVER_SAMPLE.
 */
static void f_windows_sampled(void)
{
	const char *name = "window: over XG_OVER_EXACT drops are sampled";
	struct xg_config cfg = one_limit(XG_LIM_UDP, 1, 2);
	struct xg_in6 key = v4_key("198.18.0.4");
	uint32_t n = 3203, got, steps, lo, hi;
	uint64_t now = h_boot_ns();
	struct xg_src s = { .win_start = now };
	int ok;

	s.tat[XG_LIM_UDP] = now + 3600 * SEC_NS;
	s.over[XG_LIM_UDP] = XG_OVER_EXACT - 10;
	lo = n / XG_OVER_SAMPLE - 7 * 14;
	hi = n / XG_OVER_SAMPLE + 7 * 14;
	ok = !setup_limits(name, &cfg) && !h_track_update(&key, &s) &&
	     !udp_from(name, "198.18.0.4", 10 + n, XG_R_RATE_UDP) &&
	     !h_track_lookup(&key, &s);
	if (ok) {
		got = s.over[XG_LIM_UDP];
		steps = (got - XG_OVER_EXACT) / XG_OVER_SAMPLE;
		ok = got >= XG_OVER_EXACT &&
		     (got - XG_OVER_EXACT) % XG_OVER_SAMPLE == 0 &&
		     steps >= lo && steps <= hi;
		if (!ok)
			fail(name,
			     "over %u after %u drops, want %u + %u x [%u, %u]",
			     got, XG_OVER_EXACT + n, XG_OVER_EXACT,
			     XG_OVER_SAMPLE, lo, hi);
	}
	record(ok);
}

static void run_observability(void)
{
	f_slots();
	f_event_fields();
	f_event_rates();
	f_event_budget();
	f_event_lost();
	f_event_skip();
	f_windows();
	f_windows_sampled();
}

/* ---- --bench: cost per packet, printed, not asserted -------------------- */

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
static int bench_cpus(const char *what, void (*build)(struct frame *f),
		      const struct xg_config *cfg, int (*setup)(void),
		      uint32_t repeat, int want, int cpus)
{
	struct frame f = { 0 };
	uint32_t ns[BENCH_RUNS];
	int verdict = -1, i;

	build(&f);
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

static int bench_one(const char *what, void (*build)(struct frame *f),
		     const struct xg_config *cfg, int (*setup)(void),
		     uint32_t repeat, int want)
{
	return bench_cpus(what, build, cfg, setup, repeat, want, 1);
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

static void b4_ack_in_prefixes(struct frame *f)
{
	tcp4_flags(f, "198.18.16.200", TCP_ACK); /* its /24 has prefixes */
}

/* The budget and the ceiling spent by two other sources. */
static int fill_budget(void)
{
	struct frame f = { 0 };

	udp4_from(&f, "198.18.0.201");
	if (h_run(&f, f.len) < 0)
		return -1;
	udp4_from(&f, "198.18.0.202");
	return h_run(&f, f.len) < 0 ? -1 : 0;
}

/* A full ring buffer: every drop within the budget is lost. */
static int fill_ring(void)
{
	struct frame f = { 0 };

	b4_tcp(&f);
	if (s_block4())
		return -1;
	return h_run_n(&f, XG_EVENTS_BYTES / 64) < 0 ? -1 : 0;
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
	if (bench_one("udp, limits off", b4_udp, &off, NULL, BENCH_REPEAT,
		      XDP_PASS) ||
	    bench_one("udp pass, limits on (source tracked)", b4_udp, &on, NULL,
		      BENCH_REPEAT, XDP_PASS) ||
	    bench_one("tcp ack, prefix lists, its /24 has none", b4_ack, &on,
		      s_prefixes, BENCH_REPEAT, XDP_PASS) ||
	    bench_one("tcp ack, prefix lists, its /24 has some",
		      b4_ack_in_prefixes, &on, s_prefixes, BENCH_REPEAT,
		      XDP_PASS) ||
	    bench_one("udp, untracked, budget and ceiling empty", b4_udp,
		      &refused, fill_budget, BENCH_REPEAT, XDP_DROP) ||
	    bench_one("tcp ack, limits on (no tracker)", b4_ack, &on, NULL,
		      BENCH_REPEAT, XDP_PASS) ||
	    bench_one("ipv6 udp pass, limits on", b6_udp, &on, NULL,
		      BENCH_REPEAT, XDP_PASS) ||
	    bench_one("blocklisted, events off", b4_tcp, &ev_off, s_block4,
		      BENCH_REPEAT, XDP_DROP) ||
	    bench_one("blocklisted, events on (sampled out)", b4_tcp, &ev_on,
		      s_block4, BENCH_REPEAT, XDP_DROP) ||
	    bench_one("blocklisted, events on (every drop sent)", b4_tcp,
		      &ev_all, s_block4, BENCH_SENT_REPEAT, XDP_DROP) ||
	    bench_one("blocklisted, events on (ring full: lost)", b4_tcp,
		      &ev_all, fill_ring, BENCH_REPEAT, XDP_DROP) ||
	    bench_one("syn over its rate, events off (ban on)", b4_tcp, &syn,
		      NULL, BENCH_REPEAT, XDP_DROP) ||
	    bench_one("syn over its rate, events on (sampled out)", b4_tcp,
		      &syn_ev, NULL, BENCH_REPEAT, XDP_DROP))
		return 1;
	/* One source on every CPU at once, as RSS spreads a flood: the
	 * cache lines the CPUs share are what this measures.
	 */
	if (sysconf(_SC_NPROCESSORS_ONLN) < 2)
		return 0;
	if (bench_cpus("2 CPUs: blocklisted, events on", b4_tcp, &ev_on,
		       s_block4, BENCH_REPEAT, XDP_DROP, 2) ||
	    bench_cpus("2 CPUs: syn over its rate (ban on)", b4_tcp, &syn, NULL,
		       BENCH_REPEAT, XDP_DROP, 2) ||
	    bench_cpus("2 CPUs: udp pass, source tracked", b4_udp, &on, NULL,
		       BENCH_REPEAT, XDP_PASS, 2))
		return 1;
	return 0;
}

int main(int argc, char **argv)
{
	size_t i;

	h_real_clock = argc > 1 && !strcmp(argv[1], "--bench");
	if (h_open()) {
		h_close();
		printf("0 passed, 1 failed\n");
		return 1;
	}
	if (h_real_clock) {
		i = bench();
		h_close();
		return i;
	}
	{
		uint32_t insns, jited, verified;

		/* not asserted: the margin to the verifier's 1M limit, in
		 * the kernel guests' logs too
		 */
		if (!h_prog_size(&insns, &jited, &verified))
			printf("# program: %u instructions, %u verified\n",
			       insns, verified);
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	run_truncations();
	run_floods();
	if (load_copies())
		fail("load copies",
		     "cannot load the program with xg_ifslot set");
	run_observability();
	/* The table and the cuts again, with events on. */
	events_mode = 1;
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	run_truncations();
	events_mode = 0;
	h_close();

	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
