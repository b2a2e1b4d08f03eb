// SPDX-License-Identifier: GPL-2.0
/* xg-stats --prometheus: a renderer of struct xg_report in the
 * Prometheus text exposition format.
 */
#include <stdio.h>

#include "xg.h"

/* A label value: backslash, double quote and newline escaped. */
static void prom_label(const char *name, const char *v, bool first)
{
	printf("%s%s=\"", first ? "" : ",", name);
	for (; *v; v++) {
		if (*v == '\\')
			fputs("\\\\", stdout);
		else if (*v == '"')
			fputs("\\\"", stdout);
		else if (*v == '\n')
			fputs("\\n", stdout);
		else
			putchar(*v);
	}
	putchar('"');
}

static void prom_head(const char *name, const char *type, const char *help)
{
	printf("# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* NAME{result="sent|sampled|lost"} */
static void prom_results(const char *name, __u64 sent, __u64 sampled,
			 __u64 lost)
{
	printf("%s{result=\"sent\"} %llu\n", name, (unsigned long long)sent);
	printf("%s{result=\"sampled\"} %llu\n", name,
	       (unsigned long long)sampled);
	printf("%s{result=\"lost\"} %llu\n", name, (unsigned long long)lost);
}

static void prom_list(const char *list, const struct xg_list_counts *c)
{
	static const char *const fam[] = { "ipv4", "ipv6" };
	__u64 v[2][2] = { { c->hosts4, c->prefixes4 },
			  { c->hosts6, c->prefixes6 } };
	int f, k;

	for (f = 0; f < 2; f++) {
		for (k = 0; k < 2; k++) {
			printf("xdpguard_list_entries{");
			prom_label("list", list, true);
			prom_label("family", fam[f], false);
			prom_label("kind", k ? "prefix" : "host", false);
			printf("} %llu\n", (unsigned long long)v[f][k]);
		}
	}
}

static void prom_slot(const char *name, const char *iface,
		      const struct xg_stats *s, bool bytes)
{
	int c, re;

	for (c = 0; c < XG_C_MAX; c++) {
		for (re = 0; re < XG_R_MAX; re++) {
			const struct xg_counter *k = &s->c[c][re];

			printf("%s{", name);
			prom_label("interface", iface, true);
			prom_label("protocol", xg_class_name(c), false);
			prom_label("reason", xg_reason_name(re), false);
			printf("} %llu\n",
			       (unsigned long long)(bytes ? k->bytes :
							    k->packets));
		}
	}
}

static void prom_sc(const struct xg_sc_report *c)
{
	const struct {
		const char *kind;
		__u64 v;
	} k[] = {
		{ "sent", c->sent },
		{ "bad", c->bad },
		{ "acks_valid", c->acks_valid },
		{ "fallback", c->fallback },
		{ "no_listener", c->no_listener },
		{ "unsupported", c->unsupported },
	};
	size_t i;

	prom_head("xdpguard_syncookies_total", "counter",
		  "SYN cookies: SYNs answered from XDP (sent), ACKs with an "
		  "invalid cookie dropped (bad) or a valid one passed "
		  "(acks_valid), SYNs the listener took (fallback), packets "
		  "to a cookie port with no listener or that XDP cannot "
		  "answer (unsupported).");
	for (i = 0; i < XG_ARRAY_SIZE(k); i++)
		printf("xdpguard_syncookies_total{kind=\"%s\"} %llu\n",
		       k[i].kind, (unsigned long long)k[i].v);
	prom_head("xdpguard_syncookies_engaged", "gauge",
		  "1 while XDP has sent a SYN cookie in the last 2 seconds.");
	printf("xdpguard_syncookies_engaged %d\n", c->engaged);
}

/* Every guarded interface with a slot, then the detached slot if it
 * counted anything: the samples of one metric add up to the totals.
 */
static void prom_counters(const struct xg_report *r, const char *name,
			  bool bytes)
{
	char label[XG_IFNAMSIZ + XG_NETNSSIZ + 1];
	struct xg_counter t;
	__u64 dropped;
	size_t i;

	for (i = 0; i < r->nifaces; i++) {
		const struct xg_report_iface *ri = &r->ifaces[i];

		if (!xg_slot_valid(ri->slot))
			continue;
		xg_iface_label(ri->ifname, ri->netns, label, sizeof(label));
		prom_slot(name, label, &ri->stats, bytes);
	}
	xg_stats_sum(&r->detached, &r->config, &t, &dropped);
	if (t.packets || t.bytes)
		prom_slot(name, "(detached)", &r->detached, bytes);
}

static void prom_admission(const struct xg_report *r)
{
	__s64 b2r = r->limits_to_real;
	int k;

	prom_head("xdpguard_new_sources_total", "counter",
		  "Packets of sources the tracker did not know: admitted "
		  "(and tracked) within the class's budget of new sources, "
		  "or refused and sent to the class's ceiling.");
	for (k = 0; k < XG_LIM_SRC; k++) {
		printf("xdpguard_new_sources_total{class=\"%s\","
		       "result=\"admitted\"} %llu\n",
		       xg_limit_name(k),
		       (unsigned long long)r->admission[k].admitted);
		printf("xdpguard_new_sources_total{class=\"%s\","
		       "result=\"refused\"} %llu\n",
		       xg_limit_name(k),
		       (unsigned long long)r->admission[k].refused);
	}
	prom_head("xdpguard_under_attack", "gauge",
		  "1 while the class's budget of new sources refuses sources "
		  "(and for 2 s after).");
	for (k = 0; k < XG_LIM_SRC; k++)
		printf("xdpguard_under_attack{class=\"%s\"} %d\n",
		       xg_limit_name(k), r->admission[k].engaged);
	prom_head("xdpguard_attack_start_seconds", "gauge",
		  "Unix time the current attack on the class began; 0 when "
		  "calm.");
	for (k = 0; k < XG_LIM_SRC; k++) {
		const struct xg_admission *a = &r->admission[k];

		printf("xdpguard_attack_start_seconds{class=\"%s\"} %lld\n",
		       xg_limit_name(k),
		       a->engaged ? (long long)((__s64)a->since_ns + b2r) /
					    (long long)XG_NSEC_PER_SEC :
				    0LL);
	}
}

static void prom_rules(const struct xg_report *r, const char *name, bool bytes)
{
	char id[16];
	size_t i;

	for (i = 0; i < r->nrules; i++) {
		const struct xg_report_rule *t = &r->rules[i];

		snprintf(id, sizeof(id), "%u", t->src.r.id);
		printf("%s{", name);
		prom_label("id", id, true);
		prom_label("action", xg_rule_action_name(t->src.r.action),
			   false);
		printf("} %llu\n",
		       (unsigned long long)(bytes ? t->hits.bytes :
						    t->hits.packets));
	}
}

void xg_report_prometheus(const struct xg_report *r)
{
	char label[XG_IFNAMSIZ + XG_NETNSSIZ + 1];
	const struct xg_report_iface *ri;
	size_t i;

	prom_head("xdpguard_packets_total", "counter",
		  "Packets seen by the XDP program, by interface, protocol "
		  "class and reason.");
	prom_counters(r, "xdpguard_packets_total", false);
	prom_head("xdpguard_bytes_total", "counter",
		  "Bytes of the packets seen by the XDP program, Ethernet "
		  "header included.");
	prom_counters(r, "xdpguard_bytes_total", true);
	prom_head("xdpguard_events_total", "counter",
		  "Dropped packets while drop events are on: sent as an "
		  "event, sampled out over the budget, or lost (ring buffer "
		  "full).");
	prom_results("xdpguard_events_total", r->events.sent, r->events.sampled,
		     r->events.lost);
	prom_head("xdpguard_monitor_events_total", "counter",
		  "Packets a monitor rule matched while monitor events are "
		  "on: sent, sampled out over the budget, or lost.");
	prom_results("xdpguard_monitor_events_total", r->events.mon_sent,
		     r->events.mon_sampled, r->events.mon_lost);
	prom_head("xdpguard_features_total", "counter",
		  "Passing packets offered to the features budget (the "
		  "sample and monitor rules' matches): sent to xg-features, "
		  "sampled out over the budget, or lost.");
	prom_results("xdpguard_features_total", r->events.feat_sent,
		     r->events.feat_sampled, r->events.feat_lost);
	prom_head("xdpguard_list_entries", "gauge",
		  "Entries in the blocklist and the allowlist.");
	prom_list("blocklist", &r->block);
	prom_list("allowlist", &r->allow);
	prom_head("xdpguard_tracked_sources", "gauge",
		  "Sources tracked for the rate limits.");
	printf("xdpguard_tracked_sources %llu\n",
	       (unsigned long long)r->sources);
	prom_admission(r);
	prom_sc(&r->sc);
	prom_head("xdpguard_automatic_bans", "gauge",
		  "Automatic bans in force in the blocklist.");
	printf("xdpguard_automatic_bans %llu\n", (unsigned long long)r->bans);
	prom_head("xdpguard_interface_info", "gauge",
		  "A guarded interface; netns is empty for the namespace of "
		  "the pins.");
	for (i = 0; i < r->nifaces; i++) {
		ri = &r->ifaces[i];
		xg_iface_label(ri->ifname, ri->netns, label, sizeof(label));
		printf("xdpguard_interface_info{");
		prom_label("interface", label, true);
		prom_label("ifname", ri->ifname, false);
		prom_label("netns", ri->netns, false);
		prom_label("mode", xg_mode_name(ri->mode), false);
		printf("} 1\n");
	}
	prom_head("xdpguard_rule_hits_total", "counter",
		  "Packets that matched the rule (xg-rule), by rule id and "
		  "action.");
	prom_rules(r, "xdpguard_rule_hits_total", false);
	prom_head("xdpguard_rule_bytes_total", "counter",
		  "Bytes of the packets that matched the rule, Ethernet "
		  "header included.");
	prom_rules(r, "xdpguard_rule_bytes_total", true);
}
