/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * The request loop: leader and followers, with a leader that polls.
 *
 * A FUSE request costs two wake-ups: the kernel wakes a daemon thread, the
 * reply wakes the caller. On a virtual machine whose idle CPUs halt, each
 * wake-up of a sleeping CPU goes through the hypervisor and costs tens of
 * microseconds, where tmpfs answers a create in ten. So one thread, the
 * leader, waits for the next request by trying to read it for a short
 * while (-o spin=, 50 us by default) before it sleeps in poll(): a caller
 * that makes request after request (cp, rm -r, a create loop) finds it
 * awake. An idle daemon sleeps and costs nothing.
 *
 * Only the leader reads /dev/fuse; the other threads wait for the lead on
 * a condition variable, so a request wakes one thread at most. The leader
 * answers a quick request itself and leads on; before a request that may
 * take long (data, listings, renames) it passes the lead to a follower,
 * started if none waits, so requests keep flowing meanwhile.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/fuse.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "loop.h"
#include "pshmfs.h"

struct loop {
	struct fuse_session *se;
	int fd;                /* /dev/fuse, non-blocking */
	int stop;              /* eventfd, readable once the loop is over */
	long spin_ns;
	pthread_mutex_t lock;
	pthread_cond_t turn;   /* followers wait here for the lead */
	bool leader;           /* some thread leads */
	bool done;
	int idle;              /* followers waiting */
	int err;               /* why the loop ended: 0 or -errno */
	unsigned nthreads, max_threads;
	pthread_t *threads;
};

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000000000LL + t.tv_nsec;
}

/* The next request into BUF: try for spin_ns, then sleep in poll().
 * libfuse's return: > 0 a request, 0 unmounted, < 0 -errno. */
static int await_request(struct loop *l, struct fuse_buf *buf)
{
	struct pollfd p[2] = { { .fd = l->fd, .events = POLLIN },
			       { .fd = l->stop, .events = POLLIN } };
	long long until = now_ns() + l->spin_ns;
	int res;

	for (;;) {
		res = fuse_session_receive_buf(l->se, buf);
		if (res != -EAGAIN)
			return res;
		if (now_ns() < until)
			continue;
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			return -errno;
		if (p[1].revents)
			return 0;
		until = now_ns() + l->spin_ns;
	}
}

/* Requests that may keep the leader long: it passes the lead first. */
static bool slow_request(const struct fuse_buf *buf)
{
	const struct fuse_in_header *in = buf->mem;

	switch (in->opcode) {
	case FUSE_READ:
	case FUSE_WRITE:
	case FUSE_READDIR:
	case FUSE_READDIRPLUS:
	case FUSE_OPENDIR:
	case FUSE_RENAME:
	case FUSE_RENAME2:
	case FUSE_RMDIR:
	case FUSE_SETATTR:
	case FUSE_FSYNC:
	case FUSE_FALLOCATE:
	case FUSE_SETLKW: /* waits for a lock (issue 16, lock_ops.c) */
		return true;
	default:
		return false;
	}
}

static void *worker(void *arg);

/* Start one more thread, signals blocked: they are the main thread's.
 * Called with the lock held. */
static int start_worker(struct loop *l)
{
	sigset_t all, old;
	int err;

	if (l->nthreads == l->max_threads || l->done)
		return EAGAIN;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	err = pthread_create(&l->threads[l->nthreads], NULL, worker, l);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (!err) /* for top -H and the tests */
		pthread_setname_np(l->threads[l->nthreads++], "pshmfs-loop");
	return err;
}

/* Wait until no one leads, and lead; false once the loop is done. */
static bool take_lead(struct loop *l)
{
	bool lead;

	pthread_mutex_lock(&l->lock);
	while (l->leader && !l->done) {
		l->idle++;
		pthread_cond_wait(&l->turn, &l->lock);
		l->idle--;
	}
	lead = !l->done;
	if (lead)
		l->leader = true;
	pthread_mutex_unlock(&l->lock);
	return lead;
}

/* Let a follower lead, starting one if none waits (at most max_threads:
 * then the next thread to finish its request leads). */
static void pass_lead(struct loop *l)
{
	pthread_mutex_lock(&l->lock);
	l->leader = false;
	if (l->idle)
		pthread_cond_signal(&l->turn);
	else
		start_worker(l);
	pthread_mutex_unlock(&l->lock);
}

/* The loop is over (unmounted, or ended by a signal): every thread ends
 * after its request; the leader's and the main thread's poll() return. */
static void finish(struct loop *l, int err)
{
	static const uint64_t one = 1;

	pthread_mutex_lock(&l->lock);
	if (!l->done) {
		l->done = true;
		l->err = err;
		if (write(l->stop, &one, sizeof(one)) != sizeof(one))
			l->err = -errno;
	}
	l->leader = false;
	pthread_cond_broadcast(&l->turn);
	pthread_mutex_unlock(&l->lock);
}

static void *worker(void *arg)
{
	struct loop *l = arg;
	struct fuse_buf buf = { .mem = NULL };
	bool lead = false;
	int res;

	while (lead || take_lead(l)) {
		lead = true;
		res = await_request(l, &buf);
		if (res == -EINTR)
			continue;
		if (res <= 0) {
			finish(l, res);
			break;
		}
		if (slow_request(&buf)) {
			pass_lead(l);
			lead = false;
		}
		fuse_session_process_buf(l->se, &buf);
	}
	free(buf.mem);
	return NULL;
}

static int loop_init(struct loop *l, struct fuse_session *se,
		     unsigned max_threads, long spin_us)
{
	int flags, err;

	memset(l, 0, sizeof(*l));
	l->se = se;
	l->fd = fuse_session_fd(se);
	l->spin_ns = spin_us * 1000;
	l->max_threads = max_threads ? max_threads : 1;
	l->threads = calloc(l->max_threads, sizeof(*l->threads));
	l->stop = eventfd(0, EFD_CLOEXEC);
	flags = fcntl(l->fd, F_GETFL);
	if (!l->threads || l->stop < 0 || flags < 0 ||
	    fcntl(l->fd, F_SETFL, flags | O_NONBLOCK) < 0) {
		err = errno;
		log_err("cannot start the request loop: %s", strerror(err));
		free(l->threads);
		if (l->stop >= 0)
			close(l->stop);
		return -1;
	}
	pthread_mutex_init(&l->lock, NULL);
	pthread_cond_init(&l->turn, NULL);
	return 0;
}

static void loop_destroy(struct loop *l)
{
	pthread_cond_destroy(&l->turn);
	pthread_mutex_destroy(&l->lock);
	close(l->stop);
	free(l->threads);
}

/* SIGHUP, SIGINT and SIGTERM end the loop, but not the session at once,
 * as libfuse's handlers would (the leader could then read no more): the
 * caller's BEFORE_STOP runs while requests are still answered. */
static const int exit_signals[] = { SIGHUP, SIGINT, SIGTERM };
#define NSIGNALS (sizeof(exit_signals) / sizeof(exit_signals[0]))
static volatile sig_atomic_t signalled;

static void on_signal(int sig)
{
	(void)sig;
	signalled = 1;
}

/* Ours instead of libfuse's, but for a signal ignored (nohup). */
static void catch_signals(struct sigaction old[NSIGNALS])
{
	struct sigaction sa = { .sa_handler = on_signal };

	sigemptyset(&sa.sa_mask);
	signalled = 0;
	for (size_t i = 0; i < NSIGNALS; i++) {
		sigaction(exit_signals[i], NULL, &old[i]);
		if (old[i].sa_handler != SIG_IGN)
			sigaction(exit_signals[i], &sa, NULL);
	}
}

static void restore_signals(const struct sigaction old[NSIGNALS])
{
	for (size_t i = 0; i < NSIGNALS; i++)
		sigaction(exit_signals[i], &old[i], NULL);
}

/* Until the loop is over or a signal comes: the signals are blocked but
 * in ppoll(), so none comes between the check and the wait. */
static void wait_end(struct loop *l)
{
	struct pollfd p = { .fd = l->stop, .events = POLLIN };
	sigset_t block, old;

	sigemptyset(&block);
	for (size_t i = 0; i < NSIGNALS; i++)
		sigaddset(&block, exit_signals[i]);
	pthread_sigmask(SIG_BLOCK, &block, &old);
	while (!signalled && !p.revents)
		ppoll(&p, 1, NULL, &old);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
}

int loop_run(struct fuse_session *se, unsigned max_threads, long spin_us,
	     void (*before_stop)(void *), void *arg)
{
	struct sigaction old[NSIGNALS];
	struct loop l;
	unsigned n;
	int err;

	if (loop_init(&l, se, max_threads, spin_us))
		return -1;
	catch_signals(old);
	/* A signal since libfuse's handlers went in (mount, daemonize):
	 * ours now, so that the requests in flight are answered. */
	if (fuse_session_exited(se)) {
		signalled = 1;
		fuse_session_reset(se);
	}
	pthread_mutex_lock(&l.lock);
	err = start_worker(&l);
	pthread_mutex_unlock(&l.lock);
	if (err)
		log_err("cannot start a request thread: %s", strerror(err));
	else
		wait_end(&l);
	if (before_stop)
		before_stop(arg);
	finish(&l, 0);
	/* No thread starts once the loop is done: nthreads is final. */
	pthread_mutex_lock(&l.lock);
	n = l.nthreads;
	pthread_mutex_unlock(&l.lock);
	for (unsigned i = 0; i < n; i++)
		pthread_join(l.threads[i], NULL);
	restore_signals(old);
	err = err || l.err;
	loop_destroy(&l);
	return err ? -1 : 0;
}
