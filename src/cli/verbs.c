/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * pshm's verbs that act on objects by name: create, write, read, unlink,
 * stat, truncate and chmod, one static function each (and a verb_*() entry
 * for the table in main.c). Objects are reached only through shm_open()
 * and shm_unlink().
 *
 * Copies in and out go through MAP_SHARED mappings and survive another
 * process shrinking the object under them: the copy out is done by
 * write(2) straight from the mapping (a vanished page gives EFAULT, not a
 * signal) and the copy in by memcpy() under the SIGBUS guard of guard.c.
 * An object with holes is copied out with read(2) instead: a fault on a
 * hole of a shared tmpfs mapping would allocate it.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "pshm.h"
#include "shmobj.h"
#include "sizes.h"

/* Default mode of a new object. */
#define PSHM_MODE 0600
/* Flags added to every shm_open(): never block on a FIFO planted under an
 * object's name, never take a terminal. */
#define OPEN_FLAGS (O_NONBLOCK | O_NOCTTY)

/* Keep FD only if it is a regular file; anything else in the shm
 * directory is no shared-memory object. Returns 0 or errno. */
static int check_regular(int fd, struct stat *st)
{
	if (fstat(fd, st))
		return errno;
	return S_ISREG(st->st_mode) ? 0 : EINVAL;
}

/* EINVAL from a check or from glibc (a directory): not an object. */
static int fail_obj(const struct shmname *n, int err)
{
	return fail_name(n->path + 1, err,
			 err == EINVAL ? "not a regular file" : NULL);
}

/* shm_open() an existing object; on failure print why and return -1. */
static int obj_open(const struct shmname *n, int flags, struct stat *st)
{
	int fd = shm_open(n->path, flags | OPEN_FLAGS, 0);
	int err;

	if (fd < 0) {
		fail(n, errno);
		return -1;
	}
	err = check_regular(fd, st);
	if (err) {
		close(fd);
		fail_obj(n, err);
		return -1;
	}
	return fd;
}

/* Run ONE on every operand from argv[optind]; 1 if any failed. */
static int each_name(int argc, char **argv,
		     int (*one)(const struct shmname *n, const void *arg),
		     const void *arg)
{
	struct shmname n;
	int i, ret = 0;

	for (i = optind; i < argc; i++)
		if (name_get(argv[i], &n) || one(&n, arg))
			ret = 1;
	return ret;
}

/* ---- copies through mappings ---- */

/* Make FD exactly LEN bytes holding BUF: allocate the pages first, so a
 * full tmpfs fails here with ENOSPC (leaving the object as it was), then
 * set the size and copy in through a shared mapping. EIO: the object
 * shrank under the copy. */
static int fill(int fd, const void *buf, size_t len)
{
	void *map;
	int err;

	if ((uint64_t)len > (uint64_t)INT64_MAX)
		return EFBIG;
	if (len && fallocate(fd, 0, 0, (off_t)len) &&
	    errno != EOPNOTSUPP && errno != ENOSYS)
		return errno;
	if (ftruncate(fd, (off_t)len))
		return errno;
	if (!len)
		return 0;
	map = mmap(NULL, len, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (map == MAP_FAILED)
		return errno;
	err = guard_copy_in(map, buf, len);
	if (munmap(map, len) && !err)
		err = errno;
	return err;
}

/* Read all of FD into *BUF (malloc'd) and *LEN. Returns 0 or errno. */
static int slurp(int fd, char **buf, size_t *len)
{
	size_t cap = 65536, n = 0;
	char *b = malloc(cap), *nb;
	ssize_t r;

	while (b) {
		if (n == cap) {
			nb = cap > SIZE_MAX / 2 ? NULL : realloc(b, cap * 2);
			if (!nb)
				break;
			b = nb;
			cap *= 2;
		}
		r = read(fd, b + n, cap - n);
		if (r == 0) {
			*buf = b;
			*len = n;
			return 0;
		}
		if (r < 0 && errno != EINTR) {
			free(b);
			return errno;
		}
		if (r > 0)
			n += (size_t)r;
	}
	free(b);
	return ENOMEM;
}

/* write(2) LEN bytes at P, straight from a mapping, to standard output.
 * EFAULT can only come from the mapping: the object shrank. */
static int copy_out(const struct shmname *n, const char *p, size_t len)
{
	ssize_t w;

	while (len) {
		w = write(STDOUT_FILENO, p, len);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0 && errno == EFAULT)
			return fail_name(n->path + 1, EIO,
					 "the object shrank while being read");
		if (w < 0) {
			fprintf(stderr, "pshm: write error: %s\n",
				strerror(errno));
			return 1;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

/* Copy FD to standard output with read(2), which leaves holes holes. */
static int copy_fd(const struct shmname *n, int fd)
{
	char buf[65536];
	ssize_t r;
	int ret = 0;

	while (!ret && (r = read(fd, buf, sizeof(buf))) != 0) {
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0)
			return fail(n, errno);
		ret = copy_out(n, buf, (size_t)r);
	}
	return ret;
}

/* ---- create ---- */

struct create_opts {
	bool excl, sized;
	mode_t mode;
	off_t size;
};

static void create_parse(int argc, char **argv, struct create_opts *o)
{
	int c;

	/* -c (O_CREAT) is what create always does now; still taken, so
	 * that scripts written for older versions run. */
	while ((c = next_opt(argc, argv, "cxm:s:", NULL)) != -1) {
		if (c == 'x')
			o->excl = true;
		if (c == 'm' && mode_get(optarg, &o->mode))
			exit(EXIT_FAILURE);
		if (c == 's' && size_get(optarg, &o->size))
			exit(EXIT_FAILURE);
		if (c == 's')
			o->sized = true;
	}
	if (argc - optind < 1)
		usage_error("create: missing operand");
}

/* Open N read-write, creating it (mode 0 until fchmod) unless it exists
 * (or, with -x, failing then). *CREATED tells whether this call made it.
 * Returns the fd or -errno. */
static int open_or_create(const struct shmname *n,
			  const struct create_opts *o, bool *created)
{
	int fd;

	*created = false;
	for (;;) {
		fd = shm_open(n->path, O_RDWR | O_CREAT | O_EXCL | OPEN_FLAGS,
			      0);
		if (fd >= 0) {
			*created = true;
			return fd;
		}
		if (errno != EEXIST || o->excl)
			return -errno;
		fd = shm_open(n->path, O_RDWR | OPEN_FLAGS, 0);
		if (fd >= 0 || errno != ENOENT)
			return fd < 0 ? -errno : fd;
		/* Unlinked between our two calls: try again. */
	}
}

static int create_one(const struct shmname *n, const void *arg)
{
	const struct create_opts *o = arg;
	struct stat st;
	bool created;
	int fd, err;

	fd = open_or_create(n, o, &created);
	if (fd < 0)
		return fail_obj(n, -fd);
	err = check_regular(fd, &st);
	if (!err && created && fchmod(fd, o->mode))
		err = errno;
	if (!err && o->sized && ftruncate(fd, o->size))
		err = errno;
	if (err && created)
		shm_unlink(n->path);
	close(fd);
	return err ? fail_obj(n, err) : 0;
}

int verb_create(int argc, char **argv)
{
	struct create_opts o = { .mode = PSHM_MODE };

	create_parse(argc, argv, &o);
	return each_name(argc, argv, create_one, &o);
}

/* ---- write and read ---- */

int verb_write(int argc, char **argv)
{
	struct shmname n;
	struct stat st;
	char *data = NULL;
	size_t len = 0;
	int fd, err;

	operands(argc, argv, "+", 1, 2);
	if (name_get(argv[optind], &n))
		return 1;
	fd = obj_open(&n, O_RDWR, &st);
	if (fd < 0)
		return 1;
	if (argc - optind == 2) {
		err = fill(fd, argv[optind + 1], strlen(argv[optind + 1]));
	} else {
		err = slurp(STDIN_FILENO, &data, &len);
		if (err) {
			close(fd);
			fprintf(stderr, "pshm: standard input: %s\n",
				strerror(err));
			return 1;
		}
		err = fill(fd, data, len);
		free(data);
	}
	close(fd);
	if (err == EIO)
		return fail_name(n.path + 1, EIO,
				 "the object shrank while being written");
	return err ? fail(&n, err) : 0;
}

int verb_read(int argc, char **argv)
{
	struct shmname n;
	struct stat st;
	size_t len;
	void *map;
	int fd, ret;

	operands(argc, argv, "", 1, 1);
	if (name_get(argv[optind], &n))
		return 1;
	fd = obj_open(&n, O_RDONLY, &st);
	if (fd < 0)
		return 1;
	len = (size_t)st.st_size;
	if ((uintmax_t)st.st_size > SIZE_MAX || !len) {
		close(fd);
		return len ? fail(&n, EFBIG) : 0;
	}
	if (shmobj_sparse(&st)) {
		ret = copy_fd(&n, fd);
		close(fd);
		return ret;
	}
	map = mmap(NULL, len, PROT_READ, MAP_SHARED, fd, 0);
	close(fd);
	if (map == MAP_FAILED)
		return fail(&n, errno);
	ret = copy_out(&n, map, len);
	munmap(map, len);
	return ret;
}

/* ---- unlink and stat ---- */

static int unlink_one(const struct shmname *n, const void *arg)
{
	(void)arg;
	return shm_unlink(n->path) ? fail(n, errno) : 0;
}

int verb_unlink(int argc, char **argv)
{
	operands(argc, argv, "", 1, -1);
	return each_name(argc, argv, unlink_one, NULL);
}

/* A name, with control bytes and '\' shown as \ooo: one line per name. */
static void put_name(const char *name)
{
	const unsigned char *p;

	for (p = (const unsigned char *)name; *p; p++) {
		if (*p < 0x20 || *p == 0x7f || *p == '\\')
			printf("\\%03o", *p);
		else
			putchar(*p);
	}
}

/* "KEY: 2024-01-31 12:34:56.123456789 +0100", as stat -c %y shows it. */
static void put_time(const char *key, const struct timespec *ts)
{
	char day[32] = "?", zone[8] = "";
	struct tm tm;

	if (localtime_r(&ts->tv_sec, &tm)) {
		strftime(day, sizeof(day), "%Y-%m-%d %H:%M:%S", &tm);
		strftime(zone, sizeof(zone), "%z", &tm);
	}
	printf("%s: %s.%09ld %s\n", key, day, (long)ts->tv_nsec, zone);
}

static void put_stat(const struct shmname *n, const struct stat *st)
{
	char sym[11], buf[24];

	fmt_mode(st->st_mode, sym);
	fputs("name: ", stdout);
	put_name(n->path);
	printf("\nsize: %jd\nblocks: %jd\n", (intmax_t)st->st_size,
	       (intmax_t)st->st_blocks);
	printf("mode: %04o\nperms: %s\n", (unsigned)(st->st_mode & 07777),
	       sym);
	printf("uid: %ju\nuser: %s\n", (uintmax_t)st->st_uid,
	       fmt_user(st->st_uid, buf));
	printf("gid: %ju\ngroup: %s\n", (uintmax_t)st->st_gid,
	       fmt_group(st->st_gid, buf));
	put_time("atime", &st->st_atim);
	put_time("mtime", &st->st_mtim);
	put_time("ctime", &st->st_ctim);
}

static int stat_one(const struct shmname *n, const void *arg)
{
	bool *first = (bool *)arg;
	struct stat st;
	int fd = obj_open(n, O_RDONLY, &st);

	if (fd < 0)
		return 1;
	close(fd);
	/* Several objects: a blank line between them. */
	if (!*first)
		putchar('\n');
	*first = false;
	put_stat(n, &st);
	return 0;
}

int verb_stat(int argc, char **argv)
{
	bool first = true;

	operands(argc, argv, "", 1, -1);
	return each_name(argc, argv, stat_one, &first);
}

/* ---- truncate and chmod ---- */

struct apply {
	int flags; /* of the open */
	int (*fn)(int fd, const struct apply *a); /* a system call's 0 or -1 */
	off_t size;
	mode_t mode;
};

static int apply_one(const struct shmname *n, const void *arg)
{
	const struct apply *a = arg;
	struct stat st;
	int fd = obj_open(n, a->flags, &st), err;

	if (fd < 0)
		return 1;
	err = a->fn(fd, a) ? errno : 0;
	close(fd);
	return err ? fail(n, err) : 0;
}

static int do_truncate(int fd, const struct apply *a)
{
	return ftruncate(fd, a->size);
}

static int do_chmod(int fd, const struct apply *a)
{
	return fchmod(fd, a->mode);
}

/* Does ARG read as a size (even one too large)? */
static bool is_size(const char *arg)
{
	uint64_t v;

	return sizes_parse_coreutils(arg, &v) != EINVAL;
}

int verb_truncate(int argc, char **argv)
{
	struct apply a = { .flags = O_RDWR, .fn = do_truncate };
	const char *size;
	int n;

	operands(argc, argv, "", 2, -1);
	n = argc - optind;
	size = argv[optind];
	/* SIZE NAME...; or the old order NAME SIZE: two operands, the first
	 * no size, and the second one or the first no number at all (so
	 * that "truncate /x big" names "big" as the bad size). */
	if (n == 2 && !is_size(argv[optind]) &&
	    (is_size(argv[optind + 1]) || !isdigit((unsigned char)*size))) {
		size = argv[optind + 1];
		argv[optind + 1] = argv[optind];
	}
	if (size_get(size, &a.size))
		return 1;
	optind++;
	return each_name(argc, argv, apply_one, &a);
}

int verb_chmod(int argc, char **argv)
{
	struct apply a = { .flags = O_RDONLY, .fn = do_chmod };

	operands(argc, argv, "", 2, -1);
	if (mode_get(argv[optind], &a.mode))
		return 1;
	optind++;
	return each_name(argc, argv, apply_one, &a);
}
