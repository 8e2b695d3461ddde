/* procfs.c - /proc readers: kept-open system files re-read by pread, bounded parsers, pid lists. */
#include "sys/procfs.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/xalloc.h"

/*
 * The highest cpu index accepted in /proc/stat. The largest CONFIG_NR_CPUS of
 * any architecture is 8192; twice that leaves room and bounds what a corrupt
 * (or fuzzed) file can make us allocate.
 */
#define MAX_CPUS	 16384
#define DENTS_BYTES	 (64 * 1024) /* one getdents64 call covers ~2000 /proc entries */
#define READ_FIRST_BYTES 4096 /* first size of the scratch buffer: /proc/stat of a small box */
#define READ_SPARE_BYTES 512  /* grow before a pread when less than this is left */
#define PATH_BYTES	 256

enum sys_file {
	SYS_STAT,
	SYS_MEMINFO,
	SYS_LOADAVG,
	SYS_PSI_CPU,
	SYS_PSI_MEMORY,
	SYS_PSI_IO,
	SYS_NET_DEV,
	SYS_DISKSTATS,
	SYS_NFILES,
};

/* The files kept open for the life of the handle; psi names the resource of procfs_read_psi(). */
static const struct {
	const char *path;
	const char *psi;
} sys_files[SYS_NFILES] = {
	[SYS_STAT] = { "stat", NULL },
	[SYS_MEMINFO] = { "meminfo", NULL },
	[SYS_LOADAVG] = { "loadavg", NULL },
	[SYS_PSI_CPU] = { "pressure/cpu", "cpu" },
	[SYS_PSI_MEMORY] = { "pressure/memory", "memory" },
	[SYS_PSI_IO] = { "pressure/io", "io" },
	/* resolved through /proc/self/net at open: the daemon's network namespace */
	[SYS_NET_DEV] = { "net/dev", NULL },
	[SYS_DISKSTATS] = { "diskstats", NULL },
};

struct procfs {
	int rootfd;	    /* every path is opened relative to it */
	int dirfd;	    /* a second open of the root: getdents64 needs its own offset */
	int fd[SYS_NFILES]; /* kept-open system files, or -errno of the failed open */
	char *buf;	    /* scratch for whole-file reads, reused across calls */
	size_t cap;	    /* its capacity, bytes */
	char *dents;	    /* DENTS_BYTES for getdents64 */
};

/* The kernel's record; glibc only declares it from 2.30 on, so spell it out. */
struct dirent64_raw {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

/* ---- bounded scanning over a [p, end) range (never NUL-terminated) ---- */

struct cur {
	const char *p, *end;
};

static bool is_blank(char c)
{
	return c == ' ' || c == '\t';
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

static void skip_blank(struct cur *c)
{
	while (c->p < c->end && is_blank(*c->p))
		c->p++;
}

/* True when the cursor sits at the end of a token: a blank or the end of the range. */
static bool at_token_end(const struct cur *c)
{
	return c->p == c->end || is_blank(*c->p) || *c->p == '\n';
}

/* Splits the next line off *all into *line (without its '\n'). False at the end. */
static bool next_line(struct cur *all, struct cur *line)
{
	const char *nl;

	if (all->p >= all->end)
		return false;
	nl = memchr(all->p, '\n', (size_t)(all->end - all->p));
	line->p = all->p;
	line->end = nl ? nl : all->end;
	all->p = nl ? nl + 1 : all->end;
	return true;
}

/* The next run of non-blanks (after blanks) as [*w, *w + *n). False when none is left. */
static bool next_word(struct cur *c, const char **w, size_t *n)
{
	skip_blank(c);
	*w = c->p;
	while (c->p < c->end && !is_blank(*c->p))
		c->p++;
	*n = (size_t)(c->p - *w);
	return *n > 0;
}

static bool word_is(const char *w, size_t n, const char *lit)
{
	return strlen(lit) == n && memcmp(w, lit, n) == 0;
}

/* A table key with its length worked out at compile time: the parsers compare many lines. */
#define KEY(lit) lit, sizeof(lit) - 1

/* Decimal digits into *v, refusing overflow; the cursor must be on the first digit. */
static int scan_digits(struct cur *c, uint64_t *v)
{
	uint64_t x = 0;
	unsigned d;

	if (c->p >= c->end || !is_digit(*c->p))
		return -EINVAL;
	while (c->p < c->end && is_digit(*c->p)) {
		d = (unsigned)(*c->p - '0');
		if (x > (UINT64_MAX - d) / 10)
			return -EINVAL;
		x = x * 10 + d;
		c->p++;
	}
	*v = x;
	return 0;
}

/* After optional blanks, an unsigned decimal that ends its token. */
static int get_u64(struct cur *c, uint64_t *v)
{
	skip_blank(c);
	if (scan_digits(c, v) < 0 || !at_token_end(c))
		return -EINVAL;
	return 0;
}

/* As get_u64() with an optional leading '-' (the magnitude in *v, the sign in *neg). */
static int get_signed(struct cur *c, uint64_t *v, bool *neg)
{
	skip_blank(c);
	*neg = c->p < c->end && *c->p == '-';
	if (*neg)
		c->p++;
	return get_u64(c, v);
}

/*
 * A fixed-point decimal as the kernel prints loadavg and PSI averages
 * ("%lu.%02lu"): digits, optionally '.' and more digits. strtod() would need a
 * NUL-terminated copy and accepts "inf", hex and the locale's radix.
 */
static int get_decimal(struct cur *c, double *v)
{
	static const double pow10[] = { 1e0,  1e1,  1e2,  1e3,	1e4,  1e5,  1e6,  1e7,	1e8, 1e9,
					1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18 };
	uint64_t ip, frac = 0;
	unsigned nfrac = 0;

	skip_blank(c);
	if (scan_digits(c, &ip) < 0)
		return -EINVAL;
	if (c->p < c->end && *c->p == '.') {
		c->p++;
		for (; c->p < c->end && is_digit(*c->p); c->p++) {
			/* digits past 18 cannot change a double; skip them */
			if (nfrac < 18) {
				frac = frac * 10 + (uint64_t)(*c->p - '0');
				nfrac++;
			}
		}
	}
	if (!at_token_end(c))
		return -EINVAL;
	*v = (double)ip + (double)frac / pow10[nfrac];
	return 0;
}

static uint64_t add_sat(uint64_t a, uint64_t b)
{
	return a > UINT64_MAX - b ? UINT64_MAX : a + b;
}

/* ---- /proc/stat ---- */

enum field_type { F_U64, F_INT, F_LONG };

/* The single-value lines of /proc/stat that we keep; others (intr, softirq...) are skipped. */
static const struct {
	const char *key;
	size_t len;
	size_t off;
	enum field_type type;
} stat_keys[] = {
	{ KEY("ctxt"), offsetof(struct sys_stat, ctxt), F_U64 },
	{ KEY("btime"), offsetof(struct sys_stat, btime), F_U64 },
	{ KEY("processes"), offsetof(struct sys_stat, processes), F_U64 },
	{ KEY("procs_running"), offsetof(struct sys_stat, procs_running), F_INT },
	{ KEY("procs_blocked"), offsetof(struct sys_stat, procs_blocked), F_INT },
};

/*
 * The columns after "cpu"/"cpuN". Kernels before 2.6 had four, 2.6 added
 * iowait/irq/softirq, 2.6.11 steal, later guest and guest_nice (not kept,
 * they are already included in user and nice): missing columns read as 0.
 */
static int parse_cpu_times(struct cur *line, struct cpu_times *t)
{
	uint64_t v[8] = { 0 };
	size_t n;

	for (n = 0; n < 8; n++) {
		skip_blank(line);
		if (line->p == line->end)
			break;
		if (get_u64(line, &v[n]) < 0)
			return -EINVAL;
	}
	if (n < 4)
		return -EINVAL;
	*t = (struct cpu_times){
		.user = v[0],
		.nice = v[1],
		.system = v[2],
		.idle = v[3],
		.iowait = v[4],
		.irq = v[5],
		.softirq = v[6],
		.steal = v[7],
	};
	return 0;
}

/* The N of "cpuN" (the word without "cpu"), bounded by MAX_CPUS. */
static int parse_cpu_index(const char *w, size_t n, int *idx)
{
	struct cur c = { w, w + n };
	uint64_t x;

	if (scan_digits(&c, &x) < 0 || c.p != c.end || x >= MAX_CPUS)
		return -EINVAL;
	*idx = (int)x;
	return 0;
}

/*
 * Makes st->cpu (have entries) hold index idx, zeroing the new entries, and
 * returns the new count. Doubling keeps the first read of a big machine to a
 * few reallocs; afterwards ncpu is stable and nothing is allocated.
 */
static int grow_cpus(struct sys_stat *st, int have, int idx)
{
	int want = have * 2 > idx + 1 ? have * 2 : idx + 1;

	if (want > MAX_CPUS)
		want = MAX_CPUS;
	st->cpu = xrealloc(st->cpu, (size_t)want * sizeof(*st->cpu));
	memset(st->cpu + have, 0, (size_t)(want - have) * sizeof(*st->cpu));
	return want;
}

/*
 * On entry st->ncpu is the number of entries st->cpu holds (0 and NULL for a
 * zeroed struct); the array only grows. Offline cpus have no line, so cpuN
 * may skip numbers: the array is indexed by N and the gaps stay zero.
 */
int procfs_parse_stat(const char *buf, size_t len, struct sys_stat *st)
{
	struct cur all = { buf, buf + len }, line;
	int have = st->ncpu, maxcpu = -1, idx, err;
	bool total = false;
	const char *w;
	size_t n, i;
	uint64_t v;

	if (st->cpu)
		memset(st->cpu, 0, (size_t)have * sizeof(*st->cpu));
	memset(&st->total, 0, sizeof(st->total));
	st->ctxt = st->processes = st->btime = 0;
	st->procs_running = st->procs_blocked = 0;

	err = 0;
	while (!err && next_line(&all, &line)) {
		if (!next_word(&line, &w, &n))
			continue;
		if (n >= 3 && memcmp(w, "cpu", 3) == 0) {
			if (n == 3) {
				err = parse_cpu_times(&line, &st->total);
				total = true;
				continue;
			}
			err = parse_cpu_index(w + 3, n - 3, &idx);
			if (err)
				break;
			if (idx >= have)
				have = grow_cpus(st, have, idx);
			err = parse_cpu_times(&line, &st->cpu[idx]);
			if (idx > maxcpu)
				maxcpu = idx;
			continue;
		}
		for (i = 0; i < sizeof(stat_keys) / sizeof(stat_keys[0]); i++) {
			if (stat_keys[i].len != n || memcmp(w, stat_keys[i].key, n) != 0)
				continue;
			if (get_u64(&line, &v) < 0 || (stat_keys[i].type == F_INT && v > INT_MAX)) {
				err = -EINVAL;
				break;
			}
			if (stat_keys[i].type == F_INT)
				*(int *)((char *)st + stat_keys[i].off) = (int)v;
			else
				*(uint64_t *)((char *)st + stat_keys[i].off) = v;
			break;
		}
	}
	/* keep ncpu within what is allocated even on error, so the next call can trust it */
	st->ncpu = err ? have : maxcpu + 1;
	if (err)
		return err;
	return total ? 0 : -EINVAL;
}

void procfs_sys_stat_release(struct sys_stat *st)
{
	free(st->cpu);
	st->cpu = NULL;
	st->ncpu = 0;
}

/* ---- /proc/meminfo ---- */

static const struct {
	const char *key;
	size_t len;
	size_t off;
} meminfo_keys[] = {
	{ KEY("MemTotal"), offsetof(struct meminfo, total_kib) },
	{ KEY("MemFree"), offsetof(struct meminfo, free_kib) },
	{ KEY("MemAvailable"), offsetof(struct meminfo, available_kib) },
	{ KEY("Buffers"), offsetof(struct meminfo, buffers_kib) },
	{ KEY("Cached"), offsetof(struct meminfo, cached_kib) },
	{ KEY("Active"), offsetof(struct meminfo, active_kib) },
	{ KEY("Inactive"), offsetof(struct meminfo, inactive_kib) },
	{ KEY("Dirty"), offsetof(struct meminfo, dirty_kib) },
	{ KEY("Slab"), offsetof(struct meminfo, slab_kib) },
	{ KEY("Shmem"), offsetof(struct meminfo, shmem_kib) },
	{ KEY("SwapTotal"), offsetof(struct meminfo, swap_total_kib) },
	{ KEY("SwapFree"), offsetof(struct meminfo, swap_free_kib) },
};

#define MEMINFO_NKEYS	  (sizeof(meminfo_keys) / sizeof(meminfo_keys[0]))
#define MEMINFO_TOTAL	  0 /* indexes in meminfo_keys */
#define MEMINFO_AVAILABLE 2

int procfs_parse_meminfo(const char *buf, size_t len, struct meminfo *m)
{
	struct cur all = { buf, buf + len }, line;
	bool seen[MEMINFO_NKEYS] = { false };
	size_t i, klen, nseen = 0;
	const char *colon;
	uint64_t v;

	memset(m, 0, sizeof(*m));
	/* the keys we keep are all in the first half of the file: stop once each was seen */
	while (nseen < MEMINFO_NKEYS && next_line(&all, &line)) {
		colon = memchr(line.p, ':', (size_t)(line.end - line.p));
		if (!colon)
			continue;
		klen = (size_t)(colon - line.p);
		for (i = 0; i < MEMINFO_NKEYS; i++)
			if (meminfo_keys[i].len == klen &&
			    memcmp(line.p, meminfo_keys[i].key, klen) == 0)
				break;
		if (i == MEMINFO_NKEYS)
			continue;
		/* "Key:   123 kB": the unit is always kB for the keys we keep */
		line.p = colon + 1;
		skip_blank(&line);
		if (scan_digits(&line, &v) < 0 || !at_token_end(&line))
			return -EINVAL;
		*(uint64_t *)((char *)m + meminfo_keys[i].off) = v;
		nseen += !seen[i];
		seen[i] = true;
	}
	if (!seen[MEMINFO_TOTAL]) /* the first line of every kernel's meminfo */
		return -EINVAL;
	/* MemAvailable arrived in 3.14; before, free + buffers + cached is the usual estimate */
	if (!seen[MEMINFO_AVAILABLE])
		m->available_kib = add_sat(add_sat(m->free_kib, m->buffers_kib), m->cached_kib);
	return 0;
}

/* ---- /proc/loadavg: "0.12 0.08 0.03 1/84 3071" ---- */

int procfs_parse_loadavg(const char *buf, size_t len, struct loadavg *la)
{
	struct cur c = { buf, buf + len };
	uint64_t running, total;

	memset(la, 0, sizeof(*la));
	if (get_decimal(&c, &la->load1) < 0 || get_decimal(&c, &la->load5) < 0 ||
	    get_decimal(&c, &la->load15) < 0)
		return -EINVAL;
	skip_blank(&c);
	if (scan_digits(&c, &running) < 0 || c.p == c.end || *c.p != '/')
		return -EINVAL;
	c.p++;
	if (scan_digits(&c, &total) < 0 || !at_token_end(&c))
		return -EINVAL;
	if (running > INT_MAX || total > INT_MAX)
		return -EINVAL;
	la->running = (int)running;
	la->total = (int)total;
	return 0;
}

/* ---- PSI: "some avg10=0.00 avg60=0.00 avg300=0.00 total=0", optionally "full ..." ---- */

/* The key=value pairs after "some"/"full"; all four keys are required, unknown ones skipped. */
static int parse_psi_line(struct cur *line, struct psi_line *pl)
{
	static const char *const keys[] = { "avg10", "avg60", "avg300", "total" };
	double *avg[] = { &pl->avg10, &pl->avg60, &pl->avg300 };
	unsigned seen = 0;
	const char *w, *eq;
	size_t n, i;
	struct cur v;

	memset(pl, 0, sizeof(*pl));
	while (next_word(line, &w, &n)) {
		eq = memchr(w, '=', n);
		if (!eq)
			return -EINVAL;
		for (i = 0; i < 4; i++)
			if (word_is(w, (size_t)(eq - w), keys[i]))
				break;
		if (i == 4)
			continue;
		v = (struct cur){ eq + 1, w + n };
		if (i < 3 ? get_decimal(&v, avg[i]) < 0 : get_u64(&v, &pl->total_us) < 0)
			return -EINVAL;
		if (v.p != v.end)
			return -EINVAL;
		seen |= 1u << i;
	}
	return seen == 0xf ? 0 : -EINVAL;
}

int procfs_parse_psi(const char *buf, size_t len, struct psi *psi)
{
	struct cur all = { buf, buf + len }, line;
	bool some = false;
	const char *w;
	size_t n;

	memset(psi, 0, sizeof(*psi));
	while (next_line(&all, &line)) {
		if (!next_word(&line, &w, &n))
			continue;
		if (word_is(w, n, "some")) {
			if (parse_psi_line(&line, &psi->some) < 0)
				goto bad;
			some = true;
		} else if (word_is(w, n, "full")) {
			if (parse_psi_line(&line, &psi->full) < 0)
				goto bad;
			psi->has_full = true;
		}
		/* other lines: a future format; ignore rather than lose the sample */
	}
	if (!some)
		goto bad;
	psi->present = true;
	return 0;
bad:
	memset(psi, 0, sizeof(*psi));
	return -EINVAL;
}

/* ---- /proc/PID/stat ---- */

/*
 * Fields after the comm, by their proc(5) number (state is 3). Each is read
 * as a signed decimal; unsigned ones refuse a '-'.
 */
#define PID_STAT_LAST 24 /* rss */

static const struct {
	unsigned char field;
	enum field_type type;
	size_t off;
} pid_stat_fields[] = {
	{ 4, F_INT, offsetof(struct proc_stat, ppid) },
	{ 5, F_INT, offsetof(struct proc_stat, pgid) },
	{ 6, F_INT, offsetof(struct proc_stat, sid) },
	{ 10, F_U64, offsetof(struct proc_stat, minflt) },
	{ 12, F_U64, offsetof(struct proc_stat, majflt) },
	{ 14, F_U64, offsetof(struct proc_stat, utime) },
	{ 15, F_U64, offsetof(struct proc_stat, stime) },
	{ 20, F_LONG, offsetof(struct proc_stat, num_threads) },
	{ 22, F_U64, offsetof(struct proc_stat, starttime) },
	{ 23, F_U64, offsetof(struct proc_stat, vsize_bytes) },
	{ 24, F_LONG, offsetof(struct proc_stat, rss_pages) },
};

static int store_field(struct proc_stat *ps, enum field_type type, size_t off, uint64_t mag,
		       bool neg)
{
	char *dst = (char *)ps + off;

	switch (type) {
	case F_U64:
		if (neg)
			return -EINVAL;
		*(uint64_t *)dst = mag;
		return 0;
	case F_INT:
		if (mag > (neg ? (uint64_t)INT_MAX + 1 : (uint64_t)INT_MAX))
			return -EINVAL;
		*(int *)dst = neg ? (int)(-(int64_t)mag) : (int)mag;
		return 0;
	case F_LONG:
		if (mag > (neg ? (uint64_t)LONG_MAX + 1 : (uint64_t)LONG_MAX))
			return -EINVAL;
		/* -(LONG_MAX + 1) without overflowing: negate after the subtraction */
		*(long *)dst = neg ? -(long)(mag - 1) - 1 : (long)mag;
		return 0;
	}
	return -EINVAL;
}

/*
 * "PID (COMM) S f4 f5 ...": the comm runs from the first '(' to the last ')'
 * because a task may name itself anything, spaces and ')' included.
 */
int procfs_parse_pid_stat(const char *buf, size_t len, struct proc_stat *ps)
{
	struct cur c = { buf, buf + len };
	uint64_t vals[PID_STAT_LAST + 1] = { 0 };
	bool negs[PID_STAT_LAST + 1] = { false };
	const char *rparen;
	uint64_t pid;
	size_t n, i;
	int f;

	memset(ps, 0, sizeof(*ps));
	skip_blank(&c);
	if (scan_digits(&c, &pid) < 0 || pid > INT_MAX)
		return -EINVAL;
	skip_blank(&c);
	if (c.p == c.end || *c.p != '(')
		return -EINVAL;
	c.p++;
	rparen = memrchr(c.p, ')', (size_t)(c.end - c.p));
	if (!rparen)
		return -EINVAL;
	n = (size_t)(rparen - c.p);
	if (n > sizeof(ps->comm) - 1)
		n = sizeof(ps->comm) - 1;
	memcpy(ps->comm, c.p, n);
	ps->comm[n] = '\0';
	ps->pid = (int)pid;

	c.p = rparen + 1;
	skip_blank(&c);
	if (c.p == c.end || *c.p == '\n')
		return -EINVAL;
	ps->state = *c.p++;
	if (!at_token_end(&c))
		return -EINVAL;
	for (f = 4; f <= PID_STAT_LAST; f++) {
		skip_blank(&c);
		if (c.p == c.end || *c.p == '\n')
			return -EINVAL; /* truncated */
		if (get_signed(&c, &vals[f], &negs[f]) < 0)
			return -EINVAL;
	}
	for (i = 0; i < sizeof(pid_stat_fields) / sizeof(pid_stat_fields[0]); i++) {
		f = pid_stat_fields[i].field;
		if (store_field(ps, pid_stat_fields[i].type, pid_stat_fields[i].off, vals[f],
				negs[f]) < 0)
			return -EINVAL;
	}
	return 0;
}

/* ---- /proc/net/dev: "  eth0: 1234 12 0 0 0 0 0 0 5678 34 0 0 0 0 0 0" ---- */

#define NET_DEV_COLUMNS 16 /* rx: bytes packets errs drop fifo frame compressed multicast, tx: 8   \
			    */

/* Where each kept column of a net/dev line goes. */
static const size_t net_dev_cols[NET_DEV_COLUMNS] = {
	offsetof(struct net_dev, rx_bytes),
	offsetof(struct net_dev, rx_packets),
	offsetof(struct net_dev, rx_errs),
	offsetof(struct net_dev, rx_drop),
	SIZE_MAX,
	SIZE_MAX,
	SIZE_MAX,
	SIZE_MAX,
	offsetof(struct net_dev, tx_bytes),
	offsetof(struct net_dev, tx_packets),
	offsetof(struct net_dev, tx_errs),
	offsetof(struct net_dev, tx_drop),
	SIZE_MAX,
	SIZE_MAX,
	SIZE_MAX,
	SIZE_MAX,
};

/* One data line into *d. The name ends at the first ':' (the kernel refuses ':' in names). */
static int parse_net_dev_line(struct cur *line, struct net_dev *d)
{
	const char *colon = memchr(line->p, ':', (size_t)(line->end - line->p));
	struct cur name;
	uint64_t v;

	if (!colon)
		return -EINVAL;
	name = (struct cur){ line->p, colon };
	skip_blank(&name);
	if (name.p == name.end || (size_t)(name.end - name.p) >= sizeof(d->name) ||
	    memchr(name.p, ' ', (size_t)(name.end - name.p)) ||
	    memchr(name.p, '\t', (size_t)(name.end - name.p)))
		return -EINVAL;
	memset(d, 0, sizeof(*d));
	memcpy(d->name, name.p, (size_t)(name.end - name.p));
	line->p = colon + 1;
	/* older kernels glued wide counters to the colon ("eth0:123456789"): get_u64 copes */
	for (int i = 0; i < NET_DEV_COLUMNS; i++) {
		if (get_u64(line, &v) < 0)
			return -EINVAL; /* truncated or not a number */
		if (net_dev_cols[i] != SIZE_MAX)
			*(uint64_t *)((char *)d + net_dev_cols[i]) = v;
	}
	return 0; /* columns a future kernel adds are ignored */
}

int procfs_parse_net_dev(const char *buf, size_t len, struct net_dev_list *l)
{
	struct cur all = { buf, buf + len }, line;

	l->n = 0;
	l->bad_lines = 0;
	while (next_line(&all, &line)) {
		struct cur probe = line;

		skip_blank(&probe);
		if (probe.p == probe.end)
			continue;
		/* the two header lines have '|' and no ':' */
		if (!memchr(line.p, ':', (size_t)(line.end - line.p)) &&
		    memchr(line.p, '|', (size_t)(line.end - line.p)))
			continue;
		XGROW(l->dev, l->cap, l->n + 1);
		if (parse_net_dev_line(&line, &l->dev[l->n]) < 0)
			l->bad_lines++;
		else
			l->n++;
	}
	return l->n == 0 && l->bad_lines > 0 ? -EINVAL : 0;
}

void procfs_net_dev_release(struct net_dev_list *l)
{
	free(l->dev);
	memset(l, 0, sizeof(*l));
}

/* ---- /proc/diskstats: "   8       0 sda 1 2 3 4 5 6 7 8 9 10 11 [discard, flush ...]" ---- */

#define DISKSTATS_COLUMNS 11 /* the columns every kernel since 2.6.25 prints */

static const size_t disk_cols[DISKSTATS_COLUMNS] = {
	offsetof(struct disk_stat, reads),	   offsetof(struct disk_stat, reads_merged),
	offsetof(struct disk_stat, read_sectors),  offsetof(struct disk_stat, read_ms),
	offsetof(struct disk_stat, writes),	   offsetof(struct disk_stat, writes_merged),
	offsetof(struct disk_stat, write_sectors), offsetof(struct disk_stat, write_ms),
	offsetof(struct disk_stat, in_flight),	   offsetof(struct disk_stat, io_ms),
	offsetof(struct disk_stat, weighted_ms),
};

/*
 * The kernel names a partition after its disk: "sda" + "1", and with a 'p'
 * when the disk's name ends in a digit: "nvme0n1" + "p2", "mmcblk0" + "p1".
 * diskstats lists each disk's partitions right after it.
 */
static bool is_partition_of(const char *disk, const char *name)
{
	size_t dl = strlen(disk);
	const char *p;

	if (!dl || strncmp(disk, name, dl))
		return false;
	p = name + dl;
	if (is_digit(disk[dl - 1])) {
		if (*p != 'p')
			return false;
		p++;
	}
	if (!is_digit(*p))
		return false;
	while (is_digit(*p))
		p++;
	return *p == '\0';
}

static int parse_disk_line(struct cur *line, struct disk_stat *d)
{
	uint64_t major, minor, v;
	const char *w;
	size_t n;

	memset(d, 0, sizeof(*d));
	if (get_u64(line, &major) < 0 || get_u64(line, &minor) < 0 || major > UINT32_MAX ||
	    minor > UINT32_MAX)
		return -EINVAL;
	if (!next_word(line, &w, &n) || n >= sizeof(d->name) || memchr(w, '\0', n))
		return -EINVAL;
	d->major = (unsigned)major;
	d->minor = (unsigned)minor;
	memcpy(d->name, w, n);
	for (int i = 0; i < DISKSTATS_COLUMNS; i++) {
		if (get_u64(line, &v) < 0)
			return -EINVAL;
		*(uint64_t *)((char *)d + disk_cols[i]) = v;
	}
	return 0; /* discard (4.18) and flush (5.5) columns are not kept */
}

int procfs_parse_diskstats(const char *buf, size_t len, struct disk_stat_list *l)
{
	struct cur all = { buf, buf + len }, line;
	long disk = -1; /* index of the last whole disk */

	l->n = 0;
	l->bad_lines = 0;
	while (next_line(&all, &line)) {
		struct cur probe = line;
		struct disk_stat *d;

		skip_blank(&probe);
		if (probe.p == probe.end)
			continue;
		XGROW(l->disk, l->cap, l->n + 1);
		d = &l->disk[l->n];
		if (parse_disk_line(&line, d) < 0) {
			l->bad_lines++;
			continue;
		}
		d->partition = disk >= 0 && is_partition_of(l->disk[disk].name, d->name);
		if (!d->partition)
			disk = (long)l->n;
		l->n++;
	}
	return l->n == 0 && l->bad_lines > 0 ? -EINVAL : 0;
}

void procfs_disk_stat_release(struct disk_stat_list *l)
{
	free(l->disk);
	memset(l, 0, sizeof(*l));
}

/* ---- /proc/PID/io: "rchar: 123" lines ---- */

static const struct {
	const char *key;
	size_t len;
	size_t off;
	bool required;
} pid_io_keys[] = {
	{ KEY("rchar"), offsetof(struct proc_io, rchar), true },
	{ KEY("wchar"), offsetof(struct proc_io, wchar), true },
	{ KEY("syscr"), offsetof(struct proc_io, syscr), false },
	{ KEY("syscw"), offsetof(struct proc_io, syscw), false },
	{ KEY("read_bytes"), offsetof(struct proc_io, read_bytes), true },
	{ KEY("write_bytes"), offsetof(struct proc_io, write_bytes), true },
	{ KEY("cancelled_write_bytes"), offsetof(struct proc_io, cancelled_write_bytes), false },
};
#define PID_IO_NKEYS (sizeof(pid_io_keys) / sizeof(pid_io_keys[0]))

int procfs_parse_pid_io(const char *buf, size_t len, struct proc_io *io)
{
	struct cur all = { buf, buf + len }, line;
	unsigned seen = 0;
	const char *colon;
	size_t i, klen;
	uint64_t v;

	memset(io, 0, sizeof(*io));
	while (next_line(&all, &line)) {
		colon = memchr(line.p, ':', (size_t)(line.end - line.p));
		if (!colon)
			continue;
		klen = (size_t)(colon - line.p);
		for (i = 0; i < PID_IO_NKEYS; i++)
			if (pid_io_keys[i].len == klen && !memcmp(line.p, pid_io_keys[i].key, klen))
				break;
		if (i == PID_IO_NKEYS)
			continue;
		line.p = colon + 1;
		if (get_u64(&line, &v) < 0)
			return -EINVAL;
		*(uint64_t *)((char *)io + pid_io_keys[i].off) = v;
		seen |= 1u << i;
	}
	for (i = 0; i < PID_IO_NKEYS; i++)
		if (pid_io_keys[i].required && !(seen & (1u << i)))
			return -EINVAL;
	return 0;
}

/* ---- the handle ---- */

struct procfs *procfs_open(const char *root)
{
	struct procfs *pf;
	int rootfd, dirfd, i, err;

	rootfd = open(root, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (rootfd < 0)
		return NULL;
	dirfd = openat(rootfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dirfd < 0) {
		err = errno;
		close(rootfd);
		errno = err;
		return NULL;
	}
	pf = xcalloc(1, sizeof(*pf));
	pf->rootfd = rootfd;
	pf->dirfd = dirfd;
	/* a missing file (no PSI before 4.20 or with psi=0) is remembered, not an error */
	for (i = 0; i < SYS_NFILES; i++) {
		pf->fd[i] = openat(rootfd, sys_files[i].path, O_RDONLY | O_CLOEXEC);
		if (pf->fd[i] < 0)
			pf->fd[i] = -errno;
	}
	pf->dents = xmalloc(DENTS_BYTES);
	return pf;
}

void procfs_free(struct procfs *pf)
{
	int i;

	if (!pf)
		return;
	for (i = 0; i < SYS_NFILES; i++)
		if (pf->fd[i] >= 0)
			close(pf->fd[i]);
	close(pf->dirfd);
	close(pf->rootfd);
	free(pf->dents);
	free(pf->buf);
	free(pf);
}

int procfs_rootfd(const struct procfs *pf)
{
	return pf->rootfd;
}

ssize_t procfs_pread_all(int fd, char **buf, size_t *cap)
{
	return procfs_pread(fd, buf, cap, false);
}

ssize_t procfs_pread(int fd, char **buf, size_t *cap, bool short_is_eof)
{
	size_t len = 0;
	ssize_t n;

	for (;;) {
		if (*cap < len + READ_SPARE_BYTES)
			XGROW(*buf, *cap, len + (len ? READ_SPARE_BYTES : READ_FIRST_BYTES));
		n = pread(fd, *buf + len, *cap - len - 1, (off_t)len);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		if (n == 0)
			break;
		len += (size_t)n;
		/*
		 * A seq_file hands out everything that fits in one read, and a pread
		 * at a later offset makes the kernel generate the whole file again
		 * just to skip to it: for /proc/PID/stat that doubles the cost.
		 */
		if (short_is_eof && len < *cap - 1)
			break;
	}
	(*buf)[len] = '\0';
	return (ssize_t)len;
}

/* Re-reads one kept-open system file into pf->buf. Returns its length or a negative errno. */
static ssize_t read_sys(struct procfs *pf, enum sys_file which)
{
	if (pf->fd[which] < 0)
		return pf->fd[which];
	return procfs_pread(pf->fd[which], &pf->buf, &pf->cap, true);
}

int procfs_read_stat(struct procfs *pf, struct sys_stat *st)
{
	ssize_t n = read_sys(pf, SYS_STAT);

	return n < 0 ? (int)n : procfs_parse_stat(pf->buf, (size_t)n, st);
}

int procfs_read_meminfo(struct procfs *pf, struct meminfo *m)
{
	ssize_t n = read_sys(pf, SYS_MEMINFO);

	return n < 0 ? (int)n : procfs_parse_meminfo(pf->buf, (size_t)n, m);
}

int procfs_read_loadavg(struct procfs *pf, struct loadavg *la)
{
	ssize_t n = read_sys(pf, SYS_LOADAVG);

	return n < 0 ? (int)n : procfs_parse_loadavg(pf->buf, (size_t)n, la);
}

int procfs_read_psi(struct procfs *pf, const char *res, struct psi *psi)
{
	ssize_t n;
	int i;

	memset(psi, 0, sizeof(*psi));
	for (i = 0; i < SYS_NFILES; i++)
		if (sys_files[i].psi && strcmp(sys_files[i].psi, res) == 0)
			break;
	if (i == SYS_NFILES)
		return -EINVAL;
	n = read_sys(pf, (enum sys_file)i);
	return n < 0 ? (int)n : procfs_parse_psi(pf->buf, (size_t)n, psi);
}

int procfs_read_net_dev(struct procfs *pf, struct net_dev_list *l)
{
	ssize_t n = read_sys(pf, SYS_NET_DEV);

	if (n < 0) {
		l->n = 0;
		return (int)n;
	}
	return procfs_parse_net_dev(pf->buf, (size_t)n, l);
}

int procfs_read_diskstats(struct procfs *pf, struct disk_stat_list *l)
{
	ssize_t n = read_sys(pf, SYS_DISKSTATS);

	if (n < 0) {
		l->n = 0;
		return (int)n;
	}
	return procfs_parse_diskstats(pf->buf, (size_t)n, l);
}

/* An all-digit directory name as a pid, or -1 ("self", "sys", "1x", overflow). */
static int name_to_pid(const char *name)
{
	struct cur c = { name, name + strlen(name) };
	uint64_t v;

	if (scan_digits(&c, &v) < 0 || c.p != c.end || v == 0 || v > INT_MAX)
		return -1;
	return (int)v;
}

int procfs_list_pids(struct procfs *pf, int **pids, size_t *cap)
{
	const struct dirent64_raw *d;
	size_t n = 0;
	long got, off;
	int pid;

	/* rewinding makes /proc regenerate the listing, so new processes show up */
	if (lseek(pf->dirfd, 0, SEEK_SET) < 0)
		return -errno;
	for (;;) {
		got = syscall(SYS_getdents64, pf->dirfd, pf->dents, DENTS_BYTES);
		if (got < 0)
			return -errno;
		if (got == 0)
			break;
		for (off = 0; off < got; off += d->d_reclen) {
			d = (const struct dirent64_raw *)(pf->dents + off);
			if (d->d_type != DT_DIR && d->d_type != DT_UNKNOWN)
				continue;
			pid = name_to_pid(d->d_name);
			if (pid < 0)
				continue;
			XGROW(*pids, *cap, n + 1);
			(*pids)[n++] = pid;
		}
	}
	return n > INT_MAX ? -EOVERFLOW : (int)n;
}

int procfs_fd_owner(int fd, uid_t *uid)
{
	struct stat st;

	if (fstat(fd, &st) < 0)
		return -errno;
	*uid = st.st_uid;
	return 0;
}

int procfs_open_pid_file(struct procfs *pf, int pid, const char *name)
{
	char path[PATH_BYTES];
	int n, fd;

	n = snprintf(path, sizeof(path), "%d/%s", pid, name);
	if (n < 0 || (size_t)n >= sizeof(path))
		return -ENAMETOOLONG;
	fd = openat(pf->rootfd, path, O_RDONLY | O_CLOEXEC);
	return fd < 0 ? -errno : fd;
}

/* Reads PID/name whole into pf->buf. Returns the length or a negative errno. */
static ssize_t read_pid_file(struct procfs *pf, int pid, const char *name)
{
	ssize_t n;
	int fd;

	fd = procfs_open_pid_file(pf, pid, name);
	if (fd < 0)
		return fd;
	n = procfs_pread_all(fd, &pf->buf, &pf->cap);
	close(fd);
	return n;
}

char *procfs_read_at(int dirfd, const char *path, size_t *lenp)
{
	int fd = openat(dirfd, path, O_RDONLY | O_CLOEXEC);
	size_t len = 0, cap = 8192;
	char *buf;

	if (fd < 0)
		return NULL;
	buf = xmalloc(cap);
	for (;;) {
		ssize_t n;

		if (len + 1 >= cap) {
			cap *= 2;
			buf = xrealloc(buf, cap);
		}
		n = read(fd, buf + len, cap - len - 1);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			break;
		len += (size_t)n;
	}
	close(fd);
	buf[len] = '\0';
	if (lenp)
		*lenp = len;
	return buf;
}

ssize_t procfs_read_pid_file(struct procfs *pf, int pid, const char *name, char **out)
{
	ssize_t n = read_pid_file(pf, pid, name);

	if (n >= 0)
		*out = xstrndup(pf->buf, (size_t)n);
	return n;
}

/* Opens the directory PID/sub under the root for readdir; NULL with errno set. */
static DIR *open_pid_dir(struct procfs *pf, int pid, const char *sub)
{
	char path[PATH_BYTES];
	DIR *dir;
	int dfd;

	snprintf(path, sizeof(path), "%d/%s", pid, sub);
	dfd = openat(pf->rootfd, path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0)
		return NULL;
	dir = fdopendir(dfd);
	if (!dir) {
		int e = errno;

		close(dfd);
		errno = e;
	}
	return dir;
}

int procfs_list_fds(struct procfs *pf, int pid, procfs_fd_fn fn, void *arg)
{
	DIR *dir = open_pid_dir(pf, pid, "fd");
	char target[PATH_MAX];
	struct dirent *de;
	int count = 0;

	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		char *end;
		long fd = strtol(de->d_name, &end, 10);
		ssize_t n;

		if (de->d_name[0] < '0' || de->d_name[0] > '9' || *end || fd > INT_MAX)
			continue;
		n = readlinkat(dirfd(dir), de->d_name, target, sizeof(target) - 1);
		if (n < 0)
			continue; /* closed meanwhile */
		target[n] = '\0';
		fn(arg, (int)fd, target);
		count++;
	}
	closedir(dir);
	return count;
}

int procfs_parse_schedstat(const char *buf, size_t len, uint64_t *run_ns)
{
	uint64_t v = 0;
	size_t i = 0;

	while (i < len && buf[i] >= '0' && buf[i] <= '9') {
		if (v > (UINT64_MAX - 9) / 10)
			return -ERANGE;
		v = v * 10 + (uint64_t)(buf[i] - '0');
		i++;
	}
	if (i == 0 || (i < len && buf[i] != ' ' && buf[i] != '\n'))
		return -EINVAL;
	*run_ns = v;
	return 0;
}

int procfs_read_schedstat(struct procfs *pf, int pid, uint64_t *run_ns)
{
	DIR *dir = open_pid_dir(pf, pid, "task");
	struct dirent *de;
	uint64_t sum = 0;
	int found = 0;

	if (!dir)
		return -errno;
	while ((de = readdir(dir))) {
		char name[300];
		uint64_t ns;
		ssize_t n;
		int fd;

		if (de->d_name[0] < '0' || de->d_name[0] > '9')
			continue;
		snprintf(name, sizeof(name), "%.32s/schedstat", de->d_name);
		fd = openat(dirfd(dir), name, O_RDONLY | O_CLOEXEC);
		if (fd < 0)
			continue; /* the thread ended meanwhile */
		n = procfs_pread(fd, &pf->buf, &pf->cap, true);
		close(fd);
		if (n > 0 && procfs_parse_schedstat(pf->buf, (size_t)n, &ns) == 0) {
			sum += ns;
			found++;
		}
	}
	closedir(dir);
	if (!found)
		return -ESRCH;
	*run_ns = sum;
	return 0;
}

int procfs_read_cmdline(struct procfs *pf, int pid, char **out, size_t *len)
{
	ssize_t n = read_pid_file(pf, pid, "cmdline");
	size_t i, l;

	if (n < 0)
		return (int)n;
	l = (size_t)n;
	for (i = 0; i < l; i++)
		if (pf->buf[i] == '\0')
			pf->buf[i] = ' ';
	while (l > 0 && pf->buf[l - 1] == ' ')
		l--;
	/* an exact-size copy: pf->buf may have grown large and is reused */
	*out = xstrndup(pf->buf, l);
	if (len)
		*len = l;
	return 0;
}

int procfs_read_uid(struct procfs *pf, int pid, uid_t *uid)
{
	ssize_t n = read_pid_file(pf, pid, "status");
	struct cur all, line;
	const char *w;
	uint64_t v;
	size_t wn;

	if (n < 0)
		return (int)n;
	all = (struct cur){ pf->buf, pf->buf + n };
	while (next_line(&all, &line)) {
		if (!next_word(&line, &w, &wn) || !word_is(w, wn, "Uid:"))
			continue;
		/* "Uid:\treal\teffective\tsaved\tfs": the first is the real uid */
		if (get_u64(&line, &v) < 0 || v > UINT32_MAX)
			return -EINVAL;
		*uid = (uid_t)v;
		return 0;
	}
	return -EINVAL;
}

int procfs_read_pid_io(struct procfs *pf, int pid, struct proc_io *io)
{
	ssize_t n = read_pid_file(pf, pid, "io");

	return n < 0 ? (int)n : procfs_parse_pid_io(pf->buf, (size_t)n, io);
}
