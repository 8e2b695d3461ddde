/* tracee.h - the tracer's kernel interface: seized children, seccomp filters, syscall info, tracee
 * memory. */
#ifndef SPIKETRACE_SYS_TRACEE_H
#define SPIKETRACE_SYS_TRACEE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/ptrace.h>
#include <sys/types.h>

/* Options every tracee gets: follow all children, exec events, die with the tracer. */
#define PTRACE_TRACER_OPTIONS                                                                      \
	(PTRACE_O_TRACESYSGOOD | PTRACE_O_TRACECLONE | PTRACE_O_TRACEFORK | PTRACE_O_TRACEVFORK |  \
	 PTRACE_O_TRACEEXEC)

/*
 * Forks and execs argv[0] (searched in PATH) under ptrace: the child is
 * seized (with opts) while it waits, then installs a seccomp filter that
 * stops only on the syscalls set in `trace` (a bitmap of nbits syscall
 * numbers; NULL = no filter, every syscall stops through PTRACE_SYSCALL), then
 * execs. Returns the pid, or a negative errno. When the command cannot be run
 * the child says so on stderr and exits 127, as a shell does.
 */
pid_t ptrace_spawn(char *const argv[], unsigned long opts, const uint8_t *trace, size_t nbits);

/*
 * Forks a child that waits, then execs argv[0] (searched in PATH as ptrace_spawn does): for
 * tracers that must set up before the command's first syscall. *release_fd is the end of a pipe
 * that spawn_release writes to (and closes) to let it go; closing it without writing makes the
 * child exit 127. Returns the pid or a negative errno (-ENOENT: no such program).
 */
pid_t spawn_held(char *const argv[], int *release_fd);
/* Lets a child of spawn_held run its command. Returns 0 or -errno. */
int spawn_release(int release_fd);

/* Seizes a running process (and each of its threads when all_threads). Returns 0 or -errno. */
int ptrace_seize_pid(pid_t pid, unsigned long opts);

struct syscall_stop {
	int op; /* PTRACE_SYSCALL_INFO_ENTRY, _EXIT or _SECCOMP */
	uint32_t arch;
	uint64_t ip, sp;
	long nr;	  /* entry / seccomp */
	uint64_t args[6]; /* entry / seccomp */
	int64_t rval;	  /* exit */
	bool is_error;	  /* exit */
};

/* PTRACE_GET_SYSCALL_INFO for a stopped tracee. Returns 0 or -errno. */
int ptrace_syscall_info(pid_t tid, struct syscall_stop *out);

/*
 * Copies up to len bytes at addr in tid's memory into buf with process_vm_readv
 * (falling back to PTRACE_PEEKDATA). Returns the bytes read or -errno.
 */
ssize_t ptrace_read_mem(pid_t tid, uint64_t addr, void *buf, size_t len);

/* Reads a NUL-terminated string of at most len-1 bytes; sets *truncated. Returns length or -errno.
 */
ssize_t ptrace_read_str(pid_t tid, uint64_t addr, char *buf, size_t len, bool *truncated);

#endif
