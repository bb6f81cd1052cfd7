/** @file
 * The mount's own capacity (-o size=, -o nr_inodes=), counted as tmpfs
 * counts: allocated pages and objects, here of every object under the
 * prefix, whoever made it. Free of FUSE.
 *
 * The count is a cache of a scan of the shm directory. Writes through the
 * mount add exactly what they allocate; removals are left out until the next
 * scan (so the cache only errs high). A scan runs when an operation would
 * cross a limit by the cache, when the cache is older than a second, and for
 * every statfs, so df is exact and objects made elsewhere count.
 */
#ifndef PSHMFS_QUOTA_H
#define PSHMFS_QUOTA_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>
#include <time.h>

struct quota {
	pthread_mutex_t lock; /* held across a limited write */
	uint64_t max_bytes;   /* 0: no limit of our own */
	uint64_t max_objects; /* 0: no limit of our own */
	uint64_t bytes;       /* allocated, by the cache */
	uint64_t objects;
	struct timespec scanned;
	int dirfd;
	const char *prefix;
};

void quota_init(struct quota *q, int dirfd, const char *prefix,
		uint64_t max_bytes, uint64_t max_objects);
bool quota_limited(const struct quota *q);

/* Rescan the objects under the prefix. Call with the lock held. */
int quota_scan(struct quota *q);

/* How much of a write of LEN bytes at OFF into FD fits within size=: the
 * longest head of the range whose new pages fit. Call with the lock held. */
size_t quota_fit(struct quota *q, int fd, off_t off, size_t len);

/* May one more object be made? 0 or ENOSPC. Call with the lock held. */
int quota_may_create(struct quota *q);

#endif
