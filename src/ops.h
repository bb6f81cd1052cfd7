/** @file
 * The FUSE low-level operations of pshmfs.
 */
#ifndef PSHMFS_OPS_H
#define PSHMFS_OPS_H

#include "pshmfs.h"

extern const struct fuse_lowlevel_ops pshmfs_ops;

#endif
