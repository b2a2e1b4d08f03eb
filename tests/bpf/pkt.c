// SPDX-License-Identifier: GPL-2.0
/* Test frame builder: every put_* appends at f->len; build_frame() puts
 * a frame_spec's headers in order.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/if_ether.h>
#include <netinet/in.h>

#include "pkt.h"

static uint8_t *room(struct frame *f, size_t n)
{
	uint8_t *p = f->buf + f->len;

	if (f->len + n > sizeof(f->buf)) {
		fprintf(stderr, "%s: frame over %d bytes\n",
			program_invocation_short_name, FRAME_MAX);
		exit(2);
	}
	memset(p, 0, n);
	f->len += n;
	return p;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

void put_bytes(struct frame *f, const void *p, size_t n)
{
	memcpy(room(f, n), p, n);
}

void put_zero(struct frame *f, size_t n)
{
	room(f, n);
}

void put_eth(struct frame *f, uint16_t proto)
{
	static const uint8_t macs[12] = { 0x02, 0, 0, 0, 0, 0x01,
					  0x02, 0, 0, 0, 0, 0x02 };
	uint8_t *p = room(f, ETH_HLEN);

	memcpy(p, macs, sizeof(macs));
	put16(p + 12, proto);
}

void put_vlan(struct frame *f, uint16_t tci, uint16_t proto)
{
	uint8_t *p = room(f, 4);

	put16(p, tci);
	put16(p + 2, proto);
}

static void addr(int af, const char *s, void *out)
{
	if (inet_pton(af, s, out) != 1) {
		fprintf(stderr, "%s: bad address '%s'\n",
			program_invocation_short_name, s);
		exit(2);
	}
}

void put_ipv4(struct frame *f, const char *saddr, uint8_t proto, int ihl,
	      uint16_t frag)
{
	uint8_t *p;

	f->l3 = f->len;
	p = room(f, ihl * 4 > 20 ? ihl * 4 : 20);
	p[0] = 0x40 | (ihl & 0xf);
	put16(p + 6, frag);
	p[8] = 64;
	p[9] = proto;
	addr(AF_INET, saddr, p + 12);
	addr(AF_INET, "198.19.0.1", p + 16);
	/* IPOPT_NOOP: options the program must skip, not read. */
	if (ihl > 5)
		memset(p + 20, 1, ihl * 4 - 20);
}

void put_ipv6(struct frame *f, const char *saddr, uint8_t nexthdr)
{
	uint8_t *p;

	f->l3 = f->len;
	p = room(f, 40);
	p[0] = 0x60;
	p[6] = nexthdr;
	p[7] = 64;
	addr(AF_INET6, saddr, p + 8);
	addr(AF_INET6, "2001:db8:ffff::1", p + 24);
}

void put_ext6(struct frame *f, uint8_t nexthdr, uint8_t len8)
{
	uint8_t *p = room(f, (len8 + 1) * 8);

	p[0] = nexthdr;
	p[1] = len8;
	/* PadN filling the rest, so the options are well formed. */
	p[2] = 1;
	p[3] = (len8 + 1) * 8 - 4;
}

void put_frag6(struct frame *f, uint8_t nexthdr, uint16_t offset, int more)
{
	uint8_t *p = room(f, 8);

	p[0] = nexthdr;
	put16(p + 2, (offset << 3) | (more ? 1 : 0));
	put16(p + 4, 0x1234);
}

void put_ah6(struct frame *f, uint8_t nexthdr, uint8_t hdrlen)
{
	uint8_t *p = room(f, (hdrlen + 2) * 4);

	p[0] = nexthdr;
	p[1] = hdrlen;
}

void set_ip_len(struct frame *f, uint16_t len)
{
	uint8_t *p = f->buf + f->l3;

	put16(p + ((p[0] >> 4) == 6 ? 4 : 2), len);
}

void ip_end(struct frame *f)
{
	size_t len = f->len - f->l3;

	if ((f->buf[f->l3] >> 4) == 6)
		len -= 40;
	set_ip_len(f, len);
}

void put_tcp(struct frame *f, int doff)
{
	/* At least the fixed header, so doff < 5 is a lie, not a short
	 * frame.
	 */
	uint8_t *p = room(f, doff > 5 ? doff * 4 : 20);

	put16(p, 40000);
	put16(p + 2, 80);
	p[12] = (doff & 0xf) << 4;
	p[13] = 0x02; /* SYN */
	put16(p + 14, 65535);
}

void put_udp(struct frame *f)
{
	uint8_t *p = room(f, 8);

	put16(p, 40000);
	put16(p + 2, 53);
	put16(p + 4, 8);
}

void put_icmp(struct frame *f, uint8_t type)
{
	uint8_t *p = room(f, 8);

	p[0] = type;
}

static const uint8_t ext_proto[] = {
	[EXT_HOP] = IPPROTO_HOPOPTS,	 [EXT_ROUTING] = IPPROTO_ROUTING,
	[EXT_DSTOPTS] = IPPROTO_DSTOPTS, [EXT_FRAGMENT] = IPPROTO_FRAGMENT,
	[EXT_AH] = IPPROTO_AH,
};

static int later_fragment(const struct frame_spec *s)
{
	int i;

	if (s->ip == 4)
		return (s->frag & 0x1fff) != 0;
	for (i = 0; i < SPEC_EXTS && s->ext[i].type; i++)
		if (s->ext[i].type == EXT_FRAGMENT && s->ext[i].offset)
			return 1;
	return 0;
}

/* The next header after ext[@i]: the next extension header or @proto. */
static uint8_t next_header(const struct frame_spec *s, int i)
{
	if (i < SPEC_EXTS && s->ext[i].type)
		return ext_proto[s->ext[i].type];
	return s->proto;
}

static void put_ip(struct frame *f, const struct frame_spec *s)
{
	int i;

	if (s->ip == 4) {
		put_ipv4(f, s->src ?: SRC4, s->proto, s->ihl ?: 5, s->frag);
		if (s->dst)
			addr(AF_INET, s->dst, f->buf + f->l3 + 16);
		return;
	}
	put_ipv6(f, s->src ?: SRC6, next_header(s, 0));
	if (s->dst)
		addr(AF_INET6, s->dst, f->buf + f->l3 + 24);
	for (i = 0; i < SPEC_EXTS && s->ext[i].type; i++) {
		const struct spec_ext *e = &s->ext[i];
		uint8_t next = next_header(s, i + 1);
		size_t at = f->len;

		if (e->type == EXT_FRAGMENT)
			put_frag6(f, next, e->offset, e->more);
		else if (e->type == EXT_AH)
			put_ah6(f, next, e->len);
		else
			put_ext6(f, next, e->len);
		if (e->claim)
			f->buf[at + 1] = e->claim;
	}
}

static void put_l4(struct frame *f, const struct frame_spec *s)
{
	size_t at = f->len;

	if (s->no_l4 || later_fragment(s))
		return;
	switch (s->proto) {
	case IPPROTO_TCP:
		put_tcp(f, s->doff ?: 5);
		if (s->doff_claim)
			f->buf[at + 12] = s->doff_claim << 4;
		if (s->tcp_flags)
			f->buf[at + 13] = s->tcp_flags;
		break;
	case IPPROTO_UDP:
		put_udp(f);
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		put_icmp(f,
			 s->icmp_type ?: (s->proto == IPPROTO_ICMP ? 8 : 128));
		break;
	}
	if (s->ports && (s->proto == IPPROTO_TCP || s->proto == IPPROTO_UDP)) {
		put16(f->buf + at, s->sport);
		put16(f->buf + at + 2, s->dport);
	}
}

void build_frame(struct frame *f, const struct frame_spec *s)
{
	uint16_t type = s->ethertype;
	int tags = 0, i;

	memset(f, 0, sizeof(*f));
	if (!type)
		type = s->ip == 6 ? ETH_P_IPV6 : ETH_P_IP;
	while (tags < SPEC_VLANS && s->vlan[tags])
		tags++;
	put_eth(f, tags > 1 ? ETH_P_8021AD : tags ? ETH_P_8021Q : type);
	for (i = 0; i < tags; i++)
		put_vlan(f, s->vlan[i], i + 1 < tags ? ETH_P_8021Q : type);
	if (s->ip)
		put_ip(f, s);
	put_l4(f, s);
	put_zero(f, s->payload);
	if (s->ip) {
		ip_end(f);
		if (s->ip_len)
			set_ip_len(f, s->ip_len);
		if (s->ttl)
			f->buf[f->l3 + (s->ip == 6 ? 7 : 8)] = s->ttl;
		if (s->tos && s->ip == 4)
			f->buf[f->l3 + 1] = s->tos;
		if (s->tos && s->ip == 6) {
			f->buf[f->l3] = 0x60 | s->tos >> 4;
			f->buf[f->l3 + 1] = (s->tos & 0xf) << 4 |
					    (f->buf[f->l3 + 1] & 0xf);
		}
		/* last: ip_end() and set_ip_len() read the version */
		if (s->version)
			f->buf[f->l3] = s->version << 4 | (f->buf[f->l3] & 0xf);
	}
	put_zero(f, s->pad);
}
