// SPDX-License-Identifier: GPL-2.0
/* xg-save and xg-restore: the whole state as a file of our own command
 * lines (xg-save(8)), read back whole before anything changes, applied
 * all or nothing: a failure half-way puts back a snapshot taken with the
 * same code that writes the file.
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "xg.h"

#define MAX_WORDS 64 /* of one line: a rule has fewer than 40 */

static const char *const list_word[] = {
	[XG_LIST_ALLOW] = "allow",
	[XG_LIST_BLOCK] = "block",
};

/* ---- writing ------------------------------------------------------------- */

struct entry_out {
	FILE *f;
	const char *word;
	__u64 now;
	struct xg_origin names[XG_MAX_ORIGINS];
};

static int put_entry(const struct xg_list_item *it, void *ctx)
{
	struct entry_out *eo = ctx;
	const char *origin = xg_origin_name(eo->names, &it->entry);
	char a[64];

	xg_format_prefix(&it->prefix, a, sizeof(a));
	fprintf(eo->f, "%s add %s", eo->word, a);
	if (it->entry.expires_ns)
		fprintf(eo->f, " -t %llu",
			(unsigned long long)xg_entry_expires_in(&it->entry,
								eo->now));
	if (strcmp(origin, XG_ORIGIN_MANUAL))
		fprintf(eo->f, " --origin %s", origin);
	fputc('\n', eo->f);
	return 0;
}

static int save_lists(FILE *f, const struct xg_maps *m)
{
	static struct entry_out eo;
	struct xg_list l;
	int k, n;

	eo.f = f;
	eo.now = xg_now_ns();
	n = xg_origins_read(m->origins, eo.names);
	if (n)
		return n;
	for (k = XG_LIST_ALLOW; k <= XG_LIST_BLOCK; k++) {
		xg_list_from_maps(&l, m, k);
		eo.word = list_word[k];
		n = xg_list_walk(&l, put_entry, &eo);
		if (n < 0)
			return n;
	}
	return 0;
}

static int save_rules(FILE *f, const struct xg_maps *m)
{
	struct xg_rule_src *src = calloc(XG_MAX_RULES, sizeof(*src));
	char match[512], act[64];
	int i, n, err;

	if (!src)
		return xg_fail(-ENOMEM, "out of memory");
	err = xg_rules_read(m->rulesrc, src, &n);
	if (err) {
		err = xg_fail(err, "cannot read the rules: %s", strerror(-err));
		goto out;
	}
	for (i = 0; i < n; i++) {
		xg_rule_format_match(&src[i], match, sizeof(match));
		xg_rule_format_action(&src[i].r, act, sizeof(act));
		fprintf(f, "rule add id %u prio %u %s%s%s\n", src[i].r.id,
			src[i].r.prio, strcmp(match, "any") ? match : "",
			strcmp(match, "any") ? " " : "", act);
	}
out:
	free(src);
	return err;
}

/* The interfaces as the xg-load lines that guard them again, with the
 * sizes of the maps they share, fixed while pinned.
 */
static int save_ifaces(FILE *f, const char *dir, const struct xg_maps *m,
		       const struct xg_config *cfg)
{
	struct xg_report_iface *v;
	char name[XG_IFNAMSIZ + XG_NETNSSIZ + 1];
	size_t n, i;
	int err;

	err = xg_links_read(dir, m, &v, &n);
	if (err)
		return err;
	for (i = 0; i < n; i++) {
		xg_iface_label(v[i].ifname, v[i].netns, name, sizeof(name));
		fprintf(f,
			"load %s --mode %s --max-entries %u --track %u "
			"--feature-ring %u --%s-malformed\n",
			name, xg_mode_name(v[i].mode < 0 ? 0 : v[i].mode),
			xg_map_max_entries(m->block4),
			xg_map_max_entries(m->track),
			xg_map_max_entries(m->feats),
			cfg->flags & XG_CFG_DROP_MALFORMED ? "drop" : "pass");
	}
	free(v);
	return 0;
}

int xg_save_write(FILE *f, const char *dir, const struct xg_maps *m)
{
	static struct xg_sc_image sc;
	struct xg_config cfg;
	char when[32];
	int err;

	err = xg_config_read(m, &cfg);
	if (!err)
		err = xg_sc_read(m, &sc);
	if (err)
		return err;
	xg_format_time(xg_clock_ns(CLOCK_REALTIME), when, sizeof(when));
	fprintf(f, "%s %d abi %d %s\n", XG_SAVE_MAGIC, XG_SAVE_FORMAT,
		XG_ABI_VERSION, when);
	err = save_ifaces(f, dir, m, &cfg);
	if (err)
		return err;
	xg_thr_save(f, "threshold ", &cfg, &sc);
	err = save_rules(f, m);
	if (!err)
		err = save_lists(f, m);
	if (!err)
		fprintf(f, "%s\n", XG_SAVE_END);
	return err;
}

/* ---- reading ------------------------------------------------------------- */

/* The line being read: its words, and "FILE:LINE: " for messages. */
struct line {
	char *w[MAX_WORDS];
	int n;
	char where[300];
	struct xg_common_opts co; /* the first error */
};

static int split(char *s, struct line *ln)
{
	ln->n = 0;
	for (;;) {
		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			return 0;
		if (ln->n == MAX_WORDS)
			return xg_opt_bad(&ln->co, "more than %d words",
					  MAX_WORDS);
		ln->w[ln->n++] = s;
		while (*s && !isspace((unsigned char)*s))
			s++;
		if (*s)
			*s++ = '\0';
	}
}

/* Room for one more item of @size bytes in *v (count *n, room *cap). */
static void *grow(void **v, size_t *n, size_t *cap, size_t size)
{
	void *tmp;

	if (*n == *cap) {
		*cap = *cap ? *cap * 2 : 64;
		tmp = realloc(*v, *cap * size);
		if (!tmp)
			return NULL;
		*v = tmp;
	}
	memset((char *)*v + (*n)++ * size, 0, size);
	return (char *)*v + (*n - 1) * size;
}

#define GROW(s, arr, n, cap) \
	grow((void **)&(s)->arr, &(s)->n, &(s)->cap, sizeof(*(s)->arr))

/* The value of option w[*i], or a usage error. */
static const char *opt_value(struct line *ln, int *i)
{
	if (*i + 1 >= ln->n) {
		xg_opt_bad(&ln->co, "option '%s' needs a value", ln->w[*i]);
		return NULL;
	}
	return ln->w[++*i];
}

static int mode_of(const char *s)
{
	static const char *const names[] = { "native", "skb", "offload" };
	int i;

	for (i = 0; i < 3; i++)
		if (!strcmp(s, names[i]))
			return i == 0 ? XG_MODE_NATIVE :
			       i == 1 ? XG_MODE_SKB :
					XG_MODE_OFFLOAD;
	return -1;
}

/* load IFACE[@NETNS] [--mode M] [--max-entries N] [--track N]
 * [--feature-ring BYTES] [--drop-malformed | --pass-malformed]
 */
static int p_load(struct xg_save *s, struct line *ln)
{
	struct xg_save_load *ld = GROW(s, loads, nloads, cap_loads);
	const char *v;
	char err[256];
	__u64 x;
	int i;

	if (!ld)
		return xg_opt_bad(&ln->co, "out of memory");
	ld->mode = XG_MODE_NATIVE;
	ld->malformed = -1;
	for (i = 1; i < ln->n; i++) {
		const char *o = ln->w[i];

		if (o[0] != '-') {
			if (ld->iface.ifname[0])
				return xg_opt_bad(
					&ln->co, "unexpected argument '%s'", o);
			if (xg_iface_parse(o, NULL, &ld->iface, err,
					   sizeof(err)))
				return xg_opt_bad(&ln->co, "%s", err);
		} else if (!strcmp(o, "--drop-malformed")) {
			ld->malformed = 1;
		} else if (!strcmp(o, "--pass-malformed")) {
			ld->malformed = 0;
		} else if (strcmp(o, "--mode") && strcmp(o, "-m") &&
			   strcmp(o, "--max-entries") && strcmp(o, "--track") &&
			   strcmp(o, "--feature-ring")) {
			return xg_opt_bad(&ln->co, "unknown option '%s'", o);
		} else if (!(v = opt_value(ln, &i))) {
			return -XG_EUSAGE;
		} else if (!strcmp(o, "--mode") || !strcmp(o, "-m")) {
			ld->mode = mode_of(v);
			if (ld->mode < 0)
				return xg_opt_bad(&ln->co,
						  "invalid mode '%s' (native, "
						  "skb or offload)",
						  v);
		} else if (!strcmp(o, "--max-entries")) {
			if (xg_parse_u64(v, 1, XG_MAX_BLOCK_ENTRIES, &x))
				return xg_opt_bad(
					&ln->co, "invalid max-entries '%s'", v);
			ld->max_entries = x;
		} else if (!strcmp(o, "--track")) {
			if (xg_parse_u64(v, XG_MIN_TRACK, XG_MAX_TRACK, &x))
				return xg_opt_bad(&ln->co, "invalid track '%s'",
						  v);
			ld->track = x;
		} else if (!strcmp(o, "--feature-ring")) {
			if (xg_parse_size(v, XG_FEATS_BYTES, XG_MAX_FEATS_BYTES,
					  &x) ||
			    (x & (x - 1)))
				return xg_opt_bad(&ln->co,
						  "invalid feature ring '%s'",
						  v);
			ld->feature_ring = x;
		}
	}
	if (!ld->iface.ifname[0])
		return xg_opt_bad(&ln->co, "no interface given");
	if (ld->malformed >= 0)
		s->malformed = ld->malformed;
	return 0;
}

/* threshold SETTING VALUE... [-b|--burst N] [--factor F] [--after S] */
static int p_threshold(struct xg_save *s, struct line *ln)
{
	struct xg_thr *t = GROW(s, thr, nthr, cap_thr);
	char *w[MAX_WORDS];
	const char **to;
	int i, n = 0;

	if (!t)
		return xg_opt_bad(&ln->co, "out of memory");
	for (i = 1; i < ln->n; i++) {
		const char *o = ln->w[i];

		if (o[0] != '-' || !o[1] || isdigit((unsigned char)o[1])) {
			w[n++] = ln->w[i];
			continue;
		}
		if (!strcmp(o, "-b") || !strcmp(o, "--burst"))
			to = &t->burst;
		else if (!strcmp(o, "--factor"))
			to = &t->factor;
		else if (!strcmp(o, "--after"))
			to = &t->after;
		else
			return xg_opt_bad(&ln->co, "unknown option '%s'", o);
		*to = opt_value(ln, &i);
		if (!*to)
			return -XG_EUSAGE;
	}
	if (!n)
		return xg_opt_bad(&ln->co, "no setting given");
	if (xg_thr_parse(n, w, t))
		return xg_opt_bad(&ln->co, "%s", t->co.err);
	return 0;
}

/* rule add [id N] RULE */
static int p_rule(struct xg_save *s, struct line *ln)
{
	struct xg_save_rule *r;
	char err[256];
	int i = 2;
	__u64 id = 0;

	if (ln->n < 2 || strcmp(ln->w[1], "add"))
		return xg_opt_bad(&ln->co, "expected 'rule add'");
	if (i < ln->n && !strcmp(ln->w[i], "id")) {
		if (i + 1 >= ln->n ||
		    xg_parse_u64(ln->w[i + 1], 1, UINT32_MAX, &id))
			return xg_opt_bad(&ln->co, "invalid rule id '%s'",
					  i + 1 < ln->n ? ln->w[i + 1] : "");
		i += 2;
	}
	if (i >= ln->n)
		return xg_opt_bad(&ln->co, "no rule given");
	r = GROW(s, rules, nrules, cap_rules);
	if (!r)
		return xg_opt_bad(&ln->co, "out of memory");
	snprintf(r->where, sizeof(r->where), "%s", ln->where);
	if (xg_rule_parse(ln->w + i, ln->n - i, &r->src, &r->has_prio, err,
			  sizeof(err)))
		return xg_opt_bad(&ln->co, "%s", err);
	r->src.r.id = id;
	return 0;
}

/* allow|block add ADDR[/LEN]... [-t SECONDS] [--origin NAME] */
static int p_entries(struct xg_save *s, struct line *ln, int kind)
{
	struct xg_save_list *l = &s->list[kind];
	struct xg_save_entry *e;
	__u64 timeout = 0;
	const char *origin = "";
	size_t first = l->n;
	char err[256];
	int i;

	if (ln->n < 2 || strcmp(ln->w[1], "add"))
		return xg_opt_bad(&ln->co, "expected '%s add'", ln->w[0]);
	for (i = 2; i < ln->n; i++) {
		if (!strcmp(ln->w[i], "-t") || !strcmp(ln->w[i], "--timeout")) {
			const char *v = opt_value(ln, &i);

			if (!v)
				return -XG_EUSAGE;
			if (xg_parse_duration(v, &timeout))
				return xg_opt_bad(&ln->co,
						  "invalid timeout '%s'", v);
			continue;
		}
		if (!strcmp(ln->w[i], "--origin")) {
			origin = opt_value(ln, &i);
			if (!origin)
				return -XG_EUSAGE;
			if (!xg_origin_valid(origin))
				return xg_opt_bad(
					&ln->co, "invalid origin '%s'", origin);
			continue;
		}
		e = GROW(l, v, n, cap);
		if (!e)
			return xg_opt_bad(&ln->co, "out of memory");
		if (xg_parse_prefix(ln->w[i], &e->prefix, err, sizeof(err)))
			return xg_opt_bad(&ln->co, "%s", err);
	}
	if (l->n == first)
		return xg_opt_bad(&ln->co, "no address given");
	for (; first < l->n; first++) {
		l->v[first].timeout_s = timeout;
		snprintf(l->v[first].origin, sizeof(l->v[first].origin), "%s",
			 origin);
	}
	return 0;
}

/* The header: "# xdpguard-save FORMAT abi N [DATE]". */
static int p_header(struct line *ln)
{
	__u64 format, abi;

	if (ln->n < 5 || strcmp(ln->w[0], "#") ||
	    strcmp(ln->w[1], XG_SAVE_MAGIC + 2) || strcmp(ln->w[3], "abi") ||
	    xg_parse_u64(ln->w[2], 1, UINT32_MAX, &format) ||
	    xg_parse_u64(ln->w[4], 1, UINT32_MAX, &abi))
		return xg_opt_bad(&ln->co,
				  "not a file of xg-save (no '%s' "
				  "line)",
				  XG_SAVE_MAGIC);
	if (format != XG_SAVE_FORMAT)
		return xg_opt_bad(&ln->co,
				  "file format %llu; this xg-restore reads "
				  "format %d",
				  (unsigned long long)format, XG_SAVE_FORMAT);
	if (abi != XG_ABI_VERSION)
		return xg_opt_bad(
			&ln->co,
			"saved by xdpguard ABI %llu; this xg-restore "
			"is ABI %d (save it again with that version's "
			"xg-save)",
			(unsigned long long)abi, XG_ABI_VERSION);
	return 0;
}

static int p_line(struct xg_save *s, struct line *ln)
{
	const char *k = ln->w[0];

	if (!strcmp(k, "load"))
		return p_load(s, ln);
	if (!strcmp(k, "threshold"))
		return p_threshold(s, ln);
	if (!strcmp(k, "rule"))
		return p_rule(s, ln);
	if (!strcmp(k, "allow"))
		return p_entries(s, ln, XG_LIST_ALLOW);
	if (!strcmp(k, "block"))
		return p_entries(s, ln, XG_LIST_BLOCK);
	return xg_opt_bad(&ln->co, "unknown keyword '%s'", k);
}

int xg_save_parse(FILE *f, const char *shown, struct xg_save *s)
{
	char *buf = NULL, *text;
	size_t cap = 0, lineno = 0;
	bool ended = false;
	struct line ln;
	ssize_t len;

	memset(s, 0, sizeof(*s));
	s->malformed = -1;
	errno = 0;
	while ((len = getline(&buf, &cap, f)) >= 0) {
		memset(&ln.co, 0, sizeof(ln.co));
		snprintf(ln.where, sizeof(ln.where), "%s:%zu: ", shown,
			 ++lineno);
		text = buf;
		if (lineno == 1) {
			split(text, &ln);
			p_header(&ln);
		} else if (ended) {
			split(text, &ln);
			if (ln.n)
				xg_opt_bad(&ln.co, "a line after '%s'",
					   XG_SAVE_END);
		} else if (!strcmp(text, XG_SAVE_END "\n") ||
			   !strcmp(text, XG_SAVE_END)) {
			ended = true;
		} else {
			text[strcspn(text, "#")] = '\0';
			if (!split(text, &ln) && ln.n)
				p_line(s, &ln);
		}
		if (ln.co.err[0]) {
			free(buf);
			return xg_usage_err("%s%s", ln.where, ln.co.err);
		}
		errno = 0;
	}
	free(buf);
	if (ferror(f))
		return xg_fail(errno ? -errno : -EIO, "cannot read '%s': %s",
			       shown, strerror(errno ? errno : EIO));
	if (!lineno)
		return xg_usage_err("%s:1: empty file", shown);
	if (!ended)
		return xg_usage_err("%s:%zu: the file ends before its '%s' "
				    "line: truncated",
				    shown, lineno, XG_SAVE_END);
	return 0;
}

void xg_save_free(struct xg_save *s)
{
	free(s->loads);
	free(s->thr);
	free(s->rules);
	free(s->list[0].v);
	free(s->list[1].v);
	memset(s, 0, sizeof(*s));
}

/* ---- applying ------------------------------------------------------------ */

static bool same_rule(const struct xg_rule_src *a, const struct xg_rule_src *b)
{
	struct xg_rule_src x = *a, y = *b;

	x.r.slot = y.r.slot = 0;
	return !memcmp(&x, &y, sizeof(x));
}

/* The file's rules into the rules in force (--flush: instead of them); a
 * rule already there with its id, as the file has it, stays as it is.
 */
static int apply_rules(const struct xg_maps *m, const struct xg_save *s,
		       bool flush, bool *touched)
{
	struct xg_ruleset rs;
	struct xg_rule_src src;
	size_t i;
	int at, err;

	err = xg_ruleset_alloc(&rs, s->nrules);
	if (!err)
		err = xg_ruleset_read(m, &rs);
	if (err)
		goto out;
	if (flush)
		xg_ruleset_flush(&rs);
	for (i = 0; i < s->nrules && !err; i++) {
		src = s->rules[i].src;
		at = src.r.id ? xg_ruleset_find(&rs, false, src.r.id) : -1;
		if (at >= 0 && same_rule(&rs.cur[at], &src))
			continue;
		err = xg_ruleset_add(&rs, &src, s->rules[i].has_prio,
				     s->rules[i].where);
	}
	if (!err && (flush || rs.added)) {
		*touched = true;
		err = xg_ruleset_write(m, &rs);
	}
out:
	xg_ruleset_free(&rs);
	return err;
}

/* One entry, with its origin: "auto" is origin 0 marked as the
 * program's ban.
 */
static int add_entry(const struct xg_maps *m, struct xg_list *l,
		     struct xg_origin *names, const struct xg_save_entry *e)
{
	bool is_auto = !strcmp(e->origin, XG_ORIGIN_AUTO);
	int id = 0, err;

	if (e->origin[0] && !is_auto)
		id = xg_origin_get(m, names, e->origin);
	if (id < 0)
		return id;
	err = xg_list_add(l, &e->prefix, e->timeout_s, id);
	if (!err && is_auto)
		err = xg_list_set_auto(l, &e->prefix);
	return err;
}

static int apply_lists(const struct xg_maps *m, const struct xg_save *s,
		       bool flush)
{
	static struct xg_origin names[XG_MAX_ORIGINS];
	const struct xg_save_list *sl;
	struct xg_list l;
	int k, err = 0, rc;
	size_t i;

	err = xg_origins_read(m->origins, names);
	if (err)
		return err;
	for (k = XG_LIST_ALLOW; k <= XG_LIST_BLOCK; k++) {
		xg_list_from_maps(&l, m, k);
		sl = &s->list[k];
		err = flush ? xg_list_flush(&l) : xg_list_expire(&l);
		for (i = 0; err >= 0 && i < sl->n; i++)
			err = add_entry(m, &l, names, &sl->v[i]);
		/* after a failure too: part of the file may be in */
		rc = xg_list_sync_bits(&l);
		if (err >= 0)
			err = rc;
		if (err < 0)
			break;
	}
	rc = xg_pfx_sync(m);
	return err < 0 ? err : rc;
}

/* The settings of @s over those in force, into @cfg and @sc (read as
 * @old).
 */
static int settings_of(const struct xg_maps *m, const struct xg_save *s,
		       struct xg_config *cfg, struct xg_sc_image *old,
		       struct xg_sc_image *sc)
{
	size_t i;
	int err;

	err = xg_config_read(m, cfg);
	if (!err)
		err = xg_sc_read(m, old);
	if (err)
		return err;
	*sc = *old;
	for (i = 0; i < s->nthr; i++)
		xg_thr_apply(&s->thr[i], cfg, sc);
	if (s->malformed == 1)
		cfg->flags |= XG_CFG_DROP_MALFORMED;
	else if (s->malformed == 0)
		cfg->flags &= ~XG_CFG_DROP_MALFORMED;
	return 0;
}

static int apply_config(const char *dir, const struct xg_maps *m,
			const struct xg_save *s)
{
	static struct xg_sc_image old, sc;
	struct xg_config cfg;
	int err;

	err = settings_of(m, s, &cfg, &old, &sc);
	if (!err) /* checked, and the sysctl set, in prepare_sc() */
		err = xg_sc_resolve(dir, m, &cfg, false);
	return err ? err : xg_sc_commit(m, &cfg, &old, &sc);
}

/* Rules first: a priority taken is the failure a file is likeliest to
 * meet, and then nothing else has changed yet.
 */
static int apply(const char *dir, const struct xg_maps *m,
		 const struct xg_save *s, bool flush, bool *touched)
{
	int err = apply_rules(m, s, flush, touched);

	*touched = *touched || !err;
	if (!err)
		err = apply_lists(m, s, flush);
	if (!err)
		err = apply_config(dir, m, s);
	return err;
}

/* Before anything changes: the SYN cookies of the file on this kernel,
 * then the sysctl they need (not put back on a failure: the value the
 * modes need is harmless without them).
 */
static int prepare_sc(const char *dir, const struct xg_maps *m,
		      const struct xg_save *s, bool sysctl)
{
	static struct xg_sc_image old, sc;
	struct xg_config cfg;
	int err;

	err = settings_of(m, s, &cfg, &old, &sc);
	if (!err)
		err = xg_sc_check_kernel(m, &sc);
	if (!err && sysctl)
		err = xg_sc_sysctl(dir, m, xg_sc_max(&sc));
	if (!err)
		err = xg_sc_resolve(dir, m, &cfg, sysctl);
	return err;
}

/* The state now, read back through the file format. */
static int snapshot(const char *dir, const struct xg_maps *m,
		    struct xg_save *old)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f;
	int err;

	f = open_memstream(&text, &len);
	if (!f)
		return xg_fail(-errno, "out of memory");
	err = xg_save_write(f, dir, m);
	if (fclose(f) && !err)
		err = xg_fail(-ENOMEM, "out of memory");
	if (!err) {
		f = fmemopen(text, len, "r");
		err = f ? xg_save_parse(f, "<snapshot>", old) :
			  xg_fail(-errno, "out of memory");
		if (f)
			fclose(f);
	}
	free(text);
	return err;
}

int xg_save_restore(const char *dir, const struct xg_maps *m,
		    const struct xg_save *s, bool flush, bool sysctl)
{
	bool touched = false, again = false;
	struct xg_save old;
	int err;

	err = prepare_sc(dir, m, s, sysctl);
	if (!err)
		err = snapshot(dir, m, &old);
	if (err)
		return err;
	err = apply(dir, m, s, flush, &touched);
	/* a failure before the first write needs no rollback */
	if (err && touched && apply(dir, m, &old, true, &again))
		xg_err("could not put the state before back; check it with "
		       "xg-save");
	else if (err && touched)
		xg_warn("nothing changed: the state before is back");
	xg_save_free(&old);
	return err;
}
