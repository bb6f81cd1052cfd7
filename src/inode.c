/** @file
 * The inode table: a chained hash of nodes keyed by the object's st_ino.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "inode.h"

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
	if (n->opens)
		shmmap_drop(&n->map);
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
		if (n->ino == ino)
			return n;
	return NULL;
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

int nodes_rename(struct nodetab *t, uint64_t ino, const char *name)
{
	struct node *n = nodes_find(t, ino);
	char *copy = NULL;

	if (!n || (n->name && name && strcmp(n->name, name) == 0))
		return 0;
	if (name && !(copy = strdup(name)))
		return ENOMEM;
	free(n->name);
	n->name = copy;
	return 0;
}

struct node *nodes_get(struct nodetab *t, uint64_t ino, const char *name)
{
	struct node *n = nodes_find(t, ino);

	if (n) {
		if (nodes_rename(t, ino, name))
			return NULL;
		n->nlookup++;
		return n;
	}
	n = calloc(1, sizeof(*n));
	if (!n || !(n->name = strdup(name))) {
		free(n);
		return NULL;
	}
	n->ino = ino;
	n->nlookup = 1;
	n->fd = -1;
	maybe_grow(t);
	n->next = t->buckets[bucket(t, ino)];
	t->buckets[bucket(t, ino)] = n;
	t->count++;
	return n;
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
