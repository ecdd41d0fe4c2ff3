/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The history recorder: every second the O(1) figures of the current
 * network namespace (sockstat, TCP counter rates, conntrack count), every
 * census interval a census (states, sides, top destinations) and, every
 * findings interval, doctor's warning and critical findings as events;
 * one transaction per sample, then one bounded step of downsampling,
 * retention and the size cap. Reports through conf->log; never prints.
 */
#ifndef TWSCOPE_HISTORY_RECORDER_H
#define TWSCOPE_HISTORY_RECORDER_H

#include <stdbool.h>
#include <stdint.h>

#include "history/history.h"

#define RECORDER_DEFAULT_CENSUS_SEC 10
#define RECORDER_DEFAULT_FINDINGS_SEC 60
#define RECORDER_DEFAULT_TOP 10
#define RECORDER_MAX_TOP 100
#define RECORDER_DEFAULT_MAX_SIZE (256ull << 20)
#define RECORDER_MIN_MAX_SIZE (1ull << 20)
#define RECORDER_SIZE_CHECK_SEC 10	/* the size cap is checked this often */
#define RECORDER_TRIM_SPAN_SEC 600	/* oldest time dropped per step over the cap */

struct recorder_conf {
	uint32_t census_interval_sec;	/* >= 1 */
	uint32_t findings_interval_sec;	/* 0 = no events; else a multiple of census ticks */
	uint32_t top_destinations;	/* dest_* series for this many destinations */
	uint64_t max_size_bytes;
	int64_t keep_sec[HISTORY_TIER_MAX];
	const char *netns_label;	/* "host" or what --netns named */
	/* one line for the log (err: -errno or 0); may be NULL */
	void (*log)(void *data, int err, const char *msg);
	void *log_data;
};

struct recorder;

/*
 * recorder_open() - open or create the database at path for recording.
 * Returns 0, -EBUSY when another recorder holds it, or -errno from
 * hdb_open() (-EBADMSG: not a twscope history).
 */
int recorder_open(const char *path, const struct recorder_conf *conf, struct recorder **ret);

/*
 * recorder_tick() - take and write the sample of second t (unix seconds),
 * then one housekeeping step. Write failures (a full disk) are logged and
 * retried next tick. Returns 0, or -ENOMEM.
 */
int recorder_tick(struct recorder *rec, int64_t t);

/*
 * recorder_run() - tick at every whole second of the real-time clock until
 * stop_fd becomes readable (a signalfd or eventfd). Returns 0 or -errno.
 */
int recorder_run(struct recorder *rec, int stop_fd);

/* recorder_close() - close the database; accepts NULL; returns NULL. */
struct recorder *recorder_close(struct recorder *rec);

#endif
