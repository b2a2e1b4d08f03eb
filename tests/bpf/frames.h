/* SPDX-License-Identifier: GPL-2.0 */
/* Included by the packet tests and bench-xdp: the frames more than one
 * subject sends, as frame_spec initializers, so a table row names its
 * frame in a word; a frame only one place sends is written in its row.
 */
#ifndef XG_TEST_FRAMES_H
#define XG_TEST_FRAMES_H

#include <linux/if_ether.h>
#include <netinet/in.h>

#include "pkt.h"

#define TCP_FIN 0x01
#define TCP_SYN 0x02
#define TCP_PSH 0x08
#define TCP_ACK 0x10
#define TCP_URG 0x20
#define TCP_ECE 0x40
#define TCP_CWR 0x80
#define IP_MF 0x2000

/* A frame_spec initializer: FRAME(.ip = 4, .proto = IPPROTO_UDP). A
 * macro, so that clang-format packs a table row as it would a call.
 */
/* clang-format off */
#define FRAME(...)	{ __VA_ARGS__ }
#define DSTOPT		{ EXT_DSTOPTS, 0 } /* a destination options header */
/* clang-format on */

/* Empties @f and builds @spec (FRAME(...) or a name below) into it. */
#define BUILD(f, spec) build_frame((f), &(const struct frame_spec)spec)

/* IPv4 from SRC4 to DST4; a SYN from port 40000 to 80, UDP to 53. */
#define B4_TCP FRAME(.ip = 4, .proto = IPPROTO_TCP)
#define B4_ACK FRAME(.ip = 4, .proto = IPPROTO_TCP, .tcp_flags = TCP_ACK)
#define B4_UDP FRAME(.ip = 4, .proto = IPPROTO_UDP)
#define B4_ICMP FRAME(.ip = 4, .proto = IPPROTO_ICMP)
#define B4_GRE FRAME(.ip = 4, .proto = IPPROTO_GRE, .payload = 4)
#define B4_IHL4 FRAME(.ip = 4, .proto = IPPROTO_TCP, .ihl = 4)
#define B4_TCP_DOFF4 FRAME(.ip = 4, .proto = IPPROTO_TCP, .doff = 4)
#define B4_UDP_CUT \
	FRAME(.ip = 4, .proto = IPPROTO_UDP, .no_l4 = 1, .payload = 7)
#define B4_FRAG_FIRST \
	FRAME(.ip = 4, .proto = IPPROTO_TCP, .frag = IP_MF, .payload = 16)
/* Eight payload bytes that would be a TCP header with doff 0. */
#define B4_FRAG_LATER \
	FRAME(.ip = 4, .proto = IPPROTO_TCP, .frag = 100, .payload = 8)
#define B_VLAN_TCP FRAME(.vlan = { 100 }, .ip = 4, .proto = IPPROTO_TCP)
#define B_VLAN_CUT FRAME(.ethertype = ETH_P_8021Q)
#define B_QINQ_UDP FRAME(.vlan = { 100, 200 }, .ip = 4, .proto = IPPROTO_UDP)

/* IPv6 from SRC6 to DST6. */
#define B6_TCP FRAME(.ip = 6, .proto = IPPROTO_TCP)
#define B6_UDP FRAME(.ip = 6, .proto = IPPROTO_UDP)
#define B6_ICMP6 FRAME(.ip = 6, .proto = IPPROTO_ICMPV6)
#define B6_ICMP6_CUT \
	FRAME(.ip = 6, .proto = IPPROTO_ICMPV6, .no_l4 = 1, .payload = 4)
/* In SRC6's /64, outside its /128. */
#define B6_TCP_IN_64 \
	FRAME(.ip = 6, .proto = IPPROTO_TCP, .src = "2001:db8::ffff:1")
/* Hop-by-hop, routing, destination options, TCP with options. */
#define B6_CHAIN                             \
	FRAME(.ip = 6,                       \
	      .ext = { { EXT_HOP, 0 },       \
		       { EXT_ROUTING, 2 },   \
		       { EXT_DSTOPTS, 1 } }, \
	      .proto = IPPROTO_TCP, .doff = 6)
#define B6_AH_UDP FRAME(.ip = 6, .ext = { { EXT_AH, 4 } }, .proto = IPPROTO_UDP)
/* Hop-by-hop claiming 40 bytes with 8 in the packet. */
#define B6_EXT_OVERRUN                                        \
	FRAME(.ip = 6, .ext = { { EXT_HOP, 0, .claim = 4 } }, \
	      .proto = IPPROTO_TCP, .no_l4 = 1)
/* One more than the program walks: no upper layer seen. */
#define B6_NINE_EXT                                                            \
	FRAME(.ip = 6,                                                         \
	      .ext = { DSTOPT, DSTOPT, DSTOPT, DSTOPT, DSTOPT, DSTOPT, DSTOPT, \
		       DSTOPT, DSTOPT },                                       \
	      .proto = IPPROTO_TCP)
#define B6_FRAG_LATER                                                     \
	FRAME(.ip = 6,                                                    \
	      .ext = { { EXT_HOP, 0 }, { EXT_FRAGMENT, .offset = 100 } }, \
	      .proto = IPPROTO_TCP, .payload = 4)

#endif /* XG_TEST_FRAMES_H */
