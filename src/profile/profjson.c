/* profjson.c - trace.json of `spiketrace profile`: writing it, reading a baseline, the CI gate. */
#include "profile/profjson.h"

#include <errno.h>
/* jansson and base/json both have a json_null(): hide jansson's (the reader never calls it) */
#define json_null jansson_json_null
#include <jansson.h>
#undef json_null
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "base/fileutil.h"
#include "base/json.h"
#include "base/xalloc.h"

#ifndef SPIKETRACE_VERSION
#define SPIKETRACE_VERSION "unknown"
#endif

/* A baseline larger than this is not a trace.json we wrote (10 minutes at 10 ms is ~30 MB). */
#define BASELINE_MAX_BYTES (1024ULL * 1024 * 1024)

static void write_session(struct json_writer *w, uint64_t real_ns)
{
	time_t sec = (time_t)(real_ns / 1000000000ULL);
	char id[40], iso[40];
	struct tm tm;

	gmtime_r(&sec, &tm);
	strftime(id, sizeof(id), "trace-%Y%m%d-%H%M%S", &tm);
	strftime(iso, sizeof(iso), "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_kv_str(w, "session_id", id);
	json_kv_str(w, "start_time", iso);
}

static void write_metadata(struct json_writer *w, const struct profile_report *r,
			   const struct series_info *info)
{
	size_t nprocs;
	const struct series_proc *root = series_procs(r->series, &nprocs);

	json_key(w, "metadata");
	json_obj_begin(w);
	json_kv_int(w, "pid", info->root);
	json_kv_str(w, "process_name", root->comm);
	json_kv_int(w, "threads", root->threads_max);
	json_kv_uint(w, "vm_rss_kb", root->rss_max_kib);
	json_kv_str(w, "cmdline", info->root_cmdline);
	json_kv_double(w, "interval_ms", r->interval_s * 1000.0, 3);
	json_kv_bool(w, "children", info->children);
	json_kv_bool(w, "io_denied", info->io_denied);
	json_obj_end(w);
}

static void write_exit(struct json_writer *w, const struct profile_report *r)
{
	json_key(w, "command");
	if (r->command) {
		json_arr_begin(w);
		for (char *const *a = r->command; *a; a++)
			json_str(w, *a);
		json_arr_end(w);
	} else {
		json_null(w);
	}
	json_key(w, "exit_status");
	if (!r->has_exit)
		json_null(w);
	else if (WIFSIGNALED(r->wait_status))
		json_int(w, 128 + WTERMSIG(r->wait_status));
	else
		json_int(w, WEXITSTATUS(r->wait_status));
	json_key(w, "exit_signal");
	if (r->has_exit && WIFSIGNALED(r->wait_status)) {
		const char *abbrev = sigabbrev_np(WTERMSIG(r->wait_status));
		char name[32];

		if (abbrev)
			snprintf(name, sizeof(name), "SIG%s", abbrev);
		else
			snprintf(name, sizeof(name), "SIG%d", WTERMSIG(r->wait_status));
		json_str(w, name);
	} else {
		json_null(w);
	}
}

static void write_summary(struct json_writer *w, const struct series_summary *sm)
{
	json_key(w, "summary");
	json_obj_begin(w);
	json_kv_double(w, "cpu_avg_percent", sm->cpu_avg_pct, 2);
	json_kv_double(w, "cpu_max_percent", sm->cpu_max_pct, 2);
	json_kv_uint(w, "sample_count", sm->sample_count);
	json_kv_double(w, "cpu_p50_percent", sm->cpu_p50_pct, 2);
	json_kv_double(w, "cpu_p95_percent", sm->cpu_p95_pct, 2);
	json_kv_double(w, "cpu_p99_percent", sm->cpu_p99_pct, 2);
	json_kv_double(w, "cpu_stddev_percent", sm->cpu_stddev_pct, 2);
	json_kv_double(w, "rss_avg_kb", sm->rss_avg_kib, 1);
	json_kv_uint(w, "rss_max_kb", sm->rss_max_kib);
	json_kv_uint(w, "rss_p50_kb", sm->rss_p50_kib);
	json_kv_uint(w, "rss_p95_kb", sm->rss_p95_kib);
	json_kv_uint(w, "rss_p99_kb", sm->rss_p99_kib);
	json_kv_uint(w, "threads_max", sm->threads_max);
	json_kv_uint(w, "processes_max", sm->processes_max);
	json_kv_uint(w, "read_bytes", sm->read_bytes);
	json_kv_uint(w, "write_bytes", sm->write_bytes);
	json_kv_uint(w, "voluntary_ctxt_switches", sm->voluntary_ctxsw);
	json_kv_uint(w, "nonvoluntary_ctxt_switches", sm->nonvoluntary_ctxsw);
	json_kv_uint(w, "spike_count", sm->nspikes);
	json_obj_end(w);

	json_key(w, "spikes");
	json_arr_begin(w);
	for (size_t i = 0; i < sm->nspikes; i++) {
		json_obj_begin(w);
		json_kv_double(w, "t", sm->spikes[i].t, 3);
		json_kv_double(w, "cpu_pct", sm->spikes[i].cpu_pct, 2);
		json_kv_double(w, "z", sm->spikes[i].z, 2);
		json_obj_end(w);
	}
	json_arr_end(w);
}

/* One sample per line: a pretty file of thousands of samples stays readable and small. */
static void write_samples(struct json_writer *w, const struct profile_report *r, bool children)
{
	size_t n, nrows;
	const struct series_sample *sm = series_samples(r->series, &n);
	const struct series_row *rows = series_rows(r->series, &nrows);
	bool pretty = w->pretty;

	json_key(w, "samples");
	json_arr_begin(w);
	for (size_t i = 0; i < n; i++) {
		const struct series_sample *p = &sm[i];

		json_obj_begin(w);
		w->pretty = false;
		json_kv_double(w, "t", p->t, 3);
		json_kv_double(w, "cpu_pct", p->cpu_pct, 2);
		json_kv_uint(w, "rss_kb", p->rss_kib);
		json_kv_uint(w, "threads", p->threads);
		json_kv_uint(w, "read_bytes", p->read_bytes);
		json_kv_uint(w, "write_bytes", p->write_bytes);
		json_kv_uint(w, "rchar", p->rchar);
		json_kv_uint(w, "wchar", p->wchar);
		json_kv_uint(w, "voluntary_ctxt_switches", p->voluntary_ctxsw);
		json_kv_uint(w, "nonvoluntary_ctxt_switches", p->nonvoluntary_ctxsw);
		json_kv_uint(w, "processes", p->processes);
		if (children) {
			json_key(w, "procs");
			json_arr_begin(w);
			for (size_t j = p->first_row; j < p->first_row + p->processes && j < nrows;
			     j++) {
				json_obj_begin(w);
				json_kv_int(w, "pid", rows[j].pid);
				json_kv_double(w, "cpu_pct", rows[j].cpu_pct, 2);
				json_kv_uint(w, "rss_kb", rows[j].rss_kib);
				json_kv_uint(w, "threads", rows[j].threads);
				json_obj_end(w);
			}
			json_arr_end(w);
		}
		json_obj_end(w);
		w->pretty = pretty;
	}
	json_arr_end(w);
}

static void write_children(struct json_writer *w, const struct series *s, bool children)
{
	size_t n;
	const struct series_proc *p = series_procs(s, &n);

	json_key(w, "children");
	if (!children) {
		json_null(w);
		return;
	}
	json_arr_begin(w);
	for (size_t i = 0; i < n; i++) {
		if (p[i].rows == 0)
			continue; /* ended before the first sample */
		json_obj_begin(w);
		json_kv_int(w, "pid", p[i].pid);
		json_kv_int(w, "ppid", p[i].ppid);
		json_kv_str(w, "comm", p[i].comm);
		json_kv_double(w, "first_t", p[i].first_t, 3);
		json_kv_double(w, "last_t", p[i].last_t, 3);
		json_kv_double(w, "cpu_avg_percent", p[i].cpu_avg_pct, 2);
		json_kv_double(w, "cpu_max_percent", p[i].cpu_max_pct, 2);
		json_kv_uint(w, "rss_max_kb", p[i].rss_max_kib);
		json_kv_uint(w, "threads_max", p[i].threads_max);
		json_kv_uint(w, "read_bytes", p[i].read_bytes);
		json_kv_uint(w, "write_bytes", p[i].write_bytes);
		json_kv_bool(w, "exited", p[i].ended);
		json_obj_end(w);
	}
	json_arr_end(w);
}

static void write_funcs(struct json_writer *w, const char *key, const struct profile_func *f,
			size_t n)
{
	json_key(w, key);
	json_arr_begin(w);
	for (size_t i = 0; i < n; i++) {
		json_obj_begin(w);
		json_kv_str(w, "function", f[i].function ? f[i].function : "?");
		json_kv_uint(w, "samples", f[i].samples);
		json_kv_double(w, "percent", f[i].percent, 2);
		if (f[i].file) {
			json_kv_str(w, "file", f[i].file);
			json_kv_int(w, "line", f[i].line);
		}
		json_obj_end(w);
	}
	json_arr_end(w);
}

static void write_stacks(struct json_writer *w, const struct profile_stacks *st)
{
	bool pretty = w->pretty;

	json_key(w, "stacks");
	if (!st) {
		json_null(w);
		return;
	}
	json_obj_begin(w);
	json_kv_double(w, "frequency_hz", st->frequency_hz, 3);
	json_kv_str(w, "event", st->event ? st->event : "cpu-clock");
	json_kv_uint(w, "sample_count", st->sample_count);
	json_kv_uint(w, "lost", st->lost);
	json_key(w, "note");
	if (st->note)
		json_str(w, st->note);
	else
		json_null(w);
	json_key(w, "folded");
	json_arr_begin(w);
	for (size_t i = 0; i < st->nfolded; i++) {
		json_obj_begin(w);
		w->pretty = false;
		json_kv_str(w, "stack", st->folded[i].stack ? st->folded[i].stack : "");
		json_kv_uint(w, "count", st->folded[i].count);
		json_obj_end(w);
		w->pretty = pretty;
	}
	json_arr_end(w);
	write_funcs(w, "top_self", st->top_self, st->ntop_self);
	write_funcs(w, "top_total", st->top_total, st->ntop_total);
	json_obj_end(w);
}

void profjson_write(struct strbuf *out, const struct profile_report *r)
{
	struct series_info info;
	struct json_writer w;

	series_get_info(r->series, &info);
	json_init(&w, out, true);
	json_obj_begin(&w);
	json_kv_int(&w, "schema_version", PROFJSON_SCHEMA_VERSION);
	json_kv_str(&w, "generator", "spiketrace " SPIKETRACE_VERSION);
	write_session(&w, info.start_real_ns);
	json_kv_double(&w, "duration_seconds",
		       r->duration_s > 0 ? r->duration_s : r->summary->duration_s, 3);
	write_metadata(&w, r, &info);
	write_exit(&w, r);
	write_summary(&w, r->summary);
	write_samples(&w, r, info.children);
	write_children(&w, r->series, info.children);
	write_stacks(&w, r->stacks);
	json_obj_end(&w);
	strbuf_addc(out, '\n');
}

/* ---- reading a baseline ---- */

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/*
 * A CPUTrace Studio file has no p95 and no RSS summary: both from its samples
 * (nearest rank, as series_summary does).
 */
static void from_cputrace_samples(const json_t *samples, struct profile_baseline *b)
{
	size_t n = json_array_size(samples), k = 0;
	double *cpu = xcalloc(n ? n : 1, sizeof(*cpu));

	for (size_t i = 0; i < n; i++) {
		const json_t *s = json_array_get(samples, i);
		const json_t *c = json_object_get(s, "cpu_pct"), *r = json_object_get(s, "rss_kb");

		if (json_is_number(c))
			cpu[k++] = json_number_value(c);
		if (json_is_number(r) && json_number_value(r) > (double)b->rss_max_kib)
			b->rss_max_kib = (uint64_t)json_number_value(r);
	}
	if (k) {
		size_t rank = (size_t)ceil(0.95 * (double)k);

		qsort(cpu, k, sizeof(*cpu), cmp_double);
		b->cpu_p95_pct = cpu[(rank < 1 ? 1 : rank) - 1];
	}
	free(cpu);
}

/* A number member of obj; false (and an error naming it) when missing or not a number. */
static bool get_num(const json_t *obj, const char *where, const char *key, double *v,
		    const char *path, struct strbuf *err)
{
	const json_t *j = json_object_get(obj, key);

	if (!json_is_number(j) || json_number_value(j) < 0) {
		strbuf_addf(err, "'%s': missing or invalid '%s%s%s'", path, where,
			    *where ? "." : "", key);
		return false;
	}
	*v = json_number_value(j);
	return true;
}

static int read_baseline(const json_t *root, const char *path, struct profile_baseline *b,
			 struct strbuf *err)
{
	const json_t *sum, *ver, *samples;
	double v, rss = 0, dur = 0, count = 0;

	sum = json_object_get(root, "summary");
	samples = json_object_get(root, "samples");
	if (!json_is_object(root) || !json_is_string(json_object_get(root, "session_id")) ||
	    !json_is_object(sum)) {
		strbuf_addf(err, "'%s' is not a spiketrace profile (no session_id and summary)",
			    path);
		return -EINVAL;
	}
	ver = json_object_get(root, "schema_version");
	if (ver && !json_is_integer(ver)) {
		strbuf_addf(err,
			    "'%s' is not a spiketrace profile (schema_version is not a number)",
			    path);
		return -EINVAL;
	}
	b->schema_version = ver ? (int)json_integer_value(ver) : 0;
	if (ver && json_integer_value(ver) > PROFJSON_SCHEMA_VERSION) {
		strbuf_addf(err,
			    "'%s': schema_version %lld is newer than this spiketrace reads (%d)",
			    path, (long long)json_integer_value(ver), PROFJSON_SCHEMA_VERSION);
		return -EINVAL;
	}
	if (ver && json_integer_value(ver) < 1) {
		strbuf_addf(err, "'%s' is not a spiketrace profile (schema_version %lld)", path,
			    (long long)json_integer_value(ver));
		return -EINVAL;
	}
	if (!ver && !json_is_array(samples)) {
		strbuf_addf(err, "'%s' is not a spiketrace profile (no schema_version or samples)",
			    path);
		return -EINVAL;
	}
	if (!get_num(sum, "summary", "cpu_avg_percent", &b->cpu_avg_pct, path, err) ||
	    !get_num(sum, "summary", "cpu_max_percent", &b->cpu_max_pct, path, err) ||
	    !get_num(sum, "summary", "sample_count", &count, path, err) ||
	    !get_num(root, "", "duration_seconds", &dur, path, err))
		return -EINVAL;
	b->sample_count = (uint64_t)count;
	b->duration_s = dur;
	if (!ver) {
		from_cputrace_samples(samples, b);
		return 0;
	}
	if (!get_num(sum, "summary", "cpu_p95_percent", &v, path, err) ||
	    !get_num(sum, "summary", "rss_max_kb", &rss, path, err))
		return -EINVAL;
	b->cpu_p95_pct = v;
	b->rss_max_kib = (uint64_t)rss;
	return 0;
}

int profjson_read_summary(const char *path, struct profile_baseline *b, struct strbuf *err)
{
	json_error_t jerr;
	json_t *root;
	char *data = NULL;
	size_t len = 0;
	int ret;

	memset(b, 0, sizeof(*b));
	ret = file_read_all(path, BASELINE_MAX_BYTES, &data, &len);
	if (ret < 0) {
		strbuf_addf(err, "cannot read '%s': %s", path, file_strerror(ret));
		return ret;
	}
	root = json_loadb(data, len, JSON_REJECT_DUPLICATES, &jerr);
	free(data);
	if (!root) {
		strbuf_addf(err, "'%s' is not valid JSON: line %d: %s", path, jerr.line, jerr.text);
		return -EINVAL;
	}
	ret = read_baseline(root, path, b, err);
	json_decref(root);
	return ret;
}

/* ---- the gate ---- */

enum gate_kind {
	GATE_ABS,     /* now must not exceed the limit */
	GATE_REGRESS, /* now must not exceed the baseline by more than limit % */
};

/* One check, as a table row. */
struct gate_check {
	const char *metric;
	enum gate_kind kind;
	bool has_base;
	double base, now, limit;
	double noise; /* GATE_REGRESS: absolute growth that never fails */
};

#define COL_METRIC 24
#define COL_NUM	   12

static void fmt_change(char *buf, size_t n, const struct gate_check *c)
{
	if (!c->has_base)
		snprintf(buf, n, "-");
	else if (c->base == 0)
		snprintf(buf, n, c->now == 0 ? "+0.0 %%" : "+inf %%");
	else
		snprintf(buf, n, "%+.1f %%", (c->now - c->base) / c->base * 100.0);
}

/* Appends the row of c and says whether it failed. */
static bool gate_row(struct strbuf *t, const struct gate_check *c)
{
	char base[32], change[32], limit[32];
	bool fail;

	if (c->kind == GATE_ABS) {
		fail = c->now > c->limit;
		snprintf(limit, sizeof(limit), "<= %.2f", c->limit);
	} else {
		double grow = c->now - c->base;

		fail = grow > c->noise && (c->base <= 0 || grow / c->base * 100.0 > c->limit);
		snprintf(limit, sizeof(limit), "<= +%.1f %%", c->limit);
	}
	if (c->has_base)
		snprintf(base, sizeof(base), "%.2f", c->base);
	else
		snprintf(base, sizeof(base), "-");
	fmt_change(change, sizeof(change), c);
	strbuf_addf(t, "%-*s %*s %*.2f %*s %*s  %s\n", COL_METRIC, c->metric, COL_NUM, base,
		    COL_NUM, c->now, COL_NUM, change, COL_NUM + 2, limit, fail ? "FAIL" : "OK");
	return fail;
}

int profjson_gate(const struct series_summary *now, const struct profile_baseline *base,
		  const struct gate_limits *lim, struct strbuf *table)
{
	struct gate_check checks[4];
	size_t n = 0;
	int failed = 0;
	double now_rss_mib = (double)now->rss_max_kib / 1024.0;
	double base_rss_mib = base ? (double)base->rss_max_kib / 1024.0 : 0;

	if (lim->cpu_avg_pct >= 0)
		checks[n++] = (struct gate_check){ "cpu avg %",
						   GATE_ABS,
						   base != NULL,
						   base ? base->cpu_avg_pct : 0,
						   now->cpu_avg_pct,
						   lim->cpu_avg_pct,
						   0 };
	if (lim->rss_max_mib >= 0)
		checks[n++] = (struct gate_check){
			"rss max MiB",	  GATE_ABS, base != NULL, base_rss_mib, now_rss_mib,
			lim->rss_max_mib, 0
		};
	if (lim->regress_pct >= 0 && base) {
		checks[n++] = (struct gate_check){
			"cpu avg % vs baseline", GATE_REGRESS,	   true,
			base->cpu_avg_pct,	 now->cpu_avg_pct, lim->regress_pct,
			GATE_REGRESS_MIN_CPU_PCT
		};
		checks[n++] = (struct gate_check){ "rss max MiB vs baseline",
						   GATE_REGRESS,
						   true,
						   base_rss_mib,
						   now_rss_mib,
						   lim->regress_pct,
						   GATE_REGRESS_MIN_RSS_KIB / 1024.0 };
	}
	if (n == 0)
		return 0;
	strbuf_addf(table, "%-*s %*s %*s %*s %*s  %s\n", COL_METRIC, "metric", COL_NUM, "baseline",
		    COL_NUM, "now", COL_NUM, "change", COL_NUM + 2, "limit", "verdict");
	for (size_t i = 0; i < n; i++)
		failed += gate_row(table, &checks[i]);
	return failed;
}
