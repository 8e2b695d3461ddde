/* bpf_tasks.c - loader of the task iterator (src/bpf/tasks.bpf.c): load, attach, read records. */
#include "sys/bpf_tasks.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <dirent.h>
#include <errno.h>
#include <malloc.h>
#include <stddef.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/log.h"
#include "base/pidmap.h"
#include "base/xalloc.h"
#include "tasks.skel.h"

/*
 * What the loader process hands over (load): descriptors that keep the program
 * and its maps alive, or the reason it failed.
 */
enum { FD_PROG, FD_OUT, FD_PREV, FD_BSS, NFDS };

struct bpf_tasks {
	/*
	 * fd[FD_PROG]: the walker (walk_tasks) to run, or the attached iterator's link;
	 * the walker's maps: its output array, its previous run, its globals (bss).
	 */
	int fd[NFDS];
	struct tasks_bpf__bss *bss; /* the walker's globals, mapped */
	size_t bss_len;
	/* the walker (walk_tasks): its output array, mapped read-only */
	bool walker;
	struct task_rec *walk_recs;
	size_t walk_cap;	     /* records */
	size_t walk_len;	     /* bytes mapped */
	struct task_prev *walk_prev; /* what the next run compares with, mapped read-write */
	size_t prev_len;	     /* bytes mapped */
	/* the full records of the last run (short ones filled in), and the one before */
	struct task_rec *last, *cur;
	size_t nlast, last_cap, cur_cap;
	uint64_t gen;	    /* runs so far */
	struct pidmap gone; /* processes of the last run missing from this one */
	int *gone_pids;
	size_t ngone, gone_cap;
	/* or the iterator (dump_task), where the walker cannot load: fd[FD_PROG] is its link */
	struct task_rec *recs; /* the last read */
	size_t cap;	       /* of recs, in records */
};

/* The walker's first array: room for this many records at least, or 4 times the processes. */
#define WALK_MIN_CAP 4096

/* libbpf's last warning while we load, for the one-line reason */
static char last_warning[160];

__attribute__((format(printf, 2, 0))) static int libbpf_print(enum libbpf_print_level level,
							      const char *fmt, va_list ap)
{
	char line[512];
	size_t n;

	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n && (line[n - 1] == '\n' || line[n - 1] == ' '))
		line[--n] = '\0';
	if (!n)
		return 0;
	/* its messages start "libbpf: "; the skeleton's summary line says nothing new */
	if (level == LIBBPF_WARN && strstr(line, "failed to load BPF skeleton") == NULL)
		snprintf(last_warning, sizeof(last_warning), "%.*s", (int)sizeof(last_warning) - 1,
			 line);
	log_debug("libbpf: %s", line);
	return 0;
}

/* Unloads what is loaded (the handle can load again). */
static void unload(struct bpf_tasks *bt)
{
	if (bt->walk_recs)
		munmap(bt->walk_recs, bt->walk_len);
	bt->walk_recs = NULL;
	if (bt->walk_prev)
		munmap(bt->walk_prev, bt->prev_len);
	bt->walk_prev = NULL;
	if (bt->bss)
		munmap(bt->bss, bt->bss_len);
	bt->bss = NULL;
	bt->nlast = 0; /* a new program knows no previous run */
	for (int i = 0; i < NFDS; i++) {
		if (bt->fd[i] >= 0)
			close(bt->fd[i]);
		bt->fd[i] = -1;
	}
}

void bpf_tasks_free(struct bpf_tasks *bt)
{
	if (!bt)
		return;
	unload(bt);
	free(bt->recs);
	free(bt->last);
	free(bt->cur);
	pidmap_release(&bt->gone);
	free(bt->gone_pids);
	free(bt);
}

static void reason(struct strbuf *why, const char *what, int err)
{
	strbuf_addf(why, "%s: %s", what, strerror(err));
	if (last_warning[0])
		strbuf_addf(why, " (%s)", last_warning);
}

/* Maps size bytes of the mmapable array map fd (*len: the pages mapped), or NULL with errno. */
static void *map_array(int fd, size_t size, int prot, size_t *len)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	void *m;

	*len = (size + page - 1) / page * page;
	m = mmap(NULL, *len, prot, MAP_SHARED, fd, 0);
	return m == MAP_FAILED ? NULL : m;
}

/* The loader's answer: a negative errno and its reason, or 0 with NFDS descriptors. */
struct load_reply {
	int err;
	char why[400];
};

/*
 * In the loader process: opens and loads the object with one of its two
 * programs, the walker with arrays of cap records or the iterator (attached),
 * and fills fd (-1 where there is nothing). 0 or a negative errno, why set.
 */
static int load_here(bool walker, size_t cap, int fd[NFDS], struct strbuf *why)
{
	struct tasks_bpf *skel = tasks_bpf__open();
	struct bpf_link *link;
	int ret;

	if (!skel) {
		ret = -errno;
		reason(why, "cannot open the task iterator", -ret);
		return ret;
	}
	bpf_program__set_autoload(walker ? skel->progs.dump_task : skel->progs.walk_tasks, false);
	ret = bpf_map__set_max_entries(skel->maps.walk_out, walker ? (uint32_t)cap : 1);
	if (ret == 0)
		ret = bpf_map__set_max_entries(skel->maps.walk_prev, walker ? (uint32_t)cap : 1);
	if (ret == 0)
		ret = tasks_bpf__load(skel);
	if (ret < 0) {
		reason(why,
		       walker ? "cannot load the task walker" : "cannot load the task iterator",
		       -ret);
		return ret;
	}
	if (walker) {
		fd[FD_PROG] = bpf_program__fd(skel->progs.walk_tasks);
		fd[FD_OUT] = bpf_map__fd(skel->maps.walk_out);
		fd[FD_PREV] = bpf_map__fd(skel->maps.walk_prev);
		fd[FD_BSS] = bpf_map__fd(skel->maps.bss);
		return 0;
	}
	link = bpf_program__attach_iter(skel->progs.dump_task, NULL);
	if (!link) {
		ret = -errno;
		reason(why, "cannot attach the task iterator", -ret);
		return ret;
	}
	fd[FD_PROG] = bpf_link__fd(link);
	return 0; /* the loader exits: the link lives on in the descriptor it sends */
}

/* Sends reply and the descriptors of fd that are open over sock. */
static void send_reply(int sock, const struct load_reply *r, const int fd[NFDS])
{
	char ctl[CMSG_SPACE(NFDS * sizeof(int))] = { 0 };
	struct iovec iov = { .iov_base = (void *)r, .iov_len = sizeof(*r) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	int n = 0, fds[NFDS];

	for (int i = 0; i < NFDS; i++)
		if (fd[i] >= 0)
			fds[n++] = fd[i];
	if (n && !r->err) {
		struct cmsghdr *c;

		msg.msg_control = ctl;
		msg.msg_controllen = CMSG_SPACE((size_t)n * sizeof(int));
		c = CMSG_FIRSTHDR(&msg);
		c->cmsg_level = SOL_SOCKET;
		c->cmsg_type = SCM_RIGHTS;
		c->cmsg_len = CMSG_LEN((size_t)n * sizeof(int));
		memcpy(CMSG_DATA(c), fds, (size_t)n * sizeof(int));
	}
	while (sendmsg(sock, &msg, MSG_NOSIGNAL) < 0 && errno == EINTR)
		;
}

/* Receives the loader's reply into r and its descriptors into fd (in FD_ order). */
static int recv_reply(int sock, struct load_reply *r, int fd[NFDS])
{
	char ctl[CMSG_SPACE(NFDS * sizeof(int))];
	struct iovec iov = { .iov_base = r, .iov_len = sizeof(*r) };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1 };
	struct cmsghdr *c;
	ssize_t n;

	msg.msg_control = ctl;
	msg.msg_controllen = sizeof(ctl);
	do
		n = recvmsg(sock, &msg, MSG_CMSG_CLOEXEC);
	while (n < 0 && errno == EINTR);
	if (n != (ssize_t)sizeof(*r))
		return n < 0 ? -errno : -EPROTO;
	r->why[sizeof(r->why) - 1] = '\0';
	c = CMSG_FIRSTHDR(&msg);
	if (c && c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) {
		size_t got = (c->cmsg_len - CMSG_LEN(0)) / sizeof(int);

		memcpy(fd, CMSG_DATA(c), (got < NFDS ? got : NFDS) * sizeof(int));
	}
	return 0;
}

/*
 * Loads the object with one of its two programs: the walker with arrays of
 * cap records, or the iterator (attached). The loading happens in a child
 * process that hands the descriptors over and exits: CO-RE reads the kernel's
 * whole BTF (about 11 MB while it lasts), which the daemon's RSS should never
 * carry. 0 or a negative errno with the reason in why.
 */
static int load(struct bpf_tasks *bt, bool walker, size_t cap, struct strbuf *why)
{
	struct load_reply r = { 0 };
	int sv[2], ret, status;
	pid_t pid;

	bt->walker = walker;
	if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, sv) < 0) {
		ret = -errno;
		reason(why, "cannot start the BPF loader", -ret);
		return ret;
	}
	pid = fork();
	if (pid < 0) {
		ret = -errno;
		close(sv[0]);
		close(sv[1]);
		reason(why, "cannot start the BPF loader", -ret);
		return ret;
	}
	if (pid == 0) {
		struct strbuf w = STRBUF_INIT;
		int fd[NFDS] = { -1, -1, -1, -1 };

		close(sv[0]);
		r.err = load_here(walker, cap, fd, &w);
		snprintf(r.why, sizeof(r.why), "%s", strbuf_str(&w));
		send_reply(sv[1], &r, fd);
		_exit(0);
	}
	close(sv[1]);
	ret = recv_reply(sv[0], &r, bt->fd);
	close(sv[0]);
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (ret < 0) {
		reason(why, "the BPF loader gave no answer", -ret);
		return ret;
	}
	if (r.err) {
		strbuf_adds(why, r.why);
		return r.err;
	}
	if (!walker)
		return bt->fd[FD_PROG] >= 0 ? 0 : -EPROTO;
	if (bt->fd[FD_BSS] < 0)
		return -EPROTO;
	bt->walk_cap = cap;
	bt->walk_recs =
		map_array(bt->fd[FD_OUT], cap * sizeof(struct task_rec), PROT_READ, &bt->walk_len);
	if (!bt->walk_recs) {
		ret = -errno;
		reason(why, "cannot map the task walker's records", -ret);
		return ret;
	}
	bt->walk_prev = map_array(bt->fd[FD_PREV], cap * sizeof(struct task_prev),
				  PROT_READ | PROT_WRITE, &bt->prev_len);
	if (!bt->walk_prev) {
		ret = -errno;
		reason(why, "cannot map the task walker's previous run", -ret);
		return ret;
	}
	bt->bss = map_array(bt->fd[FD_BSS], sizeof(*bt->bss), PROT_READ | PROT_WRITE, &bt->bss_len);
	if (!bt->bss) {
		ret = -errno;
		reason(why, "cannot map the task walker's globals", -ret);
		return ret;
	}
	bt->bss->walk_nprev = 0;
	return 0;
}

/* Processes on the host now (the /proc listing), for the walker's first array. */
static size_t count_processes(void)
{
	DIR *d = opendir("/proc");
	struct dirent *e;
	size_t n = 0;

	if (!d)
		return 0;
	while ((e = readdir(d)))
		n += e->d_name[0] >= '1' && e->d_name[0] <= '9';
	closedir(d);
	return n;
}

int bpf_tasks_open(struct bpf_tasks **out, const struct bpf_tasks_opts *o, struct strbuf *why)
{
	struct bpf_tasks *bt = xcalloc(1, sizeof(*bt));
	libbpf_print_fn_t old = libbpf_set_print(libbpf_print);
	struct strbuf walker_why = STRBUF_INIT;
	const struct task_rec *recs;
	pid_t me = getpid();
	bool try_walker = !o->iterator_only;
	size_t cap = o->walker_cap;
	ssize_t n = 0;
	int ret;

	for (int i = 0; i < NFDS; i++)
		bt->fd[i] = -1;
	last_warning[0] = '\0';
	*out = NULL;
	if (try_walker && !cap) {
		cap = 4 * count_processes();
		if (cap < WALK_MIN_CAP)
			cap = WALK_MIN_CAP;
	}
	/* the walker where the kernel has open-coded task iterators (6.7+), else the iterator */
	ret = try_walker ? load(bt, true, cap, &walker_why) : -ENOTSUP;
	if (ret == 0) {
		n = bpf_tasks_read(bt, &recs);
		if (n < 0) {
			ret = (int)n;
			reason(&walker_why, "cannot run the task walker", -ret);
		}
	}
	if (ret < 0) {
		if (try_walker)
			log_debug("processes: %s; trying the task iterator",
				  strbuf_str(&walker_why));
		unload(bt);
		last_warning[0] = '\0';
		ret = load(bt, false, 0, why);
		if (ret < 0)
			goto fail;
		n = bpf_tasks_read(bt, &recs);
		if (n < 0) {
			ret = (int)n;
			reason(why, "cannot run the task iterator", -ret);
			goto fail;
		}
	}
	ret = -EOPNOTSUPP;
	for (ssize_t i = 0; i < n; i++)
		if ((pid_t)recs[i].tgid == me)
			ret = 0;
	if (ret < 0) {
		strbuf_addf(why,
			    "the task iterator does not see this process as pid %d "
			    "(a child pid namespace?)",
			    (int)me);
		goto fail;
	}
	strbuf_release(&walker_why);
	libbpf_set_print(old);
	/* loading parsed the kernel's whole BTF (megabytes, freed by now): give it back */
	malloc_trim(0);
	*out = bt;
	return 0;
fail:
	strbuf_release(&walker_why);
	libbpf_set_print(old);
	bpf_tasks_free(bt);
	return ret;
}

int bpf_tasks_new(struct bpf_tasks **out, struct strbuf *why)
{
	static const struct bpf_tasks_opts defaults;

	return bpf_tasks_open(out, &defaults, why);
}

bool bpf_tasks_walks(const struct bpf_tasks *bt)
{
	return bt->walker;
}

/* wq_worker_comm()'s name of a workqueue worker: comm, then "+desc" or "-desc" (15 bytes). */
static void join_worker_comm(struct task_rec *r)
{
	char name[TASK_REC_COMM_LEN * 2 + 2];

	if (!r->wq_desc[0])
		return;
	snprintf(name, sizeof(name), "%.*s%c%.*s", TASK_REC_COMM_LEN - 1, r->comm,
		 r->flags & TASK_REC_WQ_BUSY ? '+' : '-', TASK_REC_COMM_LEN - 1, r->wq_desc);
	memcpy(r->comm, name, TASK_REC_COMM_LEN - 1);
	r->comm[TASK_REC_COMM_LEN - 1] = '\0';
}

/*
 * Every process gets a full record at least once in this many runs, whatever it did: the
 * fields that change while a process sleeps (RSS under reclaim, a deleted executable, a
 * name written to PID/comm) are that late at most.
 */
#define REFRESH_RUNS 8

/*
 * The n records of a run into full ones (bt->cur): a short record (TASK_REC_SAME) takes the
 * previous run's record of its process, found the way the walker found it (the same order,
 * minus the processes that exited). Then the next run's comparison list: each process's
 * runtime, with a full record asked for in turn, and for the children of processes that
 * exited (their parent changed while they slept).
 */
static int complete(struct bpf_tasks *bt, size_t n)
{
	size_t j = 0, ngone = 0;
	struct task_rec *t;

	if (bt->cur_cap < n)
		XGROW(bt->cur, bt->cur_cap, n);
	for (size_t i = 0; i < n; i++) {
		const struct task_rec *r = &bt->walk_recs[i];

		if (!(r->flags & TASK_REC_SAME)) {
			bt->cur[i] = *r;
			join_worker_comm(&bt->cur[i]);
			continue;
		}
		while (j < bt->nlast && bt->last[j].tgid != r->tgid)
			j++;
		if (j == bt->nlast)
			return -EPROTO; /* the walker matched what we do not have: out of step */
		bt->cur[i] = bt->last[j++];
	}
	/* who exited since the last run: in last, not in cur */
	pidmap_rebuild(&bt->gone, bt->cur, n, sizeof(*bt->cur), offsetof(struct task_rec, tgid));
	for (size_t k = 0; k < bt->nlast; k++)
		if (pidmap_find(&bt->gone, bt->cur, (int)bt->last[k].tgid) < 0) {
			XGROW(bt->gone_pids, bt->gone_cap, ngone + 1);
			bt->gone_pids[ngone++] = (int)bt->last[k].tgid;
		}
	if (ngone)
		pidmap_rebuild(&bt->gone, bt->gone_pids, ngone, sizeof(int), 0);
	bt->gen++;
	for (size_t i = 0; i < n; i++) {
		struct task_prev *p = &bt->walk_prev[i];

		p->tgid = bt->cur[i].tgid;
		p->run_ns = bt->cur[i].run_ns;
		p->force =
			(bt->cur[i].tgid + bt->gen) % REFRESH_RUNS == 0 ||
			(ngone && pidmap_find(&bt->gone, bt->gone_pids, (int)bt->cur[i].ppid) >= 0);
	}
	bt->bss->walk_nprev = (uint32_t)n;
	/* cur becomes last */
	t = bt->last;
	bt->last = bt->cur;
	bt->cur = t;
	{
		size_t c = bt->last_cap;

		bt->last_cap = bt->cur_cap;
		bt->cur_cap = c;
	}
	bt->nlast = n;
	return 0;
}

/* One run of the walker; a full array is replaced by one twice as big and the run redone. */
static ssize_t walk(struct bpf_tasks *bt, const struct task_rec **recs)
{
	for (;;) {
		LIBBPF_OPTS(bpf_test_run_opts, opts);
		struct strbuf why = STRBUF_INIT;
		size_t cap = bt->walk_cap * 2;
		int ret;

		if (bpf_prog_test_run_opts(bt->fd[FD_PROG], &opts) < 0)
			return -errno;
		if (!bt->bss->walk_full) {
			size_t n = bt->bss->walk_count;

			if (complete(bt, n) < 0) {
				/* out of step with the walker (never seen): again, all full records
				 */
				log_warn("processes: the task walker's short records do not match "
					 "its previous run; reading full ones");
				bt->bss->walk_nprev = 0;
				bt->nlast = 0;
				continue;
			}
			*recs = bt->last;
			return (ssize_t)n;
		}
		log_info("processes: more than %zu processes; the task walker's array grows to %zu",
			 bt->walk_cap, cap);
		unload(bt);
		ret = load(bt, true, cap, &why);
		if (ret < 0)
			log_error("processes: %s", strbuf_str(&why));
		strbuf_release(&why);
		if (ret < 0)
			return ret;
	}
}

#define READ_CHUNK (64 * 1024)

ssize_t bpf_tasks_read(struct bpf_tasks *bt, const struct task_rec **recs)
{
	size_t len = 0;
	int fd;

	if (bt->walker)
		return walk(bt, recs);
	fd = bpf_iter_create(bt->fd[FD_PROG]);

	if (fd < 0)
		return -errno;
	for (;;) {
		ssize_t n;

		/* the kernel fills at most its seq buffer (8 pages) per read: ask for big chunks */
		if (bt->cap * sizeof(*bt->recs) - len < READ_CHUNK)
			XGROW(bt->recs, bt->cap, (len + READ_CHUNK) / sizeof(*bt->recs) + 1);
		n = read(fd, (char *)bt->recs + len, bt->cap * sizeof(*bt->recs) - len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			int err = -errno;

			close(fd);
			return err;
		}
		if (n == 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	if (len % sizeof(struct task_rec))
		return -EPROTO; /* records are written whole: a loader/program mismatch */
	for (size_t i = 0; i < len / sizeof(struct task_rec); i++)
		join_worker_comm(&bt->recs[i]);
	*recs = bt->recs;
	return (ssize_t)(len / sizeof(struct task_rec));
}

/* include/linux/sched.h: the state bits __task_state_index() looks at */
#define TASK_REPORT	     0x7fu   /* S D T t X Z P, one bit each above R */
#define TASK_IDLE_BITS	     0x402u  /* TASK_UNINTERRUPTIBLE | TASK_NOLOAD */
#define TASK_RTLOCK_WAIT     0x1000u /* 5.15+: shown as D */
#define TASK_FROZEN	     0x8000u /* 6.1+: shown as D */
#define TASK_UNINTERRUPTIBLE 0x2u

/* fs/proc/array.c task_state_array, indexed by fls() of the reported bits */
static const char state_letters[] = "RSDTtXZPI";

char bpf_tasks_state_letter(uint32_t state, uint32_t exit_state)
{
	uint32_t s = (state | exit_state) & TASK_REPORT;

	if ((state & TASK_IDLE_BITS) == TASK_IDLE_BITS)
		s = TASK_REPORT + 1;
	if (state & (TASK_RTLOCK_WAIT | TASK_FROZEN))
		s = TASK_UNINTERRUPTIBLE;
	return state_letters[s ? 32 - __builtin_clz(s) : 0];
}
