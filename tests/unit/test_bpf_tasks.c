/* test_bpf_tasks.c - the task iterator against /proc: both process sources, snapshots compared. */
#include <dirent.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/fileutil.h"
#include "base/xalloc.h"
#include "capture/collector.h"
#include "capture/config.h"
#include "sys/bpf_tasks.h"
#include "tap.h"

static void test_state_letters(void)
{
	static const struct {
		uint32_t state, exit_state;
		char want;
		const char *what;
	} cases[] = {
		{ 0x0, 0, 'R', "TASK_RUNNING" },
		{ 0x1, 0, 'S', "TASK_INTERRUPTIBLE" },
		{ 0x2, 0, 'D', "TASK_UNINTERRUPTIBLE" },
		{ 0x102, 0, 'D', "TASK_KILLABLE" },
		{ 0x4, 0, 'T', "__TASK_STOPPED" },
		{ 0x104, 0, 'T', "TASK_STOPPED (with TASK_WAKEKILL)" },
		{ 0x8, 0, 't', "TASK_TRACED" },
		{ 0x108, 0, 't', "TASK_TRACED before 6.1 (with TASK_WAKEKILL)" },
		{ 0x0, 0x20, 'Z', "EXIT_ZOMBIE" },
		{ 0x80, 0x20, 'Z', "TASK_DEAD + EXIT_ZOMBIE" },
		{ 0x0, 0x10, 'X', "EXIT_DEAD" },
		{ 0x40, 0, 'P', "TASK_PARKED" },
		{ 0x402, 0, 'I', "TASK_IDLE" },
		{ 0x1000, 0, 'D', "TASK_RTLOCK_WAIT" },
		{ 0x8000, 0, 'D', "TASK_FROZEN" },
		{ 0x2001, 0, 'S', "TASK_FREEZABLE | TASK_INTERRUPTIBLE" },
		{ 0x200, 0, 'R', "TASK_WAKING" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
		ok(bpf_tasks_state_letter(cases[i].state, cases[i].exit_state) == cases[i].want,
		   "state %#x/%#x is '%c' (%s)", cases[i].state, cases[i].exit_state, cases[i].want,
		   cases[i].what);
}

/* ------------------------------------------------------------------ test processes */

static pid_t spawn(void (*body)(void))
{
	pid_t pid = fork();

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		body();
		_exit(0);
	}
	return pid;
}

static void busy_body(void)
{
	volatile unsigned long x = 0;

	for (;;)
		x++;
}

static void sleep_body(void)
{
	for (;;)
		pause();
}

static void exit_body(void)
{
	_exit(0); /* left unreaped: a zombie */
}

static void *thread_sleep(void *arg)
{
	(void)arg;
	for (;;)
		pause();
	return NULL;
}

static void threads_body(void)
{
	pthread_t t;

	for (int i = 0; i < 3; i++)
		pthread_create(&t, NULL, thread_sleep, NULL);
	sleep_body();
}

static void memory_body(void)
{
	size_t n = 32u << 20;
	char *p = xmalloc(n);

	memset(p, 1, n);
	sleep_body();
}

/* euid nobody: a credential change leaves the process non-dumpable, so /proc/PID is root's */
static void nobody_undumpable_body(void)
{
	if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
		_exit(1);
	sleep_body();
}

/* the same made dumpable again: /proc/PID belongs to nobody */
static void nobody_body(void)
{
	if (setresgid(65534, 65534, 65534) < 0 || setresuid(65534, 65534, 65534) < 0)
		_exit(1);
	prctl(PR_SET_DUMPABLE, 1);
	sleep_body();
}

/* /proc/PID/stat of pid parsed, or -1 */
static int stat_of(pid_t pid, struct proc_stat *ps)
{
	char path[64], buf[1024];
	FILE *f;
	size_t n;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	f = fopen(path, "r");
	if (!f)
		return -1;
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	return procfs_parse_pid_stat(buf, n, ps);
}

/* Waits (up to 10 s) until pid shows state (and nthreads threads when > 0). */
static bool wait_state(pid_t pid, char state, long nthreads)
{
	uint64_t t0 = clock_mono_ns();
	struct proc_stat ps;

	while (clock_mono_ns() - t0 < 10 * NSEC_PER_SEC) {
		if (stat_of(pid, &ps) == 0 && ps.state == state &&
		    (nthreads <= 0 || ps.num_threads == nthreads))
			return true;
		usleep(10000);
	}
	return false;
}

/* ------------------------------------------------------------------ two collectors */

struct side {
	struct config cfg;
	struct collector_env env;
	void *st;
	struct snapshot snap[2];
	int cur;
};

static int side_open(struct side *sd, struct procfs *pf, enum process_source src)
{
	memset(sd, 0, sizeof(*sd));
	config_defaults(&sd->cfg);
	sd->cfg.process_source = src;
	sd->env.pf = pf;
	sd->env.cfg = &sd->cfg;
	sd->env.ticks_per_sec = sysconf(_SC_CLK_TCK);
	sd->env.max_open_fds = 100000;
	return process_collector.open(&sd->st, &sd->env);
}

static void side_close(struct side *sd)
{
	if (sd->st)
		process_collector.close(sd->st);
	snapshot_release(&sd->snap[0]);
	snapshot_release(&sd->snap[1]);
	config_release(&sd->cfg);
}

static struct snapshot *side_sample(struct side *sd)
{
	struct snapshot *s = &sd->snap[sd->cur ^= 1];
	struct timespec ts;

	snapshot_clear(s);
	s->real_ns = clock_real_ns();
	s->mono_ns = clock_mono_ns();
	clock_gettime(CLOCK_BOOTTIME, &ts);
	s->boot_ns = (uint64_t)ts.tv_sec * NSEC_PER_SEC + (uint64_t)ts.tv_nsec;
	process_collector.sample(sd->st, s, NULL);
	return s;
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)))
		n += de->d_name[0] != '.';
	if (d)
		closedir(d);
	return n;
}

/* a workqueue worker's comm carries "+desc"/"-desc" that changes as it works: compare the id */
static void comm_key(const char *comm, char *out, size_t size)
{
	size_t n = strlen(comm);

	if (!strncmp(comm, "kworker/", 8))
		n = 8 + strcspn(comm + 8, "+-");
	snprintf(out, size, "%.*s", (int)n, comm);
}

#define MAX_LISTED 65536

/* The pids /proc lists now (at most max). */
static size_t list_pids(int *out, size_t max)
{
	DIR *d = opendir("/proc");
	struct dirent *de;
	size_t n = 0;

	while (d && n < max && (de = readdir(d)))
		if (de->d_name[0] >= '1' && de->d_name[0] <= '9')
			out[n++] = atoi(de->d_name);
	if (d)
		closedir(d);
	return n;
}

static bool listed(const int *v, size_t n, int pid)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] == pid)
			return true;
	return false;
}

static const struct proc_sample *find(const struct snapshot *s, int pid)
{
	long i = snapshot_find_pid(s, pid);

	return i < 0 ? NULL : &s->procs[i];
}

enum { BUSY1, BUSY2, SLEEPER, ZOMBIE, THREADS, STOPPED, MEMORY, NOBODY, UNDUMPABLE, NKIDS };

struct kid {
	pid_t pid;
	char state;  /* the stable state it is put in */
	int threads; /* its thread count */
	uint32_t uid;
	const char *what;
};

/*
 * Everything both sources saw of processes older than `young_ticks` must agree.
 * Returns the number of disagreements, each one diag'd.
 */
static int compare_all(const struct snapshot *a, const struct snapshot *b, uint64_t young_ticks,
		       int *common)
{
	int bad = 0;
	char msg[256], ka[16], kb[16];

	*common = 0;
	for (int pass = 0; pass < 2; pass++) {
		const struct snapshot *x = pass ? b : a, *y = pass ? a : b;

		for (size_t i = 0; i < x->nprocs; i++) {
			const struct proc_sample *p = &x->procs[i], *q = find(y, p->pid);

			if (p->start_ticks >= young_ticks || kill(p->pid, 0) < 0)
				continue; /* started or ended between the two snapshots */
			if (!q) {
				snprintf(msg, sizeof(msg), "pid %d (%s) only in the %s snapshot",
					 p->pid, p->comm, pass ? "bpf" : "proc");
				diag(msg);
				bad++;
				continue;
			}
			if (pass)
				continue; /* fields compared once */
			++*common;
			comm_key(p->comm, ka, sizeof(ka));
			comm_key(q->comm, kb, sizeof(kb));
			if (p->start_ticks != q->start_ticks || p->ppid != q->ppid ||
			    p->pgid != q->pgid || p->uid != q->uid || strcmp(ka, kb)) {
				snprintf(msg, sizeof(msg),
					 "pid %d: proc says ppid %d pgid %d uid %u comm '%s' start "
					 "%llu, bpf says %d %d %u '%s' %llu",
					 p->pid, p->ppid, p->pgid, p->uid, p->comm,
					 (unsigned long long)p->start_ticks, q->ppid, q->pgid,
					 q->uid, q->comm, (unsigned long long)q->start_ticks);
				diag(msg);
				bad++;
			}
		}
	}
	return bad;
}

static void test_compare(void)
{
	struct procfs *pf = procfs_open("/proc");
	struct side a, b;
	struct kid kids[NKIDS] = {
		[BUSY1] = { .state = 'R', .threads = 1, .what = "busy" },
		[BUSY2] = { .state = 'R', .threads = 1, .what = "busy" },
		[SLEEPER] = { .state = 'S', .threads = 1, .what = "sleeping" },
		[ZOMBIE] = { .state = 'Z', .threads = 1, .what = "zombie" },
		[THREADS] = { .state = 'S', .threads = 4, .what = "4 threads" },
		[STOPPED] = { .state = 'T', .threads = 1, .what = "stopped" },
		[MEMORY] = { .state = 'S', .threads = 1, .what = "32 MiB touched" },
		[NOBODY] = { .state = 'S', .threads = 1, .uid = 65534, .what = "euid nobody" },
		[UNDUMPABLE] = { .state = 'S', .threads = 1, .what = "euid nobody, undumpable" },
	};
	void (*bodies[NKIDS])(void) = {
		busy_body,   busy_body,	   sleep_body,
		exit_body,   threads_body, sleep_body,
		memory_body, nobody_body,  nobody_undumpable_body,
	};
	struct snapshot *a1, *b1, *a2, *b2;
	int fds0, fds1, fds2, bad = 0, common = 0, status, missed = 0;
	static int before[MAX_LISTED], after[MAX_LISTED];
	size_t nbefore = 0, nafter = 0;
	uint64_t young, t0;
	char why[64];

	for (int i = 0; i < NKIDS; i++)
		kids[i].pid = spawn(bodies[i]);
	kill(kids[STOPPED].pid, SIGSTOP);
	for (int i = 0; i < NKIDS; i++)
		if (kids[i].state != 'R' &&
		    !wait_state(kids[i].pid, kids[i].state, kids[i].threads)) {
			printf("Bail out! test process '%s' never reached state %c\n", kids[i].what,
			       kids[i].state);
			exit(1);
		}
	/* the memory one has touched its pages once its rss is there */
	t0 = clock_mono_ns();
	for (struct proc_stat ps; clock_mono_ns() - t0 < 10 * NSEC_PER_SEC; usleep(10000))
		if (stat_of(kids[MEMORY].pid, &ps) == 0 && ps.rss_pages * 4 > 32 * 1024)
			break;

	fds0 = count_fds();
	ok(side_open(&a, pf, PROCESS_SOURCE_PROC) == 0, "process_source \"proc\" opens");
	ok(side_open(&b, pf, PROCESS_SOURCE_BPF) == 0, "process_source \"bpf\" opens");
	fds1 = count_fds();
	/* back to back, twice, so that the second pair has CPU over an interval */
	a1 = side_sample(&a);
	b1 = side_sample(&b);
	fds2 = count_fds();
	ok(fds2 - fds1 >= (int)a1->nprocs / 2,
	   "the proc source keeps a stat fd per process (%d fds for %zu processes)", fds2 - fds1,
	   a1->nprocs);
	ok(fds1 - fds0 < 20, "the bpf source needs a handful (%d)", fds1 - fds0);
	young = (a1->boot_ns / NSEC_PER_SEC - 2) * (uint64_t)sysconf(_SC_CLK_TCK);
	t0 = clock_mono_ns();
	while (clock_mono_ns() - t0 < 500000000ULL)
		usleep(20000);
	/* a real disagreement repeats; a process changing between two reads does not */
	for (int attempt = 0; attempt < 3; attempt++) {
		a2 = side_sample(&a);
		nbefore = list_pids(before, MAX_LISTED);
		b2 = side_sample(&b);
		nafter = list_pids(after, MAX_LISTED);
		bad = compare_all(a2, b2, young, &common);
		if (!bad)
			break;
		usleep(200000);
	}
	ok(bad == 0 && common > 20,
	   "both sources see the same processes with the same ppid, pgid, uid, comm and start "
	   "(%d in common)",
	   common);
	/* a process that was there before the sample and still is after it must be in it */
	for (size_t i = 0; i < nbefore; i++)
		if (listed(after, nafter, before[i]) && !find(b2, before[i]))
			missed++;
	ok(b1->nprocs > 20 && missed == 0,
	   "the bpf source misses no process that lived through its sample (%zu, %d missed)",
	   b2->nprocs, missed);

	for (int i = 0; i < NKIDS; i++) {
		const struct proc_sample *p = find(a2, kids[i].pid), *q = find(b2, kids[i].pid);
		const char *w = kids[i].what;

		if (!p || !q) {
			ok(0, "%s: seen by both (proc %s, bpf %s)", w, p ? "yes" : "no",
			   q ? "yes" : "no");
			continue;
		}
		ok(p->state == kids[i].state && q->state == kids[i].state,
		   "%s: state %c from both (proc %c, bpf %c)", w, kids[i].state, p->state,
		   q->state);
		ok(p->threads == (uint32_t)kids[i].threads && q->threads == p->threads,
		   "%s: %d threads from both (proc %u, bpf %u)", w, kids[i].threads, p->threads,
		   q->threads);
		ok(p->uid == kids[i].uid && q->uid == kids[i].uid, "%s: uid %u from both (%u, %u)",
		   w, kids[i].uid, p->uid, q->uid);
		ok(p->ppid == getpid() && q->ppid == getpid() && p->pgid == q->pgid &&
			   !strcmp(p->comm, q->comm) && p->start_ticks == q->start_ticks &&
			   p->start_time_ns + 1000000 > q->start_time_ns &&
			   q->start_time_ns + 1000000 > p->start_time_ns,
		   "%s: ppid, pgid, comm '%s', start ticks identical (wall clock within 1 ms)", w,
		   q->comm);
		ok(!strcmp(p->cmdline->s, q->cmdline->s), "%s: the same command line", w);
		ok(p->rss_kib + 8 >= q->rss_kib && q->rss_kib + 8 >= p->rss_kib,
		   "%s: rss within two pages (proc %llu KiB, bpf %llu KiB)", w,
		   (unsigned long long)p->rss_kib, (unsigned long long)q->rss_kib);
		if (kids[i].state == 'R')
			/* however little CPU a loaded machine leaves it, both read the same */
			ok(p->cpu_pct > 1 && q->cpu_pct > 1 &&
				   fabsf(p->cpu_pct - q->cpu_pct) <=
					   5 + 0.2f * fmaxf(p->cpu_pct, q->cpu_pct),
			   "%s: CPU %% agrees (proc %.1f, bpf %.1f)", w, p->cpu_pct, q->cpu_pct);
		else
			ok(p->cpu_pct < 5 && q->cpu_pct < 5, "%s: CPU %% low in both (%.1f, %.1f)",
			   w, p->cpu_pct, q->cpu_pct);
	}
	ok(find(b2, kids[MEMORY].pid) && find(b2, kids[MEMORY].pid)->rss_kib > 32 * 1024,
	   "the touched 32 MiB are in the bpf source's rss");
	ok(find(b2, kids[ZOMBIE].pid) && find(b2, kids[ZOMBIE].pid)->rss_kib == 0,
	   "a zombie has no rss");
	{
		const struct proc_sample *k = find(b2, 2);

		snprintf(why, sizeof(why), "%s", k ? k->comm : "(none)");
		ok(k && k->rss_kib == 0 && k->uid == 0 && !strcmp(k->comm, "kthreadd") &&
			   k->cmdline->len == 0,
		   "kthreadd: no rss, root, empty command line (comm '%s')", why);
	}

	side_close(&a);
	side_close(&b);
	kill(kids[STOPPED].pid, SIGCONT);
	for (int i = 0; i < NKIDS; i++) {
		kill(kids[i].pid, SIGKILL);
		waitpid(kids[i].pid, &status, 0);
	}
	procfs_free(pf);
}

/* ------------------------------------------------------------------ one record */

/* The iterator's record of pid (copied), or false when it has none. */
static bool record_of(struct bpf_tasks *bt, pid_t pid, struct task_rec *out)
{
	const struct task_rec *recs;
	ssize_t n = bpf_tasks_read(bt, &recs);

	for (ssize_t i = 0; i < n; i++)
		if (recs[i].tgid == (uint32_t)pid) {
			*out = recs[i];
			return true;
		}
	return false;
}

static int io_of(pid_t pid, struct proc_io *io)
{
	char path[64], buf[1024];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/io", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -1;
	n = read(fd, buf, sizeof(buf));
	close(fd);
	return n > 0 ? procfs_parse_pid_io(buf, (size_t)n, io) : -1;
}

/* The run-queue waits of pid's live threads (PID/task/TID/schedstat's second field), ns. */
static unsigned long long wait_of(pid_t pid)
{
	char path[64], buf[320];
	unsigned long long sum = 0, run, wait;
	struct dirent *d;
	DIR *dir;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	dir = opendir(path);
	while (dir && (d = readdir(dir))) {
		FILE *f;

		if (d->d_name[0] == '.')
			continue;
		snprintf(buf, sizeof(buf), "/proc/%d/task/%s/schedstat", (int)pid, d->d_name);
		f = fopen(buf, "r");
		if (f && fscanf(f, "%llu %llu", &run, &wait) == 2)
			sum += wait;
		if (f)
			fclose(f);
	}
	if (dir)
		closedir(dir);
	return sum;
}

static int ready_pipe[2], go_pipe[2];

/* writes 12345 bytes to /dev/null from a second thread, which then exits */
static void *thread_write(void *arg)
{
	static char buf[12345];
	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	(void)arg;
	if (fd >= 0) {
		if (write(fd, buf, sizeof(buf)) < 0)
			_exit(2);
		close(fd);
	}
	return NULL;
}

/* I/O from the leader, from a live thread and from a thread that exited; then mmaps when told */
static void io_body(void)
{
	static char buf[7000];
	pthread_t t;
	char c = 0;

	int fd = open("/dev/null", O_WRONLY | O_CLOEXEC);

	if (fd < 0 || write(fd, buf, sizeof(buf)) != (ssize_t)sizeof(buf))
		_exit(2);
	close(fd);
	pthread_create(&t, NULL, thread_write, NULL);
	pthread_join(t, NULL);
	pthread_create(&t, NULL, thread_sleep, NULL);
	if (write(ready_pipe[1], "r", 1) != 1 || read(go_pipe[0], &c, 1) != 1)
		_exit(2);
	if (mmap(NULL, 1 << 20, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0) ==
	    MAP_FAILED)
		_exit(2);
	if (write(ready_pipe[1], "m", 1) != 1)
		_exit(2);
	sleep_body();
}

/*
 * The record's own fields against /proc: the group's I/O counters (leader, live and exited
 * threads), the mapping sequence that moves with an mmap and only then, and the executable
 * deleted while it runs.
 */
static void test_record_fields(void)
{
	struct bpf_tasks *bt = NULL;
	struct strbuf why = STRBUF_INIT;
	struct task_rec r1 = { 0 }, r2 = { 0 }, r3 = { 0 };
	struct proc_io io;
	pid_t kid, del;
	char c, tmpl[] = "/tmp/spiketrace-exe.XXXXXX";
	int status, fd;

	ok(bpf_tasks_new(&bt, &why) == 0, "the iterator loads (%s)", strbuf_str(&why));
	strbuf_release(&why);
	if (pipe(ready_pipe) < 0 || pipe(go_pipe) < 0) {
		printf("Bail out! pipe\n");
		exit(1);
	}
	kid = spawn(io_body);
	ok(read(ready_pipe[0], &c, 1) == 1 && c == 'r', "the I/O process did its writes");
	ok(wait_state(kid, 'S', 2), "and sleeps with two threads");
	ok(record_of(bt, kid, &r1) && io_of(kid, &io) == 0, "a record and PID/io for it");
	ok(r1.flags & TASK_REC_IO, "the record carries I/O counters");
	/* (its own, not leftovers of the test's: the fork started them at 0) */
	ok(r1.wchar == io.wchar && r1.rchar == io.rchar && r1.syscw == io.syscw &&
		   r1.syscr == io.syscr && r1.write_bytes == io.write_bytes &&
		   r1.read_bytes == io.read_bytes,
	   "they are PID/io's: wchar %llu (PID/io %llu), syscw %llu (%llu)",
	   (unsigned long long)r1.wchar, (unsigned long long)io.wchar,
	   (unsigned long long)r1.syscw, (unsigned long long)io.syscw);
	ok(r1.wchar >= 7000 + 12345, "the exited thread's 12345 bytes are in (wchar %llu)",
	   (unsigned long long)r1.wchar);
	ok(!(r1.flags & TASK_REC_EXE_DELETED), "its executable is not deleted");
	ok((r1.flags & TASK_REC_WAIT) && r1.wait_ns == wait_of(kid),
	   "the run-queue wait of its two sleeping threads is PID/task/*/schedstat's (%llu, %llu)",
	   (unsigned long long)r1.wait_ns, wait_of(kid));
	if (r1.flags & TASK_REC_MM_SEQ) {
		bool got = record_of(bt, kid, &r2);

		ok(got && r2.mm_seq == r1.mm_seq, "an idle process's mapping sequence stays (%u, %u)",
		   r1.mm_seq, r2.mm_seq);
		ok(write(go_pipe[1], "g", 1) == 1 && read(ready_pipe[0], &c, 1) == 1 && c == 'm',
		   "it mmaps when told");
		got = record_of(bt, kid, &r3);
		ok(got && r3.mm_seq != r2.mm_seq, "the sequence moved with the mmap (%u, %u)",
		   r2.mm_seq, r3.mm_seq);
	} else {
		printf("# SKIP no mm_lock_seq in this kernel (before 6.4 or without per-VMA locks)\n");
	}
	kill(kid, SIGKILL);
	waitpid(kid, &status, 0);

	/* a copy of sleep, run, then unlinked */
	fd = mkstemp(tmpl);
	ok(fd >= 0 && fchmod(fd, 0700) == 0, "a copy of sleep at %s", tmpl);
	{
		char *src = NULL;
		size_t len = 0;

		bool copied = file_read_all("/bin/sleep", 64u << 20, &src, &len) == 0 &&
			      write(fd, src, len) == (ssize_t)len;

		ok(copied, "copied (%zu bytes)", len);
		free(src);
		close(fd);
	}
	del = fork();
	if (del == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execl(tmpl, "sleep", "1000", (char *)NULL);
		_exit(127);
	}
	{
		bool runs = wait_state(del, 'S', 1) && record_of(bt, del, &r1);

		ok(runs && !strncmp(r1.comm, tmpl + 5, 15), "it runs (comm '%s')", r1.comm);
	}
	ok(!(r1.flags & TASK_REC_EXE_DELETED), "not deleted yet");
	{
		/* a sleeping process gets a full record at least every few runs of the walker */
		bool unlinked = unlink(tmpl) == 0, seen = false;

		for (int i = 0; unlinked && i < 20 && !seen; i++)
			seen = record_of(bt, del, &r2) && (r2.flags & TASK_REC_EXE_DELETED);
		ok(seen, "deleted once unlinked, as PID/exe says (within 20 reads)");
	}
	kill(del, SIGKILL);
	waitpid(del, &status, 0);
	bpf_tasks_free(bt);
}

/* ------------------------------------------------------------------ walker and iterator */

static int cmp_tgid(const void *a, const void *b)
{
	const struct task_rec *x = a, *y = b;

	return (x->tgid > y->tgid) - (x->tgid < y->tgid);
}

/* A sorted copy of one read. */
static struct task_rec *read_sorted(struct bpf_tasks *bt, ssize_t *n)
{
	const struct task_rec *recs;
	struct task_rec *copy;

	*n = bpf_tasks_read(bt, &recs);
	if (*n <= 0)
		return NULL;
	copy = xmalloc((size_t)*n * sizeof(*copy));
	memcpy(copy, recs, (size_t)*n * sizeof(*copy));
	qsort(copy, (size_t)*n, sizeof(*copy), cmp_tgid);
	return copy;
}

/*
 * The walker (6.7+) and the iterator fill records with the same code: the same processes,
 * and for those that did not run in between (same CPU time) the same fields to the byte.
 * A walker whose array is too small grows it and still returns every process.
 */
static void test_walker_vs_iterator(void)
{
	struct bpf_tasks_opts wo = { .walker_cap = 8 }, io = { .iterator_only = true };
	struct bpf_tasks *w = NULL, *it = NULL;
	struct strbuf why = STRBUF_INIT;
	struct task_rec *a, *b;
	ssize_t na, nb, i = 0, j = 0;
	int missing = 0, differ = 0, same = 0;
	bool running;

	ok(bpf_tasks_open(&it, &io, &why) == 0 && !bpf_tasks_walks(it),
	   "the iterator alone loads (%s)", strbuf_str(&why));
	strbuf_reset(&why);
	if (bpf_tasks_open(&w, &wo, &why) < 0 || !bpf_tasks_walks(w)) {
		struct utsname u;
		int major = 0, minor = 0;

		/* open-coded task iterators came with 6.7: from there the walker must load */
		uname(&u);
		sscanf(u.release, "%d.%d", &major, &minor);
		if (major > 6 || (major == 6 && minor >= 7)) {
			ok(0, "the walker loads on %s (run with -l debug for the verifier's reason)",
			   u.release);
		} else {
			printf("ok %d # SKIP no task walker before 6.7 (this is %s)\n", ++tap_count,
			       u.release);
		}
		bpf_tasks_free(w);
		bpf_tasks_free(it);
		strbuf_release(&why);
		return;
	}
	ok(1, "the walker loads with an 8-record array");
	/*
	 * A sleeping process's RSS may still move between the two reads (reclaim): up to three
	 * tries for one where every quiet record agrees.
	 */
	for (int attempt = 0; attempt < 3; attempt++) {
		a = read_sorted(w, &na);
		b = read_sorted(it, &nb);
		i = j = 0;
		missing = differ = same = 0;
		while (a && b && i < na && j < nb) {
			if (a[i].tgid != b[j].tgid) {
				uint32_t pid = a[i].tgid < b[j].tgid ? a[i++].tgid : b[j++].tgid;

				if (kill((pid_t)pid, 0) == 0) { /* alive through both reads */
					printf("# pid %u read by one program only\n", pid);
					missing++;
				}
				continue;
			}
			/*
			 * a wakeup not yet run moves the state alone (rcu_preempt, every few ms);
			 * reclaim or an exit's teardown moves the RSS of a task that did not run
			 */
			running = a[i].state == 0 || b[j].state == 0; /* TASK_RUNNING */
			a[i].state = b[j].state;
			a[i].rss_pages = b[j].rss_pages;
			/* a task on a CPU now has run time its cpu_ns does not show yet */
			if (!running && a[i].cpu_ns == b[j].cpu_ns && a[i].tgid != (uint32_t)getpid()) {
				if (memcmp(&a[i], &b[j], sizeof(a[i]))) {
					const unsigned char *x = (const void *)&a[i],
							    *y = (const void *)&b[j];
					size_t at = 0;

					while (x[at] == y[at])
						at++;
					printf("# pid %u (%s): the records differ from byte %zu\n",
					       a[i].tgid, a[i].comm, at);
					differ++;
				} else {
					same++;
				}
			}
			i++;
			j++;
		}
		free(a);
		free(b);
		if (!missing && !differ)
			break;
	}
	ok(na > 20 && nb > 20, "both read processes (walker %zd, iterator %zd)", na, nb);
	ok(missing == 0, "the same processes from both (%d missing)", missing);
	ok(differ == 0 && same > 20, "identical records for the %d that did not run between", same);
	bpf_tasks_free(w);
	bpf_tasks_free(it);
	strbuf_release(&why);
}

/* A fixture root is not what the iterator sees: "bpf" refuses, "auto" reads the fixture. */
static void test_fixture_root(void)
{
	char root[512];
	struct procfs *pf;
	struct side sd;
	struct snapshot *s;

	snprintf(root, sizeof(root), "%s/proc", fixtures_dir());
	pf = procfs_open(root);
	ok(side_open(&sd, pf, PROCESS_SOURCE_BPF) < 0,
	   "process_source \"bpf\" over a fixture tree fails to open");
	side_close(&sd);
	ok(side_open(&sd, pf, PROCESS_SOURCE_AUTO) == 0, "\"auto\" over a fixture tree opens");
	s = side_sample(&sd);
	is_int(s->nprocs, 3, "and reads the fixture's three processes");
	side_close(&sd);
	procfs_free(pf);
}

int main(void)
{
	struct bpf_tasks *bt = NULL;
	struct strbuf why = STRBUF_INIT;

	if (bpf_tasks_new(&bt, &why) < 0)
		skip_all(strbuf_str(&why)); /* not root, or a kernel without task iterators */
	bpf_tasks_free(bt);
	test_state_letters();
	strbuf_release(&why);
	test_compare();
	test_record_fields();
	test_walker_vs_iterator();
	test_fixture_root();
	return done_testing();
}
