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
#include <string.h>
#include <sys/inotify.h>
#include <unistd.h>

#include "ops.h"
#include "ops_i.h"

#define WATCH_MASK (IN_MODIFY | IN_ATTRIB | IN_CREATE | IN_DELETE | \
		    IN_MOVED_FROM | IN_MOVED_TO | IN_ONLYDIR)

/* The kernel's id of the directory holding object NAME, and where NAME's
 * component starts; 0 when the kernel does not know the directory. */
static fuse_ino_t parent_of(struct pshmfs *fs, const char *name,
			    const char **comp)
{
	size_t plen = strlen(fs->o.prefix);
	const char *last = fs->o.delim ? strrchr(name + plen, fs->o.delim) : NULL;
	objname_t dir;
	struct node *n;

	*comp = last ? last + 1 : name + plen;
	if (!last)
		return FUSE_ROOT_ID;
	memcpy(dir, name, (size_t)(last + 1 - name));
	dir[last + 1 - name] = '\0';
	pthread_mutex_lock(&fs->nodes.lock);
	n = nodes_find_dir(&fs->nodes, dir);
	pthread_mutex_unlock(&fs->nodes.lock);
	return n ? (uintptr_t)n : 0;
}

/* Object NAME changed (MASK says how): drop what the kernel keeps of it. */
static void invalidate(struct pshmfs *fs, const char *name, uint32_t mask)
{
	const char *comp;
	fuse_ino_t parent;
	struct stat st;
	struct node *n = NULL;

	if (strncmp(name, fs->o.prefix, strlen(fs->o.prefix)) != 0 ||
	    names_hidden(name))
		return;
	if ((mask & (IN_MODIFY | IN_ATTRIB)) &&
	    shmobj_stat(fs->dirfd, name, &st) == 0) {
		pthread_mutex_lock(&fs->nodes.lock);
		n = nodes_find(&fs->nodes, st.st_ino);
		pthread_mutex_unlock(&fs->nodes.lock);
		/* Only its id is used past the lock: if the kernel forgot
		 * the node meanwhile, the notify finds nothing. */
		if (n)
			fuse_lowlevel_notify_inval_inode(fs->se, (uintptr_t)n,
							 -1, 0);
	}
	if (!(mask & (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO)))
		return;
	parent = parent_of(fs, name, &comp);
	if (!parent || !*comp)
		return;
	fuse_lowlevel_notify_inval_entry(fs->se, parent, comp, strlen(comp));
	fuse_lowlevel_notify_inval_inode(fs->se, parent, -1, 0);
}

static void *watch_loop(void *arg)
{
	struct pshmfs *fs = arg;
	char buf[64 * (sizeof(struct inotify_event) + NAME_MAX + 1)];
	const struct inotify_event *ev;
	ssize_t n;

	while ((n = read(fs->watch_fd, buf, sizeof(buf))) != 0) {
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			break;
		for (char *p = buf; p < buf + n; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)p;
			if (ev->len)
				invalidate(fs, ev->name, ev->mask);
		}
	}
	return NULL;
}

int watch_start(struct pshmfs *fs)
{
	int err;

	fs->watch_fd = -1;
	if (fs->o.attr_timeout <= 0 && fs->o.entry_timeout <= 0)
		return 0;
	fs->watch_fd = inotify_init1(IN_CLOEXEC);
	if (fs->watch_fd < 0)
		return errno;
	if (inotify_add_watch(fs->watch_fd, SHM_DIR, WATCH_MASK) < 0) {
		err = errno;
		close(fs->watch_fd);
		fs->watch_fd = -1;
		return err;
	}
	err = pthread_create(&fs->watch_thread, NULL, watch_loop, fs);
	if (err) {
		close(fs->watch_fd);
		fs->watch_fd = -1;
	}
	return err;
}

void watch_stop(struct pshmfs *fs)
{
	if (fs->watch_fd < 0)
		return;
	/* Before the session goes: it blocks in read(), a cancellation
	 * point, or sends a notify, another. */
	pthread_cancel(fs->watch_thread);
	pthread_join(fs->watch_thread, NULL);
	close(fs->watch_fd);
	fs->watch_fd = -1;
}
