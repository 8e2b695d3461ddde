/* procevents.c - taskstats exit listener and proc-connector exec/fork events over netlink. */
#include "sys/procevents.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/utsname.h>
#include <unistd.h>

#include <linux/cn_proc.h>
#include <linux/connector.h>
#include <linux/genetlink.h>
#include <linux/netlink.h>
#include <linux/taskstats.h>

#include "base/xalloc.h"

#define RCVBUF_BYTES	 (4 << 20)
#define MSGBUF_BYTES	 16384
#define PENDING_SWEEP_AT 4096 /* sweep dead groups from the pending table beyond this many */
#define RECENT_TGIDS	 256  /* groups already reported, to drop their straggling threads */
#define TS_VERSION_TGID	 12   /* ac_tgid, ac_tgetime and the AGROUP flag appeared in v12 */
#ifndef AGROUP
#define AGROUP 0x20 /* linux/acct.h: the last task of a thread group */
#endif

/*
 * The per-thread sums of a thread group some of whose threads have exited.
 * The kernel's exit message carries per-task numbers only: the TGID aggregate
 * it appends for a multi-threaded group holds delay accounting and nothing
 * else (fill_tgid_exit), so group totals are summed here, thread by thread,
 * until the record flagged AGROUP (the group's last task) completes them.
 */
struct pending {
	pid_t tgid; /* 0: free slot */
	bool have_leader;
	char comm[16]; /* the leader's, once its record was seen */
	uint64_t utime_us, stime_us, cpu_ns, read_bytes, write_bytes, rchar, wchar;
};

struct procevents {
	int ts_fd, cn_fd;
	uint16_t ts_family;
	char *cpumask; /* what was registered, to deregister on close */
	uint64_t lost;
	struct pending *pend; /* open addressing, linear probing; nslots a power of 2 */
	size_t nslots, npend;
	pid_t recent[RECENT_TGIDS];
	size_t recent_next;
	char *buf; /* MSGBUF_BYTES, aligned for nlmsghdr */
};

/* --- pending thread-group sums --- */

static size_t pend_slot(const struct procevents *pe, pid_t tgid)
{
	return ((uint32_t)tgid * 2654435761u) & (pe->nslots - 1);
}

static struct pending *pend_find(const struct procevents *pe, pid_t tgid)
{
	if (!pe->nslots)
		return NULL;
	for (size_t i = pend_slot(pe, tgid);; i = (i + 1) & (pe->nslots - 1)) {
		if (pe->pend[i].tgid == tgid)
			return &pe->pend[i];
		if (!pe->pend[i].tgid)
			return NULL;
	}
}

static void pend_remove(struct procevents *pe, struct pending *p)
{
	size_t mask = pe->nslots - 1, i = (size_t)(p - pe->pend), j = i;

	/* backward-shift deletion keeps every probe chain unbroken without tombstones */
	pe->pend[i].tgid = 0;
	pe->npend--;
	for (;;) {
		size_t home;

		j = (j + 1) & mask;
		if (!pe->pend[j].tgid)
			return;
		home = pend_slot(pe, pe->pend[j].tgid);
		if (((j - home) & mask) >= ((j - i) & mask)) {
			pe->pend[i] = pe->pend[j];
			pe->pend[j].tgid = 0;
			i = j;
		}
	}
}

static struct pending *pend_insert(struct procevents *pe, pid_t tgid);

static void pend_rehash(struct procevents *pe, size_t nslots)
{
	struct pending *old = pe->pend;
	size_t oldn = pe->nslots;

	pe->pend = xcalloc(nslots, sizeof(*pe->pend));
	pe->nslots = nslots;
	pe->npend = 0;
	for (size_t i = 0; i < oldn; i++) {
		if (old[i].tgid)
			*pend_insert(pe, old[i].tgid) = old[i];
	}
	free(old);
}

/*
 * A group whose last record was lost (socket overrun) would stay here for
 * ever: past PENDING_SWEEP_AT entries, forget the groups that no longer exist.
 */
static void pend_sweep(struct procevents *pe)
{
	for (size_t i = 0; i < pe->nslots;) {
		pid_t t = pe->pend[i].tgid;

		if (t && kill(t, 0) < 0 && errno == ESRCH)
			pend_remove(pe, &pe->pend[i]); /* may shift a later entry into i */
		else
			i++;
	}
}

static struct pending *pend_insert(struct procevents *pe, pid_t tgid)
{
	struct pending *p;
	size_t i;

	if ((pe->npend + 1) * 2 > pe->nslots) {
		if (pe->npend >= PENDING_SWEEP_AT)
			pend_sweep(pe);
		if ((pe->npend + 1) * 2 > pe->nslots)
			pend_rehash(pe, pe->nslots ? pe->nslots * 2 : 64);
	}
	for (i = pend_slot(pe, tgid); pe->pend[i].tgid; i = (i + 1) & (pe->nslots - 1))
		;
	p = &pe->pend[i];
	memset(p, 0, sizeof(*p));
	p->tgid = tgid;
	pe->npend++;
	return p;
}

static bool recently_reported(const struct procevents *pe, pid_t tgid)
{
	for (size_t i = 0; i < RECENT_TGIDS; i++) {
		if (pe->recent[i] == tgid)
			return true;
	}
	return false;
}

/* --- netlink plumbing --- */

static int nl_socket(int protocol, uint32_t groups)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = groups };
	struct timeval tv = { .tv_sec = 1 };
	int size = RCVBUF_BYTES;
	int fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC, protocol);

	if (fd < 0)
		return -errno;
	/* FORCE passes the rmem_max cap (needs CAP_NET_ADMIN); the plain one is capped */
	if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) < 0)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size));
	/* blocking with a timeout while we set up, so a silent kernel cannot hang us */
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa)) < 0) {
		int err = -errno;

		close(fd);
		return err;
	}
	return fd;
}

static int set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

static int nl_send(int fd, const void *msg, size_t len)
{
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };

	if (sendto(fd, msg, len, 0, (struct sockaddr *)&kernel, sizeof(kernel)) < 0)
		return -errno;
	return 0;
}

/* Appends one attribute to the message at h (whose buffer has room). */
static void nla_put(struct nlmsghdr *h, uint16_t type, const void *data, size_t len)
{
	struct nlattr *a = (struct nlattr *)((char *)h + NLMSG_ALIGN(h->nlmsg_len));

	a->nla_type = type;
	a->nla_len = (uint16_t)(NLA_HDRLEN + len);
	memcpy((char *)a + NLA_HDRLEN, data, len);
	h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + NLA_ALIGN(a->nla_len);
}

/*
 * Sends a generic netlink request (with an ack) and waits for the answer
 * carrying seq: its payload is copied to reply (when not NULL). Messages with
 * another seq (early exit records) are skipped. Returns 0 or a negative errno.
 */
static int genl_call(struct procevents *pe, int fd, uint16_t family, uint8_t cmd, uint16_t attr,
		     const void *data, size_t len, uint32_t seq, void *reply, size_t reply_len)
{
	union {
		struct nlmsghdr h;
		char b[512];
	} req;
	struct genlmsghdr *g;
	int ret;

	if (len > sizeof(req) - 64)
		return -EINVAL;
	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
	req.h.nlmsg_type = family;
	req.h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK;
	req.h.nlmsg_seq = seq;
	g = NLMSG_DATA(&req.h);
	g->cmd = cmd;
	g->version = family == GENL_ID_CTRL ? 1 : TASKSTATS_GENL_VERSION;
	nla_put(&req.h, attr, data, len);
	ret = nl_send(fd, &req, req.h.nlmsg_len);
	if (ret)
		return ret;
	for (;;) {
		ssize_t n = recv(fd, pe->buf, MSGBUF_BYTES, 0);
		bool got_reply = false;

		if (n < 0) {
			if (errno == EINTR || errno == ENOBUFS)
				continue;
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)pe->buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				/* the ack (error 0) ends the exchange */
				return e->error;
			}
			if (reply && !got_reply) {
				size_t plen = h->nlmsg_len - NLMSG_HDRLEN;

				memcpy(reply, NLMSG_DATA(h), plen < reply_len ? plen : reply_len);
				got_reply = true;
			}
		}
	}
}

/* Finds attribute type among the attributes in [p, p + len). */
static const struct nlattr *nla_find(const void *p, size_t len, uint16_t type)
{
	const char *c = p;

	while (len >= NLA_HDRLEN) {
		const struct nlattr *a = (const struct nlattr *)c;
		size_t al = a->nla_len, step = NLA_ALIGN(al);

		if (al < NLA_HDRLEN || al > len)
			return NULL;
		if ((a->nla_type & NLA_TYPE_MASK) == type)
			return a;
		if (step >= len)
			return NULL;
		c += step;
		len -= step;
	}
	return NULL;
}

static int taskstats_family(struct procevents *pe, int fd, uint16_t *family)
{
	char *reply = xcalloc(1, MSGBUF_BYTES);
	const struct nlattr *a;
	int ret;

	ret = genl_call(pe, fd, GENL_ID_CTRL, CTRL_CMD_GETFAMILY, CTRL_ATTR_FAMILY_NAME,
			TASKSTATS_GENL_NAME, sizeof(TASKSTATS_GENL_NAME), 1, reply, MSGBUF_BYTES);
	if (!ret) {
		a = nla_find(reply + GENL_HDRLEN, MSGBUF_BYTES - GENL_HDRLEN, CTRL_ATTR_FAMILY_ID);
		if (a && a->nla_len >= NLA_HDRLEN + sizeof(uint16_t))
			memcpy(family, (const char *)a + NLA_HDRLEN, sizeof(*family));
		else
			ret = -ENOENT;
	}
	free(reply);
	return ret;
}

/* The possible CPUs as a list ("0-3"); registering an impossible one is EINVAL. */
static char *possible_cpus(bool from_sysfs)
{
	if (from_sysfs) {
		char b[256];
		FILE *f = fopen("/sys/devices/system/cpu/possible", "re");
		char *s = NULL;

		if (!f)
			return NULL;
		if (fgets(b, sizeof(b), f)) {
			b[strcspn(b, "\n")] = '\0';
			s = xstrdup(b);
		}
		fclose(f);
		return s;
	}
	long n = sysconf(_SC_NPROCESSORS_CONF);

	return xasprintf("0-%ld", n > 1 ? n - 1 : 0);
}

static int open_taskstats(struct procevents *pe)
{
	int fd = nl_socket(NETLINK_GENERIC, 0), ret;

	if (fd < 0)
		return fd;
	ret = taskstats_family(pe, fd, &pe->ts_family);
	if (ret)
		goto fail;
	pe->cpumask = possible_cpus(false);
	ret = genl_call(pe, fd, pe->ts_family, TASKSTATS_CMD_GET,
			TASKSTATS_CMD_ATTR_REGISTER_CPUMASK, pe->cpumask, strlen(pe->cpumask) + 1,
			2, NULL, 0);
	if (ret == -EINVAL) {
		/* sysconf counts present CPUs some ways and possible ones others */
		char *m = possible_cpus(true);

		if (m) {
			free(pe->cpumask);
			pe->cpumask = m;
			ret = genl_call(pe, fd, pe->ts_family, TASKSTATS_CMD_GET,
					TASKSTATS_CMD_ATTR_REGISTER_CPUMASK, m, strlen(m) + 1, 3,
					NULL, 0);
		}
	}
	if (ret)
		goto fail;
	ret = set_nonblock(fd);
	if (ret)
		goto fail;
	pe->ts_fd = fd;
	return 0;
fail:
	free(pe->cpumask);
	pe->cpumask = NULL;
	close(fd);
	return ret;
}

/*
 * Since Linux 6.6 a listener may ask for some event types only (struct
 * proc_input: the op and a mask of PROC_EVENT_*); older kernels ignore a
 * LISTEN of that size altogether, so the filter is asked for only on 6.6+.
 */
static bool connector_filters(void)
{
	struct utsname u;
	int major = 0, minor = 0;

	if (uname(&u) < 0 || sscanf(u.release, "%d.%d", &major, &minor) != 2)
		return false;
	return major > 6 || (major == 6 && minor >= 6);
}

static int open_connector_filtered(struct procevents *pe, uint32_t events)
{
	struct proc_input_compat {
		uint32_t mcast_op;   /* enum proc_cn_mcast_op */
		uint32_t event_type; /* PROC_EVENT_* mask; 0 = every event */
	} in = { PROC_CN_MCAST_LISTEN, events };
	union {
		struct nlmsghdr h;
		char b[NLMSG_SPACE(sizeof(struct cn_msg) + sizeof(struct proc_input_compat))];
	} req;
	struct cn_msg *cn;
	enum proc_cn_mcast_op op = PROC_CN_MCAST_LISTEN;
	bool filtered = events && connector_filters();
	size_t len = filtered ? sizeof(in) : sizeof(op);
	int fd = nl_socket(NETLINK_CONNECTOR, CN_IDX_PROC), ret;

	if (fd < 0)
		return fd;
	memset(&req, 0, sizeof(req));
	req.h.nlmsg_len = NLMSG_LENGTH(sizeof(*cn) + len);
	req.h.nlmsg_type = NLMSG_DONE;
	req.h.nlmsg_pid = 0;
	cn = NLMSG_DATA(&req.h);
	cn->id.idx = CN_IDX_PROC;
	cn->id.val = CN_VAL_PROC;
	cn->len = (uint16_t)len;
	if (filtered)
		memcpy(cn->data, &in, sizeof(in));
	else
		memcpy(cn->data, &op, sizeof(op));
	ret = nl_send(fd, &req, req.h.nlmsg_len);
	if (!ret)
		ret = set_nonblock(fd);
	if (ret) {
		close(fd);
		return ret;
	}
	pe->cn_fd = fd;
	return 0;
}

static int open_connector(struct procevents *pe)
{
	return open_connector_filtered(pe, 0);
}

struct procevents *procevents_open(void)
{
	struct procevents *pe = xcalloc(1, sizeof(*pe));
	int ets, ecn;

	pe->ts_fd = pe->cn_fd = -1;
	pe->buf = xmalloc(MSGBUF_BYTES);
	ets = open_taskstats(pe);
	ecn = open_connector(pe);
	if (ets && ecn) {
		procevents_close(pe);
		errno = -ets;
		return NULL;
	}
	return pe;
}

struct procevents *procevents_open_execs(void)
{
	struct procevents *pe = xcalloc(1, sizeof(*pe));
	int ret;

	pe->ts_fd = pe->cn_fd = -1;
	pe->buf = xmalloc(MSGBUF_BYTES);
	ret = open_connector_filtered(pe, PROC_EVENT_EXEC); /* execs only where the kernel can */
	if (ret) {
		procevents_close(pe);
		errno = -ret;
		return NULL;
	}
	return pe;
}

void procevents_close(struct procevents *pe)
{
	if (!pe)
		return;
	if (pe->ts_fd >= 0) {
		/* the kernel forgets a listener only when it next fails to reach it */
		struct {
			struct nlmsghdr h;
			struct genlmsghdr g;
			char attr[256];
		} req;
		size_t len = strlen(pe->cpumask) + 1;

		if (len <= sizeof(req.attr) - NLA_HDRLEN) {
			memset(&req, 0, sizeof(req));
			req.h.nlmsg_len = NLMSG_LENGTH(GENL_HDRLEN);
			req.h.nlmsg_type = pe->ts_family;
			req.h.nlmsg_flags = NLM_F_REQUEST;
			req.g.cmd = TASKSTATS_CMD_GET;
			req.g.version = TASKSTATS_GENL_VERSION;
			nla_put(&req.h, TASKSTATS_CMD_ATTR_DEREGISTER_CPUMASK, pe->cpumask, len);
			nl_send(pe->ts_fd, &req, req.h.nlmsg_len);
		}
		close(pe->ts_fd);
	}
	if (pe->cn_fd >= 0)
		close(pe->cn_fd);
	free(pe->cpumask);
	free(pe->pend);
	free(pe->buf);
	free(pe);
}

bool procevents_have_exits(const struct procevents *pe)
{
	return pe && pe->ts_fd >= 0;
}

bool procevents_have_execs(const struct procevents *pe)
{
	return pe && pe->cn_fd >= 0;
}

int procevents_exit_fd(const struct procevents *pe)
{
	return pe ? pe->ts_fd : -1;
}

int procevents_exec_fd(const struct procevents *pe)
{
	return pe ? pe->cn_fd : -1;
}

uint64_t procevents_lost(const struct procevents *pe)
{
	return pe ? pe->lost : 0;
}

/* --- exit records --- */

static void copy_comm(char dst[16], const char *src)
{
	size_t n = strnlen(src, TS_COMM_LEN);

	if (n > 15)
		n = 15;
	memcpy(dst, src, n);
	dst[n] = '\0';
}

/*
 * One task's record (the AGGR_PID part of an exit message), with the group
 * aggregate (AGGR_TGID) when the message had one. Returns whether a group
 * record was completed and handed to cb.
 */
static bool on_task_exit(struct procevents *pe, const struct taskstats *ts,
			 const struct taskstats *grp,
			 void (*cb)(void *ctx, const struct exit_record *r), void *ctx)
{
	bool modern = ts->version >= TS_VERSION_TGID;
	pid_t tgid = modern ? (pid_t)ts->ac_tgid : (pid_t)ts->ac_pid;
	struct pending *p;
	struct exit_record r;

	if (modern && !(ts->ac_flag & AGROUP)) {
		/* a thread leaving a group that lives on: remember its share */
		if (recently_reported(pe, tgid))
			return false; /* lost the race with the group's last task */
		p = pend_find(pe, tgid);
		if (!p)
			p = pend_insert(pe, tgid);
		if ((pid_t)ts->ac_pid == tgid) {
			copy_comm(p->comm, ts->ac_comm);
			p->have_leader = true;
		}
		p->utime_us += ts->ac_utime;
		p->stime_us += ts->ac_stime;
		p->cpu_ns += ts->cpu_run_virtual_total;
		p->read_bytes += ts->read_bytes;
		p->write_bytes += ts->write_bytes;
		p->rchar += ts->read_char;
		p->wchar += ts->write_char;
		return false;
	}

	memset(&r, 0, sizeof(r));
	r.pid = tgid;
	r.ppid = (pid_t)ts->ac_ppid;
	r.uid = ts->ac_uid;
	copy_comm(r.comm, ts->ac_comm);
	r.utime_us = ts->ac_utime;
	r.stime_us = ts->ac_stime;
	r.cpu_ns = ts->cpu_run_virtual_total;
	r.start_time_s = ts->ac_btime;
	r.elapsed_us = ts->ac_etime;
	r.peak_rss_kib = ts->hiwater_rss; /* the mm's, shared by every thread */
	r.read_bytes = ts->read_bytes;
	r.write_bytes = ts->write_bytes;
	r.rchar = ts->read_char;
	r.wchar = ts->write_char;
	r.exit_code = (int)ts->ac_exitcode;
	if (modern) {
		/* the last task may be any thread: the group's life is ac_tgetime */
		if (ts->ac_tgetime > r.elapsed_us) {
			uint64_t end_s = ts->ac_btime + ts->ac_etime / 1000000;
			uint64_t life_s = ts->ac_tgetime / 1000000;

			r.start_time_s = end_s > life_s ? end_s - life_s : 0;
			r.elapsed_us = ts->ac_tgetime;
		}
		p = pend_find(pe, tgid);
		if (p) {
			if (p->have_leader)
				memcpy(r.comm, p->comm, sizeof(r.comm));
			r.utime_us += p->utime_us;
			r.stime_us += p->stime_us;
			r.cpu_ns += p->cpu_ns;
			r.read_bytes += p->read_bytes;
			r.write_bytes += p->write_bytes;
			r.rchar += p->rchar;
			r.wchar += p->wchar;
			pend_remove(pe, p);
			pe->recent[pe->recent_next++ % RECENT_TGIDS] = tgid;
		}
		/*
		 * Recent kernels (seen on 6.18, v16) put the group's CPU times
		 * in the aggregate; they also cover a thread whose own record
		 * lost the race with this one (it exited on another CPU).
		 */
		if (grp && grp->ac_utime + grp->ac_stime > r.utime_us + r.stime_us) {
			r.utime_us = grp->ac_utime;
			r.stime_us = grp->ac_stime;
		}
		if (grp && grp->cpu_run_virtual_total > r.cpu_ns)
			r.cpu_ns = grp->cpu_run_virtual_total;
	}
	if (cb)
		cb(ctx, &r);
	return true;
}

/* Copies the taskstats inside the aggregate attribute aggr into ts; false if there is none. */
static bool aggr_stats(const struct nlattr *aggr, struct taskstats *ts)
{
	const struct nlattr *st;
	size_t n;

	if (!aggr)
		return false;
	st = nla_find((const char *)aggr + NLA_HDRLEN, aggr->nla_len - NLA_HDRLEN,
		      TASKSTATS_TYPE_STATS);
	if (!st)
		return false;
	/* the kernel's struct may be older (shorter) or newer (longer) than ours */
	n = st->nla_len - NLA_HDRLEN;
	memset(ts, 0, sizeof(*ts));
	memcpy(ts, (const char *)st + NLA_HDRLEN, n < sizeof(*ts) ? n : sizeof(*ts));
	return true;
}

/* Handles one exit message: returns the number of group records reported. */
static int on_exit_msg(struct procevents *pe, const struct nlmsghdr *h,
		       void (*cb)(void *ctx, const struct exit_record *r), void *ctx)
{
	const char *payload = (const char *)NLMSG_DATA(h) + GENL_HDRLEN;
	size_t len = h->nlmsg_len - NLMSG_LENGTH(GENL_HDRLEN);
	struct taskstats ts, grp;
	bool have_grp;

	if (h->nlmsg_len < NLMSG_LENGTH(GENL_HDRLEN))
		return 0;
	/*
	 * The AGGR_TGID aggregate that follows for a multi-threaded group is
	 * thin: no pid, comm, rss or I/O, and on older kernels nothing but
	 * delay accounting (fill_tgid_exit). The per-task AGGR_PID half leads.
	 */
	if (!aggr_stats(nla_find(payload, len, TASKSTATS_TYPE_AGGR_PID), &ts))
		return 0;
	have_grp = aggr_stats(nla_find(payload, len, TASKSTATS_TYPE_AGGR_TGID), &grp) &&
		   grp.version >= TS_VERSION_TGID;
	return on_task_exit(pe, &ts, have_grp ? &grp : NULL, cb, ctx) ? 1 : 0;
}

/*
 * The next datagram of a non-blocking netlink socket into pe->buf: its length,
 * 0 when nothing more is waiting, or a negative errno. An overrun (ENOBUFS)
 * counts as lost and reading goes on.
 */
static ssize_t recv_next(struct procevents *pe, int fd)
{
	for (;;) {
		ssize_t n = recv(fd, pe->buf, MSGBUF_BYTES, 0);

		if (n >= 0)
			return n;
		if (errno == EINTR)
			continue;
		if (errno == ENOBUFS) {
			pe->lost++; /* at least one; the kernel does not say how many */
			continue;
		}
		return errno == EAGAIN ? 0 : -errno;
	}
}

int procevents_read_exits(struct procevents *pe, void (*cb)(void *ctx, const struct exit_record *r),
			  void *ctx)
{
	int count = 0;

	if (!pe || pe->ts_fd < 0)
		return 0;
	for (;;) {
		ssize_t n = recv_next(pe, pe->ts_fd);

		if (n <= 0)
			return n < 0 && !count ? (int)n : count;
		for (struct nlmsghdr *h = (struct nlmsghdr *)pe->buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			if (h->nlmsg_type == pe->ts_family)
				count += on_exit_msg(pe, h, cb, ctx);
		}
	}
}

/* --- proc connector --- */

int procevents_read_execs(struct procevents *pe, void (*cb_exec)(void *ctx, pid_t pid),
			  void (*cb_fork)(void *ctx, pid_t parent, pid_t child), void *ctx)
{
	int count = 0;

	if (!pe || pe->cn_fd < 0)
		return 0;
	for (;;) {
		ssize_t n = recv_next(pe, pe->cn_fd);

		if (n <= 0)
			return n < 0 && !count ? (int)n : count;
		for (struct nlmsghdr *h = (struct nlmsghdr *)pe->buf; NLMSG_OK(h, (size_t)n);
		     h = NLMSG_NEXT(h, n)) {
			const struct cn_msg *cn = NLMSG_DATA(h);
			struct proc_event ev;
			size_t len;

			if (h->nlmsg_len < NLMSG_LENGTH(sizeof(*cn)))
				continue;
			if (cn->id.idx != CN_IDX_PROC || cn->id.val != CN_VAL_PROC)
				continue;
			len = h->nlmsg_len - NLMSG_LENGTH(sizeof(*cn));
			if (cn->len < len)
				len = cn->len;
			memset(&ev, 0, sizeof(ev));
			memcpy(&ev, cn->data, len < sizeof(ev) ? len : sizeof(ev));
			if (ev.what == PROC_EVENT_EXEC) {
				/* process_pid is the tgid: exec in a thread first kills the others
				 */
				if (cb_exec)
					cb_exec(ctx, ev.event_data.exec.process_pid);
				count++;
			} else if (ev.what == PROC_EVENT_FORK &&
				   ev.event_data.fork.child_pid == ev.event_data.fork.child_tgid) {
				if (cb_fork)
					cb_fork(ctx, ev.event_data.fork.parent_tgid,
						ev.event_data.fork.child_tgid);
				count++;
			}
		}
	}
}
