// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * nsname: container runtime, id, pod UID, machine and unit names from the
 * cgroup paths each runtime and cgroup driver leaves (v1 and v2), and the
 * names from Docker and OCI state texts, hostile ones included.
 */
#include "tw-test.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "netns/nsname.h"

#define ID64 "3f4e5d6c7b8a99887766554433221100ffeeddccbbaa99887766554433221100"
#define UID_SD "1b2c3d4e_aaaa_bbbb_cccc_112233445566"
#define UID "1b2c3d4e-aaaa-bbbb-cccc-112233445566"

static void expect(const char *text, enum nsname_runtime rt, const char *id, const char *pod_uid,
		   const char *name, const char *unit)
{
	struct nsname n;
	bool found = nsname_parse_cgroup(text, &n);

	assert_int_equal(found, rt != NSNAME_RT_NONE || *id || *pod_uid);
	assert_int_equal(n.runtime, rt);
	assert_string_equal(n.id, id);
	assert_string_equal(n.pod_uid, pod_uid);
	assert_string_equal(n.name, name);
	assert_string_equal(n.unit, unit);
}

static void test_docker(void **state)
{
	(void)state;
	/* systemd driver, cgroup v2 */
	expect("0::/system.slice/docker-" ID64 ".scope\n", NSNAME_RT_DOCKER, ID64, "", "", "");
	/* cgroupfs driver, cgroup v1: every controller line names it */
	expect("12:pids:/docker/" ID64 "\n5:memory:/docker/" ID64 "\n1:name=systemd:/docker/" ID64 "\n",
	       NSNAME_RT_DOCKER, ID64, "", "", "");
	/* hybrid: v2 line says only init.scope, a v1 controller line names the container */
	expect("1:name=systemd:/system.slice/docker-" ID64 ".scope\n0::/init.scope\n",
	       NSNAME_RT_DOCKER, ID64, "", "", "");
}

static void test_containerd(void **state)
{
	(void)state;
	expect("0::/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod" UID_SD
	       ".slice/cri-containerd-" ID64 ".scope\n",
	       NSNAME_RT_CONTAINERD, ID64, UID, "", "");
	/* guaranteed QoS has no QoS slice */
	expect("0::/kubepods.slice/kubepods-pod" UID_SD ".slice/cri-containerd-" ID64 ".scope\n",
	       NSNAME_RT_CONTAINERD, ID64, UID, "", "");
	/* cgroupfs driver, v1: the runtime is only known from its state */
	expect("11:memory:/kubepods/besteffort/pod" UID "/" ID64 "\n1:name=systemd:/kubepods/besteffort/pod" UID
	       "/" ID64 "\n", NSNAME_RT_NONE, ID64, UID, "", "");
	/* cgroupfs driver, v2 */
	expect("0::/kubepods/burstable/pod" UID "/" ID64 "\n", NSNAME_RT_NONE, ID64, UID, "", "");
}

static void test_crio_podman_nspawn(void **state)
{
	(void)state;
	expect("0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod" UID_SD
	       ".slice/crio-" ID64 ".scope\n", NSNAME_RT_CRIO, ID64, UID, "", "");
	/* conmon is not the container */
	expect("0::/kubepods.slice/kubepods-pod" UID_SD ".slice/crio-conmon-" ID64 ".scope\n",
	       NSNAME_RT_NONE, "", UID, "", "crio-conmon-" ID64 ".scope");
	expect("0::/machine.slice/libpod-" ID64 ".scope/container\n", NSNAME_RT_PODMAN, ID64, "", "", "");
	/* podman cgroupfs manager, v1 */
	expect("4:memory:/libpod_parent/libpod-" ID64 "\n", NSNAME_RT_PODMAN, ID64, "", "", "");
	/* rootless podman under the user's manager */
	expect("0::/user.slice/user-1000.slice/user@1000.service/user.slice/libpod-" ID64 ".scope\n",
	       NSNAME_RT_PODMAN, ID64, "", "", "user@1000.service");
	expect("0::/machine.slice/machine-build\\x2d1.scope/payload/init.scope\n",
	       NSNAME_RT_NSPAWN, "", "", "build-1", "");
	expect("1:name=systemd:/machine.slice/machine-web.scope\n", NSNAME_RT_NSPAWN, "", "", "web", "");
}

static void test_units_and_garbage(void **state)
{
	struct nsname n;

	(void)state;
	expect("0::/system.slice/nginx.service\n", NSNAME_RT_NONE, "", "", "", "nginx.service");
	expect("0::/system.slice/system-getty.slice/getty@tty1.service", NSNAME_RT_NONE, "", "", "",
	       "getty@tty1.service");
	/* ids that are not ids: too short, upper case, not hex */
	expect("0::/system.slice/docker-abc.scope\n", NSNAME_RT_NONE, "", "", "", "docker-abc.scope");
	expect("0::/docker/" "3F4E5D6C7B8A9988" "\n", NSNAME_RT_NONE, "", "", "", "");
	expect("0::/system.slice/libpod-zzzzzzzzzzzzzzzz.scope\n", NSNAME_RT_NONE, "", "", "",
	       "libpod-zzzzzzzzzzzzzzzz.scope");
	assert_false(nsname_parse_cgroup("", &n));
	assert_false(nsname_parse_cgroup("no colons at all\n::\n:\n\n", &n));
	assert_false(nsname_parse_cgroup("0::\n0::/\n0::////\n", &n));
	/* a 64+1 digit id and an absurd pod uid are refused */
	assert_false(nsname_parse_cgroup("0::/docker/" ID64 "0\n", &n));
	assert_false(nsname_parse_cgroup("0::/kubepods/pod" ID64 ID64 "/x\n", &n));
}

static void test_state_texts(void **state)
{
	struct nsname n = { 0 };
	char label[1024];

	(void)state;
	assert_int_equal(nsname_parse_docker_config("{\"Name\":\"/web1\"}", &n), 0);
	assert_string_equal(n.name, "web1");
	memset(&n, 0, sizeof(n));
	assert_int_equal(nsname_parse_docker_config(
				 "{\"Name\":\"/k8s_app_x\",\"Config\":{\"Labels\":{\"io.kubernetes.pod.name\":\"p\","
				 "\"io.kubernetes.pod.namespace\":\"ns\",\"io.kubernetes.container.name\":\"POD\"}}}",
				 &n), 0);
	assert_string_equal(n.pod_name, "p");
	assert_string_equal(n.pod_namespace, "ns");
	assert_string_equal(n.k8s_container, "");
	assert_int_equal(nsname_parse_docker_config("{\"Name\":", &n), -EBADMSG);
	assert_int_equal(nsname_parse_docker_config("[1,2]", &n), -EBADMSG);
	assert_int_equal(nsname_parse_docker_config("{\"Name\":5}", &n), 0);
	assert_int_equal(nsname_parse_oci_config("{\"annotations\":\"x\"}", &n), 0);
	assert_int_equal(nsname_parse_oci_config("", &n), -EBADMSG);

	memset(&n, 0, sizeof(n));
	n.runtime = NSNAME_RT_CONTAINERD;
	assert_int_equal(nsname_parse_oci_config(
				 "{\"annotations\":{\"io.kubernetes.cri.container-type\":\"container\","
				 "\"io.kubernetes.cri.container-name\":\"cart\",\"io.kubernetes.cri.sandbox-name\":"
				 "\"cart-5d9f\",\"io.kubernetes.cri.sandbox-namespace\":\"shop\"}}", &n), 0);
	nsname_label(&n, label, sizeof(label));
	assert_string_equal(label, "k8s shop/cart-5d9f/cart (containerd)");

	/* a name longer than the field is cut, and an escape survives raw for safetext */
	memset(&n, 0, sizeof(n));
	{
		char big[2048];

		memset(big, 'a', sizeof(big));
		memcpy(big, "{\"Name\":\"/\x1b[31m", 15);
		memcpy(big + sizeof(big) - 3, "\"}", 3);
		assert_int_equal(nsname_parse_docker_config(big, &n), 0);
		assert_int_equal(strlen(n.name), NSNAME_STR_MAX);
		assert_int_equal(n.name[0], '\x1b');
	}
}

static void put(const char *root, const char *rel, const char *text)
{
	char path[4096], cmd[4200];
	FILE *f;

	snprintf(path, sizeof(path), "%s%s", root, rel);
	snprintf(cmd, sizeof(cmd), "mkdir -p \"$(dirname '%s')\"", path);
	assert_int_equal(system(cmd), 0);
	f = fopen(path, "we");
	assert_non_null(f);
	fputs(text, f);
	assert_int_equal(fclose(f), 0);
}

/* Docker's data root moved by daemon.json "data-root", or by $TWSCOPE_DOCKER_DATA_ROOT. */
static void test_docker_data_root(void **state)
{
	char root[] = "/tmp/twscope-nsname.XXXXXX", cmd[128];
	struct nsname n = { .runtime = NSNAME_RT_DOCKER, .id = ID64 };

	(void)state;
	assert_non_null(mkdtemp(root));
	assert_int_equal(nsname_lookup_state(root, &n), -ENOENT);
	put(root, "/srv/docker/containers/" ID64 "/config.v2.json", "{\"Name\":\"/moved\"}");
	put(root, "/etc/docker/daemon.json", "{\"data-root\": \"/srv/docker\", \"bridge\": \"none\"}");
	assert_int_equal(nsname_lookup_state(root, &n), 0);
	assert_string_equal(n.name, "moved");
	put(root, "/env/containers/" ID64 "/config.v2.json", "{\"Name\":\"/from-env\"}");
	assert_int_equal(setenv("TWSCOPE_DOCKER_DATA_ROOT", "/env", 1), 0);
	assert_int_equal(nsname_lookup_state(root, &n), 0);
	assert_string_equal(n.name, "from-env");
	/* a relative override is ignored, a garbled daemon.json too */
	assert_int_equal(setenv("TWSCOPE_DOCKER_DATA_ROOT", "env", 1), 0);
	put(root, "/etc/docker/daemon.json", "{\"data-root\": ");
	assert_int_equal(nsname_lookup_state(root, &n), -ENOENT);
	unsetenv("TWSCOPE_DOCKER_DATA_ROOT");
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", root);
	assert_int_equal(system(cmd), 0);
}

/*
 * Podman 4.3's own files (tests/fixtures/podman, written by a rootful podman
 * run on Debian 12, paths rewritten): the vfs driver keeps vfs-containers/,
 * not overlay-containers/; a storage.conf moves the roots; so does
 * $CONTAINERS_STORAGE_CONF, read under the root as podman reads it.
 */
#define PM_ID "eb6b2d12e179b06b14ba9fca0f9359241a7edd1325fd72857a5281db1e0f873a"
#define PM "tests/fixtures/podman"

static void test_podman_storage(void **state)
{
	struct nsname n = { .runtime = NSNAME_RT_PODMAN, .id = PM_ID };
	char label[1024], vfs[PATH_MAX], conf[PATH_MAX];

	(void)state;
	/* read_small_file() takes relative paths as /proc's */
	assert_non_null(realpath(PM "/vfs", vfs));
	assert_non_null(realpath(PM "/conf", conf));
	unsetenv("CONTAINERS_STORAGE_CONF");
	assert_int_equal(nsname_lookup_state(vfs, &n), 0);
	assert_string_equal(n.name, "db1");
	assert_string_equal(n.pod_name, "");
	nsname_label(&n, label, sizeof(label));
	assert_string_equal(label, "podman db1");

	memset(n.name, 0, sizeof(n.name));
	assert_int_equal(nsname_lookup_state(conf, &n), 0);
	assert_string_equal(n.name, "db1-srv");

	/* the env's storage.conf wins over /etc's: its roots hold nothing */
	memset(n.name, 0, sizeof(n.name));
	assert_int_equal(setenv("CONTAINERS_STORAGE_CONF", "/env/storage.conf", 1), 0);
	assert_int_equal(nsname_lookup_state(conf, &n), -ENOENT);
	/* a relative one is ignored, a missing one too */
	assert_int_equal(setenv("CONTAINERS_STORAGE_CONF", "env/storage.conf", 1), 0);
	assert_int_equal(nsname_lookup_state(conf, &n), 0);
	assert_string_equal(n.name, "db1-srv");
	assert_int_equal(setenv("CONTAINERS_STORAGE_CONF", "/env/missing.conf", 1), 0);
	assert_int_equal(nsname_lookup_state(conf, &n), 0);
	unsetenv("CONTAINERS_STORAGE_CONF");

	/* a created, never started container has no config.json yet */
	memcpy(n.id, "f63fa0408ce4d20f86f7e6912c613fd38e4100402b980cd554f48cb3a95f8a6e", 65);
	assert_int_equal(nsname_lookup_state(vfs, &n), -ENOENT);
}

static void test_storage_conf(void **state)
{
	struct nsname_storage st = { .runroot = "/r", .graphroot = "/g" };

	(void)state;
	nsname_parse_storage_conf("", &st);
	assert_string_equal(st.driver, "");
	assert_string_equal(st.runroot, "/r");
	nsname_parse_storage_conf("driver = \"vfs\"\n[storage.options]\ngraphroot = \"/x\"\n", &st);
	assert_string_equal(st.driver, "");
	assert_string_equal(st.graphroot, "/g");
	nsname_parse_storage_conf("[storage]\n\tdriver=\"btrfs\"\ngraphrootx = \"/y\"\n"
				  "runroot = \"relative\"\ngraphroot = \"/a\\\\b\"\n"
				  "graphroot = \"/unterminated\n", &st);
	assert_string_equal(st.driver, "btrfs");
	assert_string_equal(st.runroot, "/r");
	assert_string_equal(st.graphroot, "/g");
	nsname_parse_storage_conf("[storage]\ndriver = \"../../etc\"\ngraphroot = '/q'", &st);
	assert_string_equal(st.driver, "btrfs");
	assert_string_equal(st.graphroot, "/q");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_docker),
		cmocka_unit_test(test_containerd),
		cmocka_unit_test(test_crio_podman_nspawn),
		cmocka_unit_test(test_units_and_garbage),
		cmocka_unit_test(test_state_texts),
		cmocka_unit_test(test_docker_data_root),
		cmocka_unit_test(test_podman_storage),
		cmocka_unit_test(test_storage_conf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
