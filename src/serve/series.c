// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The ring behind serve's /api/series: fixed memory, newest sample last,
 * rendered in the history contract's JSON shape (every point a raw sample,
 * so min = avg = max). Nothing here locks, collects or prints.
 */
#include "serve/series.h"

#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "output.h"

int series_init(struct series_ring *r, size_t cap)
{
	memset(r, 0, sizeof(*r));
	if (cap < 1 || cap > SERIES_MAX_SAMPLES)
		return -EINVAL;
	r->s = calloc(cap, sizeof(*r->s));
	if (!r->s)
		return -ENOMEM;
	r->cap = cap;
	return 0;
}

void series_done(struct series_ring *r)
{
	free(r->s);
	memset(r, 0, sizeof(*r));
}

static struct series_sample *sample_at(const struct series_ring *r, size_t i)
{
	return &r->s[(r->head + i) % r->cap];
}

void series_add(struct series_ring *r, const struct series_sample *s)
{
	struct series_sample *last = r->n ? sample_at(r, r->n - 1) : NULL;

	if (!r->cap)
		return;
	if (last && s->t < last->t)
		return;
	if (last && s->t == last->t) {
		*last = *s;
		return;
	}
	if (r->n == r->cap) {
		r->head = (r->head + 1) % r->cap;
		r->n--;
	}
	*sample_at(r, r->n) = *s;
	r->n++;
}

/* [t, v, v, v]: one raw sample. */
static struct json_object *point_json(int64_t t, double v)
{
	struct json_object *p = json_object_new_array_ext(4);

	if (!p)
		return NULL;
	json_object_array_add(p, json_object_new_int64(t));
	for (int i = 0; i < 3; i++)
		json_object_array_add(p, out_json_double(v, 3));
	return p;
}

static struct json_object *series_new(struct json_object *arr, const char *name, const char *unit)
{
	struct json_object *o = json_object_new_object();
	struct json_object *pts = json_object_new_array();

	if (!o || !pts) {
		json_object_put(o);
		json_object_put(pts);
		return NULL;
	}
	json_object_object_add(o, "name", json_object_new_string(name));
	json_object_object_add(o, "unit", json_object_new_string(unit));
	json_object_object_add(o, "points", pts);
	json_object_array_add(arr, o);
	return pts;
}

/* Index of the first sample with t >= since. */
static size_t first_since(const struct series_ring *r, int64_t since)
{
	size_t i = 0;

	while (i < r->n && sample_at(r, i)->t < since)
		i++;
	return i;
}

static double scalar(const struct series_sample *s, size_t which)
{
	const double v[] = { s->time_wait, s->established, s->close_wait, s->tw_rate };

	return v[which];
}

/* The scalar series: only those with at least one point. */
static void add_scalars(struct json_object *arr, const struct series_ring *r, size_t from)
{
	static const char *const names[] = { "time_wait", "established", "close_wait", "tw_rate" };
	static const char *const units[] = { "sockets", "sockets", "sockets", "per_second" };

	for (size_t k = 0; k < 4; k++) {
		struct json_object *pts = NULL;

		for (size_t i = from; i < r->n; i++) {
			const struct series_sample *s = sample_at(r, i);
			double v = scalar(s, k);

			if (isnan(v))
				continue;
			if (!pts)
				pts = series_new(arr, names[k], units[k]);
			if (pts)
				json_object_array_add(pts, point_json(s->t, v));
		}
	}
}

/*
 * Destination names: those of the newest sample first (the busiest now),
 * then older ones, at most SERIES_MAX_DEST_NAMES.
 */
static size_t dest_names(const struct series_ring *r, size_t from,
			 const char *names[SERIES_MAX_DEST_NAMES])
{
	size_t n = 0;

	for (size_t i = r->n; i-- > from && n < SERIES_MAX_DEST_NAMES;) {
		const struct series_sample *s = sample_at(r, i);

		for (size_t d = 0; d < s->n_dests && n < SERIES_MAX_DEST_NAMES; d++) {
			bool seen = false;

			for (size_t k = 0; k < n && !seen; k++)
				seen = strcmp(names[k], s->dests[d].key) == 0;
			if (!seen)
				names[n++] = s->dests[d].key;
		}
	}
	return n;
}

static void add_dests(struct json_object *arr, const struct series_ring *r, size_t from)
{
	const char *names[SERIES_MAX_DEST_NAMES];
	char name[sizeof("dest_use_pct:") + TW_ENDPOINT_STRLEN];
	size_t n = dest_names(r, from, names);

	for (size_t k = 0; k < n; k++) {
		struct json_object *pts;

		snprintf(name, sizeof(name), "dest_use_pct:%s", names[k]);
		pts = series_new(arr, name, "percent");
		if (!pts)
			continue;
		for (size_t i = from; i < r->n; i++) {
			const struct series_sample *s = sample_at(r, i);

			for (size_t d = 0; d < s->n_dests; d++)
				if (strcmp(s->dests[d].key, names[k]) == 0) {
					json_object_array_add(pts, point_json(s->t, s->dests[d].use_pct));
					break;
				}
		}
	}
}

struct json_object *series_json(const struct series_ring *r, int64_t since, int64_t now,
				unsigned int step_sec, const char *host, const char *netns)
{
	struct json_object *o = json_object_new_object();
	struct json_object *arr = json_object_new_array();
	struct json_object *ev = json_object_new_array();
	size_t from = first_since(r, since);

	if (!o || !arr || !ev) {
		json_object_put(o);
		json_object_put(arr);
		json_object_put(ev);
		return NULL;
	}
	json_object_object_add(o, "version", json_object_new_int(1));
	json_object_object_add(o, "since", json_object_new_int64(from < r->n ? sample_at(r, from)->t : now));
	json_object_object_add(o, "until", json_object_new_int64(from < r->n ? sample_at(r, r->n - 1)->t : now));
	json_object_object_add(o, "step_sec", json_object_new_int64(step_sec));
	json_object_object_add(o, "host", out_json_string(host, strlen(host)));
	json_object_object_add(o, "netns", out_json_string(netns, strlen(netns)));
	add_scalars(arr, r, from);
	add_dests(arr, r, from);
	json_object_object_add(o, "series", arr);
	json_object_object_add(o, "events", ev);
	return o;
}
