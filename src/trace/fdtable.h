/* fdtable.h - what each file descriptor of each traced process refers to, and the bytes through it.
 */
#ifndef SPIKETRACE_TRACE_FDTABLE_H
#define SPIKETRACE_TRACE_FDTABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* What an open file description is. */
enum fd_kind {
	FDK_FILE = 0, /* a path: regular file, device, fifo ... */
	FDK_DIR,      /* a directory (opened with O_DIRECTORY) */
	FDK_SOCKET,   /* name: "TCP 127.0.0.1:5000 -> 127.0.0.1:8080", "UDP [::1]:53",
			 "UNIX /run/x.sock", "UNIX @abstract", "UNIX" (see fdt_socket_name) */
	FDK_PIPE,     /* name: "pipe:[12345]" */
	FDK_EVENTFD,
	FDK_EPOLL,
	FDK_TIMERFD,
	FDK_SIGNALFD,
	FDK_MEMFD,
	FDK_OTHER, /* pidfd, inotify, io_uring, namespaces ...: the /proc link as name */
	FDK__COUNT,
};

/* Flags of one fd (not of its description). */
#define FDT_CLOEXEC 1u /* closed by execve */

/* The largest fd number tracked (the kernel's default fs.nr_open); calls beyond it fail with
 * -EINVAL. */
#define FDT_MAX_FD ((1 << 20) - 1)

/*
 * The fd tables of all traced processes, by tgid (the threads of a process share its table). A
 * table maps fds to open file descriptions, which are refcounted and shared as the kernel shares
 * them: by dup/dup2/dup3/F_DUPFD and by fork, so the byte counts of a description add up over
 * every fd and process that uses it. Descriptions are kept after their last fd is closed, for
 * the final summary. Not thread-safe.
 */
struct fdtables;

/* One open file description, as fdt_get and fdt_foreach_desc show it. */
struct fdt_desc_info {
	uint64_t id; /* 1, 2, ... in the order descriptions were made */
	enum fd_kind kind;
	const char *name; /* valid until the description is renamed or the tables are freed */
	pid_t tgid;	  /* the process it was opened in */
	uint64_t read_bytes, written_bytes;
	unsigned open_fds; /* fds referring to it now, in every process; 0 once closed */
};

struct fdtables *fdt_new(void);
void fdt_free(struct fdtables *t); /* NULL is a no-op */

/* The name of a kind: "file", "dir", "socket", "pipe", "eventfd", "epoll", "timerfd",
 * "signalfd", "memfd", "other". */
const char *fdt_kind_name(enum fd_kind kind);

/*
 * fd of tgid now refers to a new description of kind, called name (copied); flags are
 * FDT_CLOEXEC or 0. What fd referred to before is closed first (a close the tracer missed, or the
 * fd a dup2 replaced). Returns 0, or -EINVAL for a negative fd or one above FDT_MAX_FD.
 */
int fdt_set(struct fdtables *t, pid_t tgid, int fd, enum fd_kind kind, const char *name,
	    unsigned flags);

/* Renames the description fd refers to (every dup of it sees the new name), e.g. a socket once
 * connected. Returns 0 or -ENOENT when fd is not known. */
int fdt_rename(struct fdtables *t, pid_t tgid, int fd, const char *name);

/* Sets or clears FDT_CLOEXEC of fd (fcntl F_SETFD, ioctl FIOCLEX/FIONCLEX). 0 or -ENOENT. */
int fdt_set_cloexec(struct fdtables *t, pid_t tgid, int fd, bool on);

/* Fills *desc (may be NULL) and *flags (may be NULL) for fd of tgid. 0 or -ENOENT. */
int fdt_get(const struct fdtables *t, pid_t tgid, int fd, struct fdt_desc_info *desc,
	    unsigned *flags);

/* Closes fd of tgid. Returns 0, or -ENOENT when it was not known. */
int fdt_close(struct fdtables *t, pid_t tgid, int fd);

/*
 * close_range(2): closes the known fds lo..hi of tgid (hi may be ~0U), or with
 * CLOSE_RANGE_CLOEXEC (the kernel's flag, 1 << 2) in flags marks them FDT_CLOEXEC instead.
 */
void fdt_close_range(struct fdtables *t, pid_t tgid, unsigned lo, unsigned hi, unsigned flags);

/*
 * dup, dup2, dup3, fcntl F_DUPFD/F_DUPFD_CLOEXEC: newfd of tgid now shares oldfd's description,
 * with FDT_CLOEXEC when cloexec. What newfd referred to before is closed. oldfd == newfd does
 * nothing (dup2's no-op). Returns 0, -ENOENT when oldfd is not known (newfd is then forgotten
 * too: it refers to something unknown), -EINVAL for an fd out of range.
 */
int fdt_dup(struct fdtables *t, pid_t tgid, int oldfd, int newfd, bool cloexec);

/* A fork: child_tgid gets a copy of parent_tgid's table (sharing the descriptions, flags kept);
 * an earlier table of child_tgid is dropped. An unknown parent gives the child an empty table. */
void fdt_fork(struct fdtables *t, pid_t parent_tgid, pid_t child_tgid);

/* A successful execve in tgid: its FDT_CLOEXEC fds are closed. */
void fdt_exec(struct fdtables *t, pid_t tgid);

/* tgid is gone: all its fds are closed and its table dropped. */
void fdt_exit(struct fdtables *t, pid_t tgid);

/* Adds bytes read and written through fd of tgid to its description. 0 or -ENOENT. */
int fdt_add_bytes(struct fdtables *t, pid_t tgid, int fd, uint64_t read_bytes,
		  uint64_t written_bytes);

/* Calls cb for every description ever made, open or closed, in the order they were made. */
void fdt_foreach_desc(const struct fdtables *t,
		      void (*cb)(void *arg, const struct fdt_desc_info *d), void *arg);

/*
 * Fills tgid's table from what it has open now, for a process attached to (-p) or a command
 * before its first exec (its stdin, stdout and stderr): the links of /proc/PID/fd/ give the kind
 * and name (socket:[inode] named from PID/net/{tcp,tcp6,udp,udp6,unix} when found there), the
 * "flags:" of /proc/PID/fdinfo/N the FDT_CLOEXEC flag and O_DIRECTORY. tgid's earlier table is
 * dropped. Descriptions the process shares with another cannot be told from /proc: each seeded fd
 * gets its own. fdt_seed_at reads the proc tree whose root dir fd is proc_dirfd (a fixture in
 * tests); fdt_seed_from_proc opens /proc. Returns 0 or a negative errno (-ENOENT: no such
 * process, -EACCES: not allowed).
 */
int fdt_seed_at(struct fdtables *t, int proc_dirfd, pid_t tgid);
int fdt_seed_from_proc(struct fdtables *t, pid_t tgid);

/*
 * Names the socket fd of pid from the kernel's tables (PID/net/{tcp,tcp6,udp,
 * udp6,unix} by the socket's inode), as "TCP LOCAL -> REMOTE": for an accepted
 * connection whose peer address the program did not ask for. Returns 0, or
 * -ENOTSOCK, -ENOENT (not in the tables), or the errno of reading /proc.
 */
int fdt_socket_describe(pid_t pid, int fd, char *buf, size_t len);

/*
 * The name of a socket the way fdtables shows them: "PROTO LOCAL -> REMOTE", "PROTO LOCAL" when
 * remote is NULL or "", "PROTO" when both are. proto is "TCP", "UDP", "UNIX" ..., the addresses
 * as decode_sockaddr writes them. snprintf-like: returns the length of the whole text.
 */
size_t fdt_socket_name(char *buf, size_t len, const char *proto, const char *local,
		       const char *remote);

#endif
