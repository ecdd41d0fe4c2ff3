// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Scenario server-closes-first: when the server closes first the TIME_WAIT
 * sockets sit on the server's service port, and the client keeps
 * connecting far past its usable port count.
 */
#include "lab/lab.h"

#include <errno.h>

#include "collect.h"
#include "ksettings.h"
#include "lab/labnet.h"

static const char *const counters[] = { "TcpExt.TW", "Tcp.ActiveOpens", "Tcp.PassiveOpens", NULL };

static int run(struct lab_env *env, struct lab_result *res)
{
	int want = env->quick ? 300 : 1000, n = 0, distinct = 0, err = 0, lfd, r;
	uint8_t seen[100] = {};
	struct tw_counters *c0, *c1;
	struct collect_result cr;

	if (lab_sysctl_set(env, res, "net.ipv4.ip_local_port_range", "40000 40099") < 0 ||
	    lab_sysctl_set(env, res, "net.ipv4.tcp_tw_reuse", "0") < 0)
		return lab_fail(res, -errno, "cannot set the sysctls");
	lfd = labnet_listen(9000, false, 4096);
	if (lfd < 0)
		return lab_fail(res, lfd, "cannot listen on 127.0.0.1:9000");
	lab_setup_note(res, "listener 127.0.0.1:9000; the server closes first, the client after EOF");
	c0 = lab_counters();
	while (n < want && lab_time_left(env)) {
		r = labnet_cycle(lfd, 9000, NULL, LABNET_SERVER_FIRST);
		if (r < 0) {
			err = r;
			break;
		}
		if (r >= 40000 && r <= 40099 && !seen[r - 40000]) {
			seen[r - 40000] = 1;
			distinct++;
		}
		n++;
	}
	lab_log(env, "%d of %d connects succeeded (%s)", n, want, lab_errno_name(err));
	(void) lab_wait_tw(env, distinct, 2000);
	c1 = lab_counters();
	r = lab_census(res, "census", &cr);
	if (r < 0) {
		tw_counters_free(c0);
		tw_counters_free(c1);
		return lab_fail(res, r, "census failed");
	}
	lab_obs_int(res, "connects", n);
	lab_obs_int(res, "distinct_client_ports", distinct);
	lab_obs_str(res, "first_error", lab_errno_name(err));
	lab_obs_deltas(res, "counters", c0, c1, counters);
	lab_expect_eq(res, "usable client ports", 100, cr.census->usable);
	lab_expect_eq(res, "connects out of 3x usable and more", want, n);
	lab_expect_errno(res, "connect() errors", 0, err);
	/* a new SYN on a 4-tuple in TIME_WAIT reopens it (docs/kernel.md#tw-syn-reopen): one TIME_WAIT per client port */
	lab_expect_eq(res, "census: server-side TIME_WAIT (= distinct client ports)", distinct,
		      (int64_t)cr.census->tw_side[TW_SIDE_SERVER]);
	lab_expect_eq(res, "census: client-side TIME_WAIT", 0, (int64_t)cr.census->tw_side[TW_SIDE_CLIENT]);
	lab_expect_eq(res, "TcpExt.TW delta (one per close)", want, lab_delta(c0, c1, "TcpExt.TW"));
	lab_expect_eq(res, "Tcp.PassiveOpens delta", want, lab_delta(c0, c1, "Tcp.PassiveOpens"));
	collect_result_done(&cr);
	tw_counters_free(c0);
	tw_counters_free(c1);
	return 0;
}

const struct lab_scenario lab_scn_server_closes_first = {
	.name = "server-closes-first",
	.question = "Where does TIME_WAIT land when the server closes first, and does the client run out of ports?",
	.source = "docs/kernel.md#closer-keeps-tw, #tw-syn-reopen, #tw-reuse-conditions",
	.expectation = "every TIME_WAIT socket is on the server's port; the client connects 3x its "
		       "usable port count without EADDRNOTAVAIL; a SYN reusing a client port reopens "
		       "the server's TIME_WAIT for that 4-tuple, so server TIME_WAIT = distinct client ports",
	.timeout_s = 20,
	.timeout_full_s = 30,
	.run = run,
};
