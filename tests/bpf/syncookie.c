// SPDX-License-Identifier: GPL-2.0
/* Packet tests of the SYN cookie step (xg-threshold syn-cookies): the
 * SYN-ACK the program makes, byte by byte with both checksums computed
 * here; the kernel's verdict on its ACK (bpf_tcp_check_syncookie() is the
 * kernel's own check) and on a forged one; the modes, the sysctl each
 * needs, and what the step leaves to the limits.
 *
 * The helpers find listeners in the namespace of the test run, so these
 * run in a child in a network namespace of its own, with listeners on
 * 127.0.0.1 and ::1 and its own tcp_syncookies: the host's sysctl is
 * never touched. The child stays on one CPU: auto checks ACKs only on a
 * CPU that sent a cookie, and the counters are per CPU.
 */
#include <errno.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "check.h"

#define SC_PORT H_SC_PORT /* a listener, mode on or auto */
#define SC_DEAD 8081 /* mode on, no listener */
#define SC_OFF H_SC_PORT_OFF /* a listener, mode off */
#define SC_MSS 1460
#define SC_SEQ 0x11223344U
#define CLIENT4 "198.18.0.1"
#define CLIENT6 "2001:db8::1"

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | p[1] << 16 | p[2] << 8 | p[3];
}

static uint16_t get16(const uint8_t *p)
{
	return p[0] << 8 | p[1];
}

static void set32(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

/* RFC 1071, 16-bit words in network order: 0xffff over data whose
 * checksum is right.
 */
static uint32_t sum16(const uint8_t *p, size_t n, uint32_t sum)
{
	size_t i;

	for (i = 0; i + 1 < n; i += 2)
		sum += get16(p + i);
	if (n & 1)
		sum += p[n - 1] << 8;
	return sum;
}

static uint16_t fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return sum;
}

/* A segment from the client to @port: doff 6 with an MSS option for a
 * SYN, @ack and no payload for an ACK.
 */
static void segment(struct frame *f, int v6, uint16_t port, uint8_t flags,
		    uint32_t seq, uint32_t ack, int doff, uint16_t vlan)
{
	struct frame_spec s = {
		.ip = v6 ? 6 : 4,
		.src = v6 ? CLIENT6 : CLIENT4,
		.dst = v6 ? "::1" : "127.0.0.1",
		.proto = IPPROTO_TCP,
		.doff = doff,
		.tcp_flags = flags,
		.ports = 1,
		.sport = 40000,
		.dport = port,
	};
	uint8_t *th;

	s.vlan[0] = vlan;
	build_frame(f, &s);
	th = f->buf + f->l3 + (v6 ? 40 : 20);
	set32(th + 4, seq);
	set32(th + 8, ack);
	if (doff >= 6) {
		th[20] = 2;
		th[21] = 4;
		th[22] = SC_MSS >> 8;
		th[23] = SC_MSS & 0xff;
	}
}

static int scstats_is(const char *name, uint64_t valid, uint64_t fallback,
		      uint64_t no_listener, uint64_t unsupported)
{
	struct xg_scstats s;

	if (h_scstats(&s)) {
		fail(name, "cannot read xg_scstats");
		return -1;
	}
	if (s.acks_valid != valid || s.fallback != fallback ||
	    s.no_listener != no_listener || s.unsupported != unsupported) {
		fail(name,
		     "xg_scstats valid %llu fallback %llu no_listener %llu "
		     "unsupported %llu, want %llu %llu %llu %llu",
		     (unsigned long long)s.acks_valid,
		     (unsigned long long)s.fallback,
		     (unsigned long long)s.no_listener,
		     (unsigned long long)s.unsupported,
		     (unsigned long long)valid, (unsigned long long)fallback,
		     (unsigned long long)no_listener,
		     (unsigned long long)unsupported);
		return -1;
	}
	return 0;
}

/* Runs @f: 0 if it got @verdict and moved only the counter of tcp/@reason
 * by one; the frame as the program left it in @out.
 */
static int run_one(const char *name, const struct frame *f, struct frame *out,
		   int verdict, int reason)
{
	static struct xg_counter before[XG_STATS_SLOTS], after[XG_STATS_SLOTS];
	int v, k, want = XG_STATS_KEY(0, XG_C_TCP, reason);

	if (h_read_stats(before))
		return -1;
	v = h_run_out(f, out);
	if (h_read_stats(after))
		return -1;
	if (v != verdict) {
		fail(name, "verdict %d, want %d", v, verdict);
		return -1;
	}
	for (k = 0; k < XG_STATS_SLOTS; k++) {
		uint64_t d = after[k].packets - before[k].packets;

		if (d != (k == want)) {
			fail(name, "counter %d/%d moved by %llu",
			     k / XG_R_SLOTS % XG_C_MAX, k % XG_R_SLOTS,
			     (unsigned long long)d);
			return -1;
		}
	}
	return 0;
}

/* Checks the SYN-ACK @out made of the SYN @in; *cookie gets its seq. */
static int check_synack(const char *name, const struct frame *in,
			const struct frame *out, int v6, int mss_opt,
			uint32_t *cookie)
{
	size_t l3 = in->l3, iplen = v6 ? 40 : 20;
	size_t tcplen = mss_opt ? 24 : out->buf[l3 + iplen + 12] >> 4 << 2;
	const uint8_t *ip = out->buf + l3, *th = ip + iplen;
	const uint8_t *sip = in->buf + l3, *sth = sip + iplen;
	size_t alen = v6 ? 16 : 4, soff = v6 ? 8 : 12;
	uint32_t sum;
	uint16_t mss = v6 ? 1440 : SC_MSS; /* the cookie tables' nearest */

	if (out->len != l3 + iplen + tcplen) {
		fail(name, "SYN-ACK of %zu bytes, want %zu", out->len,
		     l3 + iplen + tcplen);
		return -1;
	}
	if (memcmp(out->buf, in->buf + 6, 6) ||
	    memcmp(out->buf + 6, in->buf, 6) ||
	    memcmp(out->buf + 12, in->buf + 12, l3 - 12)) {
		fail(name, "Ethernet header not swapped (or tags changed)");
		return -1;
	}
	if (memcmp(ip + soff, sip + soff + alen, alen) ||
	    memcmp(ip + soff + alen, sip + soff, alen)) {
		fail(name, "addresses not swapped");
		return -1;
	}
	if (v6) {
		if (get32(ip) != 0x60000000 || get16(ip + 4) != tcplen ||
		    ip[6] != IPPROTO_TCP || ip[7] != 64) {
			fail(name, "IPv6 header %08x len %u next %u hops %u",
			     get32(ip), get16(ip + 4), ip[6], ip[7]);
			return -1;
		}
		sum = sum16(ip + 8, 32, tcplen + IPPROTO_TCP);
	} else {
		if (ip[0] != 0x45 || get16(ip + 2) != iplen + tcplen ||
		    get16(ip + 6) != 0x4000 || ip[8] != 64 ||
		    ip[9] != IPPROTO_TCP || fold(sum16(ip, 20, 0)) != 0xffff) {
			fail(name,
			     "IPv4 header %02x len %u frag %04x ttl %u proto "
			     "%u checksum %s",
			     ip[0], get16(ip + 2), get16(ip + 6), ip[8], ip[9],
			     fold(sum16(ip, 20, 0)) == 0xffff ? "right" :
								"wrong");
			return -1;
		}
		sum = sum16(ip + 12, 8, tcplen + IPPROTO_TCP);
	}
	if (fold(sum16(th, tcplen, sum)) != 0xffff) {
		fail(name, "TCP checksum wrong");
		return -1;
	}
	if (get16(th) != get16(sth + 2) || get16(th + 2) != get16(sth) ||
	    get32(th + 8) != get32(sth + 4) + 1 || th[12] != tcplen / 4 << 4 ||
	    th[13] != 0x12 || get16(th + 18) != 0) {
		fail(name,
		     "TCP ports %u>%u ack %08x (seq %08x) doff %u flags %02x",
		     get16(th), get16(th + 2), get32(th + 8), get32(sth + 4),
		     th[12] >> 4, th[13]);
		return -1;
	}
	if (mss_opt && (th[20] != 2 || th[21] != 4 || get16(th + 22) != mss ||
			get16(th + 14) != 65535 - 65535 % mss)) {
		fail(name, "option %u/%u MSS %u window %u, want MSS %u", th[20],
		     th[21], get16(th + 22), get16(th + 14), mss);
		return -1;
	}
	*cookie = get32(th + 4);
	return 0;
}

/* A SYN answered in @mode, its SYN-ACK checked, then the ACK the client
 * would send (valid) and one whose cookie is off in the hash bits
 * (dropped).
 */
static void handshake(const char *name, int v6, uint32_t mode, int doff,
		      uint16_t vlan)
{
	struct frame syn, ack, out;
	uint32_t cookie = 0;
	int ok;

	ok = !h_reset(XG_CFG_SYNCOOKIES) && !h_sc_port(SC_PORT, mode);
	segment(&syn, v6, SC_PORT, TCP_SYN, SC_SEQ, 0, doff, vlan);
	/* Ethernet padding: the SYN-ACK sheds it with the SYN's options */
	syn.len += 6;
	ok = ok && !run_one(name, &syn, &out, XDP_TX, XG_R_COOKIE_SENT) &&
	     !check_synack(name, &syn, &out, v6, doff >= 6, &cookie);
	segment(&ack, v6, SC_PORT, TCP_ACK, SC_SEQ + 1, cookie + 1, 5, vlan);
	ok = ok && !run_one(name, &ack, &out, XDP_PASS, XG_R_PASS) &&
	     !scstats_is(name, 1, 0, 0, 0);
	segment(&ack, v6, SC_PORT, TCP_ACK, SC_SEQ + 1,
		(cookie ^ 0x00f0f0f0) + 1, 5, vlan);
	ok = ok && !run_one(name, &ack, &out, XDP_DROP, XG_R_COOKIE_BAD) &&
	     !scstats_is(name, 1, 0, 0, 0);
	record(ok);
}

/* SYN options as systems send them, each with the timestamp SC_TSVAL:
 * what they offer, and whether the program leaves them unread (a
 * layout it does not know: the MSS option alone).
 */
#define SC_TSVAL 0xa1b2c3d4U
struct ts_layout {
	const char *name;
	uint8_t doff, sack, ws, walk;
	uint8_t ts_at; /* of the timestamp's value, from the first option */
	uint8_t opt[24];
};

static const struct ts_layout
	ts_linux = { "Linux", 10, 1, 1, 0, 8, { 2,  4, 5, 0xb4, 4, 2, 8,
						10, 0, 0, 0,	0, 0, 0,
						0,  0, 1, 3,	3, 7 } };
static const struct ts_layout ts_linux_nosack = {
	"Linux without SACK",
	10,
	0,
	1,
	0,
	8,
	{ 2, 4, 5, 0xb4, 1, 1, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0, 1, 3, 3, 7 }
};
static const struct ts_layout
	ts_macos = { "macOS", 11, 1, 1, 0, 12, { 2, 4, 5, 0xb4, 1, 3, 3, 7,
						 1, 1, 8, 10,	0, 0, 0, 0,
						 0, 0, 0, 0,	4, 2, 0, 0 } };
static const struct ts_layout ts_bsd = { "FreeBSD",
					 10,
					 1,
					 1,
					 0,
					 12,
					 { 2, 4,  5, 0xb4, 1, 3, 3, 7, 4, 2,
					   8, 10, 0, 0,	   0, 0, 0, 0, 0, 0 } };
static const struct ts_layout ts_bare = {
	"timestamp alone",
	10,
	0,
	0,
	1,
	8,
	{ 2, 4, 5, 0xb4, 1, 1, 8, 10, 0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1 }
};

static void ts_syn(struct frame *f, int v6, const struct ts_layout *l)
{
	uint8_t *th;

	segment(f, v6, SC_PORT, TCP_SYN, SC_SEQ, 0, l->doff, 0);
	th = f->buf + f->l3 + (v6 ? 40 : 20);
	memcpy(th + 20, l->opt, l->doff * 4 - 20);
	set32(th + 20 + l->ts_at, SC_TSVAL);
}

static uint64_t mono_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1000ULL + ts.tv_nsec / 1000000;
}

/* The timestamp mode (xg_config.sc_wscale, here the listener's scale 9):
 * the SYN-ACK carries SACK permitted as the SYN did, the timestamp with
 * the client's scale and SACK in its low 6 bits and the SYN's value
 * echoed, and the listener's window scale.
 */
static void ts_case(int v6, const struct ts_layout *l)
{
	struct frame syn, ack, out;
	struct xg_config cfg;
	size_t tcplen = l->ws ? 40 : 36;
	uint64_t before, after;
	uint32_t cookie = 0, tsval;
	const uint8_t *th;
	char name[96];
	int ok, walk = l->walk;

	snprintf(name, sizeof(name), "timestamp mode, %s, %s%s", l->name,
		 v6 ? "IPv6" : "IPv4",
		 walk ? " (a layout it does not read: the MSS option alone)" :
			"");
	ok = !h_reset(XG_CFG_SYNCOOKIES) && !h_sc_port(SC_PORT, XG_SC_ON) &&
	     !h_read_config(0, &cfg);
	cfg.sc_wscale = 9 + 1;
	ok = ok && !h_write_config(0, &cfg) && !h_write_config(1, &cfg);
	ts_syn(&syn, v6, l);
	before = mono_ms();
	ok = ok && !run_one(name, &syn, &out, XDP_TX, XG_R_COOKIE_SENT);
	after = mono_ms();
	if (!ok) {
		record(0);
		return;
	}
	th = out.buf + syn.l3 + (v6 ? 40 : 20);
	tsval = get32(th + 28);
	if (walk) {
		ok = !check_synack(name, &syn, &out, v6, 1, &cookie);
	} else if (out.len != syn.l3 + (v6 ? 40 : 20) + tcplen ||
		   th[12] >> 4 != tcplen / 4 || th[20] != 2 || th[21] != 4 ||
		   th[24] != (l->sack ? 4 : 1) || th[25] != (l->sack ? 2 : 1) ||
		   th[26] != 8 || th[27] != 10 || get32(th + 32) != SC_TSVAL ||
		   (tsval & 63) != ((l->ws ? 7 : 0xf) | (l->sack ? 0x10 : 0)) ||
		   tsval > (uint32_t)after ||
		   tsval + 64 + 1000 < (uint32_t)before ||
		   (l->ws && (th[36] != 1 || th[37] != 3 || th[38] != 3 ||
			      th[39] != 9))) {
		fail(name,
		     "SYN-ACK of %zu bytes, doff %u, options %02x %02x | %02x "
		     "%02x | %02x %02x tsval %u (%u..%u) tsecr %08x | %02x "
		     "%02x %02x %02x",
		     out.len, th[12] >> 4, th[20], th[21], th[24], th[25],
		     th[26], th[27], tsval, (uint32_t)before, (uint32_t)after,
		     get32(th + 32), th[36], th[37], th[38], th[39]);
		record(0);
		return;
	} else {
		ok = !check_synack(name, &syn, &out, v6, 0, &cookie);
	}
	segment(&ack, v6, SC_PORT, TCP_ACK, SC_SEQ + 1, cookie + 1, 5, 0);
	ok = ok && !run_one(name, &ack, &out, XDP_PASS, XG_R_PASS) &&
	     !scstats_is(name, 1, 0, 0, 0);
	record(ok);
}

static void sc_tests(void)
{
	struct xg_config cfg;
	struct frame f, out;
	uint32_t cookie;
	int ok;

	if (h_sc_syncookies(2)) {
		fail("syncookie setup", "cannot set tcp_syncookies: %s",
		     strerror(errno));
		record(0);
		return;
	}
	handshake("syn-cookies on, IPv4: SYN-ACK, valid ACK, forged ACK", 0,
		  XG_SC_ON, 6, 0);
	handshake("syn-cookies on, IPv6: SYN-ACK, valid ACK, forged ACK", 1,
		  XG_SC_ON, 6, 0);
	handshake("syn-cookies on, a SYN without options: no MSS option", 0,
		  XG_SC_ON, 5, 0);
	handshake("syn-cookies on behind a VLAN tag", 0, XG_SC_ON, 8, 100);
	/* auto under tcp_syncookies=2: the kernel would answer every SYN
	 * with a cookie, so the program does
	 */
	handshake("syn-cookies auto, tcp_syncookies=2", 0, XG_SC_AUTO, 6, 0);

	/* auto under tcp_syncookies=1, the SYN queue not full: the
	 * listener takes the SYN; no cookie was sent, so ACKs are not
	 * checked either
	 */
	ok = !h_sc_syncookies(1) && !h_reset(XG_CFG_SYNCOOKIES) &&
	     !h_sc_port(SC_PORT, XG_SC_AUTO);
	segment(&f, 0, SC_PORT, TCP_SYN, SC_SEQ, 0, 6, 0);
	ok = ok && !run_one("auto", &f, &out, XDP_PASS, XG_R_PASS) &&
	     out.len == f.len && !memcmp(out.buf, f.buf, f.len) &&
	     !scstats_is("auto", 0, 1, 0, 0);
	segment(&f, 0, SC_PORT, TCP_ACK, SC_SEQ + 1, 12345, 5, 0);
	ok = ok && !run_one("auto", &f, &out, XDP_PASS, XG_R_PASS) &&
	     !scstats_is("auto", 0, 1, 0, 0);
	record(ok);

	/* the listener's queue is the limit of an auto port: its SYNs go
	 * past a per-source SYN limit of 1/s that refuses the second SYN
	 * to a port without a listener
	 */
	cfg = one_limit(XG_LIM_SYN, 1, 1);
	cfg.flags = XG_CFG_SYNCOOKIES;
	ok = !setup_limits("auto: the queue is the limit", &cfg) &&
	     !h_sc_port(SC_PORT, XG_SC_AUTO) && !h_sc_port(SC_DEAD, XG_SC_AUTO);
	segment(&f, 0, SC_PORT, TCP_SYN, SC_SEQ, 0, 6, 0);
	for (int i = 0; ok && i < 3; i++)
		ok = !run_one("auto: the queue is the limit", &f, &out,
			      XDP_PASS, XG_R_PASS);
	segment(&f, 0, SC_DEAD, TCP_SYN, SC_SEQ, 0, 6, 0);
	ok = ok &&
	     !run_one("auto: the queue is the limit", &f, &out, XDP_PASS,
		      XG_R_PASS) &&
	     !run_one("auto: the queue is the limit", &f, &out, XDP_DROP,
		      XG_R_RATE_SYN) &&
	     !scstats_is("auto: the queue is the limit", 0, 3, 2, 0);
	record(ok);
	h_sc_syncookies(2);

	/* off for this port, or the step off: the frame untouched */
	ok = !h_reset(XG_CFG_SYNCOOKIES) && !h_sc_port(SC_PORT, XG_SC_ON);
	segment(&f, 0, SC_OFF, TCP_SYN, SC_SEQ, 0, 6, 0);
	ok = ok && !run_one("mode off", &f, &out, XDP_PASS, XG_R_PASS) &&
	     out.len == f.len && !memcmp(out.buf, f.buf, f.len);
	ok = ok && !h_reset(0) && !h_sc_port(SC_PORT, XG_SC_ON);
	segment(&f, 0, SC_PORT, TCP_SYN, SC_SEQ, 0, 6, 0);
	ok = ok && !run_one("mode off", &f, &out, XDP_PASS, XG_R_PASS) &&
	     out.len == f.len && !memcmp(out.buf, f.buf, f.len) &&
	     !scstats_is("mode off", 0, 0, 0, 0);
	record(ok);

	ts_case(0, &ts_linux);
	ts_case(1, &ts_linux);
	ts_case(0, &ts_linux_nosack);
	ts_case(0, &ts_macos);
	ts_case(0, &ts_bsd);
	ts_case(1, &ts_bsd);
	ts_case(1, &ts_bare);
	ts_case(0, &ts_bare);
	/* a SYN without a timestamp: the MSS option alone */
	ok = !h_read_config(0, &cfg);
	cfg.sc_wscale = 9 + 1;
	ok = ok && !h_write_config(0, &cfg) && !h_write_config(1, &cfg);
	segment(&f, 0, SC_PORT, TCP_SYN, SC_SEQ, 0, 10, 0);
	ok = ok &&
	     !run_one("timestamp mode, a SYN without a timestamp", &f, &out,
		      XDP_TX, XG_R_COOKIE_SENT) &&
	     !check_synack("timestamp mode, a SYN without a timestamp", &f,
			   &out, 0, 1, &cookie);
	record(ok);

	/* nobody listens: the limits decide (here: none) */
	ok = !h_reset(XG_CFG_SYNCOOKIES) && !h_sc_port(SC_DEAD, XG_SC_ON);
	segment(&f, 0, SC_DEAD, TCP_SYN, SC_SEQ, 0, 6, 0);
	ok = ok && !run_one("no listener", &f, &out, XDP_PASS, XG_R_PASS);
	segment(&f, 1, SC_DEAD, TCP_ACK, SC_SEQ + 1, 1, 5, 0);
	ok = ok && !run_one("no listener", &f, &out, XDP_PASS, XG_R_PASS) &&
	     !scstats_is("no listener", 0, 0, 2, 0);
	record(ok);

	/* IPv4 options: left to the limits, counted */
	ok = !h_reset(XG_CFG_SYNCOOKIES) && !h_sc_port(SC_PORT, XG_SC_ON);
	BUILD(&f,
	      FRAME(.ip = 4, .ihl = 6, .proto = IPPROTO_TCP, .dst = "127.0.0.1",
		    .ports = 1, .sport = 40000, .dport = SC_PORT));
	ok = ok && !run_one("IPv4 options", &f, &out, XDP_PASS, XG_R_PASS) &&
	     !scstats_is("IPv4 options", 0, 0, 0, 1);
	record(ok);

	/* an ACK with data: the kernel's, not even a socket lookup; a RST
	 * and a SYN-ACK are not the step's either
	 */
	ok = !h_reset(XG_CFG_SYNCOOKIES) && !h_sc_port(SC_PORT, XG_SC_ON);
	segment(&f, 0, SC_PORT, TCP_ACK, SC_SEQ + 1, 7, 5, 0);
	f.len += 10;
	ip_end(&f);
	ok = ok && !run_one("data ACK", &f, &out, XDP_PASS, XG_R_PASS);
	segment(&f, 0, SC_PORT, TCP_ACK | 0x04, SC_SEQ + 1, 7, 5, 0);
	ok = ok && !run_one("RST", &f, &out, XDP_PASS, XG_R_PASS);
	segment(&f, 0, SC_PORT, TCP_ACK | TCP_SYN, SC_SEQ + 1, 7, 5, 0);
	ok = ok && !run_one("SYN-ACK", &f, &out, XDP_PASS, XG_R_PASS) &&
	     !scstats_is("data ACK", 0, 0, 0, 0);
	record(ok);

	/* every SYN is answered and counted; the last one's cookie still
	 * opens the connection
	 */
	ok = !h_reset(XG_CFG_SYNCOOKIES) && !h_sc_port(SC_PORT, XG_SC_ON);
	for (int i = 0; ok && i < 50; i++) {
		segment(&f, i & 1, SC_PORT, TCP_SYN, SC_SEQ + i, 0, 6, 0);
		ok = !run_one("50 SYNs", &f, &out, XDP_TX, XG_R_COOKIE_SENT) &&
		     !check_synack("50 SYNs", &f, &out, i & 1, 1, &cookie);
	}
	record(ok);
}

void run_syncookies(void)
{
	int pipefd[2], counts[2] = { 0, 0 }, status;
	pid_t pid;

	if (!(h_kfeat() & XG_KF_SYNCOOKIE)) {
		printf("# syncookie: this kernel has no SYN cookie helpers "
		       "for XDP; skipped\n");
		return;
	}
	/* The clock is this process's to move (the harness keeps it): on
	 * once, so that a cookie's time is not 0 (never), then still.
	 */
	h_advance(XG_NSEC_PER_SEC);
	fflush(stdout);
	if (pipe(pipefd))
		return (void)record(0);
	pid = fork();
	if (pid == 0) {
		cpu_set_t set;

		close(pipefd[0]);
		CPU_ZERO(&set);
		CPU_SET(sched_getcpu(), &set);
		passed = failed = 0;
		if (sched_setaffinity(0, sizeof(set), &set) || h_sc_lab(2)) {
			fail("syncookie setup", "netns, listeners: %s",
			     strerror(errno));
			record(0);
		} else {
			sc_tests();
		}
		counts[0] = passed;
		counts[1] = failed;
		fflush(stdout);
		if (write(pipefd[1], counts, sizeof(counts)) < 0)
			_exit(1);
		_exit(0);
	}
	close(pipefd[1]);
	if (pid < 0 || read(pipefd[0], counts, sizeof(counts)) !=
			       (ssize_t)sizeof(counts)) {
		fail("syncookie", "the test child died");
		counts[1]++;
	}
	close(pipefd[0]);
	if (pid > 0)
		waitpid(pid, &status, 0);
	passed += counts[0];
	failed += counts[1];
	/* The child left xg_scports set: this process's h_reset() clears
	 * it once it has set a port itself.
	 */
	h_sc_port(SC_PORT, XG_SC_OFF);
	h_reset(0);
}
