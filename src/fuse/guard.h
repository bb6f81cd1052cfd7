/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * The guard: a small process that aborts the mount's FUSE connection when
 * the daemon dies without unmounting.
 *
 * A daemon killed while one of its threads waits in the kernel (a notify
 * waiting for a directory lock that an unanswered request holds) never
 * exits: its /dev/fuse stays open, so the kernel never ends the
 * connection, and every process on the mount sleeps uninterruptibly. The
 * guard, forked by the main thread after mounting, holds the connection's
 * abort file open (/sys/fs/fuse/connections/N/abort, N the mount's minor
 * device number) and writes to it when the main thread dies
 * (PR_SET_PDEATHSIG): the requests end with ECONNABORTED, later ones get
 * ENOTCONN, and the stuck thread returns and dies. A clean shutdown tells
 * the guard to go first. The abort file is opened at start, so a later
 * mount that reuses the number is never touched.
 */
#ifndef PSHMFS_GUARD_H
#define PSHMFS_GUARD_H

#include <sys/types.h>

struct guard {
	pid_t pid; /* 0: none */
	int fd;    /* our end of the pipe to it */
	unsigned conn;
};

/* Start the guard of the FUSE mount at MOUNTPOINT (absolute, as libfuse
 * resolved it), from the main thread, before other threads start. 0, or
 * an errno value (then there is no guard: without root, fusectl may be
 * out of reach). */
int guard_start(struct guard *g, const char *mountpoint);

/* A clean shutdown: the guard goes, and is reaped. No-op without one. */
void guard_stop(struct guard *g);

#endif
