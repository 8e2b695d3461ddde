/* bpf_stratum.c - loader of the stratum watch (src/bpf/stratum.bpf.c): load, attach while
 * watching, read events. */
#include "sys/bpf_stratum.h"

#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <malloc.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "stratum.skel.h"

struct bpf_stratum {
	struct stratum_bpf *skel;
	struct ring_buffer *ring;
	struct bpf_link **links; /* one per program while attached */
	size_t nlinks;
	int watched[STRATUM_MAX_WATCHED];
	size_t nwatched;
	/* the poll's callback, for the ring's */
	bpf_stratum_fn fn;
	void *arg;
};

__attribute__((format(printf, 2, 0))) static int print_debug(enum libbpf_print_level level,
							     const char *fmt, va_list ap)
{
	char line[512];
	size_t n;

	(void)level;
	vsnprintf(line, sizeof(line), fmt, ap);
	n = strlen(line);
	while (n && line[n - 1] == '\n')
		line[--n] = '\0';
	if (n)
		log_debug("libbpf: %s", line);
	return 0;
}

static void detach(struct bpf_stratum *bs)
{
	for (size_t i = 0; i < bs->nlinks; i++)
		bpf_link__destroy(bs->links[i]);
	free(bs->links);
	bs->links = NULL;
	bs->nlinks = 0;
}

/* Attaches every program (the tracepoints); 0 or a negative errno (nothing left attached). */
static int attach(struct bpf_stratum *bs)
{
	struct bpf_program *prog;

	bpf_object__for_each_program(prog, bs->skel->obj)
	{
		struct bpf_link *l = bpf_program__attach(prog);

		if (!l) {
			int ret = -errno;

			log_debug("security: cannot attach %s: %s", bpf_program__name(prog),
				  strerror(-ret));
			detach(bs);
			return ret;
		}
		bs->links = xrealloc(bs->links, (bs->nlinks + 1) * sizeof(*bs->links));
		bs->links[bs->nlinks++] = l;
	}
	return 0;
}

void bpf_stratum_free(struct bpf_stratum *bs)
{
	if (!bs)
		return;
	detach(bs);
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
	libbpf_print_fn_t old;
	int ret;

	*out = NULL;
	/* the programs see the host's pids: a watch by this namespace's would watch others */
	if (!in_host_pid_ns()) {
		strbuf_adds(why, "the daemon runs in a child pid namespace");
		return -EOPNOTSUPP;
	}
	bs = xcalloc(1, sizeof(*bs));
	old = libbpf_set_print(print_debug);
	bs->skel = stratum_bpf__open_and_load();
	if (!bs->skel) {
		ret = -errno;
		strbuf_addf(why, "cannot load the stratum watch: %s", strerror(-ret));
		goto fail;
	}
	bs->ring = ring_buffer__new(bpf_map__fd(bs->skel->maps.events), on_event, bs, NULL);
	if (!bs->ring) {
		ret = -errno;
		strbuf_addf(why, "cannot read the stratum watch's ring: %s", strerror(-ret));
		goto fail;
	}
	libbpf_set_print(old);
	malloc_trim(0); /* loading parsed the kernel's whole BTF: give it back */
	*out = bs;
	return 0;
fail:
	libbpf_set_print(old);
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
	if (bpf_map__update_elem(bs->skel->maps.watched, &key, sizeof(key), &w, sizeof(w),
				 BPF_ANY) < 0)
		return -errno;
	if (!bs->nlinks && (ret = attach(bs)) < 0) {
		bpf_map__delete_elem(bs->skel->maps.watched, &key, sizeof(key), 0);
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
		bpf_map__delete_elem(bs->skel->maps.watched, &key, sizeof(key), 0);
		if (!bs->nwatched)
			detach(bs);
		return;
	}
}

size_t bpf_stratum_nwatched(const struct bpf_stratum *bs)
{
	return bs->nwatched;
}

bool bpf_stratum_attached(const struct bpf_stratum *bs)
{
	return bs->nlinks > 0;
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

		bpf_map__update_elem(bs->skel->maps.watched, &key, sizeof(key), &w, sizeof(w),
				     BPF_EXIST);
	}
	return n;
}
