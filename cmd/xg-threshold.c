// SPDX-License-Identifier: GPL-2.0
/* xg-threshold: show or change the flood limits (per-source rates, the
 * budgets of new sources and the ceilings of each class, automatic bans,
 * the IPv6 tracking prefix, port scans) and the
 * budgets of drop events, monitor events and features. A change is one xg_config_write under the lock:
 * every guarded interface sees the old settings or the new ones, never a
 * mix.
 */
#include <errno.h>
#include <getopt.h>
#include <string.h>

#include "xg.h"

#define RATE_MAX 100000000 /* 100 Mpps: more than one port can receive */
/* Far more drop events a second than one reader can print or a log
 * pipeline can take in; the ring buffer holds only ~3,600 of them.
 */
#define EVENTS_RATE_MAX 1000000
/* Features: a reader keeps up with some 10^5 to 10^6 a second. */
#define FEATURES_RATE_MAX 10000000
#define SAMPLE_MAX 1000000000
#define BURST_MAX 1000000000
#define BAN_SECS_MAX XG_BAN_SECS_MAX
#define FACTOR_MIN 2 /* 1x the limit is any source that is limited at all */
#define FACTOR_MAX 1000
#define AFTER_MAX 3600

enum {
	OPT_FACTOR = XG_OPT_TOOL,
	OPT_AFTER,
};

static const struct option long_opts[] = {
	{ "burst", required_argument, NULL, 'b' },
	{ "factor", required_argument, NULL, OPT_FACTOR },
	{ "after", required_argument, NULL, OPT_AFTER },
	XG_COMMON_LONG_OPTS,
};

/* The settings, by the name the command line and the text output use. */
enum kind { K_LIMIT, K_EVENTS, K_BAN, K_V6, K_PORTSCAN, K_FEATURES };

static const struct setting {
	const char *word; /* command line and text */
	const char *key; /* JSON */
	enum kind kind;
	int lim; /* enum xg_limit_id for K_LIMIT */
} settings[] = {
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
};

#define N_SETTINGS XG_ARRAY_SIZE(settings)
#define N_LIMITS 12 /* the K_LIMIT rows lead the table, in output order */
#define EVENTS_ROW N_LIMITS /* then the events budget */
#define MONITOR_ROW (EVENTS_ROW + 1) /* and the monitor events' */
#define FEATURES_ROW (MONITOR_ROW + 1) /* and the features' */
_Static_assert(N_LIMITS == XG_LIM_EVENTS,
	       "one K_LIMIT row per packet limit of xg_config");
_Static_assert(N_SETTINGS == N_LIMITS + 6,
	       "settings[]: the limits, events, monitor, features, ban, "
	       "v6-prefix, portscan");

static void usage(void)
{
	printf("Usage: xg-threshold [-j]\n"
	       "       xg-threshold CLASS|CLASS-new|CLASS-global RATE "
	       "[-b|--burst N]\n"
	       "       xg-threshold CLASS|CLASS-new|CLASS-global off\n"
	       "       xg-threshold events RATE [-b|--burst N]\n"
	       "       xg-threshold events off\n"
	       "       xg-threshold monitor RATE [-b|--burst N] | off\n"
	       "       xg-threshold features RATE[/BURST] [-b|--burst N] | "
	       "off\n"
	       "       xg-threshold features sample 1/N | off\n"
	       "       xg-threshold ban SECONDS [--factor F] "
	       "[--after SECONDS]\n"
	       "       xg-threshold v6-prefix N\n"
	       "       xg-threshold portscan PORTS/SECONDSs [ban SECONDS] | "
	       "off\n"
	       "CLASS := syn | udp | icmp | frag\n"
	       "\n"
	       "Show the flood limits of xdpguard, or change one. Limits "
	       "count packets per\n"
	       "source address (IPv6: per /N prefix); a source over its "
	       "limit is dropped.\n"
	       "A source the tracker does not know yet is admitted within "
	       "its class's budget\n"
	       "of new sources; the sources beyond it share the class's "
	       "ceiling. Each dropped\n"
	       "packet can also be reported to xg-events, within a budget.\n"
	       "\n"
	       "Settings:\n"
	       "  syn           TCP SYN per source, packets/s (default %u)\n"
	       "  udp           UDP per source (default %u)\n"
	       "  icmp          ICMP and ICMPv6 per source (default %u)\n"
	       "  frag          non-first IP fragments per source "
	       "(default %u)\n"
	       "  CLASS-new     new sources admitted per second (defaults "
	       "syn %u, udp %u,\n"
	       "                icmp %u, frag %u); off admits every new "
	       "source\n"
	       "  CLASS-global  packets/s of the sources not admitted, all "
	       "together (defaults\n"
	       "                syn %u, udp %u, icmp %u, frag %u); off "
	       "passes them all\n"
	       "                RATE is 1-%u; off removes the limit\n"
	       "  events        drop events sent to xg-events, per second, "
	       "all CPUs together\n"
	       "                (1-%u, default %u; off: none)\n"
	       "  monitor       monitor-rule events sent to xg-events, the "
	       "same (default %u)\n"
	       "  features      features of passing packets sent to "
	       "xg-features, per second,\n"
	       "                all CPUs together (1-%u; default off)\n"
	       "  features sample 1/N\n"
	       "                every Nth passing packet (of each counter "
	       "and CPU) is offered\n"
	       "                to the features budget (1-%u; default 1/1); "
	       "off: only those\n"
	       "                a monitor rule matched\n"
	       "  ban           ban a source that keeps sending far over a "
	       "limit, for SECONDS\n"
	       "                (0-%u, 0 = no automatic bans; default %u)\n"
	       "  v6-prefix     IPv6 sources share limits per /N (%u-128; "
	       "default %u)\n"
	       "\n"
	       "Options:\n"
	       "  -b, --burst N       packets (sources, events) let through "
	       "back to back\n"
	       "                      (1-%u; default %u x RATE)\n"
	       "      --factor F      ban when a source sends F x a limit "
	       "(%u-%u; default %u)\n"
	       "      --after SECONDS for this many seconds in a row "
	       "(1-%u; default %u)\n"
	       "      --pin-dir DIR   pin directory (default $%s, else\n"
	       "                      %s)\n"
	       "  -j, --json          JSON output\n"
	       "  -v, --verbose       show libbpf messages\n"
	       "  -V, --version       print the version and exit\n"
	       "  -h, --help          print this help and exit\n",
	       XG_DEF_SYN_RATE, XG_DEF_UDP_RATE, XG_DEF_ICMP_RATE,
	       XG_DEF_FRAG_RATE, XG_DEF_SYN_NEW_RATE, XG_DEF_UDP_NEW_RATE,
	       XG_DEF_ICMP_NEW_RATE, XG_DEF_FRAG_NEW_RATE,
	       XG_DEF_SYN_GLOBAL_RATE, XG_DEF_UDP_GLOBAL_RATE,
	       XG_DEF_ICMP_GLOBAL_RATE, XG_DEF_FRAG_GLOBAL_RATE, RATE_MAX,
	       EVENTS_RATE_MAX, XG_DEF_EVENTS_RATE, XG_DEF_MONITOR_RATE,
	       FEATURES_RATE_MAX, SAMPLE_MAX, BAN_SECS_MAX, XG_DEF_BAN_SECS,
	       XG_V6_PREFIX_MIN, XG_DEF_V6_PREFIX, BURST_MAX,
	       XG_DEF_BURST_FACTOR, FACTOR_MIN, FACTOR_MAX, XG_DEF_BAN_FACTOR,
	       AFTER_MAX, XG_DEF_BAN_AFTER, XG_PIN_ENV, XG_DEFAULT_PIN_DIR);
}

struct thr_opts {
	struct xg_common_opts co;
	/* as typed; checked once the setting they go with is known */
	const char *burst, *factor, *after;
	const struct setting *set; /* NULL: print */
	struct xg_limit limit; /* K_LIMIT, K_EVENTS */
	__u32 value; /* K_BAN seconds, K_V6 prefix length */
	__u32 ban_factor, ban_after; /* 0: keep */
	__u32 ps_ports, ps_window, ps_ban; /* K_PORTSCAN; ports 0: off */
	bool sample; /* K_FEATURES: features sample, of 1/value (0: off) */
};

#define PS_PORTS_MIN 2
#define PS_PORTS_MAX 100 /* 64 bits of hashed ports: 50 set on average */
#define PS_WINDOW_MAX 3600

/* ---- command line -------------------------------------------------------- */

/* An option given for a setting it does not belong to. */
static int not_for(struct thr_opts *o, const char *opt, const char *val,
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
static int parse_limit(const char *s, struct thr_opts *o, __u32 max,
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
	o->limit.burst = v > BURST_MAX ? BURST_MAX : v;
	if (o->burst && xg_parse_u64(o->burst, 1, BURST_MAX, &v))
		return xg_opt_bad(&o->co, "invalid burst '%s' (1-%u)", o->burst,
				  BURST_MAX);
	if (o->burst)
		o->limit.burst = v;
	return 0;
}

static int parse_ban(const char *s, struct thr_opts *o)
{
	__u64 v;

	if (xg_parse_u64(s, 0, BAN_SECS_MAX, &v))
		return xg_opt_bad(&o->co,
				  "invalid ban time '%s' (0-%u seconds)", s,
				  BAN_SECS_MAX);
	o->value = v;
	if (o->factor && xg_parse_u64(o->factor, FACTOR_MIN, FACTOR_MAX, &v))
		return xg_opt_bad(&o->co, "invalid factor '%s' (%u-%u)",
				  o->factor, FACTOR_MIN, FACTOR_MAX);
	if (o->factor)
		o->ban_factor = v;
	if (o->after && xg_parse_u64(o->after, 1, AFTER_MAX, &v))
		return xg_opt_bad(&o->co, "invalid after '%s' (1-%u seconds)",
				  o->after, AFTER_MAX);
	if (o->after)
		o->ban_after = v;
	return 0;
}

static int parse_value(const char *s, struct thr_opts *o)
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
			return parse_limit(s, o, EVENTS_RATE_MAX, "events/s");
		if (o->set->lim >= XG_LIM_NEW && o->set->lim < XG_LIM_GLOBAL)
			return parse_limit(s, o, RATE_MAX, "sources/s");
		return parse_limit(s, o, RATE_MAX, "packets/s");
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
		return 0;
	}
	return 0;
}

/* portscan N/Ts [ban SECONDS] | off: @n words from @w. */
static int parse_portscan(int n, char **w, struct thr_opts *o)
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
	if (xg_parse_u64(buf, PS_PORTS_MIN, PS_PORTS_MAX, &v))
		return xg_opt_bad(&o->co,
				  "invalid port count '%s' (%u-%u ports)", buf,
				  PS_PORTS_MIN, PS_PORTS_MAX);
	o->ps_ports = v;
	snprintf(buf, sizeof(buf), "%s", slash + 1);
	len = strlen(buf);
	if (len && buf[len - 1] == 's')
		buf[len - 1] = '\0';
	if (xg_parse_u64(buf, 1, PS_WINDOW_MAX, &v))
		return xg_opt_bad(&o->co,
				  "invalid port scan window '%s' (1-%u "
				  "seconds)",
				  slash + 1, PS_WINDOW_MAX);
	o->ps_window = v;
	if (n == 1)
		return 0;
	if (n != 3 || strcmp(w[1], "ban"))
		return xg_opt_bad(&o->co,
				  "unexpected argument '%s'; see --help",
				  w[n == 2 || strcmp(w[1], "ban") ? 1 : 3]);
	if (xg_parse_u64(w[2], 1, BAN_SECS_MAX, &v))
		return xg_opt_bad(&o->co,
				  "invalid ban time '%s' (1-%u seconds)", w[2],
				  BAN_SECS_MAX);
	o->ps_ban = v;
	return 0;
}

/* features RATE[/BURST] | off, or features sample 1/N | off: @n words
 * from @w.
 */
static int parse_features(int n, char **w, struct thr_opts *o)
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
			return parse_limit(w[0], o, FEATURES_RATE_MAX,
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
		return parse_limit(buf, o, FEATURES_RATE_MAX, "features/s");
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
	if (strncmp(w[1], "1/", 2) || xg_parse_u64(w[1] + 2, 1, SAMPLE_MAX, &v))
		return xg_opt_bad(&o->co,
				  "invalid sample '%s' (1/N with N 1-%u, or "
				  "off)",
				  w[1], SAMPLE_MAX);
	o->value = v;
	return not_for(o, "--burst", o->burst, "features sample");
}

/* The words after the options: nothing, or SETTING VALUE. */
static int parse_words(int n, char **w, struct thr_opts *o)
{
	int err;

	if (n == 0) {
		err = not_for(o, "--burst", o->burst, NULL);
		if (!err)
			err = not_for(o, "--factor", o->factor, NULL);
		if (!err)
			err = not_for(o, "--after", o->after, NULL);
		return err;
	}
	o->set = xg_cmd_select(settings, w[0]);
	if (!o->set)
		return xg_opt_bad(&o->co, "unknown setting '%s'; see --help",
				  w[0]);
	if (n == 1)
		return xg_opt_bad(&o->co, "missing value for '%s'; see --help",
				  w[0]);
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

static int parse_args(int argc, char **argv, struct thr_opts *o)
{
	int c;

	while ((c = xg_getopt(argc, argv, "b:", long_opts, &o->co)) != -1) {
		switch (c) {
		case 'b':
			o->burst = optarg;
			break;
		case OPT_FACTOR:
			o->factor = optarg;
			break;
		case OPT_AFTER:
			o->after = optarg;
			break;
		}
	}
	if (!xg_opts_stop(&o->co))
		parse_words(argc - optind, argv + optind, o);
	return xg_opts_end(&o->co);
}

/* ---- output -------------------------------------------------------------- */

static void render_text(const struct xg_config *cfg)
{
	const struct xg_limit *l;
	char rate[16], burst[16];
	size_t i;

	printf("%-11s %9s %11s\n", "limit", "rate/s", "burst");
	for (i = 0; i <= FEATURES_ROW; i++) {
		l = &cfg->limit[settings[i].lim];
		snprintf(rate, sizeof(rate), "%u", l->rate);
		snprintf(burst, sizeof(burst), "%u", l->burst);
		printf("%-11s %9s %11s\n", settings[i].word,
		       l->rate ? rate : "off", l->rate ? burst : "-");
	}
	if (cfg->ban_secs)
		printf("ban: %u s when a source sends %ux a limit for %u s\n",
		       cfg->ban_secs, cfg->ban_factor, cfg->ban_after);
	else
		printf("ban: off\n");
	printf("ipv6 sources tracked per /%u\n", cfg->v6_prefix);
	if (!cfg->ps_ports)
		printf("port scans: off\n");
	else if (cfg->ps_ban_secs)
		printf("port scans: %u ports in %u s, banned %u s\n",
		       cfg->ps_ports, cfg->ps_window_s, cfg->ps_ban_secs);
	else
		printf("port scans: %u ports in %u s, reported\n",
		       cfg->ps_ports, cfg->ps_window_s);
	if (cfg->feat_n)
		printf("features sample: 1/%u of passing packets\n",
		       cfg->feat_n);
	else
		printf("features sample: off (monitor rules only)\n");
	printf("malformed packets: %s\n",
	       cfg->flags & XG_CFG_DROP_MALFORMED ? "dropped" : "passed");
}

static int render_json(const struct xg_config *cfg)
{
	struct xg_json *j = xg_json_new(stdout);
	const struct xg_limit *l;
	size_t i;

	if (!j)
		return xg_fail(-ENOMEM, "out of memory");
	xg_json_obj_open(j);
	xg_json_key(j, "limits");
	xg_json_obj_open(j);
	for (i = 0; i < N_LIMITS; i++) {
		l = &cfg->limit[settings[i].lim];
		xg_json_key(j, settings[i].key);
		xg_json_obj_open(j);
		xg_json_kv_u64(j, "rate", l->rate);
		xg_json_kv_u64(j, "burst", l->rate ? l->burst : 0);
		xg_json_obj_close(j);
	}
	xg_json_obj_close(j);
	/* not a packet limit, so beside "limits" rather than in it */
	l = &cfg->limit[XG_LIM_EVENTS];
	xg_json_key(j, "events");
	xg_json_obj_open(j);
	xg_json_kv_u64(j, "rate", l->rate);
	xg_json_kv_u64(j, "burst", l->rate ? l->burst : 0);
	xg_json_obj_close(j);
	l = &cfg->limit[XG_LIM_MONITOR];
	xg_json_key(j, "monitor");
	xg_json_obj_open(j);
	xg_json_kv_u64(j, "rate", l->rate);
	xg_json_kv_u64(j, "burst", l->rate ? l->burst : 0);
	xg_json_obj_close(j);
	l = &cfg->limit[XG_LIM_FEATURES];
	xg_json_key(j, "features");
	xg_json_obj_open(j);
	xg_json_kv_u64(j, "rate", l->rate);
	xg_json_kv_u64(j, "burst", l->rate ? l->burst : 0);
	xg_json_kv_u64(j, "sample", cfg->feat_n);
	xg_json_obj_close(j);
	xg_json_key(j, "ban");
	xg_json_obj_open(j);
	xg_json_kv_u64(j, "seconds", cfg->ban_secs);
	xg_json_kv_u64(j, "factor", cfg->ban_factor);
	xg_json_kv_u64(j, "after", cfg->ban_after);
	xg_json_obj_close(j);
	xg_json_kv_u64(j, "v6_prefix", cfg->v6_prefix);
	xg_json_key(j, "portscan");
	xg_json_obj_open(j);
	xg_json_kv_u64(j, "ports", cfg->ps_ports);
	xg_json_kv_u64(j, "window_s", cfg->ps_window_s);
	xg_json_kv_u64(j, "ban", cfg->ps_ban_secs);
	xg_json_obj_close(j);
	xg_json_kv_bool(j, "drop_malformed",
			cfg->flags & XG_CFG_DROP_MALFORMED);
	xg_json_obj_close(j);
	xg_json_free(j);
	return 0;
}

/* ---- main ---------------------------------------------------------------- */

static void apply(const struct thr_opts *o, struct xg_config *cfg)
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
	}
}

static int change(const char *dir, const struct thr_opts *o,
		  struct xg_config *cfg)
{
	struct xg_maps m;
	int lock, err;

	err = xg_maps_open(dir, false, &m);
	if (err)
		return err;
	lock = xg_lock(dir);
	if (lock < 0) {
		err = lock;
		goto out;
	}
	err = xg_config_read(&m, cfg);
	if (!err) {
		apply(o, cfg);
		err = xg_config_write(&m, cfg);
	}
	xg_unlock(lock);
out:
	xg_maps_close(&m);
	return err;
}

static int show(const char *dir, struct xg_config *cfg)
{
	struct xg_maps m;
	int err;

	err = xg_maps_open(dir, true, &m);
	if (err)
		return err;
	err = xg_config_read(&m, cfg);
	xg_maps_close(&m);
	return err;
}

static int run(const struct thr_opts *o)
{
	const char *dir = xg_pin_dir(o->co.pin_opt);
	struct xg_config cfg;
	int err;

	err = xg_check_privileges();
	if (err)
		return err;
	err = o->set ? change(dir, o, &cfg) : show(dir, &cfg);
	if (err)
		return err;
	/* a change is silent, unless -j asks for the result */
	if (xg_json)
		return render_json(&cfg);
	if (!o->set)
		render_text(&cfg);
	return 0;
}

int main(int argc, char **argv)
{
	struct thr_opts o = {};
	int err;

	xg_cli_init("xg-threshold");
	err = parse_args(argc, argv, &o);
	if (!err && !xg_common_done(&o.co, usage))
		err = run(&o);
	return xg_exit(err);
}
