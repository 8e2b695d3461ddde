/* rcstr.h - immutable reference-counted strings, shared by snapshots (e.g. command lines). */
#ifndef SPIKETRACE_BASE_RCSTR_H
#define SPIKETRACE_BASE_RCSTR_H

#include <stddef.h>

struct rcstr {
	unsigned refs;
	size_t len;
	char s[]; /* NUL-terminated */
};

/* New string with one reference, copied from s (n bytes). */
struct rcstr *rcstr_new(const char *s, size_t n);
/* Takes one more reference; returns r. NULL stays NULL. */
struct rcstr *rcstr_ref(struct rcstr *r);
/* Drops one reference, freeing at zero. NULL is a no-op. Not thread-safe by design. */
void rcstr_unref(struct rcstr *r);

#endif
