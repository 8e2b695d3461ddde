/* stacks.h - stack sampling of a task tree with perf_event_open (cpu-clock, callchains) into folded
 * stacks. */
#ifndef SPIKETRACE_SYS_STACKS_H
#define SPIKETRACE_SYS_STACKS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/strbuf.h"

struct stacks;
struct symbolizer;

struct stacks_opts {
	pid_t pid;	   /* the process (thread group) */
	unsigned freq_hz;  /* samples per second */
	const char *event; /* "cpu-clock" (NULL), "task-clock", "cycles", "instructions",
			      "cache-misses", "branch-misses" */
	bool running;	   /* pid runs already: sample each of its threads, not just the leader */
	bool children;	   /* keep the samples of its descendants too */
};

/*
 * Starts sampling o->pid and the tasks it creates later (threads, children)
 * at o->freq_hz with frame-pointer callchains, user and kernel frames. A
 * hardware event the machine lacks (no PMU) falls back to cpu-clock, and an
 * event refused for its kernel part (EACCES/EPERM: perf_event_paranoid 2 for
 * an ordinary user) to user space only; note (notelen bytes) says which, ""
 * otherwise. Returns 0 or a negative errno (-EACCES: not even user space is
 * allowed, paranoid 3 or another user's process; -EINVAL: unknown event name).
 */
int stacks_open(struct stacks **out, const struct stacks_opts *o, char *note, size_t notelen);
/*
 * Samples process pid too, unless it is already: every thread of it that no
 * sampled task created (inherit covers those, as the FORK records drained so
 * far tell). For processes that existed before stacks_open and joined the
 * profiled tree (-p PID --children: its descendants, which inherit nothing).
 * Drain first, or a child forked since the last drain is sampled twice.
 * Returns 1 when threads were opened (the caller then reads the process's
 * mappings: none came through the stream), 0 when it was sampled already, or
 * a negative errno (-ESRCH: it has gone).
 */
int stacks_follow(struct stacks *st, pid_t pid);

/* The event actually sampled ("cpu-clock" after a fallback). */
const char *stacks_event(const struct stacks *st);
void stacks_free(struct stacks *st); /* NULL is a no-op */

/*
 * Moves the samples waiting in the kernel's rings into the table, and applies
 * the COMM, MMAP2 and FORK records among them in time order (a child's
 * process name is its parent's until it execs). Call it often (every interval).
 */
void stacks_drain(struct stacks *st);

/* Mappings seen in the sample stream (PERF_RECORD_MMAP2), for the symboliser. */
typedef void (*stacks_mmap_fn)(void *ctx, pid_t pid, uint64_t start, uint64_t len, uint64_t pgoff,
			       const char *path);
void stacks_on_mmap(struct stacks *st, stacks_mmap_fn fn, void *ctx);

/* New processes seen in the sample stream (PERF_RECORD_FORK, not threads), in time order. */
typedef void (*stacks_fork_fn)(void *ctx, pid_t parent, pid_t child);
void stacks_on_fork(struct stacks *st, stacks_fork_fn fn, void *ctx);

/*
 * Feeds sym the mappings seen in the sample stream, and gives a forked child
 * a copy of its parent's (symbolizer_fork): a child that never execs reports
 * no mapping of its own. Exec needs nothing more: the new image's mappings
 * replace the old ones where they overlap, which is where its code runs.
 */
void stacks_track_mappings(struct stacks *st, struct symbolizer *sym);

/*
 * Names a frame: writes the function (or module+offset) for ip of pid into
 * buf. For every frame but the leaf, ip is the return address minus one (the
 * call instruction), as symbolisers want it.
 */
typedef void (*stacks_name_fn)(void *ctx, pid_t pid, uint64_t ip, bool kernel, char *buf,
			       size_t len);

/*
 * Where a frame's code is: *file (borrowed from ctx, valid as long as it is)
 * and *line, or *file NULL when that is not known (no DWARF line table).
 */
typedef void (*stacks_where_fn)(void *ctx, pid_t pid, uint64_t ip, bool kernel, const char **file,
				int *line);

/* A stacks_where_fn whose ctx is a struct symbolizer: file:line from DWARF. */
void stacks_symbol_where(void *sym, pid_t pid, uint64_t ip, bool kernel, const char **file,
			 int *line);

/* A stacks_name_fn whose ctx is a struct symbolizer: the function or module+offset, "[unknown]"
 * when nothing covers ip, kernel frames suffixed "_[k]" (perf's folded convention). */
void stacks_symbol_name(void *sym, pid_t pid, uint64_t ip, bool kernel, char *buf, size_t len);

/*
 * The same, but an address no symbol covers (a stripped binary's static
 * functions) is named after its module, "[hc.stripped]", as perf script +
 * stackcollapse-perf.pl name it: one frame per module, not one per address.
 */
void stacks_symbol_module_name(void *sym, pid_t pid, uint64_t ip, bool kernel, char *buf,
			       size_t len);

/*
 * Tells sym (a struct symbolizer) every kernel address stacks_symbol_name will
 * be asked for, so that kallsyms is read once for just those
 * (symbolizer_prefetch_kernel) instead of loaded whole. Call it after the last
 * sample is in, before naming.
 */
void stacks_prefetch_kernel(struct stacks *st, void *sym);

struct stacks_stats {
	uint64_t samples; /* samples with a callchain */
	uint64_t lost;	  /* samples the kernel dropped (ring full) */
	size_t unique;	  /* distinct callchains */
};
struct stacks_stats stacks_get_stats(const struct stacks *st);

/*
 * Appends the folded stacks ("root;caller;leaf COUNT\n", the format of
 * flamegraph.pl, speedscope and inferno), one line per distinct named stack,
 * most samples first. The process name (comm) is the root frame.
 */
void stacks_fold(struct stacks *st, stacks_name_fn name, void *ctx, struct strbuf *out);

/* One distinct named stack, root first ("comm;main;work"), with its samples. */
struct stacks_line {
	char *stack; /* owned by the array's caller (free each) */
	uint64_t count;
};
/* Every distinct named stack, most samples first. Returns the count; *out malloc'd. */
size_t stacks_lines(struct stacks *st, stacks_name_fn name, void *ctx, struct stacks_line **out);

/* One function's share: samples where it is the leaf (self) or anywhere on the stack (total). */
struct stacks_top {
	char *function; /* owned by the caller of stacks_top (free each) */
	uint64_t self, total;
	const char *file; /* stacks_top_where: its hottest source file (borrowed), NULL unknown */
	int line;	  /* and line there, 0 unknown */
};
/*
 * The functions by self samples (by_self) or total samples, at most n, like
 * perf report's flat view; by self, only those that were the leaf of some
 * sample. Returns the count; *out is malloc'd (caller frees).
 */
size_t stacks_top(struct stacks *st, stacks_name_fn name, void *ctx, bool by_self, size_t n,
		  struct stacks_top **out);

/*
 * Sets file and line of the n entries of top (from stacks_top with the same
 * name and ctx) to the source line with most of the function's samples: its
 * self samples (the hottest line of its own code) or, for a function that is
 * never the leaf, the call most of its samples pass through. Left NULL and 0
 * where where() knows no line for any of its frames.
 */
void stacks_top_where(struct stacks *st, stacks_name_fn name, stacks_where_fn where, void *ctx,
		      struct stacks_top *top, size_t n);

#endif
