/* psi.c - arming /proc/pressure triggers. */
#include "sys/psi.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

int psi_trigger_open(int procdirfd, const char *res, uint64_t stall_us, uint64_t window_us)
{
	char path[64], spec[96];
	int fd, n;

	snprintf(path, sizeof(path), "pressure/%s", res);
	fd = openat(procdirfd, path, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	/* the kernel wants the terminating NUL written too */
	n = snprintf(spec, sizeof(spec), "some %llu %llu", (unsigned long long)stall_us,
		     (unsigned long long)window_us);
	if (write(fd, spec, (size_t)n + 1) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}
