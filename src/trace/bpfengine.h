/* bpfengine.h - the eBPF engine: syscall tracepoints filtered by traced tgid, records from a ring
 * buffer, the same sink callbacks as the ptrace engine. */
#ifndef SPIKETRACE_TRACE_BPFENGINE_H
#define SPIKETRACE_TRACE_BPFENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#include "trace/engine.h"

struct bpf_engine;

/*
 * Loads and attaches the programs (src/bpf/systrace.bpf.c) for the syscalls of o->trace_set
 * (NULL: all), with the captures the sinks need: paths, strings, socket addresses and execve's
 * argv always; data buffers (first o->strsize bytes) with o->capture_data. Nothing is traced
 * until bpf_engine_run adds the command or the pids. Returns 0, or a negative errno with the
 * reason in err ("load: Operation not permitted") when eBPF cannot run here.
 */
int bpf_engine_new(struct bpf_engine **out, const struct engine_opts *o,
		   const struct trace_sink *sink, void *ctx, char *err, size_t errlen);
void bpf_engine_free(struct bpf_engine *b); /* NULL is a no-op; detaches */

/*
 * Starts the command (held until it is in the filter, so its execve is its first traced call)
 * or starts filtering on the pids, and delivers records to the sink until every traced process
 * is gone (or, attached, until the first interrupt). Records the kernel could not queue are
 * counted and reported on stderr. Returns 0 or a negative errno with *what set.
 */
int bpf_engine_run(struct bpf_engine *b, const char **what);
/* As engine_interrupt (async-signal-safe). */
void bpf_engine_interrupt(struct bpf_engine *b, bool from_terminal);
/* The command's status as waitpid gave it, in *status; false while it has not ended. */
bool bpf_engine_main_status(const struct bpf_engine *b, int *status);
pid_t bpf_engine_main_pid(const struct bpf_engine *b);
/*
 * The handover from the ptrace engine (o->handover): nothing is started; the ptrace engine adds
 * the tgids it traces, and hands each thread over by suspending its seccomp filter. Only
 * syscalls reach the sink (enter, exit, batch): ptrace still reports forks, execs, signals and
 * exits, and consumes the ring (bpf_engine_consume) before each, so the order holds.
 */
void bpf_engine_adopt(struct bpf_engine *b, pid_t tgid);   /* its syscalls are recorded */
void bpf_engine_release(struct bpf_engine *b, pid_t tgid); /* no longer */
/* ptrace_owns: the call tid is in was seen at entry by ptrace, which reports it (no record) */
void bpf_engine_own(struct bpf_engine *b, pid_t tid, bool ptrace_owns);
/* True once: tid asked for a seccomp filter and was sent SIGSTOP to be taken back by ptrace. */
bool bpf_engine_take_seccomp(struct bpf_engine *b, pid_t tid);
int bpf_engine_fd(const struct bpf_engine *b); /* readable when records wait */
void bpf_engine_consume(struct bpf_engine *b);	/* delivers what waits in the ring */

/* Records lost so far (ring buffer full). */
unsigned long long bpf_engine_lost(const struct bpf_engine *b);
/* Says on stderr how many were lost, if any: the report is incomplete. */
void bpf_engine_report_lost(const struct bpf_engine *b);

#endif
