/* stacks.c - cpu-clock callchain sampling of a task tree, aggregated into distinct chains and
 * folded. */
#include "sys/stacks.h"

#include <dirent.h>
#include <errno.h>
#include <linux/perf_event.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/pidset.h"
#include "base/xalloc.h"
#include "sys/perf.h"
#include "sys/symbolize.h"

#define KERNEL_START 0xffff800000000000ULL
/* The sample_id every other record ends with (sample_id_all): pid, tid, time. */
#define SAMPLE_ID_BYTES 16

struct chain {
	pid_t pid;
	uint32_t nr;
	uint64_t hash;
	uint64_t count;
	uint64_t *ips; /* leaf first, context markers removed */
};

struct comm {
	pid_t pid;
	char name[16];
};

/* A side-band record (COMM, MMAP2, FORK, EXIT) held back until the drain can order it by time. */
struct sideband {
	uint64_t time; /* ns, from the record's sample_id (sample_id_all) */
	size_t seq;    /* arrival order: equal times keep it */
	uint32_t type;
	size_t len;
	char *body; /* copy of the bytes after the header (owned) */
};

struct stacks {
	struct perf_group **g; /* one per sampled thread of a running process, else one */
	size_t ng, capg;
	struct perf_event_attr attr; /* what every group samples */
	pid_t pid;
	bool children;
	const char *event;
	struct chain *c; /* open addressing, cap a power of two */
	size_t n, cap;
	struct comm *comms;
	size_t ncomms, capcomms;
	uint64_t samples, lost;
	stacks_mmap_fn on_mmap;
	void *mmap_ctx;
	stacks_fork_fn on_fork;
	void *fork_ctx;
	struct pidset covered; /* tids sampled: opened, or created by a sampled task */
	struct sideband *side; /* this drain's side-band records */
	size_t nside, capside;
};

static uint64_t hash_chain(pid_t pid, const uint64_t *ips, uint32_t nr)
{
	uint64_t h = 1469598103934665603ULL ^ (uint64_t)pid;

	for (uint32_t i = 0; i < nr; i++) {
		h ^= ips[i];
		h *= 1099511628211ULL;
	}
	return h ? h : 1;
}

static void set_comm(struct stacks *st, pid_t pid, const char *name)
{
	for (size_t i = 0; i < st->ncomms; i++) {
		if (st->comms[i].pid == pid) {
			snprintf(st->comms[i].name, sizeof(st->comms[i].name), "%s", name);
			return;
		}
	}
	XGROW(st->comms, st->capcomms, st->ncomms + 1);
	st->comms[st->ncomms].pid = pid;
	snprintf(st->comms[st->ncomms].name, sizeof(st->comms[0].name), "%s", name);
	st->ncomms++;
}

static const char *comm_of(const struct stacks *st, pid_t pid)
{
	for (size_t i = 0; i < st->ncomms; i++)
		if (st->comms[i].pid == pid)
			return st->comms[i].name;
	return "?";
}

static void grow(struct stacks *st)
{
	struct chain *old = st->c;
	size_t oldcap = st->cap;

	st->cap = oldcap ? oldcap * 2 : 1024;
	st->c = xcalloc(st->cap, sizeof(*st->c));
	for (size_t i = 0; i < oldcap; i++) {
		size_t h;

		if (!old[i].hash)
			continue;
		for (h = old[i].hash & (st->cap - 1); st->c[h].hash; h = (h + 1) & (st->cap - 1))
			;
		st->c[h] = old[i];
	}
	free(old);
}

static void add_chain(struct stacks *st, pid_t pid, const uint64_t *ips, uint32_t nr)
{
	uint64_t h = hash_chain(pid, ips, nr);
	size_t i;

	if ((st->n + 1) * 2 > st->cap)
		grow(st);
	for (i = h & (st->cap - 1); st->c[i].hash; i = (i + 1) & (st->cap - 1)) {
		struct chain *c = &st->c[i];

		if (c->hash == h && c->pid == pid && c->nr == nr &&
		    !memcmp(c->ips, ips, nr * sizeof(*ips))) {
			c->count++;
			return;
		}
	}
	st->c[i] = (struct chain){ .pid = pid, .nr = nr, .hash = h, .count = 1 };
	st->c[i].ips = xmalloc((nr ? nr : 1) * sizeof(*ips));
	memcpy(st->c[i].ips, ips, nr * sizeof(*ips));
	st->n++;
}

/* PERF_SAMPLE_IP | TID | TIME | CALLCHAIN: ip, pid/tid, time, nr, ips[nr] */
static void on_sample(struct stacks *st, const char *p, size_t len)
{
	uint64_t ips[256], nr;
	uint32_t pid, k = 0;

	if (len < 8 + 8 + 8 + 8)
		return;
	memcpy(&pid, p + 8, sizeof(pid));
	if (!st->children && (pid_t)pid != st->pid)
		return; /* a descendant's sample, and only the process itself was asked for */
	memcpy(&nr, p + 24, sizeof(nr));
	if (nr > (len - 32) / 8)
		return;
	for (uint64_t i = 0; i < nr && k < 256; i++) {
		uint64_t ip;

		memcpy(&ip, p + 32 + i * 8, sizeof(ip));
		if (ip >= (uint64_t)PERF_CONTEXT_MAX)
			continue; /* PERF_CONTEXT_KERNEL / _USER markers */
		ips[k++] = ip;
	}
	if (!k) {
		memcpy(&ips[0], p, sizeof(ips[0])); /* no chain: the sampled ip alone */
		k = 1;
	}
	st->samples++;
	add_chain(st, (pid_t)pid, ips, k);
}

/* COMM of pid (tid == pid: an exec or the process renaming itself, not one of its threads). */
static void apply_comm(struct stacks *st, const char *b, size_t len)
{
	uint32_t pid, tid;

	if (len <= 8)
		return;
	memcpy(&pid, b, 4);
	memcpy(&tid, b + 4, 4);
	if (pid == tid)
		set_comm(st, (pid_t)pid, b + 8);
}

/*
 * FORK: pid, ppid, tid, ptid. Every task created by a sampled one is sampled
 * too (inherit) and no longer needs opening; a new process starts with its
 * parent's name and mappings (it may never exec, and never report either).
 */
static void apply_fork(struct stacks *st, const char *b, size_t len)
{
	uint32_t pid, ppid, tid;
	char name[16];

	if (len < 16)
		return;
	memcpy(&pid, b, 4);
	memcpy(&ppid, b + 4, 4);
	memcpy(&tid, b + 8, 4);
	pidset_add(&st->covered, (pid_t)tid);
	if (pid == ppid)
		return;						      /* a thread */
	snprintf(name, sizeof(name), "%s", comm_of(st, (pid_t)ppid)); /* set_comm may move it */
	set_comm(st, (pid_t)pid, name);
	if (st->on_fork)
		st->on_fork(st->fork_ctx, (pid_t)ppid, (pid_t)pid);
}

static void apply_sideband(struct stacks *st, const struct sideband *r)
{
	const char *b = r->body;
	uint32_t pid, tid;
	uint64_t addr, mlen, pgoff;

	switch (r->type) {
	case PERF_RECORD_COMM:
		apply_comm(st, b, r->len);
		break;
	case PERF_RECORD_FORK:
		apply_fork(st, b, r->len);
		break;
	case PERF_RECORD_EXIT:
		/* pid, ppid, tid, ptid: the tid may be reused by a task nobody samples */
		if (r->len >= 16) {
			memcpy(&tid, b + 8, 4);
			pidset_del(&st->covered, (pid_t)tid);
		}
		break;
	case PERF_RECORD_MMAP2:
		/* pid, tid, addr, len, pgoff, maj, min, ino, ino_generation, prot, flags, filename
		 */
		if (st->on_mmap && r->len > 64) {
			memcpy(&pid, b, 4);
			memcpy(&addr, b + 8, 8);
			memcpy(&mlen, b + 16, 8);
			memcpy(&pgoff, b + 24, 8);
			st->on_mmap(st->mmap_ctx, (pid_t)pid, addr, mlen, pgoff, b + 64);
		}
		break;
	default:
		break;
	}
}

static void on_record(void *ctx, const struct perf_event_header *h, const void *body)
{
	struct stacks *st = ctx;
	size_t len = h->size - sizeof(*h);
	struct sideband *r;

	switch (h->type) {
	case PERF_RECORD_SAMPLE:
		on_sample(st, body, len);
		break;
	case PERF_RECORD_LOST:
		if (len >= 16) {
			uint64_t lost;

			memcpy(&lost, (const char *)body + 8, sizeof(lost));
			st->lost += lost;
		}
		break;
	case PERF_RECORD_COMM:
	case PERF_RECORD_MMAP2:
	case PERF_RECORD_FORK:
	case PERF_RECORD_EXIT:
		if (len < SAMPLE_ID_BYTES)
			break;
		XGROW(st->side, st->capside, st->nside + 1);
		r = &st->side[st->nside];
		r->seq = st->nside++;
		r->type = h->type;
		r->len = len - SAMPLE_ID_BYTES;
		memcpy(&r->time, (const char *)body + len - 8, 8);
		/* NUL-terminated whatever the record holds: names are read as strings */
		r->body = xmalloc(r->len + 1);
		memcpy(r->body, body, r->len);
		r->body[r->len] = '\0';
		break;
	default:
		break;
	}
}

static int by_time(const void *a, const void *b)
{
	const struct sideband *x = a, *y = b;

	if (x->time != y->time)
		return x->time < y->time ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static const struct {
	const char *name;
	uint32_t type;
	uint64_t config;
} events[] = {
	{ "cpu-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_CPU_CLOCK },
	{ "task-clock", PERF_TYPE_SOFTWARE, PERF_COUNT_SW_TASK_CLOCK },
	{ "cycles", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CPU_CYCLES },
	{ "instructions", PERF_TYPE_HARDWARE, PERF_COUNT_HW_INSTRUCTIONS },
	{ "cache-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_CACHE_MISSES },
	{ "branch-misses", PERF_TYPE_HARDWARE, PERF_COUNT_HW_BRANCH_MISSES },
};

/* Opens a group on task tid (and what it creates from now on); 0 or a negative errno. */
static int open_task(struct stacks *st, pid_t tid)
{
	int ret;

	XGROW(st->g, st->capg, st->ng + 1);
	ret = perf_group_open(&st->g[st->ng], tid, &st->attr, 64);
	if (ret == 0) {
		st->ng++;
		pidset_add(&st->covered, tid);
	}
	return ret;
}

/*
 * Opens a group on each thread of process pid that is not sampled yet: the
 * threads it already has are not inherited from anything. Returns how many
 * were opened, or the negative errno of the first failure (a thread that just
 * ended is none).
 */
static int open_threads(struct stacks *st, pid_t pid)
{
	char path[64];
	struct dirent **list = NULL;
	int n, opened = 0, ret = 0;

	snprintf(path, sizeof(path), "/proc/%d/task", (int)pid);
	n = scandir(path, &list, NULL, NULL);
	if (n < 0)
		return errno == ENOENT ? -ESRCH : -errno;
	for (int i = 0; i < n; i++) {
		pid_t tid = (pid_t)atoi(list[i]->d_name);

		if (tid > 0 && ret == 0 && !pidset_has(&st->covered, tid)) {
			int r = open_task(st, tid);

			if (r == 0)
				opened++;
			else if (r != -ESRCH)
				ret = r;
		}
		free(list[i]);
	}
	free(list);
	return ret < 0 ? ret : opened;
}

/* The process itself (not running yet: one group covers all it will create), or each of its
 * threads; 0 or a negative errno. */
static int open_groups(struct stacks *st, bool running)
{
	int ret;

	if (!running)
		return open_task(st, st->pid);
	ret = open_threads(st, st->pid);
	return ret < 0 ? ret : ret == 0 ? -ESRCH : 0;
}

static void close_groups(struct stacks *st)
{
	for (size_t i = 0; i < st->ng; i++)
		perf_group_close(st->g[i]);
	free(st->g);
	st->g = NULL;
	st->ng = st->capg = 0;
	pidset_release(&st->covered);
}

/* kernel.perf_event_paranoid, or -1 when it cannot be read. */
static int read_paranoid(void)
{
	FILE *f = fopen("/proc/sys/kernel/perf_event_paranoid", "re");
	int v = -1;

	if (f) {
		if (fscanf(f, "%d", &v) != 1)
			v = -1;
		fclose(f);
	}
	return v;
}

/* Names pid after its /proc/PID/comm ("?" when it cannot be read). */
static void read_comm(struct stacks *st, pid_t pid)
{
	char path[64], name[32] = "";
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/comm", (int)pid);
	f = fopen(path, "re");
	if (f) {
		if (fgets(name, sizeof(name), f))
			name[strcspn(name, "\n")] = 0;
		fclose(f);
	}
	set_comm(st, pid, name[0] ? name : "?");
}

int stacks_open(struct stacks **out, const struct stacks_opts *o, char *note, size_t notelen)
{
	struct stacks *st = xcalloc(1, sizeof(*st));
	struct perf_event_attr *attr = &st->attr;
	size_t e = 0;
	int ret;

	if (note && notelen)
		note[0] = '\0';
	if (o->event) {
		for (e = 0; e < sizeof(events) / sizeof(events[0]); e++)
			if (!strcmp(events[e].name, o->event))
				break;
		if (e == sizeof(events) / sizeof(events[0])) {
			free(st);
			return -EINVAL;
		}
	}
	st->pid = o->pid;
	st->children = o->children;
	attr->type = events[e].type;
	attr->config = events[e].config;
	attr->freq = 1;
	attr->sample_freq = o->freq_hz;
	attr->sample_type =
		PERF_SAMPLE_IP | PERF_SAMPLE_TID | PERF_SAMPLE_TIME | PERF_SAMPLE_CALLCHAIN;
	attr->mmap = 1;
	attr->mmap2 = 1;
	attr->comm = 1;
	attr->task = 1;
	attr->sample_id_all = 1; /* side-band records carry their time: see stacks_drain */
	ret = open_groups(st, o->running);
	st->event = events[e].name;
	if (ret < 0 && attr->type == PERF_TYPE_HARDWARE &&
	    (ret == -ENOENT || ret == -EOPNOTSUPP || ret == -ENODEV)) {
		/* no PMU here (a VM): say so once and sample the CPU clock instead */
		if (note)
			snprintf(note, notelen,
				 "hardware event '%s' unavailable here (%s); sampled cpu-clock "
				 "instead",
				 events[e].name, strerror(-ret));
		close_groups(st);
		attr->type = PERF_TYPE_SOFTWARE;
		attr->config = PERF_COUNT_SW_CPU_CLOCK;
		st->event = "cpu-clock";
		ret = open_groups(st, o->running);
	}
	if (ret == -EACCES || ret == -EPERM) {
		/*
		 * perf_event_paranoid 2 (the default) lets an ordinary user sample
		 * their own processes in user space only, as `perf record` then
		 * does (":u"): kernel frames are left out, and the note says so.
		 */
		size_t used = note ? strlen(note) : 0;

		close_groups(st);
		attr->exclude_kernel = 1;
		attr->exclude_hv = 1;
		attr->exclude_callchain_kernel = 1;
		ret = open_groups(st, o->running);
		if (ret == 0 && note && notelen > used + 2)
			snprintf(note + used, notelen - used,
				 "%skernel frames not sampled (perf_event_paranoid %d: user space "
				 "only)",
				 used ? "; " : "", read_paranoid());
	}
	if (ret < 0) {
		close_groups(st);
		free(st);
		return ret;
	}
	read_comm(st, o->pid);
	*out = st;
	return 0;
}

int stacks_follow(struct stacks *st, pid_t pid)
{
	int ret;

	if (pidset_has(&st->covered, pid))
		return 0;
	ret = open_threads(st, pid);
	if (ret > 0)
		read_comm(st, pid);
	return ret < 0 ? ret : ret > 0;
}

const char *stacks_event(const struct stacks *st)
{
	return st->event;
}

void stacks_on_mmap(struct stacks *st, stacks_mmap_fn fn, void *ctx)
{
	st->on_mmap = fn;
	st->mmap_ctx = ctx;
}

void stacks_on_fork(struct stacks *st, stacks_fork_fn fn, void *ctx)
{
	st->on_fork = fn;
	st->fork_ctx = ctx;
}

void stacks_free(struct stacks *st)
{
	if (!st)
		return;
	close_groups(st);
	for (size_t i = 0; i < st->cap; i++)
		free(st->c[i].ips);
	free(st->c);
	free(st->comms);
	free(st->side);
	pidset_release(&st->covered);
	free(st);
}

/*
 * Each CPU has its ring, read one after the other: a child's FORK may sit in
 * one and its parent's MMAP2 from before the fork in the next. Samples are
 * named only at the end and can be counted as they come; the side-band
 * records are applied in time order once every ring is read (what was
 * written before the FORK is in the rings by then).
 */
void stacks_drain(struct stacks *st)
{
	for (size_t i = 0; i < st->ng; i++)
		perf_group_drain(st->g[i], on_record, st);
	if (st->nside > 1)
		qsort(st->side, st->nside, sizeof(*st->side), by_time);
	for (size_t i = 0; i < st->nside; i++) {
		apply_sideband(st, &st->side[i]);
		free(st->side[i].body);
	}
	st->nside = 0;
}

struct stacks_stats stacks_get_stats(const struct stacks *st)
{
	return (struct stacks_stats){ st->samples, st->lost, st->n };
}

struct named {
	char *stack;
	uint64_t count;
};

static int by_stack(const void *a, const void *b)
{
	return strcmp(((const struct named *)a)->stack, ((const struct named *)b)->stack);
}

static int by_count(const void *a, const void *b)
{
	const struct named *x = a, *y = b;

	if (x->count != y->count)
		return x->count < y->count ? 1 : -1;
	return strcmp(x->stack, y->stack);
}

/* The address frame k of c is named by: callers' frames are return addresses, the call is before.
 */
static uint64_t frame_ip(const struct chain *c, uint32_t k)
{
	return k ? c->ips[k] - 1 : c->ips[k];
}

/* Names frame k of c into buf, as a folded frame (';' separates frames there). */
static void name_frame(const struct chain *c, uint32_t k, stacks_name_fn name, void *ctx, char *buf,
		       size_t len)
{
	name(ctx, c->pid, frame_ip(c, k), c->ips[k] >= KERNEL_START, buf, len);
	for (char *q = buf; *q; q++)
		if (*q == ';' || *q == '\n')
			*q = ':';
}

/* Every distinct chain named root-first, merged where names coincide; count desc. */
static size_t name_all(struct stacks *st, stacks_name_fn name, void *ctx, struct named **out)
{
	struct named *v = xcalloc(st->n + 1, sizeof(*v));
	size_t n = 0, m = 0;
	struct strbuf sb = STRBUF_INIT;

	for (size_t i = 0; i < st->cap; i++) {
		const struct chain *c = &st->c[i];

		if (!c->hash)
			continue;
		strbuf_reset(&sb);
		strbuf_adds(&sb, comm_of(st, c->pid));
		for (uint32_t k = c->nr; k-- > 0;) {
			char buf[512];

			name_frame(c, k, name, ctx, buf, sizeof(buf));
			strbuf_addc(&sb, ';');
			strbuf_adds(&sb, buf);
		}
		v[n].stack = xstrdup(strbuf_str(&sb));
		v[n].count = c->count;
		n++;
	}
	strbuf_release(&sb);
	if (n)
		qsort(v, n, sizeof(*v), by_stack);
	for (size_t i = 0; i < n; i++) {
		if (m && !strcmp(v[m - 1].stack, v[i].stack)) {
			v[m - 1].count += v[i].count;
			free(v[i].stack);
			continue;
		}
		v[m++] = v[i];
	}
	if (m)
		qsort(v, m, sizeof(*v), by_count);
	*out = v;
	return m;
}

size_t stacks_lines(struct stacks *st, stacks_name_fn name, void *ctx, struct stacks_line **out)
{
	struct named *v;
	size_t n = name_all(st, name, ctx, &v);

	/* struct named and struct stacks_line are the same pair */
	*out = xcalloc(n + 1, sizeof(**out));
	for (size_t i = 0; i < n; i++)
		(*out)[i] = (struct stacks_line){ v[i].stack, v[i].count };
	free(v);
	return n;
}

void stacks_fold(struct stacks *st, stacks_name_fn name, void *ctx, struct strbuf *out)
{
	struct named *v;
	size_t n = name_all(st, name, ctx, &v);

	for (size_t i = 0; i < n; i++) {
		strbuf_addf(out, "%s %llu\n", v[i].stack, (unsigned long long)v[i].count);
		free(v[i].stack);
	}
	free(v);
}

static int top_by_name(const void *a, const void *b)
{
	return strcmp(((const struct stacks_top *)a)->function,
		      ((const struct stacks_top *)b)->function);
}

static bool sort_self;

static int top_by_count(const void *a, const void *b)
{
	const struct stacks_top *x = a, *y = b;
	uint64_t vx = sort_self ? x->self : x->total, vy = sort_self ? y->self : y->total;

	if (vx != vy)
		return vx < vy ? 1 : -1;
	return strcmp(x->function, y->function);
}

size_t stacks_top(struct stacks *st, stacks_name_fn name, void *ctx, bool by_self, size_t n,
		  struct stacks_top **out)
{
	struct named *v;
	size_t nv = name_all(st, name, ctx, &v), nt = 0, cap = 0, m = 0;
	struct stacks_top *t = NULL;

	for (size_t i = 0; i < nv; i++) {
		/* frames after the root (comm); each distinct name once for total */
		char *frames = strchr(v[i].stack, ';');
		char *save = NULL, *leaf = NULL;
		size_t first = nt;

		for (char *f = frames ? strtok_r(frames + 1, ";", &save) : NULL; f;
		     f = strtok_r(NULL, ";", &save)) {
			bool seen = false;

			for (size_t k = first; k < nt; k++)
				if (!strcmp(t[k].function, f))
					seen = true;
			if (!seen) {
				XGROW(t, cap, nt + 1);
				t[nt++] = (struct stacks_top){ .function = xstrdup(f),
							       .total = v[i].count };
			}
			leaf = f;
		}
		if (leaf) {
			for (size_t k = first; k < nt; k++)
				if (!strcmp(t[k].function, leaf))
					t[k].self = v[i].count;
		}
		free(v[i].stack);
	}
	free(v);
	if (nt)
		qsort(t, nt, sizeof(*t), top_by_name);
	for (size_t i = 0; i < nt; i++) {
		if (m && !strcmp(t[m - 1].function, t[i].function)) {
			t[m - 1].self += t[i].self;
			t[m - 1].total += t[i].total;
			free(t[i].function);
			continue;
		}
		t[m++] = t[i];
	}
	sort_self = by_self;
	if (m)
		qsort(t, m, sizeof(*t), top_by_count);
	while (by_self && m > 0 && t[m - 1].self == 0)
		free(t[--m].function); /* never the leaf: no row in the self view */
	for (size_t i = n; i < m; i++)
		free(t[i].function);
	*out = t;
	return m < n ? m : n;
}

/* One source line of a top function, with the samples that were there. */
struct where_line {
	const char *file;
	int line;
	uint64_t self, total;
};

/* Adds count samples at file:line to the n lines of *v (self: the function was the leaf). */
static void where_add(struct where_line **v, size_t *n, size_t *cap, const char *file, int line,
		      uint64_t count, bool self)
{
	size_t i;

	for (i = 0; i < *n; i++)
		if ((*v)[i].line == line && !strcmp((*v)[i].file, file))
			break;
	if (i == *n) {
		XGROW(*v, *cap, *n + 1);
		(*v)[(*n)++] = (struct where_line){ file, line, 0, 0 };
	}
	(*v)[i].total += count;
	if (self)
		(*v)[i].self += count;
}

void stacks_top_where(struct stacks *st, stacks_name_fn name, stacks_where_fn where, void *ctx,
		      struct stacks_top *top, size_t n)
{
	struct where_line **lines = xcalloc(n + 1, sizeof(*lines));
	size_t *nl = xcalloc(n + 1, sizeof(*nl)), *cap = xcalloc(n + 1, sizeof(*cap));

	for (size_t i = 0; i < st->cap; i++) {
		const struct chain *c = &st->c[i];

		for (uint32_t k = 0; c->hash && k < c->nr; k++) {
			const char *file = NULL;
			char buf[512];
			int line = 0;
			size_t t;

			name_frame(c, k, name, ctx, buf, sizeof(buf));
			for (t = 0; t < n && strcmp(top[t].function, buf); t++)
				;
			if (t == n)
				continue;
			where(ctx, c->pid, frame_ip(c, k), c->ips[k] >= KERNEL_START, &file, &line);
			if (file)
				where_add(&lines[t], &nl[t], &cap[t], file, line, c->count, k == 0);
		}
	}
	for (size_t t = 0; t < n; t++) {
		const struct where_line *best = NULL;

		for (size_t j = 0; j < nl[t]; j++) {
			const struct where_line *w = &lines[t][j];

			if (!best || w->self > best->self ||
			    (w->self == best->self && w->total > best->total))
				best = w;
		}
		top[t].file = best ? best->file : NULL;
		top[t].line = best ? best->line : 0;
		free(lines[t]);
	}
	free(lines);
	free(nl);
	free(cap);
}

static void mapping_to_symbolizer(void *ctx, pid_t pid, uint64_t start, uint64_t len,
				  uint64_t pgoff, const char *path)
{
	symbolizer_add_mapping(ctx, pid, start, len, pgoff, path);
}

static void fork_to_symbolizer(void *ctx, pid_t parent, pid_t child)
{
	symbolizer_fork(ctx, parent, child);
}

void stacks_track_mappings(struct stacks *st, struct symbolizer *sym)
{
	stacks_on_mmap(st, mapping_to_symbolizer, sym);
	stacks_on_fork(st, fork_to_symbolizer, sym);
}

void stacks_prefetch_kernel(struct stacks *st, void *sym)
{
	uint64_t *ips = NULL;
	size_t n = 0, cap = 0;

	for (size_t i = 0; i < st->cap; i++) {
		const struct chain *c = &st->c[i];

		for (uint32_t k = 0; c->hash && k < c->nr; k++) {
			if (c->ips[k] < KERNEL_START)
				continue;
			XGROW(ips, cap, n + 1);
			ips[n++] = frame_ip(c, k); /* as name_all asks */
		}
	}
	symbolizer_prefetch_kernel(sym, ips, n);
	free(ips);
}

void stacks_symbol_where(void *sym, pid_t pid, uint64_t ip, bool kernel, const char **file,
			 int *line)
{
	struct sym sy;

	(void)kernel;
	*file = NULL;
	*line = 0;
	if (symbolizer_lookup(sym, pid, ip, &sy) == 0 && sy.file) {
		*file = sy.file;
		*line = sy.line;
	}
}

static void symbol_name(void *sym, pid_t pid, uint64_t ip, bool kernel, bool by_module, char *buf,
			size_t len)
{
	struct sym sy;

	if (symbolizer_lookup(sym, pid, ip, &sy) < 0)
		snprintf(buf, len, "[unknown]");
	else if (by_module && sy.source == SYM_SRC_MODULE)
		snprintf(buf, len, "[%s]", sy.module);
	else
		snprintf(buf, len, "%s%s", sy.function, kernel ? "_[k]" : "");
}

void stacks_symbol_name(void *sym, pid_t pid, uint64_t ip, bool kernel, char *buf, size_t len)
{
	symbol_name(sym, pid, ip, kernel, false, buf, len);
}

void stacks_symbol_module_name(void *sym, pid_t pid, uint64_t ip, bool kernel, char *buf,
			       size_t len)
{
	symbol_name(sym, pid, ip, kernel, true, buf, len);
}
