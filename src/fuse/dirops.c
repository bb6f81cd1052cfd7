/** @file
 * Names and directories: lookup, mkdir, rmdir, rename, and listings.
 *
 * The flat shm namespace folds into a tree at the delimiter D: the file
 * a/b/c is the object /Pa:b:c, and a directory is known by its children's
 * prefix "Pa:b:", which is also the name of its marker object, made by
 * mkdir to carry the directory's mode, owner and times. A directory with
 * objects below it and no marker exists implicitly and looks like the
 * root. Whether a directory exists and what it holds comes from the index
 * (index.c), never from a scan of the shm directory.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "index.h"
#include "ops.h"
#include "ops_i.h"

/* What tmpfs shows as a directory's size: 20 bytes an entry. */
#define DIRENT_BYTES 20

int node_name(struct pshmfs *fs, fuse_ino_t ino, objname_t out, bool *dir)
{
	struct node *n = node_of(ino);
	int err = 0;

	if (ino == FUSE_ROOT_ID) {
		strcpy(out, fs->o.prefix);
		*dir = true;
		return 0;
	}
	pthread_mutex_lock(&fs->nodes.lock);
	*dir = n->dir;
	if (n->name)
		strcpy(out, n->name);
	else
		err = ENOENT;
	pthread_mutex_unlock(&fs->nodes.lock);
	return err;
}

int child_name(struct pshmfs *fs, fuse_ino_t parent, const char *name,
	       objname_t out)
{
	objname_t dir;
	bool is_dir;
	int err = node_name(fs, parent, dir, &is_dir);

	if (!err && !is_dir)
		err = ENOTDIR;
	return err ? err : names_join(dir, name, fs->o.delim, out);
}

/* The directory prefix of the object name OBJ: OBJ and the delimiter. */
static int dir_of(struct pshmfs *fs, const char *obj, objname_t dir)
{
	size_t len = strlen(obj);

	if (len + 1 > SHM_NAME_MAX)
		return ENAMETOOLONG;
	memcpy(dir, obj, len);
	dir[len] = fs->o.delim;
	dir[len + 1] = '\0';
	return 0;
}

void new_group(struct pshmfs *fs, const char *obj, gid_t *gid, bool *sgid)
{
	size_t plen = strlen(fs->o.prefix);
	const char *last = fs->o.delim ? strrchr(obj + plen, fs->o.delim) : NULL;
	objname_t dir;
	struct stat st;

	*sgid = false;
	if (!last) {
		/* The root: what the options say. */
		st.st_mode = fs->o.root_mode;
		st.st_gid = fs->o.gid;
	} else {
		memcpy(dir, obj, (size_t)(last + 1 - obj));
		dir[last + 1 - obj] = '\0';
		if (dir_stat(fs, dir, &st))
			return;
	}
	if (st.st_mode & S_ISGID) {
		*gid = st.st_gid;
		*sgid = true;
	}
}

int dir_stat(struct pshmfs *fs, const char *dir, struct stat *st)
{
	bool root = strcmp(dir, fs->o.prefix) == 0;
	struct dirinfo info;

	index_dir(fs->index, dir, &info);
	if (!info.exists)
		return ENOENT;
	if (root || !info.marker || shmobj_stat(fs->dirfd, dir, st)) {
		/* The root, or implicit: like the root, /dev/shm's times. */
		if (fstat(fs->dirfd, st))
			memset(st, 0, sizeof(*st));
		st->st_mode = fs->o.root_mode;
		st->st_uid = fs->o.uid;
		st->st_gid = fs->o.gid;
	}
	st->st_mode = S_IFDIR | (st->st_mode & 07777);
	st->st_ino = root ? FUSE_ROOT_ID : nodes_dir_ino(dir);
	st->st_nlink = 2 + info.nsubdirs;
	st->st_size = (off_t)(2 + info.nchildren) * DIRENT_BYTES;
	st->st_blocks = 0;
	return 0;
}

int dir_marker_fd(struct pshmfs *fs, const char *dir, int *fd)
{
	struct stat st;
	int err;

	err = shmobj_path_open(fs->dirfd, dir, fd, &st);
	if (err == ENOENT) {
		/* Implicit until now: a marker with the root's looks. */
		err = create_counted(fs, dir, fs->o.root_mode, fs->o.uid,
				     fs->o.gid, fd, &st);
		if (err && err != EEXIST)
			return err;
		if (!err)
			close(*fd);
		err = shmobj_path_open(fs->dirfd, dir, fd, &st);
	}
	return err;
}

/* Find the directory whose object name is OBJ, and reference its node. */
static int lookup_dir(struct pshmfs *fs, const char *obj,
		      struct fuse_entry_param *e)
{
	objname_t dir;
	struct stat st;
	struct node *n;
	int err = dir_of(fs, obj, dir);

	if (!err)
		err = dir_stat(fs, dir, &st);
	if (err)
		return err == ENAMETOOLONG ? ENOENT : err;
	pthread_mutex_lock(&fs->nodes.lock);
	n = nodes_get_dir(&fs->nodes, dir);
	pthread_mutex_unlock(&fs->nodes.lock);
	if (!n)
		return ENOMEM;
	fill_entry(fs, n, dir, &st, e);
	return 0;
}

/* A file wins over a directory of the same name. */
static int lookup_any(struct pshmfs *fs, const char *obj,
		      struct fuse_entry_param *e)
{
	int err = lookup_name(fs, obj, e);

	if (err == ENOENT && fs->o.delim)
		err = lookup_dir(fs, obj, e);
	return err;
}

void pshmfs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct pshmfs *fs = fs_of(req);
	struct fuse_entry_param e;
	objname_t obj;
	bool named;
	int err;

	TRACE(fs, "lookup: parent %" PRIu64 " name '%s'\n", parent, name);
	err = child_name(fs, parent, name, obj);
	named = !err;
	/* A name that cannot exist is simply not there. */
	if (err == EINVAL)
		err = ENOENT;
	if (!err)
		err = lookup_any(fs, obj, &e);
	if (err == ENOENT && fs->watching && fs->o.entry_timeout > 0) {
		/* "Not there" is cached like a name (node id 0); watch.c
		 * drops it when another program makes the name. */
		memset(&e, 0, sizeof(e));
		e.entry_timeout = named ? watch_entry_timeout(fs, obj)
					: fs->o.entry_timeout;
		err = 0;
	}
	if (err)
		fuse_reply_err(req, err);
	else
		fuse_reply_entry(req, &e);
}

void pshmfs_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name,
		  mode_t mode)
{
	struct pshmfs *fs = fs_of(req);
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	struct fuse_entry_param e;
	struct dirinfo info;
	objname_t obj, dir;
	struct stat st;
	bool sgid;
	gid_t gid;
	int fd, err;

	TRACE(fs, "mkdir: parent %" PRIu64 " name '%s' mode 0%o\n", parent,
	      name, mode);
	/* A flat namespace holds no directories. */
	err = fs->o.delim ? child_name(fs, parent, name, obj) : EPERM;
	if (!err)
		err = dir_of(fs, obj, dir);
	if (!err && shmobj_stat(fs->dirfd, obj, &st) == 0)
		err = EEXIST;
	if (!err) {
		index_dir(fs->index, dir, &info);
		err = info.exists ? EEXIST : 0;
	}
	if (!err) {
		gid = ctx->gid;
		new_group(fs, obj, &gid, &sgid);
		err = create_counted(fs, dir, (mode & 07777) | (sgid ? S_ISGID : 0),
				     ctx->uid, gid, &fd, &st);
	}
	if (!err) {
		close(fd);
		err = lookup_dir(fs, obj, &e);
	}
	if (err)
		fuse_reply_err(req, err);
	else if (fuse_reply_entry(req, &e))
		nodes_forget(&fs->nodes, node_of(e.ino), 1);
}

void pshmfs_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct pshmfs *fs = fs_of(req);
	struct dirinfo info = { .exists = false };
	objname_t obj, dir;
	struct fsids ids;
	struct stat st;
	int err;

	TRACE(fs, "rmdir: parent %" PRIu64 " name '%s'\n", parent, name);
	err = child_name(fs, parent, name, obj);
	if (err == EINVAL)
		err = ENOENT;
	if (!err && fs->o.delim && !dir_of(fs, obj, dir))
		index_dir(fs->index, dir, &info);
	if (!err && !info.exists)
		err = shmobj_stat(fs->dirfd, obj, &st) == 0 ? ENOTDIR : ENOENT;
	if (!err && info.nchildren)
		err = ENOTEMPTY;
	ids = as_caller(fs, req);
	if (!err && info.marker && unlinkat(fs->dirfd, dir, 0) &&
	    errno != ENOENT)
		err = errno;
	as_daemon(ids);
	if (!err) {
		pthread_mutex_lock(&fs->nodes.lock);
		nodes_rename_dir(&fs->nodes, dir, NULL);
		pthread_mutex_unlock(&fs->nodes.lock);
	}
	fuse_reply_err(req, err);
}

/* After a rename of FROM (object SRC) onto TO (object DST, if any). */
static int rename_nodes(struct pshmfs *fs, const struct stat *src,
			const struct stat *dst, const char *from,
			const char *to, unsigned flags)
{
	int err;

	pthread_mutex_lock(&fs->nodes.lock);
	if (dst && dst->st_ino != src->st_ino)
		nodes_rename(&fs->nodes, dst->st_ino,
			     flags & RENAME_EXCHANGE ? from : NULL);
	err = nodes_rename(&fs->nodes, src->st_ino, to);
	pthread_mutex_unlock(&fs->nodes.lock);
	return err;
}

/* One object: atomic, as renameat2 is. */
static int rename_file(struct pshmfs *fs, const char *from, const struct stat *src,
		       const char *to, unsigned flags)
{
	struct stat dst;
	bool have_dst = shmobj_stat(fs->dirfd, to, &dst) == 0;

	/* What is not an object there (a symlink or FIFO someone planted, or
	 * an object made since the kernel looked) is not ours to replace. */
	if (!have_dst && !(flags & RENAME_EXCHANGE))
		flags |= RENAME_NOREPLACE;
	if (renameat2(fs->dirfd, from, fs->dirfd, to, flags))
		return errno;
	return rename_nodes(fs, src, have_dst ? &dst : NULL, from, to, flags);
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

/* Move the objects of L from FROM to TO, one by one; put back the ones
 * moved if one fails, so a failed rename leaves the tree as it was. */
static int move_objects(struct pshmfs *fs, const struct ilist *l,
			const char *from, const char *to)
{
	objname_t dst;
	size_t i, j;
	int err = 0;

	for (i = 0; i < l->n && !err; i++)
		err = moved_name(l->ents[i].name, from, to, dst);
	for (i = 0; i < l->n && !err; i++) {
		moved_name(l->ents[i].name, from, to, dst);
		if (renameat2(fs->dirfd, l->ents[i].name, fs->dirfd, dst,
			      RENAME_NOREPLACE))
			err = errno == ENOENT ? 0 : errno;
	}
	for (j = 0; err && j + 1 < i; j++) {
		moved_name(l->ents[j].name, from, to, dst);
		renameat2(fs->dirfd, dst, fs->dirfd, l->ents[j].name,
			  RENAME_NOREPLACE);
	}
	return err;
}

/* A directory: every object below it, one by one (not atomic). */
static int rename_dir(struct pshmfs *fs, const char *from, const char *to,
		      unsigned flags)
{
	struct dirinfo target;
	struct ilist l;
	int err;

	index_dir(fs->index, to, &target);
	if (target.exists && (flags & RENAME_NOREPLACE))
		return EEXIST;
	if (target.nchildren)
		return ENOTEMPTY;
	err = index_below(fs->index, from, &l);
	if (err)
		return err;
	if (target.marker && unlinkat(fs->dirfd, to, 0) && errno != ENOENT)
		err = errno;
	if (!err)
		err = move_objects(fs, &l, from, to);
	index_free(&l);
	if (!err) {
		pthread_mutex_lock(&fs->nodes.lock);
		err = nodes_rename_dir(&fs->nodes, from, to);
		pthread_mutex_unlock(&fs->nodes.lock);
	}
	return err;
}

/* RENAME_EXCHANGE of two directories: A to a name beside it, B to A, that
 * name to B; each step is undone if a later one fails. Not atomic: between
 * the steps, other programs see the trees on their way. */
static int exchange_dirs(struct pshmfs *fs, const char *a, const char *b)
{
	static const char aside[] = ".~pshmfs-exchange";
	size_t alen = strlen(a);
	objname_t tmp;
	int err;

	if (alen + sizeof(aside) > SHM_NAME_MAX)
		return ENAMETOOLONG;
	memcpy(tmp, a, alen - 1);
	memcpy(tmp + alen - 1, aside, sizeof(aside) - 1);
	tmp[alen - 1 + sizeof(aside) - 1] = fs->o.delim;
	tmp[alen + sizeof(aside) - 1] = '\0';
	err = rename_dir(fs, a, tmp, RENAME_NOREPLACE);
	if (err)
		return err;
	err = rename_dir(fs, b, a, RENAME_NOREPLACE);
	if (err) {
		rename_dir(fs, tmp, a, RENAME_NOREPLACE);
		return err;
	}
	err = rename_dir(fs, tmp, b, RENAME_NOREPLACE);
	if (err) {
		rename_dir(fs, a, b, RENAME_NOREPLACE);
		rename_dir(fs, tmp, a, RENAME_NOREPLACE);
	}
	return err;
}

void pshmfs_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
		   fuse_ino_t newparent, const char *newname, unsigned int flags)
{
	struct pshmfs *fs = fs_of(req);
	objname_t from, to, fromdir, todir;
	struct dirinfo info = { .exists = false };
	struct fsids ids;
	struct stat src;
	int err;

	TRACE(fs, "rename: %" PRIu64 " '%s' -> %" PRIu64 " '%s' flags 0x%x\n",
	      parent, name, newparent, newname, flags);
	err = child_name(fs, parent, name, from);
	if (err == EINVAL)
		err = ENOENT;
	if (!err)
		err = child_name(fs, newparent, newname, to);
	if (!err && (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE)))
		err = EINVAL;
	ids = as_caller(fs, req);
	if (!err && shmobj_stat(fs->dirfd, from, &src) == 0) {
		err = rename_file(fs, from, &src, to, flags);
	} else if (!err) {
		if (fs->o.delim && !dir_of(fs, from, fromdir))
			index_dir(fs->index, fromdir, &info);
		err = !info.exists ? ENOENT : dir_of(fs, to, todir);
		if (!err)
			err = flags & RENAME_EXCHANGE
				      ? exchange_dirs(fs, fromdir, todir)
				      : rename_dir(fs, fromdir, todir, flags);
	}
	as_daemon(ids);
	fuse_reply_err(req, err);
}

/* An open directory: its entries as they were at opendir. */
struct dirhandle {
	objname_t dir;
	struct ilist l;
};

void pshmfs_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct pshmfs *fs = fs_of(req);
	struct dirhandle *h = calloc(1, sizeof(*h));
	bool is_dir;
	int err;

	TRACE(fs, "opendir: ino %" PRIu64 "\n", ino);
	err = h ? node_name(fs, ino, h->dir, &is_dir) : ENOMEM;
	if (!err && !is_dir)
		err = ENOTDIR;
	if (!err)
		err = index_list(fs->index, h->dir, &h->l);
	if (err) {
		free(h);
		fuse_reply_err(req, err);
		return;
	}
	fi->fh = (uintptr_t)h;
	if (fuse_reply_open(req, fi)) {
		index_free(&h->l);
		free(h);
	}
}

/* Entry I of H (0 ".", 1 "..", then the list) in E; its name. With
 * PLUS, look it up too: an entry that is gone or unnameable since the
 * listing gets no node, and the kernel skips the lookup part. */
static const char *entry_of(struct pshmfs *fs, struct dirhandle *h, size_t i,
			    bool plus, struct fuse_entry_param *e)
{
	const struct ientry *ent = i >= 2 ? &h->l.ents[i - 2] : NULL;
	objname_t obj, dir;
	int err;

	memset(e, 0, sizeof(*e));
	e->attr.st_mode = ent && !ent->dir ? S_IFREG : S_IFDIR;
	e->attr.st_ino = ent ? ent->ino : FUSE_ROOT_ID;
	if (!ent)
		return i == 0 ? "." : "..";
	err = names_join(h->dir, ent->name, fs->o.delim, obj);
	if (!err && ent->dir && !dir_of(fs, obj, dir))
		e->attr.st_ino = nodes_dir_ino(dir);
	if (plus && !err &&
	    (ent->dir ? lookup_dir(fs, obj, e) : lookup_name(fs, obj, e)))
		e->ino = 0;
	return ent->name;
}

/* Entry N did not fit in the reply: the kernel got neither the reference
 * nor the attributes that lookup_name() counted as given. */
static void entry_unsent(struct pshmfs *fs, struct node *n)
{
	pthread_mutex_lock(&fs->nodes.lock);
	node_unseen(n);
	pthread_mutex_unlock(&fs->nodes.lock);
	nodes_forget(&fs->nodes, n, 1);
}

static void readdir_common(fuse_req_t req, size_t size, off_t off,
			   struct fuse_file_info *fi, bool plus)
{
	struct pshmfs *fs = fs_of(req);
	struct dirhandle *h = (struct dirhandle *)(uintptr_t)fi->fh;
	struct fuse_entry_param e;
	char *buf = malloc(size);
	size_t used = 0, len;
	const char *name;

	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	for (size_t i = (size_t)off; i < h->l.n + 2; i++) {
		name = entry_of(fs, h, i, plus, &e);
		len = plus ? fuse_add_direntry_plus(req, buf + used, size - used,
						    name, &e, i + 1)
			   : fuse_add_direntry(req, buf + used, size - used,
					       name, &e.attr, i + 1);
		if (len > size - used) {
			if (e.ino)
				entry_unsent(fs, node_of(e.ino));
			break;
		}
		used += len;
	}
	fuse_reply_buf(req, buf, used);
	free(buf);
}

void pshmfs_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	TRACE(fs_of(req), "readdir: ino %" PRIu64 " off %jd\n", ino,
	      (intmax_t)off);
	readdir_common(req, size, off, fi, false);
}

void pshmfs_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size,
			off_t off, struct fuse_file_info *fi)
{
	TRACE(fs_of(req), "readdirplus: ino %" PRIu64 " off %jd\n", ino,
	      (intmax_t)off);
	readdir_common(req, size, off, fi, true);
}

void pshmfs_releasedir(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi)
{
	struct dirhandle *h = (struct dirhandle *)(uintptr_t)fi->fh;

	(void)ino;
	index_free(&h->l);
	free(h);
	fuse_reply_err(req, 0);
}
