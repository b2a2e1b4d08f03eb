/* SPDX-License-Identifier: GPL-2.0 */
/* Included by xdpguard.bpf.c: SYN cookies answered from the driver
 * (xg-threshold syn-cookies, xdpguard(7) SYN COOKIES).
 *
 * A SYN to a port whose mode is not off is answered in place: the
 * listener that bpf_skc_lookup_tcp() finds makes the cookie
 * (bpf_tcp_gen_syncookie(): the kernel's own, with its secret, MSS table
 * and clock, and it marks the listener's SYN queue as overflowed, without
 * which the kernel would refuse the cookie's ACK). The helper gives a
 * cookie only where the kernel itself would: always under
 * tcp_syncookies=2 (mode on), while the listener's SYN queue is full
 * under 1 (mode auto); otherwise the listener takes the SYN, past the
 * SYN limits, counted as a fallback. The SYN becomes a SYN-ACK with only an MSS option (no
 * window scale, SACK or timestamp: the cookie cannot carry them without
 * tcp_timestamps=2), and goes back out with XDP_TX.
 *
 * A pure ACK to such a port that belongs to no socket is the third step
 * of a cookie handshake or a forgery: bpf_tcp_check_syncookie() tells
 * them apart, the forgery is dropped (XG_R_COOKIE_BAD). The kernel then
 * makes the connection from the valid ACK itself. An ACK carrying data
 * is left to the kernel (every segment of an established connection is
 * one, and the kernel checks a cookie in it too).
 *
 * One global function: the verifier walks it once, not once for every
 * state the parsers leave in decide(). Its arguments are scalars, and
 * it finds the headers again from the offsets.
 */
#ifndef XG_BPF_SYNCOOKIE_H
#define XG_BPF_SYNCOOKIE_H

#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/in.h>
#include <linux/ip.h>
#include <linux/ipv6.h>
#include <linux/tcp.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

#include "xg_abi.h"
#include "kernel.h"
#include "parse.h"

/* syn_cookie() returns a reason, or this: not the step's packet, the
 * limits decide.
 */
#define XG_SC_NEXT 0xff
/* The deepest L2 header the step answers behind (two VLAN tags are 22). */
#define XG_SC_MAX_L3_OFF 64
/* bpf_sock.state of a listener (BPF_TCP_LISTEN). */
#define XG_SC_LISTEN 10
#define XG_SC_TTL 64
/* The SYN-ACK's window: 64 KB less, rounded down to whole segments as
 * the kernel rounds its own; without window scaling it cannot be more.
 */
#define XG_SC_WINDOW 65535
/* The helpers' errnos (uapi errno.h is libc's, not for -target bpf). */
#define XG_SC_ENOENT 2

/* The arguments, packed by sc_args(). */
#define XG_SC_A_V6 (1U << 16)
#define XG_SC_A_FLAGS_SHIFT 24

/* The listeners this CPU found, by address and port: a SYN to one found
 * within the second (XG_SC_SEEN_SHIFT of the limits' clock) takes the
 * cookie from the raw helper, without the listener's lookup (the
 * lookup is half the step's cost: 341 against 151 ns in bench-xdp). The
 * lookup once a second keeps the listener's mark of a recent SYN queue
 * overflow fresh (bpf_tcp_gen_syncookie() sets it; the kernel takes a
 * cookie's ACK only within 2 minutes of it, and a listener of a
 * SO_REUSEPORT group shares the group's). Direct-mapped: a slot holds
 * one address and port; another one's SYN takes the lookup again.
 */
#define XG_SC_SEEN_SLOTS 1024
#define XG_SC_SEEN_SHIFT 30 /* ~1.07 s */

struct sc_seen {
	__u32 tag; /* sc_tag() of the address and port */
	__u32 stamp; /* now >> XG_SC_SEEN_SHIFT, + 1: 0 is never */
};

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, XG_SC_SEEN_SLOTS);
	__type(key, __u32);
	__type(value, struct sc_seen);
} xg_scseen SEC(".maps");

enum sc_count { SC_VALID, SC_FALLBACK, SC_NO_LISTENER, SC_UNSUPPORTED };

static __always_inline struct xg_scstats *sc_stats(void)
{
	__u32 zero = 0;

	return bpf_map_lookup_elem(&XG_MAP_SCSTATS, &zero);
}

static __always_inline void sc_count(enum sc_count what)
{
	struct xg_scstats *s = sc_stats();

	if (!s)
		return;
	/* Per-CPU value: plain adds. */
	if (what == SC_VALID)
		s->acks_valid++;
	else if (what == SC_FALLBACK)
		s->fallback++;
	else if (what == SC_NO_LISTENER)
		s->no_listener++;
	else
		s->unsupported++;
}

static __always_inline __u32 sc_port_mode(__u32 port)
{
	__u32 key = port / XG_SC_PORTS_PER_WORD;
	__u64 *w = bpf_map_lookup_elem(&XG_MAP_SCPORTS, &key);

	return w ? xg_sc_mode(*w, port) : XG_SC_OFF;
}

/* 32-bit words summed into 64 bits, folded to the 16-bit one's
 * complement of RFC 1071. The words are loaded as they lie in memory, so
 * the result is stored back as it is.
 */
static __always_inline __u16 sc_fold(__u64 sum)
{
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffffffff) + (sum >> 32);
	sum = (sum & 0xffff) + (sum >> 16);
	sum = (sum & 0xffff) + (sum >> 16);
	return ~sum;
}

/* The SYN-ACK's TCP header lengths: the MSS option alone; in the
 * timestamp mode MSS, SACK permitted (or two NOPs) and the timestamp,
 * and NOP and window scale when the SYN had one.
 */
#define SC_TCP_MSS 24
#define SC_TCP_TS 36
#define SC_TCP_TS_WS 40

/* The cookie of the listener @sk for the SYN at @ip/@th, or a negative
 * errno. The helper wants the TCP header's length as a bound the
 * verifier knows and equal to doff x 4: one constant per data offset.
 */
static __always_inline __s64 sc_gen(void *sk, void *ip, __u32 iplen, void *th,
				    void *end, __u32 doff)
{
#define SC_GEN(n)                     \
	case n:                       \
		if (th + (n)*4 > end) \
			return -1;    \
		return bpf_tcp_gen_syncookie(sk, ip, iplen, th, (n)*4);
	switch (doff) {
		SC_GEN(5)
		SC_GEN(6)
		SC_GEN(7)
		SC_GEN(8)
		SC_GEN(9)
		SC_GEN(10)
		SC_GEN(11)
		SC_GEN(12)
		SC_GEN(13)
		SC_GEN(14)
		SC_GEN(15)
	}
#undef SC_GEN
	return -1;
}

/* The cookie from the raw helper (no listener), or a negative errno;
 * the same constants as sc_gen().
 */
static __always_inline __s64 sc_gen_raw(void *ip, int v6, void *th, void *end,
					__u32 doff)
{
#define SC_RAW(n)                                                           \
	case n:                                                             \
		if (th + (n)*4 > end)                                       \
			return -1;                                          \
		return v6 ? bpf_tcp_raw_gen_syncookie_ipv6(ip, th, (n)*4) : \
			    bpf_tcp_raw_gen_syncookie_ipv4(ip, th, (n)*4);
	switch (doff) {
		SC_RAW(5)
		SC_RAW(6)
		SC_RAW(7)
		SC_RAW(8)
		SC_RAW(9)
		SC_RAW(10)
		SC_RAW(11)
		SC_RAW(12)
		SC_RAW(13)
		SC_RAW(14)
		SC_RAW(15)
	}
#undef SC_RAW
	return -1;
}

/* A 32-bit tag of the destination address and port of @ip. */
static __always_inline __u32 sc_tag(void *ip, int v6, __u32 port)
{
	__u32 h = port * 0x9e3779b1U;

	if (v6) {
		struct ipv6hdr *ip6 = ip;

		h ^= ip6->daddr.in6_u.u6_addr32[0] ^
		     ip6->daddr.in6_u.u6_addr32[1] ^
		     ip6->daddr.in6_u.u6_addr32[2] ^
		     ip6->daddr.in6_u.u6_addr32[3];
	} else {
		h ^= ((struct iphdr *)ip)->daddr;
	}
	return (h ^ (h >> 15)) * 0x85ebca6bU | 1;
}

/* What a SYN's options offer the timestamp mode. */
struct sc_walk {
	__be32 tsval; /* the timestamp option's value, as it lies */
	__u8 ts; /* a timestamp option was there */
	__u8 sack; /* SACK permitted */
	__u8 ws; /* window scale + 1; 0: none */
	__u8 pad;
};

/* The timestamp's low bits (net/ipv4/syncookies.c): the client's window
 * scale (0xf: none) and SACK.
 */
#define SC_TS_BITS 6
#define SC_TS_WSCALE_NONE 0xf
#define SC_TS_SACK (1U << 4)
#define SC_MAX_WSCALE 14

static __always_inline __u8 sc_ws(__u8 shift)
{
	return 1 + (shift > SC_MAX_WSCALE ? SC_MAX_WSCALE : shift);
}

/* The options as Linux (and Android) send them, 20 bytes: MSS, SACK
 * permitted (or two NOPs), timestamp, NOP, window scale; as FreeBSD
 * does, 20: MSS, NOP, window scale, SACK permitted, timestamp; and as
 * macOS and iOS do, 24: MSS, NOP, window scale, two NOPs, timestamp,
 * SACK permitted, end. Read at their offsets: a walk over any layout
 * (bpf_loop()) cost 130 ns a SYN, and its callback's frame put the
 * program over the kernel's 512 bytes of stack for a chain of calls on
 * 6.1. A SYN with other options gets an MSS option alone.
 */
static __always_inline int sc_read_opts(struct tcphdr *th, void *end,
					struct sc_walk *w)
{
	const __u8 *o = (const __u8 *)(th + 1);
	__u32 doff = th->doff;

	if (doff == 10 && (void *)(o + 20) <= end && o[0] == 2 && o[1] == 4) {
		if (((o[4] == 4 && o[5] == 2) || (o[4] == 1 && o[5] == 1)) &&
		    o[6] == 8 && o[7] == 10 && o[16] == 1 && o[17] == 3 &&
		    o[18] == 3) {
			w->sack = o[4] == 4;
			w->tsval = *(__be32 *)(o + 8);
			w->ws = sc_ws(o[19]);
			w->ts = 1;
			return 0;
		}
		if (o[4] == 1 && o[5] == 3 && o[6] == 3 && o[8] == 4 &&
		    o[9] == 2 && o[10] == 8 && o[11] == 10) {
			w->sack = 1;
			w->tsval = *(__be32 *)(o + 12);
			w->ws = sc_ws(o[7]);
			w->ts = 1;
			return 0;
		}
	}
	if (doff == 11 && (void *)(o + 24) <= end && o[0] == 2 && o[1] == 4 &&
	    o[4] == 1 && o[5] == 3 && o[6] == 3 && o[8] == 1 && o[9] == 1 &&
	    o[10] == 8 && o[11] == 10 && o[20] == 4 && o[21] == 2) {
		w->sack = 1;
		w->tsval = *(__be32 *)(o + 12);
		w->ws = sc_ws(o[7]);
		w->ts = 1;
		return 0;
	}
	return -1;
}

/* The timestamp of the SYN-ACK: the kernel's clock in ms (tcp_clock_ns(),
 * the monotonic clock), its low bits replaced by @opts and never ahead
 * of that clock, as cookie_init_timestamp() makes it.
 */
static __always_inline __u32 sc_tsval(__u32 opts)
{
	__u64 now = bpf_ktime_get_ns() / 1000000;
	__u64 ts = (now >> SC_TS_BITS << SC_TS_BITS) | opts;

	if (ts > now)
		ts -= 1ULL << SC_TS_BITS;
	return ts;
}

/* The TCP header of the SYN-ACK, @n bytes, over the SYN's at @th (which
 * has @n bytes at least); returns the checksum's sum without the pseudo
 * header's.
 */
static __always_inline __u64 sc_put_tcp(__u8 *th, __u32 n, __u32 cookie,
					__u32 mss, const struct sc_walk *w,
					__u32 wscale)
{
	__u32 tsval, opts, i, *words = (__u32 *)th;
	__be16 port = *(__be16 *)th;
	__u64 sum = 0;

	*(__be16 *)th = *(__be16 *)(th + 2);
	*(__be16 *)(th + 2) = port;
	*(__be32 *)(th + 8) = bpf_htonl(bpf_ntohl(*(__be32 *)(th + 4)) + 1);
	*(__be32 *)(th + 4) = bpf_htonl(cookie);
	th[12] = (n / 4) << 4;
	th[13] = XG_TCP_SYN | XG_TCP_ACK;
	*(__be16 *)(th + 14) = bpf_htons(XG_SC_WINDOW - XG_SC_WINDOW % mss);
	*(__u32 *)(th + 16) = 0; /* checksum, urgent pointer */
	if (n >= SC_TCP_MSS) {
		th[20] = 2;
		th[21] = 4;
		th[22] = mss >> 8;
		th[23] = mss & 0xff;
	}
	if (n >= SC_TCP_TS) {
		opts = (w->ws ? w->ws - 1 : SC_TS_WSCALE_NONE) |
		       (w->sack ? SC_TS_SACK : 0);
		tsval = bpf_htonl(sc_tsval(opts));
		th[24] = w->sack ? 4 : 1;
		th[25] = w->sack ? 2 : 1;
		th[26] = 8;
		th[27] = 10;
		*(__u32 *)(th + 28) = tsval;
		*(__u32 *)(th + 32) = w->tsval;
	}
	if (n >= SC_TCP_TS_WS) {
		th[36] = 1;
		th[37] = 3;
		th[38] = 3;
		th[39] = wscale;
	}
	for (i = 0; i < SC_TCP_TS_WS / 4; i++)
		if (i < n / 4)
			sum += words[i];
	return sum;
}

/* Turns the SYN at @l3 into the SYN-ACK that carries @cookie and its
 * @mss, in place: with the options @w found (w->ts 0: the MSS option
 * alone)
 * and the listener's @wscale. Returns the SYN-ACK's length from the IP
 * header on, 0 if it could not. Finds the headers again, so that the
 * verifier walks this once, not once for each data offset of sc_gen().
 */
static __always_inline __u32 sc_answer(struct xdp_md *ctx, __u32 l3, int v6,
				       __u32 cookie, __u32 mss,
				       const struct sc_walk *w, __u32 wscale)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 iplen = v6 ? sizeof(struct ipv6hdr) : sizeof(struct iphdr);
	__u32 tcplen, room, i, m32;
	__u16 m16;
	struct tcphdr *th;
	__u64 sum = 0;
	void *ip;

	if (data + ETH_HLEN > end)
		return 0;
	ip = data + (l3 & (2 * XG_SC_MAX_L3_OFF - 1));
	if (ip + sizeof(struct ipv6hdr) > end)
		return 0;
	th = ip + iplen;
	if ((void *)(th + 1) > end)
		return 0;
	room = th->doff * 4;
	tcplen = !w->ts ? (room >= SC_TCP_MSS ? SC_TCP_MSS : sizeof(*th)) :
		 w->ws	? SC_TCP_TS_WS :
			  SC_TCP_TS;
	if (tcplen > room)
		return 0;

	/* swaps in registers: the stack is the caller's too (512 bytes in
	 * all, and the caller needs most)
	 */
	m32 = *(__u32 *)data;
	m16 = *(__u16 *)(data + 4);
	*(__u32 *)data = *(__u32 *)(data + ETH_ALEN);
	*(__u16 *)(data + 4) = *(__u16 *)(data + ETH_ALEN + 4);
	*(__u32 *)(data + ETH_ALEN) = m32;
	*(__u16 *)(data + ETH_ALEN + 4) = m16;
	if (v6) {
		struct ipv6hdr *ip6 = ip;
		__u64 *a = (__u64 *)&ip6->saddr, *b = (__u64 *)&ip6->daddr;
		__u64 a0 = a[0], a1 = a[1];

		a[0] = b[0];
		a[1] = b[1];
		b[0] = a0;
		b[1] = a1;
		*(__be32 *)ip6 = bpf_htonl(0x60000000);
		ip6->payload_len = bpf_htons(tcplen);
		ip6->nexthdr = IPPROTO_TCP;
		ip6->hop_limit = XG_SC_TTL;
		for (i = 0; i < 8; i++)
			sum += ((__u32 *)&ip6->saddr)[i];
		sum += (__u64)bpf_htonl(tcplen) + bpf_htonl(IPPROTO_TCP);
	} else {
		struct iphdr *ip4 = ip;
		__be32 a = ip4->saddr;
		__u64 hs = 0;

		ip4->saddr = ip4->daddr;
		ip4->daddr = a;
		*(__u32 *)ip4 = bpf_htonl(0x45000000 | (iplen + tcplen));
		*(__u32 *)((void *)ip4 + 4) = bpf_htonl(0x4000); /* id 0, DF */
		*(__u32 *)((void *)ip4 + 8) =
			bpf_htonl(XG_SC_TTL << 24 | IPPROTO_TCP << 16);
		for (i = 0; i < 5; i++)
			hs += ((__u32 *)ip4)[i];
		ip4->check = sc_fold(hs);
		sum = (__u64)ip4->saddr + ip4->daddr +
		      bpf_htonl((IPPROTO_TCP << 16) | tcplen);
	}
	/* one constant length a path, for the verifier */
#define SC_PUT(n)                                                           \
	case n:                                                             \
		if ((void *)th + (n) > end)                                 \
			return 0;                                           \
		sum += sc_put_tcp((__u8 *)th, (n), cookie, mss, w, wscale); \
		break;
	switch (tcplen) {
		SC_PUT(20)
		SC_PUT(SC_TCP_MSS)
		SC_PUT(SC_TCP_TS)
		SC_PUT(SC_TCP_TS_WS)
	default:
		return 0;
	}
#undef SC_PUT
	th->check = sc_fold(sum);
	return iplen + tcplen;
}

static __always_inline __u32 sc_args(const struct xg_pkt *p)
{
	return p->dport | (p->ipv6 ? XG_SC_A_V6 : 0) |
	       (__u32)p->tcp_flags << XG_SC_A_FLAGS_SHIFT;
}

/* xg_config.sc_wscale of the settings in force. Read here, for SYNs the
 * step answers only: read in decide(), for every packet, it cost the
 * verifier 140,000 steps more.
 */
static __always_inline __u32 sc_wscale(void)
{
	struct xg_state *st;
	__u32 zero = 0;

	st = bpf_map_lookup_elem(&XG_MAP_STATE, &zero);
	return st ? st->cfg[st->cfg_slot & 1].sc_wscale & 0xf : 0;
}

/* The step for a TCP segment whose headers parsed: @l3 and @l4 are the
 * offsets of its IP and TCP headers, @l4_len the bytes the IP header
 * says follow it, @args sc_args(). Returns XG_R_COOKIE_SENT (answered:
 * XDP_TX), XG_R_COOKIE_BAD (drop), XG_R_PASS (a valid cookie ACK, or a
 * SYN the listener takes) or XG_SC_NEXT.
 */
__noinline int syn_cookie(struct xdp_md *ctx, __u32 l3, __u32 l4, __u32 l4_len,
			  __u32 args)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 port = args & 0xffff, flags = args >> XG_SC_A_FLAGS_SHIFT;
	int v6 = !!(args & XG_SC_A_V6), syn = flags & XG_TCP_SYN;
	__u32 iplen = v6 ? sizeof(struct ipv6hdr) : sizeof(struct iphdr);
	/* one after the other: the lookup's key, then the options' walk */
	union {
		struct bpf_sock_tuple tup;
		struct sc_walk opts;
	} u = {};
	struct xg_scstats *s;
	struct bpf_sock *sk;
	struct tcphdr *th;
	__u32 mode, doff, len;
	void *ip;
	__u32 wscale, tag = 0, key, stamp = 0;
	struct sc_seen *seen = NULL;
	int ts;
	__s64 r;

	if (flags & (XG_TCP_RST | XG_TCP_FIN) ||
	    (flags & (XG_TCP_SYN | XG_TCP_ACK)) == (XG_TCP_SYN | XG_TCP_ACK))
		return XG_SC_NEXT;
	mode = sc_port_mode(port);
	if (mode == XG_SC_OFF)
		return XG_SC_NEXT;
	if (l3 > XG_SC_MAX_L3_OFF || l4 != l3 + iplen) {
		sc_count(SC_UNSUPPORTED);
		return XG_SC_NEXT;
	}
	ip = data + (l3 & (2 * XG_SC_MAX_L3_OFF - 1));
	/* 40 bytes from the IP header are there for both families (an IPv4
	 * header and a TCP header at least): the helpers may read iplen.
	 */
	if (ip + sizeof(struct ipv6hdr) > end)
		return XG_SC_NEXT;
	th = ip + iplen;
	if ((void *)(th + 1) > end)
		return XG_SC_NEXT;
	doff = th->doff;
	if (!syn) {
		/* Data rides on every segment of a connection: no lookup
		 * for them. Auto checks ACKs only on a CPU that made a
		 * cookie within the kernel's window for them.
		 */
		if (l4_len != doff * 4)
			return XG_SC_NEXT;
		if (mode == XG_SC_AUTO) {
			s = sc_stats();
			if (!s || !s->last_sent_ns ||
			    xg_now_coarse() - s->last_sent_ns >
				    XG_SC_ACK_WINDOW_NS)
				return XG_SC_NEXT;
		}
	}

	/* mode on, a listener found within the second: the raw helper */
	if (syn && mode == XG_SC_ON && (xg_kfeat & XG_KF_RAWCOOKIE)) {
		tag = sc_tag(ip, v6, port);
		key = tag % XG_SC_SEEN_SLOTS;
		seen = bpf_map_lookup_elem(&xg_scseen, &key);
		stamp = (xg_now_coarse() >> XG_SC_SEEN_SHIFT) + 1;
		if (seen && seen->tag == tag && seen->stamp == stamp) {
			r = sc_gen_raw(ip, v6, th, end, doff);
			if (r >= 0)
				goto answer;
		}
	}

	if (v6) {
		struct ipv6hdr *ip6 = ip;

		__builtin_memcpy(u.tup.ipv6.saddr, &ip6->saddr, 16);
		__builtin_memcpy(u.tup.ipv6.daddr, &ip6->daddr, 16);
		u.tup.ipv6.sport = th->source;
		u.tup.ipv6.dport = th->dest;
	} else {
		struct iphdr *ip4 = ip;

		u.tup.ipv4.saddr = ip4->saddr;
		u.tup.ipv4.daddr = ip4->daddr;
		u.tup.ipv4.sport = th->source;
		u.tup.ipv4.dport = th->dest;
	}
	sk = (struct bpf_sock *)bpf_skc_lookup_tcp(
		ctx, &u.tup, v6 ? sizeof(u.tup.ipv6) : sizeof(u.tup.ipv4),
		BPF_F_CURRENT_NETNS, 0);
	if (!sk) {
		sc_count(SC_NO_LISTENER);
		return XG_SC_NEXT;
	}
	/* A socket of its own (established, time-wait, a request the
	 * kernel answered): the kernel's.
	 */
	if (sk->state != XG_SC_LISTEN) {
		bpf_sk_release(sk);
		return XG_SC_NEXT;
	}

	if (!syn) {
		r = bpf_tcp_check_syncookie(sk, ip, iplen, th,
					    sizeof(struct tcphdr));
		bpf_sk_release(sk);
		if (r == 0) {
			sc_count(SC_VALID);
			return XG_R_PASS;
		}
		/* -EINVAL: tcp_syncookies is 0 here, the kernel decides */
		return r == -XG_SC_ENOENT ? XG_R_COOKIE_BAD : XG_SC_NEXT;
	}

	r = sc_gen(sk, ip, iplen, th, end, doff);
	bpf_sk_release(sk);
	/* The listener takes the SYN itself (auto, its queue not full),
	 * past the SYN limits: under a flood they would refuse new clients
	 * with the spoofed SYNs and keep the queue from the overflow that
	 * turns the cookies on. The queue is the limit.
	 */
	if (r < 0) {
		sc_count(SC_FALLBACK);
		return XG_R_PASS;
	}
	if (seen) {
		seen->tag = tag;
		seen->stamp = stamp;
	}
answer:
	__builtin_memset(&u, 0, sizeof(u));
	/* the timestamp mode, for a SYN with a timestamp option */
	wscale = sc_wscale();
	ts = wscale && !sc_read_opts(th, end, &u.opts) && u.opts.ts;
	u.opts.ts = ts;
	len = sc_answer(ctx, l3, v6, (__u32)r, r >> 32, &u.opts, wscale - 1);
	if (!len)
		return XG_SC_NEXT;
	s = sc_stats();
	if (s)
		s->last_sent_ns = xg_now_coarse();
	/* The SYN's options and any padding go: the frame shrinks (a tail
	 * that grows failed on veth; one that shrinks does not).
	 */
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	len += l3 & (2 * XG_SC_MAX_L3_OFF - 1);
	if (end - data > len)
		bpf_xdp_adjust_tail(ctx, (int)len - (int)(end - data));
	return XG_R_COOKIE_SENT;
}

#endif /* XG_BPF_SYNCOOKIE_H */
