/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * serve state: the last scrape of twscope serve and the one in flight,
 * shared by the HTTP threads, the sampler thread and the JSON API. Internal
 * to serve: cmd-serve.c sets it up, state.c fills it, api.c answers from it.
 */
#ifndef TWSCOPE_SERVE_STATE_H
#define TWSCOPE_SERVE_STATE_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "census.h"
#include "doctor/advice.h"
#include "doctor/facts.h"
#include "output-prom.h"
#include "serve/httpd.h"
#include "serve/series.h"

/*
 * Doctor findings, re-evaluated at most once per --findings-interval (a
 * facts collection is a second census plus a /proc walk). Touched only by
 * the thread that owns the census in flight, so it needs no lock.
 */
struct serve_findings {
	uint64_t interval_ns;		/* 0 = findings off */
	uint64_t at_ns;			/* last evaluation, 0 = never */
	size_t n;
	struct prom_finding list[ADV_RULE_MAX];
	bool have_prev;			/* counters of the previous evaluation, for deltas */
	uint64_t prev_ns;
	bool prev_have[FC_MAX];
	uint64_t prev[FC_MAX];
	char *json;			/* doctor_json() of the last evaluation, or NULL */
};

/* The last scrape and the one in flight, shared by the HTTP threads. */
struct serve_state {
	pthread_mutex_t lock;
	pthread_cond_t done;
	bool in_flight;
	uint64_t generation;	/* bumped each time a scrape completes */
	char *body;		/* last rendered /metrics, or NULL */
	size_t len;
	int err;		/* 0, or -errno when the last render failed */
	uint64_t at_ns;		/* when body was taken */
	uint64_t errors;	/* scrapes whose census failed */
	uint64_t min_interval_ns;
	size_t top;
	bool all_netns;			/* add the twscope_netns_* families (-A) */
	size_t top_netns;
	struct census_filter filter;
	struct serve_findings findings;

	/* the landing page's API, under lock like body */
	char *census_json;	/* /api/census of the last scrape, NULL when its census failed */
	char *findings_json;	/* /api/findings, NULL before the first evaluation */
	struct series_ring ring;
	unsigned int sample_sec;	/* the timer's period, 0 = no timer */
	char host[256];
	const char *netns;		/* "host" or the --netns argument */
	const char *history;		/* --history PATH, or NULL */
	/* touched only by the thread that owns the scrape in flight */
	bool have_tw_prev;
	uint64_t tw_prev;
	uint64_t tw_prev_ns;

	pthread_t sampler;
	bool have_sampler;
	bool stopping;			/* under lock; wakes the sampler through .wake */
	pthread_cond_t wake;		/* CLOCK_MONOTONIC */
};

/* json_text() - a malloc()ed copy of the plain JSON text of o, or NULL. */
static inline char *json_text(struct json_object *o)
{
	const char *t = o ? json_object_to_json_string_ext(o, JSON_C_TO_STRING_PLAIN) : NULL;

	return t ? strdup(t) : NULL;
}

/*
 * serve_update() - one census at a time (see state.c). Returns with st->lock
 * held, the newest result in st.
 */
void serve_update(struct serve_state *st);

/* serve_metrics() - the /metrics body (httpd_conf.metrics; data is the state). */
int serve_metrics(void *data, char **ret_body, size_t *ret_len);

/* serve_api() - everything under /api/ (httpd_conf.api; data is the state). */
int serve_api(void *data, const struct httpd_api_req *req, unsigned int *ret_status,
	      char **ret_body, size_t *ret_len);

/* sampler_start() / sampler_stop() - the timer thread behind /api/series. */
int sampler_start(struct serve_state *st);
void sampler_stop(struct serve_state *st);

#endif
