/* tracee.c - spawning seized tracees with a seccomp filter, syscall info and tracee memory reads.
 */
#include "sys/tracee.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <signal.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/ptrace.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <sys/wait.h>
#include <unistd.h>

#include "base/xalloc.h"

/*
 * A classic BPF program: on x86_64, RET_TRACE for each wanted syscall number
 * and ALLOW for the rest; any other ABI (x32 bit, i386) is traced whole so
 * nothing slips through unseen. The numbers are compared one by one in blocks
 * of at most 250 (a conditional jump reaches 255 instructions), each block
 * ending in its own RET_TRACE that the fall-through path jumps over.
 */
static struct sock_filter *build_filter(const uint8_t *trace, size_t nbits, unsigned short *len)
{
	enum { BLOCK = 250 };
	size_t count = 0, n = 0;
	long *nrs;
	struct sock_filter *f;

	nrs = xcalloc(nbits + 1, sizeof(*nrs));
	for (size_t i = 0; i < nbits; i++)
		if ((trace[i / 8] >> (i % 8)) & 1)
			nrs[count++] = (long)i;
	f = xcalloc(count + 2 * (count / BLOCK + 1) + 8, sizeof(*f));
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, arch));
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K, AUDIT_ARCH_X86_64, 1, 0);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_LD | BPF_W | BPF_ABS,
					      offsetof(struct seccomp_data, nr));
	/* x32 syscalls have bit 30 set: trace them */
	f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JGE | BPF_K, 0x40000000, 0, 1);
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE);
	for (size_t b = 0; b < count; b += BLOCK) {
		size_t m = count - b < BLOCK ? count - b : BLOCK;

		for (size_t i = 0; i < m; i++)
			f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JEQ | BPF_K,
							      (unsigned)nrs[b + i],
							      (unsigned char)(m - i), 0);
		f[n++] = (struct sock_filter)BPF_JUMP(BPF_JMP | BPF_JA | BPF_K, 1, 0, 0);
		f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_TRACE);
	}
	f[n++] = (struct sock_filter)BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
	free(nrs);
	*len = (unsigned short)n;
	return f;
}

/* In the child: says why the command cannot run, as a shell would, and exits 127. */
static void child_fail(const char *what, const char *name, int err)
{
	char msg[512];
	int n = snprintf(msg, sizeof(msg), "spiketrace: %s '%s': %s\n", what, name, strerror(err));
	ssize_t w = write(STDERR_FILENO, msg, n > 0 ? (size_t)n : 0);

	(void)w;
	_exit(127);
}

/*
 * The program execvp would run, found here in the tracer so that the tracee
 * makes exactly one execve (strace does the same). NULL when there is none.
 */
static char *find_program(const char *name)
{
	const char *path = getenv("PATH");
	char *dirs, *save = NULL;

	if (strchr(name, '/'))
		return access(name, F_OK) == 0 ? xstrdup(name) : NULL;
	dirs = xstrdup(path && *path ? path : "/usr/local/bin:/usr/bin:/bin");
	for (char *d = strtok_r(dirs, ":", &save); d; d = strtok_r(NULL, ":", &save)) {
		char *cand = xasprintf("%s/%s", *d ? d : ".", name);

		if (access(cand, X_OK) == 0) {
			free(dirs);
			return cand;
		}
		free(cand);
	}
	free(dirs);
	return NULL;
}

pid_t ptrace_spawn(char *const argv[], unsigned long opts, const uint8_t *trace, size_t nbits)
{
	struct sock_filter *filter = NULL;
	unsigned short flen = 0;
	int go[2] = { -1, -1 }, err = 0;
	pid_t pid;
	char c = 0;

	char *prog = find_program(argv[0]);

	if (!prog)
		return -ENOENT;
	if (trace)
		filter = build_filter(trace, nbits, &flen);
	if (pipe2(go, O_CLOEXEC) < 0) {
		free(filter);
		free(prog);
		return -errno;
	}
	pid = fork();
	if (pid < 0) {
		err = -errno;
		goto out;
	}
	if (pid == 0) {
		close(go[1]);
		/* wait until the tracer has seized us */
		if (read(go[0], &c, 1) != 1)
			_exit(127);
		if (trace) {
			struct sock_fprog fprog = { .len = flen, .filter = filter };

			if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) < 0 ||
			    syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, 0, &fprog) < 0)
				child_fail("cannot install the seccomp filter for", argv[0], errno);
		}
		execv(prog, argv);
		child_fail("cannot run", argv[0], errno);
	}
	close(go[0]);
	go[0] = -1;
	if (ptrace(PTRACE_SEIZE, pid, 0, opts | (trace ? PTRACE_O_TRACESECCOMP : 0)) < 0) {
		err = -errno;
		kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
		goto out;
	}
	/*
	 * Without a filter the tracer needs a stop to start PTRACE_SYSCALL from:
	 * interrupt before letting the child go, so that nothing (execve least of
	 * all) runs unseen.
	 */
	if (!trace && ptrace(PTRACE_INTERRUPT, pid, 0, 0) < 0) {
		err = -errno;
		kill(pid, SIGKILL);
		waitpid(pid, NULL, __WALL);
		goto out;
	}
	if (write(go[1], &c, 1) != 1) {
		err = -errno;
		goto out;
	}
out:
	for (int i = 0; i < 2; i++)
		if (go[i] >= 0)
			close(go[i]);
	free(filter);
	free(prog);
	return err < 0 ? err : pid;
}

pid_t spawn_held(char *const argv[], int *release_fd)
{
	int go[2];
	pid_t pid;
	char c = 0;
	char *prog = find_program(argv[0]);

	if (!prog)
		return -ENOENT;
	if (pipe2(go, O_CLOEXEC) < 0) {
		free(prog);
		return -errno;
	}
	pid = fork();
	if (pid < 0) {
		int err = -errno;

		close(go[0]);
		close(go[1]);
		free(prog);
		return err;
	}
	if (pid == 0) {
		close(go[1]);
		if (read(go[0], &c, 1) != 1)
			_exit(127); /* the tracer gave up */
		execv(prog, argv);
		child_fail("cannot run", argv[0], errno);
	}
	close(go[0]);
	free(prog);
	*release_fd = go[1];
	return pid;
}

int spawn_release(int release_fd)
{
	char c = 0;
	int err = write(release_fd, &c, 1) == 1 ? 0 : -errno;

	close(release_fd);
	return err;
}

int ptrace_seize_pid(pid_t pid, unsigned long opts)
{
	return ptrace(PTRACE_SEIZE, pid, 0, opts) < 0 ? -errno : 0;
}

int ptrace_syscall_info(pid_t tid, struct syscall_stop *out)
{
	struct __ptrace_syscall_info info;
	long n;

	memset(&info, 0, sizeof(info));
	n = ptrace(PTRACE_GET_SYSCALL_INFO, tid, (void *)sizeof(info), &info);
	if (n < 0)
		return -errno;
	memset(out, 0, sizeof(*out));
	out->op = info.op;
	out->arch = info.arch;
	out->ip = info.instruction_pointer;
	out->sp = info.stack_pointer;
	switch (info.op) {
	case PTRACE_SYSCALL_INFO_ENTRY:
		out->nr = (long)info.entry.nr;
		memcpy(out->args, info.entry.args, sizeof(out->args));
		break;
	case PTRACE_SYSCALL_INFO_SECCOMP:
		out->nr = (long)info.seccomp.nr;
		memcpy(out->args, info.seccomp.args, sizeof(out->args));
		break;
	case PTRACE_SYSCALL_INFO_EXIT:
		out->rval = info.exit.rval;
		out->is_error = info.exit.is_error;
		break;
	default:
		break;
	}
	return 0;
}

ssize_t ptrace_read_mem(pid_t tid, uint64_t addr, void *buf, size_t len)
{
	struct iovec local = { buf, len }, remote = { (void *)(uintptr_t)addr, len };
	ssize_t n = process_vm_readv(tid, &local, 1, &remote, 1, 0);
	size_t done = 0;

	if (n >= 0 || (errno != ENOSYS && errno != EPERM))
		return n < 0 ? -errno : n;
	/* no process_vm_readv (or refused): word by word */
	while (done < len) {
		long w;
		size_t k;

		errno = 0;
		w = ptrace(PTRACE_PEEKDATA, tid, (void *)(uintptr_t)(addr + done), 0);
		if (errno)
			return done ? (ssize_t)done : -errno;
		k = len - done < sizeof(w) ? len - done : sizeof(w);
		memcpy((char *)buf + done, &w, k);
		done += k;
	}
	return (ssize_t)done;
}

ssize_t ptrace_read_str(pid_t tid, uint64_t addr, char *buf, size_t len, bool *truncated)
{
	size_t done = 0;

	*truncated = false;
	if (!len)
		return 0;
	/* read page-bounded chunks: a string may end just before an unmapped page */
	while (done < len - 1) {
		size_t page_left = 4096 - ((addr + done) & 4095);
		size_t want = len - 1 - done < page_left ? len - 1 - done : page_left;
		ssize_t n = ptrace_read_mem(tid, addr + done, buf + done, want);
		char *nul;

		if (n <= 0) {
			buf[done] = '\0';
			return done ? (ssize_t)done : (n < 0 ? n : -EFAULT);
		}
		nul = memchr(buf + done, '\0', (size_t)n);
		if (nul)
			return (ssize_t)(nul - buf);
		done += (size_t)n;
	}
	buf[done] = '\0';
	*truncated = true;
	return (ssize_t)done;
}
