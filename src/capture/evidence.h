/* evidence.h - security findings and the evidence gathered for them from /proc (candidates only).
 */
#ifndef SPIKETRACE_CAPTURE_EVIDENCE_H
#define SPIKETRACE_CAPTURE_EVIDENCE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "sys/procfs.h"

enum sec_rule {
	SEC_MINER,
	SEC_SPAWN,
	SEC_MEMORY,
	SEC__COUNT,
};

/* What exactly a rule saw; each has its MITRE ATT&CK technique (sec_signal_*). */
enum sec_signal {
	SIG_MINER,		 /* miner: busy over the window + corroborating signs */
	SIG_SHELL_FROM_LISTENER, /* suspicious_spawn: shell/interpreter under a listening parent */
	SIG_EXEC_FROM_TMP,	 /* suspicious_spawn: exe in /tmp, /dev/shm, /var/tmp */
	SIG_EXEC_FROM_MEMFD,	 /* suspicious_spawn: exe is a memfd */
	SIG_EXE_DELETED,	 /* suspicious_spawn: the executable was deleted while it runs */
	SIG_COMM_MISMATCH,	 /* suspicious_spawn: comm is not the exe's (or argv[0]'s) name */
	SIG_RWX_ANON,		 /* memory_anomaly: new writable+executable anonymous mapping */
	SIG_RSS_GROWTH,		 /* memory_anomaly: RSS grew over the threshold in one interval */
	SIG_MEMFD_EXEC_MAP,	 /* memory_anomaly: a memfd mapped executable */
	SIG__COUNT,
};

/* One ancestor in the parent chain. */
struct sec_parent {
	int pid;
	char comm[16];
	char *exe; /* owned; "" when unreadable (PID 1 is shielded from some readers) */
};

/* What /proc said about the process when the finding was made. */
struct sec_evidence {
	char *exe; /* owned: PID/exe target without " (deleted)"; "" when unreadable */
	bool exe_deleted;
	char *cmdline;		    /* owned */
	uint32_t uid, euid;	    /* from PID/status */
	char *cgroup;		    /* owned: the most telling path (evidence_parse_cgroup) */
	char **cgroups;		    /* owned: every distinct path (allow_cgroup matches any) */
	size_t ncgroups;
	struct sec_parent *parents; /* parent first, up to PID 1 */
	size_t nparents;
	char **sockets; /* owned names: "TCP 127.0.0.1:40000 -> 127.0.0.1:3333", "... (LISTEN)" */
	size_t nsockets;
	char **maps; /* owned: the offending /proc/PID/maps lines */
	size_t nmaps;
};

/* A finding of one rule on one process, shared (refcounted) by the snapshot and its triggers. */
struct sec_report {
	unsigned refs;
	enum sec_rule rule;
	enum sec_signal signal;
	int pid, ppid;
	char comm[16];
	uint64_t start_ticks;	/* with pid: the process's identity */
	uint64_t start_time_ns; /* when it started, ns since the epoch (0: unknown) */
	bool exited;		/* gone by the time the report was handed over */
	double value;		/* miner: window CPU %; rss_growth: KiB; else 0 */
	const char *severity;	/* static: when not the signal's (sec_report_severity) */
	char *reason;		/* owned: one line */
	char **signs;		/* owned: corroborating signs (miner) or the facts that fired */
	size_t nsigns;
	struct sec_evidence ev;
};

/* "miner", "suspicious_spawn", "memory_anomaly". */
const char *sec_rule_name(enum sec_rule r);
/* "miner", "shell_from_listener", "exec_from_tmp", ... */
const char *sec_signal_name(enum sec_signal s);
/* "high", "medium" or "low". */
const char *sec_signal_severity(enum sec_signal s);
/* MITRE ATT&CK technique: "T1496" and "Resource Hijacking". */
const char *sec_signal_mitre_id(enum sec_signal s);
const char *sec_signal_mitre_name(enum sec_signal s);
enum sec_rule sec_signal_rule(enum sec_signal s);

/* The report's severity: its own when set, else its signal's. */
const char *sec_report_severity(const struct sec_report *r);
/* A new report with one reference (reason copied); the caller fills the rest. */
struct sec_report *sec_report_new(enum sec_signal sig, int pid, const char *reason);
struct sec_report *sec_report_ref(struct sec_report *r); /* NULL stays NULL */
void sec_report_unref(struct sec_report *r);		 /* frees at zero; NULL is a no-op */
void sec_report_add_sign(struct sec_report *r, const char *sign); /* copied */
void sec_report_add_map(struct sec_report *r, const char *line);  /* copied */

/* What evidence_gather reads besides exe, cmdline, ids, cgroup and parents. */
#define EV_SOCKETS 1u

/*
 * Fills ev (zeroed by the caller) for pid from the proc tree pf: exe, cmdline,
 * uid/euid, cgroup, the parent chain and, with EV_SOCKETS, every socket with its
 * endpoints. Whatever cannot be read stays empty. Returns 0, or -ESRCH when
 * the process is gone (ev is then still valid to release).
 */
int evidence_gather(struct procfs *pf, int pid, unsigned what, struct sec_evidence *ev);
void evidence_release(struct sec_evidence *ev);

/*
 * Reads PID/exe into buf: the target, " (deleted)" cut off and *deleted set.
 * Returns 0 or a negative errno.
 */
int evidence_read_exe(struct procfs *pf, int pid, char *buf, size_t len, bool *deleted);

/* One socket of a process. */
struct sec_sock {
	char name[200];
	bool listening;
	bool inbound;	      /* a TCP connection accepted here: its local port is in LISTEN */
	unsigned remote_port; /* 0 when not a connected inet socket */
};

/*
 * The sockets pid holds (PID/fd links named from the PID/net tables) into *out (grown
 * with xrealloc; *cap its capacity), at most max. A connected TCP socket whose local port
 * some socket of the namespace listens on was accepted (inbound), whoever holds the
 * listener now (a per-connection child closes its copy). Returns the count or a
 * negative errno. The kernel tables are read only when pid holds a socket.
 */
int evidence_sockets(struct procfs *pf, int pid, struct sec_sock **out, size_t *cap, size_t max);

/* One parsed line of /proc/PID/maps. */
struct map_line {
	uint64_t start, end;
	char perms[5]; /* "rwxp" */
	const char
		*path; /* into the parsed line: "" for anonymous, "[heap]", "/memfd:x (deleted)" */
};

/* Parses one maps line (len bytes, no newline needed). 0 or -EINVAL. */
int evidence_parse_maps_line(const char *line, size_t len, struct map_line *m);
/* Writable, executable and anonymous (no file: "", [heap], [stack], [anon:...]; shared
 * anonymous "/dev/zero (deleted)" and System V "/SYSVkey (deleted)"). */
bool evidence_map_is_rwx_anon(const struct map_line *m);
/* Executable and backed by a memfd ("/memfd:NAME", deleted or not). */
bool evidence_map_is_memfd_exec(const struct map_line *m);

/*
 * Scans a whole maps text: counts RWX anonymous and memfd-executable
 * mappings, and when lines is not NULL appends the offending lines to it
 * (at most max_lines). Pure.
 */
struct maps_scan {
	unsigned rwx_anon, memfd_exec;
};
void evidence_scan_maps(const char *text, size_t len, struct maps_scan *scan,
			struct sec_report *lines, size_t max_lines);

/* PID/status "Uid:" real and effective. 0 or -EINVAL. Pure. */
int evidence_parse_status_uids(const char *buf, size_t len, uint32_t *uid, uint32_t *euid);
/*
 * The one cgroup path of a PID/cgroup text that says most about where the process runs: the
 * unified "0::PATH" unless it is "/" (on a v1 or hybrid host every process is there), else the
 * v1 memory hierarchy's, then cpu's, then name=systemd's, then any other non-root one. 0 or
 * -EINVAL. Pure.
 */
int evidence_parse_cgroup(const char *buf, size_t len, char *out, size_t outlen);
/* Every distinct path of a PID/cgroup text into *paths (allocated, owned by the caller); the
 * count. Pure. */
size_t evidence_parse_cgroups(const char *buf, size_t len, char ***paths);

/* The miner-like words of a command line found in it, for the miner rule's signs. */
const char *evidence_miner_flag(const char *cmdline);
/*
 * The stratum method a JSON-RPC payload's start ('{' first) calls or notifies (data: len
 * bytes, not NUL-terminated) into method (NUL-terminated), returning method; NULL when it is not
 * stratum's. Stratum's are "mining." anything (v1: mining.subscribe, mining.authorize,
 * mining.submit, mining.notify, mining.set_difficulty ...), and xmrig's dialect, whose names
 * other JSON-RPC services use too, with its params: "login" with "pass" or "agent", "submit"
 * with "job_id" and "nonce", "job" with "blob" and "job_id". Pure.
 */
const char *evidence_stratum_method(const char *data, size_t len, char *method, size_t mlen);
struct stratum_event;
/*
 * The miner sign of a stratum watch event (src/bpf/stratum.h) into buf: "speaks the stratum
 * mining protocol ('mining.submit' sent to 127.0.0.1:3333)"; false when its payload is not
 * stratum's (evidence_stratum_method). Pure.
 */
bool evidence_stratum_sign(const struct stratum_event *ev, char *buf, size_t len);
/* Whether a base name is a shell or script interpreter (sh, bash, python3.11, perl ...). */
bool evidence_is_shell(const char *base);
/*
 * Whether a process's name (comm) agrees with the program it runs. The names it may have:
 * its executable's base name; argv[0], whole (a title a program set in both places:
 * "gunicorn: master") or its base name (a symlink: gcc for x86_64-linux-gnu-gcc-12, python3
 * for python3.11); for an interpreter (evidence_is_shell), the script it runs: the first
 * argument that is not an option, unless -c, -e or -m says code follows. comm agrees with a
 * name it equals cut to 15 bytes, that it decorates ("runc:[2:INIT]" for runc: the name then
 * a character that is not a letter or digit), or whose version-less form it is ("python3"
 * for python3.11, "php-fpm" for php-fpm8.2). A re-exec through /proc/self/exe names a
 * process "exe", an fexecve on older kernels after the fd's number: both agree. argv is
 * the raw PID/cmdline (NUL-separated, len bytes, argv[len] readable and '\0'). Pure.
 */
bool evidence_comm_agrees(const char *comm, const char *exe, const char *argv, size_t len);
/* Whether a name mimics a kernel thread's: kworker, ksoftirqd, migration/ ..., or "[...]". */
bool evidence_kthread_name(const char *name);
/* The part after the last '/'. */
const char *evidence_basename(const char *path);

#endif
