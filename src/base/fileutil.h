/* fileutil.h - durable file writes (temp file, fsync, rename, directory fsync) and small file
 * helpers. */
#ifndef SPIKETRACE_BASE_FILEUTIL_H
#define SPIKETRACE_BASE_FILEUTIL_H

#include <stddef.h>
#include <sys/stat.h>
#include <sys/types.h>

/*
 * Writes len bytes as dir/name so that readers see either the old file or the
 * whole new one: a temp file ".name.XXXXXX" in the same directory is written,
 * given mode, fsync'd, renamed over name, and the directory is fsync'd. On any
 * failure the temp file is removed. Returns 0 or a negative errno.
 */
int file_write_atomic(int dirfd, const char *name, const void *data, size_t len, mode_t mode);

/*
 * Reads a whole regular file into a malloc'd, NUL-terminated buffer (*out, owned
 * by the caller); refuses files over max bytes with -EFBIG. Never blocks on what
 * is not a regular file: a directory gives -EISDIR, a FIFO, socket or device
 * -EBADFD (file_strerror says "not a regular file"), except /dev/null, which
 * reads as empty. Returns 0 or a negative errno.
 */
int file_read_all(const char *path, size_t max, char **out, size_t *len);

/*
 * Opens path read-only (O_CLOEXEC, blocking reads) if it is a regular file,
 * checked on the open fd without ever blocking; *st (may be NULL) gets its
 * fstat. Returns the fd, -EISDIR, -EBADFD for a FIFO, socket or device, or
 * another negative errno.
 */
int file_open_regular(const char *path, struct stat *st);

/* strerror(-err), but -EBADFD from the two functions above reads "not a regular file". */
const char *file_strerror(int err);

/*
 * Raises the soft RLIMIT_NOFILE to the hard limit (tools that keep one fd per
 * process need thousands). Returns the soft limit now in force.
 */
long file_raise_nofile(void);

/* mkdir -p with mode for the missing parts. Returns 0 or a negative errno. */
int file_mkdirs(const char *path, mode_t mode);

#endif
