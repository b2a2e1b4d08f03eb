// SPDX-License-Identifier: GPL-2.0
/* Drop events: the records the program puts in the xg_events ring buffer,
 * decoded into the text line and the NDJSON object of xg-events(8); and
 * the interface names those need.
 */
#include <errno.h>
#include <string.h>
#include <arpa/inet.h>
#include <netinet/in.h>

#include <bpf/bpf.h>

#include "xg.h"

int xg_event_reason(const char *name)
{
	char canon[32];
	int r;
	size_t i;

	if (strlen(name) >= sizeof(canon))
		return -1;
	for (i = 0; name[i]; i++)
		canon[i] = name[i] == '-' ? '_' : name[i];
	canon[i] = '\0';
	for (r = 0; r < XG_R_MAX; r++) {
		/* the reasons that pass a packet never make an event, nor
		 * a SYN answered with a cookie
		 */
		if (r == XG_R_PASS || r == XG_R_ALLOWLISTED ||
		    r == XG_R_COOKIE_SENT)
			continue;
		if (!strcmp(canon, xg_reason_name(r)))
			return r;
	}
	return -1;
}

/* ---- decoding -------------------------------------------------------------- */

static bool has(const struct xg_event *ev, __u8 flag)
{
	return ev->flags & flag;
}

/* Whether tcp_flags holds the flags: a TCP header that parsed (a
 * malformed one may still show its ports).
 */
static bool has_tcp_flags(const struct xg_event *ev)
{
	return has(ev, XG_EV_PORTS) && ev->l4proto == IPPROTO_TCP &&
	       ev->reason != XG_R_MALFORMED;
}

static void addr_str(const struct xg_event *ev, const __u32 *a, char *buf,
		     size_t len)
{
	if (!inet_ntop(has(ev, XG_EV_IPV6) ? AF_INET6 : AF_INET, a, buf, len))
		snprintf(buf, len, "?");
}

/* TCP flags by bit, as tcpdump prints them ('.' for ACK) and by name. */
static const struct {
	char letter;
	const char *name;
} tcp_flags[8] = {
	{ 'F', "FIN" }, { 'S', "SYN" }, { 'R', "RST" }, { 'P', "PSH" },
	{ '.', "ACK" }, { 'U', "URG" }, { 'E', "ECE" }, { 'W', "CWR" },
};

static const char *family(const struct xg_event *ev)
{
	if (!has(ev, XG_EV_L3))
		return NULL;
	return has(ev, XG_EV_IPV6) ? "ipv6" : "ipv4";
}

/* ---- text ------------------------------------------------------------------ */

/* ADDR, ADDR:PORT or [ADDR6]:PORT */
static void endpoint(const struct xg_event *ev, const __u32 *a, __u16 port,
		     char *buf, size_t len)
{
	char s[INET6_ADDRSTRLEN];

	addr_str(ev, a, s, sizeof(s));
	if (!has(ev, XG_EV_PORTS))
		snprintf(buf, len, "%s", s);
	else if (has(ev, XG_EV_IPV6))
		snprintf(buf, len, "[%s]:%u", s, port);
	else
		snprintf(buf, len, "%s:%u", s, port);
}

static void text_l3(FILE *f, const struct xg_event *ev)
{
	char src[INET6_ADDRSTRLEN + 8], dst[INET6_ADDRSTRLEN + 8];
	int i;

	if (!has(ev, XG_EV_L3)) {
		fputs(" -", f);
		return;
	}
	endpoint(ev, ev->saddr, ev->sport, src, sizeof(src));
	endpoint(ev, ev->daddr, ev->dport, dst, sizeof(dst));
	fprintf(f, " %s -> %s", src, dst);
	if (has_tcp_flags(ev)) {
		fputs(" [", f);
		for (i = 0; i < 8; i++)
			if (ev->tcp_flags & (1U << i))
				fputc(tcp_flags[i].letter, f);
		fputs(ev->tcp_flags ? "]" : "none]", f);
	}
	if (has(ev, XG_EV_ICMP))
		fprintf(f, " type %u code %u", ev->sport, ev->dport);
	if (has(ev, XG_EV_FRAG))
		fputs(" frag", f);
	if (ev->class == XG_C_OTHER_IP)
		fprintf(f, " proto %u", ev->l4proto);
}

static void iface_name(const struct xg_ifname *iface, char *buf, size_t len)
{
	if (!iface || !iface->ifname[0])
		snprintf(buf, len, "(unknown)");
	else
		xg_iface_label(iface->ifname, iface->netns, buf, len);
}

void xg_event_print_text(FILE *f, const struct xg_event *ev, __u64 real_ns,
			 const struct xg_ifname *iface, __u32 rule_id)
{
	char when[40], name[XG_IFNAMSIZ + XG_NETNSSIZ + 2], what[32];

	xg_format_time(real_ns, when, sizeof(when));
	iface_name(iface, name, sizeof(name));
	if (ev->type == XG_EVT_MONITOR)
		snprintf(what, sizeof(what), "monitor rule %u", rule_id);
	else if (ev->type == XG_EVT_PORTSCAN)
		snprintf(what, sizeof(what), "portscan");
	else
		snprintf(what, sizeof(what), "%s", xg_reason_name(ev->reason));
	fprintf(f, "%s %s %s %s", when, name, what, xg_class_name(ev->class));
	text_l3(f, ev);
	fprintf(f, " len %u\n", ev->len);
}

/* ---- JSON ------------------------------------------------------------------ */

static void kv_u64_or_null(struct xg_json *j, const char *k, bool valid,
			   __u64 v)
{
	xg_json_key(j, k);
	if (valid)
		xg_json_u64(j, v);
	else
		xg_json_null(j);
}

static void json_addrs(struct xg_json *j, const struct xg_event *ev)
{
	char s[INET6_ADDRSTRLEN];
	bool l3 = has(ev, XG_EV_L3);

	xg_json_kv_str(j, "family", family(ev));
	if (l3)
		addr_str(ev, ev->saddr, s, sizeof(s));
	xg_json_kv_str(j, "src", l3 ? s : NULL);
	if (l3)
		addr_str(ev, ev->daddr, s, sizeof(s));
	xg_json_kv_str(j, "dst", l3 ? s : NULL);
	kv_u64_or_null(j, "ip_proto", l3, ev->l4proto);
}

static void json_l4(struct xg_json *j, const struct xg_event *ev)
{
	bool ports = has(ev, XG_EV_PORTS), icmp = has(ev, XG_EV_ICMP);
	int i;

	kv_u64_or_null(j, "sport", ports, ev->sport);
	kv_u64_or_null(j, "dport", ports, ev->dport);
	kv_u64_or_null(j, "icmp_type", icmp, ev->sport);
	kv_u64_or_null(j, "icmp_code", icmp, ev->dport);
	xg_json_key(j, "tcp_flags");
	if (!has_tcp_flags(ev)) {
		xg_json_null(j);
		return;
	}
	xg_json_arr_open(j);
	for (i = 0; i < 8; i++)
		if (ev->tcp_flags & (1U << i))
			xg_json_str(j, tcp_flags[i].name);
	xg_json_arr_close(j);
}

void xg_event_print_json(FILE *f, const struct xg_event *ev, __u64 real_ns,
			 const struct xg_ifname *iface, __u32 rule_id)
{
	bool mon = ev->type == XG_EVT_MONITOR;
	bool known = iface && iface->ifname[0];
	struct xg_json *j = xg_json_new(f);
	char when[40];

	if (!j)
		return;
	xg_format_time(real_ns, when, sizeof(when));
	xg_json_obj_open(j);
	xg_json_kv_str(j, "type",
		       mon			   ? "monitor" :
		       ev->type == XG_EVT_PORTSCAN ? "portscan" :
						     "drop");
	if (mon)
		kv_u64_or_null(j, "rule", rule_id, rule_id);
	xg_json_kv_str(j, "time", when);
	xg_json_kv_u64(j, "ts_ns", ev->ts_ns);
	xg_json_kv_str(j, "interface", known ? iface->ifname : NULL);
	xg_json_kv_str(j, "netns",
		       known && iface->netns[0] ? iface->netns : NULL);
	xg_json_kv_u64(j, "ifindex", ev->ifindex);
	xg_json_kv_str(j, "reason", xg_reason_name(ev->reason));
	xg_json_kv_str(j, "protocol", xg_class_name(ev->class));
	json_addrs(j, ev);
	json_l4(j, ev);
	xg_json_kv_bool(j, "fragment", has(ev, XG_EV_FRAG));
	xg_json_kv_u64(j, "len", ev->len);
	xg_json_obj_close(j);
	xg_json_free(j);
}
