/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * POSIX shm objects: the FUSE-free half of pshmfs. See shmobj.h.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "names.h"
#include "shmobj.h"

/* The flags glibc's shm_open() adds, and O_NONBLOCK against planted FIFOs. */
#define OBJ_FLAGS (O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK)

/* Mappings grow in steps of at least this much, to make mremap rare. */
#define MAP_STEP (1UL << 20)

int shmdir_open(const char *path)
{
	int fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	return fd < 0 ? -errno : fd;
}

int shmobj_stat(int dirfd, const char *name, struct stat *st)
{
	if (fstatat(dirfd, name, st, AT_SYMLINK_NOFOLLOW))
		return errno;
	return S_ISREG(st->st_mode) ? 0 : ENOENT;
}

/* fstat a fresh descriptor; close it unless it is a regular file. */
static int check_regular(int fd, struct stat *st)
{
	int err = 0;

	if (fstat(fd, st))
		err = errno;
	else if (!S_ISREG(st->st_mode))
		err = ENOENT;
	if (err)
		close(fd);
	return err;
}

int shmobj_open(int dirfd, const char *name, int *fd, bool *writable,
		struct stat *st)
{
	int f = openat(dirfd, name, O_RDWR | OBJ_FLAGS);

	*writable = f >= 0;
	if (f < 0 && (errno == EACCES || errno == EROFS))
		f = openat(dirfd, name, O_RDONLY | OBJ_FLAGS);
	if (f < 0)
		return errno == ELOOP ? ENOENT : errno;
	*fd = f;
	return check_regular(f, st);
}

int shmobj_reopen(int pathfd, int *fd, bool *writable, struct stat *st)
{
	char proc[32];
	int f;

	/* The magic link reaches the object even once it is unlinked. */
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", pathfd);
	f = open(proc, O_RDWR | O_NONBLOCK | O_CLOEXEC);
	*writable = f >= 0;
	if (f < 0 && (errno == EACCES || errno == EROFS))
		f = open(proc, O_RDONLY | O_NONBLOCK | O_CLOEXEC);
	if (f < 0)
		return errno;
	*fd = f;
	return check_regular(f, st);
}

int shmobj_path_open(int dirfd, const char *name, int *fd, struct stat *st)
{
	*fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (*fd < 0)
		return errno == ELOOP ? ENOENT : errno;
	return check_regular(*fd, st);
}

int shmobj_create(int dirfd, const char *name, mode_t mode, bool own,
		  uid_t uid, gid_t gid, int *fd, struct stat *st)
{
	int f, err = 0;

	/* Mode 0 until the owner and mode are final: no window in which
	 * another user could open it with wider rights. */
	f = openat(dirfd, name, O_CREAT | O_EXCL | O_RDWR | OBJ_FLAGS, 0);
	if (f < 0)
		return errno;
	/* chown first: it would clear set-id bits that fchmod sets. */
	if ((own && fchown(f, uid, gid)) || fchmod(f, mode & 07777) ||
	    fstat(f, st))
		err = errno;
	if (err) {
		unlinkat(dirfd, name, 0);
		close(f);
		return err;
	}
	*fd = f;
	return 0;
}

struct shmmap *shmmap_new(int fd, bool writable)
{
	struct shmmap *m = calloc(1, sizeof(*m));

	if (!m)
		return NULL;
	pthread_rwlock_init(&m->lock, NULL);
	m->fd = fd;
	m->writable = writable;
	return m;
}

void shmmap_free(struct shmmap *m)
{
	/* A read may still be replying from the mapping after the kernel
	 * let the file close: wait for it. */
	pthread_rwlock_wrlock(&m->lock);
	if (m->addr)
		munmap(m->addr, m->len);
	close(m->fd);
	pthread_rwlock_unlock(&m->lock);
	pthread_rwlock_destroy(&m->lock);
	free(m);
}

static int map_grow(struct shmmap *m, size_t end)
{
	size_t len = m->len * 2;
	void *p;

	if (len < end)
		len = end;
	len = (len + MAP_STEP - 1) & ~(MAP_STEP - 1);
	if (m->addr)
		p = mremap(m->addr, m->len, len, MREMAP_MAYMOVE);
	else
		p = mmap(NULL, len, PROT_READ, MAP_SHARED, m->fd, 0);
	if (p == MAP_FAILED)
		return errno;
	m->addr = p;
	m->len = len;
	return 0;
}

/* Return with the mapping held shared and reaching at least END. */
static int map_hold(struct shmmap *m, size_t end)
{
	int err = 0;

	pthread_rwlock_rdlock(&m->lock);
	while (m->len < end && !err) {
		pthread_rwlock_unlock(&m->lock);
		pthread_rwlock_wrlock(&m->lock);
		if (m->len < end)
			err = map_grow(m, end);
		pthread_rwlock_unlock(&m->lock);
		pthread_rwlock_rdlock(&m->lock);
	}
	if (err)
		pthread_rwlock_unlock(&m->lock);
	return err;
}

int shmobj_write(struct shmmap *m, const void *buf, size_t len,
		 off_t off, size_t *done)
{
	ssize_t n;

	*done = 0;
	if (!m->writable)
		return EBADF;
	/* pwrite, not a copy into the mapping: no page faults, and
	 * tmpfs's own answer when it fills up: the head that fits, then
	 * ENOSPC. */
	while (*done < len) {
		n = pwrite(m->fd, (const char *)buf + *done, len - *done,
			   off + (off_t)*done);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return *done ? 0 : errno;
		if (n == 0)
			break;
		*done += (size_t)n;
	}
	return 0;
}

int shmobj_read_begin(struct shmmap *m, size_t len, off_t off,
		      const char **p, size_t *n)
{
	struct stat st;
	bool sparse;
	int err;

	if (fstat(m->fd, &st))
		return errno;
	*n = 0;
	if (off < st.st_size)
		*n = (size_t)(st.st_size - off) < len ? (size_t)(st.st_size - off) : len;
	/* At the end, or with holes, nothing to map; still hold it for
	 * read_end. */
	sparse = shmobj_sparse(&st);
	err = map_hold(m, *n && !sparse ? off + *n : 0);
	*p = err || !*n || sparse ? NULL : m->addr + off;
	return err;
}

void shmobj_read_end(struct shmmap *m)
{
	pthread_rwlock_unlock(&m->lock);
}

bool shmdir_regular(int dirfd, const struct dirent *d)
{
	struct stat st;

	if (d->d_type != DT_UNKNOWN)
		return d->d_type == DT_REG;
	return shmobj_stat(dirfd, d->d_name, &st) == 0;
}

int shmdir_each(int dirfd, int (*fn)(int, const struct dirent *, void *),
		       void *arg)
{
	struct dirent *d;
	DIR *dp;
	int fd, err = 0;

	fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return errno;
	dp = fdopendir(fd);
	if (!dp) {
		err = errno;
		close(fd);
		return err;
	}
	while (!err && (errno = 0, d = readdir(dp)))
		err = fn(dirfd, d, arg);
	if (!err && errno)
		err = errno;
	closedir(dp);
	return err;
}

struct usage_ctx {
	const char *prefix;
	size_t len;
	struct shmusage *u;
};

static int usage_one(int dirfd, const struct dirent *d, void *arg)
{
	struct usage_ctx *c = arg;
	struct stat st;

	if (strncmp(d->d_name, c->prefix, c->len) != 0 || names_hidden(d->d_name))
		return 0;
	if (shmobj_stat(dirfd, d->d_name, &st) == 0) {
		/* A hard link's pages are counted once (a share each,
		 * as tmpfs does when all its names are here). */
		c->u->bytes += (uint64_t)st.st_blocks * 512 /
			       (st.st_nlink > 1 ? st.st_nlink : 1);
		c->u->objects++;
	}
	return 0;
}

int shmdir_usage(int dirfd, const char *prefix, struct shmusage *u)
{
	struct usage_ctx c = { prefix, strlen(prefix), u };

	u->bytes = 0;
	u->objects = 0;
	return shmdir_each(dirfd, usage_one, &c);
}
