/* SPDX-License-Identifier: GPL-2.0 */
/* Included by the packet tests, the fuzzer and bench-xdp: builds test
 * frames, byte by byte (put_*) or from a spec (build_frame()).
 */
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

/* ---- frames as data ------------------------------------------------------ */

/* The addresses a frame has unless its spec names others. */
#define SRC4 "198.18.0.1"
#define DST4 "198.19.0.1"
#define SRC6 "2001:db8::1"
#define DST6 "2001:db8:ffff::1"

/* The IPv6 extension headers a spec can chain; our own numbers, since
 * hop-by-hop's protocol number is 0, which ends a chain here.
 */
enum spec_ext_type {
	EXT_END,
	EXT_HOP, /* hop-by-hop options */
	EXT_ROUTING,
	EXT_DSTOPTS, /* destination options */
	EXT_FRAGMENT,
	EXT_AH,
};

/* One IPv6 extension header. */
struct spec_ext {
	uint8_t type; /* enum spec_ext_type */
	/* Its length field: (len + 1) * 8 bytes, AH (len + 2) * 4. */
	uint8_t len;
	/* Nonzero: the length field says this instead (past the frame). */
	uint8_t claim;
	uint8_t more; /* fragment: more fragments follow */
	uint16_t offset; /* fragment: offset in 8-byte units */
};

/* Room for the longest chain a case builds: one header more than the
 * program walks (XG_MAX_EXTHDR, bpf/parse.h).
 */
#define SPEC_VLANS 3
#define SPEC_EXTS 9

/* A frame as a row of data, built by build_frame(): Ethernet, VLAN tags,
 * an IPv4 or IPv6 header, extension headers, the L4 header of @proto,
 * zero bytes of payload, every length field fitted unless told. A field
 * left 0 means what the put_* functions write.
 */
struct frame_spec {
	uint16_t vlan[SPEC_VLANS]; /* VLAN IDs, outer first; 0 ends */
	/* The type after the tags; 0: that of @ip. Without @ip, the frame
	 * ends with @payload zero bytes after it.
	 */
	uint16_t ethertype;
	uint8_t ip; /* IP version: 4, 6, or 0 for none */
	uint8_t version; /* nonzero: the version field says this instead */
	uint8_t ihl; /* IPv4 header in words; 0: 5. Options are NOPs */
	uint16_t frag; /* IPv4 frag_off, host order: IP_MF | offset */
	uint16_t ip_len; /* nonzero: tot_len or payload_len says this */
	const char *src; /* NULL: SRC4 or SRC6 */
	const char *dst; /* NULL: DST4 or DST6 */
	struct spec_ext ext[SPEC_EXTS]; /* EXT_END ends the chain */
	/* TCP, UDP, ICMP and ICMPv6 get a header unless @no_l4, or the
	 * frame is a later fragment (IPv4 offset or IPv6 fragment header).
	 */
	uint8_t proto;
	uint8_t no_l4; /* no L4 header (cut off): @payload stands in */
	uint8_t doff; /* TCP header in words; 0: 5 (at least 20 bytes) */
	uint8_t doff_claim; /* nonzero: the data offset says this instead */
	uint8_t tcp_flags; /* 0: SYN */
	uint8_t icmp_type; /* 0: echo request (ICMP 8, else 128) */
	uint8_t ports; /* nonzero: the TCP/UDP ports are @sport, @dport */
	uint16_t sport, dport; /* else 40000 and 80 (TCP) or 53 (UDP) */
	uint8_t ttl; /* nonzero: the TTL or hop limit says this */
	uint8_t tos; /* IPv4 TOS, IPv6 traffic class */
	uint16_t payload; /* zero bytes after the headers, in the IP length */
	uint16_t pad; /* zero bytes after the IP packet (Ethernet padding) */
};

/* Empties @f and builds @s into it. */
void build_frame(struct frame *f, const struct frame_spec *s);

#endif /* XG_TEST_PKT_H */
