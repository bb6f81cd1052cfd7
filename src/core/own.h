/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * Our own changes to the shm directory, as their inotify events will show
 * them: an operation through the mount says what it is about to do before
 * it does it, and the event it causes is then known as ours (the kernel
 * already knows what we did: nothing to invalidate). Anything not said so
 * is another program's. A miss only costs an invalidation too many, so
 * the set forgets what it cannot hold, and what waited too long.
 */
#ifndef PSHMFS_OWN_H
#define PSHMFS_OWN_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

enum own_kind {
	OWN_MADE, /* IN_CREATE, IN_MOVED_TO */
	OWN_GONE, /* IN_DELETE, IN_MOVED_FROM */
};

#define OWN_BUCKETS 4096

struct own_ev;
struct ownset {
	pthread_mutex_t lock; /* a leaf: see core.h */
	struct own_ev *b[OWN_BUCKETS];
	size_t n;
};

void own_init(struct ownset *s);
void own_destroy(struct ownset *s);

/* We are about to make (or remove) NAME. */
void own_expect(struct ownset *s, const char *name, enum own_kind kind);

/* ... and did not, after all. */
void own_cancel(struct ownset *s, const char *name, enum own_kind kind);

/* An event of KIND for NAME came: was it ours? (It is then forgotten.) */
bool own_take(struct ownset *s, const char *name, enum own_kind kind);

/* Events were lost: forget everything. */
void own_clear(struct ownset *s);

/* How many are awaited (for tests). */
size_t own_pending(struct ownset *s);

#endif
