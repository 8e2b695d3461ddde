/* tracer.c - one trace session: engine events to live lines, NDJSON, statistics and anomalies. */
#include "trace/tracer.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "base/clock.h"
#include "base/json.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "sys/perf.h"
#include "trace/decode.h"
#include "trace/engine.h"
#include "trace/track.h"
#include "trace/tstats.h"

struct session {
	const struct tracer_opts *o;
	struct engine *engine;
	struct tstats *stats;
	uint64_t t0_ns;
	bool multi; /* more than one process seen: lines carry the pid */
	struct strbuf line;
	uint64_t anomalies;
	struct decode_opts dopts;
	struct track *track; /* NULL when only the table is asked for */
	bool live;	     /* the tracker's lines are the output (no -v, no --json) */
	bool seeded;
	struct strbuf prefix;
	struct perf_group **faults; /* one group per started or attached process */
	size_t nfaults;
	bool faults_warned;
	bool batched; /* the engine delivers records in batches (eBPF): faults drained after each */
	/*
	 * -v text: strace's open line. A call's line is printed at its exit, stamped with its
	 * entry; the last call that entered is "open" until it exits (one whole line) or another
	 * line has to be printed first, which prints the open call's entry part ending in
	 * " <unfinished ...>" and makes its exit a "<... NAME resumed>" line stamped with the
	 * exit. So the stamps in the output never decrease.
	 */
	bool lines;		 /* -v without --json */
	pid_t open_tid;		 /* the open call's thread; 0: none */
	uint64_t open_ns;	 /* its entry */
	struct strbuf open_part; /* its entry part: "read(3, " */
	struct strbuf held;	 /* whole lines of open_tid's own events meanwhile (its spawns) */
};

struct sample_tid_addr {
	uint32_t pid, tid;
	uint64_t addr;
};

static void on_fault_record(void *ctx, const struct perf_event_header *h, const void *body)
{
	struct session *s = ctx;

	if (h->type == PERF_RECORD_SAMPLE &&
	    h->size >= sizeof(*h) + sizeof(struct sample_tid_addr)) {
		const struct sample_tid_addr *smp = body;

		track_fault(s->track, (pid_t)smp->pid, smp->addr);
	} else if (h->type == PERF_RECORD_LOST && h->size >= sizeof(*h) + 16) {
		uint64_t lost;

		memcpy(&lost, (const char *)body + 8, sizeof(lost));
		track_faults_lost(s->track, lost);
	}
}

static void drain_faults(struct session *s)
{
	for (size_t i = 0; i < s->nfaults; i++)
		perf_group_drain(s->faults[i], on_fault_record, s);
}

/* --faults: a minor-page-fault sampler on the new tracee (its children inherit it). */
static void on_start(void *ctx, pid_t pid)
{
	struct session *s = ctx;
	struct perf_event_attr attr;
	struct perf_group *g;
	int ret;

	/*
	 * What the command inherits (stdin, stdout, stderr...). The eBPF engine holds it before its
	 * exec now; its exec record comes a batch later, when it may have opened more. (ptrace
	 * seeds at the exec stop, where the command is.)
	 */
	if (s->track && s->batched && s->o->argv && !s->seeded) {
		track_seed(s->track, pid);
		s->seeded = true;
	}
	if (!s->o->faults || !s->track)
		return;
	memset(&attr, 0, sizeof(attr));
	attr.type = PERF_TYPE_SOFTWARE;
	attr.config = PERF_COUNT_SW_PAGE_FAULTS_MIN;
	attr.sample_period = 1;
	attr.sample_type = PERF_SAMPLE_TID | PERF_SAMPLE_ADDR;
	attr.exclude_kernel = 1;
	ret = perf_group_open(&g, pid, &attr, 256);
	if (ret < 0) {
		if (!s->faults_warned)
			fprintf(stderr,
				"spiketrace: --faults: page-fault sampling unavailable here "
				"(perf_event_open: %s); tracing goes on without it\n",
				strerror(-ret));
		s->faults_warned = true;
		return;
	}
	s->faults = xrealloc(s->faults, (s->nfaults + 1) * sizeof(*s->faults));
	s->faults[s->nfaults++] = g;
}

/*
 * After a batch of eBPF records: page faults are drained only now, so that the brk and mmap
 * calls before them are known (the perf ring runs ahead of the batched records).
 */
static void on_batch(void *ctx)
{
	struct session *s = ctx;

	s->batched = true; /* (the ptrace engine hands over to eBPF mid-run) */
	if (s->nfaults)
		drain_faults(s);
}

/* "[+0.003] " and "[pid N] " when several processes are traced: the start of an output line. */
static const char *line_prefix(struct session *s, uint64_t ns, pid_t pid)
{
	strbuf_reset(&s->prefix);
	strbuf_addf(&s->prefix, "[+%.3f] ", (double)(ns - s->t0_ns) / 1e9);
	if (s->multi)
		strbuf_addf(&s->prefix, "[pid %5d] ", pid);
	return strbuf_str(&s->prefix);
}

/* Writes what the tracker produced (whole lines) to the output. */
static void flush_lines(struct session *s, struct strbuf *lines)
{
	if (s->live && lines->len)
		fwrite(lines->buf, 1, lines->len, s->o->out);
	strbuf_reset(lines);
}

static struct engine *volatile current; /* for the Ctrl-C handler */

static void stamp(struct session *s, uint64_t ns)
{
	double t = (double)(ns - s->t0_ns) / 1e9;

	strbuf_addf(&s->line, "[+%.3f] ", t);
}

static void write_held(struct session *s)
{
	if (s->held.len)
		fwrite(s->held.buf, 1, s->held.len, s->o->out);
	strbuf_reset(&s->held);
}

/* The open call's entry part, as " <unfinished ...>", then the lines it held back. */
static void close_open(struct session *s)
{
	if (!s->open_tid)
		return;
	fprintf(s->o->out, "%s%s <unfinished ...>\n", line_prefix(s, s->open_ns, s->open_tid),
		strbuf_str(&s->open_part));
	s->open_tid = 0;
	strbuf_reset(&s->open_part);
	write_held(s);
}

/* Writes s->line, after closing the open call's line: another line comes before its end. */
static void flush_line(struct session *s)
{
	close_open(s);
	strbuf_addc(&s->line, '\n');
	fwrite(s->line.buf, 1, s->line.len, s->o->out);
	strbuf_reset(&s->line);
}

/*
 * Writes s->line for an event of thread tid (a spawn): held back until tid's open call's line
 * is printed, so that a fork or clone alone stays one line.
 */
static void flush_line_of(struct session *s, pid_t tid)
{
	if (s->open_tid && s->open_tid == tid) {
		strbuf_addc(&s->line, '\n');
		strbuf_add(&s->held, s->line.buf, s->line.len);
		strbuf_reset(&s->line);
		return;
	}
	flush_line(s);
}

static unsigned nargs_of(long nr)
{
	const struct syscall_def *d = systab_get(SYSTAB_ARCH_X86_64, nr);

	return d ? d->nargs : 6;
}

static const char *sys_name(long nr, char *buf, size_t len)
{
	const struct syscall_def *d = systab_get(SYSTAB_ARCH_X86_64, nr);

	if (d && d->name)
		return d->name;
	snprintf(buf, len, "syscall_0x%lx", (unsigned long)nr); /* as the decoder prints it */
	return buf;
}

static void on_enter_call(void *ctx, struct trace_call *c)
{
	struct session *s = ctx;
	struct mem_reader m = c->mem ? *c->mem : decode_reader_ptrace(c->tid);

	if (s->o->verbose || s->o->json || s->track)
		decode_enter(&m, c, &s->dopts);
	if (s->lines) {
		/* strace prints the entry part now: whatever was open is unfinished */
		close_open(s);
		s->open_tid = c->tid;
		s->open_ns = c->entry_ns;
		decode_format_entry(&m, c, &s->dopts, &s->open_part);
	}
}

/* The raw syscall, strace's way (-v), or as an NDJSON "syscall" event (--json). */
static void emit_syscall(struct session *s, struct trace_call *c)
{
	struct mem_reader m = c->mem ? *c->mem : decode_reader_ptrace(c->tid);

	if (s->o->json) {
		struct strbuf text = STRBUF_INIT;
		struct json_writer w;
		char nbuf[32];
		const char *en;

		decode_format(&m, c, &s->dopts, &text);
		json_init(&w, &s->line, false);
		json_obj_begin(&w);
		json_kv_str(&w, "event", "syscall");
		json_kv_double(&w, "t", (double)(c->entry_ns - s->t0_ns) / 1e9, 6);
		json_kv_int(&w, "pid", c->tgid);
		json_kv_int(&w, "tid", c->tid);
		json_kv_str(&w, "syscall", sys_name(c->nr, nbuf, sizeof(nbuf)));
		json_kv_int(&w, "nr", c->nr);
		json_key(&w, "args");
		json_arr_begin(&w);
		for (unsigned i = 0; i < nargs_of(c->nr); i++)
			json_uint(&w, c->args[i]);
		json_arr_end(&w);
		if (c->unfinished) {
			json_key(&w, "ret");
			json_null(&w);
		} else {
			json_kv_int(&w, "ret", c->ret);
		}
		en = c->is_error && !c->unfinished ? systab_errno_name((int)-c->ret) : NULL;
		json_key(&w, "errno");
		if (en)
			json_str(&w, en);
		else
			json_null(&w);
		/* unfinished: until the thread was seen to end inside it */
		json_kv_uint(&w, "latency_ns", c->exit_ns - c->entry_ns);
		json_kv_str(&w, "text", strbuf_str(&text));
		json_obj_end(&w);
		strbuf_release(&text);
	} else if (s->open_tid == c->tid) {
		/* nothing was printed since its entry: one line, stamped with the entry */
		strbuf_adds(&s->line, line_prefix(s, c->entry_ns, c->tid));
		decode_format(&m, c, &s->dopts, &s->line);
		s->open_tid = 0;
		strbuf_reset(&s->open_part);
		strbuf_addc(&s->line, '\n');
		fwrite(s->line.buf, 1, s->line.len, s->o->out);
		strbuf_reset(&s->line);
		write_held(s);
		return;
	} else {
		strbuf_adds(&s->line, line_prefix(s, c->exit_ns, c->tid));
		decode_format_resumed(&m, c, &s->dopts, &s->line);
	}
	flush_line(s);
}

static void on_exit_call(void *ctx, struct trace_call *c)
{
	struct session *s = ctx;
	struct tstats_anomaly an;
	char nbuf[32];
	const char *name;
	bool anomaly;

	if (s->o->verbose || s->o->json)
		emit_syscall(s, c);
	if (s->nfaults && !s->batched)
		drain_faults(s);
	if (s->track) {
		struct strbuf lines = STRBUF_INIT;

		track_call(s->track, c, line_prefix(s, c->exit_ns, c->tid), &lines);
		flush_lines(s, &lines);
		strbuf_release(&lines);
	}
	decode_release(c);
	if (c->unfinished)
		return; /* exit, exit_group, a killed thread: never returned (strace -c skips them
			   too) */
	anomaly = tstats_add(s->stats, c->nr, c->exit_ns - c->entry_ns, c->is_error, &an);
	if (!anomaly)
		return;
	s->anomalies++;
	name = sys_name(c->nr, nbuf, sizeof(nbuf));
	if (s->o->json) {
		struct json_writer w;

		json_init(&w, &s->line, false);
		json_obj_begin(&w);
		json_kv_str(&w, "event", "anomaly");
		json_kv_double(&w, "t", (double)(c->exit_ns - s->t0_ns) / 1e9, 6);
		json_kv_int(&w, "pid", c->tid);
		json_kv_str(&w, "syscall", name);
		json_kv_uint(&w, "latency_ns", c->exit_ns - c->entry_ns);
		json_kv_double(&w, "mean_ns", an.mean_ns, 0);
		json_kv_double(&w, "z", an.z, 2);
		json_kv_str(&w, "severity", tstats_severity_name(an.severity));
		json_obj_end(&w);
	} else {
		char lat[32], mean[32];

		strbuf_adds(&s->line, line_prefix(s, c->exit_ns, c->tid));
		tstats_fmt_ns(lat, sizeof(lat), c->exit_ns - c->entry_ns);
		tstats_fmt_ns(mean, sizeof(mean), (uint64_t)an.mean_ns);
		strbuf_addf(&s->line, "anomaly: %s took %s, %.1f sigma above its mean %s (%s)",
			    name, lat, an.z, mean, tstats_severity_name(an.severity));
	}
	flush_line(s);
}

/* Starts a JSON event line: {"event":NAME,"t":...,"pid":PID (ns: when it happened) */
static void json_event(struct session *s, struct json_writer *w, const char *name, uint64_t ns,
		       pid_t pid)
{
	json_init(w, &s->line, false);
	json_obj_begin(w);
	json_kv_str(w, "event", name);
	json_kv_double(w, "t", (double)((int64_t)(ns - s->t0_ns)) / 1e9, 6);
	json_kv_int(w, "pid", pid);
}

static bool events_wanted(const struct session *s)
{
	return s->o->verbose || s->o->json;
}

static void on_spawn(void *ctx, uint64_t ns, pid_t parent, pid_t parent_tgid, pid_t child,
		     enum spawn_kind kind, bool thread, long via)
{
	static const char *const kinds[] = { "fork", "vfork", "clone" };
	struct session *s = ctx;
	struct json_writer w;
	char vbuf[32];
	const char *vname = via >= 0 ? sys_name(via, vbuf, sizeof(vbuf)) : kinds[kind];

	/* -v as strace -f: threads too, or a split line could not be told whose it is */
	if (!thread || s->lines)
		s->multi = true;
	if (s->track) {
		struct strbuf lines = STRBUF_INIT;

		track_spawn(s->track, parent, parent_tgid, child, thread, vname,
			    line_prefix(s, ns, parent), &lines);
		flush_lines(s, &lines);
		strbuf_release(&lines);
	}
	if (!events_wanted(s))
		return;
	if (s->o->json) {
		json_event(s, &w, "spawn", ns, parent);
		json_kv_int(&w, "child", child);
		json_kv_str(&w, "kind", kinds[kind]);
		json_kv_str(&w, "syscall", vname);
		json_kv_bool(&w, "thread", thread);
		json_obj_end(&w);
	} else {
		stamp(s, ns);
		strbuf_addf(&s->line, "[pid %5d] +++ %s %s %d +++", parent, vname,
			    thread ? "thread" : "process", child);
	}
	flush_line_of(s, parent);
}

static void on_signal(void *ctx, uint64_t ns, pid_t tid, int sig)
{
	struct session *s = ctx;
	const char *name = systab_value_name(systab_signals, (unsigned)sig);
	struct json_writer w;

	if (!events_wanted(s))
		return;
	if (s->o->json) {
		json_event(s, &w, "signal", ns, tid);
		json_kv_str(&w, "signal", name ? name : "?");
		json_kv_int(&w, "signo", sig);
		json_obj_end(&w);
	} else {
		stamp(s, ns);
		if (s->multi)
			strbuf_addf(&s->line, "[pid %5d] ", tid);
		strbuf_addf(&s->line, "--- %s ---", name ? name : "?");
	}
	flush_line(s);
}

static void on_exec(void *ctx, uint64_t ns, pid_t tgid, pid_t old_tid)
{
	struct session *s = ctx;

	(void)ns;
	(void)old_tid;
	if (!s->track)
		return;
	if (!s->seeded && tgid == engine_main_pid(s->engine)) {
		/* what the command inherited (at its exec stop, under ptrace) */
		track_seed(s->track, tgid);
		s->seeded = true;
	}
	track_exec(s->track, tgid, "", NULL);
}

static void on_thread_exit(void *ctx, uint64_t ns, pid_t tid, pid_t tgid, int status,
			   bool leader)
{
	struct session *s = ctx;
	struct json_writer w;
	const char *name;

	if (s->track && leader)
		track_exit(s->track, tgid, status);
	if (!events_wanted(s) || !leader)
		return;
	name = WIFSIGNALED(status) ? systab_value_name(systab_signals, (unsigned)WTERMSIG(status))
				   : NULL;
	if (s->o->json) {
		json_event(s, &w, "exit", ns, tid);
		if (WIFSIGNALED(status)) {
			json_kv_str(&w, "signal", name ? name : "?");
			json_kv_int(&w, "status", 128 + WTERMSIG(status));
		} else {
			json_key(&w, "signal");
			json_null(&w);
			json_kv_int(&w, "status", WEXITSTATUS(status));
		}
		json_obj_end(&w);
	} else {
		stamp(s, ns);
		if (s->multi)
			strbuf_addf(&s->line, "[pid %5d] ", tid);
		if (WIFSIGNALED(status))
			strbuf_addf(&s->line, "+++ killed by %s +++", name ? name : "?");
		else
			strbuf_addf(&s->line, "+++ exited with %d +++", WEXITSTATUS(status));
	}
	flush_line(s);
}

static void json_stats_row(const struct tstats_row *r, void *arg)
{
	struct json_writer *w = arg;
	char nbuf[32];

	json_obj_begin(w);
	json_kv_str(w, "syscall", sys_name(r->nr, nbuf, sizeof(nbuf)));
	json_kv_uint(w, "calls", r->calls);
	json_kv_uint(w, "errors", r->errors);
	json_kv_uint(w, "total_ns", r->total_ns);
	json_kv_uint(w, "p50_ns", r->p50_ns);
	json_kv_uint(w, "p95_ns", r->p95_ns);
	json_kv_uint(w, "p99_ns", r->p99_ns);
	json_kv_uint(w, "max_ns", r->max_ns);
	json_kv_uint(w, "anomalies", r->anomalies);
	json_obj_end(w);
}

/* The end of the report: the per-syscall table (--stats), as text or as one JSON event. */
static void report_stats(struct session *s)
{
	struct json_writer w;

	strbuf_reset(&s->line);
	if (!s->o->json) {
		tstats_render(s->stats, SYSTAB_ARCH_X86_64, &s->line);
		fwrite(s->line.buf, 1, s->line.len, s->o->out);
		strbuf_reset(&s->line);
		return;
	}
	json_event(s, &w, "stats", clock_mono_ns(), engine_main_pid(s->engine));
	json_key(&w, "syscalls");
	json_arr_begin(&w);
	tstats_foreach(s->stats, json_stats_row, &w);
	json_arr_end(&w);
	json_obj_end(&w);
	flush_line(s);
}

/* "curl -s https://x" or "pid 1234" for headlines. */
static void title_of(const struct tracer_opts *o, struct strbuf *out)
{
	if (o->argv) {
		for (size_t i = 0; o->argv[i]; i++) {
			if (i)
				strbuf_addc(out, ' ');
			strbuf_adds(out, o->argv[i]);
		}
		return;
	}
	for (size_t i = 0; i < o->npids; i++)
		strbuf_addf(out, "%spid %d", i ? ", " : "", (int)o->pids[i]);
}

int tracer_run(const struct tracer_opts *o, const char **what)
{
	struct session s = { .o = o };
	struct trace_sink sink = {
		.enter = on_enter_call,
		.exit = on_exit_call,
		.spawn = on_spawn,
		.signal = on_signal,
		.exec = on_exec,
		.start = on_start,
		.thread_exit = on_thread_exit,
		.batch = on_batch,
	};
	struct engine_opts eo = {
		.argv = o->argv,
		.pids = o->pids,
		.npids = o->npids,
		.trace_set = o->filtered ? o->set : NULL,
		.trace_bits = SYSTAB_NR_LIMIT,
		.same_cpu = o->same_cpu,
		.narrowed = o->filtered,
		.kind = o->engine,
		.strsize = o->strsize,
		.capture_data = o->json || o->verbose,
	};
	char err[256] = "";
	uint8_t track_set[SYSTAB_SET_BYTES] = { 0 };
	int ret;

	s.t0_ns = clock_mono_ns();
	s.dopts.strsize = o->strsize;
	s.dopts.align = o->json ? 0 : DECODE_ALIGN_STRACE;
	/* --stats alone is strace -c: no decoding, no tracking, as cheap as it gets */
	if (o->json || !(o->stats && !o->verbose))
		s.track = track_new(o->no_filter);
	s.live = s.track && !o->verbose && !o->json;
	s.lines = o->verbose && !o->json;
	s.dopts.names_only = s.live && !o->json; /* the tracker reads names, not data */
	/*
	 * The default report needs only the syscalls the tracker reads: a seccomp
	 * filter lets every other one (getppid, futex, clock_gettime ...) run at full
	 * speed. -v, --json and --stats see everything unless -e narrows it.
	 */
	if (s.live && !o->filtered && !o->stats) {
		track_syscalls(track_set, sizeof(track_set));
		eo.trace_set = track_set;
	}
	s.stats = tstats_new();
	tstats_set_anomaly(s.stats, o->anomaly_z, TSTATS_DEFAULT_MIN_CALLS);
	s.multi = o->npids > 1;
	/*
	 * -v prints strace's lines, which read any memory a call points to: only ptrace sees it
	 * all. --same-cpu is about ptrace stops. Otherwise eBPF, when it loads here.
	 */
	if (eo.kind == ENGINE_AUTO && (o->verbose || o->same_cpu))
		eo.kind = ENGINE_PTRACE;
	s.engine = engine_new(&eo, &sink, &s, err, sizeof(err));
	s.t0_ns = clock_mono_ns(); /* after loading an eBPF engine (a quarter second) */
	if (s.engine)
		s.batched = !strcmp(engine_name(s.engine), "bpf");
	if (!s.engine) {
		fprintf(stderr, "spiketrace: cannot use the eBPF engine: %s\n", err);
		*what = "eBPF engine";
		track_free(s.track);
		tstats_free(s.stats);
		return -ENOTSUP;
	}
	current = s.engine;
	if (s.track && !o->json) {
		struct strbuf title = STRBUF_INIT;

		title_of(o, &title);
		fprintf(o->out, "spiketrace: tracing %s\n", strbuf_str(&title));
		strbuf_release(&title);
	}
	if (s.track && o->npids && !o->argv)
		for (size_t i = 0; i < o->npids; i++)
			track_seed(s.track, o->pids[i]);
	ret = engine_run(s.engine, what);
	current = NULL;
	close_open(&s); /* a call still in progress when tracing stopped (detached) */
	if (ret == 0 && o->stats)
		report_stats(&s);
	if (s.nfaults)
		drain_faults(&s);
	if (ret == 0 && s.track && o->json) {
		struct json_writer w;

		strbuf_reset(&s.line);
		json_event(&s, &w, "summary", clock_mono_ns(), engine_main_pid(s.engine));
		json_kv_double(&w, "seconds", (double)(clock_mono_ns() - s.t0_ns) / 1e9, 3);
		track_summary_json(s.track, engine_exit_status(s.engine), &w);
		json_obj_end(&w);
		flush_line(&s);
	} else if (ret == 0 && s.track) {
		struct strbuf title = STRBUF_INIT;

		title_of(o, &title);
		strbuf_reset(&s.line);
		track_summary(s.track, strbuf_str(&title),
			      (double)(clock_mono_ns() - s.t0_ns) / 1e9,
			      engine_exit_status(s.engine), &s.line);
		fwrite(s.line.buf, 1, s.line.len, o->out);
		strbuf_reset(&s.line);
		strbuf_release(&title);
	}
	fflush(o->out);
	if (ret == 0)
		ret = engine_exit_status(s.engine);
	engine_free(s.engine);
	for (size_t i = 0; i < s.nfaults; i++)
		perf_group_close(s.faults[i]);
	free(s.faults);
	track_free(s.track);
	strbuf_release(&s.prefix);
	tstats_free(s.stats);
	strbuf_release(&s.line);
	strbuf_release(&s.open_part);
	strbuf_release(&s.held);
	return ret;
}

void tracer_interrupt(bool from_terminal)
{
	struct engine *e = current;

	if (e)
		engine_interrupt(e, from_terminal);
}
