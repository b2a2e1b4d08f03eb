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
	{ "count", required_argument, NULL, 'n' },
	{ "prometheus", no_argument, NULL, OPT_PROMETHEUS },
	XG_COMMON_LONG_OPTS,
};

static void usage(void)
{
	printf("Usage: %s [-j] [-i IFACE [--netns NS]] [--top N] "
	       "[--pin-dir DIR]\n"
	       "       %s [-j] --watch [SECONDS] [-n COUNT] "
	       "[-i IFACE [--netns NS]]\n"
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
	       "      --netns NS      with -i: the interface is in network "
	       "namespace NS\n"
	       "      --top N         also the N sources with the most "
	       "rate-limit drops now\n"
	       "                      and the N list entries with the most "
	       "hits (1-1000)\n"
	       "      --watch [SECONDS]\n"
	       "                      show rates every SECONDS (0.1-3600, "
	       "default 1)\n"
	       "                      until Ctrl-C\n"
	       "  -n, --count COUNT   with --watch: stop after COUNT screens\n"
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
};

/* A decimal number of seconds, 0.1 to 3600: digits, optionally a point
 * and more digits. Nothing before or after.
 */
static int parse_interval(const char *s, double *out)
{
	const char *p = s;
	char *end;
	double v;

	if (*p < '0' || *p > '9')
		return -EINVAL;
	while (*p >= '0' && *p <= '9')
		p++;
	if (*p == '.') {
		p++;
		if (*p < '0' || *p > '9')
			return -EINVAL;
		while (*p >= '0' && *p <= '9')
			p++;
	}
	if (*p)
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno || *end || v < 0.1 || v > 3600)
		return -EINVAL;
	*out = v;
	return 0;
}

static bool tool_opt(int c, int argc, char **argv, struct stats_opts *o,
		     char *msg, size_t len)
{
	const char *arg = optarg;
	__u64 v;

	switch (c) {
	case 'i':
		o->ifaces++;
		o->ro.ifname = arg;
		if (!arg[0] && !msg[0])
			snprintf(msg, len, "invalid interface name ''");
		return true;
	case OPT_NETNS:
		o->ro.netns = arg;
		if (!arg[0] && !msg[0])
			snprintf(msg, len, "invalid namespace name ''");
		return true;
	case OPT_TOP:
		if (xg_parse_u64(arg, 1, 1000, &v)) {
			if (!msg[0])
				snprintf(msg, len,
					 "invalid --top '%s' (1-1000)", arg);
		} else {
			o->ro.top = v;
		}
		return true;
	case OPT_WATCH:
		o->watch = true;
		/* --watch SECONDS: xg-stats has no operands, so a following
		 * word that is not an option can only be the interval.
		 */
		if (!arg && optind < argc && argv[optind][0] != '-')
			arg = argv[optind++];
		if (arg && parse_interval(arg, &o->interval) && !msg[0])
			snprintf(msg, len,
				 "invalid interval '%s' (0.1-3600 seconds)",
				 arg);
		return true;
	case 'n':
		o->count_set = true;
		if (xg_parse_u64(arg, 1, 1000000, &o->count) && !msg[0])
			snprintf(msg, len, "invalid count '%s' (1-1000000)",
				 arg);
		return true;
	case OPT_PROMETHEUS:
		o->prometheus = true;
		return true;
	}
	return false;
}

/* Options that do not go together; 0 or a usage error. */
static int check_combinations(const struct stats_opts *o)
{
	if (o->prometheus && (xg_json || o->watch))
		return xg_usage_err(
			"--prometheus cannot be combined with --json or --watch");
	if (o->prometheus && (o->ifaces || o->ro.top))
		return xg_usage_err("--prometheus cannot be combined with "
				    "--interface or --top");
	if (o->watch && o->ro.top)
		return xg_usage_err("--top cannot be combined with --watch");
	if (o->count_set && !o->watch)
		return xg_usage_err("option '--count' needs --watch");
	if (o->ro.netns && !o->ifaces)
		return xg_usage_err("option '--netns' needs --interface");
	if (o->ifaces > 1)
		return xg_usage_err("option '--interface' may be given once");
	return 0;
}

/* argv is read to the end even after an error, so a later -j applies. */
static int parse_args(int argc, char **argv, struct stats_opts *o)
{
	char msg[128] = "";
	int c, err;

	o->interval = 1;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":i:n:" XG_COMMON_SHORT, long_opts,
				NULL)) != -1) {
		if (tool_opt(c, argc, argv, o, msg, sizeof(msg)))
			continue;
		if (!xg_common_opt(c, &o->co) && !msg[0])
			xg_opt_error_msg(c, argv, long_opts, msg, sizeof(msg));
	}
	/* report once, after -j had its chance to be seen */
	if (msg[0])
		return xg_usage_err("%s", msg);
	if (o->co.help || o->co.version)
		return 0;
	err = check_combinations(o);
	if (err)
		return err;
	if (optind < argc)
		return xg_usage_err("unexpected argument '%s'; see --help",
				    argv[optind]);
	return 0;
}

static int run(int argc, char **argv)
{
	struct stats_opts o = {};
	struct xg_report r = {};
	struct xg_maps m;
	const char *dir;
	int err;

	err = parse_args(argc, argv, &o);
	if (err)
		return err;
	if (xg_common_done(&o.co, usage))
		return 0;
	err = xg_check_privileges();
	if (err)
		return err;
	dir = xg_pin_dir(o.co.pin_opt);
	err = xg_maps_open(dir, true, &m);
	if (err)
		return err;
	if (o.watch) {
		err = xg_report_watch(dir, &m, &o.ro, o.interval, o.count);
		xg_maps_close(&m);
		return err;
	}
	err = xg_report_gather(dir, &m, &o.ro, &r);
	xg_maps_close(&m);
	if (err)
		goto out;
	if (o.prometheus)
		xg_report_prometheus(&r);
	else if (xg_json)
		err = xg_report_json(&r);
	else
		xg_report_text(&r);
out:
	xg_report_free(&r);
	return err;
}

int main(int argc, char **argv)
{
	xg_cli_init("xg-stats");
	return xg_exit(run(argc, argv));
}
