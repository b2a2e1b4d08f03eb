// SPDX-License-Identifier: GPL-2.0
/* Packet tests for the XDP program: one table of frames with the verdict,
 * class and reason each must get, every truncation of a few frames, then
 * sequences for the rate limits and automatic bans (about 2 s of sleep).
 * `test_xdp --bench` prints the program size and ns per packet instead.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

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

static void fail(const char *name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void fail(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("FAIL %s: ", name);
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
	{ "ipv4 malformed l3 from blocked source", b4_totlen_big, s_block4, 0,
	  P(OTHER_IP), XG_R_MALFORMED, NULL },
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
	{ "ipv6 nine ext headers stop the walk", b6_nine_ext, NULL, 0,
	  P(OTHER_IP), XG_R_PASS, NULL },
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

/* Runs @len bytes of @f; returns the one counter slot that moved by one
 * packet of @len bytes, or -1 (after saying why) if the counters moved
 * any other way. *@verdict gets the XDP action.
 */
static int run_counted(const char *name, const struct frame *f, size_t len,
		       int *verdict)
{
	struct xg_counter before[XG_STATS_SLOTS], after[XG_STATS_SLOTS];
	int slot = -1, i;

	if (h_read_stats(before)) {
		fail(name, "cannot read xg_stats");
		return -1;
	}
	*verdict = h_run(f, len);
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
		if (dp != 1 || db != len || slot >= 0) {
			fail(name,
			     "%zu bytes: slot %d (class %d reason %d) moved "
			     "+%llu packets +%llu bytes",
			     len, i, i / XG_R_SLOTS, i % XG_R_SLOTS,
			     (unsigned long long)dp, (unsigned long long)db);
			return -1;
		}
		slot = i;
	}
	if (slot < 0)
		fail(name, "%zu bytes: no counter moved", len);
	return slot;
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
	if (h_reset(c->flags) || (c->setup && c->setup())) {
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
 * source is blocklisted: a bad L3 header counts as malformed first.
 */
static int truncate_raw(const struct tframe *t, const struct frame *f,
			uint32_t flags)
{
	char name[128];
	int verdict, slot, ok = 1;
	size_t len;

	snprintf(name, sizeof(name), "cut %s%s", t->name,
		 flags ? ", drop-malformed" : "");
	if (h_reset(flags) || h_add(1, "198.18.0.0/15", 0) ||
	    h_add(1, "2001:db8::/32", 0)) {
		fail(name, "cannot set up the maps");
		return record(0);
	}
	for (len = ETH_HLEN; len < f->len && ok; len++) {
		int class = len < t->l2_len ? XG_C_NON_IP : XG_C_OTHER_IP;
		int want = class * XG_R_SLOTS + XG_R_MALFORMED;

		slot = run_counted(name, f, len, &verdict);
		if (slot < 0) {
			ok = 0;
		} else if (slot != want ||
			   verdict != expected_verdict(XG_R_MALFORMED, flags)) {
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

	snprintf(name, sizeof(name), "cut %s, length fitted%s", t->name,
		 blocked ? ", source blocked" : "");
	if (h_reset(0) ||
	    (blocked && (h_add(1, SRC4, 0) || h_add(1, SRC6, 0)))) {
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

/* ---- rate limits and automatic bans --------------------------------------- */

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
		cfg.limit[k] = (struct xg_limit){ 1, 2 };
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

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts))
		;
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
		sleep_ms(1100);
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

/* One SYN from each of @n sources 198.18.1.x; 0 if each got @reason. */
static int syns_from(const char *name, int first, int n, int reason)
{
	char src[32];
	int i;

	for (i = first; i < first + n; i++) {
		struct frame f = { 0 };

		snprintf(src, sizeof(src), "198.18.%d.%d", 1 + i / 250,
			 1 + i % 250);
		tcp4(&f, src, 5, 5);
		if (send_expect(name, &f, 1, XG_C_TCP, reason))
			return -1;
	}
	return 0;
}

static void f_syn_global(void)
{
	const char *many = "syn global: ceiling over many sources";
	const char *order = "syn global: a per-source drop takes no token";
	const char *alone = "syn global: without per-source limit, no tracker";
	struct xg_config cfg = one_limit(XG_LIM_SYN, 1, 2);
	struct frame f = { 0 };

	cfg.limit[XG_LIM_SYN_GLOBAL] = (struct xg_limit){ 1, 10 };
	record(!setup_limits(many, &cfg) &&
	       !syns_from(many, 0, 10, XG_R_PASS) &&
	       !syns_from(many, 10, 290, XG_R_SYN_GLOBAL) &&
	       /* an empty ceiling drops before the tracker: a spoofed
		* flood does not pay an LRU insert per new source */
	       !track_is(many, 10));

	cfg.limit[XG_LIM_SYN_GLOBAL].burst = 3;
	tcp4(&f, SRC4, 5, 5);
	record(!setup_limits(order, &cfg) &&
	       !send_expect(order, &f, 2, XG_C_TCP, XG_R_PASS) &&
	       !send_expect(order, &f, 2, XG_C_TCP, XG_R_RATE_SYN) &&
	       !syns_from(order, 0, 1, XG_R_PASS) &&
	       !syns_from(order, 1, 1, XG_R_SYN_GLOBAL));

	cfg.limit[XG_LIM_SYN].rate = 0;
	record(!setup_limits(alone, &cfg) &&
	       !syns_from(alone, 0, 3, XG_R_PASS) &&
	       !syns_from(alone, 3, 1, XG_R_SYN_GLOBAL) && !track_is(alone, 0));
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
		cfg.limit[k] = (struct xg_limit){ 1, 1 };
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

	sleep_ms(1050);
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

static void run_floods(void)
{
	f_bursts();
	f_malformed_bursts();
	f_classes_apart();
	f_sources();
	f_syn_global();
	f_not_limited();
	f_slot_flip();
	f_refill();
	f_autoban();
}

/* ---- --bench: cost per packet, printed, not asserted -------------------- */

#define BENCH_REPEAT 1000000

static int bench_one(const char *what, void (*build)(struct frame *f),
		     const struct xg_config *cfg, int want)
{
	struct frame f = { 0 };
	uint32_t ns;
	int verdict;

	build(&f);
	if (h_reset(0) || h_write_config(0, cfg))
		return -1;
	verdict = h_bench(&f, BENCH_REPEAT, &ns);
	if (verdict < 0)
		return -1;
	printf("%-44s %5u ns/packet  %s%s\n", what, ns,
	       verdict == XDP_PASS ? "pass" : "drop",
	       verdict == want ? "" : " (unexpected)");
	return 0;
}

static int bench(void)
{
	struct xg_config off, on, syn;
	uint32_t insns, jited, verified;

	if (h_prog_size(&insns, &jited, &verified))
		return 1;
	printf("program: %u xlated instructions, %u bytes jited, "
	       "%u instructions verified\n",
	       insns, jited, verified);
	h_config_off(&off);
	h_config_defaults(&on);
	/* Far above what the loop sends, so every packet takes a token. */
	on.limit[XG_LIM_UDP] = (struct xg_limit){ 100000000, 1000000000 };
	h_config_defaults(&syn);
	syn.limit[XG_LIM_SYN] = (struct xg_limit){ 1, 1 };
	if (bench_one("udp, limits off", b4_udp, &off, XDP_PASS) ||
	    bench_one("udp pass, limits on (source tracked)", b4_udp, &on,
		      XDP_PASS) ||
	    bench_one("tcp ack, limits on (no tracker)", b4_ack, &on,
		      XDP_PASS) ||
	    bench_one("syn over its rate (dropped, ban on)", b4_tcp, &syn,
		      XDP_DROP) ||
	    bench_one("ipv6 udp pass, limits on", b6_udp, &on, XDP_PASS))
		return 1;
	return 0;
}

int main(int argc, char **argv)
{
	size_t i;

	if (h_open()) {
		h_close();
		printf("0 passed, 1 failed\n");
		return 1;
	}
	if (argc > 1 && !strcmp(argv[1], "--bench")) {
		i = bench();
		h_close();
		return i;
	}
	for (i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		run_case(&cases[i]);
	run_truncations();
	run_floods();
	h_close();

	printf("%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
