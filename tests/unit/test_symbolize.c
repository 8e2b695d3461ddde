/* test_symbolize.c - unit tests of sys/symbolize on programs built and run at test time. */
#include "sys/symbolize.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "tap.h"

#define NO_SUCH_PID 0x3ffffff0 /* above pid_max's ceiling (2^22): never a live process */
#define FAKE_PID    0x3ffffff1
#define FAKE_PID2   0x3ffffff2

static char tmp_dir[] = "/tmp/test_symbolize.XXXXXX";
static char *fix_dir;
static bool have_clang;

/* A fixture program running, waiting on stdin, and the addresses it printed. */
struct child {
	pid_t pid;
	int in_fd;
	uint64_t target, inside, local, lib, qsort, jit, heap;
};

__attribute__((format(printf, 1, 2))) static int sh(const char *fmt, ...)
{
	char cmd[4096];
	va_list ap;
	int rc;

	va_start(ap, fmt);
	vsnprintf(cmd, sizeof(cmd), fmt, ap);
	va_end(ap);
	rc = system(cmd);
	return rc == 0 ? 0 : -1;
}

static void build_fixtures(void)
{
	const char *cf = "gcc -std=gnu11 -g -O0 -fno-omit-frame-pointer";
	const char *t = tmp_dir, *f = fix_dir;

	if (sh("command -v gcc >/dev/null && command -v strip >/dev/null") != 0)
		skip_all("gcc and strip are needed to build the fixture programs");
	if (sh("%s -shared -fPIC -o %s/libsym.so %s/symlib.c", cf, t, f) ||
	    sh("%s -rdynamic -o %s/target-pie %s/target.c -L%s -lsym -Wl,-rpath,%s", cf, t, f, t,
	       t) ||
	    sh("%s -no-pie -o %s/target-nopie %s/target.c -L%s -lsym -Wl,-rpath,%s", cf, t, f, t,
	       t) ||
	    sh("gcc -std=gnu11 -O0 -fno-omit-frame-pointer -rdynamic -o %s/target-nodebug "
	       "%s/target.c -L%s -lsym -Wl,-rpath,%s",
	       t, f, t, t) ||
	    sh("strip -o %s/target-stripped %s/target-pie", t, t) ||
	    sh("mkdir %s/del && cp %s/libsym.so %s/del/", t, t, t) ||
	    sh("%s -o %s/target-del %s/target.c -L%s/del -lsym -Wl,-rpath,%s/del", cf, t, f, t,
	       t)) {
		printf("Bail out! cannot build the fixtures of %s\n", f);
		exit(1);
	}
	/* clang emits no .debug_aranges by default: file:line must not depend on them */
	have_clang = sh("command -v clang >/dev/null") == 0 &&
		     sh("clang -g -O0 -fno-omit-frame-pointer -o %s/target-clang %s/target.c -L%s "
			"-lsym -Wl,-rpath,%s",
			t, f, t, t) == 0;
}

/* The line of fixture file holding "MARK:tag". */
static int marker_line(const char *file, const char *tag)
{
	char *path = xasprintf("%s/%s", fix_dir, file), *want = xasprintf("MARK:%s ", tag);
	char buf[512];
	FILE *f = fopen(path, "r");
	int n = 0, found = 0;

	while (f && fgets(buf, sizeof(buf), f)) {
		n++;
		if (strstr(buf, want)) {
			found = n;
			break;
		}
	}
	if (f)
		fclose(f);
	free(want);
	free(path);
	return found;
}

static void spawn(struct child *c, const char *prog)
{
	char *path = xasprintf("%s/%s", tmp_dir, prog), line[256];
	int in[2], out[2];
	FILE *f;

	memset(c, 0, sizeof(*c));
	if (pipe2(in, O_CLOEXEC) || pipe2(out, O_CLOEXEC)) {
		perror("pipe");
		exit(1);
	}
	c->pid = fork();
	if (c->pid == 0) {
		dup2(in[0], 0);
		dup2(out[1], 1);
		execl(path, path, (char *)NULL);
		_exit(127);
	}
	close(in[0]);
	close(out[1]);
	c->in_fd = in[1];
	f = fdopen(out[0], "r");
	while (fgets(line, sizeof(line), f) && strncmp(line, "ready", 5)) {
		char name[32];
		uint64_t a;

		if (sscanf(line, "%31s %" SCNx64, name, &a) != 2)
			continue;
		if (!strcmp(name, "target"))
			c->target = a;
		else if (!strcmp(name, "inside"))
			c->inside = a;
		else if (!strcmp(name, "local"))
			c->local = a;
		else if (!strcmp(name, "lib"))
			c->lib = a;
		else if (!strcmp(name, "qsort"))
			c->qsort = a;
		else if (!strcmp(name, "jit"))
			c->jit = a;
		else if (!strcmp(name, "heap"))
			c->heap = a;
	}
	fclose(f);
	free(path);
	if (!c->target || !c->lib || !c->jit) {
		printf("Bail out! %s printed no addresses\n", prog);
		exit(1);
	}
}

static void reap(struct child *c)
{
	int st;

	close(c->in_fd);
	waitpid(c->pid, &st, 0);
}

/* The first mapping of pid whose path ends with suffix (executable ones only when exec). */
static bool find_mapping(pid_t pid, const char *suffix, bool exec, uint64_t *start, uint64_t *end,
			 uint64_t *pgoff)
{
	char *path = xasprintf("/proc/%d/maps", (int)pid), line[1024];
	FILE *f = fopen(path, "r");
	bool found = false;

	while (f && !found && fgets(line, sizeof(line), f)) {
		char perms[5];
		int n = 0;
		size_t len, slen = strlen(suffix);

		line[strcspn(line, "\n")] = '\0';
		len = strlen(line);
		if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %4s %" SCNx64 " %*s %*u%n", start, end,
			   perms, pgoff, &n) != 4)
			continue;
		found = len > slen && !strcmp(line + len - slen, suffix) &&
			(!exec || perms[2] == 'x');
	}
	if (f)
		fclose(f);
	free(path);
	return found;
}

static const char *base(const char *path)
{
	const char *s = path ? strrchr(path, '/') : NULL;

	return s ? s + 1 : path;
}

static void test_pie(struct symbolizer *s)
{
	struct child c;
	struct sym y;
	struct symbolizer_stats st;
	int rc;

	spawn(&c, "target-pie");
	is_int(symbolizer_load_maps(s, c.pid), 0, "pie: maps of a live process load");

	rc = symbolizer_lookup(s, c.pid, c.target, &y);
	is_int(rc, 0, "pie: the entry of symbolize_target resolves");
	is_str(y.function, "symbolize_target", "pie: function from DWARF");
	is_int(y.source, SYM_SRC_DWARF, "pie: source is DWARF");
	is_str(y.module, "target-pie", "pie: module is the executable's basename");
	is_str(base(y.file), "target.c", "pie: file");
	is_int(y.line, marker_line("target.c", "target_entry"), "pie: line of the entry");
	ok(y.offset == 0 && !y.kernel, "pie: offset 0, not kernel");

	rc = symbolizer_lookup(s, c.pid, c.inside, &y);
	ok(rc == 0 && y.function && !strcmp(y.function, "symbolize_target") &&
		   y.offset == c.inside - c.target,
	   "pie: an address inside the function: same function, offset from its start");
	is_int(y.line, marker_line("target.c", "target_inside"), "pie: line inside the function");

	rc = symbolizer_lookup(s, c.pid, c.local, &y);
	ok(rc == 0 && y.function && !strcmp(y.function, "local_helper"),
	   "pie: a static function resolves");
	is_int(y.line, marker_line("target.c", "local_entry"), "pie: line of the static function");

	rc = symbolizer_lookup(s, c.pid, c.lib + 3, &y);
	ok(rc == 0 && y.function && !strcmp(y.function, "symlib_function") && y.offset == 3,
	   "shared library: function and offset");
	is_str(y.module, "libsym.so", "shared library: module");
	ok(y.file && !strcmp(base(y.file), "symlib.c") &&
		   y.line == marker_line("symlib.c", "lib_entry"),
	   "shared library: file:line");

	rc = symbolizer_lookup(s, c.pid, c.qsort, &y);
	ok(rc == 0 && y.function && !strcmp(y.function, "qsort") && y.module &&
		   !strncmp(y.module, "libc", 4),
	   "libc: qsort, by its exported name (source %d: DWARF with libc6-dbg, else .dynsym)",
	   rc == 0 ? (int)y.source : -1);
	ok(y.source != SYM_SRC_DWARF || (y.file && y.line > 0),
	   "libc: file:line when its debug file is installed");

	symbolizer_get_stats(s, &st);
	{
		uint64_t hits = st.cache_hits;
		const char *fn;

		symbolizer_lookup(s, c.pid, c.target, &y);
		fn = y.function;
		symbolizer_lookup(s, c.pid, c.target, &y);
		symbolizer_get_stats(s, &st);
		ok(st.cache_hits == hits + 2 && y.function == fn,
		   "the same address again is a cache hit with the same string");
	}

	rc = symbolizer_lookup(s, c.pid, c.heap, &y);
	is_int(rc, -ENOENT, "an address in no executable mapping fails cleanly");
	rc = symbolizer_lookup(s, c.pid, 0x10, &y);
	is_int(rc, -ENOENT, "an address below every mapping fails cleanly");

	/* JIT code: an anonymous executable page named by /tmp/perf-PID.map */
	rc = symbolizer_lookup(s, c.pid, c.jit + 0x10, &y);
	is_int(rc, -ENOENT, "jit: no perf map, no name");
	{
		char *map = xasprintf("/tmp/perf-%d.map", (int)c.pid);
		FILE *f = fopen(map, "w");

		fprintf(f, "%" PRIx64 " 40 jitted_first\n", c.jit);
		fprintf(f, "%" PRIx64 " 40 LazyCompile:*run /app.js:3\n", c.jit + 0x40);
		fclose(f);
		rc = symbolizer_lookup(s, c.pid, c.jit + 0x10, &y);
		ok(rc == 0 && y.function && !strcmp(y.function, "jitted_first") &&
			   y.offset == 0x10 && y.source == SYM_SRC_PERF_MAP,
		   "jit: perf map entry resolves with its offset");
		rc = symbolizer_lookup(s, c.pid, c.jit + 0x41, &y);
		is_str(rc == 0 ? y.function : NULL, "LazyCompile:*run /app.js:3",
		       "jit: names keep their spaces");
		f = fopen(map, "a");
		fprintf(f, "0x%" PRIx64 " 0x20 jitted_later\n", c.jit + 0x100);
		fclose(f);
		rc = symbolizer_lookup(s, c.pid, c.jit + 0x101, &y);
		is_str(rc == 0 ? y.function : NULL, "jitted_later",
		       "jit: entries appended later are read");
		rc = symbolizer_lookup(s, c.pid, c.jit + 0x200, &y);
		is_int(rc, -ENOENT, "jit: an address in no entry fails");
		unlink(map);
		free(map);
	}

	/* the vdso: its own exported functions (clock_gettime and friends) */
	{
		uint64_t start, end, pgoff, a;
		bool named = false;

		/* the symbolizer reads its own vdso, which valgrind hides */
		if (getauxval(AT_SYSINFO_EHDR) &&
		    find_mapping(c.pid, "[vdso]", true, &start, &end, &pgoff)) {
			for (a = start; a < end && !named; a += 4)
				named = symbolizer_lookup(s, c.pid, a, &y) == 0 &&
					y.source == SYM_SRC_DYNSYM && strstr(y.function, "gettime");
			ok(named, "vdso: code in [vdso] is named from its .dynsym (%s)",
			   named ? y.function : "none");
		} else {
			ok(1, "# SKIP no vdso here");
		}
	}

	/* a second process of the same program: nothing reopened */
	{
		struct child c2;
		struct sym y2;
		unsigned opened;

		symbolizer_get_stats(s, &st);
		opened = st.elf_opened;
		spawn(&c2, "target-pie");
		is_int(symbolizer_load_maps(s, c2.pid), 0, "second process: maps load");
		symbolizer_get_stats(s, &st);
		is_int(st.elf_opened, opened, "second process: no ELF opened again");
		symbolizer_lookup(s, c.pid, c.lib, &y);
		rc = symbolizer_lookup(s, c2.pid, c2.lib, &y2);
		ok(rc == 0 && y2.function == y.function,
		   "second process: its (relocated) library address shares the cached result");
		symbolizer_forget(s, c2.pid);
		reap(&c2);
	}

	/* fork copies, forget drops */
	symbolizer_fork(s, c.pid, FAKE_PID);
	rc = symbolizer_lookup(s, FAKE_PID, c.lib, &y);
	ok(rc == 0 && !strcmp(y.function, "symlib_function"), "fork: the child has the mappings");
	symbolizer_forget(s, FAKE_PID);
	is_int(symbolizer_lookup(s, FAKE_PID, c.lib, &y), -ENOENT,
	       "forget: the process's addresses no longer resolve");
	ok(symbolizer_lookup(s, c.pid, c.lib, &y) == 0, "forget: other processes unaffected");

	/* mappings from the sample stream (MMAP2), with pgoff, and one overlapping another */
	{
		uint64_t start, end, pgoff, d = c.lib, name_off;
		char want[64];

		if (!find_mapping(c.pid, "/libsym.so", true, &start, &end, &pgoff)) {
			ok(0, "libsym.so has an executable mapping");
			goto out;
		}
		d -= start;
		ok(pgoff != 0, "add_mapping: libsym's text is mapped at a non-zero file offset");
		symbolizer_add_mapping(s, FAKE_PID2, start, 0x3000, pgoff, "[heap]");
		symbolizer_add_mapping(s, FAKE_PID2, start, 0x3000, pgoff, "//anon");
		is_int(symbolizer_lookup(s, FAKE_PID2, start + d, &y), -ENOENT,
		       "add_mapping: anonymous and special paths are ignored");
		{
			char *path = xasprintf("%s/libsym.so", tmp_dir);

			symbolizer_add_mapping(s, FAKE_PID2, start, 0x3000, pgoff, path);
			free(path);
		}
		symbolizer_add_mapping(s, FAKE_PID2, start + 0x1000, 0x1000, 0x5000,
				       "/nonexistent/libfake.so");
		rc = symbolizer_lookup(s, FAKE_PID2, start + d, &y);
		ok(rc == 0 && !strcmp(y.function, "symlib_function"),
		   "add_mapping: the library resolves in a process known only from MMAP2");
		rc = symbolizer_lookup(s, FAKE_PID2, start + 0x1800, &y);
		ok(rc == 0 && !strcmp(y.module, "libfake.so") && y.source == SYM_SRC_MODULE &&
			   !strcmp(y.function, "libfake.so+0x5800") && y.offset == 0x5800,
		   "add_mapping: an unopenable file in the middle resolves to module+file offset");
		rc = symbolizer_lookup(s, FAKE_PID2, start + 0x2000 + d, &y);
		name_off = pgoff + 0x2000 + d; /* past libsym's text: no segment, the file offset */
		snprintf(want, sizeof(want), "libsym.so+0x%" PRIx64, name_off);
		ok(rc == 0 && !strcmp(y.module, "libsym.so") && !strcmp(y.function, want),
		   "add_mapping: the part after it keeps libsym with its offset moved (%s)",
		   rc == 0 ? y.function : "");
		symbolizer_forget(s, FAKE_PID2);
	}
out:
	symbolizer_forget(s, c.pid);
	reap(&c);
}

/* A library deleted and replaced under a running process (an upgrade) is read through map_files. */
static void test_deleted(void)
{
	struct symbolizer *s = symbolizer_new();
	struct child c;
	struct sym y;
	char *lib = xasprintf("%s/del/libsym.so", tmp_dir);
	uint64_t start, end, pgoff;
	int rc;

	spawn(&c, "target-del");
	unlink(lib);
	sh("cp %s/target-pie %s", tmp_dir, lib); /* another ELF at the old path */
	ok(find_mapping(c.pid, "/libsym.so (deleted)", true, &start, &end, &pgoff),
	   "deleted: the maps say so");
	is_int(symbolizer_load_maps(s, c.pid), 0, "deleted: maps load");
	rc = symbolizer_lookup(s, c.pid, c.lib, &y);
	ok(rc == 0 && !strcmp(y.function, "symlib_function") && !strcmp(y.module, "libsym.so") &&
		   y.line == marker_line("symlib.c", "lib_entry"),
	   "deleted: the mapped file is read, not the new one at its path");
	symbolizer_free(s);
	reap(&c);
	free(lib);
}

static void test_nopie(struct symbolizer *s)
{
	struct child c;
	struct sym y;
	int rc;

	spawn(&c, "target-nopie");
	is_int(symbolizer_load_maps(s, c.pid), 0, "no-pie: maps load");
	ok(c.target < 0x1000000, "no-pie: the executable sits at its link address (%#" PRIx64 ")",
	   c.target);
	rc = symbolizer_lookup(s, c.pid, c.inside, &y);
	ok(rc == 0 && !strcmp(y.function, "symbolize_target") && y.source == SYM_SRC_DWARF &&
		   y.offset == c.inside - c.target,
	   "no-pie: function from DWARF");
	ok(y.file && !strcmp(base(y.file), "target.c") &&
		   y.line == marker_line("target.c", "target_inside"),
	   "no-pie: file:line");
	rc = symbolizer_lookup(s, c.pid, c.lib, &y);
	ok(rc == 0 && !strcmp(y.function, "symlib_function"), "no-pie: its shared library");
	symbolizer_forget(s, c.pid);
	reap(&c);
}

static void test_clang(struct symbolizer *s)
{
	struct child c;
	struct sym y;
	int rc;

	if (!have_clang) {
		ok(1, "# SKIP clang is not installed");
		return;
	}
	spawn(&c, "target-clang");
	is_int(symbolizer_load_maps(s, c.pid), 0, "clang: maps load");
	rc = symbolizer_lookup(s, c.pid, c.inside, &y);
	ok(rc == 0 && !strcmp(y.function, "symbolize_target") && y.source == SYM_SRC_DWARF &&
		   y.file && !strcmp(base(y.file), "target.c") && y.line > 0,
	   "clang: function and file:line without .debug_aranges (line %d)", y.line);
	symbolizer_forget(s, c.pid);
	reap(&c);
}

static void test_nodebug(struct symbolizer *s)
{
	struct child c;
	struct sym y;
	int rc;

	spawn(&c, "target-nodebug");
	is_int(symbolizer_load_maps(s, c.pid), 0, "no DWARF: maps load");
	rc = symbolizer_lookup(s, c.pid, c.inside, &y);
	ok(rc == 0 && !strcmp(y.function, "symbolize_target") && y.source == SYM_SRC_SYMTAB &&
		   y.offset == c.inside - c.target && !y.file && !y.line,
	   "no DWARF: .symtab names the function, no file:line");
	rc = symbolizer_lookup(s, c.pid, c.local, &y);
	ok(rc == 0 && !strcmp(y.function, "local_helper") && y.source == SYM_SRC_SYMTAB,
	   "no DWARF: static functions are in .symtab");
	symbolizer_forget(s, c.pid);
	reap(&c);
}

/* symbolizer_no_dwarf (the daemon's): the same function names from .symtab, no file:line. */
static void test_no_dwarf(void)
{
	struct symbolizer *s = symbolizer_new();
	struct child c;
	struct sym y;
	int rc;

	symbolizer_no_dwarf(s);
	spawn(&c, "target-pie");
	is_int(symbolizer_load_maps(s, c.pid), 0, "no_dwarf: maps load");
	rc = symbolizer_lookup(s, c.pid, c.inside, &y);
	ok(rc == 0 && !strcmp(y.function, "symbolize_target") && y.source == SYM_SRC_SYMTAB &&
		   y.offset == c.inside - c.target && !y.file && !y.line,
	   "no_dwarf: a file with DWARF is named from .symtab, without file:line");
	rc = symbolizer_lookup(s, c.pid, c.local, &y);
	ok(rc == 0 && !strcmp(y.function, "local_helper"), "no_dwarf: static functions too");
	reap(&c);
	symbolizer_free(s);
}

/*
 * strip keeps the build-id: in a symbolizer that indexed target-pie, its
 * stripped copy is the same file and keeps DWARF names; a fresh one has only
 * .dynsym, then module+offset.
 */
static void test_stripped(struct symbolizer *shared)
{
	struct symbolizer *s = symbolizer_new();
	struct symbolizer_stats st;
	struct child c;
	struct sym y;
	uint64_t start, end, pgoff;
	char want[64];
	unsigned opened;
	int rc;

	spawn(&c, "target-stripped");
	symbolizer_get_stats(shared, &st);
	opened = st.elf_opened;
	is_int(symbolizer_load_maps(shared, c.pid), 0, "stripped: maps load");
	rc = symbolizer_lookup(shared, c.pid, c.local, &y);
	ok(rc == 0 && !strcmp(y.function, "local_helper") && y.source == SYM_SRC_DWARF,
	   "stripped: same build-id as the unstripped program: its DWARF answers");
	symbolizer_get_stats(shared, &st);
	is_int(st.elf_opened, opened, "stripped: its build-id matched: no second index");
	symbolizer_forget(shared, c.pid);

	is_int(symbolizer_load_maps(s, c.pid), 0, "stripped, fresh symbolizer: maps load");
	rc = symbolizer_lookup(s, c.pid, c.inside, &y);
	ok(rc == 0 && !strcmp(y.function, "symbolize_target") && y.source == SYM_SRC_DYNSYM &&
		   y.offset == c.inside - c.target && !y.file,
	   "stripped: an exported function from .dynsym");
	/* a PIE's first mapping is its ELF header: ip - that start is the ELF address */
	if (!find_mapping(c.pid, "/target-stripped", false, &start, &end, &pgoff))
		start = 0;
	snprintf(want, sizeof(want), "target-stripped+0x%" PRIx64, c.local - start);
	rc = symbolizer_lookup(s, c.pid, c.local, &y);
	ok(rc == 0 && !strcmp(y.function, want) && y.source == SYM_SRC_MODULE &&
		   y.offset == c.local - start && !strcmp(y.module, "target-stripped"),
	   "stripped: a static function is module+offset (%s)", rc == 0 ? y.function : "");
	symbolizer_free(s);
	reap(&c);
}

/* A real kernel symbol: the 'T' or 't' line of do_sys_openat2, else the first 'T'. */
static void test_kernel(struct symbolizer *s)
{
	FILE *f = fopen("/proc/kallsyms", "r");
	char line[512], name[256] = "", best[256] = "";
	uint64_t addr = 0, best_addr = 0;
	struct sym y;
	int rc;

	while (f && fgets(line, sizeof(line), f)) {
		uint64_t a;
		char type, n[256];

		if (sscanf(line, "%" SCNx64 " %c %255s", &a, &type, n) != 3 || !a)
			continue;
		if (!strcmp(n, "do_sys_openat2") && (type == 't' || type == 'T')) {
			best_addr = a;
			snprintf(best, sizeof(best), "%s", n);
			break;
		}
		if (!addr && type == 'T' && !strchr(line, '[')) {
			addr = a;
			snprintf(name, sizeof(name), "%s", n);
		}
	}
	if (f)
		fclose(f);
	if (best_addr) {
		addr = best_addr;
		snprintf(name, sizeof(name), "%s", best);
	}
	if (!addr) {
		ok(1, "# SKIP /proc/kallsyms shows no addresses here");
		ok(1, "# SKIP /proc/kallsyms shows no addresses here");
		return;
	}
	rc = symbolizer_lookup(s, 1, addr + 4, &y);
	ok(rc == 0 && !strcmp(y.function, name) && y.offset == 4 && y.kernel &&
		   y.source == SYM_SRC_KALLSYMS,
	   "kernel: %s+4 resolves from /proc/kallsyms", name);
	is_str(y.module, "[kernel.kallsyms]", "kernel: module");
}

/* On the real /proc/kallsyms a prefetch answers exactly as the whole table does. */
static void test_prefetch_real(void)
{
	FILE *f = fopen("/proc/kallsyms", "re");
	struct symbolizer *whole = symbolizer_new(), *pre = symbolizer_new();
	uint64_t ips[3000];
	size_t n = 0, line_no = 0, same = 0;
	char line[512];

	while (f && n + 3 <= sizeof(ips) / sizeof(ips[0]) && fgets(line, sizeof(line), f)) {
		uint64_t a = strtoull(line, NULL, 16);

		/* every 40th symbol: its start, inside it, and just below it */
		if (a >= SYM_KERNEL_START && line_no++ % 40 == 0) {
			ips[n++] = a;
			ips[n++] = a + 7;
			ips[n++] = a - 1;
		}
	}
	if (f)
		fclose(f);
	if (n < 300) {
		ok(1, "# SKIP /proc/kallsyms shows no addresses here");
		goto out;
	}
	symbolizer_prefetch_kernel(pre, ips, n);
	for (size_t i = 0; i < n; i++) {
		struct sym a = { 0 }, b = { 0 };
		int ra = symbolizer_lookup(whole, 0, ips[i], &a);
		int rb = symbolizer_lookup(pre, 0, ips[i], &b);

		if (ra == rb && (ra < 0 || (!strcmp(a.function, b.function) &&
					    !strcmp(a.module, b.module) && a.offset == b.offset)))
			same++;
		else
			diag("prefetch and whole table differ");
	}
	is_int(same, n,
	       "prefetch: %zu addresses of the real kallsyms resolve as with the whole table", n);
out:
	symbolizer_free(whole);
	symbolizer_free(pre);
}

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (!f || fputs(text, f) < 0 || fclose(f) != 0) {
		perror(path);
		exit(1);
	}
}

/* Fixture kallsyms under a fake /proc: ordering, aliases, data symbols, modules, restrictions. */
static void test_fake_kallsyms(void)
{
	char *root = xasprintf("%s/proc", tmp_dir), *ks = xasprintf("%s/kallsyms", root);
	struct symbolizer_paths paths = { .proc = root };
	struct symbolizer *s;
	struct sym y;
	int rc;

	mkdir(root, 0755);
	write_file(ks, "ffffffff81000300 T beta\n"
		       "ffffffff81000100 t alpha\n"
		       "ffffffff81000100 T alpha_global\n"
		       "ffffffff81000200 D some_data\n"
		       "ffffffffc0001000 t modfn\t[mymod]\n"
		       "ffffffffc0001100 T modfn2\t[mymod]\n"
		       "ffffffff81000000 T _stext\n");
	s = symbolizer_new_at(&paths);
	rc = symbolizer_lookup(s, 0, 0xffffffff81000150ULL, &y);
	ok(rc == 0 && !strcmp(y.function, "alpha_global") && y.offset == 0x50,
	   "fake kallsyms: unsorted input, the global of two aliases wins");
	rc = symbolizer_lookup(s, 0, 0xffffffff81000250ULL, &y);
	ok(rc == 0 && !strcmp(y.function, "alpha_global") && y.offset == 0x150,
	   "fake kallsyms: data symbols are not functions");
	rc = symbolizer_lookup(s, 0, 0xffffffffc0001010ULL, &y);
	ok(rc == 0 && !strcmp(y.function, "modfn") && !strcmp(y.module, "[mymod]"),
	   "fake kallsyms: a module's function names its module");
	rc = symbolizer_lookup(s, 0, 0xffffffffc0001104ULL, &y);
	ok(rc == 0 && !strcmp(y.function, "modfn2") && !strcmp(y.module, "[mymod]"),
	   "fake kallsyms: the module's second function");
	is_int(symbolizer_lookup(s, 0, 0xffff900000000000ULL, &y), -ENOENT,
	       "fake kallsyms: below every symbol fails");
	is_int(symbolizer_lookup(s, 0, 0xffffffffc1000000ULL, &y), -ENOENT,
	       "fake kallsyms: far past the last symbol fails");
	is_int(symbolizer_load_maps(s, NO_SUCH_PID), -ENOENT,
	       "load_maps of a process that does not exist: -ENOENT");
	symbolizer_free(s);

	/* the same answers from a prefetch, which keeps only what these addresses need */
	{
		const uint64_t ips[] = { 0xffffffff81000150ULL,
					 0xffffffff81000250ULL,
					 0xffffffffc0001010ULL,
					 0xffffffffc0001104ULL,
					 0xffff900000000000ULL,
					 0xffffffffc1000000ULL,
					 0x401000 };

		s = symbolizer_new_at(&paths);
		symbolizer_prefetch_kernel(s, ips, sizeof(ips) / sizeof(ips[0]));
		rc = symbolizer_lookup(s, 0, ips[0], &y);
		ok(rc == 0 && !strcmp(y.function, "alpha_global") && y.offset == 0x50,
		   "prefetch: the global of two aliases wins");
		rc = symbolizer_lookup(s, 0, ips[1], &y);
		ok(rc == 0 && !strcmp(y.function, "alpha_global") && y.offset == 0x150,
		   "prefetch: data symbols are not functions");
		rc = symbolizer_lookup(s, 0, ips[3], &y);
		ok(rc == 0 && !strcmp(y.function, "modfn2") && !strcmp(y.module, "[mymod]"),
		   "prefetch: a module's function names its module");
		is_int(symbolizer_lookup(s, 0, ips[4], &y), -ENOENT,
		       "prefetch: below every symbol");
		is_int(symbolizer_lookup(s, 0, ips[5], &y), -ENOENT, "prefetch: far past the last");
		rc = symbolizer_lookup(s, 0, 0xffffffff81000304ULL, &y);
		ok(rc == 0 && !strcmp(y.function, "beta") && y.offset == 4,
		   "prefetch: an address not prefetched still resolves (whole table)");
		symbolizer_free(s);
	}

	write_file(ks, "0000000000000000 T beta\n0000000000000000 t alpha\n");
	s = symbolizer_new_at(&paths);
	is_int(symbolizer_lookup(s, 0, 0xffffffff81000150ULL, &y), -ENOENT,
	       "kallsyms without addresses (kptr_restrict): kernel lookups fail cleanly");
	symbolizer_free(s);
	unlink(ks);
	rmdir(root);
	free(ks);
	free(root);
}

int main(void)
{
	struct symbolizer *s;
	struct symbolizer_stats st;

	fix_dir = xasprintf("%s/symbolize", fixtures_dir());
	if (!mkdtemp(tmp_dir)) {
		perror("mkdtemp");
		return 1;
	}
	build_fixtures();
	setenv("DEBUGINFOD_URLS", "http://127.0.0.1:9/", 1);
	s = symbolizer_new();
	ok(getenv("DEBUGINFOD_URLS") == NULL, "symbolizer_new unsets DEBUGINFOD_URLS");

	test_pie(s);
	test_no_dwarf();
	test_nopie(s);
	test_clang(s);
	test_deleted();
	test_nodebug(s);
	test_stripped(s);
	test_kernel(s);
	symbolizer_get_stats(s, &st);
	is_int(st.procs, 0, "every process forgotten");
	ok(st.lookups > st.cache_hits && st.elf_opened >= 5,
	   "stats: %" PRIu64 " lookups, %" PRIu64 " cache hits, %u ELF files", st.lookups,
	   st.cache_hits, st.elf_opened);
	symbolizer_free(s);
	symbolizer_free(NULL);

	test_fake_kallsyms();
	test_prefetch_real();

	sh("rm -rf %s", tmp_dir);
	free(fix_dir);
	return done_testing();
}
