// SPDX-License-Identifier: GPL-2.0
/* The origins of list entries (xg-block --origin): their names in
 * xg_origins, by the index an entry carries. Index 0 is "manual" (or
 * "auto", for the program's bans); a name gets the first free index when
 * an entry first names it, and an index no entry of either list carries
 * any more is freed when the table is full. Writers hold the pin lock.
 */
#include <ctype.h>
#include <errno.h>
#include <string.h>

#include <bpf/bpf.h>

#include "xg.h"

bool xg_origin_valid(const char *name)
{
	size_t i, n = strlen(name);

	if (!n || n >= XG_ORIGIN_LEN ||
	    !(islower((unsigned char)name[0]) ||
	      isdigit((unsigned char)name[0])))
		return false;
	for (i = 1; i < n; i++)
		if (!islower((unsigned char)name[i]) &&
		    !isdigit((unsigned char)name[i]) &&
		    !strchr("_.:-", name[i]))
			return false;
	return true;
}

int xg_origins_read(int fd, struct xg_origin names[XG_MAX_ORIGINS])
{
	__u32 i;

	memset(names, 0, XG_MAX_ORIGINS * sizeof(*names));
	for (i = 1; i < XG_MAX_ORIGINS; i++) {
		if (bpf_map_lookup_elem(fd, &i, &names[i]))
			return xg_fail(-errno, "cannot read the origins: %s",
				       strerror(errno));
		names[i].name[XG_ORIGIN_LEN - 1] = '\0';
	}
	return 0;
}

const char *xg_origin_name(const struct xg_origin names[XG_MAX_ORIGINS],
			   const struct xg_entry *e)
{
	if (e->flags & XG_E_AUTO)
		return XG_ORIGIN_AUTO;
	if (!e->origin || e->origin >= XG_MAX_ORIGINS ||
	    !names[e->origin].name[0])
		return XG_ORIGIN_MANUAL;
	return names[e->origin].name;
}

int xg_origin_find(const struct xg_origin names[XG_MAX_ORIGINS],
		   const char *name)
{
	int i;

	if (!strcmp(name, XG_ORIGIN_MANUAL) || !strcmp(name, XG_ORIGIN_AUTO))
		return 0;
	for (i = 1; i < XG_MAX_ORIGINS; i++)
		if (!strcmp(names[i].name, name))
			return i;
	return -ENOENT;
}

struct used {
	bool id[XG_MAX_ORIGINS];
};

static int mark_used(const struct xg_list_item *it, void *ctx)
{
	struct used *u = ctx;

	if (it->entry.origin < XG_MAX_ORIGINS)
		u->id[it->entry.origin] = true;
	return 0;
}

/* Frees the names no entry of either list carries. */
static int origins_gc(const struct xg_maps *m,
		      struct xg_origin names[XG_MAX_ORIGINS])
{
	struct xg_origin none = {};
	struct used u = {};
	struct xg_list l;
	__u32 i;
	int err;

	xg_list_from_maps(&l, m, XG_LIST_BLOCK);
	err = xg_list_walk(&l, mark_used, &u);
	if (err >= 0) {
		xg_list_from_maps(&l, m, XG_LIST_ALLOW);
		err = xg_list_walk(&l, mark_used, &u);
	}
	if (err < 0)
		return err;
	for (i = 1; i < XG_MAX_ORIGINS; i++) {
		if (u.id[i] || !names[i].name[0])
			continue;
		if (bpf_map_update_elem(m->origins, &i, &none, BPF_ANY))
			return xg_fail(-errno, "cannot write the origins: %s",
				       strerror(errno));
		names[i] = none;
	}
	return 0;
}

int xg_origin_get(const struct xg_maps *m,
		  struct xg_origin names[XG_MAX_ORIGINS], const char *name)
{
	struct xg_origin o = {};
	int i, pass, err;

	i = xg_origin_find(names, name);
	if (i >= 0)
		return i;
	for (pass = 0; pass < 2; pass++) {
		for (i = 1; i < XG_MAX_ORIGINS && names[i].name[0]; i++)
			;
		if (i < XG_MAX_ORIGINS)
			break;
		if (pass)
			return xg_fail(-ENOSPC,
				       "too many origins (%d); flush the "
				       "entries of one with flush --origin",
				       XG_MAX_ORIGINS - 1);
		err = origins_gc(m, names);
		if (err)
			return err;
	}
	snprintf(o.name, sizeof(o.name), "%s", name);
	if (bpf_map_update_elem(m->origins, &(__u32){ i }, &o, BPF_ANY))
		return xg_fail(-errno, "cannot write the origins: %s",
			       strerror(errno));
	names[i] = o;
	return i;
}
