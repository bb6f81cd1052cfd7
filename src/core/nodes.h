/** @file
 * The inode table: what the kernel knows, keyed by the object's own inode
 * number on the tmpfs. A node holds the object's name while it has one and
 * its descriptor while the file is open, so an open file keeps working after
 * rm or a rename over it, as on tmpfs, with no hidden renamed copies.
 */
#ifndef PSHMFS_NODES_H
#define PSHMFS_NODES_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "shmobj.h"

struct node {
	uint64_t ino;      /* the table's key and st_ino: the object's, or for
			    * a directory one made from its name */
	char *name;        /* object name; NULL once it was removed. For a
			    * directory, its children's prefix ("Pa:b:") */
	bool dir;
	uint64_t nlookup;  /* references the kernel holds */
	unsigned opens;    /* open file handles */
	struct shmmap *obj; /* the open object, while opens > 0 */
	struct timespec seen_ctime; /* of the attributes the kernel got last */
	off_t seen_size;
	mode_t seen_mode;
	uid_t seen_uid;
	gid_t seen_gid;
	struct node *next; /* hash chain */
};

struct nodetab {
	pthread_mutex_t lock; /* guards the table and every node's fields
			       * but the mapping's contents */
	struct node **buckets;
	size_t nbuckets;
	size_t count;
};

int nodes_init(struct nodetab *t);
void nodes_destroy(struct nodetab *t);

/* Take a kernel reference on the node of object INO now called NAME,
 * making it when new. Call with the lock held; NULL when out of memory. */
struct node *nodes_get(struct nodetab *t, uint64_t ino, const char *name);

/* The node of object INO, or NULL. Call with the lock held. */
struct node *nodes_find(struct nodetab *t, uint64_t ino);

/* The kernel is given ST as node N's attributes (table locked). */
void node_seen(struct node *n, const struct stat *st);

/* The kernel's attributes of node N are unknown: node_seen_same() fails
 * until node_seen() (table locked). */
void node_unseen(struct node *n);

/* Whether ST is what the kernel was given last: every change to an
 * object moves its ctime, so if not, what the kernel has is stale. Size,
 * mode and owner too, for kernels whose ctime is only as fine as a timer
 * tick (table locked). */
bool node_seen_same(const struct node *n, const struct stat *st);

/* Take a kernel reference on the node of directory DIR (its children's
 * prefix), making it when new. Call with the lock held; NULL: no memory. */
struct node *nodes_get_dir(struct nodetab *t, const char *dir);

/* The node of directory DIR, or NULL. Call with the lock held. */
struct node *nodes_find_dir(struct nodetab *t, const char *dir);

/* The inode number a directory shows: from its name, apart from objects'. */
uint64_t nodes_dir_ino(const char *dir);

/* Directory FROM is now TO (NULL: it was removed): every node at or below
 * it follows. Call with the lock held; 0 or ENOMEM. */
int nodes_rename_dir(struct nodetab *t, const char *from, const char *to);

/* Drop N kernel references; frees the node when none is left. Takes the
 * lock. */
void nodes_forget(struct nodetab *t, struct node *n, uint64_t count);

/* The object INO is now called NAME (NULL: it was removed). Call with the
 * lock held; 0 or ENOMEM. */
int nodes_rename(struct nodetab *t, uint64_t ino, const char *name);

/* Call FN for every node. Takes the lock. */
void nodes_each(struct nodetab *t, void (*fn)(struct node *, void *), void *arg);

#endif
