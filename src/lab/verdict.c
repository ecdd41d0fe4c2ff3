// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Lab verdict logic: evaluate checks and turn them into a verdict with a
 * readable difference. Pure code, unit-tested in test-lab-verdict.c.
 */
#include "lab/verdict.h"

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

bool lab_check_eval(const struct lab_check *c)
{
	switch (c->cmp) {
	case LAB_CMP_EQ:
	case LAB_CMP_ERRNO:
		return c->observed == c->expected;
	case LAB_CMP_GE:
		return c->observed >= c->expected;
	case LAB_CMP_LE:
		return c->observed <= c->expected;
	case LAB_CMP_RANGE:
		return c->observed >= c->expected && c->observed <= c->expected_hi;
	}
	return false;
}

const char *lab_errno_name(int err)
{
	const char *n;

	if (err == 0)
		return "success";
	if (err < 0)
		err = -err;
	n = strerrorname_np(err);
	return n ? n : "unknown errno";
}

/* num() - v / 10^decimals with that many decimals ("166", 2 -> "1.66"). */
static const char *num(int64_t v, int decimals, char *buf, size_t len)
{
	static const int64_t scale[] = { 1, 10, 100, 1000 };
	uint64_t a;

	if (decimals <= 0 || decimals > 3) {
		snprintf(buf, len, "%" PRId64, v);
		return buf;
	}
	a = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	snprintf(buf, len, "%s%" PRIu64 ".%0*" PRIu64, v < 0 ? "-" : "", a / (uint64_t)scale[decimals],
		 decimals, a % (uint64_t)scale[decimals]);
	return buf;
}

const char *lab_check_expected_text(const struct lab_check *c, char *buf, size_t len)
{
	char a[32], b[32];

	switch (c->cmp) {
	case LAB_CMP_EQ:
		snprintf(buf, len, "%s", num(c->expected, c->decimals, a, sizeof(a)));
		break;
	case LAB_CMP_GE:
		snprintf(buf, len, ">= %s", num(c->expected, c->decimals, a, sizeof(a)));
		break;
	case LAB_CMP_LE:
		snprintf(buf, len, "<= %s", num(c->expected, c->decimals, a, sizeof(a)));
		break;
	case LAB_CMP_RANGE:
		snprintf(buf, len, "%s..%s", num(c->expected, c->decimals, a, sizeof(a)),
			 num(c->expected_hi, c->decimals, b, sizeof(b)));
		break;
	case LAB_CMP_ERRNO:
		snprintf(buf, len, "%s", lab_errno_name((int)c->expected));
		break;
	}
	return buf;
}

const char *lab_check_observed_text(const struct lab_check *c, char *buf, size_t len)
{
	if (c->cmp == LAB_CMP_ERRNO)
		snprintf(buf, len, "%s", lab_errno_name((int)c->observed));
	else
		num(c->observed, c->decimals, buf, len);
	return buf;
}

const char *lab_verdict_name(enum lab_verdict v)
{
	switch (v) {
	case LAB_EXPECTED:
		return "as expected";
	case LAB_DIFFERS:
		return "differs";
	case LAB_SKIPPED:
		return "skipped";
	case LAB_ERROR:
		return "error";
	}
	return "error";
}

static void append(char *diff, size_t len, const char *s)
{
	size_t used = strlen(diff);

	if (used + 1 < len)
		snprintf(diff + used, len - used, "%s", s);
}

enum lab_verdict lab_verdict_decide(const struct lab_check *checks, size_t n, const char *skip,
				    const char *error, char *diff, size_t len)
{
	char exp[LAB_TEXT_MAX], obs[LAB_TEXT_MAX], one[LAB_WHAT_MAX + 2 * LAB_TEXT_MAX + 32];
	bool differs = false;

	if (len)
		diff[0] = '\0';
	if (error && error[0])
		return LAB_ERROR;
	if (skip && skip[0])
		return LAB_SKIPPED;
	if (n == 0) {
		if (len)
			snprintf(diff, len, "nothing was observed");
		return LAB_ERROR;
	}
	for (size_t i = 0; i < n; i++) {
		if (lab_check_eval(&checks[i]))
			continue;
		snprintf(one, sizeof(one), "%s%s: expected %s, observed %s", differs ? "; " : "",
			 checks[i].what, lab_check_expected_text(&checks[i], exp, sizeof(exp)),
			 lab_check_observed_text(&checks[i], obs, sizeof(obs)));
		if (len)
			append(diff, len, one);
		differs = true;
	}
	return differs ? LAB_DIFFERS : LAB_EXPECTED;
}
