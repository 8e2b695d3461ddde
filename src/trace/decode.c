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
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <linux/sockios.h>
#include <sys/inotify.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/timerfd.h>
#include <sys/un.h>
#include <sys/wait.h>

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
#define STRUCT_MAX     256u   /* bytes of the largest struct decoded (struct statx) */
#define SIGSET_BYTES   8u     /* the kernel's sigset_t: 64 signals */

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

/* What a pointer argument points to, when strace shows it as a struct: one decoder a kind. */
enum struct_kind {
	SK_NONE = 0,
	SK_INT,		/* an int: [5] */
	SK_STAT,	/* struct stat, abbreviated: {st_mode=S_IFREG|0644, st_size=1234, ...} */
	SK_STATX,	/* struct statx, abbreviated */
	SK_SIGACTION,	/* the kernel's struct sigaction */
	SK_SIGSET,	/* the kernel's sigset_t: [INT TERM], ~[...] when most are set */
	SK_TIMESPEC,	/* {tv_sec=1, tv_nsec=500000000} */
	SK_RLIMIT,	/* {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY} */
	SK_WAIT_STATUS, /* [{WIFEXITED(s) && WEXITSTATUS(s) == 0}] */
	SK_SIGINFO,	/* waitid's siginfo_t */
	SK_WINSIZE,	/* {ws_row=24, ws_col=80, ws_xpixel=0, ws_ypixel=0} */
	SK_TERMIOS,	/* {c_iflag=ICRNL|IXON, c_oflag=..., c_cflag=..., c_lflag=..., ...} */
	SK__COUNT,
};

/* When the structs the kernel writes (struct special.out) are there to be read at exit. */
enum out_when {
	OUT_OK = 0,	  /* the call succeeded */
	OUT_RET_POSITIVE, /* it returned more than 0 (wait4: 0 is WNOHANG's "none yet") */
	OUT_INTERRUPTED,  /* a signal cut it short (the sleeps' remaining time), as strace */
};

struct fmt;

struct special {
	const char *name;
	void (*args)(struct fmt *f);	   /* prints the arguments itself; NULL: by their kinds */
	bool off_hex;			   /* A_OFF in hex: mmap's page-aligned file offsets */
	bool hex_data;			   /* buffers as \xNN bytes: random data (getrandom) */
	const struct flag_name *flags[6];  /* a table for an A_HEX or A_AT_FLAGS argument */
	const struct flag_name *values[6]; /* a value table for an A_INT argument */
	unsigned char iov[6];		   /* enum iov_dir of each A_IOVEC argument */
	unsigned char in[6];  /* enum struct_kind of a pointer the kernel reads: captured at entry,
				 shown whatever the call returned */
	unsigned char out[6]; /* enum struct_kind of a pointer the kernel fills in: read at exit */
	unsigned char out_when; /* enum out_when */
	/* sets in[] and out[] where they depend on another argument (ioctl's request) */
	void (*kinds)(const uint64_t *args, unsigned char in[6], unsigned char out[6]);
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
	size_t split;	/* where in out the part that needs the exit starts; SIZE_MAX: not yet */
	unsigned char in_kind[6], out_kind[6]; /* enum struct_kind of each argument (special) */
};

static void fmt_clone(struct fmt *f);
static void fmt_clone3(struct fmt *f);
static void fmt_fcntl(struct fmt *f);
static void fmt_pipe(struct fmt *f);
static void fmt_ioctl(struct fmt *f);
static void ioctl_kinds(const uint64_t *args, unsigned char in[6], unsigned char out[6]);

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
	{ .name = "stat", .out = { [1] = SK_STAT } },
	{ .name = "fstat", .out = { [1] = SK_STAT } },
	{ .name = "lstat", .out = { [1] = SK_STAT } },
	{ .name = "newfstatat", .out = { [2] = SK_STAT } },
	{ .name = "statx",
	  .flags = { [2] = systab_statx_flags, [3] = systab_statx_masks },
	  .out = { [4] = SK_STATX } },
	{ .name = "rt_sigaction", .in = { [1] = SK_SIGACTION }, .out = { [2] = SK_SIGACTION } },
	{ .name = "rt_sigprocmask",
	  .values = { [0] = systab_sigprocmask_how },
	  .in = { [1] = SK_SIGSET },
	  .out = { [2] = SK_SIGSET } },
	{ .name = "nanosleep",
	  .in = { [0] = SK_TIMESPEC },
	  .out = { [1] = SK_TIMESPEC },
	  .out_when = OUT_INTERRUPTED },
	{ .name = "clock_nanosleep",
	  .values = { [0] = systab_clocks },
	  .flags = { [1] = systab_timer_flags },
	  .in = { [2] = SK_TIMESPEC },
	  .out = { [3] = SK_TIMESPEC },
	  .out_when = OUT_INTERRUPTED },
	{ .name = "clock_gettime",
	  .values = { [0] = systab_clocks },
	  .out = { [1] = SK_TIMESPEC } },
	{ .name = "clock_getres", .values = { [0] = systab_clocks }, .out = { [1] = SK_TIMESPEC } },
	{ .name = "clock_settime", .values = { [0] = systab_clocks }, .in = { [1] = SK_TIMESPEC } },
	{ .name = "getrlimit", .values = { [0] = systab_rlimits }, .out = { [1] = SK_RLIMIT } },
	{ .name = "setrlimit", .values = { [0] = systab_rlimits }, .in = { [1] = SK_RLIMIT } },
	{ .name = "prlimit64",
	  .values = { [1] = systab_rlimits },
	  .in = { [2] = SK_RLIMIT },
	  .out = { [3] = SK_RLIMIT } },
	{ .name = "wait4",
	  .flags = { [2] = systab_wait_options },
	  .out = { [1] = SK_WAIT_STATUS },
	  .out_when = OUT_RET_POSITIVE },
	{ .name = "waitid",
	  .values = { [0] = systab_waitid_types },
	  .flags = { [3] = systab_wait_options },
	  .out = { [2] = SK_SIGINFO } },
	{ .name = "ioctl", .args = fmt_ioctl, .kinds = ioctl_kinds },
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

/* ---- structs behind pointer arguments ---- */

struct struct_decoder {
	size_t size; /* bytes read */
	/* appends the struct in strace's form; data holds size bytes, 8-byte aligned */
	void (*put)(struct strbuf *out, const void *data);
};

static const struct struct_decoder struct_decoders[SK__COUNT];

/* Which arguments of a call of sp (with these args) point to structs, read at entry or exit. */
static void struct_kinds(const struct special *sp, const uint64_t *args, unsigned char in[6],
			 unsigned char out[6])
{
	memset(in, 0, 6);
	memset(out, 0, 6);
	if (!sp)
		return;
	memcpy(in, sp->in, 6);
	memcpy(out, sp->out, 6);
	if (sp->kinds)
		sp->kinds(args, in, out);
}

/* Whether d has an argument whose memory is read before the call runs. */
static bool needs_capture(const struct syscall_def *d, const struct special *sp,
			  const unsigned char in[6])
{
	for (unsigned i = 0; i < d->nargs && i < 6; i++) {
		if (in[i])
			return true;
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
	unsigned char in[6], out[6];
	struct decode_cap *cap;

	struct_kinds(sp, c->args, in, out);
	if (!needs_capture(d, sp, in))
		return NULL;
	cap = xcalloc(1, sizeof(*cap));
	cap->argv_arg = cap->iov_arg = -1;
	cap->envc = -1;
	for (unsigned i = 0; i < d->nargs && i < 6; i++) {
		uint64_t v = c->args[i], next = i + 1 < 6 ? c->args[i + 1] : 0;
		bool next_ptr = i + 1 < d->nargs && d->args[i + 1] == A_PTR;
		uint32_t len32;

		if (in[i]) { /* a struct the kernel reads: kept whole, or not at all */
			if (v)
				read_bytes(m, v, struct_decoders[in[i]].size, false, &cap->arg[i]);
			continue;
		}
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

/*
 * What follows is written by the kernel (known only at exit): strace's split point between a
 * call's entry part (`read(3, ` <unfinished ...>) and what its exit prints (`"x", 1) = 1`).
 * Only the first call counts.
 */
static void at_exit_from_here(struct fmt *f)
{
	if (f->split == SIZE_MAX)
		f->split = f->out->len;
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
	at_exit_from_here(f);
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
		at_exit_from_here(f);
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

	at_exit_from_here(f);
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

/* A file mode as strace shows it: S_IFREG|S_ISUID|0755, the permissions always in octal. */
static void put_mode(struct strbuf *out, unsigned mode)
{
	if (mode & ~0777u) {
		put_flags(out, systab_mode_types, mode & ~0777u, NULL);
		strbuf_addc(out, '|');
	}
	strbuf_addf(out, "%#03o", mode & 0777u);
}

static void put_stat(struct strbuf *out, const void *data)
{
	struct stat st;

	memcpy(&st, data, sizeof(st));
	strbuf_adds(out, "{st_mode=");
	put_mode(out, st.st_mode);
	if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode))
		strbuf_addf(out, ", st_rdev=makedev(%#x, %#x)", major(st.st_rdev),
			    minor(st.st_rdev));
	else
		strbuf_addf(out, ", st_size=%lld", (long long)st.st_size);
	strbuf_adds(out, ", ...}");
}

static void put_statx(struct strbuf *out, const void *data)
{
	struct statx sx;

	memcpy(&sx, data, sizeof(sx));
	strbuf_adds(out, "{stx_mask=");
	put_flags(out, systab_statx_masks, sx.stx_mask, NULL);
	strbuf_adds(out, ", stx_attributes=");
	put_flags(out, systab_statx_attrs, sx.stx_attributes, NULL);
	strbuf_adds(out, ", stx_mode=");
	put_mode(out, sx.stx_mode);
	strbuf_addf(out, ", stx_size=%llu, ...}", (unsigned long long)sx.stx_size);
}

/*
 * A signal set as strace shows it: [INT TERM], the names without "SIG", 33 and up as RT_1...;
 * the complement ~[...] when more than half of the 64 signals are in it.
 */
static void put_sigmask(struct strbuf *out, uint64_t mask)
{
	bool first = true;

	if (__builtin_popcountll(mask) > 32) {
		strbuf_addc(out, '~');
		mask = ~mask;
	}
	strbuf_addc(out, '[');
	for (unsigned sig = 1; sig <= 64; sig++) {
		const char *name = sig <= 32 ? systab_value_name(systab_signals, sig) : NULL;

		if (!((mask >> (sig - 1)) & 1))
			continue;
		if (!first)
			strbuf_addc(out, ' ');
		first = false;
		if (name && strncmp(name, "SIG", 3) == 0)
			strbuf_adds(out, name + 3);
		else
			strbuf_addf(out, "RT_%u", sig - 32);
	}
	strbuf_addc(out, ']');
}

static void put_sigset(struct strbuf *out, const void *data)
{
	uint64_t mask;

	memcpy(&mask, data, sizeof(mask));
	put_sigmask(out, mask);
}

/* The kernel's struct sigaction on x86_64 (not glibc's, whose mask is 128 bytes). */
struct kernel_sigaction {
	uint64_t handler, flags, restorer;
	uint64_t mask; /* SIGSET_BYTES */
};

static void put_sigaction(struct strbuf *out, const void *data)
{
	struct kernel_sigaction sa;
	const char *name;

	memcpy(&sa, data, sizeof(sa));
	strbuf_adds(out, "{sa_handler=");
	name = systab_value_name(systab_sig_handlers, sa.handler);
	if (name)
		strbuf_adds(out, name);
	else
		put_hex(out, sa.handler);
	strbuf_adds(out, ", sa_mask=");
	put_sigmask(out, sa.mask);
	strbuf_adds(out, ", sa_flags=");
	put_flags(out, systab_sa_flags, sa.flags, NULL);
	if (sa.flags & SYSTAB_SA_RESTORER) {
		strbuf_adds(out, ", sa_restorer=");
		put_ptr(out, sa.restorer);
	}
	strbuf_addc(out, '}');
}

static void put_timespec(struct strbuf *out, const void *data)
{
	int64_t ts[2]; /* the kernel's __kernel_timespec: tv_sec, tv_nsec */

	memcpy(ts, data, sizeof(ts));
	strbuf_addf(out, "{tv_sec=%lld, tv_nsec=%lld}", (long long)ts[0], (long long)ts[1]);
}

/* One limit: RLIM64_INFINITY, N*1024 for a multiple of 1024 above it (strace's way), or N. */
static void put_rlim(struct strbuf *out, uint64_t v)
{
	if (v == UINT64_MAX)
		strbuf_adds(out, "RLIM64_INFINITY");
	else if (v > 1024 && v % 1024 == 0)
		strbuf_addf(out, "%llu*1024", (unsigned long long)(v / 1024));
	else
		strbuf_addf(out, "%llu", (unsigned long long)v);
}

static void put_rlimit(struct strbuf *out, const void *data)
{
	uint64_t r[2]; /* struct rlimit64: cur, max (struct rlimit on 64-bit) */

	memcpy(r, data, sizeof(r));
	strbuf_adds(out, "{rlim_cur=");
	put_rlim(out, r[0]);
	strbuf_adds(out, ", rlim_max=");
	put_rlim(out, r[1]);
	strbuf_addc(out, '}');
}

/* wait4's status as strace shows it, bits the macros do not explain appended in hex. */
static void put_wait_status(struct strbuf *out, const void *data)
{
	int32_t s;
	unsigned rest;

	memcpy(&s, data, sizeof(s));
	if (WIFSTOPPED(s)) {
		strbuf_adds(out, "[{WIFSTOPPED(s) && WSTOPSIG(s) == ");
		put_value(out, systab_signals, WSTOPSIG(s) & 0x7f);
		if (WSTOPSIG(s) & 0x80) /* PTRACE_O_TRACESYSGOOD */
			strbuf_adds(out, " | 0x80");
		strbuf_addc(out, '}');
		rest = (unsigned)s & ~0xffffu;
	} else if (WIFSIGNALED(s)) {
		strbuf_adds(out, "[{WIFSIGNALED(s) && WTERMSIG(s) == ");
		put_value(out, systab_signals, WTERMSIG(s));
		strbuf_adds(out, WCOREDUMP(s) ? " && WCOREDUMP(s)}" : "}");
		rest = (unsigned)s & ~0xffu;
	} else if (WIFEXITED(s)) {
		strbuf_addf(out, "[{WIFEXITED(s) && WEXITSTATUS(s) == %d}", WEXITSTATUS(s));
		rest = (unsigned)s & ~0xff00u;
	} else if (WIFCONTINUED(s)) {
		strbuf_adds(out, "[{WIFCONTINUED(s)}");
		rest = (unsigned)s & ~0xffffu;
	} else {
		strbuf_addf(out, "[%#x]", (unsigned)s);
		return;
	}
	if (rest)
		strbuf_addf(out, " | %#x", rest);
	strbuf_addc(out, ']');
}

/* waitid's siginfo: {} when no child was waited for (WNOHANG). */
static void put_siginfo(struct strbuf *out, const void *data)
{
	siginfo_t si;

	memcpy(&si, data, sizeof(si));
	if (!si.si_signo) {
		strbuf_adds(out, "{}");
		return;
	}
	strbuf_adds(out, "{si_signo=");
	put_value(out, systab_signals, si.si_signo);
	strbuf_adds(out, ", si_code=");
	if (si.si_signo != SIGCHLD) {
		strbuf_addf(out, "%d}", si.si_code);
		return;
	}
	put_value(out, systab_cld_codes, si.si_code);
	strbuf_addf(out, ", si_pid=%d, si_uid=%u, si_status=", (int)si.si_pid, (unsigned)si.si_uid);
	if (si.si_code == CLD_EXITED)
		strbuf_addf(out, "%d", si.si_status);
	else
		put_value(out, systab_signals, si.si_status);
	strbuf_addf(out, ", si_utime=%lld, si_stime=%lld}", (long long)si.si_utime,
		    (long long)si.si_stime);
}

static void put_winsize(struct strbuf *out, const void *data)
{
	struct winsize ws;

	memcpy(&ws, data, sizeof(ws));
	strbuf_addf(out, "{ws_row=%u, ws_col=%u, ws_xpixel=%u, ws_ypixel=%u}", ws.ws_row, ws.ws_col,
		    ws.ws_xpixel, ws.ws_ypixel);
}

/* struct termios as the kernel's TCGETS and TCSETS* have it (asm-generic/termbits.h) */
struct kernel_termios {
	uint32_t c_iflag, c_oflag, c_cflag, c_lflag;
	uint8_t c_line;
	uint8_t c_cc[19];
};

/* strace's abbreviated termios: the four flag words, then "..." for c_line and c_cc */
static void put_termios(struct strbuf *out, const void *data)
{
	struct kernel_termios t;

	memcpy(&t, data, sizeof(t));
	strbuf_adds(out, "{c_iflag=");
	put_flags(out, systab_termios_iflags, t.c_iflag, "");
	strbuf_adds(out, ", c_oflag=");
	put_flags(out, systab_termios_oflags, t.c_oflag, "");
	strbuf_adds(out, ", c_cflag=");
	put_flags(out, systab_termios_cflags, t.c_cflag, "");
	strbuf_adds(out, ", c_lflag=");
	put_flags(out, systab_termios_lflags, t.c_lflag, "");
	strbuf_adds(out, ", ...}");
}

static void put_int_struct(struct strbuf *out, const void *data)
{
	int32_t v;

	memcpy(&v, data, sizeof(v));
	strbuf_addf(out, "[%d]", v);
}

static const struct struct_decoder struct_decoders[SK__COUNT] = {
	[SK_INT] = { sizeof(int32_t), put_int_struct },
	[SK_STAT] = { sizeof(struct stat), put_stat },
	[SK_STATX] = { sizeof(struct statx), put_statx },
	[SK_SIGACTION] = { sizeof(struct kernel_sigaction), put_sigaction },
	[SK_SIGSET] = { SIGSET_BYTES, put_sigset },
	[SK_TIMESPEC] = { 2 * sizeof(int64_t), put_timespec },
	[SK_RLIMIT] = { 2 * sizeof(uint64_t), put_rlimit },
	[SK_WAIT_STATUS] = { sizeof(int32_t), put_wait_status },
	[SK_SIGINFO] = { sizeof(siginfo_t), put_siginfo },
	[SK_WINSIZE] = { sizeof(struct winsize), put_winsize },
	[SK_TERMIOS] = { sizeof(struct kernel_termios), put_termios },
};

_Static_assert(sizeof(struct statx) <= STRUCT_MAX && sizeof(siginfo_t) <= STRUCT_MAX,
	       "STRUCT_MAX holds every decoded struct");

/* Whether an error means a signal interrupted the call (EINTR or a restart code). */
static bool interrupted(const struct trace_call *c)
{
	int err = (int)-c->ret;

	if (!c->is_error)
		return false;
	if (err == EINTR)
		return true;
	for (size_t i = 0; i < sizeof(restarts) / sizeof(restarts[0]); i++)
		if (restarts[i].err == err)
			return true;
	return false;
}

/* Whether what the kernel wrote to the call's output structs is there to read. */
static bool out_readable(const struct fmt *f)
{
	switch (f->sp ? f->sp->out_when : OUT_OK) {
	case OUT_RET_POSITIVE:
		return f->ok && f->c->ret > 0;
	case OUT_INTERRUPTED:
		return !f->c->unfinished && interrupted(f->c);
	default:
		return f->ok;
	}
}

/*
 * A pointer argument to a struct (f->in_kind[i] or f->out_kind[i] says which): what the kernel
 * read, as captured at entry, or what it wrote, read now through f->m; the address when it is not
 * there.
 */
static void put_struct_arg(struct fmt *f, unsigned i)
{
	uint64_t v = f->c->args[i], buf[STRUCT_MAX / sizeof(uint64_t)];
	const struct cap_bytes *b = &f->cap->arg[i];
	const struct struct_decoder *sd;

	if (!f->in_kind[i])
		at_exit_from_here(f);
	if (!v) {
		strbuf_adds(f->out, "NULL");
		return;
	}
	if (f->in_kind[i]) {
		sd = &struct_decoders[f->in_kind[i]];
		if (b->data && b->len == sd->size) {
			sd->put(f->out, b->data);
			return;
		}
	} else if (out_readable(f)) {
		sd = &struct_decoders[f->out_kind[i]];
		if (mem_read(f->m, v, buf, sd->size) == sd->size) {
			sd->put(f->out, buf);
			return;
		}
	}
	put_ptr(f->out, v);
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

	if (f->in_kind[i] || f->out_kind[i]) {
		sep(f);
		put_struct_arg(f, i);
		return 1;
	}
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
		if (f->sp && f->sp->values[i])
			put_value(out, f->sp->values[i], (int)v);
		else
			strbuf_addf(out, "%d", (int)v);
		break;
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
		put_flags(out, f->sp && f->sp->flags[i] ? f->sp->flags[i] : systab_at_flags, v,
			  NULL);
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
		put_int_struct(f->out, &v);
	else
		put_ptr(f->out, addr);
}

/* pipe and pipe2: the two new fds once the call succeeded, then pipe2's flags. */
static void fmt_pipe(struct fmt *f)
{
	const uint64_t *a = f->c->args;
	int32_t fds[2];

	at_exit_from_here(f);
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
	at_exit_from_here(f); /* strace prints the rest at exit */
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
		at_exit_from_here(f);
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

/* How ioctl's third argument reads, by request; IA_HEX for a request not listed. */
enum ioctl_arg { IA_HEX = 0, IA_NONE, IA_INT, IA_PTR, IA_STRUCT };

static const struct {
	unsigned cmd;
	enum ioctl_arg how;
	unsigned char in, out; /* enum struct_kind, with IA_STRUCT */
} ioctl_args[] = {
	{ TCGETS, IA_STRUCT, 0, SK_TERMIOS },
	{ TCSETS, IA_STRUCT, SK_TERMIOS, 0 },
	{ TCSETSW, IA_STRUCT, SK_TERMIOS, 0 },
	{ TCSETSF, IA_STRUCT, SK_TERMIOS, 0 },
	{ TCGETA, IA_PTR, 0, 0 },
	{ TCSETA, IA_PTR, 0, 0 },
	{ TCSETAW, IA_PTR, 0, 0 },
	{ TCSETAF, IA_PTR, 0, 0 },
	{ TCSBRK, IA_INT, 0, 0 },
	{ TCXONC, IA_INT, 0, 0 },
	{ TCFLSH, IA_INT, 0, 0 },
	{ TIOCEXCL, IA_NONE, 0, 0 },
	{ TIOCNXCL, IA_NONE, 0, 0 },
	{ TIOCSCTTY, IA_INT, 0, 0 },
	{ TIOCNOTTY, IA_NONE, 0, 0 },
	{ TIOCGPGRP, IA_STRUCT, 0, SK_INT },
	{ TIOCSPGRP, IA_STRUCT, SK_INT, 0 },
	{ TIOCGSID, IA_STRUCT, 0, SK_INT },
	{ TIOCOUTQ, IA_STRUCT, 0, SK_INT },
	{ TIOCGWINSZ, IA_STRUCT, 0, SK_WINSIZE },
	{ TIOCSWINSZ, IA_STRUCT, SK_WINSIZE, 0 },
	{ TIOCGPTN, IA_STRUCT, 0, SK_INT },
	{ TIOCSPTLCK, IA_STRUCT, SK_INT, 0 },
	{ TIOCGPTPEER, IA_HEX, 0, 0 },
	{ FIONREAD, IA_STRUCT, 0, SK_INT },
	{ FIONBIO, IA_STRUCT, SK_INT, 0 },
	{ FIOASYNC, IA_STRUCT, SK_INT, 0 },
	{ FIOCLEX, IA_NONE, 0, 0 },
	{ FIONCLEX, IA_NONE, 0, 0 },
	{ SIOCATMARK, IA_STRUCT, 0, SK_INT },
	{ SIOCGIFNAME, IA_PTR, 0, 0 },
	{ SIOCGIFCONF, IA_PTR, 0, 0 },
	{ SIOCGIFFLAGS, IA_PTR, 0, 0 },
	{ SIOCSIFFLAGS, IA_PTR, 0, 0 },
	{ SIOCGIFADDR, IA_PTR, 0, 0 },
	{ SIOCGIFMTU, IA_PTR, 0, 0 },
	{ SIOCGIFHWADDR, IA_PTR, 0, 0 },
	{ SIOCGIFINDEX, IA_PTR, 0, 0 },
};

static size_t ioctl_find(unsigned cmd)
{
	size_t i;

	for (i = 0; i < sizeof(ioctl_args) / sizeof(ioctl_args[0]); i++)
		if (ioctl_args[i].cmd == cmd)
			break;
	return i;
}

static void ioctl_kinds(const uint64_t *args, unsigned char in[6], unsigned char out[6])
{
	size_t i = ioctl_find((unsigned)args[1]);

	if (i < sizeof(ioctl_args) / sizeof(ioctl_args[0]) && ioctl_args[i].how == IA_STRUCT) {
		in[2] = ioctl_args[i].in;
		out[2] = ioctl_args[i].out;
	}
}

/* ioctl(fd, TIOCGWINSZ, {ws_row=24, ...}); an unknown request as _IOC(dir, type, nr, size). */
static void fmt_ioctl(struct fmt *f)
{
	const uint64_t *a = f->c->args;
	unsigned cmd = (unsigned)a[1]; /* the kernel takes an unsigned int */
	const char *name = systab_value_name(systab_ioctl_cmds, cmd);
	size_t i = ioctl_find(cmd);
	enum ioctl_arg how =
		i < sizeof(ioctl_args) / sizeof(ioctl_args[0]) ? ioctl_args[i].how : IA_HEX;

	strbuf_addf(f->out, "%d, ", (int)a[0]);
	if (name) {
		strbuf_adds(f->out, name);
	} else {
		strbuf_adds(f->out, "_IOC(");
		put_flags(f->out, systab_ioctl_dirs, _IOC_DIR(cmd), "_IOC_NONE");
		strbuf_addf(f->out, ", %#x, %#x, %#x)", _IOC_TYPE(cmd), _IOC_NR(cmd),
			    _IOC_SIZE(cmd));
	}
	f->nargs = 2;
	if (how == IA_NONE)
		return;
	sep(f);
	switch (how) {
	case IA_INT:
		strbuf_addf(f->out, "%d", (int)a[2]);
		break;
	case IA_PTR:
		put_ptr(f->out, a[2]);
		break;
	case IA_STRUCT:
		put_struct_arg(f, 2);
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

/*
 * Appends "NAME(ARGS" to out (no ')', no return value) and returns where in out the arguments
 * the kernel writes start (out->len when there are none). at_exit: c has exited, what the
 * kernel wrote may be read; else it is the entry, and those arguments print as addresses.
 */
static size_t format_call(const struct mem_reader *m, const struct trace_call *c,
			  const struct syscall_def *d, const struct decode_opts *o, bool at_exit,
			  struct strbuf *out)
{
	bool raw = o && o->raw;
	struct decode_cap *tmp = NULL;
	struct fmt f;

	if (!d) {
		strbuf_addf(out, "syscall_%#lx(", (unsigned long)c->nr);
		for (unsigned i = 0; i < 6; i++) {
			if (i)
				strbuf_adds(out, ", ");
			put_hex(out, c->args[i]);
		}
		return out->len;
	}
	strbuf_adds(out, d->name);
	strbuf_addc(out, '(');
	if (raw) {
		for (unsigned i = 0; i < d->nargs && i < 6; i++) {
			if (i)
				strbuf_adds(out, ", ");
			put_hex(out, c->args[i]);
		}
		return out->len;
	}
	memset(&f, 0, sizeof(f));
	f.m = m;
	f.c = c;
	f.d = d;
	f.sp = special_get(d);
	f.out = out;
	f.strsize = opt_strsize(o);
	f.ok = at_exit && !c->unfinished && !c->is_error;
	f.split = SIZE_MAX;
	f.cap = c->priv;
	struct_kinds(f.sp, c->args, f.in_kind, f.out_kind);
	if (!f.cap) /* no entry seen: what is still there now is the best there is */
		f.cap = tmp = capture(m, c, d, f.sp, f.strsize);
	if (!f.cap)
		f.cap = &no_capture;
	if (f.sp && f.sp->args)
		f.sp->args(&f);
	else
		put_args(&f);
	cap_free(tmp);
	return f.split == SIZE_MAX ? out->len : f.split;
}

static const struct syscall_def *def_of(const struct trace_call *c)
{
	int arch = decode_arch(c->arch);

	return arch >= 0 ? systab_get(arch, c->nr) : NULL;
}

void decode_format(const struct mem_reader *m, const struct trace_call *c,
		   const struct decode_opts *o, struct strbuf *out)
{
	const struct syscall_def *d = def_of(c);

	format_call(m, c, d, o, true, out);
	strbuf_addc(out, ')');
	put_return(c, d, o && o->raw, o ? o->align : 0, out);
}

void decode_format_entry(const struct mem_reader *m, const struct trace_call *c,
			 const struct decode_opts *o, struct strbuf *out)
{
	struct strbuf all = STRBUF_INIT;
	size_t split = format_call(m, c, def_of(c), o, false, &all);

	strbuf_add(out, all.buf, split);
	strbuf_release(&all);
}

void decode_format_resumed(const struct mem_reader *m, const struct trace_call *c,
			   const struct decode_opts *o, struct strbuf *out)
{
	const struct syscall_def *d = def_of(c);
	struct strbuf all = STRBUF_INIT;
	size_t split = format_call(m, c, d, o, true, &all), name_len;

	/* the name is what the line starts with, up to its '(' */
	name_len = (size_t)((const char *)memchr(all.buf, '(', all.len) - all.buf);
	strbuf_addf(out, "<... %.*s resumed>", (int)name_len, all.buf);
	strbuf_add(out, all.buf + split, all.len - split);
	strbuf_addc(out, ')');
	put_return(c, d, o && o->raw, o ? o->align : 0, out);
	strbuf_release(&all);
}
