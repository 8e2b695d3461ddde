/* test_decode.c - unit tests of the strace-style syscall decoder, over a fake tracee memory. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <netinet/in.h>
#include <sched.h>
#include <signal.h>
#include <stdint.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <termios.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>

#include "base/strbuf.h"
#include "trace/decode.h"
#include "trace/engine.h"
#include "tap.h"

/* ---- a fake tracee memory: a few regions at known addresses ---- */

struct region {
	uint64_t addr;
	const void *data;
	size_t len;
};

static struct region regions[128];
static size_t nregions;

static ssize_t fake_read(void *ctx, uint64_t addr, void *buf, size_t len)
{
	(void)ctx;
	for (size_t i = 0; i < nregions; i++) {
		const struct region *r = &regions[i];

		if (addr >= r->addr && addr < r->addr + r->len) {
			size_t n = r->addr + r->len - addr < len ? r->addr + r->len - addr : len;

			memcpy(buf, (const char *)r->data + (addr - r->addr), n);
			return (ssize_t)n;
		}
	}
	return -EFAULT;
}

static const struct mem_reader reader = { fake_read, NULL };

/* Maps len bytes of data at addr (the data must outlive the test). */
static void map(uint64_t addr, const void *data, size_t len)
{
	regions[nregions++] = (struct region){ addr, data, len };
}

static void map_str(uint64_t addr, const char *s)
{
	map(addr, s, strlen(s) + 1);
}

static void unmap_all(void)
{
	nregions = 0;
}

static struct strbuf line = STRBUF_INIT;

#define A(...) ((const uint64_t[6]){ __VA_ARGS__ })

static struct trace_call call(long nr, const uint64_t args[6])
{
	struct trace_call c;

	memset(&c, 0, sizeof(c));
	c.tid = c.tgid = 4242;
	c.nr = nr;
	c.arch = AUDIT_ARCH_X86_64;
	memcpy(c.args, args, sizeof(c.args));
	return c;
}

static void set_ret(struct trace_call *c, int64_t ret)
{
	c->ret = ret;
	c->is_error = ret < 0 && ret >= -4095;
}

/* Entry, then exit with ret: the line. */
static const char *fmt_opts(long nr, const uint64_t args[6], int64_t ret,
			    const struct decode_opts *o)
{
	struct trace_call c = call(nr, args);

	decode_enter(&reader, &c, o);
	set_ret(&c, ret);
	strbuf_reset(&line);
	decode_format(&reader, &c, o, &line);
	decode_release(&c);
	return strbuf_str(&line);
}

static const char *fmt(long nr, const uint64_t args[6], int64_t ret)
{
	return fmt_opts(nr, args, ret, NULL);
}

/* ---- files ---- */

static void files(void)
{
	struct trace_call c;

	unmap_all();
	map_str(0x10000, "/etc/passwd");
	map_str(0x11000, "/nonexistent");
	map_str(0x12000, "/tmp/new \"file\"");
	map_str(0x13000, "sub/dir");
	is_str(fmt(SYS_openat, A((uint64_t)AT_FDCWD, 0x10000, O_RDONLY | O_CLOEXEC), 3),
	       "openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY|O_CLOEXEC) = 3", "openat = 3");
	is_str(fmt(SYS_openat, A((uint64_t)AT_FDCWD, 0x11000, O_RDONLY), -ENOENT),
	       "openat(AT_FDCWD, \"/nonexistent\", O_RDONLY) = -1 ENOENT (No such file or "
	       "directory)",
	       "openat ENOENT");
	is_str(fmt(SYS_openat, A((uint64_t)AT_FDCWD, 0x12000, O_WRONLY | O_CREAT | O_TRUNC, 0644),
		   4),
	       "openat(AT_FDCWD, \"/tmp/new \\\"file\\\"\", O_WRONLY|O_CREAT|O_TRUNC, 0644) = 4",
	       "openat with O_CREAT shows the mode, quotes escaped");
	is_str(fmt(SYS_openat, A(7, 0x13000, O_RDONLY | O_DIRECTORY, 0), 8),
	       "openat(7, \"sub/dir\", O_RDONLY|O_DIRECTORY) = 8", "openat relative to a dirfd");
	is_str(fmt(SYS_open, A(0x10000, O_RDWR | O_APPEND, 0600), -EACCES),
	       "open(\"/etc/passwd\", O_RDWR|O_APPEND) = -1 EACCES (Permission denied)",
	       "open EACCES, no mode without O_CREAT");
	is_str(fmt(SYS_openat, A((uint64_t)AT_FDCWD, 0xdead0000, O_RDONLY), -EFAULT),
	       "openat(AT_FDCWD, 0xdead0000, O_RDONLY) = -1 EFAULT (Bad address)",
	       "unreadable path: the address");
	is_str(fmt(SYS_newfstatat, A((uint64_t)AT_FDCWD, 0x10000, 0x7ffd1000, AT_SYMLINK_NOFOLLOW),
		   0),
	       "newfstatat(AT_FDCWD, \"/etc/passwd\", 0x7ffd1000, AT_SYMLINK_NOFOLLOW) = 0",
	       "newfstatat at-flags");
	is_str(fmt(SYS_close, A(3), -EBADF), "close(3) = -1 EBADF (Bad file descriptor)",
	       "close EBADF");
	is_str(fmt(SYS_lseek, A(3, (uint64_t)-10, SEEK_END), 1190),
	       "lseek(3, -10, SEEK_END) = 1190", "lseek whence");

	/* without an entry capture the strings are read at exit */
	c = call(SYS_openat, A((uint64_t)AT_FDCWD, 0x10000, O_RDONLY));
	set_ret(&c, 5);
	strbuf_reset(&line);
	decode_format(&reader, &c, NULL, &line);
	is_str(strbuf_str(&line), "openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY) = 5",
	       "no entry capture: read at exit");

	/* the capture is what the sinks name fds with */
	c = call(SYS_openat, A((uint64_t)AT_FDCWD, 0x10000, O_RDONLY));
	decode_enter(&reader, &c, NULL);
	is_str(decode_arg_str(&c, 1), "/etc/passwd", "decode_arg_str gives the captured path");
	ok(decode_arg_str(&c, 0) == NULL, "decode_arg_str of a non-string is NULL");
	decode_release(&c);
	ok(c.priv == NULL, "decode_release clears priv");
	c = call(SYS_openat, A((uint64_t)AT_FDCWD, 0x10000, O_RDONLY));
	decode_enter(&reader, &c, &(struct decode_opts){ .raw = true });
	is_str(decode_arg_str(&c, 1), "/etc/passwd", "raw mode captures too");
	decode_release(&c);
}

/* ---- data ---- */

static const char passwd[] = "root:x:0:0:root:/root:/bin/bash\ndaemon:x:1:1:daemon:/usr/sbin:/"
			     "usr/sbin/nologin\n";

static void data(void)
{
	static const unsigned char bin[] = { 0x00, 0x01, 0x1b, '[', '0',  'm', 0xff,
					     0x01, '2',	 '\t', '"', '\\', 0x7f };
	static char hello[] = "hello\n";
	static char forty[41];
	struct decode_opts small = { .strsize = 4 };
	struct trace_call c;

	unmap_all();
	memset(forty, 'a', 40);
	map(0x20000, passwd, sizeof(passwd) - 1);
	map(0x21000, hello, 6);
	map(0x22000, bin, sizeof(bin));
	map(0x23000, forty, 40);
	is_str(fmt(SYS_read, A(3, 0x20000, 4096), 1234),
	       "read(3, \"root:x:0:0:root:/root:/bin/bash\\n\"..., 4096) = 1234",
	       "read shows the first 32 bytes");
	is_str(fmt(SYS_read, A(3, 0x20000, 4096), 5), "read(3, \"root:\", 4096) = 5",
	       "read shows only what was returned");
	is_str(fmt(SYS_read, A(3, 0x20000, 4096), 0), "read(3, \"\", 4096) = 0", "read EOF");
	is_str(fmt(SYS_read, A(3, 0x20000, 4096), -EAGAIN),
	       "read(3, 0x20000, 4096) = -1 EAGAIN (Resource temporarily unavailable)",
	       "read error: the address");
	is_str(fmt(SYS_pread64, A(3, 0x20000, 10, 100), 10),
	       "pread64(3, \"root:x:0:0\", 10, 100) = 10", "pread64 with its offset");
	is_str(fmt(SYS_write, A(1, 0x21000, 6), 6), "write(1, \"hello\\n\", 6) = 6",
	       "write with a newline");
	is_str(fmt(SYS_write, A(2, 0x22000, sizeof(bin)), (int64_t)sizeof(bin)),
	       "write(2, \"\\0\\1\\33[0m\\377\\0012\\t\\\"\\\\\\177\", 13) = 13",
	       "write of binary bytes: strace's octal escapes");
	is_str(fmt(SYS_write, A(1, 0x23000, 40), 40),
	       "write(1, \"aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\"..., 40) = 40",
	       "write longer than strsize");
	is_str(fmt_opts(SYS_write, A(1, 0x21000, 6), 6, &small), "write(1, \"hell\"..., 6) = 6",
	       "strsize 4");
	is_str(fmt(SYS_write, A(1, 0, 0), 0), "write(1, NULL, 0) = 0", "write of NULL");

	/* write data is captured at entry: changed memory at exit does not matter */
	c = call(SYS_write, A(1, 0x21000, 6));
	decode_enter(&reader, &c, NULL);
	memcpy(hello, "HELLO\n", 6);
	set_ret(&c, 6);
	strbuf_reset(&line);
	decode_format(&reader, &c, NULL, &line);
	decode_release(&c);
	is_str(strbuf_str(&line), "write(1, \"hello\\n\", 6) = 6", "write data from the entry");
	memcpy(hello, "hello\n", 6);
}

static void iovecs(void)
{
	static char a[] = "hello", b[] = "\n", rbuf1[2], rbuf2[10];
	static uint64_t wiov[4], riov[4];

	unmap_all();
	wiov[0] = 0x31000;
	wiov[1] = 5;
	wiov[2] = 0x32000;
	wiov[3] = 1;
	map(0x30000, wiov, sizeof(wiov));
	map(0x31000, a, 5);
	map(0x32000, b, 1);
	is_str(fmt(SYS_writev, A(1, 0x30000, 2), 6),
	       "writev(1, [{iov_base=\"hello\", iov_len=5}, {iov_base=\"\\n\", iov_len=1}], 2) = 6",
	       "writev");
	memcpy(rbuf1, "ab", 2);
	memcpy(rbuf2, "cdef", 4);
	riov[0] = 0x34000;
	riov[1] = 2;
	riov[2] = 0x35000;
	riov[3] = 10;
	map(0x33000, riov, sizeof(riov));
	map(0x34000, rbuf1, sizeof(rbuf1));
	map(0x35000, rbuf2, sizeof(rbuf2));
	is_str(fmt(SYS_readv, A(9, 0x33000, 2), 6),
	       "readv(9, [{iov_base=\"ab\", iov_len=2}, {iov_base=\"cdef\", iov_len=10}], 2) = 6",
	       "readv shows what the kernel filled in, across elements");
}

/* ---- network ---- */

static void network(void)
{
	static struct sockaddr_in in4, peer;
	static struct sockaddr_in6 in6;
	static struct sockaddr_un un, abs_un;
	static uint32_t len_in = 16, len_big = 128;
	static const char x[] = "x";
	char plain[128];
	size_t abs_len;
	int n;

	unmap_all();
	in4.sin_family = AF_INET;
	in4.sin_port = htons(80);
	in4.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	map(0x40000, &in4, sizeof(in4));
	un.sun_family = AF_UNIX;
	strcpy(un.sun_path, "/run/x.sock");
	map(0x41000, &un, sizeof(un));
	abs_un.sun_family = AF_UNIX;
	memcpy(abs_un.sun_path, "\0abstract", 9);
	abs_len = offsetof(struct sockaddr_un, sun_path) + 9;
	map(0x42000, &abs_un, sizeof(abs_un));
	in6.sin6_family = AF_INET6;
	in6.sin6_port = htons(443);
	in6.sin6_addr = in6addr_loopback;
	map(0x43000, &in6, sizeof(in6));
	peer.sin_family = AF_INET;
	peer.sin_port = htons(35922);
	peer.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	map(0x44000, &peer, sizeof(peer));
	map(0x45000, &len_in, sizeof(len_in));
	map(0x46000, x, 1);

	is_str(fmt(SYS_connect, A(3, 0x40000, 16), 0),
	       "connect(3, {sa_family=AF_INET, sin_port=htons(80), "
	       "sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 0",
	       "connect AF_INET");
	is_str(fmt(SYS_connect, A(4, 0x41000, 14), -ENOENT),
	       "connect(4, {sa_family=AF_UNIX, sun_path=\"/run/x.sock\"}, 14) = -1 ENOENT (No such "
	       "file or directory)",
	       "connect AF_UNIX");
	is_str(fmt(SYS_connect, A(4, 0x42000, abs_len), -ECONNREFUSED),
	       "connect(4, {sa_family=AF_UNIX, sun_path=@\"abstract\"}, 11) = -1 ECONNREFUSED "
	       "(Connection refused)",
	       "connect abstract AF_UNIX");
	is_str(fmt(SYS_connect, A(7, 0x43000, sizeof(in6)), -EINPROGRESS),
	       "connect(7, {sa_family=AF_INET6, sin6_port=htons(443), sin6_flowinfo=htonl(0), "
	       "inet_pton(AF_INET6, \"::1\", &sin6_addr), sin6_scope_id=0}, 28) = -1 EINPROGRESS "
	       "(Operation now in progress)",
	       "connect AF_INET6");
	is_str(fmt(SYS_bind, A(3, 0x40000, 16), 0),
	       "bind(3, {sa_family=AF_INET, sin_port=htons(80), "
	       "sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 0",
	       "bind");
	is_str(fmt(SYS_sendto, A(8, 0x46000, 1, 0, 0x40000, 16), 1),
	       "sendto(8, \"x\", 1, 0, {sa_family=AF_INET, sin_port=htons(80), "
	       "sin_addr=inet_addr(\"127.0.0.1\")}, 16) = 1",
	       "sendto with an address");
	is_str(fmt(SYS_accept4, A(3, 0x44000, 0x45000, SOCK_CLOEXEC), 5),
	       "accept4(3, {sa_family=AF_INET, sin_port=htons(35922), "
	       "sin_addr=inet_addr(\"127.0.0.1\")}, [16], SOCK_CLOEXEC) = 5",
	       "accept4 fills in the peer");
	is_str(fmt(SYS_accept, A(3, 0, 0), 6), "accept(3, NULL, NULL) = 6", "accept NULL, NULL");
	is_str(fmt(SYS_accept, A(3, 0x44000, 0x45000), -EAGAIN),
	       "accept(3, 0x44000, [16]) = -1 EAGAIN (Resource temporarily unavailable)",
	       "accept error: address, length passed in");
	is_str(fmt(SYS_socket, A(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0), 3),
	       "socket(AF_INET, SOCK_STREAM|SOCK_CLOEXEC, 0) = 3", "socket");

	/* getsockname: 128 in, 16 out */
	{
		struct trace_call c = call(SYS_getsockname, A(5, 0x44000, 0x47000));

		map(0x47000, &len_big, sizeof(len_big));
		decode_enter(&reader, &c, NULL);
		len_big = 16; /* the kernel writes back the real length */
		set_ret(&c, 0);
		strbuf_reset(&line);
		decode_format(&reader, &c, NULL, &line);
		decode_release(&c);
		is_str(strbuf_str(&line),
		       "getsockname(5, {sa_family=AF_INET, sin_port=htons(35922), "
		       "sin_addr=inet_addr(\"127.0.0.1\")}, [128 => 16]) = 0",
		       "getsockname [in => out]");
	}

	/* the plain form, for summaries */
	n = decode_sockaddr(&in4, sizeof(in4), plain, sizeof(plain));
	is_str(plain, "127.0.0.1:80", "plain AF_INET");
	is_int(n, 12, "plain returns the length");
	decode_sockaddr(&in6, sizeof(in6), plain, sizeof(plain));
	is_str(plain, "[::1]:443", "plain AF_INET6");
	decode_sockaddr(&un, 14, plain, sizeof(plain));
	is_str(plain, "/run/x.sock", "plain AF_UNIX");
	decode_sockaddr(&abs_un, abs_len, plain, sizeof(plain));
	is_str(plain, "@abstract", "plain abstract AF_UNIX");
	is_int(decode_sockaddr(&in4, 1, plain, sizeof(plain)), -EINVAL, "too short: -EINVAL");
	n = decode_sockaddr(&in4, sizeof(in4), plain, 5);
	ok(n == 12 && strcmp(plain, "127.") == 0, "plain is cut like snprintf");
}

/* ---- processes and memory ---- */

static void processes(void)
{
	static uint64_t argv[3], envp[3], many[42], long_argv[2];
	static char args40[40][8], longarg[64];
	static const char bin_ls[] = "/bin/ls", ls[] = "ls", dash_l[] = "-l";
	static int32_t ptid = 4321;
	struct trace_call c;
	struct strbuf want = STRBUF_INIT;
	const char *const *av;
	size_t argc;
	bool more;

	unmap_all();
	map_str(0x50000, bin_ls);
	map_str(0x51000, ls);
	map_str(0x52000, dash_l);
	argv[0] = 0x51000;
	argv[1] = 0x52000;
	map(0x53000, argv, sizeof(argv));
	envp[0] = 0x51000;
	envp[1] = 0x52000;
	map(0x54000, envp, sizeof(envp));

	/* the exec replaces the memory: everything must come from the entry */
	c = call(SYS_execve, A(0x50000, 0x53000, 0x54000));
	decode_enter(&reader, &c, NULL);
	av = decode_argv(&c, &argc, &more);
	ok(av && argc == 2 && !more && strcmp(av[0], "ls") == 0 && strcmp(av[1], "-l") == 0,
	   "decode_argv");
	unmap_all();
	set_ret(&c, 0);
	strbuf_reset(&line);
	decode_format(&reader, &c, NULL, &line);
	decode_release(&c);
	is_str(strbuf_str(&line), "execve(\"/bin/ls\", [\"ls\", \"-l\"], 0x54000 /* 2 vars */) = 0",
	       "execve argv captured at entry");

	/* 41 arguments: 32 shown, then ... */
	map_str(0x50000, bin_ls);
	for (int i = 0; i < 41; i++) {
		snprintf(args40[i % 40], sizeof(args40[0]), "a%d", i % 40);
		many[i] = 0x60000 + (uint64_t)(i % 40) * 0x100;
	}
	for (int i = 0; i < 40; i++)
		map_str(0x60000 + (uint64_t)i * 0x100, args40[i]);
	map(0x55000, many, sizeof(many));
	strbuf_adds(&want, "execve(\"/bin/ls\", [");
	for (int i = 0; i < 32; i++)
		strbuf_addf(&want, "%s\"a%d\"", i ? ", " : "", i);
	strbuf_adds(&want, ", ...], NULL) = -1 ENOENT (No such file or directory)");
	is_str(fmt(SYS_execve, A(0x50000, 0x55000, 0), -ENOENT), strbuf_str(&want),
	       "execve with 41 arguments shows 32");
	strbuf_release(&want);

	memset(longarg, 'x', 40);
	map_str(0x56000, longarg);
	long_argv[0] = 0x56000;
	map(0x57000, long_argv, sizeof(long_argv));
	is_str(fmt(SYS_execve, A(0x50000, 0x57000, 0), 0),
	       "execve(\"/bin/ls\", [\"xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\"...], NULL) = 0",
	       "a long argument is cut at strsize");

	is_str(fmt(SYS_mmap,
		   A(0, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, (uint64_t)-1, 0),
		   0x7f0e65dd0000),
	       "mmap(NULL, 4096, PROT_READ|PROT_WRITE, MAP_PRIVATE|MAP_ANONYMOUS, -1, 0) = "
	       "0x7f0e65dd0000",
	       "mmap anonymous");
	is_str(fmt(SYS_mmap,
		   A(0x7f0e65c09000, 1400832, PROT_READ | PROT_EXEC,
		     MAP_PRIVATE | MAP_FIXED | MAP_DENYWRITE, 3, 0x26000),
		   0x7f0e65c09000),
	       "mmap(0x7f0e65c09000, 1400832, PROT_READ|PROT_EXEC, "
	       "MAP_PRIVATE|MAP_FIXED|MAP_DENYWRITE, 3, 0x26000) = 0x7f0e65c09000",
	       "mmap of a file: offset in hex");
	is_str(fmt(SYS_mmap,
		   A(0, 1UL << 40, PROT_NONE, MAP_SHARED | MAP_ANONYMOUS, (uint64_t)-1, 0),
		   -ENOMEM),
	       "mmap(NULL, 1099511627776, PROT_NONE, MAP_SHARED|MAP_ANONYMOUS, -1, 0) = -1 ENOMEM "
	       "(Cannot allocate memory)",
	       "mmap ENOMEM, PROT_NONE");
	is_str(fmt(SYS_clone,
		   A(CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID | SIGCHLD, 0, 0, 0x7fef1f4fea10, 0),
		   18308),
	       "clone(child_stack=NULL, flags=CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD, "
	       "child_tidptr=0x7fef1f4fea10) = 18308",
	       "clone as fork");
	map(0x58000, &ptid, sizeof(ptid));
	is_str(fmt(SYS_clone,
		   A(CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
			     CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |
			     CLONE_CHILD_CLEARTID,
		     0x7f0000100000, 0x58000, 0x58000, 0x7f0000200000),
		   4321),
	       "clone(child_stack=0x7f0000100000, "
	       "flags=CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|"
	       "CLONE_THREAD|CLONE_SYSVSEM|CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, "
	       "parent_tid=[4321], tls=0x7f0000200000, child_tidptr=0x58000) = 4321",
	       "clone of a thread");
	is_str(fmt(SYS_clone, A(CLONE_VM | CLONE_VFORK | SIGCHLD, 0, 0, 0, 0), 18870),
	       "clone(child_stack=NULL, flags=CLONE_VM|CLONE_VFORK|SIGCHLD) = 18870",
	       "clone as vfork");
	{
		static uint64_t ca[11];

		ca[0] = CLONE_VM | CLONE_THREAD | CLONE_SIGHAND | CLONE_SETTLS |
			CLONE_PARENT_SETTID | CLONE_CHILD_CLEARTID;
		ca[2] = 0x7ff9ceece990; /* child_tid */
		ca[3] = 0x58000;	/* parent_tid */
		ca[5] = 0x7ff9ce6ce000; /* stack */
		ca[6] = 0x7fff80;	/* stack_size */
		ca[7] = 0x7ff9ceece6c0; /* tls */
		map(0x59000, ca, sizeof(ca));
		is_str(fmt(SYS_clone3, A(0x59000, 88), 4321),
		       "clone3({flags=CLONE_VM|CLONE_SIGHAND|CLONE_THREAD|CLONE_SETTLS|"
		       "CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID, child_tid=0x7ff9ceece990, "
		       "parent_tid=0x58000, exit_signal=0, stack=0x7ff9ce6ce000, "
		       "stack_size=0x7fff80, "
		       "tls=0x7ff9ceece6c0} => {parent_tid=[4321]}, 88) = 4321",
		       "clone3");
	}
	is_str(fmt(SYS_kill, A(1234, SIGTERM), 0), "kill(1234, SIGTERM) = 0", "kill");
	is_str(fmt(SYS_kill, A(1234, 0), -ESRCH), "kill(1234, 0) = -1 ESRCH (No such process)",
	       "kill with signal 0");
	is_str(fmt(SYS_fcntl, A(3, F_SETFD, FD_CLOEXEC), 0), "fcntl(3, F_SETFD, FD_CLOEXEC) = 0",
	       "fcntl F_SETFD");
	is_str(fmt(SYS_fcntl, A(1, F_GETFL, 0), 0x8002), "fcntl(1, F_GETFL) = 32770",
	       "fcntl F_GETFL has no third argument");
	is_str(fmt(SYS_fcntl, A(1, F_DUPFD_CLOEXEC, 30), 30), "fcntl(1, F_DUPFD_CLOEXEC, 30) = 30",
	       "fcntl F_DUPFD_CLOEXEC");
	{
		static int32_t fds[2] = { 3, 4 };

		map(0x5a000, fds, sizeof(fds));
		is_str(fmt(SYS_pipe2, A(0x5a000, O_CLOEXEC), 0), "pipe2([3, 4], O_CLOEXEC) = 0",
		       "pipe2 shows the new fds");
	}
	is_str(fmt(SYS_dup3, A(1, 20, O_CLOEXEC), 20), "dup3(1, 20, O_CLOEXEC) = 20", "dup3");
	is_str(fmt(SYS_epoll_create1, A(EPOLL_CLOEXEC), 3), "epoll_create1(EPOLL_CLOEXEC) = 3",
	       "epoll_create1 flags");
	{
		static const unsigned char rnd[] = { 0x04, 0x16, 0x70, 0x3e };

		map(0x5b000, rnd, sizeof(rnd));
		is_str(fmt(SYS_getrandom, A(0x5b000, 4, 1), 4),
		       "getrandom(\"\\x04\\x16\\x70\\x3e\", 4, GRND_NONBLOCK) = 4",
		       "getrandom data in hex");
	}
}

/* ---- returns ---- */

static void returns(void)
{
	struct decode_opts raw = { .raw = true }, aligned = { .align = DECODE_ALIGN_STRACE };
	struct trace_call c;

	unmap_all();
	map(0x20000, passwd, sizeof(passwd) - 1);
	map_str(0x10000, "/etc/passwd");

	c = call(SYS_exit_group, A(0));
	c.unfinished = true;
	strbuf_reset(&line);
	decode_format(&reader, &c, NULL, &line);
	is_str(strbuf_str(&line), "exit_group(0) = ?", "unfinished exit_group");
	c.unfinished = false;
	strbuf_reset(&line);
	decode_format(&reader, &c, NULL, &line);
	is_str(strbuf_str(&line), "exit_group(0) = ?", "exit_group never returns");

	c = call(SYS_read, A(0, 0x20000, 4096));
	c.unfinished = true;
	strbuf_reset(&line);
	decode_format(&reader, &c, NULL, &line);
	is_str(strbuf_str(&line), "read(0, 0x20000, 4096) = ?", "unfinished read");

	is_str(fmt(SYS_read, A(0, 0x20000, 4096), -512),
	       "read(0, 0x20000, 4096) = ? ERESTARTSYS (To be restarted if SA_RESTART is set)",
	       "ERESTARTSYS");
	is_str(fmt(SYS_nanosleep, A(0x7ffd0000, 0), -516),
	       "nanosleep(0x7ffd0000, NULL) = ? ERESTART_RESTARTBLOCK (Interrupted by signal)",
	       "ERESTART_RESTARTBLOCK");
	is_str(fmt(SYS_close, A(3), -600), "close(3) = -1 600 (Unknown error 600)",
	       "an errno without a name");
	is_str(fmt(535, A(1, 2, 0, 4, 5, 6), -ENOSYS),
	       "syscall_0x217(0x1, 0x2, 0, 0x4, 0x5, 0x6) = -1 ENOSYS (Function not implemented)",
	       "unknown syscall number");
	c = call(3, A(1, 2, 3, 4, 5, 6));
	c.arch = AUDIT_ARCH_I386;
	set_ret(&c, 0);
	strbuf_reset(&line);
	decode_format(&reader, &c, NULL, &line);
	is_str(strbuf_str(&line), "syscall_0x3(0x1, 0x2, 0x3, 0x4, 0x5, 0x6) = 0",
	       "unknown architecture");
	is_str(fmt_opts(SYS_openat, A(0xffffff9c, 0x10000, O_CLOEXEC, 0), 3, &raw),
	       "openat(0xffffff9c, 0x10000, 0x80000, 0) = 0x3", "raw mode");
	is_str(fmt_opts(SYS_read, A(3, 0x20000, 4096), 0, &aligned),
	       "read(3, \"\", 4096)                       = 0", "aligned on column 40");
	strbuf_reset(&line);
	strbuf_adds(&line, "junk\n[pid  4242] ");
	c = call(SYS_read, A(3, 0x20000, 4096));
	set_ret(&c, 0);
	decode_format(&reader, &c, &aligned, &line);
	is_str(strbuf_str(&line), "junk\n[pid  4242] read(3, \"\", 4096)           = 0",
	       "alignment counts the prefix of the current line");
	is_str(fmt_opts(SYS_openat, A((uint64_t)AT_FDCWD, 0x10000, O_RDONLY | O_CLOEXEC), 3,
			&aligned),
	       "openat(AT_FDCWD, \"/etc/passwd\", O_RDONLY|O_CLOEXEC) = 3",
	       "a long line gets one space");
}

static void quote(void)
{
	struct strbuf sb = STRBUF_INIT;

	decode_quote(&sb, "a\tb\033[0m\001x\0012\n", 12, 32);
	is_str(strbuf_str(&sb), "\"a\\tb\\33[0m\\1x\\0012\\n\"", "decode_quote as strace");
	strbuf_reset(&sb);
	decode_quote(&sb, "abcdef", 6, 3);
	is_str(strbuf_str(&sb), "\"abc\"...", "decode_quote cut");
	strbuf_reset(&sb);
	decode_quote(&sb, "\r\v\f\200", 4, 4);
	is_str(strbuf_str(&sb), "\"\\r\\v\\f\\200\"", "decode_quote \\r \\v \\f and high bytes");
	strbuf_release(&sb);
}

/* ---- structs behind pointers ---- */

static void stats(void)
{
	static struct stat reg, chr, dir;
	static struct statx sx;

	unmap_all();
	memset(&reg, 0, sizeof(reg));
	reg.st_mode = S_IFREG | 0640;
	reg.st_size = 1234;
	memset(&chr, 0, sizeof(chr));
	chr.st_mode = S_IFCHR | 0666;
	chr.st_rdev = makedev(1, 3);
	memset(&dir, 0, sizeof(dir));
	dir.st_mode = S_IFDIR | S_ISVTX | 0777;
	dir.st_size = 12288;
	memset(&sx, 0, sizeof(sx));
	sx.stx_mask = STATX_BASIC_STATS | 0x1000; /* STATX_MNT_ID */
	sx.stx_mode = S_IFREG | S_ISUID | 0755;
	sx.stx_size = 1234;
	map_str(0x60000, "/etc/passwd");
	map(0x61000, &reg, sizeof(reg));
	map(0x62000, &chr, sizeof(chr));
	map(0x63000, &dir, sizeof(dir));
	map(0x64000, &sx, sizeof(sx));
	is_str(fmt(SYS_stat, A(0x60000, 0x61000), 0),
	       "stat(\"/etc/passwd\", {st_mode=S_IFREG|0640, st_size=1234, ...}) = 0",
	       "stat: type, permissions in octal, size");
	is_str(fmt(SYS_stat, A(0x60000, 0x61000), -ENOENT),
	       "stat(\"/etc/passwd\", 0x61000) = -1 ENOENT (No such file or directory)",
	       "stat that failed: the address");
	is_str(fmt(SYS_fstat, A(3, 0x62000), 0),
	       "fstat(3, {st_mode=S_IFCHR|0666, st_rdev=makedev(0x1, 0x3), ...}) = 0",
	       "fstat of a device: st_rdev instead of st_size");
	is_str(fmt(SYS_lstat, A(0x60000, 0x63000), 0),
	       "lstat(\"/etc/passwd\", {st_mode=S_IFDIR|S_ISVTX|0777, st_size=12288, ...}) = 0",
	       "lstat: the sticky bit by name");
	is_str(fmt(SYS_newfstatat, A((uint64_t)AT_FDCWD, 0x60000, 0x61000, 0), 0),
	       "newfstatat(AT_FDCWD, \"/etc/passwd\", {st_mode=S_IFREG|0640, st_size=1234, ...}, "
	       "0) = 0",
	       "newfstatat");
	is_str(fmt(SYS_stat, A(0x60000, 0xdead0000), 0), "stat(\"/etc/passwd\", 0xdead0000) = 0",
	       "stat into unreadable memory: the address");
	is_str(fmt(SYS_statx, A((uint64_t)AT_FDCWD, 0x60000, 0, STATX_BASIC_STATS, 0x64000), 0),
	       "statx(AT_FDCWD, \"/etc/passwd\", AT_STATX_SYNC_AS_STAT, STATX_BASIC_STATS, "
	       "{stx_mask=STATX_BASIC_STATS|STATX_MNT_ID, stx_attributes=0, "
	       "stx_mode=S_IFREG|S_ISUID|0755, stx_size=1234, ...}) = 0",
	       "statx: its sync type, mask and the struct");
	is_str(fmt(SYS_statx,
		   A((uint64_t)AT_FDCWD, 0x60000, AT_SYMLINK_NOFOLLOW, STATX_SIZE, 0x64000),
		   -EACCES),
	       "statx(AT_FDCWD, \"/etc/passwd\", AT_STATX_SYNC_AS_STAT|AT_SYMLINK_NOFOLLOW, "
	       "STATX_SIZE, 0x64000) = -1 EACCES (Permission denied)",
	       "statx that failed");
}

#define SIGBIT(s) (1ULL << ((s)-1))

static void sigs(void)
{
	static uint64_t act[4], old[4], set_int_chld, set_most, set_half, set_all;
	struct trace_call c;

	unmap_all();
	act[0] = 0x401000; /* handler */
	act[1] = 0x04000000 | SA_RESTART;
	act[2] = 0x7f0000001000; /* restorer */
	act[3] = SIGBIT(SIGINT) | SIGBIT(SIGTERM);
	memset(old, 0, sizeof(old)); /* SIG_DFL, no flags */
	set_int_chld = SIGBIT(SIGINT) | SIGBIT(SIGCHLD);
	set_most = ~(SIGBIT(SIGUSR2) | SIGBIT(32) | SIGBIT(33));
	set_half = 0xffffffffULL; /* 32 of 64: not yet the complement */
	set_all = ~0ULL;
	map(0x70000, act, sizeof(act));
	map(0x71000, old, sizeof(old));
	map(0x72000, &set_int_chld, 8);
	map(0x73000, &set_most, 8);
	map(0x74000, &set_half, 8);
	map(0x75000, &set_all, 8);
	is_str(fmt(SYS_rt_sigaction, A(SIGUSR1, 0x70000, 0, 8), 0),
	       "rt_sigaction(SIGUSR1, {sa_handler=0x401000, sa_mask=[INT TERM], "
	       "sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x7f0000001000}, NULL, 8) = 0",
	       "rt_sigaction: the new action");
	is_str(fmt(SYS_rt_sigaction, A(SIGPIPE, 0, 0x71000, 8), 0),
	       "rt_sigaction(SIGPIPE, NULL, {sa_handler=SIG_DFL, sa_mask=[], sa_flags=0}, 8) = 0",
	       "rt_sigaction: the old action, no restorer without SA_RESTORER");
	is_str(fmt(SYS_rt_sigaction, A(SIGKILL, 0x70000, 0x71000, 8), -EINVAL),
	       "rt_sigaction(SIGKILL, {sa_handler=0x401000, sa_mask=[INT TERM], "
	       "sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x7f0000001000}, 0x71000, 8) = -1 "
	       "EINVAL (Invalid argument)",
	       "rt_sigaction that failed: the new action still, the old one's address");

	/* the new action is what the tracee handed over at entry, not what is there at exit */
	c = call(SYS_rt_sigaction, A(SIGUSR1, 0x70000, 0, 8));
	decode_enter(&reader, &c, NULL);
	act[0] = 1; /* SIG_IGN */
	set_ret(&c, 0);
	strbuf_reset(&line);
	decode_format(&reader, &c, NULL, &line);
	decode_release(&c);
	ok(strstr(strbuf_str(&line), "sa_handler=0x401000") != NULL,
	   "the new action is the one captured at entry");
	is_str(fmt(SYS_rt_sigaction, A(SIGUSR1, 0x70000, 0, 8), 0),
	       "rt_sigaction(SIGUSR1, {sa_handler=SIG_IGN, sa_mask=[INT TERM], "
	       "sa_flags=SA_RESTORER|SA_RESTART, sa_restorer=0x7f0000001000}, NULL, 8) = 0",
	       "sa_handler SIG_IGN");

	is_str(fmt(SYS_rt_sigprocmask, A(SIG_BLOCK, 0x72000, 0x74000, 8), 0),
	       "rt_sigprocmask(SIG_BLOCK, [INT CHLD], [HUP INT QUIT ILL TRAP ABRT BUS FPE KILL "
	       "USR1 "
	       "SEGV USR2 PIPE ALRM TERM STKFLT CHLD CONT STOP TSTP TTIN TTOU URG XCPU XFSZ VTALRM "
	       "PROF WINCH IO PWR SYS RTMIN], 8) = 0",
	       "rt_sigprocmask: how by name, half the signals set is still a list");
	is_str(fmt(SYS_rt_sigprocmask, A(SIG_SETMASK, 0x73000, 0, 8), 0),
	       "rt_sigprocmask(SIG_SETMASK, ~[USR2 RTMIN RT_1], NULL, 8) = 0",
	       "more than half set: the complement, real-time signals as RTMIN, RT_1");
	is_str(fmt(SYS_rt_sigprocmask, A(SIG_UNBLOCK, 0x75000, 0x72000, 8), -EFAULT),
	       "rt_sigprocmask(SIG_UNBLOCK, ~[], 0x72000, 8) = -1 EFAULT (Bad address)",
	       "every signal: ~[]; the old set of a failed call: its address");
}

static void times(void)
{
	static int64_t ts[2] = { 0, 250000000 }, rem[2] = { 0, 125000000 }, now[2] = { 12, 5 };

	unmap_all();
	map(0x80000, ts, sizeof(ts));
	map(0x81000, rem, sizeof(rem));
	map(0x82000, now, sizeof(now));
	is_str(fmt(SYS_nanosleep, A(0x80000, 0), 0),
	       "nanosleep({tv_sec=0, tv_nsec=250000000}, NULL) = 0", "nanosleep");
	is_str(fmt(SYS_nanosleep, A(0x80000, 0x81000), 0),
	       "nanosleep({tv_sec=0, tv_nsec=250000000}, 0x81000) = 0",
	       "nanosleep that slept it all: the remaining time's address");
	is_str(fmt(SYS_nanosleep, A(0x80000, 0x81000), -516),
	       "nanosleep({tv_sec=0, tv_nsec=250000000}, {tv_sec=0, tv_nsec=125000000}) = ? "
	       "ERESTART_RESTARTBLOCK (Interrupted by signal)",
	       "nanosleep cut short: the remaining time");
	is_str(fmt(SYS_clock_nanosleep, A(CLOCK_MONOTONIC, TIMER_ABSTIME, 0x80000, 0), 0),
	       "clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, {tv_sec=0, tv_nsec=250000000}, "
	       "NULL) = 0",
	       "clock_nanosleep: clock and flags by name");
	is_str(fmt(SYS_clock_gettime, A(CLOCK_BOOTTIME, 0x82000), 0),
	       "clock_gettime(CLOCK_BOOTTIME, {tv_sec=12, tv_nsec=5}) = 0", "clock_gettime");
	is_str(fmt(SYS_clock_getres, A((uint64_t)-6, 0x82000), -EINVAL),
	       "clock_getres(-6, 0x82000) = -1 EINVAL (Invalid argument)",
	       "an unknown clock in decimal, a failed call's address");
}

static void rlimits(void)
{
	static uint64_t stack[2] = { 8192 * 1024, UINT64_MAX }, files[2] = { 1024, 20000 };

	unmap_all();
	map(0x90000, stack, sizeof(stack));
	map(0x91000, files, sizeof(files));
	is_str(fmt(SYS_getrlimit, A(RLIMIT_STACK, 0x90000), 0),
	       "getrlimit(RLIMIT_STACK, {rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}) = 0",
	       "getrlimit: multiples of 1024 as N*1024, infinity by name");
	is_str(fmt(SYS_setrlimit, A(RLIMIT_NOFILE, 0x91000), -EPERM),
	       "setrlimit(RLIMIT_NOFILE, {rlim_cur=1024, rlim_max=20000}) = -1 EPERM (Operation "
	       "not permitted)",
	       "setrlimit shows what it asked for; 1024 itself is plain");
	is_str(fmt(SYS_prlimit64, A(0, RLIMIT_NOFILE, 0x91000, 0x90000), 0),
	       "prlimit64(0, RLIMIT_NOFILE, {rlim_cur=1024, rlim_max=20000}, "
	       "{rlim_cur=8192*1024, rlim_max=RLIM64_INFINITY}) = 0",
	       "prlimit64: new and old");
	is_str(fmt(SYS_prlimit64, A(1, 99, 0, 0x90000), -EINVAL),
	       "prlimit64(1, 99, NULL, 0x90000) = -1 EINVAL (Invalid argument)",
	       "prlimit64: an unknown resource in decimal");
}

static void waits(void)
{
	static int32_t exited = 3 << 8, killed = SIGKILL, core = SIGSEGV | 0x80,
		       stopped = (SIGSTOP << 8) | 0x7f, cont = 0xffff;
	static siginfo_t si, none;

	unmap_all();
	memset(&si, 0, sizeof(si));
	si.si_signo = SIGCHLD;
	si.si_code = CLD_EXITED;
	si.si_pid = 1234;
	si.si_uid = 1000;
	si.si_status = 5;
	memset(&none, 0, sizeof(none));
	map(0xa0000, &exited, 4);
	map(0xa1000, &killed, 4);
	map(0xa2000, &core, 4);
	map(0xa3000, &stopped, 4);
	map(0xa4000, &cont, 4);
	map(0xa5000, &si, sizeof(si));
	map(0xa6000, &none, sizeof(none));
	is_str(fmt(SYS_wait4, A(1234, 0xa0000, 0, 0), 1234),
	       "wait4(1234, [{WIFEXITED(s) && WEXITSTATUS(s) == 3}], 0, NULL) = 1234",
	       "wait4: an exit status");
	is_str(fmt(SYS_wait4, A((uint64_t)-1, 0xa1000, __WALL, 0), 1234),
	       "wait4(-1, [{WIFSIGNALED(s) && WTERMSIG(s) == SIGKILL}], __WALL, NULL) = 1234",
	       "wait4: killed by a signal");
	is_str(fmt(SYS_wait4, A(1234, 0xa2000, 0, 0), 1234),
	       "wait4(1234, [{WIFSIGNALED(s) && WTERMSIG(s) == SIGSEGV && WCOREDUMP(s)}], 0, "
	       "NULL) = 1234",
	       "wait4: a core dump");
	is_str(fmt(SYS_wait4, A(1234, 0xa3000, WUNTRACED, 0), 1234),
	       "wait4(1234, [{WIFSTOPPED(s) && WSTOPSIG(s) == SIGSTOP}], WSTOPPED, NULL) = 1234",
	       "wait4: stopped (WUNTRACED is WSTOPPED)");
	is_str(fmt(SYS_wait4, A(1234, 0xa4000, WCONTINUED, 0), 1234),
	       "wait4(1234, [{WIFCONTINUED(s)}], WCONTINUED, NULL) = 1234", "wait4: continued");
	is_str(fmt(SYS_wait4, A((uint64_t)-1, 0xa0000, WNOHANG, 0), 0),
	       "wait4(-1, 0xa0000, WNOHANG, NULL) = 0",
	       "wait4 WNOHANG with nothing yet: the address");
	is_str(fmt(SYS_wait4, A((uint64_t)-1, 0xa0000, WNOHANG, 0), -ECHILD),
	       "wait4(-1, 0xa0000, WNOHANG, NULL) = -1 ECHILD (No child processes)",
	       "wait4 that failed: the address");
	is_str(fmt(SYS_waitid, A(P_PID, 1234, 0xa5000, WEXITED, 0), 0),
	       "waitid(P_PID, 1234, {si_signo=SIGCHLD, si_code=CLD_EXITED, si_pid=1234, "
	       "si_uid=1000, si_status=5, si_utime=0, si_stime=0}, WEXITED, NULL) = 0",
	       "waitid: the child's siginfo");
	is_str(fmt(SYS_waitid, A(P_ALL, 0, 0xa6000, WEXITED | WNOHANG, 0), 0),
	       "waitid(P_ALL, 0, {}, WNOHANG|WEXITED, NULL) = 0",
	       "waitid WNOHANG with nothing yet");
}

static void ioctls(void)
{
	static int32_t five = 5, one = 1;
	static struct winsize ws = { .ws_row = 24, .ws_col = 80 };
	/* the kernel's struct termios: a pty's defaults, then raw mode at 115200 baud, 7 bits */
	static uint32_t tty[9] = { ICRNL | IXON, OPOST | ONLCR, B38400 | CS8 | CREAD,
				   ISIG | ICANON | ECHO | ECHOE | ECHOK | ECHOCTL | ECHOKE | IEXTEN };
	static uint32_t raw[9] = { 0, CR2 | 0x80000000u, B115200 | CS7 | CREAD | PARENB, 0 };

	unmap_all();
	map(0xb0000, &five, 4);
	map(0xb1000, &one, 4);
	map(0xb2000, &ws, sizeof(ws));
	map(0xb3000, tty, sizeof(tty));
	map(0xb4000, raw, sizeof(raw));
	is_str(fmt(SYS_ioctl, A(3, FIONREAD, 0xb0000), 0), "ioctl(3, FIONREAD, [5]) = 0",
	       "FIONREAD: the count");
	is_str(fmt(SYS_ioctl, A(3, FIONBIO, 0xb1000), 0), "ioctl(3, FIONBIO, [1]) = 0",
	       "FIONBIO: what it was given");
	is_str(fmt(SYS_ioctl, A(3, FIOCLEX, 0), 0), "ioctl(3, FIOCLEX) = 0",
	       "FIOCLEX takes no argument");
	is_str(fmt(SYS_ioctl, A(1, TIOCGWINSZ, 0xb2000), 0),
	       "ioctl(1, TIOCGWINSZ, {ws_row=24, ws_col=80, ws_xpixel=0, ws_ypixel=0}) = 0",
	       "TIOCGWINSZ: the window size");
	is_str(fmt(SYS_ioctl, A(1, TIOCGWINSZ, 0xb2000), -ENOTTY),
	       "ioctl(1, TIOCGWINSZ, 0xb2000) = -1 ENOTTY (Inappropriate ioctl for device)",
	       "TIOCGWINSZ that failed: the address");
	is_str(fmt(SYS_ioctl, A(1, TIOCSWINSZ, 0xb2000), -EBADF),
	       "ioctl(1, TIOCSWINSZ, {ws_row=24, ws_col=80, ws_xpixel=0, ws_ypixel=0}) = -1 EBADF "
	       "(Bad file descriptor)",
	       "TIOCSWINSZ shows what it handed over, whatever the result");
	is_str(fmt(SYS_ioctl, A(0, TCGETS, 0xb2000), -ENOTTY),
	       "ioctl(0, TCGETS, 0xb2000) = -1 ENOTTY (Inappropriate ioctl for device)", "TCGETS");
	is_str(fmt(SYS_ioctl, A(0, TCGETS, 0xb3000), 0),
	       "ioctl(0, TCGETS, {c_iflag=ICRNL|IXON, c_oflag=NL0|CR0|TAB0|BS0|VT0|FF0|OPOST|ONLCR, "
	       "c_cflag=B38400|CS8|CREAD, c_lflag=ISIG|ICANON|ECHO|ECHOE|ECHOK|IEXTEN|ECHOCTL|ECHOKE, "
	       "...}) = 0",
	       "TCGETS: a pty's termios as strace shows it (delay fields first, lflags in its order)");
	is_str(fmt(SYS_ioctl, A(0, TCSETSF, 0xb4000), 0),
	       "ioctl(0, SNDCTL_TMR_CONTINUE or TCSETSF, {c_iflag=, "
	       "c_oflag=NL0|CR2|TAB0|BS0|VT0|FF0|0x80000000, c_cflag=B115200|CS7|CREAD|PARENB, "
	       "c_lflag=, ...}) = 0",
	       "TCSETSF: empty flag words, a delay value, a speed above B38400, an unknown bit");
	is_str(fmt(SYS_ioctl, A(0, TIOCGPGRP, 0xb0000), 0), "ioctl(0, TIOCGPGRP, [5]) = 0",
	       "TIOCGPGRP");
	is_str(fmt(SYS_ioctl, A(4, SIOCGIFCONF, 0xb2000), 0), "ioctl(4, SIOCGIFCONF, 0xb2000) = 0",
	       "a socket request by name");
	is_str(fmt(SYS_ioctl, A(3, 0x80049901, 0xb0000), -ENOTTY),
	       "ioctl(3, _IOC(_IOC_READ, 0x99, 0x1, 0x4), 0xb0000) = -1 ENOTTY (Inappropriate "
	       "ioctl for device)",
	       "an unknown request as _IOC()");
	is_str(fmt(SYS_ioctl, A(0, 0xffffffff00001234ULL, 0), -ENOTTY),
	       "ioctl(0, _IOC(_IOC_NONE, 0x12, 0x34, 0), 0) = -1 ENOTTY (Inappropriate ioctl for "
	       "device)",
	       "an unknown request without a direction; the upper half is not the kernel's");
}

/* ---- a call split by another task's line: the entry part, then the resumed part ---- */

static struct strbuf entry_part = STRBUF_INIT;

/* Entry part (at entry), then the resumed part once it returned ret: "ENTRY|RESUMED". */
static const char *split_opts(long nr, const uint64_t args[6], int64_t ret,
			      const struct decode_opts *o)
{
	struct trace_call c = call(nr, args);

	decode_enter(&reader, &c, o);
	strbuf_reset(&entry_part);
	decode_format_entry(&reader, &c, o, &entry_part);
	set_ret(&c, ret);
	strbuf_reset(&line);
	strbuf_adds(&line, strbuf_str(&entry_part));
	strbuf_addc(&line, '|');
	decode_format_resumed(&reader, &c, o, &line);
	decode_release(&c);
	return strbuf_str(&line);
}

static const char *split(long nr, const uint64_t args[6], int64_t ret)
{
	return split_opts(nr, args, ret, NULL);
}

/* Whether the entry part and what follows "resumed>" make up decode_format's line. */
static bool halves_make_whole(long nr, const uint64_t args[6], int64_t ret)
{
	const char *both = split(nr, args, ret), *bar = strchr(both, '|');
	const char *tail = bar ? strstr(bar, "resumed>") : NULL;
	struct strbuf joined = STRBUF_INIT;
	bool same;

	if (!tail)
		return false;
	strbuf_add(&joined, both, (size_t)(bar - both));
	strbuf_adds(&joined, tail + strlen("resumed>"));
	same = !strcmp(strbuf_str(&joined), fmt(nr, args, ret));
	if (!same)
		printf("#   joined: %s\n#   whole:  %s\n", strbuf_str(&joined), strbuf_str(&line));
	strbuf_release(&joined);
	return same;
}

static void splits(void)
{
	static const char hello[] = "hello";
	static int32_t status = 3 << 8, fds[2] = { 3, 4 };
	static int64_t ts[2] = { 0, 50000000 };
	static uint64_t set = 1u << (SIGCHLD - 1);
	struct trace_call c;

	unmap_all();
	map(0xb0000, hello, 5);
	map(0xb1000, &status, 4);
	map(0xb2000, ts, sizeof(ts));
	map(0xb3000, fds, sizeof(fds));
	map(0xb4000, &set, sizeof(set));
	map_str(0xb5000, "/bin/true");
	/* the shapes strace -f prints (tests/integration/trace_order.sh compares real ones) */
	is_str(split(SYS_read, A(3, 0xb0000, 5), 5), "read(3, |<... read resumed>\"hello\", 5) = 5",
	       "read: the buffer the kernel fills is resumed, the separator stays at entry");
	is_str(split(SYS_write, A(1, 0xb0000, 5), 5),
	       "write(1, \"hello\", 5|<... write resumed>) = 5",
	       "write: every argument is known at entry, ')' comes with the return value");
	is_str(split(SYS_vfork, A(0), 4321), "vfork(|<... vfork resumed>) = 4321",
	       "vfork: the child's pid in the resumed part");
	is_str(split(SYS_wait4, A(4321, 0xb1000, 0, 0), 4321),
	       "wait4(4321, |<... wait4 resumed>[{WIFEXITED(s) && WEXITSTATUS(s) == 3}], 0, NULL) "
	       "= 4321",
	       "wait4: the status and what follows it at exit");
	is_str(split(SYS_clock_nanosleep, A(CLOCK_REALTIME, 0, 0xb2000, 0), 0),
	       "clock_nanosleep(CLOCK_REALTIME, 0, {tv_sec=0, tv_nsec=50000000}, |<... "
	       "clock_nanosleep resumed>NULL) = 0",
	       "clock_nanosleep: the request at entry, the remaining time at exit");
	is_str(split(SYS_rt_sigprocmask, A(SIG_SETMASK, 0xb4000, 0xb4000, 8), 0),
	       "rt_sigprocmask(SIG_SETMASK, [CHLD], |<... rt_sigprocmask resumed>[CHLD], 8) = 0",
	       "rt_sigprocmask: the new set at entry, the old one at exit");
	is_str(split(SYS_pipe2, A(0xb3000, O_CLOEXEC), 0),
	       "pipe2(|<... pipe2 resumed>[3, 4], O_CLOEXEC) = 0", "pipe2: the fds at exit");
	is_str(split(SYS_read, A(3, 0xb0000, 5), -EINTR),
	       "read(3, |<... read resumed>0xb0000, 5) = -1 EINTR (Interrupted system call)",
	       "a failed read: the address in the resumed part");
	is_str(split_opts(SYS_read, A(3, 0xb0000, 5), 5, &(struct decode_opts){ .raw = true }),
	       "read(0x3, 0xb0000, 0x5|<... read resumed>) = 0x5", "raw: every argument at entry");
	is_str(split(SYS_openat, A((uint64_t)AT_FDCWD, 0xb5000, O_RDONLY), 3),
	       "openat(AT_FDCWD, \"/bin/true\", O_RDONLY|<... openat resumed>) = 3",
	       "openat: the path at entry");
	is_str(split(999, A(1, 2), -ENOSYS),
	       "syscall_0x3e7(0x1, 0x2, 0, 0, 0, 0|<... syscall_0x3e7 resumed>) = -1 ENOSYS "
	       "(Function "
	       "not implemented)",
	       "an unknown syscall");
	c = call(SYS_read, A(3, 0xb0000, 5));
	set_ret(&c, 5);
	strbuf_reset(&line);
	strbuf_adds(&line, "entry part\n");
	decode_format_resumed(&reader, &c, &(struct decode_opts){ .align = DECODE_ALIGN_STRACE },
			      &line);
	is_str(strbuf_str(&line), "entry part\n<... read resumed>\"hello\", 5)           = 5",
	       "the resumed part pads '=' to the column of its own line, as strace does");
	ok(halves_make_whole(SYS_read, A(3, 0xb0000, 5), 5), "read: halves make the whole line");
	ok(halves_make_whole(SYS_wait4, A(4321, 0xb1000, 0, 0), 4321),
	   "wait4: halves make the whole line");
	ok(halves_make_whole(SYS_pipe2, A(0xb3000, O_CLOEXEC), 0),
	   "pipe2: halves make the whole line");
	ok(halves_make_whole(SYS_rt_sigprocmask, A(SIG_SETMASK, 0xb4000, 0xb4000, 8), 0),
	   "rt_sigprocmask: halves make the whole line");
	strbuf_release(&entry_part);
}

int main(void)
{
	files();
	data();
	iovecs();
	network();
	processes();
	returns();
	quote();
	stats();
	sigs();
	times();
	rlimits();
	waits();
	ioctls();
	splits();
	strbuf_release(&line);
	return done_testing();
}
