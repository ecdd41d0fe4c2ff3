// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * ctfacts: doctor's conntrack facts of the current netns, taken from the
 * conntrack report (src/conntrack/): statistics at both ends of the
 * interval, the census, the SNAT groups with their pools and how much each
 * grew. Collection only: no rules, no printing.
 */
#include "doctor/facts.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysinfo.h>

#include "addr.h"
#include "conntrack/conntrack.h"
#include "ksettings.h"

struct facts_ct_snapshot {
	bool have_stats;
	struct ct_stats stats;
	size_t n;
	struct ct_group_view *groups;	/* taken from the first report */
};

void facts_ct_snapshot_free(struct facts_ct_snapshot *s)
{
	if (!s)
		return;
	free(s->groups);
	free(s);
}

/*
 * Is conntrack loaded here? Asking ctnetlink when it is not would make the
 * kernel load nf_conntrack_netlink (and nf_conntrack) on the host: doctor
 * only looks, so the sysctl decides.
 */
static bool ct_loaded(void)
{
	struct ct_settings st;

	return ct_settings_read(&st) == 0 && st.loaded;
}

int facts_ct_first(struct facts_ct_snapshot **ret)
{
	struct facts_ct_snapshot *s;
	struct ct_report rep;
	int r;

	*ret = NULL;
	if (!ct_loaded())
		return 0;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	r = ct_report_collect(&rep, 0);
	if (r < 0) {
		ct_report_done(&rep);
		free(s);
		return r;
	}
	s->have_stats = rep.stats.have;
	s->stats = rep.stats;
	s->groups = rep.groups;
	s->n = rep.n_groups;
	rep.groups = NULL;
	ct_report_done(&rep);
	*ret = s;
	return 0;
}

/* Names from the ruleset end up in evidence: keep only what nft names are made of. */
static void copy_name(char *dst, size_t len, const char *src)
{
	size_t i;

	for (i = 0; i + 1 < len && src[i]; i++) {
		unsigned char c = (unsigned char)src[i];

		dst[i] = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
			 c == '_' || c == '-' || c == '.' ? (char)c : '?';
	}
	dst[i] = '\0';
}

static const struct ct_group_view *find_group(const struct facts_ct_snapshot *s, const struct ct_group_key *k)
{
	for (size_t i = 0; s && i < s->n; i++)
		if (memcmp(&s->groups[i].g.key, k, sizeof(*k)) == 0)
			return &s->groups[i];
	return NULL;
}

static void fill_group(struct facts_snat_group *d, const struct ct_report *rep, const struct ct_group_view *v,
		       const struct facts_ct_snapshot *first)
{
	const struct ct_group_view *before = find_group(first, &v->g.key);

	(void) addr_format(&v->g.key.nat_src, d->nat_src, sizeof(d->nat_src));
	(void) addr_format(&v->g.key.dst, d->dst, sizeof(d->dst));
	d->dport = v->g.key.dport;
	d->l4proto = v->g.key.l4proto;
	d->held = v->g.held;
	d->time_wait = v->g.time_wait;
	d->established = v->g.established;
	d->seen_lo = v->g.port_lo;
	d->seen_hi = v->g.port_hi;
	d->pool_known = v->pool.source != NAT_POOL_UNKNOWN && v->pool.size;
	d->pool_default = v->pool.source == NAT_POOL_DEFAULT;
	if (d->pool_known) {
		d->pool_lo = v->pool.lo;
		d->pool_hi = v->pool.hi;
		d->pool_size = v->pool.size;
		d->util_pct = v->util_pct;
	}
	d->random_fully = v->pool.random_fully;
	if (v->pool.rule >= 0 && (size_t)v->pool.rule < rep->rules.n) {
		const struct nat_rule *nr = &rep->rules.rule[v->pool.rule];

		d->have_rule = true;
		d->rule_iptables = nr->iptables;
		d->rule_legacy = nr->legacy;
		d->rule_masquerade = nr->masquerade;
		copy_name(d->rule_table, sizeof(d->rule_table), nr->table);
		copy_name(d->rule_chain, sizeof(d->rule_chain), nr->chain);
	}
	/* A group absent at the start of the interval held nothing then. */
	if (first) {
		d->have_growth = true;
		d->held_before = before ? before->g.held : 0;
	}
}

static uint64_t mem_total_bytes(void)
{
	struct sysinfo si;

	if (sysinfo(&si) < 0)
		return 0;
	return (uint64_t)si.totalram * si.mem_unit;
}

int facts_ct_collect(struct facts_conntrack *ct, struct facts_ct_snapshot *first)
{
	struct ct_report rep;
	int r;

	memset(ct, 0, sizeof(*ct));
	if (!ct_loaded())
		return 0;
	r = ct_report_collect(&rep, 0);
	if (r < 0) {
		ct_report_done(&rep);
		return r;
	}
	ct->loaded = true;
	ct->have_buckets = rep.settings.have_buckets;
	ct->buckets = rep.settings.buckets;
	if (ksettings_slab_objsize("nf_conntrack", &ct->objsize) < 0)
		ct->objsize = 0;
	ct->mem_total_bytes = mem_total_bytes();
	ct->have_stats = rep.stats.have;
	ct->cpus = rep.stats.cpus;
	for (size_t i = 0; i < CT_STAT_MAX; i++) {
		ct->stat_present[i] = rep.stats.present[i];
		ct->stat[i] = rep.stats.value[i];
	}
	if (first && first->have_stats && rep.stats.have) {
		struct ct_stats d;

		ct_stats_delta(&first->stats, &rep.stats, &d);
		ct->have_delta = true;
		for (size_t i = 0; i < CT_STAT_MAX; i++)
			ct->stat_delta[i] = d.present[i] ? d.value[i] : 0;
	}
	ct->census_err = -rep.census_err;
	ct->have_census = rep.have_census;
	if (rep.have_census) {
		ct->entries = rep.census.entries;
		ct->tcp_time_wait = rep.census.tcp[CT_TCP_TIME_WAIT];
		ct->have_tw_local = rep.census.have_local;
		ct->tcp_time_wait_local = rep.census.time_wait_local;
		ct->tcp_established = rep.census.tcp[CT_TCP_ESTABLISHED];
		ct->snat = rep.census.snat;
		ct->snat_time_wait = rep.census.snat_time_wait;
	}
	ct->rules_err = -rep.rules_err;
	ct->have_rules = rep.rules.have;
	ct->nat_rules = (uint32_t)rep.rules.n;
	ct->groups_total = rep.n_groups;
	for (size_t i = 0; i < rep.n_groups && ct->n_groups < FACTS_MAX_SNAT; i++)
		fill_group(&ct->groups[ct->n_groups++], &rep, &rep.groups[i], first);
	ct_report_done(&rep);
	return 0;
}
