/* procfs.h - readers for /proc: system counters and per-process stat, all through a root dir fd. */
#ifndef SPIKETRACE_SYS_PROCFS_H
#define SPIKETRACE_SYS_PROCFS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* Jiffies of one CPU line of /proc/stat (USER_HZ ticks). */
struct cpu_times {
	uint64_t user, nice, system, idle, iowait, irq, softirq, steal;
};

struct sys_stat {
	struct cpu_times total; /* the "cpu" line */
	struct cpu_times *cpu;	/* per cpu, indexed by cpu number; ncpu entries (owned) */
	int ncpu;		/* highest cpuN seen + 1 (offline cpus read as zeros) */
	uint64_t ctxt;		/* context switches since boot */
	uint64_t processes;	/* forks since boot */
	int procs_running, procs_blocked;
	uint64_t btime; /* boot time, seconds since the epoch */
};

struct meminfo {
	uint64_t total_kib, free_kib, available_kib, buffers_kib, cached_kib;
	uint64_t active_kib, inactive_kib, dirty_kib, slab_kib, shmem_kib;
	uint64_t swap_total_kib, swap_free_kib;
};

struct loadavg {
	double load1, load5, load15;
	int running, total; /* the "R/T" field */
};

struct psi_line {
	double avg10, avg60, avg300; /* percent */
	uint64_t total_us;
};

struct psi {
	bool present;  /* the file exists and parsed */
	bool has_full; /* a "full" line was there (not for cpu on older kernels) */
	struct psi_line some, full;
};

/* Fields of /proc/PID/stat that spiketrace uses. */
struct proc_stat {
	int pid;
	char comm[64]; /* between the first '(' and the LAST ')'; may hold spaces and ')' */
	char state;
	int ppid, pgid, sid;
	uint64_t minflt, majflt;
	uint64_t utime, stime; /* USER_HZ ticks */
	long num_threads;
	uint64_t starttime; /* USER_HZ ticks after boot */
	uint64_t vsize_bytes;
	long rss_pages;
};

/* One interface line of /proc/net/dev (the counters spiketrace keeps). */
struct net_dev {
	char name[16]; /* IFNAMSIZ with the NUL */
	uint64_t rx_bytes, rx_packets, rx_errs, rx_drop;
	uint64_t tx_bytes, tx_packets, tx_errs, tx_drop;
};

struct net_dev_list {
	struct net_dev *dev; /* n entries in file order (owned, grown with XGROW) */
	size_t n, cap;
	size_t bad_lines; /* lines of the last parse skipped as malformed */
};

/* One line of /proc/diskstats (counters since boot; sectors are always 512 bytes). */
struct disk_stat {
	unsigned major, minor;
	char name[32]; /* DISK_NAME_LEN */
	uint64_t reads, reads_merged, read_sectors, read_ms;
	uint64_t writes, writes_merged, write_sectors, write_ms;
	uint64_t in_flight, io_ms, weighted_ms; /* io_ms: time the device was busy */
	bool partition; /* named as a partition of an earlier line (sda1, nvme0n1p2) */
};

struct disk_stat_list {
	struct disk_stat *disk; /* n entries in file order (owned, grown with XGROW) */
	size_t n, cap;
	size_t bad_lines; /* lines of the last parse skipped as malformed */
};

/* /proc/PID/io: characters through read/write syscalls and bytes that reached storage. */
struct proc_io {
	uint64_t rchar, wchar, syscr, syscw;
	uint64_t read_bytes, write_bytes, cancelled_write_bytes;
};

/*
 * A handle on one /proc tree: its root fd plus kept-open fds for the system
 * files. Not thread-safe: the readers share one scratch buffer in the handle.
 */
struct procfs;

/*
 * Opens the proc tree at root ("/proc" or a fixture directory). The handle keeps
 * the system files open and re-reads them with pread. Returns NULL with errno set
 * when root cannot be opened.
 */
struct procfs *procfs_open(const char *root);
void procfs_free(struct procfs *pf); /* NULL is a no-op */
int procfs_rootfd(const struct procfs *pf);

/*
 * Each returns 0 or a negative errno (-ENOENT when the file does not exist).
 * A struct sys_stat must start zeroed; st->cpu is then kept across calls and
 * reallocated only when ncpu grows, so do not copy one to keep the previous
 * sample (both would own cpu): swap the two structs instead. After an error
 * the fields are unspecified but st stays valid for another call or release.
 */
int procfs_read_stat(struct procfs *pf, struct sys_stat *st);
void procfs_sys_stat_release(struct sys_stat *st); /* frees cpu: cpu = NULL, ncpu = 0 */
int procfs_read_meminfo(struct procfs *pf, struct meminfo *m);
int procfs_read_loadavg(struct procfs *pf, struct loadavg *la);
/* res is "cpu", "memory" or "io"; absent PSI gives -ENOENT and psi->present = false. */
int procfs_read_psi(struct procfs *pf, const char *res, struct psi *psi);

/*
 * /proc/net/dev (of the network namespace the handle was opened in) and
 * /proc/diskstats, kept open like the other system files. The list is emptied
 * and refilled; its array is reused across calls. A malformed line is skipped
 * and counted in bad_lines; -EINVAL only when no line could be read at all.
 */
int procfs_read_net_dev(struct procfs *pf, struct net_dev_list *l);
int procfs_read_diskstats(struct procfs *pf, struct disk_stat_list *l);
void procfs_net_dev_release(struct net_dev_list *l);
void procfs_disk_stat_release(struct disk_stat_list *l);
/* PID/io, opened and read once. -EACCES for a shielded process (PID 1): no data, not an error. */
int procfs_read_pid_io(struct procfs *pf, int pid, struct proc_io *io);

/*
 * Pure parsers of file contents (buf need not be NUL-terminated, nothing past
 * len is read); 0 or -EINVAL. procfs_parse_stat() grows st->cpu as above.
 */
int procfs_parse_stat(const char *buf, size_t len, struct sys_stat *st);
int procfs_parse_meminfo(const char *buf, size_t len, struct meminfo *m);
int procfs_parse_loadavg(const char *buf, size_t len, struct loadavg *la);
int procfs_parse_psi(const char *buf, size_t len, struct psi *psi);
int procfs_parse_pid_stat(const char *buf, size_t len, struct proc_stat *ps);
int procfs_parse_net_dev(const char *buf, size_t len, struct net_dev_list *l);
int procfs_parse_diskstats(const char *buf, size_t len, struct disk_stat_list *l);
/* rchar, wchar, read_bytes and write_bytes are required; the rest read as 0 when absent. */
int procfs_parse_pid_io(const char *buf, size_t len, struct proc_io *io);

/*
 * Lists the numeric entries of the root directory (the pids) into *pids,
 * growing it with xrealloc (*cap is its capacity). Returns the count or a
 * negative errno. Uses getdents64 on a rewound dup of the root fd.
 */
int procfs_list_pids(struct procfs *pf, int **pids, size_t *cap);

/* Opens "PID/name" under the root, O_RDONLY|O_CLOEXEC. Returns an fd or a negative errno. */
int procfs_open_pid_file(struct procfs *pf, int pid, const char *name);

/*
 * Reads a whole (proc) file from offset 0 with pread into *buf (grown with
 * xrealloc, *cap its capacity), NUL-terminates it. Returns the length or a
 * negative errno (-ESRCH when the process has gone).
 */
ssize_t procfs_pread_all(int fd, char **buf, size_t *cap);

/*
 * The same for seq_file-backed files (stat, meminfo, PID/stat, PSI files):
 * with short_is_eof a read that does not fill the buffer ends the file, which
 * saves a second pread (the kernel would format the whole file again for it).
 */
ssize_t procfs_pread(int fd, char **buf, size_t *cap, bool short_is_eof);

/*
 * Reads PID/cmdline of any length: NUL separators become spaces, trailing NULs
 * and spaces are dropped. An empty cmdline (kernel thread, zombie) gives "".
 * *out is malloc'd and owned by the caller. Returns 0 or a negative errno.
 */
int procfs_read_cmdline(struct procfs *pf, int pid, char **out, size_t *len);

/*
 * Reads the whole file at dirfd/path (any size, read() until EOF) into a
 * malloc'd NUL-terminated buffer; its length in *len (may be NULL). NULL on error.
 */
char *procfs_read_at(int dirfd, const char *path, size_t *len);

/* Reads PID/name whole into *out (malloc'd, NUL-terminated). Returns the length or a negative
 * errno. */
ssize_t procfs_read_pid_file(struct procfs *pf, int pid, const char *name, char **out);

/* Calls fn for each open fd of pid with what PID/fd/N links to ("/etc/passwd", "socket:[123]",
 * "pipe:[45]", "anon_inode:[eventfd]"), in directory order. Returns how many, or a negative errno.
 */
typedef void (*procfs_fd_fn)(void *arg, int fd, const char *target);
int procfs_list_fds(struct procfs *pf, int pid, procfs_fd_fn fn, void *arg);

/*
 * Time on CPU in ns of all of pid's live threads (the first field of each PID/task/TID/schedstat:
 * the scheduler's own clock, not 10 ms ticks). Threads that already ended are not counted.
 * 0 or a negative errno (-ESRCH: no thread left).
 */
int procfs_read_schedstat(struct procfs *pf, int pid, uint64_t *run_ns);
int procfs_parse_schedstat(const char *buf, size_t len, uint64_t *run_ns);

/* The real uid from PID/status "Uid:" line. Returns 0 or a negative errno. */
int procfs_read_uid(struct procfs *pf, int pid, uid_t *uid);

/*
 * The owner of an open PID/ file: the process's effective uid (root for a
 * non-dumpable process, e.g. a setuid program). One fstat instead of reading
 * PID/status. Returns 0 or a negative errno.
 */
int procfs_fd_owner(int fd, uid_t *uid);

#endif
