/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * src/conntrack/ owns everything twscope knows about netfilter's
 * connection tracking in one network namespace: the ctnetlink census
 * (ct.h), its sysctls and per-CPU statistics (ctproc.h), the SNAT rules
 * and pools (natpool.h), over one nfnetlink transport (nfnl.h). This file
 * is the entry point commands use: it collects, it never prints.
 */
#ifndef TWSCOPE_CONNTRACK_CONNTRACK_H
#define TWSCOPE_CONNTRACK_CONNTRACK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "conntrack/ct.h"
#include "conntrack/ctproc.h"
#include "conntrack/natpool.h"
#include "conntrack/nfnl.h"

/* One SNAT group with its pool. */
struct ct_group_view {
	struct ct_group g;
	struct nat_pool pool;
	double util_pct;		/* held / pool size; 0 when the pool is unknown */
};

struct ct_report {
	struct ct_settings settings;
	struct ct_stats stats;		/* since boot */
	struct ct_stats delta;		/* over interval_ns (delta.have false without one) */
	uint64_t interval_ns;
	int census_err;			/* 0, or why the ctnetlink dump failed (-EPERM, ...) */
	bool have_census;
	struct ct_census census;
	int rules_err;			/* 0, or why the ruleset could not be read */
	struct nat_rules rules;
	size_t n_groups;
	struct ct_group_view *groups;	/* most utilized first */
	struct nfnl_stats nl;
};

/*
 * ct_report_collect() - take the conntrack report of the current netns:
 * settings, stats (twice, interval_ns apart, when interval_ns > 0), the
 * census and the NAT rules. A census or ruleset the kernel refuses is
 * recorded in census_err/rules_err, not returned. Returns 0 or -ENOMEM.
 */
int ct_report_collect(struct ct_report *rep, uint64_t interval_ns);

/*
 * ct_report_finish() - match groups to pools and sort them (also used by
 * tests and bundles after filling census and rules by hand). 0 or -ENOMEM.
 */
int ct_report_finish(struct ct_report *rep);

/* ct_report_done() - free what the report owns. */
void ct_report_done(struct ct_report *rep);

#endif
