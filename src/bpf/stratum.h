/* stratum.h - the kernel/user contract of the stratum watch: JSON-RPC seen on a watched process's
 * TCP sockets. */
#ifndef SPIKETRACE_BPF_STRATUM_H
#define SPIKETRACE_BPF_STRATUM_H

#ifndef __VMLINUX_H__
#include <linux/types.h>
#endif

/* Bytes of a payload's start that are looked at and handed over. */
#define STRATUM_DATA_LEN 256
/* Processes watched at once (the candidates map). */
#define STRATUM_MAX_WATCHED 64
/* Events a watched process may send per refill (the loader refills at every poll). */
#define STRATUM_EVENT_BUDGET 8

#define STRATUM_SENT	 1 /* the process wrote it (write, writev, sendto, sendmsg) */
#define STRATUM_RECEIVED 2 /* the process read it (read, readv, recvfrom, recvmsg) */

/*
 * A payload on a TCP socket of a watched process that starts with '{' and names a
 * "method" within its first STRATUM_DATA_LEN bytes: a JSON-RPC call or notification. Which
 * method, and whether it is stratum's, user space decides.
 */
struct stratum_event {
	__u32 tgid, tid;
	__u32 fd;
	__u32 dir;	   /* STRATUM_SENT or STRATUM_RECEIVED */
	__u32 len;	   /* bytes of data filled */
	__u16 family;	   /* AF_INET or AF_INET6 */
	__u16 local_port;  /* host order */
	__u16 remote_port; /* host order */
	__u16 pad;
	__u8 local_addr[16]; /* 4 bytes for AF_INET, network order */
	__u8 remote_addr[16];
	char data[STRATUM_DATA_LEN]; /* the payload's start */
};

/* A watched process (key: its tgid): what it may still send before the next refill. */
struct stratum_watch {
	__u32 budget;
};

/* A read in progress on a watched process's thread (key: tid): where the data will land. */
struct stratum_read {
	__u64 buf; /* user pointer: the buffer, or the iovec / msghdr (kind) */
	__u32 fd;
	__u32 kind; /* STRATUM_BUF, STRATUM_IOV, STRATUM_MSG */
};

#define STRATUM_BUF 0
#define STRATUM_IOV 1
#define STRATUM_MSG 2

#endif
