// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Tick steps and tick labels for the value and time axes of the graphs.
 * Pure arithmetic on numbers and UTC times; the drawing is render.c's.
 */
#include "graph/axis.h"

#include <math.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

double axis_nice_step(double span, unsigned int max_ticks)
{
	static const double mant[] = { 1, 2, 2.5, 5, 10 };
	double raw, mag;

	if (!isfinite(span) || span <= 0)
		return 1;
	if (max_ticks < 1)
		max_ticks = 1;
	raw = span / max_ticks;
	mag = pow(10, floor(log10(raw)));
	for (size_t i = 0; i < sizeof(mant) / sizeof(mant[0]); i++)
		/* tolerate rounding: 0.30000000000000004 / 0.1 */
		if (mant[i] * mag >= raw * (1 - 1e-9))
			return mant[i] * mag;
	return 10 * mag;
}

void axis_value_range(double vmin, double vmax, unsigned int max_ticks, double fixed_hi, struct axis_value *ret)
{
	double lo, hi, step;

	if (!isfinite(vmin) || !isfinite(vmax) || vmin > vmax) {
		vmin = 0;
		vmax = 0;
	}
	lo = vmin < 0 ? vmin : 0;
	hi = vmax > 0 ? vmax : 0;
	if (fixed_hi > 0 && hi <= fixed_hi && lo == 0)
		hi = fixed_hi;
	if (hi - lo <= 0)
		hi = lo + 1;
	step = axis_nice_step(hi - lo, max_ticks);
	/* tolerate rounding: 0.30000000000000004 is on the 0.1 grid */
	lo = floor(lo / step + 1e-9) * step;
	hi = ceil(hi / step - 1e-9) * step;
	if (hi <= lo)
		hi = lo + step;
	ret->lo = lo;
	ret->hi = hi;
	ret->step = step;
	ret->n = (size_t)llround((hi - lo) / step) + 1;
}

/* decimals that step needs to print distinct ticks */
static int decimals(double step)
{
	int d = 0;

	while (d < 6 && fabs(step * pow(10, d) - llround(step * pow(10, d))) > 1e-6 * step * pow(10, d))
		d++;
	return d;
}

const char *axis_value_label(double v, double step, char *buf, size_t len)
{
	const char *suffix = "";
	double div = 1;

	if (fabs(v) < step * 1e-9)
		v = 0;
	/* zero needs no unit: "0", not "0k" */
	if (v == 0 && step >= 1e3) {
		snprintf(buf, len, "0");
		return buf;
	}
	if (step >= 1e6 || (fabs(v) >= 1e6 && step >= 1e5)) {
		div = 1e6;
		suffix = "M";
	} else if (step >= 1e3 || (fabs(v) >= 1e3 && step >= 100)) {
		div = 1e3;
		suffix = "k";
	}
	snprintf(buf, len, "%.*f%s", decimals(step / div), v / div, suffix);
	return buf;
}

void axis_time_ticks(int64_t t0, int64_t t1, unsigned int max_ticks, struct axis_time *ret)
{
	static const int64_t steps[] = {
		1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200,
		86400, 2 * 86400, 7 * 86400, 14 * 86400, 28 * 86400, 91 * 86400, 182 * 86400, 364 * 86400,
	};
	int64_t span = t1 > t0 ? t1 - t0 : 1, step = steps[sizeof(steps) / sizeof(steps[0]) - 1], first;

	if (max_ticks < 1)
		max_ticks = 1;
	if (max_ticks > AXIS_MAX_TICKS)
		max_ticks = AXIS_MAX_TICKS;
	for (size_t i = 0; i < sizeof(steps) / sizeof(steps[0]); i++)
		if (span / steps[i] + 1 <= (int64_t)max_ticks) {
			step = steps[i];
			break;
		}
	while (span / step + 1 > (int64_t)max_ticks)
		step *= 2;
	ret->step_sec = step;
	if (step < 60)
		ret->fmt = AXIS_TIME_HMS;
	else if (step < 86400 && span <= 86400)
		ret->fmt = AXIS_TIME_HM;
	else if (step < 86400)
		ret->fmt = AXIS_TIME_DAY_HM;
	else
		ret->fmt = AXIS_TIME_DATE;
	/* UTC days start at multiples of 86400 since the epoch */
	first = (t0 + step - 1) / step * step;
	ret->n = 0;
	for (int64_t t = first; t <= t1 && ret->n < AXIS_MAX_TICKS; t += step)
		ret->t[ret->n++] = t;
}

const char *axis_time_label(int64_t t, enum axis_time_fmt fmt, char *buf, size_t len)
{
	static const char *const fmts[] = {
		[AXIS_TIME_HMS] = "%H:%M:%S",
		[AXIS_TIME_HM] = "%H:%M",
		[AXIS_TIME_DAY_HM] = "%m-%d %H:%M",
		[AXIS_TIME_DATE] = "%Y-%m-%d",
	};
	time_t tt = (time_t)t;
	struct tm tm;

	if (!len)
		return buf;
	if (!gmtime_r(&tt, &tm) || !strftime(buf, len, fmts[fmt], &tm))
		snprintf(buf, len, "%lld", (long long)t);
	return buf;
}

const char *axis_time_span(int64_t t0, int64_t t1, char *buf, size_t len)
{
	char a[32], b[32];
	time_t x = (time_t)t0, y = (time_t)t1;
	struct tm ta, tb;

	if (!gmtime_r(&x, &ta) || !gmtime_r(&y, &tb)) {
		snprintf(buf, len, "%lld - %lld", (long long)t0, (long long)t1);
		return buf;
	}
	strftime(a, sizeof(a), "%Y-%m-%d %H:%M:%S", &ta);
	if (ta.tm_year == tb.tm_year && ta.tm_yday == tb.tm_yday)
		strftime(b, sizeof(b), "%H:%M:%S", &tb);
	else
		strftime(b, sizeof(b), "%Y-%m-%d %H:%M:%S", &tb);
	snprintf(buf, len, "%s - %s UTC", a, b);
	return buf;
}
