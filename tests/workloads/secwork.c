/* secwork.c - security workloads that really do what the rules look for, harmlessly:
 *   rwx SECONDS        maps a writable+executable anonymous page, then sleeps
 *   rwx-busy SECONDS   the same, then burns CPU (a resource trigger and a finding at once)
 *   rwx-late SECONDS   maps a writable page, waits for SIGUSR1, makes it executable too
 *                      (mprotect: the size of its mappings does not change), then sleeps
 *   memfd SECONDS      copies /bin/sleep into a memfd and fexecve()s it (sleep SECONDS)
 *   listen-spawn S     holds a listening loopback socket and starts /bin/sh -c 'sleep S'
 *   spawn S            the same shell, from a parent with no listening socket
 *   late-listen S      runs /bin/sh -c true, then listens on loopback, and 1 s later starts
 *                      /bin/sh -c 'sleep S' (its pid is printed)
 *   comm NAME S        renames itself (prctl PR_SET_NAME) after 1.5 s, then sleeps
 *   grow MIB S         touches MIB MiB of fresh memory at once, then sleeps
 *   grow-now MIB S     the same at once when it starts (big at its first sample), then sleeps
 * Each prints the pid of the process to watch on stdout ("pid N"). */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

extern char **environ;

static void say_pid(pid_t pid)
{
	printf("pid %d\n", (int)pid);
	fflush(stdout);
}

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static volatile unsigned long sink;

static int do_rwx(double s, int busy)
{
	unsigned char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE | PROT_EXEC,
				MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);

	if (p == MAP_FAILED) {
		perror("secwork: mmap");
		return 1;
	}
	p[0] = 0xc3; /* ret: written, never run */
	say_pid(getpid());
	if (busy) {
		for (double end = now_s() + s; now_s() < end;)
			for (int i = 0; i < 100000; i++)
				sink += (unsigned long)i * 2654435761u;
		return 0;
	}
	usleep((useconds_t)(s * 1e6));
	return 0;
}

static int do_rwx_late(double s)
{
	unsigned char *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
				-1, 0);
	sigset_t set;
	int sig;

	if (p == MAP_FAILED) {
		perror("secwork: mmap");
		return 1;
	}
	p[0] = 0xc3;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR1);
	sigprocmask(SIG_BLOCK, &set, NULL);
	say_pid(getpid());
	if (sigwait(&set, &sig) != 0 || mprotect(p, 4096, PROT_READ | PROT_WRITE | PROT_EXEC)) {
		perror("secwork: mprotect");
		return 1;
	}
	usleep((useconds_t)(s * 1e6));
	return 0;
}

static int do_memfd(const char *s)
{
	char buf[65536];
	int in = open("/bin/sleep", O_RDONLY | O_CLOEXEC), fd = memfd_create("payload", 0);
	ssize_t n;
	char *args[] = { "payload", (char *)s, NULL };

	if (in < 0 || fd < 0) {
		perror("secwork: open /bin/sleep or memfd_create");
		return 1;
	}
	while ((n = read(in, buf, sizeof(buf))) > 0)
		if (write(fd, buf, (size_t)n) != n)
			return 1;
	close(in);
	say_pid(getpid());
	fexecve(fd, args, environ);
	perror("secwork: fexecve");
	return 1;
}

/* Runs /bin/sh -c cmd; its pid is printed when say. */
static void run_shell(const char *cmd, int say)
{
	int status;
	pid_t pid = fork();

	if (pid == 0) {
		execl("/bin/sh", "sh", "-c", cmd, (char *)NULL);
		_exit(127);
	}
	if (say)
		say_pid(pid);
	waitpid(pid, &status, 0);
}

static int do_spawn(const char *s, int listening)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	char cmd[64];
	int ls = -1;

	if (listening == 2) /* a shell before it listens */
		run_shell("true", 0);
	if (listening) {
		ls = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(ls, 4) < 0) {
			perror("secwork: listen");
			return 1;
		}
	}
	if (listening == 2)
		sleep(1);
	snprintf(cmd, sizeof(cmd), "sleep %s", s);
	run_shell(cmd, 1);
	if (ls >= 0)
		close(ls);
	return 0;
}

static int do_comm(const char *name, double s)
{
	say_pid(getpid());
	usleep(1500000);
	prctl(PR_SET_NAME, name, 0, 0, 0);
	usleep((useconds_t)(s * 1e6));
	return 0;
}

static int do_grow(long mib, double s, int now)
{
	size_t n = (size_t)mib << 20;
	volatile char *p;

	say_pid(getpid());
	if (!now)
		usleep(1500000); /* seen small first */
	p = malloc(n);
	if (!p)
		return 1;
	for (size_t i = 0; i < n; i += 4096) /* volatile: the compiler may not drop it */
		p[i] = 1;
	usleep((useconds_t)(s * 1e6));
	free((void *)p);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc >= 3 && !strcmp(argv[1], "rwx"))
		return do_rwx(atof(argv[2]), 0);
	if (argc >= 3 && !strcmp(argv[1], "rwx-busy"))
		return do_rwx(atof(argv[2]), 1);
	if (argc >= 3 && !strcmp(argv[1], "rwx-late"))
		return do_rwx_late(atof(argv[2]));
	if (argc >= 3 && !strcmp(argv[1], "memfd"))
		return do_memfd(argv[2]);
	if (argc >= 3 && !strcmp(argv[1], "listen-spawn"))
		return do_spawn(argv[2], 1);
	if (argc >= 3 && !strcmp(argv[1], "spawn"))
		return do_spawn(argv[2], 0);
	if (argc >= 3 && !strcmp(argv[1], "late-listen"))
		return do_spawn(argv[2], 2);
	if (argc >= 4 && !strcmp(argv[1], "comm"))
		return do_comm(argv[2], atof(argv[3]));
	if (argc >= 4 && !strcmp(argv[1], "grow"))
		return do_grow(atol(argv[2]), atof(argv[3]), 0);
	if (argc >= 4 && !strcmp(argv[1], "grow-now"))
		return do_grow(atol(argv[2]), atof(argv[3]), 1);
	fprintf(stderr,
		"usage: secwork "
		"rwx|rwx-late|memfd|listen-spawn|spawn|late-listen|comm|grow|grow-now ...\n");
	return 2;
}
