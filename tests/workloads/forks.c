/* forks.c - trace workload: fork + exec children, vfork, a child killed by a signal. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

/*
 * Waits until the child sleeps in pause(2) (/proc/PID/syscall names syscall 34), so that
 * SIGTERM interrupts the call rather than arriving before it: the count is then the same
 * under every tracer.
 */
static void wait_in_pause(pid_t pid)
{
	char path[64], buf[64];

	snprintf(path, sizeof(path), "/proc/%d/syscall", (int)pid);
	for (int i = 0; i < 10000; i++) {
		FILE *f = fopen(path, "r");
		int nr = -1;

		if (f) {
			if (fgets(buf, sizeof(buf), f))
				nr = atoi(buf);
			fclose(f);
		}
		if (nr == 34)
			return;
		usleep(1000);
	}
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
