/* test_fdtable.c - unit tests of the per-process fd tables: dups, forks, execs, /proc seeding. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "trace/fdtable.h"
#include "tap.h"

#define P1 100
#define P2 200

static struct fdt_desc_info info;

/* The description of fd, or a zeroed info when there is none. */
static const struct fdt_desc_info *get(struct fdtables *t, pid_t tgid, int fd)
{
	memset(&info, 0, sizeof(info));
	if (fdt_get(t, tgid, fd, &info, NULL) < 0)
		return &info;
	return &info;
}

static unsigned flags_of(struct fdtables *t, pid_t tgid, int fd)
{
	unsigned flags = 0xdead;

	fdt_get(t, tgid, fd, NULL, &flags);
	return flags;
}

struct collected {
	struct fdt_desc_info v[32];
	char names[32][128];
	size_t n;
};

static void collect(void *arg, const struct fdt_desc_info *d)
{
	struct collected *c = arg;

	if (c->n >= 32)
		return;
	c->v[c->n] = *d;
	snprintf(c->names[c->n], sizeof(c->names[0]), "%s", d->name);
	c->v[c->n].name = c->names[c->n];
	c->n++;
}

static void basics(void)
{
	struct fdtables *t = fdt_new();
	unsigned flags;

	fdt_free(NULL);
	is_int(fdt_set(t, P1, 3, FDK_FILE, "/etc/passwd", FDT_CLOEXEC), 0, "set");
	ok(fdt_get(t, P1, 3, &info, &flags) == 0 && info.kind == FDK_FILE &&
		   strcmp(info.name, "/etc/passwd") == 0 && flags == FDT_CLOEXEC &&
		   info.open_fds == 1 && info.tgid == P1 && info.id == 1,
	   "get gives kind, name, flags, open count, opener");
	is_int(fdt_get(t, P1, 4, NULL, NULL), -ENOENT, "get of an unknown fd");
	is_int(fdt_get(t, P2, 3, NULL, NULL), -ENOENT, "get in an unknown process");
	is_int(fdt_set(t, P1, -1, FDK_FILE, "x", 0), -EINVAL, "negative fd");
	is_int(fdt_set(t, P1, FDT_MAX_FD + 1, FDK_FILE, "x", 0), -EINVAL, "fd beyond FDT_MAX_FD");
	is_int(fdt_set(t, P1, 1000, FDK_PIPE, "pipe:[1]", 0), 0, "a high fd grows the table");
	is_int(get(t, P1, 1000)->kind, FDK_PIPE, "and reads back");

	fdt_set_cloexec(t, P1, 3, false);
	is_int(flags_of(t, P1, 3), 0, "set_cloexec off");
	fdt_set_cloexec(t, P1, 3, true);
	is_int(flags_of(t, P1, 3), FDT_CLOEXEC, "set_cloexec on");
	is_int(fdt_set_cloexec(t, P1, 9, true), -ENOENT, "set_cloexec of an unknown fd");

	/* an open over a still-known fd: the close was missed, the old description is closed */
	fdt_set(t, P1, 3, FDK_FILE, "/etc/group", 0);
	is_str(get(t, P1, 3)->name, "/etc/group", "set over an open fd replaces it");
	is_int(fdt_close(t, P1, 3), 0, "close");
	is_int(fdt_close(t, P1, 3), -ENOENT, "close twice");
	is_int(fdt_add_bytes(t, P1, 3, 1, 1), -ENOENT, "bytes through a closed fd");

	is_str(fdt_kind_name(FDK_SOCKET), "socket", "kind name");
	is_str(fdt_kind_name(FDK_SIGNALFD), "signalfd", "kind name signalfd");
	fdt_free(t);
}

static void dups(void)
{
	struct fdtables *t = fdt_new();
	struct collected c = { .n = 0 };

	fdt_set(t, P1, 3, FDK_FILE, "/a", 0);
	fdt_set(t, P1, 5, FDK_FILE, "/b", 0);
	is_int(fdt_dup(t, P1, 3, 4, false), 0, "dup");
	fdt_add_bytes(t, P1, 4, 100, 0);
	fdt_add_bytes(t, P1, 3, 0, 7);
	ok(get(t, P1, 3)->read_bytes == 100 && info.written_bytes == 7 && info.open_fds == 2,
	   "dup shares the byte counters");
	is_int(fdt_dup(t, P1, 4, 5, true), 0, "dup2 over an open fd");
	is_str(get(t, P1, 5)->name, "/a", "the new fd refers to the old one's description");
	is_int(flags_of(t, P1, 5), FDT_CLOEXEC, "dup3 O_CLOEXEC sets the flag on the new fd");
	is_int(flags_of(t, P1, 4), 0, "and not on the old");
	fdt_close(t, P1, 3);
	ok(get(t, P1, 4)->open_fds == 2 && info.read_bytes == 100,
	   "closing one dup keeps the description");
	is_int(fdt_dup(t, P1, 4, 4, false), 0, "dup2 onto itself is a no-op");
	is_int(get(t, P1, 4)->open_fds, 2, "and changes no count");
	is_int(fdt_dup(t, P1, 42, 4, false), -ENOENT, "dup of an unknown fd");
	is_int(fdt_get(t, P1, 4, NULL, NULL), -ENOENT, "forgets the fd it replaced");
	is_int(fdt_dup(t, P1, 5, 200000, false), 0, "F_DUPFD to a high fd");
	fdt_rename(t, P1, 200000, "/a renamed");
	is_str(get(t, P1, 5)->name, "/a renamed", "a rename is seen through every dup");

	fdt_foreach_desc(t, collect, &c);
	ok(c.n == 2 && strcmp(c.names[0], "/a renamed") == 0 && strcmp(c.names[1], "/b") == 0,
	   "foreach lists every description in order");
	ok(c.n == 2 && c.v[1].open_fds == 0 && c.v[0].open_fds == 2 && c.v[0].read_bytes == 100,
	   "closed descriptions stay listed with open count 0");
	fdt_free(t);
}

static void processes(void)
{
	struct fdtables *t = fdt_new();
	struct collected c = { .n = 0 };

	fdt_set(t, P1, 0, FDK_FILE, "/dev/pts/0", 0);
	fdt_set(t, P1, 3, FDK_SOCKET, "TCP 127.0.0.1:5000 -> 127.0.0.1:8080", FDT_CLOEXEC);
	fdt_set(t, P1, 4, FDK_PIPE, "pipe:[77]", 0);

	/* threads share the table: every call is by tgid */
	fdt_add_bytes(t, P1, 4, 0, 10);
	is_int(get(t, P1, 4)->written_bytes, 10, "threads share the table by tgid");

	fdt_fork(t, P1, P2);
	is_int(get(t, P2, 4)->open_fds, 2, "fork shares the descriptions");
	is_int(flags_of(t, P2, 3), FDT_CLOEXEC, "fork keeps CLOEXEC");
	fdt_add_bytes(t, P2, 4, 0, 5);
	is_int(get(t, P1, 4)->written_bytes, 15,
	       "the child's bytes count in the shared description");
	fdt_close(t, P2, 4);
	ok(fdt_get(t, P1, 4, NULL, NULL) == 0 && get(t, P1, 4)->open_fds == 1,
	   "a close in the child leaves the parent's fd");
	fdt_set(t, P2, 5, FDK_FILE, "/child-only", 0);
	is_int(fdt_get(t, P1, 5, NULL, NULL), -ENOENT, "an open in the child is not the parent's");

	fdt_exec(t, P2);
	is_int(fdt_get(t, P2, 3, NULL, NULL), -ENOENT, "exec drops a CLOEXEC fd");
	is_int(fdt_get(t, P2, 0, NULL, NULL), 0, "exec keeps the others");
	is_int(fdt_get(t, P1, 3, NULL, NULL), 0, "the parent keeps its CLOEXEC fd");

	fdt_exit(t, P2);
	is_int(fdt_get(t, P2, 0, NULL, NULL), -ENOENT, "exit drops the table");
	is_int(get(t, P1, 0)->open_fds, 1, "and its references");

	fdt_fork(t, 999, P2);
	is_int(fdt_get(t, P2, 0, NULL, NULL), -ENOENT, "fork of an unknown parent: empty table");

	/* close_range */
	for (int fd = 10; fd < 20; fd++)
		fdt_set(t, P1, fd, FDK_FILE, "/r", 0);
	fdt_close_range(t, P1, 12, 14, 0);
	ok(fdt_get(t, P1, 11, NULL, NULL) == 0 && fdt_get(t, P1, 12, NULL, NULL) < 0 &&
		   fdt_get(t, P1, 14, NULL, NULL) < 0 && fdt_get(t, P1, 15, NULL, NULL) == 0,
	   "close_range closes lo..hi");
	fdt_close_range(t, P1, 15, ~0U, 1U << 2 /* CLOSE_RANGE_CLOEXEC */);
	ok(fdt_get(t, P1, 19, NULL, NULL) == 0 && flags_of(t, P1, 19) == FDT_CLOEXEC &&
		   flags_of(t, P1, 15) == FDT_CLOEXEC && flags_of(t, P1, 11) == 0,
	   "close_range CLOSE_RANGE_CLOEXEC marks instead");
	fdt_exec(t, P1);
	ok(fdt_get(t, P1, 19, NULL, NULL) < 0 && fdt_get(t, P1, 11, NULL, NULL) == 0,
	   "and exec drops them");
	fdt_close_range(t, P1, 0, ~0U, 0);
	is_int(fdt_get(t, P1, 0, NULL, NULL), -ENOENT, "close_range 0..~0U closes all");

	fdt_foreach_desc(t, collect, &c);
	ok(c.n == 14 && c.v[2].written_bytes == 15 && c.v[2].open_fds == 0 &&
		   strcmp(c.names[1], "TCP 127.0.0.1:5000 -> 127.0.0.1:8080") == 0,
	   "foreach after everything closed");
	fdt_free(t);
}

static void socket_names(void)
{
	char buf[128];

	fdt_socket_name(buf, sizeof(buf), "TCP", "127.0.0.1:5000", "127.0.0.1:8080");
	is_str(buf, "TCP 127.0.0.1:5000 -> 127.0.0.1:8080", "socket name with a peer");
	fdt_socket_name(buf, sizeof(buf), "UNIX", "/run/x", NULL);
	is_str(buf, "UNIX /run/x", "socket name without a peer");
	is_int(fdt_socket_name(buf, sizeof(buf), "UNIX", "", ""), 4, "socket name bare");
	is_str(buf, "UNIX", "socket name bare text");
}

/* ---- seeding ---- */

static const struct fdt_desc_info *seeded(struct fdtables *t, int fd, unsigned *flags)
{
	memset(&info, 0, sizeof(info));
	info.kind = FDK__COUNT;
	info.name = "";
	fdt_get(t, getpid(), fd, &info, flags);
	return &info;
}

static void seed_self(void)
{
	struct fdtables *t = fdt_new();
	char tmpl[] = "/tmp/test_fdtable.XXXXXX", want[256];
	int pfd[2], file, dir, efd, ep, tfd, sfd, mfd, lsn, cli, acc = -1;
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t slen = sizeof(sin);
	unsigned flags = 0;
	sigset_t mask;
	bool net;

	ok(pipe(pfd) == 0, "pipe");
	file = mkstemp(tmpl);
	ok(file >= 0, "a temporary file");
	dir = open("/tmp", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	efd = eventfd(0, 0);
	ep = epoll_create1(0);
	tfd = timerfd_create(CLOCK_MONOTONIC, 0);
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR1);
	sfd = signalfd(-1, &mask, 0);
	mfd = memfd_create("seedtest", 0);
	ok(dir >= 0 && efd >= 0 && ep >= 0 && tfd >= 0 && sfd >= 0 && mfd >= 0,
	   "anon inode fds open");

	/* a listening socket and a connection on loopback, when the sandbox has one */
	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	lsn = socket(AF_INET, SOCK_STREAM, 0);
	cli = socket(AF_INET, SOCK_STREAM, 0);
	net = lsn >= 0 && cli >= 0 && bind(lsn, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	      listen(lsn, 1) == 0 && getsockname(lsn, (struct sockaddr *)&sin, &slen) == 0 &&
	      connect(cli, (struct sockaddr *)&sin, sizeof(sin)) == 0 &&
	      (acc = accept(lsn, NULL, NULL)) >= 0;

	is_int(fdt_seed_from_proc(t, getpid()), 0, "seed from /proc/self's pid");
	is_int(seeded(t, pfd[0], NULL)->kind, FDK_PIPE, "pipe read end is a pipe");
	ok(strncmp(info.name, "pipe:[", 6) == 0, "named pipe:[inode]");
	is_int(seeded(t, pfd[1], NULL)->kind, FDK_PIPE, "pipe write end is a pipe");
	is_int(seeded(t, file, &flags)->kind, FDK_FILE, "the file is a file");
	is_str(info.name, tmpl, "named by its path");
	is_int(flags, 0, "without CLOEXEC");
	is_int(seeded(t, dir, &flags)->kind, FDK_DIR, "an O_DIRECTORY fd is a dir");
	is_int(flags, FDT_CLOEXEC, "with O_CLOEXEC from fdinfo");
	is_int(seeded(t, efd, NULL)->kind, FDK_EVENTFD, "eventfd");
	is_int(seeded(t, ep, NULL)->kind, FDK_EPOLL, "epoll");
	is_int(seeded(t, tfd, NULL)->kind, FDK_TIMERFD, "timerfd");
	is_int(seeded(t, sfd, NULL)->kind, FDK_SIGNALFD, "signalfd");
	is_int(seeded(t, mfd, NULL)->kind, FDK_MEMFD, "memfd");
	if (net) {
		is_int(seeded(t, lsn, NULL)->kind, FDK_SOCKET, "listening socket");
		snprintf(want, sizeof(want), "TCP 127.0.0.1:%u (LISTEN)", ntohs(sin.sin_port));
		is_str(info.name, want, "named from /proc/PID/net/tcp");
		is_int(seeded(t, acc, NULL)->kind, FDK_SOCKET, "accepted socket");
		ok(strstr(info.name, " -> 127.0.0.1:") != NULL &&
			   strncmp(info.name, "TCP ", 4) == 0,
		   "named local -> peer: %s", info.name);
	} else {
		ok(1, "# SKIP no loopback TCP");
		ok(1, "# SKIP no loopback TCP");
		ok(1, "# SKIP no loopback TCP");
		ok(1, "# SKIP no loopback TCP");
	}
	is_int(fdt_seed_from_proc(t, 0x7ffffff0), -ENOENT, "seed of no such process");

	close(pfd[0]);
	close(pfd[1]);
	close(file);
	unlink(tmpl);
	close(dir);
	close(efd);
	close(ep);
	close(tfd);
	close(sfd);
	close(mfd);
	if (lsn >= 0)
		close(lsn);
	if (cli >= 0)
		close(cli);
	if (acc >= 0)
		close(acc);
	fdt_free(t);
}

/* A fixture proc tree in a temporary directory: links, fdinfo and net tables as the kernel has. */
static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	if (f) {
		fputs(text, f);
		fclose(f);
	}
}

static void seed_fixture(void)
{
	char root[] = "/tmp/test_fdtable_proc.XXXXXX", path[512];
	struct fdtables *t = fdt_new();
	unsigned flags = 0;
	int rootfd;

	if (!mkdtemp(root)) {
		ok(0, "mkdtemp");
		fdt_free(t);
		return;
	}
#define P(...) (snprintf(path, sizeof(path), __VA_ARGS__), path)
	mkdir(P("%s/42", root), 0755);
	mkdir(P("%s/42/fd", root), 0755);
	mkdir(P("%s/42/fdinfo", root), 0755);
	mkdir(P("%s/42/net", root), 0755);
	symlink("socket:[1111]", P("%s/42/fd/3", root));
	symlink("socket:[2222]", P("%s/42/fd/4", root));
	symlink("socket:[3333]", P("%s/42/fd/5", root));
	symlink("socket:[4444]", P("%s/42/fd/6", root));
	symlink("anon_inode:inotify", P("%s/42/fd/7", root));
	symlink("/var/log/x.log", P("%s/42/fd/8", root));
	write_file(P("%s/42/fdinfo/3", root), "pos:\t0\nflags:\t02000002\nmnt_id:\t9\n");
	write_file(P("%s/42/fdinfo/8", root), "pos:\t0\nflags:\t0102001\nmnt_id:\t9\n");
	write_file(P("%s/42/net/tcp", root),
		   "  sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   "
		   "uid  timeout inode\n"
		   "   0: 0100007F:1388 0100007F:1F90 01 00000000:00000000 00:00000000 00000000  "
		   "1000        0 1111 1 0000000000000000 20 4 30 10 -1\n");
	write_file(
		P("%s/42/net/tcp6", root),
		"  sl  local_address                         remote_address                        "
		"st tx_queue rx_queue tr tm->when retrnsmt   uid  timeout inode\n"
		"   0: 00000000000000000000000001000000:01BB 00000000000000000000000000000000:0000 "
		"0A 00000000:00000000 00:00000000 00000000     0        0 2222 1 0 100 0 0 10 0\n");
	write_file(P("%s/42/net/udp", root),
		   "   sl  local_address rem_address   st tx_queue rx_queue tr tm->when retrnsmt   "
		   "uid  timeout inode ref pointer drops\n"
		   "  1: 00000000:0035 00000000:0000 07 00000000:00000000 00:00000000 00000000     "
		   "0        0 3333 2 0000000000000000 0\n");
	write_file(P("%s/42/net/unix", root),
		   "Num       RefCount Protocol Flags    Type St Inode Path\n"
		   "0000000000000000: 00000002 00000000 00010000 0001 01 4444 /run/x.sock\n");

	rootfd = open(root, O_RDONLY | O_DIRECTORY);
	is_int(fdt_seed_at(t, rootfd, 42), 0, "seed from a fixture tree");
	fdt_get(t, 42, 3, &info, &flags);
	is_str(info.name, "TCP 127.0.0.1:5000 -> 127.0.0.1:8080", "tcp socket named from net/tcp");
	is_int(flags, FDT_CLOEXEC, "CLOEXEC from fdinfo flags");
	fdt_get(t, 42, 4, &info, NULL);
	is_str(info.name, "TCP [::1]:443 (LISTEN)", "tcp6 listening socket");
	fdt_get(t, 42, 5, &info, NULL);
	is_str(info.name, "UDP 0.0.0.0:53", "udp socket");
	fdt_get(t, 42, 6, &info, NULL);
	is_str(info.name, "UNIX /run/x.sock", "unix socket");
	fdt_get(t, 42, 7, &info, NULL);
	ok(info.kind == FDK_OTHER && strcmp(info.name, "anon_inode:inotify") == 0,
	   "another anon inode is other, named by its link");
	fdt_get(t, 42, 8, &info, &flags);
	ok(info.kind == FDK_FILE && strcmp(info.name, "/var/log/x.log") == 0 && flags == 0,
	   "a path without O_DIRECTORY is a file");

	/* a second seed replaces the table */
	unlink(P("%s/42/fd/8", root));
	is_int(fdt_seed_at(t, rootfd, 42), 0, "seed again");
	is_int(fdt_get(t, 42, 8, NULL, NULL), -ENOENT, "a second seed replaces the table");
	close(rootfd);

	for (int fd = 3; fd <= 8; fd++) {
		unlink(P("%s/42/fd/%d", root, fd));
		unlink(P("%s/42/fdinfo/%d", root, fd));
	}
	unlink(P("%s/42/net/tcp", root));
	unlink(P("%s/42/net/tcp6", root));
	unlink(P("%s/42/net/udp", root));
	unlink(P("%s/42/net/unix", root));
	rmdir(P("%s/42/fd", root));
	rmdir(P("%s/42/fdinfo", root));
	rmdir(P("%s/42/net", root));
	rmdir(P("%s/42", root));
	rmdir(root);
#undef P
	fdt_free(t);
}

int main(void)
{
	basics();
	dups();
	processes();
	socket_names();
	seed_self();
	seed_fixture();
	{
		/* fdt_socket_describe: an accepted loopback connection, named from /proc */
		struct sockaddr_in a = { .sin_family = AF_INET,
					 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
		socklen_t alen = sizeof(a);
		int ls = socket(AF_INET, SOCK_STREAM, 0), cs = socket(AF_INET, SOCK_STREAM, 0), as;
		char name[256] = "", want[64];

		bind(ls, (struct sockaddr *)&a, sizeof(a));
		listen(ls, 1);
		getsockname(ls, (struct sockaddr *)&a, &alen);
		ok(connect(cs, (struct sockaddr *)&a, sizeof(a)) == 0, "loopback connect");
		as = accept(ls, NULL, NULL);
		snprintf(want, sizeof(want), "127.0.0.1:%u -> 127.0.0.1:", ntohs(a.sin_port));
		is_int(fdt_socket_describe(getpid(), as, name, sizeof(name)), 0,
		       "an accepted socket is described");
		ok(strstr(name, want) != NULL, "with both ends ('%s')", name);
		is_int(fdt_socket_describe(getpid(), 0, name, sizeof(name)), -ENOTSOCK,
		       "stdin is no socket");
		close(as);
		close(cs);
		close(ls);
	}
	return done_testing();
}
