// SPDX-License-Identifier: GPL-2.0
/* xg-events: print the drop events of the xg_events ring buffer, one line
 * (or one NDJSON object) per dropped packet, until a signal or COUNT.
 * The events the budget left out (sampled) and those the full ring buffer
 * lost are counted by the program in xg_evstats; this tool reports how
 * they moved since it started, every second they moved and at the end.
 * One reader at a time: a ring buffer has one consumer position.
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xg.h"

#define COUNT_MAX 1000000000ULL
#define STATUS_MS 1000 /* the status line: at most once a second */
/* Returned by the ring buffer callback to stop at COUNT; libbpf passes
 * a negative return on, and the records after it stay in the buffer.
 */
#define STOP_COUNT (-ECANCELED)

enum {
	OPT_REASON = XG_OPT_TOOL,
	OPT_NETNS,
};

static const struct option long_opts[] = {
	{ "count", required_argument, NULL, 'c' },
	{ "interface", required_argument, NULL, 'i' },
	{ "netns", required_argument, NULL, OPT_NETNS },
	{ "reason", required_argument, NULL, OPT_REASON },
	XG_COMMON_LONG_OPTS,
};

static void usage(void)
{
	printf("Usage: xg-events [-j] [-c COUNT] [-i IFACE[@NETNS]]... "
	       "[-n NETNS]\n"
	       "                 [--reason REASON[,REASON...]] "
	       "[--pin-dir DIR]\n"
	       "\n"
	       "Print one line per packet xdpguard drops, as the program "
	       "reports them, until\n"
	       "Ctrl-C or COUNT events. The program reports at most the "
	       "budget set with\n"
	       "`xg-threshold events` (default %u/s); drops it left out "
	       "or lost are counted\n"
	       "on lines that start with '#'.\n"
	       "\n"
	       "Options:\n"
	       "  -c, --count COUNT   stop after COUNT events (1-%llu)\n"
	       "  -i, --interface IFACE[@NETNS]\n"
	       "                      only events of this guarded interface "
	       "(repeatable)\n"
	       "  -n, --netns NETNS   the network namespace of the -i "
	       "interfaces\n"
	       "      --reason REASON[,REASON...]\n"
	       "                      only these reasons (repeatable): "
	       "blocklisted, autoban,\n"
	       "                      malformed, rate_syn, rate_udp, "
	       "rate_icmp, rate_frag,\n"
	       "                      syn_global, udp_global, icmp_global, "
	       "frag_global,\n"
	       "                      rule_drop, rule_rate, cookie_bad\n"
	       "      --pin-dir DIR   pin directory (default $%s, else\n"
	       "                      %s)\n"
	       "  -j, --json          NDJSON output: one object per line\n"
	       "  -v, --verbose       show libbpf messages\n"
	       "  -V, --version       print the version and exit\n"
	       "  -h, --help          print this help and exit\n",
	       XG_DEF_EVENTS_RATE, COUNT_MAX, XG_PIN_ENV, XG_DEFAULT_PIN_DIR);
}

struct ev_opts {
	struct xg_common_opts co;
	__u64 count; /* 0: until a signal */
	struct xg_ring_ifaces ifaces; /* -i, --netns */
	__u32 reasons; /* bit per enum xg_reason; 0: all */
};

/* ---- command line -------------------------------------------------------- */

/* R[,R...] into the bit set; the first bad word goes into msg. */
static int parse_reasons(const char *arg, __u32 *set, char *msg, size_t len)
{
	char buf[256], *word, *save = NULL;
	int r;

	/* strtok_r would skip an empty word silently */
	if (!*arg || arg[0] == ',' || arg[strlen(arg) - 1] == ',' ||
	    strstr(arg, ",,") || strlen(arg) >= sizeof(buf))
		goto bad;
	snprintf(buf, sizeof(buf), "%s", arg);
	for (word = strtok_r(buf, ",", &save); word;
	     word = strtok_r(NULL, ",", &save)) {
		r = xg_event_reason(word);
		if (r < 0) {
			arg = word;
			goto bad;
		}
		*set |= 1U << r;
	}
	return 0;
bad:
	snprintf(msg, len,
		 "invalid reason '%s' (blocklisted, autoban, malformed, "
		 "rate_syn, rate_udp, rate_icmp, rate_frag, syn_global, "
		 "udp_global, icmp_global, frag_global, rule_drop, "
		 "rule_rate or cookie_bad)",
		 arg);
	return -EINVAL;
}

static void tool_opt(int c, struct ev_opts *o)
{
	char msg[sizeof(o->co.err)]; /* as long as the error it becomes */

	switch (c) {
	case 'c':
		if (xg_parse_u64(optarg, 1, COUNT_MAX, &o->count))
			xg_opt_bad(&o->co, "invalid count '%s' (1-%llu)",
				   optarg, COUNT_MAX);
		break;
	case 'i':
		xg_ring_opt_iface(&o->co, &o->ifaces, optarg);
		break;
	case 'n':
		xg_opt_old_count(&o->co, optarg);
		/* fall through */
	case OPT_NETNS:
		xg_opt_netns(&o->co, optarg, &o->ifaces.netns);
		break;
	case OPT_REASON:
		if (parse_reasons(optarg, &o->reasons, msg, sizeof(msg)))
			xg_opt_bad(&o->co, "%s", msg);
		break;
	}
}

/* No operands; --netns goes to the -i that do not name a namespace. */
static int check_args(struct ev_opts *o, int argc, char **argv)
{
	if (optind < argc)
		return xg_opt_bad(&o->co,
				  "unexpected argument '%s'; see --help",
				  argv[optind]);
	return xg_ring_ifaces_resolve(&o->co, &o->ifaces);
}

static int parse_args(int argc, char **argv, struct ev_opts *o)
{
	int c;

	while ((c = xg_getopt(argc, argv, "c:i:n:", long_opts, &o->co)) != -1)
		tool_opt(c, o);
	if (!xg_opts_stop(&o->co))
		check_args(o, argc, argv);
	return xg_opts_end(&o->co);
}

/* ---- reading ------------------------------------------------------------- */

struct reader {
	const struct ev_opts *o;
	const char *dir;
	__u32 ring_id; /* of the ring buffer read: gone once unpinned */
	int evstats_fd;
	__u64 start_ns; /* boot clock: older records are a stale backlog */
	__s64 real_off; /* boot clock -> wall clock */
	struct xg_ring_names rn; /* interfaces and rules by slot */
	struct xg_evstats base; /* at start */
	struct xg_evstats last; /* at the last tick */
	__u64 printed;
	__u64 filtered; /* read, but not of the asked interfaces or reasons */
};

static __u32 rule_of(struct reader *r, const struct xg_event *ev)
{
	return ev->type == XG_EVT_MONITOR ? xg_ring_rule(&r->rn, ev->rule) : 0;
}

static int on_event(void *ctx, void *data, size_t size)
{
	const struct xg_event *ev = data;
	struct reader *r = ctx;
	const struct xg_ifname *n;

	if (size < sizeof(*ev) || ev->ts_ns < r->start_ns)
		return 0;
	n = xg_ring_iface(&r->rn, ev->ifslot);
	if ((r->o->reasons &&
	     (ev->reason >= 32 || !(r->o->reasons & (1U << ev->reason)))) ||
	    !xg_ring_iface_wanted(&r->o->ifaces, n)) {
		r->filtered++;
		return 0;
	}
	if (xg_json)
		xg_event_print_json(stdout, ev, ev->ts_ns + r->real_off, n,
				    rule_of(r, ev));
	else
		xg_event_print_text(stdout, ev, ev->ts_ns + r->real_off, n,
				    rule_of(r, ev));
	r->printed++;
	return r->o->count && r->printed >= r->o->count ? STOP_COUNT : 0;
}

static __u64 since(__u64 now, __u64 base)
{
	return now >= base ? now - base : 0;
}

/* The '#' line or the summary object: the counters since the start. */
static void print_status(const struct reader *r, const struct xg_evstats *now,
			 const struct xg_limit *budget, bool final)
{
	__u64 sent = since(now->sent, r->base.sent);
	__u64 sampled = since(now->sampled, r->base.sampled);
	__u64 lost = since(now->lost, r->base.lost);
	char when[40], why[48];
	struct xg_json *j;

	if (!xg_json) {
		if (budget->rate)
			snprintf(why, sizeof(why), "over %u events/s",
				 budget->rate);
		else
			snprintf(why, sizeof(why), "events off");
		printf("# %s%llu drops reported, %llu not reported (%s), %llu "
		       "lost since start",
		       final ? "end: " : "", (unsigned long long)sent,
		       (unsigned long long)sampled, why,
		       (unsigned long long)lost);
		if (final)
			printf("; %llu printed",
			       (unsigned long long)r->printed);
		putchar('\n');
		return;
	}
	j = xg_json_new(stdout);
	if (!j)
		return;
	xg_format_time(xg_clock_ns(CLOCK_REALTIME), when, sizeof(when));
	xg_json_obj_open(j);
	xg_json_kv_str(j, "type", "summary");
	xg_json_kv_str(j, "time", when);
	xg_json_kv_bool(j, "final", final);
	xg_json_kv_u64(j, "rate", budget->rate);
	xg_json_kv_u64(j, "burst", budget->rate ? budget->burst : 0);
	xg_json_kv_u64(j, "sent", sent);
	xg_json_kv_u64(j, "sampled", sampled);
	xg_json_kv_u64(j, "lost", lost);
	xg_json_kv_u64(j, "printed", r->printed);
	xg_json_kv_u64(j, "filtered", r->filtered);
	xg_json_obj_close(j);
	xg_json_free(j);
}

/* Once a second: a status record if drops went unreported since the last
 * one; fresh names and clock offset for the next second.
 */
static int tick(struct reader *r, const struct xg_maps *m, bool final)
{
	struct xg_evstats now;
	struct xg_config cfg;
	int err;

	err = xg_evstats_read(r->evstats_fd, &now);
	if (!err)
		err = xg_config_read(m, &cfg);
	if (err)
		return err;
	if (final || now.sampled != r->last.sampled || now.lost != r->last.lost)
		print_status(r, &now, &cfg.limit[XG_LIM_EVENTS], final);
	r->last = now;
	r->real_off = xg_boot_to_real_ns();
	xg_ring_names_tick(&r->rn);
	return 0;
}

/* ---- setup --------------------------------------------------------------- */

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

/* Poll until a signal or COUNT; a status tick every second. */
static int loop(struct reader *r, const struct xg_maps *m,
		struct ring_buffer *rb)
{
	__u64 next = xg_mono_ms() + STATUS_MS, now;
	int n;

	while (!stop) {
		now = xg_mono_ms();
		n = ring_buffer__poll(rb, next > now ? (int)(next - now) : 0);
		fflush(stdout);
		if (n == STOP_COUNT)
			return 0;
		if (n < 0 && n != -EINTR)
			return xg_fail(n, "cannot read the events: %s",
				       strerror(-n));
		if (xg_mono_ms() >= next) {
			n = tick(r, m, false);
			if (n)
				return n;
			if (!xg_ring_still_pinned(r->dir, XG_STR(XG_MAP_EVENTS),
						  r->ring_id)) {
				ring_buffer__consume(rb);
				tick(r, m, true);
				return xg_fail(-ENOENT,
					       "xdpguard was unloaded; "
					       "no more events");
			}
			fflush(stdout);
			next += STATUS_MS;
		}
	}
	/* what the program sent before the signal is still printed */
	n = ring_buffer__consume(rb);
	if (n < 0 && n != STOP_COUNT)
		return xg_fail(n, "cannot read the events: %s", strerror(-n));
	return 0;
}

static int start(struct reader *r, const struct xg_maps *m)
{
	struct xg_config cfg;
	int err;

	err = xg_ring_names_init(&r->rn, m);
	if (!err)
		err = xg_ring_ifaces_check(&r->o->ifaces, r->rn.names);
	if (!err)
		err = xg_config_read(m, &cfg);
	if (err)
		return err;
	if (!cfg.limit[XG_LIM_EVENTS].rate)
		xg_warn("drop events are off; turn them on with xg-threshold "
			"events RATE");
	/* the clock first: a record stamped before it is a stale one */
	r->start_ns = xg_now_ns();
	r->real_off = xg_boot_to_real_ns();
	err = xg_evstats_read(r->evstats_fd, &r->base);
	r->last = r->base;
	return err;
}

static int read_events(const char *dir, const struct ev_opts *o)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct reader r = { .o = o, .dir = dir };
	struct ring_buffer *rb = NULL;
	int lock = -1, ring = -1, err;
	struct xg_maps m;

	err = xg_maps_open(dir, true, &m);
	if (err)
		return err;
	lock = xg_ring_lock(dir, XG_LINKS_SUBDIR, false,
			    "another xg-events is reading the events");
	if (lock < 0) {
		err = lock;
		goto out;
	}
	r.evstats_fd = m.evstats;
	err = xg_ring_open(dir, XG_STR(XG_MAP_EVENTS), &ring, &r.ring_id);
	if (!err)
		err = start(&r, &m);
	if (err)
		goto out;
	rb = ring_buffer__new(ring, on_event, &r, NULL);
	if (!rb) {
		err = xg_fail(-errno, "cannot read the events: %s",
			      strerror(errno));
		goto out;
	}
	/* no SA_RESTART: the signal ends the wait in ring_buffer__poll */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	err = loop(&r, &m, rb);
	if (!err)
		err = tick(&r, &m, true);
out:
	fflush(stdout);
	ring_buffer__free(rb);
	if (ring >= 0)
		close(ring);
	xg_unlock(lock);
	xg_maps_close(&m);
	return err;
}

/* ---- main ---------------------------------------------------------------- */

static int run(const struct ev_opts *o)
{
	int err;

	err = xg_check_privileges();
	if (!err)
		err = read_events(xg_pin_dir(o->co.pin_opt), o);
	return err;
}

int main(int argc, char **argv)
{
	struct ev_opts o = {};
	int err;

	xg_cli_init("xg-events");
	err = parse_args(argc, argv, &o);
	if (!err && !xg_common_done(&o.co, usage))
		err = run(&o);
	return xg_exit(err);
}
