/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * The core's operations on names and directories: mkdir, rmdir, rename
 * and listings. See core.h.
 *
 * A directory rename moves every object below the directory one by one;
 * it holds the tree lock exclusive meanwhile, so nothing through the mount
 * sees it half done (shm_open users do see the objects move one by one).
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core_i.h"
#include "shared.h"

int core_mkdir(struct core *c, const struct caller *who, struct node *parent,
	       const char *name, mode_t mode, struct core_entry *e)
{
	struct dirinfo info;
	objname_t obj, dir;
	struct stat st;
	gid_t gid = who->gid;
	bool sgid;
	int fd, err;

	memset(e, 0, sizeof(*e));
	/* A flat namespace holds no directories. */
	if (!c->cfg.delim)
		return EPERM;
	pthread_rwlock_rdlock(&c->tree);
	err = core_child(c, parent, name, obj);
	if (!err)
		err = core_dir_of(c, obj, dir);
	if (!err && shmobj_stat(c->dirfd, obj, &st) == 0)
		err = EEXIST;
	if (!err) {
		index_dir(c->index, dir, &info);
		err = info.exists ? EEXIST : 0;
	}
	if (err)
		goto out;
	core_new_group(c, obj, &gid, &sgid);
	own_expect(&c->own_events, dir, OWN_MADE);
	/* issue 16: the umask, or the parent's default ACL. */
	err = core_create_inheriting(c, who, dir,
				     (mode & 07777) | (sgid ? S_ISGID : 0), gid,
				     true, &fd, &st);
	if (err) {
		own_cancel(&c->own_events, dir, OWN_MADE);
		goto out;
	}
	close(fd);
	err = core_lookup_dir(c, obj, e);
	if (!err)
		core_touch(c, parent, obj);
out:
	pthread_rwlock_unlock(&c->tree);
	return err;
}

/* The attributes of directory node PARENT, for the sticky rule. */
static int parent_stat(struct core *c, struct node *parent, struct stat *st)
{
	objname_t name;
	int err = nodes_name(&c->nodes, parent, name, NULL, NULL);

	return err ? err : core_dir_stat(c, name, parent, st, NULL);
}

/* May WHO remove directory DIR (INFO) from PARENT? The sticky rule, as
 * for files. */
static int may_remove_dir(struct core *c, const struct caller *who,
			  struct node *parent, const char *dir)
{
	struct stat pst, st;
	int err = parent_stat(c, parent, &pst);

	if (!err)
		err = core_dir_stat(c, dir, NULL, &st, NULL);
	return err ? err : core_sticky(who, &pst, st.st_uid);
}

int core_rmdir(struct core *c, const struct caller *who, struct node *parent,
	       const char *name)
{
	struct dirinfo info = { .exists = false };
	objname_t obj, dir;
	struct fsids ids;
	struct stat st;
	int err;

	pthread_rwlock_rdlock(&c->tree);
	err = core_child_existing(c, parent, name, obj);
	if (!err && c->cfg.delim && !core_dir_of(c, obj, dir))
		index_dir(c->index, dir, &info);
	if (!err && !info.exists)
		err = shmobj_stat(c->dirfd, obj, &st) == 0 ? ENOTDIR : ENOENT;
	if (!err && info.nchildren)
		err = ENOTEMPTY;
	if (!err)
		err = may_remove_dir(c, who, parent, dir);
	if (err || !info.marker)
		goto gone;
	own_expect(&c->own_events, dir, OWN_GONE);
	ids = as_caller(c, who);
	if (unlinkat(c->dirfd, dir, 0) && errno != ENOENT)
		err = errno;
	as_daemon(ids);
	if (err)
		own_cancel(&c->own_events, dir, OWN_GONE);
gone:
	if (!err) {
		nodes_rename_dir(&c->nodes, dir, NULL);
		core_touch(c, parent, obj);
	}
	pthread_rwlock_unlock(&c->tree);
	return err;
}

/* One object renamed by us: its events are ours. */
static int move_one(struct core *c, const char *from, const char *to,
		    unsigned flags)
{
	own_expect(&c->own_events, from, OWN_GONE);
	own_expect(&c->own_events, to, OWN_MADE);
	if (flags & RENAME_EXCHANGE) {
		own_expect(&c->own_events, to, OWN_GONE);
		own_expect(&c->own_events, from, OWN_MADE);
	}
	if (renameat2(c->dirfd, from, c->dirfd, to, flags) == 0)
		return 0;
	own_cancel(&c->own_events, from, OWN_GONE);
	own_cancel(&c->own_events, to, OWN_MADE);
	if (flags & RENAME_EXCHANGE) {
		own_cancel(&c->own_events, to, OWN_GONE);
		own_cancel(&c->own_events, from, OWN_MADE);
	}
	return errno;
}

/* One object: atomic, as renameat2 is. */
static int rename_file(struct core *c, const char *from, const struct stat *src,
		       const char *to, unsigned flags)
{
	struct stat dst;
	bool have_dst = shmobj_stat(c->dirfd, to, &dst) == 0;
	int err;

	/* What is not an object there (a symlink or FIFO someone planted, or
	 * an object made since the kernel looked) is not ours to replace. */
	if (!have_dst && !(flags & RENAME_EXCHANGE))
		flags |= RENAME_NOREPLACE;
	err = move_one(c, from, to, flags);
	if (err)
		return err;
	/* issue 16: an object may have several names (hard links). */
	return core_names_renamed(c, src, have_dst ? &dst : NULL, from, to,
				  flags);
}

/* The name NAME (under FROM) takes under TO, into OUT. */
static int moved_name(const char *name, const char *from, const char *to,
		      objname_t out)
{
	size_t tlen = strlen(to), rest = strlen(name) - strlen(from);

	if (tlen + rest > SHM_NAME_MAX)
		return ENAMETOOLONG;
	memcpy(out, to, tlen);
	memcpy(out + tlen, name + strlen(from), rest + 1);
	return 0;
}

/* Move the objects of L from FROM to TO, one by one, FROM's own marker
 * left for last; put back the ones moved if one fails, so a failed rename
 * leaves the tree as it was. *DONE: how many moved. */
static int move_objects(struct core *c, const struct ilist *l,
			const char *from, const char *to, size_t *done)
{
	objname_t dst;
	size_t i;
	int err = 0;

	for (i = 0; i < l->n && !err; i++)
		err = moved_name(l->ents[i].name, from, to, dst);
	*done = 0;
	for (i = 0; i < l->n && !err; i++) {
		if (strcmp(l->ents[i].name, from) != 0) {
			moved_name(l->ents[i].name, from, to, dst);
			err = move_one(c, l->ents[i].name, dst,
				       RENAME_NOREPLACE);
			/* Removed meanwhile by another program: gone. */
			if (err == ENOENT)
				err = 0;
		}
		if (!err)
			*done = i + 1;
	}
	return err;
}

/* Put back the first DONE objects of L (moved from FROM to TO). */
static void unmove_objects(struct core *c, const struct ilist *l,
			   const char *from, const char *to, size_t done)
{
	objname_t dst;

	for (size_t j = 0; j < done && j < l->n; j++) {
		if (strcmp(l->ents[j].name, from) == 0)
			continue;
		moved_name(l->ents[j].name, from, to, dst);
		move_one(c, dst, l->ents[j].name, RENAME_NOREPLACE);
	}
}

/* The last step of a directory rename: FROM's marker replaces TO's (one
 * atomic rename), or, FROM being implicit, TO's marker goes. Only now is
 * anything of TO lost, so every failure before could be undone. */
static int replace_marker(struct core *c, const char *from, const char *to,
			  bool from_marker, bool to_marker)
{
	int err = 0;

	if (from_marker)
		return move_one(c, from, to, 0);
	if (!to_marker)
		return 0;
	own_expect(&c->own_events, to, OWN_GONE);
	if (unlinkat(c->dirfd, to, 0) && errno != ENOENT)
		err = errno;
	if (err)
		own_cancel(&c->own_events, to, OWN_GONE);
	return err;
}

/* A directory FROM ("Pa:") to TO ("Pb:"): every object below it, one by
 * one, with the tree lock held exclusive. */
static int rename_dir(struct core *c, const char *from, const char *to,
		      unsigned flags)
{
	struct dirinfo source, target;
	struct ilist l;
	size_t done = 0;
	int err;

	index_dir(c->index, from, &source);
	index_dir(c->index, to, &target);
	if (target.exists && (flags & RENAME_NOREPLACE))
		return EEXIST;
	if (target.nchildren)
		return ENOTEMPTY;
	err = index_below(c->index, from, &l);
	if (err)
		return err;
	err = journal_begin(c, from, to);
	if (err)
		goto out;
	/* An implicit source ceases to be with its last object moved. */
	if (!source.marker)
		own_expect(&c->own_events, from, OWN_GONE);
	err = move_objects(c, &l, from, to, &done);
	if (!err)
		err = replace_marker(c, from, to, source.marker, target.marker);
	if (err) {
		journal_undo(c);
		unmove_objects(c, &l, from, to, done);
		if (!source.marker)
			own_cancel(&c->own_events, from, OWN_GONE);
	}
	journal_end(c);
	if (!err)
		err = nodes_rename_dir(&c->nodes, from, to);
out:
	index_free(&l);
	return err;
}

/* RENAME_EXCHANGE of two directories: A to a name beside it, B to A, that
 * name to B; each step is undone if a later one fails. */
static int exchange_dirs(struct core *c, const char *a, const char *b)
{
	static const char aside[] = ".~pshmfs-exchange";
	size_t alen = strlen(a);
	objname_t tmp;
	int err;

	if (alen + sizeof(aside) > SHM_NAME_MAX)
		return ENAMETOOLONG;
	memcpy(tmp, a, alen - 1);
	memcpy(tmp + alen - 1, aside, sizeof(aside) - 1);
	tmp[alen - 1 + sizeof(aside) - 1] = c->cfg.delim;
	tmp[alen + sizeof(aside) - 1] = '\0';
	/* One journal for the three moves: a crash leaves both whole. */
	err = journal_exchange(c, a, b, tmp);
	if (!err)
		err = rename_dir(c, a, tmp, RENAME_NOREPLACE);
	if (err)
		goto out;
	err = rename_dir(c, b, a, RENAME_NOREPLACE);
	if (err) {
		rename_dir(c, tmp, a, RENAME_NOREPLACE);
		goto out;
	}
	err = rename_dir(c, tmp, b, RENAME_NOREPLACE);
	if (err) {
		rename_dir(c, a, b, RENAME_NOREPLACE);
		rename_dir(c, tmp, a, RENAME_NOREPLACE);
	}
out:
	journal_exchange_end(c);
	return err;
}

/* The rules of a directory rename from (PARENT, FROM) to (NEWPARENT, TO)
 * that the objects' own permissions do not give: the sticky bit of
 * either parent, and, to another parent, write permission on the
 * directory itself (its ".." changes). */
static int may_rename_dir(struct core *c, const struct caller *who,
			  struct node *parent, const char *from,
			  struct node *newparent, const char *to)
{
	struct stat st, tst;
	int err = may_remove_dir(c, who, parent, from);

	if (!err && core_dir_stat(c, to, NULL, &tst, NULL) == 0)
		err = may_remove_dir(c, who, newparent, to);
	if (!err && parent != newparent &&
	    core_dir_stat(c, from, NULL, &st, NULL) == 0)
		err = core_permission(who, &st, W_OK);
	return err;
}

/* Rename the directory whose object name is FROM; the tree lock is held
 * exclusive. */
static int rename_tree(struct core *c, const struct caller *who,
		       struct node *parent, const char *from,
		       struct node *newparent, const char *to, unsigned flags)
{
	struct dirinfo info = { .exists = false };
	objname_t fromdir, todir;
	struct stat st;
	int err;

	if (c->cfg.delim && !core_dir_of(c, from, fromdir))
		index_dir(c->index, fromdir, &info);
	err = !info.exists ? ENOENT : core_dir_of(c, to, todir);
	/* A directory onto a file. */
	if (!err && !(flags & RENAME_EXCHANGE) &&
	    shmobj_stat(c->dirfd, to, &st) == 0)
		err = ENOTDIR;
	if (!err)
		err = may_rename_dir(c, who, parent, fromdir, newparent, todir);
	if (!err)
		err = flags & RENAME_EXCHANGE ? exchange_dirs(c, fromdir, todir)
					      : rename_dir(c, fromdir, todir, flags);
	if (!err) {
		core_touch(c, parent, from);
		core_touch(c, newparent, to);
	}
	return err;
}

/* A rename of the object name NAME onto itself. The kernel renames a name
 * onto itself without asking, so it holds two nodes for the one name: one
 * of them is stale (another program replaced what the name holds since
 * the kernel looked), and answering 0 would have it move the stale node
 * over the live one, which it then takes for a removed directory. ESTALE
 * has the VFS look both names up again, find one object and answer the
 * caller itself. ENOENT if NAME holds nothing. */
static int same_name(struct core *c, const char *name)
{
	objname_t dir;
	struct dirinfo info = { .exists = false };
	struct stat st;

	if (shmobj_stat(c->dirfd, name, &st) == 0)
		return ESTALE;
	if (c->cfg.delim && !core_dir_of(c, name, dir))
		index_dir(c->index, dir, &info);
	return info.exists ? ESTALE : ENOENT;
}

int core_rename(struct core *c, const struct caller *who,
		struct node *parent, const char *name, struct node *newparent,
		const char *newname, unsigned flags)
{
	objname_t from, to;
	struct fsids ids;
	struct stat src;
	bool file;
	int err;

	pthread_rwlock_rdlock(&c->tree);
	err = core_child_existing(c, parent, name, from);
	if (!err)
		err = core_child(c, newparent, newname, to);
	if (!err && (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE)))
		err = EINVAL;
	if (!err && strcmp(from, to) == 0)
		err = same_name(c, from);
	file = !err && shmobj_stat(c->dirfd, from, &src) == 0;
	ids = as_caller(c, who);
	if (file) {
		err = rename_file(c, from, &src, to, flags);
		if (!err) {
			core_touch(c, parent, from);
			core_touch(c, newparent, to);
		}
	}
	pthread_rwlock_unlock(&c->tree);
	if (!err && !file) {
		/* Exclusive: nothing sees the directory half moved. The
		 * names are found again, as another rename may have moved
		 * the parents meanwhile. */
		pthread_rwlock_wrlock(&c->tree);
		err = core_child_existing(c, parent, name, from);
		if (!err)
			err = core_child(c, newparent, newname, to);
		if (!err)
			err = rename_tree(c, who, parent, from, newparent, to,
					  flags);
		pthread_rwlock_unlock(&c->tree);
	}
	as_daemon(ids);
	return err;
}

int core_list(struct core *c, struct node *n, objname_t dir, struct ilist *l)
{
	bool is_dir;
	int err;

	pthread_rwlock_rdlock(&c->tree);
	err = nodes_name(&c->nodes, n, dir, &is_dir, NULL);
	if (!err && !is_dir)
		err = ENOTDIR;
	if (!err)
		err = index_list(c->index, dir, l);
	pthread_rwlock_unlock(&c->tree);
	return err;
}

int core_lookup_entry(struct core *c, const char *dir, const char *comp,
		      bool isdir, struct core_entry *e)
{
	objname_t obj;
	int err;

	memset(e, 0, sizeof(*e));
	pthread_rwlock_rdlock(&c->tree);
	err = names_join(dir, comp, c->cfg.delim, obj);
	if (!err)
		err = isdir ? core_lookup_dir(c, obj, e)
			    : core_lookup_file(c, obj, e);
	pthread_rwlock_unlock(&c->tree);
	return err;
}
