// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * bundle-load: load a JSON bundle of doctor's facts (--load). The
 * loader treats the file as hostile: strict JSON, no NUL bytes, integers
 * checked against their literal text (json-c clamps), every field typed,
 * ranged and checked against the fields it depends on, so rules and
 * renderers can trust struct tw_facts. No collection and no printing here.
 */
#include "doctor/bundle.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <json-c/json.h>

#include "addr.h"
#include "doctor/facts.h"
#include "ksettings.h"
#include "doctor/sysctlconf.h"
#include "tcpstate.h"
#include "util.h"
#include "doctor/bundle-keys.h"

/* --- bundle: JSON -> facts (untrusted) ---------------------------------- */

struct jload {
	char *err;
	size_t err_len;
	char path[256];		/* of the object being read: "census.destinations[3]" */
	size_t plen;
};

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

/* enter() / enter_idx() - descend into member key / element i; leave() with what they returned. */
static size_t enter(struct jload *j, const char *key)
{
	return path_append(j, "%s%s", j->plen ? "." : "", key);
}

static size_t enter_idx(struct jload *j, size_t i)
{
	return path_append(j, "[%zu]", i);
}

static void leave(struct jload *j, size_t old)
{
	j->plen = old;
	j->path[old] = '\0';
}

static int fail(struct jload *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int fail(struct jload *j, const char *fmt, ...)
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

/* bad() - "bundle field 'PATH.key': <why>" (key NULL: the current path itself). */
static int bad(struct jload *j, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int bad(struct jload *j, const char *key, const char *fmt, ...)
{
	char why[200];
	va_list ap;

	if (key)
		(void) enter(j, key);
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	return fail(j, "bundle field '%s': %s", j->path, why);
}

#define TRY(x)                     \
	do {                       \
		int _r = (x);      \
		if (_r < 0)        \
			return _r; \
	} while (0)

static const char *type_word(enum json_type t)
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

/*
 * Member key of o, of type t (an integer also counts as a number). 1 found;
 * 0 absent or null and not required; -EINVAL.
 */
static int get(struct jload *j, struct json_object *o, const char *key, enum json_type t, bool required,
	       struct json_object **ret)
{
	struct json_object *v = NULL;

	*ret = NULL;
	if (!json_object_object_get_ex(o, key, &v) || !v) {
		if (required)
			return bad(j, key, "is missing (must be %s)", type_word(t));
		return 0;
	}
	if (!json_object_is_type(v, t) && !(t == json_type_double && json_object_is_type(v, json_type_int)))
		return bad(j, key, "must be %s, not %s", type_word(t), type_word(json_object_get_type(v)));
	*ret = v;
	return 1;
}

/* An integer element or member value v in min..max (the literal was range-checked by scan()). */
static int int_in(struct jload *j, const char *key, struct json_object *v, uint64_t min, uint64_t max,
		  uint64_t *ret)
{
	uint64_t u;

	if (!json_object_is_type(v, json_type_int))
		return bad(j, key, "must be an integer in %llu..%llu, not %s", (unsigned long long)min,
			   (unsigned long long)max, json_object_to_json_string(v));
	/* json-c keeps values above INT64_MAX as uint64; get_int64() clamps those to INT64_MAX. */
	if (json_object_get_int64(v) < 0)
		return bad(j, key, "must be %llu..%llu, not %lld", (unsigned long long)min,
			   (unsigned long long)max, (long long)json_object_get_int64(v));
	u = json_object_get_uint64(v);
	if (u < min || u > max)
		return bad(j, key, "must be %llu..%llu, not %llu", (unsigned long long)min,
			   (unsigned long long)max, (unsigned long long)u);
	*ret = u;
	return 1;
}

static int get_u64(struct jload *j, struct json_object *o, const char *key, bool required, uint64_t min,
		   uint64_t max, uint64_t *ret)
{
	struct json_object *v = NULL;
	int r;

	if (json_object_object_get_ex(o, key, &v) && v && json_object_is_type(v, json_type_double))
		return bad(j, key, "must be an integer, not %s", json_object_to_json_string(v));
	r = get(j, o, key, json_type_int, required, &v);
	if (r <= 0)
		return r;
	return int_in(j, key, v, min, max, ret);
}

static int get_u32(struct jload *j, struct json_object *o, const char *key, uint32_t min, uint32_t max,
		   uint32_t *ret)
{
	uint64_t v = 0;
	int r = get_u64(j, o, key, true, min, max, &v);

	if (r > 0)
		*ret = (uint32_t)v;
	return r;
}

static int get_port(struct jload *j, struct json_object *o, const char *key, uint16_t min,
		    uint16_t *ret)
{
	uint64_t v = 0;
	int r = get_u64(j, o, key, true, min, 65535, &v);

	if (r > 0)
		*ret = (uint16_t)v;
	return r;
}

static int get_double(struct jload *j, struct json_object *o, const char *key, double min, double max,
		      double *ret)
{
	struct json_object *v;
	int r = get(j, o, key, json_type_double, true, &v);
	double d;

	if (r <= 0)
		return r;
	d = json_object_get_double(v);
	if (!isfinite(d) || d < min || d > max)
		return bad(j, key, "must be %g..%g, not %s", min, max, json_object_to_json_string(v));
	*ret = d;
	return 1;
}

static int get_bool(struct jload *j, struct json_object *o, const char *key, bool *ret)
{
	struct json_object *v;
	int r = get(j, o, key, json_type_boolean, true, &v);

	if (r > 0)
		*ret = json_object_get_boolean(v);
	return r;
}

enum str_rule {
	STR_TEXT,	/* printable: no control characters */
	STR_RAW,	/* text from the world (comm, netns, paths, kernel): any character but
			 * NUL; renderers make it safe (src/safetext.h) */
};

/* The string value v, at most max_len bytes, checked by rule. */
static int str_ok(struct jload *j, const char *key, struct json_object *v, size_t max_len,
		  enum str_rule rule)
{
	const char *s = json_object_get_string(v);
	size_t len = (size_t)json_object_get_string_len(v);

	if (strlen(s) != len)
		return bad(j, key, "contains a NUL character");
	if (len > max_len)
		return bad(j, key, "is too long (%zu bytes, at most %zu)", len, max_len);
	for (size_t i = 0; rule != STR_RAW && i < len; i++) {
		unsigned char c = (unsigned char)s[i];

		if (c < 0x20 || c == 0x7f)
			return bad(j, key, "contains control character 0x%02x", c);
	}
	return 0;
}

static int get_str(struct jload *j, struct json_object *o, const char *key, bool required, char *buf,
		   size_t size, enum str_rule rule)
{
	struct json_object *v;
	int r = get(j, o, key, json_type_string, required, &v);

	if (r <= 0)
		return r;
	TRY(str_ok(j, key, v, size - 1, rule));
	snprintf(buf, size, "%s", json_object_get_string(v));
	return 1;
}

/* An array member with at most max elements; *ret_n its length. */
static int get_arr(struct jload *j, struct json_object *o, const char *key, bool required, size_t max,
		   struct json_object **ret, size_t *ret_n)
{
	int r = get(j, o, key, json_type_array, required, ret);

	*ret_n = 0;
	if (r <= 0)
		return r;
	*ret_n = json_object_array_length(*ret);
	if (*ret_n > max)
		return bad(j, key, "has %zu elements, at most %zu allowed", *ret_n, max);
	return 1;
}

/* Element i of an array of objects. */
static int elem_obj(struct jload *j, struct json_object *arr, size_t i, struct json_object **ret)
{
	*ret = json_object_array_get_idx(arr, i);
	if (!json_object_is_type(*ret, json_type_object))
		return bad(j, NULL, "must be an object, not %s", type_word(json_object_get_type(*ret)));
	return 0;
}

/* a + b into *sum; false (and UINT64_MAX) on overflow. */
static bool add_ok(uint64_t a, uint64_t b, uint64_t *sum)
{
	if (__builtin_add_overflow(a, b, sum)) {
		*sum = UINT64_MAX;
		return false;
	}
	return true;
}

/* --- sysctls: the syntax the kernel prints, whitespace folded as collection does */

enum sysctl_syntax { SX_INT, SX_RANGE, SX_LIST };

static const struct {
	enum sysctl_syntax syntax;
	int64_t min, max;
} sysctl_rules[FS_MAX] = {
	[FS_TW_REUSE] = { SX_INT, INT32_MIN, INT32_MAX },
	[FS_TW_REUSE_DELAY] = { SX_INT, INT32_MIN, INT32_MAX },
	[FS_MAX_TW_BUCKETS] = { SX_INT, INT32_MIN, INT32_MAX },
	[FS_PORT_RANGE] = { SX_RANGE, 0, 0 },
	[FS_RESERVED_PORTS] = { SX_LIST, 0, 0 },
	[FS_FIN_TIMEOUT] = { SX_INT, INT32_MIN, INT32_MAX },
	[FS_TIMESTAMPS] = { SX_INT, INT32_MIN, INT32_MAX },
	[FS_RFC1337] = { SX_INT, INT32_MIN, INT32_MAX },
	[FS_TW_RECYCLE] = { SX_INT, INT32_MIN, INT32_MAX },
	[FS_CT_TW_TIMEOUT] = { SX_INT, INT32_MIN, INT32_MAX },
	[FS_CT_COUNT] = { SX_INT, 0, UINT32_MAX },	/* unsigned int in the kernel */
	[FS_CT_MAX] = { SX_INT, INT32_MIN, INT32_MAX },
};

static int check_sysctl(struct jload *j, const char *name, enum facts_sysctl_id id, const char *s)
{
	uint8_t bitmap[TW_PORT_BITMAP_BYTES];
	uint16_t lo, hi;
	long long v;
	char *end;

	/* ksettings_sysctl_read() folds whitespace runs into one space and trims */
	if (s[0] == ' ' || (s[0] && s[strlen(s) - 1] == ' ') || strstr(s, "  "))
		return bad(j, name, "'%.40s' is not whitespace-folded as read from /proc/sys", s);
	switch (sysctl_rules[id].syntax) {
	case SX_INT:
		errno = 0;
		v = strtoll(s, &end, 10);
		if (!*s || *end || errno || !(isdigit((unsigned char)s[0]) || s[0] == '-'))
			return bad(j, name, "'%.40s' is not an integer", s);
		if (v < sysctl_rules[id].min || v > sysctl_rules[id].max)
			return bad(j, name, "must be %lld..%lld, not %lld", (long long)sysctl_rules[id].min,
				   (long long)sysctl_rules[id].max, v);
		return 0;
	case SX_RANGE:
		if (ksettings_parse_port_range(s, &lo, &hi) < 0)
			return bad(j, name, "'%.40s' is not 'LO HI' with 1 <= LO <= HI <= 65535", s);
		return 0;
	case SX_LIST:
		if (ksettings_parse_port_list(s, bitmap) < 0)
			return bad(j, name, "'%.40s' is not a port list such as '8080,9000-9010'", s);
		return 0;
	}
	return 0;
}

static int load_sysctls(struct jload *j, struct json_object *o, struct tw_facts *f)
{
	struct json_object_iterator it = json_object_iter_begin(o), end = json_object_iter_end(o);
	size_t old = enter(j, "sysctls");

	for (; !json_object_iter_equal(&it, &end); json_object_iter_next(&it)) {
		const char *name = json_object_iter_peek_name(&it);
		struct json_object *v = json_object_iter_peek_value(&it);
		size_t i;

		for (i = 0; i < FS_MAX; i++)
			if (strcmp(name, facts_sysctl_name((enum facts_sysctl_id)i)) == 0)
				break;
		if (i == FS_MAX)
			continue;	/* not one doctor reads: ignored */
		if (!json_object_is_type(v, json_type_string))
			return bad(j, name, "must be a string, not %s", type_word(json_object_get_type(v)));
		TRY(str_ok(j, name, v, 64 * 1024, STR_TEXT));
		TRY(check_sysctl(j, name, (enum facts_sysctl_id)i, json_object_get_string(v)));
		TRY(facts_set_sysctl(f, (enum facts_sysctl_id)i, json_object_get_string(v)));
	}
	leave(j, old);
	return 0;
}

static int load_sysctl_errors(struct jload *j, struct json_object *arr, size_t n, struct tw_facts *f)
{
	size_t old = enter(j, "sysctl_errors");

	for (size_t i = 0; i < n; i++) {
		struct json_object *e = json_object_array_get_idx(arr, i);
		size_t o2 = enter_idx(j, i);

		if (!json_object_is_type(e, json_type_string))
			return bad(j, NULL, "must be a string, not %s", type_word(json_object_get_type(e)));
		for (size_t k = 0; k < FS_MAX; k++) {
			if (strcmp(json_object_get_string(e), facts_sysctl_name((enum facts_sysctl_id)k)) != 0)
				continue;
			if (f->sysctl[k].present)
				return bad(j, NULL, "'%s' is also in sysctls", facts_sysctl_name((enum facts_sysctl_id)k));
			f->sysctl[k].error = true;
		}
		leave(j, o2);
	}
	leave(j, old);
	return 0;
}

static int load_counters(struct jload *j, struct json_object *o, struct tw_facts *f)
{
	size_t old = enter(j, "counters");

	f->have_counters = true;
	for (size_t i = 0; i < FC_MAX; i++) {
		const char *name = facts_counter_name((enum facts_counter_id)i);
		struct json_object *x;
		uint64_t v = 0, d = 0;
		size_t o2;
		int r, rd;

		r = get(j, o, name, json_type_object, false, &x);
		if (r < 0)
			return r;
		if (r == 0)
			continue;
		o2 = enter(j, name);
		TRY(get_u64(j, x, "value", true, 0, UINT64_MAX, &v));
		rd = get_u64(j, x, "delta", false, 0, v, &d);
		if (rd < 0)
			return rd;
		/* a delta needs two samples, so an interval */
		if (rd > 0 && !f->interval_ns)
			return bad(j, "delta", "present but interval_sec is 0 (one sample)");
		facts_set_counter(f, (enum facts_counter_id)i, v, rd > 0, d);
		leave(j, o2);
	}
	leave(j, old);
	return 0;
}

static int load_sockstat(struct jload *j, struct json_object *o, struct tw_sockstat *s)
{
	size_t old = enter(j, "sockstat");

	TRY(get_u64(j, o, "tcp_inuse", true, 0, BUNDLE_MAX_COUNT, &s->tcp_inuse));
	TRY(get_u64(j, o, "tcp_orphan", true, 0, BUNDLE_MAX_COUNT, &s->tcp_orphan));
	TRY(get_u64(j, o, "tcp_tw", true, 0, BUNDLE_MAX_COUNT, &s->tcp_tw));
	TRY(get_u64(j, o, "tcp_alloc", true, 0, BUNDLE_MAX_COUNT, &s->tcp_alloc));
	/* pages of 4 KiB or more: 2^52 of them is already 16 EiB */
	TRY(get_u64(j, o, "tcp_mem_pages", true, 0, 1ull << 52, &s->tcp_mem_pages));
	TRY(get_u64(j, o, "tcp6_inuse", false, 0, BUNDLE_MAX_COUNT, &s->tcp6_inuse));
	s->have_tcp = true;
	leave(j, old);
	return 0;
}

/* TIME_WAIT sides and FIN_WAIT2 kinds: each socket is counted in exactly one of them. */
static int load_census_sides(struct jload *j, struct json_object *o, struct facts_census *c)
{
	struct json_object *x;
	uint64_t sum;
	size_t old;

	TRY(get(j, o, "states", json_type_object, true, &x));
	old = enter(j, "states");
	for (unsigned int s = 1; s < ARRAY_SIZE(c->states); s++)
		if (tcpstate_name(s))
			TRY(get_u64(j, x, tcpstate_name(s), false, 0, BUNDLE_MAX_COUNT, &c->states[s]));
	leave(j, old);
	TRY(get(j, o, "time_wait", json_type_object, true, &x));
	old = enter(j, "time_wait");
	TRY(get_u64(j, x, "client", true, 0, BUNDLE_MAX_COUNT, &c->tw_client));
	TRY(get_u64(j, x, "server", true, 0, BUNDLE_MAX_COUNT, &c->tw_server));
	TRY(get_u64(j, x, "unknown", true, 0, BUNDLE_MAX_COUNT, &c->tw_unknown));
	sum = c->tw_client + c->tw_server + c->tw_unknown;	/* each <= 2^40 */
	if (sum != c->states[TW_TIME_WAIT])
		return bad(j, NULL, "client + server + unknown = %llu, but states.time_wait is %llu",
			   (unsigned long long)sum, (unsigned long long)c->states[TW_TIME_WAIT]);
	leave(j, old);
	TRY(get(j, o, "fin_wait2", json_type_object, true, &x));
	old = enter(j, "fin_wait2");
	TRY(get_u64(j, x, "orphan", true, 0, BUNDLE_MAX_COUNT, &c->fw2_orphan));
	TRY(get_u64(j, x, "live", true, 0, BUNDLE_MAX_COUNT, &c->fw2_live));
	if (c->fw2_orphan + c->fw2_live != c->states[TW_FIN_WAIT2])
		return bad(j, NULL, "orphan + live = %llu, but states.fin_wait2 is %llu",
			   (unsigned long long)(c->fw2_orphan + c->fw2_live),
			   (unsigned long long)c->states[TW_FIN_WAIT2]);
	leave(j, old);
	return 0;
}

/* The ephemeral range as census_finish() computes it: size = reserved + listening + usable. */
static int load_port_range(struct jload *j, struct json_object *o, struct facts_census *c)
{
	struct json_object *x, *lp;
	size_t old, n, want;

	TRY(get(j, o, "port_range", json_type_object, true, &x));
	old = enter(j, "port_range");
	TRY(get_u32(j, x, "lo", 1, 65535, &c->range_lo));
	TRY(get_u32(j, x, "hi", c->range_lo, 65535, &c->range_hi));
	TRY(get_u32(j, x, "size", 0, 65535, &c->range_size));
	if (c->range_size != c->range_hi - c->range_lo + 1)
		return bad(j, "size", "must be hi - lo + 1 = %u, not %u", c->range_hi - c->range_lo + 1,
			   c->range_size);
	TRY(get_u32(j, x, "reserved", 0, c->range_size, &c->reserved_in_range));
	TRY(get_u32(j, x, "listening", 0, c->range_size - c->reserved_in_range, &c->listeners_in_range));
	TRY(get_u32(j, x, "usable", 0, 65535, &c->usable));
	if (c->usable != c->range_size - c->reserved_in_range - c->listeners_in_range)
		return bad(j, "usable", "must be size - reserved - listening = %u, not %u",
			   c->range_size - c->reserved_in_range - c->listeners_in_range, c->usable);
	TRY(get_arr(j, x, "listening_ports", false, FACTS_MAX_LISTEN_SHOWN, &lp, &n));
	/* the first listening ports of the range, ascending, as many as fit */
	want = c->listeners_in_range < FACTS_MAX_LISTEN_SHOWN ? c->listeners_in_range
							     : FACTS_MAX_LISTEN_SHOWN;
	if (lp && n != want)
		return bad(j, "listening_ports", "has %zu ports, but listening = %u means %zu", n,
			   c->listeners_in_range, want);
	for (size_t i = 0; i < n; i++) {
		size_t o2 = enter(j, "listening_ports");
		uint64_t p = 0;

		(void) enter_idx(j, i);
		TRY(int_in(j, NULL, json_object_array_get_idx(lp, i),
			   i ? (uint64_t)c->listen_in_range[i - 1] + 1 : c->range_lo, c->range_hi, &p));
		c->listen_in_range[i] = (uint16_t)p;
		leave(j, o2);
	}
	c->n_listen_in_range = n;
	leave(j, old);
	return 0;
}

/* Bundles from before the close history have no "closes": rates are then unknown. */
static int load_closes(struct jload *j, struct json_object *e, struct facts_dest *d)
{
	const uint64_t full_ms = TW_TIME_WAIT_SEC * 1000;
	struct json_object *o, *y;
	uint64_t prev = 0, v = 0;
	size_t old;
	int r;

	census_closes_init(&d->closes);
	r = get(j, e, "closes", json_type_object, false, &o);
	if (r <= 0)
		return r;
	old = enter(j, "closes");
	/* each window holds the shorter ones; none holds more than the TIME_WAIT */
	for (size_t w = 0; w < TW_CLOSE_WINDOWS; w++) {
		TRY(get_u64(j, o, window_keys[w], true, prev, d->time_wait, &d->closes.within[w]));
		prev = d->closes.within[w];
	}
	if (json_object_object_get_ex(o, "youngest_ms", &y) && y) {
		TRY(get_u64(j, o, "youngest_ms", true, 0, d->time_wait ? full_ms : 0, &v));
		if (!d->time_wait)
			return bad(j, "youngest_ms", "must be null without TIME_WAIT");
		d->closes.youngest_ms = (uint32_t)v;
	} else if (d->time_wait) {
		return bad(j, "youngest_ms", "is missing, but there are %llu TIME_WAIT",
			   (unsigned long long)d->time_wait);
	}
	TRY(get_u64(j, o, "clears_ms", true, 0, d->time_wait ? full_ms : 0, &v));
	d->closes.clears_ms = (uint32_t)v;
	d->have_closes = true;
	leave(j, old);
	return 0;
}

static int load_culprits(struct jload *j, struct json_object *e, struct facts_dest *d)
{
	struct json_object *o, *arr;
	uint64_t sum = 0, v = 0;
	size_t n, old, o2;
	char rt[8];
	int r;

	r = get(j, e, "culprits", json_type_object, false, &o);
	if (r <= 0)
		return r;
	old = enter(j, "culprits");
	TRY(get_u64(j, o, "live", true, 0, d->held, &d->live));
	TRY(get_u64(j, o, "unowned", true, 0, d->live, &d->unowned));
	TRY(get_bool(j, o, "partial", &d->culprits_partial));
	TRY(get_arr(j, o, "processes", true, FACTS_MAX_CULPRITS, &arr, &n));
	o2 = enter(j, "processes");
	for (size_t i = 0; i < n; i++) {
		struct facts_culprit *c = &d->culprits[i];
		size_t o3 = enter_idx(j, i);
		struct json_object *x;

		TRY(elem_obj(j, arr, i, &x));
		TRY(get_u64(j, x, "pid", true, 1, INT32_MAX, &v));
		c->pid = (int)v;
		TRY(get_u64(j, x, "pids", true, 1, INT32_MAX, &v));
		c->pids = (uint32_t)v;
		TRY(get_u64(j, x, "sockets", true, 1, d->live, &c->sockets));
		if (!add_ok(sum, c->sockets, &sum) || sum + d->unowned > d->live)
			return bad(j, "sockets", "the processes and unowned hold more than live (%llu)",
				   (unsigned long long)d->live);
		TRY(get_str(j, x, "comm", true, c->comm, sizeof(c->comm), STR_RAW));
		TRY(get_str(j, x, "cgroup", true, c->cgroup, sizeof(c->cgroup), STR_RAW));
		TRY(get_str(j, x, "runtime", true, rt, sizeof(rt), STR_TEXT));
		if (facts_runtime_parse(rt, &c->runtime) < 0)
			return bad(j, "runtime", "must be \"go\" or \"\", not '%s'", rt);
		leave(j, o3);
	}
	leave(j, o2);
	d->n_culprits = n;
	d->culprits_scanned = true;
	leave(j, old);
	return 0;
}

static int load_dest(struct jload *j, struct json_object *e, const struct facts_census *c,
		     struct facts_dest *d)
{
	struct tw_addr la, ra;
	double want;

	TRY(get_str(j, e, "local", true, d->local, sizeof(d->local), STR_TEXT));
	if (addr_parse(d->local, &la) < 0)
		return bad(j, "local", "'%s' is not an IP address", d->local);
	TRY(get_str(j, e, "remote", true, d->remote, sizeof(d->remote), STR_TEXT));
	if (addr_parse(d->remote, &ra) < 0)
		return bad(j, "remote", "'%s' is not an IP address", d->remote);
	if (la.family != ra.family)
		return bad(j, "remote", "'%s' is not of the family of local '%s'", d->remote, d->local);
	TRY(get_port(j, e, "remote_port", 0, &d->remote_port));
	TRY(get_u64(j, e, "held", true, 1, BUNDLE_MAX_COUNT, &d->held));
	TRY(get_u64(j, e, "time_wait", true, 0, d->held, &d->time_wait));
	TRY(get_u64(j, e, "established", true, 0, d->held - d->time_wait, &d->established));
	/* census_finish(): held / usable * 100, or 100 with no usable port */
	want = c->usable ? 100.0 * (double)d->held / c->usable : 100.0;
	TRY(get_double(j, e, "utilization_pct", 0, 1e18, &d->util_pct));
	if (fabs(d->util_pct - want) > 1e-6 * (want > 1 ? want : 1))
		return bad(j, "utilization_pct", "must be held / usable * 100 = %.2f, not %g", want, d->util_pct);
	TRY(load_closes(j, e, d));
	TRY(load_culprits(j, e, d));
	return 0;
}

static int load_destinations(struct jload *j, struct json_object *o, struct facts_census *c)
{
	struct json_object *arr;
	uint64_t tw_sum = 0;
	size_t n, old;

	TRY(get_u64(j, o, "destinations_total", true, 0, BUNDLE_MAX_COUNT, &c->dests_total));
	TRY(get_arr(j, o, "destinations", true, FACTS_MAX_DESTS, &arr, &n));
	if (n != (c->dests_total < FACTS_MAX_DESTS ? c->dests_total : FACTS_MAX_DESTS))
		return bad(j, "destinations", "has %zu elements, but destinations_total = %llu", n,
			   (unsigned long long)c->dests_total);
	old = enter(j, "destinations");
	for (size_t i = 0; i < n; i++) {
		size_t o2 = enter_idx(j, i);
		struct json_object *e;

		TRY(elem_obj(j, arr, i, &e));
		TRY(load_dest(j, e, c, &c->dests[i]));
		/* a client TIME_WAIT is counted once in its destination */
		if (!add_ok(tw_sum, c->dests[i].time_wait, &tw_sum) || tw_sum > c->tw_client)
			return bad(j, "time_wait", "destinations hold more TIME_WAIT than time_wait.client (%llu)",
				   (unsigned long long)c->tw_client);
		leave(j, o2);
	}
	c->n_dests = n;
	leave(j, old);
	return 0;
}

/* Who listens on a server port; bundles from before it have no "listener". */
static int load_listener(struct jload *j, struct json_object *e, struct facts_server *s)
{
	struct json_object *o;
	uint64_t pid = 0;
	size_t old;
	int r;

	r = get(j, e, "listener", json_type_object, false, &o);
	if (r <= 0)
		return r;
	old = enter(j, "listener");
	TRY(get_bool(j, o, "listening", &s->listening));
	/* 0: nobody visible holds it (or nothing listens) */
	TRY(get_u64(j, o, "pid", true, 0, s->listening ? INT32_MAX : 0, &pid));
	s->listener_pid = (int)pid;
	TRY(get_str(j, o, "comm", true, s->listener_comm, sizeof(s->listener_comm), STR_RAW));
	s->listener_scanned = true;
	leave(j, old);
	return 0;
}

static int load_servers(struct jload *j, struct json_object *o, struct facts_census *c)
{
	struct json_object *arr;
	uint64_t tw_sum = 0;
	size_t n, old;

	TRY(get_u64(j, o, "server_ports_total", true, 0, 65535, &c->servers_total));
	TRY(get_arr(j, o, "server_ports", true, FACTS_MAX_SERVERS, &arr, &n));
	if (n != (c->servers_total < FACTS_MAX_SERVERS ? c->servers_total : FACTS_MAX_SERVERS))
		return bad(j, "server_ports", "has %zu elements, but server_ports_total = %llu", n,
			   (unsigned long long)c->servers_total);
	old = enter(j, "server_ports");
	for (size_t i = 0; i < n; i++) {
		struct facts_server *s = &c->servers[i];
		size_t o2 = enter_idx(j, i);
		struct json_object *e;
		uint64_t sum;

		TRY(elem_obj(j, arr, i, &e));
		TRY(get_port(j, e, "port", 1, &s->port));
		TRY(get_u64(j, e, "time_wait", true, 0, BUNDLE_MAX_COUNT, &s->time_wait));
		TRY(get_u64(j, e, "close_wait", true, 0, BUNDLE_MAX_COUNT, &s->close_wait));
		TRY(get_u64(j, e, "established", true, 0, BUNDLE_MAX_COUNT, &s->established));
		sum = s->time_wait + s->close_wait + s->established;	/* each <= 2^40 */
		TRY(get_u64(j, e, "total", true, sum > 1 ? sum : 1, BUNDLE_MAX_COUNT, &s->total));
		if (!add_ok(tw_sum, s->time_wait, &tw_sum) || tw_sum > c->tw_server)
			return bad(j, "time_wait", "server ports hold more TIME_WAIT than time_wait.server (%llu)",
				   (unsigned long long)c->tw_server);
		TRY(load_listener(j, e, s));
		leave(j, o2);
	}
	c->n_servers = n;
	leave(j, old);
	return 0;
}

static int load_census(struct jload *j, struct json_object *o, struct facts_census *c)
{
	size_t old = enter(j, "census");

	TRY(load_census_sides(j, o, c));
	TRY(load_port_range(j, o, c));
	TRY(load_destinations(j, o, c));
	TRY(load_servers(j, o, c));
	c->have = true;
	leave(j, old);
	return 0;
}

static int load_cw_ports(struct jload *j, struct json_object *o, struct facts_close_wait *cw)
{
	struct json_object *arr;
	uint64_t sum = 0;
	size_t n, old;

	TRY(get_arr(j, o, "ports", true, FACTS_MAX_CW_PORTS, &arr, &n));
	old = enter(j, "ports");
	for (size_t i = 0; i < n; i++) {
		size_t o2 = enter_idx(j, i);
		struct json_object *e;

		TRY(elem_obj(j, arr, i, &e));
		TRY(get_port(j, e, "port", 1, &cw->ports[i].port));
		for (size_t k = 0; k < i; k++)
			if (cw->ports[k].port == cw->ports[i].port)
				return bad(j, "port", "%u is listed twice", cw->ports[i].port);
		TRY(get_u64(j, e, "count", true, 1, cw->total, &cw->ports[i].count));
		if (!add_ok(sum, cw->ports[i].count, &sum) || sum > cw->total)
			return bad(j, "count", "the ports hold more than close_wait.total (%llu)",
				   (unsigned long long)cw->total);
		leave(j, o2);
	}
	cw->n_ports = n;
	leave(j, old);
	return 0;
}

static int load_cw_owners(struct jload *j, struct json_object *o, struct facts_close_wait *cw)
{
	struct json_object *arr;
	uint64_t sum = 0, v = 0;
	size_t n, old;

	TRY(get_arr(j, o, "owners", true, FACTS_MAX_OWNERS, &arr, &n));
	if (n && !cw->owners_scanned)
		return bad(j, "owners", "listed, but owners_scanned is false");
	old = enter(j, "owners");
	for (size_t i = 0; i < n; i++) {
		struct facts_owner *w = &cw->owners[i];
		size_t o2 = enter_idx(j, i);
		struct json_object *e;

		TRY(elem_obj(j, arr, i, &e));
		TRY(get_u64(j, e, "pid", true, 1, INT32_MAX, &v));
		w->pid = (int)v;
		TRY(get_str(j, e, "comm", true, w->comm, sizeof(w->comm), STR_RAW));
		TRY(get_port(j, e, "port", 0, &w->port));	/* 0: its port was not found */
		TRY(get_u64(j, e, "sockets", true, 1, cw->total, &w->sockets));
		if (!add_ok(sum, w->sockets, &sum) || sum > cw->total)
			return bad(j, "sockets", "the owners hold more than close_wait.total (%llu)",
				   (unsigned long long)cw->total);
		leave(j, o2);
	}
	cw->n_owners = n;
	leave(j, old);
	return 0;
}

static int load_close_wait(struct jload *j, struct json_object *o, struct facts_close_wait *cw)
{
	size_t old = enter(j, "close_wait");

	TRY(get_u64(j, o, "total", true, 0, BUNDLE_MAX_COUNT, &cw->total));
	/* Bundles from before idle times were kept have neither key. */
	if (json_object_object_get_ex(o, "oldest_idle_ms", NULL)) {
		/* tcp_info's last_ack_recv is 32-bit milliseconds */
		TRY(get_u64(j, o, "oldest_idle_ms", true, 0, cw->total ? UINT32_MAX : 0, &cw->oldest_idle_ms));
		TRY(get_u64(j, o, "stale", true, 0, cw->total, &cw->stale));
		if (cw->stale && cw->oldest_idle_ms < FACTS_CW_STALE_MS)
			return bad(j, "stale", "is %llu, but oldest_idle_ms %llu is below %d",
				   (unsigned long long)cw->stale, (unsigned long long)cw->oldest_idle_ms,
				   FACTS_CW_STALE_MS);
		cw->have_idle = true;
	}
	TRY(load_cw_ports(j, o, cw));
	TRY(get_bool(j, o, "owners_scanned", &cw->owners_scanned));
	TRY(get_bool(j, o, "owners_partial", &cw->owners_partial));
	TRY(load_cw_owners(j, o, cw));
	cw->have = true;
	leave(j, old);
	return 0;
}

static int load_sysconf(struct jload *j, struct json_object *o, struct sysconf *sc)
{
	struct json_object *arr;
	uint64_t files = 0;
	size_t n, old = enter(j, "sysctl_config");

	TRY(get_u64(j, o, "files", true, 0, SYSCONF_MAX_FILES, &files));
	sc->files = files;
	TRY(get_bool(j, o, "truncated", &sc->truncated));
	TRY(get_arr(j, o, "lines", true, SYSCONF_MAX_ENTRIES, &arr, &n));
	(void) enter(j, "lines");
	for (size_t i = 0; i < n; i++) {
		size_t o2 = enter_idx(j, i);
		char file[PATH_MAX], key[128], value[512];
		struct json_object *e;
		uint64_t line = 0;

		TRY(elem_obj(j, arr, i, &e));
		TRY(get_str(j, e, "file", true, file, sizeof(file), STR_RAW));
		if (file[0] != '/')
			return bad(j, "file", "'%.60s' is not an absolute path", file);
		TRY(get_u64(j, e, "line", true, 1, UINT_MAX, &line));
		TRY(get_str(j, e, "key", true, key, sizeof(key), STR_TEXT));
		if (!sysconf_is_watched(key))
			return bad(j, "key", "'%s' is not a sysctl doctor reads", key);
		TRY(get_str(j, e, "value", true, value, sizeof(value), STR_RAW));
		if (sysconf_add(sc, file, (unsigned int)line, key, value) == -ENOMEM)
			return -ENOMEM;
		leave(j, o2);
	}
	leave(j, old);
	return 0;
}

/* --- conntrack ---------------------------------------------------------- */

static int load_ct_stats(struct jload *j, struct json_object *o, struct facts_conntrack *ct)
{
	struct json_object *v, *d;
	uint64_t cpus = 0;
	size_t old = enter(j, "stats");

	TRY(get_u64(j, o, "cpus", true, 1, 1u << 16, &cpus));
	ct->cpus = (uint32_t)cpus;
	TRY(get(j, o, "values", json_type_object, true, &v));
	TRY(get(j, o, "deltas", json_type_object, false, &d));
	json_object_object_foreach(v, key, val) {
		size_t i;

		(void) val;
		for (i = 0; i < CT_STAT_MAX; i++)
			if (strcmp(key, ct_stat_name((enum ct_stat_id)i)) == 0)
				break;
		if (i == CT_STAT_MAX)
			return bad(j, "values", "'%.40s' is not a conntrack statistic", key);
	}
	for (size_t i = 0; i < CT_STAT_MAX; i++) {
		const char *name = ct_stat_name((enum ct_stat_id)i);
		size_t o2 = enter(j, "values");

		TRY(get_u64(j, v, name, false, 0, UINT64_MAX, &ct->stat[i]));
		ct->stat_present[i] = json_object_object_get_ex(v, name, NULL);
		leave(j, o2);
	}
	if (d) {
		size_t o2 = enter(j, "deltas");

		json_object_object_foreach(d, dkey, dval) {
			size_t i;

			(void) dval;
			for (i = 0; i < CT_STAT_MAX; i++)
				if (strcmp(dkey, ct_stat_name((enum ct_stat_id)i)) == 0)
					break;
			if (i == CT_STAT_MAX || !ct->stat_present[i])
				return bad(j, NULL, "'%.40s' is not a statistic of values", dkey);
			TRY(get_u64(j, d, dkey, true, 0, ct->stat[i], &ct->stat_delta[i]));
		}
		ct->have_delta = true;
		leave(j, o2);
	}
	ct->have_stats = true;
	leave(j, old);
	return 0;
}

/* nft table and chain names as ctfacts.c keeps them. */
static int get_nat_name(struct jload *j, struct json_object *o, const char *key, char *buf, size_t size)
{
	TRY(get_str(j, o, key, true, buf, size, STR_TEXT));
	for (const char *p = buf; *p; p++)
		if (!(isalnum((unsigned char)*p) || strchr("_-.?", *p)))
			return bad(j, key, "'%.40s' is not a table or chain name", buf);
	return 0;
}

static int load_snat_pool(struct jload *j, struct json_object *e, struct facts_snat_group *g)
{
	struct json_object *p, *r, *lg = NULL;

	TRY(get(j, e, "pool", json_type_object, false, &p));
	if (p) {
		size_t old = enter(j, "pool");

		TRY(get_port(j, p, "lo", 1, &g->pool_lo));
		TRY(get_port(j, p, "hi", g->pool_lo, &g->pool_hi));
		TRY(get_bool(j, p, "kernel_default", &g->pool_default));
		g->pool_known = true;
		g->pool_size = (uint32_t)g->pool_hi - g->pool_lo + 1;
		/* natpool.c: use of the pool, recomputed rather than trusted */
		g->util_pct = 100.0 * (double)g->held / g->pool_size;
		leave(j, old);
	}
	TRY(get_bool(j, e, "random_fully", &g->random_fully));
	TRY(get(j, e, "rule", json_type_object, false, &r));
	if (r) {
		size_t old = enter(j, "rule");

		TRY(get_nat_name(j, r, "table", g->rule_table, sizeof(g->rule_table)));
		TRY(get_nat_name(j, r, "chain", g->rule_chain, sizeof(g->rule_chain)));
		TRY(get_bool(j, r, "iptables", &g->rule_iptables));
		/* optional: bundles before legacy iptables was read have none */
		TRY(get(j, r, "legacy", json_type_boolean, false, &lg));
		g->rule_legacy = lg && json_object_get_boolean(lg);
		TRY(get_bool(j, r, "masquerade", &g->rule_masquerade));
		g->have_rule = true;
		leave(j, old);
	}
	return 0;
}

static int load_snat_group(struct jload *j, struct json_object *e, const struct facts_conntrack *ct,
			   struct facts_snat_group *g)
{
	struct tw_addr sa, da;
	uint64_t proto = 0;

	TRY(get_str(j, e, "nat_src", true, g->nat_src, sizeof(g->nat_src), STR_TEXT));
	if (addr_parse(g->nat_src, &sa) < 0)
		return bad(j, "nat_src", "'%s' is not an IP address", g->nat_src);
	TRY(get_str(j, e, "dst", true, g->dst, sizeof(g->dst), STR_TEXT));
	if (addr_parse(g->dst, &da) < 0)
		return bad(j, "dst", "'%s' is not an IP address", g->dst);
	if (sa.family != da.family)
		return bad(j, "dst", "'%s' is not of the family of nat_src '%s'", g->dst, g->nat_src);
	TRY(get_port(j, e, "dport", 0, &g->dport));
	TRY(get_u64(j, e, "l4proto", true, 0, 255, &proto));
	g->l4proto = (uint8_t)proto;
	TRY(get_u64(j, e, "held", true, 1, ct->snat, &g->held));
	TRY(get_u64(j, e, "time_wait", true, 0, g->held, &g->time_wait));
	TRY(get_u64(j, e, "established", true, 0, g->held - g->time_wait, &g->established));
	TRY(get_port(j, e, "seen_lo", 0, &g->seen_lo));
	TRY(get_port(j, e, "seen_hi", g->seen_lo, &g->seen_hi));
	TRY(load_snat_pool(j, e, g));
	if (json_object_object_get_ex(e, "held_before", NULL)) {
		TRY(get_u64(j, e, "held_before", true, 0, BUNDLE_MAX_COUNT, &g->held_before));
		g->have_growth = true;
	}
	return 0;
}

static int cmp_snat_group(const void *a, const void *b)
{
	const struct facts_snat_group *x = a, *y = b;

	if (x->util_pct != y->util_pct)
		return x->util_pct < y->util_pct ? 1 : -1;
	return x->held < y->held ? 1 : x->held > y->held ? -1 : 0;
}

static int load_ct_census(struct jload *j, struct json_object *o, struct facts_conntrack *ct)
{
	struct json_object *arr, *x;
	uint64_t rules = 0;
	size_t n, old = enter(j, "census");

	TRY(get_u64(j, o, "entries", true, 0, BUNDLE_MAX_COUNT, &ct->entries));
	TRY(get_u64(j, o, "tcp_time_wait", true, 0, ct->entries, &ct->tcp_time_wait));
	TRY(get_u64(j, o, "tcp_established", true, 0, ct->entries - ct->tcp_time_wait, &ct->tcp_established));
	/* bundles from before the local/forwarded split lack it */
	if (json_object_object_get_ex(o, "tcp_time_wait_local", NULL)) {
		TRY(get_u64(j, o, "tcp_time_wait_local", true, 0, ct->tcp_time_wait, &ct->tcp_time_wait_local));
		ct->have_tw_local = true;
	}
	TRY(get_u64(j, o, "snat", true, 0, ct->entries, &ct->snat));
	TRY(get_u64(j, o, "snat_time_wait", true, 0, ct->snat < ct->tcp_time_wait ? ct->snat : ct->tcp_time_wait,
		    &ct->snat_time_wait));
	TRY(get(j, o, "nat_rules", json_type_int, false, &x));
	if (x) {
		TRY(get_u64(j, o, "nat_rules", true, 0, 1024, &rules));
		ct->nat_rules = (uint32_t)rules;
		ct->have_rules = true;
	}
	TRY(get_u64(j, o, "snat_groups_total", true, 0, ct->snat, &ct->groups_total));
	TRY(get_arr(j, o, "snat_groups", true, FACTS_MAX_SNAT, &arr, &n));
	if (n > ct->groups_total)
		return bad(j, "snat_groups", "has %zu elements, more than snat_groups_total (%llu)", n,
			   (unsigned long long)ct->groups_total);
	(void) enter(j, "snat_groups");
	for (size_t i = 0; i < n; i++) {
		size_t o2 = enter_idx(j, i);
		struct json_object *e;

		TRY(elem_obj(j, arr, i, &e));
		TRY(load_snat_group(j, e, ct, &ct->groups[i]));
		leave(j, o2);
	}
	ct->n_groups = n;
	qsort(ct->groups, n, sizeof(ct->groups[0]), cmp_snat_group);
	ct->have_census = true;
	leave(j, old);
	return 0;
}

static int load_conntrack(struct jload *j, struct json_object *o, struct facts_conntrack *ct)
{
	struct json_object *x;
	uint64_t err = 0;
	size_t old = enter(j, "conntrack");

	TRY(get(j, o, "buckets", json_type_int, false, &x));
	if (x) {
		TRY(get_u64(j, o, "buckets", true, 1, UINT32_MAX, &ct->buckets));
		ct->have_buckets = true;
	}
	TRY(get_u64(j, o, "entry_bytes", true, 0, 1 << 16, &ct->objsize));
	TRY(get_u64(j, o, "mem_total_bytes", true, 0, UINT64_MAX >> 8, &ct->mem_total_bytes));
	TRY(get(j, o, "stats", json_type_object, false, &x));
	if (x)
		TRY(load_ct_stats(j, x, ct));
	TRY(get_u64(j, o, "census_errno", true, 0, 4095, &err));
	ct->census_err = (int)err;
	TRY(get_u64(j, o, "rules_errno", true, 0, 4095, &err));
	ct->rules_err = (int)err;
	TRY(get(j, o, "census", json_type_object, false, &x));
	if (x) {
		if (ct->census_err)
			return bad(j, "census", "is given, but census_errno is %d", ct->census_err);
		TRY(load_ct_census(j, x, ct));
	}
	ct->loaded = true;
	leave(j, old);
	return 0;
}

static int load_head(struct jload *j, struct json_object *o, struct tw_facts *f)
{
	char kind[64];
	uint64_t schema = 0;
	double interval = 0;

	TRY(get_str(j, o, "kind", true, kind, sizeof(kind), STR_TEXT));
	if (strcmp(kind, BUNDLE_KIND) != 0)
		return bad(j, "kind", "'%s' is not a doctor bundle ('%s')", kind, BUNDLE_KIND);
	TRY(get_u64(j, o, "schema", true, 0, UINT32_MAX, &schema));
	if (schema != BUNDLE_SCHEMA)
		return bad(j, "schema", "unsupported bundle schema %llu (this twscope reads %d)",
			   (unsigned long long)schema, BUNDLE_SCHEMA);
	TRY(get_str(j, o, "kernel", true, f->kernel, sizeof(f->kernel), STR_RAW));
	TRY(get_str(j, o, "netns", false, f->netns, sizeof(f->netns), STR_RAW));
	TRY(get_double(j, o, "interval_sec", 0, BUNDLE_MAX_INTERVAL_SEC, &interval));
	f->interval_ns = (uint64_t)(interval * NSEC_PER_SEC + 0.5);
	return 0;
}

static int load_all(struct jload *j, struct json_object *o, struct tw_facts *f)
{
	struct json_object *x;
	size_t n;

	TRY(load_head(j, o, f));
	TRY(get(j, o, "sysctls", json_type_object, true, &x));
	TRY(load_sysctls(j, x, f));
	TRY(get_arr(j, o, "sysctl_errors", false, 1024, &x, &n));
	TRY(load_sysctl_errors(j, x, n, f));
	TRY(get(j, o, "counters", json_type_object, false, &x));
	if (x)
		TRY(load_counters(j, x, f));
	TRY(get(j, o, "sockstat", json_type_object, false, &x));
	if (x) {
		TRY(load_sockstat(j, x, &f->sockstat));
		f->have_sockstat = true;
	}
	TRY(get_u64(j, o, "tw_objsize_bytes", true, 1, 1 << 20, &f->tw_objsize));
	TRY(get_bool(j, o, "tw_objsize_measured", &f->tw_objsize_measured));
	TRY(get(j, o, "census", json_type_object, false, &x));
	if (x)
		TRY(load_census(j, x, &f->census));
	TRY(get(j, o, "close_wait", json_type_object, false, &x));
	if (x)
		TRY(load_close_wait(j, x, &f->close_wait));
	/* Bundles from before conntrack facts have no "conntrack": nothing known of it. */
	TRY(get(j, o, "conntrack", json_type_object, false, &x));
	if (x) {
		TRY(load_conntrack(j, x, &f->ct));
		if (!f->interval_ns && (f->ct.have_delta || (f->ct.n_groups && f->ct.groups[0].have_growth)))
			return bad(j, "conntrack", "has deltas or held_before, but interval_sec is 0");
	}
	TRY(get(j, o, "sysctl_config", json_type_object, false, &x));
	if (x) {
		TRY(load_sysconf(j, x, &f->sysconf));
		f->have_sysconf = true;
	}
	return 0;
}

/* --- the JSON text: what json-c lets through --------------------------- */

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

	leave(j, 0);
	for (int i = 0; i < depth; i++) {
		if (st[i].is_arr) {
			(void) enter_idx(j, st[i].idx);
		} else if (st[i].have_key) {
			char key[64];
			size_t n = st[i].key_len < sizeof(key) - 1 ? st[i].key_len : sizeof(key) - 1;

			for (size_t k = 0; k < n; k++)
				key[k] = isprint((unsigned char)st[i].key[k]) ? st[i].key[k] : '?';
			key[n] = '\0';
			(void) enter(j, key);
		}
	}
	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (!j->plen)
		return fail(j, "bundle: %s", why);
	return fail(j, "bundle field '%s': %s", j->path, why);
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

static int scan(struct jload *j, const char *p, const char *end)
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

/* The offset of the first non-blank byte at or after off (len if none); buf needs no NUL. */
static size_t skip_ws(const char *buf, size_t off, size_t len)
{
	while (off < len && (buf[off] == ' ' || buf[off] == '\t' || buf[off] == '\r' || buf[off] == '\n'))
		off++;
	return off;
}

/* "line 3 column 7" of byte offset off. */
static void where(const char *buf, size_t off, char *out, size_t len)
{
	unsigned int line = 1, col = 1;

	for (size_t i = 0; i < off; i++) {
		if (buf[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	snprintf(out, len, "line %u column %u", line, col);
}

static int parse(struct jload *j, const char *buf, size_t len, struct json_object **ret)
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
	where(buf, end < len ? end : len, at, sizeof(at));
	if (e == json_tokener_continue)
		r = fail(j, "bundle is truncated: the JSON ends before the document does");
	else if (e == json_tokener_error_depth)
		r = fail(j, "bundle is not valid JSON: nested deeper than %d levels at %s", BUNDLE_MAX_DEPTH, at);
	else if (e != json_tokener_success)
		r = fail(j, "bundle is not valid JSON: %s at %s", json_tokener_error_desc(e), at);
	else if (skip_ws(buf, end, len) < len)
		r = fail(j, "bundle has data after the JSON document at %s", at);
	else if (!json_object_is_type(o, json_type_object))
		r = fail(j, "bundle must be a JSON object, not %s", o ? type_word(json_object_get_type(o)) : "null");
	json_tokener_free(tok);
	if (r < 0) {
		json_object_put(o);
		return r;
	}
	*ret = o;
	return 0;
}

int bundle_load_buf(const char *buf, size_t len, struct tw_facts *f, char *err, size_t err_len)
{
	struct jload j = { .err = err, .err_len = err_len };
	struct json_object *o = NULL;
	const char *nul;
	int r;

	if (err_len)
		err[0] = '\0';
	if (len > BUNDLE_MAX_BYTES)
		return fail(&j, "bundle is too large: %zu bytes (at most %u MiB)", len, BUNDLE_MAX_BYTES >> 20);
	nul = memchr(buf, '\0', len);
	if (nul)
		return fail(&j, "bundle contains a NUL byte at offset %zu", (size_t)(nul - buf));
	if (skip_ws(buf, 0, len) == len)
		return fail(&j, "bundle is empty");
	r = parse(&j, buf, len, &o);
	if (r == 0)
		r = scan(&j, buf, buf + len);
	if (r == 0)
		r = load_all(&j, o, f);
	json_object_put(o);
	if (r < 0) {
		if (r == -ENOMEM)
			fail(&j, "out of memory");
		facts_done(f);
	}
	return r;
}

int bundle_load_file(const char *path, struct tw_facts *f, char *err, size_t err_len)
{
	struct jload j = { .err = err, .err_len = err_len };
	_cleanup_close_ int fd = -EBADF;
	_cleanup_free_ char *buf = NULL;
	struct stat st;
	size_t len;
	int r;

	if (err_len)
		err[0] = '\0';
	/* O_NONBLOCK: opening a FIFO must not wait for a writer */
	fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	if (fd < 0) {
		r = -errno;
		fail(&j, "cannot open it: %s", strerror(-r));
		return r;
	}
	if (fstat(fd, &st) < 0) {
		r = -errno;
		fail(&j, "cannot stat it: %s", strerror(-r));
		return r;
	}
	if (!S_ISREG(st.st_mode))
		return fail(&j, "not a regular file");
	if (st.st_size > (off_t)BUNDLE_MAX_BYTES)
		return fail(&j, "bundle is too large: %lld bytes (at most %u MiB)", (long long)st.st_size,
			    BUNDLE_MAX_BYTES >> 20);
	r = read_fd_all(fd, BUNDLE_MAX_BYTES, &buf, &len);
	if (r == -EFBIG)
		return fail(&j, "bundle is too large (at most %u MiB)", BUNDLE_MAX_BYTES >> 20);
	if (r < 0) {
		fail(&j, "cannot read it: %s", strerror(-r));
		return r;
	}
	return bundle_load_buf(buf, len, f, err, err_len);
}
