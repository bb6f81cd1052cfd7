/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * The node table: what the kernel holds. Every node names one thing for
 * its whole life (its identity): a file its object (the object's st_ino on
 * the tmpfs), a directory its marker (the marker's st_ino) or, while it has
 * none, its existence (a serial the index gives it, ending when it stops
 * existing). A node holds the name that thing has while it has one, and
 * the object's descriptor while the file is open, so an open file keeps
 * working after rm or a rename over it, as on tmpfs.
 *
 * A directory whose identity ends (rmdir, a rename over it, its marker
 * removed or made by another program) is retired: it loses its name, is
 * never found again, and every operation on it fails with ENOENT until the
 * kernel forgets it, but the first after another program ended it
 * (nodes_retire), which fails with ESTALE: the kernel may still reach it
 * by the name it had (the watch thread drops that entry later), and
 * ESTALE has the VFS walk the path again, revalidating every name, so the
 * caller finds what holds the name now; a caller that reached it through
 * a descriptor (a held directory) retries on it once and gets ENOENT, as
 * on tmpfs for a removed directory. Once the kernel has looked that name
 * up again (and got the new directory), only a descriptor can reach the
 * node, and the ESTALE goes unused: mkdirat, mknodat, symlinkat and linkat
 * give a failed lookup of the name to create straight to the caller,
 * without the retry. A file whose name goes (rm, a rename over it) keeps
 * its node while the kernel holds it; only the name goes.
 *
 * The table owns its lock: every function here takes it, none is called
 * with it held, and no caller ever takes it. At most one live node holds a
 * given name (asserted when a name is given).
 */
#ifndef PSHMFS_NODES_H
#define PSHMFS_NODES_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "links.h"
#include "names.h"
#include "shmobj.h"

/* Room for an object name and its NUL. */
typedef char objname_t[SHM_NAME_MAX + 1];

/* Every field is protected by the table's lock, but OBJ's contents, which
 * OBJ's own rwlock protects while OPENS pins OBJ. */
struct node {
	uint64_t id;        /* identity: st_ino of the object or marker, or
			     * an implicit directory's serial (top bit set) */
	uint64_t gen;       /* FUSE generation: a new one for each node */
	char *name;         /* object name (a directory's: its children's
			     * prefix "Pa:b:"); NULL once removed/retired */
	bool dir;
	struct nodelinks *links; /* a file's other names (hard links) the
				  * kernel looked up, or NULL (links.h) */
	bool retired;       /* a directory whose identity ended */
	bool stale;         /* retired by another program's change: the
			     * next name asked for answers ESTALE, unless
			     * the kernel looked the name up again first */
	char *stale_name;   /* the name it had, while stale */
	struct node *snext; /* the table's list of stale nodes */
	bool root;          /* the table's root: never freed */
	uint64_t nlookup;   /* references the kernel holds */
	unsigned opens;     /* open file handles and pins */
	struct shmmap *obj; /* the open object, while opens > 0 */
	int found;          /* O_PATH descriptor of the object as a lookup of
			     * a name other programs churn found it, for the
			     * open that follows; -1 if none */
	struct timespec seen_ctime; /* of the attributes the kernel got last */
	off_t seen_size;
	mode_t seen_mode;
	uid_t seen_uid;
	gid_t seen_gid;
	bool timed;         /* a directory without a marker (or the root)
			     * whose times we keep: */
	struct timespec mtime, ctime;
	int wd;             /* the inode watch of its object (index_watch),
			     * or 0 */
	struct node *inext; /* chain of the identity hash */
	struct node *nnext; /* chain of the name hash (named nodes only) */
	struct node *wnext; /* chain of the watch hash (watched nodes) */
};

struct nodetab {
	pthread_mutex_t lock; /* lock order: see core.h */
	struct node root;     /* the mount's root directory */
	struct node **ids, **names, **wds;
	size_t nids, nnames;  /* buckets, powers of two */
	/* Called, with the lock held, for the watch of a node that goes. */
	void (*unwatch)(void *arg, int wd);
	void *unwatch_arg;
	size_t count, named;
	uint64_t gens;        /* the last generation given */
	struct node *stales;  /* retired by another program, still stale */
};

/* ROOTNAME: the mount's prefix. 0 or ENOMEM. */
int nodes_init(struct nodetab *t, const char *rootname);
void nodes_destroy(struct nodetab *t);

/* Take a kernel reference on the node of identity (DIR, ID), now called
 * NAME, making it when new. Whatever other node held NAME loses it (a
 * directory is retired). NULL when out of memory. */
struct node *nodes_get(struct nodetab *t, bool dir, uint64_t id,
		       const char *name);

/* nodes_get() for a file just made or opened on FD (WRITABLE): its open
 * object is FD, counted as one open, unless it was open already (FD is
 * then closed). On failure FD is closed and NULL returned. */
struct node *nodes_get_open(struct nodetab *t, uint64_t id, const char *name,
			    int fd, bool writable);

/* Drop COUNT kernel references; frees the node when none is left. */
void nodes_forget(struct nodetab *t, struct node *n, uint64_t count);

/* Copy node N's name into OUT: 0, or ENOENT once it has none (ESTALE,
 * once, for a directory another program ended: see above). *DIR: is it
 * a directory? *ID: its identity (either may be NULL). */
int nodes_name(struct nodetab *t, struct node *n, objname_t out, bool *dir,
	       uint64_t *id);

/* nodes_name() for traces: leaves the stale mark as it is. */
int nodes_peek_name(struct nodetab *t, struct node *n, objname_t out);

/* If node N is open, call FN(its descriptor, ARG) with the object held
 * and return what FN returns; else copy its name into NAME and return
 * -1 (or -ENOENT: it has no name; -ESTALE as nodes_name() says). */
int nodes_with_fd(struct nodetab *t, struct node *n, objname_t name,
		  int (*fn)(int fd, void *arg), void *arg);

/* Count an open of file node N, opening its object in DIRFD by its name
 * on the first one: 0, ESTALE if the name went or holds another object
 * now, ENOENT if it has none, or errno. */
int nodes_open(struct nodetab *t, struct node *n, int dirfd);

/* Keep FD (an O_PATH descriptor of file node N's object as a lookup found
 * it) for the open that follows, should the name be replaced meanwhile;
 * FD is the table's now (closed if N is open already). */
void nodes_keep_found(struct nodetab *t, struct node *n, int fd);

/* Count a close of node N; the last one closes its object. */
void nodes_close(struct nodetab *t, struct node *n);

/* Keep node N's open object while we use it, if it has one: true if so
 * (undo with nodes_close()). */
bool nodes_pin(struct nodetab *t, struct node *n);

/* The kernel was given ST as node N's attributes (nodes_seen, which says
 * whether N has its inode watch), or they are unknown (nodes_unseen: the
 * next comparison says stale). */
bool nodes_seen(struct nodetab *t, struct node *n, const struct stat *st);
void nodes_unseen(struct nodetab *t, struct node *n);

/* The node of the file object ST (found by its st_ino) if what the kernel
 * was given differs from ST: every change to an object moves its ctime;
 * size, mode and owner too, for ctimes only as fine as a timer tick.
 * NULL if none or the same. The pointer is only an id once returned. */
struct node *nodes_stale(struct nodetab *t, const struct stat *st);

/* The live node holding NAME (a file's or a directory's), or NULL. The
 * pointer is only an id once returned. */
struct node *nodes_find(struct nodetab *t, const char *name);

/* The node of the file object ID (its st_ino), whatever name it has, or
 * NULL; the pointer is only an id once returned. */
struct node *nodes_find_file(struct nodetab *t, uint64_t id);

/* Inode watches (index_watch): node N, which the caller holds, has watch
 * WD now (kept for as long as the node lives, then given to t->unwatch);
 * the node with watch WD, or NULL; watch WD ended by itself. */
void nodes_set_watch(struct nodetab *t, struct node *n, int wd);
struct node *nodes_find_wd(struct nodetab *t, int wd);
void nodes_unwatched(struct nodetab *t, int wd);

/* The object ID is now called NAME (NULL: it was removed). 0 or ENOMEM. */
int nodes_rename(struct nodetab *t, uint64_t id, const char *name);

/* Hard links (links.h). The name NAME of object ID was removed; LAST: it
 * was the object's last. The node's name, if it was NAME, becomes one of
 * its other names for which VALID(ARG, name) holds (called with the lock
 * held), else none. */
void nodes_unlinked(struct nodetab *t, uint64_t id, const char *name,
		    bool last, bool (*valid)(void *arg, const char *), void *arg);

/* Another program removed the name NAME of object ID. If it was the
 * node's name and another of its names holds the object (VALID as for
 * nodes_unlinked), that one becomes its name; else the node keeps NAME,
 * so that an open by it finds the object gone (ESTALE: the kernel looks
 * the name up again). */
void nodes_name_went(struct nodetab *t, uint64_t id, const char *name,
		     bool (*valid)(void *arg, const char *), void *arg);

/* The name FROM of object ID is now TO. 0 or ENOMEM. */
int nodes_moved(struct nodetab *t, uint64_t id, const char *from,
		const char *to);

/* Directory FROM is now TO: every node at or below it follows. With TO
 * NULL (it was removed) the directories at or below FROM are retired and
 * the files lose their names. 0 or ENOMEM. */
int nodes_rename_dir(struct nodetab *t, const char *from, const char *to);

/* Another program ended directory NAME: retire its live node if its
 * identity is ID (any, if ID is 0), marked stale (its next name asked
 * for answers ESTALE): the node, or NULL if there was none. */
struct node *nodes_retire(struct nodetab *t, const char *name, uint64_t id);

/* Directory node N now has identity ID (we made its marker). */
void nodes_adopt(struct nodetab *t, struct node *n, uint64_t id);

/* Directory node N's mtime and ctime are TS (kept here: the root and
 * directories without a marker have no object to keep them). */
void nodes_touch(struct nodetab *t, struct node *n, const struct timespec *ts);

/* Node N's kept times into *MTIME and *CTIME: false if none. */
bool nodes_times(struct nodetab *t, struct node *n, struct timespec *mtime,
		 struct timespec *ctime);

/* Call FN for every node (the root too), with the lock held: FN must not
 * call back into the table. */
void nodes_each(struct nodetab *t, void (*fn)(struct node *, void *),
		void *arg);

/* The number of nodes, and of named ones (for tests). */
size_t nodes_count(struct nodetab *t, size_t *named);

#endif
