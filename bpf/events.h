/* SPDX-License-Identifier: GPL-2.0 */
/* Included by xdpguard.bpf.c: a record of a dropped packet for xg-events,
 * within the XG_LIM_EVENTS budget.
 *
 * Runs after the verdict and on drops only, so the pass path pays nothing
 * but a compare. While events are on, every drop is counted once in
 * xg_evstats: sent, sampled (no token in the budget) or lost (a token,
 * but the ring buffer was full), so sent + sampled + lost = drops. The
 * budget is a GCRA on xg_global.ev, one word shared by all CPUs like
 * the ceilings, so the rate holds in total. Under a flood the budget is
 * empty nearly all the time: a CPU that misses skips it for its next
 * drops (event_skipped()), so most drops cost one per-CPU add, and the
 * others a coarse clock read and a read of the shared word, which is
 * never written while it has no token.
 *
 * The budget runs on bpf_ktime_get_coarse_ns() (CLOCK_MONOTONIC_COARSE,
 * one tick of resolution), not on the boot clock of the other limits,
 * which is dearer to read (docs/BENCHMARKS.md). A tick of jitter does not
 * change how many events a second go out. So ev.tat is in coarse-clock time, and user
 * space only ever writes 0 to it. The record's ts_ns is the boot clock,
 * read only for an event that is sent.
 */
#ifndef XG_BPF_EVENTS_H
#define XG_BPF_EVENTS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "maps.h"
#include "kernel.h"
#include "parse.h"
#include "limits.h"

/* Bytes of the L4 header an event reads: the two ports, or ICMP type and
 * code.
 */
#define XG_EV_PORTS_LEN 4
#define XG_EV_ICMP_LEN 2

static __always_inline struct xg_evstats *evstats(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&XG_MAP_EVSTATS, &zero);
}

/* Returns 1 if the budget has a token for an event at @now, and takes
 * it. The read-only peek first: under a flood the word stays in every
 * CPU's cache instead of bouncing with a failed compare-and-swap.
 */
static __always_inline int event_token(struct xg_gbucket *b, __u64 now,
				       const struct xg_limit *lim)
{
	if (gcra_empty(&b->tat, now, lim))
		return 0;
	return gcra_take(&b->tat, now, lim);
}

/* Addresses from the IP header that passed its checks; a packet
 * malformed before that has none.
 */
static __always_inline void event_l3(const struct xdp_md *ctx,
				     const struct xg_pkt *p, struct xg_event *e)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	void *l3 = data + (p->l3_off & XG_MAX_OFF);
	struct ipv6hdr *ip6 = l3;
	struct iphdr *ip = l3;

	if (!p->l3_off)
		return;
	if (p->ipv6) {
		if ((void *)(ip6 + 1) > end)
			return;
		__builtin_memcpy(e->saddr, &ip6->saddr, sizeof(e->saddr));
		__builtin_memcpy(e->daddr, &ip6->daddr, sizeof(e->daddr));
		e->flags = XG_EV_L3 | XG_EV_IPV6;
		return;
	}
	if ((void *)(ip + 1) > end)
		return;
	e->saddr[0] = ip->saddr;
	e->daddr[0] = ip->daddr;
	e->flags = XG_EV_L3;
}

/* Ports (TCP, UDP) or type and code (ICMP, ICMPv6) when those bytes lie
 * within the IP payload, also for a header too short or too bad to pass
 * parse_l4(): what is there is worth reporting. A later fragment carries
 * payload where a header would be.
 */
static __always_inline void event_l4(const struct xdp_md *ctx,
				     const struct xg_pkt *p, struct xg_event *e)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u8 *l4 = data + (p->l4_off & XG_MAX_OFF);
	__u8 proto = p->l4proto;

	if (p->nonfirst_frag) {
		e->flags |= XG_EV_FRAG;
		return;
	}
	if (!p->l4_off)
		return;
	if (proto == IPPROTO_TCP || proto == IPPROTO_UDP) {
		if (p->l4_len < XG_EV_PORTS_LEN ||
		    (void *)(l4 + XG_EV_PORTS_LEN) > end)
			return;
		e->sport = (__u16)l4[0] << 8 | l4[1];
		e->dport = (__u16)l4[2] << 8 | l4[3];
		e->flags |= XG_EV_PORTS;
		return;
	}
	if ((proto == IPPROTO_ICMP && !p->ipv6) ||
	    (proto == IPPROTO_ICMPV6 && p->ipv6)) {
		if (p->l4_len < XG_EV_ICMP_LEN ||
		    (void *)(l4 + XG_EV_ICMP_LEN) > end)
			return;
		e->sport = l4[0];
		e->dport = l4[1];
		e->flags |= XG_EV_ICMP;
	}
}

/* Ring buffer memory is not zeroed: every byte is written. */
static __always_inline void event_fill(struct xg_event *e,
				       const struct xdp_md *ctx,
				       const struct xg_pkt *p, __u32 class,
				       __u32 reason)
{
	__builtin_memset(e, 0, sizeof(*e));
	e->ts_ns = xg_now();
	e->ifindex = ctx->ingress_ifindex;
	e->len = ctx->data_end - ctx->data;
	e->ifslot = xg_ifslot;
	e->reason = reason;
	e->class = class;
	e->l4proto = p->l4proto;
	e->tcp_flags = p->tcp_flags;
	event_l3(ctx, p, e);
	event_l4(ctx, p, e);
}

/* What send_event() needs of the packet and the verdict, packed into
 * scalars: kernels before 5.12 take no pointer but the context as the
 * argument of a global function. The addresses are read again from the
 * header, through l3_off.
 */
#define XG_EV_ARG_IPV6 (1U << 8)
#define XG_EV_ARG_FRAG (1U << 9)
/* In the pkt argument, above the offsets: the event's type (XG_EVT_*,
 * 0 for a drop), and a monitor event's rule
 */
#define XG_EV_ARG_TYPE_SHIFT 48
#define XG_EV_ARG_TYPE_MASK (3ULL << XG_EV_ARG_TYPE_SHIFT)
#define XG_EV_ARG_RULE_SHIFT 50

static __always_inline __u64 event_arg_pkt(const struct xg_pkt *p)
{
	return p->l3_off | (__u32)p->l4_off << 16 | (__u64)p->l4_len << 32;
}

#define XG_EV_GEN_MASK 0xffffff

/* The packet's part of event_arg_verdict(). */
static __always_inline __u32 event_arg_l4(const struct xg_pkt *p)
{
	return p->l4proto | (__u32)(p->ipv6 & 1) << 8 |
	       (__u32)(p->nonfirst_frag & 1) << 9 | (__u32)p->tcp_flags << 16;
}

/* event_arg_verdict() from what parsing packed (xg_pkt.arg_l4): a few
 * instructions at the end of each of the many paths the verifier walks.
 */
static __always_inline __u64 event_arg_packed(const struct xg_pkt *p,
					      __u32 class, __u32 reason,
					      __u32 gen)
{
	return p->arg_l4 | (class & 0xff) << 24 | (__u64)(reason & 0xff) << 32 |
	       (__u64)(gen & XG_EV_GEN_MASK) << 40;
}

static __always_inline __u64 event_arg_verdict(const struct xg_pkt *p,
					       __u32 class, __u32 reason,
					       __u32 gen)
{
	/* ipv6 and nonfirst_frag are 0 or 1: shifts, no branch for the
	 * verifier to walk twice at the end of every path
	 */
	return p->l4proto | (__u32)(p->ipv6 & 1) << 8 |
	       (__u32)(p->nonfirst_frag & 1) << 9 | (__u32)p->tcp_flags << 16 |
	       (class & 0xff) << 24 | (__u64)(reason & 0xff) << 32 |
	       (__u64)(gen & XG_EV_GEN_MASK) << 40;
}

/* Before the event step: a drop this CPU is to skip (xg_evstats.skip)
 * is counted as sampled at once. Under a flood the budget is empty and
 * the skip at its maximum, so 63 of 64 drops pay a per-CPU add and no
 * call, clock or shared read; when the budget refills, this CPU finds
 * its token within XG_EV_SKIP_MAX drops, and the tokens it skipped over
 * stay in the bucket for the next ones.
 */
static __always_inline int event_skipped(__u32 gen)
{
	struct xg_evstats *es = evstats();

	if (!es || !es->skip || es->skip_gen != (gen & XG_EV_GEN_MASK))
		return 0;
	es->skip -= 1;
	es->sampled += 1;
	return 1;
}

/* The fields of @p that event_fill() reads, from send_event()'s
 * arguments.
 */
static __always_inline void event_pkt(struct xg_pkt *p, __u64 pkt,
				      __u64 verdict)
{
	p->l3_off = pkt;
	p->l4_off = pkt >> 16;
	p->l4_len = (pkt >> 32) & 0xffff;
	p->l4proto = verdict;
	p->ipv6 = !!(verdict & XG_EV_ARG_IPV6);
	p->nonfirst_frag = !!(verdict & XG_EV_ARG_FRAG);
	p->tcp_flags = verdict >> 16;
}

/* The event step, for a packet whose verdict is XDP_DROP, with the
 * arguments above; returns 0. A global function: the verifier checks it
 * once on its own, where inlined it would walk it again at the end of
 * every path through the decision. The call is cheap next to the rest of
 * a drop (docs/BENCHMARKS.md).
 */
__attribute__((noinline)) int send_event(struct xdp_md *ctx, __u64 pkt,
					 __u64 verdict, __u64 interval_ns,
					 __u64 tau_ns)
{
	struct xg_evstats *es;
	struct xg_global *g;
	struct xg_event *e;
	struct xg_limit lim;
	struct xg_pkt p;
	__u64 now;

	lim.interval_ns = interval_ns;
	lim.tau_ns = tau_ns;
	if (!ctx)
		return 0;
	es = evstats();
	g = global_bucket();
	if (!es || !g)
		return 0;
	now = xg_now_coarse();
	/* Monitor and port-scan events: the monitor budget, no skip (they
	 * are few, or the budget's count says how many were not)
	 */
	if (pkt & XG_EV_ARG_TYPE_MASK) {
		if (!event_token(&g->mon, now, &lim)) {
			es->mon_sampled += 1;
			return 0;
		}
		e = bpf_ringbuf_reserve(&XG_MAP_EVENTS, sizeof(*e), 0);
		if (!e) {
			es->mon_lost += 1;
			return 0;
		}
		__builtin_memset(&p, 0, sizeof(p));
		event_pkt(&p, pkt, verdict);
		event_fill(e, ctx, &p, (verdict >> 24) & 0xff, XG_R_PASS);
		e->type = (pkt & XG_EV_ARG_TYPE_MASK) >> XG_EV_ARG_TYPE_SHIFT;
		e->rule = (pkt >> XG_EV_ARG_RULE_SHIFT) & (XG_MAX_RULES - 1);
		bpf_ringbuf_submit(e, 0);
		es->mon_sent += 1;
		return 0;
	}
	if (!event_token(&g->ev, now, &lim)) {
		/* Per-CPU value: plain stores, no other writer. */
		es->sampled += 1;
		es->backoff = es->backoff < XG_EV_SKIP_MAX / 2 ?
				      es->backoff * 2 + 1 :
				      XG_EV_SKIP_MAX;
		es->skip = es->backoff;
		es->skip_gen = verdict >> 40 & XG_EV_GEN_MASK;
		return 0;
	}
	es->backoff = 0;
	e = bpf_ringbuf_reserve(&XG_MAP_EVENTS, sizeof(*e), 0);
	if (!e) {
		es->lost += 1;
		return 0;
	}
	__builtin_memset(&p, 0, sizeof(p));
	event_pkt(&p, pkt, verdict);
	event_fill(e, ctx, &p, (verdict >> 24) & 0xff, (verdict >> 32) & 0xff);
	bpf_ringbuf_submit(e, 0);
	es->sent += 1;
	return 0;
}

#endif /* XG_BPF_EVENTS_H */
