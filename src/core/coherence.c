/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * Coherence: what the kernel holds that a change in the shm directory made
 * stale. The index applies each inotify event and tells this hook what it
 * changed (index.h); the hook retires the directory nodes whose identity
 * ended and asks the FUSE side (core_inval) to drop what the kernel
 * caches, whoever made the change, but for our own operations, which say
 * beforehand what events they will cause (own.h): the kernel already
 * knows what we did.
 *
 * A name that appears has its entry in its parent dropped (the kernel may
 * hold "not there"): for a new directory the outermost one that appeared,
 * a:b:c with no a before drops "a" in the root; a name that goes has its
 * entry dropped too, and a directory that ends or becomes another one
 * (its marker made or removed by another program) is retired. The hook
 * runs with the index's lock held, in whichever thread applied the event:
 * it takes the node table's lock and queues notifies, never sends them.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/inotify.h>
#include <time.h>
#include <unistd.h>

#include "core_i.h"
#include "log.h"
#include "shared.h"

/* A name removed from under the kernel was likely replaced, and may be
 * again soon: a program that churns a name (unlink, recreate) would make
 * every open through the mount find the kernel's cached entry stale and
 * its one retry race the next replacement (ESTALE to the caller). For
 * entry_timeout seconds, such a name is looked up afresh at every use. */
static size_t removed_slot(const char *name, uint64_t *hash)
{
	*hash = names_hash(name);
	return (size_t)(*hash % RECENT_SLOTS);
}

static void note_removed(struct core *c, const char *name)
{
	uint64_t hash;
	size_t i = removed_slot(name, &hash);

	pthread_mutex_lock(&c->removed.lock);
	c->removed.hash[i] = hash;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &c->removed.when[i]);
	pthread_mutex_unlock(&c->removed.lock);
}

bool core_churns(struct core *c, const char *name)
{
	struct timespec now, then;
	uint64_t hash, seen;
	size_t i;

	if (!c->inval.entry)
		return false;
	i = removed_slot(name, &hash);
	pthread_mutex_lock(&c->removed.lock);
	seen = c->removed.hash[i];
	then = c->removed.when[i];
	pthread_mutex_unlock(&c->removed.lock);
	if (seen != hash)
		return false;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &now);
	return (double)(now.tv_sec - then.tv_sec) +
	       (double)(now.tv_nsec - then.tv_nsec) / 1e9 <
	       c->cfg.entry_timeout;
}

static bool is_dir_name(const struct core *c, const char *name)
{
	size_t len = strlen(name);

	return c->cfg.delim && len > c->plen && name[len - 1] == c->cfg.delim;
}

/* Drop the kernel's entry for NAME (a file's or a directory's object
 * name) in its parent, if the kernel holds the parent. */
static void drop_entry(struct core *c, const char *name)
{
	objname_t parent;
	struct node *p;
	size_t plen, len = strlen(name);

	if (!c->inval.entry)
		return;
	core_parent_of(c, name, parent);
	plen = strlen(parent);
	if (is_dir_name(c, name))
		len--; /* the directory's component, without the delimiter */
	if (len <= plen)
		return;
	p = plen == c->plen ? &c->nodes.root : nodes_find(&c->nodes, parent);
	if (p && p->dir)
		c->inval.entry(c->inval.arg, p, name + plen, len - plen);
}

/* The node of file object OLDID, whose name NAME went; OLDID 0: the name
 * went before the index saw it come (made through the mount just before,
 * so its node has that name). */
static struct node *file_node(struct core *c, uint64_t oldid, const char *name)
{
	return oldid ? nodes_find_file(&c->nodes, oldid)
		     : nodes_find(&c->nodes, name);
}

static void drop_inode(struct core *c, struct node *n)
{
	if (n && c->inval.inode)
		c->inval.inode(c->inval.arg, n);
}

struct children {
	struct core *c;
	const char *dir;
	size_t len;
};

/* Node N, a live directory directly in CH's: ask for it to be looked up
 * again by its path in the mount ("a/b"). */
static void relookup_child(struct node *n, void *arg)
{
	const struct children *ch = arg;
	const char *rest = n->name;
	char path[SHM_NAME_MAX + 1], *p;
	size_t len;

	if (!n->dir || n->retired || !rest || strncmp(rest, ch->dir, ch->len) ||
	    !rest[ch->len])
		return;
	len = strlen(rest);
	if (memchr(rest + ch->len, ch->c->cfg.delim, len - ch->len - 1))
		return; /* deeper: moves with its parent */
	memcpy(path, rest + ch->c->plen, len - ch->c->plen - 1);
	path[len - ch->c->plen - 1] = '\0';
	for (p = path; (p = strchr(p, ch->c->cfg.delim)); p++)
		*p = '/';
	ch->c->inval.relookup(ch->c->inval.arg, path);
}

/* Directory NAME of identity ID ended, or is another one now. What it
 * held goes on (another program remade its marker): the directories in
 * it are the same, now in the new one, where the kernel must move them. */
static void core_dir_ended(struct core *c, const char *name, uint64_t id)
{
	struct children ch = { c, name, strlen(name) };
	struct node *n = nodes_retire(&c->nodes, name, id);

	drop_inode(c, n);
	drop_entry(c, name);
	if (n && c->inval.relookup)
		nodes_each(&c->nodes, relookup_child, &ch);
}

/* Object NAME's contents or attributes changed: drop the kernel's
 * attributes if they differ from the object's. */
static void attrs_changed(struct core *c, const char *name)
{
	struct stat st;

	if (!c->inval.inode)
		return;
	if (is_dir_name(c, name))
		drop_inode(c, nodes_find(&c->nodes, name)); /* a marker */
	else if (shmobj_stat(c->dirfd, name, &st) == 0)
		drop_inode(c, nodes_stale(&c->nodes, &st));
}

/* The object under inode watch WD changed. */
static void inode_changed(struct core *c, int wd)
{
	struct node *n = nodes_find_wd(&c->nodes, wd);
	objname_t name;

	/* A node without a name was removed, and the removal's own event
	 * (or, through the mount, the kernel itself) saw to its link
	 * count: the object's IN_ATTRIB of it adds nothing. */
	if (n && nodes_peek_name(&c->nodes, n, name) == 0)
		attrs_changed(c, name);
}

/* Watch node N's object (a directory: its marker) by name: the watch, 0
 * if the name is gone or not N's object any more, or -errno. NOW: the
 * object's attributes once watched. */
static int watch_name(struct core *c, struct node *n, struct stat *now)
{
	objname_t name;
	int wd;

	if (nodes_peek_name(&c->nodes, n, name))
		return 0;
	wd = index_watch(c->index, name);
	if (wd == -ENOENT)
		return 0; /* removed, or a directory without a marker */
	if (wd <= 0 ||
	    (shmobj_stat(c->dirfd, name, now) == 0 && now->st_ino == n->id))
		return wd;
	/* Replaced in between: not N's. */
	if (!nodes_find_wd(&c->nodes, wd))
		index_unwatch(c->index, wd);
	return 0;
}

void core_told(struct core *c, struct node *n, const struct stat *st)
{
	struct stat now;
	int wd, err;

	if (n->root)
		return;
	if (nodes_seen(&c->nodes, n, st) || !atomic_load(&c->watch_inodes))
		return; /* one lock for both, on every reply with attributes */
	wd = watch_name(c, n, &now);
	if (wd > 0) {
		/* What changed between ST and the watch: the kernel's copy
		 * goes (it may not have it yet: an invalidation that comes
		 * first makes the kernel take the reply's attributes without
		 * caching them). */
		if (!n->dir)
			drop_inode(c, nodes_stale(&c->nodes, &now));
		nodes_set_watch(&c->nodes, n, wd);
	} else if (wd < 0 && atomic_exchange(&c->watch_inodes, false)) {
		/* ENOSPC: fs.inotify.max_user_watches. */
		log_msg(LOG_NOTICE, "inotify: watching an object: %s: "
			"following attributes through the shm directory",
			strerror(-wd));
		err = index_watch_attrs(c->index);
		if (err)
			log_msg(LOG_ERR, "inotify: the shm directory: %s: "
				"attributes change only as the timeouts say",
				strerror(err));
	}
}

void core_unwatch(void *arg, int wd)
{
	struct core *c = arg;

	index_unwatch(c->index, wd);
}

static void drop_node(struct node *n, void *arg)
{
	drop_inode(arg, n);
}

/* Which of our own operations' events MASK would be. */
static bool event_ours(struct core *c, const char *name, uint32_t mask)
{
	if (mask & (IN_CREATE | IN_MOVED_TO))
		return own_take(&c->own_events, name, OWN_MADE);
	if (mask & (IN_DELETE | IN_MOVED_FROM)) {
		note_removed(c, name);
		return own_take(&c->own_events, name, OWN_GONE);
	}
	return false;
}

void core_changed(void *arg, enum ix_change what, const char *name,
		  uint64_t oldid, uint32_t mask)
{
	struct core *c = arg;

	switch (what) {
	case IX_EVENT:
		c->ev_name = name;
		c->ev_ours = event_ours(c, name, mask);
		break;
	case IX_MADE:
		if (!c->ev_ours)
			drop_entry(c, name);
		break;
	case IX_GONE:
		if (!is_dir_name(c, name)) {
			/* Another program's unlink: the name, the node's
			 * name if it was that one (a hard-linked file's
			 * node takes another), and the link count of the
			 * file (open, or linked elsewhere). */
			if (!c->ev_ours) {
				drop_entry(c, name);
				core_name_gone(c, oldid, name);
				drop_inode(c, file_node(c, oldid, name));
			}
			break;
		}
		/* A directory that went with another name's event (its last
		 * object) is ours only if we said so. */
		if (strcmp(name, c->ev_name) == 0
			    ? c->ev_ours
			    : own_take(&c->own_events, name, OWN_GONE))
			break;
		core_dir_ended(c, name, oldid);
		break;
	case IX_MARKER:
		if (!c->ev_ours)
			core_dir_ended(c, name, oldid);
		break;
	case IX_ATTR:
		attrs_changed(c, name);
		break;
	case IX_INODE:
		inode_changed(c, (int)oldid);
		break;
	case IX_UNWATCHED:
		nodes_unwatched(&c->nodes, (int)oldid);
		break;
	case IX_RESCAN:
		/* Events were lost: ours are not coming either, and every
		 * node's attributes may be stale (the root's too). */
		own_clear(&c->own_events);
		nodes_each(&c->nodes, drop_node, c);
		break;
	}
}
