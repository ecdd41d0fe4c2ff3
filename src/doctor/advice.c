// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * advice: the rule engine of twscope doctor. Each rule reads struct tw_facts
 * and fills one finding: severity, evidence (text and key/values), why and
 * the fix, best option first. A rule whose input is missing says "unknown",
 * never a guess. The table is rules.def, the rules are in rules-<topic>.c.
 * Pure: no I/O, no printing.
 */
#include "doctor/advice.h"

#include <stdio.h>
#include <string.h>

#include "doctor/advice-build.h"
#include "doctor/facts.h"
#include "util.h"

#define RULE(fn, id, title, ref) { id, title, ref },
static const struct {
	const char *id;
	const char *title;
	const char *ref;
} rules[] = {
#include "doctor/rules.def"
};
#undef RULE

const char *advice_rule_id(size_t i)
{
	return i < ADV_RULE_MAX ? rules[i].id : NULL;
}

const char *advice_rule_title(size_t i)
{
	return i < ADV_RULE_MAX ? rules[i].title : NULL;
}

const char *advice_rule_reference(size_t i)
{
	return i < ADV_RULE_MAX ? rules[i].ref : NULL;
}

const char *advice_sev_name(enum tw_sev s)
{
	static const char *const names[] = { "ok", "info", "unknown", "warning", "critical" };

	return (size_t)s < ARRAY_SIZE(names) ? names[s] : "unknown";
}

typedef void (*rule_fn)(const struct tw_facts *f, struct advice_finding *x);

#define RULE(fn, id, title, ref) rule_##fn,
static const rule_fn rule_fns[] = {
#include "doctor/rules.def"
};
#undef RULE

enum tw_sev advice_overall(const struct advice_report *r)
{
	enum tw_sev worst = TW_SEV_OK;

	for (size_t i = 0; i < ADV_RULE_MAX; i++)
		if (r->findings[i].sev > worst)
			worst = r->findings[i].sev;
	return worst == TW_SEV_INFO ? TW_SEV_OK : worst;
}

void advice_eval(const struct tw_facts *f, struct advice_report *ret)
{
	memset(ret, 0, sizeof(*ret));
	for (size_t i = 0; i < ADV_RULE_MAX; i++) {
		struct advice_finding *x = &ret->findings[i];

		x->id = rules[i].id;
		x->reference = rules[i].ref;
		x->sev = TW_SEV_OK;
		snprintf(x->title, sizeof(x->title), "%s", rules[i].title);
		rule_fns[i](f, x);
		ret->counts[x->sev]++;
	}
	ret->overall = advice_overall(ret);
}

const struct advice_finding *advice_find(const struct advice_report *r, const char *id)
{
	for (size_t i = 0; i < ADV_RULE_MAX; i++)
		if (strcmp(r->findings[i].id, id) == 0)
			return &r->findings[i];
	return NULL;
}
