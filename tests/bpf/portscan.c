// SPDX-License-Identifier: GPL-2.0
/* Packet tests of the port-scan detector (xg-threshold portscan): the
 * packet that reports a source and bans it, a client that opens many
 * connections to one port, the window, and how accurate the detector is
 * for scans of fewer and more ports than asked.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "check.h"

#define PS_PORTS 20

static struct xg_config ps_config(uint32_t ban)
{
	/* SYNs and UDP well within their limits: only the detector acts */
	struct xg_config cfg = one_limit(XG_LIM_SYN, 100000, 100000);

	cfg.limit[XG_LIM_UDP] =
		(struct xg_limit){ .rate = 100000, .burst = 100000 };
	cfg.limit[XG_LIM_NEW + XG_LIM_SYN] =
		(struct xg_limit){ .rate = 1000, .burst = 1000 };
	cfg.limit[XG_LIM_NEW + XG_LIM_UDP] =
		(struct xg_limit){ .rate = 1000, .burst = 1000 };
	cfg.limit[XG_LIM_MONITOR] =
		(struct xg_limit){ .rate = 100, .burst = 100 };
	cfg.ps_ports = PS_PORTS;
	cfg.ps_window_s = 60;
	cfg.ps_bits = xg_ps_bits(PS_PORTS);
	cfg.ps_ban_secs = ban;
	return cfg;
}

static void syn_to(struct frame *f, const char *src, uint16_t port)
{
	BUILD(f, FRAME(.ip = 4, .proto = IPPROTO_TCP, .src = src, .ports = 1,
		       .sport = 40000, .dport = port));
}

/* The index of the port in @ports[0..n) whose packet sets the ps_bits-th
 * bit: the packet the program reports; -1 if none does.
 */
static int detect_at(const uint16_t *ports, int n, uint32_t need)
{
	uint64_t bits = 0;
	int i;

	for (i = 0; i < n; i++) {
		uint64_t bit = 1ULL << (xg_ps_bit(ports[i]) & 63);

		if (bits & bit)
			continue;
		bits |= bit;
		if ((uint32_t)__builtin_popcountll(bits) == need)
			return i;
	}
	return -1;
}

/* A scan of ports 1000, 1001, ...: passed up to the packet that reports
 * it, one port-scan event, then the ban drops the source.
 */
static void f_scan(void)
{
	const char *name = "portscan: the scan is reported and banned";
	struct xg_config cfg = ps_config(60);
	uint16_t ports[200];
	struct xg_event ev[4];
	struct frame f;
	int i, at, ok, n;

	for (i = 0; i < 200; i++)
		ports[i] = 1000 + i;
	at = detect_at(ports, 200, cfg.ps_bits);
	ok = at >= 0 && !setup_limits(name, &cfg);
	for (i = 0; ok && i <= at; i++) {
		syn_to(&f, "198.18.0.9", ports[i]);
		ok = !send_expect(name, &f, 1, XG_C_TCP, XG_R_PASS);
	}
	syn_to(&f, "198.18.0.9", ports[at + 1]);
	ok = ok && !send_expect(name, &f, 2, XG_C_TCP, XG_R_AUTOBAN);
	n = ok ? h_events(ev, 4) : 0;
	if (ok && (n != 1 || ev[0].type != XG_EVT_PORTSCAN ||
		   ev[0].dport != ports[at])) {
		fail(name,
		     "%d events (type %u dport %u), want 1 port-scan "
		     "event for port %u",
		     n, n ? ev[0].type : 0, n ? ev[0].dport : 0, ports[at]);
		ok = 0;
	}
	printf("# portscan: %d ports, %u bits: reported at the %dth "
	       "distinct port\n",
	       PS_PORTS, cfg.ps_bits, at + 1);
	record(ok);
}

/* 1,000 connections to one port set one bit: never a scan. */
static void f_one_port(void)
{
	const char *name = "portscan: 1000 SYNs to one port are no scan";
	struct xg_config cfg = ps_config(60);
	struct frame f;

	syn_to(&f, "198.18.0.10", 443);
	record(!setup_limits(name, &cfg) &&
	       !send_expect(name, &f, 1000, XG_C_TCP, XG_R_PASS) &&
	       h_events(NULL, 0) == 0);
}

/* Ports spread over two windows count in neither. */
static void f_window(void)
{
	const char *name = "portscan: a window closes, its ports are forgotten";
	struct xg_config cfg = ps_config(60);
	uint16_t ports[200];
	struct frame f;
	int i, at, ok;

	for (i = 0; i < 200; i++)
		ports[i] = 2000 + i;
	at = detect_at(ports, 200, cfg.ps_bits);
	ok = at > 2 && !setup_limits(name, &cfg);
	for (i = 0; ok && i < at; i++) {
		if (i == at / 2)
			h_advance(61 * XG_NSEC_PER_SEC);
		syn_to(&f, "198.18.0.11", ports[i]);
		ok = !send_expect(name, &f, 1, XG_C_TCP, XG_R_PASS);
	}
	syn_to(&f, "198.18.0.11", ports[at]);
	ok = ok && !send_expect(name, &f, 3, XG_C_TCP, XG_R_PASS);
	record(ok);
}

static uint32_t rnd(uint64_t *s)
{
	*s = *s * 6364136223846793005ULL + 1442695040888963407ULL;
	return *s >> 33;
}

/* The detector's accuracy, on its own arithmetic (the hash and the
 * threshold the program uses): the share of scans of k distinct random
 * ports it reports. Half as many ports as asked: almost never; twice as
 * many: almost always.
 */
static void f_accuracy(void)
{
	const char *name = "portscan: accuracy of 20 ports by scans of k ports";
	static const int ks[] = { 10, 15, 20, 25, 30, 40 };
	uint32_t need = xg_ps_bits(PS_PORTS);
	double share[ARRAY_SIZE(ks)];
	uint64_t seed = 1;
	uint16_t ports[64];
	size_t i;
	int t, j, hit;

	for (i = 0; i < ARRAY_SIZE(ks); i++) {
		for (t = 0, hit = 0; t < 10000; t++) {
			for (j = 0; j < ks[i]; j++) {
				int fresh;

				do {
					int m;

					ports[j] = rnd(&seed);
					fresh = 1;
					for (m = 0; m < j; m++)
						fresh &= ports[m] != ports[j];
				} while (!fresh);
			}
			hit += detect_at(ports, ks[i], need) >= 0;
		}
		share[i] = hit / 100.0;
		printf("# portscan accuracy: %d ports asked, a scan of %d "
		       "distinct ports is reported %.1f%% of the time\n",
		       PS_PORTS, ks[i], share[i]);
	}
	if (share[0] > 1.0 || share[ARRAY_SIZE(ks) - 1] < 99.0)
		fail(name, "scans of %d ports reported %.1f%%, of %d %.1f%%",
		     ks[0], share[0], ks[ARRAY_SIZE(ks) - 1],
		     share[ARRAY_SIZE(ks) - 1]);
	record(share[0] <= 1.0 && share[ARRAY_SIZE(ks) - 1] >= 99.0);
}

void run_portscan(void)
{
	f_scan();
	f_one_port();
	f_window();
	f_accuracy();
	h_reset(0);
}
