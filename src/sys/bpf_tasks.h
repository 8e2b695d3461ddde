/* bpf_tasks.h - every process's counters in one pass of a BPF task iterator (no /proc reads). */
#ifndef SPIKETRACE_SYS_BPF_TASKS_H
#define SPIKETRACE_SYS_BPF_TASKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/strbuf.h"
#include "bpf/tasks.h"

struct bpf_tasks;

/*
 * Loads the task iterator (build/bpf/tasks.skel.h, CO-RE), attaches it and
 * runs it once to check that it sees this process under its own pid (it would
 * not from inside a child pid namespace: its pids are global). Returns 0 with
 * *out set, or a negative errno with a one-line reason appended to why (what
 * failed, then libbpf's last complaint when it had one). libbpf's own output is
 * shown only at log level debug.
 */
int bpf_tasks_new(struct bpf_tasks **out, struct strbuf *why);
/* The same with a choice (tests compare the two programs and make the walker's array grow). */
struct bpf_tasks_opts {
	bool iterator_only; /* never try the walker */
	size_t walker_cap;  /* records in the walker's first array; 0: the default */
};
int bpf_tasks_open(struct bpf_tasks **out, const struct bpf_tasks_opts *o, struct strbuf *why);
void bpf_tasks_free(struct bpf_tasks *bt); /* NULL is a no-op */

/* Whether the records come from the walker (6.7+) rather than the task iterator. */
bool bpf_tasks_walks(const struct bpf_tasks *bt);

/*
 * Runs the walker or the iterator once: one record per thread-group leader (in pid order
 * from the iterator, in process-list order from the walker).
 * *recs points into bt and stays valid until the next call or the free.
 * Returns the number of records or a negative errno.
 */
ssize_t bpf_tasks_read(struct bpf_tasks *bt, const struct task_rec **recs);

/*
 * The letter /proc/PID/stat shows for a task's __state and exit_state bits
 * (fs/proc/array.c task_state_array, via __task_state_index): R S D T t X Z P I.
 */
char bpf_tasks_state_letter(uint32_t state, uint32_t exit_state);

#endif
