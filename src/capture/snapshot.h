/* snapshot.h - one sample of the whole system: CPU, memory, load, PSI and every process. */
#ifndef SPIKETRACE_CAPTURE_SNAPSHOT_H
#define SPIKETRACE_CAPTURE_SNAPSHOT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/rcstr.h"
#include "capture/evidence.h"
#include "sys/procfs.h"

struct proc_sample {
	int pid, ppid, pgid;
	uint32_t uid; /* effective uid (owner of /proc/PID) */
	char state;   /* R, S, D, Z, T, I ... */
	bool is_new;  /* first seen in this snapshot and started after the daemon */
	char comm[16];
	uint32_t threads;
	float cpu_pct; /* % of ONE cpu over the last interval (lifetime average when first seen) */
	uint64_t rss_kib;
	uint64_t start_time_ns; /* when the process started, ns since the epoch */
	uint64_t start_ticks;	/* the same in USER_HZ ticks after boot (identity with the pid) */
	struct rcstr *cmdline;	/* shared reference; "" for kernel threads */
	uint64_t vsize_kib;	/* virtual size (a change means the mappings changed) */
};

/* A process that exited since the previous snapshot, from the kernel's exit accounting. */
struct exited_proc {
	int pid, ppid;
	uint32_t uid;
	char comm[16];
	struct rcstr *cmdline;	/* captured at its exec; its comm when the exec was not seen */
	bool seen;		/* it was in an earlier snapshot's procs (lived across a sample) */
	uint64_t start_time_ns; /* ns since the epoch (second precision) */
	double lifetime_s;
	double cpu_time_s; /* user + system, all its threads */
	float cpu_pct;	   /* cpu_time over lifetime, % of ONE cpu */
	uint64_t peak_rss_kib;
	uint64_t read_bytes, write_bytes;
	int exit_code; /* as wait() reports it */
};

/* CPU time split in percent of the time of the CPUs it covers (all CPUs, or one core). */
struct cpu_pct {
	float user, nice, system, iowait, irq, softirq, steal, idle;
	float busy; /* 100 - idle - iowait */
};

struct snapshot {
	uint64_t seq;	    /* 1 for the daemon's first sample */
	uint64_t real_ns;   /* CLOCK_REALTIME when taken */
	uint64_t mono_ns;   /* CLOCK_MONOTONIC when taken */
	uint64_t boot_ns;   /* CLOCK_BOOTTIME when taken (process start times are on this clock) */
	double elapsed_s;   /* since the previous snapshot, 0 for the first */
	struct cpu_pct cpu; /* all CPUs */
	struct cpu_pct *per_core; /* ncpu entries, owned */
	int ncpu, per_core_cap;
	struct meminfo mem;
	struct loadavg load;
	struct psi psi_cpu, psi_memory, psi_io;
	uint64_t forks_total;	   /* /proc/stat processes */
	uint64_t procs_skipped;	   /* processes that vanished while being read */
	struct proc_sample *procs; /* every process, in /proc order */
	size_t nprocs, procs_cap;
	struct exited_proc *exited; /* processes that exited during the interval */
	size_t nexited, exited_cap;
	uint64_t exits_lost; /* exit records the kernel could not deliver (so far) */
	unsigned stalls;     /* PSI triggers that fired since the previous snapshot: 1 cpu, 2 memory, 4 io */
	bool exits_known;    /* the exit listener works: exited[] is complete */
	struct sec_report **sec; /* security findings made since the previous snapshot (refs) */
	size_t nsec, sec_cap;
};

/* Empties snap for reuse: drops cmdline references, keeps the arrays. */
void snapshot_clear(struct snapshot *snap);
/* Frees everything snap owns. */
void snapshot_release(struct snapshot *snap);
/* Appends one zeroed exited-process slot and returns it. */
struct exited_proc *snapshot_add_exited(struct snapshot *snap);
/* Appends one zeroed process slot and returns it. */
struct proc_sample *snapshot_add_proc(struct snapshot *snap);
/* Used swap in KiB. */
uint64_t snapshot_swap_used_kib(const struct snapshot *snap);
/* Memory in use, (total - available) / total, percent. */
double snapshot_mem_used_pct(const struct snapshot *snap);
/* Index of the process with this pid, or -1 (linear; for tests and single lookups). */
long snapshot_find_pid(const struct snapshot *snap, int pid);

#endif
