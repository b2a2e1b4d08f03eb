/* SPDX-License-Identifier: GPL-2.0 */
/* Included by the xg-gen sources: the frame, the address rules, the
 * neighbour lookup.
 */
#ifndef XG_GEN_H
#define XG_GEN_H

#include <stdint.h>
#include <netinet/in.h>

enum gen_proto {
	GEN_SYN = 0,
	GEN_ACK,
	GEN_UDP,
	GEN_ICMP,
	GEN_FRAG, /* a non-first fragment: no L4 header */
};

/* An IPv4 (family AF_INET, in addr[0]) or IPv6 address, network order. */
struct gen_addr {
	int family;
	uint32_t addr[4];
	unsigned int prefix_len; /* 32 or 128 for a plain address */
};

#define GEN_FRAME_MAX 1514
#define GEN_FRAME_MIN 60 /* Ethernet minimum without the FCS */
/* Bytes before the frame in every live frame, which gen_tx takes off
 * (gen.bpf.c says why).
 */
#define GEN_TX_PAD 8

struct gen_frame {
	uint8_t dst_mac[6];
	uint8_t src_mac[6];
	struct gen_addr src, dst;
	enum gen_proto proto;
	uint16_t sport, dport;
	unsigned int size; /* wanted frame length; at least the headers */

	/* Filled by gen_frame_build() */
	uint8_t data[GEN_FRAME_MAX];
	unsigned int len;
	unsigned int src_off; /* offset of the source address */
	unsigned int ip_csum_off; /* 0: none (IPv6) */
	unsigned int l4_csum_off; /* 0: none covering the source address */
	int l4_udp;
};

int gen_parse_proto(const char *s, enum gen_proto *p);
const char *gen_proto_name(enum gen_proto p);
/* Returns 0, or -EINVAL (not an address or prefix), -EDOM (outside the
 * benchmark ranges 198.18.0.0/15 and 2001:db8::/32).
 */
int gen_parse_addr(const char *s, struct gen_addr *a, int prefix_ok);
int gen_parse_mac(const char *s, uint8_t mac[6]);
int gen_frame_build(struct gen_frame *f);
/* Host bits of a prefix as per-word masks in network order. */
void gen_host_mask(const struct gen_addr *pfx, uint32_t mask[4]);

/* MAC address of ADDR in the neighbour table of ifindex; -ENOENT if it
 * has no usable entry.
 */
int gen_neigh_lookup(int ifindex, const struct gen_addr *addr, uint8_t mac[6]);

#endif /* XG_GEN_H */
