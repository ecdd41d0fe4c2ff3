// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * One scrape of the current network namespace: census + /proc/net counters
 * + the sysctls that shape TIME_WAIT. Shared by `serve` and `stat --format
 * prom`. Nothing here prints or formats.
 */
#include "serve/scrape.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "conntrack/conntrack.h"
#include "ksettings.h"
#include "util.h"

/* Integer sysctls exported as gauges; missing ones (older kernels, no conntrack) are skipped. */
static const char *const sysctl_names[] = {
	"net.ipv4.tcp_tw_reuse",
	"net.ipv4.tcp_tw_reuse_delay",
	"net.ipv4.tcp_max_tw_buckets",
	"net.ipv4.tcp_fin_timeout",
	"net.ipv4.tcp_timestamps",
	"net.ipv4.tcp_rfc1337",
	"net.ipv4.tcp_max_orphans",
	"net.ipv4.tcp_ehash_entries",
	"net.netfilter.nf_conntrack_tcp_timeout_time_wait",
	NULL,
};

const char *const *scrape_sysctl_names(void)
{
	return sysctl_names;
}

/*
 * Only where conntrack is loaded: a ctnetlink request elsewhere would make
 * the kernel load nf_conntrack_netlink (and nf_conntrack) on the host.
 */
static int take_conntrack(struct scrape_result *res)
{
	struct ct_settings st;
	int r;

	if (ct_settings_read(&st) < 0 || !st.loaded)
		return 0;
	res->ct = calloc(1, sizeof(*res->ct));
	if (!res->ct)
		return -ENOMEM;
	r = ct_report_collect(res->ct, 0);
	if (r < 0) {
		ct_report_done(res->ct);
		free(res->ct);
		res->ct = NULL;
	}
	return r;
}

int scrape_take(const struct census_filter *f, struct scrape_result *res)
{
	uint64_t start = now_ns();

	memset(res, 0, sizeof(*res));
	res->census_err = collect_census(f, NULL, &res->census);
	if (res->census_err < 0)
		res->census.census = NULL;
	res->counters_err = ksettings_counters(&res->counters);
	if (res->counters_err < 0)
		res->counters = NULL;
	for (size_t i = 0; sysctl_names[i] && res->n_sysctls < SCRAPE_MAX_SYSCTLS; i++) {
		int64_t v;

		if (ksettings_sysctl_i64(sysctl_names[i], &v) < 0)
			continue;
		res->sysctls[res->n_sysctls].name = sysctl_names[i];
		res->sysctls[res->n_sysctls].value = v;
		res->n_sysctls++;
	}
	/* a conntrack report that cannot be had (OOM) leaves its families out */
	(void) take_conntrack(res);
	res->duration_ns = now_ns() - start;
	return res->census_err < 0 ? res->census_err : 0;
}

void scrape_result_done(struct scrape_result *res)
{
	if (res->census.census)
		collect_result_done(&res->census);
	res->census.census = NULL;
	res->counters = tw_counters_free(res->counters);
	if (res->ct) {
		ct_report_done(res->ct);
		free(res->ct);
		res->ct = NULL;
	}
}
