// SPDX-License-Identifier: GPL-2.0
/* xg-stats: what xdpguard guards and what it has seen. The command line
 * is here; gathering is in common/report.c, the output formats in
 * common/report_*.c and --watch in common/watch.c.
 */
#include <errno.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>

#include "xg.h"

enum {
	OPT_WATCH = XG_OPT_TOOL,
	OPT_PROMETHEUS,
	OPT_NETNS,
	OPT_TOP,
};

static const struct option long_opts[] = {
	{ "interface", required_argument, NULL, 'i' },
	{ "netns", required_argument, NULL, OPT_NETNS },
	{ "top", required_argument, NULL, OPT_TOP },
	{ "watch", optional_argument, NULL, OPT_WATCH },
	{ "count", required_argument, NULL, 'c' },
	{ "prometheus", no_argument, NULL, OPT_PROMETHEUS },
	XG_COMMON_LONG_OPTS,
};

static void usage(void)
{
	printf("Usage: %s [-j] [-i IFACE [-n NS]] [--top N] "
	       "[--pin-dir DIR]\n"
	       "       %s [-j] --watch [SECONDS] [-c COUNT] "
	       "[-i IFACE [-n NS]]\n"
	       "       %s --prometheus [--pin-dir DIR]\n"
	       "\n"
	       "Show the interfaces xdpguard guards, the size of its lists, "
	       "its settings and\n"
	       "its packet counters by class and reason, in total and per "
	       "interface.\n"
	       "\n"
	       "Options:\n"
	       "  -j, --json          JSON output (with --watch: one line per "
	       "screen)\n"
	       "  -i, --interface IFACE\n"
	       "                      the counters of this interface only\n"
	       "  -n, --netns NS      with -i: the interface is in network "
	       "namespace NS\n"
	       "      --top N         also the N sources with the most "
	       "rate-limit drops now,\n"
	       "                      the N list entries and the N rules "
	       "with the most hits\n"
	       "                      (1-1000)\n"
	       "      --watch [SECONDS]\n"
	       "                      show rates every SECONDS (0.1-3600, "
	       "default 1)\n"
	       "                      until Ctrl-C\n"
	       "  -c, --count COUNT   with --watch: stop after COUNT screens\n"
	       "      --prometheus    Prometheus text exposition format\n"
	       "      --pin-dir DIR   pin directory (default $%s, else\n"
	       "                      %s)\n"
	       "  -v, --verbose       show libbpf messages\n"
	       "  -V, --version       print the version and exit\n"
	       "  -h, --help          print this help and exit\n",
	       xg_prog, xg_prog, xg_prog, XG_PIN_ENV, XG_DEFAULT_PIN_DIR);
}

struct stats_opts {
	struct xg_common_opts co;
	struct xg_report_opts ro;
	bool watch;
	bool prometheus;
	double interval; /* seconds, with --watch */
	__u64 count; /* screens; 0 = until a signal */
	bool count_set;
	int ifaces; /* times -i was given */
	const char *iface_arg; /* -i as typed */
	const char *netns; /* -n */
	struct xg_ifname iface; /* what ro points to */
};

static void tool_opt(int c, int argc, char **argv, struct stats_opts *o)
{
	const char *arg = optarg;
	__u64 v;

	switch (c) {
	case 'i':
		o->ifaces++;
		o->iface_arg = arg;
		xg_opt_iface(&o->co, arg, NULL, &o->iface);
		break;
	case 'n':
		xg_opt_old_count(&o->co, arg);
		/* fall through */
	case OPT_NETNS:
		xg_opt_netns(&o->co, arg, &o->netns);
		break;
	case OPT_TOP:
		if (xg_parse_u64(arg, 1, 1000, &v))
			xg_opt_bad(&o->co, "invalid --top '%s' (1-1000)", arg);
		else
			o->ro.top = v;
		break;
	case OPT_WATCH:
		o->watch = true;
		/* --watch SECONDS: xg-stats has no operands, so a following
		 * word that is not an option can only be the interval.
		 */
		if (!arg && optind < argc && argv[optind][0] != '-')
			arg = argv[optind++];
		if (arg && xg_parse_interval(arg, &o->interval))
			xg_opt_bad(&o->co,
				   "invalid interval '%s' (0.1-3600 seconds)",
				   arg);
		break;
	case 'c':
		o->count_set = true;
		if (xg_parse_u64(arg, 1, 1000000, &o->count))
			xg_opt_bad(&o->co, "invalid count '%s' (1-1000000)",
				   arg);
		break;
	case OPT_PROMETHEUS:
		o->prometheus = true;
		break;
	}
}

/* Options that do not go together, and operands (there are none). */
static int check_args(struct stats_opts *o, int argc, char **argv)
{
	struct xg_common_opts *co = &o->co;

	if (o->prometheus && (xg_json || o->watch))
		return xg_opt_bad(co, "--prometheus cannot be combined with "
				      "--json or --watch");
	if (o->prometheus && (o->ifaces || o->ro.top))
		return xg_opt_bad(co, "--prometheus cannot be combined with "
				      "--interface or --top");
	if (o->watch && o->ro.top)
		return xg_opt_bad(co, "--top cannot be combined with --watch");
	if (o->count_set && !o->watch)
		return xg_opt_bad(co, "option '--count' needs --watch");
	if (o->netns && !o->ifaces)
		return xg_opt_bad(co, "option '--netns' needs --interface");
	if (o->ifaces > 1)
		return xg_opt_bad(co, "option '--interface' may be given once");
	if (optind < argc)
		return xg_opt_bad(co, "unexpected argument '%s'; see --help",
				  argv[optind]);
	if (!o->ifaces)
		return 0;
	if (xg_opt_iface(co, o->iface_arg, o->netns, &o->iface))
		return -XG_EUSAGE;
	o->ro.ifname = o->iface.ifname;
	o->ro.netns = o->iface.netns[0] ? o->iface.netns : NULL;
	return 0;
}

static int parse_args(int argc, char **argv, struct stats_opts *o)
{
	int c;

	while ((c = xg_getopt(argc, argv, "i:n:c:", long_opts, &o->co)) != -1)
		tool_opt(c, argc, argv, o);
	if (!xg_opts_stop(&o->co))
		check_args(o, argc, argv);
	return xg_opts_end(&o->co);
}

static int run(struct stats_opts *o)
{
	struct xg_report r = {};
	struct xg_maps m;
	const char *dir;
	int err;

	err = xg_check_privileges();
	if (err)
		return err;
	dir = xg_pin_dir(o->co.pin_opt);
	err = xg_maps_open(dir, true, &m);
	if (err)
		return err;
	if (o->watch) {
		err = xg_report_watch(dir, &m, &o->ro, o->interval, o->count);
		goto out;
	}
	err = xg_report_gather(dir, &m, &o->ro, &r);
	if (err)
		goto out;
	if (o->prometheus)
		xg_report_prometheus(&r);
	else if (xg_json)
		err = xg_report_json(&r);
	else
		xg_report_text(&r);
out:
	xg_maps_close(&m);
	xg_report_free(&r);
	return err;
}

int main(int argc, char **argv)
{
	struct stats_opts o = { .interval = 1 };
	int err;

	xg_cli_init("xg-stats");
	err = parse_args(argc, argv, &o);
	if (!err && !xg_common_done(&o.co, usage))
		err = run(&o);
	return xg_exit(err);
}
