// SPDX-License-Identifier: GPL-2.0
/* What xg-stats shows: everything is gathered into one struct xg_report
 * first, from maps opened read-only; each output format (text, JSON,
 * Prometheus) is a renderer of that struct, and --watch samples the
 * counters on its own. No lock is taken: a reader changes nothing.
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "xg.h"

/* ---- small helpers ------------------------------------------------------- */

/* "veth0", or "veth0@edge" for an interface inside a netns. */
static void iface_label(const char *ifname, const char *netns, char *buf,
			size_t len)
{
	if (netns && netns[0])
		snprintf(buf, len, "%s@%s", ifname, netns);
	else
		snprintf(buf, len, "%s", ifname);
}

static bool slot_valid(int slot)
{
	return slot >= 1 && slot <= XG_MAX_IFACES;
}

static void sum_stats(const struct xg_stats *s, const struct xg_config *cfg,
		      struct xg_counter *total, __u64 *dropped)
{
	int c, re;

	memset(total, 0, sizeof(*total));
	*dropped = 0;
	for (c = 0; c < XG_C_MAX; c++) {
		for (re = 0; re < XG_R_MAX; re++) {
			const struct xg_counter *k = &s->c[c][re];

			total->packets += k->packets;
			total->bytes += k->bytes;
			if (xg_reason_drops(re, cfg))
				*dropped += k->packets;
		}
	}
}

/* ---- the top N of anything ----------------------------------------------- */

/* A bounded heap whose root is the worst of the N best seen so far, so
 * that a million list entries cost N elements of memory, not a million.
 * cmp(a, b) < 0 when a ranks before b.
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
	qsort(t->v, t->n, t->size, t->cmp);
	*n = t->n;
	return t->v;
}

/* ---- gathering: interfaces ----------------------------------------------- */

/* One pin under PIN_DIR/links: 0 and *ri filled, or 1 to skip it. */
static int read_link(const char *dir, const char *name, const struct xg_maps *m,
		     struct xg_report_iface *ri)
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
	ri->slot = -1;
	if (bpf_map_lookup_elem(m->ifaces, &info.id, &xi) == 0) {
		snprintf(ri->ifname, sizeof(ri->ifname), "%s", xi.ifname);
		snprintf(ri->netns, sizeof(ri->netns), "%s", xi.netns);
		ri->mode = xi.mode;
		if (slot_valid(xi.slot))
			ri->slot = xi.slot;
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
	const struct xg_report_iface *x = a, *y = b;
	int c = strcmp(x->netns, y->netns);

	return c ? c : strcmp(x->ifname, y->ifname);
}

static int gather_ifaces(const char *dir, const struct xg_maps *m,
			 struct xg_report_iface **out, size_t *nout)
{
	struct xg_report_iface ri, *v = NULL, *tmp;
	char path[PATH_MAX];
	struct dirent *de;
	size_t n = 0, cap = 0;
	DIR *d;

	*out = NULL;
	*nout = 0;
	snprintf(path, sizeof(path), "%s/%s", dir, XG_LINKS_SUBDIR);
	d = opendir(path);
	if (!d)
		return errno == ENOENT ? 0 :
					 xg_fail(-errno, "cannot read %s: %s",
						 path, strerror(errno));
	while ((de = readdir(d))) {
		if (de->d_name[0] == '.' || read_link(dir, de->d_name, m, &ri))
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 8;
			tmp = realloc(v, cap * sizeof(*tmp));
			if (!tmp) {
				closedir(d);
				free(v);
				return xg_fail(-ENOMEM, "out of memory");
			}
			v = tmp;
		}
		v[n++] = ri;
	}
	closedir(d);
	if (n)
		qsort(v, n, sizeof(*v), iface_cmp);
	*out = v;
	*nout = n;
	return 0;
}

/* The interface -i names: IFACE in --netns NS (or the pins' namespace),
 * or, without --netns, IFACE@NS as the text output spells it.
 */
static int find_iface(const struct xg_report_iface *v, size_t n,
		      const struct xg_report_opts *o)
{
	const char *ns = o->netns ? o->netns : "";
	const char *at;
	size_t i, len;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i].ifname, o->ifname) && !strcmp(v[i].netns, ns))
			return i;
	at = strrchr(o->ifname, '@');
	if (o->netns || !at)
		return -1;
	len = at - o->ifname;
	for (i = 0; i < n; i++)
		if (strlen(v[i].ifname) == len &&
		    !strncmp(v[i].ifname, o->ifname, len) &&
		    !strcmp(v[i].netns, at + 1))
			return i;
	return -1;
}

/* Keeps only the interface of -i, or fails "IFACE is not guarded". */
static int select_iface(struct xg_report_iface *v, size_t *n,
			const struct xg_report_opts *o)
{
	char label[XG_IFNAMSIZ + XG_NETNSSIZ + 1];
	int i = find_iface(v, *n, o);

	if (i < 0) {
		iface_label(o->ifname, o->netns, label, sizeof(label));
		return xg_fail(-ENOENT, "%s is not guarded", label);
	}
	if (!slot_valid(v[i].slot)) {
		iface_label(v[i].ifname, v[i].netns, label, sizeof(label));
		return xg_fail(-ENOENT,
			       "%s has no counter slot; run xg-load --force %s",
			       label, v[i].ifname);
	}
	v[0] = v[i];
	*n = 1;
	return 0;
}

/* ---- gathering: the source tracker --------------------------------------- */

/* Tracked sources per batch syscall: 4096 * 80 bytes of keys and values. */
#define TRACK_CHUNK 4096

struct track_walk {
	__u64 count;
	struct topn *top; /* NULL: only count */
	__u64 now;
	__u32 v6_prefix;
};

static void track_one(struct track_walk *w, const struct xg_in6 *key,
		      const struct xg_src *s);

/* Without batch operations: one key at a time. */
static int walk_track_slow(int fd, struct track_walk *w)
{
	struct xg_in6 cur, prev;
	struct xg_src s;
	void *p = NULL;

	w->count = 0;
	while (bpf_map_get_next_key(fd, p, &cur) == 0) {
		w->count++;
		if (w->top && bpf_map_lookup_elem(fd, &cur, &s) == 0)
			track_one(w, &cur, &s);
		prev = cur;
		p = &prev;
	}
	return errno == ENOENT ? 0 : -errno;
}

/* The LRU tracker, read in batches: a walk with get_next_key starts over
 * whenever the program evicts its cursor key.
 */
static int walk_track_batch(int fd, struct track_walk *w)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	struct xg_in6 in, out, *keys = NULL;
	struct xg_src *vals = NULL;
	__u32 chunk = TRACK_CHUNK, cnt, i;
	void *inp = NULL;
	int err;

	w->count = 0;
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
			err = inp ? -errno : walk_track_slow(fd, w);
			break;
		}
		w->count += cnt;
		for (i = 0; w->top && i < cnt; i++)
			track_one(w, &keys[i], &vals[i]);
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
		ts.prefix.family = AF_INET6;
		memcpy(ts.prefix.addr, key->addr, 16);
		ts.prefix.len = w->v6_prefix < 32  ? 32 :
				w->v6_prefix > 128 ? 128 :
						     w->v6_prefix;
	}
	topn_push(w->top, &ts);
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

static int gather_track(const struct xg_maps *m, __u32 top, struct xg_report *r)
{
	struct track_walk w = { .now = xg_limits_now_ns(m),
				.v6_prefix = r->config.v6_prefix };
	struct topn t;
	int err;

	if (top) {
		err = topn_init(&t, top, sizeof(struct xg_top_source),
				source_cmp);
		if (err)
			return err;
		w.top = &t;
	}
	err = walk_track_batch(m->track, &w);
	if (err) {
		if (top)
			free(t.v);
		return xg_fail(err, "cannot read the tracked sources: %s",
			       strerror(-err));
	}
	r->sources = w.count;
	if (top)
		r->top_sources = topn_finish(&t, &r->ntop_sources);
	return 0;
}

/* ---- gathering: lists ---------------------------------------------------- */

struct entry_walk {
	enum xg_list_kind kind;
	__u64 bans;
	struct topn *top; /* NULL: only count bans */
};

static int entry_one(const struct xg_list_item *it, void *ctx)
{
	struct entry_walk *w = ctx;
	struct xg_top_entry te;

	if (it->entry.flags & XG_E_AUTO)
		w->bans++;
	if (w->top && it->entry.hits) {
		te.list = w->kind;
		te.item = *it;
		topn_push(w->top, &te);
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

static int gather_lists(const struct xg_maps *m, __u32 top, struct xg_report *r)
{
	struct entry_walk w = {};
	struct xg_list l;
	struct topn t;
	int err;

	if (top) {
		err = topn_init(&t, top, sizeof(struct xg_top_entry),
				entry_cmp);
		if (err)
			return err;
		w.top = &t;
	}
	xg_list_from_maps(&l, m, XG_LIST_BLOCK);
	err = xg_list_count(&l, &r->block);
	if (err)
		goto out;
	w.kind = XG_LIST_BLOCK;
	err = xg_list_walk(&l, entry_one, &w);
	if (err < 0)
		goto out;
	r->bans = w.bans;
	xg_list_from_maps(&l, m, XG_LIST_ALLOW);
	err = xg_list_count(&l, &r->allow);
	if (err)
		goto out;
	if (top) {
		w.kind = XG_LIST_ALLOW;
		err = xg_list_walk(&l, entry_one, &w);
		if (err < 0)
			goto out;
	}
	err = 0;
out:
	if (top) {
		if (err)
			free(t.v);
		else
			r->top_entries = topn_finish(&t, &r->ntop_entries);
	}
	return err;
}

/* ---- gathering ----------------------------------------------------------- */

static int gather_counters(const struct xg_maps *m,
			   const struct xg_report_opts *o, struct xg_report *r)
{
	struct xg_stats *per;
	size_t i;
	int err;

	per = calloc(XG_IF_SLOTS, sizeof(*per));
	if (!per)
		return xg_fail(-ENOMEM, "out of memory");
	err = xg_stats_read_all(m->stats, per, &r->stats);
	if (err)
		goto out;
	for (i = 0; i < r->nifaces; i++)
		if (slot_valid(r->ifaces[i].slot))
			r->ifaces[i].stats = per[r->ifaces[i].slot];
	r->detached = per[XG_IF_SLOT_DETACHED];
	if (o->ifname)
		r->stats = r->ifaces[0].stats;
out:
	free(per);
	return err;
}

int xg_report_gather(const char *dir, const struct xg_maps *m,
		     const struct xg_report_opts *o, struct xg_report *r)
{
	struct xg_meta meta;
	__u32 zero = 0;
	int err;

	memset(r, 0, sizeof(*r));
	r->pin_dir = dir;
	r->selected = o->ifname != NULL;
	r->top = o->top;
	if (bpf_map_lookup_elem(m->meta, &zero, &meta))
		return xg_fail(-errno, "cannot read %s: %s", dir,
			       strerror(errno));
	r->abi = meta.abi_version;
	err = xg_config_read(m, &r->config);
	if (err)
		return err;
	err = gather_ifaces(dir, m, &r->ifaces, &r->nifaces);
	if (err)
		return err;
	if (o->ifname) {
		err = select_iface(r->ifaces, &r->nifaces, o);
		if (err)
			return err;
	}
	err = gather_lists(m, o->top, r);
	if (err)
		return err;
	err = gather_track(m, o->top, r);
	if (err)
		return err;
	r->max_sources = xg_map_max_entries(m->track);
	err = xg_evstats_read(m->evstats, &r->events);
	if (!err)
		err = xg_admission_read(m, r->admission);
	r->limits_to_real = xg_limits_to_real_ns(m);
	if (err)
		return err;
	return gather_counters(m, o, r);
}

void xg_report_free(struct xg_report *r)
{
	free(r->ifaces);
	free(r->top_sources);
	free(r->top_entries);
	memset(r, 0, sizeof(*r));
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

static void text_counters(const struct xg_stats *s)
{
	struct xg_counter total = {};
	char cls[16], rsn[16];
	int c, re;

	printf("%-9s %-11s %14s %15s\n", "CLASS", "REASON", "PACKETS", "BYTES");
	for (c = 0; c < XG_C_MAX; c++) {
		for (re = 0; re < XG_R_MAX; re++) {
			const struct xg_counter *k = &s->c[c][re];

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

static void text_iface_row(const char *label, const struct xg_stats *s,
			   const struct xg_config *cfg)
{
	struct xg_counter t;
	__u64 dropped;

	sum_stats(s, cfg, &t, &dropped);
	printf("%-32s %14llu %14llu %14llu\n", label,
	       (unsigned long long)t.packets,
	       (unsigned long long)(t.packets - dropped),
	       (unsigned long long)dropped);
}

/* Packets, passed and dropped per interface; the detached slot if it
 * counted anything. Nothing at all when there is no row.
 */
static void text_per_iface(const struct xg_report *r)
{
	char label[XG_IFNAMSIZ + XG_NETNSSIZ + 1];
	struct xg_counter t;
	__u64 dropped;
	bool head = false;
	size_t i;

	sum_stats(&r->detached, &r->config, &t, &dropped);
	for (i = 0; i <= r->nifaces; i++) {
		const struct xg_report_iface *ri = &r->ifaces[i];

		if (i == r->nifaces ? !t.packets : !slot_valid(ri->slot))
			continue;
		if (!head)
			printf("%-32s %14s %14s %14s\n", "INTERFACE", "PACKETS",
			       "PASSED", "DROPPED");
		head = true;
		if (i == r->nifaces) {
			text_iface_row("(detached)", &r->detached, &r->config);
			break;
		}
		iface_label(ri->ifname, ri->netns, label, sizeof(label));
		text_iface_row(label, &ri->stats, &r->config);
	}
}

static void text_events(const struct xg_report *r)
{
	const struct xg_limit *l = &r->config.limit[XG_LIM_EVENTS];

	if (l->rate)
		printf("events: %u/s, burst %u; ", l->rate, l->burst);
	else
		printf("events: off; ");
	printf("%llu sent, %llu sampled out, %llu lost\n",
	       (unsigned long long)r->events.sent,
	       (unsigned long long)r->events.sampled,
	       (unsigned long long)r->events.lost);
}

/* "attack 12 s", or "calm". */
static void attack_text(const struct xg_admission *a, char *buf, size_t len)
{
	if (a->engaged)
		snprintf(buf, len, "attack %llu s",
			 (unsigned long long)(a->for_ns / XG_NSEC_PER_SEC));
	else
		snprintf(buf, len, "calm");
}

static void text_admission(const struct xg_report *r)
{
	char state[32];
	int k;

	printf("%-9s %-14s %11s %11s %12s %12s\n", "new", "state", "admitted/s",
	       "refused/s", "admitted", "refused");
	for (k = 0; k < XG_LIM_SRC; k++) {
		const struct xg_admission *a = &r->admission[k];

		attack_text(a, state, sizeof(state));
		printf("%-9s %-14s %11llu %11llu %12llu %12llu\n",
		       xg_limit_name(k), state,
		       (unsigned long long)a->admitted_last_s,
		       (unsigned long long)a->refused_last_s,
		       (unsigned long long)a->admitted,
		       (unsigned long long)a->refused);
	}
}

static void limits_text(__u32 mask, char *buf, size_t len)
{
	size_t off = 0;
	int k;

	buf[0] = '\0';
	for (k = 0; k < XG_LIM_SRC; k++)
		if (mask & (1U << k))
			off += snprintf(buf + off, len - off, "%s%s",
					off ? "," : "", xg_limit_name(k));
	if (!off)
		snprintf(buf, len, "-");
}

static void text_top(const struct xg_report *r)
{
	char a[64], lim[32], exp[24];
	__u64 now = xg_now_ns();
	size_t i;

	printf("top sources (rate-limit drops in the last second):\n");
	if (!r->ntop_sources)
		printf("  none\n");
	else
		printf("  %-40s %12s  %s\n", "SOURCE", "DROPS/S", "LIMITS");
	for (i = 0; i < r->ntop_sources; i++) {
		const struct xg_top_source *s = &r->top_sources[i];

		xg_format_prefix(&s->prefix, a, sizeof(a));
		limits_text(s->limits, lim, sizeof(lim));
		printf("  %-40s %12llu  %s\n", a,
		       (unsigned long long)s->drops_last_s, lim);
	}
	printf("top entries (list hits):\n");
	if (!r->ntop_entries)
		printf("  none\n");
	else
		printf("  %-9s %-40s %10s %8s  %s\n", "LIST", "ADDRESS", "HITS",
		       "EXPIRES", "FLAGS");
	for (i = 0; i < r->ntop_entries; i++) {
		const struct xg_top_entry *e = &r->top_entries[i];

		xg_format_prefix(&e->item.prefix, a, sizeof(a));
		if (e->item.entry.expires_ns)
			snprintf(exp, sizeof(exp), "%llus",
				 (unsigned long long)xg_entry_expires_in(
					 &e->item.entry, now));
		else
			snprintf(exp, sizeof(exp), "never");
		printf("  %-9s %-40s %10llu %8s  %s\n",
		       e->list == XG_LIST_BLOCK ? "blocklist" : "allowlist", a,
		       (unsigned long long)e->item.entry.hits, exp,
		       e->item.entry.flags & XG_E_AUTO ? "auto" : "-");
	}
}

void xg_report_text(const struct xg_report *r)
{
	char label[XG_IFNAMSIZ + XG_NETNSSIZ + 1], slot[16];
	const struct xg_report_iface *ri;
	size_t i;

	printf("xdpguard %s (ABI %u), pins in %s\n", XG_VERSION, r->abi,
	       r->pin_dir);
	printf("interfaces:\n");
	if (!r->nifaces)
		printf("  none\n");
	for (i = 0; i < r->nifaces; i++) {
		ri = &r->ifaces[i];
		iface_label(ri->ifname, ri->netns, label, sizeof(label));
		if (slot_valid(ri->slot))
			snprintf(slot, sizeof(slot), "%d", ri->slot);
		else
			snprintf(slot, sizeof(slot), "-");
		printf("  %s: %s, ifindex %u, link %u, slot %s\n", label,
		       xg_mode_name(ri->mode), ri->ifindex, ri->link_id, slot);
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
	text_events(r);
	text_admission(r);
	text_counters(&r->stats);
	if (!r->selected)
		text_per_iface(r);
	if (r->top)
		text_top(r);
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

/* "counters": {class: {reason: {packets, bytes}}}, then "total":
 * {packets, bytes, dropped}; both null when s is NULL.
 */
static void json_counters(struct xg_json *j, const struct xg_stats *s,
			  const struct xg_config *cfg)
{
	struct xg_counter total;
	__u64 dropped;
	int c, re;

	xg_json_key(j, "counters");
	if (!s) {
		xg_json_null(j);
		xg_json_key(j, "total");
		xg_json_null(j);
		return;
	}
	xg_json_obj_open(j);
	for (c = 0; c < XG_C_MAX; c++) {
		xg_json_key(j, xg_class_name(c));
		xg_json_obj_open(j);
		for (re = 0; re < XG_R_MAX; re++)
			json_counter(j, xg_reason_name(re), &s->c[c][re]);
		xg_json_obj_close(j);
	}
	xg_json_obj_close(j);
	sum_stats(s, cfg, &total, &dropped);
	xg_json_key(j, "total");
	xg_json_obj_open(j);
	xg_json_kv_u64(j, "packets", total.packets);
	xg_json_kv_u64(j, "bytes", total.bytes);
	xg_json_kv_u64(j, "dropped", dropped);
	xg_json_obj_close(j);
}

static void json_ifaces(struct xg_json *j, const struct xg_report *r)
{
	const struct xg_report_iface *ri;
	size_t i;

	xg_json_key(j, "interfaces");
	xg_json_arr_open(j);
	for (i = 0; i < r->nifaces; i++) {
		ri = &r->ifaces[i];
		xg_json_obj_open(j);
		xg_json_kv_str(j, "interface", ri->ifname);
		xg_json_kv_str(j, "netns", ri->netns[0] ? ri->netns : NULL);
		xg_json_kv_u64(j, "ifindex", ri->ifindex);
		xg_json_kv_str(j, "mode", xg_mode_name(ri->mode));
		xg_json_kv_u64(j, "link_id", ri->link_id);
		xg_json_key(j, "slot");
		if (slot_valid(ri->slot))
			xg_json_u64(j, ri->slot);
		else
			xg_json_null(j);
		json_counters(j, slot_valid(ri->slot) ? &ri->stats : NULL,
			      &r->config);
		xg_json_obj_close(j);
	}
	xg_json_arr_close(j);
}

static void json_prefix(struct xg_json *j, const struct xg_prefix *p)
{
	char a[64];

	xg_format_prefix(p, a, sizeof(a));
	xg_json_kv_str(j, "address", a);
	xg_json_kv_str(j, "family", p->family == AF_INET ? "ipv4" : "ipv6");
	xg_json_kv_u64(j, "prefix_len", p->len);
}

static void json_top(struct xg_json *j, const struct xg_report *r)
{
	__u64 now = xg_now_ns();
	size_t i;
	int k;

	xg_json_key(j, "top_sources");
	if (!r->top)
		xg_json_null(j);
	else
		xg_json_arr_open(j);
	for (i = 0; r->top && i < r->ntop_sources; i++) {
		const struct xg_top_source *s = &r->top_sources[i];

		xg_json_obj_open(j);
		json_prefix(j, &s->prefix);
		xg_json_kv_u64(j, "drops_last_s", s->drops_last_s);
		xg_json_key(j, "limits");
		xg_json_arr_open(j);
		for (k = 0; k < XG_LIM_SRC; k++)
			if (s->limits & (1U << k))
				xg_json_str(j, xg_limit_name(k));
		xg_json_arr_close(j);
		xg_json_obj_close(j);
	}
	if (r->top)
		xg_json_arr_close(j);
	xg_json_key(j, "top_entries");
	if (!r->top)
		xg_json_null(j);
	else
		xg_json_arr_open(j);
	for (i = 0; r->top && i < r->ntop_entries; i++) {
		const struct xg_top_entry *e = &r->top_entries[i];

		xg_json_obj_open(j);
		xg_json_kv_str(j, "list",
			       e->list == XG_LIST_BLOCK ? "blocklist" :
							  "allowlist");
		json_prefix(j, &e->item.prefix);
		xg_json_kv_u64(j, "hits", e->item.entry.hits);
		xg_json_key(j, "expires_in");
		if (e->item.entry.expires_ns)
			xg_json_u64(j,
				    xg_entry_expires_in(&e->item.entry, now));
		else
			xg_json_null(j);
		xg_json_kv_bool(j, "auto", e->item.entry.flags & XG_E_AUTO);
		xg_json_obj_close(j);
	}
	if (r->top)
		xg_json_arr_close(j);
}

static void json_limit(struct xg_json *j, const char *name,
		       const struct xg_limit *l)
{
	xg_json_key(j, name);
	xg_json_obj_open(j);
	xg_json_kv_u64(j, "rate", l->rate);
	xg_json_kv_u64(j, "burst", l->rate ? l->burst : 0);
	xg_json_obj_close(j);
}

/* The start of an attack, as wall-clock time; null when calm. */
static void json_since(struct xg_json *j, const struct xg_admission *a,
		       __s64 limits_to_real)
{
	char tbuf[64];

	xg_json_key(j, "since");
	if (!a->engaged) {
		xg_json_null(j);
		return;
	}
	xg_format_time(a->since_ns + limits_to_real, tbuf, sizeof(tbuf));
	xg_json_str(j, tbuf);
}

/* "attack": the seeds' ddos_active, and since when; "admission": per
 * class, the state, the counts and the budget and ceiling in force.
 */
static void json_admission(struct xg_json *j, const struct xg_report *r)
{
	const struct xg_admission *first = NULL;
	__s64 b2r = r->limits_to_real;
	int k;

	for (k = 0; k < XG_LIM_SRC; k++)
		if (r->admission[k].engaged &&
		    (!first || r->admission[k].since_ns < first->since_ns))
			first = &r->admission[k];
	xg_json_key(j, "attack");
	xg_json_obj_open(j);
	xg_json_kv_bool(j, "engaged", first != NULL);
	if (first) {
		json_since(j, first, b2r);
	} else {
		xg_json_key(j, "since");
		xg_json_null(j);
	}
	xg_json_key(j, "classes");
	xg_json_arr_open(j);
	for (k = 0; k < XG_LIM_SRC; k++)
		if (r->admission[k].engaged)
			xg_json_str(j, xg_limit_name(k));
	xg_json_arr_close(j);
	xg_json_obj_close(j);

	xg_json_key(j, "admission");
	xg_json_obj_open(j);
	for (k = 0; k < XG_LIM_SRC; k++) {
		const struct xg_admission *a = &r->admission[k];

		xg_json_key(j, xg_limit_name(k));
		xg_json_obj_open(j);
		xg_json_kv_bool(j, "attack", a->engaged);
		json_since(j, a, b2r);
		xg_json_kv_u64(j, "seconds", a->for_ns / XG_NSEC_PER_SEC);
		xg_json_kv_u64(j, "admitted_last_s", a->admitted_last_s);
		xg_json_kv_u64(j, "refused_last_s", a->refused_last_s);
		xg_json_kv_u64(j, "admitted", a->admitted);
		xg_json_kv_u64(j, "refused", a->refused);
		json_limit(j, "budget", &r->config.limit[XG_LIM_NEW + k]);
		json_limit(j, "ceiling", &r->config.limit[XG_LIM_GLOBAL + k]);
		xg_json_obj_close(j);
	}
	xg_json_obj_close(j);
}

int xg_report_json(const struct xg_report *r)
{
	const struct xg_limit *ev = &r->config.limit[XG_LIM_EVENTS];
	struct xg_json *j = xg_json_new(stdout);

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
	json_admission(j, r);
	xg_json_key(j, "config");
	xg_json_obj_open(j);
	xg_json_kv_bool(j, "drop_malformed",
			r->config.flags & XG_CFG_DROP_MALFORMED);
	xg_json_obj_close(j);
	xg_json_key(j, "events");
	xg_json_obj_open(j);
	xg_json_kv_u64(j, "rate", ev->rate);
	xg_json_kv_u64(j, "burst", ev->rate ? ev->burst : 0);
	xg_json_kv_u64(j, "sent", r->events.sent);
	xg_json_kv_u64(j, "sampled", r->events.sampled);
	xg_json_kv_u64(j, "lost", r->events.lost);
	xg_json_obj_close(j);
	json_counters(j, &r->stats, &r->config);
	xg_json_key(j, "detached");
	if (r->selected) {
		xg_json_null(j);
	} else {
		xg_json_obj_open(j);
		json_counters(j, &r->detached, &r->config);
		xg_json_obj_close(j);
	}
	json_top(j, r);
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

static void prom_slot(const char *name, const char *iface,
		      const struct xg_stats *s, bool bytes)
{
	int c, re;

	for (c = 0; c < XG_C_MAX; c++) {
		for (re = 0; re < XG_R_MAX; re++) {
			const struct xg_counter *k = &s->c[c][re];

			printf("%s{", name);
			prom_label("interface", iface, true);
			prom_label("protocol", xg_class_name(c), false);
			prom_label("reason", xg_reason_name(re), false);
			printf("} %llu\n",
			       (unsigned long long)(bytes ? k->bytes :
							    k->packets));
		}
	}
}

/* Every guarded interface with a slot, then the detached slot if it
 * counted anything: the samples of one metric add up to the totals.
 */
static void prom_counters(const struct xg_report *r, const char *name,
			  bool bytes)
{
	char label[XG_IFNAMSIZ + XG_NETNSSIZ + 1];
	struct xg_counter t;
	__u64 dropped;
	size_t i;

	for (i = 0; i < r->nifaces; i++) {
		const struct xg_report_iface *ri = &r->ifaces[i];

		if (!slot_valid(ri->slot))
			continue;
		iface_label(ri->ifname, ri->netns, label, sizeof(label));
		prom_slot(name, label, &ri->stats, bytes);
	}
	sum_stats(&r->detached, &r->config, &t, &dropped);
	if (t.packets || t.bytes)
		prom_slot(name, "(detached)", &r->detached, bytes);
}

static void prom_admission(const struct xg_report *r)
{
	__s64 b2r = r->limits_to_real;
	int k;

	prom_head("xdpguard_new_sources_total", "counter",
		  "Packets of sources the tracker did not know: admitted "
		  "(and tracked) within the class's budget of new sources, "
		  "or refused and sent to the class's ceiling.");
	for (k = 0; k < XG_LIM_SRC; k++) {
		printf("xdpguard_new_sources_total{class=\"%s\","
		       "result=\"admitted\"} %llu\n",
		       xg_limit_name(k),
		       (unsigned long long)r->admission[k].admitted);
		printf("xdpguard_new_sources_total{class=\"%s\","
		       "result=\"refused\"} %llu\n",
		       xg_limit_name(k),
		       (unsigned long long)r->admission[k].refused);
	}
	prom_head("xdpguard_under_attack", "gauge",
		  "1 while the class's budget of new sources refuses sources "
		  "(and for 2 s after).");
	for (k = 0; k < XG_LIM_SRC; k++)
		printf("xdpguard_under_attack{class=\"%s\"} %d\n",
		       xg_limit_name(k), r->admission[k].engaged);
	prom_head("xdpguard_attack_start_seconds", "gauge",
		  "Unix time the current attack on the class began; 0 when "
		  "calm.");
	for (k = 0; k < XG_LIM_SRC; k++) {
		const struct xg_admission *a = &r->admission[k];

		printf("xdpguard_attack_start_seconds{class=\"%s\"} %lld\n",
		       xg_limit_name(k),
		       a->engaged ? (long long)((__s64)a->since_ns + b2r) /
					    (long long)XG_NSEC_PER_SEC :
				    0LL);
	}
}

void xg_report_prometheus(const struct xg_report *r)
{
	char label[XG_IFNAMSIZ + XG_NETNSSIZ + 1];
	const struct xg_report_iface *ri;
	size_t i;

	prom_head("xdpguard_packets_total", "counter",
		  "Packets seen by the XDP program, by interface, protocol "
		  "class and reason.");
	prom_counters(r, "xdpguard_packets_total", false);
	prom_head("xdpguard_bytes_total", "counter",
		  "Bytes of the packets seen by the XDP program, Ethernet "
		  "header included.");
	prom_counters(r, "xdpguard_bytes_total", true);
	prom_head("xdpguard_events_total", "counter",
		  "Dropped packets while drop events are on: sent as an "
		  "event, sampled out over the budget, or lost (ring buffer "
		  "full).");
	printf("xdpguard_events_total{result=\"sent\"} %llu\n",
	       (unsigned long long)r->events.sent);
	printf("xdpguard_events_total{result=\"sampled\"} %llu\n",
	       (unsigned long long)r->events.sampled);
	printf("xdpguard_events_total{result=\"lost\"} %llu\n",
	       (unsigned long long)r->events.lost);
	prom_head("xdpguard_list_entries", "gauge",
		  "Entries in the blocklist and the allowlist.");
	prom_list("blocklist", &r->block);
	prom_list("allowlist", &r->allow);
	prom_head("xdpguard_tracked_sources", "gauge",
		  "Sources tracked for the rate limits.");
	printf("xdpguard_tracked_sources %llu\n",
	       (unsigned long long)r->sources);
	prom_admission(r);
	prom_head("xdpguard_automatic_bans", "gauge",
		  "Automatic bans in force in the blocklist.");
	printf("xdpguard_automatic_bans %llu\n", (unsigned long long)r->bans);
	prom_head("xdpguard_interface_info", "gauge",
		  "A guarded interface; netns is empty for the namespace of "
		  "the pins.");
	for (i = 0; i < r->nifaces; i++) {
		ri = &r->ifaces[i];
		iface_label(ri->ifname, ri->netns, label, sizeof(label));
		printf("xdpguard_interface_info{");
		prom_label("interface", label, true);
		prom_label("ifname", ri->ifname, false);
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

struct sample {
	struct xg_stats stats;
	struct xg_admission admission[XG_LIM_SRC];
	struct xg_config config;
	struct timespec mono;
	struct timespec real;
	struct xg_report_iface iface; /* with -i */
};

/* The counters now: the totals, or with -i the interface's slot, looked
 * up again each time (it may have been unloaded meanwhile).
 */
/* -i: the interface, looked up again (it may have been unloaded since
 * the last screen), and the counters of its slot.
 */
static int sample_iface(const char *dir, const struct xg_maps *m,
			const struct xg_report_opts *o, struct sample *s)
{
	struct xg_report_iface *v = NULL;
	struct xg_stats *per;
	size_t n;
	int err;

	err = gather_ifaces(dir, m, &v, &n);
	if (!err)
		err = select_iface(v, &n, o);
	if (!err)
		s->iface = v[0];
	free(v);
	if (err)
		return err;
	per = calloc(XG_IF_SLOTS, sizeof(*per));
	if (!per)
		return xg_fail(-ENOMEM, "out of memory");
	err = xg_stats_read_all(m->stats, per, NULL);
	if (!err)
		s->stats = per[s->iface.slot];
	free(per);
	return err;
}

static int take_sample(const char *dir, const struct xg_maps *m,
		       const struct xg_report_opts *o, struct sample *s)
{
	int err = xg_config_read(m, &s->config);

	if (!err)
		err = xg_admission_read(m, s->admission);
	if (!err)
		err = o->ifname ? sample_iface(dir, m, o, s) :
				  xg_stats_read(m->stats, &s->stats);
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
	double admitted[XG_LIM_SRC], refused[XG_LIM_SRC]; /* new sources/s */
	double elapsed;
};

static double rate_of(__u64 a, __u64 b, double dt)
{
	return b >= a ? (b - a) / dt : 0;
}

static void compute_rates(const struct sample *a, const struct sample *b,
			  struct rates *rt)
{
	double dt = ts_sec(&b->mono) - ts_sec(&a->mono);
	int c, re;

	memset(rt, 0, sizeof(*rt));
	if (dt <= 0)
		dt = 1e-9;
	rt->elapsed = dt;
	for (c = 0; c < XG_LIM_SRC; c++) {
		rt->admitted[c] = rate_of(a->admission[c].admitted,
					  b->admission[c].admitted, dt);
		rt->refused[c] = rate_of(a->admission[c].refused,
					 b->admission[c].refused, dt);
	}
	for (c = 0; c < XG_C_MAX; c++) {
		for (re = 0; re < XG_R_MAX; re++) {
			const struct xg_counter *x = &a->stats.c[c][re];
			const struct xg_counter *y = &b->stats.c[c][re];
			/* counters only grow; a reset (xg-unload --all and
			 * a new load, or a slot given to a new interface)
			 * shows as zero, never negative
			 */
			__u64 dp = y->packets >= x->packets ?
					   y->packets - x->packets :
					   0;
			__u64 db = y->bytes >= x->bytes ? y->bytes - x->bytes :
							  0;
			bool drop = xg_reason_drops(re, &b->config);

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

/* "attack: none", or each class under attack with its new sources. */
static void watch_attack_text(const struct sample *b, const struct rates *rt)
{
	const char *sep = "";
	int k;

	printf("attack:");
	for (k = 0; k < XG_LIM_SRC; k++) {
		const struct xg_admission *a = &b->admission[k];

		if (!a->engaged)
			continue;
		printf("%s %s for %llu s (new sources %.1f/s admitted, %.1f/s "
		       "refused)",
		       sep, xg_limit_name(k),
		       (unsigned long long)(a->for_ns / XG_NSEC_PER_SEC),
		       rt->admitted[k], rt->refused[k]);
		sep = ";";
	}
	printf("%s\n", *sep ? "" : " none");
}

static void watch_text(const char *dir, double interval, const struct sample *b,
		       const struct rates *rt, bool tty, bool first, bool one)
{
	char cls[16], rsn[16], tbuf[32];
	char label[XG_IFNAMSIZ + XG_NETNSSIZ + 1];
	time_t now = b->real.tv_sec;
	struct tm tm;
	int c, re;

	if (tty)
		fputs("\033[H\033[2J", stdout);
	else if (!first)
		putchar('\n');
	localtime_r(&now, &tm);
	strftime(tbuf, sizeof(tbuf), "%Y-%m-%d %H:%M:%S", &tm);
	printf("xdpguard %s, pins in %s, ", XG_VERSION, dir);
	if (one) {
		iface_label(b->iface.ifname, b->iface.netns, label,
			    sizeof(label));
		printf("interface %s, ", label);
	}
	printf("every %gs, %s\n", interval, tbuf);
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
			       xg_reason_drops(re, &b->config) ? p : 0.0,
			       rt->bps[c][re]);
		}
	}
	printf("%-9s %-11s %14.1f %14.1f %15.1f\n", "total", "", rt->pps_total,
	       rt->drops, rt->bps_total);
	printf("since load: %llu packets, %llu dropped, %llu bytes\n",
	       (unsigned long long)rt->total.packets,
	       (unsigned long long)rt->dropped,
	       (unsigned long long)rt->total.bytes);
	watch_attack_text(b, rt);
}

/* One NDJSON line. Written by hand: the rates are not integers. */
static void watch_json(const struct sample *b, const struct rates *rt, bool one)
{
	char tbuf[64];
	int c, re;

	xg_format_time((__u64)b->real.tv_sec * XG_NSEC_PER_SEC +
			       b->real.tv_nsec,
		       tbuf, sizeof(tbuf));
	printf("{\"time\":\"%s\",\"time_ns\":%llu,\"elapsed\":%.6f,"
	       "\"interface\":",
	       tbuf,
	       (unsigned long long)b->real.tv_sec * XG_NSEC_PER_SEC +
		       b->real.tv_nsec,
	       rt->elapsed);
	xg_json_put_str(stdout, one ? b->iface.ifname : NULL);
	fputs(",\"netns\":", stdout);
	xg_json_put_str(stdout,
			one && b->iface.netns[0] ? b->iface.netns : NULL);
	fputs(",\"rates\":{", stdout);
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
	       "\"dropped\":%llu},\"admission\":{",
	       (unsigned long long)rt->total.packets,
	       (unsigned long long)rt->total.bytes,
	       (unsigned long long)rt->dropped);
	for (c = 0; c < XG_LIM_SRC; c++) {
		const struct xg_admission *a = &b->admission[c];

		printf("%s\"%s\":{\"attack\":%s,\"seconds\":%llu,"
		       "\"admitted_per_s\":%.3f,\"refused_per_s\":%.3f}",
		       c ? "," : "", xg_limit_name(c),
		       a->engaged ? "true" : "false",
		       (unsigned long long)(a->for_ns / XG_NSEC_PER_SEC),
		       rt->admitted[c], rt->refused[c]);
	}
	printf("}}\n");
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
int xg_report_watch(const char *dir, const struct xg_maps *m,
		    const struct xg_report_opts *o, double interval,
		    __u64 count)
{
	struct sigaction sa = { .sa_handler = on_signal };
	bool tty = isatty(STDOUT_FILENO), one = o->ifname != NULL;
	struct sample prev = {}, cur = {};
	struct timespec next;
	struct rates rt;
	__u64 n = 0;
	int err;

	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	err = take_sample(dir, m, o, &prev);
	if (err)
		return err;
	next = prev.mono;
	while (!stop_watch) {
		ts_add(&next, interval);
		while (!stop_watch &&
		       clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &next,
				       NULL) == EINTR)
			;
		if (stop_watch)
			break;
		err = take_sample(dir, m, o, &cur);
		if (err)
			return err;
		/* unloaded and loaded again: its slot started from zero */
		if (one && cur.iface.link_id != prev.iface.link_id)
			memset(&prev.stats, 0, sizeof(prev.stats));
		compute_rates(&prev, &cur, &rt);
		if (xg_json)
			watch_json(&cur, &rt, one);
		else
			watch_text(dir, interval, &cur, &rt, tty, n == 0, one);
		fflush(stdout);
		prev = cur;
		if (count && ++n >= count)
			break;
		if (!count)
			n = 1;
	}
	return 0;
}
