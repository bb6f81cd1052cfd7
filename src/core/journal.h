/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * An intent journal for directory renames, free of FUSE.
 *
 * A directory rename moves its objects one by one; a daemon killed half
 * way would leave the tree split between two names. So before the first
 * object moves, the rename is written down in a shm object of its own,
 * under the mount's prefix but named so that it folds into no path
 * (prefix, delimiter, ".pshmfs-journal."...: an empty first component),
 * hence never listed. It says which directory prefixes move where, which
 * move is under way, and in which direction. It is removed once the last
 * object has moved. At start-up, journal_recover() finishes what it finds
 * (or, for a rename that was failing and being undone, finishes the undo),
 * then removes the journal. A journal that does not read as one is
 * reported and left alone.
 *
 * A live daemon holds a lock (flock) on each of its journals, so another
 * daemon on the same prefix never recovers a rename still under way.
 */
#ifndef PSHMFS_JOURNAL_H
#define PSHMFS_JOURNAL_H

#include <stdbool.h>
#include <stdio.h>

#include "names.h"

/* A rename moves one prefix; an exchange of two directories three. */
#define JOURNAL_MAX_MOVES 3

/* What a journal's name starts with, after the prefix and the delimiter. */
#define JOURNAL_TAG ".pshmfs-journal."

/* Every object whose name begins with FROM goes to the same name with TO
 * instead: FROM and TO are directories' prefixes (object names ending in
 * the delimiter). OVER: TO's marker may be there, and is replaced (a
 * rename over an empty directory). */
struct jmove {
	const char *from, *to;
	bool over;
};

/* One rename under way. */
struct journal {
	int fd; /* the journal object, locked; -1 when none */
	int dirfd;
	int step, nmoves;
	bool back; /* the current move is being undone */
	char name[SHM_NAME_MAX + 1];
};

#define JOURNAL_INIT { .fd = -1 }

static inline bool journal_active(const struct journal *j)
{
	return j->fd >= 0;
}

/* Write down the N moves MOVES of a rename under PREFIX (delimiter DELIM)
 * in the shm directory DIRFD, move 0 next, before any object moves.
 * Made and later removed with the daemon's own ids, whatever file system
 * ids the calling thread has taken on. 0 or an errno value. */
int journal_begin(struct journal *j, int dirfd, const char *prefix,
		  char delim, const struct jmove *moves, int n);

/* Move STEP is next, forward or, if BACK, being undone (when a later
 * move failed and the earlier ones are put back). 0 or errno. */
int journal_step(struct journal *j, int step, bool back);

/* The current move failed part way: what it moved is being put back. */
int journal_undo(struct journal *j);

/* The rename is over, done or undone: remove the journal. */
void journal_end(struct journal *j);

/* Find the journals under PREFIX in DIRFD that no live daemon holds, and
 * finish each rename (forward, or backward where it was being undone),
 * then remove the journal. Says what it did on LOG. Returns how many
 * journals were left alone (malformed, or a move failed), or -errno if
 * the shm directory could not be read. */
int journal_recover(int dirfd, const char *prefix, char delim, FILE *log);

/* Parse the journal text BUF (LEN bytes) of a mount with PREFIX and DELIM:
 * the moves into MOVES (pointing into NAMES), how many into *N, the state
 * into *STEP and *BACK. NULL, or why it is not a journal. For tests. */
struct jnames {
	char v[2 * JOURNAL_MAX_MOVES][SHM_NAME_MAX + 1];
};
const char *journal_parse(const char *buf, size_t len, const char *prefix,
			  char delim, struct jmove *moves, int *n, int *step,
			  bool *back, struct jnames *names);

#endif
