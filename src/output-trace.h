/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Renderers for `twscope trace`: the table, the JSON document and the NDJSON
 * event lines, from a report the command has already built. No collection.
 */
#ifndef TWSCOPE_OUTPUT_TRACE_H
#define TWSCOPE_OUTPUT_TRACE_H

#include <limits.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct json_object;
struct twt_event;
struct twt_key;

/* How rows are grouped: per process, per program name, per cgroup. */
enum trace_by {
	TRACE_BY_COMM,		/* default: forked workers are one row */
	TRACE_BY_PID,
	TRACE_BY_CGROUP,
};

/* One aggregated row: a kernel key and what was counted for it. */
struct trace_row {
	const struct twt_key *key;	/* grouped: tgid is the lowest pid of the group */
	uint64_t total;
	uint64_t interval;	/* since the last refresh (live table) */
	uint32_t pids;		/* processes in the row */
};

/* Sockets sitting in CLOSE_WAIT, grouped like the rows (service port kept). */
struct trace_cw_row {
	uint32_t netns;
	uint16_t family;	/* AF_INET / AF_INET6 */
	uint16_t lport;
	uint16_t rport;
	uint8_t laddr[16];
	uint8_t raddr[16];
	uint64_t count;
	uint64_t oldest_age_ns;	/* how long the oldest one has been there */
	uint64_t ino;		/* inode of the oldest socket, 0 unknown */
	uint32_t owner_pid;	/* 0 unknown */
	char owner_comm[16];
};

struct trace_netns_name {
	uint64_t ino;
	char name[NAME_MAX + 1];
};

struct trace_report {
	const struct trace_row *rows;		/* in display order */
	size_t n_rows;
	const struct trace_cw_row *cw;
	size_t n_cw;
	const struct trace_netns_name *names;	/* /run/netns names by inode */
	size_t n_names;
	uint64_t host_netns;			/* shown as "host"; 0 unknown */
	enum trace_by by;
	uint32_t filter_pid;			/* 0 = none */
	const char *filter_comm;
	uint16_t filter_port;
	const char *filter_netns;
	bool have_reset;			/* abortive closes are traced */
	const char *sys_hook;			/* "fexit", "syscalls_tracepoints", ... */
	uint64_t duration_ns;
	uint64_t lost_events;
	uint64_t missed_events;			/* not seen: a program was already running */
	uint64_t streamed_events;
	uint64_t dropped_aggregates;
	uint64_t close_wait_untracked;
};

struct trace_table_opts {
	bool live;		/* title line and RATE/s column */
	bool clear;		/* redraw in place (terminal) */
	size_t max_rows;	/* 0 = all */
	bool no_header;
	bool wide;
	double interval_sec;	/* for RATE/s */
	bool utf8;		/* a UTF-8 terminal: printable non-ASCII comm kept (safetext.h) */
};

/*
 * trace_rows_group() - merge rows[0..n) in place into one row per comm (or
 * cgroup) and the rest of the key, counting the processes in each; keys[n]
 * receives the group keys the rows then point to, with the lowest pid of
 * each group as its tgid. Returns the number of rows left (unsorted).
 */
size_t trace_rows_group(struct trace_row *rows, size_t n, struct twt_key *keys, enum trace_by by);

/* trace_netns_name() - the /run/netns name (or "host") of a netns inode, or NULL. */
const char *trace_netns_name(const struct trace_report *r, uint64_t ino);

/* trace_print_table() - the table(s) of r to f. */
void trace_print_table(FILE *f, const struct trace_report *r, const struct trace_table_opts *o);

/*
 * trace_json() - the schema 1 document; with ndjson, tagged "type":"summary".
 * Returns NULL on OOM.
 */
struct json_object *trace_json(const struct trace_report *r, bool ndjson);

/*
 * trace_print_event() - one NDJSON line ("type":"event") for e to f;
 * netns_name may be NULL. Returns 0, -ENOMEM or -EIO.
 */
int trace_print_event(FILE *f, const struct twt_event *e, const char *netns_name);

#endif
