/* bpf_tasks.c - loader of the task iterator (src/bpf/tasks.bpf.c): load, attach, read records. */
#include "sys/bpf_tasks.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "tasks.skel.h"

struct bpf_tasks {
	struct tasks_bpf *skel;
	struct bpf_link *link;
	struct task_rec *recs; /* the last read */
	size_t cap;	       /* of recs, in records */
};

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

void bpf_tasks_free(struct bpf_tasks *bt)
{
	if (!bt)
		return;
	bpf_link__destroy(bt->link);
	tasks_bpf__destroy(bt->skel);
	free(bt->recs);
	free(bt);
}

static void reason(struct strbuf *why, const char *what, int err)
{
	strbuf_addf(why, "%s: %s", what, strerror(err));
	if (last_warning[0])
		strbuf_addf(why, " (%s)", last_warning);
}

int bpf_tasks_new(struct bpf_tasks **out, struct strbuf *why)
{
	struct bpf_tasks *bt = xcalloc(1, sizeof(*bt));
	libbpf_print_fn_t old = libbpf_set_print(libbpf_print);
	const struct task_rec *recs;
	pid_t me = getpid();
	ssize_t n;
	int ret;

	last_warning[0] = '\0';
	*out = NULL;
	bt->skel = tasks_bpf__open();
	if (!bt->skel) {
		ret = -errno;
		reason(why, "cannot open the task iterator", -ret);
		goto fail;
	}
	ret = tasks_bpf__load(bt->skel);
	if (ret < 0) {
		reason(why, "cannot load the task iterator", -ret);
		goto fail;
	}
	bt->link = bpf_program__attach_iter(bt->skel->progs.dump_task, NULL);
	if (!bt->link) {
		ret = -errno;
		reason(why, "cannot attach the task iterator", -ret);
		goto fail;
	}
	n = bpf_tasks_read(bt, &recs);
	if (n < 0) {
		ret = (int)n;
		reason(why, "cannot run the task iterator", -ret);
		goto fail;
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
	libbpf_set_print(old);
	/* loading parsed the kernel's whole BTF (megabytes, freed by now): give it back */
	malloc_trim(0);
	*out = bt;
	return 0;
fail:
	libbpf_set_print(old);
	bpf_tasks_free(bt);
	return ret;
}

#define READ_CHUNK (64 * 1024)

ssize_t bpf_tasks_read(struct bpf_tasks *bt, const struct task_rec **recs)
{
	size_t len = 0;
	int fd = bpf_iter_create(bpf_link__fd(bt->link));

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
