/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * What the mount shares with shm_open users as tmpfs does (issue 16), the
 * rules free of FUSE: hard links, sparse seeks, xattrs and POSIX ACLs.
 *
 * ln is linkat() in the shm directory, run with the caller's file system
 * ids (as unlink and rename are, so protected_hardlinks judges the
 * caller), within nr_inodes= (tmpfs counts each link). Nodes are keyed by
 * the object's st_ino, so every name of an object is one node; the node
 * keeps the other names the kernel looked up (links.h), so that removing
 * or renaming away the name it is opened by leaves it another.
 *
 * xattrs and ACLs are a file's object's own and a directory's marker's
 * (made for an implicit directory when one is set), so tmpfs keeps them
 * and enforces the ACLs for shm_open users; the kernel checks permissions
 * (user.* needs write permission, trusted.* CAP_SYS_ADMIN, ACLs the owner)
 * before a request comes, and enforces ACLs for mount users. A marker is a
 * regular file, which holds no default ACL on tmpfs: a directory's default
 * ACL is kept in the marker's trusted.pshmfs.posix_acl_default
 * (user.pshmfs.posix_acl_default when the daemon is not root), hidden from
 * listings and shown as system.posix_acl_default. New files and
 * directories get the caller's umask or inherit their directory's default
 * ACL as posix_acl_create() computes (acl.c): with FUSE_CAP_POSIX_ACL the
 * kernel leaves both to the file system.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "acl.h"
#include "core_i.h"
#include "shared.h"

/* Largest xattr value and list, as the kernel's. */
#define VALUE_MAX 65536

typedef char fdpath_t[32];

static const char *fd_path(int fd, fdpath_t buf)
{
	snprintf(buf, sizeof(fdpath_t), "/proc/self/fd/%d", fd);
	return buf;
}

/* ---- hard links -------------------------------------------------------- */

/* linkat within nr_inodes=. */
static int link_counted(struct core *c, int fd, const char *obj)
{
	struct quota *q = &c->quota;
	fdpath_t p;
	int err = 0;

	if (q->max_objects) {
		pthread_mutex_lock(&q->lock);
		err = quota_may_create(q);
	}
	if (!err && linkat(AT_FDCWD, fd_path(fd, p), c->dirfd, obj,
			   AT_SYMLINK_FOLLOW))
		err = errno;
	if (q->max_objects) {
		if (!err)
			q->objects++;
		pthread_mutex_unlock(&q->lock);
	}
	return err;
}

/* A name that is a directory in the mount is taken, as it is on tmpfs. */
static int name_free(struct core *c, const char *obj)
{
	struct dirinfo info;
	objname_t dir;

	if (!c->cfg.delim || core_dir_of(c, obj, dir))
		return 0;
	index_dir(c->index, dir, &info);
	return info.exists ? EEXIST : 0;
}

static int link_locked(struct core *c, const struct caller *who,
		       struct node *n, struct node *newparent,
		       const char *newname, struct core_entry *e)
{
	struct fsids ids;
	objname_t obj;
	int fd, err;

	err = core_child(c, newparent, newname, obj);
	if (!err)
		err = name_free(c, obj);
	if (!err)
		err = core_node_fd(c, n, &fd);
	if (err)
		return err;
	own_expect(&c->own_events, obj, OWN_MADE);
	ids = as_caller(c, who);
	err = link_counted(c, fd, obj);
	as_daemon(ids);
	if (err)
		own_cancel(&c->own_events, obj, OWN_MADE);
	if (!err && fstat(fd, &e->st))
		err = errno;
	close(fd);
	if (err)
		return err;
	e->n = nodes_get(&c->nodes, false, e->st.st_ino, obj);
	if (!e->n)
		return ENOMEM;
	e->churn = core_churns(c, obj);
	core_touch(c, newparent, obj);
	return 0;
}

int core_link(struct core *c, const struct caller *who, struct node *n,
	      struct node *newparent, const char *newname,
	      struct core_entry *e)
{
	int err;

	memset(e, 0, sizeof(*e));
	/* The kernel links no directory; the root is none of ours. */
	if (n->root || n->dir)
		return EPERM;
	pthread_rwlock_rdlock(&c->tree);
	err = link_locked(c, who, n, newparent, newname, e);
	pthread_rwlock_unlock(&c->tree);
	return err;
}

struct same_object {
	struct core *c;
	uint64_t ino;
};

/* Does NAME still hold the object? */
static bool holds(void *arg, const char *name)
{
	struct same_object *so = arg;
	struct stat st;

	return shmobj_stat(so->c->dirfd, name, &st) == 0 &&
	       st.st_ino == so->ino;
}

void core_name_removed(struct core *c, const struct stat *st, const char *name)
{
	struct same_object so = { c, st->st_ino };

	/* Open handles keep the node's descriptor: they go on. */
	nodes_unlinked(&c->nodes, st->st_ino, name, st->st_nlink <= 1, holds,
		       &so);
}

void core_name_gone(struct core *c, uint64_t id, const char *name)
{
	struct same_object so = { c, id };

	nodes_name_went(&c->nodes, id, name, holds, &so);
}

int core_names_renamed(struct core *c, const struct stat *src,
		       const struct stat *dst, const char *from, const char *to,
		       unsigned flags)
{
	int err = 0;

	/* Two names of one object: rename(2) leaves both as they are. */
	if (dst && dst->st_ino == src->st_ino)
		return 0;
	if (dst && (flags & RENAME_EXCHANGE))
		err = nodes_moved(&c->nodes, dst->st_ino, to, from);
	else if (dst)
		core_name_removed(c, dst, to);
	return err ? err : nodes_moved(&c->nodes, src->st_ino, from, to);
}

/* ---- sparse seeks ---------------------------------------------------- */

int core_lseek(struct core *c, struct node *n, off_t off, int whence,
	       off_t *at)
{
	(void)c;
	/* The file position is the kernel's; this descriptor's is unused. */
	*at = lseek(n->obj->fd, off, whence);
	return *at < 0 ? errno : 0;
}

/* ---- xattrs ------------------------------------------------------------ */

static const char *dacl_name(const struct core *c)
{
	return c->own ? "trusted.pshmfs.posix_acl_default"
		      : "user.pshmfs.posix_acl_default";
}

/* The name node N's xattr NAME has in its object or marker. */
static const char *stored_name(struct core *c, bool dir, const char *name)
{
	return dir && strcmp(name, ACL_XATTR_DEFAULT) == 0 ? dacl_name(c)
							  : name;
}

/* Ours: not to be read or set under its own name through the mount. */
static bool private_name(const struct core *c, const char *name)
{
	return strcmp(name, dacl_name(c)) == 0;
}

/* A descriptor (O_PATH will do) of node N's object or marker, for the
 * caller to close. MAKE: make the marker of an implicit directory;
 * without, such a directory has no xattrs: ENODATA. */
static int xattr_fd(struct core *c, struct node *n, bool make, int *fd)
{
	objname_t name;
	struct stat st;
	int err;

	/* The root is the mount's options, not an object (as setattr). */
	if (n->root)
		return make ? EPERM : ENODATA;
	if (!n->dir)
		return core_node_fd(c, n, fd);
	err = nodes_name(&c->nodes, n, name, NULL, NULL);
	if (!err && make)
		return core_marker_fd(c, name, n, fd);
	if (!err)
		err = shmobj_path_open(c->dirfd, name, fd, &st);
	return err == ENOENT ? ENODATA : err;
}

int core_getxattr(struct core *c, struct node *n, const char *name,
		  void *buf, size_t size, size_t *len)
{
	fdpath_t p;
	ssize_t got;
	int fd, err;

	err = private_name(c, name) ? ENODATA : xattr_fd(c, n, false, &fd);
	if (err)
		return err;
	got = getxattr(fd_path(fd, p), stored_name(c, n->dir, name), buf, size);
	err = got < 0 ? errno : 0;
	close(fd);
	*len = got < 0 ? 0 : (size_t)got;
	return err;
}

int core_setxattr(struct core *c, struct node *n, const char *name,
		  const void *value, size_t size, int flags)
{
	fdpath_t p;
	int fd = -1, err;

	pthread_rwlock_rdlock(&c->tree);
	err = private_name(c, name) ? EPERM : xattr_fd(c, n, true, &fd);
	if (!err && setxattr(fd_path(fd, p), stored_name(c, n->dir, name), value,
			     size, flags))
		err = errno;
	if (fd >= 0)
		close(fd);
	pthread_rwlock_unlock(&c->tree);
	return err;
}

int core_removexattr(struct core *c, struct node *n, const char *name)
{
	fdpath_t p;
	int fd, err;

	err = private_name(c, name) ? ENODATA : xattr_fd(c, n, false, &fd);
	if (err)
		return err;
	if (removexattr(fd_path(fd, p), stored_name(c, n->dir, name)))
		err = errno;
	close(fd);
	return err;
}

/* The object's list, our default ACL's name shown as the standard one,
 * into RES (VALUE_MAX bytes), its length in *LEN. */
static int list_names(struct core *c, int fd, char *res, size_t *len)
{
	char *all = malloc(VALUE_MAX);
	fdpath_t p;
	ssize_t n = all ? listxattr(fd_path(fd, p), all, VALUE_MAX) : -1;
	int err = n < 0 ? (all ? errno : ENOMEM) : 0;

	*len = 0;
	for (ssize_t i = 0; !err && i < n; i += (ssize_t)strlen(all + i) + 1) {
		const char *name = private_name(c, all + i) ? ACL_XATTR_DEFAULT
							    : all + i;
		size_t l = strlen(name) + 1;

		if (*len + l > VALUE_MAX)
			err = E2BIG;
		else
			memcpy(res + *len, name, l);
		*len += l;
	}
	free(all);
	return err;
}

int core_listxattr(struct core *c, struct node *n, char **names, size_t *len)
{
	int fd = -1, err;

	*len = 0;
	*names = malloc(VALUE_MAX);
	if (!*names)
		return ENOMEM;
	err = xattr_fd(c, n, false, &fd);
	if (!err)
		err = list_names(c, fd, *names, len);
	if (fd >= 0)
		close(fd);
	if (err == ENODATA) {
		*len = 0;
		err = 0; /* an implicit directory, or the root: none */
	}
	return err;
}

/* ---- what new objects inherit ------------------------------------------ */

/* The default ACL of the directory that object OBJ (a marker when ISDIR)
 * is made in, into *ACL (malloc'ed) and *LEN; *ACL NULL if it has none. */
static int parent_default_acl(struct core *c, const char *obj, bool isdir,
			      void **acl, size_t *len)
{
	const char *last = NULL;
	objname_t dir;
	struct stat st;
	fdpath_t p;
	ssize_t n = -1;
	int fd, err;

	*acl = NULL;
	*len = 0;
	/* A marker ends with the delimiter: not its parent's. */
	for (const char *s = obj + c->plen; c->cfg.delim && *s; s++)
		if (*s == c->cfg.delim && (!isdir || s[1]))
			last = s;
	if (!last)
		return 0; /* the root holds none */
	memcpy(dir, obj, (size_t)(last + 1 - obj));
	dir[last + 1 - obj] = '\0';
	if (shmobj_path_open(c->dirfd, dir, &fd, &st))
		return 0; /* implicit: none */
	*acl = malloc(VALUE_MAX);
	if (*acl)
		n = getxattr(fd_path(fd, p), dacl_name(c), *acl, VALUE_MAX);
	err = !*acl ? ENOMEM : n < 0 && errno != ENODATA ? errno : 0;
	close(fd);
	if (err || n <= 0) {
		free(*acl);
		*acl = NULL;
	}
	*len = n > 0 ? (size_t)n : 0;
	return err;
}

/* What a new object inherits from its directory's default ACL. */
struct inherit {
	void *access; /* its access ACL, or NULL */
	void *dflt;   /* a new directory's default ACL, or NULL */
	size_t len;
};

static void inherit_end(struct inherit *in)
{
	free(in->access);
	free(in->dflt);
	in->access = in->dflt = NULL;
}

/* *MODE for a new object OBJ: its directory's default ACL, or else WHO's
 * umask, shapes it. */
static int inherit_begin(struct core *c, const struct caller *who,
			 const char *obj, bool dir, mode_t *mode,
			 struct inherit *in)
{
	bool extended;
	void *dacl;
	int err;

	memset(in, 0, sizeof(*in));
	err = parent_default_acl(c, obj, dir, &dacl, &in->len);
	if (err || !dacl) {
		*mode &= ~(who->umask & 0777);
		return err;
	}
	in->access = malloc(in->len);
	err = in->access ? acl_inherit(dacl, in->len, mode, in->access, &extended)
			 : ENOMEM;
	if (!err && !extended) {
		free(in->access);
		in->access = NULL;
	}
	if (!err && dir)
		in->dflt = dacl;
	else
		free(dacl);
	if (err)
		inherit_end(in);
	return err;
}

static int inherit_apply(struct core *c, int fd, struct inherit *in)
{
	int err = 0;

	if (in->access &&
	    fsetxattr(fd, ACL_XATTR_ACCESS, in->access, in->len, 0))
		err = errno;
	if (!err && in->dflt &&
	    fsetxattr(fd, dacl_name(c), in->dflt, in->len, 0))
		err = errno;
	inherit_end(in);
	return err;
}

int core_create_inheriting(struct core *c, const struct caller *who,
			   const char *name, mode_t mode, gid_t gid, bool dir,
			   int *fd, struct stat *st)
{
	struct inherit in;
	int err = inherit_begin(c, who, name, dir, &mode, &in);

	if (err)
		return err;
	err = core_create_counted(c, name, mode, who->uid, gid, fd, st);
	if (err) {
		inherit_end(&in);
		return err;
	}
	if (!in.access && !in.dflt)
		return 0;
	err = inherit_apply(c, *fd, &in);
	if (!err && fstat(*fd, st))
		err = errno;
	if (err) {
		close(*fd);
		unlinkat(c->dirfd, name, 0);
	}
	return err;
}
