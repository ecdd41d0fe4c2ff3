// SPDX-License-Identifier: GPL-2.0-or-later
/*
 * top view: draws the top model full-screen with ncurses (resize through
 * KEY_RESIZE, colour only when allowed, columns dropped by priority when
 * narrow) and turns keys into UI state. Never collects; the terminal is
 * always given back through top_view_close().
 */
#include "top/view.h"

#include <curses.h>
#include <errno.h>
#include <inttypes.h>
#include <locale.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "safetext.h"
#include "util.h"

enum { PAIR_GREEN = 1, PAIR_YELLOW, PAIR_RED };

static SCREEN *screen;
static bool use_color;
static bool use_utf8;

int top_view_open(bool color, bool utf8)
{
	char *cap;

	if (screen)
		return 0;
	/* ncursesw encodes by LC_CTYPE, which main() left at "C": UTF-8 only when the terminal is. */
	if (utf8)
		(void) setlocale(LC_CTYPE, "");
	screen = newterm(NULL, stdout, stdin);
	if (!screen) {
		(void) setlocale(LC_CTYPE, "C");
		return -ENOTTY;
	}
	set_term(screen);
	/* A terminal that cannot place the cursor (TERM=dumb) would get garbage. */
	cap = tigetstr("cup");
	if (!cap || cap == (char *)-1) {
		endwin();
		delscreen(screen);
		screen = NULL;
		(void) setlocale(LC_CTYPE, "C");
		return -ENOTTY;
	}
	use_utf8 = utf8;
	use_color = color && has_colors();
	if (use_color && start_color() == OK) {
		use_default_colors();
		init_pair(PAIR_GREEN, COLOR_GREEN, -1);
		init_pair(PAIR_YELLOW, COLOR_YELLOW, -1);
		init_pair(PAIR_RED, COLOR_RED, -1);
	} else {
		use_color = false;
	}
	cbreak();
	noecho();
	nonl();
	keypad(stdscr, TRUE);
	(void) curs_set(0);
	return 0;
}

void top_view_close(void)
{
	if (!screen)
		return;
	(void) curs_set(1);
	endwin();
	delscreen(screen);
	screen = NULL;
	(void) setlocale(LC_CTYPE, "C");
}

int top_view_key(int timeout_ms)
{
	int ch;

	timeout(timeout_ms);
	ch = getch();
	return ch == ERR ? -1 : ch;
}

void top_ui_key(struct top_ui *ui, int key)
{
	size_t n;

	if (key < 0)
		return;
	ui->dirty = true;
	if (key == KEY_RESIZE)
		return;
	if (ui->editing) {
		n = strlen(ui->edit);
		if (key == '\r' || key == '\n' || key == KEY_ENTER) {
			memcpy(ui->filter, ui->edit, sizeof(ui->filter));
			ui->editing = false;
		} else if (key == 27) {
			ui->editing = false;
		} else if ((key == KEY_BACKSPACE || key == 127 || key == 8) && n) {
			ui->edit[n - 1] = 0;
		} else if (key >= 0x20 && key < 0x7f && n + 1 < sizeof(ui->edit)) {
			ui->edit[n] = (char)key;
			ui->edit[n + 1] = 0;
		}
		return;
	}
	if (ui->help) {
		ui->help = false;
		if (key != 'q')
			return;
	}
	switch (key) {
	case 'q':
	case 'Q':
		ui->quit = true;
		break;
	case 'u':
		ui->sort = TOP_SORT_USE;
		break;
	case 'r':
		ui->sort = TOP_SORT_RATE;
		break;
	case 't':
		ui->sort = TOP_SORT_TW;
		break;
	case 'n':
		ui->sort = TOP_SORT_NAME;
		break;
	case '/':
		ui->editing = true;
		memcpy(ui->edit, ui->filter, sizeof(ui->edit));
		break;
	case ' ':
	case 'p':
		ui->paused = !ui->paused;
		break;
	case '?':
	case 'h':
		ui->help = true;
		break;
	default:
		break;
	}
}

/* Columns, dropped from the highest priority number first when the screen is narrow. */
enum col_id { C_KIND, C_NAME, C_SRC, C_HELD, C_USABLE, C_USE, C_TW, C_RATE, C_PROJ, C_EXH, C_TREND,
	      C_CULPRIT, C_MAX };

static const struct col {
	const char *title;
	int width;
	int prio;
	bool left;
} cols[C_MAX] = {
	[C_KIND] = { "KIND", 5, 8, true },
	[C_NAME] = { "NAME", 14, 0, true },
	[C_SRC] = { "SOURCE", 15, 10, true },
	[C_HELD] = { "HELD", 7, 2, false },
	[C_USABLE] = { "USABLE", 6, 9, false },
	[C_USE] = { "USE%", 6, 1, false },
	[C_TW] = { "TW", 7, 2, false },
	[C_RATE] = { "CLOSE/S", 7, 4, false },
	[C_PROJ] = { "PROJ%", 6, 5, false },
	[C_EXH] = { "EXHAUST", 7, 6, false },
	[C_TREND] = { "T", 1, 4, true },
	[C_CULPRIT] = { "CULPRIT", 16, 7, true },
};

/* Text cells: at most w characters (UTF-8 sequences count as one), padded. */
static void put_cell(int y, int x, int w, const char *s, bool left)
{
	int chars = 0;
	size_t bytes = 0;

	while (s[bytes] && chars < w) {
		bytes++;
		while ((s[bytes] & 0xc0) == 0x80)
			bytes++;
		chars++;
	}
	if (!left && chars < w)
		x += w - chars;
	mvaddnstr(y, x, s, (int)bytes);
}

static void put_line(int y, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static void put_line(int y, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	move(y, 0);
	clrtoeol();
	put_cell(y, 0, COLS, buf, true);
}

static void choose_cols(bool show[C_MAX], int *name_w)
{
	int used = cols[C_NAME].width;

	memset(show, 0, C_MAX * sizeof(show[0]));
	show[C_NAME] = true;
	/* Strictly by priority: a column shows only when every more important one does. */
	for (int prio = 1; prio <= 10; prio++)
		for (int c = 0; c < C_MAX; c++) {
			if (cols[c].prio != prio)
				continue;
			if (used + 1 + cols[c].width > COLS)
				goto out;
			show[c] = true;
			used += 1 + cols[c].width;
		}
out:
	*name_w = cols[C_NAME].width + (COLS - used);
	if (*name_w > 46)
		*name_w = 46;
}

static void draw_header(const struct top_model *m, const struct top_view_conf *v, const struct top_ui *ui)
{
	const struct top_rates *rt = &m->rates;
	char when[16] = "", age[32], every[32], census[160] = "";
	struct tm tm;

	if (localtime_r(&v->wall, &tm))
		strftime(when, sizeof(when), "%H:%M:%S", &tm);
	if (m->have_census)
		snprintf(census, sizeof(census), "census %.1fms %s old%s%s%s", (double)m->census_cost_ns / 1e6,
			 top_fmt_duration((double)top_model_census_age_ns(m) / 1e9, age, sizeof(age)),
			 top_model_census_stale(m) ? " (throttled: every " : "",
			 top_model_census_stale(m) ?
				 top_fmt_duration((double)top_model_census_every_ns(m) / 1e9, every, sizeof(every)) : "",
			 top_model_census_stale(m) ? ")" : "");
	else if (m->census_err)
		snprintf(census, sizeof(census), "census failed: %s", strerror(-m->census_err));
	attron(A_BOLD);
	put_line(0, "twscope top %s%s  every %.1fs  sort %s  %s%s", when, ui->paused ? "  [PAUSED]" : "",
		 (double)m->conf.interval_ns / 1e9, top_sort_name(ui->sort), census,
		 m->culprits_partial ? "  culprits partial (not root)" : "");
	attroff(A_BOLD);
	put_line(1, "TIME_WAIT %" PRIu64 " (client %" PRIu64 " server %" PRIu64 " unknown %" PRIu64
		    ")  ESTAB %" PRIu64 "  CLOSE_WAIT %" PRIu64,
		 m->time_wait, m->tw_side[TW_SIDE_CLIENT], m->tw_side[TW_SIDE_SERVER],
		 m->tw_side[TW_SIDE_UNKNOWN], m->established, m->close_wait);
	if (m->sockstat_err)
		put_line(2, "sockstat unreadable: %s", strerror(-m->sockstat_err));
	else
		put_line(2, "FW2 orphans %" PRIu64 "  sockstat tw %" PRIu64 " inuse %" PRIu64
			    " orphans %" PRIu64 " alloc %" PRIu64 "  usable ports %u%s", m->fw2_orphan,
			 m->sockstat.tcp_tw, m->sockstat.tcp_inuse, m->sockstat.tcp_orphan,
			 m->sockstat.tcp_alloc, m->usable, m->conf.all_netns ? " (per netns)" : "");
	if (rt->valid)
		put_line(3, "per second: TW %.1f  ActiveOpens %.1f  TWOverflow %.1f  PAWS %.1f", rt->tw,
			 rt->active_opens, rt->tw_overflow, rt->paws);
	else
		put_line(3, "per second: TW -  ActiveOpens -  TWOverflow -  PAWS -");
}

static int use_pair(double pct)
{
	return pct >= 80 ? PAIR_RED : pct >= 50 ? PAIR_YELLOW : PAIR_GREEN;
}

static void draw_row(int y, const struct top_row *r, const bool show[C_MAX], int name_w, unsigned int flags)
{
	char name[TOP_NAME_MAX * 4], src[TOP_NAME_MAX * 4], num[32], who[CULPRIT_COMM_LEN * 4 + 16];
	int x = 0;

	(void) safetext_term(name, sizeof(name), r->name, SIZE_MAX, flags);
	(void) safetext_term(src, sizeof(src), r->src, SIZE_MAX, flags);
	for (int c = 0; c < C_MAX; c++) {
		int w = c == C_NAME ? name_w : cols[c].width;
		const char *s = num;

		if (!show[c])
			continue;
		switch (c) {
		case C_KIND:
			s = top_kind_name(r->kind);
			break;
		case C_NAME:
			s = name;
			break;
		case C_SRC:
			s = *src ? src : "-";
			break;
		case C_HELD:
			snprintf(num, sizeof(num), "%" PRIu64, r->held);
			break;
		case C_USABLE:
			if (r->usable)
				snprintf(num, sizeof(num), "%u", r->usable);
			else
				snprintf(num, sizeof(num), "-");
			break;
		case C_USE:
			top_fmt_pct(r->use_pct, num, sizeof(num));
			break;
		case C_TW:
			snprintf(num, sizeof(num), "%" PRIu64, r->time_wait);
			break;
		case C_RATE:
			snprintf(num, sizeof(num), "%.1f", r->rate_per_sec);
			break;
		case C_PROJ:
			top_fmt_pct(r->proj_pct, num, sizeof(num));
			break;
		case C_EXH:
			top_fmt_duration(r->exhaust_sec, num, sizeof(num));
			break;
		case C_TREND:
			s = top_trend_arrow(r->trend, use_utf8);
			break;
		case C_CULPRIT:
			s = top_culprit_text(r, flags, who, sizeof(who));
			break;
		}
		if (c == C_USE && use_color && r->use_pct >= 0) {
			attron(COLOR_PAIR(use_pair(r->use_pct)));
			put_cell(y, x, w, s, cols[c].left);
			attroff(COLOR_PAIR(use_pair(r->use_pct)));
		} else {
			put_cell(y, x, w, s, cols[c].left);
		}
		x += w + 1;
	}
}

static void draw_help(void)
{
	static const char *const lines[] = {
		"twscope top: keys",
		"",
		"  u   sort by use % of usable ports",
		"  r   sort by close rate",
		"  t   sort by TIME_WAIT",
		"  n   sort by name",
		"  /   filter rows (Enter applies, Esc cancels)",
		"  p   pause / resume (also space)",
		"  ?   this help",
		"  q   quit",
		"",
		"any key closes this help",
	};
	int n = (int)ARRAY_SIZE(lines), w = 48;
	int y0 = (LINES - n) / 2, x0 = (COLS - w) / 2;

	if (y0 < 0)
		y0 = 0;
	if (x0 < 0)
		x0 = 0;
	for (int i = 0; i < n && y0 + i < LINES; i++) {
		move(y0 + i, x0);
		for (int k = 0; k < w && x0 + k < COLS; k++)
			addch(' ' | A_REVERSE);
		attron(A_REVERSE);
		put_cell(y0 + i, x0 + 1, w - 2 < COLS - x0 - 1 ? w - 2 : COLS - x0 - 1, lines[i], true);
		attroff(A_REVERSE);
	}
}

void top_view_draw(const struct top_model *m, struct top_view_conf *v, const struct top_ui *ui)
{
	unsigned int flags = out_text_flags(&v->style);
	_cleanup_free_ struct top_row *rows = NULL;
	bool show[C_MAX];
	int name_w, x = 0, first = 6, room;
	long n;

	erase();
	if (LINES < 8 || COLS < 30) {
		put_line(0, "twscope top: terminal too small (%dx%d)", COLS, LINES);
		refresh();
		return;
	}
	draw_header(m, v, ui);
	if (*ui->filter)
		put_line(4, "filter: %s", ui->filter);
	room = LINES - first - 1;
	v->sort = ui->sort;
	v->filter = ui->filter;
	v->max_rows = (size_t)room;
	n = top_visible_rows(m, v, &rows);
	choose_cols(show, &name_w);
	attron(A_REVERSE);
	move(first - 1, 0);
	for (int k = 0; k < COLS; k++)
		addch(' ');
	for (int c = 0; c < C_MAX; c++) {
		int w = c == C_NAME ? name_w : cols[c].width;

		if (!show[c])
			continue;
		put_cell(first - 1, x, w, cols[c].title, cols[c].left);
		x += w + 1;
	}
	attroff(A_REVERSE);
	for (long i = 0; i < n; i++)
		draw_row(first + (int)i, &rows[i], show, name_w, flags);
	if (n == 0)
		put_line(first, "%s", m->have_census ? "(no rows)" : "(taking the first census)");
	if (ui->editing)
		put_line(LINES - 1, "filter: %s_", ui->edit);
	else
		put_line(LINES - 1, "%ld of %zu rows  q quit  u/r/t/n sort  / filter  p pause  ? help",
			 n < 0 ? 0 : n,
			 m->n_rows);
	if (ui->help)
		draw_help();
	refresh();
}
