// SPDX-License-Identifier: GPL-2.0
/* xg-stats: what xdpguard guards and what it has seen. A reader: maps are
 * opened read-only and no lock is taken. Everything is gathered into one
 * struct report first; each output format is a renderer of that struct.
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "xg.h"

static const struct option long_opts[] = {
	XG_COMMON_LONG_OPTS,
};

static void usage(void)
{
	printf("Usage: %s [-j] [--pin-dir DIR]\n"
	       "\n"
	       "Show the interfaces xdpguard guards, the size of its lists, "
	       "its settings and\n"
	       "its packet counters by class and reason.\n"
	       "\n"
	       "Options:\n"
	       "  -j, --json          JSON output\n"
	       "      --pin-dir DIR   pin directory (default $%s, else\n"
	       "                      %s)\n"
	       "  -v, --verbose       show libbpf messages\n"
	       "  -V, --version       print the version and exit\n"
	       "  -h, --help          print this help and exit\n",
	       xg_prog, XG_PIN_ENV, XG_DEFAULT_PIN_DIR);
}

struct stats_opts {
	struct xg_common_opts co;
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

/* argv is read to the end even after an error, so a later -j applies. */
static int parse_args(int argc, char **argv, struct stats_opts *o)
{
	char msg[128] = "";
	int c;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":" XG_COMMON_SHORT, long_opts,
				NULL)) != -1) {
		if (!xg_common_opt(c, &o->co) && !msg[0])
			xg_opt_error_msg(c, argv, long_opts, msg, sizeof(msg));
	}
	/* report once, after -j had its chance to be seen */
	if (msg[0])
		return xg_usage_err("%s", msg);
	if (o->co.help || o->co.version)
		return 0;
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
	if (o.co.help) {
		usage();
		return 0;
	}
	if (o.co.version) {
		xg_print_version();
		return 0;
	}
	err = xg_check_privileges();
	if (err)
		return err;
	dir = xg_pin_dir(o.co.pin_opt);
	err = xg_maps_open(dir, true, &m);
	if (err)
		return err;
	err = gather(dir, &m, &r);
	xg_maps_close(&m);
	if (err)
		goto out;
	if (xg_json)
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
