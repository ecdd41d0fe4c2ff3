// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Scenario linger-reset: close() with SO_LINGER {1, 0} sends a RST and
 * leaves no TIME_WAIT on either side; the counter that moves is
 * TCPAbortOnData, not TCPAbortOnLinger. A normal close is the control.
 */
#include "lab/lab.h"

#include <errno.h>
#include <sys/socket.h>
#include <unistd.h>

#include "collect.h"
#include "ksettings.h"
#include "lab/labnet.h"

static const char *const counters[] = {
	"TcpExt.TCPAbortOnData", "TcpExt.TCPAbortOnLinger", "TcpExt.TCPAbortOnClose", "TcpExt.TW",
	"Tcp.OutRsts", "Tcp.EstabResets", NULL,
};

static int run(struct lab_env *env, struct lab_result *res)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	struct tw_counters *c0, *c1;
	struct collect_result cr;
	int lfd, cfd, afd, r, peer;
	int64_t tw_control;

	lfd = labnet_listen(9000, false, 16);
	if (lfd < 0)
		return lab_fail(res, lfd, "cannot listen on 127.0.0.1:9000");
	lab_setup_note(res, "client: SO_LINGER {l_onoff=1, l_linger=0}, then close()");

	/* control: a normal client-first close leaves one TIME_WAIT */
	r = labnet_cycle(lfd, 9000, NULL, LABNET_CLIENT_FIRST);
	if (r < 0)
		return lab_fail(res, r, "control connection failed");
	tw_control = lab_wait_tw(env, 1, 1000);
	lab_obs_int(res, "control_normal_close_tw", tw_control);
	lab_expect_eq(res, "control: normal close leaves TIME_WAIT (sockstat tw)", 1, tw_control);

	r = labnet_connect(9000, NULL, &cfd);
	if (r < 0)
		return lab_fail(res, r, "connect failed");
	afd = labnet_accept(lfd, 2000);
	if (afd < 0)
		return lab_fail(res, afd, "accept failed");
	c0 = lab_counters();
	if (setsockopt(cfd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) < 0)
		return lab_fail(res, -errno, "SO_LINGER failed");
	(void) close(cfd);
	peer = labnet_wait_eof(afd, 1000);
	(void) close(afd);
	lab_sleep_ms(env, 50);
	c1 = lab_counters();
	r = lab_census(res, "census", &cr);
	if (r < 0)
		return lab_fail(res, r, "census failed");
	lab_obs_str(res, "server_read_after_reset", lab_errno_name(peer));
	lab_obs_deltas(res, "counters", c0, c1, counters);
	lab_expect_errno(res, "server's read() after the client's close", ECONNRESET, peer);
	lab_expect_eq(res, "TcpExt.TCPAbortOnData delta", 1, lab_delta(c0, c1, "TcpExt.TCPAbortOnData"));
	lab_expect_eq(res, "TcpExt.TCPAbortOnLinger delta", 0, lab_delta(c0, c1, "TcpExt.TCPAbortOnLinger"));
	lab_expect_eq(res, "Tcp.OutRsts delta", 1, lab_delta(c0, c1, "Tcp.OutRsts"));
	lab_expect_eq(res, "TcpExt.TW delta (no new TIME_WAIT)", 0, lab_delta(c0, c1, "TcpExt.TW"));
	lab_expect_eq(res, "census: TIME_WAIT (only the control's)", 1, (int64_t)census_total(cr.census, TW_TIME_WAIT));
	collect_result_done(&cr);
	tw_counters_free(c0);
	tw_counters_free(c1);
	return 0;
}

const struct lab_scenario lab_scn_linger_reset = {
	.name = "linger-reset",
	.question = "Does SO_LINGER {1,0} avoid TIME_WAIT, and which counter shows it?",
	.source = "docs/kernel.md#so-linger-rst, #counters",
	.expectation = "close() sends a RST (the peer reads ECONNRESET), no TIME_WAIT on either side, "
		       "TCPAbortOnData +1 and TCPAbortOnLinger unchanged",
	.timeout_s = 15,
	.timeout_full_s = 15,
	.run = run,
};
