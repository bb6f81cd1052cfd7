/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * The intent journal of directory renames (see journal.h).
 *
 * The journal is text, written in one pwrite() before the first object
 * moves, so a daemon killed while making it leaves an empty object (no
 * object moved yet) or a whole record, never half of one:
 *
 *   pshmfs-journal 1
 *   state S D            S: the move under way (0..2), D: its enum jstate
 *   prefix LEN           then LEN bytes of the mount's prefix, newline
 *   delim XX             the delimiter, in hex
 *   moves N
 *   from LEN             then the prefix moved, newline
 *   to LEN               then where it goes, newline
 *   marker 0|1           (from, to, marker: N times)
 *   end
 *
 * Names are counted, not quoted: an object name may hold any byte but '/'
 * and NUL. The state is rewritten in place (three bytes, one pwrite) as
 * the rename goes on. Recovery goes on from the state as the daemon
 * would have: a rename under way is finished; one that failed and was
 * putting back what it moved is put back (and an exchange's earlier
 * moves reversed).
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/fsuid.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core.h"
#include "journal.h"
#include "shmobj.h"

#define MAGIC "pshmfs-journal 1\n"
#define STATE_AT (sizeof(MAGIC) - 1 + sizeof("state ") - 1)
#define JOURNAL_MAX 8192 /* more than any journal holds */
#define LOCK_WAIT_MS 1000 /* for a daemon that is still exiting */

/* ---- writing ---- */

struct text {
	char buf[JOURNAL_MAX];
	size_t len;
	bool full;
};

__attribute__((format(printf, 2, 3)))
static void put(struct text *t, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(t->buf + t->len, sizeof(t->buf) - t->len, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(t->buf) - t->len)
		t->full = true;
	else
		t->len += (size_t)n;
}

static void put_name(struct text *t, const char *key, const char *name)
{
	put(t, "%s %zu\n%s\n", key, strlen(name), name);
}

static void compose(struct text *t, const char *prefix, char delim,
		    const struct jmove *moves, int n)
{
	t->len = 0;
	t->full = false;
	put(t, MAGIC "state 0 f\n");
	put_name(t, "prefix", prefix);
	put(t, "delim %02x\nmoves %d\n", (unsigned char)delim, n);
	for (int i = 0; i < n; i++) {
		put_name(t, "from", moves[i].from);
		put_name(t, "to", moves[i].to);
		put(t, "marker %d\n", moves[i].marker ? 1 : 0);
	}
	put(t, "end\n");
}

/* The journal is the daemon's: made and removed with its own ids, not a
 * caller's (a root daemon takes on the caller's for sticky /dev/shm). */
struct ids {
	int uid, gid;
};

static struct ids as_self(void)
{
	struct ids old;

	old.gid = setfsgid(getegid());
	old.uid = setfsuid(geteuid());
	return old;
}

static void as_before(struct ids old)
{
	setfsuid((uid_t)old.uid);
	setfsgid((gid_t)old.gid);
}

/* Create the journal object J->name, locked; 0 or errno. */
static int create_locked(struct journal *j)
{
	struct stat st;
	int err = 0;

	j->fd = openat(j->dirfd, j->name,
		       O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
	if (j->fd < 0)
		return errno;
	/* Locked before anything is in it; a recovery that opened it in
	 * between may have removed it: then make another. */
	if (flock(j->fd, LOCK_EX) || fstat(j->fd, &st))
		err = errno;
	else if (st.st_nlink == 0)
		err = EEXIST;
	if (err) {
		close(j->fd);
		j->fd = -1;
	}
	return err;
}

/* Keep copies of the N moves in J, for the hooks to match. */
static void keep_moves(struct journal *j, const struct jmove *moves, int n)
{
	for (int i = 0; i < n; i++) {
		snprintf(j->names[2 * i], sizeof(j->names[0]), "%s", moves[i].from);
		snprintf(j->names[2 * i + 1], sizeof(j->names[0]), "%s", moves[i].to);
		j->moves[i] = (struct jmove){ j->names[2 * i], j->names[2 * i + 1],
					      moves[i].marker };
	}
	j->nmoves = n;
	j->step = 0;
	j->state = J_FORWARD;
}

int journal_start(struct journal *j, int dirfd, const char *prefix,
		  char delim, const struct jmove *moves, int n)
{
	static unsigned long seq;
	struct text *t = malloc(sizeof(*t));
	struct ids ids;
	ssize_t w;
	int err, len;

	j->fd = -1;
	if (!t)
		return ENOMEM;
	compose(t, prefix, delim, moves, n);
	err = t->full || n < 1 || n > JOURNAL_MAX_MOVES ? EINVAL : 0;
	j->dirfd = dirfd;
	if (!err)
		keep_moves(j, moves, n);
	ids = as_self();
	do {
		len = snprintf(j->name, sizeof(j->name), "%s%c" JOURNAL_TAG "%ld.%lu",
			       prefix, delim, (long)getpid(),
			       __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED));
		if (!err && (len < 0 || (size_t)len >= sizeof(j->name)))
			err = ENAMETOOLONG;
		if (!err)
			err = create_locked(j);
	} while (err == EEXIST);
	if (!err) {
		w = pwrite(j->fd, t->buf, t->len, 0);
		err = w < 0 ? errno : (size_t)w != t->len ? EIO : 0;
		if (err) {
			unlinkat(dirfd, j->name, 0);
			close(j->fd);
			j->fd = -1;
		}
	}
	as_before(ids);
	free(t);
	return err;
}

int journal_step(struct journal *j, int step, enum jstate state)
{
	char text[3] = { (char)('0' + step), ' ', (char)state };

	if (!journal_active(j))
		return 0;
	if (step < 0 || step >= j->nmoves)
		return EINVAL;
	j->step = step;
	j->state = state;
	if (pwrite(j->fd, text, sizeof(text), (off_t)STATE_AT) !=
	    (ssize_t)sizeof(text))
		return errno ? errno : EIO;
	return 0;
}

void journal_finish(struct journal *j)
{
	struct ids ids;

	if (!journal_active(j))
		return;
	/* Unlinked before the lock goes with the descriptor: a recovery
	 * that gets the lock then finds nlink 0 and leaves it. */
	ids = as_self();
	unlinkat(j->dirfd, j->name, 0);
	as_before(ids);
	close(j->fd);
	j->fd = -1;
}

/* ---- reading ---- */

struct cursor {
	const char *p, *end;
};

static bool take(struct cursor *c, const char *lit)
{
	size_t n = strlen(lit);

	if ((size_t)(c->end - c->p) < n || memcmp(c->p, lit, n) != 0)
		return false;
	c->p += n;
	return true;
}

/* A decimal number up to MAX, then a newline. */
static bool number(struct cursor *c, unsigned long max, unsigned long *v)
{
	const char *start = c->p;

	*v = 0;
	while (c->p < c->end && *c->p >= '0' && *c->p <= '9' &&
	       c->p - start < 6)
		*v = *v * 10 + (unsigned long)(*c->p++ - '0');
	return c->p > start && *v <= max && take(c, "\n");
}

/* "KEY LEN\n", LEN bytes, "\n": into OUT. */
static bool counted(struct cursor *c, const char *key, char *out)
{
	unsigned long len;

	if (!take(c, key) || !take(c, " ") || !number(c, SHM_NAME_MAX, &len) ||
	    (size_t)(c->end - c->p) < len + 1 || c->p[len] != '\n' ||
	    memchr(c->p, '\0', len) || memchr(c->p, '/', len))
		return false;
	memcpy(out, c->p, len);
	out[len] = '\0';
	c->p += len + 1;
	return true;
}

/* Is DIR a directory's prefix of this mount: PREFIX, a path that folds,
 * the delimiter? */
static bool is_dir_prefix(const char *dir, const char *prefix, char delim)
{
	size_t plen = strlen(prefix), len = strlen(dir);

	return len > plen + 1 && strncmp(dir, prefix, plen) == 0 &&
	       dir[len - 1] == delim && names_folds(dir + plen, delim);
}

static int hexdigit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

static bool is_state(char c)
{
	return c == J_FORWARD || c == J_UNDO || c == J_REVERSE ||
	       c == J_REVERSE_UNDO;
}

static const char *parse_head(struct cursor *c, const char *prefix,
			      char delim, struct journal *j, char *pbuf)
{
	int hi, lo;

	if (!take(c, MAGIC) || !take(c, "state ") || c->end - c->p < 4)
		return "no journal header";
	j->step = c->p[0] - '0';
	j->state = (enum jstate)c->p[2];
	if (j->step < 0 || j->step >= JOURNAL_MAX_MOVES || c->p[1] != ' ' ||
	    !is_state(c->p[2]) || c->p[3] != '\n')
		return "bad state line";
	c->p += 4;
	if (!counted(c, "prefix", pbuf))
		return "bad prefix line";
	if (strcmp(pbuf, prefix) != 0)
		return "written for another prefix";
	if (!take(c, "delim ") || c->end - c->p < 3)
		return "bad delim line";
	hi = hexdigit(c->p[0]);
	lo = hexdigit(c->p[1]);
	if (hi < 0 || lo < 0 || c->p[2] != '\n')
		return "bad delim line";
	if ((char)(hi * 16 + lo) != delim || !delim)
		return "written for another delimiter";
	c->p += 3;
	return NULL;
}

const char *journal_parse(const char *buf, size_t len, const char *prefix,
			  char delim, struct journal *j)
{
	struct cursor c = { buf, buf + len };
	char pbuf[SHM_NAME_MAX + 1];
	unsigned long nm, marker;
	const char *why = parse_head(&c, prefix, delim, j, pbuf);

	if (why)
		return why;
	if (!take(&c, "moves ") || !number(&c, JOURNAL_MAX_MOVES, &nm) || !nm)
		return "bad moves line";
	j->nmoves = (int)nm;
	if (j->step >= j->nmoves)
		return "state past the last move";
	for (int i = 0; i < j->nmoves; i++) {
		char *from = j->names[2 * i], *to = j->names[2 * i + 1];

		if (!counted(&c, "from", from) || !counted(&c, "to", to) ||
		    !take(&c, "marker ") || !number(&c, 1, &marker))
			return "bad move lines";
		if (!is_dir_prefix(from, prefix, delim) ||
		    !is_dir_prefix(to, prefix, delim) || !strcmp(from, to))
			return "a move names no directory of this mount";
		j->moves[i] = (struct jmove){ from, to, marker == 1 };
	}
	if (!take(&c, "end\n") || c.p != c.end)
		return "bad end";
	return NULL;
}

/* ---- recovering ---- */

struct names {
	char **v;
	size_t n, cap;
};

static void names_free(struct names *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->v[i]);
	free(l->v);
	memset(l, 0, sizeof(*l));
}

struct collect {
	const char *start;
	size_t len;
	struct names *out;
};

static int collect_one(int dirfd, const struct dirent *d, void *arg)
{
	struct collect *c = arg;
	struct names *l = c->out;
	char **v;

	if (strncmp(d->d_name, c->start, c->len) != 0 ||
	    !shmdir_regular(dirfd, d))
		return 0;
	if (l->n == l->cap) {
		v = realloc(l->v, (l->cap ? 2 * l->cap : 64) * sizeof(*v));
		if (!v)
			return ENOMEM;
		l->v = v;
		l->cap = l->cap ? 2 * l->cap : 64;
	}
	l->v[l->n] = strdup(d->d_name);
	if (!l->v[l->n])
		return ENOMEM;
	l->n++;
	return 0;
}

/* The objects whose names begin with START, into OUT. 0 or errno. */
static int names_starting(int dirfd, const char *start, struct names *out)
{
	struct collect c = { start, strlen(start), out };
	int err;

	memset(out, 0, sizeof(*out));
	err = shmdir_each(dirfd, collect_one, &c);
	if (err)
		names_free(out);
	return err;
}

/* Move the objects below FROM (not its marker) to TO, as the daemon
 * would have: what another program removed meanwhile is skipped. *MOVED
 * counts. 0, or the first errno (the others are still tried). */
static int move_below(int dirfd, const char *from, const char *to,
		      unsigned long *moved)
{
	size_t flen = strlen(from), tlen = strlen(to), rest;
	char dst[SHM_NAME_MAX + 1];
	struct names l;
	int err = names_starting(dirfd, from, &l), e;

	for (size_t i = 0; !err && i < l.n; i++) {
		rest = strlen(l.v[i]) - flen;
		if (!rest)
			continue;
		if (tlen + rest > SHM_NAME_MAX) {
			err = ENAMETOOLONG;
			continue;
		}
		memcpy(dst, to, tlen);
		memcpy(dst + tlen, l.v[i] + flen, rest + 1);
		e = renameat2(dirfd, l.v[i], dirfd, dst, RENAME_NOREPLACE) ? errno : 0;
		if (!e)
			(*moved)++;
		else if (e != ENOENT && !err)
			err = e;
	}
	names_free(&l);
	return err;
}

/* A whole move, FROM to TO: what lies below, then FROM's marker over TO's
 * (or, FROM having had none, TO's removed: DROP). */
static int move_whole(int dirfd, const char *from, const char *to, bool drop,
		      unsigned long *moved)
{
	int err = move_below(dirfd, from, to, moved);
	struct stat st;

	if (err)
		return err;
	if (fstatat(dirfd, from, &st, AT_SYMLINK_NOFOLLOW) == 0) {
		if (renameat(dirfd, from, dirfd, to))
			return errno;
		(*moved)++;
	} else if (drop && unlinkat(dirfd, to, 0) && errno != ENOENT) {
		return errno;
	}
	return 0;
}

/* Go on from J's state as the daemon would have (see enum jstate). 0 or
 * the first errno. */
static int replay(int dirfd, const struct journal *j, unsigned long *moved)
{
	const struct jmove *m = j->moves;
	int k = j->step, err = 0, e;

	switch (j->state) {
	case J_FORWARD:
		for (int i = k; i < j->nmoves && !err; i++)
			err = move_whole(dirfd, m[i].from, m[i].to, !m[i].marker,
					 moved);
		return err;
	case J_UNDO:
		err = move_below(dirfd, m[k].to, m[k].from, moved);
		break;
	case J_REVERSE:
		err = move_whole(dirfd, m[k].to, m[k].from, false, moved);
		break;
	case J_REVERSE_UNDO:
		err = move_below(dirfd, m[k].from, m[k].to, moved);
		break;
	}
	for (int i = k - 1; i >= 0; i--) {
		e = move_whole(dirfd, m[i].to, m[i].from, false, moved);
		err = err ? err : e;
	}
	return err;
}

/* The lock on FD, waiting a little for a daemon still on its way out. */
static bool lock_soon(int fd)
{
	struct timespec pause = { 0, 10 * 1000 * 1000 };

	for (int ms = 0; ms < LOCK_WAIT_MS; ms += 10) {
		if (flock(fd, LOCK_EX | LOCK_NB) == 0)
			return true;
		if (errno != EWOULDBLOCK && errno != EINTR)
			return false;
		nanosleep(&pause, NULL);
	}
	return false;
}

struct recovery {
	const char *prefix;
	char delim;
	FILE *log;
	int left; /* journals left alone */
};

/* The directory prefix DIR as the mount shows it ("a:b:" is a/b). */
static const char *shown(const struct recovery *r, const char *dir, char *out)
{
	size_t len = strlen(dir + strlen(r->prefix));

	memcpy(out, dir + strlen(r->prefix), len);
	out[len ? len - 1 : 0] = '\0';
	for (char *c = out; *c; c++)
		if (*c == r->delim)
			*c = '/';
	return out;
}

static void left_alone(struct recovery *r, const char *name, const char *why)
{
	fprintf(r->log, "pshmfs: %s: %s; journal left alone\n", name, why);
	r->left++;
}

/* Finish the rename the journal NAME (BUF, LEN bytes) says. */
static void finish(struct recovery *r, int dirfd, const char *name,
		   const char *buf, size_t len)
{
	struct journal *j = malloc(sizeof(*j));
	char from[SHM_NAME_MAX + 1], to[SHM_NAME_MAX + 1];
	unsigned long moved = 0;
	const char *why;
	int err;

	if (!j) {
		left_alone(r, name, strerror(ENOMEM));
		return;
	}
	why = journal_parse(buf, len, r->prefix, r->delim, j);
	if (why) {
		left_alone(r, name, why);
		free(j);
		return;
	}
	err = replay(dirfd, j, &moved);
	shown(r, j->moves[0].from, from);
	shown(r, j->nmoves > 1 ? j->moves[1].from : j->moves[0].to, to);
	if (err) {
		fprintf(r->log, "pshmfs: %s: interrupted rename of %s to %s: %s\n",
			name, from, to, strerror(err));
		left_alone(r, name, "not finished");
	} else {
		fprintf(r->log,
			"pshmfs: %s an interrupted %s of %s %s %s (%lu objects moved)\n",
			j->state == J_FORWARD ? "finished" : "undid",
			j->nmoves > 1 ? "exchange" : "rename", from,
			j->nmoves > 1 ? "and" : "to", to, moved);
		unlinkat(dirfd, name, 0);
	}
	free(j);
}

static void recover_one(struct recovery *r, int dirfd, const char *name)
{
	char *buf = malloc(JOURNAL_MAX + 1);
	struct stat st;
	ssize_t len = -1;
	int fd;

	fd = openat(dirfd, name, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
	if (fd < 0 || !buf) {
		left_alone(r, name, strerror(fd < 0 ? errno : ENOMEM));
		goto out;
	}
	if (!lock_soon(fd)) {
		fprintf(r->log, "pshmfs: %s: held by a running daemon; left alone\n",
			name);
		goto out;
	}
	if (fstat(fd, &st) || !S_ISREG(st.st_mode)) {
		left_alone(r, name, "not a regular object");
		goto out;
	}
	if (st.st_nlink == 0) /* its rename ended while we waited */
		goto out;
	if (st.st_size == 0) {
		/* Killed between making it and writing it: nothing moved. */
		unlinkat(dirfd, name, 0);
		goto out;
	}
	if (st.st_size <= JOURNAL_MAX)
		len = pread(fd, buf, JOURNAL_MAX + 1, 0);
	if (len < 0 || len > JOURNAL_MAX)
		left_alone(r, name, len < 0 && st.st_size <= JOURNAL_MAX
					    ? strerror(errno)
					    : "too long for a journal");
	else
		finish(r, dirfd, name, buf, (size_t)len);
out:
	if (fd >= 0)
		close(fd);
	free(buf);
}

int journal_recover(int dirfd, const char *prefix, char delim, FILE *log)
{
	struct recovery r = { prefix, delim, log, 0 };
	char start[SHM_NAME_MAX + 1];
	struct names l;
	int err, len;

	if (!delim) /* a flat namespace renames no directories */
		return 0;
	len = snprintf(start, sizeof(start), "%s%c" JOURNAL_TAG, prefix, delim);
	if (len < 0 || (size_t)len >= sizeof(start))
		return 0;
	err = names_starting(dirfd, start, &l);
	if (err)
		return -err;
	for (size_t i = 0; i < l.n; i++)
		recover_one(&r, dirfd, l.v[i]);
	names_free(&l);
	return r.left;
}

/* ---- the hooks of core's directory renames ---- */

static bool has_marker(const struct core *c, const char *dir)
{
	struct stat st;

	return fstatat(c->dirfd, dir, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

int journal_begin(struct core *c, const char *from, const char *to)
{
	struct journal *j = &c->journal;
	struct jmove m = { from, to, has_marker(c, from) };

	if (!journal_active(j))
		return journal_start(j, c->dirfd, c->cfg.prefix, c->cfg.delim,
				     &m, 1);
	/* A step of the exchange under way, or the reversal of one. */
	for (int i = 0; i < j->nmoves; i++) {
		if (!strcmp(j->moves[i].from, from) && !strcmp(j->moves[i].to, to))
			return journal_step(j, i, J_FORWARD);
		if (!strcmp(j->moves[i].from, to) && !strcmp(j->moves[i].to, from))
			return journal_step(j, i, J_REVERSE);
	}
	return EINVAL;
}

void journal_undo(struct core *c)
{
	struct journal *j = &c->journal;

	journal_step(j, j->step,
		     j->state == J_REVERSE ? J_REVERSE_UNDO : J_UNDO);
}

void journal_end(struct core *c)
{
	if (c->journal.nmoves == 1)
		journal_finish(&c->journal);
}

int journal_exchange(struct core *c, const char *a, const char *b,
		     const char *aside)
{
	const struct jmove m[3] = { { a, aside, has_marker(c, a) },
				    { b, a, has_marker(c, b) },
				    { aside, b, has_marker(c, a) } };

	return journal_start(&c->journal, c->dirfd, c->cfg.prefix,
			     c->cfg.delim, m, 3);
}

void journal_exchange_end(struct core *c)
{
	journal_finish(&c->journal);
}
