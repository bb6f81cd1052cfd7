/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * FUSE passthrough: the kernel hands an open file's reads, writes and
 * mmap to the object itself, and the daemon sees none of them. Where the
 * kernel offers it and the daemon may register backing files
 * (CAP_SYS_ADMIN in the initial user namespace), passthrough.c puts each
 * open of a regular file through; elsewhere opens take the copy path.
 * With libfuse 3.14, which has no API for it, passthrough.c speaks the
 * protocol itself through fuse_session_custom_io(): the only code here
 * that knows bytes below libfuse. With libfuse >= 3.17 it uses libfuse's.
 *
 * The kernel's rules, kept here: one backing file per inode, registered at
 * its first open and released at its last; never a passed-through and a
 * copied open of one inode at once; no keep-cache on passed-through opens.
 */
#ifndef PSHMFS_PASSTHROUGH_H
#define PSHMFS_PASSTHROUGH_H

#include "pshmfs.h"

/* Before mounting: whether the options and the daemon's privileges let
 * passthrough be tried. With passthrough=on, prints why not and returns
 * -1 when they do not. */
int passthrough_check(const struct pshmfs_opts *o);

/* Once mounted, before fuse_daemonize(): take the session's I/O and, when
 * passthrough may be tried, answer the kernel's INIT at once, so that the
 * mode is known before the daemon detaches. -1: passthrough=on and the
 * kernel or the daemon cannot pass through (the reason printed): unmount
 * and exit 1. */
int passthrough_start(struct fuse_session *se);

/* After the log went where it goes (syslog in the background): the one
 * line that says which mode the mount is in, and why. */
void passthrough_announce(void);

/* In the init operation (libfuse >= 3.17: ask for the capability). */
void passthrough_init(struct fuse_conn_info *conn);

/* Whether the OPEN (with O_TRUNC) or WRITE that this thread is serving
 * carries the kernel's request to clear the file's set-id bits
 * (FUSE_HANDLE_KILLPRIV_V2, negotiated with passthrough's shim). */
bool passthrough_kill_suidgid(void);

/* Reply to an OPEN (E NULL) or a CREATE of node N, whose object is open on
 * FD: passed through where it can, else as before. Returns what
 * fuse_reply_open/fuse_reply_create return: non-zero, the kernel has no
 * open file (as when the reply could not be sent). */
int passthrough_reply(fuse_req_t req, const struct node *n, int fd,
		      const struct fuse_entry_param *e,
		      struct fuse_file_info *fi);

/* A RELEASE of an open file of node N (before the node lets go of FD). */
void passthrough_release(fuse_req_t req, const struct node *n);

/* mount -o remount with size=MAX_BYTES: a mount that passes data through
 * cannot count writes, so a limit is refused (EINVAL, the reason in MSG)
 * rather than left unenforced; 0 otherwise. */
int passthrough_remount_check(uint64_t max_bytes, char *msg, size_t len);

#endif
