// SPDX-License-Identifier: GPL-2.0
/* SYN cookies per destination port (xg-threshold syn-cookies): the port
 * lists of the command line, the image of xg_scports they change, its
 * write in the order that keeps the program's view consistent, the
 * sysctl the modes need in each guarded namespace, and the counters
 * xg-stats shows.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xg.h"

#define SYSCTL_PATH "/proc/sys/net/ipv4/tcp_syncookies"

static const char *const mode_names[] = {
	[XG_SC_OFF] = "off",
	[XG_SC_AUTO] = "auto",
	[XG_SC_ON] = "on",
};

const char *xg_sc_mode_name(unsigned int mode)
{
	return mode <= XG_SC_ON ? mode_names[mode] : "?";
}

int xg_sc_mode_of(const char *s)
{
	unsigned int i;

	for (i = 0; i <= XG_SC_ON; i++)
		if (!strcmp(s, mode_names[i]))
			return i;
	return -1;
}

/* ---- port lists ---------------------------------------------------------- */

static void set_range(__u64 *set, __u32 lo, __u32 hi)
{
	__u32 p;

	for (p = lo; p <= hi; p++)
		set[p / 64] |= 1ULL << (p % 64);
}

/* P or P-Q, as a rule's dport takes them. */
static int parse_range(const char *s, __u32 *lo, __u32 *hi, char *err,
		       size_t len)
{
	char buf[32], *dash;
	__u64 a, b;

	if (strlen(s) >= sizeof(buf))
		goto bad;
	strcpy(buf, s);
	dash = strchr(buf, '-');
	if (dash)
		*dash = '\0';
	if (xg_parse_u64(buf, 0, 65535, &a) ||
	    (dash && xg_parse_u64(dash + 1, 0, 65535, &b)))
		goto bad;
	if (!dash)
		b = a;
	if (a > b) {
		snprintf(err, len, "reversed range '%s'", s);
		return -EINVAL;
	}
	*lo = a;
	*hi = b;
	return 0;
bad:
	snprintf(err, len, "invalid port '%s' (N or MIN-MAX, 0-65535)", s);
	return -EINVAL;
}

int xg_sc_parse_ports(const char *s, __u64 set[XG_SC_SET_WORDS], char *err,
		      size_t len)
{
	char *buf, *tok, *save;
	__u32 lo, hi;
	int rc = 0;

	memset(set, 0, XG_SC_SET_WORDS * sizeof(*set));
	if (!*s || s[0] == ',' || s[strlen(s) - 1] == ',' || strstr(s, ",,")) {
		snprintf(err, len, "invalid port list '%s'", s);
		return -EINVAL;
	}
	buf = strdup(s);
	if (!buf) {
		snprintf(err, len, "out of memory");
		return -ENOMEM;
	}
	for (tok = strtok_r(buf, ",", &save); tok && !rc;
	     tok = strtok_r(NULL, ",", &save)) {
		rc = parse_range(tok, &lo, &hi, err, len);
		if (!rc)
			set_range(set, lo, hi);
	}
	free(buf);
	return rc;
}

/* ---- the image of xg_scports -------------------------------------------- */

unsigned int xg_sc_get(const struct xg_sc_image *im, __u32 port)
{
	return xg_sc_mode(im->w[port / XG_SC_PORTS_PER_WORD], port);
}

void xg_sc_set(struct xg_sc_image *im, const __u64 *set, unsigned int mode)
{
	__u32 p, shift;
	__u64 *w;

	for (p = 0; p < 65536; p++) {
		if (set && !(set[p / 64] & (1ULL << (p % 64))))
			continue;
		w = &im->w[p / XG_SC_PORTS_PER_WORD];
		shift = (p % XG_SC_PORTS_PER_WORD) * 2;
		*w = (*w & ~(3ULL << shift)) | ((__u64)mode << shift);
	}
}

unsigned int xg_sc_max(const struct xg_sc_image *im)
{
	unsigned int max = XG_SC_OFF;
	__u32 p;

	for (p = 0; p < 65536; p++)
		if (xg_sc_get(im, p) > max)
			max = xg_sc_get(im, p);
	return max;
}

char *xg_sc_format(const struct xg_sc_image *im, unsigned int mode)
{
	/* at worst every other port: "1,3,5,..." */
	size_t cap = 32768 * 7 + 1, at = 0;
	char *buf = malloc(cap);
	__u32 p = 0, lo;

	if (!buf)
		return NULL;
	buf[0] = '\0';
	while (p < 65536) {
		if (xg_sc_get(im, p) != mode) {
			p++;
			continue;
		}
		for (lo = p; p < 65536 && xg_sc_get(im, p) == mode; p++)
			;
		at += snprintf(buf + at, cap - at,
			       lo == p - 1 ? "%s%u" : "%s%u-%u", at ? "," : "",
			       lo, p - 1);
	}
	return buf;
}

int xg_sc_read(const struct xg_maps *m, struct xg_sc_image *im)
{
	__u32 i;

	for (i = 0; i < XG_SC_WORDS; i++)
		if (bpf_map_lookup_elem(m->scports, &i, &im->w[i]))
			return xg_fail(-errno, "cannot read %s: %s",
				       XG_STR(XG_MAP_SCPORTS), strerror(errno));
	return 0;
}

/* Only the words that change: each is one 8-byte store the program reads
 * whole, so a port is in its old mode or its new one.
 */
static int write_words(const struct xg_maps *m, const struct xg_sc_image *old,
		       const struct xg_sc_image *im)
{
	__u32 i;

	for (i = 0; i < XG_SC_WORDS; i++) {
		if (old->w[i] == im->w[i])
			continue;
		if (bpf_map_update_elem(m->scports, &i, &im->w[i], BPF_ANY))
			return xg_fail(-errno, "cannot write %s: %s",
				       XG_STR(XG_MAP_SCPORTS), strerror(errno));
	}
	return 0;
}

/* The flag follows the ports: set after they are written, cleared before
 * they are, so the program never takes the cookie step over a half
 * written map it was not already using, and skips it once none is left.
 */
int xg_sc_commit(const struct xg_maps *m, struct xg_config *cfg,
		 const struct xg_sc_image *old, const struct xg_sc_image *im)
{
	int err;

	if (xg_sc_max(im) != XG_SC_OFF) {
		cfg->flags |= XG_CFG_SYNCOOKIES;
		err = write_words(m, old, im);
		return err ? err : xg_config_write(m, cfg);
	}
	cfg->flags &= ~XG_CFG_SYNCOOKIES;
	err = xg_config_write(m, cfg);
	return err ? err : write_words(m, old, im);
}

void xg_sc_save(FILE *f, const char *prefix, const struct xg_sc_image *im,
		const struct xg_config *cfg)
{
	unsigned int mode;
	char *ports;

	/* off for every port first: the lines after it say all there is */
	fprintf(f, "%ssyn-cookies off\n", prefix);
	for (mode = XG_SC_AUTO; mode <= XG_SC_ON; mode++) {
		ports = xg_sc_format(im, mode);
		if (ports && !strcmp(ports, "0-65535"))
			fprintf(f, "%ssyn-cookies %s\n", prefix,
				mode_names[mode]);
		else if (ports && *ports)
			fprintf(f, "%ssyn-cookies %s port %s\n", prefix,
				mode_names[mode], ports);
		free(ports);
	}
	/* the window scale is the kernel's of the day: worked out again */
	fprintf(f, "%ssyn-cookies timestamps %s\n", prefix,
		cfg->sc_wscale ? "on" : "off");
}

/* ---- the kernel ---------------------------------------------------------- */

int xg_sc_check_kernel(const struct xg_maps *m, const struct xg_sc_image *im)
{
	struct xg_meta meta;
	__u32 zero = 0;

	if (xg_sc_max(im) == XG_SC_OFF)
		return 0;
	if (bpf_map_lookup_elem(m->meta, &zero, &meta))
		return xg_fail(-errno, "cannot read %s: %s",
			       XG_STR(XG_MAP_META), strerror(errno));
	if (!(meta.kfeat & XG_KF_SYNCOOKIE))
		return xg_fail(-EOPNOTSUPP,
			       "syn-cookies need the SYN cookie helpers of "
			       "XDP (Linux 5.3), which this kernel lacks; "
			       "only 'syn-cookies off' works here");
	return 0;
}

/* The first number of /proc/sys/@path. */
static int proc_read(const char *path, long long *val)
{
	char buf[64] = "";
	ssize_t n;
	int fd;

	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -EIO;
	*val = atoll(buf);
	return 0;
}

static int proc_write(const char *path, int val)
{
	char buf[16];
	int fd, n;

	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = snprintf(buf, sizeof(buf), "%d\n", val);
	if (write(fd, buf, n) != n) {
		n = -errno;
		close(fd);
		return n;
	}
	return close(fd) ? -errno : 0;
}

static int sysctl_read(int *val)
{
	long long v = 0;
	int err = proc_read(SYSCTL_PATH, &v);

	*val = v;
	return err;
}

static int sysctl_write(int val)
{
	return proc_write(SYSCTL_PATH, val);
}

/* The value @mode needs in the namespace we are in; the note for it. */
static int sysctl_one(const char *ns, unsigned int mode)
{
	int old = 0, want, err;

	err = sysctl_read(&old);
	if (err)
		return xg_fail(err, "cannot read %s in %s: %s", SYSCTL_PATH,
			       *ns ? ns : "the namespace of the pins",
			       strerror(-err));
	want = mode == XG_SC_ON ? 2 : old ? old : 1;
	if (want == old)
		return 0;
	err = sysctl_write(want);
	if (err)
		return xg_fail(err,
			       "cannot set net.ipv4.tcp_syncookies in %s: "
			       "%s",
			       *ns ? ns : "the namespace of the pins",
			       strerror(-err));
	if (want == 2)
		xg_warn("note: net.ipv4.tcp_syncookies %d -> 2 in %s%s: the "
			"kernel too answers every SYN with a cookie, and "
			"those connections have no window scaling or SACK",
			old, *ns ? "namespace " : "",
			*ns ? ns : "the namespace of the pins");
	else
		xg_warn("note: net.ipv4.tcp_syncookies %d -> 1 in %s%s: the "
			"kernel sends cookies when a listener's SYN queue "
			"overflows",
			old, *ns ? "namespace " : "",
			*ns ? ns : "the namespace of the pins");
	return 0;
}

int xg_sc_sysctl(const char *dir, const struct xg_maps *m, unsigned int mode)
{
	struct xg_report_iface *v;
	size_t n, i, k;
	int saved, err, rc;

	if (mode == XG_SC_OFF)
		return 0;
	err = xg_links_read(dir, m, &v, &n);
	if (err)
		return err;
	for (i = 0; i < n && !err; i++) {
		/* each namespace once; the list is sorted by namespace */
		for (k = 0; k < i; k++)
			if (!strcmp(v[k].netns, v[i].netns))
				break;
		if (k < i)
			continue;
		err = xg_netns_enter(v[i].netns, &saved);
		if (err)
			break;
		err = sysctl_one(v[i].netns, mode);
		rc = xg_netns_leave(saved);
		if (!err)
			err = rc;
	}
	free(v);
	return err;
}

/* ---- the timestamp mode ------------------------------------------------ */

#define TS_PATH "/proc/sys/net/ipv4/tcp_timestamps"
#define RMEM_PATH "/proc/sys/net/ipv4/tcp_rmem"
#define RMEM_MAX_PATH "/proc/sys/net/core/rmem_max"
#define TCP_MAX_WSCALE 14

/* tcp_select_initial_window(): the scale of the largest window a
 * listener may offer, ilog2(max(tcp_rmem[2], rmem_max)) - 15 in 0..14.
 */
static int listener_wscale(long long rmem_max, int *ws)
{
	char buf[96] = "", *p;
	long long space;
	ssize_t n;
	int fd, w = 0;

	fd = open(RMEM_PATH, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return n < 0 ? -errno : -EIO;
	/* "min default max" */
	p = strrchr(buf, '\t') ? strrchr(buf, '\t') : strrchr(buf, ' ');
	space = atoll(p ? p + 1 : buf);
	if (rmem_max > space)
		space = rmem_max;
	while (space >> (w + 1) && w < 62)
		w++;
	w -= 15;
	*ws = w < 0 ? 0 : w > TCP_MAX_WSCALE ? TCP_MAX_WSCALE : w;
	return 0;
}

/* In the namespace we are in: its window scale, and tcp_timestamps 2. */
static int ts_one(const char *ns, long long rmem_max, bool sysctl, int *ws)
{
	const char *where = *ns ? ns : "the namespace of the pins";
	long long old = 0;
	int err;

	err = listener_wscale(rmem_max, ws);
	if (err)
		return xg_fail(err, "cannot read %s in %s: %s", RMEM_PATH,
			       where, strerror(-err));
	if (!sysctl)
		return 0;
	err = proc_read(TS_PATH, &old);
	if (!err && old != 2)
		err = proc_write(TS_PATH, 2);
	if (err)
		return xg_fail(err,
			       "cannot set net.ipv4.tcp_timestamps in %s: %s",
			       where, strerror(-err));
	if (old != 2)
		xg_warn("note: net.ipv4.tcp_timestamps %lld -> 2 in %s%s: TCP "
			"timestamps no longer start at a random offset per "
			"connection",
			old, *ns ? "namespace " : "", where);
	return 0;
}

int xg_sc_resolve(const char *dir, const struct xg_maps *m,
		  struct xg_config *cfg, bool sysctl)
{
	struct xg_report_iface *v = NULL, none = {};
	long long rmem_max = 0;
	int saved, err = 0, rc, ws = 0, first = -1;
	struct xg_meta meta;
	__u32 zero = 0;
	size_t n, i;

	if (cfg->sc_wscale != XG_SC_WSCALE_PENDING)
		return 0;
	if (bpf_map_lookup_elem(m->meta, &zero, &meta))
		return xg_fail(-errno, "cannot read %s: %s",
			       XG_STR(XG_MAP_META), strerror(errno));
	/* the program reads the options of Linux, FreeBSD and macOS SYNs;
	 * the others get an MSS option alone
	 */
	if (!(meta.kfeat & XG_KF_SYNCOOKIE))
		return xg_fail(-EOPNOTSUPP,
			       "syn-cookies need the SYN cookie helpers of "
			       "XDP (Linux 5.3), which this kernel lacks; "
			       "only 'syn-cookies off' works here");
	/* a global sysctl: only the namespace of the pins has it */
	proc_read(RMEM_MAX_PATH, &rmem_max);
	err = xg_links_read(dir, m, &v, &n);
	if (err)
		return err;
	for (i = 0; i < (n ? n : 1) && !err; i++) {
		const struct xg_report_iface *ri = n ? &v[i] : &none;

		if (i && !strcmp(v[i - 1].netns, ri->netns))
			continue; /* sorted by namespace: each once */
		err = xg_netns_enter(ri->netns, &saved);
		if (err)
			break;
		err = ts_one(ri->netns, rmem_max, sysctl, &ws);
		rc = xg_netns_leave(saved);
		if (!err)
			err = rc;
		if (!err && first >= 0 && ws != first)
			err = xg_fail(-EINVAL,
				      "syn-cookies timestamps: listeners get "
				      "window scale %d in %s%s but %d in "
				      "another guarded namespace; give "
				      "net.ipv4.tcp_rmem the same maximum in "
				      "each",
				      ws, *ri->netns ? "namespace " : "",
				      *ri->netns ? ri->netns :
						   "the namespace of the pins",
				      first);
		first = ws;
	}
	free(v);
	if (!err)
		cfg->sc_wscale = first + 1;
	return err;
}

void xg_sc_load_note(const struct xg_maps *m, const char *ns)
{
	static struct xg_sc_image im;
	struct xg_config cfg;
	unsigned int mode;
	int val;

	if (xg_config_read(m, &cfg) || !(cfg.flags & XG_CFG_SYNCOOKIES) ||
	    xg_sc_read(m, &im) || sysctl_read(&val))
		return;
	mode = xg_sc_max(&im);
	if ((mode == XG_SC_ON && val == 2) || (mode == XG_SC_AUTO && val))
		return;
	xg_warn("note: syn-cookies %s need net.ipv4.tcp_syncookies %s, and it "
		"is %d in %s%s; run the xg-threshold syn-cookies command again "
		"to set it",
		mode_names[mode], mode == XG_SC_ON ? "2" : "1 or 2", val,
		ns && *ns ? "namespace " : "",
		ns && *ns ? ns : "the namespace of the pins");
}

/* ---- counters ------------------------------------------------------------ */

int xg_sc_stats_read(const struct xg_maps *m, const struct xg_stats *st,
		     struct xg_sc_report *out)
{
	int ncpu = libbpf_num_possible_cpus(), cpu, c, err = 0;
	struct xg_scstats *per;
	__u64 now, last = 0;
	__u32 zero = 0;

	memset(out, 0, sizeof(*out));
	for (c = 0; c < XG_C_MAX; c++) {
		out->sent += st->c[c][XG_R_COOKIE_SENT].packets;
		out->bad += st->c[c][XG_R_COOKIE_BAD].packets;
	}
	if (ncpu < 0)
		return xg_fail(ncpu, "cannot count CPUs: %s", strerror(-ncpu));
	per = calloc(ncpu, sizeof(*per));
	if (!per)
		return xg_fail(-ENOMEM, "out of memory");
	if (bpf_map_lookup_elem(m->scstats, &zero, per)) {
		err = xg_fail(-errno, "cannot read %s: %s",
			      XG_STR(XG_MAP_SCSTATS), strerror(errno));
		goto out;
	}
	for (cpu = 0; cpu < ncpu; cpu++) {
		out->acks_valid += per[cpu].acks_valid;
		out->fallback += per[cpu].fallback;
		out->no_listener += per[cpu].no_listener;
		out->unsupported += per[cpu].unsupported;
		if (per[cpu].last_sent_ns > last)
			last = per[cpu].last_sent_ns;
	}
	now = xg_limits_now_ns(m);
	out->engaged = last && now >= last && now - last < XG_ATTACK_QUIET_NS;
	out->last_sent_ns = last;
out:
	free(per);
	return err;
}
