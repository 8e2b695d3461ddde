/* fdtable.c - per-process fd tables over refcounted open file descriptions, seeded from /proc. */
#include "trace/fdtable.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "sys/procfs.h"
#include "sys/socktab.h"

#ifndef CLOSE_RANGE_CLOEXEC
#define CLOSE_RANGE_CLOEXEC (1U << 2)
#endif

/* An open file description: what fds point to. Owned by the tables' list of all of them. */
struct fdesc {
	uint64_t id;
	enum fd_kind kind;
	char *name;
	pid_t tgid;
	uint64_t read_bytes, written_bytes;
	unsigned refs; /* fds referring to it */
};

struct slot {
	struct fdesc *d; /* NULL: fd not open (or not known) */
	unsigned flags;	 /* FDT_CLOEXEC */
};

/* The fd table of one process. */
struct proc {
	pid_t tgid;
	struct slot *fds; /* indexed by fd */
	size_t cap;	  /* slots in fds */
	struct proc *next;
};

struct fdtables {
	struct proc **buckets; /* chained hash by tgid */
	size_t nbuckets;       /* a power of two */
	size_t nprocs;
	struct fdesc **all; /* every description, in the order made */
	size_t nall, capall;
};

static const char *const kind_names[FDK__COUNT] = {
	[FDK_FILE] = "file",	   [FDK_DIR] = "dir",		[FDK_SOCKET] = "socket",
	[FDK_PIPE] = "pipe",	   [FDK_EVENTFD] = "eventfd",	[FDK_EPOLL] = "epoll",
	[FDK_TIMERFD] = "timerfd", [FDK_SIGNALFD] = "signalfd", [FDK_MEMFD] = "memfd",
	[FDK_OTHER] = "other",
};

const char *fdt_kind_name(enum fd_kind kind)
{
	return kind >= 0 && kind < FDK__COUNT ? kind_names[kind] : "other";
}

struct fdtables *fdt_new(void)
{
	struct fdtables *t = xcalloc(1, sizeof(*t));

	t->nbuckets = 64;
	t->buckets = xcalloc(t->nbuckets, sizeof(*t->buckets));
	return t;
}

static void proc_free(struct proc *p)
{
	free(p->fds);
	free(p);
}

void fdt_free(struct fdtables *t)
{
	if (!t)
		return;
	for (size_t b = 0; b < t->nbuckets; b++) {
		struct proc *p = t->buckets[b], *next;

		for (; p; p = next) {
			next = p->next;
			proc_free(p);
		}
	}
	for (size_t i = 0; i < t->nall; i++) {
		free(t->all[i]->name);
		free(t->all[i]);
	}
	free(t->all);
	free(t->buckets);
	free(t);
}

/* ---- processes ---- */

static size_t bucket_of(const struct fdtables *t, pid_t tgid)
{
	/* Knuth's multiplicative hash: pids come in runs */
	return ((uint32_t)tgid * 2654435761u) & (t->nbuckets - 1);
}

static struct proc *proc_find(const struct fdtables *t, pid_t tgid)
{
	for (struct proc *p = t->buckets[bucket_of(t, tgid)]; p; p = p->next)
		if (p->tgid == tgid)
			return p;
	return NULL;
}

static void rehash(struct fdtables *t)
{
	struct proc **old = t->buckets;
	size_t nold = t->nbuckets;

	t->nbuckets *= 2;
	t->buckets = xcalloc(t->nbuckets, sizeof(*t->buckets));
	for (size_t b = 0; b < nold; b++) {
		struct proc *p = old[b], *next;

		for (; p; p = next) {
			size_t nb = bucket_of(t, p->tgid);

			next = p->next;
			p->next = t->buckets[nb];
			t->buckets[nb] = p;
		}
	}
	free(old);
}

static struct proc *proc_get(struct fdtables *t, pid_t tgid)
{
	struct proc *p = proc_find(t, tgid);
	size_t b;

	if (p)
		return p;
	if (t->nprocs >= t->nbuckets)
		rehash(t);
	p = xcalloc(1, sizeof(*p));
	p->tgid = tgid;
	b = bucket_of(t, tgid);
	p->next = t->buckets[b];
	t->buckets[b] = p;
	t->nprocs++;
	return p;
}

static void proc_unlink(struct fdtables *t, struct proc *p)
{
	struct proc **pp = &t->buckets[bucket_of(t, p->tgid)];

	while (*pp != p)
		pp = &(*pp)->next;
	*pp = p->next;
	t->nprocs--;
}

/* The slot of fd, growing the table to hold it. */
static struct slot *slot_get(struct proc *p, int fd)
{
	if ((size_t)fd >= p->cap) {
		size_t cap = p->cap ? p->cap : 64;

		while (cap <= (size_t)fd)
			cap *= 2;
		p->fds = xrealloc(p->fds, cap * sizeof(*p->fds));
		memset(p->fds + p->cap, 0, (cap - p->cap) * sizeof(*p->fds));
		p->cap = cap;
	}
	return &p->fds[fd];
}

/* The slot of an open fd, or NULL. */
static struct slot *slot_find(const struct fdtables *t, pid_t tgid, int fd)
{
	struct proc *p = proc_find(t, tgid);

	if (!p || fd < 0 || (size_t)fd >= p->cap || !p->fds[fd].d)
		return NULL;
	return &p->fds[fd];
}

static void slot_close(struct slot *s)
{
	if (s->d)
		s->d->refs--;
	s->d = NULL;
	s->flags = 0;
}

static void slot_put(struct slot *s, struct fdesc *d, unsigned flags)
{
	d->refs++; /* first: d may be what s held */
	slot_close(s);
	s->d = d;
	s->flags = flags & FDT_CLOEXEC;
}

static void proc_clear(struct proc *p)
{
	for (size_t fd = 0; fd < p->cap; fd++)
		slot_close(&p->fds[fd]);
}

static bool fd_ok(int fd)
{
	return fd >= 0 && fd <= FDT_MAX_FD;
}

/* ---- descriptions ---- */

static struct fdesc *desc_new(struct fdtables *t, pid_t tgid, enum fd_kind kind, const char *name)
{
	struct fdesc *d = xcalloc(1, sizeof(*d));

	d->id = t->nall + 1;
	d->kind = kind;
	d->name = xstrdup(name ? name : "");
	d->tgid = tgid;
	XGROW(t->all, t->capall, t->nall + 1);
	t->all[t->nall++] = d;
	return d;
}

static void desc_info(const struct fdesc *d, struct fdt_desc_info *out)
{
	out->id = d->id;
	out->kind = d->kind;
	out->name = d->name;
	out->tgid = d->tgid;
	out->read_bytes = d->read_bytes;
	out->written_bytes = d->written_bytes;
	out->open_fds = d->refs;
}

/* ---- the operations ---- */

int fdt_set(struct fdtables *t, pid_t tgid, int fd, enum fd_kind kind, const char *name,
	    unsigned flags)
{
	if (!fd_ok(fd))
		return -EINVAL;
	slot_put(slot_get(proc_get(t, tgid), fd), desc_new(t, tgid, kind, name), flags);
	return 0;
}

int fdt_rename(struct fdtables *t, pid_t tgid, int fd, const char *name)
{
	struct slot *s = slot_find(t, tgid, fd);

	if (!s)
		return -ENOENT;
	free(s->d->name);
	s->d->name = xstrdup(name ? name : "");
	return 0;
}

int fdt_set_cloexec(struct fdtables *t, pid_t tgid, int fd, bool on)
{
	struct slot *s = slot_find(t, tgid, fd);

	if (!s)
		return -ENOENT;
	s->flags = on ? s->flags | FDT_CLOEXEC : s->flags & ~FDT_CLOEXEC;
	return 0;
}

int fdt_get(const struct fdtables *t, pid_t tgid, int fd, struct fdt_desc_info *desc,
	    unsigned *flags)
{
	const struct slot *s = slot_find(t, tgid, fd);

	if (!s)
		return -ENOENT;
	if (desc)
		desc_info(s->d, desc);
	if (flags)
		*flags = s->flags;
	return 0;
}

int fdt_close(struct fdtables *t, pid_t tgid, int fd)
{
	struct slot *s = slot_find(t, tgid, fd);

	if (!s)
		return -ENOENT;
	slot_close(s);
	return 0;
}

void fdt_close_range(struct fdtables *t, pid_t tgid, unsigned lo, unsigned hi, unsigned flags)
{
	struct proc *p = proc_find(t, tgid);

	if (!p || lo > hi)
		return;
	for (size_t fd = lo; fd < p->cap && fd <= hi; fd++) {
		struct slot *s = &p->fds[fd];

		if (!s->d)
			continue;
		if (flags & CLOSE_RANGE_CLOEXEC)
			s->flags |= FDT_CLOEXEC;
		else
			slot_close(s);
	}
}

int fdt_dup(struct fdtables *t, pid_t tgid, int oldfd, int newfd, bool cloexec)
{
	struct slot *old;
	struct proc *p;

	if (!fd_ok(oldfd) || !fd_ok(newfd))
		return -EINVAL;
	old = slot_find(t, tgid, oldfd);
	if (oldfd == newfd)
		return old ? 0 : -ENOENT;
	if (!old) {
		fdt_close(t, tgid, newfd);
		return -ENOENT;
	}
	p = proc_find(t, tgid);
	/* slot_get may move the table: take the description first */
	{
		struct fdesc *d = old->d;

		slot_put(slot_get(p, newfd), d, cloexec ? FDT_CLOEXEC : 0);
	}
	return 0;
}

void fdt_fork(struct fdtables *t, pid_t parent_tgid, pid_t child_tgid)
{
	struct proc *parent, *child;

	if (parent_tgid == child_tgid)
		return;
	fdt_exit(t, child_tgid);
	child = proc_get(t, child_tgid);
	parent = proc_find(t, parent_tgid); /* after proc_get: a rehash does not move procs */
	if (!parent || !parent->cap)
		return;
	child->fds = xcalloc(parent->cap, sizeof(*child->fds));
	child->cap = parent->cap;
	for (size_t fd = 0; fd < parent->cap; fd++)
		if (parent->fds[fd].d)
			slot_put(&child->fds[fd], parent->fds[fd].d, parent->fds[fd].flags);
}

void fdt_exec(struct fdtables *t, pid_t tgid)
{
	struct proc *p = proc_find(t, tgid);

	if (!p)
		return;
	for (size_t fd = 0; fd < p->cap; fd++)
		if (p->fds[fd].d && (p->fds[fd].flags & FDT_CLOEXEC))
			slot_close(&p->fds[fd]);
}

void fdt_exit(struct fdtables *t, pid_t tgid)
{
	struct proc *p = proc_find(t, tgid);

	if (!p)
		return;
	proc_clear(p);
	proc_unlink(t, p);
	proc_free(p);
}

int fdt_add_bytes(struct fdtables *t, pid_t tgid, int fd, uint64_t read_bytes,
		  uint64_t written_bytes)
{
	struct slot *s = slot_find(t, tgid, fd);

	if (!s)
		return -ENOENT;
	s->d->read_bytes += read_bytes;
	s->d->written_bytes += written_bytes;
	return 0;
}

void fdt_foreach_desc(const struct fdtables *t,
		      void (*cb)(void *arg, const struct fdt_desc_info *d), void *arg)
{
	struct fdt_desc_info info;

	for (size_t i = 0; i < t->nall; i++) {
		desc_info(t->all[i], &info);
		cb(arg, &info);
	}
}

size_t fdt_socket_name(char *buf, size_t len, const char *proto, const char *local,
		       const char *remote)
{
	return socktab_name(buf, len, proto, local, remote);
}

/* ---- seeding from /proc ---- */

/* What a /proc/PID/fd link starts with, and the kind it means; the first match wins. */
static const struct {
	const char *prefix;
	enum fd_kind kind;
} link_kinds[] = {
	{ "socket:[", FDK_SOCKET },
	{ "pipe:[", FDK_PIPE },
	{ "anon_inode:[eventfd]", FDK_EVENTFD },
	{ "anon_inode:[eventpoll]", FDK_EPOLL },
	{ "anon_inode:[timerfd]", FDK_TIMERFD },
	{ "anon_inode:[signalfd]", FDK_SIGNALFD },
	{ "/memfd:", FDK_MEMFD },
	{ "/", FDK_FILE },
};

struct seed_fd {
	int fd;
	char *link;			 /* what /proc/PID/fd/FD points to */
	unsigned long long fdinfo_flags; /* octal "flags:" of fdinfo, 0 when unreadable */
};

int fdt_socket_describe(pid_t pid, int fd, char *buf, size_t len)
{
	struct socktab socks = { NULL, 0, 0 };
	const struct sock_entry *hit;
	char path[64], link[128];
	unsigned long inode;
	ssize_t n;
	int dirfd, ret = -ENOENT;

	snprintf(path, sizeof(path), "/proc/%d/fd/%d", (int)pid, fd);
	n = readlink(path, link, sizeof(link) - 1);
	if (n < 0)
		return -errno;
	link[n] = '\0';
	inode = socktab_link_inode(link);
	if (!inode)
		return -ENOTSOCK;
	dirfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0)
		return -errno;
	socktab_load(&socks, dirfd, pid);
	close(dirfd);
	hit = socktab_find(&socks, inode);
	if (hit) {
		snprintf(buf, len, "%s", hit->name);
		ret = 0;
	}
	socktab_clear(&socks);
	return ret;
}

/* The "flags:" line of PID/fdinfo/FD (octal), 0 when it cannot be read. */
static unsigned long long fdinfo_flags(int fdinfo_dirfd, const char *fdname)
{
	char *text = fdinfo_dirfd >= 0 ? procfs_read_at(fdinfo_dirfd, fdname, NULL) : NULL;
	unsigned long long flags = 0;
	const char *p;

	if (text && (p = strstr(text, "flags:")))
		flags = strtoull(p + 6, NULL, 8);
	free(text);
	return flags;
}

static enum fd_kind link_kind(const char *link, unsigned long long flags)
{
	for (size_t i = 0; i < sizeof(link_kinds) / sizeof(link_kinds[0]); i++)
		if (strncmp(link, link_kinds[i].prefix, strlen(link_kinds[i].prefix)) == 0)
			return link_kinds[i].kind == FDK_FILE && (flags & O_DIRECTORY)
				       ? FDK_DIR
				       : link_kinds[i].kind;
	return FDK_OTHER;
}

int fdt_seed_at(struct fdtables *t, int proc_dirfd, pid_t tgid)
{
	struct socktab socks = { NULL, 0, 0 };
	struct seed_fd *v = NULL;
	size_t n = 0, cap = 0;
	bool any_socket = false;
	char path[64];
	struct dirent *e;
	int dfd, infofd, err;
	DIR *dir;

	snprintf(path, sizeof(path), "%d/fd", (int)tgid);
	dfd = openat(proc_dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return -errno;
	dir = fdopendir(dfd);
	if (!dir) {
		err = -errno;
		close(dfd);
		return err;
	}
	snprintf(path, sizeof(path), "%d/fdinfo", (int)tgid);
	infofd = openat(proc_dirfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	while ((e = readdir(dir))) {
		char *end, link[PATH_MAX + 64];
		long fd = strtol(e->d_name, &end, 10);
		ssize_t len;

		if (e->d_name[0] < '0' || e->d_name[0] > '9' || *end || fd > FDT_MAX_FD)
			continue;
		len = readlinkat(dirfd(dir), e->d_name, link, sizeof(link) - 1);
		if (len < 0) /* closed meanwhile */
			continue;
		link[len] = '\0';
		XGROW(v, cap, n + 1);
		v[n].fd = (int)fd;
		v[n].link = xstrdup(link);
		v[n].fdinfo_flags = fdinfo_flags(infofd, e->d_name);
		any_socket |= strncmp(link, "socket:[", 8) == 0;
		n++;
	}
	closedir(dir);
	if (infofd >= 0)
		close(infofd);
	if (any_socket)
		socktab_load(&socks, proc_dirfd, tgid);

	fdt_exit(t, tgid);
	proc_get(t, tgid); /* known, even with no fd open */
	for (size_t i = 0; i < n; i++) {
		enum fd_kind kind = link_kind(v[i].link, v[i].fdinfo_flags);
		const char *name = v[i].link;
		unsigned flags = (v[i].fdinfo_flags & O_CLOEXEC) ? FDT_CLOEXEC : 0;

		if (kind == FDK_SOCKET && socks.n) {
			const struct sock_entry *hit =
				socktab_find(&socks, socktab_link_inode(v[i].link));

			if (hit)
				name = hit->name;
		}
		fdt_set(t, tgid, v[i].fd, kind, name, flags);
		free(v[i].link);
	}
	socktab_clear(&socks);
	free(v);
	return 0;
}

int fdt_seed_from_proc(struct fdtables *t, pid_t tgid)
{
	int procfd = open("/proc", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int err;

	if (procfd < 0)
		return -errno;
	err = fdt_seed_at(t, procfd, tgid);
	close(procfd);
	return err;
}
