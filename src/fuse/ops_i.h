/** @file
 * What the FUSE glue's two halves share: ops.c (files, the ops table) and
 * dirops.c (names and directories).
 */
#ifndef PSHMFS_OPS_I_H
#define PSHMFS_OPS_I_H

#include <sys/fsuid.h>
#include <sys/statvfs.h>

#include "pshmfs.h"

#define TRACE(fs, ...)                                                  \
	do {                                                            \
		if ((fs)->debug)                                        \
			fuse_log(FUSE_LOG_DEBUG, __VA_ARGS__);          \
	} while (0)

/* Room for an object name and its NUL. */
typedef char objname_t[SHM_NAME_MAX + 1];

static inline struct pshmfs *fs_of(fuse_req_t req)
{
	return fuse_req_userdata(req);
}

/* The kernel's node id of a file or directory is its node's address. */
static inline struct node *node_of(fuse_ino_t ino)
{
	return (struct node *)(uintptr_t)ino;
}

/* While a root daemon serves another user, run the removals and renames
 * in the shm directory with that user's file system ids, so /dev/shm's
 * sticky bit judges them as it would the user's own shm_unlink or rename.
 * setfsuid acts on the calling thread only. Returns what to restore. */
struct fsids {
	int uid, gid;
};

static inline struct fsids as_caller(struct pshmfs *fs, fuse_req_t req)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	struct fsids old = { -1, -1 };

	if (fs->own && ctx->uid != 0) {
		old.gid = setfsgid(ctx->gid);
		old.uid = setfsuid(ctx->uid);
	}
	return old;
}

static inline void as_daemon(struct fsids old)
{
	if (old.uid >= 0) {
		setfsuid((uid_t)old.uid);
		setfsgid((gid_t)old.gid);
	}
}

/* ops.c */
void fill_entry(struct pshmfs *fs, struct node *n, const char *name,
		const struct stat *st, struct fuse_entry_param *e);
int lookup_name(struct pshmfs *fs, const char *name,
		struct fuse_entry_param *e);
int create_counted(struct pshmfs *fs, const char *name, mode_t mode,
		   uid_t uid, gid_t gid, int *fd, struct stat *st);

/* limits.c */
int charge_begin(struct pshmfs *fs, int fd, off_t off, size_t len,
		 size_t *fit, blkcnt_t *before);
void charge_end(struct pshmfs *fs, int fd, blkcnt_t before);
void statfs_limited(struct quota *q, struct statvfs *sv);

/* dirops.c */
int child_name(struct pshmfs *fs, fuse_ino_t parent, const char *name,
	       objname_t out);
int node_name(struct pshmfs *fs, fuse_ino_t ino, objname_t out, bool *dir);
int dir_stat(struct pshmfs *fs, const char *dir, struct stat *st);
/* The group of a new object OBJ: *GID, or its directory's when that is
 * set-group-ID (*SGID: a new directory inherits the bit), as in tmpfs. */
void new_group(struct pshmfs *fs, const char *obj, gid_t *gid, bool *sgid);
int dir_marker_fd(struct pshmfs *fs, const char *dir, int *fd);
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
