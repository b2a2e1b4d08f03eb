// SPDX-License-Identifier: GPL-2.0
/* The settings of xg-threshold: their names, the grammar of a change,
 * the change applied to a copy of xg_config, and the settings written
 * back as the xg-threshold lines that make them (xg-save).
 */
#include <string.h>

#include "xg.h"

enum kind {
	K_LIMIT,
	K_EVENTS,
	K_BAN,
	K_V6,
	K_PORTSCAN,
	K_FEATURES,
	K_SYNCOOKIES,
};

const struct xg_thr_setting xg_thr_settings[] = {
	{ "syn", "syn", K_LIMIT, XG_LIM_SYN },
	{ "udp", "udp", K_LIMIT, XG_LIM_UDP },
	{ "icmp", "icmp", K_LIMIT, XG_LIM_ICMP },
	{ "frag", "frag", K_LIMIT, XG_LIM_FRAG },
	{ "syn-new", "syn_new", K_LIMIT, XG_LIM_NEW + XG_LIM_SYN },
	{ "udp-new", "udp_new", K_LIMIT, XG_LIM_NEW + XG_LIM_UDP },
	{ "icmp-new", "icmp_new", K_LIMIT, XG_LIM_NEW + XG_LIM_ICMP },
	{ "frag-new", "frag_new", K_LIMIT, XG_LIM_NEW + XG_LIM_FRAG },
	{ "syn-global", "syn_global", K_LIMIT, XG_LIM_GLOBAL + XG_LIM_SYN },
	{ "udp-global", "udp_global", K_LIMIT, XG_LIM_GLOBAL + XG_LIM_UDP },
	{ "icmp-global", "icmp_global", K_LIMIT, XG_LIM_GLOBAL + XG_LIM_ICMP },
	{ "frag-global", "frag_global", K_LIMIT, XG_LIM_GLOBAL + XG_LIM_FRAG },
	{ "events", "events", K_EVENTS, XG_LIM_EVENTS },
	{ "monitor", "monitor", K_EVENTS, XG_LIM_MONITOR },
	{ "features", "features", K_FEATURES, XG_LIM_FEATURES },
	{ "ban", "ban", K_BAN, 0 },
	{ "v6-prefix", "v6_prefix", K_V6, 0 },
	{ "portscan", "portscan", K_PORTSCAN, 0 },
	{ "syn-cookies", "syn_cookies", K_SYNCOOKIES, 0 },
};

#define XG_THR_N_SETTINGS XG_ARRAY_SIZE(xg_thr_settings)
_Static_assert(XG_THR_N_LIMITS == XG_LIM_EVENTS,
	       "one K_LIMIT row per packet limit of xg_config");
_Static_assert(XG_THR_N_SETTINGS == XG_THR_N_LIMITS + 7,
	       "settings[]: the limits, events, monitor, features, ban, "
	       "v6-prefix, portscan, syn-cookies");

/* An option given for a setting it does not belong to. */
static int not_for(struct xg_thr *o, const char *opt, const char *val,
		   const char *what)
{
	if (!val)
		return 0;
	if (!what)
		return xg_opt_bad(
			&o->co, "option '%s' needs a setting; see --help", opt);
	return xg_opt_bad(&o->co, "option '%s' does not apply to %s", opt,
			  what);
}

/* RATE [--burst N] or off; @max and @unit: the packet limits or events. */
static int parse_limit(const char *s, struct xg_thr *o, __u32 max,
		       const char *unit)
{
	__u64 v;

	if (!strcmp(s, "off")) {
		o->limit.rate = 0;
		o->limit.burst = 0;
		return not_for(o, "--burst", o->burst, "off");
	}
	if (xg_parse_u64(s, 1, max, &v))
		return xg_opt_bad(&o->co, "invalid rate '%s' (1-%u %s, or off)",
				  s, max, unit);
	o->limit.rate = v;
	v *= XG_DEF_BURST_FACTOR;
	o->limit.burst = v > XG_THR_BURST_MAX ? XG_THR_BURST_MAX : v;
	if (o->burst && xg_parse_u64(o->burst, 1, XG_THR_BURST_MAX, &v))
		return xg_opt_bad(&o->co, "invalid burst '%s' (1-%u)", o->burst,
				  XG_THR_BURST_MAX);
	if (o->burst)
		o->limit.burst = v;
	return 0;
}

static int parse_ban(const char *s, struct xg_thr *o)
{
	__u64 v;

	if (xg_parse_u64(s, 0, XG_THR_BAN_SECS_MAX, &v))
		return xg_opt_bad(&o->co,
				  "invalid ban time '%s' (0-%u seconds)", s,
				  XG_THR_BAN_SECS_MAX);
	o->value = v;
	if (o->factor &&
	    xg_parse_u64(o->factor, XG_THR_FACTOR_MIN, XG_THR_FACTOR_MAX, &v))
		return xg_opt_bad(&o->co, "invalid factor '%s' (%u-%u)",
				  o->factor, XG_THR_FACTOR_MIN,
				  XG_THR_FACTOR_MAX);
	if (o->factor)
		o->ban_factor = v;
	if (o->after && xg_parse_u64(o->after, 1, XG_THR_AFTER_MAX, &v))
		return xg_opt_bad(&o->co, "invalid after '%s' (1-%u seconds)",
				  o->after, XG_THR_AFTER_MAX);
	if (o->after)
		o->ban_after = v;
	return 0;
}

static int parse_value(const char *s, struct xg_thr *o)
{
	const char *w = o->set->word;
	__u64 v;
	int err;

	switch (o->set->kind) {
	case K_LIMIT:
	case K_EVENTS:
		err = not_for(o, "--factor", o->factor, w);
		if (!err)
			err = not_for(o, "--after", o->after, w);
		if (err)
			return err;
		if (o->set->kind == K_EVENTS)
			return parse_limit(s, o, XG_THR_EVENTS_RATE_MAX,
					   "events/s");
		if (o->set->lim >= XG_LIM_NEW && o->set->lim < XG_LIM_GLOBAL)
			return parse_limit(s, o, XG_THR_RATE_MAX, "sources/s");
		return parse_limit(s, o, XG_THR_RATE_MAX, "packets/s");
	case K_BAN:
		err = not_for(o, "--burst", o->burst, w);
		return err ? err : parse_ban(s, o);
	case K_V6:
		err = not_for(o, "--burst", o->burst, w);
		if (!err)
			err = not_for(o, "--factor", o->factor, w);
		if (!err)
			err = not_for(o, "--after", o->after, w);
		if (err)
			return err;
		if (xg_parse_u64(s, XG_V6_PREFIX_MIN, 128, &v))
			return xg_opt_bad(&o->co,
					  "invalid prefix length '%s' "
					  "(%u-128)",
					  s, XG_V6_PREFIX_MIN);
		o->value = v;
		return 0;
	case K_PORTSCAN: /* parse_words() */
	case K_FEATURES:
	case K_SYNCOOKIES:
		return 0;
	}
	return 0;
}

/* portscan N/Ts [ban SECONDS] | off: @n words from @w. */
static int parse_portscan(int n, char **w, struct xg_thr *o)
{
	char *slash = strchr(w[0], '/'), buf[64];
	__u64 v;
	size_t len;

	if (!strcmp(w[0], "off")) {
		if (n > 1)
			return xg_opt_bad(
				&o->co, "unexpected argument '%s'; see --help",
				w[1]);
		return 0;
	}
	if (!slash || strlen(w[0]) >= sizeof(buf))
		return xg_opt_bad(&o->co,
				  "invalid port scan '%s' (PORTS/SECONDSs, "
				  "such as 20/60s, or off)",
				  w[0]);
	snprintf(buf, sizeof(buf), "%.*s", (int)(slash - w[0]), w[0]);
	if (xg_parse_u64(buf, XG_THR_PS_PORTS_MIN, XG_THR_PS_PORTS_MAX, &v))
		return xg_opt_bad(&o->co,
				  "invalid port count '%s' (%u-%u ports)", buf,
				  XG_THR_PS_PORTS_MIN, XG_THR_PS_PORTS_MAX);
	o->ps_ports = v;
	snprintf(buf, sizeof(buf), "%s", slash + 1);
	len = strlen(buf);
	if (len && buf[len - 1] == 's')
		buf[len - 1] = '\0';
	if (xg_parse_u64(buf, 1, XG_THR_PS_WINDOW_MAX, &v))
		return xg_opt_bad(&o->co,
				  "invalid port scan window '%s' (1-%u "
				  "seconds)",
				  slash + 1, XG_THR_PS_WINDOW_MAX);
	o->ps_window = v;
	if (n == 1)
		return 0;
	if (n != 3 || strcmp(w[1], "ban"))
		return xg_opt_bad(&o->co,
				  "unexpected argument '%s'; see --help",
				  w[n == 2 || strcmp(w[1], "ban") ? 1 : 3]);
	if (xg_parse_u64(w[2], 1, XG_THR_BAN_SECS_MAX, &v))
		return xg_opt_bad(&o->co,
				  "invalid ban time '%s' (1-%u seconds)", w[2],
				  XG_THR_BAN_SECS_MAX);
	o->ps_ban = v;
	return 0;
}

/* features RATE[/BURST] | off, or features sample 1/N | off: @n words
 * from @w.
 */
static int parse_features(int n, char **w, struct xg_thr *o)
{
	char buf[64], *slash;
	__u64 v;

	if (strcmp(w[0], "sample")) {
		if (n > 1)
			return xg_opt_bad(
				&o->co, "unexpected argument '%s'; see --help",
				w[1]);
		slash = strchr(w[0], '/');
		if (!slash)
			return parse_limit(w[0], o, XG_THR_FEATURES_RATE_MAX,
					   "features/s");
		if (o->burst)
			return xg_opt_bad(&o->co,
					  "the burst is given twice, in '%s' "
					  "and --burst",
					  w[0]);
		/* RATE/BURST is RATE --burst BURST */
		snprintf(buf, sizeof(buf), "%.*s",
			 (int)(slash - w[0]) < 63 ? (int)(slash - w[0]) : 63,
			 w[0]);
		o->burst = slash + 1;
		return parse_limit(buf, o, XG_THR_FEATURES_RATE_MAX,
				   "features/s");
	}
	o->sample = true;
	if (n == 1)
		return xg_opt_bad(&o->co, "missing value for 'features "
					  "sample'; see --help");
	if (n > 2)
		return xg_opt_bad(&o->co,
				  "unexpected argument '%s'; see --help", w[2]);
	if (!strcmp(w[1], "off")) {
		o->value = 0;
		return not_for(o, "--burst", o->burst, "features sample");
	}
	if (strncmp(w[1], "1/", 2) ||
	    xg_parse_u64(w[1] + 2, 1, XG_THR_SAMPLE_MAX, &v))
		return xg_opt_bad(&o->co,
				  "invalid sample '%s' (1/N with N 1-%u, or "
				  "off)",
				  w[1], XG_THR_SAMPLE_MAX);
	o->value = v;
	return not_for(o, "--burst", o->burst, "features sample");
}

/* syn-cookies off|auto|on [port PORTS]: @n words from @w. */
static int parse_syncookies(int n, char **w, struct xg_thr *o)
{
	char err[200];

	if (!strcmp(w[0], "timestamps")) {
		o->sc_mode = -1;
		if (n == 1)
			return xg_opt_bad(&o->co,
					  "missing value for 'syn-cookies "
					  "timestamps'; see --help");
		if (n > 2)
			return xg_opt_bad(
				&o->co, "unexpected argument '%s'; see --help",
				w[2]);
		if (strcmp(w[1], "on") && strcmp(w[1], "off"))
			return xg_opt_bad(&o->co,
					  "invalid timestamps '%s' (on or off)",
					  w[1]);
		o->sc_ts = !strcmp(w[1], "on");
		return 0;
	}
	o->sc_mode = xg_sc_mode_of(w[0]);
	if (o->sc_mode < 0)
		return xg_opt_bad(&o->co,
				  "invalid syn-cookies mode '%s' (off, auto, "
				  "on or timestamps)",
				  w[0]);
	o->sc_all = n == 1;
	if (n == 1)
		return 0;
	if (strcmp(w[1], "port"))
		return xg_opt_bad(&o->co,
				  "unexpected argument '%s'; see --help", w[1]);
	if (n == 2)
		return xg_opt_bad(&o->co, "missing value for 'port'; see "
					  "--help");
	if (n > 3)
		return xg_opt_bad(&o->co,
				  "unexpected argument '%s'; see --help", w[3]);
	if (xg_sc_parse_ports(w[2], o->sc_ports, err, sizeof(err)))
		return xg_opt_bad(&o->co, "%s", err);
	return 0;
}

/* The words after the options: nothing, or SETTING VALUE. */
int xg_thr_parse(int n, char **w, struct xg_thr *o)
{
	int err;

	if (n == 0) {
		err = not_for(o, "--no-sysctl", o->no_sysctl ? "" : NULL, NULL);
		if (!err)
			err = not_for(o, "--burst", o->burst, NULL);
		if (!err)
			err = not_for(o, "--factor", o->factor, NULL);
		if (!err)
			err = not_for(o, "--after", o->after, NULL);
		return err;
	}
	o->set = xg_cmd_select(xg_thr_settings, w[0]);
	if (!o->set)
		return xg_opt_bad(&o->co, "unknown setting '%s'; see --help",
				  w[0]);
	if (n == 1)
		return xg_opt_bad(&o->co, "missing value for '%s'; see --help",
				  w[0]);
	if (o->set->kind != K_SYNCOOKIES) {
		err = not_for(o, "--no-sysctl", o->no_sysctl ? "" : NULL, w[0]);
		if (err)
			return err;
	} else {
		err = not_for(o, "--burst", o->burst, w[0]);
		if (!err)
			err = not_for(o, "--factor", o->factor, w[0]);
		if (!err)
			err = not_for(o, "--after", o->after, w[0]);
		return err ? err : parse_syncookies(n - 1, w + 1, o);
	}
	if (o->set->kind == K_PORTSCAN || o->set->kind == K_FEATURES) {
		err = o->set->kind == K_PORTSCAN ?
			      not_for(o, "--burst", o->burst, w[0]) :
			      0;
		if (!err)
			err = not_for(o, "--factor", o->factor, w[0]);
		if (!err)
			err = not_for(o, "--after", o->after, w[0]);
		if (err)
			return err;
		return o->set->kind == K_PORTSCAN ?
			       parse_portscan(n - 1, w + 1, o) :
			       parse_features(n - 1, w + 1, o);
	}
	if (n > 2)
		return xg_opt_bad(&o->co,
				  "unexpected argument '%s'; see --help", w[2]);
	return parse_value(w[1], o);
}

bool xg_thr_is_sc(const struct xg_thr *o)
{
	return o->set && o->set->kind == K_SYNCOOKIES;
}

void xg_thr_apply(const struct xg_thr *o, struct xg_config *cfg,
		  struct xg_sc_image *sc)
{
	switch (o->set->kind) {
	case K_LIMIT:
	case K_EVENTS:
		cfg->limit[o->set->lim] = o->limit;
		break;
	case K_BAN:
		cfg->ban_secs = o->value;
		if (o->ban_factor)
			cfg->ban_factor = o->ban_factor;
		if (o->ban_after)
			cfg->ban_after = o->ban_after;
		break;
	case K_V6:
		cfg->v6_prefix = o->value;
		break;
	case K_PORTSCAN:
		cfg->ps_ports = o->ps_ports;
		cfg->ps_window_s = o->ps_window;
		cfg->ps_bits = o->ps_ports ? xg_ps_bits(o->ps_ports) : 0;
		cfg->ps_ban_secs = o->ps_ban;
		break;
	case K_FEATURES:
		if (!o->sample) {
			cfg->limit[o->set->lim] = o->limit;
			break;
		}
		cfg->feat_n = o->value;
		cfg->feat_mul = xg_feat_mul(o->value);
		break;
	case K_SYNCOOKIES:
		if (o->sc_mode < 0)
			cfg->sc_wscale = o->sc_ts ? XG_SC_WSCALE_PENDING : 0;
		else
			xg_sc_set(sc, o->sc_all ? NULL : o->sc_ports,
				  o->sc_mode);
		break;
	}
}

/* One line per setting; a limit's burst is written even when it is the
 * default, so that the line means the same whatever the defaults become.
 */
void xg_thr_save(FILE *f, const char *prefix, const struct xg_config *cfg,
		 const struct xg_sc_image *sc)
{
	const struct xg_limit *l;
	int i;

	for (i = 0; i <= XG_THR_FEATURES_ROW; i++) {
		l = &cfg->limit[xg_thr_settings[i].lim];
		if (l->rate)
			fprintf(f, "%s%s %u --burst %u\n", prefix,
				xg_thr_settings[i].word, l->rate, l->burst);
		else
			fprintf(f, "%s%s off\n", prefix,
				xg_thr_settings[i].word);
	}
	if (cfg->feat_n)
		fprintf(f, "%sfeatures sample 1/%u\n", prefix, cfg->feat_n);
	else
		fprintf(f, "%sfeatures sample off\n", prefix);
	fprintf(f, "%sban %u --factor %u --after %u\n", prefix, cfg->ban_secs,
		cfg->ban_factor, cfg->ban_after);
	fprintf(f, "%sv6-prefix %u\n", prefix, cfg->v6_prefix);
	if (!cfg->ps_ports)
		fprintf(f, "%sportscan off\n", prefix);
	else if (cfg->ps_ban_secs)
		fprintf(f, "%sportscan %u/%us ban %u\n", prefix, cfg->ps_ports,
			cfg->ps_window_s, cfg->ps_ban_secs);
	else
		fprintf(f, "%sportscan %u/%us\n", prefix, cfg->ps_ports,
			cfg->ps_window_s);
	xg_sc_save(f, prefix, sc, cfg);
}
