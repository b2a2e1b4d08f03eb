// SPDX-License-Identifier: GPL-2.0
/* xg-stats -j: a renderer of struct xg_report, through the JSON writer. */
#include <errno.h>
#include <sys/socket.h>

#include "xg.h"

static void json_list(struct xg_json *j, const char *name,
		      const struct xg_list_counts *c)
{
	xg_json_key(j, name);
	xg_json_obj_open(j);
	xg_json_kv_u64(j, "hosts_ipv4", c->hosts4);
	xg_json_kv_u64(j, "hosts_ipv6", c->hosts6);
	xg_json_kv_u64(j, "prefixes_ipv4", c->prefixes4);
	xg_json_kv_u64(j, "prefixes_ipv6", c->prefixes6);
	xg_json_kv_u64(j, "max_hosts", c->max_hosts);
	xg_json_kv_u64(j, "max_prefixes", c->max_prefixes);
	xg_json_obj_close(j);
}

static void json_counter(struct xg_json *j, const char *name,
			 const struct xg_counter *k)
{
	xg_json_key(j, name);
	xg_json_obj_open(j);
	xg_json_kv_u64(j, "packets", k->packets);
	xg_json_kv_u64(j, "bytes", k->bytes);
	xg_json_obj_close(j);
}

/* "counters": {class: {reason: {packets, bytes}}}, then "total":
 * {packets, bytes, dropped}; both null when s is NULL.
 */
static void json_counters(struct xg_json *j, const struct xg_stats *s,
			  const struct xg_config *cfg)
{
	struct xg_counter total;
	__u64 dropped;
	int c, re;

	xg_json_key(j, "counters");
	if (!s) {
		xg_json_null(j);
		xg_json_key(j, "total");
		xg_json_null(j);
		return;
	}
	xg_json_obj_open(j);
	for (c = 0; c < XG_C_MAX; c++) {
		xg_json_key(j, xg_class_name(c));
		xg_json_obj_open(j);
		for (re = 0; re < XG_R_MAX; re++)
			json_counter(j, xg_reason_name(re), &s->c[c][re]);
		xg_json_obj_close(j);
	}
	xg_json_obj_close(j);
	xg_stats_sum(s, cfg, &total, &dropped);
	xg_json_key(j, "total");
	xg_json_obj_open(j);
	xg_json_kv_u64(j, "packets", total.packets);
	xg_json_kv_u64(j, "bytes", total.bytes);
	xg_json_kv_u64(j, "dropped", dropped);
	xg_json_obj_close(j);
}

static void json_ifaces(struct xg_json *j, const struct xg_report *r)
{
	const struct xg_report_iface *ri;
	size_t i;

	xg_json_key(j, "interfaces");
	xg_json_arr_open(j);
	for (i = 0; i < r->nifaces; i++) {
		ri = &r->ifaces[i];
		xg_json_obj_open(j);
		xg_json_kv_str(j, "interface", ri->ifname);
		xg_json_kv_str(j, "netns", ri->netns[0] ? ri->netns : NULL);
		xg_json_kv_u64(j, "ifindex", ri->ifindex);
		xg_json_kv_str(j, "mode", xg_mode_name(ri->mode));
		xg_json_kv_u64(j, "link_id", ri->link_id);
		xg_json_key(j, "slot");
		if (xg_slot_valid(ri->slot))
			xg_json_u64(j, ri->slot);
		else
			xg_json_null(j);
		json_counters(j, xg_slot_valid(ri->slot) ? &ri->stats : NULL,
			      &r->config);
		xg_json_obj_close(j);
	}
	xg_json_arr_close(j);
}

static void json_prefix(struct xg_json *j, const struct xg_prefix *p)
{
	char a[64];

	xg_format_prefix(p, a, sizeof(a));
	xg_json_kv_str(j, "address", a);
	xg_json_kv_str(j, "family", p->family == AF_INET ? "ipv4" : "ipv6");
	xg_json_kv_u64(j, "prefix_len", p->len);
}

static void json_top_rules(struct xg_json *j, const struct xg_report *r)
{
	size_t i;

	xg_json_key(j, "top_rules");
	if (!r->top) {
		xg_json_null(j);
		return;
	}
	xg_json_arr_open(j);
	for (i = 0; i < r->ntop_rules; i++) {
		const struct xg_report_rule *t = &r->top_rules[i];

		xg_json_obj_open(j);
		xg_json_kv_u64(j, "id", t->src.r.id);
		xg_json_kv_u64(j, "prio", t->src.r.prio);
		xg_json_kv_str(j, "action",
			       xg_rule_action_name(t->src.r.action));
		xg_json_kv_u64(j, "hits", t->hits.packets);
		xg_json_kv_u64(j, "bytes", t->hits.bytes);
		xg_json_obj_close(j);
	}
	xg_json_arr_close(j);
}

static void json_top(struct xg_json *j, const struct xg_report *r)
{
	__u64 now = xg_now_ns();
	size_t i;
	int k;

	xg_json_key(j, "top_sources");
	if (!r->top)
		xg_json_null(j);
	else
		xg_json_arr_open(j);
	for (i = 0; r->top && i < r->ntop_sources; i++) {
		const struct xg_top_source *s = &r->top_sources[i];

		xg_json_obj_open(j);
		json_prefix(j, &s->prefix);
		xg_json_kv_u64(j, "drops_last_s", s->drops_last_s);
		xg_json_key(j, "limits");
		xg_json_arr_open(j);
		for (k = 0; k < XG_LIM_SRC; k++)
			if (s->limits & (1U << k))
				xg_json_str(j, xg_limit_name(k));
		xg_json_arr_close(j);
		xg_json_obj_close(j);
	}
	if (r->top)
		xg_json_arr_close(j);
	xg_json_key(j, "top_entries");
	if (!r->top)
		xg_json_null(j);
	else
		xg_json_arr_open(j);
	for (i = 0; r->top && i < r->ntop_entries; i++) {
		const struct xg_top_entry *e = &r->top_entries[i];

		xg_json_obj_open(j);
		xg_json_kv_str(j, "list",
			       e->list == XG_LIST_BLOCK ? "blocklist" :
							  "allowlist");
		json_prefix(j, &e->item.prefix);
		xg_json_kv_u64(j, "hits", e->item.entry.hits);
		xg_json_key(j, "expires_in");
		if (e->item.entry.expires_ns)
			xg_json_u64(j,
				    xg_entry_expires_in(&e->item.entry, now));
		else
			xg_json_null(j);
		xg_json_kv_bool(j, "auto", e->item.entry.flags & XG_E_AUTO);
		xg_json_kv_str(j, "origin",
			       xg_origin_name(r->origins, &e->item.entry));
		xg_json_obj_close(j);
	}
	if (r->top)
		xg_json_arr_close(j);
	json_top_rules(j, r);
}

static void json_limit(struct xg_json *j, const char *name,
		       const struct xg_limit *l)
{
	xg_json_key(j, name);
	xg_json_obj_open(j);
	xg_json_kv_u64(j, "rate", l->rate);
	xg_json_kv_u64(j, "burst", l->rate ? l->burst : 0);
	xg_json_obj_close(j);
}

/* The start of an attack, as wall-clock time; null when calm. */
static void json_since(struct xg_json *j, const struct xg_admission *a,
		       __s64 limits_to_real)
{
	char tbuf[64];

	xg_json_key(j, "since");
	if (!a->engaged) {
		xg_json_null(j);
		return;
	}
	xg_format_time(a->since_ns + limits_to_real, tbuf, sizeof(tbuf));
	xg_json_str(j, tbuf);
}

/* "attack": the seeds' ddos_active, and since when; "admission": per
 * class, the state, the counts and the budget and ceiling in force.
 */
static void json_admission(struct xg_json *j, const struct xg_report *r)
{
	const struct xg_admission *first = NULL;
	__s64 b2r = r->limits_to_real;
	int k;

	for (k = 0; k < XG_LIM_SRC; k++)
		if (r->admission[k].engaged &&
		    (!first || r->admission[k].since_ns < first->since_ns))
			first = &r->admission[k];
	xg_json_key(j, "attack");
	xg_json_obj_open(j);
	xg_json_kv_bool(j, "engaged", first != NULL);
	if (first) {
		json_since(j, first, b2r);
	} else {
		xg_json_key(j, "since");
		xg_json_null(j);
	}
	xg_json_key(j, "classes");
	xg_json_arr_open(j);
	for (k = 0; k < XG_LIM_SRC; k++)
		if (r->admission[k].engaged)
			xg_json_str(j, xg_limit_name(k));
	xg_json_arr_close(j);
	/* SYN cookies answer for the listeners now */
	xg_json_kv_bool(j, "syn_cookies", r->sc.engaged);
	xg_json_obj_close(j);

	xg_json_key(j, "admission");
	xg_json_obj_open(j);
	for (k = 0; k < XG_LIM_SRC; k++) {
		const struct xg_admission *a = &r->admission[k];

		xg_json_key(j, xg_limit_name(k));
		xg_json_obj_open(j);
		xg_json_kv_bool(j, "attack", a->engaged);
		json_since(j, a, b2r);
		xg_json_kv_u64(j, "seconds", a->for_ns / XG_NSEC_PER_SEC);
		xg_json_kv_u64(j, "admitted_last_s", a->admitted_last_s);
		xg_json_kv_u64(j, "refused_last_s", a->refused_last_s);
		xg_json_kv_u64(j, "admitted", a->admitted);
		xg_json_kv_u64(j, "refused", a->refused);
		json_limit(j, "budget", &r->config.limit[XG_LIM_NEW + k]);
		json_limit(j, "ceiling", &r->config.limit[XG_LIM_GLOBAL + k]);
		xg_json_obj_close(j);
	}
	xg_json_obj_close(j);
}

static void json_sc(struct xg_json *j, const struct xg_sc_report *c)
{
	xg_json_key(j, "syn_cookies");
	xg_json_obj_open(j);
	xg_json_kv_u64(j, "sent", c->sent);
	xg_json_kv_u64(j, "bad", c->bad);
	xg_json_kv_u64(j, "acks_valid", c->acks_valid);
	xg_json_kv_u64(j, "fallback", c->fallback);
	xg_json_kv_u64(j, "no_listener", c->no_listener);
	xg_json_kv_u64(j, "unsupported", c->unsupported);
	xg_json_kv_bool(j, "engaged", c->engaged);
	xg_json_obj_close(j);
}

/* "NAME": {rate, burst, sent, sampled, lost}, left open */
static void json_budget(struct xg_json *j, const char *name,
			const struct xg_limit *l, __u64 sent, __u64 sampled,
			__u64 lost)
{
	xg_json_key(j, name);
	xg_json_obj_open(j);
	xg_json_kv_u64(j, "rate", l->rate);
	xg_json_kv_u64(j, "burst", l->rate ? l->burst : 0);
	xg_json_kv_u64(j, "sent", sent);
	xg_json_kv_u64(j, "sampled", sampled);
	xg_json_kv_u64(j, "lost", lost);
}

int xg_report_json(const struct xg_report *r)
{
	const struct xg_limit *ev = &r->config.limit[XG_LIM_EVENTS];
	struct xg_json *j = xg_json_new(stdout);

	if (!j)
		return xg_fail(-ENOMEM, "out of memory");
	xg_json_obj_open(j);
	xg_json_kv_str(j, "version", XG_VERSION);
	xg_json_kv_u64(j, "abi", r->abi);
	xg_json_kv_str(j, "pin_dir", r->pin_dir);
	json_ifaces(j, r);
	xg_json_key(j, "lists");
	xg_json_obj_open(j);
	json_list(j, "blocklist", &r->block);
	json_list(j, "allowlist", &r->allow);
	xg_json_obj_close(j);
	xg_json_key(j, "tracking");
	xg_json_obj_open(j);
	xg_json_kv_u64(j, "sources", r->sources);
	xg_json_kv_u64(j, "max_sources", r->max_sources);
	xg_json_obj_close(j);
	xg_json_kv_u64(j, "bans", r->bans);
	json_admission(j, r);
	json_sc(j, &r->sc);
	xg_json_key(j, "config");
	xg_json_obj_open(j);
	xg_json_kv_bool(j, "drop_malformed",
			r->config.flags & XG_CFG_DROP_MALFORMED);
	xg_json_obj_close(j);
	xg_json_key(j, "events");
	xg_json_obj_open(j);
	xg_json_kv_u64(j, "rate", ev->rate);
	xg_json_kv_u64(j, "burst", ev->rate ? ev->burst : 0);
	xg_json_kv_u64(j, "sent", r->events.sent);
	xg_json_kv_u64(j, "sampled", r->events.sampled);
	xg_json_kv_u64(j, "lost", r->events.lost);
	xg_json_obj_close(j);
	json_budget(j, "monitor", &r->config.limit[XG_LIM_MONITOR],
		    r->events.mon_sent, r->events.mon_sampled,
		    r->events.mon_lost);
	xg_json_obj_close(j);
	json_budget(j, "features", &r->config.limit[XG_LIM_FEATURES],
		    r->events.feat_sent, r->events.feat_sampled,
		    r->events.feat_lost);
	/* N of 1/N, 0: monitor rules only */
	xg_json_kv_u64(j, "sample", r->config.feat_n);
	xg_json_obj_close(j);
	json_counters(j, &r->stats, &r->config);
	xg_json_key(j, "detached");
	if (r->selected) {
		xg_json_null(j);
	} else {
		xg_json_obj_open(j);
		json_counters(j, &r->detached, &r->config);
		xg_json_obj_close(j);
	}
	json_top(j, r);
	xg_json_obj_close(j);
	xg_json_free(j);
	return 0;
}
