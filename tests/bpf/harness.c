// SPDX-License-Identifier: GPL-2.0
/* Loads xdpguard from the skeleton into a scratch pin dir and drives it
 * with BPF_PROG_TEST_RUN.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/magic.h>

#include "harness.h"
#include "xdpguard.skel.h"

static struct xdpguard *skel;
static char pin_dir[64];
static int ncpus;

static int libbpf_quiet(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	/* Warnings matter here: a verifier rejection prints its log. */
	if (level == LIBBPF_DEBUG)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

static int ensure_bpffs(void)
{
	struct statfs st;

	if (statfs("/sys/fs/bpf", &st) == 0 && st.f_type == BPF_FS_MAGIC)
		return 0;
	if (mount("bpf", "/sys/fs/bpf", "bpf", 0, "mode=0700")) {
		fprintf(stderr, "test_xdp: mount bpffs: %s\n", strerror(errno));
		return -errno;
	}
	return 0;
}

int h_open(void)
{
	LIBBPF_OPTS(bpf_object_open_opts, opts, .pin_root_path = pin_dir);
	int err;

	libbpf_set_print(libbpf_quiet);
	err = ensure_bpffs();
	if (err)
		return err;
	snprintf(pin_dir, sizeof(pin_dir), "/sys/fs/bpf/xg-pkt-test-%d",
		 (int)getpid());
	if (mkdir(pin_dir, 0700)) {
		fprintf(stderr, "test_xdp: mkdir %s: %s\n", pin_dir,
			strerror(errno));
		return -errno;
	}
	ncpus = libbpf_num_possible_cpus();
	skel = xdpguard__open_opts(&opts);
	if (!skel || ncpus <= 0) {
		fprintf(stderr, "test_xdp: cannot open the skeleton\n");
		return -EINVAL;
	}
	err = xdpguard__load(skel);
	if (err) {
		fprintf(stderr, "test_xdp: load: %s\n", strerror(-err));
		return err;
	}
	return 0;
}

void h_close(void)
{
	if (skel) {
		bpf_object__unpin_maps(skel->obj, NULL);
		xdpguard__destroy(skel);
	}
	if (pin_dir[0])
		rmdir(pin_dir);
}

static int clear_map(struct bpf_map *map)
{
	int fd = bpf_map__fd(map);
	char key[64];

	/* Deleting the first key each time survives the iteration order
	 * changing under the deletes.
	 */
	while (bpf_map_get_next_key(fd, NULL, key) == 0)
		if (bpf_map_delete_elem(fd, key))
			return -errno;
	return 0;
}

static int write_config(const struct xg_config *cfg)
{
	uint32_t zero = 0;

	return bpf_map_update_elem(bpf_map__fd(skel->maps.XG_MAP_CONFIG), &zero,
				   cfg, BPF_ANY);
}

static int read_config(struct xg_config *cfg)
{
	uint32_t zero = 0;

	return bpf_map_lookup_elem(bpf_map__fd(skel->maps.XG_MAP_CONFIG), &zero,
				   cfg);
}

int h_reset(uint32_t flags)
{
	struct bpf_map *lists[] = {
		skel->maps.XG_MAP_ALLOW4,  skel->maps.XG_MAP_ALLOW6,
		skel->maps.XG_MAP_ALLOW4P, skel->maps.XG_MAP_ALLOW6P,
		skel->maps.XG_MAP_BLOCK4,  skel->maps.XG_MAP_BLOCK6,
		skel->maps.XG_MAP_BLOCK4P, skel->maps.XG_MAP_BLOCK6P,
	};
	struct xg_config cfg = { .flags = flags };
	size_t i;
	int err;

	for (i = 0; i < sizeof(lists) / sizeof(lists[0]); i++) {
		err = clear_map(lists[i]);
		if (err)
			return err;
	}
	return write_config(&cfg);
}

/* The map, its xg_config.lists bit and its key for "ADDR[/LEN]". */
struct target {
	struct bpf_map *map;
	uint32_t bit;
	union {
		uint32_t a4;
		struct xg_in6 a6;
		struct xg_lpm4 p4;
		struct xg_lpm6 p6;
	} key;
};

/* Fills t->key from "ADDR[/LEN]"; returns the index into target_of()'s
 * tables (host maps then tries, IPv4 then IPv6), or -1.
 */
static int parse_cidr(const char *cidr, struct target *t)
{
	char buf[64];
	char *slash;
	int v6 = strchr(cidr, ':') != NULL;
	void *addr = &t->key;

	snprintf(buf, sizeof(buf), "%s", cidr);
	slash = strchr(buf, '/');
	memset(t, 0, sizeof(*t));
	if (slash) {
		*slash = '\0';
		/* prefixlen is the first word in both LPM layouts */
		t->key.p4.prefixlen = atoi(slash + 1);
		addr = v6 ? (void *)t->key.p6.addr : (void *)&t->key.p4.addr;
	}
	if (inet_pton(v6 ? AF_INET6 : AF_INET, buf, addr) != 1)
		return -1;
	return v6 + (slash ? 2 : 0);
}

static int target_of(int block, const char *cidr, struct target *t)
{
	static const uint32_t allow_bits[] = { XG_L_ALLOW4, XG_L_ALLOW6,
					       XG_L_ALLOW4P, XG_L_ALLOW6P };
	static const uint32_t block_bits[] = { XG_L_BLOCK4, XG_L_BLOCK6,
					       XG_L_BLOCK4P, XG_L_BLOCK6P };
	struct bpf_map *allow[] = {
		skel->maps.XG_MAP_ALLOW4,
		skel->maps.XG_MAP_ALLOW6,
		skel->maps.XG_MAP_ALLOW4P,
		skel->maps.XG_MAP_ALLOW6P,
	};
	struct bpf_map *blk[] = {
		skel->maps.XG_MAP_BLOCK4,
		skel->maps.XG_MAP_BLOCK6,
		skel->maps.XG_MAP_BLOCK4P,
		skel->maps.XG_MAP_BLOCK6P,
	};
	int i = parse_cidr(cidr, t);

	if (i < 0)
		return -EINVAL;
	t->map = block ? blk[i] : allow[i];
	t->bit = block ? block_bits[i] : allow_bits[i];
	return 0;
}

static int add(int block, const char *cidr, uint64_t expires_ns, int set_bit)
{
	struct xg_entry e = { .expires_ns = expires_ns };
	struct xg_config cfg;
	struct target t;

	if (target_of(block, cidr, &t) || read_config(&cfg))
		return -EINVAL;
	if (bpf_map_update_elem(bpf_map__fd(t.map), &t.key, &e, BPF_ANY))
		return -errno;
	if (!set_bit)
		return 0;
	cfg.lists |= t.bit;
	return write_config(&cfg);
}

int h_add(int block, const char *cidr, uint64_t expires_ns)
{
	return add(block, cidr, expires_ns, 1);
}

int h_add_stale(int block, const char *cidr)
{
	return add(block, cidr, 0, 0);
}

int64_t h_hits(int block, const char *cidr)
{
	struct xg_entry e;
	struct target t;

	if (target_of(block, cidr, &t) ||
	    bpf_map_lookup_elem(bpf_map__fd(t.map), &t.key, &e))
		return -1;
	return e.hits;
}

uint64_t h_boot_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_BOOTTIME, &ts);
	return ts.tv_sec * 1000000000ULL + ts.tv_nsec;
}

int h_read_stats(struct xg_counter out[XG_STATS_SLOTS])
{
	int fd = bpf_map__fd(skel->maps.XG_MAP_STATS);
	struct xg_counter per[ncpus];
	uint32_t k;
	int c;

	for (k = 0; k < XG_STATS_SLOTS; k++) {
		if (bpf_map_lookup_elem(fd, &k, per))
			return -errno;
		out[k].packets = out[k].bytes = 0;
		for (c = 0; c < ncpus; c++) {
			out[k].packets += per[c].packets;
			out[k].bytes += per[c].bytes;
		}
	}
	return 0;
}

int h_run(const struct frame *f, size_t len)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = f->buf,
		    .data_size_in = len, .repeat = 1);
	int fd = bpf_program__fd(skel->progs.xdpguard);

	if (bpf_prog_test_run_opts(fd, &opts))
		return -1;
	return opts.retval;
}
