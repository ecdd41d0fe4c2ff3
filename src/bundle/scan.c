// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * scan: a bundle's JSON text, parsed strictly by json-c and then checked for
 * the literals json-c lets through. Text only: no facts are filled here.
 */
#include "bundle/load.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "bundle/bundle.h"
#include "bundle/reader.h"
#include "util.h"

/*
 * json-c (0.16) even in strict mode accepts NaN, Infinity and single-quoted
 * strings, and clamps integers beyond int64/uint64 to the nearest limit
 * without telling. So the literals are checked in the text itself, with a
 * small scanner that keeps the path for the message. It runs only on text
 * json-c has parsed, so the structure is known to be sound.
 */
struct scan_seg {
	bool is_arr;
	bool have_key;
	size_t idx;
	const char *key;
	size_t key_len;
};

static int scan_fail(struct jload *j, const struct scan_seg *st, int depth, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int scan_fail(struct jload *j, const struct scan_seg *st, int depth, const char *fmt, ...)
{
	char why[160];
	va_list ap;

	jload_leave(j, 0);
	for (int i = 0; i < depth; i++) {
		if (st[i].is_arr) {
			(void) jload_enter_idx(j, st[i].idx);
		} else if (st[i].have_key) {
			char key[64];
			size_t n = st[i].key_len < sizeof(key) - 1 ? st[i].key_len : sizeof(key) - 1;

			for (size_t k = 0; k < n; k++)
				key[k] = isprint((unsigned char)st[i].key[k]) ? st[i].key[k] : '?';
			key[n] = '\0';
			(void) jload_enter(j, key);
		}
	}
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (!j->plen)
		return jload_fail(j, "bundle: %s", why);
	return jload_fail(j, "bundle field '%s': %s", j->path, why);
}

/* Does the integer literal [s, e) fit int64 (negative) or uint64? */
static bool int_literal_fits(const char *s, const char *e)
{
	bool neg = *s == '-';
	const char *d = s + neg;
	const char *lim = neg ? "9223372036854775808" : "18446744073709551615";
	size_t n, ln = strlen(lim);

	while (e - d > 1 && *d == '0')
		d++;
	n = (size_t)(e - d);
	if (n != ln)
		return n < ln;
	return memcmp(d, lim, n) <= 0;
}

static int scan_number(struct jload *j, const struct scan_seg *st, int depth, const char **pp,
		       const char *end)
{
	const char *s = *pp, *p = s + 1;
	bool frac = false;
	char tmp[64];
	size_t n;

	while (p < end && (isdigit((unsigned char)*p) || *p == '.' || *p == 'e' || *p == 'E' || *p == '+' ||
			   *p == '-')) {
		if (*p == '.' || *p == 'e' || *p == 'E')
			frac = true;
		p++;
	}
	*pp = p;
	n = (size_t)(p - s);
	if (!isdigit((unsigned char)s[n - 1]))
		return scan_fail(j, st, depth, "'%.*s' is not a JSON number", (int)(n < 20 ? n : 20), s);
	if (!frac) {
		if (!int_literal_fits(s, p))
			return scan_fail(j, st, depth, "integer %.*s%s is out of range", (int)(n < 40 ? n : 40), s,
					 n > 40 ? "..." : "");
		return 0;
	}
	if (n >= sizeof(tmp))
		return scan_fail(j, st, depth, "number %.20s... is too long", s);
	memcpy(tmp, s, n);
	tmp[n] = '\0';
	if (!isfinite(strtod(tmp, NULL)))
		return scan_fail(j, st, depth, "number %s is out of range", tmp);
	return 0;
}

static int scan_string(struct jload *j, struct scan_seg *st, int depth, const char **pp,
		       const char *end)
{
	const char *s = *pp + 1, *p = s;
	bool is_key = depth && !st[depth - 1].is_arr && !st[depth - 1].have_key;

	if (**pp == '\'')
		return scan_fail(j, st, depth, "strings need double quotes");
	while (p < end && *p != '"') {
		if ((unsigned char)*p < 0x20)
			return scan_fail(j, st, depth, "raw control character 0x%02x in a string",
					 (unsigned char)*p);
		if (*p == '\\') {
			if (end - p >= 6 && memcmp(p, "\\u0000", 6) == 0)
				return scan_fail(j, st, depth, "string contains a NUL character (\\u0000)");
			if (end - p < 2)
				break;
			p++;
		}
		p++;
	}
	if (is_key) {
		st[depth - 1].key = s;
		st[depth - 1].key_len = (size_t)(p - s);
		st[depth - 1].have_key = true;
	}
	*pp = p < end ? p + 1 : end;
	return 0;
}

int jload_scan(struct jload *j, const char *p, const char *end)
{
	struct scan_seg st[BUNDLE_MAX_DEPTH + 1];
	int depth = 0;

	while (p < end) {
		const char *w;

		switch (*p) {
		case '{':
		case '[':
			if (depth > BUNDLE_MAX_DEPTH)
				return scan_fail(j, st, depth, "nested too deep");
			st[depth++] = (struct scan_seg){ .is_arr = *p == '[' };
			p++;
			break;
		case '}':
		case ']':
			if (depth)
				depth--;
			p++;
			break;
		case ',':
			if (depth && st[depth - 1].is_arr)
				st[depth - 1].idx++;
			else if (depth)
				st[depth - 1].have_key = false;
			p++;
			break;
		case '"':
		case '\'':
			TRY(scan_string(j, st, depth, &p, end));
			break;
		case '-':
		case '0' ... '9':
			TRY(scan_number(j, st, depth, &p, end));
			break;
		default:
			if (!isalpha((unsigned char)*p)) {
				p++;
				break;
			}
			for (w = p; p < end && isalpha((unsigned char)*p); p++)
				;
			if (!((p - w == 4 && (!memcmp(w, "true", 4) || !memcmp(w, "null", 4))) ||
			      (p - w == 5 && !memcmp(w, "false", 5))))
				return scan_fail(j, st, depth, "'%.*s' is not JSON", (int)(p - w < 20 ? p - w : 20), w);
		}
	}
	return 0;
}

size_t jload_skip_ws(const char *buf, size_t off, size_t len)
{
	while (off < len && (buf[off] == ' ' || buf[off] == '\t' || buf[off] == '\r' || buf[off] == '\n'))
		off++;
	return off;
}

int jload_parse(struct jload *j, const char *buf, size_t len, struct json_object **ret)
{
	struct json_tokener *tok = json_tokener_new_ex(BUNDLE_MAX_DEPTH);
	enum json_tokener_error e;
	struct json_object *o;
	char at[48];
	size_t end;
	int r = 0;

	*ret = NULL;
	if (!tok)
		return -ENOMEM;
	/* trailing data is reported below, with its position */
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS |
				    JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, buf, (int)len);
	e = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	/* A bare number at the very end waits for more input: end it. */
	if (e == json_tokener_continue && !o) {
		o = json_tokener_parse_ex(tok, "\n", 1);
		e = json_tokener_get_error(tok);
		end = len;
	}
	text_line_column(buf, end < len ? end : len, at, sizeof(at));
	if (e == json_tokener_continue)
		r = jload_fail(j, "bundle is truncated: the JSON ends before the document does");
	else if (e == json_tokener_error_depth)
		r = jload_fail(j, "bundle is not valid JSON: nested deeper than %d levels at %s", BUNDLE_MAX_DEPTH, at);
	else if (e != json_tokener_success)
		r = jload_fail(j, "bundle is not valid JSON: %s at %s", json_tokener_error_desc(e), at);
	else if (jload_skip_ws(buf, end, len) < len)
		r = jload_fail(j, "bundle has data after the JSON document at %s", at);
	else if (!json_object_is_type(o, json_type_object))
		r = jload_fail(j, "bundle must be a JSON object, not %s",
			       o ? jload_type_word(json_object_get_type(o)) : "null");
	json_tokener_free(tok);
	if (r < 0) {
		json_object_put(o);
		return r;
	}
	*ret = o;
	return 0;
}
