/* test_json.c - unit tests of the JSON writer (escaping, UTF-8 repair, layout, numbers). */
#include "base/json.h"
#include "tap.h"

static const char *compact(void (*fn)(struct json_writer *), struct strbuf *sb)
{
	struct json_writer w;

	strbuf_reset(sb);
	json_init(&w, sb, false);
	fn(&w);
	return strbuf_str(sb);
}

static void doc_basic(struct json_writer *w)
{
	json_obj_begin(w);
	json_kv_int(w, "a", -5);
	json_kv_uint(w, "b", 18446744073709551615ULL);
	json_kv_bool(w, "c", true);
	json_key(w, "d");
	json_null(w);
	json_key(w, "e");
	json_arr_begin(w);
	json_int(w, 1);
	json_str(w, "x");
	json_arr_begin(w);
	json_arr_end(w);
	json_obj_begin(w);
	json_obj_end(w);
	json_arr_end(w);
	json_obj_end(w);
}

static void doc_doubles(struct json_writer *w)
{
	json_arr_begin(w);
	json_double(w, 12.5, 2);
	json_double(w, 3.0, 2);
	json_double(w, 0.004, 2);
	json_double(w, -0.001, 2);
	json_double(w, 1.0 / 0.0, 2);
	json_double(w, 0.0 / 0.0, 2);
	json_double(w, 100, 0);
	json_arr_end(w);
}

static void doc_pretty(struct json_writer *w)
{
	json_obj_begin(w);
	json_kv_int(w, "a", 1);
	json_key(w, "b");
	json_arr_begin(w);
	json_int(w, 2);
	json_arr_end(w);
	json_obj_end(w);
}

int main(void)
{
	struct strbuf sb = STRBUF_INIT, q = STRBUF_INIT;
	struct json_writer w;

	is_str(compact(doc_basic, &sb),
	       "{\"a\":-5,\"b\":18446744073709551615,\"c\":true,\"d\":null,\"e\":[1,\"x\",[],{}]}",
	       "objects, arrays, scalars, empty containers");
	is_str(compact(doc_doubles, &sb), "[12.5,3,0,0,null,null,100]",
	       "doubles: trailing zeros trimmed, -0 is 0, non-finite is null");

	strbuf_reset(&sb);
	json_init(&w, &sb, true);
	doc_pretty(&w);
	is_str(strbuf_str(&sb), "{\n  \"a\": 1,\n  \"b\": [\n    2\n  ]\n}", "pretty layout");

	json_quote(&q, "a\"b\\c\n\t\r\b\f\x01\x1f", 12);
	is_str(strbuf_str(&q), "\"a\\\"b\\\\c\\n\\t\\r\\b\\f\\u0001\\u001f\"",
	       "control characters");
	strbuf_reset(&q);
	json_quote(&q, "caf\xc3\xa9 \xe2\x97\x8f \xf0\x9f\x98\x80", 14);
	is_str(strbuf_str(&q), "\"caf\xc3\xa9 \xe2\x97\x8f \xf0\x9f\x98\x80\"",
	       "valid UTF-8 passes through");
	strbuf_reset(&q);
	json_quote(&q,
		   "a\xff"
		   "b\xc3",
		   4);
	is_str(strbuf_str(&q), "\"a\\ufffdb\\ufffd\"",
	       "invalid bytes and a cut sequence become U+FFFD");
	strbuf_reset(&q);
	json_quote(&q, "\xed\xa0\x80", 3);
	is_str(strbuf_str(&q), "\"\\ufffd\\ufffd\\ufffd\"",
	       "UTF-16 surrogates encoded in UTF-8 are rejected");
	strbuf_reset(&q);
	json_quote(&q, "\xc0\xaf", 2);
	is_str(strbuf_str(&q), "\"\\ufffd\\ufffd\"", "overlong encodings are rejected");
	strbuf_reset(&q);
	json_quote(&q, "a\0b", 3);
	is_str(strbuf_str(&q), "\"a\\u0000b\"", "NUL bytes are escaped");

	/* fragments rendered apart and placed with json_raw equal the document written in one go */
	{
		struct strbuf whole = STRBUF_INIT, frag[2] = { STRBUF_INIT, STRBUF_INIT },
			      built = STRBUF_INIT;
		struct json_writer jw, f;

		for (int pretty = 0; pretty < 2; pretty++) {
			strbuf_reset(&whole);
			strbuf_reset(&built);
			json_init(&jw, &whole, pretty);
			json_obj_begin(&jw);
			json_kv_int(&jw, "n", 1);
			json_key(&jw, "snaps");
			json_arr_begin(&jw);
			for (int i = 0; i < 2; i++) {
				json_obj_begin(&jw);
				json_kv_int(&jw, "i", i);
				json_key(&jw, "a");
				json_arr_begin(&jw);
				json_int(&jw, i);
				json_arr_end(&jw);
				json_obj_end(&jw);
			}
			json_arr_end(&jw);
			json_obj_end(&jw);

			for (int i = 0; i < 2; i++) {
				strbuf_reset(&frag[i]);
				json_init_fragment(&f, &frag[i], pretty, 2);
				json_obj_begin(&f);
				json_kv_int(&f, "i", i);
				json_key(&f, "a");
				json_arr_begin(&f);
				json_int(&f, i);
				json_arr_end(&f);
				json_obj_end(&f);
			}
			json_init(&jw, &built, pretty);
			json_obj_begin(&jw);
			json_kv_int(&jw, "n", 1);
			json_key(&jw, "snaps");
			json_arr_begin(&jw);
			for (int i = 0; i < 2; i++)
				json_raw(&jw, strbuf_str(&frag[i]), frag[i].len);
			json_arr_end(&jw);
			json_obj_end(&jw);
			is_str(strbuf_str(&built), strbuf_str(&whole),
			       "json_raw of fragments = one document (%s)", pretty ? "pretty" : "compact");
		}
		strbuf_release(&whole);
		strbuf_release(&built);
		strbuf_release(&frag[0]);
		strbuf_release(&frag[1]);
	}

	strbuf_release(&sb);
	strbuf_release(&q);
	return done_testing();
}
