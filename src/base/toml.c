/* toml.c - a small TOML reader for the one-line subset spiketrace's configuration uses. */
#include "base/toml.h"

#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/strbuf.h"
#include "base/xalloc.h"

/* A key or token quoted in a message is cut after SHOW_MAX bytes; escapes take 4 bytes each. */
#define SHOW_MAX 40
#define SHOW_BUF ((SHOW_MAX + 4) * 4 + 8)

struct parser {
	const char *s; /* input, not NUL-terminated */
	size_t len;
	size_t pos;
	int line; /* 1-based line of s[pos] */
	struct toml_doc *doc;
	size_t kv_cap, tab_cap, tab_line_cap;
	const char *table;     /* current table: "" or an entry of doc->tables */
	size_t table_first_kv; /* a table cannot be reopened, so its keys are doc->kv[this..n) */
	const char *key;       /* key whose value is being parsed, for messages */
	char *err;
	size_t errlen;
	int err_line;
};

__attribute__((format(printf, 3, 4))) static int fail_at(struct parser *ps, int line,
							 const char *fmt, ...)
{
	va_list ap;

	if (ps->err && ps->errlen) {
		va_start(ap, fmt);
		vsnprintf(ps->err, ps->errlen, fmt, ap);
		va_end(ap);
	}
	ps->err_line = line;
	return -1;
}

#define fail(ps, ...) fail_at((ps), (ps)->line, __VA_ARGS__)

static int peek_at(const struct parser *ps, size_t k)
{
	if (k >= ps->len - ps->pos)
		return -1;
	return (unsigned char)ps->s[ps->pos + k];
}

static int peek(const struct parser *ps)
{
	return peek_at(ps, 0);
}

static bool is_control(int c)
{
	return (c >= 0 && c < 0x20 && c != '\t') || c == 0x7f;
}

/*
 * Copies s[0..n) into buf (SHOW_BUF bytes) for a message: control bytes as \xNN, cut on a
 * character boundary after SHOW_MAX bytes with "..." appended. Returns buf.
 */
static const char *show(char *buf, const char *s, size_t n)
{
	size_t i, o = 0;

	for (i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];

		if (i >= SHOW_MAX && (c & 0xc0) != 0x80) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (o + 8 >= SHOW_BUF)
			break;
		if (is_control(c) || c == '\t')
			o += (size_t)snprintf(buf + o, SHOW_BUF - o, "\\x%02x", c);
		else
			buf[o++] = (char)c;
	}
	buf[o] = '\0';
	return buf;
}

static const char *show_str(char *buf, const char *s)
{
	return show(buf, s, strlen(s));
}

/* Length of the valid UTF-8 sequence at s (n bytes available), 0 if invalid. */
static size_t utf8_len(const unsigned char *s, size_t n)
{
	uint32_t cp, min;
	size_t k, i;

	if (s[0] < 0x80)
		return 1;
	if (s[0] >= 0xc2 && s[0] <= 0xdf) {
		k = 2;
		cp = s[0] & 0x1f;
		min = 0x80;
	} else if ((s[0] & 0xf0) == 0xe0) {
		k = 3;
		cp = s[0] & 0x0f;
		min = 0x800;
	} else if (s[0] >= 0xf0 && s[0] <= 0xf4) {
		k = 4;
		cp = s[0] & 0x07;
		min = 0x10000;
	} else {
		return 0;
	}
	if (n < k)
		return 0;
	for (i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	return k;
}

/* What is at pos, for "found ..." messages; may use buf (SHOW_BUF bytes). */
static const char *describe(const struct parser *ps, char *buf)
{
	int c = peek(ps);
	size_t n;

	if (c < 0)
		return "end of input";
	if (c == '\n' || (c == '\r' && peek_at(ps, 1) == '\n'))
		return "end of line";
	if (c == '\r')
		return "carriage return without newline";
	if (is_control(c)) {
		snprintf(buf, SHOW_BUF, "control character 0x%02x", c);
		return buf;
	}
	/* The input was checked to be valid UTF-8, so this is a whole character. */
	n = utf8_len((const unsigned char *)ps->s + ps->pos, ps->len - ps->pos);
	if (!n)
		n = 1;
	buf[0] = '\'';
	memcpy(buf + 1, ps->s + ps->pos, n);
	buf[n + 1] = '\'';
	buf[n + 2] = '\0';
	return buf;
}

static int next_line(int line)
{
	return line < INT_MAX ? line + 1 : line;
}

/* Rejects NUL bytes and invalid UTF-8 anywhere, so later stages can rely on neither. */
static int check_input(struct parser *ps)
{
	const unsigned char *s = (const unsigned char *)ps->s;
	size_t i = ps->pos, k;
	int line = 1;

	while (i < ps->len) {
		if (s[i] == '\0')
			return fail_at(ps, line, "unexpected NUL byte");
		if (s[i] == '\n')
			line = next_line(line);
		k = utf8_len(s + i, ps->len - i);
		if (!k)
			return fail_at(ps, line, "invalid UTF-8");
		i += k;
	}
	return 0;
}

static void skip_ws(struct parser *ps)
{
	while (peek(ps) == ' ' || peek(ps) == '\t')
		ps->pos++;
}

/* Consumes "\n" or "\r\n"; false (consuming nothing) anywhere else. */
static bool eat_newline(struct parser *ps)
{
	size_t k = 0;

	if (peek(ps) == '\n')
		k = 1;
	else if (peek(ps) == '\r' && peek_at(ps, 1) == '\n')
		k = 2;
	if (!k)
		return false;
	ps->pos += k;
	ps->line = next_line(ps->line);
	return true;
}

/* At '#': skips the comment up to, not including, the end of line. */
static int skip_comment(struct parser *ps)
{
	int c;

	if (peek(ps) != '#')
		return 0;
	ps->pos++;
	while ((c = peek(ps)) >= 0 && c != '\n') {
		if (c == '\r' && peek_at(ps, 1) == '\n')
			break;
		if (is_control(c))
			return fail(ps, "control character 0x%02x in comment", c);
		ps->pos++;
	}
	return 0;
}

/* Blanks, comments and newlines, as allowed between array items. */
static int skip_blank(struct parser *ps)
{
	for (;;) {
		skip_ws(ps);
		if (skip_comment(ps))
			return -1;
		if (!eat_newline(ps))
			return 0;
	}
}

/* Ends an item: blanks, an optional comment, then a newline or the end of input. */
static int end_line(struct parser *ps, const char *what)
{
	char b[SHOW_BUF];

	skip_ws(ps);
	if (skip_comment(ps))
		return -1;
	if (peek(ps) < 0 || eat_newline(ps))
		return 0;
	return fail(ps, "unexpected %s %s", describe(ps, b), what);
}

static bool at_line_end(const struct parser *ps)
{
	int c = peek(ps);

	return c < 0 || c == '\n' || (c == '\r' && peek_at(ps, 1) == '\n');
}

static int hex_value(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

static void add_utf8(struct strbuf *sb, uint32_t cp)
{
	char u[4];
	size_t n;

	if (cp < 0x80) {
		u[0] = (char)cp;
		n = 1;
	} else if (cp < 0x800) {
		u[0] = (char)(0xc0 | cp >> 6);
		u[1] = (char)(0x80 | (cp & 0x3f));
		n = 2;
	} else if (cp < 0x10000) {
		u[0] = (char)(0xe0 | cp >> 12);
		u[1] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[2] = (char)(0x80 | (cp & 0x3f));
		n = 3;
	} else {
		u[0] = (char)(0xf0 | cp >> 18);
		u[1] = (char)(0x80 | (cp >> 12 & 0x3f));
		u[2] = (char)(0x80 | (cp >> 6 & 0x3f));
		u[3] = (char)(0x80 | (cp & 0x3f));
		n = 4;
	}
	strbuf_add(sb, u, n);
}

/* At "\u" or "\U": ndigits hex digits naming a Unicode scalar value other than NUL. */
static int parse_unicode_escape(struct parser *ps, struct strbuf *sb, size_t ndigits)
{
	const char *esc = ps->s + ps->pos;
	char b[SHOW_BUF];
	uint32_t cp = 0;
	size_t i, n;
	int h;

	for (i = 0; i < ndigits; i++) {
		h = hex_value(peek_at(ps, 2 + i));
		if (h < 0) {
			/* Show the escape up to where it went wrong, but not past the string. */
			for (n = 2; n < 2 + ndigits; n++) {
				int c = peek_at(ps, n);

				if (c < 0 || c == '"' || c >= 0x80 || is_control(c))
					break;
			}
			return fail(ps, "invalid escape '%s' (expected %zu hex digits)",
				    show(b, esc, n), ndigits);
		}
		cp = cp << 4 | (uint32_t)h;
	}
	n = 2 + ndigits;
	if (cp >= 0xd800 && cp <= 0xdfff)
		return fail(ps, "invalid escape '%s' (surrogate code point)", show(b, esc, n));
	if (cp > 0x10ffff)
		return fail(ps, "invalid escape '%s' (beyond U+10FFFF)", show(b, esc, n));
	if (cp == 0)
		return fail(ps, "unsupported escape '%s' (strings cannot hold NUL)",
			    show(b, esc, n));
	add_utf8(sb, cp);
	ps->pos += n;
	return 0;
}

/* At '\\' inside a basic string. */
static int parse_escape(struct parser *ps, struct strbuf *sb)
{
	static const char from[] = "btnfr\"\\";
	static const char to[] = "\b\t\n\f\r\"\\";
	const char *p;
	char b[SHOW_BUF];
	int c = peek_at(ps, 1);
	size_t n;

	if (c == 'u')
		return parse_unicode_escape(ps, sb, 4);
	if (c == 'U')
		return parse_unicode_escape(ps, sb, 8);
	if (c > 0 && (p = strchr(from, c))) {
		strbuf_addc(sb, to[p - from]);
		ps->pos += 2;
		return 0;
	}
	ps->pos++;
	if (at_line_end(ps))
		return fail(ps, "unterminated string");
	/* Input is valid UTF-8: show the backslash and the whole character after it. */
	n = utf8_len((const unsigned char *)ps->s + ps->pos, ps->len - ps->pos);
	return fail(ps, "invalid escape '%s' in string", show(b, ps->s + ps->pos - 1, n + 1));
}

/* At '"' of a one-line basic string. */
static int parse_basic_string(struct parser *ps, struct strbuf *sb)
{
	int c;

	ps->pos++;
	for (;;) {
		c = peek(ps);
		if (at_line_end(ps))
			return fail(ps, "unterminated string");
		if (c == '"') {
			ps->pos++;
			return 0;
		}
		if (c == '\\') {
			if (parse_escape(ps, sb))
				return -1;
			continue;
		}
		if (is_control(c))
			return fail(ps, "control character 0x%02x in string", c);
		strbuf_addc(sb, (char)c);
		ps->pos++;
	}
}

/* At '\'' of a one-line literal string: no escapes. */
static int parse_literal_string(struct parser *ps, struct strbuf *sb)
{
	size_t start = ++ps->pos;
	int c;

	for (;;) {
		c = peek(ps);
		if (at_line_end(ps))
			return fail(ps, "unterminated string");
		if (c == '\'')
			break;
		if (is_control(c))
			return fail(ps, "control character 0x%02x in string", c);
		ps->pos++;
	}
	strbuf_add(sb, ps->s + start, ps->pos - start);
	ps->pos++;
	return 0;
}

/* At a quote: a basic or literal string into *out (allocated, only on success). */
static int parse_string(struct parser *ps, char **out)
{
	struct strbuf sb = STRBUF_INIT;
	int q = peek(ps), rc;

	if (peek_at(ps, 1) == q && peek_at(ps, 2) == q)
		return fail(ps, "unsupported multi-line string (use a one-line string)");
	rc = q == '"' ? parse_basic_string(ps, &sb) : parse_literal_string(ps, &sb);
	if (rc) {
		strbuf_release(&sb);
		return -1;
	}
	*out = sb.buf ? sb.buf : xstrdup("");
	return 0;
}

static bool is_bare(int c)
{
	return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
	       c == '_' || c == '-';
}

/* A bare or quoted key into *out; 1 (nothing consumed) when there is none at pos. */
static int parse_key(struct parser *ps, char **out)
{
	size_t start = ps->pos;
	int c = peek(ps);

	if (c == '"' || c == '\'')
		return parse_string(ps, out);
	while (is_bare(peek(ps)))
		ps->pos++;
	if (ps->pos == start)
		return 1;
	*out = xstrndup(ps->s + start, ps->pos - start);
	return 0;
}

/*
 * Whether table.key (key alone at top level) names the table name or one above it: then the
 * two conflict, a key cannot also be a table. Table names have no '.' inside a part, so a key
 * holding one (a quoted key) never names a table.
 */
static bool key_names_table(const char *table, const char *key, const char *name)
{
	size_t tl = strlen(table), kl = strlen(key);

	if (strchr(key, '.'))
		return false;
	if (tl) {
		if (strncmp(name, table, tl) || name[tl] != '.')
			return false;
		name += tl + 1;
	}
	return !strncmp(name, key, kl) && (name[kl] == '\0' || name[kl] == '.');
}

/* " in table [x]" or "" at top level, for messages; uses buf (SHOW_BUF + 16 bytes). */
static const char *in_table(char *buf, const char *table)
{
	char b[SHOW_BUF];

	if (!*table)
		return "";
	snprintf(buf, SHOW_BUF + 16, " in table [%s]", show_str(b, table));
	return buf;
}

/* At '[': a [table] or [a.b] header, recorded in doc->tables. */
static int parse_header(struct parser *ps)
{
	struct toml_doc *doc = ps->doc;
	struct strbuf name = STRBUF_INIT;
	char b[SHOW_BUF], nb[SHOW_BUF], tb[SHOW_BUF + 16], what[SHOW_BUF + 32];
	char *part = NULL;
	int line = ps->line, rc = -1, r;
	size_t i;

	ps->pos++;
	if (peek(ps) == '[') {
		fail(ps, "unsupported array of tables [[...]] (use [table] headers)");
		goto out;
	}
	for (;;) {
		skip_ws(ps);
		r = parse_key(ps, &part);
		if (r < 0)
			goto out;
		if (r > 0) {
			fail(ps, "expected table name, found %s", describe(ps, b));
			goto out;
		}
		if (!*part) {
			fail(ps, "unsupported empty table name");
			goto out;
		}
		if (strchr(part, '.')) {
			fail(ps, "unsupported '.' inside quoted table name '%s'",
			     show_str(b, part));
			goto out;
		}
		if (name.len)
			strbuf_addc(&name, '.');
		strbuf_adds(&name, part);
		free(part);
		part = NULL;
		skip_ws(ps);
		if (peek(ps) == '.') {
			ps->pos++;
			continue;
		}
		if (peek(ps) == ']') {
			ps->pos++;
			break;
		}
		fail(ps, "expected ']' after table name '%s', found %s", show_str(nb, name.buf),
		     describe(ps, b));
		goto out;
	}

	for (i = 0; i < doc->ntables; i++) {
		if (!strcmp(doc->tables[i], name.buf)) {
			fail_at(ps, line, "duplicate table [%s] (first on line %d)",
				show_str(nb, name.buf), doc->table_lines[i]);
			goto out;
		}
	}
	for (i = 0; i < doc->n; i++) {
		const struct toml_kv *kv = &doc->kv[i];

		if (key_names_table(kv->table, kv->key, name.buf)) {
			fail_at(ps, line, "table [%s] conflicts with key '%s'%s on line %d",
				show_str(nb, name.buf), show_str(b, kv->key),
				in_table(tb, kv->table), kv->line);
			goto out;
		}
	}

	XGROW(doc->tables, ps->tab_cap, doc->ntables + 1);
	XGROW(doc->table_lines, ps->tab_line_cap, doc->ntables + 1);
	doc->tables[doc->ntables] = name.buf;
	doc->table_lines[doc->ntables] = line;
	ps->table = doc->tables[doc->ntables++];
	ps->table_first_kv = doc->n;
	strbuf_init(&name); /* now owned by doc */

	snprintf(what, sizeof(what), "after table header [%s]", show_str(nb, ps->table));
	rc = end_line(ps, what);
out:
	free(part);
	strbuf_release(&name);
	return rc;
}

static int digit_value(char c)
{
	int h = hex_value((unsigned char)c);

	return h < 0 ? 99 : h;
}

/*
 * Checks that s[0..n) is digits of base with '_' only between digits, and accumulates the value
 * in *val; *range is set when it exceeds limit (the value is then meaningless).
 */
static bool scan_digits(const char *s, size_t n, unsigned int base, unsigned long long limit,
			unsigned long long *val, bool *range)
{
	unsigned long long acc = 0;
	bool prev_digit = false;
	unsigned int d;
	size_t i;

	*range = false;
	for (i = 0; i < n; i++) {
		if (s[i] == '_') {
			if (!prev_digit)
				return false;
			prev_digit = false;
			continue;
		}
		d = (unsigned int)digit_value(s[i]);
		if (d >= base)
			return false;
		if (acc > (limit - d) / base)
			*range = true;
		else
			acc = acc * base + d;
		prev_digit = true;
	}
	*val = acc;
	return prev_digit;
}

static bool valid_digits(const char *s, size_t n)
{
	unsigned long long v;
	bool range;

	return scan_digits(s, n, 10, ULLONG_MAX, &v, &range);
}

static size_t span_digits(const char *s, size_t i, size_t n)
{
	while (i < n && ((s[i] >= '0' && s[i] <= '9') || s[i] == '_'))
		i++;
	return i;
}

/* An integer token: decimal with optional sign, or unsigned 0x/0o/0b. */
static int parse_integer(struct parser *ps, struct toml_value *v, const char *tok, size_t n)
{
	static const struct {
		char c;
		unsigned int base;
	} prefixes[] = { { 'x', 16 }, { 'o', 8 }, { 'b', 2 } };
	unsigned long long u = 0, limit = LLONG_MAX;
	const char *s = tok;
	size_t rn = n, i;
	bool neg = false, range = false, ok;
	char b[SHOW_BUF];

	if (rn && (s[0] == '+' || s[0] == '-')) {
		neg = s[0] == '-';
		s++;
		rn--;
	}
	for (i = 0; i < sizeof(prefixes) / sizeof(prefixes[0]); i++) {
		if (rn >= 2 && s[0] == '0' && s[1] == prefixes[i].c)
			break;
	}
	if (i < sizeof(prefixes) / sizeof(prefixes[0])) {
		ok = s == tok && scan_digits(s + 2, rn - 2, prefixes[i].base, limit, &u, &range);
	} else {
		if (neg)
			limit = (unsigned long long)LLONG_MAX + 1;
		ok = !(rn > 1 && s[0] == '0') && scan_digits(s, rn, 10, limit, &u, &range);
	}
	if (!ok)
		return fail(ps, "invalid integer '%s'", show(b, tok, n));
	if (range)
		return fail(ps, "integer '%s' out of range", show(b, tok, n));
	v->type = TOML_INT;
	if (neg)
		v->i = u > (unsigned long long)LLONG_MAX ? LLONG_MIN : -(long long)u;
	else
		v->i = (long long)u;
	v->f = (double)v->i;
	return 0;
}

/* A float token: sign, integer part, then a fraction, an exponent or both. */
static int parse_float(struct parser *ps, struct toml_value *v, const char *tok, size_t n)
{
	const char *s = tok;
	size_t rn = n, i, j, o;
	bool frac = false, exp = false;
	char b[SHOW_BUF], *clean, *end;
	double d;

	if (rn && (s[0] == '+' || s[0] == '-')) {
		s++;
		rn--;
	}
	i = span_digits(s, 0, rn);
	if (!valid_digits(s, i) || (s[0] == '0' && i > 1))
		goto invalid;
	if (i < rn && s[i] == '.') {
		j = span_digits(s, i + 1, rn);
		if (!valid_digits(s + i + 1, j - i - 1))
			goto invalid;
		i = j;
		frac = true;
	}
	if (i < rn && (s[i] == 'e' || s[i] == 'E')) {
		i++;
		if (i < rn && (s[i] == '+' || s[i] == '-'))
			i++;
		j = span_digits(s, i, rn);
		if (!valid_digits(s + i, j - i))
			goto invalid;
		i = j;
		exp = true;
	}
	if (i != rn || !(frac || exp))
		goto invalid;

	/* strtod wants no '_'; the daemon never calls setlocale, so '.' is the radix. */
	clean = xmalloc(n + 1);
	for (i = o = 0; i < n; i++) {
		if (tok[i] != '_')
			clean[o++] = tok[i];
	}
	clean[o] = '\0';
	errno = 0;
	d = strtod(clean, &end);
	i = (size_t)(end - clean);
	free(clean);
	if (i != o)
		goto invalid;
	if (errno == ERANGE && isinf(d))
		return fail(ps, "float '%s' out of range", show(b, tok, n));
	v->type = TOML_FLOAT;
	v->f = d;
	return 0;
invalid:
	return fail(ps, "invalid float '%s'", show(b, tok, n));
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A date (1979-05-27) or time (07:32:00) starts like this. */
static bool looks_like_date(const char *s, size_t n)
{
	if (n >= 5 && is_digit(s[0]) && is_digit(s[1]) && is_digit(s[2]) && is_digit(s[3]) &&
	    s[4] == '-')
		return true;
	return n >= 3 && is_digit(s[0]) && is_digit(s[1]) && s[2] == ':';
}

/* An unquoted value: boolean, integer, float, inf or nan. */
static int parse_bare_value(struct parser *ps, struct toml_value *v, const char *tok, size_t n)
{
	const char *s = tok;
	size_t rn = n;
	char b[SHOW_BUF];

	if (n == 4 && !memcmp(tok, "true", 4)) {
		v->type = TOML_BOOL;
		v->b = true;
		return 0;
	}
	if (n == 5 && !memcmp(tok, "false", 5)) {
		v->type = TOML_BOOL;
		v->b = false;
		return 0;
	}
	if (rn && (s[0] == '+' || s[0] == '-')) {
		s++;
		rn--;
	}
	if (rn == 3 && (!memcmp(s, "inf", 3) || !memcmp(s, "nan", 3))) {
		v->type = TOML_FLOAT;
		v->f = s[0] == 'i' ? INFINITY : NAN;
		if (tok[0] == '-')
			v->f = -v->f;
		return 0;
	}
	if (looks_like_date(tok, n))
		return fail(ps, "unsupported value '%s' (dates and times are not supported)",
			    show(b, tok, n));
	if (!rn || !(is_digit(s[0]) || s[0] == '.'))
		return fail(ps, "invalid value '%s' (strings must be quoted)", show(b, tok, n));
	if (rn >= 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'o' || s[1] == 'b'))
		return parse_integer(ps, v, tok, n);
	if (memchr(s, '.', rn) || memchr(s, 'e', rn) || memchr(s, 'E', rn))
		return parse_float(ps, v, tok, n);
	return parse_integer(ps, v, tok, n);
}

/* A string, boolean or number at pos into v, which is zeroed and owned by the doc. */
static int parse_scalar(struct parser *ps, struct toml_value *v, bool in_array)
{
	char b[SHOW_BUF], kb[SHOW_BUF];
	size_t start = ps->pos;
	int c = peek(ps);

	if (c == '"' || c == '\'') {
		v->type = TOML_STRING;
		return parse_string(ps, &v->str);
	}
	if (c == '{')
		return fail(ps, "unsupported value (inline tables are not supported)");
	if (c == '[' && in_array)
		return fail(ps, "unsupported nested array for key '%s'", show_str(kb, ps->key));
	while ((c = peek(ps)) >= 0 && c != ' ' && c != '\t' && c != '\n' && c != '\r' && c != ',' &&
	       c != ']' && c != '#')
		ps->pos++;
	if (ps->pos == start)
		return fail(ps, "expected a value for key '%s', found %s", show_str(kb, ps->key),
			    describe(ps, b));
	return parse_bare_value(ps, v, ps->s + start, ps->pos - start);
}

/* At '[': a one-level array of scalars, which may span lines. */
static int parse_array(struct parser *ps, struct toml_value *v, int open_line)
{
	char b[SHOW_BUF], kb[SHOW_BUF];
	struct toml_value *item;
	size_t cap = 0;
	int c;

	v->type = TOML_ARRAY;
	ps->pos++;
	for (;;) {
		if (skip_blank(ps))
			return -1;
		if (peek(ps) == ']')
			break;
		if (peek(ps) < 0)
			goto unterminated;
		XGROW(v->items, cap, v->nitems + 1);
		/* Counted before parsing, so the doc frees whatever a failed item holds. */
		item = &v->items[v->nitems++];
		memset(item, 0, sizeof(*item));
		if (parse_scalar(ps, item, true) || skip_blank(ps))
			return -1;
		c = peek(ps);
		if (c == ']')
			break;
		if (c < 0)
			goto unterminated;
		if (c != ',')
			return fail(ps, "expected ',' or ']' in array for key '%s', found %s",
				    show_str(kb, ps->key), describe(ps, b));
		ps->pos++;
	}
	ps->pos++;
	return 0;
unterminated:
	return fail_at(ps, open_line, "unterminated array for key '%s'", show_str(kb, ps->key));
}

/* A `key = value` line. */
static int parse_keyval(struct parser *ps)
{
	struct toml_doc *doc = ps->doc;
	char b[SHOW_BUF], kb[SHOW_BUF], tb[SHOW_BUF + 16], what[SHOW_BUF + 32];
	struct toml_kv *kv;
	char *key = NULL;
	int line = ps->line, r;
	size_t i;

	r = parse_key(ps, &key);
	if (r < 0)
		return -1;
	if (r > 0)
		return fail(ps, "expected a key or [table] header, found %s", describe(ps, b));
	skip_ws(ps);
	if (peek(ps) == '.') {
		fail(ps, "unsupported dotted key '%s.' (use a [table] header)", show_str(kb, key));
		goto err;
	}
	if (peek(ps) != '=') {
		fail(ps, "expected '=' after key '%s'", show_str(kb, key));
		goto err;
	}
	ps->pos++;
	for (i = ps->table_first_kv; i < doc->n; i++) {
		if (!strcmp(doc->kv[i].key, key)) {
			fail_at(ps, line, "duplicate key '%s'%s (first on line %d)",
				show_str(kb, key), in_table(tb, ps->table), doc->kv[i].line);
			goto err;
		}
	}
	for (i = 0; i < doc->ntables; i++) {
		if (key_names_table(ps->table, key, doc->tables[i])) {
			fail_at(ps, line, "key '%s'%s conflicts with table [%s] on line %d",
				show_str(kb, key), in_table(tb, ps->table),
				show_str(b, doc->tables[i]), doc->table_lines[i]);
			goto err;
		}
	}

	XGROW(doc->kv, ps->kv_cap, doc->n + 1);
	kv = &doc->kv[doc->n++];
	memset(kv, 0, sizeof(*kv));
	kv->table = xstrdup(ps->table);
	kv->key = key;
	kv->line = line;
	ps->key = key;

	skip_ws(ps);
	if (peek(ps) == '[')
		r = parse_array(ps, &kv->val, line);
	else
		r = parse_scalar(ps, &kv->val, false);
	if (r)
		return -1;
	snprintf(what, sizeof(what), "after value of key '%s'", show_str(kb, key));
	return end_line(ps, what);
err:
	free(key);
	return -1;
}

static int parse_lines(struct parser *ps)
{
	int c, r;

	while (ps->pos < ps->len) {
		skip_ws(ps);
		c = peek(ps);
		if (c == '[')
			r = parse_header(ps);
		else if (c == '#' || at_line_end(ps))
			r = end_line(ps, "after comment");
		else
			r = parse_keyval(ps);
		if (r)
			return -1;
	}
	return 0;
}

/*
 * doc is zeroed first, not released: pass a fresh or released one. On error doc keeps what was
 * parsed before the problem (with the offending key and a partial value possibly included).
 */
int toml_parse(const char *text, size_t len, struct toml_doc *doc, char *err, size_t errlen,
	       int *err_line)
{
	struct parser ps = {
		.s = text,
		.len = len,
		.line = 1,
		.doc = doc,
		.table = "",
		.key = "",
		.err = err,
		.errlen = errlen,
	};

	memset(doc, 0, sizeof(*doc));
	if (err && errlen)
		err[0] = '\0';
	if (err_line)
		*err_line = 0;
	if (!len)
		return 0;
	if (len >= 3 && !memcmp(text, "\xef\xbb\xbf", 3))
		ps.pos = 3;
	if (check_input(&ps) || parse_lines(&ps)) {
		if (err_line)
			*err_line = ps.err_line;
		return -EINVAL;
	}
	return 0;
}

static void value_release(struct toml_value *v)
{
	size_t i;

	free(v->str);
	for (i = 0; i < v->nitems; i++)
		value_release(&v->items[i]);
	free(v->items);
}

void toml_doc_release(struct toml_doc *doc)
{
	size_t i;

	if (!doc)
		return;
	for (i = 0; i < doc->n; i++) {
		free(doc->kv[i].table);
		free(doc->kv[i].key);
		value_release(&doc->kv[i].val);
	}
	free(doc->kv);
	for (i = 0; i < doc->ntables; i++)
		free(doc->tables[i]);
	free(doc->tables);
	free(doc->table_lines);
	memset(doc, 0, sizeof(*doc));
}

const char *toml_type_name(enum toml_type t)
{
	switch (t) {
	case TOML_STRING:
		return "string";
	case TOML_INT:
		return "integer";
	case TOML_FLOAT:
		return "float";
	case TOML_BOOL:
		return "boolean";
	case TOML_ARRAY:
		return "array";
	}
	return "value";
}
