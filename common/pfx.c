// SPDX-License-Identifier: GPL-2.0
/* xg_pfx: the hashes of the IPv4 /24s and IPv6 /32s a prefix list may hold
 * (xg_abi.h), rebuilt from the four tries after every change to a list.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <arpa/inet.h>

#include <bpf/bpf.h>

#include "xg.h"

#define PFX_BYTES ((size_t)XG_PFX_WORDS * sizeof(__u64))

static void cover(__u64 *w, int v6, __u32 a0_host, __u32 len)
{
	xg_pfx_cover(w, v6, a0_host, len);
}

/* Ors the bits of every prefix in trie @fd into @w. */
static int cover_trie(int fd, int v6, __u64 *w)
{
	struct xg_lpm6 k6, next6;
	struct xg_lpm4 k4, next4;
	void *key = NULL, *next = v6 ? (void *)&next6 : (void *)&next4;

	while (!bpf_map_get_next_key(fd, key, next)) {
		if (v6) {
			k6 = next6;
			cover(w, 1, ntohl(k6.addr[0]), k6.prefixlen);
			key = &k6;
		} else {
			k4 = next4;
			cover(w, 0, ntohl(k4.addr), k4.prefixlen);
			key = &k4;
		}
	}
	return errno == ENOENT ? 0 : -errno;
}

static int cover_all(const struct xg_maps *m, __u64 *w)
{
	return cover_trie(m->allow4p, 0, w)	    ?:
		       cover_trie(m->block4p, 0, w) ?:
		       cover_trie(m->allow6p, 1, w) ?:
		       cover_trie(m->block6p, 1, w);
}

/* Sets what the tries need, clears what they no longer do, then sets
 * again what a third look finds: an automatic ban the program added
 * meanwhile (entry first, then its bit) is never left without its bit.
 */
int xg_pfx_sync(const struct xg_maps *m)
{
	__u64 *want = calloc(XG_PFX_WORDS, sizeof(*want)), *map;
	size_t i;
	int err;

	if (!want)
		return xg_fail(-ENOMEM, "out of memory");
	map = mmap(NULL, PFX_BYTES, PROT_READ | PROT_WRITE, MAP_SHARED, m->pfx,
		   0);
	if (map == MAP_FAILED) {
		err = xg_fail(-errno, "cannot map %s: %s", XG_STR(XG_MAP_PFX),
			      strerror(errno));
		free(want);
		return err;
	}
	err = cover_all(m, want);
	for (i = 0; !err && i < XG_PFX_WORDS; i++)
		if (map[i] != want[i]) {
			__atomic_fetch_or(&map[i], want[i], __ATOMIC_SEQ_CST);
			__atomic_fetch_and(&map[i], want[i], __ATOMIC_SEQ_CST);
		}
	if (!err) {
		memset(want, 0, PFX_BYTES);
		err = cover_trie(m->block6p, 1, want);
		for (i = XG_PFX4_WORDS; !err && i < XG_PFX_WORDS; i++)
			if (want[i] & ~map[i])
				__atomic_fetch_or(&map[i], want[i],
						  __ATOMIC_SEQ_CST);
	}
	if (err)
		err = xg_fail(err, "cannot read the prefix lists: %s",
			      strerror(-err));
	munmap(map, PFX_BYTES);
	free(want);
	return err;
}
