/* bpfengine.c - the eBPF engine: loads systrace.bpf.c, holds the command until it is filtered,
 * turns ring buffer records into the sink's calls. */
#include "trace/bpfengine.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/pidset.h"
#include "base/xalloc.h"
#include "bpf/systrace.h"
#include "sys/tracee.h"
#include "systrace.lskel.h"
#include "trace/decode.h"
#include "trace/systab.h"

#define POLL_MS	    20	/* how long records may wait in the ring (they are batched) */
#define LIVENESS_MS 200 /* how often traced processes are checked for having gone unseen */
/* the ring buffer: big enough for 20 ms of records, more when data buffers are copied too */
#define RING_BYTES	(4u << 20)
#define RING_DATA_BYTES (16u << 20)

/* An entry record waiting for its exit (only calls with captured memory have one). */
struct pending {
	pid_t tid;
	struct st_call *rec; /* owned */
};

struct bpf_engine {
	struct engine_opts o;
	struct trace_sink sink;
	void *ctx;
	struct systrace_bpf *skel;
	unsigned int *traced; /* the traced tgids' bitmap, mmapped from the map */
	struct ring_buffer *rb;
	struct pending *pend;
	size_t npend, cappend;
	struct pidset live; /* traced processes not seen to end */
	pid_t main_pid;
	int main_status;
	bool main_done;
	volatile sig_atomic_t interrupts;
	volatile sig_atomic_t from_terminal;
	int handled;
	bool stop;
};

/* ---- what the kernel copies: capture operations from the syscall table ---- */

static void add_op(struct st_caps *c, unsigned *n, enum st_when when, enum st_op_kind kind,
		   unsigned arg, unsigned len, unsigned max)
{
	if (*n >= ST_MAX_OPS)
		return;
	c->op[*n] = (struct st_op){ .when = (unsigned char)when,
				    .kind = (unsigned char)kind,
				    .arg = (unsigned char)arg,
				    .len = (unsigned char)len,
				    .max = (unsigned short)max };
	(*n)++;
}

/*
 * The captures of syscall nr: what decode_enter and track_call read (names first, then data
 * when asked for), in at most ST_MAX_OPS operations.
 */
static void caps_of(long nr, const struct engine_opts *o, struct st_caps *c)
{
	const struct syscall_def *d = systab_get(SYSTAB_ARCH_X86_64, nr);
	unsigned n = 0, data = o->strsize ? o->strsize : DECODE_STRSIZE_DEFAULT;
	bool cwd = false, argv = false;

	memset(c, 0, sizeof(*c));
	if (data > ST_BYTES_MAX)
		data = ST_BYTES_MAX;
	/* the fd pairs pipe and socketpair write */
	if (nr == SYS_pipe || nr == SYS_pipe2)
		add_op(c, &n, ST_AT_EXIT, ST_OP_BYTES, 0, 0xff, 8);
	if (nr == SYS_socketpair)
		add_op(c, &n, ST_AT_EXIT, ST_OP_BYTES, 3, 0xff, 8);
	if (!d)
		return;
	for (unsigned i = 0; i < d->nargs && i < 6; i++) {
		bool next_ptr = i + 1 < d->nargs && d->args[i + 1] == A_PTR;

		switch (d->args[i]) {
		case A_PATH:
			add_op(c, &n, ST_AT_ENTRY, ST_OP_STR, i, 0, ST_STR_MAX);
			if (!cwd)
				add_op(c, &n, ST_AT_ENTRY, ST_OP_CWD, i,
				       i > 0 && d->args[i - 1] == A_DIRFD ? i - 1 : 0xff, 0);
			cwd = true;
			break;
		case A_STR:
			add_op(c, &n, ST_AT_ENTRY, ST_OP_STR, i, 0, ST_STR_MAX);
			break;
		case A_SOCKADDR:
			if (next_ptr && (nr == SYS_accept || nr == SYS_accept4))
				add_op(c, &n, ST_AT_EXIT, ST_OP_PEER, i, 0, 0);
			if (next_ptr)
				add_op(c, &n, ST_AT_EXIT, ST_OP_SOCKADDR, i, i + 1, 128);
			else if (i + 1 < 6)
				add_op(c, &n, ST_AT_ENTRY, ST_OP_BYTES, i, i + 1, 128);
			break;
		case A_ARGV:
			if (!argv)
				add_op(c, &n, ST_AT_ENTRY, ST_OP_ARGV, i, 0, 0);
			argv = true;
			break;
		default:
			break;
		}
	}
	if (!o->capture_data)
		return;
	for (unsigned i = 0; i < d->nargs && i < 6; i++) {
		if (d->args[i] == A_BUF_IN && i + 1 < 6)
			add_op(c, &n, ST_AT_ENTRY, ST_OP_BYTES, i, i + 1, data);
		else if (d->args[i] == A_BUF_OUT)
			add_op(c, &n, ST_AT_EXIT, ST_OP_BYTES_RET, i, 0, data);
	}
}

/* ---- reading captured memory ---- */

/* The records a call's memory is read from: its exit record first, then its entry record. */
struct snap {
	const struct st_call *rec[2];
};

static const struct st_chunk *next_chunk(const struct st_call *c, const struct st_chunk *ch)
{
	const char *end = (const char *)c + c->h.size, *p;

	p = ch ? (const char *)(ch + 1) + ((ch->len + 7u) & ~7u) : (const char *)(c + 1);
	if (p + sizeof(*ch) > end)
		return NULL;
	ch = (const struct st_chunk *)p;
	return (const char *)(ch + 1) + ch->len <= end ? ch : NULL;
}

static ssize_t snap_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	const struct snap *s = ctx;

	for (int r = 0; r < 2; r++) {
		const struct st_call *c = s->rec[r];
		const struct st_chunk *ch = NULL;

		if (!c)
			continue;
		for (unsigned i = 0; i < c->nchunks && (ch = next_chunk(c, ch)); i++) {
			size_t n;

			if (ch->kind != ST_CHUNK_MEM || addr < ch->addr ||
			    addr >= ch->addr + ch->len)
				continue;
			n = ch->addr + ch->len - addr;
			n = n < len ? n : len;
			memcpy(buf, (const char *)(ch + 1) + (addr - ch->addr), n);
			return (ssize_t)n;
		}
	}
	return -EFAULT;
}

/* The working directory an entry record captured, as a path; false when there is none. */
static bool snap_cwd(const struct st_call *c, char *buf, size_t len)
{
	const struct st_chunk *ch = NULL;

	for (unsigned i = 0; c && i < c->nchunks && (ch = next_chunk(c, ch)); i++) {
		const char *names = (const char *)(ch + 1), *comp[ST_CWD_DEPTH];
		size_t ncomp = 0, at = 0, pos = 0;

		if (ch->kind != ST_CHUNK_CWD)
			continue;
		while (pos < ch->len && ncomp < ST_CWD_DEPTH) {
			comp[ncomp++] = names + pos;
			pos += strnlen(names + pos, ch->len - pos) + 1;
		}
		buf[0] = '\0';
		for (size_t k = ncomp; k-- > 0 && at < len;) {
			int w = snprintf(buf + at, len - at, "/%.*s",
					 (int)(ch->len - (size_t)(comp[k] - names)), comp[k]);

			if (w < 0)
				break;
			at += (size_t)w;
		}
		if (!ncomp)
			snprintf(buf, len, "/");
		return at < len;
	}
	return false;
}

/* The peer address an exit record captured (accept without an address), or NULL. */
static const void *snap_peer(const struct st_call *c, size_t *len)
{
	const struct st_chunk *ch = NULL;

	for (unsigned i = 0; i < c->nchunks && (ch = next_chunk(c, ch)); i++)
		if (ch->kind == ST_CHUNK_PEER) {
			*len = ch->len;
			return ch + 1;
		}
	return NULL;
}

/* ---- bookkeeping ---- */

static struct pending *pend_find(struct bpf_engine *b, pid_t tid)
{
	for (size_t i = 0; i < b->npend; i++)
		if (b->pend[i].tid == tid)
			return &b->pend[i];
	return NULL;
}

static void pend_drop(struct bpf_engine *b, struct pending *p)
{
	free(p->rec);
	*p = b->pend[--b->npend];
}

static void set_traced(struct bpf_engine *b, pid_t tgid)
{
	if (tgid > 0 && tgid < ST_PID_LIMIT)
		__atomic_fetch_or(&b->traced[tgid / 32], 1u << (tgid % 32), __ATOMIC_SEQ_CST);
}

static void clear_traced(struct bpf_engine *b, pid_t tgid)
{
	if (tgid > 0 && tgid < ST_PID_LIMIT)
		__atomic_fetch_and(&b->traced[tgid / 32], ~(1u << (tgid % 32)), __ATOMIC_SEQ_CST);
}

/* ---- records to sink calls ---- */

static void on_call(struct bpf_engine *b, const struct st_call *r)
{
	struct pending *p = pend_find(b, r->h.tid);
	struct st_call *enter = p ? p->rec : NULL;
	struct snap at_entry = { { enter, NULL } }, at_exit = { { r, enter } };
	struct mem_reader m_entry = { snap_read, &at_entry }, m_exit = { snap_read, &at_exit };
	struct trace_call c;
	char cwd[4096];

	/* an entry record of another call (its exit was lost) is of no use */
	if (enter && (enter->nr != r->nr || memcmp(enter->args, r->args, sizeof(r->args)))) {
		pend_drop(b, p);
		p = NULL;
		enter = NULL;
		at_entry.rec[0] = at_exit.rec[1] = NULL;
	}
	memset(&c, 0, sizeof(c));
	c.tid = r->h.tid;
	c.tgid = r->h.tgid;
	c.nr = (long)r->nr;
	memcpy(c.args, r->args, sizeof(c.args));
	c.entry_ns = r->entry_ns;
	c.exit_ns = r->exit_ns;
	c.unfinished = r->flags & ST_F_UNFINISHED;
	c.cwd = snap_cwd(enter, cwd, sizeof(cwd)) ? cwd : NULL;
	c.mem = &m_entry;
	if (b->sink.enter)
		b->sink.enter(b->ctx, &c);
	c.peer = snap_peer(r, &c.peer_len);
	c.ret = r->ret;
	c.is_error = !c.unfinished && (uint64_t)r->ret >= (uint64_t)-4095;
	c.mem = &m_exit;
	if (b->sink.exit)
		b->sink.exit(b->ctx, &c);
	if (p)
		pend_drop(b, p);
}

static void on_enter_rec(struct bpf_engine *b, const struct st_call *r, size_t size)
{
	struct pending *p = pend_find(b, r->h.tid);

	if (!p) {
		XGROW(b->pend, b->cappend, b->npend + 1);
		p = &b->pend[b->npend++];
		p->tid = r->h.tid;
	} else {
		free(p->rec); /* the exit of that one was lost */
	}
	p->rec = xmalloc(size);
	memcpy(p->rec, r, size);
}

static int on_record(void *ctx, void *data, size_t size)
{
	struct bpf_engine *b = ctx;
	const struct st_hdr *h = data;

	if (size < sizeof(*h) || h->size > size)
		return 0;
	switch (h->type) {
	case ST_REC_ENTER:
		if (size >= sizeof(struct st_call))
			on_enter_rec(b, data, h->size);
		break;
	case ST_REC_EXIT:
		if (size >= sizeof(struct st_call))
			on_call(b, data);
		break;
	case ST_REC_SPAWN: {
		const struct st_spawn *s = data;
		bool thread = s->child_tgid == h->tgid;

		if (!thread)
			pidset_add(&b->live, s->child_tgid);
		if (b->sink.spawn)
			b->sink.spawn(b->ctx, h->ns, h->tid, h->tgid, s->child,
				      (enum spawn_kind)s->kind, thread, s->via);
		break;
	}
	case ST_REC_EXEC: {
		const struct st_exec *e = data;
		struct pending *p;

		/* a thread that exec'd took the leader's tid: so did its call in progress */
		if (e->old_tid != h->tgid && (p = pend_find(b, e->old_tid)) != NULL)
			p->tid = h->tgid;
		if (b->sink.exec)
			b->sink.exec(b->ctx, h->ns, h->tgid, e->old_tid);
		break;
	}
	case ST_REC_SIGNAL:
		if (b->sink.signal)
			b->sink.signal(b->ctx, h->ns, h->tid,
				       ((const struct st_signal *)data)->sig);
		break;
	case ST_REC_TEXIT: {
		const struct st_texit *x = data;
		struct pending *p = pend_find(b, h->tid);

		if (p)
			pend_drop(b, p);
		if (b->sink.thread_exit)
			b->sink.thread_exit(b->ctx, h->ns, x->last ? h->tgid : h->tid, h->tgid,
					    x->status, x->last);
		if (x->last)
			pidset_del(&b->live, h->tgid);
		break;
	}
	default:
		break;
	}
	return 0;
}

/* ---- life cycle ---- */

/* With SPIKETRACE_BPF_DEBUG, how long each start-up step took (*t: when the last one ended). */
static void debug_step(const char *step, uint64_t *t)
{
	uint64_t now = clock_mono_ns();

	if (getenv("SPIKETRACE_BPF_DEBUG"))
		fprintf(stderr, "spiketrace: bpf: %s %.1f ms\n", step, (double)(now - *t) / 1e6);
	*t = now;
}

int bpf_engine_new(struct bpf_engine **out, const struct engine_opts *o,
		   const struct trace_sink *sink, void *ctx, char *err, size_t errlen)
{
	struct bpf_engine *b = xcalloc(1, sizeof(*b));
	const char *step = "open";
	void *map;
	uint64_t t;
	int ret, ncpu;

	*out = NULL;
	b->o = *o;
	if (sink)
		b->sink = *sink;
	b->ctx = ctx;
	t = clock_mono_ns();
	/* a light skeleton: the kernel relocates (CO-RE) against its own BTF, no vmlinux BTF is
	 * read and parsed here */
	b->skel = systrace_bpf__open();
	if (!b->skel) {
		ret = -errno;
		goto fail;
	}
	for (long nr = 0; nr < ST_NR_LIMIT; nr++) {
		bool on =
			!o->trace_set || systab_set_has(o->trace_set, (o->trace_bits + 7) / 8, nr);

		if (!on)
			continue;
		b->skel->rodata->trace_set[nr / 8] |= (unsigned char)(1u << (nr % 8));
		caps_of(nr, o, (struct st_caps *)&b->skel->rodata->caps[nr]);
	}
	b->skel->rodata->wake_bytes = (o->capture_data ? RING_DATA_BYTES : RING_BYTES) / 4;
	b->skel->maps.rb.max_entries = o->capture_data ? RING_DATA_BYTES : RING_BYTES;
	ncpu = libbpf_num_possible_cpus();
	step = "load";
	if (ncpu <= 0) {
		ret = ncpu < 0 ? ncpu : -EINVAL;
		goto fail;
	}
	b->skel->maps.scratch.max_entries = (unsigned)ncpu;
	if (getenv("SPIKETRACE_BPF_DEBUG") && !strcmp(getenv("SPIKETRACE_BPF_DEBUG"), "log")) {
		/* the loader's and the verifier's log, printed when the load fails (it slows it) */
		static char log[1 << 20];

		b->skel->ctx.log_level = 1;
		b->skel->ctx.log_buf = (uintptr_t)log;
		b->skel->ctx.log_size = sizeof(log);
	}
	debug_step("open", &t);
	ret = systrace_bpf__load(b->skel);
	if (ret < 0) {
		if (getenv("SPIKETRACE_BPF_DEBUG") && b->skel->ctx.log_buf)
			fprintf(stderr, "%s\n", (const char *)(uintptr_t)b->skel->ctx.log_buf);
		goto fail;
	}
	map = mmap(NULL, ST_PID_LIMIT / 8, PROT_READ | PROT_WRITE, MAP_SHARED,
		   b->skel->maps.traced.map_fd, 0);
	if (map == MAP_FAILED) {
		ret = -errno;
		goto fail;
	}
	b->traced = map;
	debug_step("load", &t);
	step = "attach";
	ret = systrace_bpf__attach(b->skel);
	if (ret < 0)
		goto fail;
	debug_step("attach", &t);
	step = "ring buffer";
	b->rb = ring_buffer__new(b->skel->maps.rb.map_fd, on_record, b, NULL);
	if (!b->rb) {
		ret = -errno;
		goto fail;
	}
	debug_step("ring buffer", &t);
	if (o->handover) {
		b->skel->bss->handover = 1;
		b->skel->bss->spawn_started = 1;
	}
	*out = b;
	return 0;
fail:
	snprintf(err, errlen, "%s: %s", step, strerror(ret < 0 ? -ret : EINVAL));
	bpf_engine_free(b);
	return ret < 0 ? ret : -EINVAL;
}

void bpf_engine_free(struct bpf_engine *b)
{
	if (!b)
		return;
	ring_buffer__free(b->rb);
	if (b->traced)
		munmap(b->traced, ST_PID_LIMIT / 8);
	systrace_bpf__destroy(b->skel);
	for (size_t i = 0; i < b->npend; i++)
		free(b->pend[i].rec);
	free(b->pend);
	pidset_release(&b->live);
	free(b);
}

static void handle_interrupts(struct bpf_engine *b)
{
	while (b->handled < b->interrupts) {
		b->handled++;
		if (!b->o.argv) {
			b->stop = true; /* attached: stop filtering, they run on untouched */
		} else if (b->handled == 1) {
			/* the terminal already sent SIGINT to the whole foreground group */
			if (!b->from_terminal && !b->main_done)
				kill(b->main_pid, SIGINT);
		} else {
			for (size_t i = 0; i < b->live.n; i++)
				kill(b->live.v[i], SIGKILL);
			if (!b->main_done)
				kill(b->main_pid, SIGKILL);
		}
	}
}

/* Processes that ended without their last record (it was lost) are dropped from the live set. */
static void check_liveness(struct bpf_engine *b)
{
	for (size_t i = 0; i < b->live.n; i++)
		if (kill(b->live.v[i], 0) < 0 && errno == ESRCH && b->live.v[i] != b->main_pid) {
			clear_traced(b, b->live.v[i]);
			b->live.v[i--] = b->live.v[--b->live.n];
		}
}

static int start(struct bpf_engine *b, const char **what)
{
	if (b->o.argv) {
		int release = -1;
		pid_t pid = spawn_held(b->o.argv, &release);

		if (pid < 0) {
			*what = "cannot run the command";
			return pid;
		}
		b->main_pid = pid;
		b->skel->bss->spawn_tgid = pid;
		b->skel->bss->spawn_started = 0;
		set_traced(b, pid);
		pidset_add(&b->live, pid);
		if (b->sink.start)
			b->sink.start(b->ctx, pid);
		if (spawn_release(release) < 0) {
			*what = "cannot start the command";
			kill(pid, SIGKILL);
			return -EIO;
		}
		return 0;
	}
	for (size_t i = 0; i < b->o.npids; i++) {
		if (kill(b->o.pids[i], 0) < 0) {
			*what = "cannot attach";
			return -errno;
		}
	}
	b->main_pid = b->o.pids[0];
	for (size_t i = 0; i < b->o.npids; i++) {
		set_traced(b, b->o.pids[i]);
		pidset_add(&b->live, b->o.pids[i]);
		if (b->sink.start)
			b->sink.start(b->ctx, b->o.pids[i]);
	}
	return 0;
}

int bpf_engine_run(struct bpf_engine *b, const char **what)
{
	struct epoll_event ev = { .events = EPOLLIN };
	uint64_t last_check = clock_mono_ns();
	int ep, ret, pidfd = -1;

	ep = epoll_create1(EPOLL_CLOEXEC);
	if (ep < 0 || epoll_ctl(ep, EPOLL_CTL_ADD, ring_buffer__epoll_fd(b->rb), &ev) < 0) {
		*what = "epoll";
		ret = -errno;
		goto out;
	}
	ret = start(b, what);
	if (ret < 0)
		goto out;
	/* the command's end wakes the loop at once (its exit record is in the ring by then) */
	if (b->o.argv) {
		pidfd = (int)syscall(SYS_pidfd_open, b->main_pid, 0);
		if (pidfd >= 0 && epoll_ctl(ep, EPOLL_CTL_ADD, pidfd, &ev) < 0) {
			close(pidfd);
			pidfd = -1;
		}
	}
	while (!b->stop) {
		int status;

		handle_interrupts(b);
		if (b->stop)
			break;
		if (b->o.argv && !b->main_done &&
		    waitpid(b->main_pid, &status, WNOHANG) == b->main_pid) {
			b->main_status = status;
			b->main_done = true;
		}
		if (b->live.n == 0 && (b->main_done || !b->o.argv))
			break;
		if (epoll_wait(ep, &ev, 1, POLL_MS) < 0 && errno != EINTR) {
			*what = "epoll_wait";
			ret = -errno;
			goto out;
		}
		bpf_engine_consume(b);
		if (clock_mono_ns() - last_check > LIVENESS_MS * 1000000ull) {
			last_check = clock_mono_ns();
			check_liveness(b);
			if (b->main_done)
				pidset_del(&b->live, b->main_pid);
		}
	}
	for (size_t i = 0; i < b->o.npids; i++)
		clear_traced(b, b->o.pids[i]);
	ring_buffer__consume(b->rb);
	if (b->sink.batch)
		b->sink.batch(b->ctx);
	bpf_engine_report_lost(b);
out:
	if (pidfd >= 0)
		close(pidfd);
	if (ep >= 0)
		close(ep);
	return ret;
}

void bpf_engine_interrupt(struct bpf_engine *b, bool from_terminal)
{
	b->from_terminal = from_terminal;
	b->interrupts++;
}

bool bpf_engine_main_status(const struct bpf_engine *b, int *status)
{
	if (b->main_done)
		*status = b->main_status;
	return b->main_done;
}

pid_t bpf_engine_main_pid(const struct bpf_engine *b)
{
	return b->main_pid;
}

void bpf_engine_adopt(struct bpf_engine *b, pid_t tgid)
{
	set_traced(b, tgid);
}

void bpf_engine_release(struct bpf_engine *b, pid_t tgid)
{
	clear_traced(b, tgid);
}

void bpf_engine_own(struct bpf_engine *b, pid_t tid, bool ptrace_owns)
{
	unsigned int key = (unsigned int)tid, v = ST_OWN_PTRACE;

	if (ptrace_owns)
		bpf_map_update_elem(b->skel->maps.owned.map_fd, &key, &v, BPF_ANY);
	else
		bpf_map_delete_elem(b->skel->maps.owned.map_fd, &key);
}

bool bpf_engine_take_seccomp(struct bpf_engine *b, pid_t tid)
{
	unsigned int key = (unsigned int)tid, v = 0;

	if (bpf_map_lookup_elem(b->skel->maps.owned.map_fd, &key, &v) < 0 || v != ST_OWN_SECCOMP)
		return false;
	bpf_map_delete_elem(b->skel->maps.owned.map_fd, &key);
	return true;
}

int bpf_engine_fd(const struct bpf_engine *b)
{
	return ring_buffer__epoll_fd(b->rb);
}

void bpf_engine_consume(struct bpf_engine *b)
{
	if (ring_buffer__consume(b->rb) > 0 && b->sink.batch)
		b->sink.batch(b->ctx);
}

unsigned long long bpf_engine_lost(const struct bpf_engine *b)
{
	return b->skel ? b->skel->bss->lost : 0;
}

void bpf_engine_report_lost(const struct bpf_engine *b)
{
	if (bpf_engine_lost(b))
		fprintf(stderr,
			"spiketrace: %llu trace records lost (the ring buffer was full): the report "
			"is incomplete\n",
			bpf_engine_lost(b));
}
