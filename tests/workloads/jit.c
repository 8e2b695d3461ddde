/* jit.c - profiler workload: a loop in code generated at run time, named in /tmp/perf-PID.map as
 * JITs do (x86-64). jit S: S seconds of its own CPU time (default 1). The map is left for the
 * profiler to read after the exit: the caller removes it. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

static double cpu_seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
#if defined(__x86_64__)
	/* mov rcx, 2000000; 1: dec rcx; jnz 1b; ret */
	static const unsigned char code[] = { 0x48, 0xb9, 0x80, 0x84, 0x1e, 0x00, 0x00, 0x00,
					      0x00, 0x00, 0x48, 0xff, 0xc9, 0x75, 0xfb, 0xc3 };
	double seconds = argc > 1 ? atof(argv[1]) : 1.0, end = cpu_seconds() + seconds;
	unsigned char *p =
		mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	char path[64];
	FILE *f;

	if (p == MAP_FAILED)
		return 1;
	memcpy(p, code, sizeof(code));
	if (mprotect(p, 4096, PROT_READ | PROT_EXEC) < 0)
		return 1;
	snprintf(path, sizeof(path), "/tmp/perf-%d.map", (int)getpid());
	f = fopen(path, "w");
	if (!f)
		return 1;
	fprintf(f, "%lx %zx jit_hot_loop\n", (unsigned long)p, sizeof(code));
	fclose(f);
	do
		((void (*)(void))p)();
	while (cpu_seconds() < end);
	return 0;
#else
	(void)argc;
	(void)argv;
	return 77; /* no code generator for this architecture */
#endif
}
