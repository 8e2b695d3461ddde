/* test_netdisk.c - unit tests of the /proc/net/dev, /proc/diskstats and PID/io parsers: fixture
 * files, hostile and truncated lines, and the real /proc. */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "sys/procfs.h"
#include "tap.h"

#define S(lit) lit, sizeof(lit) - 1

static const struct net_dev *find_dev(const struct net_dev_list *l, const char *name)
{
	for (size_t i = 0; i < l->n; i++)
		if (!strcmp(l->dev[i].name, name))
			return &l->dev[i];
	return NULL;
}

static void test_net_dev_fixture(struct procfs *pf)
{
	struct net_dev_list l = { 0 };
	const struct net_dev *d;

	is_int(procfs_read_net_dev(pf, &l), 0, "net/dev of the fixture tree");
	is_int(l.n, 3, "three interfaces, the two header lines skipped");
	is_int(l.bad_lines, 0, "no bad line");
	d = find_dev(&l, "eth0");
	ok(d && d->rx_bytes == 27793957 && d->rx_packets == 812 && d->rx_errs == 3 &&
		   d->rx_drop == 4 && d->tx_bytes == 45715 && d->tx_packets == 544 &&
		   d->tx_errs == 5 && d->tx_drop == 6,
	   "eth0's rx and tx columns land in their fields");
	d = find_dev(&l, "st12345a");
	ok(d && d->rx_bytes == 1234567890123ULL && d->tx_bytes == UINT64_MAX,
	   "a counter glued to the colon and a full 64-bit counter");
	is_str(l.dev[0].name, "lo", "file order kept");
	procfs_net_dev_release(&l);
}

static void test_net_dev_hostile(void)
{
	struct net_dev_list l = { 0 };
	static const char bad[] =
		"Inter-|   Receive |  Transmit\n"
		" face |bytes packets|bytes\n"
		"  eth0: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"
		"  cut: 1 2 3 4 5 6 7\n"			   /* truncated */
		"  neg: -1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n" /* a sign */
		"  big: 99999999999999999999 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"
		"  : 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n" /* no name */
		"averyveryverylongname: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"
		"no colon at all 1 2 3\n"
		"  x y: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16\n"	 /* a blank in the name */
		"  eth1: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17 18\n" /* extra columns */
		"  eth2: 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 1";	 /* no final newline */

	is_int(procfs_parse_net_dev(bad, sizeof(bad) - 1, &l), 0, "hostile net/dev parses");
	is_int(l.n, 3, "eth0, eth1 (extra columns ignored) and eth2 (no final newline) kept");
	is_int(l.bad_lines, 7, "seven bad lines skipped and counted");
	ok(l.n == 3 && l.dev[1].tx_drop == 12 && l.dev[2].tx_bytes == 9,
	   "values of the good lines");
	is_int(procfs_parse_net_dev(S("garbage: x\n"), &l), -EINVAL, "only bad lines: -EINVAL");
	is_int(l.n, 0, "and an empty list");
	is_int(procfs_parse_net_dev("", 0, &l), 0, "an empty file is no interface, no error");
	is_int(procfs_parse_net_dev(S("  eth0: 1 2 3 4 5 6 7 8\0 9 10 11 12 13 14 15 16\n"), &l),
	       -EINVAL, "a NUL in the middle ends the number");
	procfs_net_dev_release(&l);
	procfs_net_dev_release(&l);
	ok(l.dev == NULL && l.n == 0, "release twice is harmless");
}

static void test_diskstats_fixture(struct procfs *pf)
{
	struct disk_stat_list l = { 0 };
	const struct disk_stat *d;

	is_int(procfs_read_diskstats(pf, &l), 0, "diskstats of the fixture tree");
	is_int(l.n, 7, "seven devices");
	d = &l.disk[2];
	ok(!strcmp(d->name, "vda") && d->major == 254 && d->minor == 0 && d->reads == 488056 &&
		   d->read_sectors == 15337138 && d->writes == 64716 &&
		   d->write_sectors == 11356664 && d->in_flight == 2 && d->io_ms == 93136 &&
		   d->weighted_ms == 1296576 && !d->partition,
	   "vda's 11 classic columns (discard and flush ignored)");
	ok(l.disk[3].partition, "vda1 is a partition of vda");
	ok(!l.disk[4].partition && l.disk[5].partition, "nvme0n1 is a disk, nvme0n1p1 its part");
	ok(!l.disk[1].partition, "loop1 is not a partition of loop0");
	ok(!l.disk[6].partition, "zram0 is a disk");
	is_int(l.disk[4].io_ms, 30, "a 2.6.25-style line with only 11 columns");
	procfs_disk_stat_release(&l);
}

static void test_diskstats_hostile(void)
{
	struct disk_stat_list l = { 0 };
	static const char bad[] =
		"   8 0 sda 1 2 3 4 5 6 7 8 9 10 11\n"
		"   8 1 sda1 1 2 3 4 5 6 7 8 9 10 11\n"
		"   8 2 sda2 1 2 3\n" /* truncated */
		"   8 x sdb 1 2 3 4 5 6 7 8 9 10 11\n"
		"   1 2\n"
		"   7 10 loop10 1 2 3 4 5 6 7 8 9 10 11\n"
		"   7 1 loop1 1 2 3 4 5 6 7 8 9 10 11\n"
		"   7 11 loop1p1 1 2 3 4 5 6 7 8 9 10 11\n"
		"   8 16 sdb 1 2 3 4 5 6 7 8 9 10 -1\n"
		"   9 0 abcdefghijabcdefghijabcdefghijabcdefghij 1 2 3 4 5 6 7 8 9 10 11\n"
		"  99999999999 0 huge 1 2 3 4 5 6 7 8 9 10 11\n"
		"\n"
		"   8 32 sdc 1 2 3 4 5 6 7 8 9 10 11";

	is_int(procfs_parse_diskstats(bad, sizeof(bad) - 1, &l), 0, "hostile diskstats parses");
	is_int(l.n, 6, "sda, sda1, loop10, loop1, loop1p1, sdc kept");
	is_int(l.bad_lines, 6, "six bad lines counted");
	ok(l.n == 6 && !l.disk[0].partition && l.disk[1].partition && !l.disk[2].partition &&
		   !l.disk[3].partition && l.disk[4].partition && !l.disk[5].partition,
	   "partition naming: sda1 and loop1p1 are parts; loop10 is not part of anything");
	is_int(procfs_parse_diskstats(S("nonsense\n"), &l), -EINVAL, "only bad lines: -EINVAL");
	procfs_disk_stat_release(&l);
}

static void test_pid_io(struct procfs *pf)
{
	struct proc_io io;

	is_int(procfs_read_pid_io(pf, 4242, &io), 0, "4242/io of the fixture tree");
	ok(io.rchar == 123456 && io.wchar == 654321 && io.syscr == 10 && io.syscw == 20 &&
		   io.read_bytes == 4096 && io.write_bytes == 8192 &&
		   io.cancelled_write_bytes == 512,
	   "every field");
	is_int(procfs_read_pid_io(pf, 2, &io), -ENOENT, "a process without io file: -ENOENT");
	is_int(procfs_parse_pid_io(S("rchar: 1\nwchar: 2\nread_bytes: 3\n"), &io), -EINVAL,
	       "write_bytes missing: -EINVAL");
	is_int(procfs_parse_pid_io(S("rchar: 1\nwchar: 2\nread_bytes: 3\nwrite_bytes: x\n"), &io),
	       -EINVAL, "a word for a number: -EINVAL");
	is_int(procfs_parse_pid_io(S("rchar: 1\nwchar: 2\nread_bytes: 3\nwrite_bytes: 4\nnew: 5"),
				   &io),
	       0, "an unknown key is skipped; optional keys read as 0");
	ok(io.write_bytes == 4 && io.syscr == 0, "values");
	is_int(procfs_parse_pid_io(S("rchar: 1\nwchar: 2\nread_bytes: 3\nwrite_bytes: 4"), &io), 0,
	       "truncated after the last number still counts");
}

static void test_real(void)
{
	struct procfs *pf = procfs_open("/proc");
	struct net_dev_list nl = { 0 };
	struct disk_stat_list dl = { 0 };
	struct proc_io io;
	int ret;

	if (!pf) {
		diag("no /proc: real-system tests left out");
		return;
	}
	ok(procfs_read_net_dev(pf, &nl) == 0 && find_dev(&nl, "lo") && nl.bad_lines == 0,
	   "real /proc/net/dev has lo and no bad line");
	ok(procfs_read_diskstats(pf, &dl) == 0 && dl.bad_lines == 0,
	   "real /proc/diskstats parses (%zu devices)", dl.n);
	ok(procfs_read_pid_io(pf, getpid(), &io) == 0 && io.rchar > 0, "our own PID/io");
	ret = procfs_read_pid_io(pf, 1, &io);
	ok(ret == 0 || ret == -EACCES, "PID 1's io reads or is refused with EACCES (%d)", ret);
	procfs_net_dev_release(&nl);
	procfs_disk_stat_release(&dl);
	procfs_free(pf);
}

int main(void)
{
	char *root = xasprintf("%s/proc", fixtures_dir());
	struct procfs *pf = procfs_open(root);

	if (!pf) {
		printf("# cannot open '%s'\n", root);
		return done_testing() | 1;
	}
	test_net_dev_fixture(pf);
	test_net_dev_hostile();
	test_diskstats_fixture(pf);
	test_diskstats_hostile();
	test_pid_io(pf);
	test_real();
	procfs_free(pf);
	free(root);
	return done_testing();
}
