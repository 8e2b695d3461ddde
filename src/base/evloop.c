/* evloop.c - epoll + timerfd + signalfd event loop. */
#include "base/evloop.h"

#include <errno.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include "base/xalloc.h"

enum watch_kind { W_FD, W_TIMER, W_SIGNAL };

struct watch {
	enum watch_kind kind;
	int fd;
	void *arg;
	union {
		evloop_fd_cb fd_cb;
		evloop_timer_cb timer_cb;
		evloop_signal_cb signal_cb;
	};
	bool live;
};

struct evloop {
	int epfd;
	bool stop;
	struct watch **w; /* stable pointers: epoll data points at them */
	size_t nw, capw;
};

struct evloop *evloop_new(void)
{
	struct evloop *loop = xcalloc(1, sizeof(*loop));

	loop->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (loop->epfd < 0) {
		free(loop);
		return NULL;
	}
	return loop;
}

void evloop_free(struct evloop *loop)
{
	if (!loop)
		return;
	for (size_t i = 0; i < loop->nw; i++) {
		if (loop->w[i]->kind != W_FD && loop->w[i]->fd >= 0)
			close(loop->w[i]->fd);
		free(loop->w[i]);
	}
	free(loop->w);
	close(loop->epfd);
	free(loop);
}

static struct watch *add_watch(struct evloop *loop, enum watch_kind kind, int fd, uint32_t events,
			       void *arg)
{
	struct watch *w = xcalloc(1, sizeof(*w));
	struct epoll_event ev = { .events = events, .data.ptr = w };

	if (epoll_ctl(loop->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		free(w);
		return NULL;
	}
	w->kind = kind;
	w->fd = fd;
	w->arg = arg;
	w->live = true;
	XGROW(loop->w, loop->capw, loop->nw + 1);
	loop->w[loop->nw++] = w;
	return w;
}

int evloop_add_fd(struct evloop *loop, int fd, uint32_t events, evloop_fd_cb cb, void *arg)
{
	struct watch *w = add_watch(loop, W_FD, fd, events, arg);

	if (!w)
		return -errno;
	w->fd_cb = cb;
	return 0;
}

int evloop_del_fd(struct evloop *loop, int fd)
{
	for (size_t i = 0; i < loop->nw; i++) {
		if (loop->w[i]->kind == W_FD && loop->w[i]->fd == fd && loop->w[i]->live) {
			loop->w[i]->live = false;
			return epoll_ctl(loop->epfd, EPOLL_CTL_DEL, fd, NULL) < 0 ? -errno : 0;
		}
	}
	return -ENOENT;
}

static int arm(int tfd, uint64_t interval_ns)
{
	struct itimerspec its;

	its.it_interval.tv_sec = (time_t)(interval_ns / 1000000000ULL);
	its.it_interval.tv_nsec = (long)(interval_ns % 1000000000ULL);
	its.it_value = its.it_interval;
	return timerfd_settime(tfd, 0, &its, NULL) < 0 ? -errno : 0;
}

int evloop_add_timer(struct evloop *loop, uint64_t interval_ns, evloop_timer_cb cb, void *arg)
{
	int tfd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	struct watch *w;
	int ret;

	if (tfd < 0)
		return -errno;
	ret = arm(tfd, interval_ns);
	if (ret < 0 || !(w = add_watch(loop, W_TIMER, tfd, EPOLLIN, arg))) {
		ret = ret < 0 ? ret : -errno;
		close(tfd);
		return ret;
	}
	w->timer_cb = cb;
	return (int)(loop->nw - 1);
}

int evloop_set_timer(struct evloop *loop, int id, uint64_t interval_ns)
{
	if (id < 0 || (size_t)id >= loop->nw || loop->w[id]->kind != W_TIMER)
		return -EINVAL;
	return arm(loop->w[id]->fd, interval_ns);
}

int evloop_add_signals(struct evloop *loop, const int *sigs, int n, evloop_signal_cb cb, void *arg)
{
	sigset_t set;
	struct watch *w;
	int sfd;

	sigemptyset(&set);
	for (int i = 0; i < n; i++)
		sigaddset(&set, sigs[i]);
	if (sigprocmask(SIG_BLOCK, &set, NULL) < 0)
		return -errno;
	sfd = signalfd(-1, &set, SFD_NONBLOCK | SFD_CLOEXEC);
	if (sfd < 0)
		return -errno;
	w = add_watch(loop, W_SIGNAL, sfd, EPOLLIN, arg);
	if (!w) {
		int e = -errno;

		close(sfd);
		return e;
	}
	w->signal_cb = cb;
	return 0;
}

static void dispatch(struct evloop *loop, struct watch *w, uint32_t events)
{
	if (!w->live)
		return;
	switch (w->kind) {
	case W_FD:
		w->fd_cb(loop, w->fd, events, w->arg);
		break;
	case W_TIMER: {
		uint64_t exp;

		if (read(w->fd, &exp, sizeof(exp)) == (ssize_t)sizeof(exp))
			w->timer_cb(loop, exp, w->arg);
		break;
	}
	case W_SIGNAL: {
		struct signalfd_siginfo si;

		while (read(w->fd, &si, sizeof(si)) == (ssize_t)sizeof(si))
			w->signal_cb(loop, (int)si.ssi_signo, w->arg);
		break;
	}
	}
}

int evloop_run(struct evloop *loop)
{
	struct epoll_event evs[16];

	loop->stop = false;
	while (!loop->stop) {
		int n = epoll_wait(loop->epfd, evs, 16, -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		for (int i = 0; i < n && !loop->stop; i++)
			dispatch(loop, evs[i].data.ptr, evs[i].events);
	}
	return 0;
}

void evloop_stop(struct evloop *loop)
{
	loop->stop = true;
}
