/* test_systab.c - unit tests of the syscall tables, -e trace= filters, errno and flag names. */
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/syscall.h>

#include "trace/systab.h"
#include "tap.h"

#define X86 SYSTAB_ARCH_X86_64

/* Every table number must be the libc's SYS_ number of the same name. */
static void numbers(void)
{
	static const struct {
		const char *name;
		long nr;
	} want[] = {
		{ "read", SYS_read },
		{ "write", SYS_write },
		{ "open", SYS_open },
		{ "close", SYS_close },
		{ "stat", SYS_stat },
		{ "fstat", SYS_fstat },
		{ "mmap", SYS_mmap },
		{ "mprotect", SYS_mprotect },
		{ "munmap", SYS_munmap },
		{ "brk", SYS_brk },
		{ "rt_sigaction", SYS_rt_sigaction },
		{ "ioctl", SYS_ioctl },
		{ "pread64", SYS_pread64 },
		{ "writev", SYS_writev },
		{ "access", SYS_access },
		{ "pipe", SYS_pipe },
		{ "dup2", SYS_dup2 },
		{ "getpid", SYS_getpid },
		{ "sendfile", SYS_sendfile },
		{ "socket", SYS_socket },
		{ "connect", SYS_connect },
		{ "accept", SYS_accept },
		{ "sendto", SYS_sendto },
		{ "recvmsg", SYS_recvmsg },
		{ "clone", SYS_clone },
		{ "fork", SYS_fork },
		{ "vfork", SYS_vfork },
		{ "execve", SYS_execve },
		{ "exit", SYS_exit },
		{ "wait4", SYS_wait4 },
		{ "kill", SYS_kill },
		{ "fcntl", SYS_fcntl },
		{ "getdents64", SYS_getdents64 },
		{ "exit_group", SYS_exit_group },
		{ "openat", SYS_openat },
		{ "newfstatat", SYS_newfstatat },
		{ "accept4", SYS_accept4 },
		{ "pipe2", SYS_pipe2 },
		{ "execveat", SYS_execveat },
		{ "statx", SYS_statx },
		{ "clone3", SYS_clone3 },
		{ "close_range", SYS_close_range },
		{ "openat2", SYS_openat2 },
		{ "faccessat2", SYS_faccessat2 },
	};
	int bad = 0;

	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const struct syscall_def *d = systab_get(X86, want[i].nr);

		if (systab_lookup(X86, want[i].name) != want[i].nr || !d ||
		    strcmp(d->name, want[i].name) != 0) {
			printf("# %s: SYS_ %ld, table %ld\n", want[i].name, want[i].nr,
			       systab_lookup(X86, want[i].name));
			bad++;
		}
	}
	is_int(bad, 0, "%zu syscall numbers match <sys/syscall.h>", sizeof(want) / sizeof(want[0]));
	is_int(systab_lookup(X86, "read"), 0, "read is 0");
	is_int(systab_lookup(X86, "nosuchcall"), -1, "unknown name -> -1");
	ok(systab_get(X86, 400) == NULL, "a hole in the numbers (400) -> NULL");
	ok(systab_get(X86, -1) == NULL && systab_get(X86, 100000) == NULL, "out of range -> NULL");
	ok(systab_get(7, 0) == NULL && systab_lookup(7, "read") == -1, "unknown arch -> NULL, -1");
	is_str(systab_get(X86, 452)->name, "fchmodat2", "newer than the header: fchmodat2 at 452");
	is_int(systab_count(X86), SYSTAB_X86_64_MAX, "count is SYSTAB_X86_64_MAX");
}

static unsigned classes_of(const char *name)
{
	const struct syscall_def *d = systab_get(X86, systab_lookup(X86, name));

	return d ? d->classes : 0;
}

static void classes(void)
{
	is_int(classes_of("openat"), SC_FILE | SC_DESC, "openat: file|desc");
	is_int(classes_of("sendto"), SC_NETWORK | SC_IO, "sendto: network|io");
	is_int(classes_of("read"), SC_DESC | SC_IO, "read: desc|io");
	is_int(classes_of("mmap"), SC_MEMORY | SC_DESC, "mmap: memory|desc");
	is_int(classes_of("brk"), SC_MEMORY, "brk: memory");
	is_int(classes_of("execve"), SC_FILE | SC_PROCESS, "execve: file|process");
	is_int(classes_of("kill"), SC_PROCESS | SC_SIGNAL, "kill: process|signal");
	is_int(classes_of("rt_sigaction"), SC_SIGNAL, "rt_sigaction: signal");
	is_int(classes_of("dup3"), SC_DESC, "dup3: desc");
	is_int(classes_of("sendfile"), SC_DESC | SC_NETWORK | SC_IO, "sendfile: desc|network|io");
	is_int(classes_of("clone3"), SC_PROCESS, "clone3: process");
	is_int(classes_of("getppid"), SC_OTHER, "getppid: other (as in strace)");
	is_int(classes_of("fchdir"), SC_DESC, "fchdir: desc, no file name");
	is_int(classes_of("lseek"), SC_DESC | SC_IO, "lseek: desc|io");
}

static void signatures(void)
{
	const struct syscall_def *d = systab_get(X86, SYS_openat);

	ok(d->nargs == 4 && d->args[0] == A_DIRFD && d->args[1] == A_PATH &&
		   d->args[2] == A_OPEN_FLAGS && d->args[3] == A_MODE && d->ret == R_FD,
	   "openat(dirfd, path, open_flags, mode) = fd");
	d = systab_get(X86, SYS_read);
	ok(d->nargs == 3 && d->args[1] == A_BUF_OUT && d->ret == R_SIZE, "read fills a buffer");
	d = systab_get(X86, SYS_connect);
	ok(d->args[1] == A_SOCKADDR && d->args[2] == A_UINT, "connect: sockaddr with its length");
	d = systab_get(X86, SYS_preadv2);
	ok(d->nargs == 6 && d->args[4] == A_UNUSED && d->args[5] == A_HEX,
	   "preadv2 flags in slot 5");
	d = systab_get(X86, SYS_exit_group);
	ok(d->ret == R_NONE, "exit_group does not return");
	d = systab_get(X86, SYS_getpid);
	ok(d->nargs == 0 && d->args[0] == A_UNUSED && d->ret == R_PID, "getpid() = pid");
	d = systab_get(X86, systab_lookup(X86, "tuxcall"));
	ok(d->nargs == 6 && d->args[5] == A_HEX && d->classes == SC_OTHER,
	   "unlisted: 6 hex, other");
}

static int count_set(const uint8_t *set, size_t len)
{
	int n = 0;

	for (size_t i = 0; i < len * 8; i++)
		n += systab_set_has(set, len, (long)i);
	return n;
}

static void filters(void)
{
	uint8_t set[SYSTAB_SET_BYTES];
	char err[128];
	int nfile;

	is_int(systab_parse_filter(X86, "open,read", set, sizeof(set), err, sizeof(err)), 0,
	       "names parse");
	ok(systab_set_has(set, sizeof(set), SYS_open) && systab_set_has(set, sizeof(set), SYS_read),
	   "both named syscalls are in");
	is_int(count_set(set, sizeof(set)), 2, "and nothing else");
	is_int(systab_parse_filter(X86, "file", set, sizeof(set), err, sizeof(err)), 0, "class");
	nfile = count_set(set, sizeof(set));
	ok(systab_set_has(set, sizeof(set), SYS_openat) &&
		   systab_set_has(set, sizeof(set), SYS_stat) &&
		   !systab_set_has(set, sizeof(set), SYS_read),
	   "file: openat and stat, not read");
	ok(nfile > 60, "file has many members (%d)", nfile);
	is_int(systab_parse_filter(X86, "%file", set, sizeof(set), err, sizeof(err)), 0,
	       "%%prefix accepted");
	is_int(count_set(set, sizeof(set)), nfile, "%%file is file");
	is_int(systab_parse_filter(X86, "%net,%process,write", set, sizeof(set), err, sizeof(err)),
	       0, "classes and names mixed");
	ok(systab_set_has(set, sizeof(set), SYS_connect) &&
		   systab_set_has(set, sizeof(set), SYS_clone) &&
		   systab_set_has(set, sizeof(set), SYS_write) &&
		   !systab_set_has(set, sizeof(set), SYS_read),
	   "connect, clone, write in; read out");
	is_int(systab_parse_filter(X86, "!file", set, sizeof(set), err, sizeof(err)), 0,
	       "negation");
	ok(!systab_set_has(set, sizeof(set), SYS_openat) &&
		   systab_set_has(set, sizeof(set), SYS_read),
	   "!file: openat out, read in");
	is_int(count_set(set, sizeof(set)), (int)sizeof(set) * 8 - nfile,
	       "!file is the complement of file");
	is_int(systab_parse_filter(X86, "all", set, sizeof(set), err, sizeof(err)), 0, "all");
	is_int(count_set(set, sizeof(set)), (int)sizeof(set) * 8, "all: every bit");
	is_int(systab_parse_filter(X86, "none", set, sizeof(set), err, sizeof(err)), 0, "none");
	is_int(count_set(set, sizeof(set)), 0, "none: no bit");
	is_int(systab_parse_filter(X86, "!none", set, sizeof(set), err, sizeof(err)), 0, "!none");
	is_int(count_set(set, sizeof(set)), (int)sizeof(set) * 8, "!none is all");
	is_int(systab_parse_filter(X86, "39", set, sizeof(set), err, sizeof(err)), 0, "a number");
	ok(systab_set_has(set, sizeof(set), 39) && count_set(set, sizeof(set)) == 1, "39 alone");

	is_int(systab_parse_filter(X86, "open,foo", set, sizeof(set), err, sizeof(err)), -EINVAL,
	       "unknown name is an error");
	is_str(err, "unknown syscall or class 'foo'", "error message names it");
	is_int(count_set(set, sizeof(set)), 0, "set cleared on error");
	is_int(systab_parse_filter(X86, "%read", set, sizeof(set), err, sizeof(err)), -EINVAL,
	       "%%name must be a class");
	is_str(err, "unknown syscall or class '%read'", "error message for %%read");
	is_int(systab_parse_filter(X86, "open,,read", set, sizeof(set), err, sizeof(err)), -EINVAL,
	       "empty element is an error");
	is_int(systab_parse_filter(X86, "", set, sizeof(set), err, sizeof(err)), -EINVAL,
	       "empty filter is an error");
	is_int(systab_parse_filter(X86, "file", set, 4, err, sizeof(err)), -EINVAL,
	       "too small a set is an error");
}

static void errnos(void)
{
	is_str(systab_errno_name(ENOENT), "ENOENT", "ENOENT");
	is_str(systab_errno_name(EAGAIN), "EAGAIN", "EAGAIN (not EWOULDBLOCK)");
	is_str(systab_errno_name(EPERM), "EPERM", "EPERM");
	is_str(systab_errno_name(EHWPOISON), "EHWPOISON", "EHWPOISON, the last");
	is_str(systab_errno_name(512), "ERESTARTSYS", "ERESTARTSYS");
	is_str(systab_errno_name(516), "ERESTART_RESTARTBLOCK", "ERESTART_RESTARTBLOCK");
	ok(systab_errno_name(0) == NULL && systab_errno_name(300) == NULL &&
		   systab_errno_name(-2) == NULL && systab_errno_name(100000) == NULL,
	   "0, holes, negatives and huge values -> NULL");
}

static void flags(void)
{
	char buf[256];
	size_t n;

	systab_fmt_flags(buf, sizeof(buf), systab_open_flags,
			 O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, NULL);
	is_str(buf, "O_WRONLY|O_CREAT|O_TRUNC|O_CLOEXEC", "open flags, access mode first");
	systab_fmt_flags(buf, sizeof(buf), systab_open_flags, O_RDONLY | O_CLOEXEC, NULL);
	is_str(buf, "O_RDONLY|O_CLOEXEC", "O_RDONLY is shown though it is 0");
	systab_fmt_flags(buf, sizeof(buf), systab_open_flags, 0, NULL);
	is_str(buf, "O_RDONLY", "0 is O_RDONLY");
	systab_fmt_flags(buf, sizeof(buf), systab_open_flags, O_RDWR | O_TMPFILE, NULL);
	is_str(buf, "O_RDWR|O_TMPFILE", "O_TMPFILE takes its O_DIRECTORY bit");
	systab_fmt_flags(buf, sizeof(buf), systab_open_flags,
			 O_RDONLY | O_DIRECTORY | 040000000000u, NULL);
	is_str(buf, "O_RDONLY|O_DIRECTORY|0x100000000", "unknown bits appended in hex");
	systab_fmt_flags(buf, sizeof(buf), systab_open_flags, O_WRONLY | O_SYNC, NULL);
	is_str(buf, "O_WRONLY|O_SYNC", "O_SYNC takes its O_DSYNC bit");
	systab_fmt_flags(buf, sizeof(buf), systab_open_flags, O_ACCMODE, NULL);
	is_str(buf, "0x3", "access mode 3 has no name");

	systab_fmt_flags(buf, sizeof(buf), systab_prot_flags, 0, "PROT_NONE");
	is_str(buf, "PROT_NONE", "prot 0 -> PROT_NONE");
	systab_fmt_flags(buf, sizeof(buf), systab_prot_flags, PROT_READ | PROT_EXEC, "PROT_NONE");
	is_str(buf, "PROT_READ|PROT_EXEC", "prot read|exec");
	systab_fmt_flags(buf, sizeof(buf), systab_mmap_flags, MAP_PRIVATE | MAP_ANONYMOUS, NULL);
	is_str(buf, "MAP_PRIVATE|MAP_ANONYMOUS", "mmap private anonymous");
	systab_fmt_flags(buf, sizeof(buf), systab_mmap_flags,
			 MAP_SHARED | MAP_FIXED | MAP_HUGETLB | (21u << MAP_HUGE_SHIFT), NULL);
	is_str(buf, "MAP_SHARED|MAP_FIXED|MAP_HUGETLB|MAP_HUGE_2MB", "mmap shared huge 2MB");

	systab_fmt_flags(buf, sizeof(buf), systab_clone_flags,
			 CLONE_VM | CLONE_FS | CLONE_FILES | CLONE_SIGHAND | CLONE_THREAD |
				 CLONE_SYSVSEM | CLONE_SETTLS | CLONE_PARENT_SETTID |
				 CLONE_CHILD_CLEARTID,
			 NULL);
	is_str(buf,
	       "CLONE_VM|CLONE_FS|CLONE_FILES|CLONE_SIGHAND|CLONE_THREAD|CLONE_SYSVSEM|"
	       "CLONE_SETTLS|CLONE_PARENT_SETTID|CLONE_CHILD_CLEARTID",
	       "pthread_create's clone flags");
	systab_fmt_flags(buf, sizeof(buf), systab_clone_flags,
			 CLONE_CHILD_CLEARTID | CLONE_CHILD_SETTID | SIGCHLD, NULL);
	is_str(buf, "CLONE_CHILD_CLEARTID|CLONE_CHILD_SETTID|SIGCHLD", "fork's: exit signal last");
	systab_fmt_flags(buf, sizeof(buf), systab_clone_flags, CLONE_VM | CLONE_VFORK | SIGCHLD,
			 NULL);
	is_str(buf, "CLONE_VM|CLONE_VFORK|SIGCHLD", "vfork's");
	systab_fmt_flags(buf, sizeof(buf), systab_clone_flags, CLONE_VM | 34, NULL);
	is_str(buf, "CLONE_VM|SIGRTMIN+2", "realtime exit signal");
	systab_fmt_flags(buf, sizeof(buf), systab_clone3_flags, CLONE_NEWTIME | 0x200000000ULL,
			 NULL);
	is_str(buf, "CLONE_NEWTIME|CLONE_INTO_CGROUP", "clone3 low byte and high bits are flags");

	systab_fmt_flags(buf, sizeof(buf), systab_sock_types,
			 SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, NULL);
	is_str(buf, "SOCK_STREAM|SOCK_NONBLOCK|SOCK_CLOEXEC", "socket type and flags");
	systab_fmt_flags(buf, sizeof(buf), systab_at_flags, AT_SYMLINK_NOFOLLOW | AT_EMPTY_PATH,
			 NULL);
	is_str(buf, "AT_SYMLINK_NOFOLLOW|AT_EMPTY_PATH", "at flags");
	systab_fmt_flags(buf, sizeof(buf), systab_at_flags, 0, NULL);
	is_str(buf, "0", "no at flags -> 0");

	systab_fmt_flags(buf, sizeof(buf), systab_classes, SC_FILE | SC_DESC, NULL);
	is_str(buf, "file|desc", "class names");

	n = systab_fmt_flags(buf, 8, systab_open_flags, O_WRONLY | O_CREAT, NULL);
	ok(n == strlen("O_WRONLY|O_CREAT") && strcmp(buf, "O_WRONL") == 0,
	   "cut to the buffer, whole length returned");

	is_str(systab_value_name(systab_sock_domains, AF_INET6), "AF_INET6", "AF_INET6");
	is_str(systab_value_name(systab_sock_domains, AF_NETLINK), "AF_NETLINK", "AF_NETLINK");
	is_str(systab_value_name(systab_signals, SIGSYS), "SIGSYS", "SIGSYS");
	is_str(systab_value_name(systab_signals, 32), "SIGRTMIN", "32 is SIGRTMIN");
	is_str(systab_value_name(systab_signals, 64), "SIGRTMIN+32", "64 is SIGRTMIN+32");
	is_str(systab_value_name(systab_fcntl_cmds, F_DUPFD_CLOEXEC), "F_DUPFD_CLOEXEC",
	       "F_DUPFD_CLOEXEC");
	is_str(systab_value_name(systab_whence, SEEK_END), "SEEK_END", "SEEK_END");
	systab_fmt_value(buf, sizeof(buf), systab_signals, 99);
	is_str(buf, "99", "unknown signal in decimal");
	systab_fmt_value(buf, sizeof(buf), systab_whence, -1);
	is_str(buf, "-1", "negative value in decimal");
}

int main(void)
{
	numbers();
	classes();
	signatures();
	filters();
	errnos();
	flags();
	return done_testing();
}
