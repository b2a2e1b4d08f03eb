// SPDX-License-Identifier: GPL-2.0
/* xg-features: stream the features of passing packets (the xg_feats ring
 * buffer) as NDJSON, one object per packet, to stdout, a consumer's Unix
 * socket or rotated files, until a signal or COUNT. A tool of its own
 * beside xg-events: its own ring, so both run at once, and options that
 * make sense only for a feed (sinks, batches, rotation). The kernel
 * counts what the budget left out and what the full ring lost; this tool
 * counts what it could not deliver, and says both at the end.
 */
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/un.h>

#include <bpf/libbpf.h>

#include "xg.h"

#define COUNT_MAX 1000000000ULL
#define TICK_MS 1000 /* names, the clock offset, the pins: once a second */
#define BATCH_MAX 1000000
#define DEF_BUFFER (4ULL << 20) /* ~10,000 lines: 0.1 s of 100,000/s */
#define BUFFER_MIN (64ULL << 10) /* well above the longest line */
#define BUFFER_MAX (1ULL << 30)
#define SIZE_MAX_ARG (1ULL << 40) /* --rotate-size: 1 TiB */
#define KEEP_MAX 1000000
#define CLOSE_WAIT_MS 1000 /* a consumer's time to take the rest */
#define STOP_COUNT (-ECANCELED) /* from the callback: COUNT reached */

enum {
	OPT_NETNS = XG_OPT_TOOL,
	OPT_SOCKET,
	OPT_OUT_DIR,
	OPT_ROTATE_SIZE,
	OPT_ROTATE_SECS,
	OPT_KEEP,
	OPT_BATCH,
	OPT_BATCH_SECS,
	OPT_BUFFER,
};

static const struct option long_opts[] = {
	{ "count", required_argument, NULL, 'c' },
	{ "interface", required_argument, NULL, 'i' },
	{ "netns", required_argument, NULL, OPT_NETNS },
	{ "unix-socket", required_argument, NULL, OPT_SOCKET },
	{ "out-dir", required_argument, NULL, OPT_OUT_DIR },
	{ "rotate-size", required_argument, NULL, OPT_ROTATE_SIZE },
	{ "rotate-secs", required_argument, NULL, OPT_ROTATE_SECS },
	{ "keep", required_argument, NULL, OPT_KEEP },
	{ "batch", required_argument, NULL, OPT_BATCH },
	{ "batch-secs", required_argument, NULL, OPT_BATCH_SECS },
	{ "buffer-size", required_argument, NULL, OPT_BUFFER },
	XG_COMMON_LONG_OPTS,
};

static void usage(void)
{
	printf("Usage: xg-features [-c COUNT] [-i IFACE[@NETNS]]... "
	       "[-n NETNS]\n"
	       "                   [--unix-socket PATH | --out-dir DIR "
	       "[--rotate-size BYTES]\n"
	       "                   [--rotate-secs S] [--keep N]] "
	       "[--batch N [--batch-secs S]]\n"
	       "                   [--buffer-size BYTES] [--pin-dir DIR]\n"
	       "\n"
	       "Stream the features of passing packets as NDJSON, one "
	       "object per packet, for\n"
	       "an IDS or a trainer, until Ctrl-C or COUNT. Turn them on "
	       "with `xg-threshold\n"
	       "features RATE` (off by default); a final summary goes to "
	       "stderr.\n"
	       "\n"
	       "Options:\n"
	       "  -c, --count COUNT   stop after COUNT features (1-%llu)\n"
	       "  -i, --interface IFACE[@NETNS]\n"
	       "                      only features of this guarded "
	       "interface (repeatable)\n"
	       "  -n, --netns NETNS   the network namespace of the -i "
	       "interfaces\n"
	       "      --unix-socket PATH\n"
	       "                      write to a consumer's stream socket; "
	       "reconnect with\n"
	       "                      backoff, drop (and count) what does not "
	       "fit the buffer\n"
	       "      --out-dir DIR   write rotated files DIR/features-TIME."
	       "ndjson\n"
	       "      --rotate-size BYTES\n"
	       "                      close a file at BYTES (k, M, G "
	       "suffixes: 1024s)\n"
	       "      --rotate-secs S close a file after S seconds (or Nm, "
	       "Nh, Nd)\n"
	       "      --keep N        keep the newest N closed files, delete "
	       "older ones\n"
	       "      --batch N       write in batches of N lines, or at the "
	       "end of each interval\n"
	       "      --batch-secs S  that interval (0.1-3600, default 1)\n"
	       "      --buffer-size BYTES\n"
	       "                      lines waiting for the socket (64k-1G, "
	       "default 4M)\n"
	       "      --pin-dir DIR   pin directory (default $%s, else\n"
	       "                      %s)\n"
	       "  -j, --json          errors as JSON too (the stream is "
	       "always NDJSON)\n"
	       "  -v, --verbose       show libbpf messages\n"
	       "  -V, --version       print the version and exit\n"
	       "  -h, --help          print this help and exit\n",
	       COUNT_MAX, XG_PIN_ENV, XG_DEFAULT_PIN_DIR);
}

struct ft_opts {
	struct xg_common_opts co;
	__u64 count; /* 0: until a signal */
	struct xg_ring_ifaces ifaces; /* -i, --netns */
	struct xg_sink_opts sink;
	__u64 batch; /* 0: after every read of the ring */
	__u64 batch_ms;
	bool file_opts; /* a --rotate-* or --keep was given */
};

/* ---- command line -------------------------------------------------------- */

static void sink_opt(int c, struct ft_opts *o)
{
	struct sockaddr_un sa;
	__u64 v = 0;
	double secs;

	switch (c) {
	case OPT_SOCKET:
		if (!*optarg || strlen(optarg) >= sizeof(sa.sun_path))
			xg_opt_bad(&o->co,
				   "invalid socket path '%s' (1-%zu "
				   "bytes)",
				   optarg, sizeof(sa.sun_path) - 1);
		o->sink.socket_path = optarg;
		break;
	case OPT_OUT_DIR:
		if (!*optarg)
			xg_opt_bad(&o->co, "invalid directory ''");
		o->sink.out_dir = optarg;
		break;
	case OPT_ROTATE_SIZE:
		o->file_opts = true;
		if (xg_parse_size(optarg, 1, SIZE_MAX_ARG,
				  &o->sink.rotate_size))
			xg_opt_bad(&o->co,
				   "invalid size '%s' (1 to 1024G; "
				   "k, M, G suffixes)",
				   optarg);
		break;
	case OPT_ROTATE_SECS:
		o->file_opts = true;
		if (xg_parse_duration(optarg, &o->sink.rotate_secs))
			xg_opt_bad(&o->co,
				   "invalid duration '%s' (N, Ns, "
				   "Nm, Nh or Nd)",
				   optarg);
		break;
	case OPT_KEEP:
		o->file_opts = true;
		if (xg_parse_u64(optarg, 1, KEEP_MAX, &v))
			xg_opt_bad(&o->co, "invalid count '%s' (1-%d)", optarg,
				   KEEP_MAX);
		o->sink.keep = v;
		break;
	case OPT_BUFFER:
		if (xg_parse_size(optarg, BUFFER_MIN, BUFFER_MAX, &v))
			xg_opt_bad(&o->co, "invalid size '%s' (64k to 1G)",
				   optarg);
		o->sink.buf_size = v;
		break;
	case OPT_BATCH_SECS:
		if (xg_parse_interval(optarg, &secs))
			xg_opt_bad(&o->co,
				   "invalid interval '%s' (0.1-3600 "
				   "seconds)",
				   optarg);
		else
			o->batch_ms = (__u64)(secs * 1000 + 0.5);
		break;
	}
}

static void tool_opt(int c, struct ft_opts *o)
{
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
	case OPT_NETNS:
		xg_opt_netns(&o->co, optarg, &o->ifaces.netns);
		break;
	case OPT_BATCH:
		if (xg_parse_u64(optarg, 1, BATCH_MAX, &o->batch))
			xg_opt_bad(&o->co, "invalid batch '%s' (1-%d lines)",
				   optarg, BATCH_MAX);
		break;
	default:
		sink_opt(c, o);
	}
}

static int check_args(struct ft_opts *o, int argc, char **argv)
{
	if (optind < argc)
		return xg_opt_bad(&o->co,
				  "unexpected argument '%s'; see --help",
				  argv[optind]);
	if (o->sink.socket_path && o->sink.out_dir)
		return xg_opt_bad(&o->co, "options '--unix-socket' and "
					  "'--out-dir' exclude each other");
	if (o->file_opts && !o->sink.out_dir)
		return xg_opt_bad(&o->co, "options '--rotate-size', "
					  "'--rotate-secs' and '--keep' need "
					  "--out-dir");
	if (o->batch_ms && !o->batch)
		return xg_opt_bad(&o->co, "option '--batch-secs' needs "
					  "--batch");
	return xg_ring_ifaces_resolve(&o->co, &o->ifaces);
}

static int parse_args(int argc, char **argv, struct ft_opts *o)
{
	int c;

	while ((c = xg_getopt(argc, argv, "c:i:n:", long_opts, &o->co)) != -1)
		tool_opt(c, o);
	if (!xg_opts_stop(&o->co))
		check_args(o, argc, argv);
	if (!o->sink.buf_size)
		o->sink.buf_size = DEF_BUFFER;
	if (!o->batch_ms)
		o->batch_ms = TICK_MS;
	return xg_opts_end(&o->co);
}

/* ---- reading ------------------------------------------------------------- */

struct reader {
	const struct ft_opts *o;
	const char *dir;
	__u32 ring_id;
	int evstats_fd;
	__u64 start_ns; /* boot clock: older records are a stale backlog */
	__s64 real_off; /* boot clock -> wall clock */
	struct xg_ring_names rn;
	/* "interface" of each slot as JSON, made at names_gen */
	char iface_json[XG_IF_SLOTS][(XG_IFNAMSIZ + XG_NETNSSIZ) * 6 + 8];
	__u32 iface_gen[XG_IF_SLOTS];
	struct xg_sink *sink;
	__u64 now_ms; /* of the last wake-up */
	__u64 read, filtered;
	__u64 pending; /* lines put since the last flush */
	__u64 batch_due; /* when the batch is written anyway */
	struct xg_evstats base;
};

static const char *iface_json(struct reader *r, __u32 slot,
			      const struct xg_ifname *n)
{
	char label[XG_IFNAMSIZ + XG_NETNSSIZ + 2];

	if (!n)
		return "null";
	if (r->iface_gen[slot] != r->rn.names_gen) {
		xg_iface_label(n->ifname, n->netns, label, sizeof(label));
		xg_json_quote(r->iface_json[slot], sizeof(r->iface_json[0]),
			      label);
		r->iface_gen[slot] = r->rn.names_gen;
	}
	return r->iface_json[slot];
}

static void flush(struct reader *r)
{
	xg_sink_flush(r->sink, r->now_ms);
	r->pending = 0;
	r->batch_due = r->now_ms + r->o->batch_ms;
}

static int on_feature(void *ctx, void *data, size_t size)
{
	const struct xg_feature *f = data;
	struct reader *r = ctx;
	const struct xg_ifname *n;
	char line[XG_FEATURE_LINE_MAX];
	__u32 rule = 0;
	size_t len;

	if (size < sizeof(*f) || f->ts_ns < r->start_ns)
		return 0;
	n = xg_ring_iface(&r->rn, f->ifslot);
	if (!xg_ring_iface_wanted(&r->o->ifaces, n)) {
		r->filtered++;
		return 0;
	}
	if (f->flags & XG_EV_RULE)
		rule = xg_ring_rule(&r->rn, f->rule);
	len = xg_feature_line(line, f, f->ts_ns + r->real_off,
			      iface_json(r, f->ifslot, n), rule);
	xg_sink_put(r->sink, line, len, r->now_ms);
	r->read++;
	if (r->o->batch && ++r->pending >= r->o->batch)
		flush(r);
	return r->o->count && r->read >= r->o->count ? STOP_COUNT : 0;
}

static __u64 since(__u64 now, __u64 base)
{
	return now >= base ? now - base : 0;
}

/* The one line at the end, on stderr. */
static void summary(const struct reader *r, const struct xg_sink_stats *st)
{
	struct xg_evstats now = r->base;

	xg_evstats_read(r->evstats_fd, &now);
	xg_warn("%llu read, %llu written, %llu undelivered (%llu buffer "
		"full), %llu filtered; %llu connects, %llu files; kernel: "
		"%llu sent, %llu over budget, %llu lost (ring full) since "
		"start",
		(unsigned long long)r->read, (unsigned long long)st->written,
		(unsigned long long)st->undelivered,
		(unsigned long long)st->full, (unsigned long long)r->filtered,
		(unsigned long long)st->connects, (unsigned long long)st->files,
		(unsigned long long)since(now.feat_sent, r->base.feat_sent),
		(unsigned long long)since(now.feat_sampled,
					  r->base.feat_sampled),
		(unsigned long long)since(now.feat_lost, r->base.feat_lost));
}

static volatile sig_atomic_t stop, hup;

static void on_signal(int sig)
{
	if (sig == SIGHUP)
		hup = 1;
	else
		stop = 1;
}

static int wait_ms(const struct reader *r, __u64 next_tick)
{
	__u64 due = next_tick, s = xg_sink_next_ms(r->sink);

	if (s < due)
		due = s;
	if (r->pending && r->batch_due < due)
		due = r->batch_due;
	return due > r->now_ms ? (int)(due - r->now_ms) : 0;
}

/* Once a second: fresh names and clock offset; the pins still there. */
static int tick(struct reader *r)
{
	xg_ring_names_tick(&r->rn);
	r->real_off = xg_boot_to_real_ns();
	if (!xg_ring_still_pinned(r->dir, XG_STR(XG_MAP_FEATS), r->ring_id))
		return xg_fail(-ENOENT,
			       "xdpguard was unloaded; no more features");
	return 0;
}

/* One wake-up: the ring, the batch, the socket, the timers. */
static int step(struct reader *r, struct ring_buffer *rb, struct pollfd *p,
		int np, __u64 *next_tick)
{
	int n;

	if (p[0].revents & POLLIN) {
		n = ring_buffer__consume(rb);
		if (n < 0 && n != STOP_COUNT)
			return xg_fail(n, "cannot read the features: %s",
				       strerror(-n));
		if (n == STOP_COUNT)
			return STOP_COUNT;
	}
	if (!r->o->batch || (r->pending && r->now_ms >= r->batch_due))
		flush(r);
	if (np > 1 && p[1].revents)
		xg_sink_ready(r->sink, p[1].revents, r->now_ms);
	if (r->now_ms >= xg_sink_next_ms(r->sink))
		xg_sink_tick(r->sink, r->now_ms);
	if (r->now_ms >= *next_tick) {
		*next_tick += TICK_MS;
		return tick(r);
	}
	return 0;
}

static int loop(struct reader *r, struct ring_buffer *rb)
{
	__u64 next_tick = xg_mono_ms() + TICK_MS;
	struct pollfd p[2];
	int np, err;

	p[0] = (struct pollfd){ .fd = ring_buffer__epoll_fd(rb),
				.events = POLLIN };
	while (!stop) {
		r->now_ms = xg_mono_ms();
		if (hup) {
			hup = 0;
			flush(r);
			xg_sink_reopen(r->sink, r->now_ms);
		}
		p[1].fd = xg_sink_poll_fd(r->sink, &p[1].events);
		np = p[1].fd >= 0 ? 2 : 1;
		if (poll(p, np, wait_ms(r, next_tick)) < 0) {
			if (errno == EINTR)
				continue;
			return xg_fail(-errno, "cannot wait for features: %s",
				       strerror(errno));
		}
		r->now_ms = xg_mono_ms();
		err = step(r, rb, p, np, &next_tick);
		if (err)
			return err == STOP_COUNT ? 0 : err;
	}
	/* what the program sent before the signal is still written */
	err = ring_buffer__consume(rb);
	if (err < 0 && err != STOP_COUNT)
		return xg_fail(err, "cannot read the features: %s",
			       strerror(-err));
	return 0;
}

/* ---- setup --------------------------------------------------------------- */

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
	if (!cfg.limit[XG_LIM_FEATURES].rate)
		xg_warn("features are off; turn them on with xg-threshold "
			"features RATE");
	/* the clock first: a record stamped before it is a stale one */
	r->start_ns = xg_now_ns();
	r->real_off = xg_boot_to_real_ns();
	r->evstats_fd = m->evstats;
	return xg_evstats_read(r->evstats_fd, &r->base);
}

static int open_all(struct reader *r, const struct xg_maps *m, int *ring,
		    struct ring_buffer **rb)
{
	int err;

	err = xg_ring_open(r->dir, XG_STR(XG_MAP_FEATS), ring, &r->ring_id);
	if (!err)
		err = start(r, m);
	if (!err)
		err = xg_sink_open(&r->o->sink, &r->sink);
	if (err)
		return err;
	*rb = ring_buffer__new(*ring, on_feature, r, NULL);
	if (!*rb)
		return xg_fail(-errno, "cannot read the features: %s",
			       strerror(errno));
	return 0;
}

static int read_features(const char *dir, const struct ft_opts *o)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct reader *r = calloc(1, sizeof(*r));
	struct ring_buffer *rb = NULL;
	int lock = -1, ring = -1, err;
	struct xg_sink_stats st;
	struct xg_maps m;

	if (!r)
		return xg_fail(-ENOMEM, "out of memory");
	*r = (struct reader){ .o = o, .dir = dir };
	err = xg_maps_open(dir, true, &m);
	if (err)
		goto out_free;
	lock = xg_ring_lock(dir, XG_FEATURES_SUBDIR, true,
			    "another xg-features is reading the features");
	err = lock < 0 ? lock : open_all(r, &m, &ring, &rb);
	if (err)
		goto out;
	/* no SA_RESTART: a signal ends the wait in poll */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);
	err = loop(r, rb);
out:
	if (r->sink) {
		xg_sink_close(r->sink, CLOSE_WAIT_MS, &st);
		summary(r, &st);
	}
	ring_buffer__free(rb);
	if (ring >= 0)
		close(ring);
	xg_unlock(lock);
	xg_maps_close(&m);
out_free:
	free(r);
	return err;
}

/* ---- main ---------------------------------------------------------------- */

static int run(const struct ft_opts *o)
{
	int err;

	err = xg_check_privileges();
	if (!err)
		err = xg_sink_check(&o->sink);
	if (!err)
		err = read_features(xg_pin_dir(o->co.pin_opt), o);
	return err;
}

int main(int argc, char **argv)
{
	struct ft_opts o = {};
	int err;

	xg_cli_init("xg-features");
	err = parse_args(argc, argv, &o);
	if (!err && !xg_common_done(&o.co, usage))
		err = run(&o);
	return xg_exit(err);
}
