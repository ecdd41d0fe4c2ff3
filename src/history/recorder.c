// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The recorder: sample, write, keep house. Samples are taken before the
 * write transaction opens, so the database is locked only for the inserts
 * (a few ms). The census, the counters and doctor's rules are the modules
 * stat and doctor use; nothing here reads sockets its own way or prints.
 */
#include "history/recorder.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

#include <sqlite3.h>

#include "addr.h"
#include "census.h"
#include "collect.h"
#include "doctor/advice.h"
#include "doctor/facts.h"
#include "history/db.h"
#include "history/downsample.h"
#include "ksettings.h"
#include "outlook.h"
#include "tcpstate.h"
#include "util.h"

#define REC_NAME_LEN 96
#define REC_MAX_VALUES (64 + 2 * RECORDER_MAX_TOP)
#define REC_CACHE 512

/* The counter rates recorded every second: series, unit, counters summed. */
static const struct {
	const char *series;
	const char *unit;
	const char *counters[2];
} rates[] = {
	{ "tw_rate", "TIME_WAIT/s", { "TcpExt.TW", NULL } },
	{ "active_opens_rate", "opens/s", { "Tcp.ActiveOpens", NULL } },
	{ "tw_overflow_rate", "overflows/s", { "TcpExt.TCPTimeWaitOverflow", NULL } },
	{ "paws_rate", "rejects/s", { "TcpExt.PAWSEstab", "TcpExt.PAWSActive" } },
};

#define N_RATES (sizeof(rates) / sizeof(rates[0]))

/* Census states recorded besides TIME_WAIT (from sockstat every second). */
static const unsigned int census_states[] = {
	TW_ESTABLISHED, TW_CLOSE_WAIT, TW_SYN_SENT, TW_SYN_RECV, TW_FIN_WAIT1,
	TW_FIN_WAIT2, TW_LAST_ACK, TW_CLOSING,
};

struct rec_value {
	char name[REC_NAME_LEN];
	const char *unit;
	int64_t step;
	double v;
};

struct rec_event {
	const char *severity;
	const char *id;
	char text[200];
};

struct rec_cache {
	char name[REC_NAME_LEN];
	int64_t id;
};

struct recorder {
	struct recorder_conf conf;
	struct hdb *h;
	int lock_fd;			/* flock()ed: one recorder per file */
	sqlite3_stmt *ins_raw;
	sqlite3_stmt *ins_event;

	struct rec_value vals[REC_MAX_VALUES];
	size_t n_vals;
	struct rec_event events[ADV_RULE_MAX];
	size_t n_events;

	bool have_prev;			/* counters of the previous second */
	int64_t prev_t;
	bool prev_have[N_RATES];
	uint64_t prev[N_RATES];

	int64_t last_findings;		/* t of the last evaluation, 0 = never */
	bool facts_prev_have[FC_MAX];	/* counters then, for doctor's deltas */
	uint64_t facts_prev[FC_MAX];
	uint64_t facts_prev_ns;
	enum tw_sev sev[ADV_RULE_MAX];	/* last severity of each rule */
	enum tw_sev sev_pending[ADV_RULE_MAX];

	struct rec_cache cache[REC_CACHE];
	size_t n_cache;

	uint64_t failed;		/* samples lost in the current failure streak */
	int64_t fail_since;
	bool series_full_said;
	bool census_failing;
};

static void rlog(struct recorder *rec, int err, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void rlog(struct recorder *rec, int err, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (!rec->conf.log)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rec->conf.log(rec->conf.log_data, err, msg);
}

static void fmt_time(int64_t t, char *buf, size_t len)
{
	time_t tt = (time_t)t;
	struct tm tm;

	if (!gmtime_r(&tt, &tm) || !strftime(buf, len, "%Y-%m-%dT%H:%M:%SZ", &tm))
		snprintf(buf, len, "%lld", (long long)t);
}

static void add_value(struct recorder *rec, const char *name, const char *unit, int64_t step,
		      double v)
{
	struct rec_value *x;

	if (rec->n_vals >= REC_MAX_VALUES)
		return;
	x = &rec->vals[rec->n_vals++];
	snprintf(x->name, sizeof(x->name), "%s", name);
	x->unit = unit;
	x->step = step;
	x->v = v;
}

/* The O(1) figures: sockstat, counter rates, conntrack. */
static void sample_fast(struct recorder *rec, int64_t t)
{
	struct tw_counters *c = NULL;
	struct tw_sockstat ss;
	int64_t ct;

	if (ksettings_sockstat(&ss) == 0 && ss.have_tcp) {
		add_value(rec, "time_wait", "sockets", 1, (double)ss.tcp_tw);
		add_value(rec, "orphans", "sockets", 1, (double)ss.tcp_orphan);
	}
	if (ksettings_counters(&c) == 0) {
		for (size_t i = 0; i < N_RATES; i++) {
			uint64_t sum = 0, v;
			bool have = true;

			for (size_t k = 0; k < 2 && rates[i].counters[k]; k++) {
				if (tw_counters_get(c, rates[i].counters[k], &v))
					sum += v;
				else
					have = false;
			}
			if (have && rec->have_prev && rec->prev_have[i] && sum >= rec->prev[i] &&
			    t > rec->prev_t)
				add_value(rec, rates[i].series, rates[i].unit, 1,
					  (double)(sum - rec->prev[i]) / (double)(t - rec->prev_t));
			rec->prev_have[i] = have;
			rec->prev[i] = sum;
		}
		rec->have_prev = true;
		rec->prev_t = t;
		tw_counters_free(c);
	} else {
		rec->have_prev = false;
	}
	if (ksettings_sysctl_i64("net.netfilter.nf_conntrack_count", &ct) == 0 && ct >= 0)
		add_value(rec, "conntrack_count", "entries", 1, (double)ct);
}

/* Destination series: one per remote endpoint (several local IPs merged). */
static void add_dests(struct recorder *rec, const struct census *c, int64_t step)
{
	size_t shown = 0, first = rec->n_vals;

	for (size_t i = 0; i < c->n_dests && shown < rec->conf.top_destinations; i++) {
		const struct census_dest *d = &c->dests[i];
		char ep[TW_ENDPOINT_STRLEN], name[REC_NAME_LEN];
		struct tw_outlook o;
		bool merged = false;

		addr_format_endpoint(&d->remote, d->remote_port, ep, sizeof(ep));
		outlook_compute(&d->closes, d->held, d->time_wait, c->usable, &o);
		snprintf(name, sizeof(name), "dest_use_pct:%s", ep);
		for (size_t k = first; k < rec->n_vals; k += 2) {
			if (strcmp(rec->vals[k].name, name) != 0)
				continue;
			if (d->util_pct > rec->vals[k].v)
				rec->vals[k].v = d->util_pct;
			rec->vals[k + 1].v += o.rate_per_sec;
			merged = true;
			break;
		}
		if (merged || rec->n_vals + 2 > REC_MAX_VALUES)
			continue;
		add_value(rec, name, "percent", step, d->util_pct);
		snprintf(name, sizeof(name), "dest_close_rate:%s", ep);
		add_value(rec, name, "closes/s", step, o.rate_per_sec);
		shown++;
	}
}

/* Counter deltas since the previous evaluation, so rate rules see an interval. */
static void facts_deltas(struct recorder *rec, struct tw_facts *f, uint64_t now)
{
	bool have_prev = rec->facts_prev_ns != 0;

	for (int id = 0; id < FC_MAX; id++) {
		const struct facts_counter *c = &f->counter[id];

		if (have_prev && c->have && rec->facts_prev_have[id] && c->value >= rec->facts_prev[id])
			facts_set_counter(f, id, c->value, true, c->value - rec->facts_prev[id]);
		rec->facts_prev_have[id] = c->have;
		rec->facts_prev[id] = c->value;
	}
	if (have_prev)
		f->interval_ns = now - rec->facts_prev_ns;
	rec->facts_prev_ns = now;
}

/* doctor's rules on facts around this census: new or changed warnings become events. */
static int eval_findings(struct recorder *rec, const struct census *c)
{
	struct advice_report *rep = malloc(sizeof(*rep));
	struct tw_facts *f = malloc(sizeof(*f));
	int census_err, r = 0;

	if (!f || !rep) {
		r = -ENOMEM;
		goto out;
	}
	facts_init(f);
	r = facts_collect_with(f, 0, c, &census_err);
	if (r < 0) {
		facts_done(f);
		goto out;
	}
	facts_deltas(rec, f, now_ns());
	advice_eval(f, rep);
	facts_done(f);
	for (size_t i = 0; i < ADV_RULE_MAX; i++) {
		const struct advice_finding *fi = &rep->findings[i];
		enum tw_sev s = fi->sev >= TW_SEV_WARNING ? fi->sev : TW_SEV_OK;
		struct rec_event *e;

		rec->sev_pending[i] = s;
		if (s == TW_SEV_OK || s == rec->sev[i])
			continue;
		e = &rec->events[rec->n_events++];
		e->severity = advice_sev_name(s);
		e->id = advice_rule_id(i);
		snprintf(e->text, sizeof(e->text), "%s", fi->title[0] ? fi->title : advice_rule_title(i));
	}
out:
	free(f);
	free(rep);
	return r;
}

static int sample_census(struct recorder *rec, int64_t t)
{
	struct census_filter filter = { .v4 = true, .v6 = true, .port = -1, .dst_port = -1 };
	int64_t step = rec->conf.census_interval_sec;
	struct collect_result res;
	int r;

	r = collect_census(&filter, NULL, &res);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		if (!rec->census_failing)
			rlog(rec, r, "census failed, recording without it until it works");
		rec->census_failing = true;
		return 0;
	}
	if (rec->census_failing)
		rlog(rec, 0, "census works again");
	rec->census_failing = false;
	for (size_t i = 0; i < ARRAY_SIZE(census_states); i++)
		add_value(rec, tcpstate_name(census_states[i]), "sockets", step,
			  (double)census_total(res.census, census_states[i]));
	add_value(rec, "tw_client", "sockets", step, (double)res.census->tw_side[TW_SIDE_CLIENT]);
	add_value(rec, "tw_server", "sockets", step, (double)res.census->tw_side[TW_SIDE_SERVER]);
	add_dests(rec, res.census, step);
	if (rec->conf.findings_interval_sec &&
	    (!rec->last_findings || t - rec->last_findings >= rec->conf.findings_interval_sec)) {
		r = eval_findings(rec, res.census);
		if (r == 0)
			rec->last_findings = t;
	}
	collect_result_done(&res);
	return r == -ENOMEM ? r : 0;
}

static int series_id(struct recorder *rec, const struct rec_value *v, int64_t *ret)
{
	int r;

	for (size_t i = 0; i < rec->n_cache; i++)
		if (strcmp(rec->cache[i].name, v->name) == 0) {
			*ret = rec->cache[i].id;
			return 0;
		}
	r = hdb_series_id(rec->h, v->name, v->unit, v->step, ret);
	if (r < 0)
		return r;
	if (rec->n_cache == REC_CACHE)
		rec->n_cache = 0;
	snprintf(rec->cache[rec->n_cache].name, REC_NAME_LEN, "%s", v->name);
	rec->cache[rec->n_cache++].id = *ret;
	return 0;
}

static int write_sample(struct recorder *rec, int64_t t)
{
	int r;

	r = hdb_exec(rec->h, "BEGIN IMMEDIATE");
	if (r < 0)
		return r;
	for (size_t i = 0; i < rec->n_vals; i++) {
		int64_t id;

		r = series_id(rec, &rec->vals[i], &id);
		if (r == -E2BIG) {
			if (!rec->series_full_said)
				rlog(rec, 0, "%d series already: '%s' not recorded", HDB_MAX_SERIES,
				     rec->vals[i].name);
			rec->series_full_said = true;
			continue;
		}
		if (r < 0)
			goto fail;
		sqlite3_reset(rec->ins_raw);
		sqlite3_bind_int64(rec->ins_raw, 1, t);
		sqlite3_bind_int64(rec->ins_raw, 2, id);
		sqlite3_bind_double(rec->ins_raw, 3, rec->vals[i].v);
		r = hdb_errno(sqlite3_step(rec->ins_raw));
		if (r < 0)
			goto fail;
	}
	for (size_t i = 0; i < rec->n_events; i++) {
		const struct rec_event *e = &rec->events[i];

		sqlite3_reset(rec->ins_event);
		sqlite3_bind_int64(rec->ins_event, 1, t);
		sqlite3_bind_text(rec->ins_event, 2, e->severity, -1, SQLITE_STATIC);
		sqlite3_bind_text(rec->ins_event, 3, e->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(rec->ins_event, 4, e->text, -1, SQLITE_STATIC);
		r = hdb_errno(sqlite3_step(rec->ins_event));
		if (r < 0)
			goto fail;
	}
	r = hdb_exec(rec->h, "COMMIT");
	if (r < 0)
		goto fail;
	return 0;
fail:
	sqlite3_reset(rec->ins_raw);
	sqlite3_reset(rec->ins_event);
	(void) hdb_exec(rec->h, "ROLLBACK");
	/* Series created in the rolled-back transaction are gone again. */
	rec->n_cache = 0;
	return r;
}

static void size_cap(struct recorder *rec)
{
	uint64_t used, file;
	enum history_tier tier;
	int64_t until;
	char when[32];
	int r;

	if (downsample_size(rec->h, &used, &file) < 0)
		return;
	if (file > rec->conf.max_size_bytes && file > used) {
		(void) downsample_vacuum(rec->h, 1024);
		return;
	}
	if (used <= rec->conf.max_size_bytes)
		return;
	r = downsample_trim(rec->h, RECORDER_TRIM_SPAN_SEC, &tier, &until);
	if (r < 0) {
		rlog(rec, r, "cannot drop old rows over --max-size");
		return;
	}
	if (r == 0)
		return;
	fmt_time(until, when, sizeof(when));
	rlog(rec, 0, "database over --max-size (%llu MiB): dropped %s rows before %s",
	     (unsigned long long)(rec->conf.max_size_bytes >> 20), history_tier_name(tier), when);
	(void) downsample_vacuum(rec->h, 1024);
}

/* One bounded step of downsampling, retention and the size cap. */
static void housekeeping(struct recorder *rec, int64_t t)
{
	int64_t b;
	int r = 0;

	for (int i = 0; i < 2 && r >= 0; i++)
		r = downsample_step(rec->h, HISTORY_TIER_MIN, t, &b);
	if (r >= 0)
		r = downsample_step(rec->h, HISTORY_TIER_HOUR, t, &b);
	if (r >= 0)
		r = downsample_expire(rec->h, rec->conf.keep_sec, t);
	if (r >= 0 && t % RECORDER_SIZE_CHECK_SEC == 0)
		size_cap(rec);
	/* A full disk is already being reported by the sample writes. */
	if (r < 0 && r != -ENOSPC && !rec->failed)
		rlog(rec, r, "downsampling failed, trying again next second");
}

int recorder_tick(struct recorder *rec, int64_t t)
{
	char when[32];
	int r;

	rec->n_vals = 0;
	rec->n_events = 0;
	memcpy(rec->sev_pending, rec->sev, sizeof(rec->sev));
	sample_fast(rec, t);
	if (t % rec->conf.census_interval_sec == 0) {
		r = sample_census(rec, t);
		if (r < 0)
			return r;
	}
	r = write_sample(rec, t);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		if (!rec->failed++) {
			rec->fail_since = t;
			fmt_time(t, when, sizeof(when));
			rlog(rec, r, "cannot write the sample of %s, retrying every second", when);
		}
		return 0;
	}
	memcpy(rec->sev, rec->sev_pending, sizeof(rec->sev));
	if (rec->failed) {
		fmt_time(rec->fail_since, when, sizeof(when));
		rlog(rec, 0, "writing again: %llu samples since %s lost",
		     (unsigned long long)rec->failed, when);
		rec->failed = 0;
	}
	housekeeping(rec, t);
	return 0;
}

int recorder_run(struct recorder *rec, int stop_fd)
{
	int64_t last = 0;

	for (;;) {
		struct pollfd p = { .fd = stop_fd, .events = POLLIN };
		struct timespec ts;
		int64_t wait_ms;
		int r;

		clock_gettime(CLOCK_REALTIME, &ts);
		/* Wake just after the next whole second. */
		wait_ms = (1000000000 - ts.tv_nsec) / 1000000 + 1;
		r = poll(&p, 1, (int)wait_ms);
		if (r < 0 && errno != EINTR)
			return -errno;
		if (r > 0)
			return 0;
		clock_gettime(CLOCK_REALTIME, &ts);
		/* The clock was stepped back: go on from the new time. */
		if (ts.tv_sec + 2 < last)
			last = ts.tv_sec - 1;
		if (ts.tv_sec <= last)
			continue;
		last = ts.tv_sec;
		r = recorder_tick(rec, ts.tv_sec);
		if (r < 0)
			return r;
	}
}

static int write_meta(struct recorder *rec)
{
	char host[256];
	int r;

	if (gethostname(host, sizeof(host)) < 0)
		snprintf(host, sizeof(host), "%s", "");
	host[sizeof(host) - 1] = '\0';
	r = hdb_meta_set_text(rec->h, "host", host);
	if (r == 0)
		r = hdb_meta_set_text(rec->h, "netns", rec->conf.netns_label ? rec->conf.netns_label : "host");
	for (int t = 0; r == 0 && t < HISTORY_TIER_MAX; t++) {
		char key[32];

		snprintf(key, sizeof(key), "keep_%d", t);
		r = hdb_meta_set_i64(rec->h, key, rec->conf.keep_sec[t]);
	}
	if (r == 0)
		r = hdb_meta_set_i64(rec->h, "census_interval", rec->conf.census_interval_sec);
	return r;
}

/*
 * Two recorders on one file would interleave their samples: the second is
 * refused. flock() locks are apart from SQLite's fcntl() locks on Linux, so
 * this lock on the database file itself leaves SQLite's alone.
 */
static int lock_file(struct recorder *rec, const char *path)
{
	rec->lock_fd = open(path, O_RDONLY | O_CLOEXEC);
	if (rec->lock_fd < 0)
		return -errno;
	if (flock(rec->lock_fd, LOCK_EX | LOCK_NB) < 0)
		return errno == EWOULDBLOCK ? -EBUSY : -errno;
	return 0;
}

int recorder_open(const char *path, const struct recorder_conf *conf, struct recorder **ret)
{
	struct recorder *rec = calloc(1, sizeof(*rec));
	int r;

	if (!rec)
		return -ENOMEM;
	rec->conf = *conf;
	if (!rec->conf.census_interval_sec)
		rec->conf.census_interval_sec = RECORDER_DEFAULT_CENSUS_SEC;
	if (rec->conf.top_destinations > RECORDER_MAX_TOP)
		rec->conf.top_destinations = RECORDER_MAX_TOP;
	rec->lock_fd = -EBADF;
	r = hdb_open(path, true, &rec->h);
	if (r == 0)
		r = lock_file(rec, path);
	if (r == 0)
		r = write_meta(rec);
	if (r == 0)
		r = hdb_prepare(rec->h, "INSERT OR REPLACE INTO raw VALUES (?, ?, ?)", &rec->ins_raw);
	if (r == 0)
		r = hdb_prepare(rec->h, "INSERT INTO events VALUES (?, ?, ?, ?)", &rec->ins_event);
	if (r < 0) {
		recorder_close(rec);
		return r;
	}
	*ret = rec;
	return 0;
}

struct recorder *recorder_close(struct recorder *rec)
{
	if (!rec)
		return NULL;
	sqlite3_finalize(rec->ins_raw);
	sqlite3_finalize(rec->ins_event);
	rec->h = hdb_close(rec->h);
	if (rec->lock_fd >= 0)
		(void) close(rec->lock_fd);
	free(rec);
	return NULL;
}
