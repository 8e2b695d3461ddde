/* test_files.c - unit tests of atomic writes, whole-file reads, mkdirs and dump retention. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/fileutil.h"
#include "capture/retention.h"
#include "tap.h"

static int count_entries(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	while (d && (de = readdir(d)))
		if (!strncmp(de->d_name, prefix, strlen(prefix)))
			n++;
	if (d)
		closedir(d);
	return n;
}

static void touch(int dfd, const char *name, size_t bytes, time_t age_s)
{
	char buf[4096] = { 0 };
	int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_TRUNC, 0640);
	struct timespec ts[2];

	while (bytes > 0) {
		size_t n = bytes < sizeof(buf) ? bytes : sizeof(buf);

		if (write(fd, buf, n) < 0)
			break;
		bytes -= n;
	}
	close(fd);
	clock_gettime(CLOCK_REALTIME, &ts[0]);
	ts[0].tv_sec -= age_s;
	ts[1] = ts[0];
	utimensat(dfd, name, ts, 0);
}

int main(void)
{
	char tmpl[] = "/tmp/spiketrace-test-XXXXXX";
	char *dir = mkdtemp(tmpl), path[512], *data = NULL;
	struct retention_policy pol = { 0 };
	struct retention_result rr;
	struct stat st;
	size_t len = 0;
	int dfd;

	ok(dir != NULL, "temp dir");
	dfd = open(dir, O_RDONLY | O_DIRECTORY);
	umask(022);
	is_int(file_write_atomic(dfd, "a.json", "hello", 5, 0640), 0, "atomic write");
	snprintf(path, sizeof(path), "%s/a.json", dir);
	is_int(file_read_all(path, 100, &data, &len), 0, "read back");
	is_str(data, "hello", "contents");
	free(data);
	ok(stat(path, &st) == 0 && (st.st_mode & 0777) == 0640, "mode 0640");
	is_int(file_write_atomic(dfd, "a.json", "bye", 3, 0600), 0, "replace");
	file_read_all(path, 100, &data, &len);
	is_str(data, "bye", "replaced whole");
	free(data);
	is_int(count_entries(dir, "."), 2, "no temp file left behind (only . and ..)");
	is_int(file_read_all(path, 2, &data, &len), -EFBIG, "size limit");
	is_int(file_read_all(dir, 100, &data, &len), -EISDIR, "a directory is refused");
	is_int(file_read_all("/nonexistent", 100, &data, &len), -ENOENT, "missing file");
	/* a FIFO without a writer would block a plain open() for ever: the alarm fails the test */
	snprintf(path, sizeof(path), "%s/fifo.json", dir);
	ok(mkfifo(path, 0600) == 0, "mkfifo");
	alarm(5);
	is_int(file_read_all(path, 100, &data, &len), -EBADFD, "a FIFO is refused, not waited on");
	is_int(file_open_regular(path, NULL), -EBADFD, "file_open_regular refuses it too");
	alarm(0);
	is_str(file_strerror(-EBADFD), "not a regular file", "and says why");
	unlink(path);
	len = 99;
	is_int(file_read_all("/dev/null", 100, &data, &len), 0, "/dev/null reads");
	ok(data && !data[0] && len == 0, "as empty");
	free(data);
	is_int(file_read_all("/dev/zero", 100, &data, &len), -EBADFD, "other devices are refused");
	{
		struct stat fst;
		int fd;

		snprintf(path, sizeof(path), "%s/a.json", dir);
		fd = file_open_regular(path, &fst);
		ok(fd >= 0 && fst.st_size == 3,
		   "file_open_regular opens a regular file, with its fstat");
		ok(fd >= 0 && !(fcntl(fd, F_GETFL) & O_NONBLOCK), "without O_NONBLOCK");
		if (fd >= 0)
			close(fd);
	}
	is_int(file_write_atomic(-1, "x", "y", 1, 0640), -EBADF, "bad dir fd is an error");

	snprintf(path, sizeof(path), "%s/d1/d2/d3", dir);
	is_int(file_mkdirs(path, 0750), 0, "mkdirs");
	is_int(file_mkdirs(path, 0750), 0, "mkdirs again is fine");
	snprintf(path, sizeof(path), "%s/a.json/x", dir);
	ok(file_mkdirs(path, 0750) < 0, "mkdirs through a file fails");

	/* retention: 6 dumps of 10 KiB, plus files that are not dumps */
	for (int i = 0; i < 6; i++) {
		char name[64];

		snprintf(name, sizeof(name), "spike_2026010%dT000000.000Z_cpu_delta_1.json", i);
		touch(dfd, name, 10240, (time_t)(6 - i) * 86400);
	}
	touch(dfd, "notes.txt", 10, 30 * 86400);
	touch(dfd, "spike_partial.json.tmp", 10, 30 * 86400);
	is_int(retention_enforce(dfd, &pol, clock_real_ns(), &rr), 0, "no limits");
	is_int(rr.deleted, 0, "no limits delete nothing");
	is_int(rr.kept, 6, "six dumps seen");
	pol.max_dumps = 4;
	retention_enforce(dfd, &pol, clock_real_ns(), &rr);
	is_int(rr.deleted, 2, "max_dumps 4 deletes two");
	ok(faccessat(dfd, "spike_20260100T000000.000Z_cpu_delta_1.json", F_OK, 0) < 0 &&
		   faccessat(dfd, "spike_20260102T000000.000Z_cpu_delta_1.json", F_OK, 0) == 0,
	   "the oldest by name went first");
	pol.max_dumps = 0;
	pol.max_total_bytes = 25000;
	retention_enforce(dfd, &pol, clock_real_ns(), &rr);
	is_int(rr.kept, 2, "max bytes keeps what fits");
	ok(rr.kept_bytes <= 25000, "under the byte limit");
	pol.max_total_bytes = 5000;
	retention_enforce(dfd, &pol, clock_real_ns(), &rr);
	is_int(rr.kept, 1, "a byte limit below one dump keeps the newest");
	ok(faccessat(dfd, "spike_20260105T000000.000Z_cpu_delta_1.json", F_OK, 0) == 0,
	   "the one kept is the newest");
	pol.max_total_bytes = 0;
	pol.max_age_ns = (uint64_t)(1.5 * 86400) * 1000000000ULL;
	retention_enforce(dfd, &pol, clock_real_ns(), &rr);
	is_int(rr.kept, 1, "max age keeps the young one");
	ok(faccessat(dfd, "spike_20260105T000000.000Z_cpu_delta_1.json", F_OK, 0) == 0,
	   "the young one is the newest");
	ok(faccessat(dfd, "notes.txt", F_OK, 0) == 0 &&
		   faccessat(dfd, "spike_partial.json.tmp", F_OK, 0) == 0,
	   "files that are not dumps are never touched");
	close(dfd);
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		ok(system(cmd) == 0, "cleanup");
	}
	return done_testing();
}
