/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * Unit tests of the node table (src/core/nodes.c), without a mount:
 * identities, one live node per name, renames over, directory renames,
 * retirement, forget, what the kernel was told. Only opening a node's
 * object touches /dev/shm, under a name of this test's own.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "nodes.h"
#include "tap.h"

static struct nodetab t;

static const char *name_of(struct node *n, objname_t buf)
{
	return nodes_name(&t, n, buf, NULL, NULL) ? "(none)" : buf;
}

static void test_identity(void)
{
	objname_t b;
	struct node *a = nodes_get(&t, false, 100, "Px");
	struct node *a2 = nodes_get(&t, false, 100, "Px");
	struct node *d = nodes_get(&t, true, 100, "Px:");

	ok(a != NULL, "get: a file node");
	ok(a == a2, "get: the same identity is the same node");
	is_int((long long)a->nlookup, 2, "get: each get is a reference");
	ok(d != a, "get: a directory of the same id is another node");
	ok(a->gen != d->gen, "get: each node has its own generation");
	is_str(name_of(d, b), "Px:", "get: the directory's name");
	ok(nodes_find(&t, "Px") == a, "find: by name, the file");
	ok(nodes_find(&t, "Px:") == d, "find: by name, the directory");
	nodes_forget(&t, a, 2);
	ok(nodes_find(&t, "Px") == NULL, "forget: the last reference frees it");
	nodes_forget(&t, d, 1);
	is_int((long long)nodes_count(&t, NULL), 0, "forget: the table is empty");
}

static void test_one_per_name(void)
{
	objname_t b;
	struct node *old = nodes_get(&t, false, 1, "Pf");
	struct node *new = nodes_get(&t, false, 2, "Pf");
	struct node *d1, *d2;
	bool dir;

	/* Another object under the name (renamed over it elsewhere). */
	ok(new != old, "one per name: another object is another node");
	is_int(nodes_name(&t, old, b, NULL, NULL), ENOENT,
	       "one per name: the old file node lost its name");
	ok(nodes_find(&t, "Pf") == new, "one per name: the name finds the new");
	ok(!old->retired, "one per name: a file is not retired, only unnamed");
	d1 = nodes_get(&t, true, 10, "Pd:");
	d2 = nodes_get(&t, true, 11, "Pd:");
	ok(d1->retired, "one per name: the replaced directory is retired");
	ok(!d2->retired, "one per name: the new directory is live");
	is_int(nodes_name(&t, d1, b, &dir, NULL), ENOENT,
	       "retired: no name (every operation ENOENT)");
	ok(dir, "retired: still a directory");
	ok(nodes_get(&t, true, 10, "Pd:") != d1,
	   "retired: its identity is never found again");
	nodes_forget(&t, d1, 1);
	nodes_forget(&t, nodes_find(&t, "Pd:"), 1);
	nodes_forget(&t, d2, 1);
	nodes_forget(&t, old, 1);
	nodes_forget(&t, new, 1);
	is_int((long long)nodes_count(&t, NULL), 0,
	       "one per name: all freed (retired ones too)");
}

static void test_rename(void)
{
	objname_t b;
	struct node *f = nodes_get(&t, false, 5, "Pa");
	struct node *g = nodes_get(&t, false, 6, "Pb");

	is_int(nodes_rename(&t, 5, "Pc"), 0, "rename: a file");
	is_str(name_of(f, b), "Pc", "rename: its new name");
	ok(nodes_find(&t, "Pa") == NULL, "rename: the old name is free");
	nodes_rename(&t, 5, "Pb"); /* over g */
	is_str(name_of(f, b), "Pb", "rename over: the moved file");
	is_str(name_of(g, b), "(none)", "rename over: the replaced one unnamed");
	nodes_rename(&t, 5, NULL);
	is_str(name_of(f, b), "(none)", "rename to NULL: removed");
	is_int(nodes_rename(&t, 999, "Pz"), 0, "rename of an unknown id: nothing");
	nodes_forget(&t, f, 1);
	nodes_forget(&t, g, 1);
}

static void test_rename_dir(void)
{
	objname_t b;
	struct node *a = nodes_get(&t, true, 20, "Pa:");
	struct node *ab = nodes_get(&t, true, 21, "Pa:b:");
	struct node *f = nodes_get(&t, false, 22, "Pa:b:f");
	struct node *x = nodes_get(&t, true, 23, "Px:");
	struct node *xs = nodes_get(&t, false, 24, "Px:stale");
	struct node *ax = nodes_get(&t, false, 25, "Pab"); /* not below Pa: */

	is_int(nodes_rename_dir(&t, "Pa:", "Px:"), 0, "rename dir: over Px:");
	is_str(name_of(a, b), "Px:", "rename dir: the directory");
	is_str(name_of(ab, b), "Px:b:", "rename dir: a subdirectory");
	is_str(name_of(f, b), "Px:b:f", "rename dir: a file below");
	is_str(name_of(ax, b), "Pab", "rename dir: a name sharing the prefix's start stays");
	ok(x->retired, "rename dir: the replaced directory is retired");
	is_str(name_of(xs, b), "(none)", "rename dir: what was below the replaced one loses its name");
	ok(nodes_find(&t, "Px:b:f") == f, "rename dir: found by the new name");
	ok(nodes_find(&t, "Pa:b:f") == NULL, "rename dir: not by the old");
	is_int(nodes_rename_dir(&t, "Px:", NULL), 0, "remove dir");
	ok(a->retired && ab->retired, "remove dir: directories at and below retire");
	ok(!f->retired && !f->name, "remove dir: files below lose their names");
	for (struct node *n[] = { a, ab, f, x, xs, ax }, **p = n; p < n + 6; p++)
		nodes_forget(&t, *p, 1);
	is_int((long long)nodes_count(&t, NULL), 0, "rename dir: all freed");
}

static void test_retire_adopt(void)
{
	struct node *d = nodes_get(&t, true, 30, "Pr:");
	struct node *i = nodes_get(&t, true, (1ULL << 63) | 7, "Pi:");

	ok(nodes_retire(&t, "Pr:", 31) == NULL, "retire: not another identity");
	ok(!d->retired, "retire: still live");
	ok(nodes_retire(&t, "Pr:", 30) == d, "retire: the identity named");
	ok(d->retired, "retire: retired");
	{
		objname_t nm;

		is_int(nodes_peek_name(&t, d, nm), ENOENT, "retired: no name to trace");
		is_int(nodes_name(&t, d, nm, NULL, NULL), ESTALE,
		       "retired by another program: ESTALE the first time (the trace left it)");
		is_int(nodes_name(&t, d, nm, NULL, NULL), ENOENT, "then ENOENT");
		d->stale = true;
		is_int(nodes_with_fd(&t, d, nm, NULL, NULL), -ESTALE,
		       "with_fd: -ESTALE the first time");
		is_int(nodes_with_fd(&t, d, nm, NULL, NULL), -ENOENT, "with_fd: then -ENOENT");
	}
	{
		struct node *s = nodes_get(&t, true, 60, "Ps:"), *s2;
		objname_t nm;

		ok(nodes_retire(&t, "Ps:", 60) == s, "retire another");
		s2 = nodes_get(&t, true, 61, "Ps:");
		is_int(nodes_name(&t, s, nm, NULL, NULL), ENOENT,
		       "its name looked up again (the new directory): ENOENT, only a descriptor reaches it now");
		nodes_forget(&t, s, 1);
		nodes_forget(&t, s2, 1);
	}
	{
		/* A name the rename did not move (its object gone) may
		 * come out longer than an object name can be. */
		struct node *f = nodes_get(&t, false, 70, "Pq:ffffffffff");
		char to[SHM_NAME_MAX + 1];

		memset(to, 'T', SHM_NAME_MAX - 4);
		strcpy(to + SHM_NAME_MAX - 4, ":");
		is_int(nodes_rename_dir(&t, "Pq:", to), 0, "rename dir to a long name");
		ok(f->name == NULL,
		   "a name that would be too long for an object: none (names fit objname_t)");
		nodes_forget(&t, f, 1);
	}
	ok(nodes_retire(&t, "Pnone:", 0) == NULL, "retire: nothing by that name");
	nodes_adopt(&t, i, 40);
	is_int((long long)i->id, 40, "adopt: an implicit directory takes its marker's id");
	ok(nodes_get(&t, true, 40, "Pi:") == i, "adopt: found by it, the same node");
	ok(nodes_retire(&t, "Pi:", 0) == i, "retire with id 0: any identity");
	ok(nodes_retire(&t, t.root.name, 0) == NULL, "retire: never the root");
	nodes_forget(&t, d, 1);
	nodes_forget(&t, i, 2);
}

static void test_seen(void)
{
	struct stat st = { .st_ino = 50, .st_size = 3, .st_mode = S_IFREG | 0644 };
	struct node *n = nodes_get(&t, false, 50, "Ps");

	ok(nodes_stale(&t, &st) == n, "seen: nothing told yet: stale");
	nodes_seen(&t, n, &st);
	ok(nodes_stale(&t, &st) == NULL, "seen: told: not stale");
	st.st_size = 4;
	ok(nodes_stale(&t, &st) == n, "seen: the size moved: stale");
	st.st_size = 3;
	st.st_ctim.tv_nsec = 1;
	ok(nodes_stale(&t, &st) == n, "seen: the ctime moved: stale");
	nodes_seen(&t, n, &st);
	nodes_unseen(&t, n);
	ok(nodes_stale(&t, &st) == n, "unseen: stale again");
	st.st_ino = 51;
	ok(nodes_stale(&t, &st) == NULL, "stale: no node, nothing");
	nodes_forget(&t, n, 1);
}

static int fd_seen;

static int note_fd(int fd, void *arg)
{
	(void)arg;
	fd_seen = fd;
	return 7;
}

static void test_open(int dirfd, const char *obj)
{
	struct stat st;
	objname_t b;
	struct node *n;
	int fd = openat(dirfd, obj, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);

	if (!ok(fd >= 0 && fstat(fd, &st) == 0, "open: an object of ours"))
		return;
	close(fd);
	n = nodes_get(&t, false, st.st_ino, obj);
	is_int(nodes_with_fd(&t, n, b, note_fd, NULL), -1, "with_fd: not open: by name");
	is_str(b, obj, "with_fd: the name copied");
	is_int(nodes_open(&t, n, dirfd), 0, "open: by name");
	is_int(nodes_with_fd(&t, n, b, note_fd, NULL), 7, "with_fd: open: FN's answer");
	ok(fd_seen == n->obj->fd, "with_fd: FN got the descriptor");
	ok(nodes_pin(&t, n), "pin: an open node");
	nodes_close(&t, n);
	unlinkat(dirfd, obj, 0);
	nodes_rename(&t, st.st_ino, NULL);
	ok(n->obj != NULL, "open: removed, still open");
	nodes_close(&t, n);
	ok(n->obj == NULL, "close: the last one closes the object");
	ok(!nodes_pin(&t, n), "pin: not open, nothing to pin");
	is_int(nodes_with_fd(&t, n, b, note_fd, NULL), -ENOENT, "with_fd: no name: -ENOENT");
	is_int(nodes_open(&t, n, dirfd), ENOENT, "open: no name: ENOENT");
	nodes_rename(&t, st.st_ino, obj); /* a name that holds nothing */
	is_int(nodes_open(&t, n, dirfd), ESTALE, "open: the name went: ESTALE");
	fd = openat(dirfd, obj, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0600);
	close(fd);
	is_int(nodes_open(&t, n, dirfd), ESTALE, "open: another object there: ESTALE");
	unlinkat(dirfd, obj, 0);
	nodes_forget(&t, n, 1);
}

static void test_times_and_root(void)
{
	struct timespec ts = { 1000, 5 }, m, c;
	struct node *d = nodes_get(&t, true, 60, "Pt:");

	ok(!nodes_times(&t, d, &m, &c), "times: none kept at first");
	nodes_touch(&t, d, &ts);
	ok(nodes_times(&t, d, &m, &c) && m.tv_sec == 1000 && c.tv_nsec == 5,
	   "times: kept once touched, mtime and ctime");
	ok(t.root.root && t.root.dir && t.root.id == 1, "root: a directory, id 1");
	nodes_forget(&t, &t.root, 1); /* the kernel never forgets it; harmless */
	t.root.nlookup = 1;
	ok(t.root.name != NULL, "root: never freed");
	nodes_forget(&t, d, 1);
}

/* Many nodes: the hashes grow and everything is still found. */
static void test_many(void)
{
	enum { N = 5000 };
	static struct node *n[N];
	char name[32];
	int lost = 0;
	size_t named;

	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "Pm%d", i);
		n[i] = nodes_get(&t, i % 2, 1000 + (uint64_t)i, name);
	}
	for (int i = 0; i < N; i++) {
		snprintf(name, sizeof(name), "Pm%d", i);
		lost += nodes_find(&t, name) != n[i];
	}
	is_int(lost, 0, "many: 5000 nodes, each found by name after growth");
	is_int((long long)nodes_count(&t, &named), N, "many: counted");
	is_int((long long)named, N, "many: all named");
	for (int i = 0; i < N; i++)
		nodes_forget(&t, n[i], 1);
	is_int((long long)nodes_count(&t, NULL), 0, "many: all freed");
}

int main(void)
{
	char obj[64];
	int dirfd;

	tap_start();
	if (!ok(nodes_init(&t, "P") == 0, "init"))
		return done_testing();
	test_identity();
	test_one_per_name();
	test_rename();
	test_rename_dir();
	test_retire_adopt();
	test_seen();
	test_times_and_root();
	test_many();
	dirfd = shmdir_open(SHM_DIR);
	snprintf(obj, sizeof(obj), "pshmfs-test.nodes_test.%d.o", (int)getpid());
	if (dirfd >= 0)
		test_open(dirfd, obj);
	else
		ok(1, "open # SKIP no " SHM_DIR);
	nodes_destroy(&t);
	return done_testing();
}
