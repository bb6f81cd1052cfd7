/** @file
 * The inode table: a chained hash of nodes keyed by the object's st_ino.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nodes.h"
#include "names.h"

static size_t bucket(const struct nodetab *t, uint64_t ino)
{
	return (size_t)((ino * 0x9E3779B97F4A7C15ULL) >> 20) & (t->nbuckets - 1);
}

int nodes_init(struct nodetab *t)
{
	pthread_mutex_init(&t->lock, NULL);
	t->nbuckets = 1024;
	t->count = 0;
	t->buckets = calloc(t->nbuckets, sizeof(*t->buckets));
	return t->buckets ? 0 : ENOMEM;
}

static void node_free(struct node *n)
{
	if (n->obj)
		shmmap_free(n->obj);
	free(n->name);
	free(n);
}

void nodes_destroy(struct nodetab *t)
{
	struct node *n, *next;

	for (size_t i = 0; t->buckets && i < t->nbuckets; i++)
		for (n = t->buckets[i]; n; n = next) {
			next = n->next;
			node_free(n);
		}
	free(t->buckets);
	pthread_mutex_destroy(&t->lock);
}

struct node *nodes_find(struct nodetab *t, uint64_t ino)
{
	struct node *n;

	for (n = t->buckets[bucket(t, ino)]; n; n = n->next)
		if (n->ino == ino && !n->dir)
			return n;
	return NULL;
}

void node_seen(struct node *n, const struct stat *st)
{
	n->seen_ctime = st->st_ctim;
	n->seen_size = st->st_size;
	n->seen_mode = st->st_mode;
	n->seen_uid = st->st_uid;
	n->seen_gid = st->st_gid;
}

void node_unseen(struct node *n)
{
	n->seen_size = -1; /* no object's size */
}

bool node_seen_same(const struct node *n, const struct stat *st)
{
	return n->seen_ctime.tv_sec == st->st_ctim.tv_sec &&
	       n->seen_ctime.tv_nsec == st->st_ctim.tv_nsec &&
	       n->seen_size == st->st_size && n->seen_mode == st->st_mode &&
	       n->seen_uid == st->st_uid && n->seen_gid == st->st_gid;
}

/* Double the buckets when the chains grow long; failure only costs speed. */
static void maybe_grow(struct nodetab *t)
{
	size_t old = t->nbuckets;
	struct node **nb, *n, *next;

	if (t->count < old * 2)
		return;
	nb = calloc(old * 2, sizeof(*nb));
	if (!nb)
		return;
	t->nbuckets = old * 2;
	for (size_t i = 0; i < old; i++)
		for (n = t->buckets[i]; n; n = next) {
			next = n->next;
			n->next = nb[bucket(t, n->ino)];
			nb[bucket(t, n->ino)] = n;
		}
	free(t->buckets);
	t->buckets = nb;
}

/* Node N is now called NAME (NULL: removed). */
static int node_set_name(struct node *n, const char *name)
{
	char *copy = NULL;

	if (n->name && name && strcmp(n->name, name) == 0)
		return 0;
	if (name && !(copy = strdup(name)))
		return ENOMEM;
	free(n->name);
	n->name = copy;
	return 0;
}

int nodes_rename(struct nodetab *t, uint64_t ino, const char *name)
{
	struct node *n = nodes_find(t, ino);

	return n ? node_set_name(n, name) : 0;
}

static void link_node(struct nodetab *t, struct node *n)
{
	n->next = t->buckets[bucket(t, n->ino)];
	t->buckets[bucket(t, n->ino)] = n;
	t->count++;
}

static struct node *new_node(struct nodetab *t, uint64_t ino, const char *name,
			     bool dir)
{
	struct node *n = calloc(1, sizeof(*n));

	if (!n || !(n->name = strdup(name))) {
		free(n);
		return NULL;
	}
	n->ino = ino;
	n->dir = dir;
	n->nlookup = 1;
	maybe_grow(t);
	link_node(t, n);
	return n;
}

struct node *nodes_get(struct nodetab *t, uint64_t ino, const char *name)
{
	struct node *n = nodes_find(t, ino);

	if (n) {
		if (node_set_name(n, name))
			return NULL;
		n->nlookup++;
		return n;
	}
	return new_node(t, ino, name, false);
}

uint64_t nodes_dir_ino(const char *dir)
{
	/* tmpfs numbers its inodes upwards from 1: keep clear of them. */
	return names_hash(dir) | (1ULL << 63);
}

struct node *nodes_find_dir(struct nodetab *t, const char *dir)
{
	uint64_t ino = nodes_dir_ino(dir);
	struct node *n;

	for (n = t->buckets[bucket(t, ino)]; n; n = n->next)
		if (n->dir && n->ino == ino && n->name &&
		    strcmp(n->name, dir) == 0)
			return n;
	return NULL;
}

struct node *nodes_get_dir(struct nodetab *t, const char *dir)
{
	struct node *n = nodes_find_dir(t, dir);

	if (n) {
		n->nlookup++;
		return n;
	}
	return new_node(t, nodes_dir_ino(dir), dir, true);
}

static void unlink_node(struct nodetab *t, struct node *n);

/* Give N the name TO followed by what followed FROM in its name. */
static int replace_prefix(struct node *n, size_t flen, const char *to)
{
	size_t tlen = strlen(to), rest = strlen(n->name) - flen;
	char *name = malloc(tlen + rest + 1);

	if (!name)
		return ENOMEM;
	memcpy(name, to, tlen);
	memcpy(name + tlen, n->name + flen, rest + 1);
	free(n->name);
	n->name = name;
	return 0;
}

int nodes_rename_dir(struct nodetab *t, const char *from, const char *to)
{
	size_t flen = strlen(from), i;
	struct node *n, *next, *moved = NULL;
	int err = 0;

	for (i = 0; i < t->nbuckets; i++)
		for (n = t->buckets[i]; n; n = next) {
			next = n->next;
			if (!n->name || strncmp(n->name, from, flen) != 0)
				continue;
			if (!to) {
				free(n->name);
				n->name = NULL;
				continue;
			}
			err = replace_prefix(n, flen, to) ? ENOMEM : err;
			if (!n->dir)
				continue;
			/* A directory's key is its name: set it aside. */
			unlink_node(t, n);
			n->next = moved;
			moved = n;
		}
	for (n = moved; n; n = next) {
		next = n->next;
		n->ino = nodes_dir_ino(n->name);
		link_node(t, n);
	}
	return err;
}

static void unlink_node(struct nodetab *t, struct node *n)
{
	struct node **pp = &t->buckets[bucket(t, n->ino)];

	while (*pp != n)
		pp = &(*pp)->next;
	*pp = n->next;
	t->count--;
}

void nodes_forget(struct nodetab *t, struct node *n, uint64_t count)
{
	pthread_mutex_lock(&t->lock);
	n->nlookup -= count < n->nlookup ? count : n->nlookup;
	if (n->nlookup == 0 && n->opens == 0) {
		unlink_node(t, n);
		node_free(n);
	}
	pthread_mutex_unlock(&t->lock);
}

void nodes_each(struct nodetab *t, void (*fn)(struct node *, void *), void *arg)
{
	struct node *n;

	pthread_mutex_lock(&t->lock);
	for (size_t i = 0; i < t->nbuckets; i++)
		for (n = t->buckets[i]; n; n = n->next)
			fn(n, arg);
	pthread_mutex_unlock(&t->lock);
}
