// SPDX-License-Identifier: GPL-2.0
/* xg-stats' text output: a renderer of struct xg_report. */
#include <stdio.h>
#include <string.h>

#include "xg.h"

static const char *plural(__u64 n, const char *one, const char *many)
{
	return n == 1 ? one : many;
}

static void text_list(const char *name, const struct xg_list_counts *c)
{
	__u64 h = c->hosts4 + c->hosts6, p = c->prefixes4 + c->prefixes6;

	printf("  %s: %llu %s, %llu %s (limits %u hosts, %u prefixes)\n", name,
	       (unsigned long long)h, plural(h, "host", "hosts"),
	       (unsigned long long)p, plural(p, "prefix", "prefixes"),
	       c->max_hosts, c->max_prefixes);
}

static void text_counters(const struct xg_stats *s)
{
	struct xg_counter total = {};
	char cls[16], rsn[16];
	int c, re;

	printf("%-9s %-11s %14s %15s\n", "CLASS", "REASON", "PACKETS", "BYTES");
	for (c = 0; c < XG_C_MAX; c++) {
		for (re = 0; re < XG_R_MAX; re++) {
			const struct xg_counter *k = &s->c[c][re];

			total.packets += k->packets;
			total.bytes += k->bytes;
			if (!k->packets && !k->bytes)
				continue;
			xg_text_name(xg_class_name(c), cls, sizeof(cls));
			xg_text_name(xg_reason_name(re), rsn, sizeof(rsn));
			printf("%-9s %-11s %14llu %15llu\n", cls, rsn,
			       (unsigned long long)k->packets,
			       (unsigned long long)k->bytes);
		}
	}
	printf("%-9s %-11s %14llu %15llu\n", "total", "",
	       (unsigned long long)total.packets,
	       (unsigned long long)total.bytes);
}

static void text_iface_row(const char *label, const struct xg_stats *s,
			   const struct xg_config *cfg)
{
	struct xg_counter t;
	__u64 dropped;

	xg_stats_sum(s, cfg, &t, &dropped);
	printf("%-32s %14llu %14llu %14llu\n", label,
	       (unsigned long long)t.packets,
	       (unsigned long long)(t.packets - dropped),
	       (unsigned long long)dropped);
}

/* Packets, passed and dropped per interface; the detached slot if it
 * counted anything. Nothing at all when there is no row.
 */
static void text_per_iface(const struct xg_report *r)
{
	char label[XG_IFNAMSIZ + XG_NETNSSIZ + 1];
	struct xg_counter t;
	__u64 dropped;
	bool head = false;
	size_t i;

	xg_stats_sum(&r->detached, &r->config, &t, &dropped);
	for (i = 0; i <= r->nifaces; i++) {
		const struct xg_report_iface *ri = &r->ifaces[i];

		if (i == r->nifaces ? !t.packets : !xg_slot_valid(ri->slot))
			continue;
		if (!head)
			printf("%-32s %14s %14s %14s\n", "INTERFACE", "PACKETS",
			       "PASSED", "DROPPED");
		head = true;
		if (i == r->nifaces) {
			text_iface_row("(detached)", &r->detached, &r->config);
			break;
		}
		xg_iface_label(ri->ifname, ri->netns, label, sizeof(label));
		text_iface_row(label, &ri->stats, &r->config);
	}
}

/* "NAME: RATE/s, burst B[EXTRA]; S sent, N sampled out, L lost" */
static void text_budget(const char *name, const struct xg_limit *l,
			const char *extra, __u64 sent, __u64 sampled,
			__u64 lost)
{
	if (l->rate)
		printf("%s: %u/s, burst %u%s; ", name, l->rate, l->burst,
		       extra);
	else
		printf("%s: off; ", name);
	printf("%llu sent, %llu sampled out, %llu lost\n",
	       (unsigned long long)sent, (unsigned long long)sampled,
	       (unsigned long long)lost);
}

/* The budgets of drop events, monitor events and features. */
static void text_events(const struct xg_report *r)
{
	const struct xg_limit *l = r->config.limit;
	const struct xg_evstats *e = &r->events;
	char sample[32];

	if (r->config.feat_n)
		snprintf(sample, sizeof(sample), ", sample 1/%u",
			 r->config.feat_n);
	else
		snprintf(sample, sizeof(sample), ", monitor rules only");
	text_budget("events", &l[XG_LIM_EVENTS], "", e->sent, e->sampled,
		    e->lost);
	text_budget("monitor", &l[XG_LIM_MONITOR], "", e->mon_sent,
		    e->mon_sampled, e->mon_lost);
	text_budget("features", &l[XG_LIM_FEATURES], sample, e->feat_sent,
		    e->feat_sampled, e->feat_lost);
}

/* "attack 12 s", or "calm". */
static void attack_text(const struct xg_admission *a, char *buf, size_t len)
{
	if (a->engaged)
		snprintf(buf, len, "attack %llu s",
			 (unsigned long long)(a->for_ns / XG_NSEC_PER_SEC));
	else
		snprintf(buf, len, "calm");
}

static void text_admission(const struct xg_report *r)
{
	char state[32];
	int k;

	printf("%-9s %-14s %11s %11s %12s %12s\n", "new", "state", "admitted/s",
	       "refused/s", "admitted", "refused");
	for (k = 0; k < XG_LIM_SRC; k++) {
		const struct xg_admission *a = &r->admission[k];

		attack_text(a, state, sizeof(state));
		printf("%-9s %-14s %11llu %11llu %12llu %12llu\n",
		       xg_limit_name(k), state,
		       (unsigned long long)a->admitted_last_s,
		       (unsigned long long)a->refused_last_s,
		       (unsigned long long)a->admitted,
		       (unsigned long long)a->refused);
	}
}

/* The SYN cookies: engaged while a cookie went out in the last
 * XG_ATTACK_QUIET_NS, as a class is under attack.
 */
static void text_sc(const struct xg_report *r)
{
	const struct xg_sc_report *c = &r->sc;

	printf("syn cookies: %s, %llu sent, %llu bad acks, %llu valid acks, "
	       "%llu fallback, %llu no listener, %llu unsupported\n",
	       c->engaged			   ? "engaged" :
	       r->config.flags & XG_CFG_SYNCOOKIES ? "idle" :
						     "off",
	       (unsigned long long)c->sent, (unsigned long long)c->bad,
	       (unsigned long long)c->acks_valid,
	       (unsigned long long)c->fallback,
	       (unsigned long long)c->no_listener,
	       (unsigned long long)c->unsupported);
}

static void limits_text(__u32 mask, char *buf, size_t len)
{
	size_t off = 0;
	int k;

	buf[0] = '\0';
	for (k = 0; k < XG_LIM_SRC; k++)
		if (mask & (1U << k))
			off += snprintf(buf + off, len - off, "%s%s",
					off ? "," : "", xg_limit_name(k));
	if (!off)
		snprintf(buf, len, "-");
}

/* The rules as xg-rule list shows them, with their bytes too. */
static void text_top_rules(const struct xg_report *r)
{
	char match[512], act[64];
	size_t i;

	printf("top rules (hits):\n");
	if (!r->ntop_rules)
		printf("  none\n");
	else
		printf("  %6s %6s %12s %15s  %s\n", "ID", "PRIO", "HITS",
		       "BYTES", "RULE");
	for (i = 0; i < r->ntop_rules; i++) {
		const struct xg_report_rule *t = &r->top_rules[i];

		xg_rule_format_match(&t->src, match, sizeof(match));
		xg_rule_format_action(&t->src.r, act, sizeof(act));
		printf("  %6u %6u %12llu %15llu  %s %s\n", t->src.r.id,
		       t->src.r.prio, (unsigned long long)t->hits.packets,
		       (unsigned long long)t->hits.bytes, match, act);
	}
}

static void text_top(const struct xg_report *r)
{
	char a[64], lim[32], exp[24];
	__u64 now = xg_now_ns();
	size_t i;

	printf("top sources (rate-limit drops in the last second):\n");
	if (!r->ntop_sources)
		printf("  none\n");
	else
		printf("  %-40s %12s  %s\n", "SOURCE", "DROPS/S", "LIMITS");
	for (i = 0; i < r->ntop_sources; i++) {
		const struct xg_top_source *s = &r->top_sources[i];

		xg_format_prefix(&s->prefix, a, sizeof(a));
		limits_text(s->limits, lim, sizeof(lim));
		printf("  %-40s %12llu  %s\n", a,
		       (unsigned long long)s->drops_last_s, lim);
	}
	printf("top entries (list hits):\n");
	if (!r->ntop_entries)
		printf("  none\n");
	else
		printf("  %-9s %-40s %10s %8s  %s\n", "LIST", "ADDRESS", "HITS",
		       "EXPIRES", "ORIGIN");
	for (i = 0; i < r->ntop_entries; i++) {
		const struct xg_top_entry *e = &r->top_entries[i];

		xg_format_prefix(&e->item.prefix, a, sizeof(a));
		if (e->item.entry.expires_ns)
			snprintf(exp, sizeof(exp), "%llus",
				 (unsigned long long)xg_entry_expires_in(
					 &e->item.entry, now));
		else
			snprintf(exp, sizeof(exp), "never");
		printf("  %-9s %-40s %10llu %8s  %s\n",
		       e->list == XG_LIST_BLOCK ? "blocklist" : "allowlist", a,
		       (unsigned long long)e->item.entry.hits, exp,
		       xg_origin_name(r->origins, &e->item.entry));
	}
	text_top_rules(r);
}

void xg_report_text(const struct xg_report *r)
{
	char label[XG_IFNAMSIZ + XG_NETNSSIZ + 1], slot[16];
	const struct xg_report_iface *ri;
	size_t i;

	printf("xdpguard %s (ABI %u), pins in %s\n", XG_VERSION, r->abi,
	       r->pin_dir);
	printf("interfaces:\n");
	if (!r->nifaces)
		printf("  none\n");
	for (i = 0; i < r->nifaces; i++) {
		ri = &r->ifaces[i];
		xg_iface_label(ri->ifname, ri->netns, label, sizeof(label));
		if (xg_slot_valid(ri->slot))
			snprintf(slot, sizeof(slot), "%d", ri->slot);
		else
			snprintf(slot, sizeof(slot), "-");
		printf("  %s: %s, ifindex %u, link %u, slot %s\n", label,
		       xg_mode_name(ri->mode), ri->ifindex, ri->link_id, slot);
	}
	printf("lists:\n");
	text_list("blocklist", &r->block);
	text_list("allowlist", &r->allow);
	printf("tracking: %llu %s (limit %u), %llu automatic %s\n",
	       (unsigned long long)r->sources,
	       plural(r->sources, "source", "sources"), r->max_sources,
	       (unsigned long long)r->bans, plural(r->bans, "ban", "bans"));
	printf("malformed packets: %s\n",
	       r->config.flags & XG_CFG_DROP_MALFORMED ? "dropped" : "passed");
	text_events(r);
	text_admission(r);
	text_sc(r);
	text_counters(&r->stats);
	if (!r->selected)
		text_per_iface(r);
	if (r->top)
		text_top(r);
}
