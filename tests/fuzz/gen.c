// SPDX-License-Identifier: GPL-2.0
/* The fuzzer's frames: random bytes, random bytes shaped like an IP
 * header, and well-formed frames (built with tests/bpf/pkt.c) mutated a
 * few times. Sources come from a small pool, so that the list entries of
 * fuzz.c are hit; a frame depends only on the PRNG state it is given.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <linux/if_ether.h>
#include <netinet/in.h>

#include "fuzz.h"
#include "pkt.h"

const char *const gen_kinds[GEN_KINDS] = { "random", "ip-shaped", "seed",
					   "mutated" };

/* Sources near the entries of fuzz.c's lists: hosts, the edges of the
 * prefixes, and addresses outside every list.
 */
static const char *const pool4_s[] = {
	"198.18.0.0",	  "198.18.0.1",	  "198.18.0.2",	     "198.18.0.3",
	"198.18.0.5",	  "198.18.0.6",	  "198.18.0.7",	     "198.18.0.15",
	"198.18.0.16",	  "198.18.0.17",  "198.18.0.18",     "198.18.0.19",
	"198.18.0.31",	  "198.18.0.32",  "198.18.1.1",	     "198.18.2.5",
	"198.18.3.3",	  "198.18.3.200", "198.18.255.255",  "198.19.0.1",
	"198.19.64.5",	  "198.19.128.1", "198.19.128.9",    "198.19.128.200",
	"198.19.200.7",	  "198.19.200.8", "198.19.200.9",    "198.20.0.1",
	"198.17.255.255", "0.0.0.0",	  "255.255.255.255",
};

static const char *const pool6_s[] = {
	"2001:db8::1",
	"2001:db8::2",
	"2001:db8::3",
	"2001:db8::5",
	"2001:db8::6",
	"2001:db8::7",
	"2001:db8::1:0:0:1",
	"2001:db8:0:1::1",
	"2001:db8:0:1:1::1",
	"2001:db8:bad::1",
	"2001:db8:bad:ff::1",
	"2001:db8:ffff::1",
	"2001:db9::1",
	"2001:db9::7",
	"2001:db9:0:1::1",
	"2001:db9:0:2::1",
	"2001:db9:0:2::2",
	"2001:db9:8000::1",
	"2001:db7::1",
	"::",
	"::1",
	"fe80::1",
	"ff02::1",
	"64:ff9b::c612:1",
};

#define NPOOL4 (sizeof(pool4_s) / sizeof(pool4_s[0]))
#define NPOOL6 (sizeof(pool6_s) / sizeof(pool6_s[0]))

static uint8_t pool4[NPOOL4][4];
static uint8_t pool6[NPOOL6][16];

int gen_init(void)
{
	size_t i;

	for (i = 0; i < NPOOL4; i++)
		if (inet_pton(AF_INET, pool4_s[i], pool4[i]) != 1)
			return -1;
	for (i = 0; i < NPOOL6; i++)
		if (inet_pton(AF_INET6, pool6_s[i], pool6[i]) != 1)
			return -1;
	return 0;
}

static void put16(uint8_t *p, uint16_t v)
{
	p[0] = v >> 8;
	p[1] = v & 0xff;
}

static void fill(uint64_t *r, uint8_t *p, size_t n)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < n; i++) {
		if (!(i & 7))
			v = rng_next(r);
		p[i] = v;
		v >>= 8;
	}
}

static void pick_src4(uint64_t *r, uint8_t *out)
{
	uint32_t t = rng_below(r, 100);

	if (t < 60) {
		memcpy(out, pool4[rng_below(r, NPOOL4)], 4);
	} else if (t < 75) {
		/* Somewhere in 198.18.0.0/15. */
		out[0] = 198;
		out[1] = 18 + rng_below(r, 2);
		out[2] = rng_pct(r, 50) ? rng_below(r, 4) : rng_below(r, 256);
		out[3] = rng_below(r, 256);
	} else if (t < 85) {
		memcpy(out, pool4[rng_below(r, NPOOL4)], 4);
		out[3] ^= 1U << rng_below(r, 8);
	} else {
		fill(r, out, 4);
	}
}

/* IPv4 pool addresses in the IPv6 forms around ::ffff:a.b.c.d. */
static void near_mapped(uint64_t *r, uint8_t *out)
{
	memset(out, 0, 16);
	memcpy(out + 12, pool4[rng_below(r, NPOOL4)], 4);
	switch (rng_below(r, 6)) {
	case 0: /* ::a.b.c.d, IPv4-compatible (RFC 4291 2.5.5.1) */
		break;
	case 1: /* ::ffff:0:a.b.c.d, IPv4-translated (RFC 2765) */
		out[8] = out[9] = 0xff;
		break;
	case 2: /* ::fffe:a.b.c.d */
		out[10] = 0xff;
		out[11] = 0xfe;
		break;
	case 3: /* ::1:ffff:a.b.c.d */
		out[9] = 1;
		out[10] = out[11] = 0xff;
		break;
	case 4: /* 0:0:0:1::ffff:a.b.c.d */
		out[7] = 1;
		out[10] = out[11] = 0xff;
		break;
	default: /* 1::ffff:a.b.c.d */
		out[1] = 1;
		out[10] = out[11] = 0xff;
	}
}

static void pick_src6(uint64_t *r, uint8_t *out)
{
	uint32_t t = rng_below(r, 100);

	if (t < 35) {
		memcpy(out, pool6[rng_below(r, NPOOL6)], 16);
	} else if (t < 55) {
		/* ::ffff:a.b.c.d, IPv4-mapped (RFC 4291 2.5.5.2) */
		memset(out, 0, 10);
		out[10] = out[11] = 0xff;
		memcpy(out + 12, pool4[rng_below(r, NPOOL4)], 4);
	} else if (t < 65) {
		near_mapped(r, out);
	} else if (t < 80) {
		/* In 2001:db8::/32 or 2001:db9::/32, a few random bits. */
		memcpy(out, pool6[rng_below(r, 18)], 16);
		out[4 + rng_below(r, 12)] ^= 1U << rng_below(r, 8);
	} else if (t < 90) {
		memcpy(out, pool6[rng_below(r, NPOOL6)], 16);
		out[rng_below(r, 16)] ^= 1U << rng_below(r, 8);
	} else {
		fill(r, out, 16);
	}
}

/* What a mutation needs to find the fields of the seed again. */
#define SEED_MAX_EXT 10

struct seed {
	size_t l3; /* 0: not IP */
	int v6;
	size_t l4; /* 0: none */
	uint8_t l4proto;
	int next;
	size_t ext[SEED_MAX_EXT];
	uint8_t ext_type[SEED_MAX_EXT];
	int ntags;
	size_t tag[3];
};

static uint8_t pick_l4(uint64_t *r, int v6)
{
	static const uint8_t odd[] = { 0,  2,	4,   41,  43,  44,  51,
				       60, 103, 132, 135, 139, 253, 255 };
	uint32_t t = rng_below(r, 100);

	if (t < 35)
		return IPPROTO_TCP;
	if (t < 60)
		return IPPROTO_UDP;
	if (t < 75)
		return v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP;
	if (t < 78) /* the other family's ICMP: not ICMP to the program */
		return v6 ? IPPROTO_ICMP : IPPROTO_ICMPV6;
	if (t < 85)
		return IPPROTO_GRE;
	if (t < 90)
		return IPPROTO_ESP;
	if (t < 93)
		return 59; /* IPv6 no next header */
	return odd[rng_below(r, sizeof(odd))];
}

static void put_l4(uint64_t *r, struct frame *f, struct seed *s)
{
	static const uint8_t tcp_flags[] = { 0x02, 0x02, 0x02, 0x12, 0x12,
					     0x10, 0x10, 0x18, 0x04, 0x11 };
	static const uint8_t icmp_types[] = { 8, 0, 3, 11, 128, 129, 135, 136 };
	uint8_t *p;
	uint32_t n;

	s->l4 = f->len;
	switch (s->l4proto) {
	case IPPROTO_TCP:
		put_tcp(f, rng_pct(r, 80) ? 5 : 6 + rng_below(r, 4));
		p = f->buf + s->l4;
		p[13] = rng_pct(r, 90) ?
				tcp_flags[rng_below(r, sizeof(tcp_flags))] :
				(uint8_t)rng_next(r);
		if (rng_pct(r, 50))
			fill(r, p, 4); /* ports */
		break;
	case IPPROTO_UDP:
		put_udp(f);
		if (rng_pct(r, 50))
			fill(r, f->buf + s->l4, 4);
		break;
	case IPPROTO_ICMP:
	case IPPROTO_ICMPV6:
		put_icmp(f,
			 rng_pct(r, 90) ?
				 icmp_types[rng_below(r, sizeof(icmp_types))] :
				 (uint8_t)rng_next(r));
		break;
	case IPPROTO_GRE:
		put_zero(f, 4);
		put16(f->buf + s->l4 + 2, ETH_P_IP);
		break;
	case IPPROTO_ESP:
		put_zero(f, 8);
		fill(r, f->buf + s->l4, 8);
		break;
	default:
		s->l4 = 0;
	}
	n = rng_pct(r, 80) ? rng_below(r, 48) : rng_below(r, 400);
	put_zero(f, n);
	fill(r, f->buf + f->len - n, n);
}

static void seed_ipv4(uint64_t *r, struct frame *f, struct seed *s)
{
	uint32_t t = rng_below(r, 100);
	uint16_t frag = 0;
	int ihl = rng_pct(r, 70) ? 5 : 6 + rng_below(r, 10);
	uint8_t *ip;

	if (t >= 90)
		frag = (1 + rng_below(r, 0x1fff)) |
		       (rng_pct(r, 50) ? 0x2000 : 0);
	else if (t >= 80)
		frag = 0x2000; /* first fragment: MF, offset 0 */
	else if (t >= 70)
		frag = 0x4000; /* DF */
	s->l4proto = pick_l4(r, 0);
	put_ipv4(f, "0.0.0.0", s->l4proto, ihl, frag);
	s->l3 = f->l3;
	ip = f->buf + s->l3;
	pick_src4(r, ip + 12);
	if (rng_pct(r, 30))
		fill(r, ip + 16, 4);
	fill(r, ip + 4, 2); /* identification */
	if (ihl > 5 && rng_pct(r, 30))
		fill(r, ip + 20, ihl * 4 - 20); /* options: any bytes */
	put_l4(r, f, s);
}

static uint8_t pick_ext(uint64_t *r, int first)
{
	static const uint8_t types[] = { IPPROTO_ROUTING, IPPROTO_DSTOPTS,
					 IPPROTO_FRAGMENT, IPPROTO_AH };

	if (rng_pct(r, first ? 40 : 5))
		return IPPROTO_HOPOPTS;
	return types[rng_below(r, sizeof(types))];
}

static void seed_ipv6(uint64_t *r, struct frame *f, struct seed *s)
{
	static const uint8_t ah_len[] = { 4, 4, 1, 2, 6 };
	uint8_t types[SEED_MAX_EXT + 1];
	int n = 0, i, more;
	uint16_t off;
	uint8_t *ip;

	if (!rng_pct(r, 45))
		n = 1 + rng_below(r, rng_pct(r, 70) ? 3 : SEED_MAX_EXT);
	for (i = 0; i < n; i++)
		types[i] = pick_ext(r, i == 0);
	s->l4proto = pick_l4(r, 1);
	types[n] = s->l4proto;
	put_ipv6(f, "::", types[0]);
	s->l3 = f->l3;
	s->v6 = 1;
	ip = f->buf + s->l3;
	pick_src6(r, ip + 8);
	if (rng_pct(r, 30))
		fill(r, ip + 24, 16);
	for (i = 0; i < n; i++) {
		s->ext[i] = f->len;
		s->ext_type[i] = types[i];
		switch (types[i]) {
		case IPPROTO_FRAGMENT:
			/* first (0, M), later (offset > 0) or atomic (0, 0) */
			off = rng_pct(r, 50) ? 0 : 1 + rng_below(r, 0x1fff);
			more = rng_pct(r, 60);
			put_frag6(f, types[i + 1], off, more);
			break;
		case IPPROTO_AH:
			put_ah6(f, types[i + 1],
				ah_len[rng_below(r, sizeof(ah_len))]);
			break;
		default:
			put_ext6(f, types[i + 1], rng_below(r, 3));
		}
	}
	s->next = n;
	put_l4(r, f, s);
}

static void seed_nonip(uint64_t *r, struct frame *f)
{
	uint32_t n = 28 + rng_below(r, 64);

	put_zero(f, n);
	fill(r, f->buf + f->len - n, n);
}

static void seed_frame(uint64_t *r, struct frame *f, struct seed *s)
{
	static const uint16_t nonip[] = { ETH_P_ARP, 0x88cc, 0x88f7,
					  0x0060,    0x9100, 0x8847 };
	uint32_t t = rng_below(r, 100), l3 = rng_below(r, 100);
	uint16_t et;

	memset(s, 0, sizeof(*s));
	f->len = 0;
	if (l3 < 45)
		et = ETH_P_IP;
	else if (l3 < 90)
		et = ETH_P_IPV6;
	else if (l3 < 95)
		et = nonip[rng_below(r, sizeof(nonip) / sizeof(nonip[0]))];
	else
		et = rng_next(r);

	if (t < 70) {
		put_eth(f, et);
	} else if (t < 85) {
		put_eth(f, ETH_P_8021Q);
		s->tag[s->ntags++] = f->len;
		put_vlan(f, rng_below(r, 4096), et);
	} else if (t < 95) {
		put_eth(f, ETH_P_8021AD);
		s->tag[s->ntags++] = f->len;
		put_vlan(f, rng_below(r, 4096), ETH_P_8021Q);
		s->tag[s->ntags++] = f->len;
		put_vlan(f, rng_below(r, 4096), et);
	} else if (t < 98) {
		/* Three tags: more than the program reads (not IP to it). */
		put_eth(f, ETH_P_8021AD);
		s->tag[s->ntags++] = f->len;
		put_vlan(f, rng_below(r, 4096), ETH_P_8021Q);
		s->tag[s->ntags++] = f->len;
		put_vlan(f, rng_below(r, 4096), ETH_P_8021Q);
		s->tag[s->ntags++] = f->len;
		put_vlan(f, rng_below(r, 4096), et);
	} else {
		put_eth(f, ETH_P_8021AD);
		s->tag[s->ntags++] = f->len;
		put_vlan(f, rng_below(r, 4096), et);
	}
	if (et == ETH_P_IP)
		seed_ipv4(r, f, s);
	else if (et == ETH_P_IPV6)
		seed_ipv6(r, f, s);
	else
		seed_nonip(r, f);
	if (s->l3)
		ip_end(f);
	/* Ethernet pads a short frame to 60 bytes; or trailing bytes the
	 * IP length does not count.
	 */
	t = rng_below(r, 100);
	if (t < 20 && f->len < 60) {
		put_zero(f, 60 - f->len);
	} else if (t < 25) {
		t = 1 + rng_below(r, 32);
		put_zero(f, t);
		fill(r, f->buf + f->len - t, t);
	}
}

/* ---- mutations ---------------------------------------------------------- */

static size_t ip_len_field(const struct seed *s)
{
	return s->l3 + (s->v6 ? 4 : 2);
}

static uint16_t ip_len_now(const struct frame *f, const struct seed *s)
{
	size_t hdr = s->v6 ? 40 : 0;

	return f->len > s->l3 + hdr ? f->len - s->l3 - hdr : 0;
}

static uint8_t odd_proto(uint64_t *r)
{
	static const uint8_t v[] = { 0,	 1,  6,	 17, 43,  44,  47,  50,
				     51, 58, 59, 60, 135, 139, 253, 255 };

	return rng_pct(r, 80) ? v[rng_below(r, sizeof(v))] :
				(uint8_t)rng_next(r);
}

static void mutate(uint64_t *r, struct frame *f, struct seed *s)
{
	static const uint16_t ethertypes[] = { ETH_P_IP, ETH_P_IPV6,
					       ETH_P_8021Q, ETH_P_8021AD,
					       ETH_P_ARP };
	size_t pos, n, hdr;
	uint32_t v;
	int i;

	switch (rng_below(r, 14)) {
	case 0: /* bit flips, mostly in the headers */
		for (i = 1 + rng_below(r, 4); i > 0 && f->len; i--) {
			n = f->len < 96 || rng_pct(r, 30) ? f->len : 96;
			f->buf[rng_below(r, n)] ^= 1U << rng_below(r, 8);
		}
		break;
	case 1: /* a byte set to anything */
		if (f->len) {
			n = f->len < 96 || rng_pct(r, 30) ? f->len : 96;
			f->buf[rng_below(r, n)] = rng_next(r);
		}
		break;
	case 2: /* truncation, the length fields left as they were */
		n = s->l4 && rng_pct(r, 60) && s->l4 + 24 < f->len ?
			    s->l4 + 24 :
			    f->len;
		f->len = rng_below(r, n + 1);
		break;
	case 3: /* truncation with the IP length rewritten to fit */
		hdr = s->v6 ? 40 : 20;
		if (!s->l3 || f->len <= s->l3 + hdr)
			break;
		f->len = s->l3 + hdr + rng_below(r, f->len - s->l3 - hdr + 1);
		set_ip_len(f, ip_len_now(f, s));
		break;
	case 4: /* tot_len or payload_len */
		if (!s->l3 || ip_len_field(s) + 2 > f->len)
			break;
		v = rng_below(r, 100);
		if (v < 30)
			v = rng_next(r) & 0xffff;
		else if (v < 70)
			v = (ip_len_now(f, s) + rng_below(r, 17) - 8) & 0xffff;
		else if (v < 80)
			v = 0;
		else if (v < 90)
			v = 0xffff;
		else
			v = (ip_len_now(f, s) + 1 + rng_below(r, 64)) & 0xffff;
		put16(f->buf + ip_len_field(s), v);
		break;
	case 5: /* IHL, or the version */
		if (!s->l3 || s->l3 >= f->len)
			break;
		if (!s->v6 && rng_pct(r, 75))
			f->buf[s->l3] = (f->buf[s->l3] & 0xf0) |
					rng_below(r, 16);
		else
			f->buf[s->l3] = (f->buf[s->l3] & 0x0f) |
					rng_below(r, 16) << 4;
		break;
	case 6: /* TCP data offset */
		if (s->l4proto != IPPROTO_TCP || !s->l4 || s->l4 + 13 > f->len)
			break;
		f->buf[s->l4 + 12] = rng_below(r, 16) << 4;
		break;
	case 7: /* an extension header's length */
		if (!s->next)
			break;
		pos = s->ext[rng_below(r, s->next)] + 1;
		if (pos < f->len)
			f->buf[pos] = rng_pct(r, 50) ? (uint8_t)rng_next(r) :
						       f->buf[pos] + 1;
		break;
	case 8: /* the protocol field, or a next header in the chain */
		if (!s->l3)
			break;
		pos = s->v6 ? s->l3 + 6 : s->l3 + 9;
		if (s->next && rng_pct(r, 50))
			pos = s->ext[rng_below(r, s->next)];
		if (pos < f->len)
			f->buf[pos] = odd_proto(r);
		break;
	case 9: /* fragment offset and MF */
		pos = 0;
		if (s->l3 && !s->v6)
			pos = s->l3 + 6;
		for (i = 0; i < s->next; i++)
			if (s->ext_type[i] == IPPROTO_FRAGMENT)
				pos = s->ext[i] + 2;
		if (pos && pos + 2 <= f->len) {
			f->buf[pos] ^= rng_next(r);
			f->buf[pos + 1] ^= rng_next(r);
		}
		break;
	case 10: /* an ethertype: the outer one or a tag's */
		pos = 12;
		if (s->ntags && rng_pct(r, 60))
			pos = s->tag[rng_below(r, s->ntags)] + 2;
		if (pos + 2 <= f->len)
			put16(f->buf + pos,
			      rng_pct(r, 85) ?
				      ethertypes[rng_below(
					      r, sizeof(ethertypes) /
							 sizeof(ethertypes[0]))] :
				      (uint16_t)rng_next(r));
		break;
	case 11: /* another source from the pool */
		if (!s->l3)
			break;
		if (s->v6 && s->l3 + 24 <= f->len)
			pick_src6(r, f->buf + s->l3 + 8);
		else if (!s->v6 && s->l3 + 16 <= f->len)
			pick_src4(r, f->buf + s->l3 + 12);
		break;
	case 12: /* trailing bytes */
		n = rng_below(r, 64);
		if (f->len + n > FRAME_MAX)
			n = FRAME_MAX - f->len;
		fill(r, f->buf + f->len, n);
		f->len += n;
		break;
	default: /* bytes inserted or removed: every header after moves */
		if (!f->len)
			break;
		pos = rng_below(r, f->len);
		n = 1 + rng_below(r, 8);
		if (rng_pct(r, 50)) {
			if (f->len + n > FRAME_MAX)
				break;
			memmove(f->buf + pos + n, f->buf + pos, f->len - pos);
			fill(r, f->buf + pos, n);
			f->len += n;
		} else {
			if (pos + n > f->len)
				n = f->len - pos;
			memmove(f->buf + pos, f->buf + pos + n,
				f->len - pos - n);
			f->len -= n;
		}
	}
}

/* Random bytes, some shaped like an IP header behind Ethernet: the
 * right ethertype, version and, half the time, a length that fits.
 */
static void random_frame(uint64_t *r, struct frame *f, int shaped)
{
	static const uint16_t et[] = { ETH_P_IP, ETH_P_IPV6, ETH_P_8021Q,
				       ETH_P_8021AD };
	size_t l3 = ETH_HLEN;
	uint16_t proto;
	int v6;

	if (!shaped)
		f->len = rng_pct(r, 50) ? rng_below(r, 65) :
					  rng_below(r, FRAME_MAX + 1);
	else
		f->len = ETH_HLEN +
			 (rng_pct(r, 70) ?
				  rng_below(r, 120) :
				  rng_below(r, FRAME_MAX - ETH_HLEN + 1));
	fill(r, f->buf, f->len);
	f->l3 = 0;
	if (!shaped)
		return;
	proto = et[rng_below(r, 4)];
	put16(f->buf + 12, proto);
	if (proto == ETH_P_8021Q || proto == ETH_P_8021AD) {
		l3 += 4;
		if (f->len < l3)
			return;
		proto = rng_pct(r, 50) ? ETH_P_IP : ETH_P_IPV6;
		put16(f->buf + l3 - 2, proto);
	}
	v6 = proto == ETH_P_IPV6;
	if (f->len < l3 + (v6 ? 40 : 20))
		return;
	f->l3 = l3;
	f->buf[l3] = v6 ? 0x60 | (f->buf[l3] & 0xf) :
			  0x40 | (rng_pct(r, 50) ? 5 : f->buf[l3] & 0xf);
	if (v6 && rng_pct(r, 50))
		pick_src6(r, f->buf + l3 + 8);
	if (!v6 && rng_pct(r, 50))
		pick_src4(r, f->buf + l3 + 12);
	if (rng_pct(r, 50))
		ip_end(f);
}

int gen_frame(uint64_t *rng, struct frame *f)
{
	uint32_t t = rng_below(rng, 100);
	struct seed s;
	int n;

	if (t < 6) {
		random_frame(rng, f, 0);
		return 0;
	}
	if (t < 15) {
		random_frame(rng, f, 1);
		return 1;
	}
	seed_frame(rng, f, &s);
	if (rng_pct(rng, 35))
		return 2;
	for (n = 1 + rng_below(rng, 4); n > 0; n--)
		mutate(rng, f, &s);
	return 3;
}
