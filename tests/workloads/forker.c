/* forker.c - profiler workload: children forked without exec, each busy in a function of its own.
 * forker N [S]: N children, child i in child_a, child_b or child_c (i % 3) for S seconds of its
 * own CPU time (default 2); the parent waits for them. */
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile unsigned long sink;

static double cpu_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* The loop is in each function itself (see hotcold.c: a leaf would lose its caller's frame). */
#define CHILD_FUNCTION(name)                                                                       \
	__attribute__((noinline)) void name(double seconds)                                        \
	{                                                                                          \
		double end = cpu_seconds() + seconds;                                              \
		do {                                                                               \
			for (unsigned long i = 0; i < 2000000; i++)                                \
				sink += i * 2654435761u;                                           \
		} while (cpu_seconds() < end);                                                     \
	}
CHILD_FUNCTION(child_a)
CHILD_FUNCTION(child_b)
CHILD_FUNCTION(child_c)

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 2;
	double seconds = argc > 2 ? atof(argv[2]) : 2.0;
	void (*const work[])(double) = { child_a, child_b, child_c };

	for (int i = 0; i < n; i++) {
		pid_t pid = fork();

		if (pid < 0)
			return 1;
		if (pid == 0) {
			work[i % 3](seconds);
			_exit(0);
		}
	}
	while (wait(NULL) > 0)
		;
	return 0;
}
