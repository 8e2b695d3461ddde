/* tui_internal.h - what the viewer's files share: its state, the panel ops table, drawing helpers.
 */
#ifndef SPIKETRACE_UI_TUI_INTERNAL_H
#define SPIKETRACE_UI_TUI_INTERNAL_H

#include <curses.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "capture/dumpfile.h"
#include "ui/tui.h"

enum tui_sort {
	TUI_SORT_CPU, /* CPU % descending */
	TUI_SORT_RSS, /* RSS descending */
	TUI_SORT_PID, /* pid ascending */
};

/* The panels, in drawing order; Tab cycles through the focusable ones. */
enum tui_pane {
	PANE_EXPLORER,
	PANE_TRIGGER,
	PANE_DETAILS,
	PANE_COUNT,
};

/* How text is drawn; tui_attr maps a style to colour or monochrome attributes. */
enum tui_style {
	ST_NORMAL,
	ST_TITLE,  /* the top bar and the status line */
	ST_HEADER, /* a panel's title line */
	ST_HEADER_FOCUS,
	ST_COLUMNS,	 /* column names */
	ST_SELECTED,	 /* the selected row of the focused panel */
	ST_SELECTED_DIM, /* the selected row of the other panel */
	ST_BAD,		 /* unreadable dumps, errors */
	ST_MARK,	 /* the trigger snapshot, the culprit */
	ST_DOT,		 /* a filled HIST dot */
	ST_DIM,		 /* labels, empty dots */
	ST_COUNT,
};

struct tui_rect {
	int y, x, h, w; /* screen cells */
};

/* One line of the Details panel. */
struct tui_row {
	const struct dump_proc *p; /* points into tui.d; rebuilt whenever d changes */
	int depth;		   /* tree indent level (0 when flat) */
};

struct tui_watch {
	int wd;	      /* inotify watch descriptor, -1 for none */
	char *dir;    /* owned */
	bool missing; /* dir does not exist yet: wd watches its nearest existing ancestor */
};

struct tui {
	struct tui_options o;
	bool utf8;  /* the locale is UTF-8 (wide characters can be drawn) */
	bool ascii; /* ASCII dots and frames */
	bool color; /* colour pairs are set up */

	/* the dump list */
	struct dump_index ix;
	struct tui_watch *watches;
	size_t nwatches;
	int ifd;	 /* inotify fd, -1 without live refresh */
	size_t sel, top; /* Explorer selection and first visible row */

	/* the dump on the right */
	struct dump d;
	bool have_dump;	     /* d holds a loaded dump */
	char *shown;	     /* owned path of what the right side shows (loaded or failed) */
	char *load_error;    /* owned reason when the selected dump could not be read */
	bool pending;	     /* the selection moved: load it after a short pause */
	uint64_t pending_ns; /* CLOCK_MONOTONIC deadline of that pause */
	size_t snap;	     /* the snapshot shown */
	int **snap_pids;     /* per snapshot: sorted pids of procs and rss_procs */
	size_t *snap_npids;

	/* the Details list */
	struct tui_row *rows;
	size_t nrows, rows_cap, nprocs; /* nprocs: before the filter */
	size_t psel, ptop;
	enum tui_sort sort;
	bool sort_rev; /* the same sort key pressed again reverses */
	bool tree;
	char filter[128];

	/* the screen */
	enum tui_pane focus;
	bool help;
	bool prompt; /* typing a filter on the bottom line */
	struct tui_rect rect[PANE_COUNT];
	int lines, cols;
	bool too_small;
	bool cursor_on;	   /* the terminal cursor is shown (while typing a filter) */
	char message[160]; /* one-shot note on the status line */

	FILE *timing;	 /* SPIKETRACE_VIEW_TIMING, or NULL */
	bool rows_timed; /* rows_read_ms was reported */
};

/*
 * A panel (htop meter style): adding one is one file, one line in
 * tui_panels[] and its place in tui_layout(). draw paints inside r (its first
 * row is the title line); key returns true when it used the key (only called
 * for the focused panel); click gets a row/column inside r.
 */
struct tui_panel_ops {
	const char *title;
	bool focusable;
	void (*draw)(struct tui *t, const struct tui_rect *r);
	bool (*key)(struct tui *t, int ch);
	void (*click)(struct tui *t, const struct tui_rect *r, int row, int col);
};

extern const struct tui_panel_ops tui_explorer_panel;
extern const struct tui_panel_ops tui_trigger_panel;
extern const struct tui_panel_ops tui_details_panel;
/* indexed by enum tui_pane */
extern const struct tui_panel_ops *const tui_panels[PANE_COUNT];

/* tui.c: the dump list, the loaded dump, the main loop */

/* The first directory the viewer waits for (given, but not created yet), or NULL. */
const char *tui_missing_dir(const struct tui *t);
/* Selects Explorer row i (clamped); the dump is loaded now or after a short pause. */
void tui_select(struct tui *t, size_t i, bool load_now);
/* Moves a list cursor for j/k/arrows/PgUp/PgDn/Home/End; page is the visible height. */
bool tui_list_key(int ch, size_t *cur, size_t n, int page);

/* tui_rows.c: the Details list */

/* Indexes the pids of each snapshot of t->d (for HIST); after every load. */
void tui_rows_index(struct tui *t);
/* Frees that index; before t->d is released. */
void tui_rows_unindex(struct tui *t);
/* Rebuilds the Details rows after a change of snapshot, sort, filter or tree mode. */
void tui_rows_rebuild(struct tui *t);
/* Whether pid is in snapshot s's procs or rss_procs. */
bool tui_snap_has_pid(const struct tui *t, size_t s, int pid);

/* tui_draw.c: layout, text and the frame around the panels */

void tui_layout(struct tui *t);
void tui_draw(struct tui *t);
attr_t tui_attr(const struct tui *t, enum tui_style st);
/*
 * Draws s at (y, x) in at most width columns (never wraps, never reads past
 * what fits), replacing control characters and, outside UTF-8, non-ASCII
 * bytes by '?'. Returns the columns drawn.
 */
int tui_put(const struct tui *t, int y, int x, const char *s, int width);
int tui_putf(const struct tui *t, int y, int x, int width, const char *fmt, ...)
	__attribute__((format(printf, 5, 6)));
/* Draws a panel's title line: its name, then extra (may be NULL); marks the focused one. */
void tui_panel_header(const struct tui *t, const struct tui_rect *r, enum tui_pane p,
		      const char *extra);
/* Fills width cells from (y, x) with blanks in the current attributes. */
void tui_blank(int y, int x, int width);
/* Draws a HIST dot. */
void tui_dot(const struct tui *t, int y, int x, bool filled);
/* "812K", "1.5M", "2.1G" from KiB into buf. */
const char *tui_fmt_kib(char *buf, size_t len, uint64_t kib);
/* A trigger figure in its unit: "87.9 %" or "1.2 GiB". */
const char *tui_fmt_value(char *buf, size_t len, double v, const char *unit);
/* Scrolls a list so that cur is visible in h rows. */
void tui_scroll_to(size_t *top, size_t cur, size_t n, int h);

#endif
