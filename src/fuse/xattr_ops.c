/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * The FUSE glue of xattrs and POSIX ACLs (the rules: core/shared.c). With
 * FUSE_CAP_POSIX_ACL (shared_init.c) the kernel reads and writes ACLs as
 * the xattrs system.posix_acl_access/_default through these.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>

#include "ops_i.h"
#include "shared.h"
#include "shared_ops.h"

void pshmfs_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
		     size_t size)
{
	struct pshmfs *fs = fs_of(req);
	char *buf = size ? malloc(size) : NULL;
	size_t len;
	int err;

	TRACE_NODE(fs, "getxattr", node_of(fs, ino), " '%s' size %zu", name,
		   size);
	err = size && !buf ? ENOMEM
			   : core_getxattr(&fs->core, node_of(fs, ino), name,
					   buf, size, &len);
	if (err)
		reply_err(req, err);
	else if (size)
		fuse_reply_buf(req, buf, len);
	else
		fuse_reply_xattr(req, len);
	free(buf);
}

void pshmfs_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
		     const char *value, size_t size, int flags)
{
	struct pshmfs *fs = fs_of(req);

	TRACE_NODE(fs, "setxattr", node_of(fs, ino), " '%s' size %zu flags 0x%x",
		   name, size, flags);
	reply_err(req, core_setxattr(&fs->core, node_of(fs, ino), name, value,
				     size, flags));
}

void pshmfs_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	struct pshmfs *fs = fs_of(req);

	TRACE_NODE(fs, "removexattr", node_of(fs, ino), " '%s'", name);
	reply_err(req, core_removexattr(&fs->core, node_of(fs, ino), name));
}

void pshmfs_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	struct pshmfs *fs = fs_of(req);
	char *names = NULL;
	size_t len = 0;
	int err;

	TRACE_NODE(fs, "listxattr", node_of(fs, ino), " size %zu", size);
	err = core_listxattr(&fs->core, node_of(fs, ino), &names, &len);
	if (!err && size && len > size)
		err = ERANGE;
	if (err)
		reply_err(req, err);
	else if (size)
		fuse_reply_buf(req, names, len);
	else
		fuse_reply_xattr(req, len);
	free(names);
}
