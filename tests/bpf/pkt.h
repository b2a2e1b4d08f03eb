/* SPDX-License-Identifier: GPL-2.0 */
/* Included by the packet tests: builds test frames byte by byte. */
#ifndef XG_TEST_PKT_H
#define XG_TEST_PKT_H

#include <stddef.h>
#include <stdint.h>

/* Comfortably above the largest frame a case builds (an IPv6 chain of
 * eight extension headers), below a page, which BPF_PROG_TEST_RUN needs.
 */
#define FRAME_MAX 1024

struct frame {
	uint8_t buf[FRAME_MAX];
	size_t len;
	size_t l3; /* offset of the IP header, for the length fix-ups */
};

void put_eth(struct frame *f, uint16_t proto);
void put_vlan(struct frame *f, uint16_t tci, uint16_t proto);
void put_bytes(struct frame *f, const void *p, size_t n);
void put_zero(struct frame *f, size_t n);

/* IPv4 header of @ihl words (options are NOPs); tot_len is set by
 * ip_end(). @frag is the host-order frag_off field (flags and offset).
 */
void put_ipv4(struct frame *f, const char *saddr, uint8_t proto, int ihl,
	      uint16_t frag);
void put_ipv6(struct frame *f, const char *saddr, uint8_t nexthdr);
/* Hop-by-hop, routing or destination options of (@len8 + 1) * 8 bytes. */
void put_ext6(struct frame *f, uint8_t nexthdr, uint8_t len8);
void put_frag6(struct frame *f, uint8_t nexthdr, uint16_t offset, int more);
/* AH of (@hdrlen + 2) * 4 bytes. */
void put_ah6(struct frame *f, uint8_t nexthdr, uint8_t hdrlen);
/* Writes tot_len (IPv4) or payload_len (IPv6) from the frame length. */
void ip_end(struct frame *f);
/* Overrides the length field ip_end() wrote. */
void set_ip_len(struct frame *f, uint16_t len);

void put_tcp(struct frame *f, int doff);
void put_udp(struct frame *f);
void put_icmp(struct frame *f, uint8_t type);

#endif /* XG_TEST_PKT_H */
