/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Conntrack's settings and counters from /proc of the current netns:
 * net.netfilter.nf_conntrack_{count,max,buckets,tcp_timeout_time_wait} and
 * the per-CPU statistics of /proc/net/stat/nf_conntrack, summed. Paths go
 * through proc_root() so tests replay fixtures. The parser is pure.
 */
#ifndef TWSCOPE_CONNTRACK_CTPROC_H
#define TWSCOPE_CONNTRACK_CTPROC_H

#include <stdbool.h>
#include <stdint.h>

/* The per-CPU counters kept: X(id, JSON name, column in /proc/net/stat/nf_conntrack). */
#define CT_STATS(X)                                    \
	X(FOUND, "found", "found")                     \
	X(INVALID, "invalid", "invalid")               \
	X(INSERT, "insert", "insert")                  \
	X(INSERT_FAILED, "insert_failed", "insert_failed") \
	X(DROP, "drop", "drop")                        \
	X(EARLY_DROP, "early_drop", "early_drop")      \
	X(ERROR, "error", "icmp_error")                \
	X(SEARCH_RESTART, "search_restart", "search_restart") \
	X(CLASH_RESOLVE, "clash_resolve", "clashres")  \
	X(CHAIN_TOOLONG, "chaintoolong", "chainlength")

#define CT_STAT_ENUM(id, name, col) CT_STAT_##id,
enum ct_stat_id { CT_STATS(CT_STAT_ENUM) CT_STAT_MAX };
#undef CT_STAT_ENUM

struct ct_stats {
	bool have;			/* the file was read */
	uint32_t cpus;			/* lines summed */
	bool present[CT_STAT_MAX];	/* this kernel has the column */
	uint64_t value[CT_STAT_MAX];	/* summed over CPUs */
};

struct ct_settings {
	bool loaded;			/* nf_conntrack_count exists in this netns */
	uint64_t count;
	bool have_max;
	uint64_t max;
	bool have_buckets;
	uint64_t buckets;
	bool have_tw_timeout;
	uint64_t tw_timeout_s;		/* nf_conntrack_tcp_timeout_time_wait */
};

/* ct_stat_name() - JSON name of a counter ("insert_failed"). */
const char *ct_stat_name(enum ct_stat_id id);

/*
 * ct_stats_parse() - the text of /proc/net/stat/nf_conntrack: a header of
 * column names, then one line of hex numbers per CPU. Columns this code
 * does not know are skipped. Returns 0 or -EBADMSG.
 */
int ct_stats_parse(const char *text, struct ct_stats *ret);

/* ct_stats_read() - read and parse it. -ENOENT without conntrack. */
int ct_stats_read(struct ct_stats *ret);

/*
 * ct_stats_delta() - b - a per counter present in both (a counter that went
 * backwards, e.g. a CPU gone offline, gives 0).
 */
void ct_stats_delta(const struct ct_stats *a, const struct ct_stats *b, struct ct_stats *ret);

/* ct_settings_read() - the sysctls; loaded = false when conntrack is absent. 0 or -errno. */
int ct_settings_read(struct ct_settings *ret);

#endif
