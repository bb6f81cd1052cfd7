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
 * the delimiter). The objects below move first, the marker last (FROM's
 * replaces TO's, in one rename); MARKER: FROM had one when the move
 * began, else TO's goes at the end (the tree takes the looks of FROM). */
struct jmove {
	const char *from, *to;
	bool marker;
};

/* Where a rename stands: move STEP is under way forward (J_FORWARD, then
 * the later moves), or it failed and what it moved is being put back
 * (J_UNDO, then the earlier moves reversed), or it is being reversed
 * (J_REVERSE: an exchange undoing its earlier moves; J_REVERSE_UNDO: that
 * reversal failed and is being put back; then the earlier ones). */
enum jstate {
	J_FORWARD = 'f',
	J_UNDO = 'F',
	J_REVERSE = 'b',
	J_REVERSE_UNDO = 'B',
};

/* One rename under way. */
struct journal {
	int fd; /* the journal object, locked; -1 when none */
	int dirfd;
	int step, nmoves;
	enum jstate state;
	char name[SHM_NAME_MAX + 1];
	struct jmove moves[JOURNAL_MAX_MOVES]; /* pointing into names */
	char names[2 * JOURNAL_MAX_MOVES][SHM_NAME_MAX + 1];
};

/* Not started: set before any use. */
static inline void journal_init(struct journal *j)
{
	j->fd = -1;
}

static inline bool journal_active(const struct journal *j)
{
	return j->fd >= 0;
}

/* Write down the N moves MOVES of a rename under PREFIX (delimiter DELIM)
 * in the shm directory DIRFD, move 0 next, before any object moves.
 * Made and later removed with the daemon's own ids, whatever file system
 * ids the calling thread has taken on. 0 or an errno value. */
int journal_start(struct journal *j, int dirfd, const char *prefix,
		  char delim, const struct jmove *moves, int n);

/* Move STEP now stands at STATE. The state is rewritten in place, within
 * what the journal already holds: no allocation, so no ENOSPC. 0 or
 * errno. */
int journal_step(struct journal *j, int step, enum jstate state);

/* The rename is over, done or undone: remove the journal. */
void journal_finish(struct journal *j);

/* Find the journals under PREFIX in DIRFD that no live daemon holds, and
 * finish each rename (forward, or backward where it was being undone),
 * then remove the journal. Says what it did on LOG. Returns how many
 * journals were left alone (malformed, or a move failed), or -errno if
 * the shm directory could not be read. */
int journal_recover(int dirfd, const char *prefix, char delim, FILE *log);

/* Parse the journal text BUF (LEN bytes) of a mount with PREFIX and DELIM
 * into J's moves, step and state (J's name and descriptor untouched).
 * NULL, or why it is not a journal. For tests. */
const char *journal_parse(const char *buf, size_t len, const char *prefix,
			  char delim, struct journal *j);

/* The hooks of core's directory renames (src/core/dirops.c), which run
 * with the tree lock held exclusive, one at a time: the journal under way
 * is the core's. journal_begin() before the first object of FROM moves to
 * TO, journal_end() after the last (or after putting them back), a failed
 * begin failing the rename before anything moved; journal_undo() before
 * putting back. Within an exchange (journal_exchange() ... _end()), the
 * three renames and their reversals only move its state along. */
struct core;
int journal_begin(struct core *c, const char *from, const char *to);
void journal_undo(struct core *c);
void journal_end(struct core *c);
int journal_exchange(struct core *c, const char *a, const char *b,
		     const char *aside);
void journal_exchange_end(struct core *c);

#endif
