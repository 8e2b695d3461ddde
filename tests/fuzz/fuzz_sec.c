/* fuzz_sec.c - libFuzzer target: the security evidence parsers (maps, status, cgroup, stratum,
 * a name against its argv) and the socket tables (tcp, tcp6, udp, udp6, unix) on the same
 * arbitrary bytes. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "capture/evidence.h"
#include "sys/socktab.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const char *const tables[] = { "tcp", "tcp6", "udp", "udp6", "unix" };
	/* an exact-size heap copy, so ASan catches any read past len */
	char *buf = malloc(size ? size : 1), *str = malloc(size + 1), out[256], comm[16], **paths;
	size_t npaths;
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
	npaths = evidence_parse_cgroups(buf, size, &paths);
	for (size_t i = 0; i < npaths; i++)
		free(paths[i]);
	free(paths);
	evidence_stratum_method(buf, size, out, sizeof(out));
	snprintf(comm, sizeof(comm), "%s", str);
	evidence_comm_agrees(comm, str, str, size); /* argv: NUL-separated, str[size] is '\0' */
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
