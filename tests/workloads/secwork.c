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
 *   burn S             burns CPU for S seconds
 *   busy-client PORT MODE S  connects to 127.0.0.1:PORT and burns CPU for S seconds, reading
 *                      what the server pushes every 0.2 s; MODE submit sends mining.subscribe,
 *                      then a mining.submit every second; login sends an xmrig-style login
 *                      once (the server then pushes jobs); other sends a non-stratum JSON-RPC
 *                      call every second
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

static int do_client(int port, const char *mode, double s)
{
	static const char subscribe[] =
		"{\"id\":1,\"method\":\"mining.subscribe\",\"params\":[\"w/1.0\"]}\n";
	static const char submit[] = "{\"id\":4,\"method\":\"mining.submit\",\"params\":[\"w.1\","
				     "\"job9\",\"00000000\",\"5f5e1000\",\"deadbeef\"]}\n";
	static const char login[] = "{\"id\":1,\"jsonrpc\":\"2.0\",\"method\":\"login\",\"params\":"
				    "{\"login\":\"w\",\"pass\":\"x\",\"agent\":\"w/1.0\"}}\n";
	static const char other[] = "{\"jsonrpc\":\"2.0\",\"id\":7,\"method\":\"status\","
				    "\"params\":[]}\n";
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
				 .sin_port = htons((unsigned short)port) };
	int sub = !strcmp(mode, "submit"), log_in = !strcmp(mode, "login");
	const char *first = sub ? subscribe : log_in ? login : other;
	const char *again = sub ? submit : log_in ? NULL : other;
	double end = now_s() + s, next = now_s() + 1;
	char buf[4096];
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0 || connect(fd, (struct sockaddr *)&a, sizeof(a)) < 0 ||
	    send(fd, first, strlen(first), 0) < 0) {
		perror("secwork: connect");
		return 1;
	}
	say_pid(getpid());
	while (now_s() < end) {
		for (double t = now_s() + 0.2; now_s() < t;)
			for (int i = 0; i < 100000; i++)
				sink += (unsigned long)i * 2654435761u;
		while (recv(fd, buf, sizeof(buf), MSG_DONTWAIT) > 0)
			;
		if (again && now_s() >= next) {
			if (send(fd, again, strlen(again), 0) < 0)
				break;
			next += 1;
		}
	}
	close(fd);
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
	if (argc >= 3 && !strcmp(argv[1], "burn")) {
		for (double end = now_s() + atof(argv[2]); now_s() < end;)
			for (int i = 0; i < 100000; i++)
				sink += (unsigned long)i * 2654435761u;
		return 0;
	}
	if (argc >= 5 && !strcmp(argv[1], "busy-client"))
		return do_client(atoi(argv[2]), argv[3], atof(argv[4]));
	fprintf(stderr, "usage: secwork "
			"rwx|rwx-late|memfd|listen-spawn|spawn|late-listen|comm|grow|grow-now|busy-"
			"client ...\n");
	return 2;
}
