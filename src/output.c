// SPDX-License-Identifier: GPL-2.0-or-later
/* Shared rendering helpers: bars, units, colour and JSON printing. No collection. */
#include "output.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include <json-c/json.h>

#include "addr.h"
#include "safetext.h"
#include "util.h"

int out_format_parse(const char *s, unsigned int allowed, enum out_format *ret, char *names, size_t len)
{
	static const char *const fmt_names[] = {
		[OUT_FMT_TABLE] = "table", [OUT_FMT_JSON] = "json",
		[OUT_FMT_PROM] = "prom",   [OUT_FMT_NAGIOS] = "nagios",
	};
	size_t used = 0;

	for (size_t f = 0; f < ARRAY_SIZE(fmt_names); f++) {
		if (!(allowed & OUT_FMT_BIT(f)))
			continue;
		if (strcmp(s, fmt_names[f]) == 0) {
			*ret = (enum out_format)f;
			return 0;
		}
	}
	if (len)
		names[0] = '\0';
	for (size_t f = 0; f < ARRAY_SIZE(fmt_names) && len; f++) {
		int n;

		if (!(allowed & OUT_FMT_BIT(f)))
			continue;
		n = snprintf(names + used, len - used, "%s%s", used ? ", " : "", fmt_names[f]);
		if (n < 0 || (size_t)n >= len - used)
			break;
		used += (size_t)n;
	}
	return -EINVAL;
}

const char *out_color(const struct out_style *st, enum out_color c)
{
	static const char *const seq[] = {
		[OUT_RESET] = "\033[0m",  [OUT_BOLD] = "\033[1m",    [OUT_DIM] = "\033[2m",
		[OUT_GREEN] = "\033[32m", [OUT_YELLOW] = "\033[33m", [OUT_RED] = "\033[31m",
		[OUT_MAGENTA] = "\033[35m",
	};

	return st->color ? seq[c] : "";
}

void out_bar(FILE *f, const struct out_style *st, double frac, int width)
{
	static const char *const eighths[] = { "", "▏", "▎", "▍", "▌", "▋", "▊", "▉" };
	int cells, full, part, i;

	if (!(frac > 0))
		frac = 0;
	if (frac > 1)
		frac = 1;
	cells = (int)lround(frac * width * 8);
	/* Anything above zero shows at least a sliver. */
	if (frac > 0 && cells == 0)
		cells = 1;
	full = cells / 8;
	part = cells % 8;
	for (i = 0; i < full; i++)
		fputs(st->utf8 ? "█" : "#", f);
	if (part) {
		fputs(st->utf8 ? eighths[part] : (part >= 4 ? "#" : "."), f);
		i++;
	}
	for (; i < width; i++)
		fputc(st->utf8 ? ' ' : '.', f);
}

const char *out_human(uint64_t n, char *buf, size_t len)
{
	static const char units[] = "KMGT";
	double v = (double)n;
	int u = -1;

	if (n < 1000) {
		snprintf(buf, len, "%llu", (unsigned long long)n);
		return buf;
	}
	while (v >= 999.95 && u < 3) {
		v /= 1000;
		u++;
	}
	snprintf(buf, len, "%.1f%c", v, units[u]);
	return buf;
}

const char *out_bytes(uint64_t n, char *buf, size_t len)
{
	static const char *const units[] = { "KiB", "MiB", "GiB", "TiB" };
	double v = (double)n;
	int u = -1;

	if (n < 1024) {
		snprintf(buf, len, "%llu B", (unsigned long long)n);
		return buf;
	}
	while (v >= 1024 && u < 3) {
		v /= 1024;
		u++;
	}
	snprintf(buf, len, "%.1f %s", v, units[u]);
	return buf;
}

void out_json_add_u64(struct json_object *o, const char *k, uint64_t v)
{
	json_object_object_add(o, k, json_object_new_uint64(v));
}

struct json_object *out_json_double(double v, int decimals)
{
	char buf[64];

	if (!isfinite(v))
		return NULL;
	snprintf(buf, sizeof(buf), "%.*f", decimals, v);
	return json_object_new_double_s(v, buf);
}

struct json_object *out_json_addr(const struct tw_addr *a)
{
	char buf[INET6_ADDRSTRLEN];

	return json_object_new_string(addr_format(a, buf, sizeof(buf)));
}

unsigned int out_text_flags(const struct out_style *st)
{
	return st->utf8 ? SAFETEXT_UTF8 : 0;
}

const char *out_safe(char *buf, size_t len, const char *s, unsigned int flags)
{
	(void) safetext_term(buf, len, s ? s : "", SIZE_MAX, flags);
	return buf;
}

void out_text(FILE *f, const char *s, unsigned int flags)
{
	char small[512];
	_cleanup_free_ char *big = NULL;
	size_t need = safetext_term(small, sizeof(small), s, SIZE_MAX, flags);

	/* Out of memory: the cut text is still safe. */
	if (need >= sizeof(small)) {
		big = malloc(need + 1);
		if (big)
			(void) safetext_term(big, need + 1, s, SIZE_MAX, flags);
	}
	fputs(big ? big : small, f);
}

struct json_object *out_json_string(const char *s, size_t n)
{
	_cleanup_free_ char *buf = NULL;
	size_t len;

	n = strnlen(s, n);
	if (safetext_is_utf8(s, n))
		return json_object_new_string_len(s, (int)n);
	len = safetext_json(NULL, 0, s, n) + 1;
	buf = malloc(len);
	if (!buf)
		return NULL;
	(void) safetext_json(buf, len, s, n);
	return json_object_new_string(buf);
}

void out_json_make_valid(struct json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_string: {
		const char *s = json_object_get_string(o);
		size_t n = (size_t)json_object_get_string_len(o);
		_cleanup_free_ char *buf = NULL;
		size_t len;

		/* An embedded NUL would end the string early: treat it as invalid too. */
		if (strnlen(s, n) == n && safetext_is_utf8(s, n))
			return;
		len = safetext_json(NULL, 0, s, n) + 1;
		buf = malloc(len);
		if (buf)
			(void) safetext_json(buf, len, s, n);
		(void) json_object_set_string(o, buf ? buf : "");
		break;
	}
	case json_type_array:
		for (size_t i = 0; i < json_object_array_length(o); i++)
			out_json_make_valid(json_object_array_get_idx(o, i));
		break;
	case json_type_object: {
		json_object_object_foreach(o, key, val) {
			(void) key;
			out_json_make_valid(val);
		}
		break;
	}
	default:
		break;
	}
}

int out_json_write(FILE *f, struct json_object *o, int flags)
{
	const char *s;
	size_t n, start = 0;

	out_json_make_valid(o);
	s = json_object_to_json_string_ext(o, flags);
	if (!s)
		return -EIO;
	n = strlen(s);
	/* Raw non-ASCII only occurs inside strings, where \uXXXX means the same. */
	for (size_t i = 0; i < n;) {
		uint32_t cp = 0;
		size_t l = safetext_utf8_len(s + i, n - i, &cp);

		if (l && !safetext_is_hidden(cp)) {
			i += l;
			continue;
		}
		if (fwrite(s + start, 1, i - start, f) != i - start ||
		    fprintf(f, "\\u%04x", l ? (unsigned int)cp : 0xfffdu) < 0)
			return -EIO;
		i += l ? l : 1;
		start = i;
	}
	if (fwrite(s + start, 1, n - start, f) != n - start || fputc('\n', f) == EOF)
		return -EIO;
	return 0;
}

int out_json_print(struct json_object *o, FILE *f)
{
	return out_json_write(f, o, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_SPACED |
				    JSON_C_TO_STRING_NOSLASHESCAPE);
}

void out_json_error(const char *command, const char *msg, int code)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "schema", json_object_new_int(1));
	json_object_object_add(o, "command", json_object_new_string(command));
	json_object_object_add(o, "error", out_json_string(msg, SIZE_MAX));
	json_object_object_add(o, "code", json_object_new_int(code));
	(void) out_json_print(o, stdout);
	json_object_put(o);
}
