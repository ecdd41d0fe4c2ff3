/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * advice-build: what every rule file of doctor uses to fill a finding
 * (title, evidence, key/values, why, fix) and to read facts safely, plus
 * the rules, which live in rules-<topic>.c. Internal to src/doctor/: only
 * advice.c and the rule files include it. Pure: no I/O, no printing.
 */
#ifndef TWSCOPE_DOCTOR_ADVICE_BUILD_H
#define TWSCOPE_DOCTOR_ADVICE_BUILD_H

#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>

#include "doctor/advice.h"
#include "doctor/facts.h"
#include "doctor/kver.h"
#include "util.h"

/* --- finding builders --------------------------------------------------- */

__attribute__((format(printf, 2, 3))) static inline void title(struct advice_finding *x, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(x->title, sizeof(x->title), fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 2, 3))) static inline void ev(struct advice_finding *x, const char *fmt, ...)
{
	va_list ap;

	if (x->n_evidence >= ADV_MAX_EVIDENCE)
		return;
	va_start(ap, fmt);
	vsnprintf(x->evidence[x->n_evidence++], ADV_TEXT_LEN, fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 2, 3))) static inline void why(struct advice_finding *x, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(x->why, sizeof(x->why), fmt, ap);
	va_end(ap);
}

__attribute__((format(printf, 2, 3))) static inline void fix(struct advice_finding *x, const char *fmt, ...)
{
	va_list ap;

	if (x->n_fix >= ADV_MAX_FIX)
		return;
	va_start(ap, fmt);
	vsnprintf(x->fix[x->n_fix++], ADV_TEXT_LEN, fmt, ap);
	va_end(ap);
}

static inline void kv_num(struct advice_finding *x, const char *key, double v)
{
	struct advice_kv *k;

	if (x->n_kv >= ADV_MAX_KV)
		return;
	k = &x->kv[x->n_kv++];
	snprintf(k->key, sizeof(k->key), "%s", key);
	k->is_num = true;
	k->num = v;
}

static inline void kv_str(struct advice_finding *x, const char *key, const char *v)
{
	struct advice_kv *k;

	if (x->n_kv >= ADV_MAX_KV)
		return;
	k = &x->kv[x->n_kv++];
	snprintf(k->key, sizeof(k->key), "%s", key);
	k->is_num = false;
	snprintf(k->str, sizeof(k->str), "%s", v);
}

static inline void unknown(struct advice_finding *x, const char *missing)
{
	x->sev = TW_SEV_UNKNOWN;
	ev(x, "could not be evaluated: %s", missing);
	kv_str(x, "missing", missing);
}

/* Facts may come from a bundle: arithmetic on them saturates instead of wrapping. */
static inline uint64_t sat_add(uint64_t a, uint64_t b)
{
	uint64_t r;

	return __builtin_add_overflow(a, b, &r) ? UINT64_MAX : r;
}

static inline uint64_t sat_mul(uint64_t a, uint64_t b)
{
	uint64_t r;

	return __builtin_mul_overflow(a, b, &r) ? UINT64_MAX : r;
}

static inline bool delta_of(const struct tw_facts *f, enum facts_counter_id id, uint64_t *ret)
{
	if (!f->have_counters || !f->counter[id].have_delta || !f->interval_ns)
		return false;
	*ret = f->counter[id].delta;
	return true;
}

static inline bool value_of(const struct tw_facts *f, enum facts_counter_id id, uint64_t *ret)
{
	if (!f->have_counters || !f->counter[id].have)
		return false;
	*ret = f->counter[id].value;
	return true;
}

static inline double interval_sec(const struct tw_facts *f)
{
	return (double)f->interval_ns / NSEC_PER_SEC;
}

/* "in the last 1.0 s" or "" when there was one sample. */
static inline const char *window(const struct tw_facts *f, char *buf, size_t len)
{
	snprintf(buf, len, "in the last %.1f s", interval_sec(f));
	return buf;
}

/* --- kernel facts -------------------------------------------------------- */

/* kernel_has() - does the facts' kernel (uname -r, or the bundle's) have a change? */
static inline enum kver_has kernel_has(const struct tw_facts *f, enum kchange_id id)
{
	return kver_has(f->kernel, id);
}

/* kernel_name() - "Linux 4.9" for the facts' kernel, or "this kernel" when unknown. */
static inline const char *kernel_name(const struct tw_facts *f, char *buf, size_t len)
{
	struct kver k;

	if (kver_parse(f->kernel, &k) < 0)
		return "this kernel";
	snprintf(buf, len, "Linux %u.%u", k.major, k.minor);
	return buf;
}

/* since() - "Linux 6.3" for a change of the table. */
static inline const char *since(enum kchange_id id, char *buf, size_t len)
{
	snprintf(buf, len, "Linux %u.%u", kchange_major(id), kchange_minor(id));
	return buf;
}

/* Rules in rules-ports.c (their table entries are in rules.def). */
void rule_port_exhaustion(const struct tw_facts *f, struct advice_finding *x);
void rule_port_range(const struct tw_facts *f, struct advice_finding *x);

/* Rules in rules-timewait.c (their table entries are in rules.def). */
void rule_tw_bucket_overflow(const struct tw_facts *f, struct advice_finding *x);
void rule_tw_reuse_ineffective(const struct tw_facts *f, struct advice_finding *x);
void rule_tw_recycle(const struct tw_facts *f, struct advice_finding *x);
void rule_fin_timeout_myth(const struct tw_facts *f, struct advice_finding *x);
void rule_paws_rejects(const struct tw_facts *f, struct advice_finding *x);
void rule_server_side_timewait(const struct tw_facts *f, struct advice_finding *x);
void rule_unknown_side(const struct tw_facts *f, struct advice_finding *x);
void rule_tw_count_mismatch(const struct tw_facts *f, struct advice_finding *x);

/* Rules in rules-sockets.c (their table entries are in rules.def). */
void rule_close_wait_leak(const struct tw_facts *f, struct advice_finding *x);
void rule_fin_wait2_orphans(const struct tw_facts *f, struct advice_finding *x);
void rule_abortive_closes(const struct tw_facts *f, struct advice_finding *x);

/* Rules in rules-netns.c (their table entries are in rules.def). */
void rule_sysctl_drift(const struct tw_facts *f, struct advice_finding *x);

/* Rules in rules-conntrack.c (their table entries are in rules.def). */
void rule_snat_port_exhaustion(const struct tw_facts *f, struct advice_finding *x);
void rule_conntrack_table_full(const struct tw_facts *f, struct advice_finding *x);
void rule_conntrack_insert_failed(const struct tw_facts *f, struct advice_finding *x);
void rule_conntrack_timewait(const struct tw_facts *f, struct advice_finding *x);

#endif
