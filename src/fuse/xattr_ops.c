/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * xattrs and POSIX ACLs: a file's are its object's own, a directory's its
 * marker's (made for an implicit directory when one is set), so tmpfs
 * keeps them and enforces the ACLs for shm_open users, and the kernel
 * (FUSE_CAP_POSIX_ACL, default_permissions) for mount users. Permission
 * checks (user.* needs write permission, trusted.* CAP_SYS_ADMIN, ACLs the
 * owner) are the kernel's, on the FUSE inode, before a request comes.
 *
 * A marker is a regular file, which holds no default ACL on tmpfs: a
 * directory's default ACL is kept in the marker's xattr
 * trusted.pshmfs.posix_acl_default (user.pshmfs.posix_acl_default when the
 * daemon is not root), hidden from listings and shown as
 * system.posix_acl_default. With FUSE_CAP_POSIX_ACL the kernel leaves the
 * umask and default ACLs of new files to us (inherit_begin/_apply): as
 * posix_acl_create() does for a local file system.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "acl.h"
#include "shared_ops.h"
#include "ops.h"
#include "ops_i.h"

/* Largest xattr value and list, as the kernel's. */
#define VALUE_MAX 65536

typedef char fdpath_t[32];

static const char *fd_path(int fd, fdpath_t buf)
{
	snprintf(buf, sizeof(fdpath_t), "/proc/self/fd/%d", fd);
	return buf;
}

static const char *dacl_name(const struct pshmfs *fs)
{
	return fs->own ? "trusted.pshmfs.posix_acl_default"
		       : "user.pshmfs.posix_acl_default";
}

/* The name NAME of node INO's xattr has in its object. */
static const char *stored_name(struct pshmfs *fs, bool dir, const char *name)
{
	return dir && strcmp(name, ACL_XATTR_DEFAULT) == 0 ? dacl_name(fs)
							  : name;
}

/* Ours: not to be read or set under its own name through the mount. */
static bool private_name(const struct pshmfs *fs, const char *name)
{
	return strcmp(name, dacl_name(fs)) == 0;
}

/* A descriptor (O_PATH will do) of node INO's object or marker, for the
 * caller to close. MAKE: make the marker of an implicit directory;
 * without, such a directory has no xattrs: ENODATA. */
static int xattr_fd(struct pshmfs *fs, fuse_ino_t ino, bool make, int *fd,
		    bool *dir)
{
	struct node *n = node_of(ino);
	objname_t name;
	struct stat st;
	int err;

	*dir = true;
	/* The root is the mount's options, not an object (as setattr). */
	if (ino == FUSE_ROOT_ID)
		return make ? EPERM : ENODATA;
	*dir = n->dir;
	if (!n->dir || make)
		return node_fd(fs, n, fd);
	err = node_name(fs, ino, name, dir);
	if (!err)
		err = shmobj_path_open(fs->dirfd, name, fd, &st);
	return err == ENOENT ? ENODATA : err;
}

void pshmfs_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
		     size_t size)
{
	struct pshmfs *fs = fs_of(req);
	char *buf = NULL;
	fdpath_t p;
	ssize_t len = -1;
	bool dir;
	int fd = -1, err;

	TRACE(fs, "getxattr: ino %" PRIu64 " '%s' size %zu\n", ino, name, size);
	err = private_name(fs, name) ? ENODATA : xattr_fd(fs, ino, false, &fd, &dir);
	if (!err && size && !(buf = malloc(size)))
		err = ENOMEM;
	if (!err) {
		len = getxattr(fd_path(fd, p), stored_name(fs, dir, name), buf,
			       size);
		err = len < 0 ? errno : 0;
	}
	if (fd >= 0)
		close(fd);
	if (err)
		fuse_reply_err(req, err);
	else if (size)
		fuse_reply_buf(req, buf, (size_t)len);
	else
		fuse_reply_xattr(req, (size_t)len);
	free(buf);
}

void pshmfs_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
		     const char *value, size_t size, int flags)
{
	struct pshmfs *fs = fs_of(req);
	fdpath_t p;
	bool dir;
	int fd = -1, err;

	TRACE(fs, "setxattr: ino %" PRIu64 " '%s' size %zu flags 0x%x\n", ino,
	      name, size, flags);
	err = private_name(fs, name) ? EPERM : xattr_fd(fs, ino, true, &fd, &dir);
	if (!err && setxattr(fd_path(fd, p), stored_name(fs, dir, name), value,
			     size, flags))
		err = errno;
	if (fd >= 0)
		close(fd);
	fuse_reply_err(req, err);
}

void pshmfs_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	struct pshmfs *fs = fs_of(req);
	fdpath_t p;
	bool dir;
	int fd = -1, err;

	TRACE(fs, "removexattr: ino %" PRIu64 " '%s'\n", ino, name);
	err = private_name(fs, name) ? ENODATA : xattr_fd(fs, ino, false, &fd, &dir);
	if (!err && removexattr(fd_path(fd, p), stored_name(fs, dir, name)))
		err = errno;
	if (fd >= 0)
		close(fd);
	fuse_reply_err(req, err);
}

/* The object's list, with our default ACL's name shown as the standard
 * one, into *OUT (malloc'ed), its length in *LEN. */
static int list_names(struct pshmfs *fs, int fd, char **out, size_t *len)
{
	char *all = malloc(VALUE_MAX), *res = malloc(VALUE_MAX);
	size_t used = 0;
	fdpath_t p;
	ssize_t n;
	int err = 0;

	n = all && res ? listxattr(fd_path(fd, p), all, VALUE_MAX) : -1;
	if (n < 0)
		err = all && res ? errno : ENOMEM;
	for (ssize_t i = 0; !err && i < n; i += (ssize_t)strlen(all + i) + 1) {
		const char *name = private_name(fs, all + i) ? ACL_XATTR_DEFAULT
							     : all + i;
		size_t l = strlen(name) + 1;

		if (used + l > VALUE_MAX) {
			err = E2BIG;
			break;
		}
		memcpy(res + used, name, l);
		used += l;
	}
	free(all);
	if (err) {
		free(res);
		return err;
	}
	*out = res;
	*len = used;
	return 0;
}

void pshmfs_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	struct pshmfs *fs = fs_of(req);
	char *names = NULL;
	size_t len = 0;
	bool dir;
	int fd = -1, err;

	TRACE(fs, "listxattr: ino %" PRIu64 " size %zu\n", ino, size);
	err = xattr_fd(fs, ino, false, &fd, &dir);
	if (!err)
		err = list_names(fs, fd, &names, &len);
	if (err == ENODATA)
		err = 0; /* none */
	if (!err && size && len > size)
		err = ERANGE;
	if (fd >= 0)
		close(fd);
	if (err)
		fuse_reply_err(req, err);
	else if (size)
		fuse_reply_buf(req, names, len);
	else
		fuse_reply_xattr(req, len);
	free(names);
}

/* The default ACL of the directory that object OBJ is made in, into
 * *ACL (malloc'ed) and *LEN; *ACL NULL when it has none. */
static int parent_default_acl(struct pshmfs *fs, const char *obj, bool isdir,
			      void **acl, size_t *len)
{
	size_t plen = strlen(fs->o.prefix);
	const char *last = NULL;
	objname_t dir;
	struct stat st;
	fdpath_t p;
	ssize_t n = -1;
	int fd, err;

	*acl = NULL;
	/* A directory's marker ends with the delimiter: not its parent's. */
	for (const char *c = obj + plen; fs->o.delim && *c; c++)
		if (*c == fs->o.delim && (!isdir || c[1]))
			last = c;
	if (!last)
		return 0; /* the root holds none */
	memcpy(dir, obj, (size_t)(last + 1 - obj));
	dir[last + 1 - obj] = '\0';
	if (shmobj_path_open(fs->dirfd, dir, &fd, &st))
		return 0; /* implicit: none */
	*acl = malloc(VALUE_MAX);
	if (*acl)
		n = getxattr(fd_path(fd, p), dacl_name(fs), *acl, VALUE_MAX);
	err = !*acl ? ENOMEM : n < 0 && errno != ENODATA ? errno : 0;
	close(fd);
	if (err || n <= 0) {
		free(*acl);
		*acl = NULL;
	}
	*len = n > 0 ? (size_t)n : 0;
	return err;
}

int inherit_begin(struct pshmfs *fs, fuse_req_t req, const char *obj,
		  bool dir, mode_t *mode, struct inherit *in)
{
	bool extended;
	void *dacl;
	int err;

	memset(in, 0, sizeof(*in));
	err = parent_default_acl(fs, obj, dir, &dacl, &in->len);
	if (err || !dacl) {
		/* No default ACL: the umask, which the kernel left to us. */
		*mode &= ~fuse_req_ctx(req)->umask | S_IFMT;
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

int inherit_apply(struct pshmfs *fs, int fd, struct inherit *in)
{
	int err = 0;

	if (in->access &&
	    fsetxattr(fd, ACL_XATTR_ACCESS, in->access, in->len, 0))
		err = errno;
	if (!err && in->dflt &&
	    fsetxattr(fd, dacl_name(fs), in->dflt, in->len, 0))
		err = errno;
	inherit_end(in);
	return err;
}

void inherit_end(struct inherit *in)
{
	free(in->access);
	free(in->dflt);
	in->access = in->dflt = NULL;
}

int create_inheriting(struct pshmfs *fs, fuse_req_t req, const char *name,
		      mode_t mode, uid_t uid, gid_t gid, bool dir, int *fd,
		      struct stat *st)
{
	struct inherit in;
	int err = inherit_begin(fs, req, name, dir, &mode, &in);

	if (err)
		return err;
	err = create_counted(fs, name, mode, uid, gid, fd, st);
	if (err) {
		inherit_end(&in);
		return err;
	}
	if (!in.access && !in.dflt)
		return 0;
	err = inherit_apply(fs, *fd, &in);
	if (!err && fstat(*fd, st))
		err = errno;
	if (err) {
		close(*fd);
		unlinkat(fs->dirfd, name, 0);
	}
	return err;
}
