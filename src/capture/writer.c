/* writer.c - the dump writer thread: atomic writes, free-space guard, retention, error episodes. */
#include "capture/writer.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "base/clock.h"
#include "base/fileutil.h"
#include "base/log.h"
#include "base/xalloc.h"

#define QUEUE_MAX 16

struct job {
	char *name;
	struct strbuf data;
};

struct dump_writer {
	pthread_t thread;
	pthread_mutex_t lock;
	pthread_cond_t wake, idle;
	struct job queue[QUEUE_MAX];
	size_t qhead, qlen;
	bool busy, stop;
	char *dir;
	struct retention_policy retention;
	uint64_t min_free_bytes;
	struct writer_stats stats;
	int failing; /* errno of the current failure episode, 0 when writes succeed */
};

static void set_settings(struct dump_writer *w, const struct writer_settings *s)
{
	free(w->dir);
	w->dir = xstrdup(s->dir);
	w->retention = s->retention;
	w->min_free_bytes = s->min_free_bytes;
}

/* Logs a failure once per episode: the first of a run of errors, and the recovery. */
static void episode(struct dump_writer *w, int err, const char *dir, const char *what)
{
	if (err && w->failing != err)
		log_error("cannot write dumps to '%s': %s%s; sampling goes on, further failures "
			  "of this kind are not logged",
			  dir, what, strerror(err));
	else if (!err && w->failing)
		log_info("writing dumps to '%s' works again", dir);
	w->failing = err;
}

static void write_one(struct dump_writer *w, struct job *j, const char *dir,
		      struct retention_policy pol, uint64_t min_free)
{
	struct retention_result rr;
	struct statvfs vfs;
	int dfd, ret;

	ret = file_mkdirs(dir, 0750);
	if (ret < 0) {
		episode(w, -ret, dir, "");
		w->stats.failed++;
		return;
	}
	dfd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (dfd < 0) {
		episode(w, errno, dir, "");
		w->stats.failed++;
		return;
	}
	/* make room first: old dumps go before a new one could fill the disk */
	retention_enforce(dfd, &pol, clock_real_ns(), &rr);
	w->stats.deleted += (uint64_t)rr.deleted;
	if (min_free && fstatvfs(dfd, &vfs) == 0 &&
	    (uint64_t)vfs.f_bavail * vfs.f_frsize < min_free + j->data.len) {
		episode(w, ENOSPC, dir, "free space below min_free_mib: ");
		w->stats.failed++;
		close(dfd);
		return;
	}
	ret = file_write_atomic(dfd, j->name, j->data.buf, j->data.len, 0640);
	if (ret < 0) {
		episode(w, -ret, dir, "");
		w->stats.failed++;
	} else {
		episode(w, 0, dir, "");
		w->stats.written++;
		log_info("wrote %s/%s (%zu bytes)", dir, j->name, j->data.len);
		/* and count the new one against the limits */
		retention_enforce(dfd, &pol, clock_real_ns(), &rr);
		w->stats.deleted += (uint64_t)rr.deleted;
	}
	close(dfd);
}

static void *writer_main(void *arg)
{
	struct dump_writer *w = arg;

	pthread_mutex_lock(&w->lock);
	for (;;) {
		struct job j;
		struct retention_policy pol;
		uint64_t min_free;
		char *dir;

		while (!w->qlen && !w->stop)
			pthread_cond_wait(&w->wake, &w->lock);
		if (!w->qlen && w->stop)
			break;
		j = w->queue[w->qhead];
		w->qhead = (w->qhead + 1) % QUEUE_MAX;
		w->qlen--;
		w->busy = true;
		dir = xstrdup(w->dir);
		pol = w->retention;
		min_free = w->min_free_bytes;
		pthread_mutex_unlock(&w->lock);

		write_one(w, &j, dir, pol, min_free);
		free(dir);
		free(j.name);
		strbuf_release(&j.data);

		pthread_mutex_lock(&w->lock);
		w->busy = false;
		pthread_cond_broadcast(&w->idle);
	}
	pthread_mutex_unlock(&w->lock);
	return NULL;
}

struct dump_writer *dump_writer_new(const struct writer_settings *s)
{
	struct dump_writer *w = xcalloc(1, sizeof(*w));
	sigset_t all, old;
	int ret;

	pthread_mutex_init(&w->lock, NULL);
	pthread_cond_init(&w->wake, NULL);
	pthread_cond_init(&w->idle, NULL);
	set_settings(w, s);
	/* the thread starts with every signal blocked: they belong to the event loop's signalfd */
	sigfillset(&all);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	ret = pthread_create(&w->thread, NULL, writer_main, w);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (ret) {
		free(w->dir);
		free(w);
		errno = ret;
		return NULL;
	}
	return w;
}

void dump_writer_configure(struct dump_writer *w, const struct writer_settings *s)
{
	pthread_mutex_lock(&w->lock);
	set_settings(w, s);
	pthread_mutex_unlock(&w->lock);
}

void dump_writer_submit(struct dump_writer *w, const char *name, struct strbuf *data)
{
	pthread_mutex_lock(&w->lock);
	if (w->qlen == QUEUE_MAX) {
		w->stats.dropped++;
		pthread_mutex_unlock(&w->lock);
		log_warn("dump queue full, dropping '%s'", name);
		strbuf_release(data);
		return;
	}
	struct job *j = &w->queue[(w->qhead + w->qlen) % QUEUE_MAX];

	j->name = xstrdup(name);
	j->data = *data;
	strbuf_init(data);
	w->qlen++;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
}

void dump_writer_flush(struct dump_writer *w)
{
	pthread_mutex_lock(&w->lock);
	while (w->qlen || w->busy)
		pthread_cond_wait(&w->idle, &w->lock);
	pthread_mutex_unlock(&w->lock);
}

struct writer_stats dump_writer_stats(struct dump_writer *w)
{
	struct writer_stats s;

	pthread_mutex_lock(&w->lock);
	s = w->stats;
	pthread_mutex_unlock(&w->lock);
	return s;
}

void dump_writer_free(struct dump_writer *w)
{
	if (!w)
		return;
	pthread_mutex_lock(&w->lock);
	w->stop = true;
	pthread_cond_signal(&w->wake);
	pthread_mutex_unlock(&w->lock);
	pthread_join(w->thread, NULL);
	pthread_mutex_destroy(&w->lock);
	pthread_cond_destroy(&w->wake);
	pthread_cond_destroy(&w->idle);
	free(w->dir);
	free(w);
}
