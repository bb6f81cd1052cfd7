/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * The hook where a directory rename records its intent, so that a crash
 * in the middle leaves the tree whole after the next mount (issue 13.2).
 * Until the journal (src/core/journal.c) lands, these do nothing.
 *
 * core_rename_dir() calls journal_begin(c, FROM, TO) before it moves the
 * first object of directory FROM ("Pa:") to TO ("Pb:"), and journal_end(c)
 * after the last (or after putting them all back): a failed begin fails
 * the rename before anything moved.
 */
#ifndef PSHMFS_JOURNAL_H
#define PSHMFS_JOURNAL_H

struct core;

#ifndef PSHMFS_HAVE_JOURNAL
static inline int journal_begin(struct core *c, const char *from,
				const char *to)
{
	(void)c;
	(void)from;
	(void)to;
	return 0;
}

static inline void journal_end(struct core *c)
{
	(void)c;
}
#else
int journal_begin(struct core *c, const char *from, const char *to);
void journal_end(struct core *c);
#endif

#endif
