// SPDX-License-Identifier: GPL-2.0
/* xg-restore: read a file of xg-save whole, then apply it all or nothing
 * (xg-restore(8)). Interfaces are xg-load's unless --load is given; then
 * xg-load itself guards each one not guarded yet, since only xg-load
 * embeds the program and may create the maps.
 */
#include <errno.h>
#include <getopt.h>
#include <libgen.h>
#include <limits.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/wait.h>

#include "xg.h"

enum {
	OPT_FLUSH = XG_OPT_TOOL,
	OPT_LOAD,
	OPT_DRY_RUN,
	OPT_FORCE,
	OPT_NO_SYSCTL,
};

static const struct option long_opts[] = {
	{ "flush", no_argument, NULL, OPT_FLUSH },
	{ "load", no_argument, NULL, OPT_LOAD },
	{ "dry-run", no_argument, NULL, OPT_DRY_RUN },
	{ "force", no_argument, NULL, OPT_FORCE },
	{ "no-sysctl", no_argument, NULL, OPT_NO_SYSCTL },
	XG_COMMON_LONG_OPTS,
};

static void usage(void)
{
	printf("Usage: xg-restore FILE|- [--flush] [--load] [--dry-run] "
	       "[--force] [--no-sysctl]\n"
	       "                  [--pin-dir DIR]\n"
	       "Read a file of xg-save, check every line, then apply it all "
	       "or nothing: on a\n"
	       "failure half-way the state before is put back.\n"
	       "\n"
	       "      --flush           make the state equal to the file: "
	       "entries and rules\n"
	       "                        not in it are removed (the settings "
	       "are set anyway)\n"
	       "      --load            run xg-load for each interface of the "
	       "file not guarded\n"
	       "                        yet (otherwise load lines are left to "
	       "xg-load)\n"
	       "      --dry-run         check the file, change nothing\n"
	       "      --force           restore even entries or rules that "
	       "would cut off\n"
	       "                        your SSH session, the default "
	       "gateway or a nameserver\n"
	       "      --no-sysctl       leave net.ipv4.tcp_syncookies as it "
	       "is (syn-cookies\n"
	       "                        lines set it otherwise)\n"
	       "      --pin-dir DIR     pin directory (default $%s, else\n"
	       "                        %s)\n"
	       "  -j, --json            print the result (or the error) as JSON\n"
	       "  -v, --verbose         show libbpf messages\n"
	       "  -V, --version         print the version and exit\n"
	       "  -h, --help            print this help and exit\n",
	       XG_PIN_ENV, XG_DEFAULT_PIN_DIR);
}

struct restore_opts {
	struct xg_common_opts co;
	const char *file;
	bool flush, load, dry_run, force, no_sysctl;
};

/* The lockout guard (common/guard.c) over the file's blocklist and
 * rules, before anything is applied.
 */
static int guard(const struct xg_save *s, const struct xg_maps *m)
{
	const struct xg_save_list *bl = &s->list[XG_LIST_BLOCK];
	struct xg_guard_change c = {};
	struct xg_prefix *block;
	struct xg_rule_src *rules;
	const char **where;
	size_t i;
	int err;

	block = calloc(bl->n + 1, sizeof(*block));
	rules = calloc(s->nrules + 1, sizeof(*rules));
	where = calloc(s->nrules + 1, sizeof(*where));
	if (!block || !rules || !where) {
		err = xg_fail(-ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < bl->n; i++)
		block[i] = bl->v[i].prefix;
	for (i = 0; i < s->nrules; i++) {
		rules[i] = s->rules[i].src;
		where[i] = s->rules[i].where;
	}
	c.block = block;
	c.nblock = bl->n;
	c.rules = rules;
	c.where = where;
	c.nrules = s->nrules;
	err = xg_guard_check(&c, m);
out:
	free(block);
	free(rules);
	free(where);
	return err;
}

static int parse_args(int argc, char **argv, struct restore_opts *o)
{
	int c;

	while ((c = xg_getopt(argc, argv, "", long_opts, &o->co)) != -1) {
		if (c == OPT_FLUSH)
			o->flush = true;
		else if (c == OPT_LOAD)
			o->load = true;
		else if (c == OPT_DRY_RUN)
			o->dry_run = true;
		else if (c == OPT_FORCE)
			o->force = true;
		else if (c == OPT_NO_SYSCTL)
			o->no_sysctl = true;
	}
	if (xg_opts_stop(&o->co))
		return xg_opts_end(&o->co);
	if (optind >= argc || !*argv[optind])
		xg_opt_bad(&o->co, "no file given; see --help");
	else if (optind + 1 < argc)
		xg_opt_bad(&o->co, "unexpected argument '%s'; see --help",
			   argv[optind + 1]);
	else
		o->file = argv[optind];
	return xg_opts_end(&o->co);
}

static int read_save(const char *file, struct xg_save *s)
{
	bool is_stdin = !strcmp(file, "-");
	FILE *f = is_stdin ? stdin : fopen(file, "r");
	int err;

	if (!f)
		return xg_fail(-errno, "cannot open '%s': %s", file,
			       strerror(errno));
	err = xg_save_parse(f, is_stdin ? "<stdin>" : file, s);
	if (!is_stdin)
		fclose(f);
	return err;
}

/* ---- --load -------------------------------------------------------------- */

/* The xg-load beside this program (/proc/self/exe), else on PATH. */
static void xg_load_path(char *buf, size_t len)
{
	char self[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", self, sizeof(self) - 1);

	if (n <= 0) {
		snprintf(buf, len, "xg-load");
		return;
	}
	self[n] = '\0';
	snprintf(buf, len, "%s/xg-load", dirname(self));
}

static int run_xg_load(const char *dir, const struct xg_save_load *ld)
{
	char path[PATH_MAX], name[XG_IFNAMSIZ + XG_NETNSSIZ + 1];
	char me[16], tr[16], fr[16];
	const char *argv[20];
	int n = 0, status;
	pid_t pid;

	xg_load_path(path, sizeof(path));
	xg_iface_label(ld->iface.ifname, ld->iface.netns, name, sizeof(name));
	argv[n++] = "xg-load";
	argv[n++] = "--pin-dir";
	argv[n++] = dir;
	argv[n++] = "--mode";
	argv[n++] = xg_mode_name(ld->mode);
	if (ld->max_entries) {
		snprintf(me, sizeof(me), "%u", ld->max_entries);
		argv[n++] = "--max-entries";
		argv[n++] = me;
	}
	if (ld->track) {
		snprintf(tr, sizeof(tr), "%u", ld->track);
		argv[n++] = "--track";
		argv[n++] = tr;
	}
	if (ld->feature_ring) {
		snprintf(fr, sizeof(fr), "%u", ld->feature_ring);
		argv[n++] = "--feature-ring";
		argv[n++] = fr;
	}
	if (ld->malformed >= 0)
		argv[n++] = ld->malformed ? "--drop-malformed" :
					    "--pass-malformed";
	argv[n++] = name;
	argv[n] = NULL;
	errno = posix_spawnp(&pid, path, NULL, NULL, (char **)argv, environ);
	if (errno)
		return xg_fail(-errno, "cannot run %s: %s", path,
			       strerror(errno));
	if (waitpid(pid, &status, 0) < 0)
		return xg_fail(-errno, "cannot wait for xg-load: %s",
			       strerror(errno));
	if (!WIFEXITED(status) || WEXITSTATUS(status))
		return xg_fail(-EIO, "xg-load %s failed", name);
	return 0;
}

/* Each interface of the file that has no link pinned yet. */
static int load_ifaces(const char *dir, const struct xg_save *s)
{
	char path[PATH_MAX];
	size_t i;
	int err;

	for (i = 0; i < s->nloads; i++) {
		const struct xg_save_load *ld = &s->loads[i];

		err = xg_link_pin_path(dir, ld->iface.netns, ld->iface.ifname,
				       path, sizeof(path));
		if (err)
			return xg_fail(err, "interface name '%s' is too long",
				       ld->iface.ifname);
		if (access(path, F_OK) == 0)
			continue;
		err = run_xg_load(dir, ld);
		if (err)
			return err;
	}
	return 0;
}

/* ---- main ---------------------------------------------------------------- */

static void print_json(const struct xg_save *s, bool applied)
{
	struct xg_json *j = xg_json_new(stdout);

	if (!j)
		return;
	xg_json_obj_open(j);
	xg_json_kv_bool(j, "applied", applied);
	xg_json_kv_u64(j, "interfaces", s->nloads);
	xg_json_kv_u64(j, "settings", s->nthr);
	xg_json_kv_u64(j, "rules", s->nrules);
	xg_json_kv_u64(j, "allow", s->list[XG_LIST_ALLOW].n);
	xg_json_kv_u64(j, "block", s->list[XG_LIST_BLOCK].n);
	xg_json_obj_close(j);
	xg_json_free(j);
}

static int apply(const struct restore_opts *o, const struct xg_save *s)
{
	const char *dir = xg_pin_dir(o->co.pin_opt);
	struct xg_maps m;
	int lock, err;

	err = xg_check_privileges();
	if (err)
		return err;
	if (o->load) {
		err = load_ifaces(dir, s);
		if (err)
			return err;
	}
	err = xg_maps_open(dir, false, &m);
	if (err)
		return err;
	lock = xg_lock(dir);
	if (lock < 0) {
		err = lock;
		goto out;
	}
	err = o->force ? 0 : guard(s, &m);
	if (!err)
		err = xg_save_restore(dir, &m, s, o->flush, !o->no_sysctl);
	xg_unlock(lock);
out:
	xg_maps_close(&m);
	return err;
}

static int run(const struct restore_opts *o)
{
	struct xg_save s = {};
	int err;

	err = read_save(o->file, &s);
	if (!err && !o->dry_run)
		err = apply(o, &s);
	if (!err && xg_json)
		print_json(&s, !o->dry_run);
	xg_save_free(&s);
	return err;
}

int main(int argc, char **argv)
{
	struct restore_opts o = {};
	int err;

	xg_cli_init("xg-restore");
	err = parse_args(argc, argv, &o);
	if (!err && !xg_common_done(&o.co, usage))
		err = run(&o);
	return xg_exit(err);
}
