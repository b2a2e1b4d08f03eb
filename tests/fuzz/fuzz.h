/* SPDX-License-Identifier: GPL-2.0 */
/* Included by the packet fuzzer: its generator (gen.c), its reference
 * model of the decision (model.c) and the driver (fuzz.c).
 */
#ifndef XG_FUZZ_H
#define XG_FUZZ_H

#include <stddef.h>
#include <stdint.h>

#include "xg_abi.h"
#include "pkt.h"

/* ---- PRNG: splitmix64 (Steele, Lea, Flood 2014), no libc rand ----------- */

static inline uint64_t rng_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform in [0, n), n >= 1 (multiply-shift, no modulo bias to speak of). */
static inline uint32_t rng_below(uint64_t *s, uint32_t n)
{
	return (uint32_t)(((rng_next(s) >> 32) * n) >> 32);
}

/* 1 with probability pct / 100. */
static inline int rng_pct(uint64_t *s, uint32_t pct)
{
	return rng_below(s, 100) < pct;
}

/* ---- gen.c: frames --------------------------------------------------------- */

/* Parses the source pools; returns 0 or -1. */
int gen_init(void);
/* Fills @f (f->len is its length, 0..FRAME_MAX) from @rng: random bytes,
 * or a well-formed frame mutated 0..4 times. Returns the kind of frame,
 * an index into gen_kinds[].
 */
int gen_frame(uint64_t *rng, struct frame *f);
#define GEN_KINDS 4
extern const char *const gen_kinds[GEN_KINDS];

/* ---- model.c: what the program must decide --------------------------------- */

/* How far the reference parser got. */
enum ex_kind {
	EX_SHORT, /* under 14 bytes: BPF_PROG_TEST_RUN refuses it */
	EX_L2BAD, /* cut inside a VLAN tag */
	EX_NONIP, /* neither IPv4 nor IPv6 after at most two tags */
	EX_L3BAD, /* no whole IP header of its version: no source */
	EX_IP, /* an IP header that holds: the lists decide */
	EX_KINDS,
};

enum ex_list {
	LIST_NONE, /* no live entry holds the source */
	LIST_ALLOW,
	LIST_BLOCK,
};

/* The drop event the program must write for this frame. */
struct ev_expect {
	uint32_t saddr[4]; /* network order, as in struct xg_event */
	uint32_t daddr[4];
	uint16_t sport, dport;
	uint8_t l4proto;
	uint8_t tcp_flags;
	uint8_t flags; /* XG_EV_* */
};

struct expect {
	uint8_t kind; /* enum ex_kind */
	uint8_t class; /* enum xg_class, for EX_IP */
	uint8_t list; /* enum ex_list, for EX_IP (model_lists()) */
	int8_t limit; /* XG_LIM_* the packet meets, or -1 */
	uint8_t l4_bad; /* upper-layer header missing or invalid */
	uint8_t src6; /* the source meets the IPv6 lists */
	uint8_t chain_cap; /* more IPv6 extension headers than are walked */
	uint8_t tags; /* VLAN tags seen */
	uint32_t src[4]; /* list key: IPv4 in src[0], or IPv6 */
	int hit; /* model_entries() index that takes the hit, or -1 */
	struct ev_expect ev;
};

/* Mask bit of a counter: class and reason. */
typedef unsigned __int128 slotmask_t;
#define SLOT_BIT(class, reason) \
	((slotmask_t)1 << ((class) * XG_R_MAX + (reason)))
#define SLOT_BITS (XG_C_MAX * XG_R_MAX)
_Static_assert(SLOT_BITS <= 128, "slot mask");

/* Reads @len bytes of frame from scratch, as RFC 791, 8200, 9293, 768,
 * 792 and 4443 lay them out, and the documented limits of the program
 * (xdpguard(7): two VLAN tags, eight extension headers). Fills @x except
 * list and hit.
 */
void ref_parse(const uint8_t *b, size_t len, struct expect *x);
/* Set when the kernel runs frames under 14 bytes (5.10 does; later
 * kernels refuse them): ref_parse() then calls them L2-bad, not short.
 */
extern int model_short_runs;

/* List entries the model knows and has put into the maps. */
struct mentry {
	char cidr[48];
	int block, v6, host, plen;
	uint32_t addr[4]; /* network order; IPv4 in addr[0] */
	uint64_t expires; /* 0 = never */
	uint64_t want; /* hits the model sent it */
	uint64_t got; /* hits the program counted, last read */
	int dead_from_start; /* expired before the first frame */
	int replaced; /* overwritten by an automatic ban (put_ban) */
};

void model_clear(void);
/* Adds @cidr to the program's list (h_add_entry) and to the model. */
int model_add(int block, const char *cidr, uint64_t expires, uint64_t now);
int model_count(void);
struct mentry *model_entry(int i);
/* Sets x->list and x->hit for an EX_IP frame at time @now: the host
 * entry, else the longest live prefix; the allowlist first.
 */
void model_lists(struct expect *x, uint64_t now);
/* The counters (SLOT_BIT) the frame may move under @cfg. */
slotmask_t model_mask(const struct expect *x, const struct xg_config *cfg);
/* XDP_PASS, XDP_DROP or -1 (either) for a mask under @flags. */
int mask_verdict(slotmask_t mask, uint32_t flags);
int reason_verdict(uint32_t reason, uint32_t flags);

#endif /* XG_FUZZ_H */
