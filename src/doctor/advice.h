/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * advice: doctor's rule engine. advice_eval() turns struct tw_facts into
 * findings (id, severity, title, evidence, why, fix, reference) using the
 * table in rules.def and the thresholds below. Pure: no I/O, no printing.
 */
#ifndef TWSCOPE_ADVICE_H
#define TWSCOPE_ADVICE_H

#include <stdbool.h>
#include <stddef.h>

struct tw_facts;

/* Ordered so that the worst is the largest; info counts as ok overall (STYLE §9). */
enum tw_sev {
	TW_SEV_OK,
	TW_SEV_INFO,
	TW_SEV_UNKNOWN,
	TW_SEV_WARNING,
	TW_SEV_CRITICAL,
};

/*
 * Thresholds, in one place (documented in docs/findings.md).
 */
#define ADV_PORT_WARN_PCT 50.0		/* port-exhaustion: a destination's ports used */
#define ADV_PORT_CRIT_PCT 80.0
#define ADV_TW_BUCKETS_WARN_PCT 90.0	/* tw-bucket-overflow: sockstat tw / tcp_max_tw_buckets */
#define ADV_CLOSE_WAIT_WARN 50		/* close-wait-leak: CLOSE_WAIT sockets in the netns */
#define ADV_CLOSE_WAIT_CRIT 1000
#define ADV_CLOSE_WAIT_STALE_WARN 10	/* close-wait-leak: idle for FACTS_CW_STALE_MS or more */
#define ADV_CLOSE_WAIT_STALE_CRIT 100
#define ADV_FIN_WAIT2_WARN 100		/* fin-wait2-orphans: FIN_WAIT2 sockets (orphan + live) */
#define ADV_PORT_RANGE_SMALL 5000	/* port-range: usable ports below this warn (≈83 conn/s) */
#define ADV_SNAT_WARN_PCT 50.0		/* snat-port-exhaustion: a SNAT group's pool held */
#define ADV_SNAT_CRIT_PCT 80.0
#define ADV_CT_FULL_WARN_PCT 80.0	/* conntrack-table-full: nf_conntrack_count / max */
#define ADV_CT_FULL_CRIT_PCT 95.0
#define ADV_CT_INSERT_FAILED_CRIT_PER_SEC 10.0	/* conntrack-insert-failed: rate that is critical */
#define ADV_CT_OBJSIZE_FALLBACK 320	/* bytes of a conntrack entry when the slab is unreadable */
#define ADV_ABORT_WARN_PER_SEC 1.0	/* abortive-closes: TCPAbortOnData rate that warns */
#define ADV_REUSE_SERVER_TW_MIN 100	/* tw-reuse-ineffective: server-only TW worth a note */

#define ADV_MAX_EVIDENCE 12
#define ADV_MAX_KV 24
#define ADV_MAX_FIX 10
#define ADV_TEXT_LEN 512

/* One structured piece of evidence (for JSON): a number or a string. */
struct advice_kv {
	char key[48];
	bool is_num;
	double num;
	char str[128];
};

struct advice_finding {
	const char *id;
	const char *reference;
	enum tw_sev sev;
	char title[200];
	char evidence[ADV_MAX_EVIDENCE][ADV_TEXT_LEN];
	size_t n_evidence;
	struct advice_kv kv[ADV_MAX_KV];
	size_t n_kv;
	char why[ADV_TEXT_LEN];
	char fix[ADV_MAX_FIX][ADV_TEXT_LEN];
	size_t n_fix;
};

#define RULE(fn, id, title, ref) ADV_RULE_##fn,
enum advice_rule { 
#include "doctor/rules.def"
	ADV_RULE_MAX
};
#undef RULE

struct advice_report {
	enum tw_sev overall;	/* critical > warning > unknown > ok (info counts as ok) */
	size_t counts[TW_SEV_CRITICAL + 1];
	struct advice_finding findings[ADV_RULE_MAX];	/* in rules.def order */
};

/* advice_eval() - evaluate every rule on f into *ret (overwritten). Never fails. */
void advice_eval(const struct tw_facts *f, struct advice_report *ret);

/* advice_sev_name() - "ok", "info", "unknown", "warning", "critical". */
const char *advice_sev_name(enum tw_sev s);

/* advice_overall() - the overall state of severities (STYLE §9). */
enum tw_sev advice_overall(const struct advice_report *r);

/* advice_rule_id() / _title() / _reference() - the table, by index < ADV_RULE_MAX. */
const char *advice_rule_id(size_t i);
const char *advice_rule_title(size_t i);
const char *advice_rule_reference(size_t i);

/* advice_find() - the finding with this id, or NULL. */
const struct advice_finding *advice_find(const struct advice_report *r, const char *id);

#endif
