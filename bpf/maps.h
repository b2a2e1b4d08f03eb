/* SPDX-License-Identifier: GPL-2.0 */
/* Included by xdpguard.bpf.c only: the pinned maps, laid out by xg_abi.h. */
#ifndef XG_BPF_MAPS_H
#define XG_BPF_MAPS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "xg_abi.h"

/* The counter slot of the interface this copy of the program is attached
 * to, set by xg-load before the load; the verifier sees a constant, so
 * the per-interface counters cost nothing on the hot path.
 */
const volatile __u32 xg_ifslot = 0;

/* Pinned by name so every xg-load (and every tool) shares one set of lists
 * and counters across program replacements. List hashes are not
 * preallocated: an empty list then costs only its bucket array.
 */
#define XG_LIST_HASH(name, key_t, size)               \
	struct {                                      \
		__uint(type, BPF_MAP_TYPE_HASH);      \
		__uint(map_flags, BPF_F_NO_PREALLOC); \
		__uint(max_entries, size);            \
		__type(key, key_t);                   \
		__type(value, struct xg_entry);       \
		__uint(pinning, LIBBPF_PIN_BY_NAME);  \
	} name SEC(".maps")

/* The kernel requires BPF_F_NO_PREALLOC on LPM tries. */
#define XG_LIST_LPM(name, key_t, size)                \
	struct {                                      \
		__uint(type, BPF_MAP_TYPE_LPM_TRIE);  \
		__uint(map_flags, BPF_F_NO_PREALLOC); \
		__uint(max_entries, size);            \
		__type(key, key_t);                   \
		__type(value, struct xg_entry);       \
		__uint(pinning, LIBBPF_PIN_BY_NAME);  \
	} name SEC(".maps")

XG_LIST_HASH(XG_MAP_ALLOW4, __u32, XG_DEF_ALLOW_HOSTS);
XG_LIST_HASH(XG_MAP_ALLOW6, struct xg_in6, XG_DEF_ALLOW_HOSTS);
XG_LIST_LPM(XG_MAP_ALLOW4P, struct xg_lpm4, XG_DEF_ALLOW_PREFIXES);
XG_LIST_LPM(XG_MAP_ALLOW6P, struct xg_lpm6, XG_DEF_ALLOW_PREFIXES);
XG_LIST_HASH(XG_MAP_BLOCK4, __u32, XG_DEF_BLOCK_HOSTS);
XG_LIST_HASH(XG_MAP_BLOCK6, struct xg_in6, XG_DEF_BLOCK_HOSTS);
XG_LIST_LPM(XG_MAP_BLOCK4P, struct xg_lpm4, XG_DEF_BLOCK_PREFIXES);
XG_LIST_LPM(XG_MAP_BLOCK6P, struct xg_lpm6, XG_DEF_BLOCK_PREFIXES);

/* Per-CPU so the hot path counts without atomics; user space sums.
 * One block of XG_SLOT_COUNTERS per interface slot (xg_ifslot).
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XG_STATS_SLOTS);
	__type(key, __u32);
	__type(value, struct xg_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} XG_MAP_STATS SEC(".maps");

/* Sampled drop events for xg-events; the budget is XG_LIM_EVENTS. */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, XG_EVENTS_BYTES);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} XG_MAP_EVENTS SEC(".maps");

/* Features of passing packets for xg-features; the budget is
 * XG_LIM_FEATURES. A ring of its own: its reader runs beside xg-events.
 */
struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, XG_FEATS_BYTES);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} XG_MAP_FEATS SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xg_evstats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} XG_MAP_EVSTATS SEC(".maps");

/* Read on every packet, with the settings in it: one lookup. Mmapable
 * so user space writes the settings slot cfg_slot does not name, then
 * flips cfg_slot with one store (the program never reads half an
 * update), and clears list bits with an atomic and, racing with the
 * atomic or of an automatic ban.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xg_state);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} XG_MAP_STATE SEC(".maps");

/* LRU, preallocated: a spoofed flood evicts the least recently seen
 * sources instead of filling the map, and an insert never allocates.
 */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XG_DEF_TRACK);
	__type(key, struct xg_in6);
	__type(value, struct xg_src);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} XG_MAP_TRACK SEC(".maps");

/* The buckets of all sources together (admission budgets, ceilings, the
 * event budget), kept apart from the read-mostly maps.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xg_global);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} XG_MAP_GLOBAL SEC(".maps");

/* Admission counts and attack state, per CPU: a refused packet of a
 * spoofed flood writes only its own CPU's line.
 */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xg_admit);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} XG_MAP_ADMIT SEC(".maps");

/* The IPv4 /24s and IPv6 /32s a prefix list may hold (xg_abi.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, XG_PFX_WORDS);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} XG_MAP_PFX SEC(".maps");

/* Hits of the list entries being hit now, per CPU (xg_abi.h). */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xg_hot);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} XG_MAP_HOT SEC(".maps");

/* Never read by the program; defined here so the skeleton creates and
 * pins it together with the others.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xg_meta);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} XG_MAP_META SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, XG_MAX_IFACES);
	__type(key, __u32);
	__type(value, struct xg_iface);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} XG_MAP_IFACES SEC(".maps");

/* The names of the lists' origins; only the tools read and write it. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XG_MAX_ORIGINS);
	__type(key, __u32);
	__type(value, struct xg_origin);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} XG_MAP_ORIGINS SEC(".maps");

/* The rules, in the order they are checked, and their classification
 * (xg_abi.h): read on the packets of a guarded host that has rules.
 */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * XG_MAX_RULES);
	__type(key, __u32);
	__type(value, struct xg_rule);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} XG_MAP_RULES SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * XG_MAX_RSETS);
	__type(key, __u32);
	__type(value, struct xg_rset);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} XG_MAP_RSETS SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 2 * XG_RPORT_ENTRIES);
	__type(key, __u32);
	__type(value, struct xg_rport);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} XG_MAP_RPORTS SEC(".maps");

/* Per CPU: a rule that a flood matches is counted without atomics. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XG_MAX_RULES);
	__type(key, __u32);
	__type(value, struct xg_counter);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} XG_MAP_RHITS SEC(".maps");

/* The rules as given, for xg-rule (the program never reads it). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XG_MAX_RULES);
	__type(key, __u32);
	__type(value, struct xg_rule_src);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} XG_MAP_RULESRC SEC(".maps");

/* The per-source buckets of rate rules: LRU, as the tracker. */
struct {
	__uint(type, BPF_MAP_TYPE_LRU_HASH);
	__uint(max_entries, XG_DEF_RSRC);
	__type(key, struct xg_rsrc_key);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} XG_MAP_RSRC SEC(".maps");

/* The bucket of each rate rule, for all sources together. */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XG_MAX_RULES);
	__type(key, __u32);
	__type(value, struct xg_gbucket);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} XG_MAP_RBUCKET SEC(".maps");

/* SYN cookie modes, two bits a destination port (xg_abi.h). */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, XG_SC_WORDS);
	__type(key, __u32);
	__type(value, __u64);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} XG_MAP_SCPORTS SEC(".maps");

/* What the SYN cookie step did besides its two reasons, per CPU. */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct xg_scstats);
	__uint(pinning, LIBBPF_PIN_BY_NAME);
} XG_MAP_SCSTATS SEC(".maps");

#endif /* XG_BPF_MAPS_H */
