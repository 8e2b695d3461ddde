/* systab.c - syscall tables by architecture, -e trace= filters, errno and flag name tables. */
#include "trace/systab.h"

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <linux/sockios.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include "trace/systab_x86_64.h"

/* One architecture: its table, indexed by number. */
struct arch_def {
	const struct syscall_def *table;
	long count;
	const char *const *errnos;
	size_t nerrnos;
};

static const struct arch_def arches[SYSTAB_ARCH__COUNT] = {
	[SYSTAB_ARCH_X86_64] = { systab_x86_64, SYSTAB_X86_64_MAX, systab_x86_64_errnos,
				 sizeof(systab_x86_64_errnos) / sizeof(systab_x86_64_errnos[0]) },
};

static const struct arch_def *arch_get(int arch)
{
	return arch >= 0 && arch < SYSTAB_ARCH__COUNT ? &arches[arch] : NULL;
}

const struct syscall_def *systab_get(int arch, long nr)
{
	const struct arch_def *a = arch_get(arch);

	if (!a || nr < 0 || nr >= a->count || !a->table[nr].name)
		return NULL;
	return &a->table[nr];
}

long systab_lookup(int arch, const char *name)
{
	const struct arch_def *a = arch_get(arch);

	if (!a || !name)
		return -1;
	for (long nr = 0; nr < a->count; nr++)
		if (a->table[nr].name && strcmp(a->table[nr].name, name) == 0)
			return nr;
	return -1;
}

long systab_count(int arch)
{
	const struct arch_def *a = arch_get(arch);

	return a ? a->count : 0;
}

const char *systab_errno_name(int err)
{
	/* the errno numbering is asm-generic's on every architecture of arches[] */
	const struct arch_def *a = &arches[SYSTAB_ARCH_X86_64];

	return err > 0 && (size_t)err < a->nerrnos ? a->errnos[err] : NULL;
}

/*
 * ---- flag and value tables, one name per line (the model: strace's xlat lists) ----
 * The tables are kept out of clang-format, which would pack short entries into a grid.
 */

/* clang-format off */
#define FLAG(x)                  { (unsigned long long)(x), 0, #x, NULL }
#define NAMED(v, name)           { (unsigned long long)(v), 0, name, NULL }
#define FIELD(mask, x)           { (unsigned long long)(x), (mask), #x, NULL }
#define SUBFIELD(mask, table)    { 0, (mask), NULL, (table) }
#define INCLUDE(table)           { 0, 0, NULL, (table) }
#define VAL(x)                   { (unsigned long long)(x), 0, #x, NULL }
#define END                      { 0, 0, NULL, NULL }

/*
 * Values glibc 2.36 does not name yet, or hides: the kernel's (uapi) numbers. O_LARGEFILE is 0 in
 * 64-bit glibc, but 32-bit callers pass the bit and the kernel sets it on every file of a 64-bit
 * process, so F_GETFL returns it.
 */
#if defined(__x86_64__) || defined(__i386__)
#define KERNEL_O_LARGEFILE 0100000
#elif defined(__aarch64__) || defined(__arm__)
#define KERNEL_O_LARGEFILE 0400000
#else
#define KERNEL_O_LARGEFILE 0
#endif
#define KERNEL_SIGRTMIN 32 /* glibc's SIGRTMIN (34) keeps two for itself */
#ifndef MAP_DROPPABLE
#define MAP_DROPPABLE 0x08
#endif
#ifndef MAP_HUGE_2MB
#define MAP_HUGE_2MB (21U << MAP_HUGE_SHIFT)
#endif
#ifndef MAP_HUGE_1GB
#define MAP_HUGE_1GB (30U << MAP_HUGE_SHIFT)
#endif
#define MAP_HUGE_FIELD (MAP_HUGE_MASK << MAP_HUGE_SHIFT)
#ifndef CLONE_CLEAR_SIGHAND
#define CLONE_CLEAR_SIGHAND 0x100000000ULL
#endif
#ifndef CLONE_INTO_CGROUP
#define CLONE_INTO_CGROUP 0x200000000ULL
#endif
#ifndef F_GETOWNER_UIDS
#define F_GETOWNER_UIDS 17
#endif
#ifndef F_DUPFD_QUERY
#define F_DUPFD_QUERY 1027
#endif
#ifndef F_CREATED_QUERY
#define F_CREATED_QUERY 1028
#endif
#ifndef F_CANCELLK
#define F_CANCELLK 1029
#endif
#ifndef F_GET_FILE_RW_HINT
#define F_GET_FILE_RW_HINT 1037
#endif
#ifndef F_SET_FILE_RW_HINT
#define F_SET_FILE_RW_HINT 1038
#endif
/* the kernel's sigaction flags glibc does not define */
#define KERNEL_SA_UNSUPPORTED	 0x00000400
#define KERNEL_SA_EXPOSE_TAGBITS 0x00000800
#define KERNEL_WNOTHREAD	 0x20000000 /* __WNOTHREAD */
#define KERNEL_WALL		 0x40000000 /* __WALL */
#define KERNEL_WCLONE		 0x80000000 /* __WCLONE */
#ifndef P_PIDFD
#define P_PIDFD 3
#endif
#ifndef STATX_MNT_ID
#define STATX_MNT_ID 0x1000U
#endif
#ifndef STATX_DIOALIGN
#define STATX_DIOALIGN 0x2000U
#endif
#ifndef STATX_MNT_ID_UNIQUE
#define STATX_MNT_ID_UNIQUE 0x4000U
#endif
#ifndef STATX_SUBVOL
#define STATX_SUBVOL 0x8000U
#endif
#ifndef STATX_WRITE_ATOMIC
#define STATX_WRITE_ATOMIC 0x10000U
#endif
#ifndef STATX_DIO_READ_ALIGN
#define STATX_DIO_READ_ALIGN 0x20000U
#endif
#ifndef STATX_ATTR_MOUNT_ROOT
#define STATX_ATTR_MOUNT_ROOT 0x2000
#endif
#ifndef STATX_ATTR_VERITY
#define STATX_ATTR_VERITY 0x100000
#endif
#ifndef STATX_ATTR_DAX
#define STATX_ATTR_DAX 0x200000
#endif
#ifndef AT_STATX_SYNC_TYPE
#define AT_STATX_SYNC_TYPE 0x6000
#endif
#ifndef CLOCK_TAI
#define CLOCK_TAI 11
#endif

const struct flag_name systab_classes[] = {
	NAMED(SC_FILE, "file"),
	NAMED(SC_NETWORK, "network"),
	NAMED(SC_MEMORY, "memory"),
	NAMED(SC_IO, "io"),
	NAMED(SC_PROCESS, "process"),
	NAMED(SC_SIGNAL, "signal"),
	NAMED(SC_DESC, "desc"),
	NAMED(SC_OTHER, "other"),
	END,
};

/* Multi-bit flags (O_SYNC = __O_SYNC|O_DSYNC, O_TMPFILE = __O_TMPFILE|O_DIRECTORY) come before
 * the bits they contain so that they take them. */
const struct flag_name systab_open_flags[] = {
	FIELD(O_ACCMODE, O_RDONLY),
	FIELD(O_ACCMODE, O_WRONLY),
	FIELD(O_ACCMODE, O_RDWR),
	FLAG(O_CREAT),
	FLAG(O_EXCL),
	FLAG(O_NOCTTY),
	FLAG(O_TRUNC),
	FLAG(O_APPEND),
	FLAG(O_NONBLOCK),
	FLAG(O_SYNC),
	FLAG(O_DSYNC),
	FLAG(O_ASYNC),
	FLAG(O_DIRECT),
	NAMED(KERNEL_O_LARGEFILE, "O_LARGEFILE"),
	FLAG(O_TMPFILE),
	FLAG(O_DIRECTORY),
	FLAG(O_NOFOLLOW),
	FLAG(O_NOATIME),
	FLAG(O_CLOEXEC),
	FLAG(O_PATH),
	END,
};

const struct flag_name systab_prot_flags[] = {
	FLAG(PROT_READ),
	FLAG(PROT_WRITE),
	FLAG(PROT_EXEC),
	NAMED(0x8, "PROT_SEM"),
	FLAG(PROT_GROWSDOWN),
	FLAG(PROT_GROWSUP),
	END,
};

const struct flag_name systab_mmap_flags[] = {
	FIELD(MAP_TYPE, MAP_SHARED),
	FIELD(MAP_TYPE, MAP_PRIVATE),
	FIELD(MAP_TYPE, MAP_SHARED_VALIDATE),
	FIELD(MAP_TYPE, MAP_DROPPABLE),
	FLAG(MAP_FIXED),
	FLAG(MAP_ANONYMOUS),
#ifdef MAP_32BIT
	FLAG(MAP_32BIT),
#endif
	FLAG(MAP_GROWSDOWN),
	FLAG(MAP_DENYWRITE),
	FLAG(MAP_EXECUTABLE),
	FLAG(MAP_LOCKED),
	FLAG(MAP_NORESERVE),
	FLAG(MAP_POPULATE),
	FLAG(MAP_NONBLOCK),
	FLAG(MAP_STACK),
	FLAG(MAP_HUGETLB),
	FLAG(MAP_SYNC),
	FLAG(MAP_FIXED_NOREPLACE),
	FIELD(MAP_HUGE_FIELD, MAP_HUGE_2MB),
	FIELD(MAP_HUGE_FIELD, MAP_HUGE_1GB),
	END,
};

const struct flag_name systab_signals[] = {
	VAL(SIGHUP),
	VAL(SIGINT),
	VAL(SIGQUIT),
	VAL(SIGILL),
	VAL(SIGTRAP),
	VAL(SIGABRT),
	VAL(SIGBUS),
	VAL(SIGFPE),
	VAL(SIGKILL),
	VAL(SIGUSR1),
	VAL(SIGSEGV),
	VAL(SIGUSR2),
	VAL(SIGPIPE),
	VAL(SIGALRM),
	VAL(SIGTERM),
	VAL(SIGSTKFLT),
	VAL(SIGCHLD),
	VAL(SIGCONT),
	VAL(SIGSTOP),
	VAL(SIGTSTP),
	VAL(SIGTTIN),
	VAL(SIGTTOU),
	VAL(SIGURG),
	VAL(SIGXCPU),
	VAL(SIGXFSZ),
	VAL(SIGVTALRM),
	VAL(SIGPROF),
	VAL(SIGWINCH),
	VAL(SIGIO),
	VAL(SIGPWR),
	VAL(SIGSYS),
#define RT(n) NAMED(KERNEL_SIGRTMIN + (n), "SIGRTMIN+" #n)
	NAMED(KERNEL_SIGRTMIN, "SIGRTMIN"),
	RT(1),
	RT(2),
	RT(3),
	RT(4),
	RT(5),
	RT(6),
	RT(7),
	RT(8),
	RT(9),
	RT(10),
	RT(11),
	RT(12),
	RT(13),
	RT(14),
	RT(15),
	RT(16),
	RT(17),
	RT(18),
	RT(19),
	RT(20),
	RT(21),
	RT(22),
	RT(23),
	RT(24),
	RT(25),
	RT(26),
	RT(27),
	RT(28),
	RT(29),
	RT(30),
	RT(31),
	RT(32),
#undef RT
	END,
};

/* The CLONE_* bits clone and clone3 share. */
static const struct flag_name clone_bits[] = {
	FLAG(CLONE_VM),
	FLAG(CLONE_FS),
	FLAG(CLONE_FILES),
	FLAG(CLONE_SIGHAND),
	FLAG(CLONE_PIDFD),
	FLAG(CLONE_PTRACE),
	FLAG(CLONE_VFORK),
	FLAG(CLONE_PARENT),
	FLAG(CLONE_THREAD),
	FLAG(CLONE_NEWNS),
	FLAG(CLONE_SYSVSEM),
	FLAG(CLONE_SETTLS),
	FLAG(CLONE_PARENT_SETTID),
	FLAG(CLONE_CHILD_CLEARTID),
	FLAG(CLONE_DETACHED),
	FLAG(CLONE_UNTRACED),
	FLAG(CLONE_CHILD_SETTID),
	FLAG(CLONE_NEWCGROUP),
	FLAG(CLONE_NEWUTS),
	FLAG(CLONE_NEWIPC),
	FLAG(CLONE_NEWUSER),
	FLAG(CLONE_NEWPID),
	FLAG(CLONE_NEWNET),
	FLAG(CLONE_IO),
	END,
};

const struct flag_name systab_clone_flags[] = {
	INCLUDE(clone_bits),
	SUBFIELD(CSIGNAL, systab_signals),
	END,
};

/* clone3 carries the exit signal in its own field, so the low byte holds flags. */
const struct flag_name systab_clone3_flags[] = {
	INCLUDE(clone_bits),
	FLAG(CLONE_NEWTIME),
	FLAG(CLONE_CLEAR_SIGHAND),
	FLAG(CLONE_INTO_CGROUP),
	END,
};

const struct flag_name systab_sock_domains[] = {
	VAL(AF_UNSPEC),
	VAL(AF_UNIX),
	VAL(AF_INET),
	VAL(AF_AX25),
	VAL(AF_IPX),
	VAL(AF_APPLETALK),
	VAL(AF_NETROM),
	VAL(AF_BRIDGE),
	VAL(AF_ATMPVC),
	VAL(AF_X25),
	VAL(AF_INET6),
	VAL(AF_ROSE),
	VAL(AF_DECnet),
	VAL(AF_NETBEUI),
	VAL(AF_SECURITY),
	VAL(AF_KEY),
	VAL(AF_NETLINK),
	VAL(AF_PACKET),
	VAL(AF_ASH),
	VAL(AF_ECONET),
	VAL(AF_ATMSVC),
	VAL(AF_RDS),
	VAL(AF_SNA),
	VAL(AF_IRDA),
	VAL(AF_PPPOX),
	VAL(AF_WANPIPE),
	VAL(AF_LLC),
	VAL(AF_IB),
	VAL(AF_MPLS),
	VAL(AF_CAN),
	VAL(AF_TIPC),
	VAL(AF_BLUETOOTH),
	VAL(AF_IUCV),
	VAL(AF_RXRPC),
	VAL(AF_ISDN),
	VAL(AF_PHONET),
	VAL(AF_IEEE802154),
	VAL(AF_CAIF),
	VAL(AF_ALG),
	VAL(AF_NFC),
	VAL(AF_VSOCK),
	VAL(AF_KCM),
	VAL(AF_QIPCRTR),
	VAL(AF_SMC),
	VAL(AF_XDP),
	NAMED(45, "AF_MCTP"),
	END,
};

const struct flag_name systab_sock_types[] = {
	FIELD(0xf, SOCK_STREAM),
	FIELD(0xf, SOCK_DGRAM),
	FIELD(0xf, SOCK_RAW),
	FIELD(0xf, SOCK_RDM),
	FIELD(0xf, SOCK_SEQPACKET),
	FIELD(0xf, SOCK_DCCP),
	FIELD(0xf, SOCK_PACKET),
	FLAG(SOCK_NONBLOCK),
	FLAG(SOCK_CLOEXEC),
	END,
};

const struct flag_name systab_fcntl_cmds[] = {
	VAL(F_DUPFD),
	VAL(F_GETFD),
	VAL(F_SETFD),
	VAL(F_GETFL),
	VAL(F_SETFL),
	VAL(F_GETLK),
	VAL(F_SETLK),
	VAL(F_SETLKW),
	VAL(F_SETOWN),
	VAL(F_GETOWN),
	VAL(F_SETSIG),
	VAL(F_GETSIG),
	VAL(F_SETOWN_EX),
	VAL(F_GETOWN_EX),
	VAL(F_GETOWNER_UIDS),
	VAL(F_OFD_GETLK),
	VAL(F_OFD_SETLK),
	VAL(F_OFD_SETLKW),
	VAL(F_SETLEASE),
	VAL(F_GETLEASE),
	VAL(F_NOTIFY),
	VAL(F_DUPFD_QUERY),
	VAL(F_CREATED_QUERY),
	VAL(F_CANCELLK),
	VAL(F_DUPFD_CLOEXEC),
	VAL(F_SETPIPE_SZ),
	VAL(F_GETPIPE_SZ),
	VAL(F_ADD_SEALS),
	VAL(F_GET_SEALS),
	VAL(F_GET_RW_HINT),
	VAL(F_SET_RW_HINT),
	VAL(F_GET_FILE_RW_HINT),
	VAL(F_SET_FILE_RW_HINT),
	END,
};

const struct flag_name systab_at_flags[] = {
	FLAG(AT_SYMLINK_NOFOLLOW),
	FLAG(AT_REMOVEDIR),
	FLAG(AT_SYMLINK_FOLLOW),
	FLAG(AT_NO_AUTOMOUNT),
	FLAG(AT_EMPTY_PATH),
	FLAG(AT_STATX_FORCE_SYNC),
	FLAG(AT_STATX_DONT_SYNC),
	FLAG(AT_RECURSIVE),
	END,
};

const struct flag_name systab_whence[] = {
	VAL(SEEK_SET),
	VAL(SEEK_CUR),
	VAL(SEEK_END),
	VAL(SEEK_DATA),
	VAL(SEEK_HOLE),
	END,
};

/* statx's flags: the sync type is a field (0 is AT_STATX_SYNC_AS_STAT), then the AT_* bits */
const struct flag_name systab_statx_flags[] = {
	FIELD(AT_STATX_SYNC_TYPE, AT_STATX_SYNC_AS_STAT),
	FIELD(AT_STATX_SYNC_TYPE, AT_STATX_FORCE_SYNC),
	FIELD(AT_STATX_SYNC_TYPE, AT_STATX_DONT_SYNC),
	INCLUDE(systab_at_flags),
	END,
};

/* STATX_BASIC_STATS first, so that it takes the bits it stands for */
const struct flag_name systab_statx_masks[] = {
	FLAG(STATX_BASIC_STATS),
	FLAG(STATX_TYPE),
	FLAG(STATX_MODE),
	FLAG(STATX_NLINK),
	FLAG(STATX_UID),
	FLAG(STATX_GID),
	FLAG(STATX_ATIME),
	FLAG(STATX_MTIME),
	FLAG(STATX_CTIME),
	FLAG(STATX_INO),
	FLAG(STATX_SIZE),
	FLAG(STATX_BLOCKS),
	FLAG(STATX_BTIME),
	FLAG(STATX_MNT_ID),
	FLAG(STATX_DIOALIGN),
	FLAG(STATX_MNT_ID_UNIQUE),
	FLAG(STATX_SUBVOL),
	FLAG(STATX_WRITE_ATOMIC),
	FLAG(STATX_DIO_READ_ALIGN),
	END,
};

const struct flag_name systab_statx_attrs[] = {
	FLAG(STATX_ATTR_COMPRESSED),
	FLAG(STATX_ATTR_IMMUTABLE),
	FLAG(STATX_ATTR_APPEND),
	FLAG(STATX_ATTR_NODUMP),
	FLAG(STATX_ATTR_ENCRYPTED),
	FLAG(STATX_ATTR_AUTOMOUNT),
	FLAG(STATX_ATTR_MOUNT_ROOT),
	FLAG(STATX_ATTR_VERITY),
	FLAG(STATX_ATTR_DAX),
	END,
};

/* A mode without its permission bits: the file type field, then the set-id and sticky bits. */
const struct flag_name systab_mode_types[] = {
	FIELD(S_IFMT, S_IFREG),
	FIELD(S_IFMT, S_IFDIR),
	FIELD(S_IFMT, S_IFLNK),
	FIELD(S_IFMT, S_IFCHR),
	FIELD(S_IFMT, S_IFBLK),
	FIELD(S_IFMT, S_IFIFO),
	FIELD(S_IFMT, S_IFSOCK),
	FLAG(S_ISUID),
	FLAG(S_ISGID),
	FLAG(S_ISVTX),
	END,
};

/* strace's order */
const struct flag_name systab_sa_flags[] = {
	NAMED(SYSTAB_SA_RESTORER, "SA_RESTORER"),
	FLAG(SA_ONSTACK),
	FLAG(SA_RESTART),
	FLAG(SA_NODEFER),
	FLAG(SA_RESETHAND),
	FLAG(SA_SIGINFO),
	FLAG(SA_NOCLDSTOP),
	FLAG(SA_NOCLDWAIT),
	NAMED(KERNEL_SA_UNSUPPORTED, "SA_UNSUPPORTED"),
	NAMED(KERNEL_SA_EXPOSE_TAGBITS, "SA_EXPOSE_TAGBITS"),
	END,
};

/* a sigaction's handler: a value table, any other value is an address */
const struct flag_name systab_sig_handlers[] = {
	NAMED(0, "SIG_DFL"),
	NAMED(1, "SIG_IGN"),
	END,
};

const struct flag_name systab_sigprocmask_how[] = {
	VAL(SIG_BLOCK),
	VAL(SIG_UNBLOCK),
	VAL(SIG_SETMASK),
	END,
};

const struct flag_name systab_clocks[] = {
	VAL(CLOCK_REALTIME),
	VAL(CLOCK_MONOTONIC),
	VAL(CLOCK_PROCESS_CPUTIME_ID),
	VAL(CLOCK_THREAD_CPUTIME_ID),
	VAL(CLOCK_MONOTONIC_RAW),
	VAL(CLOCK_REALTIME_COARSE),
	VAL(CLOCK_MONOTONIC_COARSE),
	VAL(CLOCK_BOOTTIME),
	VAL(CLOCK_REALTIME_ALARM),
	VAL(CLOCK_BOOTTIME_ALARM),
	VAL(CLOCK_TAI),
	END,
};

const struct flag_name systab_timer_flags[] = {
	FLAG(TIMER_ABSTIME),
	END,
};

const struct flag_name systab_rlimits[] = {
	VAL(RLIMIT_CPU),
	VAL(RLIMIT_FSIZE),
	VAL(RLIMIT_DATA),
	VAL(RLIMIT_STACK),
	VAL(RLIMIT_CORE),
	VAL(RLIMIT_RSS),
	VAL(RLIMIT_NPROC),
	VAL(RLIMIT_NOFILE),
	VAL(RLIMIT_MEMLOCK),
	VAL(RLIMIT_AS),
	VAL(RLIMIT_LOCKS),
	VAL(RLIMIT_SIGPENDING),
	VAL(RLIMIT_MSGQUEUE),
	VAL(RLIMIT_NICE),
	VAL(RLIMIT_RTPRIO),
	VAL(RLIMIT_RTTIME),
	END,
};

/* wait4 and waitid options (WUNTRACED is WSTOPPED, which strace names) */
const struct flag_name systab_wait_options[] = {
	FLAG(WNOHANG),
	FLAG(WSTOPPED),
	FLAG(WEXITED),
	FLAG(WCONTINUED),
	FLAG(WNOWAIT),
	NAMED(KERNEL_WNOTHREAD, "__WNOTHREAD"),
	NAMED(KERNEL_WALL, "__WALL"),
	NAMED(KERNEL_WCLONE, "__WCLONE"),
	END,
};

const struct flag_name systab_waitid_types[] = {
	VAL(P_ALL),
	VAL(P_PID),
	VAL(P_PGID),
	VAL(P_PIDFD),
	END,
};

/* struct termios: c_iflag */
const struct flag_name systab_termios_iflags[] = {
	FLAG(IGNBRK),
	FLAG(BRKINT),
	FLAG(IGNPAR),
	FLAG(PARMRK),
	FLAG(INPCK),
	FLAG(ISTRIP),
	FLAG(INLCR),
	FLAG(IGNCR),
	FLAG(ICRNL),
	FLAG(IUCLC),
	FLAG(IXON),
	FLAG(IXANY),
	FLAG(IXOFF),
	FLAG(IMAXBEL),
	FLAG(IUTF8),
	END,
};

/* c_oflag: the delay fields first (each shows its value, NL0 included), then the flags */
const struct flag_name systab_termios_oflags[] = {
	FIELD(NLDLY, NL0),
	FIELD(NLDLY, NL1),
	FIELD(CRDLY, CR0),
	FIELD(CRDLY, CR1),
	FIELD(CRDLY, CR2),
	FIELD(CRDLY, CR3),
	FIELD(TABDLY, TAB0),
	FIELD(TABDLY, TAB1),
	FIELD(TABDLY, TAB2),
	FIELD(TABDLY, TAB3),
	FIELD(BSDLY, BS0),
	FIELD(BSDLY, BS1),
	FIELD(VTDLY, VT0),
	FIELD(VTDLY, VT1),
	FIELD(FFDLY, FF0),
	FIELD(FFDLY, FF1),
	FLAG(OPOST),
	FLAG(OLCUC),
	FLAG(ONLCR),
	FLAG(OCRNL),
	FLAG(ONOCR),
	FLAG(ONLRET),
	FLAG(OFILL),
	FLAG(OFDEL),
	END,
};

/* c_cflag: the speed and the character size, then the flags */
const struct flag_name systab_termios_cflags[] = {
	FIELD(CBAUD, B0),
	FIELD(CBAUD, B50),
	FIELD(CBAUD, B75),
	FIELD(CBAUD, B110),
	FIELD(CBAUD, B134),
	FIELD(CBAUD, B150),
	FIELD(CBAUD, B200),
	FIELD(CBAUD, B300),
	FIELD(CBAUD, B600),
	FIELD(CBAUD, B1200),
	FIELD(CBAUD, B1800),
	FIELD(CBAUD, B2400),
	FIELD(CBAUD, B4800),
	FIELD(CBAUD, B9600),
	FIELD(CBAUD, B19200),
	FIELD(CBAUD, B38400),
	FIELD(CBAUD, B57600),
	FIELD(CBAUD, B115200),
	FIELD(CBAUD, B230400),
	FIELD(CBAUD, B460800),
	FIELD(CBAUD, B500000),
	FIELD(CBAUD, B576000),
	FIELD(CBAUD, B921600),
	FIELD(CBAUD, B1000000),
	FIELD(CBAUD, B1152000),
	FIELD(CBAUD, B1500000),
	FIELD(CBAUD, B2000000),
	FIELD(CBAUD, B2500000),
	FIELD(CBAUD, B3000000),
	FIELD(CBAUD, B3500000),
	FIELD(CBAUD, B4000000),
	FIELD(CSIZE, CS5),
	FIELD(CSIZE, CS6),
	FIELD(CSIZE, CS7),
	FIELD(CSIZE, CS8),
	FLAG(CSTOPB),
	FLAG(CREAD),
	FLAG(PARENB),
	FLAG(PARODD),
	FLAG(HUPCL),
	FLAG(CLOCAL),
	FLAG(CMSPAR),
	FLAG(CRTSCTS),
	END,
};

/* c_lflag, in strace's order */
const struct flag_name systab_termios_lflags[] = {
	FLAG(ISIG),
	FLAG(ICANON),
	FLAG(XCASE),
	FLAG(ECHO),
	FLAG(ECHOE),
	FLAG(ECHOK),
	FLAG(ECHONL),
	FLAG(NOFLSH),
	FLAG(IEXTEN),
	FLAG(ECHOCTL),
	FLAG(ECHOPRT),
	FLAG(ECHOKE),
	FLAG(FLUSHO),
	FLAG(PENDIN),
	FLAG(TOSTOP),
	FLAG(EXTPROC),
	END,
};

/* si_code of a SIGCHLD */
const struct flag_name systab_cld_codes[] = {
	VAL(CLD_EXITED),
	VAL(CLD_KILLED),
	VAL(CLD_DUMPED),
	VAL(CLD_TRAPPED),
	VAL(CLD_STOPPED),
	VAL(CLD_CONTINUED),
	END,
};

/*
 * The common terminal, file and socket requests (FIONREAD is also SIOCINQ, TIOCOUTQ SIOCOUTQ).
 * TCSETS* share their numbers with OSS's sequencer timer requests: named both ways, as strace does.
 */
const struct flag_name systab_ioctl_cmds[] = {
	VAL(TCGETS),
	NAMED(TCSETS, "SNDCTL_TMR_START or TCSETS"),
	NAMED(TCSETSW, "SNDCTL_TMR_STOP or TCSETSW"),
	NAMED(TCSETSF, "SNDCTL_TMR_CONTINUE or TCSETSF"),
	VAL(TCGETA),
	VAL(TCSETA),
	VAL(TCSETAW),
	VAL(TCSETAF),
	VAL(TCSBRK),
	VAL(TCXONC),
	VAL(TCFLSH),
	VAL(TIOCEXCL),
	VAL(TIOCNXCL),
	VAL(TIOCSCTTY),
	VAL(TIOCGPGRP),
	VAL(TIOCSPGRP),
	VAL(TIOCOUTQ),
	VAL(TIOCSTI),
	VAL(TIOCGWINSZ),
	VAL(TIOCSWINSZ),
	VAL(TIOCMGET),
	VAL(TIOCMSET),
	VAL(FIONREAD),
	VAL(TIOCLINUX),
	VAL(TIOCCONS),
	VAL(FIONBIO),
	VAL(TIOCNOTTY),
	VAL(TIOCGSID),
	VAL(TIOCGPTN),
	VAL(TIOCSPTLCK),
	VAL(TIOCGPTPEER),
	VAL(FIONCLEX),
	VAL(FIOCLEX),
	VAL(FIOASYNC),
	VAL(FIOQSIZE),
	VAL(SIOCATMARK),
	VAL(SIOCGSTAMP),
	VAL(SIOCGIFNAME),
	VAL(SIOCGIFCONF),
	VAL(SIOCGIFFLAGS),
	VAL(SIOCSIFFLAGS),
	VAL(SIOCGIFADDR),
	VAL(SIOCGIFMTU),
	VAL(SIOCGIFHWADDR),
	VAL(SIOCGIFINDEX),
	END,
};

const struct flag_name systab_ioctl_dirs[] = {
	FLAG(_IOC_READ),
	FLAG(_IOC_WRITE),
	END,
};

/* clang-format on */

/* ---- formatting ---- */

/* snprintf-like output: writes what fits, counts everything. */
struct out {
	char *buf;
	size_t len;
	size_t pos;		   /* length of the whole text so far */
	unsigned parts;		   /* names written */
	unsigned long long fields; /* masks of the fields already shown */
};

static void out_add(struct out *o, const char *s)
{
	size_t n = strlen(s);

	if (o->pos + 1 < o->len) {
		size_t room = o->len - o->pos - 1, k = n < room ? n : room;

		memcpy(o->buf + o->pos, s, k);
		o->buf[o->pos + k] = '\0';
	}
	o->pos += n;
}

static void out_part(struct out *o, const char *s)
{
	if (o->parts++)
		out_add(o, "|");
	out_add(o, s);
}

static bool is_end(const struct flag_name *e)
{
	return !e->name && !e->sub;
}

/* Shows what table names in value; *left keeps the bits nothing named yet. */
static void fmt_table(struct out *o, const struct flag_name *table, unsigned long long value,
		      unsigned long long *left)
{
	for (const struct flag_name *e = table; !is_end(e); e++) {
		if (!e->mask && e->sub) { /* include */
			fmt_table(o, e->sub, value, left);
		} else if (e->mask) { /* field or subfield: each field shows once */
			unsigned long long field = value & e->mask;
			char num[32];

			if ((o->fields & e->mask) || (!e->sub && field != e->value))
				continue;
			o->fields |= e->mask;
			*left &= ~e->mask;
			if (!e->sub) {
				out_part(o, e->name);
			} else if (field) {
				field >>= __builtin_ctzll(e->mask);
				systab_fmt_value(num, sizeof(num), e->sub, (long long)field);
				out_part(o, num);
			}
		} else if (e->value && (*left & e->value) == e->value) { /* flag */
			*left &= ~e->value;
			out_part(o, e->name);
		}
	}
}

size_t systab_fmt_flags(char *buf, size_t len, const struct flag_name *table,
			unsigned long long value, const char *zero_name)
{
	struct out o = { buf, len, 0, 0, 0 };
	unsigned long long left = value;
	char num[32];

	if (len)
		buf[0] = '\0';
	fmt_table(&o, table, value, &left);
	if (left) {
		snprintf(num, sizeof(num), "%#llx", left);
		out_part(&o, num);
	}
	if (!o.parts)
		out_add(&o, zero_name ? zero_name : "0");
	return o.pos;
}

/* The named entry of table (includes followed) whose name or value matches. */
static const struct flag_name *find(const struct flag_name *table, const char *name,
				    unsigned long long value)
{
	for (const struct flag_name *e = table; !is_end(e); e++) {
		const struct flag_name *hit = NULL;

		if (!e->mask && e->sub)
			hit = find(e->sub, name, value);
		else if (e->name && (name ? strcmp(e->name, name) == 0 : e->value == value))
			hit = e;
		if (hit)
			return hit;
	}
	return NULL;
}

const char *systab_value_name(const struct flag_name *table, unsigned long long value)
{
	const struct flag_name *e = find(table, NULL, value);

	return e ? e->name : NULL;
}

size_t systab_fmt_value(char *buf, size_t len, const struct flag_name *table, long long value)
{
	const char *name = value >= 0 ? systab_value_name(table, (unsigned long long)value) : NULL;
	int n = name ? snprintf(buf, len, "%s", name) : snprintf(buf, len, "%lld", value);

	return n < 0 ? 0 : (size_t)n;
}

/* ---- -e trace= filters ---- */

/* Class names the filter accepts: systab_classes plus strace's short alias. */
/* clang-format off */
static const struct flag_name filter_classes[] = {
	INCLUDE(systab_classes),
	NAMED(SC_NETWORK, "net"),
	END,
};
/* clang-format on */

static void set_bit(uint8_t *set, long nr)
{
	set[nr / 8] |= (uint8_t)(1u << (nr % 8));
}

/* Adds one element of the list (a NUL-terminated copy) to set; -1 when it names nothing. */
static int filter_add(const struct arch_def *a, const char *tok, uint8_t *set, size_t setlen)
{
	const struct flag_name *cls;
	long nr;
	char *end;

	if (strcmp(tok, "all") == 0) {
		memset(set, 0xff, setlen);
		return 0;
	}
	if (strcmp(tok, "none") == 0)
		return 0;
	cls = find(filter_classes, tok[0] == '%' ? tok + 1 : tok, 0);
	if (cls) {
		for (nr = 0; nr < a->count; nr++)
			if (a->table[nr].name && (a->table[nr].classes & cls->value))
				set_bit(set, nr);
		return 0;
	}
	if (tok[0] == '%')
		return -1;
	if (tok[0] >= '0' && tok[0] <= '9') {
		errno = 0;
		nr = strtol(tok, &end, 10);
		if (errno || *end || nr < 0 || (size_t)nr / 8 >= setlen)
			return -1;
		set_bit(set, nr);
		return 0;
	}
	for (nr = 0; nr < a->count; nr++)
		if (a->table[nr].name && strcmp(a->table[nr].name, tok) == 0)
			break;
	if (nr == a->count)
		return -1;
	set_bit(set, nr);
	return 0;
}

int systab_parse_filter(int arch, const char *spec, uint8_t *set, size_t setlen, char *err,
			size_t errlen)
{
	const struct arch_def *a = arch_get(arch);
	bool negate = false;
	char tok[64];

	if (errlen)
		err[0] = '\0';
	memset(set, 0, setlen);
	if (!a) {
		snprintf(err, errlen, "unknown architecture %d", arch);
		return -EINVAL;
	}
	if (setlen * 8 < (size_t)a->count) {
		snprintf(err, errlen, "syscall set of %zu bytes is too small", setlen);
		return -EINVAL;
	}
	if (spec[0] == '!') {
		negate = true;
		spec++;
	}
	for (;;) {
		size_t n = strcspn(spec, ",");
		bool known = false;

		/* a name longer than any syscall's is unknown, whatever it is */
		if (n > 0 && n < sizeof(tok)) {
			memcpy(tok, spec, n);
			tok[n] = '\0';
			known = filter_add(a, tok, set, setlen) == 0;
		}
		if (!known) {
			snprintf(err, errlen, "unknown syscall or class '%.*s'", (int)n, spec);
			memset(set, 0, setlen);
			return -EINVAL;
		}
		if (!spec[n])
			break;
		spec += n + 1;
	}
	if (negate)
		for (size_t i = 0; i < setlen; i++)
			set[i] = (uint8_t)~set[i];
	return 0;
}
