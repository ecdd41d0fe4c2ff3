// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Scenario fin-timeout: tcp_fin_timeout=5 leaves TIME_WAIT at 60 s (the
 * timer is read from the census) and only shortens orphaned FIN_WAIT2,
 * which is a timewait mini-socket counted in sockstat "tw".
 */
#include "lab/lab.h"

#include <errno.h>
#include <unistd.h>

#include "collect.h"
#include "ksettings.h"
#include "lab/labnet.h"

static int run(struct lab_env *env, struct lab_result *res)
{
	struct collect_result cr;
	uint32_t min_ms, max_ms;
	uint64_t n_tw;
	int l0, l1, cfd, afd, r;

	if (lab_sysctl_set(env, res, "net.ipv4.tcp_fin_timeout", "5") < 0)
		return lab_fail(res, -errno, "cannot set tcp_fin_timeout");
	l0 = labnet_listen(9000, false, 16);
	l1 = labnet_listen(9002, false, 16);
	if (l0 < 0 || l1 < 0)
		return lab_fail(res, l0 < 0 ? l0 : l1, "cannot listen on 127.0.0.1:9000/9002");
	lab_setup_note(res, ":9000 client closes first (TIME_WAIT); :9002 the server never closes "
			    "(orphaned FIN_WAIT2)");

	r = labnet_cycle(l0, 9000, NULL, LABNET_CLIENT_FIRST);
	if (r < 0)
		return lab_fail(res, r, "TIME_WAIT connection failed");
	r = labnet_connect(9002, NULL, &cfd);
	if (r < 0)
		return lab_fail(res, r, "FIN_WAIT2 connection failed");
	afd = labnet_accept(l1, 2000);
	if (afd < 0)
		return lab_fail(res, afd, "accept failed");
	(void) close(cfd);	/* the server keeps afd open: the client sits in FIN_WAIT2 */
	(void) lab_wait_tw(env, 2, 1000);

	r = lab_census(res, "census_at_start", &cr);
	if (r < 0)
		return lab_fail(res, r, "census failed");
	r = lab_tw_timers(&min_ms, &max_ms, &n_tw);
	if (r < 0)
		return lab_fail(res, r, "sock_diag dump failed");
	lab_obs_int(res, "time_wait_timer_ms", max_ms);
	lab_expect_eq(res, "census: TIME_WAIT", 1, (int64_t)census_total(cr.census, TW_TIME_WAIT));
	lab_check_add(res, "TIME_WAIT timer left (ms) with tcp_fin_timeout=5", LAB_CMP_RANGE, 55000, 60000, max_ms);
	lab_expect_eq(res, "census: TIME_WAIT in the 55-60 s timer bucket", 1,
		      (int64_t)cr.census->tw_timer[TW_TIMER_BUCKETS - 1]);
	lab_expect_eq(res, "census: orphaned FIN_WAIT2 mini-sockets", 1, (int64_t)cr.census->fw2_orphan);
	lab_expect_eq(res, "sockstat tw (TIME_WAIT + FIN_WAIT2 mini-socket)", 2, (int64_t)cr.sockstat.tcp_tw);
	collect_result_done(&cr);

	/* after tcp_fin_timeout the FIN_WAIT2 mini-socket is gone, TIME_WAIT is not */
	lab_log(env, "waiting 5.5 s for tcp_fin_timeout");
	lab_sleep_ms(env, 5500);
	r = lab_census(res, "census_after_5_5s", &cr);
	if (r < 0)
		return lab_fail(res, r, "census failed");
	lab_expect_eq(res, "after 5.5 s: orphaned FIN_WAIT2", 0, (int64_t)cr.census->fw2_orphan);
	lab_expect_eq(res, "after 5.5 s: TIME_WAIT still there", 1, (int64_t)census_total(cr.census, TW_TIME_WAIT));
	lab_expect_eq(res, "after 5.5 s: sockstat tw", 1, (int64_t)cr.sockstat.tcp_tw);
	collect_result_done(&cr);
	(void) close(afd);
	return 0;
}

const struct lab_scenario lab_scn_fin_timeout = {
	.name = "fin-timeout",
	.question = "Does lowering tcp_fin_timeout shorten TIME_WAIT?",
	.source = "docs/kernel.md#tw-duration, #fin-timeout, #sockstat-tw",
	.expectation = "no: TIME_WAIT still starts at 60 s; only the orphaned FIN_WAIT2 "
		       "mini-socket goes away after 5 s",
	.timeout_s = 20,
	.timeout_full_s = 20,
	.run = run,
};
