/* track.h - what the traced programs did (files, sockets, memory, I/O, processes): live lines and
 * the FINAL summary. */
#ifndef SPIKETRACE_TRACE_TRACK_H
#define SPIKETRACE_TRACE_TRACK_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include "base/strbuf.h"
#include "trace/engine.h"

struct track;

/*
 * no_filter shows what is hidden by default: /proc, /sys and /dev paths, the
 * dynamic linker and shared libraries, and loopback connections.
 */
struct track *track_new(bool no_filter);
void track_free(struct track *t);

/*
 * Feeds one finished syscall (before the decoder's capture is released: the
 * paths and addresses it captured are used). Appends zero or more live lines
 * ("open /etc/hosts (read)", "connect tcp4 -> 93.184.216.34:443", "send 517 B",
 * "mmap 7f..-7f.. rw- 8.0 KiB anon") to out, each ending in '\n', without the
 * time stamp (prefix) — the caller adds it per line through prefix.
 */
void track_call(struct track *t, const struct trace_call *c, const char *prefix,
		struct strbuf *out);
/* via: the syscall's name ("fork", "clone3" ...) */
void track_spawn(struct track *t, pid_t parent_tid, pid_t parent_tgid, pid_t child, bool thread,
		 const char *via, const char *prefix, struct strbuf *out);
void track_exec(struct track *t, pid_t tgid, const char *prefix, struct strbuf *out);
void track_exit(struct track *t, pid_t tgid, int status);
/*
 * Sets in set (a syscall bitmap of len bytes) every syscall the tracker reads,
 * so that a seccomp filter can let all others run without a stop.
 */
void track_syscalls(uint8_t *set, size_t len);

/*
 * One minor page fault of process pid at addr (from perf sampling): counted
 * as heap (inside the program break), anon (an anonymous mapping seen by
 * mmap) or other (file mappings, stack, ...). lost: samples the kernel dropped.
 */
void track_fault(struct track *t, pid_t pid, uint64_t addr);
void track_faults_lost(struct track *t, uint64_t lost);

/* Seeds a process's fds from /proc (attach, or the command before its exec). */
void track_seed(struct track *t, pid_t tgid);

struct json_writer;
/*
 * The same as members of an open JSON object (for the NDJSON "summary" event):
 * memory, io, files (every one), connections, processes, page_faults, exit_status.
 */
void track_summary_json(const struct track *t, int exit_status, struct json_writer *w);

/* The FINAL block: memory, I/O, files, connections, processes, exit; title names the command. */
void track_summary(const struct track *t, const char *title, double seconds, int exit_status,
		   struct strbuf *out);

#endif
