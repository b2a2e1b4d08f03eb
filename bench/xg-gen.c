// SPDX-License-Identifier: GPL-2.0
/* xg-gen: the benchmark's traffic generator and measuring tool.
 *
 * Send mode runs gen_tx through BPF_PROG_TEST_RUN with live frames: every
 * repetition is a real frame that gen_tx sends out of --dev (XDP_TX), so
 * on a veth it arrives at the peer, where the filter under test runs.
 * --measure runs a program on one frame without live frames and reports
 * the kernel's time per run; --attach/--read manage the reference
 * receivers (bare_drop, bare_pass, ref_hash) of the benchmark and
 * pass_sink, the generator side's receiver when the flood is answered.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <linux/if_link.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "gen.h"
#include "gen.skel.h"

#ifndef BPF_F_TEST_XDP_LIVE_FRAMES
#define BPF_F_TEST_XDP_LIVE_FRAMES (1U << 1)
#endif

#define GEN_DEF_COUNT 1000000
#define GEN_DEF_BATCH 64 /* the kernel's default NAPI budget */
#define GEN_MAX_BATCH 256 /* the kernel refuses larger (TEST_XDP_MAX_BATCH) */
#define GEN_DEF_REPEAT 10000000 /* enough runs for a stable mean */
#define GEN_DEF_RUNS 5
/* Frames per test run when not paced: small enough to notice the time
 * limit and a signal soon. A live run has a fixed cost of its own (~25 ms
 * on our VM, most of it waiting, not running: 65,536 frames take ~4 ms of
 * CPU), so with --run-secs S each next run is sized at the last one's
 * speed to take S seconds, and that cost shrinks to a few percent. Not by
 * default: the pauses between runs are when other traffic on the same
 * veth gets into its ring (the e2e flood tests' known clients).
 */
#define GEN_CHUNK 65536
#define GEN_MAX_CHUNK (1ULL << 26)
#define GEN_DEF_TIME_LIMIT 60 /* seconds: no flood runs away */
/* Keys per batch update of ref_hash's list: 512 KiB of keys and values,
 * a few ms in the kernel per call.
 */
#define GEN_FILL_BATCH 65536
#define GEN_MAX_ENTRIES 16777216 /* 2^24: far beyond any blocklist here */

enum gen_mode { M_SEND, M_MEASURE, M_ATTACH, M_READ };
enum gen_recv { R_DROP, R_PASS, R_REF };

struct gen_opts {
	enum gen_mode mode;
	const char *netns, *dev, *target, *pin_dir;
	struct gen_frame frame;
	int have_src, have_dst, have_dst_mac, have_rand, have_sink;
	struct gen_addr rand, sink;
	unsigned long long count, rate, repeat;
	unsigned int batch, runs, entries;
	double time_limit, run_secs;
	enum gen_recv recv;
	int json;
};

static int verbose;

static void err(const char *fmt, ...)
{
	va_list ap;

	fputs("xg-gen: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static int libbpf_print(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	return verbose ? vfprintf(stderr, fmt, ap) : 0;
}

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double now_s(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

static void usage(FILE *f)
{
	fputs("Usage: xg-gen [-n NETNS] -d DEV [FRAME] [-c COUNT] [-r PPS] [-j]\n"
	      "       xg-gen --measure bare-drop|bare-pass|PIN [FRAME] [--repeat N]\n"
	      "       xg-gen --attach drop|pass -n NETNS -d DEV --pin-dir DIR\n"
	      "       xg-gen --attach pass --drop-dst PFX -n NETNS -d DEV --pin-dir DIR\n"
	      "       xg-gen --attach ref --entries N -s ADDR -n NETNS -d DEV --pin-dir DIR\n"
	      "       xg-gen --read DIR [-j]\n"
	      "Sends crafted frames out of DEV (BPF_PROG_TEST_RUN, live frames).\n"
	      "Addresses must lie in 198.18.0.0/15 or 2001:db8::/32.\n"
	      "FRAME:\n"
	      "  -p, --proto P        syn, ack, udp, icmp or frag (default syn)\n"
	      "  -s, --src ADDR       source address\n"
	      "  -D, --dst ADDR       destination address\n"
	      "      --sport N        source port (default 40000)\n"
	      "      --dport N        destination port (default 80)\n"
	      "      --dst-mac MAC    default: DST's neighbour entry on DEV\n"
	      "      --size N         frame length without FCS (default 60)\n"
	      "      --rand-src PFX   a random source in PFX for every frame\n"
	      "                       (replaces --src)\n"
	      "Sending:\n"
	      "  -n, --netns NAME     run in network namespace NAME\n"
	      "  -d, --dev IFACE      interface to send from\n"
	      "  -c, --count N        frames to send (default 1000000)\n"
	      "  -r, --rate PPS       pace to PPS frames per second\n"
	      "  -b, --batch N        frames per kernel batch (1-256, default 64)\n"
	      "      --time-limit S   stop after S seconds (default 60, may be 0.5)\n"
	      "      --run-secs S     size each test run to take S seconds\n"
	      "                       (0.01-10; default 65536 frames a run)\n"
	      "Measuring:\n"
	      "      --measure T      time program T (a pinned link or program)\n"
	      "      --repeat N       runs per measurement (default 10000000)\n"
	      "      --runs N         measurements, median reported (default 5)\n"
	      "Reference receivers:\n"
	      "      --attach drop|pass  attach bare_drop/bare_pass natively,\n"
	      "                          pin link and counter in --pin-dir DIR\n"
	      "      --drop-dst PFX   with --attach pass: pass_sink instead,\n"
	      "                       which drops and counts the IPv4 frames\n"
	      "                       to PFX and passes the rest uncounted (the\n"
	      "                       generator's end, when the flood's SYNs\n"
	      "                       are answered from XDP)\n"
	      "      --attach ref     attach ref_hash: drops the IPv4 sources\n"
	      "                       in its hash, --src ADDR and the next\n"
	      "                       N - 1 addresses (--entries N); counts drops;\n"
	      "                       the hash stays pinned in DIR/list and is\n"
	      "                       reused by the next --attach ref\n"
	      "      --entries N      entries of ref_hash's hash (1-16777216)\n"
	      "      --read DIR       packets counted by the receiver pinned there\n"
	      "  -j, --json           JSON output\n"
	      "  -v, --verbose        libbpf messages\n"
	      "  -h, --help           this text\n",
	      f);
}

static int parse_ull(const char *s, unsigned long long min,
		     unsigned long long max, unsigned long long *v)
{
	char *end;

	errno = 0;
	if (*s < '0' || *s > '9')
		return -EINVAL;
	*v = strtoull(s, &end, 10);
	if (errno || *end || *v < min || *v > max)
		return -EINVAL;
	return 0;
}

enum {
	O_SPORT = 256,
	O_DPORT,
	O_DST_MAC,
	O_SIZE,
	O_RAND_SRC,
	O_TIME_LIMIT,
	O_MEASURE,
	O_REPEAT,
	O_RUNS,
	O_ATTACH,
	O_READ,
	O_PIN_DIR,
	O_ENTRIES,
	O_RUN_SECS,
	O_DROP_DST,
};

static const struct option long_opts[] = {
	{ "netns", required_argument, NULL, 'n' },
	{ "dev", required_argument, NULL, 'd' },
	{ "proto", required_argument, NULL, 'p' },
	{ "src", required_argument, NULL, 's' },
	{ "dst", required_argument, NULL, 'D' },
	{ "sport", required_argument, NULL, O_SPORT },
	{ "dport", required_argument, NULL, O_DPORT },
	{ "dst-mac", required_argument, NULL, O_DST_MAC },
	{ "size", required_argument, NULL, O_SIZE },
	{ "rand-src", required_argument, NULL, O_RAND_SRC },
	{ "count", required_argument, NULL, 'c' },
	{ "rate", required_argument, NULL, 'r' },
	{ "batch", required_argument, NULL, 'b' },
	{ "time-limit", required_argument, NULL, O_TIME_LIMIT },
	{ "measure", required_argument, NULL, O_MEASURE },
	{ "repeat", required_argument, NULL, O_REPEAT },
	{ "runs", required_argument, NULL, O_RUNS },
	{ "attach", required_argument, NULL, O_ATTACH },
	{ "read", required_argument, NULL, O_READ },
	{ "pin-dir", required_argument, NULL, O_PIN_DIR },
	{ "entries", required_argument, NULL, O_ENTRIES },
	{ "run-secs", required_argument, NULL, O_RUN_SECS },
	{ "drop-dst", required_argument, NULL, O_DROP_DST },
	{ "json", no_argument, NULL, 'j' },
	{ "verbose", no_argument, NULL, 'v' },
	{ "help", no_argument, NULL, 'h' },
	{}
};

static int bad_addr(const char *opt, const char *s, int ret)
{
	if (ret == -EDOM)
		err("%s '%s' is outside 198.18.0.0/15 and 2001:db8::/32; "
		    "benchmark traffic stays in those ranges",
		    opt, s);
	else
		err("invalid %s '%s'", opt, s);
	return 2;
}

static int bad_value(const char *opt, const char *s)
{
	err("invalid %s '%s'", opt, s);
	return 2;
}

/* Returns 0, or the exit status (2) after printing the error. */
static int parse_one(struct gen_opts *o, int c, const char *arg)
{
	struct gen_frame *f = &o->frame;
	unsigned long long v;
	char *end;
	int ret;

	switch (c) {
	case 'n':
		o->netns = arg;
		return 0;
	case 'd':
		o->dev = arg;
		return 0;
	case 'p':
		return gen_parse_proto(arg, &f->proto) ?
			       bad_value("proto", arg) :
			       0;
	case 's':
		ret = gen_parse_addr(arg, &f->src, 0);
		o->have_src = 1;
		return ret ? bad_addr("source", arg, ret) : 0;
	case 'D':
		ret = gen_parse_addr(arg, &f->dst, 0);
		o->have_dst = 1;
		return ret ? bad_addr("destination", arg, ret) : 0;
	case O_RAND_SRC:
		ret = gen_parse_addr(arg, &o->rand, 1);
		o->have_rand = 1;
		return ret ? bad_addr("prefix", arg, ret) : 0;
	case O_DROP_DST:
		ret = gen_parse_addr(arg, &o->sink, 1);
		o->have_sink = 1;
		return ret ? bad_addr("prefix", arg, ret) : 0;
	case O_SPORT:
	case O_DPORT:
		if (parse_ull(arg, 1, 65535, &v))
			return bad_value("port", arg);
		*(c == O_SPORT ? &f->sport : &f->dport) = v;
		return 0;
	case O_DST_MAC:
		o->have_dst_mac = 1;
		return gen_parse_mac(arg, f->dst_mac) ? bad_value("MAC", arg) :
							0;
	case O_SIZE:
		if (parse_ull(arg, GEN_FRAME_MIN, GEN_FRAME_MAX, &v))
			return bad_value("size", arg);
		f->size = v;
		return 0;
	case 'c':
		return parse_ull(arg, 1, ULLONG_MAX / 2, &o->count) ?
			       bad_value("count", arg) :
			       0;
	case 'r':
		return parse_ull(arg, 1, 100000000, &o->rate) ?
			       bad_value("rate", arg) :
			       0;
	case 'b':
		if (parse_ull(arg, 1, GEN_MAX_BATCH, &v))
			return bad_value("batch", arg);
		o->batch = v;
		return 0;
	case O_TIME_LIMIT:
		o->time_limit = strtod(arg, &end);
		if (*arg < '0' || *arg > '9' || *end || o->time_limit < 0.01 ||
		    o->time_limit > 3600)
			return bad_value("time limit", arg);
		return 0;
	case O_RUN_SECS:
		o->run_secs = strtod(arg, &end);
		if (*arg < '0' || *arg > '9' || *end || o->run_secs < 0.01 ||
		    o->run_secs > 10)
			return bad_value("run time", arg);
		return 0;
	case O_REPEAT:
		return parse_ull(arg, 1, UINT_MAX, &o->repeat) ?
			       bad_value("repeat", arg) :
			       0;
	case O_RUNS:
		if (parse_ull(arg, 1, 101, &v))
			return bad_value("runs", arg);
		o->runs = v;
		return 0;
	case O_MEASURE:
		o->mode = M_MEASURE;
		o->target = arg;
		return 0;
	case O_ATTACH:
		if (!strcmp(arg, "drop"))
			o->recv = R_DROP;
		else if (!strcmp(arg, "pass"))
			o->recv = R_PASS;
		else if (!strcmp(arg, "ref"))
			o->recv = R_REF;
		else
			return bad_value("receiver", arg);
		o->mode = M_ATTACH;
		return 0;
	case O_ENTRIES:
		if (parse_ull(arg, 1, GEN_MAX_ENTRIES, &v))
			return bad_value("entries", arg);
		o->entries = v;
		return 0;
	case O_READ:
		o->mode = M_READ;
		o->pin_dir = arg;
		return 0;
	case O_PIN_DIR:
		o->pin_dir = arg;
		return 0;
	case 'j':
		o->json = 1;
		return 0;
	case 'v':
		verbose = 1;
		return 0;
	}
	return 2;
}

/* Everything the command line can get wrong, before anything is touched. */
static int check_opts(struct gen_opts *o)
{
	struct gen_frame *f = &o->frame;
	uint32_t mask[4];
	int i;

	if (o->entries && (o->mode != M_ATTACH || o->recv != R_REF)) {
		err("--entries goes with --attach ref only; see --help");
		return 2;
	}
	if (o->run_secs && (o->mode != M_SEND || o->rate)) {
		err("--run-secs goes with unpaced sending only (no --rate)");
		return 2;
	}
	if (o->have_sink && (o->mode != M_ATTACH || o->recv != R_PASS ||
			     o->sink.family != AF_INET)) {
		err("--drop-dst takes an IPv4 prefix and goes with --attach "
		    "pass only; see --help");
		return 2;
	}
	if (o->mode == M_READ)
		return 0;
	if (o->mode == M_ATTACH) {
		if (!o->dev || !o->pin_dir) {
			err("--attach needs --dev and --pin-dir; see --help");
			return 2;
		}
		if (o->recv == R_REF &&
		    (!o->entries || !o->have_src || f->src.family != AF_INET)) {
			err("--attach ref needs --entries N and an IPv4 --src "
			    "(the source to drop); see --help");
			return 2;
		}
		return 0;
	}
	if (o->mode == M_SEND && !o->dev) {
		err("no interface given (--dev); see --help");
		return 2;
	}
	/* Every frame gets a new source inside the prefix: the frame starts
	 * with the prefix's own address, whatever --src said.
	 */
	if (o->have_rand) {
		gen_host_mask(&o->rand, mask);
		f->src = o->rand;
		f->src.prefix_len = f->src.family == AF_INET ? 32 : 128;
		for (i = 0; i < 4; i++)
			f->src.addr[i] &= ~mask[i];
		o->have_src = 1;
	}
	if (!o->have_src || !o->have_dst) {
		err("--src (or --rand-src) and --dst are needed; see --help");
		return 2;
	}
	if (f->src.family != f->dst.family ||
	    (o->have_rand && o->rand.family != f->src.family)) {
		err("addresses of different families; use IPv4 or IPv6 throughout");
		return 2;
	}
	return 0;
}

static int parse_opts(int argc, char **argv, struct gen_opts *o)
{
	int c, ret;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":n:d:p:s:D:c:r:b:jvh", long_opts,
				NULL)) != -1) {
		if (c == 'h') {
			usage(stdout);
			exit(0);
		}
		if (c == '?' || c == ':') {
			if (c == ':')
				err("option '%s' needs a value",
				    argv[optind - 1]);
			else
				err("unknown option '%s'; see --help",
				    argv[optind - 1]);
			return 2;
		}
		ret = parse_one(o, c, optarg);
		if (ret)
			return ret;
	}
	if (optind < argc) {
		err("unexpected argument '%s'; see --help", argv[optind]);
		return 2;
	}
	return check_opts(o);
}

static int enter_netns(const char *name)
{
	char path[PATH_MAX];
	int fd, ret = 0;

	snprintf(path, sizeof(path), "/var/run/netns/%s", name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		err("network namespace '%s' not found", name);
		return -ENOENT;
	}
	if (setns(fd, CLONE_NEWNET)) {
		ret = -errno;
		err("cannot enter network namespace '%s': %s", name,
		    strerror(errno));
	}
	close(fd);
	return ret;
}

static int dev_mac(const char *dev, uint8_t mac[6])
{
	struct ifreq ifr = {};
	int fd, ret = 0;

	fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", dev);
	if (ioctl(fd, SIOCGIFHWADDR, &ifr))
		ret = -errno;
	else
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	close(fd);
	return ret;
}

/* Enters the namespace and resolves the interface; returns its ifindex. */
static int open_dev(const struct gen_opts *o)
{
	int ifindex;

	if (o->netns && enter_netns(o->netns))
		return -ENOENT;
	ifindex = if_nametoindex(o->dev);
	if (!ifindex) {
		if (o->netns)
			err("interface '%s' not found in network namespace '%s'",
			    o->dev, o->netns);
		else
			err("interface '%s' not found", o->dev);
		return -ENODEV;
	}
	return ifindex;
}

static int prepare_frame(struct gen_opts *o, int ifindex)
{
	struct gen_frame *f = &o->frame;
	char buf[INET6_ADDRSTRLEN];
	int ret;

	if (ifindex > 0) {
		ret = dev_mac(o->dev, f->src_mac);
		if (ret) {
			err("cannot read the MAC address of %s: %s", o->dev,
			    strerror(-ret));
			return ret;
		}
	}
	if (!o->have_dst_mac && ifindex > 0) {
		ret = gen_neigh_lookup(ifindex, &f->dst, f->dst_mac);
		if (ret) {
			inet_ntop(f->dst.family, f->dst.addr, buf, sizeof(buf));
			err("no neighbour entry for %s on %s; give --dst-mac",
			    buf, o->dev);
			return ret;
		}
	}
	ret = gen_frame_build(f);
	if (ret)
		err("cannot build a frame of that size");
	return ret;
}

static struct gen *open_gen(void)
{
	struct gen *skel = gen__open();

	if (!skel)
		err("cannot open the generator's BPF object: %s",
		    strerror(errno));
	return skel;
}

/* Loads the skeleton with only the program that is needed. */
static int load_gen(struct gen *skel, struct bpf_program *prog)
{
	struct bpf_program *p;
	int ret;

	bpf_object__for_each_program(p, skel->obj)
		bpf_program__set_autoload(p, p == prog);
	ret = gen__load(skel);
	if (ret)
		err("cannot load the generator's BPF program: %s%s",
		    strerror(-ret), ret == -EPERM ? "; run as root" : "");
	return ret;
}

_Static_assert(sizeof(((struct gen__bss *)0)->frame) >= GEN_FRAME_MAX,
	       "gen_tx's frame holds the largest frame");

static void set_frame(struct gen *skel, const struct gen_opts *o)
{
	const struct gen_frame *f = &o->frame;
	uint32_t mask[4];
	int i;

	memcpy(skel->bss->frame, f->data, f->len);
	skel->bss->frame_len = f->len;
	skel->rodata->tx_pad = GEN_TX_PAD;
	skel->rodata->src_off = f->src_off;
	skel->rodata->ip_csum_off = f->ip_csum_off;
	skel->rodata->l4_csum_off = f->l4_csum_off;
	skel->rodata->l4_csum_udp = f->l4_udp;
	if (!o->have_rand)
		return;
	gen_host_mask(&o->rand, mask);
	skel->rodata->rand_words = f->src.family == AF_INET ? 1 : 4;
	for (i = 0; i < 4; i++)
		skel->rodata->rand_mask[i] = mask[i];
}

static int sleep_until(double t)
{
	struct timespec ts;
	double d = t - now_s();

	if (d <= 0)
		return 0;
	ts.tv_sec = (time_t)d;
	ts.tv_nsec = (long)((d - ts.tv_sec) * 1e9);
	return nanosleep(&ts, NULL);
}

/* Frames that take @secs at the last run's speed (@n frames in @call s),
 * from GEN_CHUNK to GEN_MAX_CHUNK.
 */
static unsigned long long frames_for(double secs, unsigned int n, double call)
{
	double f = secs > 0 ? secs * n / call : 0;

	if (f < GEN_CHUNK)
		return GEN_CHUNK;
	return f > GEN_MAX_CHUNK ? GEN_MAX_CHUNK : (unsigned long long)f;
}

/* Returns the frames sent; *secs is the time it took, *cpu the CPU time
 * this thread had meanwhile: with the veth's receive path run in the
 * thread's own softirq, the time the pair really ran, which another task
 * sharing the CPU does not stretch the way it stretches *secs.
 */
static long long blast(int prog_fd, int ifindex, const struct gen_opts *o,
		       double *secs, double *cpu)
{
	/* GEN_TX_PAD bytes before the frame, which gen_tx takes off */
	static uint8_t in[GEN_TX_PAD + GEN_FRAME_MAX];
	struct xdp_md ctx = {
		.data_end = GEN_TX_PAD + o->frame.len,
		.ingress_ifindex = ifindex,
	};
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = in,
		    .data_size_in = GEN_TX_PAD + o->frame.len, .ctx_in = &ctx,
		    .ctx_size_in = sizeof(ctx),
		    .flags = BPF_F_TEST_XDP_LIVE_FRAMES,
		    .batch_size = o->batch);
	unsigned long long sent = 0, n, due, left, most = GEN_CHUNK;
	double start = now_s(), deadline = start + o->time_limit, t, call = 0;
	double cpu0 = clock_s(CLOCK_THREAD_CPUTIME_ID);
	int ret;

	memcpy(in + GEN_TX_PAD, o->frame.data, o->frame.len);

	/* Paced: a live run has a fixed cost of its own (~25 ms here: it
	 * sets up and tears down a page pool), whatever it sends. So wait
	 * until the next frame is due, then send every frame that will be
	 * due by the time this run ends, as long as the last one took, but
	 * at most 100 ms worth at once: the rate holds on average, in bursts
	 * no longer than one run.
	 */
	if (o->rate)
		most = o->rate / 10 ? o->rate / 10 : 1;
	while (sent < o->count && now_s() < deadline) {
		n = most;
		if (o->rate) {
			sleep_until(start + (double)sent / o->rate);
			due = (unsigned long long)((now_s() + call - start) *
						   o->rate) +
			      1;
			n = due > sent ? due - sent : 1;
			if (n > most)
				n = most;
		} else if (o->run_secs && call > 0) {
			/* No further than the time limit. */
			left = frames_for(deadline - now_s(), opts.repeat,
					  call);
			if (n > left)
				n = left;
		}
		opts.repeat = o->count - sent < n ? o->count - sent : n;
		t = now_s();
		ret = bpf_prog_test_run_opts(prog_fd, &opts);
		if (ret) {
			err("test run failed: %s", strerror(-ret));
			return ret;
		}
		call = now_s() - t;
		sent += opts.repeat;
		if (!o->rate && o->run_secs && call > 0)
			most = frames_for(o->run_secs, opts.repeat, call);
	}
	*secs = now_s() - start;
	*cpu = clock_s(CLOCK_THREAD_CPUTIME_ID) - cpu0;
	return sent;
}

static int do_send(struct gen_opts *o)
{
	struct gen *skel = NULL;
	char src[INET6_ADDRSTRLEN + 4];
	long long sent;
	double secs = 0, cpu = 0;
	int ifindex, ret = 1;

	ifindex = open_dev(o);
	if (ifindex < 0 || prepare_frame(o, ifindex))
		return 1;
	skel = open_gen();
	if (!skel)
		return 1;
	set_frame(skel, o);
	if (load_gen(skel, skel->progs.gen_tx))
		goto out;
	sent = blast(bpf_program__fd(skel->progs.gen_tx), ifindex, o, &secs,
		     &cpu);
	if (sent < 0)
		goto out;
	inet_ntop(o->frame.src.family, o->frame.src.addr, src, sizeof(src));
	if (o->json)
		printf("{\"sent\":%lld,\"seconds\":%.6f,\"cpu_seconds\":%.6f,"
		       "\"pps\":%.0f,\"proto\":\"%s\",\"frame_len\":%u,"
		       "\"rand_src\":%s}\n",
		       sent, secs, cpu, secs > 0 ? sent / secs : 0,
		       gen_proto_name(o->frame.proto), o->frame.len,
		       o->have_rand ? "true" : "false");
	else
		printf("sent %lld packets in %.3f s (%.0f pps)\n", sent, secs,
		       secs > 0 ? sent / secs : 0);
	ret = 0;
out:
	gen__destroy(skel);
	return ret;
}

static const char *verdict_name(__u32 v)
{
	static const char *const names[] = { "XDP_ABORTED", "XDP_DROP",
					     "XDP_PASS", "XDP_TX",
					     "XDP_REDIRECT" };

	return v < sizeof(names) / sizeof(names[0]) ? names[v] : "unknown";
}

/* A pinned link stands for its program: the program as it is attached,
 * with the maps it really uses.
 */
static int prog_from_pin(const char *path)
{
	struct bpf_link_info info = {};
	__u32 len = sizeof(info);
	char fdinfo[64], line[128];
	int fd, prog_fd, is_link = 0;
	FILE *f;

	fd = bpf_obj_get(path);
	if (fd < 0) {
		err("cannot open pinned object '%s': %s", path,
		    strerror(errno));
		return -errno;
	}
	snprintf(fdinfo, sizeof(fdinfo), "/proc/self/fdinfo/%d", fd);
	f = fopen(fdinfo, "r");
	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "link_type:", 10))
			is_link = 1;
	if (f)
		fclose(f);
	if (!is_link)
		return fd;
	if (bpf_obj_get_info_by_fd(fd, &info, &len)) {
		err("cannot read link '%s': %s", path, strerror(errno));
		close(fd);
		return -errno;
	}
	close(fd);
	prog_fd = bpf_prog_get_fd_by_id(info.prog_id);
	if (prog_fd < 0)
		err("cannot open the program of link '%s': %s", path,
		    strerror(errno));
	return prog_fd;
}

static int cmp_u32(const void *a, const void *b)
{
	__u32 x = *(const __u32 *)a, y = *(const __u32 *)b;

	return x < y ? -1 : x > y;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int time_prog(int prog_fd, const struct gen_opts *o)
{
	LIBBPF_OPTS(bpf_test_run_opts, opts, .data_in = o->frame.data,
		    .data_size_in = o->frame.len, .repeat = o->repeat);
	__u32 ns[101];
	double wall[101], t;
	unsigned int i;
	int ret;

	for (i = 0; i < o->runs; i++) {
		t = now_s();
		ret = bpf_prog_test_run_opts(prog_fd, &opts);
		if (ret) {
			err("test run failed: %s", strerror(-ret));
			return 1;
		}
		wall[i] = (now_s() - t) * 1e9 / o->repeat;
		ns[i] = opts.duration;
	}
	qsort(ns, o->runs, sizeof(ns[0]), cmp_u32);
	qsort(wall, o->runs, sizeof(wall[0]), cmp_double);
	if (o->json)
		printf("{\"target\":\"%s\",\"ns_per_packet\":%u,"
		       "\"ns_min\":%u,\"ns_max\":%u,\"wall_ns_per_packet\":%.2f,"
		       "\"repeat\":%llu,\"runs\":%u,\"verdict\":\"%s\"}\n",
		       o->target, ns[o->runs / 2], ns[0], ns[o->runs - 1],
		       wall[o->runs / 2], o->repeat, o->runs,
		       verdict_name(opts.retval));
	else
		printf("%s: %u ns/packet (median of %u x %llu runs, "
		       "%u-%u), verdict %s\n",
		       o->target, ns[o->runs / 2], o->runs, o->repeat, ns[0],
		       ns[o->runs - 1], verdict_name(opts.retval));
	return 0;
}

static int do_measure(struct gen_opts *o)
{
	struct bpf_program *prog = NULL;
	struct gen *skel = NULL;
	int ifindex = 0, prog_fd, ret = 1;

	if (o->dev) {
		ifindex = open_dev(o);
		if (ifindex < 0)
			return 1;
	} else {
		memcpy(o->frame.src_mac, "\x02\0\0\0\0\x01", 6);
		if (!o->have_dst_mac)
			memcpy(o->frame.dst_mac, "\x02\0\0\0\0\x02", 6);
	}
	if (prepare_frame(o, ifindex))
		return 1;
	if (!strcmp(o->target, "bare-drop") ||
	    !strcmp(o->target, "bare-pass")) {
		skel = open_gen();
		if (!skel)
			return 1;
		prog = !strcmp(o->target, "bare-drop") ? skel->progs.bare_drop :
							 skel->progs.bare_pass;
		if (load_gen(skel, prog))
			goto out;
		prog_fd = bpf_program__fd(prog);
	} else {
		prog_fd = prog_from_pin(o->target);
		if (prog_fd < 0)
			return 1;
	}
	ret = time_prog(prog_fd, o);
	if (!skel)
		close(prog_fd);
out:
	gen__destroy(skel);
	return ret;
}

static int pin_at(const char *dir, const char *name, int fd)
{
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (bpf_obj_pin(fd, path)) {
		err("cannot pin '%s': %s", path, strerror(errno));
		return -errno;
	}
	return 0;
}

/* ref_hash's list: FIRST and the N - 1 addresses after it (host order),
 * in batch updates. Only FIRST is ever sent to; the others are keys.
 */
static int fill_ref(int map_fd, uint32_t first, unsigned int n)
{
	LIBBPF_OPTS(bpf_map_batch_opts, bopts);
	unsigned int done, i;
	__u32 *keys, *vals, count;
	int ret = 0;

	keys = calloc(GEN_FILL_BATCH, sizeof(*keys));
	vals = calloc(GEN_FILL_BATCH, sizeof(*vals));
	if (!keys || !vals) {
		err("out of memory");
		ret = -ENOMEM;
		goto out;
	}
	for (done = 0; done < n; done += count) {
		count = n - done < GEN_FILL_BATCH ? n - done : GEN_FILL_BATCH;
		for (i = 0; i < count; i++) {
			keys[i] = htonl(ntohl(first) + done + i);
			vals[i] = 1;
		}
		ret = bpf_map_update_batch(map_fd, keys, vals, &count, &bopts);
		if (ret) {
			err("cannot fill ref_hash's list (%u of %u entries): %s",
			    done + count, n, strerror(-ret));
			goto out;
		}
	}
out:
	free(keys);
	free(vals);
	return ret;
}

static struct bpf_program *recv_prog(struct gen *skel, const struct gen_opts *o)
{
	uint32_t mask[4];

	switch (o->recv) {
	case R_PASS:
		if (!o->have_sink)
			return skel->progs.bare_pass;
		gen_host_mask(&o->sink, mask);
		skel->rodata->sink_mask = ~mask[0];
		skel->rodata->sink_net = o->sink.addr[0] & ~mask[0];
		return skel->progs.pass_sink;
	case R_REF:
		return skel->progs.ref_hash;
	default:
		return skel->progs.bare_drop;
	}
}

/* ref_hash's list is pinned in the pin dir and kept there when the link
 * goes: a later attach reuses it unfilled (libbpf refuses a pinned list
 * of another size), so a benchmark round neither refills a million keys
 * nor frees them in the background while the next row is measured.
 */
static int ref_list_prepare(struct gen *skel, const struct gen_opts *o,
			    char *path, size_t size, int *reused)
{
	snprintf(path, size, "%s/list", o->pin_dir);
	*reused = !access(path, F_OK);
	if (bpf_map__set_max_entries(skel->maps.ref_list, o->entries) ||
	    bpf_map__set_pin_path(skel->maps.ref_list, path)) {
		err("cannot set up ref_hash's list");
		return -EINVAL;
	}
	return 0;
}

static int do_attach(struct gen_opts *o)
{
	LIBBPF_OPTS(bpf_link_create_opts, lopts, .flags = XDP_FLAGS_DRV_MODE);
	char list[PATH_MAX];
	struct bpf_program *prog;
	struct gen *skel;
	int ifindex, link_fd = -1, reused = 0, ret = 1;

	ifindex = open_dev(o);
	if (ifindex < 0)
		return 1;
	if (mkdir(o->pin_dir, 0700) && errno != EEXIST) {
		err("cannot create '%s': %s", o->pin_dir, strerror(errno));
		return 1;
	}
	skel = open_gen();
	if (!skel)
		return 1;
	prog = recv_prog(skel, o);
	if (o->recv == R_REF &&
	    ref_list_prepare(skel, o, list, sizeof(list), &reused))
		goto out;
	if (load_gen(skel, prog)) {
		if (reused)
			err("'%s' may hold another size of list; remove it",
			    list);
		goto out;
	}
	/* Filled before the attach: no frame meets a half-filled list. */
	if (o->recv == R_REF && !reused &&
	    fill_ref(bpf_map__fd(skel->maps.ref_list), o->frame.src.addr[0],
		     o->entries)) {
		bpf_map__unpin(skel->maps.ref_list, NULL);
		goto out;
	}
	link_fd = bpf_link_create(bpf_program__fd(prog), ifindex, BPF_XDP,
				  &lopts);
	if (link_fd < 0) {
		err("cannot attach to %s in native mode: %s", o->dev,
		    strerror(-link_fd));
		goto out;
	}
	/* The link pin keeps the program attached after we exit; removing
	 * the pin detaches it.
	 */
	if (pin_at(o->pin_dir, "count", bpf_map__fd(skel->maps.gen_count)) ||
	    pin_at(o->pin_dir, "link", link_fd))
		goto out;
	ret = 0;
out:
	if (link_fd >= 0)
		close(link_fd);
	gen__destroy(skel);
	return ret;
}

static int do_read(struct gen_opts *o)
{
	char path[PATH_MAX];
	int ncpu = libbpf_num_possible_cpus(), fd, i;
	unsigned long long total = 0;
	__u64 *vals;
	__u32 zero = 0;

	snprintf(path, sizeof(path), "%s/count", o->pin_dir);
	fd = bpf_obj_get(path);
	if (fd < 0) {
		err("no counter pinned at '%s': %s", path, strerror(errno));
		return 1;
	}
	vals = calloc(ncpu > 0 ? ncpu : 1, sizeof(*vals));
	if (!vals || ncpu <= 0 || bpf_map_lookup_elem(fd, &zero, vals)) {
		err("cannot read the counter at '%s'", path);
		free(vals);
		close(fd);
		return 1;
	}
	for (i = 0; i < ncpu; i++)
		total += vals[i];
	if (o->json)
		printf("{\"packets\":%llu}\n", total);
	else
		printf("%llu\n", total);
	free(vals);
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	struct gen_opts o = {
		.frame = { .sport = 40000, .dport = 80, .size = GEN_FRAME_MIN },
		.count = GEN_DEF_COUNT,
		.batch = GEN_DEF_BATCH,
		.repeat = GEN_DEF_REPEAT,
		.runs = GEN_DEF_RUNS,
		.time_limit = GEN_DEF_TIME_LIMIT,
	};
	int ret;

	ret = parse_opts(argc, argv, &o);
	if (ret)
		return ret;
	libbpf_set_print(libbpf_print);
	switch (o.mode) {
	case M_MEASURE:
		return do_measure(&o);
	case M_ATTACH:
		return do_attach(&o);
	case M_READ:
		return do_read(&o);
	default:
		return do_send(&o);
	}
}
