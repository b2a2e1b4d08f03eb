/* SPDX-License-Identifier: GPL-2.0 */
/* Included by xg-load and the packet tests: opens the XDP program that
 * fits the running kernel. The build compiles bpf/xdpguard.bpf.c twice:
 * as is, and with XG_NO_ATOMICS for kernels before 5.12, which refuse a
 * BPF_ATOMIC compare-and-swap anywhere in an object (bpf/kernel.h). Both
 * objects have the same maps, programs and variables, so one skeleton
 * type serves both; only the ELF bytes it opens differ.
 */
#ifndef XG_SKEL_H
#define XG_SKEL_H

#include <errno.h>
#include <stdlib.h>

#include "xg_abi.h"
#include "xdpguard.skel.h"
#include "xdpguard_compat.skel.h"

/* One source, one layout: the skeletons must agree field for field. */
_Static_assert(sizeof(struct xdpguard) == sizeof(struct xdpguard_compat),
	       "the two objects' skeletons differ");
_Static_assert(sizeof(struct xdpguard__rodata) ==
		       sizeof(struct xdpguard_compat__rodata),
	       "the two objects' .rodata differ");
_Static_assert(sizeof(struct xdpguard__bss) ==
		       sizeof(struct xdpguard_compat__bss),
	       "the two objects' .bss differ");

/* xdpguard__open_opts(), with the object for @kfeat (XG_KF_*). */
static inline struct xdpguard *
xg_skel_open(const struct bpf_object_open_opts *opts, __u32 kfeat)
{
	struct xdpguard *obj = calloc(1, sizeof(*obj));
	int err;

	if (!obj) {
		errno = ENOMEM;
		return NULL;
	}
	err = xdpguard__create_skeleton(obj);
	if (!err && !(kfeat & XG_KF_ATOMICS))
		obj->skeleton->data = (void *)xdpguard_compat__elf_bytes(
			&obj->skeleton->data_sz);
	if (!err)
		err = bpf_object__open_skeleton(obj->skeleton, opts);
	if (err) {
		xdpguard__destroy(obj);
		errno = -err;
		return NULL;
	}
	obj->rodata->xg_kfeat = kfeat;
	return obj;
}

#endif /* XG_SKEL_H */
