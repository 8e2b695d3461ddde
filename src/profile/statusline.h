/* statusline.h - a live status line on the terminal's last row, kept apart from other output. */
#ifndef SPIKETRACE_PROFILE_STATUSLINE_H
#define SPIKETRACE_PROFILE_STATUSLINE_H

/*
 * The profiled command writes to the same terminal at any time, and nothing
 * can clear a status line before its output arrives. So the line gets a row
 * of its own: the terminal's scrolling region is set to every row but the
 * last (DECSTBM, as apt's progress bar does), the command's output scrolls
 * above, and the line is redrawn in place on the last row (cursor saved and
 * restored around each draw, one write each). A command that uses the
 * terminal's single saved-cursor slot itself (ESC 7/ESC 8) or sets its own
 * scrolling region can disturb it.
 */
struct statusline;

/*
 * Takes the last row of the terminal at fd (not owned). NULL, and nothing
 * written, when fd is not a terminal, TERM is "dumb" or the size is unknown
 * or under 2 rows by 20 columns.
 */
struct statusline *statusline_new(int fd);

/* Replaces the line with text (cut to the width; no newline). NULL is a no-op. */
void statusline_draw(struct statusline *sl, const char *text);

/* After SIGWINCH: the region and the row follow the new size. NULL is a no-op. */
void statusline_resize(struct statusline *sl);

/* Clears the line and gives the row back (the whole screen scrolls again). NULL is a no-op. */
void statusline_free(struct statusline *sl);

#endif
