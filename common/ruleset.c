// SPDX-License-Identifier: GPL-2.0
/* A change to the rules, for xg-rule and xg-restore: the rules as given
 * (xg_rulesrc) are read, changed in a copy, compiled (common/rule.c) and
 * only then written, under the writers' lock. The compiled rules go into
 * the bank of the rule maps not in force, and the settings' flip of
 * xg_config.rule_bank puts them in force at once.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xg.h"

int xg_ruleset_alloc(struct xg_ruleset *rs, size_t nadd)
{
	memset(rs, 0, sizeof(*rs));
	rs->next_id = 1;
	rs->old = calloc(XG_MAX_RULES, sizeof(*rs->old));
	rs->cur = calloc(XG_MAX_RULES, sizeof(*rs->cur));
	rs->hits = calloc(XG_MAX_RULES, sizeof(*rs->hits));
	rs->ids = calloc(nadd + 1, sizeof(*rs->ids));
	if (!rs->old || !rs->cur || !rs->hits || !rs->ids)
		return xg_fail(-ENOMEM, "out of memory");
	return 0;
}

void xg_ruleset_free(struct xg_ruleset *rs)
{
	free(rs->old);
	free(rs->cur);
	free(rs->hits);
	free(rs->ids);
}

int xg_ruleset_find(const struct xg_ruleset *rs, bool by_prio, __u32 v)
{
	int i;

	for (i = 0; i < rs->ncur; i++)
		if ((by_prio ? rs->cur[i].r.prio : rs->cur[i].r.id) == v)
			return i;
	return -1;
}

/* A slot no rule holds: first one no rule held before the change either,
 * so that no packet of the old rules counts on the new rule's slot.
 */
static int free_slot(const struct xg_ruleset *rs)
{
	int i;

	for (i = 0; i < XG_MAX_RULES; i++)
		if (!rs->slots[i])
			return i;
	for (i = 0; i < XG_MAX_RULES; i++)
		if (!(rs->slots[i] & XG_SLOT_CUR))
			return i;
	return -1;
}

int xg_ruleset_add(struct xg_ruleset *rs, struct xg_rule_src *s, bool has_prio,
		   const char *where)
{
	__u32 max = 0;
	int i, slot;

	for (i = 0; i < rs->ncur; i++)
		if (rs->cur[i].r.prio > max)
			max = rs->cur[i].r.prio;
	if (!has_prio && max >= XG_RULE_PRIO_MAX)
		return xg_fail(-ERANGE,
			       "%sno priority left after %u; give prio N",
			       where, max);
	if (!has_prio)
		s->r.prio = max + 1;
	i = xg_ruleset_find(rs, true, s->r.prio);
	if (i >= 0)
		return xg_usage_err("%spriority %u is taken by rule %u", where,
				    s->r.prio, rs->cur[i].r.id);
	if (s->r.id && xg_ruleset_find(rs, false, s->r.id) >= 0)
		return xg_usage_err("%sid %u is taken", where, s->r.id);
	slot = free_slot(rs);
	if (rs->ncur >= XG_MAX_RULES || slot < 0)
		return xg_fail(-E2BIG, "%stoo many rules (at most %d)", where,
			       XG_MAX_RULES);
	s->r.slot = slot;
	rs->slots[slot] |= XG_SLOT_CUR | XG_SLOT_NEW;
	if (!s->r.id)
		s->r.id = rs->next_id;
	if (s->r.id >= rs->next_id)
		rs->next_id = s->r.id + 1;
	rs->ids[rs->added++] = s->r.id;
	rs->cur[rs->ncur++] = *s;
	return 0;
}

void xg_ruleset_del(struct xg_ruleset *rs, int i)
{
	rs->slots[rs->cur[i].r.slot] &= ~XG_SLOT_CUR;
	memmove(&rs->cur[i], &rs->cur[i + 1],
		(rs->ncur - i - 1) * sizeof(*rs->cur));
	rs->ncur--;
	rs->deleted++;
}

void xg_ruleset_flush(struct xg_ruleset *rs)
{
	int i;

	for (i = 0; i < rs->ncur; i++)
		rs->slots[rs->cur[i].r.slot] &= ~XG_SLOT_CUR;
	rs->deleted += rs->ncur;
	rs->ncur = 0;
}

static int prio_cmp(const void *a, const void *b)
{
	const struct xg_rule *x = &((const struct xg_rule_src *)a)->r;
	const struct xg_rule *y = &((const struct xg_rule_src *)b)->r;

	if (x->prio != y->prio)
		return x->prio < y->prio ? -1 : 1;
	return (x->id > y->id) - (x->id < y->id);
}

/* ---- the maps ------------------------------------------------------------ */

int xg_ruleset_read(const struct xg_maps *m, struct xg_ruleset *rs)
{
	int i, err;

	err = xg_rules_read(m->rulesrc, rs->old, &rs->nold);
	if (err)
		return xg_fail(err, "cannot read the rules: %s",
			       strerror(-err));
	for (i = 0; i < rs->nold; i++) {
		if (rs->old[i].r.slot < XG_MAX_RULES)
			rs->slots[rs->old[i].r.slot] |= XG_SLOT_OLD |
							XG_SLOT_CUR;
		if (rs->old[i].r.id >= rs->next_id)
			rs->next_id = rs->old[i].r.id + 1;
	}
	memcpy(rs->cur, rs->old, rs->nold * sizeof(*rs->cur));
	rs->ncur = rs->nold;
	return 0;
}

static int set_rules_bit(const struct xg_maps *m, bool on)
{
	struct xg_state *st = xg_state_mmap(m->state, false);

	if (!st)
		return xg_fail(-errno, "cannot map the state word: %s",
			       strerror(errno));
	if (on)
		__atomic_fetch_or(&st->lists, XG_L_RULES, __ATOMIC_SEQ_CST);
	else
		__atomic_fetch_and(&st->lists, ~XG_L_RULES, __ATOMIC_SEQ_CST);
	xg_state_munmap(st);
	return 0;
}

/* A rule keeps its slot, and with it its hits and buckets, for its life;
 * the slots of the rules added start from zero hits and a full bucket.
 */
static int reset_new_slots(const struct xg_maps *m, const struct xg_ruleset *rs)
{
	int ncpu = libbpf_num_possible_cpus(), err = 0;
	struct xg_gbucket bzero = {};
	struct xg_counter *zero;
	__u32 k;

	if (ncpu <= 0)
		return xg_fail(-EINVAL, "cannot count the CPUs");
	zero = calloc(ncpu, sizeof(*zero));
	if (!zero)
		return xg_fail(-ENOMEM, "out of memory");
	for (k = 0; !err && k < XG_MAX_RULES; k++)
		if ((rs->slots[k] & XG_SLOT_NEW) &&
		    (bpf_map_update_elem(m->rhits, &k, zero, BPF_ANY) ||
		     bpf_map_update_elem(m->rbucket, &k, &bzero, BPF_ANY)))
			err = xg_fail(-errno, "cannot reset a rule's hits: %s",
				      strerror(errno));
	free(zero);
	return err;
}

/* Once the new rules are in force: the per-source buckets (xg_rsrc) of
 * the slots no rule kept, so that a rule added later in one of them
 * starts with full buckets.
 */
static int drop_stale_buckets(const struct xg_maps *m,
			      const struct xg_ruleset *rs)
{
	struct xg_rsrc_key k, next, *gone = NULL, *tmp;
	size_t n = 0, cap = 0, i;
	void *prev = NULL;
	int err = 0;

	while (!bpf_map_get_next_key(m->rsrc, prev, &next)) {
		k = next;
		prev = &k;
		if (k.slot < XG_MAX_RULES &&
		    (rs->slots[k.slot] & (XG_SLOT_CUR | XG_SLOT_NEW)) ==
			    XG_SLOT_CUR)
			continue;
		if (n == cap) {
			cap = cap ? cap * 2 : 64;
			tmp = realloc(gone, cap * sizeof(*gone));
			if (!tmp) {
				free(gone);
				return xg_fail(-ENOMEM, "out of memory");
			}
			gone = tmp;
		}
		gone[n++] = k;
	}
	for (i = 0; i < n && !err; i++)
		if (bpf_map_delete_elem(m->rsrc, &gone[i]) && errno != ENOENT)
			err = xg_fail(-errno,
				      "cannot reset a rule's buckets: %s",
				      strerror(errno));
	free(gone);
	return err;
}

/* The compiled rules into the bank not in force, then the settings with
 * that bank in force: a packet meets the old rules or the new ones. The
 * list bit is set before the flip, and cleared after it when no rule is
 * left. Then the rules as given, for the next change.
 */
int xg_ruleset_write(const struct xg_maps *m, struct xg_ruleset *rs)
{
	static struct xg_rules_image img;
	struct xg_rule_src end = {};
	struct xg_config cfg;
	char err[256];
	__u32 i, bank;
	int rc;

	qsort(rs->cur, rs->ncur, sizeof(*rs->cur), prio_cmp);
	rc = xg_rules_compile(rs->cur, rs->ncur, &img, err, sizeof(err));
	if (rc)
		return xg_fail(rc, "%s", err);
	rc = xg_config_read(m, &cfg);
	if (rc)
		return rc;
	bank = !cfg.rule_bank;
	rc = reset_new_slots(m, rs);
	if (rc)
		return rc;
	rc = xg_rules_write(m->rules, m->rsets, m->rports, bank, &img);
	if (rc)
		return xg_fail(rc, "cannot write the rules: %s", strerror(-rc));
	if (rs->ncur) {
		rc = set_rules_bit(m, true);
		if (rc)
			return rc;
	}
	cfg.rule_bank = bank;
	rc = xg_config_write(m, &cfg);
	if (!rc && !rs->ncur)
		rc = set_rules_bit(m, false);
	if (rc)
		return rc;
	for (i = 0; i < (__u32)rs->ncur || i < (__u32)rs->nold; i++)
		if (i < XG_MAX_RULES &&
		    bpf_map_update_elem(
			    m->rulesrc, &i,
			    i < (__u32)rs->ncur ? &rs->cur[i] : &end, BPF_ANY))
			return xg_fail(-errno, "cannot write the rules: %s",
				       strerror(errno));
	return drop_stale_buckets(m, rs);
}
