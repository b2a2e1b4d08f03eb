/* SPDX-License-Identifier: GPL-2.0 */
/* Included by xdpguard.bpf.c: what differs between the kernels the
 * program runs on (5.10 and later), and the clock the packet tests set.
 *
 * xg-load probes the kernel and sets xg_kfeat (XG_KF_*) before the load.
 * It is a .rodata constant to the verifier, which walks only the branch
 * taken and drops the other: a helper an old kernel does not have is
 * never checked there, and a new kernel pays nothing for the old
 * kernels' code.
 */
#ifndef XG_BPF_KERNEL_H
#define XG_BPF_KERNEL_H

#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

#include "xg_abi.h"

const volatile __u32 xg_kfeat = 0;

/* The packet tests' clock: with xg_test_clock set (by the test loader;
 * xg-load never sets it) the program reads the time from xg_test_now,
 * which the tests move by hand, instead of the kernel's clocks. Rate
 * limits and expiry then give the same counts on a loaded machine and
 * under emulation as on a quiet one, and no test sleeps.
 */
const volatile __u32 xg_test_clock = 0;
__u64 xg_test_now = 0;

/* The clock of the limits, the automatic bans and list expiry:
 * CLOCK_BOOTTIME, which user space reads for expires_ns too.
 */
static __always_inline __u64 xg_now(void)
{
	if (xg_test_clock)
		return *(volatile __u64 *)&xg_test_now;
	return bpf_ktime_get_boot_ns();
}

/* The clock of the limits and of the event budget (XG_CLOCK_* in
 * xg_abi.h): one tick coarse and much cheaper where the kernel has it
 * (5.11), else the boot clock. Each kernel uses one of the two
 * throughout, and xg-load records which in xg_meta for the tools.
 */
static __always_inline __u64 xg_now_coarse(void)
{
	if (xg_test_clock)
		return *(volatile __u64 *)&xg_test_now;
	if (xg_kfeat & XG_KF_COARSE_NS)
		return bpf_ktime_get_coarse_ns();
	return bpf_ktime_get_boot_ns();
}

/* Atomics beyond add (compare-and-swap, fetch-or) arrived in 5.12, and
 * kernels before it refuse an object that holds one anywhere, even in
 * code the verifier would never walk. So the build makes two objects of
 * this source: xdpguard.bpf.o and, with XG_NO_ATOMICS, the one xg-load
 * loads where XG_KF_ATOMICS is missing (common/xg_skel.h).
 *
 * xg_cas64() replaces *@p by @new if it still holds @old and returns 1 if
 * it did. Without atomics the store is plain: two CPUs updating one word
 * at the same instant may both succeed. A token bucket then holds exactly
 * on each CPU, and across CPUs may hand out one token more to each CPU
 * that races for it (xdpguard(7), KERNELS).
 */
static __always_inline int xg_cas64(__u64 *p, __u64 old, __u64 new)
{
#ifndef XG_NO_ATOMICS
	return __sync_val_compare_and_swap(p, old, new) == old;
#else
	*(volatile __u64 *)p = new;
	return 1;
#endif
}

/* Sets @bit in the 32-bit word at @p, the low-addressed half of an
 * aligned 64-bit word. With atomics: one locked or on the 64-bit word
 * (clang 14 emits 32-bit atomics only with -mcpu=v3 alu32, and the or
 * keeps a concurrent store to the other half). Without: a plain
 * read-modify-write of the 32-bit half alone; a bit user space clears at
 * the same instant may come back, or the set may be lost.
 */
static __always_inline void xg_or32_lo(__u32 *p, __u32 bit)
{
#ifndef XG_NO_ATOMICS
#if __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	__u64 word = bit;
#else
	__u64 word = (__u64)bit << 32;
#endif

	__sync_fetch_and_or((__u64 *)p, word);
#else
	*(volatile __u32 *)p |= bit;
#endif
}

/* Sets @bit of *@p: atomic where the kernel has atomics; else user space
 * rebuilding the word at that moment may undo it (until its next run).
 */
static __always_inline void xg_or64(__u64 *p, __u64 bit)
{
#ifndef XG_NO_ATOMICS
	__sync_fetch_and_or(p, bit);
#else
	*(volatile __u64 *)p |= bit;
#endif
}

#endif /* XG_BPF_KERNEL_H */
