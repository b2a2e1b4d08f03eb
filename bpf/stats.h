/* SPDX-License-Identifier: GPL-2.0 */
/* Included by xdpguard.bpf.c: the program's single exit, which counts. */
#ifndef XG_BPF_STATS_H
#define XG_BPF_STATS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "maps.h"

/* Every path ends here, so each packet lands in exactly one slot and the
 * reasons add up to the packets seen.
 */
static __always_inline int finish(const struct xdp_md *ctx, __u32 class,
				  __u32 reason, int verdict)
{
	__u32 key = XG_STATS_KEY(xg_ifslot, class, reason);
	struct xg_counter *c = bpf_map_lookup_elem(&XG_MAP_STATS, &key);

	if (c) {
		/* Per-CPU value: plain adds, no other writer. */
		c->packets += 1;
		c->bytes += ctx->data_end - ctx->data;
	}
	return verdict;
}

#endif /* XG_BPF_STATS_H */
