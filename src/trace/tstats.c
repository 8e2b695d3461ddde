/* tstats.c - per-syscall statistics: counts, log-linear latency histograms, Welford anomalies. */
#include "trace/tstats.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "base/xalloc.h"
#include "trace/systab.h"

/*
 * The histogram: values below SUB_COUNT have a bucket each; above, every power of two [2^k,
 * 2^(k+1)) is split into SUB_COUNT/2 = 128 equal buckets, so a bucket is at most 1/128 of its
 * values wide and its midpoint within 0.4 % of any of them. Index of v >= SUB_COUNT with
 * shift = msb(v) - SUB_BITS: shift * SUB_COUNT + (v >> shift), where v >> shift is in
 * [SUB_COUNT, 2 * SUB_COUNT).
 */
#define SUB_BITS  7
#define SUB_COUNT (1u << SUB_BITS)
#define TOP_SHIFT 29 /* the last power of two kept: [2^36, 2^37) ns */
#define NBUCKETS  ((TOP_SHIFT + 2) * SUB_COUNT)

#define DIRECT_NR    1024 /* syscall numbers looked up by index; others by a scan */
#define STDDEV_FLOOR 0.05 /* of the mean, see tstats.h */

struct entry {
	long nr;
	uint64_t calls, errors, anomalies;
	uint64_t total_ns, min_ns, max_ns;
	double mean_ns, m2; /* Welford: running mean and sum of squared differences */
	uint32_t hist[NBUCKETS];
};

struct tstats {
	struct entry *direct[DIRECT_NR]; /* by number, for 0 <= nr < DIRECT_NR */
	struct entry **all;		 /* every entry, in order of first call */
	size_t n, cap;
	double z;
	unsigned min_calls;
};

static unsigned bucket_of(uint64_t v)
{
	unsigned shift;

	if (v < SUB_COUNT)
		return (unsigned)v;
	shift = (unsigned)(63 - __builtin_clzll(v)) - SUB_BITS;
	if (shift > TOP_SHIFT)
		return NBUCKETS - 1;
	return shift * SUB_COUNT + (unsigned)(v >> shift);
}

/* The middle of bucket idx's values (exact for the one-value buckets). */
static uint64_t bucket_mid(unsigned idx)
{
	unsigned shift;
	uint64_t low;

	if (idx < 2 * SUB_COUNT)
		return idx;
	shift = idx / SUB_COUNT - 1;
	low = (uint64_t)(idx - shift * SUB_COUNT) << shift;
	return low + (((uint64_t)1 << shift) - 1) / 2;
}

/* The nearest-rank pct-th percentile of a histogram of count values within [min, max]. */
static uint64_t hist_percentile(const uint32_t *hist, uint64_t count, uint64_t min, uint64_t max,
				double pct)
{
	uint64_t rank, seen = 0, v;

	if (!count)
		return 0;
	if (pct <= 0)
		return min;
	rank = (uint64_t)ceil(pct / 100.0 * (double)count);
	if (rank < 1)
		rank = 1;
	if (rank > count)
		rank = count;
	for (unsigned i = 0; i < NBUCKETS; i++) {
		seen += hist[i];
		if (seen >= rank) {
			v = bucket_mid(i);
			return v < min ? min : v > max ? max : v;
		}
	}
	return max;
}

struct tstats *tstats_new(void)
{
	struct tstats *s = xcalloc(1, sizeof(*s));

	s->z = TSTATS_DEFAULT_Z;
	s->min_calls = TSTATS_DEFAULT_MIN_CALLS;
	return s;
}

void tstats_free(struct tstats *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->all[i]);
	free(s->all);
	free(s);
}

void tstats_set_anomaly(struct tstats *s, double z, unsigned min_calls)
{
	s->z = z;
	s->min_calls = min_calls;
}

static struct entry *entry_find(const struct tstats *s, long nr)
{
	if (nr >= 0 && nr < DIRECT_NR)
		return s->direct[nr];
	for (size_t i = 0; i < s->n; i++)
		if (s->all[i]->nr == nr)
			return s->all[i];
	return NULL;
}

static struct entry *entry_get(struct tstats *s, long nr)
{
	struct entry *e = entry_find(s, nr);

	if (e)
		return e;
	e = xcalloc(1, sizeof(*e));
	e->nr = nr;
	e->min_ns = UINT64_MAX;
	XGROW(s->all, s->cap, s->n + 1);
	s->all[s->n++] = e;
	if (nr >= 0 && nr < DIRECT_NR)
		s->direct[nr] = e;
	return e;
}

static double entry_stddev(const struct entry *e)
{
	return e->calls > 1 ? sqrt(e->m2 / (double)(e->calls - 1)) : 0;
}

/* Judges latency against e's calls so far. */
static void judge(const struct tstats *s, const struct entry *e, double latency,
		  struct tstats_anomaly *an)
{
	double sd = entry_stddev(e), floor = STDDEV_FLOOR * e->mean_ns;

	memset(an, 0, sizeof(*an));
	if (s->z <= 0 || e->calls < s->min_calls || e->calls < 2)
		return;
	if (sd < floor)
		sd = floor;
	if (sd < 1)
		sd = 1; /* a mean of 0 ns: a fake clock */
	an->mean_ns = e->mean_ns;
	an->stddev_ns = sd;
	an->z = (latency - e->mean_ns) / sd;
	if (an->z >= 2 * s->z)
		an->severity = TSTATS_SEV_HIGH;
	else if (an->z >= 4 * s->z / 3)
		an->severity = TSTATS_SEV_MEDIUM;
	else if (an->z > s->z)
		an->severity = TSTATS_SEV_LOW;
}

bool tstats_add(struct tstats *s, long nr, uint64_t latency_ns, bool error,
		struct tstats_anomaly *an)
{
	struct entry *e = entry_get(s, nr);
	struct tstats_anomaly local;
	double x = (double)latency_ns, delta;

	if (!an)
		an = &local;
	judge(s, e, x, an);
	e->calls++;
	e->errors += error;
	e->anomalies += an->severity != TSTATS_SEV_NONE;
	e->total_ns += latency_ns;
	if (latency_ns < e->min_ns)
		e->min_ns = latency_ns;
	if (latency_ns > e->max_ns)
		e->max_ns = latency_ns;
	delta = x - e->mean_ns;
	e->mean_ns += delta / (double)e->calls;
	e->m2 += delta * (x - e->mean_ns);
	e->hist[bucket_of(latency_ns)]++;
	return an->severity != TSTATS_SEV_NONE;
}

static void entry_row(const struct entry *e, struct tstats_row *row)
{
	row->nr = e->nr;
	row->calls = e->calls;
	row->errors = e->errors;
	row->anomalies = e->anomalies;
	row->total_ns = e->total_ns;
	row->min_ns = e->min_ns;
	row->max_ns = e->max_ns;
	row->p50_ns = hist_percentile(e->hist, e->calls, e->min_ns, e->max_ns, 50);
	row->p95_ns = hist_percentile(e->hist, e->calls, e->min_ns, e->max_ns, 95);
	row->p99_ns = hist_percentile(e->hist, e->calls, e->min_ns, e->max_ns, 99);
	row->mean_ns = e->mean_ns;
	row->stddev_ns = entry_stddev(e);
}

bool tstats_get(const struct tstats *s, long nr, struct tstats_row *row)
{
	const struct entry *e = entry_find(s, nr);

	memset(row, 0, sizeof(*row));
	row->nr = nr;
	if (!e)
		return false;
	entry_row(e, row);
	return true;
}

uint64_t tstats_percentile(const struct tstats *s, long nr, double pct)
{
	const struct entry *e = entry_find(s, nr);

	return e ? hist_percentile(e->hist, e->calls, e->min_ns, e->max_ns, pct) : 0;
}

void tstats_total(const struct tstats *s, struct tstats_row *row)
{
	uint32_t *hist = xcalloc(NBUCKETS, sizeof(*hist));
	double sum_sq = 0;

	memset(row, 0, sizeof(*row));
	row->nr = -1;
	row->min_ns = UINT64_MAX;
	for (size_t i = 0; i < s->n; i++) {
		const struct entry *e = s->all[i];

		row->calls += e->calls;
		row->errors += e->errors;
		row->anomalies += e->anomalies;
		row->total_ns += e->total_ns;
		if (e->min_ns < row->min_ns)
			row->min_ns = e->min_ns;
		if (e->max_ns > row->max_ns)
			row->max_ns = e->max_ns;
		/* sum of squares about 0 of each group, to merge the variances */
		sum_sq += e->m2 + (double)e->calls * e->mean_ns * e->mean_ns;
		for (unsigned b = 0; b < NBUCKETS; b++)
			hist[b] += e->hist[b];
	}
	if (!row->calls) {
		row->min_ns = 0;
	} else {
		row->mean_ns = (double)row->total_ns / (double)row->calls;
		if (row->calls > 1) {
			double m2 = sum_sq - (double)row->calls * row->mean_ns * row->mean_ns;

			row->stddev_ns = m2 > 0 ? sqrt(m2 / (double)(row->calls - 1)) : 0;
		}
		row->p50_ns = hist_percentile(hist, row->calls, row->min_ns, row->max_ns, 50);
		row->p95_ns = hist_percentile(hist, row->calls, row->min_ns, row->max_ns, 95);
		row->p99_ns = hist_percentile(hist, row->calls, row->min_ns, row->max_ns, 99);
	}
	free(hist);
}

static int by_total_desc(const void *pa, const void *pb)
{
	const struct entry *a = *(const struct entry *const *)pa;
	const struct entry *b = *(const struct entry *const *)pb;

	if (a->total_ns != b->total_ns)
		return a->total_ns > b->total_ns ? -1 : 1;
	if (a->calls != b->calls)
		return a->calls > b->calls ? -1 : 1;
	return a->nr < b->nr ? -1 : a->nr > b->nr;
}

void tstats_foreach(const struct tstats *s, void (*fn)(const struct tstats_row *row, void *arg),
		    void *arg)
{
	const struct entry **sorted;
	struct tstats_row row;

	if (!s->n)
		return;
	sorted = xmalloc(s->n * sizeof(*sorted));
	memcpy(sorted, s->all, s->n * sizeof(*sorted));
	qsort(sorted, s->n, sizeof(*sorted), by_total_desc);
	for (size_t i = 0; i < s->n; i++) {
		entry_row(sorted[i], &row);
		fn(&row, arg);
	}
	free(sorted);
}

const char *tstats_severity_name(enum tstats_severity sev)
{
	static const char *const names[] = {
		[TSTATS_SEV_NONE] = "none",
		[TSTATS_SEV_LOW] = "low",
		[TSTATS_SEV_MEDIUM] = "medium",
		[TSTATS_SEV_HIGH] = "high",
	};

	return (unsigned)sev < sizeof(names) / sizeof(names[0]) ? names[sev] : "none";
}

size_t tstats_fmt_ns(char *buf, size_t len, uint64_t ns)
{
	static const struct {
		double scale;
		const char *unit;
	} units[] = { { 1, "ns" }, { 1e3, "µs" }, { 1e6, "ms" }, { 1e9, "s" } };
	size_t u = 0, nunits = sizeof(units) / sizeof(units[0]);
	double x;
	int n;

	if (ns < 1000) {
		n = snprintf(buf, len, "%uns", (unsigned)ns);
		return n < 0 ? 0 : (size_t)n;
	}
	while (u + 1 < nunits && (double)ns >= units[u + 1].scale)
		u++;
	x = (double)ns / units[u].scale;
	/* 999.7µs would print as "1000µs": that is 1.00ms */
	if (x >= 999.5 && u + 1 < nunits) {
		u++;
		x = (double)ns / units[u].scale;
	}
	if (x < 9.995)
		n = snprintf(buf, len, "%.2f%s", x, units[u].unit);
	else if (x < 99.95)
		n = snprintf(buf, len, "%.1f%s", x, units[u].unit);
	else
		n = snprintf(buf, len, "%.0f%s", x, units[u].unit);
	return n < 0 ? 0 : (size_t)n;
}

/* Appends s right-aligned in width columns (µs is two bytes but one column). */
static void add_right(struct strbuf *out, const char *s, int width)
{
	int cols = 0;

	for (const char *p = s; *p; p++)
		cols += ((unsigned char)*p & 0xc0) != 0x80;
	for (; cols < width; cols++)
		strbuf_addc(out, ' ');
	strbuf_adds(out, s);
}

struct render {
	struct strbuf *out;
	int arch;
	uint64_t total_ns;
};

static void render_line(struct render *r, const struct tstats_row *row, const char *name)
{
	char buf[32];
	const uint64_t *lat[] = { &row->p50_ns, &row->p95_ns, &row->p99_ns, &row->max_ns };

	strbuf_addf(r->out, "%6.2f %11.6f %11llu %9llu ",
		    r->total_ns ? 100.0 * (double)row->total_ns / (double)r->total_ns : 0.0,
		    (double)row->total_ns / 1e9,
		    row->calls ? (unsigned long long)(row->total_ns / row->calls / 1000) : 0ULL,
		    (unsigned long long)row->calls);
	if (row->errors)
		strbuf_addf(r->out, "%9llu", (unsigned long long)row->errors);
	else
		strbuf_adds(r->out, "         ");
	for (size_t i = 0; i < sizeof(lat) / sizeof(lat[0]); i++) {
		tstats_fmt_ns(buf, sizeof(buf), *lat[i]);
		strbuf_addc(r->out, ' ');
		add_right(r->out, buf, 8);
	}
	strbuf_addf(r->out, " %s\n", name);
}

static void render_row(const struct tstats_row *row, void *arg)
{
	struct render *r = arg;
	const struct syscall_def *d = systab_get(r->arch, row->nr);
	char name[32];

	if (d)
		render_line(r, row, d->name);
	else {
		snprintf(name, sizeof(name), "syscall_%ld", row->nr);
		render_line(r, row, name);
	}
}

void tstats_render(const struct tstats *s, int arch, struct strbuf *out)
{
	static const char rule[] = "------ ----------- ----------- --------- --------- -------- "
				   "-------- -------- -------- ----------------\n";
	struct tstats_row total;
	struct render r = { out, arch, 0 };

	tstats_total(s, &total);
	r.total_ns = total.total_ns;
	strbuf_adds(out, "% time     seconds  usecs/call     calls    errors      p50      p95"
			 "      p99      max syscall\n");
	strbuf_adds(out, rule);
	tstats_foreach(s, render_row, &r);
	strbuf_adds(out, rule);
	render_line(&r, &total, "total");
}
