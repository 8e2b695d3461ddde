/* fileutil.c - durable atomic writes and whole-file reads. */
#include "base/fileutil.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <time.h>
#include <unistd.h>

#include "base/xalloc.h"

static int write_full(int fd, const char *p, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, p, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += n;
		len -= (size_t)n;
	}
	return 0;
}

/* Creates a unique temp file next to name; mkstemp has no *at() form, so we roll our own. */
static int open_temp(int dirfd, const char *name, char *tmp, size_t tmplen, mode_t mode)
{
	static unsigned seq;
	struct timespec ts;

	for (int tries = 0; tries < 100; tries++) {
		int fd;

		clock_gettime(CLOCK_MONOTONIC, &ts);
		snprintf(tmp, tmplen, ".%s.%d.%lx.tmp", name, (int)getpid(),
			 (unsigned long)(ts.tv_nsec ^ (++seq * 2654435761u)));
		fd = openat(dirfd, tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, mode);
		if (fd >= 0 || errno != EEXIST)
			return fd < 0 ? -errno : fd;
	}
	return -EEXIST;
}

int file_write_atomic(int dirfd, const char *name, const void *data, size_t len, mode_t mode)
{
	char tmp[NAME_MAX + 1];
	int fd, ret;

	if (strlen(name) + 32 > sizeof(tmp))
		return -ENAMETOOLONG;
	fd = open_temp(dirfd, name, tmp, sizeof(tmp), mode);
	if (fd < 0)
		return fd;
	ret = write_full(fd, data, len);
	/* the umask may have narrowed the mode given to openat */
	if (!ret && fchmod(fd, mode) < 0)
		ret = -errno;
	if (!ret && fsync(fd) < 0)
		ret = -errno;
	if (close(fd) < 0 && !ret)
		ret = -errno;
	if (!ret && renameat(dirfd, tmp, dirfd, name) < 0)
		ret = -errno;
	if (ret) {
		unlinkat(dirfd, tmp, 0);
		return ret;
	}
	/* make the rename itself durable */
	if (fsync(dirfd) < 0)
		return -errno;
	return 0;
}

/*
 * Opens path read-only without blocking: O_NONBLOCK while opening, because a FIFO
 * without a writer (or a tty, a tape) would block open() or the first read() for
 * ever. *st gets its fstat. The fd keeps O_NONBLOCK; the callers clear it.
 */
static int open_nonblocking(const char *path, struct stat *st)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC);

	if (fd < 0)
		return -errno;
	if (fstat(fd, st) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

/* Clears O_NONBLOCK again: a regular file ignores it, but an fd we hand out should not carry it. */
static int clear_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl & ~O_NONBLOCK) < 0) {
		int e = -errno;

		close(fd);
		return e;
	}
	return fd;
}

static int refuse(int fd, const struct stat *st)
{
	close(fd);
	return S_ISDIR(st->st_mode) ? -EISDIR : -EBADFD;
}

int file_open_regular(const char *path, struct stat *st)
{
	struct stat tmp;
	int fd;

	st = st ? st : &tmp;
	fd = open_nonblocking(path, st);
	if (fd < 0)
		return fd;
	if (!S_ISREG(st->st_mode))
		return refuse(fd, st);
	return clear_nonblock(fd);
}

/* /dev/null, the usual "no file" of a command line: major 1, minor 3 on every Linux. */
static bool is_dev_null(const struct stat *st)
{
	return S_ISCHR(st->st_mode) && major(st->st_rdev) == 1 && minor(st->st_rdev) == 3;
}

int file_read_all(const char *path, size_t max, char **out, size_t *len)
{
	struct stat st;
	size_t cap, n = 0;
	char *buf;
	int fd = open_nonblocking(path, &st);

	*out = NULL;
	if (fd < 0)
		return fd;
	if (is_dev_null(&st)) {
		close(fd);
		*out = xstrdup("");
		if (len)
			*len = 0;
		return 0;
	}
	if (!S_ISREG(st.st_mode))
		return refuse(fd, &st);
	fd = clear_nonblock(fd);
	if (fd < 0)
		return fd;
	if ((size_t)st.st_size > max) {
		close(fd);
		return -EFBIG;
	}
	cap = (size_t)st.st_size + 1;
	buf = xmalloc(cap);
	for (;;) {
		ssize_t r;

		if (n + 1 >= cap) {
			if (cap > max + 1) {
				free(buf);
				close(fd);
				return -EFBIG;
			}
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		r = read(fd, buf + n, cap - n - 1);
		if (r < 0) {
			int e = errno;

			if (e == EINTR)
				continue;
			free(buf);
			close(fd);
			return -e;
		}
		if (r == 0)
			break;
		n += (size_t)r;
	}
	close(fd);
	buf[n] = '\0';
	*out = buf;
	if (len)
		*len = n;
	return 0;
}

const char *file_strerror(int err)
{
	return err == -EBADFD ? "not a regular file" : strerror(-err);
}

long file_raise_nofile(void)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 0;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		setrlimit(RLIMIT_NOFILE, &rl);
		getrlimit(RLIMIT_NOFILE, &rl);
	}
	return rl.rlim_cur > (rlim_t)1 << 30 ? 1L << 30 : (long)rl.rlim_cur;
}

int file_mkdirs(const char *path, mode_t mode)
{
	char *p = xstrdup(path);
	int ret = 0;

	for (char *s = p + 1;; s++) {
		if (*s == '/' || *s == '\0') {
			char c = *s;

			*s = '\0';
			if (mkdir(p, mode) < 0 && errno != EEXIST) {
				ret = -errno;
				break;
			}
			*s = c;
			if (!c)
				break;
		}
	}
	free(p);
	if (!ret) {
		struct stat st;

		if (stat(path, &st) < 0)
			ret = -errno;
		else if (!S_ISDIR(st.st_mode))
			ret = -ENOTDIR;
	}
	return ret;
}
