/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * The daemon's shared state and the one place FUSE_USE_VERSION is set.
 */
#ifndef PSHMFS_PSHMFS_H
#define PSHMFS_PSHMFS_H

#define FUSE_USE_VERSION 314
#include <fuse_lowlevel.h>

#include <stdbool.h>

#include "core.h"
#include "opts.h"

/* The node id the kernel gets is the node's address (the root's is
 * FUSE_ROOT_ID): it must fit. */
_Static_assert(sizeof(fuse_ino_t) >= sizeof(void *),
	       "a fuse_ino_t holds a pointer");

/* The notifies the core asked for (watch.c), sent by the watch thread. */
struct notify_entry {
	fuse_ino_t parent;
	char *name;
	size_t len;
};
struct notifyq {
	pthread_mutex_t lock; /* a leaf: see core.h */
	fuse_ino_t *inodes;
	size_t ninodes, inodes_cap;
	struct notify_entry *entries;
	size_t nentries, entries_cap;
	char **paths;         /* directories to look up again */
	size_t npaths, paths_cap;
	bool stopped;         /* nothing sends them any more */
	int wake_fd;          /* eventfd: something was queued */
};

struct pshmfs {
	struct pshmfs_opts o;
	struct core core;    /* the rules and the state (src/core/) */
	bool debug;          /* -d: trace every operation */
	const char *mountpoint;
	struct fuse_session *se;
	bool watching;       /* watch.c runs: caching is coherent */
	int watch_stop_fd;   /* eventfd: the watch thread ends */
	pthread_t watch_thread;
	struct notifyq q;
};

#endif
