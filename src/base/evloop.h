/* evloop.h - the one event loop of a process: epoll + timerfd + signalfd. */
#ifndef SPIKETRACE_BASE_EVLOOP_H
#define SPIKETRACE_BASE_EVLOOP_H

#include <stdint.h>

struct evloop;

typedef void (*evloop_fd_cb)(struct evloop *loop, int fd, uint32_t events, void *arg);
typedef void (*evloop_timer_cb)(struct evloop *loop, uint64_t expirations, void *arg);
typedef void (*evloop_signal_cb)(struct evloop *loop, int signo, void *arg);

struct evloop *evloop_new(void);
void evloop_free(struct evloop *loop); /* closes timers and the signalfd; NULL is a no-op */

/* Watches fd (not owned) for epoll events; returns 0 or a negative errno. */
int evloop_add_fd(struct evloop *loop, int fd, uint32_t events, evloop_fd_cb cb, void *arg);
int evloop_del_fd(struct evloop *loop, int fd);

/*
 * A periodic CLOCK_MONOTONIC timer, first firing after interval_ns. The
 * callback gets the number of expirations since it last ran (>1 when the loop
 * fell behind). Returns a timer id (>= 0) or a negative errno.
 */
int evloop_add_timer(struct evloop *loop, uint64_t interval_ns, evloop_timer_cb cb, void *arg);
int evloop_set_timer(struct evloop *loop, int id, uint64_t interval_ns);

/* Blocks sigs (n of them) and delivers them through a signalfd to cb. One call per loop. */
int evloop_add_signals(struct evloop *loop, const int *sigs, int n, evloop_signal_cb cb, void *arg);

/* Dispatches until evloop_stop; returns 0, or a negative errno if epoll fails. */
int evloop_run(struct evloop *loop);
void evloop_stop(struct evloop *loop);

#endif
