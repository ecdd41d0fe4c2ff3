/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * twscope lab: the scenario table and runner. Each scenario runs in a
 * forked child inside a fresh private network namespace (unshare), sets
 * its sysctls there, runs a bounded loopback workload, observes with the
 * project's modules and sends a JSON result to the parent through a pipe.
 * The parent enforces a wall-clock limit. Nothing here prints to stdout;
 * progress goes through the env's log callback.
 */
#ifndef TWSCOPE_LAB_H
#define TWSCOPE_LAB_H

#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lab/verdict.h"

struct json_object;
struct tw_counters;

typedef void (*lab_log_fn)(const char *fmt, va_list ap);

/* What a scenario gets to work with (inside its child and namespace). */
struct lab_env {
	bool quick;
	uint64_t cost_n;		/* TIME_WAIT sockets for the cost scenario */
	lab_log_fn log;			/* may be NULL */
	bool private_netns;		/* set by the runner after unshare() succeeded */
	uint64_t deadline_ns;		/* CLOCK_MONOTONIC: every loop stops here */
};

/* What a scenario reports; serialised to JSON by the child. */
struct lab_result {
	struct json_object *setup;	/* {"sysctls":["name=value", ...], "socket_options":[...]} */
	struct json_object *observed;	/* free-form numbers, errnos, counter deltas, census */
	struct lab_check checks[LAB_MAX_CHECKS];
	size_t n_checks;
	char phase[LAB_WHAT_MAX];	/* label of the sysctls set from now on (lab_phase()) */
	char skip[LAB_REASON_MAX];
	char error[LAB_REASON_MAX];
};

struct lab_scenario {
	const char *name;
	const char *question;
	const char *source;		/* sections of docs/kernel.md, as in rules.def */
	const char *expectation;	/* one sentence */
	int timeout_s;			/* wall-clock limit (quick and full) */
	int timeout_full_s;
	int (*run)(struct lab_env *env, struct lab_result *res);
};

/* The scenario table, in presentation order. */
extern const struct lab_scenario *const lab_scenarios[];
extern const size_t lab_n_scenarios;

/* lab_find() - scenario by exact name, or NULL. */
const struct lab_scenario *lab_find(const char *name);

/* lab_suggest() - the closest scenario name (edit distance <= 3), or NULL. */
const char *lab_suggest(const char *name);

/* Outcome of one scenario as seen by the parent. */
struct lab_outcome {
	const struct lab_scenario *scn;
	enum lab_verdict verdict;
	char diff[1024];		/* differs: the difference; skipped/error: the reason */
	struct json_object *result;	/* parsed child result (setup, observed, checks); owned */
	uint64_t duration_ns;
};

struct lab_opts {
	bool quick;
	uint64_t cost_n;
	lab_log_fn log;
	volatile sig_atomic_t *stop;	/* set by a signal handler: kill the child, return -EINTR */
};

/*
 * lab_run() - run one scenario in a child in a private netns and fill *out
 * (free with lab_outcome_done()). Returns 0 (the verdict says how it went,
 * including timeouts and child failures as LAB_ERROR), -EINTR when *stop
 * was raised (the child is killed and reaped first), or -errno when no
 * child could be started.
 */
int lab_run(const struct lab_scenario *s, const struct lab_opts *o, struct lab_outcome *out);
void lab_outcome_done(struct lab_outcome *out);

/* lab_have_privileges() - CAP_SYS_ADMIN and CAP_NET_ADMIN effective? Names the first missing one. */
bool lab_have_privileges(const char **ret_missing);

/* ---- helpers for scenarios (child side) ---- */

/* lab_log() - a step of the verbose log (through env->log). */
void lab_log(const struct lab_env *env, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* lab_time_left() - false once env->deadline_ns has passed: loops must stop. */
bool lab_time_left(const struct lab_env *env);

/*
 * lab_sysctl_set() - write a sysctl ("net.ipv4.tcp_tw_reuse") in the lab
 * namespace and record it under setup.sysctls. Refuses (-EPERM) unless the
 * runner confirmed a private netns. -ENOENT when this kernel lacks it.
 */
int lab_sysctl_set(struct lab_env *env, struct lab_result *res, const char *name, const char *value);

/*
 * lab_phase() - label the sysctls set from now on ("2. reuse on right after
 * exhaustion"); they go to setup.phases[] under it ("setup" until the first
 * call), so the report says which setting belongs to which step.
 */
void lab_phase(struct lab_result *res, const char *label);

/* lab_sysctl_has() - does this kernel have the sysctl? */
bool lab_sysctl_has(const char *name);

/* lab_setup_note() - append a string to setup.socket_options. */
void lab_setup_note(struct lab_result *res, const char *text);

/* lab_check_add() - record one expectation against an observation. */
void lab_check_add(struct lab_result *res, const char *what, enum lab_cmp cmp, int64_t expected,
		   int64_t expected_hi, int64_t observed);

/*
 * lab_check_add_dec() - lab_check_add() for fractional values, given
 * scaled by 10^decimals (1-3): 166 with 2 is shown as 1.66.
 */
void lab_check_add_dec(struct lab_result *res, const char *what, enum lab_cmp cmp, int64_t expected,
		       int64_t expected_hi, int64_t observed, int decimals);

/* shorthands */
void lab_expect_eq(struct lab_result *res, const char *what, int64_t expected, int64_t observed);
void lab_expect_ge(struct lab_result *res, const char *what, int64_t expected, int64_t observed);
void lab_expect_errno(struct lab_result *res, const char *what, int expected, int observed);

/* lab_obs_int() / lab_obs_str() / lab_obs_double() / lab_obs_obj() - add to observed. */
void lab_obs_int(struct lab_result *res, const char *key, int64_t v);
void lab_obs_str(struct lab_result *res, const char *key, const char *v);
void lab_obs_double(struct lab_result *res, const char *key, double v, int decimals);
void lab_obs_obj(struct lab_result *res, const char *key, struct json_object *o);

/* lab_fail() - mark the result as an error (the scenario could not run). Returns -EIO. */
int lab_fail(struct lab_result *res, int err, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* lab_skip() - mark the result as skipped with a reason. Returns 0. */
int lab_skip(struct lab_result *res, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* counters */
struct tw_counters *lab_counters(void);
int64_t lab_delta(const struct tw_counters *before, const struct tw_counters *after, const char *name);

/*
 * lab_obs_deltas() - record the deltas of the NULL-terminated names under
 * observed.<key> (counters missing on this kernel are left out).
 */
void lab_obs_deltas(struct lab_result *res, const char *key, const struct tw_counters *before,
		    const struct tw_counters *after, const char *const *names);

/* lab_paws_delta() - PAWSTimewait + PAWSEstab delta (6.16 moved TW rejects to their own counter). */
int64_t lab_paws_delta(const struct tw_counters *before, const struct tw_counters *after);

/* lab_sockstat_tw() - sockstat "tw" of this netns, or -errno. */
int64_t lab_sockstat_tw(void);

/* lab_wait_tw() - poll sockstat tw until it equals want or timeout_ms passes; returns the last value. */
int64_t lab_wait_tw(const struct lab_env *env, int64_t want, int timeout_ms);

/*
 * lab_census() - collect_census() of the lab netns (all states, v4+v6)
 * and record a short excerpt (states, sides, usable, timers) under
 * observed.<key> when key is not NULL. Caller frees with collect_result_done().
 */
struct collect_result;
int lab_census(struct lab_result *res, const char *key, struct collect_result *ret);

/*
 * lab_tw_timers() - min and max remaining TIME_WAIT timer (ms) and count of
 * TIME_WAIT sockets, from a sock_diag dump. 0 or -errno.
 */
int lab_tw_timers(uint32_t *ret_min_ms, uint32_t *ret_max_ms, uint64_t *ret_count);

/* lab_sleep_ms() - sleep, bounded by the env deadline. */
void lab_sleep_ms(const struct lab_env *env, unsigned int ms);

#endif
