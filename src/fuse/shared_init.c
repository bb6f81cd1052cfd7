/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * INIT for what pshmfs shares with shm_open users (issue 16).
 */
#include "config.h"

#include <stdatomic.h>
#include <stdint.h>

#include "shared_ops.h"
#include "ops_i.h"

uint64_t open_fh(struct node *n)
{
	static atomic_uint_fast16_t opens;
	uint64_t tag = (uint16_t)(atomic_fetch_add(&opens, 1) + 1);

	/* An address past 48 bits (never, in Linux's default layout) goes
	 * untagged: its opens then share OFD and flock locks. */
	if ((uintptr_t)n & ~FH_NODE_MASK)
		return (uintptr_t)n;
	return (uintptr_t)n | tag << 48;
}

void shared_init(struct pshmfs *fs, struct fuse_conn_info *conn)
{
	(void)fs;
	/* Locks held on the objects (lock_ops.c), not the kernel's own. */
	locks_init();
	conn->want |= conn->capable & (FUSE_CAP_POSIX_LOCKS | FUSE_CAP_FLOCK_LOCKS);
	/* ACLs checked by the kernel and kept by the objects; then the
	 * kernel applies no umask and computes no inherited ACL: we do
	 * (xattr_ops.c), and must see the mode unmasked to do it. */
	if ((conn->capable & FUSE_CAP_POSIX_ACL) &&
	    (conn->capable & FUSE_CAP_DONT_MASK))
		conn->want |= FUSE_CAP_POSIX_ACL | FUSE_CAP_DONT_MASK;
}
