/* tui_details.c - the Details panel: the processes of the shown snapshot, with their history. */
#include <stdio.h>
#include <string.h>

#include "ui/show.h"
#include "ui/tui_internal.h"

#define HIST_MAX       20 /* dots at most; longer dumps show a window around the snapshot */
#define MIN_COMMAND    16 /* columns the command keeps before HIST and USER shrink */
#define TREE_MAX_DEPTH 12 /* deeper children are indented no further */

/* Column widths for a panel width: sized to the rows, so nothing is wasted at 80 columns. */
struct columns {
	int pid, user, cpu; /* user 0 = hidden */
	int hist;	    /* dots */
	size_t hist_first;  /* snapshot of the first dot */
	int command;
};

#define RSS_WIDTH 5 /* "1023K", "10.3M", "1024M" */
#define USER_MAX  8

static struct columns columns_for(struct tui *t, int w)
{
	struct columns c = { .pid = 3, .user = 4, .cpu = 4 };
	size_t ns = t->d.nsnaps;
	int fixed;

	for (size_t i = 0; i < t->nrows; i++) {
		const struct dump_proc *p = t->rows[i].p;
		char buf[32];
		int n;

		n = snprintf(buf, sizeof(buf), "%d", p->pid);
		c.pid = n > c.pid ? n : c.pid;
		n = snprintf(buf, sizeof(buf), "%.1f", p->cpu_pct);
		c.cpu = n > c.cpu ? n : c.cpu;
		n = (int)strlen(show_user_name(p->uid));
		c.user = n > c.user ? (n < USER_MAX ? n : USER_MAX) : c.user;
	}
	c.hist = ns < HIST_MAX ? (int)ns : HIST_MAX;
	/* PID USER CPU% RSS S HIST, one blank after each */
	fixed = c.pid + 1 + c.user + 1 + c.cpu + 1 + RSS_WIDTH + 1 + 2 + c.hist + 1;
	if (w - fixed < MIN_COMMAND && c.hist > 5) {
		int cut = MIN_COMMAND - (w - fixed);

		cut = cut > c.hist - 5 ? c.hist - 5 : cut;
		c.hist -= cut;
		fixed -= cut;
	}
	if (w - fixed < MIN_COMMAND) {
		fixed -= c.user + 1;
		c.user = 0;
	}
	c.command = w - fixed;
	/* a window of dots that keeps the shown snapshot in view */
	if (ns > (size_t)c.hist && c.hist > 0) {
		size_t half = (size_t)c.hist / 2;

		c.hist_first = t->snap > half ? t->snap - half : 0;
		if (c.hist_first + (size_t)c.hist > ns)
			c.hist_first = ns - (size_t)c.hist;
	}
	return c;
}

static void draw_summary(const struct tui *t, int y, int x, int w)
{
	const struct dump_snap *s = &t->d.snaps[t->snap];
	const char *ts = s->timestamp ? s->timestamp : "";
	char total[16], avail[16];

	tui_fmt_kib(total, sizeof(total), s->mem_total_kib);
	tui_fmt_kib(avail, sizeof(avail), s->mem_available_kib);
	attrset(tui_attr(t, ST_DIM));
	tui_putf(t, y, x, w, "%s  cpu %.1f%%  mem %.1f%% (%s avail of %s)  load %.2f  %llu procs",
		 strlen(ts) > 11 ? ts + 11 : ts, s->cpu_pct, s->mem_used_pct, avail, total,
		 s->load1, (unsigned long long)s->process_count);
	attrset(A_NORMAL);
}

static void draw_row(struct tui *t, const struct tui_row *row, const struct columns *c, int y,
		     int x, int w, enum tui_style st)
{
	const struct dump_proc *p = row->p;
	char rss[16], cpu[16];
	int cx = x, depth;

	tui_fmt_kib(rss, sizeof(rss), p->rss_kib);
	snprintf(cpu, sizeof(cpu), "%.1f", p->cpu_pct);
	attrset(tui_attr(t, st));
	tui_blank(y, x, w);
	cx += tui_putf(t, y, cx, w, "%*d ", c->pid, p->pid);
	if (c->user)
		cx += tui_putf(t, y, cx, c->user + 1, "%-*.*s ", c->user, c->user,
			       show_user_name(p->uid));
	cx += tui_putf(t, y, cx, x + w - cx, "%*s %*s %c ", c->cpu, cpu, RSS_WIDTH, rss,
		       p->state > ' ' && p->state < 0x7f ? p->state : '?');
	for (int i = 0; i < c->hist && cx < x + w; i++) {
		size_t s = c->hist_first + (size_t)i;
		bool on = tui_snap_has_pid(t, s, p->pid);

		if (st == ST_NORMAL)
			attrset(tui_attr(t, on ? ST_DOT : ST_DIM) |
				(s == t->snap ? A_UNDERLINE : 0));
		tui_dot(t, y, cx++, on);
	}
	attrset(tui_attr(t, st));
	cx++;
	depth = row->depth < TREE_MAX_DEPTH ? row->depth : TREE_MAX_DEPTH;
	if (depth > 0 && cx + 2 * depth + 1 < x + w) {
		cx += 2 * (depth - 1);
		if (t->ascii)
			mvaddstr(y, cx, "`- ");
		else
			mvaddnwstr(y, cx, L"\u2514\u2500 ", 3);
		cx += 3;
	}
	if (p->cmdline && p->cmdline[0])
		tui_put(t, y, cx, p->cmdline, x + w - cx);
	else
		tui_putf(t, y, cx, x + w - cx, "[%s]", p->comm);
	attrset(A_NORMAL);
}

static void details_draw(struct tui *t, const struct tui_rect *r)
{
	static const char *const sort_names[] = { "cpu", "mem", "pid" };
	int x = r->x + 1, w = r->w - 1, y = r->y + 1, end = r->y + r->h, h;
	struct columns c;
	char extra[200];

	if (!t->have_dump) {
		const struct dump_entry *e = t->ix.n ? &t->ix.e[t->sel] : NULL;

		tui_panel_header(t, r, PANE_DETAILS, NULL);
		if (e && (e->state == DUMP_BAD || t->load_error))
			tui_put(t, y + 1, x, "Nothing to show: the dump cannot be read.", w);
		else if (e)
			tui_put(t, y + 1, x, "Select a dump in the Explorer (Enter opens it).", w);
		return;
	}
	snprintf(extra, sizeof(extra), "%zu of %zu processes  sort %s%s%s%s%s%s", t->nrows,
		 t->nprocs, sort_names[t->sort], t->sort_rev ? " (rev)" : "",
		 t->tree ? "  tree" : "", t->filter[0] ? "  filter \"" : "", t->filter,
		 t->filter[0] ? "\"" : "");
	tui_panel_header(t, r, PANE_DETAILS, extra);
	if (!t->d.nsnaps) {
		tui_put(t, y + 1, x, "This dump has no snapshots.", w);
		return;
	}
	if (y < end)
		draw_summary(t, y++, x, w);
	c = columns_for(t, w);
	if (y < end) {
		int cx = x;

		attrset(tui_attr(t, ST_COLUMNS));
		tui_blank(y, x, w);
		cx += tui_putf(t, y, cx, w, "%*s ", c.pid, "PID");
		if (c.user)
			cx += tui_putf(t, y, cx, x + w - cx, "%-*s ", c.user, "USER");
		cx += tui_putf(t, y, cx, x + w - cx, "%*s %*s S %-*s ", c.cpu, "CPU%", RSS_WIDTH,
			       "RSS", c.hist, "HIST");
		tui_put(t, y, cx, "COMMAND", x + w - cx);
		attrset(A_NORMAL);
		y++;
	}
	h = end - y;
	if (!t->nrows) {
		if (h > 0)
			tui_putf(t, y, x, w, t->filter[0] ? "no process matches \"%s\"" : "%s",
				 t->filter[0] ? t->filter : "no processes in this snapshot");
		return;
	}
	tui_scroll_to(&t->ptop, t->psel, t->nrows, h);
	for (int i = 0; i < h && t->ptop + (size_t)i < t->nrows; i++) {
		size_t k = t->ptop + (size_t)i;
		const struct tui_row *row = &t->rows[k];
		enum tui_style st = ST_NORMAL;

		if (k == t->psel)
			st = t->focus == PANE_DETAILS ? ST_SELECTED : ST_SELECTED_DIM;
		else if (row->p->pid == t->d.trigger.pid && t->d.trigger.pid > 0)
			st = ST_MARK;
		draw_row(t, row, &c, y + i, x, w, st);
	}
}

/* The rows the list has under its three header lines. */
static int list_height(const struct tui *t)
{
	return t->rect[PANE_DETAILS].h - 3;
}

static bool details_key(struct tui *t, int ch)
{
	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER)
		return true;
	return tui_list_key(ch, &t->psel, t->nrows, list_height(t));
}

static void details_click(struct tui *t, const struct tui_rect *r, int row, int col)
{
	size_t i = t->ptop + (size_t)(row - 3);

	(void)r;
	(void)col;
	if (row >= 3 && i < t->nrows)
		t->psel = i;
}

const struct tui_panel_ops tui_details_panel = {
	.title = "Details",
	.focusable = true,
	.draw = details_draw,
	.key = details_key,
	.click = details_click,
};
