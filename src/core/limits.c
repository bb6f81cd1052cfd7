/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * The operations' side of the mount's own capacity (-o size=,
 * -o nr_inodes=): writes, creates and statfs within the limits that
 * quota.c counts.
 */
#include "config.h"

#include <errno.h>
#include <sys/statvfs.h>

#include "core_i.h"
#include "log.h"

/* A limit hit is news once in a while, not at every write. */
static struct log_limit size_hit = LOG_LIMIT_INIT;
static struct log_limit inodes_hit = LOG_LIMIT_INIT;

/* shmobj_create within nr_inodes=; owned by UID and GID when we are root. */
int core_create_counted(struct core *c, const char *name, mode_t mode,
			uid_t uid, gid_t gid, int *fd, struct stat *st)
{
	struct quota *q = &c->quota;
	int err, full;

	if (!q->max_objects)
		return shmobj_create(c->dirfd, name, mode, c->own, uid, gid,
				     fd, st);
	pthread_mutex_lock(&q->lock);
	err = full = quota_may_create(q);
	if (!err)
		err = shmobj_create(c->dirfd, name, mode, c->own, uid, gid,
				    fd, st);
	if (!err)
		q->objects++;
	pthread_mutex_unlock(&q->lock);
	if (full)
		log_limited(&inodes_hit, LOG_INFO,
			    "nr_inodes=%llu reached: %s not created (ENOSPC)",
			    (unsigned long long)q->max_objects, name);
	return err;
}

/* With size=: hold the quota and find how much of a write of LEN at OFF
 * fits (*FIT), noting the blocks FD holds before it. */
int charge_begin(struct core *c, int fd, off_t off, size_t len,
		 size_t *fit, blkcnt_t *before)
{
	struct stat st;

	*fit = len;
	*before = -1;
	if (!c->quota.max_bytes)
		return 0;
	pthread_mutex_lock(&c->quota.lock);
	*before = 0;
	if (fstat(fd, &st) == 0)
		*before = st.st_blocks;
	*fit = quota_fit(&c->quota, fd, off, len);
	if (*fit < len)
		log_limited(&size_hit, LOG_INFO,
			    "size=%llu reached: only %zu of %zu bytes fit (ENOSPC)",
			    (unsigned long long)c->quota.max_bytes, *fit, len);
	return *fit || !len ? 0 : ENOSPC;
}

/* Count what the write allocated and let the next writer in. */
void charge_end(struct core *c, int fd, blkcnt_t before)
{
	struct stat st;

	if (before < 0)
		return;
	if (fstat(fd, &st) == 0 && st.st_blocks > before)
		c->quota.bytes += (uint64_t)(st.st_blocks - before) * 512;
	pthread_mutex_unlock(&c->quota.lock);
}

struct held {
	uint64_t bytes, objects;
};

static void count_removed_open(struct node *n, void *arg)
{
	struct held *h = arg;
	struct stat st;

	if (!n->name && n->obj && fstat(n->obj->fd, &st) == 0) {
		h->bytes += (uint64_t)st.st_blocks * 512;
		h->objects++;
	}
}

void core_held(void *arg, uint64_t *bytes, uint64_t *objects)
{
	struct core *c = arg;
	struct held h = { 0, 0 };

	nodes_each(&c->nodes, count_removed_open, &h);
	*bytes += h.bytes;
	*objects += h.objects;
}

static uint64_t left(uint64_t max, uint64_t used)
{
	return max > used ? max - used : 0;
}

/* The mount's own capacity, counted afresh, in place of the tmpfs's. */
void core_statfs_limited(struct core *c, struct statvfs *sv)
{
	struct quota *q = &c->quota;
	fsblkcnt_t free;

	pthread_mutex_lock(&q->lock);
	quota_scan(q);
	if (q->max_bytes) {
		sv->f_blocks = q->max_bytes / sv->f_frsize;
		/* Never more than the tmpfs itself has left. */
		free = left(q->max_bytes, q->bytes) / sv->f_frsize;
		sv->f_bfree = free < sv->f_bfree ? free : sv->f_bfree;
		sv->f_bavail = free < sv->f_bavail ? free : sv->f_bavail;
	}
	if (q->max_objects) {
		sv->f_files = q->max_objects;
		sv->f_ffree = left(q->max_objects, q->objects);
		sv->f_favail = sv->f_ffree;
	}
	pthread_mutex_unlock(&q->lock);
}
