/* test_tstats.c - unit tests of per-syscall statistics: counts, percentiles, anomalies, table. */
#include <stdbool.h>
#include <stdint.h>
#include <sys/syscall.h>

#include "base/strbuf.h"
#include "trace/systab.h"
#include "trace/tstats.h"
#include "tap.h"

#define US 1000ULL
#define MS 1000000ULL

static void counts(void)
{
	struct tstats *s = tstats_new();
	struct tstats_row row;

	ok(!tstats_get(s, SYS_read, &row) && row.calls == 0, "nothing yet");
	tstats_add(s, SYS_read, 10 * US, false, NULL);
	tstats_add(s, SYS_read, 30 * US, true, NULL);
	tstats_add(s, SYS_read, 20 * US, false, NULL);
	tstats_add(s, SYS_openat, 5 * US, true, NULL);
	ok(tstats_get(s, SYS_read, &row), "read was called");
	is_int(row.calls, 3, "read: 3 calls");
	is_int(row.errors, 1, "read: 1 error");
	is_int(row.total_ns, 60 * US, "read: total 60 µs");
	is_int(row.min_ns, 10 * US, "read: min 10 µs");
	is_int(row.max_ns, 30 * US, "read: max 30 µs");
	is_double(row.mean_ns, 20.0 * US, 1e-6, "read: mean 20 µs");
	is_double(row.stddev_ns, 10.0 * US, 1e-6, "read: stddev 10 µs");
	is_double((double)row.p50_ns, 20.0 * US, 20.0 * US * 0.01, "read: p50 20 µs");
	tstats_total(s, &row);
	is_int(row.calls, 4, "total: 4 calls");
	is_int(row.errors, 2, "total: 2 errors");
	is_int(row.total_ns, 65 * US, "total: 65 µs");
	is_double(row.stddev_ns, 11.087 * US, 0.001 * US, "total: merged stddev");

	tstats_add(s, 100000, 1, false, NULL); /* a number beyond any table */
	tstats_add(s, -1, 2, false, NULL);
	ok(tstats_get(s, 100000, &row) && row.calls == 1, "huge syscall number counted");
	ok(tstats_get(s, -1, &row) && row.total_ns == 2, "negative syscall number counted");
	tstats_free(s);
	tstats_free(NULL);
}

static void percentiles(void)
{
	struct tstats *s = tstats_new();
	uint64_t p;

	/* uniform 1..1000 µs, in a scrambled order */
	for (unsigned i = 0; i < 1000; i++)
		tstats_add(s, SYS_write, ((i * 389) % 1000 + 1) * US, false, NULL);
	p = tstats_percentile(s, SYS_write, 50);
	ok(p >= 495 * US && p <= 505 * US, "uniform 1..1000 µs: p50 %llu within 1 %% of 500 µs",
	   (unsigned long long)p);
	p = tstats_percentile(s, SYS_write, 95);
	ok(p >= 940500 && p <= 959500, "p95 %llu within 1 %% of 950 µs", (unsigned long long)p);
	p = tstats_percentile(s, SYS_write, 99);
	ok(p >= 980100 && p <= 999900, "p99 %llu within 1 %% of 990 µs", (unsigned long long)p);
	is_int(tstats_percentile(s, SYS_write, 100), 1000 * US, "p100 is the max");
	is_int(tstats_percentile(s, SYS_read, 50), 0, "no calls: 0");

	/* the relative error stays within 1 % from nanoseconds to a minute */
	{
		static const uint64_t vals[] = { 1,	   7,	      127,	     128,   255,
						 256,	   999,	      1234,	     65537, 999999,
						 12345678, 987654321, 60000000000ULL };
		int bad = 0;

		for (size_t i = 0; i < sizeof(vals) / sizeof(vals[0]); i++) {
			struct tstats *one = tstats_new();

			/* two calls so that p50 is not clamped onto the only value */
			tstats_add(one, 1, 0, false, NULL);
			tstats_add(one, 1, vals[i], false, NULL);
			tstats_add(one, 1, vals[i] * 3, false, NULL);
			p = tstats_percentile(one, 1, 50);
			if ((double)p < (double)vals[i] * 0.99 ||
			    (double)p > (double)vals[i] * 1.01) {
				printf("# %llu -> %llu\n", (unsigned long long)vals[i],
				       (unsigned long long)p);
				bad++;
			}
			tstats_free(one);
		}
		is_int(bad, 0, "p50 of 13 values from 1 ns to 60 s within 1 %%");
	}
	tstats_free(s);
}

static void anomalies(void)
{
	struct tstats *s = tstats_new();
	struct tstats_anomaly an;
	struct tstats_row row;
	int flagged = 0;

	/* a spike before min_calls is not judged */
	for (int i = 0; i < 29; i++)
		flagged += tstats_add(s, SYS_getppid, 10 * US, false, &an);
	ok(!tstats_add(s, SYS_getppid, 100 * MS, false, &an) && an.severity == TSTATS_SEV_NONE,
	   "no anomaly before min_calls (29 earlier calls)");
	is_double(an.z, 0, 0, "and no z-score");

	/* 1000 calls at 10 µs ± 1 µs, then one at 10 ms */
	for (int i = 0; i < 1000; i++)
		flagged += tstats_add(s, SYS_read, (9 + i % 3) * US, false, &an);
	is_int(flagged, 0, "steady calls are never anomalies");
	ok(tstats_add(s, SYS_read, 10 * MS, false, &an), "10 ms after 10 µs calls is an anomaly");
	is_int(an.severity, TSTATS_SEV_HIGH, "of high severity");
	ok(an.z > 1000, "z-score %.0f", an.z);
	is_double(an.mean_ns, 10.0 * US, 5, "judged against a mean of 10 µs");
	is_str(tstats_severity_name(an.severity), "high", "named high");
	tstats_get(s, SYS_read, &row);
	is_int(row.anomalies, 1, "counted in the row");

	/* severities around the default Z = 3: mean 100 µs, stddev 10 µs */
	s = (tstats_free(s), tstats_new());
	for (int i = 0; i < 1000; i++)
		tstats_add(s, SYS_write, i % 2 ? 110 * US : 90 * US, false, NULL);
	tstats_add(s, SYS_write, 125 * US, false, &an);
	is_int(an.severity, TSTATS_SEV_NONE, "2.5 sigma: none");
	tstats_add(s, SYS_write, 135 * US, false, &an);
	is_int(an.severity, TSTATS_SEV_LOW, "3.5 sigma: low");
	tstats_add(s, SYS_write, 150 * US, false, &an);
	is_int(an.severity, TSTATS_SEV_MEDIUM, "5 sigma: medium");
	tstats_add(s, SYS_write, 170 * US, false, &an);
	is_int(an.severity, TSTATS_SEV_HIGH, "7 sigma: high");
	tstats_add(s, SYS_write, 50 * US, false, &an);
	is_int(an.severity, TSTATS_SEV_NONE, "faster than usual: never an anomaly");

	/* the threshold and min_calls are configurable; z <= 0 turns detection off */
	s = (tstats_free(s), tstats_new());
	tstats_set_anomaly(s, 6.0, 5);
	for (int i = 0; i < 5; i++)
		tstats_add(s, SYS_write, i % 2 ? 110 * US : 90 * US, false, NULL);
	tstats_add(s, SYS_write, 170 * US, false, &an);
	ok(an.severity == TSTATS_SEV_LOW, "Z=6: 6-8 sigma is low (z=%.1f)", an.z);
	tstats_set_anomaly(s, 0, 5);
	ok(!tstats_add(s, SYS_write, 100 * MS, false, &an), "z 0: off");
	tstats_free(s);
}

static int line_of(const char *text, const char *needle)
{
	const char *p = strstr(text, needle);
	int line = 0;

	if (!p)
		return -1;
	for (const char *q = text; q < p; q++)
		line += *q == '\n';
	return line;
}

static void rendering(void)
{
	struct tstats *s = tstats_new();
	struct strbuf out = STRBUF_INIT;
	const char *t;

	for (int i = 0; i < 100; i++)
		tstats_add(s, SYS_read, 2 * US, i < 4, NULL);
	tstats_add(s, SYS_nanosleep, 10 * MS, false, NULL);
	tstats_add(s, SYS_openat, 1500, true, NULL);
	tstats_add(s, SYS_openat, 500, false, NULL);
	tstats_add(s, 999, 100, false, NULL);
	tstats_render(s, SYSTAB_ARCH_X86_64, &out);
	t = strbuf_str(&out);
	ok(strncmp(t,
		   "% time     seconds  usecs/call     calls    errors      p50      p95      p99"
		   "      max syscall\n",
		   90) == 0,
	   "header");
	ok(strstr(t, " 98.02    0.010000       10000         1             10.0ms   10.0ms   10.0ms"
		     "   10.0ms nanosleep\n") != NULL,
	   "nanosleep line: 98 %% of the time, 10 ms");
	ok(strstr(t, "  1.96    0.000200           2       100         4   2.00µs   2.00µs   2.00µs"
		     "   2.00µs read\n") != NULL,
	   "read line: 100 calls, 4 errors, 2 µs");
	ok(strstr(t, "  0.02    0.000002           1         2         1    500ns   1.50µs   1.50µs"
		     "   1.50µs openat\n") != NULL,
	   "openat line: ns and µs");
	ok(line_of(t, "nanosleep") < line_of(t, " read\n") &&
		   line_of(t, " read\n") < line_of(t, "openat") &&
		   line_of(t, "openat") < line_of(t, "syscall_999") &&
		   line_of(t, "syscall_999") < line_of(t, "total"),
	   "sorted by total time, total last");
	ok(strstr(t, "100.00    0.010202          98       104         5   2.00µs   2.00µs   2.00µs"
		     "   10.0ms total\n") != NULL,
	   "total line: merged percentiles, the slowest call");
	ok(strstr(t, "  0.00    0.000000           0         1              100ns    100ns    100ns"
		     "    100ns syscall_999\n") != NULL,
	   "no errors: a blank column");
	strbuf_release(&out);
	tstats_free(s);

	/* an empty table still has its total */
	s = tstats_new();
	tstats_render(s, SYSTAB_ARCH_X86_64, &out);
	ok(strstr(strbuf_str(&out), "  0.00    0.000000           0         0") != NULL &&
		   line_of(strbuf_str(&out), "total") == 3,
	   "empty: header, rules and a zero total");
	strbuf_release(&out);
	tstats_free(s);
}

static void durations(void)
{
	static const struct {
		uint64_t ns;
		const char *want;
	} cases[] = {
		{ 0, "0ns" },	       { 850, "850ns" },	   { 999, "999ns" },
		{ 1000, "1.00µs" },    { 12345, "12.3µs" },	   { 999700, "1.00ms" },
		{ 1200000, "1.20ms" }, { 2500000000ULL, "2.50s" }, { 1234000000000ULL, "1234s" },
	};
	char buf[32];

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		tstats_fmt_ns(buf, sizeof(buf), cases[i].ns);
		is_str(buf, cases[i].want, "%llu ns in human units",
		       (unsigned long long)cases[i].ns);
	}
}

int main(void)
{
	counts();
	percentiles();
	anomalies();
	rendering();
	durations();
	return done_testing();
}
