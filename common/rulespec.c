// SPDX-License-Identifier: GPL-2.0
/* The words of one rule (xg-rule add, a line of xg-rule -f) into a
 * struct xg_rule_src, and the rule back into the words xg-rule list
 * shows, which xg-rule add takes again.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "xg.h"

#define RATE_MAX 100000000 /* as xg-threshold: more than one port receives */
#define BURST_MAX 1000000000
#define ALL_CLASSES ((1U << XG_RC_MAX) - 1)

static const char *const flag_names[8] = { "fin", "syn", "rst", "psh",
					   "ack", "urg", "ece", "cwr" };

/* The parse of one rule: the words, where we are, what was seen. */
struct rp {
	char **w;
	int n, i;
	struct xg_rule_src *s;
	__u32 seen; /* 1 << match word index */
	bool proto;
	bool not_dport; /* dport !...: XG_RS_NOT_DPORT, set by check() */
	char *err;
	size_t len;
};

static int bad(struct rp *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int bad(struct rp *p, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(p->err, p->len, fmt, ap);
	va_end(ap);
	return -1;
}

/* The value word after @word, or NULL and an error. */
static const char *value(struct rp *p, const char *word)
{
	if (p->i >= p->n) {
		bad(p, "'%s' needs a value", word);
		return NULL;
	}
	return p->w[p->i++];
}

/* A number in [min, max], or an error naming @what. */
static int number(struct rp *p, const char *s, __u64 max, const char *what,
		  __u64 *out)
{
	if (xg_parse_u64(s, 0, max, out))
		return bad(p, "invalid %s '%s' (0-%llu)", what, s,
			   (unsigned long long)max);
	return 0;
}

/* N or LO-HI in [0, max]; a reversed range is refused. */
static int range(struct rp *p, const char *s, __u64 max, const char *what,
		 bool one, __u32 *lo, __u32 *hi)
{
	char buf[32];
	char *dash;
	__u64 a, b;

	if (strlen(s) >= sizeof(buf))
		return bad(p, "invalid %s '%s' (0-%llu)", what, s,
			   (unsigned long long)max);
	strcpy(buf, s);
	dash = strchr(buf, '-');
	if (dash)
		*dash = '\0';
	if (xg_parse_u64(buf, 0, max, &a) ||
	    (dash && xg_parse_u64(dash + 1, 0, max, &b)) || (!dash && !one))
		return bad(p, "invalid %s '%s' (%s, 0-%llu)", what, s,
			   one ? "N or MIN-MAX" : "MIN-MAX",
			   (unsigned long long)max);
	if (!dash)
		b = a;
	if (a > b)
		return bad(p, "reversed range '%s'", s);
	*lo = a;
	*hi = b;
	return 0;
}

static int m_proto(struct rp *p, const char *v)
{
	struct xg_rule *r = &p->s->r;
	__u64 n;

	if (!strcmp(v, "tcp") || !strcmp(v, "6"))
		n = 6, p->s->classes = 1U << XG_RC_TCP;
	else if (!strcmp(v, "udp") || !strcmp(v, "17"))
		n = 17, p->s->classes = 1U << XG_RC_UDP;
	else if (!strcmp(v, "icmp") || !strcmp(v, "1"))
		n = 1, p->s->classes = 1U << XG_RC_ICMP, r->match |= XG_RM_V4;
	else if (!strcmp(v, "icmpv6") || !strcmp(v, "58"))
		n = 58, p->s->classes = 1U << XG_RC_ICMP, r->match |= XG_RM_V6;
	else if (xg_parse_u64(v, 0, 255, &n))
		return bad(p,
			   "invalid protocol '%s' (tcp, udp, icmp, icmpv6 or "
			   "0-255)",
			   v);
	else
		p->s->classes = 1U << XG_RC_OTHER, r->match |= XG_RM_PROTO;
	r->proto = n;
	p->proto = true;
	return 0;
}

static int m_addr(struct rp *p, const char *v, bool dst)
{
	struct xg_rule *r = &p->s->r;
	__u32 *a = dst ? r->dst : r->src;
	struct xg_prefix pf;

	if (xg_parse_prefix(v, &pf, p->err, p->len))
		return -1;
	memset(a, 0, 16);
	if (pf.family == AF_INET) {
		a[2] = htonl(0xffff);
		memcpy(&a[3], pf.addr, 4);
		pf.len += 96;
		r->match |= XG_RM_V4;
	} else {
		memcpy(a, pf.addr, 16);
		r->match |= XG_RM_V6;
	}
	if (dst)
		r->dst_len = pf.len, r->match |= XG_RM_DST;
	else
		r->src_len = pf.len, r->match |= XG_RM_SRC;
	return 0;
}

static int m_dport(struct rp *p, const char *v)
{
	char buf[256], *tok, *save;
	struct xg_rule_src *s = p->s;
	__u32 lo, hi;

	if (v[0] == '!') {
		p->not_dport = true;
		v++;
	}
	if (strlen(v) >= sizeof(buf) || !*v || v[strlen(v) - 1] == ',')
		return bad(p, "invalid port list '%s'", v);
	strcpy(buf, v);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		if (range(p, tok, 65535, "port", true, &lo, &hi))
			return -1;
		if (s->nports == XG_RULE_PORTS)
			return bad(p, "more than %d port ranges in '%s'",
				   XG_RULE_PORTS, v);
		s->port_lo[s->nports] = lo;
		s->port_hi[s->nports++] = hi;
	}
	if (!s->nports || strstr(v, ",,") || v[0] == ',')
		return bad(p, "invalid port list '%s'", v);
	return 0;
}

static int m_sport(struct rp *p, const char *v)
{
	__u32 lo, hi;

	if (strchr(v, ','))
		return bad(p, "sport takes one port or range, not '%s'", v);
	if (range(p, v, 65535, "port", true, &lo, &hi))
		return -1;
	p->s->r.sport_lo = lo;
	p->s->r.sport_hi = hi;
	p->s->r.match |= XG_RM_SPORT;
	return 0;
}

/* "syn,ack" into bits; "!ack" items into *clear when @clear is given. */
static int flag_list(struct rp *p, const char *v, __u8 *set, __u8 *clear)
{
	char buf[128], *tok, *save;
	int k;
	bool neg;

	*set = 0;
	if (clear)
		*clear = 0;
	if (strlen(v) >= sizeof(buf) || !*v || strstr(v, ",,") || v[0] == ',' ||
	    v[strlen(v) - 1] == ',')
		return bad(p, "invalid TCP flags '%s'", v);
	strcpy(buf, v);
	for (tok = strtok_r(buf, ",", &save); tok;
	     tok = strtok_r(NULL, ",", &save)) {
		neg = clear && tok[0] == '!';
		for (k = 0; k < 8 && strcmp(tok + neg, flag_names[k]); k++)
			;
		if (k == 8)
			return bad(p,
				   "invalid TCP flag '%s' (fin, syn, rst, psh, "
				   "ack, urg, ece, cwr)",
				   tok);
		if (neg)
			*clear |= 1U << k;
		else
			*set |= 1U << k;
	}
	return 0;
}

/* flags F[,F...] (set; !F clear), or flags F/M (of the flags in M, those
 * in F set and the others clear).
 */
static int m_flags(struct rp *p, const char *v)
{
	struct xg_rule *r = &p->s->r;
	const char *slash = strchr(v, '/');
	char fbuf[128];
	__u8 set, clear, mask;

	if (slash) {
		if ((size_t)(slash - v) >= sizeof(fbuf))
			return bad(p, "invalid TCP flags '%s'", v);
		memcpy(fbuf, v, slash - v);
		fbuf[slash - v] = '\0';
		if (flag_list(p, fbuf, &set, NULL) ||
		    flag_list(p, slash + 1, &mask, NULL))
			return -1;
		if (set & ~mask)
			return bad(p,
				   "flags '%s' cannot match: a flag set is "
				   "not in the mask",
				   v);
	} else {
		if (flag_list(p, v, &set, &clear))
			return -1;
		if (set & clear)
			return bad(p,
				   "flags '%s' cannot match: a flag is both "
				   "set and clear",
				   v);
		mask = set | clear;
	}
	r->tcp_flags = set;
	r->tcp_mask = mask;
	r->match |= XG_RM_FLAGS;
	return 0;
}

/* icmp-type T [code C], or T/C */
static int m_icmp(struct rp *p, const char *v)
{
	struct xg_rule *r = &p->s->r;
	const char *slash = strchr(v, '/'), *c = NULL;
	char buf[16];
	__u64 t, code;

	if (slash) {
		if ((size_t)(slash - v) >= sizeof(buf))
			return bad(p, "invalid ICMP type '%s' (0-255)", v);
		memcpy(buf, v, slash - v);
		buf[slash - v] = '\0';
		c = slash + 1;
		v = buf;
	} else if (p->i < p->n && !strcmp(p->w[p->i], "code")) {
		p->i++;
		c = value(p, "code");
		if (!c)
			return -1;
	}
	if (number(p, v, 255, "ICMP type", &t) ||
	    (c && number(p, c, 255, "ICMP code", &code)))
		return -1;
	r->icmp_type = t;
	r->match |= XG_RM_ICMP_TYPE;
	if (c) {
		r->icmp_code = code;
		r->match |= XG_RM_ICMP_CODE;
	}
	return 0;
}

static int m_len(struct rp *p, const char *v)
{
	__u32 lo, hi;

	if (range(p, v, 65535, "length", true, &lo, &hi))
		return -1;
	p->s->r.len_lo = lo;
	p->s->r.len_hi = hi;
	p->s->r.match |= XG_RM_LEN;
	return 0;
}

static int m_ttl(struct rp *p, const char *v)
{
	__u32 lo, hi;

	if (range(p, v, 255, "TTL", true, &lo, &hi))
		return -1;
	p->s->r.ttl_lo = lo;
	p->s->r.ttl_hi = hi;
	p->s->r.match |= XG_RM_TTL;
	return 0;
}

enum mword {
	W_PROTO,
	W_DST,
	W_SRC,
	W_DPORT,
	W_SPORT,
	W_FLAGS,
	W_ICMP,
	W_LEN,
	W_TTL,
	W_FRAG,
	W_NOFRAG,
};

static const char *const match_words[] = {
	[W_PROTO] = "proto",	[W_DST] = "dst",      [W_SRC] = "src",
	[W_DPORT] = "dport",	[W_SPORT] = "sport",  [W_FLAGS] = "flags",
	[W_ICMP] = "icmp-type", [W_LEN] = "len",      [W_TTL] = "ttl",
	[W_FRAG] = "frag",	[W_NOFRAG] = "!frag",
};

static int match_word(struct rp *p, int k)
{
	const char *word = match_words[k], *v = NULL;

	if (p->seen & (1U << k))
		return bad(p, "'%s' given twice", word);
	if ((k == W_FRAG && (p->seen & (1U << W_NOFRAG))) ||
	    (k == W_NOFRAG && (p->seen & (1U << W_FRAG))))
		return bad(p, "'frag' and '!frag' cannot both match");
	p->seen |= 1U << k;
	if (k == W_FRAG) {
		p->s->r.match |= XG_RM_FRAG;
		return 0;
	}
	if (k == W_NOFRAG) {
		p->s->r.match |= XG_RM_NOFRAG;
		return 0;
	}
	v = value(p, word);
	if (!v)
		return -1;
	switch (k) {
	case W_PROTO:
		return m_proto(p, v);
	case W_DST:
	case W_SRC:
		return m_addr(p, v, k == W_DST);
	case W_DPORT:
		return m_dport(p, v);
	case W_SPORT:
		return m_sport(p, v);
	case W_FLAGS:
		return m_flags(p, v);
	case W_ICMP:
		return m_icmp(p, v);
	case W_LEN:
		return m_len(p, v);
	default:
		return m_ttl(p, v);
	}
}

/* rate RATE[/BURST] [total|per-source] */
static int a_rate(struct rp *p)
{
	struct xg_limit *l = &p->s->r.rate;
	const char *v = value(p, "rate"), *slash;
	char buf[32];
	__u64 rate, burst;

	if (!v)
		return -1;
	slash = strchr(v, '/');
	if (strlen(v) >= sizeof(buf))
		return bad(p, "invalid rate '%s'", v);
	strcpy(buf, v);
	if (slash)
		buf[slash - v] = '\0';
	if (xg_parse_u64(buf, 1, RATE_MAX, &rate))
		return bad(p, "invalid rate '%s' (1-%u packets/s)", buf,
			   RATE_MAX);
	burst = rate * XG_DEF_BURST_FACTOR;
	if (burst > BURST_MAX)
		burst = BURST_MAX;
	if (slash && xg_parse_u64(slash + 1, 1, BURST_MAX, &burst))
		return bad(p, "invalid burst '%s' (1-%u)", slash + 1,
			   BURST_MAX);
	if (p->i < p->n && !strcmp(p->w[p->i], "total")) {
		p->i++;
	} else if (p->i < p->n && !strcmp(p->w[p->i], "per-source")) {
		p->i++;
		p->s->r.match |= XG_RM_PER_SOURCE;
	}
	l->rate = rate;
	l->burst = burst;
	/* as xg_limit_derive(): no packet divides */
	l->interval_ns = XG_NSEC_PER_SEC / l->rate;
	l->tau_ns = l->burst > 1 ? (__u64)(l->burst - 1) * l->interval_ns : 0;
	return 0;
}

/* drop | pass | monitor | rate ..., then ban SECONDS on drop and rate */
static int action(struct rp *p, const char *word)
{
	struct xg_rule *r = &p->s->r;
	const char *v;
	__u64 secs;

	if (!strcmp(word, "drop"))
		r->action = XG_RA_DROP;
	else if (!strcmp(word, "pass"))
		r->action = XG_RA_PASS;
	else if (!strcmp(word, "monitor"))
		r->action = XG_RA_MONITOR;
	else if (!strcmp(word, "rate")) {
		r->action = XG_RA_RATE;
		if (a_rate(p))
			return -1;
	} else
		return 1; /* not an action */
	if (p->i < p->n && !strcmp(p->w[p->i], "ban")) {
		p->i++;
		if (r->action != XG_RA_DROP && r->action != XG_RA_RATE)
			return bad(p, "'ban' applies to drop and rate rules "
				      "only");
		v = value(p, "ban");
		if (!v)
			return -1;
		if (xg_parse_u64(v, 1, XG_BAN_SECS_MAX, &secs))
			return bad(p, "invalid ban time '%s' (1-%u seconds)", v,
				   XG_BAN_SECS_MAX);
		r->ban_secs = secs;
	}
	if (p->i < p->n)
		return bad(p, "unexpected '%s' after the action", p->w[p->i]);
	return 0;
}

/* The combinations no packet can match, or that the program does not
 * check.
 */
static int check(struct rp *p)
{
	struct xg_rule_src *s = p->s;
	__u32 m = s->r.match;
	bool l4 = s->classes == (1U << XG_RC_TCP) ||
		  s->classes == (1U << XG_RC_UDP);

	if ((m & XG_RM_V4) && (m & XG_RM_V6))
		return bad(p, "a rule cannot mix IPv4 and IPv6 (addresses or "
			      "icmp/icmpv6)");
	if ((s->nports || (m & XG_RM_SPORT)) && !l4)
		return bad(p, "%s needs proto tcp or udp",
			   s->nports ? "dport" : "sport");
	if ((m & XG_RM_FLAGS) && s->classes != (1U << XG_RC_TCP))
		return bad(p, "flags needs proto tcp");
	if ((m & XG_RM_ICMP_TYPE) && s->classes != (1U << XG_RC_ICMP))
		return bad(p, "icmp-type needs proto icmp or icmpv6");
	if ((m & XG_RM_FRAG) &&
	    (s->nports || (m & (XG_RM_SPORT | XG_RM_FLAGS | XG_RM_ICMP_TYPE))))
		return bad(p, "frag cannot match: a later fragment has no "
			      "ports, flags or ICMP type");
	if (p->not_dport)
		s->classes |= XG_RS_NOT_DPORT;
	return 0;
}

int xg_rule_parse(char **w, int n, struct xg_rule_src *out, bool *has_prio,
		  char *err, size_t len)
{
	struct rp p = { .w = w, .n = n, .s = out, .err = err, .len = len };
	const char *word, *v;
	__u64 prio;
	size_t k;
	int rc;

	memset(out, 0, sizeof(*out));
	out->classes = ALL_CLASSES;
	*has_prio = false;
	if (p.i < n && !strcmp(w[p.i], "prio")) {
		p.i++;
		v = value(&p, "prio");
		if (!v)
			return -1;
		if (xg_parse_u64(v, 1, XG_RULE_PRIO_MAX, &prio))
			return bad(&p, "invalid priority '%s' (1-%u)", v,
				   XG_RULE_PRIO_MAX);
		out->r.prio = prio;
		*has_prio = true;
	}
	while (p.i < n) {
		word = w[p.i++];
		for (k = 0; k < XG_ARRAY_SIZE(match_words) &&
			    strcmp(word, match_words[k]);
		     k++)
			;
		if (k < XG_ARRAY_SIZE(match_words)) {
			if (match_word(&p, k))
				return -1;
			continue;
		}
		rc = action(&p, word);
		if (rc < 0)
			return -1;
		if (rc == 0)
			return check(&p);
		if (!strcmp(word, "prio"))
			return bad(&p, "'prio' comes first");
		return bad(&p, "unknown word '%s'; see --help", word);
	}
	return bad(&p, "no action (drop, pass, monitor or rate RATE)");
}

/* ---- back into words ----------------------------------------------------- */

struct out {
	char *buf;
	size_t len, at;
};

static void put(struct out *o, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void put(struct out *o, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (o->at >= o->len)
		return;
	if (o->at)
		o->buf[o->at++] = ' ';
	if (o->at >= o->len) {
		o->buf[o->len - 1] = '\0';
		return;
	}
	va_start(ap, fmt);
	n = vsnprintf(o->buf + o->at, o->len - o->at, fmt, ap);
	va_end(ap);
	o->at = n < 0 ? o->len : o->at + n;
}

static void put_flags(char *buf, size_t len, __u8 bits)
{
	size_t at = 0;
	int k;

	buf[0] = '\0';
	for (k = 0; k < 8; k++)
		if (bits & (1U << k))
			at += snprintf(buf + at, len - at, "%s%s",
				       at ? "," : "", flag_names[k]);
}

static void put_addr(struct out *o, const char *word, const __u32 *a, __u8 len)
{
	struct xg_prefix pf = {};
	char s[64];

	if (len >= 96 && !a[0] && !a[1] && a[2] == htonl(0xffff)) {
		pf.family = AF_INET;
		memcpy(pf.addr, &a[3], 4);
		pf.len = len - 96;
	} else {
		pf.family = AF_INET6;
		memcpy(pf.addr, a, 16);
		pf.len = len;
	}
	xg_format_prefix(&pf, s, sizeof(s));
	put(o, "%s %s", word, s);
}

static void put_range(struct out *o, const char *word, __u32 lo, __u32 hi)
{
	if (lo == hi)
		put(o, "%s %u", word, lo);
	else
		put(o, "%s %u-%u", word, lo, hi);
}

static void put_proto(struct out *o, const struct xg_rule_src *s)
{
	const struct xg_rule *r = &s->r;

	if ((s->classes & ~XG_RS_NOT_DPORT) == (1U << XG_RC_TCP))
		put(o, "proto tcp");
	else if ((s->classes & ~XG_RS_NOT_DPORT) == (1U << XG_RC_UDP))
		put(o, "proto udp");
	else if ((s->classes & ~XG_RS_NOT_DPORT) == (1U << XG_RC_ICMP))
		put(o, "proto %s", r->proto == 58 ? "icmpv6" : "icmp");
	else if ((s->classes & ~XG_RS_NOT_DPORT) == (1U << XG_RC_OTHER))
		put(o, "proto %u", r->proto);
}

void xg_rule_format_match(const struct xg_rule_src *s, char *buf, size_t len)
{
	const struct xg_rule *r = &s->r;
	struct out o = { buf, len, 0 };
	char f[64], m[64], ports[XG_RULE_PORTS * 12 + 1];
	size_t at = 0;
	__u32 i;

	buf[0] = '\0';
	put_proto(&o, s);
	if (r->match & XG_RM_SRC)
		put_addr(&o, "src", r->src, r->src_len);
	if (r->match & XG_RM_DST)
		put_addr(&o, "dst", r->dst, r->dst_len);
	ports[0] = '\0';
	for (i = 0; i < s->nports && i < XG_RULE_PORTS; i++)
		at += snprintf(ports + at, sizeof(ports) - at,
			       s->port_lo[i] == s->port_hi[i] ? "%s%u" :
								"%s%u-%u",
			       i ? "," : "", s->port_lo[i], s->port_hi[i]);
	if (s->nports)
		put(&o, "dport %s%s", s->classes & XG_RS_NOT_DPORT ? "!" : "",
		    ports);
	if (r->match & XG_RM_SPORT)
		put_range(&o, "sport", r->sport_lo, r->sport_hi);
	if (r->match & XG_RM_FLAGS) {
		put_flags(f, sizeof(f), r->tcp_flags);
		put_flags(m, sizeof(m), r->tcp_mask);
		if (r->tcp_flags == r->tcp_mask)
			put(&o, "flags %s", f);
		else
			put(&o, "flags %s/%s", f, m);
	}
	if (r->match & XG_RM_ICMP_TYPE)
		put(&o, "icmp-type %u", r->icmp_type);
	if (r->match & XG_RM_ICMP_CODE)
		put(&o, "code %u", r->icmp_code);
	if (r->match & XG_RM_LEN)
		put_range(&o, "len", r->len_lo, r->len_hi);
	if (r->match & XG_RM_TTL)
		put_range(&o, "ttl", r->ttl_lo, r->ttl_hi);
	if (r->match & XG_RM_FRAG)
		put(&o, "frag");
	if (r->match & XG_RM_NOFRAG)
		put(&o, "!frag");
	if (!o.at)
		snprintf(buf, len, "any");
}

const char *xg_rule_action_name(int action)
{
	switch (action) {
	case XG_RA_DROP:
		return "drop";
	case XG_RA_PASS:
		return "pass";
	case XG_RA_MONITOR:
		return "monitor";
	case XG_RA_RATE:
		return "rate";
	default:
		return "?";
	}
}

void xg_rule_format_action(const struct xg_rule *r, char *buf, size_t len)
{
	struct out o = { buf, len, 0 };

	buf[0] = '\0';
	if (r->action == XG_RA_RATE)
		put(&o, "rate %u/%u %s", r->rate.rate, r->rate.burst,
		    xg_rule_rate_scope(r));
	else
		put(&o, "%s", xg_rule_action_name(r->action));
	if (r->ban_secs)
		put(&o, "ban %u", r->ban_secs);
}

const char *xg_rule_rate_scope(const struct xg_rule *r)
{
	return r->match & XG_RM_PER_SOURCE ? "per-source" : "total";
}
