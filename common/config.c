// SPDX-License-Identifier: GPL-2.0
/* The state (xg_state): the non-empty lists, the slot in force and the
 * two slots of settings (xg_config).
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>

#include <bpf/bpf.h>

#include "xg.h"

/* A lookup rather than the mapping: readers hold BPF_F_RDONLY fds. The
 * copy is not atomic, but writers only ever write the slot not in force.
 */
int xg_config_read(const struct xg_maps *m, struct xg_config *cfg)
{
	struct xg_state st;
	__u32 zero = 0;

	if (bpf_map_lookup_elem(m->state, &zero, &st))
		return xg_fail(-errno, "cannot read %s: %s",
			       XG_STR(XG_MAP_STATE), strerror(errno));
	*cfg = st.cfg[st.cfg_slot & 1];
	return 0;
}

int xg_config_write(const struct xg_maps *m, const struct xg_config *in)
{
	struct xg_config cfg = *in;
	struct xg_state *st;
	__u32 next;

	xg_limit_derive(&cfg);
	st = xg_state_mmap(m->state, false);
	if (!st)
		return xg_fail(-errno, "cannot map %s: %s",
			       XG_STR(XG_MAP_STATE), strerror(errno));
	/* The slot not in force: no program reads it now. Writers hold the
	 * lock, so nobody flips the slot between this read and the store.
	 */
	next = !(__atomic_load_n(&st->cfg_slot, __ATOMIC_ACQUIRE) & 1);
	/* a new generation: the CPUs' event skips of the old one end */
	cfg.gen = st->cfg[!next].gen + 1;
	st->cfg[next] = cfg;
	/* One aligned store, released after the slot; the program reads
	 * cfg_slot once per packet and then the slot it names, so it sees
	 * the old settings or the new ones.
	 */
	__atomic_store_n(&st->cfg_slot, next, __ATOMIC_RELEASE);
	xg_state_munmap(st);
	return 0;
}

static size_t state_len(void)
{
	long page = sysconf(_SC_PAGESIZE);
	size_t len = sizeof(struct xg_state);

	if (page <= 0)
		page = 4096;
	return (len + page - 1) / page * page;
}

struct xg_state *xg_state_mmap(int state_fd, bool rdonly)
{
	int prot = PROT_READ | (rdonly ? 0 : PROT_WRITE);
	void *p;

	p = mmap(NULL, state_len(), prot, MAP_SHARED, state_fd, 0);
	return p == MAP_FAILED ? NULL : p;
}

void xg_state_munmap(struct xg_state *st)
{
	if (st)
		munmap(st, state_len());
}
