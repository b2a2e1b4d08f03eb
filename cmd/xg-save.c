// SPDX-License-Identifier: GPL-2.0
/* xg-save: the whole state (interfaces, settings, rules, both lists) as a
 * file of command lines that xg-restore reads back (xg-save(8)). A file
 * named with -o is replaced atomically: written to a temporary file in
 * its directory, synced, then renamed over it.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "xg.h"

static const struct option long_opts[] = {
	{ "output", required_argument, NULL, 'o' },
	XG_COMMON_LONG_OPTS,
};

static void usage(void)
{
	printf("Usage: xg-save [-o FILE] [--pin-dir DIR]\n"
	       "Write the whole state of xdpguard (interfaces and their "
	       "modes, every setting,\n"
	       "the rules, the allowlist and the blocklist with the time "
	       "left) as command\n"
	       "lines for xg-restore.\n"
	       "\n"
	       "  -o, --output FILE     write FILE atomically (temporary "
	       "file, fsync, rename);\n"
	       "                        '-' or none: standard output\n"
	       "      --pin-dir DIR     pin directory (default $%s, else\n"
	       "                        %s)\n"
	       "  -j, --json            a failure as JSON on standard output\n"
	       "  -v, --verbose         show libbpf messages\n"
	       "  -V, --version         print the version and exit\n"
	       "  -h, --help            print this help and exit\n",
	       XG_PIN_ENV, XG_DEFAULT_PIN_DIR);
}

struct save_opts {
	struct xg_common_opts co;
	const char *out; /* NULL: stdout */
};

static int parse_args(int argc, char **argv, struct save_opts *o)
{
	int c;

	while ((c = xg_getopt(argc, argv, "o:", long_opts, &o->co)) != -1)
		if (c == 'o')
			o->out = strcmp(optarg, "-") ? optarg : NULL;
	if (!xg_opts_stop(&o->co) && optind < argc)
		xg_opt_bad(&o->co, "unexpected argument '%s'; see --help",
			   argv[optind]);
	if (!xg_opts_stop(&o->co) && o->out && !*o->out)
		xg_opt_bad(&o->co, "no file given to --output");
	return xg_opts_end(&o->co);
}

/* The directory of @path synced, so that the rename survives a crash. */
static void sync_dir(const char *path)
{
	char buf[PATH_MAX];
	int fd;

	snprintf(buf, sizeof(buf), "%s", path);
	fd = open(dirname(buf), O_RDONLY | O_DIRECTORY);
	if (fd >= 0) {
		fsync(fd);
		close(fd);
	}
}

/* FILE.XXXXXX beside FILE, written, synced, renamed over FILE. */
static int write_atomic(const char *path, const char *dir,
			const struct xg_maps *m)
{
	char tmp[PATH_MAX];
	FILE *f = NULL;
	int fd, err;

	if (snprintf(tmp, sizeof(tmp), "%s.XXXXXX", path) >= (int)sizeof(tmp))
		return xg_fail(-ENAMETOOLONG, "file name too long: %s", path);
	fd = mkstemp(tmp);
	if (fd < 0)
		return xg_fail(-errno, "cannot write %s: %s", path,
			       strerror(errno));
	f = fdopen(fd, "w");
	if (!f) {
		err = xg_fail(-errno, "cannot write %s: %s", tmp,
			      strerror(errno));
		close(fd);
		goto fail;
	}
	err = xg_save_write(f, dir, m);
	if (err)
		goto fail;
	if (fflush(f) || fsync(fd)) {
		err = xg_fail(-errno, "cannot write %s: %s", tmp,
			      strerror(errno));
		goto fail;
	}
	if (fclose(f)) {
		f = NULL;
		err = xg_fail(-errno, "cannot write %s: %s", tmp,
			      strerror(errno));
		goto fail;
	}
	f = NULL;
	if (rename(tmp, path)) {
		err = xg_fail(-errno, "cannot rename %s to %s: %s", tmp, path,
			      strerror(errno));
		goto fail;
	}
	sync_dir(path);
	return 0;
fail:
	if (f)
		fclose(f);
	unlink(tmp);
	return err;
}

static int run(const struct save_opts *o)
{
	const char *dir = xg_pin_dir(o->co.pin_opt);
	struct xg_maps m;
	int lock, err;

	err = xg_check_privileges();
	if (err)
		return err;
	err = xg_maps_open(dir, true, &m);
	if (err)
		return err;
	/* no writer in between: one consistent state */
	lock = xg_lock(dir);
	if (lock < 0) {
		err = lock;
		goto out;
	}
	if (o->out) {
		err = write_atomic(o->out, dir, &m);
	} else {
		err = xg_save_write(stdout, dir, &m);
		if (!err && fflush(stdout))
			err = xg_fail(-errno, "cannot write: %s",
				      strerror(errno));
	}
	xg_unlock(lock);
out:
	xg_maps_close(&m);
	return err;
}

int main(int argc, char **argv)
{
	struct save_opts o = {};
	int err;

	xg_cli_init("xg-save");
	err = parse_args(argc, argv, &o);
	if (!err && !xg_common_done(&o.co, usage))
		err = run(&o);
	return xg_exit(err);
}
