/* SPDX-License-Identifier: GPL-2.0 */
/* Included by the packet tests: the loaded program and its maps. */
#ifndef XG_TEST_HARNESS_H
#define XG_TEST_HARNESS_H

#include <stdint.h>

#include "xg_abi.h"
#include "pkt.h"

/* Loads the program with its maps pinned in a scratch directory; its
 * xg_ifslot is 0. It runs on the test clock (h_advance()) unless
 * h_real_clock is set first, as bench-xdp does to measure what xg-load
 * loads.
 */
extern int h_real_clock;
int h_open(void);
void h_close(void);
#define H_MAX_COPIES 4
/* Loads another copy of the program over the same maps with xg_ifslot
 * @ifslot, as xg-load does per interface; returns its number for
 * h_run_on() (1..H_MAX_COPIES) or -errno.
 */
int h_load_copy(uint32_t ifslot);

/* Empties every list, the source tracker and the event ring buffer,
 * zeroes xg_stats, xg_global and xg_evstats, writes xg_config {flags,
 * limits off} to both slots and xg_state {lists 0, cfg_slot 0}.
 */
int h_reset(uint32_t flags);
/* Every limit off, v6_prefix XG_DEF_V6_PREFIX. */
void h_config_off(struct xg_config *cfg);
/* The XG_DEF_* settings xg-load writes on a first load. */
void h_config_defaults(struct xg_config *cfg);
int h_write_config(uint32_t slot, const struct xg_config *cfg);
int h_read_config(uint32_t slot, struct xg_config *cfg);
/* The program's xg_state, mapped: read and write it in place. */
struct xg_state *h_state(void);
/* Empties xg_track and zeroes xg_global and xg_admit. */
int h_clear_tracking(void);
int h_track_count(void);
int h_track_lookup(const struct xg_in6 *key, struct xg_src *src);
int h_track_update(const struct xg_in6 *key, const struct xg_src *src);

/* Consumes every record in xg_events; copies the first @max to @out
 * (NULL: discards them). Returns how many there were, or -errno.
 */
int h_events(struct xg_event *out, int max);
/* The same for xg_feats. */
int h_features(struct xg_feature *out, int max);
/* xg_admit's class @k summed over CPUs (the counts), the latest
 * last_refused_ns and the earliest since_ns.
 */
int h_admit(int k, struct xg_admit_class *sum);
/* xg_evstats summed over CPUs; skip and backoff: the largest. */
int h_evstats(struct xg_evstats *sum);
/* Empties both ring buffers and zeroes xg_evstats. */
int h_clear_events(void);

/* Adds "ADDR" (host map) or "ADDR/LEN" (prefix trie) to the allow- or
 * blocklist and sets its xg_state.lists bit; @expires_ns 0 = never.
 */
int h_add(int block, const char *cidr, uint64_t expires_ns);
/* The xg_pfx bit of an address (first word, host order): 0, 1 or -1. */
int h_pfx_bit(int v6, uint32_t a0);
/* Sets the xg_pfx bits of a prefix, as h_add does. */
void h_pfx_cover(int v6, uint32_t a0, uint32_t len);
/* Clears xg_pfx (h_reset does). */
int h_pfx_clear(void);
/* Like h_add, but leaves the xg_state.lists bit as it was. */
int h_add_stale(int block, const char *cidr);
/* Writes @e as the entry for @cidr; sets the list bit if @set_bit. */
int h_add_entry(int block, const char *cidr, const struct xg_entry *e,
		int set_bit);
/* The entry for @cidr, its hits with those still in xg_hot; -1 if there
 * is none.
 */
int h_entry(int block, const char *cidr, struct xg_entry *e);
/* The entry as the map holds it: its hits without those in xg_hot. */
int h_entry_raw(int block, const char *cidr, struct xg_entry *e);
/* Hits of the entry h_add made, or -1 if it is gone. */
int64_t h_hits(int block, const char *cidr);
/* The program's clock: the packet tests run it by hand (xg_test_clock),
 * so rate limits and expiry do not depend on the machine's speed.
 * h_boot_ns() is its time now; h_advance() moves it on.
 */
uint64_t h_boot_ns(void);
void h_advance(uint64_t ns);
/* The XG_KF_* the program was loaded with: the kernel's features, masked
 * by the environment variable XG_TEST_KFEAT (0: the pre-5.12 code).
 */
uint32_t h_kfeat(void);

/* Sums over CPUs. */
int h_read_stats(struct xg_counter out[XG_STATS_SLOTS]);
/* Zeroes every counter of every slot. */
int h_clear_stats(void);
/* Runs one frame of @len bytes; returns the XDP action or -1. */
int h_run(const struct frame *f, size_t len);
/* The same on copy @copy (0 = the first program), received on @ifindex
 * (0 = none).
 */
int h_run_on(int copy, const struct frame *f, size_t len, uint32_t ifindex);
/* Runs @f once; the frame as the program left it in @out. */
int h_run_out(const struct frame *f, struct frame *out);
/* Sets the SYN cookie mode (XG_SC_*) of @port in xg_scports; h_reset()
 * sets every port off and zeroes xg_scstats.
 */
int h_sc_port(uint32_t port, uint32_t mode);
/* xg_scstats summed over CPUs; last_sent_ns: the latest. */
int h_scstats(struct xg_scstats *sum);
/* Runs @f @repeat times in one call; returns the last XDP action or -1. */
int h_run_n(const struct frame *f, uint32_t repeat);
/* Runs @f @repeat times in the kernel; *@ns gets the mean run time.
 * Returns the last XDP action or -1.
 */
int h_bench(const struct frame *f, uint32_t repeat, uint32_t *ns);
/* Compiles and writes @spec[0..n) as the rules (xg_rules_compile), rule
 * i in slot i, into the bank not in force, with their buckets and hits
 * zeroed, then flips the settings in force to that bank and sets or
 * clears XG_L_RULES; 0, or an error and why in @err.
 */
struct xg_rule_src;
int h_rules(const struct xg_rule_src *spec, int n, char *err, size_t len);
/* Compiles @spec (slots as given) into bank @bank, nothing else. */
int h_rules_stage(const struct xg_rule_src *spec, int n, uint32_t bank);
/* The packets rule @idx matched, summed over the CPUs; -1 on error. */
int64_t h_rule_hits(uint32_t idx);
/* The same frame run on CPUs 0..@cpus-1 at once, one thread each, on the
 * same maps; *ns is the mean of the threads' ns per packet.
 */
int h_bench_cpus(const struct frame *f, uint32_t repeat, int cpus,
		 uint32_t *ns);
/* Size of the loaded program after the verifier's rewrites, and the
 * instructions the verifier walked to accept it.
 */
int h_prog_size(uint32_t *xlated_insns, uint32_t *jited_bytes,
		uint32_t *verified_insns);

#endif /* XG_TEST_HARNESS_H */
