// SPDX-License-Identifier: GPL-2.0
/* xg-rule: add, remove and show the rules (xg-rule(8)). Every change
 * reads the rules as given (xg_rulesrc), applies the command or the whole
 * file to a copy, compiles the copy (common/rule.c) and only then writes
 * anything, under the writers' lock: a bad line or a rule set the program
 * cannot classify changes nothing. The compiled rules go into the bank of
 * the rule maps not in force, and the settings' flip of xg_config.rule_bank
 * puts them in force at once.
 */
#include <ctype.h>
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xg.h"

#define MAX_WORDS 64 /* of one rule: far more than the grammar has */

enum { OPT_FORCE = XG_OPT_TOOL };

static const struct option long_opts[] = {
	{ "file", required_argument, NULL, 'f' },
	{ "force", no_argument, NULL, OPT_FORCE },
	XG_COMMON_LONG_OPTS,
};

enum op_kind { OP_ADD, OP_DEL_ID, OP_DEL_PRIO, OP_FLUSH };

/* One change, from the command line or a line of the file. */
struct op {
	enum op_kind kind;
	struct xg_rule_src src; /* OP_ADD */
	bool has_prio;
	__u32 arg; /* the id or prio to delete */
	char where[80]; /* "FILE:LINE: " or "" */
};

struct rulecmd;

struct verb {
	const char *name;
	/* the words after the verb, into ops; a usage error noted on co */
	int (*parse)(struct rulecmd *rc, char **w, int n, const char *where);
	bool changes;
};

struct rulecmd {
	const struct verb *verb;
	struct xg_common_opts co;
	const char *file;
	bool force; /* past the lockout guard */
	struct op *ops;
	size_t nops, cap;
};

static void usage(void)
{
	printf("Usage: xg-rule add [prio N] MATCH... ACTION\n"
	       "       xg-rule del ID | del prio N\n"
	       "       xg-rule list [-j]\n"
	       "       xg-rule flush\n"
	       "       xg-rule -f FILE\n"
	       "\n"
	       "Manage the xdpguard rules: after the allowlist and the "
	       "blocklist, the first\n"
	       "rule (lowest prio) that matches a packet decides; "
	       "all its matches must hold.\n"
	       "\n"
	       "MATCH:  proto tcp|udp|icmp|icmpv6|N   dst ADDR[/LEN]   src "
	       "ADDR[/LEN]\n"
	       "        dport P[,P|P-Q]... (up to %d)   sport P[-Q]\n"
	       "        flags F[,F|!F]... | flags F,.../M,...  "
	       "(fin syn rst psh ack urg ece cwr)\n"
	       "        icmp-type T [code C]   len MIN-MAX   ttl MIN-MAX   "
	       "frag | !frag\n"
	       "ACTION: drop | pass | monitor | rate RATE[/BURST] "
	       "[total|per-source],\n"
	       "        drop and rate then [ban SECONDS]\n"
	       "\n"
	       "A FILE line is a command: [add] RULE, del ID, del prio N or "
	       "flush; '#'\n"
	       "comments; '-' is stdin. The file is checked whole and "
	       "applied all or nothing.\n"
	       "\n"
	       "Options:\n"
	       "  -f, --file FILE         apply the commands of FILE\n"
	       "      --force             add even a rule that would cut off "
	       "your SSH\n"
	       "                          session, the default gateway or a "
	       "nameserver\n"
	       "  -j, --json              JSON output\n"
	       "      --pin-dir DIR       pin directory (default $%s, else\n"
	       "                          %s)\n"
	       "  -v, --verbose           show libbpf messages\n"
	       "  -V, --version           print the version and exit\n"
	       "  -h, --help              print this help and exit\n",
	       XG_RULE_PORTS, XG_PIN_ENV, XG_DEFAULT_PIN_DIR);
}

/* ---- the commands, parsed ------------------------------------------------ */

static struct op *push(struct rulecmd *rc, enum op_kind kind, const char *where)
{
	struct op *tmp;

	if (rc->nops == rc->cap) {
		rc->cap = rc->cap ? rc->cap * 2 : 16;
		tmp = realloc(rc->ops, rc->cap * sizeof(*tmp));
		if (!tmp) {
			xg_opt_bad(&rc->co, "out of memory");
			return NULL;
		}
		rc->ops = tmp;
	}
	tmp = &rc->ops[rc->nops++];
	memset(tmp, 0, sizeof(*tmp));
	tmp->kind = kind;
	snprintf(tmp->where, sizeof(tmp->where), "%s", where);
	return tmp;
}

static int p_add(struct rulecmd *rc, char **w, int n, const char *where)
{
	struct op *op;
	char err[256];

	if (!n)
		return xg_opt_bad(&rc->co, "%sno rule given; see --help",
				  where);
	op = push(rc, OP_ADD, where);
	if (!op)
		return -XG_EUSAGE;
	if (xg_rule_parse(w, n, &op->src, &op->has_prio, err, sizeof(err)))
		return xg_opt_bad(&rc->co, "%s%s", where, err);
	return 0;
}

static int p_del(struct rulecmd *rc, char **w, int n, const char *where)
{
	bool prio = n && !strcmp(w[0], "prio");
	struct op *op;
	__u64 v;

	if (n != 1 + prio)
		return xg_opt_bad(&rc->co,
				  "%sdel takes one ID, or prio N; see --help",
				  where);
	if (xg_parse_u64(w[prio], 1, prio ? XG_RULE_PRIO_MAX : UINT32_MAX, &v))
		return xg_opt_bad(&rc->co, "%sinvalid %s '%s'", where,
				  prio ? "priority" : "rule id", w[prio]);
	op = push(rc, prio ? OP_DEL_PRIO : OP_DEL_ID, where);
	if (!op)
		return -XG_EUSAGE;
	op->arg = v;
	return 0;
}

static int p_none(struct rulecmd *rc, char **w, int n, const char *where)
{
	if (n)
		return xg_opt_bad(&rc->co,
				  "%sunexpected argument '%s'; see --help",
				  where, w[0]);
	return 0;
}

static int p_flush(struct rulecmd *rc, char **w, int n, const char *where)
{
	if (p_none(rc, w, n, where))
		return -XG_EUSAGE;
	return push(rc, OP_FLUSH, where) ? 0 : -XG_EUSAGE;
}

static const struct verb verbs[] = {
	{ "add", p_add, true },
	{ "del", p_del, true },
	{ "list", p_none, false },
	{ "flush", p_flush, true },
};

/* -f: a verb for the whole file */
static const struct verb file_verb = { "-f", NULL, true };

/* Splits @s at white space into @w; the count, or -1 if too many. */
static int split(char *s, char **w)
{
	int n = 0;

	for (;;) {
		while (isspace((unsigned char)*s))
			s++;
		if (!*s)
			return n;
		if (n == MAX_WORDS)
			return -1;
		w[n++] = s;
		while (*s && !isspace((unsigned char)*s))
			s++;
		if (*s)
			*s++ = '\0';
	}
}

static int file_line(struct rulecmd *rc, char *s, const char *where)
{
	const struct verb *v;
	char *w[MAX_WORDS];
	int n;

	s[strcspn(s, "#")] = '\0';
	n = split(s, w);
	if (n < 0)
		return xg_opt_bad(&rc->co, "%smore than %d words", where,
				  MAX_WORDS);
	if (!n)
		return 0;
	v = xg_cmd_select(verbs, w[0]);
	if (v && !v->changes)
		return xg_opt_bad(&rc->co, "%s'%s' is not a change", where,
				  w[0]);
	if (!v)
		return p_add(rc, w, n, where);
	return v->parse(rc, w + 1, n - 1, where);
}

/* Every line is read and checked; the first bad one is the error. */
static int read_file(struct rulecmd *rc)
{
	bool is_stdin = !strcmp(rc->file, "-");
	const char *shown = is_stdin ? "<stdin>" : rc->file;
	char *line = NULL, where[80];
	size_t cap = 0, lineno = 0;
	FILE *f;
	int rc_ = 0;

	f = is_stdin ? stdin : fopen(rc->file, "r");
	if (!f)
		return xg_fail(-errno, "cannot open '%s': %s", rc->file,
			       strerror(errno));
	errno = 0;
	while (getline(&line, &cap, f) >= 0) {
		lineno++;
		snprintf(where, sizeof(where), "%s:%zu: ", shown, lineno);
		if (file_line(rc, line, where))
			break;
		errno = 0;
	}
	if (!rc->co.err[0] && ferror(f))
		rc_ = xg_fail(errno ? -errno : -EIO, "cannot read '%s': %s",
			      shown, strerror(errno ? errno : EIO));
	free(line);
	if (!is_stdin)
		fclose(f);
	return rc_ ? rc_ : xg_opts_end(&rc->co);
}

/* ---- applying the changes to a copy ------------------------------------- */

static int apply_op(struct xg_ruleset *rs, struct op *op)
{
	int i;

	switch (op->kind) {
	case OP_ADD:
		return xg_ruleset_add(rs, &op->src, op->has_prio, op->where);
	case OP_FLUSH:
		xg_ruleset_flush(rs);
		return 0;
	default:
		i = xg_ruleset_find(rs, op->kind == OP_DEL_PRIO, op->arg);
		if (i < 0)
			return xg_fail(
				-ENOENT, "%sno rule with %s %u", op->where,
				op->kind == OP_DEL_PRIO ? "priority" : "id",
				op->arg);
		xg_ruleset_del(rs, i);
		return 0;
	}
}

/* The lockout guard (common/guard.c) over the rules the change adds. */
static int guard(const struct rulecmd *rc, const struct xg_maps *m)
{
	struct xg_guard_change c = {};
	struct xg_rule_src *src;
	const char **where;
	size_t i;
	int err;

	if (rc->force)
		return 0;
	src = calloc(rc->nops + 1, sizeof(*src));
	where = calloc(rc->nops + 1, sizeof(*where));
	if (!src || !where) {
		err = xg_fail(-ENOMEM, "out of memory");
		goto out;
	}
	for (i = 0; i < rc->nops; i++)
		if (rc->ops[i].kind == OP_ADD) {
			src[c.nrules] = rc->ops[i].src;
			where[c.nrules++] = rc->ops[i].where;
		}
	c.rules = src;
	c.where = where;
	err = xg_guard_check(&c, m);
out:
	free(src);
	free(where);
	return err;
}

static int change(struct rulecmd *rc, const struct xg_maps *m,
		  struct xg_ruleset *rs)
{
	size_t i;
	int err;

	err = guard(rc, m);
	if (err)
		return err;
	for (i = 0; i < rc->nops; i++) {
		err = apply_op(rs, &rc->ops[i]);
		if (err)
			return err;
	}
	return xg_ruleset_write(m, rs);
}

/* ---- rendering ----------------------------------------------------------- */

static void render_text(const struct xg_ruleset *rs)
{
	char match[512], act[64];
	int i;

	printf("%6s %6s %12s  %s\n", "ID", "PRIO", "HITS", "RULE");
	for (i = 0; i < rs->nold; i++) {
		xg_rule_format_match(&rs->old[i], match, sizeof(match));
		xg_rule_format_action(&rs->old[i].r, act, sizeof(act));
		printf("%6u %6u %12llu  %s %s\n", rs->old[i].r.id,
		       rs->old[i].r.prio,
		       (unsigned long long)rs->hits[i].packets, match, act);
	}
}

static int render_json(const struct xg_ruleset *rs)
{
	struct xg_json *j = xg_json_new(stdout);
	const struct xg_rule *r;
	char match[512];
	int i;

	if (!j)
		return xg_fail(-ENOMEM, "out of memory");
	xg_json_arr_open(j);
	for (i = 0; i < rs->nold; i++) {
		r = &rs->old[i].r;
		xg_rule_format_match(&rs->old[i], match, sizeof(match));
		xg_json_obj_open(j);
		xg_json_kv_u64(j, "id", r->id);
		xg_json_kv_u64(j, "prio", r->prio);
		xg_json_kv_str(j, "match", match);
		xg_json_kv_str(j, "action", xg_rule_action_name(r->action));
		xg_json_key(j, "rate");
		if (r->action == XG_RA_RATE) {
			xg_json_obj_open(j);
			xg_json_kv_u64(j, "rate", r->rate.rate);
			xg_json_kv_u64(j, "burst", r->rate.burst);
			xg_json_kv_str(j, "scope", xg_rule_rate_scope(r));
			xg_json_obj_close(j);
		} else {
			xg_json_null(j);
		}
		xg_json_key(j, "ban");
		if (r->ban_secs)
			xg_json_u64(j, r->ban_secs);
		else
			xg_json_null(j);
		xg_json_kv_u64(j, "hits", rs->hits[i].packets);
		xg_json_kv_u64(j, "bytes", rs->hits[i].bytes);
		xg_json_obj_close(j);
	}
	xg_json_arr_close(j);
	xg_json_free(j);
	return 0;
}

/* The hits of each rule (by its slot), summed over the CPUs. */
static int sum_hits(const struct xg_maps *m, struct xg_ruleset *rs)
{
	int err = xg_rules_hits(m->rhits, rs->old, rs->nold, rs->hits);

	if (err)
		return xg_fail(err, "cannot read the rule hits: %s",
			       strerror(-err));
	return 0;
}

static void print_counts(const struct rulecmd *rc, const struct xg_ruleset *rs)
{
	struct xg_json *j;
	int i;

	if (!xg_json || !(j = xg_json_new(stdout)))
		return;
	xg_json_obj_open(j);
	if (rc->verb == &verbs[3]) {
		xg_json_kv_u64(j, "flushed", rs->deleted);
	} else {
		if (rc->verb != &verbs[1]) {
			xg_json_kv_u64(j, "added", rs->added);
			xg_json_key(j, "ids");
			xg_json_arr_open(j);
			for (i = 0; i < rs->added; i++)
				xg_json_u64(j, rs->ids[i]);
			xg_json_arr_close(j);
		}
		if (rc->verb != &verbs[0])
			xg_json_kv_u64(j, "deleted", rs->deleted);
	}
	xg_json_obj_close(j);
	xg_json_free(j);
}

/* ---- main ---------------------------------------------------------------- */

static int act(struct rulecmd *rc, struct xg_ruleset *rs)
{
	const char *dir = xg_pin_dir(rc->co.pin_opt);
	bool changes = rc->verb->changes;
	struct xg_maps m;
	int lock = -1, err;

	err = xg_check_privileges();
	if (err)
		return err;
	err = xg_maps_open(dir, !changes, &m);
	if (err)
		return err;
	if (changes) {
		lock = xg_lock(dir);
		if (lock < 0) {
			err = lock;
			goto out;
		}
	}
	err = xg_ruleset_read(&m, rs);
	if (!err && changes)
		err = change(rc, &m, rs);
	else if (!err)
		err = sum_hits(&m, rs);
out:
	xg_unlock(lock);
	xg_maps_close(&m);
	return err;
}

static int run(struct rulecmd *rc)
{
	struct xg_ruleset rs = {};
	size_t nadd = 0, i;
	int err;

	if (rc->file) {
		err = read_file(rc);
		if (err)
			goto out;
	}
	for (i = 0; i < rc->nops; i++)
		nadd += rc->ops[i].kind == OP_ADD;
	err = xg_ruleset_alloc(&rs, nadd);
	if (!err)
		err = act(rc, &rs);
	if (err)
		goto out;
	if (rc->verb->changes)
		print_counts(rc, &rs);
	else if (xg_json)
		err = render_json(&rs);
	else
		render_text(&rs);
out:
	xg_ruleset_free(&rs);
	free(rc->ops);
	return err;
}

static int parse_args(int argc, char **argv, struct rulecmd *rc)
{
	const struct verb *v;
	int c;

	while ((c = xg_getopt(argc, argv, "f:", long_opts, &rc->co)) != -1)
		if (c == 'f')
			rc->file = optarg;
		else if (c == OPT_FORCE)
			rc->force = true;
	if (xg_opts_stop(&rc->co))
		return xg_opts_end(&rc->co);
	v = xg_cmd_select(verbs, argv[optind]);
	if (rc->file && optind < argc)
		xg_opt_bad(&rc->co,
			   "option '--file' takes no other arguments; see "
			   "--help");
	else if (rc->file)
		rc->verb = &file_verb;
	else if (optind >= argc)
		xg_opt_bad(&rc->co, "no command given; see --help");
	else if (!v)
		xg_opt_bad(&rc->co, "unknown command '%s'; see --help",
			   argv[optind]);
	else {
		rc->verb = v;
		v->parse(rc, argv + optind + 1, argc - optind - 1, "");
	}
	if (rc->force && rc->verb && !rc->verb->changes)
		xg_opt_bad(&rc->co,
			   "option '--force' does not apply to %s; see --help",
			   rc->verb->name);
	return xg_opts_end(&rc->co);
}

int main(int argc, char **argv)
{
	struct rulecmd rc = {};
	int err;

	xg_cli_init("xg-rule");
	err = parse_args(argc, argv, &rc);
	if (!err && !xg_common_done(&rc.co, usage))
		err = run(&rc);
	else
		free(rc.ops);
	return xg_exit(err);
}
