/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Axis arithmetic for the graphs: "nice" value ticks (1, 2, 5 x 10^k) with
 * k/M labels, and time ticks on whole seconds, minutes, hours or days in
 * UTC whose labels fit the range (HH:MM:SS, HH:MM, MM-DD HH:MM, dates).
 * Pure: no drawing, no I/O.
 */
#ifndef TWSCOPE_GRAPH_AXIS_H
#define TWSCOPE_GRAPH_AXIS_H

#include <stddef.h>
#include <stdint.h>

#define AXIS_MAX_TICKS 32
#define AXIS_LABEL_LEN 24

struct axis_value {
	double lo;		/* axis bottom (0 unless values go negative) */
	double hi;		/* axis top: a multiple of step, >= the largest value */
	double step;
	size_t n;		/* ticks lo, lo + step, ..., hi */
};

/*
 * axis_nice_step() - the smallest step of the form {1, 2, 2.5, 5} x 10^k
 * that covers span in at most max_ticks intervals (max_ticks >= 1).
 * span <= 0 or not finite gives 1.
 */
double axis_nice_step(double span, unsigned int max_ticks);

/*
 * axis_value_range() - the value axis for data in [vmin, vmax]: starts at
 * 0 for non-negative data, ends on a tick at or above vmax; an all-zero or
 * empty range gets [0, 1]. fixed_hi > 0 (percent: 100) caps hi at it when
 * vmax <= fixed_hi.
 */
void axis_value_range(double vmin, double vmax, unsigned int max_ticks, double fixed_hi, struct axis_value *ret);

/*
 * axis_value_label() - v for a tick of step: "0", "250", "1.5k", "2M",
 * "0.25"; as many decimals as step needs. Returns buf.
 */
const char *axis_value_label(double v, double step, char *buf, size_t len);

enum axis_time_fmt {
	AXIS_TIME_HMS,		/* 14:05:30 */
	AXIS_TIME_HM,		/* 14:05 */
	AXIS_TIME_DAY_HM,	/* 11-27 14:00 */
	AXIS_TIME_DATE,		/* 2026-11-27 */
};

struct axis_time {
	int64_t step_sec;
	enum axis_time_fmt fmt;
	size_t n;
	int64_t t[AXIS_MAX_TICKS];	/* tick times within [t0, t1] */
};

/*
 * axis_time_ticks() - ticks for [t0, t1] (unix seconds, t1 > t0) on
 * whole steps (1 s ... 1 year) in UTC, at most max_ticks of them
 * (1..AXIS_MAX_TICKS), and the label format the step needs.
 */
void axis_time_ticks(int64_t t0, int64_t t1, unsigned int max_ticks, struct axis_time *ret);

/* axis_time_label() - t in fmt, UTC. Returns buf. */
const char *axis_time_label(int64_t t, enum axis_time_fmt fmt, char *buf, size_t len);

/* axis_time_span() - "2026-11-27 14:00 - 16:30 UTC" for [t0, t1]. Returns buf. */
const char *axis_time_span(int64_t t0, int64_t t1, char *buf, size_t len);

#endif
