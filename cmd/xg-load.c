// SPDX-License-Identifier: GPL-2.0
/* xg-load: attach the xdpguard program to an interface, creating or
 * reusing the pinned maps that every guarded interface shares.
 */
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/stat.h>
#include <linux/if_link.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xg.h"
#include "xg_skel.h"

enum {
	OPT_MAX_ENTRIES = XG_OPT_TOOL,
	OPT_DROP_MALFORMED,
	OPT_PASS_MALFORMED,
	OPT_TRACK,
	OPT_FEATURE_RING,
	OPT_ALLOW_SELF,
};

/* --allow-self without a DURATION: long enough to finish a session's
 * work, short enough not to leave the address open for good.
 */
#define ALLOW_SELF_DEFAULT "1h"
#define ALLOW_SELF_ORIGIN "allow-self" /* the origin its entry shows */

static const struct option long_opts[] = {
	{ "mode", required_argument, NULL, 'm' },
	{ "force", no_argument, NULL, 'F' },
	{ "netns", required_argument, NULL, 'n' },
	{ "max-entries", required_argument, NULL, OPT_MAX_ENTRIES },
	{ "drop-malformed", no_argument, NULL, OPT_DROP_MALFORMED },
	{ "pass-malformed", no_argument, NULL, OPT_PASS_MALFORMED },
	{ "track", required_argument, NULL, OPT_TRACK },
	{ "feature-ring", required_argument, NULL, OPT_FEATURE_RING },
	{ "allow-self", optional_argument, NULL, OPT_ALLOW_SELF },
	XG_COMMON_LONG_OPTS,
};

static void usage(void)
{
	printf("Usage: xg-load [OPTIONS] IFACE[@NAME]\n"
	       "       xg-load --allow-self [DURATION]\n"
	       "Attach the xdpguard XDP filter to IFACE. Every guarded "
	       "interface shares\n"
	       "the same pinned maps, so the lists apply to all of them.\n"
	       "\n"
	       "  -m, --mode MODE       native (default), skb or offload\n"
	       "  -F, --force           replace the program on an interface "
	       "already guarded\n"
	       "  -n, --netns NAME      IFACE is in network namespace NAME "
	       "(ip netns),\n"
	       "                        as IFACE@NAME says too\n"
	       "      --max-entries N   size of each blocklist map "
	       "(1-%u; default\n"
	       "                        %u hosts, %u prefixes); fixed while "
	       "the maps\n"
	       "                        are pinned\n"
	       "      --track N         sources tracked for the rate limits "
	       "(%u-%u;\n"
	       "                        default %u; ~130 bytes each, "
	       "preallocated); fixed\n"
	       "                        while the maps are pinned\n"
	       "      --feature-ring BYTES\n"
	       "                        ring buffer of xg-features (256k-256M, "
	       "a power of\n"
	       "                        two; default 256k); fixed while the "
	       "maps are pinned\n"
	       "      --allow-self [DURATION]\n"
	       "                        allowlist the peer of $SSH_CONNECTION "
	       "for DURATION\n"
	       "                        (default %s); without IFACE, on the "
	       "loaded maps\n"
	       "      --drop-malformed  drop packets with truncated or "
	       "invalid headers\n"
	       "      --pass-malformed  pass such packets (the default)\n"
	       "      --pin-dir DIR     pin directory (default "
	       "$%s, else\n"
	       "                        %s)\n"
	       "  -j, --json            print the result (or the error) as JSON\n"
	       "  -v, --verbose         show libbpf messages (twice: debug "
	       "too)\n"
	       "  -V, --version         print the version and exit\n"
	       "  -h, --help            print this help and exit\n",
	       XG_MAX_BLOCK_ENTRIES, XG_DEF_BLOCK_HOSTS, XG_DEF_BLOCK_PREFIXES,
	       XG_MIN_TRACK, XG_MAX_TRACK, XG_DEF_TRACK, ALLOW_SELF_DEFAULT,
	       XG_PIN_ENV, XG_DEFAULT_PIN_DIR);
}

struct load_opts {
	const char *ifname; /* of iface */
	const char *netns; /* of iface; NULL: the pins' namespace */
	const char *netns_opt; /* -n */
	struct xg_ifname iface;
	struct xg_common_opts co;
	int mode; /* enum xg_mode */
	bool mode_set;
	bool force;
	__u32 max_entries; /* 0: not given */
	__u32 track; /* 0: not given */
	__u32 feature_ring; /* 0: not given */
	int malformed; /* -1: keep, 0: pass, 1: drop */
	const char *allow_self; /* --allow-self: its DURATION; NULL: not */
	__u64 allow_secs;
};

static void parse_mode(const char *s, struct load_opts *o)
{
	o->mode_set = true;
	if (!strcmp(s, "native"))
		o->mode = XG_MODE_NATIVE;
	else if (!strcmp(s, "skb"))
		o->mode = XG_MODE_SKB;
	else if (!strcmp(s, "offload"))
		o->mode = XG_MODE_OFFLOAD;
	else
		xg_opt_bad(&o->co, "invalid mode '%s' (native, skb or offload)",
			   s);
}

/* --allow-self=DURATION, or --allow-self DURATION when the next word is
 * one: an interface named like a duration needs the '=' form.
 */
static void opt_allow_self(int argc, char **argv, struct load_opts *o)
{
	const char *arg = optarg;

	if (!arg && optind < argc && argv[optind][0] != '-' &&
	    !xg_parse_duration(argv[optind], &o->allow_secs))
		arg = argv[optind++];
	o->allow_self = arg ? arg : ALLOW_SELF_DEFAULT;
	if (xg_parse_duration(o->allow_self, &o->allow_secs))
		xg_opt_bad(&o->co,
			   "invalid duration '%s' (seconds, or a number with "
			   "s, m, h or d)",
			   o->allow_self);
}

static void tool_opt(int c, struct load_opts *o)
{
	__u64 v;

	switch (c) {
	case 'm':
		parse_mode(optarg, o);
		break;
	case 'F':
		o->force = true;
		break;
	case 'n':
		xg_opt_netns(&o->co, optarg, &o->netns_opt);
		break;
	case OPT_MAX_ENTRIES:
		if (xg_parse_u64(optarg, 1, XG_MAX_BLOCK_ENTRIES, &v))
			xg_opt_bad(&o->co, "invalid max-entries '%s' (1-%u)",
				   optarg, XG_MAX_BLOCK_ENTRIES);
		else
			o->max_entries = v;
		break;
	case OPT_TRACK:
		if (xg_parse_u64(optarg, XG_MIN_TRACK, XG_MAX_TRACK, &v))
			xg_opt_bad(&o->co, "invalid track '%s' (%u-%u)", optarg,
				   XG_MIN_TRACK, XG_MAX_TRACK);
		else
			o->track = v;
		break;
	case OPT_FEATURE_RING:
		if (xg_parse_size(optarg, XG_FEATS_BYTES, XG_MAX_FEATS_BYTES,
				  &v) ||
		    (v & (v - 1)))
			xg_opt_bad(&o->co,
				   "invalid feature ring '%s' (256k-256M, a "
				   "power of two)",
				   optarg);
		else
			o->feature_ring = v;
		break;
	case OPT_DROP_MALFORMED:
		o->malformed = 1;
		break;
	case OPT_PASS_MALFORMED:
		o->malformed = 0;
		break;
	}
}

/* One operand: the interface, IFACE or IFACE@NETNS; none with
 * --allow-self alone.
 */
static int check_args(struct load_opts *o, int argc, char **argv)
{
	if (optind >= argc && o->allow_self)
		return 0;
	if (optind >= argc)
		return xg_opt_bad(&o->co, "no interface given; see --help");
	if (optind + 1 < argc)
		return xg_opt_bad(&o->co,
				  "unexpected argument '%s'; see --help",
				  argv[optind + 1]);
	if (!*argv[optind])
		return xg_opt_bad(&o->co, "no interface given; see --help");
	if (xg_opt_iface(&o->co, argv[optind], o->netns_opt, &o->iface))
		return -XG_EUSAGE;
	o->ifname = o->iface.ifname;
	o->netns = o->iface.netns[0] ? o->iface.netns : NULL;
	return 0;
}

static int parse_args(int argc, char **argv, struct load_opts *o)
{
	int c;

	while ((c = xg_getopt(argc, argv, "m:Fn:", long_opts, &o->co)) != -1)
		if (c == OPT_ALLOW_SELF)
			opt_allow_self(argc, argv, o);
		else
			tool_opt(c, o);
	if (!xg_opts_stop(&o->co))
		check_args(o, argc, argv);
	return xg_opts_end(&o->co);
}

/* Room for the maps of the object, internal ones (.rodata) included. */
#define XG_LOAD_MAX_MAPS 48

/* Everything one xg-load call creates, so a failure can take it back. */
struct load_state {
	const struct load_opts *o;
	const char *dir;
	int ifindex;
	int mode; /* enum xg_mode: --mode, or the guarded link's (--force) */
	bool created_dir, created_links;
	bool had_pin[XG_LOAD_MAX_MAPS]; /* per map, in bpf_object order */
	bool load_tried; /* had_pin[] is complete: undo may unpin */
	bool first; /* no xg_meta before: write meta and config */
	struct xg_maps m; /* the pinned maps of an earlier load (!first) */
	__u32 slot; /* counter slot of IFACE, 1..XG_MAX_IFACES */
	bool slot_kept; /* --force: the old link's slot, counters kept */
	struct xdpguard *skel;
	__u32 kfeat; /* XG_KF_* of the running kernel */
	char link_path[PATH_MAX];
	int old_link; /* pinned link of IFACE (--force), or -1 */
	__u32 old_link_id;
	int link_fd; /* link created by this call, or -1 */
	bool link_pinned;
	__u32 link_id;
};

static int resolve_iface(struct load_state *st)
{
	const struct load_opts *o = st->o;

	st->ifindex = if_nametoindex(o->ifname);
	if (st->ifindex > 0)
		return 0;
	if (o->netns)
		return xg_fail(-ENODEV,
			       "interface '%s' not found in network "
			       "namespace '%s'",
			       o->ifname, o->netns);
	return xg_fail(-ENODEV, "interface '%s' not found", o->ifname);
}

static int make_dir(const char *path, bool *created)
{
	if (mkdir(path, 0700) == 0) {
		*created = true;
		return 0;
	}
	if (errno == EEXIST)
		return 0;
	if (errno == EACCES || errno == EPERM)
		return xg_fail(-errno, "permission denied; run as root (needs "
				       "CAP_BPF and CAP_NET_ADMIN)");
	return xg_fail(-errno, "cannot create %s: %s", path, strerror(errno));
}

/* Looks at links/IFACE: absent, stale (removed here), or guarded. */
static int check_pinned_link(struct load_state *st)
{
	int fd, err;

	err = xg_link_pin_path(st->dir, st->o->netns, st->o->ifname,
			       st->link_path, sizeof(st->link_path));
	if (err)
		return xg_fail(err, "interface name '%s' is too long",
			       st->o->ifname);
	fd = xg_link_open_pinned(st->link_path, &st->m, &st->old_link_id);
	if (fd == -ENOENT)
		return 0;
	if (fd < 0)
		return fd;
	if (!st->o->force) {
		close(fd);
		return xg_fail(-EEXIST,
			       "%s is already guarded; use --force to replace "
			       "the program",
			       st->o->ifname);
	}
	st->old_link = fd;
	return 0;
}

static bool is_block_map(const char *name)
{
	return !strcmp(name, XG_STR(XG_MAP_BLOCK4)) ||
	       !strcmp(name, XG_STR(XG_MAP_BLOCK6)) ||
	       !strcmp(name, XG_STR(XG_MAP_BLOCK4P)) ||
	       !strcmp(name, XG_STR(XG_MAP_BLOCK6P));
}

/* libbpf reuses a pinned map only if it matches the object's definition
 * exactly, max_entries included: take the pinned size, or refuse a
 * different --max-entries.
 */
static int adopt_pinned_map(struct load_state *st, struct bpf_map *map,
			    bool *had_pin)
{
	const char *name = bpf_map__name(map);
	const char *path = bpf_map__pin_path(map);
	struct bpf_map_info info;
	int fd, err = 0;

	if (!path) /* not pinned: .rodata and the like */
		return 0;
	fd = bpf_obj_get(path);
	if (fd < 0) {
		if (errno != ENOENT)
			return xg_fail(-errno, "cannot open %s: %s", path,
				       strerror(errno));
		if (st->o->max_entries && is_block_map(name))
			err = bpf_map__set_max_entries(map, st->o->max_entries);
		if (st->o->track && !strcmp(name, XG_STR(XG_MAP_TRACK)))
			err = bpf_map__set_max_entries(map, st->o->track);
		if (st->o->feature_ring && !strcmp(name, XG_STR(XG_MAP_FEATS)))
			err = bpf_map__set_max_entries(map,
						       st->o->feature_ring);
		return err;
	}
	*had_pin = true;
	err = xg_map_check(fd, name, path, NULL, &info);
	if (err)
		goto out;
	if (st->o->max_entries && !strcmp(name, XG_STR(XG_MAP_BLOCK4)) &&
	    info.max_entries != st->o->max_entries) {
		err = xg_fail(-EEXIST,
			      "blocklist maps are pinned with %u entries; run "
			      "xg-unload --all to resize (this empties the "
			      "lists)",
			      info.max_entries);
		goto out;
	}
	if (st->o->track && !strcmp(name, XG_STR(XG_MAP_TRACK)) &&
	    info.max_entries != st->o->track) {
		err = xg_fail(-EEXIST,
			      "source tracker is pinned with %u entries; run "
			      "xg-unload --all to resize (this empties the "
			      "lists)",
			      info.max_entries);
		goto out;
	}
	if (st->o->feature_ring && !strcmp(name, XG_STR(XG_MAP_FEATS)) &&
	    info.max_entries != st->o->feature_ring) {
		err = xg_fail(-EEXIST,
			      "feature ring is pinned with %u bytes; run "
			      "xg-unload --all to resize (this empties the "
			      "lists)",
			      info.max_entries);
		goto out;
	}
	err = bpf_map__set_max_entries(map, info.max_entries);
out:
	close(fd);
	return err;
}

/* An xg_meta pin means an earlier load: its maps, ABI checked, stay open
 * for the interface bookkeeping.
 */
static int open_pins(struct load_state *st)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", st->dir, XG_STR(XG_MAP_META));
	st->first = access(path, F_OK) < 0;
	if (st->first)
		return 0;
	return xg_maps_open(st->dir, false, &st->m);
}

/* The counter slot: the old link's on --force, else the lowest free one. */
static int pick_slot(struct load_state *st)
{
	int slot = -1;

	if (st->first) {
		st->slot = 1;
		return 0;
	}
	if (st->old_link >= 0)
		slot = xg_iface_slot_of(st->m.ifaces, st->old_link_id);
	st->slot_kept = slot > 0;
	if (!st->slot_kept)
		slot = xg_iface_free_slot(st->m.ifaces);
	if (slot < 0)
		return slot;
	st->slot = slot;
	return 0;
}

/* A new slot starts from zero. Counts left there by an interrupted
 * xg-unload are folded into the detached slot, so totals never drop.
 */
static int prepare_slot(struct load_state *st)
{
	if (st->slot_kept)
		return 0;
	return xg_stats_retire(bpf_map__fd(st->skel->maps.XG_MAP_STATS),
			       st->slot);
}

static int open_skel(struct load_state *st)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = st->dir);
	struct bpf_map *map;
	int i = 0, err;

	st->kfeat = xg_kernel_features();
	/* the tests' older kernel, as in tests/bpf: XG_KF_* kept (a mask) */
	if (getenv("XG_TEST_KFEAT"))
		st->kfeat &= strtoul(getenv("XG_TEST_KFEAT"), NULL, 0);
	st->skel = xg_skel_open(&opts, st->kfeat);
	if (!st->skel)
		return xg_fail(-errno, "cannot open the XDP program: %s",
			       strerror(errno));
	bpf_object__for_each_map(map, st->skel->obj)
	{
		if (i >= XG_LOAD_MAX_MAPS)
			return xg_fail(-E2BIG, "too many maps in the program");
		err = adopt_pinned_map(st, map, &st->had_pin[i++]);
		if (err)
			return err;
	}
	st->skel->rodata->xg_ifslot = st->slot;
	st->load_tried = true;
	err = xdpguard__load(st->skel);
	if (err == -EPERM || err == -EACCES)
		return xg_fail(err, "permission denied; run as root (needs "
				    "CAP_BPF and CAP_NET_ADMIN)");
	if (err)
		return xg_fail(err, "cannot load the XDP program: %s%s",
			       strerror(-err),
			       xg_verbose ? "" : "; run with -v for details");
	return 0;
}

static __u32 mode_flag(int mode)
{
	switch (mode) {
	case XG_MODE_SKB:
		return XDP_FLAGS_SKB_MODE;
	case XG_MODE_OFFLOAD:
		return XDP_FLAGS_HW_MODE;
	default:
		return XDP_FLAGS_DRV_MODE;
	}
}

static int attach_error(struct load_state *st, int err)
{
	const char *ifn = st->o->ifname;

	if (err == -EBUSY || err == -EEXIST)
		return xg_fail(err,
			       "%s already has an XDP program that is not "
			       "xdpguard's; detach it first",
			       ifn);
	if ((err == -EOPNOTSUPP || err == -EINVAL) &&
	    st->mode == XG_MODE_NATIVE)
		return xg_fail(err,
			       "%s: driver does not support native XDP; try "
			       "--mode skb",
			       ifn);
	if ((err == -EOPNOTSUPP || err == -EINVAL) &&
	    st->mode == XG_MODE_OFFLOAD)
		return xg_fail(err,
			       "%s: driver does not support XDP offload; try "
			       "--mode native",
			       ifn);
	return xg_fail(err, "cannot attach to %s: %s", ifn, strerror(-err));
}

static int attach(struct load_state *st)
{
	LIBBPF_OPTS(bpf_link_create_opts, lopts, .flags = mode_flag(st->mode));
	int prog_fd = bpf_program__fd(st->skel->progs.xdpguard);
	struct bpf_link_info info;
	int err;

	st->link_fd = bpf_link_create(prog_fd, st->ifindex, BPF_XDP, &lopts);
	if (st->link_fd < 0) {
		err = -errno;
		st->link_fd = -1;
		return attach_error(st, err);
	}
	if (bpf_obj_pin(st->link_fd, st->link_path) < 0)
		return xg_fail(-errno, "cannot pin %s: %s", st->link_path,
			       strerror(errno));
	st->link_pinned = true;
	err = xg_link_info(st->link_fd, &info);
	if (err)
		return xg_fail(err, "cannot inspect the new link: %s",
			       strerror(-err));
	st->link_id = info.id;
	return 0;
}

/* --force: swap the program in place, unless the mode changes, which
 * needs a new link.
 */
static int replace(struct load_state *st)
{
	int prog_fd = bpf_program__fd(st->skel->progs.xdpguard);
	int ifaces = bpf_map__fd(st->skel->maps.xg_ifaces);
	struct xg_iface cur;
	bool known;

	known = bpf_map_lookup_elem(ifaces, &st->old_link_id, &cur) == 0;
	if (known && !st->o->mode_set)
		st->mode = cur.mode;
	if (!known || (int)cur.mode == st->mode) {
		if (bpf_link_update(st->old_link, prog_fd, NULL) < 0)
			return xg_fail(-errno,
				       "cannot replace the program on "
				       "%s: %s",
				       st->o->ifname, strerror(errno));
		st->link_id = st->old_link_id;
		return 0;
	}
	if (bpf_link_detach(st->old_link) < 0 && errno != ENOLINK)
		return xg_fail(-errno, "cannot detach from %s: %s",
			       st->o->ifname, strerror(errno));
	if (unlink(st->link_path) < 0)
		return xg_fail(-errno, "cannot remove %s: %s", st->link_path,
			       strerror(errno));
	bpf_map_delete_elem(ifaces, &st->old_link_id);
	return attach(st);
}

/* The settings maps of the loaded object, for the config.c API. */
static void skel_maps(const struct load_state *st, struct xg_maps *m)
{
	memset(m, 0xff, sizeof(*m)); /* every fd -1 */
	m->state = bpf_map__fd(st->skel->maps.XG_MAP_STATE);
}

/* First load: the defaults in slot 0 and slot 0 in force, before the
 * program is attached, so it never runs on an all-zero configuration.
 */
static int write_defaults(struct load_state *st)
{
	struct xg_state state = {};
	struct xg_config cfg;
	__u32 zero = 0;
	struct xg_maps m;

	if (!st->first)
		return 0;
	skel_maps(st, &m);
	xg_config_defaults(&cfg);
	if (st->o->malformed == 1)
		cfg.flags |= XG_CFG_DROP_MALFORMED;
	xg_limit_derive(&cfg);
	state.cfg[0] = cfg;
	if (bpf_map_update_elem(m.state, &zero, &state, BPF_ANY) < 0)
		return xg_fail(-errno, "cannot write %s: %s",
			       XG_STR(XG_MAP_STATE), strerror(errno));
	return 0;
}

/* Later loads change the settings only once attached, so that a failed
 * xg-load leaves the running configuration as it was.
 */
static int write_malformed(struct load_state *st)
{
	struct xg_config cfg;
	struct xg_maps m;
	int err;

	if (st->first || st->o->malformed < 0)
		return 0;
	skel_maps(st, &m);
	err = xg_config_read(&m, &cfg);
	if (err)
		return err;
	if (st->o->malformed)
		cfg.flags |= XG_CFG_DROP_MALFORMED;
	else
		cfg.flags &= ~XG_CFG_DROP_MALFORMED;
	return xg_config_write(&m, &cfg);
}

static int write_state(struct load_state *st)
{
	struct xg_meta meta = {
		.magic = XG_META_MAGIC,
		.abi_version = XG_ABI_VERSION,
	};
	struct xg_iface ifc = {
		.ifindex = st->ifindex,
		.mode = st->mode,
		.slot = st->slot,
	};
	struct xdpguard *s = st->skel;
	__u32 zero = 0;
	int err;

	if (st->first) {
		meta.created_ns = xg_clock_ns(CLOCK_BOOTTIME);
		meta.limits_clock = st->kfeat & XG_KF_COARSE_NS ?
					    XG_CLOCK_COARSE :
					    XG_CLOCK_BOOT;
		meta.kfeat = st->kfeat;
		if (bpf_map_update_elem(bpf_map__fd(s->maps.xg_meta), &zero,
					&meta, BPF_ANY) < 0)
			return xg_fail(-errno, "cannot write xg_meta: %s",
				       strerror(errno));
	}
	err = write_malformed(st);
	if (err)
		return err;

	ifc.attached_ns = xg_clock_ns(CLOCK_REALTIME);
	snprintf(ifc.ifname, sizeof(ifc.ifname), "%s", st->o->ifname);
	snprintf(ifc.netns, sizeof(ifc.netns), "%s",
		 st->o->netns ? st->o->netns : "");
	if (bpf_map_update_elem(bpf_map__fd(s->maps.xg_ifaces), &st->link_id,
				&ifc, BPF_ANY) < 0)
		return xg_fail(-errno, "cannot write xg_ifaces: %s",
			       strerror(errno));
	return 0;
}

/* -j: what was attached, for scripts (see xdpguard(7), JSON OUTPUT). */
static void print_json(const struct load_state *st, const char *self)
{
	struct xg_json *j = xg_json_new(stdout);

	if (!j)
		return;
	xg_json_obj_open(j);
	xg_json_kv_str(j, "interface", st->o->ifname);
	xg_json_kv_str(j, "netns", st->o->netns);
	xg_json_kv_u64(j, "ifindex", st->ifindex);
	xg_json_kv_str(j, "mode", xg_mode_name(st->mode));
	xg_json_kv_u64(j, "link_id", st->link_id);
	xg_json_kv_u64(j, "slot", st->slot);
	xg_json_kv_bool(j, "replaced", st->old_link >= 0);
	xg_json_kv_bool(j, "atomics", st->kfeat & XG_KF_ATOMICS);
	xg_json_kv_bool(j, "syn_cookies", st->kfeat & XG_KF_SYNCOOKIE);
	if (self) /* --allow-self */
		xg_json_kv_str(j, "allowed_self", *self ? self : NULL);
	xg_json_obj_close(j);
	xg_json_free(j);
}

/* Takes back what this call created; the lists of an earlier load stay. */
static void undo(struct load_state *st)
{
	char path[PATH_MAX];
	struct bpf_map *map;
	int i = 0;
	const char *pin;

	if (st->link_pinned)
		unlink(st->link_path);
	if (st->link_fd >= 0)
		close(st->link_fd); /* the last reference: detaches */
	st->link_fd = -1;
	if (st->skel && st->load_tried) {
		bpf_object__for_each_map(map, st->skel->obj)
		{
			pin = bpf_map__pin_path(map);
			if (i < XG_LOAD_MAX_MAPS && !st->had_pin[i] && pin)
				unlink(pin);
			i++;
		}
	}
	if (st->created_links) {
		snprintf(path, sizeof(path), "%s/%s", st->dir, XG_LINKS_SUBDIR);
		rmdir(path);
	}
	if (st->created_dir)
		rmdir(st->dir);
}

/* The pin directory and its links/ subdirectory, made if missing. */
static int make_dirs(struct load_state *st)
{
	char links[PATH_MAX];
	int err;

	err = xg_bpffs_ensure(st->dir);
	if (err)
		return err;
	snprintf(links, sizeof(links), "%s/%s", st->dir, XG_LINKS_SUBDIR);
	err = make_dir(st->dir, &st->created_dir);
	return err ? err : make_dir(links, &st->created_links);
}

/* Under the lock: the interface bookkeeping, the program, the link. */
static int act(struct load_state *st)
{
	int err;

	err = open_pins(st);
	if (!err) {
		xg_iface_sweep(st->dir, &st->m);
		err = check_pinned_link(st);
	}
	if (!err)
		err = pick_slot(st);
	if (!err)
		err = open_skel(st);
	if (!err)
		err = write_defaults(st);
	if (!err)
		err = prepare_slot(st);
	if (!err)
		err = st->old_link >= 0 ? replace(st) : attach(st);
	if (!err)
		err = write_state(st);
	return err;
}

/* --allow-self, under the lock: the peer of $SSH_CONNECTION on the
 * allowlist for the time given, so that no later change can cut it off.
 * *peer: the address, "" if there is none.
 */
static int allow_self(const struct load_opts *o, const char *dir, char *peer,
		      size_t len)
{
	static struct xg_origin names[XG_MAX_ORIGINS];
	struct xg_prefix a;
	struct xg_maps m;
	struct xg_list l;
	int err, err2;

	peer[0] = '\0';
	if (xg_guard_ssh_peer(&a, NULL, NULL)) {
		xg_warn("note: --allow-self: no SSH session (SSH_CONNECTION "
			"is not set); nothing allowlisted");
		return 0;
	}
	err = xg_maps_open(dir, false, &m);
	if (err)
		return err;
	xg_list_from_maps(&l, &m, XG_LIST_ALLOW);
	err = xg_origins_read(m.origins, names);
	if (err >= 0)
		err = xg_origin_get(&m, names, ALLOW_SELF_ORIGIN);
	if (err >= 0)
		err = xg_list_add(&l, &a, o->allow_secs, err);
	err2 = xg_list_sync_bits(&l);
	if (!err2)
		err2 = xg_pfx_sync(&m);
	xg_maps_close(&m);
	if (err || err2)
		return err ? err : err2;
	xg_format_prefix(&a, peer, len);
	xg_warn("note: allowlisted %s, your SSH session's peer, for %s", peer,
		o->allow_self);
	return 0;
}

static void print_allowed(const char *peer, __u64 secs)
{
	struct xg_json *j = xg_json_new(stdout);

	if (!j)
		return;
	xg_json_obj_open(j);
	xg_json_kv_str(j, "allowed_self", *peer ? peer : NULL);
	xg_json_kv_u64(j, "timeout", secs);
	xg_json_obj_close(j);
	xg_json_free(j);
}

/* --allow-self without IFACE: only the allowlist entry. */
static int run_allow_self(const struct load_opts *o)
{
	const char *dir = xg_pin_dir(o->co.pin_opt);
	char peer[64];
	int lock, err;

	err = xg_check_privileges();
	if (err)
		return err;
	lock = xg_lock(dir);
	if (lock < 0)
		return lock;
	err = allow_self(o, dir, peer, sizeof(peer));
	xg_unlock(lock);
	if (!err && xg_json)
		print_allowed(peer, o->allow_secs);
	return err;
}

static int run(const struct load_opts *o)
{
	struct load_state st = { .o = o, .old_link = -1, .link_fd = -1 };
	int err, aerr = 0, saved_ns = -1, lock_fd = -1;
	char peer[64] = "";

	if (!o->ifname)
		return run_allow_self(o);
	memset(&st.m, 0xff, sizeof(st.m)); /* every fd -1 */
	st.dir = xg_pin_dir(o->co.pin_opt);
	st.mode = o->mode;
	err = xg_check_privileges();
	if (err)
		return err;
	/* stays in the namespace until the attach: ifindex is per netns */
	err = xg_netns_enter(o->netns, &saved_ns);
	if (!err)
		err = resolve_iface(&st);
	if (!err)
		err = make_dirs(&st);
	if (err)
		goto out;
	lock_fd = xg_lock(st.dir);
	if (lock_fd < 0) {
		err = lock_fd;
		goto out;
	}
	err = act(&st);
	/* a failure here leaves the program attached: no undo */
	if (!err && o->allow_self)
		aerr = allow_self(o, st.dir, peer, sizeof(peer));
	if (!err && xg_json)
		print_json(&st, o->allow_self ? peer : NULL);
	if (!err && !st.first)
		xg_sc_load_note(&st.m, o->netns);
	if (!err && !(st.kfeat & XG_KF_ATOMICS))
		xg_warn("note: this kernel has no BPF atomics (Linux 5.12): "
			"rate limits hold per CPU, not exactly across CPUs; "
			"see KERNELS in xdpguard(7)");
out:
	if (err)
		undo(&st);
	if (st.old_link >= 0)
		close(st.old_link);
	if (st.link_fd >= 0)
		close(st.link_fd);
	xdpguard__destroy(st.skel);
	xg_maps_close(&st.m);
	xg_unlock(lock_fd);
	if (xg_netns_leave(saved_ns) && !err)
		err = -EIO;
	return err ? err : aerr;
}

int main(int argc, char **argv)
{
	struct load_opts o = { .mode = XG_MODE_NATIVE, .malformed = -1 };
	int err;

	xg_cli_init("xg-load");
	err = parse_args(argc, argv, &o);
	if (!err && !xg_common_done(&o.co, usage))
		err = run(&o);
	return xg_exit(err);
}
