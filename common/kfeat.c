// SPDX-License-Identifier: GPL-2.0
/* What the running kernel's BPF offers, probed by loading tiny programs:
 * xg-load (and the packet tests) bake the answer into the program as
 * xg_kfeat, so one object runs on 5.10 and on the newest kernels.
 * Links only libbpf: the packet tests use it too.
 */
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "xg.h"

#define INSN(c, d, s, o, i)                 \
	((struct bpf_insn){ .code = (c),    \
			    .dst_reg = (d), \
			    .src_reg = (s), \
			    .off = (o),     \
			    .imm = (i) })

/* A compare-and-swap on the stack: BPF_ATOMIC beyond add arrived in 5.12
 * (5.10 says "BPF_STX uses reserved fields").
 */
static bool have_atomics(void)
{
	const struct bpf_insn prog[] = {
		INSN(BPF_ST | BPF_MEM | BPF_DW, BPF_REG_10, 0, -8, 0),
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, 0),
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_1, 0, 0, 1),
		INSN(BPF_STX | BPF_ATOMIC | BPF_DW, BPF_REG_10, BPF_REG_1, -8,
		     BPF_CMPXCHG),
		INSN(BPF_ALU64 | BPF_MOV | BPF_K, BPF_REG_0, 0, 0, XDP_PASS),
		INSN(BPF_JMP | BPF_EXIT, 0, 0, 0, 0),
	};
	int fd = bpf_prog_load(BPF_PROG_TYPE_XDP, NULL, "GPL", prog,
			       sizeof(prog) / sizeof(prog[0]), NULL);

	if (fd < 0)
		return false;
	close(fd);
	return true;
}

__u32 xg_kernel_features(void)
{
	__u32 f = 0;

	if (have_atomics())
		f |= XG_KF_ATOMICS;
	if (libbpf_probe_bpf_helper(BPF_PROG_TYPE_XDP,
				    BPF_FUNC_ktime_get_coarse_ns, NULL) == 1)
		f |= XG_KF_COARSE_NS;
	if (libbpf_probe_bpf_helper(BPF_PROG_TYPE_XDP, BPF_FUNC_skc_lookup_tcp,
				    NULL) == 1 &&
	    libbpf_probe_bpf_helper(BPF_PROG_TYPE_XDP,
				    BPF_FUNC_tcp_gen_syncookie, NULL) == 1 &&
	    libbpf_probe_bpf_helper(BPF_PROG_TYPE_XDP,
				    BPF_FUNC_tcp_check_syncookie, NULL) == 1)
		f |= XG_KF_SYNCOOKIE;
	if (libbpf_probe_bpf_helper(BPF_PROG_TYPE_XDP,
				    BPF_FUNC_tcp_raw_gen_syncookie_ipv4,
				    NULL) == 1 &&
	    libbpf_probe_bpf_helper(BPF_PROG_TYPE_XDP,
				    BPF_FUNC_tcp_raw_gen_syncookie_ipv6,
				    NULL) == 1)
		f |= XG_KF_RAWCOOKIE;
	return f;
}
