// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `twscope stat` renderers: one JSON document (schema 1, documented in
 * docs/json-schema.md) and the human report. They read a finished census
 * and never collect.
 */
#include "output-stat.h"

#include <inttypes.h>
#include <string.h>
#include <sys/socket.h>

#include <json-c/json.h>

#include "addr.h"
#include "collect.h"
#include "outlook.h"
#include "output.h"
#include "util.h"

#define JSON_SCHEMA 1

static size_t rows(size_t n, const struct stat_view *v)
{
	return v->top && v->top < n ? v->top : n;
}

static struct json_object *json_states(const uint64_t *states)
{
	struct json_object *o = json_object_new_object();

	for (unsigned int s = 1; s < TW_STATE_MAX; s++)
		if (s != TW_BOUND_INACTIVE)
			out_json_add_u64(o, tcpstate_name(s), states[s]);
	return o;
}

static struct json_object *json_sockstat(const struct tw_sockstat *st)
{
	struct json_object *o = json_object_new_object();

	out_json_add_u64(o, "tcp_inuse", st->tcp_inuse);
	out_json_add_u64(o, "tcp_tw", st->tcp_tw);
	out_json_add_u64(o, "tcp_orphan_global", st->tcp_orphan);
	out_json_add_u64(o, "tcp_alloc_global", st->tcp_alloc);
	out_json_add_u64(o, "tcp_mem_pages_global", st->tcp_mem_pages);
	if (st->have_tcp6)
		out_json_add_u64(o, "tcp6_inuse", st->tcp6_inuse);
	else
		json_object_object_add(o, "tcp6_inuse", NULL);
	return o;
}

static struct json_object *json_head(const char *what, const struct stat_view *v)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "schema", json_object_new_int(JSON_SCHEMA));
	json_object_object_add(o, "command", json_object_new_string(what));
	json_object_object_add(o, "netns", v->netns ? out_json_string(v->netns, SIZE_MAX) : NULL);
	return o;
}

static struct json_object *json_port_range(const struct census *c)
{
	struct json_object *o = json_object_new_object();

	out_json_add_u64(o, "low", c->conf.range_lo);
	out_json_add_u64(o, "high", c->conf.range_hi);
	out_json_add_u64(o, "size", c->range_size);
	out_json_add_u64(o, "reserved", c->reserved_in_range);
	out_json_add_u64(o, "listening", c->listeners_in_range);
	out_json_add_u64(o, "usable", c->usable);
	return o;
}

/* The close rate and where it leads, for a destination (usable > 0) or a server port. */
static void json_outlook(struct json_object *o, const struct tw_outlook *ol, bool projection)
{
	json_object_object_add(o, "close_rate_per_sec", out_json_double(ol->rate_per_sec, 2));
	out_json_add_u64(o, "close_rate_window_sec", ol->window_sec);
	json_object_object_add(o, "close_rate_minute_per_sec",
			       out_json_double(ol->minute_rate_per_sec, 2));
	json_object_object_add(o, "sustained_close_rate_per_sec",
			       out_json_double(ol->sustained_per_sec, 2));
	json_object_object_add(o, "trend", json_object_new_string(outlook_trend_name(ol->trend)));
	json_object_object_add(o, "quiet_sec", ol->quiet_ms == TW_AGE_UNKNOWN ? NULL :
			       out_json_double(ol->quiet_ms / 1000.0, 1));
	json_object_object_add(o, "clears_in_sec", out_json_double(ol->clears_ms / 1000.0, 1));
	if (!projection)
		return;
	json_object_object_add(o, "projected_held", out_json_double(ol->projected_held, 0));
	json_object_object_add(o, "projected_utilization_pct", out_json_double(ol->projected_util_pct, 2));
	json_object_object_add(o, "exhaustion_in_sec", ol->exhaust_in_sec < 0 ? NULL :
			       out_json_double(ol->exhaust_in_sec, 1));
}

struct json_object *stat_json_dest(const struct census *c, const struct census_dest *d)
{
	struct json_object *o = json_object_new_object();
	struct tw_outlook ol;

	json_object_object_add(o, "local", out_json_addr(&d->local));
	json_object_object_add(o, "remote", out_json_addr(&d->remote));
	out_json_add_u64(o, "remote_port", d->remote_port);
	out_json_add_u64(o, "held", d->held);
	out_json_add_u64(o, "time_wait", d->time_wait);
	out_json_add_u64(o, "established", d->established);
	out_json_add_u64(o, "usable", c->usable);
	json_object_object_add(o, "utilization_pct", out_json_double(d->util_pct, 2));
	outlook_compute(&d->closes, d->held, d->time_wait, c->usable, &ol);
	json_outlook(o, &ol, true);
	json_object_object_add(o, "ceiling_per_sec", out_json_double((double)c->usable / TW_TIME_WAIT_SEC, 2));
	return o;
}

static struct json_object *json_remote(const struct census_remote *r)
{
	struct json_object *o = json_object_new_object();

	json_object_object_add(o, "addr", out_json_addr(&r->addr));
	out_json_add_u64(o, "time_wait", r->time_wait);
	out_json_add_u64(o, "total", r->total);
	return o;
}

static struct json_object *json_server(const struct census_server_port *s)
{
	struct json_object *o = json_object_new_object(), *top = json_object_new_array();
	struct tw_outlook ol;

	out_json_add_u64(o, "port", s->port);
	out_json_add_u64(o, "time_wait", s->states[TW_TIME_WAIT]);
	out_json_add_u64(o, "established", s->states[TW_ESTABLISHED]);
	out_json_add_u64(o, "total", s->total);
	json_object_object_add(o, "states", json_states(s->states));
	out_json_add_u64(o, "distinct_remotes", s->distinct_remotes);
	outlook_compute(&s->closes, s->total, s->states[TW_TIME_WAIT], 0, &ol);
	json_outlook(o, &ol, false);
	for (size_t i = 0; i < s->n_top; i++)
		json_object_array_add(top, json_remote(&s->top[i]));
	json_object_object_add(o, "top_remotes", top);
	return o;
}

static struct json_object *json_filter(const struct census_filter *f)
{
	struct json_object *o = json_object_new_object(), *st = json_object_new_array();
	char ep[TW_ENDPOINT_STRLEN];

	json_object_object_add(o, "ipv4", json_object_new_boolean(f->v4));
	json_object_object_add(o, "ipv6", json_object_new_boolean(f->v6));
	for (unsigned int s = 1; s < TW_STATE_MAX; s++)
		if (f->states & TW_STATE_BIT(s))
			json_object_array_add(st, json_object_new_string(tcpstate_name(s)));
	json_object_object_add(o, "states", st);
	json_object_object_add(o, "port", f->port >= 0 ? json_object_new_int(f->port) : NULL);
	if (f->have_dst) {
		if (f->dst_port >= 0)
			addr_format_endpoint(&f->dst, (uint16_t)f->dst_port, ep, sizeof(ep));
		else
			addr_format(&f->dst, ep, sizeof(ep));
		json_object_object_add(o, "dst", json_object_new_string(ep));
	} else {
		json_object_object_add(o, "dst", NULL);
	}
	return o;
}

struct json_object *stat_json(const struct collect_result *res, const struct stat_view *v)
{
	const struct census *c = res->census;
	struct json_object *o = json_head("stat", v), *fam = json_object_new_object();
	struct json_object *tw = json_object_new_object(), *a, *x;
	uint64_t total[TW_STATE_MAX] = {}, tw_n, est;

	json_object_object_add(o, "filter", json_filter(&c->conf.filter));
	json_object_object_add(o, "port_range", json_port_range(c));
	for (unsigned int s = 0; s < TW_STATE_MAX; s++)
		total[s] = census_total(c, s);
	json_object_object_add(fam, "ipv4", json_states(c->states[TW_FAM_V4]));
	json_object_object_add(fam, "ipv6", json_states(c->states[TW_FAM_V6]));
	json_object_object_add(fam, "total", json_states(total));
	json_object_object_add(o, "states", fam);
	out_json_add_u64(o, "sockets", c->sockets);

	tw_n = total[TW_TIME_WAIT];
	est = total[TW_ESTABLISHED];
	out_json_add_u64(tw, "total", tw_n);
	for (int s = 0; s < TW_SIDE_MAX; s++)
		out_json_add_u64(tw, census_side_name(s), c->tw_side[s]);
	json_object_object_add(tw, "per_established", est ? out_json_double((double)tw_n / est, 3) : NULL);
	json_object_object_add(o, "time_wait", tw);

	x = json_object_new_object();
	out_json_add_u64(x, "orphan", c->fw2_orphan);
	out_json_add_u64(x, "live", c->fw2_live);
	json_object_object_add(o, "fin_wait2", x);

	x = json_object_new_object();
	out_json_add_u64(x, "bucket_sec", TW_TIMER_BUCKET_MS / 1000);
	a = json_object_new_array();
	for (int i = 0; i < TW_TIMER_BUCKETS; i++)
		json_object_array_add(a, json_object_new_uint64(c->tw_timer[i]));
	json_object_object_add(x, "time_wait", a);
	json_object_object_add(o, "timers", x);

	a = json_object_new_array();
	for (size_t i = 0; i < rows(c->n_dests, v); i++)
		json_object_array_add(a, stat_json_dest(c, &c->dests[i]));
	json_object_object_add(o, "destinations", a);
	out_json_add_u64(o, "destinations_total", c->n_dests);

	a = json_object_new_array();
	for (size_t i = 0; i < rows(c->n_servers, v); i++)
		json_object_array_add(a, json_server(&c->servers[i]));
	json_object_object_add(o, "server_ports", a);
	out_json_add_u64(o, "server_ports_total", c->n_servers);

	a = json_object_new_array();
	for (size_t i = 0; i < rows(c->n_peers, v); i++)
		json_object_array_add(a, json_remote(&c->peers[i]));
	json_object_object_add(o, "peers", a);
	out_json_add_u64(o, "peers_total", c->n_peers);

	json_object_object_add(o, "sockstat", res->sockstat_err ? NULL : json_sockstat(&res->sockstat));

	x = json_object_new_object();
	/* sockstat tw counts TIME_WAIT plus FIN_WAIT2 mini-sockets (docs/kernel.md#sockstat-tw). */
	out_json_add_u64(x, "census_tw_and_fin_wait2_mini", tw_n + c->fw2_orphan);
	json_object_object_add(x, "sockstat_tw", res->sockstat_err ? NULL : json_object_new_uint64(res->sockstat.tcp_tw));
	out_json_add_u64(x, "netlink_messages", res->diag.messages);
	out_json_add_u64(x, "dump_interrupted", res->diag.dump_intr);
	out_json_add_u64(x, "truncated_messages", res->diag.truncated);
	json_object_object_add(x, "kernel_state_mask", json_object_new_uint64(res->kernel_states));
	json_object_object_add(x, "duration_ms", out_json_double((double)res->duration_ns / 1e6, 3));
	json_object_object_add(o, "consistency", x);
	json_object_object_add(o, "truncated", json_object_new_boolean(c->truncated));
	return o;
}

struct json_object *stat_summary_json(const struct tw_sockstat *st, const struct stat_view *v)
{
	struct json_object *o = json_head("stat", v);

	json_object_object_add(o, "summary", json_object_new_boolean(true));
	json_object_object_add(o, "sockstat", json_sockstat(st));
	return o;
}

/* ---- human report ---- */

static void heading(FILE *f, const struct out_style *st, const char *title)
{
	fprintf(f, "\n%s%s%s\n", out_color(st, OUT_BOLD), title, out_color(st, OUT_RESET));
}

static void print_states(FILE *f, const struct out_style *st, const struct census *c,
			 const struct stat_view *v)
{
	/* exact counts, as ss and the JSON give them: no 14.1K in a table of counts */
	heading(f, st, "TCP sockets by state");
	if (!v->no_header)
		fprintf(f, "  %-14s %12s %12s %12s\n", "STATE", "IPV4 SOCKETS", "IPV6 SOCKETS", "ALL SOCKETS");
	for (unsigned int s = 1; s < TW_STATE_MAX; s++) {
		uint64_t n4 = c->states[TW_FAM_V4][s], n6 = c->states[TW_FAM_V6][s];

		if (s == TW_BOUND_INACTIVE || (n4 + n6 == 0 && s != TW_ESTABLISHED && s != TW_TIME_WAIT))
			continue;
		fprintf(f, "  %-14s %12" PRIu64 " %12" PRIu64 " %12" PRIu64 "\n", tcpstate_name(s), n4, n6,
			n4 + n6);
	}
	fprintf(f, "  %-14s %12" PRIu64 " %12" PRIu64 " %12" PRIu64 "\n", "all",
		census_family_total(c, TW_FAM_V4), census_family_total(c, TW_FAM_V6), c->sockets);
}

static void print_sides(FILE *f, const struct out_style *st, const struct census *c)
{
	uint64_t tw = census_total(c, TW_TIME_WAIT), est = census_total(c, TW_ESTABLISHED);

	heading(f, st, "TIME_WAIT by who closed first");
	fprintf(f, "  client side (this host connected out, closed first)  %10" PRIu64 "\n",
		c->tw_side[TW_SIDE_CLIENT]);
	fprintf(f, "  server side (peers connected in, this host closed)   %10" PRIu64 "\n",
		c->tw_side[TW_SIDE_SERVER]);
	fprintf(f, "  unknown (both ports look ephemeral, no listener)     %10" PRIu64 "\n",
		c->tw_side[TW_SIDE_UNKNOWN]);
	if (est)
		fprintf(f, "  time_wait / established: %.2f\n", (double)tw / est);
	else
		fprintf(f, "  time_wait / established: - (no established sockets)\n");
	fprintf(f, "  fin_wait2: %" PRIu64 " orphaned mini-sockets (close()d, counted in sockstat tw), %" PRIu64
		   " live\n", c->fw2_orphan, c->fw2_live);
}

static void print_dests(FILE *f, const struct out_style *st, const struct census *c,
			const struct stat_view *v)
{
	char title[160], local[INET6_ADDRSTRLEN], remote[TW_ENDPOINT_STRLEN];
	int wl = 5, wr = 6;	/* "LOCAL", "REMOTE" */
	size_t n = rows(c->n_dests, v);

	snprintf(title, sizeof(title), "Ephemeral ports per destination (usable %u = range %u-%u, %u ports, "
		 "- %u reserved - %u listening)", c->usable, c->conf.range_lo, c->conf.range_hi,
		 c->range_size, c->reserved_in_range, c->listeners_in_range);
	heading(f, st, title);
	if (!c->n_dests) {
		fprintf(f, "  none: this host holds no client-side connections\n");
		return;
	}
	/* Size the address columns to what is shown, so IPv6 rows stay aligned. */
	for (size_t i = 0; i < n; i++) {
		int a = (int)strlen(addr_format(&c->dests[i].local, local, sizeof(local)));
		int b = (int)strlen(addr_format_endpoint(&c->dests[i].remote, c->dests[i].remote_port,
							 remote, sizeof(remote)));

		wl = a > wl ? a : wl;
		wr = b > wr ? b : wr;
	}
	if (!v->no_header)
		fprintf(f, "  %-*s %-*s %10s %10s %-27s %9s %9s %-8s %11s\n", wl, "LOCAL", wr, "REMOTE",
			"PORTS HELD", "TW SOCKETS", "USE (% OF USABLE PORTS)", "CLOSES/S", "PROJ. USE",
			"TREND", "MAX CONN/S");
	for (size_t i = 0; i < n; i++) {
		const struct census_dest *d = &c->dests[i];
		enum out_color col = d->util_pct >= 80 ? OUT_RED : d->util_pct >= 50 ? OUT_YELLOW : OUT_GREEN;
		struct tw_outlook ol;

		addr_format(&d->local, local, sizeof(local));
		addr_format_endpoint(&d->remote, d->remote_port, remote, sizeof(remote));
		fprintf(f, "  %-*s %-*s %10" PRIu64 " %10" PRIu64 " %s", wl, local, wr, remote, d->held,
			d->time_wait, out_color(st, col));
		out_bar(f, st, d->util_pct / 100.0, 20);
		outlook_compute(&d->closes, d->held, d->time_wait, c->usable, &ol);
		fprintf(f, "%s %5.1f%% %9.1f %8.0f%% %-8s %11.1f\n", out_color(st, OUT_RESET), d->util_pct,
			ol.rate_per_sec, ol.projected_util_pct, outlook_trend_name(ol.trend),
			(double)c->usable / TW_TIME_WAIT_SEC);
	}
	if (n < c->n_dests)
		fprintf(f, "  ... %zu more (--top 0 shows all)\n", c->n_dests - n);
}

static void print_servers(FILE *f, const struct out_style *st, const struct census *c,
			  const struct stat_view *v)
{
	char ip[INET6_ADDRSTRLEN];

	heading(f, st, "Server ports (this host accepted; TIME_WAIT here means it closed first)");
	if (!c->n_servers) {
		fprintf(f, "  none\n");
		return;
	}
	if (!v->no_header)
		fprintf(f, "  %-6s %10s %13s %13s %10s  %s\n", "PORT", "TW SOCKETS", "ESTAB SOCKETS",
			"OTHER SOCKETS", "REMOTE IPS", "TOP REMOTE IPS (TIME_WAIT SOCKETS)");
	for (size_t i = 0; i < rows(c->n_servers, v); i++) {
		const struct census_server_port *s = &c->servers[i];
		uint64_t other = s->total - s->states[TW_TIME_WAIT] - s->states[TW_ESTABLISHED];

		fprintf(f, "  %-6u %10" PRIu64 " %13" PRIu64 " %13" PRIu64 " %10" PRIu64 " ", s->port,
			s->states[TW_TIME_WAIT], s->states[TW_ESTABLISHED], other, s->distinct_remotes);
		for (size_t j = 0; j < s->n_top; j++)
			fprintf(f, " %s (%" PRIu64 ")", addr_format(&s->top[j].addr, ip, sizeof(ip)),
				s->top[j].time_wait);
		fputc('\n', f);
	}
}

static void print_peers(FILE *f, const struct out_style *st, const struct census *c,
			const struct stat_view *v)
{
	char ip[INET6_ADDRSTRLEN];

	heading(f, st, "Top peers by TIME_WAIT");
	if (!c->n_peers) {
		fprintf(f, "  none\n");
		return;
	}
	if (!v->no_header)
		fprintf(f, "  %-39s %10s %11s\n", "REMOTE IP", "TW SOCKETS", "ALL SOCKETS");
	for (size_t i = 0; i < rows(c->n_peers, v); i++)
		fprintf(f, "  %-39s %10" PRIu64 " %11" PRIu64 "\n", addr_format(&c->peers[i].addr, ip, sizeof(ip)),
			c->peers[i].time_wait, c->peers[i].total);
}

static void print_timers(FILE *f, const struct out_style *st, const struct census *c)
{
	uint64_t max = 0;

	heading(f, st, "TIME_WAIT remaining time (fixed 60 s, docs/kernel.md#tw-duration): sockets per 5 s");
	for (int i = 0; i < TW_TIMER_BUCKETS; i++)
		if (c->tw_timer[i] > max)
			max = c->tw_timer[i];
	for (int i = 0; i < TW_TIMER_BUCKETS; i++) {
		fprintf(f, "  %2d-%2ds ", i * 5, i * 5 + 5);
		out_bar(f, st, max ? (double)c->tw_timer[i] / max : 0, 30);
		fprintf(f, " %" PRIu64 "\n", c->tw_timer[i]);
	}
}

static void print_sockstat(FILE *f, const struct out_style *st, const struct collect_result *res)
{
	const struct census *c = res->census;
	uint64_t mine = census_total(c, TW_TIME_WAIT) + c->fw2_orphan;

	heading(f, st, "Kernel totals (/proc/net/sockstat)");
	if (res->sockstat_err) {
		fprintf(f, "  unavailable\n");
		return;
	}
	fprintf(f, "  tw %" PRIu64 " (TIME_WAIT + FIN_WAIT2 mini-sockets), census %" PRIu64 "%s\n",
		res->sockstat.tcp_tw, mine,
		res->sockstat.tcp_tw == mine ? "" : " (the dump is not a snapshot, or a filter is set)");
	fprintf(f, "  inuse %" PRIu64 " (v4) %" PRIu64 " (v6), orphan %" PRIu64 " (all namespaces)\n",
		res->sockstat.tcp_inuse, res->sockstat.tcp6_inuse, res->sockstat.tcp_orphan);
	if (res->diag.dump_intr)
		fprintf(f, "  %sthe kernel flagged the dump as interrupted: counts are approximate%s\n",
			out_color(st, OUT_YELLOW), out_color(st, OUT_RESET));
}

void stat_print_table(FILE *f, const struct out_style *st, const struct collect_result *res,
		      const struct stat_view *v)
{
	const struct census *c = res->census;

	fprintf(f, "%sTCP census%s of network namespace ", out_color(st, OUT_BOLD),
		out_color(st, OUT_RESET));
	out_text(f, v->netns ? v->netns : "(current)", out_text_flags(st));
	fprintf(f, " (%" PRIu64 " sockets, %.1f ms)\n", c->sockets, (double)res->duration_ns / 1e6);
	print_states(f, st, c, v);
	print_sides(f, st, c);
	print_dests(f, st, c, v);
	print_servers(f, st, c, v);
	print_peers(f, st, c, v);
	print_timers(f, st, c);
	print_sockstat(f, st, res);
	if (c->truncated)
		fprintf(f, "\nwarning: a table reached its limit of %u keys; per-key rows are incomplete\n",
			TW_MAP_MAX_ENTRIES);
}

void stat_print_summary(FILE *f, const struct out_style *st, const struct tw_sockstat *ss,
			const struct stat_view *v)
{
	fprintf(f, "%sTCP totals%s of network namespace ", out_color(st, OUT_BOLD),
		out_color(st, OUT_RESET));
	out_text(f, v->netns ? v->netns : "(current)", out_text_flags(st));
	fprintf(f, " (from /proc/net/sockstat, no socket walk)\n");
	fprintf(f, "  in use (not TIME_WAIT)   %10" PRIu64 " IPv4, %" PRIu64 " IPv6\n", ss->tcp_inuse,
		ss->tcp6_inuse);
	fprintf(f, "  TIME_WAIT + FIN_WAIT2 mini-sockets %10" PRIu64 "\n", ss->tcp_tw);
	fprintf(f, "  orphans (all namespaces) %10" PRIu64 "\n", ss->tcp_orphan);
	fprintf(f, "  allocated (all namespaces) %8" PRIu64 "\n", ss->tcp_alloc);
}
