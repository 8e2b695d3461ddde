/* tasks.bpf.c - task iterator: one struct task_rec per thread-group leader, as /proc/PID/stat. */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "bpf/tasks.h"

char LICENSE[] SEC("license") = "GPL";

/* include/linux/sched.h and sched/coredump.h: macros, so not in vmlinux.h (stable for years) */
#define PF_WQ_WORKER	  0x00000020
#define PF_KTHREAD	  0x00200000
#define MMF_DUMPABLE_MASK 3UL
#define SUID_DUMP_USER	  1UL
#define UID_MAP_INLINE	  5 /* UID_GID_MAP_MAX_BASE_EXTENTS */
#define MAX_THREADS_WALK  65536

/* before 5.14 the state was a long called `state` */
struct task_struct___old {
	long state;
} __attribute__((preserve_access_index));

/* before 6.2 the rss counters were atomics in a struct of their own */
struct mm_rss_stat___old {
	atomic_long_t count[4];
} __attribute__((preserve_access_index));
struct mm_struct___old {
	struct mm_rss_stat___old rss_stat;
} __attribute__((preserve_access_index));

/* before 5.17 a kthread's private struct hung off set_child_tid */
struct task_struct___kt_old {
	int *set_child_tid;
} __attribute__((preserve_access_index));

static __u32 task_state(struct task_struct *t)
{
	if (bpf_core_field_exists(t->__state))
		return t->__state;
	return (__u32)BPF_CORE_READ((struct task_struct___old *)t, state);
}

/*
 * get_mm_counter(): the approximate (non-negative) value /proc shows. The
 * counter indices (an anonymous enum, so no CO-RE for them) have not moved
 * since 4.x: file 0, anon 1, swap 2, shmem 3.
 */
static __u64 mm_counter(struct mm_struct *mm, int member)
{
	long v = 0;

	if (bpf_core_type_exists(struct mm_rss_stat___old)) {
		struct mm_struct___old *o = (void *)mm;

		v = BPF_CORE_READ(o, rss_stat.count[member].counter);
	} else {
		v = mm->rss_stat[member].count;
	}
	return v > 0 ? (__u64)v : 0;
}

/* make_kuid(ns, 0): the global uid of the namespace's root (root itself if unmapped) */
static __u32 ns_root_uid(struct user_namespace *ns)
{
	__u32 nr = BPF_CORE_READ(ns, uid_map.nr_extents);

	if (nr <= UID_MAP_INLINE) {
		for (int i = 0; i < UID_MAP_INLINE; i++) {
			struct uid_gid_extent e;

			if (i >= (int)nr)
				break;
			if (bpf_core_read(&e, sizeof(e), &ns->uid_map.extent[i]))
				break;
			if (e.first == 0 && e.count > 0)
				return e.lower_first;
		}
	} else {
		struct uid_gid_extent *fwd = BPF_CORE_READ(ns, uid_map.forward);
		struct uid_gid_extent e;

		/* sorted by first: only the first extent can start at 0 */
		if (fwd && !bpf_core_read(&e, sizeof(e), fwd) && e.first == 0 && e.count > 0)
			return e.lower_first;
	}
	return 0;
}

/* task_dump_owner() for a regular /proc/PID file */
static __u32 dump_owner(struct task_struct *t, __u32 flags)
{
	struct mm_struct *mm;
	unsigned long mmf = 0;

	if (flags & PF_KTHREAD)
		return 0;
	mm = t->mm;
	if (!mm)
		return 0;
	/* unsigned long before 6.18, a one-word bitmap (mm_flags_t) since: the first word */
	mmf = *(unsigned long *)((void *)mm + bpf_core_field_offset(struct mm_struct, flags));
	if ((mmf & MMF_DUMPABLE_MASK) != SUID_DUMP_USER)
		return ns_root_uid(BPF_CORE_READ(mm, user_ns));
	return t->cred->euid.val;
}

struct walk {
	__u64 head; /* &signal->thread_head */
	__u64 pos;  /* the current list node */
	__u64 node_off;
	__u64 sum;
	__u64 wait; /* the threads' run-queue waits */
	int io;	    /* also sum the threads' io counters */
	struct task_io_accounting ioac;
};

static void io_add(struct task_io_accounting *to, const struct task_io_accounting *a)
{
	to->rchar += a->rchar;
	to->wchar += a->wchar;
	to->syscr += a->syscr;
	to->syscw += a->syscw;
	to->read_bytes += a->read_bytes;
	to->write_bytes += a->write_bytes;
	to->cancelled_write_bytes += a->cancelled_write_bytes;
}

static long walk_thread(__u32 i, void *arg)
{
	struct walk *w = arg;
	struct task_struct *t;
	struct list_head *pos = (void *)w->pos;

	if (!w->pos || w->pos == w->head)
		return 1;
	t = (void *)(w->pos - w->node_off);
	w->sum += BPF_CORE_READ(t, se.sum_exec_runtime);
	if (bpf_core_field_exists(t->sched_info))
		w->wait += BPF_CORE_READ(t, sched_info.run_delay);
	if (w->io) {
		struct task_io_accounting a = {};

		bpf_core_read(&a, sizeof(a), &t->ioac);
		io_add(&w->ioac, &a);
	}
	w->pos = (__u64)BPF_CORE_READ(pos, next);
	return 0;
}

/*
 * thread_group_cputime() and PID/io's sum: what exited threads left in the
 * signal struct plus every live thread's counters, retried while a thread
 * exits under us (the stats seqlock is odd or moved), as the kernel's own
 * readers do.
 */
static __u64 group_walk(struct signal_struct *sig, int io, struct task_io_accounting *ioac,
			__u64 *wait)
{
	__u64 sum = 0;

	for (int tries = 0; tries < 3; tries++) {
		struct walk w = { .io = io };
		__u32 s1 = 0, s2 = 0;

		/* the sequence is the first word of seqlock_t in every layout */
		bpf_core_read(&s1, sizeof(s1), &sig->stats_lock);
		w.head = (__u64)sig + bpf_core_field_offset(struct signal_struct, thread_head);
		w.pos = (__u64)BPF_CORE_READ(sig, thread_head.next);
		w.node_off = bpf_core_field_offset(struct task_struct, thread_node);
		bpf_loop(MAX_THREADS_WALK, walk_thread, &w, 0);
		sum = w.sum + BPF_CORE_READ(sig, sum_sched_runtime);
		*ioac = w.ioac;
		*wait = w.wait;
		bpf_core_read(&s2, sizeof(s2), &sig->stats_lock);
		if (!(s1 & 1) && s1 == s2)
			break;
	}
	return sum;
}

/*
 * d_unlinked() of the executable's dentry: what makes PID/exe end in
 * " (deleted)". Plain loads through the task's BTF pointers (faulting loads).
 */
static int exe_deleted(struct mm_struct *mm)
{
	struct file *f = mm->exe_file;
	struct dentry *d;

	if (!f)
		return 0;
	d = f->f_path.dentry;
	if (!d)
		return 0;
	return !d->d_hash.pprev && d->d_parent != d;
}

/*
 * wq_worker_comm(): a workqueue worker shows "+desc" (working) or "-desc" after its comm; the
 * description and the flag go in the record and the loader joins them.
 */
static void worker_desc(struct task_struct *t, struct task_rec *out)
{
	struct worker *wk;
	void *kt;

	if (bpf_core_field_exists(t->worker_private))
		kt = BPF_CORE_READ(t, worker_private);
	else
		kt = BPF_CORE_READ((struct task_struct___kt_old *)t, set_child_tid);
	if (!kt)
		return;
	wk = BPF_CORE_READ((struct kthread *)kt, data);
	if (!wk || bpf_core_read(out->wq_desc, sizeof(out->wq_desc), &wk->desc))
		return;
	out->wq_desc[sizeof(out->wq_desc) - 1] = '\0';
	if (BPF_CORE_READ(wk, current_work))
		out->flags |= TASK_REC_WQ_BUSY;
}

/*
 * One thread-group leader's record into *out (zeroed by the caller): 1, or 0 for any other
 * thread. Plain loads through the task's BTF pointers (faulting loads, CO-RE offsets).
 */
static __always_inline int fill_rec(struct task_struct *t, struct task_rec *out)
{
	struct signal_struct *sig;
	struct mm_struct *mm;
	struct task_io_accounting ioac = {}, threads = {};
	struct pid *pg;
	int io;

	out->tgid = t->tgid;
	if (t->pid != (pid_t)out->tgid)
		return 0; /* one record per process: its leader */
	__u32 flags = t->flags;

	sig = t->signal;
	out->start_boottime_ns = t->start_boottime;
	out->ppid = t->real_parent->tgid;
	pg = sig->pids[bpf_core_enum_value(enum pid_type, PIDTYPE_PGID)];
	if (pg)
		out->pgid = pg->numbers[0].nr;
	out->state = task_state(t);
	out->exit_state = t->exit_state;
	out->nr_threads = sig->nr_threads;
	/*
	 * nr_threads counts the thread list (both change under siglock in
	 * copy_process and __exit_signal): a lone leader needs no walk.
	 */
	io = bpf_core_field_exists(t->ioac);
	out->run_ns = t->se.sum_exec_runtime;
	if (out->nr_threads == 1) {
		out->cpu_ns = out->run_ns + sig->sum_sched_runtime;
		if (io)
			threads = t->ioac;
		if (bpf_core_field_exists(t->sched_info))
			out->wait_ns = t->sched_info.run_delay;
	} else {
		out->cpu_ns = group_walk(sig, io, &threads, &out->wait_ns);
	}
	if (bpf_core_field_exists(t->sched_info))
		out->flags |= TASK_REC_WAIT;
	if (io) {
		/* what exited threads left in the signal struct, plus the live threads' */
		ioac = sig->ioac;
		io_add(&ioac, &threads);
		out->flags |= TASK_REC_IO;
		out->rchar = ioac.rchar;
		out->wchar = ioac.wchar;
		out->syscr = ioac.syscr;
		out->syscw = ioac.syscw;
		out->read_bytes = ioac.read_bytes;
		out->write_bytes = ioac.write_bytes;
		out->cancelled_write_bytes = ioac.cancelled_write_bytes;
	}
	out->uid = dump_owner(t, flags);
	mm = t->mm;
	if (mm && !(flags & PF_KTHREAD)) { /* get_task_mm() ignores a kthread's borrowed mm */
		out->rss_pages = mm_counter(mm, MM_FILEPAGES) + mm_counter(mm, MM_ANONPAGES) +
				 mm_counter(mm, MM_SHMEMPAGES);
		out->vm_pages = mm->total_vm;
		if (bpf_core_field_exists(mm->mm_lock_seq)) {
			/* an int before 6.13, a seqcount_t (its first word) since */
			out->mm_seq =
				*(__u32 *)((void *)mm +
					   bpf_core_field_offset(struct mm_struct, mm_lock_seq));
			out->flags |= TASK_REC_MM_SEQ;
		}
		if (exe_deleted(mm))
			out->flags |= TASK_REC_EXE_DELETED;
	}
	__builtin_memcpy(out->comm, t->comm, sizeof(out->comm));
	out->comm[sizeof(out->comm) - 1] = '\0';
	if (flags & PF_WQ_WORKER)
		worker_desc(t, out);
	return 1;
}

/*
 * The walker's call of fill_rec: a global function is verified once, on its own, instead of
 * in every state the open-coded iterator's loop reaches (3,400 instructions processed instead
 * of 216,000: ~0.1 s of verification at start instead of ~3 s). Its task argument needs
 * arg:trusted (6.8); where that is unknown the walker does not load and the iterator, which
 * keeps the inlined fill_rec, takes over.
 */
#define __arg_trusted __attribute__((btf_decl_tag("arg:trusted")))

__noinline int fill_rec_global(struct task_struct *t __arg_trusted, struct task_rec *out)
{
	if (!t || !out)
		return 0;
	return fill_rec(t, out);
}

/* the iterator's record is built here: too big for the stack beside the thread walk */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct task_rec);
} iter_rec SEC(".maps");

SEC("iter/task")
int dump_task(struct bpf_iter__task *ctx)
{
	struct task_struct *t = ctx->task;
	__u32 zero = 0;
	struct task_rec *rec = bpf_map_lookup_elem(&iter_rec, &zero);

	if (!t || !rec)
		return 0;
	__builtin_memset(rec, 0, sizeof(*rec));
	if (fill_rec(t, rec))
		bpf_seq_write(ctx->meta->seq, rec, sizeof(*rec));
	return 0;
}

/*
 * The walker: the same records from one run of a program (BPF_PROG_RUN) that walks the
 * process list itself (an open-coded task iterator, 6.7+) into an array the loader maps. No
 * seq_file, no per-thread pid lookups and references, no copy; and a process that has not run
 * since the previous run gets a short record (TASK_REC_SAME) read from four fields of its
 * task instead of a dozen cache lines across task, signal, mm, cred and files. On an idle
 * host of 600 processes: 0.19 ms a run, where the iterator above (the fallback for older
 * kernels) takes 0.5 ms.
 */
extern int bpf_iter_task_new(struct bpf_iter_task *it, struct task_struct *task,
			     unsigned int flags) __weak __ksym;
extern struct task_struct *bpf_iter_task_next(struct bpf_iter_task *it) __weak __ksym;
extern void bpf_iter_task_destroy(struct bpf_iter_task *it) __weak __ksym;
extern void bpf_rcu_read_lock(void) __weak __ksym;
extern void bpf_rcu_read_unlock(void) __weak __ksym;

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1); /* set by the loader */
	__type(key, __u32);
	__type(value, struct task_rec);
} walk_out SEC(".maps");

/* the previous run's processes, in walk order (written by the loader) */
struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(map_flags, BPF_F_MMAPABLE);
	__uint(max_entries, 1); /* set by the loader */
	__type(key, __u32);
	__type(value, struct task_prev);
} walk_prev SEC(".maps");

__u32 walk_count; /* records in walk_out after a run */
__u32 walk_full;  /* 1: walk_out had no room for them all */
__u32 walk_nprev; /* entries in walk_prev (set by the loader) */

/* How far the cursor into walk_prev may skip processes gone since (then: a full record). */
#define PREV_SKIP_MAX 64

struct prev_find {
	__u32 tgid;
	__u32 j;   /* the cursor into walk_prev */
	int found; /* walk_prev[j - 1] is tgid's */
	__u32 force;
	__u64 run_ns;
};

static long prev_step(__u32 k, void *arg)
{
	struct prev_find *f = arg;
	__u32 at = f->j;
	struct task_prev *p;

	if (at >= walk_nprev)
		return 1;
	p = bpf_map_lookup_elem(&walk_prev, &at);
	if (!p)
		return 1;
	f->j = at + 1;
	if (p->tgid != f->tgid)
		return 0; /* exited since: skip it */
	f->found = 1;
	f->force = p->force;
	f->run_ns = p->run_ns;
	return 1;
}

/*
 * Whether t is a single-threaded process that has not run since the previous walk. The
 * process list keeps its order (a new process goes to the tail, an exec'ing thread takes its
 * leader's place), so one cursor *j walks the previous run's list alongside, skipping those
 * that exited. Touches only the task's list node, pid, thread node and runtime.
 */
static __always_inline int unchanged(struct task_struct *t, __u32 tgid, __u32 *j)
{
	struct prev_find f = { .tgid = tgid, .j = *j };
	__u64 head;

	bpf_loop(PREV_SKIP_MAX, prev_step, &f, 0);
	if (!f.found)
		return 0; /* new, or too far: a full record (the cursor stays for the next) */
	*j = f.j;
	head = (__u64)t->signal + bpf_core_field_offset(struct signal_struct, thread_head);
	return !f.force && (__u64)t->thread_node.next == head && f.run_ns == t->se.sum_exec_runtime;
}

SEC("syscall")
int walk_tasks(void *ctx)
{
	struct bpf_iter_task it;
	struct task_struct *t;
	__u32 n = 0, j = 0;

	walk_full = 0;
	bpf_rcu_read_lock();
	bpf_iter_task_new(&it, NULL, BPF_TASK_ITER_ALL_PROCS);
	while ((t = bpf_iter_task_next(&it))) {
		struct task_rec *out = bpf_map_lookup_elem(&walk_out, &n);
		__u32 tgid = t->tgid;

		if (!out) {
			walk_full = 1;
			break;
		}
		if (!t->pid || t->pid != (pid_t)tgid)
			continue; /* the idle task (swapper), not a process /proc shows; a thread */
		if (unchanged(t, tgid, &j)) {
			out->tgid = tgid;
			out->flags = TASK_REC_SAME;
			out->run_ns = t->se.sum_exec_runtime;
			n++;
			continue;
		}
		__builtin_memset(out, 0, sizeof(*out));
		if (fill_rec_global(t, out))
			n++;
	}
	bpf_iter_task_destroy(&it);
	bpf_rcu_read_unlock();
	walk_count = n;
	return 0;
}
