/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * The index of names: see index.h.
 *
 * Entries are kept in one hash table keyed by object name: a file by its
 * own name, a directory by its children's prefix ("Pa:b:", which is also
 * its marker's name). Each directory links its children in a list and
 * counts the objects at or below it (its marker included): it exists while
 * that count is not zero.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/stat.h>
#include <unistd.h>

#include "index.h"
#include "names.h"
#include "shmobj.h"

struct ient {
	char *name;
	struct ient *hnext;          /* hash chain */
	struct ient *parent;
	struct ient *first;          /* directories: children */
	struct ient *prev, *next;    /* siblings */
	uint64_t ino;                /* files, markers: st_ino */
	uint64_t serial;             /* directories: while they exist */
	uint64_t scan;               /* the rescan that last saw it */
	uint32_t below;              /* directories: objects at or below */
	uint32_t nsubdirs, nchildren;
	bool dir, marker;
};

struct index {
	pthread_mutex_t lock;
	int dirfd;
	int inotify;
	int dirwd;                   /* the shm directory's watch */
	const char *shmdir;
	const char *prefix;
	size_t plen;
	char delim;
	struct ient root;
	struct ient **buckets;
	size_t nbuckets, count;
	uint64_t changes;
	uint64_t serials;            /* the last directory serial given */
	uint64_t scan;               /* rescans so far */
	uint32_t mask;               /* the event being applied */
	index_hook *hook;
	void *hook_arg;
};

/* Tell the hook what the event being applied changed. */
static void tell(struct index *ix, enum ix_change what, const char *name,
		 uint64_t oldid)
{
	if (ix->hook)
		ix->hook(ix->hook_arg, what, name, oldid, ix->mask);
}

/* A directory's identity: its marker's inode number, or while it has
 * none, its serial (top bit set: tmpfs numbers inodes upwards from 1). */
static uint64_t dir_id(const struct ient *d)
{
	return d->marker ? d->ino : d->serial | (1ULL << 63);
}

static struct ient **slot(struct index *ix, const char *name)
{
	return &ix->buckets[names_hash(name) & (ix->nbuckets - 1)];
}

static struct ient *find(struct index *ix, const char *name)
{
	struct ient *e;

	if (strcmp(name, ix->prefix) == 0)
		return &ix->root;
	for (e = *slot(ix, name); e; e = e->hnext)
		if (strcmp(e->name, name) == 0)
			return e;
	return NULL;
}

/* Double the buckets when chains grow long; failure only costs speed. */
static void grow(struct index *ix)
{
	size_t old = ix->nbuckets;
	struct ient **ob = ix->buckets, *e, *next;

	if (ix->count < old * 2)
		return;
	ix->buckets = calloc(old * 2, sizeof(*ix->buckets));
	if (!ix->buckets) {
		ix->buckets = ob;
		return;
	}
	ix->nbuckets = old * 2;
	for (size_t i = 0; i < old; i++)
		for (e = ob[i]; e; e = next) {
			next = e->hnext;
			e->hnext = *slot(ix, e->name);
			*slot(ix, e->name) = e;
		}
	free(ob);
}

/* A new entry NAME (LEN bytes of it) in directory PARENT. */
static struct ient *add(struct index *ix, struct ient *parent,
			const char *name, size_t len, bool dir)
{
	struct ient *e = calloc(1, sizeof(*e));

	if (!e || !(e->name = strndup(name, len))) {
		free(e);
		return NULL;
	}
	e->dir = dir;
	e->serial = dir ? ++ix->serials : 0;
	e->parent = parent;
	e->next = parent->first;
	if (parent->first)
		parent->first->prev = e;
	parent->first = e;
	parent->nchildren++;
	parent->nsubdirs += dir;
	grow(ix);
	e->hnext = *slot(ix, e->name);
	*slot(ix, e->name) = e;
	ix->count++;
	return e;
}

static void drop(struct index *ix, struct ient *e)
{
	struct ient **pp = slot(ix, e->name);

	while (*pp != e)
		pp = &(*pp)->hnext;
	*pp = e->hnext;
	if (e->prev)
		e->prev->next = e->next;
	else
		e->parent->first = e->next;
	if (e->next)
		e->next->prev = e->prev;
	e->parent->nchildren--;
	e->parent->nsubdirs -= e->dir;
	ix->count--;
	free(e->name);
	free(e);
}

/* One object fewer at or below D and each directory above it; directories
 * left with nothing are gone. */
static void uncount(struct index *ix, struct ient *d)
{
	struct ient *up;

	for (; d != &ix->root; d = up) {
		up = d->parent;
		if (--d->below == 0) {
			tell(ix, IX_GONE, d->name, dir_id(d));
			drop(ix, d);
		}
	}
}

/* The directory for the first LEN bytes of NAME, made if new (*MADE:
 * the outermost one made, if none was before). */
static struct ient *dir_of(struct index *ix, struct ient *parent,
			   const char *name, size_t len, struct ient **made)
{
	char buf[SHM_NAME_MAX + 1];
	struct ient *e;

	memcpy(buf, name, len);
	buf[len] = '\0';
	e = find(ix, buf);
	if (e)
		return e;
	e = add(ix, parent, name, len, true);
	if (e && !*made)
		*made = e;
	return e;
}

/* The object NAME exists now, with inode number INO, where it held OLD
 * (0: nothing): tell what changed. */
static void replaced(struct index *ix, struct ient *e, uint64_t old)
{
	if (old == e->ino)
		return;
	/* Another object under the same name: for a marker, the directory
	 * is another one; for a file, its name is made anew. */
	if (e->dir)
		tell(ix, IX_MARKER, e->name, old);
	else
		tell(ix, IX_MADE, e->name, old);
}

/* Directory D (existing before, without a marker) gets one. */
static void marker_made(struct index *ix, struct ient *d, uint64_t ino)
{
	uint64_t old = dir_id(d);

	d->marker = true;
	d->ino = ino;
	tell(ix, IX_MARKER, d->name, old);
}

/* The object NAME (under the prefix, folding into a valid path) exists,
 * with inode number INO. */
static void insert(struct index *ix, const char *name, uint64_t ino)
{
	struct ient *e = find(ix, name), *d = &ix->root, *made = NULL;
	const char *c = name + ix->plen, *end;
	size_t len = strlen(name);
	uint64_t old;

	if (e && (!e->dir || e->marker)) {
		e->scan = ix->scan;
		old = e->ino;
		e->ino = ino;
		replaced(ix, e, old);
		return;
	}
	while (ix->delim && (end = strchr(c, ix->delim))) {
		d = dir_of(ix, d, name, (size_t)(end + 1 - name), &made);
		if (!d)
			return;
		c = end + 1;
	}
	if (*c == '\0') {
		/* A marker: D is the directory itself. */
		d->scan = ix->scan;
		if (made) {
			d->marker = true;
			d->ino = ino;
		} else {
			marker_made(ix, d, ino);
		}
	} else if ((e = add(ix, d, name, len, false))) {
		e->ino = ino;
		e->scan = ix->scan;
	} else {
		return;
	}
	for (e = d; e != &ix->root; e = e->parent)
		e->below++;
	/* A new name, or the outermost directory it made; a marker for a
	 * directory there was told as such. */
	if (made || *c != '\0')
		tell(ix, IX_MADE, made ? made->name : name, 0);
}

/* The object NAME is gone: false if the index did not hold it. */
static bool remove_name(struct index *ix, const char *name)
{
	struct ient *e = find(ix, name), *d;
	uint64_t old;

	if (!e || e == &ix->root)
		return false;
	if (e->dir) {
		if (!e->marker)
			return true;
		old = e->ino;
		e->marker = false;
		/* Gone with it, or left implicit: another directory. */
		if (e->below > 1) {
			e->serial = ++ix->serials;
			tell(ix, IX_MARKER, e->name, old);
		}
		uncount(ix, e);
		return true;
	}
	d = e->parent;
	tell(ix, IX_GONE, e->name, e->ino);
	drop(ix, e);
	uncount(ix, d);
	return true;
}

/* Is NAME one of ours: under the prefix, not hidden, folding validly? */
static bool ours(const struct index *ix, const char *name)
{
	return strncmp(name, ix->prefix, ix->plen) == 0 &&
	       !names_hidden(name) && names_folds(name + ix->plen, ix->delim);
}

/* Grow *P (of *ROOM elements of SIZE) to hold NEED. */
static int room_for(void **p, size_t *room, size_t need, size_t size)
{
	size_t n = *room ? *room : 64;
	void *grown;

	if (need <= *room)
		return 0;
	while (n < need)
		n *= 2;
	grown = realloc(*p, n * size);
	if (!grown)
		return ENOMEM;
	*p = grown;
	*room = n;
	return 0;
}

/* Names go into one buffer (a listing of 100 000 entries is two
 * allocations, not 100 001); entries hold offsets until list_done(). */
static int list_add(struct ilist *l, const char *name, size_t len,
		    uint64_t ino, bool dir)
{
	if (room_for((void **)&l->ents, &l->cap, l->n + 1, sizeof(*l->ents)) ||
	    room_for((void **)&l->names, &l->room, l->used + len + 1, 1))
		return ENOMEM;
	memcpy(l->names + l->used, name, len);
	l->names[l->used + len] = '\0';
	l->ents[l->n].name = (char *)(uintptr_t)l->used;
	l->ents[l->n].ino = ino;
	l->ents[l->n++].dir = dir;
	l->used += len + 1;
	return 0;
}

/* Turn the offsets into pointers, or free what was built on ERR. */
static int list_done(struct ilist *l, int err)
{
	if (err) {
		index_free(l);
		return err;
	}
	for (size_t i = 0; i < l->n; i++)
		l->ents[i].name = l->names + (uintptr_t)l->ents[i].name;
	return 0;
}

/* The object NAME exists, with inode number INO, after an event MASK. A
 * removal whose name holds an object again was made again meanwhile:
 * another object, even if the index learnt its number only now (made
 * through the mount, removed and made again by another program before
 * the events were read), so what held the name before ended (OLDID 0:
 * unknown). */
static void insert_after(struct index *ix, const char *name, uint64_t ino,
			 uint32_t mask)
{
	const struct ient *e = find(ix, name);
	bool held = e && (!e->dir || e->marker) && e->ino == ino;

	insert(ix, name, ino);
	if (held && (mask & (IN_DELETE | IN_MOVED_FROM)))
		tell(ix, e->dir ? IX_MARKER : IX_MADE, name, 0);
}

/* Look NAME up again after an event MASK and make the index agree. */
static void refresh(struct index *ix, const char *name, uint32_t mask)
{
	struct stat st;

	if (!ours(ix, name))
		return;
	ix->mask = mask;
	tell(ix, IX_EVENT, name, 0);
	if (!(mask & ~(IN_MODIFY | IN_ATTRIB))) {
		tell(ix, IX_ATTR, name, 0);
		return;
	}
	ix->changes++;
	if (shmobj_stat(ix->dirfd, name, &st) == 0)
		insert_after(ix, name, st.st_ino, mask);
	else if (!remove_name(ix, name) && (mask & (IN_DELETE | IN_MOVED_FROM)))
		/* Made and removed again before we read either event: never
		 * held here, but whoever made it may have handed it out. */
		tell(ix, IX_GONE, name, 0);
}

static int scan_one(int dirfd, const struct dirent *d, void *arg)
{
	struct index *ix = arg;

	if (ours(ix, d->d_name) && shmdir_regular(dirfd, d))
		insert(ix, d->d_name, d->d_ino);
	return 0;
}

/* The objects the last scan did not see, into L. */
static int unseen(struct index *ix, struct ilist *l)
{
	const struct ient *e;
	int err = 0;

	for (size_t i = 0; i < ix->nbuckets && !err; i++)
		for (e = ix->buckets[i]; e && !err; e = e->hnext)
			if ((!e->dir || e->marker) && e->scan != ix->scan)
				err = list_add(l, e->name, strlen(e->name), 0,
					       false);
	return list_done(l, err);
}

/* Read the whole shm directory again: what it holds is added, what the
 * index holds and it does not is removed, each change told as an event
 * would have told it; what did not change keeps its identity. */
static int rescan(struct index *ix)
{
	struct ilist gone = { 0 };
	int err;

	ix->changes++;
	ix->scan++;
	ix->mask = 0;
	tell(ix, IX_EVENT, ix->prefix, 0);
	err = shmdir_each(ix->dirfd, scan_one, ix);
	if (!err)
		err = unseen(ix, &gone);
	for (size_t i = 0; i < gone.n; i++)
		remove_name(ix, gone.ents[i].name);
	index_free(&gone);
	tell(ix, IX_RESCAN, ix->prefix, 0);
	return err;
}

static void clear(struct index *ix)
{
	while (ix->root.first) {
		struct ient *e = ix->root.first;

		/* Empty the deepest first. */
		while (e->first)
			e = e->first;
		drop(ix, e);
	}
}

/* An event of an inode watch (index_watch()). */
static void inode_event(struct index *ix, const struct inotify_event *ev)
{
	ix->mask = ev->mask;
	if (ev->mask & IN_IGNORED)
		tell(ix, IX_UNWATCHED, NULL, (uint64_t)ev->wd);
	else if (ev->mask & (IN_MODIFY | IN_ATTRIB))
		tell(ix, IX_INODE, NULL, (uint64_t)ev->wd);
}

/* Read the pending events; call with the lock held. */
static void sync_locked(struct index *ix)
{
	char buf[64 * (sizeof(struct inotify_event) + NAME_MAX + 1)];
	const struct inotify_event *ev;
	ssize_t n;

	while ((n = read(ix->inotify, buf, sizeof(buf))) > 0) {
		for (char *p = buf; p < buf + n; p += sizeof(*ev) + ev->len) {
			ev = (const struct inotify_event *)p;
			if (ev->mask & IN_Q_OVERFLOW)
				rescan(ix);
			else if (ev->wd != ix->dirwd)
				inode_event(ix, ev);
			else if (ev->len)
				refresh(ix, ev->name, ev->mask);
		}
	}
}

#define DIR_EVENTS (IN_CREATE | IN_DELETE | IN_MOVED_FROM | IN_MOVED_TO | \
		    IN_ONLYDIR)
#define ATTR_EVENTS (IN_MODIFY | IN_ATTRIB)

int index_watch(struct index *ix, const char *name)
{
	char path[PATH_MAX];
	int wd;

	if (snprintf(path, sizeof(path), "%s/%s", ix->shmdir, name) >=
	    (int)sizeof(path))
		return -ENAMETOOLONG;
	wd = inotify_add_watch(ix->inotify, path, ATTR_EVENTS | IN_DONT_FOLLOW);
	return wd < 0 ? -errno : wd;
}

void index_unwatch(struct index *ix, int wd)
{
	inotify_rm_watch(ix->inotify, wd);
}

int index_watch_attrs(struct index *ix)
{
	int wd = inotify_add_watch(ix->inotify, ix->shmdir,
				   DIR_EVENTS | ATTR_EVENTS);

	return wd < 0 ? errno : 0;
}

int index_open(struct index **ixp, int dirfd, const char *shmdir,
	       const char *prefix, char delim, bool attrs)
{
	struct index *ix = calloc(1, sizeof(*ix));
	int err;

	if (!ix)
		return ENOMEM;
	pthread_mutex_init(&ix->lock, NULL);
	ix->dirfd = dirfd;
	ix->prefix = prefix;
	ix->plen = strlen(prefix);
	ix->delim = delim;
	ix->root.dir = true;
	ix->root.name = (char *)prefix;
	ix->nbuckets = 1024;
	ix->buckets = calloc(ix->nbuckets, sizeof(*ix->buckets));
	ix->inotify = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	err = !ix->buckets ? ENOMEM : ix->inotify < 0 ? errno : 0;
	ix->shmdir = shmdir;
	/* Watch first, then scan: nothing made in between is missed. */
	if (!err && (ix->dirwd = inotify_add_watch(ix->inotify, shmdir,
						   DIR_EVENTS |
						   (attrs ? ATTR_EVENTS : 0))) < 0)
		err = errno;
	if (!err)
		err = rescan(ix);
	if (err) {
		index_close(ix);
		return err;
	}
	*ixp = ix;
	return 0;
}

void index_close(struct index *ix)
{
	clear(ix);
	if (ix->inotify >= 0)
		close(ix->inotify);
	free(ix->buckets);
	pthread_mutex_destroy(&ix->lock);
	free(ix);
}

void index_set_hook(struct index *ix, index_hook *fn, void *arg)
{
	pthread_mutex_lock(&ix->lock);
	ix->hook = fn;
	ix->hook_arg = arg;
	pthread_mutex_unlock(&ix->lock);
}

int index_fd(struct index *ix)
{
	return ix->inotify;
}

void index_sync(struct index *ix)
{
	pthread_mutex_lock(&ix->lock);
	sync_locked(ix);
	pthread_mutex_unlock(&ix->lock);
}

void index_dir(struct index *ix, const char *dir, struct dirinfo *info)
{
	struct ient *e;

	pthread_mutex_lock(&ix->lock);
	sync_locked(ix);
	e = find(ix, dir);
	memset(info, 0, sizeof(*info));
	if (e && e->dir) {
		info->exists = true;
		info->marker = e->marker;
		info->nsubdirs = e->nsubdirs;
		info->nchildren = e->nchildren;
		info->id = dir_id(e);
	}
	pthread_mutex_unlock(&ix->lock);
}

/* A directory that shares its component with a file is hidden by it. */
static bool shadowed(struct index *ix, const struct ient *e)
{
	char buf[SHM_NAME_MAX + 1];
	size_t len = strlen(e->name) - 1;
	const struct ient *f;

	memcpy(buf, e->name, len);
	buf[len] = '\0';
	f = find(ix, buf);
	return f && !f->dir;
}

static int list_locked(struct index *ix, const char *dir, struct ilist *out)
{
	struct ient *d = find(ix, dir), *e;
	size_t skip = strlen(dir), len;
	int err = 0;

	if (!d || !d->dir)
		return ENOENT;
	for (e = d->first; e && !err; e = e->next) {
		len = strlen(e->name) - skip - e->dir;
		if (!e->dir || !shadowed(ix, e))
			err = list_add(out, e->name + skip, len,
				       e->dir ? dir_id(e) : e->ino, e->dir);
	}
	return err;
}

int index_list(struct index *ix, const char *dir, struct ilist *out)
{
	int err;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&ix->lock);
	sync_locked(ix);
	err = list_locked(ix, dir, out);
	pthread_mutex_unlock(&ix->lock);
	return list_done(out, err);
}

/* Pre-order: a directory's marker before what lies in it. */
static int below_locked(const struct ient *d, struct ilist *out)
{
	const struct ient *e;
	int err = 0;

	if (d->marker)
		err = list_add(out, d->name, strlen(d->name), d->ino, true);
	for (e = d->first; e && !err; e = e->next)
		err = e->dir ? below_locked(e, out)
			     : list_add(out, e->name, strlen(e->name), e->ino,
					false);
	return err;
}

int index_below(struct index *ix, const char *dir, struct ilist *out)
{
	struct ient *d;
	int err;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&ix->lock);
	sync_locked(ix);
	d = find(ix, dir);
	err = d && d->dir ? below_locked(d, out) : ENOENT;
	pthread_mutex_unlock(&ix->lock);
	return list_done(out, err);
}

void index_free(struct ilist *l)
{
	free(l->ents);
	free(l->names);
	memset(l, 0, sizeof(*l));
}

uint64_t index_changes(struct index *ix)
{
	uint64_t n;

	pthread_mutex_lock(&ix->lock);
	sync_locked(ix);
	n = ix->changes;
	pthread_mutex_unlock(&ix->lock);
	return n;
}
