/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Lab verdicts: a scenario records checks (what was expected next to what
 * the kernel did) and this pure code turns them into "as expected",
 * "differs" (with the difference) or "skipped". No I/O here.
 */
#ifndef TWSCOPE_LAB_VERDICT_H
#define TWSCOPE_LAB_VERDICT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LAB_WHAT_MAX 96
#define LAB_TEXT_MAX 48
#define LAB_MAX_CHECKS 32
#define LAB_REASON_MAX 256

enum lab_verdict {
	LAB_EXPECTED,
	LAB_DIFFERS,
	LAB_SKIPPED,
	LAB_ERROR,
};

enum lab_cmp {
	LAB_CMP_EQ,	/* observed == expected */
	LAB_CMP_GE,	/* observed >= expected */
	LAB_CMP_LE,	/* observed <= expected */
	LAB_CMP_RANGE,	/* expected <= observed <= expected_hi */
	LAB_CMP_ERRNO,	/* observed errno == expected errno (0 = success) */
};

/* One expectation and what was observed. */
struct lab_check {
	char what[LAB_WHAT_MAX];
	enum lab_cmp cmp;
	int64_t expected;
	int64_t expected_hi;
	int64_t observed;
	int decimals;		/* values are x 10^decimals (0-3): 166 with 2 reads 1.66 */
	bool ok;
};

/* lab_check_eval() - does the observation meet the expectation? */
bool lab_check_eval(const struct lab_check *c);

/*
 * lab_check_expected_text() / lab_check_observed_text() - "100", ">= 3.00",
 * "1.58..1.76", "EADDRNOTAVAIL", "success" into buf (values scaled by
 * c->decimals are printed with that many decimals). Return buf.
 */
const char *lab_check_expected_text(const struct lab_check *c, char *buf, size_t len);
const char *lab_check_observed_text(const struct lab_check *c, char *buf, size_t len);

/* lab_errno_name() - "EADDRNOTAVAIL" for EADDRNOTAVAIL, "success" for 0. */
const char *lab_errno_name(int err);

/* lab_verdict_name() - "as expected", "differs", "skipped", "error". */
const char *lab_verdict_name(enum lab_verdict v);

/*
 * lab_verdict_decide() - the verdict of a scenario from its checks.
 * error (non-empty) wins, then skip (non-empty); a run with no checks is
 * an error; any failed check makes it "differs" and the differences are
 * written to diff ("what: expected X, observed Y; ..."), else "as expected".
 * diff is always NUL-terminated (empty when nothing differs).
 */
enum lab_verdict lab_verdict_decide(const struct lab_check *checks, size_t n, const char *skip,
				    const char *error, char *diff, size_t len);

#endif
