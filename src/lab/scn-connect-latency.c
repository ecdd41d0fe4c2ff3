// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Scenario connect-latency: how long connect() takes toward one destination
 * as its ephemeral ports fill with TIME_WAIT. connect() tries the ports of
 * one parity first, then the other; past half use every connect() walks
 * the busy half before it finds a port, so it slows long before it fails.
 */
#include "lab/lab.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/socket.h>
#include <unistd.h>

#include "lab/labnet.h"
#include "util.h"

/* --quick: 8,000 ports keep the fill short; the walk past half use is then 4,000 ports
 * (with 1,000 an emulated CPU's fixed cost per connect() hid the walk). */
#define USABLE_QUICK 8000
#define USABLE_FULL 10000
#define SAMPLES_QUICK 100
#define SAMPLES_FULL 500
#define SLOWDOWN_FACTOR 3	/* "slow" = median at least this many times the idle one */

static const int levels_pct[] = { 0, 40, 50, 80, 90, 95 };

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* One timed connect(); the connection is then reset so it leaves no TIME_WAIT. */
static int timed_connect(int lfd, uint64_t *ret_ns)
{
	struct linger lg = { .l_onoff = 1, .l_linger = 0 };
	uint64_t t0 = now_ns();
	int cfd, afd, r;

	r = labnet_connect(9000, NULL, &cfd);
	*ret_ns = now_ns() - t0;
	if (r < 0)
		return r;
	afd = labnet_accept(lfd, 1000);
	(void) setsockopt(cfd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg));
	(void) close(cfd);
	if (afd >= 0)
		(void) close(afd);
	return 0;
}

/* Median and 99th percentile of n timed connects, in ns; the failures counted. */
static int measure(const struct lab_env *env, int lfd, uint64_t *ns, int n, uint64_t *ret_p50,
		   uint64_t *ret_p99, int *ret_failed)
{
	int got = 0, failed = 0;

	for (int i = 0; i < n && lab_time_left(env); i++) {
		if (timed_connect(lfd, &ns[got]) < 0)
			failed++;
		else
			got++;
	}
	*ret_failed = failed;
	if (!got)
		return -EADDRNOTAVAIL;
	qsort(ns, (size_t)got, sizeof(*ns), cmp_u64);
	*ret_p50 = ns[got / 2];
	*ret_p99 = ns[(size_t)got * 99 / 100];
	return 0;
}

static int run(struct lab_env *env, struct lab_result *res)
{
	int samples = env->quick ? SAMPLES_QUICK : SAMPLES_FULL;
	int usable = env->quick ? USABLE_QUICK : USABLE_FULL;
	uint64_t p50[ARRAY_SIZE(levels_pct)] = { 0 }, p99, *ns;
	int lfd, held = 0, failed_total = 0, slow_from = -1;
	char key[48], range[32], buckets[16];
	int64_t tw;

	snprintf(range, sizeof(range), "40000 %d", 40000 + usable - 1);
	/*
	 * A new namespace's tcp_max_tw_buckets is half the host's ehash, which
	 * a small machine sizes below the fill (4,096 with 1 GiB of RAM): past
	 * it closes leave no TIME_WAIT, the ports never fill, nothing slows.
	 */
	snprintf(buckets, sizeof(buckets), "%d", usable * 2);
	if (lab_sysctl_set(env, res, "net.ipv4.ip_local_port_range", range) < 0 ||
	    lab_sysctl_set(env, res, "net.ipv4.tcp_tw_reuse", "0") < 0 ||
	    lab_sysctl_set(env, res, "net.ipv4.tcp_max_tw_buckets", buckets) < 0)
		return lab_fail(res, -errno, "cannot set the sysctls");
	lfd = labnet_listen(9000, false, 4096);
	if (lfd < 0)
		return lab_fail(res, lfd, "cannot listen on 127.0.0.1:9000");
	lab_setup_note(res, "listener 127.0.0.1:9000; TIME_WAIT from client-first closes fill the "
			    "ports; each timed connect() is then reset (SO_LINGER 0), leaving no TIME_WAIT");
	ns = calloc((size_t)samples, sizeof(*ns));
	if (!ns)
		return lab_fail(res, -ENOMEM, "out of memory");
	for (size_t l = 0; l < ARRAY_SIZE(levels_pct); l++) {
		int want = usable * levels_pct[l] / 100, failed;

		while (held < want && lab_time_left(env)) {
			if (labnet_cycle(lfd, 9000, NULL, LABNET_CLIENT_FIRST) < 0)
				break;
			held++;
		}
		if (held < want) {
			free(ns);
			return lab_fail(res, -EADDRNOTAVAIL, "filled only %d of %d ports", held, want);
		}
		/* Each cycle must have left its TIME_WAIT, or the use level is not what it says. */
		tw = lab_sockstat_tw();
		if (tw >= 0 && tw < want) {
			free(ns);
			return lab_fail(res, -ENOSPC, "%d closes left only %lld TIME_WAIT sockets "
					"(TCPTimeWaitOverflow?)", held, (long long)tw);
		}
		if (measure(env, lfd, ns, samples, &p50[l], &p99, &failed) < 0) {
			free(ns);
			return lab_fail(res, -EADDRNOTAVAIL, "no connect() succeeded at %d%% use",
					levels_pct[l]);
		}
		failed_total += failed;
		lab_log(env, "%d%% use: connect() p50 %.1f us, p99 %.1f us", levels_pct[l],
			p50[l] / 1e3, p99 / 1e3);
		snprintf(key, sizeof(key), "use_%d_pct_p50_us", levels_pct[l]);
		lab_obs_double(res, key, p50[l] / 1e3, 1);
		snprintf(key, sizeof(key), "use_%d_pct_p99_us", levels_pct[l]);
		lab_obs_double(res, key, p99 / 1e3, 1);
		if (slow_from < 0 && l > 0 && p50[l] >= SLOWDOWN_FACTOR * p50[0])
			slow_from = levels_pct[l];
	}
	free(ns);
	lab_obs_int(res, "samples_per_level", samples);
	lab_obs_int(res, "usable_ports", usable);
	lab_obs_int(res, "slow_from_use_pct", slow_from);
	lab_expect_eq(res, "connect() failures below 100% use", 0, failed_total);
	/* Past half use the preferred parity is full: every connect() walks it first. */
	lab_check_add_dec(res, "connect() median at 90% use / idle median (times slower)", LAB_CMP_GE,
			  SLOWDOWN_FACTOR * 100, 0, (int64_t)(p50[4] * 100 / (p50[0] ? p50[0] : 1)), 2);
	return 0;
}

const struct lab_scenario lab_scn_connect_latency = {
	.name = "connect-latency",
	.question = "Does connect() slow down before the ports toward a destination run out?",
	.source = "docs/kernel.md#connect-slowdown, #port-range",
	.expectation = "connect() succeeds up to 95% use, but from about half use on its median "
		       "time is several times the idle one: it tries one parity of ports first",
	.timeout_s = 30,
	.timeout_full_s = 60,
	.run = run,
};
