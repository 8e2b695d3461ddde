/* systrace.bpf.c - syscalls of the traced process trees, filtered in the kernel, into a ring
 * buffer. */
#include "vmlinux.h"

#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "bpf/systrace.h"

char LICENSE[] SEC("license") = "GPL";

/* x86_64 numbers the programs need to know (the loader decides everything else) */
#define NR_clone    56
#define NR_fork	    57
#define NR_vfork    58
#define NR_execve   59
#define NR_execveat 322
#define NR_clone3   435
#define CLONE_VFORK 0x4000
#define SIGCHLD	    17
#define SIGKILL	    9
#define AT_FDCWD    -100
/* what asks for a seccomp filter (see handover_enter) */
#define NR_prctl       157
#define NR_seccomp     317
#define PR_SET_SECCOMP 22
#define SIGSTOP	       19
#define TS_COMPAT      0x0002 /* arch/x86/include/asm/thread_info.h: a 32-bit syscall */
/* include/linux/sched/signal.h: not in BTF */
#define SIGNAL_GROUP_EXIT 0x4

/* set by the loader before load */
const volatile unsigned char trace_set[ST_SET_BYTES] = {};
const volatile struct st_caps caps[ST_NR_LIMIT] = {};
const volatile unsigned long long wake_bytes = ST_WAKE_BYTES; /* the consumer is woken above */

/* set by the loader while running (mmapped) */
int spawn_tgid; /* the command started stopped: traced from its first execve */
int spawn_started;
/* the ptrace engine handed its tracees over (their seccomp filter is suspended) */
int handover;
unsigned long long lost; /* records that did not fit (or could not be built) */

struct inflight {
	unsigned long long entry_ns;
	long long nr;
	unsigned long long args[6];
	unsigned int active;
};

struct {
	__uint(type, BPF_MAP_TYPE_TASK_STORAGE);
	__uint(map_flags, BPF_F_NO_PREALLOC);
	__type(key, int);
	__type(value, struct inflight);
} inflight SEC(".maps");

/*
 * The traced tgids, a bit each (the loader mmaps it): a map of its own, not .bss, so the light
 * skeleton does not carry half a megabyte of zeros.
 */
struct tgid_bits {
	unsigned int w[ST_PID_LIMIT / 32];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1);
	__type(key, unsigned int);
	__type(value, struct tgid_bits);
} traced SEC(".maps");

/* with handover: tid -> ST_OWN_* (see systrace.h) */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ST_OWNED_MAX);
	__type(key, unsigned int);
	__type(value, unsigned int);
} owned SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, ST_RINGBUF_BYTES);
} rb SEC(".maps");

/* where records with captured memory are built: one per CPU (max_entries set by the loader) */
struct scratch {
	unsigned int busy;
	unsigned int nchunks; /* of the record being built: each add_* counts its own */
	unsigned char buf[2 * ST_SCRATCH];
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, unsigned int);
	__type(value, struct scratch);
} scratch SEC(".maps");

/* The word of tgid in traced[], bounded where the verifier can see it (clang folds a plain mask
 * away). */
static __always_inline unsigned long long word_of(unsigned int tgid)
{
	unsigned long long w = tgid / 32;

	asm volatile("%[w] &= 0x1ffff" : [w] "+r"(w)); /* ST_PID_LIMIT / 32 - 1 */
	return w;
}

static __always_inline struct tgid_bits *tgids(void)
{
	unsigned int zero = 0;

	return bpf_map_lookup_elem(&traced, &zero);
}

static __always_inline bool is_traced(unsigned int tgid)
{
	struct tgid_bits *t = tgids();

	if (!t || tgid >= ST_PID_LIMIT)
		return false;
	return t->w[word_of(tgid)] & (1u << (tgid % 32));
}

static __always_inline void count_lost(void)
{
	__sync_fetch_and_add(&lost, 1);
}

/* The consumer polls on a timer; it is woken early only when a good part of the ring is used. */
static __always_inline unsigned long long wake_flags(void)
{
	return bpf_ringbuf_query(&rb, BPF_RB_AVAIL_DATA) >= wake_bytes ? BPF_RB_FORCE_WAKEUP
								       : BPF_RB_NO_WAKEUP;
}

/*
 * The scratch buffer of this CPU, or NULL when a program preempted on this CPU is building a
 * record in it (the record is then lost, and counted).
 */
static __always_inline struct scratch *scratch_get(void)
{
	unsigned int cpu = bpf_get_smp_processor_id();
	struct scratch *s = bpf_map_lookup_elem(&scratch, &cpu);

	if (!s || __sync_lock_test_and_set(&s->busy, 1u)) {
		count_lost();
		return NULL;
	}
	return s;
}

static __always_inline void scratch_put(struct scratch *s)
{
	/* a plain store: this CPU's next program cannot start before it */
	s->busy = 0;
}

/*
 * The capture functions are global (verified once each, whatever calls them): they append a
 * chunk to the record in s at off and return the offset after it (off when nothing could be
 * read or there is no room).
 */

/* want bytes of user memory at addr, or the string there when str. */
__noinline unsigned int add_mem(struct scratch *s, unsigned int off, unsigned long long addr,
				unsigned int want, int str)
{
	struct st_chunk *ch;
	long got;

	if (!s || !addr || off > ST_SCRATCH - sizeof(*ch) - ST_STR_MAX)
		return off;
	off &= ST_SCRATCH - 1;
	if (want > ST_STR_MAX)
		want = ST_STR_MAX;
	if (!want)
		return off;
	ch = (struct st_chunk *)&s->buf[off];
	if (str) {
		got = bpf_probe_read_user_str(&s->buf[off + sizeof(*ch)], want, (void *)addr);
	} else {
		got = bpf_probe_read_user(&s->buf[off + sizeof(*ch)], want, (void *)addr);
		got = got < 0 ? got : want;
	}
	if (got <= 0)
		return off;
	ch->addr = addr;
	ch->len = got;
	ch->kind = ST_CHUNK_MEM;
	s->nchunks++;
	return off + sizeof(*ch) + ((got + 7) & ~7);
}

/*
 * execve's argv: the strings, then the pointer array (to its NULL), read again in one piece. One
 * loop whose count is not carried past it: the verifier walks each iteration once.
 */
__noinline unsigned int add_argv(struct scratch *s, unsigned int off, unsigned long long addr)
{
	unsigned int count = 0;

	if (!s || !addr)
		return off;
	for (unsigned int i = 0; i <= ST_ARGV_MAX; i++) {
		unsigned long long p = 0;

		if (bpf_probe_read_user(&p, sizeof(p), (void *)(addr + 8 * i)) < 0)
			break;
		count++;
		if (!p)
			break;
		if (i < ST_ARGV_MAX)
			off = add_mem(s, off, p, ST_ARGSTR_MAX, 1);
	}
	return add_mem(s, off, addr, 8 * count, 0);
}

/*
 * One step up the working directory's path: d and mnt are kernel addresses (a global function
 * takes no pointers to structs with pointers). Returns 0 to go on, 1 at the root or on failure.
 */
struct cwd_walk {
	unsigned long long d, mnt;
	unsigned int pos, end;
};

__noinline int cwd_step(struct scratch *s, struct cwd_walk *w)
{
	struct dentry *d, *parent;
	struct mount *mnt;
	const unsigned char *name;
	long got;

	if (!s || !w)
		return 1;
	d = (struct dentry *)w->d;
	mnt = (struct mount *)w->mnt;
	if (d == BPF_CORE_READ(mnt, mnt.mnt_root)) {
		/* the root of a mount: go on from where it is mounted */
		struct mount *up = BPF_CORE_READ(mnt, mnt_parent);

		if (up == mnt)
			return 1;
		w->d = (unsigned long long)BPF_CORE_READ(mnt, mnt_mountpoint);
		w->mnt = (unsigned long long)up;
		return 0;
	}
	parent = BPF_CORE_READ(d, d_parent);
	if (parent == d)
		return 1;
	name = BPF_CORE_READ(d, d_name.name);
	got = bpf_probe_read_kernel_str(&s->buf[w->pos & (ST_SCRATCH - 1)], ST_NAME_MAX, name);
	if (got <= 0)
		return 1;
	w->pos += got;
	if (w->pos > w->end)
		return 1;
	w->d = (unsigned long long)parent;
	return 0;
}

/* The working directory of the current task, leaf first, each component NUL-ended. */
__noinline unsigned int add_cwd(struct scratch *s, unsigned int off)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct vfsmount *vm = BPF_CORE_READ(task, fs, pwd.mnt);
	struct cwd_walk w = {
		.d = (unsigned long long)BPF_CORE_READ(task, fs, pwd.dentry),
		.mnt = (unsigned long long)((void *)vm - bpf_core_field_offset(struct mount, mnt)),
	};
	struct st_chunk *ch;

	if (!s || off > ST_SCRATCH - sizeof(*ch) - ST_CWD_DEPTH * ST_NAME_MAX)
		return off;
	off &= ST_SCRATCH - 1;
	w.pos = off + sizeof(*ch);
	w.end = off + sizeof(*ch) + (ST_CWD_DEPTH - 1) * ST_NAME_MAX;
	for (int i = 0; i < 2 * ST_CWD_DEPTH; i++)
		if (cwd_step(s, &w))
			break;
	if (w.pos > w.end)
		return off; /* too deep */
	ch = (struct st_chunk *)&s->buf[off];
	ch->addr = 0;
	ch->len = w.pos - off - sizeof(*ch);
	ch->kind = ST_CHUNK_CWD;
	s->nchunks++;
	return off + sizeof(*ch) + ((ch->len + 7) & ~7);
}

/*
 * struct sockaddr_in and _in6 as user space has them (the ABI): vmlinux.h's would be relocated
 * against the kernel's BTF at every load, for nothing.
 */
struct st_sin {
	unsigned short sin_family, sin_port;
	unsigned int sin_addr;
	unsigned char zero[8];
};

struct st_sin6 {
	unsigned short sin6_family, sin6_port;
	unsigned int sin6_flowinfo;
	unsigned char sin6_addr[16];
	unsigned int sin6_scope_id;
};

/* The peer address of socket fd of the current task (TCP/UDP over IPv4 or IPv6). */
__noinline unsigned int add_peer(struct scratch *s, unsigned int off, int fd)
{
	struct task_struct *task = bpf_get_current_task_btf();
	struct file **fds = BPF_CORE_READ(task, files, fdt, fd);
	unsigned int max = BPF_CORE_READ(task, files, fdt, max_fds);
	struct file *f = NULL;
	struct socket *sock;
	struct sock *sk;
	struct st_chunk *ch;
	unsigned short family;

	if (!s || fd < 0 || (unsigned int)fd >= max || off > ST_SCRATCH - sizeof(*ch) - 32)
		return off;
	off &= ST_SCRATCH - 1;
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]) < 0 || !f)
		return off;
	sock = BPF_CORE_READ(f, private_data);
	sk = BPF_CORE_READ(sock, sk);
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	ch = (struct st_chunk *)&s->buf[off];
	if (family == 2 /* AF_INET */) {
		struct st_sin *sin = (void *)&s->buf[off + sizeof(*ch)];

		__builtin_memset(sin, 0, sizeof(*sin));
		sin->sin_family = family;
		sin->sin_port = BPF_CORE_READ(sk, __sk_common.skc_dport);
		sin->sin_addr = BPF_CORE_READ(sk, __sk_common.skc_daddr);
		ch->len = sizeof(*sin);
	} else if (family == 10 /* AF_INET6 */) {
		struct st_sin6 *sin6 = (void *)&s->buf[off + sizeof(*ch)];

		__builtin_memset(sin6, 0, sizeof(*sin6));
		sin6->sin6_family = family;
		sin6->sin6_port = BPF_CORE_READ(sk, __sk_common.skc_dport);
		BPF_CORE_READ_INTO(&sin6->sin6_addr, sk, __sk_common.skc_v6_daddr);
		ch->len = sizeof(*sin6);
	} else {
		return off;
	}
	ch->addr = 0;
	ch->kind = ST_CHUNK_PEER;
	s->nchunks++;
	return off + sizeof(*ch) + ((ch->len + 7) & ~7);
}

/*
 * Runs capture operation k (sel & 0xf) of f's syscall when it runs at sel >> 4 (enum st_when):
 * returns the new end of the record (global: verified once, however many operations and callers
 * there are; five arguments at most, hence sel).
 */
__noinline unsigned int run_op(struct scratch *s, unsigned int off, struct inflight *f,
			       long long ret, unsigned int sel)
{
	unsigned int arg, len, max, k = sel & 0xf, when = sel >> 4;
	const volatile struct st_op *op;
	unsigned long long a;

	if (!s || !f || k >= ST_MAX_OPS)
		return off;
	op = &caps[f->nr & (ST_NR_LIMIT - 1)].op[k];
	arg = op->arg;
	len = op->len;
	max = op->max;
	if (op->when != when || arg > 5)
		return off;
	a = f->args[arg];
	switch (op->kind) {
	case ST_OP_STR:
		return add_mem(s, off, a, max, 1);
	case ST_OP_BYTES:
		if (len <= 5 && f->args[len] < max)
			max = f->args[len];
		return add_mem(s, off, a, max, 0);
	case ST_OP_BYTES_RET:
		if (ret <= 0)
			return off;
		return add_mem(s, off, a, (unsigned long long)ret < max ? ret : max, 0);
	case ST_OP_SOCKADDR: {
		unsigned int slen = 0;

		if (len > 5 || !f->args[len] ||
		    bpf_probe_read_user(&slen, sizeof(slen), (void *)f->args[len]) < 0)
			return off;
		off = add_mem(s, off, f->args[len], sizeof(slen), 0);
		return add_mem(s, off, a, slen < max ? slen : max, 0);
	}
	case ST_OP_PEER:
		if (a || ret < 0)
			return off;
		return add_peer(s, off, (int)ret);
	case ST_OP_ARGV:
		return add_argv(s, off, a);
	case ST_OP_CWD: {
		char c = '/';

		if (len <= 5 && (int)f->args[len] != AT_FDCWD)
			return off;
		if (!a || bpf_probe_read_user(&c, 1, (void *)a) < 0 || c == '/')
			return off;
		return add_cwd(s, off);
	}
	default:
		return off;
	}
}

/* Runs the capture operations of f's syscall that run at when; sets the record's nchunks. */
static __always_inline unsigned int run_ops(struct scratch *s, unsigned int off, struct inflight *f,
					    long long ret, unsigned int when)
{
	s->nchunks = 0;
	for (unsigned int k = 0; k < ST_MAX_OPS; k++)
		off = run_op(s, off, f, ret, when << 4 | k);
	((struct st_call *)s->buf)->nchunks = s->nchunks;
	return off;
}

static __always_inline bool has_ops(long long nr, unsigned int when)
{
	for (int k = 0; k < ST_MAX_OPS; k++)
		if (caps[nr & (ST_NR_LIMIT - 1)].op[k].when == when)
			return true;
	return false;
}

/* Emits a call record: with the captures of when, built in scratch, or plain when there are none.
 */
static __always_inline void emit_call(unsigned int type, int tid, int tgid, struct inflight *f,
				      long long ret, unsigned long long exit_ns, unsigned int flags,
				      unsigned int when)
{
	struct scratch *s;
	struct st_call *c;
	unsigned int off;

	if (!when || !has_ops(f->nr, when)) {
		c = bpf_ringbuf_reserve(&rb, sizeof(*c), 0);
		if (!c) {
			count_lost();
			return;
		}
		c->h.type = type;
		c->h.size = sizeof(*c);
		c->h.tid = tid;
		c->h.tgid = tgid;
		c->h.ns = exit_ns;
		c->nr = f->nr;
		__builtin_memcpy(c->args, f->args, sizeof(c->args));
		c->ret = ret;
		c->entry_ns = f->entry_ns;
		c->exit_ns = exit_ns;
		c->flags = flags;
		c->nchunks = 0;
		bpf_ringbuf_submit(c, wake_flags());
		return;
	}
	s = scratch_get();
	if (!s)
		return;
	c = (struct st_call *)s->buf;
	off = run_ops(s, sizeof(*c), f, ret, when);
	c->h.type = type;
	c->h.size = off;
	c->h.tid = tid;
	c->h.tgid = tgid;
	c->h.ns = exit_ns;
	c->nr = f->nr;
	__builtin_memcpy(c->args, f->args, sizeof(c->args));
	c->ret = ret;
	c->entry_ns = f->entry_ns;
	c->exit_ns = exit_ns;
	c->flags = flags;
	off &= 2 * ST_SCRATCH - 1;
	if (off < sizeof(*c))
		off = sizeof(*c);
	if (bpf_ringbuf_output(&rb, s->buf, off, wake_flags()) < 0)
		count_lost();
	scratch_put(s);
}

/*
 * Every syscall of every task runs these two (raw tracepoints, the cheapest there are): a task
 * not traced costs a bitmap test. (syscalls:sys_enter_NAME tracepoints, attached only for the
 * traced syscalls, would spare the others the program, but each is a perf event, and closing
 * one waits for RCU grace periods under the kernel's event_mutex: ~70 ms each on this kernel,
 * 15 s for a hundred syscalls, every other tracer blocked meanwhile.)
 */
/* A 32-bit syscall (int 0x80 from 64-bit code too): its number is not x86_64's. */
static __always_inline bool compat_call(void)
{
	struct task_struct *task = bpf_get_current_task_btf();

	return bpf_core_field_exists(task->thread_info.status) &&
	       (task->thread_info.status & TS_COMPAT);
}

/*
 * After the ptrace engine handed its tracees over, their seccomp filters (ours and any of their
 * own) are suspended. A thread that asks for a filter (or strict mode) is stopped with SIGSTOP
 * before it runs another instruction, so that ptrace takes it back and the filter is enforced.
 * So is one that makes a 32-bit call, which this program cannot read (ptrace's filter stops on
 * every one). True: the call is not recorded here (its entry was ptrace's).
 */
static __noinline bool handover_enter(unsigned int tid, struct pt_regs *regs, long id)
{
	unsigned int *o = bpf_map_lookup_elem(&owned, &tid), v = ST_OWN_SECCOMP;

	if (o && *o == ST_OWN_PTRACE)
		return true;
	if ((id == NR_seccomp && regs->di <= 1) || (id == NR_prctl && regs->di == PR_SET_SECCOMP) ||
	    compat_call()) {
		bpf_map_update_elem(&owned, &tid, &v, BPF_ANY);
		bpf_send_signal_thread(SIGSTOP);
	}
	return false;
}

SEC("tp_btf/sys_enter")
int BPF_PROG(st_sys_enter, struct pt_regs *regs, long id)
{
	unsigned long long pt = bpf_get_current_pid_tgid();
	unsigned int tgid = pt >> 32;
	struct inflight *f;

	if (!is_traced(tgid))
		return 0;
	if ((int)tgid == spawn_tgid && !spawn_started) {
		/* what runs before the command's execve is spiketrace's launcher */
		if (id != NR_execve && id != NR_execveat)
			return 0;
		spawn_started = 1;
	}
	if (handover && handover_enter((unsigned int)pt, regs, id))
		return 0;
	if ((unsigned long)id >= ST_NR_LIMIT ||
	    !(trace_set[(unsigned long)id / 8] & (1u << ((unsigned long)id % 8))))
		return 0;
	f = bpf_task_storage_get(&inflight, bpf_get_current_task_btf(), 0,
				 BPF_LOCAL_STORAGE_GET_F_CREATE);
	if (!f) {
		count_lost();
		return 0;
	}
	f->nr = id;
	f->args[0] = regs->di;
	f->args[1] = regs->si;
	f->args[2] = regs->dx;
	f->args[3] = regs->r10;
	f->args[4] = regs->r8;
	f->args[5] = regs->r9;
	f->active = 1;
	if (has_ops(id, ST_AT_ENTRY))
		emit_call(ST_REC_ENTER, (int)pt, (int)tgid, f, 0, 0, 0, ST_AT_ENTRY);
	f->entry_ns = bpf_ktime_get_ns();
	return 0;
}

SEC("tp_btf/sys_exit")
int BPF_PROG(st_sys_exit, struct pt_regs *regs, long ret)
{
	unsigned long long pt = bpf_get_current_pid_tgid(), now;
	unsigned int tgid = pt >> 32;
	unsigned long nr = regs->orig_ax; /* the number the tracepoint itself reports */
	struct inflight *f;

	/* (rt_sigreturn's orig_ax is -1 at exit: the in-flight call knows it) */
	if (!is_traced(tgid) || (nr < ST_NR_LIMIT && !(trace_set[nr / 8] & (1u << (nr % 8)))))
		return 0;
	f = bpf_task_storage_get(&inflight, bpf_get_current_task_btf(), 0, 0);
	if (!f || !f->active)
		return 0;
	now = bpf_ktime_get_ns();
	f->active = 0;
	emit_call(ST_REC_EXIT, (int)pt, (int)tgid, f, ret, now, 0, ST_AT_EXIT);
	return 0;
}

/* sched_process_fork: a traced task made a task; a new process is traced from its first call. */
SEC("tp_btf/sched_process_fork")
int BPF_PROG(st_fork, struct task_struct *parent, struct task_struct *child)
{
	unsigned int ptgid = parent->tgid, ctgid = child->tgid;
	struct tgid_bits *t;
	struct pt_regs *regs;
	struct st_spawn *r;
	long via;

	if (!is_traced(ptgid))
		return 0;
	if (ctgid != ptgid && ctgid < ST_PID_LIMIT && (t = tgids()) != NULL)
		__sync_fetch_and_or(&t->w[word_of(ctgid)], 1u << (ctgid % 32));
	r = bpf_ringbuf_reserve(&rb, sizeof(*r), 0);
	if (!r) {
		count_lost();
		return 0;
	}
	regs = (struct pt_regs *)bpf_task_pt_regs(bpf_get_current_task_btf());
	via = regs ? (long)BPF_CORE_READ(regs, orig_ax) : -1;
	r->h.type = ST_REC_SPAWN;
	r->h.ns = bpf_ktime_get_ns();
	r->h.size = sizeof(*r);
	r->h.tid = parent->pid;
	r->h.tgid = ptgid;
	r->child = child->pid;
	r->child_tgid = ctgid;
	r->via = (int)via;
	/* as ptrace tells them apart: CLONE_VFORK, else the exit signal */
	if (via == NR_vfork || (via == NR_clone && regs && (BPF_CORE_READ(regs, di) & CLONE_VFORK)))
		r->kind = 1;
	else if (via == NR_clone3 && regs) {
		unsigned long long flags = 0;

		bpf_probe_read_user(&flags, sizeof(flags), (void *)BPF_CORE_READ(regs, di));
		r->kind = (flags & CLONE_VFORK) ? 1 : child->exit_signal == SIGCHLD ? 0 : 2;
	} else
		r->kind = child->exit_signal == SIGCHLD ? 0 : 2;
	bpf_ringbuf_submit(r, wake_flags());
	return 0;
}

SEC("tp_btf/sched_process_exec")
int BPF_PROG(st_exec, struct task_struct *p, pid_t old_pid, struct linux_binprm *bprm)
{
	unsigned int tgid = p->tgid;
	struct st_exec *r;

	if (!is_traced(tgid))
		return 0;
	r = bpf_ringbuf_reserve(&rb, sizeof(*r), 0);
	if (!r) {
		count_lost();
		return 0;
	}
	r->h.type = ST_REC_EXEC;
	r->h.ns = bpf_ktime_get_ns();
	r->h.size = sizeof(*r);
	r->h.tid = p->pid;
	r->h.tgid = tgid;
	r->old_tid = old_pid;
	r->pad = 0;
	bpf_ringbuf_submit(r, wake_flags());
	return 0;
}

SEC("tp_btf/signal_deliver")
int BPF_PROG(st_signal, int sig, struct kernel_siginfo *info, struct k_sigaction *ka)
{
	unsigned long long pt = bpf_get_current_pid_tgid();
	unsigned int tgid = pt >> 32;
	struct st_signal *r;

	/* SIGKILL never makes a ptrace stop either (a group exit sends it to every thread) */
	if (!is_traced(tgid) || sig == SIGKILL || ((int)tgid == spawn_tgid && !spawn_started))
		return 0;
	r = bpf_ringbuf_reserve(&rb, sizeof(*r), 0);
	if (!r) {
		count_lost();
		return 0;
	}
	r->h.type = ST_REC_SIGNAL;
	r->h.ns = bpf_ktime_get_ns();
	r->h.size = sizeof(*r);
	r->h.tid = (int)pt;
	r->h.tgid = tgid;
	r->sig = sig;
	r->pad = 0;
	bpf_ringbuf_submit(r, wake_flags());
	return 0;
}

/* A traced thread ends: its call in progress never returns; the last one ends the process. */
SEC("tp_btf/sched_process_exit")
int BPF_PROG(st_task_exit, struct task_struct *p)
{
	unsigned int tgid = p->tgid;
	struct signal_struct *sig = p->signal;
	struct tgid_bits *t;
	struct inflight *f;
	struct st_texit *r;
	bool last;

	if (!is_traced(tgid))
		return 0;
	f = bpf_task_storage_get(&inflight, p, 0, 0);
	if (f && f->active) {
		f->active = 0;
		emit_call(ST_REC_EXIT, p->pid, (int)tgid, f, 0, bpf_ktime_get_ns(), ST_F_UNFINISHED,
			  ST_AT_NONE);
	}
	last = sig->live.counter == 0;
	r = bpf_ringbuf_reserve(&rb, sizeof(*r), 0);
	if (!r) {
		count_lost();
	} else {
		r->h.type = ST_REC_TEXIT;
		r->h.ns = bpf_ktime_get_ns();
		r->h.size = sizeof(*r);
		r->h.tid = p->pid;
		r->h.tgid = tgid;
		r->status = last && (sig->flags & SIGNAL_GROUP_EXIT) ? sig->group_exit_code
								     : p->exit_code;
		r->last = last;
		/* the command's end is waited for; other exits wait for the next poll (a fork-heavy
		 * workload would wake the consumer at every exit) */
		bpf_ringbuf_submit(r, last && (int)tgid == spawn_tgid ? BPF_RB_FORCE_WAKEUP
								      : wake_flags());
	}
	if (last && tgid < ST_PID_LIMIT && (t = tgids()) != NULL)
		__sync_fetch_and_and(&t->w[word_of(tgid)], ~(1u << (tgid % 32)));
	return 0;
}
