/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * The mount's own capacity: see quota.h.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "index.h"
#include "quota.h"
#include "shmobj.h"

#define PAGE ((uint64_t)sysconf(_SC_PAGESIZE))

void quota_init(struct quota *q, int dirfd, const char *prefix,
		uint64_t max_bytes, uint64_t max_objects)
{
	memset(q, 0, sizeof(*q));
	pthread_mutex_init(&q->lock, NULL);
	q->dirfd = dirfd;
	q->prefix = prefix;
	/* tmpfs rounds its size up to whole pages. */
	q->max_bytes = (max_bytes + PAGE - 1) / PAGE * PAGE;
	q->max_objects = max_objects;
}

void quota_watch(struct quota *q, struct index *ix, quota_extra_fn *extra,
		 void *arg)
{
	q->index = ix;
	q->extra = extra;
	q->extra_arg = arg;
}

bool quota_limited(const struct quota *q)
{
	return q->max_bytes || q->max_objects;
}

int quota_scan(struct quota *q)
{
	struct shmusage u;
	int err;

	/* The index's count first: whatever changes during the scan is
	 * counted again by the next one. */
	if (q->index)
		q->changes = index_changes(q->index);
	err = shmdir_usage(q->dirfd, q->prefix, &u);
	if (err)
		return err;
	if (q->extra)
		q->extra(q->extra_arg, &u.bytes, &u.objects);
	q->bytes = u.bytes;
	q->objects = u.objects;
	clock_gettime(CLOCK_MONOTONIC, &q->scanned);
	return 0;
}

/* Rescan when names changed since, or the cache is older than a second. */
static void scan_if_old(struct quota *q)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	if ((q->index && index_changes(q->index) != q->changes) ||
	    now.tv_sec - q->scanned.tv_sec > 1 ||
	    (now.tv_sec - q->scanned.tv_sec == 1 &&
	     now.tv_nsec >= q->scanned.tv_nsec))
		quota_scan(q);
}

/* Pages not yet allocated in [POS, END) of FD, counted up to LIMIT: the
 * end of the head of the range that fits in LIMIT new pages. */
static off_t fitting_end(int fd, off_t pos, off_t end, uint64_t budget)
{
	off_t data, hole;
	uint64_t pages;

	while (pos < end) {
		data = lseek(fd, pos, SEEK_DATA);
		if (data < 0 || data > end)
			data = end;
		if (data > pos) {
			pages = (uint64_t)(data - pos + PAGE - 1) / PAGE;
			if (pages > budget)
				return pos + (off_t)(budget * PAGE);
			budget -= pages;
			pos = data;
			continue;
		}
		hole = lseek(fd, pos, SEEK_HOLE);
		pos = hole < 0 || hole > end ? end : hole;
	}
	return end;
}

size_t quota_fit(struct quota *q, int fd, off_t off, size_t len)
{
	off_t first = off / (off_t)PAGE * (off_t)PAGE;
	off_t last = (off + (off_t)len + (off_t)PAGE - 1) / (off_t)PAGE * (off_t)PAGE;
	uint64_t worst = (uint64_t)(last - first);
	off_t end;

	if (!q->max_bytes || len == 0)
		return len;
	scan_if_old(q);
	if (q->bytes + worst > q->max_bytes && quota_scan(q))
		return 0;
	if (q->bytes + worst <= q->max_bytes)
		return len;
	/* Full or not, pages already allocated are rewritten in place, as
	 * on a full tmpfs: only new pages need room. */
	end = fitting_end(fd, first, last,
			  q->bytes < q->max_bytes ? (q->max_bytes - q->bytes) / PAGE
						  : 0);
	if (end <= off)
		return 0;
	return end - off < (off_t)len ? (size_t)(end - off) : len;
}

int quota_may_create(struct quota *q)
{
	if (!q->max_objects)
		return 0;
	scan_if_old(q);
	if (q->objects >= q->max_objects)
		quota_scan(q);
	return q->objects >= q->max_objects ? ENOSPC : 0;
}
