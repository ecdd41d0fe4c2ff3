// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Scenario kill-timewait: a server that closed first cannot restart on its
 * port (EADDRINUSE); twscope kill's code path (sockkill, SOCK_DESTROY)
 * destroys exactly the TIME_WAIT sockets of that port, then the restart
 * succeeds and a new connection on the same 4-tuple works.
 */
#include "lab/lab.h"

#include <errno.h>
#include <stdio.h>
#include <unistd.h>

#include "lab/labnet.h"
#include "sockkill.h"

#define KILL_PORT 9301		/* the server that wants to restart */
#define OTHER_PORT 9302		/* a bystander whose TIME_WAIT must survive */

static int server_closes_first(const struct lab_env *env, uint16_t port, enum labnet_closer who)
{
	int lfd, r;

	lfd = labnet_listen(port, false, 8);
	if (lfd < 0)
		return lfd;
	r = labnet_cycle(lfd, port, NULL, who);
	(void) close(lfd);
	lab_sleep_ms(env, 20);
	return r;
}

static int run(struct lab_env *env, struct lab_result *res)
{
	struct census_filter f = {
		.v4 = true, .v6 = true, .port = KILL_PORT, .dst_port = -1,
		.states = TW_STATE_BIT(TW_TIME_WAIT),
	};
	struct lab_conn_opts again = { .bind = true };
	struct sockkill_result kr;
	struct sockkill_plan plan;
	int client_port, fd, lfd, cfd, r;

	lab_setup_note(res, "listener 127.0.0.1:9301 (no SO_REUSEADDR) accepts one connection and "
			    "closes it first, then exits; a client closes first toward 9302");
	client_port = server_closes_first(env, KILL_PORT, LABNET_SERVER_FIRST);
	if (client_port < 0)
		return lab_fail(res, client_port, "cannot make server-side TIME_WAIT on port %u", KILL_PORT);
	r = server_closes_first(env, OTHER_PORT, LABNET_CLIENT_FIRST);
	if (r < 0)
		return lab_fail(res, r, "cannot make client-side TIME_WAIT toward port %u", OTHER_PORT);
	lab_obs_int(res, "tw_before", lab_wait_tw(env, 2, 1000));

	fd = labnet_listen(KILL_PORT, false, 8);
	if (fd >= 0)
		(void) close(fd);
	lab_obs_str(res, "restart_before", lab_errno_name(fd >= 0 ? 0 : fd));
	lab_expect_errno(res, "restart before kill: bind+listen", EADDRINUSE, fd >= 0 ? 0 : fd);

	/* twscope kill --port 9301 --state time-wait --yes, without the process around it */
	r = sockkill_plan_collect(&f, SOCKKILL_MAX_DEFAULT, &plan);
	if (r < 0)
		return lab_fail(res, r, "cannot dump the sockets of port %u", KILL_PORT);
	r = sockkill_destroy(&plan, &kr);
	sockkill_plan_done(&plan);
	if (r < 0)
		return lab_fail(res, r, "cannot open sock_diag to destroy");
	if (kr.stop_err == -EOPNOTSUPP)
		return lab_skip(res, "this kernel cannot destroy TIME_WAIT sockets (needs Linux 6.0+ with "
				     "CONFIG_INET_DIAG_DESTROY)");
	lab_obs_int(res, "destroyed", (int64_t)kr.destroyed);
	lab_obs_int(res, "failed", (int64_t)kr.failed);
	lab_expect_eq(res, "kill: TIME_WAIT sockets destroyed on the port", 1, (int64_t)kr.destroyed);
	lab_expect_eq(res, "kill: failures", 0, (int64_t)kr.failed);
	lab_expect_eq(res, "sockstat tw after kill: the bystander only", 1, lab_wait_tw(env, 1, 1000));

	lfd = labnet_listen(KILL_PORT, false, 8);
	lab_obs_str(res, "restart_after", lab_errno_name(lfd >= 0 ? 0 : lfd));
	lab_expect_errno(res, "restart after kill: bind+listen", 0, lfd >= 0 ? 0 : lfd);
	if (lfd < 0)
		return 0;
	/* the same 4-tuple: the old client's port toward the restarted server */
	again.bind_port = (uint16_t)client_port;
	r = labnet_connect(KILL_PORT, &again, &cfd);
	if (r == 0)
		r = labnet_finish(lfd, cfd, LABNET_CLIENT_FIRST);
	(void) close(lfd);
	lab_obs_int(res, "client_port", client_port);
	lab_obs_str(res, "same_tuple", lab_errno_name(r));
	lab_expect_errno(res, "new connection on the same 4-tuple", 0, r);
	lab_log(env, "restart %s, same 4-tuple %s", lab_errno_name(lfd >= 0 ? 0 : lfd), lab_errno_name(r));
	return 0;
}

const struct lab_scenario lab_scn_kill_timewait = {
	.name = "kill-timewait",
	.question = "Does destroying the TIME_WAIT sockets of a port let a server restart without "
		    "SO_REUSEADDR?",
	.source = "docs/kernel.md#diag-destroy, #reuseaddr-restart",
	.expectation = "EADDRINUSE before; SOCK_DESTROY removes exactly the port's TIME_WAIT socket, "
		       "then bind() succeeds and the old 4-tuple connects again",
	.timeout_s = 15,
	.timeout_full_s = 15,
	.run = run,
};
