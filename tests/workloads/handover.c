/*
 * handover.c - trace workload for the ptrace-to-eBPF handover: enough traced calls to make it
 * happen, from threads and a child process, and seccomp filters asked for before and after it.
 * handover opens N | threads N | seccomp-late N | seccomp-early N | compat N
 * Exit status 0; 3 when a seccomp filter the workload installed was not enforced; 4 when a
 * 32-bit getpid (int 0x80) did not return the pid.
 */
#include <errno.h>
#include <fcntl.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <pthread.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static long n_calls;

static void opens(long n)
{
	for (long i = 0; i < n; i++) {
		int fd = open("/etc/hostname", O_RDONLY);

		if (fd >= 0)
			close(fd);
	}
}

static void *worker(void *arg)
{
	(void)arg;
	opens(n_calls);
	return NULL;
}

/* getppid fails with EPERM from now on (this thread and the threads it makes later) */
static int deny_getppid(void)
{
	struct sock_filter f[] = {
		BPF_STMT(BPF_LD | BPF_W | BPF_ABS, offsetof(struct seccomp_data, nr)),
		BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, SYS_getppid, 0, 1),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ERRNO | EPERM),
		BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW),
	};
	struct sock_fprog prog = { .len = sizeof(f) / sizeof(f[0]), .filter = f };

	return (int)syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &prog);
}

/* getpid through the 32-bit entry (int 0x80 works from 64-bit code; its number there is 20) */
static long compat_getpid(void)
{
	long ret;

	__asm__ volatile("int $0x80" : "=a"(ret) : "a"(20L) : "memory", "r8", "r9", "r10", "r11");
	return ret;
}

static int enforced(void)
{
	errno = 0;
	return syscall(SYS_getppid) == -1 && errno == EPERM;
}

int main(int argc, char **argv)
{
	pthread_t t[4];
	pid_t child;

	if (argc < 3)
		return 2;
	n_calls = atol(argv[2]);
	if (!strcmp(argv[1], "opens")) {
		opens(n_calls);
	} else if (!strcmp(argv[1], "threads")) {
		opens(n_calls); /* the handover happens here */
		for (int i = 0; i < 4; i++)
			pthread_create(&t[i], NULL, worker, NULL);
		child = fork();
		if (child == 0) {
			opens(n_calls);
			_exit(0);
		}
		for (int i = 0; i < 4; i++)
			pthread_join(t[i], NULL);
		waitpid(child, NULL, 0);
	} else if (!strcmp(argv[1], "seccomp-late")) {
		opens(n_calls);
		if (deny_getppid() < 0)
			return 1;
		if (!enforced())
			return 3;
		opens(n_calls);
		if (!enforced())
			return 3;
	} else if (!strcmp(argv[1], "compat")) {
		opens(n_calls);
		if (compat_getpid() != getpid())
			return 4;
		opens(n_calls);
	} else if (!strcmp(argv[1], "seccomp-early")) {
		if (deny_getppid() < 0)
			return 1;
		opens(n_calls);
		if (!enforced())
			return 3;
		opens(n_calls);
		if (!enforced())
			return 3;
	} else {
		return 2;
	}
	return 0;
}
