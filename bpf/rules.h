/* SPDX-License-Identifier: GPL-2.0 */
/* Included by xdpguard.bpf.c: the rules of xg-rule, after the lists and
 * before the per-source limits. The classification is user space's
 * (xg_abi.h): a packet reads its candidate set and checks those rules
 * only, in order; the first that matches decides.
 */
#ifndef XG_BPF_RULES_H
#define XG_BPF_RULES_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "maps.h"
#include "parse.h"
#include "lists.h"
#include "limits.h"
#include "events.h"

/* rules_find()'s @meta, packed by rules_meta() */
#define XG_RQ_IPV6 (1U << 8)
#define XG_RQ_FRAG (1U << 9)
#define XG_RQ_L4OK (1U << 10)

/* What the rule checks compare, read from the headers once. Addresses in
 * the IPv6 space, IPv4 as ::ffff:a.b.c.d, network order.
 */
struct xg_rpkt {
	__u32 saddr[4];
	__u32 daddr[4];
	__u16 sport, dport; /* host order; 0 without a header */
	__u16 len; /* IP total length */
	__u8 ttl, proto, tcp_flags, icmp_type, icmp_code;
	__u8 ports; /* sport/dport are there */
	__u8 frag; /* a non-first fragment */
	__u8 v6;
};

static __always_inline __u64 rules_meta(const struct xg_pkt *p, int l4_bad)
{
	return p->l4proto | (p->ipv6 ? XG_RQ_IPV6 : 0) |
	       (p->nonfirst_frag ? XG_RQ_FRAG : 0) | (l4_bad ? 0 : XG_RQ_L4OK) |
	       (__u32)p->tcp_flags << 16;
}

static __always_inline __u32 rclass_of(__u8 proto, int v6)
{
	if (proto == IPPROTO_TCP)
		return XG_RC_TCP;
	if (proto == IPPROTO_UDP)
		return XG_RC_UDP;
	if (proto == (v6 ? IPPROTO_ICMPV6 : IPPROTO_ICMP))
		return XG_RC_ICMP;
	return XG_RC_OTHER;
}

static __always_inline void v4_mapped(__u32 *a, __u32 v4)
{
	a[0] = 0;
	a[1] = 0;
	a[2] = bpf_htonl(0xffff);
	a[3] = v4;
}

/* Fills @k from the headers at the offsets the parse found; 0, or -1 if
 * a header is not there (the parse checked them: never, but the verifier
 * sees the checks).
 */
static __always_inline int rpkt_read(struct xdp_md *ctx, __u64 offs, __u64 meta,
				     struct xg_rpkt *k)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 l3 = offs & 0xff, l4 = (offs >> 16) & XG_MAX_OFF;
	__u8 *l4h;

	k->proto = meta & 0xff;
	k->v6 = !!(meta & XG_RQ_IPV6);
	k->frag = !!(meta & XG_RQ_FRAG);
	k->tcp_flags = meta >> 16;
	if (k->v6) {
		struct ipv6hdr *ip6 = data + l3;

		if ((void *)(ip6 + 1) > end)
			return -1;
		__builtin_memcpy(k->saddr, &ip6->saddr, 16);
		__builtin_memcpy(k->daddr, &ip6->daddr, 16);
		k->ttl = ip6->hop_limit;
		k->len = sizeof(*ip6) + bpf_ntohs(ip6->payload_len);
	} else {
		struct iphdr *ip = data + l3;

		if ((void *)(ip + 1) > end)
			return -1;
		v4_mapped(k->saddr, ip->saddr);
		v4_mapped(k->daddr, ip->daddr);
		k->ttl = ip->ttl;
		k->len = bpf_ntohs(ip->tot_len);
	}
	if (!(meta & XG_RQ_L4OK) || k->frag)
		return 0;
	l4h = data + l4;
	if ((void *)(l4h + 4) > end)
		return 0;
	if (k->proto == IPPROTO_TCP || k->proto == IPPROTO_UDP) {
		k->sport = (__u16)l4h[0] << 8 | l4h[1];
		k->dport = (__u16)l4h[2] << 8 | l4h[3];
		k->ports = 1;
	} else if (rclass_of(k->proto, k->v6) == XG_RC_ICMP) {
		k->icmp_type = l4h[0];
		k->icmp_code = l4h[1];
	}
	return 0;
}

/* @a within the prefix @want/@len (all three in the IPv6 space). */
static __always_inline int in_prefix(const __u32 *a, const __u32 *want,
				     __u32 len)
{
	int i;

#pragma unroll
	for (i = 0; i < 4; i++) {
		__u32 bits = len > 32U * i ? len - 32U * i : 0;

		if ((a[i] & word_mask(bits)) != want[i])
			return 0;
	}
	return 1;
}

static __always_inline int rule_ok(const struct xg_rule *r,
				   const struct xg_rpkt *k)
{
	__u32 m = r->match;

	if ((m & XG_RM_V4) && k->v6)
		return 0;
	if ((m & XG_RM_V6) && !k->v6)
		return 0;
	if ((m & XG_RM_PROTO) && k->proto != r->proto)
		return 0;
	if ((m & XG_RM_FRAG) && !k->frag)
		return 0;
	if ((m & XG_RM_NOFRAG) && k->frag)
		return 0;
	if ((m & XG_RM_SPORT) &&
	    (!k->ports || k->sport < r->sport_lo || k->sport > r->sport_hi))
		return 0;
	if ((m & XG_RM_FLAGS) && k->proto == IPPROTO_TCP &&
	    (k->tcp_flags & r->tcp_mask) != r->tcp_flags)
		return 0;
	if ((m & XG_RM_ICMP_TYPE) && k->icmp_type != r->icmp_type)
		return 0;
	if ((m & XG_RM_ICMP_CODE) && k->icmp_code != r->icmp_code)
		return 0;
	if ((m & XG_RM_LEN) && (k->len < r->len_lo || k->len > r->len_hi))
		return 0;
	if ((m & XG_RM_TTL) && (k->ttl < r->ttl_lo || k->ttl > r->ttl_hi))
		return 0;
	if ((m & XG_RM_SRC) && !in_prefix(k->saddr, r->src, r->src_len))
		return 0;
	if ((m & XG_RM_DST) && !in_prefix(k->daddr, r->dst, r->dst_len))
		return 0;
	return 1;
}

/* The candidate set of the packet (0: none), in the main program: most
 * packets of a host with rules meet none, and pay this array read only.
 */
static __always_inline __u32 rule_set(const struct xg_pkt *p, int l4_bad,
				      __u32 bank)
{
	__u32 entry, sel;
	struct xg_rport *rp;

	if (!l4_bad && !p->nonfirst_frag &&
	    (p->l4proto == IPPROTO_TCP || p->l4proto == IPPROTO_UDP)) {
		entry = ((p->l4proto == IPPROTO_UDP ? 65536 : 0) + p->dport) >>
			2;
		sel = p->dport & 3;
	} else {
		entry = XG_RPORT_PORTLESS;
		sel = rclass_of(p->l4proto, p->ipv6);
	}
	entry += bank ? XG_RPORT_ENTRIES : 0;
	rp = bpf_map_lookup_elem(&XG_MAP_RPORTS, &entry);
	return rp ? rp->set[sel & 3] : 0;
}

/* The entry (in xg_rules) of the first rule of candidate set @sid of
 * bank @bank that matches the packet, or -1. A global function: the verifier walks it once, and the
 * main program sees one scalar (arguments: the parse's offsets as
 * event_arg_pkt() packs them, and rules_meta()).
 */
__attribute__((noinline)) int rules_find(struct xdp_md *ctx, __u64 offs,
					 __u64 meta, __u32 sid, __u32 bank)
{
	__u32 i, idx, base = bank ? XG_MAX_RULES : 0;
	struct xg_rpkt k = {};
	struct xg_rset *set;
	struct xg_rule *r;

	if (!ctx || rpkt_read(ctx, offs, meta, &k))
		return -1;
	sid += bank ? XG_MAX_RSETS : 0;
	set = bpf_map_lookup_elem(&XG_MAP_RSETS, &sid);
	if (!set)
		return -1;
	for (i = 0; i < XG_RULE_CAND; i++) {
		if (i >= set->n)
			break;
		idx = base + set->idx[i];
		r = bpf_map_lookup_elem(&XG_MAP_RULES, &idx);
		if (r && rule_ok(r, &k))
			return idx;
	}
	return -1;
}

/* apply_rule() of a pass rule: passed (XG_R_PASS), and no limit meets it */
#define XG_RULE_PASS 0xff

/* The tat of @r's bucket for the source of @p, inserted full when new;
 * NULL if the LRU cannot take it (the packet then passes the rule).
 */
static __always_inline __u64 *rule_src_tat(const struct xg_rule *r,
					   const struct xg_in6 *src)
{
	struct xg_rsrc_key k;
	__u64 zero = 0, *tat;

	k.slot = r->slot;
	k.pad = 0;
	k.src = *src;
	tat = bpf_map_lookup_elem(&XG_MAP_RSRC, &k);
	if (tat)
		return tat;
	bpf_map_update_elem(&XG_MAP_RSRC, &k, &zero, BPF_NOEXIST);
	return bpf_map_lookup_elem(&XG_MAP_RSRC, &k);
}

/* Takes a token of rate rule @r: its one bucket, or the source's. */
static __always_inline int rule_take(const struct xg_rule *r,
				     const struct xg_in6 *src)
{
	__u32 slot = r->slot;
	__u64 *tat;

	if (!r->rate.rate)
		return 1;
	if (r->match & XG_RM_PER_SOURCE) {
		tat = rule_src_tat(r, src);
	} else {
		struct xg_gbucket *b =
			bpf_map_lookup_elem(&XG_MAP_RBUCKET, &slot);

		tat = b ? &b->tat : NULL;
	}
	return !tat || gcra_take(tat, xg_now_coarse(), &r->rate);
}

/* XG_R_PASS (on to the limits), XG_R_RULE_DROP, XG_R_RULE_RATE, or
 * XG_RULE_PASS. A monitor rule's match is offered to the event stream. A drop (or a rate drop) of a rule with ban_secs bans the
 * source as the automatic bans do.
 */
static __always_inline __u32 apply_rule(struct xdp_md *ctx, int idx,
					struct xg_pkt *p,
					const struct xg_config *cfg,
					struct xg_state *st, __u32 class)
{
	__u32 key = idx, slot, plen, reason = XG_R_PASS;
	struct xg_in6 src;
	struct xg_rule *r = bpf_map_lookup_elem(&XG_MAP_RULES, &key);
	struct xg_counter *c;

	if (!r)
		return XG_R_PASS;
	slot = r->slot;
	c = bpf_map_lookup_elem(&XG_MAP_RHITS, &slot);
	if (c) {
		c->packets += 1;
		c->bytes += ctx->data_end - ctx->data;
	}
	if (r->action == XG_RA_PASS)
		return XG_RULE_PASS;
	if (r->action == XG_RA_MONITOR) {
		/* offered at the match; the packet goes on to the limits,
		 * and to the features if it passes them
		 */
		p->mon_rule = slot + 1;
		if (cfg->limit[XG_LIM_MONITOR].rate)
			send_event(ctx,
				   event_arg_pkt(p) |
					   (__u64)XG_EVT_MONITOR
						   << XG_EV_ARG_TYPE_SHIFT |
					   (__u64)slot << XG_EV_ARG_RULE_SHIFT,
				   event_arg_verdict(p, class, XG_R_PASS,
						     cfg->gen),
				   cfg->limit[XG_LIM_MONITOR].interval_ns,
				   cfg->limit[XG_LIM_MONITOR].tau_ns);
		return XG_R_PASS;
	}
	if (r->action != XG_RA_DROP && r->action != XG_RA_RATE)
		return XG_R_PASS;
	plen = source_key(p, cfg->v6_prefix, &src);
	if (r->action == XG_RA_DROP)
		reason = XG_R_RULE_DROP;
	else if (!rule_take(r, &src))
		reason = XG_R_RULE_RATE;
	if (reason != XG_R_PASS && r->ban_secs)
		ban(st, p, &src, plen, 0, r->ban_secs);
	return reason;
}

#endif /* XG_BPF_RULES_H */
