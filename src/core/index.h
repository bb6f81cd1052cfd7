/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * The index of names: the tree that the objects under the prefix fold
 * into, kept in memory so that listing a directory, asking whether a
 * directory exists, or finding what lies below one never reads the whole
 * shm directory. Free of FUSE.
 *
 * The shm directory is the truth; the index follows it through inotify.
 * Every event is only a hint that a name changed: index_sync() reads the
 * pending events and looks each name up again, so the index agrees with
 * the directory as it is when index_sync() returns, whoever made the
 * change. An overflowed event queue rebuilds the index from a scan.
 */
#ifndef PSHMFS_INDEX_H
#define PSHMFS_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct index;

/* Build the index of the objects whose names begin with PREFIX, folded at
 * DELIM ('\0': flat), and start following changes (with ATTRS, of the
 * objects' contents and attributes too). 0 or errno. */
int index_open(struct index **ix, int dirfd, const char *shmdir,
	       const char *prefix, char delim, bool attrs);
void index_close(struct index *ix);

/* What applying an event changed, told to the hook in the order it
 * happened, with the index's lock held (the hook must not call the index).
 * NAME is an object name, a directory's ending in the delimiter; OLDID
 * the identity it had (a file's inode number, a directory's id below);
 * MASK the inotify event's (0 in a rescan). */
enum ix_change {
	IX_EVENT,  /* an event about NAME is being applied (MASK; in a
		    * rescan, NAME is the prefix and MASK 0) */
	IX_MADE,   /* NAME came to exist (a directory: the outermost one
		    * that did), or holds another object (OLDID) now */
	IX_GONE,   /* NAME ceased to exist (directories: innermost first);
		    * OLDID 0: it went before the index saw it come */
	IX_MARKER, /* directory NAME goes on existing, but its marker came,
		    * went or was replaced: it is another directory now */
	IX_ATTR,   /* object NAME's contents or attributes changed (with
		    * index_watch_attrs()) */
	IX_INODE,  /* the object under inode watch OLDID changed its
		    * contents or attributes (NAME is NULL) */
	IX_UNWATCHED, /* inode watch OLDID ended: its object is gone, or
		       * index_unwatch() (NAME is NULL) */
	IX_RESCAN, /* events were lost and the index read everything again
		    * (the changes found were told first) */
};
typedef void index_hook(void *arg, enum ix_change what, const char *name,
			uint64_t oldid, uint32_t mask);
void index_set_hook(struct index *ix, index_hook *fn, void *arg);

/* Apply the pending events now (every query does it first). */
void index_sync(struct index *ix);

/* The inotify descriptor: readable when events are pending. */
int index_fd(struct index *ix);

/* Follow the contents and attributes of the object NAME is now (an inode
 * watch: IX_INODE events; a symbolic link is not followed): the watch
 * descriptor, the same for every name of one object, or -errno (-ENOSPC:
 * the kernel's limit of watches, fs.inotify.max_user_watches). The caller
 * checks that NAME was the object it meant. Watching the objects that matter
 * one by one, instead of the whole shm directory's, spares every read and
 * write of every object under the shm directory the kernel's notification
 * of its parent (a dentry reference taken and dropped per call). */
int index_watch(struct index *ix, const char *name);
void index_unwatch(struct index *ix, int wd);
/* From now on follow every object's contents and attributes through the
 * shm directory's watch (IX_ATTR events): when inode watches run out. */
int index_watch_attrs(struct index *ix);

/* What is known of directory DIR (its children's prefix, "Pa:b:"). */
struct dirinfo {
	bool exists;    /* a marker, or objects below */
	bool marker;    /* its marker object DIR exists */
	uint32_t nsubdirs;
	uint32_t nchildren;
	uint64_t id;    /* its identity (nodes.h): the marker's inode
			 * number, or a serial while it has none */
};

/* The directory DIR as the shm directory holds it now. */
void index_dir(struct index *ix, const char *dir, struct dirinfo *info);

/* The entries of directory DIR now: component, inode number (a
 * directory's: its identity), and whether it is a directory. Free with index_free(). 0 or errno. */
struct ientry {
	char *name;
	uint64_t ino;
	bool dir;
};
struct ilist {
	struct ientry *ents;
	size_t n, cap;
	char *names;          /* every name, one after another */
	size_t used, room;
};
int index_list(struct index *ix, const char *dir, struct ilist *out);

/* Every object at or below directory DIR, as full object names (the
 * markers before what lies in their directories). 0 or errno. */
int index_below(struct index *ix, const char *dir, struct ilist *out);

void index_free(struct ilist *l);

/* A count that moves whenever a name under the prefix appeared, went or
 * changed object, whoever did it: compare two readings. */
uint64_t index_changes(struct index *ix);

#endif
