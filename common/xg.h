/* SPDX-License-Identifier: GPL-2.0 */
/* Included by cmd/ and tests/: the user-space library of xdpguard.
 * Functions return 0 or a negative errno; -XG_EUSAGE means a usage error
 * whose message was already printed. Only main() turns results into exit
 * codes, through xg_exit().
 */
#ifndef XG_H
#define XG_H

#include <getopt.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <time.h>

#include "xg_abi.h"

#define XG_VERSION "0.1.0"
#define XG_DEFAULT_PIN_DIR "/sys/fs/bpf/xdpguard"
#define XG_PIN_ENV "XDPGUARD_PIN_DIR"
#define XG_LINKS_SUBDIR "links"
#define XG_FEATURES_SUBDIR "features" /* xg-features' reader lock */

/* Not an errno: a usage error, already reported. Exit status 2. */
#define XG_EUSAGE 4096

/* ---- cli.c: messages, common options, exit status ---------------------- */

extern const char *xg_prog; /* "xg-block": set by xg_cli_init() */
extern bool xg_json; /* -j given */
extern int xg_verbose; /* -v count; >0 lets libbpf print */

void xg_cli_init(const char *prog); /* also silences libbpf unless -v */

/* "xg-tool: <message>\n" on stderr. The first message of a run is also
 * kept so that xg_exit() can put {"error": "..."} on stdout under -j: the
 * failure that led to the others.
 */
void xg_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Same line, then returns -XG_EUSAGE: `return xg_usage_err("...")`. */
int xg_usage_err(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Message for a runtime failure; returns err (a negative errno). */
int xg_fail(int err, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The same line for a note or warning: not kept for {"error": ...}. */
void xg_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* 0 -> 0, -XG_EUSAGE -> 2, any other negative -> 1. Under -j and rc != 0
 * prints {"error":"<first message>"} on stdout first.
 */
int xg_exit(int rc);

/* "xg-tool (xdpguard) 0.1.0, libbpf x.y"; under -j
 * {"tool":"xg-tool","version":"0.1.0","abi":N,"libbpf":"x.y"}.
 */
void xg_print_version(void);

/* The options every tool takes: put XG_COMMON_LONG_OPTS at the end of a
 * getopt_long table and number the tool's own long-only options from
 * XG_OPT_TOOL.
 */
#define XG_OPT_PIN_DIR 256
#define XG_OPT_TOOL 257
#define XG_COMMON_SHORT "jvVh"
/* clang-format off */
#define XG_COMMON_LONG_OPTS						\
	{ "pin-dir", required_argument, NULL, XG_OPT_PIN_DIR },		\
	{ "json", no_argument, NULL, 'j' },				\
	{ "verbose", no_argument, NULL, 'v' },				\
	{ "version", no_argument, NULL, 'V' },				\
	{ "help", no_argument, NULL, 'h' },				\
	{ NULL, 0, NULL, 0 }
/* clang-format on */

/* The skeleton of every tool (cmd/xg-*.c):
 *
 *	main:       xg_cli_init, parse_args, xg_common_done, run, xg_exit
 *	parse_args: while ((c = xg_getopt(...)) != -1) one option;
 *	            if (!xg_opts_stop(co)) validate the words and combinations;
 *	            return xg_opts_end(co);
 *	run:        privileges, open, lock, act, render, release under out:
 *
 * A usage error is noted with xg_opt_bad() and argv is still read to the
 * end, so that a -j after the mistake shapes the report; the first error
 * noted is the one printed.
 */
struct xg_common_opts {
	const char *pin_opt; /* --pin-dir, NULL if not given */
	bool help;
	bool version;
	char err[256]; /* the first usage error; "" if none */
};

/* getopt_long over @tool_short (the tool's own short options, without
 * ':' in front) and @opts: returns the tool's options one by one, -1 at
 * the end. The common options and getopt's own complaints ("unknown
 * option '--foo'; see --help", "option '--timeout' needs a value",
 * "option '--force' takes no value") are taken care of here.
 */
int xg_getopt(int argc, char **argv, const char *tool_short,
	      const struct option *opts, struct xg_common_opts *co);
/* Notes a usage error unless one is noted already; returns -XG_EUSAGE. */
int xg_opt_bad(struct xg_common_opts *co, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* An error noted, or -h or -V given: nothing more to validate. */
bool xg_opts_stop(const struct xg_common_opts *co);
/* The error noted, printed: -XG_EUSAGE; 0 if none. */
int xg_opts_end(const struct xg_common_opts *co);
/* After parsing: prints usage (via @usage) or the version if asked for
 * and returns true; the tool then exits 0.
 */
bool xg_common_done(const struct xg_common_opts *co, void (*usage)(void));
/* -n ARG of xg-stats and xg-events: notes "-n is now the network
 * namespace; use -c/--count for a count" when ARG is a number.
 */
void xg_opt_old_count(struct xg_common_opts *co, const char *arg);

/* bpftool's cmds[] idea for the tools with verbs: a table whose rows
 * start with the word (a const char *), and the row of @word picked out
 * of it exactly; NULL for a word the table does not hold.
 */
const void *xg_cmd_lookup(const void *rows, size_t nrows, size_t row_size,
			  const char *word);
#define XG_ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define xg_cmd_select(table, word)                                             \
	((__typeof__(&(table)[0]))xg_cmd_lookup((table), XG_ARRAY_SIZE(table), \
						sizeof((table)[0]), (word)))

/* Root, or CAP_BPF + CAP_NET_ADMIN (CAP_SYS_ADMIN also counts for BPF).
 * Prints "permission denied; run as root (needs CAP_BPF and CAP_NET_ADMIN)"
 * and returns -EPERM otherwise.
 */
int xg_check_privileges(void);

/* XG_KF_* of the running kernel (kfeat.c); needs the rights to load BPF. */
__u32 xg_kernel_features(void);

/* ---- parse.c: strict value parsers (reject "80abc", " 5", "") ---------- */

struct xg_prefix {
	int family; /* AF_INET or AF_INET6 */
	__u8 addr[16]; /* network order; IPv4 in the first 4 bytes */
	__u32 len; /* prefix length: 0..32 or 0..128 */
};

/* ADDR or ADDR/LEN. A bare address is a host (/32, /128). Host bits set
 * below LEN are an error, never masked silently. On error writes a one-line
 * cause into err (e.g. "invalid address '10.0.0.300'", "'10.0.0.5/8' has
 * host bits set; did you mean 10.0.0.0/8?") and returns -EINVAL.
 */
int xg_parse_prefix(const char *s, struct xg_prefix *out, char *err,
		    size_t errlen);
bool xg_prefix_is_host(const struct xg_prefix *p);
/* "10.0.0.5", "10.0.0.0/8", "2001:db8::/32": the host form has no /LEN. */
void xg_format_prefix(const struct xg_prefix *p, char *buf, size_t len);

/* Decimal integer in [min, max], nothing before or after. */
int xg_parse_u64(const char *s, __u64 min, __u64 max, __u64 *out);
/* N[k|K|M|G] (binary multiples) in [min, max]; -EINVAL otherwise. */
int xg_parse_size(const char *s, __u64 min, __u64 max, __u64 *out);
/* N, Ns, Nm, Nh or Nd -> seconds, in [1, 10 years]. */
int xg_parse_duration(const char *s, __u64 *secs);
/* A decimal number of seconds, 0.1 to 3600 ("2", "0.5"): digits,
 * optionally a point and more digits, nothing before or after.
 */
int xg_parse_interval(const char *s, double *out);

/* ---- pin.c: the pin directory, locking, opening pinned maps ------------ */

/* --pin-dir if given, else $XDPGUARD_PIN_DIR, else the default. */
const char *xg_pin_dir(const char *opt);

/* Mount bpffs at /sys/fs/bpf if nothing is mounted there (mode 0700) and
 * check that dir's parent lives on bpffs.
 */
int xg_bpffs_ensure(const char *dir);

/* flock(LOCK_EX) on the pin directory: one writer at a time. Returns an fd
 * to pass to xg_unlock(), or a negative errno. Waits up to 10 s.
 */
int xg_lock(const char *dir);
void xg_unlock(int lock_fd);

/* Every pinned map, opened and checked against this header (type, key and
 * value sizes, meta magic and ABI version). -1 for a map not opened.
 */
struct xg_maps {
	int allow4, allow6, allow4p, allow6p;
	int block4, block6, block4p, block6p;
	int stats, meta, ifaces;
	int state, track, global, admit, hot, pfx;
	int events, feats, evstats;
	int rules, rsets, rports, rhits, rbucket, rulesrc, rsrc;
	int origins;
	int scports, scstats;
};

/* Opens all maps under dir; rdonly opens them BPF_F_RDONLY. When nothing is
 * pinned: "xdpguard is not loaded; run xg-load IFACE first", -ENOENT. On an
 * ABI mismatch: "pinned maps are from another xdpguard version (ABI N);
 * run xg-unload --all and xg-load again", -EPROTO.
 */
int xg_maps_open(const char *dir, bool rdonly, struct xg_maps *m);
void xg_maps_close(struct xg_maps *m);
/* For xg-unload, which detaches even from the pins of another version:
 * every map that is pinned and has the layout of this header, without a
 * message; -1 for the others.
 */
void xg_maps_open_tolerant(const char *dir, struct xg_maps *m);
struct bpf_map_info;
/* The map behind @fd, pinned as @name at @path, against the table of
 * xg_maps_open (type, key and value sizes, entries, flags): 0 and *info
 * filled, or "pinned maps are from another xdpguard version[ (ABI N)];
 * run xg-unload --all and xg-load again" and -EPROTO (@meta, if read,
 * names the version). For a name the table does not hold too.
 */
int xg_map_check(int fd, const char *name, const char *path,
		 const struct xg_meta *meta, struct bpf_map_info *info);
/* max_entries of the map behind @fd; 0 if it cannot be read. */
__u32 xg_map_max_entries(int fd);

/* ---- iface.c: guarded interfaces, their link pins and slots ------------ */

/* An interface as the tools name it: IFACE, or IFACE@NETNS (the text
 * output spells it so too).
 */
struct xg_ifname {
	char ifname[XG_IFNAMSIZ];
	char netns[XG_NETNSSIZ]; /* "" = the namespace of the pins */
};

/* The one parser of IFACE[@NETNS], for -i and the operand of xg-load and
 * xg-unload; @netns is the -n/--netns value (NULL if not given), for an
 * IFACE that does not name its own. On error writes "invalid interface
 * 'x'" or "'veth0@a' names its namespace; --netns does not apply to it"
 * into err and returns -EINVAL.
 */
int xg_iface_parse(const char *arg, const char *netns, struct xg_ifname *out,
		   char *err, size_t len);
/* A -n/--netns value: "invalid network namespace 'a/b'" and -EINVAL for
 * "", a '/' or a name too long for xg_iface.netns.
 */
int xg_netns_check(const char *ns, char *err, size_t len);
/* The same as usage errors noted on @co (cli.c): -n/--netns NAME sets
 * *netns; IFACE[@NETNS] fills @out, or returns -XG_EUSAGE.
 */
void xg_opt_netns(struct xg_common_opts *co, const char *arg,
		  const char **netns);
int xg_opt_iface(struct xg_common_opts *co, const char *arg, const char *netns,
		 struct xg_ifname *out);
/* "veth0", or "veth0@edge" when netns is non-empty. */
void xg_iface_label(const char *ifname, const char *netns, char *buf,
		    size_t len);

/* PIN_DIR/links/<name>: the interface name, "@" and the netns name when
 * netns is non-empty; '.', '%' and '@' inside either are written %2E,
 * %25 and %40 because bpffs refuses names with dots.
 */
int xg_link_pin_path(const char *dir, const char *netns, const char *ifname,
		     char *buf, size_t len);
/* The inverse, for walking PIN_DIR/links. */
int xg_link_pin_name_decode(const char *name, char *netns, size_t nslen,
			    char *ifname, size_t iflen);

/* ---- batch.c: every entry of a map ------------------------------------ */

/* Gets @n keys (@ksz bytes each) and their values (@vsz bytes each: for
 * a per-CPU map, the CPUs' values one after the other, each rounded up
 * to 8 bytes). A non-zero return stops the walk and is returned.
 */
typedef int (*xg_batch_fn)(const void *keys, const void *vals, __u32 n,
			   void *ctx);
/* Hands every entry of the map behind @fd to @fn, read @chunk at a time
 * (0: 4096) with batch lookups, else one key at a time. Returns 0,
 * -errno, or what @fn returned.
 */
int xg_batch_walk(int fd, size_t ksz, size_t vsz, __u32 chunk, xg_batch_fn fn,
		  void *ctx);

/* ---- clock.c: the clocks, and wall-clock time ------------------------- */

/* @id (CLOCK_REALTIME, CLOCK_BOOTTIME, ...) now, in nanoseconds. */
__u64 xg_clock_ns(clockid_t id);
/* Now on the clock of xg_entry.expires_ns (CLOCK_BOOTTIME). */
__u64 xg_now_ns(void);
/* CLOCK_MONOTONIC in milliseconds: the readers' ticks. */
__u64 xg_mono_ms(void);
/* CLOCK_REALTIME minus CLOCK_BOOTTIME now: added to a boot-clock time
 * (xg_event.ts_ns), gives the wall-clock time.
 */
__s64 xg_boot_to_real_ns(void);
/* The limits' clock now (xg_meta.limits_clock), and its offset to
 * CLOCK_REALTIME.
 */
__u64 xg_limits_now_ns(const struct xg_maps *m);
__s64 xg_limits_to_real_ns(const struct xg_maps *m);
/* Sleeps until @ns on clock @id: clock_nanosleep's result (EINTR when a
 * signal came first).
 */
int xg_sleep_until(clockid_t id, __u64 ns);
/* A CLOCK_REALTIME time as RFC 3339 UTC with microseconds,
 * "2026-11-23T21:00:00.123456Z" (buf: 32 bytes are enough).
 */
void xg_format_time(__u64 real_ns, char *buf, size_t len);

struct bpf_link_info;
/* bpf_obj_get_info_by_fd of a link; 0 or -errno. */
int xg_link_info(int fd, struct bpf_link_info *info);
/* Link @id is gone, or its interface went away (an empty shell). */
bool xg_link_is_stale(__u32 id);
/* The live link pinned at @path: its fd, and its id in *id. -ENOENT
 * without a message when nothing is pinned there, or when the pin was a
 * stale link: then the pin is removed and its interface forgotten in @m.
 */
int xg_link_open_pinned(const char *path, const struct xg_maps *m, __u32 *id);
/* Detaches the link pinned at @path (even if another process holds it
 * open) and unpins it; *id gets its id. -ENOENT without a message when
 * nothing is pinned there.
 */
int xg_link_unpin(const char *path, __u32 *id);
/* Forgets the interfaces whose link went away (a deleted veth, a removed
 * namespace): their pins go, their counts move to the detached slot.
 * Without this, 32 vanished interfaces would block every new one.
 */
void xg_iface_sweep(const char *dir, const struct xg_maps *m);

/* The counter slot of link @link_id in xg_ifaces, or -1. */
int xg_iface_slot_of(int ifaces_fd, __u32 link_id);
/* The lowest slot no interface holds; "cannot guard more than 32
 * interfaces; unload one first" and -ENOSPC when all are taken.
 */
int xg_iface_free_slot(int ifaces_fd);
/* The interface of link @link_id is no longer guarded: its slot's counts
 * move to the detached slot (xg_stats_retire; skipped if @stats_fd < 0)
 * and its xg_ifaces entry goes, freeing the slot, even if that failed.
 */
int xg_iface_forget(int ifaces_fd, int stats_fd, __u32 link_id);

/* Fills names[XG_IF_SLOTS] from the xg_ifaces map: the guarded
 * interface that holds each counter slot; ifname "" for a free slot.
 */
int xg_slot_names(int ifaces_fd, struct xg_ifname *names);

/* ---- netns.c: act inside a named network namespace --------------------- */

/* setns(CLONE_NEWNET) into /var/run/netns/NAME; only the network namespace
 * changes, so the host's bpffs pins stay visible. *saved gets an fd of the
 * original namespace for xg_netns_leave(). NULL or "" name: no-op.
 */
int xg_netns_enter(const char *name, int *saved);
int xg_netns_leave(int saved);

/* ---- list.c: the allow/block list engine ------------------------------- */

enum xg_list_kind { XG_LIST_ALLOW, XG_LIST_BLOCK };

struct xg_list_item {
	struct xg_prefix prefix;
	struct xg_entry entry;
};

/* Pick the four map fds of one list out of m. */
struct xg_list {
	enum xg_list_kind kind;
	int h4, h6, p4, p6;
	int state; /* to keep xg_state.lists in step */
	int hot; /* xg_hot: the hits CPUs hold; -1 = read none */
};
void xg_list_from_maps(struct xg_list *l, const struct xg_maps *m,
		       enum xg_list_kind kind);

/* Add or refresh: an existing entry keeps its hit counter and takes the new
 * expiry (timeout_s == 0: never expires). Host prefixes go to the hash maps,
 * real prefixes to the tries.
 */
int xg_list_add(struct xg_list *l, const struct xg_prefix *p, __u64 timeout_s,
		__u16 origin);
int xg_list_del(struct xg_list *l, const struct xg_prefix *p); /* -ENOENT */
/* Marks the entry of @p an automatic ban (origin "auto"), for xg-restore. */
int xg_list_set_auto(struct xg_list *l, const struct xg_prefix *p);
/* Removes entries whose expiry has passed; returns how many, or -errno. */
int xg_list_expire(struct xg_list *l);
/* Every live entry, hosts then prefixes, IPv4 then IPv6. cb returns 0 to
 * go on. Returns the number visited or -errno.
 */
int xg_list_walk(struct xg_list *l,
		 int (*cb)(const struct xg_list_item *it, void *ctx),
		 void *ctx);
int xg_list_flush(struct xg_list *l); /* returns entries removed */
/* Rebuilds xg_pfx from the four tries (common/pfx.c); after every change
 * to a list, under the lock.
 */
int xg_pfx_sync(const struct xg_maps *m);
/* Recompute the l->kind bits of xg_state.lists from map contents: set
 * (atomic or) for a non-empty map; for an empty one clear (atomic and),
 * look again, set back if an automatic ban raced in. Through mmap.
 */
int xg_list_sync_bits(struct xg_list *l);

struct xg_list_counts {
	__u64 hosts4, hosts6, prefixes4, prefixes6;
	__u32 max_hosts, max_prefixes; /* max_entries of the v4 maps */
};
int xg_list_count(struct xg_list *l, struct xg_list_counts *c);

/* Whole seconds left of an entry that expires (rounded up, at least 1),
 * as the lists show them.
 */
__u64 xg_entry_expires_in(const struct xg_entry *e, __u64 now);

/* ---- origin.c: where list entries came from ---------------------------- */

#define XG_ORIGIN_MANUAL "manual" /* origin 0 */
#define XG_ORIGIN_AUTO "auto" /* origin 0 with XG_E_AUTO */
/* [a-z0-9][a-z0-9_.:-]*, shorter than XG_ORIGIN_LEN */
bool xg_origin_valid(const char *name);
/* Every name of xg_origins (index 0 empty). */
int xg_origins_read(int fd, struct xg_origin names[XG_MAX_ORIGINS]);
/* The origin an entry shows: manual, auto or its name. */
const char *xg_origin_name(const struct xg_origin names[XG_MAX_ORIGINS],
			   const struct xg_entry *e);
/* The index of @name (0 for manual and auto), or -ENOENT. */
int xg_origin_find(const struct xg_origin names[XG_MAX_ORIGINS],
		   const char *name);
/* The index of @name, given one if it has none (under the lock); frees
 * the names no entry carries when the table is full.
 */
int xg_origin_get(const struct xg_maps *m,
		  struct xg_origin names[XG_MAX_ORIGINS], const char *name);

/* The whole grammar of xg-block and xg-allow (they differ only in kind). */
int xg_listcmd_main(int argc, char **argv, enum xg_list_kind kind);

/* ---- config.c: settings and the state word ---------------------------- */

/* The settings in force (xg_state.cfg[cfg_slot]). */
int xg_config_read(const struct xg_maps *m, struct xg_config *cfg);
/* Writes the slot not in force (through the mapping), then flips
 * xg_state.cfg_slot with one
 * aligned store: the program never sees half an update. Under the lock.
 */
int xg_config_write(const struct xg_maps *m, const struct xg_config *cfg);
/* mmap of the one xg_state entry (the map is BPF_F_MMAPABLE); NULL and
 * errno on failure. rdonly maps it PROT_READ.
 */
struct xg_state *xg_state_mmap(int state_fd, bool rdonly);
void xg_state_munmap(struct xg_state *st);

/* ---- syncookie.c: SYN cookies per port (xg-threshold syn-cookies) ----- */

/* A set of ports, one bit each (a port list of the command line). */
#define XG_SC_SET_WORDS (65536 / 64)

/* What xg_scports holds: XG_SC_* two bits a port. */
struct xg_sc_image {
	__u64 w[XG_SC_WORDS];
};

/* "off", "auto", "on"; and back (-1 for another word). */
const char *xg_sc_mode_name(unsigned int mode);
int xg_sc_mode_of(const char *s);
/* P[-Q][,P[-Q]]... into @set; otherwise a cause in @err ("invalid port
 * list ',80'", "reversed range '90-80'") and -EINVAL.
 */
int xg_sc_parse_ports(const char *s, __u64 set[XG_SC_SET_WORDS], char *err,
		      size_t len);
unsigned int xg_sc_get(const struct xg_sc_image *im, __u32 port);
/* The ports of @set (NULL: every port) into @mode. */
void xg_sc_set(struct xg_sc_image *im, const __u64 *set, unsigned int mode);
/* The highest mode of any port: XG_SC_OFF when none is on or auto. */
unsigned int xg_sc_max(const struct xg_sc_image *im);
/* The ports in @mode as a port list ("22,80,8000-8999"; "" for none),
 * malloc'ed; NULL when out of memory.
 */
char *xg_sc_format(const struct xg_sc_image *im, unsigned int mode);
int xg_sc_read(const struct xg_maps *m, struct xg_sc_image *im);
/* Under the lock: @im (read as @old) into xg_scports and @cfg, with
 * XG_CFG_SYNCOOKIES set when a port is not off, in the order that keeps
 * the program consistent; @cfg is written even if only the ports change.
 */
int xg_sc_commit(const struct xg_maps *m, struct xg_config *cfg,
		 const struct xg_sc_image *old, const struct xg_sc_image *im);
/* xg_config.sc_wscale as xg_thr_apply() leaves it for "syn-cookies
 * timestamps on": xg_sc_resolve() puts the window scale in its place.
 */
#define XG_SC_WSCALE_PENDING 0x10
/* The window scale the kernel gives listeners in each guarded namespace
 * (from net.ipv4.tcp_rmem[2] and net.core.rmem_max), plus 1, into a
 * pending cfg->sc_wscale; refused with one line when the namespaces
 * disagree or the kernel has no SYN cookie helpers.
 * Unless !sysctl, net.ipv4.tcp_timestamps 2 in each (a note a change).
 */
int xg_sc_resolve(const char *dir, const struct xg_maps *m,
		  struct xg_config *cfg, bool sysctl);
/* "syn-cookies off", then one line per mode that holds ports, then
 * "syn-cookies timestamps on|off" (@cfg).
 */
void xg_sc_save(FILE *f, const char *prefix, const struct xg_sc_image *im,
		const struct xg_config *cfg);
/* A port of @im not off on pins whose xg_meta.kfeat lacks
 * XG_KF_SYNCOOKIE: one line naming Linux 5.3 and -EOPNOTSUPP.
 */
int xg_sc_check_kernel(const struct xg_maps *m, const struct xg_sc_image *im);
/* net.ipv4.tcp_syncookies in each guarded interface's namespace as
 * @mode (the highest in force) needs it: on 2, auto at least 1; a
 * "note:" line for each value changed. Off changes nothing.
 */
int xg_sc_sysctl(const char *dir, const struct xg_maps *m, unsigned int mode);
/* xg-load, in the namespace of the interface it has just guarded (@ns):
 * a note when SYN cookies are in force and the sysctl there is below
 * what they need. xg-load sets nothing itself: the operator may have
 * chosen --no-sysctl.
 */
void xg_sc_load_note(const struct xg_maps *m, const char *ns);

struct xg_stats;

/* The SYN cookie counters of xg-stats. */
struct xg_sc_report {
	__u64 sent, bad; /* reasons cookie_sent, cookie_bad */
	__u64 acks_valid, fallback, no_listener, unsupported;
	__u64 last_sent_ns; /* limits' clock, 0: never */
	bool engaged; /* a cookie sent within XG_ATTACK_QUIET_NS */
};

/* sent and bad from @st (the counters shown), the rest summed over the
 * CPUs of xg_scstats.
 */
int xg_sc_stats_read(const struct xg_maps *m, const struct xg_stats *st,
		     struct xg_sc_report *out);

/* ---- threshold.c: the settings of xg-threshold (and of xg-save) ------ */

#define XG_THR_RATE_MAX 100000000 /* 100 Mpps: more than one port can receive */
/* Far more drop events a second than one reader can print or a log
 * pipeline can take in; the ring buffer holds only ~3,600 of them.
 */
#define XG_THR_EVENTS_RATE_MAX 1000000
/* Features: a reader keeps up with some 10^5 to 10^6 a second. */
#define XG_THR_FEATURES_RATE_MAX 10000000
#define XG_THR_SAMPLE_MAX 1000000000
#define XG_THR_BURST_MAX 1000000000
#define XG_THR_BAN_SECS_MAX XG_BAN_SECS_MAX
/* 1x the limit is any source that is limited at all */
#define XG_THR_FACTOR_MIN 2
#define XG_THR_FACTOR_MAX 1000
#define XG_THR_AFTER_MAX 3600
#define XG_THR_PS_PORTS_MIN 2
/* 64 bits of hashed ports: 50 set on average */
#define XG_THR_PS_PORTS_MAX 100
#define XG_THR_PS_WINDOW_MAX 3600

/* A setting, by the name the command line and the text output use. */
struct xg_thr_setting {
	const char *word; /* command line and text */
	const char *key; /* JSON */
	int kind; /* threshold.c */
	int lim; /* enum xg_limit_id of a limit */
};
/* The packet limits first (XG_THR_N_LIMITS rows, in output order), then
 * events, monitor, features, ban, v6-prefix, portscan.
 */
extern const struct xg_thr_setting xg_thr_settings[];
#define XG_THR_N_LIMITS 12
#define XG_THR_EVENTS_ROW XG_THR_N_LIMITS
#define XG_THR_MONITOR_ROW (XG_THR_EVENTS_ROW + 1)
#define XG_THR_FEATURES_ROW (XG_THR_MONITOR_ROW + 1)

/* One change of xg-threshold: the words SETTING VALUE... and the options
 * as typed, parsed into what xg_thr_apply() writes. A usage error is
 * noted on co (xg_opt_bad), not printed.
 */
struct xg_thr {
	struct xg_common_opts co;
	/* as typed; checked once the setting they go with is known */
	const char *burst, *factor, *after;
	const struct xg_thr_setting *set; /* NULL: print */
	struct xg_limit limit; /* a limit, events, monitor, features */
	__u32 value; /* ban seconds, v6-prefix length, sample N */
	__u32 ban_factor, ban_after; /* 0: keep */
	__u32 ps_ports, ps_window, ps_ban; /* portscan; ports 0: off */
	bool sample; /* features sample, of 1/value (0: off) */
	int sc_mode; /* syn-cookies: XG_SC_*; -1: timestamps on|off */
	bool sc_ts; /* syn-cookies timestamps on */
	bool sc_all; /* syn-cookies without port: every port */
	bool no_sysctl; /* --no-sysctl, of syn-cookies only */
	__u64 sc_ports[XG_SC_SET_WORDS]; /* syn-cookies port PORTS */
};

/* SETTING VALUE... from @w[0..n), @o->burst, factor and after set first;
 * n == 0 checks that no option was given without a setting.
 */
int xg_thr_parse(int n, char **w, struct xg_thr *o);
/* The change into @cfg, or for syn-cookies into @sc (the flag then
 * follows in xg_sc_commit()).
 */
void xg_thr_apply(const struct xg_thr *o, struct xg_config *cfg,
		  struct xg_sc_image *sc);
/* The setting is syn-cookies. */
bool xg_thr_is_sc(const struct xg_thr *o);
/* @cfg as the xg-threshold lines that set it, each after @prefix
 * ("threshold "): every setting, in the order of xg_thr_settings.
 */
void xg_thr_save(FILE *f, const char *prefix, const struct xg_config *cfg,
		 const struct xg_sc_image *sc);

/* ---- rule.c: the rules compiled for the program ------------------------ */

/* What xg_rules_write() puts in the maps. */
struct xg_rules_image {
	struct xg_rule rules[XG_MAX_RULES];
	int n;
	struct xg_rset sets[XG_MAX_RSETS];
	int nsets;
	struct xg_rport ports[XG_RPORT_ENTRIES];
};

/* Compiles @spec[0..n), in the order they are to be checked, into @img.
 * 0, or -E2BIG and why in @err: too many rules, more than XG_RULE_CAND
 * of them could meet one packet, or more than XG_MAX_RSETS sets.
 */
int xg_rules_compile(const struct xg_rule_src *spec, int n,
		     struct xg_rules_image *img, char *err, size_t len);
/* Writes @img into bank @bank of xg_rules, xg_rsets and xg_rports; 0 or
 * -errno. Write the bank not in force (xg_config.rule_bank), then write
 * the settings with rule_bank flipped: packets meet the old rules or the
 * new ones.
 */
int xg_rules_write(int rules_fd, int rsets_fd, int rports_fd, __u32 bank,
		   const struct xg_rules_image *img);
/* The rules as given (xg_rulesrc) into @out[XG_MAX_RULES], in check
 * order, and their count into *n; 0 or -errno.
 */
int xg_rules_read(int rulesrc_fd, struct xg_rule_src *out, int *n);
/* The hits of each of @src[0..n) (xg_rhits, per CPU, by the rule's slot),
 * summed over the CPUs into @hits[0..n); 0 or -errno.
 */
int xg_rules_hits(int rhits_fd, const struct xg_rule_src *src, int n,
		  struct xg_counter *hits);

/* ---- ruleset.c: a change to the rules (xg-rule, xg-restore) ---------- */

/* A slot's state in the change (struct xg_ruleset .slots) */
#define XG_SLOT_OLD 1U /* held by a rule before the change */
#define XG_SLOT_CUR 2U /* held by a rule after it */
#define XG_SLOT_NEW 4U /* given to a rule the change added */

/* The rules before and after, and what the change did. */
struct xg_ruleset {
	struct xg_rule_src *old, *cur; /* in check order */
	int nold, ncur;
	__u32 next_id;
	struct xg_counter *hits; /* per old index, summed over CPUs */
	int added, deleted;
	__u32 *ids; /* of the rules added */
	__u8 slots[XG_MAX_RULES]; /* XG_SLOT_* */
};

/* Room for every rule and for @nadd ids added. */
int xg_ruleset_alloc(struct xg_ruleset *rs, size_t nadd);
void xg_ruleset_free(struct xg_ruleset *rs);
/* The rules in force into old, and a copy into cur to change. */
int xg_ruleset_read(const struct xg_maps *m, struct xg_ruleset *rs);
/* The index in cur of the rule with that prio (or id), or -1. */
int xg_ruleset_find(const struct xg_ruleset *rs, bool by_prio, __u32 v);
/* Adds @s to cur: without @has_prio after the last rule; s->r.id 0 takes
 * the next id, another keeps its own. "@wherepriority N is taken by rule
 * M" (a usage error), "too many rules" otherwise.
 */
int xg_ruleset_add(struct xg_ruleset *rs, struct xg_rule_src *s, bool has_prio,
		   const char *where);
void xg_ruleset_del(struct xg_ruleset *rs, int i); /* cur[i] */
void xg_ruleset_flush(struct xg_ruleset *rs);
/* Compiles cur (sorted into check order) and only then writes it. */
int xg_ruleset_write(const struct xg_maps *m, struct xg_ruleset *rs);

/* ---- rulespec.c: the words of one rule -------------------------------- */

#define XG_RULE_PRIO_MAX 65535 /* xg_rule.prio is 16 bits */
#define XG_BAN_SECS_MAX 31536000 /* one year: a rule's ban, xg-threshold's */

/* [prio N] MATCH... ACTION (xg-rule(8)) from @w[0..n) into @out, with
 * classes, ports, the rate's derived constants; r.id is left 0 and
 * *has_prio says whether a prio was given. -1 and a one-line cause in
 * @err ("reversed range '90-80'", "flags needs proto tcp") otherwise.
 */
int xg_rule_parse(char **w, int n, struct xg_rule_src *out, bool *has_prio,
		  char *err, size_t len);
/* The matches as xg-rule add takes them ("proto tcp dport 22,80"; "any"
 * for none), and the action ("drop", "rate 100/200 total",
 * "rate 10/20 per-source ban 60").
 */
void xg_rule_format_match(const struct xg_rule_src *s, char *buf, size_t len);
void xg_rule_format_action(const struct xg_rule *r, char *buf, size_t len);
const char *xg_rule_action_name(int action); /* "drop", ..., "rate" */
const char *xg_rule_rate_scope(const struct xg_rule *r); /* "total", ... */

/* ---- save.c: the state as a file of command lines (xg-save, xg-restore) */

#define XG_SAVE_MAGIC "# xdpguard-save" /* the first line starts so */
#define XG_SAVE_FORMAT 1 /* the lines' grammar, xg-save(8) */
#define XG_SAVE_END "# end" /* the last line: a cut file lacks it */

struct xg_save_load {
	struct xg_ifname iface;
	int mode; /* enum xg_mode */
	__u32 max_entries, track, feature_ring; /* 0: not given */
	int malformed; /* -1: not given, 0: pass, 1: drop */
};

struct xg_save_rule {
	struct xg_rule_src src; /* r.id 0: not given */
	bool has_prio;
	char where[300]; /* "FILE:LINE: " */
};

struct xg_save_entry {
	struct xg_prefix prefix;
	__u64 timeout_s; /* 0: never expires */
	char origin[XG_ORIGIN_LEN]; /* "" or "manual": manual */
};

struct xg_save_list {
	struct xg_save_entry *v;
	size_t n, cap;
};

/* A file of xg-save, read whole. */
struct xg_save {
	struct xg_save_load *loads;
	size_t nloads, cap_loads;
	struct xg_thr *thr; /* in file order */
	size_t nthr, cap_thr;
	struct xg_save_rule *rules;
	size_t nrules, cap_rules;
	struct xg_save_list list[2]; /* by enum xg_list_kind */
	int malformed; /* of the load lines: -1 none, 0 pass, 1 drop */
};

/* The header, the interfaces (load lines), every setting (threshold),
 * the rules in check order with their ids, the allowlist and blocklist
 * with the seconds left, and the end line.
 */
int xg_save_write(FILE *f, const char *dir, const struct xg_maps *m);
/* Every line of @f checked; the first bad one is a usage error
 * "@shown:LINE: why". A file without its end line is truncated.
 */
int xg_save_parse(FILE *f, const char *shown, struct xg_save *s);
void xg_save_free(struct xg_save *s);
/* Under the lock: @s into the state (@flush: instead of it; the settings
 * are set either way), all or nothing: on a failure the state before,
 * snapshot first, is put back. SYN cookies the kernel cannot give are
 * refused first; @sysctl sets net.ipv4.tcp_syncookies as they need it
 * (xg_sc_sysctl) before anything else changes.
 */
int xg_save_restore(const char *dir, const struct xg_maps *m,
		    const struct xg_save *s, bool flush, bool sysctl);

/* ---- guard.c: the lockout guard ---------------------------------------- */

/* What a change would drop: prefixes going on the blocklist, rules being
 * added (only drop and rate rules count), where[i] ("FILE:LINE: " or
 * NULL) naming rule i in a message.
 */
struct xg_guard_change {
	const struct xg_prefix *block;
	size_t nblock;
	const struct xg_rule_src *rules;
	const char *const *where;
	size_t nrules;
};

/* Before a change is applied, unless --force: refuses it if it could drop
 * the peer of $SSH_CONNECTION/$SSH_CLIENT, a peer of an established TCP
 * session to local port 22, a default gateway or a nameserver of
 * resolv.conf, none of them on the allowlist of @m (NULL: not looked
 * at). "refusing to block 198.18.0.9: it is your SSH session's peer
 * (--force overrides)" and -EPERM; 0 if the change is safe. XG_PROC_NET
 * (default /proc/net) and XG_RESOLV_CONF (default /etc/resolv.conf) name
 * the files read.
 */
int xg_guard_check(const struct xg_guard_change *c, const struct xg_maps *m);
/* The client of $SSH_CONNECTION, else $SSH_CLIENT, with its port and the
 * local port (NULL: not wanted); -ENOENT without a message when neither
 * names one.
 */
int xg_guard_ssh_peer(struct xg_prefix *out, __u16 *sport, __u16 *dport);

/* ---- stats.c ----------------------------------------------------------- */

/* Sum of the per-CPU counters of one interface slot (or of all of
 * them), indexed [class][reason].
 */
struct xg_stats {
	struct xg_counter c[XG_C_MAX][XG_R_SLOTS];
};
/* The totals: every slot, the detached slot 0 included. */
int xg_stats_read(int stats_fd, struct xg_stats *s);
/* One pass over the map: @per[XG_IF_SLOTS] (may be NULL) gets each
 * slot, @total (may be NULL) their sum.
 */
int xg_stats_read_all(int stats_fd, struct xg_stats *per,
		      struct xg_stats *total);
/* Adds the counters of @slot into XG_IF_SLOT_DETACHED and zeroes @slot:
 * called once the interface of @slot is detached, so that the totals
 * keep its packets and the next interface given @slot starts from 0.
 * Needs a writable fd.
 */
int xg_stats_retire(int stats_fd, __u32 slot);
/* Zeroes the counters of @slot. */
int xg_stats_clear_slot(int stats_fd, __u32 slot);
/* Sum over CPUs of the drop-event counters. */
int xg_evstats_read(int evstats_fd, struct xg_evstats *out);
/* Whether a packet counted under @reason was dropped under @cfg. */
bool xg_reason_drops(int reason, const struct xg_config *cfg);
/* All packets and bytes of @s, and the packets dropped under @cfg. */
void xg_stats_sum(const struct xg_stats *s, const struct xg_config *cfg,
		  struct xg_counter *total, __u64 *dropped);

const char *xg_class_name(int class); /* "tcp", "udp", "icmp", ... */
const char *xg_reason_name(int reason); /* "pass", "allowlisted", ...,
					 * "rate_syn", "syn_global", "autoban" */
const char *xg_mode_name(int mode); /* "native", "skb", "offload" */
/* A class or reason as the text tables spell it: "rate_syn" -> "rate-syn",
 * as in the man pages.
 */
void xg_text_name(const char *name, char *buf, size_t len);

/* ---- json.c: a small JSON writer (objects, arrays, strings, numbers) --- */

struct xg_json;
struct xg_json *xg_json_new(FILE *f);
void xg_json_free(struct xg_json *j); /* ends with a newline */
void xg_json_obj_open(struct xg_json *j);
void xg_json_obj_close(struct xg_json *j);
void xg_json_arr_open(struct xg_json *j);
void xg_json_arr_close(struct xg_json *j);
void xg_json_key(struct xg_json *j, const char *key);
void xg_json_str(struct xg_json *j, const char *s); /* escaped; NULL -> null */
void xg_json_u64(struct xg_json *j, __u64 v);
void xg_json_i64(struct xg_json *j, __s64 v);
/* @prec decimals, always ("%.*f"); NaN and infinity -> null */
void xg_json_f64(struct xg_json *j, double v, int prec);
void xg_json_bool(struct xg_json *j, bool v);
void xg_json_null(struct xg_json *j);
/* key + value shorthands */
void xg_json_kv_str(struct xg_json *j, const char *k, const char *s);
void xg_json_kv_u64(struct xg_json *j, const char *k, __u64 v);
void xg_json_kv_f64(struct xg_json *j, const char *k, double v, int prec);
void xg_json_kv_bool(struct xg_json *j, const char *k, bool v);

/* ---- events.c: drop events, decoded for xg-events ---------------------- */

/* A reason that drops packets, by name ("rate_syn", or "rate-syn" as the
 * text tables spell it); -1 for pass, allowlisted and unknown words.
 */
int xg_event_reason(const char *name);

/* One event as the text line or the NDJSON object of xg-events(8), the
 * newline included. real_ns: the event's wall-clock time; iface: the names
 * of its slot, NULL or "" ifname when unknown.
 */
void xg_event_print_text(FILE *f, const struct xg_event *ev, __u64 real_ns,
			 const struct xg_ifname *iface, __u32 rule_id);
void xg_event_print_json(FILE *f, const struct xg_event *ev, __u64 real_ns,
			 const struct xg_ifname *iface, __u32 rule_id);

/* ---- ring.c: the readers of a ring buffer (xg-events, xg-features) ---- */

/* flock on PIN_DIR/@subdir, made first if @create (an existing one is
 * fine): one reader of a ring at a time. Returns the fd for xg_unlock(),
 * or a negative errno after "xg-tool: @busy" when another reader holds it.
 */
int xg_ring_lock(const char *dir, const char *subdir, bool create,
		 const char *busy);
/* The ring buffer pinned as @name under @dir, writable (the consumer
 * position is written through mmap), and its map id in *id.
 */
int xg_ring_open(const char *dir, const char *name, int *fd, __u32 *id);
/* Whether the map pinned as @name is still map @id: false once it was
 * unpinned or pinned anew.
 */
bool xg_ring_still_pinned(const char *dir, const char *name, __u32 id);
__u32 xg_map_id(int fd); /* 0 if it cannot be read */

/* The -i IFACE[@NETNS] of a reader: only records of these interfaces. */
struct xg_ring_ifaces {
	const char *arg[XG_MAX_IFACES]; /* as typed */
	struct xg_ifname name[XG_MAX_IFACES];
	int n;
	const char *netns; /* --netns */
};
/* One -i: a usage error noted on @co if it does not parse or is one too
 * many; xg_ring_ifaces_resolve() after the options gives --netns to the
 * -i that name no namespace ("option '--netns' needs --interface").
 */
void xg_ring_opt_iface(struct xg_common_opts *co, struct xg_ring_ifaces *fi,
		       const char *arg);
int xg_ring_ifaces_resolve(struct xg_common_opts *co,
			   struct xg_ring_ifaces *fi);
/* Every -i names an interface in @names (xg_slot_names) now: else "IFACE
 * is not guarded[; did you mean IFACE@NETNS?]" and -ENOENT.
 */
int xg_ring_ifaces_check(const struct xg_ring_ifaces *fi,
			 const struct xg_ifname *names);
/* No -i, or @n (NULL: unknown) is one of them. */
bool xg_ring_iface_wanted(const struct xg_ring_ifaces *fi,
			  const struct xg_ifname *n);

/* The names behind the slots of the records: interfaces (xg_ifaces) and
 * monitor rules' ids (xg_rulesrc). A slot not known is looked up again,
 * at most once between two xg_ring_names_tick() calls.
 */
struct xg_ring_names {
	int ifaces_fd, rulesrc_fd;
	struct xg_ifname names[XG_IF_SLOTS];
	__u32 rule_id[XG_MAX_RULES]; /* by slot; 0 unknown */
	bool names_fresh, rules_fresh; /* read since the last tick */
	__u32 names_gen; /* bumped by every read of the names */
};
int xg_ring_names_init(struct xg_ring_names *rn, const struct xg_maps *m);
int xg_ring_names_refresh(struct xg_ring_names *rn);
void xg_ring_rules_refresh(struct xg_ring_names *rn);
/* The interface of counter slot @slot, or NULL. */
const struct xg_ifname *xg_ring_iface(struct xg_ring_names *rn, __u32 slot);
/* The id of the rule in rule slot @slot, or 0. */
__u32 xg_ring_rule(struct xg_ring_names *rn, __u32 slot);
void xg_ring_names_tick(struct xg_ring_names *rn);

/* ---- features.c: features of passing packets, for xg-features ---------- */

/* The longest line xg_feature_line() writes, newline included. */
#define XG_FEATURE_LINE_MAX 2048
/* One feature as the NDJSON line of xg-features(8), the newline
 * included, into @buf (XG_FEATURE_LINE_MAX bytes); returns its length.
 * real_ns: its wall-clock time; iface_json: the "interface" value as
 * JSON (xg_json_quote of IFACE[@NETNS], or null); rule_id: 0 unknown.
 */
size_t xg_feature_line(char *buf, const struct xg_feature *f, __u64 real_ns,
		       const char *iface_json, __u32 rule_id);
/* @s as a quoted, escaped JSON string into @buf (cut short to fit
 * @len); returns its length.
 */
size_t xg_json_quote(char *buf, size_t len, const char *s);

/* ---- sink.c: where xg-features writes (stdout, a socket, files) -------- */

struct xg_sink_opts {
	const char *socket_path; /* --unix-socket */
	const char *out_dir; /* --out-dir */
	__u64 rotate_size; /* bytes; 0: no limit */
	__u64 rotate_secs; /* 0: no limit */
	__u32 keep; /* closed files kept; 0: all */
	size_t buf_size; /* the bounded buffer of lines, bytes */
};

struct xg_sink_stats {
	__u64 written; /* lines written whole */
	__u64 undelivered; /* lines dropped: buffer full, cut, unwritable */
	__u64 full; /* of them, for want of room in the buffer */
	__u64 connects, disconnects; /* the socket */
	__u64 files, files_deleted; /* closed under a final name; --keep */
};

struct xg_sink;
/* Before anything is opened: a socket path that exists and is not a
 * socket ("PATH is not a socket"), a directory that is missing or that
 * cannot be written ("cannot write to DIR: ..."): -errno.
 */
int xg_sink_check(const struct xg_sink_opts *o);
/* stdout, the socket (connected now or later: "waiting for a consumer
 * on PATH" once) or the first file of the directory.
 */
int xg_sink_open(const struct xg_sink_opts *o, struct xg_sink **out);
/* One whole line, into the buffer; false if it was dropped (counted). */
bool xg_sink_put(struct xg_sink *s, const char *line, size_t len, __u64 now_ms);
/* Writes the lines put so far; a socket takes what it can now, the rest
 * when xg_sink_ready() says it can take more.
 */
void xg_sink_flush(struct xg_sink *s, __u64 now_ms);
/* The socket to poll for (POLLOUT while lines wait), or -1. */
int xg_sink_poll_fd(const struct xg_sink *s, short *events);
void xg_sink_ready(struct xg_sink *s, short revents, __u64 now_ms);
/* When xg_sink_tick() has work next (reconnecting, --rotate-secs). */
__u64 xg_sink_next_ms(const struct xg_sink *s);
void xg_sink_tick(struct xg_sink *s, __u64 now_ms);
/* SIGHUP: the open file is closed under its final name, a new one
 * opened (logrotate); nothing for stdout and the socket.
 */
void xg_sink_reopen(struct xg_sink *s, __u64 now_ms);
void xg_sink_stats(const struct xg_sink *s, struct xg_sink_stats *st);
/* Flushes and closes; a socket gets up to @wait_ms to take what waits,
 * the rest is undelivered. *st gets the final counts.
 */
void xg_sink_close(struct xg_sink *s, int wait_ms, struct xg_sink_stats *st);

/* ---- report.c: what xg-stats gathers (struct xg_report) --------------- */

/* One guarded interface: a pin under PIN_DIR/links and its xg_ifaces
 * entry (mode and slot -1 when the entry is missing).
 */
struct xg_report_iface {
	char ifname[XG_IFNAMSIZ];
	char netns[XG_NETNSSIZ]; /* "" = the namespace of the pins */
	__u32 ifindex;
	__u32 link_id;
	int mode; /* enum xg_mode */
	int slot; /* counter slot 1..XG_MAX_IFACES, or -1 */
	struct xg_stats stats; /* of its slot */
};

/* The admission of new sources in one limited class, summed over CPUs
 * (common/attack.c). A class is under attack from its first refusal
 * until XG_ATTACK_QUIET_NS pass without one.
 */
struct xg_admission {
	bool engaged; /* under attack now */
	__u64 since_ns; /* its start, on the limits' clock; 0 if calm */
	__u64 for_ns; /* how long it has lasted */
	__u64 admitted, refused; /* since the maps were created */
	__u64 admitted_last_s, refused_last_s; /* in the last whole second
						* (per CPU windows) */
};

/* Sums @ncpu per-CPU values as of CLOCK_BOOTTIME @now. */
void xg_admission_sum(const struct xg_admit *per, int ncpu, __u64 now,
		      struct xg_admission out[XG_LIM_SRC]);
int xg_admission_read(const struct xg_maps *m,
		      struct xg_admission out[XG_LIM_SRC]);
/* "syn", "udp", "icmp", "frag" for a per-source limit. */
const char *xg_limit_name(int k);

/* A tracked source with rate-limit drops now (--top). */
struct xg_top_source {
	struct xg_prefix prefix; /* IPv4 host, or the tracked IPv6 prefix */
	__u64 drops_last_s; /* drops in the last whole second */
	__u64 window; /* drops in its latest window (ranks ties) */
	__u32 limits; /* 1 << enum xg_limit_id exceeded in that window */
};

struct xg_top_entry {
	enum xg_list_kind list;
	struct xg_list_item item;
};

/* A rule as given and its hits, summed over the CPUs. */
struct xg_report_rule {
	struct xg_rule_src src;
	struct xg_counter hits;
};

struct xg_report_opts {
	const char *ifname; /* -i: only this interface; NULL = all */
	const char *netns; /* --netns of -i; NULL = the pins' namespace */
	__u32 top; /* --top N; 0 = no top tables */
};

struct xg_report {
	const char *pin_dir;
	__u32 abi;
	struct xg_report_iface *ifaces; /* sorted by netns, name */
	size_t nifaces;
	bool selected; /* -i: ifaces holds that one, stats are its own */
	struct xg_list_counts block, allow;
	__u64 sources; /* keys in xg_track */
	__u32 max_sources;
	__u64 bans; /* live blocklist entries with XG_E_AUTO */
	struct xg_config config;
	struct xg_evstats events;
	struct xg_admission admission[XG_LIM_SRC];
	struct xg_sc_report sc; /* SYN cookies */
	__s64 limits_to_real; /* xg_limits_to_real_ns() when gathered */
	struct xg_stats stats; /* totals (all slots), or -i's slot */
	struct xg_stats detached; /* slot XG_IF_SLOT_DETACHED */
	__u32 top;
	struct xg_top_source *top_sources; /* best first */
	size_t ntop_sources;
	struct xg_top_entry *top_entries; /* most hits first */
	struct xg_origin origins[XG_MAX_ORIGINS]; /* their origins' names */
	size_t ntop_entries;
	struct xg_report_rule *rules; /* every rule, in check order */
	size_t nrules;
	struct xg_report_rule *top_rules; /* most hits first, at most top */
	size_t ntop_rules;
};

/* Reads everything from maps opened read-only. With o->ifname set and
 * that interface not guarded: "IFACE is not guarded", -ENOENT.
 */
int xg_report_gather(const char *dir, const struct xg_maps *m,
		     const struct xg_report_opts *o, struct xg_report *r);
void xg_report_free(struct xg_report *r);

/* ---- iface.c: the guarded interfaces, as xg-stats lists them ---------- */

/* A counter slot an interface can hold (xg_iface.slot). */
static inline bool xg_slot_valid(int slot)
{
	return slot >= 1 && slot <= XG_MAX_IFACES;
}

/* Every pin under PIN_DIR/links, sorted by netns and name; *out is
 * malloc'ed (NULL when there is none).
 */
int xg_links_read(const char *dir, const struct xg_maps *m,
		  struct xg_report_iface **out, size_t *nout);
/* Keeps only the interface of o->ifname (IFACE in o->netns, or IFACE@NS)
 * in v[0]: "IFACE is not guarded" or "IFACE has no counter slot; ..."
 * and -ENOENT otherwise.
 */
int xg_links_select(struct xg_report_iface *v, size_t *n,
		    const struct xg_report_opts *o);

/* ---- top.c: the --top tables, and the walks that also count ------------ */

/* r->sources, and with r->top the sources with the most rate-limit drops
 * now in r->top_sources; r->config must be read.
 */
int xg_top_sources(const struct xg_maps *m, struct xg_report *r);
/* r->bans (from the blocklist), and with r->top the entries of both lists
 * with the most hits in r->top_entries.
 */
int xg_top_entries(const struct xg_maps *m, struct xg_report *r);
/* r->rules (every rule, with its hits), and with r->top the rules with
 * the most hits in r->top_rules (those that never matched too, last).
 */
int xg_top_rules(const struct xg_maps *m, struct xg_report *r);

/* ---- report_text.c, report_json.c, report_prom.c: the renderers -------- */

void xg_report_text(const struct xg_report *r);
int xg_report_json(const struct xg_report *r);
void xg_report_prometheus(const struct xg_report *r);

/* ---- watch.c: xg-stats --watch ----------------------------------------- */

/* Rates every @interval seconds until @count screens (0: until SIGINT or
 * SIGTERM), of the totals or of o->ifname's counters.
 */
int xg_report_watch(const char *dir, const struct xg_maps *m,
		    const struct xg_report_opts *o, double interval,
		    __u64 count);

#endif /* XG_H */
