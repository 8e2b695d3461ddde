/* order.c - trace workload: calls that block while other tasks make calls (vfork, wait4, reads). */
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int ping[2], pong[2], tidp[2];

/* /proc/PID/task/TID/FILE into buf (len bytes, NUL-terminated): its length, or -1. */
static ssize_t read_task_file(pid_t pid, pid_t tid, const char *file, char *buf, size_t len)
{
	char path[96];
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/task/%d/%s", (int)pid, (int)tid, file);
	fd = open(path, O_RDONLY);
	if (fd < 0)
		return -1;
	n = read(fd, buf, len - 1);
	close(fd);
	buf[n > 0 ? n : 0] = 0;
	return n;
}

/*
 * Waits until thread tid of process pid sleeps inside syscall nr: /proc says 'S' (not 't', a
 * ptrace stop, which would mean the tracer has not let the call start yet) and the number. Then
 * the tracer has seen the call's entry and anything this task does now comes after it. The
 * polling uses only openat, read, close and clock_nanosleep. Exits 2 after 10 s.
 */
static void wait_blocked(pid_t pid, pid_t tid, long nr)
{
	char buf[512];

	for (int i = 0; i < 10000; i++) {
		char state = 0, *rp;
		long got = -1;

		if (read_task_file(pid, tid, "stat", buf, sizeof(buf)) > 0 &&
		    (rp = strrchr(buf, ')')) != NULL && rp[1] == ' ')
			state = rp[2];
		if (read_task_file(pid, tid, "syscall", buf, sizeof(buf)) > 0)
			got = strtol(buf, NULL, 10);
		if (state == 'S' && got == nr)
			return;
		usleep(1000);
	}
	fprintf(stderr, "order: task %d never blocked in syscall %ld\n", (int)tid, nr);
	exit(2);
}

/* The second thread: blocks reading "x", then answers "y" once the main thread reads. */
static void *reader(void *arg)
{
	pid_t tid = (pid_t)syscall(SYS_gettid);
	char c;

	(void)arg;
	if (write(tidp[1], &tid, sizeof(tid)) != sizeof(tid))
		exit(3);
	if (read(ping[0], &c, 1) != 1 || c != 'x')
		exit(3);
	wait_blocked(getpid(), getpid(), SYS_read);
	if (write(pong[1], "y", 1) != 1)
		exit(3);
	return NULL;
}

int main(void)
{
	pid_t vchild, fchild, pid, reader_tid;
	pthread_t t;
	int status;
	char c;

	/* vfork: the parent is suspended inside it while the child execs */
	vchild = vfork();
	if (vchild == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	if (vchild < 0 || waitpid(vchild, &status, 0) != vchild)
		return 1;

	/* a parent blocked in wait4 while its child makes calls */
	fchild = fork();
	if (fchild == 0) {
		wait_blocked(getppid(), getppid(), SYS_wait4);
		getppid();
		_exit(5);
	}
	pid = (pid_t)syscall(SYS_wait4, fchild, &status, 0, NULL);
	if (pid != fchild || !WIFEXITED(status) || WEXITSTATUS(status) != 5)
		return 1;

	/* two threads, each blocked in a read on a pipe while the other writes */
	if (pipe(ping) < 0 || pipe(pong) < 0 || pipe(tidp) < 0 ||
	    pthread_create(&t, NULL, reader, NULL) != 0)
		return 1;
	if (read(tidp[0], &reader_tid, sizeof(reader_tid)) != sizeof(reader_tid))
		return 1;
	wait_blocked(getpid(), reader_tid, SYS_read);
	if (write(ping[1], "x", 1) != 1 || read(pong[0], &c, 1) != 1 || c != 'y')
		return 1;
	pthread_join(t, NULL);
	printf("vfork=%d wait4=%d ping=%d pong=%d\n", (int)vchild, (int)fchild, ping[0], pong[0]);
	return 0;
}
