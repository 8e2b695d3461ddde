/* test_detect.c - unit tests of the detectors: each trigger firing and not, crossings, cooldown
 * scopes. */
#include <stdarg.h>

#include "base/xalloc.h"
#include "capture/detect.h"
#include "tap.h"

#define GIB (1024ULL * 1024)

struct p {
	int pid, ppid, pgid;
	float cpu;
	uint64_t rss_kib;
	bool is_new;
	uint64_t start; /* start ticks; 0 means pid * 100 */
};

/* A test world: the snapshot being built, the previous one, the detector, the clock. */
struct world {
	struct config cfg;
	struct detect *d;
	struct snapshot a, b; /* alternate so prev stays valid */
	struct snapshot *cur, *prev;
	uint64_t t_ns;
	uint64_t avail_kib, total_kib, swap_used_kib;
	uint64_t forks;		      /* /proc/stat processes counter of the next step */
	unsigned stalls;	      /* PSI trigger bits of the next step */
	const struct exited_proc *ex; /* exited processes of the next step */
	size_t nex;
	struct trigger_list out;
};

static void world_init(struct world *w)
{
	memset(w, 0, sizeof(*w));
	config_defaults(&w->cfg);
	w->d = detect_new();
	w->total_kib = 16 * GIB;
	w->avail_kib = 8 * GIB;
	w->t_ns = 1000000000ULL;
}

static void world_release(struct world *w)
{
	detect_free(w->d);
	snapshot_release(&w->a);
	snapshot_release(&w->b);
	trigger_list_release(&w->out);
	config_release(&w->cfg);
}

/* Runs detection on one snapshot of the given processes (n of them); returns the trigger count. */
static size_t step(struct world *w, const struct p *procs, size_t n)
{
	struct snapshot *s = w->cur == &w->a ? &w->b : &w->a;

	snapshot_clear(s);
	s->mono_ns = w->t_ns;
	s->real_ns = w->t_ns;
	s->mem.total_kib = w->total_kib;
	s->mem.available_kib = w->avail_kib;
	s->mem.swap_total_kib = 8 * GIB;
	s->mem.swap_free_kib = 8 * GIB - w->swap_used_kib;
	s->forks_total = w->forks;
	s->stalls = w->stalls;
	w->stalls = 0;
	s->elapsed_s = w->cur ? 1.0 : 0;
	for (size_t i = 0; i < w->nex; i++) {
		struct exited_proc *e = snapshot_add_exited(s);

		*e = w->ex[i];
		e->cmdline = rcstr_new("short", 5);
	}
	w->nex = 0;
	for (size_t i = 0; i < n; i++) {
		struct proc_sample *ps = snapshot_add_proc(s);

		ps->pid = procs[i].pid;
		ps->ppid = procs[i].ppid ? procs[i].ppid : 1;
		ps->pgid = procs[i].pgid ? procs[i].pgid : procs[i].pid;
		ps->cpu_pct = procs[i].cpu;
		ps->rss_kib = procs[i].rss_kib;
		ps->is_new = procs[i].is_new;
		ps->start_ticks = procs[i].start ? procs[i].start : (uint64_t)procs[i].pid * 100;
		ps->start_time_ns = ps->start_ticks;
		snprintf(ps->comm, sizeof(ps->comm), "p%d", procs[i].pid);
		ps->cmdline = rcstr_new("cmd", 3);
	}
	w->prev = w->cur;
	w->cur = s;
	trigger_list_clear(&w->out);
	detect_run(w->d, &w->cfg, w->cur, w->prev, &w->out);
	w->t_ns += 1000000000ULL;
	return w->out.n;
}

static size_t count_type(const struct world *w, enum trigger_type t)
{
	size_t n = 0;

	for (size_t i = 0; i < w->out.n; i++)
		n += w->out.t[i].type == t;
	return n;
}

/* Steps with one process at cpu; returns triggers. */
static size_t step1(struct world *w, int pid, float cpu)
{
	struct p pr = { .pid = pid, .cpu = cpu };

	return step(w, &pr, 1);
}

static void test_cpu_delta(void)
{
	struct world w;

	world_init(&w);
	is_int(step1(&w, 10, 2), 0, "cpu_delta: first sample never triggers");
	is_int(step1(&w, 10, 2), 0, "cpu_delta: first interval sets the baseline");
	is_int(step1(&w, 10, 3), 0, "cpu_delta: small change below the threshold");
	is_int(step1(&w, 10, 50), 1, "cpu_delta: a jump of ~47 points fires");
	is_int(w.out.t[0].type, TRIG_CPU_DELTA, "cpu_delta: type");
	is_int(w.out.t[0].pid, 10, "cpu_delta: culprit pid");
	is_double(w.out.t[0].baseline, 2.3, 0.5, "cpu_delta: baseline is the EWMA before the jump");
	is_double(w.out.t[0].delta, 47.7, 0.5, "cpu_delta: delta = value - baseline");
	w.cfg.cooldown_seconds = 0;
	is_int(step1(&w, 10, 50), 0, "cpu_delta: staying high is the same episode (no cooldown)");
	is_int(step1(&w, 10, 55), 0, "cpu_delta: still the same episode");
	for (int i = 0; i < 10; i++)
		step1(&w, 10, 1);
	is_int(step1(&w, 10, 60), 1, "cpu_delta: a new crossing after falling back fires again");
	world_release(&w);

	world_init(&w);
	w.cfg.cpu_delta_threshold_pct = 60;
	step1(&w, 10, 2);
	step1(&w, 10, 2);
	is_int(step1(&w, 10, 50), 0, "cpu_delta: the threshold key is honoured (60 > 48)");
	world_release(&w);
}

static void test_no_false_triggers_at_start(void)
{
	struct world w;
	size_t total = 0;

	world_init(&w);
	/* busy since before the daemon started: lifetime average in the first sample, then busy */
	for (int i = 0; i < 10; i++)
		total += step1(&w, 20, i == 0 ? 3.0f : 99.0f);
	is_int(total, 0, "a process busy before the daemon started never triggers");
	world_release(&w);

	world_init(&w);
	{
		struct p many[3] = { { .pid = 1, .cpu = 100 },
				     { .pid = 2, .cpu = 40 },
				     { .pid = 3, .cpu = 0 } };

		total = 0;
		for (int i = 0; i < 5; i++)
			total += step(&w, many, 3);
		is_int(total, 0, "steady processes of any load never trigger");
	}
	world_release(&w);
}

static void test_cpu_new_process(void)
{
	struct world w;
	struct p old = { .pid = 5, .cpu = 1 };
	struct p two[2] = { { .pid = 5, .cpu = 1 }, { .pid = 77, .cpu = 80, .is_new = true } };

	world_init(&w);
	step(&w, &old, 1);
	step(&w, &old, 1);
	is_int(step(&w, two, 2), 1, "cpu_new_process: a new process at 80 %% fires");
	is_int(count_type(&w, TRIG_CPU_NEW_PROCESS), 1, "cpu_new_process: type");
	is_int(w.out.t[0].pid, 77, "cpu_new_process: culprit");
	two[1].is_new = false;
	two[1].cpu = 100;
	is_int(step(&w, two, 2), 0,
	       "cpu_new_process: only on its first sighting, and its climb "
	       "to full speed is no cpu_delta");
	two[1].pid = 78;
	two[1].cpu = 4.9f;
	two[1].is_new = true;
	is_int(step(&w, two, 2), 0, "cpu_new_process: below new_process_threshold_pct");
	w.cfg.new_process_threshold_pct = 4;
	two[1].pid = 79;
	is_int(step(&w, two, 2), 1, "cpu_new_process: the threshold key is honoured");
	/* a new process first seen quiet, then busy: cpu_delta from its first value */
	two[1].pid = 90;
	two[1].cpu = 1;
	is_int(step(&w, two, 2), 0, "a quiet new process");
	two[1].is_new = false;
	two[1].cpu = 95;
	is_int(step(&w, two, 2), 1, "that turns busy fires cpu_delta");
	is_int(count_type(&w, TRIG_CPU_DELTA), 1, "as cpu_delta");
	world_release(&w);
}

static void test_pid_reuse(void)
{
	struct world w;
	struct p a = { .pid = 30, .cpu = 1, .start = 1000 };

	world_init(&w);
	step(&w, &a, 1);
	step(&w, &a, 1);
	a.start = 5000; /* the same pid, another process */
	a.cpu = 90;
	a.is_new = true;
	is_int(step(&w, &a, 1), 1, "a reused pid is a new process");
	is_int(count_type(&w, TRIG_CPU_NEW_PROCESS), 1, "judged by cpu_new_process");
	world_release(&w);
}

/* Two processes spike at once; returns how many triggers the scope lets through. */
static size_t two_spikes(enum cooldown_scope scope, int ppid_b, int pgid_b)
{
	struct world w;
	struct p q[2] = { { .pid = 100, .ppid = 50, .pgid = 100, .cpu = 1 },
			  { .pid = 101, .ppid = ppid_b, .pgid = pgid_b, .cpu = 1 } };
	size_t n;

	world_init(&w);
	w.cfg.scope = scope;
	step(&w, q, 2);
	step(&w, q, 2);
	q[0].cpu = q[1].cpu = 90;
	n = step(&w, q, 2);
	world_release(&w);
	return n;
}

static void test_scopes(void)
{
	struct world w;
	struct p q[2] = { { .pid = 1, .cpu = 1 }, { .pid = 2, .cpu = 1 } };

	is_int(two_spikes(SCOPE_PER_PROCESS, 50, 100), 2,
	       "per_process: each process its own cooldown");
	is_int(two_spikes(SCOPE_PROCESS_GROUP, 60, 100), 1, "process_group: same pgid shares one");
	is_int(two_spikes(SCOPE_PROCESS_GROUP, 50, 101), 2, "process_group: other pgid fires");
	is_int(two_spikes(SCOPE_PARENT, 50, 101), 1, "parent: same ppid shares one");
	is_int(two_spikes(SCOPE_PARENT, 51, 101), 2, "parent: other ppid fires");
	is_int(two_spikes(SCOPE_SYSTEM, 51, 101), 1, "system: one trigger for everything");

	/* cooldown time: a second crossing inside the cooldown is suppressed, after it fires */
	world_init(&w);
	w.cfg.cooldown_seconds = 5;
	step(&w, q, 2);
	step(&w, q, 2);
	q[0].cpu = 90;
	is_int(step(&w, q, 2), 1, "cooldown: first crossing fires");
	q[0].cpu = 1;
	step(&w, q, 2);
	step(&w, q, 2);
	q[0].cpu = 95;
	is_int(step(&w, q, 2), 0, "cooldown: a crossing 3 s later is suppressed");
	q[0].cpu = 1;
	for (int i = 0; i < 3; i++)
		step(&w, q, 2);
	q[0].cpu = 95;
	is_int(step(&w, q, 2), 1, "cooldown: after cooldown_seconds it fires again");
	world_release(&w);

	/* system scope across types: a memory drop and a CPU jump in one sample give one trigger */
	world_init(&w);
	w.cfg.scope = SCOPE_SYSTEM;
	q[0].cpu = q[1].cpu = 1;
	step(&w, q, 2);
	step(&w, q, 2);
	q[0].cpu = 90;
	w.avail_kib -= 2 * GIB;
	is_int(step(&w, q, 2), 1, "system scope spans trigger types");
	world_release(&w);
}

static void test_mem_drop(void)
{
	struct world w;
	struct p q[2] = { { .pid = 1, .rss_kib = 900000 }, { .pid = 2, .rss_kib = 1000 } };

	world_init(&w);
	w.cfg.cooldown_seconds = 0;
	step(&w, q, 2);
	step(&w, q, 2);
	w.avail_kib -= 400 * 1024;
	is_int(step(&w, q, 2), 0, "mem_drop: 400 MiB is below 512");
	world_release(&w);

	world_init(&w);
	w.cfg.cooldown_seconds = 0;
	step(&w, q, 2);
	step(&w, q, 2);
	w.avail_kib -= 1 * GIB;
	q[1].rss_kib += 1000 * 1024; /* the small one grew by ~1 GiB */
	is_int(step(&w, q, 2), 1, "mem_drop: a 1 GiB drop fires");
	is_int(w.out.t[0].type, TRIG_MEM_DROP, "mem_drop: type");
	is_int(w.out.t[0].pid, 2, "mem_drop: culprit is the process whose RSS grew most");
	is_double(w.out.t[0].delta, 1024.0 * 1024, 1, "mem_drop: delta in KiB");
	is_int(step(&w, q, 2), 0, "mem_drop: staying low is one episode");
	world_release(&w);

	world_init(&w);
	w.cfg.mem_drop_threshold_mib = 2048;
	step(&w, q, 2);
	step(&w, q, 2);
	w.avail_kib -= 1 * GIB;
	is_int(step(&w, q, 2), 0, "mem_drop: the threshold key is honoured");
	world_release(&w);

	world_init(&w);
	w.cfg.enable_memory_detection = false;
	step(&w, q, 2);
	w.avail_kib -= 4 * GIB;
	is_int(step(&w, q, 2), 0, "enable_memory_detection = false silences mem_drop");
	world_release(&w);
}

static void test_mem_pressure(void)
{
	struct world w;
	struct p q = { .pid = 1, .rss_kib = 100 };
	size_t total = 0;

	world_init(&w);
	w.cfg.cooldown_seconds = 0;
	w.cfg.mem_drop_threshold_mib = 1e6;   /* only pressure here */
	w.avail_kib = w.total_kib * 20 / 100; /* 80 % used */
	step(&w, &q, 1);
	step(&w, &q, 1);
	w.avail_kib = w.total_kib * 5 / 100; /* 95 % used */
	is_int(step(&w, &q, 1), 1, "mem_pressure: crossing 90 %% fires");
	is_int(w.out.t[0].type, TRIG_MEM_PRESSURE, "mem_pressure: type");
	is_double(w.out.t[0].value, 95, 0.1, "mem_pressure: value is used %%");
	for (int i = 0; i < 20; i++)
		total += step(&w, &q, 1);
	is_int(total, 0, "mem_pressure: not again while above the line");
	w.avail_kib = w.total_kib * 20 / 100;
	step(&w, &q, 1);
	w.avail_kib = w.total_kib * 5 / 100;
	is_int(step(&w, &q, 1), 1, "mem_pressure: fires again on a new crossing");
	world_release(&w);

	world_init(&w);
	w.cfg.mem_drop_threshold_mib = 1e6;
	w.avail_kib = w.total_kib * 5 / 100;
	total = 0;
	for (int i = 0; i < 5; i++)
		total += step(&w, &q, 1);
	is_int(total, 0, "mem_pressure: above the line from the start is no crossing");
	world_release(&w);

	world_init(&w);
	w.cfg.mem_pressure_threshold_pct = 97;
	w.cfg.mem_drop_threshold_mib = 1e6;
	w.avail_kib = w.total_kib * 20 / 100;
	step(&w, &q, 1);
	w.avail_kib = w.total_kib * 5 / 100;
	is_int(step(&w, &q, 1), 0, "mem_pressure: the threshold key is honoured");
	world_release(&w);
}

static void test_swap_spike(void)
{
	struct world w;
	struct p q = { .pid = 1 };

	world_init(&w);
	w.cfg.cooldown_seconds = 0;
	step(&w, &q, 1);
	w.swap_used_kib = 200 * 1024;
	is_int(step(&w, &q, 1), 0, "swap_spike: 200 MiB growth is below 256");
	w.swap_used_kib = 600 * 1024;
	is_int(step(&w, &q, 1), 1, "swap_spike: growth over 256 MiB fires");
	is_int(w.out.t[0].type, TRIG_SWAP_SPIKE, "swap_spike: type");
	is_int(step(&w, &q, 1), 0, "swap_spike: one episode");
	world_release(&w);

	world_init(&w);
	w.cfg.enable_swap_detection = false;
	step(&w, &q, 1);
	w.swap_used_kib = 2 * GIB;
	is_int(step(&w, &q, 1), 0, "enable_swap_detection = false silences swap_spike");
	world_release(&w);

	world_init(&w);
	w.cfg.swap_spike_threshold_mib = 1024;
	step(&w, &q, 1);
	w.swap_used_kib = 600 * 1024;
	is_int(step(&w, &q, 1), 0, "swap_spike: the threshold key is honoured");
	world_release(&w);
}

static void test_features_and_alphas(void)
{
	struct world w;
	size_t total = 0;

	world_init(&w);
	w.cfg.enable_cpu_detection = false;
	step1(&w, 10, 1);
	step1(&w, 10, 1);
	is_int(step1(&w, 10, 90), 0, "enable_cpu_detection = false silences cpu_delta");
	world_release(&w);

	/* a slow ramp of 8 points a sample: a fast baseline follows it, a slow one lags */
	world_init(&w);
	w.cfg.process_baseline_alpha = 1.0;
	for (int i = 0; i < 10; i++)
		total += step1(&w, 10, (float)(8 * i));
	is_int(total, 0, "process_baseline_alpha 1.0: a slow ramp never jumps 10 points");
	world_release(&w);
	world_init(&w);
	w.cfg.process_baseline_alpha = 0.1;
	total = 0;
	for (int i = 0; i < 10; i++)
		total += step1(&w, 10, (float)(8 * i));
	ok(total >= 1, "process_baseline_alpha 0.1: the lagging baseline lets the ramp trigger");
	world_release(&w);

	/* memory falling 300 MiB a sample */
	world_init(&w);
	w.cfg.memory_baseline_alpha = 1.0;
	total = 0;
	for (int i = 0; i < 8; i++) {
		total += step1(&w, 10, 0);
		w.avail_kib -= 300 * 1024;
	}
	is_int(total, 0, "memory_baseline_alpha 1.0: steps of 300 MiB never drop 512 at once");
	world_release(&w);
	world_init(&w);
	w.cfg.memory_baseline_alpha = 0.1;
	total = 0;
	for (int i = 0; i < 8; i++) {
		total += step1(&w, 10, 0);
		w.avail_kib -= 300 * 1024;
	}
	ok(total >= 1, "memory_baseline_alpha 0.1: the slow baseline sees the drop");
	world_release(&w);
}

static void test_many_processes(void)
{
	struct world w;
	size_t n = 5000;
	struct p *q = xcalloc(n, sizeof(*q));

	for (size_t i = 0; i < n; i++) {
		q[i].pid = (int)i + 2;
		q[i].cpu = (float)(i % 7) * 0.3f; /* a little background noise */
	}
	world_init(&w); /* max_processes_tracked = 512 by default */
	step(&w, q, n);
	step(&w, q, n);
	step(&w, q, n);
	is_int(step(&w, q, n), 0, "5000 steady processes: no trigger");
	q[4321].cpu = 70;
	is_int(step(&w, q, n), 1, "one of 5000 processes turning busy triggers");
	is_int(w.out.t[0].pid, q[4321].pid, "and it is the culprit");
	world_release(&w);
	free(q);
}

static void test_max_tracked(void)
{
	struct world w;
	struct p q[3] = { { .pid = 1, .cpu = 30 },
			  { .pid = 2, .cpu = 30 },
			  { .pid = 3, .cpu = 30 } };
	size_t total = 0;

	world_init(&w);
	w.cfg.max_processes_tracked = 0;
	for (int i = 0; i < 6; i++)
		total += step(&w, q, 3);
	is_int(total, 0, "max_processes_tracked 0: steady 30 %% processes keep their baselines");
	world_release(&w);

	world_init(&w);
	w.cfg.max_processes_tracked = 1;
	w.cfg.cooldown_seconds = 0;
	q[0].cpu = 31; /* the busiest keeps its baseline */
	total = 0;
	step(&w, q, 3);
	step(&w, q, 3);
	total = step(&w, q, 3);
	is_int(total, 2, "max_processes_tracked 1: untracked processes count as idle and fire");
	world_release(&w);
}

static void test_short_lived(void)
{
	struct world w;
	struct p q = { .pid = 1, .cpu = 1 };
	struct exited_proc burner = { .pid = 500,
				      .ppid = 1,
				      .comm = "burner",
				      .lifetime_s = 0.3,
				      .cpu_time_s = 0.29,
				      .cpu_pct = 96.7 };
	struct exited_proc blip = { .pid = 501,
				    .ppid = 1,
				    .comm = "ls",
				    .lifetime_s = 0.004,
				    .cpu_time_s = 0.004,
				    .cpu_pct = 100 };
	struct exited_proc known = burner;

	world_init(&w);
	step(&w, &q, 1);
	step(&w, &q, 1);
	w.ex = &burner;
	w.nex = 1;
	is_int(step(&w, &q, 1), 1,
	       "a process that burned 300 ms between samples fires cpu_new_process");
	is_int(w.out.t[0].type, TRIG_CPU_NEW_PROCESS, "as cpu_new_process");
	is_int(w.out.t[0].pid, 500, "naming it");
	ok(w.out.t[0].culprit_exited, "marked as exited");
	w.ex = &blip;
	w.nex = 1;
	is_int(step(&w, &q, 1), 0, "a 4 ms process is under short_lived_min_cpu_ms");
	known.pid = 502;
	known.seen = true;
	known.lifetime_s = 3.0;
	w.ex = &known;
	w.nex = 1;
	is_int(step(&w, &q, 1), 0, "an exited process that was sampled before was judged then");
	known.pid = 504;
	known.lifetime_s = 0.3;
	w.ex = &known;
	w.nex = 1;
	is_int(step(&w, &q, 1), 1,
	       "one seen alive but younger than an interval (fast samples only) is judged at exit");
	w.cfg.short_lived_min_cpu_ms = 500;
	burner.pid = 503;
	w.ex = &burner;
	w.nex = 1;
	is_int(step(&w, &q, 1), 0, "short_lived_min_cpu_ms is honoured");
	world_release(&w);
}

static void test_fork_storm(void)
{
	struct world w;
	struct p q = { .pid = 1, .cpu = 1 };

	world_init(&w);
	w.cfg.cooldown_seconds = 0;
	w.forks = 1000;
	step(&w, &q, 1);
	w.forks += 100;
	is_int(step(&w, &q, 1), 0, "fork_storm: 100 forks/s is below 1000");
	w.forks += 2000;
	is_int(step(&w, &q, 1), 1, "fork_storm: 2000 forks/s fires");
	is_int(w.out.t[0].type, TRIG_FORK_STORM, "fork_storm: type");
	is_double(w.out.t[0].value, 2000, 1, "fork_storm: the rate");
	w.forks += 2000;
	is_int(step(&w, &q, 1), 0, "fork_storm: still storming is one episode");
	w.forks += 10;
	step(&w, &q, 1);
	w.forks += 5000;
	is_int(step(&w, &q, 1), 1, "fork_storm: a new crossing fires again");
	w.cfg.fork_rate_threshold_per_s = 10000;
	w.forks += 10;
	step(&w, &q, 1);
	w.forks += 5000;
	is_int(step(&w, &q, 1), 0, "fork_rate_threshold_per_s is honoured");
	w.cfg.fork_rate_threshold_per_s = 1000;
	w.cfg.enable_fork_detection = false;
	w.forks += 10;
	step(&w, &q, 1);
	w.forks += 5000;
	is_int(step(&w, &q, 1), 0, "enable_fork_detection = false silences it");
	world_release(&w);
}

static void test_psi(void)
{
	struct world w;
	struct p q[2] = { { .pid = 1, .cpu = 5, .rss_kib = 10 },
			  { .pid = 2, .cpu = 90, .rss_kib = 5 } };

	world_init(&w);
	w.cfg.cooldown_seconds = 0;
	step(&w, q, 2);
	step(&w, q, 2);
	is_int(step(&w, q, 2), 0, "no PSI trigger fired: no stall trigger");
	w.stalls = 1;
	is_int(step(&w, q, 2), 1, "the kernel's cpu trigger fires cpu_stall");
	is_int(w.out.t[0].type, TRIG_CPU_STALL, "cpu_stall: type");
	is_int(w.out.t[0].pid, 2, "cpu_stall blames the busiest process");
	is_double(w.out.t[0].threshold, 25, 0.01, "threshold = psi_stall_ms / psi_window_ms");
	w.stalls = 1;
	is_int(step(&w, q, 2), 0, "a stall that goes on is the same episode");
	for (int i = 0; i < 4; i++)
		step(&w, q, 2); /* two quiet windows (2 x 2 s) */
	w.stalls = 1;
	is_int(step(&w, q, 2), 1, "after two quiet windows a new stall is reported");
	w.stalls = 2 | 4;
	is_int(step(&w, q, 2), 2, "memory and io triggers fire memory_stall and io_stall");
	is_int(w.out.t[0].type == TRIG_MEMORY_STALL ? w.out.t[0].pid : w.out.t[1].pid, 1,
	       "memory_stall blames the largest resident set");
	w.cfg.enable_psi_triggers = false;
	w.stalls = 7;
	is_int(step(&w, q, 2), 0, "enable_psi_triggers = false silences them");
	world_release(&w);
}

int main(void)
{
	test_psi();
	test_short_lived();
	test_fork_storm();
	test_cpu_delta();
	test_no_false_triggers_at_start();
	test_cpu_new_process();
	test_pid_reuse();
	test_scopes();
	test_mem_drop();
	test_mem_pressure();
	test_swap_spike();
	test_features_and_alphas();
	test_many_processes();
	test_max_tracked();
	return done_testing();
}
