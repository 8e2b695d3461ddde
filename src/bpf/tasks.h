/* tasks.h - the kernel/user contract of the task iterator: one binary record per process. */
#ifndef SPIKETRACE_BPF_TASKS_H
#define SPIKETRACE_BPF_TASKS_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

#define TASK_REC_COMM_LEN 16

/*
 * One thread-group leader, as /proc/PID/stat would show it. Pids are global
 * (the loader refuses to run outside the initial pid namespace).
 */
struct task_rec {
	__u64 start_boottime_ns; /* task->start_boottime: ns of CLOCK_BOOTTIME */
	__u64 cpu_ns;		 /* user + system time of all threads, living and exited, ns */
	__u64 rss_pages;  /* file + anon + shmem pages (mm's counters, as /proc reads them) */
	__u64 vm_pages;	  /* mm->total_vm: the virtual size /proc/PID/stat shows, in pages */
	__u32 tgid, ppid; /* ppid: the real parent's tgid (0 for pid 1 and kthreadd) */
	__u32 pgid;	  /* process group */
	__u32 uid;	  /* who owns /proc/PID: euid, root for kthreads and non-dumpable */
	__u32 state;	  /* task->__state of the leader (TASK_* bits) */
	__u32 exit_state; /* task->exit_state (EXIT_ZOMBIE, EXIT_DEAD) */
	__u32 nr_threads; /* signal->nr_threads */
	__u32 flags;	  /* TASK_REC_* */
	char comm[TASK_REC_COMM_LEN]; /* as /proc/PID/stat shows it (workqueue suffix included) */
	/* PID/io of the whole group (signal's + every thread's), valid with TASK_REC_IO */
	__u64 rchar, wchar, syscr, syscw;
	__u64 read_bytes, write_bytes, cancelled_write_bytes;
	/*
	 * mm->mm_lock_seq, valid with TASK_REC_MM_SEQ: it moves whenever the mmap lock was
	 * taken for writing (mmap, munmap, mprotect, brk...), so an unchanged value means the
	 * mappings did not change and PID/maps need not be read again.
	 */
	__u32 mm_seq;
	__u32 pad;
	__u64 run_ns; /* the leader's own runtime (se.sum_exec_runtime): the walker's change test */
	/*
	 * A workqueue worker's description (kernel threads only; "" for others): /proc shows
	 * comm "+desc" while it works (TASK_REC_WQ_BUSY), "-desc" otherwise. The loader
	 * appends it to comm (cut to 15 bytes): no loop in the program for it.
	 */
	char wq_desc[TASK_REC_COMM_LEN];
	/*
	 * Time the live threads spent runnable on a run queue, waiting for a CPU
	 * (sched_info.run_delay, what PID/task/TID/schedstat's second field says), ns; valid
	 * with TASK_REC_WAIT. Exited threads' waits are gone: it can go down.
	 */
	__u64 wait_ns;
};

/*
 * What the walker knew of a process at its previous run, in walk order (the loader fills
 * it from that run's records). A single-threaded process whose run_ns did not move since
 * then did not run: the walker writes only tgid, run_ns and TASK_REC_SAME, and the reader
 * takes the rest from the previous record. force asks for a full record anyway (fields that
 * change while a process sleeps: its parent when reparented, RSS under reclaim, a deleted
 * executable; the loader forces each process in turn, and on request).
 */
struct task_prev {
	__u32 tgid;
	__u32 force;
	__u64 run_ns;
};

#define TASK_REC_IO	     0x1 /* the io counters are filled (CONFIG_TASK_XACCT) */
#define TASK_REC_MM_SEQ	     0x2 /* mm_seq is filled (per-VMA locks, 6.4+) */
#define TASK_REC_EXE_DELETED 0x4 /* the executable's file was unlinked (PID/exe's " (deleted)") */
#define TASK_REC_SAME	     0x8 /* the walker's short record: unchanged since its previous run */
#define TASK_REC_WQ_BUSY     0x10 /* a workqueue worker running a work item */
#define TASK_REC_WAIT	     0x20 /* wait_ns is filled (CONFIG_SCHED_INFO) */

#endif
