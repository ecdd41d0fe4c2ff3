// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nsenum over the fixture host tests/fixtures/netns/host: processes,
 * /run/netns names and nsfs bind mounts deduplicated by device+inode, each
 * namespace named after its runtime (Docker, containerd under Kubernetes,
 * CRI-O with the cgroupfs driver on cgroup v1, Podman, nspawn), the
 * host-network container found in the host namespace, and mountinfo lines.
 */
#include "tw-test.h"

#include <errno.h>
#include <string.h>

#include "netns/nsenum.h"

#define TREE "tests/fixtures/netns/host"

static const struct nsenum_entry *by_pid(const struct nsenum_list *l, int pid)
{
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].pid == pid)
			return &l->v[i];
	return NULL;
}

static void expect_label(const struct nsenum_entry *e, const char *want)
{
	char label[2048];

	assert_non_null(e);
	nsenum_label(e, label, sizeof(label));
	assert_string_equal(label, want);
}

/* Paths come back absolute. */
static void expect_suffix(const char *s, const char *suffix)
{
	size_t n = strlen(s), k = strlen(suffix);

	assert_true(n > k && s[0] == '/');
	assert_string_equal(s + n - k, suffix);
}

static void test_tree(void **state)
{
	const struct nsenum_conf conf = { .proc = TREE "/proc", .root = TREE "/root" };
	struct nsenum_list l;
	const struct nsenum_entry *e;
	size_t orphans = 0;

	(void)state;
	assert_int_equal(nsenum_collect(&conf, &l), 0);
	/* host, docker-web, pod-a, crio-b, podman-c, nspawn-d, blue, orphan */
	assert_int_equal(l.n, 8);
	assert_false(l.capped);
	assert_false(l.timed_out);

	e = by_pid(&l, 1);
	assert_true(e->host);
	assert_true(e->self);
	assert_int_equal(e->n_procs, 3);
	expect_label(e, "host");
	assert_int_equal(l.n_hostnet, 1);
	assert_string_equal(l.hostnet[0].name, "metrics-agent");

	e = by_pid(&l, 200);
	expect_label(e, "docker web1");
	assert_string_equal(e->mount, "/run/docker/netns/0a1b2c3d4e5f");
	expect_suffix(e->path, TREE "/root/run/docker/netns/0a1b2c3d4e5f");

	e = by_pid(&l, 300);
	assert_int_equal(e->n_procs, 2);
	assert_string_equal(e->comm, "pause");
	expect_label(e, "k8s shop/cart-5d9f (containerd)");
	assert_string_equal(e->name.pod_uid, "1b2c3d4e-aaaa-bbbb-cccc-112233445566");

	e = by_pid(&l, 400);
	assert_int_equal(e->name.runtime, NSNAME_RT_CRIO);
	expect_label(e, "k8s billing/api-0/api (cri-o)");

	expect_label(by_pid(&l, 500), "podman db1");
	expect_label(by_pid(&l, 600), "nspawn build-1");

	e = by_pid(&l, 700);
	expect_label(e, "netns blue");
	assert_string_equal(e->name.unit, "blue-agent.service");
	expect_suffix(e->path, TREE "/root/run/netns/blue");

	for (size_t i = 0; i < l.n; i++) {
		if (l.v[i].pid)
			continue;
		orphans++;
		expect_label(&l.v[i], "mount /run/docker/netns/orphan one");
	}
	assert_int_equal(orphans, 1);
	nsenum_list_done(&l);
	nsenum_list_done(&l);	/* idempotent */
}

static void test_no_proc(void **state)
{
	const struct nsenum_conf conf = { .proc = TREE "/nonexistent", .root = TREE "/root" };
	struct nsenum_list l;

	(void)state;
	assert_int_equal(nsenum_collect(&conf, &l), -ENOENT);
}

static void test_mountinfo(void **state)
{
	char buf[64];

	(void)state;
	assert_true(nsenum_parse_mountinfo_line(
		"612 29 0:4 net:[4026532900] /run/netns/cni-1\\0402 rw shared:3 - nsfs nsfs rw\n", buf, sizeof(buf)));
	assert_string_equal(buf, "/run/netns/cni-1 2");
	/* another namespace type, another filesystem, too few fields, no separator */
	assert_false(nsenum_parse_mountinfo_line("1 2 0:4 mnt:[4] /x rw - nsfs nsfs rw", buf, sizeof(buf)));
	assert_false(nsenum_parse_mountinfo_line("1 2 0:4 net:[4] /x rw - tmpfs t rw", buf, sizeof(buf)));
	assert_false(nsenum_parse_mountinfo_line("1 2 0:4 net:[4]", buf, sizeof(buf)));
	assert_false(nsenum_parse_mountinfo_line("1 2 0:4 net:[4] /x rw nsfs nsfs rw", buf, sizeof(buf)));
	assert_false(nsenum_parse_mountinfo_line("1 2 0:4 net:[4] x rw - nsfs nsfs rw", buf, sizeof(buf)));
	assert_false(nsenum_parse_mountinfo_line("", buf, sizeof(buf)));
	/* a \0 escape is kept literally, never cuts the path */
	assert_true(nsenum_parse_mountinfo_line("1 2 0:4 net:[4] /a\\000b rw - nsfs nsfs rw", buf, sizeof(buf)));
	assert_string_equal(buf, "/a\\000b");
	/* a mount point longer than the buffer is cut, NUL-terminated */
	assert_true(nsenum_parse_mountinfo_line(
		"1 2 0:4 net:[4] /aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa rw - nsfs n rw",
		buf, sizeof(buf)));
	assert_int_equal(strlen(buf), sizeof(buf) - 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tree),
		cmocka_unit_test(test_no_proc),
		cmocka_unit_test(test_mountinfo),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
