/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * The FUSE glue for names and directories: lookup, mkdir, rmdir, rename,
 * and listings, each a call into the core (src/core/dirops.c).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "index.h"
#include "ops.h"
#include "ops_i.h"

void pshmfs_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct pshmfs *fs = fs_of(req);
	struct core_entry e;
	int err;

	TRACE_NODE(fs, "lookup", node_of(fs, parent), " name '%s'", name);
	err = core_lookup(&fs->core, node_of(fs, parent), name, &e);
	/* "Not there" is cached like a name (node id 0) while the watch
	 * thread drops it when another program makes the name. */
	if (err == ENOENT && fs->watching && fs->o.entry_timeout > 0)
		err = 0;
	if (err)
		reply_err(req, err);
	else
		reply_entry(req, &e);
}

void pshmfs_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name,
		  mode_t mode)
{
	struct pshmfs *fs = fs_of(req);
	struct caller who = caller_of(req, false, NULL, 0);
	struct core_entry e;
	int err;

	TRACE_NODE(fs, "mkdir", node_of(fs, parent), " name '%s' mode 0%o", name,
		   mode);
	err = core_mkdir(&fs->core, &who, node_of(fs, parent), name, mode, &e);
	if (err)
		reply_err(req, err);
	else
		reply_entry(req, &e);
}

void pshmfs_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct pshmfs *fs = fs_of(req);
	struct caller who = caller_of(req, false, NULL, 0);

	TRACE_NODE(fs, "rmdir", node_of(fs, parent), " name '%s'", name);
	reply_err(req, core_rmdir(&fs->core, &who, node_of(fs, parent), name));
}

void pshmfs_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
		   fuse_ino_t newparent, const char *newname, unsigned int flags)
{
	struct pshmfs *fs = fs_of(req);
	gid_t groups[64];
	/* The groups, for the rule that a directory moved to another
	 * parent needs write permission on itself. */
	struct caller who = caller_of(req, parent != newparent, groups, 64);
	objname_t to;

	TRACE_NODE(fs, "rename", node_of(fs, parent), " name '%s' -> '%s' in '%s' flags 0x%x",
		   name, newname, traced_name(fs, node_of(fs, newparent), to),
		   flags);
	reply_err(req, core_rename(&fs->core, &who, node_of(fs, parent), name,
				   node_of(fs, newparent), newname, flags));
}

/* An open directory: its entries as they were at opendir, or at the last
 * read from the start. */
struct dirhandle {
	objname_t dir;
	struct ilist l;
	uint64_t changes; /* the index's count of changes at the listing */
};

void pshmfs_opendir(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct pshmfs *fs = fs_of(req);
	struct dirhandle *h = calloc(1, sizeof(*h));
	int err;

	TRACE_NODE(fs, "opendir", node_of(fs, ino), "%s", "");
	if (h)
		h->changes = index_changes(fs->core.index);
	err = h ? core_list(&fs->core, node_of(fs, ino), h->dir, &h->l) : ENOMEM;
	if (err) {
		free(h);
		reply_err(req, err);
		return;
	}
	fi->fh = (uintptr_t)h;
	if (fuse_reply_open(req, fi)) {
		index_free(&h->l);
		free(h);
	}
}

/* Entry I of H (0 ".", 1 "..", then the list) in FE; its name. With
 * PLUS, look it up too: an entry that is gone or unnameable since the
 * listing gets no node, and the kernel skips the lookup part. */
static const char *entry_of(struct pshmfs *fs, struct dirhandle *h, size_t i,
			    bool plus, struct fuse_entry_param *fe)
{
	const struct ientry *ent = i >= 2 ? &h->l.ents[i - 2] : NULL;
	struct core_entry e;

	memset(fe, 0, sizeof(*fe));
	fe->attr.st_mode = ent && !ent->dir ? S_IFREG : S_IFDIR;
	fe->attr.st_ino = ent ? ent->ino : FUSE_ROOT_ID;
	if (!ent)
		return i == 0 ? "." : "..";
	if (plus && core_lookup_entry(&fs->core, h->dir, ent->name, ent->dir,
				      &e) == 0) {
		fill_entry(fs, &e, fe);
		told(fs, e.n, &e.st);
	}
	return ent->name;
}

/* Entry N did not fit in the reply: the kernel got neither the reference
 * nor the attributes that entry_of() counted as given. */
static void entry_unsent(struct pshmfs *fs, struct node *n)
{
	nodes_unseen(&fs->core.nodes, n);
	core_forget(&fs->core, n, 1);
}

/* A read from the start (the first, or after rewinddir): the directory as
 * it is now, as POSIX and tmpfs have it, under the node's name now (it
 * may have been renamed since), if anything changed since the listing. A
 * directory that is gone lists empty; on another failure the listing
 * before stays. */
static void relist(struct pshmfs *fs, fuse_ino_t ino, struct dirhandle *h)
{
	uint64_t changes = index_changes(fs->core.index);
	struct ilist l;
	objname_t dir;
	bool gone;
	int err;

	if (changes == h->changes)
		return;
	err = core_list(&fs->core, node_of(fs, ino), dir, &l);
	/* Removed (or, ESTALE, ended by another program): it lists empty,
	 * as a removed directory on tmpfs. A listing goes by descriptor:
	 * no path to walk again. */
	gone = err == ENOENT || err == ESTALE;
	if (gone)
		memset(&l, 0, sizeof(l));
	if (err && !gone)
		return;
	index_free(&h->l);
	h->l = l;
	h->changes = changes;
	if (!err)
		strcpy(h->dir, dir);
}

static void readdir_common(fuse_req_t req, fuse_ino_t ino, size_t size,
			   off_t off, struct fuse_file_info *fi, bool plus)
{
	struct pshmfs *fs = fs_of(req);
	struct dirhandle *h = (struct dirhandle *)(uintptr_t)fi->fh;
	struct fuse_entry_param e;
	char *buf = malloc(size);
	size_t used = 0, len;
	const char *name;

	if (!buf) {
		reply_err(req, ENOMEM);
		return;
	}
	if (off == 0)
		relist(fs, ino, h);
	for (size_t i = (size_t)off; i < h->l.n + 2; i++) {
		name = entry_of(fs, h, i, plus, &e);
		len = plus ? fuse_add_direntry_plus(req, buf + used, size - used,
						    name, &e, i + 1)
			   : fuse_add_direntry(req, buf + used, size - used,
					       name, &e.attr, i + 1);
		if (len > size - used) {
			if (e.ino)
				entry_unsent(fs, node_of(fs, e.ino));
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
	struct pshmfs *fs = fs_of(req);

	TRACE_NODE(fs, "readdir", node_of(fs, ino), " off %jd", (intmax_t)off);
	readdir_common(req, ino, size, off, fi, false);
}

void pshmfs_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size,
			off_t off, struct fuse_file_info *fi)
{
	struct pshmfs *fs = fs_of(req);

	TRACE_NODE(fs, "readdirplus", node_of(fs, ino), " off %jd",
		   (intmax_t)off);
	readdir_common(req, ino, size, off, fi, true);
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
