// SPDX-License-Identifier: GPL-2.0
/* What every subject of the packet tests uses: the tallies, a frame run
 * with its counters (and, in events mode, its event) checked, the case
 * table's runner, the limits set up and the tracker and lists read.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "check.h"

int passed, failed;
int events_mode;

void fail(const char *name, const char *fmt, ...)
{
	va_list ap;

	printf("FAIL %s%s: ", name,
	       events_mode ? " (events and features on)" : "");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

int record(int ok)
{
	if (ok)
		passed++;
	else
		failed++;
	return ok ? 0 : -1;
}

int expected_verdict(int reason, uint32_t flags)
{
	if (reason == XG_R_PASS || reason == XG_R_ALLOWLISTED)
		return XDP_PASS;
	if (reason == XG_R_MALFORMED && !(flags & XG_CFG_DROP_MALFORMED))
		return XDP_PASS;
	if (reason == XG_R_COOKIE_SENT)
		return XDP_TX;
	return XDP_DROP;
}

/* With events and features on (the second pass over the table and the
 * cuts), every drop must make exactly one event and no feature, and every
 * pass no event and one feature if its IP header parsed: always for a
 * pass, and an allowlisted one of TCP, UDP or ICMP; at most one for the
 * others.
 */
static uint64_t mode_drops, mode_feats;

int events_mode_apply(void)
{
	struct xg_config cfg;
	uint32_t i;

	mode_drops = 0;
	mode_feats = 0;
	if (!events_mode)
		return 0;
	for (i = 0; i < 2; i++) {
		if (h_read_config(i, &cfg))
			return -1;
		cfg.limit[XG_LIM_EVENTS] =
			(struct xg_limit){ .rate = 1000000, .burst = 1000000 };
		cfg.limit[XG_LIM_FEATURES] = cfg.limit[XG_LIM_EVENTS];
		cfg.feat_n = 1;
		cfg.feat_mul = xg_feat_mul(1);
		if (h_write_config(i, &cfg))
			return -1;
	}
	return 0;
}

/* The feature of the frame just run; @es: xg_evstats after it. */
static int check_mode_feature(const char *name, size_t len, int verdict,
			      int key, const struct xg_evstats *es)
{
	int reason = key % XG_R_SLOTS, class = (key / XG_R_SLOTS) % XG_C_MAX;
	/* an allowlisted source's header may be one too bad to parse */
	int must = verdict == XDP_PASS && class != XG_C_NON_IP &&
		   (reason == XG_R_PASS ||
		    (reason == XG_R_ALLOWLISTED && class != XG_C_OTHER_IP));
	int may = verdict == XDP_PASS && class != XG_C_NON_IP;
	struct xg_feature ft;
	int n = h_features(&ft, 1);

	if (n < 0 || n > may || n < must) {
		fail(name,
		     "%zu bytes: verdict %d reason %d class %d made %d "
		     "features",
		     len, verdict, reason, class, n);
		return -1;
	}
	mode_feats += n;
	if (es->feat_sent != mode_feats || es->feat_sampled || es->feat_lost) {
		fail(name,
		     "%zu bytes: feature counts sent %llu sampled %llu lost "
		     "%llu, %llu features",
		     len, (unsigned long long)es->feat_sent,
		     (unsigned long long)es->feat_sampled,
		     (unsigned long long)es->feat_lost,
		     (unsigned long long)mode_feats);
		return -1;
	}
	if (n && (ft.reason != reason || ft.len != len ||
		  ft.ifslot != key / XG_SLOT_COUNTERS ||
		  !(ft.flags & XG_EV_L3) || (ft.ipver != 4 && ft.ipver != 6))) {
		fail(name,
		     "%zu bytes: feature reason %u len %u slot %u flags %#x "
		     "ip %u",
		     len, ft.reason, ft.len, ft.ifslot, ft.flags, ft.ipver);
		return -1;
	}
	return 0;
}

/* The event of the frame just run, if events_mode is on. @key is the
 * counter it moved.
 */
static int check_mode_event(const char *name, size_t len, int verdict, int key)
{
	struct xg_event ev;
	struct xg_evstats es;
	int n, drop = verdict == XDP_DROP;

	if (!events_mode)
		return 0;
	mode_drops += drop;
	n = h_events(&ev, 1);
	if (n != drop || h_evstats(&es)) {
		fail(name, "%zu bytes: verdict %d made %d events", len, verdict,
		     n);
		return -1;
	}
	if (es.sent != mode_drops || es.sampled || es.lost) {
		fail(name,
		     "%zu bytes: evstats sent %llu sampled %llu lost %llu, "
		     "%llu drops",
		     len, (unsigned long long)es.sent,
		     (unsigned long long)es.sampled,
		     (unsigned long long)es.lost,
		     (unsigned long long)mode_drops);
		return -1;
	}
	if (n && (ev.reason != key % XG_R_SLOTS ||
		  ev.class != (key / XG_R_SLOTS) % XG_C_MAX || ev.len != len ||
		  ev.ifslot != key / XG_SLOT_COUNTERS)) {
		fail(name, "%zu bytes: event reason %u class %u len %u slot %u",
		     len, ev.reason, ev.class, ev.len, ev.ifslot);
		return -1;
	}
	return check_mode_feature(name, len, verdict, key, &es);
}

int run_counted_on(const char *name, int copy, const struct frame *f,
		   size_t len, int *verdict)
{
	static struct xg_counter before[XG_STATS_SLOTS], after[XG_STATS_SLOTS];
	int key = -1, i;

	if (h_read_stats(before)) {
		fail(name, "cannot read xg_stats");
		return -1;
	}
	*verdict = h_run_on(copy, f, len, 0);
	if (*verdict < 0) {
		fail(name, "test run failed at %zu bytes", len);
		return -1;
	}
	if (h_read_stats(after)) {
		fail(name, "cannot read xg_stats");
		return -1;
	}

	for (i = 0; i < XG_STATS_SLOTS; i++) {
		uint64_t dp = after[i].packets - before[i].packets;
		uint64_t db = after[i].bytes - before[i].bytes;

		if (!dp && !db)
			continue;
		if (dp != 1 || db != len || key >= 0) {
			fail(name,
			     "%zu bytes: counter %d (slot %d class %d reason "
			     "%d) moved +%llu packets +%llu bytes",
			     len, i, i / XG_SLOT_COUNTERS,
			     (i / XG_R_SLOTS) % XG_C_MAX, i % XG_R_SLOTS,
			     (unsigned long long)dp, (unsigned long long)db);
			return -1;
		}
		key = i;
	}
	if (key < 0) {
		fail(name, "%zu bytes: no counter moved", len);
		return -1;
	}
	if (*verdict == XDP_ABORTED) {
		fail(name, "%zu bytes: XDP_ABORTED", len);
		return -1;
	}
	return check_mode_event(name, len, *verdict, key) ? -1 : key;
}

int run_counted(const char *name, const struct frame *f, size_t len,
		int *verdict)
{
	return run_counted_on(name, 0, f, len, verdict);
}

static int run_case(const struct tcase *c)
{
	struct frame f = { 0 };
	int verdict, slot, want = c->class * XG_R_SLOTS + c->reason;

	build_frame(&f, &c->frame);
	if (h_reset(c->flags) || (c->setup && c->setup()) ||
	    events_mode_apply()) {
		fail(c->name, "cannot set up the maps");
		return record(0);
	}
	slot = run_counted(c->name, &f, f.len, &verdict);
	if (slot < 0)
		return record(0);
	if (verdict != c->verdict || slot != want) {
		fail(c->name,
		     "got verdict %d class %d reason %d, want %d %d %d",
		     verdict, slot / XG_R_SLOTS, slot % XG_R_SLOTS, c->verdict,
		     c->class, c->reason);
		return record(0);
	}
	return record(!c->post || c->post(c->name) == 0);
}

void run_cases(const struct tcase *cases, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		run_case(&cases[i]);
}

int send_verdict(const char *name, const struct frame *f, int n, int class,
		 int reason, int want_verdict)
{
	int want = class * XG_R_SLOTS + reason, verdict, slot, i;

	for (i = 0; i < n; i++) {
		slot = run_counted(name, f, f->len, &verdict);
		if (slot < 0)
			return -1;
		if (slot != want || verdict != want_verdict) {
			fail(name,
			     "frame %d: verdict %d class %d reason %d, want "
			     "%d %d %d",
			     i + 1, verdict, slot / XG_R_SLOTS,
			     slot % XG_R_SLOTS, want_verdict, class, reason);
			return -1;
		}
	}
	return 0;
}

int send_expect(const char *name, const struct frame *f, int n, int class,
		int reason)
{
	return send_verdict(name, f, n, class, reason,
			    expected_verdict(reason, 0));
}

int udp_from(const char *name, const char *src, int n, int reason)
{
	struct frame f;

	BUILD(&f, FRAME(.ip = strchr(src, ':') ? 6 : 4, .proto = IPPROTO_UDP,
			.src = src));
	return send_expect(name, &f, n, XG_C_UDP, reason);
}

int setup_limits(const char *name, const struct xg_config *cfg)
{
	if (h_reset(0) || h_write_config(0, cfg)) {
		fail(name, "cannot set up the maps");
		return -1;
	}
	return 0;
}

struct xg_config one_limit(int k, uint32_t rate, uint32_t burst)
{
	struct xg_config cfg;

	h_config_off(&cfg);
	cfg.limit[k].rate = rate;
	cfg.limit[k].burst = burst;
	return cfg;
}

int track_is(const char *name, int want)
{
	int got = h_track_count();

	if (got == want)
		return 0;
	fail(name, "xg_track holds %d sources, want %d", got, want);
	return -1;
}

int hits_is(const char *name, int block, const char *cidr, int64_t want)
{
	int64_t got = h_hits(block, cidr);

	if (got == want)
		return 0;
	fail(name, "%s list entry %s has %lld hits, want %lld",
	     block ? "block" : "allow", cidr, (long long)got, (long long)want);
	return -1;
}
