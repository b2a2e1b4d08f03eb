/* SPDX-License-Identifier: GPL-2.0 */
/* Included by the packet tests (test_xdp.c and one file per subject): the
 * tallies, running a frame with its counters checked, the case table's
 * row, and the subjects main() runs.
 */
#ifndef XG_TEST_CHECK_H
#define XG_TEST_CHECK_H

#include <stddef.h>
#include <stdint.h>

#include <linux/bpf.h>

#include "frames.h"
#include "harness.h"
#include "xg_abi.h"

#define DROP_MAL XG_CFG_DROP_MALFORMED
#define LO_IFINDEX 1 /* the loopback device: a test run may claim it */
#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* ---- tallies ------------------------------------------------------------- */

extern int passed, failed;
/* Set while the tables and the cuts run again with drop events on. */
extern int events_mode;

/* "FAIL name: ..." on stdout. */
void fail(const char *name, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* Counts a test; returns -1 for a failure, so a caller can record and
 * leave at once.
 */
int record(int ok);

/* ---- running frames ------------------------------------------------------ */

/* The verdict @reason gets under xg_config.flags @flags. */
int expected_verdict(int reason, uint32_t flags);
/* Turns events on in both config slots, if events_mode is on, with a
 * budget no case exhausts; after a case's own setup.
 */
int events_mode_apply(void);
/* Runs @len bytes of @f on program copy @copy; returns the one counter
 * (XG_STATS_KEY) that moved by one packet of @len bytes, or -1 (after
 * saying why) if the counters moved any other way. *@verdict gets the
 * XDP action. With events_mode on, checks the drop event too.
 */
int run_counted_on(const char *name, int copy, const struct frame *f,
		   size_t len, int *verdict);
/* The same on the first program (xg_ifslot 0): the key is class *
 * XG_R_SLOTS + reason.
 */
int run_counted(const char *name, const struct frame *f, size_t len,
		int *verdict);
/* @n frames, each counted once under @class/@reason with
 * @want_verdict. Returns 0, or -1 after saying which frame went wrong.
 */
int send_verdict(const char *name, const struct frame *f, int n, int class,
		 int reason, int want_verdict);
/* The same with the verdict @reason implies. */
int send_expect(const char *name, const struct frame *f, int n, int class,
		int reason);
/* Sends @n UDP frames from @src (IPv4 or IPv6); 0 if each got @reason. */
int udp_from(const char *name, const char *src, int n, int reason);

/* ---- map state ----------------------------------------------------------- */

/* Resets the maps and writes @cfg to slot 0. */
int setup_limits(const char *name, const struct xg_config *cfg);
/* Every limit off but @k. */
struct xg_config one_limit(int k, uint32_t rate, uint32_t burst);
/* 0 if xg_track holds @want sources. */
int track_is(const char *name, int want);
/* 0 if the entry for @cidr has @want hits (-1: there is none). */
int hits_is(const char *name, int block, const char *cidr, int64_t want);

/* ---- the case table ------------------------------------------------------ */

/* One frame, run once after @setup on maps reset with @flags: the verdict,
 * and the one counter that moved, of @class and @reason.
 */
struct tcase {
	const char *name;
	struct frame_spec frame;
	int (*setup)(void);
	uint32_t flags; /* xg_config.flags */
	int verdict;
	int class;
	int reason;
	int (*post)(const char *name); /* more checks after the run */
};

#define P(class) XDP_PASS, XG_C_##class
#define D(class) XDP_DROP, XG_C_##class

void run_cases(const struct tcase *cases, size_t n);

/* ---- the subjects, one file each ----------------------------------------- */

/* parse.c: L2, IPv4 and IPv6 headers, well formed and malformed. */
void run_parse_cases(void);
/* parse.c: every truncation of a few frames. */
void run_truncations(void);
/* lists.c: allow- and blocklists, expiry, the list bits. */
void run_list_cases(void);
/* lists.c: list hits per CPU, xg_pfx. */
void run_lists(void);
/* lists.c: setups other subjects use too. */
int s_block4(void);
int s_block4_prefix(void);
int s_block6(void);
int s_block6_prefix(void);
int s_allow_and_block4(void);
int s_block4_auto(void);
int s_block6_prefix_auto(void);
/* limits.c: xg-load's defaults on single packets. */
void run_limit_cases(void);
/* limits.c: per-source rate limits, automatic bans, config slots. */
void run_limits(void);
/* admission.c: the budget of new sources, the ceilings, a flood of a
 * million spoofed sources.
 */
void run_admission(void);
/* observability.c: counter slots per interface, drop events, the
 * per-source windows of xg-stats --top.
 */
void run_observability(void);

/* rules.c: the rules of xg-rule. */
void run_rules(void);
/* portscan.c: the port-scan detector. */
void run_portscan(void);
/* syncookie.c: SYN cookies, in a network namespace of a child's own. */
void run_syncookies(void);
/* features.c: the features of passing packets. */
void run_features(void);

#endif /* XG_TEST_CHECK_H */
