/** @file
 * The request loop (loop.c): a polling leader and sleeping followers.
 */
#ifndef PSHMFS_LOOP_H
#define PSHMFS_LOOP_H

struct fuse_session;

/* Serve SE's requests with up to MAX_THREADS threads until it is unmounted
 * or ended by a signal; the waiting thread tries to read the next request
 * for SPIN_US microseconds before it sleeps. 0 or -1 on an error. */
int loop_run(struct fuse_session *se, unsigned max_threads, long spin_us);

#endif
