/* SPDX-License-Identifier: GPL-2.0 */
/* Included by bpf/ and by every user-space file: the one definition of the
 * pinned maps, their key/value layouts, and the counter index space.
 * Only <linux/types.h> here: this header is compiled for -target bpf too.
 */
#ifndef XG_ABI_H
#define XG_ABI_H

#include <linux/types.h>

/* Bumped whenever a map below changes type, key, value or meaning; kept in
 * the pinned meta map so a tool from another build refuses to touch it.
 */
#define XG_ABI_VERSION 1

/* Map names, written once as bare tokens: the BPF side defines the maps
 * with these names, user space stringifies them (XG_STR) for pin paths.
 * bpffs and the kernel cap object names at 15 characters.
 */
#define XG_MAP_ALLOW4 xg_allow4 /* hash  __u32 (be)        -> xg_entry */
#define XG_MAP_ALLOW6 xg_allow6 /* hash  struct xg_in6     -> xg_entry */
#define XG_MAP_ALLOW4P xg_allow4p /* lpm   struct xg_lpm4    -> xg_entry */
#define XG_MAP_ALLOW6P xg_allow6p /* lpm   struct xg_lpm6    -> xg_entry */
#define XG_MAP_BLOCK4 xg_block4
#define XG_MAP_BLOCK6 xg_block6
#define XG_MAP_BLOCK4P xg_block4p
#define XG_MAP_BLOCK6P xg_block6p
#define XG_MAP_STATS xg_stats /* percpu array XG_STATS_SLOTS -> xg_counter */
#define XG_MAP_CONFIG xg_config /* array[1] -> struct xg_config */
#define XG_MAP_META xg_meta /* array[1] -> struct xg_meta */
#define XG_MAP_IFACES xg_ifaces /* hash link id -> struct xg_iface */

#define XG__STR(x) #x
#define XG_STR(x) XG__STR(x)

/* Default sizes. List hash maps are BPF_F_NO_PREALLOC (LPM tries always
 * are), so an empty list costs only its bucket array; the defaults keep
 * every map together well under 10 MiB. xg-load --max-entries resizes the
 * four blocklist maps (1,000,000 hosts is a normal blocklist for our users).
 */
#define XG_DEF_BLOCK_HOSTS 65536
#define XG_DEF_BLOCK_PREFIXES 16384
#define XG_DEF_ALLOW_HOSTS 4096
#define XG_DEF_ALLOW_PREFIXES 4096
#define XG_MAX_BLOCK_ENTRIES 16777216 /* --max-entries upper bound */
#define XG_MAX_IFACES 256 /* guarded interfaces at once */

/* IPv6 address as a hash key; 4 words so the key compares fast. */
struct xg_in6 {
	__u32 addr[4];
};

/* LPM trie keys: prefixlen first, as BPF_MAP_TYPE_LPM_TRIE requires;
 * the address in network byte order.
 */
struct xg_lpm4 {
	__u32 prefixlen;
	__u32 addr;
};

struct xg_lpm6 {
	__u32 prefixlen;
	__u32 addr[4];
};

/* Entry flags */
#define XG_E_AUTO (1U << 0) /* added by the program itself (automatic ban) */

/* The value of every allow/block list entry, host or prefix. */
struct xg_entry {
	__u64 hits; /* packets that matched; atomic add on the BPF side */
	__u64 expires_ns; /* bpf_ktime_get_boot_ns() deadline; 0 = never */
	__u32 flags; /* XG_E_* */
	__u32 pad;
};

/* Protocol classes of the counters. Fragments count in the class of
 * their IP protocol; an unparsable L3 header counts as other-ip.
 */
enum xg_class {
	XG_C_TCP = 0,
	XG_C_UDP,
	XG_C_ICMP, /* ICMP and ICMPv6 */
	XG_C_OTHER_IP,
	XG_C_NON_IP,
	XG_C_MAX,
};

/* Why a packet got its verdict: every packet is counted under exactly one
 * reason, so the reasons add up to the packets seen.
 */
enum xg_reason {
	XG_R_PASS = 0, /* no rule matched */
	XG_R_ALLOWLISTED, /* source on the allowlist: passed */
	XG_R_BLOCKLISTED, /* source on the blocklist: dropped */
	XG_R_MALFORMED, /* truncated or invalid header: passed unless
			 * XG_CFG_DROP_MALFORMED */
	XG_R_MAX,
};

/* Counter index = class * XG_R_SLOTS + reason. The stride is fixed larger
 * than XG_R_MAX so that flood-defence reasons can be added without
 * resizing the pinned stats map.
 */
#define XG_R_SLOTS 16
#define XG_STATS_SLOTS (XG_C_MAX * XG_R_SLOTS)

struct xg_counter {
	__u64 packets;
	__u64 bytes; /* whole frame, Ethernet header included */
};

/* xg_config.flags */
#define XG_CFG_DROP_MALFORMED (1U << 0)

/* xg_config.lists: which lists hold at least one entry, so the program
 * skips lookups in empty maps (an LPM lookup costs ~60 ns per packet).
 * Written by user space under the pin-dir lock after every change.
 */
#define XG_L_ALLOW4 (1U << 0)
#define XG_L_ALLOW6 (1U << 1)
#define XG_L_ALLOW4P (1U << 2)
#define XG_L_ALLOW6P (1U << 3)
#define XG_L_BLOCK4 (1U << 4)
#define XG_L_BLOCK6 (1U << 5)
#define XG_L_BLOCK4P (1U << 6)
#define XG_L_BLOCK6P (1U << 7)

struct xg_config {
	__u32 flags; /* XG_CFG_* */
	__u32 lists; /* XG_L_* */
};

#define XG_META_MAGIC 0x78646770 /* "xdgp" */

struct xg_meta {
	__u32 magic;
	__u32 abi_version;
	__u64 created_ns; /* CLOCK_BOOTTIME of the first xg-load */
};

enum xg_mode {
	XG_MODE_NATIVE = 0,
	XG_MODE_SKB,
	XG_MODE_OFFLOAD,
};

#define XG_IFNAMSIZ 16
#define XG_NETNSSIZ 64

/* One guarded interface, keyed by its bpf_link id; written by xg-load,
 * removed by xg-unload, read by xg-stats. The program never reads it.
 */
struct xg_iface {
	__u32 ifindex;
	__u32 mode; /* enum xg_mode */
	__u64 attached_ns; /* CLOCK_REALTIME, for display */
	char ifname[XG_IFNAMSIZ];
	char netns[XG_NETNSSIZ]; /* "" = the namespace of the pins */
};

_Static_assert(sizeof(struct xg_in6) == 16, "xg_in6 layout");
_Static_assert(sizeof(struct xg_lpm4) == 8, "xg_lpm4 layout");
_Static_assert(sizeof(struct xg_lpm6) == 20, "xg_lpm6 layout");
_Static_assert(sizeof(struct xg_entry) == 24, "xg_entry layout");
_Static_assert(sizeof(struct xg_counter) == 16, "xg_counter layout");
_Static_assert(sizeof(struct xg_config) == 8, "xg_config layout");
_Static_assert(sizeof(struct xg_meta) == 16, "xg_meta layout");
_Static_assert(sizeof(struct xg_iface) == 96, "xg_iface layout");

#endif /* XG_ABI_H */
