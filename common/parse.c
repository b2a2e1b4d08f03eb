// SPDX-License-Identifier: GPL-2.0
/* Strict parsers: a value is the whole string or an error, never a prefix
 * of it ("80abc", " 5", "+5" and "" are all refused).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include "xg.h"

/* 10 years of 365 days: a longer ban is a permanent one. */
#define XG_MAX_DURATION (10ULL * 365 * 86400)

static bool all_digits(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (*s < '0' || *s > '9')
			return false;
	return true;
}

static unsigned int max_len(int family)
{
	return family == AF_INET ? 32 : 128;
}

/* Clears the bits below len; true if any was set. */
static bool mask_host_bits(__u8 *addr, unsigned int bytes, unsigned int len)
{
	bool set = false;
	unsigned int i;

	for (i = 0; i < bytes; i++) {
		unsigned int bits = len > i * 8 ? len - i * 8 : 0;
		__u8 keep = bits >= 8 ? 0xff : (__u8)(0xff << (8 - bits));

		if (addr[i] & ~keep)
			set = true;
		addr[i] &= keep;
	}
	return set;
}

int xg_parse_prefix(const char *s, struct xg_prefix *out, char *err,
		    size_t errlen)
{
	char addr[INET6_ADDRSTRLEN + 1];
	const char *slash = strchr(s, '/');
	size_t alen = slash ? (size_t)(slash - s) : strlen(s);
	struct xg_prefix p = {};
	char fix[INET6_ADDRSTRLEN + 8];

	if (alen >= sizeof(addr))
		goto bad_addr;
	memcpy(addr, s, alen);
	addr[alen] = '\0';
	p.family = strchr(addr, ':') ? AF_INET6 : AF_INET;
	if (inet_pton(p.family, addr, p.addr) != 1)
		goto bad_addr;

	p.len = max_len(p.family);
	if (slash) {
		const char *l = slash + 1;

		/* At most 3 digits: no overflow, and "/0032" is not a length */
		if (!all_digits(l) || strlen(l) > 3 ||
		    (unsigned int)atoi(l) > max_len(p.family)) {
			snprintf(err, errlen,
				 "invalid prefix length in '%s' (%s: 0-%u)", s,
				 p.family == AF_INET ? "IPv4" : "IPv6",
				 max_len(p.family));
			return -EINVAL;
		}
		p.len = atoi(l);
	}

	if (mask_host_bits(p.addr, p.family == AF_INET ? 4 : 16, p.len)) {
		xg_format_prefix(&p, fix, sizeof(fix));
		snprintf(err, errlen,
			 "'%s' has host bits set; did you mean %s?", s, fix);
		return -EINVAL;
	}
	/* ::ffff:a.b.c.d (/96 and longer) is the IPv4 a.b.c.d: the program
	 * takes IPv4-mapped IPv6 sources as IPv4 ones, so an IPv6 entry for
	 * them would never match.
	 */
	if (p.family == AF_INET6 && p.len >= 96 &&
	    !memcmp(p.addr, "\0\0\0\0\0\0\0\0\0\0\xff\xff", 12)) {
		memmove(p.addr, p.addr + 12, 4);
		memset(p.addr + 4, 0, 12);
		p.family = AF_INET;
		p.len -= 96;
	}
	*out = p;
	return 0;

bad_addr:
	snprintf(err, errlen, "invalid address '%s'", s);
	return -EINVAL;
}

bool xg_prefix_is_host(const struct xg_prefix *p)
{
	return p->len == max_len(p->family);
}

void xg_format_prefix(const struct xg_prefix *p, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (!inet_ntop(p->family, p->addr, a, sizeof(a)))
		snprintf(a, sizeof(a), "?");
	if (xg_prefix_is_host(p))
		snprintf(buf, len, "%s", a);
	else
		snprintf(buf, len, "%s/%u", a, p->len);
}

int xg_parse_u64(const char *s, __u64 min, __u64 max, __u64 *out)
{
	unsigned long long v;
	char *end;

	/* strtoull skips spaces and takes a sign: refuse both up front */
	if (!s || !all_digits(s))
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (errno || *end)
		return -EINVAL;
	if (v < min || v > max)
		return -ERANGE;
	*out = v;
	return 0;
}

int xg_parse_duration(const char *s, __u64 *secs)
{
	char num[24];
	size_t n = s ? strlen(s) : 0;
	__u64 mult = 1, v;
	int err;

	if (n == 0 || n >= sizeof(num))
		return -EINVAL;
	memcpy(num, s, n + 1);
	switch (num[n - 1]) {
	case 's':
		mult = 1;
		break;
	case 'm':
		mult = 60;
		break;
	case 'h':
		mult = 3600;
		break;
	case 'd':
		mult = 86400;
		break;
	default:
		n++; /* no unit: seconds */
		break;
	}
	num[n - 1] = '\0';
	err = xg_parse_u64(num, 1, XG_MAX_DURATION, &v);
	if (err)
		return -EINVAL;
	if (v > XG_MAX_DURATION / mult)
		return -ERANGE;
	*secs = v * mult;
	return 0;
}

int xg_parse_interval(const char *s, double *out)
{
	const char *p = s;
	char *end;
	double v;

	/* strtod takes "1e3", "0x10", "inf" and spaces: digits only here */
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

/* N[k|M|G] (binary) in [min, max]. */
int xg_parse_size(const char *s, __u64 min, __u64 max, __u64 *out)
{
	char num[32];
	size_t n = strlen(s);
	int shift = 0;
	__u64 v;

	if (n && n < sizeof(num)) {
		switch (s[n - 1]) {
		case 'k':
		case 'K':
			shift = 10;
			break;
		case 'M':
			shift = 20;
			break;
		case 'G':
			shift = 30;
			break;
		}
	}
	if (!n || n >= sizeof(num) || (shift && n == 1))
		return -EINVAL;
	snprintf(num, sizeof(num), "%.*s", (int)(shift ? n - 1 : n), s);
	if (xg_parse_u64(num, 0, max >> shift, &v) || (v << shift) < min)
		return -EINVAL;
	*out = v << shift;
	return 0;
}
