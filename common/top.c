// SPDX-License-Identifier: GPL-2.0
/* The --top tables of xg-stats: a bounded heap, and the walks that feed
 * it, of the source tracker, of the lists and of the rules. The same walks
 * count the tracked sources and the automatic bans, and read every rule's
 * hits, with or without --top.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <bpf/bpf.h>

#include "xg.h"

/* ---- the top N of anything ----------------------------------------------- */

/* A bounded heap whose root is the worst of the N best seen so far, so
 * that a million list entries cost N elements of memory, not a million.
 * cmp(a, b) < 0 when a ranks before b. A heap of cap 0 keeps nothing
 * (no --top) and allocates nothing.
 */
struct topn {
	char *v;
	size_t n, cap, size;
	int (*cmp)(const void *, const void *);
	char *tmp;
};

static int topn_init(struct topn *t, size_t cap, size_t size,
		     int (*cmp)(const void *, const void *))
{
	memset(t, 0, sizeof(*t));
	t->cap = cap;
	t->size = size;
	t->cmp = cmp;
	if (!cap)
		return 0;
	t->v = calloc(cap + 1, size);
	if (!t->v)
		return xg_fail(-ENOMEM, "out of memory");
	t->tmp = t->v + cap * size;
	return 0;
}

static void *at(const struct topn *t, size_t i)
{
	return t->v + i * t->size;
}

static void swap(struct topn *t, size_t i, size_t j)
{
	memcpy(t->tmp, at(t, i), t->size);
	memcpy(at(t, i), at(t, j), t->size);
	memcpy(at(t, j), t->tmp, t->size);
}

static void sift_down(struct topn *t, size_t i)
{
	size_t l, r, w;

	for (;;) {
		l = 2 * i + 1;
		r = l + 1;
		w = i;
		if (l < t->n && t->cmp(at(t, l), at(t, w)) > 0)
			w = l;
		if (r < t->n && t->cmp(at(t, r), at(t, w)) > 0)
			w = r;
		if (w == i)
			return;
		swap(t, i, w);
		i = w;
	}
}

static void topn_push(struct topn *t, const void *x)
{
	size_t i, p;

	if (!t->cap)
		return;
	if (t->n == t->cap) {
		if (t->cmp(x, at(t, 0)) >= 0)
			return;
		memcpy(at(t, 0), x, t->size);
		sift_down(t, 0);
		return;
	}
	i = t->n++;
	memcpy(at(t, i), x, t->size);
	while (i) {
		p = (i - 1) / 2;
		if (t->cmp(at(t, i), at(t, p)) <= 0)
			break;
		swap(t, i, p);
		i = p;
	}
}

/* Hands the sorted elements over; t is empty afterwards. */
static void *topn_finish(struct topn *t, size_t *n)
{
	if (t->n)
		qsort(t->v, t->n, t->size, t->cmp);
	*n = t->n;
	return t->v;
}

/* ---- the source tracker -------------------------------------------------- */

struct track_walk {
	__u64 count;
	struct topn top;
	__u64 now;
	__u32 v6_prefix;
};

static bool v4_mapped(const struct xg_in6 *k)
{
	return !k->addr[0] && !k->addr[1] && k->addr[2] == htonl(0xffff);
}

/* A source's rate-limit drops in the last whole second: the window
 * before the current one if the current is under a second old, else the
 * current one if it closed (no drop since) under two seconds ago.
 */
static void track_one(struct track_walk *w, const struct xg_in6 *key,
		      const struct xg_src *s)
{
	__u64 age = w->now > s->win_start ? w->now - s->win_start : 0;
	struct xg_top_source ts = {};
	__u64 window = 0;
	int k;

	if (age < 2 * XG_NSEC_PER_SEC) {
		for (k = 0; k < XG_LIM_SRC; k++) {
			window += s->over[k];
			if (s->over[k])
				ts.limits |= 1U << k;
		}
	}
	if (age < XG_NSEC_PER_SEC)
		ts.drops_last_s = s->last_over;
	else if (age < 2 * XG_NSEC_PER_SEC)
		ts.drops_last_s = window;
	if (!ts.drops_last_s && !window)
		return;
	ts.window = window;
	if (v4_mapped(key)) {
		ts.prefix.family = AF_INET;
		memcpy(ts.prefix.addr, &key->addr[3], 4);
		ts.prefix.len = 32;
	} else {
		/* the program's clamp (bpf/limits.h source_key) */
		ts.prefix.family = AF_INET6;
		memcpy(ts.prefix.addr, key->addr, 16);
		ts.prefix.len = w->v6_prefix < XG_V6_PREFIX_MIN ?
					XG_V6_PREFIX_MIN :
				w->v6_prefix > 128 ? 128 :
						     w->v6_prefix;
	}
	topn_push(&w->top, &ts);
}

static int track_batch(const void *keys, const void *vals, __u32 n, void *ctx)
{
	const struct xg_in6 *k = keys;
	const struct xg_src *v = vals;
	struct track_walk *w = ctx;
	__u32 i;

	w->count += n;
	for (i = 0; w->top.cap && i < n; i++)
		track_one(w, &k[i], &v[i]);
	return 0;
}

static int prefix_cmp(const struct xg_prefix *a, const struct xg_prefix *b)
{
	int c;

	if (a->family != b->family)
		return a->family == AF_INET ? -1 : 1;
	c = memcmp(a->addr, b->addr, sizeof(a->addr));
	if (c)
		return c;
	return a->len < b->len ? -1 : a->len > b->len;
}

static int source_cmp(const void *pa, const void *pb)
{
	const struct xg_top_source *a = pa, *b = pb;

	if (a->drops_last_s != b->drops_last_s)
		return a->drops_last_s > b->drops_last_s ? -1 : 1;
	if (a->window != b->window)
		return a->window > b->window ? -1 : 1;
	return prefix_cmp(&a->prefix, &b->prefix);
}

/* The LRU tracker is read in batches: a walk with get_next_key starts
 * over whenever the program evicts its cursor key.
 */
int xg_top_sources(const struct xg_maps *m, struct xg_report *r)
{
	struct track_walk w = { .now = xg_limits_now_ns(m),
				.v6_prefix = r->config.v6_prefix };
	int err;

	err = topn_init(&w.top, r->top, sizeof(struct xg_top_source),
			source_cmp);
	if (err)
		return err;
	err = xg_batch_walk(m->track, sizeof(struct xg_in6),
			    sizeof(struct xg_src), 0, track_batch, &w);
	if (err) {
		free(w.top.v);
		return xg_fail(err, "cannot read the tracked sources: %s",
			       strerror(-err));
	}
	r->sources = w.count;
	r->top_sources = topn_finish(&w.top, &r->ntop_sources);
	return 0;
}

/* ---- the lists ----------------------------------------------------------- */

struct entry_walk {
	enum xg_list_kind kind;
	__u64 bans;
	struct topn top;
};

static int entry_one(const struct xg_list_item *it, void *ctx)
{
	struct entry_walk *w = ctx;
	struct xg_top_entry te;

	if (it->entry.flags & XG_E_AUTO)
		w->bans++;
	if (it->entry.hits) {
		te.list = w->kind;
		te.item = *it;
		topn_push(&w->top, &te);
	}
	return 0;
}

static int entry_cmp(const void *pa, const void *pb)
{
	const struct xg_top_entry *a = pa, *b = pb;

	if (a->item.entry.hits != b->item.entry.hits)
		return a->item.entry.hits > b->item.entry.hits ? -1 : 1;
	if (a->list != b->list)
		return a->list == XG_LIST_BLOCK ? -1 : 1;
	return prefix_cmp(&a->item.prefix, &b->item.prefix);
}

/* The blocklist always (its automatic bans), the allowlist with --top. */
int xg_top_entries(const struct xg_maps *m, struct xg_report *r)
{
	struct entry_walk w = { .kind = XG_LIST_BLOCK };
	struct xg_list l;
	int err;

	err = topn_init(&w.top, r->top, sizeof(struct xg_top_entry), entry_cmp);
	if (err)
		return err;
	xg_list_from_maps(&l, m, XG_LIST_BLOCK);
	err = xg_list_walk(&l, entry_one, &w);
	if (err >= 0 && r->top) {
		w.kind = XG_LIST_ALLOW;
		xg_list_from_maps(&l, m, XG_LIST_ALLOW);
		err = xg_list_walk(&l, entry_one, &w);
	}
	if (err < 0) {
		free(w.top.v);
		return err;
	}
	r->bans = w.bans;
	r->top_entries = topn_finish(&w.top, &r->ntop_entries);
	return 0;
}

/* ---- the rules ----------------------------------------------------------- */

static int rule_cmp(const void *pa, const void *pb)
{
	const struct xg_report_rule *a = pa, *b = pb;

	if (a->hits.packets != b->hits.packets)
		return a->hits.packets > b->hits.packets ? -1 : 1;
	return (a->src.r.prio > b->src.r.prio) -
	       (a->src.r.prio < b->src.r.prio);
}

/* Every rule always (the Prometheus samples), the top N with --top. */
int xg_top_rules(const struct xg_maps *m, struct xg_report *r)
{
	struct xg_counter *hits = NULL;
	struct xg_rule_src *src;
	struct topn top;
	int i, n = 0, err;

	src = calloc(XG_MAX_RULES, sizeof(*src));
	hits = calloc(XG_MAX_RULES, sizeof(*hits));
	if (!src || !hits) {
		err = xg_fail(-ENOMEM, "out of memory");
		goto out;
	}
	err = xg_rules_read(m->rulesrc, src, &n);
	if (err) {
		err = xg_fail(err, "cannot read the rules: %s", strerror(-err));
		goto out;
	}
	err = xg_rules_hits(m->rhits, src, n, hits);
	if (err) {
		err = xg_fail(err, "cannot read the rule hits: %s",
			      strerror(-err));
		goto out;
	}
	r->rules = calloc(n ? n : 1, sizeof(*r->rules));
	err = r->rules ? topn_init(&top, r->top, sizeof(*r->rules), rule_cmp) :
			 xg_fail(-ENOMEM, "out of memory");
	if (err)
		goto out;
	for (i = 0; i < n; i++) {
		r->rules[i].src = src[i];
		r->rules[i].hits = hits[i];
		topn_push(&top, &r->rules[i]);
	}
	r->nrules = n;
	r->top_rules = topn_finish(&top, &r->ntop_rules);
out:
	free(src);
	free(hits);
	return err;
}
