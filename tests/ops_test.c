/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * Unit tests of the core's operations (src/core/fileops.c, dirops.c,
 * core.c, coherence.c), without a mount or /dev/fuse: each core_<op>()
 * with its errnos, the node identities they give, what other programs'
 * changes retire and invalidate (and that ours do not), directory times.
 * The permission and sticky rules are in rules_test.c.
 */
#include "config.h"

#include <errno.h>

#include "core_test.h"
#include "index.h"
#include "shared.h"

static struct core c;
static struct caller me;
static struct node *root;

#define SYNC() core_sync(&c)

static void test_files(void)
{
	struct core_entry e, e2;
	struct stat st;

	is_int(core_lookup(&c, root, "f", &e), ENOENT, "lookup: a missing file");
	ok(e.n == NULL, "lookup: no node");
	is_int(core_create(&c, &me, root, "f", 0640, O_EXCL, true, &e), 0, "create");
	ok(e.n && !e.n->dir, "create: a file node");
	is_int(e.st.st_mode & 07777, 0640, "create: the mode asked for");
	ok(shmobj_stat(c.dirfd, obj("f"), &st) == 0 && st.st_ino == e.n->id,
	   "create: the object, its node's identity its st_ino");
	is_int(core_create(&c, &me, root, "f", 0640, O_EXCL, true, &e2), EEXIST,
	       "create O_EXCL of a name there: EEXIST");
	is_int(core_create(&c, &me, root, "f", 0600, 0, true, &e2), 0,
	       "create without O_EXCL of a name there: opens it");
	ok(e2.n == e.n, "create without O_EXCL: the same node");
	core_release(&c, e2.n);
	core_forget(&c, e2.n, 1);
	is_int(core_lookup(&c, root, "f", &e2), 0, "lookup: found");
	ok(e2.n == e.n, "lookup: the same node");
	is_int((long long)e.n->nlookup, 2, "lookup: another reference");
	core_forget(&c, e2.n, 1);
	is_int(core_getattr(&c, e.n, &st), 0, "getattr: open, by its descriptor");
	is_int(core_unlink(&c, &me, root, "f"), 0, "unlink");
	ok(e.n->name == NULL, "unlink: the node loses its name");
	is_int(core_getattr(&c, e.n, &st), 0, "getattr: removed but open: works");
	core_release(&c, e.n);
	is_int(core_getattr(&c, e.n, &st), ENOENT, "getattr: removed and closed: ENOENT");
	core_forget(&c, e.n, 1);
	is_int(core_unlink(&c, &me, root, "f"), ENOENT, "unlink of a missing name: ENOENT");
	is_int(core_unlink(&c, &me, root, "a:b"), ENOENT,
	       "unlink of a name that cannot be: ENOENT");
	is_int(core_lookup(&c, root, "a:b", &e), ENOENT, "lookup of such a name: ENOENT");
	is_int(core_create(&c, &me, root, "a:b", 0600, 0, true, &e), EINVAL,
	       "create of a name holding the delimiter: EINVAL");
	is_int(core_create(&c, &me, root, "..", 0600, 0, true, &e), EINVAL,
	       "create of '..': EINVAL");
	{
		char longname[300];

		memset(longname, 'l', sizeof(longname) - 1);
		longname[SHM_NAME_MAX - strlen(P) + 1] = '\0';
		is_int(core_create(&c, &me, root, longname, 0600, 0, true, &e),
		       ENAMETOOLONG, "create past 255 bytes with the prefix: ENAMETOOLONG");
		longname[SHM_NAME_MAX - strlen(P)] = '\0';
		is_int(core_create(&c, &me, root, longname, 0600, 0, false, &e), 0,
		       "create of exactly 255 bytes with the prefix");
		core_forget(&c, e.n, 1);
		is_int(core_unlink(&c, &me, root, longname), 0, "and unlink of it");
	}
}

static void test_io_and_attrs(void)
{
	struct core_entry e;
	struct stat attr = { 0 }, st;
	size_t done;
	char buf[8];

	core_create(&c, &me, root, "io", 0600, O_EXCL, true, &e);
	is_int(core_write(&c, e.n, "hello", 5, 0, &done), 0, "write");
	is_int((long long)done, 5, "write: all of it");
	ok(pread(e.n->obj->fd, buf, 5, 0) == 5 && memcmp(buf, "hello", 5) == 0,
	   "write: in the object");
	attr.st_size = 2;
	is_int(core_setattr(&c, &me, e.n, &attr, CORE_SET_SIZE, &st), 0, "setattr: truncate");
	is_int(st.st_size, 2, "setattr: the new size returned");
	attr.st_mode = 0604;
	is_int(core_setattr(&c, &me, e.n, &attr, CORE_SET_MODE, &st), 0, "setattr: chmod");
	is_int(st.st_mode & 07777, 0604, "setattr: the new mode");
	attr.st_mtim.tv_sec = 1000000000;
	is_int(core_setattr(&c, &me, e.n, &attr, CORE_SET_MTIME, &st), 0, "setattr: mtime");
	is_int(st.st_mtim.tv_sec, 1000000000, "setattr: the new mtime");
	is_int(core_fallocate(&c, e.n, 0, 0, 8192), 0, "fallocate");
	is_int(core_fsync(&c, e.n, true), 0, "fdatasync");
	is_int(core_open_node(&c, e.n, O_TRUNC), 0, "open with O_TRUNC");
	fstat(e.n->obj->fd, &st);
	is_int(st.st_size, 0, "open O_TRUNC: empty");
	core_release(&c, e.n);
	core_release(&c, e.n);
	is_int(core_setattr(&c, &me, root, &attr, CORE_SET_MODE, &st), EPERM,
	       "setattr of the root: EPERM");
	core_unlink(&c, &me, root, "io");
	is_int(core_setattr(&c, &me, e.n, &attr, CORE_SET_MODE, &st), ENOENT,
	       "setattr of a removed file: its own ENOENT");
	is_int(core_open_node(&c, e.n, 0), ENOENT, "open of a removed file: ENOENT");
	core_forget(&c, e.n, 1);
}

static void test_dirs(void)
{
	struct core_entry e, d, f;
	struct stat st, mst;
	struct dirinfo info;

	is_int(core_mkdir(&c, &me, root, "d", 0750, &d), 0, "mkdir");
	ok(d.n && d.n->dir, "mkdir: a directory node");
	ok(shmobj_stat(c.dirfd, obj("d:"), &mst) == 0 && mst.st_size == 0,
	   "mkdir: an empty marker object");
	ok(d.n->id == mst.st_ino && d.st.st_ino == mst.st_ino,
	   "mkdir: its identity and st_ino are the marker's");
	is_int(d.st.st_mode, S_IFDIR | 0750, "mkdir: the mode asked for");
	is_int(core_mkdir(&c, &me, root, "d", 0750, &e), EEXIST, "mkdir again: EEXIST");
	core_create(&c, &me, root, "file", 0600, O_EXCL, false, &f);
	is_int(core_mkdir(&c, &me, root, "file", 0750, &e), EEXIST, "mkdir over a file: EEXIST");
	is_int(core_mkdir(&c, &me, f.n, "x", 0750, &e), ENOTDIR, "mkdir under a file: ENOTDIR");
	is_int(core_lookup(&c, root, "d", &e), 0, "lookup of the directory");
	ok(e.n == d.n, "lookup: the same node");
	core_forget(&c, e.n, 1);
	is_int(core_create(&c, &me, d.n, "in", 0600, O_EXCL, false, &e), 0, "create in it");
	ok(shmobj_stat(c.dirfd, obj("d:in"), &st) == 0, "create in it: the object P d:in");
	core_getattr(&c, d.n, &st);
	is_int(st.st_nlink, 2, "a directory's nlink");
	is_int(st.st_size, 3 * 20, "a directory's size: 20 bytes an entry");
	is_int(core_rmdir(&c, &me, root, "d"), ENOTEMPTY, "rmdir of a non-empty one: ENOTEMPTY");
	is_int(core_rmdir(&c, &me, root, "file"), ENOTDIR, "rmdir of a file: ENOTDIR");
	is_int(core_rmdir(&c, &me, root, "none"), ENOENT, "rmdir of a missing one: ENOENT");
	is_int(core_rmdir(&c, &me, root, "x:y"), ENOENT, "rmdir of a name that cannot be: ENOENT");
	core_unlink(&c, &me, d.n, "in");
	core_forget(&c, e.n, 1);
	is_int(core_rmdir(&c, &me, root, "d"), 0, "rmdir");
	ok(d.n->retired, "rmdir: the node is retired");
	is_int(core_getattr(&c, d.n, &st), ENOENT, "a retired directory: getattr ENOENT");
	is_int(core_create(&c, &me, d.n, "z", 0600, 0, false, &e), ENOENT,
	       "a retired directory: create in it ENOENT");
	is_int(core_mkdir(&c, &me, root, "d", 0700, &e), 0, "mkdir of the name again");
	ok(e.n != d.n && e.n->gen != d.n->gen, "a new node, a new generation");
	core_forget(&c, e.n, 1);
	core_rmdir(&c, &me, root, "d");
	core_forget(&c, d.n, 1);
	core_unlink(&c, &me, root, "file");
	core_forget(&c, f.n, 1);
	index_dir(c.index, obj("d:"), &info);
	ok(!info.exists, "all gone");
}

static void test_implicit(void)
{
	struct core_entry d, e;
	struct stat st, attr = { .st_mode = 0711 };
	uint64_t id;

	outside_make(c.dirfd, "imp:x");
	is_int(core_lookup(&c, root, "imp", &d), 0, "an implicit directory: lookup");
	ok(d.n->dir && (d.n->id >> 63), "implicit: a directory node with a serial id");
	is_int(d.st.st_mode, S_IFDIR | 01777, "implicit: looks like the root");
	id = d.n->id;
	is_int(core_setattr(&c, &me, d.n, &attr, CORE_SET_MODE, &st), 0,
	       "implicit: chmod makes a marker");
	ok(shmobj_stat(c.dirfd, obj("imp:"), &st) == 0 && (st.st_mode & 07777) == 0711,
	   "implicit: the marker has the mode");
	ok(d.n->id == st.st_ino && d.n->id != id, "implicit: the node took the marker's identity");
	SYNC();
	ok(!d.n->retired, "implicit: our own marker does not retire it");
	is_int(core_lookup(&c, root, "imp", &e), 0, "implicit: lookup again");
	ok(e.n == d.n, "implicit: the same node");
	core_forget(&c, e.n, 1);
	outside_rm(c.dirfd, "imp:");
	SYNC();
	ok(d.n->retired, "another program removes the marker: retired");
	is_int(core_lookup(&c, root, "imp", &e), 0, "still there, implicit");
	ok(e.n != d.n, "another node");
	outside_rm(c.dirfd, "imp:x");
	SYNC();
	ok(e.n->retired, "its last object removed elsewhere: retired");
	is_int(core_lookup(&c, root, "imp", &d), ENOENT, "gone");
	core_forget(&c, e.n, 1);
}

static void test_rename(void)
{
	struct core_entry a, b, x, keep, g;
	struct stat st;
	char *was;

	core_create(&c, &me, root, "r1", 0600, O_EXCL, false, &a);
	core_create(&c, &me, root, "r2", 0600, O_EXCL, false, &b);
	is_int(core_rename(&c, &me, root, "r1", root, "r3", 0), 0, "rename of a file");
	is_str(a.n->name, obj("r3"), "rename: the node follows");
	is_int(core_rename(&c, &me, root, "r3", root, "r2", RENAME_NOREPLACE), EEXIST,
	       "rename NOREPLACE onto a file: EEXIST");
	is_int(core_rename(&c, &me, root, "r3", root, "r2", RENAME_EXCHANGE), 0,
	       "rename EXCHANGE");
	is_str(a.n->name, obj("r2"), "exchange: one way");
	is_str(b.n->name, obj("r3"), "exchange: the other");
	is_int(core_rename(&c, &me, root, "r3", root, "r2", 0), 0, "rename over a file");
	ok(a.n->name == NULL, "rename over: the replaced file's node lost its name");
	is_int(core_rename(&c, &me, root, "none", root, "r9", 0), ENOENT,
	       "rename of a missing name: ENOENT");
	is_int(core_rename(&c, &me, root, "r2", root, "r9", 0x80), EINVAL,
	       "rename with unknown flags: EINVAL");
	is_int(core_rename(&c, &me, root, "r2", root, "q:r", 0), EINVAL,
	       "rename to a name holding the delimiter: EINVAL");
	core_forget(&c, a.n, 1);
	/* Directories: b over x, x held. */
	core_mkdir(&c, &me, root, "x", 0700, &x);
	core_mkdir(&c, &me, root, "b", 0750, &g);
	core_create(&c, &me, g.n, "keep", 0600, O_EXCL, false, &keep);
	is_int(core_rename(&c, &me, root, "b", root, "r2", 0), ENOTDIR,
	       "rename of a directory onto a file: ENOTDIR");
	is_int(core_rename(&c, &me, root, "b", root, "x", RENAME_NOREPLACE), EEXIST,
	       "rename of a directory NOREPLACE onto one: EEXIST");
	is_int(core_rename(&c, &me, root, "x", root, "b", 0), ENOTEMPTY,
	       "rename onto a non-empty directory: ENOTEMPTY");
	/* The kernel renames a name onto itself without asking: asked, it
	 * holds a stale node for one of the two. */
	is_int(core_rename(&c, &me, root, "b", root, "b", 0), ESTALE,
	       "rename of a directory onto its own name: ESTALE");
	is_int(core_rename(&c, &me, root, "r2", root, "r2", 0), ESTALE,
	       "rename of a file onto its own name: ESTALE");
	is_int(core_rename(&c, &me, root, "none", root, "none", 0), ENOENT,
	       "rename of a missing name onto itself: ENOENT");
	ok(shmobj_stat(c.dirfd, obj("b:"), &st) == 0,
	   "a failed rename leaves the target's marker");
	is_int(core_rename(&c, &me, root, "b", root, "x", 0), 0,
	       "rename of a directory over an empty one");
	ok(x.n->retired, "rename over: the replaced directory is retired");
	is_str(g.n->name, obj("x:"), "rename over: the moved node has the name");
	ok(g.n->id == st.st_ino, "rename over: and keeps its identity (its marker)");
	is_str(keep.n->name, obj("x:keep"), "rename over: the file inside follows");
	ok(shmobj_stat(c.dirfd, obj("x:keep"), &st) == 0, "rename over: the object moved");
	ok(shmobj_stat(c.dirfd, obj("b:"), &st) != 0, "rename over: nothing left under b");
	SYNC();
	ok(!g.n->retired, "rename over: our own events retire nothing");
	is_int(core_getattr(&c, g.n, &st), 0, "rename over: the moved directory answers");
	is_int(core_lookup(&c, g.n, "keep", &a), 0, "rename over: lookup inside it");
	ok(a.n == keep.n, "rename over: the same file node");
	core_forget(&c, a.n, 1);
	was = strdup(obj("x:"));
	is_int(core_rename(&c, &me, root, "x", root, "y", 0), 0, "rename of a directory");
	is_str(g.n->name, obj("y:"), "the directory node follows");
	ok(access(was, F_OK) != 0, "the old marker name is free");
	free(was);
	core_unlink(&c, &me, g.n, "keep");
	core_rmdir(&c, &me, root, "y");
	core_unlink(&c, &me, root, "r2");
	for (struct node *n[] = { b.n, x.n, g.n, keep.n }, **p = n; p < n + 4; p++)
		core_forget(&c, *p, 1);
}

static void test_coherence(void)
{
	struct core_entry d, f, e, f2;

	core_mkdir(&c, &me, root, "c", 0700, &d);
	core_told(&c, d.n, &d.st); /* as the reply does */
	SYNC();
	inval_log[0] = '\0';
	core_create(&c, &me, d.n, "mine", 0600, O_EXCL, false, &f);
	core_told(&c, f.n, &f.st);
	SYNC();
	is_str(inval_log, "inode c:",
	       "coherence: our own create: only its directory's attributes (times)");
	inval_log[0] = '\0';
	outside_make(c.dirfd, "c:theirs");
	SYNC();
	is_str(inval_log, "entry c: theirs", "coherence: another program's: its entry dropped");
	inval_log[0] = '\0';
	outside_make(c.dirfd, "new:deep:name");
	SYNC();
	is_str(inval_log, "entry / new", "coherence: a deep name: the outermost new directory's entry");
	inval_log[0] = '\0';
	fchmodat(c.dirfd, obj("c:mine"), 0644, 0);
	SYNC();
	is_str(inval_log, "inode c:mine", "coherence: another program's chmod: the attributes");
	inval_log[0] = '\0';
	outside_rm(c.dirfd, "c:");
	SYNC();
	/* The marker's inode watch sees its link count drop first. */
	is_str(inval_log, "inode c:, inode (none), entry / c",
	       "coherence: the marker removed: retired, its entry dropped");
	ok(d.n->retired, "coherence: the old directory is retired");
	{
		struct stat st;

		is_int(core_getattr(&c, d.n, &st), ESTALE,
		       "coherence: the first call on a directory another program ended: ESTALE (the kernel walks the path again)");
		is_int(core_getattr(&c, d.n, &st), ENOENT,
		       "coherence: then ENOENT (a held descriptor's retry, as on tmpfs)");
	}
	ok(core_churns(&c, obj("c:")), "coherence: a name removed lately churns");
	ok(!core_churns(&c, obj("never")), "coherence: another does not");
	inval_log[0] = '\0';
	is_int(core_lookup(&c, root, "c", &e), 0, "coherence: the directory is there, implicit");
	outside_make(c.dirfd, "c:");
	SYNC();
	ok(e.n->retired, "coherence: a marker made elsewhere: retired too");
	is_int(core_lookup(&c, e.n, "x", &f2), ESTALE,
	       "coherence: a lookup in it first: ESTALE");
	is_int(core_create(&c, &me, e.n, "x", 0600, 0, false, &f2), ENOENT,
	       "coherence: a create in it then: ENOENT");
	is_str(inval_log, "inode (none), entry / c", "coherence: and its entry dropped");
	core_forget(&c, e.n, 1);
	{
		/* A directory in a directory whose marker another program
		 * remakes: the same directory, in the new one, where the
		 * kernel must move it (looked up again from the watch). */
		struct core_entry p, q;

		core_mkdir(&c, &me, root, "p", 0700, &p);
		core_mkdir(&c, &me, p.n, "q", 0700, &q);
		SYNC();
		outside_rm(c.dirfd, "p:");
		inval_log[0] = '\0';
		SYNC();
		ok(p.n->retired && !q.n->retired,
		   "coherence: the remade one retires, the one inside does not");
		ok(strstr(inval_log, "relookup p/q") != NULL,
		   "coherence: the one inside is looked up again by its path");
		outside_make(c.dirfd, "p:");
		core_rmdir(&c, &me, root, "q"); /* not there: ENOENT */
		outside_rm(c.dirfd, "p:q:");
		outside_rm(c.dirfd, "p:");
		SYNC();
		core_forget(&c, p.n, 1);
		core_forget(&c, q.n, 1);
	}
	{
		/* A hard-linked file whose node's name another program
		 * removes: the node takes the other name, and follows it. */
		struct core_entry h, l;
		struct stat st;

		core_create(&c, &me, root, "hl", 0600, O_EXCL, false, &h);
		is_int(core_link(&c, &me, h.n, root, "hl2", &l), 0, "coherence: link");
		SYNC();
		outside_rm(c.dirfd, h.n->name + strlen(P));
		SYNC();
		ok(h.n->name && (!strcmp(h.n->name + strlen(P), "hl") ||
				 !strcmp(h.n->name + strlen(P), "hl2")) &&
			   shmobj_stat(c.dirfd, h.n->name, &st) == 0,
		   "coherence: another program removes the node's name: it takes the other");
		is_int(core_rename(&c, &me, root, h.n->name + strlen(P), root, "hl3", 0), 0,
		       "coherence: and a rename of that one");
		is_str(h.n->name ? h.n->name + strlen(P) : "(none)", "hl3",
		       "coherence: moves the node");
		is_int(core_getattr(&c, h.n, &st), 0, "coherence: which still works");
		core_forget(&c, l.n, 1);
		core_forget(&c, h.n, 1);
		outside_rm(c.dirfd, "hl3");
		SYNC();
		/* Its only name: the node keeps it, so an open by it finds
		 * the object gone, ESTALE, and the kernel looks again (a
		 * name another program churns: tests/shrink.sh). */
		core_create(&c, &me, root, "only", 0600, O_EXCL, false, &h);
		outside_rm(c.dirfd, "only");
		SYNC();
		is_str(h.n->name ? h.n->name + strlen(P) : "(none)", "only",
		       "coherence: another program removes a file's only name: the node keeps it");
		is_int(core_open_node(&c, h.n, O_RDONLY), ESTALE,
		       "coherence: an open of it: ESTALE (the kernel looks again)");
		core_forget(&c, h.n, 1);
	}
	core_forget(&c, d.n, 1);
	core_forget(&c, f.n, 1);
	outside_rm(c.dirfd, "c:");
	outside_rm(c.dirfd, "c:mine");
	outside_rm(c.dirfd, "c:theirs");
	outside_rm(c.dirfd, "new:deep:name");
	SYNC();
}

/* A's mtime, after sleeping past the clock's tick. */
static struct timespec mtime_of(struct node *n)
{
	struct stat st = { 0 };

	core_getattr(&c, n, &st);
	return st.st_mtim;
}

static bool later(struct timespec a, struct timespec b)
{
	return b.tv_sec > a.tv_sec || (b.tv_sec == a.tv_sec && b.tv_nsec > a.tv_nsec);
}

static void test_times(void)
{
	struct core_entry d, f;
	struct timespec t0, t1;

	core_mkdir(&c, &me, root, "t", 0700, &d);
	t0 = mtime_of(d.n);
	usleep(20000);
	core_create(&c, &me, d.n, "f", 0600, O_EXCL, false, &f);
	t1 = mtime_of(d.n);
	ok(later(t0, t1), "times: a create moves the directory's mtime");
	usleep(20000);
	core_unlink(&c, &me, d.n, "f");
	ok(later(t1, mtime_of(d.n)), "times: an unlink too");
	t0 = mtime_of(root);
	usleep(20000);
	core_rmdir(&c, &me, root, "t");
	ok(later(t0, mtime_of(root)), "times: the root's, at an rmdir in it");
	core_forget(&c, d.n, 1);
	core_forget(&c, f.n, 1);
}

static void test_statfs_and_list(void)
{
	struct statvfs sv;
	struct core_entry d, f, e;
	struct ilist l;
	objname_t dir;

	is_int(core_statfs(&c, &sv), 0, "statfs");
	is_int((long long)sv.f_namemax, SHM_NAME_MAX - (long long)strlen(P),
	       "statfs: the name length left after the prefix");
	core_mkdir(&c, &me, root, "l", 0700, &d);
	core_create(&c, &me, d.n, "one", 0600, O_EXCL, false, &f);
	is_int(core_list(&c, d.n, dir, &l), 0, "list");
	ok(l.n == 1 && strcmp(l.ents[0].name, "one") == 0, "list: its entry");
	is_str(dir, obj("l:"), "list: the directory's name");
	index_free(&l);
	is_int(core_list(&c, f.n, dir, &l), ENOTDIR, "list of a file: ENOTDIR");
	is_int(core_lookup_entry(&c, obj("l:"), "one", false, &e), 0, "lookup of a listed entry");
	ok(e.n == f.n, "lookup of a listed entry: its node");
	core_forget(&c, e.n, 1);
	core_unlink(&c, &me, d.n, "one");
	core_rmdir(&c, &me, root, "l");
	core_forget(&c, d.n, 1);
	core_forget(&c, f.n, 1);
}

static void test_flat(void)
{
	struct core flat;
	struct core_entry e;
	char save[64];

	strcpy(save, P);
	if (!ok(test_core(&flat, "ops_test_flat", '\0', 0, 0) == 0, "flat: open"))
		return;
	is_int(core_mkdir(&flat, &me, &flat.nodes.root, "d", 0700, &e), EPERM,
	       "flat: mkdir: EPERM");
	is_int(core_create(&flat, &me, &flat.nodes.root, "a:b", 0600, O_EXCL, false, &e),
	       0, "flat: ':' is a plain byte");
	core_forget(&flat, e.n, 1);
	remove_ours(flat.dirfd);
	core_close(&flat);
	strcpy(P, save);
}

int main(void)
{
	int err;

	tap_start();
	me = (struct caller){ .uid = getuid(), .gid = getgid() };
	err = test_core(&c, "ops_test", ':', 0, 0);
	if (err)
		skip_all(SHM_DIR " cannot be used");
	root = &c.nodes.root;
	test_files();
	test_io_and_attrs();
	test_dirs();
	test_implicit();
	test_rename();
	test_coherence();
	test_times();
	test_statfs_and_list();
	remove_ours(c.dirfd);
	ok(nodes_count(&c.nodes, NULL) == 0, "every node forgotten");
	core_close(&c);
	test_flat();
	return done_testing();
}
