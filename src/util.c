// SPDX-License-Identifier: GPL-2.0-or-later
/* Shared helpers: strict number parsing and small-file reading. No printing. */
#include "util.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <math.h>
#include <string.h>
#include <time.h>

int safe_atou64(const char *s, uint64_t *ret)
{
	unsigned long long v;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno == ERANGE)
		return -ERANGE;
	if (errno || *end)
		return -EINVAL;
	*ret = v;
	return 0;
}

int safe_atou32(const char *s, uint32_t *ret)
{
	uint64_t v;
	int r;

	r = safe_atou64(s, &v);
	if (r < 0)
		return r;
	if (v > UINT32_MAX)
		return -ERANGE;
	*ret = (uint32_t)v;
	return 0;
}

int safe_atod(const char *s, double *ret)
{
	double v;
	char *end;

	if (!s || !*s || *s == '-' || *s == '+' || *s == ' ')
		return -EINVAL;
	errno = 0;
	v = strtod(s, &end);
	if (errno == ERANGE)
		return -ERANGE;
	if (errno || *end || !isfinite(v))
		return -EINVAL;
	*ret = v;
	return 0;
}

const char *proc_root(void)
{
	const char *r = secure_getenv("TWSCOPE_PROC_ROOT");

	return r && *r ? r : "/proc";
}

int read_fd_all(int fd, size_t max_bytes, char **ret_buf, size_t *ret_len)
{
	_cleanup_free_ char *buf = NULL;
	size_t cap = 0, len = 0;

	for (;;) {
		ssize_t n;

		/* Room for one byte past max_bytes (to tell "too big") and a NUL. */
		if (cap - len < 2) {
			size_t ncap = cap ? cap * 2 : 4096;
			char *p;

			if (ncap > max_bytes + 2)
				ncap = max_bytes + 2;
			if (ncap <= cap)
				return -EFBIG;
			p = realloc(buf, ncap);
			if (!p)
				return -ENOMEM;
			buf = p;
			cap = ncap;
		}
		n = read(fd, buf + len, cap - 1 - len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		if (len > max_bytes)
			return -EFBIG;
	}
	buf[len] = '\0';
	*ret_len = len;
	*ret_buf = TAKE_PTR(buf);
	return 0;
}

int read_small_file(const char *path, size_t max_bytes, char **ret_buf)
{
	_cleanup_close_ int fd = -EBADF;
	char full[PATH_MAX];
	size_t len;

	if (path[0] != '/') {
		const char *root = proc_root();
		const char *self = "";

		/*
		 * /proc/net is /proc/self/net, the netns of the thread-group
		 * leader: a thread that entered another netns (serve -A) must
		 * read its own, /proc/thread-self/net (Linux 3.17+).
		 */
		if (strncmp(path, "net/", 4) == 0 && strcmp(root, "/proc") == 0)
			self = "thread-self/";
		if (snprintf(full, sizeof(full), "%s/%s%s", root, self, path) >= (int)sizeof(full))
			return -ENAMETOOLONG;
		path = full;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	return read_fd_all(fd, max_bytes, ret_buf, &len);
}

void text_line_column(const char *buf, size_t off, char *out, size_t len)
{
	unsigned int line = 1, col = 1;

	for (size_t i = 0; i < off; i++) {
		if (buf[i] == '\n') {
			line++;
			col = 1;
		} else {
			col++;
		}
	}
	snprintf(out, len, "line %u column %u", line, col);
}

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
}

bool str_in(const char *s, const char *const *list)
{
	for (; *list; list++)
		if (strcmp(s, *list) == 0)
			return true;
	return false;
}

size_t str_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), prev[64], cur[64];

	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		prev[j] = j;
	for (size_t i = 1; i <= la; i++) {
		cur[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t sub = prev[j - 1] + (a[i - 1] != b[j - 1]);
			size_t del = prev[j] + 1, ins = cur[j - 1] + 1;

			cur[j] = sub < del ? (sub < ins ? sub : ins) : (del < ins ? del : ins);
		}
		memcpy(prev, cur, sizeof(cur));
	}
	return prev[lb];
}
