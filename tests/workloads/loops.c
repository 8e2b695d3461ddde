/* loops.c - benchmark workloads for the tracer: tight loops of one kind of syscall.
 * loops getppid N | write N | openreadclose N FILE | forkexec N */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	long n = argc > 2 ? atol(argv[2]) : 1000;
	char buf[256];

	if (argc < 2)
		return 2;
	if (!strcmp(argv[1], "getppid")) {
		for (long i = 0; i < n; i++)
			getppid();
	} else if (!strcmp(argv[1], "write")) {
		int fd = open("/dev/null", O_WRONLY);

		for (long i = 0; i < n; i++)
			if (write(fd, "0123456789abcdef", 16) != 16)
				return 1;
	} else if (!strcmp(argv[1], "openreadclose")) {
		const char *f = argc > 3 ? argv[3] : "/etc/hostname";

		for (long i = 0; i < n; i++) {
			int fd = open(f, O_RDONLY);

			if (fd < 0 || read(fd, buf, sizeof(buf)) < 0)
				return 1;
			close(fd);
		}
	} else if (!strcmp(argv[1], "forkexec")) {
		for (long i = 0; i < n; i++) {
			pid_t pid = fork();

			if (pid == 0) {
				execl("/bin/true", "true", (char *)NULL);
				_exit(127);
			}
			waitpid(pid, NULL, 0);
		}
	} else {
		return 2;
	}
	return 0;
}
