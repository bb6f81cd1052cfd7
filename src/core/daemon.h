/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * Going into the background, as fuse_daemonize() does, but with the
 * command's exit status telling whether the daemon serves: the parent
 * waits until the daemon says it is ready (daemon_ready) and exits 0, or
 * exits 1 when the daemon ends first. libfuse 3.14's fuse_daemonize lets
 * the parent exit 0 as soon as it has forked, so a daemon that fails after
 * that (no descriptor left for the request loop, no inotify) leaves the
 * user with exit status 0, nothing mounted and nothing said. Free of FUSE.
 */
#ifndef PSHMFS_DAEMON_H
#define PSHMFS_DAEMON_H

/* Fork. In the child (the daemon): a new session, "/" as the working
 * directory, messages to syslog and, until daemon_ready(), errors and
 * warnings to the standard error still open; returns 0. The parent never
 * returns. On an error (fork, pipe), -errno, in the one process. */
int daemon_detach(void);

/* The daemon serves: let the parent exit 0, and put /dev/null on standard
 * input, output and error. Later calls, and calls in the foreground, do
 * nothing; a call before daemon_detach() takes effect in it. Safe from
 * any thread. */
void daemon_ready(void);

/* In a process the daemon forks and keeps (the guard): if the daemon
 * does not serve yet, let go of what it holds for its parent, the pipe
 * and the terminal (standard input, output and error on /dev/null,
 * messages to syslog only), so that neither waits for this process. */
void daemon_forked(void);

#endif
