// SPDX-License-Identifier: GPL-2.0
/* The clocks: which one each time is on (list expiry and drop events on
 * CLOCK_BOOTTIME, the limits on the clock xg_meta names), how to read it,
 * how to turn it into wall-clock time, and how the tools print that.
 */
#include <errno.h>
#include <time.h>

#include <bpf/bpf.h>

#include "xg.h"

__u64 xg_clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (__u64)ts.tv_sec * XG_NSEC_PER_SEC + ts.tv_nsec;
}

__u64 xg_now_ns(void)
{
	return xg_clock_ns(CLOCK_BOOTTIME);
}

__u64 xg_mono_ms(void)
{
	return xg_clock_ns(CLOCK_MONOTONIC) / 1000000;
}

__s64 xg_boot_to_real_ns(void)
{
	__u64 boot = xg_clock_ns(CLOCK_BOOTTIME);

	return (__s64)(xg_clock_ns(CLOCK_REALTIME) - boot);
}

/* The clock the program's limits run on (xg_meta.limits_clock):
 * CLOCK_MONOTONIC for the coarse one, whose ticks it trails by less than
 * one.
 */
static clockid_t limits_clock(const struct xg_maps *m)
{
	struct xg_meta meta;
	__u32 zero = 0;

	if (!bpf_map_lookup_elem(m->meta, &zero, &meta) &&
	    meta.limits_clock == XG_CLOCK_COARSE)
		return CLOCK_MONOTONIC;
	return CLOCK_BOOTTIME;
}

__u64 xg_limits_now_ns(const struct xg_maps *m)
{
	return xg_clock_ns(limits_clock(m));
}

__s64 xg_limits_to_real_ns(const struct xg_maps *m)
{
	__u64 t = xg_clock_ns(limits_clock(m));

	return (__s64)(xg_clock_ns(CLOCK_REALTIME) - t);
}

int xg_sleep_until(clockid_t id, __u64 ns)
{
	struct timespec ts = { .tv_sec = ns / XG_NSEC_PER_SEC,
			       .tv_nsec = ns % XG_NSEC_PER_SEC };

	return clock_nanosleep(id, TIMER_ABSTIME, &ts, NULL);
}

void xg_format_time(__u64 real_ns, char *buf, size_t len)
{
	time_t sec = real_ns / XG_NSEC_PER_SEC;
	char day[32];
	struct tm tm;

	gmtime_r(&sec, &tm);
	strftime(day, sizeof(day), "%Y-%m-%dT%H:%M:%S", &tm);
	snprintf(buf, len, "%s.%06uZ", day,
		 (unsigned int)(real_ns % XG_NSEC_PER_SEC / 1000));
}
