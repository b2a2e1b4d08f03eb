// SPDX-License-Identifier: GPL-2.0
/* What the readers of a ring buffer share (xg-events, xg-features): the
 * one-reader lock, opening the ring and noticing it was unpinned, the -i
 * interfaces a reader keeps, and the names of the slots its records carry
 * (interfaces, monitor rules), looked up again at most once a tick.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/stat.h>

#include <bpf/bpf.h>

#include "xg.h"

/* A pinned map that is not a regular file cannot be opened, and every
 * BPF fd shares one anonymous inode, so the lock is an flock on a
 * directory under the pins: one per pin directory and ring, which
 * writers do not lock (they lock the pin directory itself).
 */
int xg_ring_lock(const char *dir, const char *subdir, bool create,
		 const char *busy)
{
	char path[PATH_MAX];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, subdir);
	if (create && mkdir(path, 0700) < 0 && errno != EEXIST)
		return xg_fail(-errno, "cannot create %s: %s", path,
			       strerror(errno));
	fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return xg_fail(-errno, "cannot open %s: %s", path,
			       strerror(errno));
	if (flock(fd, LOCK_EX | LOCK_NB) == 0)
		return fd;
	close(fd);
	if (errno == EWOULDBLOCK)
		return xg_fail(-EBUSY, "%s", busy);
	return xg_fail(-errno, "cannot lock %s: %s", path, strerror(errno));
}

__u32 xg_map_id(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	return bpf_obj_get_info_by_fd(fd, &info, &len) ? 0 : info.id;
}

/* The consumer position is written through mmap: a writable fd. */
int xg_ring_open(const char *dir, const char *name, int *fd, __u32 *id)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	*fd = bpf_obj_get(path);
	if (*fd < 0)
		return xg_fail(-errno, "cannot open %s: %s", path,
			       strerror(errno));
	*id = xg_map_id(*fd);
	return 0;
}

/* xg-unload --all (and a new xg-load after it) leaves a reader on a map
 * no program writes to any more.
 */
bool xg_ring_still_pinned(const char *dir, const char *name, __u32 id)
{
	char path[PATH_MAX];
	__u32 now;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	fd = bpf_obj_get(path);
	if (fd < 0)
		return errno != ENOENT;
	now = xg_map_id(fd);
	close(fd);
	return !now || now == id;
}

/* ---- the -i interfaces of a reader ----------------------------------------- */

void xg_ring_opt_iface(struct xg_common_opts *co, struct xg_ring_ifaces *fi,
		       const char *arg)
{
	if (fi->n == XG_MAX_IFACES)
		xg_opt_bad(co, "too many interfaces (at most %d)",
			   XG_MAX_IFACES);
	else if (!xg_opt_iface(co, arg, NULL, &fi->name[fi->n]))
		fi->arg[fi->n++] = arg;
}

/* --netns goes to the -i that do not name a namespace. */
int xg_ring_ifaces_resolve(struct xg_common_opts *co, struct xg_ring_ifaces *fi)
{
	int i;

	if (fi->netns && !fi->n)
		return xg_opt_bad(co, "option '--netns' needs --interface");
	for (i = 0; i < fi->n; i++)
		if (xg_opt_iface(co, fi->arg[i], fi->netns, &fi->name[i]))
			return -XG_EUSAGE;
	return 0;
}

static bool same(const struct xg_ifname *a, const struct xg_ifname *b)
{
	return !strcmp(a->ifname, b->ifname) && !strcmp(a->netns, b->netns);
}

bool xg_ring_iface_wanted(const struct xg_ring_ifaces *fi,
			  const struct xg_ifname *n)
{
	int i;

	if (!fi->n)
		return true;
	for (i = 0; n && i < fi->n; i++)
		if (same(n, &fi->name[i]))
			return true;
	return false;
}

int xg_ring_ifaces_check(const struct xg_ring_ifaces *fi,
			 const struct xg_ifname *names)
{
	const struct xg_ifname *want;
	int i, s;

	for (i = 0; i < fi->n; i++) {
		want = &fi->name[i];
		for (s = 1; s < XG_IF_SLOTS; s++)
			if (same(&names[s], want))
				break;
		if (s < XG_IF_SLOTS)
			continue;
		if (want->netns[0])
			return xg_fail(-ENOENT,
				       "%s in network namespace '%s' "
				       "is not guarded",
				       want->ifname, want->netns);
		/* the same name in a namespace: say how to name it */
		for (s = 1; s < XG_IF_SLOTS; s++)
			if (!strcmp(names[s].ifname, want->ifname))
				return xg_fail(-ENOENT,
					       "%s is not guarded; did you "
					       "mean %s@%s?",
					       want->ifname, want->ifname,
					       names[s].netns);
		return xg_fail(-ENOENT, "%s is not guarded", want->ifname);
	}
	return 0;
}

/* ---- names of the slots in the records ------------------------------------- */

int xg_ring_names_init(struct xg_ring_names *rn, const struct xg_maps *m)
{
	rn->ifaces_fd = m->ifaces;
	rn->rulesrc_fd = m->rulesrc;
	xg_ring_rules_refresh(rn);
	return xg_ring_names_refresh(rn);
}

int xg_ring_names_refresh(struct xg_ring_names *rn)
{
	rn->names_fresh = true;
	rn->names_gen++;
	return xg_slot_names(rn->ifaces_fd, rn->names);
}

/* The id of the rule in each slot, from xg_rulesrc. */
void xg_ring_rules_refresh(struct xg_ring_names *rn)
{
	struct xg_rule_src s;
	__u32 i;

	rn->rules_fresh = true;
	memset(rn->rule_id, 0, sizeof(rn->rule_id));
	for (i = 0; rn->rulesrc_fd >= 0 && i < XG_MAX_RULES; i++) {
		if (bpf_map_lookup_elem(rn->rulesrc_fd, &i, &s) || !s.r.id)
			break;
		if (s.r.slot < XG_MAX_RULES)
			rn->rule_id[s.r.slot] = s.r.id;
	}
}

const struct xg_ifname *xg_ring_iface(struct xg_ring_names *rn, __u32 slot)
{
	const struct xg_ifname *n;

	if (slot >= XG_IF_SLOTS)
		return NULL;
	n = &rn->names[slot];
	/* an interface guarded since the last look */
	if (!n->ifname[0] && !rn->names_fresh)
		xg_ring_names_refresh(rn);
	return n->ifname[0] ? n : NULL;
}

__u32 xg_ring_rule(struct xg_ring_names *rn, __u32 slot)
{
	slot &= XG_MAX_RULES - 1;
	/* a rule added since the last look */
	if (!rn->rule_id[slot] && !rn->rules_fresh)
		xg_ring_rules_refresh(rn);
	return rn->rule_id[slot];
}

void xg_ring_names_tick(struct xg_ring_names *rn)
{
	rn->names_fresh = false;
	rn->rules_fresh = false;
}
