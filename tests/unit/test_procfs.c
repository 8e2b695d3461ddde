/* test_procfs.c - unit tests of sys/procfs: parsers, the fixture proc tree and the real /proc. */
#include "sys/procfs.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/strbuf.h"
#include "base/xalloc.h"
#include "tap.h"

#define LONG_PID	  31337
#define LONG_CMDLINE_ARGS 12800 /* "aNNNNNN" x 12800: 102400 bytes with the NULs */

static char tmp_root[] = "/tmp/test_procfs.XXXXXX";

static void write_file(const char *dir, const char *name, const char *data, size_t len)
{
	char *path = xasprintf("%s/%s", dir, name);
	FILE *f = fopen(path, "w");

	if (!f || fwrite(data, 1, len, f) != len || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
	free(path);
}

static void write_str(const char *dir, const char *name, const char *s)
{
	write_file(dir, name, s, strlen(s));
}

/* Copies fixture file name into dir (same name). */
static void copy_fixture(const char *fix, const char *dir, const char *name)
{
	char *src = xasprintf("%s/%s", fix, name), *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	int fd = open(src, O_RDONLY | O_CLOEXEC);

	n = fd < 0 ? -1 : procfs_pread_all(fd, &buf, &cap);
	if (n < 0) {
		perror(src);
		exit(1);
	}
	write_file(dir, name, buf, (size_t)n);
	close(fd);
	free(buf);
	free(src);
}

static void make_dir(const char *path)
{
	if (mkdir(path, 0755) < 0) {
		perror(path);
		exit(1);
	}
}

/*
 * A second tree built at run time: the system files without pressure/ (a
 * kernel without PSI), a process with a ~100 KB cmdline and one whose status
 * has no Uid line.
 */
static void make_tmp_tree(const char *fix)
{
	char *dir, *cmd;
	size_t i, off = 0, cap = LONG_CMDLINE_ARGS * 10;

	if (!mkdtemp(tmp_root)) {
		perror("mkdtemp");
		exit(1);
	}
	copy_fixture(fix, tmp_root, "stat");
	copy_fixture(fix, tmp_root, "meminfo");
	copy_fixture(fix, tmp_root, "loadavg");

	dir = xasprintf("%s/%d", tmp_root, LONG_PID);
	make_dir(dir);
	cmd = xmalloc(cap);
	for (i = 0; i < LONG_CMDLINE_ARGS; i++)
		off += (size_t)sprintf(cmd + off, "a%06zu", i) + 1; /* keeps the NUL */
	write_file(dir, "cmdline", cmd, off);
	write_str(dir, "status", "Name:\tbig\nState:\tS (sleeping)\nPid:\t31337\n");
	free(cmd);
	free(dir);
}

static void remove_tmp_tree(void)
{
	char *cmd = xasprintf("rm -rf '%s'", tmp_root);

	if (system(cmd) != 0)
		diag("could not remove the temporary tree");
	free(cmd);
}

static int cmp_int(const void *a, const void *b)
{
	int x = *(const int *)a, y = *(const int *)b;

	return (x > y) - (x < y);
}

static bool has_pid(const int *pids, int n, int pid)
{
	int i;

	for (i = 0; i < n; i++)
		if (pids[i] == pid)
			return true;
	return false;
}

static int parse_stat_str(const char *s, struct sys_stat *st)
{
	return procfs_parse_stat(s, strlen(s), st);
}

static void test_fixture_system(struct procfs *pf)
{
	struct sys_stat st = { 0 };
	struct cpu_times *first;
	struct meminfo m;
	struct loadavg la;
	struct psi psi;

	is_int(procfs_read_stat(pf, &st), 0, "read_stat on the fixture");
	is_int(st.ncpu, 4, "ncpu is the highest cpuN + 1 (cpu2 offline)");
	is_int(st.total.user, 918273, "total user");
	is_int(st.total.steal, 2210, "total steal");
	is_int(st.cpu[1].idle, 2941207, "cpu1 idle");
	ok(st.cpu[2].user == 0 && st.cpu[2].idle == 0 && st.cpu[2].steal == 0,
	   "offline cpu2 reads as zeros");
	is_int(st.cpu[3].system, 100318, "cpu3 system");
	is_int(st.ctxt, 48211093, "ctxt");
	is_int(st.btime, 1795297890, "btime");
	is_int(st.processes, 73311, "processes");
	ok(st.procs_running == 3 && st.procs_blocked == 1, "procs_running and procs_blocked");
	first = st.cpu;
	is_int(procfs_read_stat(pf, &st), 0, "second read_stat");
	ok(st.cpu == first && st.ncpu == 4, "second read reuses the cpu array");
	procfs_sys_stat_release(&st);
	ok(st.cpu == NULL && st.ncpu == 0, "sys_stat_release empties");

	is_int(procfs_read_meminfo(pf, &m), 0, "read_meminfo on the fixture");
	ok(m.total_kib == 8043216 && m.free_kib == 912344 && m.available_kib == 5120788,
	   "MemTotal, MemFree, MemAvailable");
	ok(m.buffers_kib == 204816 && m.cached_kib == 3871204 && m.shmem_kib == 88124,
	   "Buffers, Cached, Shmem");
	ok(m.active_kib == 2984112 && m.inactive_kib == 3301568, "Active and Inactive, not (anon)");
	ok(m.dirty_kib == 1532 && m.slab_kib == 412876, "Dirty and Slab");
	ok(m.swap_total_kib == 2097148 && m.swap_free_kib == 2031612, "SwapTotal and SwapFree");

	is_int(procfs_read_loadavg(pf, &la), 0, "read_loadavg on the fixture");
	is_double(la.load1, 1.27, 1e-9, "load1");
	ok(fabs(la.load5 - 0.83) < 1e-9 && fabs(la.load15 - 0.41) < 1e-9, "load5 and load15");
	ok(la.running == 3 && la.total == 412, "running/total");

	is_int(procfs_read_psi(pf, "cpu", &psi), 0, "read_psi cpu");
	ok(psi.present && psi.has_full, "cpu PSI present with a full line");
	is_double(psi.some.avg10, 2.04, 1e-9, "cpu some avg10");
	is_int(psi.some.total_us, 81234567, "cpu some total");
	is_int(procfs_read_psi(pf, "memory", &psi), 0, "read_psi memory");
	is_double(psi.full.avg60, 0.25, 1e-9, "memory full avg60");
	is_int(procfs_read_psi(pf, "io", &psi), 0, "read_psi io");
	ok(fabs(psi.some.avg300 - 1.75) < 1e-9 && psi.full.total_us == 98123004,
	   "io some avg300 and full total");
	is_int(procfs_read_psi(pf, "irq-ish", &psi), -EINVAL, "unknown PSI resource");
}

static void test_parse_stat(void)
{
	struct sys_stat st = { 0 };
	const char *old = "cpu  100 2 30 4000\ncpu0 100 2 30 4000\nctxt 5\nbtime 6\n";
	const char *nonl = "cpu 1 2 3 4 5 6 7 8 9 10\ncpu0 1 2 3 4 5 6 7 8 9 10\nprocesses 9";
	const char *grow = "cpu 1 1 1 1\ncpu0 1 1 1 1\ncpu7 7 0 0 70 1\n";

	is_int(parse_stat_str(old, &st), 0, "2.4-style four-column cpu lines");
	ok(st.total.user == 100 && st.total.idle == 4000 && st.total.iowait == 0 &&
		   st.total.steal == 0,
	   "missing columns read as zero");
	ok(st.ncpu == 1 && st.ctxt == 5 && st.btime == 6, "ncpu, ctxt and btime of the old format");
	is_int(parse_stat_str(nonl, &st), 0, "no trailing newline");
	ok(st.total.steal == 8 && st.processes == 9, "last column kept, guest ignored, last line");
	is_int(parse_stat_str(grow, &st), 0, "a later read with more cpus");
	ok(st.ncpu == 8 && st.cpu[7].idle == 70 && st.cpu[7].iowait == 1 && st.cpu[3].user == 0,
	   "cpu array grew to 8 with zeros in the gap");
	is_int(parse_stat_str("ctxt 5\nbtime 6\n", &st), -EINVAL, "no cpu line");
	is_int(parse_stat_str("cpu 1 2 3 4\ncpu0 12x 0 0 0\n", &st), -EINVAL, "garbage number");
	is_int(parse_stat_str("cpu 1 2 3\n", &st), -EINVAL, "too few columns");
	is_int(parse_stat_str("cpu 1 2 3 4\nctxt 99999999999999999999\n", &st), -EINVAL,
	       "overflowing counter");
	is_int(parse_stat_str("cpu 1 2 3 4\ncpu4000000000 1 2 3 4\n", &st), -EINVAL,
	       "absurd cpu number");
	is_int(parse_stat_str("cpu 1 2 3 4\nprocs_running 4294967296\n", &st), -EINVAL,
	       "procs_running beyond int");
	is_int(procfs_parse_stat("", 0, &st), -EINVAL, "empty /proc/stat");
	procfs_sys_stat_release(&st);
}

static void test_parse_meminfo(void)
{
	const char *old = "MemTotal: 1000 kB\nMemFree: 100 kB\nBuffers: 20 kB\nCached: 300 kB\n";
	const char *odd = "Weird line\nFuture(x): abc\nMemTotal:\t  42 kB\n:\n";
	struct meminfo m;

	is_int(procfs_parse_meminfo(old, strlen(old), &m), 0, "meminfo of a pre-3.14 kernel");
	is_int(m.available_kib, 420, "MemAvailable estimated as free + buffers + cached");
	is_int(procfs_parse_meminfo(odd, strlen(odd), &m), 0, "unknown and odd lines are ignored");
	is_int(m.total_kib, 42, "MemTotal among odd lines");
	is_int(procfs_parse_meminfo("MemTotal: lots kB\n", 18, &m), -EINVAL, "garbage MemTotal");
	is_int(procfs_parse_meminfo("MemFree: 1 kB\n", 14, &m), -EINVAL, "no MemTotal");
	/* a truncated buffer: the digits stop at len, not at a NUL */
	is_int(procfs_parse_meminfo("MemTotal: 12345 kB", 13, &m), 0, "value cut at len");
	is_int(m.total_kib, 123, "no read past len");
}

static void test_parse_loadavg(void)
{
	struct loadavg la;

	is_int(procfs_parse_loadavg("0.00 0.01 12.50 1/84", 20, &la), 0,
	       "loadavg without last pid");
	ok(la.load15 == 12.5 && la.total == 84, "load15 and total");
	is_int(procfs_parse_loadavg("0.1 0.2\n", 8, &la), -EINVAL, "two loads only");
	is_int(procfs_parse_loadavg("1.0 2.0 3.0 1-84 5\n", 19, &la), -EINVAL, "no slash");
	is_int(procfs_parse_loadavg("nan 2.0 3.0 1/84 5\n", 19, &la), -EINVAL, "nan is refused");
	is_int(procfs_parse_loadavg("1.0 2.0 3.0 1/", 14, &la), -EINVAL, "cut after the slash");
}

static void test_parse_psi(struct procfs *real)
{
	const char *some = "some avg10=0.50 avg60=0.25 avg300=0.10 total=1234\n";
	const char *bad = "some avg10=0.50 avg60=x avg300=0.10 total=1\n";
	struct psi psi;

	is_int(procfs_parse_psi(some, strlen(some), &psi), 0, "PSI without a full line");
	ok(psi.present && !psi.has_full && psi.some.total_us == 1234, "has_full is false");
	is_int(procfs_parse_psi(bad, strlen(bad), &psi), -EINVAL, "garbage PSI value");
	ok(!psi.present, "garbage PSI is not present");
	is_int(procfs_parse_psi("some avg10=1.00 total=5\n", 24, &psi), -EINVAL, "missing keys");
	is_int(procfs_parse_psi("full avg10=0 avg60=0 avg300=0 total=0\n", 38, &psi), -EINVAL,
	       "full without some");
	if (real) {
		int err = procfs_read_psi(real, "memory", &psi);

		ok(err == 0 ? psi.present : err == -ENOENT && !psi.present,
		   "real memory PSI reads or is absent (%d)", err);
	}
}

static void test_absent_psi(void)
{
	struct procfs *pf = procfs_open(tmp_root);
	struct psi psi = { .present = true };
	struct sys_stat st = { 0 };

	ok(pf != NULL, "open a tree without pressure/");
	if (!pf)
		return;
	is_int(procfs_read_psi(pf, "cpu", &psi), -ENOENT, "absent PSI gives -ENOENT");
	ok(!psi.present, "absent PSI is not present");
	is_int(procfs_read_stat(pf, &st), 0, "the other files still read");
	procfs_sys_stat_release(&st);
	procfs_free(pf);
}

static int parse_pid_str(const char *s, struct proc_stat *ps)
{
	return procfs_parse_pid_stat(s, strlen(s), ps);
}

static void read_fixture_pid_stat(struct procfs *pf, int pid, struct proc_stat *ps, int *err)
{
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	int fd = procfs_open_pid_file(pf, pid, "stat");

	*err = fd;
	if (fd < 0)
		return;
	n = procfs_pread_all(fd, &buf, &cap);
	close(fd);
	*err = n < 0 ? (int)n : procfs_parse_pid_stat(buf, (size_t)n, ps);
	free(buf);
}

static void test_pid_stat(struct procfs *pf)
{
	const char *spaces =
		"77 (my prog v2) S 1 77 77 0 -1 0 1 2 3 4 5 6 7 8 20 0 3 0 99 4096 12 0";
	const char *cut = "77 (x) S 1 77 77 0 -1 0 1 2 3 4 5 6 7 8 20 0 3 0 99 4096\n";
	char longcomm[200];
	struct proc_stat ps;
	int err;

	read_fixture_pid_stat(pf, 1, &ps, &err);
	is_int(err, 0, "parse fixture 1/stat");
	ok(ps.pid == 1 && strcmp(ps.comm, "systemd") == 0 && ps.state == 'S', "pid, comm, state");
	ok(ps.ppid == 0 && ps.pgid == 1 && ps.sid == 1, "ppid, pgid, sid");
	ok(ps.minflt == 51234 && ps.majflt == 112, "minflt and majflt");
	ok(ps.utime == 712 && ps.stime == 1533, "utime and stime");
	ok(ps.num_threads == 1 && ps.starttime == 28, "num_threads and starttime");
	ok(ps.vsize_bytes == 172531712 && ps.rss_pages == 3242, "vsize and rss");

	read_fixture_pid_stat(pf, 4242, &ps, &err);
	is_int(err, 0, "parse fixture 4242/stat");
	is_str(ps.comm, "(a) b)", "comm with parentheses, a space and ')'");
	ok(ps.state == 'R' && ps.ppid == 1 && ps.pgid == 4240 && ps.num_threads == 4,
	   "fields after a tricky comm");
	ok(ps.utime == 3051 && ps.rss_pages == 10213, "utime and rss after a tricky comm");

	is_int(parse_pid_str(spaces, &ps), 0, "comm with spaces, no trailing newline");
	ok(strcmp(ps.comm, "my prog v2") == 0 && ps.rss_pages == 12, "comm and rss");
	is_int(parse_pid_str(cut, &ps), -EINVAL, "line truncated before rss");
	is_int(parse_pid_str("77 (x S 1 2 3", &ps), -EINVAL, "no ')'");
	is_int(parse_pid_str("77 (x)", &ps), -EINVAL, "nothing after the comm");
	is_int(parse_pid_str("x (y) S 1", &ps), -EINVAL, "non-numeric pid");
	is_int(parse_pid_str("7 (x) S -1 7 7 0 -1 0 1 2 3 4 5 6 7 8 20 0 3 0 -9 4096 1", &ps),
	       -EINVAL, "negative starttime refused");

	memset(longcomm, 'c', sizeof(longcomm));
	memcpy(longcomm, "5 (", 3);
	strcpy(longcomm + 103, ") S 1 5 5 0 -1 0 1 2 3 4 5 6 7 8 20 0 3 0 99 4096 12\n");
	is_int(parse_pid_str(longcomm, &ps), 0, "100-char comm");
	is_int(strlen(ps.comm), 63, "comm is cut to 63 chars");
}

static void test_list_pids(struct procfs *pf, struct procfs *real)
{
	int *pids = NULL, n, status;
	size_t cap = 0;
	pid_t child;

	n = procfs_list_pids(pf, &pids, &cap);
	is_int(n, 3, "three pids in the fixture");
	if (n == 3) {
		qsort(pids, 3, sizeof(*pids), cmp_int);
		ok(pids[0] == 1 && pids[1] == 2 && pids[2] == 4242, "exactly 1, 2 and 4242");
	}
	is_int(procfs_list_pids(pf, &pids, &cap), 3, "a second listing rewinds");
	if (real) {
		n = procfs_list_pids(real, &pids, &cap);
		ok(n > 0 && has_pid(pids, n, getpid()), "real /proc lists getpid() among %d", n);
		child = fork();
		if (child == 0) {
			pause();
			_exit(0);
		}
		n = procfs_list_pids(real, &pids, &cap);
		ok(child > 0 && has_pid(pids, n, child),
		   "a new process shows up in the next listing");
		if (child > 0) {
			kill(child, SIGKILL);
			waitpid(child, &status, 0);
		}
	}
	free(pids);
}

static void test_cmdline(struct procfs *pf, struct procfs *real, int argc, char **argv)
{
	struct procfs *tmp = procfs_open(tmp_root);
	size_t len = 99, i, off;
	char *s = NULL, want[16];
	bool same = true;
	int err;

	err = procfs_read_cmdline(pf, 1, &s, &len);
	is_int(err, 0, "read_cmdline of fixture pid 1");
	is_str(s, "/lib/systemd/systemd --system --deserialize=31", "NULs become spaces");
	free(s);
	err = procfs_read_cmdline(pf, 2, &s, &len);
	ok(err == 0 && len == 0 && s && s[0] == '\0', "a kernel thread has an empty cmdline");
	free(s);
	err = procfs_read_cmdline(pf, 4242, &s, NULL);
	is_str(s, "./weird tool --name (a) b)", "trailing NULs are dropped, len may be NULL");
	free(s);
	is_int(procfs_read_cmdline(pf, 999, &s, &len), -ENOENT, "cmdline of a missing pid");

	if (tmp) {
		err = procfs_read_cmdline(tmp, LONG_PID, &s, &len);
		is_int(len, LONG_CMDLINE_ARGS * 8 - 1, "a ~100 KB cmdline is read whole");
		for (i = 0, off = 0; err == 0 && same && i < LONG_CMDLINE_ARGS; i++, off += 8) {
			snprintf(want, sizeof(want), "a%06zu", i);
			same = memcmp(s + off, want, 7) == 0 &&
			       (i + 1 == LONG_CMDLINE_ARGS ? s[off + 7] == '\0'
							   : s[off + 7] == ' ');
		}
		ok(err == 0 && same, "every argument of the long cmdline in place");
		free(s);
		procfs_free(tmp);
	}

	if (real) {
		struct strbuf args = STRBUF_INIT;
		int a;

		for (a = 0; a < argc; a++) {
			if (a)
				strbuf_addc(&args, ' ');
			strbuf_adds(&args, argv[a]);
		}
		err = procfs_read_cmdline(real, getpid(), &s, &len);
		is_int(err, 0, "read_cmdline of this process");
		is_str(s, strbuf_str(&args), "own cmdline is argv joined with spaces");
		free(s);
		strbuf_release(&args);
	}
}

static void test_uid(struct procfs *pf, struct procfs *real)
{
	struct procfs *tmp = procfs_open(tmp_root);
	uid_t uid = 12345;

	is_int(procfs_read_uid(pf, 4242, &uid), 0, "read_uid of fixture 4242");
	is_int(uid, 1000, "uid 1000");
	ok(procfs_read_uid(pf, 1, &uid) == 0 && uid == 0, "pid 1 is root");
	if (tmp) {
		is_int(procfs_read_uid(tmp, LONG_PID, &uid), -EINVAL, "status without Uid:");
		procfs_free(tmp);
	}
	if (real)
		ok(procfs_read_uid(real, getpid(), &uid) == 0 && uid == getuid(),
		   "own uid from the real /proc");
}

/* A stat fd of a process that has gone: the kernel answers ESRCH to the read. */
static void test_gone(struct procfs *real)
{
	char *buf = NULL;
	size_t cap = 0;
	pid_t child;
	int fd, status;
	ssize_t n;

	child = fork();
	if (child == 0)
		_exit(0);
	if (child < 0) {
		ok(0, "fork: %s", strerror(errno));
		return;
	}
	fd = procfs_open_pid_file(real, child, "stat");
	ok(fd >= 0, "open the child's stat (fd %d)", fd);
	waitpid(child, &status, 0);
	n = fd >= 0 ? procfs_pread_all(fd, &buf, &cap) : 0;
	is_int(n, -ESRCH, "pread_all after the child was reaped gives -ESRCH");
	if (fd >= 0)
		close(fd);
	is_int(procfs_open_pid_file(real, child, "stat"), -ENOENT, "opening it now gives -ENOENT");
	free(buf);
}

static void test_real_pid_stat(struct procfs *real)
{
	struct proc_stat ps = { 0 };
	char *buf = NULL;
	size_t cap = 0;
	ssize_t n;
	int fd = procfs_open_pid_file(real, getpid(), "stat");

	n = fd < 0 ? fd : procfs_pread_all(fd, &buf, &cap);
	ok(n > 0 && procfs_parse_pid_stat(buf, (size_t)n, &ps) == 0, "parse own /proc stat");
	ok(ps.pid == getpid() && ps.ppid == getppid() && ps.num_threads == 1,
	   "own pid, ppid, one thread");
	if (fd >= 0)
		close(fd);
	free(buf);
}

static void test_real_system(struct procfs *real)
{
	struct sys_stat st = { 0 };
	struct meminfo m;
	struct loadavg la;
	int err = procfs_read_stat(real, &st);

	ok(err == 0 && st.ncpu >= 1 && st.btime > 0, "real /proc/stat (%d cpus)", st.ncpu);
	ok(procfs_read_meminfo(real, &m) == 0 && m.total_kib > 0, "real meminfo");
	ok(procfs_read_loadavg(real, &la) == 0 && la.total > 0, "real loadavg");
	procfs_sys_stat_release(&st);
}

static void test_schedstat_parse(void)
{
	uint64_t ns = 7;

	ok(procfs_parse_schedstat("123456789 2000 15\n", 18, &ns) == 0 && ns == 123456789,
	   "schedstat: the first field is the time on CPU in ns");
	ok(procfs_parse_schedstat("0 0 0\n", 6, &ns) == 0 && ns == 0, "schedstat: zero");
	ok(procfs_parse_schedstat("", 0, &ns) == -EINVAL, "schedstat: empty is an error");
	ok(procfs_parse_schedstat("x12 3", 5, &ns) == -EINVAL, "schedstat: not a number");
	ok(procfs_parse_schedstat("99999999999999999999999 1", 25, &ns) == -ERANGE,
	   "schedstat: overflow is refused");
	ok(procfs_parse_schedstat("12a 3", 5, &ns) == -EINVAL, "schedstat: junk after the number");
}

struct fd_seen {
	int fd;
	char target[256];
	int count;
};

static void note_fd(void *arg, int fd, const char *target)
{
	struct fd_seen *s = arg;

	s->count++;
	if (fd == s->fd)
		snprintf(s->target, sizeof(s->target), "%s", target);
}

/* On this very process: its threads' schedstat sum, and its open fds. */
static void test_real_detail(struct procfs *real)
{
	struct fd_seen seen = { 0 };
	uint64_t a = 0, b = 0;
	volatile unsigned long x = 0;
	char *cg = NULL;

	ok(procfs_read_schedstat(real, getpid(), &a) == 0 && a > 0, "schedstat of self: %llu ns",
	   (unsigned long long)a);
	for (unsigned long i = 0; i < 50000000UL; i++)
		x += i;
	ok(procfs_read_schedstat(real, getpid(), &b) == 0 && b > a,
	   "it grows with CPU spent (%.1f ms)", (double)(b - a) / 1e6);
	ok(procfs_read_schedstat(real, 999999999, &a) < 0, "no such process: an error");
	seen.fd = open("/etc/hostname", O_RDONLY | O_CLOEXEC);
	ok(procfs_list_fds(real, getpid(), note_fd, &seen) >= 3 && seen.count >= 3,
	   "fds of self listed (%d)", seen.count);
	is_str(seen.target, "/etc/hostname", "the fd opened names its file");
	close(seen.fd);
	ok(procfs_list_fds(real, 999999999, note_fd, &seen) == -ENOENT, "fds of no process: ENOENT");
	ok(procfs_read_pid_file(real, getpid(), "cgroup", &cg) > 0 && cg && strchr(cg, ':'),
	   "the cgroup file of self is read");
	free(cg);
}

int main(int argc, char **argv)
{
	char *root = xasprintf("%s/proc", fixtures_dir());
	struct procfs *pf = procfs_open(root), *real = procfs_open("/proc");

	if (!pf) {
		printf("# cannot open '%s': %s\n", root, strerror(errno));
		return done_testing() | 1;
	}
	if (!real)
		diag("no /proc: real-system tests are left out");
	make_tmp_tree(root);

	ok(procfs_rootfd(pf) >= 0, "fixture tree opened");
	ok(procfs_open("/nonexistent/proc") == NULL && errno == ENOENT, "open of a missing root");
	procfs_free(NULL);

	test_fixture_system(pf);
	test_parse_stat();
	test_parse_meminfo();
	test_parse_loadavg();
	test_parse_psi(real);
	test_absent_psi();
	test_pid_stat(pf);
	test_list_pids(pf, real);
	test_cmdline(pf, real, argc, argv);
	test_uid(pf, real);
	test_schedstat_parse();
	if (real) {
		test_real_detail(real);
		test_gone(real);
		test_real_pid_stat(real);
		test_real_system(real);
	}

	remove_tmp_tree();
	procfs_free(real);
	procfs_free(pf);
	free(root);
	return done_testing();
}
