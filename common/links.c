// SPDX-License-Identifier: GPL-2.0
/* The guarded interfaces as xg-stats finds them: the pins under
 * PIN_DIR/links, each with its xg_ifaces entry, and the one -i names.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "xg.h"

/* "veth0", or "veth0@edge" for an interface inside a netns. */
void xg_iface_label(const char *ifname, const char *netns, char *buf,
		    size_t len)
{
	if (netns && netns[0])
		snprintf(buf, len, "%s@%s", ifname, netns);
	else
		snprintf(buf, len, "%s", ifname);
}

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
		if (xg_slot_valid(xi.slot))
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

int xg_links_read(const char *dir, const struct xg_maps *m,
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
int xg_links_select(struct xg_report_iface *v, size_t *n,
		    const struct xg_report_opts *o)
{
	char label[XG_IFNAMSIZ + XG_NETNSSIZ + 1];
	int i = find_iface(v, *n, o);

	if (i < 0) {
		xg_iface_label(o->ifname, o->netns, label, sizeof(label));
		return xg_fail(-ENOENT, "%s is not guarded", label);
	}
	if (!xg_slot_valid(v[i].slot)) {
		xg_iface_label(v[i].ifname, v[i].netns, label, sizeof(label));
		return xg_fail(-ENOENT,
			       "%s has no counter slot; run xg-load --force %s",
			       label, v[i].ifname);
	}
	v[0] = v[i];
	*n = 1;
	return 0;
}
