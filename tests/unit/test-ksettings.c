// SPDX-License-Identifier: GPL-2.0-or-later
/* ksettings parsers and readers against fixture /proc trees (TWSCOPE_PROC_ROOT). */
#include "tw-test.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "ksettings.h"
#include "util.h"

static void use_root(const char *dir)
{
	setenv("TWSCOPE_PROC_ROOT", dir, 1);
}

static void test_port_range(void **state)
{
	uint16_t lo, hi;

	(void)state;
	assert_int_equal(ksettings_parse_port_range("32768\t60999\n", &lo, &hi), 0);
	assert_int_equal(lo, 32768);
	assert_int_equal(hi, 60999);
	assert_int_equal(ksettings_parse_port_range("60999 32768", &lo, &hi), -EINVAL);
	assert_int_equal(ksettings_parse_port_range("1 70000", &lo, &hi), -ERANGE);
	assert_int_equal(ksettings_parse_port_range("1", &lo, &hi), -EINVAL);
	assert_int_equal(ksettings_parse_port_range("1 2 3", &lo, &hi), -EINVAL);
	assert_int_equal(ksettings_parse_port_range("", &lo, &hi), -EINVAL);
	use_root("tests/fixtures/proc/basic");
	assert_int_equal(ksettings_port_range(&lo, &hi), 0);
	assert_int_equal(lo, 40000);
	assert_int_equal(hi, 40099);
	use_root("tests/fixtures/proc/broken");
	assert_int_equal(ksettings_port_range(&lo, &hi), -EINVAL);
	use_root("tests/fixtures/proc/missing");
	assert_int_equal(ksettings_port_range(&lo, &hi), -ENOENT);
}

static int count_bits(const uint8_t *map)
{
	int n = 0;

	for (int i = 0; i < TW_PORT_BITMAP_BYTES; i++)
		n += __builtin_popcount(map[i]);
	return n;
}

static void test_port_list(void **state)
{
	uint8_t map[TW_PORT_BITMAP_BYTES];

	(void)state;
	assert_int_equal(ksettings_parse_port_list("", map), 0);
	assert_int_equal(count_bits(map), 0);
	assert_int_equal(ksettings_parse_port_list("8080,40000-40009 \n", map), 0);
	assert_int_equal(count_bits(map), 11);
	assert_true(map[8080 >> 3] & (1 << (8080 & 7)));
	assert_int_equal(ksettings_parse_port_list("5-3", map), -EINVAL);
	assert_int_equal(ksettings_parse_port_list("1,", map), -EINVAL);
	assert_int_equal(ksettings_parse_port_list("abc", map), -EINVAL);
	assert_int_equal(ksettings_parse_port_list("1-70000", map), -ERANGE);
	use_root("tests/fixtures/proc/basic");
	assert_int_equal(ksettings_reserved_ports(map), 0);
	assert_int_equal(count_bits(map), 11);
	use_root("tests/fixtures/proc/broken");
	assert_int_equal(ksettings_reserved_ports(map), -EINVAL);
}

static void test_sysctl(void **state)
{
	char *v = NULL;
	int64_t n;

	(void)state;
	use_root("tests/fixtures/proc/basic");
	assert_int_equal(ksettings_sysctl_read("net.ipv4.ip_local_port_range", &v), 0);
	assert_string_equal(v, "40000 40099");
	free(v);
	assert_int_equal(ksettings_sysctl_i64("net.ipv4.tcp_tw_reuse", &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(ksettings_sysctl_i64("net.ipv4.ip_local_port_range", &n), -EINVAL);
	assert_int_equal(ksettings_sysctl_read("net.ipv4.tcp_tw_recycle", &v), -ENOENT);
	assert_int_equal(ksettings_sysctl_read("net/../../etc/passwd", &v), -EINVAL);
}

static void test_sockstat(void **state)
{
	struct tw_sockstat st;

	(void)state;
	use_root("tests/fixtures/proc/basic");
	assert_int_equal(ksettings_sockstat(&st), 0);
	assert_true(st.have_tcp);
	assert_int_equal(st.tcp_inuse, 12);
	assert_int_equal(st.tcp_orphan, 1);
	assert_int_equal(st.tcp_tw, 403);
	assert_int_equal(st.tcp_alloc, 20);
	assert_int_equal(st.tcp_mem_pages, 7);
	assert_true(st.have_tcp6);
	assert_int_equal(st.tcp6_inuse, 4);
	assert_int_equal(st.sockets_used, 150);
	/* No TCP line: malformed, not zero. */
	use_root("tests/fixtures/proc/broken");
	assert_int_equal(ksettings_sockstat(&st), -EBADMSG);
	assert_int_equal(ksettings_parse_sockstat("TCP: inuse 1 orphan x tw 2 alloc 3 mem 4\n", NULL, &st),
			 -EBADMSG);
	assert_int_equal(ksettings_parse_sockstat("TCP: inuse 1 orphan 0 tw 2 alloc 3 mem 4\n", "junk\n", &st),
			 -EBADMSG);
	assert_int_equal(ksettings_parse_sockstat("TCP: inuse 1 orphan 0 tw 2 alloc 3 mem 4", NULL, &st), 0);
	assert_false(st.have_tcp6);
	assert_int_equal(st.tcp_tw, 2);
}

static void test_counters(void **state)
{
	struct tw_counters *c = NULL;
	uint64_t v;

	(void)state;
	use_root("tests/fixtures/proc/basic");
	assert_int_equal(ksettings_counters(&c), 0);
	assert_true(tw_counters_get(c, "TcpExt.TW", &v));
	assert_int_equal(v, 1234);
	assert_true(tw_counters_get(c, "TcpExt.TCPTimeWaitOverflow", &v));
	assert_int_equal(v, 7);
	assert_true(tw_counters_get(c, "IpExt.InOctets", &v));
	assert_true(v == UINT64_MAX);
	assert_true(tw_counters_get(c, "Tcp.ActiveOpens", &v));
	assert_int_equal(v, 4242);
	/* Tcp.MaxConn is -1 in the file. */
	assert_true(tw_counters_get(c, "Tcp.MaxConn", &v));
	assert_int_equal(v, 0);
	assert_false(tw_counters_get(c, "TcpExt.PAWSPassive", &v));
	assert_int_equal(tw_counters_count(c), 16);
	c = tw_counters_free(c);
	/* Truncated netstat and a header/value count mismatch are errors. */
	use_root("tests/fixtures/proc/broken");
	assert_int_equal(ksettings_counters(&c), -EBADMSG);
	assert_null(c);
	use_root("tests/fixtures/proc/missing");
	assert_int_equal(ksettings_counters(&c), -ENOENT);
}

static void test_counters_real_file(void **state)
{
	struct tw_counters *c = tw_counters_new();
	char *text = NULL;
	uint64_t v;

	(void)state;
	assert_int_equal(read_small_file("/dev/null", 16, &text), 0);
	free(text);
	/* Relative paths are under the proc root: give this one absolutely. */
	char *abs = realpath("tests/fixtures/proc/netstat.real", NULL);

	assert_non_null(abs);
	assert_int_equal(read_small_file(abs, 1 << 20, &text), 0);
	free(abs);
	assert_int_equal(ksettings_parse_counters(text, c), 0);
	assert_true(tw_counters_get(c, "TcpExt.TW", &v));
	assert_true(tw_counters_get(c, "TcpExt.TCPTimeWaitOverflow", &v));
	assert_true(tw_counters_get(c, "TcpExt.PAWSTimewait", &v));
	assert_true(tw_counters_count(c) > 100);
	free(text);
	assert_int_equal(ksettings_parse_counters("TcpExt: A B\nTcpExt: 1\n", c), -EBADMSG);
	assert_int_equal(ksettings_parse_counters("TcpExt: A B\n", c), -EBADMSG);
	assert_int_equal(ksettings_parse_counters("TcpExt: A\nIpExt: 1\n", c), -EBADMSG);
	assert_int_equal(ksettings_parse_counters("TcpExt: A\nTcpExt: 1x\n", c), -EBADMSG);
	tw_counters_free(c);
}

static void test_slab(void **state)
{
	uint64_t sz;

	(void)state;
	use_root("tests/fixtures/proc/basic");
	assert_int_equal(ksettings_slab_objsize("tw_sock_TCP", &sz), 0);
	assert_int_equal(sz, 256);
	assert_int_equal(ksettings_slab_objsize("tw_sock_TCPv6", &sz), -ENOENT);
	assert_int_equal(ksettings_slab_objsize("../x", &sz), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_port_range), cmocka_unit_test(test_port_list),
		cmocka_unit_test(test_sysctl),	   cmocka_unit_test(test_sockstat),
		cmocka_unit_test(test_counters),   cmocka_unit_test(test_counters_real_file),
		cmocka_unit_test(test_slab),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
