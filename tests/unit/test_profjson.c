/* test_profjson.c - unit tests of profile/profjson: trace.json against its schema, baselines, the
 * gate. */
#include "profile/profjson.h"

#include <errno.h>
#include <jansson.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "sys/procfs.h"
#include "tap.h"

static char tmp_root[] = "/tmp/test_profjson.XXXXXX";
static long hz, page_kib;

#define SEC (1000000000ULL)
#define T0  (5 * SEC)
#define R0  (1795297890ULL * SEC) /* 2026-11-21 21:51:30 UTC */

/* ---- a fixture proc tree (stat, status, io) ---- */

struct fproc {
	int pid, ppid;
	const char *comm;
	char state;
	uint64_t ticks;
	long threads, rss_pages;
	uint64_t read_bytes;
};

static void write_path(const char *path, const char *data)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(data, f) == EOF || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

static void put_file(int pid, const char *name, const char *data)
{
	char *path = xasprintf("%s/%d/%s", tmp_root, pid, name);

	write_path(path, data);
	free(path);
}

static void put_proc(const struct fproc *p)
{
	char *dir = xasprintf("%s/%d", tmp_root, p->pid), *text;

	mkdir(dir, 0755);
	free(dir);
	text = xasprintf("%d (%s) %c %d %d %d 0 -1 0 10 0 0 0 %llu 0 0 0 20 0 %ld 0 %d 10000000 "
			 "%ld 0\n",
			 p->pid, p->comm, p->state, p->ppid, p->pid, p->pid,
			 (unsigned long long)p->ticks, p->threads, 1000 + p->pid, p->rss_pages);
	put_file(p->pid, "stat", text);
	free(text);
	put_file(p->pid, "status", "voluntary_ctxt_switches:\t5\nnonvoluntary_ctxt_switches:\t1\n");
	text = xasprintf("rchar: 0\nwchar: 0\nread_bytes: %llu\nwrite_bytes: 0\n",
			 (unsigned long long)p->read_bytes);
	put_file(p->pid, "io", text);
	free(text);
	put_file(p->pid, "cmdline", p->comm);
}

static void run(const char *cmd)
{
	if (system(cmd) != 0)
		diag("a shell command failed");
}

/*
 * A tree of two: root 500 at 10 % with a 100 % spike at the 15th of 20
 * samples, child 501 at 20 % that exits after the 5th.
 */
static struct series *make_series(struct procfs *pf, bool children)
{
	struct fproc root = { 500, 1, "app", 'R', 0, 2, 100, 0 };
	struct fproc kid = { 501, 500, "worker", 'R', 0, 1, 50, 0 };
	struct series *s = series_new(pf, 500, children);

	put_proc(&root);
	put_proc(&kid);
	series_sample(s, T0, R0);
	for (int i = 1; i <= 20; i++) {
		root.ticks += (uint64_t)(i == 15 ? hz : hz / 10);
		root.rss_pages = 100 + 10 * i;
		put_proc(&root);
		if (i <= 5) {
			kid.ticks += (uint64_t)(hz / 5);
			kid.read_bytes += 4096;
			put_proc(&kid);
		} else if (i == 6) {
			char *cmd = xasprintf("rm -rf '%s/501'", tmp_root);

			run(cmd);
			free(cmd);
		}
		series_sample(s, T0 + (uint64_t)i * SEC, R0 + (uint64_t)i * SEC);
	}
	return s;
}

/* ---- a small JSON Schema checker: the keywords docs/profile.schema.json uses ---- */

static int check(const json_t *root, const json_t *sch, const json_t *v, const char *path,
		 struct strbuf *errs);

static bool type_is(const json_t *v, const char *t)
{
	if (!strcmp(t, "object"))
		return json_is_object(v);
	if (!strcmp(t, "array"))
		return json_is_array(v);
	if (!strcmp(t, "string"))
		return json_is_string(v);
	if (!strcmp(t, "integer"))
		return json_is_integer(v);
	if (!strcmp(t, "number"))
		return json_is_number(v);
	if (!strcmp(t, "boolean"))
		return json_is_boolean(v);
	return !strcmp(t, "null") && json_is_null(v);
}

static int err_at(struct strbuf *errs, const char *path, const char *what)
{
	strbuf_addf(errs, "%s: %s\n", *path ? path : "(top)", what);
	return 1;
}

static int check_object(const json_t *root, const json_t *sch, const json_t *v, const char *path,
			struct strbuf *errs)
{
	const json_t *props = json_object_get(sch, "properties");
	const json_t *req = json_object_get(sch, "required");
	const json_t *addl = json_object_get(sch, "additionalProperties");
	const char *key;
	json_t *val;
	size_t i;
	int n = 0;

	json_array_foreach(req, i, val)
	{
		if (!json_object_get(v, json_string_value(val))) {
			char *m = xasprintf("missing required '%s'", json_string_value(val));

			n += err_at(errs, path, m);
			free(m);
		}
	}
	json_object_foreach((json_t *)v, key, val)
	{
		const json_t *ps = json_object_get(props, key);
		char *sub = xasprintf("%s.%s", path, key);

		if (ps)
			n += check(root, ps, val, sub, errs);
		else if (json_is_false(addl))
			n += err_at(errs, sub, "not allowed (additionalProperties false)");
		free(sub);
	}
	return n;
}

static int check(const json_t *root, const json_t *sch, const json_t *v, const char *path,
		 struct strbuf *errs)
{
	const json_t *ref = json_object_get(sch, "$ref"), *t, *any, *c, *lim, *items;
	int n = 0;

	if (json_is_string(ref)) {
		const char *r = json_string_value(ref);
		const json_t *def = strncmp(r, "#/$defs/", 8) == 0
					    ? json_object_get(json_object_get(root, "$defs"), r + 8)
					    : NULL;

		return def ? check(root, def, v, path, errs) : err_at(errs, path, "bad $ref");
	}
	any = json_object_get(sch, "anyOf");
	if (json_is_array(any)) {
		struct strbuf scratch = STRBUF_INIT;
		bool matched = false;
		size_t i;
		json_t *alt;

		json_array_foreach(any, i, alt)
		{
			strbuf_reset(&scratch);
			matched |= check(root, alt, v, path, &scratch) == 0;
		}
		strbuf_release(&scratch);
		if (!matched)
			n += err_at(errs, path, "matches no anyOf alternative");
	}
	c = json_object_get(sch, "const");
	if (c && !json_equal(c, (json_t *)v))
		n += err_at(errs, path, "not the const value");
	t = json_object_get(sch, "type");
	if (json_is_string(t) && !type_is(v, json_string_value(t)))
		return n + err_at(errs, path, "wrong type");
	if (json_is_array(t)) {
		bool okay = false;
		size_t i;
		json_t *one;

		json_array_foreach(t, i, one) okay |= type_is(v, json_string_value(one));
		if (!okay)
			return n + err_at(errs, path, "wrong type");
	}
	if (json_is_number(v)) {
		lim = json_object_get(sch, "minimum");
		if (lim && json_number_value(v) < json_number_value(lim))
			n += err_at(errs, path, "below minimum");
		lim = json_object_get(sch, "maximum");
		if (lim && json_number_value(v) > json_number_value(lim))
			n += err_at(errs, path, "above maximum");
	}
	if (json_is_object(v))
		n += check_object(root, sch, v, path, errs);
	items = json_object_get(sch, "items");
	if (json_is_array(v) && items) {
		size_t i;
		json_t *el;

		json_array_foreach(v, i, el)
		{
			char *sub = xasprintf("%s[%zu]", path, i);

			n += check(root, items, el, sub, errs);
			free(sub);
		}
	}
	return n;
}

static json_t *load_schema(void)
{
	char *path = xasprintf("%s/../../docs/profile.schema.json", fixtures_dir());
	json_error_t e;
	json_t *s = json_load_file(path, 0, &e);

	if (!s)
		printf("# cannot load '%s': %s\n", path, e.text);
	free(path);
	return s;
}

/* Validates doc, printing the errors as diagnostics unless quiet. Returns their count. */
static int validate(const json_t *schema, const json_t *doc, bool quiet)
{
	struct strbuf errs = STRBUF_INIT;
	int n = check(schema, schema, doc, "", &errs);
	const char *p = strbuf_str(&errs);

	while (!quiet && *p) {
		const char *eol = strchr(p, '\n');

		printf("#   %.*s\n", (int)(eol - p), p);
		p = eol + 1;
	}
	strbuf_release(&errs);
	return n;
}

/* ---- the writer ---- */

static const struct profile_stack folded[] = {
	{ "app;main;hot", 90 },
	{ "app;main;cold", 10 },
};
static const struct profile_func top_self[] = {
	{ "hot", 90, 90.0, "/src/app/hot.c", 42 },
	{ "cold", 10, 10.0, NULL, 0 },
};
static const struct profile_func top_total[] = {
	{ "main", 100, 100.0, NULL, 0 },
	{ "hot", 90, 90.0, NULL, 0 },
};

static json_t *write_and_parse(const struct profile_report *r, struct strbuf *text)
{
	json_error_t e;
	json_t *doc;

	strbuf_reset(text);
	profjson_write(text, r);
	doc = json_loads(strbuf_str(text), JSON_REJECT_DUPLICATES, &e);
	if (!doc)
		printf("# parse error: line %d: %s\n", e.line, e.text);
	return doc;
}

static double num_at(const json_t *o, const char *k)
{
	return json_number_value(json_object_get(o, k));
}

static void test_write_children(struct procfs *pf, const json_t *schema, struct strbuf *text)
{
	char *argv[] = { "./app", "--fast", NULL };
	struct profile_stacks st = {
		.frequency_hz = 99,
		.sample_count = 100,
		.lost = 2,
		.folded = folded,
		.nfolded = 2,
		.top_self = top_self,
		.ntop_self = 2,
		.top_total = top_total,
		.ntop_total = 2,
	};
	struct series *s = make_series(pf, true);
	struct series_summary sum;
	struct profile_report r = { 0 };
	const json_t *md, *sm, *samples, *first, *kids, *stacks, *spikes;
	json_t *doc, *bad;
	char *path;

	series_summary(s, &sum);
	r.series = s;
	r.summary = &sum;
	r.duration_s = 20.5;
	r.interval_s = 1.0;
	r.has_exit = true;
	r.wait_status = 3 << 8; /* exit(3) */
	r.command = argv;
	r.stacks = &st;
	doc = write_and_parse(&r, text);
	ok(doc != NULL, "write: the output is JSON");
	if (!doc) {
		series_summary_release(&sum);
		series_free(s);
		return;
	}
	is_int(json_integer_value(json_object_get(doc, "schema_version")), 1,
	       "write: schema_version");
	is_str(json_string_value(json_object_get(doc, "session_id")), "trace-20261121-215130",
	       "write: session_id from the start time");
	is_str(json_string_value(json_object_get(doc, "start_time")), "2026-11-21T21:51:30Z",
	       "write: start_time ISO UTC");
	is_double(num_at(doc, "duration_seconds"), 20.5, 1e-9, "write: duration from the report");
	md = json_object_get(doc, "metadata");
	ok(json_integer_value(json_object_get(md, "pid")) == 500 &&
		   !strcmp(json_string_value(json_object_get(md, "process_name")), "app") &&
		   json_integer_value(json_object_get(md, "threads")) == 2 &&
		   json_integer_value(json_object_get(md, "vm_rss_kb")) == 300 * page_kib,
	   "write: metadata pid, name, threads, peak rss");
	ok(json_is_true(json_object_get(md, "children")) && num_at(md, "interval_ms") == 1000.0,
	   "write: metadata children and interval");
	ok(json_array_size(json_object_get(doc, "command")) == 2 &&
		   !strcmp(json_string_value(json_array_get(json_object_get(doc, "command"), 1)),
			   "--fast"),
	   "write: command is the argv");
	ok(json_integer_value(json_object_get(doc, "exit_status")) == 3 &&
		   json_is_null(json_object_get(doc, "exit_signal")),
	   "write: exit_status 3, no signal");

	sm = json_object_get(doc, "summary");
	is_int(json_integer_value(json_object_get(sm, "sample_count")), 20, "write: sample_count");
	is_double(num_at(sm, "cpu_avg_percent"), sum.cpu_avg_pct, 0.005, "write: cpu avg");
	is_double(num_at(sm, "cpu_max_percent"), 100.0, 0.005, "write: cpu max (the spike)");
	ok(fabs(num_at(sm, "cpu_p50_percent") - sum.cpu_p50_pct) < 0.005 &&
		   fabs(num_at(sm, "cpu_p95_percent") - sum.cpu_p95_pct) < 0.005 &&
		   fabs(num_at(sm, "cpu_p99_percent") - sum.cpu_p99_pct) < 0.005,
	   "write: cpu percentiles");
	ok(num_at(sm, "rss_max_kb") == (double)sum.rss_max_kib &&
		   num_at(sm, "rss_p95_kb") == (double)sum.rss_p95_kib,
	   "write: rss max and p95");
	is_int(json_integer_value(json_object_get(sm, "read_bytes")), 5 * 4096,
	       "write: read_bytes total");

	spikes = json_object_get(doc, "spikes");
	ok(json_array_size(spikes) == 1 && num_at(json_array_get(spikes, 0), "t") == 15.0 &&
		   num_at(json_array_get(spikes, 0), "z") > 3,
	   "write: the spike at t=15 with its z");

	samples = json_object_get(doc, "samples");
	is_int(json_array_size(samples), 20, "write: 20 samples");
	first = json_array_get(samples, 0);
	ok(num_at(first, "t") == 1.0 && fabs(num_at(first, "cpu_pct") - 30.0) < 1e-9 &&
		   num_at(first, "threads") == 3 && num_at(first, "processes") == 2 &&
		   num_at(first, "read_bytes") == 4096,
	   "write: the first sample sums root and child");
	ok(json_array_size(json_object_get(first, "procs")) == 2,
	   "write: per-process rows in children mode");
	ok(num_at(json_array_get(samples, 19), "processes") == 1, "write: the child has left");
	ok(strstr(strbuf_str(text), "\n    {\"t\":1.0") ||
		   strstr(strbuf_str(text), "\n    {\"t\":1,"),
	   "write: one compact sample per line");

	kids = json_object_get(doc, "children");
	ok(json_array_size(kids) == 2, "write: children has root and child");
	if (json_array_size(kids) == 2) {
		const json_t *k = json_array_get(kids, 1);

		ok(num_at(k, "pid") == 501 && num_at(k, "ppid") == 500 &&
			   !strcmp(json_string_value(json_object_get(k, "comm")), "worker") &&
			   num_at(k, "first_t") == 1.0 && num_at(k, "last_t") == 5.0 &&
			   json_is_true(json_object_get(k, "exited")),
		   "write: the child's identity, lifetime and exit");
		ok(fabs(num_at(k, "cpu_avg_percent") - 20.0) < 1e-9 &&
			   num_at(k, "rss_max_kb") == 50 * page_kib,
		   "write: the child's cpu avg and rss max");
	}

	stacks = json_object_get(doc, "stacks");
	ok(num_at(stacks, "frequency_hz") == 99 && num_at(stacks, "sample_count") == 100 &&
		   num_at(stacks, "lost") == 2 &&
		   !strcmp(json_string_value(json_object_get(stacks, "event")), "cpu-clock") &&
		   json_is_null(json_object_get(stacks, "note")),
	   "write: stacks header");
	ok(json_array_size(json_object_get(stacks, "folded")) == 2 &&
		   !strcmp(json_string_value(json_object_get(
				   json_array_get(json_object_get(stacks, "folded"), 0), "stack")),
			   "app;main;hot"),
	   "write: folded stacks");
	ok(json_array_size(json_object_get(stacks, "top_self")) == 2 &&
		   num_at(json_array_get(json_object_get(stacks, "top_total"), 0), "percent") ==
			   100.0,
	   "write: top_self and top_total");
	{
		const json_t *hot = json_array_get(json_object_get(stacks, "top_self"), 0);
		const json_t *cold = json_array_get(json_object_get(stacks, "top_self"), 1);

		ok(hot &&
			   !strcmp(json_string_value(json_object_get(hot, "file")),
				   "/src/app/hot.c") &&
			   num_at(hot, "line") == 42 && !json_object_get(cold, "file") &&
			   !json_object_get(cold, "line"),
		   "write: file and line of a top function when known, neither when not");
	}

	if (schema) {
		is_int(validate(schema, doc, false), 0,
		       "schema: the children-mode report is valid");
		/* the checker itself must catch what the schema forbids */
		bad = json_deep_copy(doc);
		json_object_set_new(bad, "bogus", json_true());
		json_object_del(json_object_get(bad, "summary"), "cpu_avg_percent");
		json_object_set_new(json_array_get(json_object_get(bad, "samples"), 0), "cpu_pct",
				    json_string("high"));
		is_int(validate(schema, bad, true), 3,
		       "schema: an extra key, a missing key, a wrong type");
		json_decref(bad);
	} else {
		ok(0, "schema: docs/profile.schema.json loads");
		ok(0, "schema: (not checked)");
	}

	/* the written file is a good baseline */
	path = xasprintf("%s/good.json", tmp_root);
	write_path(path, strbuf_str(text));
	{
		struct profile_baseline b;
		struct strbuf err = STRBUF_INIT;

		is_int(profjson_read_summary(path, &b, &err), 0,
		       "baseline: our own trace.json reads");
		ok(b.schema_version == 1 && fabs(b.cpu_avg_pct - sum.cpu_avg_pct) < 0.005 &&
			   fabs(b.cpu_max_pct - 100.0) < 1e-9 &&
			   fabs(b.cpu_p95_pct - sum.cpu_p95_pct) < 0.005 &&
			   b.rss_max_kib == sum.rss_max_kib && b.duration_s == 20.5 &&
			   b.sample_count == 20,
		   "baseline: every field back");
		ok(err.len == 0, "baseline: no error text");
		strbuf_release(&err);
	}
	free(path);
	json_decref(doc);
	series_summary_release(&sum);
	series_free(s);
}

static void test_write_single(struct procfs *pf, const json_t *schema, struct strbuf *text)
{
	struct series *s = make_series(pf, false);
	struct series_summary sum;
	struct profile_report r = { 0 };
	json_t *doc;

	series_summary(s, &sum);
	r.series = s;
	r.summary = &sum;
	r.interval_s = 0.1;
	r.has_exit = true;
	r.wait_status = SIGKILL; /* killed by a signal */
	doc = write_and_parse(&r, text);
	ok(doc != NULL, "write single: JSON");
	if (!doc) {
		series_summary_release(&sum);
		series_free(s);
		return;
	}
	ok(json_integer_value(json_object_get(doc, "exit_status")) == 128 + SIGKILL &&
		   !strcmp(json_string_value(json_object_get(doc, "exit_signal")), "SIGKILL"),
	   "write single: a signal death is 128+N and named");
	ok(json_is_null(json_object_get(doc, "command")) &&
		   json_is_null(json_object_get(doc, "children")) &&
		   json_is_null(json_object_get(doc, "stacks")),
	   "write single: command, children and stacks are null");
	is_double(num_at(doc, "duration_seconds"), 20.0, 1e-9,
		  "write single: duration falls back to the last sample's t");
	ok(json_object_get(json_array_get(json_object_get(doc, "samples"), 0), "procs") == NULL,
	   "write single: no per-process rows");
	ok(num_at(json_array_get(json_object_get(doc, "samples"), 0), "processes") == 1,
	   "write single: only the root");
	if (schema)
		is_int(validate(schema, doc, false), 0,
		       "schema: the single-process report is valid");
	else
		ok(0, "schema: (not checked)");
	json_decref(doc);

	/* not exited (attached with -p): null */
	r.has_exit = false;
	doc = write_and_parse(&r, text);
	ok(doc && json_is_null(json_object_get(doc, "exit_status")) &&
		   json_is_null(json_object_get(doc, "exit_signal")),
	   "write single: exit_status null when the process was attached to");
	json_decref(doc);
	series_summary_release(&sum);
	series_free(s);
}

/* A series whose root is gone before the first call: a report with no samples still validates. */
static void test_write_empty(struct procfs *pf, const json_t *schema, struct strbuf *text)
{
	struct series *s = series_new(pf, 999, false);
	struct series_summary sum;
	struct profile_report r = { 0 };
	json_t *doc;

	series_sample(s, T0, R0);
	series_summary(s, &sum);
	r.series = s;
	r.summary = &sum;
	doc = write_and_parse(&r, text);
	ok(doc && json_array_size(json_object_get(doc, "samples")) == 0 &&
		   num_at(json_object_get(doc, "summary"), "sample_count") == 0,
	   "write empty: no samples, zero summary");
	if (schema && doc)
		is_int(validate(schema, doc, false), 0, "schema: the empty report is valid");
	else
		ok(0, "schema: (not checked)");
	json_decref(doc);
	series_summary_release(&sum);
	series_free(s);
}

/* ---- reading baselines ---- */

static int read_text(const char *name, const char *text, struct profile_baseline *b,
		     struct strbuf *err)
{
	char *path = xasprintf("%s/%s", tmp_root, name);
	int ret;

	write_path(path, text);
	strbuf_reset(err);
	ret = profjson_read_summary(path, b, err);
	free(path);
	return ret;
}

static void test_read_summary(void)
{
	const char *cputrace =
		"{\"session_id\":\"trace-20260221-050852\",\"start_time\":\"2026-02-21T05:08:52Z\","
		"\"duration_seconds\":10,\"metadata\":{\"pid\":1234,\"process_name\":\"my_app\","
		"\"threads\":4,\"vm_rss_kb\":45320},\"summary\":{\"cpu_avg_percent\":73.2,"
		"\"cpu_max_percent\":98.1,\"sample_count\":3},\"samples\":["
		"{\"t\":0.1,\"cpu_pct\":72.4,\"rss_kb\":45320,\"threads\":4},"
		"{\"t\":0.2,\"cpu_pct\":98.1,\"rss_kb\":45400,\"threads\":4},"
		"{\"t\":0.3,\"cpu_pct\":49.1,\"rss_kb\":45100,\"threads\":4}]}";
	const char *future = "{\"schema_version\":2,\"session_id\":\"trace-x\",\"summary\":{}}";
	const char *nop95 =
		"{\"schema_version\":1,\"session_id\":\"trace-x\",\"duration_seconds\":1,"
		"\"summary\":{\"cpu_avg_percent\":1,\"cpu_max_percent\":2,"
		"\"sample_count\":3,\"rss_max_kb\":10},\"samples\":[]}";
	const char *dump = "{\"schema_version\":1,\"generator\":\"spiketrace 0.1.0\","
			   "\"trigger\":{},\"snapshots\":[]}";
	struct profile_baseline b;
	struct strbuf err = STRBUF_INIT;
	char *missing = xasprintf("%s/nope.json", tmp_root);

	is_int(read_text("cputrace.json", cputrace, &b, &err), 0,
	       "baseline: a CPUTrace Studio trace.json reads");
	ok(b.schema_version == 0 && fabs(b.cpu_avg_pct - 73.2) < 1e-9 &&
		   fabs(b.cpu_max_pct - 98.1) < 1e-9 && b.duration_s == 10 && b.sample_count == 3,
	   "baseline: CPUTrace summary fields");
	ok(b.rss_max_kib == 45400 && fabs(b.cpu_p95_pct - 98.1) < 1e-9,
	   "baseline: CPUTrace rss max and p95 from its samples");

	is_int(profjson_read_summary(missing, &b, &err), -ENOENT, "baseline: a missing file");
	ok(strstr(strbuf_str(&err), "cannot read '") && strstr(strbuf_str(&err), "nope.json'"),
	   "baseline: 'cannot read' names the file (%s)", strbuf_str(&err));

	is_int(read_text("bad.json", "{\"summary\": [1, 2", &b, &err), -EINVAL,
	       "baseline: broken JSON");
	ok(strstr(strbuf_str(&err), "is not valid JSON: line 1") != NULL,
	   "baseline: the JSON error has a line (%s)", strbuf_str(&err));

	is_int(read_text("dump.json", dump, &b, &err), -EINVAL, "baseline: a spike dump");
	ok(strstr(strbuf_str(&err), "is not a spiketrace profile") != NULL,
	   "baseline: 'not a spiketrace profile' (%s)", strbuf_str(&err));
	is_int(read_text("arr.json", "[1, 2, 3]", &b, &err), -EINVAL, "baseline: an array");
	ok(strstr(strbuf_str(&err), "is not a spiketrace profile") != NULL,
	   "baseline: an array is not a profile");

	is_int(read_text("future.json", future, &b, &err), -EINVAL, "baseline: schema_version 2");
	ok(strstr(strbuf_str(&err), "schema_version 2 is newer than this spiketrace reads (1)") !=
		   NULL,
	   "baseline: 'schema_version 2 is newer' (%s)", strbuf_str(&err));

	is_int(read_text("nop95.json", nop95, &b, &err), -EINVAL, "baseline: summary without p95");
	ok(strstr(strbuf_str(&err), "missing or invalid 'summary.cpu_p95_percent'") != NULL,
	   "baseline: the missing field is named (%s)", strbuf_str(&err));
	free(missing);
	strbuf_release(&err);
}

/* ---- the gate ---- */

static int lines(const struct strbuf *sb)
{
	int n = 0;

	for (size_t i = 0; i < sb->len; i++)
		n += sb->buf[i] == '\n';
	return n;
}

/* The row of the table that starts with metric (up to its newline), or "" */
static const char *row(const struct strbuf *t, const char *metric, char *buf, size_t len)
{
	const char *p = strbuf_str(t);

	buf[0] = '\0';
	while (p && *p) {
		const char *eol = strchr(p, '\n');
		size_t n = eol ? (size_t)(eol - p) : strlen(p);

		if (!strncmp(p, metric, strlen(metric)) && p[strlen(metric)] == ' ') {
			snprintf(buf, len, "%.*s", (int)n, p);
			return buf;
		}
		p = eol ? eol + 1 : NULL;
	}
	return buf;
}

static bool ends_with(const char *s, const char *suffix)
{
	size_t a = strlen(s), b = strlen(suffix);

	return a >= b && !strcmp(s + a - b, suffix);
}

static void test_gate(void)
{
	struct series_summary now = { 0 };
	struct profile_baseline base = { 0 };
	struct gate_limits lim = GATE_LIMITS_INIT;
	struct strbuf t = STRBUF_INIT;
	char buf[256];

	now.cpu_avg_pct = 60;
	now.rss_max_kib = 200 * 1024;
	base.cpu_avg_pct = 50;
	base.rss_max_kib = 190 * 1024;

	is_int(profjson_gate(&now, &base, &lim, &t), 0, "gate: no limits, no failure");
	is_int(t.len, 0, "gate: no limits, no table");

	lim.cpu_avg_pct = 50;
	is_int(profjson_gate(&now, NULL, &lim, &t), 1, "gate: cpu avg 60 above 50 fails");
	is_int(lines(&t), 2, "gate: a header and one row");
	ok(strstr(strbuf_str(&t), "metric") && strstr(strbuf_str(&t), "verdict"),
	   "gate: the header names the columns");
	ok(ends_with(row(&t, "cpu avg %", buf, sizeof(buf)), "FAIL"), "gate: the row says FAIL");
	ok(strstr(buf, "60.00") && strstr(buf, "<= 50.00"), "gate: now and the limit (%s)", buf);

	strbuf_reset(&t);
	lim.cpu_avg_pct = 80;
	is_int(profjson_gate(&now, NULL, &lim, &t), 0, "gate: cpu avg 60 under 80 passes");
	ok(ends_with(row(&t, "cpu avg %", buf, sizeof(buf)), "OK"), "gate: the row says OK");

	strbuf_reset(&t);
	lim = (struct gate_limits)GATE_LIMITS_INIT;
	lim.rss_max_mib = 100;
	is_int(profjson_gate(&now, NULL, &lim, &t), 1, "gate: rss 200 MiB above 100 fails");
	ok(strstr(row(&t, "rss max MiB", buf, sizeof(buf)), "200.00") && ends_with(buf, "FAIL"),
	   "gate: rss row in MiB (%s)", buf);
	strbuf_reset(&t);
	lim.rss_max_mib = 200;
	is_int(profjson_gate(&now, NULL, &lim, &t), 0, "gate: rss at the limit passes");

	/* regression: cpu +20 % (fails at 10 %), rss +5.3 % (passes) */
	strbuf_reset(&t);
	lim = (struct gate_limits)GATE_LIMITS_INIT;
	lim.regress_pct = 10;
	is_int(profjson_gate(&now, &base, &lim, &t), 1, "gate: cpu regressed 20 %% > 10 %%");
	ok(strstr(row(&t, "cpu avg % vs baseline", buf, sizeof(buf)), "+20.0 %") &&
		   strstr(buf, "50.00") && ends_with(buf, "FAIL"),
	   "gate: the cpu regression row (%s)", buf);
	ok(ends_with(row(&t, "rss max MiB vs baseline", buf, sizeof(buf)), "OK") &&
		   strstr(buf, "+5.3 %"),
	   "gate: the rss regression row passes (%s)", buf);
	strbuf_reset(&t);
	lim.regress_pct = 25;
	is_int(profjson_gate(&now, &base, &lim, &t), 0, "gate: within 25 %% passes");
	strbuf_reset(&t);
	is_int(profjson_gate(&now, NULL, &lim, &t), 0, "gate: no baseline, no regression check");
	is_int(t.len, 0, "gate: and no table");

	/* the noise floors */
	strbuf_reset(&t);
	lim.regress_pct = 10;
	now.cpu_avg_pct = 0.5;
	base.cpu_avg_pct = 0.2;
	now.rss_max_kib = 1900;
	base.rss_max_kib = 1000;
	is_int(profjson_gate(&now, &base, &lim, &t), 0,
	       "gate: +150 %% of an idle CPU and +900 KiB are noise");
	strbuf_reset(&t);
	base.cpu_avg_pct = 0;
	now.cpu_avg_pct = 5;
	is_int(profjson_gate(&now, &base, &lim, &t), 1, "gate: from 0 to 5 %% CPU fails");
	ok(strstr(row(&t, "cpu avg % vs baseline", buf, sizeof(buf)), "+inf %") != NULL,
	   "gate: an infinite change is shown as such (%s)", buf);

	/* everything at once */
	strbuf_reset(&t);
	now.cpu_avg_pct = 90;
	now.rss_max_kib = 500 * 1024;
	base.cpu_avg_pct = 40;
	base.rss_max_kib = 100 * 1024;
	lim.cpu_avg_pct = 50;
	lim.rss_max_mib = 256;
	lim.regress_pct = 10;
	is_int(profjson_gate(&now, &base, &lim, &t), 4, "gate: four checks, four failures");
	is_int(lines(&t), 5, "gate: header and four rows");
	ok(strstr(row(&t, "cpu avg %", buf, sizeof(buf)), "40.00") != NULL,
	   "gate: the absolute rows show the baseline too");
	strbuf_release(&t);
}

int main(void)
{
	struct strbuf text = STRBUF_INIT;
	struct procfs *pf;
	json_t *schema;
	char *cmd;

	hz = sysconf(_SC_CLK_TCK);
	page_kib = sysconf(_SC_PAGESIZE) / 1024;
	if (!mkdtemp(tmp_root)) {
		perror("mkdtemp");
		return 1;
	}
	schema = load_schema();
	ok(schema != NULL, "schema: docs/profile.schema.json is JSON");
	pf = procfs_open(tmp_root);
	if (pf) {
		test_write_children(pf, schema, &text);
		cmd = xasprintf("rm -rf '%s'/[0-9]*", tmp_root);
		run(cmd);
		free(cmd);
		test_write_single(pf, schema, &text);
		test_write_empty(pf, schema, &text);
	}
	test_read_summary();
	test_gate();
	procfs_free(pf);
	json_decref(schema);
	strbuf_release(&text);
	cmd = xasprintf("rm -rf '%s'", tmp_root);
	run(cmd);
	free(cmd);
	return done_testing();
}
