/*
 * driver.c - bench/symbolize's timer: runs the generated program, reads the "name 0xADDRESS" lines
 * it prints, draws samples over those functions and times symbolizing them, cold and warm.
 */
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "sys/symbolize.h"

#define MAX_FUNCS  1024
#define ROUNDS	   5
#define MAX_OFFSET 16 /* samples land in the first bytes of a function: every body is longer */

struct func {
	char name[64];
	uint64_t addr;
};

static double now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static uint64_t xorshift(uint64_t *st)
{
	*st ^= *st << 13;
	*st ^= *st >> 7;
	*st ^= *st << 17;
	return *st;
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Starts prog with pipes on stdin and stdout; reads its functions until "ready". */
static pid_t start(const char *prog, int *in_fd, struct func *f, size_t *n)
{
	int in[2], out[2];
	char line[256];
	FILE *fp;
	pid_t pid;

	if (pipe(in) || pipe(out))
		exit(1);
	pid = fork();
	if (pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		close(in[1]);
		close(out[0]);
		execl(prog, prog, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	*in_fd = in[1];
	fp = fdopen(out[0], "r");
	*n = 0;
	while (fgets(line, sizeof(line), fp) && strncmp(line, "ready", 5))
		if (*n < MAX_FUNCS && sscanf(line, "%63s %" SCNx64, f[*n].name, &f[*n].addr) == 2)
			(*n)++;
	fclose(fp);
	return pid;
}

int main(int argc, char **argv)
{
	static struct func funcs[MAX_FUNCS];
	double cold[ROUNDS], warm[ROUNDS];
	size_t nfuncs, nsamples = argc > 2 ? strtoul(argv[2], NULL, 10) : 100000, i, r;
	size_t mismatch = 0, aliases = 0, with_line = 0, failed = 0, distinct;
	uint64_t *ip, st = 0x9e3779b97f4a7c15ULL;
	uint32_t *which;
	struct symbolizer_stats stats;
	int in_fd, status;
	pid_t pid;

	if (argc < 2) {
		fprintf(stderr, "usage: driver PROGRAM [SAMPLES]\n");
		return 2;
	}
	pid = start(argv[1], &in_fd, funcs, &nfuncs);
	if (nfuncs == 0) {
		fprintf(stderr, "driver: '%s' printed no functions\n", argv[1]);
		return 1;
	}
	ip = xcalloc(nsamples, sizeof(*ip));
	which = xcalloc(nsamples, sizeof(*which));
	for (i = 0; i < nsamples; i++) {
		which[i] = (uint32_t)(xorshift(&st) % nfuncs);
		ip[i] = funcs[which[i]].addr + xorshift(&st) % MAX_OFFSET;
	}
	for (r = 0; r < ROUNDS; r++) {
		struct symbolizer *s;
		struct sym y;
		double t0 = now_ms(), t1, t2;

		s = symbolizer_new();
		if (symbolizer_load_maps(s, pid) != 0) {
			fprintf(stderr, "driver: cannot read the maps of %d\n", (int)pid);
			return 1;
		}
		for (i = 0; i < nsamples; i++)
			symbolizer_lookup(s, pid, ip[i], &y);
		t1 = now_ms();
		for (i = 0; i < nsamples; i++)
			symbolizer_lookup(s, pid, ip[i], &y);
		t2 = now_ms();
		cold[r] = t1 - t0;
		warm[r] = t2 - t1;
		if (r == 0) {
			for (i = 0; i < nsamples; i++) {
				if (symbolizer_lookup(s, pid, ip[i], &y) != 0) {
					failed++;
					continue;
				}
				/* another name at the same start is an alias (fputs: _IO_fputs) */
				if (y.offset != ip[i] - funcs[which[i]].addr)
					mismatch++;
				else if (strcmp(y.function, funcs[which[i]].name) != 0)
					aliases++;
				with_line += y.file && y.line > 0;
				if (getenv("DRIVER_DEBUG") && !(y.file && y.line > 0))
					fprintf(stderr, "no line: %s+%#" PRIx64 "\n", y.function,
						y.offset);
			}
			symbolizer_get_stats(s, &stats);
		}
		symbolizer_free(s);
	}
	close(in_fd);
	waitpid(pid, &status, 0);
	qsort(cold, ROUNDS, sizeof(double), cmp_double);
	qsort(warm, ROUNDS, sizeof(double), cmp_double);
	distinct = (size_t)(stats.lookups - stats.cache_hits);
	printf("functions %zu, ELF files opened %u, distinct addresses %zu\n", nfuncs,
	       stats.elf_opened, distinct);
	printf("check: %zu unresolved, %zu in another function, %zu named by an alias, %zu with "
	       "file:line\n",
	       failed, mismatch, aliases, with_line);
	printf("median of %d rounds (min cold %.1f ms, max cold %.1f ms); warm %.0f ns a lookup\n",
	       ROUNDS, cold[0], cold[ROUNDS - 1], warm[ROUNDS / 2] * 1e6 / (double)nsamples);
	printf("symbolize %zu samples: cold %.1f ms, warm %.1f ms\n", nsamples, cold[ROUNDS / 2],
	       warm[ROUNDS / 2]);
	printf("ratio cold/1000ms: %.3f\n", cold[ROUNDS / 2] / 1000.0);
	free(ip);
	free(which);
	return failed || mismatch ? 1 : 0;
}
