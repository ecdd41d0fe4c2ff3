// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Name a network namespace after the container of one of its processes:
 * the cgroup path says which runtime and which container id (and the pod
 * UID under Kubernetes); the runtime's state files give the names. All of
 * it is untrusted input: bounded copies, bounded reads, no printing.
 */
#include "netns/nsname.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>

#include <json-c/json.h>

#include "util.h"

#define NSNAME_CTRD_NS_MAX 64		/* containerd namespaces looked at */
#define NSNAME_STORAGE_MAX_BYTES (16u << 20)	/* containers/storage containers.json */

static const char *const runtime_names[NSNAME_RT_MAX] = {
	[NSNAME_RT_NONE] = "",
	[NSNAME_RT_DOCKER] = "docker",
	[NSNAME_RT_CONTAINERD] = "containerd",
	[NSNAME_RT_CRIO] = "cri-o",
	[NSNAME_RT_PODMAN] = "podman",
	[NSNAME_RT_NSPAWN] = "nspawn",
};

const char *nsname_runtime_name(enum nsname_runtime rt)
{
	return (unsigned int)rt < NSNAME_RT_MAX ? runtime_names[rt] : "";
}

static void copy_str(char *dst, size_t len, const char *s, size_t n)
{
	if (n >= len)
		n = len - 1;
	memcpy(dst, s, n);
	dst[n] = '\0';
}

/* A container id: 12 to 64 lowercase hex digits, the whole of s[0..n). */
static bool is_id(const char *s, size_t n)
{
	if (n < 12 || n > NSNAME_ID_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!isxdigit((unsigned char)s[i]) || isupper((unsigned char)s[i]))
			return false;
	return true;
}

static bool has_prefix(const char *s, size_t n, const char *p)
{
	size_t l = strlen(p);

	return n >= l && memcmp(s, p, l) == 0;
}

static bool has_suffix(const char *s, size_t n, const char *x)
{
	size_t l = strlen(x);

	return n >= l && memcmp(s + n - l, x, l) == 0;
}

/* "<prefix><id>[.scope]" -> the id. */
static bool match_scope(const char *c, size_t n, const char *prefix, const char **ret_id, size_t *ret_n)
{
	size_t l = strlen(prefix);

	if (!has_prefix(c, n, prefix))
		return false;
	c += l;
	n -= l;
	if (has_suffix(c, n, ".scope"))
		n -= 6;
	if (!is_id(c, n))
		return false;
	*ret_id = c;
	*ret_n = n;
	return true;
}

/* systemd unescapes "\x2d" and friends in unit names; keep anything else as is. */
static void unescape_unit(char *dst, size_t len, const char *s, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 1 < len; i++) {
		unsigned int v;

		if (s[i] == '\\' && i + 3 < n && s[i + 1] == 'x' && isxdigit((unsigned char)s[i + 2]) &&
		    isxdigit((unsigned char)s[i + 3]) && sscanf(s + i + 2, "%2x", &v) == 1 && v) {
			dst[o++] = (char)v;
			i += 3;
			continue;
		}
		dst[o++] = s[i];
	}
	dst[o] = '\0';
}

/* A pod UID from "kubepods-burstable-pod<uid>.slice" (systemd, '_' for '-') or "pod<uid>" (cgroupfs). */
static void match_pod(const char *c, size_t n, struct nsname *r)
{
	const char *p = NULL;
	size_t i;

	if (has_prefix(c, n, "kubepods") && has_suffix(c, n, ".slice")) {
		for (i = 0; i + 3 < n; i++)
			if (memcmp(c + i, "-pod", 4) == 0)
				p = c + i + 4;
		if (!p)
			return;
		n = (size_t)(c + n - 6 - p);
	} else if (has_prefix(c, n, "pod") && n > 3) {
		p = c + 3;
		n -= 3;
	} else {
		return;
	}
	if (n < 8 || n > NSNAME_ID_MAX)
		return;
	for (i = 0; i < n; i++)
		if (!isxdigit((unsigned char)p[i]) && p[i] != '-' && p[i] != '_')
			return;
	copy_str(r->pod_uid, sizeof(r->pod_uid), p, n);
	for (i = 0; r->pod_uid[i]; i++)
		if (r->pod_uid[i] == '_')
			r->pod_uid[i] = '-';
}

/* One cgroup path ("/system.slice/docker-<id>.scope"). */
static bool parse_path(const char *path, size_t len, struct nsname *r)
{
	const char *end = path + len, *c = path, *prev = NULL, *id;
	size_t prev_n = 0, n, idn;

	memset(r, 0, sizeof(*r));
	while (c < end) {
		const char *slash = memchr(c, '/', (size_t)(end - c));

		n = slash ? (size_t)(slash - c) : (size_t)(end - c);
		if (n == 0)
			goto next;
		match_pod(c, n, r);
		if (match_scope(c, n, "docker-", &id, &idn) ||
		    (prev && prev_n == 6 && memcmp(prev, "docker", 6) == 0 && is_id(c, n) && (id = c, idn = n))) {
			r->runtime = NSNAME_RT_DOCKER;
			copy_str(r->id, sizeof(r->id), id, idn);
		} else if (match_scope(c, n, "cri-containerd-", &id, &idn)) {
			r->runtime = NSNAME_RT_CONTAINERD;
			copy_str(r->id, sizeof(r->id), id, idn);
		} else if (match_scope(c, n, "crio-", &id, &idn)) {
			r->runtime = NSNAME_RT_CRIO;
			copy_str(r->id, sizeof(r->id), id, idn);
		} else if (match_scope(c, n, "libpod-", &id, &idn)) {
			r->runtime = NSNAME_RT_PODMAN;
			copy_str(r->id, sizeof(r->id), id, idn);
		} else if (prev && prev_n == 13 && memcmp(prev, "machine.slice", 13) == 0 &&
			   has_prefix(c, n, "machine-") && has_suffix(c, n, ".scope") && n > 14) {
			r->runtime = NSNAME_RT_NSPAWN;
			unescape_unit(r->name, sizeof(r->name), c + 8, n - 14);
		} else if (r->pod_uid[0] && !r->id[0] && is_id(c, n)) {
			/* kubepods cgroupfs driver: /kubepods/<qos>/pod<uid>/<id>; the state says whose. */
			copy_str(r->id, sizeof(r->id), c, n);
		} else if (has_suffix(c, n, ".service") || (has_suffix(c, n, ".scope") && !r->runtime)) {
			unescape_unit(r->unit, sizeof(r->unit), c, n);
		}
next:
		prev = c;
		prev_n = n;
		if (!slash)
			break;
		c = slash + 1;
	}
	return r->runtime != NSNAME_RT_NONE || r->id[0] || r->pod_uid[0];
}

bool nsname_parse_cgroup(const char *text, struct nsname *ret)
{
	struct nsname best = { 0 }, cur;
	int best_rank = -1;
	const char *line = text;

	while (line && *line) {
		const char *nl = strchr(line, '\n');
		size_t len = nl ? (size_t)(nl - line) : strlen(line);
		const char *c1 = memchr(line, ':', len), *c2;
		bool found;
		int rank;

		if (!c1)
			goto next;
		c2 = memchr(c1 + 1, ':', (size_t)(line + len - c1 - 1));
		if (!c2)
			goto next;
		found = parse_path(c2 + 1, (size_t)(line + len - c2 - 1), &cur);
		/* A container on any line beats none; then v2, name=systemd, any other controller. */
		if (has_prefix(line, len, "0::"))
			rank = 3;
		else if (c2 - c1 - 1 == 12 && memcmp(c1 + 1, "name=systemd", 12) == 0)
			rank = 2;
		else
			rank = 1;
		if (found)
			rank += 10;
		if (rank > best_rank) {
			best = cur;
			best_rank = rank;
		}
next:
		line = nl ? nl + 1 : NULL;
	}
	*ret = best;
	return best_rank >= 10;
}

static struct json_object *parse_json(const char *text)
{
	struct json_tokener *tok = json_tokener_new();
	struct json_object *o;

	if (!tok)
		return NULL;
	o = json_tokener_parse_ex(tok, text, (int)strnlen(text, NSNAME_STORAGE_MAX_BYTES));
	if (o && json_tokener_get_error(tok) != json_tokener_success) {
		json_object_put(o);
		o = NULL;
	}
	json_tokener_free(tok);
	return o;
}

/* Copy o[key] when it is a string; returns whether it did. */
static bool take_string(struct json_object *o, const char *key, char *dst, size_t len)
{
	struct json_object *v;
	const char *s;

	if (!o || !json_object_object_get_ex(o, key, &v) || !json_object_is_type(v, json_type_string))
		return false;
	s = json_object_get_string(v);
	copy_str(dst, len, s, (size_t)json_object_get_string_len(v));
	return dst[0] != '\0';
}

/* Kubernetes names from annotations (OCI) or labels (Docker, dockershim). */
static void take_k8s(struct json_object *a, struct nsname *n)
{
	char type[32] = "";

	if (!take_string(a, "io.kubernetes.cri.sandbox-name", n->pod_name, sizeof(n->pod_name)))
		(void) take_string(a, "io.kubernetes.pod.name", n->pod_name, sizeof(n->pod_name));
	if (!take_string(a, "io.kubernetes.cri.sandbox-namespace", n->pod_namespace, sizeof(n->pod_namespace)))
		(void) take_string(a, "io.kubernetes.pod.namespace", n->pod_namespace, sizeof(n->pod_namespace));
	(void) take_string(a, "io.kubernetes.cri.container-type", type, sizeof(type));
	if (strcmp(type, "sandbox") == 0)
		return;
	if (!take_string(a, "io.kubernetes.cri.container-name", n->k8s_container, sizeof(n->k8s_container)))
		(void) take_string(a, "io.kubernetes.container.name", n->k8s_container, sizeof(n->k8s_container));
	/* The pause container of a dockershim/CRI-O pod. */
	if (strcmp(n->k8s_container, "POD") == 0)
		n->k8s_container[0] = '\0';
}

int nsname_parse_docker_config(const char *text, struct nsname *n)
{
	struct json_object *o = parse_json(text), *cfg, *labels;
	char name[NSNAME_STR_MAX + 2];

	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return -EBADMSG;
	}
	if (take_string(o, "Name", name, sizeof(name)))
		copy_str(n->name, sizeof(n->name), name + (name[0] == '/'), strlen(name + (name[0] == '/')));
	if (json_object_object_get_ex(o, "Config", &cfg) && json_object_is_type(cfg, json_type_object) &&
	    json_object_object_get_ex(cfg, "Labels", &labels) && json_object_is_type(labels, json_type_object))
		take_k8s(labels, n);
	json_object_put(o);
	return 0;
}

int nsname_parse_oci_config(const char *text, struct nsname *n)
{
	struct json_object *o = parse_json(text), *a;

	if (!o || !json_object_is_type(o, json_type_object)) {
		json_object_put(o);
		return -EBADMSG;
	}
	if (json_object_object_get_ex(o, "annotations", &a) && json_object_is_type(a, json_type_object))
		take_k8s(a, n);
	json_object_put(o);
	return 0;
}

/* containers/storage's containers.json: [{"id": ..., "names": [...]}] -> the first name. */
static void storage_name(const char *text, struct nsname *n)
{
	struct json_object *o = parse_json(text);
	size_t len;

	if (!o || !json_object_is_type(o, json_type_array))
		goto out;
	len = json_object_array_length(o);
	for (size_t i = 0; i < len; i++) {
		struct json_object *e = json_object_array_get_idx(o, i), *names, *first;
		char id[NSNAME_ID_MAX + 1];

		if (!take_string(e, "id", id, sizeof(id)) || strcmp(id, n->id) != 0)
			continue;
		if (json_object_object_get_ex(e, "names", &names) && json_object_is_type(names, json_type_array) &&
		    json_object_array_length(names) > 0) {
			first = json_object_array_get_idx(names, 0);
			if (json_object_is_type(first, json_type_string))
				copy_str(n->name, sizeof(n->name), json_object_get_string(first),
					 (size_t)json_object_get_string_len(first));
		}
		break;
	}
out:
	json_object_put(o);
}

static int read_under(const char *root, const char *rel, size_t max, char **ret)
{
	char path[PATH_MAX];
	int k = snprintf(path, sizeof(path), "%s%s", root, rel);

	if (k < 0 || (size_t)k >= sizeof(path))
		return -ENAMETOOLONG;
	return read_small_file(path, max, ret);
}

/*
 * Docker's data root: $TWSCOPE_DOCKER_DATA_ROOT, else "data-root" in
 * /etc/docker/daemon.json, else /var/lib/docker. Always an absolute path.
 */
static void docker_data_root(const char *root, char *buf, size_t len)
{
	const char *env = secure_getenv("TWSCOPE_DOCKER_DATA_ROOT");
	_cleanup_free_ char *text = NULL;
	struct json_object *o;

	snprintf(buf, len, "/var/lib/docker");
	if (env && env[0] == '/' && strlen(env) < len) {
		snprintf(buf, len, "%s", env);
		return;
	}
	if (read_under(root, "/etc/docker/daemon.json", NSNAME_STATE_MAX_BYTES, &text) < 0)
		return;
	o = parse_json(text);
	if (o && json_object_is_type(o, json_type_object)) {
		char dir[PATH_MAX];

		if (take_string(o, "data-root", dir, sizeof(dir)) && dir[0] == '/' && strlen(dir) < len)
			snprintf(buf, len, "%s", dir);
	}
	json_object_put(o);
}

static int lookup_docker(const char *root, struct nsname *n)
{
	_cleanup_free_ char *text = NULL;
	char rel[PATH_MAX], data[PATH_MAX / 2];
	int r;

	docker_data_root(root, data, sizeof(data));
	snprintf(rel, sizeof(rel), "%s/containers/%s/config.v2.json", data, n->id);
	r = read_under(root, rel, NSNAME_STATE_MAX_BYTES, &text);
	if (r < 0)
		return r;
	return nsname_parse_docker_config(text, n);
}

static int lookup_oci(const char *root, const char *rel, struct nsname *n)
{
	_cleanup_free_ char *text = NULL;
	int r = read_under(root, rel, NSNAME_STATE_MAX_BYTES, &text);

	if (r < 0)
		return r;
	return nsname_parse_oci_config(text, n);
}

static int lookup_containerd(const char *root, struct nsname *n)
{
	static const char *const tasks[] = {
		"/run/containerd/io.containerd.runtime.v2.task",
		"/run/containerd/io.containerd.runtime.v1.linux",
	};
	char dir[PATH_MAX], rel[PATH_MAX];

	for (size_t t = 0; t < ARRAY_SIZE(tasks); t++) {
		struct dirent *de;
		unsigned int seen = 0;
		DIR *d;
		int r = -ENOENT;

		snprintf(dir, sizeof(dir), "%s%s", root, tasks[t]);
		d = opendir(dir);
		if (!d)
			continue;
		while ((de = readdir(d)) && seen++ < NSNAME_CTRD_NS_MAX) {
			if (de->d_name[0] == '.')
				continue;
			if (snprintf(rel, sizeof(rel), "%s/%s/%s/config.json", tasks[t], de->d_name, n->id) >=
			    (int)sizeof(rel))
				continue;
			r = lookup_oci(root, rel, n);
			if (r != -ENOENT)
				break;
		}
		closedir(d);
		if (r != -ENOENT)
			return r;
	}
	return -ENOENT;
}

/* "key = value" of one TOML line: the value unquoted, when it is a plain string. */
static bool toml_string(const char *line, size_t n, const char *key, char *dst, size_t len)
{
	size_t l = strlen(key), i;
	const char *v, *q;

	if (!has_prefix(line, n, key))
		return false;
	for (i = l; i < n && (line[i] == ' ' || line[i] == '\t'); i++)
		;
	if (i == n || line[i] != '=')
		return false;
	for (i++; i < n && (line[i] == ' ' || line[i] == '\t'); i++)
		;
	if (i == n || (line[i] != '"' && line[i] != '\''))
		return false;
	v = line + i + 1;
	q = memchr(v, line[i], (size_t)(line + n - v));
	if (!q || memchr(v, '\\', (size_t)(q - v)) || (size_t)(q - v) >= len)
		return false;
	copy_str(dst, len, v, (size_t)(q - v));
	return true;
}

/* One line of storage.conf's [storage] table. */
static void storage_conf_line(const char *line, size_t n, struct nsname_storage *st)
{
	char dir[sizeof(st->graphroot)];

	if (toml_string(line, n, "driver", dir, sizeof(st->driver)) && !strchr(dir, '/'))
		copy_str(st->driver, sizeof(st->driver), dir, strlen(dir));
	else if (toml_string(line, n, "runroot", dir, sizeof(dir)) && dir[0] == '/')
		snprintf(st->runroot, sizeof(st->runroot), "%s", dir);
	else if (toml_string(line, n, "graphroot", dir, sizeof(dir)) && dir[0] == '/')
		snprintf(st->graphroot, sizeof(st->graphroot), "%s", dir);
}

void nsname_parse_storage_conf(const char *text, struct nsname_storage *st)
{
	const char *line = text;
	bool in_storage = false;

	while (line && *line) {
		const char *nl = strchr(line, '\n');
		size_t n = nl ? (size_t)(nl - line) : strlen(line);

		while (n && (*line == ' ' || *line == '\t')) {
			line++;
			n--;
		}
		if (n && line[0] == '[')
			in_storage = n >= 9 && memcmp(line, "[storage]", 9) == 0;
		else if (in_storage)
			storage_conf_line(line, n, st);
		line = nl ? nl + 1 : NULL;
	}
}

/*
 * storage.conf: $CONTAINERS_STORAGE_CONF (as podman reads it), else
 * /etc/containers/storage.conf, else /usr/share/containers/storage.conf,
 * else the defaults. Paths are under root.
 */
static void storage_conf(const char *root, struct nsname_storage *st)
{
	const char *env = secure_getenv("CONTAINERS_STORAGE_CONF");
	const char *confs[] = { env, "/etc/containers/storage.conf", "/usr/share/containers/storage.conf" };

	*st = (struct nsname_storage){ .runroot = "/run/containers/storage",
				       .graphroot = "/var/lib/containers/storage" };
	for (size_t i = 0; i < ARRAY_SIZE(confs); i++) {
		_cleanup_free_ char *text = NULL;

		if (!confs[i] || confs[i][0] != '/')
			continue;
		if (read_under(root, confs[i], NSNAME_STATE_MAX_BYTES, &text) < 0)
			continue;
		nsname_parse_storage_conf(text, st);
		return;
	}
}

/*
 * CRI-O and Podman: containers/storage keeps <driver>-containers/ under its
 * run root (CRI-O's config.json) and graph root (Podman's config.json and
 * containers.json, whose names[0] is the container's name). The driver is
 * the configured one or, when storage.conf leaves it to detection, any.
 */
static int lookup_storage(const char *root, struct nsname *n)
{
	static const char *const drivers[] = { "overlay", "vfs", "btrfs", "zfs", "devicemapper" };
	struct nsname_storage st;
	char rel[PATH_MAX];
	int r = -ENOENT;

	storage_conf(root, &st);
	for (size_t d = 0; d < ARRAY_SIZE(drivers) && r == -ENOENT; d++) {
		const char *drv = st.driver[0] ? st.driver : drivers[d];
		const char *stores[] = { st.runroot, st.graphroot };

		for (size_t i = 0; i < ARRAY_SIZE(stores) && r == -ENOENT; i++) {
			snprintf(rel, sizeof(rel), "%s/%s-containers/%s/userdata/config.json", stores[i], drv, n->id);
			r = lookup_oci(root, rel, n);
		}
		for (size_t i = 0; i < ARRAY_SIZE(stores) && r != -ENOENT && !n->name[0]; i++) {
			_cleanup_free_ char *text = NULL;

			snprintf(rel, sizeof(rel), "%s/%s-containers/containers.json", stores[i], drv);
			if (read_under(root, rel, NSNAME_STORAGE_MAX_BYTES, &text) == 0)
				storage_name(text, n);
		}
		if (st.driver[0])
			break;
	}
	return r;
}

int nsname_lookup_state(const char *root, struct nsname *n)
{
	int r;

	if (!n->id[0])
		return -EINVAL;
	switch (n->runtime) {
	case NSNAME_RT_DOCKER:
		return lookup_docker(root, n);
	case NSNAME_RT_CONTAINERD:
		return lookup_containerd(root, n);
	case NSNAME_RT_CRIO:
	case NSNAME_RT_PODMAN:
		return lookup_storage(root, n);
	case NSNAME_RT_NONE:
		/* kubepods under the cgroupfs driver: the state tells the runtime. */
		r = lookup_containerd(root, n);
		if (r != -ENOENT) {
			n->runtime = NSNAME_RT_CONTAINERD;
			return r;
		}
		r = lookup_storage(root, n);
		if (r != -ENOENT) {
			n->runtime = NSNAME_RT_CRIO;
			return r;
		}
		r = lookup_docker(root, n);
		if (r != -ENOENT)
			n->runtime = NSNAME_RT_DOCKER;
		return r;
	default:
		return -ENOENT;
	}
}

void nsname_label(const struct nsname *n, char *buf, size_t len)
{
	const char *rt = nsname_runtime_name(n->runtime);
	char shortid[13];

	copy_str(shortid, sizeof(shortid), n->id, strlen(n->id));
	if (n->pod_name[0])
		snprintf(buf, len, "k8s %s/%s%s%s (%s)", n->pod_namespace[0] ? n->pod_namespace : "?",
			 n->pod_name, n->k8s_container[0] ? "/" : "", n->k8s_container, *rt ? rt : "kubernetes");
	else if (n->pod_uid[0])
		snprintf(buf, len, "k8s pod %s%s%s", n->pod_uid, *rt ? " " : "", rt);
	else if (n->name[0])
		snprintf(buf, len, "%s %s", *rt ? rt : "container", n->name);
	else if (n->id[0])
		snprintf(buf, len, "%s %s", *rt ? rt : "container", shortid);
	else if (len)
		buf[0] = '\0';
}
