/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * series: serve's in-memory history, a fixed ring of the last N samples of
 * the figures the landing page charts (time_wait, established, close_wait,
 * tw_rate and the port use of the busiest destinations), rendered in the
 * history JSON shape of `twscope history --json`. Memory is fixed at init;
 * no locking (the caller holds its own lock), no I/O.
 */
#ifndef TWSCOPE_SERVE_SERIES_H
#define TWSCOPE_SERVE_SERIES_H

#include <stddef.h>
#include <stdint.h>

#include "addr.h"

#define SERIES_MAX_DESTS 5		/* destinations per sample */
#define SERIES_MAX_DEST_NAMES 16	/* distinct dest_use_pct series in one answer */
#define SERIES_MAX_SAMPLES 100000

struct json_object;

/* One destination of a sample: "<addr>:<port>" as ss prints it (IPv6 in brackets). */
struct series_dest {
	char key[TW_ENDPOINT_STRLEN];
	double use_pct;
};

/* One sample; a figure that could not be read is NAN (left out of the answer). */
struct series_sample {
	int64_t t;			/* unix seconds */
	double time_wait;
	double established;
	double close_wait;
	double tw_rate;			/* TcpExt TW per second since the previous sample */
	struct series_dest dests[SERIES_MAX_DESTS];
	size_t n_dests;
};

struct series_ring {
	struct series_sample *s;
	size_t cap;
	size_t n;			/* samples held, <= cap */
	size_t head;			/* index of the oldest */
};

/* series_init() - a ring for cap samples (1..SERIES_MAX_SAMPLES). 0, -EINVAL or -ENOMEM. */
int series_init(struct series_ring *r, size_t cap);

/* series_done() - free the ring; safe on a zeroed or done ring. */
void series_done(struct series_ring *r);

/*
 * series_add() - append s, dropping the oldest sample when full. A sample
 * with the time of the newest one replaces it; one older than the newest is
 * ignored, so points stay sorted and unique per second.
 */
void series_add(struct series_ring *r, const struct series_sample *s);

/*
 * series_json() - the samples with t >= since as a history document:
 * {"version":1, "since", "until", "step_sec", "host", "netns", "series":
 * [{"name", "unit", "points": [[t, v, v, v], ...]}], "events": []}.
 * since and until are the first and last sample's times (or now when
 * empty). NULL on OOM.
 */
struct json_object *series_json(const struct series_ring *r, int64_t since, int64_t now,
				unsigned int step_sec, const char *host, const char *netns);

#endif
