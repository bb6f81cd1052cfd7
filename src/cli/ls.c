/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * pshm ls and pshm who: tables of the objects and of the processes that
 * map or hold them, through libsmartcols (table.c).
 *
 * ls reads the shm directory with the core's scan (shmdir_each, the names
 * rules of names.c) and, when NATTCH or DELETED is asked for, the holds of
 * every process (procs.c): objects still mapped or open after their name
 * was removed are listed too, known by inode. who lists the holds of the
 * objects it is given.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "pshm.h"
#include "shmobj.h"
#include "table.h"

enum {
	LS_NAME,
	LS_SIZE,
	LS_ALLOC,
	LS_MODE,
	LS_OWNER,
	LS_GROUP,
	LS_MTIME,
	LS_NATTCH,
	LS_DELETED,
	LS_NCOLS
};

static const struct coldesc ls_cols[LS_NCOLS] = {
	[LS_NAME] = { "NAME", "object name, with its leading '/'", 1, 0,
		      SCOLS_JSON_STRING },
	[LS_SIZE] = { "SIZE", "size", 1, SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER },
	[LS_ALLOC] = { "ALLOC", "memory it holds (st_blocks x 512)", 1,
		       SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER },
	[LS_MODE] = { "MODE", "permissions, as ls -l shows them", 1, 0,
		      SCOLS_JSON_STRING },
	[LS_OWNER] = { "OWNER", "owner's user name or UID", 1, 0,
		       SCOLS_JSON_STRING },
	[LS_GROUP] = { "GROUP", "group name or GID", 1, 0,
		       SCOLS_JSON_STRING },
	[LS_MTIME] = { "MTIME", "time of the last change of the contents", 1,
		       0, SCOLS_JSON_STRING },
	[LS_NATTCH] = { "NATTCH", "processes that map it or hold it open", 1,
			SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER },
	[LS_DELETED] = { "DELETED", "1: unlinked, but still mapped or open", 1,
			 SCOLS_FL_RIGHT, SCOLS_JSON_BOOLEAN },
};

static const int ls_default[] = { LS_NAME,  LS_SIZE,   LS_ALLOC,
				  LS_MODE,  LS_OWNER,  LS_GROUP,
				  LS_MTIME, LS_NATTCH, LS_DELETED,
				  -1 };

enum {
	WHO_NAME,
	WHO_PID,
	WHO_COMMAND,
	WHO_FD,
	WHO_RANGE,
	WHO_PERMS,
	WHO_OFFSET,
	WHO_NCOLS
};

static const struct coldesc who_cols[WHO_NCOLS] = {
	[WHO_NAME] = { "NAME", "object name", 1, 0, SCOLS_JSON_STRING },
	[WHO_PID] = { "PID", "process ID", 1, SCOLS_FL_RIGHT,
		      SCOLS_JSON_NUMBER },
	[WHO_COMMAND] = { "COMMAND", "command name (/proc/PID/comm)", 1, 0,
			  SCOLS_JSON_STRING },
	[WHO_FD] = { "FD", "open descriptor, for a hold by descriptor", 1,
		     SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER },
	[WHO_RANGE] = { "RANGE", "mapped addresses, as in /proc/PID/maps", 1, 0,
			SCOLS_JSON_STRING },
	[WHO_PERMS] = { "PERMS", "the mapping's access (r, w, x; s shared)", 1,
			0, SCOLS_JSON_STRING },
	[WHO_OFFSET] = { "OFFSET", "where in the object the mapping starts", 1,
			 SCOLS_FL_RIGHT, SCOLS_JSON_NUMBER },
};

static const int who_default[] = { WHO_NAME,  WHO_PID,   WHO_COMMAND,
				   WHO_FD,    WHO_RANGE, WHO_PERMS,
				   -1 };

static const struct option ls_longopts[] = {
	OUT_LONGOPTS,
	{ "bytes", no_argument, NULL, 'b' },
	{ "null", no_argument, NULL, '0' },
	HELP_OPTION,
	{ NULL, 0, NULL, 0 },
};

static const struct option who_longopts[] = {
	OUT_LONGOPTS,
	HELP_OPTION,
	{ NULL, 0, NULL, 0 },
};

void ls_help_columns(FILE *f)
{
	out_help(f, "ls columns (-o):", ls_cols, LS_NCOLS);
	out_help(f, "who columns (-o):", who_cols, WHO_NCOLS);
}

/* Parse the options of ls or who (LETTERS, LONGOPTS) into O and check
 * MIN..MAX operands (MAX -1: no limit). */
static void table_args(int argc, char **argv, const char *letters,
		       const struct option *longopts, struct outopts *o,
		       int min, int max)
{
	int c;

	while ((c = next_opt(argc, argv, letters, longopts)) != -1)
		out_opt(o, c);
	operand_count(argc, argv, min, max);
	if (o->json + o->raw + o->nul > 1)
		usage_error("%s: -J, -r and -0 exclude one another", argv[0]);
}

static int open_shmdir(void)
{
	int fd = shmdir_open(SHM_DIR);

	if (fd < 0)
		fprintf(stderr, "pshm: %s: %s\n", SHM_DIR, strerror(-fd));
	return fd;
}

/* ---- ls ---- */

/* One object: live (in the shm directory) or unlinked but still held. */
struct obj {
	char *name;
	struct stat st;
	bool have_st, deleted;
	unsigned nattch;
};

struct objs {
	struct obj *v;
	size_t n, cap;
	const char *prefix;
	size_t plen;
};

static int obj_cmp(const void *a, const void *b)
{
	const struct obj *x = a, *y = b;
	int c = strcmp(x->name, y->name);

	return c ? c : (int)x->deleted - (int)y->deleted;
}

/* Is NAME one that "ls PREFIX" shows? Semaphores never are. */
static bool wanted(const struct objs *l, const char *name)
{
	return !strncmp(name, l->prefix, l->plen) && !names_hidden(name);
}

static int obj_add(struct objs *l, const char *name, const struct stat *st)
{
	struct obj *v;

	if (l->n == l->cap) {
		l->cap = l->cap ? l->cap * 2 : 64;
		v = realloc(l->v, l->cap * sizeof(*v));
		if (!v)
			return ENOMEM;
		l->v = v;
	}
	v = &l->v[l->n];
	memset(v, 0, sizeof(*v));
	v->name = strdup(name);
	if (!v->name)
		return ENOMEM;
	if (st) {
		v->st = *st;
		v->have_st = true;
	}
	l->n++;
	return 0;
}

/* shmdir_each's callback: keep the regular files PREFIX selects. An entry
 * that vanishes between readdir and fstatat is skipped. */
static int ls_entry(int dirfd, const struct dirent *d, void *arg)
{
	struct objs *l = arg;
	struct stat st;

	if (!shmdir_regular(dirfd, d) || !wanted(l, d->d_name))
		return 0;
	if (shmobj_stat(dirfd, d->d_name, &st))
		return 0;
	return obj_add(l, d->d_name, &st);
}

static int ino_cmp(const void *a, const void *b)
{
	ino_t x = *(const ino_t *)a, y = *(const ino_t *)b;

	return x < y ? -1 : x > y;
}

/* Add the unlinked objects among the holds: those of no live inode whose
 * path says "(deleted)". LIVE: the live inodes, sorted. */
static int add_deleted(struct objs *l, const struct holds *h,
		       const ino_t *live, size_t nlive)
{
	const struct hold *name, *st;
	size_t i, j, n, first;
	int err = 0;

	/* The holds are sorted by inode: I steps from run to run. */
	for (i = 0; !err && i < h->n; i += n) {
		n = holds_of(h, h->v[i].ino, &first);
		if (bsearch(&h->v[i].ino, live, nlive, sizeof(*live), ino_cmp))
			continue;
		name = st = NULL;
		for (j = i; j < i + n; j++) {
			if (!name && h->v[j].deleted && h->v[j].name)
				name = &h->v[j];
			if (!st && h->v[j].have_st)
				st = &h->v[j];
		}
		if (!name || !wanted(l, name->name))
			continue;
		err = obj_add(l, name->name, st ? &st->st : NULL);
		if (!err) {
			l->v[l->n - 1].deleted = true;
			l->v[l->n - 1].nattch = holds_procs(h, i, n);
		}
	}
	return err;
}

/* Count the holders of the live objects, then add the unlinked ones. */
static int ls_holds(int dirfd, struct objs *l, struct holds *h)
{
	struct stat dst;
	ino_t *live;
	size_t i, first, n;
	int err;

	if (fstat(dirfd, &dst))
		return errno;
	err = holds_scan(dst.st_dev, h);
	if (err)
		return err;
	live = malloc((l->n + 1) * sizeof(*live));
	if (!live)
		return ENOMEM;
	for (i = 0; i < l->n; i++) {
		live[i] = l->v[i].st.st_ino;
		n = holds_of(h, live[i], &first);
		l->v[i].nattch = holds_procs(h, first, n);
	}
	qsort(live, l->n, sizeof(*live), ino_cmp);
	err = add_deleted(l, h, live, l->n);
	free(live);
	return err;
}

/* The cells of object E. */
static int ls_line(const struct outopts *o, struct libscols_line *ln,
		   const struct obj *e)
{
	bool bytes = o->bytes || o->json;
	char name[SHM_NAME_MAX + 2], size[32], alloc[32], mode[11];
	char when[40], user[24], group[24], nattch[16];
	int err;

	snprintf(name, sizeof(name), "/%s", e->name);
	snprintf(nattch, sizeof(nattch), "%u", e->nattch);
	err = out_set(o, ln, LS_NAME, name);
	if (!err)
		err = out_set(o, ln, LS_NATTCH, nattch);
	if (!err)
		err = out_set(o, ln, LS_DELETED, e->deleted ? "1" : "0");
	if (err || !e->have_st)
		return err;
	fmt_size((uint64_t)e->st.st_size, bytes, size);
	fmt_size((uint64_t)e->st.st_blocks * 512, bytes, alloc);
	fmt_mode(e->st.st_mode, mode);
	fmt_time(e->st.st_mtim.tv_sec, o->json || o->raw, when);
	err = out_set(o, ln, LS_SIZE, size);
	if (!err)
		err = out_set(o, ln, LS_ALLOC, alloc);
	if (!err)
		err = out_set(o, ln, LS_MODE, mode);
	if (!err)
		err = out_set(o, ln, LS_OWNER, fmt_user(e->st.st_uid, user));
	if (!err)
		err = out_set(o, ln, LS_GROUP, fmt_group(e->st.st_gid, group));
	if (!err)
		err = out_set(o, ln, LS_MTIME, when);
	return err;
}

static int ls_print(const struct outopts *o, const struct objs *l)
{
	struct libscols_table *tb = out_table(o, "shm", ls_cols);
	struct libscols_line *ln;
	size_t i;
	int err = tb ? 0 : -ENOMEM;

	for (i = 0; !err && i < l->n; i++) {
		ln = scols_table_new_line(tb, NULL);
		err = ln ? ls_line(o, ln, &l->v[i]) : -ENOMEM;
	}
	if (err) {
		scols_unref_table(tb);
		fprintf(stderr, "pshm: %s\n", strerror(-err));
		return 1;
	}
	return out_print(tb);
}

/* -0: the names of the live objects, each ended by a NUL byte, as they
 * are (for xargs -0). */
static void ls_nul(const struct objs *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		printf("/%s%c", l->v[i].name, '\0');
}

static void objs_free(struct objs *l)
{
	size_t i;

	for (i = 0; i < l->n; i++)
		free(l->v[i].name);
	free(l->v);
}

static int ls_collect(int dirfd, const struct outopts *o, struct objs *l,
		      struct holds *h)
{
	int err = shmdir_each(dirfd, ls_entry, l);

	if (err) {
		fprintf(stderr, "pshm: %s: %s\n", SHM_DIR, strerror(err));
		return 1;
	}
	if (o->nul || (!out_has(o, LS_NATTCH) && !out_has(o, LS_DELETED)))
		return 0;
	err = ls_holds(dirfd, l, h);
	if (err) {
		fprintf(stderr, "pshm: /proc: %s\n", strerror(err));
		return 1;
	}
	return 0;
}

int verb_ls(int argc, char **argv)
{
	struct outopts o = { 0 };
	struct holds h = { 0 };
	struct objs l = { .prefix = "" };
	int dirfd, ret;

	table_args(argc, argv, OUT_OPTS "b0", ls_longopts, &o, 0, 1);
	if (optind < argc)
		l.prefix = bare_name(argv[optind]);
	if (strchr(l.prefix, '/'))
		return fail_name(l.prefix, EINVAL,
				 "a name holds no '/' after the leading one");
	l.plen = strlen(l.prefix);
	out_columns(&o, "ls", ls_cols, LS_NCOLS, ls_default);
	dirfd = open_shmdir();
	if (dirfd < 0)
		return 1;
	ret = ls_collect(dirfd, &o, &l, &h);
	close(dirfd);
	if (l.n)
		qsort(l.v, l.n, sizeof(*l.v), obj_cmp);
	if (o.nul)
		ls_nul(&l);
	else if (!ret || l.n)
		ret |= ls_print(&o, &l);
	holds_warn(&h);
	holds_free(&h);
	objs_free(&l);
	return ret;
}

/* ---- who ---- */

/* The inode of object N, without opening it (an open would be a hold). */
static int who_stat(int dirfd, const struct shmname *n, struct stat *st)
{
	if (fstatat(dirfd, n->path + 1, st, AT_SYMLINK_NOFOLLOW))
		return fail(n, errno);
	if (S_ISLNK(st->st_mode))
		return fail(n, ELOOP);
	if (!S_ISREG(st->st_mode))
		return fail_name(n->path + 1, EINVAL, "not a regular file");
	return 0;
}

static int who_line(const struct outopts *o, struct libscols_line *ln,
		    const struct shmname *n, const struct hold *x)
{
	char pid[16], fd[16], range[48], off[24];
	int err;

	snprintf(pid, sizeof(pid), "%jd", (intmax_t)x->pid);
	err = out_set(o, ln, WHO_NAME, n->path);
	if (!err)
		err = out_set(o, ln, WHO_PID, pid);
	if (!err)
		err = out_set(o, ln, WHO_COMMAND, x->comm);
	if (!err && x->fd >= 0) {
		snprintf(fd, sizeof(fd), "%d", x->fd);
		return out_set(o, ln, WHO_FD, fd);
	}
	snprintf(range, sizeof(range), "%08lx-%08lx", x->start, x->end);
	snprintf(off, sizeof(off), "%lu", x->offset);
	if (!err)
		err = out_set(o, ln, WHO_RANGE, range);
	if (!err)
		err = out_set(o, ln, WHO_PERMS, x->perms);
	if (!err)
		err = out_set(o, ln, WHO_OFFSET, off);
	return err;
}

/* The rows of object N (inode INO) in TB. */
static int who_rows(const struct outopts *o, struct libscols_table *tb,
		    const struct shmname *n, const struct holds *h, ino_t ino)
{
	struct libscols_line *ln;
	size_t first, i, k = holds_of(h, ino, &first);
	int err = 0;

	for (i = first; !err && i < first + k; i++) {
		ln = scols_table_new_line(tb, NULL);
		err = ln ? who_line(o, ln, n, &h->v[i]) : -ENOMEM;
	}
	return err;
}

/* Check every operand, scan /proc once (if one is an object), then add
 * the rows of each. */
static int who_table(int argc, char **argv, int dirfd,
		     const struct outopts *o, struct holds *h,
		     struct libscols_table *tb)
{
	int i, k = 0, ret = 0, err = 0;
	struct shmname *n;
	struct stat st;
	ino_t *ino;

	n = calloc((size_t)(argc - optind), sizeof(*n));
	ino = calloc((size_t)(argc - optind), sizeof(*ino));
	if (!n || !ino)
		err = ENOMEM;
	for (i = optind; !err && i < argc; i++) {
		if (name_get(argv[i], &n[k]) || who_stat(dirfd, &n[k], &st))
			ret = 1;
		else
			ino[k++] = st.st_ino;
	}
	if (!err && k)
		err = fstat(dirfd, &st) ? errno : holds_scan(st.st_dev, h);
	for (i = 0; !err && i < k; i++)
		err = -who_rows(o, tb, &n[i], h, ino[i]);
	if (err) {
		fprintf(stderr, "pshm: %s\n", strerror(err));
		ret = 1;
	}
	free(n);
	free(ino);
	return ret;
}

int verb_who(int argc, char **argv)
{
	struct outopts o = { 0 };
	struct holds h = { 0 };
	struct libscols_table *tb;
	int dirfd, ret;

	table_args(argc, argv, OUT_OPTS, who_longopts, &o, 1, -1);
	out_columns(&o, "who", who_cols, WHO_NCOLS, who_default);
	dirfd = open_shmdir();
	if (dirfd < 0)
		return 1;
	tb = out_table(&o, "who", who_cols);
	if (!tb) {
		close(dirfd);
		fprintf(stderr, "pshm: %s\n", strerror(ENOMEM));
		return 1;
	}
	ret = who_table(argc, argv, dirfd, &o, &h, tb);
	close(dirfd);
	ret |= out_print(tb);
	holds_warn(&h);
	holds_free(&h);
	return ret;
}
