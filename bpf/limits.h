/* SPDX-License-Identifier: GPL-2.0 */
/* Included by xdpguard.bpf.c: per-source rate limits, the admission of
 * new sources and the ceilings, and automatic bans.
 *
 * Across CPUs: RSS spreads one source's packets over every receive queue,
 * so a per-CPU bucket would give a source ncpus times its rate. Each
 * limit is one shared 64-bit word instead, the GCRA "theoretical arrival
 * time" (tat): a packet conforms iff tat <= now + tau, and then moves tat
 * to max(tat, now) + T with one compare-and-swap. Every conforming packet
 * moves tat by exactly T, so the limit holds exactly in total however the
 * packets are spread: a burst of B with time standing still passes B.
 * No bpf_spin_lock: the whole update is a single cmpxchg instruction on
 * the word, where a lock would add a second atomic and a critical section
 * around it, and the clock helper cannot be called while a lock is held.
 *
 * Cost: a tracked packet pays one LRU hash lookup and one cmpxchg on a
 * cache line shared only by the CPUs that see that source. An untracked
 * one reads its class's budget word (shared by all CPUs, written only at
 * the budget's rate), then either is inserted or takes a token of the
 * ceiling; an empty ceiling is only read, so under a spoofed flood the
 * words stay in every CPU's cache. Packets of no limited class (most of
 * TCP) pay none of this.
 */
#ifndef XG_BPF_LIMITS_H
#define XG_BPF_LIMITS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "maps.h"
#include "kernel.h"
#include "parse.h"
#include "lists.h"

/* A lost cmpxchg means another CPU took a token from the same word in
 * the few instructions since our read; losing three times running takes
 * a source spread over many CPUs at a high rate.
 */
#define XG_CAS_TRIES 3
/* Rate drops are counted per source in windows of this length (xg_src
 * over[], last_over: xg-stats --top); automatic bans count strikes per
 * window.
 */
#define XG_WINDOW_NS XG_NSEC_PER_SEC

/* A rate drop of limit k has reason XG_R_RATE_SYN + k. */
_Static_assert(XG_R_RATE_SYN + XG_LIM_UDP == XG_R_RATE_UDP, "reason order");
_Static_assert(XG_R_RATE_SYN + XG_LIM_ICMP == XG_R_RATE_ICMP, "reason order");
_Static_assert(XG_R_RATE_SYN + XG_LIM_FRAG == XG_R_RATE_FRAG, "reason order");
_Static_assert(XG_R_SYN_GLOBAL + XG_LIM_UDP == XG_R_UDP_GLOBAL, "reason order");
_Static_assert(XG_R_SYN_GLOBAL + XG_LIM_FRAG == XG_R_FRAG_GLOBAL,
	       "reason order");
_Static_assert(XG_LIM_SRC == 4, "k & (XG_LIM_SRC - 1) bounds a class");
/* set_list_bit() ors into the word that starts with lists. */
_Static_assert(__builtin_offsetof(struct xg_state, lists) == 0, "xg_state");
_Static_assert(__builtin_offsetof(struct xg_state, cfg_slot) == 4, "xg_state");

/* Returns 1 if a packet at @now finds no token in the bucket: a read
 * only, the bucket is not charged. @lim->rate must not be 0; the
 * constants are user space's (xg_limit_derive()).
 */
static __always_inline int gcra_empty(const __u64 *tat_p, __u64 now,
				      const struct xg_limit *lim)
{
	return *(const volatile __u64 *)tat_p > now + lim->tau_ns;
}

/* Returns 1 if a packet at @now conforms to @lim (and takes its token).
 * @lim->rate must not be 0.
 */
static __always_inline int gcra_take(__u64 *tat_p, __u64 now,
				     const struct xg_limit *lim)
{
	__u64 t = lim->interval_ns, tau = lim->tau_ns;
	__u64 tat, next;
	int i;

#pragma unroll
	for (i = 0; i < XG_CAS_TRIES; i++) {
		tat = *(volatile __u64 *)tat_p;
		if (tat > now + tau)
			return 0;
		next = (tat > now ? tat : now) + t;
		if (xg_cas64(tat_p, tat, next))
			return 1;
	}
	/* Fail open: every loss was another CPU's packet of the same source
	 * taking a token, so the bucket is being charged all the same; at
	 * worst this lets a few extra packets through under heavy contention,
	 * where dropping would punish the source for our retry bound.
	 */
	return 1;
}

/* Fills @key with the tracked source and returns its prefix length in
 * the IPv6 space: 128 for IPv4 (::ffff:a.b.c.d, v4-mapped, which is also
 * the key of an IPv4-mapped IPv6 source), v6_prefix for IPv6. The clamp
 * keeps a zeroed config from lumping all of IPv6 together and keeps the
 * ban's LPM prefixlen valid. The loop unrolls to
 * constant word indices, so every access is in bounds as written.
 */
static __always_inline __u32 source_key(const struct xg_pkt *p, __u32 v6_prefix,
					struct xg_in6 *key)
{
	__u32 plen = v6_prefix, i;

	if (!p->src6) {
		key->addr[0] = 0;
		key->addr[1] = 0;
		key->addr[2] = bpf_htonl(0xffff);
		key->addr[3] = p->saddr[0];
		return 128;
	}
	if (plen < XG_V6_PREFIX_MIN)
		plen = XG_V6_PREFIX_MIN;
	if (plen > 128)
		plen = 128;
#pragma unroll
	for (i = 0; i < 4; i++)
		key->addr[i] = p->saddr[i] &
			       word_mask(plen > 32 * i ? plen - 32 * i : 0);
	return plen;
}

/* The or is atomic where the kernel has atomics (kernel.h), so user
 * space's aligned store to cfg_slot, the other half of the word, is
 * never lost.
 */
static __always_inline void set_list_bit(struct xg_state *st, __u32 bit)
{
	xg_or32_lo(&st->lists, bit);
}

/* Inserts or, over an expired entry user space has not swept yet, puts
 * the ban; a live entry (the operator's, or another CPU's ban) stays.
 * Without the second step an old expired ban would shield its source
 * from every later one.
 */
static __always_inline int put_ban(void *map, const void *key,
				   const struct xg_entry *e)
{
	struct xg_entry *old;

	if (!bpf_map_update_elem(map, key, e, BPF_NOEXIST))
		return 0;
	old = bpf_map_lookup_elem(map, key);
	if (!old || entry_live(old))
		return -1;
	return bpf_map_update_elem(map, key, e, BPF_EXIST);
}

static __always_inline void pfx_set(__u32 bit)
{
	__u32 key = bit >> 6;
	__u64 *w = bpf_map_lookup_elem(&XG_MAP_PFX, &key);

	if (w)
		xg_or64(w, 1ULL << (bit & 63));
}

/* IPv4 (and IPv4-mapped IPv6): the host in xg_block4. IPv6: the whole
 * tracked prefix in xg_block6p, as that is what shared the bucket.
 */
static __always_inline void ban(struct xg_state *st, const struct xg_pkt *p,
				const struct xg_in6 *key, __u32 plen, __u64 now,
				__u32 secs)
{
	struct xg_entry e;
	struct xg_lpm6 k6;

	/* Assigned field by field: no .rodata template (see lists.h). The
	 * expiry is on the lists' clock, not the limits' (@now): one more
	 * read, once a ban.
	 */
	e.hits = 0;
	e.expires_ns = xg_now() + secs * XG_NSEC_PER_SEC;
	e.flags = XG_E_AUTO | (bpf_get_prandom_u32() << XG_E_ID_SHIFT);
	e.prefixlen = p->src6 ? plen : 32;
	if (p->src6) {
		k6.prefixlen = plen;
		__builtin_memcpy(k6.addr, key->addr, sizeof(k6.addr));
		if (!put_ban(&XG_MAP_BLOCK6P, &k6, &e)) {
			/* after the entry, as user space does: a rebuild
			 * that misses one sees the other
			 */
			pfx_set(xg_pfx6_bit(bpf_ntohl(key->addr[0])));
			if (st)
				set_list_bit(st, XG_L_BLOCK6P);
		}
		return;
	}
	if (!put_ban(&XG_MAP_BLOCK4, &key->addr[3], &e) && st)
		set_list_bit(st, XG_L_BLOCK4);
}

/* Did the closed window hold ban_factor x any limit of the source? Its
 * over-limit packets then reach (ban_factor - 1) x that rate.
 */
static __always_inline int window_strike(const struct xg_src *s,
					 const struct xg_config *cfg)
{
	__u64 factor = cfg->ban_factor > 1 ? cfg->ban_factor - 1 : 1;
	__u32 rate;
	int k;

#pragma unroll
	for (k = 0; k < XG_LIM_SRC; k++) {
		rate = cfg->limit[k].rate;
		if (rate && s->over[k] >= factor * rate)
			return 1;
	}
	return 0;
}

/* Closes the window that started @age ago: keeps its drops in last_over
 * and, with automatic bans on, counts its strike and may ban. A window
 * that outlived the next one had a quiet second after it: its drops are
 * not "the last second" and its strike is not consecutive.
 */
static __always_inline void close_window(struct xg_src *s, __u64 age, __u64 now,
					 const struct xg_config *cfg,
					 struct xg_state *st,
					 const struct xg_pkt *p,
					 const struct xg_in6 *key, __u32 plen)
{
	int recent = age < 2 * XG_WINDOW_NS;
	__u32 strikes = 0, sum = 0, after;
	int j;

	if (cfg->ban_secs && recent && window_strike(s, cfg))
		strikes = s->strikes + 1;
#pragma unroll
	for (j = 0; j < XG_LIM_SRC; j++) {
		sum += s->over[j];
		s->over[j] = 0;
	}
	s->last_over = recent ? sum : 0;
	after = cfg->ban_after ? cfg->ban_after : 1;
	if (cfg->ban_secs && strikes >= after) {
		ban(st, p, key, plen, now, cfg->ban_secs);
		strikes = 0;
	}
	s->strikes = strikes;
}

/* Called on every rate drop of limit @k, with automatic bans on or off:
 * a drop costs one atomic add, and once a window one close. Beyond
 * XG_OVER_EXACT drops in a window (a flood, which RSS spreads over the
 * CPUs) one drop in XG_OVER_SAMPLE, picked at random, adds XG_OVER_SAMPLE:
 * the others only read the entry, so its cache line stays shared instead
 * of bouncing between the CPUs on every drop. The counts (and the strikes
 * of automatic bans, compared with ban_factor x rate) are exact up to
 * XG_OVER_EXACT a window and estimates above it.
 * Approximate across CPUs, by choice: over[] takes atomic adds, but the
 * window close (claimed by one CPU with a cmpxchg on win_start) resets
 * over[] with plain stores, so an add racing with it can be lost or land
 * in the new window; strikes and last_over are written by the closer
 * alone.
 */
static __always_inline void count_over(struct xg_src *s, int k, __u64 now,
				       const struct xg_config *cfg,
				       struct xg_state *st,
				       const struct xg_pkt *p,
				       const struct xg_in6 *key, __u32 plen)
{
	__u64 win = s->win_start;

	__u32 add = 1;

	if (now - win >= XG_WINDOW_NS && xg_cas64(&s->win_start, win, now))
		close_window(s, now - win, now, cfg, st, p, key, plen);
	if (*(volatile __u32 *)&s->over[k] >= XG_OVER_EXACT) {
		if (bpf_get_prandom_u32() & (XG_OVER_SAMPLE - 1))
			return;
		add = XG_OVER_SAMPLE;
	}
	__sync_fetch_and_add(&s->over[k], add);
}

/* The limit a packet counts against, or -1: most of TCP (no SYN, or
 * SYN+ACK) and other protocols are not limited and never touch xg_track.
 * If-chains, not a switch: clang may turn a switch into a .rodata table.
 */
static __always_inline int limit_of(const struct xg_pkt *p, __u32 class,
				    int l4_bad)
{
	/* Also the other-ip packets whose L4 is bad, which are those whose
	 * upper layer cannot be seen: a bad IP header that names its source
	 * (XG_L3_BAD_SRC), an IPv6 chain too long to walk.
	 */
	if (p->nonfirst_frag || (l4_bad && class == XG_C_OTHER_IP))
		return XG_LIM_FRAG;
	if (class == XG_C_UDP)
		return XG_LIM_UDP;
	if (class == XG_C_ICMP)
		return XG_LIM_ICMP;
	/* A TCP header too bad to read its flags from belongs to no
	 * connection: it costs the kernel what a SYN does.
	 */
	if (class == XG_C_TCP &&
	    (l4_bad ||
	     (p->tcp_flags & (XG_TCP_SYN | XG_TCP_ACK)) == XG_TCP_SYN))
		return XG_LIM_SYN;
	return -1;
}

static __always_inline struct xg_global *global_bucket(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&XG_MAP_GLOBAL, &zero);
}

static __always_inline struct xg_admit_class *admit_stats(int k)
{
	__u32 zero = 0;
	struct xg_admit *a = bpf_map_lookup_elem(&XG_MAP_ADMIT, &zero);

	return a ? &a->c[k & (XG_LIM_SRC - 1)] : NULL;
}

/* This CPU's window of admissions: closed after 1 s, kept as "the last
 * second" only if it was. Plain stores: the value is this CPU's alone.
 */
static __always_inline void admit_window(struct xg_admit_class *a, __u64 now)
{
	__u64 age = now - a->win_start;

	if (age < XG_WINDOW_NS)
		return;
	a->last_admitted = age < 2 * XG_WINDOW_NS ? a->win_admitted : 0;
	a->last_refused = age < 2 * XG_WINDOW_NS ? a->win_refused : 0;
	a->win_admitted = 0;
	a->win_refused = 0;
	a->win_start = now;
}

static __always_inline void note_admitted(int k, __u64 now)
{
	struct xg_admit_class *a = admit_stats(k);

	if (!a)
		return;
	admit_window(a, now);
	a->admitted++;
	a->win_admitted++;
}

/* A refusal starts an attack, or carries on the one under way. */
static __always_inline void note_refused(int k, __u64 now)
{
	struct xg_admit_class *a = admit_stats(k);

	if (!a)
		return;
	admit_window(a, now);
	a->refused++;
	a->win_refused++;
	if (!a->last_refused_ns ||
	    now - a->last_refused_ns >= XG_ATTACK_QUIET_NS)
		a->since_ns = now;
	a->last_refused_ns = now;
}

/* Takes a token of all sources' bucket @b of @lim, if that has a rate. */
static __always_inline int global_take(struct xg_gbucket *b, __u64 now,
				       const struct xg_limit *lim)
{
	return !lim->rate || gcra_take(&b->tat, now, lim);
}

/* Inserts a zeroed entry (tat 0 conforms at once) and looks it up.
 * BPF_NOEXIST: if another CPU inserted the source meanwhile, its state
 * wins. An LRU insert evicts rather than fails, so NULL is near
 * impossible; the caller lets the packet pass then.
 */
static __always_inline struct xg_src *insert_src(const struct xg_in6 *key,
						 __u64 now)
{
	struct xg_src fresh;

	__builtin_memset(&fresh, 0, sizeof(fresh));
	fresh.admitted_ns = now;
	bpf_map_update_elem(&XG_MAP_TRACK, key, &fresh, BPF_NOEXIST);
	return bpf_map_lookup_elem(&XG_MAP_TRACK, key);
}

/* Keeps the budget's attack window: plain stores, at most one every
 * XG_ATTACK_MARK_NS per CPU; two CPUs racing write the same values.
 */
static __always_inline void mark_attack(struct xg_gbucket *b, __u64 now)
{
	__u64 last = *(volatile __u64 *)&b->last_ns;

	if (last && now - last < XG_ATTACK_MARK_NS)
		return;
	if (!last || now - last >= XG_PROBATION_QUIET_NS)
		b->since_ns = now;
	b->last_ns = now;
}

/* Is @s, tracked, on probation in class @k (xg_abi.h)? Sources admitted
 * within the budget's burst (@nlim->tau_ns plus one token) before the
 * first refusal count too: a flood's first sources fill the burst.
 */
static __always_inline int on_probation(const struct xg_src *s,
					const struct xg_gbucket *b, __u64 now,
					const struct xg_limit *nlim)
{
	__u64 last = *(volatile const __u64 *)&b->last_ns;

	if (!last || !s->admitted_ns ||
	    now - last >= XG_PROBATION_QUIET_NS + XG_ATTACK_MARK_NS)
		return 0;
	return s->admitted_ns + nlim->tau_ns + nlim->interval_ns >=
	       *(volatile const __u64 *)&b->since_ns;
}

/* A source the tracker does not know: admitted (and inserted) within the
 * budget of new sources of its class, else it meets the class's ceiling,
 * untracked. Returns the new entry, or NULL with *reason the verdict.
 * Under a spoofed flood the budget is empty: a refused packet reads its
 * shared word and writes only its CPU's counts, and no insert evicts a
 * known client.
 */
static __always_inline struct xg_src *admit(int k, const struct xg_config *cfg,
					    struct xg_global *g,
					    const struct xg_in6 *key, __u64 now,
					    __u32 *reason)
{
	struct xg_limit nlim = cfg->limit[XG_LIM_NEW + k];
	struct xg_limit glim = cfg->limit[XG_LIM_GLOBAL + k];
	int j = k & (XG_LIM_SRC - 1);

	*reason = XG_R_PASS;
	if (global_take(&g->new_src[j], now, &nlim)) {
		note_admitted(k, now);
		return insert_src(key, now);
	}
	note_refused(k, now);
	mark_attack(&g->new_src[j], now);
	if (!global_take(&g->ceil[j], now, &glim))
		*reason = XG_R_SYN_GLOBAL + k;
	return NULL;
}

/* Defined in events.h, which needs this file. */
int send_event(struct xdp_md *ctx, __u64 pkt, __u64 verdict, __u64 interval_ns,
	       __u64 tau_ns);
static __always_inline __u64 event_arg_pkt(const struct xg_pkt *p);
static __always_inline __u64 event_arg_verdict(const struct xg_pkt *p,
					       __u32 class, __u32 reason,
					       __u32 gen);

/* Port scans (xg-threshold portscan): the destination ports of a tracked
 * source's SYNs and UDP datagrams set bits of a 64-bit map, one window
 * at a time. The packet that sets the ps_bits-th bit of a window (on
 * average the ps_ports-th distinct port) reports the source, once a
 * window, and bans it if asked. A client that opens many connections to
 * one port sets one bit. Plain stores: two CPUs racing lose a bit.
 */
static __always_inline void
port_scan(struct xdp_md *ctx, struct xg_src *s, const struct xg_pkt *p,
	  __u32 class, const struct xg_config *cfg, struct xg_state *st,
	  const struct xg_in6 *key, __u32 plen, __u64 now)
{
	__u64 bit = 1ULL << (xg_ps_bit(p->dport) & 63), bits;

	if (now - s->ps_start >= cfg->ps_window_s * XG_NSEC_PER_SEC) {
		s->ps_start = now;
		s->ps_bits = 0;
	}
	bits = s->ps_bits;
	if (bits & bit)
		return;
	bits |= bit;
	s->ps_bits = bits;
	if ((__u32)__builtin_popcountll(bits) != cfg->ps_bits)
		return;
	if (cfg->ps_ban_secs)
		ban(st, p, key, plen, now, cfg->ps_ban_secs);
	if (cfg->limit[XG_LIM_MONITOR].rate)
		send_event(ctx, event_arg_pkt(p) | (__u64)XG_EVT_PORTSCAN << 48,
			   event_arg_verdict(p, class, XG_R_PASS, cfg->gen),
			   cfg->limit[XG_LIM_MONITOR].interval_ns,
			   cfg->limit[XG_LIM_MONITOR].tau_ns);
}

/* The rate-limit step: XG_R_PASS or a rate reason. @st may be NULL.
 *
 * A tracked source meets its own limit only, whatever a flood does to
 * the budgets and ceilings. An untracked one goes through admit(). With
 * no per-source limit in a class, nothing is tracked in it: each of its
 * packets meets the class's ceiling.
 */
static __always_inline __u32 check_limits(struct xdp_md *ctx,
					  const struct xg_pkt *p, __u32 class,
					  const struct xg_config *cfg,
					  struct xg_state *st, int l4_bad)
{
	int k = limit_of(p, class, l4_bad);
	struct xg_limit lim, glim, nlim;
	struct xg_global *g;
	struct xg_in6 key;
	struct xg_src *s;
	__u32 plen, reason;
	__u64 now;

	if (k < 0)
		return XG_R_PASS;
	lim = cfg->limit[k];
	glim = cfg->limit[XG_LIM_GLOBAL + k];
	if (!lim.rate && !glim.rate)
		return XG_R_PASS;
	g = global_bucket();
	if (!g)
		return XG_R_PASS;
	now = xg_now_coarse();
	if (!lim.rate)
		return gcra_take(&g->ceil[k & (XG_LIM_SRC - 1)].tat, now,
				 &glim) ?
			       XG_R_PASS :
			       XG_R_SYN_GLOBAL + k;
	plen = source_key(p, cfg->v6_prefix, &key);
	s = bpf_map_lookup_elem(&XG_MAP_TRACK, &key);
	if (!s) {
		s = admit(k, cfg, g, &key, now, &reason);
		if (!s)
			return reason;
	}
	if (cfg->ps_ports && !l4_bad && !p->nonfirst_frag &&
	    (k == XG_LIM_SYN || k == XG_LIM_UDP))
		port_scan(ctx, s, p, class, cfg, st, &key, plen, now);
	if (!gcra_take(&s->tat[k], now, &lim)) {
		count_over(s, k, now, cfg, st, p, &key, plen);
		return XG_R_RATE_SYN + k;
	}
	nlim = cfg->limit[XG_LIM_NEW + k];
	if (!on_probation(s, &g->new_src[k & (XG_LIM_SRC - 1)], now, &nlim))
		return XG_R_PASS;
	return gcra_take(&g->ceil[k & (XG_LIM_SRC - 1)].tat, now, &glim) ?
		       XG_R_PASS :
		       XG_R_SYN_GLOBAL + k;
}

#endif /* XG_BPF_LIMITS_H */
