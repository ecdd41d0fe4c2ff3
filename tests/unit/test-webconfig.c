// SPDX-License-Identifier: GPL-2.0-or-later
/* The web config loader: a full exporter-toolkit file, path resolution, and one error line per bad key. */
#include "tw-test.h"

#include <errno.h>
#include <string.h>

#include "serve/webconfig.h"

#define HASH "$2b$04$mHC55hwcnTqWUE3N5AW.Eu22M0fC1Apvuru5iAcdbVYHV7itzX2s."

static int parse(const char *yaml, struct webconfig *wc, char *err)
{
	return webconfig_parse(yaml, strlen(yaml), "/etc/tw", wc, err, WEBCONFIG_ERR_LEN);
}

static void test_full(void **state)
{
	char err[WEBCONFIG_ERR_LEN];
	struct webconfig wc;

	(void)state;
	assert_int_equal(parse("tls_server_config:\n"
			       "  cert_file: s.crt\n"
			       "  key_file: /k/s.key\n"
			       "  client_ca_file: ca.crt\n"
			       "  client_auth_type: RequireAndVerifyClientCert\n"
			       "  min_version: TLS13\n"
			       "basic_auth_users:\n"
			       "  alice: " HASH "\n"
			       "  'bob smith': '" HASH "'\n", &wc, err), 0);
	assert_true(wc.tls);
	assert_string_equal(wc.cert_file, "/etc/tw/s.crt");
	assert_string_equal(wc.key_file, "/k/s.key");
	assert_string_equal(wc.client_ca_file, "/etc/tw/ca.crt");
	assert_int_equal(wc.client_auth, WEBCONFIG_REQUIRE_AND_VERIFY);
	assert_string_equal(wc.tls_priorities, "NORMAL:-VERS-ALL:+VERS-TLS1.3");
	assert_int_equal(wc.n_users, 2);
	assert_string_equal(wc.users[1].name, "bob smith");
	assert_string_equal(wc.users[1].hash, HASH);
	assert_true(webconfig_has_auth(&wc));
	webconfig_done(&wc);
}

static void test_empty(void **state)
{
	char err[WEBCONFIG_ERR_LEN];
	struct webconfig wc;

	(void)state;
	assert_int_equal(parse("", &wc, err), 0);
	assert_false(wc.tls);
	assert_false(webconfig_has_auth(&wc));
	webconfig_done(&wc);
	assert_int_equal(parse("tls_server_config:\nbasic_auth_users:\n", &wc, err), 0);
	assert_false(wc.tls);
	assert_int_equal(wc.n_users, 0);
	webconfig_done(&wc);
}

static void test_errors(void **state)
{
	static const struct {
		const char *yaml;
		const char *msg;
	} cases[] = {
		{ "tls_config: 1\n", "unknown key 'tls_config'" },
		{ "tls_server_config:\n  cert_file: a\n  key_file: b\n  max_version: TLS13\n",
		  "key 'tls_server_config.max_version' is not supported by twscope" },
		{ "tls_server_config:\n  key_file: b\n", "key 'tls_server_config.cert_file' is missing" },
		{ "tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: VerifyClientCertIfGiven\n",
		  "key 'tls_server_config.client_auth_type' needs 'client_ca_file'" },
		{ "tls_server_config:\n  cert_file: a\n  key_file: b\n  min_version: TLS11\n",
		  "bad value 'TLS11' for key 'tls_server_config.min_version' (TLS12 or TLS13)" },
		{ "tls_server_config: [a]\n", "key 'tls_server_config' must be a mapping" },
		{ "tls_server_config:\n  cert_file: [a]\n", "key 'tls_server_config.cert_file' needs a file name" },
		{ "basic_auth_users:\n  alice: $2b$04$short\n",
		  "key 'basic_auth_users.alice' is not a bcrypt hash ($2a$, $2b$ or $2y$, 60 characters)" },
		{ "basic_auth_users:\n  'a:b': " HASH "\n", "bad user name 'a:b' in 'basic_auth_users' (1-256 characters, no ':')" },
		{ "basic_auth_users:\n  a: " HASH "\n  a: " HASH "\n", "duplicate key 'basic_auth_users.a'" },
		{ "basic_auth_users: x\n", "key 'basic_auth_users' must be a mapping of user: bcrypt hash" },
		{ "http_server_config:\n  http2: false\n", "key 'http_server_config' is not supported by twscope" },
		{ "- a\n", "the web config must be a YAML mapping" },
		{ "a: 1\n---\nb: 2\n", "unknown key 'a'" },
		{ "basic_auth_users: {}\n---\nb: 2\n", "more than one YAML document" },
		{ "\"\\x01key\": 1\n", "unknown key '?key'" },
	};
	char err[WEBCONFIG_ERR_LEN];
	struct webconfig wc;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		assert_int_equal(parse(cases[i].yaml, &wc, err), -EINVAL);
		assert_string_equal(err, cases[i].msg);
		webconfig_done(&wc);
	}
	assert_int_equal(parse("a: [b\n", &wc, err), -EINVAL);
	assert_non_null(strstr(err, "bad YAML at line"));
	webconfig_done(&wc);
}

static void test_load_missing(void **state)
{
	char err[WEBCONFIG_ERR_LEN];
	struct webconfig wc;

	(void)state;
	assert_int_equal(webconfig_load("/nonexistent/web.yml", &wc, err, sizeof(err)), -ENOENT);
	assert_string_equal(err, "No such file or directory");
	webconfig_done(&wc);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_full),
		cmocka_unit_test(test_empty),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_load_missing),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
