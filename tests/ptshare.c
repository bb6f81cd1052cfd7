/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * What passthrough shares, one check per run (exit 0 if it holds, 1 with
 * a message if not, 2 on a usage or setup failure), for
 * tests/passthrough.sh. FILE is a file in the mount, at least a page long;
 * NAME the same object for shm_open ("/prefix.name").
 *
 *   ptshare map2shm FILE NAME    a store into FILE's mapping shows in
 *                                NAME's mapping at once (no msync)
 *   ptshare shm2map FILE NAME    and the other way round
 *   ptshare write2map FILE NAME  a write() to FILE shows in NAME's mapping
 *                                as soon as it returns
 *   ptshare store2read FILE NAME a store into NAME's mapping is what the
 *                                next read() of FILE gives
 *   ptshare afterkill FILE NAME PID
 *                                FILE open, kill -9 PID (the daemon), wait
 *                                for the mount to say ENOTCONN; then the
 *                                open FILE still writes, reads and maps
 *                                the object
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#define LEN 4096

static int fd_file, fd_shm;
static char *map_file, *map_shm;

static void die(const char *what)
{
	fprintf(stderr, "ptshare: %s: %s\n", what, strerror(errno));
	exit(2);
}

static char *map(int fd, const char *what)
{
	char *p = mmap(NULL, LEN, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);

	if (p == MAP_FAILED)
		die(what);
	return p;
}

static void setup(const char *file, const char *name)
{
	fd_file = open(file, O_RDWR);
	if (fd_file < 0)
		die(file);
	fd_shm = shm_open(name, O_RDWR, 0);
	if (fd_shm < 0)
		die(name);
	map_file = map(fd_file, "mmap of the file");
	map_shm = map(fd_shm, "mmap of the shm object");
}

/* A pattern unique to this run and this check. */
static void pattern(char *buf, size_t len, const char *tag)
{
	snprintf(buf, len, "%s.%d.%ld", tag, (int)getpid(), (long)time(NULL));
}

static int same(const char *got, const char *want, size_t len,
		const char *what)
{
	if (memcmp(got, want, len) == 0)
		return 0;
	fprintf(stderr, "ptshare: %s: got '%.*s', want '%s'\n", what,
		(int)len, got, want);
	return 1;
}

static int map2shm(void)
{
	char p[64];

	pattern(p, sizeof(p), "map2shm");
	memcpy(map_file + 100, p, strlen(p));
	return same(map_shm + 100, p, strlen(p), "shm_open mapping");
}

static int shm2map(void)
{
	char p[64];

	pattern(p, sizeof(p), "shm2map");
	/* Fault the page in first: the copy path would then keep its own. */
	(void)*(volatile char *)(map_file + 300);
	memcpy(map_shm + 300, p, strlen(p));
	return same(map_file + 300, p, strlen(p), "mapping through the mount");
}

static int write2map(void)
{
	char p[64];

	pattern(p, sizeof(p), "write2map");
	if (pwrite(fd_file, p, strlen(p), 500) != (ssize_t)strlen(p))
		die("pwrite");
	return same(map_shm + 500, p, strlen(p), "shm_open mapping");
}

static int store2read(void)
{
	char p[64], got[64];

	pattern(p, sizeof(p), "store2read");
	/* Read it once first: the copy path would then keep the page. */
	if (pread(fd_file, got, strlen(p), 700) != (ssize_t)strlen(p))
		die("pread");
	memcpy(map_shm + 700, p, strlen(p));
	if (pread(fd_file, got, strlen(p), 700) != (ssize_t)strlen(p))
		die("pread");
	return same(got, p, strlen(p), "read() through the mount");
}

/* Until a metadata call on the mount fails with ENOTCONN: the daemon is
 * gone and the kernel knows it. */
static int await_gone(const char *file)
{
	char *dup = strdup(file);
	struct stat st;

	for (int i = 0; dup && i < 500; i++) {
		if (stat(dirname(dup), &st) < 0 && errno == ENOTCONN) {
			free(dup);
			return 0;
		}
		free(dup);
		dup = strdup(file);
		usleep(10000);
	}
	free(dup);
	fprintf(stderr, "ptshare: the mount never said ENOTCONN\n");
	return 1;
}

static int afterkill(const char *file, pid_t daemon)
{
	char p[64], got[64];
	int bad = 0;

	if (kill(daemon, SIGKILL))
		die("kill");
	if (await_gone(file))
		return 1;
	pattern(p, sizeof(p), "afterkill");
	if (pwrite(fd_file, p, strlen(p), 900) != (ssize_t)strlen(p)) {
		fprintf(stderr, "ptshare: pwrite after kill: %s\n",
			strerror(errno));
		return 1;
	}
	bad |= same(map_shm + 900, p, strlen(p), "object after write()");
	if (pread(fd_file, got, strlen(p), 900) != (ssize_t)strlen(p)) {
		fprintf(stderr, "ptshare: pread after kill: %s\n",
			strerror(errno));
		return 1;
	}
	bad |= same(got, p, strlen(p), "read() after kill");
	pattern(p, sizeof(p), "afterkill-map");
	memcpy(map_file + 1100, p, strlen(p));
	bad |= same(map_shm + 1100, p, strlen(p), "object after a store");
	return bad;
}

int main(int argc, char **argv)
{
	if (argc < 4) {
		fprintf(stderr, "usage: ptshare CHECK FILE NAME [PID]\n");
		return 2;
	}
	setup(argv[2], argv[3]);
	if (strcmp(argv[1], "map2shm") == 0)
		return map2shm();
	if (strcmp(argv[1], "shm2map") == 0)
		return shm2map();
	if (strcmp(argv[1], "write2map") == 0)
		return write2map();
	if (strcmp(argv[1], "store2read") == 0)
		return store2read();
	if (strcmp(argv[1], "afterkill") == 0 && argc == 5)
		return afterkill(argv[2], (pid_t)atoi(argv[4]));
	fprintf(stderr, "ptshare: no check '%s'\n", argv[1]);
	return 2;
}
