/* shares.c - profiler workload: six functions with known shares of the CPU, 40/25/15/10/7/3 %.
 * shares -c S: S seconds of its own CPU time (default 4). */
#include <stdlib.h>
#include <string.h>
#include <time.h>

static volatile unsigned long sink;

/* The loop is in each function itself (see hotcold.c: a leaf would lose its caller's frame). */
#define SHARE_FUNCTION(name)                                                                       \
	__attribute__((noinline)) void name(unsigned long n)                                       \
	{                                                                                          \
		for (unsigned long i = 0; i < n; i++)                                              \
			sink += i * 2654435761u;                                                   \
	}
SHARE_FUNCTION(share_40)
SHARE_FUNCTION(share_25)
SHARE_FUNCTION(share_15)
SHARE_FUNCTION(share_10)
SHARE_FUNCTION(share_07)
SHARE_FUNCTION(share_03)

static double cpu_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	double seconds = argc > 2 && !strcmp(argv[1], "-c") ? atof(argv[2]) : 4.0;
	double end = cpu_seconds() + seconds;
	const unsigned long unit = 20000; /* iterations per percent: a round is ~5 ms */

	do {
		share_40(40 * unit);
		share_25(25 * unit);
		share_15(15 * unit);
		share_10(10 * unit);
		share_07(7 * unit);
		share_03(3 * unit);
	} while (cpu_seconds() < end);
	return 0;
}
