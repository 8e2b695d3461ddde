/* socktab.c - reads and parses the kernel's socket tables, shared by the tracer and the daemon. */
#include "sys/socktab.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/xalloc.h"
#include "sys/procfs.h"

/* Socket files of PID/net: the protocol each names its sockets with. */
static const struct {
	const char *file;
	const char *proto;
	int family; /* AF_INET, AF_INET6, or AF_UNIX for the unix table */
} net_files[] = {
	{ "tcp", "TCP", AF_INET },   { "tcp6", "TCP", AF_INET6 }, { "udp", "UDP", AF_INET },
	{ "udp6", "UDP", AF_INET6 }, { "unix", "UNIX", AF_UNIX },
};
#define NNET_FILES (sizeof(net_files) / sizeof(net_files[0]))

#define TCP_LISTEN 0x0a /* the st column of a listening TCP socket */

size_t socktab_name(char *buf, size_t len, const char *proto, const char *local, const char *remote)
{
	int n;

	if (remote && *remote)
		n = snprintf(buf, len, "%s %s -> %s", proto, local ? local : "", remote);
	else if (local && *local)
		n = snprintf(buf, len, "%s %s", proto, local);
	else
		n = snprintf(buf, len, "%s", proto);
	return n < 0 ? 0 : (size_t)n;
}

unsigned long socktab_link_inode(const char *link)
{
	unsigned long inode;

	if (strncmp(link, "socket:[", 8) != 0 || sscanf(link + 8, "%lu]", &inode) != 1)
		return 0;
	return inode;
}

/* "0100007F:1F90" (an address as the kernel prints it: 32-bit words in host order) to text. */
static bool net_addr(const char *hex, int family, char *out, size_t outlen, unsigned *portp)
{
	char ip[INET6_ADDRSTRLEN], word[9];
	unsigned port;
	const char *colon = strchr(hex, ':');
	size_t nwords = family == AF_INET6 ? 4 : 1;
	uint32_t words[4];

	if (!colon || (size_t)(colon - hex) != nwords * 8 || sscanf(colon + 1, "%x", &port) != 1 ||
	    port > 65535)
		return false;
	for (size_t i = 0; i < nwords; i++) {
		memcpy(word, hex + i * 8, 8);
		word[8] = '\0';
		words[i] = (uint32_t)strtoul(word, NULL, 16);
	}
	if (!inet_ntop(family, words, ip, sizeof(ip)))
		return false;
	if (family == AF_INET6)
		snprintf(out, outlen, "[%s]:%u", ip, port);
	else
		snprintf(out, outlen, "%s:%u", ip, port);
	*portp = port;
	return true;
}

static bool addr_is_any(const char *hex)
{
	for (; *hex && *hex != ':'; hex++)
		if (*hex != '0')
			return false;
	return *hex == ':' && strtoul(hex + 1, NULL, 16) == 0;
}

static struct sock_entry *add(struct socktab *s, unsigned long inode, const char *name)
{
	struct sock_entry *e;

	XGROW(s->v, s->cap, s->n + 1);
	e = &s->v[s->n++];
	memset(e, 0, sizeof(*e));
	e->inode = inode;
	e->name = xstrdup(name);
	return e;
}

/* One line of PID/net/{tcp,udp}{,6}: "sl local rem st tx:rx tr:when retrnsmt uid timeout inode" */
static void parse_inet_line(const char *line, const char *proto, int family, struct socktab *s)
{
	char local[64], remote[64], lbuf[80], rbuf[80], name[200];
	unsigned st, lport, rport;
	unsigned long inode;
	struct sock_entry *e;
	bool any;

	if (sscanf(line, " %*u: %63s %63s %x %*s %*s %*s %*u %*u %lu", local, remote, &st,
		   &inode) != 4 ||
	    !inode || !net_addr(local, family, lbuf, sizeof(lbuf), &lport) ||
	    !net_addr(remote, family, rbuf, sizeof(rbuf), &rport))
		return;
	any = addr_is_any(remote);
	if (any) {
		socktab_name(name, sizeof(name), proto, lbuf, NULL);
		if (st == TCP_LISTEN && strcmp(proto, "TCP") == 0)
			strncat(name, " (LISTEN)", sizeof(name) - strlen(name) - 1);
	} else {
		socktab_name(name, sizeof(name), proto, lbuf, rbuf);
	}
	e = add(s, inode, name);
	e->inet = true;
	e->listening = st == TCP_LISTEN && strcmp(proto, "TCP") == 0;
	e->local_port = lport;
	e->remote_port = any ? 0 : rport;
}

/* One line of PID/net/unix: "Num RefCount Protocol Flags Type St Inode [Path]" */
static void parse_unix_line(const char *line, struct socktab *s)
{
	char name[4096 + 16];
	unsigned long inode;
	int path_at = 0;

	if (sscanf(line, "%*s %*s %*s %*s %*s %*s %lu %n", &inode, &path_at) != 1 || !inode)
		return;
	socktab_name(name, sizeof(name), "UNIX", path_at ? line + path_at : NULL, NULL);
	add(s, inode, name);
}

void socktab_parse(struct socktab *s, const char *file, const char *text, size_t len)
{
	size_t f;
	const char *p = text, *end = text + len;
	char *line = NULL;
	size_t cap = 0;
	bool header = true;

	for (f = 0; f < NNET_FILES; f++)
		if (!strcmp(net_files[f].file, file))
			break;
	if (f == NNET_FILES)
		return;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		size_t n = (size_t)((nl ? nl : end) - p);

		XGROW(line, cap, n + 1);
		memcpy(line, p, n);
		line[n] = '\0';
		p = nl ? nl + 1 : end;
		if (header) {
			header = false;
			continue;
		}
		if (memchr(line, '\0', n)) /* an embedded NUL: not a kernel line */
			continue;
		if (net_files[f].family == AF_UNIX)
			parse_unix_line(line, s);
		else
			parse_inet_line(line, net_files[f].proto, net_files[f].family, s);
	}
	free(line);
}

static int entry_cmp(const void *a, const void *b)
{
	const struct sock_entry *x = a, *y = b;

	return x->inode < y->inode ? -1 : x->inode > y->inode;
}

void socktab_sort(struct socktab *s)
{
	if (s->n)
		qsort(s->v, s->n, sizeof(*s->v), entry_cmp);
}

void socktab_load(struct socktab *s, int proc_dirfd, pid_t pid)
{
	socktab_clear(s);
	for (size_t f = 0; f < NNET_FILES; f++) {
		char path[64], *text;
		size_t len;

		snprintf(path, sizeof(path), "%d/net/%s", (int)pid, net_files[f].file);
		text = procfs_read_at(proc_dirfd, path, &len);
		if (!text)
			continue;
		socktab_parse(s, net_files[f].file, text, len);
		free(text);
	}
	socktab_sort(s);
}

const struct sock_entry *socktab_find(const struct socktab *s, unsigned long inode)
{
	struct sock_entry key = { .inode = inode };

	if (!s->n)
		return NULL;
	return bsearch(&key, s->v, s->n, sizeof(*s->v), entry_cmp);
}

void socktab_clear(struct socktab *s)
{
	for (size_t i = 0; i < s->n; i++)
		free(s->v[i].name);
	free(s->v);
	memset(s, 0, sizeof(*s));
}
