/* tui_explorer.c - the Explorer panel: the dumps, newest first, one row each. */
#include <string.h>

#include "ui/tui_internal.h"

/* Trigger types as the narrow layout shows them. */
static const struct {
	const char *type, *brief;
} short_types[] = {
	{ "cpu_delta", "cpu" },	    { "cpu_new_process", "new" }, { "mem_drop", "mem-" },
	{ "mem_pressure", "memp" }, { "swap_spike", "swap" },
};

static const char *brief_type(const char *type)
{
	for (size_t i = 0; i < sizeof(short_types) / sizeof(short_types[0]); i++)
		if (!strcmp(type, short_types[i].type))
			return short_types[i].brief;
	return type;
}

/* "2026-11-21 21:58:17": the date too when there is room. */
static const char *row_time(const struct dump_entry *e, bool wide)
{
	size_t n = strlen(e->when);

	if (!n)
		return "?";
	if (n >= 19)
		return wide ? e->when + 5 : e->when + 11;
	return e->when;
}

static void explorer_draw(struct tui *t, const struct tui_rect *r)
{
	int h = r->h - 1, w = r->w;
	bool wide = w >= 50, full_type = w >= 36;
	char extra[48];

	if (t->ix.n)
		snprintf(extra, sizeof(extra), "%zu/%zu", t->sel + 1, t->ix.n);
	else
		snprintf(extra, sizeof(extra), "empty");
	tui_panel_header(t, r, PANE_EXPLORER, extra);
	if (!t->ix.n) {
		tui_put(t, r->y + 2, r->x + 1, "No dumps yet.", w - 1);
		if (t->ifd >= 0)
			tui_put(t, r->y + 3, r->x + 1, "New dumps appear here.", w - 1);
		return;
	}
	tui_scroll_to(&t->top, t->sel, t->ix.n, h);
	for (int row = 0; row < h && t->top + (size_t)row < t->ix.n; row++) {
		size_t i = t->top + (size_t)row;
		const struct dump_entry *e = &t->ix.e[i];
		enum tui_style st = ST_NORMAL;
		const char *what;
		char line[320];
		int y = r->y + 1 + row;

		if (i == t->sel)
			st = t->focus == PANE_EXPLORER ? ST_SELECTED : ST_SELECTED_DIM;
		else if (e->state == DUMP_BAD)
			st = ST_BAD;
		if (e->state == DUMP_BAD) {
			/* the reason matters more than what the name claims */
			snprintf(line, sizeof(line), "!%s %s", row_time(e, wide),
				 e->reason ? e->reason : "unreadable");
		} else {
			what = e->state == DUMP_OK ? e->comm : "";
			snprintf(line, sizeof(line), " %s %-*s %6d %s", row_time(e, wide),
				 full_type ? 15 : 4, full_type ? e->type : brief_type(e->type),
				 e->pid, what);
		}
		attrset(tui_attr(t, st));
		tui_blank(y, r->x, w);
		tui_put(t, y, r->x, line, w);
		attrset(A_NORMAL);
	}
}

static bool explorer_key(struct tui *t, int ch)
{
	size_t cur = t->sel;

	if (!t->ix.n)
		return false;
	if (ch == '\n' || ch == '\r' || ch == KEY_ENTER) {
		tui_select(t, t->sel, true);
		t->focus = PANE_DETAILS;
		return true;
	}
	if (!tui_list_key(ch, &cur, t->ix.n, t->rect[PANE_EXPLORER].h - 1))
		return false;
	if (cur != t->sel)
		tui_select(t, cur, false);
	return true;
}

static void explorer_click(struct tui *t, const struct tui_rect *r, int row, int col)
{
	size_t i = t->top + (size_t)(row - 1);

	(void)r;
	(void)col;
	if (row >= 1 && i < t->ix.n)
		tui_select(t, i, true);
}

const struct tui_panel_ops tui_explorer_panel = {
	.title = "Explorer",
	.focusable = true,
	.draw = explorer_draw,
	.key = explorer_key,
	.click = explorer_click,
};
