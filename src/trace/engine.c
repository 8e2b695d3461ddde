/* engine.c - the ptrace engine: one waitpid loop over every tracee, all stop kinds handled. */
#include "trace/engine.h"

#include <dirent.h>
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/signalfd.h>
#include <sys/syscall.h>
#include <sys/user.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/pidset.h"
#include "base/xalloc.h"
#include "sys/tracee.h"
#include "trace/bpfengine.h"

struct thread {
	pid_t tid, tgid;
	bool in_call; /* between syscall entry and exit */
	bool fresh; /* attached, not resumed yet: its first PTRACE_EVENT_STOP is not a group-stop */
	bool started; /* the main command's thread has reached its execve (earlier calls are ours)
		       */
	struct trace_call call;
	bool handed;  /* its seccomp filter is suspended: the eBPF engine sees its calls */
	bool owned;   /* handover: its call in flight is ptrace's to report (not eBPF's) */
	bool reclaim; /* handover: take it back at its next stop (its process wants seccomp) */
};

/*
 * The handover to eBPF: ptrace with a seccomp filter costs nothing for the calls it does not
 * stop on and ~15-40 us for each one it does; the eBPF engine costs ~0.1 us for every syscall
 * on the host and a ~20 ms start-up. So a command starts on ptrace, and when its stops come at
 * more than HANDOVER_STOPS per HANDOVER_WINDOW_MS, its tracees go to eBPF.
 */
#define HANDOVER_STOPS	   200
#define HANDOVER_WINDOW_MS 100
#define HANDOVER_POLL_MS   20 /* how long eBPF records may wait in the ring */

struct engine {
	struct engine_opts o;
	struct trace_sink sink;
	void *ctx;
	struct thread *t;
	size_t nt, capt;
	bool seccomp; /* stops come from the seccomp filter, not from every syscall */
	pid_t main_pid;
	int main_status;
	bool main_done;
	volatile sig_atomic_t interrupts;
	volatile sig_atomic_t from_terminal;
	int handled; /* interrupts acted on */
	bool detaching;
	struct bpf_engine *bpf; /* the eBPF engine does the work when set */
	/* the handover (see HANDOVER_STOPS) */
	bool can_hand_over;
	struct bpf_engine *tier; /* the tracees' syscalls are eBPF's when set */

	uint64_t window_ns;
	unsigned window_stops;
	int ep, sigfd; /* with tier: waits for a stop or for records */
	sigset_t old_mask;
	bool mask_saved;	  /* SIGCHLD blocked (for sigfd): old_mask is restored at the end */
	struct pidset taken_back; /* processes ptrace took back (they asked for seccomp) */
};

static bool seccomp_allowed_to_suspend(void);
static void drop_tier(struct engine *e);

struct engine *engine_new(const struct engine_opts *o, const struct trace_sink *sink, void *ctx,
			  char *err, size_t errlen)
{
	struct engine *e = xcalloc(1, sizeof(*e));

	e->o = *o;
	if (sink)
		e->sink = *sink;
	e->ctx = ctx;
	e->ep = e->sigfd = -1;
	/* a command stopped only on a set the user chose: ptrace first, eBPF when stops are
	 * frequent */
	if (o->kind == ENGINE_AUTO && o->argv && o->trace_set && o->narrowed &&
	    seccomp_allowed_to_suspend()) {
		e->can_hand_over = true;
		return e;
	}
	if (o->kind != ENGINE_PTRACE) {
		int ret = bpf_engine_new(&e->bpf, o, sink, ctx, err, errlen);

		if (ret < 0 && o->kind == ENGINE_BPF) {
			free(e);
			return NULL;
		}
		if (ret < 0)
			fprintf(stderr,
				"spiketrace: note: eBPF engine unavailable (%s); tracing with "
				"ptrace\n",
				err);
	}
	return e;
}

void engine_free(struct engine *e)
{
	if (!e)
		return;
	bpf_engine_free(e->bpf);
	drop_tier(e);
	pidset_release(&e->taken_back);
	free(e->t);
	free(e);
}

const char *engine_name(const struct engine *e)
{
	return e->bpf ? "bpf" : e->tier ? "ptrace+bpf" : "ptrace";
}

static struct thread *find(struct engine *e, pid_t tid)
{
	for (size_t i = 0; i < e->nt; i++)
		if (e->t[i].tid == tid)
			return &e->t[i];
	return NULL;
}

/* A field of a /proc/.../status file, and the base its value is written in. */
struct status_field {
	const char *name; /* "Tgid", without the colon */
	int base;
	unsigned long long value; /* in: the default when the field is missing; out: its value */
};

/* Reads the n fields f from the status file at path in one pass (defaults stay for the rest). */
static void read_status(const char *path, struct status_field *f, size_t n)
{
	char line[256];
	size_t left = n;
	FILE *file = fopen(path, "re");

	if (!file)
		return;
	while (left && fgets(line, sizeof(line), file))
		for (size_t i = 0; i < n; i++) {
			size_t len = strlen(f[i].name);

			if (!strncmp(line, f[i].name, len) && line[len] == ':') {
				f[i].value = strtoull(line + len + 1, NULL, f[i].base);
				left--;
				break;
			}
		}
	fclose(file);
}

/* Thread group of a task that appeared through a clone event (a thread, or a process). */
static pid_t read_tgid(pid_t tid)
{
	struct status_field tgid = { "Tgid", 10, (unsigned long long)tid };
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	read_status(path, &tgid, 1);
	return (pid_t)tgid.value;
}

static struct thread *add(struct engine *e, pid_t tid, pid_t tgid)
{
	struct thread *t;

	XGROW(e->t, e->capt, e->nt + 1);
	t = &e->t[e->nt++];
	memset(t, 0, sizeof(*t));
	t->tid = tid;
	t->tgid = tgid;
	t->fresh = true;
	t->started = true;
	return t;
}

static void drop(struct engine *e, struct thread *t)
{
	size_t i = (size_t)(t - e->t);

	if (e->tier) /* its call in flight, or a seccomp request it did not live to stop for */
		bpf_engine_own(e->tier, t->tid, false);

	e->t[i] = e->t[--e->nt];
}

/* ---- the handover to eBPF ---- */

/* Options of a command's tracees (ptrace_spawn adds TRACESECCOMP to what it is given). */
#define SPAWN_OPTIONS (PTRACE_TRACER_OPTIONS | PTRACE_O_EXITKILL | PTRACE_O_TRACESECCOMP)

/* PTRACE_O_SUSPEND_SECCOMP needs CAP_SYS_ADMIN and a tracer without a seccomp filter. */
static bool seccomp_allowed_to_suspend(void)
{
	const char *env = getenv("SPIKETRACE_HANDOVER");
	struct status_field f[] = { { "CapEff", 16, 0 }, { "Seccomp", 10, 1 } };

	if (env && !strcmp(env, "0"))
		return false;
	read_status("/proc/self/status", f, 2);
	return (f[0].value >> 21 & 1) /* CAP_SYS_ADMIN */ && f[1].value == 0;
}

/* A thread with a seccomp filter besides ours (or strict mode) keeps it enforced: no handover. */
static bool has_own_seccomp(pid_t tid)
{
	struct status_field f[] = { { "Seccomp", 10, 0 }, { "Seccomp_filters", 10, 1 } };
	char path[64];

	snprintf(path, sizeof(path), "/proc/%d/status", (int)tid);
	read_status(path, f, 2);
	return f[0].value == 1 || f[1].value > 1;
}

/* The call asks for a seccomp filter or strict mode (x86_64 numbers). */
static bool asked_for_seccomp(const struct trace_call *c)
{
	return (c->nr == SYS_seccomp && c->args[0] <= 1) ||
	       (c->nr == SYS_prctl && c->args[0] == PR_SET_SECCOMP);
}

static bool is_taken_back(const struct engine *e, pid_t tgid)
{
	return pidset_has(&e->taken_back, tgid);
}

static bool set_suspended(struct thread *t, bool on)
{
	if (ptrace(PTRACE_SETOPTIONS, t->tid, 0,
		   SPAWN_OPTIONS | (on ? PTRACE_O_SUSPEND_SECCOMP : 0)) < 0)
		return false;
	t->handed = on;
	return true;
}

/*
 * Process tgid goes back to ptrace: eBPF stops recording it, and each of its threads gets its
 * seccomp filters back (self at once, the others at their next stop, which an interrupt brings).
 */
static void take_back(struct engine *e, pid_t tgid, struct thread *self)
{
	if (getenv("SPIKETRACE_BPF_DEBUG") && !is_taken_back(e, tgid))
		fprintf(stderr, "spiketrace: process %d back on ptrace (seccomp)\n", (int)tgid);
	pidset_add(&e->taken_back, tgid);
	bpf_engine_release(e->tier, tgid);
	for (size_t i = 0; i < e->nt; i++) {
		struct thread *x = &e->t[i];

		if (x->tgid != tgid)
			continue;
		if (x == self) {
			set_suspended(x, false);
		} else if (x->handed && !x->reclaim) {
			x->reclaim = true;
			ptrace(PTRACE_INTERRUPT, x->tid, 0, 0);
		}
	}
}

/* Ends the handover's eBPF engine and what waits on it (also at the end: engine_free). */
static void drop_tier(struct engine *e)
{
	if (e->sigfd >= 0)
		close(e->sigfd);
	if (e->mask_saved)
		sigprocmask(SIG_SETMASK, &e->old_mask, NULL);
	if (e->ep >= 0)
		close(e->ep);
	e->sigfd = e->ep = -1;
	e->mask_saved = false;
	bpf_engine_free(e->tier);
	e->tier = NULL;
}

/*
 * Loads the eBPF engine and gives it the tracees: their tgids now, each thread at the exit of
 * its next traced call (which ptrace still reports). A call ptrace saw enter stays ptrace's
 * (the owned map). Loading takes ~20 ms: calls of other threads in flight meanwhile have it in
 * their latency.
 */
static void hand_over(struct engine *e)
{
	struct engine_opts o = e->o;
	struct trace_sink sink = { .enter = e->sink.enter,
				   .exit = e->sink.exit,
				   .batch = e->sink.batch };
	struct epoll_event ev = { .events = EPOLLIN };
	uint64_t t0 = clock_mono_ns();
	char err[256] = "";
	sigset_t chld;

	e->can_hand_over = false;
	o.kind = ENGINE_BPF;
	o.argv = NULL;
	o.pids = NULL;
	o.npids = 0;
	o.handover = true;
	if (bpf_engine_new(&e->tier, &o, &sink, e->ctx, err, sizeof(err)) < 0) {
		fprintf(stderr,
			"spiketrace: note: eBPF engine unavailable (%s); tracing with ptrace\n",
			err);
		return;
	}
	sigemptyset(&chld);
	sigaddset(&chld, SIGCHLD);
	e->mask_saved = sigprocmask(SIG_BLOCK, &chld, &e->old_mask) == 0;
	e->sigfd = signalfd(-1, &chld, SFD_NONBLOCK | SFD_CLOEXEC);
	e->ep = epoll_create1(EPOLL_CLOEXEC);
	if (e->sigfd < 0 || e->ep < 0 || epoll_ctl(e->ep, EPOLL_CTL_ADD, e->sigfd, &ev) < 0 ||
	    epoll_ctl(e->ep, EPOLL_CTL_ADD, bpf_engine_fd(e->tier), &ev) < 0) {
		fprintf(stderr, "spiketrace: note: %s; tracing with ptrace\n", strerror(errno));
		drop_tier(e);
		return;
	}
	for (size_t i = 0; i < e->nt; i++)
		if (has_own_seccomp(e->t[i].tid))
			pidset_add(&e->taken_back, e->t[i].tgid);
	for (size_t i = 0; i < e->nt; i++) {
		struct thread *t = &e->t[i];

		if (!t->started || is_taken_back(e, t->tgid))
			continue;
		if (t->in_call) {
			bpf_engine_own(e->tier, t->tid, true);
			t->owned = true;
		}
		bpf_engine_adopt(e->tier, t->tgid);
	}
	if (getenv("SPIKETRACE_BPF_DEBUG"))
		fprintf(stderr, "spiketrace: handed over to eBPF (loaded in %.1f ms)\n",
			(double)(clock_mono_ns() - t0) / 1e6);
}

/* One more stop recorded by ptrace: hands over when they come fast enough. */
static void count_stop(struct engine *e)
{
	uint64_t now;

	if (!e->can_hand_over || ++e->window_stops < HANDOVER_STOPS)
		return;
	now = clock_mono_ns();
	if (now - e->window_ns <= HANDOVER_WINDOW_MS * 1000000ull)
		hand_over(e);
	e->window_ns = now;
	e->window_stops = 0;
}

/* The next tracee stop; with the eBPF engine, its records are delivered while waiting. */
static pid_t wait_stop(struct engine *e, int *status)
{
	if (!e->tier)
		return waitpid(-1, status, __WALL);
	for (;;) {
		struct epoll_event ev[2];
		struct signalfd_siginfo si;
		pid_t pid = waitpid(-1, status, __WALL | WNOHANG);

		if (pid != 0)
			return pid;
		if (epoll_wait(e->ep, ev, 2, HANDOVER_POLL_MS) < 0 && errno == EINTR)
			return -1;
		while (read(e->sigfd, &si, sizeof(si)) == (ssize_t)sizeof(si))
			;
		bpf_engine_consume(e->tier);
		if (e->handled < e->interrupts) {
			errno = EINTR;
			return -1;
		}
	}
}

/* ---- stops ---- */

static void finish_call(struct engine *e, struct thread *t, bool unfinished)
{
	if (!t->in_call)
		return;
	t->in_call = false;
	t->call.unfinished = unfinished;
	t->call.exit_ns = clock_mono_ns();
	if (e->sink.exit && t->started)
		e->sink.exit(e->ctx, &t->call);
	t->call.priv = NULL;
}

static void resume(struct engine *e, struct thread *t, int sig)
{
	int req = (!e->seccomp || t->in_call) ? PTRACE_SYSCALL : PTRACE_CONT;

	t->fresh = false;
	if (e->detaching) {
		ptrace(PTRACE_DETACH, t->tid, 0, sig);
		return;
	}
	/* ESRCH: it was killed meanwhile; its exit is reported by waitpid */
	ptrace(req, t->tid, 0, sig);
}

static void on_entry(struct engine *e, struct thread *t, const struct syscall_stop *st)
{
	if (t->in_call) /* an entry without an exit: the call restarted; close the old one */
		finish_call(e, t, true);
	memset(&t->call, 0, sizeof(t->call));
	t->call.tid = t->tid;
	t->call.tgid = t->tgid;
	t->call.nr = st->nr;
	t->call.arch = st->arch;
	memcpy(t->call.args, st->args, sizeof(t->call.args));
	t->call.entry_ns = clock_mono_ns();
	t->in_call = true;
	/* the command's own life starts at its execve; what ran before is spiketrace's launcher */
	if (!t->started && (st->nr == SYS_execve || st->nr == SYS_execveat))
		t->started = true;
	if (e->sink.enter && t->started)
		e->sink.enter(e->ctx, &t->call);
}

static void on_syscall_stop(struct engine *e, struct thread *t)
{
	struct syscall_stop st;

	if (ptrace_syscall_info(t->tid, &st) < 0)
		return;
	if (st.op == PTRACE_SYSCALL_INFO_ENTRY || st.op == PTRACE_SYSCALL_INFO_SECCOMP) {
		on_entry(e, t, &st);
	} else if (st.op == PTRACE_SYSCALL_INFO_EXIT) {
		if (!t->in_call)
			return; /* the exit of a call that started before we attached */
		t->call.ret = st.rval;
		t->call.is_error = st.is_error;
		finish_call(e, t, false);
	}
}

/*
 * The syscall a tracee stopped at a ptrace event is inside (orig_rax): it tells
 * fork, vfork, clone and clone3 apart even when the seccomp filter does not stop on them.
 */
static long syscall_in_progress(pid_t tid)
{
	long nr;

	errno = 0;
	nr = ptrace(PTRACE_PEEKUSER, tid, (void *)offsetof(struct user_regs_struct, orig_rax), 0);
	return errno ? -1 : nr;
}

static void on_event(struct engine *e, struct thread *t, int event)
{
	unsigned long msg = 0;

	ptrace(PTRACE_GETEVENTMSG, t->tid, 0, &msg);
	switch (event) {
	case PTRACE_EVENT_FORK:
	case PTRACE_EVENT_VFORK:
	case PTRACE_EVENT_CLONE: {
		pid_t child = (pid_t)msg, ptid = t->tid, ptgid = t->tgid;
		bool thread = false, handed = t->handed;
		pid_t tgid = child;
		struct thread *c;

		if (event == PTRACE_EVENT_CLONE) {
			tgid = read_tgid(child);
			thread = tgid == t->tgid;
		}
		c = find(e, child);
		if (!c)
			c = add(e, child, tgid); /* (may move e->t: t is not used below) */
		else
			c->tgid = tgid;
		/* the options are inherited: a child of a thread handed to eBPF is handed too */
		c->handed = handed;
		if (e->tier && is_taken_back(e, ptgid)) { /* and so are its filters */
			if (!thread) {
				pidset_add(&e->taken_back, tgid);
				bpf_engine_release(e->tier, tgid); /* sched_process_fork added it */
			}
			c->reclaim = true;
			if (!c->fresh) /* it reported already and runs: stop it */
				ptrace(PTRACE_INTERRUPT, child, 0, 0);
		}
		if (e->sink.spawn)
			e->sink.spawn(e->ctx, clock_mono_ns(), ptid, ptgid, child,
				      event == PTRACE_EVENT_FORK    ? SPAWN_FORK
				      : event == PTRACE_EVENT_VFORK ? SPAWN_VFORK
								    : SPAWN_CLONE,
				      thread, syscall_in_progress(ptid));
		break;
	}
	case PTRACE_EVENT_EXEC: {
		pid_t old = (pid_t)msg;

		/*
		 * A non-leader thread that calls execve takes over the leader's
		 * tid; the other threads are gone without an exit report. Its
		 * pending execve call continues as the leader's.
		 */
		if (old != t->tid) {
			struct thread *o = find(e, old);

			if (o) {
				if (t->in_call)
					finish_call(e, t, true);
				t->call = o->call;
				t->call.tid = t->tid;
				t->in_call = o->in_call;
				t->started = o->started;
				t->handed = o->handed;
				t->reclaim = o->reclaim;
				if (e->tier && t->owned != o->owned)
					bpf_engine_own(e->tier, t->tid, o->owned);
				t->owned = o->owned;
				drop(e, o);
				t = find(e, t->tgid);
			}
		}
		for (size_t i = 0; i < e->nt; i++) {
			struct thread *x = &e->t[i];

			if (x->tgid == t->tgid && x->tid != t->tid) {
				finish_call(e, x, true);
				drop(e, x);
				i--;
			}
		}
		/* the command's life starts at its exec, also when execve is not in the set */
		t->started = true;
		if (e->sink.exec)
			e->sink.exec(e->ctx, clock_mono_ns(), t->tgid, old);
		break;
	}
	default:
		break;
	}
}

static void handle_interrupts(struct engine *e)
{
	while (e->handled < e->interrupts) {
		e->handled++;
		if (e->o.npids && !e->o.argv) {
			/* attached: leave everything running as it was */
			e->detaching = true;
			for (size_t i = 0; i < e->nt; i++)
				ptrace(PTRACE_INTERRUPT, e->t[i].tid, 0, 0);
		} else if (e->handled == 1) {
			/* the terminal already sent SIGINT to the whole foreground group */
			if (!e->from_terminal && e->main_pid > 0 && !e->main_done)
				kill(e->main_pid, SIGINT);
		} else {
			for (size_t i = 0; i < e->nt; i++)
				kill(e->t[i].tid, SIGKILL);
		}
	}
}

static int attach_all(struct engine *e)
{
	for (size_t i = 0; i < e->o.npids; i++) {
		char path[64];
		struct dirent **list = NULL;
		int n, ret;

		ret = ptrace_seize_pid(e->o.pids[i], PTRACE_TRACER_OPTIONS);
		if (ret < 0)
			return ret;
		add(e, e->o.pids[i], e->o.pids[i]);
		ptrace(PTRACE_INTERRUPT, e->o.pids[i], 0, 0);
		/* and every other thread of the process */
		snprintf(path, sizeof(path), "/proc/%d/task", (int)e->o.pids[i]);
		n = scandir(path, &list, NULL, NULL);
		for (int k = 0; k < n; k++) {
			pid_t tid = (pid_t)atoi(list[k]->d_name);

			if (tid > 0 && tid != e->o.pids[i] &&
			    ptrace_seize_pid(tid, PTRACE_TRACER_OPTIONS) == 0) {
				add(e, tid, e->o.pids[i]);
				ptrace(PTRACE_INTERRUPT, tid, 0, 0);
			}
			free(list[k]);
		}
		free(list);
	}
	e->main_pid = e->o.pids[0];
	return 0;
}

static void pin_to_one_cpu(void)
{
	cpu_set_t set;
	int cpu = sched_getcpu();

	CPU_ZERO(&set);
	CPU_SET(cpu < 0 ? 0 : cpu, &set);
	sched_setaffinity(0, sizeof(set), &set);
}

int engine_run(struct engine *e, const char **what)
{
	if (e->o.same_cpu)
		pin_to_one_cpu(); /* the command inherits it, whichever engine runs it */
	if (e->bpf)
		return bpf_engine_run(e->bpf, what);
	if (e->o.argv) {
		pid_t pid;

		e->seccomp = e->o.trace_set != NULL;
		/* a command we started dies with us (EXITKILL); attached processes never do */
		pid = ptrace_spawn(e->o.argv, PTRACE_TRACER_OPTIONS | PTRACE_O_EXITKILL,
				   e->o.trace_set, e->o.trace_bits);
		if (pid < 0) {
			*what = "cannot run the command";
			return pid;
		}
		e->main_pid = pid;
		add(e, pid, pid)->started = false;
		if (e->sink.start)
			e->sink.start(e->ctx, pid);
	} else {
		int ret = attach_all(e);

		if (ret < 0) {
			*what = "cannot attach";
			return ret;
		}
		if (e->sink.start)
			for (size_t i = 0; i < e->o.npids; i++)
				e->sink.start(e->ctx, e->o.pids[i]);
	}

	e->window_ns = clock_mono_ns();
	while (e->nt > 0) {
		struct thread *t;
		int status, sig, event;
		pid_t pid;

		handle_interrupts(e);
		pid = wait_stop(e, &status);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			if (errno == ECHILD)
				break;
			*what = "waitpid";
			return -errno;
		}
		/* what eBPF recorded before this stop is delivered before it */
		if (e->tier)
			bpf_engine_consume(e->tier);
		t = find(e, pid);
		if (!t) /* a new child reporting before its parent's fork event */
			t = add(e, pid, pid);
		if (WIFEXITED(status) || WIFSIGNALED(status)) {
			bool leader = pid == t->tgid;

			finish_call(e, t, true);
			if (e->sink.thread_exit)
				e->sink.thread_exit(e->ctx, clock_mono_ns(), pid, t->tgid, status,
						    leader);
			if (leader) /* (its pid may be reused) */
				pidset_del(&e->taken_back, pid);
			if (pid == e->main_pid) {
				e->main_status = status;
				e->main_done = true;
			}
			drop(e, t);
			continue;
		}
		if (!WIFSTOPPED(status))
			continue;
		if (t->reclaim) { /* its process asked for seccomp: its filters hold again */
			set_suspended(t, false);
			t->reclaim = false;
		}
		sig = WSTOPSIG(status);
		event = (int)((unsigned)status >> 16);
		if (sig == (SIGTRAP | 0x80)) {
			on_syscall_stop(e, t);
			if (t->owned && !t->in_call) { /* ptrace's last call: the next are eBPF's */
				bpf_engine_own(e->tier, t->tid, false);
				t->owned = false;
				if (!is_taken_back(e, t->tgid) &&
				    (asked_for_seccomp(&t->call) || has_own_seccomp(t->tid) ||
				     !set_suspended(t, true)))
					take_back(e, t->tgid, t);
			}
			resume(e, t, 0);
		} else if (event == PTRACE_EVENT_SECCOMP) {
			if (t->started && !e->tier)
				count_stop(e); /* may hand over: then this call is timed from now */
			on_syscall_stop(e, t);
			/*
			 * After the handover a thread's next call is still ptrace's: its
			 * syscall entry may predate the eBPF tracepoint. At its exit the thread
			 * is handed over (its seccomp filter suspended).
			 */
			if (e->tier && t->started && t->in_call && !is_taken_back(e, t->tgid)) {
				bpf_engine_own(e->tier, t->tid, true);
				t->owned = true;
				bpf_engine_adopt(e->tier, t->tgid);
			}
			resume(e, t, 0);
		} else if (event == PTRACE_EVENT_STOP) {
			if (!t->fresh && !e->detaching &&
			    (sig == SIGSTOP || sig == SIGTSTP || sig == SIGTTIN ||
			     sig == SIGTTOU)) {
				/* group-stop: stay stopped, but keep reporting (SIGCONT, kill) */
				ptrace(PTRACE_LISTEN, pid, 0, 0);
			} else {
				resume(e, t, 0);
			}
		} else if (event) {
			on_event(e, t, event);
			t = find(e, pid);
			if (t)
				resume(e, t, 0);
			else
				ptrace(PTRACE_CONT, pid, 0, 0);
		} else if (sig == SIGSTOP && e->tier && bpf_engine_take_seccomp(e->tier, pid)) {
			/* eBPF's: the thread asked for a seccomp filter; ptrace takes it back */
			take_back(e, t->tgid, t);
			resume(e, t, 0);
		} else {
			/* signal-delivery-stop: pass the signal on, never swallow it */
			if (e->sink.signal && t->started)
				e->sink.signal(e->ctx, clock_mono_ns(), pid, sig);
			resume(e, t, sig);
		}
		if (e->detaching && (t = find(e, pid)) != NULL)
			drop(e, t); /* resume() detached it */
	}
	if (e->tier) {
		bpf_engine_consume(e->tier);
		bpf_engine_report_lost(e->tier);
	}
	return 0;
}

void engine_interrupt(struct engine *e, bool from_terminal)
{
	if (e->bpf) {
		bpf_engine_interrupt(e->bpf, from_terminal);
		return;
	}
	e->from_terminal = from_terminal;
	e->interrupts++;
}

int engine_exit_status(const struct engine *e)
{
	int status = e->main_status;
	bool done = e->bpf ? bpf_engine_main_status(e->bpf, &status) : e->main_done;

	if (!done)
		return 0;
	if (WIFSIGNALED(status))
		return 128 + WTERMSIG(status);
	return WEXITSTATUS(status);
}

pid_t engine_main_pid(const struct engine *e)
{
	if (e->bpf)
		return bpf_engine_main_pid(e->bpf);
	return e->main_pid;
}
