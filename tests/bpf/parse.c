// SPDX-License-Identifier: GPL-2.0
/* Packet tests of the parser: L2, IPv4 and IPv6 headers, well formed and
 * malformed, one row each; then every truncation of a few frames.
 */
#include <stdio.h>

#include "check.h"

#define B_ARP                                         \
	{                                             \
		.ethertype = ETH_P_ARP, .payload = 28 \
	}
/* tot_len one past the frame */
#define B4_TOTLEN_BIG                                       \
	{                                                   \
		.ip = 4, .proto = IPPROTO_TCP, .ip_len = 41 \
	}

static const struct tcase cases[] = {
	/* L2 */
	{ "arp is non-ip", B_ARP, NULL, 0, P(NON_IP), XG_R_PASS, NULL },
	{ "arp with drop-malformed", B_ARP, NULL, DROP_MAL, P(NON_IP),
	  XG_R_PASS, NULL },
	{ "vlan tag cut off", B_VLAN_CUT, NULL, 0, P(NON_IP), XG_R_MALFORMED,
	  NULL },
	{ "vlan tag cut off, drop-malformed", B_VLAN_CUT, NULL, DROP_MAL,
	  D(NON_IP), XG_R_MALFORMED, NULL },
	{ "vlan ipv4 tcp", B_VLAN_TCP, NULL, 0, P(TCP), XG_R_PASS, NULL },
	{ "vlan ipv4 tcp blocked", B_VLAN_TCP, s_block4, 0, D(TCP),
	  XG_R_BLOCKLISTED, NULL },
	{ "qinq ipv4 udp", B_QINQ_UDP, NULL, 0, P(UDP), XG_R_PASS, NULL },
	{ "qinq ipv4 udp blocked", B_QINQ_UDP, s_block4_prefix, 0, D(UDP),
	  XG_R_BLOCKLISTED, NULL },
	{ "qinq ipv6 udp blocked",
	  FRAME(.vlan = { 100, 200 }, .ip = 6, .proto = IPPROTO_UDP), s_block6,
	  0, D(UDP), XG_R_BLOCKLISTED, NULL },
	{ "three vlan tags are not ip",
	  FRAME(.vlan = { 100, 200, 300 }, .ip = 4, .proto = IPPROTO_UDP),
	  s_block4, 0, P(NON_IP), XG_R_PASS, NULL },

	/* IPv4 */
	{ "ipv4 tcp", B4_TCP, NULL, 0, P(TCP), XG_R_PASS, NULL },
	{ "ipv4 udp", B4_UDP, NULL, 0, P(UDP), XG_R_PASS, NULL },
	{ "ipv4 icmp", B4_ICMP, NULL, 0, P(ICMP), XG_R_PASS, NULL },
	/* AH over IPv4 (RFC 4302): a protocol like any other, not the IPv6
	 * extension header of the same number.
	 */
	{ "ipv4 ah is other-ip, not an ipv6 chain",
	  FRAME(.ip = 4, .proto = IPPROTO_AH, .payload = 12), NULL, DROP_MAL,
	  P(OTHER_IP), XG_R_PASS, NULL },
	{ "ipv4 gre is other-ip", B4_GRE, NULL, 0, P(OTHER_IP), XG_R_PASS,
	  NULL },
	{ "ipv4 carrying icmpv6 is other-ip",
	  FRAME(.ip = 4, .proto = IPPROTO_ICMPV6), NULL, 0, P(OTHER_IP),
	  XG_R_PASS, NULL },
	{ "ipv4 ihl 6", FRAME(.ip = 4, .proto = IPPROTO_TCP, .ihl = 6), NULL, 0,
	  P(TCP), XG_R_PASS, NULL },
	{ "ipv4 ihl 15, tcp options",
	  FRAME(.ip = 4, .proto = IPPROTO_TCP, .ihl = 15, .doff = 8), NULL, 0,
	  P(TCP), XG_R_PASS, NULL },
	{ "ipv4 ihl 4", B4_IHL4, NULL, 0, P(OTHER_IP), XG_R_MALFORMED, NULL },
	{ "ipv4 ihl 4, drop-malformed", B4_IHL4, NULL, DROP_MAL, D(OTHER_IP),
	  XG_R_MALFORMED, NULL },
	{ "ipv4 ethertype, version 6",
	  FRAME(.ip = 4, .proto = IPPROTO_TCP, .version = 6), NULL, 0,
	  P(OTHER_IP), XG_R_MALFORMED, NULL },
	{ "ipv4 tot_len past the frame", B4_TOTLEN_BIG, NULL, 0, P(OTHER_IP),
	  XG_R_MALFORMED, NULL },
	{ "ipv4 tot_len under 20",
	  FRAME(.ip = 4, .proto = IPPROTO_TCP, .ip_len = 19), NULL, 0,
	  P(OTHER_IP), XG_R_MALFORMED, NULL },
	{ "ipv4 tot_len under ihl*4",
	  FRAME(.ip = 4, .proto = IPPROTO_TCP, .ihl = 6, .ip_len = 20), NULL, 0,
	  P(OTHER_IP), XG_R_MALFORMED, NULL },
	/* the header is there, so is its source: the lists see it */
	{ "ipv4 bad length from a blocked source", B4_TOTLEN_BIG, s_block4, 0,
	  D(OTHER_IP), XG_R_BLOCKLISTED, NULL },
	{ "ipv4 bad length from an allowed source", B4_TOTLEN_BIG,
	  s_allow_and_block4, DROP_MAL, P(OTHER_IP), XG_R_ALLOWLISTED, NULL },
	/* a 54-byte SYN padded to Ethernet's minimum 60 */
	{ "ipv4 tcp in a padded frame",
	  FRAME(.ip = 4, .proto = IPPROTO_TCP, .pad = 6), NULL, 0, P(TCP),
	  XG_R_PASS, NULL },
	/* the UDP header is in the frame, but beyond what tot_len covers */
	{ "ipv4 udp header past tot_len",
	  FRAME(.ip = 4, .proto = IPPROTO_UDP, .ip_len = 24), NULL, 0, P(UDP),
	  XG_R_MALFORMED, NULL },
	{ "ipv4 first fragment", B4_FRAG_FIRST, NULL, 0, P(TCP), XG_R_PASS,
	  NULL },
	{ "ipv4 first fragment, tcp cut",
	  FRAME(.ip = 4, .proto = IPPROTO_TCP, .frag = IP_MF, .no_l4 = 1,
		.payload = 8),
	  NULL, 0, P(TCP), XG_R_MALFORMED, NULL },
	{ "ipv4 later fragment skips l4", B4_FRAG_LATER, NULL, DROP_MAL, P(TCP),
	  XG_R_PASS, NULL },
	{ "ipv4 later fragment, blocked host", B4_FRAG_LATER, s_block4, 0,
	  D(TCP), XG_R_BLOCKLISTED, NULL },
	{ "ipv4 later fragment, blocked prefix", B4_FRAG_LATER, s_block4_prefix,
	  0, D(TCP), XG_R_BLOCKLISTED, NULL },
	{ "ipv4 tcp doff 4", B4_TCP_DOFF4, NULL, 0, P(TCP), XG_R_MALFORMED,
	  NULL },
	{ "ipv4 tcp doff 4, drop-malformed", B4_TCP_DOFF4, NULL, DROP_MAL,
	  D(TCP), XG_R_MALFORMED, NULL },
	{ "ipv4 tcp doff past the end",
	  FRAME(.ip = 4, .proto = IPPROTO_TCP, .doff_claim = 15), NULL, 0,
	  P(TCP), XG_R_MALFORMED, NULL },
	{ "ipv4 tcp cut",
	  FRAME(.ip = 4, .proto = IPPROTO_TCP, .no_l4 = 1, .payload = 19), NULL,
	  0, P(TCP), XG_R_MALFORMED, NULL },
	{ "ipv4 udp cut", B4_UDP_CUT, NULL, 0, P(UDP), XG_R_MALFORMED, NULL },
	{ "ipv4 icmp cut",
	  FRAME(.ip = 4, .proto = IPPROTO_ICMP, .no_l4 = 1, .payload = 4), NULL,
	  DROP_MAL, D(ICMP), XG_R_MALFORMED, NULL },

	/* IPv6 */
	{ "ipv6 tcp", B6_TCP, NULL, 0, P(TCP), XG_R_PASS, NULL },
	{ "ipv6 udp", B6_UDP, NULL, 0, P(UDP), XG_R_PASS, NULL },
	{ "ipv6 icmpv6", B6_ICMP6, NULL, 0, P(ICMP), XG_R_PASS, NULL },
	{ "ipv6 carrying icmp is other-ip",
	  FRAME(.ip = 6, .proto = IPPROTO_ICMP, .icmp_type = 128), NULL, 0,
	  P(OTHER_IP), XG_R_PASS, NULL },
	{ "ipv6 no next header", FRAME(.ip = 6, .proto = IPPROTO_NONE), NULL, 0,
	  P(OTHER_IP), XG_R_PASS, NULL },
	{ "ipv6 icmpv6 cut", B6_ICMP6_CUT, NULL, 0, P(ICMP), XG_R_MALFORMED,
	  NULL },
	{ "ipv6 udp cut",
	  FRAME(.ip = 6, .proto = IPPROTO_UDP, .no_l4 = 1, .payload = 4), NULL,
	  DROP_MAL, D(UDP), XG_R_MALFORMED, NULL },
	{ "ipv6 ethertype, version 4",
	  FRAME(.ip = 6, .proto = IPPROTO_TCP, .version = 4), NULL, 0,
	  P(OTHER_IP), XG_R_MALFORMED, NULL },
	{ "ipv6 payload_len past the frame",
	  FRAME(.ip = 6, .proto = IPPROTO_TCP, .ip_len = 21), NULL, 0,
	  P(OTHER_IP), XG_R_MALFORMED, NULL },
	{ "ipv6 hop-by-hop, routing, dest-opts, tcp", B6_CHAIN, NULL, 0, P(TCP),
	  XG_R_PASS, NULL },
	{ "ipv6 ext chain, tcp cut",
	  FRAME(.ip = 6, .ext = { { EXT_HOP, 0 }, { EXT_ROUTING, 0 } },
		.proto = IPPROTO_TCP, .no_l4 = 1, .payload = 12),
	  NULL, 0, P(TCP), XG_R_MALFORMED, NULL },
	{ "ipv6 ext chain, blocked", B6_CHAIN, s_block6, 0, D(TCP),
	  XG_R_BLOCKLISTED, NULL },
	{ "ipv6 ah, udp", B6_AH_UDP, NULL, 0, P(UDP), XG_R_PASS, NULL },
	{ "ipv6 ext header past payload", B6_EXT_OVERRUN, NULL, 0, P(OTHER_IP),
	  XG_R_MALFORMED, NULL },
	{ "ipv6 eight ext headers",
	  FRAME(.ip = 6,
		.ext = { DSTOPT, DSTOPT, DSTOPT, DSTOPT, DSTOPT, DSTOPT, DSTOPT,
			 DSTOPT },
		.proto = IPPROTO_TCP),
	  NULL, 0, P(TCP), XG_R_PASS, NULL },
	/* Too long to walk: no upper layer seen, so malformed (it meets
	 * the limits; f_deep_chain() in limits.c).
	 */
	{ "ipv6 nine ext headers are malformed", B6_NINE_EXT, NULL, 0,
	  P(OTHER_IP), XG_R_MALFORMED, NULL },
	{ "ipv6 nine ext headers, drop-malformed", B6_NINE_EXT, NULL, DROP_MAL,
	  D(OTHER_IP), XG_R_MALFORMED, NULL },
	{ "ipv6 nine ext headers, still blocked", B6_NINE_EXT, s_block6, 0,
	  D(OTHER_IP), XG_R_BLOCKLISTED, NULL },
	{ "ipv6 first fragment",
	  FRAME(.ip = 6, .ext = { { EXT_FRAGMENT, .more = 1 } },
		.proto = IPPROTO_UDP, .payload = 16),
	  NULL, 0, P(UDP), XG_R_PASS, NULL },
	{ "ipv6 later fragment skips l4", B6_FRAG_LATER, NULL, DROP_MAL, P(TCP),
	  XG_R_PASS, NULL },
	{ "ipv6 later fragment, blocked host", B6_FRAG_LATER, s_block6, 0,
	  D(TCP), XG_R_BLOCKLISTED, NULL },
	{ "ipv6 later fragment, blocked prefix", B6_FRAG_LATER, s_block6_prefix,
	  0, D(TCP), XG_R_BLOCKLISTED, NULL },
};

void run_parse_cases(void)
{
	run_cases(cases, ARRAY_SIZE(cases));
}

/* ---- truncation ---------------------------------------------------------- */

struct tframe {
	const char *name;
	struct frame_spec frame;
};

static const struct tframe tframes[] = {
	{ "ipv4 tcp with options",
	  FRAME(.ip = 4, .proto = IPPROTO_TCP, .ihl = 8, .doff = 8) },
	{ "ipv6 ext chain, tcp", B6_CHAIN },
	{ "qinq ipv4 udp", B_QINQ_UDP },
	{ "ipv6 ah, udp", B6_AH_UDP },
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
	ip_end = f->l3 + ((f->buf[f->l3] >> 4) == 6 ? 40 : 20);
	for (len = ETH_HLEN; len < f->len && ok; len++) {
		int class = len < f->l3 ? XG_C_NON_IP : XG_C_OTHER_IP;
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

void run_truncations(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(tframes); i++) {
		const struct tframe *t = &tframes[i];
		struct frame f;

		build_frame(&f, &t->frame);
		truncate_raw(t, &f, 0);
		truncate_raw(t, &f, XG_CFG_DROP_MALFORMED);
		truncate_fitted(t, &f, 0);
		truncate_fitted(t, &f, 1);
	}
}
