/* decode.h - strace-style text for one syscall: arguments read from tracee memory, return value. */
#ifndef SPIKETRACE_TRACE_DECODE_H
#define SPIKETRACE_TRACE_DECODE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

struct strbuf;
struct trace_call;

/*
 * Where tracee memory is read from, so that the decoder can be tested without a tracee. read
 * copies up to len bytes at addr into buf and returns the count (short when the range runs into
 * an unmapped page) or a negative errno; ctx is passed back.
 */
struct mem_reader {
	ssize_t (*read)(void *ctx, uint64_t addr, void *buf, size_t len);
	void *ctx;
};

/* A reader of tid's memory through ptrace_read_mem (ctx is the tid). */
struct mem_reader decode_reader_ptrace(pid_t tid);

#define DECODE_STRSIZE_DEFAULT 32 /* strace's -s default */
#define DECODE_ALIGN_STRACE    40 /* the column strace puts "= RET" at */

struct decode_opts {
	unsigned strsize; /* bytes shown of a data buffer, elements of an array; 0: 32 */
	bool raw;	  /* every argument and the return value in hex, nothing decoded */
	bool names_only;  /* decode_enter captures only for calls that name something (a path,
			     string, socket address or argv): the tracker's needs, not a printer's */
	unsigned align;	  /* pad so "= RET" starts at this column of the line (counted from the
			     last '\n' in out, so a "[pid N] " prefix counts); 0: no padding */
};

/*
 * At syscall entry: captures what is gone or changed by the exit — file names and other
 * strings, execve's argv (the first max(strsize, 32) elements, each cut at max(strsize, 256)
 * bytes) and the count of its envp, the sockaddr of connect/bind/sendto, the socklen an
 * accept-style call passes in, the data of the write family (first strsize bytes, iovecs
 * included), the structs a call hands the kernel (rt_sigaction's new action, a sigset, a
 * timespec, an rlimit, an ioctl's int or winsize). The capture is stored in c->priv, which the
 * decoder then owns: call decode_release(c) once the call is done with. c->priv must be NULL or an
 * earlier capture of this decoder (freed first). m reads the memory of c->tid; o may be NULL
 * (defaults). The capture is the same in raw mode: decode_arg_str and friends work whatever the
 * display.
 */
void decode_enter(const struct mem_reader *m, struct trace_call *c, const struct decode_opts *o);

/* Frees the capture in c->priv (if any) and sets c->priv to NULL. */
void decode_release(struct trace_call *c);

/*
 * At syscall exit (or when the call is unfinished): appends the strace line of c to out, without
 * a newline: `openat(AT_FDCWD, "/etc/passwd", O_RDONLY|O_CLOEXEC) = 3`, `= -1 ENOENT (No such
 * file or directory)`, `= ? ERESTARTSYS (To be restarted if SA_RESTART is set)`, `= ?` for an
 * unfinished call and for exit/exit_group. What the kernel wrote (read buffers, accept's address,
 * readv's iovecs, the structs of stat, statx, rt_sigaction, rt_sigprocmask, the clock and sleep
 * calls, the rlimit calls, wait4, waitid and ioctl, only when the call succeeded) is read
 * through m now; what decode_enter captured is taken from c->priv, and
 * read now when there is no capture (attached in the middle of the call). c->arch is the
 * AUDIT_ARCH_* value of PTRACE_GET_SYSCALL_INFO (0 reads as the native architecture); a syscall
 * of an unknown number or architecture prints as syscall_0x1b3(0x1, ...) with six arguments.
 * c->is_error tells an error from a success. o may be NULL (defaults).
 */
void decode_format(const struct mem_reader *m, const struct trace_call *c,
		   const struct decode_opts *o, struct strbuf *out);

/*
 * The two halves of a line that strace splits when another task prints while the call is in
 * progress. decode_format_entry, callable at entry (after decode_enter), appends what is known
 * then: `read(3, ` — the name and the arguments up to the first one the kernel writes, with the
 * separator before it, or all of them (no ')') when the kernel writes none: `write(1, "x", 1`.
 * decode_format_resumed, at exit, appends the rest: `<... read resumed>"x", 1) = 1`, padded
 * like decode_format. decode_format_entry(c) followed by the rest after "resumed>" is the
 * decode_format line whenever no argument was read from memory that changed in between.
 */
void decode_format_entry(const struct mem_reader *m, const struct trace_call *c,
			 const struct decode_opts *o, struct strbuf *out);
void decode_format_resumed(const struct mem_reader *m, const struct trace_call *c,
			   const struct decode_opts *o, struct strbuf *out);

/*
 * What decode_enter captured for argument i of c: the string of an A_PATH or A_STR argument
 * (NULL when not captured or unreadable), or the bytes of an A_BUF_IN (first strsize) or an input
 * A_SOCKADDR (whole address) argument with their count in *len. Valid until decode_release(c).
 * For the sinks that name file descriptors (openat's path, connect's address).
 */
const char *decode_arg_str(const struct trace_call *c, unsigned i);
const void *decode_arg_data(const struct trace_call *c, unsigned i, size_t *len);

/*
 * execve's (execveat's) argv as decode_enter captured it: *argc strings (each NUL-terminated,
 * cut at max(strsize, 256) bytes), *more when the array went on. NULL when none was captured.
 * Valid until decode_release(c).
 */
const char *const *decode_argv(const struct trace_call *c, size_t *argc, bool *more);

/*
 * A socket address (len bytes at sa) in plain form for summaries: "127.0.0.1:8080",
 * "[::1]:443" ("[fe80::1%2]:443" with a scope), "/run/x.sock", "@name" for an abstract unix
 * address, "" for an unnamed one; another family gives its name ("AF_NETLINK"). Like snprintf:
 * buf (buflen bytes) is always NUL-terminated when buflen > 0 and the return value is the length
 * of the whole text. Returns -EINVAL when len is too short for the family.
 */
int decode_sockaddr(const void *sa, size_t len, char *buf, size_t buflen);

/*
 * Appends the first max bytes of data (len bytes) to out as a C string in strace's way: in double
 * quotes, \t \n \v \f \r \" \\ escaped, other bytes outside ASCII 32..126 as octal (\0, \33,
 * \177, three digits when an octal digit follows), then `...` after the closing quote when
 * len > max.
 */
void decode_quote(struct strbuf *out, const void *data, size_t len, size_t max);

/* The systab architecture (enum systab_arch) of an AUDIT_ARCH_* value (0: native), or -1. */
int decode_arch(uint32_t audit_arch);

#endif
