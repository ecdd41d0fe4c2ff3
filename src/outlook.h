/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Where a destination's port use is heading: the measured close rate, the
 * steady state it leads to, the trend, and when the current TIME_WAIT clear.
 * Pure arithmetic on a census close history; no I/O.
 */
#ifndef TWSCOPE_OUTLOOK_H
#define TWSCOPE_OUTLOOK_H

#include <stdbool.h>
#include <stdint.h>

struct census_closes;

enum tw_trend {
	TW_TREND_IDLE,		/* no TIME_WAIT at all */
	TW_TREND_GROWING,	/* closing faster now than earlier in the minute */
	TW_TREND_STEADY,
	TW_TREND_DRAINING,	/* no new TIME_WAIT for 5 s or more */
};

struct tw_outlook {
	double rate_per_sec;		/* closes/s over the recent window */
	unsigned int window_sec;	/* that window */
	double minute_rate_per_sec;	/* closes/s over the whole 60 s */
	double sustained_per_sec;	/* the rate held in both halves of the window */
	uint64_t live;			/* ports held by sockets not in TIME_WAIT */
	double projected_held;		/* live + sustained rate x 60 s */
	double projected_util_pct;	/* of usable; 0 when nothing is usable */
	double exhaust_in_sec;		/* until held reaches usable at that rate; -1 if never */
	enum tw_trend trend;
	uint32_t quiet_ms;		/* since the newest TIME_WAIT; UINT32_MAX if none */
	uint32_t clears_ms;		/* until the last TIME_WAIT expires */
};

/*
 * outlook_compute() - the outlook of a destination (or server port) holding
 * held ports of which time_wait are TIME_WAIT, with close history h, against
 * usable ports (0 for a server port: no projection of use then).
 */
void outlook_compute(const struct census_closes *h, uint64_t held, uint64_t time_wait,
		     uint32_t usable, struct tw_outlook *ret);

/* outlook_trend_name() - "idle", "growing", "steady" or "draining". */
const char *outlook_trend_name(enum tw_trend t);

#endif
