// SPDX-License-Identifier: GPL-2.0
/* A small JSON writer: compact output, commas placed from a nesting stack. */
#include <stdlib.h>
#include <inttypes.h>
#include <math.h>

#include "xg.h"

/* Deeper than any document the tools write (stats nests 4 levels). */
#define XG_JSON_MAX_DEPTH 32

struct xg_json {
	FILE *f;
	int depth;
	bool after_key; /* a key was written: the value needs no comma */
	bool has_items[XG_JSON_MAX_DEPTH + 1]; /* per open container */
};

struct xg_json *xg_json_new(FILE *f)
{
	struct xg_json *j = calloc(1, sizeof(*j));

	if (j)
		j->f = f;
	return j;
}

void xg_json_free(struct xg_json *j)
{
	if (!j)
		return;
	fputc('\n', j->f);
	free(j);
}

/* Called before every key, and before every value not preceded by a key. */
static void sep(struct xg_json *j)
{
	if (j->after_key) {
		j->after_key = false;
		return;
	}
	if (j->has_items[j->depth])
		fputc(',', j->f);
	j->has_items[j->depth] = true;
}

static void open_c(struct xg_json *j, char c)
{
	sep(j);
	fputc(c, j->f);
	if (j->depth < XG_JSON_MAX_DEPTH)
		j->depth++;
	j->has_items[j->depth] = false;
}

static void close_c(struct xg_json *j, char c)
{
	fputc(c, j->f);
	if (j->depth > 0)
		j->depth--;
}

void xg_json_obj_open(struct xg_json *j)
{
	open_c(j, '{');
}

void xg_json_obj_close(struct xg_json *j)
{
	close_c(j, '}');
}

void xg_json_arr_open(struct xg_json *j)
{
	open_c(j, '[');
}

void xg_json_arr_close(struct xg_json *j)
{
	close_c(j, ']');
}

/* Length of the well-formed UTF-8 sequence at p (RFC 3629: no overlong
 * forms, no surrogates, nothing above U+10FFFF), or 0.
 */
static int utf8_len(const unsigned char *p)
{
	int n, i;

	if (p[0] < 0x80)
		return 1;
	if (p[0] >= 0xc2 && p[0] <= 0xdf)
		n = 2;
	else if (p[0] >= 0xe0 && p[0] <= 0xef)
		n = 3;
	else if (p[0] >= 0xf0 && p[0] <= 0xf4)
		n = 4;
	else
		return 0;
	for (i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80) /* also stops at the NUL */
			return 0;
	if ((p[0] == 0xe0 && p[1] < 0xa0) || /* overlong */
	    (p[0] == 0xed && p[1] > 0x9f) || /* surrogate */
	    (p[0] == 0xf0 && p[1] < 0x90) || /* overlong */
	    (p[0] == 0xf4 && p[1] > 0x8f)) /* above U+10FFFF */
		return 0;
	return n;
}

/* Names come from the system (a netns name is any file name, cut to fit
 * a map field), so a byte that is not UTF-8 becomes U+FFFD: the output
 * stays valid JSON.
 */
static void put_escaped(FILE *f, const char *s)
{
	const unsigned char *p;
	int n;

	fputc('"', f);
	for (p = (const unsigned char *)s; *p; p += n) {
		n = 1;
		switch (*p) {
		case '"':
			fputs("\\\"", f);
			break;
		case '\\':
			fputs("\\\\", f);
			break;
		case '\n':
			fputs("\\n", f);
			break;
		case '\r':
			fputs("\\r", f);
			break;
		case '\t':
			fputs("\\t", f);
			break;
		case '\b':
			fputs("\\b", f);
			break;
		case '\f':
			fputs("\\f", f);
			break;
		default:
			if (*p < 0x20 || *p == 0x7f) {
				fprintf(f, "\\u%04x", *p);
				break;
			}
			n = utf8_len(p);
			if (n) {
				fwrite(p, 1, n, f);
			} else {
				fputs("\\ufffd", f);
				n = 1;
			}
		}
	}
	fputc('"', f);
}

void xg_json_key(struct xg_json *j, const char *key)
{
	sep(j);
	put_escaped(j->f, key);
	fputc(':', j->f);
	j->after_key = true;
}

void xg_json_str(struct xg_json *j, const char *s)
{
	if (!s) {
		xg_json_null(j);
		return;
	}
	sep(j);
	put_escaped(j->f, s);
}

void xg_json_u64(struct xg_json *j, __u64 v)
{
	sep(j);
	fprintf(j->f, "%" PRIu64, (uint64_t)v);
}

void xg_json_i64(struct xg_json *j, __s64 v)
{
	sep(j);
	fprintf(j->f, "%" PRId64, (int64_t)v);
}

void xg_json_f64(struct xg_json *j, double v, int prec)
{
	sep(j);
	/* JSON has no NaN or infinity */
	if (isfinite(v))
		fprintf(j->f, "%.*f", prec, v);
	else
		fputs("null", j->f);
}

void xg_json_bool(struct xg_json *j, bool v)
{
	sep(j);
	fputs(v ? "true" : "false", j->f);
}

void xg_json_null(struct xg_json *j)
{
	sep(j);
	fputs("null", j->f);
}

void xg_json_kv_str(struct xg_json *j, const char *k, const char *s)
{
	xg_json_key(j, k);
	xg_json_str(j, s);
}

void xg_json_kv_u64(struct xg_json *j, const char *k, __u64 v)
{
	xg_json_key(j, k);
	xg_json_u64(j, v);
}

void xg_json_kv_f64(struct xg_json *j, const char *k, double v, int prec)
{
	xg_json_key(j, k);
	xg_json_f64(j, v, prec);
}

void xg_json_kv_bool(struct xg_json *j, const char *k, bool v)
{
	xg_json_key(j, k);
	xg_json_bool(j, v);
}
