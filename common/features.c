// SPDX-License-Identifier: GPL-2.0
/* Features of passing packets (xg_feats), decoded into the NDJSON line of
 * xg-features(8): the seed's per-packet schema, field for field, plus
 * interface, addresses, rule and reason. Written by hand into a buffer,
 * not through json.c: a stream of 100,000 lines a second spends most of
 * its time here (see docs/BENCHMARKS.md).
 */
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include "xg.h"

/* IANA port ranges: well-known, registered, dynamic. */
#define PORT_LOW_MAX 1023
#define PORT_MID_MAX 49151

struct out {
	char *p;
};

static void put(struct out *o, const char *s, size_t n)
{
	memcpy(o->p, s, n);
	o->p += n;
}

/* A literal's bytes, its terminating NUL left out. */
#define PUT(o, lit) put((o), (lit), sizeof(lit) - 1)

static void put_u64(struct out *o, __u64 v)
{
	char tmp[20];
	int n = 0;

	do {
		tmp[n++] = '0' + v % 10;
		v /= 10;
	} while (v);
	while (n)
		*o->p++ = tmp[--n];
}

/* ,"key":V  with V an integer */
static void kv(struct out *o, const char *key, size_t klen, __u64 v)
{
	*o->p++ = ',';
	*o->p++ = '"';
	put(o, key, klen);
	*o->p++ = '"';
	*o->p++ = ':';
	put_u64(o, v);
}

#define KV(o, lit, v) kv((o), (lit), sizeof(lit) - 1, (v))

static void kv_port(struct out *o, const char *key, size_t klen, bool valid,
		    __u16 port)
{
	char k[24];

	memcpy(k, key, klen);
	kv(o, k, klen, valid ? port : 0);
	memcpy(k + klen, "_low", 4);
	kv(o, k, klen + 4, valid && port <= PORT_LOW_MAX);
	memcpy(k + klen, "_mid", 4);
	kv(o, k, klen + 4,
	   valid && port > PORT_LOW_MAX && port <= PORT_MID_MAX);
	memcpy(k + klen, "_high", 5);
	kv(o, k, klen + 5, valid && port > PORT_MID_MAX);
}

static void kv_addr(struct out *o, const char *key, size_t klen, int family,
		    bool valid, const __u32 *a)
{
	char s[INET6_ADDRSTRLEN];

	*o->p++ = ',';
	*o->p++ = '"';
	put(o, key, klen);
	put(o, "\":", 2);
	if (!valid || !inet_ntop(family, a, s, sizeof(s))) {
		PUT(o, "null");
		return;
	}
	*o->p++ = '"';
	put(o, s, strlen(s));
	*o->p++ = '"';
}

size_t xg_json_quote(char *buf, size_t len, const char *s)
{
	static const char hex[] = "0123456789abcdef";
	size_t n = 0;

	if (len < 3)
		return 0;
	buf[n++] = '"';
	for (; *s && n + 8 < len; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\') {
			buf[n++] = '\\';
			buf[n++] = c;
		} else if (c < 0x20) {
			memcpy(buf + n, "\\u00", 4);
			buf[n + 4] = hex[c >> 4];
			buf[n + 5] = hex[c & 15];
			n += 6;
		} else {
			buf[n++] = c;
		}
	}
	buf[n++] = '"';
	buf[n] = '\0';
	return n;
}

static const char *const tcp_keys[8] = {
	"tcp_fin", "tcp_syn", "tcp_rst", "tcp_psh",
	"tcp_ack", "tcp_urg", "tcp_ece", "tcp_cwr",
};

static void one_hot(struct out *o, __u8 proto)
{
	bool icmp = proto == IPPROTO_ICMP || proto == IPPROTO_ICMPV6;

	KV(o, "pr_tcp", proto == IPPROTO_TCP);
	KV(o, "pr_udp", proto == IPPROTO_UDP);
	KV(o, "pr_icmp", icmp);
	KV(o, "pr_other",
	   proto != IPPROTO_TCP && proto != IPPROTO_UDP && !icmp);
}

size_t xg_feature_line(char *buf, const struct xg_feature *f, __u64 real_ns,
		       const char *iface_json, __u32 rule_id)
{
	bool l3 = f->flags & XG_EV_L3, ports = f->flags & XG_EV_PORTS;
	int family = f->flags & XG_EV_IPV6 ? AF_INET6 : AF_INET;
	struct out o = { buf };
	const char *why;
	int i;

	PUT(&o, "{\"timestamp_ns\":");
	put_u64(&o, real_ns);
	KV(&o, "ip_version", f->ipver);
	KV(&o, "protocol", f->l4proto);
	one_hot(&o, f->l4proto);
	for (i = 0; i < 8; i++)
		kv(&o, tcp_keys[i], 7, (f->tcp_flags >> i) & 1);
	kv_port(&o, "src_port", 8, ports, f->sport);
	kv_port(&o, "dst_port", 8, ports, f->dport);
	KV(&o, "pkt_len", f->len);
	KV(&o, "payload_len", f->payload_len);
	KV(&o, "tos", f->tos);
	PUT(&o, ",\"interface\":");
	put(&o, iface_json, strlen(iface_json));
	kv_addr(&o, "src", 3, family, l3, f->saddr);
	kv_addr(&o, "dst", 3, family, l3, f->daddr);
	if (f->flags & XG_EV_RULE && rule_id)
		KV(&o, "rule", rule_id);
	else
		PUT(&o, ",\"rule\":null");
	why = xg_reason_name(f->reason);
	PUT(&o, ",\"reason\":\"");
	put(&o, why, strlen(why));
	PUT(&o, "\"}\n");
	return o.p - buf;
}
