/* net.c - trace workload: a loopback TCP exchange of known sizes (517 B up, 1400 B down) and a heap. */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

static int full(int fd, char *buf, size_t n, int write_it)
{
	size_t done = 0;

	while (done < n) {
		ssize_t k = write_it ? write(fd, buf + done, n - done) : read(fd, buf + done, n - done);

		if (k <= 0)
			return -1;
		done += (size_t)k;
	}
	return 0;
}

int main(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(a);
	char up[517], down[1400];
	int ls = socket(AF_INET, SOCK_STREAM, 0), status;
	pid_t pid;
	char *heap;

	if (ls < 0 || bind(ls, (struct sockaddr *)&a, sizeof(a)) < 0 || listen(ls, 1) < 0 ||
	    getsockname(ls, (struct sockaddr *)&a, &len) < 0)
		return 1;
	pid = fork();
	if (pid == 0) {
		int c = socket(AF_INET, SOCK_STREAM, 0);

		memset(up, 'u', sizeof(up));
		if (connect(c, (struct sockaddr *)&a, sizeof(a)) < 0 || full(c, up, sizeof(up), 1) ||
		    full(c, down, sizeof(down), 0))
			_exit(1);
		close(c);
		_exit(0);
	}
	int s = accept(ls, NULL, NULL);

	memset(down, 'd', sizeof(down));
	if (s < 0 || full(s, up, sizeof(up), 0) || full(s, down, sizeof(down), 1))
		return 1;
	close(s);
	waitpid(pid, &status, 0);
	/* grow the heap by ~1 MiB in small steps (brk, not mmap) */
	for (int i = 0; i < 256; i++) {
		heap = malloc(4000);
		if (heap)
			heap[0] = 1;
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 1;
}
