/* evidence.c - security findings: names, MITRE techniques, and evidence read from /proc. */
#include "capture/evidence.h"

#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "bpf/stratum.h"
#include "sys/socktab.h"

static const char *const rule_names[SEC__COUNT] = { "miner", "suspicious_spawn", "memory_anomaly" };

/* Kernel-side knowledge as data: each signal, its rule, severity and ATT&CK technique. */
static const struct {
	const char *name;
	enum sec_rule rule;
	const char *severity;
	const char *mitre_id, *mitre_name;
} signals[SIG__COUNT] = {
	[SIG_MINER] = { "miner", SEC_MINER, "high", "T1496", "Resource Hijacking" },
	[SIG_SHELL_FROM_LISTENER] = { "shell_from_listener", SEC_SPAWN, "high", "T1505.003",
				      "Server Software Component: Web Shell" },
	[SIG_EXEC_FROM_TMP] = { "exec_from_tmp", SEC_SPAWN, "medium", "T1105",
				"Ingress Tool Transfer" },
	[SIG_EXEC_FROM_MEMFD] = { "exec_from_memfd", SEC_SPAWN, "high", "T1620",
				  "Reflective Code Loading" },
	[SIG_EXE_DELETED] = { "exe_deleted", SEC_SPAWN, "medium", "T1070.004",
			      "Indicator Removal: File Deletion" },
	[SIG_COMM_MISMATCH] = { "comm_mismatch", SEC_SPAWN, "medium", "T1036.004",
				"Masquerading: Masquerade Task or Service" },
	[SIG_RWX_ANON] = { "rwx_anon", SEC_MEMORY, "high", "T1055", "Process Injection" },
	[SIG_RSS_GROWTH] = { "rss_growth", SEC_MEMORY, "low", "T1496", "Resource Hijacking" },
	[SIG_MEMFD_EXEC_MAP] = { "memfd_exec_map", SEC_MEMORY, "high", "T1620",
				 "Reflective Code Loading" },
};

const char *sec_rule_name(enum sec_rule r)
{
	return (unsigned)r < SEC__COUNT ? rule_names[r] : "unknown";
}

const char *sec_signal_name(enum sec_signal s)
{
	return (unsigned)s < SIG__COUNT ? signals[s].name : "unknown";
}

const char *sec_signal_severity(enum sec_signal s)
{
	return (unsigned)s < SIG__COUNT ? signals[s].severity : "low";
}

const char *sec_signal_mitre_id(enum sec_signal s)
{
	return (unsigned)s < SIG__COUNT ? signals[s].mitre_id : "";
}

const char *sec_signal_mitre_name(enum sec_signal s)
{
	return (unsigned)s < SIG__COUNT ? signals[s].mitre_name : "";
}

const char *sec_report_severity(const struct sec_report *r)
{
	return r->severity ? r->severity : sec_signal_severity(r->signal);
}

enum sec_rule sec_signal_rule(enum sec_signal s)
{
	return (unsigned)s < SIG__COUNT ? signals[s].rule : SEC__COUNT;
}

struct sec_report *sec_report_new(enum sec_signal sig, int pid, const char *reason)
{
	struct sec_report *r = xcalloc(1, sizeof(*r));

	r->refs = 1;
	r->signal = sig;
	r->rule = sec_signal_rule(sig);
	r->pid = pid;
	r->reason = xstrdup(reason);
	return r;
}

struct sec_report *sec_report_ref(struct sec_report *r)
{
	if (r)
		r->refs++;
	return r;
}

static void free_strv(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void sec_report_unref(struct sec_report *r)
{
	if (!r || --r->refs)
		return;
	free(r->reason);
	free_strv(r->signs, r->nsigns);
	evidence_release(&r->ev);
	free(r);
}

static void strv_add(char ***v, size_t *n, const char *s)
{
	*v = xrealloc(*v, (*n + 1) * sizeof(**v));
	(*v)[(*n)++] = xstrdup(s);
}

void sec_report_add_sign(struct sec_report *r, const char *sign)
{
	strv_add(&r->signs, &r->nsigns, sign);
}

void sec_report_add_map(struct sec_report *r, const char *line)
{
	strv_add(&r->ev.maps, &r->ev.nmaps, line);
}

void evidence_release(struct sec_evidence *ev)
{
	free(ev->exe);
	free(ev->cmdline);
	free(ev->cgroup);
	free_strv(ev->cgroups, ev->ncgroups);
	for (size_t i = 0; i < ev->nparents; i++)
		free(ev->parents[i].exe);
	free(ev->parents);
	free_strv(ev->sockets, ev->nsockets);
	free_strv(ev->maps, ev->nmaps);
	memset(ev, 0, sizeof(*ev));
}

const char *evidence_basename(const char *path)
{
	const char *s = strrchr(path, '/');

	return s ? s + 1 : path;
}

int evidence_read_exe(struct procfs *pf, int pid, char *buf, size_t len, bool *deleted)
{
	static const char suffix[] = " (deleted)";
	char path[32];
	ssize_t n;
	size_t sl = sizeof(suffix) - 1;

	*deleted = false;
	if (len < 2)
		return -EINVAL;
	snprintf(path, sizeof(path), "%d/exe", pid);
	n = readlinkat(procfs_rootfd(pf), path, buf, len - 1);
	if (n < 0) {
		buf[0] = '\0';
		return -errno;
	}
	buf[n] = '\0';
	if ((size_t)n > sl && !strcmp(buf + n - sl, suffix)) {
		buf[n - sl] = '\0';
		*deleted = true;
	}
	return 0;
}

/* Reads PID/name whole into *buf (grown); the length or a negative errno. */
static ssize_t read_pid(struct procfs *pf, int pid, const char *name, char **buf, size_t *cap)
{
	int fd = procfs_open_pid_file(pf, pid, name);
	ssize_t n;

	if (fd < 0)
		return fd;
	n = procfs_pread_all(fd, buf, cap);
	close(fd);
	return n;
}

int evidence_parse_status_uids(const char *buf, size_t len, uint32_t *uid, uint32_t *euid)
{
	const char *p = buf, *end = buf + len;

	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);

		if (n > 4 && n < 200 && !memcmp(p, "Uid:", 4)) {
			char line[200];
			unsigned long r, e;

			memcpy(line, p, n);
			line[n] = '\0';
			if (sscanf(line + 4, "%lu %lu", &r, &e) != 2 || r > UINT32_MAX ||
			    e > UINT32_MAX)
				return -EINVAL;
			*uid = (uint32_t)r;
			*euid = (uint32_t)e;
			return 0;
		}
		p = nl ? nl + 1 : end;
	}
	return -EINVAL;
}

/* One line of PID/cgroup: "ID:CONTROLLERS:PATH". false for a malformed one. */
struct cg_line {
	const char *ctl, *path;
	size_t ctl_n, path_n;
	bool unified; /* "0::PATH" */
};

static bool cg_parse_line(const char *p, size_t n, struct cg_line *l)
{
	const char *c1 = memchr(p, ':', n), *c2;

	c2 = c1 ? memchr(c1 + 1, ':', (size_t)(p + n - c1 - 1)) : NULL;
	if (!c2)
		return false;
	l->ctl = c1 + 1;
	l->ctl_n = (size_t)(c2 - c1 - 1);
	l->path = c2 + 1;
	l->path_n = (size_t)(p + n - l->path);
	l->unified = c1 - p == 1 && p[0] == '0' && !l->ctl_n;
	return true;
}

/* Whether a comma-separated controller list holds name (exactly, not "cpuset" for "cpu"). */
static bool cg_has_controller(const struct cg_line *l, const char *name)
{
	size_t nl = strlen(name);

	for (const char *p = l->ctl, *end = l->ctl + l->ctl_n; p < end;) {
		const char *comma = memchr(p, ',', (size_t)(end - p));
		size_t n = (size_t)((comma ? comma : end) - p);

		if (n == nl && !memcmp(p, name, n))
			return true;
		p = comma ? comma + 1 : end;
	}
	return false;
}

/*
 * Rank of a line as the process's one cgroup path (lower wins): the unified path unless it is
 * the root (a v1 or hybrid host puts every process at "0::/" while the controllers' hierarchies
 * hold the real place), then the v1 memory, cpu and name=systemd hierarchies, then any other
 * non-root path, then a root.
 */
static int cg_rank(const struct cg_line *l)
{
	static const char *const order[] = { "memory", "cpu", "name=systemd" };
	bool root = l->path_n == 1 && l->path[0] == '/';

	if (root)
		return l->unified ? 5 : 6;
	if (l->unified)
		return 0;
	for (int i = 0; i < 3; i++)
		if (cg_has_controller(l, order[i]))
			return 1 + i;
	return 4;
}

int evidence_parse_cgroup(const char *buf, size_t len, char *out, size_t outlen)
{
	const char *p = buf, *end = buf + len;
	struct cg_line best = { 0 }, l;
	int best_rank = 99;

	if (!outlen)
		return -EINVAL;
	out[0] = '\0';
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);

		if (cg_parse_line(p, n, &l) && cg_rank(&l) < best_rank) {
			best = l;
			best_rank = cg_rank(&l);
		}
		p = nl ? nl + 1 : end;
	}
	if (!best.path)
		return -EINVAL;
	if (best.path_n >= outlen)
		best.path_n = outlen - 1;
	memcpy(out, best.path, best.path_n);
	out[best.path_n] = '\0';
	return 0;
}

size_t evidence_parse_cgroups(const char *buf, size_t len, char ***paths)
{
	const char *p = buf, *end = buf + len;
	size_t n = 0;
	struct cg_line l;

	*paths = NULL;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		bool ok = cg_parse_line(p, (size_t)((nl ? nl : end) - p), &l), seen = !ok;

		p = nl ? nl + 1 : end;
		for (size_t i = 0; i < n && !seen; i++)
			seen = strlen((*paths)[i]) == l.path_n &&
			       !memcmp((*paths)[i], l.path, l.path_n);
		if (seen)
			continue;
		*paths = xrealloc(*paths, (n + 1) * sizeof(**paths));
		(*paths)[n++] = xstrndup(l.path, l.path_n);
	}
	return n;
}

struct inode_list {
	unsigned long *v;
	size_t n, cap;
};

static void note_socket(void *arg, int fd, const char *target)
{
	struct inode_list *l = arg;
	unsigned long inode = socktab_link_inode(target);

	(void)fd;
	if (!inode)
		return;
	XGROW(l->v, l->cap, l->n + 1);
	l->v[l->n++] = inode;
}

/* Whether a TCP socket of the namespace's tables listens on port (any address). */
static bool tcp_port_listens(const struct socktab *tab, unsigned port)
{
	for (size_t i = 0; i < tab->n; i++)
		if (tab->v[i].listening && tab->v[i].local_port == port)
			return true;
	return false;
}

int evidence_sockets(struct procfs *pf, int pid, struct sec_sock **out, size_t *cap, size_t max)
{
	struct socktab tab = { 0 };
	struct inode_list socks = { 0 };
	unsigned long *inodes;
	size_t ninodes, n = 0;
	int ret = procfs_list_fds(pf, pid, note_socket, &socks);

	if (ret < 0)
		return ret;
	inodes = socks.v;
	ninodes = socks.n;
	if (ninodes)
		socktab_load(&tab, procfs_rootfd(pf), pid);
	for (size_t i = 0; i < ninodes && n < max; i++) {
		const struct sock_entry *s = socktab_find(&tab, inodes[i]);
		struct sec_sock *o;

		if (!s)
			continue;
		XGROW(*out, *cap, n + 1);
		o = &(*out)[n++];
		snprintf(o->name, sizeof(o->name), "%s", s->name);
		o->listening = s->listening;
		o->remote_port = s->remote_port;
		o->inbound = s->remote_port && !strncmp(s->name, "TCP", 3) &&
			     tcp_port_listens(&tab, s->local_port);
	}
	socktab_clear(&tab);
	free(inodes);
	return (int)n;
}

/* Up to 64 ancestors: a loop in a fixture tree must end. */
#define MAX_PARENTS 64

int evidence_gather(struct procfs *pf, int pid, unsigned what, struct sec_evidence *ev)
{
	char exe[4096], cg[1024];
	char *buf = NULL, *cmd = NULL;
	size_t cap = 0, len = 0;
	ssize_t n;
	int ppid = 0, ret = 0;
	struct proc_stat ps;

	ev->exe = xstrdup(evidence_read_exe(pf, pid, exe, sizeof(exe), &ev->exe_deleted) == 0 ? exe
											      : "");
	if (procfs_read_cmdline(pf, pid, &cmd, &len) == 0)
		ev->cmdline = cmd;
	else
		ev->cmdline = xstrdup("");
	n = read_pid(pf, pid, "status", &buf, &cap);
	if (n < 0)
		ret = n == -ENOENT ? -ESRCH : (int)n;
	else
		evidence_parse_status_uids(buf, (size_t)n, &ev->uid, &ev->euid);
	n = read_pid(pf, pid, "cgroup", &buf, &cap);
	ev->cgroup = xstrdup(
		n >= 0 && evidence_parse_cgroup(buf, (size_t)n, cg, sizeof(cg)) == 0 ? cg : "");
	if (n >= 0)
		ev->ncgroups = evidence_parse_cgroups(buf, (size_t)n, &ev->cgroups);
	n = read_pid(pf, pid, "stat", &buf, &cap);
	if (n >= 0 && procfs_parse_pid_stat(buf, (size_t)n, &ps) == 0)
		ppid = ps.ppid;
	while (ppid > 0 && ev->nparents < MAX_PARENTS) {
		struct sec_parent *p;
		bool del;

		ev->parents = xrealloc(ev->parents, (ev->nparents + 1) * sizeof(*ev->parents));
		p = &ev->parents[ev->nparents++];
		memset(p, 0, sizeof(*p));
		p->pid = ppid;
		p->exe = xstrdup(evidence_read_exe(pf, ppid, exe, sizeof(exe), &del) == 0 ? exe
											  : "");
		n = read_pid(pf, ppid, "stat", &buf, &cap);
		if (n < 0 || procfs_parse_pid_stat(buf, (size_t)n, &ps) < 0)
			break;
		memcpy(p->comm, ps.comm, sizeof(p->comm) - 1);
		if (ppid == 1)
			break;
		ppid = ps.ppid;
	}
	if (what & EV_SOCKETS) {
		struct sec_sock *socks = NULL;
		size_t scap = 0;
		int ns = evidence_sockets(pf, pid, &socks, &scap, 64);

		for (int i = 0; i < ns; i++)
			strv_add(&ev->sockets, &ev->nsockets, socks[i].name);
		free(socks);
	}
	free(buf);
	return ret;
}

int evidence_parse_maps_line(const char *line, size_t len, struct map_line *m)
{
	char tmp[64];
	const char *p = line, *end = line + len;
	unsigned long long a, b;
	int field = 0;

	/* "start-end perms offset dev inode   path" */
	size_t n = 0;
	while (p + n < end && line[n] != ' ' && n < sizeof(tmp) - 1)
		n++;
	if (!n || p + n >= end || line[n] != ' ')
		return -EINVAL;
	memcpy(tmp, line, n);
	tmp[n] = '\0';
	if (sscanf(tmp, "%llx-%llx", &a, &b) != 2)
		return -EINVAL;
	p = line + n + 1;
	if (end - p < 4)
		return -EINVAL;
	memcpy(m->perms, p, 4);
	m->perms[4] = '\0';
	m->start = a;
	m->end = b;
	/* skip perms, offset, dev, inode, then spaces up to the path */
	while (p < end && field < 4) {
		while (p < end && *p != ' ')
			p++;
		while (p < end && *p == ' ')
			p++;
		field++;
	}
	if (field < 4)
		return -EINVAL;
	m->path = p; /* up to end; the caller's line is NUL-terminated at len */
	return 0;
}

bool evidence_map_is_rwx_anon(const struct map_line *m)
{
	if (m->perms[1] != 'w' || m->perms[2] != 'x')
		return false;
	/* shared anonymous memory (mmap MAP_SHARED|MAP_ANONYMOUS, Python's mmap default) is a
	 * deleted /dev/zero; System V shared memory a deleted /SYSV key */
	return !m->path[0] || !strncmp(m->path, "[heap]", 6) || !strncmp(m->path, "[stack]", 7) ||
	       !strncmp(m->path, "[anon:", 6) || !strncmp(m->path, "/dev/zero", 9) ||
	       (!strncmp(m->path, "/SYSV", 5) && strstr(m->path, " (deleted)"));
}

bool evidence_map_is_memfd_exec(const struct map_line *m)
{
	return m->perms[2] == 'x' && !strncmp(m->path, "/memfd:", 7);
}

void evidence_scan_maps(const char *text, size_t len, struct maps_scan *scan,
			struct sec_report *lines, size_t max_lines)
{
	const char *p = text, *end = text + len;
	char line[512];

	memset(scan, 0, sizeof(*scan));
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);
		struct map_line m;
		bool rwx, memfd;

		if (n >= sizeof(line))
			n = sizeof(line) - 1; /* a long path: its start is enough */
		memcpy(line, p, n);
		line[n] = '\0';
		p = nl ? nl + 1 : end;
		if (evidence_parse_maps_line(line, n, &m) < 0)
			continue;
		rwx = evidence_map_is_rwx_anon(&m);
		memfd = evidence_map_is_memfd_exec(&m);
		scan->rwx_anon += rwx;
		scan->memfd_exec += memfd;
		if ((rwx || memfd) && lines && lines->ev.nmaps < max_lines)
			sec_report_add_map(lines, line);
	}
}

static const char *const miner_words[] = {
	"stratum+tcp://", "stratum+ssl://", "stratum2+tcp://",
	"stratum+tls://", "--donate-level", "--cpu-max-threads-hint",
	"--randomx",	  "--coin=",	    "--algo=rx",
	"-a rx/",	  "--algo=cn",	    "-a cryptonight",
	"--nicehash",	  "--rig-id",	    "cryptonight",
	"xmrig",	  "minerd",	    "cpuminer",
	"xmr-stak",	  "nanominer",	    "--mining-threads",
};

const char *evidence_miner_flag(const char *cmdline)
{
	for (size_t i = 0; i < sizeof(miner_words) / sizeof(miner_words[0]); i++)
		if (strstr(cmdline, miner_words[i]))
			return miner_words[i];
	return NULL;
}

/* Kernel threads' names a user program may hide behind. */
static const char *const kthread_names[] = {
	"kworker", "ksoftirqd", "kthreadd", "migration/", "rcu_", "kswapd", "watchdog/",
};

bool evidence_kthread_name(const char *name)
{
	/* ps shows kernel threads in brackets: "[kworker/0:1]" (the program "[" is not one) */
	if (name[0] == '[' && name[1] && strchr(name + 2, ']'))
		return true;
	for (size_t i = 0; i < sizeof(kthread_names) / sizeof(kthread_names[0]); i++)
		if (!strncmp(name, kthread_names[i], strlen(kthread_names[i])))
			return true;
	return false;
}

static bool is_alnum(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

static bool is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* TASK_COMM_LEN - 1: the kernel keeps this much of a name */
#define COMM_MAX 15

/* comm against one name of n bytes (see evidence_comm_agrees). */
static bool name_agrees(const char *comm, const char *name, size_t n)
{
	size_t cl = strlen(comm);

	if (!n)
		return false;
	if (cl == (n < COMM_MAX ? n : COMM_MAX) && !strncmp(comm, name, cl))
		return true; /* the name, cut to 15 bytes */
	if (cl > n && !strncmp(comm, name, n) && !is_alnum(comm[n]))
		return true; /* the name decorated: "runc:[2:INIT]" */
	/* a versioned name: "python3" for python3.11, "php-fpm" for php-fpm8.2 */
	return cl < n && !strncmp(comm, name, cl) &&
	       (is_digit(name[cl]) || ((name[cl] == '.' || name[cl] == '-' || name[cl] == '_') &&
				       cl + 1 < n && is_digit(name[cl + 1])));
}

/* The script an interpreter runs: argv[1..] up to the first that is not an option. */
static const char *script_arg(const char *argv, size_t len, size_t *n)
{
	const char *p = argv, *end = argv + len;

	p += strnlen(p, (size_t)(end - p)) + 1; /* argv[0] */
	while (p < end) {
		size_t an = strnlen(p, (size_t)(end - p));

		if (p[0] != '-') {
			*n = an;
			return p;
		}
		if (!strcmp(p, "-c") || !strcmp(p, "-e") || !strcmp(p, "-m") || !strcmp(p, "-E"))
			return NULL; /* code or a module follows, not a file */
		p += an + 1;
	}
	return NULL;
}

bool evidence_comm_agrees(const char *comm, const char *exe, const char *argv, size_t len)
{
	const char *base = evidence_basename(exe), *a0b, *script;
	size_t a0n = strnlen(argv, len), sn = 0;
	bool digits = comm[0] != '\0';

	for (const char *c = comm; *c; c++)
		digits &= is_digit(*c);
	if (digits || !strcmp(comm, "exe") || name_agrees(comm, base, strlen(base)) ||
	    name_agrees(comm, argv, a0n))
		return true;
	a0b = memrchr(argv, '/', a0n);
	a0b = a0b ? a0b + 1 : argv;
	if (name_agrees(comm, a0b, a0n - (size_t)(a0b - argv)))
		return true;
	if (!evidence_is_shell(base) || !(script = script_arg(argv, len, &sn)))
		return false;
	base = memrchr(script, '/', sn);
	base = base ? base + 1 : script;
	return name_agrees(comm, base, sn - (size_t)(base - script));
}

/* Whether the payload holds word (a quoted JSON key such as "\"pass\""). */
static bool has(const char *data, size_t len, const char *word)
{
	return memmem(data, len, word, strlen(word)) != NULL;
}

const char *evidence_stratum_method(const char *data, size_t len, char *method, size_t mlen)
{
	static const char key[] = "\"method\"";
	const char *p = memmem(data, len, key, sizeof(key) - 1), *end = data + len, *q;
	size_t n;

	if (!p || !mlen || data[0] != '{')
		return NULL; /* a JSON-RPC message opens an object */
	for (p += sizeof(key) - 1; p < end && (*p == ' ' || *p == ':' || *p == '\t'); p++)
		;
	if (p >= end || *p++ != '"' || !(q = memchr(p, '"', (size_t)(end - p))))
		return NULL;
	n = (size_t)(q - p);
	if (n >= mlen)
		return NULL;
	memcpy(method, p, n);
	method[n] = '\0';
	if (!strncmp(method, "mining.", 7) && n > 7)
		return method;
	if (!strcmp(method, "login") && (has(data, len, "\"pass\"") || has(data, len, "\"agent\"")))
		return method;
	if (!strcmp(method, "submit") && has(data, len, "\"job_id\"") &&
	    has(data, len, "\"nonce\""))
		return method;
	if (!strcmp(method, "job") && has(data, len, "\"blob\"") && has(data, len, "\"job_id\""))
		return method;
	return NULL;
}

bool evidence_stratum_sign(const struct stratum_event *ev, char *buf, size_t len)
{
	char m[64], addr[INET6_ADDRSTRLEN] = "?";
	int af = ev->family == 10 ? AF_INET6 : AF_INET;

	if (!evidence_stratum_method(ev->data,
				     ev->len < sizeof(ev->data) ? ev->len : sizeof(ev->data), m,
				     sizeof(m)))
		return false;
	inet_ntop(af, ev->remote_addr, addr, sizeof(addr));
	snprintf(buf, len, "speaks the stratum mining protocol ('%s' %s %s%s%s:%u)", m,
		 ev->dir == STRATUM_SENT ? "sent to" : "received from", af == AF_INET6 ? "[" : "",
		 addr, af == AF_INET6 ? "]" : "", ev->remote_port);
	return true;
}

static const char *const shells[] = {
	"sh",	"bash", "dash",	   "zsh",    "ksh",	"mksh",	   "csh",   "tcsh",
	"fish", "ash",	"busybox", "python", "python2", "python3", "perl",  "ruby",
	"php",	"node", "lua",	   "pwsh",   "nc",	"ncat",	   "socat", "telnet",
};

bool evidence_is_shell(const char *base)
{
	char name[64];
	size_t n = strlen(base);

	if (n >= sizeof(name))
		return false;
	/* "python3.11", "perl5.36", "php8.2": the version suffix does not count */
	memcpy(name, base, n + 1);
	while (n && ((name[n - 1] >= '0' && name[n - 1] <= '9') || name[n - 1] == '.'))
		name[--n] = '\0';
	for (size_t i = 0; i < sizeof(shells) / sizeof(shells[0]); i++)
		if (!strcmp(name, shells[i]) || !strcmp(base, shells[i]))
			return true;
	return false;
}
