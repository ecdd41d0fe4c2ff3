// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Scenario restart-reuseaddr: a server that closed first leaves TIME_WAIT
 * on its port; a restarted listener binds it only when SO_REUSEADDR was
 * set on the old listener (the TIME_WAIT sockets inherit it) and the new one.
 */
#include "lab/lab.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "collect.h"
#include "ksettings.h"
#include "lab/labnet.h"

static int server_tw(const struct lab_env *env, uint16_t port, bool old_reuse)
{
	int lfd, r;

	lfd = labnet_listen(port, old_reuse, 8);
	if (lfd < 0)
		return lfd;
	r = labnet_cycle(lfd, port, NULL, LABNET_SERVER_FIRST);
	(void) close(lfd);
	lab_sleep_ms(env, 20);
	return r < 0 ? r : 0;
}

static int run(struct lab_env *env, struct lab_result *res)
{
	static const struct {
		bool old_reuse, new_reuse;
		int expect;
	} cases[] = {
		{ false, false, EADDRINUSE },
		{ false, true, EADDRINUSE },
		{ true, false, EADDRINUSE },
		{ true, true, 0 },
	};
	struct collect_result cr;
	char what[96], key[48];
	int r;

	lab_setup_note(res, "old listener 127.0.0.1:PORT accepts one connection and closes it first, "
			    "then exits; a new listener binds PORT");
	for (size_t i = 0; i < 4; i++) {
		uint16_t port = (uint16_t)(9101 + i);
		int fd;

		r = server_tw(env, port, cases[i].old_reuse);
		if (r < 0)
			return lab_fail(res, r, "cannot make server-side TIME_WAIT on port %u", port);
		fd = labnet_listen(port, cases[i].new_reuse, 8);
		if (fd >= 0)
			(void) close(fd);
		snprintf(key, sizeof(key), "old_%s_new_%s", cases[i].old_reuse ? "reuseaddr" : "plain",
			 cases[i].new_reuse ? "reuseaddr" : "plain");
		lab_obs_str(res, key, lab_errno_name(fd >= 0 ? 0 : fd));
		snprintf(what, sizeof(what), "bind+listen: old SO_REUSEADDR=%d, new SO_REUSEADDR=%d",
			 cases[i].old_reuse, cases[i].new_reuse);
		lab_expect_errno(res, what, cases[i].expect, fd >= 0 ? 0 : fd);
		lab_log(env, "%s -> %s", what, lab_errno_name(fd >= 0 ? 0 : fd));
	}
	r = lab_census(res, "census", &cr);
	if (r < 0)
		return lab_fail(res, r, "census failed");
	/* the sockets that blocked the binds: one server-side TIME_WAIT per port */
	lab_expect_eq(res, "census: server-side TIME_WAIT (one per port)", 4,
		      (int64_t)cr.census->tw_side[TW_SIDE_SERVER] + (int64_t)cr.census->tw_side[TW_SIDE_UNKNOWN]);
	collect_result_done(&cr);
	return 0;
}

const struct lab_scenario lab_scn_restart_reuseaddr = {
	.name = "restart-reuseaddr",
	.question = "Can a server that closed first restart on its port while TIME_WAIT remains?",
	.source = "docs/kernel.md#reuseaddr-restart",
	.expectation = "bind() fails with EADDRINUSE unless SO_REUSEADDR is set on both the old and "
		       "the new listener",
	.timeout_s = 15,
	.timeout_full_s = 15,
	.run = run,
};
