/* test_procevents.c - unit tests of taskstats exit records and proc-connector events, on the real
 * kernel. */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "sys/procevents.h"
#include "tap.h"

#define DEADLINE_MS 10000

struct fork_ev {
	pid_t parent, child;
};

struct seen {
	struct exit_record *exits;
	size_t nexits, cap_exits;
	pid_t *execs;
	size_t nexecs, cap_execs;
	struct fork_ev *forks;
	size_t nforks, cap_forks;
};

static void on_exit_rec(void *ctx, const struct exit_record *r)
{
	struct seen *s = ctx;

	XGROW(s->exits, s->cap_exits, s->nexits + 1);
	s->exits[s->nexits++] = *r;
}

static void on_exec(void *ctx, pid_t pid)
{
	struct seen *s = ctx;

	XGROW(s->execs, s->cap_execs, s->nexecs + 1);
	s->execs[s->nexecs++] = pid;
}

static void on_fork(void *ctx, pid_t parent, pid_t child)
{
	struct seen *s = ctx;

	XGROW(s->forks, s->cap_forks, s->nforks + 1);
	s->forks[s->nforks++] = (struct fork_ev){ parent, child };
}

static uint64_t clock_ms(clockid_t c);

static uint64_t now_ms(void)
{
	return clock_ms(CLOCK_MONOTONIC);
}

static const struct exit_record *find_exit(const struct seen *s, pid_t pid)
{
	for (size_t i = 0; i < s->nexits; i++) {
		if (s->exits[i].pid == pid)
			return &s->exits[i];
	}
	return NULL;
}

static size_t count_exits(const struct seen *s, pid_t pid)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nexits; i++)
		n += s->exits[i].pid == pid;
	return n;
}

static bool saw_exec(const struct seen *s, pid_t pid)
{
	for (size_t i = 0; i < s->nexecs; i++) {
		if (s->execs[i] == pid)
			return true;
	}
	return false;
}

static bool saw_fork_child(const struct seen *s, pid_t child)
{
	for (size_t i = 0; i < s->nforks; i++) {
		if (s->forks[i].child == child)
			return true;
	}
	return false;
}

static bool saw_fork(const struct seen *s, pid_t parent, pid_t child)
{
	for (size_t i = 0; i < s->nforks; i++) {
		if (s->forks[i].parent == parent && s->forks[i].child == child)
			return true;
	}
	return false;
}

/* Reads both sources until done(s, arg) holds or the deadline passes; never sleeps blindly. */
static bool pump(struct procevents *pe, struct seen *s, bool (*done)(const struct seen *, pid_t),
		 pid_t arg)
{
	uint64_t end = now_ms() + DEADLINE_MS;

	for (;;) {
		struct pollfd p[2] = {
			{ .fd = procevents_exit_fd(pe), .events = POLLIN },
			{ .fd = procevents_exec_fd(pe), .events = POLLIN },
		};
		uint64_t t = now_ms();

		procevents_read_exits(pe, on_exit_rec, s);
		procevents_read_execs(pe, on_exec, on_fork, s);
		if (done(s, arg))
			return true;
		if (t >= end)
			return false;
		if (poll(p, 2, (int)(end - t)) < 0 && errno != EINTR)
			return false;
	}
}

static bool have_exit(const struct seen *s, pid_t pid)
{
	return find_exit(s, pid) != NULL;
}

static bool have_exit_and_exec(const struct seen *s, pid_t pid)
{
	return find_exit(s, pid) && saw_exec(s, pid);
}

static bool have_fork(const struct seen *s, pid_t child)
{
	return saw_fork_child(s, child);
}

static uint64_t clock_ms(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

/* Spins until the calling thread has used ms of CPU (not wall) time. */
static void burn_ms(unsigned ms)
{
	uint64_t end = clock_ms(CLOCK_THREAD_CPUTIME_ID) + ms;

	while (clock_ms(CLOCK_THREAD_CPUTIME_ID) < end)
		;
}

static void test_single(struct procevents *pe, struct seen *s)
{
	uint64_t t0 = now_ms(), wall_ms;
	const struct exit_record *r;
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		prctl(PR_SET_NAME, "pe-burn");
		burn_ms(300);
		_exit(7);
	}
	waitpid(pid, &status, 0);
	wall_ms = now_ms() - t0;
	ok(pump(pe, s, have_exit, pid), "single: exit record arrives for the cpu burner");
	r = find_exit(s, pid);
	if (!r)
		return;
	is_int(count_exits(s, pid), 1, "single: exactly one record");
	is_int(r->ppid, getpid(), "single: ppid is us");
	is_str(r->comm, "pe-burn", "single: comm");
	is_int(r->uid, getuid(), "single: uid");
	/* ticks are sampled: on a loaded VM they can say far less than was burned */
	ok(r->utime_us + r->stime_us > 0, "single: tick cpu time is there (%llu us)",
	   (unsigned long long)(r->utime_us + r->stime_us));
	ok(r->cpu_ns >= 299000000ULL && r->cpu_ns < 2000000000ULL,
	   "single: the scheduler's clock says the 300 ms it burned (%.1f ms)", (double)r->cpu_ns / 1e6);
	ok(r->utime_us + r->stime_us <= (wall_ms + 20) * 1000, "single: cpu time <= wall time");
	ok(r->elapsed_us >= 250000 && r->elapsed_us <= (wall_ms + 20) * 1000,
	   "single: elapsed %llu us within [250 ms, %llu ms]", (unsigned long long)r->elapsed_us,
	   (unsigned long long)wall_ms);
	ok(r->peak_rss_kib > 0, "single: peak rss %llu KiB", (unsigned long long)r->peak_rss_kib);
	is_int(r->exit_code, 7 << 8, "single: exit code as wait() reports it");
	is_int(r->exit_code, status, "single: exit code equals the waitpid status");
	ok(llabs((long long)r->start_time_s - (long long)time(NULL)) < 60,
	   "single: start time is now");
	ok(saw_fork(s, getpid(), pid), "single: fork event (us -> child)");
}

static void *thread_burn(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "pe-worker");
	burn_ms(120);
	return NULL;
}

static void test_threads(struct procevents *pe, struct seen *s)
{
	const struct exit_record *r;
	pid_t pid = fork();
	size_t forks_before;

	if (pid == 0) {
		pthread_t t[3];

		prctl(PR_SET_NAME, "pe-multi");
		for (int i = 0; i < 3; i++)
			pthread_create(&t[i], NULL, thread_burn, NULL);
		for (int i = 0; i < 3; i++)
			pthread_join(t[i], NULL);
		_exit(3);
	}
	waitpid(pid, NULL, 0);
	ok(pump(pe, s, have_exit, pid), "threads: exit record arrives");
	r = find_exit(s, pid);
	if (!r)
		return;
	is_int(count_exits(s, pid), 1, "threads: one record for the group, not one per thread");
	is_str(r->comm, "pe-multi", "threads: comm is the leader's");
	/* three threads burned 120 ms of their own CPU clock each (ticks may say less under load) */
	ok(r->cpu_ns >= 355000000ULL,
	   "threads: cpu time (scheduler ns) is the group's, summed over threads (%.1f ms; ticks "
	   "say %.1f ms)",
	   (double)r->cpu_ns / 1e6, (double)(r->utime_us + r->stime_us) / 1e3);
	is_int(r->exit_code, 3 << 8, "threads: exit code");
	forks_before = 0;
	for (size_t i = 0; i < s->nforks; i++)
		forks_before += s->forks[i].parent == pid;
	is_int(forks_before, 0, "threads: the child's threads gave no fork events");
}

static void *thread_tail(void *arg)
{
	(void)arg;
	pthread_setname_np(pthread_self(), "pe-tail");
	burn_ms(200);
	_exit(5);
}

/* The leader leaves first (pthread_exit): the group's last task is another thread. */
static void test_leader_first(struct procevents *pe, struct seen *s)
{
	const struct exit_record *r;
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		pthread_t t;

		prctl(PR_SET_NAME, "pe-lead");
		pthread_create(&t, NULL, thread_tail, NULL);
		pthread_exit(NULL);
	}
	waitpid(pid, &status, 0);
	ok(pump(pe, s, have_exit, pid), "leader first: exit record arrives");
	r = find_exit(s, pid);
	if (!r)
		return;
	is_int(count_exits(s, pid), 1, "leader first: one record, under the tgid");
	is_str(r->comm, "pe-lead", "leader first: comm is the leader's");
	is_int(r->exit_code, 5 << 8, "leader first: the group's exit code");
	ok(r->cpu_ns >= 199000000ULL, "leader first: the last thread's cpu time counts (%.1f ms)",
	   (double)r->cpu_ns / 1e6);
	ok(r->elapsed_us >= 150000, "leader first: elapsed is the group's");
}

static void test_exec(struct procevents *pe, struct seen *s)
{
	const struct exit_record *r;
	pid_t pid = fork();

	if (pid == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	waitpid(pid, NULL, 0);
	ok(pump(pe, s, have_exit_and_exec, pid), "exec: exec event and exit record arrive");
	ok(saw_exec(s, pid), "exec: exec event for the child");
	ok(saw_fork(s, getpid(), pid), "exec: fork event (us -> child)");
	r = find_exit(s, pid);
	if (r) {
		is_str(r->comm, "true", "exec: comm after exec");
		is_int(r->exit_code, 0, "exec: exit code 0");
	}
}

static pid_t thread_tid;

static void *thread_idle(void *arg)
{
	(void)arg;
	thread_tid = gettid();
	return NULL;
}

static void test_own_thread(struct procevents *pe, struct seen *s)
{
	pthread_t t;
	pid_t sentinel;

	pthread_create(&t, NULL, thread_idle, NULL);
	pthread_join(t, NULL);
	/* the sentinel's fork event follows the thread's clone event on the socket */
	sentinel = fork();
	if (sentinel == 0)
		_exit(0);
	waitpid(sentinel, NULL, 0);
	ok(pump(pe, s, have_fork, sentinel), "own thread: sentinel fork seen");
	ok(thread_tid > 0 && !saw_fork_child(s, thread_tid), "own thread: no fork event for it");
	ok(pump(pe, s, have_exit, sentinel), "own thread: sentinel exit seen");
	is_int(count_exits(s, thread_tid), 0, "own thread: its exit is no process exit");
}

static void test_killed(struct procevents *pe, struct seen *s)
{
	const struct exit_record *r;
	pid_t pid = fork();
	int status;

	if (pid == 0) {
		for (;;)
			pause();
	}
	kill(pid, SIGKILL);
	waitpid(pid, &status, 0);
	ok(pump(pe, s, have_exit, pid), "killed: exit record arrives");
	r = find_exit(s, pid);
	if (!r)
		return;
	ok(WIFSIGNALED(r->exit_code) && WTERMSIG(r->exit_code) == SIGKILL,
	   "killed: exit code shows SIGKILL (%#x)", r->exit_code);
	is_int(r->exit_code, status, "killed: exit code equals the waitpid status");
}

int main(void)
{
	struct seen s = { 0 };
	struct procevents *pe;

	if (geteuid() != 0)
		skip_all("needs root (CAP_NET_ADMIN) for taskstats and the proc connector");
	pe = procevents_open();
	if (!pe)
		skip_all("netlink sockets refused");
	if (!procevents_have_exits(pe) || !procevents_have_execs(pe)) {
		const char *why = procevents_have_exits(pe) ? "proc connector refused"
							    : "taskstats exit listener refused";

		procevents_close(pe);
		skip_all(why);
	}
	ok(procevents_exit_fd(pe) >= 0 && procevents_exec_fd(pe) >= 0, "open: both fds");
	is_int(procevents_read_exits(pe, NULL, NULL) >= 0, 1, "open: reading nothing is fine");

	test_single(pe, &s);
	test_threads(pe, &s);
	test_leader_first(pe, &s);
	test_exec(pe, &s);
	test_own_thread(pe, &s);
	test_killed(pe, &s);
	is_int(procevents_lost(pe), 0, "nothing lost");

	procevents_close(pe);
	procevents_close(NULL);
	ok(!procevents_have_exits(NULL) && procevents_exit_fd(NULL) == -1, "NULL is harmless");
	free(s.exits);
	free(s.execs);
	free(s.forks);
	return done_testing();
}
