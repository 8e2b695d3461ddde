/* track.c - turns syscalls into what a person asks about: files, connections, memory, I/O,
 * processes. */
#include "trace/track.h"

#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/human.h"
#include "base/json.h"
#include "base/xalloc.h"
#include "sys/tracee.h"
#include "trace/decode.h"
#include "trace/fdtable.h"
#include "trace/systab.h"

struct region {
	uint64_t start, end;
};

struct proc_rec {
	struct region *anon; /* anonymous mappings seen, for classifying page faults */
	size_t nanon, capanon;
	pid_t tgid, parent;
	char *cmd; /* argv of its last exec, joined (owned) */
	bool exited;
	int status;				 /* waitpid status once exited */
	uint64_t heap_start, heap_cur, heap_max; /* program break */
};

struct track {
	bool no_filter;
	struct fdtables *fdt;
	struct proc_rec *p;
	size_t np, capp;
	uint64_t mmap_bytes, mmap_regions;
	uint64_t file_read, file_written, net_sent, net_recv, other_read, other_written;
	bool faults; /* page faults were sampled: the summary has a line for them */
	uint64_t faults_heap, faults_anon, faults_other, faults_lost;
};

struct track *track_new(bool no_filter)
{
	struct track *t = xcalloc(1, sizeof(*t));

	t->no_filter = no_filter;
	t->fdt = fdt_new();
	return t;
}

void track_free(struct track *t)
{
	if (!t)
		return;
	for (size_t i = 0; i < t->np; i++) {
		free(t->p[i].cmd);
		free(t->p[i].anon);
	}
	free(t->p);
	fdt_free(t->fdt);
	free(t);
}

static struct proc_rec *proc(struct track *t, pid_t tgid)
{
	for (size_t i = 0; i < t->np; i++)
		if (t->p[i].tgid == tgid && !t->p[i].exited)
			return &t->p[i];
	XGROW(t->p, t->capp, t->np + 1);
	memset(&t->p[t->np], 0, sizeof(t->p[0]));
	t->p[t->np].tgid = tgid;
	return &t->p[t->np++];
}

/* Paths and addresses nobody asks about first: /proc, /sys, /dev, the linker, libraries. */
static bool boring_path(const struct track *t, const char *path)
{
	const char *base = strrchr(path, '/');

	if (t->no_filter)
		return false;
	base = base ? base + 1 : path;
	return !strncmp(path, "/proc", 5) || !strncmp(path, "/sys", 4) ||
	       !strncmp(path, "/dev", 4) || !strncmp(base, "ld-linux", 8) ||
	       !strncmp(base, "ld.so", 5) || strstr(base, ".so.") ||
	       (strlen(base) > 3 && !strcmp(base + strlen(base) - 3, ".so"));
}

static bool boring_addr(const struct track *t, const char *addr)
{
	return !t->no_filter && (!strncmp(addr, "127.", 4) || !strncmp(addr, "[::1]", 5));
}

static void line(struct strbuf *out, const char *prefix, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void line(struct strbuf *out, const char *prefix, const char *fmt, ...)
{
	char buf[PATH_MAX + 256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	strbuf_adds(out, prefix);
	strbuf_adds(out, buf);
	strbuf_addc(out, '\n');
}

/* An absolute path for a path argument: relative ones against dirfd's name or the cwd. */
static void resolve(struct track *t, const struct trace_call *c, int dirfd, const char *path,
		    char *buf, size_t len)
{
	struct fdt_desc_info d;
	char link[64], cwd[PATH_MAX];
	ssize_t n;

	if (path[0] == '/') {
		snprintf(buf, len, "%s", path);
		return;
	}
	if (dirfd != AT_FDCWD && fdt_get(t->fdt, c->tgid, dirfd, &d, NULL) == 0) {
		if ((size_t)snprintf(buf, len, "%s/%s", d.name, path) >= len)
			snprintf(buf, len, "%s", path); /* too long to join: the name as given */
		return;
	}
	if (c->cwd) { /* the engine captured it at the call (eBPF) */
		snprintf(cwd, sizeof(cwd), "%s", c->cwd);
	} else {
		snprintf(link, sizeof(link), "/proc/%d/cwd", (int)c->tid);
		n = readlink(link, cwd, sizeof(cwd) - 1);
		if (n <= 0) {
			snprintf(buf, len, "%s", path);
			return;
		}
		cwd[n] = '\0';
	}
	if ((size_t)snprintf(buf, len, "%s/%s", strcmp(cwd, "/") ? cwd : "", path) >= len)
		snprintf(buf, len, "%s", path);
}

static const char *access_word(int flags)
{
	switch (flags & O_ACCMODE) {
	case O_WRONLY:
		return "write";
	case O_RDWR:
		return "read-write";
	default:
		return "read";
	}
}

static void on_open(struct track *t, const struct trace_call *c, int dirfd, unsigned path_arg,
		    int flags, const char *prefix, struct strbuf *out)
{
	const char *path = decode_arg_str(c, path_arg);
	char abs[PATH_MAX];

	if (!path)
		path = "?";
	resolve(t, c, dirfd, path, abs, sizeof(abs));
	fdt_set(t->fdt, c->tgid, (int)c->ret, (flags & O_DIRECTORY) ? FDK_DIR : FDK_FILE, abs,
		(flags & O_CLOEXEC) ? FDT_CLOEXEC : 0);
	if (!boring_path(t, abs) && !(flags & O_DIRECTORY))
		line(out, prefix, "open %s (%s)", abs, access_word(flags));
}

/* "tcp4", "udp6", "unix" ... of a socket() call. */
static const char *proto_of(int domain, int type)
{
	bool stream = (type & 0xf) == SOCK_STREAM, dgram = (type & 0xf) == SOCK_DGRAM;

	switch (domain) {
	case AF_INET:
		return stream ? "tcp4" : dgram ? "udp4" : "ip4";
	case AF_INET6:
		return stream ? "tcp6" : dgram ? "udp6" : "ip6";
	case AF_UNIX:
		return "unix";
	case AF_NETLINK:
		return "netlink";
	default:
		return "socket";
	}
}

/* The protocol word a socket's description name starts with. */
static void sock_proto(const struct track *t, const struct trace_call *c, int fd, char *buf,
		       size_t len)
{
	struct fdt_desc_info d;
	size_t n;

	snprintf(buf, len, "socket");
	if (fdt_get(t->fdt, c->tgid, fd, &d, NULL) < 0 || d.kind != FDK_SOCKET)
		return;
	n = strcspn(d.name, " ");
	snprintf(buf, len, "%.*s", (int)(n < len - 1 ? n : len - 1), d.name);
}

static void on_connect(struct track *t, const struct trace_call *c, const char *prefix,
		       struct strbuf *out)
{
	size_t len = 0;
	const void *sa = decode_arg_data(c, 1, &len);
	char addr[256] = "?", proto[32], name[320];
	int fd = (int)c->args[0];

	/* a non-blocking connect that is on its way counts as made */
	if (c->is_error && c->ret != -115 /* EINPROGRESS */)
		return;
	if (sa)
		decode_sockaddr(sa, len, addr, sizeof(addr));
	sock_proto(t, c, fd, proto, sizeof(proto));
	snprintf(name, sizeof(name), "%s → %s", proto, addr);
	fdt_rename(t->fdt, c->tgid, fd, name);
	if (!boring_addr(t, addr))
		line(out, prefix, "connect %s", name);
}

/* Reads the call's memory: what the engine captured, or the live tracee's (ptrace). */
static ssize_t call_mem(const struct trace_call *c, uint64_t addr, void *buf, size_t len)
{
	if (c->mem)
		return c->mem->read(c->mem->ctx, addr, buf, len);
	return ptrace_read_mem(c->tid, addr, buf, len);
}

static void on_accept(struct track *t, const struct trace_call *c, const char *prefix,
		      struct strbuf *out)
{
	char addr[256] = "?", proto[32], name[320];
	unsigned char sa[128];
	uint32_t salen = 0;

	sock_proto(t, c, (int)c->args[0], proto, sizeof(proto));
	if (c->args[1] && c->args[2] &&
	    call_mem(c, c->args[2], &salen, sizeof(salen)) == sizeof(salen) && salen > 0 &&
	    salen <= sizeof(sa) && call_mem(c, c->args[1], sa, salen) == (ssize_t)salen) {
		decode_sockaddr(sa, salen, addr, sizeof(addr));
	} else if (c->peer) {
		/* accept(fd, NULL, NULL): the engine read the peer from the socket */
		decode_sockaddr(c->peer, c->peer_len, addr, sizeof(addr));
	} else {
		/* accept(fd, NULL, NULL): the kernel's socket tables know the peer */
		char desc[256];
		const char *arrow;

		if (fdt_socket_describe(c->tgid, (int)c->ret, desc, sizeof(desc)) == 0 &&
		    (arrow = strstr(desc, " -> ")))
			snprintf(addr, sizeof(addr), "%s", arrow + 4);
	}
	snprintf(name, sizeof(name), "%s ← %s", proto, addr);
	fdt_set(t->fdt, c->tgid, (int)c->ret, FDK_SOCKET, name,
		c->nr == SYS_accept4 && (c->args[3] & SOCK_CLOEXEC) ? FDT_CLOEXEC : 0);
	if (!boring_addr(t, addr))
		line(out, prefix, "accept %s", name);
}

/* Bytes through fd: into the file/net/other totals, and a live line for sockets. */
static void on_io(struct track *t, const struct trace_call *c, int fd, uint64_t rd, uint64_t wr,
		  const char *prefix, struct strbuf *out)
{
	struct fdt_desc_info d;
	char n[32];

	if (fdt_get(t->fdt, c->tgid, fd, &d, NULL) < 0) {
		t->other_read += rd;
		t->other_written += wr;
		return;
	}
	fdt_add_bytes(t->fdt, c->tgid, fd, rd, wr);
	if (d.kind == FDK_SOCKET) {
		t->net_recv += rd;
		t->net_sent += wr;
		if (!boring_addr(t, strchr(d.name, ' ') ? strrchr(d.name, ' ') + 1 : d.name)) {
			if (wr)
				line(out, prefix, "send %9s", human_bytes(wr, n, sizeof(n)));
			if (rd)
				line(out, prefix, "recv %9s", human_bytes(rd, n, sizeof(n)));
		}
	} else if (d.kind == FDK_FILE && !boring_path(t, d.name) && strncmp(d.name, "/dev/", 5)) {
		t->file_read += rd;
		t->file_written += wr;
	} else {
		t->other_read += rd;
		t->other_written += wr;
	}
}

static void on_mmap(struct track *t, const struct trace_call *c, const char *prefix,
		    struct strbuf *out)
{
	uint64_t start = (uint64_t)c->ret, len = c->args[1];
	int prot = (int)c->args[2], flags = (int)c->args[3], fd = (int)c->args[4];
	struct fdt_desc_info d;
	const char *what = "anon";
	char size[32];

	t->mmap_bytes += len;
	t->mmap_regions++;
	if (flags & 0x20 /* MAP_ANONYMOUS */) {
		struct proc_rec *p = proc(t, c->tgid);

		XGROW(p->anon, p->capanon, p->nanon + 1);
		p->anon[p->nanon++] = (struct region){ start, start + len };
	}
	if (!(flags & 0x20 /* MAP_ANONYMOUS */)) {
		/* a file's mapping follows its "open" line; -v shows every one */
		if (fdt_get(t->fdt, c->tgid, fd, &d, NULL) < 0 || boring_path(t, d.name) ||
		    !(prot & 2))
			return;
		what = d.name;
	}
	line(out, prefix, "mmap %llx-%llx %c%c%c %9s %s", (unsigned long long)start,
	     (unsigned long long)(start + len), prot & 1 ? 'r' : '-', prot & 2 ? 'w' : '-',
	     prot & 4 ? 'x' : '-', human_bytes(len, size, sizeof(size)), what);
}

static void on_brk(struct track *t, const struct trace_call *c)
{
	struct proc_rec *p = proc(t, c->tgid);
	uint64_t brk = (uint64_t)c->ret;

	if (!p->heap_start || c->args[0] == 0) {
		if (!p->heap_start)
			p->heap_start = brk;
		return;
	}
	p->heap_cur = brk > p->heap_start ? brk - p->heap_start : 0;
	if (p->heap_cur > p->heap_max)
		p->heap_max = p->heap_cur;
}

static void read_pair(const struct trace_call *c, uint64_t addr, int fds[2])
{
	if (call_mem(c, addr, fds, 2 * sizeof(int)) != (ssize_t)(2 * sizeof(int)))
		fds[0] = fds[1] = -1;
}

/* Every syscall track_call acts on: the default report's seccomp filter. */
static const long tracked[] = {
	SYS_open,	 SYS_creat,   SYS_openat,  SYS_openat2,	   SYS_close,
	SYS_close_range, SYS_dup,     SYS_dup2,	   SYS_dup3,	   SYS_fcntl,
	SYS_pipe,	 SYS_pipe2,   SYS_socket,  SYS_socketpair, SYS_eventfd,
	SYS_eventfd2,	 SYS_connect, SYS_accept,  SYS_accept4,	   SYS_read,
	SYS_readv,	 SYS_pread64, SYS_preadv,  SYS_preadv2,	   SYS_recvfrom,
	SYS_recvmsg,	 SYS_write,   SYS_writev,  SYS_pwrite64,   SYS_pwritev,
	SYS_pwritev2,	 SYS_sendto,  SYS_sendmsg, SYS_sendfile,   SYS_copy_file_range,
	SYS_splice,	 SYS_mmap,    SYS_munmap,  SYS_brk,	   SYS_execve,
	SYS_execveat,
};

void track_syscalls(uint8_t *set, size_t len)
{
	for (size_t i = 0; i < sizeof(tracked) / sizeof(tracked[0]); i++)
		if ((size_t)tracked[i] / 8 < len)
			set[tracked[i] / 8] |= (uint8_t)(1u << (tracked[i] % 8));
}

void track_call(struct track *t, const struct trace_call *c, const char *prefix, struct strbuf *out)
{
	int fds[2];
	uint64_t r = c->ret > 0 ? (uint64_t)c->ret : 0;

	if (decode_arch(c->arch) != SYSTAB_ARCH_X86_64)
		return; /* a 32-bit call: its numbers are not these */
	if (c->unfinished || c->is_error) {
		if (c->nr == SYS_connect && c->ret == -115)
			on_connect(t, c, prefix, out);
		return;
	}
	switch (c->nr) {
	case SYS_open:
		on_open(t, c, AT_FDCWD, 0, (int)c->args[1], prefix, out);
		break;
	case SYS_creat:
		on_open(t, c, AT_FDCWD, 0, O_WRONLY | O_CREAT | O_TRUNC, prefix, out);
		break;
	case SYS_openat:
		on_open(t, c, (int)c->args[0], 1, (int)c->args[2], prefix, out);
		break;
	case SYS_openat2:
		on_open(t, c, (int)c->args[0], 1, 0, prefix, out);
		break;
	case SYS_close:
		fdt_close(t->fdt, c->tgid, (int)c->args[0]);
		break;
	case SYS_close_range:
		fdt_close_range(t->fdt, c->tgid, (unsigned)c->args[0], (unsigned)c->args[1],
				(unsigned)c->args[2]);
		break;
	case SYS_dup:
		fdt_dup(t->fdt, c->tgid, (int)c->args[0], (int)c->ret, false);
		break;
	case SYS_dup2:
		fdt_dup(t->fdt, c->tgid, (int)c->args[0], (int)c->args[1], false);
		break;
	case SYS_dup3:
		fdt_dup(t->fdt, c->tgid, (int)c->args[0], (int)c->args[1], c->args[2] & O_CLOEXEC);
		break;
	case SYS_fcntl:
		if (c->args[1] == F_DUPFD || c->args[1] == F_DUPFD_CLOEXEC)
			fdt_dup(t->fdt, c->tgid, (int)c->args[0], (int)c->ret,
				c->args[1] == F_DUPFD_CLOEXEC);
		else if (c->args[1] == F_SETFD)
			fdt_set_cloexec(t->fdt, c->tgid, (int)c->args[0], c->args[2] & FD_CLOEXEC);
		break;
	case SYS_pipe:
	case SYS_pipe2:
		read_pair(c, c->args[0], fds);
		for (int i = 0; i < 2; i++)
			if (fds[i] >= 0)
				fdt_set(t->fdt, c->tgid, fds[i], FDK_PIPE, "pipe",
					c->nr == SYS_pipe2 && (c->args[1] & O_CLOEXEC) ? FDT_CLOEXEC
										       : 0);
		break;
	case SYS_socket:
		fdt_set(t->fdt, c->tgid, (int)c->ret, FDK_SOCKET,
			proto_of((int)c->args[0], (int)c->args[1]),
			(c->args[1] & SOCK_CLOEXEC) ? FDT_CLOEXEC : 0);
		break;
	case SYS_socketpair:
		read_pair(c, c->args[3], fds);
		for (int i = 0; i < 2; i++)
			if (fds[i] >= 0)
				fdt_set(t->fdt, c->tgid, fds[i], FDK_SOCKET, "unix pair", 0);
		break;
	case SYS_eventfd:
	case SYS_eventfd2:
		fdt_set(t->fdt, c->tgid, (int)c->ret, FDK_EVENTFD, "eventfd", 0);
		break;
	case SYS_connect:
		on_connect(t, c, prefix, out);
		break;
	case SYS_accept:
	case SYS_accept4:
		on_accept(t, c, prefix, out);
		break;
	case SYS_read:
	case SYS_readv:
	case SYS_pread64:
	case SYS_preadv:
	case SYS_preadv2:
	case SYS_recvfrom:
	case SYS_recvmsg:
		on_io(t, c, (int)c->args[0], r, 0, prefix, out);
		break;
	case SYS_write:
	case SYS_writev:
	case SYS_pwrite64:
	case SYS_pwritev:
	case SYS_pwritev2:
	case SYS_sendto:
	case SYS_sendmsg:
		on_io(t, c, (int)c->args[0], 0, r, prefix, out);
		break;
	case SYS_sendfile:
		on_io(t, c, (int)c->args[1], r, 0, prefix, out);
		on_io(t, c, (int)c->args[0], 0, r, prefix, out);
		break;
	case SYS_copy_file_range:
	case SYS_splice:
		on_io(t, c, (int)c->args[0], r, 0, prefix, out);
		on_io(t, c, (int)c->args[2], 0, r, prefix, out);
		break;
	case SYS_mmap:
		on_mmap(t, c, prefix, out);
		break;
	case SYS_munmap: {
		char size[32];

		/* the summary counts what was mapped, not what is left */
		line(out, prefix, "munmap %llx-%llx %9s", (unsigned long long)c->args[0],
		     (unsigned long long)(c->args[0] + c->args[1]),
		     human_bytes(c->args[1], size, sizeof(size)));
		break;
	} break;
	case SYS_brk:
		on_brk(t, c);
		break;
	case SYS_execve:
	case SYS_execveat: {
		size_t argc = 0;
		bool more = false;
		const char *const *argv = decode_argv(c, &argc, &more);
		struct proc_rec *p = proc(t, c->tgid);
		struct strbuf cmd = STRBUF_INIT;

		for (size_t i = 0; argv && i < argc; i++) {
			if (i)
				strbuf_addc(&cmd, ' ');
			strbuf_adds(&cmd, argv[i]);
		}
		if (more)
			strbuf_adds(&cmd, " ...");
		free(p->cmd);
		p->cmd = xstrdup(strbuf_str(&cmd));
		p->heap_start = p->heap_cur = 0; /* a new program, a new heap */
		line(out, prefix, "─── %s exec ───", p->cmd);
		strbuf_release(&cmd);
		break;
	}
	default:
		break;
	}
}

void track_spawn(struct track *t, pid_t parent_tid, pid_t parent_tgid, pid_t child, bool thread,
		 const char *via, const char *prefix, struct strbuf *out)
{
	struct proc_rec *parent, *p;

	if (thread) {
		line(out, prefix, "─── thread %d → %d (%s) ───", (int)parent_tid, (int)child, via);
		return;
	}
	fdt_fork(t->fdt, parent_tgid, child);
	parent = proc(t, parent_tgid);
	p = proc(t, child);
	parent = proc(t, parent_tgid); /* proc() may have moved the array */
	p = proc(t, child);
	p->parent = parent_tgid;
	p->cmd = xstrdup(parent->cmd ? parent->cmd : "");
	p->heap_start = parent->heap_start;
	line(out, prefix, "─── process %d → %d (%s) ───", (int)parent_tid, (int)child, via);
}

void track_exec(struct track *t, pid_t tgid, const char *prefix, struct strbuf *out)
{
	(void)prefix;
	(void)out;
	fdt_exec(t->fdt, tgid);
}

void track_exit(struct track *t, pid_t tgid, int status)
{
	struct proc_rec *p = proc(t, tgid);

	p->exited = true;
	p->status = status;
	fdt_exit(t->fdt, tgid);
}

void track_fault(struct track *t, pid_t pid, uint64_t addr)
{
	t->faults = true;
	for (size_t i = 0; i < t->np; i++) {
		const struct proc_rec *p = &t->p[i];

		if (p->tgid != pid)
			continue;
		if (p->heap_start && addr >= p->heap_start && addr < p->heap_start + p->heap_max) {
			t->faults_heap++;
			return;
		}
		for (size_t k = 0; k < p->nanon; k++) {
			if (addr >= p->anon[k].start && addr < p->anon[k].end) {
				t->faults_anon++;
				return;
			}
		}
	}
	t->faults_other++;
}

void track_faults_lost(struct track *t, uint64_t lost)
{
	t->faults = true;
	t->faults_lost += lost;
}

void track_seed(struct track *t, pid_t tgid)
{
	fdt_seed_from_proc(t->fdt, tgid);
}

struct file_sum {
	char *path;
	uint64_t opens, read_bytes, written_bytes;
};

struct conn_sum {
	const char *name; /* valid while the tracker lives */
	uint64_t sent, received;
};

/* What the summary lists, gathered once for the text and the JSON forms. */
struct sum_ctx {
	const struct track *t;
	struct file_sum *files; /* merged by path, busiest first */
	size_t nfiles, capfiles;
	struct conn_sum *conns;
	size_t nconns, capconns;
	uint64_t heap;
};

static int by_path(const void *a, const void *b)
{
	return strcmp(((const struct file_sum *)a)->path, ((const struct file_sum *)b)->path);
}

static int by_bytes(const void *a, const void *b)
{
	const struct file_sum *x = a, *y = b;
	uint64_t bx = x->read_bytes + x->written_bytes, by = y->read_bytes + y->written_bytes;

	if (bx != by)
		return bx < by ? 1 : -1;
	return strcmp(x->path, y->path);
}

static void summarize_desc(void *arg, const struct fdt_desc_info *d)
{
	struct sum_ctx *s = arg;

	if (d->kind == FDK_FILE && !boring_path(s->t, d->name)) {
		XGROW(s->files, s->capfiles, s->nfiles + 1);
		s->files[s->nfiles++] =
			(struct file_sum){ xstrdup(d->name), 1, d->read_bytes, d->written_bytes };
	} else if (d->kind == FDK_SOCKET && strstr(d->name, " ") &&
		   !boring_addr(s->t, strrchr(d->name, ' ') + 1)) {
		XGROW(s->conns, s->capconns, s->nconns + 1);
		s->conns[s->nconns++] =
			(struct conn_sum){ d->name, d->written_bytes, d->read_bytes };
	}
}

/* Files merged by path (opened once or a thousand times), busiest first; heap summed. */
static void gather(const struct track *t, struct sum_ctx *s)
{
	size_t n = 0;

	memset(s, 0, sizeof(*s));
	s->t = t;
	for (size_t i = 0; i < t->np; i++)
		s->heap += t->p[i].heap_max;
	fdt_foreach_desc(t->fdt, summarize_desc, s);
	if (!s->nfiles)
		return;
	qsort(s->files, s->nfiles, sizeof(*s->files), by_path);
	for (size_t i = 0; i < s->nfiles; i++) {
		if (n && !strcmp(s->files[n - 1].path, s->files[i].path)) {
			s->files[n - 1].opens += s->files[i].opens;
			s->files[n - 1].read_bytes += s->files[i].read_bytes;
			s->files[n - 1].written_bytes += s->files[i].written_bytes;
			free(s->files[i].path);
			continue;
		}
		s->files[n++] = s->files[i];
	}
	s->nfiles = n;
	qsort(s->files, n, sizeof(*s->files), by_bytes);
}

static void gather_release(struct sum_ctx *s)
{
	for (size_t i = 0; i < s->nfiles; i++)
		free(s->files[i].path);
	free(s->files);
	free(s->conns);
}

/* The files, one line each, at most max. */
static void list_files(const struct sum_ctx *s, size_t max, struct strbuf *out)
{
	if (!s->nfiles)
		return;
	strbuf_addf(out, " Files (%zu):\n", s->nfiles);
	for (size_t i = 0; i < s->nfiles && i < max; i++) {
		char r[32], w[32];

		strbuf_addf(out, "   %s", s->files[i].path);
		if (s->files[i].opens > 1)
			strbuf_addf(out, " (%llu opens)", (unsigned long long)s->files[i].opens);
		if (s->files[i].read_bytes)
			strbuf_addf(out, " read %s",
				    human_bytes(s->files[i].read_bytes, r, sizeof(r)));
		if (s->files[i].written_bytes)
			strbuf_addf(out, " written %s",
				    human_bytes(s->files[i].written_bytes, w, sizeof(w)));
		strbuf_addc(out, '\n');
	}
	if (s->nfiles > max)
		strbuf_addf(out, "   ... and %zu more (spiketrace trace --json lists them all)\n",
			    s->nfiles - max);
}

void track_summary_json(const struct track *t, int exit_status, struct json_writer *w)
{
	struct sum_ctx s;

	gather(t, &s);
	json_key(w, "memory");
	json_obj_begin(w);
	json_kv_uint(w, "heap_bytes", s.heap);
	json_kv_uint(w, "mmap_bytes", t->mmap_bytes);
	json_kv_uint(w, "mmap_regions", t->mmap_regions);
	json_obj_end(w);
	json_key(w, "io");
	json_obj_begin(w);
	json_kv_uint(w, "file_read_bytes", t->file_read);
	json_kv_uint(w, "file_written_bytes", t->file_written);
	json_kv_uint(w, "net_sent_bytes", t->net_sent);
	json_kv_uint(w, "net_received_bytes", t->net_recv);
	json_kv_uint(w, "other_read_bytes", t->other_read);
	json_kv_uint(w, "other_written_bytes", t->other_written);
	json_obj_end(w);
	json_key(w, "files");
	json_arr_begin(w);
	for (size_t i = 0; i < s.nfiles; i++) {
		json_obj_begin(w);
		json_kv_str(w, "path", s.files[i].path);
		json_kv_uint(w, "opens", s.files[i].opens);
		json_kv_uint(w, "read_bytes", s.files[i].read_bytes);
		json_kv_uint(w, "written_bytes", s.files[i].written_bytes);
		json_obj_end(w);
	}
	json_arr_end(w);
	json_key(w, "connections");
	json_arr_begin(w);
	for (size_t i = 0; i < s.nconns; i++) {
		json_obj_begin(w);
		json_kv_str(w, "name", s.conns[i].name);
		json_kv_uint(w, "sent_bytes", s.conns[i].sent);
		json_kv_uint(w, "received_bytes", s.conns[i].received);
		json_obj_end(w);
	}
	json_arr_end(w);
	json_key(w, "processes");
	json_arr_begin(w);
	for (size_t i = 0; i < t->np; i++) {
		const struct proc_rec *p = &t->p[i];

		json_obj_begin(w);
		json_kv_int(w, "pid", p->tgid);
		json_kv_int(w, "ppid", p->parent);
		json_kv_str(w, "command", p->cmd ? p->cmd : "");
		json_key(w, "status");
		if (!p->exited)
			json_null(w);
		else
			json_int(w, WIFSIGNALED(p->status) ? 128 + WTERMSIG(p->status)
							   : WEXITSTATUS(p->status));
		json_obj_end(w);
	}
	json_arr_end(w);
	json_key(w, "page_faults");
	if (!t->faults) {
		json_null(w);
	} else {
		json_obj_begin(w);
		json_kv_uint(w, "heap", t->faults_heap);
		json_kv_uint(w, "anon", t->faults_anon);
		json_kv_uint(w, "other", t->faults_other);
		json_kv_uint(w, "lost", t->faults_lost);
		json_obj_end(w);
	}
	json_kv_int(w, "exit_status", exit_status);
	gather_release(&s);
}

void track_summary(const struct track *t, const char *title, double seconds, int exit_status,
		   struct strbuf *out)
{
	static const char rule[] =
		"━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━\n";
	struct sum_ctx s;
	uint64_t heap;
	char a[32], b[32], c3[32];

	gather(t, &s);
	heap = s.heap;
	strbuf_adds(out, "\n");
	strbuf_adds(out, rule);
	strbuf_addf(out, " FINAL: %s (%.2fs)\n", title, seconds);
	strbuf_adds(out, rule);
	strbuf_adds(out, " Memory:\n");
	strbuf_addf(out, "   Heap:     %s\n", human_bytes(heap, a, sizeof(a)));
	strbuf_addf(out, "   Mmap:     %s (%llu regions)\n",
		    human_bytes(t->mmap_bytes, b, sizeof(b)), (unsigned long long)t->mmap_regions);
	strbuf_addf(out, "   Total:    %s\n", human_bytes(heap + t->mmap_bytes, c3, sizeof(c3)));
	strbuf_adds(out, " I/O:\n");
	strbuf_addf(out, "   Files read:     %10s\n", human_bytes(t->file_read, a, sizeof(a)));
	strbuf_addf(out, "   Files written:  %10s\n", human_bytes(t->file_written, a, sizeof(a)));
	strbuf_addf(out, "   Net sent:       %10s\n", human_bytes(t->net_sent, a, sizeof(a)));
	strbuf_addf(out, "   Net received:   %10s\n", human_bytes(t->net_recv, a, sizeof(a)));
	strbuf_addf(out, "   Other (pipes, terminals, hidden paths): read %s, written %s\n",
		    human_bytes(t->other_read, a, sizeof(a)),
		    human_bytes(t->other_written, b, sizeof(b)));
	list_files(&s, 30, out);
	if (s.nconns) {
		strbuf_addf(out, " Network connections (%zu):\n", s.nconns);
		for (size_t i = 0; i < s.nconns; i++)
			strbuf_addf(out, "   %s (sent %s, received %s)\n", s.conns[i].name,
				    human_bytes(s.conns[i].sent, a, sizeof(a)),
				    human_bytes(s.conns[i].received, b, sizeof(b)));
	}
	if (t->np > 1) {
		strbuf_addf(out, " Processes (%zu):\n", t->np);
		for (size_t i = 0; i < t->np; i++) {
			const struct proc_rec *p = &t->p[i];

			strbuf_addf(out, "   %d %s", (int)p->tgid, p->cmd ? p->cmd : "?");
			if (!p->exited)
				strbuf_adds(out, " (running)\n");
			else if (WIFSIGNALED(p->status))
				strbuf_addf(out, " (killed by %s)\n",
					    systab_value_name(systab_signals,
							      (unsigned)WTERMSIG(p->status))
						    ?: "a signal");
			else
				strbuf_addf(out, " (exit %d)\n", WEXITSTATUS(p->status));
		}
	}
	if (t->faults) {
		strbuf_addf(out, " Page faults: %llu minor (heap %llu, anon %llu, other %llu)",
			    (unsigned long long)(t->faults_heap + t->faults_anon + t->faults_other),
			    (unsigned long long)t->faults_heap, (unsigned long long)t->faults_anon,
			    (unsigned long long)t->faults_other);
		if (t->faults_lost)
			strbuf_addf(out, ", %llu not recorded (ring full)",
				    (unsigned long long)t->faults_lost);
		strbuf_addc(out, '\n');
	}
	strbuf_addf(out, " Exit: %d\n", exit_status);
	strbuf_adds(out, rule);
	gather_release(&s);
}
