// SPDX-License-Identifier: GPL-2.0
/* xg-events: print the drop events of the xg_events ring buffer, one line
 * (or one NDJSON object) per dropped packet, until a signal or COUNT.
 * The events the budget left out (sampled) and those the full ring buffer
 * lost are counted by the program in xg_evstats; this tool reports how
 * they moved since it started, every second they moved and at the end.
 * One reader at a time: a ring buffer has one consumer position.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>

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
	       "                      rule_drop, rule_rate\n"
	       "      --pin-dir DIR   pin directory (default $%s, else\n"
	       "                      %s)\n"
	       "  -j, --json          NDJSON output: one object per line\n"
	       "  -v, --verbose       show libbpf messages\n"
	       "  -V, --version       print the version and exit\n"
	       "  -h, --help          print this help and exit\n",
	       XG_DEF_EVENTS_RATE, COUNT_MAX, XG_PIN_ENV, XG_DEFAULT_PIN_DIR);
}

/* An -i argument, and the interface it names. */
struct ev_iface {
	const char *arg; /* as typed */
	struct xg_ifname name;
};

struct ev_opts {
	struct xg_common_opts co;
	__u64 count; /* 0: until a signal */
	struct ev_iface ifaces[XG_MAX_IFACES];
	int nifaces;
	const char *netns; /* --netns */
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
		 "udp_global, icmp_global, frag_global, rule_drop or "
		 "rule_rate)",
		 arg);
	return -EINVAL;
}

static void tool_opt(int c, struct ev_opts *o)
{
	char msg[192];

	switch (c) {
	case 'c':
		if (xg_parse_u64(optarg, 1, COUNT_MAX, &o->count))
			xg_opt_bad(&o->co, "invalid count '%s' (1-%llu)",
				   optarg, COUNT_MAX);
		break;
	case 'i':
		if (o->nifaces == XG_MAX_IFACES)
			xg_opt_bad(&o->co, "too many interfaces (at most %d)",
				   XG_MAX_IFACES);
		else if (!xg_opt_iface(&o->co, optarg, NULL,
				       &o->ifaces[o->nifaces].name))
			o->ifaces[o->nifaces++].arg = optarg;
		break;
	case 'n':
		xg_opt_old_count(&o->co, optarg);
		/* fall through */
	case OPT_NETNS:
		xg_opt_netns(&o->co, optarg, &o->netns);
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
	struct ev_iface *fi;
	int i;

	if (optind < argc)
		return xg_opt_bad(&o->co,
				  "unexpected argument '%s'; see --help",
				  argv[optind]);
	if (o->netns && !o->nifaces)
		return xg_opt_bad(&o->co, "option '--netns' needs --interface");
	for (i = 0; i < o->nifaces; i++) {
		fi = &o->ifaces[i];
		if (xg_opt_iface(&o->co, fi->arg, o->netns, &fi->name))
			return -XG_EUSAGE;
	}
	return 0;
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
	int ifaces_fd, evstats_fd;
	__u64 start_ns; /* boot clock: older records are a stale backlog */
	__s64 real_off; /* boot clock -> wall clock */
	struct xg_ifname names[XG_IF_SLOTS];
	bool names_fresh; /* read since the last status tick */
	int rulesrc_fd;
	__u32 rule_id[XG_MAX_RULES]; /* by slot, for monitor events; 0 unknown */
	bool rules_fresh;
	struct xg_evstats base; /* at start */
	struct xg_evstats last; /* at the last tick */
	__u64 printed;
	__u64 filtered; /* read, but not of the asked interfaces or reasons */
};

static int refresh_names(struct reader *r)
{
	r->names_fresh = true;
	return xg_slot_names(r->ifaces_fd, r->names);
}

/* The id of the rule in each slot, from xg_rulesrc. */
static void refresh_rules(struct reader *r)
{
	struct xg_rule_src s;
	__u32 i;

	r->rules_fresh = true;
	memset(r->rule_id, 0, sizeof(r->rule_id));
	for (i = 0; r->rulesrc_fd >= 0 && i < XG_MAX_RULES; i++) {
		if (bpf_map_lookup_elem(r->rulesrc_fd, &i, &s) || !s.r.id)
			break;
		if (s.r.slot < XG_MAX_RULES)
			r->rule_id[s.r.slot] = s.r.id;
	}
}

static __u32 rule_of(struct reader *r, const struct xg_event *ev)
{
	__u32 slot = ev->rule & (XG_MAX_RULES - 1);

	if (ev->type != XG_EVT_MONITOR)
		return 0;
	/* a rule added since the last look */
	if (!r->rule_id[slot] && !r->rules_fresh)
		refresh_rules(r);
	return r->rule_id[slot];
}

static bool iface_wanted(const struct reader *r, const struct xg_ifname *n)
{
	int i;

	if (!r->o->nifaces)
		return true;
	for (i = 0; i < r->o->nifaces; i++)
		if (n && !strcmp(n->ifname, r->o->ifaces[i].name.ifname) &&
		    !strcmp(n->netns, r->o->ifaces[i].name.netns))
			return true;
	return false;
}

static int on_event(void *ctx, void *data, size_t size)
{
	const struct xg_event *ev = data;
	struct reader *r = ctx;
	const struct xg_ifname *n = NULL;

	if (size < sizeof(*ev) || ev->ts_ns < r->start_ns)
		return 0;
	if (ev->ifslot < XG_IF_SLOTS) {
		n = &r->names[ev->ifslot];
		/* an interface guarded since the last look */
		if (!n->ifname[0] && !r->names_fresh)
			refresh_names(r);
		if (!n->ifname[0])
			n = NULL;
	}
	if ((r->o->reasons &&
	     (ev->reason >= 32 || !(r->o->reasons & (1U << ev->reason)))) ||
	    !iface_wanted(r, n)) {
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
	r->names_fresh = false;
	r->rules_fresh = false;
	return 0;
}

/* ---- setup --------------------------------------------------------------- */

/* A pinned map that is not a regular file cannot be opened, and every
 * BPF fd shares one anonymous inode, so the lock is an flock on the
 * links directory of the pins: one per pin directory, which writers do
 * not lock (they lock the pin directory itself).
 */
static int reader_lock(const char *dir)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, XG_LINKS_SUBDIR);
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return xg_fail(-errno, "cannot open %s: %s", path,
			       strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return fd;
	close(fd);
	if (errno == EWOULDBLOCK)
		return xg_fail(-EBUSY,
			       "another xg-events is reading the events");
	return xg_fail(-errno, "cannot lock %s: %s", path, strerror(errno));
}

/* The consumer position is written through mmap: a writable fd. */
static int open_ring(const char *dir, int *fd)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, XG_STR(XG_MAP_EVENTS));
	*fd = bpf_obj_get(path);
	if (*fd < 0)
		return xg_fail(-errno, "cannot open %s: %s", path,
			       strerror(errno));
	return 0;
}

/* Every -i names an interface guarded now. */
static int check_ifaces(const struct reader *r)
{
	const struct xg_ifname *fi;
	int i, s;

	for (i = 0; i < r->o->nifaces; i++) {
		fi = &r->o->ifaces[i].name;
		for (s = 1; s < XG_IF_SLOTS; s++)
			if (!strcmp(r->names[s].ifname, fi->ifname) &&
			    !strcmp(r->names[s].netns, fi->netns))
				break;
		if (s < XG_IF_SLOTS)
			continue;
		if (fi->netns[0])
			return xg_fail(-ENOENT,
				       "%s in network namespace '%s' "
				       "is not guarded",
				       fi->ifname, fi->netns);
		/* the same name in a namespace: say how to name it */
		for (s = 1; s < XG_IF_SLOTS; s++)
			if (!strcmp(r->names[s].ifname, fi->ifname))
				return xg_fail(-ENOENT,
					       "%s is not guarded; did you "
					       "mean %s@%s?",
					       fi->ifname, fi->ifname,
					       r->names[s].netns);
		return xg_fail(-ENOENT, "%s is not guarded", fi->ifname);
	}
	return 0;
}

static volatile sig_atomic_t stop;

static void on_signal(int sig)
{
	(void)sig;
	stop = 1;
}

static __u64 mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (__u64)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

static __u32 map_id(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/* Whether the ring buffer read is still the pinned one: xg-unload --all
 * (and a new xg-load after it) leaves this reader on a map no program
 * writes to any more.
 */
static bool still_pinned(const struct reader *r)
{
	char path[PATH_MAX];
	__u32 id;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", r->dir, XG_STR(XG_MAP_EVENTS));
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno != ENOENT;
	id = map_id(fd);
	close(fd);
	return !id || id == r->ring_id;
}

/* Poll until a signal or COUNT; a status tick every second. */
static int loop(struct reader *r, const struct xg_maps *m,
		struct ring_buffer *rb)
{
	__u64 next = mono_ms() + STATUS_MS, now;
	int n;

	while (!stop) {
		now = mono_ms();
		n = ring_buffer__poll(rb, next > now ? (int)(next - now) : 0);
		fflush(stdout);
		if (n == STOP_COUNT)
			return 0;
		if (n < 0 && n != -EINTR)
			return xg_fail(n, "cannot read the events: %s",
				       strerror(-n));
		if (mono_ms() >= next) {
			n = tick(r, m, false);
			if (n)
				return n;
			if (!still_pinned(r)) {
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

	err = refresh_names(r);
	if (!err)
		err = check_ifaces(r);
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
	lock = reader_lock(dir);
	if (lock < 0) {
		err = lock;
		goto out;
	}
	r.ifaces_fd = m.ifaces;
	r.rulesrc_fd = m.rulesrc;
	r.evstats_fd = m.evstats;
	err = open_ring(dir, &ring);
	if (!err) {
		r.ring_id = map_id(ring);
		err = start(&r, &m);
	}
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
