/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * Unit tests of the mount's own capacity (src/core/quota.c, limits.c),
 * without a mount: size= in whole pages, nr_inodes=, what a write may
 * still allocate, objects made by other programs counted at once, files
 * removed while open still counted, and statfs within the limits.
 */
#include "config.h"

#include <errno.h>

#include "core_test.h"

#define PAGE ((uint64_t)sysconf(_SC_PAGESIZE))

static void test_round(void)
{
	struct quota q;

	quota_init(&q, -1, "x", 1, 0);
	is_int((long long)q.max_bytes, (long long)PAGE, "size=1 rounds up to a page");
	quota_init(&q, -1, "x", 0, 0);
	ok(!quota_limited(&q), "no size=, no nr_inodes=: not limited");
	quota_init(&q, -1, "x", 0, 3);
	ok(quota_limited(&q), "nr_inodes= alone limits");
}

static void test_objects(void)
{
	struct core c;
	struct caller me = { getuid(), getgid(), NULL, 0, 0 };
	struct core_entry e1, e2, e3;
	struct statvfs sv;

	if (!ok(test_core(&c, "quota_test_n", ':', 0, 2) == 0, "nr_inodes=2: open"))
		return;
	is_int(core_create(&c, &me, &c.nodes.root, "a", 0600, O_EXCL, false, &e1), 0,
	       "nr_inodes=2: the first object");
	is_int(core_create(&c, &me, &c.nodes.root, "b", 0600, O_EXCL, false, &e2), 0,
	       "nr_inodes=2: the second");
	is_int(core_create(&c, &me, &c.nodes.root, "c", 0600, O_EXCL, false, &e3), ENOSPC,
	       "nr_inodes=2: the third: ENOSPC");
	is_int(core_mkdir(&c, &me, &c.nodes.root, "d", 0700, &e3), ENOSPC,
	       "nr_inodes=2: a marker counts too");
	is_int(core_statfs(&c, &sv), 0, "statfs");
	is_int((long long)sv.f_files, 2, "statfs: f_files is nr_inodes=");
	is_int((long long)sv.f_ffree, 0, "statfs: none free");
	core_unlink(&c, &me, &c.nodes.root, "a");
	is_int(core_create(&c, &me, &c.nodes.root, "c", 0600, O_EXCL, false, &e3), 0,
	       "nr_inodes=2: one removed, one more made");
	core_forget(&c, e3.n, 1);
	core_unlink(&c, &me, &c.nodes.root, "b");
	outside_make(c.dirfd, "x1");
	outside_make(c.dirfd, "x2");
	is_int(core_create(&c, &me, &c.nodes.root, "y", 0600, O_EXCL, false, &e3), ENOSPC,
	       "nr_inodes=2: objects made by other programs count at once");
	core_forget(&c, e1.n, 1);
	core_forget(&c, e2.n, 1);
	remove_ours(c.dirfd);
	core_close(&c);
}

static void test_bytes(void)
{
	struct core c;
	struct caller me = { getuid(), getgid(), NULL, 0, 0 };
	struct core_entry e, g;
	static char buf[65536];
	struct statvfs sv;
	size_t done;

	if (!ok(test_core(&c, "quota_test_b", ':', 16 * PAGE, 0) == 0, "size=16 pages: open"))
		return;
	core_create(&c, &me, &c.nodes.root, "big", 0600, O_EXCL, true, &e);
	is_int(core_write(&c, e.n, buf, 8 * PAGE, 0, &done), 0, "size=: a write that fits");
	is_int((long long)done, (long long)(8 * PAGE), "size=: all of it");
	is_int(core_write(&c, e.n, buf, 12 * PAGE, 8 * PAGE, &done), 0,
	       "size=: a write past the limit");
	is_int((long long)done, (long long)(8 * PAGE), "size=: only the head that fits");
	is_int(core_write(&c, e.n, buf, PAGE, 16 * PAGE, &done), ENOSPC,
	       "size=: full: ENOSPC");
	is_int(core_write(&c, e.n, buf, PAGE, 0, &done), 0,
	       "size=: a rewrite of allocated pages still works");
	is_int(core_fallocate(&c, e.n, 0, 16 * PAGE, PAGE), ENOSPC,
	       "size=: fallocate past it: ENOSPC");
	is_int(core_statfs(&c, &sv), 0, "statfs");
	is_int((long long)(sv.f_blocks * sv.f_frsize), (long long)(16 * PAGE),
	       "statfs: the size is size=");
	is_int((long long)sv.f_bfree, 0, "statfs: nothing free");
	core_unlink(&c, &me, &c.nodes.root, "big");
	core_create(&c, &me, &c.nodes.root, "small", 0600, O_EXCL, true, &g);
	is_int(core_write(&c, g.n, buf, PAGE, 0, &done), ENOSPC,
	       "size=: a file removed while open still holds its pages");
	core_release(&c, e.n);
	core_forget(&c, e.n, 1);
	is_int(core_write(&c, g.n, buf, PAGE, 0, &done), 0,
	       "size=: closed, its pages are free again");
	core_release(&c, g.n);
	core_forget(&c, g.n, 1);
	remove_ours(c.dirfd);
	core_close(&c);
}

int main(void)
{
	tap_start();
	test_round();
	test_objects();
	test_bytes();
	return done_testing();
}
