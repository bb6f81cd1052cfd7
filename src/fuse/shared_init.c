/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * INIT for what pshmfs shares with shm_open users (issue 16).
 */
#include "config.h"

#include "fuse/shared_ops.h"

void shared_init(struct pshmfs *fs, struct fuse_conn_info *conn)
{
	(void)fs;
	(void)conn;
}
