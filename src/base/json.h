/* json.h - a streaming JSON writer into a strbuf (always valid UTF-8 output). */
#ifndef SPIKETRACE_BASE_JSON_H
#define SPIKETRACE_BASE_JSON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "base/strbuf.h"

#define JSON_MAX_DEPTH 32

/*
 * Writer state. The writer appends to sb (borrowed, not owned). With pretty,
 * objects and arrays are indented two spaces a level; otherwise output is
 * compact. Keys and values are checked for order only by assertions.
 */
struct json_writer {
	struct strbuf *sb;
	bool pretty;
	int depth;
	bool first[JSON_MAX_DEPTH]; /* no element written yet at this depth */
	bool after_key;		    /* a key was written, the value comes next */
};

void json_init(struct json_writer *w, struct strbuf *sb, bool pretty);
/*
 * Starts w for a fragment: one value that json_raw will later place where
 * depth levels are open, indented as if it had been written there.
 */
void json_init_fragment(struct json_writer *w, struct strbuf *sb, bool pretty, int depth);
/* Writes a value given as JSON text (a fragment from json_init_fragment, or any valid JSON). */
void json_raw(struct json_writer *w, const char *text, size_t n);

void json_obj_begin(struct json_writer *w);
void json_obj_end(struct json_writer *w);
void json_arr_begin(struct json_writer *w);
void json_arr_end(struct json_writer *w);
void json_key(struct json_writer *w, const char *key);

/* Strings: bytes that are not valid UTF-8 are written as U+FFFD. */
void json_str(struct json_writer *w, const char *s);
void json_strn(struct json_writer *w, const char *s, size_t n);
void json_int(struct json_writer *w, int64_t v);
void json_uint(struct json_writer *w, uint64_t v);
/* Writes v with at most `decimals` fractional digits; NaN and infinities become null. */
void json_double(struct json_writer *w, double v, int decimals);
void json_bool(struct json_writer *w, bool v);
void json_null(struct json_writer *w);

/* key + value shorthands */
void json_kv_str(struct json_writer *w, const char *k, const char *v);
void json_kv_int(struct json_writer *w, const char *k, int64_t v);
void json_kv_uint(struct json_writer *w, const char *k, uint64_t v);
void json_kv_double(struct json_writer *w, const char *k, double v, int decimals);
void json_kv_bool(struct json_writer *w, const char *k, bool v);

/* Appends s as a quoted, escaped JSON string to sb (used by the writer, also standalone). */
void json_quote(struct strbuf *sb, const char *s, size_t n);

#endif
