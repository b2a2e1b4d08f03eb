// SPDX-License-Identifier: GPL-2.0
/* xdpguard: drop traffic from blocklisted sources and sources over their
 * rate limits at the driver, count every packet by protocol class and
 * reason.
 */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "maps.h"
#include "kernel.h"
#include "parse.h"
#include "lists.h"
#include "limits.h"
#include "rules.h"
#include "stats.h"
#include "events.h"
#include "features.h"
#include "syncookie.h"

static __always_inline __u32 class_of(const struct xg_pkt *p)
{
	switch (p->l4proto) {
	case IPPROTO_TCP:
		return XG_C_TCP;
	case IPPROTO_UDP:
		return XG_C_UDP;
	case IPPROTO_ICMP:
		return p->ipv6 ? XG_C_OTHER_IP : XG_C_ICMP;
	case IPPROTO_ICMPV6:
		return p->ipv6 ? XG_C_ICMP : XG_C_OTHER_IP;
	default:
		return XG_C_OTHER_IP;
	}
}

static __always_inline int parse_l3(struct cursor *c, __be16 proto,
				    struct xg_pkt *p)
{
	int err;

	if (proto == bpf_htons(ETH_P_IP))
		err = parse_ipv4(c, p);
	else
		err = parse_ipv6(c, p);
	if (!err)
		p->l4_off = c->off;
	return err;
}

/* The lists decide before a bad L4 header does. L4 is parsed earlier all
 * the same (parsing has no side effects): then no packet pointer is live
 * here and the verifier merges the states of the many parse paths.
 */
static __always_inline __u32 decide_lists(__u32 lists, const struct xg_pkt *p,
					  int l4_bad)
{
	int hit;

	if (lists)
		lists = lists_for(lists, p);
	if (lists && lookup_allow(lists, p))
		return XG_R_ALLOWLISTED;
	hit = lists ? lookup_block(lists, p) : 0;
	if (hit)
		return hit == XG_HIT_AUTO ? XG_R_AUTOBAN : XG_R_BLOCKLISTED;
	return l4_bad ? XG_R_MALFORMED : XG_R_PASS;
}

/* Returns the reason and sets *class; the verdict follows from both.
 * Fills @p (zeroed by the caller) for the event step. @st and @cfg may
 * be NULL (no lists, no limits).
 */
static __always_inline __u32 decide(struct xdp_md *ctx, struct cursor *c,
				    struct xg_pkt *p, struct xg_state *st,
				    const struct xg_config *cfg, __u32 *class)
{
	__u32 reason, limited, sid;
	__be16 proto;
	int l3, l4_bad, bad;

	*class = XG_C_NON_IP;
	if (parse_eth(c, &proto) < 0)
		return XG_R_MALFORMED;
	if (proto != bpf_htons(ETH_P_IP) && proto != bpf_htons(ETH_P_IPV6))
		return XG_R_PASS;

	*class = XG_C_OTHER_IP;
	l3 = parse_l3(c, proto, p);
	if (l3 == XG_L3_BAD)
		return XG_R_MALFORMED;
	/* A bad IP header with its source, other-ip: malformed, seen by the
	 * lists, and under the fragment limit, as its upper layer is unseen.
	 */
	*class = class_of(p);

	/* A later fragment has no L4 header; the lists still see it, so
	 * fragmenting does not get around the blocklist.
	 */
	l4_bad = l3 || (!p->nonfirst_frag && parse_l4(c, p) < 0);
	p->arg_pkt = event_arg_pkt(p);
	p->arg_l4 = event_arg_l4(p);
	reason = decide_lists(st ? st->lists & XG_L_LISTS : 0, p, l4_bad);
	if (!cfg)
		return reason;
	/* A malformed packet that will be passed still costs the kernel an
	 * sk_buff: it meets the limit of the class it claims, or a flood of
	 * bad headers would go around the limits. One call site keeps the
	 * limit code inlined once.
	 */
	bad = reason == XG_R_MALFORMED && !(cfg->flags & XG_CFG_DROP_MALFORMED);
	if (reason != XG_R_PASS && !bad)
		return reason;
	/* The rules: after the lists, before the limits (xdpguard(7)). */
	sid = st && (st->lists & XG_L_RULES) ?
		      rule_set(p, l4_bad, cfg->rule_bank) :
		      0;
	if (sid) {
		int idx = rules_find(ctx, event_arg_pkt(p),
				     rules_meta(p, l4_bad), sid,
				     cfg->rule_bank);

		if (idx >= 0) {
			reason = apply_rule(ctx, idx, p, cfg, st, *class);
			if (reason == XG_RULE_PASS)
				return bad ? XG_R_MALFORMED : XG_R_PASS;
			if (reason != XG_R_PASS)
				return reason;
		}
	}
	/* SYN cookies: after the rules, before the limits, which a SYN
	 * answered here never meets (xdpguard(7), SYN COOKIES).
	 */
	if ((xg_kfeat & XG_KF_SYNCOOKIE) && (cfg->flags & XG_CFG_SYNCOOKIES) &&
	    *class == XG_C_TCP && !l4_bad && !bad &&
	    (p->tcp_flags & (XG_TCP_SYN | XG_TCP_ACK))) {
		reason = syn_cookie(ctx, p->l3_off, p->l4_off, p->l4_len,
				    sc_args(p));
		if (reason != XG_SC_NEXT)
			return reason;
	}
	limited = check_limits(ctx, p, *class, cfg, st, bad);
	return bad && limited == XG_R_PASS ? XG_R_MALFORMED : limited;
}

static __always_inline int verdict_of(__u32 reason, __u32 flags)
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

SEC("xdp")
int xdpguard(struct xdp_md *ctx)
{
	struct cursor c = {
		.data = (void *)(long)ctx->data,
		.end = (void *)(long)ctx->data_end,
	};
	__u32 zero = 0, class, reason, count, flags = 0;
	struct xg_state *st = bpf_map_lookup_elem(&XG_MAP_STATE, &zero);
	struct xg_config *cfg = NULL;
	struct xg_pkt p = {};
	int verdict;

	/* The lookup cannot fail for an array; if it did, run with no lists
	 * and no limits rather than drop.
	 */
	if (st) {
		cfg = &st->cfg[st->cfg_slot & 1];
		flags = cfg->flags;
	}
	reason = decide(ctx, &c, &p, st, cfg, &class);
	verdict = verdict_of(reason, flags);
	/* Drops only: the pass path pays one compare for events, a drop
	 * with events off one load more, and neither the call.
	 */
	if (verdict == XDP_DROP && cfg && cfg->limit[XG_LIM_EVENTS].rate &&
	    !event_skipped(cfg->gen))
		send_event(ctx, p.arg_pkt,
			   event_arg_packed(&p, class, reason, cfg->gen),
			   cfg->limit[XG_LIM_EVENTS].interval_ns,
			   cfg->limit[XG_LIM_EVENTS].tau_ns);
	count = count_packet(ctx, class, reason);
	/* Passes only: one compare while features are off; the call
	 * decides the rest (its walk is the verifier's once, not at the end
	 * of every path here).
	 */
	if (verdict == XDP_PASS && cfg && cfg->limit[XG_LIM_FEATURES].rate)
		send_feature(ctx,
			     p.arg_pkt | (__u64)p.mon_rule
						 << XG_FT_ARG_RULE_SHIFT,
			     event_arg_packed(&p, class, reason, cfg->gen),
			     count, cfg->feat_mul);
	return verdict;
}

char LICENSE[] SEC("license") = "GPL";
