/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * Lock owners (locks.h): a hash of (node, owner) to an open file
 * description of the object, referenced so that a wait in progress keeps
 * its descriptor while a close drops the owner.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <unistd.h>

#include "locks.h"

static size_t bucket(uintptr_t key, uint64_t owner)
{
	uint64_t h = ((uint64_t)key ^ owner) * 0x9E3779B97F4A7C15ULL;

	return (size_t)(h >> 56) % LOCK_BUCKETS;
}

void locktab_init(struct locktab *t)
{
	pthread_mutex_init(&t->lock, NULL);
	t->count = 0;
	for (size_t i = 0; i < LOCK_BUCKETS; i++)
		t->bucket[i] = NULL;
}

static struct lockowner *find(struct locktab *t, uintptr_t key,
			      uint64_t owner)
{
	struct lockowner *o = t->bucket[bucket(key, owner)];

	while (o && (o->key != key || o->owner != owner))
		o = o->next;
	return o;
}

int lockowner_get(struct locktab *t, uintptr_t key, uint64_t owner,
		  uint64_t fh, lock_open_fn *open, void *arg,
		  struct lockowner **out)
{
	struct lockowner *o;
	int err = 0;

	pthread_mutex_lock(&t->lock);
	o = find(t, key, owner);
	if (!o && !open)
		err = ENOENT;
	else if (!o && !(o = calloc(1, sizeof(*o))))
		err = ENOMEM;
	else if (!o->refs && (err = open(arg, &o->fd)) != 0)
		free(o);
	if (!err && !o->refs) {
		o->key = key;
		o->owner = owner;
		o->fh = fh;
		o->refs = 1; /* the table's */
		o->next = t->bucket[bucket(key, owner)];
		t->bucket[bucket(key, owner)] = o;
		t->count++;
	}
	if (!err) {
		o->refs++;
		*out = o;
	}
	pthread_mutex_unlock(&t->lock);
	return err;
}

/* Call with the lock held. */
static void put_locked(struct lockowner *o)
{
	if (--o->refs)
		return;
	close(o->fd);
	free(o);
}

void lockowner_put(struct locktab *t, struct lockowner *o)
{
	pthread_mutex_lock(&t->lock);
	put_locked(o);
	pthread_mutex_unlock(&t->lock);
}

/* Take O out of the table and drop the table's reference. */
static void drop(struct locktab *t, struct lockowner *o)
{
	struct lockowner **pp = &t->bucket[bucket(o->key, o->owner)];

	while (*pp != o)
		pp = &(*pp)->next;
	*pp = o->next;
	t->count--;
	o->gone = true;
	put_locked(o);
}

void locks_drop_owner(struct locktab *t, uintptr_t key, uint64_t owner)
{
	struct lockowner *o;

	pthread_mutex_lock(&t->lock);
	o = find(t, key, owner);
	if (o)
		drop(t, o);
	pthread_mutex_unlock(&t->lock);
}

void locks_drop_fh(struct locktab *t, uintptr_t key, uint64_t fh)
{
	struct lockowner *o, *next;

	pthread_mutex_lock(&t->lock);
	for (size_t i = 0; t->count && i < LOCK_BUCKETS; i++)
		for (o = t->bucket[i]; o; o = next) {
			next = o->next;
			if (o->key == key && o->fh == fh)
				drop(t, o);
		}
	pthread_mutex_unlock(&t->lock);
}

static bool any(struct lockowner *o, void *arg)
{
	(void)o;
	(void)arg;
	return true;
}

bool locks_any(struct locktab *t, uintptr_t key)
{
	struct lockowner *o;
	size_t count;

	pthread_mutex_lock(&t->lock);
	count = t->count;
	pthread_mutex_unlock(&t->lock);
	if (!count)
		return false;
	o = locks_find(t, key, NULL, any, NULL);
	if (o)
		lockowner_put(t, o);
	return o != NULL;
}

struct lockowner *locks_find(struct locktab *t, uintptr_t key,
			     const struct lockowner *except,
			     bool (*fn)(struct lockowner *, void *), void *arg)
{
	struct lockowner *o, *found = NULL;

	pthread_mutex_lock(&t->lock);
	for (size_t i = 0; i < LOCK_BUCKETS && !found; i++)
		for (o = t->bucket[i]; o && !found; o = o->next)
			if (o->key == key && o != except && fn(o, arg)) {
				o->refs++;
				found = o;
			}
	pthread_mutex_unlock(&t->lock);
	return found;
}
