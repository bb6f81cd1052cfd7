/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * What the core's files share (core.c, fileops.c, dirops.c, limits.c,
 * coherence.c); nothing outside src/core/ includes it.
 */
#ifndef PSHMFS_CORE_I_H
#define PSHMFS_CORE_I_H

#include <sys/fsuid.h>

#include "core.h"
#include "index.h"
#include "journal.h"

/* core.c: names and directories */

/* The object name of component COMP in directory node PARENT: ENOTDIR
 * (PARENT is a file), ENOENT (it was removed), or names_join()'s errors. */
int core_child(struct core *c, struct node *parent, const char *comp,
	       objname_t out);
/* core_child() of an entry that must exist: ENOENT for a component that
 * cannot be a name. */
int core_child_existing(struct core *c, struct node *parent,
			const char *comp, objname_t out);
/* The directory prefix of object name OBJ: OBJ and the delimiter. */
int core_dir_of(struct core *c, const char *obj, objname_t dir);
/* The directory name of the directory that holds object OBJ. */
void core_parent_of(struct core *c, const char *obj, objname_t dir);
/* The attributes of directory DIR (N: its node, for an implicit one's
 * times; may be NULL), and what the index knows of it (INFO may be NULL).
 * ENOENT if there is none. */
int core_dir_stat(struct core *c, const char *dir, struct node *n,
		  struct stat *st, struct dirinfo *info);
/* The group of a new object OBJ: *GID, or its directory's when that is
 * set-group-ID (*SGID: a new directory inherits the bit), as in tmpfs. */
void core_new_group(struct core *c, const char *obj, gid_t *gid, bool *sgid);
/* An entry of directory node DIR (named DIRNAME) was made, removed or
 * renamed: its mtime and ctime are now. */
void core_touch(struct core *c, struct node *dir, const char *dirname);
/* A descriptor of directory DIR's marker, made (with the root's looks) if
 * it had none; node N then takes the marker's identity. */
int core_marker_fd(struct core *c, const char *dir, struct node *n, int *fd);
/* A descriptor of node N's object for the caller to close: a copy of the
 * open one, or an O_PATH one by name (checked to be the node's object);
 * for a directory, its marker's, made if it had none. 0 or errno. */
int core_node_fd(struct core *c, struct node *n, int *fd);
/* Whether GID is WHO's group or one of its supplementary groups. */
bool core_in_group(const struct caller *who, gid_t gid);

/* While a root daemon serves another user, removals and renames in the
 * shm directory run with that user's file system ids, so the shm
 * directory's sticky bit judges them as it would the user's own
 * shm_unlink or rename. setfsuid acts on the calling thread only. */
struct fsids {
	int uid, gid;
};

static inline struct fsids as_caller(struct core *c, const struct caller *who)
{
	struct fsids old = { -1, -1 };

	if (c->own && who->uid != 0) {
		old.gid = setfsgid(who->gid);
		old.uid = setfsuid(who->uid);
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

/* fileops.c */
/* Find the object NAME and take a kernel reference on its node. */
int core_lookup_file(struct core *c, const char *name, struct core_entry *e);
/* Find directory OBJ (its object name, no delimiter), and reference it. */
int core_lookup_dir(struct core *c, const char *obj, struct core_entry *e);

/* limits.c: within size= and nr_inodes= */
int core_create_counted(struct core *c, const char *name, mode_t mode,
			uid_t uid, gid_t gid, int *fd, struct stat *st);
void core_statfs_limited(struct core *c, struct statvfs *sv);
void core_held(void *arg, uint64_t *bytes, uint64_t *objects);
int charge_begin(struct core *c, int fd, off_t off, size_t len, size_t *fit,
		 blkcnt_t *before);
void charge_end(struct core *c, int fd, blkcnt_t before);

/* coherence.c */
/* The index's hook: what went stale, and whose it was. */
/* nodes.unwatch: the node with inode watch WD went. */
void core_unwatch(void *arg, int wd);
void core_changed(void *arg, enum ix_change what, const char *name,
		  uint64_t oldid, uint32_t mask);
/* Was NAME removed lately (so the kernel should not cache it)? */
bool core_churns(struct core *c, const char *name);

#endif
