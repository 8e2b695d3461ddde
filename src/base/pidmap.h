/* pidmap.h - an open-addressing index from pid to a position in the caller's array, rebuilt per
 * sample. */
#ifndef SPIKETRACE_BASE_PIDMAP_H
#define SPIKETRACE_BASE_PIDMAP_H

#include <stddef.h>

/*
 * The index does not own the array: it knows where the pids are (the element
 * size and the offset of an `int pid` field), so any struct array can be
 * indexed. Rebuild it whenever elements move; the array itself may be
 * reallocated in between (lookups take its current address).
 */
struct pidmap {
	int *slots; /* -1 empty, else an index into the array */
	size_t nslots;
	size_t stride, pid_off;
};

/* Indexes n elements at base (stride bytes each, pid at pid_off). */
void pidmap_rebuild(struct pidmap *m, const void *base, size_t n, size_t stride, size_t pid_off);
/* Position of pid in the indexed array (now at base), or -1. */
long pidmap_find(const struct pidmap *m, const void *base, int pid);
void pidmap_release(struct pidmap *m);

#endif
