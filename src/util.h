/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Small shared helpers: cleanup attributes, strict number parsing, reading
 * whole small files under an overridable /proc root. No printing here.
 */
#ifndef TWSCOPE_UTIL_H
#define TWSCOPE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))
#define NSEC_PER_SEC 1000000000ULL
#define NSEC_PER_MSEC 1000000ULL

static inline void freep(void *p)
{
	free(*(void **)p);
}

static inline void closep(int *fd)
{
	if (*fd >= 0)
		(void) close(*fd);
}

static inline void fclosep(FILE **f)
{
	if (*f)
		(void) fclose(*f);
}

#define _cleanup_(f) __attribute__((cleanup(f)))
#define _cleanup_free_ _cleanup_(freep)
#define _cleanup_close_ _cleanup_(closep)
#define _cleanup_fclose_ _cleanup_(fclosep)

#define TAKE_PTR(p)                                 \
	({                                          \
		typeof(p) _tp = (p);                \
		(p) = NULL;                         \
		_tp;                                \
	})
#define TAKE_FD(fd)                                 \
	({                                          \
		int _tf = (fd);                     \
		(fd) = -EBADF;                      \
		_tf;                                \
	})

/* TW_TESTABLE marks helpers that are static except in unit-test builds. */
#ifdef TW_UNIT_TEST
#define TW_TESTABLE
#else
#define TW_TESTABLE static
#endif

/*
 * safe_atou32() / safe_atou64() - parse a whole decimal string.
 * Return 0 and set *ret on success; -EINVAL for empty/garbage/sign,
 * -ERANGE when out of range. *ret is untouched on failure.
 */
int safe_atou32(const char *s, uint32_t *ret);
int safe_atou64(const char *s, uint64_t *ret);

/* safe_atod() - parse a whole non-negative decimal number ("1", "0.5"). */
int safe_atod(const char *s, double *ret);

/*
 * proc_root() - "/proc" or $TWSCOPE_PROC_ROOT (for fixture trees in tests).
 * Read through secure_getenv().
 */
const char *proc_root(void);

/*
 * read_small_file() - read a whole file of at most max_bytes into a new
 * NUL-terminated buffer. path is relative to proc_root() when it does not
 * start with '/'. Returns 0, or -errno (-EFBIG when larger than max_bytes).
 */
int read_small_file(const char *path, size_t max_bytes, char **ret_buf);

/*
 * read_fd_all() - read fd to its end into a new NUL-terminated buffer
 * (grown as needed). Returns 0, -EFBIG past max_bytes, or -errno.
 */
int read_fd_all(int fd, size_t max_bytes, char **ret_buf, size_t *ret_len);

/* text_line_column() - "line 3 column 7" of byte offset off in buf, into out. */
void text_line_column(const char *buf, size_t off, char *out, size_t len);

/* now_ns() - CLOCK_MONOTONIC in nanoseconds. */
uint64_t now_ns(void);

/* strv_contains()-style lookup: is s one of the NULL-terminated list? */
bool str_in(const char *s, const char *const *list);

/*
 * str_distance() - Levenshtein edit distance between a and b, for "did you
 * mean" suggestions; 99 when either is 63 characters or longer.
 */
size_t str_distance(const char *a, const char *b);

#endif
