/* test_series.c - unit tests of profile/series: a fixture proc tree changed between samples, and
 * the real /proc. */
#include "profile/series.h"

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/xalloc.h"
#include "sys/procfs.h"
#include "tap.h"

static char tmp_root[] = "/tmp/test_series.XXXXXX";
static long hz, page_kib;

/* What a fixture process shows in its stat, status and io files. */
struct fproc {
	int pid, ppid;
	const char *comm;
	char state;
	uint64_t utime, stime;
	long threads;
	long rss_pages;
	uint64_t starttime;
	uint64_t rchar, wchar, read_bytes, write_bytes;
	uint64_t vcs, nvcs;
};

static void write_file(const char *path, const char *data)
{
	FILE *f = fopen(path, "w"); /* truncates in place: kept-open fds see the new text */

	if (!f || fputs(data, f) == EOF || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

/* Writes (or rewrites) the files of p under the fixture root. */
static void put_proc(const struct fproc *p)
{
	char *dir = xasprintf("%s/%d", tmp_root, p->pid), *path, *text;

	mkdir(dir, 0755);
	text = xasprintf("%d (%s) %c %d %d %d 0 -1 4194304 10 0 0 0 %llu %llu 0 0 20 0 %ld 0 %llu "
			 "10000000 %ld 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 "
			 "0\n",
			 p->pid, p->comm, p->state, p->ppid, p->pid, p->pid,
			 (unsigned long long)p->utime, (unsigned long long)p->stime, p->threads,
			 (unsigned long long)p->starttime, p->rss_pages);
	path = xasprintf("%s/stat", dir);
	write_file(path, text);
	free(path);
	free(text);
	text = xasprintf("Name:\t%s\nState:\t%c (x)\nPid:\t%d\nPPid:\t%d\nThreads:\t%ld\n"
			 "voluntary_ctxt_switches:\t%llu\nnonvoluntary_ctxt_switches:\t%llu\n",
			 p->comm, p->state, p->pid, p->ppid, p->threads, (unsigned long long)p->vcs,
			 (unsigned long long)p->nvcs);
	path = xasprintf("%s/status", dir);
	write_file(path, text);
	free(path);
	free(text);
	text = xasprintf("rchar: %llu\nwchar: %llu\nsyscr: 1\nsyscw: 1\nread_bytes: %llu\n"
			 "write_bytes: %llu\ncancelled_write_bytes: 0\n",
			 (unsigned long long)p->rchar, (unsigned long long)p->wchar,
			 (unsigned long long)p->read_bytes, (unsigned long long)p->write_bytes);
	path = xasprintf("%s/io", dir);
	write_file(path, text);
	free(path);
	free(text);
	path = xasprintf("%s/cmdline", dir);
	text = xasprintf("%s%c--flag", p->comm, '\0');
	{
		FILE *f = fopen(path, "w");

		if (!f || fwrite(text, 1, strlen(p->comm) + 7, f) != strlen(p->comm) + 7 ||
		    fclose(f) != 0) {
			perror(path);
			exit(1);
		}
	}
	free(path);
	free(text);
	free(dir);
}

static void remove_proc(int pid)
{
	char *cmd = xasprintf("rm -rf '%s/%d'", tmp_root, pid);

	if (system(cmd) != 0)
		diag("could not remove a fixture process");
	free(cmd);
}

static void remove_tree(void)
{
	char *cmd = xasprintf("rm -rf '%s'", tmp_root);

	if (system(cmd) != 0)
		diag("could not remove the temporary tree");
	free(cmd);
}

#define SEC (1000000000ULL)
#define T0  (5 * SEC) /* the fake monotonic clock of the first sample */
#define R0  (1795297890ULL * SEC)

static const struct series_row *row_of(const struct series *s, size_t sample, int pid)
{
	size_t n, nrows;
	const struct series_sample *sm = series_samples(s, &n);
	const struct series_row *rows = series_rows(s, &nrows);

	if (sample >= n)
		return NULL;
	for (size_t i = sm[sample].first_row; i < sm[sample].first_row + sm[sample].processes; i++)
		if (rows[i].pid == pid)
			return &rows[i];
	return NULL;
}

static const struct series_proc *proc_of(const struct series *s, int pid)
{
	size_t n;
	const struct series_proc *p = series_procs(s, &n);

	for (size_t i = 0; i < n; i++)
		if (p[i].pid == pid)
			return &p[i];
	return NULL;
}

/* One process: CPU% of one CPU, RSS, threads and the counters over each interval. */
static void test_single(struct procfs *pf)
{
	struct fproc root = { 100, 1, "app", 'R', 100, 20, 4, 1000, 5000, 0, 0, 0, 0, 7, 1 };
	struct series *s = series_new(pf, 100, false);
	const struct series_sample *sm;
	const struct series_row *r;
	struct series_info info;
	size_t n;

	put_proc(&root);
	is_int(series_sample(s, T0, R0), 0, "single: the first call primes");
	sm = series_samples(s, &n);
	is_int(n, 0, "single: no sample from the first call");

	/* one second: 4 busy threads = 4 * hz ticks = 400 % of one CPU */
	root.utime += (uint64_t)(3 * hz);
	root.stime += (uint64_t)hz;
	root.rss_pages = 2000;
	root.read_bytes = 8192;
	root.write_bytes = 4096;
	root.rchar = 100000;
	root.wchar = 50;
	root.vcs = 17;
	root.nvcs = 4;
	put_proc(&root);
	is_int(series_sample(s, T0 + SEC, R0 + SEC), 0, "single: second call");
	sm = series_samples(s, &n);
	is_int(n, 1, "single: one sample");
	is_double(sm[0].t, 1.0, 1e-9, "single: t is seconds since the first call");
	is_double(sm[0].cpu_pct, 400.0, 1e-6, "single: 4 busy threads read 400 %%");
	is_int(sm[0].rss_kib, 2000 * page_kib, "single: rss in KiB from pages");
	is_int(sm[0].threads, 4, "single: threads");
	ok(sm[0].read_bytes == 8192 && sm[0].write_bytes == 4096 && sm[0].rchar == 100000 &&
		   sm[0].wchar == 50,
	   "single: io bytes during the interval");
	ok(sm[0].voluntary_ctxsw == 10 && sm[0].nonvoluntary_ctxsw == 3,
	   "single: context switches during the interval");
	r = row_of(s, 0, 100);
	ok(r && r->ppid == 1 && strcmp(r->comm, "app") == 0 && !r->io_denied,
	   "single: the root's row");

	/* half a second at one CPU, an exec to a new name */
	root.utime += (uint64_t)(hz / 2);
	root.comm = "app2";
	put_proc(&root);
	is_int(series_sample(s, T0 + SEC + SEC / 2, R0), 0, "single: third call");
	sm = series_samples(s, &n);
	is_double(sm[1].cpu_pct, 100.0, 1e-6, "single: one CPU over half a second");
	ok(sm[1].read_bytes == 0 && sm[1].voluntary_ctxsw == 0,
	   "single: unchanged counters give 0");
	series_get_info(s, &info);
	ok(info.root == 100 && !info.children && info.started && info.start_real_ns == R0,
	   "single: info");
	is_str(info.root_cmdline, "app2 --flag", "single: cmdline re-read after the exec");
	is_str(series_procs(s, &n)[0].comm, "app2", "single: comm follows the exec");

	/* a zombie: its last ticks count, then it has ended */
	root.state = 'Z';
	root.utime += (uint64_t)(hz / 4);
	root.rss_pages = 0;
	put_proc(&root);
	is_int(series_sample(s, T0 + 2 * SEC, R0), -ESRCH,
	       "single: a zombie root ends the profile");
	sm = series_samples(s, &n);
	ok(n == 3 && fabs(sm[2].cpu_pct - 50.0) < 1e-6 && sm[2].rss_kib == 0,
	   "single: the zombie's last row is recorded");
	is_int(series_sample(s, T0 + 3 * SEC, R0), -ESRCH, "single: -ESRCH after the end");
	series_samples(s, &n);
	is_int(n, 3, "single: no sample after the end");
	ok(series_procs(s, &n)[0].ended, "single: the root is marked ended");
	series_free(s);
	remove_proc(100);

	s = series_new(pf, 100, false);
	is_int(series_sample(s, T0, R0), -ESRCH, "single: a missing root gives -ESRCH at once");
	series_free(s);
	series_free(NULL);
}

/* A tree: descendants join, orphans stay, unrelated processes never join, exits end rows. */
static void test_children(struct procfs *pf)
{
	struct fproc root = { 100, 1, "make", 'S', 10, 0, 1, 100, 5000, 0, 0, 0, 0, 0, 0 };
	struct fproc cc = { 101, 100, "cc", 'R', 5, 0, 1, 200, 5001, 0, 0, 0, 0, 0, 0 };
	struct fproc other = { 200, 1, "other", 'R', 999, 0, 1, 300, 10, 0, 0, 0, 0, 0, 0 };
	struct fproc as = { 102, 101, "as", 'R', 0, 0, 1, 50, 5100, 0, 0, 0, 0, 0, 0 };
	struct fproc ld = { 150, 102, "ld", 'R', 0, 0, 2, 60, 5101, 0, 0, 0, 0, 0, 0 };
	struct fproc stranger = { 300, 1, "stranger", 'R', 0, 0, 1, 10, 5200, 0, 0, 0, 0, 0, 0 };
	struct fproc reuse = { 101, 100, "cc-again", 'R', 0, 0, 1, 10, 5300, 0, 0, 0, 0, 0, 0 };
	struct series *s = series_new(pf, 100, true);
	const struct series_sample *sm;
	const struct series_proc *p;
	struct series_summary sum;
	size_t n;

	put_proc(&root);
	put_proc(&cc);
	put_proc(&other);
	is_int(series_sample(s, T0, R0), 0, "tree: the first call primes");

	/* cc forks as, which forks ld (ld's parent may come after it in the listing) */
	cc.utime += (uint64_t)hz;
	cc.read_bytes = 5000;
	other.utime += (uint64_t)(10 * hz);
	as.utime = (uint64_t)(hz / 2);
	ld.utime = (uint64_t)(hz / 4);
	ld.read_bytes = 1000;
	put_proc(&cc);
	put_proc(&other);
	put_proc(&as);
	put_proc(&ld);
	is_int(series_sample(s, T0 + SEC, R0), 0, "tree: second call");
	sm = series_samples(s, &n);
	is_int(n, 1, "tree: one sample");
	is_int(sm[0].processes, 4, "tree: root, child, grandchild and great-grandchild");
	is_double(sm[0].cpu_pct, 175.0, 1e-6,
		  "tree: CPU sums the tree; newcomers count from their start");
	ok(row_of(s, 0, 200) == NULL, "tree: an unrelated process is not profiled");
	is_int(sm[0].threads, 5, "tree: threads summed");
	is_int(sm[0].rss_kib, (100 + 200 + 50 + 60) * page_kib, "tree: rss summed");
	is_int(sm[0].read_bytes, 6000, "tree: a newcomer's io counts from its start");
	ok(row_of(s, 0, 150) && row_of(s, 0, 150)->ppid == 102, "tree: ld's row and parent");

	/* cc exits (reaped: gone from the listing); as is orphaned to 1; a stranger appears */
	remove_proc(101);
	root.read_bytes = 5300; /* the kernel added the reaped child's I/O, 300 of it new */
	put_proc(&root);
	as.ppid = 1;
	as.utime += (uint64_t)hz;
	put_proc(&as);
	put_proc(&stranger);
	is_int(series_sample(s, T0 + 2 * SEC, R0), 0, "tree: third call");
	sm = series_samples(s, &n);
	is_int(sm[1].processes, 3, "tree: cc has ended, its orphan stays");
	ok(row_of(s, 1, 101) == NULL && row_of(s, 1, 300) == NULL,
	   "tree: no row for the reaped child nor the stranger");
	ok(row_of(s, 1, 102) && row_of(s, 1, 102)->ppid == 1 &&
		   fabs(row_of(s, 1, 102)->cpu_pct - 100.0) < 1e-6,
	   "tree: the orphan is still profiled under its new parent");
	ok(row_of(s, 1, 100) && row_of(s, 1, 100)->read_bytes == 300 && sm[1].read_bytes == 300,
	   "tree: a reaped child's I/O is not counted twice in its parent");
	p = proc_of(s, 101);
	ok(p && p->ended && p->rows == 1 && p->last_t == 1.0, "tree: cc's record ends at t=1");

	/* pid 101 comes back as a new child of the root: a new process, counted from its start */
	reuse.utime = (uint64_t)(hz / 10);
	put_proc(&reuse);
	/* ld becomes a zombie: a last row, then ended */
	ld.state = 'Z';
	ld.utime += (uint64_t)(hz / 2);
	put_proc(&ld);
	is_int(series_sample(s, T0 + 3 * SEC, R0), 0, "tree: fourth call");
	ok(row_of(s, 2, 101) && strcmp(row_of(s, 2, 101)->comm, "cc-again") == 0 &&
		   fabs(row_of(s, 2, 101)->cpu_pct - 10.0) < 1e-6,
	   "tree: a reused pid joins as a new process");
	ok(row_of(s, 2, 150) && fabs(row_of(s, 2, 150)->cpu_pct - 50.0) < 1e-6,
	   "tree: the zombie's final ticks count");
	is_int(series_sample(s, T0 + 4 * SEC, R0), 0, "tree: fifth call");
	ok(row_of(s, 3, 150) == NULL, "tree: the zombie is not read again (nor re-adopted)");

	/* everyone goes */
	remove_proc(100);
	remove_proc(101);
	remove_proc(102);
	remove_proc(150);
	is_int(series_sample(s, T0 + 5 * SEC, R0), -ESRCH,
	       "tree: -ESRCH when the whole tree is gone");
	series_samples(s, &n);
	is_int(n, 4, "tree: no sample without rows");

	p = series_procs(s, &n);
	is_int(n, 5, "tree: five processes in the record (101 twice)");
	ok(p[0].pid == 100 && p[0].ended, "tree: the root is record 0");
	p = proc_of(s, 102);
	ok(p && p->rows == 4 && p->first_t == 1.0 && p->last_t == 4.0 && p->ppid == 1,
	   "tree: as's record (first_t, last_t, new parent)");
	is_double(p ? p->cpu_avg_pct : 0, 37.5, 1e-6, "tree: as's CPU average over its life");
	is_double(p ? p->cpu_max_pct : 0, 100.0, 1e-6, "tree: as's CPU max");
	p = proc_of(s, 150);
	ok(p && p->threads_max == 2 && p->rss_max_kib == (uint64_t)(60 * page_kib) &&
		   p->read_bytes == 1000,
	   "tree: ld's peaks and io total");

	series_summary(s, &sum);
	is_int(sum.sample_count, 4, "tree: summary sample count");
	is_int(sum.processes_max, 4, "tree: summary processes max");
	series_summary_release(&sum);
	series_free(s);
	remove_proc(200);
	remove_proc(300);
}

/* Statistics: percentiles, averages and the z-score spikes on a fixture of 20 samples. */
static void test_summary(struct procfs *pf)
{
	struct fproc root = { 400, 1, "spiky", 'R', 0, 0, 1, 100, 5000, 0, 0, 0, 0, 0, 0 };
	struct series *s = series_new(pf, 400, false);
	struct series_summary sum;

	put_proc(&root);
	series_summary(s, &sum);
	ok(sum.sample_count == 0 && sum.cpu_avg_pct == 0 && sum.nspikes == 0 && !sum.spikes,
	   "summary: empty series");
	series_sample(s, T0, R0);
	for (int i = 1; i <= 20; i++) {
		/* 10 % every second, but 100 % at the 15th; RSS grows 100 pages a sample */
		root.utime += (uint64_t)(i == 15 ? hz : hz / 10);
		root.rss_pages = 100 + 100 * i;
		put_proc(&root);
		series_sample(s, T0 + (uint64_t)i * SEC, R0);
	}
	series_summary(s, &sum);
	is_int(sum.sample_count, 20, "summary: 20 samples");
	is_double(sum.duration_s, 20.0, 1e-9, "summary: duration is the last t");
	is_double(sum.cpu_avg_pct, 14.5, 1e-6, "summary: cpu avg");
	is_double(sum.cpu_max_pct, 100.0, 1e-6, "summary: cpu max");
	ok(fabs(sum.cpu_p50_pct - 10) < 1e-6 && fabs(sum.cpu_p95_pct - 10) < 1e-6 &&
		   fabs(sum.cpu_p99_pct - 100) < 1e-6,
	   "summary: cpu p50/p95/p99 (nearest rank)");
	is_double(sum.cpu_stddev_pct, sqrt(384.75), 1e-6, "summary: population stddev");
	is_int(sum.nspikes, 1, "summary: one spike above mean + 3 sigma");
	if (sum.nspikes == 1) {
		ok(sum.spikes[0].sample == 14 && sum.spikes[0].t == 15.0, "summary: spike at t=15");
		is_double(sum.spikes[0].z, 85.5 / sqrt(384.75), 1e-6, "summary: spike z-score");
	}
	ok(sum.rss_max_kib == (uint64_t)(2100 * page_kib) &&
		   sum.rss_p50_kib == (uint64_t)(1100 * page_kib) &&
		   sum.rss_p95_kib == (uint64_t)(2000 * page_kib) &&
		   sum.rss_p99_kib == (uint64_t)(2100 * page_kib),
	   "summary: rss max and percentiles");
	is_double(sum.rss_avg_kib, 1150.0 * (double)page_kib, 1e-6, "summary: rss avg");
	series_summary_release(&sum);
	ok(sum.spikes == NULL && sum.nspikes == 0, "summary: release empties");
	series_free(s);
	remove_proc(400);

	/* a flat series has no spikes (sigma 0) */
	root.pid = 401;
	root.utime = 0;
	s = series_new(pf, 401, false);
	put_proc(&root);
	series_sample(s, T0, R0);
	for (int i = 1; i <= 12; i++) {
		root.utime += (uint64_t)(hz / 2);
		put_proc(&root);
		series_sample(s, T0 + (uint64_t)i * SEC, R0);
	}
	series_summary(s, &sum);
	ok(sum.nspikes == 0 && fabs(sum.cpu_avg_pct - 50) < 1e-6, "summary: flat 50 %%, no spikes");
	series_summary_release(&sum);
	series_free(s);
	remove_proc(401);
}

/* Writes PID/task/TID/status with the context switches of one thread. */
static void put_task(int pid, int tid, uint64_t vcs, uint64_t nvcs)
{
	char *dir = xasprintf("%s/%d/task/%d", tmp_root, pid, tid), *path, *text;
	char *cmd = xasprintf("mkdir -p '%s'", dir);

	if (system(cmd) != 0)
		diag("could not create a task directory");
	text = xasprintf("Name:\tapp\nvoluntary_ctxt_switches:\t%llu\n"
			 "nonvoluntary_ctxt_switches:\t%llu\n",
			 (unsigned long long)vcs, (unsigned long long)nvcs);
	path = xasprintf("%s/status", dir);
	write_file(path, text);
	free(path);
	free(text);
	free(cmd);
	free(dir);
}

/* Context switches are every thread's: PID/status has the leader's alone. */
static void test_threads(struct procfs *pf)
{
	struct fproc root = { 300, 1, "app", 'R', 0, 0, 3, 100, 5000, 0, 0, 0, 0, 7, 2 };
	struct series *s = series_new(pf, 300, false);
	const struct series_sample *sm;
	char *gone = xasprintf("rm -rf '%s/300/task/302'", tmp_root);
	size_t n;

	put_proc(&root);
	put_task(300, 300, 7, 2);
	put_task(300, 301, 100, 50);
	put_task(300, 302, 10, 1000);
	is_int(series_sample(s, T0, R0), 0, "threads: the first call primes");
	put_task(300, 300, 8, 2);
	put_task(300, 301, 130, 90);
	put_task(300, 302, 15, 1100);
	is_int(series_sample(s, T0 + SEC, R0 + SEC), 0, "threads: second call");
	sm = series_samples(s, &n);
	ok(n == 1 && sm[0].voluntary_ctxsw == 1 + 30 + 5 && sm[0].nonvoluntary_ctxsw == 40 + 100,
	   "threads: the switches of every thread, not the leader's status alone");
	/* 302 ends, 303 starts: a new thread's switches all happened during the interval */
	if (system(gone) != 0)
		diag("could not remove a task directory");
	put_task(300, 303, 4, 6);
	put_task(300, 301, 131, 91);
	is_int(series_sample(s, T0 + 2 * SEC, R0 + 2 * SEC), 0, "threads: third call");
	sm = series_samples(s, &n);
	ok(n == 2 && sm[1].voluntary_ctxsw == 1 + 4 && sm[1].nonvoluntary_ctxsw == 1 + 6,
	   "threads: an ended thread adds nothing more, a new one all it has");
	/* down to one thread: PID/status again (the leader's figures, 300's) */
	root.threads = 1;
	root.vcs = 10;
	put_proc(&root);
	is_int(series_sample(s, T0 + 3 * SEC, R0 + 3 * SEC), 0, "threads: fourth call");
	sm = series_samples(s, &n);
	ok(n == 3 && sm[2].voluntary_ctxsw == 2 && sm[2].nonvoluntary_ctxsw == 0,
	   "threads: one thread reads PID/status");
	series_free(s);
	free(gone);
	remove_proc(300);
}

static void fixture_tests(void)
{
	struct procfs *pf;

	if (!mkdtemp(tmp_root)) {
		perror("mkdtemp");
		exit(1);
	}
	pf = procfs_open(tmp_root);
	ok(pf != NULL, "open the fixture tree");
	if (pf) {
		test_single(pf);
		test_children(pf);
		test_summary(pf);
		test_threads(pf);
	}
	procfs_free(pf);
	remove_tree();
}

static void sleep_ms(long ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000 };

	while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
		;
}

static void spin_ms(long ms)
{
	uint64_t end = clock_mono_ns() + (uint64_t)ms * 1000000;
	volatile uint64_t x = 0;

	while (clock_mono_ns() < end)
		x++;
}

/* A busy child reads near 100 % of one CPU; killing it ends the series. */
static void test_real_busy(struct procfs *real)
{
	struct series *s;
	const struct series_sample *sm;
	size_t n;
	int status, r;
	pid_t child = fork();

	if (child == 0) {
		spin_ms(20000);
		_exit(0);
	}
	s = series_new(real, child, false);
	is_int(series_sample(s, clock_mono_ns(), clock_real_ns()), 0,
	       "real: prime on a busy child");
	sleep_ms(300);
	is_int(series_sample(s, clock_mono_ns(), clock_real_ns()), 0,
	       "real: sample the busy child");
	sm = series_samples(s, &n);
	ok(n == 1 && sm[0].cpu_pct > 20 && sm[0].cpu_pct < 150,
	   "real: a busy child reads near 100 %% of one CPU (%.1f)", n ? sm[0].cpu_pct : -1.0);
	ok(n == 1 && sm[0].rss_kib > 0 && sm[0].threads == 1 && sm[0].processes == 1,
	   "real: rss, one thread, one process");
	ok(n == 1 && !sm[0].io_denied, "real: our own child's io is readable");
	kill(child, SIGKILL);
	sleep_ms(50); /* a zombie now: we have not reaped it */
	r = series_sample(s, clock_mono_ns(), clock_real_ns());
	is_int(r, -ESRCH, "real: a killed (zombie) child ends the series");
	series_samples(s, &n);
	is_int(n, 2, "real: with a last sample");
	waitpid(child, &status, 0);
	is_int(series_sample(s, clock_mono_ns(), clock_real_ns()), -ESRCH,
	       "real: -ESRCH after it is reaped");
	series_free(s);
}

/* A child that forks a grandchild: children mode sees both, and their exits. */
static void test_real_tree(struct procfs *real)
{
	struct series *s;
	const struct series_proc *p;
	int status, r = 0, rounds = 0, grandchild = 0;
	size_t n, max_procs = 0;
	pid_t child = fork();

	if (child == 0) {
		pid_t g;

		sleep_ms(150);
		g = fork();
		if (g == 0) {
			spin_ms(300);
			_exit(0);
		}
		waitpid(g, &status, 0);
		sleep_ms(200);
		_exit(0);
	}
	s = series_new(real, child, true);
	series_sample(s, clock_mono_ns(), clock_real_ns());
	while (r == 0 && rounds++ < 100) {
		const struct series_sample *sm;

		sleep_ms(50);
		r = series_sample(s, clock_mono_ns(), clock_real_ns());
		sm = series_samples(s, &n);
		if (n && sm[n - 1].processes > max_procs)
			max_procs = sm[n - 1].processes;
	}
	is_int(r, -ESRCH, "real tree: the series ends when the child exits");
	waitpid(child, &status, 0);
	is_int(max_procs, 2, "real tree: child and grandchild were profiled together");
	p = series_procs(s, &n);
	for (size_t i = 0; i < n; i++)
		if (p[i].pid != child && p[i].ppid == child)
			grandchild = p[i].pid;
	ok(n == 2 && grandchild > 0, "real tree: the grandchild is in the record");
	ok(n == 2 && p[0].ended && p[1].ended, "real tree: both ended");
	ok(n == 2 && p[1].cpu_max_pct > 20, "real tree: the busy grandchild's CPU shows (%.1f)",
	   n == 2 ? p[1].cpu_max_pct : -1.0);
	series_free(s);
}

/* Another user's PID/io cannot be read: 0 and a flag, the rest still works. */
static void test_real_io_denied(void)
{
	int fds[2], status;
	pid_t target = getpid(), child;
	char res[4] = "";

	if (getuid() != 0) {
		/* not root: pid 1 is someone else's, unless we are in our own namespace */
		target = 1;
	}
	if (pipe(fds) < 0)
		return;
	child = fork();
	if (child == 0) {
		struct procfs *pf;
		struct series *s;
		struct series_info info;
		const struct series_sample *sm;
		size_t n = 0;

		close(fds[0]);
		if (getuid() == 0 && (setgid(65534) < 0 || setuid(65534) < 0))
			_exit(2);
		pf = procfs_open("/proc");
		s = pf ? series_new(pf, target, false) : NULL;
		if (s && series_sample(s, clock_mono_ns(), clock_real_ns()) == 0) {
			sleep_ms(20);
			series_sample(s, clock_mono_ns(), clock_real_ns());
			sm = series_samples(s, &n);
			series_get_info(s, &info);
			res[0] = info.io_denied ? 'D' : 'r';
			res[1] = n == 1 && sm[0].io_denied && sm[0].read_bytes == 0 ? 'D' : 'r';
			res[2] = n == 1 && sm[0].threads > 0 ? 'T' : 'x';
		}
		if (write(fds[1], res, 3) != 3)
			_exit(3);
		series_free(s);
		procfs_free(pf);
		_exit(0);
	}
	close(fds[1]);
	if (read(fds[0], res, 3) != 3)
		res[0] = '\0';
	close(fds[0]);
	waitpid(child, &status, 0);
	if (getuid() != 0 && res[0] == 'r') {
		ok(1, "# SKIP pid 1 is ours: no foreign process to be denied");
		ok(1, "# SKIP");
		ok(1, "# SKIP");
		return;
	}
	ok(res[0] == 'D', "io denied: the series says so");
	ok(res[1] == 'D', "io denied: the sample is flagged, its io is 0");
	ok(res[2] == 'T', "io denied: stat is still read");
}

int main(void)
{
	struct procfs *real;

	hz = sysconf(_SC_CLK_TCK);
	page_kib = sysconf(_SC_PAGESIZE) / 1024;
	fixture_tests();

	real = procfs_open("/proc");
	if (real) {
		test_real_busy(real);
		test_real_tree(real);
		test_real_io_denied();
		procfs_free(real);
	} else {
		diag("no /proc: the real tests are skipped");
	}
	return done_testing();
}
