// SPDX-License-Identifier: GPL-2.0-or-later
/* outlook: rates, projection, trend and clear time from synthetic close histories. */
#include "tw-test.h"

#include "census.h"
#include "outlook.h"

/* Closes at rate_per_sec, evenly spaced, from start_s to end_s seconds ago. */
static void closes_between(struct census_closes *h, double rate_per_sec, double end_s, double start_s)
{
	uint64_t n = (uint64_t)((start_s - end_s) * rate_per_sec + 0.5);

	for (uint64_t i = 0; i < n; i++) {
		double age_s = end_s + (double)i / rate_per_sec;

		census_closes_add(h, (uint32_t)((TW_TIME_WAIT_SEC - age_s) * 1000));
	}
}

static void assert_near(double got, double want, double tolerance)
{
	if (got < want - tolerance || got > want + tolerance)
		fail_msg("got %.3f, want %.3f +- %.3f", got, want, tolerance);
}

/* 368 closes/s for 30 s toward 28,232 usable ports: steady state 22,080 held (78 %). */
static void test_sustained_load_projects(void **state)
{
	struct census_closes h;
	struct tw_outlook o;

	(void)state;
	census_closes_init(&h);
	closes_between(&h, 368, 0, 30);
	outlook_compute(&h, h.within[3] + 40, h.within[3], 28232, &o);
	assert_near(o.rate_per_sec, 368, 1);
	assert_int_equal(o.window_sec, 10);
	assert_near(o.sustained_per_sec, 368, 1);
	assert_int_equal(o.live, 40);
	assert_near(o.projected_held, 40 + 368 * 60, 60);
	assert_near(o.projected_util_pct, 78.35, 0.3);
	assert_true(o.exhaust_in_sec < 0);
	assert_int_equal(o.trend, TW_TREND_GROWING);
	assert_true(o.quiet_ms < 10);
	assert_string_equal(outlook_trend_name(o.trend), "growing");
}

/* Past the usable ports: time to exhaustion at the sustained rate. */
static void test_exhaustion_time(void **state)
{
	struct census_closes h;
	struct tw_outlook o;

	(void)state;
	census_closes_init(&h);
	closes_between(&h, 100, 0, 20);		/* 2,000 held, heading to 6,000 */
	outlook_compute(&h, 2000, 2000, 5000, &o);
	assert_near(o.projected_util_pct, 120, 1);
	assert_near(o.exhaust_in_sec, 30, 0.5);
	/* Already full: now. */
	outlook_compute(&h, 5000, 2000, 5000, &o);
	assert_near(o.exhaust_in_sec, 0, 0.001);
}

/* A 2 s burst of 3,000 closes is not projected; it shows in the rate only. */
static void test_burst_is_not_projected(void **state)
{
	struct census_closes h;
	struct tw_outlook o;

	(void)state;
	census_closes_init(&h);
	closes_between(&h, 1500, 1, 3);
	outlook_compute(&h, 3000, 3000, 28232, &o);
	assert_near(o.rate_per_sec, 300, 1);
	assert_near(o.sustained_per_sec, 0, 0.001);
	assert_near(o.projected_held, 0, 0.001);
	assert_true(o.exhaust_in_sec < 0);
}

/* A steady load: same rate over the whole minute. */
static void test_steady(void **state)
{
	struct census_closes h;
	struct tw_outlook o;

	(void)state;
	census_closes_init(&h);
	closes_between(&h, 50, 0, 60);
	outlook_compute(&h, 3000, 3000, 28232, &o);
	assert_int_equal(o.trend, TW_TREND_STEADY);
	assert_near(o.minute_rate_per_sec, 50, 0.5);
	assert_near(o.projected_held, 3000, 30);
}

/* The fix is in: nothing closed for 20 s, the last TIME_WAIT leave 38 s from now. */
static void test_draining(void **state)
{
	struct census_closes h;
	struct tw_outlook o;

	(void)state;
	census_closes_init(&h);
	closes_between(&h, 368, 22, 40);
	outlook_compute(&h, h.within[3], h.within[3], 28232, &o);
	assert_int_equal(o.trend, TW_TREND_DRAINING);
	assert_near(o.quiet_ms / 1000.0, 22, 0.01);
	assert_near(o.clears_ms / 1000.0, 38, 0.01);
	assert_near(o.rate_per_sec, 0, 0.001);
	assert_near(o.projected_held, 0, 0.001);
}

/* No TIME_WAIT at all, and a server port (usable 0): no projection of use. */
static void test_idle_and_server(void **state)
{
	struct census_closes h;
	struct tw_outlook o;

	(void)state;
	census_closes_init(&h);
	outlook_compute(&h, 5, 0, 28232, &o);
	assert_int_equal(o.trend, TW_TREND_IDLE);
	assert_int_equal(o.quiet_ms, TW_AGE_UNKNOWN);
	assert_int_equal(o.clears_ms, 0);
	assert_string_equal(outlook_trend_name(o.trend), "idle");
	closes_between(&h, 10, 0, 60);
	outlook_compute(&h, 600, 600, 0, &o);
	assert_near(o.projected_util_pct, 0, 0.001);
	assert_true(o.exhaust_in_sec < 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sustained_load_projects),
		cmocka_unit_test(test_exhaustion_time),
		cmocka_unit_test(test_burst_is_not_projected),
		cmocka_unit_test(test_steady),
		cmocka_unit_test(test_draining),
		cmocka_unit_test(test_idle_and_server),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
