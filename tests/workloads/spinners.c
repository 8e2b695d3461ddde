/* spinners.c - profiler workload: N threads each burning S seconds of its own CPU time, the main
 * thread waiting for them; then prints the process's involuntary context switches (getrusage: all
 * threads) and the main thread's own (what /proc/PID/status says). spinners N S */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

static volatile unsigned long sink;
static double seconds;

static double thread_cpu(void)
{
	struct timespec t;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void *spin(void *arg)
{
	double end = thread_cpu() + seconds;

	(void)arg;
	do {
		for (unsigned long i = 0; i < 1000000; i++)
			sink += i;
	} while (thread_cpu() < end);
	return NULL;
}

static long main_nivcsw(void)
{
	char line[256];
	long v = -1;
	FILE *f = fopen("/proc/thread-self/status", "r");

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "nonvoluntary_ctxt_switches:", 27))
			v = atol(line + 27);
	if (f)
		fclose(f);
	return v;
}

int main(int argc, char **argv)
{
	int n = argc > 1 ? atoi(argv[1]) : 4;
	pthread_t t[64];
	struct rusage ru;

	seconds = argc > 2 ? atof(argv[2]) : 1.0;
	if (n < 1 || n > 64)
		return 2;
	for (int i = 0; i < n; i++)
		pthread_create(&t[i], NULL, spin, NULL);
	for (int i = 0; i < n; i++)
		pthread_join(t[i], NULL);
	getrusage(RUSAGE_SELF, &ru);
	printf("nivcsw %ld main %ld\n", ru.ru_nivcsw, main_nivcsw());
	return 0;
}
