/* dumpfile.h - reads spike dumps back into a model (for `view` and `show`), and indexes a directory. */
#ifndef SPIKETRACE_CAPTURE_DUMPFILE_H
#define SPIKETRACE_CAPTURE_DUMPFILE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/strbuf.h"

/* The newest dump schema this build reads; newer files are refused with a reason. */
#define DUMPFILE_MAX_SCHEMA 1
/* Dumps larger than this are refused (a 5,000-process, all-processes dump is ~30 MiB). */
#define DUMPFILE_MAX_BYTES (256u << 20)
/* What the Explorer reads of a dump to list it (the trigger precedes the snapshots). */
#define DUMPFILE_HEAD_BYTES (64u << 10)

struct dump_proc {
	int pid, ppid, pgid;
	uint32_t uid;
	char state; /* one letter, '?' when unknown */
	bool is_new;
	char comm[64];
	char *cmdline;    /* owned; "" when empty */
	char *start_time; /* owned ISO time; "" when absent */
	double cpu_pct;   /* % of one CPU */
	uint64_t rss_kib;
	uint32_t threads;
	bool io_known;			     /* the dump had an "io" object */
	double read_bytes_per_s, write_bytes_per_s; /* storage I/O over the interval */
};

/* One interface of a snapshot's "network" list. */
struct dump_net {
	char name[16];
	double rx_bytes_per_s, tx_bytes_per_s;
};

/* One disk of a snapshot's "disks" list. */
struct dump_disk {
	char name[32];
	double read_bytes_per_s, write_bytes_per_s, read_iops, write_iops, util_pct;
};

struct dump_snap {
	char *timestamp; /* owned ISO time */
	uint64_t seq;
	double offset_s;   /* relative to the trigger snapshot: <= 0, > 0 for fast samples after it */
	double interval_s; /* since the previous sample */
	bool is_trigger;
	char *mode; /* owned: "sentinel" when the dump does not say */
	double cpu_pct, user_pct, system_pct, iowait_pct, steal_pct;
	double *core_pct; /* owned, ncore entries (busy % per core) */
	int ncore;
	uint64_t mem_total_kib, mem_available_kib, mem_free_kib, swap_total_kib, swap_used_kib;
	double mem_used_pct;
	double load1, load5, load15;
	uint64_t process_count;
	struct dump_proc *procs; /* top by CPU, as written */
	size_t nprocs;
	struct dump_proc *rss_procs; /* top by RSS */
	size_t nrss_procs;
	struct dump_proc *io_procs; /* top by storage I/O (absent in older dumps) */
	size_t nio_procs;
	struct dump_net *net; /* owned; absent or null: none */
	size_t nnet;
	struct dump_disk *disks; /* owned */
	size_t ndisks;
};

/* One ancestor of a security finding's process. */
struct dump_sec_parent {
	int pid;
	char comm[64];
	char *exe; /* owned */
};

/* The `security` object of a miner / suspicious_spawn / memory_anomaly trigger. */
struct dump_security {
	char *rule, *signal, *severity, *reason; /* owned */
	char *mitre_id, *mitre_name;		 /* owned */
	double window_s;			 /* miner: the CPU window; 0 otherwise */
	int pid;
	bool exited;
	char *exe, *cmdline, *cgroup; /* owned */
	bool exe_deleted;
	uint32_t uid, euid;
	struct dump_sec_parent *parents; /* parent first */
	size_t nparents;
	char **signs, **sockets, **maps; /* owned strings */
	size_t nsigns, nsockets, nmaps;
};

struct dump_trigger {
	char *type; /* owned: cpu_delta, cpu_new_process, mem_drop, mem_pressure, swap_spike, ... */
	char *timestamp;
	int pid, ppid, pgid;
	uint32_t uid;
	char comm[64];
	char *cmdline;
	char *unit; /* "pct" or "kib" */
	double value, baseline, delta, threshold;
	char *scope;
	double cooldown_s;
	char *interface;	       /* owned: net_throughput_drop's interface, else "" */
	double ratio, threshold_ratio; /* net triggers: value / baseline and the configured line */
	struct dump_security *security; /* owned; NULL for resource triggers */
};

/* What diagnostic mode gathered, as lines for people (every string owned). */
struct dump_diag {
	bool complete;
	char *end_reason;
	int pid;
	char comm[64];
	double duration_s;
	size_t nfast;		 /* points of the culprit's CPU series */
	double cpu_avg, cpu_max; /* of that series, % of one CPU */
	char *cgroup;		 /* the most specific cgroup line, "" if none */
	uint64_t fds_total;
	char **files, **sockets, **children, **top; /* "3 /etc/hostname", "4 TCP ...", ... */
	size_t nfiles, nsockets, nchildren, ntop;
	char *stacks; /* "480 samples of cpu-clock at 99 Hz", or why there are none */
};

struct dump {
	char *path; /* owned */
	int schema_version;
	char *generator, *created_at, *hostname, *kernel; /* owned */
	int ncpu;
	struct dump_trigger trigger;
	struct dump_trigger *others; /* other triggers of the same sample */
	size_t nothers;
	/* the configuration in force, as recorded */
	double interval_s, cooldown_s;
	int context_snapshots, top_processes;
	char *scope;
	struct dump_snap *snaps; /* oldest first */
	size_t nsnaps;
	size_t trigger_index; /* index of the trigger snapshot in snaps */
	struct dump_diag *diag; /* owned; NULL when the dump has no diagnosis */
};

/*
 * Loads the dump at path into d (released by the caller with dump_release,
 * also on error). On error returns a negative errno (-EINVAL for content) and
 * appends the reason to err without the path: "not JSON: ... (line L, column C)",
 * "truncated: ...", "schema_version 2 is newer than this spiketrace reads (1)",
 * "missing or invalid 'snapshots[3].timestamp'", "cannot open: No such file...".
 */
int dump_load(const char *path, struct dump *d, struct strbuf *err);
/* The same from memory (len bytes, need not be NUL-terminated); path only names it. */
int dump_parse(const char *text, size_t len, const char *path, struct dump *d, struct strbuf *err);
/*
 * Reads only schema_version and the trigger (and what precedes them) from the
 * start of a dump, text[0..len), which may be cut anywhere after them. Returns
 * 0, -EINVAL with the reason in err, or -ENODATA when text does not hold them
 * all (read the whole file then). d is released by the caller in every case.
 */
int dump_parse_head(const char *text, size_t len, const char *path, struct dump *d,
		    struct strbuf *err);
void dump_release(struct dump *d);
/*
 * The security finding as text lines for the viewers ("rule: miner (high) ...",
 * "reason: ...", "evidence: exe ...", "parent: ...", "socket: ...", "map: ..."),
 * each ended by '\n', appended to out.
 */
void dump_security_text(const struct dump_security *s, struct strbuf *out);

/* What the explorer shows of a dump before (and after) its contents are read. */
enum dump_entry_state {
	DUMP_UNREAD = 0,
	DUMP_OK,
	DUMP_BAD, /* reason says why */
};

struct dump_entry {
	char *path; /* owned */
	char *name; /* owned basename */
	char when[32];  /* "2026-11-21 21:58:17" from the name ("" when the name has none) */
	char type[32];  /* trigger type from the name, then from the file */
	int pid;        /* from the name, then from the file */
	enum dump_entry_state state;
	char comm[64];    /* culprit, once read */
	double value;     /* trigger value, once read */
	char unit[16];    /* its unit, once read */
	char *reason;     /* owned, when DUMP_BAD */
	uint64_t size;    /* bytes */
};

struct dump_index {
	struct dump_entry *e; /* newest first */
	size_t n, cap;
};

/*
 * Lists dir's spike_*.json files (names only, no file is opened) newest first
 * into ix (emptied first). Returns the count or a negative errno.
 */
int dump_index_scan(struct dump_index *ix, const char *dir);
/* Adds one file given by path (whatever its name); keeps newest-first order by name. */
void dump_index_add(struct dump_index *ix, const char *path);
/*
 * Reads entry i's header fields (comm, type, pid, value) if still unread; sets
 * state/reason. Cheap: only the first DUMPFILE_HEAD_BYTES (schema_version and
 * the trigger) and the last bytes (a dump not ending in '}' is "truncated") are
 * read, unless the head lacks them; damage in between is found by dump_load.
 */
void dump_index_read(struct dump_index *ix, size_t i);
/* Fills e's header fields from a loaded dump and marks it DUMP_OK (spares a second read). */
void dump_entry_set(struct dump_entry *e, const struct dump *d);
void dump_index_release(struct dump_index *ix);

#endif
