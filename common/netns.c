// SPDX-License-Identifier: GPL-2.0
/* Enter an `ip netns` namespace with setns(CLONE_NEWNET) only: unlike
 * `ip -n`, the mount namespace stays, so /sys/fs/bpf is still the host's.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <string.h>
#include <unistd.h>

#include "xg.h"

#define XG_NETNS_RUN_DIR "/var/run/netns"

int xg_netns_enter(const char *name, int *saved)
{
	char path[PATH_MAX];
	int fd, self, err;

	*saved = -1;
	if (!name || !*name)
		return 0;
	/* a name, not a path: "../x" must not reach outside the run dir */
	if (strchr(name, '/') || !strcmp(name, ".") || !strcmp(name, "..") ||
	    strlen(name) >= XG_NETNSSIZ)
		return xg_fail(-ENOENT, "network namespace '%s' not found",
			       name);

	snprintf(path, sizeof(path), "%s/%s", XG_NETNS_RUN_DIR, name);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0) {
		if (errno == ENOENT)
			return xg_fail(-ENOENT,
				       "network namespace '%s' not found",
				       name);
		return xg_fail(-errno, "cannot open %s: %s", path,
			       strerror(errno));
	}
	self = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (self < 0) {
		err = xg_fail(-errno, "cannot open /proc/self/ns/net: %s",
			      strerror(errno));
		close(fd);
		return err;
	}
	if (setns(fd, CLONE_NEWNET) < 0) {
		err = -errno;
		close(fd);
		close(self);
		if (err == -EINVAL)
			return xg_fail(-ENOENT,
				       "network namespace '%s' not found",
				       name);
		if (err == -EPERM)
			return xg_fail(err,
				       "permission denied; run as root "
				       "(needs CAP_BPF and CAP_NET_ADMIN)");
		return xg_fail(err, "cannot enter network namespace '%s': %s",
			       name, strerror(-err));
	}
	close(fd);
	*saved = self;
	return 0;
}

int xg_netns_leave(int saved)
{
	int err = 0;

	if (saved < 0)
		return 0;
	if (setns(saved, CLONE_NEWNET) < 0)
		err = xg_fail(-errno,
			      "cannot return to the original network "
			      "namespace: %s",
			      strerror(errno));
	close(saved);
	return err;
}
