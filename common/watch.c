// SPDX-License-Identifier: GPL-2.0
/* xg-stats --watch: samples the counters every interval until a count
 * or a signal, and prints the rates between two samples as a screen of
 * text or one NDJSON line.
 */
#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "xg.h"

static volatile sig_atomic_t stop_watch;

static void on_signal(int sig)
{
	(void)sig;
	stop_watch = 1;
}

struct sample {
	struct xg_stats stats;
	struct xg_admission admission[XG_LIM_SRC];
	struct xg_config config;
	__u64 mono_ns; /* when it was taken: CLOCK_MONOTONIC */
	__u64 real_ns; /* and CLOCK_REALTIME */
	struct xg_report_iface iface; /* with -i */
};

/* -i: the interface, looked up again (it may have been unloaded since
 * the last screen), and the counters of its slot.
 */
static int sample_iface(const char *dir, const struct xg_maps *m,
			const struct xg_report_opts *o, struct sample *s)
{
	struct xg_report_iface *v = NULL;
	struct xg_stats *per;
	size_t n;
	int err;

	err = xg_links_read(dir, m, &v, &n);
	if (!err)
		err = xg_links_select(v, &n, o);
	if (!err)
		s->iface = v[0];
	free(v);
	if (err)
		return err;
	per = calloc(XG_IF_SLOTS, sizeof(*per));
	if (!per)
		return xg_fail(-ENOMEM, "out of memory");
	err = xg_stats_read_all(m->stats, per, NULL);
	if (!err)
		s->stats = per[s->iface.slot];
	free(per);
	return err;
}

static int take_sample(const char *dir, const struct xg_maps *m,
		       const struct xg_report_opts *o, struct sample *s)
{
	int err = xg_config_read(m, &s->config);

	if (!err)
		err = xg_admission_read(m, s->admission);
	if (!err)
		err = o->ifname ? sample_iface(dir, m, o, s) :
				  xg_stats_read(m->stats, &s->stats);
	if (err)
		return err;
	s->mono_ns = xg_clock_ns(CLOCK_MONOTONIC);
	s->real_ns = xg_clock_ns(CLOCK_REALTIME);
	return 0;
}

/* Per class and reason: packets/s and bytes/s between two samples. */
struct rates {
	double pps[XG_C_MAX][XG_R_MAX], bps[XG_C_MAX][XG_R_MAX];
	double pps_total, bps_total, drops; /* drops: packets/s dropped */
	struct xg_counter total; /* cumulative */
	__u64 dropped; /* cumulative */
	double admitted[XG_LIM_SRC], refused[XG_LIM_SRC]; /* new sources/s */
	double elapsed;
};

static double rate_of(__u64 a, __u64 b, double dt)
{
	return b >= a ? (b - a) / dt : 0;
}

static void compute_rates(const struct sample *a, const struct sample *b,
			  struct rates *rt)
{
	double dt = (double)(__s64)(b->mono_ns - a->mono_ns) / XG_NSEC_PER_SEC;
	int c, re;

	memset(rt, 0, sizeof(*rt));
	if (dt <= 0)
		dt = 1e-9;
	rt->elapsed = dt;
	for (c = 0; c < XG_LIM_SRC; c++) {
		rt->admitted[c] = rate_of(a->admission[c].admitted,
					  b->admission[c].admitted, dt);
		rt->refused[c] = rate_of(a->admission[c].refused,
					 b->admission[c].refused, dt);
	}
	for (c = 0; c < XG_C_MAX; c++) {
		for (re = 0; re < XG_R_MAX; re++) {
			const struct xg_counter *x = &a->stats.c[c][re];
			const struct xg_counter *y = &b->stats.c[c][re];
			/* counters only grow; a reset (xg-unload --all and
			 * a new load, or a slot given to a new interface)
			 * shows as zero, never negative
			 */
			__u64 dp = y->packets >= x->packets ?
					   y->packets - x->packets :
					   0;
			__u64 db = y->bytes >= x->bytes ? y->bytes - x->bytes :
							  0;
			bool drop = xg_reason_drops(re, &b->config);

			rt->pps[c][re] = dp / dt;
			rt->bps[c][re] = db / dt;
			rt->pps_total += rt->pps[c][re];
			rt->bps_total += rt->bps[c][re];
			rt->total.packets += y->packets;
			rt->total.bytes += y->bytes;
			if (drop) {
				rt->drops += rt->pps[c][re];
				rt->dropped += y->packets;
			}
		}
	}
}

/* "attack: none", or each class under attack with its new sources. */
static void watch_attack_text(const struct sample *b, const struct rates *rt)
{
	const char *sep = "";
	int k;

	printf("attack:");
	for (k = 0; k < XG_LIM_SRC; k++) {
		const struct xg_admission *a = &b->admission[k];

		if (!a->engaged)
			continue;
		printf("%s %s for %llu s (new sources %.1f/s admitted, %.1f/s "
		       "refused)",
		       sep, xg_limit_name(k),
		       (unsigned long long)(a->for_ns / XG_NSEC_PER_SEC),
		       rt->admitted[k], rt->refused[k]);
		sep = ";";
	}
	printf("%s\n", *sep ? "" : " none");
}

static void watch_text(const char *dir, double interval, const struct sample *b,
		       const struct rates *rt, bool tty, bool first, bool one)
{
	char cls[16], rsn[16], tbuf[32];
	char label[XG_IFNAMSIZ + XG_NETNSSIZ + 1];
	time_t now = b->real_ns / XG_NSEC_PER_SEC;
	struct tm tm;
	int c, re;

	if (tty)
		fputs("\033[H\033[2J", stdout);
	else if (!first)
		putchar('\n');
	localtime_r(&now, &tm);
	strftime(tbuf, sizeof(tbuf), "%Y-%m-%d %H:%M:%S", &tm);
	printf("xdpguard %s, pins in %s, ", XG_VERSION, dir);
	if (one) {
		xg_iface_label(b->iface.ifname, b->iface.netns, label,
			       sizeof(label));
		printf("interface %s, ", label);
	}
	printf("every %gs, %s\n", interval, tbuf);
	printf("%-9s %-11s %14s %14s %15s\n", "CLASS", "REASON", "PACKETS/S",
	       "DROPS/S", "BYTES/S");
	for (c = 0; c < XG_C_MAX; c++) {
		for (re = 0; re < XG_R_MAX; re++) {
			double p = rt->pps[c][re];

			if (p == 0 && rt->bps[c][re] == 0)
				continue;
			xg_text_name(xg_class_name(c), cls, sizeof(cls));
			xg_text_name(xg_reason_name(re), rsn, sizeof(rsn));
			printf("%-9s %-11s %14.1f %14.1f %15.1f\n", cls, rsn, p,
			       xg_reason_drops(re, &b->config) ? p : 0.0,
			       rt->bps[c][re]);
		}
	}
	printf("%-9s %-11s %14.1f %14.1f %15.1f\n", "total", "", rt->pps_total,
	       rt->drops, rt->bps_total);
	printf("since load: %llu packets, %llu dropped, %llu bytes\n",
	       (unsigned long long)rt->total.packets,
	       (unsigned long long)rt->dropped,
	       (unsigned long long)rt->total.bytes);
	watch_attack_text(b, rt);
}

/* {"packets": P, "bytes": B} of one rate (3 decimals) */
static void json_rate(struct xg_json *j, const char *name, double pps,
		      double bps)
{
	xg_json_key(j, name);
	xg_json_obj_open(j);
	xg_json_kv_f64(j, "packets", pps, 3);
	xg_json_kv_f64(j, "bytes", bps, 3);
	xg_json_obj_close(j);
}

/* "rates" and "counters": {class: {reason: {packets, bytes}}}. */
static void json_classes(struct xg_json *j, const struct sample *b,
			 const struct rates *rt)
{
	int c, re;

	xg_json_key(j, "rates");
	xg_json_obj_open(j);
	for (c = 0; c < XG_C_MAX; c++) {
		xg_json_key(j, xg_class_name(c));
		xg_json_obj_open(j);
		for (re = 0; re < XG_R_MAX; re++)
			json_rate(j, xg_reason_name(re), rt->pps[c][re],
				  rt->bps[c][re]);
		xg_json_obj_close(j);
	}
	xg_json_obj_close(j);
	xg_json_key(j, "rate_total");
	xg_json_obj_open(j);
	xg_json_kv_f64(j, "packets", rt->pps_total, 3);
	xg_json_kv_f64(j, "bytes", rt->bps_total, 3);
	xg_json_kv_f64(j, "drops", rt->drops, 3);
	xg_json_obj_close(j);
	xg_json_key(j, "counters");
	xg_json_obj_open(j);
	for (c = 0; c < XG_C_MAX; c++) {
		xg_json_key(j, xg_class_name(c));
		xg_json_obj_open(j);
		for (re = 0; re < XG_R_MAX; re++) {
			xg_json_key(j, xg_reason_name(re));
			xg_json_obj_open(j);
			xg_json_kv_u64(j, "packets", b->stats.c[c][re].packets);
			xg_json_kv_u64(j, "bytes", b->stats.c[c][re].bytes);
			xg_json_obj_close(j);
		}
		xg_json_obj_close(j);
	}
	xg_json_obj_close(j);
}

static void json_admission(struct xg_json *j, const struct sample *b,
			   const struct rates *rt)
{
	int k;

	xg_json_key(j, "admission");
	xg_json_obj_open(j);
	for (k = 0; k < XG_LIM_SRC; k++) {
		const struct xg_admission *a = &b->admission[k];

		xg_json_key(j, xg_limit_name(k));
		xg_json_obj_open(j);
		xg_json_kv_bool(j, "attack", a->engaged);
		xg_json_kv_u64(j, "seconds", a->for_ns / XG_NSEC_PER_SEC);
		xg_json_kv_f64(j, "admitted_per_s", rt->admitted[k], 3);
		xg_json_kv_f64(j, "refused_per_s", rt->refused[k], 3);
		xg_json_obj_close(j);
	}
	xg_json_obj_close(j);
}

/* One NDJSON line. */
static int watch_json(const struct sample *b, const struct rates *rt, bool one)
{
	struct xg_json *j = xg_json_new(stdout);
	char tbuf[64];

	if (!j)
		return xg_fail(-ENOMEM, "out of memory");
	xg_format_time(b->real_ns, tbuf, sizeof(tbuf));
	xg_json_obj_open(j);
	xg_json_kv_str(j, "time", tbuf);
	xg_json_kv_u64(j, "time_ns", b->real_ns);
	xg_json_kv_f64(j, "elapsed", rt->elapsed, 6);
	xg_json_kv_str(j, "interface", one ? b->iface.ifname : NULL);
	xg_json_kv_str(j, "netns",
		       one && b->iface.netns[0] ? b->iface.netns : NULL);
	json_classes(j, b, rt);
	xg_json_key(j, "total");
	xg_json_obj_open(j);
	xg_json_kv_u64(j, "packets", rt->total.packets);
	xg_json_kv_u64(j, "bytes", rt->total.bytes);
	xg_json_kv_u64(j, "dropped", rt->dropped);
	xg_json_obj_close(j);
	json_admission(j, b, rt);
	xg_json_obj_close(j);
	xg_json_free(j);
	return 0;
}

/* Screens until COUNT or SIGINT/SIGTERM; the first after one interval.
 * Deadlines are absolute, so the screens do not drift.
 */
int xg_report_watch(const char *dir, const struct xg_maps *m,
		    const struct xg_report_opts *o, double interval,
		    __u64 count)
{
	struct sigaction sa = { .sa_handler = on_signal };
	bool tty = isatty(STDOUT_FILENO), one = o->ifname != NULL;
	struct sample prev = {}, cur = {};
	__u64 next, n = 0;
	struct rates rt;
	int err;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	err = take_sample(dir, m, o, &prev);
	if (err)
		return err;
	next = prev.mono_ns;
	while (!stop_watch) {
		next += (__u64)(interval * XG_NSEC_PER_SEC + 0.5);
		while (!stop_watch &&
		       xg_sleep_until(CLOCK_MONOTONIC, next) == EINTR)
			;
		if (stop_watch)
			break;
		err = take_sample(dir, m, o, &cur);
		if (err)
			return err;
		/* unloaded and loaded again: its slot started from zero */
		if (one && cur.iface.link_id != prev.iface.link_id)
			memset(&prev.stats, 0, sizeof(prev.stats));
		compute_rates(&prev, &cur, &rt);
		if (xg_json)
			err = watch_json(&cur, &rt, one);
		else
			watch_text(dir, interval, &cur, &rt, tty, n == 0, one);
		if (err)
			return err;
		fflush(stdout);
		prev = cur;
		if (count && ++n >= count)
			break;
		if (!count)
			n = 1;
	}
	return 0;
}
