// SPDX-License-Identifier: GPL-2.0
/* xg-gen: the destination MAC address from the neighbour table, so a lab
 * with permanent neighbour entries needs no --dst-mac.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>
#include <sys/socket.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/neighbour.h>

#include "gen.h"

struct neigh_req {
	struct nlmsghdr nh;
	struct ndmsg nd;
};

/* Returns 1 and fills mac when msg is a usable entry for addr on ifindex. */
static int neigh_match(struct nlmsghdr *nh, int ifindex,
		       const struct gen_addr *addr, uint8_t mac[6])
{
	struct ndmsg *nd = NLMSG_DATA(nh);
	unsigned int alen = addr->family == AF_INET ? 4 : 16;
	int len = nh->nlmsg_len - NLMSG_LENGTH(sizeof(*nd));
	struct rtattr *rta = (struct rtattr *)((char *)nd + sizeof(*nd));
	int dst_ok = 0, have_mac = 0;

	if (nh->nlmsg_type != RTM_NEWNEIGH || nd->ndm_ifindex != ifindex ||
	    nd->ndm_family != addr->family ||
	    nd->ndm_state & (NUD_INCOMPLETE | NUD_FAILED | NUD_NOARP))
		return 0;
	for (; RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
		if (rta->rta_type == NDA_DST && RTA_PAYLOAD(rta) == alen)
			dst_ok = !memcmp(RTA_DATA(rta), addr->addr, alen);
		if (rta->rta_type == NDA_LLADDR && RTA_PAYLOAD(rta) == 6) {
			memcpy(mac, RTA_DATA(rta), 6);
			have_mac = 1;
		}
	}
	return dst_ok && have_mac;
}

int gen_neigh_lookup(int ifindex, const struct gen_addr *addr, uint8_t mac[6])
{
	struct neigh_req req = {
		.nh.nlmsg_len = sizeof(req),
		.nh.nlmsg_type = RTM_GETNEIGH,
		.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		.nh.nlmsg_seq = 1,
		.nd.ndm_family = addr->family,
	};
	char buf[16384] __attribute__((aligned(4)));
	int fd, ret = -ENOENT, done = 0;
	struct nlmsghdr *nh;
	ssize_t n;

	fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (send(fd, &req, sizeof(req), 0) < 0) {
		ret = -errno;
		goto out;
	}
	while (!done) {
		n = recv(fd, buf, sizeof(buf), 0);
		if (n < 0) {
			ret = -errno;
			goto out;
		}
		for (nh = (struct nlmsghdr *)buf; NLMSG_OK(nh, n);
		     nh = NLMSG_NEXT(nh, n)) {
			if (nh->nlmsg_type == NLMSG_DONE ||
			    nh->nlmsg_type == NLMSG_ERROR) {
				done = 1;
				break;
			}
			if (ret && neigh_match(nh, ifindex, addr, mac))
				ret = 0;
		}
		if (n == 0)
			break;
	}
out:
	close(fd);
	return ret;
}
