/* perf.c - per-CPU perf_event_open sampling rings for a task tree. */
#include "sys/perf.h"

#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "base/xalloc.h"

struct ring {
	int fd;
	struct perf_event_mmap_page *meta;
	char *data;
	size_t size; /* bytes of the data area */
	char *scratch; /* a record that wraps around the end is copied here */
};

struct perf_group {
	struct ring *r;
	int n;
	size_t map_len;
};

static long perf_open(struct perf_event_attr *attr, pid_t pid, int cpu)
{
	return syscall(SYS_perf_event_open, attr, pid, cpu, -1, PERF_FLAG_FD_CLOEXEC);
}

int perf_group_open(struct perf_group **out, pid_t pid, struct perf_event_attr *attr,
		    size_t ring_pages)
{
	long ncpu = sysconf(_SC_NPROCESSORS_CONF), page = sysconf(_SC_PAGESIZE);
	struct perf_group *g = xcalloc(1, sizeof(*g));
	int ret = 0;

	*out = NULL;
	attr->size = sizeof(*attr);
	attr->inherit = 1;
	attr->disabled = 0;
	g->map_len = (ring_pages + 1) * (size_t)page;
	g->r = xcalloc((size_t)ncpu, sizeof(*g->r));
	for (int cpu = 0; cpu < ncpu; cpu++) {
		struct ring *r = &g->r[g->n];
		long fd = perf_open(attr, pid, cpu);
		void *m;

		if (fd < 0) {
			if (errno == ENODEV || errno == EINVAL)
				continue; /* an offline CPU */
			ret = -errno;
			break;
		}
		m = mmap(NULL, g->map_len, PROT_READ | PROT_WRITE, MAP_SHARED, (int)fd, 0);
		if (m == MAP_FAILED) {
			ret = -errno;
			close((int)fd);
			break;
		}
		r->fd = (int)fd;
		r->meta = m;
		r->data = (char *)m + page;
		r->size = ring_pages * (size_t)page;
		r->scratch = xmalloc(65536);
		g->n++;
	}
	if (ret < 0 || g->n == 0) {
		perf_group_close(g);
		return ret < 0 ? ret : -ENODEV;
	}
	*out = g;
	return 0;
}

void perf_group_close(struct perf_group *g)
{
	if (!g)
		return;
	for (int i = 0; i < g->n; i++) {
		munmap(g->r[i].meta, g->map_len);
		close(g->r[i].fd);
		free(g->r[i].scratch);
	}
	free(g->r);
	free(g);
}

size_t perf_group_drain(struct perf_group *g, perf_record_cb cb, void *ctx)
{
	size_t count = 0;

	for (int i = 0; i < g->n; i++) {
		struct ring *r = &g->r[i];
		uint64_t head = __atomic_load_n(&r->meta->data_head, __ATOMIC_ACQUIRE);
		uint64_t tail = r->meta->data_tail;

		while (tail < head) {
			const struct perf_event_header *h =
				(const void *)(r->data + (tail % r->size));
			struct perf_event_header hc;
			size_t off = tail % r->size, sz;

			/* the header itself may straddle the end of the ring */
			if (off + sizeof(hc) > r->size) {
				size_t first = r->size - off;

				memcpy(&hc, r->data + off, first);
				memcpy((char *)&hc + first, r->data, sizeof(hc) - first);
				h = &hc;
			}
			sz = h->size;
			if (sz < sizeof(*h) || sz > 65536)
				break; /* corrupt: give up on this ring for now */
			if (off + sz > r->size) {
				size_t first = r->size - off;

				memcpy(r->scratch, r->data + off, first);
				memcpy(r->scratch + first, r->data, sz - first);
				h = (const void *)r->scratch;
			}
			cb(ctx, h, h + 1);
			count++;
			tail += sz;
		}
		__atomic_store_n(&r->meta->data_tail, tail, __ATOMIC_RELEASE);
	}
	return count;
}
