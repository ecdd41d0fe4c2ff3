// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Renderers for `twscope trace` (table, JSON document, NDJSON events), all
 * JSON through json-c. Works on a struct trace_report built by the
 * command: never collects, never talks to the kernel.
 */
#include "output-trace.h"

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <linux/types.h>
#include <string.h>

#include <json-c/json.h>

#include "bpf/twtrace.h"
#include "output.h"
#include "safetext.h"

#define NSEC_PER_SEC_F 1e9
#define EP_LEN (INET6_ADDRSTRLEN + 10)
#define COMM_TERM_LEN SAFETEXT_TERM_SIZE(TWT_COMM_LEN)
#define NETNS_TERM_LEN SAFETEXT_TERM_SIZE(NAME_MAX + 1)

static const char *kind_name(unsigned int kind)
{
	static const char *const names[TWT_KIND_MAX] = {
		[TWT_ACTIVE_CLOSE] = "active_close",
		[TWT_PASSIVE_CLOSE] = "passive_close",
		[TWT_CLOSE_WAIT] = "close_wait",
		[TWT_ABORT] = "abort",
		[TWT_CONNECT_FAIL] = "connect_eaddrnotavail",
		[TWT_BIND_FAIL] = "bind_eaddrinuse",
	};

	if (kind < TWT_KIND_MAX && names[kind])
		return names[kind];
	return "unknown";
}

static const char *rst_name(unsigned int reason)
{
	static const char *const names[TWT_RST_MAX] = {
		[TWT_RST_OTHER] = "other",
		[TWT_RST_UNREAD] = "unread",
		[TWT_RST_LINGER0] = "linger0",
		[TWT_RST_LINGER2] = "linger2",
		[TWT_RST_MEMORY] = "memory",
		[TWT_RST_KEEPALIVE] = "keepalive",
		[TWT_RST_DATA] = "data_after_close",
	};

	if (reason < TWT_RST_MAX)
		return names[reason];
	return "other";
}

/*
 * A comm for the table. A task names itself with any 15 bytes: controls,
 * escapes and invalid UTF-8 are shown as \xNN (safetext.h).
 */
static void comm_printable(char *dst, size_t len, const char *comm, unsigned int flags)
{
	(void) safetext_term(dst, len, comm, TWT_COMM_LEN - 1, flags);
}

static void addr_str(unsigned int family, const uint8_t *addr, char *buf, size_t len)
{
	if (!inet_ntop(family == AF_INET6 ? AF_INET6 : AF_INET, addr, buf, (socklen_t)len))
		snprintf(buf, len, "?");
}

static bool has_local(unsigned int kind)
{
	return kind != TWT_CONNECT_FAIL;
}

static bool has_remote(unsigned int kind)
{
	return kind != TWT_BIND_FAIL;
}

const char *trace_netns_name(const struct trace_report *r, uint64_t ino)
{
	for (size_t i = 0; i < r->n_names; i++)
		if (r->names[i].ino == ino)
			return r->names[i].name;
	if (ino && ino == r->host_netns)
		return "host";
	return NULL;
}

static void endpoint_str(unsigned int family, const uint8_t *addr, uint16_t port, bool present,
			 char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	if (!present) {
		snprintf(buf, len, "-");
		return;
	}
	addr_str(family, addr, a, sizeof(a));
	if (family == AF_INET6)
		snprintf(buf, len, port ? "[%s]:%u" : "[%s]:*", a, port);
	else
		snprintf(buf, len, port ? "%s:%u" : "%s:*", a, port);
}

static void netns_str(const struct trace_report *r, uint32_t ino, char *buf, size_t len,
		      unsigned int flags)
{
	const char *nn = trace_netns_name(r, ino);

	if (nn)
		(void) safetext_term(buf, len, nn, SIZE_MAX, flags);
	else
		snprintf(buf, len, "%u", ino);
}

static void print_cw_table(FILE *f, const struct trace_report *r, int aw, unsigned int flags)
{
	fprintf(f, "\n%-8s %-16s %-12s %-*s %-*s %10s %10s\n", "PID", "COMM", "NETNS", aw,
		"LOCAL", aw, "REMOTE", "CW_SOCKETS", "OLDEST_S");
	for (size_t i = 0; i < r->n_cw; i++) {
		const struct trace_cw_row *g = &r->cw[i];
		char l[EP_LEN], rem[EP_LEN], pid[16], ns[NETNS_TERM_LEN], comm[COMM_TERM_LEN];

		endpoint_str(g->family, g->laddr, g->lport, true, l, sizeof(l));
		endpoint_str(g->family, g->raddr, g->rport, true, rem, sizeof(rem));
		snprintf(pid, sizeof(pid), g->owner_pid ? "%u" : "-", g->owner_pid);
		netns_str(r, g->netns, ns, sizeof(ns), flags);
		comm_printable(comm, sizeof(comm), g->owner_comm, flags);
		fprintf(f, "%-8s %-16s %-12s %-*s %-*s %10" PRIu64 " %10.1f\n", pid,
			g->owner_pid ? comm : "?", ns, aw, l, aw, rem, g->count,
			(double)g->oldest_age_ns / NSEC_PER_SEC_F);
	}
}

void trace_print_table(FILE *f, const struct trace_report *r, const struct trace_table_opts *o)
{
	int aw = o->wide ? 47 : 21;
	size_t max = o->max_rows ? o->max_rows : SIZE_MAX;
	unsigned int flags = o->utf8 ? SAFETEXT_UTF8 : 0;

	if (o->clear)
		fprintf(f, "\033[H\033[2J");
	if (o->live)
		fprintf(f, "twscope trace: %.0f s, %zu keys, lost events %" PRIu64 "\n",
			(double)r->duration_ns / NSEC_PER_SEC_F, r->n_rows, r->lost_events);
	if (!o->no_header) {
		if (r->by == TRACE_BY_CGROUP)
			fprintf(f, "%-8s %-5s %-16s", "PID", "PIDS", "CGROUP");
		else if (r->by == TRACE_BY_COMM)
			fprintf(f, "%-8s %-5s %-16s", "PID", "PIDS", "COMM");
		else
			fprintf(f, "%-8s %-16s", "PID", "COMM");
		fprintf(f, " %-12s %-22s %-*s %-*s %10s", "NETNS", "EVENT", aw, "LOCAL", aw, "REMOTE",
			"EVENTS");
		fprintf(f, o->live ? " %9s\n" : "\n", "EVENTS/S");
	}
	for (size_t i = 0; i < r->n_rows && i < max; i++) {
		const struct twt_key *k = r->rows[i].key;
		char pid[16], comm[COMM_TERM_LEN], ns[NETNS_TERM_LEN], ev[40];
		char l[EP_LEN], rem[EP_LEN];

		if (k->flags & TWT_F_SOFTIRQ) {
			snprintf(pid, sizeof(pid), "-");
			snprintf(comm, sizeof(comm), "[softirq]");
		} else {
			snprintf(pid, sizeof(pid), "%u", k->tgid);
			comm_printable(comm, sizeof(comm), (const char *)k->comm, flags);
		}
		netns_str(r, k->netns, ns, sizeof(ns), flags);
		if (k->kind == TWT_ABORT)
			snprintf(ev, sizeof(ev), "abort:%s", rst_name(k->reason));
		else
			snprintf(ev, sizeof(ev), "%s", kind_name(k->kind));
		endpoint_str(k->family, k->laddr, k->lport, has_local(k->kind), l, sizeof(l));
		endpoint_str(k->family, k->raddr, k->rport, has_remote(k->kind), rem, sizeof(rem));
		if (r->by == TRACE_BY_CGROUP && !(k->flags & TWT_F_SOFTIRQ))
			snprintf(comm, sizeof(comm), "%" PRIu64, (uint64_t)k->cgroup);
		if (r->by == TRACE_BY_PID)
			fprintf(f, "%-8s %-16s", pid, comm);
		else
			fprintf(f, "%-8s %-5u %-16s", pid, r->rows[i].pids, comm);
		fprintf(f, " %-12s %-22s %-*s %-*s %10" PRIu64, ns, ev, aw, l, aw, rem,
			r->rows[i].total);
		if (o->live)
			fprintf(f, " %9.1f\n", o->interval_sec > 0 ?
				(double)r->rows[i].interval / o->interval_sec : 0.0);
		else
			fprintf(f, "\n");
	}
	if (r->n_rows > max)
		fprintf(f, "... %zu more\n", r->n_rows - max);
	if (r->n_cw)
		print_cw_table(f, r, aw, flags);
	fflush(f);
}

static struct json_object *json_endpoint(unsigned int family, const uint8_t *addr,
					 uint16_t port)
{
	struct json_object *o = json_object_new_object();
	char a[INET6_ADDRSTRLEN];

	if (!o)
		return NULL;
	addr_str(family, addr, a, sizeof(a));
	json_object_object_add(o, "addr", json_object_new_string(a));
	json_object_object_add(o, "port", json_object_new_int(port));
	return o;
}

/*
 * A comm as a JSON string. A task can name itself with any bytes: json-c
 * escapes quotes, backslashes and control bytes; bytes that are not UTF-8
 * become U+FFFD so the document stays valid.
 */
static struct json_object *json_comm(const char *comm)
{
	return out_json_string(comm, TWT_COMM_LEN - 1);
}

static void add_netns(struct json_object *o, const struct trace_report *r, uint32_t ino)
{
	const char *nn = r ? trace_netns_name(r, ino) : NULL;

	json_object_object_add(o, "netns", json_object_new_int64(ino));
	json_object_object_add(o, "netns_name", nn ? out_json_string(nn, SIZE_MAX) : NULL);
}

/* Fields shared by rows and events: kind, reason/errno, owner. */
static void add_what_who(struct json_object *o, unsigned int kind, unsigned int reason,
			 bool softirq)
{
	json_object_object_add(o, "kind", json_object_new_string(kind_name(kind)));
	if (kind == TWT_ABORT)
		json_object_object_add(o, "reason", json_object_new_string(rst_name(reason)));
	if (kind == TWT_CONNECT_FAIL || kind == TWT_BIND_FAIL)
		json_object_object_add(o, "errno", json_object_new_int((int)reason));
	json_object_object_add(o, "softirq", json_object_new_boolean(softirq));
}

static struct json_object *json_row(const struct trace_report *r, const struct trace_row *row)
{
	const struct twt_key *k = row->key;
	struct json_object *o = json_object_new_object();
	bool softirq = k->flags & TWT_F_SOFTIRQ;

	if (!o)
		return NULL;
	add_what_who(o, k->kind, k->reason, softirq);
	/* grouped rows: pid is the lowest of the group's pids */
	json_object_object_add(o, "pid", softirq ? NULL : json_object_new_int64(k->tgid));
	json_object_object_add(o, "pids", json_object_new_int64(row->pids));
	json_object_object_add(o, "comm", softirq || r->by == TRACE_BY_CGROUP ? NULL :
			       json_comm((const char *)k->comm));
	json_object_object_add(o, "cgroup_id", softirq || r->by == TRACE_BY_COMM ? NULL :
			       json_object_new_uint64(k->cgroup));
	add_netns(o, r, k->netns);
	json_object_object_add(o, "family",
			       json_object_new_string(k->family == AF_INET6 ? "inet6" : "inet"));
	json_object_object_add(o, "local", has_local(k->kind) ?
			       json_endpoint(k->family, k->laddr, k->lport) : NULL);
	json_object_object_add(o, "remote", has_remote(k->kind) ?
			       json_endpoint(k->family, k->raddr, k->rport) : NULL);
	json_object_object_add(o, "count", json_object_new_uint64(row->total));
	return o;
}

static struct json_object *json_cw(const struct trace_report *r, const struct trace_cw_row *g)
{
	struct json_object *o = json_object_new_object();

	if (!o)
		return NULL;
	json_object_object_add(o, "pid", g->owner_pid ? json_object_new_int64(g->owner_pid) : NULL);
	json_object_object_add(o, "comm", g->owner_pid ? json_comm(g->owner_comm) : NULL);
	add_netns(o, r, g->netns);
	json_object_object_add(o, "local", json_endpoint(g->family, g->laddr, g->lport));
	json_object_object_add(o, "remote", json_endpoint(g->family, g->raddr, g->rport));
	json_object_object_add(o, "count", json_object_new_uint64(g->count));
	json_object_object_add(o, "oldest_sec",
			       json_object_new_double((double)g->oldest_age_ns / NSEC_PER_SEC_F));
	return o;
}

struct json_object *trace_json(const struct trace_report *r, bool ndjson)
{
	struct json_object *doc = json_object_new_object(), *evs = json_object_new_array();
	struct json_object *cws = json_object_new_array(), *filt = json_object_new_object();
	struct json_object *hooks = json_object_new_object();

	if (!doc || !evs || !cws || !filt || !hooks) {
		json_object_put(doc);
		json_object_put(evs);
		json_object_put(cws);
		json_object_put(filt);
		json_object_put(hooks);
		return NULL;
	}
	if (ndjson)
		json_object_object_add(doc, "type", json_object_new_string("summary"));
	json_object_object_add(doc, "schema", json_object_new_int(1));
	json_object_object_add(doc, "command", json_object_new_string("trace"));
	json_object_object_add(doc, "duration_sec",
			       json_object_new_double((double)r->duration_ns / NSEC_PER_SEC_F));
	json_object_object_add(doc, "by", json_object_new_string(r->by == TRACE_BY_PID ? "pid" :
						r->by == TRACE_BY_CGROUP ? "cgroup" : "comm"));
	json_object_object_add(filt, "pid", r->filter_pid ?
			       json_object_new_int64(r->filter_pid) : NULL);
	json_object_object_add(filt, "comm", r->filter_comm ?
			       out_json_string(r->filter_comm, SIZE_MAX) : NULL);
	json_object_object_add(filt, "port", r->filter_port ?
			       json_object_new_int(r->filter_port) : NULL);
	json_object_object_add(filt, "netns", r->filter_netns ?
			       out_json_string(r->filter_netns, SIZE_MAX) : NULL);
	json_object_object_add(doc, "filters", filt);
	json_object_object_add(hooks, "abort", json_object_new_boolean(r->have_reset));
	json_object_object_add(hooks, "syscalls",
			       json_object_new_string(r->sys_hook ? r->sys_hook : "unknown"));
	json_object_object_add(hooks, "softirq_detection",
			       json_object_new_string("sock_owned_by_user"));
	json_object_object_add(doc, "hooks", hooks);
	for (size_t i = 0; i < r->n_rows; i++)
		json_object_array_add(evs, json_row(r, &r->rows[i]));
	json_object_object_add(doc, "events", evs);
	for (size_t i = 0; i < r->n_cw; i++)
		json_object_array_add(cws, json_cw(r, &r->cw[i]));
	json_object_object_add(doc, "close_wait", cws);
	json_object_object_add(doc, "lost_events", json_object_new_uint64(r->lost_events));
	json_object_object_add(doc, "missed_events", json_object_new_uint64(r->missed_events));
	json_object_object_add(doc, "streamed_events", json_object_new_uint64(r->streamed_events));
	json_object_object_add(doc, "dropped_aggregates",
			       json_object_new_uint64(r->dropped_aggregates));
	json_object_object_add(doc, "close_wait_untracked",
			       json_object_new_uint64(r->close_wait_untracked));
	return doc;
}

int trace_print_event(FILE *f, const struct twt_event *e, const char *netns_name)
{
	struct json_object *o = json_object_new_object();
	bool softirq = e->flags & TWT_F_SOFTIRQ;
	int r = 0;

	if (!o)
		return -ENOMEM;
	json_object_object_add(o, "type", json_object_new_string("event"));
	json_object_object_add(o, "ts_ns", json_object_new_uint64(e->ts_ns));
	add_what_who(o, e->kind, e->reason, softirq);
	json_object_object_add(o, "pid", softirq ? NULL : json_object_new_int64(e->tgid));
	json_object_object_add(o, "tid", softirq ? NULL : json_object_new_int64(e->pid));
	json_object_object_add(o, "comm", softirq ? NULL : json_comm((const char *)e->comm));
	json_object_object_add(o, "cgroup_id", softirq ? NULL : json_object_new_uint64(e->cgroup));
	json_object_object_add(o, "netns", json_object_new_int64(e->netns));
	json_object_object_add(o, "netns_name",
			       netns_name ? out_json_string(netns_name, SIZE_MAX) : NULL);
	json_object_object_add(o, "local", has_local(e->kind) ?
			       json_endpoint(e->family, e->laddr, e->lport) : NULL);
	json_object_object_add(o, "remote", has_remote(e->kind) ?
			       json_endpoint(e->family, e->raddr, e->rport) : NULL);
	r = out_json_write(f, o, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE);
	json_object_put(o);
	return r;
}
