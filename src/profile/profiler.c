/* profiler.c - one profile: the command or process, its /proc time series, its stacks, the reports. */
#include "profile/profiler.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "profile/series.h"
#include "profile/stacks.h"
#include "profile/symbolize.h"
#include "sys/procfs.h"

static volatile sig_atomic_t stop_requested;

void profiler_stop(void)
{
	stop_requested = 1;
}

struct session {
	const struct profiler_opts *o;
	struct procfs *pf;
	struct series *series;
	struct stacks *stacks;
	struct symbolizer *sym;
	pid_t pid;
	bool spawned, reaped;
	int status; /* waitpid status of a spawned command */
};

static void on_mmap(void *ctx, pid_t pid, uint64_t start, uint64_t len, uint64_t pgoff,
		    const char *path)
{
	struct session *s = ctx;

	symbolizer_add_mapping(s->sym, pid, start, len, pgoff, path);
}

static void on_exec(void *ctx, pid_t pid)
{
	struct session *s = ctx;

	symbolizer_forget(s->sym, pid);
}

/* A frame's name in the folded stacks: the function, or module+offset, kernel frames marked. */
static void name_frame(void *ctx, pid_t pid, uint64_t ip, bool kernel, char *buf, size_t len)
{
	struct session *s = ctx;
	struct sym sy;

	if (symbolizer_lookup(s->sym, pid, ip, &sy) < 0) {
		snprintf(buf, len, "[unknown]");
		return;
	}
	snprintf(buf, len, "%s%s", sy.function, kernel ? "_[k]" : "");
}

/* Forks the command, stopped on a pipe until the samplers are on it. */
static pid_t spawn(char *const argv[], int *go)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	pid = fork();
	if (pid < 0) {
		int e = -errno;

		close(p[0]);
		close(p[1]);
		return e;
	}
	if (pid == 0) {
		char c;

		close(p[1]);
		if (read(p[0], &c, 1) != 1)
			_exit(127);
		execvp(argv[0], argv);
		fprintf(stderr, "spiketrace: cannot run '%s': %s\n", argv[0], strerror(errno));
		_exit(127);
	}
	close(p[0]);
	*go = p[1];
	return pid;
}

static void status_line(const struct session *s, double t)
{
	const struct series_sample *v;
	size_t n;
	char rss[32];

	v = series_samples(s->series, &n);
	if (!n)
		return;
	snprintf(rss, sizeof(rss), "%.1f MiB", (double)v[n - 1].rss_kib / 1024.0);
	fprintf(stderr, "\r\033[K[%6.1f s] CPU %6.1f %%  RSS %10s  threads %u  processes %u", t,
		v[n - 1].cpu_pct, rss, v[n - 1].threads, v[n - 1].processes);
	fflush(stderr);
}

static void sleep_until(uint64_t mono_ns)
{
	struct timespec ts = { (time_t)(mono_ns / NSEC_PER_SEC), (long)(mono_ns % NSEC_PER_SEC) };

	/* EINTR (Ctrl-C) ends the wait early: the loop checks the flag */
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

static void reap(struct session *s, bool wait_for_it)
{
	if (!s->spawned || s->reaped)
		return;
	if (waitpid(s->pid, &s->status, wait_for_it ? 0 : WNOHANG) == s->pid)
		s->reaped = true;
}

/* Ends a spawned command that outlived --duration: SIGTERM, then SIGKILL after 2 s. */
static void end_command(struct session *s)
{
	if (!s->spawned || s->reaped)
		return;
	kill(s->pid, SIGTERM);
	for (int i = 0; i < 200 && !s->reaped; i++) {
		reap(s, false);
		if (!s->reaped)
			usleep(10000);
	}
	if (!s->reaped) {
		kill(s->pid, SIGKILL);
		reap(s, true);
	}
}

/* The perf report --stdio flat view: the top functions by self and by total samples. */
static void print_top(struct session *s, FILE *f)
{
	struct stacks_stats st = stacks_get_stats(s->stacks);
	struct stacks_top *t;
	size_t n;

	if (!st.samples) {
		fprintf(f, "stack samples: none\n");
		return;
	}
	for (int pass = 0; pass < 2; pass++) {
		n = stacks_top(s->stacks, name_frame, s, pass == 0, 15, &t);
		fprintf(f, "\ntop functions by %s samples (%llu samples%s):\n",
			pass == 0 ? "self" : "total", (unsigned long long)st.samples,
			st.lost ? ", some lost" : "");
		fprintf(f, "  %7s %7s  %s\n", "self%", "total%", "function");
		for (size_t i = 0; i < n; i++) {
			fprintf(f, "  %6.2f%% %6.2f%%  %s\n", 100.0 * (double)t[i].self / (double)st.samples,
				100.0 * (double)t[i].total / (double)st.samples, t[i].function);
			free(t[i].function);
		}
		free(t);
	}
}

static int write_folded(struct session *s, const char *path)
{
	struct strbuf sb = STRBUF_INIT;
	FILE *f = fopen(path, "we");
	int ret = 0;

	if (!f)
		return -errno;
	stacks_fold(s->stacks, name_frame, s, &sb);
	if (fwrite(sb.buf, 1, sb.len, f) != sb.len)
		ret = -EIO;
	if (fclose(f) != 0 && !ret)
		ret = -errno;
	strbuf_release(&sb);
	return ret;
}

int profiler_run(const struct profiler_opts *o, const char **what)
{
	struct session s = { .o = o };
	uint64_t t0, next, step = (uint64_t)o->interval_ms * 1000000ULL;
	int go = -1, ret = 0;

	stop_requested = 0;
	s.pf = procfs_open("/proc");
	if (!s.pf) {
		*what = "cannot open /proc";
		return -errno;
	}
	s.sym = symbolizer_new();
	if (o->argv) {
		s.pid = spawn(o->argv, &go);
		if (s.pid < 0) {
			*what = "cannot start the command";
			ret = s.pid;
			goto out;
		}
		s.spawned = true;
	} else {
		s.pid = o->pid;
		if (kill(s.pid, 0) < 0 && errno == ESRCH) {
			*what = "no such process";
			ret = -ESRCH;
			goto out;
		}
		symbolizer_load_maps(s.sym, s.pid);
	}
	if (o->freq_hz) {
		ret = stacks_open(&s.stacks, s.pid, o->freq_hz);
		if (ret < 0) {
			fprintf(stderr, "spiketrace: stack sampling unavailable (perf_event_open: %s); "
					"profiling without stacks\n",
				strerror(-ret));
			s.stacks = NULL;
			ret = 0;
		} else {
			stacks_on_mmap(s.stacks, on_mmap, &s);
			stacks_on_exec(s.stacks, on_exec, &s);
		}
	}
	s.series = series_new(s.pf, s.pid, o->children);
	t0 = clock_mono_ns();
	series_sample(s.series, t0, clock_real_ns());
	if (go >= 0) {
		/* everything is watching: let the command run */
		if (write(go, "g", 1) != 1) {
			*what = "cannot start the command";
			ret = -errno;
			goto out;
		}
		close(go);
		go = -1;
	}
	for (next = t0 + step;; next += step) {
		uint64_t now;
		int r;

		sleep_until(next);
		now = clock_mono_ns();
		r = series_sample(s.series, now, clock_real_ns());
		if (s.stacks)
			stacks_drain(s.stacks);
		reap(&s, false);
		if (o->live)
			status_line(&s, (double)(now - t0) / 1e9);
		if (r == -ESRCH || stop_requested)
			break;
		if (o->duration_s > 0 && (double)(now - t0) / 1e9 >= o->duration_s)
			break;
		if (now > next + step)
			next = now; /* fell behind (a stopped machine): no burst of catch-up samples */
	}
	if (o->live)
		fprintf(stderr, "\r\033[K");
	end_command(&s);
	reap(&s, true);
	if (s.stacks) {
		stacks_drain(s.stacks);
		print_top(&s, o->report);
		if (o->folded) {
			int r = write_folded(&s, o->folded);

			if (r < 0)
				fprintf(stderr, "spiketrace: cannot write '%s': %s\n", o->folded,
					strerror(-r));
		}
	}
out:
	if (go >= 0) {
		close(go);
		if (s.spawned) {
			kill(s.pid, SIGKILL);
			reap(&s, true);
		}
	}
	stacks_free(s.stacks);
	series_free(s.series);
	symbolizer_free(s.sym);
	procfs_free(s.pf);
	return ret;
}
