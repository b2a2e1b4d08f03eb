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
 * under 1 (mode auto); otherwise the SYN goes on to the limits, counted
 * as a fallback. The SYN becomes a SYN-ACK with only an MSS option (no
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

/* The SYN-ACK's TCP header, with room for the MSS option. */
struct sc_tcp {
	__be16 source;
	__be16 dest;
	__be32 seq;
	__be32 ack_seq;
	__u8 doff; /* data offset << 4 */
	__u8 flags;
	__be16 window;
	__be16 check;
	__be16 urg_ptr;
	__u8 opt[4]; /* kind 2, length 4, MSS */
};

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

/* Turns the SYN at @ip/@th into the SYN-ACK that carries @cookie and its
 * @mss, in place; returns the SYN-ACK's length from @ip on. The frame's
 * first 40 bytes from @ip (IPv4) or 60 (IPv6) are known to be there.
 */
static __always_inline __u32 sc_write(void *data, void *ip, int v6,
				      struct tcphdr *th, void *end,
				      __u32 cookie, __u32 mss, __u32 room)
{
	__u32 tcplen = room >= sizeof(struct sc_tcp) ? sizeof(struct sc_tcp) :
						       sizeof(struct tcphdr);
	struct sc_tcp t = {
		.source = th->dest,
		.dest = th->source,
		.seq = bpf_htonl(cookie),
		.ack_seq = bpf_htonl(bpf_ntohl(th->seq) + 1),
		.doff = (tcplen / 4) << 4,
		.flags = XG_TCP_SYN | XG_TCP_ACK,
		.window = bpf_htons(XG_SC_WINDOW - XG_SC_WINDOW % mss),
		.opt = { 2, 4, mss >> 8, mss & 0xff },
	};
	unsigned char mac[ETH_ALEN];
	__u32 *w = (__u32 *)&t;
	__u64 sum = 0;
	int i;

	if (data + ETH_HLEN > end)
		return 0;
	__builtin_memcpy(mac, data, ETH_ALEN);
	__builtin_memcpy(data, data + ETH_ALEN, ETH_ALEN);
	__builtin_memcpy(data + ETH_ALEN, mac, ETH_ALEN);

	if (v6) {
		struct ipv6hdr *ip6 = ip;
		struct in6_addr a;

		if ((void *)(ip6 + 1) > end)
			return 0;
		a = ip6->saddr;
		ip6->saddr = ip6->daddr;
		ip6->daddr = a;
		*(__be32 *)ip6 = bpf_htonl(0x60000000);
		ip6->payload_len = bpf_htons(tcplen);
		ip6->nexthdr = IPPROTO_TCP;
		ip6->hop_limit = XG_SC_TTL;
		for (i = 0; i < 8; i++)
			sum += ((__u32 *)&ip6->saddr)[i];
		sum += (__u64)bpf_htonl(tcplen) + bpf_htonl(IPPROTO_TCP);
	} else {
		struct iphdr *ip4 = ip, h = {
			.version = 4,
			.ihl = 5,
			.tot_len = bpf_htons(sizeof(struct iphdr) + tcplen),
			.frag_off = bpf_htons(0x4000), /* DF */
			.ttl = XG_SC_TTL,
			.protocol = IPPROTO_TCP,
		};
		__u64 hs = 0;

		if ((void *)(ip4 + 1) > end)
			return 0;
		h.saddr = ip4->daddr;
		h.daddr = ip4->saddr;
		for (i = 0; i < 5; i++)
			hs += ((__u32 *)&h)[i];
		h.check = sc_fold(hs);
		*ip4 = h;
		sum = (__u64)h.saddr + h.daddr +
		      bpf_htonl((IPPROTO_TCP << 16) | tcplen);
	}

	for (i = 0; i < 5; i++)
		sum += w[i];
	if (tcplen == sizeof(struct sc_tcp))
		sum += w[5];
	t.check = sc_fold(sum);
	if ((void *)th + sizeof(struct sc_tcp) <= end)
		__builtin_memcpy(th, &t, sizeof(struct sc_tcp));
	else if ((void *)th + sizeof(struct tcphdr) <= end)
		__builtin_memcpy(th, &t, sizeof(struct tcphdr));
	else
		return 0;
	return (v6 ? sizeof(struct ipv6hdr) : sizeof(struct iphdr)) + tcplen;
}

static __always_inline __u32 sc_args(const struct xg_pkt *p)
{
	return p->dport | (p->ipv6 ? XG_SC_A_V6 : 0) |
	       (__u32)p->tcp_flags << XG_SC_A_FLAGS_SHIFT;
}

/* The step for a TCP segment whose headers parsed: @l3 and @l4 are the
 * offsets of its IP and TCP headers, @l4_len the bytes the IP header
 * says follow it, @args sc_args(). Returns XG_R_COOKIE_SENT (answered:
 * XDP_TX), XG_R_COOKIE_BAD (drop), XG_R_PASS (a valid cookie ACK) or
 * XG_SC_NEXT.
 */
__noinline int syn_cookie(struct xdp_md *ctx, __u32 l3, __u32 l4, __u32 l4_len,
			  __u32 args)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 port = args & 0xffff, flags = args >> XG_SC_A_FLAGS_SHIFT;
	int v6 = !!(args & XG_SC_A_V6), syn = flags & XG_TCP_SYN;
	__u32 iplen = v6 ? sizeof(struct ipv6hdr) : sizeof(struct iphdr);
	struct bpf_sock_tuple tup = {};
	struct xg_scstats *s;
	struct bpf_sock *sk;
	struct tcphdr *th;
	__u32 mode, doff, len;
	void *ip;
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

	if (v6) {
		struct ipv6hdr *ip6 = ip;

		__builtin_memcpy(tup.ipv6.saddr, &ip6->saddr, 16);
		__builtin_memcpy(tup.ipv6.daddr, &ip6->daddr, 16);
		tup.ipv6.sport = th->source;
		tup.ipv6.dport = th->dest;
	} else {
		struct iphdr *ip4 = ip;

		tup.ipv4.saddr = ip4->saddr;
		tup.ipv4.daddr = ip4->daddr;
		tup.ipv4.sport = th->source;
		tup.ipv4.dport = th->dest;
	}
	sk = (struct bpf_sock *)bpf_skc_lookup_tcp(
		ctx, &tup, v6 ? sizeof(tup.ipv6) : sizeof(tup.ipv4),
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
	if (r < 0) {
		sc_count(SC_FALLBACK);
		return XG_SC_NEXT;
	}
	len = sc_write(data, ip, v6, th, end, (__u32)r, r >> 32, doff * 4);
	if (!len)
		return XG_SC_NEXT;
	s = sc_stats();
	if (s)
		s->last_sent_ns = xg_now_coarse();
	/* The SYN's options and any padding go: the frame shrinks (a tail
	 * that grows failed on veth; one that shrinks does not).
	 */
	len += l3 & (2 * XG_SC_MAX_L3_OFF - 1);
	if (end - data > len)
		bpf_xdp_adjust_tail(ctx, (int)len - (int)(end - data));
	return XG_R_COOKIE_SENT;
}

#endif /* XG_BPF_SYNCOOKIE_H */
