/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * The request loop (loop.c): a polling leader and sleeping followers.
 */
#ifndef PSHMFS_LOOP_H
#define PSHMFS_LOOP_H

struct fuse_session;

/* Serve SE's requests with up to MAX_THREADS threads until it is unmounted
 * or SIGHUP, SIGINT or SIGTERM comes; the waiting thread tries to read the
 * next request for SPIN_US microseconds before it sleeps. BEFORE_STOP(ARG),
 * if not NULL, runs at the end while requests are still answered. 0, or
 * -1 on an error. */
int loop_run(struct fuse_session *se, unsigned max_threads, long spin_us,
	     void (*before_stop)(void *), void *arg);

#endif
