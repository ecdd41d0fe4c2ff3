// SPDX-License-Identifier: GPL-2.0-or-later
/* recipes: matching a culprit to its fix, and docs/recipes.md generated from the table. */
#include "tw-test.h"

#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "doctor/recipes.h"

static const char *matched(const char *comm, enum tw_runtime rt, uint16_t dport)
{
	const struct tw_recipe *r = recipe_match(comm, rt, dport);

	return r ? r->id : "(generic)";
}

static void test_match(void **state)
{
	(void)state;
	assert_string_equal(matched("nginx", TW_RUNTIME_UNKNOWN, 8080), "nginx");
	assert_string_equal(matched("php-fpm8.2", TW_RUNTIME_UNKNOWN, 6379), "php");
	assert_string_equal(matched("python3.11", TW_RUNTIME_UNKNOWN, 443), "python");
	assert_string_equal(matched("java", TW_RUNTIME_UNKNOWN, 5432), "java");
	/* A Go binary's comm is its own name: the runtime tells. */
	assert_string_equal(matched("api-server", TW_RUNTIME_GO, 443), "go");
	/* The program is not in the table: the destination port still is. */
	assert_string_equal(matched("pgbench", TW_RUNTIME_UNKNOWN, 5432), "postgresql_clients");
	assert_string_equal(matched("redis-benchmark", TW_RUNTIME_UNKNOWN, 6379), "redis_clients");
	assert_string_equal(matched(NULL, TW_RUNTIME_UNKNOWN, 6379), "redis_clients");
	/* A prefix pattern needs its prefix: "ph" is not php. */
	assert_string_equal(matched("ph", TW_RUNTIME_UNKNOWN, 80), "(generic)");
	assert_string_equal(matched("nginx2", TW_RUNTIME_UNKNOWN, 80), "(generic)");
	assert_string_equal(matched("curl", TW_RUNTIME_UNKNOWN, 80), "(generic)");
	assert_non_null(recipe_find("haproxy"));
	assert_null(recipe_find("nosuch"));
}

static void test_table_complete(void **state)
{
	(void)state;
	assert_true(tw_n_recipes >= 10);
	for (size_t i = 0; i < tw_n_recipes; i++) {
		const struct tw_recipe *r = &tw_recipes[i];

		assert_true(r->comms || r->runtime != TW_RUNTIME_UNKNOWN || r->ports);
		assert_non_null(r->steps[0]);
		assert_non_null(r->docs[0]);
		for (const char *const *d = r->docs; *d; d++)
			if (strncmp(*d, "https://", 8) != 0)
				fail_msg("%s: '%s' is not an https URL", r->id, *d);
		for (size_t j = 0; j < i; j++)
			assert_string_not_equal(tw_recipes[j].id, r->id);
	}
}

/* docs/recipes.md is the table rendered: TW_UPDATE_GOLDEN=1 regenerates it. */
static void test_doc_is_the_table(void **state)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);

	(void)state;
	assert_non_null(f);
	fputs("# Fixes per program\n\n"
	      "<!-- Generated from src/doctor/recipes.def by tests/unit/test-recipes.c "
	      "(TW_UPDATE_GOLDEN=1); edit the table, not this file. -->\n\n"
	      "When `twscope doctor` names the process behind a destination whose ports run out, "
	      "it prints the fix for that program. The process is matched by its name (comm), "
	      "by its language runtime, or, when no process can be told, by the destination "
	      "port; the first recipe that matches wins, and anything else gets the generic "
	      "advice of `port-exhaustion` (docs/findings.md). Each recipe links the program's "
	      "own documentation of every setting it names.\n", f);
	for (size_t i = 0; i < tw_n_recipes; i++) {
		const struct tw_recipe *r = &tw_recipes[i];

		fprintf(f, "\n## `%s`\n\n%s. Matched by ", r->id, r->program);
		if (r->comms) {
			fputs("comm", f);
			for (const char *const *c = r->comms; *c; c++)
				fprintf(f, "%s `%s`", c == r->comms ? "" : ",", *c);
		} else if (r->runtime == TW_RUNTIME_GO) {
			fputs("runtime: a Go binary", f);
		} else {
			fputs("destination port", f);
			for (const uint16_t *p = r->ports; *p; p++)
				fprintf(f, "%s %u", p == r->ports ? "" : ",", *p);
		}
		fputs(".\n\n", f);
		for (const char *const *s = r->steps; *s; s++)
			fprintf(f, "- %s\n", *s);
		if (r->trap)
			fprintf(f, "\n**Half-fix to avoid:** %s\n", r->trap);
		fputs("\nSources:\n", f);
		for (const char *const *d = r->docs; *d; d++)
			fprintf(f, "- <%s>\n", *d);
	}
	assert_int_equal(fclose(f), 0);
	golden_compare("docs/recipes.md", text);
	free(text);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_match),
		cmocka_unit_test(test_table_complete),
		cmocka_unit_test(test_doc_is_the_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
