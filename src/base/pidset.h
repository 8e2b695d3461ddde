/* pidset.h - a small unordered set of pids (traced processes, processes taken back...). */
#ifndef SPIKETRACE_BASE_PIDSET_H
#define SPIKETRACE_BASE_PIDSET_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* Zero-initialised is empty; v[0..n) are the members, in no order (iterate them directly). */
struct pidset {
	pid_t *v;
	size_t n, cap;
};

bool pidset_has(const struct pidset *s, pid_t pid);
void pidset_add(struct pidset *s, pid_t pid); /* no-op when present */
void pidset_del(struct pidset *s, pid_t pid); /* no-op when absent; moves the last into its place */
void pidset_release(struct pidset *s);

#endif
