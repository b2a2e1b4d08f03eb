// SPDX-License-Identifier: GPL-2.0
/* The admission of new sources and the attack state of each limited
 * class, from the per-CPU xg_admit: what xg-stats shows.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xg.h"

/* One CPU's last complete second: its current window once that is a
 * second old, else the window before it (0 if that one was not
 * adjacent, as the program keeps it).
 */
static void last_second(const struct xg_admit_class *a, __u64 now,
			__u64 *admitted, __u64 *refused)
{
	__u64 age = now - a->win_start;

	if (!a->win_start || now < a->win_start || age >= 2 * XG_NSEC_PER_SEC)
		return;
	if (age >= XG_NSEC_PER_SEC) {
		*admitted += a->win_admitted;
		*refused += a->win_refused;
	} else {
		*admitted += a->last_admitted;
		*refused += a->last_refused;
	}
}

void xg_admission_sum(const struct xg_admit *per, int ncpu, __u64 now,
		      struct xg_admission out[XG_LIM_SRC])
{
	int cpu, k;

	memset(out, 0, XG_LIM_SRC * sizeof(*out));
	for (k = 0; k < XG_LIM_SRC; k++) {
		struct xg_admission *o = &out[k];
		__u64 start = 0;

		for (cpu = 0; cpu < ncpu; cpu++) {
			const struct xg_admit_class *a = &per[cpu].c[k];
			bool live = a->last_refused_ns &&
				    now >= a->last_refused_ns &&
				    now - a->last_refused_ns <
					    XG_ATTACK_QUIET_NS;

			o->admitted += a->admitted;
			o->refused += a->refused;
			last_second(a, now, &o->admitted_last_s,
				    &o->refused_last_s);
			if (live && (!start || a->since_ns < start))
				start = a->since_ns;
		}
		o->engaged = start != 0;
		o->since_ns = start;
		o->for_ns = start && now > start ? now - start : 0;
	}
}

int xg_admission_read(const struct xg_maps *m,
		      struct xg_admission out[XG_LIM_SRC])
{
	int admit_fd = m->admit;
	int ncpu = libbpf_num_possible_cpus(), err = 0;
	struct xg_admit *per;
	__u32 zero = 0;

	memset(out, 0, XG_LIM_SRC * sizeof(*out));
	if (ncpu < 0)
		return xg_fail(ncpu, "cannot count CPUs: %s", strerror(-ncpu));
	per = calloc(ncpu, sizeof(*per));
	if (!per)
		return xg_fail(-ENOMEM, "out of memory");
	if (bpf_map_lookup_elem(admit_fd, &zero, per))
		err = xg_fail(-errno, "cannot read %s: %s",
			      XG_STR(XG_MAP_ADMIT), strerror(errno));
	else
		xg_admission_sum(per, ncpu, xg_limits_now_ns(m), out);
	free(per);
	return err;
}
