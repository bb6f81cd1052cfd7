/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * flock and POSIX locks, held on the objects themselves (core/locks.h):
 * they exclude shm_open users' locks and are excluded by them.
 *
 * The kernel sends each lock with a lock owner: for POSIX locks the
 * process's files table, for OFD and flock locks the open file. Each
 * (node, owner) gets an open file description of the object of its own,
 * on which POSIX locks are taken as OFD locks and flock locks with
 * flock(). They go as POSIX says: FLUSH at every close(2) carries the
 * closing process's owner, whose POSIX locks on the file then go; RELEASE
 * of an open file drops the owners first used through it (its OFD and
 * flock locks; a process's POSIX owner is gone by then, through FLUSH).
 * An open file's fh tells the opens of one node apart (ops_i.h).
 *
 * FLUSH costs a round trip at every close: an open of a node that no one
 * holds locks on through the mount is made FOPEN_NOFLUSH (locks_flush()),
 * so creates and copies go without it. POSIX locks taken later through
 * such an open then go when the open file is released (at its last
 * close, as flock locks do; the kernel sends RELEASE without waiting for
 * it), not at the close of another descriptor of the file.
 *
 * A blocking wait (F_SETLKW, flock without LOCK_NB) runs in a thread of
 * its own, which replies when the lock comes, so that waits cannot take
 * every thread of the request loop (which then could not even read the
 * INTERRUPT that would end them); when none can be had it waits in the
 * loop's thread, and loop.c passes the lead before such requests. When
 * the daemon stops, locks_stop() ends every wait (ENOLCK) and waits for
 * the replies. When the caller is signalled, the
 * kernel sends INTERRUPT: libfuse calls on_interrupt(), which wakes the
 * waiting thread with WAKE_SIGNAL (a handler that does nothing, installed
 * without SA_RESTART, unblocked only during the wait), so the wait fails
 * with EINTR, which goes back to the caller.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "locks.h"
#include "shared_ops.h"
#include "ops.h"
#include "ops_i.h"

#define WAKE_SIGNAL (SIGRTMIN + 5)
/* on_interrupt() repeats its signal this often, this many times, in case
 * the first came before the waiting thread was in the wait. */
#define WAKE_RETRY_US 100
#define WAKE_TRIES 100

static struct locktab locks;

static void on_wake(int sig)
{
	(void)sig;
}

void locks_init(void)
{
	struct sigaction sa = { .sa_handler = on_wake };

	locktab_init(&locks);
	sigemptyset(&sa.sa_mask);
	sigaction(WAKE_SIGNAL, &sa, NULL);
}

/* lock_open_fn: a new open file description of node ARG's object. */
static int open_description(void *arg, int *fd)
{
	struct node *n = arg;
	char path[32];

	snprintf(path, sizeof(path), "/proc/self/fd/%d", n->obj->fd);
	*fd = open(path, (n->obj->writable ? O_RDWR : O_RDONLY) | O_CLOEXEC |
				 O_NONBLOCK);
	return *fd < 0 ? errno : 0;
}

/* The owner of FI's lock, made when MAKE. */
static int owner_of(const struct fuse_file_info *fi, bool make,
		    struct lockowner **o)
{
	struct node *n = fh_node(fi);

	return lockowner_get(&locks, (uintptr_t)n, fi->lock_owner, fi->fh,
			     make ? open_description : NULL, n, o);
}

struct waiter {
	pthread_t thread;
	atomic_bool interrupted;
	atomic_bool done;
	struct waiter *next; /* in WAITERS */
};

/* Every wait under way, for locks_stop(); STOPPING: no new wait starts. */
static pthread_mutex_t waiters_lock = PTHREAD_MUTEX_INITIALIZER;
static struct waiter *waiters;
static atomic_bool stopping;
/* Threads of their own that waits run in (lockreq_start()): at most
 * WAIT_THREADS_MAX, with small stacks. */
#define WAIT_THREADS_MAX 1024
#define WAIT_STACK (128 * 1024)
static atomic_int wait_threads;

static void on_interrupt(fuse_req_t req, void *data)
{
	struct waiter *w = data;

	(void)req;
	atomic_store(&w->interrupted, true);
	if (pthread_equal(pthread_self(), w->thread))
		return; /* registered after the interrupt: it sees the flag */
	for (int i = 0; i < WAKE_TRIES && !atomic_load(&w->done); i++) {
		pthread_kill(w->thread, WAKE_SIGNAL);
		usleep(WAKE_RETRY_US);
	}
}

/* A lock call, blocking or not. */
struct lockcall {
	int fd;
	int cmd;          /* fcntl's, or 0 for flock */
	int op;           /* flock's */
	struct flock fl;
};

static int lock_call(struct lockcall *c)
{
	if (c->cmd)
		return fcntl(c->fd, c->cmd, &c->fl) ? errno : 0;
	return flock(c->fd, c->op) ? errno : 0;
}

/* W waits (true), unless the daemon is stopping. */
static bool waiting(struct waiter *w, bool on)
{
	struct waiter **pp;
	bool ok = true;

	pthread_mutex_lock(&waiters_lock);
	if (on && stopping) {
		ok = false;
	} else if (on) {
		w->next = waiters;
		waiters = w;
	} else {
		for (pp = &waiters; *pp != w; pp = &(*pp)->next)
			;
		*pp = w->next;
	}
	pthread_mutex_unlock(&waiters_lock);
	return ok;
}

/* Run C, which may block, until it is done or REQ is interrupted. */
static int wait_interruptibly(fuse_req_t req, struct lockcall *c)
{
	struct waiter w = { .thread = pthread_self() };
	sigset_t wake, old;
	int err;

	if (!waiting(&w, true))
		return ENOLCK; /* the daemon is stopping */
	sigemptyset(&wake);
	sigaddset(&wake, WAKE_SIGNAL);
	pthread_sigmask(SIG_UNBLOCK, &wake, &old);
	fuse_req_interrupt_func(req, on_interrupt, &w);
	do
		err = atomic_load(&w.interrupted) ? EINTR : lock_call(c);
	while (err == EINTR && !atomic_load(&w.interrupted));
	atomic_store(&w.done, true);
	/* Waits for an on_interrupt() under way: W is ours again. */
	fuse_req_interrupt_func(req, NULL, NULL);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	waiting(&w, false);
	/* Cut short by locks_stop(), not by the caller: say so. */
	return err == EINTR && atomic_load(&stopping) ? ENOLCK : err;
}

void locks_stop(void)
{
	bool any = true;

	pthread_mutex_lock(&waiters_lock);
	atomic_store(&stopping, true);
	pthread_mutex_unlock(&waiters_lock);
	/* Wake every wait, again until none is left (a wake that came just
	 * before its thread entered the wait is lost). */
	for (int i = 0; any && i < WAKE_TRIES * 10; i++) {
		pthread_mutex_lock(&waiters_lock);
		for (struct waiter *w = waiters; w; w = w->next) {
			atomic_store(&w->interrupted, true);
			pthread_kill(w->thread, WAKE_SIGNAL);
		}
		/* Until the wait threads have replied: the session must
		 * outlive their replies. */
		any = waiters != NULL || atomic_load(&wait_threads) > 0;
		pthread_mutex_unlock(&waiters_lock);
		if (any)
			usleep(WAKE_RETRY_US * 10);
	}
}

/* Take or drop a lock as C says, for FI's owner. */
static int lock_as_owner(fuse_req_t req, const struct fuse_file_info *fi,
			 struct lockcall *c, bool unlock, bool sleep,
			 pid_t pid)
{
	struct lockowner *o;
	int err = owner_of(fi, !unlock, &o);

	if (err == ENOENT && unlock)
		return 0; /* it holds nothing */
	if (err)
		return err;
	if (!unlock)
		o->pid = pid;
	c->fd = o->fd;
	err = sleep ? wait_interruptibly(req, c) : lock_call(c);
	lockowner_put(&locks, o);
	return err;
}

/* A lock request, kept for the thread that waits for it. */
struct lockreq {
	fuse_req_t req;
	struct fuse_file_info fi;
	struct lockcall c;
	bool unlock, sleep;
	pid_t pid;
};

static void lockreq_run(struct lockreq *r)
{
	fuse_reply_err(r->req, lock_as_owner(r->req, &r->fi, &r->c, r->unlock,
					     r->sleep, r->pid));
}

static void *waiter_main(void *arg)
{
	lockreq_run(arg);
	free(arg);
	atomic_fetch_sub(&wait_threads, 1);
	return NULL;
}

/* A wait gets a thread of its own (it replies when the lock comes), so
 * that no number of waits holds up the request loop's threads. Else
 * (too many, or no thread to be had) it waits in this one. */
static void lockreq_start(struct lockreq *r)
{
	struct lockreq *copy;
	pthread_attr_t attr;
	pthread_t t;
	int err;

	if (!r->sleep) {
		lockreq_run(r);
		return;
	}
	if (atomic_fetch_add(&wait_threads, 1) >= WAIT_THREADS_MAX ||
	    !(copy = malloc(sizeof(*copy)))) {
		atomic_fetch_sub(&wait_threads, 1);
		lockreq_run(r);
		return;
	}
	*copy = *r;
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, WAIT_STACK);
	/* The loop's threads block every signal: so does this one, but for
	 * WAKE_SIGNAL during its wait. */
	err = pthread_create(&t, &attr, waiter_main, copy);
	pthread_attr_destroy(&attr);
	if (err) {
		free(copy);
		atomic_fetch_sub(&wait_threads, 1);
		lockreq_run(r);
	}
}

void pshmfs_setlk(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		  struct flock *lock, int sleep)
{
	struct lockreq r = {
		.req = req, .fi = *fi,
		.c = { .cmd = sleep ? F_OFD_SETLKW : F_OFD_SETLK, .fl = *lock },
		.unlock = lock->l_type == F_UNLCK, .pid = lock->l_pid,
	};

	TRACE(fs_of(req), "setlk: ino %" PRIu64 " owner %" PRIx64
	      " type %d start %jd len %jd sleep %d\n", ino, fi->lock_owner,
	      lock->l_type, (intmax_t)lock->l_start, (intmax_t)lock->l_len,
	      sleep);
	r.c.fl.l_pid = 0; /* as OFD locks must have */
	r.sleep = sleep && !r.unlock;
	lockreq_start(&r);
}

void pshmfs_flock(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		  int op)
{
	struct lockreq r = { .req = req, .fi = *fi, .c = { .op = op },
			     .unlock = (op & LOCK_UN) != 0,
			     .pid = fuse_req_ctx(req)->pid };

	TRACE(fs_of(req), "flock: ino %" PRIu64 " owner %" PRIx64 " op 0x%x\n",
	      ino, fi->lock_owner, op);
	r.sleep = !r.unlock && !(op & LOCK_NB);
	lockreq_start(&r);
}

/* Does owner O hold the lock FL (the one found in the way)? Asked the
 * same question, O does not see its own lock. */
static bool holds_lock(struct lockowner *o, void *arg)
{
	const struct flock *found = arg;
	struct flock q = *found;

	q.l_type = F_WRLCK;
	q.l_pid = 0;
	if (fcntl(o->fd, F_OFD_GETLK, &q))
		return false;
	return q.l_type == F_UNLCK || q.l_start != found->l_start ||
	       q.l_len != found->l_len || q.l_type != found->l_type;
}

void pshmfs_getlk(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		  struct flock *lock)
{
	struct node *n = fh_node(fi);
	struct lockowner *o = NULL, *holder;
	struct flock fl = *lock;
	int err;

	TRACE(fs_of(req), "getlk: ino %" PRIu64 " owner %" PRIx64 "\n", ino,
	      fi->lock_owner);
	/* The owner's own locks are not in its way; one with none yet asks
	 * through the node's descriptor, which holds no lock. */
	owner_of(fi, false, &o);
	fl.l_pid = 0;
	err = fcntl(o ? o->fd : n->obj->fd, F_OFD_GETLK, &fl) ? errno : 0;
	if (!err && fl.l_type != F_UNLCK && fl.l_pid == -1) {
		/* An OFD lock: one of ours shows its process, else none. */
		holder = locks_find(&locks, (uintptr_t)n, o, holds_lock, &fl);
		fl.l_pid = holder ? holder->pid : 0;
		if (holder)
			lockowner_put(&locks, holder);
	}
	if (o)
		lockowner_put(&locks, o);
	if (err)
		fuse_reply_err(req, err);
	else
		fuse_reply_lock(req, &fl);
}

void pshmfs_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	(void)ino;
	/* close(2): the closing process's POSIX locks on the file go. */
	locks_drop_owner(&locks, (uintptr_t)fh_node(fi), fi->lock_owner);
	fuse_reply_err(req, 0);
}

bool locks_flush(struct node *n)
{
	return locks_any(&locks, (uintptr_t)n);
}

void shared_release(struct pshmfs *fs, struct fuse_file_info *fi)
{
	(void)fs;
	locks_drop_fh(&locks, (uintptr_t)fh_node(fi), fi->fh);
}
