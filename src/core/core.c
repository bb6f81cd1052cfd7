/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * The core's state, names and directories: how a directory of the mount
 * is found in the flat shm namespace, what it looks like, and the
 * permission rules the operations share.
 *
 * The flat shm namespace folds into a tree at the delimiter D: the file
 * a/b/c is the object /Pa:b:c, and a directory is known by its children's
 * prefix "Pa:b:", which is also the name of its marker object, made by
 * mkdir to carry the directory's mode, owner and times. A directory with
 * objects below it and no marker exists implicitly and looks like the
 * root. Whether a directory exists and what it holds comes from the index
 * (index.c), never from a scan of the shm directory.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "core_i.h"

/* What tmpfs shows as a directory's size: 20 bytes an entry. */
#define DIRENT_BYTES 20

int core_open(struct core *c, const struct core_cfg *cfg, const char *shmdir,
	      bool watch_attrs)
{
	pthread_rwlockattr_t ra;
	struct stat st;
	int err;

	memset(c, 0, sizeof(*c));
	journal_init(&c->journal);
	c->cfg = *cfg;
	c->plen = strlen(cfg->prefix);
	c->dirfd = shmdir_open(shmdir);
	if (c->dirfd < 0)
		return -c->dirfd;
	c->own = geteuid() == 0;
	/* A directory rename must not wait behind a stream of lookups. No
	 * operation takes TREE twice, which this kind would deadlock. */
	pthread_rwlockattr_init(&ra);
	pthread_rwlockattr_setkind_np(&ra,
		PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	pthread_rwlock_init(&c->tree, &ra);
	pthread_rwlockattr_destroy(&ra);
	quota_init(&c->quota, c->dirfd, cfg->prefix, cfg->max_bytes,
		   cfg->max_objects);
	own_init(&c->own_events);
	pthread_mutex_init(&c->removed.lock, NULL);
	err = nodes_init(&c->nodes, cfg->prefix);
	/* The root starts with the shm directory's times. */
	if (!err && fstat(c->dirfd, &st) == 0) {
		c->nodes.root.timed = true;
		c->nodes.root.mtime = st.st_mtim;
		c->nodes.root.ctime = st.st_ctim;
	}
	if (!err)
		err = index_open(&c->index, c->dirfd, shmdir, cfg->prefix,
				 cfg->delim, false);
	if (err)
		return err;
	atomic_store(&c->watch_inodes, watch_attrs);
	c->nodes.unwatch = core_unwatch;
	c->nodes.unwatch_arg = c;
	index_set_hook(c->index, core_changed, c);
	quota_watch(&c->quota, c->index, core_held, c);
	return 0;
}

void core_close(struct core *c)
{
	if (c->index)
		index_close(c->index);
	c->index = NULL;
	if (c->dirfd < 0)
		return;
	nodes_destroy(&c->nodes);
	own_destroy(&c->own_events);
	pthread_rwlock_destroy(&c->tree);
	close(c->dirfd);
	c->dirfd = -1;
}

void core_sync(struct core *c)
{
	index_sync(c->index);
}

int core_events_fd(struct core *c)
{
	return index_fd(c->index);
}

int core_child(struct core *c, struct node *parent, const char *comp,
	       objname_t out)
{
	objname_t dir;
	bool is_dir;
	int err = nodes_name(&c->nodes, parent, dir, &is_dir, NULL);

	if (!err && !is_dir)
		err = ENOTDIR;
	return err ? err : names_join(dir, comp, c->cfg.delim, out);
}

int core_child_existing(struct core *c, struct node *parent,
			const char *comp, objname_t out)
{
	int err = core_child(c, parent, comp, out);

	/* A component that cannot be a name is simply not there: the one
	 * place that says so, for lookup, unlink, rmdir and rename. */
	return err == EINVAL ? ENOENT : err;
}

int core_dir_of(struct core *c, const char *obj, objname_t dir)
{
	size_t len = strlen(obj);

	if (len + 1 > SHM_NAME_MAX)
		return ENAMETOOLONG;
	memcpy(dir, obj, len);
	dir[len] = c->cfg.delim;
	dir[len + 1] = '\0';
	return 0;
}

void core_parent_of(struct core *c, const char *obj, objname_t dir)
{
	const char *last = c->cfg.delim ? strrchr(obj + c->plen, c->cfg.delim)
					: NULL;
	size_t len = last ? (size_t)(last + 1 - obj) : c->plen;

	/* A directory's own name ends in the delimiter: look before it. */
	if (last && !last[1]) {
		const char *p = last;

		while (p > obj + c->plen && p[-1] != c->cfg.delim)
			p--;
		len = (size_t)(p - obj);
	}
	memcpy(dir, obj, len);
	dir[len] = '\0';
}

/* An implicit directory's looks, and the root's: the mount's options. */
static void implicit_stat(struct core *c, struct node *n, struct stat *st)
{
	struct timespec m, ct;

	if (fstat(c->dirfd, st))
		memset(st, 0, sizeof(*st));
	st->st_mode = c->cfg.root_mode;
	st->st_uid = c->cfg.uid;
	st->st_gid = c->cfg.gid;
	/* Its own times once something was made in it through the mount,
	 * else the root's. */
	if ((n && nodes_times(&c->nodes, n, &m, &ct)) ||
	    nodes_times(&c->nodes, &c->nodes.root, &m, &ct)) {
		st->st_mtim = m;
		st->st_ctim = ct;
	}
}

int core_dir_stat(struct core *c, const char *dir, struct node *n,
		  struct stat *st, struct dirinfo *info)
{
	bool root = strcmp(dir, c->cfg.prefix) == 0;
	struct dirinfo di;

	index_dir(c->index, dir, &di);
	if (info)
		*info = di;
	if (!di.exists)
		return ENOENT;
	if (root || !di.marker || shmobj_stat(c->dirfd, dir, st))
		implicit_stat(c, root ? &c->nodes.root : n, st);
	st->st_mode = S_IFDIR | (st->st_mode & 07777);
	st->st_ino = root ? c->nodes.root.id : di.id;
	st->st_nlink = 2 + di.nsubdirs;
	st->st_size = (off_t)(2 + di.nchildren) * DIRENT_BYTES;
	st->st_blocks = 0;
	return 0;
}

void core_new_group(struct core *c, const char *obj, gid_t *gid, bool *sgid)
{
	objname_t dir;
	struct stat st;

	*sgid = false;
	core_parent_of(c, obj, dir);
	if (strcmp(dir, c->cfg.prefix) == 0) {
		/* The root: what the options say. */
		st.st_mode = c->cfg.root_mode;
		st.st_gid = c->cfg.gid;
	} else if (core_dir_stat(c, dir, NULL, &st, NULL)) {
		return;
	}
	if (st.st_mode & S_ISGID) {
		*gid = st.st_gid;
		*sgid = true;
	}
}

void core_touch(struct core *c, struct node *dir, const char *obj)
{
	const struct timespec ts[2] = { { .tv_nsec = UTIME_OMIT },
					{ .tv_nsec = UTIME_NOW } };
	struct timespec now;
	objname_t name;

	core_parent_of(c, obj, name);
	/* A marker keeps its directory's times (tmpfs moves ctime with
	 * mtime); the root and implicit directories have them here. */
	if (!dir->root && utimensat(c->dirfd, name, ts, AT_SYMLINK_NOFOLLOW) == 0)
		return;
	clock_gettime(CLOCK_REALTIME, &now);
	nodes_touch(&c->nodes, dir, &now);
}

int core_marker_fd(struct core *c, const char *dir, struct node *n, int *fd)
{
	struct stat st;
	int err;

	err = shmobj_path_open(c->dirfd, dir, fd, &st);
	if (err == ENOENT) {
		/* Implicit until now: a marker with the root's looks. */
		own_expect(&c->own_events, dir, OWN_MADE);
		err = core_create_counted(c, dir, c->cfg.root_mode, c->cfg.uid,
					  c->cfg.gid, fd, &st);
		if (err)
			own_cancel(&c->own_events, dir, OWN_MADE);
		if (err && err != EEXIST)
			return err;
		if (!err)
			close(*fd);
		err = shmobj_path_open(c->dirfd, dir, fd, &st);
	}
	/* The directory is the same one, now with a marker: ours. */
	if (!err && n)
		nodes_adopt(&c->nodes, n, st.st_ino);
	return err;
}

bool core_in_group(const struct caller *who, gid_t gid)
{
	if (who->gid == gid)
		return true;
	for (int i = 0; who->groups && i < who->ngroups; i++)
		if (who->groups[i] == gid)
			return true;
	return false;
}

int core_permission(const struct caller *who, const struct stat *st, int mask)
{
	mode_t bits;

	if (who->uid == 0) {
		/* Root may do anything, but run what nobody may run. */
		if ((mask & X_OK) && !S_ISDIR(st->st_mode) &&
		    !(st->st_mode & 0111))
			return EACCES;
		return 0;
	}
	if (who->uid == st->st_uid)
		bits = (st->st_mode >> 6) & 7;
	else if (core_in_group(who, st->st_gid))
		bits = (st->st_mode >> 3) & 7;
	else
		bits = st->st_mode & 7;
	return ((int)bits & mask) == mask ? 0 : EACCES;
}

int core_sticky(const struct caller *who, const struct stat *dir, uid_t owner)
{
	if (!(dir->st_mode & S_ISVTX) || who->uid == 0 || who->uid == owner ||
	    who->uid == dir->st_uid)
		return 0;
	return EPERM;
}
