/* SPDX-License-Identifier: GPL-2.0 */
/* Included by xdpguard.bpf.c: the program's single exit, which counts. */
#ifndef XG_BPF_STATS_H
#define XG_BPF_STATS_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "maps.h"

/* Every path counts here once, so each packet lands in exactly one slot
 * and the reasons add up to the packets seen. Returns the count of the
 * slot with this packet (on this CPU, its low 32 bits): the 1-in-N of
 * the features (features.h).
 */
static __always_inline __u32 count_packet(const struct xdp_md *ctx, __u32 class,
					  __u32 reason)
{
	__u32 key = XG_STATS_KEY(xg_ifslot, class, reason);
	struct xg_counter *c = bpf_map_lookup_elem(&XG_MAP_STATS, &key);

	if (!c)
		return 0;
	/* Per-CPU value: plain adds, no other writer. */
	c->packets += 1;
	c->bytes += ctx->data_end - ctx->data;
	return c->packets;
}

#endif /* XG_BPF_STATS_H */
