/* pidmap.c - pid -> array position index (linear probing, sized at twice the element count). */
#include "base/pidmap.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

static size_t hash_pid(int pid, size_t nslots)
{
	return ((uint32_t)pid * 2654435761u) & (nslots - 1);
}

static int pid_at(const struct pidmap *m, const void *base, size_t i)
{
	int pid;

	memcpy(&pid, (const char *)base + i * m->stride + m->pid_off, sizeof(pid));
	return pid;
}

void pidmap_rebuild(struct pidmap *m, const void *base, size_t n, size_t stride, size_t pid_off)
{
	size_t want = 64;

	while (want < n * 2)
		want *= 2;
	if (want != m->nslots) {
		free(m->slots);
		m->slots = xmalloc(want * sizeof(*m->slots));
		m->nslots = want;
	}
	memset(m->slots, 0xff, m->nslots * sizeof(*m->slots));
	m->stride = stride;
	m->pid_off = pid_off;
	for (size_t i = 0; i < n; i++) {
		size_t h = hash_pid(pid_at(m, base, i), m->nslots);

		while (m->slots[h] >= 0)
			h = (h + 1) & (m->nslots - 1);
		m->slots[h] = (int)i;
	}
}

long pidmap_find(const struct pidmap *m, const void *base, int pid)
{
	if (!m->nslots)
		return -1;
	for (size_t h = hash_pid(pid, m->nslots);; h = (h + 1) & (m->nslots - 1)) {
		int idx = m->slots[h];

		if (idx < 0)
			return -1;
		if (pid_at(m, base, (size_t)idx) == pid)
			return idx;
	}
}

void pidmap_release(struct pidmap *m)
{
	free(m->slots);
	memset(m, 0, sizeof(*m));
}
