/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * What pshmfs shares with shm_open users as tmpfs does (issue 16), the
 * FUSE side: hard links and sparse seeks (links_ops.c), xattrs and POSIX
 * ACLs (xattr_ops.c; their rules in core/shared.c), flock and POSIX locks
 * (lock_ops.c), and remount (remount.c). The ops table and main call
 * these hooks.
 */
#ifndef PSHMFS_SHARED_OPS_H
#define PSHMFS_SHARED_OPS_H

#include "pshmfs.h"

/* Negotiate what these need at INIT (locks, ACLs, no umask). */
void shared_init(struct pshmfs *fs, struct fuse_conn_info *conn);

/* links_ops.c (the rules: core/shared.c) */
void pshmfs_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent,
		 const char *newname);
void pshmfs_lseek(fuse_req_t req, fuse_ino_t ino, off_t off, int whence,
		  struct fuse_file_info *fi);

/* xattr_ops.c */
void pshmfs_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
		     size_t size);
void pshmfs_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
		     const char *value, size_t size, int flags);
void pshmfs_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size);
void pshmfs_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name);

/* lock_ops.c */
void pshmfs_getlk(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		  struct flock *lock);
void pshmfs_setlk(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		  struct flock *lock, int sleep);
void pshmfs_flock(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi,
		  int op);
void pshmfs_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
/* At RELEASE of FI (before the node's close): its locks go. */
void shared_release(struct pshmfs *fs, struct fuse_file_info *fi);
void locks_init(void);
/* The daemon stops: every lock wait ends (ENOLCK), no new one starts. */
void locks_stop(void);
/* Must a new open of N send FLUSH at close (someone holds locks on N)? */
bool locks_flush(struct node *n);

/* remount.c: the control channel a running mount listens on. */
int remount_listen(struct pshmfs *fs);
void remount_stop(struct pshmfs *fs);
/* pshmfs -o remount,...: hand OPTS to the daemon of MOUNTPOINT; the exit
 * status. */
int remount_client(const char *mountpoint, const char *opts);
/* If ARGV asks for a remount (-o ...,remount,...), do it: the exit
 * status; else -1. */
int remount_main(int argc, char **argv);

#endif
