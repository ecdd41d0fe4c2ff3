// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Scenario nat-timewait: two "hosts behind one NAT" simulated on loopback
 * by flipping tcp_timestamps between 1 (random per-4-tuple offset) and 2
 * (raw clock) between two connections on the same 4-tuple, the server
 * closing first. A SYN with an older timestamp is PAWS-rejected by the
 * server's TIME_WAIT: with tcp_rfc1337=0 the client's RST clears it and
 * the retry connects; with tcp_rfc1337=1 the connect fails.
 */
#include "lab/lab.h"

#include <errno.h>
#include <stdio.h>

#include "ksettings.h"
#include "lab/labnet.h"
#include "util.h"

#define SPORT 9500
#define MAX_TRIES 32	/* each try is a coin flip (offset sign): 2^-32 to find none */

static const char *const counters[] = {
	"TcpExt.PAWSTimewait", "TcpExt.PAWSEstab", "TcpExt.TCPSynRetrans", "Tcp.OutRsts",
	"Tcp.AttemptFails", "TcpExt.TCPACKSkippedTimeWait", NULL,
};

struct trial {
	int err;		/* of the second connect */
	double ms;		/* its duration */
	int64_t paws;
	struct tw_counters *before, *after;
};

static int conn(int lfd, uint16_t cport, int timeout_ms, double *ret_ms)
{
	struct lab_conn_opts o = { .bind = true, .bind_port = cport, .reuseaddr = true, .timeout_ms = timeout_ms };
	uint64_t t0 = now_ns();
	int fd, r;

	r = labnet_connect(SPORT, &o, &fd);
	if (ret_ms)
		*ret_ms = (double)(now_ns() - t0) / 1e6;
	if (r < 0)
		return r;
	return labnet_finish(lfd, fd, LABNET_SERVER_FIRST);
}

static int trial(struct lab_env *env, struct lab_result *res, int lfd, const char *first,
		 const char *second, uint16_t cport, struct trial *t)
{
	int r;

	(void) lab_sysctl_set(env, res, "net.ipv4.tcp_timestamps", first);
	r = conn(lfd, cport, 2000, NULL);
	if (r < 0)
		return r;
	lab_sleep_ms(env, 50);	/* let the server reach TIME_WAIT */
	(void) lab_sysctl_set(env, res, "net.ipv4.tcp_timestamps", second);
	t->before = lab_counters();
	t->err = conn(lfd, cport, 10000, &t->ms);
	lab_sleep_ms(env, 100);
	t->after = lab_counters();
	t->paws = lab_paws_delta(t->before, t->after);
	lab_log(env, "port %u ts %s->%s: %s in %.0f ms, PAWS +%lld", cport, first, second,
		lab_errno_name(t->err), t->ms, (long long)t->paws);
	return 0;
}

static void trial_done(struct trial *t)
{
	t->before = tw_counters_free(t->before);
	t->after = tw_counters_free(t->after);
}

static int run(struct lab_env *env, struct lab_result *res)
{
	static const char *const orders[2][2] = { { "1", "2" }, { "2", "1" } };
	struct trial t = {}, ctl = {};
	int lfd, tries = 0, found = -1, r;
	uint16_t cport = 0;
	char buf[64];

	if (!lab_sysctl_has("net.ipv4.tcp_rfc1337"))
		return lab_skip(res, "this kernel has no net.ipv4.tcp_rfc1337");
	lab_phase(res, "1. tcp_rfc1337 off");
	if (lab_sysctl_set(env, res, "net.ipv4.tcp_rfc1337", "0") < 0)
		return lab_fail(res, -errno, "cannot set tcp_rfc1337");
	lfd = labnet_listen(SPORT, true, 16);
	if (lfd < 0)
		return lab_fail(res, lfd, "cannot listen on 127.0.0.1:9500");
	lab_setup_note(res, "client bind(127.0.0.1:46000+i) with SO_REUSEADDR to 127.0.0.1:9500; "
			    "the server closes first; tcp_timestamps flipped 1<->2 between the connections");

	/* control: the same timestamp clock twice is accepted without PAWS */
	lab_phase(res, "2. control: the same clock twice");
	r = trial(env, res, lfd, "1", "1", 46100, &ctl);
	if (r < 0)
		return lab_fail(res, r, "control connection failed");
	lab_obs_str(res, "control_same_clock", lab_errno_name(ctl.err));
	lab_expect_errno(res, "control (same clock): reconnect", 0, ctl.err);
	lab_expect_eq(res, "control (same clock): PAWS rejects", 0, ctl.paws);
	trial_done(&ctl);

	/* rfc1337=0: find a 4-tuple whose offset sign makes the second SYN look older */
	lab_phase(res, "3. rfc1337=0: clocks 1<->2 per trial until a SYN is rejected");
	for (tries = 1; tries <= MAX_TRIES && lab_time_left(env); tries++) {
		cport = (uint16_t)(46000 + tries);
		r = trial(env, res, lfd, orders[tries % 2][0], orders[tries % 2][1], cport, &t);
		if (r < 0)
			return lab_fail(res, r, "first connection of a trial failed");
		if (t.paws > 0) {
			found = tries % 2;
			break;
		}
		trial_done(&t);
	}
	lab_obs_int(res, "tries_until_paws_reject", found >= 0 ? tries : -1);
	lab_check_add(res, "rfc1337=0: tries until a PAWS-rejected 4-tuple", LAB_CMP_RANGE, 1, MAX_TRIES,
		      found >= 0 ? tries : -1);
	if (found < 0)
		return 0;
	snprintf(buf, sizeof(buf), "%s->%s", orders[found][0], orders[found][1]);
	lab_obs_str(res, "rejected_order", buf);
	lab_obs_int(res, "rejected_client_port", cport);
	lab_obs_str(res, "rfc1337_0_reconnect", lab_errno_name(t.err));
	lab_obs_double(res, "rfc1337_0_reconnect_ms", t.ms, 1);
	lab_obs_deltas(res, "rfc1337_0_counters", t.before, t.after, counters);
	lab_expect_errno(res, "rfc1337=0: reconnect after the PAWS reject", 0, t.err);
	lab_expect_ge(res, "rfc1337=0: PAWSTimewait+PAWSEstab delta", 1, t.paws);
	lab_expect_ge(res, "rfc1337=0: TCPSynRetrans delta (quick retransmit)", 1,
		      lab_delta(t.before, t.after, "TcpExt.TCPSynRetrans"));
	trial_done(&t);

	/* rfc1337=1 on the same 4-tuple and order: every SYN is rejected */
	lab_phase(res, "4. rfc1337=1 on the same 4-tuple");
	(void) lab_sysctl_set(env, res, "net.ipv4.tcp_rfc1337", "1");
	(void) lab_sysctl_set(env, res, "net.ipv4.tcp_syn_retries", "1");
	r = trial(env, res, lfd, orders[found][0], orders[found][1], cport, &t);
	if (r < 0)
		return lab_fail(res, r, "first connection of the rfc1337=1 trial failed");
	lab_obs_str(res, "rfc1337_1_reconnect", lab_errno_name(t.err));
	lab_obs_double(res, "rfc1337_1_reconnect_ms", t.ms, 1);
	lab_obs_deltas(res, "rfc1337_1_counters", t.before, t.after, counters);
	lab_expect_errno(res, "rfc1337=1: reconnect", ETIMEDOUT, t.err);
	lab_expect_ge(res, "rfc1337=1: PAWSTimewait+PAWSEstab delta (every SYN)", 2, t.paws);
	trial_done(&t);
	return 0;
}

const struct lab_scenario lab_scn_nat_timewait = {
	.name = "nat-timewait",
	.question = "What happens to a SYN with an older timestamp hitting the server's TIME_WAIT (clients behind NAT)?",
	.source = "docs/kernel.md#nat-timestamps, #paws-timewait, #tw-rst, #tw-timer-rearm, "
		  "#tw-syn-reopen",
	.expectation = "PAWS rejects it (PAWSTimewait rises); with tcp_rfc1337=0 the client's RST clears "
		       "the TIME_WAIT and the retry connects in milliseconds; with tcp_rfc1337=1 the "
		       "connect fails (ETIMEDOUT)",
	.timeout_s = 30,
	.timeout_full_s = 30,
	.run = run,
};
