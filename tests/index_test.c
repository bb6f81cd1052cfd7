/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * Unit tests of the index (src/core/index.c), without a mount: folding
 * into directories, implicit ones, markers and identities, what each
 * event is told to the hook as, shadowing, a flat namespace, and the
 * rescan after the inotify queue overflows. Objects are made directly in
 * /dev/shm under this test's own prefix, and removed at the end.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "index.h"
#include "names.h"
#include "shmobj.h"
#include "tap.h"

static char P[64];
static int shmfd;
static struct index *ix;

/* What the hook was told, as "WHAT name" lines (prefix taken off). */
static char told[8192];
static bool rescanned;
static const char *awaited; /* a name whose removal the hook notes */
static bool removal_seen;

static void hook(void *arg, enum ix_change what, const char *name,
		 uint64_t oldid, uint32_t mask)
{
	static const char *const w[] = { "event", "made", "gone", "marker",
					 "attr", "rescan" };
	size_t len = strlen(told);

	(void)arg;
	(void)oldid;
	(void)mask;
	if (what == IX_RESCAN)
		rescanned = true;
	if (what == IX_GONE && awaited && strcmp(name + strlen(P), awaited) == 0)
		removal_seen = true;
	if (what == IX_EVENT || what == IX_RESCAN || len > sizeof(told) - 300)
		return;
	snprintf(told + len, sizeof(told) - len, "%s%s %s", len ? ", " : "",
		 w[what], name + strlen(P));
}

static const char *obj(const char *rest)
{
	static char buf[SHM_NAME_MAX + 1];

	snprintf(buf, sizeof(buf), "%s%s", P, rest);
	return buf;
}

static uint64_t make(const char *rest)
{
	struct stat st = { 0 };
	int fd = openat(shmfd, obj(rest), O_CREAT | O_RDWR | O_CLOEXEC, 0600);

	if (fd >= 0) {
		fstat(fd, &st);
		close(fd);
	}
	return st.st_ino;
}

static void gone(const char *rest)
{
	unlinkat(shmfd, obj(rest), 0);
}

/* The hook's lines for what happens between two calls. */
static const char *events(void)
{
	index_sync(ix);
	return told;
}

static void forget(void)
{
	told[0] = '\0';
}

static struct dirinfo dir(const char *rest)
{
	struct dirinfo d;

	index_dir(ix, obj(rest), &d);
	return d;
}

static int cmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The entries of directory REST, sorted, as "name name/ ...". */
static const char *listing(const char *rest)
{
	static char buf[1024];
	struct ilist l;
	char *names[64];
	size_t n, len = 0;

	buf[0] = '\0';
	if (index_list(ix, obj(rest), &l))
		return "(error)";
	for (n = 0; n < l.n && n < 64; n++)
		names[n] = l.ents[n].name;
	qsort(names, n, sizeof(*names), cmp);
	for (size_t i = 0; i < n; i++) {
		bool isdir = false;

		for (size_t j = 0; j < l.n; j++)
			if (l.ents[j].name == names[i])
				isdir = l.ents[j].dir;
		len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s%s",
					i ? " " : "", names[i], isdir ? "/" : "");
	}
	index_free(&l);
	return buf;
}

static void test_scan(void)
{
	uint64_t m;
	struct dirinfo d;
	struct ilist l;

	make("a");
	make("d:x");
	make("d:y:z");
	m = make("m:");
	make("bad::x");
	make("..:x");
	is_int(index_open(&ix, shmfd, SHM_DIR, P, ':', true), 0, "open: scans");
	index_set_hook(ix, hook, NULL);
	is_str(listing(""), "a d/ m/", "scan: the root folds, bad names left out");
	d = dir("");
	ok(d.exists && !d.marker, "scan: the root exists");
	is_int(d.nchildren, 3, "scan: the root's children");
	is_int(d.nsubdirs, 2, "scan: its subdirectories");
	d = dir("d:");
	ok(d.exists && !d.marker, "scan: d exists implicitly");
	ok(d.id >> 63, "scan: an implicit directory's id has the top bit");
	is_int(d.nchildren, 2, "scan: d holds x and y");
	is_str(listing("d:"), "x y/", "scan: d's listing");
	is_str(listing("d:y:"), "z", "scan: two levels down");
	d = dir("m:");
	ok(d.exists && d.marker, "scan: m has its marker");
	ok(d.id == m, "scan: a marked directory's id is its marker's inode");
	is_int(d.nchildren, 0, "scan: m is empty");
	ok(!dir("a:").exists, "scan: a file is no directory");
	ok(!dir("bad:").exists, "scan: nor is a name that does not fold");
	is_int(index_below(ix, obj("d:"), &l), 0, "below: d");
	is_int((long long)l.n, 2, "below: what lies below d");
	index_free(&l);
	is_int(index_list(ix, obj("none:"), &l), ENOENT, "list: a missing directory: ENOENT");
	is_int(index_below(ix, obj("none:"), &l), ENOENT, "below: ENOENT");
}

static void test_events(void)
{
	uint64_t id, ino, before = index_changes(ix);

	forget();
	make("n:q");
	is_str(events(), "made n:", "event: an object in a new directory: the directory made");
	ok(dir("n:").exists, "event: the directory exists");
	ok(index_changes(ix) != before, "event: the change count moved");
	forget();
	make("n:r");
	is_str(events(), "made n:r", "event: an object in a directory there: itself");
	forget();
	id = dir("n:").id;
	ino = make("n:");
	is_str(events(), "marker n:", "event: a marker for an implicit directory: another identity");
	ok(dir("n:").id == ino && ino != id, "event: its id is the marker's now");
	forget();
	gone("n:");
	is_str(events(), "marker n:", "event: the marker removed, objects left: another identity");
	ok(dir("n:").id != ino && dir("n:").id != id, "event: a new implicit id, not the old one");
	forget();
	gone("n:q");
	gone("n:r");
	is_str(events(), "gone n:q, gone n:r, gone n:", "event: its last object goes, the directory with it");
	ok(!dir("n:").exists, "event: gone");
	forget();
	make("e:f:g");
	is_str(events(), "made e:", "event: a deep name: only the outermost new directory");
	ok(dir("e:f:").exists, "event: the inner one exists too");
	forget();
	gone("e:f:g");
	is_str(events(), "gone e:f:g, gone e:f:, gone e:", "event: removed: innermost first");
	forget();
	make("a2");
	{
		char from[SHM_NAME_MAX + 1];

		strcpy(from, obj("a2"));
		renameat2(shmfd, from, shmfd, obj("a3"), 0);
	}
	/* The name it went from is told gone all the same: whoever made it
	 * (through the mount) may have handed it out. */
	is_str(events(), "gone a2, made a3",
	       "event: made and renamed before the index looked: the name it left, and what is there now");
	forget();
	make("a4");
	gone("a4");
	is_str(events(), "gone a4",
	       "event: made and removed before the index looked: told gone (it was never held)");
	forget();
	make("a5");
	gone("a5");
	make("a5");
	is_str(events(), "made a5, made a5",
	       "event: made, removed and made again before the index looked: made, then made anew");
	forget();
	make("m5:");
	gone("m5:");
	make("m5:");
	is_str(events(), "made m5:, marker m5:",
	       "event: a marker made, removed and made again before the index looked: another directory");
	gone("a5");
	gone("m5:");
	forget();
	forget();
	make("b1");
	events();
	forget();
	{
		char from[SHM_NAME_MAX + 1];

		strcpy(from, obj("a3"));
		renameat2(shmfd, from, shmfd, obj("b1"), 0);
	}
	is_str(events(), "gone a3, made b1", "event: a rename over: the name holds another object");
	forget();
	{
		int fd = openat(shmfd, obj("b1"), O_WRONLY | O_CLOEXEC);

		ok(fd >= 0 && write(fd, "x", 1) == 1, "event: a write");
		close(fd);
	}
	is_str(events(), "attr b1", "event: a write: attributes");
	forget();
	fchmodat(shmfd, obj("b1"), 0644, 0);
	is_str(events(), "attr b1", "event: a chmod: attributes");
	gone("b1");
	is_str(events(), "attr b1, gone b1", "event: removed");
	forget();
	make("zz:.."); /* does not fold */
	is_str(events(), "", "event: a name that does not fold: nothing");
	gone("zz:..");
	{
		char other[80];
		int fd;

		snprintf(other, sizeof(other), "%.*s-other", (int)strlen(P) - 1, P);
		fd = openat(shmfd, other, O_CREAT | O_RDWR | O_CLOEXEC, 0600);
		close(fd);
		is_str(events(), "", "event: nothing outside the prefix");
		unlinkat(shmfd, other, 0);
	}
}

static void test_shadow_and_identity(void)
{
	uint64_t id;

	make("s");
	make("s:t");
	is_str(listing(""), "a d/ m/ s", "shadow: a file hides the directory of its name");
	ok(dir("s:").exists, "shadow: which still exists below");
	gone("s");
	gone("s:t");
	id = dir("d:").id;
	make("unrelated");
	gone("unrelated");
	ok(dir("d:").id == id, "identity: an implicit directory keeps its id");
	gone("d:x");
	gone("d:y:z");
	ok(!dir("d:").exists, "identity: emptied, it ends");
	make("d:x");
	ok(dir("d:").exists && dir("d:").id != id, "identity: made again: a new id");
}

/* More events than the queue holds: the next query rescans, keeping the
 * identities of what did not change, telling what did. */
static void test_overflow(void)
{
	enum { N = 17000 };
	char rest[32];
	uint64_t id = dir("d:").id, mid = dir("m:").id;
	int lost = 0;

	forget();
	rescanned = false;
	for (int i = 0; i < N; i++) {
		snprintf(rest, sizeof(rest), "o:%d", i);
		make(rest);
	}
	gone("a");
	awaited = "a";
	index_sync(ix);
	ok(rescanned, "overflow: %d events: the index was read again", N);
	is_int(dir("o:").nchildren, N, "overflow: every new object is there");
	ok(!strstr(listing(""), "a "), "overflow: a removed one is not");
	ok(removal_seen, "overflow: its removal was told");
	ok(dir("d:").id == id, "overflow: an implicit directory kept its id");
	ok(dir("m:").id == mid, "overflow: a marked one kept its id");
	for (int i = 0; i < N; i++) {
		snprintf(rest, sizeof(rest), "o:%d", i);
		gone(rest);
	}
	index_sync(ix);
	lost = dir("o:").exists;
	is_int(lost, 0, "overflow: all removed again, the directory goes");
}

static void test_flat(void)
{
	struct index *flat;
	struct dirinfo d;
	struct ilist l;

	make("x:y");
	is_int(index_open(&flat, shmfd, SHM_DIR, P, '\0', false), 0, "flat: open");
	index_dir(flat, obj("x:"), &d);
	ok(!d.exists, "flat: no directories");
	is_int(index_list(flat, P, &l), 0, "flat: the root lists");
	bool found = false;
	for (size_t i = 0; i < l.n; i++)
		found |= strcmp(l.ents[i].name, "x:y") == 0;
	ok(found, "flat: x:y is a plain name");
	index_free(&l);
	index_close(flat);
	gone("x:y");
}

static int rm_ours(int fd, const struct dirent *d, void *arg)
{
	(void)arg;
	if (strncmp(d->d_name, P, strlen(P)) == 0)
		unlinkat(fd, d->d_name, 0);
	return 0;
}

int main(void)
{
	tap_start();
	snprintf(P, sizeof(P), "pshmfs-test.index_test.%d.", (int)getpid());
	shmfd = shmdir_open(SHM_DIR);
	if (shmfd < 0)
		skip_all("no " SHM_DIR);
	test_scan();
	test_events();
	test_shadow_and_identity();
	test_overflow();
	test_flat();
	index_close(ix);
	shmdir_each(shmfd, rm_ours, NULL);
	return done_testing();
}
