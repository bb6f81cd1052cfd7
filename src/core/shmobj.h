/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * POSIX shm objects, free of FUSE: open, create, stat, list, reads through
 * one shared mapping per open object, and writes.
 *
 * Objects are opened with openat() on the shm directory, with the flags
 * glibc's shm_open() uses (O_NOFOLLOW | O_CLOEXEC) plus O_NONBLOCK, so a
 * FIFO planted under an object's name cannot block us; anything that is not
 * a regular file is treated as absent.
 */
#ifndef PSHMFS_SHMOBJ_H
#define PSHMFS_SHMOBJ_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/types.h>

/* Where glibc keeps POSIX shm objects on Linux. */
#define SHM_DIR "/dev/shm"

/* An open object: its descriptor and one read-only MAP_SHARED mapping of
 * it, grown with mremap. Reads from the mapping hold LOCK shared; growing
 * it (which may move it), truncating the object and freeing it hold it
 * exclusive. The mapping may reach past the object's end: only the bytes
 * below the size seen by fstat are touched. */
struct shmmap {
	pthread_rwlock_t lock;
	int fd;
	char *addr;
	size_t len;
	bool writable;
};

/* Has the object holes? Reading a hole through a shared tmpfs mapping
 * allocates it; pread reads it as zeros. A fully allocated object holds at
 * least its size. */
static inline bool shmobj_sparse(const struct stat *st)
{
	return (uint64_t)st->st_blocks * 512 < (uint64_t)st->st_size;
}

/* Open the shm directory: a file descriptor, or -errno. */
int shmdir_open(const char *path);

/* fstatat() of NAME that only sees regular files: 0 or errno. */
int shmobj_stat(int dirfd, const char *name, struct stat *st);

/* An O_PATH descriptor of object NAME in *FD, and its attributes: 0, or
 * errno (ENOENT for anything but a regular file; nothing left open). */
int shmobj_path_open(int dirfd, const char *name, int *fd, struct stat *st);

/* Open the existing object NAME read-write (read-only where write is
 * refused). On success *FD, *WRITABLE and *ST are set; returns 0 or errno. */
int shmobj_open(int dirfd, const char *name, int *fd, bool *writable,
		struct stat *st);

/* Open again, as shmobj_open() does, the object that the O_PATH descriptor
 * PATHFD holds, even if its name is gone since. */
int shmobj_reopen(int pathfd, int *fd, bool *writable, struct stat *st);

/* Create NAME exclusively with exactly MODE (no umask) and, when OWN is
 * true, owner UID and group GID. Nothing is left behind on failure. */
int shmobj_create(int dirfd, const char *name, mode_t mode, bool own,
		  uid_t uid, gid_t gid, int *fd, struct stat *st);

/* Take FD (opened read-write when WRITABLE) into a new open object; NULL
 * when out of memory (FD is then left open). */
struct shmmap *shmmap_new(int fd, bool writable);

/* Close the open object once the copies under way are done. */
void shmmap_free(struct shmmap *m);

/* Write LEN bytes of BUF at OFF into the object, growing it as needed.
 * *DONE is less than LEN only when the tmpfs filled up part way. Returns
 * 0 or errno (ENOSPC when nothing fit). */
int shmobj_write(struct shmmap *m, const void *buf, size_t len,
		 off_t off, size_t *done);

/* Find the bytes to read at OFF, at most LEN: *P and *N (0 at the end).
 * On success the mapping is held until shmobj_read_end(). *P is NULL when
 * the object has holes: a fault on a hole of a shared tmpfs mapping would
 * allocate the page, so such objects are read with pread (or splice), which
 * reads holes as zeros. */
int shmobj_read_begin(struct shmmap *m, size_t len, off_t off,
		      const char **p, size_t *n);
void shmobj_read_end(struct shmmap *m);

/* Call FN for every entry of the shm directory until it returns non-zero;
 * returns that value, or errno. */
struct dirent;
int shmdir_each(int dirfd, int (*fn)(int, const struct dirent *, void *),
		void *arg);

/* Is the entry a regular file? tmpfs fills d_type; others may not. */
bool shmdir_regular(int dirfd, const struct dirent *d);

/* What the objects whose names begin with PREFIX hold, as tmpfs counts:
 * allocated bytes (st_blocks) and objects. Returns 0 or errno. */
struct shmusage {
	uint64_t bytes;
	uint64_t objects;
};
int shmdir_usage(int dirfd, const char *prefix, struct shmusage *u);

#endif
