/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * The history model the graphs draw: series of [t, min, avg, max] points and
 * the findings recorded as events, parsed from the history JSON
 * (docs/graph.md) and validated, since that file is untrusted input. No I/O
 * beyond reading the file in graph_history_load_file(), no drawing.
 */
#ifndef TWSCOPE_GRAPH_SERIES_H
#define TWSCOPE_GRAPH_SERIES_H

#include <stddef.h>
#include <stdint.h>

struct json_object;

#define GRAPH_NAME_LEN 128
#define GRAPH_UNIT_LEN 32
#define GRAPH_HOST_LEN 256
#define GRAPH_EVENT_ID_LEN 64
#define GRAPH_EVENT_TEXT_LEN 512
#define GRAPH_MAX_SERIES 512
#define GRAPH_MAX_EVENTS 10000
#define GRAPH_MAX_POINTS 2000000	/* over all series */
#define GRAPH_MAX_FILE_BYTES (128u << 20)
#define GRAPH_MAX_VALUE 1e15		/* |value| above this is refused */
#define GRAPH_MAX_TIME 253402300799LL	/* 9999-12-31T23:59:59Z */

struct graph_point {
	int64_t t;	/* unix seconds */
	double min;
	double avg;
	double max;
};

struct graph_series {
	char name[GRAPH_NAME_LEN];
	char unit[GRAPH_UNIT_LEN];
	struct graph_point *p;
	size_t n;
};

enum graph_sev {
	GRAPH_SEV_INFO,
	GRAPH_SEV_WARNING,
	GRAPH_SEV_CRITICAL,
};

struct graph_event {
	int64_t t;
	enum graph_sev sev;
	char id[GRAPH_EVENT_ID_LEN];
	char text[GRAPH_EVENT_TEXT_LEN];
};

struct graph_history {
	int64_t since;
	int64_t until;
	int64_t step_sec;
	char host[GRAPH_HOST_LEN];
	char netns[GRAPH_HOST_LEN];
	struct graph_series *s;
	size_t n;
	struct graph_event *ev;
	size_t n_ev;
};

/*
 * graph_history_from_json() - validate the history document o into *ret:
 * version 1, times in range, every point [t, min, avg, max] finite, within
 * +-GRAPH_MAX_VALUE, min <= avg <= max, strictly increasing t; names and
 * texts valid UTF-8 without control characters. On error err holds one
 * lowercase sentence naming the first problem (series and index).
 * Returns 0, -EINVAL (bad document), -E2BIG (over a GRAPH_MAX_* limit) or
 * -ENOMEM; *ret is untouched on error.
 */
int graph_history_from_json(const struct json_object *o, struct graph_history *ret, char *err, size_t len);

/*
 * graph_history_parse() - graph_history_from_json() of the n bytes at buf
 * (JSON text). A JSON syntax error is -EINVAL with its position in err.
 * Text with more arrays, objects or values than GRAPH_MAX_POINTS points
 * can need is -E2BIG before it is parsed, which bounds the parser's memory.
 */
int graph_history_parse(const char *buf, size_t n, struct graph_history *ret, char *err, size_t len);

/*
 * graph_history_load_file() - graph_history_parse() of the file at path
 * ("-" = stdin), at most GRAPH_MAX_FILE_BYTES. -errno of open/read too.
 */
int graph_history_load_file(const char *path, struct graph_history *ret, char *err, size_t len);

/* graph_history_done() - free what *h holds; it may be zeroed or half built. */
void graph_history_done(struct graph_history *h);

/* graph_history_find() - the series named name, or NULL. */
const struct graph_series *graph_history_find(const struct graph_history *h, const char *name);

/* graph_sev_name() - "info", "warning", "critical". */
const char *graph_sev_name(enum graph_sev s);

#endif
