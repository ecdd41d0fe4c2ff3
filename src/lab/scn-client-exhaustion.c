// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Scenario client-exhaustion: a client that closes first toward one
 * destination runs out of ephemeral ports after exactly the usable count
 * (EADDRNOTAVAIL); tcp_tw_reuse=1 lets it go on once tcp_tw_reuse_delay
 * has passed, but only for TIME_WAIT sockets that carried timestamps.
 */
#include "lab/lab.h"

#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "collect.h"
#include "ksettings.h"
#include "lab/labnet.h"
#include "util.h"

#define RANGE_LO 40000
#define RANGE_HI 40099
#define MAX_TRIES 1000

static const char *const counters[] = {
	"TcpExt.TW", "TcpExt.TWRecycled", "Tcp.ActiveOpens", "Tcp.PassiveOpens", NULL,
};

/*
 * The second the kernel's pre-6.14 reuse test sees (ktime_get_seconds()): the
 * coarse monotonic clock, updated by the timekeeper at the same tick.
 * CLOCK_MONOTONIC runs up to a tick ahead of it, more on an emulated CPU, so
 * near a second boundary it names the wrong second.
 */
static int64_t kernel_second(void)
{
	struct timespec ts;

	if (clock_gettime(CLOCK_MONOTONIC_COARSE, &ts) < 0)
		return -1;
	return ts.tv_sec;
}

/* Cycle connections until the first error; returns successes, *ret_err the error. */
static int churn(const struct lab_env *env, int lfd, uint16_t port, int limit, int *ret_err)
{
	int n = 0, r = 0;

	while (n < limit && lab_time_left(env)) {
		r = labnet_cycle(lfd, port, NULL, LABNET_CLIENT_FIRST);
		if (r < 0)
			break;
		n++;
	}
	*ret_err = r < 0 ? r : 0;
	return n;
}

static int run(struct lab_env *env, struct lab_result *res)
{
	struct tw_counters *c0 = NULL, *c1 = NULL;
	struct collect_result cr;
	int64_t usable, delay_ms = 1000;
	uint64_t t_first, t_exhausted, tw_n;
	int64_t s_first, s_first_tw, s_attempt, s_attempted;
	bool has_delay_sysctl;
	uint32_t min_ms, max_ms;
	int l0, l1, l2, n, err, r = 0;
	char buf[32];

	lab_phase(res, "1. exhaust the ports, reuse off");
	if (lab_sysctl_set(env, res, "net.ipv4.ip_local_port_range", "40000 40099") < 0 ||
	    lab_sysctl_set(env, res, "net.ipv4.tcp_tw_reuse", "0") < 0 ||
	    lab_sysctl_set(env, res, "net.ipv4.tcp_timestamps", "1") < 0)
		return lab_fail(res, -errno, "cannot set the sysctls");
	has_delay_sysctl = lab_sysctl_has("net.ipv4.tcp_tw_reuse_delay");
	if (has_delay_sysctl) {
		int64_t v;

		if (ksettings_sysctl_i64("net.ipv4.tcp_tw_reuse_delay", &v) == 0)
			delay_ms = v;
	} else {
		/* compat: before 6.14 the delay was a hard-coded ~1 s (docs/kernel.md#tw-reuse-delay) */
		lab_obs_str(res, "tcp_tw_reuse_delay", "absent (kernel < 6.14): the next whole second");
	}
	lab_obs_int(res, "tcp_tw_reuse_delay_ms", delay_ms);
	l0 = labnet_listen(9000, false, 4096);
	l1 = labnet_listen(9001, false, 4096);
	l2 = labnet_listen(9002, false, 4096);
	if (l0 < 0 || l1 < 0 || l2 < 0)
		return lab_fail(res, l0 < 0 ? l0 : l1 < 0 ? l1 : l2, "cannot listen on 127.0.0.1:9000-9002");
	lab_setup_note(res, "listeners 127.0.0.1:9000, :9001, :9002; client closes first (client-side TIME_WAIT)");

	/* 1. reuse off: exactly `usable` connections, then EADDRNOTAVAIL */
	c0 = lab_counters();
	t_first = now_ns();
	s_first = kernel_second();
	/* the first connection alone: its TIME_WAIT's last timestamp is in second <= s_first_tw */
	r = labnet_cycle(l0, 9000, NULL, LABNET_CLIENT_FIRST);
	s_first_tw = kernel_second();
	if (r < 0) {
		n = 0;
		err = r;
		r = 0;
	} else {
		n = 1 + churn(env, l0, 9000, MAX_TRIES - 1, &err);
	}
	t_exhausted = now_ns();
	lab_log(env, "reuse off: %d connects, then %s", n, lab_errno_name(err));
	r = lab_census(res, "census_after_exhaustion", &cr);
	if (r < 0) {
		r = lab_fail(res, r, "census failed");
		goto out;
	}
	usable = cr.census->usable;
	lab_obs_int(res, "usable_ports", usable);
	lab_obs_int(res, "connects_before_failure", n);
	lab_obs_int(res, "failing_attempt", n + 1);
	lab_obs_str(res, "failure_errno", lab_errno_name(err));
	lab_obs_double(res, "exhaustion_ms", (double)(t_exhausted - t_first) / 1e6, 1);
	lab_expect_eq(res, "usable ports (range 40000-40099)", 100, usable);
	lab_expect_errno(res, "reuse off: connect() error once the ports are used", EADDRNOTAVAIL, err);
	lab_expect_eq(res, "reuse off: failing attempt number (usable+1)", usable + 1, n + 1);
	lab_expect_eq(res, "census: client-side TIME_WAIT", usable, (int64_t)cr.census->tw_side[TW_SIDE_CLIENT]);
	collect_result_done(&cr);

	/* 2. tcp_tw_reuse=1 right away: the TIME_WAIT sockets are younger than the delay */
	lab_phase(res, "2. reuse on right after exhaustion");
	(void) lab_sysctl_set(env, res, "net.ipv4.tcp_tw_reuse", "1");
	s_attempt = kernel_second();
	n = churn(env, l0, 9000, 1, &err);
	s_attempted = kernel_second();
	lab_obs_double(res, "reuse_immediate_oldest_tw_age_ms", (double)(now_ns() - t_first) / 1e6, 1);
	if (has_delay_sysctl) {
		if ((int64_t)((now_ns() - t_first) / NSEC_PER_MSEC) < delay_ms)
			lab_expect_errno(res, "reuse=1 before tcp_tw_reuse_delay: connect()", EADDRNOTAVAIL, err);
	} else if (s_first >= 0 && s_first == s_attempted) {
		/*
		 * compat: before 6.14 a TIME_WAIT is reusable once the kernel's
		 * second moved past the second of its last timestamp: none is
		 * while the fill and this connect() share one.
		 */
		lab_expect_errno(res, "reuse=1 within the second of the fill: connect()", EADDRNOTAVAIL, err);
	} else if (s_first_tw >= 0 && s_first_tw < s_attempt) {
		lab_expect_errno(res, "reuse=1 a second boundary after the first TIME_WAIT: connect()", 0, err);
	} else {
		/* the boundary fell inside the first connection or the attempt: either outcome is right */
		lab_obs_str(res, "reuse_immediate_errno", lab_errno_name(err));
	}
	lab_phase(res, "3. measure the ceiling, reuse off");
	(void) lab_sysctl_set(env, res, "net.ipv4.tcp_tw_reuse", "0");

	/* measured ceiling with reuse off: no port frees until the oldest TIME_WAIT expires */
	r = lab_tw_timers(&min_ms, &max_ms, &tw_n);
	if (r < 0) {
		r = lab_fail(res, r, "sock_diag dump failed");
		goto out;
	}
	{
		double until_free_s = (double)(now_ns() - t_first) / 1e9 + min_ms / 1000.0;
		double measured = usable / until_free_s, expect = usable / 60.0;

		lab_obs_int(res, "tw_min_timer_ms", min_ms);
		lab_obs_double(res, "first_port_frees_after_s", until_free_s, 2);
		lab_obs_double(res, "ceiling_measured_per_sec", measured, 2);
		lab_obs_double(res, "ceiling_usable_div_60_per_sec", expect, 2);
		/* within 5 %: the sustained rate is usable / 60 s (docs/kernel.md#port-budget) */
		lab_check_add_dec(res, "reuse off: measured ceiling in conn/s (usable / 60 s, +-5%)",
				  LAB_CMP_RANGE, (int64_t)(expect * 95), (int64_t)(expect * 105 + 1),
				  (int64_t)(measured * 100), 2);
	}

	/* 3. reuse=1 after the delay: connect() takes over TIME_WAIT 4-tuples */
	lab_phase(res, "4. reuse on after tcp_tw_reuse_delay");
	(void) lab_sysctl_set(env, res, "net.ipv4.tcp_tw_reuse", "1");
	lab_sleep_ms(env, (unsigned int)delay_ms + 300);
	c1 = lab_counters();
	n = churn(env, l0, 9000, 5, &err);
	{
		struct tw_counters *c2 = lab_counters();

		lab_obs_int(res, "reuse_after_delay_connects", n);
		lab_expect_eq(res, "reuse=1 after the delay: connects out of 5", 5, n);
		lab_expect_eq(res, "reuse=1 after the delay: TcpExt.TWRecycled delta", 5,
			      lab_delta(c1, c2, "TcpExt.TWRecycled"));
		tw_counters_free(c1);
		c1 = c2;
	}

	/* 4. timestamps off before the connections are made: no reuse possible */
	lab_phase(res, "5. timestamps off, a fresh destination");
	(void) lab_sysctl_set(env, res, "net.ipv4.tcp_timestamps", "0");
	n = churn(env, l1, 9001, MAX_TRIES, &err);
	lab_obs_int(res, "no_timestamps_connects", n);
	lab_sleep_ms(env, (unsigned int)delay_ms + 300);
	{
		struct tw_counters *c2;
		int n2 = churn(env, l1, 9001, 1, &err);

		c2 = lab_counters();
		lab_obs_str(res, "no_timestamps_after_delay_errno", lab_errno_name(err));
		lab_expect_eq(res, "timestamps off: connects to a fresh destination", usable, n);
		lab_expect_eq(res, "timestamps off, reuse=1, after the delay: connects", 0, n2);
		lab_expect_errno(res, "timestamps off, reuse=1, after the delay: connect()", EADDRNOTAVAIL, err);
		lab_expect_eq(res, "timestamps off: TcpExt.TWRecycled delta", 0,
			      lab_delta(c1, c2, "TcpExt.TWRecycled"));
		tw_counters_free(c2);
	}

	/* 5. the ceiling with reuse: reuse=1, timestamps on, shortest delay, 500 ms run */
	lab_phase(res, "6. reuse rate with the shortest delay");
	(void) lab_sysctl_set(env, res, "net.ipv4.tcp_timestamps", "1");
	if (has_delay_sysctl) {
		uint64_t t0;

		(void) lab_sysctl_set(env, res, "net.ipv4.tcp_tw_reuse_delay", "1");
		t0 = now_ns();
		n = 0;
		while (now_ns() - t0 < 500 * NSEC_PER_MSEC && n < 20000 && lab_time_left(env)) {
			if (labnet_cycle(l2, 9002, NULL, LABNET_CLIENT_FIRST) < 0)
				lab_sleep_ms(env, 1);
			else
				n++;
		}
		snprintf(buf, sizeof(buf), "%.0f", n / ((double)(now_ns() - t0) / 1e9));
		lab_obs_str(res, "reuse_delay_1ms_rate_per_sec", buf);
	}

	tw_counters_free(c1);
	c1 = lab_counters();
	lab_obs_deltas(res, "counters", c0, c1, counters);
	r = 0;
out:
	tw_counters_free(c0);
	tw_counters_free(c1);
	return r;
}

const struct lab_scenario lab_scn_client_exhaustion = {
	.name = "client-exhaustion",
	.question = "When does a client that closes first run out of ports, and what does tcp_tw_reuse change?",
	.source = "docs/kernel.md#port-budget, #eaddrnotavail, #tw-reuse-conditions, #tw-reuse-delay",
	.expectation = "connect() fails with EADDRNOTAVAIL at attempt usable+1; the sustained ceiling is "
		       "usable/60 s; tcp_tw_reuse=1 reuses TIME_WAIT after tcp_tw_reuse_delay "
		       "(TWRecycled rises), but not when the connections had no timestamps",
	.timeout_s = 30,
	.timeout_full_s = 30,
	.run = run,
};
