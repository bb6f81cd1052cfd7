/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * The node table: two chained hashes over the same nodes, one by identity
 * (directory or file, and the id), one by name (named nodes only). Only the
 * functions here take the lock; see nodes.h.
 */
#include "config.h"

#include <assert.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "nodes.h"

static size_t id_bucket(const struct nodetab *t, bool dir, uint64_t id)
{
	return (size_t)(((id ^ dir) * 0x9E3779B97F4A7C15ULL) >> 20) &
	       (t->nids - 1);
}

static size_t name_bucket(const struct nodetab *t, const char *name)
{
	return (size_t)names_hash(name) & (t->nnames - 1);
}

/* Watch descriptors count up from 1: a fixed table is enough. */
#define NWDS 4096

static struct node **wd_slot(struct nodetab *t, int wd)
{
	return &t->wds[(unsigned)wd % NWDS];
}

int nodes_init(struct nodetab *t, const char *rootname)
{
	memset(t, 0, sizeof(*t));
	pthread_mutex_init(&t->lock, NULL);
	t->root.dir = t->root.root = true;
	t->root.id = 1; /* FUSE_ROOT_ID, its st_ino */
	t->root.nlookup = 1;
	t->root.found = -1;
	t->root.name = strdup(rootname);
	t->nids = t->nnames = 1024;
	t->ids = calloc(t->nids, sizeof(*t->ids));
	t->names = calloc(t->nnames, sizeof(*t->names));
	t->wds = calloc(NWDS, sizeof(*t->wds));
	return t->ids && t->names && t->wds && t->root.name ? 0 : ENOMEM;
}

static void node_free(struct node *n)
{
	if (n->obj)
		shmmap_free(n->obj);
	if (n->found >= 0)
		close(n->found);
	free(n->name);
	free(n->stale_name);
	links_free(n->links);
	free(n);
}

/* Node N is stale no more: out of the table's list. */
static void unstale(struct nodetab *t, struct node *n)
{
	struct node **pp = &t->stales;

	n->stale = false;
	if (!n->stale_name)
		return;
	while (*pp != n)
		pp = &(*pp)->snext;
	*pp = n->snext;
	free(n->stale_name);
	n->stale_name = NULL;
}

/* The kernel is given a node for directory NAME: the stale nodes that had
 * the name cannot be reached by it any more (nodes.h). */
static void name_looked_up(struct nodetab *t, const char *name)
{
	struct node *n, *next;

	for (n = t->stales; n; n = next) {
		next = n->snext;
		if (strcmp(n->stale_name, name) == 0)
			unstale(t, n);
	}
}

void nodes_destroy(struct nodetab *t)
{
	struct node *n, *next;

	for (size_t i = 0; t->ids && i < t->nids; i++)
		for (n = t->ids[i]; n; n = next) {
			next = n->inext;
			node_free(n);
		}
	free(t->ids);
	free(t->names);
	free(t->wds);
	free(t->root.name);
	pthread_mutex_destroy(&t->lock);
}

/* Twice NB buckets, when COUNT entries make chains long; NULL if not
 * (failure only costs speed). */
static struct node **grown(size_t nb, size_t count)
{
	return count < nb * 2 ? NULL : calloc(nb * 2, sizeof(struct node *));
}

static void grow_ids(struct nodetab *t)
{
	size_t old = t->nids;
	struct node **b = grown(t->nids, t->count), *n, *next;

	if (!b)
		return;
	t->nids = old * 2;
	for (size_t i = 0; i < old; i++)
		for (n = t->ids[i]; n; n = next) {
			next = n->inext;
			n->inext = b[id_bucket(t, n->dir, n->id)];
			b[id_bucket(t, n->dir, n->id)] = n;
		}
	free(t->ids);
	t->ids = b;
}

static void grow_names(struct nodetab *t)
{
	size_t old = t->nnames;
	struct node **b = grown(t->nnames, t->named), *n, *next;

	if (!b)
		return;
	t->nnames = old * 2;
	for (size_t i = 0; i < old; i++)
		for (n = t->names[i]; n; n = next) {
			next = n->nnext;
			n->nnext = b[name_bucket(t, n->name)];
			b[name_bucket(t, n->name)] = n;
		}
	free(t->names);
	t->names = b;
}

static struct node *find_id(struct nodetab *t, bool dir, uint64_t id)
{
	struct node *n;

	for (n = t->ids[id_bucket(t, dir, id)]; n; n = n->inext)
		if (n->id == id && n->dir == dir)
			return n;
	return NULL;
}

static struct node *find_name(struct nodetab *t, const char *name)
{
	struct node *n;

	for (n = t->names[name_bucket(t, name)]; n; n = n->nnext)
		if (strcmp(n->name, name) == 0)
			return n;
	return NULL;
}

static void unlink_id(struct nodetab *t, struct node *n)
{
	struct node **pp = &t->ids[id_bucket(t, n->dir, n->id)];

	while (*pp != n)
		pp = &(*pp)->inext;
	*pp = n->inext;
	t->count--;
}

static void link_id(struct nodetab *t, struct node *n)
{
	assert(!find_id(t, n->dir, n->id)); /* one live node per identity */
	grow_ids(t);
	n->inext = t->ids[id_bucket(t, n->dir, n->id)];
	t->ids[id_bucket(t, n->dir, n->id)] = n;
	t->count++;
}

/* Take node N out of the name hash and drop its name. */
static void unname(struct nodetab *t, struct node *n)
{
	struct node **pp;

	if (!n->name)
		return;
	pp = &t->names[name_bucket(t, n->name)];
	while (*pp != n)
		pp = &(*pp)->nnext;
	*pp = n->nnext;
	t->named--;
	free(n->name);
	n->name = NULL;
}

/* A directory's identity ended: out of both hashes for good. */
static void retire(struct nodetab *t, struct node *n)
{
	assert(n->dir && !n->root && !n->retired);
	unname(t, n);
	unlink_id(t, n);
	n->retired = true;
}

/* Give node N the name NAME (taken, not copied): whichever node held it
 * loses it first, so one live node holds each name. */
static void set_name(struct nodetab *t, struct node *n, char *name)
{
	struct node *old = find_name(t, name);

	if (old && old != n) {
		if (old->dir)
			retire(t, old);
		else
			unname(t, old);
	}
	unname(t, n);
	n->name = name;
	grow_names(t);
	n->nnext = t->names[name_bucket(t, name)];
	t->names[name_bucket(t, name)] = n;
	t->named++;
	assert(find_name(t, name) == n);
}

/* Node N is now called NAME (NULL: nothing). 0 or ENOMEM. */
static int rename_node(struct nodetab *t, struct node *n, const char *name)
{
	char *copy;

	if (!name) {
		unname(t, n);
		return 0;
	}
	if (n->name && strcmp(n->name, name) == 0)
		return 0;
	if (!(copy = strdup(name)))
		return ENOMEM;
	set_name(t, n, copy);
	return 0;
}

static void unlink_wd(struct nodetab *t, struct node *n)
{
	struct node **pp = wd_slot(t, n->wd);

	while (*pp != n)
		pp = &(*pp)->wnext;
	*pp = n->wnext;
	n->wd = 0;
}

/* Free node N if nothing holds it any more. */
static void maybe_free(struct nodetab *t, struct node *n)
{
	int wd = n->wd;

	if (n->nlookup || n->opens || n->root)
		return;
	unstale(t, n);
	if (wd) {
		unlink_wd(t, n);
		if (t->unwatch)
			t->unwatch(t->unwatch_arg, wd);
	}
	unname(t, n);
	if (!n->retired)
		unlink_id(t, n);
	node_free(n);
}

/* File node N is looked up by NAME: the name it had stays among its other
 * names, for it may be another hard link. 0 or ENOMEM. */
static int keep_other_name(struct node *n, const char *name)
{
	if (!n->name || strcmp(n->name, name) == 0)
		return 0;
	links_del(n->links, name);
	return links_add(&n->links, n->name);
}

static struct node *get_locked(struct nodetab *t, bool dir, uint64_t id,
			       const char *name)
{
	struct node *n = find_id(t, dir, id);
	char *copy;

	if (dir && t->stales)
		name_looked_up(t, name);
	if (n) {
		if ((!dir && keep_other_name(n, name)) || rename_node(t, n, name))
			return NULL;
		n->nlookup++;
		return n;
	}
	n = calloc(1, sizeof(*n));
	copy = strdup(name);
	if (!n || !copy) {
		free(n);
		free(copy);
		return NULL;
	}
	n->id = id;
	n->dir = dir;
	n->gen = ++t->gens;
	n->nlookup = 1;
	n->seen_size = -1;
	n->found = -1;
	link_id(t, n);
	set_name(t, n, copy);
	return n;
}

struct node *nodes_get(struct nodetab *t, bool dir, uint64_t id,
		       const char *name)
{
	struct node *n;

	pthread_mutex_lock(&t->lock);
	n = get_locked(t, dir, id, name);
	pthread_mutex_unlock(&t->lock);
	return n;
}

struct node *nodes_get_open(struct nodetab *t, uint64_t id, const char *name,
			    int fd, bool writable)
{
	struct node *n;

	pthread_mutex_lock(&t->lock);
	n = get_locked(t, false, id, name);
	if (n && !n->obj && !(n->obj = shmmap_new(fd, writable))) {
		n->nlookup--;
		maybe_free(t, n);
		n = NULL;
	} else if (n && n->obj->fd != fd) {
		close(fd); /* open already: keep that descriptor */
		fd = -1;
	}
	if (n)
		n->opens++;
	pthread_mutex_unlock(&t->lock);
	if (!n && fd >= 0)
		close(fd);
	return n;
}

void nodes_forget(struct nodetab *t, struct node *n, uint64_t count)
{
	pthread_mutex_lock(&t->lock);
	assert(n->nlookup >= count);
	n->nlookup -= count;
	maybe_free(t, n);
	pthread_mutex_unlock(&t->lock);
}

/* Why node N has no name: ENOENT, or ESTALE the first time after another
 * program ended it (nodes.h). With the lock held. */
static int gone(struct nodetab *t, struct node *n)
{
	bool stale = n->stale;

	unstale(t, n);
	return stale ? ESTALE : ENOENT;
}

int nodes_name(struct nodetab *t, struct node *n, objname_t out, bool *dir,
	       uint64_t *id)
{
	int err = 0;

	pthread_mutex_lock(&t->lock);
	if (dir)
		*dir = n->dir;
	if (id)
		*id = n->id;
	if (n->name)
		strcpy(out, n->name);
	else
		err = gone(t, n);
	pthread_mutex_unlock(&t->lock);
	return err;
}

int nodes_peek_name(struct nodetab *t, struct node *n, objname_t out)
{
	int err = 0;

	pthread_mutex_lock(&t->lock);
	if (n->name)
		strcpy(out, n->name);
	else
		err = ENOENT;
	pthread_mutex_unlock(&t->lock);
	return err;
}

int nodes_with_fd(struct nodetab *t, struct node *n, objname_t name,
		  int (*fn)(int fd, void *arg), void *arg)
{
	int ret = -1;

	pthread_mutex_lock(&t->lock);
	if (n->obj)
		ret = fn(n->obj->fd, arg);
	else if (n->name)
		strcpy(name, n->name);
	else
		ret = -gone(t, n);
	pthread_mutex_unlock(&t->lock);
	return ret;
}

/* Open file node N's object by its name. */
static int open_obj(struct node *n, int dirfd)
{
	struct stat st;
	bool writable;
	int fd, err;

	if (!n->name)
		return ENOENT;
	err = shmobj_open(dirfd, n->name, &fd, &writable, &st);
	/* The name went, or holds another object now, since the kernel
	 * looked: ESTALE makes it walk the path again. */
	if (!err && st.st_ino != n->id) {
		close(fd);
		err = ESTALE;
	}
	if (err == ENOENT)
		err = ESTALE;
	/* Replaced since the lookup, which kept the object: open that, as
	 * an open just before the replacement would. */
	if (err == ESTALE && n->found >= 0)
		err = shmobj_reopen(n->found, &fd, &writable, &st);
	if (!err && !(n->obj = shmmap_new(fd, writable))) {
		close(fd);
		err = ENOMEM;
	}
	if (!err && n->found >= 0) {
		close(n->found);
		n->found = -1;
	}
	return err;
}

void nodes_keep_found(struct nodetab *t, struct node *n, int fd)
{
	int old = fd;

	pthread_mutex_lock(&t->lock);
	if (!n->obj) {
		old = n->found;
		n->found = fd;
	}
	pthread_mutex_unlock(&t->lock);
	if (old >= 0)
		close(old);
}

int nodes_open(struct nodetab *t, struct node *n, int dirfd)
{
	int err = 0;

	pthread_mutex_lock(&t->lock);
	if (!n->obj)
		err = open_obj(n, dirfd);
	if (!err)
		n->opens++;
	pthread_mutex_unlock(&t->lock);
	return err;
}

void nodes_close(struct nodetab *t, struct node *n)
{
	struct shmmap *gone = NULL;

	pthread_mutex_lock(&t->lock);
	assert(n->opens > 0);
	if (--n->opens == 0) {
		gone = n->obj;
		n->obj = NULL;
	}
	maybe_free(t, n);
	pthread_mutex_unlock(&t->lock);
	/* Outside the lock: it waits for a read still replying. */
	if (gone)
		shmmap_free(gone);
}

bool nodes_pin(struct nodetab *t, struct node *n)
{
	bool pinned;

	pthread_mutex_lock(&t->lock);
	pinned = n->opens > 0;
	if (pinned)
		n->opens++;
	pthread_mutex_unlock(&t->lock);
	return pinned;
}

void nodes_set_watch(struct nodetab *t, struct node *n, int wd)
{
	pthread_mutex_lock(&t->lock);
	if (!n->wd) {
		n->wd = wd;
		n->wnext = *wd_slot(t, wd);
		*wd_slot(t, wd) = n;
	}
	pthread_mutex_unlock(&t->lock);
}

static struct node *find_wd(struct nodetab *t, int wd)
{
	struct node *n;

	for (n = *wd_slot(t, wd); n && n->wd != wd; n = n->wnext)
		;
	return n;
}

struct node *nodes_find_wd(struct nodetab *t, int wd)
{
	struct node *n;

	pthread_mutex_lock(&t->lock);
	n = find_wd(t, wd);
	pthread_mutex_unlock(&t->lock);
	return n;
}

void nodes_unwatched(struct nodetab *t, int wd)
{
	struct node *n;

	pthread_mutex_lock(&t->lock);
	n = find_wd(t, wd);
	if (n)
		unlink_wd(t, n);
	pthread_mutex_unlock(&t->lock);
}

bool nodes_seen(struct nodetab *t, struct node *n, const struct stat *st)
{
	bool watched;

	pthread_mutex_lock(&t->lock);
	n->seen_ctime = st->st_ctim;
	n->seen_size = st->st_size;
	n->seen_mode = st->st_mode;
	n->seen_uid = st->st_uid;
	n->seen_gid = st->st_gid;
	watched = n->wd != 0;
	pthread_mutex_unlock(&t->lock);
	return watched;
}

void nodes_unseen(struct nodetab *t, struct node *n)
{
	pthread_mutex_lock(&t->lock);
	n->seen_size = -1; /* no object's size */
	pthread_mutex_unlock(&t->lock);
}

static bool seen_same(const struct node *n, const struct stat *st)
{
	return n->seen_ctime.tv_sec == st->st_ctim.tv_sec &&
	       n->seen_ctime.tv_nsec == st->st_ctim.tv_nsec &&
	       n->seen_size == st->st_size && n->seen_mode == st->st_mode &&
	       n->seen_uid == st->st_uid && n->seen_gid == st->st_gid;
}

struct node *nodes_stale(struct nodetab *t, const struct stat *st)
{
	struct node *n;

	pthread_mutex_lock(&t->lock);
	n = find_id(t, false, st->st_ino);
	if (n && seen_same(n, st))
		n = NULL;
	pthread_mutex_unlock(&t->lock);
	return n;
}

struct node *nodes_find_file(struct nodetab *t, uint64_t id)
{
	struct node *n;

	pthread_mutex_lock(&t->lock);
	n = find_id(t, false, id);
	pthread_mutex_unlock(&t->lock);
	return n;
}

struct node *nodes_find(struct nodetab *t, const char *name)
{
	struct node *n;

	pthread_mutex_lock(&t->lock);
	n = find_name(t, name);
	pthread_mutex_unlock(&t->lock);
	return n;
}

void nodes_unlinked(struct nodetab *t, uint64_t id, const char *name,
		    bool last, bool (*valid)(void *arg, const char *), void *arg)
{
	struct node *n;
	char *other;

	pthread_mutex_lock(&t->lock);
	n = find_id(t, false, id);
	if (n && last) {
		links_free(n->links);
		n->links = NULL;
		unname(t, n);
	} else if (n) {
		links_del(n->links, name);
		if (n->name && strcmp(n->name, name) == 0) {
			unname(t, n);
			other = links_take(n->links, valid, arg);
			if (other)
				set_name(t, n, other);
		}
	}
	pthread_mutex_unlock(&t->lock);
}

void nodes_name_went(struct nodetab *t, uint64_t id, const char *name,
		     bool (*valid)(void *arg, const char *), void *arg)
{
	struct node *n;
	char *other;

	pthread_mutex_lock(&t->lock);
	n = find_id(t, false, id);
	if (n) {
		links_del(n->links, name);
		if (n->name && strcmp(n->name, name) == 0 &&
		    (other = links_take(n->links, valid, arg)))
			set_name(t, n, other);
	}
	pthread_mutex_unlock(&t->lock);
}

int nodes_moved(struct nodetab *t, uint64_t id, const char *from,
		const char *to)
{
	struct node *n;
	int err = 0;

	pthread_mutex_lock(&t->lock);
	n = find_id(t, false, id);
	if (n && n->name && strcmp(n->name, from) == 0)
		err = rename_node(t, n, to);
	else if (n && n->name) {
		links_del(n->links, from);
		err = links_add(&n->links, to);
	} else if (n) {
		links_del(n->links, from);
		err = rename_node(t, n, to);
	}
	pthread_mutex_unlock(&t->lock);
	return err;
}

int nodes_rename(struct nodetab *t, uint64_t id, const char *name)
{
	struct node *n;
	int err = 0;

	pthread_mutex_lock(&t->lock);
	n = find_id(t, false, id);
	if (n)
		err = rename_node(t, n, name);
	pthread_mutex_unlock(&t->lock);
	return err;
}

/* TO followed by what follows FROM's FLEN bytes in NAME; NULL: no memory. */
static char *replace_prefix(const char *name, size_t flen, const char *to)
{
	size_t tlen = strlen(to), rest = strlen(name) - flen;
	char *out = malloc(tlen + rest + 1);

	if (out) {
		memcpy(out, to, tlen);
		memcpy(out + tlen, name + flen, rest + 1);
	}
	return out;
}

/* Is NAME at or below directory DIR (DLEN bytes)? */
static bool under(const char *name, const char *dir, size_t dlen)
{
	return name && strncmp(name, dir, dlen) == 0;
}

/* Everything named at or below DIR goes: directories retire, files lose
 * their names. */
static void remove_below(struct nodetab *t, const char *dir)
{
	size_t dlen = strlen(dir);
	struct node *n, *next;

	for (size_t i = 0; i < t->nids; i++)
		for (n = t->ids[i]; n; n = next) {
			next = n->inext;
			if (!under(n->name, dir, dlen))
				continue;
			if (n->dir)
				retire(t, n);
			else
				unname(t, n);
		}
}

int nodes_rename_dir(struct nodetab *t, const char *from, const char *to)
{
	size_t flen = strlen(from);
	struct node *n, *moving = NULL;
	char *name;
	int err = 0;

	pthread_mutex_lock(&t->lock);
	/* Hard links' other names follow (or go) too. */
	for (size_t i = 0; i < t->nids; i++)
		for (n = t->ids[i]; n; n = n->inext)
			if (links_rename_prefix(n->links, from, flen, to))
				err = ENOMEM;
	if (to)
		remove_below(t, to); /* what the rename replaced */
	/* Take the names off first, then give the new ones: a new name
	 * must not meet an old one still in the hash. */
	for (size_t i = 0; to && i < t->nids; i++)
		for (n = t->ids[i]; n; n = n->inext) {
			if (!under(n->name, from, flen))
				continue;
			name = replace_prefix(n->name, flen, to);
			err = name ? err : ENOMEM;
			/* Too long for an object (a name that lost its object
			 * to another program, which the rename did not move):
			 * none, as for a removed one. Names fit objname_t. */
			if (name && strlen(name) > SHM_NAME_MAX) {
				free(name);
				name = NULL;
			}
			unname(t, n);
			n->name = name;
			n->nnext = moving;
			moving = n;
		}
	while (moving) {
		n = moving;
		moving = n->nnext;
		name = n->name;
		n->name = NULL;
		if (name)
			set_name(t, n, name);
	}
	if (!to)
		remove_below(t, from);
	pthread_mutex_unlock(&t->lock);
	return err;
}

struct node *nodes_retire(struct nodetab *t, const char *name, uint64_t id)
{
	struct node *n;

	pthread_mutex_lock(&t->lock);
	n = find_name(t, name);
	if (n && (!n->dir || n->root || (id && n->id != id)))
		n = NULL;
	if (n) {
		retire(t, n);
		n->stale = true;
		n->stale_name = strdup(name); /* none: stale till used */
		if (n->stale_name) {
			n->snext = t->stales;
			t->stales = n;
		}
	}
	pthread_mutex_unlock(&t->lock);
	return n;
}

void nodes_adopt(struct nodetab *t, struct node *n, uint64_t id)
{
	struct node *old;

	pthread_mutex_lock(&t->lock);
	if (!n->retired && !n->root && n->id != id) {
		old = find_id(t, true, id);
		if (old)
			retire(t, old);
		unlink_id(t, n);
		n->id = id;
		link_id(t, n);
	}
	pthread_mutex_unlock(&t->lock);
}

void nodes_touch(struct nodetab *t, struct node *n, const struct timespec *ts)
{
	pthread_mutex_lock(&t->lock);
	n->timed = true;
	n->mtime = n->ctime = *ts;
	pthread_mutex_unlock(&t->lock);
}

bool nodes_times(struct nodetab *t, struct node *n, struct timespec *mtime,
		 struct timespec *ctime)
{
	bool timed;

	pthread_mutex_lock(&t->lock);
	timed = n->timed;
	if (timed) {
		*mtime = n->mtime;
		*ctime = n->ctime;
	}
	pthread_mutex_unlock(&t->lock);
	return timed;
}

void nodes_each(struct nodetab *t, void (*fn)(struct node *, void *),
		void *arg)
{
	struct node *n;

	pthread_mutex_lock(&t->lock);
	fn(&t->root, arg);
	for (size_t i = 0; i < t->nids; i++)
		for (n = t->ids[i]; n; n = n->inext)
			fn(n, arg);
	pthread_mutex_unlock(&t->lock);
}

size_t nodes_count(struct nodetab *t, size_t *named)
{
	size_t n;

	pthread_mutex_lock(&t->lock);
	n = t->count;
	if (named)
		*named = t->named;
	pthread_mutex_unlock(&t->lock);
	return n;
}
