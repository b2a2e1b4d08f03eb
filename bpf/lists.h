/* SPDX-License-Identifier: GPL-2.0 */
/* Included by xdpguard.bpf.c: allowlist and blocklist lookups. */
#ifndef XG_BPF_LISTS_H
#define XG_BPF_LISTS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "maps.h"

/* An expired entry stays until user space sweeps it; until then it must
 * not match. Most entries never expire, so they skip the clock.
 */
static __always_inline int entry_live(const struct xg_entry *e)
{
	return !e->expires_ns || e->expires_ns >= bpf_ktime_get_boot_ns();
}

/* What a lookup found: the blocklist reports an automatic ban under its
 * own reason, so an operator can tell the program's bans from their own.
 */
#define XG_HIT 1
#define XG_HIT_AUTO 2

/* Returns 0, XG_HIT or XG_HIT_AUTO. */
static __always_inline int match(void *map, const void *key)
{
	struct xg_entry *e = bpf_map_lookup_elem(map, key);

	if (!e || !entry_live(e))
		return 0;
	/* Shared across CPUs, unlike the counters. */
	__sync_fetch_and_add(&e->hits, 1);
	return e->flags & XG_E_AUTO ? XG_HIT_AUTO : XG_HIT;
}

/* The bits in xg_state.lists spare an empty map its lookup, which for
 * an LPM trie is the dearest step on the path.
 */
static __always_inline int lookup_list4(__u32 lists, __u32 host_bit,
					void *hosts, __u32 prefix_bit,
					void *prefixes, __u32 addr)
{
	struct xg_lpm4 key = { .prefixlen = 32, .addr = addr };
	int hit = 0;

	if (lists & host_bit)
		hit = match(hosts, &addr);
	if (!hit && (lists & prefix_bit))
		hit = match(prefixes, &key);
	return hit;
}

static __always_inline int lookup_list6(__u32 lists, __u32 host_bit,
					void *hosts, __u32 prefix_bit,
					void *prefixes, const __u32 *addr)
{
	struct xg_lpm6 key;
	int hit = 0;

	if (lists & host_bit)
		hit = match(hosts, addr);
	if (hit || !(lists & prefix_bit))
		return hit;
	/* Assigned, not initialised: clang would build the key from a
	 * .rodata constant, and each xg-load would then create its own
	 * unpinned .rodata map beside the shared pinned ones.
	 */
	key.prefixlen = 128;
	__builtin_memcpy(key.addr, addr, sizeof(key.addr));
	return match(prefixes, &key);
}

/* Each returns 0, XG_HIT or XG_HIT_AUTO. */
static __always_inline int lookup_allow(__u32 lists, const struct xg_pkt *p)
{
	if (p->ipv6)
		return lookup_list6(lists, XG_L_ALLOW6, &XG_MAP_ALLOW6,
				    XG_L_ALLOW6P, &XG_MAP_ALLOW6P, p->saddr);
	return lookup_list4(lists, XG_L_ALLOW4, &XG_MAP_ALLOW4, XG_L_ALLOW4P,
			    &XG_MAP_ALLOW4P, p->saddr[0]);
}

static __always_inline int lookup_block(__u32 lists, const struct xg_pkt *p)
{
	if (p->ipv6)
		return lookup_list6(lists, XG_L_BLOCK6, &XG_MAP_BLOCK6,
				    XG_L_BLOCK6P, &XG_MAP_BLOCK6P, p->saddr);
	return lookup_list4(lists, XG_L_BLOCK4, &XG_MAP_BLOCK4, XG_L_BLOCK4P,
			    &XG_MAP_BLOCK4P, p->saddr[0]);
}

#endif /* XG_BPF_LISTS_H */
