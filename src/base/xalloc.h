/* xalloc.h - allocation wrappers that abort on failure, so callers need no NULL checks. */
#ifndef SPIKETRACE_BASE_XALLOC_H
#define SPIKETRACE_BASE_XALLOC_H

#include <stddef.h>

void *xmalloc(size_t n);
void *xcalloc(size_t nmemb, size_t size);
void *xrealloc(void *p, size_t n);
/* Grows *p (of *cap elements of size each) so it holds at least need elements. */
void xgrow(void **p, size_t *cap, size_t need, size_t size);
char *xstrdup(const char *s);
char *xstrndup(const char *s, size_t n);
char *xasprintf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * For a long-running process that should stay small: blocks of 64 KiB and more
 * get their own mappings, returned to the kernel when freed (glibc would
 * otherwise raise that line after the first large free and keep large blocks
 * in the heap). Call before the first allocation that matters.
 */
void xalloc_stay_small(void);
/* Gives the kernel back the free pages inside the heap (malloc_trim). */
void xalloc_give_back(void);

#define XGROW(ptr, cap, need) xgrow((void **)&(ptr), &(cap), (need), sizeof(*(ptr)))

#endif
