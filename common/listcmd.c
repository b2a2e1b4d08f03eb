// SPDX-License-Identifier: GPL-2.0
/* xg-block and xg-allow: one grammar over either list. Every argument and
 * every line of a batch file is validated before a map is touched, so a
 * bad batch changes nothing.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "xg.h"

enum {
	OPT_ORIGIN = XG_OPT_TOOL,
	OPT_SYNC,
	OPT_FORCE,
};

static const struct option long_opts[] = {
	{ "timeout", required_argument, NULL, 't' },
	{ "file", required_argument, NULL, 'f' },
	{ "origin", required_argument, NULL, OPT_ORIGIN },
	{ "sync", no_argument, NULL, OPT_SYNC },
	{ "force", no_argument, NULL, OPT_FORCE },
	XG_COMMON_LONG_OPTS,
};

struct listcmd;
struct listing;

/* The verbs (bpftool's cmds[]): what each takes and does. */
struct verb {
	const char *name;
	/* under the lock; the entries changed, or -errno */
	int (*act)(struct listcmd *lc, struct xg_list *l, struct listing *ls);
	bool addresses; /* ADDR... or -f FILE, at least one */
	bool timeout; /* takes -t */
	const char *count_key; /* -j: {"added": N}; NULL: renders a list */
};

/* The parsed command line and the addresses it names. */
struct listcmd {
	enum xg_list_kind kind;
	const struct verb *verb;
	struct xg_common_opts co;
	const char *file;
	const char *timeout_arg;
	__u64 timeout_s;
	bool force; /* xg-block: past the lockout guard */
	char **words; /* addresses given as arguments */
	int nwords;
	struct xg_prefix *in; /* every address, in input order */
	size_t n, cap;
	struct xg_prefix *set; /* the same, sorted, duplicates removed */
	size_t nset;
	const char *origin; /* --origin; NULL: manual (add), any (others) */
	bool sync; /* --sync */
	/* under the lock */
	const struct xg_maps *m;
	struct xg_origin names[XG_MAX_ORIGINS];
	__u64 deleted, skipped; /* --sync */
};

static const char *list_name(enum xg_list_kind kind)
{
	return kind == XG_LIST_BLOCK ? "blocklist" : "allowlist";
}

static void usage(enum xg_list_kind kind)
{
	const char *p = xg_prog;

	printf("Usage: %s [add] ADDR[/LEN]... [-t DURATION] [--origin NAME]\n"
	       "       %s [add] -f FILE [-t DURATION] [--origin NAME "
	       "[--sync]]\n"
	       "       %s del ADDR[/LEN]... | -f FILE [--origin NAME]\n"
	       "       %s list [--origin NAME] [-j]\n"
	       "       %s flush [--origin NAME]\n"
	       "\n"
	       "Manage the xdpguard %s: packets from sources on it are\n%s.\n"
	       "add (the default word) adds entries or refreshes their "
	       "expiry, del removes\n"
	       "them (all must be present, else none is removed), list "
	       "shows them, flush\n"
	       "removes them all. ADDR is an IPv4 or IPv6 address; ADDR/LEN "
	       "a prefix.\n"
	       "\n"
	       "Options:\n"
	       "  -t, --timeout DURATION  remove the entries after "
	       "DURATION: N seconds,\n"
	       "                          or N with s, m, h or d (default: "
	       "never)\n"
	       "  -f, --file FILE         one ADDR[/LEN] per line, '#' or "
	       "';' comments\n"
	       "                          (FireHOL netsets, Spamhaus DROP); "
	       "'-' is stdin\n"
	       "      --origin NAME       where the entries come from "
	       "(fail2ban's jail, a\n"
	       "                          feed...; default manual): add "
	       "tags them, del,\n"
	       "                          list and flush take only that "
	       "origin's\n"
	       "      --sync              with -f and --origin: that "
	       "origin's entries become\n"
	       "                          the file's, all or nothing; the "
	       "others stay\n"
	       "%s"
	       "  -j, --json              JSON output\n"
	       "      --pin-dir DIR       pin directory (default $%s, else\n"
	       "                          %s)\n"
	       "  -v, --verbose           show libbpf messages\n"
	       "  -V, --version           print the version and exit\n"
	       "  -h, --help              print this help and exit\n",
	       p, p, p, p, p, list_name(kind),
	       kind == XG_LIST_BLOCK ? "dropped" :
				       "always passed, blocklist or not",
	       kind == XG_LIST_BLOCK ?
		       "      --force             add even what would cut off "
		       "your SSH session,\n"
		       "                          the default gateway or a "
		       "nameserver\n" :
		       "",
	       XG_PIN_ENV, XG_DEFAULT_PIN_DIR);
}

/* ---- command line -------------------------------------------------------- */

/* ---- addresses ----------------------------------------------------------- */

static int push(struct listcmd *lc, const struct xg_prefix *p)
{
	struct xg_prefix *tmp;

	if (lc->n == lc->cap) {
		lc->cap = lc->cap ? lc->cap * 2 : 64;
		tmp = realloc(lc->in, lc->cap * sizeof(*tmp));
		if (!tmp)
			return xg_fail(-ENOMEM, "out of memory");
		lc->in = tmp;
	}
	lc->in[lc->n++] = *p;
	return 0;
}

static char *trim(char *s)
{
	char *end;

	s[strcspn(s, "#;")] = '\0';
	while (isspace((unsigned char)*s))
		s++;
	end = s + strlen(s);
	while (end > s && isspace((unsigned char)end[-1]))
		*--end = '\0';
	return s;
}

static int read_file(struct listcmd *lc)
{
	bool is_stdin = !strcmp(lc->file, "-");
	const char *shown = is_stdin ? "<stdin>" : lc->file;
	char *line = NULL, *s, err[256];
	size_t cap = 0, lineno = 0;
	struct xg_prefix p;
	FILE *f;
	int rc = 0;

	f = is_stdin ? stdin : fopen(lc->file, "r");
	if (!f)
		return xg_fail(-errno, "cannot open '%s': %s", lc->file,
			       strerror(errno));
	errno = 0;
	while (getline(&line, &cap, f) >= 0) {
		lineno++;
		s = trim(line);
		if (!*s)
			continue;
		if (xg_parse_prefix(s, &p, err, sizeof(err))) {
			rc = xg_usage_err("%s:%zu: %s", shown, lineno, err);
			goto out;
		}
		rc = push(lc, &p);
		if (rc)
			goto out;
		errno = 0;
	}
	if (ferror(f))
		rc = xg_fail(errno ? -errno : -EIO, "cannot read '%s': %s",
			     shown, strerror(errno ? errno : EIO));
out:
	free(line);
	if (!is_stdin)
		fclose(f);
	return rc;
}

static int prefix_cmp(const void *a, const void *b)
{
	const struct xg_prefix *x = a, *y = b;
	int c;

	if (x->family != y->family)
		return x->family < y->family ? -1 : 1;
	c = memcmp(x->addr, y->addr, sizeof(x->addr));
	if (c)
		return c;
	return (x->len > y->len) - (x->len < y->len);
}

/* Every address of the command, parsed; duplicates fold into one. */
static int gather(struct listcmd *lc)
{
	struct xg_prefix p;
	char err[256];
	size_t i;
	int rc;

	for (i = 0; i < (size_t)lc->nwords; i++) {
		if (xg_parse_prefix(lc->words[i], &p, err, sizeof(err)))
			return xg_usage_err("%s", err);
		rc = push(lc, &p);
		if (rc)
			return rc;
	}
	if (lc->file) {
		rc = read_file(lc);
		if (rc)
			return rc;
	}
	lc->set = malloc((lc->n ? lc->n : 1) * sizeof(*lc->set));
	if (!lc->set)
		return xg_fail(-ENOMEM, "out of memory");
	if (lc->n)
		memcpy(lc->set, lc->in, lc->n * sizeof(*lc->set));
	qsort(lc->set, lc->n, sizeof(*lc->set), prefix_cmp);
	for (i = 0; i < lc->n; i++)
		if (!lc->nset ||
		    prefix_cmp(&lc->set[lc->nset - 1], &lc->set[i]))
			lc->set[lc->nset++] = lc->set[i];
	return 0;
}

/* ---- acting on the list -------------------------------------------------- */

/* Which of the four maps (v4 hosts, v4 prefixes, v6 hosts, v6 prefixes) an
 * address goes to.
 */
static int map_index(const struct xg_prefix *p)
{
	return (p->family == AF_INET6) * 2 + !xg_prefix_is_host(p);
}

struct presence {
	struct listcmd *lc;
	bool *found; /* per lc->set entry */
	int id; /* do_del with --origin: the entries of that origin only */
	bool by_origin;
};

static bool of_origin(const struct listcmd *lc, const struct xg_entry *e,
		      int id);

static int mark_present(const struct xg_list_item *it, void *ctx)
{
	struct presence *pr = ctx;
	struct xg_prefix *hit;

	hit = bsearch(&it->prefix, pr->lc->set, pr->lc->nset,
		      sizeof(*pr->lc->set), prefix_cmp);
	if (hit && (!pr->by_origin || of_origin(pr->lc, &it->entry, pr->id)))
		pr->found[hit - pr->lc->set] = true;
	return 0;
}

/* fresh[map]: the addresses of the batch not on the list yet. */
static int count_new(struct listcmd *lc, struct xg_list *l, __u64 fresh[4])
{
	struct presence pr = { .lc = lc,
			       .found = calloc(lc->nset + 1, sizeof(bool)) };
	size_t i;
	int err;

	if (!pr.found)
		return xg_fail(-ENOMEM, "out of memory");
	err = xg_list_walk(l, mark_present, &pr);
	if (err >= 0) {
		err = 0;
		for (i = 0; i < lc->nset; i++)
			if (pr.found[i])
				fresh[map_index(&lc->set[i])]--;
	}
	free(pr.found);
	return err;
}

/* A batch the maps cannot hold is refused before one entry goes in: a
 * full list must not leave half a batch behind. Exact counts (a walk) only
 * when the batch might not fit.
 */
static int check_room(struct listcmd *lc, struct xg_list *l)
{
	struct xg_list_counts c;
	__u64 want[4] = {}, have[4], max[4];
	size_t i;
	int err;

	for (i = 0; i < lc->nset; i++)
		want[map_index(&lc->set[i])]++;
	err = xg_list_count(l, &c);
	if (err)
		return err;
	/* xg-load sizes the v6 maps like the v4 ones */
	have[0] = c.hosts4, have[1] = c.prefixes4;
	have[2] = c.hosts6, have[3] = c.prefixes6;
	max[0] = max[2] = c.max_hosts;
	max[1] = max[3] = c.max_prefixes;
	for (i = 0; i < 4 && have[i] + want[i] <= max[i]; i++)
		;
	if (i == 4)
		return 0;
	err = count_new(lc, l, want);
	if (err)
		return err;
	for (i = 0; i < 4; i++) {
		if (have[i] + want[i] <= max[i])
			continue;
		if (lc->kind == XG_LIST_BLOCK)
			return xg_fail(-E2BIG,
				       "list is full (%llu entries); run "
				       "xg-load --max-entries with a larger "
				       "number",
				       (unsigned long long)max[i]);
		return xg_fail(-E2BIG,
			       "list is full (%llu entries); remove entries "
			       "with xg-allow del or flush",
			       (unsigned long long)max[i]);
	}
	return 0;
}

/* Whether @e is of origin @id (-1: none has the name; the name "auto":
 * the program's bans).
 */
static bool of_origin(const struct listcmd *lc, const struct xg_entry *e,
		      int id)
{
	if (!lc->origin)
		return true;
	if (!strcmp(lc->origin, XG_ORIGIN_AUTO))
		return e->flags & XG_E_AUTO;
	return id >= 0 && e->origin == id && !(e->flags & XG_E_AUTO);
}

/* --sync: the entries there now, each with the batch entry it is (or
 * NULL), so that the origin's others go and the other origins' stay.
 */
struct sync_walk {
	struct listcmd *lc;
	int id;
	bool *other; /* per lc->set entry: present under another origin */
	struct xg_prefix *gone; /* the origin's entries not in the batch */
	size_t ngone, cap;
};

static int sync_mark(const struct xg_list_item *it, void *ctx)
{
	struct sync_walk *sw = ctx;
	struct xg_prefix *hit, *tmp;

	hit = bsearch(&it->prefix, sw->lc->set, sw->lc->nset,
		      sizeof(*sw->lc->set), prefix_cmp);
	if (hit && !of_origin(sw->lc, &it->entry, sw->id))
		sw->other[hit - sw->lc->set] = true;
	if (hit || !of_origin(sw->lc, &it->entry, sw->id))
		return 0;
	if (sw->ngone == sw->cap) {
		sw->cap = sw->cap ? sw->cap * 2 : 64;
		tmp = realloc(sw->gone, sw->cap * sizeof(*tmp));
		if (!tmp)
			return xg_fail(-ENOMEM, "out of memory");
		sw->gone = tmp;
	}
	sw->gone[sw->ngone++] = it->prefix;
	return 0;
}

static int do_add(struct listcmd *lc, struct xg_list *l, struct listing *ls)
{
	struct sync_walk sw = { .lc = lc };
	size_t i;
	int id = 0, err;

	(void)ls;
	if (lc->origin) {
		id = xg_origin_get(lc->m, lc->names, lc->origin);
		if (id < 0)
			return id;
	}
	sw.id = id;
	err = check_room(lc, l);
	if (err)
		return err;
	if (lc->sync) {
		sw.other = calloc(lc->nset + 1, sizeof(bool));
		if (!sw.other)
			return xg_fail(-ENOMEM, "out of memory");
		err = xg_list_walk(l, sync_mark, &sw);
		if (err < 0)
			goto out;
	}
	for (i = 0; i < lc->nset; i++) {
		if (sw.other && sw.other[i]) {
			lc->skipped++;
			continue;
		}
		err = xg_list_add(l, &lc->set[i], lc->timeout_s, id);
		if (err)
			goto out;
	}
	for (i = 0; i < sw.ngone; i++) {
		err = xg_list_del(l, &sw.gone[i]);
		if (err && err != -ENOENT)
			goto out;
	}
	lc->deleted = sw.ngone;
	err = lc->nset - lc->skipped;
out:
	free(sw.other);
	free(sw.gone);
	return err;
}

/* The lockout guard (common/guard.c), before one entry goes in. */
static int guard(struct listcmd *lc, const struct xg_maps *m)
{
	struct xg_guard_change c = { .block = lc->set, .nblock = lc->nset };

	if (lc->kind != XG_LIST_BLOCK || lc->force ||
	    strcmp(lc->verb->name, "add"))
		return 0;
	return xg_guard_check(&c, m);
}

/* All or nothing: every address must be on the list before one goes. A
 * trie lookup is a longest-prefix match, so presence comes from a walk.
 */
static int do_del(struct listcmd *lc, struct xg_list *l, struct listing *ls)
{
	struct presence pr = { .lc = lc,
			       .found = calloc(lc->nset + 1, sizeof(bool)) };
	struct xg_prefix *hit;
	char a[64];
	size_t i;
	int err;

	if (!pr.found)
		return xg_fail(-ENOMEM, "out of memory");
	pr.by_origin = lc->origin;
	pr.id = lc->origin ? xg_origin_find(lc->names, lc->origin) : 0;
	err = xg_list_walk(l, mark_present, &pr);
	if (err < 0)
		goto out;
	for (i = 0; i < lc->n; i++) {
		hit = bsearch(&lc->in[i], lc->set, lc->nset, sizeof(*lc->set),
			      prefix_cmp);
		if (pr.found[hit - lc->set])
			continue;
		xg_format_prefix(&lc->in[i], a, sizeof(a));
		if (lc->origin)
			err = xg_fail(-ENOENT,
				      "%s is not on the %s with origin %s", a,
				      list_name(lc->kind), lc->origin);
		else
			err = xg_fail(-ENOENT, "%s is not on the %s", a,
				      list_name(lc->kind));
		goto out;
	}
	for (i = 0; i < lc->nset; i++) {
		err = xg_list_del(l, &lc->set[i]);
		if (err && err != -ENOENT)
			goto out;
	}
	err = lc->nset;
out:
	free(pr.found);
	return err;
}

/* What `list` shows, gathered before rendering. */
struct listing {
	struct xg_list_item *items;
	size_t n, cap;
	__u64 now;
	const struct listcmd *lc; /* its --origin and names */
	int id;
};

static int collect(const struct xg_list_item *it, void *ctx)
{
	struct listing *ls = ctx;
	struct xg_list_item *tmp;

	if (!of_origin(ls->lc, &it->entry, ls->id))
		return 0;
	if (ls->n == ls->cap) {
		ls->cap = ls->cap ? ls->cap * 2 : 64;
		tmp = realloc(ls->items, ls->cap * sizeof(*tmp));
		if (!tmp)
			return xg_fail(-ENOMEM, "out of memory");
		ls->items = tmp;
	}
	ls->items[ls->n++] = *it;
	return 0;
}

static void render_text(const struct listing *ls)
{
	const struct xg_list_item *it;
	char a[64], exp[24];
	size_t i;

	printf("%-40s %10s %8s  %s\n", "ADDRESS", "HITS", "EXPIRES", "ORIGIN");
	for (i = 0; i < ls->n; i++) {
		it = &ls->items[i];
		xg_format_prefix(&it->prefix, a, sizeof(a));
		if (it->entry.expires_ns)
			snprintf(exp, sizeof(exp), "%llus",
				 (unsigned long long)xg_entry_expires_in(
					 &it->entry, ls->now));
		else
			snprintf(exp, sizeof(exp), "never");
		printf("%-40s %10llu %8s  %s\n", a,
		       (unsigned long long)it->entry.hits, exp,
		       xg_origin_name(ls->lc->names, &it->entry));
	}
}

static int render_json(const struct listing *ls)
{
	struct xg_json *j = xg_json_new(stdout);
	const struct xg_list_item *it;
	char a[64];
	size_t i;

	if (!j)
		return xg_fail(-ENOMEM, "out of memory");
	xg_json_arr_open(j);
	for (i = 0; i < ls->n; i++) {
		it = &ls->items[i];
		xg_format_prefix(&it->prefix, a, sizeof(a));
		xg_json_obj_open(j);
		xg_json_kv_str(j, "address", a);
		xg_json_kv_str(j, "family",
			       it->prefix.family == AF_INET ? "ipv4" : "ipv6");
		xg_json_kv_u64(j, "prefix_len", it->prefix.len);
		xg_json_kv_u64(j, "hits", it->entry.hits);
		xg_json_key(j, "expires_in");
		if (it->entry.expires_ns)
			xg_json_u64(j,
				    xg_entry_expires_in(&it->entry, ls->now));
		else
			xg_json_null(j);
		xg_json_kv_bool(j, "auto", it->entry.flags & XG_E_AUTO);
		xg_json_kv_str(j, "origin",
			       xg_origin_name(ls->lc->names, &it->entry));
		xg_json_obj_close(j);
	}
	xg_json_arr_close(j);
	xg_json_free(j);
	return 0;
}

static int do_list(struct listcmd *lc, struct xg_list *l, struct listing *ls)
{
	int err;

	ls->now = xg_now_ns();
	ls->lc = lc;
	ls->id = lc->origin ? xg_origin_find(lc->names, lc->origin) : 0;
	err = xg_list_walk(l, collect, ls);
	return err < 0 ? err : 0;
}

/* flush --origin: the entries of that origin, one by one. */
static int do_flush(struct listcmd *lc, struct xg_list *l, struct listing *ls)
{
	size_t i;
	int err;

	if (!lc->origin)
		return xg_list_flush(l);
	err = do_list(lc, l, ls);
	for (i = 0; !err && i < ls->n; i++) {
		err = xg_list_del(l, &ls->items[i].prefix);
		if (err == -ENOENT)
			err = 0;
	}
	return err ? err : (int)ls->n;
}

static const struct verb verbs[] = {
	{ "add", do_add, true, true, "added" },
	{ "del", do_del, true, false, "deleted" },
	{ "list", do_list, false, false, NULL },
	{ "flush", do_flush, false, false, "flushed" },
};

static void print_count(const struct verb *verb, int n)
{
	struct xg_json *j;

	if (!xg_json || !verb->count_key)
		return;
	j = xg_json_new(stdout);
	if (!j)
		return;
	xg_json_obj_open(j);
	xg_json_kv_u64(j, verb->count_key, n);
	xg_json_obj_close(j);
	xg_json_free(j);
}

static void print_sync(const struct listcmd *lc, int n)
{
	struct xg_json *j;

	if (!xg_json)
		return;
	j = xg_json_new(stdout);
	if (!j)
		return;
	xg_json_obj_open(j);
	xg_json_kv_u64(j, "synced", n);
	xg_json_kv_u64(j, "deleted", lc->deleted);
	xg_json_kv_u64(j, "other_origin", lc->skipped);
	xg_json_obj_close(j);
	xg_json_free(j);
}

/* Expire, act, keep the config bits in step: all under the lock. */
static int apply(struct listcmd *lc, struct listing *ls)
{
	const char *dir = xg_pin_dir(lc->co.pin_opt);
	struct xg_maps m;
	struct xg_list l;
	int lock, n = 0, err;

	err = xg_check_privileges();
	if (err)
		return err;
	err = xg_maps_open(dir, false, &m);
	if (err)
		return err;
	lock = xg_lock(dir);
	if (lock < 0) {
		err = lock;
		goto out_maps;
	}
	xg_list_from_maps(&l, &m, lc->kind);
	lc->m = &m;
	n = xg_origins_read(m.origins, lc->names);
	if (n < 0) {
		err = n;
		goto out;
	}
	n = xg_list_expire(&l);
	if (n < 0) {
		err = n;
		goto out;
	}
	err = guard(lc, &m);
	if (err)
		goto out;
	n = lc->verb->act(lc, &l, ls);
	/* after a failure too: part of a batch may be in */
	err = xg_list_sync_bits(&l);
	if (!err)
		err = xg_pfx_sync(&m);
	if (n < 0)
		err = n;
	else if (!err)
		err = n;
out:
	xg_unlock(lock);
out_maps:
	xg_maps_close(&m);
	return err;
}

/* ---- main ---------------------------------------------------------------- */

static void parse_opts(int argc, char **argv, struct listcmd *lc)
{
	int c;

	while ((c = xg_getopt(argc, argv, "t:f:", long_opts, &lc->co)) != -1) {
		switch (c) {
		case 't':
			lc->timeout_arg = optarg;
			if (xg_parse_duration(optarg, &lc->timeout_s))
				xg_opt_bad(&lc->co,
					   "invalid timeout '%s' (seconds, or "
					   "a number with s, m, h or d)",
					   optarg);
			break;
		case 'f':
			lc->file = optarg;
			break;
		case OPT_ORIGIN:
			lc->origin = optarg;
			if (!xg_origin_valid(optarg))
				xg_opt_bad(&lc->co,
					   "invalid origin '%s' (a-z, 0-9 and "
					   "_.:- up to %d characters, starting "
					   "with a letter or digit)",
					   optarg, XG_ORIGIN_LEN - 1);
			break;
		case OPT_SYNC:
			lc->sync = true;
			break;
		case OPT_FORCE:
			if (lc->kind != XG_LIST_BLOCK)
				xg_opt_bad(&lc->co,
					   "unknown option '--force'; see "
					   "--help");
			lc->force = true;
			break;
		}
	}
}

/* The verb, and which options and arguments it takes. */
static void parse_words(int argc, char **argv, struct listcmd *lc)
{
	const struct verb *v = xg_cmd_select(verbs, argv[optind]);
	struct xg_common_opts *co = &lc->co;

	lc->verb = v ? v : &verbs[0]; /* add, the default word */
	if (v)
		optind++;
	lc->words = argv + optind;
	lc->nwords = argc - optind;

	if (!lc->verb->addresses) {
		if (lc->nwords)
			xg_opt_bad(co, "unexpected argument '%s'; see --help",
				   lc->words[0]);
		if (lc->file)
			xg_opt_bad(co,
				   "option '--file' does not apply to %s; "
				   "see --help",
				   lc->verb->name);
	} else if (!lc->nwords && !lc->file) {
		xg_opt_bad(co, "no address given; see --help");
	}
	if (lc->force && strcmp(lc->verb->name, "add"))
		xg_opt_bad(co,
			   "option '--force' does not apply to %s; see --help",
			   lc->verb->name);
	if (lc->timeout_arg && !lc->verb->timeout)
		xg_opt_bad(
			co,
			"option '--timeout' does not apply to %s; see --help",
			lc->verb->name);
	if (lc->origin && lc->verb->timeout &&
	    !strcmp(lc->origin, XG_ORIGIN_AUTO))
		xg_opt_bad(co, "origin 'auto' is the program's own bans; "
			       "name another");
	if (lc->sync && !lc->verb->timeout)
		xg_opt_bad(co,
			   "option '--sync' does not apply to %s; see --help",
			   lc->verb->name);
	else if (lc->sync && (!lc->file || !lc->origin || lc->nwords))
		xg_opt_bad(co, "option '--sync' needs -f FILE and --origin "
			       "NAME, and no addresses besides");
}

static int parse_args(int argc, char **argv, struct listcmd *lc)
{
	parse_opts(argc, argv, lc);
	if (!xg_opts_stop(&lc->co))
		parse_words(argc, argv, lc);
	return xg_opts_end(&lc->co);
}

static int run(struct listcmd *lc)
{
	struct listing ls = {};
	int n, err;

	err = gather(lc);
	if (err)
		goto out;
	n = apply(lc, &ls);
	if (n < 0) {
		err = n;
		goto out;
	}
	if (lc->sync)
		print_sync(lc, n);
	else if (lc->verb->count_key)
		print_count(lc->verb, n);
	else if (xg_json)
		err = render_json(&ls);
	else
		render_text(&ls);
out:
	free(ls.items);
	free(lc->in);
	free(lc->set);
	return err;
}

static enum xg_list_kind usage_kind;

static void print_usage(void)
{
	usage(usage_kind);
}

int xg_listcmd_main(int argc, char **argv, enum xg_list_kind kind)
{
	struct listcmd lc = { .kind = kind };
	int err;

	usage_kind = kind;
	err = parse_args(argc, argv, &lc);
	if (!err && !xg_common_done(&lc.co, print_usage))
		err = run(&lc);
	return err;
}
