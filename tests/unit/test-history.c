// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * history: downsampling on a synthetic database (exact min/avg/max per
 * bucket, skipping empty time, hours from minutes), retention, tier
 * selection by range, the query's JSON, and time arguments.
 */
#include "tw-test.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>
#include <sqlite3.h>

#include "history/db.h"
#include "history/downsample.h"
#include "history/history.h"

#define T0 1795795200LL	/* a whole hour */

static char db_path[64];

static void insert(struct hdb *h, int64_t t, int64_t series, double v)
{
	sqlite3_stmt *st;

	assert_int_equal(hdb_prepare(h, "INSERT INTO raw VALUES (?, ?, ?)", &st), 0);
	sqlite3_bind_int64(st, 1, t);
	sqlite3_bind_int64(st, 2, series);
	sqlite3_bind_double(st, 3, v);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
}

/* The agg row of (tier, t, series): min avg max n. */
static void agg_row(struct hdb *h, int tier, int64_t t, int64_t series, double ret[4])
{
	sqlite3_stmt *st;

	assert_int_equal(hdb_prepare(h, "SELECT min, avg, max, n FROM agg WHERE tier = ? AND t = ?"
				     " AND series = ?", &st), 0);
	sqlite3_bind_int64(st, 1, tier);
	sqlite3_bind_int64(st, 2, t);
	sqlite3_bind_int64(st, 3, series);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	for (int i = 0; i < 4; i++)
		ret[i] = sqlite3_column_double(st, i);
	sqlite3_finalize(st);
}

static void assert_row(const double got[4], double mn, double avg, double mx, double n)
{
	if (got[0] != mn || got[1] != avg || got[2] != mx || got[3] != n)
		fail_msg("got %g %g %g %g, want %g %g %g %g", got[0], got[1], got[2], got[3], mn,
			 avg, mx, n);
}

static int setup(void **state)
{
	(void) state;
	snprintf(db_path, sizeof(db_path), "/tmp/tw-history-%d.db", (int)getpid());
	return 0;
}

static int teardown(void **state)
{
	char p[80];

	(void) state;
	(void) unlink(db_path);
	snprintf(p, sizeof(p), "%s-wal", db_path);
	(void) unlink(p);
	snprintf(p, sizeof(p), "%s-shm", db_path);
	(void) unlink(p);
	return 0;
}

/*
 * 180 s of a 1 s series (value = seconds since T0) and a 10 s series
 * (3 x census number): three 1-minute buckets with exact min/avg/max/n.
 */
static void fill(struct hdb *h, int64_t *ret_tw, int64_t *ret_est)
{
	assert_int_equal(hdb_series_id(h, "time_wait", "sockets", 1, ret_tw), 0);
	assert_int_equal(hdb_series_id(h, "established", "sockets", 10, ret_est), 0);
	assert_int_equal(hdb_exec(h, "BEGIN"), 0);
	for (int64_t t = T0; t < T0 + 180; t++) {
		insert(h, t, *ret_tw, (double)(t - T0));
		if ((t - T0) % 10 == 0)
			insert(h, t, *ret_est, (double)((t - T0) / 10 * 3));
	}
	assert_int_equal(hdb_exec(h, "COMMIT"), 0);
}

static void test_downsample_minutes_and_hours(void **state)
{
	int64_t tw, est, b = -1, keep[HISTORY_TIER_MAX] = { 100, 86400, 366 * 86400 };
	struct hdb *h;
	double row[4];

	(void) state;
	teardown(NULL);
	assert_int_equal(hdb_open(db_path, true, &h), 0);
	fill(h, &tw, &est);

	/* The third minute is not closed until DOWNSAMPLE_LAG_SEC after it ends. */
	assert_int_equal(downsample_step(h, HISTORY_TIER_MIN, T0 + 180, &b), 1);
	assert_int_equal(b, T0);
	assert_int_equal(downsample_step(h, HISTORY_TIER_MIN, T0 + 180, &b), 1);
	assert_int_equal(b, T0 + 60);
	assert_int_equal(downsample_step(h, HISTORY_TIER_MIN, T0 + 180, &b), 0);
	assert_int_equal(downsample_step(h, HISTORY_TIER_MIN, T0 + 182, &b), 1);
	assert_int_equal(b, T0 + 120);
	assert_int_equal(downsample_step(h, HISTORY_TIER_MIN, T0 + 400, &b), 0);
	for (int k = 0; k < 3; k++) {
		agg_row(h, HISTORY_TIER_MIN, T0 + 60 * k, tw, row);
		assert_row(row, 60 * k, 60 * k + 29.5, 60 * k + 59, 60);
		agg_row(h, HISTORY_TIER_MIN, T0 + 60 * k, est, row);
		assert_row(row, 18 * k, 18 * k + 7.5, 18 * k + 15, 6);
	}
	/* The hour is open: nothing yet. */
	assert_int_equal(downsample_step(h, HISTORY_TIER_HOUR, T0 + 400, &b), 0);

	/*
	 * One sample late in the hour and one in the next: the empty minutes
	 * in between are skipped, and the hour weighs minutes by their count.
	 */
	insert(h, T0 + 3590, tw, 1000);
	insert(h, T0 + 3700, tw, 1000);
	assert_int_equal(downsample_step(h, HISTORY_TIER_MIN, T0 + 3800, &b), 1);
	assert_int_equal(b, T0 + 3540);
	assert_int_equal(downsample_step(h, HISTORY_TIER_MIN, T0 + 3800, &b), 1);
	assert_int_equal(b, T0 + 3660);
	agg_row(h, HISTORY_TIER_MIN, T0 + 3660, tw, row);
	assert_row(row, 1000, 1000, 1000, 1);
	assert_int_equal(downsample_step(h, HISTORY_TIER_HOUR, T0 + 3800, &b), 1);
	assert_int_equal(b, T0);
	agg_row(h, HISTORY_TIER_HOUR, T0, tw, row);
	assert_row(row, 0, 17110.0 / 181, 1000, 181);
	agg_row(h, HISTORY_TIER_HOUR, T0, est, row);
	assert_row(row, 0, 25.5, 51, 18);
	assert_int_equal(downsample_step(h, HISTORY_TIER_HOUR, T0 + 3800, &b), 0);

	/* Raw kept 100 s: everything before T0+3700 goes, 600 s of time per step. */
	assert_int_equal(downsample_expire(h, keep, T0 + 3800), 180 + 18);
	assert_int_equal(downsample_expire(h, keep, T0 + 3800), 1);	/* T0+3590 */
	assert_int_equal(downsample_expire(h, keep, T0 + 3800), 0);	/* T0+3700 is recent */
	hdb_close(h);
}

static struct json_object *series_points(struct json_object *o, const char *name)
{
	struct json_object *arr = json_object_object_get(o, "series");

	for (size_t i = 0; i < json_object_array_length(arr); i++) {
		struct json_object *s = json_object_array_get_idx(arr, i);

		if (strcmp(json_object_get_string(json_object_object_get(s, "name")), name) == 0)
			return json_object_object_get(s, "points");
	}
	return NULL;
}

static void test_query_json(void **state)
{
	struct history_query q = { .since = T0 + 50, .until = T0 + 125, .force_tier = true,
				   .tier = HISTORY_TIER_MIN };
	const char *only[] = { "established" };
	struct json_object *o, *pts, *p;
	int64_t tw, est, b;
	struct hdb *h;

	(void) state;
	teardown(NULL);
	assert_int_equal(hdb_open(db_path, true, &h), 0);
	fill(h, &tw, &est);
	while (downsample_step(h, HISTORY_TIER_MIN, T0 + 400, &b) == 1)
		;
	hdb_close(h);

	/* Buckets overlapping the range: those of T0, T0+60 and T0+120. */
	assert_int_equal(history_query_run(db_path, &q, &o), 0);
	assert_int_equal(json_object_get_int(json_object_object_get(o, "step_sec")), 60);
	pts = series_points(o, "time_wait");
	assert_non_null(pts);
	assert_int_equal(json_object_array_length(pts), 3);
	p = json_object_array_get_idx(pts, 1);
	assert_int_equal(json_object_get_int64(json_object_array_get_idx(p, 0)), T0 + 60);
	assert_int_equal(json_object_get_int(json_object_array_get_idx(p, 1)), 60);
	assert_true(json_object_get_double(json_object_array_get_idx(p, 2)) == 89.5);
	assert_int_equal(json_object_get_int(json_object_array_get_idx(p, 3)), 119);
	json_object_put(o);

	/* Raw, one series: exact samples, min == avg == max. */
	q.force_tier = true;
	q.tier = HISTORY_TIER_RAW;
	q.series = only;
	q.n_series = 1;
	assert_int_equal(history_query_run(db_path, &q, &o), 0);
	assert_null(series_points(o, "time_wait"));
	pts = series_points(o, "established");
	assert_int_equal(json_object_array_length(pts), 8);	/* T0+50 ... T0+120 */
	p = json_object_array_get_idx(pts, 0);
	assert_int_equal(json_object_get_int64(json_object_array_get_idx(p, 0)), T0 + 50);
	for (int i = 1; i <= 3; i++)
		assert_int_equal(json_object_get_int(json_object_array_get_idx(p, i)), 15);
	json_object_put(o);

	assert_int_equal(history_query_json("/nonexistent/tw.db", 0, 1, &o), -ENOENT);
}

/* Minutes not aggregated yet come from raw rows, bucketed the same way. */
static void test_query_tail(void **state)
{
	struct history_query q = { .since = T0, .until = T0 + 179, .force_tier = true,
				   .tier = HISTORY_TIER_MIN };
	struct json_object *o, *pts;
	int64_t tw, est, b;
	struct hdb *h;

	(void) state;
	teardown(NULL);
	assert_int_equal(hdb_open(db_path, true, &h), 0);
	fill(h, &tw, &est);
	assert_int_equal(downsample_step(h, HISTORY_TIER_MIN, T0 + 100, &b), 1);
	hdb_close(h);
	assert_int_equal(history_query_run(db_path, &q, &o), 0);
	pts = series_points(o, "time_wait");
	assert_non_null(pts);
	assert_int_equal(json_object_array_length(pts), 3);
	for (int k = 0; k < 3; k++) {
		struct json_object *p = json_object_array_get_idx(pts, k);

		assert_int_equal(json_object_get_int64(json_object_array_get_idx(p, 0)), T0 + 60 * k);
		assert_int_equal(json_object_get_int(json_object_array_get_idx(p, 1)), 60 * k);
		assert_true(json_object_get_double(json_object_array_get_idx(p, 2)) == 60 * k + 29.5);
		assert_int_equal(json_object_get_int(json_object_array_get_idx(p, 3)), 60 * k + 59);
	}
	json_object_put(o);
}

/* The size cap drops the oldest raw rows first and remembers how far. */
static void test_trim(void **state)
{
	enum history_tier tier = HISTORY_TIER_MAX;
	int64_t tw, est, until = 0, v;
	uint64_t used, file;
	struct hdb *h;

	(void) state;
	teardown(NULL);
	assert_int_equal(hdb_open(db_path, true, &h), 0);
	fill(h, &tw, &est);
	assert_int_equal(downsample_size(h, &used, &file), 0);
	assert_true(used > 0 && used <= file);
	assert_int_equal(downsample_trim(h, 60, &tier, &until), 1);
	assert_int_equal(tier, HISTORY_TIER_RAW);
	assert_int_equal(until, T0 + 60);
	assert_int_equal(hdb_meta_get_i64(h, "dropped_until_0", &v), 0);
	assert_int_equal(v, T0 + 60);
	assert_int_equal(hdb_exec(h, "DELETE FROM raw WHERE t >= 0"), 0);
	/* Raw is empty: the next tier would go, and with nothing left, nothing. */
	assert_int_equal(downsample_trim(h, 60, &tier, &until), 0);
	assert_int_equal(downsample_vacuum(h, 100), 0);
	hdb_close(h);
}

static void test_pick_tier(void **state)
{
	const int64_t keep[HISTORY_TIER_MAX] = { HISTORY_KEEP_RAW_SEC, HISTORY_KEEP_MIN_SEC,
						 HISTORY_KEEP_HOUR_SEC };
	int64_t dropped[HISTORY_TIER_MAX] = { 0 };
	const int64_t now = T0;

	(void) state;
	assert_int_equal(history_pick_tier(keep, dropped, now, now - 3600, now), HISTORY_TIER_RAW);
	assert_int_equal(history_pick_tier(keep, dropped, now, now - 5000, now), HISTORY_TIER_RAW);
	/* 5001 s in raw would be 5001 points per series. */
	assert_int_equal(history_pick_tier(keep, dropped, now, now - 5001, now), HISTORY_TIER_MIN);
	assert_int_equal(history_pick_tier(keep, dropped, now, now - 3 * 86400, now), HISTORY_TIER_MIN);
	/* 4 days in minutes would be 5760 points: hours, though minutes reach back. */
	assert_int_equal(history_pick_tier(keep, dropped, now, now - 4 * 86400, now), HISTORY_TIER_HOUR);
	assert_int_equal(history_pick_tier(keep, dropped, now, now - 30 * 86400, now), HISTORY_TIER_HOUR);
	assert_int_equal(history_pick_tier(keep, dropped, now, now - 900 * 86400, now), HISTORY_TIER_HOUR);
	/* A short range long ago still needs the tier that reaches back to it. */
	assert_int_equal(history_pick_tier(keep, dropped, now, now - 5 * 86400, now - 5 * 86400 + 60),
			 HISTORY_TIER_MIN);
	/* The size cap dropped raw rows up to 30 min ago: the last hour needs minutes. */
	dropped[HISTORY_TIER_RAW] = now - 1800;
	assert_int_equal(history_pick_tier(keep, dropped, now, now - 3600, now), HISTORY_TIER_MIN);
	assert_int_equal(history_pick_tier(keep, dropped, now, now - 600, now), HISTORY_TIER_RAW);
}

static void test_parse_time(void **state)
{
	const int64_t now = 1764250000;
	int64_t t;

	(void) state;
	assert_int_equal(history_parse_time("now", now, &t), 0);
	assert_int_equal(t, now);
	assert_int_equal(history_parse_time("1764250300", now, &t), 0);
	assert_int_equal(t, 1764250300);
	assert_int_equal(history_parse_time("-1h", now, &t), 0);
	assert_int_equal(t, now - 3600);
	assert_int_equal(history_parse_time("-30m", now, &t), 0);
	assert_int_equal(t, now - 1800);
	assert_int_equal(history_parse_time("-1h30m", now, &t), 0);
	assert_int_equal(t, now - 5400);
	assert_int_equal(history_parse_time("-2d", now, &t), 0);
	assert_int_equal(t, now - 172800);
	assert_int_equal(history_parse_time("-1w", now, &t), 0);
	assert_int_equal(t, now - 604800);
	assert_int_equal(history_parse_time("-45s", now, &t), 0);
	assert_int_equal(t, now - 45);
	assert_int_equal(history_parse_time("2025-11-27T13:26:40Z", now, &t), 0);
	assert_int_equal(t, 1764250000);
	assert_int_equal(history_parse_time("2025-11-27t13:26:40.999z", now, &t), 0);
	assert_int_equal(t, 1764250000);
	assert_int_equal(history_parse_time("2025-11-27 14:26:40+01:00", now, &t), 0);
	assert_int_equal(t, 1764250000);
	assert_int_equal(history_parse_time("2025-11-27T08:56:40-04:30", now, &t), 0);
	assert_int_equal(t, 1764250000);
	assert_int_equal(history_parse_time("2025-11-27", now, &t), 0);
	assert_int_equal(t, 1764201600);

	static const char *const bad[] = {
		"", "-", "-1", "-h", "-1x", "-1h-", "1h", "yesterday", "2025-11-27T13:26:40",
		"2025-02-30T00:00:00Z", "2025-13-01", "2025-11-27T24:00:00Z", "2025-1-27",
		"2025-11-27T13:26:40+0100", "2025-11-27T13:26:40Zjunk", "-99999999999999w",
		"1234567890123", "12a",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		if (history_parse_time(bad[i], now, &t) != -EINVAL)
			fail_msg("'%s' was accepted", bad[i]);
}

/* --since/--until: defaults, which option was bad, and an empty range refused. */
static void test_parse_range(void **state)
{
	const int64_t now = 1764250000;
	const char *bad;
	int64_t s, u;

	(void) state;
	assert_int_equal(history_parse_range(NULL, NULL, now, 3600, &s, &u, &bad), 0);
	assert_int_equal(s, now - 3600);
	assert_int_equal(u, now);
	assert_int_equal(history_parse_range("-2h", "-1h", now, 3600, &s, &u, &bad), 0);
	assert_int_equal(s, now - 7200);
	assert_int_equal(u, now - 3600);
	/* the default span counts back from --until */
	assert_int_equal(history_parse_range(NULL, "1764200000", now, 600, &s, &u, &bad), 0);
	assert_int_equal(s, 1764200000 - 600);
	assert_int_equal(history_parse_range("yesterday", NULL, now, 3600, &s, &u, &bad), -EINVAL);
	assert_string_equal(bad, "--since");
	assert_int_equal(history_parse_range(NULL, "-1x", now, 3600, &s, &u, &bad), -EINVAL);
	assert_string_equal(bad, "--until");
	assert_int_equal(history_parse_range("-1h", "-2h", now, 3600, &s, &u, &bad), -ERANGE);
	assert_int_equal(history_parse_range("now", "now", now, 3600, &s, &u, &bad), -ERANGE);
}

static void test_not_ours(void **state)
{
	struct hdb *h = NULL;
	FILE *f;

	(void) state;
	teardown(NULL);
	f = fopen(db_path, "we");
	assert_non_null(f);
	fputs("not a database at all, but long enough to look like a header..........\n", f);
	fclose(f);
	assert_int_equal(hdb_open(db_path, true, &h), -EBADMSG);
	assert_int_equal(hdb_open(db_path, false, &h), -EBADMSG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_downsample_minutes_and_hours, setup, teardown),
		cmocka_unit_test_setup_teardown(test_query_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_query_tail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_trim, setup, teardown),
		cmocka_unit_test(test_pick_tier),
		cmocka_unit_test(test_parse_time),
		cmocka_unit_test(test_parse_range),
		cmocka_unit_test_setup_teardown(test_not_ours, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
