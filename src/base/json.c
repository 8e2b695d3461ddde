/* json.c - streaming JSON writer. */
#include "base/json.h"

#include <assert.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <string.h>

void json_init(struct json_writer *w, struct strbuf *sb, bool pretty)
{
	memset(w, 0, sizeof(*w));
	w->sb = sb;
	w->pretty = pretty;
	w->first[0] = true;
}

void json_init_fragment(struct json_writer *w, struct strbuf *sb, bool pretty, int depth)
{
	json_init(w, sb, pretty);
	assert(depth >= 0 && depth + 1 < JSON_MAX_DEPTH);
	w->depth = depth;
	w->after_key = true; /* the fragment's value: no separator before it */
}

static void newline(struct json_writer *w)
{
	if (!w->pretty)
		return;
	strbuf_addc(w->sb, '\n');
	for (int i = 0; i < w->depth; i++)
		strbuf_add(w->sb, "  ", 2);
}

/* Separator and indentation before a value (or a key) at the current depth. */
static void before_value(struct json_writer *w)
{
	if (w->after_key) {
		w->after_key = false;
		return;
	}
	if (w->depth > 0) {
		if (!w->first[w->depth])
			strbuf_addc(w->sb, ',');
		newline(w);
	}
	w->first[w->depth] = false;
}

void json_raw(struct json_writer *w, const char *text, size_t n)
{
	before_value(w);
	strbuf_add(w->sb, text, n);
}

static void open_(struct json_writer *w, char c)
{
	before_value(w);
	strbuf_addc(w->sb, c);
	assert(w->depth + 1 < JSON_MAX_DEPTH);
	w->depth++;
	w->first[w->depth] = true;
}

static void close_(struct json_writer *w, char c)
{
	bool empty = w->first[w->depth];

	assert(w->depth > 0);
	w->depth--;
	if (!empty)
		newline(w);
	strbuf_addc(w->sb, c);
}

void json_obj_begin(struct json_writer *w)
{
	open_(w, '{');
}

void json_obj_end(struct json_writer *w)
{
	close_(w, '}');
}

void json_arr_begin(struct json_writer *w)
{
	open_(w, '[');
}

void json_arr_end(struct json_writer *w)
{
	close_(w, ']');
}

void json_key(struct json_writer *w, const char *key)
{
	before_value(w);
	json_quote(w->sb, key, strlen(key));
	strbuf_add(w->sb, w->pretty ? ": " : ":", w->pretty ? 2 : 1);
	w->after_key = true;
}

/* Length of the valid UTF-8 sequence at s (at most n bytes), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	size_t len;
	uint32_t cp;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		len = 2;
		cp = s[0] & 0x1f;
	} else if (s[0] >= 0xe0 && s[0] <= 0xef) {
		len = 3;
		cp = s[0] & 0x0f;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		len = 4;
		cp = s[0] & 0x07;
	} else {
		return 0;
	}
	if (len > n)
		return 0;
	for (size_t i = 1; i < len; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = (cp << 6) | (s[i] & 0x3f);
	}
	if ((len == 3 && (cp < 0x800 || (cp >= 0xd800 && cp <= 0xdfff))) ||
	    (len == 4 && (cp < 0x10000 || cp > 0x10ffff)))
		return 0;
	return len;
}

void json_quote(struct strbuf *sb, const char *s, size_t n)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t i = 0;

	strbuf_addc(sb, '"');
	while (i < n) {
		unsigned char c = p[i];
		size_t run = i;

		/* copy the longest run of bytes that need no escaping in one go */
		while (run < n && p[run] >= 0x20 && p[run] < 0x80 && p[run] != '"' &&
		       p[run] != '\\')
			run++;
		if (run > i) {
			strbuf_add(sb, p + i, run - i);
			i = run;
			continue;
		}
		if (c == '"' || c == '\\') {
			strbuf_addc(sb, '\\');
			strbuf_addc(sb, (char)c);
			i++;
		} else if (c < 0x20) {
			static const char short_esc[] = "btn\0fr";

			if (c >= '\b' && c <= '\r' && c != 0x0b)
				strbuf_addf(sb, "\\%c", short_esc[c - '\b']);
			else
				strbuf_addf(sb, "\\u%04x", c);
			i++;
		} else {
			size_t l = utf8_len(p + i, n - i);

			if (l) {
				strbuf_add(sb, p + i, l);
				i += l;
			} else {
				strbuf_adds(sb, "\\ufffd");
				i++;
			}
		}
	}
	strbuf_addc(sb, '"');
}

void json_str(struct json_writer *w, const char *s)
{
	json_strn(w, s, strlen(s));
}

void json_strn(struct json_writer *w, const char *s, size_t n)
{
	before_value(w);
	json_quote(w->sb, s, n);
}

void json_int(struct json_writer *w, int64_t v)
{
	before_value(w);
	strbuf_addf(w->sb, "%" PRId64, v);
}

void json_uint(struct json_writer *w, uint64_t v)
{
	before_value(w);
	strbuf_addf(w->sb, "%" PRIu64, v);
}

void json_double(struct json_writer *w, double v, int decimals)
{
	char buf[64];
	int n;

	before_value(w);
	if (!isfinite(v)) {
		strbuf_adds(w->sb, "null");
		return;
	}
	n = snprintf(buf, sizeof(buf), "%.*f", decimals, v);
	/* trim trailing zeros of the fraction so 12.50 reads 12.5 and 3.00 reads 3 */
	if (decimals > 0 && memchr(buf, '.', (size_t)n)) {
		while (n > 0 && buf[n - 1] == '0')
			n--;
		if (n > 0 && buf[n - 1] == '.')
			n--;
	}
	if (n == 2 && buf[0] == '-' && buf[1] == '0')
		strbuf_addc(w->sb, '0');
	else
		strbuf_add(w->sb, buf, (size_t)n);
}

void json_bool(struct json_writer *w, bool v)
{
	before_value(w);
	strbuf_adds(w->sb, v ? "true" : "false");
}

void json_null(struct json_writer *w)
{
	before_value(w);
	strbuf_adds(w->sb, "null");
}

void json_kv_str(struct json_writer *w, const char *k, const char *v)
{
	json_key(w, k);
	json_str(w, v);
}

void json_kv_int(struct json_writer *w, const char *k, int64_t v)
{
	json_key(w, k);
	json_int(w, v);
}

void json_kv_uint(struct json_writer *w, const char *k, uint64_t v)
{
	json_key(w, k);
	json_uint(w, v);
}

void json_kv_double(struct json_writer *w, const char *k, double v, int decimals)
{
	json_key(w, k);
	json_double(w, v, decimals);
}

void json_kv_bool(struct json_writer *w, const char *k, bool v)
{
	json_key(w, k);
	json_bool(w, v);
}
