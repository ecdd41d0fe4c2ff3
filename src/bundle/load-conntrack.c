// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * load-conntrack: the conntrack section of a bundle: statistics and their
 * deltas, the census and its SNAT groups with their pools and rules.
 */
#include "bundle/load.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "addr.h"
#include "bundle/bundle.h"
#include "bundle/reader.h"
#include "doctor/facts.h"

static int load_ct_stats(struct jload *j, struct json_object *o, struct facts_conntrack *ct)
{
	struct json_object *v, *d;
	uint64_t cpus = 0;
	size_t old = jload_enter(j, "stats");

	TRY(jload_get_u64(j, o, "cpus", true, 1, 1u << 16, &cpus));
	ct->cpus = (uint32_t)cpus;
	TRY(jload_get(j, o, "values", json_type_object, true, &v));
	TRY(jload_get(j, o, "deltas", json_type_object, false, &d));
	json_object_object_foreach(v, key, val) {
		size_t i;

		(void) val;
		for (i = 0; i < CT_STAT_MAX; i++)
			if (strcmp(key, ct_stat_name((enum ct_stat_id)i)) == 0)
				break;
		if (i == CT_STAT_MAX)
			return jload_bad(j, "values", "'%.40s' is not a conntrack statistic", key);
	}
	for (size_t i = 0; i < CT_STAT_MAX; i++) {
		const char *name = ct_stat_name((enum ct_stat_id)i);
		size_t o2 = jload_enter(j, "values");

		TRY(jload_get_u64(j, v, name, false, 0, UINT64_MAX, &ct->stat[i]));
		ct->stat_present[i] = json_object_object_get_ex(v, name, NULL);
		jload_leave(j, o2);
	}
	if (d) {
		size_t o2 = jload_enter(j, "deltas");

		json_object_object_foreach(d, dkey, dval) {
			size_t i;

			(void) dval;
			for (i = 0; i < CT_STAT_MAX; i++)
				if (strcmp(dkey, ct_stat_name((enum ct_stat_id)i)) == 0)
					break;
			if (i == CT_STAT_MAX || !ct->stat_present[i])
				return jload_bad(j, NULL, "'%.40s' is not a statistic of values", dkey);
			TRY(jload_get_u64(j, d, dkey, true, 0, ct->stat[i], &ct->stat_delta[i]));
		}
		ct->have_delta = true;
		jload_leave(j, o2);
	}
	ct->have_stats = true;
	jload_leave(j, old);
	return 0;
}

/* nft table and chain names as doctor/ctfacts.c keeps them. */
static int get_nat_name(struct jload *j, struct json_object *o, const char *key, char *buf, size_t size)
{
	TRY(jload_get_str(j, o, key, true, buf, size, STR_TEXT));
	for (const char *p = buf; *p; p++)
		if (!(isalnum((unsigned char)*p) || strchr("_-.?", *p)))
			return jload_bad(j, key, "'%.40s' is not a table or chain name", buf);
	return 0;
}

static int load_snat_pool(struct jload *j, struct json_object *e, struct facts_snat_group *g)
{
	struct json_object *p, *r, *lg = NULL;

	TRY(jload_get(j, e, "pool", json_type_object, false, &p));
	if (p) {
		size_t old = jload_enter(j, "pool");

		TRY(jload_get_port(j, p, "lo", 1, &g->pool_lo));
		TRY(jload_get_port(j, p, "hi", g->pool_lo, &g->pool_hi));
		TRY(jload_get_bool(j, p, "kernel_default", &g->pool_default));
		g->pool_known = true;
		g->pool_size = (uint32_t)g->pool_hi - g->pool_lo + 1;
		/* natpool.c: use of the pool, recomputed rather than trusted */
		g->util_pct = 100.0 * (double)g->held / g->pool_size;
		jload_leave(j, old);
	}
	TRY(jload_get_bool(j, e, "random_fully", &g->random_fully));
	TRY(jload_get(j, e, "rule", json_type_object, false, &r));
	if (r) {
		size_t old = jload_enter(j, "rule");

		TRY(get_nat_name(j, r, "table", g->rule_table, sizeof(g->rule_table)));
		TRY(get_nat_name(j, r, "chain", g->rule_chain, sizeof(g->rule_chain)));
		TRY(jload_get_bool(j, r, "iptables", &g->rule_iptables));
		/* optional: bundles before legacy iptables was read have none */
		TRY(jload_get(j, r, "legacy", json_type_boolean, false, &lg));
		g->rule_legacy = lg && json_object_get_boolean(lg);
		TRY(jload_get_bool(j, r, "masquerade", &g->rule_masquerade));
		g->have_rule = true;
		jload_leave(j, old);
	}
	return 0;
}

static int load_snat_group(struct jload *j, struct json_object *e, const struct facts_conntrack *ct,
			   struct facts_snat_group *g)
{
	struct tw_addr sa, da;
	uint64_t proto = 0;

	TRY(jload_get_str(j, e, "nat_src", true, g->nat_src, sizeof(g->nat_src), STR_TEXT));
	if (addr_parse(g->nat_src, &sa) < 0)
		return jload_bad(j, "nat_src", "'%s' is not an IP address", g->nat_src);
	TRY(jload_get_str(j, e, "dst", true, g->dst, sizeof(g->dst), STR_TEXT));
	if (addr_parse(g->dst, &da) < 0)
		return jload_bad(j, "dst", "'%s' is not an IP address", g->dst);
	if (sa.family != da.family)
		return jload_bad(j, "dst", "'%s' is not of the family of nat_src '%s'", g->dst, g->nat_src);
	TRY(jload_get_port(j, e, "dport", 0, &g->dport));
	TRY(jload_get_u64(j, e, "l4proto", true, 0, 255, &proto));
	g->l4proto = (uint8_t)proto;
	TRY(jload_get_u64(j, e, "held", true, 1, ct->snat, &g->held));
	TRY(jload_get_u64(j, e, "time_wait", true, 0, g->held, &g->time_wait));
	TRY(jload_get_u64(j, e, "established", true, 0, g->held - g->time_wait, &g->established));
	TRY(jload_get_port(j, e, "seen_lo", 0, &g->seen_lo));
	TRY(jload_get_port(j, e, "seen_hi", g->seen_lo, &g->seen_hi));
	TRY(load_snat_pool(j, e, g));
	if (json_object_object_get_ex(e, "held_before", NULL)) {
		TRY(jload_get_u64(j, e, "held_before", true, 0, BUNDLE_MAX_COUNT, &g->held_before));
		g->have_growth = true;
	}
	return 0;
}

static int cmp_snat_group(const void *a, const void *b)
{
	const struct facts_snat_group *x = a, *y = b;

	if (x->util_pct != y->util_pct)
		return x->util_pct < y->util_pct ? 1 : -1;
	return x->held < y->held ? 1 : x->held > y->held ? -1 : 0;
}

static int load_ct_census(struct jload *j, struct json_object *o, struct facts_conntrack *ct)
{
	struct json_object *arr, *x;
	uint64_t rules = 0;
	size_t n, old = jload_enter(j, "census");

	TRY(jload_get_u64(j, o, "entries", true, 0, BUNDLE_MAX_COUNT, &ct->entries));
	TRY(jload_get_u64(j, o, "tcp_time_wait", true, 0, ct->entries, &ct->tcp_time_wait));
	TRY(jload_get_u64(j, o, "tcp_established", true, 0, ct->entries - ct->tcp_time_wait, &ct->tcp_established));
	/* bundles from before the local/forwarded split lack it */
	if (json_object_object_get_ex(o, "tcp_time_wait_local", NULL)) {
		TRY(jload_get_u64(j, o, "tcp_time_wait_local", true, 0, ct->tcp_time_wait, &ct->tcp_time_wait_local));
		ct->have_tw_local = true;
	}
	TRY(jload_get_u64(j, o, "snat", true, 0, ct->entries, &ct->snat));
	TRY(jload_get_u64(j, o, "snat_time_wait", true, 0, ct->snat < ct->tcp_time_wait ? ct->snat : ct->tcp_time_wait,
			  &ct->snat_time_wait));
	TRY(jload_get(j, o, "nat_rules", json_type_int, false, &x));
	if (x) {
		TRY(jload_get_u64(j, o, "nat_rules", true, 0, 1024, &rules));
		ct->nat_rules = (uint32_t)rules;
		ct->have_rules = true;
	}
	TRY(jload_get_u64(j, o, "snat_groups_total", true, 0, ct->snat, &ct->groups_total));
	TRY(jload_get_arr(j, o, "snat_groups", true, FACTS_MAX_SNAT, &arr, &n));
	if (n > ct->groups_total)
		return jload_bad(j, "snat_groups", "has %zu elements, more than snat_groups_total (%llu)", n,
				 (unsigned long long)ct->groups_total);
	(void) jload_enter(j, "snat_groups");
	for (size_t i = 0; i < n; i++) {
		size_t o2 = jload_enter_idx(j, i);
		struct json_object *e;

		TRY(jload_elem_obj(j, arr, i, &e));
		TRY(load_snat_group(j, e, ct, &ct->groups[i]));
		jload_leave(j, o2);
	}
	ct->n_groups = n;
	qsort(ct->groups, n, sizeof(ct->groups[0]), cmp_snat_group);
	ct->have_census = true;
	jload_leave(j, old);
	return 0;
}

int jload_conntrack(struct jload *j, struct json_object *o, struct facts_conntrack *ct)
{
	struct json_object *x;
	uint64_t err = 0;
	size_t old = jload_enter(j, "conntrack");

	TRY(jload_get(j, o, "buckets", json_type_int, false, &x));
	if (x) {
		TRY(jload_get_u64(j, o, "buckets", true, 1, UINT32_MAX, &ct->buckets));
		ct->have_buckets = true;
	}
	TRY(jload_get_u64(j, o, "entry_bytes", true, 0, 1 << 16, &ct->objsize));
	TRY(jload_get_u64(j, o, "mem_total_bytes", true, 0, UINT64_MAX >> 8, &ct->mem_total_bytes));
	TRY(jload_get(j, o, "stats", json_type_object, false, &x));
	if (x)
		TRY(load_ct_stats(j, x, ct));
	TRY(jload_get_u64(j, o, "census_errno", true, 0, 4095, &err));
	ct->census_err = (int)err;
	TRY(jload_get_u64(j, o, "rules_errno", true, 0, 4095, &err));
	ct->rules_err = (int)err;
	TRY(jload_get(j, o, "census", json_type_object, false, &x));
	if (x) {
		if (ct->census_err)
			return jload_bad(j, "census", "is given, but census_errno is %d", ct->census_err);
		TRY(load_ct_census(j, x, ct));
	}
	ct->loaded = true;
	jload_leave(j, old);
	return 0;
}
