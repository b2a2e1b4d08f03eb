// SPDX-License-Identifier: GPL-2.0
/* Messages, exit status and the checks every tool shares. */
#include <errno.h>
#include <stdarg.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/capability.h>

#include <bpf/libbpf.h>

#include "xg.h"

#ifndef CAP_BPF
#define CAP_BPF 39 /* Linux 5.8; older uapi headers lack it */
#endif

const char *xg_prog = "xdpguard";
bool xg_json;
int xg_verbose;

/* The first message, for {"error": ...} under -j: a failure that leads to
 * others is the one to report.
 */
static char first_msg[512];

/* libbpf prints as it goes; the options that set -v are parsed after
 * xg_cli_init(), so the level is looked at on every call.
 */
static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	if (xg_verbose <= 0)
		return 0;
	if (level == LIBBPF_DEBUG && xg_verbose < 2)
		return 0;
	return vfprintf(stderr, fmt, ap);
}

void xg_cli_init(const char *prog)
{
	const char *slash = strrchr(prog, '/');

	xg_prog = slash ? slash + 1 : prog;
	libbpf_set_print(libbpf_print);
}

static void vline(char *buf, size_t len, const char *fmt, va_list ap)
{
	vsnprintf(buf, len, fmt, ap);
	fflush(stdout);
	fprintf(stderr, "%s: %s\n", xg_prog, buf);
}

static void verr(const char *fmt, va_list ap)
{
	char msg[sizeof(first_msg)];

	if (first_msg[0]) {
		vline(msg, sizeof(msg), fmt, ap);
		return;
	}
	vline(first_msg, sizeof(first_msg), fmt, ap);
}

void xg_warn(const char *fmt, ...)
{
	char msg[sizeof(first_msg)];
	va_list ap;

	va_start(ap, fmt);
	vline(msg, sizeof(msg), fmt, ap);
	va_end(ap);
}

void xg_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(fmt, ap);
	va_end(ap);
}

int xg_usage_err(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(fmt, ap);
	va_end(ap);
	return -XG_EUSAGE;
}

int xg_fail(int err, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	verr(fmt, ap);
	va_end(ap);
	return err < 0 ? err : -EINVAL;
}

int xg_exit(int rc)
{
	struct xg_json *j;

	if (rc != 0 && xg_json) {
		if (!first_msg[0])
			snprintf(first_msg, sizeof(first_msg), "%s",
				 rc == -XG_EUSAGE ? "usage error" :
						    strerror(-rc));
		j = xg_json_new(stdout);
		if (j) {
			xg_json_obj_open(j);
			xg_json_kv_str(j, "error", first_msg);
			xg_json_obj_close(j);
			xg_json_free(j);
		}
	}
	fflush(stdout);
	if (rc == 0)
		return 0;
	return rc == -XG_EUSAGE ? 2 : 1;
}

/* Under -j an object, so that `TOOL -V -j | jq` works like the rest. */
void xg_print_version(void)
{
	char lib[24];
	struct xg_json *j;

	snprintf(lib, sizeof(lib), "%u.%u", libbpf_major_version(),
		 libbpf_minor_version());
	j = xg_json ? xg_json_new(stdout) : NULL;
	if (!j) {
		printf("%s (xdpguard) %s, libbpf %s\n", xg_prog, XG_VERSION,
		       lib);
		return;
	}
	xg_json_obj_open(j);
	xg_json_kv_str(j, "tool", xg_prog);
	xg_json_kv_str(j, "version", XG_VERSION);
	xg_json_kv_u64(j, "abi", XG_ABI_VERSION);
	xg_json_kv_str(j, "libbpf", lib);
	xg_json_obj_close(j);
	xg_json_free(j);
}

static bool cap_effective(const struct __user_cap_data_struct *d, int cap)
{
	return d[cap / 32].effective & (1U << (cap % 32));
}

int xg_check_privileges(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
		.pid = 0,
	};
	struct __user_cap_data_struct data[_LINUX_CAPABILITY_U32S_3] = {};

	if (geteuid() == 0)
		return 0;
	if (syscall(SYS_capget, &hdr, data) == 0 &&
	    cap_effective(data, CAP_NET_ADMIN) &&
	    (cap_effective(data, CAP_BPF) ||
	     cap_effective(data, CAP_SYS_ADMIN)))
		return 0;
	return xg_fail(-EPERM, "permission denied; run as root (needs CAP_BPF "
			       "and CAP_NET_ADMIN)");
}

static bool common_opt(int c, struct xg_common_opts *co)
{
	switch (c) {
	case XG_OPT_PIN_DIR:
		co->pin_opt = optarg;
		return true;
	case 'j':
		xg_json = true;
		return true;
	case 'v':
		xg_verbose++;
		return true;
	case 'V':
		co->version = true;
		return true;
	case 'h':
		co->help = true;
		return true;
	default:
		return false;
	}
}

bool xg_common_done(const struct xg_common_opts *co, void (*usage)(void))
{
	if (co->help)
		usage();
	else if (co->version)
		xg_print_version();
	return co->help || co->version;
}

/* getopt_long's complaint (c is '?' or ':') about argv[optind - 1], by the
 * name the user typed: "unknown option '--foo'; see --help", "option
 * '--timeout' needs a value", "option '--force' takes no value".
 */
static void opt_error_msg(int c, char **argv, const struct option *opts,
			  char *buf, size_t len)
{
	const char *arg = argv[optind - 1];
	const struct option *o = NULL;
	char name[64];
	size_t n;

	snprintf(name, sizeof(name), "-%c", optopt);
	if (!strncmp(arg, "--", 2)) {
		n = strcspn(arg, "=");
		for (o = opts; o->name; o++)
			if (strlen(o->name) == n - 2 &&
			    !strncmp(o->name, arg + 2, n - 2))
				break;
		/* a short option clustered after it would leave arg behind */
		if (!optopt || (o->name && o->val == optopt))
			snprintf(name, sizeof(name), "%.*s", (int)n, arg);
	}
	if (c == ':')
		snprintf(buf, len, "option '%s' needs a value", name);
	else if (o && o->name && o->has_arg == no_argument && strchr(arg, '='))
		snprintf(buf, len, "option '%s' takes no value", name);
	else
		snprintf(buf, len, "unknown option '%s'; see --help", name);
}

int xg_getopt(int argc, char **argv, const char *tool_short,
	      const struct option *opts, struct xg_common_opts *co)
{
	char optstring[64], msg[128];
	int c;

	/* ':' first: a missing value is told apart from an unknown option */
	snprintf(optstring, sizeof(optstring), ":%s%s", tool_short,
		 XG_COMMON_SHORT);
	opterr = 0;
	while ((c = getopt_long(argc, argv, optstring, opts, NULL)) != -1) {
		if (common_opt(c, co))
			continue;
		if (c != '?' && c != ':')
			return c;
		opt_error_msg(c, argv, opts, msg, sizeof(msg));
		xg_opt_bad(co, "%s", msg);
	}
	return -1;
}

int xg_opt_bad(struct xg_common_opts *co, const char *fmt, ...)
{
	va_list ap;

	if (!co->err[0]) {
		va_start(ap, fmt);
		vsnprintf(co->err, sizeof(co->err), fmt, ap);
		va_end(ap);
	}
	return -XG_EUSAGE;
}

bool xg_opts_stop(const struct xg_common_opts *co)
{
	return co->err[0] || co->help || co->version;
}

int xg_opts_end(const struct xg_common_opts *co)
{
	return co->err[0] ? xg_usage_err("%s", co->err) : 0;
}

/* Until 0.1, -n was the count of xg-stats and xg-events; a number given
 * to it is refused with the new spelling for one release (drop in 0.3).
 */
void xg_opt_old_count(struct xg_common_opts *co, const char *arg)
{
	if (arg[0] && strspn(arg, "0123456789") == strlen(arg))
		xg_opt_bad(co, "-n is now the network namespace; use "
			       "-c/--count for a count");
}

const void *xg_cmd_lookup(const void *rows, size_t nrows, size_t row_size,
			  const char *word)
{
	const char *row = rows;
	size_t i;

	for (i = 0; word && i < nrows; i++, row += row_size)
		if (!strcmp(*(const char *const *)row, word))
			return row;
	return NULL;
}
