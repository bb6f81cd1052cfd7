/** @file
 * pshm: the POSIX shared-memory API on the command line, with no mount.
 *
 * One static function per verb (create, write, read, unlink, stat,
 * truncate, chmod, ls) and a table of verbs at the end of the file. Objects
 * are reached only through shm_open() and shm_unlink(); "ls" reads the shm
 * directory. Copies in and out go through MAP_SHARED mappings and survive
 * another process shrinking the object under them: the copy out is done by
 * write(2) straight from the mapping (a vanished page gives EFAULT, not a
 * signal) and the copy in by memcpy() under the SIGBUS guard of shmobj.c.
 * An object with holes is copied out with read(2) instead: a fault on a
 * hole of a shared tmpfs mapping would allocate it.
 *
 * Exit status: 0 success, 1 failure, 2 usage error.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <grp.h>
#include <limits.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

#include "shmobj.h"
#include "sizes.h"

/* Where glibc keeps POSIX shm objects on Linux: read only by "ls". */
#define PSHM_DIR "/dev/shm"
/* The longest object name glibc's shm_open() accepts, without the '/'. */
#define PSHM_NAME_MAX NAME_MAX
/* Default mode of a new object. */
#define PSHM_MODE 0600
/* Flags added to every shm_open(): never block on a FIFO planted under an
 * object's name, never take a terminal. */
#define OPEN_FLAGS (O_NONBLOCK | O_NOCTTY)

#define EXIT_USAGE 2

static const char usage_text[] =
	"Usage: pshm create [-c] [-x] [-m MODE] [-s SIZE] NAME\n"
	"       pshm write NAME [TEXT]\n"
	"       pshm read NAME\n"
	"       pshm unlink NAME\n"
	"       pshm stat NAME\n"
	"       pshm truncate NAME SIZE\n"
	"       pshm chmod MODE NAME\n"
	"       pshm ls [PREFIX]\n"
	"       pshm --help | --version\n";

static const char help_text[] =
	"\n"
	"Create, fill, read, inspect and remove POSIX shared-memory objects\n"
	"through shm_open(3), with no mount. NAME may be given with or\n"
	"without its leading '/'.\n"
	"\n"
	"  create    open NAME read-write; with -s, set its size\n"
	"    -c        create NAME if it does not exist (O_CREAT)\n"
	"    -x        with -c: fail if NAME exists (O_EXCL)\n"
	"    -m MODE   exact octal mode of a new object (default 0600)\n"
	"    -s SIZE   size in bytes, or with a k, m, g or t suffix\n"
	"  write     replace the contents of NAME with TEXT or standard input\n"
	"  read      copy the whole object to standard output\n"
	"  unlink    remove NAME (shm_unlink)\n"
	"  stat      print size, blocks, mode, owner, group and times\n"
	"  truncate  set the size of NAME to SIZE\n"
	"  chmod     set the mode of NAME to the octal MODE\n"
	"  ls        list the objects, or those whose names begin with PREFIX\n"
	"\n"
	"Exit status: 0 on success, 1 on failure, 2 on a usage error.\n";

/* A validated object name: "/" NAME, as shm_open() takes it. */
struct shmname {
	char path[PSHM_NAME_MAX + 2];
};

static void usage(FILE *f)
{
	fputs(usage_text, f);
}

__attribute__((noreturn, format(printf, 1, 2)))
static void usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("pshm: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	usage(stderr);
	exit(EXIT_USAGE);
}

/* "pshm: /NAME: strerror (why)": the coreutils form. Returns 1. */
static int fail_name(const char *name, int err, const char *why)
{
	fprintf(stderr, "pshm: /%s: %s%s%s%s\n", name, strerror(err),
		why ? " (" : "", why ? why : "", why ? ")" : "");
	return 1;
}

static int fail(const struct shmname *n, int err)
{
	return fail_name(n->path + 1, err, NULL);
}

/* Strip the optional leading '/'. */
static const char *bare_name(const char *arg)
{
	return arg[0] == '/' ? arg + 1 : arg;
}

/* Check ARG as glibc's shm_open() does and fill N. On failure print the
 * error (EINVAL or ENAMETOOLONG, as glibc gives) and return 1. */
static int name_get(const char *arg, struct shmname *n)
{
	const char *name = bare_name(arg);
	size_t len = strlen(name);

	if (len == 0)
		return fail_name(name, EINVAL, "empty name");
	if (strchr(name, '/'))
		return fail_name(name, EINVAL,
				 "a name holds no '/' after the leading one");
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return fail_name(name, EINVAL, "not an object name");
	if (len > PSHM_NAME_MAX)
		return fail_name(name, ENAMETOOLONG,
				 "names are at most 255 bytes");
	n->path[0] = '/';
	memcpy(n->path + 1, name, len + 1);
	return 0;
}

/* Keep FD only if it is a regular file; anything else in the shm
 * directory is no shared-memory object. Returns 0 or errno. */
static int check_regular(int fd, struct stat *st)
{
	if (fstat(fd, st))
		return errno;
	return S_ISREG(st->st_mode) ? 0 : EINVAL;
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
		fail_name(n->path + 1, err,
			  err == EINVAL ? "not a regular file" : NULL);
		return -1;
	}
	return fd;
}

/* Parse SIZE for ftruncate(); print why and return 1 when it is bad. */
static int size_get(const char *arg, off_t *out)
{
	uint64_t v;
	int err = parse_size(arg, 0, &v);

	if (!err && v > (uint64_t)INT64_MAX)
		err = ERANGE;
	if (err == EINVAL) {
		fprintf(stderr, "pshm: invalid size: '%s'\n", arg);
		return 1;
	}
	if (err) {
		fprintf(stderr, "pshm: invalid size: '%s': %s\n", arg,
			strerror(EOVERFLOW));
		return 1;
	}
	*out = (off_t)v;
	return 0;
}

static int mode_get(const char *arg, mode_t *out)
{
	unsigned m;

	if (parse_mode(arg, &m)) {
		fprintf(stderr, "pshm: invalid mode: '%s'\n", arg);
		return 1;
	}
	*out = (mode_t)m;
	return 0;
}

static const struct option help_opts[] = {
	{ "help", no_argument, NULL, 'h' },
	{ NULL, 0, NULL, 0 },
};

/* Next option of verb ARGV[0] from OPTS (getopt syntax); -1 at the end.
 * Options come before the operands ("+"), so TEXT and SIZE may begin with
 * '-'. Unknown options and missing arguments are usage errors; --help
 * prints the usage and exits. */
static int next_opt(int argc, char **argv, const char *opts)
{
	char spec[16] = "+:";
	int c;

	strncat(spec, opts, sizeof(spec) - 3);
	opterr = 0;
	c = getopt_long(argc, argv, spec, help_opts, NULL);
	if (c == 'h') {
		usage(stdout);
		fputs(help_text, stdout);
		exit(fflush(stdout) ? EXIT_FAILURE : EXIT_SUCCESS);
	}
	if (c == ':')
		usage_error("%s: option requires an argument -- '%c'",
			    argv[0], optopt);
	if (c == '?' && optopt)
		usage_error("%s: invalid option -- '%c'", argv[0], optopt);
	if (c == '?')
		usage_error("%s: unrecognized option '%s'", argv[0],
			    argv[optind - 1]);
	return c;
}

/* Take the options of a verb that has none, then check that MIN..MAX
 * operands remain; they start at argv[optind]. */
static void operands(int argc, char **argv, int min, int max)
{
	int n;

	while (next_opt(argc, argv, "") != -1)
		;
	n = argc - optind;
	if (n < min)
		usage_error("%s: missing operand", argv[0]);
	if (n > max)
		usage_error("%s: extra operand '%s'", argv[0],
			    argv[optind + max]);
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
	err = shmobj_copy_in(map, buf, len);
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

/* ---- output formats ---- */

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

/* "-rw-r--r--", with set-id and sticky bits as ls(1) shows them. */
static void mode_string(mode_t m, char out[11])
{
	static const char rwx[] = "rwxrwxrwx";
	int i;

	out[0] = S_ISREG(m) ? '-' : '?';
	for (i = 0; i < 9; i++)
		out[i + 1] = (m & (0400 >> i)) ? rwx[i] : '-';
	if (m & S_ISUID)
		out[3] = out[3] == 'x' ? 's' : 'S';
	if (m & S_ISGID)
		out[6] = out[6] == 'x' ? 's' : 'S';
	if (m & S_ISVTX)
		out[9] = out[9] == 'x' ? 't' : 'T';
	out[10] = '\0';
}

/* The name of user UID, or its number when it has none. */
static void put_user(uid_t uid)
{
	struct passwd *pw = getpwuid(uid);

	if (pw)
		fputs(pw->pw_name, stdout);
	else
		printf("%ju", (uintmax_t)uid);
}

static void put_group(gid_t gid)
{
	struct group *gr = getgrgid(gid);

	if (gr)
		fputs(gr->gr_name, stdout);
	else
		printf("%ju", (uintmax_t)gid);
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

/* ---- the verbs ---- */

struct create_opts {
	bool creat, excl, sized;
	mode_t mode;
	off_t size;
};

static void create_parse(int argc, char **argv, struct create_opts *o)
{
	bool moded = false;
	int c;

	while ((c = next_opt(argc, argv, "cxm:s:")) != -1) {
		switch (c) {
		case 'c':
			o->creat = true;
			break;
		case 'x':
			o->excl = true;
			break;
		case 'm':
			if (mode_get(optarg, &o->mode))
				exit(EXIT_FAILURE);
			moded = true;
			break;
		case 's':
			if (size_get(optarg, &o->size))
				exit(EXIT_FAILURE);
			o->sized = true;
			break;
		}
	}
	if (o->excl && !o->creat)
		usage_error("create: -x needs -c");
	if (moded && !o->creat)
		usage_error("create: -m needs -c");
	if (argc - optind < 1)
		usage_error("create: missing operand");
	if (argc - optind > 1)
		usage_error("create: extra operand '%s'", argv[optind + 1]);
}

/* Open NAME read-write, creating it (mode 0 until fchmod) when asked.
 * *CREATED tells whether this call made it. Returns the fd or -errno. */
static int open_or_create(const struct shmname *n,
			  const struct create_opts *o, bool *created)
{
	int fd;

	*created = false;
	for (;;) {
		if (o->creat) {
			fd = shm_open(n->path, O_RDWR | O_CREAT | O_EXCL |
				      OPEN_FLAGS, 0);
			if (fd >= 0) {
				*created = true;
				return fd;
			}
			if (errno != EEXIST || o->excl)
				return -errno;
		}
		fd = shm_open(n->path, O_RDWR | OPEN_FLAGS, 0);
		if (fd >= 0 || errno != ENOENT || !o->creat)
			return fd < 0 ? -errno : fd;
		/* Unlinked between our two calls: try again. */
	}
}

static int verb_create(int argc, char **argv)
{
	struct create_opts o = { .mode = PSHM_MODE };
	struct shmname n;
	struct stat st;
	bool created;
	int fd, err;

	create_parse(argc, argv, &o);
	if (name_get(argv[optind], &n))
		return 1;
	fd = open_or_create(&n, &o, &created);
	if (fd < 0) {
		err = -fd;
	} else {
		err = check_regular(fd, &st);
		if (!err && created && fchmod(fd, o.mode))
			err = errno;
		if (!err && o.sized && ftruncate(fd, o.size))
			err = errno;
		if (err && created)
			shm_unlink(n.path);
		close(fd);
	}
	/* EINVAL: a directory (glibc's EISDIR) or another non-file. */
	if (err)
		return fail_name(n.path + 1, err, err == EINVAL ?
				 "not a regular file" : NULL);
	return 0;
}

static int verb_write(int argc, char **argv)
{
	struct shmname n;
	struct stat st;
	char *data = NULL;
	size_t len = 0;
	int fd, err;

	operands(argc, argv, 1, 2);
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

static int verb_read(int argc, char **argv)
{
	struct shmname n;
	struct stat st;
	size_t len;
	void *map;
	int fd, ret;

	operands(argc, argv, 1, 1);
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

static int verb_unlink(int argc, char **argv)
{
	struct shmname n;

	operands(argc, argv, 1, 1);
	if (name_get(argv[optind], &n))
		return 1;
	return shm_unlink(n.path) ? fail(&n, errno) : 0;
}

static int verb_stat(int argc, char **argv)
{
	struct shmname n;
	struct stat st;
	char sym[11];
	int fd;

	operands(argc, argv, 1, 1);
	if (name_get(argv[optind], &n))
		return 1;
	fd = obj_open(&n, O_RDONLY, &st);
	if (fd < 0)
		return 1;
	close(fd);
	mode_string(st.st_mode, sym);
	fputs("name: ", stdout);
	put_name(n.path);
	printf("\nsize: %jd\nblocks: %jd\n", (intmax_t)st.st_size,
	       (intmax_t)st.st_blocks);
	printf("mode: %04o\nperms: %s\n", (unsigned)(st.st_mode & 07777), sym);
	printf("uid: %ju\nuser: ", (uintmax_t)st.st_uid);
	put_user(st.st_uid);
	printf("\ngid: %ju\ngroup: ", (uintmax_t)st.st_gid);
	put_group(st.st_gid);
	putchar('\n');
	put_time("atime", &st.st_atim);
	put_time("mtime", &st.st_mtim);
	put_time("ctime", &st.st_ctim);
	return 0;
}

/* Open the object N with FLAGS, apply FN to it (0 or -1 with errno, as a
 * system call), close it. */
static int obj_apply(const struct shmname *n, int flags,
		     int (*fn)(int fd, const void *arg), const void *arg)
{
	struct stat st;
	int fd = obj_open(n, flags, &st), err;

	if (fd < 0)
		return 1;
	err = fn(fd, arg) ? errno : 0;
	close(fd);
	return err ? fail(n, err) : 0;
}

static int apply_truncate(int fd, const void *size)
{
	return ftruncate(fd, *(const off_t *)size);
}

static int apply_chmod(int fd, const void *mode)
{
	return fchmod(fd, *(const mode_t *)mode);
}

static int verb_truncate(int argc, char **argv)
{
	struct shmname n;
	off_t size;

	operands(argc, argv, 2, 2);
	if (name_get(argv[optind], &n) || size_get(argv[optind + 1], &size))
		return 1;
	return obj_apply(&n, O_RDWR, apply_truncate, &size);
}

static int verb_chmod(int argc, char **argv)
{
	struct shmname n;
	mode_t mode;

	operands(argc, argv, 2, 2);
	if (mode_get(argv[optind], &mode) || name_get(argv[optind + 1], &n))
		return 1;
	return obj_apply(&n, O_RDONLY, apply_chmod, &mode);
}

/* ---- ls ---- */

struct lsent {
	char *name;
	struct stat st;
};

struct lslist {
	struct lsent *v;
	size_t n, cap;
};

static int lsent_cmp(const void *a, const void *b)
{
	return strcmp(((const struct lsent *)a)->name,
		      ((const struct lsent *)b)->name);
}

/* Is the directory entry NAME an object "ls PREFIX" shows? */
static bool ls_wanted(const char *name, const char *prefix)
{
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return false;
	if (!strncmp(name, "sem.", 4))
		return false;
	return !strncmp(name, prefix, strlen(prefix));
}

static int ls_add(struct lslist *l, const char *name, const struct stat *st)
{
	struct lsent *v;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		v = realloc(l->v, l->cap * sizeof(*v));
		if (!v)
			return ENOMEM;
		l->v = v;
	}
	l->v[l->n].name = strdup(name);
	if (!l->v[l->n].name)
		return ENOMEM;
	l->v[l->n++].st = *st;
	return 0;
}

/* Collect the regular files of the shm directory that PREFIX selects.
 * An entry that vanishes between readdir and fstatat is skipped. */
static int ls_collect(DIR *d, const char *prefix, struct lslist *l)
{
	struct dirent *de;
	struct stat st;
	int err = 0;

	while (!err) {
		errno = 0;
		de = readdir(d);
		if (!de)
			return errno;
		if (!ls_wanted(de->d_name, prefix))
			continue;
		if (fstatat(dirfd(d), de->d_name, &st, AT_SYMLINK_NOFOLLOW))
			err = errno == ENOENT ? 0 : errno;
		else if (S_ISREG(st.st_mode))
			err = ls_add(l, de->d_name, &st);
	}
	return err;
}

/* "SIZE MODE OWNER YYYY-MM-DD HH:MM /NAME" */
static void ls_line(const struct lsent *e)
{
	char when[32] = "?";
	struct tm tm;

	if (localtime_r(&e->st.st_mtim.tv_sec, &tm))
		strftime(when, sizeof(when), "%Y-%m-%d %H:%M", &tm);
	printf("%10jd %04o ", (intmax_t)e->st.st_size,
	       (unsigned)(e->st.st_mode & 07777));
	put_user(e->st.st_uid);
	printf(" %s /", when);
	put_name(e->name);
	putchar('\n');
}

static int verb_ls(int argc, char **argv)
{
	struct lslist l = { 0 };
	const char *prefix = "";
	size_t i;
	DIR *d;
	int err;

	operands(argc, argv, 0, 1);
	if (optind < argc)
		prefix = bare_name(argv[optind]);
	if (strchr(prefix, '/'))
		return fail_name(prefix, EINVAL,
				 "a name holds no '/' after the leading one");
	d = opendir(PSHM_DIR);
	if (!d) {
		fprintf(stderr, "pshm: %s: %s\n", PSHM_DIR, strerror(errno));
		return 1;
	}
	err = ls_collect(d, prefix, &l);
	closedir(d);
	if (err)
		fprintf(stderr, "pshm: %s: %s\n", PSHM_DIR, strerror(err));
	if (l.n)
		qsort(l.v, l.n, sizeof(*l.v), lsent_cmp);
	for (i = 0; i < l.n; i++) {
		ls_line(&l.v[i]);
		free(l.v[i].name);
	}
	free(l.v);
	return err ? 1 : 0;
}

/* ---- main ---- */

static const struct verb {
	const char *name;
	int (*run)(int argc, char **argv);
} verbs[] = {
	{ "create", verb_create },
	{ "write", verb_write },
	{ "read", verb_read },
	{ "unlink", verb_unlink },
	{ "stat", verb_stat },
	{ "truncate", verb_truncate },
	{ "chmod", verb_chmod },
	{ "ls", verb_ls },
};

static const struct verb *find_verb(const char *name)
{
	size_t i;

	for (i = 0; i < sizeof(verbs) / sizeof(verbs[0]); i++)
		if (!strcmp(verbs[i].name, name))
			return &verbs[i];
	return NULL;
}

/* Flush standard output; a failure there is a failure of the command. */
static int close_stdout(int status)
{
	if (fflush(stdout) == EOF || ferror(stdout)) {
		fprintf(stderr, "pshm: write error: %s\n", strerror(errno));
		return EXIT_FAILURE;
	}
	return status;
}

int main(int argc, char **argv)
{
	const struct verb *v;

	if (argc < 2)
		usage_error("missing verb");
	if (!strcmp(argv[1], "--help")) {
		usage(stdout);
		fputs(help_text, stdout);
		return close_stdout(EXIT_SUCCESS);
	}
	if (!strcmp(argv[1], "--version")) {
		puts("pshm (" PACKAGE_NAME ") " PACKAGE_VERSION);
		return close_stdout(EXIT_SUCCESS);
	}
	v = find_verb(argv[1]);
	if (!v)
		usage_error("unknown verb '%s'", argv[1]);
	if (shmobj_init()) {
		fprintf(stderr, "pshm: %s\n", strerror(errno));
		return EXIT_FAILURE;
	}
	return close_stdout(v->run(argc - 1, argv + 1));
}
