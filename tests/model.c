/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * A seeded randomized model test. One long random sequence of file and
 * directory operations is applied to two directories, the one under test
 * (a pshmfs mount) and a reference (a plain tmpfs directory); the first
 * operation whose results differ (return value, errno, bytes read, file
 * position, stat, listing) stops the run with the seed, the operation
 * number, the operation with its arguments and both results.
 *
 *   model [-f] [-s SEED] [-n OPS] [-p PREFIXLEN] [-v] DIR_UNDER_TEST REFERENCE_DIR
 *
 * The sequence depends on the seed alone (and on the starting contents,
 * empty directories in the tests), so "-s SEED -n OP" reruns a failure up
 * to the operation that failed. make check runs a short sequence through
 * tests/model.sh; a long one:
 *
 *   MODEL_OPS=200000 MODEL_SEED=1 make check TESTS=tests/model.sh
 *
 * or against a mount made by hand (-p: the length of the mount's prefix,
 * which shortens the longest name the mount allows):
 *
 *   src/pshmfs -o prefix=m. /mnt/x
 *   ref=$(mktemp -d /dev/shm/pshmfs-test.model.XXXXXX)
 *   tests/model -p 2 -n 200000 -s 1 /mnt/x "$ref"
 *
 * Each operation is one op_*() function in the table ops[] at the end;
 * link, the xattr calls (user.* names, every flag and buffer size) and
 * SEEK_DATA/SEEK_HOLE are issue 16's (never on the top directory, which
 * in the mount is the root: no object, no xattrs).
 *
 * The directory mix (the default) works on paths of up to about three
 * components from a pool of names, often an entry or a directory that
 * exists in the reference: mkdir, rmdir, rename of files and directories,
 * readdir and stat of any directory, and the file operations anywhere in
 * the tree. Where the mount differs from tmpfs by design (DESIGN.md, "The
 * namespace"), the generator keeps out of the way:
 *  - no component holds ':' (the mount's delimiter: EINVAL) nor begins
 *    with "sem." (hidden semaphores);
 *  - the mount caps the whole object name (prefix, path folded at ':', one
 *    more ':' for a directory's marker) at 255 bytes, tmpfs each component:
 *    paths are kept within the mount's cap, also the names a directory
 *    rename would give everything below it, but for deliberately
 *    over-long components (over 255 bytes), where both give ENAMETOOLONG;
 *  - RENAME_EXCHANGE involving a directory is not generated: the mount
 *    swaps two directories in three moves through a name beside the first
 *    (18 bytes longer, so near the 255-byte cap it differs), tested in
 *    tests/dirs.sh, and cannot swap a directory with a file (ENOENT);
 *  - "." and ".." only end a path, and ".." never leads out of the
 *    directory but as the whole path (where the kernel refuses every
 *    change); directories at or above the top compare by type (and the
 *    top by nlink), not by mode or owner.
 * Directory modes do not refuse anything: root runs the tests.
 *
 * The flat mix (-f) is files only, directly in the directory, for a mount
 * with a flat namespace (-o delim=): there names may hold ':'.
 *
 * The extended mix (-x) is the directory mix (the same sequence for none
 * of its seeds: more operations draw from it) and also:
 *  - directories held open: a descriptor on each side, and half the time
 *    a child process whose cwd is there; calls relative to them (openat
 *    O_CREAT, fstatat, mkdirat, unlinkat, listing from the start, fstat).
 *    A held directory that is removed or replaced stays a removed
 *    directory, as on tmpfs: calls in it fail with ENOENT and it lists
 *    empty; its fstat is not compared (tmpfs shows nlink 0, the mount's
 *    old node may be gone);
 *  - renames of a directory over another (often an empty one);
 *  - with -P PREFIX (the mount's prefix), another program's changes,
 *    made with shm_open and shm_unlink on the objects, between two
 *    operations, and mirrored in the reference as tmpfs would see them:
 *    a directory's marker removed and made again with the same mode and
 *    owner is a new directory under the old name holding what the old one
 *    held (the reference: the old one renamed aside, a new one made, the
 *    entries moved in, the old one removed, so what held the old one
 *    holds a removed directory); a file removed is unlinked; a file made
 *    and written is made with the same mode and bytes. The mount must
 *    show each within SEEN_MS (50 ms): the next stat of the name there
 *    gives what the reference gives.
 */
#ifdef HAVE_CONFIG_H
#include "config.h"
#endif
#ifndef _GNU_SOURCE
#define _GNU_SOURCE
#endif

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <time.h>
#include <unistd.h>

#define SHM "/dev/shm"

#define NSLOTS 8                 /* open files kept per side */
#define NDSLOTS 4                /* directories held open per side (-x) */
#define SEEN_MS 50               /* an outside change shows this soon */
#define NPOOL 8                  /* names in the pool */
#define MAX_IO (200 * 1024)      /* longest read or write */
#define NEAR (400 * 1024)        /* most offsets and sizes lie below */
#define FAR (64LL << 20)         /* sparse offsets and sizes, below */
#define VERY_FAR (1LL << 30)     /* and, rarely, past this */
#define CHECK_HEAD (1024 * 1024) /* a file check reads this much first */
#define CHECK_TAIL (256 * 1024)  /* and this much at the end */
#define DELIM ':'                /* never in a name, but with -f */
#define NOPOS (-2LL)             /* no file position asked for */
#define WALK_DEPTH 64            /* the reference tree walked this deep */

/* What a picked path is for (pick_path()). */
#define P_DOTS 1 /* may end in "." or ".." */
#define P_DIR 2  /* a directory's: one byte kept for its marker's ':' */

struct side {
	const char *dir;
	int dfd;
	int held[NDSLOTS];  /* directories held open, -1 when free (-x) */
	pid_t cwd[NDSLOTS]; /* a child whose cwd is that directory, or 0 */
	int fd[NSLOTS];     /* -1 when the slot is free (on both sides) */
	unsigned char *buf; /* MAX_IO bytes read back */
};

struct list {
	size_t n, cap;
	char **v;
};

struct model {
	struct side s[2]; /* [0] under test, [1] reference */
	const char *argv0;
	unsigned long long seed;
	uint64_t rng;
	unsigned long n;  /* operations asked for */
	unsigned long op; /* number of the current one */
	int prefixlen;
	bool verbose;
	bool flat;        /* -f: files only, directly in the directory */
	bool mix13;       /* -c: the operations of issue 13's seeds only */
	bool extended;    /* -x: held directories, renames over directories,
			   * and another program's changes */
	const char *prefix; /* -P: the mount's prefix, for those changes */
	int shmfd;        /* the shm directory, with -P */
	int nopen, nheld;
	unsigned long orphan_ops;
	unsigned char *wbuf;
	char desc[512]; /* the current operation, for reports */
	char slot_desc[NSLOTS][288];
	char held_desc[NDSLOTS][288];
	char pool[NPOOL][NAME_MAX + 1];
	char name[2][PATH_MAX]; /* the paths picked for this operation */
};

/* What one side gave for one operation. */
struct res {
	long long ret; /* -1 on failure */
	int err;       /* errno on failure, else 0 */
	long long pos; /* file position afterwards, or NOPOS */
	const unsigned char *data; /* ret bytes read, or NULL */
	bool has_st;
	struct stat st;
	int depth; /* how deep the path ends (path_depth()): what to compare */
	struct list *ls;
	int renewed; /* -1: not asked; else does the path name a new inode
		      * (a directory remade by another program)? */
};

/* ---- random numbers: splitmix64 ---- */

static uint64_t rnd(struct model *m)
{
	uint64_t z = (m->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static long long below(struct model *m, long long n)
{
	return n > 0 ? (long long)(rnd(m) % (uint64_t)n) : 0;
}

static bool chance(struct model *m, int pct)
{
	return below(m, 100) < pct;
}

static void fill(struct model *m, size_t len)
{
	for (size_t i = 0; i < len; i += 8) {
		uint64_t v = rnd(m);

		memcpy(m->wbuf + i, &v, len - i < 8 ? len - i : 8);
	}
}

/* ---- printing ---- */

#define E(x) { x, #x }
static const struct {
	int e;
	const char *name;
} errnames[] = {
	E(EPERM), E(ENOENT), E(EIO), E(ENXIO), E(EBADF), E(EAGAIN),
	E(ENOMEM), E(EACCES), E(EFAULT), E(EBUSY), E(EEXIST), E(EXDEV),
	E(ENODEV), E(ENOTDIR), E(EISDIR), E(EINVAL), E(ENFILE), E(EMFILE),
	E(ETXTBSY), E(EFBIG), E(ENOSPC), E(ESPIPE), E(EROFS), E(EMLINK),
	E(ERANGE), E(ENAMETOOLONG), E(ENOSYS), E(ENOTEMPTY), E(ELOOP),
	E(EOVERFLOW), E(EOPNOTSUPP), E(ENOTCONN), E(ESTALE),
};
#undef E

static const char *errname(int e)
{
	static char other[24];

	for (size_t i = 0; i < sizeof(errnames) / sizeof(errnames[0]); i++)
		if (errnames[i].e == e)
			return errnames[i].name;
	snprintf(other, sizeof(other), "errno %d", e);
	return other;
}

/* NAME quoted, with bytes outside printable ASCII as \xNN; a long one
 * shortened to its start and its length. */
static const char *show_name(const char *name, char *out, size_t size)
{
	size_t len = strlen(name), o = 0;

	out[o++] = '"';
	for (size_t i = 0; i < len && i < 40 && o + 8 < size; i++) {
		unsigned char c = (unsigned char)name[i];

		if (c < 0x20 || c >= 0x7f || c == '"' || c == '\\')
			o += snprintf(out + o, size - o, "\\x%02x", c);
		else
			out[o++] = (char)c;
	}
	if (len > 40)
		snprintf(out + o, size - o, "...\" (%zu bytes)", len);
	else
		snprintf(out + o, size - o, "\"");
	return out;
}

static void show_flags(int flags, char *out, size_t size)
{
	static const struct {
		int flag;
		const char *name;
	} opt[] = {
		{ O_CREAT, "O_CREAT" },	    { O_EXCL, "O_EXCL" },
		{ O_TRUNC, "O_TRUNC" },	    { O_APPEND, "O_APPEND" },
		{ O_DIRECTORY, "O_DIRECTORY" },
	};
	static const char *const acc[] = { "O_RDONLY", "O_WRONLY", "O_RDWR" };
	size_t o = snprintf(out, size, "%s", acc[flags & O_ACCMODE]);

	for (size_t i = 0; i < sizeof(opt) / sizeof(opt[0]); i++)
		if ((flags & opt[i].flag) && o < size)
			o += snprintf(out + o, size - o, "|%s", opt[i].name);
}

static void describe(struct model *m, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void describe(struct model *m, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(m->desc, sizeof(m->desc), fmt, ap);
	va_end(ap);
}

static void show_stat(const struct stat *st)
{
	printf(", mode 0%o size %lld nlink %lu uid %u gid %u",
	       (unsigned)st->st_mode, (long long)st->st_size,
	       (unsigned long)st->st_nlink, (unsigned)st->st_uid,
	       (unsigned)st->st_gid);
}

static void show_res(const char *who, const char *dir, const struct res *r)
{
	printf("#   %s (%s): ", who, dir);
	if (r->ret < 0)
		printf("-1 %s (%s)", errname(r->err), strerror(r->err));
	else
		printf("%lld", r->ret);
	if (r->pos != NOPOS)
		printf(", file position %lld", r->pos);
	if (r->has_st)
		show_stat(&r->st);
	if (r->renewed >= 0)
		printf(r->renewed ? ", a new inode" : ", the inode it was");
	printf("\n");
}

static void dump(const char *who, const unsigned char *p, size_t at,
		 size_t len)
{
	printf("#   %-10s bytes %zu..:", who, at);
	for (size_t i = at; i < len && i < at + 16; i++)
		printf(" %02x", p[i]);
	printf("\n");
}

static void show_data_diff(const struct res r[2])
{
	size_t i = 0, len = (size_t)r[0].ret;

	while (i < len && r[0].data[i] == r[1].data[i])
		i++;
	printf("#   the %zu bytes read differ first at byte %zu:\n", len, i);
	dump("under test", r[0].data, i, len);
	dump("reference", r[1].data, i, len);
}

static void show_list_diff(const struct list *a, const struct list *b)
{
	size_t i = 0, j = 0;
	char nm[128];

	while (i < a->n || j < b->n) {
		int c = i == a->n ? 1 : j == b->n ? -1 :
						    strcmp(a->v[i], b->v[j]);

		if (c < 0)
			printf("#   only under test: %s\n",
			       show_name(a->v[i], nm, sizeof(nm)));
		if (c > 0)
			printf("#   only in reference: %s\n",
			       show_name(b->v[j], nm, sizeof(nm)));
		i += c <= 0;
		j += c >= 0;
	}
}

/* ---- results ---- */

static void res_init(struct res *r)
{
	memset(r, 0, sizeof(*r));
	r->pos = NOPOS;
	r->depth = 1;
	r->renewed = -1;
}

/* Call right after the call that gave RET, while errno is its. */
static void res_set(struct res *r, long long ret)
{
	r->ret = ret < 0 ? -1 : ret;
	r->err = ret < 0 ? errno : 0;
}

static void res_pos(struct res *r, int fd)
{
	r->pos = lseek(fd, 0, SEEK_CUR);
}

static bool same_owner(const struct stat *a, const struct stat *b)
{
	return a->st_mode == b->st_mode && a->st_uid == b->st_uid &&
	       a->st_gid == b->st_gid;
}

/* Files: all but times and inode numbers. Directories: not their size
 * either; the top (DEPTH 0) only by nlink, what lies above it (DEPTH < 0,
 * "..") only by type. */
static bool same_stat(const struct stat *a, const struct stat *b, int depth)
{
	if ((a->st_mode & S_IFMT) != (b->st_mode & S_IFMT))
		return false;
	if (S_ISDIR(a->st_mode))
		return depth < 0 || (a->st_nlink == b->st_nlink &&
				     (depth == 0 || same_owner(a, b)));
	if (!S_ISREG(a->st_mode))
		return true;
	return same_owner(a, b) && a->st_size == b->st_size &&
	       a->st_nlink == b->st_nlink;
}

static bool same_list(const struct list *a, const struct list *b)
{
	if (a->n != b->n)
		return false;
	for (size_t i = 0; i < a->n; i++)
		if (strcmp(a->v[i], b->v[i]))
			return false;
	return true;
}

static const char *differs(const struct res r[2])
{
	if (r[0].ret != r[1].ret || r[0].err != r[1].err)
		return "result";
	if (r[0].pos != r[1].pos)
		return "file position";
	if (r[0].data && r[0].ret > 0 &&
	    memcmp(r[0].data, r[1].data, (size_t)r[0].ret))
		return "data";
	if (r[0].has_st != r[1].has_st ||
	    (r[0].has_st && !same_stat(&r[0].st, &r[1].st, r[0].depth)))
		return "stat";
	if (r[0].ls && r[1].ls && !same_list(r[0].ls, r[1].ls))
		return "listing";
	if (r[0].renewed >= 0 && r[1].renewed >= 0 &&
	    r[0].renewed != r[1].renewed)
		return "identity";
	return NULL;
}

static void report(struct model *m, const char *what, const struct res r[2])
{
	printf("# DIFFERENCE (%s) at operation %lu, seed %llu\n", what, m->op,
	       m->seed);
	printf("#   operation: %s\n", m->desc);
	show_res("under test", m->s[0].dir, &r[0]);
	show_res("reference", m->s[1].dir, &r[1]);
	if (!strcmp(what, "data"))
		show_data_diff(r);
	if (!strcmp(what, "listing"))
		show_list_diff(r[0].ls, r[1].ls);
	printf("# rerun: %s%s%s%s%s -s %llu -n %lu -p %d DIR_UNDER_TEST REFERENCE_DIR"
	       " (both empty)\n",
	       m->argv0, m->mix13 ? " -c" : "", m->flat ? " -f" : "",
	       m->extended ? " -x" : "",
	       m->prefix ? " -P PREFIX" : "", m->seed, m->op, m->prefixlen);
}

/* 0 when both sides gave the same, else report and 1. */
static int compare(struct model *m, const struct res r[2])
{
	const char *what = differs(r);

	if (what) {
		report(m, what, r);
		return 1;
	}
	if (m->verbose) {
		printf("# %lu %s = %lld", m->op, m->desc, r[1].ret);
		if (r[1].ret < 0)
			printf(" %s", errname(r[1].err));
		printf("\n");
	}
	return 0;
}

/* ---- lists of names ---- */

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static void list_free(struct list *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

static void list_add(struct list *l, const char *name)
{
	if (l->n == l->cap) {
		l->cap = l->cap ? 2 * l->cap : 64;
		l->v = realloc(l->v, l->cap * sizeof(*l->v));
	}
	l->v[l->n] = strdup(name);
	if (!l->v || !l->v[l->n]) {
		perror("model");
		exit(2);
	}
	l->n++;
}

/* The sorted names D gives but "." and ".."; D closed. 0, or -1. */
static long long list_stream(DIR *d, struct list *l)
{
	struct dirent *e;
	int err;

	if (!d)
		return -1;
	errno = 0;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			list_add(l, e->d_name);
	err = errno;
	closedir(d);
	errno = err;
	if (err)
		return -1;
	qsort(l->v, l->n, sizeof(*l->v), by_name);
	return 0;
}

/* The sorted names in DIR but "." and "..": 0, or -1. */
static long long list_dir(const char *dir, struct list *l)
{
	return list_stream(opendir(dir), l);
}

/* ---- picking arguments ---- */

static void make_pool(struct model *m)
{
	static const char *const fixed[NPOOL - 1] = {
		"a", "b", "c", "data.bin", "x y", "-n", "UPPER.case",
	};
	/* As long as a name at the top may be: a directory's marker needs a
	 * byte more. */
	int longest = NAME_MAX - m->prefixlen - !m->flat;

	for (int i = 0; i < NPOOL - 1; i++)
		snprintf(m->pool[i], sizeof(m->pool[i]), "%s", fixed[i]);
	memset(m->pool[NPOOL - 1], 'L', longest);
	m->pool[NPOOL - 1][longest] = '\0';
}

/* A name into OUT (NAME_MAX + 64 bytes): mostly from the pool, sometimes
 * an odd or a bad one. "." and ".." only where DOTS (never for chmod:
 * ".." of the reference is /dev/shm). */
static void pick_name(struct model *m, char *out, bool dots)
{
	long long r = below(m, 100);
	int c;

	if (r >= 12 || (r < 3 && !dots)) {
		strcpy(out, m->pool[below(m, NPOOL)]);
	} else if (r >= 8) { /* a byte from 1..255, not '/' */
		do
			c = 1 + (int)below(m, 255);
		while (c == '/' || (c == DELIM && !m->flat));
		sprintf(out, "q%cz", c);
	} else if (r >= 5) { /* too long, on both sides */
		size_t len = chance(m, 50) ? NAME_MAX + 1 : 300;

		memset(out, 'L', len);
		out[len] = '\0';
	} else if (r >= 3) {
		out[0] = '\0';
	} else {
		strcpy(out, chance(m, 50) ? "." : "..");
	}
}

/* ---- paths, for the directory mix ---- */

static bool is_dot(const char *comp)
{
	return !strcmp(comp, ".") || !strcmp(comp, "..");
}

static const char *last_of(const char *path)
{
	const char *slash = strrchr(path, '/');

	return slash ? slash + 1 : path;
}

/* How deep PATH ends below the top: "a/b" 2, "." and "a/.." 0, ".." -1;
 * *OUT tells whether a component but the last leads above the top. */
static int depth_of(const char *path, bool *out)
{
	int depth = 0;
	size_t len;

	*out = false;
	for (const char *c = path; *c; c += len + (c[len] == '/')) {
		len = strcspn(c, "/");
		if (len == 2 && !strncmp(c, "..", 2))
			depth--;
		else if (len && !(len == 1 && *c == '.'))
			depth++;
		*out |= depth < 0 && c[len];
	}
	return depth;
}

static int path_depth(const char *path)
{
	bool out;

	return depth_of(path, &out);
}

/* Stop unless PATH stays in the directory: not absolute, no ".." out of
 * it but as the last component (there the kernel refuses any change).
 * "../x" of the reference is a name in /dev/shm. */
static const char *inside(const char *path)
{
	bool out;

	depth_of(path, &out);
	if (path[0] == '/' || out) {
		fprintf(stderr, "model: made a path out: %s\n", path);
		exit(2);
	}
	return path;
}

/* PATH without a trailing '/': as long as its object's name past the
 * prefix ('/' folds into ':'). */
static size_t path_len(const char *path)
{
	size_t len = strlen(path);

	while (len && path[len - 1] == '/')
		len--;
	return len;
}

/* Within the mount's longest object name, RESERVE bytes kept? */
static bool fits(const struct model *m, const char *path, size_t reserve)
{
	return (size_t)m->prefixlen + path_len(path) + reserve <= NAME_MAX;
}

static bool is_dir_entry(const char *entry)
{
	return entry[0] && entry[strlen(entry) - 1] == '/';
}

/* Add the entries of the directory REL ("" or ending in '/') of the tree
 * at DFD to L, directories with a '/' at the end; and what lies below
 * them, DEPTH levels down. */
static void walk(int dfd, const char *rel, struct list *l, int depth)
{
	char path[PATH_MAX];
	int fd = openat(dfd, *rel ? rel : ".",
			O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	DIR *d = fd < 0 ? NULL : fdopendir(fd);
	struct dirent *e;
	struct stat st;

	if (!d) {
		if (fd >= 0)
			close(fd);
		return;
	}
	while ((e = readdir(d))) {
		if (is_dot(e->d_name) ||
		    strlen(rel) + strlen(e->d_name) + 2 > sizeof(path))
			continue;
		strcat(strcpy(path, rel), e->d_name);
		if (e->d_type != DT_DIR &&
		    (e->d_type != DT_UNKNOWN ||
		     fstatat(dfd, path, &st, AT_SYMLINK_NOFOLLOW) ||
		     !S_ISDIR(st.st_mode))) {
			list_add(l, path);
			continue;
		}
		list_add(l, strcat(path, "/"));
		if (depth > 0)
			walk(dfd, path, l, depth - 1);
	}
	closedir(d);
}

static void walk_sorted(int dfd, const char *rel, struct list *l, int depth)
{
	walk(dfd, rel, l, depth);
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), by_name);
}

/* A random entry of L (a directory, where DIRS), or NULL. */
static const char *pick_from(struct model *m, const struct list *l, bool dirs)
{
	size_t n = 0, k, i;

	for (i = 0; i < l->n; i++)
		n += !dirs || is_dir_entry(l->v[i]);
	if (!n)
		return NULL;
	k = (size_t)below(m, (long long)n);
	for (i = 0;; i++)
		if ((!dirs || is_dir_entry(l->v[i])) && k-- == 0)
			return l->v[i];
}

/* A random entry of the reference (a directory, where DIRS) into OUT,
 * without its '/'; false when there is none. From the top down, one
 * level further in half the time. */
static bool pick_entry(struct model *m, char *out, bool dirs)
{
	struct list l = { 0 };
	char cur[PATH_MAX] = "";
	const char *e;

	out[0] = '\0';
	for (int depth = 0; depth < WALK_DEPTH; depth++) {
		walk_sorted(m->s[1].dfd, cur, &l, 0);
		e = pick_from(m, &l, dirs);
		if (e)
			strcpy(out, e);
		list_free(&l);
		if (!e || !is_dir_entry(out) || chance(m, 50))
			break;
		strcpy(cur, out);
	}
	out[path_len(out)] = '\0';
	return out[0] != '\0';
}

/* Where a new name goes, into OUT: "" (the top) or a path ending in '/':
 * mostly a directory of the reference, sometimes any of its entries (a
 * file: ENOTDIR) or pool names that may not exist. */
static void pick_parent(struct model *m, char *out)
{
	long long r = below(m, 100);

	out[0] = '\0';
	if (r < 40)
		return;
	if (r < 88) {
		if (pick_entry(m, out, r < 80))
			strcat(out, "/");
		return;
	}
	for (int k = (int)below(m, 2); k >= 0; k--) {
		const char *comp = m->pool[below(m, NPOOL - 1)];
		size_t len = strlen(out), clen = strlen(comp);

		memcpy(out + len, comp, clen);
		strcpy(out + len + clen, "/");
	}
}

/* A name into OUT that makes PARENT's child just as long as the mount
 * allows, RESERVE bytes kept. */
static void fill_name(const struct model *m, const char *parent,
		      size_t reserve, char *out)
{
	long long len = NAME_MAX - m->prefixlen - (long long)reserve -
			(long long)strlen(parent);

	len = len < 1 ? 1 : len;
	memset(out, 'F', (size_t)len);
	out[len] = '\0';
}

/* A path for argument WHICH into m->name[WHICH]. FLAGS: P_DOTS, P_DIR.
 * In the directory mix: an entry of the reference, or a name from
 * pick_name() or fill_name() in a directory from pick_parent(); kept
 * within the mount's longest object name (a directory's a byte shorter)
 * but for deliberately over-long last components. */
static const char *pick_path(struct model *m, int which, int flags)
{
	char *p = m->name[which], last[NAME_MAX + 64];
	size_t reserve = flags & P_DIR ? 1 : 0;
	long long r;

	if (m->flat) {
		pick_name(m, p, flags & P_DOTS);
		return inside(p);
	}
	r = below(m, 100);
	if (r < 30 && pick_entry(m, p, false)) {
		strcpy(last, last_of(p));
	} else {
		pick_parent(m, p);
		if (r < 34)
			fill_name(m, p, reserve, last);
		else
			pick_name(m, last, flags & P_DOTS);
		strcat(p, last);
	}
	if (strlen(last) > NAME_MAX || fits(m, p, reserve))
		return inside(p);
	strcpy(p, last); /* at the top instead */
	if (!fits(m, p, reserve))
		strcpy(p, m->pool[below(m, 3)]);
	return inside(p);
}

static const char *path_arg(struct model *m, int which, int flags,
			    char *out, size_t size)
{
	return show_name(pick_path(m, which, flags), out, size);
}

/* Is PATH a directory in the reference? */
static bool ref_dir(struct model *m, const char *path)
{
	struct stat st;

	return fstatat(m->s[1].dfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
	       S_ISDIR(st.st_mode);
}

/* Mostly a directory of the reference, else any path. */
static const char *pick_dir(struct model *m, int which, int flags)
{
	if (!m->flat && chance(m, 50) && pick_entry(m, m->name[which], true))
		return inside(m->name[which]);
	return pick_path(m, which, flags);
}

static long long pick_off(struct model *m)
{
	long long r = below(m, 100);

	if (r < 70)
		return below(m, NEAR);
	if (r < 88)
		return below(m, 8192);
	if (r < 98)
		return NEAR + below(m, FAR);
	return VERY_FAR + below(m, FAR);
}

static size_t pick_len(struct model *m)
{
	long long r = below(m, 100);

	if (r < 5)
		return 0;
	if (r < 50)
		return (size_t)below(m, 4097);
	return (size_t)below(m, MAX_IO + 1);
}

static long long pick_size(struct model *m)
{
	long long r = below(m, 100);

	if (r < 10)
		return 0;
	if (r < 12)
		return -1;
	return pick_off(m);
}

static mode_t pick_mode(struct model *m)
{
	static const mode_t modes[] = {
		0644, 0600, 0666, 0400, 0444, 0755, 0700, 0, 04755, 02750, 01644,
	};

	if (chance(m, 10))
		return (mode_t)below(m, 07777 + 1);
	return modes[below(m, sizeof(modes) / sizeof(modes[0]))];
}

static int pick_flags(struct model *m)
{
	static const int acc[] = { O_RDONLY, O_WRONLY, O_RDWR, O_RDWR };
	int f = acc[below(m, 4)];

	if (chance(m, 60))
		f |= O_CREAT;
	if (chance(m, 15))
		f |= O_EXCL;
	if (chance(m, 15))
		f |= O_TRUNC;
	if (chance(m, 20))
		f |= O_APPEND;
	if (chance(m, 3))
		f |= O_DIRECTORY;
	return f;
}

/* ---- open files ---- */

static bool slot_open(const struct model *m, int k)
{
	return m->s[0].fd[k] >= 0;
}

/* A random open slot (there is one); counts the operations on files
 * unlinked or renamed over while open. */
static int pick_slot(struct model *m)
{
	int k = (int)below(m, NSLOTS);
	struct stat st;

	while (!slot_open(m, k))
		k = (k + 1) % NSLOTS;
	if (fstat(m->s[1].fd[k], &st) == 0 && st.st_nlink == 0)
		m->orphan_ops++;
	return k;
}

static int close_slot(struct model *m, int k)
{
	struct res r[2];

	describe(m, "close(%s)", m->slot_desc[k]);
	for (int i = 0; i < 2; i++) {
		res_init(&r[i]);
		res_set(&r[i], close(m->s[i].fd[k]));
		m->s[i].fd[k] = -1;
	}
	m->nopen--;
	return compare(m, r);
}

/* A free slot, closing a random one when all are taken; -1 when that
 * close differed. */
static int free_slot(struct model *m)
{
	int k;

	for (k = 0; k < NSLOTS; k++)
		if (!slot_open(m, k))
			return k;
	k = (int)below(m, NSLOTS);
	return close_slot(m, k) ? -1 : k;
}

/* Keep the files just opened in slot K, unless they are directories or
 * the sides differed. */
static void keep(struct model *m, int k, const int fd[2],
		 const struct res r[2], bool diff)
{
	if (!diff && fd[0] >= 0 && S_ISREG(r[1].st.st_mode)) {
		m->s[0].fd[k] = fd[0];
		m->s[1].fd[k] = fd[1];
		m->nopen++;
		return;
	}
	for (int i = 0; i < 2; i++)
		if (fd[i] >= 0)
			close(fd[i]);
}

/* ---- the operations: each picks its arguments, applies them to both
 * sides, and returns compare()'s verdict ---- */

static int op_open(struct model *m)
{
	char nm[128], fl[128];
	const char *name;
	int flags = pick_flags(m), k, fd[2], diff;
	mode_t mode = pick_mode(m);
	struct res r[2];

	show_flags(flags, fl, sizeof(fl));
	path_arg(m, 0, P_DOTS, nm, sizeof(nm));
	name = m->name[0];
	k = free_slot(m);
	if (k < 0)
		return 1;
	describe(m, "open(%s, %s, 0%o) as fd%d", nm, fl, (unsigned)mode, k);
	for (int i = 0; i < 2; i++) {
		res_init(&r[i]);
		fd[i] = openat(m->s[i].dfd, name, flags, mode);
		res_set(&r[i], fd[i] < 0 ? -1 : 0);
		if (fd[i] >= 0)
			r[i].has_st = fstat(fd[i], &r[i].st) == 0;
		r[i].depth = path_depth(name);
	}
	diff = compare(m, r);
	snprintf(m->slot_desc[k], sizeof(m->slot_desc[k]), "fd%d %s %s", k,
		 nm, fl);
	keep(m, k, fd, r, diff);
	return diff;
}

static int op_close(struct model *m)
{
	return close_slot(m, pick_slot(m));
}

static int op_read(struct model *m)
{
	int k = pick_slot(m);
	size_t len = pick_len(m);
	struct res r[2];

	describe(m, "read(%s, %zu)", m->slot_desc[k], len);
	for (int i = 0; i < 2; i++) {
		struct side *s = &m->s[i];

		res_init(&r[i]);
		res_set(&r[i], read(s->fd[k], s->buf, len));
		r[i].data = s->buf;
		res_pos(&r[i], s->fd[k]);
	}
	return compare(m, r);
}

static int op_write(struct model *m)
{
	int k = pick_slot(m);
	size_t len = pick_len(m);
	struct res r[2];

	fill(m, len);
	describe(m, "write(%s, %zu)", m->slot_desc[k], len);
	for (int i = 0; i < 2; i++) {
		res_init(&r[i]);
		res_set(&r[i], write(m->s[i].fd[k], m->wbuf, len));
		res_pos(&r[i], m->s[i].fd[k]);
	}
	return compare(m, r);
}

static int op_pread(struct model *m)
{
	int k = pick_slot(m);
	size_t len = pick_len(m);
	long long off = chance(m, 1) ? -1 : pick_off(m);
	struct res r[2];

	describe(m, "pread(%s, %zu, %lld)", m->slot_desc[k], len, off);
	for (int i = 0; i < 2; i++) {
		struct side *s = &m->s[i];

		res_init(&r[i]);
		res_set(&r[i], pread(s->fd[k], s->buf, len, (off_t)off));
		r[i].data = s->buf;
		res_pos(&r[i], s->fd[k]);
	}
	return compare(m, r);
}

static int op_pwrite(struct model *m)
{
	int k = pick_slot(m);
	size_t len = pick_len(m);
	long long off = chance(m, 1) ? -1 : pick_off(m);
	struct res r[2];

	fill(m, len);
	describe(m, "pwrite(%s, %zu, %lld)", m->slot_desc[k], len, off);
	for (int i = 0; i < 2; i++) {
		res_init(&r[i]);
		res_set(&r[i], pwrite(m->s[i].fd[k], m->wbuf, len, (off_t)off));
		res_pos(&r[i], m->s[i].fd[k]);
	}
	return compare(m, r);
}

static int op_lseek(struct model *m)
{
	static const char *const wname[] = { "SEEK_SET", "SEEK_CUR",
					     "SEEK_END" };
	int k = pick_slot(m), whence = (int)below(m, 3);
	long long off;
	struct res r[2];

	if (whence == SEEK_SET)
		off = chance(m, 5) ? -1 - below(m, 4096) : pick_off(m);
	else
		off = below(m, 2 * NEAR) - NEAR;
	describe(m, "lseek(%s, %lld, %s)", m->slot_desc[k], off,
		 wname[whence]);
	for (int i = 0; i < 2; i++) {
		res_init(&r[i]);
		res_set(&r[i], lseek(m->s[i].fd[k], (off_t)off, whence));
		res_pos(&r[i], m->s[i].fd[k]);
	}
	return compare(m, r);
}

static int op_ftruncate(struct model *m)
{
	int k = pick_slot(m);
	long long size = pick_size(m);
	struct res r[2];

	describe(m, "ftruncate(%s, %lld)", m->slot_desc[k], size);
	for (int i = 0; i < 2; i++) {
		res_init(&r[i]);
		res_set(&r[i], ftruncate(m->s[i].fd[k], (off_t)size));
		res_pos(&r[i], m->s[i].fd[k]);
	}
	return compare(m, r);
}

static int op_truncate(struct model *m)
{
	char nm[128], path[PATH_MAX + 512];
	long long size = pick_size(m);
	const char *name;
	struct res r[2];

	path_arg(m, 0, P_DOTS, nm, sizeof(nm));
	name = m->name[0];
	describe(m, "truncate(%s, %lld)", nm, size);
	for (int i = 0; i < 2; i++) {
		snprintf(path, sizeof(path), "%s/%s", m->s[i].dir, name);
		res_init(&r[i]);
		res_set(&r[i], truncate(path, (off_t)size));
	}
	return compare(m, r);
}

static int op_unlink(struct model *m)
{
	char nm[128];
	const char *name;
	struct res r[2];

	path_arg(m, 0, P_DOTS, nm, sizeof(nm));
	name = m->name[0];
	describe(m, "unlink(%s)", nm);
	for (int i = 0; i < 2; i++) {
		res_init(&r[i]);
		res_set(&r[i], unlinkat(m->s[i].dfd, name, 0));
	}
	return compare(m, r);
}

/* A path below m->name[0] (not ending in a dot: dots only end a path)
 * into m->name[1]: into its own subtree. */
static void pick_inside(struct model *m)
{
	char last[NAME_MAX + 64];

	pick_name(m, last, false);
	strcpy(m->name[1], m->name[0]);
	if (strlen(m->name[0]) + strlen(last) + 2 <= sizeof(m->name[1]))
		strcat(strcat(m->name[1], "/"), last);
	inside(m->name[1]);
}

/* Would every object below m->name[0], if a directory of the reference,
 * still keep within the mount's longest name under m->name[1]? Each
 * entry counts with its '/' (directories' with the marker's ':' too). */
static bool moved_fit(struct model *m)
{
	const char *from = m->name[0], *to = m->name[1];
	char dir[PATH_MAX];
	size_t flen = path_len(from), most = 1;
	struct list l = { 0 };

	if (is_dot(last_of(from)) || is_dot(last_of(to)) ||
	    strlen(last_of(to)) > NAME_MAX || !ref_dir(m, from))
		return true;
	memcpy(dir, from, flen);
	strcpy(dir + flen, "/");
	walk(m->s[1].dfd, dir, &l, WALK_DEPTH);
	for (size_t i = 0; i < l.n; i++)
		if (strlen(l.v[i]) - flen > most)
			most = strlen(l.v[i]) - flen;
	list_free(&l);
	return fits(m, to, most);
}

static bool pick_target_dir(struct model *m, char *out);
static void unhold_all(void);

static int op_rename(struct model *m)
{
	static const unsigned flags[] = { 0, 0, RENAME_NOREPLACE,
					  RENAME_EXCHANGE };
	static const char *const fname[] = { "0", "0", "RENAME_NOREPLACE",
					     "RENAME_EXCHANGE" };
	char from[128], to[128];
	int f = (int)below(m, 4);
	struct res r[2];

	pick_path(m, 0, P_DOTS);
	if (!m->flat && path_len(m->name[0]) &&
	    !is_dot(last_of(m->name[0])) && chance(m, 8))
		pick_inside(m);
	else
		pick_path(m, 1, P_DOTS);
	/* -x: a directory over another, empty or not. */
	if (m->extended && chance(m, 15) && pick_entry(m, m->name[0], true) &&
	    !pick_target_dir(m, m->name[1]))
		pick_path(m, 1, P_DOTS);
	/* Not generated: exchanges involving a directory (see the top). */
	if (!m->flat && f == 3 &&
	    (ref_dir(m, m->name[0]) || ref_dir(m, m->name[1])))
		f = (int)below(m, 3);
	/* Too long below the target: a short name at the top instead. */
	if (!m->flat && !moved_fit(m))
		strcpy(m->name[1], m->pool[below(m, NPOOL - 1)]);
	if (!m->flat && !moved_fit(m))
		strcpy(m->name[1], m->pool[below(m, 3)]);
	show_name(m->name[0], from, sizeof(from));
	show_name(m->name[1], to, sizeof(to));
	describe(m, "rename(%s, %s, %s)", from, to, fname[f]);
	for (int i = 0; i < 2; i++) {
		int dfd = m->s[i].dfd;

		res_init(&r[i]);
		res_set(&r[i], renameat2(dfd, m->name[0], dfd, m->name[1],
					 flags[f]));
	}
	return compare(m, r);
}

static int op_chmod(struct model *m)
{
	char nm[128];
	mode_t mode = pick_mode(m);
	struct res r[2];

	path_arg(m, 0, 0, nm, sizeof(nm));
	describe(m, "chmod(%s, 0%o)", nm, (unsigned)mode);
	for (int i = 0; i < 2; i++) {
		res_init(&r[i]);
		res_set(&r[i], fchmodat(m->s[i].dfd, m->name[0], mode, 0));
	}
	return compare(m, r);
}

static int op_fchmod(struct model *m)
{
	int k = pick_slot(m);
	mode_t mode = pick_mode(m);
	struct res r[2];

	describe(m, "fchmod(%s, 0%o)", m->slot_desc[k], (unsigned)mode);
	for (int i = 0; i < 2; i++) {
		res_init(&r[i]);
		res_set(&r[i], fchmod(m->s[i].fd[k], mode));
	}
	return compare(m, r);
}

static int op_stat(struct model *m)
{
	char nm[128];
	struct res r[2];

	path_arg(m, 0, P_DOTS, nm, sizeof(nm));
	describe(m, "stat(%s)", nm);
	for (int i = 0; i < 2; i++) {
		res_init(&r[i]);
		res_set(&r[i], fstatat(m->s[i].dfd, m->name[0], &r[i].st, 0));
		r[i].has_st = r[i].ret == 0;
		r[i].depth = path_depth(m->name[0]);
	}
	return compare(m, r);
}

static int op_fstat(struct model *m)
{
	int k = pick_slot(m);
	struct res r[2];

	describe(m, "fstat(%s)", m->slot_desc[k]);
	for (int i = 0; i < 2; i++) {
		res_init(&r[i]);
		res_set(&r[i], fstat(m->s[i].fd[k], &r[i].st));
		r[i].has_st = r[i].ret == 0;
	}
	return compare(m, r);
}

/* List the directory PATH ("" the top) on both sides. */
static int readdir_at(struct model *m, const char *path)
{
	struct list l[2] = { { 0 } };
	char nm[128], dir[2 * PATH_MAX];
	struct res r[2];
	int diff;

	describe(m, "readdir(%s)", show_name(path, nm, sizeof(nm)));
	for (int i = 0; i < 2; i++) {
		snprintf(dir, sizeof(dir), "%s/%s", m->s[i].dir, path);
		res_init(&r[i]);
		res_set(&r[i], list_dir(dir, &l[i]));
		r[i].ls = &l[i];
	}
	diff = compare(m, r);
	list_free(&l[0]);
	list_free(&l[1]);
	return diff;
}

static int op_readdir(struct model *m)
{
	return readdir_at(m, pick_dir(m, 0, 0));
}

static int op_mkdir(struct model *m)
{
	char nm[128];
	mode_t mode = pick_mode(m);
	struct res r[2];

	path_arg(m, 0, P_DOTS | P_DIR, nm, sizeof(nm));
	describe(m, "mkdir(%s, 0%o), stat", nm, (unsigned)mode);
	for (int i = 0; i < 2; i++) {
		res_init(&r[i]);
		res_set(&r[i], mkdirat(m->s[i].dfd, m->name[0], mode));
		r[i].has_st = r[i].ret == 0 &&
			      fstatat(m->s[i].dfd, m->name[0], &r[i].st, 0) == 0;
	}
	return compare(m, r);
}

static int op_rmdir(struct model *m)
{
	char nm[128];
	struct res r[2];

	show_name(pick_dir(m, 0, P_DOTS), nm, sizeof(nm));
	describe(m, "rmdir(%s)", nm);
	for (int i = 0; i < 2; i++) {
		res_init(&r[i]);
		res_set(&r[i], unlinkat(m->s[i].dfd, m->name[0], AT_REMOVEDIR));
	}
	return compare(m, r);
}

/* ---- issue 16: hard links, xattrs, sparse seeks ---- */

static int op_link(struct model *m)
{
	char nm[128], nm2[128];
	struct res r[2];

	path_arg(m, 0, 0, nm, sizeof(nm));
	path_arg(m, 1, 0, nm2, sizeof(nm2));
	describe(m, "link(%s, %s), stat", nm, nm2);
	for (int i = 0; i < 2; i++) {
		res_init(&r[i]);
		res_set(&r[i], linkat(m->s[i].dfd, m->name[0], m->s[i].dfd,
				      m->name[1], 0));
		r[i].has_st = r[i].ret == 0 &&
			      fstatat(m->s[i].dfd, m->name[1], &r[i].st, 0) == 0;
		r[i].depth = path_depth(m->name[1]);
	}
	return compare(m, r);
}

/* One xattr call on side S's PATH: set (flags 0, XATTR_CREATE,
 * XATTR_REPLACE), get, list or remove, with SIZE for get and list. */
static long long xattr_call(struct side *s, const char *path, int what,
			    const char *key, const unsigned char *val,
			    size_t len, size_t size)
{
	static const int setflags[] = { 0, XATTR_CREATE, XATTR_REPLACE };
	char full[2 * PATH_MAX];

	snprintf(full, sizeof(full), "%s/%s", s->dir, path);
	if (what < 3)
		return setxattr(full, key, val, len, setflags[what]);
	if (what == 3)
		return getxattr(full, key, size ? s->buf : NULL, size);
	if (what == 4)
		return listxattr(full, size ? (char *)s->buf : NULL, size);
	return removexattr(full, key);
}

static int op_xattr(struct model *m)
{
	static const char *const keys[] = { "user.a", "user.b",
					    "user.longer.name" };
	static const char *const what_name[] = { "setxattr", "setxattr CREATE",
		"setxattr REPLACE", "getxattr", "listxattr", "removexattr" };
	static const size_t sizes[] = { 0, 3, 1000 };
	int what = (int)below(m, 6);
	const char *key = keys[below(m, 3)];
	size_t len = (size_t)below(m, 300), size = sizes[below(m, 3)];
	/* The path of the last xattr call, taken again more often than not,
	 * so that gets, lists and removes meet what sets made. */
	static char last[PATH_MAX];
	char nm[128];
	struct res r[2];

	static const char *last_key;

	if (last[0] && chance(m, 60)) {
		strcpy(m->name[0], last);
		show_name(m->name[0], nm, sizeof(nm));
		if (last_key && chance(m, 70))
			key = last_key;
	} else {
		/* Mostly an entry that exists. */
		if (!m->flat && chance(m, 70) && pick_entry(m, m->name[0], false))
			show_name(m->name[0], nm, sizeof(nm));
		else
			path_arg(m, 0, 0, nm, sizeof(nm));
		snprintf(last, sizeof(last), "%s", m->name[0]);
	}
	last_key = key;
	/* The top is the mount's root: no object, no xattrs (EPERM). */
	if (path_depth(m->name[0]) <= 0)
		return 0;
	fill(m, len);
	describe(m, "%s(%s, %s, %zu bytes, size %zu)", what_name[what], nm, key,
		 len, size);
	for (int i = 0; i < 2; i++) {
		res_init(&r[i]);
		res_set(&r[i], xattr_call(&m->s[i], m->name[0], what, key,
					  m->wbuf, len, size));
		if (what == 3 || what == 4)
			r[i].data = m->s[i].buf;
	}
	return compare(m, r);
}

static int op_seek_data(struct model *m)
{
	int k = pick_slot(m), whence = chance(m, 50) ? SEEK_DATA : SEEK_HOLE;
	long long off = pick_off(m);
	struct res r[2];

	describe(m, "lseek(%s, %lld, %s)", m->slot_desc[k], off,
		 whence == SEEK_DATA ? "SEEK_DATA" : "SEEK_HOLE");
	for (int i = 0; i < 2; i++) {
		res_init(&r[i]);
		res_set(&r[i], lseek(m->s[i].fd[k], (off_t)off, whence));
		res_pos(&r[i], m->s[i].fd[k]);
	}
	return compare(m, r);
}

/* Compare bytes FROM..TO of the files open as FD on both sides. */
static int check_range(struct model *m, const int fd[2], const char *nm,
		       long long from, long long to)
{
	struct res r[2];

	for (long long off = from; off < to; off += MAX_IO) {
		size_t len = to - off < MAX_IO ? (size_t)(to - off) : MAX_IO;

		describe(m, "check(%s): pread(%zu, %lld)", nm, len, off);
		for (int i = 0; i < 2; i++) {
			res_init(&r[i]);
			res_set(&r[i], pread(fd[i], m->s[i].buf, len, off));
			r[i].data = m->s[i].buf;
		}
		if (compare(m, r))
			return 1;
	}
	return 0;
}

/* Compare the open files' contents: all of a small file, the head and the
 * tail of a big (maybe sparse) one. */
static int check_contents(struct model *m, const int fd[2], const char *nm,
			  long long size)
{
	long long tail = size - CHECK_TAIL;

	if (check_range(m, fd, nm, 0, size < CHECK_HEAD ? size : CHECK_HEAD))
		return 1;
	if (size <= CHECK_HEAD)
		return 0;
	return check_range(m, fd, nm, tail > CHECK_HEAD ? tail : CHECK_HEAD,
			   size);
}

/* Compare NAME on both sides: stat, then its bytes. */
static int check_file(struct model *m, const char *name)
{
	char nm[128];
	int fd[2], diff;
	long long size;
	struct res r[2];

	show_name(name, nm, sizeof(nm));
	describe(m, "check(%s): stat", nm);
	for (int i = 0; i < 2; i++) {
		res_init(&r[i]);
		res_set(&r[i], fstatat(m->s[i].dfd, name, &r[i].st, 0));
		r[i].has_st = r[i].ret == 0;
		r[i].depth = path_depth(name);
	}
	if (compare(m, r))
		return 1;
	if (r[1].ret < 0 || !S_ISREG(r[1].st.st_mode))
		return 0;
	size = (long long)r[1].st.st_size;
	describe(m, "check(%s): open(O_RDONLY)", nm);
	for (int i = 0; i < 2; i++) {
		res_init(&r[i]);
		fd[i] = openat(m->s[i].dfd, name, O_RDONLY);
		res_set(&r[i], fd[i] < 0 ? -1 : 0);
	}
	diff = compare(m, r) || check_contents(m, fd, nm, size);
	for (int i = 0; i < 2; i++)
		if (fd[i] >= 0)
			close(fd[i]);
	return diff;
}

static int op_check(struct model *m)
{
	return check_file(m, pick_path(m, 0, P_DOTS));
}

/* After the last operation: every directory's listing and stat, every
 * file, every close. */
static int final_check(struct model *m)
{
	struct list l = { 0 };
	int diff;

	m->op = m->n + 1;
	walk_sorted(m->s[1].dfd, "", &l, WALK_DEPTH);
	diff = readdir_at(m, "");
	for (size_t i = 0; !diff && i < l.n; i++)
		diff = check_file(m, l.v[i]) ||
		       (is_dir_entry(l.v[i]) && readdir_at(m, l.v[i]));
	list_free(&l);
	for (int k = 0; !diff && k < NSLOTS; k++)
		if (slot_open(m, k))
			diff = close_slot(m, k);
	unhold_all();
	return diff;
}


/* ---- -x: directories held open, renames over directories, and another
 * program's changes ---- */

static bool held_open(const struct model *m, int k)
{
	return m->s[0].held[k] >= 0;
}

/* A child whose cwd is the directory FD until it is killed (or the model
 * dies): a cwd holds a directory as an open descriptor does. */
static pid_t cwd_child(int fd)
{
	pid_t pid = fork();

	if (pid == 0) {
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		if (fchdir(fd) == 0) {
			close_range(0, ~0U, 0);
			for (;;)
				pause();
		}
		_exit(1);
	}
	return pid < 0 ? 0 : pid;
}

static void unhold(struct model *m, int k)
{
	for (int i = 0; i < 2; i++) {
		struct side *s = &m->s[i];

		close(s->held[k]);
		s->held[k] = -1;
		if (s->cwd[k] > 0) {
			kill(s->cwd[k], SIGKILL);
			waitpid(s->cwd[k], NULL, 0);
		}
		s->cwd[k] = 0;
	}
	m->nheld--;
}

static struct model *the_model; /* for unhold_all() at exit */

static void unhold_all(void)
{
	for (int k = 0; the_model && k < NDSLOTS; k++)
		if (held_open(the_model, k))
			unhold(the_model, k);
}

static int op_hold(struct model *m)
{
	char nm[128];
	bool cwd = chance(m, 50);
	int k, fd[2], diff;
	struct res r[2];

	show_name(pick_dir(m, 0, 0), nm, sizeof(nm));
	for (k = 0; k < NDSLOTS && held_open(m, k); k++)
		;
	if (k == NDSLOTS) {
		k = (int)below(m, NDSLOTS);
		unhold(m, k);
	}
	describe(m, "hold(%s)%s as dir%d", nm, cwd ? " and a child's cwd" : "",
		 k);
	for (int i = 0; i < 2; i++) {
		res_init(&r[i]);
		fd[i] = openat(m->s[i].dfd, m->name[0],
			       O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		res_set(&r[i], fd[i] < 0 ? -1 : 0);
		r[i].has_st = fd[i] >= 0 && fstat(fd[i], &r[i].st) == 0;
		r[i].depth = path_depth(m->name[0]);
	}
	diff = compare(m, r);
	if (diff || fd[0] < 0) {
		for (int i = 0; i < 2; i++)
			if (fd[i] >= 0)
				close(fd[i]);
		return diff;
	}
	for (int i = 0; i < 2; i++) {
		m->s[i].held[k] = fd[i];
		m->s[i].cwd[k] = cwd ? cwd_child(fd[i]) : 0;
	}
	m->nheld++;
	snprintf(m->held_desc[k], sizeof(m->held_desc[k]), "dir%d %s", k, nm);
	return 0;
}

static int pick_held(struct model *m)
{
	int k = (int)below(m, NDSLOTS);

	while (!held_open(m, k))
		k = (k + 1) % NDSLOTS;
	return k;
}

static int op_unhold(struct model *m)
{
	int k = pick_held(m);

	describe(m, "unhold(%s)", m->held_desc[k]);
	unhold(m, k);
	return 0;
}

/* Where held directory K is now in the reference, into REL ("" the top,
 * else ending in '/'); false once it is removed there. */
static bool held_where(struct model *m, int k, char *rel)
{
	char proc[64], path[PATH_MAX];
	size_t dlen = strlen(m->s[1].dir);
	ssize_t n;

	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", m->s[1].held[k]);
	n = readlink(proc, path, sizeof(path) - 2);
	if (n < 0)
		return false;
	path[n] = '\0';
	if (strncmp(path, m->s[1].dir, dlen) || (path[dlen] && path[dlen] != '/') ||
	    strstr(path, " (deleted)"))
		return false;
	strcpy(rel, path[dlen] ? path + dlen + 1 : "");
	if (*rel)
		strcat(rel, "/");
	return true;
}

/* The sorted names in the directory open as FD, read from its start
 * (rewinddir), with getdents64 itself: fdopendir() would fstat it first,
 * which is not compared for a removed directory (see op_held()). 0, or
 * -1. A removed directory lists empty (glibc's readdir() turns the
 * kernel's ENOENT into the end). */
static long long list_fd(int fd, struct list *l)
{
	char buf[8192] __attribute__((aligned(8)));
	long n;

	if (lseek(fd, 0, SEEK_SET) < 0)
		return -1;
	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		for (long o = 0; o < n;) {
			struct dirent64 *e = (struct dirent64 *)(buf + o);

			if (!is_dot(e->d_name))
				list_add(l, e->d_name);
			o += e->d_reclen;
		}
	}
	if (n < 0 && errno != ENOENT)
		return -1;
	if (l->n > 1)
		qsort(l->v, l->n, sizeof(*l->v), by_name);
	return 0;
}

/* One call relative to a held directory (openat and the like). */
static int op_held(struct model *m)
{
	static const char *const what[] = { "fstat", "list", "create",
					    "stat", "mkdir", "unlink",
					    "rmdir" };
	int k = pick_held(m), w = (int)below(m, 7), fd, diff, excl;
	char last[NAME_MAX + 64], nm[128], rel[PATH_MAX], path[2 * PATH_MAX];
	struct list l[2] = { { 0 } };
	mode_t mode = pick_mode(m);
	bool alive;
	struct res r[2];
	struct stat st;

	pick_name(m, last, false);
	excl = chance(m, 30) ? O_EXCL : 0;
	alive = held_where(m, k, rel);
	snprintf(path, sizeof(path), "%s%s", alive ? rel : "", last);
	if (alive && strlen(last) <= NAME_MAX && !fits(m, path, w == 4)) {
		/* Too deep for a name of the pool: nothing to try. */
		strcpy(last, m->pool[below(m, 3)]);
		snprintf(path, sizeof(path), "%s%s", rel, last);
		if (!fits(m, path, w == 4))
			return 0;
	}
	describe(m, "%s(%s, %s)%s", what[w], m->held_desc[k],
		 w < 2 ? "" : show_name(last, nm, sizeof(nm)),
		 w == 2 && excl ? " O_EXCL" : "");
	/* A directory removed in the reference (nlink 0) is a node the
	 * mount has let go of: its attributes are not compared. */
	if (w == 0 && (fstat(m->s[1].held[k], &st) || st.st_nlink == 0))
		return 0;
	for (int i = 0; i < 2; i++) {
		int dfd = m->s[i].held[k];

		res_init(&r[i]);
		r[i].depth = alive ? path_depth(rel) + (w > 1) : 1;
		switch (w) {
		case 0:
			res_set(&r[i], fstat(dfd, &r[i].st));
			r[i].has_st = r[i].ret == 0;
			break;
		case 1:
			res_set(&r[i], list_fd(dfd, &l[i]));
			r[i].ls = &l[i];
			break;
		case 2:
			fd = openat(dfd, last, O_CREAT | O_WRONLY | O_CLOEXEC | excl,
				    mode);
			res_set(&r[i], fd < 0 ? -1 : 0);
			r[i].has_st = fd >= 0 && fstat(fd, &r[i].st) == 0;
			if (fd >= 0)
				close(fd);
			break;
		case 3:
			res_set(&r[i], fstatat(dfd, last, &r[i].st,
					       AT_SYMLINK_NOFOLLOW));
			r[i].has_st = r[i].ret == 0;
			break;
		case 4:
			res_set(&r[i], mkdirat(dfd, last, mode));
			break;
		default:
			res_set(&r[i], unlinkat(dfd, last,
						w == 6 ? AT_REMOVEDIR : 0));
		}
	}
	diff = compare(m, r);
	list_free(&l[0]);
	list_free(&l[1]);
	return diff;
}

/* An empty directory of the reference into OUT (without its '/'), half
 * the time; else any directory. */
static bool pick_target_dir(struct model *m, char *out)
{
	struct list l = { 0 }, empty = { 0 }, inside = { 0 };
	const char *e;
	char dir[PATH_MAX];

	if (chance(m, 50))
		return pick_entry(m, out, true);
	walk_sorted(m->s[1].dfd, "", &l, WALK_DEPTH);
	for (size_t i = 0; i < l.n; i++) {
		if (!is_dir_entry(l.v[i]))
			continue;
		snprintf(dir, sizeof(dir), "%s", l.v[i]);
		walk(m->s[1].dfd, dir, &inside, 0);
		if (!inside.n)
			list_add(&empty, l.v[i]);
		list_free(&inside);
	}
	e = pick_from(m, &empty, true);
	if (e) {
		strcpy(out, e);
		out[path_len(out)] = '\0';
	}
	list_free(&l);
	list_free(&empty);
	return e != NULL;
}

/* PATH's object name (a directory's marker, with DIR) into OUT. */
static void obj_of(const struct model *m, const char *path, bool dir,
		   char *out, size_t size)
{
	size_t o = (size_t)snprintf(out, size, "/%s", m->prefix);

	for (const char *c = path; *c && o + 2 < size; c++)
		out[o++] = *c == '/' ? DELIM : *c;
	if (dir)
		out[o++] = DELIM;
	out[o] = '\0';
}

/* Stat PATH (or, with PATH NULL, fstat open file K) on both sides. */
static void stat_both(struct model *m, const char *path, int k, struct res r[2])
{
	for (int i = 0; i < 2; i++) {
		res_init(&r[i]);
		res_set(&r[i], path ? fstatat(m->s[i].dfd, path, &r[i].st,
					      AT_SYMLINK_NOFOLLOW)
				    : fstat(m->s[i].fd[k], &r[i].st));
		r[i].has_st = r[i].ret == 0;
		r[i].depth = path ? path_depth(path) : 1;
	}
}

/* Stat the entries of L on both sides into R, until one differs (its
 * name then in *WHICH). */
static void stat_entries(struct model *m, const struct list *l,
			 struct res r[2], const char **which)
{
	char path[PATH_MAX];

	for (size_t i = 0; i < l->n && !differs(r); i++) {
		snprintf(path, sizeof(path), "%s", l->v[i]);
		path[path_len(path)] = '\0';
		stat_both(m, path, 0, r);
		*which = l->v[i];
	}
}

/* After another program's change to PATH: within SEEN_MS (watch.c tells
 * the kernel) the mount shows PATH as the reference has it, every open
 * file's attributes (a link count may have changed), and each entry of
 * ALSO (the other names of a file whose link count changed; what a
 * remade directory holds). With BEFORE (PATH's inode numbers before the
 * change, on each side) PATH is a remade directory: whether PATH names a
 * new inode is compared too (it looks like the old one, whose attributes
 * the kernel may still hold). */
static int seen_soon(struct model *m, const char *path, const ino_t *before,
		     struct list *also)
{
	struct timespec pause = { 0, 1000000 };
	size_t len = strlen(m->desc);
	const char *which = NULL;
	struct list none = { 0 };
	struct list *inside = also ? also : &none;
	struct res r[2];
	int k;

	snprintf(m->desc + len, sizeof(m->desc) - len, ", then stat within %d ms",
		 SEEN_MS);
	for (int ms = 0;; ms++) {
		which = NULL;
		stat_both(m, path, 0, r);
		for (int i = 0; before && i < 2; i++)
			r[i].renewed = r[i].has_st ? r[i].st.st_ino != before[i]
						   : -1;
		stat_entries(m, inside, r, &which);
		for (k = 0; !differs(r) && k < NSLOTS; k++)
			if (slot_open(m, k))
				stat_both(m, NULL, k, r);
		if (!differs(r) || ms >= SEEN_MS)
			break;
		nanosleep(&pause, NULL);
	}
	if (differs(r) && k <= NSLOTS && k > 0 && slot_open(m, k - 1)) {
		len = strlen(m->desc);
		snprintf(m->desc + len, sizeof(m->desc) - len, ": fstat(%s)",
			 m->slot_desc[k - 1]);
	} else if (differs(r) && which) {
		len = strlen(m->desc);
		snprintf(m->desc + len, sizeof(m->desc) - len, ": stat(%s)",
			 which);
	}
	list_free(inside);
	return compare(m, r);
}

/* The reference's side of a remade marker: a new directory under the old
 * name holding what the old one held, which is gone (what holds it open
 * holds a removed directory, as the mount's old node is). */
static int remake_ref(struct model *m, const char *path, const struct stat *st)
{
	char tmp[PATH_MAX], from[2 * PATH_MAX], to[2 * PATH_MAX];
	struct list l = { 0 };
	size_t plen = strlen(path) - strlen(last_of(path));
	int dfd = m->s[1].dfd, err = 0;

	snprintf(tmp, sizeof(tmp), "%.*s.model-remade", (int)plen, path);
	if (renameat(dfd, path, dfd, tmp) || mkdirat(dfd, path, 0700) ||
	    fchmodat(dfd, path, st->st_mode & 07777, 0) ||
	    fchownat(dfd, path, st->st_uid, st->st_gid, 0))
		return -1;
	strcat(tmp, "/");
	walk(dfd, tmp, &l, 0);
	for (size_t i = 0; i < l.n && !err; i++) {
		snprintf(from, sizeof(from), "%s", l.v[i]);
		from[path_len(from)] = '\0';
		snprintf(to, sizeof(to), "%s/%s", path, last_of(from));
		err = renameat(dfd, from, dfd, to);
	}
	list_free(&l);
	tmp[strlen(tmp) - 1] = '\0';
	return err || unlinkat(dfd, tmp, AT_REMOVEDIR) ? -1 : 0;
}

/* Another program removes a directory's marker and makes it again, with
 * the same mode and owner: a new directory under the same name. */
static int outside_remake(struct model *m)
{
	char path[PATH_MAX], obj[2 * PATH_MAX], nm[128];
	struct list inside = { 0 };
	struct res r[2];
	struct stat st, ref;
	ino_t before[2];
	int fd;

	if (!pick_entry(m, path, true) ||
	    fstatat(m->s[1].dfd, path, &ref, AT_SYMLINK_NOFOLLOW))
		return 0;
	obj_of(m, path, true, obj, sizeof(obj));
	describe(m, "outside: remake the marker of %s (shm_unlink, shm_open)",
		 show_name(path, nm, sizeof(nm)));
	res_init(&r[0]);
	fd = shm_open(obj, O_RDONLY, 0);
	if (fd < 0 || fstat(fd, &st) || shm_unlink(obj)) {
		res_set(&r[0], -1);
	} else {
		close(fd);
		/* The owner first: fchown clears the set-ID bits. */
		fd = shm_open(obj, O_RDWR | O_CREAT | O_EXCL, st.st_mode & 0777);
		res_set(&r[0], fd < 0 || fchown(fd, st.st_uid, st.st_gid) ||
					       fchmod(fd, st.st_mode & 07777)
				       ? -1
				       : 0);
	}
	if (fd >= 0)
		close(fd);
	res_init(&r[1]);
	res_set(&r[1], r[0].ret ? 0 : remake_ref(m, path, &st));
	if (compare(m, r))
		return 1;
	/* The mount's directory is its marker's inode number. */
	before[0] = st.st_ino;
	before[1] = ref.st_ino;
	snprintf(obj, sizeof(obj), "%s/", path);
	walk_sorted(m->s[1].dfd, obj, &inside, 0);
	return seen_soon(m, path, before, &inside);
}

/* The reference's other names of the file INO, into L. */
static void links_of(struct model *m, ino_t ino, struct list *l)
{
	struct list all = { 0 };
	struct stat st;

	walk_sorted(m->s[1].dfd, "", &all, WALK_DEPTH);
	for (size_t i = 0; i < all.n; i++)
		if (!is_dir_entry(all.v[i]) &&
		    !fstatat(m->s[1].dfd, all.v[i], &st, AT_SYMLINK_NOFOLLOW) &&
		    st.st_ino == ino)
			list_add(l, all.v[i]);
	list_free(&all);
}

/* Another program removes a file: its other names (hard links) show the
 * link count less too. */
static int outside_unlink(struct model *m)
{
	char path[PATH_MAX], obj[2 * PATH_MAX], nm[128];
	struct list others = { 0 };
	struct res r[2];
	struct stat st;

	if (!pick_entry(m, path, false) || ref_dir(m, path))
		return 0;
	obj_of(m, path, false, obj, sizeof(obj));
	describe(m, "outside: shm_unlink %s", show_name(path, nm, sizeof(nm)));
	if (fstatat(m->s[1].dfd, path, &st, AT_SYMLINK_NOFOLLOW))
		st.st_ino = 0;
	res_init(&r[0]);
	res_set(&r[0], shm_unlink(obj));
	res_init(&r[1]);
	res_set(&r[1], unlinkat(m->s[1].dfd, path, 0));
	if (compare(m, r))
		return 1;
	if (st.st_ino && st.st_nlink > 1)
		links_of(m, st.st_ino, &others);
	return seen_soon(m, path, NULL, &others);
}

/* Another program makes a file, and writes into it. */
static int outside_create(struct model *m)
{
	char path[PATH_MAX], obj[2 * PATH_MAX], nm[128];
	size_t len = (size_t)below(m, 8193);
	mode_t mode = pick_mode(m) & 0777;
	struct res r[2];
	struct stat st;
	int fd[2];

	pick_parent(m, path);
	strcat(path, m->pool[below(m, NPOOL - 1)]);
	if ((strchr(path, '/') &&
	     !ref_dir(m, strndupa(path, strlen(path) - strlen(last_of(path))))) ||
	    !fits(m, path, 0) || fstatat(m->s[1].dfd, path, &st, AT_SYMLINK_NOFOLLOW) == 0)
		return 0;
	fill(m, len);
	obj_of(m, path, false, obj, sizeof(obj));
	describe(m, "outside: shm_open(O_CREAT) %s, write %zu, fchmod 0%o",
		 show_name(path, nm, sizeof(nm)), len, (unsigned)mode);
	fd[0] = shm_open(obj, O_RDWR | O_CREAT | O_EXCL, mode);
	fd[1] = openat(m->s[1].dfd, path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC,
		       mode);
	for (int i = 0; i < 2; i++) {
		res_init(&r[i]);
		res_set(&r[i], fd[i] < 0 || write(fd[i], m->wbuf, len) != (ssize_t)len ||
					       fchmod(fd[i], mode)
				       ? -1
				       : 0);
		if (fd[i] >= 0)
			close(fd[i]);
	}
	if (compare(m, r))
		return 1;
	return seen_soon(m, path, NULL, NULL);
}

static int op_outside(struct model *m)
{
	long long w = below(m, 10);

	if (w < 4)
		return outside_remake(m);
	if (w < 7)
		return outside_unlink(m);
	return outside_create(m);
}

/* ---- the table ---- */

struct op {
	const char *name;
	int weight;
	bool needs_fd; /* works on an open file */
	bool dirs;     /* makes directories: not in the flat mix (-f) */
	bool ext;      /* only with -x */
	bool needs_held; /* works on a held directory (-x) */
	bool outside;  /* another program's change: only with -P */
	bool since16;  /* issue 16's: not in the issue-13 mix (-c) */
	int (*run)(struct model *m);
};

static const struct op ops[] = {
	{ .name = "open", .weight = 12, .run = op_open },
	{ .name = "close", .weight = 4, .needs_fd = true, .run = op_close },
	{ .name = "read", .weight = 8, .needs_fd = true, .run = op_read },
	{ .name = "write", .weight = 8, .needs_fd = true, .run = op_write },
	{ .name = "pread", .weight = 8, .needs_fd = true, .run = op_pread },
	{ .name = "pwrite", .weight = 10, .needs_fd = true, .run = op_pwrite },
	{ .name = "lseek", .weight = 5, .needs_fd = true, .run = op_lseek },
	{ .name = "ftruncate", .weight = 5, .needs_fd = true,
	  .run = op_ftruncate },
	{ .name = "truncate", .weight = 4, .run = op_truncate },
	{ .name = "unlink", .weight = 5, .run = op_unlink },
	{ .name = "rename", .weight = 8, .run = op_rename },
	{ .name = "chmod", .weight = 4, .run = op_chmod },
	{ .name = "fchmod", .weight = 3, .needs_fd = true, .run = op_fchmod },
	{ .name = "stat", .weight = 6, .run = op_stat },
	{ .name = "fstat", .weight = 5, .needs_fd = true, .run = op_fstat },
	{ .name = "readdir", .weight = 4, .run = op_readdir },
	{ .name = "check", .weight = 2, .run = op_check },
	{ .name = "mkdir", .weight = 6, .dirs = true, .run = op_mkdir },
	{ .name = "rmdir", .weight = 4, .run = op_rmdir },
	/* issue 16 */
	{ .name = "link", .weight = 3, .since16 = true, .run = op_link },
	{ .name = "xattr", .weight = 4, .since16 = true, .run = op_xattr },
	{ .name = "seek_data", .weight = 3, .needs_fd = true, .since16 = true,
	  .run = op_seek_data },
	{ .name = "hold", .weight = 3, .dirs = true, .ext = true,
	  .run = op_hold },
	{ .name = "unhold", .weight = 1, .dirs = true, .ext = true,
	  .needs_held = true, .run = op_unhold },
	{ .name = "held", .weight = 8, .dirs = true, .ext = true,
	  .needs_held = true, .run = op_held },
	{ .name = "outside", .weight = 4, .dirs = true, .ext = true,
	  .outside = true, .run = op_outside },
};

#define NOPS (sizeof(ops) / sizeof(ops[0]))

static int weight(const struct model *m, const struct op *op)
{
	if ((op->dirs && m->flat) || (op->ext && !m->extended) ||
	    (op->outside && !m->prefix) || (op->since16 && m->mix13))
		return 0;
	return op->weight;
}

static const struct op *pick_op(struct model *m)
{
	long long total = 0, r;
	size_t i;

	for (i = 0; i < NOPS; i++)
		total += weight(m, &ops[i]);
	r = below(m, total);
	for (i = 0; r >= weight(m, &ops[i]); i++)
		r -= weight(m, &ops[i]);
	if (ops[i].needs_fd && !m->nopen)
		return &ops[0];
	/* Nothing held: hold something instead. */
	while (ops[i].needs_held && !m->nheld)
		i--;
	return &ops[i];
}

/* ---- setup ---- */

static void usage(const char *argv0)
{
	fprintf(stderr,
		"usage: %s [-c] [-f|-x] [-P PREFIX] [-s SEED] [-n OPS] [-p PREFIXLEN] [-v]"
		" DIR_UNDER_TEST REFERENCE_DIR\n"
		"  -f            the flat mix: files only, directly in the"
		" directory,\n"
		"                names may hold ':' (for a mount with -o delim=)\n"
		"  -s SEED       seed of the sequence (default: from the time)\n"
		"  -n OPS        number of operations (default 10000)\n"
		"  -p PREFIXLEN  length of the mount's prefix: names stay within"
		" 255-PREFIXLEN bytes,\n"
		"                but for deliberately over-long ones\n"
		"  -c            without issue 16's operations (links, xattrs,\n"
		"                SEEK_DATA): the sequences issue 13's seeds\n"
		"                were found with\n"
		"  -x            the extended mix: also directories held open\n"
		"                (descriptors, children's cwds), renames over\n"
		"                directories\n"
		"  -P PREFIX     with -x: the mount's prefix, for another\n"
		"                program's changes (shm_open, shm_unlink) in " SHM "\n"
		"  -v            print every operation\n",
		argv0);
	exit(2);
}

static unsigned long long number(const char *s, const char *argv0)
{
	char *end;
	unsigned long long v;

	errno = 0;
	v = strtoull(s, &end, 0);
	if (errno || end == s || *end || *s == '-')
		usage(argv0);
	return v;
}

static unsigned long long time_seed(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (unsigned long long)ts.tv_sec * 1000003ULL ^
	       (unsigned long long)ts.tv_nsec ^ (unsigned long long)getpid();
}

static void parse_args(struct model *m, int argc, char **argv)
{
	int c;

	m->seed = time_seed();
	m->n = 10000;
	while ((c = getopt(argc, argv, "cfxP:s:n:p:vh")) != -1) {
		if (c == 'c')
			m->mix13 = true;
		else if (c == 'f')
			m->flat = true;
		else if (c == 'x')
			m->extended = true;
		else if (c == 'P')
			m->prefix = optarg;
		else if (c == 's')
			m->seed = number(optarg, argv[0]);
		else if (c == 'n')
			m->n = (unsigned long)number(optarg, argv[0]);
		else if (c == 'p')
			m->prefixlen = (int)number(optarg, argv[0]);
		else if (c == 'v')
			m->verbose = true;
		else
			usage(argv[0]);
	}
	if (argc - optind != 2 || m->prefixlen > NAME_MAX - 8 ||
	    (m->flat && m->extended) || (m->prefix && !m->extended))
		usage(argv[0]);
	m->s[0].dir = argv[optind];
	m->s[1].dir = argv[optind + 1];
}

static void *xmalloc(size_t size)
{
	void *p = malloc(size);

	if (!p) {
		perror("model");
		exit(2);
	}
	return p;
}

static void open_side(struct side *s)
{
	if (strlen(s->dir) >= PATH_MAX) {
		fprintf(stderr, "model: %s: %s\n", s->dir,
			strerror(ENAMETOOLONG));
		exit(2);
	}
	s->dfd = open(s->dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s->dfd < 0) {
		fprintf(stderr, "model: %s: %s\n", s->dir, strerror(errno));
		exit(2);
	}
	for (int k = 0; k < NSLOTS; k++)
		s->fd[k] = -1;
	for (int k = 0; k < NDSLOTS; k++)
		s->held[k] = -1;
	s->buf = xmalloc(MAX_IO);
}

static int run(struct model *m)
{
	m->op = 0;
	if (readdir_at(m, ""))
		return 1;
	for (m->op = 1; m->op <= m->n; m->op++)
		if (pick_op(m)->run(m))
			return 1;
	return final_check(m);
}

int main(int argc, char **argv)
{
	static struct model m;

	setvbuf(stdout, NULL, _IOLBF, 0);
	m.argv0 = argv[0];
	parse_args(&m, argc, argv);
	open_side(&m.s[0]);
	open_side(&m.s[1]);
	m.wbuf = xmalloc(MAX_IO);
	m.rng = m.seed;
	make_pool(&m);
	umask(0);
	the_model = &m;
	atexit(unhold_all); /* no child left with its cwd in the mount */
	printf("# model: seed %llu, %lu operations, %s mix%s, %s against %s\n",
	       m.seed, m.n, m.flat ? "flat" : m.extended ? "extended" : "directory",
	       m.prefix ? " with another program's changes" : "", m.s[0].dir,
	       m.s[1].dir);
	if (run(&m))
		return 1;
	printf("# %lu operations on files unlinked or renamed over while"
	       " open\n",
	       m.orphan_ops);
	printf("# %lu operations, seed %llu, identical\n", m.n, m.seed);
	return 0;
}
