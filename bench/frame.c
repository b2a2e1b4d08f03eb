// SPDX-License-Identifier: GPL-2.0
/* xg-gen: crafted frames, and the address rules of the benchmark. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <linux/udp.h>
#include <linux/icmp.h>
#include <linux/icmpv6.h>

#include "gen.h"

static const char *const proto_names[] = {
	[GEN_SYN] = "syn",   [GEN_ACK] = "ack",	  [GEN_UDP] = "udp",
	[GEN_ICMP] = "icmp", [GEN_FRAG] = "frag",
};

int gen_parse_proto(const char *s, enum gen_proto *p)
{
	unsigned int i;

	for (i = 0; i < sizeof(proto_names) / sizeof(proto_names[0]); i++) {
		if (!strcmp(s, proto_names[i])) {
			*p = i;
			return 0;
		}
	}
	return -EINVAL;
}

const char *gen_proto_name(enum gen_proto p)
{
	return proto_names[p];
}

/* Is a/len inside net/net_len? Both in network order, len >= net_len. */
static int inside(const uint32_t *a, const uint32_t *net, unsigned int len,
		  unsigned int net_len)
{
	unsigned int i, bits;
	uint32_t m;

	if (len < net_len)
		return 0;
	for (i = 0; i * 32 < net_len; i++) {
		bits = net_len - i * 32 < 32 ? net_len - i * 32 : 32;
		m = htonl(bits == 32 ? ~0U : ~(~0U >> bits));
		if ((a[i] & m) != net[i])
			return 0;
	}
	return 1;
}

/* Benchmark traffic stays in the ranges set aside for it (RFC 2544
 * benchmarking, RFC 3849 documentation), whatever the command line says.
 */
static int in_bench_range(const struct gen_addr *a)
{
	uint32_t n4 = htonl(0xc6120000), n6 = htonl(0x20010db8);

	if (a->family == AF_INET)
		return inside(a->addr, &n4, a->prefix_len, 15);
	return inside(a->addr, &n6, a->prefix_len, 32);
}

int gen_parse_addr(const char *s, struct gen_addr *a, int prefix_ok)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	unsigned long len;
	unsigned int max;

	if (strlen(s) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, s);
	slash = strchr(buf, '/');
	if (slash) {
		if (!prefix_ok)
			return -EINVAL;
		*slash++ = '\0';
	}
	memset(a, 0, sizeof(*a));
	if (inet_pton(AF_INET, buf, a->addr) == 1)
		a->family = AF_INET;
	else if (inet_pton(AF_INET6, buf, a->addr) == 1)
		a->family = AF_INET6;
	else
		return -EINVAL;
	max = a->family == AF_INET ? 32 : 128;
	a->prefix_len = max;
	if (slash) {
		errno = 0;
		len = strtoul(slash, &end, 10);
		if (!*slash || *end || errno || len > max)
			return -EINVAL;
		a->prefix_len = len;
	}
	return in_bench_range(a) ? 0 : -EDOM;
}

int gen_parse_mac(const char *s, uint8_t mac[6])
{
	unsigned int b[6];
	char tail;
	int i;

	if (sscanf(s, "%2x:%2x:%2x:%2x:%2x:%2x%c", &b[0], &b[1], &b[2], &b[3],
		   &b[4], &b[5], &tail) != 6)
		return -EINVAL;
	for (i = 0; i < 6; i++)
		mac[i] = b[i];
	return 0;
}

void gen_host_mask(const struct gen_addr *pfx, uint32_t mask[4])
{
	unsigned int i, words = pfx->family == AF_INET ? 1 : 4, net;

	memset(mask, 0, 4 * sizeof(mask[0]));
	for (i = 0; i < words; i++) {
		net = pfx->prefix_len > i * 32 ? pfx->prefix_len - i * 32 : 0;
		if (net < 32)
			mask[i] = htonl(~0U >> net);
	}
}

static uint32_t csum_add(uint32_t sum, const void *p, unsigned int len)
{
	const uint8_t *b = p;

	for (; len > 1; len -= 2, b += 2)
		sum += (uint32_t)b[0] << 8 | b[1];
	if (len)
		sum += (uint32_t)b[0] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return htons(~sum & 0xffff);
}

/* Pseudo-header sum (RFC 793, RFC 8200 section 8.1). */
static uint32_t csum_pseudo(const struct gen_frame *f, uint8_t proto,
			    unsigned int len)
{
	unsigned int alen = f->src.family == AF_INET ? 4 : 16;
	uint32_t sum = 0;

	sum = csum_add(sum, f->src.addr, alen);
	sum = csum_add(sum, f->dst.addr, alen);
	return sum + proto + len;
}

/* Returns the length of the L4 part written at p (header and payload). */
static unsigned int build_l4(struct gen_frame *f, uint8_t *p, int room,
			     uint8_t *proto)
{
	unsigned int hdr;

	switch (f->proto) {
	case GEN_SYN:
	case GEN_ACK: {
		struct tcphdr *t = (struct tcphdr *)p;

		hdr = sizeof(*t);
		*proto = IPPROTO_TCP;
		t->source = htons(f->sport);
		t->dest = htons(f->dport);
		t->seq = htonl(0x78670001);
		t->doff = 5;
		t->window = htons(64240);
		if (f->proto == GEN_SYN) {
			t->syn = 1;
		} else {
			t->ack = 1;
			t->ack_seq = htonl(0x78670101);
		}
		break;
	}
	case GEN_UDP: {
		struct udphdr *u = (struct udphdr *)p;

		hdr = sizeof(*u);
		*proto = IPPROTO_UDP;
		u->source = htons(f->sport);
		u->dest = htons(f->dport);
		break;
	}
	case GEN_ICMP: {
		struct icmphdr *i = (struct icmphdr *)p;

		hdr = sizeof(*i);
		*proto = f->src.family == AF_INET ? IPPROTO_ICMP :
						    IPPROTO_ICMPV6;
		i->type = f->src.family == AF_INET ? ICMP_ECHO :
						     ICMPV6_ECHO_REQUEST;
		i->un.echo.id = htons(f->sport);
		i->un.echo.sequence = htons(1);
		break;
	}
	default: /* GEN_FRAG: the middle of a UDP datagram */
		hdr = 0;
		*proto = IPPROTO_UDP;
		break;
	}
	return room > (int)hdr ? (unsigned int)room : hdr;
}

static void fill_l4_csum(struct gen_frame *f, uint8_t *l4, unsigned int len,
			 uint8_t proto)
{
	uint32_t sum = 0;
	uint16_t *csum;

	switch (f->proto) {
	case GEN_SYN:
	case GEN_ACK:
		csum = &((struct tcphdr *)l4)->check;
		break;
	case GEN_UDP:
		((struct udphdr *)l4)->len = htons(len);
		csum = &((struct udphdr *)l4)->check;
		f->l4_udp = 1;
		break;
	case GEN_ICMP:
		csum = &((struct icmphdr *)l4)->checksum;
		break;
	default:
		return;
	}
	if (f->proto != GEN_ICMP || f->src.family == AF_INET6)
		sum = csum_pseudo(f, proto, len);
	*csum = csum_fold(csum_add(sum, l4, len));
	if (f->proto == GEN_UDP && !*csum)
		*csum = 0xffff;
	/* ICMPv4's checksum does not cover the addresses. */
	if (f->proto != GEN_ICMP || f->src.family == AF_INET6)
		f->l4_csum_off = (uint8_t *)csum - f->data;
}

/* Offset of the later fragment, in 8-byte units: "the second 1480 bytes". */
#define GEN_FRAG_OFF 185

static unsigned int build_ipv4(struct gen_frame *f, uint8_t *p,
			       unsigned int room)
{
	struct iphdr *ip = (struct iphdr *)p;
	unsigned int l4len;
	uint8_t proto;

	l4len = build_l4(f, p + sizeof(*ip), (int)room - (int)sizeof(*ip),
			 &proto);
	ip->version = 4;
	ip->ihl = 5;
	ip->tot_len = htons(sizeof(*ip) + l4len);
	ip->id = htons(0x7867);
	ip->frag_off = htons(f->proto == GEN_FRAG ? GEN_FRAG_OFF : 0x4000);
	ip->ttl = 64;
	ip->protocol = proto;
	ip->saddr = f->src.addr[0];
	ip->daddr = f->dst.addr[0];
	ip->check = csum_fold(csum_add(0, ip, sizeof(*ip)));
	f->src_off = (uint8_t *)&ip->saddr - f->data;
	f->ip_csum_off = (uint8_t *)&ip->check - f->data;
	fill_l4_csum(f, p + sizeof(*ip), l4len, proto);
	return sizeof(*ip) + l4len;
}

struct frag6 {
	uint8_t nexthdr;
	uint8_t reserved;
	uint16_t off; /* offset << 3 | M */
	uint32_t id;
};

static unsigned int build_ipv6(struct gen_frame *f, uint8_t *p,
			       unsigned int room)
{
	struct ipv6hdr *ip = (struct ipv6hdr *)p;
	unsigned int ext = f->proto == GEN_FRAG ? sizeof(struct frag6) : 0;
	unsigned int l4len;
	uint8_t proto;

	l4len = build_l4(f, p + sizeof(*ip) + ext,
			 (int)room - (int)(sizeof(*ip) + ext), &proto);
	ip->version = 6;
	ip->payload_len = htons(ext + l4len);
	ip->hop_limit = 64;
	memcpy(&ip->saddr, f->src.addr, 16);
	memcpy(&ip->daddr, f->dst.addr, 16);
	f->src_off = (uint8_t *)&ip->saddr - f->data;
	if (ext) {
		struct frag6 *fh = (struct frag6 *)(ip + 1);

		ip->nexthdr = IPPROTO_FRAGMENT;
		fh->nexthdr = proto;
		fh->off = htons(GEN_FRAG_OFF << 3);
		fh->id = htonl(0x78670001);
	} else {
		ip->nexthdr = proto;
	}
	fill_l4_csum(f, p + sizeof(*ip) + ext, l4len, proto);
	return sizeof(*ip) + ext + l4len;
}

int gen_frame_build(struct gen_frame *f)
{
	struct ethhdr *eth = (struct ethhdr *)f->data;
	unsigned int room;

	if (f->size > GEN_FRAME_MAX)
		return -EINVAL;
	memset(f->data, 0, sizeof(f->data));
	f->ip_csum_off = f->l4_csum_off = 0;
	f->l4_udp = 0;
	memcpy(eth->h_dest, f->dst_mac, 6);
	memcpy(eth->h_source, f->src_mac, 6);
	room = f->size > GEN_FRAME_MIN ? f->size : GEN_FRAME_MIN;
	room -= sizeof(*eth);
	if (f->src.family == AF_INET) {
		eth->h_proto = htons(ETH_P_IP);
		f->len = sizeof(*eth) +
			 build_ipv4(f, f->data + sizeof(*eth), room);
	} else {
		eth->h_proto = htons(ETH_P_IPV6);
		f->len = sizeof(*eth) +
			 build_ipv6(f, f->data + sizeof(*eth), room);
	}
	return f->len > GEN_FRAME_MAX ? -EINVAL : 0;
}
