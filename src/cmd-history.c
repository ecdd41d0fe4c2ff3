// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * twscope history: read what 'twscope record' wrote, as the contract's
 * JSON, CSV or a table, or check the file's integrity. Querying is
 * src/history/query.c; this file parses options and renders.
 */
#include "twscope.h"

#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <json-c/json.h>

#include "history/history.h"
#include "log.h"
#include "output.h"
#include "util.h"

#define HISTORY_MAX_SERIES_ARGS 64

enum history_fmt { FMT_TABLE, FMT_JSON, FMT_CSV };

struct history_args {
	const char *db;
	const char *since;
	const char *until;
	char *series_buf;
	const char *series[HISTORY_MAX_SERIES_ARGS];
	size_t n_series;
	enum history_fmt fmt;
	bool force_tier;
	enum history_tier tier;
	bool check;
	bool no_header;
};

static void help(void)
{
	printf("usage: twscope history [options]\n\n"
	       "Print what 'twscope record' (or 'serve --history') recorded between two\n"
	       "times, from the finest tier that covers them in at most %d points per\n"
	       "series: raw samples (kept 48 h), 1-minute buckets (14 days), 1-hour\n"
	       "buckets (a year); buckets hold min, avg and max. Reads while the recorder\n"
	       "writes. Series and the JSON format: docs/history.md.\n\n"
	       "options:\n"
	       "      --db PATH          the database (default %s)\n"
	       "      --since T          start (default -1h)\n"
	       "      --until T          end (default now)\n"
	       "                         T: unix seconds, RFC 3339 (2026-11-27T16:00:00Z),\n"
	       "                         'now' or relative: -30m, -1h, -1h30m, -2d, -1w\n"
	       "      --series LIST      only these series (comma-separated names)\n"
	       "      --tier TIER        raw, 1m or 1h instead of the finest covering one\n"
	       "  -j, --json             the history JSON (docs/history.md)\n"
	       "      --csv              time,series,min,avg,max rows with a header\n"
	       "  -H, --no-header        table and CSV without the header\n"
	       "      --check            run SQLite's integrity check: prints 'ok' (exit 0)\n"
	       "                         or the first problem (exit 1)\n"
	       "  -h, --help             this help\n\n"
	       "The table shows each series' points, min, avg, max and last value over the\n"
	       "range, then the events (doctor findings).\n\n"
	       "EXAMPLES\n"
	       "  twscope history --db /tmp/tw.db                    the last hour\n"
	       "  twscope history --since -1d --series time_wait,established\n"
	       "  twscope history --since 2026-11-27T08:00:00Z --until 2026-11-27T09:00:00Z --csv\n"
	       "  twscope history --json | jq '.series[] | select(.name == \"time_wait\")'\n"
	       "  twscope history --check --db /var/lib/twscope/history.db\n",
	       HISTORY_MAX_POINTS, HISTORY_DEFAULT_DB);
}

static int split_series(struct tw_ctx *ctx, struct history_args *a, const char *list)
{
	char *save = NULL, *tok;

	free(a->series_buf);
	a->series_buf = strdup(list);
	if (!a->series_buf)
		return tw_err(-ENOMEM, "out of memory"), TW_EXIT_FAIL;
	a->n_series = 0;
	for (tok = strtok_r(a->series_buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		if (a->n_series == HISTORY_MAX_SERIES_ARGS)
			return tw_usage(ctx, "at most %d names in --series", HISTORY_MAX_SERIES_ARGS);
		a->series[a->n_series++] = tok;
	}
	if (!a->n_series)
		return tw_usage(ctx, "empty --series");
	return 0;
}

static int parse_args(struct tw_ctx *ctx, int argc, char **argv, struct history_args *a)
{
	enum { OPT_DB = 256, OPT_SINCE, OPT_UNTIL, OPT_SERIES, OPT_TIER, OPT_CSV, OPT_CHECK };
	static const struct option opts[] = {
		{ "db", required_argument, NULL, OPT_DB },
		{ "since", required_argument, NULL, OPT_SINCE },
		{ "until", required_argument, NULL, OPT_UNTIL },
		{ "series", required_argument, NULL, OPT_SERIES },
		{ "tier", required_argument, NULL, OPT_TIER },
		{ "json", no_argument, NULL, 'j' },
		{ "csv", no_argument, NULL, OPT_CSV },
		{ "no-header", no_argument, NULL, 'H' },
		{ "check", no_argument, NULL, OPT_CHECK },
		{ "help", no_argument, NULL, 'h' },
		{}
	};
	int c, r;

	opterr = 0;
	while ((c = getopt_long(argc, argv, ":jHh", opts, NULL)) != -1) {
		switch (c) {
		case OPT_DB:
			a->db = optarg;
			break;
		case OPT_SINCE:
			a->since = optarg;
			break;
		case OPT_UNTIL:
			a->until = optarg;
			break;
		case OPT_SERIES:
			r = split_series(ctx, a, optarg);
			if (r)
				return r;
			break;
		case OPT_TIER:
			if (history_tier_parse(optarg, &a->tier) < 0)
				return tw_usage(ctx, "invalid --tier '%s' (raw, 1m or 1h)", optarg);
			a->force_tier = true;
			break;
		case 'j':
			a->fmt = FMT_JSON;
			break;
		case OPT_CSV:
			a->fmt = FMT_CSV;
			break;
		case 'H':
			a->no_header = true;
			break;
		case OPT_CHECK:
			a->check = true;
			break;
		case 'h':
			help();
			return -1;
		default:
			return tw_bad_option(ctx, c, argv, opts);
		}
	}
	if (optind < argc)
		return tw_usage(ctx, "unexpected argument '%s'", argv[optind]);
	return 0;
}

static void fmt_time(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, len, "%lld", (long long)t);
}

static const char *num(double v, char *buf, size_t len)
{
	if (v == floor(v) && fabs(v) < 1e15)
		snprintf(buf, len, "%.0f", v);
	else
		snprintf(buf, len, "%.3f", v);
	return buf;
}

static double pt(struct json_object *p, size_t i)
{
	return json_object_get_double(json_object_array_get_idx(p, i));
}

static void render_csv(struct json_object *o, bool header)
{
	struct json_object *series = json_object_object_get(o, "series");
	char a[32], b[32], c[32];

	if (header)
		printf("time,series,min,avg,max\n");
	for (size_t i = 0; i < json_object_array_length(series); i++) {
		struct json_object *s = json_object_array_get_idx(series, i);
		struct json_object *pts = json_object_object_get(s, "points");
		const char *name = json_object_get_string(json_object_object_get(s, "name"));

		for (size_t k = 0; k < json_object_array_length(pts); k++) {
			struct json_object *p = json_object_array_get_idx(pts, k);

			printf("%lld,%s,%s,%s,%s\n",
			       (long long)json_object_get_int64(json_object_array_get_idx(p, 0)), name,
			       num(pt(p, 1), a, sizeof(a)), num(pt(p, 2), b, sizeof(b)),
			       num(pt(p, 3), c, sizeof(c)));
		}
	}
}

static void render_table(struct json_object *o, bool header)
{
	struct json_object *series = json_object_object_get(o, "series");
	struct json_object *events = json_object_object_get(o, "events");
	char since[32], until[32], v[4][32];

	fmt_time(json_object_get_int64(json_object_object_get(o, "since")), since, sizeof(since));
	fmt_time(json_object_get_int64(json_object_object_get(o, "until")), until, sizeof(until));
	if (header) {
		printf("history of %s (netns %s) from %s to %s, tier %s\n\n",
		       json_object_get_string(json_object_object_get(o, "host")),
		       json_object_get_string(json_object_object_get(o, "netns")), since, until,
		       json_object_get_string(json_object_object_get(o, "tier")));
		printf("%-40s %-12s %7s %10s %10s %10s %10s\n", "SERIES", "UNIT", "POINTS", "MIN",
		       "AVG", "MAX", "LAST");
	}
	for (size_t i = 0; i < json_object_array_length(series); i++) {
		struct json_object *s = json_object_array_get_idx(series, i);
		struct json_object *pts = json_object_object_get(s, "points");
		size_t n = json_object_array_length(pts);
		double mn = INFINITY, mx = -INFINITY, sum = 0;

		for (size_t k = 0; k < n; k++) {
			struct json_object *p = json_object_array_get_idx(pts, k);

			mn = fmin(mn, pt(p, 1));
			sum += pt(p, 2);
			mx = fmax(mx, pt(p, 3));
		}
		printf("%-40s %-12s %7zu %10s %10s %10s %10s\n",
		       json_object_get_string(json_object_object_get(s, "name")),
		       json_object_get_string(json_object_object_get(s, "unit")), n,
		       num(mn, v[0], sizeof(v[0])), num(n ? sum / (double)n : 0, v[1], sizeof(v[1])),
		       num(mx, v[2], sizeof(v[2])),
		       num(pt(json_object_array_get_idx(pts, n - 1), 2), v[3], sizeof(v[3])));
	}
	if (header && json_object_array_length(series) == 0)
		printf("(no samples in this range)\n");
	if (json_object_array_length(events) == 0)
		return;
	if (header)
		printf("\n%-20s %-8s %-24s %s\n", "EVENT TIME", "SEVERITY", "FINDING", "TEXT");
	for (size_t i = 0; i < json_object_array_length(events); i++) {
		struct json_object *e = json_object_array_get_idx(events, i);

		fmt_time(json_object_get_int64(json_object_object_get(e, "t")), since, sizeof(since));
		printf("%-20s %-8s %-24s %s\n", since,
		       json_object_get_string(json_object_object_get(e, "severity")),
		       json_object_get_string(json_object_object_get(e, "id")),
		       json_object_get_string(json_object_object_get(e, "text")));
	}
}

static int query_error(const struct history_args *a, int r)
{
	char msg[PATH_MAX + 64];

	if (r == -EBADMSG)
		snprintf(msg, sizeof(msg), "'%s' is not a twscope history database", a->db);
	else
		snprintf(msg, sizeof(msg), "cannot read '%s': %s", a->db, strerror(-r));
	tw_err(0, "%s", msg);
	if (a->fmt == FMT_JSON)
		out_json_error("history", msg, TW_EXIT_FAIL);
	return TW_EXIT_FAIL;
}

static int run_check(const struct history_args *a)
{
	char msg[512];
	bool ok = false;
	int r;

	r = history_check(a->db, &ok, msg, sizeof(msg));
	if (r == -EBADMSG) {
		printf("not a twscope history database, or its header is damaged\n");
		return TW_EXIT_FAIL;
	}
	if (r < 0)
		return tw_err(r, "cannot check '%s'", a->db), TW_EXIT_FAIL;
	/* SQLite's report spans lines ("*** in database main ***\nPage 9: ..."): one line here. */
	for (char *p = strchr(msg, '\n'); p; p = strchr(p, '\n'))
		*p = ' ';
	printf("%s\n", msg);
	return ok ? TW_EXIT_OK : TW_EXIT_FAIL;
}

static int run(struct tw_ctx *ctx, struct history_args *a)
{
	struct history_query q = { .force_tier = a->force_tier, .tier = a->tier };
	int64_t now = (int64_t)time(NULL);
	struct json_object *o = NULL;
	const char *bad;
	int r;

	if (a->check)
		return run_check(a);
	r = history_parse_range(a->since, a->until, now, HISTORY_DEFAULT_SPAN_SEC, &q.since, &q.until, &bad);
	if (r == -EINVAL)
		return tw_usage(ctx, "invalid %s '%s' (" HISTORY_TIME_FORMS ")", bad,
				!strcmp(bad, "--since") ? a->since : a->until);
	if (r < 0)
		return tw_usage(ctx, "--since must be before --until%s", "");
	if (a->n_series) {
		q.series = a->series;
		q.n_series = a->n_series;
	}
	r = history_query_run(a->db, &q, &o);
	if (r < 0)
		return query_error(a, r);
	if (a->fmt == FMT_JSON)
		printf("%s\n", json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN));
	else if (a->fmt == FMT_CSV)
		render_csv(o, !a->no_header);
	else
		render_table(o, !a->no_header);
	json_object_put(o);
	return TW_EXIT_OK;
}

int cmd_history(struct tw_ctx *ctx, int argc, char **argv)
{
	struct history_args a = { .db = HISTORY_DEFAULT_DB };
	int r;

	r = parse_args(ctx, argc, argv, &a);
	if (r < 0)
		r = TW_EXIT_OK;	/* --help */
	else if (r == 0)
		r = run(ctx, &a);
	free(a.series_buf);
	return r;
}
