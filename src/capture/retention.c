/* retention.c - deletes the oldest spike dumps beyond count, bytes and age limits. */
#include "capture/retention.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/xalloc.h"

struct dump_file {
	char *name;
	uint64_t bytes;
	uint64_t mtime_ns;
};

static int by_name(const void *a, const void *b)
{
	return strcmp(((const struct dump_file *)a)->name, ((const struct dump_file *)b)->name);
}

static bool is_dump_name(const char *n)
{
	size_t len = strlen(n);

	return len > 11 && !strncmp(n, "spike_", 6) && !strcmp(n + len - 5, ".json");
}

int retention_enforce(int dirfd, const struct retention_policy *p, uint64_t now_real_ns,
		      struct retention_result *res)
{
	struct dump_file *files = NULL;
	size_t n = 0, cap = 0;
	uint64_t total = 0;
	struct dirent *de;
	DIR *dir;
	int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	memset(res, 0, sizeof(*res));
	if (fd < 0)
		return -errno;
	dir = fdopendir(fd);
	if (!dir) {
		int e = -errno;

		close(fd);
		return e;
	}
	while ((de = readdir(dir))) {
		struct stat st;

		if (!is_dump_name(de->d_name))
			continue;
		if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) < 0 ||
		    !S_ISREG(st.st_mode))
			continue;
		XGROW(files, cap, n + 1);
		files[n].name = xstrdup(de->d_name);
		files[n].bytes = (uint64_t)st.st_size;
		files[n].mtime_ns =
			(uint64_t)st.st_mtim.tv_sec * 1000000000ULL + (uint64_t)st.st_mtim.tv_nsec;
		total += files[n].bytes;
		n++;
	}
	closedir(dir);
	if (n)
		qsort(files, n, sizeof(*files), by_name);

	for (size_t i = 0; i < n; i++) {
		size_t left = n - i;
		bool too_many = p->max_dumps > 0 && left > (size_t)p->max_dumps;
		/* the newest dump stays even when it alone is over the size limit */
		bool too_big = p->max_total_bytes > 0 && total > p->max_total_bytes && left > 1;
		bool too_old = p->max_age_ns > 0 && files[i].mtime_ns + p->max_age_ns < now_real_ns;

		if (too_many || too_big || too_old) {
			if (unlinkat(dirfd, files[i].name, 0) == 0 || errno == ENOENT) {
				total -= files[i].bytes;
				res->deleted++;
				continue;
			}
		}
		res->kept++;
	}
	res->kept_bytes = total;
	for (size_t i = 0; i < n; i++)
		free(files[i].name);
	free(files);
	return 0;
}
