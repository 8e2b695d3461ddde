/* test_toml.c - unit tests for the TOML reader: every value type, layout, and each error path. */
#include <errno.h>
#include <math.h>
#include <string.h>

#include "base/toml.h"
#include "tap.h"

static char err[256];
static int err_line;

static int parse_n(const char *text, size_t len, struct toml_doc *doc)
{
	return toml_parse(text, len, doc, err, sizeof(err), &err_line);
}

static int parse(const char *text, struct toml_doc *doc)
{
	return parse_n(text, strlen(text), doc);
}

static const struct toml_kv *find(const struct toml_doc *doc, const char *table, const char *key)
{
	size_t i;

	for (i = 0; i < doc->n; i++) {
		if (!strcmp(doc->kv[i].table, table) && !strcmp(doc->kv[i].key, key))
			return &doc->kv[i];
	}
	return NULL;
}

static const struct toml_value *val(const struct toml_doc *doc, const char *table, const char *key)
{
	static const struct toml_value none = { .type = TOML_STRING }; /* str NULL: fails is_str */
	const struct toml_kv *kv = find(doc, table, key);

	return kv ? &kv->val : &none;
}

/* Parses text (len bytes), which must fail on want_line with want_err; 3 test points. */
static void check_err_n(const char *text, size_t len, int want_line, const char *want_err)
{
	struct toml_doc doc;
	int rc = parse_n(text, len, &doc);

	is_int(rc, -EINVAL, "error: %s", want_err);
	is_int(err_line, want_line, "  on line %d", want_line);
	is_str(err, want_err, "  message");
	toml_doc_release(&doc);
}

static void check_err(const char *text, int want_line, const char *want_err)
{
	check_err_n(text, strlen(text), want_line, want_err);
}

static void test_values(void)
{
	static const char text[] = "# a comment line\n"
				   "title = \"spike\\ttrace\"   # trailing comment\n"
				   "lit = 'C:\\path\\n'\n"
				   "n = 42\n"
				   "neg = -17\n"
				   "plus = +5\n"
				   "zero = -0\n"
				   "max = 9_223_372_036_854_775_807\n"
				   "min = -9223372036854775808\n"
				   "hex = 0xDEAD_beef\n"
				   "oct = 0o755\n"
				   "bin = 0b1010\n"
				   "f1 = 1.0\n"
				   "f2 = 1e3\n"
				   "f3 = -2.5E-2\n"
				   "f4 = 6.626_070e-3_4\n"
				   "tiny = 1e-400\n"
				   "pinf = +inf\n"
				   "ninf = -inf\n"
				   "nan = nan\n"
				   "t = true\n"
				   "f = false\n"
				   "empty = \"\"\n"
				   "emptylit = ''\n"
				   "uni = \"\\u00e9\\U0001F600 é\"\n"
				   "esc = \"\\b\\t\\n\\f\\r\\\"\\\\\"\n"
				   "\"quoted key\" = 1\n"
				   "'lit key' = 2\n"
				   "\"\" = 3\n"
				   "bare-key_9 = 4\n";
	struct toml_doc doc;

	is_int(parse(text, &doc), 0, "values: parses");
	is_int(doc.n, 29, "values: 29 keys");
	is_str(val(&doc, "", "title")->str, "spike\ttrace", "basic string with \\t");
	is_int(find(&doc, "", "title")->line, 2, "key line recorded");
	is_str(val(&doc, "", "lit")->str, "C:\\path\\n", "literal string keeps backslashes");
	is_int(val(&doc, "", "n")->type, TOML_INT, "42 is an integer");
	is_int(val(&doc, "", "n")->i, 42, "42");
	is_double(val(&doc, "", "n")->f, 42.0, 0, "integer also filled as float");
	is_int(val(&doc, "", "neg")->i, -17, "negative integer");
	is_double(val(&doc, "", "neg")->f, -17.0, 0, "negative integer as float");
	is_int(val(&doc, "", "plus")->i, 5, "+5");
	is_int(val(&doc, "", "zero")->i, 0, "-0");
	ok(val(&doc, "", "max")->i == 9223372036854775807LL, "INT64_MAX with underscores");
	ok(val(&doc, "", "min")->i == -9223372036854775807LL - 1, "INT64_MIN");
	is_int(val(&doc, "", "hex")->i, 0xdeadbeef, "hex with mixed case and _");
	is_int(val(&doc, "", "oct")->i, 0755, "octal");
	is_int(val(&doc, "", "bin")->i, 10, "binary");
	is_int(val(&doc, "", "f1")->type, TOML_FLOAT, "1.0 is a float");
	is_double(val(&doc, "", "f1")->f, 1.0, 0, "1.0");
	is_double(val(&doc, "", "f2")->f, 1000.0, 0, "1e3");
	is_double(val(&doc, "", "f3")->f, -0.025, 1e-15, "-2.5E-2");
	is_double(val(&doc, "", "f4")->f, 6.626070e-34, 1e-45,
		  "underscores in fraction and exponent");
	is_double(val(&doc, "", "tiny")->f, 0.0, 1e-300, "underflow rounds towards zero");
	ok(isinf(val(&doc, "", "pinf")->f) && val(&doc, "", "pinf")->f > 0, "+inf");
	ok(isinf(val(&doc, "", "ninf")->f) && val(&doc, "", "ninf")->f < 0, "-inf");
	ok(isnan(val(&doc, "", "nan")->f) && val(&doc, "", "nan")->type == TOML_FLOAT, "nan");
	ok(val(&doc, "", "t")->type == TOML_BOOL && val(&doc, "", "t")->b, "true");
	ok(val(&doc, "", "f")->type == TOML_BOOL && !val(&doc, "", "f")->b, "false");
	is_str(val(&doc, "", "empty")->str, "", "empty basic string is \"\", not NULL");
	is_str(val(&doc, "", "emptylit")->str, "", "empty literal string");
	is_str(val(&doc, "", "uni")->str, "\xc3\xa9\xf0\x9f\x98\x80 \xc3\xa9",
	       "\\u and \\U to UTF-8");
	is_str(val(&doc, "", "esc")->str, "\b\t\n\f\r\"\\", "all simple escapes");
	is_int(val(&doc, "", "quoted key")->i, 1, "quoted key");
	is_int(val(&doc, "", "lit key")->i, 2, "literal-quoted key");
	is_int(val(&doc, "", "")->i, 3, "empty quoted key");
	is_int(val(&doc, "", "bare-key_9")->i, 4, "bare key with - and _");
	is_str(toml_type_name(TOML_STRING), "string", "type name string");
	is_str(toml_type_name(TOML_INT), "integer", "type name integer");
	is_str(toml_type_name(TOML_FLOAT), "float", "type name float");
	is_str(toml_type_name(val(&doc, "", "t")->type), "boolean", "type name boolean");
	is_str(toml_type_name(TOML_ARRAY), "array", "type name array");
	toml_doc_release(&doc);
	ok(doc.kv == NULL && doc.n == 0, "release zeroes the doc");
}

static void test_tables(void)
{
	static const char text[] = "top = 1\n"
				   "\n"
				   "[server]\n"
				   "port = 8080\n"
				   "  # indented comment\n"
				   "[ a . b ]   # spaces around dots\n"
				   "port = 1\n"
				   "[\"x y\".'z']\n"
				   "[a]\n"
				   "c = 2\n";
	struct toml_doc doc;

	is_int(parse(text, &doc), 0, "tables: parses");
	is_int(doc.ntables, 4, "four headers");
	is_str(doc.tables[0], "server", "first table");
	is_int(doc.table_lines[0], 3, "its line");
	is_str(doc.tables[1], "a.b", "dotted header, spaces ignored");
	is_str(doc.tables[2], "x y.z", "quoted header parts");
	is_str(doc.tables[3], "a", "implicit parent defined later");
	is_int(val(&doc, "", "top")->i, 1, "top-level key in table \"\"");
	is_int(val(&doc, "server", "port")->i, 8080, "key in [server]");
	is_int(val(&doc, "a.b", "port")->i, 1, "same key in another table");
	is_int(find(&doc, "a", "c")->line, 10, "line of key in last table");
	toml_doc_release(&doc);
}

static void test_arrays(void)
{
	static const char text[] = "a = [1, 2, 3]\n"
				   "empty = []\n"
				   "multi = [   # comment after bracket\n"
				   "  \"x\",  # first\n"
				   "\n"
				   "  'y',\n"
				   "  # a comment line\n"
				   "  1.5, true,   # trailing comma next\n"
				   "]\n"
				   "after = 7\n";
	const struct toml_value *v;
	struct toml_doc doc;

	is_int(parse(text, &doc), 0, "arrays: parses");
	v = val(&doc, "", "a");
	ok(v->type == TOML_ARRAY && v->nitems == 3 && v->items[2].i == 3, "[1, 2, 3]");
	v = val(&doc, "", "empty");
	ok(v->type == TOML_ARRAY && v->nitems == 0, "empty array");
	v = val(&doc, "", "multi");
	is_int(v->nitems, 4, "array across lines with comments and trailing comma");
	is_str(v->items[0].str, "x", "item 0");
	is_str(v->items[1].str, "y", "item 1");
	is_double(v->items[2].f, 1.5, 0, "item 2");
	ok(v->items[3].type == TOML_BOOL && v->items[3].b, "item 3");
	is_int(find(&doc, "", "after")->line, 10, "lines counted inside arrays");
	toml_doc_release(&doc);
}

static void test_layout(void)
{
	static const char crlf[] = "\xef\xbb\xbf# bom and crlf\r\n"
				   "a = \"x\"\r\n"
				   "\r\n"
				   "[t]  \r\n"
				   "b = [1,\r\n"
				   "  2]\r\n"
				   "c = 3";
	struct toml_doc doc;

	is_int(parse(crlf, &doc), 0, "BOM and CRLF: parses");
	is_str(val(&doc, "", "a")->str, "x", "CR not part of the value");
	is_int(val(&doc, "t", "b")->nitems, 2, "array across CRLF lines");
	is_int(find(&doc, "t", "c")->line, 7, "line counting with CRLF, no final newline");
	toml_doc_release(&doc);

	is_int(parse("", &doc), 0, "empty input");
	is_int(parse_n(NULL, 0, &doc), 0, "NULL with length 0");
	is_int(parse("\xef\xbb\xbf", &doc), 0, "only a BOM");
	is_int(parse("# just a comment", &doc), 0, "only a comment, no newline");
	is_int(doc.n + doc.ntables, 0, "nothing recorded");
	is_int(parse("\t a\t=\t1\t#\tx\n", &doc), 0, "tabs as whitespace");
	toml_doc_release(&doc);
	check_err("a = 1\r\nb = 2\r\nc 3\r\n", 3, "expected '=' after key 'c'");
	check_err("a = 1\rb = 2\n", 1,
		  "unexpected carriage return without newline after value of key 'a'");
	check_err("\xef\xbb\xbf\xef\xbb\xbf", 1,
		  "expected a key or [table] header, found '\xef\xbb\xbf'");
}

static void test_errors(void)
{
	static const char nul[] = "a = 1\nb = \"x\0\"\n";

	/* syntax */
	check_err("a = 1\nb 2\n", 2, "expected '=' after key 'b'");
	check_err("= 1\n", 1, "expected a key or [table] header, found '='");
	check_err("a =\n", 1, "expected a value for key 'a', found end of line");
	check_err("a = # nothing", 1, "expected a value for key 'a', found '#'");
	check_err("a = 1 b\n", 1, "unexpected 'b' after value of key 'a'");
	check_err("a = true,\n", 1, "unexpected ',' after value of key 'a'");
	check_err("a.b = 1\n", 1, "unsupported dotted key 'a.' (use a [table] header)");
	check_err("[x]\n\n[a\n", 3, "expected ']' after table name 'a', found end of line");
	check_err("[]\n", 1, "expected table name, found ']'");
	check_err("[a.]\n", 1, "expected table name, found ']'");
	check_err("[a]x = 1\n", 1, "unexpected 'x' after table header [a]");
	check_err("[[x]]\n", 1, "unsupported array of tables [[...]] (use [table] headers)");
	check_err("[\"\"]\n", 1, "unsupported empty table name");
	check_err("['a.b']\n", 1, "unsupported '.' inside quoted table name 'a.b'");
	check_err("# \x01\n", 1, "control character 0x01 in comment");

	/* strings */
	check_err("a = 1\nb = \"abc\nc = 1\n", 2, "unterminated string");
	check_err("a = 'abc", 1, "unterminated string");
	check_err("a = \"abc\\", 1, "unterminated string");
	check_err("a = \"\\q\"", 1, "invalid escape '\\q' in string");
	check_err("a = \"\\\xc3\xa9\"", 1, "invalid escape '\\\xc3\xa9' in string");
	check_err("a = \"\\u12G4\"", 1, "invalid escape '\\u12G4' (expected 4 hex digits)");
	check_err("a = \"\\u12\"", 1, "invalid escape '\\u12' (expected 4 hex digits)");
	check_err("a = \"\\U0001F60\"", 1, "invalid escape '\\U0001F60' (expected 8 hex digits)");
	check_err("a = \"\\uD800\"", 1, "invalid escape '\\uD800' (surrogate code point)");
	check_err("a = \"\\U00110000\"", 1, "invalid escape '\\U00110000' (beyond U+10FFFF)");
	check_err("a = \"\\u0000\"", 1, "unsupported escape '\\u0000' (strings cannot hold NUL)");
	check_err("a = \"x\x01\"", 1, "control character 0x01 in string");
	check_err("a = 'x\x7f'", 1, "control character 0x7f in string");
	check_err("a = \"\"\"x\"\"\"", 1, "unsupported multi-line string (use a one-line string)");
	check_err("a = '''x'''", 1, "unsupported multi-line string (use a one-line string)");

	/* numbers and other values */
	check_err("a = 12x\n", 1, "invalid integer '12x'");
	check_err("a = 1__0", 1, "invalid integer '1__0'");
	check_err("a = 1_", 1, "invalid integer '1_'");
	check_err("a = 012", 1, "invalid integer '012'");
	check_err("a = -0x1", 1, "invalid integer '-0x1'");
	check_err("a = 0x", 1, "invalid integer '0x'");
	check_err("a = 0x_1", 1, "invalid integer '0x_1'");
	check_err("a = 0b102", 1, "invalid integer '0b102'");
	check_err("a = 0X1", 1, "invalid integer '0X1'");
	check_err("a = 9223372036854775808", 1, "integer '9223372036854775808' out of range");
	check_err("a = -9223372036854775809", 1, "integer '-9223372036854775809' out of range");
	check_err("a = 0x8000000000000000", 1, "integer '0x8000000000000000' out of range");
	check_err("a = 99999999999999999999999x", 1, "invalid integer '99999999999999999999999x'");
	check_err("a = 1.", 1, "invalid float '1.'");
	check_err("a = .5", 1, "invalid float '.5'");
	check_err("a = 1e", 1, "invalid float '1e'");
	check_err("a = 1.5.3", 1, "invalid float '1.5.3'");
	check_err("a = 00.1", 1, "invalid float '00.1'");
	check_err("a = 1_.5", 1, "invalid float '1_.5'");
	check_err("a = 1e400", 1, "float '1e400' out of range");
	check_err("a = yes", 1, "invalid value 'yes' (strings must be quoted)");
	check_err("a = True", 1, "invalid value 'True' (strings must be quoted)");
	check_err("a = 1979-05-27", 1,
		  "unsupported value '1979-05-27' (dates and times are not supported)");
	check_err("a = 07:32:00", 1,
		  "unsupported value '07:32:00' (dates and times are not supported)");
	check_err("a = { b = 1 }", 1, "unsupported value (inline tables are not supported)");

	/* arrays */
	check_err("x = 1\na = [1, 2\n\n", 2, "unterminated array for key 'a'");
	check_err("a = [1 2]", 1, "expected ',' or ']' in array for key 'a', found '2'");
	check_err("a = [1,\n,2]", 2, "expected a value for key 'a', found ','");
	check_err("a = [[1]]", 1, "unsupported nested array for key 'a'");
	check_err("a = [\"x\", 'y',\n  12x]", 2, "invalid integer '12x'");

	/* duplicates and conflicts */
	check_err("a = 1\na = 2\n", 2, "duplicate key 'a' (first on line 1)");
	check_err("a = 1\n[x]\na = 1\n\na = 2\n", 5,
		  "duplicate key 'a' in table [x] (first on line 3)");
	check_err("[x]\n[y]\n[x]\n", 3, "duplicate table [x] (first on line 1)");
	check_err("[x]\n[\"x\"]\n", 2, "duplicate table [x] (first on line 1)");
	check_err("[a]\nb = 1\n[a.b.c]\n", 3,
		  "table [a.b.c] conflicts with key 'b' in table [a] on line 2");
	check_err("a = 1\n[a]\n", 2, "table [a] conflicts with key 'a' on line 1");
	check_err("[a.b]\n[a]\nb = 1\n", 3,
		  "key 'b' in table [a] conflicts with table [a.b] on line 1");

	/* input bytes */
	check_err_n(nul, sizeof(nul) - 1, 2, "unexpected NUL byte");
	check_err_n("\0", 1, 1, "unexpected NUL byte");
	check_err("a = 1\n\n# \xff\n", 3, "invalid UTF-8");
	check_err("a = \"\xc0\xaf\"", 1, "invalid UTF-8");
	check_err("a = \"\xed\xa0\x80\"", 1, "invalid UTF-8");
	check_err("a = \"\xe2\x82", 1, "invalid UTF-8");
}

static void test_edges(void)
{
	char longkey[200], small[8], want[128];
	struct toml_doc doc;
	int line = 0;

	/* A long key is cut in messages. */
	memset(longkey, 'k', sizeof(longkey));
	memcpy(longkey + sizeof(longkey) - 4, " 1\n", 4);
	snprintf(want, sizeof(want), "expected '=' after key '%.40s...'", longkey);
	check_err(longkey, 1, want);

	/* The message is truncated to errlen, and err may be NULL. */
	is_int(toml_parse("a = 12x", 7, &doc, small, sizeof(small), &line), -EINVAL, "small err");
	is_str(small, "invalid", "message truncated to errlen");
	toml_doc_release(&doc);
	is_int(toml_parse("a = 12x", 7, &doc, NULL, 0, NULL), -EINVAL, "NULL err and err_line");
	toml_doc_release(&doc);

	/* On error what was parsed so far stays in doc for release (ASan checks for leaks). */
	is_int(parse("[t]\na = \"s\"\nb = [\"x\", \"y\", 12x]\n", &doc), -EINVAL, "late error");
	ok(doc.n == 2 && doc.ntables == 1 && !strcmp(doc.kv[0].val.str, "s"), "partial doc kept");
	toml_doc_release(&doc);
	ok(doc.n == 0 && doc.tables == NULL, "partial doc released");
	toml_doc_release(&doc);
	ok(doc.n == 0, "release twice is harmless");
	toml_doc_release(NULL);

	/* \u below U+0080 and U+10000, raw 4-byte UTF-8, a quoted key holding '.'. */
	is_int(parse("s = \"\\u0041\\u20ac \xf0\x9f\x98\x80\"\n\"a.b\" = 1\n[a.b]\n", &doc), 0,
	       "more UTF-8");
	is_str(val(&doc, "", "s")->str, "A\xe2\x82\xac \xf0\x9f\x98\x80",
	       "1-, 3- and 4-byte characters");
	is_int(doc.ntables, 1, "quoted key \"a.b\" does not conflict with [a.b]");
	toml_doc_release(&doc);
	check_err("\"a\\tb\" 1", 1, "expected '=' after key 'a\\x09b'");
	check_err("\x01 = 1", 1, "expected a key or [table] header, found control character 0x01");
	check_err("[a", 1, "expected ']' after table name 'a', found end of input");
	check_err("a = [ # \x02\n1]", 1, "control character 0x02 in comment");
	check_err("[\"abc]\n", 1, "unterminated string");
	check_err("\"abc = 1\n", 1, "unterminated string");
	check_err("a = 1\nb = [1", 2, "unterminated array for key 'b'");

	/* Not NUL-terminated: the parser stops at len. */
	is_int(parse_n("a = 12345", 6, &doc), 0, "value cut by len");
	is_int(val(&doc, "", "a")->i, 12, "only len bytes read");
	toml_doc_release(&doc);
	check_err_n("a = \"xyz\"", 7, 1, "unterminated string");
}

int main(void)
{
	test_values();
	test_tables();
	test_arrays();
	test_layout();
	test_errors();
	test_edges();
	return done_testing();
}
