/* files.c - trace workload: known file syscalls (opens that work and fail, reads, writes, stat, unlink). */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp";
	char path[512], buf[4096];
	struct stat st;

	snprintf(path, sizeof(path), "%s/workload-files.%d", dir, (int)getpid());
	for (int i = 0; i < 50; i++) {
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);

		if (fd < 0 || write(fd, "hello world\n", 12) != 12)
			return 1;
		close(fd);
		fd = open(path, O_RDONLY);
		while (read(fd, buf, sizeof(buf)) > 0)
			;
		close(fd);
		if (open("/nonexistent/workload", O_RDONLY) >= 0) /* ENOENT, on purpose */
			return 1;
		stat(path, &st);
	}
	unlink(path);
	return 7; /* a known exit status */
}
