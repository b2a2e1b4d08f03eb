// SPDX-License-Identifier: GPL-2.0
/* What xg-stats shows, gathered into one struct xg_report from maps
 * opened read-only; the renderers (report_text.c, report_json.c,
 * report_prom.c) only read that struct. No lock is taken: a reader
 * changes nothing.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "xg.h"

static int gather_lists(const struct xg_maps *m, struct xg_report *r)
{
	struct xg_list l;
	int err;

	xg_list_from_maps(&l, m, XG_LIST_BLOCK);
	err = xg_list_count(&l, &r->block);
	if (err)
		return err;
	xg_list_from_maps(&l, m, XG_LIST_ALLOW);
	return xg_list_count(&l, &r->allow);
}

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
		if (xg_slot_valid(r->ifaces[i].slot))
			r->ifaces[i].stats = per[r->ifaces[i].slot];
	r->detached = per[XG_IF_SLOT_DETACHED];
	if (o->ifname)
		r->stats = r->ifaces[0].stats;
	err = xg_sc_stats_read(m, &r->stats, &r->sc);
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
	err = xg_links_read(dir, m, &r->ifaces, &r->nifaces);
	if (err)
		return err;
	if (o->ifname) {
		err = xg_links_select(r->ifaces, &r->nifaces, o);
		if (err)
			return err;
	}
	err = gather_lists(m, r);
	if (!err)
		err = xg_top_entries(m, r);
	if (!err && r->ntop_entries)
		err = xg_origins_read(m->origins, r->origins);
	if (!err)
		err = xg_top_sources(m, r);
	if (!err)
		err = xg_top_rules(m, r);
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
	free(r->rules);
	free(r->top_rules);
	memset(r, 0, sizeof(*r));
}
