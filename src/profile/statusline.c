/* statusline.c - the profile's live status line: a scrolling region keeps the last row for it. */
#include "profile/statusline.h"

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <unistd.h>

#include "base/xalloc.h"

#define SAVE_CURSOR    "\0337"
#define RESTORE_CURSOR "\0338"

struct statusline {
	int fd;
	unsigned rows, cols; /* the terminal's size, as last read */
};

/* One write() of the whole sequence: the terminal never shows half of it between others' output. */
static void put(const struct statusline *sl, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(sl->fd, buf, len);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return;
		buf += n;
		len -= (size_t)n;
	}
}

static bool read_size(int fd, unsigned *rows, unsigned *cols)
{
	struct winsize ws;

	if (ioctl(fd, TIOCGWINSZ, &ws) < 0 || ws.ws_row < 2 || ws.ws_col < 20)
		return false;
	*rows = ws.ws_row;
	*cols = ws.ws_col;
	return true;
}

/* The scrolling region: rows 1 to rows - 1 (setting it homes the cursor: saved around it). */
static void set_region(const struct statusline *sl)
{
	char buf[64];
	int n = snprintf(buf, sizeof(buf), SAVE_CURSOR "\033[1;%ur" RESTORE_CURSOR, sl->rows - 1);

	put(sl, buf, (size_t)n);
}

struct statusline *statusline_new(int fd)
{
	const char *term = getenv("TERM");
	struct statusline *sl;
	unsigned rows, cols;

	if (!isatty(fd) || (term && !strcmp(term, "dumb")) || !read_size(fd, &rows, &cols))
		return NULL;
	sl = xcalloc(1, sizeof(*sl));
	sl->fd = fd;
	sl->rows = rows;
	sl->cols = cols;
	/*
	 * A new line first: when the cursor is on the last row, the screen
	 * scrolls one up and the cursor, once back inside the region, is on
	 * the empty row it was on.
	 */
	put(sl, "\n", 1);
	set_region(sl);
	put(sl, "\033[1A", 4);
	return sl;
}

void statusline_draw(struct statusline *sl, const char *text)
{
	char buf[512];
	int width, n;

	if (!sl)
		return;
	/* never the last column: a wrap there would scroll the whole screen on some terminals */
	width = (int)(sl->cols - 1 < 400 ? sl->cols - 1 : 400);
	n = snprintf(buf, sizeof(buf), SAVE_CURSOR "\033[%u;1H\033[2K%.*s" RESTORE_CURSOR, sl->rows,
		     width, text);
	if (n > 0)
		put(sl, buf, (size_t)n < sizeof(buf) ? (size_t)n : sizeof(buf) - 1);
}

void statusline_resize(struct statusline *sl)
{
	unsigned rows, cols;

	if (!sl || !read_size(sl->fd, &rows, &cols))
		return;
	sl->rows = rows;
	sl->cols = cols;
	set_region(sl);
}

void statusline_free(struct statusline *sl)
{
	char buf[64];
	int n;

	if (!sl)
		return;
	/* clear the row, then reset the region (which homes the cursor: saved around it) */
	n = snprintf(buf, sizeof(buf), SAVE_CURSOR "\033[%u;1H\033[2K\033[r" RESTORE_CURSOR,
		     sl->rows);
	put(sl, buf, (size_t)n);
	free(sl);
}
