/** @file
 * Invalidation for cached attributes and names: when -o attr_timeout= or
 * entry_timeout= lets the kernel cache, a thread follows the shm directory
 * through inotify and tells the kernel what changed, whoever changed it:
 * the object's attributes (written, truncated, chmod'ed elsewhere) and the
 * names that appeared, went or moved. It runs beside the request threads
 * and never inside one, as libfuse's notify calls require.
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "ops.h"
#include "ops_i.h"

#define WATCH_MASK (IN_MODIFY | IN_ATTRIB | IN_CREATE | IN_DELETE | \
		    IN_MOVED_FROM | IN_MOVED_TO | IN_ONLYDIR)

/* The node of directory DIR (an object name ending in the delimiter), if
 * the kernel knows it; 0 if not. */
static fuse_ino_t dir_ino(struct pshmfs *fs, const char *dir)
{
	struct node *n;

	pthread_mutex_lock(&fs->nodes.lock);
	n = nodes_find_dir(&fs->nodes, dir);
	pthread_mutex_unlock(&fs->nodes.lock);
	/* Only its id is used past the lock: if the kernel forgot the node
	 * meanwhile, the notify finds nothing. */
	return n ? (uintptr_t)n : 0;
}

/* Whether the kernel already has object NAME under that name, from our
 * create or its lookup: then its entry is right. (For a new object only:
 * a node keeps its name when another program renames or removes it.) */
static bool entry_known(struct pshmfs *fs, const char *name)
{
	struct stat st;
	struct node *n;
	bool known;

	if (shmobj_stat(fs->dirfd, name, &st))
		return false;
	pthread_mutex_lock(&fs->nodes.lock);
	n = nodes_find(&fs->nodes, st.st_ino);
	known = n && n->name && strcmp(n->name, name) == 0;
	pthread_mutex_unlock(&fs->nodes.lock);
	return known;
}

static void drop_entry(struct pshmfs *fs, fuse_ino_t parent, const char *comp,
		       size_t len)
{
	if (len)
		fuse_lowlevel_notify_inval_entry(fs->se, parent, comp, len);
}

/* Object NAME was made (MADE) or went (removed, renamed away): drop the
 * answers the kernel keeps along its path that are wrong now: "not there"
 * for what was made, a node for what went. A name made outside may make
 * directories appear ("a:b:c": a and a/b), its removal end them. What the
 * kernel has right stays, so our own creates (CREATED) keep their entries;
 * a name renamed into place is always dropped, since the node's name may
 * be an old one that other programs renamed away. (The
 * directories' own attributes, link count and times, are left to their
 * timeout.) */
static void invalidate_path(struct pshmfs *fs, const char *name, bool made,
			    bool created)
{
	const char *comp = name + strlen(fs->o.prefix), *end;
	fuse_ino_t parent = FUSE_ROOT_ID, dir;
	objname_t path;
	struct stat st;

	for (;;) {
		end = fs->o.delim ? strchr(comp, fs->o.delim) : NULL;
		if (!end) {
			if (!created || !entry_known(fs, name))
				drop_entry(fs, parent, comp, strlen(comp));
			return;
		}
		memcpy(path, name, (size_t)(end + 1 - name));
		path[end + 1 - name] = '\0';
		dir = dir_ino(fs, path);
		/* Unknown to the kernel, or gone with the name: drop it
		 * and what is below goes with it. */
		if (!dir || (!made && dir_stat(fs, path, &st))) {
			drop_entry(fs, parent, comp, (size_t)(end - comp));
			return;
		}
		if (!end[1]) {
			/* Its marker: the directory's mode, owner, times. */
			fuse_lowlevel_notify_inval_inode(fs->se, dir, -1, 0);
			return;
		}
		parent = dir;
		comp = end + 1;
	}
}

/* Object NAME's content or attributes changed: drop its attributes, if
 * the kernel's differ from the object's. */
static void invalidate_attrs(struct pshmfs *fs, const char *name)
{
	struct stat st;
	struct node *n;
	bool stale;

	size_t len = strlen(name);
	fuse_ino_t dir;

	if (fs->o.delim && len && name[len - 1] == fs->o.delim) {
		/* A directory's marker. */
		dir = dir_ino(fs, name);
		if (dir)
			fuse_lowlevel_notify_inval_inode(fs->se, dir, -1, 0);
		return;
	}
	if (shmobj_stat(fs->dirfd, name, &st))
		return;
	pthread_mutex_lock(&fs->nodes.lock);
	n = nodes_find(&fs->nodes, st.st_ino);
	stale = n && !node_seen_same(n, &st);
	pthread_mutex_unlock(&fs->nodes.lock);
	if (stale)
		fuse_lowlevel_notify_inval_inode(fs->se, (uintptr_t)n, -1, 0);
}

/* A name removed from under the kernel was likely replaced, and may be
 * again soon: a program that churns a name (unlink, recreate) would make
 * every open through the mount find the kernel's cached entry stale and
 * its one retry race the next replacement (ESTALE to the caller). For
 * entry_timeout seconds, such a name is looked up afresh at every use. */
static size_t removed_slot(const char *name, uint64_t *hash)
{
	*hash = names_hash(name);
	return (size_t)(*hash % RECENT_SLOTS);
}

static void note_removed(struct pshmfs *fs, const char *name)
{
	uint64_t hash;
	size_t i = removed_slot(name, &hash);

	pthread_mutex_lock(&fs->removed.lock);
	fs->removed.hash[i] = hash;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &fs->removed.when[i]);
	pthread_mutex_unlock(&fs->removed.lock);
}

double watch_entry_timeout(struct pshmfs *fs, const char *name)
{
	struct timespec now, then;
	uint64_t hash, seen;
	size_t i;

	if (!fs->watching)
		return fs->o.entry_timeout;
	i = removed_slot(name, &hash);
	pthread_mutex_lock(&fs->removed.lock);
	seen = fs->removed.hash[i];
	then = fs->removed.when[i];
	pthread_mutex_unlock(&fs->removed.lock);
	if (seen != hash)
		return fs->o.entry_timeout;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	return (double)(now.tv_sec - then.tv_sec) +
	       (double)(now.tv_nsec - then.tv_nsec) / 1e9 < fs->o.entry_timeout
	       ? 0 : fs->o.entry_timeout;
}

/* Object NAME changed (MASK says how): drop what the kernel keeps of it. */
static void invalidate(struct pshmfs *fs, const char *name, uint32_t mask)
{
	if (strncmp(name, fs->o.prefix, strlen(fs->o.prefix)) != 0 ||
	    names_hidden(name))
		return;
	if (mask & (IN_MODIFY | IN_ATTRIB))
		invalidate_attrs(fs, name);
	if (mask & IN_CREATE)
		invalidate_path(fs, name, true, true);
	if (mask & IN_MOVED_TO)
		invalidate_path(fs, name, true, false);
	if (mask & (IN_DELETE | IN_MOVED_FROM)) {
		note_removed(fs, name);
		invalidate_path(fs, name, false, false);
	}
}

struct ids {
	fuse_ino_t *v;
	size_t n, cap;
};

static void collect_node(struct node *n, void *arg)
{
	struct ids *ids = arg;
	fuse_ino_t *v;

	if (ids->n == ids->cap) {
		v = realloc(ids->v, (ids->cap ? ids->cap * 2 : 256) * sizeof(*v));
		if (!v)
			return;
		ids->v = v;
		ids->cap = ids->cap ? ids->cap * 2 : 256;
	}
	ids->v[ids->n++] = (uintptr_t)n;
}

/* Events were lost (the inotify queue overflowed): drop every node's
 * attributes, the root's too. The ids are collected first, so that no
 * notify waits in the kernel while the table is locked. (Cached names
 * stay until entry_timeout.) */
static void invalidate_all(struct pshmfs *fs)
{
	struct ids ids = { NULL, 0, 0 };

	nodes_each(&fs->nodes, collect_node, &ids);
	for (size_t i = 0; i < ids.n; i++)
		fuse_lowlevel_notify_inval_inode(fs->se, ids.v[i], -1, 0);
	fuse_lowlevel_notify_inval_inode(fs->se, FUSE_ROOT_ID, -1, 0);
	free(ids.v);
}

/* Until watch_stop(): no cancellation, which could strike with a lock
 * held. */
static void *watch_loop(void *arg)
{
	struct pshmfs *fs = arg;
	char buf[64 * (sizeof(struct inotify_event) + NAME_MAX + 1)];
	struct pollfd p[2] = { { .fd = fs->watch_fd, .events = POLLIN },
			       { .fd = fs->watch_stop_fd, .events = POLLIN } };
	const struct inotify_event *ev;
	ssize_t n;

	while (poll(p, 2, -1) >= 0 || errno == EINTR) {
		if (p[1].revents)
			break;
		if (!p[0].revents)
			continue;
		n = read(fs->watch_fd, buf, sizeof(buf));
		if (n < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (n <= 0)
			break;
		for (char *e = buf; e < buf + n; e += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)e;
			if (ev->mask & IN_Q_OVERFLOW)
				invalidate_all(fs);
			else if (ev->len)
				invalidate(fs, ev->name, ev->mask);
		}
	}
	return NULL;
}

static void watch_close(struct pshmfs *fs)
{
	close(fs->watch_fd);
	close(fs->watch_stop_fd);
	fs->watch_fd = fs->watch_stop_fd = -1;
}

int watch_start(struct pshmfs *fs)
{
	sigset_t all, old;
	int err;

	fs->watching = false;
	fs->watch_fd = fs->watch_stop_fd = -1;
	if (fs->o.attr_timeout <= 0 && fs->o.entry_timeout <= 0)
		return 0;
	pthread_mutex_init(&fs->removed.lock, NULL);
	fs->watch_fd = inotify_init1(IN_CLOEXEC | IN_NONBLOCK);
	fs->watch_stop_fd = eventfd(0, EFD_CLOEXEC);
	if (fs->watch_fd < 0 || fs->watch_stop_fd < 0 ||
	    inotify_add_watch(fs->watch_fd, SHM_DIR, WATCH_MASK) < 0) {
		err = errno;
		watch_close(fs);
		return err;
	}
	/* Signals are for the thread that serves. */
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	err = pthread_create(&fs->watch_thread, NULL, watch_loop, fs);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	if (err) {
		watch_close(fs);
		return err;
	}
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

	if (fs->watch_fd < 0)
		return;
	while (write(fs->watch_stop_fd, &one, sizeof(one)) < 0 && errno == EINTR)
		;
	pthread_join(fs->watch_thread, NULL);
	watch_close(fs);
}
