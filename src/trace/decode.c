/* decode.c - strace-style syscall text: what must be read early captured at entry, the line at
 * exit. */
#include "trace/decode.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/netlink.h>
#include <netinet/in.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/timerfd.h>
#include <sys/un.h>

#include "base/strbuf.h"
#include "base/xalloc.h"
#include "sys/tracee.h"
#include "trace/engine.h"
#include "trace/systab.h"

#define PAGE_BYTES     4096u
#define PATH_CAP       4096u  /* bytes kept of a file name or other string: PATH_MAX */
#define ARGV_MIN_ELEMS 32u    /* execve argv elements kept, at least */
#define ARGV_MIN_BYTES 256u   /* bytes kept of each, at least */
#define ENVP_COUNT_MAX 65536L /* envp entries counted, at most */
#define FLAGS_TEXT     512u   /* room for a flag list before it needs the heap */

#ifndef O_TMPFILE_MASK
#define O_TMPFILE_MASK (O_TMPFILE & ~O_DIRECTORY) /* the kernel's __O_TMPFILE */
#endif
#ifndef CLONE_PIDFD
#define CLONE_PIDFD 0x1000
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif

/* Bytes read from the tracee: a NUL-terminated copy of what was kept. */
struct cap_bytes {
	char *data; /* NULL: not captured, or unreadable */
	size_t len; /* bytes in data */
	bool more;  /* the string or buffer went on past what was kept */
};

/* One struct iovec and the head of its data. */
struct cap_iov {
	uint64_t base, len;
	struct cap_bytes data;
};

struct iov_list {
	struct cap_iov *v;
	size_t n;
	bool more; /* the array went on past v */
};

/* What decode_enter keeps in trace_call.priv. */
struct decode_cap {
	struct cap_bytes arg[6]; /* A_PATH, A_STR, A_BUF_IN, input A_SOCKADDR */
	uint32_t socklen_in;	 /* the length an accept-style call passed in */
	bool has_socklen;
	int argv_arg; /* index of the captured argv, -1 when none */
	struct cap_bytes *argv;
	const char **argv_str; /* argv[i].data, "" when unreadable */
	size_t argc;
	bool argv_more;
	long envc;   /* envp entries, -1 when not counted */
	int iov_arg; /* index of the captured input iovec array, -1 when none */
	struct iov_list iov;
};

/* ---- per-syscall peculiarities (strace's dedicated decoders, kept to the ones that matter) ----
 */

enum iov_dir {
	IOV_IN = 0, /* data the tracee hands over: captured at entry (writev) */
	IOV_OUT,  /* data the kernel fills in: read at exit, as much as the return value (readv) */
	IOV_ADDR, /* addresses of another process: shown, never read */
};

struct fmt;

struct special {
	const char *name;
	void (*args)(struct fmt *f);	  /* prints the arguments itself; NULL: by their kinds */
	bool off_hex;			  /* A_OFF in hex: mmap's page-aligned file offsets */
	bool hex_data;			  /* buffers as \xNN bytes: random data (getrandom) */
	const struct flag_name *flags[6]; /* a table for an A_HEX argument */
	unsigned char iov[6];		  /* enum iov_dir of each A_IOVEC argument */
};

/* The state of one line being formatted. */
struct fmt {
	const struct mem_reader *m;
	const struct trace_call *c;
	const struct syscall_def *d;
	const struct special *sp;
	const struct decode_cap *cap;
	struct strbuf *out;
	size_t strsize;
	bool ok;	/* exited with success: what the kernel wrote can be read */
	unsigned nargs; /* arguments printed so far */
};

static void fmt_clone(struct fmt *f);
static void fmt_clone3(struct fmt *f);
static void fmt_fcntl(struct fmt *f);
static void fmt_pipe(struct fmt *f);

/* The O_* flags pipe2 and dup3 take (without the access mode, which would name 0 O_RDONLY). */
static const struct flag_name pipe_flags[] = {
	{ O_NONBLOCK, 0, "O_NONBLOCK", NULL },
	{ O_DIRECT, 0, "O_DIRECT", NULL },
	{ O_CLOEXEC, 0, "O_CLOEXEC", NULL },
	{ 0, 0, NULL, NULL },
};

/* clang-format off */
static const struct flag_name epoll_flags[] = {
	{ EPOLL_CLOEXEC, 0, "EPOLL_CLOEXEC", NULL },
	{ 0, 0, NULL, NULL },
};

static const struct flag_name efd_flags[] = {
	{ EFD_SEMAPHORE, 0, "EFD_SEMAPHORE", NULL },
	{ EFD_NONBLOCK, 0, "EFD_NONBLOCK", NULL },
	{ EFD_CLOEXEC, 0, "EFD_CLOEXEC", NULL },
	{ 0, 0, NULL, NULL },
};

static const struct flag_name tfd_flags[] = {
	{ TFD_NONBLOCK, 0, "TFD_NONBLOCK", NULL },
	{ TFD_CLOEXEC, 0, "TFD_CLOEXEC", NULL },
	{ 0, 0, NULL, NULL },
};

static const struct flag_name sfd_flags[] = {
	{ SFD_NONBLOCK, 0, "SFD_NONBLOCK", NULL },
	{ SFD_CLOEXEC, 0, "SFD_CLOEXEC", NULL },
	{ 0, 0, NULL, NULL },
};

static const struct flag_name in_flags[] = {
	{ IN_NONBLOCK, 0, "IN_NONBLOCK", NULL },
	{ IN_CLOEXEC, 0, "IN_CLOEXEC", NULL },
	{ 0, 0, NULL, NULL },
};

static const struct flag_name mfd_flags[] = {
	{ 0x1, 0, "MFD_CLOEXEC", NULL },
	{ 0x2, 0, "MFD_ALLOW_SEALING", NULL },
	{ 0x4, 0, "MFD_HUGETLB", NULL },
	{ 0x8, 0, "MFD_NOEXEC_SEAL", NULL },
	{ 0x10, 0, "MFD_EXEC", NULL },
	{ 0, 0, NULL, NULL },
};

static const struct flag_name grnd_flags[] = {
	{ 0x1, 0, "GRND_NONBLOCK", NULL },
	{ 0x2, 0, "GRND_RANDOM", NULL },
	{ 0x4, 0, "GRND_INSECURE", NULL },
	{ 0, 0, NULL, NULL },
};
/* clang-format on */

static const struct special specials[] = {
	{ .name = "clone", .args = fmt_clone },
	{ .name = "clone3", .args = fmt_clone3 },
	{ .name = "fcntl", .args = fmt_fcntl },
	{ .name = "pipe", .args = fmt_pipe },
	{ .name = "pipe2", .args = fmt_pipe },
	{ .name = "accept4", .flags = { [3] = systab_sock_types } },
	{ .name = "dup3", .flags = { [2] = pipe_flags } },
	{ .name = "epoll_create1", .flags = { [0] = epoll_flags } },
	{ .name = "eventfd2", .flags = { [1] = efd_flags } },
	{ .name = "timerfd_create", .flags = { [1] = tfd_flags } },
	{ .name = "signalfd4", .flags = { [3] = sfd_flags } },
	{ .name = "inotify_init1", .flags = { [0] = in_flags } },
	{ .name = "memfd_create", .flags = { [1] = mfd_flags } },
	{ .name = "getrandom", .hex_data = true, .flags = { [2] = grnd_flags } },
	{ .name = "mmap", .off_hex = true },
	{ .name = "readv", .iov = { [1] = IOV_OUT } },
	{ .name = "preadv", .iov = { [1] = IOV_OUT } },
	{ .name = "preadv2", .iov = { [1] = IOV_OUT } },
	{ .name = "process_vm_readv", .iov = { [1] = IOV_OUT, [3] = IOV_ADDR } },
	{ .name = "process_vm_writev", .iov = { [3] = IOV_ADDR } },
	{ .name = "process_madvise", .iov = { [1] = IOV_ADDR } },
};

static const struct special *special_get(const struct syscall_def *d)
{
	for (size_t i = 0; i < sizeof(specials) / sizeof(specials[0]); i++)
		if (strcmp(specials[i].name, d->name) == 0)
			return &specials[i];
	return NULL;
}

static enum iov_dir iov_dir(const struct special *sp, unsigned i)
{
	return sp ? (enum iov_dir)sp->iov[i] : IOV_IN;
}

/* The kernel-internal restart codes a tracer sees, with strace's words for them. */
static const struct {
	int err;
	const char *text;
} restarts[] = {
	{ 512, "To be restarted if SA_RESTART is set" }, /* ERESTARTSYS */
	{ 513, "To be restarted" },			 /* ERESTARTNOINTR */
	{ 514, "To be restarted if no handler" },	 /* ERESTARTNOHAND */
	{ 516, "Interrupted by signal" },		 /* ERESTART_RESTARTBLOCK */
};

/* ---- reading tracee memory ---- */

static ssize_t ptrace_reader(void *ctx, uint64_t addr, void *buf, size_t len)
{
	return ptrace_read_mem((pid_t)(intptr_t)ctx, addr, buf, len);
}

struct mem_reader decode_reader_ptrace(pid_t tid)
{
	struct mem_reader m = { ptrace_reader, (void *)(intptr_t)tid };

	return m;
}

/*
 * Reads up to len bytes in pieces that do not cross a page, so that a range running into an
 * unmapped page still yields what comes before it (process_vm_readv does not split an iovec).
 * Returns the bytes read.
 */
static size_t mem_read(const struct mem_reader *m, uint64_t addr, void *buf, size_t len)
{
	size_t done = 0;

	while (done < len) {
		size_t page_left = PAGE_BYTES - ((addr + done) & (PAGE_BYTES - 1));
		size_t want = len - done < page_left ? len - done : page_left;
		ssize_t n = m->read(m->ctx, addr + done, (char *)buf + done, want);

		if (n <= 0)
			break;
		done += (size_t)n;
		if ((size_t)n < want)
			break;
	}
	return done;
}

/* Reads exactly want bytes at addr into b (more is kept as given); false when they are not all
 * there. */
static bool read_bytes(const struct mem_reader *m, uint64_t addr, size_t want, bool more,
		       struct cap_bytes *b)
{
	char *data = xmalloc(want + 1);

	if (mem_read(m, addr, data, want) < want) {
		free(data);
		return false;
	}
	data[want] = '\0';
	b->data = data;
	b->len = want;
	b->more = more;
	return true;
}

/*
 * Reads the NUL-terminated string at addr, keeping at most max bytes of it; more is set when it
 * goes on. False when it cannot be read up to its end or to max.
 */
static bool read_str(const struct mem_reader *m, uint64_t addr, size_t max, struct cap_bytes *b)
{
	struct strbuf sb = STRBUF_INIT;
	char chunk[PAGE_BYTES];
	bool more = false, ended = false;

	/* one byte past max tells a string of exactly max bytes from a longer one */
	while (!ended && sb.len <= max) {
		size_t page_left = PAGE_BYTES - ((addr + sb.len) & (PAGE_BYTES - 1));
		size_t want = max + 1 - sb.len < page_left ? max + 1 - sb.len : page_left;
		ssize_t n = m->read(m->ctx, addr + sb.len, chunk, want);
		char *nul;

		if (n <= 0)
			break;
		nul = memchr(chunk, '\0', (size_t)n);
		if (nul) {
			n = nul - chunk;
			ended = true;
		}
		strbuf_add(&sb, chunk, (size_t)n);
		if (!ended && (size_t)n < want)
			break;
	}
	if (!ended && sb.len <= max) { /* ran into unreadable memory: the kernel says EFAULT */
		strbuf_release(&sb);
		return false;
	}
	if (sb.len > max) {
		sb.len = max;
		more = true;
	}
	strbuf_addc(&sb, '\0'); /* allocates an empty string too */
	b->data = sb.buf;
	b->len = sb.len - 1;
	b->more = more;
	return true;
}

static void cap_bytes_free(struct cap_bytes *b)
{
	free(b->data);
	b->data = NULL;
}

/* Reads the iovec array at addr (count elements, at most max of them, each with the first
 * max bytes of its data, of at most data_left bytes in all unless data_left is SIZE_MAX). */
static bool read_iovs(const struct mem_reader *m, uint64_t addr, long long count, size_t max,
		      bool with_data, size_t data_left, struct iov_list *l)
{
	size_t n = count < 0 ? 0 : (unsigned long long)count < max ? (size_t)count : max;
	uint64_t *raw;

	memset(l, 0, sizeof(*l));
	if (count < 0)
		return false;
	raw = xcalloc(n ? n : 1, 2 * sizeof(uint64_t));
	if (mem_read(m, addr, raw, n * 2 * sizeof(uint64_t)) < n * 2 * sizeof(uint64_t)) {
		free(raw);
		return false;
	}
	l->v = xcalloc(n ? n : 1, sizeof(*l->v));
	l->n = n;
	l->more = (unsigned long long)count > n;
	for (size_t j = 0; j < n; j++) {
		struct cap_iov *v = &l->v[j];
		size_t shown;

		v->base = raw[2 * j];
		v->len = raw[2 * j + 1];
		if (!with_data)
			continue;
		shown = v->len < data_left ? (size_t)v->len : data_left;
		if (data_left != SIZE_MAX)
			data_left -= shown;
		/* data.len holds what the element carried, data what is shown of it */
		if (read_bytes(m, v->base, shown < max ? shown : max, false, &v->data))
			v->data.len = shown;
	}
	free(raw);
	return true;
}

static void iov_list_release(struct iov_list *l)
{
	for (size_t j = 0; j < l->n; j++)
		cap_bytes_free(&l->v[j].data);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

/* Counts the pointers of a NULL-terminated array; -1 when it cannot be read to its end. */
static long count_ptrs(const struct mem_reader *m, uint64_t addr)
{
	uint64_t buf[512];
	long n = 0;

	while (n < ENVP_COUNT_MAX) {
		size_t got = mem_read(m, addr + (uint64_t)n * 8, buf, sizeof(buf)) / 8;

		for (size_t k = 0; k < got; k++)
			if (!buf[k])
				return n + (long)k;
		n += (long)got;
		if (got < sizeof(buf) / 8)
			return -1;
	}
	return n;
}

static void cap_argv(const struct mem_reader *m, uint64_t addr, size_t elems, size_t bytes,
		     struct decode_cap *cap)
{
	uint64_t *ptrs = xcalloc(elems + 1, sizeof(uint64_t));
	size_t got = mem_read(m, addr, ptrs, (elems + 1) * sizeof(uint64_t)) / sizeof(uint64_t);
	size_t n = 0;

	if (!got) {
		free(ptrs);
		return;
	}
	while (n < got && ptrs[n])
		n++;
	cap->argv_more = n > elems;
	if (n > elems)
		n = elems;
	cap->argv = xcalloc(n ? n : 1, sizeof(*cap->argv));
	cap->argv_str = xcalloc(n + 1, sizeof(*cap->argv_str));
	for (size_t j = 0; j < n; j++) {
		read_str(m, ptrs[j], bytes, &cap->argv[j]);
		cap->argv_str[j] = cap->argv[j].data ? cap->argv[j].data : "";
	}
	cap->argc = n;
	free(ptrs);
}

/* Whether d has an argument whose memory is read before the call runs. */
static bool needs_capture(const struct syscall_def *d, const struct special *sp)
{
	for (unsigned i = 0; i < d->nargs && i < 6; i++) {
		switch (d->args[i]) {
		case A_PATH:
		case A_STR:
		case A_BUF_IN:
		case A_SOCKADDR:
		case A_ARGV:
			return true;
		case A_IOVEC:
			if (iov_dir(sp, i) == IOV_IN)
				return true;
			break;
		default:
			break;
		}
	}
	return false;
}

/* The capture of a call with nothing to capture. */
static const struct decode_cap no_capture = { .argv_arg = -1, .envc = -1, .iov_arg = -1 };

/*
 * What the arguments of c hand the kernel, read now (at entry, or at exit without a capture);
 * NULL when there is nothing to read.
 */
static struct decode_cap *capture(const struct mem_reader *m, const struct trace_call *c,
				  const struct syscall_def *d, const struct special *sp,
				  size_t strsize)
{
	struct decode_cap *cap;

	if (!needs_capture(d, sp))
		return NULL;
	cap = xcalloc(1, sizeof(*cap));
	cap->argv_arg = cap->iov_arg = -1;
	cap->envc = -1;
	for (unsigned i = 0; i < d->nargs && i < 6; i++) {
		uint64_t v = c->args[i], next = i + 1 < 6 ? c->args[i + 1] : 0;
		bool next_ptr = i + 1 < d->nargs && d->args[i + 1] == A_PTR;
		uint32_t len32;

		switch (d->args[i]) {
		case A_PATH:
		case A_STR:
			if (v)
				read_str(m, v, PATH_CAP, &cap->arg[i]);
			break;
		case A_BUF_IN:
			if (v)
				read_bytes(m, v, next < strsize ? (size_t)next : strsize,
					   next > strsize, &cap->arg[i]);
			break;
		case A_SOCKADDR:
			if (next_ptr) {
				if (next && mem_read(m, next, &len32, 4) == 4) {
					cap->socklen_in = len32;
					cap->has_socklen = true;
				}
			} else if (v) {
				size_t want = next < sizeof(struct sockaddr_storage)
						      ? (size_t)next
						      : sizeof(struct sockaddr_storage);

				read_bytes(m, v, want, false, &cap->arg[i]);
			}
			break;
		case A_ARGV:
			if (cap->argv_arg < 0) {
				cap->argv_arg = (int)i;
				if (v)
					cap_argv(
						m, v,
						strsize > ARGV_MIN_ELEMS ? strsize : ARGV_MIN_ELEMS,
						strsize > ARGV_MIN_BYTES ? strsize : ARGV_MIN_BYTES,
						cap);
			} else if (v) {
				cap->envc = count_ptrs(m, v);
			}
			break;
		case A_IOVEC:
			if (v && cap->iov_arg < 0 && iov_dir(sp, i) == IOV_IN &&
			    read_iovs(m, v, (long long)(int)next, strsize, true, SIZE_MAX,
				      &cap->iov))
				cap->iov_arg = (int)i;
			break;
		default:
			break;
		}
	}
	return cap;
}

static void cap_free(struct decode_cap *cap)
{
	if (!cap)
		return;
	for (unsigned i = 0; i < 6; i++)
		cap_bytes_free(&cap->arg[i]);
	for (size_t j = 0; j < cap->argc; j++)
		cap_bytes_free(&cap->argv[j]);
	free(cap->argv);
	free(cap->argv_str);
	iov_list_release(&cap->iov);
	free(cap);
}

/* ---- public helpers ---- */

int decode_arch(uint32_t audit_arch)
{
	switch (audit_arch) {
	case AUDIT_ARCH_X86_64:
		return SYSTAB_ARCH_X86_64;
	case 0:
#ifdef __x86_64__
		return SYSTAB_ARCH_X86_64;
#else
		return -1;
#endif
	default:
		return -1;
	}
}

static size_t opt_strsize(const struct decode_opts *o)
{
	return o && o->strsize ? o->strsize : DECODE_STRSIZE_DEFAULT;
}

static bool names_something(const struct syscall_def *d)
{
	for (unsigned i = 0; i < d->nargs && i < 6; i++)
		if (d->args[i] == A_PATH || d->args[i] == A_STR || d->args[i] == A_SOCKADDR ||
		    d->args[i] == A_ARGV)
			return true;
	return false;
}

void decode_enter(const struct mem_reader *m, struct trace_call *c, const struct decode_opts *o)
{
	int arch = decode_arch(c->arch);
	const struct syscall_def *d = arch >= 0 ? systab_get(arch, c->nr) : NULL;

	decode_release(c);
	if (!d) /* raw mode captures too: the sinks name fds from the capture */
		return;
	if (o && o->names_only && !names_something(d))
		return; /* e.g. write: its data is a printer's business, not a tracker's */
	c->priv = capture(m, c, d, special_get(d), opt_strsize(o));
}

void decode_release(struct trace_call *c)
{
	cap_free(c->priv);
	c->priv = NULL;
}

const char *decode_arg_str(const struct trace_call *c, unsigned i)
{
	const struct decode_cap *cap = c->priv;

	return cap && i < 6 ? cap->arg[i].data : NULL;
}

const void *decode_arg_data(const struct trace_call *c, unsigned i, size_t *len)
{
	const struct decode_cap *cap = c->priv;

	if (!cap || i >= 6 || !cap->arg[i].data) {
		*len = 0;
		return NULL;
	}
	*len = cap->arg[i].len;
	return cap->arg[i].data;
}

const char *const *decode_argv(const struct trace_call *c, size_t *argc, bool *more)
{
	const struct decode_cap *cap = c->priv;

	if (!cap || !cap->argv_str) {
		*argc = 0;
		*more = false;
		return NULL;
	}
	*argc = cap->argc;
	*more = cap->argv_more;
	return cap->argv_str;
}

void decode_quote(struct strbuf *out, const void *data, size_t len, size_t max)
{
	const unsigned char *p = data;
	size_t n = len < max ? len : max;

	strbuf_addc(out, '"');
	for (size_t i = 0; i < n; i++) {
		unsigned c = p[i];
		char esc[5];
		size_t k = 0;

		switch (c) {
		case '"':
			strbuf_adds(out, "\\\"");
			continue;
		case '\\':
			strbuf_adds(out, "\\\\");
			continue;
		case '\t':
			strbuf_adds(out, "\\t");
			continue;
		case '\n':
			strbuf_adds(out, "\\n");
			continue;
		case '\v':
			strbuf_adds(out, "\\v");
			continue;
		case '\f':
			strbuf_adds(out, "\\f");
			continue;
		case '\r':
			strbuf_adds(out, "\\r");
			continue;
		default:
			break;
		}
		if (c >= ' ' && c < 0x7f) {
			strbuf_addc(out, (char)c);
			continue;
		}
		/* octal as short as it can be, unless an octal digit follows and would join it */
		esc[k++] = '\\';
		if (i + 1 < n && p[i + 1] >= '0' && p[i + 1] <= '7') {
			esc[k++] = (char)('0' + (c >> 6));
			esc[k++] = (char)('0' + ((c >> 3) & 7));
		} else if (c >> 3) {
			if (c >> 6)
				esc[k++] = (char)('0' + (c >> 6));
			esc[k++] = (char)('0' + ((c >> 3) & 7));
		}
		esc[k++] = (char)('0' + (c & 7));
		strbuf_add(out, esc, k);
	}
	strbuf_addc(out, '"');
	if (len > max)
		strbuf_adds(out, "...");
}

int decode_sockaddr(const void *sa, size_t len, char *buf, size_t buflen)
{
	struct sockaddr_storage ss;
	char ip[INET6_ADDRSTRLEN];
	const char *name;
	int n;

	if (len < sizeof(sa_family_t))
		return -EINVAL;
	memset(&ss, 0, sizeof(ss));
	memcpy(&ss, sa, len < sizeof(ss) ? len : sizeof(ss));
	switch (ss.ss_family) {
	case AF_INET: {
		const struct sockaddr_in *in = (const struct sockaddr_in *)&ss;

		if (len < offsetof(struct sockaddr_in, sin_zero))
			return -EINVAL;
		inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip));
		n = snprintf(buf, buflen, "%s:%u", ip, ntohs(in->sin_port));
		break;
	}
	case AF_INET6: {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&ss;

		if (len < offsetof(struct sockaddr_in6, sin6_scope_id))
			return -EINVAL;
		inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
		if (len >= sizeof(*in6) && in6->sin6_scope_id)
			n = snprintf(buf, buflen, "[%s%%%u]:%u", ip, in6->sin6_scope_id,
				     ntohs(in6->sin6_port));
		else
			n = snprintf(buf, buflen, "[%s]:%u", ip, ntohs(in6->sin6_port));
		break;
	}
	case AF_UNIX: {
		const char *path = ((const struct sockaddr_un *)&ss)->sun_path;
		size_t plen = len - offsetof(struct sockaddr_un, sun_path);
		char tmp[sizeof(((struct sockaddr_un *)0)->sun_path) + 1];

		if (plen > sizeof(tmp) - 1)
			plen = sizeof(tmp) - 1;
		if (plen &&
		    path[0] == '\0') { /* abstract: NULs and all, shown as '@' like ss does */
			for (size_t i = 0; i < plen; i++)
				tmp[i] = path[i] >= ' ' && path[i] < 0x7f ? path[i] : '@';
			n = snprintf(buf, buflen, "%.*s", (int)plen, tmp);
		} else {
			n = snprintf(buf, buflen, "%.*s", (int)strnlen(path, plen), path);
		}
		break;
	}
	default:
		name = systab_value_name(systab_sock_domains, ss.ss_family);
		n = name ? snprintf(buf, buflen, "%s", name)
			 : snprintf(buf, buflen, "AF_%u", ss.ss_family);
		break;
	}
	return n;
}

/* ---- the pieces of a line ---- */

/* decode_quote with every byte as \xNN (strace's QUOTE_FORCE_HEX). */
static void quote_hex(struct strbuf *out, const void *data, size_t len, size_t max)
{
	const unsigned char *p = data;
	size_t n = len < max ? len : max;

	strbuf_addc(out, '"');
	for (size_t i = 0; i < n; i++)
		strbuf_addf(out, "\\x%02x", p[i]);
	strbuf_addc(out, '"');
	if (len > max)
		strbuf_adds(out, "...");
}

static void put_ptr(struct strbuf *out, uint64_t v)
{
	if (v)
		strbuf_addf(out, "%#llx", (unsigned long long)v);
	else
		strbuf_adds(out, "NULL");
}

static void put_hex(struct strbuf *out, uint64_t v)
{
	strbuf_addf(out, "%#llx", (unsigned long long)v);
}

static void put_flags(struct strbuf *out, const struct flag_name *table, uint64_t v,
		      const char *zero_name)
{
	char text[FLAGS_TEXT];
	size_t n = systab_fmt_flags(text, sizeof(text), table, v, zero_name);
	char *big;

	if (n < sizeof(text)) {
		strbuf_add(out, text, n);
		return;
	}
	big = xmalloc(n + 1);
	systab_fmt_flags(big, n + 1, table, v, zero_name);
	strbuf_add(out, big, n);
	free(big);
}

static void put_value(struct strbuf *out, const struct flag_name *table, long long v)
{
	char text[64];
	size_t n = systab_fmt_value(text, sizeof(text), table, v);

	strbuf_add(out, text, n < sizeof(text) ? n : sizeof(text) - 1);
}

/* A string or buffer as decode_quote shows it, "..." also when the capture itself was cut. */
static void put_cap(struct strbuf *out, const struct cap_bytes *b, size_t max)
{
	decode_quote(out, b->data, b->len, max);
	if (b->more && b->len <= max)
		strbuf_adds(out, "...");
}

/* strace's sockaddr: {sa_family=AF_INET, sin_port=htons(80), sin_addr=inet_addr("1.2.3.4")} */
static void put_sockaddr(struct strbuf *out, const void *sa, size_t len)
{
	struct sockaddr_storage ss;
	char ip[INET6_ADDRSTRLEN];
	const char *name;
	bool done = false;

	memset(&ss, 0, sizeof(ss));
	memcpy(&ss, sa, len < sizeof(ss) ? len : sizeof(ss));
	if (len > sizeof(ss))
		len = sizeof(ss);
	name = systab_value_name(systab_sock_domains, ss.ss_family);
	strbuf_adds(out, "{sa_family=");
	if (name)
		strbuf_adds(out, name);
	else
		strbuf_addf(out, "%u /* AF_??? */", ss.ss_family);
	switch (ss.ss_family) {
	case AF_INET: {
		const struct sockaddr_in *in = (const struct sockaddr_in *)&ss;

		if (len < offsetof(struct sockaddr_in, sin_zero))
			break;
		inet_ntop(AF_INET, &in->sin_addr, ip, sizeof(ip));
		strbuf_addf(out, ", sin_port=htons(%u), sin_addr=inet_addr(\"%s\")",
			    ntohs(in->sin_port), ip);
		done = true;
		break;
	}
	case AF_INET6: {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)&ss;

		if (len < offsetof(struct sockaddr_in6, sin6_scope_id))
			break;
		inet_ntop(AF_INET6, &in6->sin6_addr, ip, sizeof(ip));
		strbuf_addf(out,
			    ", sin6_port=htons(%u), sin6_flowinfo=htonl(%u), inet_pton(AF_INET6, "
			    "\"%s\", &sin6_addr)",
			    ntohs(in6->sin6_port), ntohl(in6->sin6_flowinfo), ip);
		if (len >= sizeof(*in6))
			strbuf_addf(out, ", sin6_scope_id=%u", in6->sin6_scope_id);
		done = true;
		break;
	}
	case AF_UNIX: {
		const char *path = ((const struct sockaddr_un *)&ss)->sun_path;
		size_t plen = len - offsetof(struct sockaddr_un, sun_path);

		if (plen > sizeof(((struct sockaddr_un *)0)->sun_path))
			plen = sizeof(((struct sockaddr_un *)0)->sun_path);
		if (plen && path[0] == '\0') {
			strbuf_adds(out, ", sun_path=@");
			decode_quote(out, path + 1, plen - 1, plen - 1);
		} else if (plen) {
			size_t n = strnlen(path, plen);

			strbuf_adds(out, ", sun_path=");
			decode_quote(out, path, n, n);
		}
		done = true;
		break;
	}
	case AF_NETLINK: {
		const struct sockaddr_nl *nl = (const struct sockaddr_nl *)&ss;

		if (len < sizeof(*nl))
			break;
		strbuf_addf(out, ", nl_pid=%u, nl_groups=%08x", nl->nl_pid, nl->nl_groups);
		done = true;
		break;
	}
	default:
		break;
	}
	if (!done && len > sizeof(sa_family_t)) {
		strbuf_adds(out, ", sa_data=");
		decode_quote(out, (const char *)&ss + sizeof(sa_family_t),
			     len - sizeof(sa_family_t), len);
	}
	strbuf_addc(out, '}');
}

static void put_iovs(struct fmt *f, const struct iov_list *l, bool with_data)
{
	strbuf_addc(f->out, '[');
	for (size_t j = 0; j < l->n; j++) {
		const struct cap_iov *v = &l->v[j];

		strbuf_adds(f->out, j ? ", {iov_base=" : "{iov_base=");
		if (with_data && v->data.data)
			decode_quote(f->out, v->data.data, v->data.len, f->strsize);
		else
			put_ptr(f->out, v->base);
		strbuf_addf(f->out, ", iov_len=%llu}", (unsigned long long)v->len);
	}
	if (l->more)
		strbuf_adds(f->out, l->n ? ", ..." : "...");
	strbuf_addc(f->out, ']');
}

/* The separator before the next argument. */
static void sep(struct fmt *f)
{
	if (f->nargs++)
		strbuf_adds(f->out, ", ");
}

/* An accept-style address the kernel fills in, then its socklen_t *; consumes both. */
static void put_sockaddr_out(struct fmt *f, unsigned i)
{
	uint64_t addr = f->c->args[i], lenp = f->c->args[i + 1];
	const struct decode_cap *cap = f->cap;
	struct sockaddr_storage ss;
	uint32_t out_len = 0;
	bool have_len = f->ok && lenp && mem_read(f->m, lenp, &out_len, 4) == 4;
	bool shown = false;

	sep(f);
	if (!addr) {
		strbuf_adds(f->out, "NULL");
		shown = true;
	} else if (have_len) {
		size_t n = out_len;

		/* the kernel copied at most what it was given room for */
		if (cap->has_socklen && cap->socklen_in < n)
			n = cap->socklen_in;
		if (n > sizeof(ss))
			n = sizeof(ss);
		if (n >= sizeof(sa_family_t) && mem_read(f->m, addr, &ss, n) == n) {
			put_sockaddr(f->out, &ss, n);
			shown = true;
		}
	}
	if (!shown)
		put_ptr(f->out, addr);
	sep(f);
	if (!lenp)
		strbuf_adds(f->out, "NULL");
	else if (have_len && cap->has_socklen && cap->socklen_in != out_len)
		strbuf_addf(f->out, "[%u => %u]", cap->socklen_in, out_len);
	else if (have_len)
		strbuf_addf(f->out, "[%u]", out_len);
	else if (cap->has_socklen)
		strbuf_addf(f->out, "[%u]", cap->socklen_in);
	else
		put_ptr(f->out, lenp);
}

static void put_iov_arg(struct fmt *f, unsigned i)
{
	uint64_t v = f->c->args[i];
	long long count = i + 1 < 6 ? (int)f->c->args[i + 1] : 0;
	struct iov_list l;

	if (!v) {
		strbuf_adds(f->out, "NULL");
		return;
	}
	switch (iov_dir(f->sp, i)) {
	case IOV_IN:
		if (f->cap->iov_arg == (int)i) {
			put_iovs(f, &f->cap->iov, true);
			return;
		}
		break;
	case IOV_OUT:
		if (f->ok && read_iovs(f->m, v, count, f->strsize, true, (size_t)f->c->ret, &l)) {
			put_iovs(f, &l, true);
			iov_list_release(&l);
			return;
		}
		break;
	case IOV_ADDR:
		if (read_iovs(f->m, v, count, f->strsize, false, 0, &l)) {
			put_iovs(f, &l, false);
			iov_list_release(&l);
			return;
		}
		break;
	}
	put_ptr(f->out, v);
}

/* What the kernel wrote into a buffer: as many bytes as the call returned. */
static void put_buf_out(struct fmt *f, uint64_t v)
{
	struct cap_bytes b = { NULL, 0, false };
	size_t ret = f->ok && f->c->ret > 0 ? (size_t)f->c->ret : 0;

	if (!v) {
		strbuf_adds(f->out, "NULL");
	} else if (f->ok && f->c->ret >= 0 &&
		   read_bytes(f->m, v, ret < f->strsize ? ret : f->strsize, false, &b)) {
		if (f->sp && f->sp->hex_data)
			quote_hex(f->out, b.data, ret, f->strsize);
		else
			decode_quote(f->out, b.data, ret, f->strsize);
		cap_bytes_free(&b);
	} else {
		put_ptr(f->out, v);
	}
}

/* Whether an open-style mode argument is there: only with O_CREAT or O_TMPFILE (strace's rule). */
static bool mode_shown(const struct fmt *f, unsigned i)
{
	uint64_t flags;

	if (i == 0 || f->d->args[i - 1] != A_OPEN_FLAGS)
		return true;
	flags = f->c->args[i - 1];
	return (flags & O_CREAT) || (flags & O_TMPFILE_MASK);
}

/* Prints argument i by its kind; returns how many arguments it took. */
static unsigned put_arg(struct fmt *f, unsigned i)
{
	const struct decode_cap *cap = f->cap;
	struct strbuf *out = f->out;
	uint64_t v = f->c->args[i];

	switch (f->d->args[i]) {
	case A_UNUSED:
		return 1;
	case A_MODE:
		if (!mode_shown(f, i))
			return 1;
		sep(f);
		strbuf_addf(out, "%#03o", (unsigned)v);
		return 1;
	case A_SOCKADDR:
		if (i + 1 < f->d->nargs && f->d->args[i + 1] == A_PTR) {
			put_sockaddr_out(f, i);
			return 2;
		}
		sep(f);
		if (v && cap->arg[i].data && cap->arg[i].len >= sizeof(sa_family_t))
			put_sockaddr(out, cap->arg[i].data, cap->arg[i].len);
		else
			put_ptr(out, v);
		return 1;
	default:
		break;
	}
	sep(f);
	switch (f->d->args[i]) {
	case A_INT:
	case A_FD:
		strbuf_addf(out, "%d", (int)v);
		break;
	case A_UINT:
		strbuf_addf(out, "%u", (unsigned)v);
		break;
	case A_DIRFD:
		if ((int)v == AT_FDCWD)
			strbuf_adds(out, "AT_FDCWD");
		else
			strbuf_addf(out, "%d", (int)v);
		break;
	case A_PATH:
	case A_STR:
		if (v && cap->arg[i].data)
			put_cap(out, &cap->arg[i], cap->arg[i].len);
		else
			put_ptr(out, v);
		break;
	case A_SIZE:
		strbuf_addf(out, "%llu", (unsigned long long)v);
		break;
	case A_OFF:
		if (f->sp && f->sp->off_hex)
			put_hex(out, v);
		else
			strbuf_addf(out, "%lld", (long long)v);
		break;
	case A_OPEN_FLAGS:
		put_flags(out, systab_open_flags, v, NULL);
		break;
	case A_PROT:
		put_flags(out, systab_prot_flags, v, "PROT_NONE");
		break;
	case A_MMAP_FLAGS:
		put_flags(out, systab_mmap_flags, v, NULL);
		break;
	case A_SOCK_DOMAIN:
		put_value(out, systab_sock_domains, (int)v);
		break;
	case A_SOCK_TYPE:
		put_flags(out, systab_sock_types, v, NULL);
		break;
	case A_SIGNAL:
		put_value(out, systab_signals, (int)v);
		break;
	case A_CLONE_FLAGS:
		put_flags(out, systab_clone_flags, v, NULL);
		break;
	case A_FCNTL_CMD:
		put_value(out, systab_fcntl_cmds, (int)v);
		break;
	case A_AT_FLAGS:
		put_flags(out, systab_at_flags, v, NULL);
		break;
	case A_WHENCE:
		put_value(out, systab_whence, (int)v);
		break;
	case A_ARGV:
		if (!v) {
			strbuf_adds(out, "NULL");
		} else if (cap->argv_arg == (int)i && cap->argv_str) {
			strbuf_addc(out, '[');
			for (size_t j = 0; j < cap->argc; j++) {
				if (j)
					strbuf_adds(out, ", ");
				if (cap->argv[j].data)
					put_cap(out, &cap->argv[j], f->strsize);
				else
					strbuf_adds(out, "???");
			}
			if (cap->argv_more)
				strbuf_adds(out, cap->argc ? ", ..." : "...");
			strbuf_addc(out, ']');
		} else {
			put_ptr(out, v);
			if (cap->argv_arg != (int)i && cap->envc >= 0)
				strbuf_addf(out, " /* %ld var%s */", cap->envc,
					    cap->envc == 1 ? "" : "s");
		}
		break;
	case A_BUF_IN:
		if (v && cap->arg[i].data)
			put_cap(out, &cap->arg[i], f->strsize);
		else
			put_ptr(out, v);
		break;
	case A_BUF_OUT:
		put_buf_out(f, v);
		break;
	case A_IOVEC:
		put_iov_arg(f, i);
		break;
	case A_PTR:
		put_ptr(out, v);
		break;
	case A_HEX:
	default:
		if (f->sp && f->sp->flags[i])
			put_flags(out, f->sp->flags[i], v, NULL);
		else
			put_hex(out, v);
		break;
	}
	return 1;
}

static void put_args(struct fmt *f)
{
	for (unsigned i = 0; i < f->d->nargs && i < 6;)
		i += put_arg(f, i);
}

/* An int the kernel stored at addr ("[1234]"), or the address. */
static void put_int_at(struct fmt *f, uint64_t addr)
{
	int32_t v;

	if (f->ok && addr && mem_read(f->m, addr, &v, sizeof(v)) == sizeof(v))
		strbuf_addf(f->out, "[%d]", v);
	else
		put_ptr(f->out, addr);
}

/* pipe and pipe2: the two new fds once the call succeeded, then pipe2's flags. */
static void fmt_pipe(struct fmt *f)
{
	const uint64_t *a = f->c->args;
	int32_t fds[2];

	if (f->ok && a[0] && mem_read(f->m, a[0], fds, sizeof(fds)) == sizeof(fds))
		strbuf_addf(f->out, "[%d, %d]", fds[0], fds[1]);
	else
		put_ptr(f->out, a[0]);
	if (f->d->nargs > 1) {
		strbuf_adds(f->out, ", ");
		put_flags(f->out, pipe_flags, a[1], NULL);
	}
}

/* clone(2) as strace shows it; the argument order is x86_64's (flags, stack, ptid, ctid, tls). */
static void fmt_clone(struct fmt *f)
{
	const uint64_t *a = f->c->args;
	uint64_t flags = a[0];

	strbuf_adds(f->out, "child_stack=");
	put_ptr(f->out, a[1]);
	strbuf_adds(f->out, ", flags=");
	put_flags(f->out, systab_clone_flags, flags, NULL);
	if (flags & (CLONE_PARENT_SETTID | CLONE_PIDFD)) {
		strbuf_adds(f->out, flags & CLONE_PARENT_SETTID ? ", parent_tid=" : ", pidfd=");
		put_int_at(f, a[2]);
	}
	if (flags & CLONE_SETTLS) {
		strbuf_adds(f->out, ", tls=");
		put_ptr(f->out, a[4]);
	}
	if (flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)) {
		strbuf_adds(f->out, ", child_tidptr=");
		put_ptr(f->out, a[3]);
	}
}

/* struct clone_args of <linux/sched.h>, whose size grew over time */
struct clone_args_v2 {
	uint64_t flags, pidfd, child_tid, parent_tid, exit_signal, stack, stack_size, tls;
	uint64_t set_tid, set_tid_size; /* since 5.5 (size 80) */
	uint64_t cgroup;		/* since 5.7 (size 88) */
};
#define CLONE_ARGS_SIZE_VER0 64

static void fmt_clone3(struct fmt *f)
{
	uint64_t addr = f->c->args[0], size = f->c->args[1];
	struct clone_args_v2 ca;
	size_t n = size < sizeof(ca) ? (size_t)size : sizeof(ca);

	memset(&ca, 0, sizeof(ca));
	if (!addr || size < CLONE_ARGS_SIZE_VER0 || mem_read(f->m, addr, &ca, n) < n) {
		put_ptr(f->out, addr);
	} else {
		strbuf_adds(f->out, "{flags=");
		put_flags(f->out, systab_clone3_flags, ca.flags, NULL);
		if (ca.flags & CLONE_PIDFD) {
			strbuf_adds(f->out, ", pidfd=");
			put_ptr(f->out, ca.pidfd);
		}
		if (ca.flags & (CLONE_CHILD_SETTID | CLONE_CHILD_CLEARTID)) {
			strbuf_adds(f->out, ", child_tid=");
			put_ptr(f->out, ca.child_tid);
		}
		if (ca.flags & CLONE_PARENT_SETTID) {
			strbuf_adds(f->out, ", parent_tid=");
			put_ptr(f->out, ca.parent_tid);
		}
		strbuf_adds(f->out, ", exit_signal=");
		put_value(f->out, systab_signals, (long long)ca.exit_signal);
		strbuf_adds(f->out, ", stack=");
		put_ptr(f->out, ca.stack);
		strbuf_addf(f->out, ", stack_size=%#llx", (unsigned long long)ca.stack_size);
		if (ca.flags & CLONE_SETTLS) {
			strbuf_adds(f->out, ", tls=");
			put_ptr(f->out, ca.tls);
		}
		if (n >= 80 && (ca.set_tid || ca.set_tid_size)) {
			strbuf_adds(f->out, ", set_tid=");
			put_ptr(f->out, ca.set_tid);
			strbuf_addf(f->out, ", set_tid_size=%llu",
				    (unsigned long long)ca.set_tid_size);
		}
		if (n >= 88 && (ca.cgroup || (ca.flags & CLONE_INTO_CGROUP)))
			strbuf_addf(f->out, ", cgroup=%llu", (unsigned long long)ca.cgroup);
		strbuf_addc(f->out, '}');
		if (f->ok && (ca.flags & (CLONE_PIDFD | CLONE_PARENT_SETTID))) {
			strbuf_adds(f->out, " => {");
			if (ca.flags & CLONE_PIDFD) {
				strbuf_adds(f->out, "pidfd=");
				put_int_at(f, ca.pidfd);
			}
			if (ca.flags & CLONE_PARENT_SETTID) {
				if (ca.flags & CLONE_PIDFD)
					strbuf_adds(f->out, ", ");
				strbuf_adds(f->out, "parent_tid=");
				put_int_at(f, ca.parent_tid);
			}
			strbuf_addc(f->out, '}');
		}
	}
	strbuf_addf(f->out, ", %llu", (unsigned long long)size);
}

/* How fcntl's third argument reads, by command. */
enum fcntl_arg { FA_HEX = 0, FA_NONE, FA_INT, FA_FD_FLAGS, FA_OPEN_FLAGS, FA_SIGNAL, FA_PTR };

static const struct {
	int cmd;
	enum fcntl_arg how;
} fcntl_args[] = {
	{ F_DUPFD, FA_INT },	  { F_DUPFD_CLOEXEC, FA_INT }, { F_GETFD, FA_NONE },
	{ F_SETFD, FA_FD_FLAGS }, { F_GETFL, FA_NONE },	       { F_SETFL, FA_OPEN_FLAGS },
	{ F_GETLK, FA_PTR },	  { F_SETLK, FA_PTR },	       { F_SETLKW, FA_PTR },
	{ F_OFD_GETLK, FA_PTR },  { F_OFD_SETLK, FA_PTR },     { F_OFD_SETLKW, FA_PTR },
	{ F_GETOWN, FA_NONE },	  { F_SETOWN, FA_INT },	       { F_GETOWN_EX, FA_PTR },
	{ F_SETOWN_EX, FA_PTR },  { F_GETSIG, FA_NONE },       { F_SETSIG, FA_SIGNAL },
	{ F_GETLEASE, FA_NONE },  { F_SETLEASE, FA_INT },      { F_GETPIPE_SZ, FA_NONE },
	{ F_SETPIPE_SZ, FA_INT }, { F_GET_SEALS, FA_NONE },    { F_ADD_SEALS, FA_HEX },
	{ F_NOTIFY, FA_HEX },
};

static const struct flag_name fd_flags[] = {
	{ FD_CLOEXEC, 0, "FD_CLOEXEC", NULL },
	{ 0, 0, NULL, NULL },
};

static void fmt_fcntl(struct fmt *f)
{
	const uint64_t *a = f->c->args;
	enum fcntl_arg how = FA_HEX;

	for (size_t i = 0; i < sizeof(fcntl_args) / sizeof(fcntl_args[0]); i++)
		if (fcntl_args[i].cmd == (int)a[1])
			how = fcntl_args[i].how;
	strbuf_addf(f->out, "%d, ", (int)a[0]);
	put_value(f->out, systab_fcntl_cmds, (int)a[1]);
	if (how == FA_NONE)
		return;
	strbuf_adds(f->out, ", ");
	switch (how) {
	case FA_INT:
		strbuf_addf(f->out, "%d", (int)a[2]);
		break;
	case FA_FD_FLAGS:
		put_flags(f->out, fd_flags, a[2], NULL);
		break;
	case FA_OPEN_FLAGS:
		put_flags(f->out, systab_open_flags, a[2], NULL);
		break;
	case FA_SIGNAL:
		put_value(f->out, systab_signals, (int)a[2]);
		break;
	case FA_PTR:
		put_ptr(f->out, a[2]);
		break;
	default:
		put_hex(f->out, a[2]);
		break;
	}
}

/* " = RET", padded so that '=' lands on the column align of the current line. */
static void put_return(const struct trace_call *c, const struct syscall_def *d, bool raw,
		       unsigned align, struct strbuf *out)
{
	const char *nl = out->len ? memrchr(out->buf, '\n', out->len) : NULL;
	size_t col = out->len - (nl ? (size_t)(nl - out->buf) + 1 : 0);

	strbuf_addc(out, ' ');
	for (col++; col < align; col++)
		strbuf_addc(out, ' ');
	if (c->unfinished || (d && d->ret == R_NONE)) {
		strbuf_adds(out, "= ?");
		return;
	}
	if (c->is_error) {
		int err = (int)-c->ret;
		const char *name = systab_errno_name(err), *desc = strerrordesc_np(err);

		for (size_t i = 0; i < sizeof(restarts) / sizeof(restarts[0]); i++)
			if (restarts[i].err == err) {
				strbuf_addf(out, "= ? %s (%s)", name ? name : "ERESTART?",
					    restarts[i].text);
				return;
			}
		if (name)
			strbuf_addf(out, "= -1 %s (", name);
		else
			strbuf_addf(out, "= -1 %d (", err);
		if (desc)
			strbuf_addf(out, "%s)", desc);
		else
			strbuf_addf(out, "Unknown error %d)", err);
		return;
	}
	if (raw || (d && d->ret == R_PTR))
		strbuf_addf(out, "= %#llx", (unsigned long long)c->ret);
	else
		strbuf_addf(out, "= %lld", (long long)c->ret);
}

void decode_format(const struct mem_reader *m, const struct trace_call *c,
		   const struct decode_opts *o, struct strbuf *out)
{
	int arch = decode_arch(c->arch);
	const struct syscall_def *d = arch >= 0 ? systab_get(arch, c->nr) : NULL;
	bool raw = o && o->raw;
	unsigned align = o ? o->align : 0;
	struct decode_cap *tmp = NULL;
	struct fmt f;

	if (!d) {
		strbuf_addf(out, "syscall_%#lx(", (unsigned long)c->nr);
		for (unsigned i = 0; i < 6; i++) {
			if (i)
				strbuf_adds(out, ", ");
			put_hex(out, c->args[i]);
		}
		strbuf_addc(out, ')');
		put_return(c, NULL, raw, align, out);
		return;
	}
	strbuf_adds(out, d->name);
	strbuf_addc(out, '(');
	if (raw) {
		for (unsigned i = 0; i < d->nargs && i < 6; i++) {
			if (i)
				strbuf_adds(out, ", ");
			put_hex(out, c->args[i]);
		}
	} else {
		memset(&f, 0, sizeof(f));
		f.m = m;
		f.c = c;
		f.d = d;
		f.sp = special_get(d);
		f.out = out;
		f.strsize = opt_strsize(o);
		f.ok = !c->unfinished && !c->is_error;
		f.cap = c->priv;
		if (!f.cap) /* no entry seen: what is still there now is the best there is */
			f.cap = tmp = capture(m, c, d, f.sp, f.strsize);
		if (!f.cap)
			f.cap = &no_capture;
		if (f.sp && f.sp->args)
			f.sp->args(&f);
		else
			put_args(&f);
		cap_free(tmp);
	}
	strbuf_addc(out, ')');
	put_return(c, d, raw, align, out);
}
