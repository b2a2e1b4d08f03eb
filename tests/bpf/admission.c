// SPDX-License-Identifier: GPL-2.0
/* Packet tests of admission: the budget of new sources per class, the
 * global ceiling the refused ones share, probation, the windows of
 * xg_admit, and a flood of a million spoofed sources against known
 * clients.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

/* Spoofed sources: 198.18.0.0/15 from its first address on. */
#define SPOOF4 0xc6120001U
#define KNOWN4 "198.19.255.250"

static const char *const lim_names[XG_LIM_SRC] = { "syn", "udp", "icmp",
						   "frag" };
static const int lim_class[XG_LIM_SRC] = { XG_C_TCP, XG_C_UDP, XG_C_ICMP,
					   XG_C_UDP };

/* A frame of limit @k's class (a fragment: a later one of UDP). */
static const struct frame_spec class_frames[XG_LIM_SRC] = {
	[XG_LIM_SYN] = B4_TCP,
	[XG_LIM_UDP] = B4_UDP,
	[XG_LIM_ICMP] = B4_ICMP,
	[XG_LIM_FRAG] =
		FRAME(.ip = 4, .proto = IPPROTO_UDP, .frag = 100, .payload = 8),
};

static void class_frame(struct frame *f, int k, const char *src)
{
	struct frame_spec s = class_frames[k];

	s.src = src;
	build_frame(f, &s);
}

/* @n frames of limit @k, one from each spoofed source from @first on;
 * 0 if each got @reason.
 */
static int spoofed(const char *name, int k, int first, int n, int reason)
{
	struct frame f;
	char src[INET_ADDRSTRLEN];
	struct in_addr a;
	int i;

	for (i = first; i < first + n; i++) {
		a.s_addr = htonl(SPOOF4 + i);
		inet_ntop(AF_INET, &a, src, sizeof(src));
		class_frame(&f, k, src);
		if (send_expect(name, &f, 1, lim_class[k], reason))
			return -1;
	}
	return 0;
}

static int known(const char *name, int k, int n, int reason)
{
	struct frame f;

	class_frame(&f, k, KNOWN4);
	return send_expect(name, &f, n, lim_class[k], reason);
}

/* Class @k's admission counts, summed over CPUs, are as given. */
static int admit_is(const char *name, int k, uint64_t admitted,
		    uint64_t refused)
{
	struct xg_admit_class a;

	if (h_admit(k, &a)) {
		fail(name, "cannot read xg_admit");
		return -1;
	}
	if (a.admitted == admitted && a.refused == refused)
		return 0;
	fail(name, "%s admitted %llu refused %llu, want %llu %llu",
	     lim_names[k], (unsigned long long)a.admitted,
	     (unsigned long long)a.refused, (unsigned long long)admitted,
	     (unsigned long long)refused);
	return -1;
}

/* Per-source limit @k, its budget of new sources and its ceiling. */
static struct xg_config admit_config(int k, struct xg_limit src,
				     struct xg_limit budget,
				     struct xg_limit ceil)
{
	struct xg_config cfg;

	h_config_off(&cfg);
	cfg.limit[k] = src;
	cfg.limit[XG_LIM_NEW + k] = budget;
	cfg.limit[XG_LIM_GLOBAL + k] = ceil;
	return cfg;
}

#define LIM(r, b) ((struct xg_limit){ .rate = (r), .burst = (b) })

/* In every limited class: a budget of 4 new sources, a ceiling of 8
 * packets of the others, then drops; the known source, tracked 5 s
 * before the flood, meets only its own limit, and nothing refused enters
 * the tracker.
 */
static void f_admission(void)
{
	char name[96];
	struct xg_admit_class a;
	int k, j, ok;

	for (k = 0; k < XG_LIM_SRC; k++) {
		struct xg_config cfg =
			admit_config(k, LIM(100, 100), LIM(1, 4), LIM(1, 8));

		snprintf(name, sizeof(name),
			 "admission %s: budget, ceiling, known source kept",
			 lim_names[k]);
		ok = !setup_limits(name, &cfg) &&
		     !known(name, k, 1, XG_R_PASS) &&
		     (h_advance(5 * XG_NSEC_PER_SEC), 1) &&
		     !spoofed(name, k, 0, 4, XG_R_PASS) && !track_is(name, 5) &&
		     !spoofed(name, k, 4, 8, XG_R_PASS) &&
		     !spoofed(name, k, 12, 50, XG_R_SYN_GLOBAL + k) &&
		     !track_is(name, 5) && !known(name, k, 20, XG_R_PASS) &&
		     !admit_is(name, k, 5, 58) && !h_admit(k, &a);
		if (ok && (a.win_admitted != 4 || a.win_refused != 58 ||
			   a.since_ns != h_boot_ns() ||
			   a.last_refused_ns != h_boot_ns())) {
			fail(name,
			     "window %u/%u, since %llu, last %llu; want 4/58 "
			     "and now (%llu)",
			     a.win_admitted, a.win_refused,
			     (unsigned long long)a.since_ns,
			     (unsigned long long)a.last_refused_ns,
			     (unsigned long long)h_boot_ns());
			ok = 0;
		}
		for (j = 0; ok && j < XG_LIM_SRC; j++)
			if (j != k)
				ok = !admit_is(name, j, 0, 0);
		record(ok);
	}
}

/* The budget and the ceiling refill at their rates; the windows give
 * the last second, and an attack starts anew after a quiet spell.
 */
static void f_admission_refill(void)
{
	const char *name = "admission: budget and ceiling refill, windows";
	const char *quiet = "admission: an attack ends after a quiet spell";
	struct xg_config cfg =
		admit_config(XG_LIM_UDP, LIM(100, 100), LIM(1, 1), LIM(1, 1));
	struct xg_admit_class a;
	uint64_t t0;
	int ok;

	ok = !setup_limits(name, &cfg) &&
	     !spoofed(name, XG_LIM_UDP, 0, 1, XG_R_PASS) &&
	     !spoofed(name, XG_LIM_UDP, 1, 1, XG_R_PASS) &&
	     !spoofed(name, XG_LIM_UDP, 2, 1, XG_R_UDP_GLOBAL);
	t0 = h_boot_ns();
	h_advance(XG_NSEC_PER_SEC);
	/* admitted on probation: it takes the ceiling's token as well */
	ok = ok && !spoofed(name, XG_LIM_UDP, 3, 1, XG_R_PASS) &&
	     !spoofed(name, XG_LIM_UDP, 4, 1, XG_R_UDP_GLOBAL) &&
	     !spoofed(name, XG_LIM_UDP, 5, 1, XG_R_UDP_GLOBAL) &&
	     !track_is(name, 2) && !admit_is(name, XG_LIM_UDP, 2, 4) &&
	     !h_admit(XG_LIM_UDP, &a);
	if (ok &&
	    (a.last_admitted != 1 || a.last_refused != 2 ||
	     a.win_admitted != 1 || a.win_refused != 2 || a.since_ns != t0)) {
		fail(name,
		     "last %u/%u, window %u/%u, since %llu; want 1/2, 1/2, "
		     "%llu",
		     a.last_admitted, a.last_refused, a.win_admitted,
		     a.win_refused, (unsigned long long)a.since_ns,
		     (unsigned long long)t0);
		ok = 0;
	}
	record(ok);

	h_advance(XG_ATTACK_QUIET_NS + XG_NSEC_PER_SEC);
	ok = !spoofed(quiet, XG_LIM_UDP, 6, 1, XG_R_PASS) &&
	     !spoofed(quiet, XG_LIM_UDP, 7, 1, XG_R_UDP_GLOBAL) &&
	     !h_admit(XG_LIM_UDP, &a);
	if (ok && (a.since_ns != h_boot_ns() || a.last_admitted != 0 ||
		   a.last_refused != 0)) {
		fail(quiet, "since %llu, last %u/%u; want %llu, 0/0",
		     (unsigned long long)a.since_ns, a.last_admitted,
		     a.last_refused, (unsigned long long)h_boot_ns());
		ok = 0;
	}
	record(ok);
}

/* A source the budget admitted while it refused others (or within its
 * burst before) shares the ceiling with the refused ones; a source known
 * from before does not; 60 s without a refusal end the probation.
 */
static void f_probation(void)
{
	const char *name = "probation: sources admitted in an attack share "
			   "the ceiling";
	const char *end = "probation: ends 60 s after the last refusal";
	struct xg_config cfg =
		admit_config(XG_LIM_UDP, LIM(100, 100), LIM(1, 1), LIM(1, 2));
	struct frame f2;
	int ok;

	class_frame(&f2, XG_LIM_UDP, "198.18.0.3"); /* spoofed source 2 */
	ok = !setup_limits(name, &cfg) &&
	     !known(name, XG_LIM_UDP, 1, XG_R_PASS);
	h_advance(5 * XG_NSEC_PER_SEC);
	ok = ok && !spoofed(name, XG_LIM_UDP, 0, 1, XG_R_PASS) &&
	     !spoofed(name, XG_LIM_UDP, 1, 1, XG_R_PASS);
	h_advance(XG_NSEC_PER_SEC);
	ok = ok && !send_expect(name, &f2, 2, XG_C_UDP, XG_R_PASS) &&
	     !send_expect(name, &f2, 1, XG_C_UDP, XG_R_UDP_GLOBAL) &&
	     /* admitted just before the first refusal, in the burst */
	     !spoofed(name, XG_LIM_UDP, 0, 1, XG_R_UDP_GLOBAL) &&
	     !known(name, XG_LIM_UDP, 5, XG_R_PASS) && !track_is(name, 3);
	record(ok);
	h_advance(XG_PROBATION_QUIET_NS + XG_NSEC_PER_SEC);
	record(ok && !send_expect(end, &f2, 5, XG_C_UDP, XG_R_PASS) &&
	       !spoofed(end, XG_LIM_UDP, 0, 5, XG_R_PASS));
}

/* A source tracked from before an attack takes no token of the ceiling,
 * and its own limit, not the ceiling, drops it: with the ceiling empty it
 * still passes within its rate.
 */
static void f_ceiling_tracked(void)
{
	const char *name = "ceiling: a known source takes no token";
	struct xg_config cfg =
		admit_config(XG_LIM_SYN, LIM(2, 2), LIM(1, 1), LIM(1, 1));
	int ok;

	ok = !setup_limits(name, &cfg) &&
	     !known(name, XG_LIM_SYN, 1, XG_R_PASS);
	h_advance(5 * XG_NSEC_PER_SEC);
	ok = ok && !spoofed(name, XG_LIM_SYN, 0, 1, XG_R_PASS) &&
	     !spoofed(name, XG_LIM_SYN, 1, 1, XG_R_PASS) &&
	     !spoofed(name, XG_LIM_SYN, 2, 1, XG_R_SYN_GLOBAL) &&
	     !known(name, XG_LIM_SYN, 2, XG_R_PASS) &&
	     !known(name, XG_LIM_SYN, 1, XG_R_RATE_SYN);
	/* half a second: one token of its own, none of budget or ceiling */
	h_advance(XG_NSEC_PER_SEC / 2);
	record(ok && !known(name, XG_LIM_SYN, 1, XG_R_PASS) &&
	       !spoofed(name, XG_LIM_SYN, 3, 1, XG_R_SYN_GLOBAL) &&
	       !track_is(name, 2));
}

/* The settings that switch parts off. */
static void f_admission_off(void)
{
	const char *nosrc = "ceiling: without a per-source limit, every packet";
	const char *nobudget = "admission: budget off admits every source";
	const char *noceil = "admission: ceiling off passes the refused";
	struct xg_config cfg;

	cfg = admit_config(XG_LIM_SYN, LIM(0, 0), LIM(1, 1), LIM(1, 3));
	record(!setup_limits(nosrc, &cfg) &&
	       !spoofed(nosrc, XG_LIM_SYN, 0, 3, XG_R_PASS) &&
	       !spoofed(nosrc, XG_LIM_SYN, 3, 2, XG_R_SYN_GLOBAL) &&
	       !known(nosrc, XG_LIM_SYN, 1, XG_R_SYN_GLOBAL) &&
	       !track_is(nosrc, 0) && !admit_is(nosrc, XG_LIM_SYN, 0, 0));

	cfg = admit_config(XG_LIM_UDP, LIM(1, 1), LIM(0, 0), LIM(1, 1));
	record(!setup_limits(nobudget, &cfg) &&
	       !spoofed(nobudget, XG_LIM_UDP, 0, 20, XG_R_PASS) &&
	       !track_is(nobudget, 20) &&
	       !admit_is(nobudget, XG_LIM_UDP, 20, 0));

	cfg = admit_config(XG_LIM_UDP, LIM(1, 1), LIM(1, 1), LIM(0, 0));
	record(!setup_limits(noceil, &cfg) &&
	       !spoofed(noceil, XG_LIM_UDP, 0, 20, XG_R_PASS) &&
	       !track_is(noceil, 1) && !admit_is(noceil, XG_LIM_UDP, 1, 19));
}

/* Spoofed IPv6 sources, one /64 each: 2001:db8:XXXX:YYYY::1. */
static void spoof6_frame(struct frame *f, uint32_t i)
{
	uint32_t be = htonl(i);

	memcpy(f->buf + 14 + 8 + 4, &be, sizeof(be));
}

/* The sum of every reason of @class between two reads. */
static uint64_t moved(const struct xg_counter *a, const struct xg_counter *b,
		      int class, int reason)
{
	int i = XG_STATS_KEY(0, class, reason);

	return b[i].packets - a[i].packets;
}

/* XG_TEST_FLOOD spoofed UDP sources (default 1,048,576), one packet
 * each, over 10 s of the test clock, against 1,000 known clients tracked
 * 2 s before it: every known client is still tracked and served after,
 * the tracker grew by what the budget let in during the flood and
 * nothing more, the sources admitted once the budget refused others
 * shared the ceiling with the refused ones, and the verdicts add up.
 */
static void f_admission_flood(void)
{
	const char *name = "admission: a million spoofed sources evict no one";
	static struct xg_counter c0[XG_STATS_SLOTS], c1[XG_STATS_SLOTS];
	struct xg_config cfg = admit_config(XG_LIM_UDP, LIM(10, 10),
					    LIM(1000, 1000), LIM(1000, 1000));
	const char *env = getenv("XG_TEST_FLOOD");
	uint32_t n = env ? (uint32_t)strtoul(env, NULL, 0) : 1U << 20;
	uint64_t step = 10 * XG_NSEC_PER_SEC / n, pass, drop, admitted;
	uint64_t want_new = n * step / 1000000; /* 1 ms a token */
	struct xg_admit_class a;
	struct frame f;
	char src[INET_ADDRSTRLEN];
	struct in_addr in;
	uint32_t i;
	int ok;

	ok = !setup_limits(name, &cfg);
	for (i = 0; ok && i < 1000; i++) {
		in.s_addr = htonl(SPOOF4 + 100000 + i);
		inet_ntop(AF_INET, &in, src, sizeof(src));
		class_frame(&f, XG_LIM_UDP, src);
		ok = h_run(&f, f.len) == XDP_PASS;
	}
	ok = ok && !track_is(name, 1000) && !h_read_stats(c0);
	/* known for longer than the budget's burst takes to refill */
	h_advance(2 * XG_NSEC_PER_SEC);
	BUILD(&f, B6_UDP);
	for (i = 0; ok && i < n; i++) {
		spoof6_frame(&f, i);
		h_advance(step);
		ok = h_run(&f, f.len) >= 0;
	}
	ok = ok && !h_read_stats(c1) && !h_admit(XG_LIM_UDP, &a);
	if (!ok) {
		fail(name, "cannot run the flood");
		record(0);
		return;
	}
	pass = moved(c0, c1, XG_C_UDP, XG_R_PASS);
	drop = moved(c0, c1, XG_C_UDP, XG_R_UDP_GLOBAL);
	admitted = a.admitted - 1000;
	/* The budget's burst (1,000) admits the flood's first sources,
	 * before any refusal; then budget and ceiling each give 1,000 a
	 * second, about want_new in 10 s, and the ceiling's burst of 1,000:
	 * the sources admitted after that share the ceiling's tokens.
	 */
	if (pass + drop != n || a.refused != n - admitted ||
	    admitted + 1 < want_new + 1000 || admitted > want_new + 1001 ||
	    pass + 1 < want_new + 2000 || pass > want_new + 2001 ||
	    h_track_count() != (int)(1000 + admitted)) {
		fail(name,
		     "%u sent: %llu passed, %llu dropped, %llu admitted, %llu "
		     "refused, %d tracked; want ~%llu admitted, ~%llu "
		     "passed",
		     n, (unsigned long long)pass, (unsigned long long)drop,
		     (unsigned long long)admitted,
		     (unsigned long long)a.refused, h_track_count(),
		     (unsigned long long)want_new + 1000,
		     (unsigned long long)want_new + 2000);
		record(0);
		return;
	}
	for (i = 0; ok && i < 1000; i++) {
		in.s_addr = htonl(SPOOF4 + 100000 + i);
		inet_ntop(AF_INET, &in, src, sizeof(src));
		class_frame(&f, XG_LIM_UDP, src);
		ok = !send_expect(name, &f, 1, XG_C_UDP, XG_R_PASS);
	}
	record(ok && !track_is(name, (int)(1000 + admitted)));
}

void run_admission(void)
{
	f_admission();
	f_admission_refill();
	f_ceiling_tracked();
	f_probation();
	f_admission_off();
	f_admission_flood();
}
