// SPDX-License-Identifier: GPL-2.0
/* The packet counters: per interface slot, one per-CPU counter per class
 * and reason, summed here; and the names every renderer shares.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xg.h"

/* Per-CPU values of one key. */
struct cpu_vals {
	int ncpu;
	struct xg_counter *v;
};

static int vals_init(struct cpu_vals *cv)
{
	cv->ncpu = libbpf_num_possible_cpus();
	if (cv->ncpu < 0)
		return xg_fail(cv->ncpu, "cannot count CPUs: %s",
			       strerror(-cv->ncpu));
	cv->v = calloc(cv->ncpu, sizeof(*cv->v));
	if (!cv->v)
		return xg_fail(-ENOMEM, "cannot read counters: %s",
			       strerror(ENOMEM));
	return 0;
}

static void add(struct xg_counter *to, const struct xg_counter *c)
{
	to->packets += c->packets;
	to->bytes += c->bytes;
}

/* Adds one key's per-CPU values into @per and @total. */
static void account(__u32 key, const struct xg_counter *v, int ncpu,
		    struct xg_stats *per, struct xg_stats *total)
{
	__u32 slot = key / XG_SLOT_COUNTERS, k = key % XG_SLOT_COUNTERS;
	__u32 class = k / XG_R_SLOTS, reason = k % XG_R_SLOTS;
	struct xg_counter sum = {};
	int cpu;

	if (slot >= XG_IF_SLOTS)
		return;
	for (cpu = 0; cpu < ncpu; cpu++)
		add(&sum, &v[cpu]);
	if (per)
		per[slot].c[class][reason] = sum;
	if (total)
		add(&total->c[class][reason], &sum);
}

struct stats_walk {
	int ncpu;
	struct xg_stats *per, *total;
};

static int account_batch(const void *keys, const void *vals, __u32 n, void *ctx)
{
	const struct xg_counter *v = vals;
	const __u32 *k = keys;
	struct stats_walk *w = ctx;
	__u32 i;

	for (i = 0; i < n; i++)
		account(k[i], &v[(size_t)i * w->ncpu], w->ncpu, w->per,
			w->total);
	return 0;
}

/* The whole map in one batch syscall where the kernel has them, else one
 * lookup per key (2,640 syscalls, ~5 ms).
 */
int xg_stats_read_all(int stats_fd, struct xg_stats *per,
		      struct xg_stats *total)
{
	struct stats_walk w = { .per = per, .total = total };
	int err;

	w.ncpu = libbpf_num_possible_cpus();
	if (w.ncpu < 0)
		return xg_fail(w.ncpu, "cannot count CPUs: %s",
			       strerror(-w.ncpu));
	if (per)
		memset(per, 0, XG_IF_SLOTS * sizeof(*per));
	if (total)
		memset(total, 0, sizeof(*total));
	err = xg_batch_walk(stats_fd, sizeof(__u32),
			    w.ncpu * sizeof(struct xg_counter), XG_STATS_SLOTS,
			    account_batch, &w);
	if (err)
		return xg_fail(err, "cannot read counters: %s", strerror(-err));
	return 0;
}

int xg_stats_read(int stats_fd, struct xg_stats *s)
{
	return xg_stats_read_all(stats_fd, NULL, s);
}

/* Writes @slot's counters, adding them into slot 0 first if @fold. The
 * per-CPU values are kept per CPU: user space writes every CPU's copy.
 */
static int slot_rewrite(int fd, __u32 slot, bool fold)
{
	struct xg_counter *zero = NULL, *det = NULL;
	__u32 k, key;
	struct cpu_vals cv;
	int cpu, err;

	if (slot >= XG_IF_SLOTS)
		return xg_fail(-EINVAL, "counter slot %u out of range", slot);
	err = vals_init(&cv);
	if (err)
		return err;
	zero = calloc(cv.ncpu, sizeof(*zero));
	det = calloc(cv.ncpu, sizeof(*det));
	if (!zero || !det) {
		err = xg_fail(-ENOMEM, "cannot write counters: %s",
			      strerror(ENOMEM));
		goto out;
	}
	for (k = 0; k < XG_SLOT_COUNTERS; k++) {
		key = slot * XG_SLOT_COUNTERS + k;
		if (fold && slot != XG_IF_SLOT_DETACHED) {
			__u32 dkey = XG_IF_SLOT_DETACHED * XG_SLOT_COUNTERS + k;

			if (bpf_map_lookup_elem(fd, &key, cv.v) ||
			    bpf_map_lookup_elem(fd, &dkey, det))
				goto fail;
			for (cpu = 0; cpu < cv.ncpu; cpu++)
				add(&det[cpu], &cv.v[cpu]);
			if (bpf_map_update_elem(fd, &dkey, det, BPF_ANY))
				goto fail;
		}
		if (bpf_map_update_elem(fd, &key, zero, BPF_ANY))
			goto fail;
	}
	goto out;
fail:
	err = xg_fail(-errno, "cannot write counters: %s", strerror(errno));
out:
	free(zero);
	free(det);
	free(cv.v);
	return err;
}

int xg_stats_retire(int stats_fd, __u32 slot)
{
	return slot_rewrite(stats_fd, slot, true);
}

int xg_stats_clear_slot(int stats_fd, __u32 slot)
{
	return slot_rewrite(stats_fd, slot, false);
}

int xg_evstats_read(int evstats_fd, struct xg_evstats *out)
{
	int ncpu = libbpf_num_possible_cpus(), cpu, err = 0;
	struct xg_evstats *v;
	__u32 zero = 0;

	memset(out, 0, sizeof(*out));
	if (ncpu < 0)
		return xg_fail(ncpu, "cannot count CPUs: %s", strerror(-ncpu));
	v = calloc(ncpu, sizeof(*v));
	if (!v)
		return xg_fail(-ENOMEM, "cannot read event counters: %s",
			       strerror(ENOMEM));
	if (bpf_map_lookup_elem(evstats_fd, &zero, v)) {
		err = xg_fail(-errno, "cannot read event counters: %s",
			      strerror(errno));
		goto out;
	}
	for (cpu = 0; cpu < ncpu; cpu++) {
		out->sent += v[cpu].sent;
		out->sampled += v[cpu].sampled;
		out->lost += v[cpu].lost;
		out->mon_sent += v[cpu].mon_sent;
		out->mon_sampled += v[cpu].mon_sampled;
		out->mon_lost += v[cpu].mon_lost;
		out->feat_sent += v[cpu].feat_sent;
		out->feat_sampled += v[cpu].feat_sampled;
		out->feat_lost += v[cpu].feat_lost;
	}
out:
	free(v);
	return err;
}

void xg_stats_sum(const struct xg_stats *s, const struct xg_config *cfg,
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

bool xg_reason_drops(int reason, const struct xg_config *cfg)
{
	switch (reason) {
	case XG_R_PASS:
	case XG_R_ALLOWLISTED:
	case XG_R_COOKIE_SENT: /* answered with XDP_TX, not dropped */
		return false;
	case XG_R_MALFORMED:
		return cfg->flags & XG_CFG_DROP_MALFORMED;
	}
	return true;
}

const char *xg_class_name(int class)
{
	static const char *const names[XG_C_MAX] = {
		[XG_C_TCP] = "tcp",	  [XG_C_UDP] = "udp",
		[XG_C_ICMP] = "icmp",	  [XG_C_OTHER_IP] = "other_ip",
		[XG_C_NON_IP] = "non_ip",
	};

	if (class < 0 || class >= XG_C_MAX)
		return "unknown";
	return names[class];
}

const char *xg_reason_name(int reason)
{
	static const char *const names[XG_R_MAX] = {
		[XG_R_PASS] = "pass",
		[XG_R_ALLOWLISTED] = "allowlisted",
		[XG_R_BLOCKLISTED] = "blocklisted",
		[XG_R_MALFORMED] = "malformed",
		[XG_R_RATE_SYN] = "rate_syn",
		[XG_R_RATE_UDP] = "rate_udp",
		[XG_R_RATE_ICMP] = "rate_icmp",
		[XG_R_RATE_FRAG] = "rate_frag",
		[XG_R_SYN_GLOBAL] = "syn_global",
		[XG_R_UDP_GLOBAL] = "udp_global",
		[XG_R_ICMP_GLOBAL] = "icmp_global",
		[XG_R_FRAG_GLOBAL] = "frag_global",
		[XG_R_AUTOBAN] = "autoban",
		[XG_R_RULE_DROP] = "rule_drop",
		[XG_R_RULE_RATE] = "rule_rate",
		[XG_R_COOKIE_SENT] = "cookie_sent",
		[XG_R_COOKIE_BAD] = "cookie_bad",
	};

	if (reason < 0 || reason >= XG_R_MAX)
		return "unknown";
	return names[reason];
}

void xg_text_name(const char *name, char *buf, size_t len)
{
	char *s;

	snprintf(buf, len, "%s", name);
	for (s = buf; *s; s++)
		if (*s == '_')
			*s = '-';
}

const char *xg_limit_name(int k)
{
	static const char *const names[XG_LIM_SRC] = {
		[XG_LIM_SYN] = "syn",
		[XG_LIM_UDP] = "udp",
		[XG_LIM_ICMP] = "icmp",
		[XG_LIM_FRAG] = "frag",
	};

	return k >= 0 && k < XG_LIM_SRC ? names[k] : "unknown";
}

const char *xg_mode_name(int mode)
{
	switch (mode) {
	case XG_MODE_NATIVE:
		return "native";
	case XG_MODE_SKB:
		return "skb";
	case XG_MODE_OFFLOAD:
		return "offload";
	}
	return "unknown";
}
