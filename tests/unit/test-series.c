// SPDX-License-Identifier: GPL-2.0-or-later
/* series: the ring behind serve's /api/series and its history-shaped JSON. */
#include "tw-test.h"

#include <errno.h>
#include <math.h>
#include <string.h>

#include <json-c/json.h>

#include "serve/series.h"

static struct series_sample sample(int64_t t, double tw, const char *dest, double pct)
{
	struct series_sample s = { .t = t, .time_wait = tw, .established = 2, .close_wait = NAN,
				   .tw_rate = NAN };

	if (dest) {
		snprintf(s.dests[0].key, sizeof(s.dests[0].key), "%s", dest);
		s.dests[0].use_pct = pct;
		s.n_dests = 1;
	}
	return s;
}

static struct json_object *find_series(struct json_object *doc, const char *name)
{
	struct json_object *arr, *o, *n;

	assert_true(json_object_object_get_ex(doc, "series", &arr));
	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		o = json_object_array_get_idx(arr, i);
		assert_true(json_object_object_get_ex(o, "name", &n));
		if (strcmp(json_object_get_string(n), name) == 0)
			return o;
	}
	return NULL;
}

static size_t n_points(struct json_object *series)
{
	struct json_object *p;

	assert_true(json_object_object_get_ex(series, "points", &p));
	return json_object_array_length(p);
}

/* [t, v, v, v] of point i */
static void assert_point(struct json_object *series, size_t i, int64_t t, double v)
{
	struct json_object *pts, *p;

	assert_true(json_object_object_get_ex(series, "points", &pts));
	p = json_object_array_get_idx(pts, i);
	assert_int_equal(json_object_array_length(p), 4);
	assert_int_equal(json_object_get_int64(json_object_array_get_idx(p, 0)), t);
	for (size_t k = 1; k < 4; k++)
		assert_true(fabs(json_object_get_double(json_object_array_get_idx(p, k)) - v) < 1e-9);
}

static void test_bounds(void **state)
{
	struct series_ring r;

	(void) state;
	assert_int_equal(series_init(&r, 0), -EINVAL);
	assert_int_equal(series_init(&r, SERIES_MAX_SAMPLES + 1), -EINVAL);
	assert_int_equal(series_init(&r, 3), 0);
	series_done(&r);
	series_done(&r);	/* twice is fine */
}

/* The ring keeps the newest cap samples, in time order, one per second. */
static void test_wrap_and_order(void **state)
{
	struct series_ring r;
	struct series_sample s;
	struct json_object *doc, *tw;

	(void) state;
	assert_int_equal(series_init(&r, 3), 0);
	for (int64_t t = 100; t < 105; t++) {
		s = sample(t, (double)t, NULL, 0);
		series_add(&r, &s);
	}
	s = sample(104, 7, NULL, 0);	/* same second: replaces */
	series_add(&r, &s);
	s = sample(50, 1, NULL, 0);	/* older: ignored */
	series_add(&r, &s);
	assert_int_equal(r.n, 3);
	doc = series_json(&r, 0, 999, 1, "h", "host");
	assert_non_null(doc);
	tw = find_series(doc, "time_wait");
	assert_non_null(tw);
	assert_int_equal(n_points(tw), 3);
	assert_point(tw, 0, 102, 102);
	assert_point(tw, 1, 103, 103);
	assert_point(tw, 2, 104, 7);
	/* NAN figures make no series at all */
	assert_null(find_series(doc, "close_wait"));
	assert_null(find_series(doc, "tw_rate"));
	assert_non_null(find_series(doc, "established"));
	json_object_put(doc);

	/* since: only later points; since/until follow the points */
	doc = series_json(&r, 103, 999, 1, "h", "host");
	assert_int_equal(n_points(find_series(doc, "time_wait")), 2);
	assert_int_equal(json_object_get_int64(json_object_object_get(doc, "since")), 103);
	assert_int_equal(json_object_get_int64(json_object_object_get(doc, "until")), 104);
	json_object_put(doc);
	/* nothing after since: both are now, no series */
	doc = series_json(&r, 500, 999, 1, "h", "host");
	assert_int_equal(json_object_get_int64(json_object_object_get(doc, "since")), 999);
	assert_int_equal(json_object_get_int64(json_object_object_get(doc, "until")), 999);
	assert_int_equal(json_object_array_length(json_object_object_get(doc, "series")), 0);
	assert_int_equal(json_object_get_int(json_object_object_get(doc, "version")), 1);
	assert_int_equal(json_object_array_length(json_object_object_get(doc, "events")), 0);
	json_object_put(doc);
	series_done(&r);
}

/* Destinations: one series each, the newest sample's first, only where present. */
static void test_dests(void **state)
{
	struct series_ring r;
	struct series_sample s;
	struct json_object *doc, *arr, *a, *b;

	(void) state;
	assert_int_equal(series_init(&r, 10), 0);
	s = sample(1, 0, "10.0.0.1:80", 10);
	series_add(&r, &s);
	s = sample(2, 0, "[::1]:443", 20);
	series_add(&r, &s);
	s = sample(3, 0, "10.0.0.1:80", 30);
	series_add(&r, &s);
	doc = series_json(&r, 0, 3, 1, "h\xff", "ns");
	arr = json_object_object_get(doc, "series");
	/* time_wait, established, then the destinations, the newest's first */
	assert_string_equal(json_object_get_string(json_object_object_get(
		json_object_array_get_idx(arr, 2), "name")), "dest_use_pct:10.0.0.1:80");
	a = find_series(doc, "dest_use_pct:10.0.0.1:80");
	b = find_series(doc, "dest_use_pct:[::1]:443");
	assert_non_null(a);
	assert_non_null(b);
	assert_string_equal(json_object_get_string(json_object_object_get(a, "unit")), "percent");
	assert_int_equal(n_points(a), 2);
	assert_point(a, 0, 1, 10);
	assert_point(a, 1, 3, 30);
	assert_int_equal(n_points(b), 1);
	assert_point(b, 0, 2, 20);
	/* a host name that is not UTF-8 still makes valid JSON */
	a = json_tokener_parse(json_object_to_json_string(doc));
	assert_non_null(a);
	json_object_put(a);
	json_object_put(doc);
	series_done(&r);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bounds),
		cmocka_unit_test(test_wrap_and_order),
		cmocka_unit_test(test_dests),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
