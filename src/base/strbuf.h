/* strbuf.h - a growable, always NUL-terminated byte buffer. */
#ifndef SPIKETRACE_BASE_STRBUF_H
#define SPIKETRACE_BASE_STRBUF_H

#include <stddef.h>

struct strbuf {
	char *buf;  /* NUL-terminated once anything was added; NULL after init */
	size_t len; /* bytes, not counting the NUL */
	size_t cap;
};

#define STRBUF_INIT                                                                                \
	{                                                                                          \
		NULL, 0, 0                                                                         \
	}

void strbuf_init(struct strbuf *sb);
void strbuf_release(struct strbuf *sb); /* frees, back to the init state */
void strbuf_reset(struct strbuf *sb);	/* empties, keeps the memory */
void strbuf_add(struct strbuf *sb, const void *data, size_t n);
void strbuf_adds(struct strbuf *sb, const char *s);
void strbuf_addc(struct strbuf *sb, char c);
void strbuf_addf(struct strbuf *sb, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The contents as a C string ("" when empty); valid until the next change. */
const char *strbuf_str(const struct strbuf *sb);

#endif
