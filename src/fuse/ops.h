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

/* Stop that, while requests are still answered (ARG: the pshmfs). */
void watch_stop(void *arg);

/* How long the kernel may keep the entry for object NAME: the mount's
 * entry_timeout, or 0 while the name churns (removed in the last
 * entry_timeout seconds). */
double watch_entry_timeout(struct pshmfs *fs, const char *name);

/* quota_extra_fn: what files removed while open hold. */
void pshmfs_held(void *arg, uint64_t *bytes, uint64_t *objects);

#endif
