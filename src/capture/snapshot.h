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
	/* PID/io; re-read only when the process used CPU (or waited in D) since the last read */
	bool io_known;		    /* false when PID/io is unreadable (EACCES for PID 1) */
	uint64_t read_bytes;	    /* bytes it made the storage layer fetch, since it started */
	uint64_t write_bytes;	    /* bytes it sent towards storage (dirtied or direct) */
	uint64_t rchar, wchar;	    /* bytes through read/write-like syscalls (pipes, sockets too) */
	float read_bytes_per_s;	    /* read_bytes over the time since the previous io reading */
	float write_bytes_per_s;    /* write_bytes likewise; 0 on first sight */
	uint64_t vsize_kib;	/* virtual size (a change means the mappings changed) */
	/*
	 * From the BPF source only (vm_signals): whether the executable was unlinked, and
	 * a sequence that moves whenever the mappings may have changed. The security rules
	 * read PID/maps and PID/exe when these move instead of visiting every process.
	 */
	bool vm_signals;
	bool exe_deleted;
	uint32_t mm_seq;
	/* BPF source: run-queue wait of the live threads, ns (wait_known; may go down) */
	bool wait_known;
	uint64_t wait_ns;
};

/* One network interface of the daemon's namespace (/proc/net/dev). */
struct net_iface {
	char name[16];
	uint64_t rx_bytes, rx_packets, rx_errs, rx_drop; /* counters since the interface appeared */
	uint64_t tx_bytes, tx_packets, tx_errs, tx_drop;
	double rx_bytes_per_s, tx_bytes_per_s; /* since the previous snapshot; 0 when first seen */
};

/* One whole disk (/proc/diskstats; partitions and never-used devices are left out). */
struct disk_sample {
	char name[32];
	unsigned major, minor;
	uint64_t reads, writes;		 /* completed requests since boot */
	uint64_t read_bytes, write_bytes; /* since boot */
	uint32_t in_flight;		 /* requests in the device now */
	double read_bytes_per_s, write_bytes_per_s; /* since the previous snapshot */
	double read_iops, write_iops;		    /* completed requests per second */
	double util_pct; /* time the device was busy over the interval, percent */
};

/* What the network anomaly monitor saw since the previous snapshot. */
enum net_event_kind {
	NET_EVENT_THROUGHPUT_DROP, /* throughput / baseline fell below anomaly_throughput_ratio */
	NET_EVENT_LATENCY,	   /* latency / baseline rose above anomaly_latency_ratio */
};

struct net_event {
	enum net_event_kind kind;
	char subject[32]; /* the interface that lost most throughput; "" for latency */
	double value;	  /* bytes/s (rx + tx) of the watched interfaces, or latency in µs */
	double baseline;  /* its EWMA baseline before this reading */
	double threshold; /* the line it crossed: baseline x the configured ratio */
	double ratio;	  /* value / baseline */
	double threshold_ratio; /* the configured ratio */
	uint64_t mono_ns;	/* when the monitor read it */
};
#define SNAPSHOT_MAX_NET_EVENTS 2 /* one of each kind: a sample follows every event at once */

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
	/*
	 * Every process, in /proc order, while the snapshot is the newest. Once older,
	 * only those a dump can show (dump_keep_shown); snapshot_process_count still
	 * counts them all.
	 */
	struct proc_sample *procs;
	size_t nprocs, procs_cap;
	size_t nprocs_sampled; /* nprocs before the trim, when procs_trimmed */
	bool procs_trimmed;
	struct exited_proc *exited; /* processes that exited during the interval */
	size_t nexited, exited_cap;
	uint64_t exits_lost; /* exit records the kernel could not deliver (so far) */
	unsigned stalls;     /* PSI triggers that fired since the previous snapshot: 1 cpu, 2 memory, 4 io */
	bool exits_known;    /* the exit listener works: exited[] is complete */
	bool diagnostic;     /* taken in diagnostic mode (fast sampling after a trigger) */
	struct net_iface *net;	    /* every interface of the daemon's network namespace */
	size_t nnet, net_cap;	    /* (owned, kept across clears) */
	struct disk_sample *disks;  /* whole disks that did any I/O since boot */
	size_t ndisks, disks_cap;   /* (owned, kept across clears) */
	bool net_known, disks_known; /* /proc/net/dev and /proc/diskstats were read */
	struct net_event net_events[SNAPSHOT_MAX_NET_EVENTS];
	unsigned nnet_events;
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
/* Appends one zeroed interface / disk slot and returns it. */
struct net_iface *snapshot_add_net(struct snapshot *snap);
struct disk_sample *snapshot_add_disk(struct snapshot *snap);
/* How many processes the snapshot sampled (trimmed or not). */
size_t snapshot_process_count(const struct snapshot *snap);
/* Used swap in KiB. */
uint64_t snapshot_swap_used_kib(const struct snapshot *snap);
/* Memory in use, (total - available) / total, percent. */
double snapshot_mem_used_pct(const struct snapshot *snap);
/* Index of the process with this pid, or -1 (linear; for tests and single lookups). */
long snapshot_find_pid(const struct snapshot *snap, int pid);

#endif
