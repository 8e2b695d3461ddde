/*
 * rusage.c - run a command, reap it with wait4() and write what it used as JSON.
 *
 *   rusage OUT.json WATCH_PID -- CMD [ARG...]
 *
 * Written in C rather than Python on purpose: Linux folds the RSS high-water mark of
 * the image a child had before exec() into its ru_maxrss, so a child forked from a
 * ~9 MiB Python would never report less than ~9 MiB. Forked from this program, the
 * floor is this program's own RSS (about 1 MiB; bench/daemon/run measures it).
 *
 * The wrapper gets SIGTERM when WATCH_PID (its parent) goes, and so does the command
 * when the wrapper goes (PR_SET_PDEATHSIG): nothing outlives an interrupted benchmark.
 * SIGTERM, SIGINT and SIGHUP are passed on to the command, which is still reaped.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static volatile pid_t child;

static void forward(int sig)
{
	if (child > 0)
		kill(child, sig);
}

static double now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double tv(struct timeval t)
{
	return (double)t.tv_sec + (double)t.tv_usec / 1e6;
}

int main(int argc, char **argv)
{
	struct sigaction sa;
	struct rusage ru;
	int status, rc;
	pid_t me, watch;
	double t0, wall;
	FILE *f;

	if (argc < 5 || strcmp(argv[3], "--")) {
		fprintf(stderr, "usage: rusage OUT.json WATCH_PID -- CMD [ARG...]\n");
		return 2;
	}
	watch = (pid_t)atoi(argv[2]);
	prctl(PR_SET_PDEATHSIG, SIGTERM);
	if (getppid() != watch)
		return 1;
	me = getpid();

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = forward;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGHUP, &sa, NULL);

	t0 = now();
	child = fork();
	if (child < 0) {
		perror("rusage: fork");
		return 1;
	}
	if (child == 0) {
		signal(SIGTERM, SIG_DFL);
		signal(SIGINT, SIG_DFL);
		signal(SIGHUP, SIG_DFL);
		prctl(PR_SET_PDEATHSIG, SIGTERM);
		if (getppid() != me)
			_exit(1);
		execvp(argv[4], argv + 4);
		fprintf(stderr, "rusage: %s: %s\n", argv[4], strerror(errno));
		_exit(127);
	}
	while (wait4(child, &status, 0, &ru) < 0) {
		if (errno != EINTR) {
			perror("rusage: wait4");
			return 1;
		}
	}
	wall = now() - t0;
	rc = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);

	f = fopen(argv[1], "w");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	fprintf(f,
		"{\"cmd\": \"%s\", \"rc\": %d, \"wall_s\": %.6f, \"user_s\": %.6f, \"sys_s\": %.6f, "
		"\"cpu_s\": %.6f, \"maxrss_kib\": %ld, \"minflt\": %ld, \"majflt\": %ld, "
		"\"nvcsw\": %ld, \"nivcsw\": %ld}\n",
		argv[4], rc, wall, tv(ru.ru_utime), tv(ru.ru_stime),
		tv(ru.ru_utime) + tv(ru.ru_stime), ru.ru_maxrss, ru.ru_minflt, ru.ru_majflt,
		ru.ru_nvcsw, ru.ru_nivcsw);
	if (fclose(f))
		return 1;
	return rc == 0 ? 0 : 1;
}
