/* SPDX-License-Identifier: GPL-2.0-or-later */
/*
 * top view: the full-screen ncurses view of `twscope top` and its key
 * handling. The only code of top that writes to the terminal; it draws the
 * model, never collects. Callers need no curses header.
 */
#ifndef TWSCOPE_TOP_VIEW_H
#define TWSCOPE_TOP_VIEW_H

#include <stdbool.h>

#include "top/batch.h"
#include "top/model.h"

#define TOP_FILTER_MAX 64

/* What the keys changed; the loop reads it after every key. */
struct top_ui {
	enum top_sort sort;
	char filter[TOP_FILTER_MAX];	/* applied filter */
	char edit[TOP_FILTER_MAX];	/* being typed after '/' */
	bool editing;
	bool paused;
	bool help;
	bool quit;
	bool dirty;			/* redraw */
};

/* top_view_open() - take over the terminal (ncurses). 0, or -ENOTTY when it is no usable terminal. */
int top_view_open(bool color, bool utf8);

/* top_view_close() - give the terminal back as it was; safe to call twice or unopened. */
void top_view_close(void);

/* top_view_draw() - draw the model with the UI state. */
void top_view_draw(const struct top_model *m, struct top_view_conf *v, const struct top_ui *ui);

/* top_view_key() - the next key within timeout_ms, or -1 (none, or interrupted by a signal). */
int top_view_key(int timeout_ms);

/* top_ui_key() - apply one key to the UI state (sort, filter prompt, pause, help, quit, resize). */
void top_ui_key(struct top_ui *ui, int key);

#endif
