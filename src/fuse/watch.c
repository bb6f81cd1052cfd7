/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * The notifies for cached attributes and names: when -o attr_timeout= or
 * entry_timeout= lets the kernel cache, the core (src/core/coherence.c)
 * decides, at every change in the shm directory, what the kernel holds
 * that went stale, and calls the two functions here, which queue a
 * notify. One thread follows the shm directory (the index's inotify
 * descriptor: there is one reader), applies what changed (core_sync), and
 * sends the queued notifies with no lock held: a notify may wait in the
 * kernel for a directory that a request in flight holds, so it is never
 * sent from a request, nor with a lock a request may want.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "ops.h"
#include "ops_i.h"

static void wake(struct notifyq *q)
{
	static const uint64_t one = 1;

	while (write(q->wake_fd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
}

/* Room for one more of SIZE bytes in *V (*CAP of them); false: none, and
 * the notify is lost (the timeout still bounds what the kernel keeps). */
static bool room(void **v, size_t n, size_t *cap, size_t size)
{
	size_t ncap = *cap ? *cap * 2 : 256;
	void *grown;

	if (n < *cap)
		return true;
	grown = realloc(*v, ncap * size);
	if (!grown)
		return false;
	*v = grown;
	*cap = ncap;
	return true;
}

/* core_inval.inode: drop the kernel's attributes and cached data of N. */
static void queue_inode(void *arg, struct node *n)
{
	struct pshmfs *fs = arg;
	struct notifyq *q = &fs->q;
	fuse_ino_t ino = ino_of(n);
	bool first;

	pthread_mutex_lock(&q->lock);
	first = !q->ninodes && !q->nentries && !q->npaths;
	if (!q->stopped && (!q->ninodes || q->inodes[q->ninodes - 1] != ino) &&
	    room((void **)&q->inodes, q->ninodes, &q->inodes_cap,
		 sizeof(*q->inodes)))
		q->inodes[q->ninodes++] = ino;
	pthread_mutex_unlock(&q->lock);
	if (first)
		wake(q);
}

/* core_inval.entry: drop the kernel's entry NAME (LEN bytes) in PARENT. */
static void queue_entry(void *arg, struct node *parent, const char *name,
			size_t len)
{
	struct pshmfs *fs = arg;
	struct notifyq *q = &fs->q;
	char *copy = strndup(name, len);
	bool first;

	pthread_mutex_lock(&q->lock);
	first = !q->ninodes && !q->nentries && !q->npaths;
	if (copy && !q->stopped &&
	    room((void **)&q->entries, q->nentries, &q->entries_cap,
		 sizeof(*q->entries))) {
		q->entries[q->nentries++] =
			(struct notify_entry){ ino_of(parent), copy, len };
		copy = NULL;
	}
	pthread_mutex_unlock(&q->lock);
	free(copy);
	if (first)
		wake(q);
}

/* core_inval.relookup: look directory PATH up again from this thread. */
static void queue_relookup(void *arg, const char *path)
{
	struct pshmfs *fs = arg;
	struct notifyq *q = &fs->q;
	char *copy = strdup(path);
	bool first;

	pthread_mutex_lock(&q->lock);
	first = !q->ninodes && !q->nentries && !q->npaths;
	if (copy && !q->stopped &&
	    room((void **)&q->paths, q->npaths, &q->paths_cap,
		 sizeof(*q->paths))) {
		q->paths[q->npaths++] = copy;
		copy = NULL;
	}
	pthread_mutex_unlock(&q->lock);
	free(copy);
	if (first)
		wake(q);
}

/* A stat through the mount: the kernel looks PATH up, and moves the
 * directory it finds to where it is now (the lookup's reply says). */
static void relookup(struct pshmfs *fs, const char *path)
{
	char *full = NULL;
	struct stat st;

	if (asprintf(&full, "%s/%s", fs->mountpoint, path) >= 0)
		fstatat(AT_FDCWD, full, &st, AT_SYMLINK_NOFOLLOW);
	free(full);
}

/* Send what is queued (or with !SEND, drop it), with no lock held while
 * sending. If the kernel forgot a node meanwhile, its notify finds
 * nothing. */
static void send_queued(struct pshmfs *fs, bool send)
{
	struct notifyq *q = &fs->q;
	struct notify_entry *entries;
	fuse_ino_t *inodes;
	char **paths;
	size_t ni, ne, np;

	pthread_mutex_lock(&q->lock);
	paths = q->paths;
	np = q->npaths;
	q->paths = NULL;
	q->npaths = q->paths_cap = 0;
	inodes = q->inodes;
	ni = q->ninodes;
	entries = q->entries;
	ne = q->nentries;
	q->inodes = NULL;
	q->entries = NULL;
	q->ninodes = q->nentries = q->inodes_cap = q->entries_cap = 0;
	pthread_mutex_unlock(&q->lock);
	for (size_t i = 0; i < ne; i++) {
		if (send)
			fuse_lowlevel_notify_inval_entry(fs->se,
							 entries[i].parent,
							 entries[i].name,
							 entries[i].len);
		free(entries[i].name);
	}
	for (size_t i = 0; send && i < ni; i++)
		fuse_lowlevel_notify_inval_inode(fs->se, inodes[i], -1, 0);
	/* After the notifies: the kernel has dropped the old parent. */
	for (size_t i = 0; i < np; i++) {
		if (send)
			relookup(fs, paths[i]);
		free(paths[i]);
	}
	free(paths);
	free(entries);
	free(inodes);
}

/* At most one core_sync() a millisecond. Every write() to a watched object
 * (the mount's own, passed through, too) queues an inotify event and
 * wakes this thread; events that wait unread are merged by the kernel
 * instead. An isolated change still shows at once; in a stream of them,
 * within a millisecond. Measured: rewrite through passthrough 0.86 of
 * native waking at every write, 0.91 at most once a millisecond. */
#define SYNC_GAP_NS 1000000L

static void pace(struct timespec *last)
{
	struct timespec now, gap = { 0, 0 };
	long ns;

	clock_gettime(CLOCK_MONOTONIC, &now);
	ns = (now.tv_sec - last->tv_sec) * 1000000000L +
	     (now.tv_nsec - last->tv_nsec);
	if (ns >= 0 && ns < SYNC_GAP_NS) {
		gap.tv_nsec = SYNC_GAP_NS - ns;
		while (nanosleep(&gap, &gap) && errno == EINTR)
			;
		clock_gettime(CLOCK_MONOTONIC, &now);
	}
	*last = now;
}

/* Until watch_stop(): no cancellation, which could strike with a lock
 * held. */
static void *watch_loop(void *arg)
{
	struct pshmfs *fs = arg;
	struct timespec last = { 0, 0 };
	struct pollfd p[3] = {
		{ .fd = core_events_fd(&fs->core), .events = POLLIN },
		{ .fd = fs->q.wake_fd, .events = POLLIN },
		{ .fd = fs->watch_stop_fd, .events = POLLIN },
	};
	uint64_t n;

	while (poll(p, 3, -1) >= 0 || errno == EINTR) {
		if (p[2].revents)
			break;
		if (p[1].revents && read(fs->q.wake_fd, &n, sizeof(n)) < 0 &&
		    errno != EAGAIN && errno != EINTR)
			break;
		if (p[0].revents) {
			pace(&last);
			core_sync(&fs->core);
		}
		send_queued(fs, true);
	}
	return NULL;
}

int watch_init(struct pshmfs *fs)
{
	fs->watching = false;
	fs->watch_stop_fd = fs->q.wake_fd = -1;
	if (fs->o.attr_timeout <= 0 && fs->o.entry_timeout <= 0)
		return 0;
	pthread_mutex_init(&fs->q.lock, NULL);
	fs->q.wake_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	fs->watch_stop_fd = eventfd(0, EFD_CLOEXEC);
	if (fs->q.wake_fd < 0 || fs->watch_stop_fd < 0)
		return errno;
	fs->core.inval = (struct core_inval){ queue_inode, queue_entry,
					      queue_relookup, fs };
	return 0;
}

static void watch_close(struct pshmfs *fs)
{
	if (fs->q.wake_fd >= 0)
		close(fs->q.wake_fd);
	if (fs->watch_stop_fd >= 0)
		close(fs->watch_stop_fd);
	fs->q.wake_fd = fs->watch_stop_fd = -1;
}

int watch_start(struct pshmfs *fs)
{
	sigset_t all, old;
	int err;

	if (fs->watch_stop_fd < 0)
		return 0;
	/* Signals are for the thread that serves. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	err = pthread_create(&fs->watch_thread, NULL, watch_loop, fs);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err)
		return err;
	pthread_setname_np(fs->watch_thread, "pshmfs-watch"); /* top -H */
	fs->watching = true;
	return 0;
}

/* While the request threads still answer: a notify may wait in the
 * kernel for a directory that a request in flight holds. The caches stay
 * on (watching), but nothing drops them any more. */
void watch_stop(void *arg)
{
	static const uint64_t one = 1;
	struct pshmfs *fs = arg;

	if (fs->watch_stop_fd < 0)
		return;
	pthread_mutex_lock(&fs->q.lock);
	fs->q.stopped = true;
	pthread_mutex_unlock(&fs->q.lock);
	if (fs->watching) {
		while (write(fs->watch_stop_fd, &one, sizeof(one)) < 0 &&
		       errno == EINTR)
			;
		pthread_join(fs->watch_thread, NULL);
	}
	send_queued(fs, false); /* nothing queues now */
	watch_close(fs);
}
