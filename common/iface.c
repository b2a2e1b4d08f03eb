// SPDX-License-Identifier: GPL-2.0
/* Guarded interfaces: how the tools name one (IFACE@NETNS), the link pin
 * under PIN_DIR/links that holds it, links left behind by an interface
 * that went away, the counter slots of xg_ifaces, and forgetting an
 * interface once it is no longer guarded.
 */
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>

#include "xg.h"

/* ---- names ----------------------------------------------------------------- */

int xg_netns_check(const char *ns, char *err, size_t len)
{
	if (*ns && !strchr(ns, '/') && strlen(ns) < XG_NETNSSIZ)
		return 0;
	snprintf(err, len, "invalid network namespace '%s'", ns);
	return -EINVAL;
}

int xg_iface_parse(const char *arg, const char *netns, struct xg_ifname *out,
		   char *err, size_t len)
{
	const char *at = strchr(arg, '@');
	size_t n = at ? (size_t)(at - arg) : strlen(arg);

	memset(out, 0, sizeof(*out));
	if (n == 0 || n >= XG_IFNAMSIZ || memchr(arg, '/', n) ||
	    (at && (!at[1] || strlen(at + 1) >= XG_NETNSSIZ ||
		    strchr(at + 1, '/')))) {
		snprintf(err, len, "invalid interface '%s'", arg);
		return -EINVAL;
	}
	if (at && netns) {
		snprintf(err, len,
			 "'%s' names its namespace; --netns does not apply "
			 "to it",
			 arg);
		return -EINVAL;
	}
	snprintf(out->ifname, sizeof(out->ifname), "%.*s", (int)n, arg);
	snprintf(out->netns, sizeof(out->netns), "%s",
		 at    ? at + 1 :
		 netns ? netns :
			 "");
	return 0;
}

void xg_opt_netns(struct xg_common_opts *co, const char *arg,
		  const char **netns)
{
	char msg[128];

	*netns = arg;
	if (xg_netns_check(arg, msg, sizeof(msg)))
		xg_opt_bad(co, "%s", msg);
}

int xg_opt_iface(struct xg_common_opts *co, const char *arg, const char *netns,
		 struct xg_ifname *out)
{
	char msg[128];

	if (xg_iface_parse(arg, netns, out, msg, sizeof(msg)))
		return xg_opt_bad(co, "%s", msg);
	return 0;
}

void xg_iface_label(const char *ifname, const char *netns, char *buf,
		    size_t len)
{
	if (netns && netns[0])
		snprintf(buf, len, "%s@%s", ifname, netns);
	else
		snprintf(buf, len, "%s", ifname);
}

/* ---- link pins ------------------------------------------------------------- */

/* bpffs refuses '.', and '@' separates the two names. */
static int encode(const char *s, char **p, char *end)
{
	for (; *s; s++) {
		const char *esc = *s == '.' ? "%2E" :
				  *s == '%' ? "%25" :
				  *s == '@' ? "%40" :
					      NULL;
		size_t n = esc ? 3 : 1;

		if (*s == '/')
			return -EINVAL;
		if (end - *p <= (ptrdiff_t)n)
			return -ENAMETOOLONG;
		if (esc)
			memcpy(*p, esc, 3);
		else
			**p = *s;
		*p += n;
	}
	**p = '\0';
	return 0;
}

int xg_link_pin_path(const char *dir, const char *netns, const char *ifname,
		     char *buf, size_t len)
{
	char *p = buf, *end = buf + len;
	int n, err;

	n = snprintf(buf, len, "%s/%s/", dir, XG_LINKS_SUBDIR);
	if (n < 0 || (size_t)n >= len)
		return -ENAMETOOLONG;
	p += n;
	err = encode(ifname, &p, end);
	if (err || !netns || !*netns)
		return err;
	if (end - p <= 1)
		return -ENAMETOOLONG;
	*p++ = '@';
	return encode(netns, &p, end);
}

static int decode(const char *s, size_t n, char *out, size_t outlen)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		char c = s[i];

		if (c == '%') {
			if (i + 3 > n)
				return -EINVAL;
			if (!strncmp(s + i, "%2E", 3))
				c = '.';
			else if (!strncmp(s + i, "%25", 3))
				c = '%';
			else if (!strncmp(s + i, "%40", 3))
				c = '@';
			else
				return -EINVAL;
			i += 2;
		}
		if (o + 1 >= outlen)
			return -ENAMETOOLONG;
		out[o++] = c;
	}
	out[o] = '\0';
	return o ? 0 : -EINVAL;
}

int xg_link_pin_name_decode(const char *name, char *netns, size_t nslen,
			    char *ifname, size_t iflen)
{
	const char *at = strchr(name, '@');
	int err;

	if (!at) {
		if (nslen)
			netns[0] = '\0';
		return decode(name, strlen(name), ifname, iflen);
	}
	err = decode(name, at - name, ifname, iflen);
	if (err)
		return err;
	return decode(at + 1, strlen(at + 1), netns, nslen);
}

int xg_link_info(int fd, struct bpf_link_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, len);
	return bpf_obj_get_info_by_fd(fd, info, &len) < 0 ? -errno : 0;
}

/* An XDP link whose interface went away is an empty shell. */
static bool info_is_stale(const struct bpf_link_info *info)
{
	return info->type != BPF_LINK_TYPE_XDP || info->xdp.ifindex == 0;
}

bool xg_link_is_stale(__u32 id)
{
	struct bpf_link_info info;
	bool stale;
	int fd;

	fd = bpf_link_get_fd_by_id(id);
	if (fd < 0)
		return errno == ENOENT;
	stale = xg_link_info(fd, &info) == 0 && info_is_stale(&info);
	close(fd);
	return stale;
}

int xg_link_open_pinned(const char *path, const struct xg_maps *m, __u32 *id)
{
	struct bpf_link_info info;
	int fd, err;

	fd = bpf_obj_get(path);
	if (fd < 0) {
		if (errno == ENOENT)
			return -ENOENT;
		return xg_fail(-errno, "cannot open %s: %s", path,
			       strerror(errno));
	}
	err = xg_link_info(fd, &info);
	if (err) {
		close(fd);
		return xg_fail(err, "cannot inspect %s: %s", path,
			       strerror(-err));
	}
	if (info_is_stale(&info)) {
		close(fd);
		if (unlink(path) < 0)
			return xg_fail(-errno, "cannot remove stale %s: %s",
				       path, strerror(errno));
		xg_iface_forget(m->ifaces, m->stats, info.id);
		return -ENOENT;
	}
	*id = info.id;
	return fd;
}

int xg_link_unpin(const char *path, __u32 *id)
{
	struct bpf_link_info info;
	int fd;

	fd = bpf_obj_get(path);
	if (fd < 0) {
		if (errno == ENOENT)
			return -ENOENT;
		if (errno == EPERM || errno == EACCES)
			return xg_fail(-errno, "permission denied; run as root "
					       "(needs CAP_BPF and "
					       "CAP_NET_ADMIN)");
		return xg_fail(-errno, "cannot open %s: %s", path,
			       strerror(errno));
	}
	if (xg_link_info(fd, &info) == 0)
		*id = info.id;
	/* a link whose interface is gone has nothing left to detach */
	if (bpf_link_detach(fd) < 0 && xg_verbose)
		xg_warn("detaching %s: %s", path, strerror(errno));
	close(fd);
	if (unlink(path) < 0)
		return xg_fail(-errno, "cannot remove %s: %s", path,
			       strerror(errno));
	return 0;
}

/* ---- slots ----------------------------------------------------------------- */

/* The ids of the guarded interfaces (xg_ifaces keys); returns how many. */
static int iface_ids(int ifaces_fd, __u32 ids[XG_MAX_IFACES])
{
	__u32 key, next;
	void *prev = NULL;
	int n = 0;

	if (ifaces_fd < 0)
		return 0;
	while (n < XG_MAX_IFACES &&
	       bpf_map_get_next_key(ifaces_fd, prev, &next) == 0) {
		ids[n++] = next;
		key = next;
		prev = &key;
	}
	return n;
}

void xg_iface_sweep(const char *dir, const struct xg_maps *m)
{
	__u32 ids[XG_MAX_IFACES], pid;
	struct bpf_link_info info;
	char path[PATH_MAX];
	struct xg_iface ifc;
	int i, n, fd;

	n = iface_ids(m->ifaces, ids);
	for (i = 0; i < n; i++) {
		if (!xg_link_is_stale(ids[i]) ||
		    bpf_map_lookup_elem(m->ifaces, &ids[i], &ifc))
			continue;
		ifc.ifname[XG_IFNAMSIZ - 1] = '\0';
		ifc.netns[XG_NETNSSIZ - 1] = '\0';
		/* its pin, unless a new link of the same name holds it */
		if (xg_link_pin_path(dir, ifc.netns, ifc.ifname, path,
				     sizeof(path)) == 0 &&
		    (fd = bpf_obj_get(path)) >= 0) {
			pid = xg_link_info(fd, &info) == 0 ? info.id : 0;
			close(fd);
			if (pid == ids[i])
				unlink(path);
		}
		xg_iface_forget(m->ifaces, m->stats, ids[i]);
	}
}

int xg_iface_slot_of(int ifaces_fd, __u32 link_id)
{
	struct xg_iface ifc;

	if (ifaces_fd < 0 ||
	    bpf_map_lookup_elem(ifaces_fd, &link_id, &ifc) < 0 ||
	    ifc.slot < 1 || ifc.slot > XG_MAX_IFACES)
		return -1;
	return ifc.slot;
}

int xg_iface_free_slot(int ifaces_fd)
{
	bool used[XG_IF_SLOTS] = {};
	__u32 ids[XG_MAX_IFACES];
	int i, n, slot;

	n = iface_ids(ifaces_fd, ids);
	for (i = 0; i < n; i++) {
		slot = xg_iface_slot_of(ifaces_fd, ids[i]);
		if (slot > 0)
			used[slot] = true;
	}
	for (slot = 1; slot <= XG_MAX_IFACES; slot++)
		if (!used[slot])
			return slot;
	return xg_fail(-ENOSPC,
		       "cannot guard more than %d interfaces; unload one first",
		       XG_MAX_IFACES);
}

int xg_iface_forget(int ifaces_fd, int stats_fd, __u32 link_id)
{
	int slot = xg_iface_slot_of(ifaces_fd, link_id);
	int err = 0;

	if (ifaces_fd < 0)
		return 0;
	if (slot > 0 && stats_fd >= 0)
		err = xg_stats_retire(stats_fd, slot);
	/* even if retiring failed: the slot must not stay taken */
	bpf_map_delete_elem(ifaces_fd, &link_id);
	return err;
}

int xg_slot_names(int ifaces_fd, struct xg_ifname *names)
{
	__u32 key, prev, *p = NULL;
	struct xg_iface xi;

	memset(names, 0, XG_IF_SLOTS * sizeof(*names));
	while (bpf_map_get_next_key(ifaces_fd, p, &key) == 0) {
		prev = key;
		p = &prev;
		/* an entry xg-unload deleted after get_next_key found it */
		if (bpf_map_lookup_elem(ifaces_fd, &key, &xi))
			continue;
		if (xi.slot == XG_IF_SLOT_DETACHED || xi.slot >= XG_IF_SLOTS)
			continue;
		snprintf(names[xi.slot].ifname, sizeof(names[0].ifname), "%.*s",
			 (int)sizeof(xi.ifname) - 1, xi.ifname);
		snprintf(names[xi.slot].netns, sizeof(names[0].netns), "%.*s",
			 (int)sizeof(xi.netns) - 1, xi.netns);
	}
	if (errno != ENOENT)
		return xg_fail(-errno, "cannot read %s: %s",
			       XG_STR(XG_MAP_IFACES), strerror(errno));
	return 0;
}

/* ---- the guarded interfaces, as xg-stats lists them ------------------------ */

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

/* The interface -i names: IFACE in --netns NS (or the pins' namespace);
 * xg-stats has split IFACE@NS already (xg_iface_parse()).
 */
static int find_iface(const struct xg_report_iface *v, size_t n,
		      const struct xg_report_opts *o)
{
	const char *ns = o->netns ? o->netns : "";
	size_t i;

	for (i = 0; i < n; i++)
		if (!strcmp(v[i].ifname, o->ifname) && !strcmp(v[i].netns, ns))
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
