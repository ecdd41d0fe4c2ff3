// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * `twscope stat --conntrack` renderers: the "conntrack" JSON object and
 * the human report, from a finished struct ct_report. No collection here.
 */
#include "output-conntrack.h"

#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <string.h>

#include <json-c/json.h>

#include "addr.h"
#include "conntrack/conntrack.h"
#include "output.h"
#include "output-stat.h"

static void add_opt(struct json_object *o, const char *k, bool have, uint64_t v)
{
	json_object_object_add(o, k, have ? json_object_new_uint64(v) : NULL);
}

const char *ct_census_error(int err)
{
	switch (err) {
	case 0:
		return "";
	case -EPERM:
	case -EACCES:
		return "reading conntrack entries needs CAP_NET_ADMIN (run as root)";
	case -ENOENT:
	case -EOPNOTSUPP:
	case -EPROTONOSUPPORT:
		return "conntrack is not available in this kernel (module nf_conntrack_netlink not loaded)";
	default:
		return "the conntrack dump failed";
	}
}

static const char *pool_source(enum nat_pool_source s)
{
	switch (s) {
	case NAT_POOL_RULE:
		return "rule";
	case NAT_POOL_DEFAULT:
		return "kernel_default";
	default:
		return "unknown";
	}
}

static const char *proto_name(uint8_t p)
{
	return p == IPPROTO_TCP ? "tcp" : p == IPPROTO_UDP ? "udp" : p == IPPROTO_SCTP ? "sctp" : "other";
}

static struct json_object *json_stats(const struct ct_stats *s)
{
	struct json_object *o = json_object_new_object();

	for (int i = 0; i < CT_STAT_MAX; i++)
		if (s->present[i])
			out_json_add_u64(o, ct_stat_name(i), s->value[i]);
	return o;
}

static struct json_object *json_group(const struct ct_group_view *v, const struct ct_report *rep)
{
	struct json_object *o = json_object_new_object(), *p = json_object_new_object();

	json_object_object_add(o, "nat_source", out_json_addr(&v->g.key.nat_src));
	json_object_object_add(o, "destination", out_json_addr(&v->g.key.dst));
	out_json_add_u64(o, "destination_port", v->g.key.dport);
	json_object_object_add(o, "protocol", json_object_new_string(proto_name(v->g.key.l4proto)));
	out_json_add_u64(o, "held", v->g.held);
	out_json_add_u64(o, "time_wait", v->g.time_wait);
	out_json_add_u64(o, "established", v->g.established);
	out_json_add_u64(o, "port_low_seen", v->g.port_lo);
	out_json_add_u64(o, "port_high_seen", v->g.port_hi);
	json_object_object_add(p, "source", json_object_new_string(pool_source(v->pool.source)));
	add_opt(p, "low", v->pool.size, v->pool.lo);
	add_opt(p, "high", v->pool.size, v->pool.hi);
	out_json_add_u64(p, "size", v->pool.size);
	json_object_object_add(p, "random_fully", json_object_new_boolean(v->pool.random_fully));
	if (v->pool.rule >= 0) {
		const struct nat_rule *nr = &rep->rules.rule[v->pool.rule];

		json_object_object_add(p, "table", out_json_string(nr->table, sizeof(nr->table)));
		json_object_object_add(p, "chain", out_json_string(nr->chain, sizeof(nr->chain)));
	}
	json_object_object_add(o, "pool", p);
	json_object_object_add(o, "utilization_pct", out_json_double(v->util_pct, 1));
	return o;
}

static struct json_object *json_rules(const struct nat_rules *rules)
{
	struct json_object *a = json_object_new_array();

	for (size_t i = 0; i < rules->n; i++) {
		const struct nat_rule *nr = &rules->rule[i];
		struct json_object *o = json_object_new_object();

		json_object_object_add(o, "table", out_json_string(nr->table, sizeof(nr->table)));
		json_object_object_add(o, "chain", out_json_string(nr->chain, sizeof(nr->chain)));
		json_object_object_add(o, "type",
				       json_object_new_string(nr->masquerade ? "masquerade" : "snat"));
		add_opt(o, "port_low", nr->have_ports, nr->port_lo);
		add_opt(o, "port_high", nr->have_ports, nr->port_hi);
		json_object_object_add(o, "random", json_object_new_boolean(nr->random));
		json_object_object_add(o, "random_fully", json_object_new_boolean(nr->random_fully));
		json_object_object_add(o, "iptables", json_object_new_boolean(nr->iptables));
		json_object_object_add(o, "legacy", json_object_new_boolean(nr->legacy));
		json_object_array_add(a, o);
	}
	return a;
}

struct json_object *ct_json(const struct ct_report *rep, const struct stat_view *v)
{
	const struct ct_settings *s = &rep->settings;
	struct json_object *o = json_object_new_object(), *x;
	size_t n;

	if (!o)
		return NULL;
	json_object_object_add(o, "loaded", json_object_new_boolean(s->loaded));
	add_opt(o, "count", s->loaded, s->count);
	add_opt(o, "max", s->have_max, s->max);
	add_opt(o, "buckets", s->have_buckets, s->buckets);
	add_opt(o, "tcp_timeout_time_wait_s", s->have_tw_timeout, s->tw_timeout_s);
	json_object_object_add(o, "stats", rep->stats.have ? json_stats(&rep->stats) : NULL);
	json_object_object_add(o, "interval_s", out_json_double((double)rep->interval_ns / 1e9, 3));
	json_object_object_add(o, "stats_delta", rep->delta.have ? json_stats(&rep->delta) : NULL);
	json_object_object_add(o, "census_error",
			       rep->census_err ? json_object_new_string(ct_census_error(rep->census_err)) : NULL);
	if (rep->have_census) {
		const struct ct_census *c = &rep->census;

		out_json_add_u64(o, "entries", c->entries);
		x = json_object_new_object();
		for (int i = 0; i < CT_PROTO_MAX; i++)
			out_json_add_u64(x, ct_proto_name(i), c->proto[i]);
		json_object_object_add(o, "protocols", x);
		x = json_object_new_object();
		for (int i = 0; i < CT_TCP_MAX; i++)
			out_json_add_u64(x, ct_tcp_state_name(i), c->tcp[i]);
		json_object_object_add(o, "tcp_states", x);
		out_json_add_u64(o, "snat_entries", c->snat);
		out_json_add_u64(o, "snat_time_wait", c->snat_time_wait);
		out_json_add_u64(o, "snat_groups_total", rep->n_groups);
		out_json_add_u64(o, "snat_groups_dropped_entries", c->groups_dropped);
		out_json_add_u64(o, "malformed", c->malformed);
		x = json_object_new_array();
		n = v->top && v->top < rep->n_groups ? v->top : rep->n_groups;
		for (size_t i = 0; i < n; i++)
			json_object_array_add(x, json_group(&rep->groups[i], rep));
		json_object_object_add(o, "snat_groups", x);
	}
	json_object_object_add(o, "nat_rules", rep->rules.have ? json_rules(&rep->rules) : NULL);
	return o;
}

static void print_stats(FILE *f, const struct ct_report *rep)
{
	fprintf(f, "STATS (%u CPUs)", rep->stats.cpus);
	for (int i = 0; i < CT_STAT_MAX; i++) {
		if (!rep->stats.present[i])
			continue;
		fprintf(f, "  %s %" PRIu64, ct_stat_name(i), rep->stats.value[i]);
		if (rep->delta.have && rep->delta.present[i])
			fprintf(f, " (+%" PRIu64 ")", rep->delta.value[i]);
	}
	fputc('\n', f);
}

void ct_print_table(FILE *f, const struct out_style *st, const struct ct_report *rep,
		    const struct stat_view *v)
{
	const struct ct_settings *s = &rep->settings;
	char a[INET6_ADDRSTRLEN], b[TW_ENDPOINT_STRLEN];
	size_t n;

	(void)st;
	if (!s->loaded && !rep->have_census) {
		fprintf(f, "conntrack is not loaded in this network namespace\n");
		return;
	}
	if (s->loaded)
		fprintf(f, "conntrack: %" PRIu64 " of %" PRIu64 " entries, %" PRIu64
			" buckets, TIME_WAIT timeout %" PRIu64 " s\n",
			s->count, s->max, s->buckets, s->tw_timeout_s);
	if (rep->stats.have)
		print_stats(f, rep);
	if (!rep->have_census) {
		fprintf(f, "%s: counts per state are not shown\n", ct_census_error(rep->census_err));
		return;
	}
	fprintf(f, "entries %" PRIu64 ":", rep->census.entries);
	for (int i = 0; i < CT_PROTO_MAX; i++)
		if (rep->census.proto[i])
			fprintf(f, "  %s %" PRIu64, ct_proto_name(i), rep->census.proto[i]);
	fputc('\n', f);
	fprintf(f, "tcp states:");
	for (int i = 0; i < CT_TCP_MAX; i++)
		if (rep->census.tcp[i])
			fprintf(f, "  %s %" PRIu64, ct_tcp_state_name(i), rep->census.tcp[i]);
	fputc('\n', f);
	fprintf(f, "snat entries %" PRIu64 " (%" PRIu64 " in TIME_WAIT) in %zu groups\n",
		rep->census.snat, rep->census.snat_time_wait, rep->n_groups);
	if (!rep->n_groups)
		return;
	if (!v->no_header)
		fprintf(f, "\n%-40s %-46s %6s %6s %6s %-12s %7s\n", "NAT SOURCE", "DESTINATION", "HELD",
			"TW", "ESTAB", "POOL", "USE");
	n = v->top && v->top < rep->n_groups ? v->top : rep->n_groups;
	for (size_t i = 0; i < n; i++) {
		const struct ct_group_view *g = &rep->groups[i];
		char dst[TW_ENDPOINT_STRLEN + 8], pool[24];

		addr_format_endpoint(&g->g.key.dst, g->g.key.dport, b, sizeof(b));
		snprintf(dst, sizeof(dst), "%s/%s", b, proto_name(g->g.key.l4proto));
		if (g->pool.size)
			snprintf(pool, sizeof(pool), "%u-%u%s", g->pool.lo, g->pool.hi,
				 g->pool.source == NAT_POOL_DEFAULT ? "*" : "");
		else
			snprintf(pool, sizeof(pool), "?");
		fprintf(f, "%-40s %-46s %6" PRIu64 " %6" PRIu64 " %6" PRIu64 " %-12s %6.1f%%\n",
			addr_format(&g->g.key.nat_src, a, sizeof(a)), dst, g->g.held, g->g.time_wait,
			g->g.established, pool, g->util_pct);
	}
	fprintf(f, "POOL * = the kernel's default range (no 'to :ports' in the rule)\n");
}
