/* stratum.bpf.c - the stratum watch: JSON-RPC calls on the TCP sockets of a few watched processes.
 */
#include "vmlinux.h"
#include <bpf/bpf_core_read.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

#include "bpf/stratum.h"

char LICENSE[] SEC("license") = "GPL";

/* include/uapi: macros, so not in vmlinux.h */
#define S_IFMT	    00170000
#define S_IFSOCK    0140000
#define AF_INET	    2
#define AF_INET6    10
#define SOCK_STREAM 1

/* the processes watched (the loader adds and removes them) and their event budgets */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, STRATUM_MAX_WATCHED);
	__type(key, __u32);
	__type(value, struct stratum_watch);
} watched SEC(".maps");

/* reads in progress on watched processes' threads: where the data will land */
struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u32);
	__type(value, struct stratum_read);
} reads SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_RINGBUF);
	__uint(max_entries, 256 * 1024);
} events SEC(".maps");

/* an event is built here (too big for the stack), then copied into the ring */
struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct stratum_event);
} scratch SEC(".maps");

static __always_inline struct stratum_watch *watch_of_current(void)
{
	__u32 tgid = bpf_get_current_pid_tgid() >> 32;

	return bpf_map_lookup_elem(&watched, &tgid);
}

/*
 * The current task's fd as a TCP socket, or NULL: fdtable lookup, S_ISSOCK on the inode,
 * then the socket's sock (stream, TCP, inet or inet6). Plain CO-RE reads.
 */
static __always_inline struct sock *tcp_sock_of(__u32 fd)
{
	struct task_struct *task = (struct task_struct *)bpf_get_current_task();
	struct fdtable *fdt = BPF_CORE_READ(task, files, fdt);
	struct file **fds, *f = NULL;
	struct socket *sock;
	struct sock *sk;
	__u16 family;

	if (!fdt || fd >= BPF_CORE_READ(fdt, max_fds))
		return NULL;
	fds = BPF_CORE_READ(fdt, fd);
	if (bpf_probe_read_kernel(&f, sizeof(f), &fds[fd]) || !f)
		return NULL;
	if ((BPF_CORE_READ(f, f_inode, i_mode) & S_IFMT) != S_IFSOCK)
		return NULL;
	sock = BPF_CORE_READ(f, private_data);
	sk = BPF_CORE_READ(sock, sk);
	if (!sk || BPF_CORE_READ(sk, sk_type) != SOCK_STREAM ||
	    BPF_CORE_READ(sk, sk_protocol) != IPPROTO_TCP)
		return NULL;
	family = BPF_CORE_READ(sk, __sk_common.skc_family);
	return family == AF_INET || family == AF_INET6 ? sk : NULL;
}

struct scan {
	__u32 len;
	int found;
};

/*
 * One position of the search for "method" (a bpf_loop callback: verified once, where an
 * open loop is verified once per position and per program, which made loading take half a
 * second of the kernel's CPU).
 */
static long scan_step(__u32 i, void *arg)
{
	struct scan *sc = arg;
	__u32 zero = 0;
	const struct stratum_event *e = bpf_map_lookup_elem(&scratch, &zero);
	const char *d;

	if (!e || i > STRATUM_DATA_LEN - 8 || i + 8 > sc->len)
		return 1;
	d = &e->data[i];
	if (d[0] == '"' && d[1] == 'm' && d[2] == 'e' && d[3] == 't' && d[4] == 'h' &&
	    d[5] == 'o' && d[6] == 'd' && d[7] == '"') {
		sc->found = 1;
		return 1;
	}
	return 0;
}

/* Whether the copied payload starts a JSON object that names a "method". */
static __always_inline int names_method(const struct stratum_event *e)
{
	struct scan sc = { .len = e->len };

	if (e->data[0] != '{')
		return 0;
	bpf_loop(STRATUM_DATA_LEN - 8, scan_step, &sc, 0);
	return sc.found;
}

/*
 * Looks at the first bytes of one payload of len bytes at ubuf on fd: when fd is a TCP socket
 * and the payload a JSON-RPC call, an event for user space (within the process's budget).
 */
static __always_inline void inspect(struct stratum_watch *w, __u32 fd, const void *ubuf, __u64 len,
				    __u32 dir)
{
	__u32 zero = 0, n = len > STRATUM_DATA_LEN ? STRATUM_DATA_LEN : (__u32)len;
	__u64 id = bpf_get_current_pid_tgid();
	struct stratum_event *e;
	struct sock *sk;

	if (!w->budget || n < 16 || !(sk = tcp_sock_of(fd)))
		return;
	e = bpf_map_lookup_elem(&scratch, &zero);
	if (!e)
		return;
	e->len = 0;
	if (n > STRATUM_DATA_LEN || bpf_probe_read_user(e->data, n, ubuf))
		return;
	e->len = n;
	if (!names_method(e))
		return;
	if (__sync_fetch_and_add(&w->budget, -1) == 0) {
		w->budget = 0;
		return;
	}
	e->tgid = id >> 32;
	e->tid = (__u32)id;
	e->fd = fd;
	e->dir = dir;
	e->family = BPF_CORE_READ(sk, __sk_common.skc_family);
	e->local_port = BPF_CORE_READ(sk, __sk_common.skc_num);
	e->remote_port = __builtin_bswap16(BPF_CORE_READ(sk, __sk_common.skc_dport));
	__builtin_memset(e->local_addr, 0, sizeof(e->local_addr));
	__builtin_memset(e->remote_addr, 0, sizeof(e->remote_addr));
	if (e->family == AF_INET) {
		BPF_CORE_READ_INTO(&e->local_addr, sk, __sk_common.skc_rcv_saddr);
		BPF_CORE_READ_INTO(&e->remote_addr, sk, __sk_common.skc_daddr);
	} else {
		BPF_CORE_READ_INTO(&e->local_addr, sk, __sk_common.skc_v6_rcv_saddr);
		BPF_CORE_READ_INTO(&e->remote_addr, sk, __sk_common.skc_v6_daddr);
	}
	bpf_ringbuf_output(&events, e, sizeof(*e), 0);
}

/* The first iovec of an iovec array (readv, writev) or of a msghdr (recvmsg, sendmsg). */
static __always_inline int first_iov(__u64 ptr, __u32 kind, const void **base, __u64 *len)
{
	struct iovec iov;
	struct user_msghdr msg;

	if (kind == STRATUM_MSG) {
		if (bpf_probe_read_user(&msg, sizeof(msg), (void *)ptr))
			return -1;
		ptr = (__u64)msg.msg_iov;
	}
	if (bpf_probe_read_user(&iov, sizeof(iov), (void *)ptr))
		return -1;
	*base = iov.iov_base;
	*len = iov.iov_len;
	return 0;
}

static __always_inline int on_send(struct trace_event_raw_sys_enter *ctx, __u32 kind)
{
	struct stratum_watch *w = watch_of_current();
	const void *base = (const void *)ctx->args[1];
	__u64 len = ctx->args[2];

	if (!w)
		return 0;
	if (kind != STRATUM_BUF && first_iov(ctx->args[1], kind, &base, &len))
		return 0;
	inspect(w, (__u32)ctx->args[0], base, len, STRATUM_SENT);
	return 0;
}

/* a read: remember where its data will land, looked at when it returns */
static __always_inline int on_recv_enter(struct trace_event_raw_sys_enter *ctx, __u32 kind)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct stratum_read r = { .buf = ctx->args[1], .fd = (__u32)ctx->args[0], .kind = kind };

	if (!watch_of_current())
		return 0;
	bpf_map_update_elem(&reads, &tid, &r, BPF_ANY);
	return 0;
}

static __always_inline int on_recv_exit(struct trace_event_raw_sys_exit *ctx)
{
	__u32 tid = (__u32)bpf_get_current_pid_tgid();
	struct stratum_read *r = bpf_map_lookup_elem(&reads, &tid);
	struct stratum_watch *w;
	const void *base;
	__u64 len = ctx->ret > 0 ? (__u64)ctx->ret : 0, cap;

	if (!r)
		return 0;
	base = (const void *)r->buf;
	w = watch_of_current();
	if (w && len && (r->kind == STRATUM_BUF || !first_iov(r->buf, r->kind, &base, &cap))) {
		if (r->kind != STRATUM_BUF && cap < len)
			len = cap; /* what landed in the first iovec */
		inspect(w, r->fd, base, len, STRATUM_RECEIVED);
	}
	bpf_map_delete_elem(&reads, &tid);
	return 0;
}

/* One program per call and side (a table as code): NAME's entry or exit, the buffer's layout. */
#define SEND(name, kind)                                                                           \
	SEC("tp/syscalls/sys_enter_" #name)                                                        \
	int enter_##name(struct trace_event_raw_sys_enter *ctx)                                    \
	{                                                                                          \
		return on_send(ctx, kind);                                                         \
	}
#define RECV(name, kind)                                                                           \
	SEC("tp/syscalls/sys_enter_" #name)                                                        \
	int enter_##name(struct trace_event_raw_sys_enter *ctx)                                    \
	{                                                                                          \
		return on_recv_enter(ctx, kind);                                                   \
	}                                                                                          \
	SEC("tp/syscalls/sys_exit_" #name)                                                         \
	int exit_##name(struct trace_event_raw_sys_exit *ctx)                                      \
	{                                                                                          \
		return on_recv_exit(ctx);                                                          \
	}

SEND(write, STRATUM_BUF)
SEND(sendto, STRATUM_BUF)
SEND(writev, STRATUM_IOV)
SEND(sendmsg, STRATUM_MSG)
RECV(read, STRATUM_BUF)
RECV(recvfrom, STRATUM_BUF)
RECV(readv, STRATUM_IOV)
RECV(recvmsg, STRATUM_MSG)
