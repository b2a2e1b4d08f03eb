/* SPDX-License-Identifier: GPL-2.0 */
/* Included by the packet tests: the loaded program and its maps. */
#ifndef XG_TEST_HARNESS_H
#define XG_TEST_HARNESS_H

#include <stdint.h>

#include "xg_abi.h"
#include "pkt.h"

/* Loads the program with its maps pinned in a scratch directory. */
int h_open(void);
void h_close(void);

/* Empties every list and writes xg_config {flags, 0}. */
int h_reset(uint32_t flags);
/* Adds "ADDR" (host map) or "ADDR/LEN" (prefix trie) to the allow- or
 * blocklist and sets its xg_config.lists bit; @expires_ns 0 = never.
 */
int h_add(int block, const char *cidr, uint64_t expires_ns);
/* Like h_add, but leaves the xg_config.lists bit as it was. */
int h_add_stale(int block, const char *cidr);
/* Hits of the entry h_add made, or -1 if it is gone. */
int64_t h_hits(int block, const char *cidr);
uint64_t h_boot_ns(void);

/* Sums over CPUs. */
int h_read_stats(struct xg_counter out[XG_STATS_SLOTS]);
/* Runs one frame of @len bytes; returns the XDP action or -1. */
int h_run(const struct frame *f, size_t len);

#endif /* XG_TEST_HARNESS_H */
