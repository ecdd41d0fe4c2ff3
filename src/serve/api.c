// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * serve api: the landing page's JSON API under /api/ (docs/serve.md):
 * census, findings, series, history and info, answered from the serve state
 * and the recorder's database. No printing here.
 */
#include "serve/state.h"

#include <errno.h>
#include <stdio.h>
#include <time.h>

#include "history/history.h"	/* history_query_json() */
#include "output.h"
#include "util.h"

#define SERVE_HISTORY_DEFAULT_SEC 3600	/* /api/history without since= */

/* A JSON answer for the API: the text of o (which is consumed). */
static int api_json(struct json_object *o, unsigned int status, unsigned int *ret_status,
		    char **ret_body, size_t *ret_len)
{
	char *t = json_text(o);

	json_object_put(o);
	if (!t)
		return -ENOMEM;
	*ret_status = status;
	*ret_len = strlen(t);
	*ret_body = t;
	return 0;
}

static int api_error(unsigned int status, const char *msg, unsigned int *ret_status,
		     char **ret_body, size_t *ret_len)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return -ENOMEM;
	json_object_object_add(o, "error", json_object_new_string(msg));
	return api_json(o, status, ret_status, ret_body, ret_len);
}

/* A copy of one of st's documents (under st->lock); text NULL: 503 with why. */
static int api_copy(const char *text, const char *why, unsigned int *ret_status,
		    char **ret_body, size_t *ret_len)
{
	char *p;

	if (!text)
		return api_error(503, why, ret_status, ret_body, ret_len);
	p = strdup(text);
	if (!p)
		return -ENOMEM;
	*ret_status = 200;
	*ret_len = strlen(p);
	*ret_body = p;
	return 0;
}

/* A query parameter in unix seconds; absent: def. -EINVAL when malformed. */
static int api_time_arg(const struct httpd_api_req *req, const char *key, int64_t def,
			int64_t *ret)
{
	const char *v = httpd_api_arg(req, key);
	uint64_t u;

	if (!v || !*v) {
		*ret = def;
		return 0;
	}
	if (safe_atou64(v, &u) < 0 || u > (uint64_t)INT64_MAX / 2)
		return -EINVAL;
	*ret = (int64_t)u;
	return 0;
}

/*
 * /api/history: the recorder's database through history_query_json().
 */
static int api_history(struct serve_state *st, const struct httpd_api_req *req,
		       unsigned int *ret_status, char **ret_body, size_t *ret_len)
{
	int64_t now = time(NULL), since, until;

	if (api_time_arg(req, "until", now, &until) < 0 ||
	    api_time_arg(req, "since", until - SERVE_HISTORY_DEFAULT_SEC, &since) < 0 || since > until)
		return api_error(400, "since and until are unix seconds, since <= until", ret_status,
				 ret_body, ret_len);
	if (st->history) {
		struct json_object *o = NULL;
		int r = history_query_json(st->history, since, until, &o);

		if (r < 0) {
			char msg[128];

			snprintf(msg, sizeof(msg), "history: %s", strerror(-r));
			return api_error(500, msg, ret_status, ret_body, ret_len);
		}
		return api_json(o, 200, ret_status, ret_body, ret_len);
	}
	return api_error(404, "no history: serve runs without --history", ret_status, ret_body,
			 ret_len);
}

/* /api/info: what the page needs to know about this server before asking more. */
static int api_info(const struct serve_state *st, unsigned int *ret_status, char **ret_body,
		    size_t *ret_len)
{
	struct json_object *o = json_object_new_object();
	bool history = st->history != NULL;

	if (!o)
		return -ENOMEM;
	json_object_object_add(o, "version", json_object_new_string(TW_VERSION));
	json_object_object_add(o, "host", out_json_string(st->host, strlen(st->host)));
	json_object_object_add(o, "netns", out_json_string(st->netns, strlen(st->netns)));
	json_object_object_add(o, "findings", json_object_new_boolean(st->findings.interval_ns != 0));
	json_object_object_add(o, "findings_interval_sec",
			       out_json_double((double)st->findings.interval_ns / NSEC_PER_SEC, 3));
	json_object_object_add(o, "sample_interval_sec", json_object_new_int64(st->sample_sec));
	json_object_object_add(o, "series_samples", json_object_new_uint64(st->ring.cap));
	json_object_object_add(o, "history", json_object_new_boolean(history));
	return api_json(o, 200, ret_status, ret_body, ret_len);
}

/* Everything under /api/ (docs/serve.md). */
int serve_api(void *data, const struct httpd_api_req *req, unsigned int *ret_status,
	      char **ret_body, size_t *ret_len)
{
	struct serve_state *st = data;
	struct json_object *o;
	int64_t since;
	int r;

	if (strcmp(req->path, "census") == 0) {
		serve_update(st);
		r = api_copy(st->census_json, "census failed", ret_status, ret_body, ret_len);
		pthread_mutex_unlock(&st->lock);
		return r;
	}
	if (strcmp(req->path, "findings") == 0) {
		if (!st->findings.interval_ns)
			return api_error(404, "findings are off (--findings-interval 0)", ret_status,
					 ret_body, ret_len);
		pthread_mutex_lock(&st->lock);
		if (!st->findings_json) {
			/* nothing evaluated yet (no timer): take the first scrape now */
			pthread_mutex_unlock(&st->lock);
			serve_update(st);
		}
		r = api_copy(st->findings_json, "findings not evaluated yet", ret_status, ret_body,
			     ret_len);
		pthread_mutex_unlock(&st->lock);
		return r;
	}
	if (strcmp(req->path, "series") == 0) {
		if (api_time_arg(req, "since", 0, &since) < 0)
			return api_error(400, "since is unix seconds", ret_status, ret_body, ret_len);
		pthread_mutex_lock(&st->lock);
		o = series_json(&st->ring, since, time(NULL), st->sample_sec, st->host, st->netns);
		pthread_mutex_unlock(&st->lock);
		if (!o)
			return -ENOMEM;
		return api_json(o, 200, ret_status, ret_body, ret_len);
	}
	if (strcmp(req->path, "history") == 0)
		return api_history(st, req, ret_status, ret_body, ret_len);
	if (strcmp(req->path, "info") == 0)
		return api_info(st, ret_status, ret_body, ret_len);
	return api_error(404, "not found", ret_status, ret_body, ret_len);
}
