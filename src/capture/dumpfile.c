/* dumpfile.c - reads spike dumps (JSON, via jansson) into the viewer model; lazy directory index. */
#include "capture/dumpfile.h"

#include <dirent.h>
#include <errno.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/fileutil.h"
#include "base/xalloc.h"

/* A parse in progress: the first problem found, with the JSON path it was at. */
struct reader {
	struct strbuf *err;
	bool failed;
};

__attribute__((format(printf, 2, 3))) static void fail(struct reader *r, const char *fmt, ...)
{
	va_list ap;
	char buf[512];

	if (r->failed)
		return;
	r->failed = true;
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	strbuf_adds(r->err, buf);
}

/* Required members: a missing or mistyped one fails the parse, naming its path. */
static const json_t *need(struct reader *r, const json_t *obj, const char *where, const char *key,
			  json_type type)
{
	const json_t *v = json_object_get(obj, key);
	bool okay = v && (json_typeof(v) == type ||
			  (type == JSON_REAL && json_typeof(v) == JSON_INTEGER));

	if (!okay)
		fail(r, "missing or invalid '%s%s%s'", where, *where ? "." : "", key);
	return okay ? v : NULL;
}

static double num(struct reader *r, const json_t *obj, const char *where, const char *key)
{
	const json_t *v = need(r, obj, where, key, JSON_REAL);

	return v ? json_number_value(v) : 0;
}

static double opt_num(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	return json_is_number(v) ? json_number_value(v) : 0;
}

static int64_t opt_int(const json_t *obj, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	double d = json_is_real(v) ? json_real_value(v) : 0;

	if (json_is_integer(v))
		return json_integer_value(v);
	/* a real out of int64_t's range (or NaN) would be undefined behaviour to convert */
	return d > -9.2e18 && d < 9.2e18 ? (int64_t)d : 0;
}

/* An optional number that, when present, must be one: "pid": "abc" is not pid 0. */
static int64_t int_field(struct reader *r, const json_t *obj, const char *where, const char *key)
{
	const json_t *v = json_object_get(obj, key);

	if (v && !json_is_number(v))
		fail(r, "invalid '%s.%s': not a number", where, key);
	return opt_int(obj, key);
}

static char *str(struct reader *r, const json_t *obj, const char *where, const char *key)
{
	const json_t *v = need(r, obj, where, key, JSON_STRING);

	return xstrdup(v ? json_string_value(v) : "");
}

static char *opt_str(const json_t *obj, const char *key, const char *dflt)
{
	const json_t *v = json_object_get(obj, key);

	return xstrdup(json_is_string(v) ? json_string_value(v) : dflt);
}

static void copy_comm(char *dst, size_t n, const json_t *obj)
{
	const json_t *v = json_object_get(obj, "comm");

	snprintf(dst, n, "%s", json_is_string(v) ? json_string_value(v) : "");
}

static void read_proc(const json_t *o, struct dump_proc *p)
{
	const char *st = json_string_value(json_object_get(o, "state"));
	const json_t *io;

	p->pid = (int)opt_int(o, "pid");
	p->ppid = (int)opt_int(o, "ppid");
	p->pgid = (int)opt_int(o, "pgid");
	p->uid = (uint32_t)opt_int(o, "uid");
	p->state = st && *st ? st[0] : '?';
	p->is_new = json_is_true(json_object_get(o, "is_new"));
	copy_comm(p->comm, sizeof(p->comm), o);
	p->cmdline = opt_str(o, "cmdline", "");
	p->start_time = opt_str(o, "start_time", "");
	p->cpu_pct = opt_num(o, "cpu_pct");
	p->rss_kib = (uint64_t)opt_int(o, "rss_kib");
	p->threads = (uint32_t)opt_int(o, "threads");
	io = json_object_get(o, "io");
	if (json_is_object(io)) {
		p->io_known = true;
		p->read_bytes_per_s = opt_num(io, "read_bytes_per_s");
		p->write_bytes_per_s = opt_num(io, "write_bytes_per_s");
	}
}

/* "network" and "disks": optional (older dumps), null when the daemon could not read them. */
static void read_net_disks(const json_t *snap, struct dump_snap *s)
{
	const json_t *arr = json_object_get(snap, "network");

	if (json_is_array(arr) && json_array_size(arr)) {
		s->net = xcalloc(json_array_size(arr), sizeof(*s->net));
		for (size_t i = 0; i < json_array_size(arr); i++) {
			const json_t *o = json_array_get(arr, i);
			const char *name = json_string_value(json_object_get(o, "name"));

			if (!json_is_object(o))
				continue;
			snprintf(s->net[s->nnet].name, sizeof(s->net[0].name), "%s",
				 name ? name : "?");
			s->net[s->nnet].rx_bytes_per_s = opt_num(o, "rx_bytes_per_s");
			s->net[s->nnet].tx_bytes_per_s = opt_num(o, "tx_bytes_per_s");
			s->nnet++;
		}
	}
	arr = json_object_get(snap, "disks");
	if (json_is_array(arr) && json_array_size(arr)) {
		s->disks = xcalloc(json_array_size(arr), sizeof(*s->disks));
		for (size_t i = 0; i < json_array_size(arr); i++) {
			const json_t *o = json_array_get(arr, i);
			const char *name = json_string_value(json_object_get(o, "name"));
			struct dump_disk *d = &s->disks[s->ndisks];

			if (!json_is_object(o))
				continue;
			snprintf(d->name, sizeof(d->name), "%s", name ? name : "?");
			d->read_bytes_per_s = opt_num(o, "read_bytes_per_s");
			d->write_bytes_per_s = opt_num(o, "write_bytes_per_s");
			d->read_iops = opt_num(o, "read_iops");
			d->write_iops = opt_num(o, "write_iops");
			d->util_pct = opt_num(o, "util_pct");
			s->ndisks++;
		}
	}
}

static struct dump_proc *read_procs(struct reader *r, const json_t *snap, const char *where,
				    const char *key, size_t *n)
{
	const json_t *arr = json_object_get(snap, key);
	struct dump_proc *out;
	size_t i;

	*n = 0;
	if (!arr)
		return NULL;
	if (!json_is_array(arr)) {
		fail(r, "missing or invalid '%s.%s'", where, key);
		return NULL;
	}
	out = xcalloc(json_array_size(arr) + 1, sizeof(*out));
	for (i = 0; i < json_array_size(arr); i++) {
		const json_t *o = json_array_get(arr, i);

		if (!json_is_object(o) || !json_is_integer(json_object_get(o, "pid"))) {
			fail(r, "missing or invalid '%s.%s[%zu].pid'", where, key, i);
			break;
		}
		read_proc(o, &out[i]);
	}
	*n = i;
	return out;
}

static void read_snap(struct reader *r, const json_t *o, size_t idx, struct dump_snap *s)
{
	const json_t *cpu, *mem, *load, *cores;
	char where[48];

	snprintf(where, sizeof(where), "snapshots[%zu]", idx);
	if (!json_is_object(o)) {
		fail(r, "missing or invalid '%s'", where);
		return;
	}
	s->timestamp = str(r, o, where, "timestamp");
	s->seq = (uint64_t)opt_int(o, "seq");
	s->offset_s = opt_num(o, "offset_seconds");
	s->interval_s = opt_num(o, "interval_seconds");
	s->is_trigger = json_is_true(json_object_get(o, "is_trigger"));
	s->mode = opt_str(o, "mode", "sentinel");
	s->process_count = (uint64_t)opt_int(o, "process_count");
	cpu = need(r, o, where, "cpu", JSON_OBJECT);
	if (cpu) {
		s->cpu_pct = num(r, cpu, "cpu", "global_pct");
		s->user_pct = opt_num(cpu, "user_pct");
		s->system_pct = opt_num(cpu, "system_pct");
		s->iowait_pct = opt_num(cpu, "iowait_pct");
		s->steal_pct = opt_num(cpu, "steal_pct");
		cores = json_object_get(cpu, "per_core_pct");
		if (json_is_array(cores) && json_array_size(cores) > 0) {
			s->ncore = (int)json_array_size(cores);
			s->core_pct = xcalloc((size_t)s->ncore, sizeof(double));
			for (int i = 0; i < s->ncore; i++)
				s->core_pct[i] = json_number_value(json_array_get(cores, (size_t)i));
		}
	}
	mem = need(r, o, where, "mem", JSON_OBJECT);
	if (mem) {
		s->mem_total_kib = (uint64_t)opt_int(mem, "total_kib");
		s->mem_available_kib = (uint64_t)opt_int(mem, "available_kib");
		s->mem_free_kib = (uint64_t)opt_int(mem, "free_kib");
		s->swap_total_kib = (uint64_t)opt_int(mem, "swap_total_kib");
		s->swap_used_kib = (uint64_t)opt_int(mem, "swap_used_kib");
		s->mem_used_pct = opt_num(mem, "used_pct");
	}
	load = json_object_get(o, "load");
	s->load1 = opt_num(load, "load1");
	s->load5 = opt_num(load, "load5");
	s->load15 = opt_num(load, "load15");
	s->procs = read_procs(r, o, where, "procs", &s->nprocs);
	s->rss_procs = read_procs(r, o, where, "top_rss_procs", &s->nrss_procs);
	s->io_procs = read_procs(r, o, where, "top_io_procs", &s->nio_procs);
	read_net_disks(o, s);
}

static char **read_strv(const json_t *o, const char *key, size_t *n)
{
	const json_t *a = json_object_get(o, key);
	char **v = NULL;

	*n = 0;
	if (!json_is_array(a))
		return NULL;
	v = xcalloc(json_array_size(a) + 1, sizeof(*v));
	for (size_t i = 0; i < json_array_size(a); i++)
		if (json_is_string(json_array_get(a, i)))
			v[(*n)++] = xstrdup(json_string_value(json_array_get(a, i)));
	return v;
}

/* The security object: rule, reason and evidence are required, the rest optional. */
static struct dump_security *read_security(struct reader *r, const json_t *o)
{
	struct dump_security *s = xcalloc(1, sizeof(*s));
	const json_t *mitre = json_object_get(o, "mitre"), *ev, *parents;

	s->rule = str(r, o, "trigger.security", "rule");
	s->signal = opt_str(o, "signal", "");
	s->severity = opt_str(o, "severity", "");
	s->reason = str(r, o, "trigger.security", "reason");
	s->mitre_id = opt_str(mitre, "technique_id", "");
	s->mitre_name = opt_str(mitre, "technique_name", "");
	s->window_s = opt_num(o, "window_seconds");
	s->signs = read_strv(o, "signs", &s->nsigns);
	ev = need(r, o, "trigger.security", "evidence", JSON_OBJECT);
	s->pid = (int)opt_int(ev, "pid");
	s->exited = json_is_true(json_object_get(ev, "exited"));
	s->exe = opt_str(ev, "exe", "");
	s->exe_deleted = json_is_true(json_object_get(ev, "exe_deleted"));
	s->cmdline = opt_str(ev, "cmdline", "");
	s->cgroup = opt_str(ev, "cgroup", "");
	s->uid = (uint32_t)opt_int(ev, "uid");
	s->euid = (uint32_t)opt_int(ev, "euid");
	s->sockets = read_strv(ev, "sockets", &s->nsockets);
	s->maps = read_strv(ev, "maps", &s->nmaps);
	parents = json_object_get(ev, "parents");
	if (json_is_array(parents) && json_array_size(parents)) {
		s->parents = xcalloc(json_array_size(parents), sizeof(*s->parents));
		for (size_t i = 0; i < json_array_size(parents); i++) {
			const json_t *p = json_array_get(parents, i);
			struct dump_sec_parent *dp = &s->parents[s->nparents];

			if (!json_is_object(p))
				continue;
			dp->pid = (int)opt_int(p, "pid");
			copy_comm(dp->comm, sizeof(dp->comm), p);
			dp->exe = opt_str(p, "exe", "");
			s->nparents++;
		}
	}
	return s;
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void release_security(struct dump_security *s)
{
	if (!s)
		return;
	free(s->rule);
	free(s->signal);
	free(s->severity);
	free(s->reason);
	free(s->mitre_id);
	free(s->mitre_name);
	free(s->exe);
	free(s->cmdline);
	free(s->cgroup);
	for (size_t i = 0; i < s->nparents; i++)
		free(s->parents[i].exe);
	free(s->parents);
	free_strv(s->signs, s->nsigns);
	free_strv(s->sockets, s->nsockets);
	free_strv(s->maps, s->nmaps);
	free(s);
}

void dump_security_text(const struct dump_security *s, struct strbuf *out)
{
	strbuf_addf(out, "rule: %s/%s (severity %s), MITRE ATT&CK %s %s\n", s->rule, s->signal,
		    s->severity, s->mitre_id, s->mitre_name);
	strbuf_addf(out, "reason: %s\n", s->reason);
	for (size_t i = 0; i < s->nsigns; i++)
		strbuf_addf(out, "sign: %s\n", s->signs[i]);
	strbuf_addf(out, "exe: %s%s\n", s->exe[0] ? s->exe : "(unreadable)",
		    s->exe_deleted ? " (deleted)" : "");
	strbuf_addf(out, "cmdline: %s\n", s->cmdline);
	strbuf_addf(out, "pid %d%s, uid %u, euid %u, cgroup %s\n", s->pid,
		    s->exited ? " (exited)" : "", s->uid, s->euid, s->cgroup[0] ? s->cgroup : "?");
	for (size_t i = 0; i < s->nparents; i++)
		strbuf_addf(out, "parent: %d %s %s\n", s->parents[i].pid, s->parents[i].comm,
			    s->parents[i].exe);
	for (size_t i = 0; i < s->nsockets; i++)
		strbuf_addf(out, "socket: %s\n", s->sockets[i]);
	for (size_t i = 0; i < s->nmaps; i++)
		strbuf_addf(out, "map: %s\n", s->maps[i]);
}

static void read_trigger(struct reader *r, const json_t *o, const char *where,
			 struct dump_trigger *t)
{
	if (!json_is_object(o)) {
		fail(r, "missing or invalid '%s'", where);
		return;
	}
	t->type = str(r, o, where, "type");
	t->timestamp = opt_str(o, "timestamp", "");
	t->pid = (int)int_field(r, o, where, "pid");
	t->ppid = (int)int_field(r, o, where, "ppid");
	t->pgid = (int)int_field(r, o, where, "pgid");
	t->uid = (uint32_t)int_field(r, o, where, "uid");
	copy_comm(t->comm, sizeof(t->comm), o);
	t->cmdline = opt_str(o, "cmdline", "");
	t->unit = opt_str(o, "unit", "pct");
	/* generic names first, the original spiketrace's CPU names as a fallback */
	t->value = json_object_get(o, "value") ? opt_num(o, "value") : opt_num(o, "cpu_pct");
	t->baseline = json_object_get(o, "baseline") ? opt_num(o, "baseline")
						     : opt_num(o, "baseline_pct");
	t->delta = json_object_get(o, "delta") ? opt_num(o, "delta") : opt_num(o, "delta_pct");
	t->threshold = opt_num(o, "threshold");
	t->scope = opt_str(o, "scope", "");
	t->cooldown_s = opt_num(o, "cooldown_seconds");
	t->interface = opt_str(o, "interface", "");
	t->ratio = opt_num(o, "ratio");
	t->threshold_ratio = opt_num(o, "threshold_ratio");
	if (json_is_object(json_object_get(o, "security")))
		t->security = read_security(r, json_object_get(o, "security"));
}

static void add_line(char ***v, size_t *n, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add_line(char ***v, size_t *n, const char *fmt, ...)
{
	char buf[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = xstrdup(buf);
}

/* The line of a cgroup file that says most: a non-root path, the unified ("0::") one first. */
static char *pick_cgroup(const json_t *arr)
{
	const char *best = "";
	size_t i;
	const json_t *v;

	json_array_foreach(arr, i, v) {
		const char *l = json_string_value(v), *path = l ? strrchr(l, ':') : NULL;

		if (!path || !strcmp(path, ":/"))
			continue;
		if (!*best || !strncmp(l, "0::", 3))
			best = l;
	}
	return xstrdup(best);
}

/* The optional "diagnosis" object: absent or null gives NULL, never an error. */
static struct dump_diag *read_diag(const json_t *o)
{
	struct dump_diag *g;
	const json_t *a, *v, *st;
	size_t i;

	if (!json_is_object(o))
		return NULL;
	g = xcalloc(1, sizeof(*g));
	g->complete = json_is_true(json_object_get(o, "complete"));
	g->end_reason = opt_str(o, "end_reason", "");
	g->pid = (int)opt_int(o, "pid");
	copy_comm(g->comm, sizeof(g->comm), o);
	g->duration_s = opt_num(o, "duration_seconds");
	g->cgroup = pick_cgroup(json_object_get(o, "cgroup"));
	g->fds_total = (uint64_t)opt_int(o, "open_fds_total");
	a = json_object_get(o, "cpu_series");
	json_array_foreach(a, i, v) {
		double c = opt_num(v, "cpu_pct");

		g->cpu_avg += c;
		if (c > g->cpu_max)
			g->cpu_max = c;
		g->nfast++;
	}
	if (g->nfast)
		g->cpu_avg /= (double)g->nfast;
	json_array_foreach(json_object_get(o, "open_files"), i, v)
		add_line(&g->files, &g->nfiles, "%lld %s", (long long)opt_int(v, "fd"),
			 json_string_value(json_object_get(v, "target")) ?: "");
	json_array_foreach(json_object_get(o, "sockets"), i, v) {
		const char *desc = json_string_value(json_object_get(v, "description"));

		if (desc)
			add_line(&g->sockets, &g->nsockets, "%lld %s", (long long)opt_int(v, "fd"),
				 desc);
		else
			add_line(&g->sockets, &g->nsockets, "%lld socket:[%lld]",
				 (long long)opt_int(v, "fd"), (long long)opt_int(v, "inode"));
	}
	json_array_foreach(json_object_get(o, "children"), i, v)
		add_line(&g->children, &g->nchildren, "%lld %s%s", (long long)opt_int(v, "pid"),
			 json_string_value(json_object_get(v, "comm")) ?: "",
			 json_is_true(json_object_get(v, "exited")) ? " (exited)" : "");
	st = json_object_get(o, "stacks");
	if (json_is_object(st)) {
		uint64_t samples = (uint64_t)opt_int(st, "samples");
		char buf[160];

		snprintf(buf, sizeof(buf), "%llu samples of %s at %lld Hz",
			 (unsigned long long)samples,
			 json_string_value(json_object_get(st, "event")) ?: "?",
			 (long long)opt_int(st, "frequency_hz"));
		g->stacks = xstrdup(buf);
		json_array_foreach(json_object_get(st, "top"), i, v)
			add_line(&g->top, &g->ntop, "%s %.1f%%",
				 json_string_value(json_object_get(v, "function")) ?: "?",
				 samples ? 100.0 * (double)opt_int(v, "self") / (double)samples : 0);
	} else {
		g->stacks = opt_str(o, "stacks_error", "none");
	}
	return g;
}

static void free_lines(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static void release_diag(struct dump_diag *g)
{
	if (!g)
		return;
	free(g->end_reason);
	free(g->cgroup);
	free(g->stacks);
	free_lines(g->files, g->nfiles);
	free_lines(g->sockets, g->nsockets);
	free_lines(g->children, g->nchildren);
	free_lines(g->top, g->ntop);
	free(g);
}

/* The schema_version and what the writer puts before the snapshots; false when refused. */
static bool read_head(struct reader *r, const json_t *root, struct dump *d)
{
	const json_t *v, *host;

	if (!json_is_object(root)) {
		fail(r, "not a spiketrace dump (the top level is not an object)");
		return false;
	}
	v = json_object_get(root, "schema_version");
	if (!json_is_integer(v)) {
		fail(r, "not a spiketrace dump (no schema_version)");
		return false;
	}
	d->schema_version = (int)json_integer_value(v);
	if (d->schema_version > DUMPFILE_MAX_SCHEMA || d->schema_version < 1) {
		fail(r, "schema_version %d is %s than this spiketrace reads (%d)", d->schema_version,
		     d->schema_version > DUMPFILE_MAX_SCHEMA ? "newer" : "older",
		     DUMPFILE_MAX_SCHEMA);
		return false;
	}
	d->generator = opt_str(root, "generator", "");
	d->created_at = opt_str(root, "created_at", "");
	host = json_object_get(root, "host");
	d->hostname = opt_str(host, "hostname", "");
	d->kernel = opt_str(host, "kernel", "");
	d->ncpu = (int)opt_int(host, "ncpu");
	read_trigger(r, json_object_get(root, "trigger"), "trigger", &d->trigger);
	return !r->failed;
}

static void read_dump(struct reader *r, const json_t *root, struct dump *d)
{
	const json_t *v, *cfg, *snaps, *others;

	if (!read_head(r, root, d))
		return;
	d->diag = read_diag(json_object_get(root, "diagnosis"));
	others = json_object_get(root, "other_triggers");
	if (json_is_array(others) && json_array_size(others)) {
		d->nothers = json_array_size(others);
		d->others = xcalloc(d->nothers, sizeof(*d->others));
		for (size_t i = 0; i < d->nothers; i++)
			read_trigger(r, json_array_get(others, i), "other_triggers[]", &d->others[i]);
	}
	cfg = json_object_get(root, "config");
	d->interval_s = opt_num(cfg, "sampling_interval_seconds");
	d->cooldown_s = opt_num(cfg, "cooldown_seconds");
	d->context_snapshots = (int)opt_int(cfg, "context_snapshots_per_dump");
	d->top_processes = (int)opt_int(cfg, "top_processes_stored");
	d->scope = opt_str(cfg, "scope", "");
	snaps = need(r, root, "", "snapshots", JSON_ARRAY);
	if (!snaps)
		return;
	if (json_array_size(snaps) == 0) {
		fail(r, "no snapshots");
		return;
	}
	d->nsnaps = json_array_size(snaps);
	d->snaps = xcalloc(d->nsnaps, sizeof(*d->snaps));
	for (size_t i = 0; i < d->nsnaps && !r->failed; i++)
		read_snap(r, json_array_get(snaps, i), i, &d->snaps[i]);
	d->trigger_index = d->nsnaps - 1;
	v = json_object_get(root, "trigger_snapshot_index");
	if (json_is_integer(v) && json_integer_value(v) >= 0 &&
	    (size_t)json_integer_value(v) < d->nsnaps)
		d->trigger_index = (size_t)json_integer_value(v);
}

int dump_parse(const char *text, size_t len, const char *path, struct dump *d, struct strbuf *err)
{
	struct reader r = { .err = err };
	json_error_t jerr;
	json_t *root;

	memset(d, 0, sizeof(*d));
	d->path = xstrdup(path ? path : "");
	if (len == 0) {
		fail(&r, "empty file");
		return -EINVAL;
	}
	root = json_loadb(text, len, JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL, &jerr);
	if (!root) {
		bool cut = json_error_code(&jerr) == json_error_premature_end_of_input;

		fail(&r, "%s: %s (line %d, column %d)", cut ? "truncated" : "not JSON", jerr.text,
		     jerr.line, jerr.column);
		return -EINVAL;
	}
	read_dump(&r, root, d);
	json_decref(root);
	return r.failed ? -EINVAL : 0;
}

/* ---- the header of a dump from the start of its file ---- */

static const char *skip_ws(const char *p, const char *end)
{
	while (p < end && (*p == ' ' || *p == '\t' || *p == '\n' || *p == '\r'))
		p++;
	return p;
}

/* Past the string that starts at p (on its quote); NULL when the buffer ends first. */
static const char *skip_string(const char *p, const char *end)
{
	for (p++; p < end; p++) {
		if (*p == '\\')
			p++;
		else if (*p == '"')
			return p + 1;
	}
	return NULL;
}

/*
 * Past the JSON value at p, by its brackets and strings only (jansson parses
 * the values we keep); NULL when the buffer ends inside it.
 */
static const char *skip_value(const char *p, const char *end)
{
	int depth = 0;

	p = skip_ws(p, end);
	while (p < end) {
		char c = *p;

		if (depth == 0 && memchr(",}] \t\r\n", c, 7))
			return p; /* after a number, true, false or null */
		if (c == '"') {
			p = skip_string(p, end);
			if (!p)
				return NULL;
		} else {
			depth += c == '{' || c == '[' ? 1 : c == '}' || c == ']' ? -1 : 0;
			p++;
		}
		if (depth == 0 && (c == '"' || c == '}' || c == ']'))
			return p;
	}
	return NULL;
}

/* The top-level members the Explorer needs, in the order the writer puts them. */
static const char *const head_keys[] = { "schema_version", "trigger" };
#define NHEAD (sizeof(head_keys) / sizeof(head_keys[0]))

/*
 * The head_keys members of the top-level object at the start of text, as a new
 * object; the scan stops once it has them all. NULL when they are not all in
 * text (cut off, not where the writer puts them) or one is not valid JSON.
 */
static json_t *head_object(const char *text, size_t len)
{
	const char *p = skip_ws(text, text + len), *end = text + len;
	json_t *root = json_object();
	size_t found = 0;

	if (p == end || *p++ != '{')
		goto fail;
	while (found < NHEAD) {
		const char *key, *val;
		size_t klen;

		p = skip_ws(p, end);
		if (p == end || *p != '"')
			goto fail;
		key = p + 1;
		p = skip_string(p, end);
		if (!p)
			goto fail;
		klen = (size_t)(p - 1 - key);
		p = skip_ws(p, end);
		if (p == end || *p++ != ':')
			goto fail;
		val = skip_ws(p, end);
		p = skip_value(val, end);
		if (!p)
			goto fail;
		for (size_t i = 0; i < NHEAD; i++) {
			json_t *v;

			if (strlen(head_keys[i]) != klen || memcmp(head_keys[i], key, klen))
				continue;
			if (json_object_get(root, head_keys[i]))
				goto fail; /* a duplicate: dump_load says so */
			v = json_loadb(val, (size_t)(p - val),
				       JSON_DECODE_ANY | JSON_REJECT_DUPLICATES | JSON_ALLOW_NUL,
				       NULL);
			if (!v || json_object_set_new(root, head_keys[i], v) < 0)
				goto fail;
			found++;
		}
		p = skip_ws(p, end);
		if (found < NHEAD && (p == end || *p++ != ','))
			goto fail;
	}
	return root;
fail:
	json_decref(root);
	return NULL;
}

int dump_parse_head(const char *text, size_t len, const char *path, struct dump *d,
		    struct strbuf *err)
{
	struct reader r = { .err = err };
	json_t *head = head_object(text, len);

	memset(d, 0, sizeof(*d));
	d->path = xstrdup(path ? path : "");
	if (!head)
		return -ENODATA;
	read_head(&r, head, d);
	json_decref(head);
	return r.failed ? -EINVAL : 0;
}

/* The last byte that is not white space is '}': the writer got to the end of the file. */
static bool ends_whole(int fd, uint64_t size)
{
	char tail[64];
	size_t n = size < sizeof(tail) ? (size_t)size : sizeof(tail);
	ssize_t r = pread(fd, tail, n, (off_t)(size - n));

	while (r > 0 && strchr(" \t\r\n", tail[r - 1]))
		r--;
	return r > 0 && tail[r - 1] == '}';
}

/*
 * What the Explorer shows of a dump, cheaply: the writer puts schema_version
 * and the trigger before the snapshots, so the first DUMPFILE_HEAD_BYTES hold
 * them. A file that does not end in '}' is called truncated at once; damage in
 * between shows when the dump is opened. Falls back to the whole file when the
 * head does not hold both (another writer's order, a trigger of huge evidence).
 */
static int load_head(const char *path, struct dump *d, struct strbuf *err)
{
	struct stat st;
	char *buf;
	ssize_t n = 0;
	int fd = file_open_regular(path, &st), ret;

	if (fd < 0) {
		memset(d, 0, sizeof(*d));
		strbuf_addf(err, "cannot read: %s", file_strerror(fd));
		return fd;
	}
	buf = xmalloc(DUMPFILE_HEAD_BYTES);
	while ((size_t)n < DUMPFILE_HEAD_BYTES) {
		ssize_t r = pread(fd, buf + n, DUMPFILE_HEAD_BYTES - (size_t)n, n);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += r;
	}
	if ((uint64_t)n >= (uint64_t)st.st_size) {
		/* all of it is here: the whole parse costs no more than the head's */
		ret = dump_parse(buf, (size_t)n, path, d, err);
	} else if (!ends_whole(fd, (uint64_t)st.st_size)) {
		memset(d, 0, sizeof(*d));
		strbuf_adds(err, "truncated: the file does not end with '}'");
		ret = -EINVAL;
	} else {
		ret = dump_parse_head(buf, (size_t)n, path, d, err);
		if (ret == -ENODATA) {
			dump_release(d);
			ret = dump_load(path, d, err);
		}
	}
	close(fd);
	free(buf);
	return ret;
}

int dump_load(const char *path, struct dump *d, struct strbuf *err)
{
	char *text;
	size_t len;
	int ret = file_read_all(path, DUMPFILE_MAX_BYTES, &text, &len);

	if (ret < 0) {
		memset(d, 0, sizeof(*d));
		strbuf_addf(err, "cannot read: %s",
			    ret == -EFBIG ? "larger than 256 MiB" : file_strerror(ret));
		return ret;
	}
	ret = dump_parse(text, len, path, d, err);
	free(text);
	return ret;
}

static void release_procs(struct dump_proc *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		free(p[i].cmdline);
		free(p[i].start_time);
	}
	free(p);
}

static void release_trigger(struct dump_trigger *t)
{
	free(t->type);
	free(t->timestamp);
	free(t->cmdline);
	free(t->unit);
	free(t->scope);
	free(t->interface);
	release_security(t->security);
}

void dump_release(struct dump *d)
{
	if (!d)
		return;
	for (size_t i = 0; i < d->nsnaps; i++) {
		struct dump_snap *s = &d->snaps[i];

		free(s->timestamp);
		free(s->mode);
		free(s->core_pct);
		release_procs(s->procs, s->nprocs);
		release_procs(s->rss_procs, s->nrss_procs);
		release_procs(s->io_procs, s->nio_procs);
		free(s->net);
		free(s->disks);
	}
	free(d->snaps);
	release_trigger(&d->trigger);
	for (size_t i = 0; i < d->nothers; i++)
		release_trigger(&d->others[i]);
	free(d->others);
	release_diag(d->diag);
	free(d->path);
	free(d->generator);
	free(d->created_at);
	free(d->hostname);
	free(d->kernel);
	free(d->scope);
	memset(d, 0, sizeof(*d));
}

/* Fills when/type/pid from "spike_20261121T215817.745Z_cpu_new_process_9820.json". */
static void parse_name(struct dump_entry *e)
{
	const char *n = e->name, *type, *last;

	if (strncmp(n, "spike_", 6) || strlen(n) < 6 + 20 + 1)
		return;
	n += 6;
	if (n[8] == 'T' && n[19] == 'Z' && n[20] == '_') {
		snprintf(e->when, sizeof(e->when), "%.4s-%.2s-%.2s %.2s:%.2s:%.2s", n, n + 4, n + 6,
			 n + 9, n + 11, n + 13);
	}
	type = n + 21;
	last = strrchr(type, '_');
	if (!last || last <= type)
		return;
	snprintf(e->type, sizeof(e->type), "%.*s", (int)(last - type), type);
	e->pid = atoi(last + 1);
}

static void entry_init(struct dump_entry *e, const char *path)
{
	const char *slash = strrchr(path, '/');
	struct stat st;

	memset(e, 0, sizeof(*e));
	e->path = xstrdup(path);
	e->name = xstrdup(slash ? slash + 1 : path);
	if (stat(path, &st) == 0)
		e->size = (uint64_t)st.st_size;
	parse_name(e);
}

static int newest_first(const void *a, const void *b)
{
	return strcmp(((const struct dump_entry *)b)->name, ((const struct dump_entry *)a)->name);
}

int dump_index_scan(struct dump_index *ix, const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;

	dump_index_release(ix);
	if (!d)
		return -errno;
	while ((de = readdir(d))) {
		size_t len = strlen(de->d_name);
		char *path;

		if (strncmp(de->d_name, "spike_", 6) || len < 11 ||
		    strcmp(de->d_name + len - 5, ".json"))
			continue;
		path = xasprintf("%s/%s", dir, de->d_name);
		XGROW(ix->e, ix->cap, ix->n + 1);
		entry_init(&ix->e[ix->n++], path);
		free(path);
	}
	closedir(d);
	if (ix->n)
		qsort(ix->e, ix->n, sizeof(*ix->e), newest_first);
	return (int)ix->n;
}

void dump_index_add(struct dump_index *ix, const char *path)
{
	XGROW(ix->e, ix->cap, ix->n + 1);
	entry_init(&ix->e[ix->n++], path);
	qsort(ix->e, ix->n, sizeof(*ix->e), newest_first);
}

void dump_entry_set(struct dump_entry *e, const struct dump *d)
{
	e->state = DUMP_OK;
	snprintf(e->type, sizeof(e->type), "%s", d->trigger.type);
	snprintf(e->comm, sizeof(e->comm), "%s", d->trigger.comm);
	snprintf(e->unit, sizeof(e->unit), "%s", d->trigger.unit);
	e->pid = d->trigger.pid;
	e->value = d->trigger.value;
}

void dump_index_read(struct dump_index *ix, size_t i)
{
	struct dump_entry *e;
	struct strbuf err = STRBUF_INIT;
	struct dump d;

	if (i >= ix->n || ix->e[i].state != DUMP_UNREAD)
		return;
	e = &ix->e[i];
	if (load_head(e->path, &d, &err) < 0) {
		e->state = DUMP_BAD;
		e->reason = xstrdup(strbuf_str(&err));
	} else {
		dump_entry_set(e, &d);
	}
	dump_release(&d);
	strbuf_release(&err);
}

void dump_index_release(struct dump_index *ix)
{
	for (size_t i = 0; i < ix->n; i++) {
		free(ix->e[i].path);
		free(ix->e[i].name);
		free(ix->e[i].reason);
	}
	free(ix->e);
	memset(ix, 0, sizeof(*ix));
}
