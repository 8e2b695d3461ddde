/* tui_explorer.c - the Explorer panel: the dumps, newest first, one row each. */
#include <string.h>

#include "ui/tui_internal.h"

/* Trigger types as the narrow layout shows them, BRIEF_TYPE columns at most. */
#define BRIEF_TYPE 5
static const struct {
	const char *type, *brief;
} short_types[] = {
	{ "cpu_delta", "cpu" },		 { "cpu_new_process", "new" },
	{ "mem_drop", "mem-" },		 { "mem_pressure", "memp" },
	{ "swap_spike", "swap" },	 { "fork_storm", "fork" },
	{ "cpu_stall", "cpust" },	 { "memory_stall", "memst" },
	{ "io_stall", "iost" },		 { "net_throughput_drop", "net-" },
	{ "net_latency", "lat" },	 { "miner", "miner" },
	{ "suspicious_spawn", "spawn" }, { "memory_anomaly", "meman" },
};

/* The culprit keeps this many columns where others can give way (see columns_for). */
#define MIN_CULPRIT 8

static const char *brief_type(const char *type)
{
	for (size_t i = 0; i < sizeof(short_types) / sizeof(short_types[0]); i++)
		if (!strcmp(type, short_types[i].type))
			return short_types[i].brief;
	return type;
}

/* The row's columns for a panel width: what is shown and how wide. */
struct columns {
	int time;	/* 14 "11-21 21:58:17", 8 "21:58:17" or 5 "21:58" */
	int type;	/* the longest visible name, or BRIEF_TYPE */
	bool full_type; /* names as written, not short_types[] */
	int pid;	/* digits of the widest visible pid; 0 = hidden */
	int comm;	/* what is left for the culprit */
};

/*
 * Sized to the visible rows. Where the culprit would get fewer than
 * MIN_CULPRIT columns, the full type names, then the time's seconds, then the
 * pid (the Trigger panel shows it) give way, in that order.
 */
static struct columns columns_for(const struct tui *t, int w, int h)
{
	struct columns c = { .time = w >= 50 ? 14 : 8, .type = BRIEF_TYPE, .pid = 1 };
	int full = BRIEF_TYPE;

	for (size_t i = t->top; i < t->ix.n && i < t->top + (size_t)h; i++) {
		char buf[16];
		int n = snprintf(buf, sizeof(buf), "%d", t->ix.e[i].pid);

		c.pid = n > c.pid ? n : c.pid;
		n = (int)strlen(t->ix.e[i].type);
		full = n > full ? n : full;
	}
	/* " time type pid comm", one blank before each */
	c.comm = w - (1 + c.time + 1 + BRIEF_TYPE + 1 + c.pid + 1);
	if (c.comm - (full - BRIEF_TYPE) >= MIN_CULPRIT) {
		c.full_type = true;
		c.type = full;
		c.comm -= full - BRIEF_TYPE;
	}
	if (c.comm < MIN_CULPRIT && c.time == 8) {
		c.time = 5;
		c.comm += 3;
	}
	if (c.comm < MIN_CULPRIT) {
		c.comm += c.pid + 1;
		c.pid = 0;
	}
	return c;
}

/* "2026-11-21 21:58:17" in cols columns (see struct columns). */
static void row_time(const struct dump_entry *e, int cols, char *buf, size_t len)
{
	size_t n = strlen(e->when);

	if (n < 19)
		snprintf(buf, len, "%-*s", cols, n ? e->when : "?");
	else
		snprintf(buf, len, "%.*s", cols, e->when + 19 - (cols == 5 ? 8 : cols));
}

static void explorer_draw(struct tui *t, const struct tui_rect *r)
{
	int h = r->h - 1, w = r->w;
	struct columns c;
	char extra[48], when[sizeof(t->ix.e[0].when)];

	if (t->ix.n)
		snprintf(extra, sizeof(extra), "%zu/%zu", t->sel + 1, t->ix.n);
	else
		snprintf(extra, sizeof(extra), "empty");
	tui_panel_header(t, r, PANE_EXPLORER, extra);
	if (!t->ix.n) {
		tui_put(t, r->y + 2, r->x + 1, "No dumps yet.", w - 1);
		if (tui_missing_dir(t))
			tui_put(t, r->y + 3, r->x + 1, "The directory does not exist yet.", w - 1);
		if (t->ifd >= 0)
			tui_put(t, r->y + 4, r->x + 1, "New dumps appear here.", w - 1);
		return;
	}
	tui_scroll_to(&t->top, t->sel, t->ix.n, h);
	c = columns_for(t, w, h);
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
		row_time(e, c.time, when, sizeof(when));
		if (e->state == DUMP_BAD) {
			/* the reason matters more than what the name claims */
			snprintf(line, sizeof(line), "!%s %s", when,
				 e->reason ? e->reason : "unreadable");
		} else {
			int n;

			what = e->state == DUMP_OK ? e->comm : "";
			n = snprintf(line, sizeof(line), " %s %-*.*s ", when, c.type, c.type,
				     c.full_type ? e->type : brief_type(e->type));
			if (c.pid)
				n += snprintf(line + n, sizeof(line) - (size_t)n, "%*d ", c.pid,
					      e->pid);
			snprintf(line + n, sizeof(line) - (size_t)n, "%s", what);
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
