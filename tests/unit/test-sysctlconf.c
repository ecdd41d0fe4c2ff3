// SPDX-License-Identifier: GPL-2.0-or-later
/* Unit tests for sysctlconf.c: line syntax and a fixture tree (tests/fixtures/sysconf). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <errno.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include "doctor/sysctlconf.h"

static void test_parse_line(void **state)
{
	char k[128], v[256];

	(void) state;
	assert_int_equal(sysconf_parse_line("net.ipv4.tcp_tw_reuse=1\n", k, sizeof(k), v, sizeof(v)), 1);
	assert_string_equal(k, "net.ipv4.tcp_tw_reuse");
	assert_string_equal(v, "1");
	assert_int_equal(sysconf_parse_line("  -net/ipv4/tcp_fin_timeout =  30  ", k, sizeof(k), v, sizeof(v)), 1);
	assert_string_equal(k, "net.ipv4.tcp_fin_timeout");
	assert_string_equal(v, "30");
	assert_int_equal(sysconf_parse_line("net.ipv4.ip_local_port_range = 1024\t65000", k, sizeof(k), v,
					    sizeof(v)), 1);
	assert_string_equal(v, "1024\t65000");
	assert_int_equal(sysconf_parse_line("# net.ipv4.tcp_tw_recycle=1", k, sizeof(k), v, sizeof(v)), 0);
	assert_int_equal(sysconf_parse_line("; comment", k, sizeof(k), v, sizeof(v)), 0);
	assert_int_equal(sysconf_parse_line("   ", k, sizeof(k), v, sizeof(v)), 0);
	assert_int_equal(sysconf_parse_line("kernel.panic = 1", k, sizeof(k), v, sizeof(v)), 0);
	assert_int_equal(sysconf_parse_line("no equals here", k, sizeof(k), v, sizeof(v)), -EINVAL);
	/* CR (and other ASCII whitespace) is trimmed on both sides of key and value */
	assert_int_equal(sysconf_parse_line("\rnet.ipv4.tcp_tw_reuse\r=\r2\r\n", k, sizeof(k), v, sizeof(v)), 1);
	assert_string_equal(k, "net.ipv4.tcp_tw_reuse");
	assert_string_equal(v, "2");
	assert_int_equal(sysconf_parse_line("\v-net.ipv4.tcp_fin_timeout =\f5", k, sizeof(k), v, sizeof(v)), 1);
	assert_string_equal(v, "5");
	/* a '/'-first key swaps separators (sysctl.d(5)) */
	assert_int_equal(sysconf_parse_line("net/netfilter/nf_conntrack_max=5", k, sizeof(k), v, sizeof(v)), 1);
	assert_string_equal(k, "net.netfilter.nf_conntrack_max");
}

static const struct sysconf_entry *find(const struct sysconf *c, const char *key)
{
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i].key, key) == 0)
			return &c->v[i];
	return NULL;
}

static void test_fixture_tree(void **state)
{
	struct sysconf c;
	const struct sysconf_entry *e;

	(void) state;
	assert_int_equal(sysconf_scan_root("tests/fixtures/sysconf", &c), 0);
	assert_int_equal(c.files, 4);	/* .txt ignored */
	assert_int_equal(c.n, 6);
	assert_false(c.truncated);
	e = find(&c, "net.ipv4.tcp_tw_recycle");
	assert_non_null(e);
	assert_string_equal(e->file, "/etc/sysctl.conf");
	assert_int_equal(e->line, 4);
	assert_string_equal(e->value, "1");
	e = find(&c, "net.ipv4.tcp_fin_timeout");
	assert_int_equal(e->line, 2);
	e = find(&c, "net.ipv4.tcp_tw_reuse");
	assert_string_equal(e->file, "/etc/sysctl.d/10-tune.conf");
	assert_int_equal(e->line, 2);
	e = find(&c, "net.ipv4.ip_local_port_range");
	assert_string_equal(e->value, "1024\t65000");
	e = find(&c, "net.ipv4.tcp_rfc1337");
	assert_string_equal(e->file, "/usr/lib/sysctl.d/50-default.conf");
	e = find(&c, "net.ipv4.tcp_max_tw_buckets");
	assert_string_equal(e->file, "/run/sysctl.d/99-x.conf");
	assert_null(find(&c, "net.ipv4.tcp_timestamps"));
	/* /etc/sysctl.conf is read last */
	assert_string_equal(c.v[c.n - 1].file, "/etc/sysctl.conf");
	sysconf_done(&c);
}

static void test_missing_root(void **state)
{
	struct sysconf c;

	(void) state;
	assert_int_equal(sysconf_scan_root("tests/fixtures/no-such-dir", &c), 0);
	assert_int_equal(c.n, 0);
	assert_int_equal(c.files, 0);
	sysconf_done(&c);
}

static void test_env_root(void **state)
{
	struct sysconf c;

	(void) state;
	setenv("TWSCOPE_SYSCONF_ROOT", "tests/fixtures/sysconf", 1);
	assert_int_equal(sysconf_scan(&c), 0);
	assert_int_equal(c.n, 6);
	sysconf_done(&c);
	unsetenv("TWSCOPE_SYSCONF_ROOT");
}

static void test_bound(void **state)
{
	struct sysconf c = { 0 };

	(void) state;
	for (int i = 0; i < SYSCONF_MAX_ENTRIES; i++)
		assert_int_equal(sysconf_add(&c, "/f", (unsigned int)i, "net.ipv4.tcp_tw_reuse", "1"), 0);
	assert_int_equal(sysconf_add(&c, "/f", 1, "net.ipv4.tcp_tw_reuse", "1"), -ENOSPC);
	assert_true(c.truncated);
	sysconf_done(&c);
}

static void test_scan_text(void **state)
{
	static const char text[] = "# c\r\n"
				   "net.ipv4.tcp_tw_reuse = 2\r\n"
				   "\n"
				   "net.ipv4.tcp_fin_timeout=7\0 ignored after NUL\n"
				   "-net/ipv4/tcp_rfc1337=1";	/* no final newline */
	struct sysconf c = { 0 };
	char *big;

	(void) state;
	assert_int_equal(sysconf_scan_text(&c, "/etc/x.conf", text, sizeof(text) - 1), 0);
	assert_int_equal(c.n, 3);
	assert_string_equal(c.v[0].file, "/etc/x.conf");
	assert_int_equal(c.v[0].line, 2);
	assert_string_equal(c.v[0].value, "2");
	assert_int_equal(c.v[1].line, 4);
	assert_string_equal(c.v[1].value, "7");
	assert_int_equal(c.v[2].line, 5);
	assert_string_equal(c.v[2].key, "net.ipv4.tcp_rfc1337");
	assert_false(c.truncated);
	sysconf_done(&c);

	/* an over-long line is skipped but still counted */
	big = malloc(5000);
	assert_non_null(big);
	memset(big, 'x', 4000);
	big[0] = 'n';
	strcpy(big + 4000, "=1\nnet.ipv4.tcp_timestamps=0\n");
	assert_int_equal(sysconf_scan_text(&c, "/f", big, strlen(big)), 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.v[0].line, 2);
	sysconf_done(&c);
	free(big);

	/* empty text: nothing, no error */
	assert_int_equal(sysconf_scan_text(&c, "/f", "", 0), 0);
	assert_int_equal(c.n, 0);
}

static void test_scan_text_bounds(void **state)
{
	size_t len = SYSCONF_MAX_LINES;
	struct sysconf c = { 0 };
	char *text = malloc(len * 2 + 64);
	char *p;

	(void) state;
	assert_non_null(text);
	memset(text, '\n', len);
	strcpy(text + len - 1, "net.ipv4.tcp_tw_reuse=1\n");	/* line SYSCONF_MAX_LINES */
	assert_int_equal(sysconf_scan_text(&c, "/f", text, strlen(text)), 0);
	assert_int_equal(c.n, 1);
	assert_int_equal(c.v[0].line, SYSCONF_MAX_LINES);
	assert_false(c.truncated);
	sysconf_done(&c);
	text[len - 1] = '\n';
	strcpy(text + len, "net.ipv4.tcp_tw_reuse=1\n");	/* one line further */
	assert_int_equal(sysconf_scan_text(&c, "/f", text, strlen(text)), 0);
	assert_int_equal(c.n, 0);
	assert_true(c.truncated);
	sysconf_done(&c);
	/* more matching lines than entries */
	p = text;
	for (int i = 0; i < SYSCONF_MAX_ENTRIES + 3; i++)
		p += sprintf(p, "net.ipv4.tcp_fin_timeout=%d\n", i % 10);
	assert_int_equal(sysconf_scan_text(&c, "/f", text, (size_t)(p - text)), 0);
	assert_int_equal(c.n, SYSCONF_MAX_ENTRIES);
	assert_true(c.truncated);
	sysconf_done(&c);
	free(text);
}

/* A FIFO or directory named *.conf is not read (a FIFO would block forever). */
static char special_root[64];

static void test_special_files(void **state)
{
	char *root = special_root, path[256];
	struct sysconf c;
	FILE *f;

	(void) state;
	snprintf(special_root, sizeof(special_root), "/tmp/twscope-sysconf.XXXXXX");
	assert_non_null(mkdtemp(root));
	snprintf(path, sizeof(path), "%s/etc", root);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/etc/sysctl.d", root);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/etc/sysctl.d/10-fifo.conf", root);
	assert_int_equal(mkfifo(path, 0600), 0);
	snprintf(path, sizeof(path), "%s/etc/sysctl.d/20-dir.conf", root);
	assert_int_equal(mkdir(path, 0700), 0);
	snprintf(path, sizeof(path), "%s/etc/sysctl.d/30-ok.conf", root);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("net.ipv4.tcp_tw_reuse=1\n", f);
	fclose(f);
	alarm(10);	/* the old code blocked in open() on the FIFO */
	assert_int_equal(sysconf_scan_root(root, &c), 0);
	alarm(0);
	assert_int_equal(c.files, 1);
	assert_int_equal(c.n, 1);
	assert_string_equal(c.v[0].file, "/etc/sysctl.d/30-ok.conf");
	assert_false(c.truncated);
	sysconf_done(&c);

	/* a file over SYSCONF_MAX_FILE_BYTES is skipped, and the scan says so */
	snprintf(path, sizeof(path), "%s/etc/sysctl.d/40-big.conf", root);
	f = fopen(path, "w");
	assert_non_null(f);
	fputs("net.ipv4.tcp_fin_timeout=1\n", f);
	while (ftell(f) <= (long)SYSCONF_MAX_FILE_BYTES)
		fputs("# padding padding padding padding padding padding padding pad\n", f);
	fclose(f);
	assert_int_equal(sysconf_scan_root(root, &c), 0);
	assert_int_equal(c.files, 1);
	assert_int_equal(c.n, 1);
	assert_true(c.truncated);
	sysconf_done(&c);
}

/* Teardown of test_special_files: runs after a failed assertion too. */
static int remove_special_root(void **state)
{
	static const char *const names[] = {
		"etc/sysctl.d/10-fifo.conf", "etc/sysctl.d/20-dir.conf", "etc/sysctl.d/30-ok.conf",
		"etc/sysctl.d/40-big.conf", "etc/sysctl.d", "etc", "",
	};
	char path[256];

	(void) state;
	if (!special_root[0])
		return 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		snprintf(path, sizeof(path), "%s/%s", special_root, names[i]);
		(void) remove(path);
	}
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_line),
		cmocka_unit_test(test_fixture_tree),
		cmocka_unit_test(test_missing_root),
		cmocka_unit_test(test_env_root),
		cmocka_unit_test(test_bound),
		cmocka_unit_test(test_scan_text),
		cmocka_unit_test(test_scan_text_bounds),
		cmocka_unit_test_teardown(test_special_files, remove_special_root),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
