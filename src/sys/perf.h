/* perf.h - perf_event_open groups: one sampling event per CPU for a task tree, read through mmap rings. */
#ifndef SPIKETRACE_SYS_PERF_H
#define SPIKETRACE_SYS_PERF_H

#include <linux/perf_event.h>
#include <stddef.h>
#include <sys/types.h>

struct perf_group;

/*
 * Opens attr (type, config, sample_period, sample_type; inherit is set here)
 * on pid and the tasks it creates later, one event per online CPU (the kernel
 * refuses an mmap of a cpu=-1 inherited event), each with a ring of
 * ring_pages data pages (a power of two). Returns 0 or a negative errno
 * (-ENOENT/-EOPNOTSUPP: no such event on this machine, -EACCES: not allowed).
 */
int perf_group_open(struct perf_group **out, pid_t pid, struct perf_event_attr *attr,
		    size_t ring_pages);
void perf_group_close(struct perf_group *g); /* NULL is a no-op */

/* Called for each record: its header and the bytes after it (h->size - sizeof(*h)). */
typedef void (*perf_record_cb)(void *ctx, const struct perf_event_header *h, const void *body);

/* Hands every record waiting in the rings to cb and frees their space. Returns the count. */
size_t perf_group_drain(struct perf_group *g, perf_record_cb cb, void *ctx);

#endif
