/* SPDX-License-Identifier: GPL-2.0 */
/* Included by xdpguard.bpf.c: the features of passing packets for
 * xg-features (an IDS's model), within the XG_LIM_FEATURES budget.
 *
 * The pass path pays one compare while features are off (the budget's
 * rate is 0). While they are on, a packet is offered to the budget when
 * a monitor rule matched it, or when the counter it was just counted in
 * (interface, class, reason, this CPU) reached a multiple of feat_n: a
 * call, a multiply and a compare, no map and no helper (xg_feat_due()).
 * So the sampling is exact per counter and CPU: 1 in N of each.
 *
 * An offered packet is counted once in xg_evstats: feat_sent,
 * feat_sampled (no token in the budget) or feat_lost (the ring buffer
 * was full). The budget is a GCRA on xg_global.feat in coarse-clock time,
 * like the events' (events.h).
 */
#ifndef XG_BPF_FEATURES_H
#define XG_BPF_FEATURES_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "maps.h"
#include "kernel.h"
#include "parse.h"
#include "limits.h"
#include "events.h"

#define XG_FT_UDP_HLEN 8
#define XG_FT_ICMP_HLEN 8
#define XG_FT_TCP_DOFF 12 /* byte of the TCP header with the data offset */

/* In send_feature()'s pkt argument, above the offsets (event_arg_pkt()):
 * the slot of the monitor rule that matched, plus one; 0 for none.
 */
#define XG_FT_ARG_RULE_SHIFT 50

/* Addresses and TOS (IPv4) or traffic class (IPv6) of the IP header at
 * @l3, which passed its checks.
 */
static __always_inline void feature_l3(const struct xdp_md *ctx, __u32 l3_off,
				       int ipv6, struct xg_feature *f)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	void *l3 = data + (l3_off & XG_MAX_OFF);
	struct ipv6hdr *ip6 = l3;
	struct iphdr *ip = l3;

	if (ipv6) {
		if ((void *)(ip6 + 1) > end)
			return;
		__builtin_memcpy(f->saddr, &ip6->saddr, sizeof(f->saddr));
		__builtin_memcpy(f->daddr, &ip6->daddr, sizeof(f->daddr));
		f->tos = ip6->priority << 4 | ip6->flow_lbl[0] >> 4;
		f->ipver = 6;
		f->flags = XG_EV_L3 | XG_EV_IPV6;
		return;
	}
	if ((void *)(ip + 1) > end)
		return;
	f->saddr[0] = ip->saddr;
	f->daddr[0] = ip->daddr;
	f->tos = ip->tos;
	f->ipver = 4;
	f->flags = XG_EV_L3;
}

/* Ports and the payload behind the transport header. @l4_len is what
 * the IP header says follows it; a header cut short leaves no payload.
 */
static __always_inline void feature_l4(const struct xdp_md *ctx,
				       const struct xg_pkt *p,
				       struct xg_feature *f)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u8 *l4 = data + (p->l4_off & XG_MAX_OFF);
	__u32 hlen = 0;

	f->payload_len = p->l4_len;
	if (p->nonfirst_frag) {
		f->flags |= XG_EV_FRAG;
		return;
	}
	if (!p->l4_off)
		return;
	if (p->l4proto == IPPROTO_TCP) {
		if ((void *)(l4 + XG_FT_TCP_DOFF + 1) <= end)
			hlen = (l4[XG_FT_TCP_DOFF] >> 4) * 4;
	} else if (p->l4proto == IPPROTO_UDP) {
		hlen = XG_FT_UDP_HLEN;
	} else if (p->l4proto == IPPROTO_ICMP || p->l4proto == IPPROTO_ICMPV6) {
		hlen = XG_FT_ICMP_HLEN;
	} else {
		return;
	}
	/* no header, or one cut short: no payload */
	f->payload_len = hlen && p->l4_len >= hlen ? p->l4_len - hlen : 0;
	if ((p->l4proto != IPPROTO_TCP && p->l4proto != IPPROTO_UDP) ||
	    p->l4_len < XG_EV_PORTS_LEN || (void *)(l4 + XG_EV_PORTS_LEN) > end)
		return;
	f->sport = (__u16)l4[0] << 8 | l4[1];
	f->dport = (__u16)l4[2] << 8 | l4[3];
	f->flags |= XG_EV_PORTS;
}

/* The budget of the features, from the settings in force. */
static __always_inline int feature_limit(struct xg_limit *lim)
{
	struct xg_state *st;
	__u32 zero = 0;

	st = bpf_map_lookup_elem(&XG_MAP_STATE, &zero);
	if (!st)
		return -1;
	*lim = st->cfg[st->cfg_slot & 1].limit[XG_LIM_FEATURES];
	return lim->rate ? 0 : -1;
}

/* The feature step, for a passing packet while features are on: the
 * arguments of send_event() (events.h) with the rule above the offsets,
 * the count of the packet's counter with it (count_packet()) and the
 * sample's xg_config.feat_mul; returns 0. A global function, verified
 * once. A packet is offered to the budget if it has an IP header and a
 * monitor rule matched it or its count is a multiple of the sample's N:
 * for the others the call is all the cost.
 */
__attribute__((noinline)) int send_feature(struct xdp_md *ctx, __u64 pkt,
					   __u64 verdict, __u64 count,
					   __u64 mul)
{
	__u32 rule = (pkt >> XG_FT_ARG_RULE_SHIFT) & (2 * XG_MAX_RULES - 1);
	struct xg_evstats *es;
	struct xg_feature *f;
	struct xg_global *g;
	struct xg_limit lim;
	struct xg_pkt p;

	if (!ctx || !(pkt & 0xffff) || (!rule && !xg_feat_due(count, mul)))
		return 0;
	es = evstats();
	g = global_bucket();
	if (!es || !g || feature_limit(&lim))
		return 0;
	if (!event_token(&g->feat, xg_now_coarse(), &lim)) {
		es->feat_sampled += 1;
		return 0;
	}
	f = bpf_ringbuf_reserve(&XG_MAP_FEATS, sizeof(*f), 0);
	if (!f) {
		es->feat_lost += 1;
		return 0;
	}
	__builtin_memset(f, 0, sizeof(*f));
	__builtin_memset(&p, 0, sizeof(p));
	event_pkt(&p, pkt, verdict);
	f->ts_ns = xg_now();
	f->ifindex = ctx->ingress_ifindex;
	f->len = ctx->data_end - ctx->data;
	f->ifslot = xg_ifslot;
	f->l4proto = p.l4proto;
	f->tcp_flags = p.tcp_flags;
	f->reason = (verdict >> 32) & 0xff;
	feature_l3(ctx, p.l3_off, p.ipv6, f);
	feature_l4(ctx, &p, f);
	if (rule) {
		f->rule = rule - 1;
		f->flags |= XG_EV_RULE;
	}
	bpf_ringbuf_submit(f, 0);
	es->feat_sent += 1;
	return 0;
}

#endif /* XG_BPF_FEATURES_H */
