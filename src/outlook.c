// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Outlook of one destination from the close history the census read off
 * the TIME_WAIT timers. Pure arithmetic; no I/O.
 *
 * The projection uses the smaller of the rates in the two halves of the
 * 10 s window (0-5 s and 5-10 s ago): a load has to last through both
 * halves to be projected, so a burst shorter than 5 s never is, and a
 * sustained load is projected 5-10 s after it starts.
 */
#include "outlook.h"

#include <math.h>

#include "census.h"

const char *outlook_trend_name(enum tw_trend t)
{
	switch (t) {
	case TW_TREND_GROWING:
		return "growing";
	case TW_TREND_STEADY:
		return "steady";
	case TW_TREND_DRAINING:
		return "draining";
	default:
		return "idle";
	}
}

static enum tw_trend trend_of(const struct census_closes *h, uint64_t time_wait)
{
	double recent, earlier;

	if (time_wait == 0)
		return TW_TREND_IDLE;
	if (h->youngest_ms == TW_AGE_UNKNOWN || h->youngest_ms >= 5000)
		return TW_TREND_DRAINING;
	recent = census_close_rate(h, TW_CLOSE_RECENT);
	/* The other 50 s of the minute; a 25 % margin absorbs jitter. */
	earlier = (double)(h->within[TW_CLOSE_WINDOWS - 1] - h->within[TW_CLOSE_RECENT]) /
		  (census_close_window_sec(TW_CLOSE_WINDOWS - 1) -
		   census_close_window_sec(TW_CLOSE_RECENT));
	return recent > earlier * 1.25 ? TW_TREND_GROWING : TW_TREND_STEADY;
}

void outlook_compute(const struct census_closes *h, uint64_t held, uint64_t time_wait,
		     uint32_t usable, struct tw_outlook *ret)
{
	const double half_sec = census_close_window_sec(0);
	double first, second;

	ret->window_sec = census_close_window_sec(TW_CLOSE_RECENT);
	ret->rate_per_sec = census_close_rate(h, TW_CLOSE_RECENT);
	ret->minute_rate_per_sec = census_close_rate(h, TW_CLOSE_WINDOWS - 1);
	first = (double)h->within[0] / half_sec;
	second = (double)(h->within[TW_CLOSE_RECENT] - h->within[0]) /
		 (ret->window_sec - half_sec);
	ret->sustained_per_sec = fmin(first, second);
	ret->live = held >= time_wait ? held - time_wait : 0;
	ret->projected_held = (double)ret->live + ret->sustained_per_sec * TW_TIME_WAIT_SEC;
	ret->projected_util_pct = usable ? 100.0 * ret->projected_held / usable : 0;
	ret->exhaust_in_sec = -1;
	if (usable && ret->projected_held >= usable && ret->sustained_per_sec > 0)
		ret->exhaust_in_sec = held >= usable ? 0 :
				      (double)(usable - held) / ret->sustained_per_sec;
	ret->trend = trend_of(h, time_wait);
	ret->quiet_ms = h->youngest_ms;
	ret->clears_ms = h->clears_ms;
}
