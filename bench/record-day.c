// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * record-day: the database a day of `twscope record` leaves, without
 * waiting a day. Runs the recorder's own tick (real sampling of the current
 * netns: sockstat, counters, census every census interval, findings every
 * 60 s) with a clock advanced one second per tick, so downsampling,
 * retention and the size cap run as they would, then prints one JSON line:
 * file and used bytes, rows per tier, CPU seconds spent.
 * Usage: record-day DB [DAYS] [CENSUS_SEC] [FINDINGS_SEC]   (DB must not exist)
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>

#include <sqlite3.h>

#include "history/history.h"
#include "history/recorder.h"

static long long rows(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st;
	long long n = -1;

	if (sqlite3_prepare_v2(db, sql, -1, &st, NULL) != SQLITE_OK)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return n;
}

static void say(void *data, int err, const char *msg)
{
	(void) data;
	fprintf(stderr, "record-day: %s%s%s\n", msg, err ? ": " : "", err ? strerror(-err) : "");
}

int main(int argc, char **argv)
{
	struct recorder_conf conf = {
		.census_interval_sec = 10,
		.findings_interval_sec = 60,
		.top_destinations = 10,
		.max_size_bytes = 256ull << 20,
		.keep_sec = { HISTORY_KEEP_RAW_SEC, HISTORY_KEEP_MIN_SEC, HISTORY_KEEP_HOUR_SEC },
		.netns_label = "bench",
		.log = say,
	};
	double days = argc > 2 ? atof(argv[2]) : 1.0;
	struct recorder *rec;
	struct rusage ru;
	struct stat sb;
	int64_t t0, n;
	sqlite3 *db;
	int r;

	if (argc < 2 || days <= 0 || days > 30) {
		fprintf(stderr, "usage: record-day DB [DAYS (<= 30)] [CENSUS_SEC] [FINDINGS_SEC]\n");
		return 2;
	}
	if (argc > 3)
		conf.census_interval_sec = (uint32_t)atoi(argv[3]);
	if (argc > 4)
		conf.findings_interval_sec = (uint32_t)atoi(argv[4]);
	n = (int64_t)(days * 86400);
	t0 = (int64_t)time(NULL) - n;
	t0 -= t0 % 3600;
	r = recorder_open(argv[1], &conf, &rec);
	if (r < 0) {
		fprintf(stderr, "record-day: cannot open %s: %s\n", argv[1], strerror(-r));
		return 1;
	}
	for (int64_t i = 0; i < n; i++) {
		r = recorder_tick(rec, t0 + i);
		if (r < 0) {
			fprintf(stderr, "record-day: tick failed: %s\n", strerror(-r));
			return 1;
		}
	}
	recorder_close(rec);
	getrusage(RUSAGE_SELF, &ru);
	if (stat(argv[1], &sb) < 0 || sqlite3_open_v2(argv[1], &db, SQLITE_OPEN_READONLY, NULL))
		return 1;
	printf("{\"days\":%.3f,\"ticks\":%lld,\"file_bytes\":%lld,\"used_bytes\":%lld,"
	       "\"raw_rows\":%lld,\"min_rows\":%lld,\"hour_rows\":%lld,\"series\":%lld,"
	       "\"events\":%lld,\"cpu_sec\":%.1f}\n",
	       days, (long long)n, (long long)sb.st_size,
	       rows(db, "SELECT (SELECT page_count FROM pragma_page_count()) -"
		    " (SELECT freelist_count FROM pragma_freelist_count())") *
		       rows(db, "SELECT page_size FROM pragma_page_size()"),
	       rows(db, "SELECT count(*) FROM raw"),
	       rows(db, "SELECT count(*) FROM agg WHERE tier = 1"),
	       rows(db, "SELECT count(*) FROM agg WHERE tier = 2"),
	       rows(db, "SELECT count(*) FROM series"), rows(db, "SELECT count(*) FROM events"),
	       (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
		       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6);
	sqlite3_close(db);
	return 0;
}
