/* forks.c - trace workload: fork + exec children, vfork, a child killed by a signal. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * Waits until the child sleeps in pause(2) (/proc/PID/syscall names syscall 34), so that
 * SIGTERM interrupts the call rather than arriving before it: the count is then the same
 * under every tracer. The polling uses only preadv and clock_nanosleep, which nothing else
 * here calls, so a test can leave exactly those two out of its comparison.
 */
static void wait_in_pause(pid_t pid)
{
	char path[64], buf[64];
	struct iovec iov = { buf, sizeof(buf) - 1 };
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	fd = open(path, O_RDONLY);
	for (int i = 0; fd >= 0 && i < 10000; i++) {
		ssize_t n = preadv(fd, &iov, 1, 0);

		if (n > 0) {
			buf[n] = 0;
			if (atoi(buf) == 34)
				break;
		}
		usleep(1000);
	}
	if (fd >= 0)
		close(fd);
}

int main(void)
{
	int status;
	pid_t pid;

	for (int i = 0; i < 10; i++) {
		pid = fork();
		if (pid == 0) {
			execl("/bin/true", "true", (char *)NULL);
			_exit(127);
		}
		waitpid(pid, &status, 0);
	}
	pid = vfork();
	if (pid == 0) {
		execl("/bin/true", "true", (char *)NULL);
		_exit(127);
	}
	waitpid(pid, &status, 0);
	pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	wait_in_pause(pid);
	kill(pid, SIGTERM);
	waitpid(pid, &status, 0);
	return WIFSIGNALED(status) && WTERMSIG(status) == SIGTERM ? 0 : 1;
}
