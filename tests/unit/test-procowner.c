// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * procowner over a fake /proc tree (TWSCOPE_PROC_ROOT): socket inodes are
 * mapped to their pid, and a comm is kept as the task set it, escapes and
 * its own newlines included; only the kernel's trailing newline goes.
 */
#include "tw-test.h"

#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "doctor/procowner.h"

static char root[] = "/tmp/twscope-procowner.XXXXXX";

static void put_task(const char *pid, const char *comm, size_t comm_len, unsigned int inode)
{
	char path[PATH_MAX], link[64];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", root, pid);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/%s/fd", root, pid);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/%s/fd/3", root, pid);
	snprintf(link, sizeof(link), "socket:[%u]", inode);
	assert_int_equal(symlink(link, path), 0);
	snprintf(path, sizeof(path), "%s/%s/comm", root, pid);
	f = fopen(path, "we");
	assert_non_null(f);
	assert_int_equal(fwrite(comm, 1, comm_len, f), comm_len);
	assert_int_equal(fclose(f), 0);
}

static void test_comm(void **state)
{
	static const char evil[] = "a\nb\x1b]0;x\x07\xff\n";	/* 11 bytes + the kernel's '\n' */
	struct procowner_hit hits[2] = { { .inode = 555 }, { .inode = 777 } };
	char cmd[PATH_MAX + 16];
	bool partial = true;

	(void)state;
	assert_non_null(mkdtemp(root));
	put_task("123", evil, sizeof(evil) - 1, 555);
	put_task("456", "", 0, 777);
	assert_int_equal(setenv("TWSCOPE_PROC_ROOT", root, 1), 0);
	assert_int_equal(procowner_scan(hits, 2, &partial), 2);
	assert_false(partial);
	assert_int_equal(hits[0].pid, 123);
	assert_string_equal(hits[0].comm, "a\nb\x1b]0;x\x07\xff");
	assert_int_equal(hits[1].pid, 456);
	assert_string_equal(hits[1].comm, "?");
	unsetenv("TWSCOPE_PROC_ROOT");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_comm),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
