// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * History database schema and access. Raw samples and buckets are keyed by
 * time first, so appends, range scans, downsampling and deletes of the
 * oldest rows all walk one end of a B-tree. WAL lets readers run while the
 * recorder writes. Nothing here prints.
 */
#include "history/db.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sqlite3.h>

static const char schema_sql[] =
	"CREATE TABLE IF NOT EXISTS meta(key TEXT PRIMARY KEY, value) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS series(id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE,"
	" unit TEXT NOT NULL, step INTEGER NOT NULL);"
	"CREATE TABLE IF NOT EXISTS raw(t INTEGER NOT NULL, series INTEGER NOT NULL,"
	" v REAL NOT NULL, PRIMARY KEY(t, series)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS agg(tier INTEGER NOT NULL, t INTEGER NOT NULL,"
	" series INTEGER NOT NULL, min REAL NOT NULL, avg REAL NOT NULL, max REAL NOT NULL,"
	" n INTEGER NOT NULL, PRIMARY KEY(tier, t, series)) WITHOUT ROWID;"
	"CREATE TABLE IF NOT EXISTS events(t INTEGER NOT NULL, severity TEXT NOT NULL,"
	" rule TEXT NOT NULL, text TEXT NOT NULL);"
	"CREATE INDEX IF NOT EXISTS events_t ON events(t);";

int hdb_errno(int rc)
{
	switch (rc & 0xff) {
	case SQLITE_OK:
	case SQLITE_DONE:
	case SQLITE_ROW:
		return 0;
	case SQLITE_FULL:
		return -ENOSPC;
	case SQLITE_NOMEM:
		return -ENOMEM;
	case SQLITE_BUSY:
	case SQLITE_LOCKED:
		return -EBUSY;
	case SQLITE_READONLY:
		return -EROFS;
	case SQLITE_PERM:
	case SQLITE_AUTH:
		return -EACCES;
	case SQLITE_NOTADB:
	case SQLITE_CORRUPT:
	case SQLITE_SCHEMA:
		return -EBADMSG;
	case SQLITE_CANTOPEN:
		return -ENOENT;
	default:
		return -EIO;
	}
}

int hdb_exec(struct hdb *h, const char *sql)
{
	return hdb_errno(sqlite3_exec(h->db, sql, NULL, NULL, NULL));
}

int hdb_prepare(struct hdb *h, const char *sql, sqlite3_stmt **ret)
{
	return hdb_errno(sqlite3_prepare_v2(h->db, sql, -1, ret, NULL));
}

/* One integer from a statement without parameters; -ENOENT when no row. */
static int query_i64(struct hdb *h, const char *sql, int64_t *ret)
{
	sqlite3_stmt *st;
	int r, rc;

	r = hdb_prepare(h, sql, &st);
	if (r < 0)
		return r;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*ret = sqlite3_column_int64(st, 0);
	r = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : hdb_errno(rc);
	sqlite3_finalize(st);
	return r;
}

static int is_ours(struct hdb *h)
{
	int64_t n, schema;
	int r;

	r = query_i64(h, "SELECT count(*) FROM sqlite_master WHERE name = 'meta'", &n);
	if (r < 0)
		return r;
	if (n == 0)
		return -EBADMSG;
	r = hdb_meta_get_i64(h, "schema", &schema);
	if (r == -ENOENT || (r == 0 && schema != HDB_SCHEMA))
		return -EBADMSG;
	return r;
}

/* A writable open: an empty file becomes a history, anything else must be one. */
static int setup(struct hdb *h)
{
	int64_t n;
	int r;

	r = query_i64(h, "SELECT count(*) FROM sqlite_master", &n);
	if (r < 0)
		return r;
	if (n > 0) {
		r = is_ours(h);
		if (r < 0)
			return r;
	} else {
		/* Only takes effect before the first table: lets deletes give space back. */
		r = hdb_exec(h, "PRAGMA auto_vacuum = INCREMENTAL");
		if (r < 0)
			return r;
	}
	/*
	 * WAL + NORMAL: a commit is in the WAL (the OS's page cache) when it
	 * returns, so a killed process loses nothing committed and never leaves
	 * a torn file; only a power cut can lose the last commits since a
	 * checkpoint, and the file stays consistent. FULL would fsync every
	 * second for that.
	 */
	r = hdb_exec(h, "PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;"
		     "PRAGMA journal_size_limit = 4194304;");
	if (r < 0)
		return r;
	r = hdb_exec(h, "BEGIN IMMEDIATE");
	if (r < 0)
		return r;
	r = hdb_exec(h, schema_sql);
	if (r == 0)
		r = hdb_exec(h, "INSERT OR IGNORE INTO meta VALUES ('schema', 1)");
	if (r == 0)
		return hdb_exec(h, "COMMIT");
	(void) hdb_exec(h, "ROLLBACK");
	return r;
}

int hdb_open(const char *path, bool writable, struct hdb **ret)
{
	int flags = writable ? SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE : SQLITE_OPEN_READONLY;
	struct hdb *h;
	int r;

	if (!writable && access(path, F_OK) < 0)
		return -errno;
	h = calloc(1, sizeof(*h));
	if (!h)
		return -ENOMEM;
	h->writable = writable;
	r = hdb_errno(sqlite3_open_v2(path, &h->db, flags | SQLITE_OPEN_NOMUTEX, NULL));
	if (r < 0)
		goto fail;
	sqlite3_busy_timeout(h->db, HDB_BUSY_TIMEOUT_MS);
	r = writable ? setup(h) : is_ours(h);
	if (r < 0)
		goto fail;
	*ret = h;
	return 0;
fail:
	hdb_close(h);
	return r;
}

struct hdb *hdb_close(struct hdb *h)
{
	if (!h)
		return NULL;
	sqlite3_close_v2(h->db);
	free(h);
	return NULL;
}

int hdb_meta_get_i64(struct hdb *h, const char *key, int64_t *ret)
{
	sqlite3_stmt *st;
	int r, rc;

	r = hdb_prepare(h, "SELECT value FROM meta WHERE key = ?", &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*ret = sqlite3_column_int64(st, 0);
	r = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : hdb_errno(rc);
	sqlite3_finalize(st);
	return r;
}

int hdb_meta_get_text(struct hdb *h, const char *key, char *buf, size_t len)
{
	sqlite3_stmt *st;
	int r, rc;

	r = hdb_prepare(h, "SELECT value FROM meta WHERE key = ?", &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		const unsigned char *s = sqlite3_column_text(st, 0);

		snprintf(buf, len, "%s", s ? (const char *)s : "");
	}
	r = rc == SQLITE_ROW ? 0 : rc == SQLITE_DONE ? -ENOENT : hdb_errno(rc);
	sqlite3_finalize(st);
	return r;
}

static int meta_set(struct hdb *h, const char *key, const char *text, int64_t value)
{
	sqlite3_stmt *st;
	int r;

	r = hdb_prepare(h, "INSERT OR REPLACE INTO meta VALUES (?, ?)", &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, key, -1, SQLITE_STATIC);
	if (text)
		sqlite3_bind_text(st, 2, text, -1, SQLITE_STATIC);
	else
		sqlite3_bind_int64(st, 2, value);
	r = hdb_errno(sqlite3_step(st));
	sqlite3_finalize(st);
	return r;
}

int hdb_meta_set_i64(struct hdb *h, const char *key, int64_t value)
{
	return meta_set(h, key, NULL, value);
}

int hdb_meta_set_text(struct hdb *h, const char *key, const char *value)
{
	return meta_set(h, key, value, 0);
}

int hdb_series_id(struct hdb *h, const char *name, const char *unit, int64_t step, int64_t *ret)
{
	sqlite3_stmt *st;
	int64_t n;
	int r, rc;

	r = hdb_prepare(h, "SELECT id, step FROM series WHERE name = ?", &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		bool same = sqlite3_column_int64(st, 1) == step;

		sqlite3_finalize(st);
		if (!same) {
			r = hdb_prepare(h, "UPDATE series SET step = ? WHERE id = ?", &st);
			if (r < 0)
				return r;
			sqlite3_bind_int64(st, 1, step);
			sqlite3_bind_int64(st, 2, id);
			r = hdb_errno(sqlite3_step(st));
			sqlite3_finalize(st);
			if (r < 0)
				return r;
		}
		*ret = id;
		return 0;
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return hdb_errno(rc);
	r = query_i64(h, "SELECT count(*) FROM series", &n);
	if (r < 0)
		return r;
	if (n >= HDB_MAX_SERIES)
		return -E2BIG;
	r = hdb_prepare(h, "INSERT INTO series(name, unit, step) VALUES (?, ?, ?)", &st);
	if (r < 0)
		return r;
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, unit, -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, step);
	r = hdb_errno(sqlite3_step(st));
	sqlite3_finalize(st);
	if (r < 0)
		return r;
	*ret = sqlite3_last_insert_rowid(h->db);
	return 0;
}
