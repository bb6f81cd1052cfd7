/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * Unit tests of issue 16's FUSE-free parts, without a mount: a node's
 * other names (links.c), what a new object inherits from a default ACL
 * (acl.c, against posix_acl_create()'s rules), the options of
 * -o remount (remount_opts.c), and the lock owner table (locks.c).
 */
#include "config.h"

#include <endian.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>

#include "acl.h"
#include "links.h"
#include "locks.h"
#include "remount_opts.h"
#include "tap.h"

static bool not_b(void *arg, const char *name)
{
	(void)arg;
	return strcmp(name, "b") != 0;
}

static void test_links(void)
{
	struct nodelinks *l = NULL;
	char *got;

	ok(links_add(&l, "a") == 0 && links_add(&l, "b") == 0 &&
	   links_add(&l, "a") == 0 && l->n == 2, "links: two names, no twice");
	ok(links_del(l, "a") && !links_del(l, "a") && l->n == 1,
	   "links: a name taken out once");
	links_add(&l, "c");
	got = links_take(l, not_b, NULL);
	is_str(got, "c", "links: take skips (and drops) a name that is no more");
	ok(l->n == 0, "links: ... both gone from the list");
	free(got);
	for (int i = 0; i < LINKS_MAX + 3; i++) {
		char name[8];

		snprintf(name, sizeof(name), "n%d", i);
		links_add(&l, name);
	}
	ok(l->n == LINKS_MAX && strcmp(l->name[0], "n3") == 0,
	   "links: at most LINKS_MAX, the oldest go first");
	links_add(&l, "P:d:x");
	links_add(&l, "P:dx");
	ok(links_rename_prefix(l, "P:d:", 4, "P:e:") == 0 &&
	   links_del(l, "P:e:x") && links_del(l, "P:dx"),
	   "links: a directory's rename moves the names below it only");
	links_add(&l, "P:d:y");
	links_rename_prefix(l, "P:d:", 4, NULL);
	ok(!links_del(l, "P:d:y"), "links: its removal drops them");
	links_free(l);
	ok(links_take(NULL, not_b, NULL) == NULL && !links_del(NULL, "x"),
	   "links: an empty list");
}

/* An ACL in its xattr form from (tag, perm, id) triples. */
static size_t acl_make(unsigned char *buf, const unsigned (*e)[3], size_t n)
{
	uint32_t v = htole32(2);

	memcpy(buf, &v, 4);
	for (size_t i = 0; i < n; i++) {
		uint16_t tag = htole16((uint16_t)e[i][0]),
			 perm = htole16((uint16_t)e[i][1]);
		uint32_t id = htole32(e[i][2]);

		memcpy(buf + 4 + 8 * i, &tag, 2);
		memcpy(buf + 6 + 8 * i, &perm, 2);
		memcpy(buf + 8 + 8 * i, &id, 4);
	}
	return 4 + 8 * n;
}

static unsigned acl_perm(const unsigned char *buf, size_t i)
{
	uint16_t perm;

	memcpy(&perm, buf + 6 + 8 * i, 2);
	return le16toh(perm);
}

static void test_acl(void)
{
	/* user::rwx user:1000:rwx group::r-x mask::rwx other::r-x */
	static const unsigned ext[][3] = {
		{ 1, 7, ~0u }, { 2, 7, 1000 }, { 4, 5, ~0u },
		{ 0x10, 7, ~0u }, { 0x20, 5, ~0u },
	};
	static const unsigned plain[][3] = {
		{ 1, 7, ~0u }, { 4, 5, ~0u }, { 0x20, 5, ~0u },
	};
	unsigned char d[64], out[64];
	size_t len = acl_make(d, ext, 5);
	bool extended;
	mode_t mode = S_IFREG | 0666;

	ok(acl_inherit(d, len, &mode, out, &extended) == 0 && extended,
	   "acl: an ACL with a named user is extended");
	is_int(mode, S_IFREG | 0664, "acl: mode 0666 under it becomes 0664 (the mask's r-x & rw-)");
	ok(acl_perm(out, 0) == 6 && acl_perm(out, 1) == 7 && acl_perm(out, 2) == 5 &&
	   acl_perm(out, 3) == 6 && acl_perm(out, 4) == 4,
	   "acl: user:: rw-, the named user kept rwx, group:: kept, mask:: rw-, other:: r--");
	mode = S_IFDIR | 0700;
	acl_inherit(d, len, &mode, out, &extended);
	is_int(mode, S_IFDIR | 0700, "acl: mkdir 0700: the mask takes the group bits (---)");
	len = acl_make(d, plain, 3);
	mode = 0666;
	ok(acl_inherit(d, len, &mode, out, &extended) == 0 && !extended,
	   "acl: a minimal default ACL needs no access ACL");
	is_int(mode, 0644, "acl: and acts as a umask of 022 would");
	ok(acl_inherit(d, 5, &mode, out, &extended) == EINVAL,
	   "acl: a malformed ACL: EINVAL");
	d[0] = 3;
	ok(acl_inherit(d, len, &mode, out, &extended) == EINVAL,
	   "acl: another version: EINVAL");
}

static void test_remount(void)
{
	struct limits l = { 0, 0, 01777, 0, 0 };
	char msg[256] = "";

	ok(remount_parse("rw,relatime,remount,user_id=0,group_id=0,"
			 "default_permissions,size=16m,dev,suid",
			 0, &l, msg, sizeof(msg)) == 0 && l.max_bytes == 16 << 20,
	   "remount: mount(8)'s options: size=16m taken, the rest passed over");
	ok(remount_parse("size=50%", 1 << 30, &l, msg, sizeof(msg)) == 0 &&
	   l.max_bytes == 512 << 20, "remount: size=50%% of RAM");
	ok(remount_parse("nr_inodes=10k,mode=750,uid=1,gid=2", 0, &l, msg,
			 sizeof(msg)) == 0 && l.max_objects == 10240 &&
	   l.mode == 0750 && l.uid == 1 && l.gid == 2,
	   "remount: nr_inodes=, mode=, uid=, gid=");
	ok(remount_parse("prefix=x", 0, &l, msg, sizeof(msg)) == EINVAL,
	   "remount: prefix=: EINVAL");
	is_str(msg, "prefix=x: only a new mount can set this", "remount: ... and why");
	ok(remount_parse("bogus", 0, &l, msg, sizeof(msg)) == EINVAL &&
	   strstr(msg, "unknown option"), "remount: an unknown option");
	ok(remount_parse("ro", 0, &l, msg, sizeof(msg)) == EINVAL,
	   "remount: ro: EINVAL");
	ok(remount_parse("size=lots", 0, &l, msg, sizeof(msg)) == EINVAL &&
	   remount_parse("uid=-1", 0, &l, msg, sizeof(msg)) == EINVAL,
	   "remount: bad values");
	l = (struct limits){ 1 << 20, 10, 0, 0, 0 };
	ok(remount_check(&l, 1 << 20, 10, msg, sizeof(msg)) == 0,
	   "remount: limits at what is in use: fine");
	ok(remount_check(&l, (1 << 20) + 1, 0, msg, sizeof(msg)) == EINVAL &&
	   strstr(msg, "too small for current use"), "remount: size below use: EINVAL");
	ok(remount_check(&l, 0, 11, msg, sizeof(msg)) == EINVAL &&
	   strstr(msg, "too few"), "remount: nr_inodes below use: EINVAL");
	l.max_bytes = l.max_objects = 0;
	ok(remount_check(&l, UINT64_MAX, UINT64_MAX, msg, sizeof(msg)) == 0,
	   "remount: no limits: anything goes");
}

static int opened;

static int open_dup(void *arg, int *fd)
{
	(void)arg;
	opened++;
	*fd = dup(0);
	return *fd < 0 ? errno : 0;
}

static bool any(struct lockowner *o, void *arg)
{
	(void)o;
	(void)arg;
	return true;
}

static void test_locks(void)
{
	struct locktab t;
	struct lockowner *a, *b, *again;

	locktab_init(&t);
	ok(lockowner_get(&t, 1, 10, 100, NULL, NULL, &a) == ENOENT,
	   "locks: no owner yet, none made: ENOENT");
	ok(lockowner_get(&t, 1, 10, 100, open_dup, NULL, &a) == 0 && opened == 1,
	   "locks: an owner made with a description of its own");
	ok(lockowner_get(&t, 1, 10, 200, open_dup, NULL, &again) == 0 &&
	   again == a && opened == 1, "locks: the same (node, owner) again: the same one");
	lockowner_put(&t, again);
	lockowner_get(&t, 1, 11, 200, open_dup, NULL, &b);
	lockowner_put(&t, b);
	ok(locks_any(&t, 1) && !locks_any(&t, 2), "locks: locks_any by node");
	locks_drop_fh(&t, 1, 200);
	ok(lockowner_get(&t, 1, 11, 0, NULL, NULL, &b) == ENOENT,
	   "locks: RELEASE drops the owners first used through that open");
	locks_drop_owner(&t, 1, 10);
	ok(a->gone && fcntl(a->fd, F_GETFD) >= 0,
	   "locks: FLUSH drops the owner; a user's reference keeps its fd");
	lockowner_put(&t, a);
	ok(!locks_any(&t, 1) && locks_find(&t, 1, NULL, any, NULL) == NULL,
	   "locks: none left");
}

int main(void)
{
	plan(35);
	test_links();
	test_acl();
	test_remount();
	test_locks();
	return tap_failed != 0;
}
