/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * What the dispatcher shares with the commands: exit codes, the per-run
 * context and the cmd_*() entry points. Modules never include this file.
 */
#ifndef TWSCOPE_TWSCOPE_H
#define TWSCOPE_TWSCOPE_H

#include <stdbool.h>
#include <stddef.h>

/* Exit codes of every command except doctor (which uses the Nagios codes). */
enum tw_exit {
	TW_EXIT_OK = 0,
	TW_EXIT_FAIL = 1,
	TW_EXIT_USAGE = 2,
};

/* Per-invocation state handed to each command. */
struct tw_ctx {
	const char *cmd;	/* the command name, for messages */
	bool utf8;		/* stdout is a UTF-8 terminal: Unicode bars */
	bool color;		/* colour allowed: stdout is a TTY and NO_COLOR unset */
	bool tty;		/* stdout is a terminal */
	int term_cols;		/* terminal width, or 0 when not a terminal */
};

/*
 * tw_usage() - print one usage-error line plus "try 'twscope <cmd> --help'"
 * to stderr and return TW_EXIT_USAGE.
 */
int tw_usage(const struct tw_ctx *ctx, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/*
 * cmd_enter_netns() - netns_enter() that tells the user what went wrong in
 * one line (missing namespace, missing CAP_SYS_ADMIN). 0 or -errno.
 */
int cmd_enter_netns(const char *spec);

/*
 * cmd_netns_error() - the one line every command prints for a netns error r
 * (from netns_enter() or netns_ino()) about spec. Returns r.
 */
int cmd_netns_error(const char *spec, int r);

/*
 * cmd_netns_error_text() - that line's text into buf: never "needs root" when
 * is_root (or CAP_SYS_ADMIN is effective) and the kernel refused anyway.
 */
const char *cmd_netns_error_text(const char *spec, int r, bool is_root, bool cap_sys_admin, char *buf,
				 size_t len);

/* cmd_warn_hidden_pids() - the -A warning for n processes whose namespace we cannot read. */
void cmd_warn_hidden_pids(unsigned int n);

/* cmd_collect_error() - a sentence for a collect_census() error, or NULL. */
const char *cmd_collect_error(int r);

struct option;
struct census_filter;

/*
 * The socket filter options stat and kill share: -4, -6, -s/--state,
 * -p/--port, -d/--dst and (kill only for now) --src, whose getopt code is
 * CMD_OPT_SRC. cf->f must start as { .port = -1, .dst_port = -1 }.
 */
#define CMD_OPT_SRC 0x1000
struct cmd_filter {
	struct census_filter *f;
	bool only4;
	bool only6;
	bool narrowed;		/* --state, --port, --dst or --src given */
};

/*
 * cmd_filter_option() - apply getopt_long()'s c with arg if it is a filter
 * option. Returns 1 when it was, 0 when c is not a filter option, or
 * -EINVAL with the usage message (no "twscope <cmd>: " prefix) in err.
 */
int cmd_filter_option(struct cmd_filter *cf, int c, const char *arg, char *err, size_t len);

/*
 * cmd_filter_finish() - after the option loop: set the families of cf->f
 * from -4/-6 and check they agree with --dst/--src. 0 or -EINVAL with the
 * message in err.
 */
int cmd_filter_finish(struct cmd_filter *cf, char *err, size_t len);

/*
 * tw_bad_option() - the usage error for what getopt_long() returned as c
 * (':' = missing value, anything else = unknown option), with the closest
 * long option of opts (the command's getopt_long() table) as a "did you
 * mean". Returns TW_EXIT_USAGE.
 */
int tw_bad_option(const struct tw_ctx *ctx, int c, char **argv, const struct option *opts);

int cmd_stat(struct tw_ctx *ctx, int argc, char **argv);
int cmd_doctor(struct tw_ctx *ctx, int argc, char **argv);
int cmd_lab(struct tw_ctx *ctx, int argc, char **argv);
int cmd_serve(struct tw_ctx *ctx, int argc, char **argv);
int cmd_trace(struct tw_ctx *ctx, int argc, char **argv);
int cmd_explain(struct tw_ctx *ctx, int argc, char **argv);
int cmd_kill(struct tw_ctx *ctx, int argc, char **argv);
int cmd_top(struct tw_ctx *ctx, int argc, char **argv);
int cmd_graph(struct tw_ctx *ctx, int argc, char **argv);
int cmd_report(struct tw_ctx *ctx, int argc, char **argv);
int cmd_record(struct tw_ctx *ctx, int argc, char **argv);
int cmd_history(struct tw_ctx *ctx, int argc, char **argv);

struct recorder_conf;

/* record_conf_defaults() - the recorder's default settings (record, serve --history). */
void record_conf_defaults(struct recorder_conf *conf);

/* record_open_error() - the one line for a recorder_open() error r on path; TW_EXIT_FAIL. */
int record_open_error(const char *path, int r);

#endif
