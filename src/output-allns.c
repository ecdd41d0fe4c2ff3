// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `twscope stat -A` renderers: a row per namespace (who it is, TIME_WAIT by
 * side, worst destination and its use, CLOSE_WAIT), worst first, the ones
 * that could not be entered and why, then the full census of the worst.
 * Names are untrusted: safetext on every one. Never collects.
 */
#include "output-allns.h"

#include <inttypes.h>
#include <limits.h>
#include <string.h>

#include <json-c/json.h>

#include "addr.h"
#include "census.h"
#include "netns/nsenum.h"
#include "netns/nsstat.h"
#include "netns/nswalk.h"
#include "output.h"
#include "output-stat.h"
#include "safetext.h"
#include "util.h"

#define LABEL_MAX (NSNAME_STR_MAX * 3 + PATH_MAX)

static void add_str(struct json_object *o, const char *k, const char *s)
{
	json_object_object_add(o, k, s && *s ? out_json_string(s, SIZE_MAX) : NULL);
}

static struct json_object *json_container(const struct nsname *n)
{
	struct json_object *o;

	if (n->runtime == NSNAME_RT_NONE && !n->id[0] && !n->pod_uid[0])
		return NULL;
	o = json_object_new_object();
	add_str(o, "runtime", nsname_runtime_name(n->runtime));
	add_str(o, "id", n->id);
	add_str(o, "name", n->name);
	add_str(o, "pod", n->pod_name);
	add_str(o, "pod_namespace", n->pod_namespace);
	add_str(o, "pod_uid", n->pod_uid);
	add_str(o, "k8s_container", n->k8s_container);
	return o;
}

struct json_object *allns_json_netns(const struct nsenum_entry *e)
{
	struct json_object *o = json_object_new_object();
	_cleanup_free_ char *label = malloc(LABEL_MAX);

	if (!o || !label) {
		json_object_put(o);
		return NULL;
	}
	nsenum_label(e, label, LABEL_MAX);
	out_json_add_u64(o, "inode", e->ino);
	add_str(o, "label", label);
	json_object_object_add(o, "host", json_object_new_boolean(e->host));
	add_str(o, "netns_name", e->netns_name);
	add_str(o, "mount", e->mount);
	json_object_object_add(o, "pid", e->pid ? json_object_new_int(e->pid) : NULL);
	add_str(o, "comm", e->pid ? e->comm : NULL);
	add_str(o, "unit", e->name.unit);
	out_json_add_u64(o, "processes", e->n_procs);
	json_object_object_add(o, "container", e->host ? NULL : json_container(&e->name));
	return o;
}

static struct json_object *json_row(const struct nsstat *s, const struct nsstat_row *r, bool detail,
				    const struct stat_view *v)
{
	struct json_object *o = json_object_new_object();
	struct json_object *ss = json_object_new_object();
	const struct census *c = r->walked ? r->res.census : NULL;

	json_object_object_add(o, "netns", allns_json_netns(&s->list.v[r->entry]));
	json_object_object_add(o, "walked", json_object_new_boolean(r->walked));
	out_json_add_u64(ss, "tcp_inuse", r->sockstat.tcp_inuse);
	out_json_add_u64(ss, "tcp6_inuse", r->sockstat.tcp6_inuse);
	out_json_add_u64(ss, "tcp_tw", r->sockstat.tcp_tw);
	json_object_object_add(o, "sockstat", ss);
	out_json_add_u64(o, "port_range_low", r->range_lo);
	out_json_add_u64(o, "port_range_high", r->range_hi);
	out_json_add_u64(o, "sockets", r->sockets);
	out_json_add_u64(o, "time_wait", r->time_wait);
	if (c) {
		out_json_add_u64(o, "time_wait_client", r->tw_side[TW_SIDE_CLIENT]);
		out_json_add_u64(o, "time_wait_server", r->tw_side[TW_SIDE_SERVER]);
		out_json_add_u64(o, "time_wait_unknown", r->tw_side[TW_SIDE_UNKNOWN]);
		out_json_add_u64(o, "close_wait", r->close_wait);
		out_json_add_u64(o, "usable_ports", c->usable);
		json_object_object_add(o, "worst_destination", r->worst ? stat_json_dest(c, r->worst) : NULL);
	} else {
		json_object_object_add(o, "time_wait_client", NULL);
		json_object_object_add(o, "time_wait_server", NULL);
		json_object_object_add(o, "time_wait_unknown", NULL);
		json_object_object_add(o, "close_wait", NULL);
		json_object_object_add(o, "usable_ports", NULL);
		json_object_object_add(o, "worst_destination", NULL);
	}
	if (r->walk_err)
		add_str(o, "error", strerror(-r->walk_err));
	if (detail && c) {
		struct stat_view dv = *v;

		dv.netns = NULL;
		json_object_object_add(o, "detail", stat_json(&r->res, &dv));
	}
	return o;
}

struct json_object *allns_json(const struct nsstat *s, size_t details, const struct stat_view *v)
{
	struct json_object *o = json_object_new_object(), *a, *sk, *hn, *en;

	if (!o)
		return NULL;
	json_object_object_add(o, "schema", json_object_new_int(1));
	json_object_object_add(o, "command", json_object_new_string("stat"));
	json_object_object_add(o, "all_netns", json_object_new_boolean(true));
	en = json_object_new_object();
	out_json_add_u64(en, "found", s->list.n);
	out_json_add_u64(en, "entered", s->n_rows);
	out_json_add_u64(en, "walked", s->n_walked);
	out_json_add_u64(en, "skipped", s->n_skipped);
	json_object_object_add(en, "capped", json_object_new_boolean(s->list.capped));
	out_json_add_u64(en, "limit", NSENUM_MAX);
	json_object_object_add(en, "timed_out", json_object_new_boolean(s->list.timed_out));
	out_json_add_u64(en, "pids_denied", s->list.pids_denied);
	json_object_object_add(en, "duration_ms", out_json_double((double)s->duration_ns / 1e6, 1));
	json_object_object_add(o, "enumeration", en);
	json_object_object_add(o, "partial", json_object_new_boolean(s->n_skipped || s->list.capped ||
								      s->list.timed_out || s->list.pids_denied));
	a = json_object_new_array();
	for (size_t i = 0; i < s->n_rows; i++)
		json_object_array_add(a, json_row(s, &s->rows[i], !details || i < details, v));
	json_object_object_add(o, "namespaces", a);
	sk = json_object_new_array();
	for (size_t i = 0; i < s->n_skipped; i++) {
		struct json_object *e = json_object_new_object();

		json_object_object_add(e, "netns", allns_json_netns(&s->list.v[s->skipped[i].entry]));
		add_str(e, "reason", nswalk_skip_reason(s->skipped[i].skip_err));
		json_object_array_add(sk, e);
	}
	json_object_object_add(o, "skipped", sk);
	hn = json_object_new_array();
	for (unsigned int i = 0; i < s->list.n_hostnet; i++)
		json_object_array_add(hn, json_container(&s->list.hostnet[i]));
	json_object_object_add(o, "host_network_containers", hn);
	return o;
}

static void print_label(FILE *f, const struct out_style *st, const struct nsenum_entry *e, int width)
{
	_cleanup_free_ char *label = malloc(LABEL_MAX);
	_cleanup_free_ char *safe = NULL;
	size_t need;

	if (!label)
		return;
	nsenum_label(e, label, LABEL_MAX);
	need = safetext_term(NULL, 0, label, SIZE_MAX, out_text_flags(st)) + 1;
	safe = malloc(need);
	if (!safe)
		return;
	(void) safetext_term(safe, need, label, SIZE_MAX, out_text_flags(st));
	/* never cut: a long name pushes the row right */
	fprintf(f, "%-*s", width, safe);
}

void allns_print_table(FILE *f, const struct out_style *st, const struct nsstat *s, size_t details,
		       const struct stat_view *v)
{
	char ep[TW_ENDPOINT_STRLEN];

	if (!v->no_header)
		fprintf(f, "%-40s %10s %8s %8s %8s %10s  %-28s %7s\n", "NETNS", "TIME_WAIT", "CLIENT", "SERVER",
			"UNKNOWN", "CLOSE_WAIT", "WORST DESTINATION", "USE");
	for (size_t i = 0; i < s->n_rows; i++) {
		const struct nsstat_row *r = &s->rows[i];

		print_label(f, st, &s->list.v[r->entry], 40);
		if (!r->walked) {
			fprintf(f, " %10" PRIu64 " %8s %8s %8s %10s  %-28s %7s\n", r->time_wait, "-", "-", "-", "-",
				"(not walked)", "-");
			continue;
		}
		fprintf(f, " %10" PRIu64 " %8" PRIu64 " %8" PRIu64 " %8" PRIu64 " %10" PRIu64 "  %-28s ",
			r->time_wait, r->tw_side[TW_SIDE_CLIENT], r->tw_side[TW_SIDE_SERVER],
			r->tw_side[TW_SIDE_UNKNOWN], r->close_wait,
			r->worst ? addr_format_endpoint(&r->worst->remote, r->worst->remote_port, ep, sizeof(ep)) : "-");
		if (r->worst)
			fprintf(f, "%6.1f%%\n", r->worst_pct);
		else
			fprintf(f, "%7s\n", "-");
	}
	for (size_t i = 0; i < s->n_skipped; i++) {
		fputs("skipped: ", f);
		print_label(f, st, &s->list.v[s->skipped[i].entry], 0);
		fprintf(f, ": %s\n", nswalk_skip_reason(s->skipped[i].skip_err));
	}
	if (s->list.n_hostnet) {
		fputs("host network (share the host's namespace):", f);
		for (unsigned int i = 0; i < s->list.n_hostnet; i++) {
			char label[NSNAME_STR_MAX * 3 + 64];

			nsname_label(&s->list.hostnet[i], label, sizeof(label));
			fputc(' ', f);
			out_text(f, label, out_text_flags(st));
		}
		fputc('\n', f);
	}
	fprintf(f, "%zu namespaces, %zu walked, %zu skipped in %.1f ms\n", s->list.n, s->n_walked,
		s->n_skipped, (double)s->duration_ns / 1e6);
	if (s->list.capped)
		fprintf(f, "warning: more than %u network namespaces: only the first %u are shown\n",
			NSENUM_MAX, NSENUM_MAX);
	for (size_t i = 0; i < s->n_rows && (!details || i < details); i++) {
		const struct nsstat_row *r = &s->rows[i];
		_cleanup_free_ char *label = malloc(LABEL_MAX);
		struct stat_view dv = *v;

		if (!r->walked || !label)
			continue;
		nsenum_label(&s->list.v[r->entry], label, LABEL_MAX);
		dv.netns = label;
		dv.top = 10;
		fputc('\n', f);
		stat_print_table(f, st, &r->res, &dv);
	}
}
