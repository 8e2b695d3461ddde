/* structs.c - trace workload: syscalls whose structs -v decodes, with values the tests know
 * (a 1234-byte file of mode 0640, SIGUSR1's handler, a 0.25 s nanosleep, rlimits, children that
 * exit 3, are killed by SIGKILL and stop, a 24x80 pty). Raw syscall() where glibc would use the
 * vDSO or another syscall. Exits 0 when every call gave what it should. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#define FILE_SIZE 1234
#define FAIL(what)                                                                                 \
	do {                                                                                       \
		fprintf(stderr, "structs: %s failed\n", what);                                     \
		return 1;                                                                          \
	} while (0)

static void on_usr1(int sig)
{
	(void)sig;
}

static int files(const char *dir)
{
	char path[512], buf[FILE_SIZE];
	struct stat st;
	struct statx stx;
	int fd;

	snprintf(path, sizeof(path), "%s/structs-file", dir);
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	memset(buf, 'x', sizeof(buf));
	if (fd < 0 || write(fd, buf, sizeof(buf)) != FILE_SIZE || fchmod(fd, 0640))
		FAIL("create");
	if (syscall(SYS_stat, path, &st) || st.st_size != FILE_SIZE)
		FAIL("stat");
	if (syscall(SYS_lstat, path, &st) || syscall(SYS_fstat, fd, &st))
		FAIL("lstat/fstat");
	if (syscall(SYS_newfstatat, AT_FDCWD, path, &st, 0))
		FAIL("newfstatat");
	if (statx(AT_FDCWD, path, 0, STATX_BASIC_STATS, &stx) || stx.stx_size != FILE_SIZE)
		FAIL("statx");
	if (syscall(SYS_stat, "/nonexistent/structs", &st) == 0) /* ENOENT: the pointer stays */
		FAIL("stat of nothing");
	close(fd);
	unlink(path);
	return 0;
}

static int signals(void)
{
	struct sigaction sa, old;
	sigset_t set, prev;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_usr1;
	sigemptyset(&sa.sa_mask);
	sigaddset(&sa.sa_mask, SIGINT);
	sigaddset(&sa.sa_mask, SIGTERM);
	sa.sa_flags = SA_RESTART;
	if (sigaction(SIGUSR1, &sa, NULL) || sigaction(SIGUSR1, NULL, &old))
		FAIL("sigaction");
	sa.sa_handler = SIG_IGN;
	sigemptyset(&sa.sa_mask);
	sa.sa_flags = 0;
	if (sigaction(SIGPIPE, &sa, &old))
		FAIL("sigaction SIG_IGN");
	sigemptyset(&set);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGCHLD);
	if (sigprocmask(SIG_BLOCK, &set, &prev))
		FAIL("sigprocmask");
	sigfillset(&set);
	sigdelset(&set, SIGUSR2);
	if (sigprocmask(SIG_SETMASK, &set, NULL) || sigprocmask(SIG_SETMASK, &prev, NULL))
		FAIL("sigprocmask full");
	return 0;
}

static int timespecs(void)
{
	struct timespec req = { 0, 250000000 }, res, now;

	if (syscall(SYS_nanosleep, &req, NULL))
		FAIL("nanosleep");
	req.tv_nsec = 1000000;
	if (clock_nanosleep(CLOCK_MONOTONIC, 0, &req, NULL))
		FAIL("clock_nanosleep");
	if (syscall(SYS_clock_getres, CLOCK_MONOTONIC, &res) ||
	    syscall(SYS_clock_gettime, CLOCK_REALTIME, &now))
		FAIL("clock_getres/gettime");
	return 0;
}

static int rlimits(void)
{
	struct rlimit r;

	if (syscall(SYS_getrlimit, RLIMIT_NOFILE, &r))
		FAIL("getrlimit");
	if (r.rlim_max != RLIM_INFINITY && r.rlim_max < 256)
		FAIL("NOFILE hard limit below 256");
	r.rlim_cur = 256;
	if (syscall(SYS_setrlimit, RLIMIT_NOFILE, &r))
		FAIL("setrlimit");
	if (prlimit(0, RLIMIT_STACK, NULL, &r))
		FAIL("prlimit64 get");
	if (r.rlim_max != RLIM_INFINITY && r.rlim_max < 4096 * 1024)
		FAIL("STACK hard limit below 4 MiB");
	r.rlim_cur = 4096 * 1024;
	if (prlimit(0, RLIMIT_STACK, &r, NULL))
		FAIL("prlimit64 set");
	return 0;
}

static int children(void)
{
	int status;
	siginfo_t si;
	pid_t pid;

	pid = fork();
	if (pid == 0)
		_exit(3);
	if (pid < 0 || wait4(pid, &status, 0, NULL) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 3)
		FAIL("exit 3");
	pid = fork();
	if (pid == 0) {
		pause();
		_exit(0);
	}
	if (pid < 0 || kill(pid, SIGKILL) || wait4(pid, &status, 0, NULL) != pid ||
	    !WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
		FAIL("SIGKILL");
	pid = fork();
	if (pid == 0) {
		raise(SIGSTOP);
		_exit(5);
	}
	if (pid < 0 || wait4(pid, &status, WUNTRACED, NULL) != pid || !WIFSTOPPED(status) ||
	    WSTOPSIG(status) != SIGSTOP)
		FAIL("stop");
	if (kill(pid, SIGCONT) || waitid(P_PID, (id_t)pid, &si, WEXITED) || si.si_status != 5)
		FAIL("waitid");
	/* no child left: WNOHANG says so at once */
	if (wait4(-1, &status, WNOHANG, NULL) != -1)
		FAIL("wait4 WNOHANG");
	return 0;
}

static int ioctls(void)
{
	struct winsize ws = { .ws_row = 24, .ws_col = 80 }, got;
	int p[2], n, on = 1, ptm, pts, sock;
	struct termios t;
	struct ifconf ifc;
	char ifbuf[1024];

	if (pipe(p) || write(p[1], "hello", 5) != 5 || ioctl(p[0], FIONREAD, &n) || n != 5)
		FAIL("FIONREAD");
	if (ioctl(p[0], FIONBIO, &on) || ioctl(p[0], FIOCLEX) || ioctl(p[0], FIONCLEX))
		FAIL("FIONBIO/FIOCLEX");
	if (ioctl(p[0], TCGETS, &t) == 0) /* ENOTTY: a pipe is no terminal */
		FAIL("TCGETS on a pipe");
	ptm = posix_openpt(O_RDWR | O_NOCTTY);
	if (ptm < 0 || grantpt(ptm) || unlockpt(ptm))
		FAIL("posix_openpt");
	pts = open(ptsname(ptm), O_RDWR | O_NOCTTY);
	if (pts < 0 || ioctl(pts, TIOCSWINSZ, &ws) || ioctl(pts, TIOCGWINSZ, &got) ||
	    got.ws_row != 24 || got.ws_col != 80)
		FAIL("TIOCSWINSZ/TIOCGWINSZ");
	if (ioctl(pts, TCGETS, &t) || ioctl(pts, TCSETS, &t))
		FAIL("TCGETS/TCSETS");
	sock = socket(AF_INET, SOCK_DGRAM, 0);
	ifc.ifc_len = sizeof(ifbuf);
	ifc.ifc_buf = ifbuf;
	if (sock < 0 || ioctl(sock, SIOCGIFCONF, &ifc))
		FAIL("SIOCGIFCONF");
	/* a request no driver here knows */
	if (ioctl(p[0], _IOR(0x99, 0x1, int), &n) == 0)
		FAIL("unknown ioctl");
	close(sock);
	close(pts);
	close(ptm);
	close(p[0]);
	close(p[1]);
	return 0;
}

int main(int argc, char **argv)
{
	const char *dir = argc > 1 ? argv[1] : "/tmp";

	if (files(dir) || signals() || timespecs() || rlimits() || children() || ioctls())
		return 1;
	return 0;
}
