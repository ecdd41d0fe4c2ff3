// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Enumerate network namespaces: ours, pid 1's, /run/netns names, nsfs bind
 * mounts in mountinfo, then every process's ns/net; one entry per
 * device+inode (an open-addressing table), capped at NSENUM_MAX and bounded
 * in time; then name each from its lowest pids' cgroups. No printing.
 */
#include "netns/nsenum.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <unistd.h>
#include <linux/magic.h>

#include "util.h"

#define NSENUM_SLOTS 8192		/* > 2 * NSENUM_MAX, a power of two */
#define NSENUM_CGROUP_MAX_BYTES 65536
#define NSENUM_HOSTNET_READS 4096	/* cgroup files read to find host-network containers */

/* snprintf() for paths: -ENAMETOOLONG rather than a silently cut path. */
__attribute__((format(printf, 3, 4)))
static int pathf(char *buf, size_t len, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, len, fmt, ap);
	va_end(ap);
	return n < 0 || (size_t)n >= len ? -ENAMETOOLONG : 0;
}

static uint64_t slot_hash(uint64_t dev, uint64_t ino)
{
	uint64_t h = (dev * 0x9e3779b97f4a7c15ULL) ^ (ino * 0xc2b2ae3d27d4eb4fULL);

	return h ^ (h >> 29);
}

/* Find or add (dev, ino). Returns the entry, NULL when capped or out of memory (errno). */
static struct nsenum_entry *find_or_add(struct nsenum_list *l, uint64_t dev, uint64_t ino, bool *ret_new)
{
	size_t i = slot_hash(dev, ino) & (NSENUM_SLOTS - 1);
	struct nsenum_entry *e;

	*ret_new = false;
	for (;; i = (i + 1) & (NSENUM_SLOTS - 1)) {
		int32_t s = l->slots[i];

		if (s == 0)
			break;
		e = &l->v[s - 1];
		if (e->dev == dev && e->ino == ino)
			return e;
	}
	if (l->n >= NSENUM_MAX) {
		l->capped = true;
		errno = ENOSPC;
		return NULL;
	}
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 64;
		struct nsenum_entry *v = reallocarray(l->v, cap, sizeof(*v));

		if (!v)
			return NULL;
		l->v = v;
		l->cap = cap;
	}
	e = &l->v[l->n];
	memset(e, 0, sizeof(*e));
	e->dev = dev;
	e->ino = ino;
	l->slots[i] = (int32_t)++l->n;
	*ret_new = true;
	return e;
}

static int set_str(char **dst, const char *s)
{
	char *c;

	if (*dst)
		return 0;
	c = strdup(s);
	if (!c)
		return -ENOMEM;
	*dst = c;
	return 0;
}

static bool is_nsfs(const char *path)
{
	struct statfs sfs;

	return statfs(path, &sfs) == 0 && sfs.f_type == NSFS_MAGIC;
}

static int add_path(struct nsenum_list *l, const char *path, bool need_nsfs, struct nsenum_entry **ret)
{
	struct stat st;
	bool fresh;

	*ret = NULL;
	if (stat(path, &st) < 0)
		return -errno;
	if (need_nsfs && !is_nsfs(path))
		return -EINVAL;
	*ret = find_or_add(l, st.st_dev, st.st_ino, &fresh);
	if (!*ret)
		return errno == ENOSPC ? -ENOSPC : -ENOMEM;
	return fresh;
}

static int add_named(struct nsenum_list *l, const char *root, bool real)
{
	char dir[PATH_MAX], path[PATH_MAX];
	struct dirent *de;
	unsigned int seen = 0;
	DIR *d;
	int r = 0;

	if (pathf(dir, sizeof(dir), "%s/run/netns", root) < 0)
		return 0;
	d = opendir(dir);
	if (!d)
		return 0;
	while ((de = readdir(d)) && seen++ < NSENUM_NAMED_MAX) {
		struct nsenum_entry *e;

		if (de->d_name[0] == '.')
			continue;
		if (pathf(path, sizeof(path), "%s/%s", dir, de->d_name) < 0)
			continue;
		r = add_path(l, path, real, &e);
		if (r == -ENOMEM)
			break;
		r = 0;
		if (!e)
			continue;
		if (set_str(&e->netns_name, de->d_name) < 0 ||
		    (!e->path && set_str(&e->path, path) < 0)) {
			r = -ENOMEM;
			break;
		}
	}
	closedir(d);
	return r;
}

/* Undo mountinfo's octal escapes (\040 for a space, \011, \012, \134). */
static void unescape_octal(char *dst, size_t len, const char *s, size_t n)
{
	size_t o = 0;

	for (size_t i = 0; i < n && o + 1 < len; i++) {
		if (s[i] == '\\' && i + 3 < n + 0 && s[i + 1] >= '0' && s[i + 1] <= '3' &&
		    s[i + 2] >= '0' && s[i + 2] <= '7' && s[i + 3] >= '0' && s[i + 3] <= '7') {
			char c = (char)((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));

			if (c) {
				dst[o++] = c;
				i += 3;
				continue;
			}
		}
		dst[o++] = s[i];
	}
	dst[o] = '\0';
}

bool nsenum_parse_mountinfo_line(const char *line, char *buf, size_t len)
{
	const char *f[5], *sep, *p = line;
	size_t fl[5];

	for (int i = 0; i < 5; i++) {
		while (*p == ' ')
			p++;
		if (!*p || *p == '\n')
			return false;
		f[i] = p;
		while (*p && *p != ' ' && *p != '\n')
			p++;
		fl[i] = (size_t)(p - f[i]);
	}
	sep = strstr(p, " - ");
	if (!sep || strncmp(sep + 3, "nsfs ", 5) != 0)
		return false;
	/* field 4 is the root inside the filesystem: "net:[4026532xxx]" for a netns */
	if (fl[3] < 6 || memcmp(f[3], "net:[", 5) != 0 || f[3][fl[3] - 1] != ']')
		return false;
	if (fl[4] == 0 || f[4][0] != '/' || len == 0)
		return false;
	unescape_octal(buf, len, f[4], fl[4]);
	return true;
}

static int add_mounts(struct nsenum_list *l, const char *proc, const char *root, bool real)
{
	_cleanup_free_ char *text = NULL;
	char mnt[PATH_MAX], path[PATH_MAX];
	unsigned int seen = 0;
	const char *line;
	int r;

	if (pathf(path, sizeof(path), "%s/self/mountinfo", proc) < 0)
		return 0;
	r = read_small_file(path, 16u << 20, &text);
	if (r < 0)
		return 0;	/* no mountinfo: bind mounts stay unseen */
	for (line = text; line && *line && seen++ < NSENUM_NAMED_MAX; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		struct nsenum_entry *e;

		if (!nsenum_parse_mountinfo_line(line, mnt, sizeof(mnt)))
			continue;
		if (pathf(path, sizeof(path), "%s%s", root, mnt) < 0)
			continue;
		r = add_path(l, path, real, &e);
		if (r == -ENOMEM)
			return r;
		if (!e)
			continue;
		if (!e->netns_name && set_str(&e->mount, mnt) < 0)
			return -ENOMEM;
		if (!e->path && set_str(&e->path, path) < 0)
			return -ENOMEM;
	}
	return 0;
}

static void add_candidate(struct nsenum_entry *e, int pid)
{
	size_t i = NSENUM_CANDIDATES;

	e->n_procs++;
	while (i > 0 && (e->candidates[i - 1] == 0 || e->candidates[i - 1] > pid))
		i--;
	if (i >= NSENUM_CANDIDATES)
		return;
	memmove(&e->candidates[i + 1], &e->candidates[i], (NSENUM_CANDIDATES - i - 1) * sizeof(int));
	e->candidates[i] = pid;
}

static bool read_cgroup(const char *proc, int pid, struct nsname *ret)
{
	_cleanup_free_ char *text = NULL;
	char path[PATH_MAX];

	memset(ret, 0, sizeof(*ret));
	if (pathf(path, sizeof(path), "%s/%d/cgroup", proc, pid) < 0)
		return false;
	if (read_small_file(path, NSENUM_CGROUP_MAX_BYTES, &text) < 0)
		return false;
	return nsname_parse_cgroup(text, ret);
}

static void note_hostnet(struct nsenum_list *l, const char *proc, const char *root, int pid,
			 unsigned int *reads)
{
	struct nsname n;

	if (l->n_hostnet >= NSENUM_HOSTNET_MAX || (*reads)++ >= NSENUM_HOSTNET_READS)
		return;
	if (!read_cgroup(proc, pid, &n) || n.runtime == NSNAME_RT_NSPAWN || !n.id[0])
		return;
	for (unsigned int i = 0; i < l->n_hostnet; i++)
		if (strcmp(l->hostnet[i].id, n.id) == 0)
			return;
	(void) nsname_lookup_state(root, &n);
	l->hostnet[l->n_hostnet++] = n;
}

static int add_pids(struct nsenum_list *l, const char *proc, const char *root, uint64_t deadline)
{
	char path[PATH_MAX];
	unsigned int seen = 0, hostnet_reads = 0;
	struct dirent *de;
	DIR *d;

	d = opendir(proc);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		struct nsenum_entry *e;
		uint32_t pid;
		int r;

		if (safe_atou32(de->d_name, &pid) < 0 || pid == 0 || pid > INT_MAX)
			continue;
		if (++seen > NSENUM_PIDS_MAX || ((seen & 255) == 0 && now_ns() > deadline)) {
			l->timed_out = true;
			break;
		}
		if (pathf(path, sizeof(path), "%s/%u/ns/net", proc, pid) < 0)
			continue;
		r = add_path(l, path, false, &e);
		if (r == -EACCES || r == -EPERM)
			l->pids_denied++;
		if (r == -ENOMEM) {
			closedir(d);
			return r;
		}
		if (!e)
			continue;	/* gone, a kernel thread, or capped */
		add_candidate(e, (int)pid);
		if (e->host)
			note_hostnet(l, proc, root, (int)pid, &hostnet_reads);
	}
	closedir(d);
	return 0;
}

static void read_comm(const char *proc, struct nsenum_entry *e)
{
	_cleanup_free_ char *text = NULL;
	char path[PATH_MAX];
	size_t n;

	if (pathf(path, sizeof(path), "%s/%d/comm", proc, e->pid) < 0)
		return;
	if (read_small_file(path, 64, &text) < 0)
		return;
	n = strlen(text);
	if (n && text[n - 1] == '\n')
		n--;
	if (n >= sizeof(e->comm))
		n = sizeof(e->comm) - 1;
	memcpy(e->comm, text, n);
	e->comm[n] = '\0';
}

static int name_entry(const char *proc, const char *root, struct nsenum_entry *e)
{
	char path[PATH_MAX];

	e->pid = e->candidates[0];
	if (!e->pid)
		return 0;
	read_comm(proc, e);
	for (size_t i = 0; i < NSENUM_CANDIDATES && e->candidates[i]; i++) {
		struct nsname n;
		bool found = read_cgroup(proc, e->candidates[i], &n);

		if (i == 0)
			e->name = n;	/* keeps the unit of the main process */
		if (found) {
			(void) nsname_lookup_state(root, &n);
			e->name = n;
			break;
		}
	}
	if (!e->path) {
		if (pathf(path, sizeof(path), "%s/%d/ns/net", proc, e->pid) < 0)
			return 0;
		return set_str(&e->path, path);
	}
	return 0;
}

/*
 * Test hook (tests/integration): with $TWSCOPE_TEST_NSWALK_GATE set, say
 * "<gate>.ready" after the enumeration and wait (at most 10 s) until the
 * gate file is removed, so a test can remove a namespace mid-walk.
 */
static void test_gate(void)
{
	const char *gate = secure_getenv("TWSCOPE_TEST_NSWALK_GATE");
	char ready[PATH_MAX];
	uint64_t end = now_ns() + 10 * NSEC_PER_SEC;
	int fd;

	if (!gate || snprintf(ready, sizeof(ready), "%s.ready", gate) >= (int)sizeof(ready))
		return;
	fd = open(ready, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
	if (fd >= 0)
		(void) close(fd);
	while (access(gate, F_OK) == 0 && now_ns() < end)
		(void) usleep(10000);
}

int nsenum_collect(const struct nsenum_conf *conf, struct nsenum_list *ret)
{
	const char *proc = conf && conf->proc ? conf->proc : proc_root();
	const char *root = conf && conf->root ? conf->root : "";
	bool real = !*root;
	uint64_t deadline = now_ns() + NSENUM_TIME_NS;
	struct nsenum_list l = { 0 };
	struct nsenum_entry *e;
	char path[PATH_MAX], proc_abs[PATH_MAX], root_abs[PATH_MAX];
	int r;

	/* read_small_file() takes relative paths as relative to proc_root(): make ours absolute. */
	if (proc[0] != '/') {
		if (!realpath(proc, proc_abs))
			return -errno;
		proc = proc_abs;
	}
	if (*root && root[0] != '/') {
		if (!realpath(root, root_abs))
			return -errno;
		root = root_abs;
	}
	l.slots = calloc(NSENUM_SLOTS, sizeof(*l.slots));
	if (!l.slots)
		return -ENOMEM;
	r = pathf(path, sizeof(path), "%s/1/ns/net", proc);
	if (r < 0)
		goto fail;
	r = add_path(&l, path, false, &e);
	if (r == -ENOMEM)
		goto fail;
	if (e)
		e->host = true;
	r = pathf(path, sizeof(path), "%s/self/ns/net", proc);
	if (r < 0)
		goto fail;
	r = add_path(&l, path, false, &e);
	if (r == -ENOMEM)
		goto fail;
	if (e) {
		e->self = true;
		if (l.n == 1)
			e->host = true;	/* pid 1's is hidden from us: ours stands for the host */
	}
	r = add_named(&l, root, real);
	if (r < 0)
		goto fail;
	r = add_mounts(&l, proc, root, real);
	if (r < 0)
		goto fail;
	r = add_pids(&l, proc, root, deadline);
	if (r < 0)
		goto fail;
	for (size_t i = 0; i < l.n; i++) {
		r = name_entry(proc, root, &l.v[i]);
		if (r < 0)
			goto fail;
		if (now_ns() > deadline) {
			l.timed_out = true;
			deadline = UINT64_MAX;	/* names are cheap: finish them, but say so */
		}
	}
	test_gate();
	*ret = l;
	return 0;
fail:
	nsenum_list_done(&l);
	return r;
}

void nsenum_list_done(struct nsenum_list *l)
{
	for (size_t i = 0; i < l->n; i++) {
		free(l->v[i].path);
		free(l->v[i].netns_name);
		free(l->v[i].mount);
	}
	free(l->v);
	free(l->slots);
	memset(l, 0, sizeof(*l));
}

void nsenum_label(const struct nsenum_entry *e, char *buf, size_t len)
{
	char c[NSNAME_STR_MAX * 3 + 64];

	nsname_label(&e->name, c, sizeof(c));
	if (c[0] && !e->host)
		snprintf(buf, len, "%s", c);
	else if (e->netns_name)
		snprintf(buf, len, "netns %s", e->netns_name);
	else if (e->host)
		snprintf(buf, len, "host");
	else if (e->pid)
		snprintf(buf, len, "pid %d (%s)%s%s", e->pid, e->comm, e->name.unit[0] ? " " : "", e->name.unit);
	else if (e->mount)
		snprintf(buf, len, "mount %s", e->mount);
	else
		snprintf(buf, len, "netns:[%llu]", (unsigned long long)e->ino);
}
