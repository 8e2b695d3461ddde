/* dump.c - renders a spike dump as JSON (docs/dump.schema.json is its contract). */
#include "capture/dump.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/json.h"
#include "base/xalloc.h"

void host_info_read(struct host_info *h)
{
	struct utsname u;

	memset(h, 0, sizeof(*h));
	if (gethostname(h->hostname, sizeof(h->hostname) - 1) < 0)
		strcpy(h->hostname, "unknown");
	if (uname(&u) == 0)
		snprintf(h->kernel, sizeof(h->kernel), "%s", u.release);
	h->ncpu = (int)sysconf(_SC_NPROCESSORS_CONF);
	h->ticks_per_sec = sysconf(_SC_CLK_TCK);
}

void dump_file_name(const struct trigger *t, char *buf, size_t len)
{
	char ts[40];

	clock_fmt_compact(t->real_ns, ts, sizeof(ts));
	snprintf(buf, len, "spike_%s_%s_%d.json", ts, trigger_type_name(t->type), t->pid);
}

static void write_time(struct json_writer *w, const char *key, uint64_t real_ns)
{
	char ts[40];

	json_kv_str(w, key, clock_fmt_iso(real_ns, ts, sizeof(ts)));
}

static void write_strv(struct json_writer *w, const char *key, char *const *v, size_t n)
{
	json_key(w, key);
	json_arr_begin(w);
	for (size_t i = 0; i < n; i++)
		json_str(w, v[i]);
	json_arr_end(w);
}

/* The security finding of a miner / suspicious_spawn / memory_anomaly trigger. */
static void write_security(struct json_writer *w, const struct sec_report *r,
			   const struct config *cfg)
{
	const struct sec_evidence *ev = &r->ev;

	json_key(w, "security");
	json_obj_begin(w);
	json_kv_str(w, "rule", sec_rule_name(r->rule));
	json_kv_str(w, "signal", sec_signal_name(r->signal));
	json_kv_str(w, "severity", sec_report_severity(r));
	json_kv_str(w, "reason", r->reason);
	json_key(w, "mitre");
	json_obj_begin(w);
	json_kv_str(w, "technique_id", sec_signal_mitre_id(r->signal));
	json_kv_str(w, "technique_name", sec_signal_mitre_name(r->signal));
	json_obj_end(w);
	write_strv(w, "signs", r->signs, r->nsigns);
	if (r->rule == SEC_MINER)
		json_kv_double(w, "window_seconds", cfg->miner_window_seconds, 1);
	json_key(w, "evidence");
	json_obj_begin(w);
	json_kv_int(w, "pid", r->pid);
	json_kv_bool(w, "exited", r->exited);
	json_kv_str(w, "exe", ev->exe ? ev->exe : "");
	json_kv_bool(w, "exe_deleted", ev->exe_deleted);
	json_kv_str(w, "cmdline", ev->cmdline ? ev->cmdline : "");
	json_kv_uint(w, "uid", ev->uid);
	json_kv_uint(w, "euid", ev->euid);
	json_kv_str(w, "cgroup", ev->cgroup ? ev->cgroup : "");
	json_key(w, "parents");
	json_arr_begin(w);
	for (size_t i = 0; i < ev->nparents; i++) {
		json_obj_begin(w);
		json_kv_int(w, "pid", ev->parents[i].pid);
		json_kv_str(w, "comm", ev->parents[i].comm);
		json_kv_str(w, "exe", ev->parents[i].exe ? ev->parents[i].exe : "");
		json_obj_end(w);
	}
	json_arr_end(w);
	write_strv(w, "sockets", ev->sockets, ev->nsockets);
	write_strv(w, "maps", ev->maps, ev->nmaps);
	json_obj_end(w);
	json_obj_end(w);
}

static void write_trigger(struct json_writer *w, const struct trigger *t, const struct config *cfg)
{
	bool cpu = t->type == TRIG_CPU_DELTA || t->type == TRIG_CPU_NEW_PROCESS;

	json_obj_begin(w);
	json_kv_str(w, "type", trigger_type_name(t->type));
	write_time(w, "timestamp", t->real_ns);
	json_kv_int(w, "pid", t->pid);
	json_kv_int(w, "ppid", t->ppid);
	json_kv_int(w, "pgid", t->pgid);
	json_kv_uint(w, "uid", t->uid);
	json_kv_str(w, "comm", t->comm);
	json_kv_str(w, "cmdline", t->cmdline ? t->cmdline->s : "");
	if (t->pid)
		write_time(w, "start_time", t->start_time_ns);
	else
		json_kv_str(w, "start_time", "");
	json_kv_uint(w, "rss_kib", t->rss_kib);
	json_kv_str(w, "unit", trigger_unit(t->type));
	json_kv_double(w, "value", t->value, 2);
	json_kv_double(w, "baseline", t->baseline, 2);
	json_kv_double(w, "delta", t->delta, 2);
	json_kv_double(w, "threshold", t->threshold, 2);
	/* the original spiketrace's names, kept so its tools read our dumps */
	if (cpu) {
		json_kv_double(w, "cpu_pct", t->value, 2);
		json_kv_double(w, "baseline_pct", t->baseline, 2);
		json_kv_double(w, "delta_pct", t->delta, 2);
		json_kv_double(w, "threshold_pct", t->threshold, 2);
	} else if (t->type == TRIG_MEM_PRESSURE) {
		json_kv_double(w, "used_pct", t->value, 2);
		json_kv_double(w, "threshold_pct", t->threshold, 2);
	} else if (t->type == TRIG_CPU_STALL || t->type == TRIG_MEMORY_STALL ||
		   t->type == TRIG_IO_STALL) {
		json_kv_double(w, "some_avg10_pct", t->value, 2);
		json_kv_double(w, "some_avg300_pct", t->baseline, 2);
		json_kv_double(w, "threshold_pct", t->threshold, 2);
	} else if (t->type == TRIG_FORK_STORM) {
		json_kv_double(w, "forks_per_s", t->value, 1);
		json_kv_double(w, "threshold_per_s", t->threshold, 1);
	} else if (t->security) {
		write_security(w, t->security, cfg);
	} else if (t->type == TRIG_MEM_DROP) {
		json_kv_double(w, "available_kib", t->value, 0);
		json_kv_double(w, "baseline_available_kib", t->baseline, 0);
		json_kv_double(w, "drop_mib", t->delta / 1024.0, 1);
		json_kv_double(w, "threshold_mib", t->threshold / 1024.0, 1);
	} else if (t->type == TRIG_NET_THROUGHPUT_DROP) {
		json_kv_str(w, "interface", t->subject);
		json_kv_double(w, "throughput_bytes_per_s", t->value, 0);
		json_kv_double(w, "baseline_bytes_per_s", t->baseline, 0);
		json_kv_double(w, "ratio", t->ratio, 3);
		json_kv_double(w, "threshold_ratio", t->threshold_ratio, 3);
	} else if (t->type == TRIG_NET_LATENCY) {
		json_kv_double(w, "latency_us", t->value, 1);
		json_kv_double(w, "baseline_latency_us", t->baseline, 1);
		json_kv_double(w, "ratio", t->ratio, 3);
		json_kv_double(w, "threshold_ratio", t->threshold_ratio, 3);
	} else {
		json_kv_double(w, "swap_used_kib", t->value, 0);
		json_kv_double(w, "baseline_swap_used_kib", t->baseline, 0);
		json_kv_double(w, "growth_mib", t->delta / 1024.0, 1);
		json_kv_double(w, "threshold_mib", t->threshold / 1024.0, 1);
	}
	json_kv_bool(w, "culprit_exited", t->culprit_exited);
	json_kv_str(w, "scope", config_scope_name(t->scope));
	json_kv_int(w, "scope_id", t->scope_id);
	json_kv_double(w, "cooldown_seconds", cfg->cooldown_seconds, 3);
	json_obj_end(w);
}

static void write_cpu_split(struct json_writer *w, const struct cpu_pct *c)
{
	json_kv_double(w, "user_pct", c->user, 2);
	json_kv_double(w, "nice_pct", c->nice, 2);
	json_kv_double(w, "system_pct", c->system, 2);
	json_kv_double(w, "iowait_pct", c->iowait, 2);
	json_kv_double(w, "irq_pct", c->irq, 2);
	json_kv_double(w, "softirq_pct", c->softirq, 2);
	json_kv_double(w, "steal_pct", c->steal, 2);
	json_kv_double(w, "idle_pct", c->idle, 2);
}

static void write_psi_line(struct json_writer *w, const char *key, const struct psi_line *l)
{
	json_key(w, key);
	json_obj_begin(w);
	json_kv_double(w, "avg10", l->avg10, 2);
	json_kv_double(w, "avg60", l->avg60, 2);
	json_kv_double(w, "avg300", l->avg300, 2);
	json_kv_uint(w, "total_us", l->total_us);
	json_obj_end(w);
}

static void write_psi(struct json_writer *w, const char *key, const struct psi *p)
{
	json_key(w, key);
	if (!p->present) {
		json_null(w);
		return;
	}
	json_obj_begin(w);
	write_psi_line(w, "some", &p->some);
	if (p->has_full)
		write_psi_line(w, "full", &p->full);
	json_obj_end(w);
}

static void write_proc(struct json_writer *w, const struct proc_sample *p)
{
	char state[2] = { p->state ? p->state : '?', '\0' };

	json_obj_begin(w);
	json_kv_int(w, "pid", p->pid);
	json_kv_int(w, "ppid", p->ppid);
	json_kv_int(w, "pgid", p->pgid);
	json_kv_uint(w, "uid", p->uid);
	json_kv_str(w, "state", state);
	json_kv_str(w, "comm", p->comm);
	json_key(w, "cmdline");
	json_strn(w, p->cmdline ? p->cmdline->s : "", p->cmdline ? p->cmdline->len : 0);
	write_time(w, "start_time", p->start_time_ns);
	json_kv_double(w, "cpu_pct", p->cpu_pct, 2);
	json_kv_uint(w, "rss_kib", p->rss_kib);
	json_kv_uint(w, "threads", p->threads);
	json_kv_bool(w, "is_new", p->is_new);
	json_key(w, "io");
	if (!p->io_known) {
		json_null(w); /* PID/io refused (PID 1) or unreadable */
	} else {
		json_obj_begin(w);
		json_kv_uint(w, "read_bytes", p->read_bytes);
		json_kv_uint(w, "write_bytes", p->write_bytes);
		json_kv_uint(w, "rchar", p->rchar);
		json_kv_uint(w, "wchar", p->wchar);
		json_kv_double(w, "read_bytes_per_s", p->read_bytes_per_s, 0);
		json_kv_double(w, "write_bytes_per_s", p->write_bytes_per_s, 0);
		json_obj_end(w);
	}
	json_obj_end(w);
}

static void write_network(struct json_writer *w, const struct snapshot *s)
{
	json_key(w, "network");
	if (!s->net_known) {
		json_null(w);
		return;
	}
	json_arr_begin(w);
	for (size_t i = 0; i < s->nnet; i++) {
		const struct net_iface *n = &s->net[i];

		json_obj_begin(w);
		json_kv_str(w, "name", n->name);
		json_kv_uint(w, "rx_bytes", n->rx_bytes);
		json_kv_uint(w, "tx_bytes", n->tx_bytes);
		json_kv_uint(w, "rx_packets", n->rx_packets);
		json_kv_uint(w, "tx_packets", n->tx_packets);
		json_kv_uint(w, "rx_errors", n->rx_errs);
		json_kv_uint(w, "tx_errors", n->tx_errs);
		json_kv_uint(w, "rx_drops", n->rx_drop);
		json_kv_uint(w, "tx_drops", n->tx_drop);
		json_kv_double(w, "rx_bytes_per_s", n->rx_bytes_per_s, 0);
		json_kv_double(w, "tx_bytes_per_s", n->tx_bytes_per_s, 0);
		json_obj_end(w);
	}
	json_arr_end(w);
}

static void write_disks(struct json_writer *w, const struct snapshot *s)
{
	json_key(w, "disks");
	if (!s->disks_known) {
		json_null(w);
		return;
	}
	json_arr_begin(w);
	for (size_t i = 0; i < s->ndisks; i++) {
		const struct disk_sample *d = &s->disks[i];

		json_obj_begin(w);
		json_kv_str(w, "name", d->name);
		json_kv_uint(w, "major", d->major);
		json_kv_uint(w, "minor", d->minor);
		json_kv_uint(w, "reads", d->reads);
		json_kv_uint(w, "writes", d->writes);
		json_kv_uint(w, "read_bytes", d->read_bytes);
		json_kv_uint(w, "write_bytes", d->write_bytes);
		json_kv_uint(w, "in_flight", d->in_flight);
		json_kv_double(w, "read_bytes_per_s", d->read_bytes_per_s, 0);
		json_kv_double(w, "write_bytes_per_s", d->write_bytes_per_s, 0);
		json_kv_double(w, "read_iops", d->read_iops, 1);
		json_kv_double(w, "write_iops", d->write_iops, 1);
		json_kv_double(w, "util_pct", d->util_pct, 2);
		json_obj_end(w);
	}
	json_arr_end(w);
}

static void write_exited(struct json_writer *w, const struct snapshot *s)
{
	json_key(w, "exited");
	if (!s->exits_known) {
		json_null(w); /* no exit listener here (not root, or no taskstats) */
		return;
	}
	json_arr_begin(w);
	for (size_t i = 0; i < s->nexited; i++) {
		const struct exited_proc *e = &s->exited[i];

		json_obj_begin(w);
		json_kv_int(w, "pid", e->pid);
		json_kv_int(w, "ppid", e->ppid);
		json_kv_uint(w, "uid", e->uid);
		json_kv_str(w, "comm", e->comm);
		json_key(w, "cmdline");
		json_strn(w, e->cmdline ? e->cmdline->s : "", e->cmdline ? e->cmdline->len : 0);
		write_time(w, "start_time", e->start_time_ns);
		json_kv_double(w, "lifetime_seconds", e->lifetime_s, 3);
		json_kv_double(w, "cpu_time_seconds", e->cpu_time_s, 3);
		json_kv_double(w, "cpu_pct", e->cpu_pct, 2);
		json_kv_uint(w, "peak_rss_kib", e->peak_rss_kib);
		json_kv_uint(w, "read_bytes", e->read_bytes);
		json_kv_uint(w, "write_bytes", e->write_bytes);
		json_kv_int(w, "exit_code", e->exit_code);
		json_kv_bool(w, "seen", e->seen);
		json_obj_end(w);
	}
	json_arr_end(w);
}

static const struct snapshot *sort_snap; /* qsort has no context argument */

static int by_cpu(const void *a, const void *b)
{
	const struct proc_sample *x = &sort_snap->procs[*(const size_t *)a];
	const struct proc_sample *y = &sort_snap->procs[*(const size_t *)b];

	if (x->cpu_pct != y->cpu_pct)
		return x->cpu_pct < y->cpu_pct ? 1 : -1;
	return x->pid - y->pid;
}

static int by_rss(const void *a, const void *b)
{
	const struct proc_sample *x = &sort_snap->procs[*(const size_t *)a];
	const struct proc_sample *y = &sort_snap->procs[*(const size_t *)b];

	if (x->rss_kib != y->rss_kib)
		return x->rss_kib < y->rss_kib ? 1 : -1;
	return x->pid - y->pid;
}

static double io_rate(const struct proc_sample *p)
{
	/* as written (whole bytes a second, printf's rounding): the list shows what it is sorted by */
	return nearbyint((double)p->read_bytes_per_s) + nearbyint((double)p->write_bytes_per_s);
}

static int by_io(const void *a, const void *b)
{
	const struct proc_sample *x = &sort_snap->procs[*(const size_t *)a];
	const struct proc_sample *y = &sort_snap->procs[*(const size_t *)b];

	if (io_rate(x) != io_rate(y))
		return io_rate(x) < io_rate(y) ? 1 : -1;
	return x->pid - y->pid;
}

static bool any_proc(const struct proc_sample *p)
{
	(void)p;
	return true;
}

static bool moved_bytes(const struct proc_sample *p)
{
	return io_rate(p) > 0;
}

/* One list of processes a dump shows: which are eligible, their order. */
struct top_list {
	const char *key;
	bool (*eligible)(const struct proc_sample *p);
	int (*cmp)(const void *, const void *);
};

static const struct top_list top_lists[] = {
	{ "procs", any_proc, by_cpu },		/* the busiest */
	{ "top_rss_procs", any_proc, by_rss },	/* the largest */
	{ "top_io_procs", moved_bytes, by_io }, /* those that moved storage bytes, busiest first */
};

/* Fills idx with the first `limit` (0: all) processes of list t in s; returns how many. */
static size_t select_top(const struct snapshot *s, const struct top_list *t, size_t limit,
			 size_t *idx)
{
	size_t n = 0;

	for (size_t i = 0; i < s->nprocs; i++)
		if (t->eligible(&s->procs[i]))
			idx[n++] = i;
	sort_snap = s;
	qsort(idx, n, sizeof(*idx), t->cmp);
	return limit && n > limit ? limit : n;
}

static void write_tops(struct json_writer *w, const struct snapshot *s, size_t *idx, size_t limit)
{
	for (size_t l = 0; l < sizeof(top_lists) / sizeof(top_lists[0]); l++) {
		size_t n = select_top(s, &top_lists[l], limit, idx);

		json_key(w, top_lists[l].key);
		json_arr_begin(w);
		for (size_t i = 0; i < n; i++)
			write_proc(w, &s->procs[idx[i]]);
		json_arr_end(w);
	}
}

void dump_keep_shown(struct snapshot *s, const struct config *cfg)
{
	size_t limit = (size_t)cfg->top_processes_stored, kept = 0;
	size_t *idx;
	bool *keep;

	if (!limit || s->procs_trimmed || s->nprocs <= limit)
		return;
	idx = xmalloc(s->nprocs * sizeof(*idx));
	keep = xcalloc(s->nprocs, sizeof(*keep));
	for (size_t l = 0; l < sizeof(top_lists) / sizeof(top_lists[0]); l++) {
		size_t n = select_top(s, &top_lists[l], limit, idx);

		for (size_t i = 0; i < n; i++)
			keep[idx[i]] = true;
	}
	for (size_t i = 0; i < s->nprocs; i++) {
		if (keep[i])
			s->procs[kept++] = s->procs[i];
		else
			rcstr_unref(s->procs[i].cmdline);
	}
	s->nprocs_sampled = s->nprocs;
	s->procs_trimmed = true;
	s->nprocs = kept;
	free(keep);
	free(idx);
}

static void write_snapshot(struct json_writer *w, const struct snapshot *s, uint64_t trig_mono_ns,
			   bool is_trigger, const struct config *cfg, size_t *idx)
{
	json_obj_begin(w);
	write_time(w, "timestamp", s->real_ns);
	json_kv_uint(w, "seq", s->seq);
	json_kv_double(w, "offset_seconds", ((double)s->mono_ns - (double)trig_mono_ns) / 1e9, 3);
	json_kv_double(w, "interval_seconds", s->elapsed_s, 3);
	json_kv_bool(w, "is_trigger", is_trigger);
	json_kv_str(w, "mode", s->diagnostic ? "diagnostic" : "sentinel");

	json_key(w, "cpu");
	json_obj_begin(w);
	json_kv_double(w, "global_pct", s->cpu.busy, 2);
	write_cpu_split(w, &s->cpu);
	json_key(w, "per_core_pct");
	json_arr_begin(w);
	for (int i = 0; i < s->ncpu; i++)
		json_double(w, s->per_core[i].busy, 2);
	json_arr_end(w);
	json_key(w, "per_core");
	json_arr_begin(w);
	for (int i = 0; i < s->ncpu; i++) {
		json_obj_begin(w);
		json_kv_int(w, "cpu", i);
		json_kv_double(w, "busy_pct", s->per_core[i].busy, 2);
		write_cpu_split(w, &s->per_core[i]);
		json_obj_end(w);
	}
	json_arr_end(w);
	json_obj_end(w);

	json_key(w, "mem");
	json_obj_begin(w);
	json_kv_uint(w, "total_kib", s->mem.total_kib);
	json_kv_uint(w, "available_kib", s->mem.available_kib);
	json_kv_uint(w, "free_kib", s->mem.free_kib);
	json_kv_uint(w, "buffers_kib", s->mem.buffers_kib);
	json_kv_uint(w, "cached_kib", s->mem.cached_kib);
	json_kv_uint(w, "active_kib", s->mem.active_kib);
	json_kv_uint(w, "inactive_kib", s->mem.inactive_kib);
	json_kv_uint(w, "dirty_kib", s->mem.dirty_kib);
	json_kv_uint(w, "slab_kib", s->mem.slab_kib);
	json_kv_uint(w, "shmem_kib", s->mem.shmem_kib);
	json_kv_uint(w, "swap_total_kib", s->mem.swap_total_kib);
	json_kv_uint(w, "swap_free_kib", s->mem.swap_free_kib);
	json_kv_uint(w, "swap_used_kib", snapshot_swap_used_kib(s));
	json_kv_double(w, "used_pct", snapshot_mem_used_pct(s), 2);
	json_obj_end(w);

	json_key(w, "load");
	json_obj_begin(w);
	json_kv_double(w, "load1", s->load.load1, 2);
	json_kv_double(w, "load5", s->load.load5, 2);
	json_kv_double(w, "load15", s->load.load15, 2);
	json_kv_int(w, "running", s->load.running);
	json_kv_int(w, "total", s->load.total);
	json_obj_end(w);

	json_key(w, "psi");
	json_obj_begin(w);
	write_psi(w, "cpu", &s->psi_cpu);
	write_psi(w, "memory", &s->psi_memory);
	write_psi(w, "io", &s->psi_io);
	json_obj_end(w);

	json_kv_uint(w, "process_count", snapshot_process_count(s));
	json_kv_uint(w, "forks_total", s->forks_total);
	write_tops(w, s, idx, (size_t)cfg->top_processes_stored);
	write_exited(w, s);
	write_network(w, s);
	write_disks(w, s);
	json_obj_end(w);
}

/* Depth at which a snapshot sits in the dump: root object, then the "snapshots" array. */
#define SNAPSHOT_DEPTH 2

void dump_draft_add(struct dump_draft *d, const struct snapshot *s, const struct config *cfg)
{
	size_t *idx = xmalloc((s->nprocs + 1) * sizeof(*idx));
	struct json_writer w;
	struct strbuf *sb;

	XGROW(d->snaps, d->cap, d->nsnaps + 1);
	sb = &d->snaps[d->nsnaps++];
	strbuf_init(sb);
	json_init_fragment(&w, sb, true, SNAPSHOT_DEPTH);
	write_snapshot(&w, s, d->trig_mono_ns, s->seq == d->trig_seq, cfg, idx);
	free(idx);
}

void dump_draft_begin(struct dump_draft *d, const struct trigger_list *triggers,
		      const struct ring *ring, const struct config *cfg)
{
	const struct snapshot *trig = ring_back(ring, 0);
	size_t n = (size_t)cfg->context_snapshots_per_dump;

	memset(d, 0, sizeof(*d));
	for (size_t i = 0; i < triggers->n; i++)
		trigger_list_add_copy(&d->triggers, &triggers->t[i]);
	d->trig_seq = trig->seq;
	d->trig_mono_ns = trig->mono_ns;
	d->trig_real_ns = trig->real_ns;
	dump_file_name(&triggers->t[0], d->name, sizeof(d->name));
	if (n > ring_len(ring))
		n = ring_len(ring);
	for (size_t i = n; i-- > 0;)
		dump_draft_add(d, ring_back(ring, i), cfg);
	d->trigger_index = n - 1;
}

void dump_draft_release(struct dump_draft *d)
{
	for (size_t i = 0; i < d->nsnaps; i++)
		strbuf_release(&d->snaps[i]);
	free(d->snaps);
	trigger_list_release(&d->triggers);
	memset(d, 0, sizeof(*d));
}

void dump_draft_render(const struct dump_draft *d, const struct config *cfg,
		       const struct host_info *host, dump_section_fn diagnosis, void *arg,
		       struct strbuf *out)
{
	struct json_writer w;

	json_init(&w, out, true);
	json_obj_begin(&w);
	json_kv_int(&w, "schema_version", DUMP_SCHEMA_VERSION);
	json_kv_str(&w, "generator", "spiketrace " SPIKETRACE_VERSION);
	write_time(&w, "created_at", d->trig_real_ns);
	json_key(&w, "host");
	json_obj_begin(&w);
	json_kv_str(&w, "hostname", host->hostname);
	json_kv_str(&w, "kernel", host->kernel);
	json_kv_int(&w, "ncpu", host->ncpu);
	json_obj_end(&w);

	json_key(&w, "trigger");
	write_trigger(&w, &d->triggers.t[0], cfg);
	json_key(&w, "other_triggers");
	json_arr_begin(&w);
	for (size_t i = 1; i < d->triggers.n; i++)
		write_trigger(&w, &d->triggers.t[i], cfg);
	json_arr_end(&w);

	json_key(&w, "config");
	json_obj_begin(&w);
	json_kv_double(&w, "sampling_interval_seconds", cfg->sampling_interval_seconds, 3);
	json_kv_int(&w, "ring_buffer_capacity", cfg->ring_buffer_capacity);
	json_kv_int(&w, "context_snapshots_per_dump", cfg->context_snapshots_per_dump);
	json_kv_int(&w, "top_processes_stored", cfg->top_processes_stored);
	json_kv_double(&w, "cpu_delta_threshold_pct", cfg->cpu_delta_threshold_pct, 2);
	json_kv_double(&w, "new_process_threshold_pct", cfg->new_process_threshold_pct, 2);
	json_kv_double(&w, "mem_drop_threshold_mib", cfg->mem_drop_threshold_mib, 1);
	json_kv_double(&w, "mem_pressure_threshold_pct", cfg->mem_pressure_threshold_pct, 2);
	json_kv_double(&w, "swap_spike_threshold_mib", cfg->swap_spike_threshold_mib, 1);
	json_kv_double(&w, "cooldown_seconds", cfg->cooldown_seconds, 3);
	json_kv_str(&w, "scope", config_scope_name(cfg->scope));
	json_kv_bool(&w, "diagnostic_mode", cfg->enable_diagnostic_mode);
	json_kv_double(&w, "diagnostic_interval_ms", cfg->diagnostic_interval_ms, 1);
	json_kv_double(&w, "diagnostic_seconds", cfg->diagnostic_seconds, 3);
	json_obj_end(&w);

	json_kv_int(&w, "trigger_snapshot_index", (int64_t)d->trigger_index);
	json_key(&w, "snapshots");
	json_arr_begin(&w);
	for (size_t i = 0; i < d->nsnaps; i++)
		json_raw(&w, strbuf_str(&d->snaps[i]), d->snaps[i].len);
	json_arr_end(&w);
	json_key(&w, "diagnosis");
	if (diagnosis)
		diagnosis(&w, arg);
	else
		json_null(&w);
	json_obj_end(&w);
	strbuf_addc(out, '\n');
}

void dump_render(struct strbuf *out, const struct trigger_list *triggers, const struct ring *ring,
		 const struct config *cfg, const struct host_info *host)
{
	struct dump_draft d;

	dump_draft_begin(&d, triggers, ring, cfg);
	dump_draft_render(&d, cfg, host, NULL, NULL, out);
	dump_draft_release(&d);
}
