/* collect_sec.c - security collector: exec-time checks, windowed CPU, maps/exe checks, findings. */
#include <errno.h>
#include <fnmatch.h>
#include <pwd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/log.h"
#include "base/pidmap.h"
#include "base/xalloc.h"
#include "capture/collector.h"
#include "capture/config.h"
#include "capture/cpuhold.h"
#include "capture/evidence.h"
#include "sys/bpf_stratum.h"
#include "sys/procevents.h"

/* With the /proc source, PID/schedstat (the run-queue wait) is read for processes that ran at
 * least this much of a CPU in the interval: a sleeping process waits for nothing. */
#define WAIT_READ_MIN_PCT 5.0
/* Maps re-read because the virtual size changed, at most this many per sample. */
#define MAX_CHANGED_MAPS 64
/* New processes' maps read per sample; the rest wait for the next samples (a fork storm). */
#define MAX_NEW_MAPS 64
/* Offending mapping lines kept in a report. */
#define MAX_MAP_LINES 16
/* Stratum signs remembered for processes the CPU condition has not caught yet. */
#define MAX_STRATUM_SIGNS 64

/* What the collector remembers of a process between samples (parallel to snap->procs). */
struct sproc {
	int pid;
	uint64_t start_ticks;
	uint64_t vsize_kib, rss_kib;
	char comm[16];
	bool maps_known; /* maps read at least once: rwx/memfd_x are a baseline */
	unsigned rwx, memfd_x;
	bool new_unread; /* a new process whose maps wait for the budget (all it has is new) */
	bool exe_known;	 /* exe_deleted is a baseline */
	bool exe_deleted;
	unsigned reported; /* bit per sec_signal already reported for this process */
	struct cpuhold cpu;	   /* the miner rule's CPU condition */
	uint64_t wait_ns;	   /* the last run-queue wait reading (the source's counter) */
	bool wait_known;	   /* wait_ns is a reading */
	uint64_t miner_checked_ns; /* when the miner signs were last looked for */
	uint64_t watch_until_ns;   /* the stratum watch looks at it until then (0: it does not) */
	uint64_t watch_next_ns;	   /* not to be considered for the watch before then */
	uint64_t comm_pending_ns;  /* when a name mismatch was first seen (monotonic; 0: none) */
	bool swept;	   /* maps, exe and name looked at once (the baselines) */
	uint32_t mm_seq;   /* the proc_sample's mm_seq when maps were read */
	bool sig_exe_deleted; /* the proc_sample's exe_deleted in the previous sample */
};

/* An exec seen on the proc connector since the last sample. */
struct exec_seen {
	int pid;
	bool deleted; /* the exe was already deleted at exec */
	uint64_t exe_hash;
};

struct sec_state {
	const struct collector_env *env;
	struct procevents *pe;
	struct sproc *p, *next;
	size_t n, cap, cap_next;
	struct pidmap index;
	struct sec_report **pending; /* findings made at exec time, for the next snapshot */
	size_t npending, cap_pending;
	struct exec_seen *execs;
	size_t nexecs, cap_execs;
	size_t rr; /* round-robin cursor into procs */
	char *buf;
	size_t bufcap;
	struct sec_sock *socks;
	size_t sockcap;
	int self;
	uint64_t now_ns;
	bool first_done;
	struct bpf_stratum *stratum; /* the stratum watch; NULL when it cannot load here */
	bool stratum_tried;
	struct stratum_sign { /* what the watch found, per process */
		int pid;
		char sign[240];
	} signs[MAX_STRATUM_SIGNS];
	size_t nsigns;
};

static const struct config *cfg_of(const struct sec_state *s)
{
	return s->env->cfg;
}

static bool rule_on(const struct sec_state *s, enum sec_rule r)
{
	const struct config *c = cfg_of(s);

	return r == SEC_MINER	? c->enable_miner_detection
	       : r == SEC_SPAWN ? c->enable_spawn_detection
				: c->enable_memory_anomaly_detection;
}

/*
 * One allow-list entry against a path: a glob when it has * ? or [ (fnmatch,
 * '*' crossing '/'), a prefix when it ends in '/', else the exact path; for
 * cgroups (subtree) a prefix also matches at a '/' boundary.
 */
static bool entry_matches(const char *a, const char *path, bool subtree)
{
	size_t n = strlen(a);

	if (!n || !path[0])
		return false;
	if (strpbrk(a, "*?["))
		return fnmatch(a, path, 0) == 0;
	if (a[n - 1] == '/')
		return !strncmp(path, a, n);
	if (subtree)
		return !strncmp(path, a, n) && (path[n] == '\0' || path[n] == '/');
	return !strcmp(path, a);
}

/* Whether the allow-lists exempt the process the evidence is of. */
static bool allowed(const struct config *c, const struct sec_evidence *ev)
{
	for (size_t i = 0; i < c->allow_exe.n; i++)
		if (entry_matches(c->allow_exe.v[i], ev->exe, false))
			return true;
	for (size_t i = 0; i < c->allow_cgroup.n; i++)
		for (size_t k = 0; k < ev->ncgroups; k++) /* any hierarchy's path (v1, v2) */
			if (entry_matches(c->allow_cgroup.v[i], ev->cgroups[k], true))
				return true;
	if (c->allow_user.n) {
		char name[64] = "", num[16], pwbuf[1024];
		struct passwd pw, *res = NULL;

		snprintf(num, sizeof(num), "%u", ev->uid);
		if (getpwuid_r(ev->uid, &pw, pwbuf, sizeof(pwbuf), &res) == 0 && res)
			snprintf(name, sizeof(name), "%s", res->pw_name);
		for (size_t i = 0; i < c->allow_user.n; i++)
			if (!strcmp(c->allow_user.v[i], num) || !strcmp(c->allow_user.v[i], name))
				return true;
	}
	return false;
}

/* A start time in USER_HZ ticks after boot as ns since the epoch. */
static uint64_t start_real_ns(const struct sec_state *s, uint64_t ticks)
{
	struct timespec real, boot;

	clock_gettime(CLOCK_REALTIME, &real);
	clock_gettime(CLOCK_BOOTTIME, &boot);
	return (uint64_t)((double)(real.tv_sec - boot.tv_sec) * 1e9 +
			  (double)(real.tv_nsec - boot.tv_nsec) +
			  (double)ticks / (double)s->env->ticks_per_sec * 1e9);
}

/*
 * Completes a report: evidence, allow-lists. Returns true when it is kept (queued
 * for the next snapshot); otherwise it was freed.
 */
static bool finish(struct sec_state *s, struct sec_report *r, unsigned what)
{
	if (r->start_ticks && !r->start_time_ns)
		r->start_time_ns = start_real_ns(s, r->start_ticks);
	if (evidence_gather(s->env->pf, r->pid, what, &r->ev) == -ESRCH && !r->ev.exe[0])
		r->exited = true;
	if (allowed(cfg_of(s), &r->ev)) {
		log_debug("security: %s of pid %d (%s) allowed by the configuration",
			  sec_signal_name(r->signal), r->pid, r->ev.exe);
		sec_report_unref(r);
		return false;
	}
	XGROW(s->pending, s->cap_pending, s->npending + 1);
	s->pending[s->npending++] = r;
	log_debug("security: %s: pid %d: %s", sec_signal_name(r->signal), r->pid, r->reason);
	return true;
}

static struct sec_report *report(enum sec_signal sig, int pid, const char *comm, const char *fmt,
				 ...) __attribute__((format(printf, 4, 5)));
static struct sec_report *report(enum sec_signal sig, int pid, const char *comm, const char *fmt,
				 ...)
{
	char reason[512];
	struct sec_report *r;
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(reason, sizeof(reason), fmt, ap);
	va_end(ap);
	r = sec_report_new(sig, pid, reason);
	snprintf(r->comm, sizeof(r->comm), "%s", comm);
	return r;
}

/*
 * Whether pid is network-facing: it holds a listening socket, or a TCP connection it
 * accepted (a per-connection server such as a postgres backend or an inetd child, which
 * closed its listener). What says so into sign. Asked afresh each time: a service that
 * ran a program before it started listening is network-facing from then on.
 */
static bool network_facing(struct sec_state *s, int pid, char *sign, size_t len)
{
	int n = evidence_sockets(s->env->pf, pid, &s->socks, &s->sockcap, 256);

	for (int i = 0; i < n; i++) {
		if (s->socks[i].listening) {
			snprintf(sign, len, "holds a listening socket (%s)", s->socks[i].name);
			return true;
		}
	}
	for (int i = 0; i < n; i++) {
		if (s->socks[i].inbound) {
			snprintf(sign, len, "holds an accepted inbound connection (%s)",
				 s->socks[i].name);
			return true;
		}
	}
	return false;
}

static bool starts_with(const char *s, const char *prefix)
{
	return !strncmp(s, prefix, strlen(prefix));
}

/* Directories anyone can write to, where dropped tools run from. */
static const char *const staging_dirs[] = { "/tmp/", "/dev/shm/", "/var/tmp/" };

static int read_stat(struct sec_state *s, int pid, struct proc_stat *ps);

/* Ancestors looked at for a network-facing one when a program runs from a staging dir. */
#define TMP_EXEC_ANCESTORS 4

/*
 * What makes an exec from a staging directory worse: the file is world-writable or
 * already deleted, or a network-facing process up the chain (a service that fetched
 * and ran something). Each is added to r's signs; returns how many.
 */
static int tmp_exec_signs(struct sec_state *s, struct sec_report *r, int pid, int ppid,
			  bool deleted)
{
	char path[32], sign[300];
	struct stat st;
	int n = 0;

	if (deleted) {
		sec_report_add_sign(r, "the executable was deleted");
		n++;
	}
	snprintf(path, sizeof(path), "%d/exe", pid);
	if (fstatat(procfs_rootfd(s->env->pf), path, &st, 0) == 0 && (st.st_mode & S_IWOTH)) {
		snprintf(sign, sizeof(sign), "the executable is world-writable (mode %03o)",
			 (unsigned)(st.st_mode & 0777));
		sec_report_add_sign(r, sign);
		n++;
	}
	for (int i = 0; i < TMP_EXEC_ANCESTORS && ppid > 2 && ppid != s->self; i++) {
		struct proc_stat ps;
		char facing[250];

		if (network_facing(s, ppid, facing, sizeof(facing))) {
			snprintf(sign, sizeof(sign), "ancestor pid %d %s", ppid, facing);
			sec_report_add_sign(r, sign);
			n++;
			break;
		}
		if (read_stat(s, ppid, &ps) < 0)
			break;
		ppid = ps.ppid;
	}
	return n;
}

/*
 * Services whose purpose is to start a remote user's shell from an accepted connection:
 * their shells are not reported (exe base names).
 */
static const char *const remote_login_services[] = { "sshd", "sshd-session", "dropbear",
						     "in.telnetd", "telnetd" };

static bool is_remote_login_service(const char *exe)
{
	const char *base = evidence_basename(exe);

	for (size_t i = 0; i < sizeof(remote_login_services) / sizeof(remote_login_services[0]);
	     i++)
		if (!strcmp(base, remote_login_services[i]))
			return true;
	return false;
}

static uint64_t hash_str(const char *s)
{
	uint64_t h = 1469598103934665603ULL; /* FNV-1a */

	for (; *s; s++)
		h = (h ^ (unsigned char)*s) * 1099511628211ULL;
	return h;
}

/* PID/stat of pid into *ps (through the state's buffer). 0 or a negative errno. */
static int read_stat(struct sec_state *s, int pid, struct proc_stat *ps)
{
	int fd = procfs_open_pid_file(s->env->pf, pid, "stat");
	ssize_t n;

	if (fd < 0)
		return fd;
	n = procfs_pread(fd, &s->buf, &s->bufcap, true);
	close(fd);
	if (n < 0)
		return (int)n;
	return procfs_parse_pid_stat(s->buf, (size_t)n, ps);
}

/*
 * Exec-time checks of suspicious_spawn, while the process still exists. The
 * common case (a program from a normal place that is not a shell) costs one
 * readlink: PID/stat is read only for what may be reported.
 */
static void on_exec(void *ctx, pid_t pid)
{
	struct sec_state *s = ctx;
	char exe[4096], sign[250];
	struct proc_stat ps;
	struct sec_report *r;
	const char *staging = NULL;
	bool deleted, memfd;
	uint64_t h;

	/* exec-time knowledge only serves suspicious_spawn (exec checks, exe_deleted) */
	if (!rule_on(s, SEC_SPAWN) || pid == s->self ||
	    evidence_read_exe(s->env->pf, pid, exe, sizeof(exe), &deleted) < 0)
		return;
	/* two execs in a row read late both see the second program: one report is enough */
	h = hash_str(exe);
	for (size_t i = 0; i < s->nexecs; i++)
		if (s->execs[i].pid == pid && s->execs[i].exe_hash == h)
			return;
	XGROW(s->execs, s->cap_execs, s->nexecs + 1);
	s->execs[s->nexecs++] = (struct exec_seen){ pid, deleted, h };
	memfd = starts_with(exe, "/memfd:");
	for (size_t i = 0; i < sizeof(staging_dirs) / sizeof(staging_dirs[0]) && !memfd; i++)
		if (starts_with(exe, staging_dirs[i]))
			staging = staging_dirs[i];
	if (!memfd && !staging && !evidence_is_shell(evidence_basename(exe)))
		return;
	if (read_stat(s, pid, &ps) < 0)
		return;
	s->now_ns = clock_mono_ns();
	if (memfd) {
		r = report(SIG_EXEC_FROM_MEMFD, pid, ps.comm,
			   "%s was executed from a memfd ('%s'): a program with no file on disk",
			   ps.comm, exe);
	} else if (staging) {
		r = report(SIG_EXEC_FROM_TMP, pid, ps.comm,
			   "'%s' was executed from the world-writable %s", exe, staging);
		/* one more sign makes it high: a dropped tool, not a test suite's binary */
		if (tmp_exec_signs(s, r, pid, ps.ppid, deleted))
			r->severity = "high";
	} else {
		struct sec_evidence pev = { 0 };
		bool exempt;

		/* PID 1 and kthreadd hold sockets for others (socket activation) */
		if (ps.ppid <= 2 || ps.ppid == s->self ||
		    !network_facing(s, ps.ppid, sign, sizeof(sign)))
			return;
		/* the service may be allow-listed, or one whose purpose is a remote shell */
		evidence_gather(s->env->pf, ps.ppid, 0, &pev);
		exempt = allowed(cfg_of(s), &pev) || is_remote_login_service(pev.exe);
		r = report(SIG_SHELL_FROM_LISTENER, pid, ps.comm,
			   "%s (%s) was started by pid %d (%s), which is network-facing: it %s",
			   evidence_basename(exe), exe, ps.ppid, evidence_basename(pev.exe), sign);
		evidence_release(&pev);
		if (exempt) {
			sec_report_unref(r);
			return;
		}
		sec_report_add_sign(r, sign);
	}
	r->ppid = ps.ppid;
	r->start_ticks = ps.starttime;
	finish(s, r, EV_SOCKETS);
}

static int sec_open(void **state, const struct collector_env *env)
{
	struct sec_state *s = xcalloc(1, sizeof(*s));

	s->env = env;
	s->self = (int)getpid();
	s->pe = procevents_open_execs(); /* NULL without root: new processes are checked instead */
	*state = s;
	return 0;
}

static void sec_close(void *state)
{
	struct sec_state *s = state;

	if (!s)
		return;
	procevents_close(s->pe);
	bpf_stratum_free(s->stratum);
	for (size_t i = 0; i < s->npending; i++)
		sec_report_unref(s->pending[i]);
	free(s->pending);
	free(s->execs);
	free(s->p);
	free(s->next);
	pidmap_release(&s->index);
	free(s->buf);
	free(s->socks);
	free(s);
}

static int sec_poll_fd(void *state)
{
	struct sec_state *s = state;

	return s->pe ? procevents_exec_fd(s->pe) : -1;
}

static bool sec_ready(void *state)
{
	struct sec_state *s = state;

	procevents_read_execs(s->pe, on_exec, NULL, s);
	return false;
}

/* Reads PID/maps; RWX anonymous and executable memfd mappings against the baseline. */
static void check_maps(struct sec_state *s, const struct proc_sample *p, struct sproc *e,
		       bool had_none)
{
	struct maps_scan scan;
	struct sec_report *tmp = sec_report_new(SIG_RWX_ANON, p->pid, "");
	ssize_t n;
	int fd = procfs_open_pid_file(s->env->pf, p->pid, "maps");

	if (fd < 0)
		goto out;
	n = procfs_pread_all(fd, &s->buf, &s->bufcap);
	close(fd);
	if (n < 0)
		goto out;
	evidence_scan_maps(s->buf, (size_t)n, &scan, tmp, MAX_MAP_LINES);
	if (rule_on(s, SEC_MEMORY) && (had_none || e->maps_known)) {
		bool new_rwx = scan.rwx_anon && (had_none || !e->rwx);
		bool new_memfd = scan.memfd_exec && (had_none || !e->memfd_x);
		enum sec_signal sig = new_memfd ? SIG_MEMFD_EXEC_MAP : SIG_RWX_ANON;

		if ((new_rwx || new_memfd) && !(e->reported & (1u << sig))) {
			struct sec_report *r;

			if (new_memfd)
				r = report(sig, p->pid, p->comm,
					   "%s maps a memfd as executable (%u mapping%s)", p->comm,
					   scan.memfd_exec, scan.memfd_exec == 1 ? "" : "s");
			else
				r = report(sig, p->pid, p->comm,
					   "%s has %u new writable+executable anonymous mapping%s "
					   "(it had none)",
					   p->comm, scan.rwx_anon, scan.rwx_anon == 1 ? "" : "s");
			r->ppid = p->ppid;
			r->start_ticks = p->start_ticks;
			for (size_t i = 0; i < tmp->ev.nmaps; i++)
				sec_report_add_map(r, tmp->ev.maps[i]);
			e->reported |= 1u << sig;
			finish(s, r, EV_SOCKETS);
		}
	}
	e->maps_known = true;
	e->rwx = scan.rwx_anon;
	e->memfd_x = scan.memfd_exec;
out:
	e->vsize_kib = p->vsize_kib;
	e->mm_seq = p->mm_seq;
	sec_report_unref(tmp);
}

/* PID/exe against the baseline: deleted since it was last seen. */
static void check_exe(struct sec_state *s, const struct proc_sample *p, struct sproc *e)
{
	char exe[4096];
	bool deleted;

	if (evidence_read_exe(s->env->pf, p->pid, exe, sizeof(exe), &deleted) < 0)
		return;
	if (e->exe_known && !e->exe_deleted && deleted && rule_on(s, SEC_SPAWN) &&
	    !(e->reported & (1u << SIG_EXE_DELETED))) {
		struct sec_report *r = report(
			SIG_EXE_DELETED, p->pid, p->comm,
			"the executable of %s ('%s') was deleted while it runs", p->comm, exe);

		r->ppid = p->ppid;
		r->start_ticks = p->start_ticks;
		e->reported |= 1u << SIG_EXE_DELETED;
		finish(s, r, EV_SOCKETS);
	}
	e->exe_known = true;
	e->exe_deleted = deleted;
}

/* How long a name mismatch must hold before it is reported (an exec changes the exe a moment
 * before the name; a forked worker may rename itself for a moment). */
#define COMM_CONFIRM_NS 1000000000ULL

/* The raw PID/cmdline (NUL-separated), at most len - 1 bytes, NUL-terminated. The length. */
static size_t read_argv(struct sec_state *s, int pid, char *buf, size_t len)
{
	int fd = procfs_open_pid_file(s->env->pf, pid, "cmdline");
	ssize_t n = fd < 0 ? -1 : pread(fd, buf, len - 1, 0);

	if (fd >= 0)
		close(fd);
	n = n < 0 ? 0 : n;
	buf[n] = '\0';
	return (size_t)n;
}

/*
 * comm against the names of the program the process runs (evidence_comm_agrees), read fresh
 * after the exe; a name like a kernel thread's in comm or argv[0] is worse. Reported when it
 * still holds at a look a second or more after the first.
 */
static void check_comm(struct sec_state *s, const struct proc_sample *p, struct sproc *e)
{
	char exe[4096], argv[4096], comm[32], *fresh = NULL;
	bool deleted, kthread, mismatch;
	size_t alen;

	if (!rule_on(s, SEC_SPAWN) || (e->reported & (1u << SIG_COMM_MISMATCH)) ||
	    evidence_read_exe(s->env->pf, p->pid, exe, sizeof(exe), &deleted) < 0)
		return;
	/* the name now, read after the exe: the sample's may predate an exec in progress */
	if (procfs_read_pid_file(s->env->pf, p->pid, "comm", &fresh) < 0)
		return;
	fresh[strcspn(fresh, "\n")] = '\0';
	snprintf(comm, sizeof(comm), "%s", fresh);
	free(fresh);
	alen = read_argv(s, p->pid, argv, sizeof(argv));
	if (!comm[0] || !alen)
		return; /* a zombie, or exiting */
	kthread = evidence_kthread_name(comm) || evidence_kthread_name(argv);
	/* a memfd's program is exec_from_memfd's; a name with a space is a title a program
	 * gave itself (Firefox's "Web Content"), not another program's name */
	mismatch = kthread || (!starts_with(exe, "/memfd:") && !strchr(comm, ' ') &&
			       !evidence_comm_agrees(comm, exe, argv, alen));
	if (!mismatch) {
		e->comm_pending_ns = 0;
		return;
	}
	if (!e->comm_pending_ns) {
		e->comm_pending_ns = s->now_ns ? s->now_ns : 1;
		return;
	}
	if (s->now_ns - e->comm_pending_ns < COMM_CONFIRM_NS)
		return;
	e->comm_pending_ns = 0;
	e->reported |= 1u << SIG_COMM_MISMATCH;
	{
		struct sec_report *r = report(
			SIG_COMM_MISMATCH, p->pid, comm,
			kthread ? "user process '%s' is named like a kernel thread (exe '%s', "
				  "argv[0] "
				  "'%s')"
				: "process '%s' is named after neither its executable '%s' nor its "
				  "argv[0] '%s'",
			comm, exe, argv);

		if (kthread)
			r->severity = "high";
		r->ppid = p->ppid;
		r->start_ticks = p->start_ticks;
		finish(s, r, EV_SOCKETS);
	}
}

/* PID/schedstat's run-queue wait (the main thread's), ns; 0 or a negative errno. */
static int read_schedstat_wait(struct sec_state *s, int pid, uint64_t *wait_ns)
{
	char buf[128];
	unsigned long long run, wait;
	int fd = procfs_open_pid_file(s->env->pf, pid, "schedstat");
	ssize_t n = fd < 0 ? fd : pread(fd, buf, sizeof(buf) - 1, 0);

	if (fd >= 0)
		close(fd);
	if (n < 0)
		return fd < 0 ? fd : -errno;
	buf[n] = '\0';
	if (sscanf(buf, "%llu %llu", &run, &wait) != 2)
		return -EINVAL;
	*wait_ns = wait;
	return 0;
}

/*
 * The interval's run-queue wait, seconds: the BPF source's sum over live threads, else
 * PID/schedstat (the main thread's) for a process that ran enough to matter. A counter that
 * went down (a thread exited with its wait) counts nothing this once.
 */
static double interval_wait_s(struct sec_state *s, const struct proc_sample *p, struct sproc *e)
{
	uint64_t now = 0;
	double w;

	if (p->wait_known)
		now = p->wait_ns;
	else if (p->cpu_pct < WAIT_READ_MIN_PCT || read_schedstat_wait(s, p->pid, &now) < 0)
		return 0;
	w = e->wait_known && now > e->wait_ns ? (double)(now - e->wait_ns) / 1e9 : 0;
	e->wait_ns = now;
	e->wait_known = true;
	return w;
}

static bool dir_world_writable(const char *exe)
{
	char dir[4096];
	const char *slash = strrchr(exe, '/');
	struct stat st;

	if (!slash || slash == exe || (size_t)(slash - exe) >= sizeof(dir))
		return false;
	memcpy(dir, exe, (size_t)(slash - exe));
	dir[slash - exe] = '\0';
	return stat(dir, &st) == 0 && (st.st_mode & S_IWOTH);
}

/* The stratum watch's look at a process lasts this long at least (two windows else): pools
 * push work every few seconds to minutes. */
#define WATCH_MIN_NS (120ULL * 1000000000ULL)

/* Loads the stratum watch the first time one is needed; says once what it means. */
static void stratum_load(struct sec_state *s)
{
	struct strbuf why = STRBUF_INIT;

	s->stratum_tried = true;
	if (bpf_stratum_new(&s->stratum, &why) < 0)
		log_info("security: no stratum watch (%s): miners are recognised by pool ports, "
			 "command lines and their files only",
			 strbuf_str(&why));
	else
		log_info("security: the stratum watch (eBPF) looks at the TCP payloads of busy "
			 "processes while they are miner candidates");
	strbuf_release(&why);
}

/* The stratum sign the watch found for pid, or NULL. */
static const char *stratum_sign_of(const struct sec_state *s, int pid)
{
	for (size_t i = 0; i < s->nsigns; i++)
		if (s->signs[i].pid == pid)
			return s->signs[i].sign;
	return NULL;
}

/* A payload the watch saw: kept as the process's sign when it is stratum's (the first). */
static void on_stratum(void *arg, const struct stratum_event *ev)
{
	struct sec_state *s = arg;
	struct stratum_sign *g;

	if (stratum_sign_of(s, (int)ev->tgid) || s->nsigns == MAX_STRATUM_SIGNS)
		return;
	g = &s->signs[s->nsigns];
	if (!evidence_stratum_sign(ev, g->sign, sizeof(g->sign)))
		return;
	g->pid = (int)ev->tgid;
	s->nsigns++;
	log_debug("security: pid %d %s", g->pid, g->sign);
}

/* Whether pid holds a connected TCP socket (what the stratum watch would look at). */
static bool has_tcp_connection(struct sec_state *s, int pid)
{
	int n = evidence_sockets(s->env->pf, pid, &s->socks, &s->sockcap, 256);

	for (int i = 0; i < n; i++)
		if (s->socks[i].remote_port && !strncmp(s->socks[i].name, "TCP", 3))
			return true;
	return false;
}

/*
 * The stratum watch of one process. It starts when the process held a CPU over a quarter
 * of the window (the miner rule's condition, sooner) and has a TCP connection; it ends
 * when the process is reported, speaks stratum, or after two windows (two minutes at
 * least); the process may be watched again ten windows later. The tracepoints cost every
 * system call of the host while anything is watched: the watch is for candidates only.
 */
static void stratum_step(struct sec_state *s, const struct proc_sample *p, struct sproc *e)
{
	const struct config *c = cfg_of(s);
	uint64_t window_ns = (uint64_t)(c->miner_window_seconds * 1e9);
	bool done = (e->reported & (1u << SIG_MINER)) || stratum_sign_of(s, p->pid);
	struct cpuhold_verdict v;

	if (e->watch_until_ns) {
		if (s->now_ns < e->watch_until_ns && !done)
			return;
		bpf_stratum_unwatch(s->stratum, p->pid);
		e->watch_until_ns = 0;
		e->watch_next_ns = s->now_ns + CPUHOLD_HORIZON_WINDOWS * window_ns;
		return;
	}
	if (done || s->now_ns < e->watch_next_ns ||
	    !cpuhold_judge(&e->cpu, s->now_ns, c->miner_min_cpu_pct, c->miner_window_seconds / 4,
			   &v))
		return;
	e->watch_next_ns = s->now_ns + window_ns;
	if (!has_tcp_connection(s, p->pid))
		return;
	if (!s->stratum_tried)
		stratum_load(s);
	if (!s->stratum || bpf_stratum_watch(s->stratum, p->pid) < 0)
		return;
	e->watch_until_ns =
		s->now_ns + (2 * window_ns > WATCH_MIN_NS ? 2 * window_ns : WATCH_MIN_NS);
	log_debug("security: the stratum watch looks at pid %d (%s)", p->pid, p->comm);
}

/* A candidate (it held a CPU: v): look for the corroborating signs. */
static void check_miner(struct sec_state *s, const struct proc_sample *p, struct sproc *e,
			const struct cpuhold_verdict *v)
{
	char held[300];
	const struct config *c = cfg_of(s);
	struct sec_report *r = report(SIG_MINER, p->pid, p->comm, "%s", "");
	const char *flag = evidence_miner_flag(p->cmdline ? p->cmdline->s : "");
	char exe[4096], sign[400];
	bool deleted = false;
	int n;

	e->miner_checked_ns = s->now_ns;
	if (stratum_sign_of(s, p->pid))
		sec_report_add_sign(r, stratum_sign_of(s, p->pid));
	if (flag) {
		snprintf(sign, sizeof(sign), "miner-like command line ('%s')", flag);
		sec_report_add_sign(r, sign);
	}
	if (evidence_read_exe(s->env->pf, p->pid, exe, sizeof(exe), &deleted) == 0) {
		if (deleted) {
			snprintf(sign, sizeof(sign), "executable deleted after start ('%.300s')",
				 exe);
			sec_report_add_sign(r, sign);
		}
		if (!starts_with(exe, "/memfd:") && dir_world_writable(exe)) {
			snprintf(sign, sizeof(sign),
				 "started from a world-writable directory ('%.300s')", exe);
			sec_report_add_sign(r, sign);
		}
	}
	n = evidence_sockets(s->env->pf, p->pid, &s->socks, &s->sockcap, 256);
	for (int i = 0; i < n; i++) {
		/* an accepted connection's remote port is a client's ephemeral one */
		for (size_t k = 0; k < c->miner_pool_ports.n && !s->socks[i].inbound; k++) {
			if (s->socks[i].remote_port &&
			    (int)s->socks[i].remote_port == c->miner_pool_ports.v[k]) {
				snprintf(sign, sizeof(sign),
					 "connection to mining-pool port %u (%s)",
					 s->socks[i].remote_port, s->socks[i].name);
				sec_report_add_sign(r, sign);
			}
		}
	}
	if (!r->nsigns) {
		sec_report_unref(r);
		return;
	}
	if (v->bursts)
		snprintf(held, sizeof(held),
			 "held a CPU in bursts: %.1f s of CPU demand over the last %.0f s in "
			 "intervals at or above %.0f%% (as much as %.0f%% over the %.0f s window)",
			 v->busy_s, v->span_s, c->miner_min_cpu_pct, c->miner_min_cpu_pct,
			 c->miner_window_seconds);
	else
		snprintf(held, sizeof(held),
			 "held %.0f%% of a CPU over %.0f s (ran %.0f%%, waited for a CPU %.0f%%)",
			 v->pct, c->miner_window_seconds, v->run_pct, v->wait_pct);
	free(r->reason);
	r->reason = xasprintf("%s %s, with %zu corroborating sign%s (%s)", p->comm, held, r->nsigns,
			      r->nsigns == 1 ? "" : "s", r->signs[0]);
	r->value = v->pct;
	r->ppid = p->ppid;
	r->start_ticks = p->start_ticks;
	e->reported |= 1u << SIG_MINER;
	finish(s, r, EV_SOCKETS);
}

/*
 * The miner rule's CPU accounting for one sample (a first sight's CPU figure is a lifetime
 * average, not this interval's: it only starts the history), and its check once a window
 * when the process held a CPU.
 */
static void miner_sample(struct sec_state *s, const struct snapshot *snap,
			 const struct proc_sample *p, struct sproc *e, bool fresh)
{
	const struct config *c = cfg_of(s);
	double wait_s = interval_wait_s(s, p, e);
	struct cpuhold_verdict v;

	cpuhold_add(&e->cpu, s->now_ns, fresh ? 0 : snap->elapsed_s,
		    p->cpu_pct / 100.0 * snap->elapsed_s, wait_s, c->miner_min_cpu_pct,
		    c->miner_window_seconds);
	stratum_step(s, p, e);
	/* with a stratum sign it is judged at every sample, not once a window */
	if (stratum_sign_of(s, p->pid) && !e->watch_until_ns)
		e->miner_checked_ns = 0;
	if ((e->reported & (1u << SIG_MINER)) ||
	    (e->miner_checked_ns &&
	     s->now_ns - e->miner_checked_ns < (uint64_t)(c->miner_window_seconds * 1e9)))
		return;
	if (cpuhold_judge(&e->cpu, s->now_ns, c->miner_min_cpu_pct, c->miner_window_seconds, &v))
		check_miner(s, p, e, &v);
}

/*
 * RSS growth over the threshold since e->rss_kib, elapsed_s ago. first: a new process at
 * its first sample, whose baseline is what it had at birth (see first_rss_baseline).
 */
static void check_rss(struct sec_state *s, const struct proc_sample *p, struct sproc *e,
		      double elapsed_s, bool first)
{
	uint64_t thr = (uint64_t)(cfg_of(s)->rss_growth_threshold_mib * 1024);
	uint64_t growth = p->rss_kib > e->rss_kib ? p->rss_kib - e->rss_kib : 0;
	struct sec_report *r;

	if (growth < thr || !rule_on(s, SEC_MEMORY) || (e->reported & (1u << SIG_RSS_GROWTH)))
		return;
	r = report(SIG_RSS_GROWTH, p->pid, p->comm,
		   first ? "the RSS of %s grew by %.0f MiB within its first %.1f s (a new process, "
			   "to %.0f MiB; threshold %.0f MiB)"
			 : "the RSS of %s grew by %.0f MiB in %.1f s (to %.0f MiB; threshold "
			   "%.0f MiB)",
		   p->comm, (double)growth / 1024, elapsed_s, (double)p->rss_kib / 1024,
		   cfg_of(s)->rss_growth_threshold_mib);
	r->value = (double)growth;
	r->ppid = p->ppid;
	r->start_ticks = p->start_ticks;
	e->reported |= 1u << SIG_RSS_GROWTH;
	finish(s, r, EV_SOCKETS);
}

/*
 * What a new process's RSS grew from: nothing, unless it is a fork that has not exec'd
 * (the same executable as its parent), whose pages are its parent's, counted in both.
 * Read only for a process already over the threshold at its first sample.
 */
static uint64_t first_rss_baseline(struct sec_state *s, const struct snapshot *snap,
				   const struct proc_sample *p)
{
	char exe[4096], pexe[4096];
	bool del, pdel;
	long pi = snapshot_find_pid(snap, p->ppid);

	if (pi < 0 || evidence_read_exe(s->env->pf, p->pid, exe, sizeof(exe), &del) < 0 ||
	    evidence_read_exe(s->env->pf, p->ppid, pexe, sizeof(pexe), &pdel) < 0 ||
	    strcmp(exe, pexe))
		return 0;
	return snap->procs[pi].rss_kib;
}

/*
 * After a sample (s->p holds it, old the previous one's n entries): processes gone or
 * reused are no longer watched, nor any when the miner rule was turned off; their signs
 * are forgotten.
 */
static void stratum_tidy(struct sec_state *s, const struct sproc *old, size_t n)
{
	bool off = !cfg_of(s)->enable_miner_detection;

	for (size_t i = 0; i < n; i++) {
		long k = pidmap_find(&s->index, s->p, old[i].pid);
		bool gone = k < 0 || s->p[k].start_ticks != old[i].start_ticks;

		if (!old[i].watch_until_ns || !(gone || off))
			continue;
		bpf_stratum_unwatch(s->stratum, old[i].pid);
		if (!gone)
			s->p[k].watch_until_ns = 0;
	}
	for (size_t i = 0; i < s->nsigns;) {
		if (pidmap_find(&s->index, s->p, s->signs[i].pid) < 0)
			s->signs[i] = s->signs[--s->nsigns];
		else
			i++;
	}
}

/* A process born since the last sample: all it holds grew within one interval. */
static void check_rss_new(struct sec_state *s, const struct snapshot *snap,
			  const struct proc_sample *p, struct sproc *e)
{
	double age_s = snap->real_ns > p->start_time_ns
			       ? (double)(snap->real_ns - p->start_time_ns) / 1e9
			       : 0;

	if (p->rss_kib < (uint64_t)(cfg_of(s)->rss_growth_threshold_mib * 1024))
		return;
	e->rss_kib = first_rss_baseline(s, snap, p);
	check_rss(s, p, e, age_s, true);
}

static const struct exec_seen *find_exec(const struct sec_state *s, int pid)
{
	for (size_t i = s->nexecs; i-- > 0;)
		if (s->execs[i].pid == pid)
			return &s->execs[i];
	return NULL;
}

static bool is_kernel_thread(const struct proc_sample *p)
{
	return p->pid == 2 || p->ppid == 2 || (p->cmdline && !p->cmdline->len && p->ppid == 0);
}

static int sec_sample(void *state, struct snapshot *snap, const struct snapshot *prev)
{
	struct sec_state *s = state;
	const struct config *c = cfg_of(s);
	size_t nprocs = snap->nprocs, changed_reads = 0, new_reads = 0, old_n;
	bool any = c->enable_miner_detection || c->enable_spawn_detection ||
		   c->enable_memory_anomaly_detection;
	bool first = !s->first_done, signals = false;

	(void)prev;
	if (s->pe)
		procevents_read_execs(s->pe, on_exec, NULL, s);
	if (s->stratum)
		bpf_stratum_poll(s->stratum, on_stratum, s);
	s->now_ns = snap->mono_ns;
	if (s->cap_next < nprocs) {
		s->next = xrealloc(s->next, nprocs * sizeof(*s->next));
		s->cap_next = nprocs;
	}
	for (size_t i = 0; i < nprocs; i++) {
		const struct proc_sample *p = &snap->procs[i];
		long old = pidmap_find(&s->index, s->p, p->pid);
		struct sproc *e = &s->next[i];
		bool fresh = old < 0 || s->p[old].start_ticks != p->start_ticks;

		if (!fresh) {
			*e = s->p[old];
		} else {
			memset(e, 0, sizeof(*e));
			e->pid = p->pid;
			e->start_ticks = p->start_ticks;
			e->rss_kib = p->rss_kib;
			memcpy(e->comm, p->comm, sizeof(e->comm));
		}
		if (!any || p->pid == s->self || is_kernel_thread(p))
			goto next;
		if (c->enable_miner_detection)
			miner_sample(s, snap, p, e, fresh);
		if (fresh) {
			const struct exec_seen *x = find_exec(s, p->pid);

			if (x) { /* exec'd since the last sample: the exe state at exec is known */
				e->exe_known = true;
				e->exe_deleted = x->deleted;
			}
			e->new_unread = p->is_new;
			if (p->is_new)
				check_rss_new(s, snap, p, e);
		}
		if (e->new_unread && new_reads < MAX_NEW_MAPS) {
			/* a new process had no mappings before: all it has now is new */
			new_reads++;
			e->new_unread = false;
			check_maps(s, p, e, true);
			check_exe(s, p, e);
			check_comm(s, p, e);
			e->swept = true;
		}
		if (!fresh) {
			if (strcmp(e->comm, p->comm) || e->comm_pending_ns) {
				memcpy(e->comm, p->comm, sizeof(e->comm));
				check_comm(s, p, e);
			}
			check_rss(s, p, e, snap->elapsed_s, false);
			if (e->maps_known && changed_reads < MAX_CHANGED_MAPS &&
			    (p->vsize_kib != e->vsize_kib ||
			     (p->vm_signals && p->mm_seq != e->mm_seq))) {
				changed_reads++;
				check_maps(s, p, e, false);
			}
			if (p->vm_signals && p->exe_deleted && !e->sig_exe_deleted) {
				/* not deleted at the previous sample: that is a baseline */
				e->exe_known = true;
				e->exe_deleted = false;
				check_exe(s, p, e);
			}
		}
	next:
		e->rss_kib = p->rss_kib;
		e->sig_exe_deleted = p->exe_deleted;
		signals |= p->vm_signals;
	}
	/*
	 * A slow round robin over the rest: mprotect to RWX does not change the size, and a
	 * deleted executable changes nothing /proc/PID/stat shows. The BPF source tells
	 * both as they happen (above), so there it only takes the first look at the
	 * processes that were running before the daemon, the baselines.
	 */
	if (any && nprocs && !first) {
		/* the BPF source's first looks go 16 times faster: 600 processes in 10 s */
		int k = c->maps_checks_per_sample * (signals ? 16 : 1);

		for (size_t tries = 0; k > 0 && tries < nprocs; tries++) {
			size_t i = s->rr++ % nprocs;
			const struct proc_sample *p = &snap->procs[i];
			struct sproc *e = &s->next[i];

			if (p->pid == s->self || is_kernel_thread(p) || e->new_unread ||
			    (p->vm_signals && e->swept))
				continue;
			check_maps(s, p, e, false);
			check_exe(s, p, e);
			check_comm(s, p, e);
			e->swept = true;
			k--;
		}
	}
	s->first_done = true;
	s->nexecs = 0;
	{
		struct sproc *t = s->p;
		size_t tc = s->cap;

		old_n = s->n;
		s->p = s->next;
		s->cap = s->cap_next;
		s->next = t;
		s->cap_next = tc;
		s->n = nprocs;
	}
	pidmap_rebuild(&s->index, s->p, s->n, sizeof(*s->p), offsetof(struct sproc, pid));
	if (s->stratum)
		stratum_tidy(s, s->next, old_n);
	/* hand the findings to the snapshot; the detectors turn them into triggers */
	for (size_t i = 0; i < s->npending; i++) {
		struct sec_report *r = s->pending[i];

		if (pidmap_find(&s->index, s->p, r->pid) < 0)
			r->exited = true;
		XGROW(snap->sec, snap->sec_cap, snap->nsec + 1);
		snap->sec[snap->nsec++] = r;
	}
	s->npending = 0;
	return 0;
}

const struct collector_ops security_collector = {
	.name = "security",
	.open = sec_open,
	.sample = sec_sample,
	.close = sec_close,
	.poll_fd = sec_poll_fd,
	.ready = sec_ready,
};
