// SPDX-License-Identifier: GPL-2.0
/* xg-stats: what xdpguard guards and what it has seen. A reader: maps are
 * opened read-only and no lock is taken. Everything is gathered into one
 * struct report first; each output format is a renderer of that struct.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "xg.h"

enum {
	OPT_WATCH = XG_OPT_TOOL,
	OPT_PROMETHEUS,
};

static const struct option long_opts[] = {
	{ "watch", optional_argument, NULL, OPT_WATCH },
	{ "count", required_argument, NULL, 'n' },
	{ "prometheus", no_argument, NULL, OPT_PROMETHEUS },
	XG_COMMON_LONG_OPTS,
};

static void usage(void)
{
	printf("Usage: %s [-j] [--pin-dir DIR]\n"
	       "       %s [-j] --watch [SECONDS] [-n COUNT] [--pin-dir DIR]\n"
	       "       %s --prometheus [--pin-dir DIR]\n"
	       "\n"
	       "Show the interfaces xdpguard guards, the size of its lists, "
	       "its settings and\n"
	       "its packet counters by class and reason.\n"
	       "\n"
	       "Options:\n"
	       "  -j, --json          JSON output (with --watch: one line per "
	       "screen)\n"
	       "      --watch [SECONDS]\n"
	       "                      show rates every SECONDS (0.1-3600, "
	       "default 1)\n"
	       "                      until Ctrl-C\n"
	       "  -n, --count COUNT   with --watch: stop after COUNT screens\n"
	       "      --prometheus    Prometheus text exposition format\n"
	       "      --pin-dir DIR   pin directory (default $%s, else\n"
	       "                      %s)\n"
	       "  -v, --verbose       show libbpf messages\n"
	       "  -V, --version       print the version and exit\n"
	       "  -h, --help          print this help and exit\n",
	       xg_prog, xg_prog, xg_prog, XG_PIN_ENV, XG_DEFAULT_PIN_DIR);
}

struct stats_opts {
	struct xg_common_opts co;
	bool watch;
	bool prometheus;
	double interval; /* seconds, with --watch */
	__u64 count; /* screens; 0 = until a signal */
	bool count_set;
};

/* One guarded interface. */
struct report_iface {
	char ifname[XG_IFNAMSIZ];
	char netns[XG_NETNSSIZ]; /* "" = the host namespace */
	__u32 ifindex;
	__u32 link_id;
	int mode; /* enum xg_mode; -1 if xg_ifaces has no entry */
};

struct report {
	const char *pin_dir;
	__u32 abi;
	struct report_iface *ifaces;
	size_t nifaces;
	struct xg_list_counts block, allow;
	__u64 sources; /* keys in xg_track */
	__u32 max_sources;
	__u64 bans; /* live blocklist entries with XG_E_AUTO */
	struct xg_config config;
	struct xg_stats stats;
};

/* ---- command line -------------------------------------------------------- */

/* A decimal number of seconds, 0.1 to 3600: digits, optionally a point
 * and more digits. Nothing before or after.
 */
static int parse_interval(const char *s, double *out)
{
	const char *p = s;
	char *end;
	double v;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -EINVAL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p)
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || v < 0.1 || v > 3600)
		return -EINVAL;
	*out = v;
	return 0;
}

static bool tool_opt(int c, int argc, char **argv, struct stats_opts *o,
		     char *msg, size_t len)
{
	const char *arg = optarg;

	switch (c) {
	case OPT_WATCH:
		o->watch = true;
		/* --watch SECONDS: xg-stats has no operands, so a following
		 * word that is not an option can only be the interval.
		 */
		if (!arg && optind < argc && argv[optind][0] != '-')
			arg = argv[optind++];
		if (arg && parse_interval(arg, &o->interval) && !msg[0])
			snprintf(msg, len,
				 "invalid interval '%s' (0.1-3600 seconds)",
				 arg);
		return true;
	case 'n':
		o->count_set = true;
		if (xg_parse_u64(arg, 1, 1000000, &o->count) && !msg[0])
			snprintf(msg, len, "invalid count '%s' (1-1000000)",
				 arg);
		return true;
	case OPT_PROMETHEUS:
		o->prometheus = true;
		return true;
	}
	return false;
}

/* argv is read to the end even after an error, so a later -j applies. */
static int parse_args(int argc, char **argv, struct stats_opts *o)
{
	char msg[128] = "";
	int c;

	o->interval = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":n:" XG_COMMON_SHORT, long_opts,
				NULL)) != -1) {
		if (tool_opt(c, argc, argv, o, msg, sizeof(msg)))
			continue;
		if (!xg_common_opt(c, &o->co) && !msg[0])
			xg_opt_error_msg(c, argv, long_opts, msg, sizeof(msg));
	}
	/* report once, after -j had its chance to be seen */
	if (msg[0])
		return xg_usage_err("%s", msg);
	if (o->co.help || o->co.version)
		return 0;
	if (o->prometheus && (xg_json || o->watch))
		return xg_usage_err(
			"--prometheus cannot be combined with --json or --watch");
	if (o->count_set && !o->watch)
		return xg_usage_err("option '--count' needs --watch");
	if (optind < argc)
		return xg_usage_err("unexpected argument '%s'; see --help",
				    argv[optind]);
	return 0;
}

/* ---- gathering ----------------------------------------------------------- */

/* One pin under PIN_DIR/links: 0 and *ri filled, or 1 to skip it. */
static int read_link(const char *dir, const char *name, const struct xg_maps *m,
		     struct report_iface *ri)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);
	struct xg_iface xi;
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s/%s", dir, XG_LINKS_SUBDIR, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return 1;
	if (bpf_obj_get_info_by_fd(fd, &info, &len) ||
	    info.type != BPF_LINK_TYPE_XDP) {
		close(fd);
		return 1;
	}
	close(fd);
	memset(ri, 0, sizeof(*ri));
	ri->link_id = info.id;
	ri->ifindex = info.xdp.ifindex;
	ri->mode = -1;
	if (bpf_map_lookup_elem(m->ifaces, &info.id, &xi) == 0) {
		snprintf(ri->ifname, sizeof(ri->ifname), "%s", xi.ifname);
		snprintf(ri->netns, sizeof(ri->netns), "%s", xi.netns);
		ri->mode = xi.mode;
	} else if (xg_link_pin_name_decode(name, ri->netns, sizeof(ri->netns),
					   ri->ifname, sizeof(ri->ifname))) {
		snprintf(ri->ifname, sizeof(ri->ifname), "%.*s",
			 (int)sizeof(ri->ifname) - 1, name);
		ri->netns[0] = '\0';
	}
	return 0;
}

static int iface_cmp(const void *a, const void *b)
{
	const struct report_iface *x = a, *y = b;
	int c = strcmp(x->netns, y->netns);

	return c ? c : strcmp(x->ifname, y->ifname);
}

static int gather_ifaces(const char *dir, const struct xg_maps *m,
			 struct report *r)
{
	struct report_iface ri, *tmp;
	char path[PATH_MAX];
	struct dirent *de;
	size_t cap = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/%s", dir, XG_LINKS_SUBDIR);
	d = opendir(path);
	if (!d)
		return errno == ENOENT ? 0 :
					 xg_fail(-errno, "cannot read %s: %s",
						 path, strerror(errno));
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || read_link(dir, de->d_name, m, &ri))
			continue;
		if (r->nifaces == cap) {
			cap = cap ? cap * 2 : 8;
			tmp = realloc(r->ifaces, cap * sizeof(*tmp));
			if (!tmp) {
				closedir(d);
				return xg_fail(-ENOMEM, "out of memory");
			}
			r->ifaces = tmp;
		}
		r->ifaces[r->nifaces++] = ri;
	}
	closedir(d);
	if (r->nifaces)
		qsort(r->ifaces, r->nifaces, sizeof(*r->ifaces), iface_cmp);
	return 0;
}

/* Tracked sources per batch syscall: 4096 * 80 bytes of keys and values. */
#define TRACK_CHUNK 4096

/* Without batch operations: one key at a time. */
static int count_track_slow(int fd, __u64 *n)
{
	struct xg_in6 cur, prev;
	void *p = NULL;

	*n = 0;
	while (bpf_map_get_next_key(fd, p, &cur) == 0) {
		++*n;
		prev = cur;
		p = &prev;
	}
	return errno == ENOENT ? 0 : -errno;
}

/* Keys of the LRU tracker, read in batches: a walk with get_next_key
 * starts over whenever the program evicts its cursor key.
 */
static int count_track_batch(int fd, __u64 *n)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	struct xg_in6 in, out, *keys = NULL;
	struct xg_src *vals = NULL;
	__u32 chunk = TRACK_CHUNK, cnt;
	void *inp = NULL;
	int err;

	*n = 0;
	for (;;) {
		if (!keys) {
			keys = calloc(chunk, sizeof(*keys));
			vals = calloc(chunk, sizeof(*vals));
			if (!keys || !vals) {
				err = -ENOMEM;
				break;
			}
		}
		cnt = chunk;
		err = bpf_map_lookup_batch(fd, inp, &out, keys, vals, &cnt,
					   &opts);
		if (err && errno == ENOSPC && chunk < (1U << 20)) {
			/* one hash bucket holds more than a chunk */
			free(keys);
			free(vals);
			keys = NULL;
			vals = NULL;
			chunk *= 2;
			continue;
		}
		if (err && errno != ENOENT) {
			err = inp ? -errno : count_track_slow(fd, n);
			break;
		}
		*n += cnt;
		if (err) { /* ENOENT: that was the last batch */
			err = 0;
			break;
		}
		in = out;
		inp = &in;
	}
	free(keys);
	free(vals);
	return err;
}

static int count_track(int fd, __u64 *n)
{
	int err = count_track_batch(fd, n);

	if (err)
		return xg_fail(err, "cannot count the tracked sources: %s",
			       strerror(-err));
	return 0;
}

static int count_ban(const struct xg_list_item *it, void *ctx)
{
	if (it->entry.flags & XG_E_AUTO)
		++*(__u64 *)ctx;
	return 0;
}

static __u32 max_entries(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.max_entries;
}

static int gather(const char *dir, const struct xg_maps *m, struct report *r)
{
	struct xg_meta meta;
	struct xg_list l;
	__u32 zero = 0;
	int err;

	r->pin_dir = dir;
	if (bpf_map_lookup_elem(m->meta, &zero, &meta))
		return xg_fail(-errno, "cannot read %s: %s", dir,
			       strerror(errno));
	r->abi = meta.abi_version;
	err = xg_config_read(m, &r->config);
	if (err)
		return err;
	err = gather_ifaces(dir, m, r);
	if (err)
		return err;
	xg_list_from_maps(&l, m, XG_LIST_BLOCK);
	err = xg_list_count(&l, &r->block);
	if (err)
		return err;
	err = xg_list_walk(&l, count_ban, &r->bans);
	if (err < 0)
		return err;
	err = count_track(m->track, &r->sources);
	if (err)
		return err;
	r->max_sources = max_entries(m->track);
	xg_list_from_maps(&l, m, XG_LIST_ALLOW);
	err = xg_list_count(&l, &r->allow);
	if (err)
		return err;
	return xg_stats_read(m->stats, &r->stats);
}

/* ---- text ---------------------------------------------------------------- */

static const char *plural(__u64 n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static void text_list(const char *name, const struct xg_list_counts *c)
{
	__u64 h = c->hosts4 + c->hosts6, p = c->prefixes4 + c->prefixes6;

	printf("  %s: %llu %s, %llu %s (limits %u hosts, %u prefixes)\n", name,
	       (unsigned long long)h, plural(h, "host", "hosts"),
	       (unsigned long long)p, plural(p, "prefix", "prefixes"),
	       c->max_hosts, c->max_prefixes);
}

/* The table's spelling of a class or reason: a dash, as in the man page. */
static void text_name(const char *name, char *buf, size_t len)
{
	char *s;

	snprintf(buf, len, "%s", name);
	for (s = buf; *s; s++)
		if (*s == '_')
			*s = '-';
}

static void render_text(const struct report *r)
{
	const struct report_iface *ri;
	struct xg_counter total = {};
	char cls[16], rsn[16];
	int c, re;
	size_t i;

	printf("xdpguard %s (ABI %u), pins in %s\n", XG_VERSION, r->abi,
	       r->pin_dir);
	printf("interfaces:\n");
	if (!r->nifaces)
		printf("  none\n");
	for (i = 0; i < r->nifaces; i++) {
		ri = &r->ifaces[i];
		printf("  %s%s%s: %s, ifindex %u, link %u\n", ri->ifname,
		       ri->netns[0] ? " in netns " : "", ri->netns,
		       xg_mode_name(ri->mode), ri->ifindex, ri->link_id);
	}
	printf("lists:\n");
	text_list("blocklist", &r->block);
	text_list("allowlist", &r->allow);
	printf("tracking: %llu %s (limit %u), %llu automatic %s\n",
	       (unsigned long long)r->sources,
	       plural(r->sources, "source", "sources"), r->max_sources,
	       (unsigned long long)r->bans, plural(r->bans, "ban", "bans"));
	printf("malformed packets: %s\n",
	       r->config.flags & XG_CFG_DROP_MALFORMED ? "dropped" : "passed");
	printf("%-9s %-11s %14s %15s\n", "CLASS", "REASON", "PACKETS", "BYTES");
	for (c = 0; c < XG_C_MAX; c++) {
		for (re = 0; re < XG_R_MAX; re++) {
			const struct xg_counter *k = &r->stats.c[c][re];

			total.packets += k->packets;
			total.bytes += k->bytes;
			if (!k->packets && !k->bytes)
				continue;
			text_name(xg_class_name(c), cls, sizeof(cls));
			text_name(xg_reason_name(re), rsn, sizeof(rsn));
			printf("%-9s %-11s %14llu %15llu\n", cls, rsn,
			       (unsigned long long)k->packets,
			       (unsigned long long)k->bytes);
		}
	}
	printf("%-9s %-11s %14llu %15llu\n", "total", "",
	       (unsigned long long)total.packets,
	       (unsigned long long)total.bytes);
}

/* ---- JSON ---------------------------------------------------------------- */

static void json_list(struct xg_json *j, const char *name,
		      const struct xg_list_counts *c)
{
	xg_json_key(j, name);
	xg_json_obj_open(j);
	xg_json_kv_u64(j, "hosts_ipv4", c->hosts4);
	xg_json_kv_u64(j, "hosts_ipv6", c->hosts6);
	xg_json_kv_u64(j, "prefixes_ipv4", c->prefixes4);
	xg_json_kv_u64(j, "prefixes_ipv6", c->prefixes6);
	xg_json_kv_u64(j, "max_hosts", c->max_hosts);
	xg_json_kv_u64(j, "max_prefixes", c->max_prefixes);
	xg_json_obj_close(j);
}

static void json_counter(struct xg_json *j, const char *name,
			 const struct xg_counter *k)
{
	xg_json_key(j, name);
	xg_json_obj_open(j);
	xg_json_kv_u64(j, "packets", k->packets);
	xg_json_kv_u64(j, "bytes", k->bytes);
	xg_json_obj_close(j);
}

static void json_ifaces(struct xg_json *j, const struct report *r)
{
	const struct report_iface *ri;
	size_t i;

	xg_json_key(j, "interfaces");
	xg_json_arr_open(j);
	for (i = 0; i < r->nifaces; i++) {
		ri = &r->ifaces[i];
		xg_json_obj_open(j);
		xg_json_kv_str(j, "ifname", ri->ifname);
		xg_json_kv_str(j, "netns", ri->netns[0] ? ri->netns : NULL);
		xg_json_kv_u64(j, "ifindex", ri->ifindex);
		xg_json_kv_str(j, "mode", xg_mode_name(ri->mode));
		xg_json_kv_u64(j, "link_id", ri->link_id);
		xg_json_obj_close(j);
	}
	xg_json_arr_close(j);
}

static int render_json(const struct report *r)
{
	struct xg_json *j = xg_json_new(stdout);
	struct xg_counter total = {};
	int c, re;

	if (!j)
		return xg_fail(-ENOMEM, "out of memory");
	xg_json_obj_open(j);
	xg_json_kv_str(j, "version", XG_VERSION);
	xg_json_kv_u64(j, "abi", r->abi);
	xg_json_kv_str(j, "pin_dir", r->pin_dir);
	json_ifaces(j, r);
	xg_json_key(j, "lists");
	xg_json_obj_open(j);
	json_list(j, "blocklist", &r->block);
	json_list(j, "allowlist", &r->allow);
	xg_json_obj_close(j);
	xg_json_key(j, "tracking");
	xg_json_obj_open(j);
	xg_json_kv_u64(j, "sources", r->sources);
	xg_json_kv_u64(j, "max_sources", r->max_sources);
	xg_json_obj_close(j);
	xg_json_kv_u64(j, "bans", r->bans);
	xg_json_key(j, "config");
	xg_json_obj_open(j);
	xg_json_kv_bool(j, "drop_malformed",
			r->config.flags & XG_CFG_DROP_MALFORMED);
	xg_json_obj_close(j);
	xg_json_key(j, "counters");
	xg_json_obj_open(j);
	for (c = 0; c < XG_C_MAX; c++) {
		xg_json_key(j, xg_class_name(c));
		xg_json_obj_open(j);
		for (re = 0; re < XG_R_MAX; re++) {
			const struct xg_counter *k = &r->stats.c[c][re];

			json_counter(j, xg_reason_name(re), k);
			total.packets += k->packets;
			total.bytes += k->bytes;
		}
		xg_json_obj_close(j);
	}
	xg_json_obj_close(j);
	json_counter(j, "total", &total);
	xg_json_obj_close(j);
	xg_json_free(j);
	return 0;
}

/* ---- Prometheus ---------------------------------------------------------- */

/* A label value: backslash, double quote and newline escaped. */
static void prom_label(const char *name, const char *v, bool first)
{
	printf("%s%s=\"", first ? "" : ",", name);
	for (; *v; v++) {
		if (*v == '\\')
			fputs("\\\\", stdout);
		else if (*v == '"')
			fputs("\\\"", stdout);
		else if (*v == '\n')
			fputs("\\n", stdout);
		else
			putchar(*v);
	}
	putchar('"');
}

static void prom_head(const char *name, const char *type, const char *help)
{
	printf("# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

static void prom_list(const char *list, const struct xg_list_counts *c)
{
	static const char *const fam[] = { "ipv4", "ipv6" };
	__u64 v[2][2] = { { c->hosts4, c->prefixes4 },
			  { c->hosts6, c->prefixes6 } };
	int f, k;

	for (f = 0; f < 2; f++) {
		for (k = 0; k < 2; k++) {
			printf("xdpguard_list_entries{");
			prom_label("list", list, true);
			prom_label("family", fam[f], false);
			prom_label("kind", k ? "prefix" : "host", false);
			printf("} %llu\n", (unsigned long long)v[f][k]);
		}
	}
}

static void prom_counters(const struct report *r, const char *name, bool bytes)
{
	int c, re;

	for (c = 0; c < XG_C_MAX; c++) {
		for (re = 0; re < XG_R_MAX; re++) {
			const struct xg_counter *k = &r->stats.c[c][re];

			printf("%s{", name);
			prom_label("class", xg_class_name(c), true);
			prom_label("reason", xg_reason_name(re), false);
			printf("} %llu\n",
			       (unsigned long long)(bytes ? k->bytes :
							    k->packets));
		}
	}
}

static void render_prometheus(const struct report *r)
{
	const struct report_iface *ri;
	size_t i;

	prom_head("xdpguard_packets_total", "counter",
		  "Packets seen by the XDP program, by class and reason.");
	prom_counters(r, "xdpguard_packets_total", false);
	prom_head("xdpguard_bytes_total", "counter",
		  "Bytes of the packets seen by the XDP program, Ethernet "
		  "header included.");
	prom_counters(r, "xdpguard_bytes_total", true);
	prom_head("xdpguard_list_entries", "gauge",
		  "Entries in the blocklist and the allowlist.");
	prom_list("blocklist", &r->block);
	prom_list("allowlist", &r->allow);
	prom_head("xdpguard_tracked_sources", "gauge",
		  "Sources tracked for the rate limits.");
	printf("xdpguard_tracked_sources %llu\n",
	       (unsigned long long)r->sources);
	prom_head("xdpguard_automatic_bans", "gauge",
		  "Automatic bans in force in the blocklist.");
	printf("xdpguard_automatic_bans %llu\n", (unsigned long long)r->bans);
	prom_head("xdpguard_interface_info", "gauge",
		  "A guarded interface; netns is empty for the namespace of "
		  "the pins.");
	for (i = 0; i < r->nifaces; i++) {
		ri = &r->ifaces[i];
		printf("xdpguard_interface_info{");
		prom_label("ifname", ri->ifname, true);
		prom_label("netns", ri->netns, false);
		prom_label("mode", xg_mode_name(ri->mode), false);
		printf("} 1\n");
	}
}

/* ---- watch --------------------------------------------------------------- */

static volatile sig_atomic_t stop_watch;

static void on_signal(int sig)
{
	(void)sig;
	stop_watch = 1;
}

/* Whether a packet counted under this reason was dropped. */
static bool reason_drops(int reason, const struct xg_config *cfg)
{
	switch (reason) {
	case XG_R_PASS:
	case XG_R_ALLOWLISTED:
		return false;
	case XG_R_MALFORMED:
		return cfg->flags & XG_CFG_DROP_MALFORMED;
	}
	return true;
}

struct sample {
	struct xg_stats stats;
	struct xg_config config;
	struct timespec mono;
	struct timespec real;
};

static int take_sample(const struct xg_maps *m, struct sample *s)
{
	int err = xg_config_read(m, &s->config);

	if (err)
		return err;
	err = xg_stats_read(m->stats, &s->stats);
	if (err)
		return err;
	clock_gettime(CLOCK_MONOTONIC, &s->mono);
	clock_gettime(CLOCK_REALTIME, &s->real);
	return 0;
}

static double ts_sec(const struct timespec *t)
{
	return t->tv_sec + t->tv_nsec / 1e9;
}

/* Per class and reason: packets/s and bytes/s between two samples. */
struct rates {
	double pps[XG_C_MAX][XG_R_MAX], bps[XG_C_MAX][XG_R_MAX];
	double pps_total, bps_total, drops; /* drops: packets/s dropped */
	struct xg_counter total; /* cumulative */
	__u64 dropped; /* cumulative */
	double elapsed;
};

static void compute_rates(const struct sample *a, const struct sample *b,
			  struct rates *rt)
{
	double dt = ts_sec(&b->mono) - ts_sec(&a->mono);
	int c, re;

	memset(rt, 0, sizeof(*rt));
	if (dt <= 0)
		dt = 1e-9;
	rt->elapsed = dt;
	for (c = 0; c < XG_C_MAX; c++) {
		for (re = 0; re < XG_R_MAX; re++) {
			const struct xg_counter *x = &a->stats.c[c][re];
			const struct xg_counter *y = &b->stats.c[c][re];
			/* counters only grow; a reset (xg-unload --all and
			 * a new load) shows as zero, never negative
			 */
			__u64 dp = y->packets >= x->packets ?
					   y->packets - x->packets :
					   0;
			__u64 db = y->bytes >= x->bytes ? y->bytes - x->bytes :
							  0;
			bool drop = reason_drops(re, &b->config);

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

static void watch_text(const char *dir, double interval, const struct sample *b,
		       const struct rates *rt, bool tty, bool first)
{
	char cls[16], rsn[16], tbuf[32];
	time_t now = b->real.tv_sec;
	struct tm tm;
	int c, re;

	if (tty)
		fputs("\033[H\033[2J", stdout);
	else if (!first)
		putchar('\n');
	localtime_r(&now, &tm);
	strftime(tbuf, sizeof(tbuf), "%Y-%m-%d %H:%M:%S", &tm);
	printf("xdpguard %s, pins in %s, every %gs, %s\n", XG_VERSION, dir,
	       interval, tbuf);
	printf("%-9s %-11s %14s %14s %15s\n", "CLASS", "REASON", "PACKETS/S",
	       "DROPS/S", "BYTES/S");
	for (c = 0; c < XG_C_MAX; c++) {
		for (re = 0; re < XG_R_MAX; re++) {
			double p = rt->pps[c][re];

			if (p == 0 && rt->bps[c][re] == 0)
				continue;
			text_name(xg_class_name(c), cls, sizeof(cls));
			text_name(xg_reason_name(re), rsn, sizeof(rsn));
			printf("%-9s %-11s %14.1f %14.1f %15.1f\n", cls, rsn, p,
			       reason_drops(re, &b->config) ? p : 0.0,
			       rt->bps[c][re]);
		}
	}
	printf("%-9s %-11s %14.1f %14.1f %15.1f\n", "total", "", rt->pps_total,
	       rt->drops, rt->bps_total);
	printf("since load: %llu packets, %llu dropped, %llu bytes\n",
	       (unsigned long long)rt->total.packets,
	       (unsigned long long)rt->dropped,
	       (unsigned long long)rt->total.bytes);
}

/* One NDJSON line. Written by hand: the rates are not integers. */
static void watch_json(const struct sample *b, const struct rates *rt)
{
	int c, re;

	printf("{\"time\":%.3f,\"elapsed\":%.6f,\"rates\":{", ts_sec(&b->real),
	       rt->elapsed);
	for (c = 0; c < XG_C_MAX; c++) {
		printf("%s\"%s\":{", c ? "," : "", xg_class_name(c));
		for (re = 0; re < XG_R_MAX; re++)
			printf("%s\"%s\":{\"packets\":%.3f,\"bytes\":%.3f}",
			       re ? "," : "", xg_reason_name(re),
			       rt->pps[c][re], rt->bps[c][re]);
		putchar('}');
	}
	printf("},\"rate_total\":{\"packets\":%.3f,\"bytes\":%.3f,"
	       "\"drops\":%.3f},\"counters\":{",
	       rt->pps_total, rt->bps_total, rt->drops);
	for (c = 0; c < XG_C_MAX; c++) {
		printf("%s\"%s\":{", c ? "," : "", xg_class_name(c));
		for (re = 0; re < XG_R_MAX; re++) {
			const struct xg_counter *k = &b->stats.c[c][re];

			printf("%s\"%s\":{\"packets\":%llu,\"bytes\":%llu}",
			       re ? "," : "", xg_reason_name(re),
			       (unsigned long long)k->packets,
			       (unsigned long long)k->bytes);
		}
		putchar('}');
	}
	printf("},\"total\":{\"packets\":%llu,\"bytes\":%llu,"
	       "\"dropped\":%llu}}\n",
	       (unsigned long long)rt->total.packets,
	       (unsigned long long)rt->total.bytes,
	       (unsigned long long)rt->dropped);
}

static void ts_add(struct timespec *t, double secs)
{
	long long ns = (long long)(secs * 1e9 + 0.5);

	t->tv_sec += ns / 1000000000;
	t->tv_nsec += ns % 1000000000;
	if (t->tv_nsec >= 1000000000) {
		t->tv_sec++;
		t->tv_nsec -= 1000000000;
	}
}

/* Screens until COUNT or SIGINT/SIGTERM; the first after one interval.
 * Deadlines are absolute, so the screens do not drift.
 */
static int watch(const char *dir, const struct xg_maps *m,
		 const struct stats_opts *o)
{
	struct sigaction sa = { .sa_handler = on_signal };
	struct sample prev, cur;
	struct timespec next;
	bool tty = isatty(STDOUT_FILENO);
	struct rates rt;
	__u64 n = 0;
	int err;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	err = take_sample(m, &prev);
	if (err)
		return err;
	next = prev.mono;
	while (!stop_watch) {
		ts_add(&next, o->interval);
		while (!stop_watch &&
		       clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next,
				       NULL) == EINTR)
			;
		if (stop_watch)
			break;
		err = take_sample(m, &cur);
		if (err)
			return err;
		compute_rates(&prev, &cur, &rt);
		if (xg_json)
			watch_json(&cur, &rt);
		else
			watch_text(dir, o->interval, &cur, &rt, tty, n == 0);
		fflush(stdout);
		prev = cur;
		if (o->count && ++n >= o->count)
			break;
		if (!o->count)
			n = 1;
	}
	return 0;
}

/* ---- main ---------------------------------------------------------------- */

static int run(int argc, char **argv)
{
	struct stats_opts o = {};
	struct report r = {};
	struct xg_maps m;
	const char *dir;
	int err;

	err = parse_args(argc, argv, &o);
	if (err)
		return err;
	if (xg_common_done(&o.co, usage))
		return 0;
	err = xg_check_privileges();
	if (err)
		return err;
	dir = xg_pin_dir(o.co.pin_opt);
	err = xg_maps_open(dir, true, &m);
	if (err)
		return err;
	if (o.watch) {
		err = watch(dir, &m, &o);
		xg_maps_close(&m);
		return err;
	}
	err = gather(dir, &m, &r);
	xg_maps_close(&m);
	if (err)
		goto out;
	if (o.prometheus)
		render_prometheus(&r);
	else if (xg_json)
		err = render_json(&r);
	else
		render_text(&r);
out:
	free(r.ifaces);
	return err;
}

int main(int argc, char **argv)
{
	xg_cli_init("xg-stats");
	return xg_exit(run(argc, argv));
}
