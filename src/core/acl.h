/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * POSIX ACLs in their xattr form (system.posix_acl_access/_default: a
 * little-endian version word, then tag, permissions, id entries), and what
 * a new file or directory inherits from its directory's default ACL, as
 * the kernel's posix_acl_create() computes it for local file systems. A
 * FUSE daemon with FUSE_CAP_POSIX_ACL must do this itself. Free of FUSE.
 */
#ifndef PSHMFS_ACL_H
#define PSHMFS_ACL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define ACL_XATTR_ACCESS "system.posix_acl_access"
#define ACL_XATTR_DEFAULT "system.posix_acl_default"

/* A new object with mode *MODE (file type bits aside) under a directory
 * whose default ACL is DACL (LEN bytes): *MODE becomes the mode it gets,
 * and OUT (LEN bytes of room) its access ACL, *EXTENDED telling whether it
 * needs one (false: the mode says it all). 0, or EINVAL for a malformed
 * DACL. */
int acl_inherit(const void *dacl, size_t len, mode_t *mode, void *out,
		bool *extended);

#endif
