/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * The core of pshmfs: the rules of the file system, free of FUSE. One
 * core_<op>() per operation takes the caller and the nodes the kernel
 * names, does the operation on the shm objects, and returns 0 or an errno
 * (never a different one than the system gave). The FUSE side
 * (src/fuse/) decodes a request, calls one of these, maps the error once
 * and replies.
 *
 * Lock order (a lock may be taken while holding those to its left only):
 *
 *   tree (rwlock) -> quota.lock -> index lock -> nodes.lock -> own.lock
 *
 * and, apart, each leaf on its own: removed.lock, a node's
 * open object (shmmap.lock, never taken with nodes.lock held nor the other
 * way round), the request loop's lock (loop.c) and the FUSE side's notify
 * queue lock. TREE is held shared by every operation that resolves a name
 * to objects or nodes and exclusive by a directory rename, so no lookup or
 * listing sees a directory half moved. The index calls back into the core
 * (coherence.c) with its lock held: those callbacks take nodes.lock and
 * own.lock only, and never wait on the kernel.
 */
#ifndef PSHMFS_CORE_H
#define PSHMFS_CORE_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <time.h>

#include "journal.h"
#include "names.h"
#include "nodes.h"
#include "own.h"
#include "quota.h"

struct index;
struct ilist;

/* Who asks: the kernel's view of the calling process. GROUPS (NGROUPS of
 * them) may be NULL: then only GID counts as the caller's group. */
struct caller {
	uid_t uid;
	gid_t gid;
	const gid_t *groups;
	int ngroups;
	mode_t umask;   /* what new files' modes lose (issue 16: with
			 * POSIX ACLs, the kernel leaves it to us) */
};

/* What the FUSE side does when the core finds that the kernel holds
 * something stale: queue a notify for a thread outside request handling
 * (never send it at once: the core calls these with locks held). A NULL
 * function: the kernel caches nothing (timeouts 0). */
struct core_inval {
	void (*inode)(void *arg, struct node *n);
	void (*entry)(void *arg, struct node *parent, const char *name,
		      size_t len);
	/* The kernel holds directory PATH (relative to the mount's root)
	 * under a parent that became another directory: look it up again,
	 * outside any request, so the kernel moves it under the new one
	 * while no rename holds the locks that needs (in a rename it would
	 * fail with ESTALE). May be NULL. */
	void (*relookup)(void *arg, const char *path);
	void *arg;
};

struct core_cfg {
	const char *prefix; /* objects /PREFIX...; "" for all */
	char delim;         /* folds names into directories; '\0': flat */
	mode_t root_mode;   /* the root directory's mode (and implicit ones') */
	uid_t uid;          /* its owner */
	gid_t gid;
	uint64_t max_bytes; /* size=, 0: none */
	uint64_t max_objects; /* nr_inodes=, 0: none */
	double entry_timeout; /* how long the kernel keeps names */
};

/* Names removed lately (coherence.c): their entries are not cached. */
#define RECENT_SLOTS 256
struct recent_removals {
	pthread_mutex_t lock;
	uint64_t hash[RECENT_SLOTS];
	struct timespec when[RECENT_SLOTS];
};

struct core {
	struct core_cfg cfg;
	size_t plen;         /* strlen(cfg.prefix) */
	int dirfd;           /* the shm directory */
	bool own;            /* running as root: new objects get the
			      * caller's owner and group */
	pthread_rwlock_t tree;
	struct quota quota;
	struct index *index;
	struct nodetab nodes;
	atomic_bool watch_inodes; /* attributes followed by inode watches of
				   * the nodes the kernel was told of (else
				   * through the shm directory's, if at all) */
	struct ownset own_events; /* our own changes' inotify events */
	struct recent_removals removed;
	bool ev_ours;        /* the event being applied is ours, and its */
	const char *ev_name; /* name (coherence.c; under the index's lock) */
	struct core_inval inval;
	struct journal journal; /* the directory rename under way (with the
				 * tree lock held exclusive) */
};

/* What a lookup, create or mkdir gives the kernel: a referenced node, its
 * attributes, and whether the name churns (removed lately: the kernel
 * should not cache it). N is NULL for "not there". */
struct core_entry {
	struct node *n;
	struct stat st;
	bool churn;
};

/* Open the shm directory SHMDIR and build the core for CFG (copied; its
 * strings must outlive the core). WATCH_ATTRS: also follow changes of
 * attributes (for invalidations). 0 or errno. */
int core_open(struct core *c, const struct core_cfg *cfg, const char *shmdir,
	      bool watch_attrs);
void core_close(struct core *c);

/* Read what changed in the shm directory, apply it to the index and the
 * node table, and call the core_inval functions for what went stale. */
void core_sync(struct core *c);

/* The descriptor that is readable when core_sync() has work. */
int core_events_fd(struct core *c);

/* The operations. PARENT and N are nodes the kernel holds (the root is
 * &c->nodes.root). */
int core_lookup(struct core *c, struct node *parent, const char *name,
		struct core_entry *e);
void core_forget(struct core *c, struct node *n, uint64_t count);
/* The kernel is about to get ST as node N's attributes: what changes them
 * from now on is followed, to drop them (core_inval.inode). */
void core_told(struct core *c, struct node *n, const struct stat *st);
int core_getattr(struct core *c, struct node *n, struct stat *st);

/* Which of a setattr's fields to set: the values of FUSE_SET_ATTR_*. */
enum {
	CORE_SET_MODE = 1 << 0,
	CORE_SET_UID = 1 << 1,
	CORE_SET_GID = 1 << 2,
	CORE_SET_SIZE = 1 << 3,
	CORE_SET_ATIME = 1 << 4,
	CORE_SET_MTIME = 1 << 5,
	CORE_SET_ATIME_NOW = 1 << 7,
	CORE_SET_MTIME_NOW = 1 << 8,
	CORE_SET_CTIME = 1 << 10,
	/* A write or truncate by a caller without CAP_FSETID: clear the
	 * set-id bits as the kernel does on tmpfs (the kernel asks, with
	 * FUSE_HANDLE_KILLPRIV_V2; WHO's groups are needed). Alone, it is
	 * what a write() that passes through asks for. */
	CORE_SET_KILL_SUIDGID = 1 << 11,
};
int core_setattr(struct core *c, const struct caller *who, struct node *n,
		 const struct stat *attr, int valid, struct stat *st);

/* Make the file NAME in PARENT with MODE (O_EXCL in FLAGS: fail if it
 * exists; else open it if someone made it first). With OPEN, the node in
 * E is opened once (core_release() closes it). */
int core_create(struct core *c, const struct caller *who,
		struct node *parent, const char *name, mode_t mode, int flags,
		bool open, struct core_entry *e);
/* Count an open of file node N (O_TRUNC in FLAGS truncates). */
int core_open_node(struct core *c, struct node *n, int flags);
/* Open file node N was truncated at its open or written to by WHO, and
 * the kernel asks for the set-id bits to go as CORE_SET_KILL_SUIDGID. */
int core_kill_suidgid(struct core *c, const struct caller *who,
		      struct node *n);
void core_release(struct core *c, struct node *n);
int core_unlink(struct core *c, const struct caller *who, struct node *parent,
		const char *name);
int core_mkdir(struct core *c, const struct caller *who, struct node *parent,
	       const char *name, mode_t mode, struct core_entry *e);
int core_rmdir(struct core *c, const struct caller *who, struct node *parent,
	       const char *name);
int core_rename(struct core *c, const struct caller *who,
		struct node *parent, const char *name, struct node *newparent,
		const char *newname, unsigned flags);
int core_statfs(struct core *c, struct statvfs *sv);

/* Open file node N's I/O: write within size=, fallocate, fsync. */
int core_write(struct core *c, struct node *n, const void *buf, size_t size,
	       off_t off, size_t *done);
int core_fallocate(struct core *c, struct node *n, int mode, off_t off,
		   off_t len);
int core_fsync(struct core *c, struct node *n, bool datasync);

/* Directory listings: the entries of directory node N as they are now, in
 * L (free with index_free()), and its object-name prefix in DIR. */
int core_list(struct core *c, struct node *n, objname_t dir, struct ilist *l);
/* Look up entry COMP (a directory when ISDIR) of the listed directory DIR,
 * as readdirplus does: 0 and a referenced node, or an errno. */
int core_lookup_entry(struct core *c, const char *dir, const char *comp,
		      bool isdir, struct core_entry *e);

/* The permission rules the operations need, as the kernel's
 * generic_permission: may WHO do MASK (R_OK|W_OK|X_OK) to ST? And may WHO
 * remove or replace an entry owned by OWNER from directory DIR (the
 * sticky bit)? 0 or EACCES/EPERM. */
int core_permission(const struct caller *who, const struct stat *st, int mask);
int core_sticky(const struct caller *who, const struct stat *dir, uid_t owner);

#endif
