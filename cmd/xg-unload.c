// SPDX-License-Identifier: GPL-2.0
/* xg-unload: detach xdpguard from one interface, or take everything away
 * (--all: every link, every map, the pin directory).
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

enum {
	OPT_ALL = XG_OPT_TOOL,
};

static const struct option long_opts[] = {
	{ "all", no_argument, NULL, OPT_ALL },
	{ "netns", required_argument, NULL, 'n' },
	XG_COMMON_LONG_OPTS,
};

static void usage(void)
{
	printf("Usage: xg-unload [OPTIONS] IFACE[@NAME]\n"
	       "       xg-unload [OPTIONS] --all\n"
	       "Detach xdpguard from IFACE; the lists stay pinned for the "
	       "next xg-load.\n"
	       "--all detaches every interface and removes every pinned map "
	       "(the lists too).\n"
	       "\n"
	       "      --all             detach everything, remove the pin "
	       "directory\n"
	       "  -n, --netns NAME      IFACE is in network namespace NAME "
	       "(ip netns),\n"
	       "                        as IFACE@NAME says too\n"
	       "      --pin-dir DIR     pin directory (default "
	       "$%s, else\n"
	       "                        %s)\n"
	       "  -j, --json            print the result (or the error) as JSON\n"
	       "  -v, --verbose         show more detail on failures\n"
	       "  -V, --version         print the version and exit\n"
	       "  -h, --help            print this help and exit\n",
	       XG_PIN_ENV, XG_DEFAULT_PIN_DIR);
}

struct unload_opts {
	const char *ifname; /* of iface */
	const char *netns; /* of iface; NULL: the pins' namespace */
	const char *netns_opt; /* -n */
	struct xg_ifname iface;
	struct xg_common_opts co;
	bool all;
};

/* IFACE (or IFACE@NETNS), or --all and nothing else. */
static int check_args(struct unload_opts *o, int argc, char **argv)
{
	if (o->all) {
		if (optind < argc || o->netns_opt)
			return xg_opt_bad(&o->co, "--all takes no interface");
		return 0;
	}
	if (optind >= argc || !*argv[optind])
		return xg_opt_bad(&o->co, "no interface given; see --help");
	if (optind + 1 < argc)
		return xg_opt_bad(&o->co,
				  "unexpected argument '%s'; see --help",
				  argv[optind + 1]);
	if (xg_opt_iface(&o->co, argv[optind], o->netns_opt, &o->iface))
		return -XG_EUSAGE;
	o->ifname = o->iface.ifname;
	o->netns = o->iface.netns[0] ? o->iface.netns : NULL;
	return 0;
}

static int parse_args(int argc, char **argv, struct unload_opts *o)
{
	int c;

	while ((c = xg_getopt(argc, argv, "n:", long_opts, &o->co)) != -1) {
		switch (c) {
		case OPT_ALL:
			o->all = true;
			break;
		case 'n':
			xg_opt_netns(&o->co, optarg, &o->netns_opt);
			break;
		}
	}
	if (!xg_opts_stop(&o->co))
		check_args(o, argc, argv);
	return xg_opts_end(&o->co);
}

/* The interface of link @id is gone: its counts move to the detached
 * slot (totals stay), then its entry goes, freeing the slot. Pins of
 * another version are left to xg-unload --all.
 */
static int forget_iface(const char *dir, __u32 id)
{
	struct xg_maps m;
	int err;

	xg_maps_open_tolerant(dir, &m);
	err = xg_iface_forget(m.ifaces, m.stats, id);
	xg_maps_close(&m);
	return err;
}

/* The interfaces detached, in the order they went, for -j. */
struct gone {
	char ifname[XG_IFNAMSIZ * 3 + 1]; /* as decoded from a pin name */
	char netns[NAME_MAX + 1];
};

struct detached {
	struct gone *v;
	size_t n, cap;
};

static int detached_add(struct detached *d, const char *ifname,
			const char *netns)
{
	struct gone *tmp;

	if (d->n == d->cap) {
		d->cap = d->cap ? d->cap * 2 : 8;
		tmp = realloc(d->v, d->cap * sizeof(*tmp));
		if (!tmp)
			return xg_fail(-ENOMEM, "out of memory");
		d->v = tmp;
	}
	snprintf(d->v[d->n].ifname, sizeof(d->v[d->n].ifname), "%s", ifname);
	snprintf(d->v[d->n].netns, sizeof(d->v[d->n].netns), "%s",
		 netns ? netns : "");
	d->n++;
	return 0;
}

static void print_json(const struct detached *d)
{
	struct xg_json *j = xg_json_new(stdout);
	size_t i;

	if (!j)
		return;
	xg_json_obj_open(j);
	xg_json_key(j, "detached");
	xg_json_arr_open(j);
	for (i = 0; i < d->n; i++) {
		xg_json_obj_open(j);
		xg_json_kv_str(j, "interface", d->v[i].ifname);
		xg_json_kv_str(j, "netns",
			       d->v[i].netns[0] ? d->v[i].netns : NULL);
		xg_json_obj_close(j);
	}
	xg_json_arr_close(j);
	xg_json_obj_close(j);
	xg_json_free(j);
}

static int unload_one(const struct unload_opts *o, const char *dir,
		      struct detached *out)
{
	char path[PATH_MAX];
	__u32 id = 0;
	int err;

	err = xg_link_pin_path(dir, o->netns, o->ifname, path, sizeof(path));
	if (err)
		return xg_fail(-ENOENT, "%s is not guarded", o->ifname);
	err = xg_link_unpin(path, &id);
	if (err == -ENOENT)
		return xg_fail(err, "%s is not guarded", o->ifname);
	if (err)
		return err;
	err = forget_iface(dir, id);
	if (!err)
		err = detached_add(out, o->ifname, o->netns);
	return err;
}

static int gone_cmp(const void *a, const void *b)
{
	const struct gone *x = a, *y = b;
	int c = strcmp(x->ifname, y->ifname);

	return c ? c : strcmp(x->netns, y->netns);
}

/* Every link goes with the maps, so no counter slot needs retiring. */
static int unload_all(const char *dir, struct detached *out)
{
	char links[PATH_MAX], path[PATH_MAX * 2];
	struct gone g;
	struct dirent *de;
	__u32 id;
	DIR *d;
	int err;

	snprintf(links, sizeof(links), "%s/%s", dir, XG_LINKS_SUBDIR);
	d = opendir(links);
	if (d) {
		while ((de = readdir(d))) {
			if (de->d_name[0] == '.')
				continue;
			snprintf(path, sizeof(path), "%s/%s", links,
				 de->d_name);
			err = xg_link_unpin(path, &id);
			if (err == -ENOENT)
				continue;
			if (!err &&
			    xg_link_pin_name_decode(de->d_name, g.netns,
						    sizeof(g.netns), g.ifname,
						    sizeof(g.ifname)))
				err = detached_add(out, de->d_name, NULL);
			else if (!err)
				err = detached_add(out, g.ifname, g.netns);
			if (err) {
				closedir(d);
				return err;
			}
		}
		closedir(d);
		if (out->n)
			qsort(out->v, out->n, sizeof(*out->v), gone_cmp);
		if (rmdir(links) < 0)
			return xg_fail(-errno, "cannot remove %s: %s", links,
				       strerror(errno));
	}

	/* xg-features' reader lock; one it holds goes too (rmdir of an
	 * open directory is fine)
	 */
	snprintf(path, sizeof(path), "%s/%s", dir, XG_FEATURES_SUBDIR);
	if (rmdir(path) < 0 && errno != ENOENT)
		return xg_fail(-errno, "cannot remove %s: %s", path,
			       strerror(errno));

	d = opendir(dir);
	if (!d)
		return xg_fail(-errno, "cannot open %s: %s", dir,
			       strerror(errno));
	/* only our names: a --pin-dir pointed at a shared place stays intact */
	while ((de = readdir(d))) {
		if (strncmp(de->d_name, "xg_", 3))
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		if (unlink(path) < 0 && errno != ENOENT) {
			err = xg_fail(-errno, "cannot remove %s: %s", path,
				      strerror(errno));
			closedir(d);
			return err;
		}
	}
	closedir(d);
	if (rmdir(dir) < 0)
		return xg_fail(-errno, "cannot remove %s: %s", dir,
			       strerror(errno));
	return 0;
}

static int run(const struct unload_opts *o)
{
	const char *dir = xg_pin_dir(o->co.pin_opt);
	struct detached gone = {};
	int err, lock_fd = -1;

	err = xg_check_privileges();
	if (err)
		return err;
	lock_fd = xg_lock(dir);
	if (lock_fd < 0) {
		err = lock_fd;
		goto out;
	}
	err = o->all ? unload_all(dir, &gone) : unload_one(o, dir, &gone);
	if (!err && xg_json)
		print_json(&gone);
out:
	xg_unlock(lock_fd);
	free(gone.v);
	return err;
}

int main(int argc, char **argv)
{
	struct unload_opts o = {};
	int err;

	xg_cli_init("xg-unload");
	err = parse_args(argc, argv, &o);
	if (!err && !xg_common_done(&o.co, usage))
		err = run(&o);
	return xg_exit(err);
}
