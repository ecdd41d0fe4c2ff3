// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * save: write doctor's facts as a JSON bundle (--save), the format load.c
 * reads back. No collection and no printing here.
 */
#include "bundle/bundle.h"

#include <json-c/json.h>

#include "doctor/facts.h"
#include "doctor/sysctlconf.h"
#include "tcpstate.h"
#include "output.h"
#include "util.h"
#include "bundle/keys.h"

/* --- bundle: facts -> JSON --------------------------------------------- */

static void add_str(struct json_object *o, const char *k, const char *v)
{
	json_object_object_add(o, k, json_object_new_string(v));
}

static struct json_object *closes_json(const struct census_closes *h)
{
	struct json_object *o = json_object_new_object();

	for (size_t w = 0; w < TW_CLOSE_WINDOWS; w++)
		out_json_add_u64(o, window_keys[w], h->within[w]);
	json_object_object_add(o, "youngest_ms", h->youngest_ms == TW_AGE_UNKNOWN ? NULL :
				json_object_new_int64(h->youngest_ms));
	out_json_add_u64(o, "clears_ms", h->clears_ms);
	return o;
}

static struct json_object *culprits_json(const struct facts_dest *d)
{
	struct json_object *o = json_object_new_object(), *arr = json_object_new_array();

	out_json_add_u64(o, "live", d->live);
	out_json_add_u64(o, "unowned", d->unowned);
	json_object_object_add(o, "partial", json_object_new_boolean(d->culprits_partial));
	for (size_t i = 0; i < d->n_culprits; i++) {
		const struct facts_culprit *c = &d->culprits[i];
		struct json_object *x = json_object_new_object();

		out_json_add_u64(x, "pid", (uint64_t)c->pid);
		out_json_add_u64(x, "pids", c->pids);
		out_json_add_u64(x, "sockets", c->sockets);
		add_str(x, "comm", c->comm);
		add_str(x, "cgroup", c->cgroup);
		add_str(x, "runtime", facts_runtime_name(c->runtime));
		json_object_array_add(arr, x);
	}
	json_object_object_add(o, "processes", arr);
	return o;
}

static struct json_object *census_json(const struct facts_census *c)
{
	struct json_object *o = json_object_new_object();
	struct json_object *st = json_object_new_object();
	struct json_object *tw = json_object_new_object();
	struct json_object *fw = json_object_new_object();
	struct json_object *pr = json_object_new_object();
	struct json_object *ds = json_object_new_array();
	struct json_object *sv = json_object_new_array();

	for (unsigned int s = 1; s < ARRAY_SIZE(c->states); s++)
		if (tcpstate_name(s))
			out_json_add_u64(st, tcpstate_name(s), c->states[s]);
	json_object_object_add(o, "states", st);
	out_json_add_u64(tw, "client", c->tw_client);
	out_json_add_u64(tw, "server", c->tw_server);
	out_json_add_u64(tw, "unknown", c->tw_unknown);
	json_object_object_add(o, "time_wait", tw);
	out_json_add_u64(fw, "orphan", c->fw2_orphan);
	out_json_add_u64(fw, "live", c->fw2_live);
	json_object_object_add(o, "fin_wait2", fw);
	out_json_add_u64(pr, "lo", c->range_lo);
	out_json_add_u64(pr, "hi", c->range_hi);
	out_json_add_u64(pr, "size", c->range_size);
	out_json_add_u64(pr, "reserved", c->reserved_in_range);
	out_json_add_u64(pr, "listening", c->listeners_in_range);
	out_json_add_u64(pr, "usable", c->usable);
	{
		struct json_object *lp = json_object_new_array();

		for (size_t i = 0; i < c->n_listen_in_range; i++)
			json_object_array_add(lp, json_object_new_int(c->listen_in_range[i]));
		json_object_object_add(pr, "listening_ports", lp);
	}
	json_object_object_add(o, "port_range", pr);
	out_json_add_u64(o, "destinations_total", c->dests_total);
	for (size_t i = 0; i < c->n_dests; i++) {
		const struct facts_dest *d = &c->dests[i];
		struct json_object *x = json_object_new_object();

		add_str(x, "local", d->local);
		add_str(x, "remote", d->remote);
		out_json_add_u64(x, "remote_port", d->remote_port);
		out_json_add_u64(x, "held", d->held);
		out_json_add_u64(x, "time_wait", d->time_wait);
		out_json_add_u64(x, "established", d->established);
		json_object_object_add(x, "utilization_pct", json_object_new_double(d->util_pct));
		if (d->have_closes)
			json_object_object_add(x, "closes", closes_json(&d->closes));
		if (d->culprits_scanned)
			json_object_object_add(x, "culprits", culprits_json(d));
		json_object_array_add(ds, x);
	}
	json_object_object_add(o, "destinations", ds);
	out_json_add_u64(o, "server_ports_total", c->servers_total);
	for (size_t i = 0; i < c->n_servers; i++) {
		const struct facts_server *s = &c->servers[i];
		struct json_object *x = json_object_new_object();

		out_json_add_u64(x, "port", s->port);
		out_json_add_u64(x, "time_wait", s->time_wait);
		out_json_add_u64(x, "close_wait", s->close_wait);
		out_json_add_u64(x, "established", s->established);
		out_json_add_u64(x, "total", s->total);
		if (s->listener_scanned) {
			struct json_object *l = json_object_new_object();

			json_object_object_add(l, "listening", json_object_new_boolean(s->listening));
			out_json_add_u64(l, "pid", (uint64_t)s->listener_pid);
			add_str(l, "comm", s->listener_comm);
			json_object_object_add(x, "listener", l);
		}
		json_object_array_add(sv, x);
	}
	json_object_object_add(o, "server_ports", sv);
	return o;
}

static struct json_object *close_wait_json(const struct facts_close_wait *cw)
{
	struct json_object *o = json_object_new_object();
	struct json_object *ports = json_object_new_array();
	struct json_object *owners = json_object_new_array();

	out_json_add_u64(o, "total", cw->total);
	if (cw->have_idle) {
		out_json_add_u64(o, "oldest_idle_ms", cw->oldest_idle_ms);
		out_json_add_u64(o, "stale", cw->stale);
	}
	for (size_t i = 0; i < cw->n_ports; i++) {
		struct json_object *x = json_object_new_object();

		out_json_add_u64(x, "port", cw->ports[i].port);
		out_json_add_u64(x, "count", cw->ports[i].count);
		json_object_array_add(ports, x);
	}
	json_object_object_add(o, "ports", ports);
	json_object_object_add(o, "owners_scanned", json_object_new_boolean(cw->owners_scanned));
	json_object_object_add(o, "owners_partial", json_object_new_boolean(cw->owners_partial));
	for (size_t i = 0; i < cw->n_owners; i++) {
		struct json_object *x = json_object_new_object();

		out_json_add_u64(x, "pid", (uint64_t)cw->owners[i].pid);
		add_str(x, "comm", cw->owners[i].comm);
		out_json_add_u64(x, "port", cw->owners[i].port);
		out_json_add_u64(x, "sockets", cw->owners[i].sockets);
		json_object_array_add(owners, x);
	}
	json_object_object_add(o, "owners", owners);
	return o;
}

static struct json_object *ct_stats_json(const struct facts_conntrack *ct, bool delta)
{
	struct json_object *o = json_object_new_object();

	for (size_t i = 0; i < CT_STAT_MAX; i++)
		if (ct->stat_present[i])
			out_json_add_u64(o, ct_stat_name((enum ct_stat_id)i),
					 delta ? ct->stat_delta[i] : ct->stat[i]);
	return o;
}

static struct json_object *snat_group_json(const struct facts_snat_group *g)
{
	struct json_object *x = json_object_new_object();

	add_str(x, "nat_src", g->nat_src);
	add_str(x, "dst", g->dst);
	out_json_add_u64(x, "dport", g->dport);
	out_json_add_u64(x, "l4proto", g->l4proto);
	out_json_add_u64(x, "held", g->held);
	out_json_add_u64(x, "time_wait", g->time_wait);
	out_json_add_u64(x, "established", g->established);
	out_json_add_u64(x, "seen_lo", g->seen_lo);
	out_json_add_u64(x, "seen_hi", g->seen_hi);
	if (g->pool_known) {
		struct json_object *p = json_object_new_object();

		out_json_add_u64(p, "lo", g->pool_lo);
		out_json_add_u64(p, "hi", g->pool_hi);
		json_object_object_add(p, "kernel_default", json_object_new_boolean(g->pool_default));
		json_object_object_add(x, "pool", p);
	} else {
		json_object_object_add(x, "pool", NULL);
	}
	json_object_object_add(x, "random_fully", json_object_new_boolean(g->random_fully));
	if (g->have_rule) {
		struct json_object *r = json_object_new_object();

		add_str(r, "table", g->rule_table);
		add_str(r, "chain", g->rule_chain);
		json_object_object_add(r, "iptables", json_object_new_boolean(g->rule_iptables));
		json_object_object_add(r, "legacy", json_object_new_boolean(g->rule_legacy));
		json_object_object_add(r, "masquerade", json_object_new_boolean(g->rule_masquerade));
		json_object_object_add(x, "rule", r);
	} else {
		json_object_object_add(x, "rule", NULL);
	}
	if (g->have_growth)
		out_json_add_u64(x, "held_before", g->held_before);
	return x;
}

/* The conntrack facts; NULL when conntrack is not loaded. */
static struct json_object *conntrack_json(const struct facts_conntrack *ct)
{
	struct json_object *o, *groups;

	if (!ct->loaded)
		return NULL;
	o = json_object_new_object();
	json_object_object_add(o, "buckets", ct->have_buckets ? json_object_new_uint64(ct->buckets) : NULL);
	out_json_add_u64(o, "entry_bytes", ct->objsize);
	out_json_add_u64(o, "mem_total_bytes", ct->mem_total_bytes);
	if (ct->have_stats) {
		struct json_object *st = json_object_new_object();

		out_json_add_u64(st, "cpus", ct->cpus);
		json_object_object_add(st, "values", ct_stats_json(ct, false));
		json_object_object_add(st, "deltas", ct->have_delta ? ct_stats_json(ct, true) : NULL);
		json_object_object_add(o, "stats", st);
	} else {
		json_object_object_add(o, "stats", NULL);
	}
	out_json_add_u64(o, "census_errno", (uint64_t)ct->census_err);
	out_json_add_u64(o, "rules_errno", (uint64_t)ct->rules_err);
	if (!ct->have_census) {
		json_object_object_add(o, "census", NULL);
		return o;
	}
	groups = json_object_new_object();
	out_json_add_u64(groups, "entries", ct->entries);
	out_json_add_u64(groups, "tcp_time_wait", ct->tcp_time_wait);
	if (ct->have_tw_local)
		out_json_add_u64(groups, "tcp_time_wait_local", ct->tcp_time_wait_local);
	out_json_add_u64(groups, "tcp_established", ct->tcp_established);
	out_json_add_u64(groups, "snat", ct->snat);
	out_json_add_u64(groups, "snat_time_wait", ct->snat_time_wait);
	json_object_object_add(groups, "nat_rules", ct->have_rules ? json_object_new_uint64(ct->nat_rules) : NULL);
	out_json_add_u64(groups, "snat_groups_total", ct->groups_total);
	{
		struct json_object *arr = json_object_new_array();

		for (size_t i = 0; i < ct->n_groups; i++)
			json_object_array_add(arr, snat_group_json(&ct->groups[i]));
		json_object_object_add(groups, "snat_groups", arr);
	}
	json_object_object_add(o, "census", groups);
	return o;
}

struct json_object *bundle_to_json(const struct tw_facts *f)
{
	struct json_object *o = json_object_new_object();
	struct json_object *sys, *errs, *cnt;

	if (!o)
		return NULL;
	out_json_add_u64(o, "schema", BUNDLE_SCHEMA);
	add_str(o, "kind", BUNDLE_KIND);
	add_str(o, "twscope_version", TW_VERSION);
	add_str(o, "kernel", f->kernel);
	add_str(o, "netns", f->netns);
	json_object_object_add(o, "interval_sec",
			       json_object_new_double((double)f->interval_ns / NSEC_PER_SEC));
	sys = json_object_new_object();
	errs = json_object_new_array();
	for (size_t i = 0; i < FS_MAX; i++) {
		if (f->sysctl[i].present)
			add_str(sys, facts_sysctl_name((enum facts_sysctl_id)i), f->sysctl[i].value);
		else if (f->sysctl[i].error)
			json_object_array_add(errs, json_object_new_string(facts_sysctl_name((enum facts_sysctl_id)i)));
	}
	json_object_object_add(o, "sysctls", sys);
	json_object_object_add(o, "sysctl_errors", errs);
	cnt = NULL;
	if (f->have_counters) {
		cnt = json_object_new_object();
		for (size_t i = 0; i < FC_MAX; i++) {
			struct json_object *x;

			if (!f->counter[i].have)
				continue;
			x = json_object_new_object();
			out_json_add_u64(x, "value", f->counter[i].value);
			if (f->counter[i].have_delta)
				out_json_add_u64(x, "delta", f->counter[i].delta);
			json_object_object_add(cnt, facts_counter_name((enum facts_counter_id)i), x);
		}
	}
	json_object_object_add(o, "counters", cnt);
	if (f->have_sockstat) {
		struct json_object *s = json_object_new_object();

		out_json_add_u64(s, "tcp_inuse", f->sockstat.tcp_inuse);
		out_json_add_u64(s, "tcp_orphan", f->sockstat.tcp_orphan);
		out_json_add_u64(s, "tcp_tw", f->sockstat.tcp_tw);
		out_json_add_u64(s, "tcp_alloc", f->sockstat.tcp_alloc);
		out_json_add_u64(s, "tcp_mem_pages", f->sockstat.tcp_mem_pages);
		out_json_add_u64(s, "tcp6_inuse", f->sockstat.tcp6_inuse);
		json_object_object_add(o, "sockstat", s);
	} else {
		json_object_object_add(o, "sockstat", NULL);
	}
	out_json_add_u64(o, "tw_objsize_bytes", f->tw_objsize);
	json_object_object_add(o, "tw_objsize_measured", json_object_new_boolean(f->tw_objsize_measured));
	json_object_object_add(o, "census", f->census.have ? census_json(&f->census) : NULL);
	json_object_object_add(o, "close_wait", f->close_wait.have ? close_wait_json(&f->close_wait) : NULL);
	json_object_object_add(o, "conntrack", conntrack_json(&f->ct));
	if (f->have_sysconf) {
		struct json_object *c = json_object_new_object();
		struct json_object *lines = json_object_new_array();

		out_json_add_u64(c, "files", f->sysconf.files);
		json_object_object_add(c, "truncated", json_object_new_boolean(f->sysconf.truncated));
		for (size_t i = 0; i < f->sysconf.n; i++) {
			struct json_object *x = json_object_new_object();

			add_str(x, "file", f->sysconf.v[i].file);
			out_json_add_u64(x, "line", f->sysconf.v[i].line);
			add_str(x, "key", f->sysconf.v[i].key);
			add_str(x, "value", f->sysconf.v[i].value);
			json_object_array_add(lines, x);
		}
		json_object_object_add(c, "lines", lines);
		json_object_object_add(o, "sysctl_config", c);
	} else {
		json_object_object_add(o, "sysctl_config", NULL);
	}
	return o;
}
