/* tap.h - a tiny TAP producer for the unit test programs (one program per module). */
#ifndef SPIKETRACE_TESTS_TAP_H
#define SPIKETRACE_TESTS_TAP_H

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int tap_count, tap_failed;

__attribute__((format(printf, 4, 5))) static int tap_ok(int pass, const char *file, int line,
							const char *fmt, ...)
{
	va_list ap;

	tap_count++;
	printf("%sok %d - ", pass ? "" : "not ", tap_count);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!pass) {
		tap_failed++;
		printf("#   failed at %s:%d\n", file, line);
	}
	fflush(stdout);
	return pass;
}

#define ok(cond, ...) tap_ok(!!(cond), __FILE__, __LINE__, __VA_ARGS__)

#define is_int(got, want, ...)                                                                     \
	do {                                                                                       \
		long long g_ = (long long)(got), w_ = (long long)(want);                           \
		if (!ok(g_ == w_, __VA_ARGS__))                                                    \
			printf("#   got %lld, want %lld\n", g_, w_);                               \
	} while (0)

#define is_str(got, want, ...)                                                                     \
	do {                                                                                       \
		const char *g_ = (got), *w_ = (want);                                              \
		if (!ok(g_ && w_ && strcmp(g_, w_) == 0, __VA_ARGS__))                             \
			printf("#   got '%s', want '%s'\n", g_ ? g_ : "(null)",                    \
			       w_ ? w_ : "(null)");                                                \
	} while (0)

#define is_double(got, want, eps, ...)                                                             \
	do {                                                                                       \
		double g_ = (got), w_ = (want);                                                    \
		if (!ok(fabs(g_ - w_) <= (eps), __VA_ARGS__))                                      \
			printf("#   got %g, want %g (+-%g)\n", g_, w_, (double)(eps));             \
	} while (0)

static inline void diag(const char *msg)
{
	printf("# %s\n", msg);
}

/* Ends the program: prints the plan, exit 0 when every test passed. */
static inline int done_testing(void)
{
	printf("1..%d\n", tap_count);
	return tap_failed || tap_count == 0 ? 1 : 0;
}

/* Skips the whole program with a reason (exit 77, the automake/strace convention). */
static inline void skip_all(const char *why)
{
	printf("1..0 # SKIP %s\n", why);
	exit(77);
}

/* Directory of test fixtures, overridable with SPIKETRACE_FIXTURES. */
static inline const char *fixtures_dir(void)
{
	const char *d = getenv("SPIKETRACE_FIXTURES");

	return d ? d : "tests/fixtures";
}

#endif
