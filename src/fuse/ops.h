/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * The FUSE low-level operations of pshmfs.
 */
#ifndef PSHMFS_OPS_H
#define PSHMFS_OPS_H

#include "pshmfs.h"

extern const struct fuse_lowlevel_ops pshmfs_ops;

/* Set up the notifies the core asks for when the kernel may cache
 * (attr_timeout or entry_timeout above 0); before core_open's first sync.
 * 0 or errno. */
int watch_init(struct pshmfs *fs);

/* Start the thread that follows the shm directory and sends them. 0 or
 * errno. */
int watch_start(struct pshmfs *fs);

/* Stop it, while requests are still answered (ARG: the pshmfs). */
void watch_stop(void *arg);

#endif
