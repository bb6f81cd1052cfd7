/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * What the mount shares with shm_open users as tmpfs does (issue 16):
 * hard links, sparse seeks, xattrs and POSIX ACLs (shared.c). The core's
 * operations in the style of core.h: 0 or an errno.
 */
#ifndef PSHMFS_SHARED_H
#define PSHMFS_SHARED_H

#include "core.h"

/* ln: a second name NEWNAME in NEWPARENT of file node N's object. */
int core_link(struct core *c, const struct caller *who, struct node *n,
	      struct node *newparent, const char *newname,
	      struct core_entry *e);
/* The name NAME of the object ST (as it was before) was removed. */
void core_name_removed(struct core *c, const struct stat *st, const char *name);
/* Another program removed NAME of object ID: the node's name, if it was
 * NAME, becomes another name that still holds the object, if any
 * (nodes_name_went). */
void core_name_gone(struct core *c, uint64_t id, const char *name);
/* FROM (object SRC) was renamed onto TO (object DST, or NULL). */
int core_names_renamed(struct core *c, const struct stat *src,
		       const struct stat *dst, const char *from, const char *to,
		       unsigned flags);

/* SEEK_DATA/SEEK_HOLE on open file node N. */
int core_lseek(struct core *c, struct node *n, off_t off, int whence,
	       off_t *at);

/* xattrs of node N (the object's, or a directory's marker's). getxattr
 * into BUF (SIZE bytes; NULL and 0: ask the length), its length in *LEN;
 * listxattr into *NAMES (malloc'ed, the caller frees). */
int core_getxattr(struct core *c, struct node *n, const char *name,
		  void *buf, size_t size, size_t *len);
int core_setxattr(struct core *c, struct node *n, const char *name,
		  const void *value, size_t size, int flags);
int core_removexattr(struct core *c, struct node *n, const char *name);
int core_listxattr(struct core *c, struct node *n, char **names, size_t *len);

/* core_create_counted for WHO, the new object NAME (a directory's marker
 * when DIR) inheriting its directory's default ACL, or else masked by
 * WHO's umask. */
int core_create_inheriting(struct core *c, const struct caller *who,
			   const char *name, mode_t mode, gid_t gid, bool dir,
			   int *fd, struct stat *st);

#endif
