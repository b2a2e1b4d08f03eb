/* SPDX-License-Identifier: GPL-2.0 */
/* Included by xdpguard.bpf.c: allowlist and blocklist lookups. */
#ifndef XG_BPF_LISTS_H
#define XG_BPF_LISTS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "maps.h"
#include "kernel.h"
#include "parse.h"

/* An expired entry stays until user space sweeps it; until then it must
 * not match. Most entries never expire, so they skip the clock.
 */
static __always_inline int entry_live(const struct xg_entry *e)
{
	return !e->expires_ns || e->expires_ns >= xg_now();
}

/* What a lookup found: the blocklist reports an automatic ban under its
 * own reason, so an operator can tell the program's bans from their own.
 */
#define XG_HIT 1
#define XG_HIT_AUTO 2

/* The part of a prefix of @bits (0-32 of them) in one word. */
static __always_inline __u32 word_mask(__u32 bits)
{
	if (bits >= 32)
		return 0xffffffff;
	if (!bits)
		return 0;
	return bpf_htonl(0xffffffffU << (32 - bits));
}

/* Counts a hit on @e, the entry of map @list (an XG_L_* bit) with
 * prefix length @plen at the masked address @a0-@a3 (IPv4: @a0 alone):
 * in this CPU's slot for the entry when the slot is the entry's or free,
 * else at once in the entry (xg_abi.h, xg_hot). One tag compare decides;
 * the slot's fields are written only when an entry takes it.
 */
static __always_inline void count_hit(struct xg_entry *e, __u32 list,
				      __u32 plen, __u32 a0, __u32 a1, __u32 a2,
				      __u32 a3)
{
	struct xg_hot_slot *s;
	struct xg_hot *hot;
	__u32 zero = 0;
	__u64 tag, n;

	list |= XG_E_ID(e->flags) << XG_E_ID_SHIFT;
	tag = xg_hot_tag(list, plen, a0, a1, a2, a3);

	hot = bpf_map_lookup_elem(&XG_MAP_HOT, &zero);
	if (!hot) {
		__sync_fetch_and_add(&e->hits, 1);
		return;
	}
	/* Per-CPU value, so no other writer: plain stores. */
	s = &hot->s[tag >> 58];
	if (s->tag == tag) {
		n = s->count + 1;
		if (n < XG_HOT_FLUSH) {
			s->count = n;
			return;
		}
		s->count = 0;
		__sync_fetch_and_add(&e->hits, n);
		return;
	}
	if (s->count) {
		__sync_fetch_and_add(&e->hits, 1);
		return;
	}
	s->tag = tag;
	s->list = list;
	s->prefixlen = plen;
	s->addr[0] = a0;
	s->addr[1] = a1;
	s->addr[2] = a2;
	s->addr[3] = a3;
	s->count = 1;
}

static __always_inline int hit_kind(const struct xg_entry *e)
{
	return e->flags & XG_E_AUTO ? XG_HIT_AUTO : XG_HIT;
}

/* Host maps: the key is exact, so an expired entry is simply no match. */
static __always_inline int match_host(void *map, __u32 list, __u32 plen,
				      const void *key, __u32 a0, __u32 a1,
				      __u32 a2, __u32 a3)
{
	struct xg_entry *e = bpf_map_lookup_elem(map, key);

	if (!e || !entry_live(e))
		return 0;
	count_hit(e, list, plen, a0, a1, a2, a3);
	return hit_kind(e);
}

/* A trie entry's hit: the address masked to the entry's length. */
static __always_inline int trie_hit(struct xg_entry *e, __u32 list,
				    __u32 maxlen, __u32 a0, __u32 a1, __u32 a2,
				    __u32 a3)
{
	__u32 plen = e->prefixlen < maxlen ? e->prefixlen : maxlen;

	count_hit(e, list, plen, a0 & word_mask(plen),
		  a1 & word_mask(plen > 32 ? plen - 32 : 0),
		  a2 & word_mask(plen > 64 ? plen - 64 : 0),
		  a3 & word_mask(plen > 96 ? plen - 96 : 0));
	return hit_kind(e);
}

/* Looks @key up in the trie @map and returns 0, XG_HIT or XG_HIT_AUTO.
 * The longest match may have expired while a shorter prefix that holds
 * the address is live (an expired /28 inside a blocked /24, an automatic
 * /64 ban inside an operator's /48). An expired entry must be invisible,
 * so look again one bit shorter than it, until a live entry or none.
 * Each round shortens the key, so a key of @maxlen bits takes at most
 * @maxlen + 1 rounds; an address outside expired entries takes one.
 */
static __always_inline int trie_match(void *map, __u32 list, void *key,
				      __u32 *prefixlen, __u32 maxlen, __u32 a0,
				      __u32 a1, __u32 a2, __u32 a3)
{
	struct xg_entry *e;
	__u32 i, len;

#pragma clang loop unroll(disable)
	for (i = 0; i <= maxlen; i++) {
		e = bpf_map_lookup_elem(map, key);
		if (!e)
			return 0;
		if (entry_live(e))
			return trie_hit(e, list, maxlen, a0, a1, a2, a3);
		len = e->prefixlen < *prefixlen ? e->prefixlen : *prefixlen;
		if (!len)
			return 0;
		*prefixlen = len - 1;
	}
	return 0;
}

static __always_inline int trie4(void *map, __u32 list, __u32 a0)
{
	struct xg_lpm4 k;

	/* Assigned, not initialised: clang would build the key from a
	 * .rodata constant.
	 */
	k.prefixlen = 32;
	k.addr = a0;
	return trie_match(map, list, &k, &k.prefixlen, 32, a0, 0, 0, 0);
}

static __always_inline int trie6(void *map, __u32 list, __u32 a0, __u32 a1,
				 __u32 a2, __u32 a3)
{
	struct xg_lpm6 k;

	k.prefixlen = 128;
	k.addr[0] = a0;
	k.addr[1] = a1;
	k.addr[2] = a2;
	k.addr[3] = a3;
	return trie_match(map, list, &k, &k.prefixlen, 128, a0, a1, a2, a3);
}

/* The trie steps, one per trie: global functions, so the verifier checks
 * each once on its own instead of once for every parse path that reaches
 * it (with the rounds above, that would pass its limit). Their arguments
 * are scalars, as kernels before 5.12 require of a global function. One
 * function per map keeps each lookup's map a constant: a call site that
 * may see two maps is compiled to an indirect call, which costs the pass
 * path more than the lookup (docs/BENCHMARKS.md).
 */
__attribute__((noinline)) int match_allow4p(__u32 a0)
{
	return trie4(&XG_MAP_ALLOW4P, XG_L_ALLOW4P, a0);
}

__attribute__((noinline)) int match_block4p(__u32 a0)
{
	return trie4(&XG_MAP_BLOCK4P, XG_L_BLOCK4P, a0);
}

__attribute__((noinline)) int match_allow6p(__u32 a0, __u32 a1, __u32 a2,
					    __u32 a3)
{
	return trie6(&XG_MAP_ALLOW6P, XG_L_ALLOW6P, a0, a1, a2, a3);
}

__attribute__((noinline)) int match_block6p(__u32 a0, __u32 a1, __u32 a2,
					    __u32 a3)
{
	return trie6(&XG_MAP_BLOCK6P, XG_L_BLOCK6P, a0, a1, a2, a3);
}

/* Returns 1 if a prefix list may hold a source whose first address word
 * is @a0 (network order; @v6 for IPv6): its bit in xg_pfx is set, or
 * cannot be read. A global function, so that the main program sees one
 * scalar and the verifier walks the lookup once.
 */
__attribute__((noinline)) int pfx_maybe(__u32 v6, __u32 a0)
{
	__u32 bit = v6 ? xg_pfx6_bit(bpf_ntohl(a0)) :
			 xg_pfx4_bit(bpf_ntohl(a0));
	__u32 key = bit >> 6;
	__u64 *w = bpf_map_lookup_elem(&XG_MAP_PFX, &key);

	return !w || (*w >> (bit & 63) & 1);
}

/* The lists that may hold the source of @p: @lists without the tries
 * when xg_pfx says that no prefix covers it, so the pass path of most
 * sources pays one bit test for both tries.
 */
static __always_inline __u32 lists_for(__u32 lists, const struct xg_pkt *p)
{
	const __u32 tries = XG_L_ALLOW4P | XG_L_ALLOW6P | XG_L_BLOCK4P |
			    XG_L_BLOCK6P;

	if ((lists & tries) && !pfx_maybe(p->src6, p->saddr[0]))
		return lists & ~tries;
	return lists;
}

/* The bits in xg_state.lists spare an empty map its lookup, which for
 * an LPM trie is the dearest step on the path. Returns 0, XG_HIT or
 * XG_HIT_AUTO.
 */
static __always_inline int lookup_list(__u32 lists, int block,
				       const struct xg_pkt *p)
{
	__u32 host_bit, prefix_bit, a;
	int found = 0;

	if (!p->src6) {
		host_bit = block ? XG_L_BLOCK4 : XG_L_ALLOW4;
		prefix_bit = block ? XG_L_BLOCK4P : XG_L_ALLOW4P;
		a = p->saddr[0];
		if (lists & host_bit)
			found = match_host(block ? (void *)&XG_MAP_BLOCK4 :
						   (void *)&XG_MAP_ALLOW4,
					   host_bit, 32, &a, a, 0, 0, 0);
		if (!found && (lists & prefix_bit))
			found = block ? match_block4p(a) : match_allow4p(a);
		return found;
	}
	host_bit = block ? XG_L_BLOCK6 : XG_L_ALLOW6;
	prefix_bit = block ? XG_L_BLOCK6P : XG_L_ALLOW6P;
	if (lists & host_bit)
		found = match_host(block ? (void *)&XG_MAP_BLOCK6 :
					   (void *)&XG_MAP_ALLOW6,
				   host_bit, 128, p->saddr, p->saddr[0],
				   p->saddr[1], p->saddr[2], p->saddr[3]);
	if (!found && (lists & prefix_bit))
		found = block ? match_block6p(p->saddr[0], p->saddr[1],
					      p->saddr[2], p->saddr[3]) :
				match_allow6p(p->saddr[0], p->saddr[1],
					      p->saddr[2], p->saddr[3]);
	return found;
}

static __always_inline int lookup_allow(__u32 lists, const struct xg_pkt *p)
{
	return lookup_list(lists, 0, p);
}

static __always_inline int lookup_block(__u32 lists, const struct xg_pkt *p)
{
	return lookup_list(lists, 1, p);
}

#endif /* XG_BPF_LISTS_H */
