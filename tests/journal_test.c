/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * Unit tests of the rename journal (src/core/journal.c), without a mount.
 *
 * In a scratch directory of the shm tmpfs, a "daemon" here makes the
 * moves of a directory rename the way src/dirops.c does (journal_begin,
 * then the objects one by one, journal_step between an exchange's steps,
 * journal_undo before putting back), and "crashes" after each event in
 * turn: it drops the journal's descriptor (and so its lock) without
 * removing it. journal_recover() must then leave the tree whole under
 * exactly one name, every object with the content it had, and remove the
 * journal. Malformed journals must be reported and left alone, with
 * nothing moved.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core.h"
#include "journal.h"
#include "names.h"
#include "tap.h"

#define P "P."
#define D ':'

static int dirfd_;
static char scratch[] = "/dev/shm/pshmfs-test.journal.XXXXXX";
static FILE *log_;

/* ---- the tree ---- */

static void make(const char *name, const char *content)
{
	int fd = openat(dirfd_, name, O_RDWR | O_CREAT | O_EXCL, 0600);

	if (fd < 0 || write(fd, content, strlen(content)) < 0) {
		perror(name);
		exit(2);
	}
	close(fd);
}

/* Directory "a" (P.a:) holds five files and a subdirectory with one;
 * "b" a marker and two files. Each object holds its first owner's name. */
static const char *const a_objs[] = { "", "f0", "f1", "f2", "f3", "f4",
				      "sub:", "sub:g" };
static const char *const b_objs[] = { "", "x0", "x1" };
#define NA (sizeof(a_objs) / sizeof(a_objs[0]))
#define NB (sizeof(b_objs) / sizeof(b_objs[0]))

static void make_dir(const char *dir, const char *const *objs, size_t n,
		     const char *tag)
{
	char name[SHM_NAME_MAX + 1];

	for (size_t i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%s%s", dir, objs[i]);
		make(name, tag);
	}
}

static int by_name(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in the scratch directory beginning with START, sorted. */
static size_t names_under(const char *start, char ***out)
{
	DIR *d = fdopendir(dup(dirfd_));
	struct dirent *e;
	size_t n = 0;
	char **v = NULL;

	rewinddir(d);
	while ((e = readdir(d))) {
		if (strncmp(e->d_name, start, strlen(start)) != 0)
			continue;
		v = realloc(v, (n + 1) * sizeof(*v));
		v[n++] = strdup(e->d_name);
	}
	closedir(d);
	qsort(v, n, sizeof(*v), by_name);
	*out = v;
	return n;
}

static void free_names(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

static size_t count_under(const char *start)
{
	char **v;
	size_t n = names_under(start, &v);

	free_names(v, n);
	return n;
}

static bool holds(const char *name, const char *tag)
{
	char buf[16] = "";
	int fd = openat(dirfd_, name, O_RDONLY);
	ssize_t n = fd < 0 ? -1 : read(fd, buf, sizeof(buf) - 1);

	if (fd >= 0)
		close(fd);
	return n >= 0 && strcmp(buf, tag) == 0;
}

/* Does DIR hold exactly the objects OBJS, each with TAG? */
static bool whole(const char *dir, const char *const *objs, size_t n,
		  const char *tag)
{
	char name[SHM_NAME_MAX + 1];

	if (count_under(dir) != n)
		return false;
	for (size_t i = 0; i < n; i++) {
		snprintf(name, sizeof(name), "%s%s", dir, objs[i]);
		if (!holds(name, tag))
			return false;
	}
	return true;
}

static void clear(void)
{
	char **v;
	size_t n = names_under("", &v);

	for (size_t i = 0; i < n; i++)
		unlinkat(dirfd_, v[i], 0);
	free_names(v, n);
}

static size_t journals(void)
{
	return count_under(P ":" JOURNAL_TAG);
}

/* ---- the daemon, which crashes after a given number of events ---- */

/* The core's fields the hooks use: the shm directory, prefix, delimiter
 * and the journal under way. */
static struct core core;

struct daemon {
	int budget; /* events left before the crash */
	bool crashed;
};

/* One event; false once the daemon has crashed. */
static bool event(struct daemon *d)
{
	if (d->crashed)
		return false;
	if (d->budget-- == 0) {
		/* kill -9: the descriptor and its lock go, the journal stays. */
		if (journal_active(&core.journal))
			close(core.journal.fd);
		journal_init(&core.journal);
		d->crashed = true;
		return false;
	}
	return true;
}

static bool exists(const char *name)
{
	struct stat st;

	return fstatat(dirfd_, name, &st, AT_SYMLINK_NOFOLLOW) == 0;
}

/* Move the objects below FROM (not the marker) to TO, the first N of
 * them (all: -1). How many moved. */
static size_t move_below(struct daemon *d, const char *from, const char *to,
			 long n)
{
	char **v, src[SHM_NAME_MAX + 1], dst[SHM_NAME_MAX + 1];
	size_t nv = names_under(from, &v), moved = 0;

	for (size_t i = 0; i < nv && (n < 0 || (long)moved < n); i++) {
		if (!strcmp(v[i], from))
			continue;
		if (!event(d))
			break;
		snprintf(src, sizeof(src), "%s", v[i]);
		snprintf(dst, sizeof(dst), "%s%s", to, v[i] + strlen(from));
		renameat2(dirfd_, src, dirfd_, dst, RENAME_NOREPLACE);
		moved++;
	}
	free_names(v, nv);
	return moved;
}

/* src/core/dirops.c's rename_dir(), hooks and all: the objects below,
 * then the marker; with FAIL_AT >= 0, the move of object FAIL_AT fails
 * and those before go back. 0, or -1 when it failed. */
static int rename_dir(struct daemon *d, const char *from, const char *to,
		      long fail_at)
{
	size_t done;

	if (!event(d) || journal_begin(&core, from, to))
		return -1;
	done = move_below(d, from, to, fail_at);
	if (fail_at < 0 && event(d)) {
		if (exists(from))
			renameat(dirfd_, from, dirfd_, to);
		else
			unlinkat(dirfd_, to, 0);
	}
	if (fail_at >= 0 && event(d)) {
		journal_undo(&core);
		move_below(d, to, from, (long)done);
	}
	if (event(d))
		journal_end(&core);
	return fail_at >= 0 ? -1 : 0;
}

enum scenario {
	RENAME,
	RENAME_OVER,
	RENAME_IMPLICIT_OVER,
	RENAME_FAILS,
	EXCHANGE,
	EXCHANGE_FAILS,
	EXCHANGE_FAILS_LAST,
	NSCENARIOS
};

static const char *const sc_name[] = {
	"rename", "rename over an empty directory",
	"rename of an implicit directory over an empty one", "failing rename",
	"exchange", "exchange failing at its second move",
	"exchange failing at its third move"
};

/* src/core/dirops.c's exchange_dirs(), hooks and all; FAIL: which move
 * fails (at its second object), -1 none. */
static void exchange_dirs(struct daemon *d, int fail)
{
	const char *tmp = P "a.~x:";

	if (!event(d) || journal_exchange(&core, P "a:", P "b:", tmp))
		return;
	if (rename_dir(d, P "a:", tmp, fail == 0 ? 1 : -1))
		goto out;
	if (rename_dir(d, P "b:", P "a:", fail == 1 ? 1 : -1)) {
		rename_dir(d, tmp, P "a:", -1);
		goto out;
	}
	if (rename_dir(d, tmp, P "b:", fail == 2 ? 1 : -1)) {
		rename_dir(d, P "a:", P "b:", -1);
		rename_dir(d, tmp, P "a:", -1);
	}
out:
	if (event(d))
		journal_exchange_end(&core);
}

/* The tree before: "a"; "b" too, just a marker for a rename over it; an
 * implicit "a" has no marker. */
static void setup(enum scenario sc)
{
	clear();
	if (sc == RENAME_IMPLICIT_OVER)
		make_dir(P "a:", a_objs + 1, NA - 1, "a");
	else
		make_dir(P "a:", a_objs, NA, "a");
	if (sc == RENAME_OVER || sc == RENAME_IMPLICIT_OVER)
		make_dir(P "b:", b_objs, 1, "b");
	if (sc >= EXCHANGE)
		make_dir(P "b:", b_objs, NB, "b");
}

/* Run SC, crashing after BUDGET events; true if it crashed. */
static bool run(enum scenario sc, int budget)
{
	struct daemon d = { .budget = budget };

	journal_init(&core.journal);
	if (sc < EXCHANGE)
		rename_dir(&d, P "a:", P "b:", sc == RENAME_FAILS ? 5 : -1);
	else
		exchange_dirs(&d, sc == EXCHANGE ? -1 : sc == EXCHANGE_FAILS ? 1 : 2);
	return d.crashed;
}

/* Is the tree as before SC began (DONE false) or as after it completed
 * (DONE true): whole, under one name each, every object holding what it
 * held, no journal? */
static bool in_state(enum scenario sc, bool done)
{
	bool ok1;

	if (sc >= EXCHANGE)
		ok1 = whole(done ? P "b:" : P "a:", a_objs, NA, "a") &&
		      whole(done ? P "a:" : P "b:", b_objs, NB, "b");
	else if (sc == RENAME_IMPLICIT_OVER)
		ok1 = done ? whole(P "b:", a_objs + 1, NA - 1, "a") &&
				     !count_under(P "a:")
			   : whole(P "a:", a_objs + 1, NA - 1, "a") &&
				     whole(P "b:", b_objs, 1, "b");
	else if (done)
		ok1 = whole(P "b:", a_objs, NA, "a") && !count_under(P "a:");
	else
		ok1 = whole(P "a:", a_objs, NA, "a") &&
		      (sc == RENAME_OVER ? whole(P "b:", b_objs, 1, "b")
					 : !count_under(P "b:"));
	return ok1 && !count_under(P "a.~x:") && !journals();
}

static bool fails(enum scenario sc)
{
	return sc == RENAME_FAILS || sc == EXCHANGE_FAILS ||
	       sc == EXCHANGE_FAILS_LAST;
}

/* Run SC without a crash: how many events it has (-1 if it went wrong). */
static int count_events(enum scenario sc)
{
	for (int n = 0; n < 400; n++) {
		setup(sc);
		if (!run(sc, n))
			return in_state(sc, !fails(sc)) ? n : -1;
	}
	return -1;
}

/* Crash SC after every event in turn, recover, check: killed before the
 * journal was made, the tree is as before; after, the rename is finished,
 * but for one that was failing: finished if killed before it began to put
 * back, else undone. */
static void crash_everywhere(enum scenario sc, int nevents)
{
	int bad = 0, left = 0, ndone = 0;

	for (int k = 0; k < nevents; k++) {
		bool done;

		setup(sc);
		run(sc, k);
		left += journal_recover(dirfd_, P, D, log_) != 0;
		done = in_state(sc, true);
		ndone += done;
		if (k == 0 ? in_state(sc, false)
			   : fails(sc) ? done || in_state(sc, false) : done)
			continue;
		if (bad++ < 3)
			diag("%s: crash after %d events: tree not whole",
			     sc_name[sc], k);
	}
	ok(bad == 0, "%s: crash after each of %d events, recovered: whole under"
		     " one name, every object's content its own, journal removed"
		     " (%d finished, %d as before)",
	   sc_name[sc], nevents, ndone, nevents - ndone);
	ok(left == 0, "%s: no journal reported as left alone", sc_name[sc]);
}

/* ---- malformed journals ---- */

static const char good[] =
	"pshmfs-journal 1\nstate 0 f\nprefix 2\nP.\ndelim 3a\nmoves 1\n"
	"from 4\nP.a:\nto 4\nP.b:\nmarker 1\nend\n";

static void put_journal(const char *name, const char *text, size_t len)
{
	int fd = openat(dirfd_, name, O_RDWR | O_CREAT | O_TRUNC, 0600);

	if (fd < 0 || write(fd, text, len) != (ssize_t)len) {
		perror(name);
		exit(2);
	}
	close(fd);
}

static void malformed(const char *what, const char *text, size_t len)
{
	const char *name = P ":" JOURNAL_TAG "1.1";
	int r;

	clear();
	make_dir(P "a:", a_objs, NA, "a");
	put_journal(name, text, len);
	r = journal_recover(dirfd_, P, D, log_);
	ok(r == 1 && journals() == 1 && whole(P "a:", a_objs, NA, "a") &&
		   !count_under(P "b:"),
	   "malformed (%s): reported, left alone, nothing moved", what);
}

static char *replaced(const char *from, const char *to)
{
	static char buf[1024];
	const char *at = strstr(good, from);
	size_t head = (size_t)(at - good);

	memcpy(buf, good, head);
	strcpy(buf + head, to);
	strcat(buf, at + strlen(from));
	return buf;
}

/* The good journal with one piece changed, and what that makes it. */
static const struct {
	const char *what, *from, *to;
} bad[] = {
	{ "trailing bytes after end", "end\n", "end\nmore" },
	{ "a bad marker line", "marker 1", "marker 2" },
	{ "another prefix", "prefix 2\nP.", "prefix 2\nQ." },
	{ "another delimiter", "delim 3a", "delim 2d" },
	{ "a move out of the prefix", "to 4\nP.b:", "to 4\nQ.b:" },
	{ "a name with '/'", "to 4\nP.b:", "to 4\nP.b/" },
	{ "a move to no directory (empty component)", "to 4\nP.b:", "to 3\nP.:" },
	{ "a move to '..'", "to 4\nP.b:", "to 5\nP...:" },
	{ "state past the last move", "state 0 f", "state 1 f" },
	{ "unknown direction", "state 0 f", "state 0 x" },
	{ "a length that runs past its name", "to 4\nP.b:", "to 9\nP.b:" },
	{ "too many moves", "moves 1", "moves 4" },
};
#define NBAD (sizeof(bad) / sizeof(bad[0]))

static void test_malformed(void)
{
	char *t;

	malformed("garbage", "hello\n", 6);
	malformed("cut short", good, sizeof(good) - 10);
	for (size_t i = 0; i < NBAD; i++) {
		t = replaced(bad[i].from, bad[i].to);
		malformed(bad[i].what, t, strlen(t));
	}
}

static void test_format(void)
{
	const struct jmove m[2] = { { P "a b\n:", P "c:", true },
				    { P "c:", P "a b\n:", false } };
	static struct journal j, got;
	char buf[4096];
	ssize_t len;
	int fd;

	clear();
	journal_init(&j);
	is_int(journal_start(&j, dirfd_, P, D, m, 2), 0, "start: 0");
	ok(journal_active(&j), "start: active");
	ok(strncmp(j.name, P ":" JOURNAL_TAG, strlen(P ":" JOURNAL_TAG)) == 0,
	   "the journal's name: prefix, delimiter, tag (%s)", j.name);
	ok(!names_folds(j.name + strlen(P), D),
	   "the journal's name folds into no path: never listed");
	is_int(journal_step(&j, 1, J_REVERSE_UNDO), 0, "step: 0");
	fd = openat(dirfd_, j.name, O_RDONLY);
	len = fd < 0 ? -1 : read(fd, buf, sizeof(buf));
	if (fd >= 0)
		close(fd);
	ok(len > 0 && !journal_parse(buf, (size_t)len, P, D, &got),
	   "what start and step wrote parses");
	ok(got.nmoves == 2 && got.step == 1 && got.state == J_REVERSE_UNDO &&
		   !strcmp(got.moves[0].from, m[0].from) &&
		   !strcmp(got.moves[0].to, m[0].to) && got.moves[0].marker &&
		   !strcmp(got.moves[1].to, m[1].to) && !got.moves[1].marker,
	   "moves, names with a newline and a space, markers, state read back");
	is_int(journal_step(&j, 2, J_FORWARD), EINVAL,
	       "step past the last move: EINVAL");
	is_int(journal_recover(dirfd_, P, D, log_), 0,
	       "a journal a live daemon holds: not an error");
	is_int((long long)journals(), 1, "... and left alone");
	journal_finish(&j);
	ok(!journal_active(&j) && journals() == 0, "finish: the journal is gone");
	journal_finish(&j);
	ok(1, "finish twice: harmless");

	put_journal(P ":" JOURNAL_TAG "9.9", "", 0);
	make_dir(P "a:", a_objs, NA, "a");
	is_int(journal_recover(dirfd_, P, D, log_), 0,
	       "an empty journal (killed while writing it): nothing moved, not an error");
	ok(journals() == 0 && whole(P "a:", a_objs, NA, "a"),
	   "... removed, the tree untouched");

	put_journal("Q.:" JOURNAL_TAG "1.1", good, sizeof(good) - 1);
	is_int(journal_recover(dirfd_, P, D, log_), 0,
	       "another prefix's journal: not looked at");
	is_int((long long)count_under("Q.:"), 1, "... and not touched");
	unlinkat(dirfd_, "Q.:" JOURNAL_TAG "1.1", 0);
	is_int(journal_recover(dirfd_, P, '\0', log_), 0,
	       "a flat namespace has no journals");
}

int main(void)
{
	char logname[] = "/tmp/pshmfs-journal-log.XXXXXX";
	int lfd;

	if (access("/dev/shm", W_OK) || !mkdtemp(scratch))
		skip_all("no writable /dev/shm");
	dirfd_ = open(scratch, O_RDONLY | O_DIRECTORY);
	lfd = mkstemp(logname);
	log_ = lfd < 0 ? NULL : fdopen(lfd, "w+");
	if (dirfd_ < 0 || !log_) {
		perror("setup");
		return 2;
	}
	unlink(logname);
	core.dirfd = dirfd_;
	core.cfg.prefix = P;
	core.cfg.delim = D;
	plan(3 * NSCENARIOS + 17 + 2 + (int)NBAD);
	for (int sc = 0; sc < NSCENARIOS; sc++) {
		int n = count_events(sc);

		ok(n > 0, "%s: %d events without a crash end whole", sc_name[sc],
		   n);
		crash_everywhere(sc, n);
	}
	test_format();
	test_malformed();
	clear();
	rmdir(scratch);
	fflush(log_);
	rewind(log_);
	{
		char line[512];
		int shown = 0;

		while (fgets(line, sizeof(line), log_) && shown++ < 12)
			diag("log: %s", strtok(line, "\n"));
	}
	return done();
}
