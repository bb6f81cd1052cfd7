/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * INIT for what pshmfs shares with shm_open users (issue 16).
 */
#include "config.h"

#include "fuse/shared_ops.h"

void shared_init(struct pshmfs *fs, struct fuse_conn_info *conn)
{
	(void)fs;
	/* ACLs checked by the kernel and kept by the objects; then the
	 * kernel applies no umask and computes no inherited ACL: we do
	 * (xattr_ops.c), and must see the mode unmasked to do it. */
	if ((conn->capable & FUSE_CAP_POSIX_ACL) &&
	    (conn->capable & FUSE_CAP_DONT_MASK))
		conn->want |= FUSE_CAP_POSIX_ACL | FUSE_CAP_DONT_MASK;
}
