// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * The netns error line every command prints: one wording per cause, and
 * "needs root" only when the caller is not root (or lacks CAP_SYS_ADMIN).
 */
#include "tw-test.h"

#include <errno.h>
#include <string.h>

#include "twscope.h"

static const char *text(int r, bool root, bool cap)
{
	static char buf[512];

	return cmd_netns_error_text("web1", r, root, cap, buf, sizeof(buf));
}

static void test_wording(void **state)
{
	(void) state;
	assert_string_equal(text(-ENOENT, false, false), "network namespace 'web1' not found");
	assert_string_equal(text(-ENOENT, true, true), "network namespace 'web1' not found");
	assert_string_equal(text(-EINVAL, false, false), "'web1' is not a network namespace");
	assert_string_equal(text(-EPERM, false, false),
			    "entering network namespace 'web1' needs CAP_SYS_ADMIN (run as root)");
	assert_string_equal(text(-EACCES, false, false),
			    "cannot open network namespace 'web1': permission denied (needs root)");
	assert_string_equal(text(-EIO, false, false),
			    "cannot enter network namespace 'web1': Input/output error");
}

/* Root (or CAP_SYS_ADMIN) refused anyway: name the other causes, never "needs root". */
static void test_root_refused(void **state)
{
	(void) state;
	assert_null(strstr(text(-EACCES, true, true), "needs root"));
	assert_non_null(strstr(text(-EACCES, true, true), "although running as root"));
	assert_null(strstr(text(-EPERM, true, true), "run as root"));
	assert_non_null(strstr(text(-EPERM, true, true), "although CAP_SYS_ADMIN is effective"));
	/* root without CAP_SYS_ADMIN (dropped): that is the cause */
	assert_string_equal(text(-EPERM, true, false), "entering network namespace 'web1' needs "
			    "CAP_SYS_ADMIN, which this root process lacks (dropped from its capabilities)");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wording),
		cmocka_unit_test(test_root_refused),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
