/* engine.h - the ptrace engine: runs or attaches to tracees, follows them, reports syscalls to a
 * sink. */
#ifndef SPIKETRACE_TRACE_ENGINE_H
#define SPIKETRACE_TRACE_ENGINE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* One syscall of one thread, from its entry to its exit. */
struct trace_call {
	pid_t tid, tgid;
	long nr;
	uint32_t arch;
	uint64_t args[6];
	int64_t ret;	 /* at exit: the return value, -errno on error */
	bool is_error;	 /* at exit */
	bool unfinished; /* the thread ended (exit, exec by another thread, kill) inside the call */
	uint64_t entry_ns, exit_ns; /* CLOCK_MONOTONIC */
	void *priv;		    /* the sink's, set at enter and released by it at exit */
	/* where the call's memory is read: NULL = the live memory of tid (ptrace); the eBPF
	 * engine hands a reader of what the kernel captured (valid during the callback) */
	const struct mem_reader *mem;
	/* the thread's working directory when the engine captured it for a relative path
	 * (NULL: read /proc/TID/cwd); valid during the callback */
	const char *cwd;
	/* the peer address (peer_len bytes) of the socket an accept without an address returned,
	 * when the engine captured it (NULL: look it up in /proc) */
	const void *peer;
	size_t peer_len;
};

struct mem_reader;

enum spawn_kind { SPAWN_FORK, SPAWN_VFORK, SPAWN_CLONE };

/* Which engine traces: ptrace stops, or eBPF tracepoints (src/trace/bpfengine.c). */
enum engine_kind {
	/*
	 * A command with a set chosen by -e (o->narrowed): ptrace stopping only on the set
	 * (seccomp), handed over to eBPF when the stops become frequent. Otherwise eBPF when it
	 * loads here, else ptrace (with a one-line note).
	 */
	ENGINE_AUTO = 0,
	ENGINE_PTRACE,
	ENGINE_BPF,
};

/* Where events go: every callback optional; ctx is passed back. */
struct trace_sink {
	/* at syscall entry: tracee memory still holds the arguments (e.g. execve's argv) */
	void (*enter)(void *ctx, struct trace_call *c);
	/* at syscall exit (or when it can never exit: unfinished) */
	void (*exit)(void *ctx, struct trace_call *c);
	/*
	 * The process events carry ns, when they happened (CLOCK_MONOTONIC): the eBPF engine's
	 * come from the kernel, up to a batch interval before they are delivered.
	 * via: the syscall that made the child (fork, vfork, clone, clone3), -1 if unknown
	 */
	void (*spawn)(void *ctx, uint64_t ns, pid_t parent, pid_t parent_tgid, pid_t child,
		      enum spawn_kind kind, bool thread, long via);
	/* tgid exec'd a new program; old_tid is the thread that called execve */
	void (*exec)(void *ctx, uint64_t ns, pid_t tgid, pid_t old_tid);
	void (*signal)(void *ctx, uint64_t ns, pid_t tid, int sig);
	/* a thread ended: status as from waitpid; leader is true for the thread group's last word
	 */
	void (*thread_exit)(void *ctx, uint64_t ns, pid_t tid, pid_t tgid, int status, bool leader);
	/* the command was started (stopped before its exec without a filter) or attached */
	void (*start)(void *ctx, pid_t pid);
	/* the eBPF engine delivered a batch of records: what happened up to about now is known */
	void (*batch)(void *ctx);
};

struct engine_opts {
	char *const *argv; /* command to run, or NULL with pids */
	const pid_t *pids; /* processes to attach to (all their threads) */
	size_t npids;
	const uint8_t *trace_set; /* bitmap of syscall numbers that stop; NULL = all */
	size_t trace_bits;
	bool same_cpu; /* pin tracer and tracees to one CPU (cheaper ptrace stops) */
	bool narrowed; /* trace_set was chosen by the user (-e): ENGINE_AUTO starts on ptrace */
	enum engine_kind kind;
	/* eBPF engine: what the kernel copies of the memory arguments point to */
	unsigned strsize;  /* bytes of data buffers (with capture_data) */
	bool capture_data; /* data buffers too, not only names (paths, addresses, argv) */
	/* eBPF engine: takes over tracees of the ptrace engine (bpf_engine_adopt), whose seccomp
	 * filters are suspended; it reports only their syscalls */
	bool handover;
};

struct engine;

/*
 * Makes the engine o->kind asks for. ENGINE_AUTO tries the eBPF engine first and falls back to
 * ptrace, printing a one-line note on stderr that says why. Returns NULL when o->kind is
 * ENGINE_BPF and the eBPF engine cannot run here, with the reason in err (errlen bytes).
 */
struct engine *engine_new(const struct engine_opts *o, const struct trace_sink *sink, void *ctx,
			  char *err, size_t errlen);
void engine_free(struct engine *e); /* NULL is a no-op */
/* "ptrace", "bpf", or "ptrace+bpf" once the ptrace engine handed its tracees to eBPF. */
const char *engine_name(const struct engine *e);

/*
 * Starts the command (or attaches) and traces until every tracee is gone (or,
 * when attached, until engine_interrupt asked to detach). Returns 0, or a
 * negative errno with *what naming the step that failed.
 */
int engine_run(struct engine *e, const char **what);

/*
 * Called on Ctrl-C (async-signal-safe: only sets a flag). First call: the
 * traced command gets SIGINT (when it did not get it from the terminal) and
 * tracing goes on; second call: the traced tree is killed. With attached
 * pids, the first call detaches cleanly and the processes run on.
 */
void engine_interrupt(struct engine *e, bool from_terminal);

/* The traced command's exit status as a shell reports it: code, or 128 + signal. */
int engine_exit_status(const struct engine *e);
/* The first process's pid (the command, or the first attached pid). */
pid_t engine_main_pid(const struct engine *e);

#endif
