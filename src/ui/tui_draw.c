/* tui_draw.c - the viewer's layout, text drawing, and the frame: title, status line, help. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

#include "ui/tui_internal.h"

/* Below this the panels do not fit; a note asks for a larger window. */
#define MIN_LINES 10
#define MIN_COLS  40

void tui_layout(struct tui *t)
{
	int body_h, ew, th;

	getmaxyx(stdscr, t->lines, t->cols);
	t->too_small = t->lines < MIN_LINES || t->cols < MIN_COLS;
	body_h = t->lines - 2; /* the title bar above, the status line below */
	/*
	 * The Explorer gets a third on wide screens and 3/8, at most 30 columns, on
	 * narrow ones: at 80 columns that leaves the culprit 8 or more.
	 */
	ew = t->cols >= 90 ? t->cols / 3 : t->cols * 3 / 8 < 30 ? t->cols * 3 / 8 : 30;
	ew = ew < 22 ? 22 : ew > 56 ? 56 : ew;
	th = body_h / 2 < 9 ? body_h / 2 : 9;
	t->rect[PANE_EXPLORER] = (struct tui_rect){ .y = 1, .x = 0, .h = body_h, .w = ew };
	t->rect[PANE_TRIGGER] =
		(struct tui_rect){ .y = 1, .x = ew + 1, .h = th, .w = t->cols - ew - 1 };
	t->rect[PANE_DETAILS] = (struct tui_rect){
		.y = 1 + th, .x = ew + 1, .h = body_h - th, .w = t->cols - ew - 1
	};
}

attr_t tui_attr(const struct tui *t, enum tui_style st)
{
	static const attr_t mono[ST_COUNT] = {
		[ST_NORMAL] = A_NORMAL,
		[ST_TITLE] = A_REVERSE,
		[ST_HEADER] = A_REVERSE,
		[ST_HEADER_FOCUS] = A_REVERSE | A_BOLD,
		[ST_COLUMNS] = A_BOLD | A_UNDERLINE,
		[ST_SELECTED] = A_REVERSE | A_BOLD,
		[ST_SELECTED_DIM] = A_REVERSE,
		[ST_BAD] = A_BOLD,
		[ST_MARK] = A_BOLD,
		[ST_DOT] = A_BOLD,
		[ST_DIM] = A_DIM,
	};
	/* colour on top of a few attributes that still read in monochrome captures */
	static const attr_t extra[ST_COUNT] = {
		[ST_HEADER_FOCUS] = A_BOLD, [ST_COLUMNS] = A_BOLD, [ST_SELECTED] = A_BOLD,
		[ST_BAD] = A_BOLD,	    [ST_MARK] = A_BOLD,
	};

	if (st == ST_NORMAL)
		return A_NORMAL;
	if (!t->color)
		return mono[st];
	return COLOR_PAIR(st) | extra[st];
}

int tui_put(const struct tui *t, int y, int x, const char *s, int width)
{
	const char *p = s;
	mbstate_t mbs;
	int col = 0;

	if (!s || width <= 0)
		return 0;
	move(y, x);
	memset(&mbs, 0, sizeof(mbs));
	/* one pass, bounded by the width: a command line of any length costs one line */
	while (*p && col < width) {
		unsigned char c = (unsigned char)*p;
		wchar_t wc;
		size_t len;
		int w;

		if (c < 0x80 || !t->utf8) {
			addch(c < 0x20 || c >= 0x7f ? '?' : c);
			col++;
			p++;
			continue;
		}
		len = mbrtowc(&wc, p, strnlen(p, MB_CUR_MAX), &mbs);
		if (len == (size_t)-1 || len == (size_t)-2 || len == 0) {
			memset(&mbs, 0, sizeof(mbs));
			addch('?');
			col++;
			p++;
			continue;
		}
		w = wcwidth(wc);
		if (w < 0) {
			addch('?');
			w = 1;
		} else if (col + w > width) {
			break;
		} else if (w > 0) {
			addnwstr(&wc, 1);
		}
		col += w;
		p += len;
	}
	return col;
}

int tui_putf(const struct tui *t, int y, int x, int width, const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	return tui_put(t, y, x, buf, width);
}

void tui_blank(int y, int x, int width)
{
	if (width > 0)
		mvhline(y, x, ' ', width);
}

void tui_dot(const struct tui *t, int y, int x, bool filled)
{
	if (t->ascii)
		mvaddch(y, x, filled ? '*' : '.');
	else
		mvaddnwstr(y, x, filled ? L"\u25cf" : L"\u25cb", 1);
}

const char *tui_fmt_kib(char *buf, size_t len, uint64_t kib)
{
	static const char units[] = "KMGTP";
	double v = (double)kib;
	int u = 0;

	while (v >= 1024 && u < 4) {
		v /= 1024;
		u++;
	}
	if (u == 0)
		snprintf(buf, len, "%lluK", (unsigned long long)kib);
	else if (v >= 100)
		snprintf(buf, len, "%.0f%c", v, units[u]);
	else
		snprintf(buf, len, "%.1f%c", v, units[u]);
	return buf;
}

const char *tui_fmt_value(char *buf, size_t len, double v, const char *unit)
{
	if (unit && !strcmp(unit, "pct"))
		snprintf(buf, len, "%.1f %%", v);
	else if (unit && !strcmp(unit, "kib") && (v >= 1048576 || v <= -1048576))
		snprintf(buf, len, "%.2f GiB", v / 1048576);
	else if (unit && !strcmp(unit, "kib"))
		snprintf(buf, len, "%.1f MiB", v / 1024);
	else if (unit && !strcmp(unit, "bytes_per_s") && (v >= 1048576 || v <= -1048576))
		snprintf(buf, len, "%.1f MiB/s", v / 1048576);
	else if (unit && !strcmp(unit, "bytes_per_s"))
		snprintf(buf, len, "%.1f KiB/s", v / 1024);
	else if (unit && !strcmp(unit, "none")) /* suspicious_spawn: nothing measured */
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.2f %s", v, unit ? unit : "");
	return buf;
}

void tui_scroll_to(size_t *top, size_t cur, size_t n, int h)
{
	size_t rows = h > 0 ? (size_t)h : 1;

	if (cur < *top)
		*top = cur;
	if (cur >= *top + rows)
		*top = cur - rows + 1;
	if (n <= rows)
		*top = 0;
	else if (*top + rows > n)
		*top = n - rows;
}

void tui_panel_header(const struct tui *t, const struct tui_rect *r, enum tui_pane p,
		      const char *extra)
{
	bool focus = t->focus == p && tui_panels[p]->focusable;
	int x;

	attrset(tui_attr(t, focus ? ST_HEADER_FOCUS : ST_HEADER));
	tui_blank(r->y, r->x, r->w);
	x = tui_putf(t, r->y, r->x, r->w, "%s%s", focus ? "> " : " ", tui_panels[p]->title);
	if (extra)
		tui_putf(t, r->y, r->x + x, r->w - x, "  %s", extra);
	attrset(A_NORMAL);
}

static void draw_title(struct tui *t)
{
	char paths[256] = "";
	size_t off = 0;
	int x;

	for (size_t i = 0; i < t->o.npaths && off < sizeof(paths); i++)
		off += (size_t)snprintf(paths + off, sizeof(paths) - off, "%s%s", i ? " " : "",
					t->o.paths[i]);
	attrset(tui_attr(t, ST_TITLE));
	tui_blank(0, 0, t->cols);
	x = tui_putf(t, 0, 0, t->cols, " spiketrace view  %s", paths);
	tui_putf(t, 0, x, t->cols - x, "  %zu dump%s%s", t->ix.n, t->ix.n == 1 ? "" : "s",
		 t->ifd >= 0 ? "  (live)" : "");
	attrset(A_NORMAL);
}

static void draw_status(struct tui *t)
{
	static const char *const sort_names[] = { "cpu", "mem", "pid" };
	const struct dump_snap *s = NULL;
	char right[256];
	int y = t->lines - 1, x, rw;

	attrset(tui_attr(t, ST_TITLE));
	tui_blank(y, 0, t->cols);
	if (t->prompt) {
		x = tui_putf(t, y, 0, t->cols, "/%s", t->filter);
		tui_put(t, y, x + 2, "(Enter: apply  Esc: clear)", t->cols - x - 2);
		move(y, x < t->cols ? x : t->cols - 1);
		attrset(A_NORMAL);
		return;
	}
	if (t->have_dump && t->snap < t->d.nsnaps)
		s = &t->d.snaps[t->snap];
	if (s) {
		x = tui_putf(t, y, 0, t->cols, " snapshot %zu/%zu  offset %+.1f s  mode %s",
			     t->snap + 1, t->d.nsnaps, s->offset_s, s->mode ? s->mode : "sentinel");
		if (t->snap == t->d.trigger_index) {
			attron(A_BOLD);
			x += tui_put(t, y, x, "  [TRIGGER]", t->cols - x);
			attroff(A_BOLD);
		}
	} else {
		x = tui_put(t, y, 0, t->ix.n ? " no dump loaded" : " no dumps", t->cols);
	}
	if (t->message[0]) {
		x += tui_putf(t, y, x, t->cols - x, "  %s", t->message);
	}
	snprintf(right, sizeof(right), "sort %s%s%s%s%s  ?:help q:quit ", sort_names[t->sort],
		 t->sort_rev ? " (rev)" : "", t->tree ? "  tree" : "", t->filter[0] ? "  /" : "",
		 t->filter);
	rw = (int)strlen(right); /* ASCII, except a filter: then a little off, never garbage */
	if (x + 2 + rw <= t->cols)
		tui_put(t, y, t->cols - rw, right, rw);
	attrset(A_NORMAL);
}

static const char *const help_lines[] = {
	"spiketrace view - keys",
	"",
	"Tab          switch focus: Explorer / Details",
	"j k Down Up  move;  PgUp PgDn Home End",
	"Enter        open the selected dump (moving previews it)",
	"] n   [ p    next / previous snapshot",
	"{ }          first / trigger snapshot",
	"c m P        sort by CPU, memory (RSS), PID; again reverses",
	"             (P, capital: p is the previous snapshot)",
	"t            process tree (children under parents)",
	"/            filter processes by command; Esc clears",
	"mouse        click a row to select it; wheel scrolls",
	"?            this help      q  quit",
	"",
	"HIST: one dot per snapshot, filled where the process is in",
	"that snapshot's top lists (by CPU or by RSS).",
	"A '!' in the Explorer marks a dump that cannot be read.",
};

static void draw_help(struct tui *t)
{
	int n = (int)(sizeof(help_lines) / sizeof(help_lines[0]));
	int w = 64 < t->cols - 2 ? 64 : t->cols - 2;
	int h = n + 2 < t->lines - 2 ? n + 2 : t->lines - 2;
	int y0 = (t->lines - h) / 2, x0 = (t->cols - w) / 2;

	attrset(tui_attr(t, ST_HEADER_FOCUS));
	for (int i = 0; i < h; i++)
		tui_blank(y0 + i, x0, w);
	for (int i = 0; i + 2 < h && i < n; i++)
		tui_put(t, y0 + 1 + i, x0 + 2, help_lines[i], w - 4);
	attrset(A_NORMAL);
}

void tui_draw(struct tui *t)
{
	int sep = t->rect[PANE_EXPLORER].w;

	erase();
	if (t->cursor_on != t->prompt) {
		curs_set(t->prompt ? 1 : 0);
		t->cursor_on = t->prompt;
	}
	if (t->too_small) {
		tui_putf(t, 0, 0, t->cols, "window too small (%dx%d): need %dx%d", t->cols,
			 t->lines, MIN_COLS, MIN_LINES);
		wnoutrefresh(stdscr);
		return;
	}
	draw_title(t);
	for (int p = 0; p < PANE_COUNT; p++)
		tui_panels[p]->draw(t, &t->rect[p]);
	/* a drawn character, not ACS: terminals and multiplexers disagree on line-drawing sets */
	attrset(tui_attr(t, ST_DIM));
	for (int y = 1; y < t->lines - 1; y++) {
		if (t->ascii)
			mvaddch(y, sep, '|');
		else
			mvaddnwstr(y, sep, L"\u2502", 1);
	}
	attrset(A_NORMAL);
	if (t->help)
		draw_help(t);
	draw_status(t);
	wnoutrefresh(stdscr);
}
