// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * History JSON (docs/graph.md, the document `twscope history --json` prints)
 * into struct graph_history, every field checked: the file may come from
 * anywhere. Reads the file, never draws and never prints.
 */
#include "graph/series.h"

#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "safetext.h"
#include "util.h"

#define GRAPH_MAX_DEPTH 16

struct perr {
	char *buf;
	size_t len;
};

__attribute__((format(printf, 3, 4)))
static int fail(const struct perr *e, int r, const char *fmt, ...)
{
	va_list ap;

	if (e->len) {
		va_start(ap, fmt);
		vsnprintf(e->buf, e->len, fmt, ap);
		va_end(ap);
	}
	return r;
}

static const char *type_word(struct json_object *o)
{
	switch (json_object_get_type(o)) {
	case json_type_null:
		return "null";
	case json_type_boolean:
		return "a boolean";
	case json_type_double:
	case json_type_int:
		return "a number";
	case json_type_object:
		return "an object";
	case json_type_array:
		return "an array";
	case json_type_string:
		return "a string";
	}
	return "something else";
}

static bool is_number(struct json_object *o)
{
	return json_object_is_type(o, json_type_int) || json_object_is_type(o, json_type_double);
}

/* A JSON number that is a whole count of seconds in [0, GRAPH_MAX_TIME]. */
static bool get_time(struct json_object *o, int64_t *ret)
{
	double d;

	if (json_object_is_type(o, json_type_int)) {
		int64_t v = json_object_get_int64(o);

		/* json-c clamps larger ones to INT64_MAX, still out of range */
		if (v < 0 || v > GRAPH_MAX_TIME)
			return false;
		*ret = v;
		return true;
	}
	if (!json_object_is_type(o, json_type_double))
		return false;
	d = json_object_get_double(o);
	if (!isfinite(d) || d < 0 || d > (double)GRAPH_MAX_TIME || d != floor(d))
		return false;
	*ret = (int64_t)d;
	return true;
}

static bool get_value(struct json_object *o, double *ret)
{
	double d;

	if (!is_number(o))
		return false;
	d = json_object_get_double(o);
	if (!isfinite(d) || fabs(d) > GRAPH_MAX_VALUE)
		return false;
	*ret = d;
	return true;
}

/* A string of printable UTF-8 (no control character) of fewer than len bytes. */
static int get_text(const struct perr *e, struct json_object *o, const char *what, char *dst,
		    size_t len, bool truncate)
{
	const char *s;
	size_t n;

	if (!json_object_is_type(o, json_type_string))
		return fail(e, -EINVAL, "%s must be a string, not %s", what, type_word(o));
	s = json_object_get_string(o);
	n = (size_t)json_object_get_string_len(o);
	if (memchr(s, '\0', n) || !safetext_is_utf8(s, n))
		return fail(e, -EINVAL, "%s is not valid UTF-8 text", what);
	for (size_t i = 0; i < n; i++)
		if ((unsigned char)s[i] < 0x20 || s[i] == 0x7f)
			return fail(e, -EINVAL, "%s contains a control character", what);
	if (n >= len && !truncate)
		return fail(e, -EINVAL, "%s is longer than %zu bytes", what, len - 1);
	if (n >= len) {
		/* cut on a character boundary */
		n = len - 1;
		while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
			n--;
	}
	memcpy(dst, s, n);
	dst[n] = '\0';
	return 0;
}

static int parse_points(const struct perr *e, struct json_object *arr, struct graph_series *s,
			size_t *total)
{
	size_t n = json_object_array_length(arr);

	if (n > GRAPH_MAX_POINTS - *total)
		return fail(e, -E2BIG, "more than %d points in all", GRAPH_MAX_POINTS);
	*total += n;
	if (!n)
		return 0;
	s->p = calloc(n, sizeof(*s->p));
	if (!s->p)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct json_object *pt = json_object_array_get_idx(arr, i);
		struct graph_point *p = &s->p[i];
		double v[3];

		if (!json_object_is_type(pt, json_type_array) || json_object_array_length(pt) != 4)
			return fail(e, -EINVAL, "series '%s': point %zu must be [time, min, avg, max]", s->name, i);
		if (!get_time(json_object_array_get_idx(pt, 0), &p->t))
			return fail(e, -EINVAL, "series '%s': point %zu: time must be whole unix seconds "
				    "between 0 and %lld", s->name, i, (long long)GRAPH_MAX_TIME);
		for (int k = 0; k < 3; k++)
			if (!get_value(json_object_array_get_idx(pt, (size_t)k + 1), &v[k]))
				return fail(e, -EINVAL, "series '%s': point %zu: %s must be a finite number "
					    "within +-1e15", s->name, i, k == 0 ? "min" : k == 1 ? "avg" : "max");
		if (!(v[0] <= v[1] && v[1] <= v[2]))
			return fail(e, -EINVAL, "series '%s': point %zu: min <= avg <= max does not hold",
				    s->name, i);
		p->min = v[0];
		p->avg = v[1];
		p->max = v[2];
		if (i && p->t <= s->p[i - 1].t)
			return fail(e, -EINVAL, "series '%s': point %zu is not later than the one before "
				    "(points must be sorted by time, without duplicates)", s->name, i);
		s->n = i + 1;
	}
	return 0;
}

static int parse_series(const struct perr *e, struct json_object *arr, struct graph_history *h)
{
	size_t n = json_object_array_length(arr), total = 0;
	char what[64];
	int r;

	if (n > GRAPH_MAX_SERIES)
		return fail(e, -E2BIG, "more than %d series", GRAPH_MAX_SERIES);
	h->s = calloc(n ? n : 1, sizeof(*h->s));
	if (!h->s)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(arr, i), *v;
		struct graph_series *s = &h->s[i];

		h->n = i + 1;
		if (!json_object_is_type(o, json_type_object))
			return fail(e, -EINVAL, "series %zu must be an object, not %s", i, type_word(o));
		snprintf(what, sizeof(what), "series %zu: \"name\"", i);
		if (!json_object_object_get_ex(o, "name", &v))
			return fail(e, -EINVAL, "series %zu has no \"name\"", i);
		r = get_text(e, v, what, s->name, sizeof(s->name), false);
		if (r < 0)
			return r;
		if (!s->name[0])
			return fail(e, -EINVAL, "series %zu has an empty name", i);
		for (size_t k = 0; k < i; k++)
			if (!strcmp(h->s[k].name, s->name))
				return fail(e, -EINVAL, "series '%s' appears twice", s->name);
		if (json_object_object_get_ex(o, "unit", &v)) {
			snprintf(what, sizeof(what), "series %zu: \"unit\"", i);
			r = get_text(e, v, what, s->unit, sizeof(s->unit), false);
			if (r < 0)
				return r;
		}
		if (!json_object_object_get_ex(o, "points", &v))
			return fail(e, -EINVAL, "series '%s' has no \"points\"", s->name);
		if (!json_object_is_type(v, json_type_array))
			return fail(e, -EINVAL, "series '%s': \"points\" must be an array, not %s", s->name,
				    type_word(v));
		r = parse_points(e, v, s, &total);
		if (r < 0)
			return r;
	}
	return 0;
}

static int parse_events(const struct perr *e, struct json_object *arr, struct graph_history *h)
{
	size_t n = json_object_array_length(arr);
	char what[64];
	int r;

	if (n > GRAPH_MAX_EVENTS)
		return fail(e, -E2BIG, "more than %d events", GRAPH_MAX_EVENTS);
	h->ev = calloc(n ? n : 1, sizeof(*h->ev));
	if (!h->ev)
		return -ENOMEM;
	for (size_t i = 0; i < n; i++) {
		struct json_object *o = json_object_array_get_idx(arr, i), *v;
		struct graph_event *ev = &h->ev[i];
		char sev[16];

		if (!json_object_is_type(o, json_type_object))
			return fail(e, -EINVAL, "event %zu must be an object, not %s", i, type_word(o));
		if (!json_object_object_get_ex(o, "t", &v) || !get_time(v, &ev->t))
			return fail(e, -EINVAL, "event %zu: \"t\" must be whole unix seconds", i);
		snprintf(what, sizeof(what), "event %zu: \"severity\"", i);
		if (!json_object_object_get_ex(o, "severity", &v))
			return fail(e, -EINVAL, "event %zu has no \"severity\"", i);
		r = get_text(e, v, what, sev, sizeof(sev), true);
		if (r < 0)
			return r;
		if (!strcmp(sev, "critical"))
			ev->sev = GRAPH_SEV_CRITICAL;
		else if (!strcmp(sev, "warning"))
			ev->sev = GRAPH_SEV_WARNING;
		else if (!strcmp(sev, "info"))
			ev->sev = GRAPH_SEV_INFO;
		else
			return fail(e, -EINVAL, "event %zu: unknown severity (critical, warning or info)", i);
		snprintf(what, sizeof(what), "event %zu: \"id\"", i);
		if (!json_object_object_get_ex(o, "id", &v))
			return fail(e, -EINVAL, "event %zu has no \"id\"", i);
		r = get_text(e, v, what, ev->id, sizeof(ev->id), true);
		if (r < 0)
			return r;
		if (json_object_object_get_ex(o, "text", &v)) {
			snprintf(what, sizeof(what), "event %zu: \"text\"", i);
			r = get_text(e, v, what, ev->text, sizeof(ev->text), true);
			if (r < 0)
				return r;
		}
		h->n_ev = i + 1;
	}
	return 0;
}

static int from_json(const struct perr *e, struct json_object *o, struct graph_history *h)
{
	struct json_object *v;
	int64_t version;
	int r;

	if (!json_object_is_type(o, json_type_object))
		return fail(e, -EINVAL, "history must be a JSON object, not %s", type_word(o));
	if (!json_object_object_get_ex(o, "version", &v) || !get_time(v, &version) || version != 1)
		return fail(e, -EINVAL, "history \"version\" must be 1");
	if (!json_object_object_get_ex(o, "since", &v) || !get_time(v, &h->since))
		return fail(e, -EINVAL, "history \"since\" must be whole unix seconds");
	if (!json_object_object_get_ex(o, "until", &v) || !get_time(v, &h->until))
		return fail(e, -EINVAL, "history \"until\" must be whole unix seconds");
	if (h->until < h->since)
		return fail(e, -EINVAL, "history \"until\" is before \"since\"");
	h->step_sec = 1;
	if (json_object_object_get_ex(o, "step_sec", &v) &&
	    (!get_time(v, &h->step_sec) || h->step_sec < 1 || h->step_sec > 31 * 86400))
		return fail(e, -EINVAL, "history \"step_sec\" must be whole seconds from 1 to 2678400");
	if (json_object_object_get_ex(o, "host", &v)) {
		r = get_text(e, v, "history \"host\"", h->host, sizeof(h->host), true);
		if (r < 0)
			return r;
	}
	if (json_object_object_get_ex(o, "netns", &v)) {
		r = get_text(e, v, "history \"netns\"", h->netns, sizeof(h->netns), true);
		if (r < 0)
			return r;
	}
	if (!json_object_object_get_ex(o, "series", &v))
		return fail(e, -EINVAL, "history has no \"series\"");
	if (!json_object_is_type(v, json_type_array))
		return fail(e, -EINVAL, "history \"series\" must be an array, not %s", type_word(v));
	r = parse_series(e, v, h);
	if (r < 0)
		return r;
	if (json_object_object_get_ex(o, "events", &v) && !json_object_is_type(v, json_type_null)) {
		if (!json_object_is_type(v, json_type_array))
			return fail(e, -EINVAL, "history \"events\" must be an array, not %s", type_word(v));
		r = parse_events(e, v, h);
		if (r < 0)
			return r;
	}
	return 0;
}

int graph_history_from_json(const struct json_object *o, struct graph_history *ret, char *err, size_t len)
{
	const struct perr e = { .buf = err, .len = len };
	struct graph_history h = { 0 };
	int r;

	if (len)
		err[0] = '\0';
	r = from_json(&e, (struct json_object *)o, &h);
	if (r < 0) {
		if (r == -ENOMEM)
			(void) fail(&e, r, "out of memory");
		graph_history_done(&h);
		return r;
	}
	*ret = h;
	return 0;
}

/*
 * json-c makes an object per value and an array per point (about 500 bytes
 * for [t, min, avg, max]): count containers and separators, an upper bound
 * of the values (commas in strings count too), before parsing.
 */
static bool too_many_values(const char *buf, size_t n)
{
	const size_t max_containers = GRAPH_MAX_POINTS + GRAPH_MAX_SERIES * 2 + GRAPH_MAX_EVENTS + 64;
	const size_t max_commas = (size_t)GRAPH_MAX_POINTS * 4 + GRAPH_MAX_SERIES * 4 + GRAPH_MAX_EVENTS * 8 + 256;
	size_t containers = 0, commas = 0;

	for (size_t i = 0; i < n; i++) {
		containers += buf[i] == '[' || buf[i] == '{';
		commas += buf[i] == ',';
	}
	return containers > max_containers || commas > max_commas;
}

int graph_history_parse(const char *buf, size_t n, struct graph_history *ret, char *err, size_t len)
{
	const struct perr e = { .buf = err, .len = len };
	struct json_tokener *tok;
	enum json_tokener_error je;
	struct json_object *o;
	size_t end;
	char at[48];
	int r;

	if (len)
		err[0] = '\0';
	if (n > GRAPH_MAX_FILE_BYTES || n > INT32_MAX)
		return fail(&e, -E2BIG, "history is larger than %u MiB", GRAPH_MAX_FILE_BYTES >> 20);
	if (memchr(buf, '\0', n))
		return fail(&e, -EINVAL, "history is not JSON: it contains a NUL byte");
	end = 0;
	while (end < n && strchr(" \t\r\n", buf[end]))
		end++;
	if (end == n)
		return fail(&e, -EINVAL, "history is empty");
	if (too_many_values(buf, n))
		return fail(&e, -E2BIG, "history holds more values than %d points need", GRAPH_MAX_POINTS);
	tok = json_tokener_new_ex(GRAPH_MAX_DEPTH);
	if (!tok)
		return fail(&e, -ENOMEM, "out of memory");
	json_tokener_set_flags(tok, JSON_TOKENER_STRICT | JSON_TOKENER_ALLOW_TRAILING_CHARS |
				    JSON_TOKENER_VALIDATE_UTF8);
	o = json_tokener_parse_ex(tok, buf, (int)n);
	je = json_tokener_get_error(tok);
	end = json_tokener_get_parse_end(tok);
	if (je == json_tokener_continue && !o) {
		o = json_tokener_parse_ex(tok, "\n", 1);
		je = json_tokener_get_error(tok);
		end = n;
	}
	text_line_column(buf, end < n ? end : n, at, sizeof(at));
	json_tokener_free(tok);
	if (je == json_tokener_continue)
		r = fail(&e, -EINVAL, "history is truncated: the JSON ends before the document does");
	else if (je == json_tokener_error_depth)
		r = fail(&e, -EINVAL, "history is not valid JSON: nested deeper than %d levels at %s",
			 GRAPH_MAX_DEPTH, at);
	else if (je != json_tokener_success)
		r = fail(&e, -EINVAL, "history is not valid JSON: %s at %s", json_tokener_error_desc(je), at);
	else
		r = 0;
	if (r == 0) {
		while (end < n && strchr(" \t\r\n", buf[end]))
			end++;
		if (end < n) {
			text_line_column(buf, end, at, sizeof(at));
			r = fail(&e, -EINVAL, "history has data after the JSON document at %s", at);
		}
	}
	if (r == 0)
		r = graph_history_from_json(o, ret, err, len);
	json_object_put(o);
	return r;
}

int graph_history_load_file(const char *path, struct graph_history *ret, char *err, size_t len)
{
	const struct perr e = { .buf = err, .len = len };
	_cleanup_free_ char *buf = NULL;
	_cleanup_close_ int fd = -EBADF;
	size_t n = 0;
	int r;

	if (len)
		err[0] = '\0';
	if (!strcmp(path, "-")) {
		r = read_fd_all(STDIN_FILENO, GRAPH_MAX_FILE_BYTES, &buf, &n);
	} else {
		fd = open(path, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			return fail(&e, -errno, "%s", strerror(errno));
		r = read_fd_all(fd, GRAPH_MAX_FILE_BYTES, &buf, &n);
	}
	if (r == -EFBIG)
		return fail(&e, -E2BIG, "history is larger than %u MiB", GRAPH_MAX_FILE_BYTES >> 20);
	if (r < 0)
		return fail(&e, r, "%s", strerror(-r));
	return graph_history_parse(buf, n, ret, err, len);
}

void graph_history_done(struct graph_history *h)
{
	if (!h)
		return;
	for (size_t i = 0; h->s && i < h->n; i++)
		free(h->s[i].p);
	free(h->s);
	free(h->ev);
	memset(h, 0, sizeof(*h));
}

const struct graph_series *graph_history_find(const struct graph_history *h, const char *name)
{
	for (size_t i = 0; i < h->n; i++)
		if (!strcmp(h->s[i].name, name))
			return &h->s[i];
	return NULL;
}

const char *graph_sev_name(enum graph_sev s)
{
	switch (s) {
	case GRAPH_SEV_CRITICAL:
		return "critical";
	case GRAPH_SEV_WARNING:
		return "warning";
	default:
		return "info";
	}
}
