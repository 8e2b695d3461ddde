/* fuzz_procfs.c - libFuzzer target: every pure /proc parser (and the latency file's) on the same
 * arbitrary bytes. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "capture/netmon.h"
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
	struct net_dev_list nd = { 0 };
	struct disk_stat_list ds = { 0 };
	struct proc_io io;
	double us;

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
	/* twice too: the lists are emptied and refilled in place */
	procfs_parse_net_dev(buf, size, &nd);
	procfs_parse_net_dev(buf, size, &nd);
	procfs_net_dev_release(&nd);
	procfs_parse_diskstats(buf, size, &ds);
	procfs_parse_diskstats(buf, size, &ds);
	procfs_disk_stat_release(&ds);
	procfs_parse_pid_io(buf, size, &io);
	netmon_parse_latency(buf, size, &us);
	free(buf);
	return 0;
}
