// SPDX-License-Identifier: GPL-2.0
/* xg-threshold: show or change the flood limits (per-source rates, the
 * budgets of new sources and the ceilings of each class, automatic bans,
 * the IPv6 tracking prefix, port scans, SYN cookies) and the budgets of
 * drop events, monitor events and features. A change is one
 * xg_config_write under the lock: every guarded interface sees the old
 * settings or the new ones, never a mix.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "xg.h"

enum {
	OPT_FACTOR = XG_OPT_TOOL,
	OPT_AFTER,
	OPT_NO_SYSCTL,
};

static const struct option long_opts[] = {
	{ "burst", required_argument, NULL, 'b' },
	{ "factor", required_argument, NULL, OPT_FACTOR },
	{ "after", required_argument, NULL, OPT_AFTER },
	{ "no-sysctl", no_argument, NULL, OPT_NO_SYSCTL },
	XG_COMMON_LONG_OPTS,
};

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
	       "       xg-threshold syn-cookies off|auto|on [port PORTS] "
	       "[--no-sysctl]\n"
	       "       xg-threshold syn-cookies timestamps on|off "
	       "[--no-sysctl]\n"
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
	       "  syn-cookies   answer SYNs to PORTS (P[-Q][,P[-Q]]...; "
	       "default every port)\n"
	       "                with SYN cookies from XDP: on for every "
	       "SYN, auto while the\n"
	       "                listener's SYN queue overflows, off "
	       "(default); sets\n"
	       "                net.ipv4.tcp_syncookies in the guarded "
	       "namespaces (Linux 5.3)\n"
	       "  syn-cookies timestamps\n"
	       "                on: SYN-ACKs with SACK, window scale and "
	       "timestamps; sets\n"
	       "                net.ipv4.tcp_timestamps=2 (default off: "
	       "MSS only)\n"
	       "\n"
	       "Options:\n"
	       "  -b, --burst N       packets (sources, events) let through "
	       "back to back\n"
	       "                      (1-%u; default %u x RATE)\n"
	       "      --factor F      ban when a source sends F x a limit "
	       "(%u-%u; default %u)\n"
	       "      --after SECONDS for this many seconds in a row "
	       "(1-%u; default %u)\n"
	       "      --no-sysctl     syn-cookies: leave "
	       "net.ipv4.tcp_syncookies and\n"
	       "                      tcp_timestamps as they are\n"
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
	       XG_DEF_ICMP_GLOBAL_RATE, XG_DEF_FRAG_GLOBAL_RATE,
	       XG_THR_RATE_MAX, XG_THR_EVENTS_RATE_MAX, XG_DEF_EVENTS_RATE,
	       XG_DEF_MONITOR_RATE, XG_THR_FEATURES_RATE_MAX, XG_THR_SAMPLE_MAX,
	       XG_THR_BAN_SECS_MAX, XG_DEF_BAN_SECS, XG_V6_PREFIX_MIN,
	       XG_DEF_V6_PREFIX, XG_THR_BURST_MAX, XG_DEF_BURST_FACTOR,
	       XG_THR_FACTOR_MIN, XG_THR_FACTOR_MAX, XG_DEF_BAN_FACTOR,
	       XG_THR_AFTER_MAX, XG_DEF_BAN_AFTER, XG_PIN_ENV,
	       XG_DEFAULT_PIN_DIR);
}

/* ---- command line -------------------------------------------------------- */

static int parse_args(int argc, char **argv, struct xg_thr *o)
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
		case OPT_NO_SYSCTL:
			o->no_sysctl = true;
			break;
		}
	}
	if (!xg_opts_stop(&o->co))
		xg_thr_parse(argc - optind, argv + optind, o);
	return xg_opts_end(&o->co);
}

/* ---- output -------------------------------------------------------------- */

/* "on 80,443; auto 8080", or "off". */
static void sc_text(const struct xg_config *cfg, const struct xg_sc_image *sc)
{
	char *on = xg_sc_format(sc, XG_SC_ON);
	char *aut = xg_sc_format(sc, XG_SC_AUTO);
	bool any_on = on && *on, any_auto = aut && *aut;

	if (!(cfg->flags & XG_CFG_SYNCOOKIES) || (!any_on && !any_auto))
		printf("syn cookies: off\n");
	else
		printf("syn cookies:%s%s%s%s%s\n", any_on ? " on " : "",
		       !any_on		     ? "" :
		       strcmp(on, "0-65535") ? on :
					       "every port",
		       any_on && any_auto ? ";" : "", any_auto ? " auto " : "",
		       !any_auto	      ? "" :
		       strcmp(aut, "0-65535") ? aut :
						"every port");
	free(on);
	free(aut);
	if (cfg->sc_wscale & 0xf)
		printf("syn cookie options: mss, sack, timestamps, window "
		       "scale %u\n",
		       (cfg->sc_wscale & 0xf) - 1);
	else
		printf("syn cookie options: mss only\n");
}

static void render_text(const struct xg_config *cfg,
			const struct xg_sc_image *sc)
{
	const struct xg_limit *l;
	char rate[16], burst[16];
	size_t i;

	printf("%-11s %9s %11s\n", "limit", "rate/s", "burst");
	for (i = 0; i <= XG_THR_FEATURES_ROW; i++) {
		l = &cfg->limit[xg_thr_settings[i].lim];
		snprintf(rate, sizeof(rate), "%u", l->rate);
		snprintf(burst, sizeof(burst), "%u", l->burst);
		printf("%-11s %9s %11s\n", xg_thr_settings[i].word,
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
	sc_text(cfg, sc);
}

/* "syn_cookies": {"enabled", "on", "auto", "timestamps",
 * "window_scale"}: the port lists as the command line takes them ("" for
 * none).
 */
static int sc_json(struct xg_json *j, const struct xg_config *cfg,
		   const struct xg_sc_image *sc)
{
	char *on = xg_sc_format(sc, XG_SC_ON);
	char *aut = xg_sc_format(sc, XG_SC_AUTO);

	if (!on || !aut) {
		free(on);
		free(aut);
		return xg_fail(-ENOMEM, "out of memory");
	}
	xg_json_key(j, "syn_cookies");
	xg_json_obj_open(j);
	xg_json_kv_bool(j, "enabled", cfg->flags & XG_CFG_SYNCOOKIES);
	xg_json_kv_str(j, "on", on);
	xg_json_kv_str(j, "auto", aut);
	xg_json_kv_bool(j, "timestamps", cfg->sc_wscale & 0xf);
	xg_json_kv_u64(j, "window_scale",
		       cfg->sc_wscale & 0xf ? (cfg->sc_wscale & 0xf) - 1 : 0);
	xg_json_obj_close(j);
	free(on);
	free(aut);
	return 0;
}

static int render_json(const struct xg_config *cfg,
		       const struct xg_sc_image *sc)
{
	struct xg_json *j = xg_json_new(stdout);
	const struct xg_limit *l;
	size_t i;
	int err;

	if (!j)
		return xg_fail(-ENOMEM, "out of memory");
	xg_json_obj_open(j);
	xg_json_key(j, "limits");
	xg_json_obj_open(j);
	for (i = 0; i < XG_THR_N_LIMITS; i++) {
		l = &cfg->limit[xg_thr_settings[i].lim];
		xg_json_key(j, xg_thr_settings[i].key);
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
	err = sc_json(j, cfg, sc);
	xg_json_obj_close(j);
	xg_json_free(j);
	return err;
}

/* ---- main ---------------------------------------------------------------- */

/* syn-cookies: refused by a kernel without the helpers before anything
 * changes; the sysctl before the ports, so that the listeners are ready
 * when the program starts to answer for them.
 */
static int change_sc(const char *dir, const struct xg_maps *m,
		     const struct xg_thr *o, struct xg_config *cfg,
		     struct xg_sc_image *sc)
{
	struct xg_sc_image old = *sc;
	int err;

	xg_thr_apply(o, cfg, sc);
	err = xg_sc_check_kernel(m, sc);
	if (!err && !o->no_sysctl)
		err = xg_sc_sysctl(dir, m, xg_sc_max(sc));
	if (!err)
		err = xg_sc_resolve(dir, m, cfg, !o->no_sysctl);
	return err ? err : xg_sc_commit(m, cfg, &old, sc);
}

static int change(const char *dir, const struct xg_thr *o,
		  struct xg_config *cfg, struct xg_sc_image *sc)
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
	if (!err)
		err = xg_sc_read(&m, sc);
	if (!err && xg_thr_is_sc(o)) {
		err = change_sc(dir, &m, o, cfg, sc);
	} else if (!err) {
		xg_thr_apply(o, cfg, sc);
		err = xg_config_write(&m, cfg);
	}
	xg_unlock(lock);
out:
	xg_maps_close(&m);
	return err;
}

static int show(const char *dir, struct xg_config *cfg, struct xg_sc_image *sc)
{
	struct xg_maps m;
	int err;

	err = xg_maps_open(dir, true, &m);
	if (err)
		return err;
	err = xg_config_read(&m, cfg);
	if (!err)
		err = xg_sc_read(&m, sc);
	xg_maps_close(&m);
	return err;
}

static int run(const struct xg_thr *o)
{
	const char *dir = xg_pin_dir(o->co.pin_opt);
	static struct xg_sc_image sc;
	struct xg_config cfg;
	int err;

	err = xg_check_privileges();
	if (err)
		return err;
	err = o->set ? change(dir, o, &cfg, &sc) : show(dir, &cfg, &sc);
	if (err)
		return err;
	/* a change is silent, unless -j asks for the result */
	if (xg_json)
		return render_json(&cfg, &sc);
	if (!o->set)
		render_text(&cfg, &sc);
	return 0;
}

int main(int argc, char **argv)
{
	struct xg_thr o = {};
	int err;

	xg_cli_init("xg-threshold");
	err = parse_args(argc, argv, &o);
	if (!err && !xg_common_done(&o.co, usage))
		err = run(&o);
	return xg_exit(err);
}
