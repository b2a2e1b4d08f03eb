// SPDX-License-Identifier: GPL-2.0
/* The fuzzer's reference model: a parser written from the RFCs' header
 * layouts, not from bpf/parse.h, and a model of the decision order of
 * xdpguard(7) (lists, upper layer, limits) that says which counters a
 * frame may move. Where the limits could go either way the model allows
 * every reason they can give; the list decision it knows exactly.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <linux/bpf.h>

#include "fuzz.h"
#include "harness.h"

/* Documented limits of the program (xdpguard(7), DECISION ORDER): two
 * VLAN tags, eight IPv6 extension headers walked. The RFCs set neither.
 */
#define REF_MAX_TAGS 2
#define REF_MAX_EXT 8

#define ETHERTYPE_IPV4 0x0800
#define ETHERTYPE_IPV6 0x86dd
#define ETHERTYPE_8021Q 0x8100
#define ETHERTYPE_8021AD 0x88a8

/* IANA protocol numbers */
#define P_HOPOPT 0
#define P_ICMP 1
#define P_TCP 6
#define P_UDP 17
#define P_ROUTING 43
#define P_FRAGMENT 44
#define P_AH 51
#define P_ICMPV6 58
#define P_DSTOPTS 60

int model_short_runs;

#define TCP_SYN 0x02
#define TCP_ACK 0x10

static uint16_t rd16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

/* The extension headers xdpguard walks (xdpguard(7)): RFC 8200 4.3-4.6
 * and AH (RFC 4302). ESP, mobility and HIP headers end the walk like an
 * upper-layer protocol.
 */
static int walked(uint8_t nh)
{
	return nh == P_HOPOPT || nh == P_ROUTING || nh == P_FRAGMENT ||
	       nh == P_DSTOPTS || nh == P_AH;
}

/* RFC 8200 4.3-4.6: (Hdr Ext Len + 1) * 8 octets; the fragment header is
 * 8 octets; RFC 4302 2.2: AH's Payload Len is in 4-octet units, minus 2.
 */
static uint32_t ext_len(uint8_t nh, const uint8_t *h)
{
	if (nh == P_FRAGMENT)
		return 8;
	if (nh == P_AH)
		return (h[1] + 2U) * 4;
	return (h[1] + 1U) * 8;
}

static uint8_t class_of(uint8_t proto, int v6)
{
	if (proto == P_TCP)
		return XG_C_TCP;
	if (proto == P_UDP)
		return XG_C_UDP;
	if ((proto == P_ICMP && !v6) || (proto == P_ICMPV6 && v6))
		return XG_C_ICMP;
	return XG_C_OTHER_IP;
}

/* RFC 4291 2.5.5.2: ::ffff:a.b.c.d. */
static int v4_mapped(const uint8_t *a)
{
	static const uint8_t pfx[12] = { 0, 0, 0, 0, 0,	   0,
					 0, 0, 0, 0, 0xff, 0xff };

	return !memcmp(a, pfx, sizeof(pfx));
}

/* The upper-layer header (RFC 9293 3.1, RFC 768, RFC 792, RFC 4443 2.1)
 * and what a drop event reports of it.
 */
static void ref_l4(const uint8_t *b, size_t l4, uint32_t l4len, uint8_t proto,
		   int v6, int nonfirst, struct expect *x)
{
	uint8_t doff;

	x->class = class_of(proto, v6);
	x->ev.l4proto = proto;
	if (nonfirst) {
		/* RFC 791 / RFC 8200 4.5: payload, no header to check */
		x->ev.flags |= XG_EV_FRAG;
		x->limit = XG_LIM_FRAG;
		return;
	}
	switch (proto) {
	case P_TCP:
		if (l4len < 20) {
			x->l4_bad = 1;
			break;
		}
		doff = b[l4 + 12] >> 4;
		if (doff < 5) {
			x->l4_bad = 1;
			break;
		}
		x->ev.tcp_flags = b[l4 + 13];
		x->l4_bad = doff * 4U > l4len;
		break;
	case P_UDP:
		x->l4_bad = l4len < 8;
		break;
	case P_ICMP:
		x->l4_bad = !v6 && l4len < 8;
		break;
	case P_ICMPV6:
		x->l4_bad = v6 && l4len < 8;
		break;
	default:
		/* Only an IPv6 chain longer than the walk ends here on an
		 * extension header; for IPv4 these numbers are protocols
		 * like any other.
		 */
		x->l4_bad = v6 && walked(proto);
	}
	if ((proto == P_TCP || proto == P_UDP) && l4len >= 4) {
		x->ev.flags |= XG_EV_PORTS;
		x->ev.sport = rd16(b + l4);
		x->ev.dport = rd16(b + l4 + 2);
	} else if (x->class == XG_C_ICMP && l4len >= 2) {
		x->ev.flags |= XG_EV_ICMP;
		x->ev.sport = b[l4];
		x->ev.dport = b[l4 + 1];
	}
	if (x->l4_bad && x->class == XG_C_OTHER_IP)
		x->limit = XG_LIM_FRAG;
	else if (x->class == XG_C_UDP)
		x->limit = XG_LIM_UDP;
	else if (x->class == XG_C_ICMP)
		x->limit = XG_LIM_ICMP;
	else if (x->class == XG_C_TCP &&
		 (x->l4_bad ||
		  (x->ev.tcp_flags & (TCP_SYN | TCP_ACK)) == TCP_SYN))
		x->limit = XG_LIM_SYN;
}

/* An IP header of the right version that is all in the frame names its
 * source even when its lengths or chain are wrong (xdpguard(7), step 1):
 * malformed, other-ip, the lists decide, and the fragment limit, as its
 * upper layer is unseen. The source is already in x->src.
 */
static void l3_bad_src(struct expect *x)
{
	x->kind = EX_IP;
	x->class = XG_C_OTHER_IP;
	x->l4_bad = 1;
	x->limit = XG_LIM_FRAG;
	x->ev.l4proto = 0;
}

/* RFC 791 3.1. Total Length covers the header; Ethernet may pad after. */
static void ref_ipv4(const uint8_t *b, size_t len, size_t off, struct expect *x)
{
	uint32_t ihl, tot;

	if (off + 20 > len || b[off] >> 4 != 4) {
		x->kind = EX_L3BAD;
		return;
	}
	memcpy(&x->src[0], b + off + 12, 4);
	ihl = (b[off] & 0xfU) * 4;
	tot = rd16(b + off + 2);
	if (ihl < 20 || tot < ihl || off + tot > len) {
		l3_bad_src(x);
		return;
	}
	x->kind = EX_IP;
	memcpy(&x->ev.saddr[0], b + off + 12, 4);
	memcpy(&x->ev.daddr[0], b + off + 16, 4);
	x->ev.flags = XG_EV_L3;
	ref_l4(b, off + ihl, tot - ihl, b[off + 9], 0,
	       (rd16(b + off + 6) & 0x1fff) != 0, x);
}

/* RFC 8200 3 and 4. The addresses are reported once the fixed header
 * holds, even if the chain after it does not.
 */
static void ref_ipv6(const uint8_t *b, size_t len, size_t off, struct expect *x)
{
	uint32_t rem, hl;
	size_t p = off + 40;
	int i, nonfirst = 0;
	uint8_t nh;

	if (off + 40 > len || b[off] >> 4 != 6) {
		x->kind = EX_L3BAD;
		return;
	}
	if (v4_mapped(b + off + 8)) {
		memcpy(&x->src[0], b + off + 20, 4);
	} else {
		memcpy(x->src, b + off + 8, 16);
		x->src6 = 1;
	}
	rem = rd16(b + off + 4);
	if (p + rem > len) {
		l3_bad_src(x);
		return;
	}
	memcpy(x->ev.saddr, b + off + 8, 16);
	memcpy(x->ev.daddr, b + off + 24, 16);
	x->ev.flags = XG_EV_L3 | XG_EV_IPV6;
	nh = b[off + 6];
	for (i = 0; walked(nh); i++) {
		if (i == REF_MAX_EXT) {
			x->chain_cap = 1;
			break;
		}
		/* Every header is 8 octets at least: one that does not fit
		 * in what the payload length leaves is truncated.
		 */
		hl = rem < 8 ? 0 : ext_len(nh, b + p);
		if (!hl || hl > rem) {
			l3_bad_src(x);
			return;
		}
		/* RFC 8200 4.5: Fragment Offset, the upper 13 bits */
		if (nh == P_FRAGMENT && (rd16(b + p + 2) & 0xfff8))
			nonfirst = 1;
		nh = b[p];
		p += hl;
		rem -= hl;
		if (nonfirst)
			break;
	}
	x->kind = EX_IP;
	ref_l4(b, p, rem, nh, 1, nonfirst, x);
}

void ref_parse(const uint8_t *b, size_t len, struct expect *x)
{
	size_t off = 14;
	uint16_t et;

	memset(x, 0, sizeof(*x));
	x->limit = -1;
	x->hit = -1;
	if (len < 14) {
		x->kind = model_short_runs ? EX_L2BAD : EX_SHORT;
		return;
	}
	/* IEEE 802.1Q: a tag is TCI then the next ethertype. */
	et = rd16(b + 12);
	while (x->tags < REF_MAX_TAGS &&
	       (et == ETHERTYPE_8021Q || et == ETHERTYPE_8021AD)) {
		if (off + 4 > len) {
			x->kind = EX_L2BAD;
			return;
		}
		et = rd16(b + off + 2);
		off += 4;
		x->tags++;
	}
	x->class = XG_C_OTHER_IP;
	if (et == ETHERTYPE_IPV4)
		ref_ipv4(b, len, off, x);
	else if (et == ETHERTYPE_IPV6)
		ref_ipv6(b, len, off, x);
	else
		x->kind = EX_NONIP;
}

/* ---- the lists ------------------------------------------------------------ */

#define MODEL_MAX 64

static struct mentry ents[MODEL_MAX];
static int nents;

void model_clear(void)
{
	nents = 0;
}

int model_count(void)
{
	return nents;
}

struct mentry *model_entry(int i)
{
	return &ents[i];
}

int model_add(int block, const char *cidr, uint64_t expires, uint64_t now)
{
	struct xg_entry e = { .expires_ns = expires };
	struct mentry *m;
	char buf[48], *slash;

	if (nents == MODEL_MAX)
		return -1;
	m = &ents[nents];
	memset(m, 0, sizeof(*m));
	snprintf(m->cidr, sizeof(m->cidr), "%s", cidr);
	snprintf(buf, sizeof(buf), "%s", cidr);
	m->v6 = strchr(buf, ':') != NULL;
	slash = strchr(buf, '/');
	m->host = !slash;
	m->plen = m->v6 ? 128 : 32;
	if (slash) {
		*slash = '\0';
		m->plen = atoi(slash + 1);
	}
	if (inet_pton(m->v6 ? AF_INET6 : AF_INET, buf, m->addr) != 1)
		return -1;
	m->block = block;
	m->expires = expires;
	m->dead_from_start = expires && expires < now;
	if (h_add_entry(block, cidr, &e, 1))
		return -1;
	nents++;
	return 0;
}

static int live(const struct mentry *m, uint64_t now)
{
	return !m->expires || m->expires >= now;
}

static int covers(const struct mentry *m, const uint32_t *src)
{
	const uint8_t *a = (const uint8_t *)m->addr, *b = (const uint8_t *)src;
	int bits = m->plen, i;

	for (i = 0; bits >= 8; i++, bits -= 8)
		if (a[i] != b[i])
			return 0;
	return !bits || !((a[i] ^ b[i]) & (0xff00 >> bits));
}

/* The live host entry, else the longest live prefix that holds @x's
 * source: an expired entry is not there.
 */
static int find(int block, const struct expect *x, uint64_t now)
{
	int i, best = -1;

	for (i = 0; i < nents; i++) {
		const struct mentry *m = &ents[i];

		if (m->block != block || m->v6 != x->src6 || !live(m, now) ||
		    !covers(m, x->src))
			continue;
		if (m->host)
			return i;
		if (best < 0 || m->plen > ents[best].plen)
			best = i;
	}
	return best;
}

void model_lists(struct expect *x, uint64_t now)
{
	int i;

	x->list = LIST_NONE;
	x->hit = -1;
	if (x->kind != EX_IP)
		return;
	i = find(0, x, now);
	if (i >= 0) {
		x->list = LIST_ALLOW;
		x->hit = i;
		return;
	}
	i = find(1, x, now);
	if (i >= 0) {
		x->list = LIST_BLOCK;
		x->hit = i;
	}
}

/* ---- counters and verdicts ------------------------------------------------ */

int reason_verdict(uint32_t reason, uint32_t flags)
{
	switch (reason) {
	case XG_R_PASS:
	case XG_R_ALLOWLISTED:
		return XDP_PASS;
	case XG_R_MALFORMED:
		return flags & XG_CFG_DROP_MALFORMED ? XDP_DROP : XDP_PASS;
	case XG_R_COOKIE_SENT:
		return XDP_TX;
	default:
		return XDP_DROP;
	}
}

int mask_verdict(slotmask_t mask, uint32_t flags)
{
	int v = -2, b;

	for (b = 0; b < SLOT_BITS; b++) {
		if (!(mask & ((slotmask_t)1 << b)))
			continue;
		if (v == -2)
			v = reason_verdict(b % XG_R_MAX, flags);
		else if (v != reason_verdict(b % XG_R_MAX, flags))
			return -1;
	}
	return v == -2 ? -1 : v;
}

static int bans_possible(const struct xg_config *cfg)
{
	int k;

	if (!cfg->ban_secs)
		return 0;
	for (k = 0; k < XG_LIM_SRC; k++)
		if (cfg->limit[k].rate)
			return 1;
	return 0;
}

static slotmask_t mask_one(const struct expect *x, const struct xg_config *cfg)
{
	int dropmal = cfg->flags & XG_CFG_DROP_MALFORMED;
	slotmask_t m;
	int c = x->class, k = x->limit;

	switch (x->kind) {
	case EX_SHORT:
		return 0;
	case EX_L2BAD:
		return SLOT_BIT(XG_C_NON_IP, XG_R_MALFORMED);
	case EX_NONIP:
		return SLOT_BIT(XG_C_NON_IP, XG_R_PASS);
	case EX_L3BAD:
		return SLOT_BIT(XG_C_OTHER_IP, XG_R_MALFORMED);
	}
	if (x->list == LIST_ALLOW)
		return SLOT_BIT(c, XG_R_ALLOWLISTED);
	/* An automatic ban is a blocklist entry the model does not follow:
	 * it may come first for any source that is not allowed.
	 */
	m = bans_possible(cfg) ? SLOT_BIT(c, XG_R_AUTOBAN) : 0;
	if (x->list == LIST_BLOCK)
		return m | SLOT_BIT(c, XG_R_BLOCKLISTED);
	if (x->l4_bad && dropmal)
		return m | SLOT_BIT(c, XG_R_MALFORMED);
	m |= SLOT_BIT(c, x->l4_bad ? XG_R_MALFORMED : XG_R_PASS);
	if (k < 0)
		return m;
	if (cfg->limit[k].rate)
		m |= SLOT_BIT(c, XG_R_RATE_SYN + k);
	/* the ceiling: for every packet without a per-source limit, else
	 * for the sources the admission budget refuses
	 */
	if (cfg->limit[XG_LIM_GLOBAL + k].rate &&
	    (!cfg->limit[k].rate || cfg->limit[XG_LIM_NEW + k].rate))
		m |= SLOT_BIT(c, XG_R_SYN_GLOBAL + k);
	return m;
}

slotmask_t model_mask(const struct expect *x, const struct xg_config *cfg)
{
	return mask_one(x, cfg);
}
