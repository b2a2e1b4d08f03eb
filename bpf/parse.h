/* SPDX-License-Identifier: GPL-2.0 */
/* Included by xdpguard.bpf.c: bounded parsers from Ethernet to L4. */
#ifndef XG_BPF_PARSE_H
#define XG_BPF_PARSE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* 802.1Q and 802.1ad (QinQ): more tags than this are not IP to us. */
#define XG_MAX_VLAN 2
/* RFC 8200 sets no limit; real traffic carries two or three, and the
 * verifier walks every iteration.
 */
#define XG_MAX_EXTHDR 8
/* Above any offset a valid walk reaches (22 + 60 or 22 + 40 + 8 * 2048);
 * bounds the cursor for the verifier.
 */
#define XG_MAX_OFF 0x7fff
/* Kernel-internal (net/ip.h), not in uapi. */
#define XG_IP_OFFSET 0x1fff
/* Fragment offset bits of the IPv6 fragment header (RFC 8200 4.5). */
#define XG_IP6_OFFSET 0xfff8
/* Bits of byte 13 of the TCP header (RFC 9293 3.1): read as a byte, so
 * the test does not depend on the bitfield order of struct tcphdr.
 */
#define XG_TCP_FLAGS_OFF 13
#define XG_TCP_FIN 0x01
#define XG_TCP_SYN 0x02
#define XG_TCP_RST 0x04
#define XG_TCP_ACK 0x10
/* ICMP and ICMPv6 headers (RFC 792, RFC 4443): type, code, checksum and
 * four bytes more. Their uapi headers are not included: linux/icmp.h pulls
 * in linux/if.h and with it glibc's sys/socket.h, which under -target bpf
 * wants the 32-bit stubs of libc6-dev-i386. BPF code includes no libc.
 */
#define XG_ICMP_HLEN 8
#define XG_ICMP6_HLEN 8

/* uapi linux/if_vlan.h has no header struct. */
struct xg_vlan {
	__be16 tci;
	__be16 proto;
};

/* IPv6 extension headers share their first two bytes and are 8 bytes at
 * least, so one bounds check covers the fragment header's fields too.
 */
struct xg_ext {
	__u8 nexthdr;
	__u8 hdrlen;
	__be16 frag_off; /* fragment header only */
	__u32 rest;
};

/* The position is a scalar offset, not a packet pointer: the verifier
 * cannot merge paths that hold packet pointers of different ranges, and
 * VLAN tags, IP options and extension headers would multiply them out.
 */
struct cursor {
	void *data;
	void *end;
	__u32 off;
};

/* What the decision needs from the headers. The source address is
 * copied because the LPM key has to live on the stack anyway; the rest
 * of a drop event (destination, ports) is read through the offsets, and
 * only for the few drops that make one.
 */
struct xg_pkt {
	__u32 saddr[4]; /* network order; IPv4 uses saddr[0] */
	__u32 l4_len; /* bytes the IP header says follow it */
	__u16 l3_off; /* IP header, once it passed its checks; else 0 */
	__u16 l4_off; /* upper-layer header, once L3 parsed; else 0 */
	__u8 l4proto;
	__u8 ipv6;
	__u8 nonfirst_frag;
	__u8 tcp_flags; /* XG_TCP_*; 0 unless a TCP header was parsed */
	__u8 src6; /* the source is IPv6 (not IPv4, nor IPv4-mapped) */
	__u16 dport; /* TCP or UDP, once parse_l4() read it; host order */
	__u16 mon_rule; /* the slot of a monitor rule that matched, plus 1 */
	/* The fields above as the report steps take them (events.h), packed
	 * once after parsing; 0 for a packet decided before that.
	 */
	__u64 arg_pkt; /* event_arg_pkt() */
	__u32 arg_l4; /* event_arg_l4() */
};

/* An IPv6 packet from an IPv4-mapped address (::ffff:a.b.c.d) is taken
 * as coming from a.b.c.d: parse_ipv6() puts a.b.c.d in saddr[0] and
 * leaves src6 clear, so it meets the IPv4 lists, that IPv4 source's
 * buckets and its ban. Otherwise an IPv6 source prefix of 96 or less
 * would put every mapped address in one bucket, and a host blocked by its
 * IPv4 address could send the same packets from the mapped one. The
 * steps after parsing test src6 alone: every flag they test forks the
 * verifier's walk.
 */

/* Returns the header of @size bytes at the cursor, NULL if the frame ends
 * first. Callers re-check with the real type so the verifier sees it.
 */
#define CURSOR_HDR(c, type)                                     \
	({                                                      \
		type *_h = (c)->data + ((c)->off & XG_MAX_OFF); \
		(void *)(_h + 1) > (c)->end ? NULL : _h;        \
	})

/* A 16-bit big-endian length field, as a number the verifier can bound.
 * The verifiers of 6.1 and 6.12 keep no bounds across a byte swap
 * (BPF_END), nor across the shifts and or clang would write instead, and
 * then refuse to add the length to a packet pointer. A 64-bit and with
 * 0xffff bounds it on every kernel; it is in asm because clang knows the
 * swap leaves the high bits clear and would drop it.
 */
static __always_inline __u32 be16_len(__be16 field)
{
	__u64 v = bpf_ntohs(field);

	asm volatile("%0 &= 0xffff" : "+r"(v));
	return v;
}

static __always_inline int parse_eth(struct cursor *c, __be16 *proto)
{
	struct ethhdr *eth = CURSOR_HDR(c, struct ethhdr);
	struct xg_vlan *vlan;
	__be16 p;
	int i;

	if (!eth)
		return -1;
	c->off = sizeof(*eth);
	p = eth->h_proto;

#pragma unroll
	for (i = 0; i < XG_MAX_VLAN; i++) {
		if (p != bpf_htons(ETH_P_8021Q) && p != bpf_htons(ETH_P_8021AD))
			break;
		vlan = CURSOR_HDR(c, struct xg_vlan);
		if (!vlan)
			return -1;
		c->off += sizeof(*vlan);
		p = vlan->proto;
	}
	*proto = p;
	return 0;
}

/* What parse_ipv4() and parse_ipv6() return besides 0. A header of the
 * right version that is all there names its source even when its lengths
 * or its extension chain are wrong: such a packet is malformed, but the
 * lists still see its source and the limits still meet it, or a blocked
 * host could send whatever it likes behind a bad length.
 */
#define XG_L3_BAD (-1) /* no IP header of the right version: no source */
#define XG_L3_BAD_SRC (-2) /* malformed, p->saddr (and src6) set */

static __always_inline int parse_ipv4(struct cursor *c, struct xg_pkt *p)
{
	struct iphdr *ip = CURSOR_HDR(c, struct iphdr);
	__u32 hlen, tot;

	if (!ip || ip->version != 4)
		return XG_L3_BAD;
	p->saddr[0] = ip->saddr;
	if (ip->ihl < 5)
		return XG_L3_BAD_SRC;
	hlen = ip->ihl * 4;
	tot = be16_len(ip->tot_len);
	/* tot fitting the frame covers hlen too, as hlen <= tot. Frames may
	 * be longer than tot: Ethernet pads to 60 bytes.
	 */
	if (tot < hlen || (void *)ip + tot > c->end)
		return XG_L3_BAD_SRC;

	p->l3_off = c->off;
	p->l4proto = ip->protocol;
	p->l4_len = tot - hlen;
	p->nonfirst_frag = !!(ip->frag_off & bpf_htons(XG_IP_OFFSET));
	c->off += hlen;
	return 0;
}

static __always_inline int is_exthdr(__u8 nexthdr)
{
	return nexthdr == IPPROTO_HOPOPTS || nexthdr == IPPROTO_ROUTING ||
	       nexthdr == IPPROTO_DSTOPTS || nexthdr == IPPROTO_AH ||
	       nexthdr == IPPROTO_FRAGMENT;
}

static __always_inline __u32 exthdr_len(__u8 nexthdr, const struct xg_ext *h)
{
	if (nexthdr == IPPROTO_FRAGMENT)
		return sizeof(*h);
	/* AH counts 32-bit words minus 2, the others 8-byte units minus 1. */
	if (nexthdr == IPPROTO_AH)
		return (h->hdrlen + 2) * 4;
	return (h->hdrlen + 1) * 8;
}

/* Leaves *nexthdr at the upper-layer protocol. A chain of more than
 * XG_MAX_EXTHDR headers leaves it at an extension header. The kernel
 * still delivers such a packet, so it must not escape the limits:
 * parse_l4() calls it malformed (class other-ip). The lists see it, it
 * meets its source's fragment limit (the limit of packets whose upper
 * layer the program cannot see), and --drop-malformed drops it.
 */
static __always_inline int parse_exthdrs(struct cursor *c, struct xg_pkt *p,
					 __u8 *nexthdr)
{
	struct xg_ext *h;
	__u32 len;
	int i;

	for (i = 0; i < XG_MAX_EXTHDR; i++) {
		if (!is_exthdr(*nexthdr))
			break;
		h = CURSOR_HDR(c, struct xg_ext);
		if (!h)
			return -1;
		len = exthdr_len(*nexthdr, h);
		if (len > p->l4_len)
			return -1;
		/* A later fragment carries payload, not headers: stop and
		 * class it by the protocol the fragment header names.
		 */
		if (*nexthdr == IPPROTO_FRAGMENT &&
		    (h->frag_off & bpf_htons(XG_IP6_OFFSET)))
			p->nonfirst_frag = 1;
		*nexthdr = h->nexthdr;
		p->l4_len -= len;
		c->off += len;
		if (p->nonfirst_frag)
			break;
	}
	return 0;
}

static __always_inline int parse_ipv6(struct cursor *c, struct xg_pkt *p)
{
	struct ipv6hdr *ip6 = CURSOR_HDR(c, struct ipv6hdr);
	__u8 nexthdr;

	if (!ip6 || ip6->version != 6)
		return XG_L3_BAD;
	__builtin_memcpy(p->saddr, &ip6->saddr, sizeof(p->saddr));
	if (!p->saddr[0] && !p->saddr[1] && p->saddr[2] == bpf_htonl(0xffff))
		p->saddr[0] = p->saddr[3];
	else
		p->src6 = 1;
	p->ipv6 = 1;
	p->l4_len = be16_len(ip6->payload_len);
	if ((void *)(ip6 + 1) + p->l4_len > c->end)
		return XG_L3_BAD_SRC;

	p->l3_off = c->off;
	nexthdr = ip6->nexthdr;
	c->off += sizeof(*ip6);
	if (parse_exthdrs(c, p, &nexthdr) < 0)
		return XG_L3_BAD_SRC;
	p->l4proto = nexthdr;
	return 0;
}

/* Bytes of L4 header the protocol needs; l4_len never exceeds the bytes
 * left in the frame (checked at L3), so a header within l4_len is there.
 * Keeps the TCP flags for the SYN limit.
 */
static __always_inline int parse_l4(struct cursor *c, struct xg_pkt *p)
{
	struct tcphdr *tcp;
	struct udphdr *udp;
	__u32 need;

	switch (p->l4proto) {
	case IPPROTO_TCP:
		tcp = CURSOR_HDR(c, struct tcphdr);
		if (!tcp || sizeof(*tcp) > p->l4_len || tcp->doff < 5)
			return -1;
		p->tcp_flags = ((const __u8 *)tcp)[XG_TCP_FLAGS_OFF];
		p->dport = bpf_ntohs(tcp->dest);
		need = tcp->doff * 4;
		break;
	case IPPROTO_UDP:
		udp = CURSOR_HDR(c, struct udphdr);
		if (!udp)
			return -1;
		p->dport = bpf_ntohs(udp->dest);
		need = sizeof(*udp);
		break;
	case IPPROTO_ICMP:
		need = p->ipv6 ? 0 : XG_ICMP_HLEN;
		break;
	case IPPROTO_ICMPV6:
		need = p->ipv6 ? XG_ICMP6_HLEN : 0;
		break;
	default:
		/* An IPv6 extension header here: the chain was too long to
		 * walk. (For IPv4 these numbers are protocols like any other,
		 * AH among them.)
		 */
		if (p->ipv6 && is_exthdr(p->l4proto))
			return -1;
		need = 0;
	}
	return need > p->l4_len ? -1 : 0;
}

#endif /* XG_BPF_PARSE_H */
