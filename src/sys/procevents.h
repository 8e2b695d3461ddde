/* procevents.h - the kernel's own word on process lives: taskstats exit records and proc-connector execs. */
#ifndef SPIKETRACE_SYS_PROCEVENTS_H
#define SPIKETRACE_SYS_PROCEVENTS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * One process (thread group) that exited, as the kernel accounted it. The
 * kernel reports every task (thread) separately, with per-task numbers; the
 * group totals here are summed over the group's threads that exited while we
 * listened (taskstats v12+: ac_tgid and the AGROUP flag). On older
 * kernels each record is one task's numbers and a thread leaving a live group
 * cannot be told from a process.
 */
struct exit_record {
	pid_t pid, ppid; /* pid is the tgid; ppid the real parent's tgid */
	uint32_t uid;	 /* real uid */
	char comm[16];	 /* the leader's when its record was seen, else the last task's */
	uint64_t utime_us, stime_us; /* CPU time of the whole thread group, microseconds (ticks) */
	uint64_t cpu_ns; /* the same from the scheduler's clock (sum_exec_runtime), 0 if unknown */
	uint64_t start_time_s;	     /* the group's start, seconds since the epoch (1 s grain) */
	uint64_t elapsed_us;   /* wall time the group lived (ac_tgetime; ac_etime before v12) */
	uint64_t peak_rss_kib; /* hiwater_rss of the group's mm, KiB */
	uint64_t read_bytes, write_bytes; /* storage I/O, summed over threads */
	uint64_t rchar, wchar;		  /* read()/write() bytes, summed over threads */
	int exit_code; /* raw wait() status: code << 8, or the signal (| 0x80: core dumped) */
};

struct procevents;

/*
 * Opens the taskstats exit listener (generic netlink, every CPU) and the proc
 * connector (exec/fork events), both non-blocking. Needs CAP_NET_ADMIN
 * (root). Returns NULL with errno set when neither can be opened; when only
 * one can, the other's calls report nothing (procevents_have_*).
 */
struct procevents *procevents_open(void);
/*
 * Opens only the proc connector, for a second listener that wants execs as
 * they happen; on Linux 6.6+ the kernel is asked for exec events only (fewer
 * wake-ups), before that every event comes and fork/exit ones are skipped.
 * NULL with errno set when it cannot.
 */
struct procevents *procevents_open_execs(void);
void procevents_close(struct procevents *pe); /* NULL is a no-op */
bool procevents_have_exits(const struct procevents *pe);
bool procevents_have_execs(const struct procevents *pe);

/* The fds to poll for readability (-1 when that source is closed). */
int procevents_exit_fd(const struct procevents *pe);
int procevents_exec_fd(const struct procevents *pe);

/*
 * Reads every exit record waiting (non-blocking), calling cb once per thread
 * group, when its last task exits (threads leaving earlier are added to the
 * group's sums, not reported). r is valid during the call only. Returns the
 * count, or a negative errno. Records the kernel dropped (socket overrun) are
 * counted in procevents_lost. A thread whose record arrives after its group's
 * (it exited at the same moment on another CPU) is dropped; its CPU time still
 * counts where the kernel's group aggregate carries CPU times (6.18 does).
 */
int procevents_read_exits(struct procevents *pe, void (*cb)(void *ctx, const struct exit_record *r),
			  void *ctx);

/*
 * Reads every proc-connector event waiting: for each exec, cb_exec(ctx, pid);
 * for each fork of a new process (not a thread), cb_fork(ctx, parent, child).
 * Either callback may be NULL. Returns the count or a negative errno.
 */
int procevents_read_execs(struct procevents *pe, void (*cb_exec)(void *ctx, pid_t pid),
			  void (*cb_fork)(void *ctx, pid_t parent, pid_t child), void *ctx);

/* Records the kernel could not deliver (ENOBUFS on either socket) so far. */
uint64_t procevents_lost(const struct procevents *pe);

#endif
