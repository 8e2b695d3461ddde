/* fuzz_sec.c - libFuzzer target: the security evidence parsers (maps, status, cgroup) and the
 * socket tables (tcp, tcp6, udp, udp6, unix) on the same arbitrary bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture/evidence.h"
#include "sys/socktab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const tables[] = { "tcp", "tcp6", "udp", "udp6", "unix" };
	/* an exact-size heap copy, so ASan catches any read past len */
	char *buf = malloc(size ? size : 1), *str = malloc(size + 1), out[256];
	struct sec_report *r = sec_report_new(SIG_RWX_ANON, 1, "fuzz");
	struct maps_scan scan;
	struct socktab t = { 0 };
	uint32_t uid, euid;

	if (!buf || !str)
		abort();
	memcpy(buf, data, size);
	memcpy(str, data, size);
	str[size] = '\0';
	evidence_scan_maps(buf, size, &scan, r, 16);
	evidence_parse_status_uids(buf, size, &uid, &euid);
	evidence_parse_cgroup(buf, size, out, sizeof(out));
	for (size_t i = 0; i < sizeof(tables) / sizeof(tables[0]); i++)
		socktab_parse(&t, tables[i], buf, size);
	socktab_sort(&t);
	if (t.n)
		socktab_find(&t, t.v[t.n / 2].inode);
	socktab_clear(&t);
	evidence_miner_flag(str);
	socktab_link_inode(str);
	sec_report_unref(r);
	free(buf);
	free(str);
	return 0;
}
