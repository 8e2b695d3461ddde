/* bpf_stratum.c - loader of the stratum watch (src/bpf/stratum.bpf.c): load, attach while
 * watching, read events. */
#include "sys/bpf_stratum.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/perf_event.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/fileutil.h"
#include "base/log.h"
#include "base/xalloc.h"
/*
 * The light skeleton: a loader program does the CO-RE relocations in the kernel, so loading
 * parses no BTF here (the full skeleton's parse of the kernel's BTF stalled a sample of the
 * daemon for a second on a loaded host). It cannot attach tracepoints: attach() does.
 */
#include "stratum.lskel.h"

/* The programs and their tracepoints (syscalls:NAME). */
static const struct {
	size_t prog; /* offset of its bpf_prog_desc in struct stratum_bpf */
	const char *event;
} programs[] = {
#define P(field, event)                                                                            \
	{                                                                                          \
		offsetof(struct stratum_bpf, progs.field), event                                   \
	}
	P(enter_write, "sys_enter_write"),	 P(enter_sendto, "sys_enter_sendto"),
	P(enter_writev, "sys_enter_writev"),	 P(enter_sendmsg, "sys_enter_sendmsg"),
	P(enter_read, "sys_enter_read"),	 P(exit_read, "sys_exit_read"),
	P(enter_recvfrom, "sys_enter_recvfrom"), P(exit_recvfrom, "sys_exit_recvfrom"),
	P(enter_readv, "sys_enter_readv"),	 P(exit_readv, "sys_exit_readv"),
	P(enter_recvmsg, "sys_enter_recvmsg"),	 P(exit_recvmsg, "sys_exit_recvmsg"),
#undef P
};
#define NPROGS (sizeof(programs) / sizeof(programs[0]))

struct bpf_stratum {
	struct stratum_bpf *skel;
	struct ring_buffer *ring;
	int links[NPROGS]; /* bpf links (fds) while attached, else -1 */
	int perf[NPROGS];  /* the tracepoints' perf events (fds) while attached, else -1 */
	bool attached;
	pthread_t closer; /* closing a detach's fds (closing) */
	bool closing;
	int watched[STRATUM_MAX_WATCHED];
	size_t nwatched;
	/* the poll's callback, for the ring's */
	bpf_stratum_fn fn;
	void *arg;
};

/* Closes the fds of a detach (takes the array): each close waits for an RCU grace period. */
static void *close_fds(void *arg)
{
	int *fds = arg;

	for (size_t i = 0; i < 2 * NPROGS; i++)
		if (fds[i] >= 0)
			close(fds[i]);
	free(fds);
	return NULL;
}

void bpf_stratum_settle(struct bpf_stratum *bs)
{
	if (bs->closing)
		pthread_join(bs->closer, NULL);
	bs->closing = false;
}

/*
 * Detaches the programs. Closing the tracepoints' events waits for the kernel's grace
 * periods, most of a second in all here while using no CPU: unless wait, a thread of its own
 * does it, and the caller's loop goes on (the programs stay until it is done).
 */
static void detach(struct bpf_stratum *bs, bool wait)
{
	int *fds = xmalloc(2 * NPROGS * sizeof(*fds));

	bpf_stratum_settle(bs);
	for (size_t i = 0; i < NPROGS; i++) {
		fds[2 * i] = bs->links[i];
		fds[2 * i + 1] = bs->perf[i];
		bs->links[i] = bs->perf[i] = -1;
	}
	bs->attached = false;
	if (!wait && pthread_create(&bs->closer, NULL, close_fds, fds) == 0)
		bs->closing = true;
	else
		close_fds(fds);
}

/* The id of tracepoint syscalls:event from tracefs, or a negative errno. */
static int tracepoint_id(const char *event)
{
	static const char *const roots[] = { "/sys/kernel/tracing", "/sys/kernel/debug/tracing" };
	int ret = -ENOENT;

	for (size_t i = 0; i < 2 && ret < 0; i++) {
		char path[160], *text = NULL;
		size_t len;

		snprintf(path, sizeof(path), "%s/events/syscalls/%s/id", roots[i], event);
		ret = file_read_all(path, 64, &text, &len);
		if (ret == 0)
			ret = atoi(text) > 0 ? atoi(text) : -EINVAL;
		free(text);
	}
	return ret;
}

/*
 * Attaches every program to its tracepoint, as libbpf does: a perf event of the tracepoint
 * (any process, CPU 0: the program runs on every CPU) and a BPF link on it. 0 or a negative
 * errno (nothing left attached).
 */
static int attach(struct bpf_stratum *bs)
{
	for (size_t i = 0; i < NPROGS; i++) {
		const struct bpf_prog_desc *d =
			(const void *)((const char *)bs->skel + programs[i].prog);
		struct perf_event_attr a = { .type = PERF_TYPE_TRACEPOINT, .size = sizeof(a) };
		int id = tracepoint_id(programs[i].event), ret;

		if (id < 0) {
			ret = id;
			goto fail;
		}
		a.config = (__u64)id;
		a.sample_period = 1;
		a.wakeup_events = 1;
		bs->perf[i] =
			(int)syscall(SYS_perf_event_open, &a, -1, 0, -1, PERF_FLAG_FD_CLOEXEC);
		if (bs->perf[i] < 0) {
			ret = -errno;
			goto fail;
		}
		bs->links[i] = bpf_link_create(d->prog_fd, bs->perf[i], BPF_PERF_EVENT, NULL);
		if (bs->links[i] < 0) {
			ret = -errno;
			goto fail;
		}
		continue;
	fail:
		log_debug("security: cannot attach the stratum watch to syscalls:%s: %s",
			  programs[i].event, strerror(-ret));
		detach(bs, true);
		return ret;
	}
	bs->attached = true;
	return 0;
}

void bpf_stratum_free(struct bpf_stratum *bs)
{
	if (!bs)
		return;
	detach(bs, true);
	ring_buffer__free(bs->ring);
	stratum_bpf__destroy(bs->skel);
	free(bs);
}

static int on_event(void *ctx, void *data, size_t size)
{
	struct bpf_stratum *bs = ctx;

	if (size >= sizeof(struct stratum_event) && bs->fn)
		bs->fn(bs->arg, data);
	return 0;
}

/* Whether this process's pid is the host's: "NSpid:" in PID/status names one pid only. */
static bool in_host_pid_ns(void)
{
	char line[256];
	FILE *f = fopen("/proc/self/status", "re");
	bool host = true;

	while (f && fgets(line, sizeof(line), f))
		if (!strncmp(line, "NSpid:", 6))
			host = !strchr(line + 7, '\t') && !strchr(line + 7, ' ');
	if (f)
		fclose(f);
	return host;
}

int bpf_stratum_new(struct bpf_stratum **out, struct strbuf *why)
{
	struct bpf_stratum *bs;
	int ret;

	*out = NULL;
	/* the programs see the host's pids: a watch by this namespace's would watch others */
	if (!in_host_pid_ns()) {
		strbuf_adds(why, "the daemon runs in a child pid namespace");
		return -EOPNOTSUPP;
	}
	bs = xcalloc(1, sizeof(*bs));
	memset(bs->links, -1, sizeof(bs->links));
	memset(bs->perf, -1, sizeof(bs->perf));
	bs->skel = stratum_bpf__open_and_load();
	if (!bs->skel) {
		ret = errno ? -errno : -EINVAL;
		strbuf_addf(why, "cannot load the stratum watch: %s", strerror(-ret));
		goto fail;
	}
	bs->ring = ring_buffer__new(bs->skel->maps.events.map_fd, on_event, bs, NULL);
	if (!bs->ring) {
		ret = -errno;
		strbuf_addf(why, "cannot read the stratum watch's ring: %s", strerror(-ret));
		goto fail;
	}
	*out = bs;
	return 0;
fail:
	bpf_stratum_free(bs);
	return ret;
}

int bpf_stratum_watch(struct bpf_stratum *bs, int tgid)
{
	struct stratum_watch w = { .budget = STRATUM_EVENT_BUDGET };
	__u32 key = (__u32)tgid;
	int ret;

	for (size_t i = 0; i < bs->nwatched; i++)
		if (bs->watched[i] == tgid)
			return 0;
	if (bs->nwatched == STRATUM_MAX_WATCHED)
		return -ENOSPC;
	if (bpf_map_update_elem(bs->skel->maps.watched.map_fd, &key, &w, BPF_ANY) < 0)
		return -errno;
	if (!bs->attached && (ret = attach(bs)) < 0) {
		bpf_map_delete_elem(bs->skel->maps.watched.map_fd, &key);
		return ret;
	}
	bs->watched[bs->nwatched++] = tgid;
	return 0;
}

void bpf_stratum_unwatch(struct bpf_stratum *bs, int tgid)
{
	__u32 key = (__u32)tgid;

	for (size_t i = 0; i < bs->nwatched; i++) {
		if (bs->watched[i] != tgid)
			continue;
		bs->watched[i] = bs->watched[--bs->nwatched];
		bpf_map_delete_elem(bs->skel->maps.watched.map_fd, &key);
		if (!bs->nwatched)
			detach(bs, false);
		return;
	}
}

size_t bpf_stratum_nwatched(const struct bpf_stratum *bs)
{
	return bs->nwatched;
}

bool bpf_stratum_attached(const struct bpf_stratum *bs)
{
	return bs->attached;
}

int bpf_stratum_poll(struct bpf_stratum *bs, bpf_stratum_fn fn, void *arg)
{
	struct stratum_watch w = { .budget = STRATUM_EVENT_BUDGET };
	int n;

	bs->fn = fn;
	bs->arg = arg;
	n = ring_buffer__consume(bs->ring);
	bs->fn = NULL;
	for (size_t i = 0; i < bs->nwatched; i++) {
		__u32 key = (__u32)bs->watched[i];

		bpf_map_update_elem(bs->skel->maps.watched.map_fd, &key, &w, BPF_EXIST);
	}
	return n;
}
