/* tracer.c - one trace session: engine events to live lines, NDJSON, statistics and anomalies. */
#include "trace/tracer.h"

#include <errno.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "base/json.h"
#include "base/strbuf.h"
#include "base/xalloc.h"
#include "trace/decode.h"
#include "trace/engine.h"
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
};

static struct engine *volatile current; /* for the Ctrl-C handler */

static void stamp(struct session *s, uint64_t ns)
{
	double t = (double)(ns - s->t0_ns) / 1e9;

	strbuf_addf(&s->line, "[+%.3f] ", t);
}

static void flush_line(struct session *s)
{
	strbuf_addc(&s->line, '\n');
	fwrite(s->line.buf, 1, s->line.len, s->o->out);
	strbuf_reset(&s->line);
}

static const char *sys_name(long nr, char *buf, size_t len)
{
	const struct syscall_def *d = systab_get(SYSTAB_ARCH_X86_64, nr);

	if (d && d->name)
		return d->name;
	snprintf(buf, len, "syscall_%ld", nr);
	return buf;
}

static void on_enter_call(void *ctx, struct trace_call *c)
{
	struct session *s = ctx;
	struct mem_reader m = decode_reader_ptrace(c->tid);

	if (s->o->verbose || s->o->json)
		decode_enter(&m, c, &s->dopts);
}

/* The raw syscall, strace's way (-v), or as an NDJSON "syscall" event (--json). */
static void emit_syscall(struct session *s, struct trace_call *c)
{
	struct mem_reader m = decode_reader_ptrace(c->tid);

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
		for (int i = 0; i < 6; i++)
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
		json_kv_uint(&w, "latency_ns", c->unfinished ? 0 : c->exit_ns - c->entry_ns);
		json_kv_str(&w, "text", strbuf_str(&text));
		json_obj_end(&w);
		strbuf_release(&text);
	} else {
		stamp(s, c->entry_ns);
		if (s->multi)
			strbuf_addf(&s->line, "[pid %5d] ", c->tid);
		decode_format(&m, c, &s->dopts, &s->line);
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
	decode_release(c);
	if (c->unfinished)
		return; /* exit, exit_group, a killed thread: never returned (strace -c skips them too) */
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

		stamp(s, c->exit_ns);
		if (s->multi)
			strbuf_addf(&s->line, "[pid %d] ", c->tid);
		tstats_fmt_ns(lat, sizeof(lat), c->exit_ns - c->entry_ns);
		tstats_fmt_ns(mean, sizeof(mean), (uint64_t)an.mean_ns);
		strbuf_addf(&s->line, "anomaly: %s took %s, %.1f sigma above its mean %s (%s)", name,
			    lat, an.z, mean, tstats_severity_name(an.severity));
	}
	flush_line(s);
}

static void on_spawn(void *ctx, pid_t parent, pid_t child, enum spawn_kind kind, bool thread)
{
	struct session *s = ctx;

	(void)parent;
	(void)child;
	(void)kind;
	if (!thread)
		s->multi = true;
}

int tracer_run(const struct tracer_opts *o, const char **what)
{
	struct session s = { .o = o };
	struct trace_sink sink = {
		.enter = on_enter_call,
		.exit = on_exit_call,
		.spawn = on_spawn,
	};
	struct engine_opts eo = {
		.argv = o->argv,
		.pids = o->pids,
		.npids = o->npids,
		.trace_set = o->filtered ? o->set : NULL,
		.trace_bits = SYSTAB_NR_LIMIT,
		.same_cpu = o->same_cpu,
	};
	struct timespec ts;
	int ret;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	s.t0_ns = (uint64_t)ts.tv_sec * 1000000000ULL + (uint64_t)ts.tv_nsec;
	s.dopts.strsize = o->strsize;
	s.stats = tstats_new();
	tstats_set_anomaly(s.stats, o->anomaly_z, TSTATS_DEFAULT_MIN_CALLS);
	s.multi = o->npids > 1;
	s.engine = engine_new(&eo, &sink, &s);
	current = s.engine;
	ret = engine_run(s.engine, what);
	current = NULL;
	if (ret == 0 && o->stats) {
		strbuf_reset(&s.line);
		tstats_render(s.stats, SYSTAB_ARCH_X86_64, &s.line);
		fwrite(s.line.buf, 1, s.line.len, o->out);
	}
	fflush(o->out);
	if (ret == 0)
		ret = engine_exit_status(s.engine);
	engine_free(s.engine);
	tstats_free(s.stats);
	strbuf_release(&s.line);
	return ret;
}

void tracer_interrupt(bool from_terminal)
{
	struct engine *e = current;

	if (e)
		engine_interrupt(e, from_terminal);
}
