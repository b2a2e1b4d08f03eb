// SPDX-License-Identifier: GPL-2.0
/* Reading a whole map: in batches where the kernel has them (one syscall
 * per few thousand entries), else one key at a time.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>

#include "xg.h"

/* Entries per batch syscall unless the caller asks otherwise: 4096 * 80
 * bytes (the tracker's keys and values) stays well inside a page
 * allocation the kernel makes per call.
 */
#define XG_BATCH_CHUNK 4096
/* The most a chunk grows to when one hash bucket holds more than it. */
#define XG_BATCH_MAX (1U << 20)
/* The largest key walked (struct xg_lpm6, 20 bytes); also holds the
 * batch cursor, which is a key or a __u32 bucket index.
 */
#define XG_BATCH_KEY_MAX 64

/* Room for one more key in *keys (cap of them). */
static int keys_grow(char **keys, size_t *cap, size_t n, size_t ksz)
{
	size_t ncap = *cap ? *cap * 2 : XG_BATCH_CHUNK;
	char *k;

	if (n < *cap)
		return 0;
	k = realloc(*keys, ncap * ksz);
	if (!k)
		return -ENOMEM;
	*keys = k;
	*cap = ncap;
	return 0;
}

/* For maps without batch operations (LPM tries, kernels before 5.6).
 * Keys come first: a hash walk with get_next_key starts over when its
 * cursor key disappears. A key deleted before its lookup is skipped.
 */
static int walk_slow(int fd, size_t ksz, size_t vsz, xg_batch_fn fn, void *ctx)
{
	__u64 cur[XG_BATCH_KEY_MAX / 8], prev[XG_BATCH_KEY_MAX / 8];
	size_t n = 0, cap = 0, i, live = 0;
	char *keys = NULL, *vals = NULL;
	void *p = NULL;
	int err;

	while (bpf_map_get_next_key(fd, p, cur) == 0) {
		err = keys_grow(&keys, &cap, n, ksz);
		if (err)
			goto out;
		memcpy(keys + n++ * ksz, cur, ksz);
		memcpy(prev, cur, ksz);
		p = prev;
	}
	if (errno != ENOENT) {
		err = -errno;
		goto out;
	}
	vals = malloc(n ? n * vsz : 1);
	if (!vals) {
		err = -ENOMEM;
		goto out;
	}
	for (i = 0; i < n; i++) {
		/* a trie lookup of an existing key finds that very key */
		if (bpf_map_lookup_elem(fd, keys + i * ksz, vals + live * vsz))
			continue;
		memmove(keys + live * ksz, keys + i * ksz, ksz);
		live++;
	}
	err = live ? fn(keys, vals, live, ctx) : 0;
out:
	free(keys);
	free(vals);
	return err;
}

int xg_batch_walk(int fd, size_t ksz, size_t vsz, __u32 chunk, xg_batch_fn fn,
		  void *ctx)
{
	LIBBPF_OPTS(bpf_map_batch_opts, opts);
	__u64 in[XG_BATCH_KEY_MAX / 8], out[XG_BATCH_KEY_MAX / 8] = {};
	char *keys = NULL, *vals = NULL;
	void *inp = NULL;
	bool last;
	__u32 cnt;
	int err;

	if (ksz > XG_BATCH_KEY_MAX)
		return -EINVAL;
	if (!chunk)
		chunk = XG_BATCH_CHUNK;
	for (;;) {
		if (!keys) {
			keys = calloc(chunk, ksz);
			vals = calloc(chunk, vsz);
			if (!keys || !vals) {
				err = -ENOMEM;
				break;
			}
		}
		cnt = chunk;
		err = bpf_map_lookup_batch(fd, inp, out, keys, vals, &cnt,
					   &opts);
		if (err && errno == ENOSPC && chunk < XG_BATCH_MAX) {
			/* one hash bucket holds more than a chunk */
			free(keys);
			free(vals);
			keys = NULL;
			vals = NULL;
			chunk *= 2;
			continue;
		}
		if (err && errno != ENOENT) {
			/* none read yet: no batch operations on this map */
			err = inp ? -errno : walk_slow(fd, ksz, vsz, fn, ctx);
			break;
		}
		last = err != 0; /* ENOENT: that was the last batch */
		err = cnt ? fn(keys, vals, cnt, ctx) : 0;
		if (err || last)
			break;
		memcpy(in, out, sizeof(in));
		inp = in;
	}
	free(keys);
	free(vals);
	return err;
}
