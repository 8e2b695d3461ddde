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
	__u32 pad;
	char comm[TASK_REC_COMM_LEN]; /* as /proc/PID/stat shows it (workqueue suffix included) */
};

#endif
