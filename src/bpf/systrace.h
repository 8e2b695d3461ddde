/* systrace.h - the contract between systrace.bpf.c (syscall tracing in the kernel) and its loader
 * (src/trace/bpfengine.c): records in the ring buffer, capture operations, limits. */
#ifndef SPIKETRACE_BPF_SYSTRACE_H
#define SPIKETRACE_BPF_SYSTRACE_H

#define ST_NR_LIMIT	 1024 /* syscall numbers below this can be traced */
#define ST_SET_BYTES	 (ST_NR_LIMIT / 8)
#define ST_PID_LIMIT	 (1 << 22)  /* PID_MAX_LIMIT on 64-bit: the traced-tgid bitmap */
#define ST_MAX_OPS	 4	    /* capture operations per syscall */
#define ST_STR_MAX	 4096	    /* bytes of a path or string (PATH_MAX) */
#define ST_BYTES_MAX	 4096	    /* bytes of a buffer */
#define ST_ARGV_MAX	 32	    /* execve argv elements captured */
#define ST_ARGSTR_MAX	 256	    /* bytes of each of them */
#define ST_CWD_DEPTH	 32	    /* path components of a working directory */
#define ST_NAME_MAX	 256	    /* bytes of one of them */
#define ST_SCRATCH	 32768	    /* a record is built here; at most this long */
#define ST_RINGBUF_BYTES (16 << 20) /* the ring buffer */
#define ST_WAKE_BYTES	 (4 << 20)  /* the consumer is woken when this much is waiting */

/*
 * Handover from the ptrace engine (src/trace/engine.c): tids in the "owned" map and what the
 * programs do for them.
 */
#define ST_OWNED_MAX	 16384
#define ST_OWN_PTRACE	 1u /* its call in flight is ptrace's: no record of it here */
#define ST_OWN_SECCOMP	 2u /* it asked for a seccomp filter: stopped (SIGSTOP) for ptrace */

/* Record types. */
enum st_rec_type {
	ST_REC_ENTER = 1, /* a call's entry with what its arguments point to (only when any) */
	ST_REC_EXIT,	  /* a call finished (or never will: ST_F_UNFINISHED) */
	ST_REC_SPAWN,	  /* a traced task made a new task */
	ST_REC_EXEC,	  /* a traced process exec'd */
	ST_REC_SIGNAL,	  /* a signal is delivered to a traced thread */
	ST_REC_TEXIT,	  /* a traced thread ended */
};

#define ST_F_UNFINISHED 1u /* the thread ended inside the call */

/* The head of every record. */
struct st_hdr {
	unsigned int type; /* enum st_rec_type */
	unsigned int size; /* of the whole record, bytes */
	int tid, tgid;
	unsigned long long ns; /* CLOCK_MONOTONIC: when it happened (a call: its exit, 0 at entry) */
};

/* ST_REC_ENTER and ST_REC_EXIT: followed by nchunks chunks (struct st_chunk + data). */
struct st_call {
	struct st_hdr h;
	long long nr;
	unsigned long long args[6];
	long long ret;			      /* exit: the return value (-errno) */
	unsigned long long entry_ns, exit_ns; /* CLOCK_MONOTONIC */
	unsigned int flags;		      /* ST_F_* */
	unsigned int nchunks;
};

enum st_chunk_kind {
	ST_CHUNK_MEM = 0, /* len bytes of user memory at addr */
	ST_CHUNK_CWD,	  /* the working directory: components leaf first, each NUL-ended */
	ST_CHUNK_PEER,	  /* the peer of the socket fd ret: a struct sockaddr_in or _in6 */
};

/* One piece of captured memory; its data follows, padded to 8 bytes. */
struct st_chunk {
	unsigned long long addr;
	unsigned int len;
	unsigned int kind; /* enum st_chunk_kind */
};

/* ST_REC_SPAWN */
struct st_spawn {
	struct st_hdr h; /* tid, tgid: the parent */
	int child, child_tgid;
	int kind; /* 0 fork, 1 vfork, 2 clone (as ptrace tells them apart) */
	int via;  /* the parent's syscall number, -1 when unknown */
};

/* ST_REC_EXEC: h.tgid exec'd; old_tid called execve. */
struct st_exec {
	struct st_hdr h;
	int old_tid;
	int pad;
};

/* ST_REC_SIGNAL */
struct st_signal {
	struct st_hdr h;
	int sig;
	int pad;
};

/* ST_REC_TEXIT: status as from waitpid; last: the thread group is gone with it. */
struct st_texit {
	struct st_hdr h;
	int status;
	int last;
};

/* When a capture operation runs. */
enum st_when { ST_AT_NONE = 0, ST_AT_ENTRY, ST_AT_EXIT };

/* What it reads (arg: the argument holding the address; len: see each). */
enum st_op_kind {
	ST_OP_STR = 1,	 /* NUL-terminated string, at most max bytes */
	ST_OP_BYTES,	 /* bytes: args[len] of them (len 0xff: max), at most max */
	ST_OP_BYTES_RET, /* exit: ret bytes (when ret > 0), at most max */
	ST_OP_SOCKADDR,	 /* the u32 at args[len], then that many bytes at args[arg] (<= max) */
	ST_OP_ARGV,	 /* NULL-terminated pointer array and the strings it points to */
	ST_OP_CWD,	 /* the working directory, when the path at args[arg] is relative and
			    args[len] (0xff: none) is AT_FDCWD */
	ST_OP_PEER,	 /* exit: the peer of the socket fd ret when args[arg] is NULL (accept) */
};

struct st_op {
	unsigned char when; /* enum st_when */
	unsigned char kind; /* enum st_op_kind */
	unsigned char arg;
	unsigned char len;
	unsigned short max;
	unsigned short pad;
};

struct st_caps {
	struct st_op op[ST_MAX_OPS];
};

#endif
