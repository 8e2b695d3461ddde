/* tui.h - the ncurses spike-dump viewer behind `spiketrace view`. */
#ifndef SPIKETRACE_UI_TUI_H
#define SPIKETRACE_UI_TUI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/strbuf.h"

struct tui_options {
	const char *const *paths; /* directories and/or dump files to list; at least one */
	size_t npaths;
	bool ascii;		 /* ASCII dots and frames even in a UTF-8 locale */
	bool no_color;		 /* monochrome even when the terminal has colours */
	const char *timing_path; /* append "first_paint_ms N" / "redraw_ms N" lines here, or NULL */
	uint64_t start_ns; /* CLOCK_MONOTONIC at process start (first_paint_ms counts from it) */
};

struct tui;

/*
 * Lists the dumps of o->paths (directory names only, no dump is opened yet)
 * and watches the directories for new dumps. Nothing is drawn. The options'
 * strings must outlive the viewer. Returns NULL with one line in err ("cannot
 * read '/x': No such file or directory") when a path cannot be read.
 */
struct tui *tui_new(const struct tui_options *o, struct strbuf *err);

/*
 * Takes over the terminal (stdin/stdout must be one) and runs the viewer until
 * the user quits; restores the terminal before returning. Returns 0, or a
 * negative errno when the terminal could not be used (err says why).
 */
int tui_run(struct tui *t, struct strbuf *err);

/* Releases everything tui_new allocated; NULL is a no-op. */
void tui_free(struct tui *t);

#endif
