// SPDX-License-Identifier: GPL-2.0
/* The lockout guard: a change that would drop the operator's own session,
 * the default gateway or the nameservers is refused before anything is
 * written (xdpguard(7), LOCKOUT GUARD). Each such peer has the traffic
 * that keeps it working (its profile); a blocklist entry drops all of a
 * source's traffic, a rule only what it can match. The peers are read
 * from the tool's own network namespace; XG_PROC_NET and XG_RESOLV_CONF
 * point the tests at fixtures.
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "xg.h"

#define SSH_PORT 22 /* the established sessions guarded: to local port 22 */
#define DNS_PORT 53
/* DNS replies come back to a client port; any port from here up */
#define DNS_CLIENT_LO 1024
#define TCP_ESTABLISHED 1 /* st of /proc/net/tcp */
#define RTF_GW 0x0002 /* RTF_GATEWAY of route flags */
#define RTF_REJ 0x0200 /* RTF_REJECT: not a way out */

enum peer_kind { P_SSH_ENV, P_SSH_TCP, P_GATEWAY, P_DNS };

struct peer {
	struct xg_prefix addr; /* a host */
	enum peer_kind kind;
	__u16 sport, dport; /* P_SSH_*: the peer's port, ours */
	bool shielded; /* on the allowlist: passed whatever is blocked */
};

struct guard {
	struct peer *p;
	size_t n, cap;
	const char *resolv;
};

/* ---- the peers ----------------------------------------------------------- */

static int add_peer(struct guard *g, const struct xg_prefix *a,
		    enum peer_kind kind, __u16 sport, __u16 dport)
{
	struct peer *tmp;

	if (g->n == g->cap) {
		g->cap = g->cap ? g->cap * 2 : 16;
		tmp = realloc(g->p, g->cap * sizeof(*tmp));
		if (!tmp)
			return xg_fail(-ENOMEM, "out of memory");
		g->p = tmp;
	}
	g->p[g->n++] = (struct peer){ *a, kind, sport, dport, false };
	return 0;
}

/* ::ffff:a.b.c.d is the IPv4 peer a.b.c.d: the lists hold it so. */
static void unmap_v4(struct xg_prefix *a)
{
	static const __u8 mapped[12] = { [10] = 0xff, [11] = 0xff };

	if (a->family == AF_INET6 && !memcmp(a->addr, mapped, 12)) {
		memmove(a->addr, a->addr + 12, 4);
		memset(a->addr + 4, 0, 12);
		a->family = AF_INET;
		a->len = 32;
	}
}

/* A host address as SSH and resolv.conf write it ("fe80::1%eth0" too). */
static int parse_host(const char *s, struct xg_prefix *a)
{
	char buf[INET6_ADDRSTRLEN + 1], err[128];
	size_t n = strcspn(s, "%");

	if (n >= sizeof(buf) || strchr(s, '/'))
		return -EINVAL;
	memcpy(buf, s, n);
	buf[n] = '\0';
	if (xg_parse_prefix(buf, a, err, sizeof(err)))
		return -EINVAL;
	unmap_v4(a);
	return 0;
}

int xg_guard_ssh_peer(struct xg_prefix *out, __u16 *sport, __u16 *dport)
{
	const char *conn = getenv("SSH_CONNECTION"), *cl = getenv("SSH_CLIENT");
	char addr[64];
	unsigned int cport, lport = SSH_PORT;
	char tail;

	/* "client cport server sport", or "client cport sport" */
	if (conn &&
	    sscanf(conn, "%63s %u %*s %u %c", addr, &cport, &lport, &tail) == 3)
		;
	else if (cl &&
		 sscanf(cl, "%63s %u %u %c", addr, &cport, &lport, &tail) == 3)
		;
	else
		return -ENOENT;
	if (cport > 65535 || lport > 65535 || parse_host(addr, out))
		return -ENOENT;
	if (sport)
		*sport = cport;
	if (dport)
		*dport = lport;
	return 0;
}

/* "0100007F" (a word as the kernel prints it: host order) into @out. */
static int hex_words(const char *s, __u8 *out, int words)
{
	char w[9];
	__u32 v;
	int i;

	if ((int)strlen(s) != words * 8)
		return -EINVAL;
	for (i = 0; i < words; i++) {
		memcpy(w, s + i * 8, 8);
		w[8] = '\0';
		v = strtoul(w, NULL, 16);
		memcpy(out + i * 4, &v, 4);
	}
	return 0;
}

/* "fe800000000000000000000000000001" (bytes in network order). */
static int hex_bytes(const char *s, __u8 *out)
{
	unsigned int b;
	int i;

	if (strlen(s) != 32)
		return -EINVAL;
	for (i = 0; i < 16; i++) {
		if (sscanf(s + i * 2, "%2x", &b) != 1)
			return -EINVAL;
		out[i] = b;
	}
	return 0;
}

static FILE *open_net(const char *name)
{
	const char *dir = getenv("XG_PROC_NET");
	char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", dir && *dir ? dir : "/proc/net",
		 name);
	return fopen(path, "r"); /* none (no IPv6, say): no such peers */
}

/* The peers of established TCP sessions to local port 22. */
static int read_tcp(struct guard *g, const char *name, int family)
{
	char la[40], ra[40], *line = NULL;
	unsigned int lp, rp, st;
	struct xg_prefix a;
	size_t cap = 0;
	int words = family == AF_INET ? 1 : 4, err = 0;
	FILE *f = open_net(name);

	if (!f)
		return 0;
	while (!err && getline(&line, &cap, f) > 0) {
		if (sscanf(line, " %*u: %39[0-9A-Fa-f]:%x %39[0-9A-Fa-f]:%x %x",
			   la, &lp, ra, &rp, &st) != 5 ||
		    st != TCP_ESTABLISHED || lp != SSH_PORT)
			continue;
		memset(&a, 0, sizeof(a));
		a.family = family;
		a.len = family == AF_INET ? 32 : 128;
		if (hex_words(ra, a.addr, words))
			continue;
		unmap_v4(&a);
		err = add_peer(g, &a, P_SSH_TCP, rp, lp);
	}
	free(line);
	fclose(f);
	return err;
}

/* IPv4 default routes of /proc/net/route: their gateways. */
static int read_route4(struct guard *g)
{
	unsigned int dst, gw, flags, mask;
	struct xg_prefix a = { .family = AF_INET, .len = 32 };
	char *line = NULL;
	size_t cap = 0;
	int err = 0;
	FILE *f = open_net("route");

	if (!f)
		return 0;
	while (!err && getline(&line, &cap, f) > 0) {
		if (sscanf(line, "%*s %x %x %x %*d %*d %*d %x", &dst, &gw,
			   &flags, &mask) != 4 ||
		    dst || mask || !gw || !(flags & RTF_GW))
			continue;
		memcpy(a.addr, &gw, 4); /* printed as the raw __be32 */
		err = add_peer(g, &a, P_GATEWAY, 0, 0);
	}
	free(line);
	fclose(f);
	return err;
}

/* IPv6 default routes of /proc/net/ipv6_route: their next hops. */
static int read_route6(struct guard *g)
{
	static const __u8 zero[16];
	struct xg_prefix a = { .family = AF_INET6, .len = 128 };
	char dst[40], hop[40], *line = NULL;
	unsigned int plen, flags;
	size_t cap = 0;
	int err = 0;
	FILE *f = open_net("ipv6_route");

	if (!f)
		return 0;
	while (!err && getline(&line, &cap, f) > 0) {
		if (sscanf(line, "%39s %x %*s %*x %39s %*x %*x %*x %x", dst,
			   &plen, hop, &flags) != 4 ||
		    plen || !(flags & RTF_GW) || (flags & RTF_REJ) ||
		    hex_bytes(hop, a.addr) || !memcmp(a.addr, zero, 16))
			continue;
		err = add_peer(g, &a, P_GATEWAY, 0, 0);
	}
	free(line);
	fclose(f);
	return err;
}

static int read_resolv(struct guard *g)
{
	char *line = NULL, word[16], addr[80];
	struct xg_prefix a;
	size_t cap = 0;
	int err = 0;
	FILE *f;

	g->resolv = getenv("XG_RESOLV_CONF");
	if (!g->resolv || !*g->resolv)
		g->resolv = "/etc/resolv.conf";
	f = fopen(g->resolv, "r");
	if (!f)
		return 0;
	while (!err && getline(&line, &cap, f) > 0)
		if (sscanf(line, " %15s %79s", word, addr) == 2 &&
		    !strcmp(word, "nameserver") && !parse_host(addr, &a))
			err = add_peer(g, &a, P_DNS, 0, 0);
	free(line);
	fclose(f);
	return err;
}

/* ---- what a change covers ------------------------------------------------ */

static bool prefix_has(const struct xg_prefix *p, const struct xg_prefix *a)
{
	__u32 full = p->len / 8, rest = p->len % 8;

	if (p->family != a->family || memcmp(p->addr, a->addr, full))
		return false;
	return !rest ||
	       !((p->addr[full] ^ a->addr[full]) & (0xff00 >> rest) & 0xff);
}

static int shield(const struct xg_list_item *it, void *ctx)
{
	struct guard *g = ctx;
	size_t i;

	for (i = 0; i < g->n; i++)
		if (prefix_has(&it->prefix, &g->p[i].addr))
			g->p[i].shielded = true;
	return 0;
}

/* Some port of [lo, hi] is one the rule's dport matches. */
static bool dport_meets(const struct xg_rule_src *s, __u32 lo, __u32 hi)
{
	bool not = s->classes & XG_RS_NOT_DPORT;
	__u32 p = lo, i;
	bool moved;

	if (!s->nports)
		return true;
	if (!not ) {
		for (i = 0; i < s->nports && i < XG_RULE_PORTS; i++)
			if (s->port_lo[i] <= hi && s->port_hi[i] >= lo)
				return true;
		return false;
	}
	/* dport !...: some port of [lo, hi] outside every range */
	do {
		moved = false;
		for (i = 0; i < s->nports && i < XG_RULE_PORTS; i++)
			if (s->port_lo[i] <= p && s->port_hi[i] >= p) {
				p = s->port_hi[i] + 1U;
				moved = true;
			}
	} while (moved && p <= hi);
	return p <= hi;
}

static bool sport_meets(const struct xg_rule *r, __u32 lo, __u32 hi)
{
	return !(r->match & XG_RM_SPORT) ||
	       (r->sport_lo <= hi && r->sport_hi >= lo);
}

/* The ICMP messages a router sends that a host cannot do without:
 * unreachable (fragmentation needed), redirect, time exceeded, parameter
 * problem; for IPv6 also packet too big and neighbour discovery.
 */
static bool router_icmp(int family, __u8 type)
{
	if (family == AF_INET)
		return type == 3 || type == 5 || type == 11 || type == 12;
	return (type >= 1 && type <= 4) || (type >= 133 && type <= 137);
}

/* The source of @r (IPv6 space, IPv4 as ::ffff:a.b.c.d) holds @a. */
static bool src_has(const struct xg_rule *r, const struct xg_prefix *a)
{
	struct xg_prefix p = { .family = AF_INET6, .len = r->src_len };
	struct xg_prefix q = { .family = AF_INET6, .len = 128 };

	if (!(r->match & XG_RM_SRC))
		return true;
	memcpy(p.addr, r->src, 16);
	if (a->family == AF_INET) {
		q.addr[10] = q.addr[11] = 0xff;
		memcpy(q.addr + 12, a->addr, 4);
	} else {
		memcpy(q.addr, a->addr, 16);
	}
	return prefix_has(&p, &q);
}

/* Could @s drop some of the traffic @p lives on? Matches on flags,
 * lengths, TTL, fragments, ICMP code and destination are not looked at:
 * they count as matching.
 */
static bool rule_drops(const struct xg_rule_src *s, const struct peer *p)
{
	const struct xg_rule *r = &s->r;
	__u32 cls = s->classes & ~XG_RS_NOT_DPORT;
	int fam = p->addr.family;

	if (r->action != XG_RA_DROP && r->action != XG_RA_RATE)
		return false;
	if (((r->match & XG_RM_V4) && fam != AF_INET) ||
	    ((r->match & XG_RM_V6) && fam != AF_INET6) || !src_has(r, &p->addr))
		return false;
	switch (p->kind) {
	case P_SSH_ENV:
	case P_SSH_TCP:
		return (cls & (1U << XG_RC_TCP)) &&
		       dport_meets(s, p->dport, p->dport) &&
		       sport_meets(r, p->sport, p->sport);
	case P_DNS:
		return (cls & ((1U << XG_RC_TCP) | (1U << XG_RC_UDP))) &&
		       dport_meets(s, DNS_CLIENT_LO, 65535) &&
		       sport_meets(r, DNS_PORT, DNS_PORT);
	case P_GATEWAY:
		return (cls & (1U << XG_RC_ICMP)) &&
		       (!(r->match & XG_RM_ICMP_TYPE) ||
			router_icmp(fam, r->icmp_type));
	}
	return false;
}

static const char *who(const struct guard *g, const struct peer *p, char *buf,
		       size_t len)
{
	switch (p->kind) {
	case P_SSH_ENV:
		return "your SSH session's peer";
	case P_SSH_TCP:
		return "the peer of an SSH session to this host";
	case P_GATEWAY:
		return "your default gateway";
	case P_DNS:
		snprintf(buf, len, "a nameserver in %s", g->resolv);
		return buf;
	}
	return "";
}

static int refuse_block(const struct guard *g, const struct xg_prefix *b,
			const struct peer *p)
{
	char pb[64], ab[64], w[PATH_MAX + 32];

	xg_format_prefix(b, pb, sizeof(pb));
	xg_format_prefix(&p->addr, ab, sizeof(ab));
	if (b->len == p->addr.len)
		return xg_fail(-EPERM,
			       "refusing to block %s: it is %s (--force "
			       "overrides)",
			       pb, who(g, p, w, sizeof(w)));
	return xg_fail(-EPERM,
		       "refusing to block %s: it covers %s, %s (--force "
		       "overrides)",
		       pb, ab, who(g, p, w, sizeof(w)));
}

static int refuse_rule(const struct guard *g, const struct xg_rule_src *s,
		       const char *where, const struct peer *p)
{
	char match[512], act[64], ab[64], w[PATH_MAX + 32];

	xg_rule_format_match(s, match, sizeof(match));
	xg_rule_format_action(&s->r, act, sizeof(act));
	xg_format_prefix(&p->addr, ab, sizeof(ab));
	return xg_fail(-EPERM,
		       "%srefusing rule '%s %s': it would drop %s, %s (--force "
		       "overrides)",
		       where ? where : "", match, act, ab,
		       who(g, p, w, sizeof(w)));
}

static int gather(struct guard *g, const struct xg_maps *m)
{
	struct xg_prefix a;
	struct xg_list l;
	__u16 sp, dp;
	int err = 0;

	if (!xg_guard_ssh_peer(&a, &sp, &dp))
		err = add_peer(g, &a, P_SSH_ENV, sp, dp);
	if (!err)
		err = read_tcp(g, "tcp", AF_INET);
	if (!err)
		err = read_tcp(g, "tcp6", AF_INET6);
	if (!err)
		err = read_route4(g);
	if (!err)
		err = read_route6(g);
	if (!err)
		err = read_resolv(g);
	if (!err && m && g->n) {
		xg_list_from_maps(&l, m, XG_LIST_ALLOW);
		l.hot = -1;
		err = xg_list_walk(&l, shield, g);
		if (err > 0)
			err = 0;
	}
	return err;
}

int xg_guard_check(const struct xg_guard_change *c, const struct xg_maps *m)
{
	struct guard g = {};
	const struct peer *p;
	size_t i, k;
	int err;

	if (!c->nblock && !c->nrules)
		return 0;
	err = gather(&g, m);
	for (i = 0; !err && i < c->nblock; i++)
		for (k = 0, p = g.p; !err && k < g.n; k++, p++)
			if (!p->shielded && prefix_has(&c->block[i], &p->addr))
				err = refuse_block(&g, &c->block[i], p);
	for (i = 0; !err && i < c->nrules; i++)
		for (k = 0, p = g.p; !err && k < g.n; k++, p++)
			if (!p->shielded && rule_drops(&c->rules[i], p))
				err = refuse_rule(&g, &c->rules[i],
						  c->where ? c->where[i] : NULL,
						  p);
	free(g.p);
	return err;
}
