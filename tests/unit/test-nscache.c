// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nscache over the fixture host tests/fixtures/netns/host: the name of each
 * namespace by inode (container, /run/netns name, host; none for a bare
 * bind mount), and a miss re-enumerates at most once per interval, a hit
 * only past the maximum age.
 */
#include "tw-test.h"

#include <string.h>

#include "netns/nscache.h"
#include "netns/nsenum.h"

#define TREE "tests/fixtures/netns/host"

static const struct nsenum_conf conf = { .proc = TREE "/proc", .root = TREE "/root" };

static uint64_t ino_of_pid(const struct nsenum_list *l, int pid)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].pid == pid)
			return l->v[i].ino;
	fail_msg("no namespace for pid %d", pid);
	return 0;
}

static void test_names(void **state)
{
	struct nsenum_list l;
	struct nscache *c = calloc(1, sizeof(*c));
	uint64_t orphan = 0;

	(void)state;
	assert_non_null(c);
	assert_int_equal(nsenum_collect(&conf, &l), 0);
	for (size_t i = 0; i < l.n; i++)
		if (!l.v[i].pid)
			orphan = l.v[i].ino;
	nscache_init(c, &conf, 1000);
	assert_string_equal(nscache_lookup(c, ino_of_pid(&l, 200), 1), "docker web1");
	assert_int_equal(c->refreshes, 1);
	assert_string_equal(nscache_lookup(c, ino_of_pid(&l, 300), 2), "k8s shop/cart-5d9f (containerd)");
	assert_string_equal(nscache_lookup(c, ino_of_pid(&l, 400), 3), "k8s billing/api-0/api (cri-o)");
	assert_string_equal(nscache_lookup(c, ino_of_pid(&l, 700), 4), "blue");
	assert_string_equal(nscache_lookup(c, ino_of_pid(&l, 1), 5), "host");
	assert_int_equal(c->refreshes, 1);	/* hits do not re-enumerate */
	/* a bind mount without process or container has no name: a miss */
	assert_true(orphan != 0);
	assert_null(nscache_lookup(c, orphan, 6));
	assert_int_equal(c->refreshes, 1);	/* within the interval: no re-enumeration */
	assert_null(nscache_lookup(c, 12345, 2000));
	assert_int_equal(c->refreshes, 2);	/* past it: one */
	assert_null(nscache_lookup(c, 12345, 2500));
	assert_int_equal(c->refreshes, 2);
	assert_null(nscache_lookup(c, 0, 9000));	/* inode 0: unknown, never looked up */
	assert_int_equal(c->refreshes, 2);
	/* a hit re-enumerates only once the names are older than the maximum age */
	assert_string_equal(nscache_lookup(c, ino_of_pid(&l, 200), 2000 + NSCACHE_MAX_AGE_NS - 1),
			    "docker web1");
	assert_int_equal(c->refreshes, 2);
	assert_string_equal(nscache_lookup(c, ino_of_pid(&l, 200), 2000 + NSCACHE_MAX_AGE_NS),
			    "docker web1");
	assert_int_equal(c->refreshes, 3);
	assert_true(c->n <= NSCACHE_MAX);
	nsenum_list_done(&l);
	free(c);
}

static void test_entry_name(void **state)
{
	struct nsenum_entry e = { .host = true };
	char buf[8];

	(void)state;
	strcpy(e.name.name, "ignored");
	e.name.runtime = NSNAME_RT_DOCKER;
	/* the host's containers share its namespace: it stays "host" */
	assert_true(nscache_entry_name(&e, buf, sizeof(buf)));
	assert_string_equal(buf, "host");
	e.host = false;
	/* bounded: cut to the buffer */
	assert_true(nscache_entry_name(&e, buf, sizeof(buf)));
	assert_int_equal(strlen(buf), sizeof(buf) - 1);
	memset(&e, 0, sizeof(e));
	assert_false(nscache_entry_name(&e, buf, sizeof(buf)));
	assert_string_equal(buf, "");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_entry_name),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
