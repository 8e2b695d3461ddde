/* rcstr.c - reference-counted immutable strings. */
#include "base/rcstr.h"

#include <stdlib.h>
#include <string.h>

#include "base/xalloc.h"

struct rcstr *rcstr_new(const char *s, size_t n)
{
	struct rcstr *r = xmalloc(sizeof(*r) + n + 1);

	r->refs = 1;
	r->len = n;
	memcpy(r->s, s, n);
	r->s[n] = '\0';
	return r;
}

struct rcstr *rcstr_ref(struct rcstr *r)
{
	if (r)
		r->refs++;
	return r;
}

void rcstr_unref(struct rcstr *r)
{
	if (r && --r->refs == 0)
		free(r);
}
