/* fuzz_dump.c - libFuzzer target: the dump reader (whole and head only) must refuse any bytes
 * cleanly, never crash. */
#include <stddef.h>
#include <stdint.h>

#include "capture/dumpfile.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct strbuf err = STRBUF_INIT;
	struct dump d;

	dump_parse((const char *)data, size, "fuzz", &d, &err);
	dump_release(&d);
	dump_parse_head((const char *)data, size, "fuzz", &d, &err);
	dump_release(&d);
	strbuf_release(&err);
	return 0;
}
