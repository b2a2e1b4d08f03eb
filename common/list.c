// SPDX-License-Identifier: GPL-2.0
/* The allow/block list engine: four maps per list (IPv4 and IPv6 hosts in
 * hashes, real prefixes in LPM tries), entries with a hit counter and an
 * optional expiry on CLOCK_BOOTTIME.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xg.h"

/* The four maps of a list in walk order: v4 hosts, v4 prefixes, v6 hosts,
 * v6 prefixes. bit is the map's XG_L_* bit for the allowlist; the
 * blocklist's bits sit XG_BLOCK_SHIFT higher.
 */
struct lmap {
	int fd;
	int family;
	bool host;
	__u32 bit;
};

#define XG_BLOCK_SHIFT 4
#define XG_NMAPS 4

static void list_maps(const struct xg_list *l, struct lmap d[XG_NMAPS])
{
	d[0] = (struct lmap){ l->h4, AF_INET, true, XG_L_ALLOW4 };
	d[1] = (struct lmap){ l->p4, AF_INET, false, XG_L_ALLOW4P };
	d[2] = (struct lmap){ l->h6, AF_INET6, true, XG_L_ALLOW6 };
	d[3] = (struct lmap){ l->p6, AF_INET6, false, XG_L_ALLOW6P };
}

static const char *list_name(const struct xg_list *l)
{
	return l->kind == XG_LIST_BLOCK ? "blocklist" : "allowlist";
}

void xg_list_from_maps(struct xg_list *l, const struct xg_maps *m,
		       enum xg_list_kind kind)
{
	l->kind = kind;
	if (kind == XG_LIST_BLOCK) {
		l->h4 = m->block4;
		l->h6 = m->block6;
		l->p4 = m->block4p;
		l->p6 = m->block6p;
	} else {
		l->h4 = m->allow4;
		l->h6 = m->allow6;
		l->p4 = m->allow4p;
		l->p6 = m->allow6p;
	}
	l->state = m->state;
	l->hot = m->hot;
}

__u64 xg_entry_expires_in(const struct xg_entry *e, __u64 now)
{
	__u64 left = e->expires_ns > now ? e->expires_ns - now : 1;

	return (left + XG_NSEC_PER_SEC - 1) / XG_NSEC_PER_SEC;
}

static bool expired(const struct xg_entry *e, __u64 now)
{
	return e->expires_ns && e->expires_ns <= now;
}

/* ---- keys ---------------------------------------------------------------- */

union lkey {
	__u32 h4;
	struct xg_in6 h6;
	struct xg_lpm4 p4;
	struct xg_lpm6 p6;
};

static size_t key_size(const struct lmap *d)
{
	if (d->family == AF_INET)
		return d->host ? sizeof(__u32) : sizeof(struct xg_lpm4);
	return d->host ? sizeof(struct xg_in6) : sizeof(struct xg_lpm6);
}

/* The map a prefix belongs in, and its key there. */
static int prefix_key(const struct xg_list *l, const struct xg_prefix *p,
		      union lkey *k)
{
	bool host = xg_prefix_is_host(p);

	memset(k, 0, sizeof(*k));
	if (p->family == AF_INET) {
		if (host) {
			memcpy(&k->h4, p->addr, 4);
			return l->h4;
		}
		k->p4.prefixlen = p->len;
		memcpy(&k->p4.addr, p->addr, 4);
		return l->p4;
	}
	if (host) {
		memcpy(k->h6.addr, p->addr, 16);
		return l->h6;
	}
	k->p6.prefixlen = p->len;
	memcpy(k->p6.addr, p->addr, 16);
	return l->p6;
}

static void key_prefix(const struct lmap *d, const void *key,
		       struct xg_prefix *p)
{
	const union lkey *k = key;

	memset(p, 0, sizeof(*p));
	p->family = d->family;
	if (d->family == AF_INET) {
		p->len = d->host ? 32 : k->p4.prefixlen;
		memcpy(p->addr, d->host ? &k->h4 : &k->p4.addr, 4);
	} else {
		p->len = d->host ? 128 : k->p6.prefixlen;
		memcpy(p->addr, d->host ? k->h6.addr : k->p6.addr, 16);
	}
}

/* A whole map read at once: keys (ksz bytes each) and values. */
struct dump {
	char *keys;
	struct xg_entry *vals;
	size_t n, cap, ksz;
};

static void dump_free(struct dump *dp)
{
	free(dp->keys);
	free(dp->vals);
}

/* Appends one batch to the dump. */
static int dump_add(const void *keys, const void *vals, __u32 n, void *ctx)
{
	struct dump *dp = ctx;
	size_t cap = dp->cap ? dp->cap : 1024;
	void *k, *v;

	while (cap < dp->n + n)
		cap *= 2;
	if (cap != dp->cap) {
		k = realloc(dp->keys, cap * dp->ksz);
		if (!k)
			return -ENOMEM;
		dp->keys = k;
		v = realloc(dp->vals, cap * sizeof(*dp->vals));
		if (!v)
			return -ENOMEM;
		dp->vals = v;
		dp->cap = cap;
	}
	memcpy(dp->keys + dp->n * dp->ksz, keys, n * dp->ksz);
	memcpy(dp->vals + dp->n, vals, n * sizeof(*dp->vals));
	dp->n += n;
	return 0;
}

/* Every entry of a map. Hashes are read in batches: a 1,000,000-entry
 * blocklist in a few hundred syscalls instead of two million.
 */
static int map_dump(int fd, size_t ksz, struct dump *dp)
{
	memset(dp, 0, sizeof(*dp));
	dp->ksz = ksz;
	return xg_batch_walk(fd, ksz, sizeof(*dp->vals), 0, dump_add, dp);
}

/* Deletes n keys; returns how many were there. */
static int delete_keys(int fd, const char *keys, size_t ksz, size_t n)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	size_t i;
	__u32 cnt;
	int done = 0;

	if (n && n <= UINT32_MAX) {
		cnt = n;
		/* all-or-error: a missing key stops the batch part way */
		if (bpf_map_delete_batch(fd, keys, &cnt, &opts) == 0)
			return cnt;
		/* count is written back only when the batch ran */
		if (errno != ENOENT || cnt > n)
			cnt = 0;
		keys += (size_t)cnt * ksz;
		n -= cnt;
		done = cnt;
	}
	for (i = 0; i < n; i++) {
		if (bpf_map_delete_elem(fd, keys + i * ksz) == 0)
			done++;
		else if (errno != ENOENT)
			return -errno;
	}
	return done;
}

static int map_error(const struct xg_list *l, int err, const char *what)
{
	return xg_fail(err, "cannot %s the %s: %s", what, list_name(l),
		       strerror(-err));
}

/* ---- add, del ------------------------------------------------------------ */

static int list_full(const struct xg_list *l, int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	bpf_obj_get_info_by_fd(fd, &info, &len);
	if (l->kind == XG_LIST_BLOCK)
		return xg_fail(-E2BIG,
			       "list is full (%u entries); run xg-load "
			       "--max-entries with a larger number",
			       info.max_entries);
	return xg_fail(-E2BIG,
		       "list is full (%u entries); remove entries with "
		       "xg-allow del or flush",
		       info.max_entries);
}

/* A new entry's id (xg_abi.h): random, so that two tools adding at once
 * do not draw the same; never 0.
 */
static __u32 new_id(void)
{
	__u32 id = 0;

	while (!id)
		if (getrandom(&id, sizeof(id), 0) != sizeof(id))
			id = (__u32)xg_now_ns() ^ (__u32)getpid();
	return id & 0xffffff ? id : 1;
}

int xg_list_add(struct xg_list *l, const struct xg_prefix *p, __u64 timeout_s,
		__u16 origin)
{
	struct xg_entry e = {}, old;
	union lkey k;
	int fd = prefix_key(l, p, &k);
	char a[64];

	e.prefixlen = p->len;
	e.origin = origin;
	e.flags = new_id() << XG_E_ID_SHIFT;
	if (timeout_s)
		e.expires_ns = xg_now_ns() + timeout_s * XG_NSEC_PER_SEC;
	/* NOEXIST first: on a trie, lookup is a longest-prefix match and
	 * cannot tell whether this exact prefix is present.
	 */
	if (bpf_map_update_elem(fd, &k, &e, BPF_NOEXIST) == 0)
		return 0;
	if (errno == EEXIST) {
		/* present, so the longest match of its key is itself */
		if (bpf_map_lookup_elem(fd, &k, &old) == 0) {
			e.hits = old.hits;
			/* added by hand now: no longer an automatic ban */
			e.flags = old.flags & ~XG_E_AUTO;
		}
		if (bpf_map_update_elem(fd, &k, &e, BPF_ANY) == 0)
			return 0;
	}
	if (errno == E2BIG || errno == ENOSPC)
		return list_full(l, fd);
	xg_format_prefix(p, a, sizeof(a));
	return xg_fail(-errno, "cannot add %s to the %s: %s", a, list_name(l),
		       strerror(errno));
}

int xg_list_set_auto(struct xg_list *l, const struct xg_prefix *p)
{
	struct xg_entry e;
	union lkey k;
	int fd = prefix_key(l, p, &k);

	if (bpf_map_lookup_elem(fd, &k, &e))
		return xg_fail(-errno, "cannot read the %s: %s", list_name(l),
			       strerror(errno));
	e.flags |= XG_E_AUTO;
	if (bpf_map_update_elem(fd, &k, &e, BPF_EXIST))
		return xg_fail(-errno, "cannot write the %s: %s", list_name(l),
			       strerror(errno));
	return 0;
}

int xg_list_del(struct xg_list *l, const struct xg_prefix *p)
{
	union lkey k;
	int fd = prefix_key(l, p, &k);
	char a[64];

	if (bpf_map_delete_elem(fd, &k) == 0)
		return 0;
	if (errno == ENOENT)
		return -ENOENT;
	xg_format_prefix(p, a, sizeof(a));
	return xg_fail(-errno, "cannot delete %s from the %s: %s", a,
		       list_name(l), strerror(errno));
}

/* ---- expire, flush ------------------------------------------------------- */

/* Deletes the keys of one map that are expired (all: every key). */
static int purge_map(const struct lmap *d, bool all, __u64 now)
{
	struct dump dp;
	size_t i, n = 0;
	int err;

	err = map_dump(d->fd, key_size(d), &dp);
	if (err)
		goto out;
	/* compact the doomed keys to the front */
	for (i = 0; i < dp.n; i++) {
		if (!all && !expired(&dp.vals[i], now))
			continue;
		if (i != n)
			memcpy(dp.keys + n * dp.ksz, dp.keys + i * dp.ksz,
			       dp.ksz);
		n++;
	}
	err = delete_keys(d->fd, dp.keys, dp.ksz, n);
out:
	dump_free(&dp);
	return err;
}

static int purge(struct xg_list *l, bool all)
{
	struct lmap d[XG_NMAPS];
	__u64 now = xg_now_ns();
	int i, n, total = 0;

	list_maps(l, d);
	for (i = 0; i < XG_NMAPS; i++) {
		n = purge_map(&d[i], all, now);
		if (n < 0)
			return map_error(l, n, all ? "flush" : "expire");
		total += n;
	}
	return total;
}

int xg_list_expire(struct xg_list *l)
{
	return purge(l, false);
}

int xg_list_flush(struct xg_list *l)
{
	return purge(l, true);
}

/* ---- walk ---------------------------------------------------------------- */

static int item_cmp(const void *a, const void *b)
{
	const struct xg_list_item *x = a, *y = b;
	int c = memcmp(x->prefix.addr, y->prefix.addr, 16);

	if (c)
		return c;
	return (x->prefix.len > y->prefix.len) -
	       (x->prefix.len < y->prefix.len);
}

/* Every CPU's xg_hot slots that hold hits (@n of them), or NULL. */
static struct xg_hot_slot *hot_slots(int fd, size_t *n)
{
	int ncpu = libbpf_num_possible_cpus(), c, i;
	struct xg_hot_slot *out = NULL;
	struct xg_hot *per;
	__u32 zero = 0;

	*n = 0;
	if (fd < 0 || ncpu <= 0)
		return NULL;
	per = calloc(ncpu, sizeof(*per));
	if (!per)
		return NULL;
	if (bpf_map_lookup_elem(fd, &zero, per))
		goto out;
	out = calloc((size_t)ncpu * XG_HOT_SLOTS, sizeof(*out));
	if (!out)
		goto out;
	for (c = 0; c < ncpu; c++)
		for (i = 0; i < XG_HOT_SLOTS; i++)
			if (per[c].s[i].count)
				out[(*n)++] = per[c].s[i];
out:
	free(per);
	return out;
}

/* Adds the hits CPUs still hold for the entries of map @bit (its XG_L_*
 * bit) to @items, sorted by item_cmp().
 */
static void add_hot(const struct xg_hot_slot *hot, size_t nhot, __u32 bit,
		    int family, struct xg_list_item *items, size_t n)
{
	struct xg_list_item key, *it;
	size_t i;

	for (i = 0; i < nhot; i++) {
		if ((hot[i].list & 0xff) != bit)
			continue;
		memset(&key, 0, sizeof(key));
		key.prefix.family = family;
		key.prefix.len = hot[i].prefixlen;
		memcpy(key.prefix.addr, hot[i].addr,
		       family == AF_INET ? 4 : 16);
		it = bsearch(&key, items, n, sizeof(*items), item_cmp);
		/* the same key, and the same entry: not one deleted since */
		if (it && XG_E_ID(it->entry.flags) == hot[i].list >> 8)
			it->entry.hits += hot[i].count;
	}
}

/* The live entries of one map, sorted by address, with their hits. */
static int map_items(const struct xg_list *l, const struct lmap *d, __u64 now,
		     struct xg_list_item **out, size_t *n)
{
	struct xg_list_item *items;
	struct xg_hot_slot *hot;
	size_t i, cnt = 0, nhot;
	struct dump dp;
	__u32 bit;
	int err;

	err = map_dump(d->fd, key_size(d), &dp);
	if (err)
		goto out;
	items = calloc(dp.n ? dp.n : 1, sizeof(*items));
	if (!items) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < dp.n; i++) {
		if (expired(&dp.vals[i], now))
			continue;
		key_prefix(d, dp.keys + i * dp.ksz, &items[cnt].prefix);
		items[cnt++].entry = dp.vals[i];
	}
	qsort(items, cnt, sizeof(*items), item_cmp);
	/* read after the entries: a flush in between is missed, never
	 * counted twice
	 */
	hot = cnt ? hot_slots(l->hot, &nhot) : NULL;
	if (hot) {
		bit = d->bit << (l->kind == XG_LIST_BLOCK ? XG_BLOCK_SHIFT : 0);
		add_hot(hot, nhot, bit, d->family, items, cnt);
		free(hot);
	}
	*out = items;
	*n = cnt;
out:
	dump_free(&dp);
	return err;
}

int xg_list_walk(struct xg_list *l,
		 int (*cb)(const struct xg_list_item *it, void *ctx), void *ctx)
{
	struct lmap d[XG_NMAPS];
	struct xg_list_item *items;
	__u64 now = xg_now_ns();
	int i, err, visited = 0;
	size_t n, j;

	list_maps(l, d);
	for (i = 0; i < XG_NMAPS; i++) {
		err = map_items(l, &d[i], now, &items, &n);
		if (err)
			return map_error(l, err, "read");
		for (j = 0; j < n; j++) {
			visited++;
			err = cb(&items[j], ctx);
			if (err) {
				free(items);
				return err < 0 ? err : visited;
			}
		}
		free(items);
	}
	return visited;
}

/* ---- bits, counts -------------------------------------------------------- */

static bool map_empty(int fd)
{
	union lkey k;

	return bpf_map_get_next_key(fd, NULL, &k) != 0;
}

/* Only the program adds entries behind our back (automatic bans, which
 * set their bit after the insert), so a bit cleared for an empty map and
 * set back when a second look finds an entry can never stay wrong.
 */
int xg_list_sync_bits(struct xg_list *l)
{
	struct lmap d[XG_NMAPS];
	struct xg_state *st;
	__u32 shift, bit;
	int i;

	st = xg_state_mmap(l->state, false);
	if (!st)
		return map_error(l, -errno, "map the state word for");
	shift = l->kind == XG_LIST_BLOCK ? XG_BLOCK_SHIFT : 0;
	list_maps(l, d);
	for (i = 0; i < XG_NMAPS; i++) {
		bit = d[i].bit << shift;
		if (!map_empty(d[i].fd)) {
			__atomic_fetch_or(&st->lists, bit, __ATOMIC_SEQ_CST);
			continue;
		}
		__atomic_fetch_and(&st->lists, ~bit, __ATOMIC_SEQ_CST);
		if (!map_empty(d[i].fd))
			__atomic_fetch_or(&st->lists, bit, __ATOMIC_SEQ_CST);
	}
	xg_state_munmap(st);
	return 0;
}

static int count_keys(const struct lmap *d, __u64 *n)
{
	struct dump dp;
	int err;

	err = map_dump(d->fd, key_size(d), &dp);
	*n = dp.n;
	dump_free(&dp);
	return err;
}

int xg_list_count(struct xg_list *l, struct xg_list_counts *c)
{
	struct lmap d[XG_NMAPS];
	__u64 *out[XG_NMAPS] = { &c->hosts4, &c->prefixes4, &c->hosts6,
				 &c->prefixes6 };
	int i, err;

	list_maps(l, d);
	for (i = 0; i < XG_NMAPS; i++) {
		err = count_keys(&d[i], out[i]);
		if (err)
			return map_error(l, err, "count");
	}
	c->max_hosts = xg_map_max_entries(l->h4);
	c->max_prefixes = xg_map_max_entries(l->p4);
	return 0;
}
