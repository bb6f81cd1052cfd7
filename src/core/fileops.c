/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * The core's operations on files: lookup, attributes, create, open and
 * release, unlink, I/O within the limits, statfs. See core.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core_i.h"
#include "shared.h"

/* A path to reach an fd (O_PATH ones too) for calls that want a path. */
typedef char fdpath_t[32];

static const char *fd_path(int fd, fdpath_t buf)
{
	snprintf(buf, sizeof(fdpath_t), "/proc/self/fd/%d", fd);
	return buf;
}

int core_lookup_file(struct core *c, const char *name, struct core_entry *e)
{
	/* A name other programs churn may be replaced again before the open
	 * that follows this lookup: keep what we found (nodes_keep_found). */
	bool churn = core_churns(c, name);
	int pin = -1;
	int err = churn ? shmobj_path_open(c->dirfd, name, &pin, &e->st)
			: shmobj_stat(c->dirfd, name, &e->st);

	if (err)
		return err;
	e->n = nodes_get(&c->nodes, false, e->st.st_ino, name);
	e->churn = churn;
	if (pin >= 0 && e->n)
		nodes_keep_found(&c->nodes, e->n, pin);
	else if (pin >= 0)
		close(pin);
	return e->n ? 0 : ENOMEM;
}

int core_lookup_dir(struct core *c, const char *obj, struct core_entry *e)
{
	struct dirinfo info;
	objname_t dir;
	int err = core_dir_of(c, obj, dir);

	/* A name too long for a marker holds no directory. */
	if (err == ENAMETOOLONG)
		return ENOENT;
	if (!err)
		err = core_dir_stat(c, dir, NULL, &e->st, &info);
	if (err)
		return err;
	e->n = nodes_get(&c->nodes, true, info.id, dir);
	if (!e->n)
		return ENOMEM;
	/* An implicit one known already may have times of its own. */
	if (!info.marker)
		nodes_times(&c->nodes, e->n, &e->st.st_mtim, &e->st.st_ctim);
	e->churn = core_churns(c, dir);
	return 0;
}

int core_lookup(struct core *c, struct node *parent, const char *name,
		struct core_entry *e)
{
	objname_t obj;
	bool named;
	int err;

	memset(e, 0, sizeof(*e));
	pthread_rwlock_rdlock(&c->tree);
	err = core_child_existing(c, parent, name, obj);
	named = !err;
	/* A file wins over a directory of the same name. */
	if (!err)
		err = core_lookup_file(c, obj, e);
	if (err == ENOENT && named && c->cfg.delim)
		err = core_lookup_dir(c, obj, e);
	if (err == ENOENT && named)
		e->churn = core_churns(c, obj);
	pthread_rwlock_unlock(&c->tree);
	return err;
}

void core_forget(struct core *c, struct node *n, uint64_t count)
{
	if (!n->root)
		nodes_forget(&c->nodes, n, count);
}

static int fstat_fn(int fd, void *arg)
{
	return fstat(fd, arg) ? errno : 0;
}

/* A directory node's attributes: ENOENT once retired (ESTALE once, see
 * nodes.h); if its name holds another directory now, it is retired and
 * ESTALE makes the kernel walk the path again. */
static int dir_getattr(struct core *c, struct node *n, struct stat *st)
{
	struct dirinfo info;
	objname_t name;
	uint64_t id;
	int err;

	if (n->root)
		return core_dir_stat(c, c->cfg.prefix, n, st, NULL);
	err = nodes_name(&c->nodes, n, name, NULL, &id);
	if (!err)
		err = core_dir_stat(c, name, n, st, &info);
	if (!err && info.id != id) {
		nodes_retire(&c->nodes, name, id);
		err = nodes_name(&c->nodes, n, name, NULL, NULL); /* ESTALE */
	}
	return err;
}

/* A file node's attributes, by its descriptor while open, else by name,
 * checking that the name still holds the same object. */
static int file_getattr(struct core *c, struct node *n, struct stat *st)
{
	objname_t name;
	int err = nodes_with_fd(&c->nodes, n, name, fstat_fn, st);

	if (err >= 0)
		return err;
	if (err == -ENOENT)
		return ENOENT;
	err = shmobj_stat(c->dirfd, name, st);
	/* The name went, or holds another object now, since the kernel
	 * looked it up: ESTALE makes it walk the path again. */
	if ((!err && st->st_ino != n->id) || err == ENOENT)
		err = ESTALE;
	return err;
}

static int getattr_locked(struct core *c, struct node *n, struct stat *st)
{
	return n->dir ? dir_getattr(c, n, st) : file_getattr(c, n, st);
}

int core_getattr(struct core *c, struct node *n, struct stat *st)
{
	int err;

	pthread_rwlock_rdlock(&c->tree);
	err = getattr_locked(c, n, st);
	pthread_rwlock_unlock(&c->tree);
	return err;
}

static int dup_fn(int fd, void *arg)
{
	int *out = arg;

	*out = fcntl(fd, F_DUPFD_CLOEXEC, 0);
	return *out < 0 ? errno : 0;
}

int core_node_fd(struct core *c, struct node *n, int *fd)
{
	objname_t name;
	struct stat st;
	int err = nodes_with_fd(&c->nodes, n, name, dup_fn, fd);

	if (err >= 0)
		return err;
	if (err == -ENOENT || err == -ESTALE)
		return -err;
	if (n->dir)
		return core_marker_fd(c, name, n, fd);
	err = shmobj_path_open(c->dirfd, name, fd, &st);
	if (!err && st.st_ino != n->id) {
		close(*fd);
		err = ENOENT;
	}
	return err;
}

static int truncate_fd(int fd, off_t size)
{
	fdpath_t p;
	int wfd, err = 0;

	if (ftruncate(fd, size) == 0)
		return 0;
	if (errno != EBADF)
		return errno;
	/* An O_PATH or read-only descriptor: reopen it for writing. */
	wfd = open(fd_path(fd, p), O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (wfd < 0)
		return errno;
	if (ftruncate(wfd, size))
		err = errno;
	close(wfd);
	return err;
}

static struct timespec set_time(int valid, int set, int now,
				const struct timespec *t)
{
	struct timespec ts = { .tv_nsec = UTIME_OMIT };

	if (valid & now)
		ts.tv_nsec = UTIME_NOW;
	else if (valid & set)
		ts = *t;
	return ts;
}

/* The set-id bits that a write or truncate by WHO, who lacks CAP_FSETID,
 * takes from ST, as the kernel's setattr_should_drop_suidgid() does on
 * tmpfs: set-user-ID always; set-group-ID of a group-executable file, or
 * of a file whose group WHO is not in. */
static mode_t setid_killed(const struct caller *who, const struct stat *st)
{
	mode_t kill = st->st_mode & S_ISUID;

	if ((st->st_mode & S_ISGID) &&
	    ((st->st_mode & S_IXGRP) || !core_in_group(who, st->st_gid)))
		kill |= S_ISGID;
	return kill;
}

static int kill_setid(const struct caller *who, int fd)
{
	struct stat st;
	fdpath_t p;
	mode_t kill;

	if (fstat(fd, &st))
		return errno;
	kill = setid_killed(who, &st);
	if (kill && chmod(fd_path(fd, p), st.st_mode & 07777 & ~kill))
		return errno;
	return 0;
}

/* Apply a setattr to the object behind FD, in the order chown, chmod
 * (chown clears set-id bits: the daemon's, as root's, so a chown's
 * CORE_SET_KILL_SUIDGID adds nothing), truncate, set-id bits, times. */
static int apply_attr(const struct caller *who, int fd,
		      const struct stat *attr, int valid)
{
	struct timespec ts[2];
	fdpath_t p;
	int err;

	if ((valid & (CORE_SET_UID | CORE_SET_GID)) &&
	    fchownat(fd, "", valid & CORE_SET_UID ? attr->st_uid : (uid_t)-1,
		     valid & CORE_SET_GID ? attr->st_gid : (gid_t)-1,
		     AT_EMPTY_PATH))
		return errno;
	if ((valid & CORE_SET_MODE) &&
	    chmod(fd_path(fd, p), attr->st_mode & 07777))
		return errno;
	if ((valid & CORE_SET_SIZE) && (err = truncate_fd(fd, attr->st_size)))
		return err;
	if ((valid & CORE_SET_KILL_SUIDGID) &&
	    !(valid & (CORE_SET_UID | CORE_SET_GID)) &&
	    (err = kill_setid(who, fd)))
		return err;
	if (valid & (CORE_SET_ATIME | CORE_SET_MTIME)) {
		ts[0] = set_time(valid, CORE_SET_ATIME, CORE_SET_ATIME_NOW,
				 &attr->st_atim);
		ts[1] = set_time(valid, CORE_SET_MTIME, CORE_SET_MTIME_NOW,
				 &attr->st_mtim);
		if (utimensat(AT_FDCWD, fd_path(fd, p), ts, 0))
			return errno;
	}
	return 0;
}

/* apply_attr; a truncate waits for the reads from the mapping that are
 * under way, so none of them finds its pages gone. */
static int setattr_fd(struct core *c, const struct caller *who, struct node *n,
		      int fd, const struct stat *attr, int valid)
{
	int err;

	if (!(valid & CORE_SET_SIZE) || !nodes_pin(&c->nodes, n))
		return apply_attr(who, fd, attr, valid);
	/* Pinned: n->obj stays until nodes_close(). */
	pthread_rwlock_wrlock(&n->obj->lock);
	err = apply_attr(who, fd, attr, valid);
	pthread_rwlock_unlock(&n->obj->lock);
	nodes_close(&c->nodes, n);
	return err;
}

int core_setattr(struct core *c, const struct caller *who, struct node *n,
		 const struct stat *attr, int valid, struct stat *st)
{
	int fd = -1, err;

	/* The kernel checked WHO's permissions (default_permissions). The
	 * root is the mount's options, not an object. */
	if (n->root)
		return EPERM;
	pthread_rwlock_rdlock(&c->tree);
	err = core_node_fd(c, n, &fd);
	if (!err)
		err = setattr_fd(c, who, n, fd, attr, valid);
	if (!err && n->dir)
		err = dir_getattr(c, n, st);
	else if (!err && fstat(fd, st))
		err = errno;
	if (fd >= 0)
		close(fd);
	pthread_rwlock_unlock(&c->tree);
	return err;
}

/* O_TRUNC, with the kernel's atomic_o_trunc: as setattr_fd does. N is
 * open (n->obj stays). */
static int open_truncate(struct node *n)
{
	int err = 0;

	if (!n->obj->writable)
		return EACCES;
	pthread_rwlock_wrlock(&n->obj->lock);
	if (ftruncate(n->obj->fd, 0))
		err = errno;
	pthread_rwlock_unlock(&n->obj->lock);
	return err;
}

int core_open_node(struct core *c, struct node *n, int flags)
{
	int err;

	if (n->dir)
		return EISDIR;
	err = nodes_open(&c->nodes, n, c->dirfd);
	if (!err && (flags & O_TRUNC)) {
		err = open_truncate(n);
		if (err)
			nodes_close(&c->nodes, n);
	}
	return err;
}

int core_kill_suidgid(struct core *c, const struct caller *who,
		      struct node *n)
{
	(void)c;
	return n->dir ? EISDIR : kill_setid(who, n->obj->fd);
}

void core_release(struct core *c, struct node *n)
{
	nodes_close(&c->nodes, n);
}

/* Make the object NAME with MODE for WHO; its node, referenced once and
 * opened once, in E. */
static int create_name(struct core *c, const struct caller *who,
		       const char *name, mode_t mode, struct core_entry *e)
{
	gid_t gid = who->gid;
	bool sgid;
	int fd, err;

	core_new_group(c, name, &gid, &sgid);
	own_expect(&c->own_events, name, OWN_MADE);
	/* issue 16: the umask, or the directory's default ACL. */
	err = core_create_inheriting(c, who, name, mode, gid, false, &fd, &e->st);
	if (err) {
		own_cancel(&c->own_events, name, OWN_MADE);
		return err;
	}
	e->n = nodes_get_open(&c->nodes, e->st.st_ino, name, fd, true);
	if (!e->n) {
		unlinkat(c->dirfd, name, 0);
		return ENOMEM;
	}
	e->churn = core_churns(c, name);
	return 0;
}

/* O_CREAT without O_EXCL is one step on tmpfs; here it is a create, or,
 * when someone else made the object first, an open, which fails if they
 * removed it again meanwhile: then start over, a few times. *MADE: ours. */
static int create_or_open(struct core *c, const struct caller *who,
			  const char *obj, mode_t mode, int flags,
			  struct core_entry *e, bool *made)
{
	int err = EEXIST, tries;

	for (tries = 0; tries < 16 && (err == EEXIST || err == ESTALE ||
				       err == ENOENT); tries++) {
		err = create_name(c, who, obj, mode, e);
		*made = !err;
		if (err != EEXIST || (flags & O_EXCL))
			return err;
		err = core_lookup_file(c, obj, e);
		if (!err && (err = nodes_open(&c->nodes, e->n, c->dirfd)))
			nodes_forget(&c->nodes, e->n, 1);
	}
	return err == ESTALE ? ENOENT : err;
}

int core_create(struct core *c, const struct caller *who,
		struct node *parent, const char *name, mode_t mode, int flags,
		bool open, struct core_entry *e)
{
	objname_t obj;
	bool made = false;
	int err;

	memset(e, 0, sizeof(*e));
	pthread_rwlock_rdlock(&c->tree);
	err = core_child(c, parent, name, obj);
	if (!err)
		err = create_or_open(c, who, obj, mode, flags, e, &made);
	if (made)
		core_touch(c, parent, obj);
	pthread_rwlock_unlock(&c->tree);
	if (!err && !open)
		nodes_close(&c->nodes, e->n);
	return err;
}

int core_unlink(struct core *c, const struct caller *who, struct node *parent,
		const char *name)
{
	struct fsids ids;
	objname_t obj;
	struct stat st;
	int err;

	pthread_rwlock_rdlock(&c->tree);
	err = core_child_existing(c, parent, name, obj);
	if (!err)
		err = shmobj_stat(c->dirfd, obj, &st);
	if (err)
		goto out;
	own_expect(&c->own_events, obj, OWN_GONE);
	ids = as_caller(c, who);
	if (unlinkat(c->dirfd, obj, 0))
		err = errno;
	as_daemon(ids);
	if (err) {
		own_cancel(&c->own_events, obj, OWN_GONE);
		goto out;
	}
	/* Open handles keep the node's descriptor: they go on. The node
	 * keeps another name if the object has one (issue 16). */
	core_name_removed(c, &st, obj);
	core_touch(c, parent, obj);
out:
	pthread_rwlock_unlock(&c->tree);
	return err;
}

int core_statfs(struct core *c, struct statvfs *sv)
{
	if (fstatvfs(c->dirfd, sv))
		return errno;
	/* What is left of a name once the prefix is taken. */
	sv->f_namemax = SHM_NAME_MAX - c->plen;
	if (quota_limited(&c->quota))
		core_statfs_limited(c, sv);
	return 0;
}

int core_write(struct core *c, struct node *n, const void *buf, size_t size,
	       off_t off, size_t *done)
{
	struct shmmap *m = n->obj; /* open: it stays until release */
	blkcnt_t before;
	size_t fit;
	int err;

	*done = 0;
	err = charge_begin(c, m->fd, off, size, &fit, &before);
	if (!err)
		err = shmobj_write(m, buf, fit, off, done);
	charge_end(c, m->fd, before);
	return err;
}

int core_fallocate(struct core *c, struct node *n, int mode, off_t off,
		   off_t len)
{
	int fd = n->obj->fd;
	size_t fit = (size_t)len;
	blkcnt_t before = -1;
	int err = 0;

	if (!(mode & FALLOC_FL_PUNCH_HOLE))
		err = charge_begin(c, fd, off, (size_t)len, &fit, &before);
	/* fallocate is all or nothing. */
	if (!err && fit < (size_t)len)
		err = ENOSPC;
	if (!err && fallocate(fd, mode, off, len))
		err = errno;
	charge_end(c, fd, before);
	return err;
}

int core_fsync(struct core *c, struct node *n, bool datasync)
{
	int fd = n->obj->fd;

	(void)c;
	return (datasync ? fdatasync(fd) : fsync(fd)) ? errno : 0;
}
