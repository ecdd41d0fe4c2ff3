// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The lab runner: forks one child per scenario, the child unshares a fresh
 * network namespace (it dies with the child, so nothing can leak onto the
 * host), brings lo up, runs the scenario and writes its result as JSON into
 * a pipe; the parent enforces the time limit and decides the verdict.
 * Also the small helpers scenarios share. Never prints to stdout.
 */
#include "lab/lab.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <linux/capability.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <json-c/json.h>

#include "census.h"
#include "collect.h"
#include "ksettings.h"
#include "lab/labnet.h"
#include "output.h"
#include "sockdiag.h"
#include "tcpstate.h"
#include "util.h"

#define LAB_RESULT_MAX (1u << 20)

extern const struct lab_scenario lab_scn_client_exhaustion;
extern const struct lab_scenario lab_scn_server_closes_first;
extern const struct lab_scenario lab_scn_linger_reset;
extern const struct lab_scenario lab_scn_restart_reuseaddr;
extern const struct lab_scenario lab_scn_kill_timewait;
extern const struct lab_scenario lab_scn_fixed_source_port;
extern const struct lab_scenario lab_scn_bucket_overflow;
extern const struct lab_scenario lab_scn_fin_timeout;
extern const struct lab_scenario lab_scn_nat_timewait;
extern const struct lab_scenario lab_scn_snat_exhaustion;
extern const struct lab_scenario lab_scn_cost;
extern const struct lab_scenario lab_scn_connect_latency;

const struct lab_scenario *const lab_scenarios[] = {
	&lab_scn_client_exhaustion,
	&lab_scn_connect_latency,
	&lab_scn_server_closes_first,
	&lab_scn_linger_reset,
	&lab_scn_restart_reuseaddr,
	&lab_scn_kill_timewait,
	&lab_scn_fixed_source_port,
	&lab_scn_bucket_overflow,
	&lab_scn_fin_timeout,
	&lab_scn_nat_timewait,
	&lab_scn_snat_exhaustion,
	&lab_scn_cost,
};
const size_t lab_n_scenarios = ARRAY_SIZE(lab_scenarios);

const struct lab_scenario *lab_find(const char *name)
{
	for (size_t i = 0; i < lab_n_scenarios; i++)
		if (strcmp(lab_scenarios[i]->name, name) == 0)
			return lab_scenarios[i];
	return NULL;
}

const char *lab_suggest(const char *name)
{
	const char *best = NULL;
	size_t best_d = 4;

	for (size_t i = 0; i < lab_n_scenarios; i++) {
		const char *n = lab_scenarios[i]->name;
		size_t d = str_distance(name, n);

		/* a unique-enough prefix or substring also counts as a near miss */
		if (strlen(name) >= 3 && strstr(n, name))
			d = d < 2 ? d : 2;
		if (d < best_d) {
			best_d = d;
			best = n;
		}
	}
	return best;
}

bool lab_have_privileges(const char **ret_missing)
{
	struct __user_cap_header_struct hdr = { .version = _LINUX_CAPABILITY_VERSION_3 };
	struct __user_cap_data_struct data[2] = {};

	if (syscall(SYS_capget, &hdr, data) < 0) {
		*ret_missing = "CAP_SYS_ADMIN";
		return false;
	}
	if (!(data[0].effective & (1u << CAP_SYS_ADMIN))) {
		*ret_missing = "CAP_SYS_ADMIN";
		return false;
	}
	if (!(data[0].effective & (1u << CAP_NET_ADMIN))) {
		*ret_missing = "CAP_NET_ADMIN";
		return false;
	}
	return true;
}

/* ---- helpers for scenarios ---- */

void lab_log(const struct lab_env *env, const char *fmt, ...)
{
	va_list ap;

	if (!env->log)
		return;
	va_start(ap, fmt);
	env->log(fmt, ap);
	va_end(ap);
}

bool lab_time_left(const struct lab_env *env)
{
	return !env->deadline_ns || now_ns() < env->deadline_ns;
}

void lab_sleep_ms(const struct lab_env *env, unsigned int ms)
{
	uint64_t want = now_ns() + (uint64_t)ms * NSEC_PER_MSEC;
	struct timespec ts;

	if (env->deadline_ns && want > env->deadline_ns)
		want = env->deadline_ns;
	while (now_ns() < want) {
		uint64_t left = want - now_ns();

		ts.tv_sec = (time_t)(left / NSEC_PER_SEC);
		ts.tv_nsec = (long)(left % NSEC_PER_SEC);
		(void) nanosleep(&ts, NULL);
	}
}

static struct json_object *setup_obj(struct lab_result *res, const char *key, bool array)
{
	struct json_object *o;

	if (!res->setup)
		res->setup = json_object_new_object();
	if (json_object_object_get_ex(res->setup, key, &o))
		return o;
	o = array ? json_object_new_array() : json_object_new_object();
	json_object_object_add(res->setup, key, o);
	return o;
}

/* The sysctls array of the current phase: the last of setup.phases[] if its label matches. */
static struct json_object *phase_sysctls(struct lab_result *res)
{
	struct json_object *phases = setup_obj(res, "phases", true), *last, *v;
	const char *label = res->phase[0] ? res->phase : "setup";
	size_t n = json_object_array_length(phases);

	if (n) {
		last = json_object_array_get_idx(phases, n - 1);
		if (json_object_object_get_ex(last, "phase", &v) &&
		    strcmp(json_object_get_string(v), label) == 0 &&
		    json_object_object_get_ex(last, "sysctls", &v))
			return v;
	}
	last = json_object_new_object();
	v = json_object_new_array();
	json_object_object_add(last, "phase", json_object_new_string(label));
	json_object_object_add(last, "sysctls", v);
	json_object_array_add(phases, last);
	return v;
}

static int sysctl_path(const char *name, char *buf, size_t len)
{
	size_t n;

	if (strncmp(name, "net.", 4) != 0 || strstr(name, "..") || strchr(name, '/'))
		return -EINVAL;
	n = (size_t)snprintf(buf, len, "/proc/sys/%s", name);
	if (n >= len)
		return -ENAMETOOLONG;
	for (char *p = buf + strlen("/proc/sys/"); *p; p++)
		if (*p == '.')
			*p = '/';
	return 0;
}

bool lab_sysctl_has(const char *name)
{
	char path[PATH_MAX];

	return sysctl_path(name, path, sizeof(path)) == 0 && access(path, F_OK) == 0;
}

int lab_sysctl_set(struct lab_env *env, struct lab_result *res, const char *name, const char *value)
{
	char path[PATH_MAX];
	ssize_t n;
	int fd, r;

	/* the one safety rule of the lab: never write a sysctl of the host */
	if (!env->private_netns)
		return -EPERM;
	r = sysctl_path(name, path, sizeof(path));
	if (r < 0)
		return r;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = write(fd, value, strlen(value));
	r = n < 0 ? -errno : 0;
	(void) close(fd);
	if (r < 0)
		return r;
	lab_log(env, "sysctl %s=%s", name, value);
	{
		char kv[PATH_MAX + 64];

		/* in order of application: a scenario may flip one sysctl several times */
		snprintf(kv, sizeof(kv), "%s=%s", name, value);
		json_object_array_add(setup_obj(res, "sysctls", true), json_object_new_string(kv));
		json_object_array_add(phase_sysctls(res), json_object_new_string(kv));
	}
	return 0;
}

void lab_phase(struct lab_result *res, const char *label)
{
	snprintf(res->phase, sizeof(res->phase), "%s", label);
}

void lab_setup_note(struct lab_result *res, const char *text)
{
	json_object_array_add(setup_obj(res, "socket_options", true), json_object_new_string(text));
}

void lab_check_add(struct lab_result *res, const char *what, enum lab_cmp cmp, int64_t expected,
		   int64_t expected_hi, int64_t observed)
{
	struct lab_check *c;

	if (res->n_checks >= LAB_MAX_CHECKS)
		return;
	c = &res->checks[res->n_checks++];
	snprintf(c->what, sizeof(c->what), "%s", what);
	c->cmp = cmp;
	c->expected = expected;
	c->expected_hi = expected_hi;
	c->observed = observed;
	c->ok = lab_check_eval(c);
}

void lab_check_add_dec(struct lab_result *res, const char *what, enum lab_cmp cmp, int64_t expected,
		       int64_t expected_hi, int64_t observed, int decimals)
{
	lab_check_add(res, what, cmp, expected, expected_hi, observed);
	if (res->n_checks && strcmp(res->checks[res->n_checks - 1].what, what) == 0)
		res->checks[res->n_checks - 1].decimals = decimals;
}

void lab_expect_eq(struct lab_result *res, const char *what, int64_t expected, int64_t observed)
{
	lab_check_add(res, what, LAB_CMP_EQ, expected, 0, observed);
}

void lab_expect_ge(struct lab_result *res, const char *what, int64_t expected, int64_t observed)
{
	lab_check_add(res, what, LAB_CMP_GE, expected, 0, observed);
}

void lab_expect_errno(struct lab_result *res, const char *what, int expected, int observed)
{
	lab_check_add(res, what, LAB_CMP_ERRNO, expected < 0 ? -expected : expected, 0,
		      observed < 0 ? -observed : observed);
}

static struct json_object *observed(struct lab_result *res)
{
	if (!res->observed)
		res->observed = json_object_new_object();
	return res->observed;
}

void lab_obs_int(struct lab_result *res, const char *key, int64_t v)
{
	json_object_object_add(observed(res), key, json_object_new_int64(v));
}

void lab_obs_str(struct lab_result *res, const char *key, const char *v)
{
	json_object_object_add(observed(res), key, json_object_new_string(v));
}

void lab_obs_double(struct lab_result *res, const char *key, double v, int decimals)
{
	json_object_object_add(observed(res), key, out_json_double(v, decimals));
}

void lab_obs_obj(struct lab_result *res, const char *key, struct json_object *o)
{
	json_object_object_add(observed(res), key, o);
}

int lab_fail(struct lab_result *res, int err, const char *fmt, ...)
{
	char msg[LAB_REASON_MAX / 2];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (err)
		snprintf(res->error, sizeof(res->error), "%s: %s", msg, strerror(err < 0 ? -err : err));
	else
		snprintf(res->error, sizeof(res->error), "%s", msg);
	return -EIO;
}

int lab_skip(struct lab_result *res, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(res->skip, sizeof(res->skip), fmt, ap);
	va_end(ap);
	return 0;
}

struct tw_counters *lab_counters(void)
{
	struct tw_counters *c = NULL;

	if (ksettings_counters(&c) < 0)
		return tw_counters_new();
	return c;
}

int64_t lab_delta(const struct tw_counters *before, const struct tw_counters *after, const char *name)
{
	uint64_t a = 0, b = 0;

	if (!before || !after)
		return 0;
	(void) tw_counters_get(before, name, &b);
	(void) tw_counters_get(after, name, &a);
	return (int64_t)(a - b);
}

void lab_obs_deltas(struct lab_result *res, const char *key, const struct tw_counters *before,
		    const struct tw_counters *after, const char *const *names)
{
	struct json_object *o = json_object_new_object();
	uint64_t v;

	for (size_t i = 0; names[i]; i++)
		if (tw_counters_get(after, names[i], &v))
			json_object_object_add(o, names[i],
					       json_object_new_int64(lab_delta(before, after, names[i])));
	lab_obs_obj(res, key, o);
}

int64_t lab_paws_delta(const struct tw_counters *before, const struct tw_counters *after)
{
	return lab_delta(before, after, "TcpExt.PAWSTimewait") + lab_delta(before, after, "TcpExt.PAWSEstab");
}

int64_t lab_sockstat_tw(void)
{
	struct tw_sockstat ss;
	int r;

	r = ksettings_sockstat(&ss);
	if (r < 0)
		return r;
	return (int64_t)ss.tcp_tw;
}

int64_t lab_wait_tw(const struct lab_env *env, int64_t want, int timeout_ms)
{
	uint64_t end = now_ns() + (uint64_t)timeout_ms * NSEC_PER_MSEC;
	int64_t tw;

	for (;;) {
		tw = lab_sockstat_tw();
		if (tw == want || now_ns() >= end || !lab_time_left(env))
			return tw;
		lab_sleep_ms(env, 10);
	}
}

int lab_census(struct lab_result *res, const char *key, struct collect_result *ret)
{
	struct census_filter f = { .v4 = true, .v6 = true, .port = -1, .dst_port = -1 };
	struct json_object *o, *t;
	const struct census *c;
	int r;

	r = collect_census(&f, NULL, ret);
	if (r < 0 || !key)
		return r;
	c = ret->census;
	o = json_object_new_object();
	json_object_object_add(o, "time_wait", json_object_new_int64((int64_t)census_total(c, TW_TIME_WAIT)));
	json_object_object_add(o, "established", json_object_new_int64((int64_t)census_total(c, TW_ESTABLISHED)));
	json_object_object_add(o, "fin_wait2", json_object_new_int64((int64_t)census_total(c, TW_FIN_WAIT2)));
	json_object_object_add(o, "fin_wait2_orphan", json_object_new_int64((int64_t)c->fw2_orphan));
	json_object_object_add(o, "tw_client_side", json_object_new_int64((int64_t)c->tw_side[TW_SIDE_CLIENT]));
	json_object_object_add(o, "tw_server_side", json_object_new_int64((int64_t)c->tw_side[TW_SIDE_SERVER]));
	json_object_object_add(o, "usable_ports", json_object_new_int64(c->usable));
	t = json_object_new_array();
	for (size_t i = 0; i < TW_TIMER_BUCKETS; i++)
		json_object_array_add(t, json_object_new_int64((int64_t)c->tw_timer[i]));
	json_object_object_add(o, "tw_timer_5s_buckets", t);
	json_object_object_add(o, "sockstat_tw", json_object_new_int64((int64_t)ret->sockstat.tcp_tw));
	json_object_object_add(o, "census_ms", out_json_double((double)ret->duration_ns / 1e6, 2));
	lab_obs_obj(res, key, o);
	return 0;
}

struct tw_timer_acc {
	uint32_t min_ms;
	uint32_t max_ms;
	uint64_t n;
};

static int tw_timer_cb(const struct tw_sock *sk, void *data)
{
	struct tw_timer_acc *a = data;

	if (sk->state != TW_TIME_WAIT)
		return 0;
	if (a->n == 0 || sk->expires_ms < a->min_ms)
		a->min_ms = sk->expires_ms;
	if (sk->expires_ms > a->max_ms)
		a->max_ms = sk->expires_ms;
	a->n++;
	return 0;
}

int lab_tw_timers(uint32_t *ret_min_ms, uint32_t *ret_max_ms, uint64_t *ret_count)
{
	struct tw_timer_acc a = {};
	struct sockdiag *sd = NULL;
	int r;

	r = sockdiag_open(&sd);
	if (r < 0)
		return r;
	r = sockdiag_dump(sd, AF_INET, TW_STATE_BIT(TW_TIME_WAIT), tw_timer_cb, &a, NULL);
	sd = sockdiag_close(sd);
	if (r < 0)
		return r;
	*ret_min_ms = a.min_ms;
	*ret_max_ms = a.max_ms;
	*ret_count = a.n;
	return 0;
}

/* ---- the runner ---- */

static struct json_object *checks_json(const struct lab_result *res)
{
	struct json_object *a = json_object_new_array();
	char exp[LAB_TEXT_MAX], obs[LAB_TEXT_MAX];

	for (size_t i = 0; i < res->n_checks; i++) {
		const struct lab_check *c = &res->checks[i];
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "what", json_object_new_string(c->what));
		json_object_object_add(o, "expected", json_object_new_string(lab_check_expected_text(c, exp, sizeof(exp))));
		json_object_object_add(o, "observed", json_object_new_string(lab_check_observed_text(c, obs, sizeof(obs))));
		json_object_object_add(o, "ok", json_object_new_boolean(c->ok));
		/* raw values so the parent can re-decide the verdict */
		json_object_object_add(o, "cmp", json_object_new_int(c->cmp));
		json_object_object_add(o, "expected_value", json_object_new_int64(c->expected));
		json_object_object_add(o, "expected_hi", json_object_new_int64(c->expected_hi));
		json_object_object_add(o, "observed_value", json_object_new_int64(c->observed));
		json_object_object_add(o, "decimals", json_object_new_int(c->decimals));
		json_object_array_add(a, o);
	}
	return a;
}

static int write_all(int fd, const char *buf, size_t len)
{
	while (len) {
		ssize_t n = write(fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -errno;
		buf += n;
		len -= (size_t)n;
	}
	return 0;
}

static bool is_private_netns(ino_t host_ino)
{
	struct stat st;

	return stat("/proc/self/ns/net", &st) == 0 && st.st_ino != host_ino;
}

/* Runs in the child; never returns. */
static void __attribute__((noreturn)) child_main(const struct lab_scenario *s, const struct lab_opts *o,
						  int wfd, ino_t host_ino, uint64_t deadline_ns, pid_t parent)
{
	struct lab_env env = {
		.quick = o->quick, .cost_n = o->cost_n, .log = o->log, .deadline_ns = deadline_ns,
	};
	struct lab_result res = {};
	struct json_object *doc;
	const char *text;
	int r;

	(void) signal(SIGINT, SIG_DFL);
	(void) signal(SIGTERM, SIG_DFL);
	(void) signal(SIGPIPE, SIG_DFL);
	(void) prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() != parent)
		_exit(3);
	if (unshare(CLONE_NEWNET) < 0) {
		lab_fail(&res, -errno, "cannot create a private network namespace (unshare)");
	} else if (!is_private_netns(host_ino)) {
		lab_fail(&res, 0, "unshare() succeeded but the network namespace did not change");
	} else {
		env.private_netns = true;
		r = labnet_lo_up();
		if (r < 0)
			lab_fail(&res, r, "cannot bring lo up in the lab namespace");
		else
			(void) s->run(&env, &res);
	}
	doc = json_object_new_object();
	json_object_object_add(doc, "setup", res.setup ? res.setup : json_object_new_object());
	json_object_object_add(doc, "observed", res.observed ? res.observed : json_object_new_object());
	json_object_object_add(doc, "checks", checks_json(&res));
	json_object_object_add(doc, "skip", json_object_new_string(res.skip));
	json_object_object_add(doc, "error", json_object_new_string(res.error));
	text = json_object_to_json_string_ext(doc, JSON_C_TO_STRING_PLAIN);
	r = write_all(wfd, text, strlen(text));
	json_object_put(doc);
	_exit(r < 0 ? 2 : 0);
}

static void kill_reap(pid_t pid)
{
	(void) kill(pid, SIGKILL);
	while (waitpid(pid, NULL, 0) < 0 && errno == EINTR)
		;
}

/* Re-decide the verdict in the parent from the raw check values. */
static void decide(struct lab_outcome *out, const char *error)
{
	struct lab_check checks[LAB_MAX_CHECKS];
	struct json_object *a, *v;
	const char *skip = "", *err = error;
	size_t n = 0;

	if (!err[0] && out->result && json_object_object_get_ex(out->result, "error", &v))
		err = json_object_get_string(v);
	if (out->result && json_object_object_get_ex(out->result, "skip", &v))
		skip = json_object_get_string(v);
	if (out->result && json_object_object_get_ex(out->result, "checks", &a)) {
		for (size_t i = 0; i < json_object_array_length(a) && n < LAB_MAX_CHECKS; i++) {
			struct json_object *c = json_object_array_get_idx(a, i), *f;
			struct lab_check *k = &checks[n++];

			memset(k, 0, sizeof(*k));
			if (json_object_object_get_ex(c, "what", &f))
				snprintf(k->what, sizeof(k->what), "%s", json_object_get_string(f));
			if (json_object_object_get_ex(c, "cmp", &f))
				k->cmp = (enum lab_cmp)json_object_get_int(f);
			if (json_object_object_get_ex(c, "expected_value", &f))
				k->expected = json_object_get_int64(f);
			if (json_object_object_get_ex(c, "expected_hi", &f))
				k->expected_hi = json_object_get_int64(f);
			if (json_object_object_get_ex(c, "observed_value", &f))
				k->observed = json_object_get_int64(f);
			if (json_object_object_get_ex(c, "decimals", &f))
				k->decimals = json_object_get_int(f);
			k->ok = lab_check_eval(k);
		}
	}
	out->verdict = lab_verdict_decide(checks, n, skip, err, out->diff, sizeof(out->diff));
	if (out->verdict == LAB_ERROR && err && err[0])
		snprintf(out->diff, sizeof(out->diff), "%s", err);
	else if (out->verdict == LAB_SKIPPED)
		snprintf(out->diff, sizeof(out->diff), "%s", skip);
}

int lab_run(const struct lab_scenario *s, const struct lab_opts *o, struct lab_outcome *out)
{
	int timeout_s = o->quick ? s->timeout_s : s->timeout_full_s;
	uint64_t start = now_ns(), end = start + (uint64_t)timeout_s * NSEC_PER_SEC;
	char error[LAB_REASON_MAX] = "";
	size_t len = 0, cap = 65536;
	_cleanup_free_ char *buf = NULL;
	struct stat host;
	int pfd[2], status, r = 0;
	pid_t pid, parent = getpid();

	memset(out, 0, sizeof(*out));
	out->scn = s;
	if (stat("/proc/self/ns/net", &host) < 0)
		return -errno;
	buf = malloc(cap);
	if (!buf)
		return -ENOMEM;
	if (pipe2(pfd, O_CLOEXEC) < 0)
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		r = -errno;
		(void) close(pfd[0]);
		(void) close(pfd[1]);
		return r;
	}
	if (pid == 0) {
		(void) close(pfd[0]);
		/* the scenario's own loops stop 2 s before the parent's hard limit */
		child_main(s, o, pfd[1], host.st_ino, end - 2 * NSEC_PER_SEC, parent);
	}
	(void) close(pfd[1]);
	for (;;) {
		struct pollfd p = { .fd = pfd[0], .events = POLLIN };
		uint64_t now = now_ns();
		ssize_t n;

		if (o->stop && *o->stop) {
			r = -EINTR;
			break;
		}
		if (now >= end) {
			snprintf(error, sizeof(error), "timed out after %d s; the scenario was killed", timeout_s);
			break;
		}
		r = poll(&p, 1, (int)((end - now) / NSEC_PER_MSEC) + 1);
		if (r < 0 && errno == EINTR) {
			r = 0;
			continue;
		}
		if (r < 0) {
			r = -errno;
			break;
		}
		r = 0;
		if (!p.revents)
			continue;
		if (len + 4096 > cap) {
			char *nb;

			if (cap >= LAB_RESULT_MAX) {
				snprintf(error, sizeof(error), "the scenario's result is larger than %u bytes",
					 LAB_RESULT_MAX);
				break;
			}
			nb = realloc(buf, cap * 2);
			if (!nb) {
				r = -ENOMEM;
				break;
			}
			buf = nb;
			cap *= 2;
		}
		n = read(pfd[0], buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			r = -errno;
			break;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	(void) close(pfd[0]);
	if (r < 0 || error[0]) {
		kill_reap(pid);
		if (r < 0)
			return r;
	} else {
		while (waitpid(pid, &status, 0) < 0) {
			if (errno != EINTR) {
				status = 0;
				break;
			}
		}
		if (WIFSIGNALED(status))
			snprintf(error, sizeof(error), "the scenario's process died of signal %d",
				 WTERMSIG(status));
	}
	buf[len] = '\0';
	out->duration_ns = now_ns() - start;
	if (!error[0]) {
		out->result = json_tokener_parse(buf);
		if (!out->result || !json_object_is_type(out->result, json_type_object))
			snprintf(error, sizeof(error), "the scenario sent no readable result");
	}
	decide(out, error);
	return 0;
}

void lab_outcome_done(struct lab_outcome *out)
{
	if (out->result)
		json_object_put(out->result);
	out->result = NULL;
}
