/* hotcold.c - profiler workload: one hot function (~90 % of the CPU), one cold (~10 %), for a known time. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static volatile unsigned long sink;

/*
 * The loops are in the functions themselves: a leaf called from them would have no frame
 * pointer (gcc 12 drops it even with -fno-omit-frame-pointer), and unwinding from it skips
 * its caller — the very function the tests look for.
 */
__attribute__((noinline)) void hot_function(void)
{
	for (unsigned long i = 0; i < 9000000; i++)
		sink += i * 2654435761u;
}

__attribute__((noinline)) void cold_function(void)
{
	for (unsigned long i = 0; i < 1000000; i++)
		sink += i * 2654435761u;
}

int main(int argc, char **argv)
{
	double seconds = argc > 1 ? atof(argv[1]) : 2.0;
	clockid_t clock = CLOCK_MONOTONIC;
	struct timespec t0, t;

	/*
	 * "-n N [FILE]": a fixed amount of work (N rounds), for slowdown benchmarks; FILE gets
	 * "CPU WALL": its own CPU seconds (user + system, getrusage) and its wall seconds
	 */
	if (argc > 2 && !strcmp(argv[1], "-n")) {
		struct rusage ru;
		FILE *f;

		clock_gettime(CLOCK_MONOTONIC, &t0);
		for (long n = atol(argv[2]); n > 0; n--) {
			hot_function();
			cold_function();
		}
		clock_gettime(CLOCK_MONOTONIC, &t);
		if (argc > 3 && getrusage(RUSAGE_SELF, &ru) == 0 && (f = fopen(argv[3], "w"))) {
			fprintf(f, "%.6f %.6f\n",
				(double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
					(double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6,
				(double)(t.tv_sec - t0.tv_sec) +
					(double)(t.tv_nsec - t0.tv_nsec) / 1e9);
			fclose(f);
		}
		return 0;
	}
	/* "-c S": S seconds of its own CPU time, however loaded the machine is */
	if (argc > 2 && !strcmp(argv[1], "-c")) {
		seconds = atof(argv[2]);
		clock = CLOCK_PROCESS_CPUTIME_ID;
	}
	clock_gettime(clock, &t0);
	do {
		hot_function();
		cold_function();
		clock_gettime(clock, &t);
	} while ((double)(t.tv_sec - t0.tv_sec) + (double)(t.tv_nsec - t0.tv_nsec) / 1e9 < seconds);
	return 0;
}
