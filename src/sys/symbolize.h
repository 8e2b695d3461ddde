/* symbolize.h - addresses of processes and of the kernel to function, module and file:line. */
#ifndef SPIKETRACE_SYS_SYMBOLIZE_H
#define SPIKETRACE_SYS_SYMBOLIZE_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/*
 * A symbolizer knows the executable mappings of the processes it was told
 * about and resolves their addresses. Every ELF file is opened and indexed
 * once however many processes map it (files are told apart by GNU build-id,
 * or by device, inode, size and mtime when they have none), and every
 * (file, address) pair is resolved once: later lookups are a hash hit.
 * Files with one build-id are one module, named after the first path seen
 * (a stripped copy of an indexed binary resolves with its DWARF).
 * Not thread-safe: one symbolizer belongs to one thread.
 */
struct symbolizer;

/* How an address was resolved, best first. */
enum sym_source {
	SYM_SRC_DWARF,	  /* DWARF found its function (named as the symbol tables name it) */
	SYM_SRC_SYMTAB,	  /* .symtab (of the file or its /usr/lib/debug copy) */
	SYM_SRC_DYNSYM,	  /* .dynsym: a stripped file's exported functions */
	SYM_SRC_MODULE,	  /* no symbol: "module+0xADDR", ADDR as addr2line takes it (ELF address) */
	SYM_SRC_PERF_MAP, /* /tmp/perf-PID.map, written by JITs */
	SYM_SRC_KALLSYMS, /* /proc/kallsyms */
};

/* One resolved address. The strings belong to the symbolizer and live until symbolizer_free. */
struct sym {
	const char *function; /* never NULL; mangled as in the file (no demangling) */
	const char *module; /* basename of the ELF, "perf-PID.map", "[kernel.kallsyms]", "[ext4]" */
	const char *file;   /* source file path from DWARF (as the compiler wrote it), or NULL */
	int line;	    /* source line, 0 when file is NULL */
	uint64_t offset;    /* ip - function start, bytes; for SYM_SRC_MODULE the ADDR itself */
	enum sym_source source;
	bool kernel; /* a kernel address (>= SYM_KERNEL_START) */
};

/* x86_64: the lowest kernel address; anything above is looked up in /proc/kallsyms. */
#define SYM_KERNEL_START 0xffff800000000000ULL

/* What was done so far, for tests and debug output. */
struct symbolizer_stats {
	uint64_t lookups;    /* symbolizer_lookup calls */
	uint64_t cache_hits; /* lookups answered from the (file, address) cache */
	unsigned elf_opened; /* distinct ELF files opened (each indexed on its first lookup) */
	unsigned procs;	     /* processes with mappings */
};

/* Where the symbolizer reads the system; NULL fields take the defaults. */
struct symbolizer_paths {
	const char *proc;	  /* "/proc": PID/maps, PID/root, PID/map_files, kallsyms */
	const char *perf_map_dir; /* "/tmp": perf-PID.map */
	const char *debug_dir;	  /* "/usr/lib/debug": .build-id/xx/yyyy.debug files */
};

/*
 * A new, empty symbolizer reading the system at the default paths. Unsets
 * DEBUGINFOD_URLS in this process (libdw must never try the network).
 */
struct symbolizer *symbolizer_new(void);
/* The same reading the system at paths (copied; NULL or NULL fields: the defaults). */
struct symbolizer *symbolizer_new_at(const struct symbolizer_paths *paths);
/*
 * From now on files are indexed from their symbol tables only: no DWARF, so no
 * file:line (function names come out the same unless only DWARF knew the
 * function). Reading a large library's DWARF costs megabytes; the daemon,
 * which names functions only, does without.
 */
void symbolizer_no_dwarf(struct symbolizer *s);
/* Frees everything, including every string handed out by lookups. NULL is a no-op. */
void symbolizer_free(struct symbolizer *s);

/*
 * Replaces what is known of process pid (a thread-group id) with the
 * executable mappings of PROC/pid/maps, opening each ELF not seen before.
 * Files that cannot be opened are kept by name (their addresses resolve to
 * module+offset). Returns 0 or a negative errno of reading the maps
 * (-ENOENT: no such process, -EACCES: not allowed).
 */
int symbolizer_load_maps(struct symbolizer *s, pid_t pid);

/*
 * Records an executable mapping of pid made after symbolizer_load_maps (a
 * PERF_RECORD_MMAP2 with PROT_EXEC): len bytes at start mapping path from file
 * offset pgoff (bytes). It replaces whatever pid had mapped in that range.
 * Anonymous or special paths other than "[vdso]" are ignored (their code is
 * looked up in the perf map). path is copied.
 */
void symbolizer_add_mapping(struct symbolizer *s, pid_t pid, uint64_t start, uint64_t len,
			    uint64_t pgoff, const char *path);

/* Gives child a copy of parent's mappings (PERF_RECORD_FORK of a new process). */
void symbolizer_fork(struct symbolizer *s, pid_t parent, pid_t child);

/*
 * Drops pid's mappings and perf map (its exit, or its exec before the new
 * image's mappings arrive). Strings already handed out stay valid.
 */
void symbolizer_forget(struct symbolizer *s, pid_t pid);

/*
 * Resolves ip of process pid into out. Kernel addresses (>= SYM_KERNEL_START,
 * any pid) come from /proc/kallsyms, read once on first use; user addresses
 * from the ELF mapped there (DWARF, then .symtab, then .dynsym, then
 * module+offset), or from /tmp/perf-PID.map when no file is mapped there.
 * Return addresses of callers should be passed as ip - 1 so that the line of
 * the call is reported, as perf does. Returns 0, or -ENOENT when nothing
 * covers ip (out is then untouched).
 */
int symbolizer_lookup(struct symbolizer *s, pid_t pid, uint64_t ip, struct sym *out);

/*
 * Resolves the kernel addresses among ips (others are ignored) with one pass
 * over /proc/kallsyms that keeps only the symbols covering them: later lookups
 * of exactly these addresses need no table. Without it the first kernel lookup
 * loads every symbol, about 6 MB for 120,000 of them. A later call replaces the
 * earlier set; other kernel addresses still load the whole table.
 */
void symbolizer_prefetch_kernel(struct symbolizer *s, const uint64_t *ips, size_t n);

/* Copies the counters so far into out. */
void symbolizer_get_stats(const struct symbolizer *s, struct symbolizer_stats *out);

#endif
