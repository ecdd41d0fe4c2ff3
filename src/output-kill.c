// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Table and JSON output of twscope kill. Only formats what sockkill
 * selected and did; never collects, never destroys.
 */
#include "output-kill.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "addr.h"
#include "output.h"
#include "sockkill.h"
#include "tcpstate.h"

static const char *err_name(int err)
{
	const char *s = strerrorname_np(-err);

	return s ? s : "unknown";
}

static const char *entry_result(const struct sockkill_entry *e)
{
	if (e->err == SOCKKILL_NOT_TRIED)
		return "not_tried";
	if (e->err == 0)
		return "destroyed";
	if (e->err == -ENOENT)
		return "gone";
	return "failed";
}

static size_t rows(size_t n, const struct kill_view *v)
{
	return v->top && v->top < n ? v->top : n;
}

static void print_groups(FILE *f, const struct sockkill_plan *p, enum sockkill_key key,
			 const struct kill_view *v)
{
	char buf[TW_ENDPOINT_STRLEN];
	struct sockkill_group *g = NULL;
	long n = sockkill_group(p, key, &g);
	size_t shown;

	if (n <= 0) {
		free(g);
		return;
	}
	shown = rows((size_t)n, v);
	if (!v->no_header)
		fprintf(f, "\n%-47s %10s\n", key == SOCKKILL_BY_DST ? "REMOTE ADDRESS" : "PORT", "SOCKETS");
	for (size_t i = 0; i < shown; i++) {
		if (key == SOCKKILL_BY_DST)
			addr_format(&g[i].addr, buf, sizeof(buf));
		else
			snprintf(buf, sizeof(buf), "%u (%s)", g[i].port, g[i].local ? "local" : "remote");
		fprintf(f, "%-47s %10" PRIu64 "\n", buf, g[i].count);
	}
	if (shown < (size_t)n)
		fprintf(f, "(%zu more)\n", (size_t)n - shown);
	free(g);
}

/* The distinct errors of a run, each with its count, in the order first met. */
static void print_failures(FILE *f, const struct sockkill_plan *p)
{
	for (size_t i = 0; i < p->n; i++) {
		int err = p->v[i].err;
		uint64_t count = 0;
		bool seen = false;

		if (err >= 0 || err == -ENOENT)
			continue;
		for (size_t j = 0; j < i && !seen; j++)
			seen = p->v[j].err == err;
		if (seen)
			continue;
		for (size_t j = i; j < p->n; j++)
			count += p->v[j].err == err;
		fprintf(f, "failed: %" PRIu64 " %s (%s)\n", count, strerror(-err), err_name(err));
	}
}

void kill_print_table(FILE *f, const struct sockkill_plan *p, const struct sockkill_result *res,
		      const struct kill_view *v)
{
	if (!res)
		fprintf(f, "would destroy %zu TCP socket%s (dry run: nothing was destroyed; --yes acts)\n",
			p->n, p->n == 1 ? "" : "s");
	else
		fprintf(f, "destroyed %" PRIu64 " of %zu TCP socket%s: %" PRIu64 " gone meanwhile, %" PRIu64
			" failed, %" PRIu64 " not tried\n", res->destroyed, p->n, p->n == 1 ? "" : "s",
			res->gone, res->failed, res->not_tried);
	if (!p->n)
		return;
	if (!v->no_header)
		fprintf(f, "\n%-47s %10s\n", "STATE", "SOCKETS");
	for (unsigned int s = 1; s < TW_STATE_MAX; s++)
		if (p->by_state[s])
			fprintf(f, "%-47s %10" PRIu64 "\n", tcpstate_name(s), p->by_state[s]);
	print_groups(f, p, SOCKKILL_BY_DST, v);
	print_groups(f, p, SOCKKILL_BY_PORT, v);
	if (res && res->failed) {
		fputc('\n', f);
		print_failures(f, p);
	}
}

static struct json_object *groups_json(const struct sockkill_plan *p, enum sockkill_key key)
{
	struct json_object *a = json_object_new_array();
	struct sockkill_group *g = NULL;
	long n = sockkill_group(p, key, &g);

	for (long i = 0; i < n; i++) {
		struct json_object *o = json_object_new_object();

		if (key == SOCKKILL_BY_DST) {
			json_object_object_add(o, "addr", out_json_addr(&g[i].addr));
		} else {
			json_object_object_add(o, "port", json_object_new_int(g[i].port));
			json_object_object_add(o, "side",
					       json_object_new_string(g[i].local ? "local" : "remote"));
		}
		out_json_add_u64(o, "sockets", g[i].count);
		json_object_array_add(a, o);
	}
	free(g);
	return a;
}

static struct json_object *socket_json(const struct sockkill_entry *e)
{
	struct json_object *o = json_object_new_object();
	const struct tw_sock *sk = &e->sk;

	json_object_object_add(o, "state", json_object_new_string(tcpstate_name(sk->state)));
	json_object_object_add(o, "src", out_json_addr(&sk->src));
	json_object_object_add(o, "sport", json_object_new_int(sk->sport));
	json_object_object_add(o, "dst", out_json_addr(&sk->dst));
	json_object_object_add(o, "dport", json_object_new_int(sk->dport));
	json_object_object_add(o, "result", json_object_new_string(entry_result(e)));
	if (e->err < 0 && e->err != -ENOENT)
		json_object_object_add(o, "error", json_object_new_string(err_name(e->err)));
	return o;
}

struct json_object *kill_json(const struct sockkill_plan *p, const struct sockkill_result *res,
			      const struct kill_view *v)
{
	struct json_object *o = json_object_new_object();
	struct json_object *states = json_object_new_object();
	struct json_object *socks = json_object_new_array();

	if (!o || !states || !socks) {
		json_object_put(o);
		json_object_put(states);
		json_object_put(socks);
		return NULL;
	}
	json_object_object_add(o, "schema", json_object_new_int(1));
	json_object_object_add(o, "command", json_object_new_string("kill"));
	json_object_object_add(o, "netns", v->netns ? out_json_string(v->netns, SIZE_MAX) : NULL);
	json_object_object_add(o, "dry_run", json_object_new_boolean(res == NULL));
	out_json_add_u64(o, "matched", p->matched);
	out_json_add_u64(o, "selected", p->n);
	out_json_add_u64(o, "max", p->max);
	json_object_object_add(o, "capped", json_object_new_boolean(p->matched > p->n));
	for (unsigned int s = 1; s < TW_STATE_MAX; s++)
		if (p->by_state[s])
			out_json_add_u64(states, tcpstate_name(s), p->by_state[s]);
	json_object_object_add(o, "states", states);
	json_object_object_add(o, "destinations", groups_json(p, SOCKKILL_BY_DST));
	json_object_object_add(o, "ports", groups_json(p, SOCKKILL_BY_PORT));
	if (res) {
		out_json_add_u64(o, "destroyed", res->destroyed);
		out_json_add_u64(o, "gone", res->gone);
		out_json_add_u64(o, "failed", res->failed);
		out_json_add_u64(o, "not_tried", res->not_tried);
		json_object_object_add(o, "stopped_by", res->stop_err ?
				       json_object_new_string(err_name(res->stop_err)) : NULL);
	}
	for (size_t i = 0; i < p->n; i++)
		json_object_array_add(socks, socket_json(&p->v[i]));
	json_object_object_add(o, "sockets", socks);
	return o;
}
