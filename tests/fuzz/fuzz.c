// SPDX-License-Identifier: GPL-2.0
/* Packet fuzzer for the XDP program, through BPF_PROG_TEST_RUN and the
 * packet tests' loader (tests/bpf/harness.c), on the test clock.
 *
 * For each configuration it runs --frames frames (random bytes, and
 * well-formed frames mutated) in batches and checks: every verdict is
 * XDP_PASS or XDP_DROP; every frame moves exactly one counter by one
 * packet and its length (frame by frame for a sample, in sum for every
 * batch); with events on, sent + sampled + lost = drops, and the records
 * read back belong to dropped frames; and the reference model of
 * model.c: the list decision (live longest match, allowlist first) for
 * every frame whose IP header holds, the class and reason a frame may
 * get, and the hits each list entry must count.
 *
 * `fuzz --hex HEX` runs one frame after a configuration's setup and
 * prints what the model expects and what the program did.
 */
#include <errno.h>
#include <getopt.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <linux/bpf.h>

#include "fuzz.h"
#include "harness.h"

#define DEF_SEED 1
#define DEF_FRAMES 1000000
/* Frames between two reads of the counters, the event ring and the hits. */
#define BATCH 256
/* One frame in SAMPLE is checked on its own: counters read before and
 * after it (~9 us a read, where a run costs ~0.5 us).
 */
#define SAMPLE 16
/* The clock moves between batches by 0 to 15 ticks; expiries are on the
 * same grid, so some batches run at the very nanosecond an entry expires.
 */
#define TICK_NS (100 * 1000000ULL)
#define MAX_TICKS 16
#define MAX_REPORT 5
#define EV_MAX 4096

static const char *const class_names[XG_C_MAX] = { "tcp", "udp", "icmp",
						   "other_ip", "non_ip" };
static const char *const reason_names[XG_R_MAX] = {
	"pass",	       "allowlisted", "blocklisted", "malformed",  "rate_syn",
	"rate_udp",    "rate_icmp",   "rate_frag",   "syn_global", "udp_global",
	"icmp_global", "frag_global", "autoban",     "rule_drop",  "rule_rate",
	"cookie_sent", "cookie_bad",
};
static const char *const kind_names[EX_KINDS] = { "short", "l2-bad", "non-ip",
						  "l3-bad", "ip" };

enum check { CK_VERDICT, CK_COUNTERS, CK_EVENTS, CK_MODEL, CK_HITS, CK_MAX };
static const char *const check_names[CK_MAX] = { "verdicts", "counters",
						 "events", "model",
						 "list hits" };

/* ---- configurations ------------------------------------------------------- */

enum lim { LIM_OFF, LIM_DEFAULTS, LIM_TIGHT };

struct fconf {
	const char *name;
	const char *what;
	int lists;
	int limits; /* enum lim */
	uint32_t flags;
	uint32_t ev_rate, ev_burst; /* 0: what the limits say */
	int drain; /* read the event ring after every batch */
	uint64_t tick; /* the clock's step between batches; 0: TICK_NS */
};

static const struct fconf confs[] = {
	/* Steps of 100 us: sources of the pool then exceed xg-load's SYN
	 * and ICMP limits now and then.
	 */
	{ .name = "defaults",
	  .what = "xg-load's defaults (events 100/s), no lists",
	  .limits = LIM_DEFAULTS,
	  .drain = 1,
	  .tick = 100000 },
	{ .name = "lists",
	  .what = "both lists, both families, expired entries; limits off",
	  .lists = 1,
	  .limits = LIM_OFF,
	  .drain = 1 },
	{ .name = "lists-malformed",
	  .what = "the lists, drop-malformed, events 1/s burst 1; limits off",
	  .lists = 1,
	  .limits = LIM_OFF,
	  .flags = XG_CFG_DROP_MALFORMED,
	  .ev_rate = 1,
	  .ev_burst = 1,
	  .drain = 1 },
	{ .name = "limits",
	  .what = "every limit 1/s burst 1, bans, drop-malformed, events 1/s "
		  "burst 1",
	  .limits = LIM_TIGHT,
	  .flags = XG_CFG_DROP_MALFORMED,
	  .drain = 1 },
	/* SYN cookies on every port, and no listener in the fuzzer's
	 * namespace: every SYN and ACK goes through the step to the limits
	 * (no_listener), as if it were off.
	 */
	{ .name = "lists-limits",
	  .what = "the lists, every limit 1/s burst 1, bans; events 10^6/s, "
		  "the ring read only at the end; SYN cookies on every port, "
		  "no listener",
	  .lists = 1,
	  .limits = LIM_TIGHT,
	  .flags = XG_CFG_SYNCOOKIES,
	  .ev_rate = 1000000,
	  .ev_burst = 1000000 },
};

#define NCONFS (sizeof(confs) / sizeof(confs[0]))

static void build_config(const struct fconf *c, struct xg_config *cfg)
{
	int k;

	if (c->limits == LIM_DEFAULTS)
		h_config_defaults(cfg);
	else
		h_config_off(cfg);
	if (c->limits == LIM_TIGHT) {
		for (k = 0; k < XG_LIM_MAX; k++) {
			cfg->limit[k].rate = 1;
			cfg->limit[k].burst = 1;
		}
		cfg->ban_secs = 60;
		cfg->ban_factor = 2;
		cfg->ban_after = 2;
	}
	if (c->ev_rate) {
		cfg->limit[XG_LIM_EVENTS].rate = c->ev_rate;
		cfg->limit[XG_LIM_EVENTS].burst = c->ev_burst;
	}
	cfg->flags = c->flags;
}

/* Expiry of a list entry, from the time the configuration starts. */
enum { X_NEVER, X_PAST, X_JUST, X_NOW, X_MID };

struct lentry {
	int block;
	const char *cidr;
	int exp;
	int pct; /* X_MID: when, in percent of the run */
};

static const struct lentry lentries[] = {
	/* IPv4 blocklist: expired longer prefixes inside live shorter
	 * ones, and prefixes that expire during the run.
	 */
	{ 1, "198.18.0.0/16", X_NEVER, 0 },
	{ 1, "198.18.0.0/24", X_PAST, 0 },
	{ 1, "198.18.0.0/28", X_MID, 50 },
	{ 1, "198.18.0.0/30", X_JUST, 0 },
	{ 1, "198.18.0.1/32", X_PAST, 0 },
	{ 1, "198.18.0.5", X_PAST, 0 },
	{ 1, "198.18.0.6", X_NEVER, 0 },
	{ 1, "198.18.2.0/23", X_MID, 25 },
	{ 1, "198.19.0.0/16", X_PAST, 0 },
	{ 1, "198.19.0.0/17", X_PAST, 0 },
	{ 1, "198.19.64.0/18", X_NOW, 0 },
	{ 1, "198.19.128.0/24", X_NEVER, 0 },
	{ 1, "198.19.128.0/25", X_MID, 60 },
	{ 1, "198.19.200.7", X_MID, 85 },
	{ 1, "198.19.200.8", X_PAST, 0 },
	/* IPv4 allowlist, over and inside the blocked prefixes */
	{ 0, "198.18.0.16/28", X_NEVER, 0 },
	{ 0, "198.18.0.16/30", X_PAST, 0 },
	{ 0, "198.18.0.17", X_PAST, 0 },
	{ 0, "198.18.0.18", X_NEVER, 0 },
	{ 0, "198.18.1.0/24", X_PAST, 0 },
	{ 0, "0.0.0.0/0", X_PAST, 0 },
	{ 0, "198.18.3.0/24", X_MID, 50 },
	{ 0, "198.18.3.128/25", X_NEVER, 0 },
	{ 0, "198.19.128.9", X_NEVER, 0 },
	{ 0, "198.19.200.0/24", X_MID, 75 },
	/* IPv6 blocklist: a live /32 under expired and expiring longer
	 * prefixes; IPv4-mapped entries that must never match (a mapped
	 * source meets the IPv4 lists).
	 */
	{ 1, "2001:db8::/32", X_NEVER, 0 },
	{ 1, "2001:db8::/48", X_PAST, 0 },
	{ 1, "2001:db8::/64", X_MID, 50 },
	{ 1, "2001:db8::/96", X_JUST, 0 },
	{ 1, "2001:db8::1/128", X_PAST, 0 },
	{ 1, "2001:db8::2", X_NEVER, 0 },
	{ 1, "2001:db8::3", X_PAST, 0 },
	{ 1, "2001:db8:bad::/48", X_PAST, 0 },
	{ 1, "2001:db8:bad::/56", X_PAST, 0 },
	{ 1, "::ffff:0:0/96", X_NEVER, 0 },
	{ 1, "::ffff:198.19.0.1", X_NEVER, 0 },
	{ 1, "::/0", X_PAST, 0 },
	{ 1, "2001:db9:0:1::/64", X_MID, 70 },
	{ 1, "2001:db9::7", X_NEVER, 0 },
	{ 1, "2001:db9:0:2::/64", X_PAST, 0 },
	/* IPv6 allowlist */
	{ 0, "2001:db8:0:1::/64", X_NEVER, 0 },
	{ 0, "2001:db8:0:1::/80", X_PAST, 0 },
	{ 0, "2001:db8::5", X_NEVER, 0 },
	{ 0, "2001:db8::6", X_PAST, 0 },
	{ 0, "2001:db9::/32", X_PAST, 0 },
	{ 0, "2001:db9::/33", X_MID, 50 },
	{ 0, "2001:db9::7/128", X_NEVER, 0 },
	{ 0, "::/1", X_PAST, 0 },
};

static int add_lists(uint64_t span, uint64_t tick)
{
	uint64_t now = h_boot_ns(), exp;
	size_t i;

	for (i = 0; i < sizeof(lentries) / sizeof(lentries[0]); i++) {
		const struct lentry *l = &lentries[i];

		switch (l->exp) {
		case X_PAST:
			/* A minute ago: the harness's clock starts at an
			 * hour, and 0 would mean "never expires".
			 */
			exp = now - 60 * XG_NSEC_PER_SEC;
			break;
		case X_JUST:
			exp = now - 1;
			break;
		case X_NOW:
			exp = now; /* live until the clock moves */
			break;
		case X_MID:
			exp = now + span * l->pct / 100 / tick * tick;
			break;
		default:
			exp = 0;
		}
		if ((l->exp != X_NEVER && !exp) ||
		    model_add(l->block, l->cidr, exp, now)) {
			fprintf(stderr, "fuzz: cannot add %s\n", l->cidr);
			return -1;
		}
	}
	return 0;
}

static int setup(const struct fconf *c, struct xg_config *cfg, uint64_t span,
		 uint64_t tick)
{
	build_config(c, cfg);
	model_clear();
	if (h_reset(cfg->flags) || h_write_config(0, cfg) ||
	    h_write_config(1, cfg) ||
	    ((cfg->flags & XG_CFG_SYNCOOKIES) && h_sc_all(XG_SC_ON)))
		return -1;
	return c->lists ? add_lists(span, tick) : 0;
}

/* ---- reading the program's state ------------------------------------------ */

static int stats_fd = -1, ncpus;

/* The counters of interface slot 0, the one the harness's program has,
 * summed over CPUs: 160 of the 5280 counters, ~30x cheaper than
 * h_read_stats(). Through the pinned map, as the tools read it.
 */
static int open_stats(void)
{
	char path[96];

	ncpus = libbpf_num_possible_cpus();
	snprintf(path, sizeof(path), "/sys/fs/bpf/xg-pkt-test-%d/%s",
		 (int)getpid(), XG_STR(XG_MAP_STATS));
	stats_fd = bpf_obj_get(path);
	if (stats_fd < 0 || ncpus <= 0) {
		fprintf(stderr, "fuzz: open %s: %s\n", path, strerror(errno));
		return -1;
	}
	return 0;
}

static int read_slot0(struct xg_counter out[XG_SLOT_COUNTERS])
{
	static struct xg_counter *per;
	static uint32_t keys[XG_SLOT_COUNTERS];
	uint32_t n = XG_SLOT_COUNTERS, ob, k;
	int c;

	if (!per) {
		per = calloc((size_t)XG_SLOT_COUNTERS * ncpus, sizeof(*per));
		if (!per)
			return -1;
	}
	if (bpf_map_lookup_batch(stats_fd, NULL, &ob, keys, per, &n, NULL) &&
	    errno != ENOENT)
		n = 0;
	if (n != XG_SLOT_COUNTERS) {
		/* No batch ops on per-CPU arrays before 5.11: key by key. */
		for (k = 0; k < XG_SLOT_COUNTERS; k++) {
			keys[k] = k;
			if (bpf_map_lookup_elem(stats_fd, &k,
						&per[(size_t)k * ncpus]))
				return -1;
		}
	}
	for (k = 0; k < XG_SLOT_COUNTERS; k++) {
		out[k].packets = out[k].bytes = 0;
		for (c = 0; c < ncpus; c++) {
			out[k].packets += per[(size_t)k * ncpus + c].packets;
			out[k].bytes += per[(size_t)k * ncpus + c].bytes;
		}
	}
	return 0;
}

/* Slot (class * XG_R_SLOTS + reason) to mask bit, or -1 for a reason the
 * program does not have.
 */
static int slot_bit(int slot)
{
	int reason = slot % XG_R_SLOTS;

	return reason < XG_R_MAX ? (slot / XG_R_SLOTS) * XG_R_MAX + reason : -1;
}

/* ---- reporting ------------------------------------------------------------ */

static uint64_t opt_seed = DEF_SEED;
static uint64_t opt_frames = DEF_FRAMES;
static int opt_verbose;
static const char *argv0 = "fuzz";

struct tally {
	uint64_t frames, shorts, pass, drop, bytes, sampled, batches;
	uint64_t kinds[GEN_KINDS];
	uint64_t ex[EX_KINDS];
	uint64_t lists[3];
	uint64_t exact, chain_cap, tags;
	uint64_t reasons[XG_R_MAX];
	uint64_t events_read, replaced;
	struct xg_evstats ev;
	uint64_t fails[CK_MAX];
	int reported;
};

static const struct fconf *cur;
static struct tally *tal;

static void hex(const uint8_t *b, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		printf("%02x", b[i]);
}

static void print_mask(slotmask_t mask)
{
	const char *sep = "";
	int b;

	printf("{");
	for (b = 0; b < SLOT_BITS; b++)
		if (mask & ((slotmask_t)1 << b)) {
			printf("%s%s/%s", sep, class_names[b / XG_R_MAX],
			       reason_names[b % XG_R_MAX]);
			sep = " ";
		}
	printf("}");
}

static void frame_note(const struct frame *f, uint64_t idx)
{
	printf("  frame %llu of --seed %llu --config %s (%zu bytes): ",
	       (unsigned long long)idx, (unsigned long long)opt_seed, cur->name,
	       f->len);
	hex(f->buf, f->len);
	printf("\n  replay: %s --config %s --hex <the bytes above>; or the "
	       "run: %s --seed %llu --config %s --frames %llu\n",
	       argv0, cur->name, argv0, (unsigned long long)opt_seed, cur->name,
	       (unsigned long long)opt_frames);
}

static void fail(int ck, const struct frame *f, uint64_t idx, const char *fmt,
		 ...) __attribute__((format(printf, 4, 5)));

static void fail(int ck, const struct frame *f, uint64_t idx, const char *fmt,
		 ...)
{
	va_list ap;

	tal->fails[ck]++;
	if (tal->reported++ >= MAX_REPORT) {
		if (tal->reported == MAX_REPORT + 1)
			printf("  (more failures in %s not shown)\n",
			       cur->name);
		return;
	}
	printf("FAIL %s %s: ", cur->name, check_names[ck]);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	if (f)
		frame_note(f, idx);
}

/* ---- the run ---------------------------------------------------------------- */

/* The PRNG state of frame @idx: a frame depends on the seed, the
 * configuration and its index only, not on the frames before it.
 */
static uint64_t frame_rng(uint64_t seed, unsigned conf, uint64_t idx)
{
	uint64_t s = seed, t;

	t = rng_next(&s) ^ ((uint64_t)conf << 56) ^ idx * 0xd1b54a32d192ed03ULL;
	rng_next(&t);
	return t;
}

/* What a batch keeps of each frame for the checks at its end. */
struct frec {
	uint16_t len;
	int8_t verdict;
	slotmask_t mask;
	struct ev_expect ev;
};

static struct frec recs[BATCH];
static struct xg_event evbuf[EV_MAX];

static int ev_matches(const struct frec *r, const struct xg_event *e,
		      uint64_t now)
{
	int bit = e->class < XG_C_MAX && e->reason < XG_R_MAX ?
			  e->class * XG_R_MAX + e->reason :
			  -1;

	return r->verdict == XDP_DROP && bit >= 0 &&
	       (r->mask & ((slotmask_t)1 << bit)) && e->len == r->len &&
	       e->ts_ns == now && e->ifslot == 0 && e->flags == r->ev.flags &&
	       e->l4proto == r->ev.l4proto && e->tcp_flags == r->ev.tcp_flags &&
	       !memcmp(e->saddr, r->ev.saddr, sizeof(e->saddr)) &&
	       !memcmp(e->daddr, r->ev.daddr, sizeof(e->daddr)) &&
	       e->sport == r->ev.sport && e->dport == r->ev.dport;
}

static void print_event(const struct xg_event *e)
{
	printf("  event: len %u class %u reason %u flags 0x%x l4proto %u "
	       "tcp_flags 0x%x ports %u %u ts %llu saddr ",
	       e->len, e->class, e->reason, e->flags, e->l4proto, e->tcp_flags,
	       e->sport, e->dport, (unsigned long long)e->ts_ns);
	hex((const uint8_t *)e->saddr, sizeof(e->saddr));
	printf("\n");
}

/* A record is valid if its fields are in range and say drop. */
static int ev_valid(const struct xg_event *e, uint32_t flags)
{
	return e->class < XG_C_MAX && e->reason < XG_R_MAX &&
	       reason_verdict(e->reason, flags) == XDP_DROP && e->len >= 14 &&
	       e->len <= FRAME_MAX && e->ifslot == 0;
}

static void check_hits(int bans, uint64_t batch)
{
	struct xg_entry e;
	int i;

	for (i = 0; i < model_count(); i++) {
		struct mentry *m = model_entry(i);

		if (m->replaced)
			continue;
		if (h_entry(m->block, m->cidr, &e)) {
			fail(CK_HITS, NULL, 0, "batch %llu: entry %s is gone",
			     (unsigned long long)batch, m->cidr);
			m->replaced = 1;
			continue;
		}
		if (e.flags & XG_E_AUTO) {
			/* put_ban() took over the expired entry */
			m->replaced = 1;
			tal->replaced++;
			if (!bans || !m->block || m->v6 != (e.prefixlen != 32))
				fail(CK_HITS, NULL, 0,
				     "batch %llu: %s became an automatic ban",
				     (unsigned long long)batch, m->cidr);
			continue;
		}
		m->got = e.hits;
		/* An automatic ban may take a blocked source's hit (host map
		 * first, or a longer prefix); nothing else may.
		 */
		if (m->block && bans ? e.hits > m->want : e.hits != m->want)
			fail(CK_HITS, NULL, 0,
			     "batch %llu: %s %s%s has %llu hits, the model "
			     "%llu",
			     (unsigned long long)batch,
			     m->block ? "blocklist" : "allowlist", m->cidr,
			     m->dead_from_start ? " (expired from the start)" :
						  "",
			     (unsigned long long)e.hits,
			     (unsigned long long)m->want);
	}
}

static int run_conf(unsigned ci)
{
	static struct xg_counter before[XG_SLOT_COUNTERS],
		after[XG_SLOT_COUNTERS], bstart[XG_SLOT_COUNTERS];
	static struct xg_counter all[XG_STATS_SLOTS];
	const struct fconf *c = &confs[ci];
	uint64_t nb = (opt_frames + BATCH - 1) / BATCH, b, done = 0;
	uint64_t tick = c->tick ? c->tick : TICK_NS;
	uint64_t span = nb * (MAX_TICKS - 1) * tick / 2;
	uint32_t lo[SLOT_BITS], hi[SLOT_BITS];
	struct xg_evstats ev0, ev1;
	struct xg_config cfg;
	struct tally t;
	struct timespec t0, t1;
	int bans, cur_valid, evon;
	double secs;
	uint64_t total_sent = 0;

	memset(&t, 0, sizeof(t));
	tal = &t;
	cur = c;
	printf("\n== %s: %s\n", c->name, c->what);
	if (setup(c, &cfg, span, tick) || read_slot0(bstart) ||
	    h_evstats(&ev0)) {
		fail(CK_COUNTERS, NULL, 0, "cannot set up the maps");
		goto out;
	}
	evon = cfg.limit[XG_LIM_EVENTS].rate > 0;
	bans = 0;
	for (b = 0; b < XG_LIM_SRC; b++)
		bans |= cfg.ban_secs && cfg.limit[b].rate;
	cur_valid = 1;
	memcpy(before, bstart, sizeof(before));
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (b = 0; b < nb; b++) {
		uint64_t now = h_boot_ns(), n = opt_frames - done, drops = 0,
			 nrun = 0, bytes = 0, i, pk = 0, by = 0;
		uint64_t adv;
		int s, nev;

		if (n > BATCH)
			n = BATCH;
		memset(lo, 0, sizeof(lo));
		memset(hi, 0, sizeof(hi));
		for (i = 0; i < n; i++) {
			uint64_t idx = done + i,
				 r = frame_rng(opt_seed, ci, idx);
			struct frec *rec = &recs[i];
			struct expect x;
			struct frame f;
			int kind, v, want, sampled, bit, moved = -1;

			kind = gen_frame(&r, &f);
			t.kinds[kind]++;
			ref_parse(f.buf, f.len, &x);
			model_lists(&x, now);
			rec->len = f.len;
			rec->mask = model_mask(&x, &cfg);
			rec->ev = x.ev;
			rec->verdict = -1;
			sampled = x.kind != EX_SHORT && !rng_below(&r, SAMPLE);
			if (sampled && !cur_valid && read_slot0(before)) {
				fail(CK_COUNTERS, NULL, 0,
				     "cannot read xg_stats");
				goto out;
			}
			v = h_run(&f, f.len);
			cur_valid = 0;
			t.frames++;
			t.ex[x.kind]++;
			if (x.kind == EX_SHORT) {
				t.shorts++;
				if (v != -1)
					fail(CK_VERDICT, &f, idx,
					     "a frame under 14 bytes ran "
					     "(verdict %d)",
					     v);
				continue;
			}
			if (v != XDP_PASS && v != XDP_DROP) {
				fail(CK_VERDICT, &f, idx, "verdict %d", v);
				continue;
			}
			rec->verdict = v;
			nrun++;
			bytes += f.len;
			if (v == XDP_DROP) {
				drops++;
				t.drop++;
			} else {
				t.pass++;
			}
			if (x.kind == EX_IP) {
				t.lists[x.list]++;
				t.chain_cap += x.chain_cap;
				if (x.hit >= 0)
					model_entry(x.hit)->want++;
			}
			t.tags += x.tags > 0;
			if (!(rec->mask & (rec->mask - 1)))
				t.exact++;
			for (bit = 0; bit < SLOT_BITS; bit++)
				if (rec->mask & ((slotmask_t)1 << bit)) {
					hi[bit]++;
					lo[bit] += rec->mask == (slotmask_t)1
									<< bit;
				}
			want = mask_verdict(rec->mask, cfg.flags);
			if (want >= 0 && v != want) {
				fail(CK_MODEL, &f, idx,
				     "verdict %s, the model expects %s: %s, "
				     "list %d, counters ",
				     v == XDP_PASS ? "pass" : "drop",
				     want == XDP_PASS ? "pass" : "drop",
				     kind_names[x.kind], x.list);
				print_mask(rec->mask);
				printf("\n");
			}
			if (!sampled)
				continue;
			t.sampled++;
			if (read_slot0(after)) {
				fail(CK_COUNTERS, NULL, 0,
				     "cannot read xg_stats");
				goto out;
			}
			cur_valid = 1;
			for (s = 0; s < XG_SLOT_COUNTERS; s++) {
				uint64_t dp =
					after[s].packets - before[s].packets;
				uint64_t db = after[s].bytes - before[s].bytes;

				if (!dp && !db)
					continue;
				if (dp != 1 || db != f.len || moved >= 0) {
					fail(CK_COUNTERS, &f, idx,
					     "counter %s/%s moved +%llu "
					     "packets +%llu bytes",
					     class_names[s / XG_R_SLOTS %
							 XG_C_MAX],
					     s % XG_R_SLOTS < XG_R_MAX ?
						     reason_names[s %
								  XG_R_SLOTS] :
						     "?",
					     (unsigned long long)dp,
					     (unsigned long long)db);
					moved = -2;
					break;
				}
				moved = s;
			}
			if (moved == -1)
				fail(CK_COUNTERS, &f, idx, "no counter moved");
			if (moved >= 0) {
				bit = slot_bit(moved);
				if (bit < 0 ||
				    !(rec->mask & ((slotmask_t)1 << bit)) ||
				    reason_verdict(moved % XG_R_SLOTS,
						   cfg.flags) != v) {
					fail(CK_MODEL, &f, idx,
					     "counted %s/%s, verdict %s; the "
					     "model expects %s, counters ",
					     class_names[moved / XG_R_SLOTS],
					     bit < 0 ? "?" :
						       reason_names[moved %
								    XG_R_SLOTS],
					     v == XDP_PASS ? "pass" : "drop",
					     kind_names[x.kind]);
					print_mask(rec->mask);
					printf("\n");
				}
			}
			memcpy(before, after, sizeof(before));
		}
		done += n;

		/* The batch as a whole. */
		if (!cur_valid && read_slot0(before)) {
			fail(CK_COUNTERS, NULL, 0, "cannot read xg_stats");
			goto out;
		}
		cur_valid = 1;
		for (s = 0; s < XG_SLOT_COUNTERS; s++) {
			uint64_t dp = before[s].packets - bstart[s].packets;
			int bit = slot_bit(s);

			pk += dp;
			by += before[s].bytes - bstart[s].bytes;
			if (bit < 0) {
				if (dp)
					fail(CK_COUNTERS, NULL, 0,
					     "batch %llu: counter %d (no such "
					     "reason) moved",
					     (unsigned long long)b, s);
				continue;
			}
			if (dp < lo[bit] || dp > hi[bit])
				fail(CK_MODEL, NULL, 0,
				     "batch %llu (frames %llu-%llu): %s/%s "
				     "moved %llu, the model says %u to %u",
				     (unsigned long long)b,
				     (unsigned long long)(done - n),
				     (unsigned long long)(done - 1),
				     class_names[s / XG_R_SLOTS],
				     reason_names[s % XG_R_SLOTS],
				     (unsigned long long)dp, lo[bit], hi[bit]);
		}
		if (pk != nrun || by != bytes)
			fail(CK_COUNTERS, NULL, 0,
			     "batch %llu: %llu frames of %llu bytes ran, the "
			     "counters moved %llu packets %llu bytes",
			     (unsigned long long)b, (unsigned long long)nrun,
			     (unsigned long long)bytes, (unsigned long long)pk,
			     (unsigned long long)by);
		memcpy(bstart, before, sizeof(bstart));

		if (h_evstats(&ev1)) {
			fail(CK_EVENTS, NULL, 0, "cannot read xg_evstats");
			goto out;
		}
		if ((ev1.sent + ev1.sampled + ev1.lost) -
			    (ev0.sent + ev0.sampled + ev0.lost) !=
		    (evon ? drops : 0))
			fail(CK_EVENTS, NULL, 0,
			     "batch %llu: %llu drops, events %s, but sent "
			     "+%llu sampled +%llu lost +%llu",
			     (unsigned long long)b, (unsigned long long)drops,
			     evon ? "on" : "off",
			     (unsigned long long)(ev1.sent - ev0.sent),
			     (unsigned long long)(ev1.sampled - ev0.sampled),
			     (unsigned long long)(ev1.lost - ev0.lost));
		total_sent += ev1.sent - ev0.sent;
		if (c->drain) {
			uint64_t j = 0;
			int e;

			nev = h_events(evbuf, EV_MAX);
			if (nev < 0 || (uint64_t)nev != ev1.sent - ev0.sent)
				fail(CK_EVENTS, NULL, 0,
				     "batch %llu: %d events read, %llu sent",
				     (unsigned long long)b, nev,
				     (unsigned long long)(ev1.sent - ev0.sent));
			/* The records, in order, belong to dropped frames:
			 * a subsequence of the batch (greedy is exact).
			 */
			for (e = 0; e < nev && e < EV_MAX; e++) {
				while (j < n &&
				       !ev_matches(&recs[j], &evbuf[e], now))
					j++;
				if (j == n) {
					fail(CK_EVENTS, NULL, 0,
					     "batch %llu: event %d matches "
					     "no dropped frame after the "
					     "previous event's",
					     (unsigned long long)b, e);
					print_event(&evbuf[e]);
					break;
				}
				j++;
			}
			t.events_read += nev > 0 ? nev : 0;
		}
		ev0 = ev1;
		if (c->lists)
			check_hits(bans, b);
		t.batches++;
		adv = frame_rng(opt_seed, ci, ~b);
		h_advance(rng_below(&adv, MAX_TICKS) * tick);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);

	/* The end: the ring's records (never read before, in a
	 * configuration that lets it fill), and no counter outside slot 0.
	 */
	if (!c->drain) {
		int e, nev = h_events(evbuf, EV_MAX);

		if (nev < 0 || (uint64_t)nev != total_sent)
			fail(CK_EVENTS, NULL, 0,
			     "%d records in the ring, %llu sent", nev,
			     (unsigned long long)total_sent);
		for (e = 0; e < nev && e < EV_MAX; e++)
			if (!ev_valid(&evbuf[e], cfg.flags)) {
				fail(CK_EVENTS, NULL, 0, "record %d invalid",
				     e);
				print_event(&evbuf[e]);
			}
		t.events_read += nev > 0 ? nev : 0;
	}
	if (h_read_stats(all)) {
		fail(CK_COUNTERS, NULL, 0, "cannot read xg_stats");
	} else {
		uint64_t pk = 0;
		int s;

		for (s = 0; s < XG_STATS_SLOTS; s++) {
			if (s >= XG_SLOT_COUNTERS && all[s].packets)
				fail(CK_COUNTERS, NULL, 0,
				     "counter %d of interface slot %d moved", s,
				     s / XG_SLOT_COUNTERS);
			if (s < XG_SLOT_COUNTERS) {
				pk += all[s].packets;
				if (s % XG_R_SLOTS < XG_R_MAX)
					t.reasons[s % XG_R_SLOTS] +=
						all[s].packets;
			}
		}
		if (pk != t.pass + t.drop)
			fail(CK_COUNTERS, NULL, 0,
			     "%llu frames ran, %llu counted",
			     (unsigned long long)(t.pass + t.drop),
			     (unsigned long long)pk);
	}
	h_evstats(&t.ev);
	secs = (t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9;

	printf("  frames %llu (", (unsigned long long)t.frames);
	for (b = 0; b < GEN_KINDS; b++)
		printf("%s%s %llu", b ? ", " : "", gen_kinds[b],
		       (unsigned long long)t.kinds[b]);
	printf("); %llu under 14 bytes, refused by the kernel\n",
	       (unsigned long long)t.shorts);
	printf("  verdicts: pass %llu, drop %llu\n", (unsigned long long)t.pass,
	       (unsigned long long)t.drop);
	printf("  reasons:");
	for (b = 0; b < XG_R_MAX; b++)
		if (t.reasons[b])
			printf(" %s %llu", reason_names[b],
			       (unsigned long long)t.reasons[b]);
	printf("\n  model checked %llu frames: ip %llu (allowlisted %llu, "
	       "blocklisted %llu, unlisted %llu; %llu chains past 8 "
	       "headers), l3-bad %llu, l2-bad %llu, non-ip %llu; "
	       "%llu with one possible counter; %llu vlan-tagged\n",
	       (unsigned long long)(t.frames - t.shorts),
	       (unsigned long long)t.ex[EX_IP],
	       (unsigned long long)t.lists[LIST_ALLOW],
	       (unsigned long long)t.lists[LIST_BLOCK],
	       (unsigned long long)t.lists[LIST_NONE],
	       (unsigned long long)t.chain_cap,
	       (unsigned long long)t.ex[EX_L3BAD],
	       (unsigned long long)t.ex[EX_L2BAD],
	       (unsigned long long)t.ex[EX_NONIP], (unsigned long long)t.exact,
	       (unsigned long long)t.tags);
	printf("  counters read frame by frame for %llu frames, per batch "
	       "for %llu batches of %d\n",
	       (unsigned long long)t.sampled, (unsigned long long)t.batches,
	       BATCH);
	printf("  events: sent %llu, sampled %llu, lost %llu; %llu records "
	       "read\n",
	       (unsigned long long)t.ev.sent, (unsigned long long)t.ev.sampled,
	       (unsigned long long)t.ev.lost,
	       (unsigned long long)t.events_read);
	if (c->lists) {
		uint64_t hits = 0;
		int i;

		for (i = 0; i < model_count(); i++)
			hits += model_entry(i)->got;
		printf("  list entries: %d, %llu hits; %llu taken over by "
		       "automatic bans\n",
		       model_count(), (unsigned long long)hits,
		       (unsigned long long)t.replaced);
		for (i = 0; opt_verbose && i < model_count(); i++) {
			const struct mentry *m = model_entry(i);

			printf("    %-5s %-22s %-14s hits %8llu, model %8llu%s\n",
			       m->block ? "block" : "allow", m->cidr,
			       !m->expires	  ? "never expires" :
			       m->dead_from_start ? "expired" :
						    "expires in run",
			       (unsigned long long)m->got,
			       (unsigned long long)m->want,
			       m->replaced ? " (became a ban)" : "");
		}
	}
	printf("  %.2f s, %.0f frames/s\n", secs,
	       secs > 0 ? t.frames / secs : 0);
out : {
	int ck, failed = 0;

	for (ck = 0; ck < CK_MAX; ck++) {
		if (ck == CK_HITS && !c->lists)
			continue;
		printf("%s %s: %s", t.fails[ck] ? "FAIL" : "ok  ", c->name,
		       check_names[ck]);
		if (t.fails[ck])
			printf(" (%llu failures)",
			       (unsigned long long)t.fails[ck]);
		printf("\n");
		failed += t.fails[ck] > 0;
	}
	return failed;
}
}

/* ---- one frame, for replays -------------------------------------------------- */

static int parse_hex(const char *s, struct frame *f)
{
	size_t n = strlen(s), i;
	unsigned v;

	if (n % 2 || n / 2 > FRAME_MAX)
		return -1;
	for (i = 0; i < n / 2; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		f->buf[i] = v;
	}
	f->len = n / 2;
	return 0;
}

static int replay(unsigned ci, const char *hexs)
{
	static struct xg_counter b0[XG_SLOT_COUNTERS], b1[XG_SLOT_COUNTERS];
	const struct fconf *c = &confs[ci];
	struct xg_config cfg;
	struct tally t;
	struct expect x;
	struct frame f;
	slotmask_t mask;
	int v, s, bad = 0;

	memset(&t, 0, sizeof(t));
	tal = &t;
	cur = c;
	if (parse_hex(hexs, &f)) {
		fprintf(stderr,
			"fuzz: --hex wants an even number of hex "
			"digits, at most %d bytes\n",
			FRAME_MAX);
		return 2;
	}
	if (setup(c, &cfg, 0, TICK_NS) || read_slot0(b0))
		return 1;
	ref_parse(f.buf, f.len, &x);
	model_lists(&x, h_boot_ns());
	mask = model_mask(&x, &cfg);
	printf("config %s, %zu bytes\nmodel: %s", c->name, f.len,
	       kind_names[x.kind]);
	if (x.kind == EX_IP)
		printf(", class %s, list %s%s%s, l4 %s, limit %d",
		       class_names[x.class],
		       x.list == LIST_ALLOW ? "allow" :
		       x.list == LIST_BLOCK ? "block" :
					      "none",
		       x.hit >= 0 ? " by " : "",
		       x.hit >= 0 ? model_entry(x.hit)->cidr : "",
		       x.l4_bad ? "bad" : "ok", x.limit);
	printf(", counters ");
	print_mask(mask);
	printf("\n");
	v = h_run(&f, f.len);
	if (read_slot0(b1))
		return 1;
	printf("program: verdict %d", v);
	for (s = 0; s < XG_SLOT_COUNTERS; s++)
		if (b1[s].packets != b0[s].packets) {
			int bit = slot_bit(s);

			printf(", counted %s/%s", class_names[s / XG_R_SLOTS],
			       bit < 0 ? "?" : reason_names[s % XG_R_SLOTS]);
			bad |= bit < 0 || !(mask & ((slotmask_t)1 << bit));
		}
	printf("\n%s\n", bad ? "DIFFERENT" : "agrees");
	return bad;
}

/* ---- main ------------------------------------------------------------------- */

static void usage(FILE *out)
{
	unsigned i;

	fprintf(out,
		"usage: %s [--seed N] [--frames N] [--config NAME] "
		"[--verbose]\n"
		"       %s --config NAME --hex BYTES\n"
		"  --seed N     PRNG seed (default %d)\n"
		"  --frames N   frames per configuration (default %d)\n"
		"  --config     run one configuration:",
		argv0, argv0, DEF_SEED, DEF_FRAMES);
	for (i = 0; i < NCONFS; i++)
		fprintf(out, " %s", confs[i].name);
	fprintf(out, "\n  --verbose    the list entries, their hits and the "
		     "model's\n"
		     "  --hex BYTES  run one frame after the configuration's "
		     "setup\n");
}

int main(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "seed", required_argument, NULL, 's' },
		{ "frames", required_argument, NULL, 'n' },
		{ "config", required_argument, NULL, 'c' },
		{ "hex", required_argument, NULL, 'x' },
		{ "verbose", no_argument, NULL, 'v' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *only = NULL, *hexs = NULL;
	unsigned ci, found = 0;
	int o, passed = 0, failed = 0;
	cpu_set_t cpus;
	char *end;

	argv0 = argv[0];
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 's':
		case 'n':
			errno = 0;
			*(o == 's' ? &opt_seed : &opt_frames) =
				strtoull(optarg, &end, 0);
			if (errno || *end || !*optarg || optarg[0] == '-') {
				fprintf(stderr, "%s: bad number '%s'\n", argv0,
					optarg);
				return 2;
			}
			break;
		case 'c':
			only = optarg;
			break;
		case 'x':
			hexs = optarg;
			break;
		case 'v':
			opt_verbose = 1;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc || (hexs && !only)) {
		usage(stderr);
		return 2;
	}
	for (ci = 0; only && ci < NCONFS; ci++)
		found |= !strcmp(only, confs[ci].name);
	if (only && !found) {
		fprintf(stderr, "%s: no configuration '%s'\n", argv0, only);
		usage(stderr);
		return 2;
	}
	/* One CPU: the per-CPU parts of the maps (LRU lists, counters)
	 * then evolve the same way on every run.
	 */
	CPU_ZERO(&cpus);
	CPU_SET(sched_getcpu() < 0 ? 0 : sched_getcpu(), &cpus);
	sched_setaffinity(0, sizeof(cpus), &cpus);
	if (gen_init() || h_open() || open_stats()) {
		h_close();
		printf("0 passed, 1 failed\n");
		return 1;
	}
	/* Newer kernels refuse a frame under an Ethernet header (EINVAL);
	 * 5.10 runs it, and the program must call it malformed.
	 */
	{
		struct frame tiny = { .len = 2 };

		model_short_runs = h_run(&tiny, tiny.len) >= 0;
		if (model_short_runs)
			printf("fuzz: this kernel runs frames under 14 "
			       "bytes\n");
	}
	if (hexs) {
		for (ci = 0; strcmp(only, confs[ci].name); ci++)
			;
		o = replay(ci, hexs);
		h_close();
		return o;
	}
	printf("fuzz: seed %llu, %llu frames per configuration\n",
	       (unsigned long long)opt_seed, (unsigned long long)opt_frames);
	for (ci = 0; ci < NCONFS; ci++) {
		if (only && strcmp(only, confs[ci].name))
			continue;
		o = run_conf(ci);
		failed += o;
		passed += (confs[ci].lists ? CK_MAX : CK_MAX - 1) - o;
	}
	h_close();
	printf("\n%d passed, %d failed\n", passed, failed);
	return failed ? 1 : 0;
}
