// SPDX-License-Identifier: GPL-2.0
/* Loads xdpguard from the skeleton into a scratch pin dir and drives it
 * with BPF_PROG_TEST_RUN.
 */
#include <arpa/inet.h>
#include <pthread.h>
#include <sched.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/magic.h>

#include "harness.h"
#include "xg_skel.h"
#include "xg.h"

static struct xdpguard *skel;
/* Further copies of the program over the same pinned maps, each with its
 * own xg_ifslot, as xg-load attaches one per interface.
 */
static struct xdpguard *copies[H_MAX_COPIES];
static int ncopies;
static char pin_dir[64];
static int ncpus;
/* Through mmap, as the tools use it. */
static struct xg_state *state;
static size_t state_len;
/* The consumer of xg_events; h_events() copies what it finds. */
static struct ring_buffer *ring;
static struct xg_event *ev_out;
static int ev_max, ev_count;
/* The consumer of xg_feats, the same for h_features(). */
static struct ring_buffer *fring;
static struct xg_feature *ft_out;
static int ft_max, ft_count;
/* XG_KF_* baked into every copy: the kernel's, or XG_TEST_KFEAT's. */
static uint32_t kfeat;
/* The program's clock (xg_test_clock): starts an hour after zero, so
 * "an hour ago" is a valid time, and moves only by h_advance().
 */
static uint64_t test_now = 3600ULL * 1000000000ULL;
int h_real_clock;

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	/* Warnings matter here: a verifier rejection prints its log. */
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int ensure_bpffs(void)
{
	struct statfs st;

	if (statfs("/sys/fs/bpf", &st) == 0 && st.f_type == BPF_FS_MAGIC)
		return 0;
	if (mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700")) {
		fprintf(stderr, "%s: mount bpffs: %s\n",
			program_invocation_short_name, strerror(errno));
		return -errno;
	}
	return 0;
}

static int on_event(void *ctx, void *data, size_t size)
{
	if (size == sizeof(struct xg_event) && ev_count < ev_max)
		memcpy(&ev_out[ev_count], data, size);
	ev_count++;
	return 0;
}

static int on_feature(void *ctx, void *data, size_t size)
{
	(void)ctx;
	if (size == sizeof(struct xg_feature) && ft_count < ft_max)
		memcpy(&ft_out[ft_count], data, size);
	ft_count++;
	return 0;
}

int h_open(void)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_dir);
	int err;

	libbpf_set_print(libbpf_quiet);
	err = ensure_bpffs();
	if (err)
		return err;
	snprintf(pin_dir, sizeof(pin_dir), "/sys/fs/bpf/xg-pkt-test-%d",
		 (int)getpid());
	if (mkdir(pin_dir, 0700)) {
		fprintf(stderr, "%s: mkdir %s: %s\n",
			program_invocation_short_name, pin_dir,
			strerror(errno));
		return -errno;
	}
	ncpus = libbpf_num_possible_cpus();
	kfeat = xg_kernel_features();
	if (getenv("XG_TEST_KFEAT"))
		kfeat &= strtoul(getenv("XG_TEST_KFEAT"), NULL, 0);
	skel = xg_skel_open(&opts, kfeat);
	if (!skel || ncpus <= 0) {
		fprintf(stderr, "%s: cannot open the skeleton\n",
			program_invocation_short_name);
		return -EINVAL;
	}
	skel->rodata->xg_test_clock = !h_real_clock;
	err = xdpguard__load(skel);
	if (err) {
		fprintf(stderr, "%s: load: %s\n", program_invocation_short_name,
			strerror(-err));
		return err;
	}
	skel->bss->xg_test_now = test_now;
	state_len = sysconf(_SC_PAGESIZE);
	state = mmap(NULL, state_len, PROT_READ | PROT_WRITE, MAP_SHARED,
		     bpf_map__fd(skel->maps.XG_MAP_STATE), 0);
	if (state == MAP_FAILED) {
		state = NULL;
		fprintf(stderr, "%s: mmap xg_state: %s\n",
			program_invocation_short_name, strerror(errno));
		return -errno;
	}
	ring = ring_buffer__new(bpf_map__fd(skel->maps.XG_MAP_EVENTS), on_event,
				NULL, NULL);
	fring = ring_buffer__new(bpf_map__fd(skel->maps.XG_MAP_FEATS),
				 on_feature, NULL, NULL);
	if (!ring || !fring) {
		fprintf(stderr, "%s: ring_buffer__new: %s\n",
			program_invocation_short_name, strerror(errno));
		return -errno;
	}
	return 0;
}

int h_load_copy(uint32_t ifslot)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_dir);
	struct xdpguard *copy;
	int err;

	if (ncopies == H_MAX_COPIES)
		return -ENOSPC;
	copy = xg_skel_open(&opts, kfeat);
	if (!copy)
		return -EINVAL;
	copy->rodata->xg_ifslot = ifslot;
	copy->rodata->xg_test_clock = !h_real_clock;
	err = xdpguard__load(copy);
	if (err) {
		fprintf(stderr, "%s: load copy: %s\n",
			program_invocation_short_name, strerror(-err));
		xdpguard__destroy(copy);
		return err;
	}
	copy->bss->xg_test_now = test_now;
	copies[ncopies] = copy;
	return ++ncopies;
}

void h_close(void)
{
	int i;

	ring_buffer__free(ring);
	ring_buffer__free(fring);
	for (i = 0; i < ncopies; i++)
		xdpguard__destroy(copies[i]);
	if (state)
		munmap(state, state_len);
	if (skel) {
		bpf_object__unpin_maps(skel->obj, NULL);
		xdpguard__destroy(skel);
	}
	if (pin_dir[0])
		rmdir(pin_dir);
}

static int clear_map(struct bpf_map *map)
{
	int fd = bpf_map__fd(map);
	char key[64];

	/* Deleting the first key each time survives the iteration order
	 * changing under the deletes.
	 */
	while (bpf_map_get_next_key(fd, NULL, key) == 0)
		if (bpf_map_delete_elem(fd, key))
			return -errno;
	return 0;
}

void h_config_off(struct xg_config *cfg)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->v6_prefix = XG_DEF_V6_PREFIX;
}

void h_config_defaults(struct xg_config *cfg)
{
	xg_config_defaults(cfg);
}

int h_write_config(uint32_t slot, const struct xg_config *in)
{
	struct xg_config cfg = *in;

	/* As the tools write it: with the buckets' constants. */
	xg_limit_derive(&cfg);
	if (slot > 1)
		return -EINVAL;
	state->cfg[slot] = cfg;
	return 0;
}

struct xg_state *h_state(void)
{
	return state;
}

int h_clear_tracking(void)
{
	struct xg_global g = { 0 };
	struct xg_admit a[ncpus];
	uint32_t zero = 0;
	int err = clear_map(skel->maps.XG_MAP_TRACK);

	if (err)
		return err;
	memset(a, 0, sizeof(a));
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.XG_MAP_ADMIT), &zero, a,
				BPF_ANY))
		return -errno;
	return bpf_map_update_elem(bpf_map__fd(skel->maps.XG_MAP_GLOBAL), &zero,
				   &g, BPF_ANY);
}

int h_admit(int k, struct xg_admit_class *sum)
{
	struct xg_admit per[ncpus];
	uint32_t zero = 0;
	int c;

	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.XG_MAP_ADMIT), &zero,
				per))
		return -errno;
	memset(sum, 0, sizeof(*sum));
	for (c = 0; c < ncpus; c++) {
		const struct xg_admit_class *a = &per[c].c[k];

		sum->admitted += a->admitted;
		sum->refused += a->refused;
		sum->win_admitted += a->win_admitted;
		sum->win_refused += a->win_refused;
		sum->last_admitted += a->last_admitted;
		sum->last_refused += a->last_refused;
		if (a->last_refused_ns > sum->last_refused_ns)
			sum->last_refused_ns = a->last_refused_ns;
		if (a->since_ns &&
		    (!sum->since_ns || a->since_ns < sum->since_ns))
			sum->since_ns = a->since_ns;
	}
	return 0;
}

int h_track_update(const struct xg_in6 *key, const struct xg_src *src)
{
	return bpf_map_update_elem(bpf_map__fd(skel->maps.XG_MAP_TRACK), key,
				   src, BPF_ANY);
}

int h_read_config(uint32_t slot, struct xg_config *cfg)
{
	if (slot > 1)
		return -EINVAL;
	*cfg = state->cfg[slot];
	return 0;
}

int h_events(struct xg_event *out, int max)
{
	int err;

	ev_out = out;
	ev_max = out ? max : 0;
	ev_count = 0;
	err = ring_buffer__consume(ring);
	ev_out = NULL;
	return err < 0 ? err : ev_count;
}

int h_features(struct xg_feature *out, int max)
{
	int err;

	ft_out = out;
	ft_max = out ? max : 0;
	ft_count = 0;
	err = ring_buffer__consume(fring);
	ft_out = NULL;
	return err < 0 ? err : ft_count;
}

int h_evstats(struct xg_evstats *sum)
{
	struct xg_evstats per[ncpus];
	uint32_t zero = 0;
	int c;

	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.XG_MAP_EVSTATS), &zero,
				per))
		return -errno;
	memset(sum, 0, sizeof(*sum));
	for (c = 0; c < ncpus; c++) {
		sum->sent += per[c].sent;
		sum->sampled += per[c].sampled;
		sum->lost += per[c].lost;
		sum->mon_sent += per[c].mon_sent;
		sum->mon_sampled += per[c].mon_sampled;
		sum->mon_lost += per[c].mon_lost;
		sum->feat_sent += per[c].feat_sent;
		sum->feat_sampled += per[c].feat_sampled;
		sum->feat_lost += per[c].feat_lost;
		if (per[c].skip > sum->skip)
			sum->skip = per[c].skip;
		if (per[c].backoff > sum->backoff)
			sum->backoff = per[c].backoff;
	}
	return 0;
}

int h_clear_events(void)
{
	struct xg_evstats per[ncpus];
	uint32_t zero = 0;
	int n = h_events(NULL, 0);

	if (n >= 0)
		n = h_features(NULL, 0);
	if (n < 0)
		return n;
	memset(per, 0, sizeof(per));
	return bpf_map_update_elem(bpf_map__fd(skel->maps.XG_MAP_EVSTATS),
				   &zero, per, BPF_ANY);
}

int h_track_count(void)
{
	int fd = bpf_map__fd(skel->maps.XG_MAP_TRACK);
	struct xg_in6 key, next;
	int n = 0;

	if (bpf_map_get_next_key(fd, NULL, &next))
		return 0;
	do {
		key = next;
		n++;
	} while (bpf_map_get_next_key(fd, &key, &next) == 0);
	return n;
}

int h_track_lookup(const struct xg_in6 *key, struct xg_src *src)
{
	return bpf_map_lookup_elem(bpf_map__fd(skel->maps.XG_MAP_TRACK), key,
				   src);
}

/* Says once what went wrong: every case after it fails the same way. */
static int reset_failed(const char *what, int err)
{
	static int said;

	if (!said++)
		fprintf(stderr, "%s: cannot reset %s: %s\n",
			program_invocation_short_name, what, strerror(-err));
	return err;
}

static int clear_hot(void)
{
	struct xg_hot *per = calloc(ncpus, sizeof(*per));
	uint32_t zero = 0;
	int err = 0;

	if (!per)
		return -ENOMEM;
	if (bpf_map_update_elem(bpf_map__fd(skel->maps.XG_MAP_HOT), &zero, per,
				BPF_ANY))
		err = -errno;
	free(per);
	return err;
}

int h_rules(const struct xg_rule_src *in, int n, char *err, size_t len)
{
	static struct xg_rule_src spec[XG_MAX_RULES];
	static struct xg_rules_image img;
	struct xg_gbucket b = { 0 };
	struct xg_counter c[ncpus];
	struct xg_config *cfg;
	uint32_t i, bank;
	int e;

	if (n < 0 || n > XG_MAX_RULES)
		return -E2BIG;
	for (i = 0; i < (uint32_t)n; i++) {
		spec[i] = in[i];
		spec[i].r.slot = i;
	}
	e = xg_rules_compile(spec, n, &img, err, len);
	if (e)
		return e;
	cfg = &state->cfg[state->cfg_slot & 1];
	bank = !cfg->rule_bank;
	e = xg_rules_write(bpf_map__fd(skel->maps.XG_MAP_RULES),
			   bpf_map__fd(skel->maps.XG_MAP_RSETS),
			   bpf_map__fd(skel->maps.XG_MAP_RPORTS), bank, &img);
	if (e) {
		snprintf(err, len, "cannot write the rules: %s", strerror(-e));
		return e;
	}
	e = clear_map(skel->maps.XG_MAP_RSRC);
	if (e)
		return e;
	memset(c, 0, sizeof(c));
	for (i = 0; i < (uint32_t)n; i++)
		if (bpf_map_update_elem(bpf_map__fd(skel->maps.XG_MAP_RBUCKET),
					&i, &b, BPF_ANY) ||
		    bpf_map_update_elem(bpf_map__fd(skel->maps.XG_MAP_RHITS),
					&i, c, BPF_ANY))
			return -errno;
	cfg->rule_bank = bank;
	if (n)
		__atomic_fetch_or(&state->lists, XG_L_RULES, __ATOMIC_SEQ_CST);
	else
		__atomic_fetch_and(&state->lists, ~XG_L_RULES,
				   __ATOMIC_SEQ_CST);
	return 0;
}

int h_rules_stage(const struct xg_rule_src *spec, int n, uint32_t bank)
{
	static struct xg_rules_image img;
	char err[160];
	int e = xg_rules_compile(spec, n, &img, err, sizeof(err));

	return e     ?:
		       xg_rules_write(bpf_map__fd(skel->maps.XG_MAP_RULES),
				      bpf_map__fd(skel->maps.XG_MAP_RSETS),
				      bpf_map__fd(skel->maps.XG_MAP_RPORTS),
				      bank, &img);
}

int64_t h_rule_hits(uint32_t idx)
{
	struct xg_counter c[ncpus];
	int64_t sum = 0;
	int i;

	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.XG_MAP_RHITS), &idx, c))
		return -1;
	for (i = 0; i < ncpus; i++)
		sum += c[i].packets;
	return sum;
}

/* Set by h_sc_port(): the words of xg_scports are cleared only after a
 * test set one (2048 writes a reset would cost every case).
 */
static int sc_dirty = 1;

/* Every port's mode off, xg_scstats zeroed. */
static int sc_clear(void)
{
	int fd = bpf_map__fd(skel->maps.XG_MAP_SCPORTS);
	struct xg_scstats per[ncpus];
	uint64_t w = 0;
	uint32_t k, zero = 0;

	for (k = 0; sc_dirty && k < XG_SC_WORDS; k++)
		if (bpf_map_update_elem(fd, &k, &w, BPF_ANY))
			return -errno;
	sc_dirty = 0;
	memset(per, 0, sizeof(per));
	return bpf_map_update_elem(bpf_map__fd(skel->maps.XG_MAP_SCSTATS),
				   &zero, per, BPF_ANY) ?
		       -errno :
		       0;
}

int h_reset(uint32_t flags)
{
	struct bpf_map *lists[] = {
		skel->maps.XG_MAP_ALLOW4,  skel->maps.XG_MAP_ALLOW6,
		skel->maps.XG_MAP_ALLOW4P, skel->maps.XG_MAP_ALLOW6P,
		skel->maps.XG_MAP_BLOCK4,  skel->maps.XG_MAP_BLOCK6,
		skel->maps.XG_MAP_BLOCK4P, skel->maps.XG_MAP_BLOCK6P,
	};
	struct xg_config cfg;
	size_t i;
	int err;

	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		err = clear_map(lists[i]);
		if (err)
			return reset_failed(bpf_map__name(lists[i]), err);
	}
	err = h_clear_tracking();
	if (err)
		return reset_failed("xg_track", err);
	err = h_clear_events();
	if (err)
		return reset_failed("xg_events", err);
	err = h_clear_stats();
	if (err)
		return reset_failed("xg_stats", err);
	err = clear_hot();
	if (err)
		return reset_failed("xg_hot", err);
	err = h_pfx_clear();
	if (err)
		return reset_failed("xg_pfx", err);
	err = sc_clear();
	if (err)
		return reset_failed("xg_scports", err);
	/* Limits off, so the list and parser cases see one packet each
	 * exactly as before; the flood cases turn them on.
	 */
	h_config_off(&cfg);
	cfg.flags = flags;
	state->cfg_slot = 0;
	state->lists = 0;
	return h_write_config(0, &cfg) ?: h_write_config(1, &cfg);
}

/* The map, its xg_state.lists bit and its key for "ADDR[/LEN]". */
struct target {
	struct bpf_map *map;
	uint32_t bit;
	union {
		uint32_t a4;
		struct xg_in6 a6;
		struct xg_lpm4 p4;
		struct xg_lpm6 p6;
	} key;
};

/* Fills t->key from "ADDR[/LEN]"; returns the index into target_of()'s
 * tables (host maps then tries, IPv4 then IPv6), or -1.
 */
static int parse_cidr(const char *cidr, struct target *t)
{
	char buf[64];
	char *slash;
	int v6 = strchr(cidr, ':') != NULL;
	void *addr = &t->key;

	snprintf(buf, sizeof(buf), "%s", cidr);
	slash = strchr(buf, '/');
	memset(t, 0, sizeof(*t));
	if (slash) {
		*slash = '\0';
		/* prefixlen is the first word in both LPM layouts */
		t->key.p4.prefixlen = atoi(slash + 1);
		addr = v6 ? (void *)t->key.p6.addr : (void *)&t->key.p4.addr;
	}
	if (inet_pton(v6 ? AF_INET6 : AF_INET, buf, addr) != 1)
		return -1;
	return v6 + (slash ? 2 : 0);
}

static int target_of(int block, const char *cidr, struct target *t)
{
	static const uint32_t allow_bits[] = { XG_L_ALLOW4, XG_L_ALLOW6,
					       XG_L_ALLOW4P, XG_L_ALLOW6P };
	static const uint32_t block_bits[] = { XG_L_BLOCK4, XG_L_BLOCK6,
					       XG_L_BLOCK4P, XG_L_BLOCK6P };
	struct bpf_map *allow[] = {
		skel->maps.XG_MAP_ALLOW4,
		skel->maps.XG_MAP_ALLOW6,
		skel->maps.XG_MAP_ALLOW4P,
		skel->maps.XG_MAP_ALLOW6P,
	};
	struct bpf_map *blk[] = {
		skel->maps.XG_MAP_BLOCK4,
		skel->maps.XG_MAP_BLOCK6,
		skel->maps.XG_MAP_BLOCK4P,
		skel->maps.XG_MAP_BLOCK6P,
	};
	int i = parse_cidr(cidr, t);

	if (i < 0)
		return -EINVAL;
	t->map = block ? blk[i] : allow[i];
	t->bit = block ? block_bits[i] : allow_bits[i];
	return i;
}

/* xg_pfx, mapped. */
static __u64 *pfx_words(void)
{
	static __u64 *pfx;

	if (!pfx) {
		pfx = mmap(NULL, XG_PFX_WORDS * sizeof(*pfx),
			   PROT_READ | PROT_WRITE, MAP_SHARED,
			   bpf_map__fd(skel->maps.XG_MAP_PFX), 0);
		if (pfx == MAP_FAILED)
			pfx = NULL;
	}
	return pfx;
}

/* Whether h_add set IPv4 bits since the last clear; the program itself
 * sets IPv6 bits only (automatic bans), which are few words.
 */
static int pfx4_dirty = 1;

static void pfx_cover(int v6, uint32_t a0, uint32_t len)
{
	__u64 *pfx = pfx_words();

	pfx4_dirty |= !v6;
	if (pfx)
		xg_pfx_cover(pfx, v6, a0, len);
}

void h_pfx_cover(int v6, uint32_t a0, uint32_t len)
{
	pfx_cover(v6, a0, len);
}

int h_pfx_bit(int v6, uint32_t a0)
{
	uint32_t b = v6 ? xg_pfx6_bit(a0) : xg_pfx4_bit(a0);
	__u64 *pfx = pfx_words();

	return pfx ? (int)(pfx[b >> 6] >> (b & 63) & 1) : -1;
}

int h_pfx_clear(void)
{
	__u64 *pfx = pfx_words();

	if (!pfx)
		return -errno;
	if (pfx4_dirty)
		memset(pfx, 0, XG_PFX4_WORDS * sizeof(*pfx));
	pfx4_dirty = 0;
	memset(pfx + XG_PFX4_WORDS, 0, XG_PFX6_WORDS * sizeof(*pfx));
	return 0;
}

static uint32_t entry_ids;

int h_add_entry(int block, const char *cidr, const struct xg_entry *e,
		int set_bit)
{
	struct xg_entry v = *e;
	struct target t;
	int i = target_of(block, cidr, &t);

	if (i < 0)
		return -EINVAL;
	/* As the tools write it: a new id unless the caller chose one, and
	 * the entry's own prefix length.
	 */
	if (!XG_E_ID(v.flags))
		v.flags |= (uint32_t)(++entry_ids & 0xffffff) << XG_E_ID_SHIFT;
	v.prefixlen = i >= 2 ? t.key.p4.prefixlen : i ? 128 : 32;
	if (bpf_map_update_elem(bpf_map__fd(t.map), &t.key, &v, BPF_ANY))
		return -errno;
	/* as the tools do: the prefix's bits in xg_pfx */
	if (i >= 2)
		pfx_cover(i == 3,
			  ntohl(i == 3 ? t.key.p6.addr[0] : t.key.p4.addr),
			  t.key.p4.prefixlen);
	if (set_bit)
		__atomic_fetch_or(&state->lists, t.bit, __ATOMIC_SEQ_CST);
	return 0;
}

int h_add(int block, const char *cidr, uint64_t expires_ns)
{
	struct xg_entry e = { .expires_ns = expires_ns };

	return h_add_entry(block, cidr, &e, 1);
}

int h_add_stale(int block, const char *cidr)
{
	struct xg_entry e = { 0 };

	return h_add_entry(block, cidr, &e, 0);
}

/* The hits of @t's entry that CPUs still hold in xg_hot, as the tools
 * add them up.
 */
static uint64_t hot_pending(const struct target *t, int i, uint32_t eflags)
{
	struct xg_hot *per = calloc(ncpus, sizeof(*per));
	uint32_t plen, addr[4] = { 0 }, zero = 0, k, list;
	uint64_t sum = 0;
	int c;

	if (!per)
		return 0;
	plen = i >= 2 ? t->key.p4.prefixlen : i ? 128 : 32;
	if (i == 0)
		addr[0] = t->key.a4;
	else if (i == 1)
		memcpy(addr, t->key.a6.addr, 16);
	else if (i == 2)
		addr[0] = t->key.p4.addr;
	else
		memcpy(addr, t->key.p6.addr, 16);
	list = t->bit | XG_E_ID(eflags) << XG_E_ID_SHIFT;
	k = xg_hot_tag(list, plen, addr[0], addr[1], addr[2], addr[3]) >> 58;
	if (!bpf_map_lookup_elem(bpf_map__fd(skel->maps.XG_MAP_HOT), &zero,
				 per))
		for (c = 0; c < ncpus; c++) {
			const struct xg_hot_slot *s = &per[c].s[k];

			if (s->count && s->list == list &&
			    s->prefixlen == plen &&
			    !memcmp(s->addr, addr, sizeof(addr)))
				sum += s->count;
		}
	free(per);
	return sum;
}

int h_entry(int block, const char *cidr, struct xg_entry *e)
{
	struct target t;
	int i = target_of(block, cidr, &t);

	if (i < 0 || bpf_map_lookup_elem(bpf_map__fd(t.map), &t.key, e))
		return -1;
	e->hits += hot_pending(&t, i, e->flags);
	return 0;
}

int h_entry_raw(int block, const char *cidr, struct xg_entry *e)
{
	struct target t;

	if (target_of(block, cidr, &t) < 0 ||
	    bpf_map_lookup_elem(bpf_map__fd(t.map), &t.key, e))
		return -1;
	return 0;
}

int64_t h_hits(int block, const char *cidr)
{
	struct xg_entry e;

	return h_entry(block, cidr, &e) ? -1 : (int64_t)e.hits;
}

uint64_t h_boot_ns(void)
{
	return test_now;
}

void h_advance(uint64_t ns)
{
	int i;

	test_now += ns;
	if (skel)
		skel->bss->xg_test_now = test_now;
	for (i = 0; i < ncopies; i++)
		copies[i]->bss->xg_test_now = test_now;
}

uint32_t h_kfeat(void)
{
	return kfeat;
}
/* One batch lookup for the whole map: a lookup per key would take
 * 33 x 80 syscalls per frame, and the cases that rely on the clock
 * standing still (rate 1/s) would see tokens come back.
 */
int h_read_stats(struct xg_counter out[XG_STATS_SLOTS])
{
	static struct xg_counter *per;
	static uint32_t *keys;
	int fd = bpf_map__fd(skel->maps.XG_MAP_STATS);
	uint32_t k, n = XG_STATS_SLOTS, out_batch;
	int c, err;

	if (!per) {
		per = calloc((size_t)XG_STATS_SLOTS * ncpus, sizeof(*per));
		keys = calloc(XG_STATS_SLOTS, sizeof(*keys));
		if (!per || !keys)
			return -ENOMEM;
	}
	err = bpf_map_lookup_batch(fd, NULL, &out_batch, keys, per, &n, NULL);
	if (err && errno != ENOENT) {
		/* No batch ops on per-CPU arrays before 5.11: key by key. */
		for (k = 0; k < XG_STATS_SLOTS; k++) {
			keys[k] = k;
			if (bpf_map_lookup_elem(fd, &k,
						&per[(size_t)k * ncpus]))
				return -errno;
		}
		n = XG_STATS_SLOTS;
	}
	if (n != XG_STATS_SLOTS)
		return -EIO;
	for (k = 0; k < XG_STATS_SLOTS; k++) {
		const struct xg_counter *v = &per[(size_t)k * ncpus];

		out[keys[k]].packets = out[keys[k]].bytes = 0;
		for (c = 0; c < ncpus; c++) {
			out[keys[k]].packets += v[c].packets;
			out[keys[k]].bytes += v[c].bytes;
		}
	}
	return 0;
}

int h_clear_stats(void)
{
	static struct xg_counter *zero;
	static uint32_t *keys;
	uint32_t k, n = XG_STATS_SLOTS;

	if (!zero) {
		zero = calloc((size_t)XG_STATS_SLOTS * ncpus, sizeof(*zero));
		keys = calloc(XG_STATS_SLOTS, sizeof(*keys));
		if (!zero || !keys)
			return -ENOMEM;
		for (k = 0; k < XG_STATS_SLOTS; k++)
			keys[k] = k;
	}
	if (!bpf_map_update_batch(bpf_map__fd(skel->maps.XG_MAP_STATS), keys,
				  zero, &n, NULL))
		return n == XG_STATS_SLOTS ? 0 : -EIO;
	/* Arrays take batch updates from 5.11 (5.10: ENOTSUPP). */
	for (k = 0; k < XG_STATS_SLOTS; k++)
		if (bpf_map_update_elem(bpf_map__fd(skel->maps.XG_MAP_STATS),
					&k, zero, BPF_ANY))
			return -errno;
	return 0;
}

/* @copy 0 is the program h_open() loaded, 1.. those of h_load_copy().
 * @ifindex 0 leaves the context alone; else the run looks like a frame
 * received on that device (queue 0).
 */
static int run(int copy, const struct frame *f, size_t len, uint32_t repeat,
	       uint32_t ifindex, uint32_t *ns, struct frame *out)
{
	struct xdp_md ctx = { .data_end = len, .ingress_ifindex = ifindex };
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = f->buf,
		    .data_size_in = len, .repeat = repeat);
	struct xdpguard *s = copy ? copies[copy - 1] : skel;

	if (out) {
		opts.data_out = out->buf;
		opts.data_size_out = sizeof(out->buf);
	}

	if (copy < 0 || copy > ncopies)
		return -1;
	if (ifindex) {
		opts.ctx_in = &ctx;
		opts.ctx_size_in = sizeof(ctx);
	}
	if (bpf_prog_test_run_opts(bpf_program__fd(s->progs.xdpguard), &opts)) {
		/* XDP runs take a context from 5.14 on. Before, a run is
		 * received on the loopback device, so asking for it needs
		 * no context.
		 */
		if (errno != EINVAL || ifindex != 1)
			return -1;
		opts.ctx_in = NULL;
		opts.ctx_size_in = 0;
		if (bpf_prog_test_run_opts(bpf_program__fd(s->progs.xdpguard),
					   &opts))
			return -1;
	}
	if (ns)
		*ns = opts.duration;
	if (out)
		out->len = opts.data_size_out;
	return opts.retval;
}

int h_run(const struct frame *f, size_t len)
{
	return run(0, f, len, 1, 0, NULL, NULL);
}

int h_run_out(const struct frame *f, struct frame *out)
{
	return run(0, f, f->len, 1, 0, NULL, out);
}

int h_sc_port(uint32_t port, uint32_t mode)
{
	int fd = bpf_map__fd(skel->maps.XG_MAP_SCPORTS);
	uint32_t key = port / XG_SC_PORTS_PER_WORD;
	uint64_t w;

	sc_dirty = 1;
	if (bpf_map_lookup_elem(fd, &key, &w))
		return -errno;
	w &= ~(3ULL << (port % XG_SC_PORTS_PER_WORD * 2));
	w |= (uint64_t)(mode & 3) << (port % XG_SC_PORTS_PER_WORD * 2);
	return bpf_map_update_elem(fd, &key, &w, BPF_ANY) ? -errno : 0;
}

int h_scstats(struct xg_scstats *sum)
{
	struct xg_scstats per[ncpus];
	uint32_t zero = 0;
	int c;

	if (bpf_map_lookup_elem(bpf_map__fd(skel->maps.XG_MAP_SCSTATS), &zero,
				per))
		return -errno;
	memset(sum, 0, sizeof(*sum));
	for (c = 0; c < ncpus; c++) {
		sum->acks_valid += per[c].acks_valid;
		sum->fallback += per[c].fallback;
		sum->no_listener += per[c].no_listener;
		sum->unsupported += per[c].unsupported;
		if (per[c].last_sent_ns > sum->last_sent_ns)
			sum->last_sent_ns = per[c].last_sent_ns;
	}
	return 0;
}

int h_run_on(int copy, const struct frame *f, size_t len, uint32_t ifindex)
{
	return run(copy, f, len, 1, ifindex, NULL, NULL);
}

int h_run_n(const struct frame *f, uint32_t repeat)
{
	return run(0, f, f->len, repeat, 0, NULL, NULL);
}

int h_bench(const struct frame *f, uint32_t repeat, uint32_t *ns)
{
	return run(0, f, f->len, repeat, 0, ns, NULL);
}

struct bench_cpu {
	const struct frame *f;
	uint32_t repeat, ns;
	int cpu, verdict;
	pthread_barrier_t *start;
};

static void *bench_cpu(void *arg)
{
	struct bench_cpu *b = arg;
	cpu_set_t set;

	CPU_ZERO(&set);
	CPU_SET(b->cpu, &set);
	if (sched_setaffinity(0, sizeof(set), &set)) {
		b->verdict = -1;
		return NULL;
	}
	pthread_barrier_wait(b->start);
	b->verdict = run(0, b->f, b->f->len, b->repeat, 0, &b->ns, NULL);
	return NULL;
}

int h_bench_cpus(const struct frame *f, uint32_t repeat, int cpus, uint32_t *ns)
{
	struct bench_cpu b[cpus];
	pthread_t t[cpus];
	pthread_barrier_t start;
	int i, n = 0, verdict = -1;
	uint64_t sum = 0;

	if (cpus < 1 || pthread_barrier_init(&start, NULL, cpus))
		return -1;
	for (i = 0; i < cpus; i++) {
		b[i] = (struct bench_cpu){
			.f = f, .repeat = repeat, .cpu = i, .start = &start
		};
		if (pthread_create(&t[i], NULL, bench_cpu, &b[i]))
			break;
		n++;
	}
	if (n < cpus) /* the threads started wait for the others forever */
		exit(1);
	for (i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	pthread_barrier_destroy(&start);
	for (i = 0; i < n; i++) {
		if (b[i].verdict < 0)
			return -1;
		verdict = b[i].verdict;
		sum += b[i].ns;
	}
	*ns = sum / n;
	return verdict;
}

int h_prog_size(uint32_t *xlated_insns, uint32_t *jited_bytes,
		uint32_t *verified_insns)
{
	struct bpf_prog_info info = { 0 };
	uint32_t len = sizeof(info);
	int fd = bpf_program__fd(skel->progs.xdpguard);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return -errno;
	*xlated_insns = info.xlated_prog_len / sizeof(struct bpf_insn);
	*jited_bytes = info.jited_prog_len;
	*verified_insns = info.verified_insns;
	return 0;
}
