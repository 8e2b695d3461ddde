/* show.h - plain-text and normalised-JSON renderings of a spike dump (for `spiketrace show`). */
#ifndef SPIKETRACE_UI_SHOW_H
#define SPIKETRACE_UI_SHOW_H

#include <stddef.h>

#include "base/strbuf.h"
#include "capture/dumpfile.h"

/*
 * Appends a grep-friendly summary of d to out: a header line with the file,
 * the trigger line, other triggers, then per snapshot one line of system
 * figures and the top processes by CPU (at most top; 0 = all written).
 */
void show_text(const struct dump *d, size_t top, struct strbuf *out);

/* Appends d as one line of normalised JSON (schema in docs/show.md), top as above. */
void show_json(const struct dump *d, size_t top, struct strbuf *out);

/* "1.5 MiB"-style size of a KiB count into buf; returns buf. */
char *show_human_kib(unsigned long long kib, char *buf, size_t len);

/* User name of uid from the passwd database, cached; the number when unknown. */
const char *show_user_name(unsigned uid);

/*
 * The diagnosis of a dump as labelled lines for people ("diagnosis", "stacks", "files",
 * "sockets", "children", "cgroup"): `spiketrace show` prints them, the viewer's Trigger panel
 * draws them. Nothing is called when the dump has no diagnosis.
 */
typedef void (*show_line_fn)(void *arg, const char *label, const char *text);
void show_diag_lines(const struct dump *d, show_line_fn fn, void *arg);

#endif
