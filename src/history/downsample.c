// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Downsampling, retention and the size cap of the history database. The
 * progress of each tier is kept in meta (ds_next_<tier>: the start of the
 * next bucket to build), so a restarted recorder continues where it
 * stopped. Each step is one small transaction. Nothing here prints.
 */
#include "history/downsample.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include <sqlite3.h>

#include "history/db.h"

static const int64_t tier_steps[HISTORY_TIER_MAX] = { 1, 60, 3600 };
static const char *const tier_names[HISTORY_TIER_MAX] = { "raw", "1m", "1h" };

int64_t history_tier_step(enum history_tier t)
{
	return t < HISTORY_TIER_MAX ? tier_steps[t] : 1;
}

const char *history_tier_name(enum history_tier t)
{
	return t < HISTORY_TIER_MAX ? tier_names[t] : "?";
}

int history_tier_parse(const char *s, enum history_tier *ret)
{
	for (int i = 0; i < HISTORY_TIER_MAX; i++)
		if (strcmp(s, tier_names[i]) == 0) {
			*ret = i;
			return 0;
		}
	return -EINVAL;
}

static int64_t floor_to(int64_t t, int64_t step)
{
	return t >= 0 ? t - t % step : t - ((t % step) + step) % step;
}

/* Oldest (or, with min_t, oldest at or after min_t) time of a tier; -ENOENT when none. */
static int oldest(struct hdb *h, enum history_tier tier, int64_t min_t, int64_t *ret)
{
	sqlite3_stmt *st;
	int r, rc;

	if (tier == HISTORY_TIER_RAW)
		r = hdb_prepare(h, "SELECT min(t) FROM raw WHERE t >= ?1", &st);
	else
		r = hdb_prepare(h, "SELECT min(t) FROM agg WHERE tier = ?2 AND t >= ?1", &st);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, min_t);
	if (tier != HISTORY_TIER_RAW)
		sqlite3_bind_int64(st, 2, tier);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW && sqlite3_column_type(st, 0) != SQLITE_NULL) {
		*ret = sqlite3_column_int64(st, 0);
		r = 0;
	} else {
		r = rc == SQLITE_ROW ? -ENOENT : hdb_errno(rc);
	}
	sqlite3_finalize(st);
	return r;
}

static void next_key(char *buf, size_t len, enum history_tier t)
{
	snprintf(buf, len, "ds_next_%d", (int)t);
}

/* Until when the tier below to holds complete data. */
static int source_done(struct hdb *h, enum history_tier to, int64_t now, int64_t *ret)
{
	char key[32];

	if (to == HISTORY_TIER_MIN) {
		*ret = now - DOWNSAMPLE_LAG_SEC;
		return 0;
	}
	next_key(key, sizeof(key), to - 1);
	return hdb_meta_get_i64(h, key, ret);
}

static int write_bucket(struct hdb *h, enum history_tier to, int64_t b, const char *key)
{
	static const char from_raw[] =
		"INSERT OR REPLACE INTO agg SELECT ?1, ?2, series, min(v), avg(v), max(v), count(*)"
		" FROM raw WHERE t >= ?2 AND t < ?3 GROUP BY series";
	static const char from_agg[] =
		"INSERT OR REPLACE INTO agg SELECT ?1, ?2, series, min(min),"
		" sum(avg * n) / sum(n), max(max), sum(n)"
		" FROM agg WHERE tier = ?4 AND t >= ?2 AND t < ?3 GROUP BY series";
	sqlite3_stmt *st;
	int r;

	r = hdb_exec(h, "BEGIN IMMEDIATE");
	if (r < 0)
		return r;
	r = hdb_prepare(h, to == HISTORY_TIER_MIN ? from_raw : from_agg, &st);
	if (r < 0)
		goto fail;
	sqlite3_bind_int64(st, 1, to);
	sqlite3_bind_int64(st, 2, b);
	sqlite3_bind_int64(st, 3, b + tier_steps[to]);
	if (to != HISTORY_TIER_MIN)
		sqlite3_bind_int64(st, 4, to - 1);
	r = hdb_errno(sqlite3_step(st));
	sqlite3_finalize(st);
	if (r < 0)
		goto fail;
	r = hdb_meta_set_i64(h, key, b + tier_steps[to]);
	if (r < 0)
		goto fail;
	r = hdb_exec(h, "COMMIT");
	if (r < 0)
		goto fail;
	return 0;
fail:
	(void) hdb_exec(h, "ROLLBACK");
	return r;
}

int downsample_step(struct hdb *h, enum history_tier to, int64_t now, int64_t *ret_bucket)
{
	int64_t step = tier_steps[to], next, first, done;
	char key[32];
	int r;

	if (to == HISTORY_TIER_RAW || to >= HISTORY_TIER_MAX)
		return -EINVAL;
	r = source_done(h, to, now, &done);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	next_key(key, sizeof(key), to);
	r = hdb_meta_get_i64(h, key, &next);
	if (r == -ENOENT)
		next = INT64_MIN;
	else if (r < 0)
		return r;
	/* Skip time without samples (the recorder was stopped). */
	r = oldest(h, to - 1, next == INT64_MIN ? 0 : next, &first);
	if (r == -ENOENT)
		return 0;
	if (r < 0)
		return r;
	if (next == INT64_MIN || first >= next + step)
		next = floor_to(first, step);
	if (next + step > done)
		return 0;
	r = write_bucket(h, to, next, key);
	if (r < 0)
		return r;
	*ret_bucket = next;
	return 1;
}

static int delete_before(struct hdb *h, enum history_tier tier, int64_t before)
{
	sqlite3_stmt *st;
	int r;

	if (tier == HISTORY_TIER_RAW)
		r = hdb_prepare(h, "DELETE FROM raw WHERE t < ?1", &st);
	else
		r = hdb_prepare(h, "DELETE FROM agg WHERE tier = ?2 AND t < ?1", &st);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, before);
	if (tier != HISTORY_TIER_RAW)
		sqlite3_bind_int64(st, 2, tier);
	r = hdb_errno(sqlite3_step(st));
	if (r == 0)
		r = sqlite3_changes(sqlite3_db_handle(st));
	sqlite3_finalize(st);
	return r;
}

int downsample_expire(struct hdb *h, const int64_t keep_sec[HISTORY_TIER_MAX], int64_t now)
{
	int total = 0;
	sqlite3_stmt *st;
	int r;

	for (int tier = 0; tier < HISTORY_TIER_MAX; tier++) {
		int64_t cutoff = now - keep_sec[tier], first, next;
		char key[32];

		/* Rows the next tier has not taken yet stay. */
		if (tier + 1 < HISTORY_TIER_MAX) {
			next_key(key, sizeof(key), tier + 1);
			r = hdb_meta_get_i64(h, key, &next);
			if (r == -ENOENT)
				continue;
			if (r < 0)
				return r;
			if (next < cutoff)
				cutoff = next;
		}
		r = oldest(h, tier, 0, &first);
		if (r == -ENOENT)
			continue;
		if (r < 0)
			return r;
		if (first >= cutoff)
			continue;
		if (cutoff > first + DOWNSAMPLE_EXPIRE_SPAN_SEC * tier_steps[tier])
			cutoff = first + DOWNSAMPLE_EXPIRE_SPAN_SEC * tier_steps[tier];
		r = delete_before(h, tier, cutoff);
		if (r < 0)
			return r;
		total += r;
	}
	r = hdb_prepare(h, "DELETE FROM events WHERE t < ?", &st);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, now - keep_sec[HISTORY_TIER_MAX - 1]);
	r = hdb_errno(sqlite3_step(st));
	sqlite3_finalize(st);
	return r < 0 ? r : total;
}

static int pragma_i64(struct hdb *h, const char *sql, int64_t *ret)
{
	sqlite3_stmt *st;
	int r, rc;

	r = hdb_prepare(h, sql, &st);
	if (r < 0)
		return r;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*ret = sqlite3_column_int64(st, 0);
	r = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -EIO : hdb_errno(rc);
	sqlite3_finalize(st);
	return r;
}

int downsample_size(struct hdb *h, uint64_t *ret_used, uint64_t *ret_file)
{
	int64_t pages, free_pages, page_size;
	int r;

	r = pragma_i64(h, "PRAGMA page_count", &pages);
	if (r == 0)
		r = pragma_i64(h, "PRAGMA freelist_count", &free_pages);
	if (r == 0)
		r = pragma_i64(h, "PRAGMA page_size", &page_size);
	if (r < 0)
		return r;
	*ret_used = (uint64_t)(pages - free_pages) * (uint64_t)page_size;
	*ret_file = (uint64_t)pages * (uint64_t)page_size;
	return 0;
}

int downsample_vacuum(struct hdb *h, int pages)
{
	char sql[64];

	/*
	 * In WAL mode the file only shrinks when a checkpoint copies the
	 * vacuum back, and the automatic one waits for 1000 pages of WAL:
	 * minutes of samples. Checkpoint now (PASSIVE: never waits for readers).
	 */
	snprintf(sql, sizeof(sql), "PRAGMA incremental_vacuum(%d); PRAGMA wal_checkpoint(PASSIVE)",
		 pages);
	return hdb_exec(h, sql);
}

int downsample_trim(struct hdb *h, int64_t span_sec, enum history_tier *ret_tier,
		    int64_t *ret_until)
{
	for (int tier = 0; tier < HISTORY_TIER_MAX; tier++) {
		int64_t first, until;
		char key[32];
		int r;

		r = oldest(h, tier, 0, &first);
		if (r == -ENOENT)
			continue;
		if (r < 0)
			return r;
		until = first + span_sec * tier_steps[tier];
		r = delete_before(h, tier, until);
		if (r < 0)
			return r;
		snprintf(key, sizeof(key), "dropped_until_%d", tier);
		r = hdb_meta_set_i64(h, key, until);
		if (r < 0)
			return r;
		*ret_tier = tier;
		*ret_until = until;
		return 1;
	}
	return 0;
}
