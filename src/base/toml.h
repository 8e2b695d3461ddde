/* toml.h - a small TOML reader for configuration files (the subset spiketrace's config uses). */
#ifndef SPIKETRACE_BASE_TOML_H
#define SPIKETRACE_BASE_TOML_H

#include <stdbool.h>
#include <stddef.h>

enum toml_type {
	TOML_STRING,
	TOML_INT,
	TOML_FLOAT,
	TOML_BOOL,
	TOML_ARRAY,
};

/* One value. Arrays hold scalar items (no nested arrays, no inline tables). */
struct toml_value {
	enum toml_type type;
	char *str;		  /* TOML_STRING: NUL-terminated, escapes resolved */
	long long i;		  /* TOML_INT */
	double f;		  /* TOML_FLOAT (also set for TOML_INT, converted) */
	bool b;			  /* TOML_BOOL */
	struct toml_value *items; /* TOML_ARRAY: nitems scalar values */
	size_t nitems;
};

/* One `key = value` line, with the table it sits in and where it was written. */
struct toml_kv {
	char *table; /* "" before any [header]; "a.b" for [a.b] */
	char *key;   /* bare or quoted key, unquoted */
	struct toml_value val;
	int line; /* 1-based line of the key */
};

struct toml_doc {
	struct toml_kv *kv; /* in file order */
	size_t n;
	char **tables; /* every [table] header seen, in file order */
	size_t ntables;
	int *table_lines; /* 1-based line of each header */
};

/*
 * Parses len bytes of TOML text into doc (which the caller then releases with
 * toml_doc_release, also on error). Supported: comments, [table] and [a.b]
 * headers, bare and quoted keys, basic and literal strings (one line),
 * integers (decimal, 0x/0o/0b, `_` separators, sign), floats (incl. exponent,
 * inf, nan), booleans, one-level arrays of scalars (may span lines).
 * Returns 0, or -EINVAL with a message (no file name, no line) in err and the
 * 1-based offending line in *err_line. A duplicate key or table is an error.
 */
int toml_parse(const char *text, size_t len, struct toml_doc *doc, char *err, size_t errlen,
	       int *err_line);

/* Frees everything doc owns and zeroes it; safe on a zeroed or partially filled doc. */
void toml_doc_release(struct toml_doc *doc);

/* Name of a type for messages: "string", "integer", "float", "boolean", "array". */
const char *toml_type_name(enum toml_type t);

#endif
