/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * Messages to the user on stderr. Only cmd-*.c and twscope.c call these;
 * modules return -errno and never print.
 */
#ifndef TWSCOPE_LOG_H
#define TWSCOPE_LOG_H

#include <stdbool.h>

/* log_set_prog() - set the "twscope <cmd>" prefix used by every message. */
void log_set_prog(const char *cmd);

/* log_set_verbose() - enable tw_dbg() output. */
void log_set_verbose(bool on);
bool log_is_verbose(void);

/*
 * tw_err() - print "twscope <cmd>: <msg>[: strerror(-err)]" and return err.
 * Pass err = 0 to omit the strerror part. Returns err unchanged so callers
 * can `return tw_err(r, "...")`.
 */
int tw_err(int err, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* tw_warn() - print "twscope <cmd>: warning: <msg>". */
void tw_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* tw_dbg() - print a debug line when verbose. */
void tw_dbg(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

#endif
