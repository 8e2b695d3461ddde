/* fuzz_toml.c - libFuzzer target for the TOML reader: parse any bytes, check invariants, release.
 */
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/toml.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void check_value(const struct toml_value *v, bool in_array)
{
	size_t i;

	switch (v->type) {
	case TOML_STRING:
		if (!v->str)
			abort();
		break;
	case TOML_INT:
		if (v->f != (double)v->i)
			abort();
		break;
	case TOML_FLOAT:
	case TOML_BOOL:
		break;
	case TOML_ARRAY:
		if (in_array || (v->nitems && !v->items))
			abort();
		for (i = 0; i < v->nitems; i++)
			check_value(&v->items[i], true);
		break;
	default:
		abort();
	}
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct toml_doc doc;
	char err[256];
	int line = -1, rc;
	size_t i, nlines = 1;

	rc = toml_parse((const char *)data, size, &doc, err, sizeof(err), &line);
	for (i = 0; i < size; i++)
		nlines += data[i] == '\n';
	if (rc == 0) {
		/* Success: no message, every entry complete. */
		if (err[0] || line != 0)
			abort();
		for (i = 0; i < doc.n; i++) {
			if (!doc.kv[i].table || !doc.kv[i].key || doc.kv[i].line < 1 ||
			    (size_t)doc.kv[i].line > nlines)
				abort();
			check_value(&doc.kv[i].val, false);
		}
		for (i = 0; i < doc.ntables; i++) {
			if (!doc.tables[i] || doc.table_lines[i] < 1)
				abort();
		}
	} else {
		/* Error: -EINVAL, a line within the input, a one-line printable message. */
		if (rc != -EINVAL || line < 1 || (size_t)line > nlines || !err[0])
			abort();
		for (i = 0; err[i]; i++) {
			if ((unsigned char)err[i] < 0x20 || err[i] == 0x7f)
				abort();
		}
	}
	toml_doc_release(&doc);
	return 0;
}
