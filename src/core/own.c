/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * Our own changes' events: a chained hash of counts by name and kind. See
 * own.h.
 */
#include "config.h"

#include <stdlib.h>
#include <time.h>

#include "names.h"
#include "own.h"

/* An event not seen within this many seconds is not coming (lost in an
 * overflow, or the change failed in a way we did not see). */
#define OWN_WAIT_S 10

struct own_ev {
	uint64_t key;
	unsigned count;
	time_t when;
	struct own_ev *next;
};

static uint64_t key_of(const char *name, enum own_kind kind)
{
	return names_hash(name) ^ ((uint64_t)kind * 0x9E3779B97F4A7C15ULL);
}

static time_t now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return ts.tv_sec;
}

void own_init(struct ownset *s)
{
	pthread_mutex_init(&s->lock, NULL);
	for (size_t i = 0; i < OWN_BUCKETS; i++)
		s->b[i] = NULL;
	s->n = 0;
}

void own_clear(struct ownset *s)
{
	struct own_ev *e, *next;

	pthread_mutex_lock(&s->lock);
	for (size_t i = 0; i < OWN_BUCKETS; i++) {
		for (e = s->b[i]; e; e = next) {
			next = e->next;
			free(e);
		}
		s->b[i] = NULL;
	}
	s->n = 0;
	pthread_mutex_unlock(&s->lock);
}

void own_destroy(struct ownset *s)
{
	own_clear(s);
	pthread_mutex_destroy(&s->lock);
}

/* The entry for KEY in its bucket, dropping the ones that waited too long
 * on the way. Called with the lock held. */
static struct own_ev **find(struct ownset *s, uint64_t key)
{
	struct own_ev **pp = &s->b[key % OWN_BUCKETS], *e;
	time_t now = now_s();

	while ((e = *pp)) {
		if (e->key == key)
			return pp;
		if (now - e->when > OWN_WAIT_S) {
			*pp = e->next;
			s->n--;
			free(e);
			continue;
		}
		pp = &e->next;
	}
	return pp;
}

void own_expect(struct ownset *s, const char *name, enum own_kind kind)
{
	uint64_t key = key_of(name, kind);
	struct own_ev **pp, *e;

	pthread_mutex_lock(&s->lock);
	pp = find(s, key);
	if ((e = *pp)) {
		e->count++;
		e->when = now_s();
	} else if ((e = malloc(sizeof(*e)))) {
		/* No memory: the event will look like another program's. */
		e->key = key;
		e->count = 1;
		e->when = now_s();
		e->next = NULL;
		*pp = e;
		s->n++;
	}
	pthread_mutex_unlock(&s->lock);
}

/* Take one count off the entry for NAME and KIND: was there one? */
static bool take(struct ownset *s, const char *name, enum own_kind kind)
{
	struct own_ev **pp, *e;
	bool found;

	pthread_mutex_lock(&s->lock);
	pp = find(s, key_of(name, kind));
	e = *pp;
	found = e != NULL;
	if (e && --e->count == 0) {
		*pp = e->next;
		s->n--;
		free(e);
	}
	pthread_mutex_unlock(&s->lock);
	return found;
}

void own_cancel(struct ownset *s, const char *name, enum own_kind kind)
{
	take(s, name, kind);
}

bool own_take(struct ownset *s, const char *name, enum own_kind kind)
{
	return take(s, name, kind);
}

size_t own_pending(struct ownset *s)
{
	size_t n;

	pthread_mutex_lock(&s->lock);
	n = s->n;
	pthread_mutex_unlock(&s->lock);
	return n;
}
