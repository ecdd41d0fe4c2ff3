/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * history: the recorder's SQLite database read back. The public face of
 * src/history/ (db.c schema and open, recorder.c sampling and writing,
 * downsample.c tiers and retention, query.c reading, timearg.c times).
 * The JSON shape is fixed by the history contract (docs/history.md).
 * Nothing here prints.
 */
#ifndef TWSCOPE_HISTORY_H
#define TWSCOPE_HISTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct json_object;

#define HISTORY_VERSION 1
#define HISTORY_DEFAULT_DB "/var/lib/twscope/history.db"
#define HISTORY_DEFAULT_SPAN_SEC 3600	/* history without --since: the last hour */
/* Per series: a finer tier is skipped beyond this (a JSON point costs ~300 bytes in json-c). */
#define HISTORY_MAX_POINTS 5000

/* Storage tiers, finest first: raw samples, 1-minute and 1-hour buckets. */
enum history_tier {
	HISTORY_TIER_RAW,
	HISTORY_TIER_MIN,
	HISTORY_TIER_HOUR,
	HISTORY_TIER_MAX,
};

#define HISTORY_KEEP_RAW_SEC (48 * 3600)
#define HISTORY_KEEP_MIN_SEC (14 * 86400)
#define HISTORY_KEEP_HOUR_SEC (366 * 86400)

/* history_tier_step() - bucket length of a tier in seconds (raw: 1). */
int64_t history_tier_step(enum history_tier t);

/* history_tier_name() / history_tier_parse() - "raw", "1m", "1h"; parse: 0 or -EINVAL. */
const char *history_tier_name(enum history_tier t);
int history_tier_parse(const char *s, enum history_tier *ret);

/*
 * history_pick_tier() - the finest tier that covers since (its retention
 * keep_sec[] reaches back that far and nothing newer than since was dropped
 * from it: dropped_until[], 0 = nothing dropped) and holds the range in at
 * most HISTORY_MAX_POINTS points per series; else the coarsest.
 */
enum history_tier history_pick_tier(const int64_t keep_sec[HISTORY_TIER_MAX],
				    const int64_t dropped_until[HISTORY_TIER_MAX], int64_t now,
				    int64_t since, int64_t until);

/*
 * history_parse_time() - a time argument as unix seconds: "now", unix
 * seconds ("1764250000"), RFC 3339 ("2026-11-27T16:00:00Z",
 * "2026-11-27 17:00:00+01:00", fractions dropped, or a date alone at UTC
 * midnight) or relative to now ("-1h", "-30m", "-1h30m", "-2d", "-1w", "-45s").
 * Returns 0 or -EINVAL.
 */
int history_parse_time(const char *s, int64_t now, int64_t *ret);

/*
 * history_parse_range() - --since and --until (either NULL for its default:
 * until now, since until - default_span) as a range of unix seconds.
 * Returns 0; -EINVAL with *ret_bad the option ("--since", "--until") whose
 * text is not a time; -ERANGE when since is not before until.
 */
int history_parse_range(const char *since, const char *until, int64_t now, int64_t default_span,
			int64_t *ret_since, int64_t *ret_until, const char **ret_bad);

/* The forms history_parse_time() takes, for usage errors. */
#define HISTORY_TIME_FORMS "unix seconds, RFC 3339, now, or -1h, -30m, -2d"

struct history_query {
	int64_t since;
	int64_t until;
	const char *const *series;	/* names wanted; NULL = all */
	size_t n_series;
	bool force_tier;		/* use tier instead of picking one */
	enum history_tier tier;
};

/*
 * history_query_run() - read the database at db_path (read-only, while a
 * recorder may be writing) for q into the contract's JSON object, plus
 * "tier" and per-series "step_sec". Returns 0, -ENOENT (no such file),
 * -EBADMSG (not a twscope history database), -ENOMEM or -EIO.
 */
int history_query_run(const char *db_path, const struct history_query *q,
		      struct json_object **ret);

/*
 * history_query_json() - every series and event between since and until
 * (unix seconds, inclusive) at the finest tier covering them: the history
 * contract's C API. Returns 0 or -errno as history_query_run().
 */
int history_query_json(const char *db_path, int64_t since, int64_t until, struct json_object **out);

/*
 * history_check() - PRAGMA integrity_check on the database: 0 with *ret_ok
 * and the first problem (or "ok") in msg, or -errno when it cannot be opened.
 */
int history_check(const char *db_path, bool *ret_ok, char *msg, size_t len);

#endif
