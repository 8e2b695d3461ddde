/* slwork.c - the short-lived process workload of bench/short-lived/run.
 *
 * One binary, hard-linked under three names so that each role has its own comm:
 *   slspawn spawn COUNT SECONDS CPU_MS BURNER PIDFILE
 *       forks COUNT children spread evenly over SECONDS (child i at start + i*SECONDS/COUNT);
 *       each execs BURNER ("slburn") as `slburn burn NNNN CPU_MS`; writes "pid index" lines
 *       to PIDFILE; reaps them all; prints a summary on stderr.
 *   slburn burn INDEX CPU_MS   spins until its own thread has used CPU_MS of CPU, exits 0
 *   slfinal burn INDEX CPU_MS  the same (the end-of-run trigger)
 * Every child gets PR_SET_PDEATHSIG(SIGKILL) so nothing outlives the spawner.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static double now_s(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int burn(double cpu_ms)
{
	volatile unsigned long x = 0;

	while (now_s(CLOCK_THREAD_CPUTIME_ID) * 1000.0 < cpu_ms)
		for (int i = 0; i < 1000; i++)
			x += (unsigned long)i;
	return 0;
}

static int reap(int flags, int *bad)
{
	int st, n = 0;
	pid_t p;

	while ((p = waitpid(-1, &st, flags)) > 0) {
		n++;
		if (!WIFEXITED(st) || WEXITSTATUS(st) != 0)
			(*bad)++;
	}
	return n;
}

static int spawn(int count, double seconds, const char *cpu_ms, const char *burner, const char *pidfile)
{
	FILE *f = fopen(pidfile, "w");
	struct timespec t0, t;
	double start, worst_late = 0;
	int reaped = 0, bad = 0, failed = 0;

	if (!f) {
		perror(pidfile);
		return 1;
	}
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	start = (double)t0.tv_sec + (double)t0.tv_nsec / 1e9;
	for (int i = 0; i < count; i++) {
		double at = start + seconds * i / count, late;
		char idx[16];
		pid_t pid;

		t.tv_sec = (time_t)at;
		t.tv_nsec = (long)((at - (double)t.tv_sec) * 1e9);
		while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &t, NULL) == EINTR)
			;
		late = now_s(CLOCK_MONOTONIC) - at;
		if (late > worst_late)
			worst_late = late;
		snprintf(idx, sizeof(idx), "%04d", i);
		pid = fork();
		if (pid < 0) {
			failed++;
			continue;
		}
		if (pid == 0) {
			prctl(PR_SET_PDEATHSIG, SIGKILL);
			execl(burner, "slburn", "burn", idx, cpu_ms, (char *)NULL);
			_exit(127);
		}
		fprintf(f, "%d %d\n", (int)pid, i);
		reaped += reap(WNOHANG, &bad);
	}
	fclose(f);
	reaped += reap(0, &bad);
	fprintf(stderr, "slspawn: %d spawned over %.1f s (target %.1f s, worst start delay %.3f s), "
		"%d reaped, %d fork failures, %d bad exits, all done after %.1f s\n",
		count - failed, seconds * (count - 1) / count, seconds, worst_late, reaped, failed, bad,
		now_s(CLOCK_MONOTONIC) - start);
	return failed || bad;
}

int main(int argc, char **argv)
{
	if (argc == 7 && !strcmp(argv[1], "spawn"))
		return spawn(atoi(argv[2]), atof(argv[3]), argv[4], argv[5], argv[6]);
	if (argc == 4 && !strcmp(argv[1], "burn"))
		return burn(atof(argv[3]));
	fprintf(stderr, "usage: slspawn spawn COUNT SECONDS CPU_MS BURNER PIDFILE | slburn burn INDEX CPU_MS\n");
	return 2;
}
