// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Reading the history back: pick the tier, scan the time range once (rows
 * come in time order and are dealt out to their series) and build the
 * JSON of the history contract. Read-only; one snapshot; nothing printed.
 */
#include "history/history.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>
#include <sqlite3.h>

#include "history/db.h"

struct qseries {
	int64_t id;
	char *name;
	char *unit;
	int64_t step;
	struct json_object *points;	/* NULL until the first point */
};

struct qstate {
	struct qseries *s;
	size_t n;
	int64_t *by_id;		/* id -> index + 1, 0 = not wanted */
	int64_t max_id;
};

enum history_tier history_pick_tier(const int64_t keep_sec[HISTORY_TIER_MAX],
				    const int64_t dropped_until[HISTORY_TIER_MAX], int64_t now,
				    int64_t since, int64_t until)
{
	for (int t = 0; t < HISTORY_TIER_MAX; t++) {
		if (since < now - keep_sec[t] || dropped_until[t] > since)
			continue;
		if (until > since && (until - since) / history_tier_step(t) > HISTORY_MAX_POINTS)
			continue;
		return t;
	}
	return HISTORY_TIER_MAX - 1;
}

static void qstate_done(struct qstate *qs)
{
	for (size_t i = 0; i < qs->n; i++) {
		free(qs->s[i].name);
		free(qs->s[i].unit);
		json_object_put(qs->s[i].points);
	}
	free(qs->s);
	free(qs->by_id);
}

static bool wanted(const struct history_query *q, const char *name)
{
	if (!q->series)
		return true;
	for (size_t i = 0; i < q->n_series; i++)
		if (strcmp(q->series[i], name) == 0)
			return true;
	return false;
}

static int load_series(struct hdb *h, const struct history_query *q, struct qstate *qs)
{
	sqlite3_stmt *st;
	size_t cap = 0;
	int r, rc;

	r = hdb_prepare(h, "SELECT id, name, unit, step FROM series ORDER BY name", &st);
	if (r < 0)
		return r;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *name = (const char *)sqlite3_column_text(st, 1);
		const char *unit = (const char *)sqlite3_column_text(st, 2);
		struct qseries *s;

		if (!name || !wanted(q, name))
			continue;
		if (qs->n == cap) {
			size_t ncap = cap ? 2 * cap : 32;
			struct qseries *p = realloc(qs->s, ncap * sizeof(*p));

			if (!p) {
				r = -ENOMEM;
				goto out;
			}
			qs->s = p;
			cap = ncap;
		}
		s = &qs->s[qs->n];
		memset(s, 0, sizeof(*s));
		s->id = sqlite3_column_int64(st, 0);
		s->step = sqlite3_column_int64(st, 3);
		s->name = strdup(name);
		s->unit = strdup(unit ? unit : "");
		qs->n++;
		if (!s->name || !s->unit) {
			r = -ENOMEM;
			goto out;
		}
		if (s->id < 0 || s->id > 16 * HDB_MAX_SERIES) {
			r = -EBADMSG;
			goto out;
		}
		if (s->id > qs->max_id)
			qs->max_id = s->id;
	}
	r = rc == SQLITE_DONE ? 0 : hdb_errno(rc);
	if (r < 0)
		goto out;
	qs->by_id = calloc((size_t)qs->max_id + 1, sizeof(*qs->by_id));
	if (!qs->by_id) {
		r = -ENOMEM;
		goto out;
	}
	for (size_t i = 0; i < qs->n; i++)
		qs->by_id[qs->s[i].id] = (int64_t)i + 1;
out:
	sqlite3_finalize(st);
	return r;
}

/* Integral values as JSON integers, others with six decimals at most. */
static struct json_object *number(double v)
{
	char buf[64];
	size_t n;

	if (!isfinite(v))
		return json_object_new_null();
	if (v == floor(v) && fabs(v) < 9007199254740992.0)
		return json_object_new_int64((int64_t)v);
	snprintf(buf, sizeof(buf), "%.6f", v);
	n = strlen(buf);
	while (n > 1 && buf[n - 1] == '0')
		buf[--n] = '\0';
	return json_object_new_double_s(v, buf);
}

static int add_point(struct qseries *s, int64_t t, double mn, double avg, double mx)
{
	struct json_object *p = json_object_new_array_ext(4);

	if (!p)
		return -ENOMEM;
	if (!s->points) {
		s->points = json_object_new_array();
		if (!s->points) {
			json_object_put(p);
			return -ENOMEM;
		}
	}
	json_object_array_add(p, json_object_new_int64(t));
	json_object_array_add(p, number(mn));
	json_object_array_add(p, number(avg));
	json_object_array_add(p, number(mx));
	return json_object_array_add(s->points, p) < 0 ? -ENOMEM : 0;
}

/* Rows (bucket, series, min, avg, max) of a prepared query into the asked series. */
static int add_rows(sqlite3_stmt *st, struct qstate *qs)
{
	int rc;

	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 1);
		int r;

		if (id < 0 || id > qs->max_id || !qs->by_id[id])
			continue;
		r = add_point(&qs->s[qs->by_id[id] - 1], sqlite3_column_int64(st, 0),
			      sqlite3_column_double(st, 2), sqlite3_column_double(st, 3),
			      sqlite3_column_double(st, 4));
		if (r < 0)
			return r;
	}
	return rc == SQLITE_DONE ? 0 : hdb_errno(rc);
}

static int scan(struct hdb *h, enum history_tier tier, int64_t since, int64_t until,
		struct qstate *qs)
{
	sqlite3_stmt *st;
	int r;

	if (tier == HISTORY_TIER_RAW)
		r = hdb_prepare(h, "SELECT t, series, v, v, v FROM raw WHERE t >= ?1 AND t <= ?2", &st);
	else
		r = hdb_prepare(h, "SELECT t, series, min, avg, max FROM agg"
				" WHERE tier = ?3 AND t >= ?1 AND t <= ?2", &st);
	if (r < 0)
		return r;
	/* A bucket that began before since still covers part of the range. */
	sqlite3_bind_int64(st, 1, since - history_tier_step(tier) + 1);
	sqlite3_bind_int64(st, 2, until);
	if (tier != HISTORY_TIER_RAW)
		sqlite3_bind_int64(st, 3, tier);
	r = add_rows(st, qs);
	sqlite3_finalize(st);
	return r;
}

/*
 * The newest part of a range that tier has not aggregated yet (its
 * ds_next_<tier> onwards), as buckets of that tier computed from raw rows.
 */
static int scan_tail(struct hdb *h, enum history_tier tier, int64_t since, int64_t until,
		     struct qstate *qs)
{
	int64_t step = history_tier_step(tier), from;
	sqlite3_stmt *st;
	char key[32];
	int r;

	snprintf(key, sizeof(key), "ds_next_%d", (int)tier);
	r = hdb_meta_get_i64(h, key, &from);
	if (r == -ENOENT)
		from = INT64_MIN;
	else if (r < 0)
		return r;
	since -= ((since % step) + step) % step;
	if (from < since)
		from = since;
	if (from > until)
		return 0;
	r = hdb_prepare(h, "SELECT t - t % ?3 AS b, series, min(v), avg(v), max(v) FROM raw"
			" WHERE t >= ?1 AND t <= ?2 GROUP BY b, series ORDER BY b, series", &st);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, from);
	sqlite3_bind_int64(st, 2, until);
	sqlite3_bind_int64(st, 3, step);
	r = add_rows(st, qs);
	sqlite3_finalize(st);
	return r;
}

static int add_events(struct hdb *h, int64_t since, int64_t until, struct json_object *arr)
{
	sqlite3_stmt *st;
	int r, rc;

	r = hdb_prepare(h, "SELECT t, severity, rule, text FROM events WHERE t >= ? AND t <= ?"
			" ORDER BY t, rowid", &st);
	if (r < 0)
		return r;
	sqlite3_bind_int64(st, 1, since);
	sqlite3_bind_int64(st, 2, until);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		struct json_object *e = json_object_new_object();

		if (!e) {
			r = -ENOMEM;
			goto out;
		}
		json_object_object_add(e, "t", json_object_new_int64(sqlite3_column_int64(st, 0)));
		for (int c = 1; c <= 3; c++) {
			static const char *const keys[] = { NULL, "severity", "id", "text" };
			const char *s = (const char *)sqlite3_column_text(st, c);

			json_object_object_add(e, keys[c], json_object_new_string(s ? s : ""));
		}
		json_object_array_add(arr, e);
	}
	r = rc == SQLITE_DONE ? 0 : hdb_errno(rc);
out:
	sqlite3_finalize(st);
	return r;
}

static void read_tiers(struct hdb *h, int64_t keep[HISTORY_TIER_MAX], int64_t dropped[HISTORY_TIER_MAX])
{
	static const int64_t defaults[HISTORY_TIER_MAX] = {
		HISTORY_KEEP_RAW_SEC, HISTORY_KEEP_MIN_SEC, HISTORY_KEEP_HOUR_SEC
	};

	for (int t = 0; t < HISTORY_TIER_MAX; t++) {
		char key[32];

		snprintf(key, sizeof(key), "keep_%d", t);
		if (hdb_meta_get_i64(h, key, &keep[t]) < 0)
			keep[t] = defaults[t];
		snprintf(key, sizeof(key), "dropped_until_%d", t);
		if (hdb_meta_get_i64(h, key, &dropped[t]) < 0)
			dropped[t] = 0;
	}
}

static int build(struct hdb *h, const struct history_query *q, struct json_object *o)
{
	int64_t keep[HISTORY_TIER_MAX], dropped[HISTORY_TIER_MAX];
	struct json_object *series, *events;
	struct qstate qs = { 0 };
	enum history_tier tier;
	char text[256];
	int r;

	read_tiers(h, keep, dropped);
	tier = q->force_tier ? q->tier :
	       history_pick_tier(keep, dropped, (int64_t)time(NULL), q->since, q->until);
	json_object_object_add(o, "version", json_object_new_int(HISTORY_VERSION));
	json_object_object_add(o, "since", json_object_new_int64(q->since));
	json_object_object_add(o, "until", json_object_new_int64(q->until));
	json_object_object_add(o, "step_sec", json_object_new_int64(history_tier_step(tier)));
	json_object_object_add(o, "tier", json_object_new_string(history_tier_name(tier)));
	if (hdb_meta_get_text(h, "host", text, sizeof(text)) < 0)
		snprintf(text, sizeof(text), "%s", "");
	json_object_object_add(o, "host", json_object_new_string(text));
	if (hdb_meta_get_text(h, "netns", text, sizeof(text)) < 0)
		snprintf(text, sizeof(text), "%s", "host");
	json_object_object_add(o, "netns", json_object_new_string(text));
	series = json_object_new_array();
	events = json_object_new_array();
	json_object_object_add(o, "series", series);
	json_object_object_add(o, "events", events);
	if (!series || !events)
		return -ENOMEM;
	r = load_series(h, q, &qs);
	if (r == 0)
		r = scan(h, tier, q->since, q->until, &qs);
	if (r == 0 && tier != HISTORY_TIER_RAW)
		r = scan_tail(h, tier, q->since, q->until, &qs);
	for (size_t i = 0; r == 0 && i < qs.n; i++) {
		struct qseries *s = &qs.s[i];
		struct json_object *js;

		if (!s->points)
			continue;
		js = json_object_new_object();
		if (!js) {
			r = -ENOMEM;
			break;
		}
		json_object_object_add(js, "name", json_object_new_string(s->name));
		json_object_object_add(js, "unit", json_object_new_string(s->unit));
		json_object_object_add(js, "step_sec", json_object_new_int64(
			tier == HISTORY_TIER_RAW && s->step > 0 ? s->step : history_tier_step(tier)));
		json_object_object_add(js, "points", s->points);
		s->points = NULL;
		json_object_array_add(series, js);
	}
	qstate_done(&qs);
	if (r == 0)
		r = add_events(h, q->since, q->until, events);
	return r;
}

int history_query_run(const char *db_path, const struct history_query *q,
		      struct json_object **ret)
{
	struct json_object *o;
	struct hdb *h;
	int r;

	r = hdb_open(db_path, false, &h);
	if (r < 0)
		return r;
	o = json_object_new_object();
	if (!o) {
		hdb_close(h);
		return -ENOMEM;
	}
	/* One snapshot for the whole answer, while the recorder goes on writing. */
	r = hdb_exec(h, "BEGIN");
	if (r == 0) {
		r = build(h, q, o);
		(void) hdb_exec(h, "COMMIT");
	}
	hdb_close(h);
	if (r < 0) {
		json_object_put(o);
		return r;
	}
	*ret = o;
	return 0;
}

int history_query_json(const char *db_path, int64_t since, int64_t until, struct json_object **out)
{
	struct history_query q = { .since = since, .until = until };

	return history_query_run(db_path, &q, out);
}

int history_check(const char *db_path, bool *ret_ok, char *msg, size_t len)
{
	sqlite3_stmt *st;
	struct hdb *h;
	int r, rc;

	r = hdb_open(db_path, false, &h);
	if (r < 0)
		return r;
	r = hdb_prepare(h, "PRAGMA integrity_check(1)", &st);
	if (r < 0) {
		hdb_close(h);
		return r;
	}
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const char *s = (const char *)sqlite3_column_text(st, 0);

		snprintf(msg, len, "%s", s ? s : "");
		*ret_ok = s && strcmp(s, "ok") == 0;
		r = 0;
	} else {
		r = hdb_errno(rc);
		if (r == -EBADMSG) {
			snprintf(msg, len, "%s", sqlite3_errmsg(h->db));
			*ret_ok = false;
			r = 0;
		} else if (r == 0) {
			r = -EIO;
		}
	}
	sqlite3_finalize(st);
	hdb_close(h);
	return r;
}
