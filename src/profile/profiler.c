/* profiler.c - one profile: the command or process, its /proc time series, its stacks, the reports.
 */
#include "profile/profiler.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/evloop.h"
#include "base/fileutil.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "profile/profjson.h"
#include "profile/series.h"
#include "profile/statusline.h"
#include "sys/stacks.h"
#include "sys/symbolize.h"
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
	struct evloop *loop;
	struct statusline *status_line; /* NULL: stdout is not a terminal */
	pid_t pid;
	int pidfd; /* readable when the root exits; -1 after, or without pidfd_open */
	bool spawned, reaped;
	bool ended_by_us;     /* it outlived the profile: we sent it SIGTERM (or SIGKILL) */
	int status;	      /* waitpid status of a spawned command */
	size_t followed;      /* series_procs() handed to stacks_follow so far */
	uint64_t t0, last_ns; /* CLOCK_MONOTONIC of the first and the latest sample */
	uint64_t step_ns;     /* --interval */
	char note[160];	      /* why the asked-for event was not used */
};

/*
 * Forks the command, stopped on a pipe (*go) until the samplers are on it.
 * *err is the read end of a close-on-exec pipe: EOF once the command runs,
 * or the errno of a failed exec.
 */
static pid_t spawn(char *const argv[], int *go, int *err)
{
	int p[2], e[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	if (pipe2(e, O_CLOEXEC) < 0) {
		int r = -errno;

		close(p[0]);
		close(p[1]);
		return r;
	}
	pid = fork();
	if (pid < 0) {
		int r = -errno;

		close(p[0]);
		close(p[1]);
		close(e[0]);
		close(e[1]);
		return r;
	}
	if (pid == 0) {
		sigset_t none;
		char c;
		int x;

		close(p[1]);
		close(e[0]);
		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL); /* ours are blocked for the event loop */
		if (read(p[0], &c, 1) != 1)
			_exit(127);
		execvp(argv[0], argv);
		x = errno;
		if (write(e[1], &x, sizeof(x)) != sizeof(x))
			_exit(127);
		_exit(127);
	}
	close(p[0]);
	close(e[1]);
	*go = p[1];
	*err = e[0];
	return pid;
}

/* Lets the spawned command run; 0 once it runs, or the negative errno of its exec. */
static int release(int go, int err)
{
	int x = 0;
	ssize_t n;

	if (write(go, "g", 1) != 1)
		return -errno;
	do
		n = read(err, &x, sizeof(x));
	while (n < 0 && errno == EINTR);
	return n == (ssize_t)sizeof(x) ? -x : 0;
}

/*
 * Fails at once, not after the whole profile, when path cannot be written:
 * its directory is missing or not writable, or it is a directory. Prints
 * "cannot write 'PATH': REASON". Returns 0 or a negative errno.
 */
static int check_writable(const char *path)
{
	char *dir = xstrdup(path), *slash = strrchr(dir, '/');
	struct stat st;
	int ret = 0;

	if (!slash)
		strcpy(dir, ".");
	else
		slash[slash == dir] = '\0'; /* "/x" is in "/" */
	if (stat(path, &st) == 0)
		ret = S_ISDIR(st.st_mode) ? -EISDIR : access(path, W_OK) < 0 ? -errno : 0;
	else if (errno != ENOENT)
		ret = -errno;
	else if (access(dir, W_OK | X_OK) < 0)
		ret = -errno;
	free(dir);
	if (ret < 0)
		fprintf(stderr, "spiketrace: cannot write '%s': %s\n", path, strerror(-ret));
	return ret;
}

static void draw_status(struct session *s, double t)
{
	const struct series_sample *v;
	size_t n;
	char rss[32], line[160];

	v = series_samples(s->series, &n);
	if (!s->status_line || !n)
		return;
	snprintf(rss, sizeof(rss), "%.1f MiB", (double)v[n - 1].rss_kib / 1024.0);
	snprintf(line, sizeof(line), "[%6.1f s] CPU %6.1f %%  RSS %10s  threads %u  processes %u",
		 t, v[n - 1].cpu_pct, rss, v[n - 1].threads, v[n - 1].processes);
	statusline_draw(s->status_line, line);
}

/*
 * -p PID --children: processes of the tree that existed before the profile
 * inherit no sampling from it. Each process the series found since the last
 * call is sampled too unless a FORK record showed it inherited (a command we
 * run inherits everything). Call it after stacks_drain.
 */
static void follow_new(struct session *s)
{
	const struct series_proc *p;
	size_t n;

	if (!s->stacks || s->spawned || !s->o->children)
		return;
	p = series_procs(s->series, &n);
	for (; s->followed < n; s->followed++)
		if (!p[s->followed].ended && stacks_follow(s->stacks, p[s->followed].pid) == 1)
			symbolizer_load_maps(s->sym, p[s->followed].pid);
}

static void reap(struct session *s, bool wait_for_it)
{
	if (!s->spawned || s->reaped)
		return;
	if (waitpid(s->pid, &s->status, wait_for_it ? 0 : WNOHANG) == s->pid)
		s->reaped = true;
}

/*
 * Ends a spawned command that outlived the profile (--duration, Ctrl-C,
 * SIGTERM): SIGTERM, then SIGKILL after 2 s. Its exit status is then ours,
 * not its own: trace.json says null.
 */
static void end_command(struct session *s)
{
	reap(s, false);
	if (!s->spawned || s->reaped)
		return;
	s->ended_by_us = true;
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

/*
 * The last interval, cut short by the root's exit, is recorded when it is at
 * least this long (or half an interval, when that is shorter): /proc counts
 * CPU time in clock ticks (10 ms), too coarse for a CPU% over a few ms.
 */
#define LAST_INTERVAL_MIN_NS (50 * 1000000ULL)

/* One sample of the series and the stacks; the loop stops when the profile is over. */
static void tick(struct session *s, uint64_t now)
{
	const struct profiler_opts *o = s->o;
	int r = series_sample(s->series, now, clock_real_ns());

	s->last_ns = now;
	if (s->stacks)
		stacks_drain(s->stacks);
	follow_new(s);
	reap(s, false);
	draw_status(s, (double)(now - s->t0) / 1e9);
	if (r == -ESRCH || (o->duration_s > 0 && (double)(now - s->t0) / 1e9 >= o->duration_s))
		evloop_stop(s->loop);
}

static void on_interval(struct evloop *loop, uint64_t expirations, void *arg)
{
	(void)loop;
	(void)expirations; /* fell behind (a stopped machine): one sample, no burst */
	tick(arg, clock_mono_ns());
}

/*
 * The root exited: the profile ends now rather than at the next interval
 * (a 2 s interval would keep `-- true` for 2 s). Its last interval is
 * sampled unless it is too short to measure; with --children the tree may
 * go on, and the intervals go on with it.
 */
static void on_root_exit(struct evloop *loop, int fd, uint32_t events, void *arg)
{
	struct session *s = arg;
	uint64_t now = clock_mono_ns();
	uint64_t min =
		s->step_ns / 2 < LAST_INTERVAL_MIN_NS ? s->step_ns / 2 : LAST_INTERVAL_MIN_NS;

	(void)events;
	evloop_del_fd(loop, fd); /* it stays readable: once is enough */
	if (now - s->last_ns >= min) {
		tick(s, now);
	} else if (!s->o->children) {
		if (s->stacks)
			stacks_drain(s->stacks);
		reap(s, false);
		evloop_stop(loop);
	}
}

static void on_signal(struct evloop *loop, int signo, void *arg)
{
	struct session *s = arg;

	if (signo == SIGWINCH)
		statusline_resize(s->status_line);
	else
		evloop_stop(loop); /* Ctrl-C, SIGTERM: the outputs are still written */
}

/*
 * The event loop: the interval timer, the root's pidfd (when the kernel has
 * pidfd_open) and SIGINT, SIGTERM, SIGWINCH through a signalfd (blocked from
 * now on, until profiler_run restores its caller's mask). 0 or a negative errno.
 */
static int loop_setup(struct session *s)
{
	static const int sigs[] = { SIGINT, SIGTERM, SIGWINCH };
	int ret;

	s->loop = evloop_new();
	if (!s->loop)
		return -errno;
	ret = evloop_add_signals(s->loop, sigs, 3, on_signal, s);
	if (ret == 0)
		ret = evloop_add_timer(s->loop, s->step_ns, on_interval, s);
	if (ret < 0)
		return ret;
	s->pidfd = (int)syscall(SYS_pidfd_open, s->pid, 0);
	if (s->pidfd >= 0 && evloop_add_fd(s->loop, s->pidfd, EPOLLIN, on_root_exit, s) < 0) {
		close(s->pidfd);
		s->pidfd = -1;
	}
	return 0;
}

/* What the stack sampler found, as the arrays trace.json and the reports take. */
struct stack_view {
	struct stacks_line *lines;
	size_t nlines;
	struct stacks_top *top[2]; /* by self, by total */
	size_t ntop[2];
	struct profile_stack *folded;
	struct profile_func *funcs[2];
	struct profile_stacks ps;
};

static void stack_view_build(struct session *s, struct stack_view *v)
{
	struct stacks_stats st = stacks_get_stats(s->stacks);
	double total = st.samples ? (double)st.samples : 1;

	memset(v, 0, sizeof(*v));
	stacks_prefetch_kernel(s->stacks, s->sym);
	v->nlines = stacks_lines(s->stacks, stacks_symbol_module_name, s->sym, &v->lines);
	v->folded = xcalloc(v->nlines + 1, sizeof(*v->folded));
	for (size_t i = 0; i < v->nlines; i++)
		v->folded[i] = (struct profile_stack){ v->lines[i].stack, v->lines[i].count };
	for (int k = 0; k < 2; k++) {
		v->ntop[k] = stacks_top(s->stacks, stacks_symbol_module_name, s->sym, k == 0, 20,
					&v->top[k]);
		stacks_top_where(s->stacks, stacks_symbol_module_name, stacks_symbol_where, s->sym,
				 v->top[k], v->ntop[k]);
		v->funcs[k] = xcalloc(v->ntop[k] + 1, sizeof(*v->funcs[k]));
		for (size_t i = 0; i < v->ntop[k]; i++) {
			const struct stacks_top *t = &v->top[k][i];
			uint64_t n = k == 0 ? t->self : t->total;

			v->funcs[k][i] =
				(struct profile_func){ .function = t->function,
						       .samples = n,
						       .percent = 100.0 * (double)n / total,
						       .file = t->file,
						       .line = t->line };
		}
	}
	v->ps = (struct profile_stacks){
		.frequency_hz = s->o->freq_hz,
		.sample_count = st.samples,
		.lost = st.lost,
		.event = stacks_event(s->stacks),
		.note = s->note[0] ? s->note : NULL,
		.folded = v->folded,
		.nfolded = v->nlines,
		.top_self = v->funcs[0],
		.ntop_self = v->ntop[0],
		.top_total = v->funcs[1],
		.ntop_total = v->ntop[1],
	};
}

static void stack_view_release(struct stack_view *v)
{
	for (size_t i = 0; i < v->nlines; i++)
		free(v->lines[i].stack);
	for (int k = 0; k < 2; k++) {
		for (size_t i = 0; i < v->ntop[k]; i++)
			free(v->top[k][i].function);
		free(v->top[k]);
		free(v->funcs[k]);
	}
	free(v->lines);
	free(v->folded);
}

static const char *path_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* The perf report --stdio flat view: the top functions by self and by total samples. */
static void print_top(const struct stack_view *v, FILE *f)
{
	if (!v->ps.sample_count) {
		fprintf(f, "stack samples: none\n");
		return;
	}
	for (int k = 0; k < 2; k++) {
		fprintf(f, "\ntop functions by %s samples (%llu samples at %u Hz%s):\n",
			k == 0 ? "self" : "total", (unsigned long long)v->ps.sample_count,
			(unsigned)v->ps.frequency_hz, v->ps.lost ? ", some lost" : "");
		fprintf(f, "  %7s  %s\n", "share", "function");
		for (size_t i = 0; i < v->ntop[k] && i < 15; i++) {
			const struct profile_func *fn = &v->funcs[k][i];

			fprintf(f, "  %6.2f%%  %s", fn->percent, fn->function);
			if (fn->file) /* the hottest line, as perf annotate would point to it */
				fprintf(f, "  %s:%d", path_basename(fn->file), fn->line);
			fputc('\n', f);
		}
	}
}

static int write_file(const char *path, const struct strbuf *sb)
{
	FILE *f = fopen(path, "we");
	int ret = 0;

	if (!f)
		return -errno;
	if (fwrite(sb->buf ? sb->buf : "", 1, sb->len, f) != sb->len)
		ret = -EIO;
	if (fclose(f) != 0 && !ret)
		ret = -errno;
	return ret;
}

/* Writes sb to path; says why not on stderr and returns false when it could not. */
static bool write_output(const char *path, const struct strbuf *sb)
{
	int r = write_file(path, sb);

	if (r < 0)
		fprintf(stderr, "spiketrace: cannot write '%s': %s\n", path, strerror(-r));
	return r == 0;
}

static void print_summary(const struct session *s, const struct series_summary *sum, FILE *f)
{
	fprintf(f,
		"profile: %.1f s, %zu samples: CPU avg %.1f %% max %.1f %% p95 %.1f %% (of one "
		"CPU); RSS max %.1f MiB; threads max %u; processes max %u; %zu CPU spike%s\n",
		sum->duration_s, sum->sample_count, sum->cpu_avg_pct, sum->cpu_max_pct,
		sum->cpu_p95_pct, (double)sum->rss_max_kib / 1024.0, sum->threads_max,
		sum->processes_max, sum->nspikes, sum->nspikes == 1 ? "" : "s");
	if (s->ended_by_us) {
		fprintf(f, "command still running at the end of the profile: ended with %s\n",
			WIFSIGNALED(s->status) && WTERMSIG(s->status) == SIGKILL ? "SIGKILL"
										 : "SIGTERM");
	} else if (s->spawned && s->reaped) {
		if (WIFSIGNALED(s->status))
			fprintf(f, "command killed by signal %d\n", WTERMSIG(s->status));
		else
			fprintf(f, "command exit status %d\n", WEXITSTATUS(s->status));
	}
}

/*
 * trace.json, folded stacks, the reports and the gate. Returns 0,
 * PROFILE_EXIT_GATE, or a negative errno when an output could not be written
 * or the baseline read (said on stderr).
 */
static int finish(struct session *s, double seconds)
{
	const struct profiler_opts *o = s->o;
	struct series_summary sum;
	struct stack_view v;
	struct strbuf sb = STRBUF_INIT;
	struct gate_limits lim = GATE_LIMITS_INIT;
	struct profile_baseline base, *basep = NULL;
	bool written = true;
	int failed = 0;

	series_summary(s->series, &sum);
	memset(&v, 0, sizeof(v));
	if (s->stacks)
		stack_view_build(s, &v);
	print_summary(s, &sum, o->report);
	if (s->stacks)
		print_top(&v, o->report);
	if (o->folded) {
		/* empty when stack sampling was unavailable (a line said so at the start) */
		for (size_t i = 0; i < v.nlines; i++)
			strbuf_addf(&sb, "%s %llu\n", v.lines[i].stack,
				    (unsigned long long)v.lines[i].count);
		written &= write_output(o->folded, &sb);
		strbuf_reset(&sb);
	}
	if (o->out) {
		struct profile_report rep = {
			.series = s->series,
			.summary = &sum,
			.duration_s = seconds,
			.interval_s = o->interval_ms / 1000.0,
			.has_exit = s->spawned && s->reaped && !s->ended_by_us,
			.wait_status = s->status,
			.command = o->argv,
			.stacks = s->stacks ? &v.ps : NULL,
		};

		profjson_write(&sb, &rep);
		written &= write_output(o->out, &sb);
		strbuf_reset(&sb);
	}
	if (o->fail_above_cpu > 0)
		lim.cpu_avg_pct = o->fail_above_cpu;
	if (o->fail_above_rss_mib > 0)
		lim.rss_max_mib = o->fail_above_rss_mib;
	if (o->baseline) {
		lim.regress_pct = o->max_regress_pct;
		if (profjson_read_summary(o->baseline, &base, &sb) < 0) {
			fprintf(stderr, "spiketrace: %s\n", strbuf_str(&sb));
			failed = -1;
		} else {
			basep = &base;
		}
		strbuf_reset(&sb);
	}
	if (failed == 0) {
		failed = profjson_gate(&sum, basep, &lim, &sb);
		if (sb.len)
			fprintf(o->report, "\n%s", strbuf_str(&sb));
	}
	strbuf_release(&sb);
	if (s->stacks)
		stack_view_release(&v);
	series_summary_release(&sum);
	if (!written)
		return -EIO;
	return failed < 0 ? -EINVAL : failed > 0 ? PROFILE_EXIT_GATE : 0;
}

int profiler_run(const struct profiler_opts *o, const char **what)
{
	struct session s = { .o = o,
			     .pidfd = -1,
			     .step_ns = (uint64_t)o->interval_ms * 1000000ULL };
	sigset_t blocked;
	int go = -1, exec_err = -1, ret = 0;

	stop_requested = 0;
	sigprocmask(SIG_SETMASK, NULL, &blocked);
	/* a bad baseline fails now, not after minutes of profiling */
	if (o->baseline) {
		struct profile_baseline base;
		struct strbuf err = STRBUF_INIT;

		if (profjson_read_summary(o->baseline, &base, &err) < 0) {
			fprintf(stderr, "spiketrace: %s\n", strbuf_str(&err));
			strbuf_release(&err);
			*what = NULL;
			return -EINVAL;
		}
		strbuf_release(&err);
	}
	if ((o->out && (ret = check_writable(o->out)) < 0) ||
	    (o->folded && (ret = check_writable(o->folded)) < 0)) {
		*what = NULL;
		return ret;
	}
	file_raise_nofile(); /* the series keeps fds per profiled process */
	s.pf = procfs_open("/proc");
	if (!s.pf) {
		*what = "cannot open /proc";
		return -errno;
	}
	s.sym = symbolizer_new();
	if (o->argv) {
		s.pid = spawn(o->argv, &go, &exec_err);
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
		struct stacks_opts so = {
			.pid = s.pid,
			.freq_hz = o->freq_hz,
			.event = o->event,
			.running = !s.spawned,
			.children = o->children,
		};

		ret = stacks_open(&s.stacks, &so, s.note, sizeof(s.note));
		if (s.note[0])
			fprintf(stderr, "spiketrace: %s\n", s.note);
		if (ret < 0) {
			fprintf(stderr,
				"spiketrace: stack sampling unavailable (perf_event_open: %s); "
				"profiling without stacks\n",
				strerror(-ret));
			s.stacks = NULL;
			ret = 0;
		} else {
			stacks_track_mappings(s.stacks, s.sym);
		}
	}
	s.series = series_new(s.pf, s.pid, o->children);
	s.t0 = s.last_ns = clock_mono_ns();
	series_sample(s.series, s.t0, clock_real_ns());
	if (s.stacks)
		stacks_drain(s.stacks);
	follow_new(&s);
	ret = loop_setup(&s);
	if (ret < 0) {
		*what = "cannot set up the event loop";
		goto out;
	}
	if (o->live)
		s.status_line = statusline_new(STDOUT_FILENO);
	if (go >= 0) {
		/* everything is watching: let the command run */
		ret = release(go, exec_err);
		if (ret < 0) {
			statusline_free(s.status_line);
			s.status_line = NULL;
			fprintf(stderr, "spiketrace: cannot run '%s': %s\n", o->argv[0],
				strerror(-ret));
			*what = NULL;
			goto out; /* it has exited (127): nothing was profiled, nothing written */
		}
		close(go);
		go = -1;
	}
	if (!stop_requested) /* Ctrl-C during the start (signals come through the loop after) */
		ret = evloop_run(s.loop);
	statusline_free(s.status_line);
	s.status_line = NULL;
	if (ret < 0) {
		*what = "event loop";
		goto out;
	}
	end_command(&s);
	reap(&s, true);
	if (s.stacks)
		stacks_drain(s.stacks);
	ret = finish(&s, (double)(clock_mono_ns() - s.t0) / 1e9);
	if (ret < 0)
		*what = NULL; /* finish() said why */
out:
	if (exec_err >= 0)
		close(exec_err);
	if (go >= 0) {
		close(go);
		if (s.spawned) {
			kill(s.pid, SIGKILL);
			reap(&s, true);
		}
	}
	if (s.pidfd >= 0)
		close(s.pidfd);
	evloop_free(s.loop);
	sigprocmask(SIG_SETMASK, &blocked,
		    NULL); /* what was blocked before the loop took its own */
	stacks_free(s.stacks);
	series_free(s.series);
	symbolizer_free(s.sym);
	procfs_free(s.pf);
	return ret;
}
