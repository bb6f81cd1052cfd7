/** @file
 * The FUSE low-level operations of pshmfs.
 */
#ifndef PSHMFS_OPS_H
#define PSHMFS_OPS_H

#include "pshmfs.h"

extern const struct fuse_lowlevel_ops pshmfs_ops;

/* With cached attributes or names, start telling the kernel what changed
 * in the shm directory (watch.c). 0 or errno. */
int watch_start(struct pshmfs *fs);
void watch_stop(struct pshmfs *fs);

/* quota_extra_fn: what files removed while open hold. */
void pshmfs_held(void *arg, uint64_t *bytes, uint64_t *objects);

#endif
