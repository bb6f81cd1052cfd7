/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * Lock owners: which open file description of an object holds the locks
 * of one lock owner of the mount. Free of FUSE.
 *
 * The locks a process takes through the mount must be on the object
 * itself, so that they exclude shm_open users' locks and are excluded by
 * them. The daemon takes them on an open file description of the object
 * of its own per (node, lock owner): POSIX locks as OFD locks (which
 * conflict with other processes' POSIX locks and with other OFDs, and
 * merge and split within one owner as POSIX locks do), flock locks with
 * flock(). Closing that description drops every lock it holds.
 */
#ifndef PSHMFS_LOCKS_H
#define PSHMFS_LOCKS_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#define LOCK_BUCKETS 256

struct lockowner {
	uintptr_t key;   /* the node */
	uint64_t owner;  /* the kernel's lock owner id */
	uint64_t fh;     /* the open file it was first used through */
	int fd;          /* its own open file description of the object */
	pid_t pid;       /* of the last process that locked through it */
	unsigned refs;   /* the table's, and each user's */
	bool gone;       /* dropped from the table: closed at the last put */
	struct lockowner *next;
};

struct locktab {
	pthread_mutex_t lock;
	struct lockowner *bucket[LOCK_BUCKETS];
	size_t count;
};

void locktab_init(struct locktab *t);

/* Opens a new open file description of KEY's object into *FD: 0 or
 * errno. */
typedef int lock_open_fn(void *arg, int *fd);

/* The owner (KEY, OWNER), referenced: made with OPEN(ARG) through the
 * open file FH if new (OPEN NULL: not made, ENOENT). 0 or errno. */
int lockowner_get(struct locktab *t, uintptr_t key, uint64_t owner,
		  uint64_t fh, lock_open_fn *open, void *arg,
		  struct lockowner **out);

/* Let go of O; the last reference of a dropped one closes its fd. */
void lockowner_put(struct locktab *t, struct lockowner *o);

/* Drop (KEY, OWNER): its locks go (now, or when its last user lets go). */
void locks_drop_owner(struct locktab *t, uintptr_t key, uint64_t owner);

/* Drop every owner of KEY first used through FH. */
void locks_drop_fh(struct locktab *t, uintptr_t key, uint64_t fh);

/* Has KEY any owner? */
bool locks_any(struct locktab *t, uintptr_t key);

/* Call FN(O, ARG) for each owner of KEY but EXCEPT (may be NULL) until
 * it returns true; that owner, referenced, or NULL. */
struct lockowner *locks_find(struct locktab *t, uintptr_t key,
			     const struct lockowner *except,
			     bool (*fn)(struct lockowner *, void *), void *arg);

#endif
