/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * The other names of a node's object: an object with hard links has several
 * names in the shm directory, and the kernel may hold a dentry for each of
 * them, all on one node (nodes are keyed by st_ino). The node's own name is
 * the one it is opened by; this short list keeps the others the kernel has
 * looked up, so that removing or renaming away the node's name leaves it
 * another one to be opened by. Free of FUSE.
 *
 * A name in the list may have gone or changed object since (another
 * program's rm or mv): it is only a candidate, checked before use.
 */
#ifndef PSHMFS_LINKS_H
#define PSHMFS_LINKS_H

#include <stdbool.h>
#include <stddef.h>

/* At most this many other names are kept; the oldest goes first. */
#define LINKS_MAX 8

struct nodelinks {
	unsigned n;
	char *name[LINKS_MAX];
};

/* Add NAME to *L (made when NULL), unless it is there. 0 or ENOMEM. */
int links_add(struct nodelinks **l, const char *name);

/* Take NAME out of L (may be NULL): whether it was there. */
bool links_del(struct nodelinks *l, const char *name);

/* Take out and return (the caller frees) the first name of L for which
 * VALID(ARG, name) holds, dropping those for which it does not; NULL when
 * none is left. */
char *links_take(struct nodelinks *l, bool (*valid)(void *arg, const char *),
		 void *arg);

/* Every name of L that begins with FROM (FLEN bytes) now begins with TO
 * instead; TO NULL drops them. 0 or ENOMEM. */
int links_rename_prefix(struct nodelinks *l, const char *from, size_t flen,
			const char *to);

void links_free(struct nodelinks *l);

#endif
