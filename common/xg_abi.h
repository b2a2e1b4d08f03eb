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
#define XG_ABI_VERSION 10

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
#define XG_MAP_EVENTS xg_events /* ring buffer of struct xg_event */
#define XG_MAP_EVSTATS xg_evstats /* percpu array[1] -> struct xg_evstats */
#define XG_MAP_FEATS xg_feats /* ring buffer of struct xg_feature */
#define XG_MAP_STATE xg_state /* mmapable array[1] -> struct xg_state */
#define XG_MAP_RULES xg_rules /* array 2 x XG_MAX_RULES -> struct xg_rule */
#define XG_MAP_RSETS xg_rsets /* array 2 x XG_MAX_RSETS -> struct xg_rset */
#define XG_MAP_RPORTS xg_rports /* array 2 x XG_RPORT_ENTRIES -> xg_rport */
#define XG_MAP_RHITS xg_rhits /* percpu array XG_MAX_RULES -> xg_counter */
#define XG_MAP_RBUCKET xg_rbucket /* array XG_MAX_RULES -> xg_gbucket */
#define XG_MAP_RULESRC xg_rulesrc /* array XG_MAX_RULES -> xg_rule_src */
#define XG_MAP_RSRC xg_rsrc /* LRU hash xg_rsrc_key -> __u64 tat */
#define XG_DEF_RSRC 4096 /* sources of per-source rate rules, LRU */
/* (the settings live in xg_state: one lookup a packet finds both) */
#define XG_MAP_TRACK xg_track /* LRU hash struct xg_in6 -> struct xg_src */
#define XG_MAP_GLOBAL xg_global /* array[1] -> struct xg_global */
#define XG_MAP_ADMIT xg_admit /* percpu array[1] -> struct xg_admit */
#define XG_MAP_HOT xg_hot /* percpu array[1] -> struct xg_hot */
#define XG_MAP_PFX xg_pfx /* mmapable array XG_PFX_WORDS -> __u64 */
#define XG_MAP_META xg_meta /* array[1] -> struct xg_meta */
#define XG_MAP_IFACES xg_ifaces /* hash link id -> struct xg_iface */
#define XG_MAP_ORIGINS xg_origins /* array XG_MAX_ORIGINS -> xg_origin */
#define XG_MAP_SCPORTS xg_scports /* array XG_SC_WORDS -> __u64 (modes) */
#define XG_MAP_SCSTATS xg_scstats /* percpu array[1] -> struct xg_scstats */

/* The clocks of the program and the tools count nanoseconds. */
#define XG_NSEC_PER_SEC 1000000000ULL

/* What the kernel offers, as xg-load probes it and bakes it into the
 * program (const volatile xg_kfeat): the verifier sees a constant and
 * drops the code for the kernels the program does not run on.
 */
#define XG_KF_ATOMICS (1U << 0) /* BPF_ATOMIC cmpxchg and fetch-or: 5.12 */
#define XG_KF_COARSE_NS (1U << 1) /* bpf_ktime_get_coarse_ns(): 5.11 */
/* bpf_skc_lookup_tcp, bpf_tcp_gen_syncookie, bpf_tcp_check_syncookie in
 * XDP: 5.3. Without them the program has no SYN cookie step and
 * xg-threshold refuses syn-cookies (xg_meta.kfeat tells it).
 */
#define XG_KF_SYNCOOKIE (1U << 2)
/* (1U << 3): unused */
/* bpf_tcp_raw_gen_syncookie_ipv4/ipv6(): 6.0. The cookie without the
 * listener's lookup, for a SYN to an address and port whose listener
 * this CPU found within the second (bpf/syncookie.h).
 */
#define XG_KF_RAWCOOKIE (1U << 4)

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
/* Guarded interfaces at once. Each has a counter slot (1..XG_MAX_IFACES)
 * that xg-load bakes into its program as a constant; slot 0 keeps the
 * counts of interfaces that were unloaded, so totals never go down.
 * Per-CPU counters cost XG_IF_SLOTS x 1280 bytes per CPU.
 */
#define XG_MAX_IFACES 32
#define XG_IF_SLOTS (XG_MAX_IFACES + 1)
#define XG_IF_SLOT_DETACHED 0
/* Drop events: the ring buffer holds ~3,600 records (power of 2, pages). */
#define XG_EVENTS_BYTES (256 * 1024)
/* Features of passing packets (xg-features): ~3,600 records too, 36 ms
 * of a stream of 100,000 a second; the reader drains it far more often.
 */
#define XG_FEATS_BYTES (256 * 1024)
#define XG_MAX_FEATS_BYTES (256 * 1024 * 1024) /* xg-load --feature-ring */
/* Sources tracked for rate limits (LRU: a spoofed flood evicts the oldest,
 * it cannot fill the map). ~130 bytes each, preallocated: 4 MiB.
 * xg-load --track N sets it.
 */
#define XG_DEF_TRACK 32768
#define XG_MIN_TRACK 1024
#define XG_MAX_TRACK 16777216

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

/* Entry flags, in the low byte of xg_entry.flags */
#define XG_E_AUTO (1U << 0) /* added by the program itself (automatic ban) */
/* The other 24 bits: the entry's id, drawn anew for every entry added (by
 * the tools or the program), so that hits a CPU still holds in xg_hot
 * for a deleted entry are never counted to a new one of the same key.
 */
#define XG_E_ID_SHIFT 8
#define XG_E_ID(flags) ((flags) >> XG_E_ID_SHIFT)

/* The value of every allow/block list entry, host or prefix. */
struct xg_entry {
	__u64 hits; /* packets that matched, but for those still in xg_hot */
	__u64 expires_ns; /* bpf_ktime_get_boot_ns() deadline; 0 = never */
	__u32 flags; /* XG_E_*, and the entry's id (XG_E_ID) */
	/* The entry's own prefix length (32 or 128 for a host). A trie
	 * lookup returns the longest match, not its length: when that match
	 * has expired, the program looks again one bit shorter.
	 */
	__u16 prefixlen;
	/* Where it came from (xg-block --origin): an index of xg_origins;
	 * 0 is "manual", or "auto" with XG_E_AUTO. The program never reads
	 * it and writes 0.
	 */
	__u16 origin;
};

/* xg_origins: the names of the entries' origins (fail2ban's jails, a
 * CrowdSec bouncer, a feed), written by the tools under the lock. Entry 0
 * is never used: origin 0 is "manual" (or "auto"). A name is
 * [a-z0-9][a-z0-9_.:-]*, NUL-padded; an empty one is a free index.
 */
#define XG_MAX_ORIGINS 256
#define XG_ORIGIN_LEN 32
struct xg_origin {
	char name[XG_ORIGIN_LEN];
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
	XG_R_RATE_SYN, /* source over its TCP SYN rate: dropped */
	XG_R_RATE_UDP, /* source over its UDP rate */
	XG_R_RATE_ICMP, /* source over its ICMP/ICMPv6 rate */
	XG_R_RATE_FRAG, /* source over its non-first-fragment rate */
	/* An untracked source over its class's budget of new sources, and
	 * all such sources together over the class's ceiling: dropped.
	 * XG_R_SYN_GLOBAL + k for limit k.
	 */
	XG_R_SYN_GLOBAL,
	XG_R_UDP_GLOBAL,
	XG_R_ICMP_GLOBAL,
	XG_R_FRAG_GLOBAL,
	XG_R_AUTOBAN, /* source on the blocklist by an automatic ban */
	XG_R_RULE_DROP, /* a drop rule matched (xg-rule) */
	XG_R_RULE_RATE, /* a rate rule matched, over its rate */
	XG_R_COOKIE_SENT, /* a SYN answered with a SYN cookie: XDP_TX */
	XG_R_COOKIE_BAD, /* an ACK to a cookie port with no valid cookie */
	XG_R_MAX,
};

/* The layout of xg_stats (a per-CPU array of struct xg_counter):
 *
 *   index = (ifslot * XG_C_MAX + class) * XG_R_SLOTS + reason
 *
 * ifslot 0 is "detached" (the counts of interfaces no longer guarded),
 * 1..XG_IF_SLOTS-1 the guarded interfaces. The reason stride XG_R_SLOTS is
 * fixed larger than XG_R_MAX so that reasons can be added without
 * resizing the pinned map (xdpguard(7), COUNTERS).
 */
#define XG_R_SLOTS 32
_Static_assert(XG_R_MAX <= XG_R_SLOTS, "a reason beyond the stride");
#define XG_SLOT_COUNTERS (XG_C_MAX * XG_R_SLOTS) /* per interface slot */
#define XG_STATS_SLOTS (XG_IF_SLOTS * XG_SLOT_COUNTERS)
#define XG_STATS_KEY(ifslot, class, reason) \
	(((ifslot)*XG_C_MAX + (class)) * XG_R_SLOTS + (reason))

struct xg_counter {
	__u64 packets;
	__u64 bytes; /* whole frame, Ethernet header included */
};

/* xg_config.flags */
#define XG_CFG_DROP_MALFORMED (1U << 0)
/* xg_scports has a port whose mode is not off (xg-threshold syn-cookies):
 * without it the program skips the cookie step and its lookup.
 */
#define XG_CFG_SYNCOOKIES (1U << 1)

/* xg_state.lists: which lists may hold an entry, so the program skips
 * lookups in empty maps (a trie walk is the dearest step of the pass
 * path, docs/BENCHMARKS.md). The
 * program sets a bit (atomic or) after it inserts an automatic ban; user
 * space clears a bit (atomic and, through mmap) only for a map it found
 * empty, then looks again and sets it back if an entry raced in.
 */
#define XG_L_ALLOW4 (1U << 0)
#define XG_L_ALLOW6 (1U << 1)
#define XG_L_ALLOW4P (1U << 2)
#define XG_L_ALLOW6P (1U << 3)
#define XG_L_BLOCK4 (1U << 4)
#define XG_L_BLOCK6 (1U << 5)
#define XG_L_BLOCK4P (1U << 6)
#define XG_L_BLOCK6P (1U << 7)
#define XG_L_LISTS 0xffU /* the bits above: the lists' maps */
#define XG_L_RULES (1U << 8) /* xg_rules holds a rule */

/* xg_pfx: where a prefix-list entry may be. One bit per hash of an IPv4
 * /24 and one per hash of an IPv6 /32, set for those that a prefix of the
 * allowlist or the blocklist covers (or shares a hash with: 20,000
 * prefixes set 2% of the IPv4 bits, so a source meets the tries in vain
 * 2% of the time).
 * A source whose bit is clear cannot be in any prefix list: the program
 * skips both tries. The tools rebuild it after every change to a list;
 * the program sets the bit of the IPv6 prefix it bans.
 */
#define XG_PFX4_BITS 20
#define XG_PFX4_WORDS (1U << (XG_PFX4_BITS - 6)) /* 128 KiB */
#define XG_PFX6_BITS 20
#define XG_PFX6_WORDS (1U << (XG_PFX6_BITS - 6)) /* 128 KiB */
#define XG_PFX_WORDS (XG_PFX4_WORDS + XG_PFX6_WORDS)

/* The bit of an IPv4 address (host order): a hash of its /24. */
static inline __u32 xg_pfx4_bit(__u32 addr)
{
	return ((addr >> 8) * 0x9e3779b1U) >> (32 - XG_PFX4_BITS);
}

/* The bit of an IPv6 address whose first word, in host order, is @w0:
 * a hash of its /32, after the IPv4 bits.
 */
static inline __u32 xg_pfx6_bit(__u32 w0)
{
	return (XG_PFX4_WORDS << 6) +
	       ((w0 * 0x9e3779b1U) >> (32 - XG_PFX6_BITS));
}

/* Sets in @w (XG_PFX_WORDS words) the bits of a prefix of @len bits
 * whose first address word, in host order, is @a0 (@v6 for IPv6): those
 * of its /24s (IPv4), of its /32 (IPv6), or all the IPv4 or IPv6 bits
 * for a prefix too short to count its /24s or shorter than /32.
 */
static inline void xg_pfx_cover(__u64 *w, int v6, __u32 a0, __u32 len)
{
	__u32 i, n, b;

	if (v6 && len >= 32) {
		b = xg_pfx6_bit(a0);
		w[b >> 6] |= 1ULL << (b & 63);
		return;
	}
	if (v6 || len < 24 - XG_PFX4_BITS + 4) {
		for (i = v6 ? XG_PFX4_WORDS : 0;
		     i < (v6 ? XG_PFX_WORDS : XG_PFX4_WORDS); i++)
			w[i] = ~0ULL;
		return;
	}
	a0 &= len ? ~0U << (32 - len) : 0;
	n = len >= 24 ? 1 : 1U << (24 - len);
	for (i = 0; i < n; i++) {
		b = xg_pfx4_bit(a0 + (i << 8));
		w[b >> 6] |= 1ULL << (b & 63);
	}
}

/* Rate-limited classes. The first XG_LIM_SRC are per source (one bucket
 * each in struct xg_src). Each class k also has two buckets for all
 * sources together (struct xg_global):
 *   XG_LIM_NEW + k     the admission budget: new sources per second that
 *                      may enter the tracker (xg_track);
 *   XG_LIM_GLOBAL + k  the ceiling: packets per second of the sources
 *                      the budget did not admit.
 * A source the tracker knows meets only its own limit.
 */
enum xg_limit_id {
	XG_LIM_SYN = 0, /* TCP SYN without ACK */
	XG_LIM_UDP,
	XG_LIM_ICMP, /* ICMP and ICMPv6 */
	XG_LIM_FRAG, /* non-first fragments: they carry no L4 header */
	XG_LIM_SRC,
	XG_LIM_NEW = XG_LIM_SRC,
	XG_LIM_GLOBAL = XG_LIM_NEW + XG_LIM_SRC,
	XG_LIM_SYN_GLOBAL = XG_LIM_GLOBAL + XG_LIM_SYN,
	XG_LIM_EVENTS = XG_LIM_GLOBAL + XG_LIM_SRC, /* drop events sent, all
						     * CPUs together; not a
						     * packet limit */
	XG_LIM_MONITOR, /* monitor events (rules), all CPUs together */
	XG_LIM_FEATURES, /* features of passing packets, all CPUs together */
	XG_LIM_MAX,
};

struct xg_limit {
	__u32 rate; /* packets per second; 0 = no limit */
	__u32 burst; /* packets allowed back to back; >= 1 when rate > 0 */
	/* The token bucket's constants, so that no packet divides: written
	 * by user space from rate and burst (xg_limit_derive()).
	 */
	__u64 interval_ns; /* 1 s / rate: the time one token takes */
	__u64 tau_ns; /* (burst - 1) x interval_ns: how far ahead of now
		       * the bucket's arrival time may run */
};

/* Settings, double-buffered in xg_state.cfg[]: user space writes the
 * slot that xg_state.cfg_slot does not name, then flips cfg_slot with one
 * aligned store, so the program never reads half an update.
 */
struct xg_config {
	__u32 flags; /* XG_CFG_* */
	__u32 v6_prefix; /* IPv6 sources are tracked per /v6_prefix (32-128) */
	struct xg_limit limit[XG_LIM_MAX];
	__u32 ban_secs; /* length of an automatic ban; 0 = no automatic bans */
	__u32 ban_factor; /* ban a source that sends ban_factor x a limit... */
	__u32 ban_after; /* ...for this many consecutive seconds */
	__u32 gen; /* bumped by every write: ends the CPUs' event skips */
	__u32 rule_bank; /* 0 or 1: the bank of the rule maps in force */
	/* Port scans (xg-threshold portscan): a tracked source whose SYNs
	 * and UDP datagrams reach ps_ports distinct destination ports in
	 * ps_window_s seconds; 0 = off. ps_bits is user space's: the bits
	 * of xg_src.ps_bits that many ports set on average.
	 */
	__u32 ps_ports;
	__u32 ps_window_s;
	__u32 ps_bits;
	__u32 ps_ban_secs; /* 0: report only */
	/* Features (xg-threshold features): every feat_n-th passing packet
	 * of a counter (interface, class, reason, CPU) is offered to the
	 * XG_LIM_FEATURES budget; 0 = none but monitor rules' matches.
	 * feat_mul, xg_feat_mul(feat_n), is what the program reads.
	 */
	__u32 feat_n;
	__u64 feat_mul;
	/* SYN cookies' timestamp mode (xg-threshold syn-cookies): the
	 * window scale the kernel gives its listeners (from tcp_rmem[2]
	 * and rmem_max) plus 1. A SYN with a timestamp option is then
	 * answered with window scale, SACK and a timestamp whose low bits
	 * carry the client's scale and SACK, as the kernel's own cookies do
	 * under tcp_timestamps=2. 0: a SYN-ACK with only an MSS option.
	 */
	__u32 sc_wscale;
	__u32 sc_pad;
};

/* The constant of the test "count is a multiple of n" without a
 * division (Lemire, Kaser, Kurz 2019): for a 32-bit count c,
 * c x m <= m - 1 (mod 2^64) exactly when n divides c. n = 1 gives m = 0,
 * which every count passes; n = 0 (none) gives 1, which no count but 0
 * passes (counts start at 1: once in 2^32 packets of a counter).
 */
static inline __u64 xg_feat_mul(__u32 n)
{
	return n > 1 ? ~0ULL / n + 1 : n ? 0 : 1;
}

static inline int xg_feat_due(__u32 count, __u64 mul)
{
	return count * mul <= mul - 1;
}

/* xg_src.ps_bits: destination port p sets bit xg_ps_bit(p). */
static inline __u32 xg_ps_bit(__u16 port)
{
	return ((__u32)port * 0x9E3779B1U) >> 26;
}

/* The bits of a 64-bit map that @n distinct ports set on average,
 * 64 x (1 - (63/64)^n) rounded (linear counting); at least 2.
 */
static inline __u32 xg_ps_bits(__u32 n)
{
	__u64 keep = 1ULL << 32; /* (63/64)^n in 32.32 fixed point */
	__u32 i, bits;

	for (i = 0; i < n && i < 4096; i++)
		keep = keep * 63 / 64;
	bits = (__u32)((64 * ((1ULL << 32) - keep) + (1ULL << 31)) >> 32);
	return bits < 2 ? 2 : bits;
}

/* Fills in the constants of every limit of @cfg; user space calls it on
 * every config it writes (xg_config_write(), the packet tests).
 */
static inline void xg_limit_derive(struct xg_config *cfg)
{
	int k;

	for (k = 0; k < XG_LIM_MAX; k++) {
		struct xg_limit *l = &cfg->limit[k];

		l->interval_ns = l->rate ? XG_NSEC_PER_SEC / l->rate : 0;
		l->tau_ns = l->burst > 1 ?
				    (__u64)(l->burst - 1) * l->interval_ns :
				    0;
	}
}

/* Defaults: well above what one legitimate client sends (a browser opens
 * a few connections a second, a game client sends ~60-130 packets/s),
 * well below what one attacking host can. See xg-threshold(8).
 */
#define XG_DEF_SYN_RATE 200
#define XG_DEF_UDP_RATE 10000
#define XG_DEF_ICMP_RATE 50
#define XG_DEF_FRAG_RATE 1000
/* New sources admitted per second, per class: more than the distinct
 * clients a busy server sees arrive in a second; a source beyond them is
 * still served, under the ceiling below, until the budget has room.
 */
#define XG_DEF_SYN_NEW_RATE 2000
#define XG_DEF_UDP_NEW_RATE 2000
#define XG_DEF_ICMP_NEW_RATE 200
#define XG_DEF_FRAG_NEW_RATE 200
/* Packets per second of the sources not admitted, all together. */
#define XG_DEF_SYN_GLOBAL_RATE 50000
#define XG_DEF_UDP_GLOBAL_RATE 50000
#define XG_DEF_ICMP_GLOBAL_RATE 1000
#define XG_DEF_FRAG_GLOBAL_RATE 5000
#define XG_DEF_BURST_FACTOR 2 /* burst = 2 x rate unless set */
#define XG_DEF_V6_PREFIX 64 /* one subscriber or host usually owns a /64 */
/* The shortest IPv6 tracking prefix: a shorter one would lump whole
 * providers together. xg-threshold refuses less; the program and the
 * tools clamp a smaller v6_prefix up to it.
 */
#define XG_V6_PREFIX_MIN 32
#define XG_DEF_BAN_SECS 300
#define XG_DEF_BAN_FACTOR 4
#define XG_DEF_BAN_AFTER 10
#define XG_DEF_EVENTS_RATE 100 /* drop events per second (burst 2x) */
#define XG_DEF_MONITOR_RATE 100 /* monitor events per second (burst 2x) */
/* Features are off (rate 0); once on, every passing packet is offered to
 * their budget unless xg-threshold features sample 1/N says otherwise.
 */
#define XG_DEF_FEAT_N 1

/* The XG_DEF_* settings: what xg-load writes on a first load, and what
 * the packet tests start from. Needs memset (string.h) in user space.
 */
static inline void xg_config_defaults(struct xg_config *cfg)
{
	static const __u32 rates[XG_LIM_MAX] = {
		[XG_LIM_SYN] = XG_DEF_SYN_RATE,
		[XG_LIM_UDP] = XG_DEF_UDP_RATE,
		[XG_LIM_ICMP] = XG_DEF_ICMP_RATE,
		[XG_LIM_FRAG] = XG_DEF_FRAG_RATE,
		[XG_LIM_NEW + XG_LIM_SYN] = XG_DEF_SYN_NEW_RATE,
		[XG_LIM_NEW + XG_LIM_UDP] = XG_DEF_UDP_NEW_RATE,
		[XG_LIM_NEW + XG_LIM_ICMP] = XG_DEF_ICMP_NEW_RATE,
		[XG_LIM_NEW + XG_LIM_FRAG] = XG_DEF_FRAG_NEW_RATE,
		[XG_LIM_GLOBAL + XG_LIM_SYN] = XG_DEF_SYN_GLOBAL_RATE,
		[XG_LIM_GLOBAL + XG_LIM_UDP] = XG_DEF_UDP_GLOBAL_RATE,
		[XG_LIM_GLOBAL + XG_LIM_ICMP] = XG_DEF_ICMP_GLOBAL_RATE,
		[XG_LIM_GLOBAL + XG_LIM_FRAG] = XG_DEF_FRAG_GLOBAL_RATE,
		[XG_LIM_EVENTS] = XG_DEF_EVENTS_RATE,
		[XG_LIM_MONITOR] = XG_DEF_MONITOR_RATE,
	};
	int k;

	__builtin_memset(cfg, 0, sizeof(*cfg));
	cfg->v6_prefix = XG_DEF_V6_PREFIX;
	for (k = 0; k < XG_LIM_MAX; k++) {
		cfg->limit[k].rate = rates[k];
		cfg->limit[k].burst = rates[k] * XG_DEF_BURST_FACTOR;
	}
	cfg->ban_secs = XG_DEF_BAN_SECS;
	cfg->ban_factor = XG_DEF_BAN_FACTOR;
	cfg->ban_after = XG_DEF_BAN_AFTER;
	cfg->feat_n = XG_DEF_FEAT_N;
	cfg->feat_mul = xg_feat_mul(XG_DEF_FEAT_N);
}

/* ---- rules (xg-rule) -------------------------------------------------
 *
 * User space compiles the rules, in priority order, into xg_rules (rule i
 * is checked before rule i + 1: the first match wins) and classifies them
 * by what a packet's headers name at once: its class (XG_RC_*) and, for
 * TCP and UDP with a header, its destination port. Each (class, port) and
 * each class without a port names a set of candidate rules (xg_rsets: the
 * indices of the rules that can match such a packet, in order), so a
 * packet meets only those: two array reads for the set, then at most
 * XG_RULE_CAND rule checks, however many rules there are. A rule set in
 * which some packet could meet more candidates is refused when it is
 * written.
 *
 * xg_rules, xg_rsets and xg_rports hold two banks each (bank b at entry
 * b x the bank's size + i): user space writes the bank not in force,
 * then flips xg_config.rule_bank with the settings' slot flip, so a
 * packet meets the old rules or the new ones, never a mix.
 */
#define XG_MAX_RULES 1024
#define XG_MAX_RSETS 2048 /* distinct candidate sets; set 0 is empty */
#define XG_RULE_CAND 16

enum xg_rclass {
	XG_RC_TCP = 0,
	XG_RC_UDP,
	XG_RC_ICMP, /* ICMP over IPv4, ICMPv6 over IPv6 */
	XG_RC_OTHER, /* any other protocol */
	XG_RC_MAX,
};

/* xg_rports: the set of (class, dport) for TCP and UDP is at entry
 * (class * 65536 + dport) / 4, in set[dport % 4]; the sets of packets
 * without a port (other classes, non-first fragments, a TCP or UDP header
 * cut short) are in the last entry, set[class].
 */
#define XG_RPORT_ENTRIES (2 * 65536 / 4 + 1)
#define XG_RPORT_PORTLESS (XG_RPORT_ENTRIES - 1)
struct xg_rport {
	__u16 set[4];
};

struct xg_rset {
	__u16 n; /* candidates, at most XG_RULE_CAND */
	__u16 idx[XG_RULE_CAND]; /* rule indices, ascending: checked in turn */
	__u16 pad;
};

enum xg_raction {
	XG_RA_DROP = 0,
	XG_RA_PASS, /* skips the rate limits (never the blocklist) */
	XG_RA_MONITOR, /* passes; offered to the event stream */
	XG_RA_RATE, /* a token bucket for the whole rule */
};

/* xg_rule.match: which optional fields the rule tests */
#define XG_RM_SRC (1U << 0) /* src/src_len */
#define XG_RM_DST (1U << 1)
#define XG_RM_SPORT (1U << 2) /* sport_lo..sport_hi */
#define XG_RM_FLAGS (1U << 3) /* (tcp flags & tcp_mask) == tcp_flags */
#define XG_RM_ICMP_TYPE (1U << 4)
#define XG_RM_ICMP_CODE (1U << 5)
#define XG_RM_LEN (1U << 6) /* IP total length, len_lo..len_hi */
#define XG_RM_TTL (1U << 7) /* TTL or hop limit, ttl_lo..ttl_hi */
#define XG_RM_FRAG (1U << 8) /* a non-first fragment only */
#define XG_RM_NOFRAG (1U << 9) /* no non-first fragment */
#define XG_RM_PROTO (1U << 10) /* exactly proto (class other) */
#define XG_RM_V4 (1U << 11) /* IPv4 only (a src or dst of IPv4) */
#define XG_RM_V6 (1U << 12) /* IPv6 only */
#define XG_RM_PER_SOURCE (1U << 13) /* rate: a bucket per source */

/* A rule as xg-rule was given it, for xg-rule list and the next change:
 * the compiled rule, the classes it can match (1 << XG_RC_*) and its
 * destination ports (nports 0: any, and packets without a port). The
 * program never reads it. Entries 0..n-1 hold the rules in the order
 * they are checked (prio, then id); r.id 0 ends the list.
 */
#define XG_RULE_PORTS 8
struct xg_rule_src;

/* One compiled rule. Addresses are in the IPv6 space, IPv4 as
 * ::ffff:a.b.c.d (prefix lengths 96 + n), masked, network order.
 */
struct xg_rule {
	__u32 id; /* what xg-rule list shows and del takes */
	__u32 match; /* XG_RM_* */
	__u8 action; /* XG_RA_* */
	__u8 proto;
	__u8 src_len;
	__u8 dst_len;
	__u8 tcp_flags;
	__u8 tcp_mask;
	__u8 icmp_type;
	__u8 icmp_code;
	__u8 ttl_lo;
	__u8 ttl_hi;
	__u16 sport_lo;
	__u16 sport_hi;
	__u16 len_lo;
	__u16 len_hi;
	__u16 prio;
	__u32 src[4];
	__u32 dst[4];
	__u16 slot; /* its hits (xg_rhits) and bucket (xg_rbucket): kept
		     * while the rule lives, whatever its place */
	__u16 pad;
	__u32 ban_secs; /* drop and rate: ban the source (0: no ban) */
	__u32 pad2;
	struct xg_limit rate; /* XG_RA_RATE */
};

/* xg_rsrc: the per-source buckets of rate rules (XG_RM_PER_SOURCE). */
struct xg_rsrc_key {
	__u32 slot; /* the rule's */
	__u32 pad;
	struct xg_in6 src; /* the source as the limits track it */
};

/* xg_rule_src.classes: the ports are those the rule does NOT match (and
 * it matches no packet without a port)
 */
#define XG_RS_NOT_DPORT (1U << 31)

struct xg_rule_src {
	struct xg_rule r;
	__u32 classes;
	__u32 nports;
	__u16 port_lo[XG_RULE_PORTS];
	__u16 port_hi[XG_RULE_PORTS];
};

/* One entry, mmapable: the one lookup of the program on every packet
 * finds the list bits, the slot in force and the settings. User space
 * writes a cfg[] slot and flips cfg_slot through the mapping.
 */
struct xg_state {
	__u32 lists; /* XG_L_* */
	__u32 cfg_slot; /* 0 or 1: the cfg[] slot in force */
	struct xg_config cfg[2];
};

/* xg_src.over[]: rate drops a window counts one by one; above, one drop
 * in XG_OVER_SAMPLE (a power of two), picked at random, adds
 * XG_OVER_SAMPLE, so a flood's drops do not all write the shared entry.
 */
#define XG_OVER_EXACT 4096
#define XG_OVER_SAMPLE 16

/* Per-source state for the rate limits (GCRA: one "theoretical arrival
 * time" per class, updated with compare-and-swap so that a source whose
 * packets RSS spreads over several CPUs gets its rate in total).
 */
struct xg_src {
	__u64 tat[XG_LIM_SRC]; /* bpf_ktime_get_boot_ns() based */
	__u64 win_start; /* start of the current 1 s automatic-ban window */
	__u32 over[XG_LIM_SRC]; /* packets over the limit in this window
				 * (an estimate above XG_OVER_EXACT) */
	__u32 strikes; /* consecutive windows at ban_factor x the limit */
	__u32 last_over; /* sum of over[] of the window before the current
			  * one, 0 if that window had no packet (--top) */
	__u64 admitted_ns; /* when the budget let it in; 0: never asked */
	__u64 ps_bits; /* destination ports seen in this window, hashed */
	__u64 ps_start; /* that window's start; limits' clock */
};

/* One bucket shared by all CPUs, alone in its cache line: an empty
 * bucket is only read, so under a flood the line stays shared, and a
 * bucket that takes tokens bounces alone.
 */
struct xg_gbucket {
	__u64 tat;
	/* Budgets only: the attack window, written by the program at most
	 * every XG_ATTACK_MARK_NS, so that the line stays read-mostly.
	 * since_ns: the first refusal after XG_PROBATION_QUIET_NS without
	 * one; last_ns: a refusal in the last XG_ATTACK_MARK_NS.
	 */
	__u64 since_ns;
	__u64 last_ns;
	__u64 pad[5];
};

/* The buckets of all sources together, apart from the read-mostly config.
 * User space writes 0s only.
 */
struct xg_global {
	struct xg_gbucket new_src[XG_LIM_SRC]; /* XG_LIM_NEW + k */
	struct xg_gbucket ceil[XG_LIM_SRC]; /* XG_LIM_GLOBAL + k */
	struct xg_gbucket ev; /* XG_LIM_EVENTS, in bpf_ktime_get_coarse_ns()
			       * time */
	struct xg_gbucket mon; /* XG_LIM_MONITOR, the same */
	struct xg_gbucket feat; /* XG_LIM_FEATURES, the same */
};

/* A class is under attack while its budget refuses new sources; the
 * attack ends after this long without a refusal.
 */
#define XG_ATTACK_QUIET_NS (2 * XG_NSEC_PER_SEC)
/* A source admitted while its class's budget was refusing others (or
 * within the budget's burst before) is on probation: its packets take a
 * token of the ceiling too, so that the flood's sources that the budget
 * let in do not pass under their own limits once tracked. Probation ends
 * when no refusal came for XG_PROBATION_QUIET_NS. While the ceiling has
 * room it costs nothing; known clients, tracked before, never meet it.
 */
#define XG_PROBATION_QUIET_NS (60 * XG_NSEC_PER_SEC)
#define XG_ATTACK_MARK_NS (XG_NSEC_PER_SEC / 10)

/* Admission of new sources in one class, per CPU (no atomics), summed
 * by readers. Windows are 1 s long and per CPU.
 */
struct xg_admit_class {
	__u64 admitted; /* new sources the budget let into the tracker */
	__u64 refused; /* packets of untracked sources over the budget;
			* under a spoofed flood nearly each is a new source */
	__u64 win_start; /* start of this CPU's current window */
	__u32 win_admitted, win_refused; /* in the current window */
	__u32 last_admitted, last_refused; /* in the window before it, 0 if
					    * that window was not the last
					    * second */
	__u64 since_ns; /* first refusal of the current attack */
	__u64 last_refused_ns; /* the latest refusal; 0 = never */
	__u64 pad; /* one cache line per class */
};

struct xg_admit {
	struct xg_admit_class c[XG_LIM_SRC];
};

/* List hits, counted per CPU for the entries being hit now: a flood from
 * one blocked prefix, reaching every CPU, would otherwise make all of
 * them contend for the entry's one cache line. A CPU keeps an entry's
 * hits in a slot (direct-mapped by a hash of the entry's key) and adds
 * them to xg_entry.hits with one atomic add every XG_HOT_FLUSH hits; an
 * entry whose slot another one holds is counted in xg_entry.hits at once.
 * Readers add the slots that name an entry to its hits: the total is
 * exact once its hits stop, and short of it by less than XG_HOT_FLUSH
 * per CPU while they flow.
 */
#define XG_HOT_SLOTS 64 /* xg_hot_tag() >> 58 picks one */
#define XG_HOT_FLUSH 1024
struct xg_hot_slot {
	__u64 tag; /* xg_hot_tag() of the entry; 0 = a free slot */
	__u64 count; /* hits not yet in xg_entry.hits */
	__u32 list; /* XG_L_* bit of the entry's map | its id << 8 */
	__u32 prefixlen; /* the entry's prefix length (32 or 128: a host) */
	__u32 addr[4]; /* its address, masked; IPv4 in addr[0] */
};

struct xg_hot {
	struct xg_hot_slot s[XG_HOT_SLOTS];
};

/* An entry's tag: a 64-bit hash of its map and id (@list: XG_L_* bit |
 * id << 8), prefix length and masked address, never 0; its top 6 bits
 * pick the slot. The program compares tags, readers the fields.
 */
static inline __u64 xg_hot_tag(__u32 list, __u32 plen, __u32 a0, __u32 a1,
			       __u32 a2, __u32 a3)
{
	__u64 x = ((__u64)(a0 ^ plen ^ (list << 24)) << 32 | a1) *
		  0x9e3779b97f4a7c15ULL;
	__u64 y =
		((__u64)(a2 ^ (list >> 8)) << 32 | a3) * 0xc2b2ae3d27d4eb4fULL;

	return (x ^ y ^ (y >> 31)) | 1;
}

#define XG_META_MAGIC 0x78646770 /* "xdgp" */

/* The clock of the limits (xg_src, xg_global, xg_admit): the coarse
 * monotonic clock where the kernel has bpf_ktime_get_coarse_ns() (5.11),
 * else the boot clock. Read on every limited packet, the boot clock
 * costs as much as the rest of a limited packet in a paravirtual guest,
 * the coarse one little (docs/BENCHMARKS.md). List expiry
 * stays on the boot clock (CLOCK_BOOTTIME) everywhere.
 */
#define XG_CLOCK_BOOT 0 /* CLOCK_BOOTTIME */
#define XG_CLOCK_COARSE 1 /* CLOCK_MONOTONIC(_COARSE) */

struct xg_meta {
	__u32 magic;
	__u32 abi_version;
	__u64 created_ns; /* CLOCK_BOOTTIME of the first xg-load */
	__u32 limits_clock; /* XG_CLOCK_*, for the tools that read them */
	__u32 kfeat; /* XG_KF_* the last xg-load found, for the tools */
};

/* SYN cookies (xg-threshold syn-cookies), per destination port: two bits
 * a port in xg_scports, 32 ports a word. A SYN to a port in "on" is
 * answered from XDP with a cookie of the listener (bpf_tcp_gen_syncookie
 * under tcp_syncookies=2); in "auto" the kernel's tcp_syncookies=1 has
 * the helper answer only while the listener's SYN queue overflows. ACKs
 * to such a port are checked (bpf_tcp_check_syncookie): an invalid
 * cookie is dropped (XG_R_COOKIE_BAD). xdpguard(7), SYN COOKIES.
 */
#define XG_SC_OFF 0
#define XG_SC_AUTO 1
#define XG_SC_ON 2
#define XG_SC_PORTS_PER_WORD 32
#define XG_SC_WORDS (65536 / XG_SC_PORTS_PER_WORD)

static inline __u32 xg_sc_mode(__u64 word, __u32 port)
{
	return (word >> ((port % XG_SC_PORTS_PER_WORD) * 2)) & 3;
}

/* How long after this CPU last sent a cookie an "auto" port still checks
 * the ACKs that do not belong to a socket: the kernel's own window for a
 * cookie after a SYN queue overflow (TCP_SYNCOOKIE_VALID, 2 minutes).
 */
#define XG_SC_ACK_WINDOW_NS (120ULL * XG_NSEC_PER_SEC)

/* Per CPU, summed by readers; cookies sent and invalid ACKs are the
 * reasons XG_R_COOKIE_SENT and XG_R_COOKIE_BAD of xg_stats.
 */
struct xg_scstats {
	__u64 acks_valid; /* ACKs whose cookie the kernel accepts: passed */
	__u64 fallback; /* SYNs the listener took itself (auto, no overflow) */
	__u64 no_listener; /* SYNs and ACKs to a cookie port with no
			    * listener: left to the limits */
	__u64 unsupported; /* IPv4 options, IPv6 extension headers, deep
			    * L2: left to the limits */
	__u64 last_sent_ns; /* limits' clock: the last cookie sent here */
	__u64 pad[3];
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
	__u32 slot; /* counter slot, 1..XG_MAX_IFACES */
	__u32 pad;
	__u64 attached_ns; /* CLOCK_REALTIME, for display */
	char ifname[XG_IFNAMSIZ];
	char netns[XG_NETNSSIZ]; /* "" = the namespace of the pins */
};

/* xg_event.flags */
#define XG_EV_IPV6 (1U << 0) /* addresses are IPv6; else IPv4 in addr[0] */
#define XG_EV_PORTS (1U << 1) /* sport/dport hold TCP or UDP ports */
#define XG_EV_ICMP (1U << 2) /* sport/dport hold ICMP(v6) type and code */
#define XG_EV_FRAG (1U << 3) /* a non-first fragment: no L4 header */
#define XG_EV_L3 (1U << 4) /* saddr/daddr are valid (IP header parsed) */
#define XG_EV_RULE (1U << 5) /* xg_feature: a monitor rule matched (rule) */

/* One dropped packet, sampled into XG_MAP_EVENTS. Ports in host order,
 * addresses in network order.
 */
struct xg_event {
	__u64 ts_ns; /* bpf_ktime_get_boot_ns() */
	__u32 saddr[4];
	__u32 daddr[4];
	__u32 ifindex; /* ingress ifindex, in the interface's namespace */
	__u32 len; /* frame length, Ethernet header included */
	__u16 sport;
	__u16 dport;
	__u16 ifslot; /* counter slot of the interface: xg_iface.slot */
	__u8 reason; /* enum xg_reason */
	__u8 class; /* enum xg_class */
	__u8 l4proto; /* IP protocol number (after IPv6 extension headers) */
	__u8 tcp_flags; /* byte 13 of the TCP header; 0 if not TCP */
	__u8 flags; /* XG_EV_* */
	__u8 type; /* XG_EVT_* */
	__u16 rule; /* XG_EVT_MONITOR: the slot of the rule (xg_rule.slot) */
	__u16 pad;
};

#define XG_EVT_DROP 0 /* a dropped packet (XG_LIM_EVENTS) */
#define XG_EVT_MONITOR 1 /* a packet a monitor rule matched (XG_LIM_MONITOR) */
#define XG_EVT_PORTSCAN 2 /* a source found scanning ports (XG_LIM_MONITOR) */

/* Per CPU, summed by readers. Every drop while events are on (rate > 0)
 * is counted once here: sent + sampled + lost = drops.
 */
struct xg_evstats {
	__u64 sent; /* records committed to the ring buffer */
	__u64 sampled; /* not sent: over the XG_LIM_EVENTS budget */
	__u64 lost; /* within the budget, but the ring buffer was full */
	/* The program's own: after the budget had no token, this CPU counts
	 * the next skip drops as sampled without reading the clock or the
	 * budget; each miss in a row doubles the skip (backoff), up to
	 * XG_EV_SKIP_MAX, and a token sets it back to 0. A skip holds only
	 * under the config it was taken in (xg_config.gen, low 24 bits).
	 */
	__u32 skip;
	__u32 backoff;
	__u32 skip_gen;
	__u32 pad;
	/* monitor events: every packet a monitor rule matched, while their
	 * budget is on, is one of these (sent + sampled + lost = matches)
	 */
	__u64 mon_sent;
	__u64 mon_sampled;
	__u64 mon_lost;
	/* features: every passing packet offered to their budget (1 in
	 * feat_n, and monitor rules' matches) is one of these
	 */
	__u64 feat_sent;
	__u64 feat_sampled; /* over the XG_LIM_FEATURES budget */
	__u64 feat_lost; /* within it, but the ring buffer was full */
	__u64 pad2;
};

/* The features of one passing packet, in XG_MAP_FEATS (xg-features).
 * Ports in host order, addresses in network order.
 */
struct xg_feature {
	__u64 ts_ns; /* bpf_ktime_get_boot_ns() */
	__u32 saddr[4]; /* IPv4 in saddr[0] */
	__u32 daddr[4];
	__u32 ifindex; /* ingress ifindex, in the interface's namespace */
	__u32 len; /* frame length, Ethernet header included */
	__u16 sport; /* TCP or UDP (XG_EV_PORTS); else 0 */
	__u16 dport;
	/* the bytes after the TCP header (data offset), the UDP header or
	 * the 8 bytes of an ICMP header, as the IP header counts them; all
	 * of the IP payload for other protocols and non-first fragments
	 */
	__u16 payload_len;
	__u16 ifslot; /* counter slot of the interface: xg_iface.slot */
	__u16 rule; /* XG_EV_RULE: the slot of the monitor rule */
	__u8 l4proto; /* IP protocol number (after IPv6 extension headers) */
	__u8 tcp_flags; /* byte 13 of the TCP header; 0 if not TCP */
	__u8 tos; /* IPv4 TOS byte, IPv6 traffic class */
	__u8 flags; /* XG_EV_* */
	__u8 ipver; /* 4 or 6 */
	__u8 reason; /* XG_R_PASS, XG_R_ALLOWLISTED or XG_R_MALFORMED */
};

#define XG_EV_SKIP_MAX 63

_Static_assert(sizeof(struct xg_in6) == 16, "xg_in6 layout");
_Static_assert(sizeof(struct xg_lpm4) == 8, "xg_lpm4 layout");
_Static_assert(sizeof(struct xg_lpm6) == 20, "xg_lpm6 layout");
_Static_assert(sizeof(struct xg_entry) == 24, "xg_entry layout");
_Static_assert(sizeof(struct xg_origin) == XG_ORIGIN_LEN, "xg_origin layout");
_Static_assert(sizeof(struct xg_counter) == 16, "xg_counter layout");
_Static_assert(sizeof(struct xg_config) == 424, "xg_config layout");
_Static_assert(sizeof(struct xg_state) == 8 + 2 * 424, "xg_state layout");
_Static_assert(sizeof(struct xg_src) == 88, "xg_src layout");
_Static_assert(sizeof(struct xg_rule) == 96, "xg_rule layout");
_Static_assert(sizeof(struct xg_rule_src) == 136, "xg_rule_src layout");
_Static_assert(sizeof(struct xg_rset) == 36, "xg_rset layout");
_Static_assert(sizeof(struct xg_global) == 704, "xg_global layout");
_Static_assert(sizeof(struct xg_admit) == 256, "xg_admit layout");
_Static_assert(sizeof(struct xg_hot_slot) == 40, "xg_hot layout");
_Static_assert(XG_HOT_SLOTS == 64, "xg_hot_tag() >> 58 picks a slot");
_Static_assert(sizeof(struct xg_meta) == 24, "xg_meta layout");
_Static_assert(sizeof(struct xg_iface) == 104, "xg_iface layout");
_Static_assert(sizeof(struct xg_event) == 64, "xg_event layout");
_Static_assert(sizeof(struct xg_evstats) == 96, "xg_evstats layout");
_Static_assert(sizeof(struct xg_feature) == 64, "xg_feature layout");
_Static_assert(sizeof(struct xg_scstats) == 64, "xg_scstats layout");

#endif /* XG_ABI_H */
