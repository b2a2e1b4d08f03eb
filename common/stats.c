// SPDX-License-Identifier: GPL-2.0
/* The packet counters: one per-CPU slot per class and reason, summed here,
 * and the names every renderer shares.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "xg.h"

int xg_stats_read(int stats_fd, struct xg_stats *s)
{
	struct xg_counter *vals;
	int ncpu = libbpf_num_possible_cpus();
	__u32 class, reason, key;
	int cpu, err = 0;

	if (ncpu < 0)
		return xg_fail(ncpu, "cannot count CPUs: %s", strerror(-ncpu));
	vals = calloc(ncpu, sizeof(*vals));
	if (!vals)
		return xg_fail(-ENOMEM, "cannot read counters: %s",
			       strerror(ENOMEM));
	memset(s, 0, sizeof(*s));
	for (class = 0; class < XG_C_MAX; class ++) {
		for (reason = 0; reason < XG_R_SLOTS; reason++) {
			struct xg_counter *sum = &s->c[class][reason];

			key = class * XG_R_SLOTS + reason;
			if (bpf_map_lookup_elem(stats_fd, &key, vals)) {
				err = xg_fail(-errno,
					      "cannot read counters: %s",
					      strerror(errno));
				goto out;
			}
			for (cpu = 0; cpu < ncpu; cpu++) {
				sum->packets += vals[cpu].packets;
				sum->bytes += vals[cpu].bytes;
			}
		}
	}
out:
	free(vals);
	return err;
}

const char *xg_class_name(int class)
{
	static const char *const names[XG_C_MAX] = {
		[XG_C_TCP] = "tcp",	  [XG_C_UDP] = "udp",
		[XG_C_ICMP] = "icmp",	  [XG_C_OTHER_IP] = "other_ip",
		[XG_C_NON_IP] = "non_ip",
	};

	if (class < 0 || class >= XG_C_MAX)
		return "unknown";
	return names[class];
}

const char *xg_reason_name(int reason)
{
	static const char *const names[XG_R_MAX] = {
		[XG_R_PASS] = "pass",
		[XG_R_ALLOWLISTED] = "allowlisted",
		[XG_R_BLOCKLISTED] = "blocklisted",
		[XG_R_MALFORMED] = "malformed",
		[XG_R_RATE_SYN] = "rate_syn",
		[XG_R_RATE_UDP] = "rate_udp",
		[XG_R_RATE_ICMP] = "rate_icmp",
		[XG_R_RATE_FRAG] = "rate_frag",
		[XG_R_SYN_GLOBAL] = "syn_global",
		[XG_R_AUTOBAN] = "autoban",
	};

	if (reason < 0 || reason >= XG_R_MAX)
		return "unknown";
	return names[reason];
}

const char *xg_mode_name(int mode)
{
	switch (mode) {
	case XG_MODE_NATIVE:
		return "native";
	case XG_MODE_SKB:
		return "skb";
	case XG_MODE_OFFLOAD:
		return "offload";
	}
	return "unknown";
}
