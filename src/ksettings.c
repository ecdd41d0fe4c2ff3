// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * Readers and parsers for sysctls, /proc/net counters, sockstat and slab
 * sizes of the current netns. Paths go through proc_root(); parsers are pure.
 * Nothing here prints.
 */
#include "ksettings.h"

#include <ctype.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>

#include "util.h"

#define SMALL_FILE_MAX (256 * 1024)
#define COUNTER_NAME_MAX 64
#define COUNTERS_MAX 4096

int ksettings_sysctl_read(const char *name, char **ret_value)
{
	_cleanup_free_ char *buf = NULL;
	char rel[512];
	size_t i, j;
	int r;

	if (!name || !*name || strstr(name, "..") || strlen(name) > 256)
		return -EINVAL;
	r = snprintf(rel, sizeof(rel), "sys/%s", name);
	if (r < 0 || (size_t)r >= sizeof(rel))
		return -ENAMETOOLONG;
	for (char *p = rel + 4; *p; p++)
		if (*p == '.')
			*p = '/';
	r = read_small_file(rel, 64 * 1024, &buf);
	if (r < 0)
		return r;
	/* Fold whitespace runs (ip_local_port_range uses a tab) and trim. */
	for (i = 0, j = 0; buf[i]; i++) {
		if (isspace((unsigned char)buf[i])) {
			if (j > 0 && buf[j - 1] != ' ')
				buf[j++] = ' ';
		} else {
			buf[j++] = buf[i];
		}
	}
	while (j > 0 && buf[j - 1] == ' ')
		j--;
	buf[j] = '\0';
	*ret_value = TAKE_PTR(buf);
	return 0;
}

int ksettings_sysctl_i64(const char *name, int64_t *ret)
{
	_cleanup_free_ char *v = NULL;
	long long n;
	char *end;
	int r;

	r = ksettings_sysctl_read(name, &v);
	if (r < 0)
		return r;
	if (!*v)
		return -EINVAL;
	errno = 0;
	n = strtoll(v, &end, 10);
	if (errno || *end)
		return -EINVAL;
	*ret = n;
	return 0;
}

static int parse_port(const char *s, const char **end, uint16_t *ret)
{
	unsigned long v;
	char *e;

	if (!isdigit((unsigned char)*s))
		return -EINVAL;
	errno = 0;
	v = strtoul(s, &e, 10);
	if (errno || v > 65535)
		return -ERANGE;
	*end = e;
	*ret = (uint16_t)v;
	return 0;
}

int ksettings_parse_port_range(const char *s, uint16_t *ret_lo, uint16_t *ret_hi)
{
	uint16_t lo, hi;
	const char *p = s;
	int r;

	while (isspace((unsigned char)*p))
		p++;
	r = parse_port(p, &p, &lo);
	if (r < 0)
		return r;
	if (!isspace((unsigned char)*p))
		return -EINVAL;
	while (isspace((unsigned char)*p))
		p++;
	r = parse_port(p, &p, &hi);
	if (r < 0)
		return r;
	while (isspace((unsigned char)*p))
		p++;
	if (*p || lo > hi || lo == 0)
		return -EINVAL;
	*ret_lo = lo;
	*ret_hi = hi;
	return 0;
}

int ksettings_port_range(uint16_t *ret_lo, uint16_t *ret_hi)
{
	_cleanup_free_ char *v = NULL;
	int r;

	r = ksettings_sysctl_read("net.ipv4.ip_local_port_range", &v);
	if (r < 0)
		return r;
	return ksettings_parse_port_range(v, ret_lo, ret_hi);
}

int ksettings_parse_port_list(const char *s, uint8_t *bitmap)
{
	const char *p = s;

	memset(bitmap, 0, TW_PORT_BITMAP_BYTES);
	while (isspace((unsigned char)*p))
		p++;
	while (*p) {
		uint16_t lo, hi;
		int r;

		r = parse_port(p, &p, &lo);
		if (r < 0)
			return r;
		hi = lo;
		if (*p == '-') {
			r = parse_port(p + 1, &p, &hi);
			if (r < 0)
				return r;
			if (hi < lo)
				return -EINVAL;
		}
		for (uint32_t port = lo; port <= hi; port++)
			bitmap[port >> 3] |= (uint8_t)(1u << (port & 7));
		while (isspace((unsigned char)*p))
			p++;
		if (*p == ',') {
			p++;
			if (!*p)
				return -EINVAL;
		} else if (*p) {
			return -EINVAL;
		}
	}
	return 0;
}

int ksettings_reserved_ports(uint8_t *bitmap)
{
	_cleanup_free_ char *v = NULL;
	int r;

	r = ksettings_sysctl_read("net.ipv4.ip_local_reserved_ports", &v);
	if (r < 0)
		return r;
	return ksettings_parse_port_list(v, bitmap);
}

/* Read "key value key value ..." after a "TCP:" style prefix into named slots. */
static int parse_kv_line(const char *line, const char *key, uint64_t *ret)
{
	const char *p = line;
	size_t klen = strlen(key);

	while (*p && *p != '\n') {
		while (*p == ' ')
			p++;
		if (strncmp(p, key, klen) == 0 && p[klen] == ' ') {
			char num[32];
			size_t n = 0;

			p += klen + 1;
			while (isdigit((unsigned char)*p) && n < sizeof(num) - 1)
				num[n++] = *p++;
			num[n] = '\0';
			if (*p && *p != ' ' && *p != '\n')
				return -EBADMSG;
			return safe_atou64(num, ret) < 0 ? -EBADMSG : 0;
		}
		while (*p && *p != ' ' && *p != '\n')
			p++;
	}
	return -ENOENT;
}

static const char *find_line(const char *text, const char *prefix)
{
	size_t len = strlen(prefix);

	for (const char *p = text; p && *p; p = strchr(p, '\n'), p = p ? p + 1 : NULL)
		if (strncmp(p, prefix, len) == 0)
			return p + len;
	return NULL;
}

int ksettings_parse_sockstat(const char *v4, const char *v6, struct tw_sockstat *ret)
{
	struct tw_sockstat st = {};
	const char *l;
	int r;

	l = v4 ? find_line(v4, "TCP: ") : NULL;
	if (!l)
		return -EBADMSG;
	if ((r = parse_kv_line(l, "inuse", &st.tcp_inuse)) < 0 ||
	    (r = parse_kv_line(l, "orphan", &st.tcp_orphan)) < 0 ||
	    (r = parse_kv_line(l, "tw", &st.tcp_tw)) < 0 ||
	    (r = parse_kv_line(l, "alloc", &st.tcp_alloc)) < 0 ||
	    (r = parse_kv_line(l, "mem", &st.tcp_mem_pages)) < 0)
		return -EBADMSG;
	st.have_tcp = true;
	l = find_line(v4, "sockets: ");
	if (l)
		(void) parse_kv_line(l, "used", &st.sockets_used);
	if (v6) {
		l = find_line(v6, "TCP6: ");
		if (!l || parse_kv_line(l, "inuse", &st.tcp6_inuse) < 0)
			return -EBADMSG;
		st.have_tcp6 = true;
	}
	*ret = st;
	return 0;
}

int ksettings_sockstat(struct tw_sockstat *ret)
{
	_cleanup_free_ char *v4 = NULL, *v6 = NULL;
	int r;

	r = read_small_file("net/sockstat", SMALL_FILE_MAX, &v4);
	if (r < 0)
		return r;
	r = read_small_file("net/sockstat6", SMALL_FILE_MAX, &v6);
	if (r < 0 && r != -ENOENT)
		return r;
	return ksettings_parse_sockstat(v4, v6, ret);
}

struct counter {
	char name[COUNTER_NAME_MAX];
	uint64_t value;
};

struct tw_counters {
	struct counter *v;
	size_t n;
	size_t cap;
};

struct tw_counters *tw_counters_new(void)
{
	return calloc(1, sizeof(struct tw_counters));
}

struct tw_counters *tw_counters_free(struct tw_counters *c)
{
	if (c) {
		free(c->v);
		free(c);
	}
	return NULL;
}

int tw_counters_set(struct tw_counters *c, const char *name, uint64_t value)
{
	if (strlen(name) >= COUNTER_NAME_MAX)
		return -ENAMETOOLONG;
	for (size_t i = 0; i < c->n; i++)
		if (strcmp(c->v[i].name, name) == 0) {
			c->v[i].value = value;
			return 0;
		}
	if (c->n >= COUNTERS_MAX)
		return -ENOSPC;
	if (c->n == c->cap) {
		size_t cap = c->cap ? c->cap * 2 : 256;
		struct counter *v = realloc(c->v, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		c->v = v;
		c->cap = cap;
	}
	snprintf(c->v[c->n].name, COUNTER_NAME_MAX, "%s", name);
	c->v[c->n].value = value;
	c->n++;
	return 0;
}

bool tw_counters_get(const struct tw_counters *c, const char *name, uint64_t *ret)
{
	for (size_t i = 0; c && i < c->n; i++)
		if (strcmp(c->v[i].name, name) == 0) {
			*ret = c->v[i].value;
			return true;
		}
	return false;
}

size_t tw_counters_count(const struct tw_counters *c)
{
	return c ? c->n : 0;
}

bool tw_counters_at(const struct tw_counters *c, size_t i, const char **ret_name, uint64_t *ret_value)
{
	if (!c || i >= c->n)
		return false;
	*ret_name = c->v[i].name;
	*ret_value = c->v[i].value;
	return true;
}

/* Split one line into whitespace-separated tokens, in place. */
static size_t split_words(char *line, char **words, size_t max)
{
	size_t n = 0;
	char *save = NULL;

	for (char *w = strtok_r(line, " \t", &save); w; w = strtok_r(NULL, " \t", &save)) {
		if (n == max)
			return max + 1;
		words[n++] = w;
	}
	return n;
}

int ksettings_parse_counters(const char *text, struct tw_counters *c)
{
	_cleanup_free_ char *copy = strdup(text);
	_cleanup_free_ char **hw = NULL, **vw = NULL;
	char *save = NULL, *head, *vals;
	const size_t max_words = 1024;

	if (!copy)
		return -ENOMEM;
	hw = calloc(max_words + 1, sizeof(char *));
	vw = calloc(max_words + 1, sizeof(char *));
	if (!hw || !vw)
		return -ENOMEM;
	/* The files alternate a header line ("TcpExt: TW ...") and a value line. */
	for (head = strtok_r(copy, "\n", &save); head; head = strtok_r(NULL, "\n", &save)) {
		size_t nh, nv, plen;

		vals = strtok_r(NULL, "\n", &save);
		if (!vals)
			return -EBADMSG;
		nh = split_words(head, hw, max_words);
		nv = split_words(vals, vw, max_words);
		if (nh < 2 || nh != nv || nh > max_words || strcmp(hw[0], vw[0]) != 0)
			return -EBADMSG;
		plen = strlen(hw[0]);
		if (plen < 2 || hw[0][plen - 1] != ':')
			return -EBADMSG;
		for (size_t i = 1; i < nh; i++) {
			char name[COUNTER_NAME_MAX];
			uint64_t v;
			long long sv;
			char *end;
			int r;

			/* Tcp.MaxConn is -1: signed in the file, kept as 0 here. */
			if (vw[i][0] == '-') {
				errno = 0;
				sv = strtoll(vw[i], &end, 10);
				if (errno || *end)
					return -EBADMSG;
				(void) sv;
				v = 0;
			} else if (safe_atou64(vw[i], &v) < 0) {
				return -EBADMSG;
			}
			r = snprintf(name, sizeof(name), "%.*s.%s", (int)(plen - 1), hw[0], hw[i]);
			if (r < 0 || (size_t)r >= sizeof(name))
				return -EBADMSG;
			r = tw_counters_set(c, name, v);
			if (r < 0)
				return r;
		}
	}
	return 0;
}

int ksettings_counters(struct tw_counters **ret)
{
	static const char *const files[] = { "net/netstat", "net/snmp" };
	struct tw_counters *c = tw_counters_new();
	int r = 0;

	if (!c)
		return -ENOMEM;
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		_cleanup_free_ char *text = NULL;

		r = read_small_file(files[i], SMALL_FILE_MAX, &text);
		if (r < 0)
			break;
		r = ksettings_parse_counters(text, c);
		if (r < 0)
			break;
	}
	if (r < 0) {
		tw_counters_free(c);
		return r;
	}
	*ret = c;
	return 0;
}

int ksettings_slab_objsize(const char *cache, uint64_t *ret_bytes)
{
	_cleanup_free_ char *buf = NULL;
	char path[256];
	uint64_t v;
	int r;

	if (strchr(cache, '/') || strlen(cache) > 64)
		return -EINVAL;
	/* slab_size is the per-object footprint, the objsize column of /proc/slabinfo. */
	snprintf(path, sizeof(path), "/sys/kernel/slab/%s/slab_size", cache);
	/* Fixture trees replace /proc only; sysfs is consulted only on the live system. */
	if (!secure_getenv("TWSCOPE_PROC_ROOT") && read_small_file(path, 64, &buf) == 0) {
		buf[strcspn(buf, "\n")] = '\0';
		if (safe_atou64(buf, &v) == 0) {
			*ret_bytes = v;
			return 0;
		}
	}
	free(buf);
	buf = NULL;
	r = read_small_file("slabinfo", 4 * 1024 * 1024, &buf);
	if (r < 0)
		return r;
	/* "name active_objs num_objs objsize ..." */
	for (char *line = buf; line && *line; line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
		size_t n = strlen(cache);
		unsigned long long active, num, objsize;

		if (strncmp(line, cache, n) != 0 || line[n] != ' ')
			continue;
		if (sscanf(line + n, "%llu %llu %llu", &active, &num, &objsize) != 3)
			return -EBADMSG;
		*ret_bytes = objsize;
		return 0;
	}
	return -ENOENT;
}

int ksettings_kernel_release(char *buf, size_t len)
{
	struct utsname u;

	if (uname(&u) < 0)
		return -errno;
	if ((size_t)snprintf(buf, len, "%s", u.release) >= len)
		return -ENAMETOOLONG;
	return 0;
}
