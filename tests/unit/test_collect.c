/* test_collect.c - the collectors against the real kernel (/proc) and a fixture tree. */
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/xalloc.h"
#include "capture/collector.h"
#include "tap.h"

struct rig {
	struct collector_env env;
	void *sys, *procs;
	struct snapshot snap[2];
	int cur;
};

static void rig_open(struct rig *r, const char *root)
{
	memset(r, 0, sizeof(*r));
	r->env.pf = procfs_open(root);
	r->env.ticks_per_sec = sysconf(_SC_CLK_TCK);
	r->env.max_open_fds = 4096;
	system_collector.open(&r->sys, &r->env);
	process_collector.open(&r->procs, &r->env);
}

static void rig_close(struct rig *r)
{
	system_collector.close(r->sys);
	process_collector.close(r->procs);
	snapshot_release(&r->snap[0]);
	snapshot_release(&r->snap[1]);
	procfs_free(r->env.pf);
}

static struct snapshot *rig_sample(struct rig *r)
{
	struct snapshot *prev = r->snap[r->cur].seq ? &r->snap[r->cur] : NULL;
	struct snapshot *s = &r->snap[r->cur ^ 1];
	struct timespec ts;

	snapshot_clear(s);
	s->seq = prev ? prev->seq + 1 : 1;
	s->real_ns = clock_real_ns();
	s->mono_ns = clock_mono_ns();
	clock_gettime(CLOCK_BOOTTIME, &ts);
	s->boot_ns = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	s->elapsed_s = prev ? (double)(s->mono_ns - prev->mono_ns) / 1e9 : 0;
	system_collector.sample(r->sys, s, prev);
	process_collector.sample(r->procs, s, prev);
	r->cur ^= 1;
	return s;
}

static const struct proc_sample *find(const struct snapshot *s, int pid)
{
	long i = snapshot_find_pid(s, pid);

	return i < 0 ? NULL : &s->procs[i];
}

/* Burns CPU until killed. */
static pid_t spawn_busy(void)
{
	pid_t pid = fork();

	if (pid == 0) {
		volatile unsigned long x = 0;

		for (;;)
			x++;
	}
	return pid;
}

/* Waits (up to 10 s) until the child's comm differs from ours: it has exec'd. */
static void wait_exec(pid_t pid, const char *comm)
{
	char path[64], buf[64] = "";

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	for (int i = 0; i < 1000; i++) {
		FILE *f = fopen(path, "r");

		if (f) {
			if (fgets(buf, sizeof(buf), f))
				buf[strcspn(buf, "\n")] = 0;
			fclose(f);
		}
		if (!strcmp(buf, comm))
			return;
		usleep(10000);
	}
}

static void test_real(void)
{
	struct rig r;
	struct snapshot *s;
	const struct proc_sample *me, *busy, *lng;
	pid_t busy_pid, long_pid, gone_pid;
	char *arg = xmalloc(100001);
	uint64_t t0;
	int status;

	rig_open(&r, "/proc");
	memset(arg, 'x', 100000);
	arg[100000] = 0;
	long_pid = fork();
	if (long_pid == 0) {
		setpgid(0, 0); /* so that killing the group also ends its sleep */
		execl("/bin/sh", "sh", "-c", "sleep 30; :", "sh", arg, (char *)NULL);
		_exit(127);
	}
	wait_exec(long_pid, "sh");
	gone_pid = fork();
	if (gone_pid == 0) {
		pause();
		_exit(0);
	}
	s = rig_sample(&r);
	ok(s->nprocs > 3, "first sample sees the processes (%zu)", s->nprocs);
	me = find(s, getpid());
	ok(me != NULL, "sees this test");
	if (me) {
		is_int(me->ppid, getppid(), "ppid");
		is_int(me->pgid, getpgrp(), "pgid");
		is_int(me->uid, getuid(), "uid");
		ok(strstr(me->cmdline->s, "test_collect") != NULL, "cmdline '%s'", me->cmdline->s);
		ok(!me->is_new, "processes of the first sample are not new");
		ok(me->rss_kib > 100, "rss in KiB (%llu)", (unsigned long long)me->rss_kib);
		is_int(me->threads, 1, "threads");
		ok(me->start_time_ns > s->real_ns - 3600ULL * 1000000000 &&
			   me->start_time_ns <= s->real_ns,
		   "start time is a recent wall-clock time");
	}
	lng = find(s, long_pid);
	ok(lng && lng->cmdline->len == strlen("sh -c sleep 30; : sh ") + 100000 &&
		   lng->cmdline->s[lng->cmdline->len - 1] == 'x',
	   "a 100 KB command line is read whole (%zu)", lng ? lng->cmdline->len : 0);
	ok(s->ncpu >= 1 && s->mem.total_kib > 0 && s->mem.available_kib > 0, "system figures");
	ok(s->forks_total > 0, "fork counter");

	busy_pid = spawn_busy();
	kill(gone_pid, SIGKILL);
	waitpid(gone_pid, &status, 0);
	t0 = clock_mono_ns();
	while (clock_mono_ns() - t0 < 400000000ULL)
		usleep(20000);
	s = rig_sample(&r);
	busy = find(s, busy_pid);
	ok(busy != NULL, "a process started between samples is seen");
	ok(busy && busy->is_new, "and marked new");
	ok(busy && busy->cpu_pct > 20, "its CPU is a percentage of one CPU (%.1f)",
	   busy ? busy->cpu_pct : -1.0);
	ok(find(s, gone_pid) == NULL, "an exited process is gone");
	t0 = clock_mono_ns();
	while (clock_mono_ns() - t0 < 400000000ULL)
		usleep(20000);
	s = rig_sample(&r);
	busy = find(s, busy_pid);
	ok(busy && busy->cpu_pct > 20 && busy->cpu_pct < 105,
	   "over a whole interval a busy loop reads near 100 %% of one CPU (%.1f)",
	   busy ? busy->cpu_pct : -1.0);
	ok(busy && !busy->is_new, "not new the second time");
	me = find(s, getpid());
	ok(me && me->cpu_pct < 50, "this idle test reads low (%.1f)", me ? me->cpu_pct : -1.0);
	ok(s->cpu.busy > 0 && s->cpu.busy <= 100.01, "system busy %% in range (%.1f)", s->cpu.busy);
	ok(s->per_core[0].busy >= 0 && s->per_core[0].busy <= 100.01, "per-core busy in range");
	kill(busy_pid, SIGKILL);
	kill(-long_pid, SIGKILL);
	waitpid(busy_pid, &status, 0);
	waitpid(long_pid, &status, 0);
	free(arg);
	rig_close(&r);
}

static void test_fixture(void)
{
	char root[512];
	struct rig r;
	struct snapshot *s;
	const struct proc_sample *p;

	snprintf(root, sizeof(root), "%s/proc", fixtures_dir());
	rig_open(&r, root);
	s = rig_sample(&r);
	is_int(s->nprocs, 3, "fixture tree: three processes");
	p = find(s, 4242);
	ok(p != NULL, "fixture pid 4242");
	if (p) {
		is_str(p->comm, "(a) b)", "comm with parentheses");
		ok(p->rss_kib > 0 && p->threads > 0, "rss and threads from stat");
	}
	ok(s->mem.total_kib > 0, "fixture meminfo");
	ok(s->ncpu >= 1, "fixture cpus");
	rig_close(&r);
}

int main(void)
{
	test_real();
	test_fixture();
	return done_testing();
}
