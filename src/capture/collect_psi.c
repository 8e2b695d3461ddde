/* collect_psi.c - PSI stall triggers: the kernel raises POLLPRI on /proc/pressure files, a sample
 * follows at once. */
#include <errno.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "base/log.h"
#include "base/xalloc.h"
#include "capture/collector.h"
#include "capture/config.h"
#include "sys/psi.h"

static const char *const resources[3] = { "cpu", "memory", "io" };

struct psi_state {
	int fd[3];	  /* armed triggers, -1 when refused or absent */
	int epfd;	  /* one fd for the event loop to watch */
	unsigned pending; /* bits of triggers that fired since the last sample */
};

static int psi_open(void **state, const struct collector_env *env)
{
	struct psi_state *s = xcalloc(1, sizeof(*s));
	bool any = false;

	*state = s;
	s->epfd = -1;
	for (int i = 0; i < 3; i++)
		s->fd[i] = -1;
	if (!env->cfg || !env->cfg->enable_psi_triggers)
		return 0;
	s->epfd = epoll_create1(EPOLL_CLOEXEC);
	for (int i = 0; i < 3 && s->epfd >= 0; i++) {
		struct epoll_event ev = { .events = EPOLLPRI, .data.u32 = (uint32_t)i };
		int fd = psi_trigger_open(procfs_rootfd(env->pf), resources[i],
					  (uint64_t)(env->cfg->psi_stall_ms * 1000),
					  (uint64_t)(env->cfg->psi_window_ms * 1000));

		if (fd < 0) {
			/* said once: absent PSI or a refused window is no reason to stop */
			log_warn("PSI trigger on %s unavailable (%s); %s_stall is off",
				 resources[i], strerror(-fd), resources[i]);
			continue;
		}
		if (epoll_ctl(s->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
			close(fd);
			continue;
		}
		s->fd[i] = fd;
		any = true;
	}
	if (!any && s->epfd >= 0) {
		close(s->epfd);
		s->epfd = -1;
	}
	return 0;
}

static void psi_close(void *state)
{
	struct psi_state *s = state;

	if (!s)
		return;
	for (int i = 0; i < 3; i++)
		if (s->fd[i] >= 0)
			close(s->fd[i]);
	if (s->epfd >= 0)
		close(s->epfd);
	free(s);
}

static int psi_poll_fd(void *state)
{
	return ((struct psi_state *)state)->epfd;
}

static bool psi_ready(void *state)
{
	struct psi_state *s = state;
	struct epoll_event evs[3];
	int n = epoll_wait(s->epfd, evs, 3, 0);
	unsigned before = s->pending;

	for (int i = 0; i < n; i++)
		if (evs[i].events & (EPOLLPRI | EPOLLERR))
			s->pending |= 1u << evs[i].data.u32;
	return s->pending != before;
}

static int psi_sample(void *state, struct snapshot *snap, const struct snapshot *prev)
{
	struct psi_state *s = state;

	(void)prev;
	snap->stalls = s->pending;
	s->pending = 0;
	return 0;
}

const struct collector_ops psi_collector = {
	.name = "psi",
	.open = psi_open,
	.sample = psi_sample,
	.close = psi_close,
	.poll_fd = psi_poll_fd,
	.ready = psi_ready,
};
