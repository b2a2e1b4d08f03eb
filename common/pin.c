// SPDX-License-Identifier: GPL-2.0
/* The pin directory: where it is, bpffs under it, the writers' lock, and
 * opening the pinned maps checked against xg_abi.h.
 */
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/file.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <linux/magic.h>

#include <bpf/bpf.h>

#include "xg.h"

#define XG_BPFFS "/sys/fs/bpf"
/* Writers hold the lock for milliseconds; 10 s means one is stuck. */
#define XG_LOCK_WAIT_MS 10000
#define XG_LOCK_POLL_MS 20

const char *xg_pin_dir(const char *opt)
{
	const char *env;

	if (opt && *opt)
		return opt;
	env = getenv(XG_PIN_ENV);
	if (env && *env)
		return env;
	return XG_DEFAULT_PIN_DIR;
}

static bool on_bpffs(const char *path, int *err)
{
	struct statfs st;

	if (statfs(path, &st) < 0) {
		*err = -errno;
		return false;
	}
	*err = 0;
	return st.f_type == BPF_FS_MAGIC;
}

int xg_bpffs_ensure(const char *dir)
{
	char parent[PATH_MAX];
	int err;

	if (!on_bpffs(XG_BPFFS, &err) && err != -ENOENT &&
	    mount("bpf", XG_BPFFS, "bpf", 0, "mode=0700") < 0)
		return xg_fail(-errno, "cannot mount bpffs on %s: %s", XG_BPFFS,
			       strerror(errno));

	if (strlen(dir) >= sizeof(parent))
		return xg_fail(-ENAMETOOLONG, "pin directory '%s': %s", dir,
			       strerror(ENAMETOOLONG));
	strcpy(parent, dir);
	/* dirname() of "/sys/fs/bpf/x/" is "/sys/fs/bpf" too */
	if (on_bpffs(dirname(parent), &err))
		return 0;
	if (err)
		return xg_fail(err, "cannot use pin directory '%s': %s", dir,
			       strerror(-err));
	return xg_fail(-EINVAL,
		       "'%s' is not on a BPF filesystem; use a --pin-dir "
		       "under %s",
		       parent, XG_BPFFS);
}

static int not_loaded(void)
{
	return xg_fail(-ENOENT,
		       "xdpguard is not loaded; run xg-load IFACE first");
}

static int no_permission(int err)
{
	return xg_fail(err, "permission denied; run as root (needs CAP_BPF "
			    "and CAP_NET_ADMIN)");
}

/* The holder we waited for may have been xg-unload --all, which removes
 * the directory: a lock on a removed directory protects nothing.
 */
static int lock_still_valid(const char *dir, int fd)
{
	struct stat a, b;

	if (fstat(fd, &a) == 0 && stat(dir, &b) == 0 && a.st_dev == b.st_dev &&
	    a.st_ino == b.st_ino)
		return fd;
	close(fd);
	return not_loaded();
}

int xg_lock(const char *dir)
{
	struct timespec nap = { 0, XG_LOCK_POLL_MS * 1000000L };
	int fd, waited;

	fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return not_loaded();
		if (errno == EACCES || errno == EPERM)
			return no_permission(-errno);
		return xg_fail(-errno, "cannot open '%s': %s", dir,
			       strerror(errno));
	}
	for (waited = 0;; waited += XG_LOCK_POLL_MS) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return lock_still_valid(dir, fd);
		if (errno != EWOULDBLOCK && errno != EINTR)
			break;
		if (waited >= XG_LOCK_WAIT_MS) {
			close(fd);
			return xg_fail(-EBUSY,
				       "another xdpguard command holds "
				       "the lock on %s",
				       dir);
		}
		nanosleep(&nap, NULL);
	}
	xg_err("cannot lock '%s': %s", dir, strerror(errno));
	close(fd);
	return -EIO;
}

void xg_unlock(int lock_fd)
{
	if (lock_fd < 0)
		return;
	flock(lock_fd, LOCK_UN);
	close(lock_fd);
}

/* What xg_abi.h says each pinned map is: the one table xg_maps_open(),
 * xg-load (before libbpf reuses a pin) and xg-unload check pins against.
 */
struct map_spec {
	const char *name;
	size_t off; /* of the fd in struct xg_maps */
	__u32 type, key_size, value_size;
	__u32 min_entries; /* indexes the tools use must exist */
	__u32 flags; /* map_flags, exactly: libbpf reuses no other pin */
};

#define MAP_SPEC(tok, field, t, k, v) MAP_SPEC_X(tok, field, t, k, v, 0, 0)
/* the lists allocate entries as they are added (bpf/maps.h) */
#define LIST_SPEC(tok, field, t, k)                              \
	MAP_SPEC_X(tok, field, t, k, sizeof(struct xg_entry), 0, \
		   BPF_F_NO_PREALLOC)
#define MAP_SPEC_X(tok, field, t, k, v, n, f)                               \
	{                                                                   \
		XG_STR(tok), offsetof(struct xg_maps, field), t, k, v, n, f \
	}

static const struct map_spec map_specs[] = {
	/* meta first: its ABI version names the culprit of any mismatch */
	MAP_SPEC(XG_MAP_META, meta, BPF_MAP_TYPE_ARRAY, 4,
		 sizeof(struct xg_meta)),
	LIST_SPEC(XG_MAP_ALLOW4, allow4, BPF_MAP_TYPE_HASH, 4),
	LIST_SPEC(XG_MAP_ALLOW6, allow6, BPF_MAP_TYPE_HASH,
		  sizeof(struct xg_in6)),
	LIST_SPEC(XG_MAP_ALLOW4P, allow4p, BPF_MAP_TYPE_LPM_TRIE,
		  sizeof(struct xg_lpm4)),
	LIST_SPEC(XG_MAP_ALLOW6P, allow6p, BPF_MAP_TYPE_LPM_TRIE,
		  sizeof(struct xg_lpm6)),
	LIST_SPEC(XG_MAP_BLOCK4, block4, BPF_MAP_TYPE_HASH, 4),
	LIST_SPEC(XG_MAP_BLOCK6, block6, BPF_MAP_TYPE_HASH,
		  sizeof(struct xg_in6)),
	LIST_SPEC(XG_MAP_BLOCK4P, block4p, BPF_MAP_TYPE_LPM_TRIE,
		  sizeof(struct xg_lpm4)),
	LIST_SPEC(XG_MAP_BLOCK6P, block6p, BPF_MAP_TYPE_LPM_TRIE,
		  sizeof(struct xg_lpm6)),
	MAP_SPEC_X(XG_MAP_STATS, stats, BPF_MAP_TYPE_PERCPU_ARRAY, 4,
		   sizeof(struct xg_counter), XG_STATS_SLOTS, 0),
	/* the settings are written, cfg_slot flipped and list bits cleared
	 * through mmap
	 */
	MAP_SPEC_X(XG_MAP_STATE, state, BPF_MAP_TYPE_ARRAY, 4,
		   sizeof(struct xg_state), 1, BPF_F_MMAPABLE),
	MAP_SPEC(XG_MAP_TRACK, track, BPF_MAP_TYPE_LRU_HASH,
		 sizeof(struct xg_in6), sizeof(struct xg_src)),
	MAP_SPEC_X(XG_MAP_GLOBAL, global, BPF_MAP_TYPE_ARRAY, 4,
		   sizeof(struct xg_global), 1, 0),
	MAP_SPEC_X(XG_MAP_ADMIT, admit, BPF_MAP_TYPE_PERCPU_ARRAY, 4,
		   sizeof(struct xg_admit), 1, 0),
	MAP_SPEC_X(XG_MAP_HOT, hot, BPF_MAP_TYPE_PERCPU_ARRAY, 4,
		   sizeof(struct xg_hot), 1, 0),
	/* rebuilt through mmap */
	MAP_SPEC_X(XG_MAP_PFX, pfx, BPF_MAP_TYPE_ARRAY, 4, sizeof(__u64),
		   XG_PFX_WORDS, BPF_F_MMAPABLE),
	MAP_SPEC_X(XG_MAP_ORIGINS, origins, BPF_MAP_TYPE_ARRAY, 4,
		   sizeof(struct xg_origin), XG_MAX_ORIGINS, 0),
	MAP_SPEC(XG_MAP_IFACES, ifaces, BPF_MAP_TYPE_HASH, 4,
		 sizeof(struct xg_iface)),
	MAP_SPEC_X(XG_MAP_EVENTS, events, BPF_MAP_TYPE_RINGBUF, 0, 0,
		   XG_EVENTS_BYTES, 0),
	MAP_SPEC_X(XG_MAP_FEATS, feats, BPF_MAP_TYPE_RINGBUF, 0, 0,
		   XG_FEATS_BYTES, 0),
	MAP_SPEC_X(XG_MAP_EVSTATS, evstats, BPF_MAP_TYPE_PERCPU_ARRAY, 4,
		   sizeof(struct xg_evstats), 1, 0),
	MAP_SPEC_X(XG_MAP_RULES, rules, BPF_MAP_TYPE_ARRAY, 4,
		   sizeof(struct xg_rule), 2 * XG_MAX_RULES, 0),
	MAP_SPEC_X(XG_MAP_RSETS, rsets, BPF_MAP_TYPE_ARRAY, 4,
		   sizeof(struct xg_rset), 2 * XG_MAX_RSETS, 0),
	MAP_SPEC_X(XG_MAP_RPORTS, rports, BPF_MAP_TYPE_ARRAY, 4,
		   sizeof(struct xg_rport), 2 * XG_RPORT_ENTRIES, 0),
	MAP_SPEC_X(XG_MAP_RHITS, rhits, BPF_MAP_TYPE_PERCPU_ARRAY, 4,
		   sizeof(struct xg_counter), XG_MAX_RULES, 0),
	MAP_SPEC_X(XG_MAP_RBUCKET, rbucket, BPF_MAP_TYPE_ARRAY, 4,
		   sizeof(struct xg_gbucket), XG_MAX_RULES, 0),
	MAP_SPEC_X(XG_MAP_RULESRC, rulesrc, BPF_MAP_TYPE_ARRAY, 4,
		   sizeof(struct xg_rule_src), XG_MAX_RULES, 0),
	MAP_SPEC(XG_MAP_RSRC, rsrc, BPF_MAP_TYPE_LRU_HASH,
		 sizeof(struct xg_rsrc_key), sizeof(__u64)),
	MAP_SPEC_X(XG_MAP_SCPORTS, scports, BPF_MAP_TYPE_ARRAY, 4,
		   sizeof(__u64), XG_SC_WORDS, 0),
	MAP_SPEC_X(XG_MAP_SCSTATS, scstats, BPF_MAP_TYPE_PERCPU_ARRAY, 4,
		   sizeof(struct xg_scstats), 1, 0),
};

#define N_MAPS (sizeof(map_specs) / sizeof(map_specs[0]))

static int *map_fd(struct xg_maps *m, const struct map_spec *s)
{
	return (int *)((char *)m + s->off);
}

static int abi_mismatch(const struct xg_meta *meta)
{
	if (meta && meta->magic == XG_META_MAGIC)
		return xg_fail(
			-EPROTO,
			"pinned maps are from another xdpguard version "
			"(ABI %u); run xg-unload --all and xg-load again",
			meta->abi_version);
	return xg_fail(-EPROTO,
		       "pinned maps are from another xdpguard "
		       "version; run xg-unload --all and xg-load again");
}

static const struct map_spec *spec_of(const char *name)
{
	size_t i;

	for (i = 0; i < N_MAPS; i++)
		if (!strcmp(map_specs[i].name, name))
			return &map_specs[i];
	return NULL;
}

/* The one validator: 0, -EPROTO (no message) or -errno of the syscall. */
static int check_map(int fd, const struct map_spec *s,
		     struct bpf_map_info *info)
{
	__u32 len = sizeof(*info);

	memset(info, 0, len);
	if (bpf_obj_get_info_by_fd(fd, info, &len) < 0)
		return -errno;
	if (!s || info->type != s->type || info->key_size != s->key_size ||
	    info->value_size != s->value_size ||
	    info->max_entries < s->min_entries || info->map_flags != s->flags)
		return -EPROTO;
	return 0;
}

int xg_map_check(int fd, const char *name, const char *path,
		 const struct xg_meta *meta, struct bpf_map_info *info)
{
	int err = check_map(fd, spec_of(name), info);

	if (err == -EPROTO)
		return abi_mismatch(meta);
	if (err)
		return xg_fail(err, "cannot inspect %s: %s", path,
			       strerror(-err));
	return 0;
}

/* tolerant: no message, -1 in *out for a map missing or not as it
 * should be.
 */
static int open_one(const char *dir, const struct map_spec *s, bool rdonly,
		    bool tolerant, const struct xg_meta *meta, int *out)
{
	LIBBPF_OPTS(bpf_obj_get_opts, opts,
		    .file_flags = rdonly ? BPF_F_RDONLY : 0);
	struct bpf_map_info info;
	char path[PATH_MAX];
	int fd, err;

	snprintf(path, sizeof(path), "%s/%s", dir, s->name);
	fd = bpf_obj_get_opts(path, &opts);
	if (fd < 0 && tolerant)
		return 0;
	if (fd < 0) {
		err = -errno;
		if (err == -EPERM || err == -EACCES)
			return no_permission(err);
		if (err == -ENOENT && !meta)
			return not_loaded();
		if (err == -ENOENT)
			return xg_fail(err,
				       "pinned map %s is missing; run "
				       "xg-unload --all and xg-load again",
				       path);
		return xg_fail(err, "cannot open %s: %s", path, strerror(-err));
	}
	err = tolerant ? check_map(fd, s, &info) :
			 xg_map_check(fd, s->name, path, meta, &info);
	if (err) {
		close(fd);
		return tolerant ? 0 : err;
	}
	*out = fd;
	return 0;
}

static void maps_init(struct xg_maps *m)
{
	size_t i;

	for (i = 0; i < N_MAPS; i++)
		*map_fd(m, &map_specs[i]) = -1;
}

void xg_maps_open_tolerant(const char *dir, struct xg_maps *m)
{
	size_t i;

	maps_init(m);
	for (i = 0; i < N_MAPS; i++)
		open_one(dir, &map_specs[i], false, true, NULL,
			 map_fd(m, &map_specs[i]));
}

int xg_maps_open(const char *dir, bool rdonly, struct xg_maps *m)
{
	struct xg_meta meta = {};
	__u32 zero = 0;
	size_t i;
	int err;

	maps_init(m);
	for (i = 0; i < N_MAPS; i++) {
		err = open_one(dir, &map_specs[i], rdonly, false,
			       i ? &meta : NULL, map_fd(m, &map_specs[i]));
		if (err)
			goto fail;
		if (i == 0 && bpf_map_lookup_elem(m->meta, &zero, &meta) < 0) {
			err = xg_fail(-errno, "cannot read %s/%s: %s", dir,
				      map_specs[0].name, strerror(errno));
			goto fail;
		}
		if (i == 0 && (meta.magic != XG_META_MAGIC ||
			       meta.abi_version != XG_ABI_VERSION)) {
			err = abi_mismatch(&meta);
			goto fail;
		}
	}
	return 0;
fail:
	xg_maps_close(m);
	return err;
}

void xg_maps_close(struct xg_maps *m)
{
	size_t i;

	for (i = 0; i < N_MAPS; i++) {
		int *fd = map_fd(m, &map_specs[i]);

		if (*fd >= 0)
			close(*fd);
		*fd = -1;
	}
}

__u32 xg_map_max_entries(int fd)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_obj_get_info_by_fd(fd, &info, &len))
		return 0;
	return info.max_entries;
}
