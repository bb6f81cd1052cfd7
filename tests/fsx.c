/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * Random I/O with mmap against a model buffer, in the spirit of fsx:
 *
 *   fsx [-s] FILE NAME SEED OPS
 *
 * OPS random operations on FILE (in the mount): write, read, truncate,
 * read through a mapping, store through a mapping, close and reopen; each
 * read is checked against the model of what the file must hold. At the
 * end (and with -s after every operation: passthrough, where the object
 * is the file) the shm object NAME itself must equal the model. The seed
 * is printed; the same seed replays the same operations. Exit 0 if every
 * check held, 1 at the first that did not (with the last operations),
 * 2 on a setup failure.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#define MAXLEN (256 * 1024)
#define MAXIO (64 * 1024)
#define HISTORY 16

static unsigned char model[MAXLEN], buf[MAXLEN];
static size_t size;
static int fd;
static const char *file, *name;
static uint64_t rng;
static char history[HISTORY][96];
static long opno;

static uint64_t next(void)
{
	/* xorshift64*: the same on every machine for a seed. */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return rng * 2685821657736338717ULL;
}

static size_t below(size_t n)
{
	return n ? (size_t)(next() % n) : 0;
}

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(history[opno % HISTORY], sizeof(history[0]), fmt, ap);
	va_end(ap);
}

static void fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static void fail(const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "fsx: operation %ld: ", opno);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\nfsx: the last operations:\n");
	for (long i = opno - HISTORY + 1; i <= opno; i++)
		if (i >= 0)
			fprintf(stderr, "fsx:   %ld %s\n", i,
				history[i % HISTORY]);
	exit(1);
}

static void check(const unsigned char *got, size_t off, size_t len,
		  const char *what)
{
	for (size_t i = 0; i < len; i++)
		if (got[i] != model[off + i])
			fail("%s: byte %zu is 0x%02x, the model says 0x%02x",
			     what, off + i, got[i], model[off + i]);
}

static void op_write(void)
{
	size_t off = below(MAXLEN), len = 1 + below(MAXIO);

	if (off + len > MAXLEN)
		len = MAXLEN - off;
	for (size_t i = 0; i < len; i++)
		buf[i] = (unsigned char)next();
	note("write %zu at %zu", len, off);
	if (pwrite(fd, buf, len, (off_t)off) != (ssize_t)len)
		fail("pwrite: %s", strerror(errno));
	if (off > size)
		memset(model + size, 0, off - size);
	memcpy(model + off, buf, len);
	if (off + len > size)
		size = off + len;
}

static void op_read(void)
{
	size_t off = below(size + 1024), len = 1 + below(MAXIO);
	size_t want = off >= size ? 0 : (off + len > size ? size - off : len);
	ssize_t n;

	note("read %zu at %zu", len, off);
	n = pread(fd, buf, len, (off_t)off);
	if (n != (ssize_t)want)
		fail("pread gave %zd bytes, the model says %zu", n, want);
	check(buf, off, want, "read");
}

static void op_truncate(void)
{
	size_t to = below(MAXLEN + 1);

	note("truncate to %zu (from %zu)", to, size);
	if (ftruncate(fd, (off_t)to))
		fail("ftruncate: %s", strerror(errno));
	if (to > size)
		memset(model + size, 0, to - size);
	size = to;
}

/* A mapping of [OFF, OFF + LEN) within the size, from its page. */
static unsigned char *map_range(size_t off, size_t len, int prot,
				size_t *start, size_t *maplen)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);
	void *p;

	*start = off - off % page;
	*maplen = off + len - *start;
	p = mmap(NULL, *maplen, prot, MAP_SHARED, fd, (off_t)*start);
	if (p == MAP_FAILED)
		fail("mmap: %s", strerror(errno));
	return p;
}

/* Read (STORE false) or store into a random range through a mapping. */
static void mapped(bool store)
{
	size_t off, len, start, maplen;
	unsigned char *p;

	if (!size)
		return;
	off = below(size);
	len = 1 + below(size - off < MAXIO ? size - off : MAXIO);
	note("mapped %s %zu at %zu", store ? "store" : "read", len, off);
	p = map_range(off, len, PROT_READ | (store ? PROT_WRITE : 0), &start,
		      &maplen);
	if (!store)
		check(p + (off - start), off, len, "mapped read");
	for (size_t i = 0; store && i < len; i++)
		model[off + i] = p[off - start + i] = (unsigned char)next();
	munmap(p, maplen);
}

static void op_mapread(void)
{
	mapped(false);
}

static void op_mapwrite(void)
{
	mapped(true);
}

static void do_open(void)
{
	fd = open(file, O_RDWR);
	if (fd < 0)
		fail("open %s: %s", file, strerror(errno));
}

static void op_reopen(void)
{
	note("close and reopen");
	if (close(fd))
		fail("close: %s", strerror(errno));
	do_open();
}

/* A fresh open reads the whole model. */
static void op_read_all(void)
{
	ssize_t n = pread(fd, buf, MAXLEN, 0);

	note("read all");
	if (n != (ssize_t)size)
		fail("reopened: read %zd bytes, the model says %zu", n, size);
	check(buf, 0, size, "reopened read");
}

/* The object itself, through shm_open, equals the model. */
static void check_object(const char *when)
{
	int sfd = shm_open(name, O_RDONLY, 0);
	off_t end;
	ssize_t n;

	if (sfd < 0)
		fail("shm_open %s: %s", name, strerror(errno));
	end = lseek(sfd, 0, SEEK_END);
	if (end != (off_t)size)
		fail("%s: the object is %jd bytes, the model %zu", when,
		     (intmax_t)end, size);
	n = pread(sfd, buf, size, 0);
	if (n != (ssize_t)size)
		fail("%s: pread of the object gave %zd", when, n);
	check(buf, 0, size, when);
	close(sfd);
}

int main(int argc, char **argv)
{
	void (*const ops[])(void) = { op_write, op_write, op_read, op_read,
				      op_truncate, op_mapread, op_mapwrite,
				      op_mapwrite, op_reopen };
	int strict = argc > 1 && strcmp(argv[1], "-s") == 0;
	unsigned long long seed;
	long nops;

	if (argc - strict != 5) {
		fprintf(stderr, "usage: fsx [-s] FILE NAME SEED OPS\n");
		return 2;
	}
	file = argv[1 + strict];
	name = argv[2 + strict];
	seed = strtoull(argv[3 + strict], NULL, 0);
	nops = atol(argv[4 + strict]);
	rng = seed ? seed : 1;
	printf("fsx: seed %llu, %ld operations%s\n", seed, nops,
	       strict ? ", the object checked after each" : "");
	fflush(stdout);
	fd = open(file, O_RDWR | O_CREAT | O_TRUNC, 0600);
	if (fd < 0) {
		fprintf(stderr, "fsx: %s: %s\n", file, strerror(errno));
		return 2;
	}
	for (opno = 0; opno < nops; opno++) {
		ops[below(sizeof(ops) / sizeof(ops[0]))]();
		if (strict)
			check_object("the object");
	}
	if (fsync(fd) || close(fd))
		fail("fsync/close: %s", strerror(errno));
	check_object("the object at the end");
	do_open();
	op_read_all();
	close(fd);
	return 0;
}
