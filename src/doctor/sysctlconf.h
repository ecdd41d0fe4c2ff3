/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * sysctlconf: find the lines of sysctl configuration files (sysctl.d(5)
 * locations) that set the TIME_WAIT-related knobs doctor judges, with file
 * and line number. Bounded in files and lines. Nothing here prints.
 */
#ifndef TWSCOPE_SYSCTLCONF_H
#define TWSCOPE_SYSCTLCONF_H

#include <stdbool.h>
#include <stddef.h>

#define SYSCONF_MAX_FILES 256		/* configuration files looked at */
#define SYSCONF_MAX_ENTRIES 512		/* matching lines kept */
#define SYSCONF_MAX_LINES 100000	/* lines read per file */
#define SYSCONF_MAX_FILE_BYTES (4u << 20)	/* a larger file is skipped (truncated) */

/* One configuration line that sets a watched key. */
struct sysconf_entry {
	char *file;		/* path as on the system (without the test root) */
	unsigned int line;	/* 1-based */
	char *key;		/* dotted form: net.ipv4.tcp_fin_timeout */
	char *value;		/* trimmed */
};

struct sysconf {
	struct sysconf_entry *v;
	size_t n;
	size_t files;		/* configuration files read */
	bool truncated;		/* a bound was hit */
};

/*
 * sysconf_scan() - scan /etc/sysctl.conf and the sysctl.d directories under
 * $TWSCOPE_SYSCONF_ROOT (default "/") into *ret (caller runs sysconf_done()).
 * Missing files and directories are not errors. Returns 0 or -ENOMEM.
 */
int sysconf_scan(struct sysconf *ret);

/* sysconf_scan_root() - the same under an explicit root directory. */
int sysconf_scan_root(const char *root, struct sysconf *ret);

/*
 * sysconf_parse_line() - one line of a sysctl.d file. When it sets a watched
 * key, writes the dotted key and the value and returns 1; 0 for comments,
 * blank lines and other keys; -EINVAL for a line without '='.
 */
int sysconf_parse_line(const char *line, char *key, size_t key_len, char *value, size_t value_len);

/*
 * sysconf_scan_text() - add the watched lines of one file's contents (len
 * bytes, need not be NUL-terminated) to c, recording them under file with
 * 1-based line numbers. This is what the scanner runs on every file it reads.
 * A line is read up to its first NUL byte; lines of 1024 bytes or more are
 * skipped; past SYSCONF_MAX_LINES lines or SYSCONF_MAX_ENTRIES entries the
 * rest is dropped and c->truncated set. Returns 0 or -ENOMEM.
 */
int sysconf_scan_text(struct sysconf *c, const char *file, const char *text, size_t len);

/* sysconf_is_watched() - is key (dotted) one doctor cares about? */
bool sysconf_is_watched(const char *key);

/* sysconf_add() - append an entry (copies the strings). 0, -ENOSPC when full, -ENOMEM. */
int sysconf_add(struct sysconf *c, const char *file, unsigned int line, const char *key,
		const char *value);

/* sysconf_done() - free the entries; the struct may be reused after. */
void sysconf_done(struct sysconf *c);

#endif
