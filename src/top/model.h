/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * top model: what `twscope top` shows each interval, gathered from the
 * existing engines (sockstat and counters every interval; collect/census,
 * outlook and culprit only as often as the census's measured cost allows).
 * Rows per destination, server port or namespace, sorted and filtered here.
 * No printing and no terminal here.
 */
#ifndef TWSCOPE_TOP_MODEL_H
#define TWSCOPE_TOP_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "census.h"
#include "doctor/culprit.h"
#include "ksettings.h"
#include "outlook.h"

#define TOP_NAME_MAX 256
#define TOP_ROWS_MAX 1000		/* rows kept per kind (worst first) */
#define TOP_BUDGET_PCT 10		/* share of wall time the census may take */
#define TOP_CULPRIT_PORTS 8		/* server ports whose listener is looked up */

enum top_kind {
	TOP_ROW_DEST,		/* (local IP, remote IP, remote port) this host connects to */
	TOP_ROW_PORT,		/* a local server port */
	TOP_ROW_NETNS,		/* a network namespace (-A) */
};

struct top_row {
	enum top_kind kind;
	char name[TOP_NAME_MAX];	/* dest "1.2.3.4:80", port ":8080", netns label (raw) */
	char src[TOP_NAME_MAX];		/* dest: the local IP; netns: its worst destination */
	uint64_t held;			/* dest, netns: ports held (toward its worst dest); port: sockets */
	uint32_t usable;		/* usable ephemeral ports; 0 = not applicable */
	double use_pct;			/* held / usable * 100; -1 = not applicable */
	uint64_t time_wait;
	double rate_per_sec;		/* closes/s over the recent window */
	double proj_pct;		/* projected use; -1 = not applicable */
	double exhaust_sec;		/* until use reaches 100 %; -1 = never */
	enum tw_trend trend;
	int culprit_pid;		/* 0 = not known */
	char culprit_comm[CULPRIT_COMM_LEN];	/* raw bytes: render with safetext */
};

struct top_rates {
	bool valid;			/* false until two samples exist */
	double tw;			/* TcpExt.TW: TIME_WAIT entered */
	double active_opens;		/* Tcp.ActiveOpens */
	double tw_overflow;		/* TcpExt.TCPTimeWaitOverflow */
	double paws;			/* TcpExt.PAWSEstab + PAWSActive + PAWSTimewait + PAWSPassive */
};

struct top_conf {
	struct census_filter filter;
	bool all_netns;
	size_t walk_max;		/* -A: namespaces walked (nsstat) */
	uint64_t interval_ns;
	unsigned int budget_pct;	/* 0 = TOP_BUDGET_PCT */
};

enum top_sort {
	TOP_SORT_USE,
	TOP_SORT_RATE,
	TOP_SORT_TW,
	TOP_SORT_NAME,
};

struct top_model {
	struct top_conf conf;
	uint64_t samples;		/* intervals sampled so far */
	uint64_t sampled_ns;		/* monotonic time of the last sample */
	/* every interval (O(1)) */
	int sockstat_err;
	struct tw_sockstat sockstat;
	int counters_err;
	struct top_rates rates;
	/* from the last census */
	bool have_census;
	int census_err;			/* the last census failed: -errno (older rows kept) */
	uint64_t census_at_ns;		/* when the last census started */
	uint64_t census_cost_ns;	/* what it took (census + culprit lookup) */
	uint64_t next_census_ns;	/* not before this */
	uint64_t time_wait;
	uint64_t tw_side[TW_SIDE_MAX];
	uint64_t established;
	uint64_t close_wait;
	uint64_t fw2_orphan;
	uint32_t usable;		/* of this namespace (not with -A) */
	bool culprits_partial;		/* some processes could not be inspected */
	size_t n_netns;			/* -A: namespaces entered */
	size_t n_netns_skipped;		/* -A: could not be entered */
	struct top_row *rows;
	size_t n_rows;
	/* private */
	bool have_prev;
	uint64_t prev_ns;
	uint64_t prev[4];
	bool prev_has[4];
};

/* top_model_init() - an empty model for conf (copied). */
void top_model_init(struct top_model *m, const struct top_conf *conf);

/* top_model_done() - free the rows; the model can be initialised again. */
void top_model_done(struct top_model *m);

/*
 * top_model_sample() - one interval at monotonic time now: sockstat and
 * counters always, the census (with culprits) when it is due by its cost.
 * A failed read is kept in the model (sockstat_err, counters_err,
 * census_err), not returned. Returns 1 when a census was taken, 0 when not,
 * -ENOMEM, or the -errno of a failed return to our own namespace (-A).
 */
int top_model_sample(struct top_model *m, uint64_t now);

/* top_model_census_age_ns() - age of the shown census at the last sample. */
uint64_t top_model_census_age_ns(const struct top_model *m);

/* top_model_census_every_ns() - how often the census runs at its last measured cost. */
uint64_t top_model_census_every_ns(const struct top_model *m);

/* top_model_census_stale() - is the census shown from an earlier interval (throttled or failed)? */
bool top_model_census_stale(const struct top_model *m);

/* top_rows_sort() - sort rows worst first by key (name: ascending). */
void top_rows_sort(struct top_row *rows, size_t n, enum top_sort key);

/* top_row_match() - does a row's name, source or culprit contain filter (NULL/"" = all)? */
bool top_row_match(const struct top_row *r, const char *filter);

/* top_sort_name() - "use", "rate", "time_wait" or "name". */
const char *top_sort_name(enum top_sort key);

/* top_kind_name() - "dest", "port" or "netns". */
const char *top_kind_name(enum top_kind kind);

#endif
