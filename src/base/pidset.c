/* pidset.c - a small unordered set of pids: linear, for the few dozen a tracer follows. */
#include "base/pidset.h"

#include <stdlib.h>

#include "base/xalloc.h"

bool pidset_has(const struct pidset *s, pid_t pid)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == pid)
			return true;
	return false;
}

void pidset_add(struct pidset *s, pid_t pid)
{
	if (pidset_has(s, pid))
		return;
	XGROW(s->v, s->cap, s->n + 1);
	s->v[s->n++] = pid;
}

void pidset_del(struct pidset *s, pid_t pid)
{
	for (size_t i = 0; i < s->n; i++)
		if (s->v[i] == pid) {
			s->v[i] = s->v[--s->n];
			return;
		}
}

void pidset_release(struct pidset *s)
{
	free(s->v);
	s->v = NULL;
	s->n = s->cap = 0;
}
