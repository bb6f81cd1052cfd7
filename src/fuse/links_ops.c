/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * The FUSE glue of hard links and sparse seeks (the rules: core/shared.c).
 */
#include "config.h"

#include <errno.h>

#include "ops_i.h"
#include "shared.h"
#include "shared_ops.h"

void pshmfs_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent,
		 const char *newname)
{
	struct pshmfs *fs = fs_of(req);
	struct caller who = caller_of(req, false, NULL, 0);
	struct core_entry e;
	int err;

	TRACE_NODE(fs, "link", node_of(fs, ino), " -> '%s'", newname);
	err = core_link(&fs->core, &who, node_of(fs, ino),
			node_of(fs, newparent), newname, &e);
	if (err)
		reply_err(req, err);
	else
		reply_entry(req, &e);
}

void pshmfs_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence,
		  struct fuse_file_info *fi)
{
	struct pshmfs *fs = fs_of(req);
	off_t at;
	int err;

	(void)ino;
	TRACE_NODE(fs, "lseek", fh_node(fi), " off %jd whence %d",
		   (intmax_t)off, whence);
	err = core_lseek(&fs->core, fh_node(fi), off, whence, &at);
	if (err)
		reply_err(req, err);
	else
		fuse_reply_lseek(req, at);
}
