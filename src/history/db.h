/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The history database: schema, open (read-write for the recorder,
 * read-only for queries), SQLite result codes as -errno, the meta table and
 * series ids. Internal to src/history/. Nothing here prints.
 */
#ifndef TWSCOPE_HISTORY_DB_H
#define TWSCOPE_HISTORY_DB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct sqlite3;
struct sqlite3_stmt;

#define HDB_SCHEMA 1
#define HDB_BUSY_TIMEOUT_MS 5000
#define HDB_MAX_SERIES 4096		/* distinct series names, destinations included */

struct hdb {
	struct sqlite3 *db;
	bool writable;
};

/*
 * hdb_open() - open (writable: create) the database at path. Writable opens
 * set WAL, synchronous=NORMAL and the schema; read-only ones check it is a
 * twscope history. Returns 0, -ENOENT (read-only and missing), -EBADMSG
 * (another kind of file or database), -EACCES, -ENOMEM or -EIO.
 */
int hdb_open(const char *path, bool writable, struct hdb **ret);

/* hdb_close() - close; accepts NULL; returns NULL. */
struct hdb *hdb_close(struct hdb *h);

/* hdb_errno() - an SQLite result code as -errno (SQLITE_FULL: -ENOSPC). */
int hdb_errno(int rc);

/* hdb_exec() - run SQL without results. 0 or -errno. */
int hdb_exec(struct hdb *h, const char *sql);

/* hdb_prepare() - a prepared statement into *ret. 0 or -errno. */
int hdb_prepare(struct hdb *h, const char *sql, struct sqlite3_stmt **ret);

/* hdb_meta_get_i64() / hdb_meta_set_i64() - meta(key): 0, -ENOENT when unset, or -errno. */
int hdb_meta_get_i64(struct hdb *h, const char *key, int64_t *ret);
int hdb_meta_set_i64(struct hdb *h, const char *key, int64_t value);

/* hdb_meta_get_text() - meta(key) into buf (cut to len). 0, -ENOENT or -errno. */
int hdb_meta_get_text(struct hdb *h, const char *key, char *buf, size_t len);
int hdb_meta_set_text(struct hdb *h, const char *key, const char *value);

/*
 * hdb_series_id() - the id of series name, created with unit and step (in
 * seconds; an existing series gets the new step) when new. -E2BIG when
 * HDB_MAX_SERIES exist already; else 0 or -errno.
 */
int hdb_series_id(struct hdb *h, const char *name, const char *unit, int64_t step, int64_t *ret);

#endif
