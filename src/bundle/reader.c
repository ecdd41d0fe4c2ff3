// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * reader: read a bundle's JSON by member, type and range, keeping the path of
 * the value so that a refusal names its field. No I/O: messages go to j->err.
 */
#include "bundle/reader.h"

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

static size_t path_append(struct jload *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static size_t path_append(struct jload *j, const char *fmt, ...)
{
	size_t old = j->plen;
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(j->path + j->plen, sizeof(j->path) - j->plen, fmt, ap);
	va_end(ap);
	if (n > 0)
		j->plen = j->plen + (size_t)n < sizeof(j->path) ? j->plen + (size_t)n : sizeof(j->path) - 1;
	return old;
}

size_t jload_enter(struct jload *j, const char *key)
{
	return path_append(j, "%s%s", j->plen ? "." : "", key);
}

size_t jload_enter_idx(struct jload *j, size_t i)
{
	return path_append(j, "[%zu]", i);
}

void jload_leave(struct jload *j, size_t old)
{
	j->plen = old;
	j->path[old] = '\0';
}

int jload_fail(struct jload *j, const char *fmt, ...)
{
	va_list ap;

	if (!j->err_len)
		return -EINVAL;
	va_start(ap, fmt);
	vsnprintf(j->err, j->err_len, fmt, ap);
	va_end(ap);
	/*
	 * The message may quote a value from the bundle: keep it one line. The
	 * command makes the rest safe for the terminal (safetext.h).
	 */
	for (char *p = j->err; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return -EINVAL;
}

int jload_bad(struct jload *j, const char *key, const char *fmt, ...)
{
	char why[200];
	va_list ap;

	if (key)
		(void) jload_enter(j, key);
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return jload_fail(j, "bundle field '%s': %s", j->path, why);
}

const char *jload_type_word(enum json_type t)
{
	switch (t) {
	case json_type_int:
		return "an integer";
	case json_type_double:
		return "a number";
	case json_type_string:
		return "a string";
	case json_type_boolean:
		return "true or false";
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	default:
		return "null";
	}
}

int jload_get(struct jload *j, struct json_object *o, const char *key, enum json_type t, bool required,
	      struct json_object **ret)
{
	struct json_object *v = NULL;

	*ret = NULL;
	if (!json_object_object_get_ex(o, key, &v) || !v) {
		if (required)
			return jload_bad(j, key, "is missing (must be %s)", jload_type_word(t));
		return 0;
	}
	if (!json_object_is_type(v, t) && !(t == json_type_double && json_object_is_type(v, json_type_int)))
		return jload_bad(j, key, "must be %s, not %s", jload_type_word(t),
				 jload_type_word(json_object_get_type(v)));
	*ret = v;
	return 1;
}

int jload_int_in(struct jload *j, const char *key, struct json_object *v, uint64_t min, uint64_t max,
		 uint64_t *ret)
{
	uint64_t u;

	if (!json_object_is_type(v, json_type_int))
		return jload_bad(j, key, "must be an integer in %llu..%llu, not %s", (unsigned long long)min,
				 (unsigned long long)max, json_object_to_json_string(v));
	/* json-c keeps values above INT64_MAX as uint64; get_int64() clamps those to INT64_MAX. */
	if (json_object_get_int64(v) < 0)
		return jload_bad(j, key, "must be %llu..%llu, not %lld", (unsigned long long)min,
				 (unsigned long long)max, (long long)json_object_get_int64(v));
	u = json_object_get_uint64(v);
	if (u < min || u > max)
		return jload_bad(j, key, "must be %llu..%llu, not %llu", (unsigned long long)min,
				 (unsigned long long)max, (unsigned long long)u);
	*ret = u;
	return 1;
}

int jload_get_u64(struct jload *j, struct json_object *o, const char *key, bool required, uint64_t min,
		  uint64_t max, uint64_t *ret)
{
	struct json_object *v = NULL;
	int r;

	if (json_object_object_get_ex(o, key, &v) && v && json_object_is_type(v, json_type_double))
		return jload_bad(j, key, "must be an integer, not %s", json_object_to_json_string(v));
	r = jload_get(j, o, key, json_type_int, required, &v);
	if (r <= 0)
		return r;
	return jload_int_in(j, key, v, min, max, ret);
}

int jload_get_u32(struct jload *j, struct json_object *o, const char *key, uint32_t min, uint32_t max,
		  uint32_t *ret)
{
	uint64_t v = 0;
	int r = jload_get_u64(j, o, key, true, min, max, &v);

	if (r > 0)
		*ret = (uint32_t)v;
	return r;
}

int jload_get_port(struct jload *j, struct json_object *o, const char *key, uint16_t min,
		   uint16_t *ret)
{
	uint64_t v = 0;
	int r = jload_get_u64(j, o, key, true, min, 65535, &v);

	if (r > 0)
		*ret = (uint16_t)v;
	return r;
}

int jload_get_double(struct jload *j, struct json_object *o, const char *key, double min, double max,
		     double *ret)
{
	struct json_object *v;
	int r = jload_get(j, o, key, json_type_double, true, &v);
	double d;

	if (r <= 0)
		return r;
	d = json_object_get_double(v);
	if (!isfinite(d) || d < min || d > max)
		return jload_bad(j, key, "must be %g..%g, not %s", min, max, json_object_to_json_string(v));
	*ret = d;
	return 1;
}

int jload_get_bool(struct jload *j, struct json_object *o, const char *key, bool *ret)
{
	struct json_object *v;
	int r = jload_get(j, o, key, json_type_boolean, true, &v);

	if (r > 0)
		*ret = json_object_get_boolean(v);
	return r;
}

int jload_str_ok(struct jload *j, const char *key, struct json_object *v, size_t max_len,
		 enum str_rule rule)
{
	const char *s = json_object_get_string(v);
	size_t len = (size_t)json_object_get_string_len(v);

	if (strlen(s) != len)
		return jload_bad(j, key, "contains a NUL character");
	if (len > max_len)
		return jload_bad(j, key, "is too long (%zu bytes, at most %zu)", len, max_len);
	for (size_t i = 0; rule != STR_RAW && i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			return jload_bad(j, key, "contains control character 0x%02x", c);
	}
	return 0;
}

int jload_get_str(struct jload *j, struct json_object *o, const char *key, bool required, char *buf,
		  size_t size, enum str_rule rule)
{
	struct json_object *v;
	int r = jload_get(j, o, key, json_type_string, required, &v);

	if (r <= 0)
		return r;
	TRY(jload_str_ok(j, key, v, size - 1, rule));
	snprintf(buf, size, "%s", json_object_get_string(v));
	return 1;
}

int jload_get_arr(struct jload *j, struct json_object *o, const char *key, bool required, size_t max,
		  struct json_object **ret, size_t *ret_n)
{
	int r = jload_get(j, o, key, json_type_array, required, ret);

	*ret_n = 0;
	if (r <= 0)
		return r;
	*ret_n = json_object_array_length(*ret);
	if (*ret_n > max)
		return jload_bad(j, key, "has %zu elements, at most %zu allowed", *ret_n, max);
	return 1;
}

int jload_elem_obj(struct jload *j, struct json_object *arr, size_t i, struct json_object **ret)
{
	*ret = json_object_array_get_idx(arr, i);
	if (!json_object_is_type(*ret, json_type_object))
		return jload_bad(j, NULL, "must be an object, not %s", jload_type_word(json_object_get_type(*ret)));
	return 0;
}
