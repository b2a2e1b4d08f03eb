// SPDX-License-Identifier: GPL-2.0
/* Packet tests of what the program reports: counters per interface slot
 * (copies of the program, as xg-load attaches one per interface), drop
 * events field by field and their budget, and the per-source windows
 * behind xg-stats --top.
 */
#include <arpa/inet.h>
#include <string.h>

#include "check.h"

/* ---- counter slots per interface ----------------------------------------- */

/* Two more copies of the program over the same maps, as xg-load attaches
 * one per interface: slot 7 and the last slot.
 */
#define COPY_SLOT 7
static int copy7, copy_last;

static int load_copies(void)
{
	copy7 = h_load_copy(COPY_SLOT);
	copy_last = h_load_copy(XG_MAX_IFACES);
	return copy7 < 0 || copy_last < 0 ? -1 : 0;
}

/* @f on program @copy counts once, under @ifslot and nowhere else. */
static int slot_counts(const char *name, int copy, uint32_t ifslot,
		       const struct frame *f, int class, int reason,
		       int want_verdict)
{
	int verdict, key = run_counted_on(name, copy, f, f->len, &verdict);
	int want = XG_STATS_KEY(ifslot, class, reason);

	if (key < 0)
		return -1;
	if (key != want || verdict != want_verdict) {
		fail(name, "verdict %d counter %d, want %d counter %d", verdict,
		     key, want_verdict, want);
		return -1;
	}
	return 0;
}

static void f_slots(void)
{
	const char *n7 = "slots: a copy with xg_ifslot 7 counts in slot 7 only";
	const char *nlast = "slots: xg_ifslot 32 counts in the last slot only";
	const char *n0 = "slots: the copies share lists, each its own slot";
	struct frame tcp, udp;

	BUILD(&tcp, B4_TCP);
	BUILD(&udp, B4_UDP);
	if (copy7 < 0 || copy_last < 0) {
		fail(n7, "cannot load copies of the program");
		record(0);
		return;
	}
	record(!h_reset(0) && !s_block4() &&
	       !slot_counts(n7, copy7, COPY_SLOT, &tcp, XG_C_TCP,
			    XG_R_BLOCKLISTED, XDP_DROP) &&
	       !slot_counts(n7, copy7, COPY_SLOT, &udp, XG_C_UDP,
			    XG_R_BLOCKLISTED, XDP_DROP));
	record(!h_reset(0) &&
	       !slot_counts(nlast, copy_last, XG_MAX_IFACES, &udp, XG_C_UDP,
			    XG_R_PASS, XDP_PASS) &&
	       !slot_counts(nlast, copy_last, XG_MAX_IFACES, &tcp, XG_C_TCP,
			    XG_R_PASS, XDP_PASS));
	record(!h_reset(0) && !s_block4() &&
	       !slot_counts(n0, 0, 0, &tcp, XG_C_TCP, XG_R_BLOCKLISTED,
			    XDP_DROP) &&
	       !slot_counts(n0, copy7, COPY_SLOT, &tcp, XG_C_TCP,
			    XG_R_BLOCKLISTED, XDP_DROP) &&
	       !slot_counts(n0, copy_last, XG_MAX_IFACES, &tcp, XG_C_TCP,
			    XG_R_BLOCKLISTED, XDP_DROP) &&
	       hits_is(n0, 1, SRC4, 3) == 0);
}

/* ---- drop events --------------------------------------------------------- */

#define EV_ALL ((struct xg_limit){ .rate = 1000000, .burst = 1000000 })
#define EV_FLAGS_46 XG_EV_L3
#define EV_FLAGS_6 (XG_EV_L3 | XG_EV_IPV6)

/* Writes the events budget into the config slot in force. */
static int set_events(struct xg_limit lim)
{
	struct xg_config cfg;

	if (h_read_config(0, &cfg))
		return -1;
	cfg.limit[XG_LIM_EVENTS] = lim;
	return h_write_config(0, &cfg);
}

static int evstats_are(const char *name, uint64_t sent, uint64_t sampled,
		       uint64_t lost)
{
	struct xg_evstats es;

	if (h_evstats(&es)) {
		fail(name, "cannot read xg_evstats");
		return -1;
	}
	if (es.sent == sent && es.sampled == sampled && es.lost == lost)
		return 0;
	fail(name,
	     "evstats sent %llu sampled %llu lost %llu, want %llu %llu "
	     "%llu",
	     (unsigned long long)es.sent, (unsigned long long)es.sampled,
	     (unsigned long long)es.lost, (unsigned long long)sent,
	     (unsigned long long)sampled, (unsigned long long)lost);
	return -1;
}

/* Consumes the ring buffer; 0 if it held exactly @want records. */
static int events_are(const char *name, int want)
{
	int n = h_events(NULL, 0);

	if (n == want)
		return 0;
	fail(name, "%d events in the ring buffer, want %d", n, want);
	return -1;
}

/* The packets counted under @class and @reason in @ifslot: 0 if there
 * are @want.
 */
static int counted_is(const char *name, uint32_t ifslot, int class, int reason,
		      uint64_t want)
{
	static struct xg_counter c[XG_STATS_SLOTS];
	uint64_t got;

	if (h_read_stats(c)) {
		fail(name, "cannot read xg_stats");
		return -1;
	}
	got = c[XG_STATS_KEY(ifslot, class, reason)].packets;
	if (got == want)
		return 0;
	fail(name, "slot %u class %d reason %d counted %llu, want %llu", ifslot,
	     class, reason, (unsigned long long)got, (unsigned long long)want);
	return -1;
}

/* Consumes the ring buffer: 0 if it held one record, of @reason and
 * with @flags.
 */
static int one_event_is(const char *name, int reason, uint8_t flags,
			uint8_t tcp_flags)
{
	struct xg_event ev;
	int n = h_events(&ev, 1);

	if (n != 1) {
		fail(name, "%d events in the ring buffer, want 1", n);
		return -1;
	}
	if (ev.reason == reason && ev.flags == flags &&
	    ev.tcp_flags == tcp_flags)
		return 0;
	fail(name, "event reason %u flags %#x tcp_flags %#x, want %d %#x %#x",
	     ev.reason, ev.flags, ev.tcp_flags, reason, flags, tcp_flags);
	return -1;
}

struct ev_case {
	const char *name;
	struct frame_spec frame;
	int (*setup)(void);
	uint32_t flags; /* xg_config.flags */
	int class;
	int reason;
	uint8_t l4proto;
	uint8_t tcp_flags;
	uint8_t ev_flags;
	uint16_t sport; /* or ICMP type */
	uint16_t dport; /* or ICMP code */
	const char *saddr; /* NULL: no L3, both addresses zero */
	const char *daddr;
};

static const struct ev_case ev_cases[] = {
	{ "event: ipv4 tcp syn, blocklisted", B4_TCP, s_block4, 0, XG_C_TCP,
	  XG_R_BLOCKLISTED, IPPROTO_TCP, TCP_SYN, XG_EV_L3 | XG_EV_PORTS, 40000,
	  80, SRC4, DST4 },
	{ "event: vlan ipv4 tcp, blocklisted", B_VLAN_TCP, s_block4, 0,
	  XG_C_TCP, XG_R_BLOCKLISTED, IPPROTO_TCP, TCP_SYN,
	  XG_EV_L3 | XG_EV_PORTS, 40000, 80, SRC4, DST4 },
	{ "event: ipv4 udp, blocklisted prefix", B4_UDP, s_block4_prefix, 0,
	  XG_C_UDP, XG_R_BLOCKLISTED, IPPROTO_UDP, 0, XG_EV_L3 | XG_EV_PORTS,
	  40000, 53, SRC4, DST4 },
	{ "event: ipv4 icmp echo, automatic ban", B4_ICMP, s_block4_auto, 0,
	  XG_C_ICMP, XG_R_AUTOBAN, IPPROTO_ICMP, 0, XG_EV_L3 | XG_EV_ICMP, 8, 0,
	  SRC4, DST4 },
	{ "event: ipv4 first fragment has ports", B4_FRAG_FIRST, s_block4, 0,
	  XG_C_TCP, XG_R_BLOCKLISTED, IPPROTO_TCP, TCP_SYN,
	  XG_EV_L3 | XG_EV_PORTS, 40000, 80, SRC4, DST4 },
	{ "event: ipv4 later fragment has none", B4_FRAG_LATER, s_block4, 0,
	  XG_C_TCP, XG_R_BLOCKLISTED, IPPROTO_TCP, 0, XG_EV_L3 | XG_EV_FRAG, 0,
	  0, SRC4, DST4 },
	{ "event: ipv6 udp, blocklisted", B6_UDP, s_block6, 0, XG_C_UDP,
	  XG_R_BLOCKLISTED, IPPROTO_UDP, 0, EV_FLAGS_6 | XG_EV_PORTS, 40000, 53,
	  SRC6, DST6 },
	{ "event: ipv6 tcp behind ext headers", B6_CHAIN, s_block6, 0, XG_C_TCP,
	  XG_R_BLOCKLISTED, IPPROTO_TCP, TCP_SYN, EV_FLAGS_6 | XG_EV_PORTS,
	  40000, 80, SRC6, DST6 },
	{ "event: ipv6 icmpv6 echo", B6_ICMP6, s_block6_prefix, 0, XG_C_ICMP,
	  XG_R_BLOCKLISTED, IPPROTO_ICMPV6, 0, EV_FLAGS_6 | XG_EV_ICMP, 128, 0,
	  SRC6, DST6 },
	{ "event: ipv6 automatic ban of a /64", B6_TCP_IN_64,
	  s_block6_prefix_auto, 0, XG_C_TCP, XG_R_AUTOBAN, IPPROTO_TCP, TCP_SYN,
	  EV_FLAGS_6 | XG_EV_PORTS, 40000, 80, "2001:db8::ffff:1", DST6 },
	{ "event: ipv6 later fragment", B6_FRAG_LATER, s_block6, 0, XG_C_TCP,
	  XG_R_BLOCKLISTED, IPPROTO_TCP, 0, EV_FLAGS_6 | XG_EV_FRAG, 0, 0, SRC6,
	  DST6 },
	/* malformed, dropped: what was readable is reported */
	{ "event: malformed tcp (doff 4) keeps its ports", B4_TCP_DOFF4, NULL,
	  DROP_MAL, XG_C_TCP, XG_R_MALFORMED, IPPROTO_TCP, 0,
	  XG_EV_L3 | XG_EV_PORTS, 40000, 80, SRC4, DST4 },
	{ "event: malformed icmpv6 (cut) has no type", B6_ICMP6_CUT, NULL,
	  DROP_MAL, XG_C_ICMP, XG_R_MALFORMED, IPPROTO_ICMPV6, 0,
	  EV_FLAGS_6 | XG_EV_ICMP, 0, 0, SRC6, DST6 },
	{ "event: malformed ipv4 header has no addresses", B4_IHL4, NULL,
	  DROP_MAL, XG_C_OTHER_IP, XG_R_MALFORMED, 0, 0, 0, 0, 0, NULL, NULL },
	{ "event: malformed ipv6 ext chain keeps addresses", B6_EXT_OVERRUN,
	  NULL, DROP_MAL, XG_C_OTHER_IP, XG_R_MALFORMED, 0, 0, EV_FLAGS_6, 0, 0,
	  SRC6, DST6 },
	{ "event: vlan tag cut off, non-ip", B_VLAN_CUT, NULL, DROP_MAL,
	  XG_C_NON_IP, XG_R_MALFORMED, 0, 0, 0, 0, 0, NULL, NULL },
};

/* The record against what the frame holds, field by field. */
static int event_is(const char *name, const struct ev_case *c,
		    const struct xg_event *ev, size_t len, uint64_t t0,
		    uint64_t t1)
{
	uint32_t sa[4] = { 0 }, da[4] = { 0 };
	int v6 = c->ev_flags & XG_EV_IPV6;

	if (c->saddr) {
		inet_pton(v6 ? AF_INET6 : AF_INET, c->saddr, sa);
		inet_pton(v6 ? AF_INET6 : AF_INET, c->daddr, da);
	}
#define EV_CHECK(cond, fmt, ...)                      \
	do {                                          \
		if (!(cond)) {                        \
			fail(name, fmt, __VA_ARGS__); \
			return -1;                    \
		}                                     \
	} while (0)
	EV_CHECK(ev->ts_ns >= t0 && ev->ts_ns <= t1,
		 "ts_ns %llu outside the run (%llu-%llu)",
		 (unsigned long long)ev->ts_ns, (unsigned long long)t0,
		 (unsigned long long)t1);
	EV_CHECK(!memcmp(ev->saddr, sa, 16) && !memcmp(ev->daddr, da, 16),
		 "addresses %08x.. %08x.., want %08x.. %08x..",
		 ntohl(ev->saddr[0]), ntohl(ev->daddr[0]), ntohl(sa[0]),
		 ntohl(da[0]));
	EV_CHECK(ev->ifindex == LO_IFINDEX && ev->len == len &&
			 ev->ifslot == COPY_SLOT,
		 "ifindex %u len %u ifslot %u, want %u %zu %u", ev->ifindex,
		 ev->len, ev->ifslot, LO_IFINDEX, len, COPY_SLOT);
	EV_CHECK(ev->reason == c->reason && ev->class == c->class,
		 "reason %u class %u, want %d %d", ev->reason, ev->class,
		 c->reason, c->class);
	EV_CHECK(ev->l4proto == c->l4proto && ev->tcp_flags == c->tcp_flags &&
			 ev->flags == c->ev_flags,
		 "l4proto %u tcp_flags %#x flags %#x, want %u %#x %#x",
		 ev->l4proto, ev->tcp_flags, ev->flags, c->l4proto,
		 c->tcp_flags, c->ev_flags);
	EV_CHECK(ev->sport == c->sport && ev->dport == c->dport,
		 "sport %u dport %u, want %u %u", ev->sport, ev->dport,
		 c->sport, c->dport);
	EV_CHECK(ev->type == XG_EVT_DROP && !ev->rule && !ev->pad,
		 "type %u rule %u pad %u, want a drop event's 0 0 0", ev->type,
		 ev->rule, ev->pad);
#undef EV_CHECK
	return 0;
}

/* Each frame dropped once on the slot-7 copy, received on lo: one event
 * with every field as the frame has it.
 */
static void f_event_fields(void)
{
	size_t i;

	for (i = 0; i < ARRAY_SIZE(ev_cases); i++) {
		const struct ev_case *c = &ev_cases[i];
		struct frame f;
		struct xg_event ev;
		uint64_t t0, t1;
		int verdict, n;

		build_frame(&f, &c->frame);
		if (h_reset(c->flags) || (c->setup && c->setup()) ||
		    set_events(EV_ALL)) {
			fail(c->name, "cannot set up the maps");
			record(0);
			continue;
		}
		t0 = h_boot_ns();
		verdict = h_run_on(copy7, &f, f.len, LO_IFINDEX);
		t1 = h_boot_ns();
		n = h_events(&ev, 1);
		if (verdict != XDP_DROP || n != 1) {
			fail(c->name, "verdict %d, %d events; want drop, 1",
			     verdict, n);
			record(0);
			continue;
		}
		record(!event_is(c->name, c, &ev, f.len, t0, t1) &&
		       !evstats_are(c->name, 1, 0, 0));
	}
}

/* Rate drops make events under their own reason; what passes makes
 * none, and neither moves xg_evstats.
 */
static void f_event_rates(void)
{
	const char *rate = "events: a rate drop has its reason, a pass none";
	const char *global = "events: a syn over the global ceiling";
	struct xg_config cfg = one_limit(XG_LIM_UDP, 1, 2);
	struct frame udp, syn;

	BUILD(&udp, B4_UDP);
	cfg.limit[XG_LIM_EVENTS] = EV_ALL;
	record(!setup_limits(rate, &cfg) &&
	       !send_expect(rate, &udp, 2, XG_C_UDP, XG_R_PASS) &&
	       !events_are(rate, 0) && !evstats_are(rate, 0, 0, 0) &&
	       !send_expect(rate, &udp, 1, XG_C_UDP, XG_R_RATE_UDP) &&
	       !one_event_is(rate, XG_R_RATE_UDP, XG_EV_L3 | XG_EV_PORTS, 0) &&
	       !evstats_are(rate, 1, 0, 0));

	h_config_off(&cfg);
	cfg.limit[XG_LIM_SYN_GLOBAL] =
		(struct xg_limit){ .rate = 1, .burst = 1 };
	cfg.limit[XG_LIM_EVENTS] = EV_ALL;
	BUILD(&syn, FRAME(.ip = 4, .proto = IPPROTO_TCP, .src = "198.18.3.3"));
	record(!setup_limits(global, &cfg) &&
	       !send_expect(global, &syn, 1, XG_C_TCP, XG_R_PASS) &&
	       !send_expect(global, &syn, 1, XG_C_TCP, XG_R_SYN_GLOBAL) &&
	       !one_event_is(global, XG_R_SYN_GLOBAL, XG_EV_L3 | XG_EV_PORTS,
			     TCP_SYN) &&
	       !evstats_are(global, 1, 0, 0));
}

#define BUDGET_BURST 5
#define BUDGET_DROPS 20

/* Rate 1/s: no token comes back while the case runs, so the burst is
 * what goes out, on whichever program copy the drops happen.
 */
static void f_event_budget(void)
{
	const char *name = "events: rate 1 burst 5 sends 5, samples the rest";
	const char *off = "events: off (rate 0) makes none, counts none";
	struct frame f;
	int i, ok;

	BUILD(&f, B4_TCP);
	ok = !h_reset(0) && !s_block4() &&
	     !set_events(
		     (struct xg_limit){ .rate = 1, .burst = BUDGET_BURST }) &&
	     h_run_n(&f, BUDGET_DROPS / 2) == XDP_DROP;
	for (i = 0; ok && i < BUDGET_DROPS / 2; i++)
		ok = h_run_on(copy7, &f, f.len, 0) == XDP_DROP;
	if (!ok)
		fail(name, "cannot set up or run");
	record(ok &&
	       !counted_is(name, 0, XG_C_TCP, XG_R_BLOCKLISTED,
			   BUDGET_DROPS / 2) &&
	       !counted_is(name, COPY_SLOT, XG_C_TCP, XG_R_BLOCKLISTED,
			   BUDGET_DROPS / 2) &&
	       !evstats_are(name, BUDGET_BURST, BUDGET_DROPS - BUDGET_BURST,
			    0) &&
	       !events_are(name, BUDGET_BURST));

	record(!h_reset(0) && !s_block4() && !set_events((struct xg_limit){}) &&
	       h_run_n(&f, BUDGET_DROPS) == XDP_DROP &&
	       !counted_is(off, 0, XG_C_TCP, XG_R_BLOCKLISTED, BUDGET_DROPS) &&
	       !evstats_are(off, 0, 0, 0) && !events_are(off, 0));
}

/* After a miss a CPU counts its next drops as sampled without looking
 * at the budget, twice as many after each miss in a row, up to 63; once
 * the budget has a token again, an attempt finds it within 64 drops.
 */
static void f_event_skip(void)
{
	const char *name = "events: after a miss a CPU skips, up to 63 drops";
	const char *refill = "events: a refilled budget is found in 64 drops";
	struct xg_evstats es;
	struct frame f;
	int ok;

	BUILD(&f, B4_TCP);
	ok = !h_reset(0) && !s_block4() &&
	     !set_events((struct xg_limit){ .rate = 1, .burst = 1 }) &&
	     h_run_n(&f, 1000) == XDP_DROP && !h_evstats(&es);
	if (ok && es.backoff != XG_EV_SKIP_MAX) {
		fail(name, "backoff %u, want %u", es.backoff, XG_EV_SKIP_MAX);
		ok = 0;
	}
	record(ok && !evstats_are(name, 1, 999, 0) && !events_are(name, 1));

	h_advance(XG_NSEC_PER_SEC);
	ok = h_run_n(&f, XG_EV_SKIP_MAX + 1) == XDP_DROP && !h_evstats(&es);
	record(ok && !evstats_are(refill, 2, 999 + XG_EV_SKIP_MAX, 0) &&
	       !events_are(refill, 1));
}

/* With no consumer the ring buffer fills: each record takes its header
 * and the 64-byte event, and what does not fit is lost, not sampled.
 */
static void f_event_lost(void)
{
	const char *name = "events: a full ring buffer counts lost";
	uint64_t fit = XG_EVENTS_BYTES /
		       (BPF_RINGBUF_HDR_SZ + sizeof(struct xg_event));
	uint64_t drops = fit + 100;
	struct frame f;

	BUILD(&f, B4_TCP);
	record(!h_reset(0) && !s_block4() && !set_events(EV_ALL) &&
	       h_run_n(&f, drops) == XDP_DROP &&
	       !counted_is(name, 0, XG_C_TCP, XG_R_BLOCKLISTED, drops) &&
	       !evstats_are(name, fit, 0, drops - fit) &&
	       !events_are(name, fit) && h_run(&f, f.len) == XDP_DROP &&
	       !evstats_are(name, fit + 1, 0, drops - fit) &&
	       !events_are(name, 1));
}

/* ---- per-source windows (xg-stats --top) --------------------------------- */

static struct xg_in6 v4_key(const char *src)
{
	struct xg_in6 key = { { 0, 0, htonl(0xffff), 0 } };

	inet_pton(AF_INET, src, &key.addr[3]);
	return key;
}

/* A source whose UDP bucket is empty for an hour, with a window that
 * started @age_ms ago and counted over[] = {1, 2, 3, 4}.
 */
static int put_window(const char *src, uint64_t age_ms, uint32_t last)
{
	struct xg_in6 key = v4_key(src);
	uint64_t now = h_boot_ns();
	struct xg_src s = { .win_start = now - age_ms * 1000000,
			    .over = { 1, 2, 3, 4 },
			    .last_over = last };

	s.tat[XG_LIM_UDP] = now + 3600 * XG_NSEC_PER_SEC;
	return h_track_update(&key, &s);
}

static int window_is(const char *name, const char *src, uint64_t t0,
		     const uint32_t over[XG_LIM_SRC], uint32_t last)
{
	struct xg_in6 key = v4_key(src);
	struct xg_src s;

	if (h_track_lookup(&key, &s)) {
		fail(name, "%s is not tracked", src);
		return -1;
	}
	if (memcmp(s.over, over, sizeof(s.over)) || s.last_over != last ||
	    s.win_start < t0 || s.win_start > h_boot_ns() || s.strikes) {
		fail(name,
		     "over %u %u %u %u last_over %u strikes %u, window "
		     "%lld ms old; want over %u %u %u %u last_over %u",
		     s.over[0], s.over[1], s.over[2], s.over[3], s.last_over,
		     s.strikes,
		     (long long)(h_boot_ns() - s.win_start) / 1000000, over[0],
		     over[1], over[2], over[3], last);
		return -1;
	}
	return 0;
}

/* Bans off: the windows are kept all the same, and nobody is banned. */
static void f_windows(void)
{
	const char *count = "window: rate drops count in over[], bans off";
	const char *next = "window: closing the window before sets last_over";
	const char *stale = "window: a window with a quiet second after: 0";
	static const uint32_t udp3[XG_LIM_SRC] = { [XG_LIM_UDP] = 3 };
	static const uint32_t udp1[XG_LIM_SRC] = { [XG_LIM_UDP] = 1 };
	struct xg_config cfg = one_limit(XG_LIM_UDP, 1, 2);
	uint64_t t0 = h_boot_ns();

	record(!setup_limits(count, &cfg) &&
	       !udp_from(count, "198.18.0.1", 2, XG_R_PASS) &&
	       !udp_from(count, "198.18.0.1", 3, XG_R_RATE_UDP) &&
	       !window_is(count, "198.18.0.1", t0, udp3, 0) &&
	       hits_is(count, 1, "198.18.0.1", -1) == 0);

	t0 = h_boot_ns();
	record(!setup_limits(next, &cfg) &&
	       !put_window("198.18.0.2", 1500, 9) &&
	       !udp_from(next, "198.18.0.2", 1, XG_R_RATE_UDP) &&
	       !window_is(next, "198.18.0.2", t0, udp1, 1 + 2 + 3 + 4));

	t0 = h_boot_ns();
	record(!setup_limits(stale, &cfg) &&
	       !put_window("198.18.0.3", 2500, 9) &&
	       !udp_from(stale, "198.18.0.3", 1, XG_R_RATE_UDP) &&
	       !window_is(stale, "198.18.0.3", t0, udp1, 0));
}

/* Beyond XG_OVER_EXACT drops a window, one in XG_OVER_SAMPLE adds
 * XG_OVER_SAMPLE: the count moves in steps of XG_OVER_SAMPLE and stays
 * near the drops sent (7 standard deviations either side); counted one
 * by one they would not be a multiple of XG_OVER_SAMPLE.
 */
static void f_windows_sampled(void)
{
	const char *name = "window: over XG_OVER_EXACT drops are sampled";
	struct xg_config cfg = one_limit(XG_LIM_UDP, 1, 2);
	struct xg_in6 key = v4_key("198.18.0.4");
	uint32_t n = 3203, got, steps, lo, hi;
	uint64_t now = h_boot_ns();
	struct xg_src s = { .win_start = now };
	int ok;

	s.tat[XG_LIM_UDP] = now + 3600 * XG_NSEC_PER_SEC;
	s.over[XG_LIM_UDP] = XG_OVER_EXACT - 10;
	lo = n / XG_OVER_SAMPLE - 7 * 14;
	hi = n / XG_OVER_SAMPLE + 7 * 14;
	ok = !setup_limits(name, &cfg) && !h_track_update(&key, &s) &&
	     !udp_from(name, "198.18.0.4", 10 + n, XG_R_RATE_UDP) &&
	     !h_track_lookup(&key, &s);
	if (ok) {
		got = s.over[XG_LIM_UDP];
		steps = (got - XG_OVER_EXACT) / XG_OVER_SAMPLE;
		ok = got >= XG_OVER_EXACT &&
		     (got - XG_OVER_EXACT) % XG_OVER_SAMPLE == 0 &&
		     steps >= lo && steps <= hi;
		if (!ok)
			fail(name,
			     "over %u after %u drops, want %u + %u x [%u, %u]",
			     got, XG_OVER_EXACT + n, XG_OVER_EXACT,
			     XG_OVER_SAMPLE, lo, hi);
	}
	record(ok);
}

void run_observability(void)
{
	if (load_copies())
		fail("load copies",
		     "cannot load the program with xg_ifslot set");
	f_slots();
	f_event_fields();
	f_event_rates();
	f_event_budget();
	f_event_lost();
	f_event_skip();
	f_windows();
	f_windows_sampled();
}
