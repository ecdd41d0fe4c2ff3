// SPDX-License-Identifier: GPL-2.0-or-later
/* Endpoint parsing and formatting, state names, strict number parsing, reads. */
#include "tw-test.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "addr.h"
#include "tcpstate.h"
#include "util.h"

static void test_endpoints(void **state)
{
	struct tw_addr a;
	char buf[TW_ENDPOINT_STRLEN];
	int port;

	(void)state;
	assert_int_equal(addr_parse_endpoint("10.0.0.1:443", &a, &port), 0);
	assert_int_equal(a.family, AF_INET);
	assert_int_equal(port, 443);
	assert_string_equal(addr_format_endpoint(&a, 443, buf, sizeof(buf)), "10.0.0.1:443");
	assert_int_equal(addr_parse_endpoint("10.0.0.1", &a, &port), 0);
	assert_int_equal(port, -1);
	assert_int_equal(addr_parse_endpoint("[2001:db8::1]:8080", &a, &port), 0);
	assert_int_equal(a.family, AF_INET6);
	assert_int_equal(port, 8080);
	assert_string_equal(addr_format_endpoint(&a, 8080, buf, sizeof(buf)), "[2001:db8::1]:8080");
	assert_int_equal(addr_parse_endpoint("2001:db8::1", &a, &port), 0);
	assert_int_equal(port, -1);
	assert_int_equal(addr_parse_endpoint("[::1]", &a, &port), 0);
	assert_int_equal(addr_parse_endpoint("[::1]x", &a, &port), -EINVAL);
	assert_int_equal(addr_parse_endpoint("[::1", &a, &port), -EINVAL);
	assert_int_equal(addr_parse_endpoint("10.0.0.1:0", &a, &port), -ERANGE);
	assert_int_equal(addr_parse_endpoint("10.0.0.1:65536", &a, &port), -ERANGE);
	assert_int_equal(addr_parse_endpoint("10.0.0.1:http", &a, &port), -EINVAL);
	assert_int_equal(addr_parse_endpoint("example.com:80", &a, &port), -EINVAL);
	assert_int_equal(addr_parse_endpoint("", &a, &port), -EINVAL);
	assert_int_equal(addr_parse_endpoint(":80", &a, &port), -EINVAL);
	assert_int_equal(addr_parse_endpoint("999.0.0.1", &a, &port), -EINVAL);
	/* Brackets are for IPv6 only; a failed parse leaves the outputs alone. */
	port = 7;
	a.family = AF_INET6;
	assert_int_equal(addr_parse_endpoint("[1.2.3.4]:80", &a, &port), -EINVAL);
	assert_int_equal(addr_parse_endpoint("[1.2.3.4]", &a, &port), -EINVAL);
	assert_int_equal(port, 7);
	assert_int_equal(a.family, AF_INET6);
	assert_int_equal(addr_parse_endpoint("[::ffff:1.2.3.4]:80", &a, &port), 0);
	assert_int_equal(a.family, AF_INET6);
	assert_int_equal(port, 80);
}

static void test_states(void **state)
{
	(void)state;
	assert_int_equal(tcpstate_parse("time-wait"), TW_TIME_WAIT);
	assert_int_equal(tcpstate_parse("TIME_WAIT"), TW_TIME_WAIT);
	assert_int_equal(tcpstate_parse("tw"), TW_TIME_WAIT);
	assert_int_equal(tcpstate_parse("fin-wait-2"), TW_FIN_WAIT2);
	assert_int_equal(tcpstate_parse("new_syn_recv"), TW_NEW_SYN_RECV);
	assert_int_equal(tcpstate_parse("bogus"), -EINVAL);
	assert_int_equal(tcpstate_parse("time_wait_and_a_very_long_suffix_here"), -EINVAL);
	assert_string_equal(tcpstate_name(TW_CLOSE_WAIT), "close_wait");
	assert_null(tcpstate_name(99));
}

/* --state lists: an empty list or item is an error, never "all states". */
static void test_state_lists(void **state)
{
	uint32_t mask = 0x5a5a;
	size_t bad = 99;

	(void)state;
	assert_int_equal(tcpstate_parse_list("tw,estab", &mask, &bad), 0);
	assert_int_equal(mask, TW_STATE_BIT(TW_TIME_WAIT) | TW_STATE_BIT(TW_ESTABLISHED));
	assert_int_equal(tcpstate_parse_list("listen", &mask, &bad), 0);
	assert_int_equal(mask, TW_STATE_BIT(TW_LISTEN));
	mask = 0x5a5a;
	assert_int_equal(tcpstate_parse_list("", &mask, &bad), -EINVAL);
	assert_int_equal(bad, 0);
	assert_int_equal(mask, 0x5a5a);
	assert_int_equal(tcpstate_parse_list(",", &mask, &bad), -EINVAL);
	assert_int_equal(bad, 0);
	assert_int_equal(tcpstate_parse_list("tw,", &mask, &bad), -EINVAL);
	assert_int_equal(bad, 3);
	assert_int_equal(tcpstate_parse_list("tw,,estab", &mask, &bad), -EINVAL);
	assert_int_equal(bad, 3);
	assert_int_equal(tcpstate_parse_list("tw,bogus", &mask, &bad), -EINVAL);
	assert_int_equal(bad, 3);
	assert_int_equal(tcpstate_parse_list("bound_inactive", &mask, &bad), -EINVAL);
	assert_int_equal(tcpstate_parse_list("time_wait_and_a_very_long_suffix_here", &mask, &bad),
			 -EINVAL);
	assert_int_equal(mask, 0x5a5a);
}

static void test_numbers(void **state)
{
	uint32_t v32;
	uint64_t v64;
	double d;

	(void)state;
	assert_int_equal(safe_atou32("42", &v32), 0);
	assert_int_equal(v32, 42);
	assert_int_equal(safe_atou32("4294967296", &v32), -ERANGE);
	assert_int_equal(safe_atou32("-1", &v32), -EINVAL);
	assert_int_equal(safe_atou32("1x", &v32), -EINVAL);
	assert_int_equal(safe_atou32("", &v32), -EINVAL);
	assert_int_equal(safe_atou64("18446744073709551615", &v64), 0);
	assert_int_equal(safe_atou64("18446744073709551616", &v64), -ERANGE);
	assert_int_equal(safe_atod("0.5", &d), 0);
	assert_true(d == 0.5);
	assert_int_equal(safe_atod("nan", &d), -EINVAL);
	assert_int_equal(safe_atod("-1", &d), -EINVAL);
}

/* read_fd_all() over a pipe holding n bytes, with a limit of max bytes. */
static int read_pipe(size_t n, size_t max, size_t *ret_len)
{
	char *buf = NULL, *data = malloc(n + 1);
	int p[2], r;

	assert_non_null(data);
	for (size_t i = 0; i < n; i++)
		data[i] = (char)('a' + i % 26);
	assert_int_equal(pipe(p), 0);
	/* Pipes hold 64 KiB: enough for the sizes below. */
	assert_int_equal(write(p[1], data, n), (ssize_t)n);
	close(p[1]);
	r = read_fd_all(p[0], max, &buf, ret_len);
	close(p[0]);
	if (r == 0) {
		assert_int_equal(*ret_len, n);
		assert_memory_equal(buf, data, n);
		assert_int_equal(buf[n], '\0');
	}
	free(buf);
	free(data);
	return r;
}

static void test_read_fd_all(void **state)
{
	size_t len;

	(void)state;
	assert_int_equal(read_pipe(0, 10, &len), 0);
	assert_int_equal(read_pipe(10, 10, &len), 0);
	assert_int_equal(read_pipe(11, 10, &len), -EFBIG);
	/* Several doublings of the buffer (4 KiB first). */
	assert_int_equal(read_pipe(40000, 40000, &len), 0);
	assert_int_equal(read_pipe(40001, 40000, &len), -EFBIG);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_endpoints),
		cmocka_unit_test(test_states),
		cmocka_unit_test(test_state_lists),
		cmocka_unit_test(test_numbers),
		cmocka_unit_test(test_read_fd_all),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
