/** @file
 * The daemon's shared state and the one place FUSE_USE_VERSION is set.
 */
#ifndef PSHMFS_PSHMFS_H
#define PSHMFS_PSHMFS_H

#define FUSE_USE_VERSION 314
#include <fuse_lowlevel.h>

#include <stdbool.h>

struct index;

#include "nodes.h"
#include "names.h"
#include "opts.h"
#include "quota.h"

/* Names that other programs removed lately (watch.c). */
#define RECENT_SLOTS 256
struct recent_removals {
	pthread_mutex_t lock;
	uint64_t hash[RECENT_SLOTS];
	struct timespec when[RECENT_SLOTS];
};

struct pshmfs {
	struct pshmfs_opts o;
	int dirfd;           /* the shm directory */
	bool own;            /* running as root: new objects get the
			      * caller's owner and group */
	bool debug;          /* -d: trace every operation */
	const char *mountpoint;
	struct fuse_session *se;
	bool watching;       /* watch.c runs: caching is coherent */
	int watch_fd;        /* inotify, for invalidation (watch.c) */
	int watch_stop_fd;   /* eventfd: the watch thread ends */
	pthread_t watch_thread;
	struct recent_removals removed;
	struct nodetab nodes;
	struct quota quota;  /* size= and nr_inodes= */
	struct index *index; /* the tree of names */
};

#endif
