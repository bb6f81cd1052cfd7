/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * mount -o remount: what a running mount may change (size=, nr_inodes=,
 * mode=, uid=, gid=), read from the options mount(8) and mount.fuse3 hand
 * over, and checked by tmpfs's rules against what is in use. Free of FUSE.
 */
#ifndef PSHMFS_REMOUNT_OPTS_H
#define PSHMFS_REMOUNT_OPTS_H

#include <stddef.h>
#include <stdint.h>

struct limits {
	uint64_t max_bytes;   /* size=; 0: no limit of our own */
	uint64_t max_objects; /* nr_inodes=; 0: none */
	unsigned mode, uid, gid; /* the root directory's */
};

/* Apply the comma-separated options OPTS to L (the mount's limits now).
 * Options mount(8) and mount.fuse3 add (rw, relatime, user_id=, ...) are
 * passed over; RAM is what size=N% is a share of. 0, or EINVAL with a
 * message in MSG (LEN bytes); L is then half-changed: apply a copy. */
int remount_parse(const char *opts, uint64_t ram, struct limits *l, char *msg,
		  size_t len);

/* May the limits L hold what is in use (BYTES allocated, OBJECTS)? As
 * tmpfs: not below it. 0 or EINVAL with a message. */
int remount_check(const struct limits *l, uint64_t bytes, uint64_t objects,
		  char *msg, size_t len);

#endif
