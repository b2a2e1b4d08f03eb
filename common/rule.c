// SPDX-License-Identifier: GPL-2.0
/* The rules of xg-rule, compiled for the program: the rules in the order
 * they are checked, the candidate sets, and which set each (class,
 * destination port) and each class without a port meets (xg_abi.h); and
 * the rules as given and their hits read back, for xg-rule and xg-stats.
 * Self-contained (no other library file), so the packet tests link it:
 * errors are -errno, the callers word them.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xg.h"

/* The rules among @spec[0..n) that a packet of class @rc with
 * destination port @port (-1: none) can meet, into @set; -1 if more than
 * XG_RULE_CAND.
 */
static int candidates(const struct xg_rule_src *spec, int n, int rc, int port,
		      struct xg_rset *set)
{
	int i, j;

	memset(set, 0, sizeof(*set));
	for (i = 0; i < n; i++) {
		const struct xg_rule_src *s = &spec[i];
		int in = !s->nports;

		if (!(s->classes & (1U << rc)))
			continue;
		for (j = 0; j < (int)s->nports && port >= 0 && !in; j++)
			in = port >= s->port_lo[j] && port <= s->port_hi[j];
		/* dport !P,...: every port but those; never a packet
		 * without a port
		 */
		if (s->nports && (s->classes & XG_RS_NOT_DPORT))
			in = port >= 0 && !in;
		if (!in)
			continue;
		if (set->n == XG_RULE_CAND)
			return -1;
		set->idx[set->n++] = i;
	}
	return 0;
}

/* The id of @set in @img, added if new; -1 when XG_MAX_RSETS are used. */
static int set_id(struct xg_rules_image *img, const struct xg_rset *set)
{
	int i;

	if (!set->n)
		return 0;
	for (i = 1; i < img->nsets; i++)
		if (!memcmp(&img->sets[i], set, sizeof(*set)))
			return i;
	if (img->nsets == XG_MAX_RSETS)
		return -1;
	img->sets[img->nsets] = *set;
	return img->nsets++;
}

static const char *const rc_name[XG_RC_MAX] = { "tcp", "udp", "icmp", "other" };

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

int xg_rules_compile(const struct xg_rule_src *spec, int n,
		     struct xg_rules_image *img, char *err, size_t len)
{
	/* The ports where some rule's range starts or ends: between two of
	 * them, every port has the same candidates.
	 */
	static __u32 cut[2 * XG_MAX_RULES * XG_RULE_PORTS + 2];
	struct xg_rset set;
	int rc, i, j, ncut, id;
	__u32 p, next;

	if (n < 0 || n > XG_MAX_RULES) {
		snprintf(err, len, "%d rules; at most %d", n, XG_MAX_RULES);
		return -E2BIG;
	}
	memset(img, 0, sizeof(*img));
	img->nsets = 1; /* set 0: no candidate */
	for (i = 0; i < n; i++) {
		img->rules[i] = spec[i].r;
		for (j = 0; j < i; j++)
			if (spec[j].r.slot == spec[i].r.slot ||
			    spec[i].r.slot >= XG_MAX_RULES) {
				snprintf(err, len, "rule %u: slot %u taken",
					 spec[i].r.id, spec[i].r.slot);
				return -EINVAL;
			}
	}
	img->n = n;
	for (rc = 0; rc < XG_RC_MAX; rc++) {
		if (candidates(spec, n, rc, -1, &set) ||
		    (id = set_id(img, &set)) < 0)
			goto too_many_portless;
		img->ports[XG_RPORT_PORTLESS].set[rc] = id;
	}
	for (rc = XG_RC_TCP; rc <= XG_RC_UDP; rc++) {
		ncut = 0;
		cut[ncut++] = 0;
		for (i = 0; i < n; i++)
			for (j = 0; j < (int)spec[i].nports; j++) {
				cut[ncut++] = spec[i].port_lo[j];
				cut[ncut++] = spec[i].port_hi[j] + 1U;
			}
		qsort(cut, ncut, sizeof(cut[0]), cmp_u32);
		for (i = 0; i < ncut; i++) {
			p = cut[i];
			if (p > 65535 || (i && cut[i - 1] == p))
				continue;
			for (j = i + 1; j < ncut && cut[j] == p; j++)
				;
			next = j < ncut ? cut[j] : 65536;
			if (candidates(spec, n, rc, p, &set)) {
				snprintf(err, len,
					 "%s port %u: more than %d rules could "
					 "match one packet",
					 rc_name[rc], p, XG_RULE_CAND);
				return -E2BIG;
			}
			id = set_id(img, &set);
			if (id < 0) {
				snprintf(err, len,
					 "more than %d distinct sets of rules "
					 "by port",
					 XG_MAX_RSETS - 1);
				return -E2BIG;
			}
			for (; p < next && p < 65536; p++)
				img->ports[(rc * 65536 + p) >> 2].set[p & 3] =
					id;
		}
	}
	return 0;
too_many_portless:
	snprintf(err, len,
		 "%s without a port: more than %d rules could "
		 "match one packet",
		 rc_name[rc], XG_RULE_CAND);
	return -E2BIG;
}

int xg_rules_write(int rules_fd, int rsets_fd, int rports_fd, __u32 bank,
		   const struct xg_rules_image *img)
{
	__u32 i, k;

	bank &= 1;
	for (i = 0; i < (__u32)img->n; i++) {
		k = bank * XG_MAX_RULES + i;
		if (bpf_map_update_elem(rules_fd, &k, &img->rules[i], BPF_ANY))
			return -errno;
	}
	for (i = 0; i < (__u32)img->nsets; i++) {
		k = bank * XG_MAX_RSETS + i;
		if (bpf_map_update_elem(rsets_fd, &k, &img->sets[i], BPF_ANY))
			return -errno;
	}
	for (i = 0; i < XG_RPORT_ENTRIES; i++) {
		k = bank * XG_RPORT_ENTRIES + i;
		if (bpf_map_update_elem(rports_fd, &k, &img->ports[i], BPF_ANY))
			return -errno;
	}
	return 0;
}

int xg_rules_read(int rulesrc_fd, struct xg_rule_src *out, int *n)
{
	__u32 i;

	for (i = 0; i < XG_MAX_RULES; i++) {
		if (bpf_map_lookup_elem(rulesrc_fd, &i, &out[i]))
			return -errno;
		if (!out[i].r.id)
			break;
	}
	*n = i;
	return 0;
}

int xg_rules_hits(int rhits_fd, const struct xg_rule_src *src, int n,
		  struct xg_counter *hits)
{
	int ncpu = libbpf_num_possible_cpus(), i, c, err = 0;
	struct xg_counter *v;
	__u32 slot;

	if (ncpu <= 0)
		return -EINVAL;
	v = calloc(ncpu, sizeof(*v));
	if (!v)
		return -ENOMEM;
	for (i = 0; !err && i < n; i++) {
		memset(&hits[i], 0, sizeof(hits[i]));
		slot = src[i].r.slot;
		if (bpf_map_lookup_elem(rhits_fd, &slot, v)) {
			err = -errno;
			break;
		}
		for (c = 0; c < ncpu; c++) {
			hits[i].packets += v[c].packets;
			hits[i].bytes += v[c].bytes;
		}
	}
	free(v);
	return err;
}
