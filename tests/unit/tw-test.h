/* SPDX-License-Identifier: GPL-2.0-or-later */
/* Common includes for cmocka unit tests (cmocka needs these before its header) and test helpers. */
#ifndef TWSCOPE_TW_TEST_H
#define TWSCOPE_TW_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <stdbool.h>

#include <stdio.h>
#include <stdlib.h>

#include "../utf8-check.h"

/*
 * golden_compare() - assert text equals the golden file; with
 * TW_UPDATE_GOLDEN=1 in the environment, rewrite the file first.
 */
static inline void golden_compare(const char *golden, const char *text)
{
	char *want = NULL;
	size_t n = 0;
	FILE *f;

	if (getenv("TW_UPDATE_GOLDEN")) {
		f = fopen(golden, "we");
		assert_non_null(f);
		fputs(text, f);
		assert_int_equal(fclose(f), 0);
	}
	f = fopen(golden, "re");
	assert_non_null(f);
	assert_true(getdelim(&want, &n, '\0', f) >= 0);
	fclose(f);
	assert_string_equal(text, want);
	free(want);
}

#endif
