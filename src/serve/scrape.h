/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * scrape: everything one Prometheus scrape (or `stat --format prom`) needs
 * from the current network namespace: the census, the TCP counters and the
 * TIME_WAIT-related sysctls. Collects only; output-prom.c renders. No printing.
 */
#ifndef TWSCOPE_SCRAPE_H
#define TWSCOPE_SCRAPE_H

#include <stddef.h>
#include <stdint.h>

#include "collect.h"

#define SCRAPE_MAX_SYSCTLS 16

struct ct_report;
struct tw_counters;

struct scrape_sysctl {
	const char *name;	/* dotted sysctl name, static storage */
	int64_t value;
};

struct scrape_result {
	struct collect_result census;	/* census.census is NULL when census_err */
	int census_err;			/* 0, or -errno from collect_census() */
	struct tw_counters *counters;	/* NULL when counters_err */
	int counters_err;
	struct scrape_sysctl sysctls[SCRAPE_MAX_SYSCTLS];
	size_t n_sysctls;		/* sysctls the kernel has, in table order */
	struct ct_report *ct;		/* conntrack of the netns; NULL when not loaded */
	uint64_t duration_ns;		/* wall time of the whole collection */
};

/* scrape_sysctl_names() - the NULL-terminated list of sysctls a scrape reads. */
const char *const *scrape_sysctl_names(void);

/*
 * scrape_take() - census (with filter f), counters, sysctls and (when
 * conntrack is loaded in it) the conntrack report of the current netns. res is always filled with what could be read and must be
 * released with scrape_result_done(). Returns 0, or the census error
 * (-errno, see collect_census()); a missing counter file or sysctl is
 * recorded in res and is not an error.
 */
int scrape_take(const struct census_filter *f, struct scrape_result *res);

/* scrape_result_done() - free what res owns; safe on a zeroed or done result. */
void scrape_result_done(struct scrape_result *res);

#endif
