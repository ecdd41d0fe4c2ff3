// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Scenario bucket-overflow: with tcp_max_tw_buckets small, the TIME_WAIT
 * count stops at the limit and every further active close is counted in
 * TCPTimeWaitOverflow and gets no TIME_WAIT at all.
 */
#include "lab/lab.h"

#include <errno.h>

#include "collect.h"
#include "ksettings.h"
#include "lab/labnet.h"

#define MAX_TW 5
#define CLOSES 12

static const char *const counters[] = {
	"TcpExt.TW", "TcpExt.TCPTimeWaitOverflow", "Tcp.ActiveOpens", "Tcp.OutRsts", NULL,
};

static int run(struct lab_env *env, struct lab_result *res)
{
	struct tw_counters *c0, *c1;
	struct collect_result cr;
	int lfd, n = 0, r;

	if (lab_sysctl_set(env, res, "net.ipv4.tcp_max_tw_buckets", "5") < 0)
		return lab_fail(res, -errno, "cannot set tcp_max_tw_buckets");
	lfd = labnet_listen(9000, false, 64);
	if (lfd < 0)
		return lab_fail(res, lfd, "cannot listen on 127.0.0.1:9000");
	lab_setup_note(res, "12 connections to 127.0.0.1:9000, the client closes first");
	c0 = lab_counters();
	for (int i = 0; i < CLOSES; i++) {
		r = labnet_cycle(lfd, 9000, NULL, LABNET_CLIENT_FIRST);
		if (r >= 0)
			n++;
		lab_sleep_ms(env, 5);
	}
	lab_sleep_ms(env, 100);
	c1 = lab_counters();
	r = lab_census(res, "census", &cr);
	if (r < 0) {
		tw_counters_free(c0);
		tw_counters_free(c1);
		return lab_fail(res, r, "census failed");
	}
	lab_obs_int(res, "active_closes", n);
	lab_obs_int(res, "overflowed", lab_delta(c0, c1, "TcpExt.TCPTimeWaitOverflow"));
	lab_obs_deltas(res, "counters", c0, c1, counters);
	lab_expect_eq(res, "connections closed", CLOSES, n);
	lab_expect_eq(res, "census: TIME_WAIT (capped)", MAX_TW, (int64_t)census_total(cr.census, TW_TIME_WAIT));
	lab_expect_eq(res, "sockstat tw", MAX_TW, (int64_t)cr.sockstat.tcp_tw);
	lab_expect_eq(res, "TcpExt.TW delta", MAX_TW, lab_delta(c0, c1, "TcpExt.TW"));
	lab_expect_eq(res, "TcpExt.TCPTimeWaitOverflow delta", CLOSES - MAX_TW,
		      lab_delta(c0, c1, "TcpExt.TCPTimeWaitOverflow"));
	collect_result_done(&cr);
	tw_counters_free(c0);
	tw_counters_free(c1);
	return 0;
}

const struct lab_scenario lab_scn_bucket_overflow = {
	.name = "bucket-overflow",
	.question = "What happens when tcp_max_tw_buckets is reached?",
	.source = "docs/kernel.md#tw-overflow, #tw-buckets",
	.expectation = "TIME_WAIT stays at the limit (5); the other 7 closes are counted in "
		       "TCPTimeWaitOverflow and leave no TIME_WAIT (and no log line)",
	.timeout_s = 15,
	.timeout_full_s = 15,
	.run = run,
};
