/* socktab.h - a process's sockets named from the kernel's tables
 * (PID/net/{tcp,tcp6,udp,udp6,unix}). */
#ifndef SPIKETRACE_SYS_SOCKTAB_H
#define SPIKETRACE_SYS_SOCKTAB_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

/* One socket of the network namespace's tables, by inode. */
struct sock_entry {
	unsigned long inode;
	char *name; /* owned: "TCP 127.0.0.1:5000 -> 127.0.0.1:8080", "TCP 0.0.0.0:80 (LISTEN)" */
	bool inet;  /* TCP or UDP (not UNIX) */
	bool listening;	      /* a TCP socket in LISTEN */
	unsigned local_port;  /* inet only */
	unsigned remote_port; /* inet only; 0 when not connected */
};

/* The sockets of one namespace, sorted by inode after socktab_load. */
struct socktab {
	struct sock_entry *v;
	size_t n, cap;
};

/*
 * Fills s (emptied first) from PID/net/{tcp,tcp6,udp,udp6,unix} of the proc
 * tree whose root dir fd is proc_dirfd: the tables of pid's network namespace.
 * Files that cannot be read are skipped.
 */
void socktab_load(struct socktab *s, int proc_dirfd, pid_t pid);

/*
 * Parses the text of one table (len bytes, header line first) into s; file is
 * "tcp", "tcp6", "udp", "udp6" or "unix" (else nothing). Sort with
 * socktab_sort before socktab_find. Malformed lines are skipped.
 */
void socktab_parse(struct socktab *s, const char *file, const char *text, size_t len);
void socktab_sort(struct socktab *s);

/* The entry of inode, or NULL. The pointer is valid until s changes. */
const struct sock_entry *socktab_find(const struct socktab *s, unsigned long inode);

/* Frees the names and the array; s is empty and reusable. */
void socktab_clear(struct socktab *s);

/*
 * The inode of a /proc/PID/fd link text "socket:[12345]", or 0 when it is not
 * a socket.
 */
unsigned long socktab_link_inode(const char *link);

/*
 * The name of a socket: "PROTO LOCAL -> REMOTE", "PROTO LOCAL" when remote is
 * NULL or "", "PROTO" when both are. snprintf-like: returns the whole length.
 */
size_t socktab_name(char *buf, size_t len, const char *proto, const char *local,
		    const char *remote);

#endif
