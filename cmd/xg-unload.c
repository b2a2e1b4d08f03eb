// SPDX-License-Identifier: GPL-2.0
/* xg-unload: detach xdpguard from one interface, or take everything away
 * (--all: every link, every map, the pin directory).
 */
#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
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
	printf("Usage: xg-unload [OPTIONS] IFACE\n"
	       "       xg-unload [OPTIONS] --all\n"
	       "Detach xdpguard from IFACE; the lists stay pinned for the "
	       "next xg-load.\n"
	       "--all detaches every interface and removes every pinned map "
	       "(the lists too).\n"
	       "\n"
	       "      --all             detach everything, remove the pin "
	       "directory\n"
	       "  -n, --netns NAME      IFACE is in network namespace NAME "
	       "(ip netns)\n"
	       "      --pin-dir DIR     pin directory (default "
	       "$%s, else\n"
	       "                        %s)\n"
	       "  -j, --json            report errors as JSON on stdout\n"
	       "  -v, --verbose         show more detail on failures\n"
	       "  -V, --version         print the version and exit\n"
	       "  -h, --help            print this help and exit\n",
	       XG_PIN_ENV, XG_DEFAULT_PIN_DIR);
}

struct unload_opts {
	const char *ifname;
	const char *netns;
	struct xg_common_opts co;
	bool all;
};

/* 0: go on; 1: help or version printed; -XG_EUSAGE. */
static int parse_args(int argc, char **argv, struct unload_opts *o)
{
	int c, err = 0;
	char msg[128];

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":n:" XG_COMMON_SHORT, long_opts,
				NULL)) != -1) {
		switch (c) {
		case OPT_ALL:
			o->all = true;
			break;
		case 'n':
			o->netns = *optarg ? optarg : NULL; /* "": the host's */
			break;
		default:
			if (!xg_common_opt(c, &o->co) && !err) {
				xg_opt_error_msg(c, argv, long_opts, msg,
						 sizeof(msg));
				err = xg_usage_err("%s", msg);
			}
			break;
		}
	}
	if (err)
		return err;
	if (xg_common_done(&o->co, usage))
		return 1;
	if (o->all) {
		if (optind < argc || o->netns)
			return xg_usage_err("--all takes no interface");
		return 0;
	}
	if (optind >= argc || !*argv[optind])
		return xg_usage_err("no interface given; see --help");
	if (optind + 1 < argc)
		return xg_usage_err("unexpected argument '%s'; see --help",
				    argv[optind + 1]);
	o->ifname = argv[optind];
	return 0;
}

/* Detaches even if another process holds the link open, then unpins.
 * -ENOENT without a message when nothing is pinned there.
 */
static int unpin_link(const char *path, __u32 *id)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);
	int fd;

	fd = bpf_obj_get(path);
	if (fd < 0) {
		if (errno == ENOENT)
			return -ENOENT;
		if (errno == EPERM || errno == EACCES)
			return xg_fail(-errno, "permission denied; run as root "
					       "(needs CAP_BPF and "
					       "CAP_NET_ADMIN)");
		return xg_fail(-errno, "cannot open %s: %s", path,
			       strerror(errno));
	}
	if (bpf_obj_get_info_by_fd(fd, &info, &len) == 0)
		*id = info.id;
	/* a link whose interface is gone has nothing left to detach */
	if (bpf_link_detach(fd) < 0 && xg_verbose)
		fprintf(stderr, "%s: detaching %s: %s\n", xg_prog, path,
			strerror(errno));
	close(fd);
	if (unlink(path) < 0)
		return xg_fail(-errno, "cannot remove %s: %s", path,
			       strerror(errno));
	return 0;
}

static int unload_one(const struct unload_opts *o, const char *dir)
{
	char path[PATH_MAX];
	__u32 id = 0;
	int fd, err;

	err = xg_link_pin_path(dir, o->netns, o->ifname, path, sizeof(path));
	if (err)
		return xg_fail(-ENOENT, "%s is not guarded", o->ifname);
	err = unpin_link(path, &id);
	if (err == -ENOENT)
		return xg_fail(err, "%s is not guarded", o->ifname);
	if (err)
		return err;

	snprintf(path, sizeof(path), "%s/%s", dir, XG_STR(XG_MAP_IFACES));
	fd = bpf_obj_get(path);
	if (fd >= 0) {
		bpf_map_delete_elem(fd, &id);
		close(fd);
	}
	return 0;
}

static int unload_all(const char *dir)
{
	char links[PATH_MAX], path[PATH_MAX * 2];
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
			err = unpin_link(path, &id);
			if (err && err != -ENOENT) {
				closedir(d);
				return err;
			}
		}
		closedir(d);
		if (rmdir(links) < 0)
			return xg_fail(-errno, "cannot remove %s: %s", links,
				       strerror(errno));
	}

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

int main(int argc, char **argv)
{
	struct unload_opts o = {};
	const char *dir;
	int rc, lock_fd = -1;

	xg_cli_init(argv[0]);
	rc = parse_args(argc, argv, &o);
	if (rc > 0)
		return 0;
	if (rc)
		goto out;
	dir = xg_pin_dir(o.co.pin_opt);

	rc = xg_check_privileges();
	if (rc)
		goto out;
	lock_fd = xg_lock(dir);
	if (lock_fd < 0) {
		rc = lock_fd;
		goto out;
	}
	rc = o.all ? unload_all(dir) : unload_one(&o, dir);
out:
	xg_unlock(lock_fd);
	return xg_exit(rc);
}
