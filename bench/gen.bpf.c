// SPDX-License-Identifier: GPL-2.0
/* xg-gen's XDP programs. gen_tx runs under BPF_PROG_TEST_RUN with live
 * frames: it sends each frame back out of the interface it was "received"
 * on (XDP_TX), written afresh from the frame xg-gen built, after drawing
 * a random source address when asked to.
 * bare_drop and bare_pass are the reference receivers of the benchmark:
 * they count and return, nothing else. ref_hash is the least a blocklist
 * can do: parse to the IPv4 source, one hash lookup, drop what is listed.
 */
#include <linux/bpf.h>
#include <linux/if_ether.h>
#include <linux/ip.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>

/* Set by xg-gen before load. The source address is rewritten word by
 * word: word i = (word i & ~rand_mask[i]) | (random & rand_mask[i]), both
 * in network byte order. The offsets are from the start of the frame; an
 * offset of 0 means there is no such checksum to fix.
 */
const volatile __u32 rand_words; /* 0 = fixed source, 1 (IPv4) or 4 */
const volatile __u32 rand_mask[4];
const volatile __u32 src_off;
const volatile __u32 ip_csum_off; /* IPv4 header checksum */
const volatile __u32 l4_csum_off; /* TCP, UDP or ICMPv6 checksum */
const volatile __u32 l4_csum_udp; /* UDP: 0 means "no checksum" */
const volatile __u32 tx_pad; /* gen.h's GEN_TX_PAD */

/* The frame to send, as xg-gen built it, in words: copied a word at a
 * time straight into the packet, it costs the generator 3-12 ns of CPU a
 * 60-byte frame; bpf_xdp_store_bytes cost 20-45.
 */
#define GEN_TX_WORDS 190 /* 1520 bytes: gen.h's GEN_FRAME_MAX, 1514, fits */
__u64 frame[GEN_TX_WORDS];
__u32 frame_len;

/* pass_sink's prefix (network order): IPv4 destinations it drops. */
const volatile __u32 sink_net;
const volatile __u32 sink_mask;

/* Bound for the offsets above, so the verifier can check the accesses. */
#define GEN_MAX_OFF 128

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u64);
} gen_count SEC(".maps");

/* ref_hash's blocklist, filled by xg-gen --attach ref. Sized by xg-gen
 * before the load (1 here, so loading another program costs nothing) and
 * not preallocated, like xdpguard's lists.
 */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, __u32);
} ref_list SEC(".maps");

/* One's complement arithmetic on 16-bit halves loaded in memory order:
 * the sum does not depend on the byte order, as long as it is one.
 */
static __always_inline __u16 csum_replace(__u16 csum, __u32 from, __u32 to)
{
	__u32 s = (__u16)~csum;

	s += (__u16)~from + (__u16)(~from >> 16);
	s += (__u16)to + (__u16)(to >> 16);
	s = (s & 0xffff) + (s >> 16);
	s = (s & 0xffff) + (s >> 16);
	return ~s;
}

static __always_inline void fix_csum(void *data, void *end, __u32 off,
				     __u32 from, __u32 to, int udp)
{
	__u16 *csum;

	if (!off || off > GEN_MAX_OFF)
		return;
	csum = data + off;
	if ((void *)(csum + 1) > end)
		return;
	if (udp && !*csum)
		return;
	*csum = csum_replace(*csum, from, to);
	/* 0 would mean "no checksum" to the receiver. */
	if (udp && !*csum)
		*csum = 0xffff;
}

SEC("xdp")
int gen_tx(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	__u32 off = src_off, len = frame_len, i, from, to, *src;
	__u64 *w;
	__u8 *b;

	/* The live frames' pages are recycled, and the kernel writes the
	 * frame into a page only when it first makes it: whatever the
	 * receiver wrote into a frame it sent back (a SYN-ACK built in place
	 * and answered with XDP_TX, which the veth returns to this side) would
	 * be sent again. So every frame is written whole, every time.
	 * Its length too: the kernel puts a page's frame (struct xdp_frame)
	 * back as it was only when it finds the frame's start moved, so a
	 * frame the receiver shortened (bpf_xdp_adjust_tail) and that came
	 * back without being made an skb (dropped by XDP on this side) would
	 * keep its shorter length, under the IP length of the whole one. The
	 * run's frames start tx_pad bytes early and gen_tx moves the start
	 * on: the frame is then rewritten from here each time, length and all,
	 * and the next use of the page finds the start moved and restores it.
	 */
	if (bpf_xdp_adjust_head(ctx, tx_pad))
		return XDP_DROP;
	data = (void *)(long)ctx->data;
	end = (void *)(long)ctx->data_end;
	for (i = 0; i < GEN_TX_WORDS && i * 8 < len; i++) {
		w = data + i * 8;
		if ((void *)(w + 1) > end)
			break;
		*w = frame[i];
	}
	/* the last bytes of a frame whose length is not a multiple of 8 */
	for (i = i * 8; i < GEN_TX_WORDS * 8 && i < len; i++) {
		b = data + i;
		if ((void *)(b + 1) > end)
			break;
		*b = ((__u8 *)frame)[i];
	}
	if (!rand_words || off > GEN_MAX_OFF)
		return XDP_TX;
	src = data + off;
	if ((void *)(src + 4) > end)
		return XDP_TX;
	for (i = 0; i < 4 && i < rand_words; i++) {
		if (!rand_mask[i])
			continue;
		from = src[i];
		to = (from & ~rand_mask[i]) |
		     (bpf_get_prandom_u32() & rand_mask[i]);
		src[i] = to;
		fix_csum(data, end, ip_csum_off, from, to, 0);
		fix_csum(data, end, l4_csum_off, from, to, l4_csum_udp);
	}
	return XDP_TX;
}

static __always_inline void count(void)
{
	__u32 zero = 0;
	__u64 *n = bpf_map_lookup_elem(&gen_count, &zero);

	/* Per-CPU slot: a plain add, no other writer. */
	if (n)
		*n += 1;
}

SEC("xdp")
int bare_drop(struct xdp_md *ctx)
{
	count();
	return XDP_DROP;
}

SEC("xdp")
int bare_pass(struct xdp_md *ctx)
{
	count();
	return XDP_PASS;
}

/* A receiver on the generator's own veth, for a flood that is answered
 * from XDP (SYN cookies): the answers to the flood's sources come back
 * over the veth (whose XDP_TX needs an XDP program on this end) and are
 * dropped and counted here, as cheaply as a wire would take them away;
 * everything else goes to the stack, the clients' answers among it.
 */
SEC("xdp")
int pass_sink(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP) ||
	    (ip->daddr & sink_mask) != sink_net)
		return XDP_PASS;
	count();
	return XDP_DROP;
}

/* No IP options, fragments or IPv6 looked at, no hit counted per entry:
 * what any filter must pay to drop a listed IPv4 source, and no more.
 */
SEC("xdp")
int ref_hash(struct xdp_md *ctx)
{
	void *data = (void *)(long)ctx->data;
	void *end = (void *)(long)ctx->data_end;
	struct ethhdr *eth = data;
	struct iphdr *ip = data + sizeof(*eth);
	__u32 src;

	if ((void *)(ip + 1) > end || eth->h_proto != bpf_htons(ETH_P_IP))
		return XDP_PASS;
	if (ip->version != 4 || ip->ihl < 5 || (void *)ip + ip->ihl * 4 > end)
		return XDP_PASS;
	src = ip->saddr;
	if (!bpf_map_lookup_elem(&ref_list, &src))
		return XDP_PASS;
	count();
	return XDP_DROP;
}

char LICENSE[] SEC("license") = "GPL";
