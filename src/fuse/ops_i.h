/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * What the FUSE glue's two halves share: ops.c (files, the ops table) and
 * dirops.c (names and directories): decoding a request, the one place
 * errors go back, and the replies that record what the kernel was told.
 */
#ifndef PSHMFS_OPS_I_H
#define PSHMFS_OPS_I_H

#include "pshmfs.h"

#define TRACE(fs, ...)                                                  \
	do {                                                            \
		if ((fs)->debug)                                        \
			fuse_log(FUSE_LOG_DEBUG, __VA_ARGS__);          \
	} while (0)

static inline struct pshmfs *fs_of(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

/* The kernel's node id of a file or directory is its node's address; the
 * root's is FUSE_ROOT_ID. */
static inline struct node *node_of(struct pshmfs *fs, fuse_ino_t ino)
{
	return ino == FUSE_ROOT_ID ? &fs->core.nodes.root
				   : (struct node *)(uintptr_t)ino;
}

static inline fuse_ino_t ino_of(const struct node *n)
{
	return n->root ? FUSE_ROOT_ID : (fuse_ino_t)(uintptr_t)n;
}

/* An open file's fh: its node's address in the low 48 bits (where user
 * space addresses lie), and above them a number that tells the opens of
 * one node apart, whose OFD and flock locks are their own (issue 16,
 * lock_ops.c; open_fh() is in shared_init.c). */
#define FH_NODE_MASK ((UINT64_C(1) << 48) - 1)
uint64_t open_fh(struct node *n);

static inline struct node *fh_node(const struct fuse_file_info *fi)
{
	return (struct node *)(uintptr_t)(fi->fh & FH_NODE_MASK);
}

/* The caller of REQ; with GROUPS, its supplementary groups too (in BUF). */
struct caller caller_of(fuse_req_t req, bool groups, gid_t *buf, int room);

/* Node N's object name for -d ("(removed)" once it has none). */
const char *traced_name(struct pshmfs *fs, struct node *n, objname_t buf);

#define TRACE_NODE(fs, op, n, fmt, ...)                                  \
	do {                                                             \
		objname_t nm_;                                           \
		if ((fs)->debug)                                         \
			fuse_log(FUSE_LOG_DEBUG, "%s: '%s'" fmt "\n", op, \
				 traced_name(fs, n, nm_), __VA_ARGS__);  \
	} while (0)

/* The one way an error goes back to the kernel. */
void reply_err(fuse_req_t req, int err);

/* Replies that give the kernel a node or attributes, recording what it was
 * told (what the core's coherence compares with); a reply the kernel did
 * not take gives the reference back. */
void reply_entry(fuse_req_t req, const struct core_entry *e);
void reply_attr(fuse_req_t req, struct node *n, const struct stat *st,
		double timeout);
void fill_entry(struct pshmfs *fs, const struct core_entry *e,
		struct fuse_entry_param *fe);
void told(struct pshmfs *fs, struct node *n, const struct stat *st);

/* dirops.c */
void pshmfs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name);
void pshmfs_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name,
		  mode_t mode);
void pshmfs_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name);
void pshmfs_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
		   fuse_ino_t newparent, const char *newname,
		   unsigned int flags);
void pshmfs_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi);
void pshmfs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi);
void pshmfs_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size,
			off_t off, struct fuse_file_info *fi);
void pshmfs_releasedir(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi);

#endif
