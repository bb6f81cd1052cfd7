/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * Hard links and sparse seeks, as on tmpfs.
 *
 * ln is linkat() in the shm directory, run with the caller's file system
 * ids (as unlink and rename are, so protected_hardlinks judges the caller).
 * Nodes are keyed by the object's st_ino, so every name of an object is
 * one node; the node keeps the other names the kernel looked up
 * (core/links.h), so that removing or renaming away the name it is opened
 * by leaves it another. SEEK_DATA and SEEK_HOLE are lseek() on the
 * object's descriptor: the kernel sends only those two.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <unistd.h>

#include "shared_ops.h"
#include "index.h"
#include "ops.h"
#include "ops_i.h"

/* linkat within nr_inodes=: tmpfs counts each link as an inode. */
static int link_counted(struct pshmfs *fs, int fd, const char *obj)
{
	struct quota *q = &fs->quota;
	char path[32];
	int err = 0;

	snprintf(path, sizeof(path), "/proc/self/fd/%d", fd);
	if (q->max_objects) {
		pthread_mutex_lock(&q->lock);
		err = quota_may_create(q);
	}
	if (!err && linkat(AT_FDCWD, path, fs->dirfd, obj, AT_SYMLINK_FOLLOW))
		err = errno;
	if (q->max_objects) {
		if (!err)
			q->objects++;
		pthread_mutex_unlock(&q->lock);
	}
	return err;
}

/* A name that is a directory in the mount is taken, as it is on tmpfs. */
static int name_free(struct pshmfs *fs, const char *obj)
{
	char dir[SHM_NAME_MAX + 2];
	struct dirinfo info;
	int len;

	if (!fs->o.delim)
		return 0;
	len = snprintf(dir, sizeof(dir), "%s%c", obj, fs->o.delim);
	if (len < 0 || (size_t)len > SHM_NAME_MAX)
		return 0;
	index_dir(fs->index, dir, &info);
	return info.exists ? EEXIST : 0;
}

static int link_node(struct pshmfs *fs, fuse_req_t req, struct node *n,
		     const char *obj, struct fuse_entry_param *e)
{
	struct fsids ids;
	struct stat st;
	struct node *got;
	int fd, err;

	err = name_free(fs, obj);
	if (!err)
		err = node_fd(fs, n, &fd);
	if (err)
		return err;
	ids = as_caller(fs, req);
	err = link_counted(fs, fd, obj);
	as_daemon(ids);
	if (!err && fstat(fd, &st))
		err = errno;
	close(fd);
	if (err)
		return err;
	pthread_mutex_lock(&fs->nodes.lock);
	got = nodes_get(&fs->nodes, st.st_ino, obj);
	if (got)
		node_seen(got, &st);
	pthread_mutex_unlock(&fs->nodes.lock);
	if (!got)
		return ENOMEM;
	fill_entry(fs, got, obj, &st, e);
	return 0;
}

void pshmfs_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent,
		 const char *newname)
{
	struct pshmfs *fs = fs_of(req);
	struct fuse_entry_param e;
	objname_t obj;
	int err;

	TRACE(fs, "link: ino %" PRIu64 " -> %" PRIu64 " '%s'\n", ino,
	      newparent, newname);
	/* The kernel links no directory; the root is none of ours. */
	if (ino == FUSE_ROOT_ID || node_of(ino)->dir)
		err = EPERM;
	else
		err = child_name(fs, newparent, newname, obj);
	if (!err)
		err = link_node(fs, req, node_of(ino), obj, &e);
	if (err)
		fuse_reply_err(req, err);
	else if (fuse_reply_entry(req, &e))
		nodes_forget(&fs->nodes, node_of(e.ino), 1);
}

struct same_object {
	struct pshmfs *fs;
	uint64_t ino;
};

/* Does NAME still hold the object? */
static bool holds(void *arg, const char *name)
{
	struct same_object *so = arg;
	struct stat st;

	return shmobj_stat(so->fs->dirfd, name, &st) == 0 &&
	       st.st_ino == so->ino;
}

/* NAME of object ST went; LAST: it was the object's only name. */
static void name_gone(struct pshmfs *fs, const struct stat *st,
		      const char *name, bool last)
{
	struct same_object so = { fs, st->st_ino };

	nodes_unlinked(&fs->nodes, st->st_ino, name, last, holds, &so);
}

void shared_unlinked(struct pshmfs *fs, const struct stat *st,
		     const char *name)
{
	/* Open handles keep the node's descriptor: they go on. */
	pthread_mutex_lock(&fs->nodes.lock);
	name_gone(fs, st, name, st->st_nlink <= 1);
	pthread_mutex_unlock(&fs->nodes.lock);
}

int shared_renamed(struct pshmfs *fs, const struct stat *src,
		   const struct stat *dst, const char *from, const char *to,
		   unsigned flags)
{
	int err = 0;

	/* Two names of one object: rename(2) leaves both as they are. */
	if (dst && dst->st_ino == src->st_ino)
		return 0;
	pthread_mutex_lock(&fs->nodes.lock);
	if (dst && (flags & RENAME_EXCHANGE))
		err = nodes_moved(&fs->nodes, dst->st_ino, to, from);
	else if (dst)
		name_gone(fs, dst, to, dst->st_nlink <= 1);
	if (!err)
		err = nodes_moved(&fs->nodes, src->st_ino, from, to);
	pthread_mutex_unlock(&fs->nodes.lock);
	return err;
}

void pshmfs_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence,
		  struct fuse_file_info *fi)
{
	struct node *n = (struct node *)(uintptr_t)(fi->fh & FH_NODE_MASK);
	off_t at;

	TRACE(fs_of(req), "lseek: ino %" PRIu64 " off %jd whence %d\n", ino,
	      (intmax_t)off, whence);
	/* The file position is the kernel's; this descriptor's is unused. */
	at = lseek(n->obj->fd, off, whence);
	if (at < 0)
		fuse_reply_err(req, errno);
	else
		fuse_reply_lseek(req, at);
}
