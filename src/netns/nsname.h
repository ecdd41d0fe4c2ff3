/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * nsname: name a network namespace after what container runtimes leave on
 * the host: the cgroup path of a member process (Docker, Podman,
 * containerd, CRI-O, systemd-nspawn, Kubernetes pods) and the runtime's
 * state files (Docker config.v2.json, OCI config.json annotations). Every
 * string kept is raw, untrusted and bounded; renderers pass it through
 * safetext. No printing.
 */
#ifndef TWSCOPE_NETNS_NSNAME_H
#define TWSCOPE_NETNS_NSNAME_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>

#define NSNAME_ID_MAX 64		/* a container id: 64 hex digits */
#define NSNAME_STR_MAX 253		/* names: DNS-1123 subdomain length */
#define NSNAME_STATE_MAX_BYTES (1u << 20)	/* a runtime state file we read */

enum nsname_runtime {
	NSNAME_RT_NONE,
	NSNAME_RT_DOCKER,
	NSNAME_RT_CONTAINERD,
	NSNAME_RT_CRIO,
	NSNAME_RT_PODMAN,
	NSNAME_RT_NSPAWN,
	NSNAME_RT_MAX,
};

struct nsname {
	enum nsname_runtime runtime;
	char id[NSNAME_ID_MAX + 1];		/* container id (nspawn: none) */
	char name[NSNAME_STR_MAX + 1];		/* container / machine name */
	char pod_uid[NSNAME_ID_MAX + 1];	/* Kubernetes pod UID, from the cgroup */
	char pod_name[NSNAME_STR_MAX + 1];
	char pod_namespace[NSNAME_STR_MAX + 1];
	char k8s_container[NSNAME_STR_MAX + 1];	/* empty for the pod sandbox */
	char unit[NSNAME_STR_MAX + 1];		/* systemd unit of the process */
};

/* nsname_runtime_name() - "docker", "containerd", ... ("" for none). */
const char *nsname_runtime_name(enum nsname_runtime rt);

/*
 * nsname_parse_cgroup() - what the text of a /proc/<pid>/cgroup file says
 * about the container the process runs in (runtime, id, pod UID, nspawn
 * machine name, systemd unit). The cgroup v2 line ("0::") is preferred,
 * then the name=systemd line, then the first line naming a container.
 * Pure. Returns true when a container runtime was recognised.
 */
bool nsname_parse_cgroup(const char *text, struct nsname *ret);

/*
 * nsname_parse_docker_config() - "Name" (without its leading '/') and the
 * Kubernetes labels of a Docker config.v2.json text. Pure.
 * Returns 0, -EBADMSG (not JSON) or -ENOMEM.
 */
int nsname_parse_docker_config(const char *text, struct nsname *n);

/*
 * nsname_parse_oci_config() - Kubernetes pod name, namespace and container
 * name from the annotations of an OCI config.json text (containerd's
 * io.kubernetes.cri.*, CRI-O's io.kubernetes.pod.* and
 * io.kubernetes.container.name). Pure. Returns 0, -EBADMSG or -ENOMEM.
 */
int nsname_parse_oci_config(const char *text, struct nsname *n);

/* Where containers/storage keeps its state (CRI-O, Podman). */
struct nsname_storage {
	char driver[32];		/* "" when left to detection */
	char runroot[PATH_MAX / 4];
	char graphroot[PATH_MAX / 4];
};

/*
 * nsname_parse_storage_conf() - driver, runroot and graphroot from the
 * [storage] table of a storage.conf text (TOML); keys it does not find
 * keep their values in st. Pure.
 */
void nsname_parse_storage_conf(const char *text, struct nsname_storage *st);

/*
 * nsname_lookup_state() - fill names from the runtime's state files under
 * root ("" for the real host): Docker's /var/lib/docker/containers/<id>,
 * containerd's /run/containerd/io.containerd.runtime.v2.task/<ns>/<id>,
 * CRI-O's and Podman's <driver>-containers/<id>/userdata under the run and
 * graph roots of storage.conf ($CONTAINERS_STORAGE_CONF, /etc/containers/). Files are read
 * bounded (NSNAME_STATE_MAX_BYTES). Returns 0 when a state file was used,
 * -ENOENT when none was found, -EINVAL when n has no container id.
 */
int nsname_lookup_state(const char *root, struct nsname *n);

/*
 * nsname_label() - one raw line naming the container ("docker web1",
 * "k8s default/api-7f9 (containerd)", "nspawn build1"), or "" when n names
 * none. Untrusted: pass it through safetext before showing it.
 */
void nsname_label(const struct nsname *n, char *buf, size_t len);

#endif
