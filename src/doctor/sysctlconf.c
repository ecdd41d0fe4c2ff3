// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * sysctlconf: scan sysctl configuration files for lines that set the knobs
 * doctor judges (removed or misunderstood ones included). Follows sysctl.d(5)
 * syntax: '#'/';' comments, a '-' prefix, '/' or '.' separators. No printing.
 */
#include "doctor/sysctlconf.h"

#include <ctype.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "util.h"

static const char *const watched[] = {
	"net.ipv4.tcp_tw_recycle",
	"net.ipv4.tcp_tw_reuse",
	"net.ipv4.tcp_tw_reuse_delay",
	"net.ipv4.tcp_fin_timeout",
	"net.ipv4.tcp_max_tw_buckets",
	"net.ipv4.tcp_timestamps",
	"net.ipv4.tcp_rfc1337",
	"net.ipv4.ip_local_port_range",
	"net.ipv4.ip_local_reserved_ports",
	"net.ipv4.tcp_max_orphans",
	"net.netfilter.nf_conntrack_tcp_timeout_time_wait",
	"net.netfilter.nf_conntrack_max",
	"net.nf_conntrack_max",
	NULL,
};

/* Directories in sysctl.d(5) precedence order; /etc/sysctl.conf comes last. */
static const char *const conf_dirs[] = {
	"/etc/sysctl.d",
	"/run/sysctl.d",
	"/usr/local/lib/sysctl.d",
	"/usr/lib/sysctl.d",
	"/lib/sysctl.d",
};

bool sysconf_is_watched(const char *key)
{
	return str_in(key, watched);
}

/* Strip ASCII whitespace (CR included) on both sides, as systemd-sysctl does. */
static char *trim(char *s)
{
	char *e;

	while (isspace((unsigned char)*s))
		s++;
	e = s + strlen(s);
	while (e > s && isspace((unsigned char)e[-1]))
		*--e = '\0';
	return s;
}

int sysconf_parse_line(const char *line, char *key, size_t key_len, char *value, size_t value_len)
{
	char buf[1024];
	char *k, *v, *eq, *slash, *dot;

	if (strlen(line) >= sizeof(buf))
		return 0;	/* no watched line is that long */
	strcpy(buf, line);
	k = trim(buf);
	if (!*k || *k == '#' || *k == ';')
		return 0;
	eq = strchr(k, '=');
	if (!eq)
		return -EINVAL;
	*eq = '\0';
	v = trim(eq + 1);
	k = trim(k);
	if (*k == '-')
		k = trim(k + 1);
	/* sysctl.d(5): when the first separator is '/', '/' and '.' swap roles. */
	slash = strchr(k, '/');
	dot = strchr(k, '.');
	if (slash && (!dot || slash < dot))
		for (char *p = k; *p; p++)
			*p = *p == '/' ? '.' : *p == '.' ? '/' : *p;
	if (!sysconf_is_watched(k))
		return 0;
	if (strlen(k) >= key_len || strlen(v) >= value_len)
		return 0;
	strcpy(key, k);
	strcpy(value, v);
	return 1;
}

int sysconf_add(struct sysconf *c, const char *file, unsigned int line, const char *key,
		const char *value)
{
	struct sysconf_entry *e;

	if (c->n >= SYSCONF_MAX_ENTRIES) {
		c->truncated = true;
		return -ENOSPC;
	}
	if (c->n % 16 == 0) {
		e = realloc(c->v, (c->n + 16) * sizeof(*e));
		if (!e)
			return -ENOMEM;
		c->v = e;
	}
	e = &c->v[c->n];
	e->file = strdup(file);
	e->key = strdup(key);
	e->value = strdup(value);
	e->line = line;
	if (!e->file || !e->key || !e->value) {
		free(e->file);
		free(e->key);
		free(e->value);
		return -ENOMEM;
	}
	c->n++;
	return 0;
}

void sysconf_done(struct sysconf *c)
{
	for (size_t i = 0; i < c->n; i++) {
		free(c->v[i].file);
		free(c->v[i].key);
		free(c->v[i].value);
	}
	free(c->v);
	c->v = NULL;
	c->n = 0;
	c->files = 0;
	c->truncated = false;
}

int sysconf_scan_text(struct sysconf *c, const char *file, const char *text, size_t len)
{
	char line[1024], key[128], value[512];
	const char *p = text, *end = text + len;
	unsigned int n = 0;
	int r;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t l = (nl ? nl : end) - p;

		if (++n > SYSCONF_MAX_LINES) {
			c->truncated = true;
			break;
		}
		/* an over-long line cannot set a watched key: skip it whole */
		if (l < sizeof(line)) {
			memcpy(line, p, l);
			line[l] = '\0';
			r = sysconf_parse_line(line, key, sizeof(key), value, sizeof(value));
			if (r > 0) {
				r = sysconf_add(c, file, n, key, value);
				if (r == -ENOSPC)
					return 0;
				if (r < 0)
					return r;
			}
		}
		if (!nl)
			break;
		p = nl + 1;
	}
	return 0;
}

static int scan_file(const char *root, const char *path, struct sysconf *c)
{
	_cleanup_free_ char *text = NULL;
	_cleanup_close_ int fd = -EBADF;
	char full[PATH_MAX];
	struct stat st;
	size_t len;
	int r;

	if (c->files >= SYSCONF_MAX_FILES) {
		c->truncated = true;
		return 0;
	}
	if (snprintf(full, sizeof(full), "%s%s", root, path) >= (int)sizeof(full))
		return 0;
	/* O_NONBLOCK and the type check: a FIFO named *.conf must not hang doctor */
	fd = open(full, O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY);
	if (fd < 0 || fstat(fd, &st) < 0 || !S_ISREG(st.st_mode))
		return 0;
	r = read_fd_all(fd, SYSCONF_MAX_FILE_BYTES, &text, &len);
	if (r == -ENOMEM)
		return r;
	if (r < 0) {
		/* too big, or unreadable: not looked at */
		if (r == -EFBIG)
			c->truncated = true;
		return 0;
	}
	c->files++;
	return sysconf_scan_text(c, path, text, len);
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int sysconf_scan_root(const char *root, struct sysconf *ret)
{
	char *names[SYSCONF_MAX_FILES];
	size_t n_names = 0;
	char dir[PATH_MAX], path[PATH_MAX];
	int r = 0;

	memset(ret, 0, sizeof(*ret));
	if (strcmp(root, "/") == 0)
		root = "";
	for (size_t d = 0; d < ARRAY_SIZE(conf_dirs); d++) {
		DIR *dp;
		struct dirent *de;
		size_t first = n_names;

		snprintf(dir, sizeof(dir), "%s%s", root, conf_dirs[d]);
		dp = opendir(dir);
		if (!dp)
			continue;
		while ((de = readdir(dp))) {
			size_t len = strlen(de->d_name);

			if (len < 6 || strcmp(de->d_name + len - 5, ".conf") != 0)
				continue;
			if (n_names >= ARRAY_SIZE(names)) {
				ret->truncated = true;
				break;
			}
			if (asprintf(&names[n_names], "%s/%s", conf_dirs[d], de->d_name) < 0) {
				r = -ENOMEM;
				break;
			}
			n_names++;
		}
		closedir(dp);
		if (r < 0)
			break;
		qsort(names + first, n_names - first, sizeof(names[0]), cmp_str);
	}
	for (size_t i = 0; r == 0 && i < n_names; i++)
		r = scan_file(root, names[i], ret);
	if (r == 0) {
		snprintf(path, sizeof(path), "/etc/sysctl.conf");
		r = scan_file(root, path, ret);
	}
	for (size_t i = 0; i < n_names; i++)
		free(names[i]);
	if (r < 0)
		sysconf_done(ret);
	return r;
}

int sysconf_scan(struct sysconf *ret)
{
	const char *root = secure_getenv("TWSCOPE_SYSCONF_ROOT");

	return sysconf_scan_root(root && *root ? root : "/", ret);
}
