/* fuzz_procfs.c - libFuzzer target: every pure /proc parser on the same arbitrary bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "sys/procfs.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* an exact-size heap copy, so ASan catches any read past len */
	char *buf = malloc(size ? size : 1);
	struct sys_stat st = { 0 };
	struct proc_stat ps;
	struct meminfo m;
	struct loadavg la;
	struct psi psi;
	uint64_t run_ns;

	if (!buf)
		return 0;
	memcpy(buf, data, size);
	/* twice: the second parse reuses (or grows) the cpu array of the first */
	procfs_parse_stat(buf, size, &st);
	procfs_parse_stat(buf, size, &st);
	procfs_sys_stat_release(&st);
	procfs_parse_meminfo(buf, size, &m);
	procfs_parse_loadavg(buf, size, &la);
	procfs_parse_psi(buf, size, &psi);
	procfs_parse_pid_stat(buf, size, &ps);
	procfs_parse_schedstat(buf, size, &run_ns);
	free(buf);
	return 0;
}
