/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * For the core's unit tests: a core on /dev/shm under this test's own
 * prefix, a recorder of what the core asks the FUSE side to invalidate,
 * and the removal of every object of ours at the end.
 */
#ifndef PSHMFS_CORE_TEST_H
#define PSHMFS_CORE_TEST_H

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "core_i.h"
#include "tap.h"

static char P[64]; /* the prefix: "pshmfs-test.NAME.PID." */

/* What the core asked to invalidate, as "inode NAME" and "entry PARENT
 * COMP" lines (names without the prefix; the root is "/"). */
static char inval_log[16384];

static void log_line(const char *sep, const char *line)
{
	size_t len = strlen(inval_log);

	if (len < sizeof(inval_log) - 600)
		snprintf(inval_log + len, sizeof(inval_log) - len, "%s%s", sep,
			 line);
}

static const char *short_name(const struct node *n)
{
	if (n->root)
		return "/";
	return n->name ? n->name + strlen(P) : "(none)";
}

static void rec_inode(void *arg, struct node *n)
{
	char line[300];

	(void)arg;
	snprintf(line, sizeof(line), "inode %s", short_name(n));
	log_line(inval_log[0] ? ", " : "", line);
}

static void rec_entry(void *arg, struct node *parent, const char *name,
		      size_t len)
{
	char line[600];

	(void)arg;
	snprintf(line, sizeof(line), "entry %s %.*s", short_name(parent),
		 (int)len, name);
	log_line(inval_log[0] ? ", " : "", line);
}

static void rec_path(void *arg, const char *path)
{
	char line[300];

	(void)arg;
	snprintf(line, sizeof(line), "relookup %s", path);
	log_line(inval_log[0] ? ", " : "", line);
}

/* Open core C on prefix P ("pshmfs-test.NAME.PID."), delimiter DELIM. */
static inline int test_core(struct core *c, const char *name, char delim,
		     uint64_t max_bytes, uint64_t max_objects)
{
	struct core_cfg cfg = {
		.prefix = P, .delim = delim, .root_mode = 01777,
		.uid = getuid(), .gid = getgid(),
		.max_bytes = max_bytes, .max_objects = max_objects,
		.entry_timeout = 1.0,
	};
	int err;

	snprintf(P, sizeof(P), "pshmfs-test.%s.%d.", name, (int)getpid());
	err = core_open(c, &cfg, SHM_DIR, true);
	if (!err)
		c->inval = (struct core_inval){ rec_inode, rec_entry, rec_path,
						NULL };
	return err;
}

/* The object P REST, as another program would name it. */
static inline const char *obj(const char *rest)
{
	static char buf[2][SHM_NAME_MAX + 1];
	static int i;

	i = !i;
	snprintf(buf[i], sizeof(buf[i]), "%s%s", P, rest);
	return buf[i];
}

/* Another program makes object P REST: its inode number. */
static inline uint64_t outside_make(int dirfd, const char *rest)
{
	struct stat st = { 0 };
	int fd = openat(dirfd, obj(rest), O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC,
			0644);

	if (fd >= 0) {
		fstat(fd, &st);
		close(fd);
	}
	return st.st_ino;
}

static inline int outside_rm(int dirfd, const char *rest)
{
	return unlinkat(dirfd, obj(rest), 0) ? errno : 0;
}

static int rm_ours(int fd, const struct dirent *d, void *arg)
{
	(void)arg;
	if (strncmp(d->d_name, P, strlen(P)) == 0)
		unlinkat(fd, d->d_name, 0);
	return 0;
}

static inline void remove_ours(int dirfd)
{
	shmdir_each(dirfd, rm_ours, NULL);
}

#endif
