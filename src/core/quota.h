/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * The mount's own capacity (-o size=, -o nr_inodes=), counted as tmpfs
 * counts: allocated pages and objects, here of every object under the
 * prefix, whoever made it. Free of FUSE.
 *
 * The count is a cache of a scan of the shm directory, plus what files
 * removed while open still hold (tmpfs counts them until the last close).
 * Writes through the mount add exactly what they allocate. A scan runs
 * when an operation would cross a limit by the cache, when a name under
 * the prefix appeared or went (the index's inotify events, so objects made
 * elsewhere count at once), when the cache is older than a second (objects
 * grown elsewhere), and for every statfs, so df is exact.
 */
#ifndef PSHMFS_QUOTA_H
#define PSHMFS_QUOTA_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

struct index;

/* Adds to *BYTES and *OBJECTS what is held outside the names: files
 * removed while open. */
typedef void quota_extra_fn(void *arg, uint64_t *bytes, uint64_t *objects);

struct quota {
	pthread_mutex_t lock; /* held across a limited write */
	uint64_t max_bytes;   /* 0: no limit of our own */
	uint64_t max_objects; /* 0: no limit of our own */
	uint64_t bytes;       /* allocated, by the cache */
	uint64_t objects;
	struct timespec scanned;
	uint64_t changes;     /* the index's count at the scan */
	int dirfd;
	const char *prefix;
	struct index *index;
	quota_extra_fn *extra;
	void *extra_arg;
};

void quota_init(struct quota *q, int dirfd, const char *prefix,
		uint64_t max_bytes, uint64_t max_objects);

/* Where changes of names and removed-but-open files are learnt. */
void quota_watch(struct quota *q, struct index *ix, quota_extra_fn *extra,
		 void *arg);
bool quota_limited(const struct quota *q);

/* Rescan the objects under the prefix. Call with the lock held. */
int quota_scan(struct quota *q);

/* How much of a write of LEN bytes at OFF into FD fits within size=: the
 * longest head of the range whose new pages fit. Call with the lock held. */
size_t quota_fit(struct quota *q, int fd, off_t off, size_t len);

/* May one more object be made? 0 or ENOSPC. Call with the lock held. */
int quota_may_create(struct quota *q);

#endif
