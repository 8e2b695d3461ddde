/* symbolize.c - addresses to symbols: process maps, ELF/DWARF indexes per build-id, kallsyms. */
#include "sys/symbolize.h"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwelf.h>
#include <errno.h>
#include <fcntl.h>
#include <gelf.h>
#include <inttypes.h>
#include <libelf.h>
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/strbuf.h"
#include "base/xalloc.h"

#define ARENA_CHUNK_BYTES  (64 * 1024)
#define BUILD_ID_MAX	   64
#define KSYM_MAX_SPAN	   (1024 * 1024) /* no kernel function is larger: beyond, ip is in a gap */
#define VDSO_MAX_BYTES	   (1024 * 1024)
#define DELETED_SUFFIX	   " (deleted)"
#define KERNEL_MODULE_NAME "[kernel.kallsyms]"

/*
 * Bump allocator for everything handed out (names, cache entries): freed in
 * one go by symbolizer_free, which is what keeps returned strings valid.
 */
struct arena_chunk {
	struct arena_chunk *next;
	size_t used, cap; /* bytes of data */
	max_align_t data[];
};

/* Intrusive chained hash table: nodes are embedded in their owners. */
struct hnode {
	struct hnode *next;
	uint64_t hash;
};

struct htab {
	struct hnode **b;
	size_t nb; /* buckets, a power of two (0 before the first insert) */
	size_t n;
};

#define node_owner(ptr, type, member) ((type *)(void *)((char *)(ptr)-offsetof(type, member)))

/* One function symbol of an ELF symbol table. */
struct elfsym {
	uint64_t addr, size; /* ELF virtual address and bytes */
	const char *name;    /* in the Elf's string table */
	unsigned rank;	     /* binding preference when several share an address: lower wins */
	bool sized;	     /* size from the symbol; else its section's end, cut at the next one */
};

struct symtab {
	struct elfsym *v; /* sorted by addr, one per address */
	size_t n;
};

/* An out-of-line function of a compile unit: one address range of its DW_TAG_subprogram. */
struct func_range {
	uint64_t lo, hi;  /* [lo, hi), ELF virtual addresses */
	const char *name; /* linkage name, else name; in the Dwarf's string data */
};

/* One DWARF compile unit with code; its functions are listed on its first lookup. */
struct cu_info {
	Dwarf_Die die;
	struct func_range *funcs; /* sorted by lo */
	size_t nfuncs;
	bool scanned;
};

/* One address range of a compile unit. */
struct cu_range {
	uint64_t lo, hi; /* [lo, hi), ELF virtual addresses */
	size_t cu;	 /* index into dso.cuinfo */
};

/* A PT_LOAD segment: how file offsets map to ELF virtual addresses. */
struct load_seg {
	uint64_t offset, vaddr, filesz;
};

/*
 * One ELF file, however many processes and paths map it. Indexed lazily on
 * its first lookup; lives until symbolizer_free.
 */
struct dso {
	struct hnode by_bid;  /* in symbolizer.dso_by_bid, when build_id_len > 0 */
	struct hnode by_path; /* in symbolizer.dso_by_path, for files that could not be opened */
	struct dso *next;     /* all of them */
	unsigned id;
	char *path;	  /* as first mapped (owned) */
	const char *name; /* basename, owned (arena) */
	unsigned char build_id[BUILD_ID_MAX];
	size_t build_id_len;
	Elf *elf;	/* NULL: could not be opened (module+offset only) */
	bool not_elf;	/* opened, but not an ELF */
	void *image;	/* the vdso's copy that elf reads (owned), else NULL */
	Elf *debug_elf; /* the /usr/lib/debug/.build-id copy, when elf has no DWARF */
	Dwarf *dwarf;	/* of elf or debug_elf, or NULL */
	struct load_seg *segs;
	size_t nsegs;
	bool indexed;
	struct symtab symtab, dynsym;
	struct cu_info *cuinfo; /* compile units with code */
	size_t ncuinfo;
	struct cu_range *cus; /* sorted by lo */
	size_t ncus;
};

/* Device, inode, size and mtime: what tells files apart before their build-id is read. */
struct file_key {
	dev_t dev;
	ino_t ino;
	off_t size;
	struct timespec mtime;
};

struct file_alias {
	struct hnode node; /* in symbolizer.dso_by_file */
	struct file_key key;
	struct dso *dso;
	struct file_alias *next; /* all of them */
};

/* A resolved (file, address): the per-build-id result cache. Lives in the arena. */
struct cached {
	struct hnode node; /* in symbolizer.cache */
	const struct dso *dso;
	uint64_t addr; /* ELF virtual address */
	const char *function, *file;
	int line;
	uint64_t offset;
	enum sym_source source;
};

struct mapping {
	uint64_t start, end; /* [start, end), process addresses */
	uint64_t pgoff;	     /* file offset of start, bytes */
	struct dso *dso;
};

struct jit_sym {
	uint64_t start, end;
	const char *name; /* arena */
	size_t seq;	  /* line number in the perf map: later lines win */
};

struct proc {
	struct hnode node; /* in symbolizer.procs, hash of pid */
	pid_t pid;
	struct mapping *maps; /* sorted by start, not overlapping */
	size_t nmaps, capmaps;
	struct jit_sym *jit; /* sorted by (start, seq) */
	size_t njit, capjit;
	off_t jit_read; /* bytes of the perf map parsed so far */
	struct timespec jit_mtime;
	const char *jit_module; /* "perf-PID.map" (arena), NULL before the first read */
};

struct ksym {
	uint64_t addr;
	const char *name, *module; /* arena */
	unsigned rank;		   /* 0 for global ('T'), 1 for local ('t') */
	size_t seq;
};

/* A kernel address resolved ahead of its lookup: the symbol covering it, if any. */
struct kpre {
	uint64_t ip;
	struct ksym k; /* k.name NULL: no symbol at or below ip */
};

struct symbolizer {
	char *proc_dir, *perf_map_dir, *debug_dir;
	struct htab procs, dso_by_bid, dso_by_file, dso_by_path, cache;
	struct dso *dsos, *vdso;
	unsigned ndsos;
	struct file_alias *aliases;
	struct arena_chunk *arena;
	struct ksym *ksyms; /* sorted by addr, one per address */
	size_t nksyms;
	bool ksyms_loaded;
	struct kpre *kpre; /* symbolizer_prefetch_kernel's addresses, sorted by ip */
	size_t nkpre;
	bool no_dwarf; /* symbolizer_no_dwarf: symbol tables only */
	struct symbolizer_stats stats;
};

/* ---- helpers: arena, hashing ------------------------------------------------------------- */

static void *arena_alloc(struct symbolizer *s, size_t n)
{
	struct arena_chunk *c = s->arena;
	size_t al = sizeof(max_align_t);
	void *p;

	n = (n + al - 1) / al * al;
	if (!c || c->cap - c->used < n) {
		size_t cap = n > ARENA_CHUNK_BYTES ? n : ARENA_CHUNK_BYTES;

		c = xmalloc(sizeof(*c) + cap);
		c->used = 0;
		c->cap = cap;
		c->next = s->arena;
		s->arena = c;
	}
	p = (char *)c->data + c->used;
	c->used += n;
	return p;
}

static const char *arena_strndup(struct symbolizer *s, const char *str, size_t n)
{
	char *p = arena_alloc(s, n + 1);

	memcpy(p, str, n);
	p[n] = '\0';
	return p;
}

__attribute__((format(printf, 2, 3))) static const char *arena_printf(struct symbolizer *s,
								      const char *fmt, ...)
{
	char buf[PATH_MAX + 64];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (n < 0)
		n = 0;
	if ((size_t)n >= sizeof(buf))
		n = sizeof(buf) - 1;
	return arena_strndup(s, buf, (size_t)n);
}

static uint64_t mix64(uint64_t x)
{
	x ^= x >> 33;
	x *= 0xff51afd7ed558ccdULL;
	x ^= x >> 33;
	x *= 0xc4ceb9fe1a85ec53ULL;
	x ^= x >> 33;
	return x;
}

static uint64_t hash_bytes(const void *p, size_t n)
{
	const unsigned char *b = p;
	uint64_t h = 0xcbf29ce484222325ULL; /* FNV-1a */

	while (n--)
		h = (h ^ *b++) * 0x100000001b3ULL;
	return mix64(h);
}

static void htab_insert(struct htab *t, struct hnode *e, uint64_t hash)
{
	if (t->n >= t->nb) {
		size_t nb = t->nb ? t->nb * 2 : 64, i;
		struct hnode **b = xcalloc(nb, sizeof(*b));

		for (i = 0; i < t->nb; i++) {
			struct hnode *x = t->b[i], *next;

			for (; x; x = next) {
				next = x->next;
				x->next = b[x->hash & (nb - 1)];
				b[x->hash & (nb - 1)] = x;
			}
		}
		free(t->b);
		t->b = b;
		t->nb = nb;
	}
	e->hash = hash;
	e->next = t->b[hash & (t->nb - 1)];
	t->b[hash & (t->nb - 1)] = e;
	t->n++;
}

/* The first node of hash's chain (callers compare hash and key along ->next). */
static struct hnode *htab_chain(const struct htab *t, uint64_t hash)
{
	return t->nb ? t->b[hash & (t->nb - 1)] : NULL;
}

static void htab_remove(struct htab *t, struct hnode *e)
{
	struct hnode **pp = &t->b[e->hash & (t->nb - 1)];

	while (*pp != e)
		pp = &(*pp)->next;
	*pp = e->next;
	t->n--;
}

static void htab_release(struct htab *t)
{
	free(t->b);
	memset(t, 0, sizeof(*t));
}

static const char *path_basename(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* ---- ELF symbol tables ------------------------------------------------------------------- */

static int elfsym_cmp(const void *a, const void *b)
{
	const struct elfsym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return strcmp(x->name, y->name); /* deterministic among equals */
}

static unsigned bind_rank(unsigned bind)
{
	switch (bind) {
	case STB_GLOBAL:
		return 0;
	case STB_WEAK:
		return 1;
	default:
		return 2;
	}
}

/* Reads the functions of symbol table section scn into t: sorted, one per address, sized. */
static void symtab_load(struct symtab *t, Elf *elf, Elf_Scn *scn, const GElf_Shdr *sh)
{
	Elf_Data *data = elf_getdata(scn, NULL);
	size_t n, i, cap = 0, out;
	uint64_t size;

	if (!data || !sh->sh_entsize)
		return;
	n = sh->sh_size / sh->sh_entsize;
	for (i = 1; i < n; i++) {
		GElf_Sym sym;
		const char *name;
		unsigned type;

		if (!gelf_getsym(data, (int)i, &sym))
			break;
		type = GELF_ST_TYPE(sym.st_info);
		if ((type != STT_FUNC && type != STT_GNU_IFUNC) || sym.st_shndx == SHN_UNDEF ||
		    sym.st_value == 0)
			continue;
		name = elf_strptr(elf, sh->sh_link, sym.st_name);
		if (!name || !*name)
			continue;
		size = sym.st_size;
		if (!size) {
			GElf_Shdr ssh;
			Elf_Scn *sscn = elf_getscn(elf, sym.st_shndx);

			if (!sscn || !gelf_getshdr(sscn, &ssh) || sym.st_value < ssh.sh_addr ||
			    sym.st_value - ssh.sh_addr >= ssh.sh_size)
				continue;
			size = ssh.sh_addr + ssh.sh_size - sym.st_value;
		}
		XGROW(t->v, cap, t->n + 1);
		t->v[t->n++] = (struct elfsym){ .addr = sym.st_value,
						.size = size,
						.name = name,
						.rank = bind_rank(GELF_ST_BIND(sym.st_info)),
						.sized = sym.st_size != 0 };
	}
	if (!t->n)
		return;
	qsort(t->v, t->n, sizeof(*t->v), elfsym_cmp);
	for (i = 1, out = 1; i < t->n; i++)
		if (t->v[i].addr != t->v[out - 1].addr)
			t->v[out++] = t->v[i];
	t->n = out;
	/* Symbols without a size (hand-written assembly) reach up to the next one. */
	for (i = 0; i + 1 < t->n; i++)
		if (!t->v[i].sized && t->v[i].size > t->v[i + 1].addr - t->v[i].addr)
			t->v[i].size = t->v[i + 1].addr - t->v[i].addr;
}

static const struct elfsym *symtab_find(const struct symtab *t, uint64_t addr)
{
	size_t lo = 0, hi = t->n;
	const struct elfsym *e;

	while (lo < hi) { /* first symbol above addr */
		size_t mid = lo + (hi - lo) / 2;

		if (t->v[mid].addr <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (!lo)
		return NULL;
	e = &t->v[lo - 1];
	return addr - e->addr < e->size ? e : NULL;
}

/* Loads the SHT_SYMTAB (want == SHT_SYMTAB) or SHT_DYNSYM section of elf into t. */
static bool symtab_load_kind(struct symtab *t, Elf *elf, Elf64_Word want)
{
	Elf_Scn *scn = NULL;

	while ((scn = elf_nextscn(elf, scn))) {
		GElf_Shdr sh;

		if (gelf_getshdr(scn, &sh) && sh.sh_type == want) {
			symtab_load(t, elf, scn, &sh);
			return true;
		}
	}
	return false;
}

/* ---- DWARF ------------------------------------------------------------------------------ */

static int range_cmp(const void *a, const void *b)
{
	const uint64_t *x = a, *y = b; /* both structs start with lo */

	return *x < *y ? -1 : *x > *y;
}

/*
 * Indexes the address ranges of every compile unit. Built from the CUs' own
 * ranges rather than .debug_aranges, which clang does not emit by default
 * (so dwarf_addrdie would find nothing in its binaries).
 */
static void cus_index(struct dso *d)
{
	Dwarf_CU *cu = NULL, *next;
	Dwarf_Half version;
	uint8_t unit_type;
	Dwarf_Die cudie;
	size_t cap = 0, capinfo = 0;

	while (dwarf_get_units(d->dwarf, cu, &next, &version, &unit_type, &cudie, NULL) == 0) {
		Dwarf_Addr base, lo, hi;
		ptrdiff_t off = 0;
		size_t first = d->ncus;

		cu = next;
		if (unit_type != DW_UT_compile && unit_type != DW_UT_skeleton)
			continue;
		while ((off = dwarf_ranges(&cudie, off, &base, &lo, &hi)) > 0) {
			/* code discarded by the linker keeps ranges at 0: never a real address */
			if (lo == 0 || hi <= lo)
				continue;
			XGROW(d->cus, cap, d->ncus + 1);
			d->cus[d->ncus++] =
				(struct cu_range){ .lo = lo, .hi = hi, .cu = d->ncuinfo };
		}
		if (d->ncus == first)
			continue;
		XGROW(d->cuinfo, capinfo, d->ncuinfo + 1);
		d->cuinfo[d->ncuinfo++] = (struct cu_info){ .die = cudie };
	}
	if (d->ncus)
		qsort(d->cus, d->ncus, sizeof(*d->cus), range_cmp);
}

static const struct cu_range *cus_find(const struct dso *d, uint64_t addr)
{
	size_t lo = 0, hi = d->ncus;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (d->cus[mid].lo <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && addr < d->cus[lo - 1].hi ? &d->cus[lo - 1] : NULL;
}

static const char *die_string(Dwarf_Die *die, unsigned name)
{
	Dwarf_Attribute attr;

	return dwarf_attr_integrate(die, name, &attr) ? dwarf_formstring(&attr) : NULL;
}

/* Mangled (linkage) name first, so that DWARF and symbol tables name a function alike. */
static const char *die_function_name(Dwarf_Die *die)
{
	const char *name = die_string(die, DW_AT_linkage_name);

	if (!name)
		name = die_string(die, DW_AT_MIPS_linkage_name);
	return name ? name : die_string(die, DW_AT_name);
}

/* Adds the ranges of the functions defined among parent's children (and in namespaces). */
static void cu_scan_funcs(struct cu_info *cu, Dwarf_Die *parent, size_t *cap)
{
	Dwarf_Die child;

	if (dwarf_child(parent, &child) != 0)
		return;
	do {
		Dwarf_Addr base, lo, hi;
		ptrdiff_t off = 0;
		const char *name;

		switch (dwarf_tag(&child)) {
		case DW_TAG_subprogram:
			name = NULL;
			while ((off = dwarf_ranges(&child, off, &base, &lo, &hi)) > 0) {
				if (lo == 0 || hi <= lo)
					continue;
				if (!name)
					name = die_function_name(&child);
				if (!name)
					break;
				XGROW(cu->funcs, *cap, cu->nfuncs + 1);
				cu->funcs[cu->nfuncs++] =
					(struct func_range){ .lo = lo, .hi = hi, .name = name };
			}
			break;
		case DW_TAG_namespace: /* member functions are defined at CU level */
		case DW_TAG_module:
			cu_scan_funcs(cu, &child, cap);
			break;
		default:
			break;
		}
	} while (dwarf_siblingof(&child, &child) == 0);
}

static const struct func_range *cu_find_func(struct cu_info *cu, uint64_t addr)
{
	size_t lo = 0, hi;

	if (!cu->scanned) {
		size_t cap = 0;

		cu->scanned = true;
		cu_scan_funcs(cu, &cu->die, &cap);
		if (cu->nfuncs)
			qsort(cu->funcs, cu->nfuncs, sizeof(*cu->funcs), range_cmp);
	}
	hi = cu->nfuncs;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cu->funcs[mid].lo <= addr)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && addr < cu->funcs[lo - 1].hi ? &cu->funcs[lo - 1] : NULL;
}

/*
 * Function and file:line of addr from DWARF. The function is the
 * out-of-line DW_TAG_subprogram holding addr (inlined callees are not named,
 * as in perf's default view); the line is the innermost one, inlined or not.
 */
static void dwarf_resolve(struct dso *d, uint64_t addr, struct cached *c)
{
	const struct cu_range *r = cus_find(d, addr);
	const struct func_range *f;
	struct cu_info *cu;
	Dwarf_Line *line;

	if (!r)
		return;
	cu = &d->cuinfo[r->cu];
	line = dwarf_getsrc_die(&cu->die, addr);
	if (line) {
		c->file = dwarf_linesrc(line, NULL, NULL);
		if (!c->file || dwarf_lineno(line, &c->line) != 0) {
			c->file = NULL;
			c->line = 0;
		}
	}
	f = cu_find_func(cu, addr);
	if (f) {
		c->function = f->name;
		c->offset = addr - f->lo;
		c->source = SYM_SRC_DWARF;
	}
}

/* ---- ELF files ---------------------------------------------------------------------------- */

/* Reads fd into a new Elf that no longer needs fd (mapped or read whole). NULL: not an ELF. */
static Elf *elf_from_fd(int fd)
{
	Elf *elf = elf_begin(fd, ELF_C_READ_MMAP, NULL);

	if (elf && (elf_kind(elf) != ELF_K_ELF || elf_cntl(elf, ELF_C_FDREAD) != 0)) {
		elf_end(elf);
		elf = NULL;
	}
	return elf;
}

static void dso_read_segments(struct dso *d)
{
	size_t n, i, cap = 0;

	if (elf_getphdrnum(d->elf, &n) != 0)
		return;
	for (i = 0; i < n; i++) {
		GElf_Phdr ph;

		if (!gelf_getphdr(d->elf, (int)i, &ph) || ph.p_type != PT_LOAD)
			continue;
		XGROW(d->segs, cap, d->nsegs + 1);
		d->segs[d->nsegs++] = (struct load_seg){ .offset = ph.p_offset,
							 .vaddr = ph.p_vaddr,
							 .filesz = ph.p_filesz };
	}
}

static struct dso *dso_new(struct symbolizer *s, const char *path, const char *name, Elf *elf)
{
	struct dso *d = xcalloc(1, sizeof(*d));

	d->id = s->ndsos++;
	d->path = xstrdup(path);
	d->name = arena_strndup(s, name, strlen(name));
	d->elf = elf;
	d->next = s->dsos;
	s->dsos = d;
	if (elf) {
		const void *bid;
		ssize_t n = dwelf_elf_gnu_build_id(elf, &bid);

		if (n > 0 && n <= BUILD_ID_MAX) {
			memcpy(d->build_id, bid, (size_t)n);
			d->build_id_len = (size_t)n;
			htab_insert(&s->dso_by_bid, &d->by_bid, hash_bytes(bid, (size_t)n));
		}
		dso_read_segments(d);
		s->stats.elf_opened++;
	}
	return d;
}

static struct dso *dso_find_bid(struct symbolizer *s, const void *bid, size_t n)
{
	uint64_t h = hash_bytes(bid, n);
	struct hnode *e;

	for (e = htab_chain(&s->dso_by_bid, h); e; e = e->next) {
		struct dso *d = node_owner(e, struct dso, by_bid);

		if (e->hash == h && d->build_id_len == n && !memcmp(d->build_id, bid, n))
			return d;
	}
	return NULL;
}

static uint64_t file_key_hash(const struct file_key *k)
{
	uint64_t v[5] = { k->dev, k->ino, (uint64_t)k->size, (uint64_t)k->mtime.tv_sec,
			  (uint64_t)k->mtime.tv_nsec };

	return hash_bytes(v, sizeof(v));
}

static bool file_key_eq(const struct file_key *a, const struct file_key *b)
{
	return a->dev == b->dev && a->ino == b->ino && a->size == b->size &&
	       a->mtime.tv_sec == b->mtime.tv_sec && a->mtime.tv_nsec == b->mtime.tv_nsec;
}

static struct file_key file_key_of(const struct stat *st)
{
	return (struct file_key){
		.dev = st->st_dev, .ino = st->st_ino, .size = st->st_size, .mtime = st->st_mtim
	};
}

static struct dso *dso_find_file(struct symbolizer *s, const struct file_key *k)
{
	uint64_t h = file_key_hash(k);
	struct hnode *e;

	for (e = htab_chain(&s->dso_by_file, h); e; e = e->next) {
		struct file_alias *a = node_owner(e, struct file_alias, node);

		if (e->hash == h && file_key_eq(&a->key, k))
			return a->dso;
	}
	return NULL;
}

static void dso_add_file(struct symbolizer *s, const struct file_key *k, struct dso *d)
{
	struct file_alias *a = xcalloc(1, sizeof(*a));

	a->key = *k;
	a->dso = d;
	a->next = s->aliases;
	s->aliases = a;
	htab_insert(&s->dso_by_file, &a->node, file_key_hash(k));
}

/* A file that could not be opened, known by path so that it is not tried again. */
static struct dso *dso_unopenable(struct symbolizer *s, const char *path, const char *name)
{
	uint64_t h = hash_bytes(path, strlen(path));
	struct hnode *e;
	struct dso *d;

	for (e = htab_chain(&s->dso_by_path, h); e; e = e->next) {
		d = node_owner(e, struct dso, by_path);
		if (e->hash == h && !strcmp(d->path, path))
			return d;
	}
	d = dso_new(s, path, name, NULL);
	htab_insert(&s->dso_by_path, &d->by_path, h);
	return d;
}

/*
 * The dso of the file at the first of candidates that exists. Known files
 * (same device, inode, size, mtime) cost one stat; new ones are opened and
 * matched by build-id, so one library reached through several paths (a
 * container's root, a deleted-and-replaced file) is indexed once.
 */
static struct dso *dso_for_file(struct symbolizer *s, const char *const *candidates, size_t n,
				const char *path, const char *name)
{
	size_t i;

	for (i = 0; i < n; i++) {
		struct stat st;
		struct file_key key;
		struct dso *d;
		Elf *elf;
		const void *bid;
		ssize_t bidlen;
		int fd;

		if (!candidates[i] || stat(candidates[i], &st) != 0 || !S_ISREG(st.st_mode))
			continue;
		key = file_key_of(&st);
		d = dso_find_file(s, &key);
		if (d)
			return d;
		fd = open(candidates[i], O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue;
		/* the key of what was opened, should the file have changed since the stat */
		if (fstat(fd, &st) == 0)
			key = file_key_of(&st);
		elf = elf_from_fd(fd);
		close(fd);
		if (elf && (bidlen = dwelf_elf_gnu_build_id(elf, &bid)) > 0 &&
		    (d = dso_find_bid(s, bid, (size_t)bidlen))) {
			elf_end(elf);
			dso_add_file(s, &key, d);
			return d;
		}
		d = dso_new(s, path, name, elf);
		d->not_elf = !elf;
		dso_add_file(s, &key, d);
		return d;
	}
	return dso_unopenable(s, path, name);
}

/* The vdso is the same image in every process of this kernel: read our own. */
static struct dso *dso_vdso(struct symbolizer *s)
{
	const Elf64_Ehdr *eh = (const Elf64_Ehdr *)getauxval(AT_SYSINFO_EHDR);
	void *image = NULL;
	Elf *elf = NULL;

	if (s->vdso)
		return s->vdso;
	if (eh && !memcmp(eh->e_ident, ELFMAG, SELFMAG) && eh->e_ident[EI_CLASS] == ELFCLASS64) {
		size_t size = eh->e_shoff + (size_t)eh->e_shnum * eh->e_shentsize;

		if (size > sizeof(*eh) && size <= VDSO_MAX_BYTES) {
			image = xmalloc(size);
			memcpy(image, eh, size);
			elf = elf_memory(image, size);
			if (!elf) {
				free(image);
				image = NULL;
			}
		}
	}
	s->vdso = dso_new(s, "[vdso]", "[vdso]", elf);
	s->vdso->image = image;
	return s->vdso;
}

/* Opens the separate debug file of d (DEBUG_DIR/.build-id/xx/yyyy.debug) into debug_elf. */
static void dso_open_debug_file(struct symbolizer *s, struct dso *d)
{
	struct strbuf p = STRBUF_INIT;
	size_t i;
	int fd;

	if (d->build_id_len < 2)
		return;
	strbuf_addf(&p, "%s/.build-id/%02x/", s->debug_dir, d->build_id[0]);
	for (i = 1; i < d->build_id_len; i++)
		strbuf_addf(&p, "%02x", d->build_id[i]);
	strbuf_adds(&p, ".debug");
	fd = open(strbuf_str(&p), O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		d->debug_elf = elf_from_fd(fd);
		close(fd);
	}
	strbuf_release(&p);
}

/* First lookup in d: symbol tables, debug file, DWARF compile-unit index. */
static void dso_index(struct symbolizer *s, struct dso *d)
{
	d->indexed = true;
	if (!d->elf)
		return;
	if (s->no_dwarf) {
		if (!symtab_load_kind(&d->symtab, d->elf, SHT_SYMTAB)) {
			dso_open_debug_file(s, d);
			if (d->debug_elf)
				symtab_load_kind(&d->symtab, d->debug_elf, SHT_SYMTAB);
		}
		symtab_load_kind(&d->dynsym, d->elf, SHT_DYNSYM);
		return;
	}
	d->dwarf = dwarf_begin_elf(d->elf, DWARF_C_READ, NULL);
	if (!d->dwarf) {
		dso_open_debug_file(s, d);
		if (d->debug_elf)
			d->dwarf = dwarf_begin_elf(d->debug_elf, DWARF_C_READ, NULL);
	}
	if (!symtab_load_kind(&d->symtab, d->elf, SHT_SYMTAB) && d->debug_elf)
		symtab_load_kind(&d->symtab, d->debug_elf, SHT_SYMTAB);
	symtab_load_kind(&d->dynsym, d->elf, SHT_DYNSYM);
	if (d->dwarf)
		cus_index(d);
}

static void dso_free(struct dso *d)
{
	size_t i;

	if (d->dwarf)
		dwarf_end(d->dwarf);
	if (d->debug_elf)
		elf_end(d->debug_elf);
	if (d->elf)
		elf_end(d->elf);
	free(d->image);
	free(d->symtab.v);
	free(d->dynsym.v);
	for (i = 0; i < d->ncuinfo; i++)
		free(d->cuinfo[i].funcs);
	free(d->cuinfo);
	free(d->cus);
	free(d->segs);
	free(d->path);
	free(d);
}

/*
 * The ELF virtual address of ip: the file offset it maps (start and pgoff of
 * the mapping), then the PT_LOAD segment holding that offset. Load bias is
 * never assumed to be the mapping's start: that is wrong for non-PIE
 * executables and for libraries whose text is not their first segment.
 */
static uint64_t dso_addr(const struct dso *d, const struct mapping *m, uint64_t ip)
{
	uint64_t off = ip - m->start + m->pgoff;
	size_t i;

	for (i = 0; i < d->nsegs; i++)
		if (off >= d->segs[i].offset && off - d->segs[i].offset < d->segs[i].filesz)
			return off - d->segs[i].offset + d->segs[i].vaddr;
	return off; /* no segment (or no ELF): the file offset stands in */
}

/*
 * DWARF finds the function and file:line; the symbol tables name it when a
 * symbol starts where the DWARF function does, as perf and nm name it
 * (glibc's DWARF calls qsort by its internal alias __GI_qsort). Without
 * DWARF: .symtab, .dynsym, then module+offset.
 */
static void dso_resolve(struct symbolizer *s, struct dso *d, uint64_t addr, struct cached *c)
{
	const struct elfsym *e;
	enum sym_source src = SYM_SRC_SYMTAB;

	if (!d->indexed)
		dso_index(s, d);
	if (d->dwarf)
		dwarf_resolve(d, addr, c);
	e = symtab_find(&d->symtab, addr);
	if (!e) {
		e = symtab_find(&d->dynsym, addr);
		src = SYM_SRC_DYNSYM;
	}
	if (c->function) {
		if (e && e->addr == addr - c->offset)
			c->function = e->name;
		return;
	}
	if (!e) {
		c->function = arena_printf(s, "%s+0x%" PRIx64, d->name, addr);
		c->offset = addr;
		c->source = SYM_SRC_MODULE;
		return;
	}
	c->function = e->name;
	c->offset = addr - e->addr;
	c->source = src; /* any file:line found by DWARF stays */
}

static const struct cached *cache_get(struct symbolizer *s, struct dso *d, uint64_t addr)
{
	uint64_t h = mix64(addr ^ ((uint64_t)d->id << 48) ^ d->id);
	struct hnode *e;
	struct cached *c;

	for (e = htab_chain(&s->cache, h); e; e = e->next) {
		c = node_owner(e, struct cached, node);
		if (e->hash == h && c->dso == d && c->addr == addr) {
			s->stats.cache_hits++;
			return c;
		}
	}
	c = arena_alloc(s, sizeof(*c));
	memset(c, 0, sizeof(*c));
	c->dso = d;
	c->addr = addr;
	dso_resolve(s, d, addr, c);
	htab_insert(&s->cache, &c->node, h);
	return c;
}

/* ---- processes --------------------------------------------------------------------------- */

static struct proc *proc_find(const struct symbolizer *s, pid_t pid)
{
	uint64_t h = mix64((uint64_t)pid);
	struct hnode *e;

	for (e = htab_chain(&s->procs, h); e; e = e->next)
		if (e->hash == h && node_owner(e, struct proc, node)->pid == pid)
			return node_owner(e, struct proc, node);
	return NULL;
}

static struct proc *proc_get(struct symbolizer *s, pid_t pid)
{
	struct proc *p = proc_find(s, pid);

	if (!p) {
		p = xcalloc(1, sizeof(*p));
		p->pid = pid;
		htab_insert(&s->procs, &p->node, mix64((uint64_t)pid));
	}
	return p;
}

static void proc_free(struct proc *p)
{
	free(p->maps);
	free(p->jit);
	free(p);
}

static const struct mapping *proc_map_find(const struct proc *p, uint64_t ip)
{
	size_t lo = 0, hi = p->nmaps;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (p->maps[mid].start <= ip)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && ip < p->maps[lo - 1].end ? &p->maps[lo - 1] : NULL;
}

static void proc_map_append(struct proc *p, const struct mapping *m)
{
	XGROW(p->maps, p->capmaps, p->nmaps + 1);
	p->maps[p->nmaps++] = *m;
}

/* Inserts m, cutting whatever it overlaps out of the existing mappings (as mmap does). */
static void proc_map_insert(struct proc *p, const struct mapping *m)
{
	struct mapping *old = p->maps;
	size_t nold = p->nmaps, i;
	bool placed = false;

	p->maps = NULL;
	p->nmaps = p->capmaps = 0;
	for (i = 0; i < nold; i++) {
		struct mapping o = old[i];

		if (!placed && o.start >= m->start) {
			proc_map_append(p, m);
			placed = true;
		}
		if (o.end <= m->start || o.start >= m->end) {
			proc_map_append(p, &o);
			continue;
		}
		/* what is left of o on either side of m */
		if (o.start < m->start) {
			struct mapping left = o;

			left.end = m->start;
			proc_map_append(p, &left);
		}
		if (o.end > m->end) {
			struct mapping right = o;

			right.pgoff += m->end - o.start;
			right.start = m->end;
			if (!placed) {
				proc_map_append(p, m);
				placed = true;
			}
			proc_map_append(p, &right);
		}
	}
	if (!placed)
		proc_map_append(p, m);
	free(old);
}

/*
 * Which mapping paths are files: absolute paths and the vdso. The rest
 * (empty, "[heap]", perf's "//anon") is anonymous code, for the perf map.
 */
static bool path_is_file(const char *path)
{
	return (path[0] == '/' && strncmp(path, "//anon", 6) != 0) || !strcmp(path, "[vdso]");
}

static struct dso *dso_for_mapping(struct symbolizer *s, pid_t pid, uint64_t start, uint64_t end,
				   const char *path)
{
	size_t len = strlen(path), slen = strlen(DELETED_SUFFIX);
	bool deleted = len > slen && !strcmp(path + len - slen, DELETED_SUFFIX);
	char *clean, *in_root, *mapfile;
	const char *cand[3];
	struct dso *d;

	if (!strcmp(path, "[vdso]"))
		return dso_vdso(s);
	clean = xstrndup(path, deleted ? len - slen : len);
	/*
	 * The process's own root first (it may live in another mount
	 * namespace), then the path as we see it; a deleted file (a library
	 * upgraded under a running process) only through map_files.
	 */
	in_root = xasprintf("%s/%d/root%s", s->proc_dir, (int)pid, clean);
	mapfile = xasprintf("%s/%d/map_files/%" PRIx64 "-%" PRIx64, s->proc_dir, (int)pid, start,
			    end);
	if (deleted) {
		cand[0] = mapfile;
		cand[1] = cand[2] = NULL;
	} else {
		cand[0] = in_root;
		cand[1] = clean;
		cand[2] = mapfile;
	}
	d = dso_for_file(s, cand, 3, clean, path_basename(clean));
	free(mapfile);
	free(in_root);
	free(clean);
	return d;
}

/* Parses one /proc/PID/maps line (path: the rest of it). Returns false for a malformed line. */
static bool parse_maps_line(char *line, uint64_t *start, uint64_t *end, uint64_t *pgoff,
			    char perms[5], const char **path)
{
	int n = 0;
	char *p;

	if (sscanf(line, "%" SCNx64 "-%" SCNx64 " %4s %" SCNx64 " %*s %*s%n", start, end, perms,
		   pgoff, &n) != 4 ||
	    n == 0 || *end <= *start)
		return false;
	p = line + n;
	while (*p == ' ' || *p == '\t')
		p++;
	*path = p;
	return true;
}

int symbolizer_load_maps(struct symbolizer *s, pid_t pid)
{
	char *path = xasprintf("%s/%d/maps", s->proc_dir, (int)pid), *line = NULL;
	FILE *f = fopen(path, "re");
	size_t cap = 0;
	struct proc *p;
	int err = 0;

	if (!f) {
		err = -errno;
		goto out;
	}
	p = proc_get(s, pid);
	p->nmaps = 0;
	/* maps is sorted and without overlaps: appending keeps the invariant */
	while (getline(&line, &cap, f) > 0) {
		struct mapping m;
		const char *mpath;
		char perms[5];

		line[strcspn(line, "\n")] = '\0';
		if (!parse_maps_line(line, &m.start, &m.end, &m.pgoff, perms, &mpath) ||
		    perms[2] != 'x' || !path_is_file(mpath))
			continue;
		m.dso = dso_for_mapping(s, pid, m.start, m.end, mpath);
		proc_map_append(p, &m);
	}
	if (ferror(f))
		err = -EIO;
	fclose(f);
out:
	free(line);
	free(path);
	return err;
}

void symbolizer_add_mapping(struct symbolizer *s, pid_t pid, uint64_t start, uint64_t len,
			    uint64_t pgoff, const char *path)
{
	struct mapping m = { .start = start, .end = start + len, .pgoff = pgoff };

	if (!len || m.end < start || !path_is_file(path))
		return;
	m.dso = dso_for_mapping(s, pid, m.start, m.end, path);
	proc_map_insert(proc_get(s, pid), &m);
}

void symbolizer_fork(struct symbolizer *s, pid_t parent, pid_t child)
{
	struct proc *pp = proc_find(s, parent), *c;

	if (!pp || parent == child)
		return;
	c = proc_get(s, child);
	c->nmaps = 0;
	XGROW(c->maps, c->capmaps, pp->nmaps);
	if (pp->nmaps)
		memcpy(c->maps, pp->maps, pp->nmaps * sizeof(*pp->maps));
	c->nmaps = pp->nmaps;
}

void symbolizer_forget(struct symbolizer *s, pid_t pid)
{
	struct proc *p = proc_find(s, pid);

	if (p) {
		htab_remove(&s->procs, &p->node);
		proc_free(p);
	}
}

/* ---- perf maps (JIT) ---------------------------------------------------------------------- */

static int jit_cmp(const void *a, const void *b)
{
	const struct jit_sym *x = a, *y = b;

	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

static const struct jit_sym *jit_find(const struct proc *p, uint64_t ip)
{
	size_t lo = 0, hi = p->njit;

	while (lo < hi) { /* the last entry starting at or below ip: the newest of equals */
		size_t mid = lo + (hi - lo) / 2;

		if (p->jit[mid].start <= ip)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo && ip < p->jit[lo - 1].end ? &p->jit[lo - 1] : NULL;
}

/*
 * Reads what was appended to perf-PID.map since the last read ("START SIZE
 * name" lines in hex, the format of perf's JIT interface); a file that shrank
 * belongs to a new process of that pid and is read again from the start.
 * Returns true when something new was read.
 */
static bool jit_refresh(struct symbolizer *s, struct proc *p)
{
	char *path = xasprintf("%s/perf-%d.map", s->perf_map_dir, (int)p->pid), *line = NULL;
	size_t cap = 0;
	struct stat st;
	bool changed = false;
	FILE *f = fopen(path, "re");
	ssize_t n;

	if (!f || fstat(fileno(f), &st) != 0)
		goto out;
	if (st.st_size == p->jit_read && st.st_mtim.tv_sec == p->jit_mtime.tv_sec &&
	    st.st_mtim.tv_nsec == p->jit_mtime.tv_nsec)
		goto out;
	if (st.st_size < p->jit_read) {
		p->njit = 0;
		p->jit_read = 0;
	}
	if (!p->jit_module)
		p->jit_module = arena_printf(s, "perf-%d.map", (int)p->pid);
	p->jit_mtime = st.st_mtim;
	if (fseeko(f, p->jit_read, SEEK_SET) != 0)
		goto out;
	while ((n = getline(&line, &cap, f)) > 0) {
		uint64_t start, size;
		char *e1, *e2, *name;

		if (line[n - 1] != '\n')
			break; /* a line being written: read it next time */
		p->jit_read += n;
		line[n - 1] = '\0';
		start = strtoull(line, &e1, 16);
		size = strtoull(e1, &e2, 16);
		if (e1 == line || e2 == e1 || *e2 != ' ' || !size || start + size < start)
			continue;
		name = e2 + 1;
		XGROW(p->jit, p->capjit, p->njit + 1);
		p->jit[p->njit] = (struct jit_sym){ .start = start,
						    .end = start + size,
						    .name = arena_strndup(s, name, strlen(name)),
						    .seq = p->njit };
		p->njit++;
		changed = true;
	}
	if (changed)
		qsort(p->jit, p->njit, sizeof(*p->jit), jit_cmp);
out:
	if (f)
		fclose(f);
	free(line);
	free(path);
	return changed;
}

static int jit_lookup(struct symbolizer *s, struct proc *p, pid_t pid, uint64_t ip, struct sym *out)
{
	const struct jit_sym *j = p ? jit_find(p, ip) : NULL;

	if (!j) {
		/* perhaps written since: a stat when the file is unchanged, nothing when absent */
		char *path = xasprintf("%s/perf-%d.map", s->perf_map_dir, (int)pid);
		bool exists = access(path, R_OK) == 0;

		free(path);
		if (!exists)
			return -ENOENT;
		if (!p)
			p = proc_get(s, pid);
		if (!jit_refresh(s, p) || !(j = jit_find(p, ip)))
			return -ENOENT;
	}
	*out = (struct sym){ .function = j->name,
			     .module = p->jit_module,
			     .offset = ip - j->start,
			     .source = SYM_SRC_PERF_MAP };
	return 0;
}

/* ---- kernel ------------------------------------------------------------------------------ */

static int ksym_cmp(const void *a, const void *b)
{
	const struct ksym *x = a, *y = b;

	if (x->addr != y->addr)
		return x->addr < y->addr ? -1 : 1;
	if (x->rank != y->rank)
		return x->rank < y->rank ? -1 : 1;
	return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* One text symbol line of kallsyms; name and mod point into the line. */
struct kline {
	uint64_t addr;
	unsigned rank; /* 0 for global ('T', 'W'), 1 for local */
	const char *name, *mod;
	size_t nlen, mlen; /* mlen 0: the kernel itself */
};

/* Reads lines of f up to the next text symbol into k; false at the end. */
static bool kallsyms_next(FILE *f, char **line, size_t *cap, struct kline *k)
{
	while (getline(line, cap, f) > 0) {
		char *e, *mod;
		char type;

		k->addr = strtoull(*line, &e, 16);
		if (e == *line || e[0] != ' ' || !e[1] || e[2] != ' ')
			continue;
		type = e[1];
		if (type != 't' && type != 'T' && type != 'w' && type != 'W')
			continue;
		k->rank = (type == 'T' || type == 'W') ? 0 : 1;
		k->name = e + 3;
		k->nlen = strcspn(k->name, " \t\n");
		mod = (char *)k->name + k->nlen;
		while (*mod == ' ' || *mod == '\t')
			mod++;
		k->mod = mod;
		k->mlen = *mod == '[' ? strcspn(mod, "\n") : 0;
		return true;
	}
	return false;
}

/* The arena copy of k's module name (a module's symbols are consecutive: *last is reused). */
static const char *kline_module(struct symbolizer *s, const struct kline *k, const char **last)
{
	if (!k->mlen)
		return KERNEL_MODULE_NAME;
	if (!*last || strncmp(*last, k->mod, k->mlen) || (*last)[k->mlen])
		*last = arena_strndup(s, k->mod, k->mlen);
	return *last;
}

static FILE *kallsyms_open(const struct symbolizer *s)
{
	char *path = xasprintf("%s/kallsyms", s->proc_dir);
	FILE *f = fopen(path, "re");

	free(path);
	return f;
}

/*
 * Reads the text symbols of PROC/kallsyms once. Without the privilege to see
 * them (kptr_restrict) every address reads 0: no symbols, lookups fail.
 */
static void kallsyms_load(struct symbolizer *s)
{
	const char *module = NULL;
	char *line = NULL;
	size_t cap = 0, kcap = 0, i, out;
	FILE *f = kallsyms_open(s);
	bool any_address = false;
	struct kline k;

	s->ksyms_loaded = true;
	while (f && kallsyms_next(f, &line, &cap, &k)) {
		if (k.addr)
			any_address = true;
		XGROW(s->ksyms, kcap, s->nksyms + 1);
		s->ksyms[s->nksyms] = (struct ksym){
			.addr = k.addr,
			.name = arena_strndup(s, k.name, k.nlen),
			.module = kline_module(s, &k, &module),
			.rank = k.rank,
			.seq = s->nksyms,
		};
		s->nksyms++;
	}
	if (f)
		fclose(f);
	free(line);
	if (!any_address) {
		s->nksyms = 0;
		return;
	}
	qsort(s->ksyms, s->nksyms, sizeof(*s->ksyms), ksym_cmp);
	for (i = 1, out = s->nksyms ? 1 : 0; i < s->nksyms; i++)
		if (s->ksyms[i].addr != s->ksyms[out - 1].addr)
			s->ksyms[out++] = s->ksyms[i];
	s->nksyms = out;
}

static int u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/* Index of the first of the n sorted entries of v whose ip is >= ip (n when none is). */
static size_t kpre_lower_bound(const struct kpre *v, size_t n, uint64_t ip)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid].ip < ip)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/*
 * One pass over kallsyms keeps, for each address, only the symbol that covers
 * it. Symbol a goes to the bucket of the first address >= a, where it is kept
 * if it is higher than the bucket's (or at the same address, global where the
 * kept one is local): the symbol covering address j is then the last kept one
 * at or before bucket j. This picks what kallsyms_load's table would: the
 * highest address <= ip, global before local, the first listed among equals.
 */
void symbolizer_prefetch_kernel(struct symbolizer *s, const uint64_t *ips, size_t n)
{
	uint64_t *sorted = xmalloc((n + 1) * sizeof(*sorted));
	char **names = NULL, *line = NULL;
	const char *module = NULL;
	size_t m = 0, cap = 0, i;
	struct kline k;
	FILE *f;

	for (i = 0; i < n; i++)
		if (ips[i] >= SYM_KERNEL_START)
			sorted[m++] = ips[i];
	qsort(sorted, m, sizeof(*sorted), u64_cmp);
	free(s->kpre);
	s->kpre = xcalloc(m + 1, sizeof(*s->kpre));
	s->nkpre = 0;
	for (i = 0; i < m; i++)
		if (!s->nkpre || s->kpre[s->nkpre - 1].ip != sorted[i])
			s->kpre[s->nkpre++].ip = sorted[i];
	free(sorted);
	f = s->nkpre ? kallsyms_open(s) : NULL;
	names = xcalloc(s->nkpre + 1, sizeof(*names));
	while (f && kallsyms_next(f, &line, &cap, &k)) {
		size_t j = kpre_lower_bound(s->kpre, s->nkpre, k.addr);
		struct ksym *c;

		if (!k.addr || j == s->nkpre)
			continue;
		c = &s->kpre[j].k;
		if (names[j] && (k.addr < c->addr || (k.addr == c->addr && k.rank >= c->rank)))
			continue;
		free(names[j]);
		names[j] = xstrndup(k.name, k.nlen);
		*c = (struct ksym){ .addr = k.addr,
				    .module = kline_module(s, &k, &module),
				    .rank = k.rank };
	}
	if (f)
		fclose(f);
	free(line);
	for (i = 0; i < s->nkpre; i++) {
		if (names[i]) {
			s->kpre[i].k.name = arena_strndup(s, names[i], strlen(names[i]));
			free(names[i]);
		} else if (i) { /* the one below covers it (or nothing does) */
			s->kpre[i].k = s->kpre[i - 1].k;
		}
	}
	free(names);
}

/* The symbol covering ip, from the prefetched addresses or else the whole table; NULL if none. */
static const struct ksym *kernel_symbol(struct symbolizer *s, uint64_t ip)
{
	size_t lo = 0, hi;

	if (s->nkpre) {
		size_t j = kpre_lower_bound(s->kpre, s->nkpre, ip);

		if (j < s->nkpre && s->kpre[j].ip == ip)
			return s->kpre[j].k.name ? &s->kpre[j].k : NULL;
	}
	if (!s->ksyms_loaded)
		kallsyms_load(s);
	hi = s->nksyms;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (s->ksyms[mid].addr <= ip)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo ? &s->ksyms[lo - 1] : NULL;
}

static int kernel_lookup(struct symbolizer *s, uint64_t ip, struct sym *out)
{
	const struct ksym *k = kernel_symbol(s, ip);

	if (!k || ip - k->addr >= KSYM_MAX_SPAN)
		return -ENOENT;
	*out = (struct sym){ .function = k->name,
			     .module = k->module,
			     .offset = ip - k->addr,
			     .source = SYM_SRC_KALLSYMS,
			     .kernel = true };
	return 0;
}

/* ---- the API ----------------------------------------------------------------------------- */

int symbolizer_lookup(struct symbolizer *s, pid_t pid, uint64_t ip, struct sym *out)
{
	struct proc *p;
	const struct mapping *m;
	const struct cached *c;

	s->stats.lookups++;
	if (ip >= SYM_KERNEL_START)
		return kernel_lookup(s, ip, out);
	p = proc_find(s, pid);
	m = p ? proc_map_find(p, ip) : NULL;
	if (!m)
		return jit_lookup(s, p, pid, ip, out);
	/* code in a file that is not an ELF (a JIT's memfd) may be in the perf map */
	if (m->dso->not_elf && jit_lookup(s, p, pid, ip, out) == 0)
		return 0;
	c = cache_get(s, m->dso, dso_addr(m->dso, m, ip));
	*out = (struct sym){ .function = c->function,
			     .module = m->dso->name,
			     .file = c->file,
			     .line = c->line,
			     .offset = c->offset,
			     .source = c->source };
	return 0;
}

void symbolizer_get_stats(const struct symbolizer *s, struct symbolizer_stats *out)
{
	*out = s->stats;
	out->procs = (unsigned)s->procs.n;
}

struct symbolizer *symbolizer_new_at(const struct symbolizer_paths *paths)
{
	struct symbolizer *s = xcalloc(1, sizeof(*s));

	/* libdw would ask debuginfod servers for missing debug info: never here */
	unsetenv("DEBUGINFOD_URLS");
	elf_version(EV_CURRENT);
	s->proc_dir = xstrdup(paths && paths->proc ? paths->proc : "/proc");
	s->perf_map_dir = xstrdup(paths && paths->perf_map_dir ? paths->perf_map_dir : "/tmp");
	s->debug_dir = xstrdup(paths && paths->debug_dir ? paths->debug_dir : "/usr/lib/debug");
	return s;
}

struct symbolizer *symbolizer_new(void)
{
	return symbolizer_new_at(NULL);
}

void symbolizer_no_dwarf(struct symbolizer *s)
{
	s->no_dwarf = true;
}

void symbolizer_free(struct symbolizer *s)
{
	struct arena_chunk *c, *cn;
	struct file_alias *a, *an;
	struct dso *d, *dn;
	size_t i;

	if (!s)
		return;
	for (i = 0; i < s->procs.nb; i++) {
		struct hnode *e = s->procs.b[i], *next;

		for (; e; e = next) {
			next = e->next;
			proc_free(node_owner(e, struct proc, node));
		}
	}
	for (d = s->dsos; d; d = dn) {
		dn = d->next;
		dso_free(d);
	}
	for (a = s->aliases; a; a = an) {
		an = a->next;
		free(a);
	}
	for (c = s->arena; c; c = cn) {
		cn = c->next;
		free(c);
	}
	htab_release(&s->procs);
	htab_release(&s->dso_by_bid);
	htab_release(&s->dso_by_file);
	htab_release(&s->dso_by_path);
	htab_release(&s->cache);
	free(s->ksyms);
	free(s->kpre);
	free(s->proc_dir);
	free(s->perf_map_dir);
	free(s->debug_dir);
	free(s);
}
