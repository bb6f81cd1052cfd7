/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * fsop: the few file system calls that coreutils cannot make, for tests.
 * Errors are printed as coreutils prints them ("fsop: A: strerror"), exit 1.
 *
 *   fsop rename [-n|-x] FROM TO     renameat2 (-n NOREPLACE, -x EXCHANGE)
 *   fsop mknod-reg PATH             mknod(S_IFREG | 0644)
 *   fsop fd-ops PATH                open, unlink, then fstat, fchmod,
 *                                   fchown, futimens, ftruncate, pwrite,
 *                                   pread on the open file; prints "ok"
 *   fsop hold PATH                  open and mmap the whole file, touch
 *                                   every page, print "holding N bytes",
 *                                   then wait until killed
 *   fsop mmap-write PATH SIZE       ftruncate to SIZE, mmap, store into
 *                                   every page with no fallocate (the
 *                                   careless writer): on a full tmpfs it
 *                                   says where and dies of SIGBUS
 *   fsop lag OBJECT PATH N          N times: ftruncate OBJECT (in /dev/shm)
 *                                   to a new size, then stat PATH (the same
 *                                   object through the mount) until it
 *                                   shows; prints how many showed at the
 *                                   first stat and the median and longest
 *                                   wait in microseconds; exit 1 if one
 *                                   took over a second
 *   fsop kill-after PID START N     watch /dev/shm; once N objects whose
 *                                   names begin with START have been made
 *                                   or moved in, SIGKILL PID; prints
 *                                   "watching" when ready, then "killed
 *                                   after N"; exit 1 after 60 s without
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <poll.h>
#include <sys/inotify.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

static int fail(const char *what)
{
	fprintf(stderr, "fsop: %s: %s\n", what, strerror(errno));
	return 1;
}

static int do_rename(int argc, char **argv)
{
	unsigned flags = 0;

	if (argc == 5 && strcmp(argv[2], "-n") == 0)
		flags = RENAME_NOREPLACE;
	else if (argc == 5 && strcmp(argv[2], "-x") == 0)
		flags = RENAME_EXCHANGE;
	else if (argc != 4)
		return 2;
	if (renameat2(AT_FDCWD, argv[argc - 2], AT_FDCWD, argv[argc - 1], flags))
		return fail(argv[argc - 2]);
	return 0;
}

static int do_mknod_reg(int argc, char **argv)
{
	if (argc != 3)
		return 2;
	if (mknod(argv[2], S_IFREG | 0644, 0))
		return fail(argv[2]);
	return 0;
}

/* Everything an open file must still do after rm, as on tmpfs. */
static int do_fd_ops(int argc, char **argv)
{
	struct timespec ts[2] = { { .tv_sec = 1000000000 }, { .tv_sec = 1000000000 } };
	char buf[6] = { 0 };
	struct stat st;
	int fd;

	if (argc != 3)
		return 2;
	fd = open(argv[2], O_RDWR);
	if (fd < 0)
		return fail("open");
	if (unlink(argv[2]))
		return fail("unlink");
	if (pwrite(fd, "hello", 5, 0) != 5)
		return fail("pwrite");
	if (pread(fd, buf, 5, 0) != 5 || strcmp(buf, "hello"))
		return fail("pread");
	if (fchmod(fd, 0640))
		return fail("fchmod");
	if (fchown(fd, 4321, 8765))
		return fail("fchown");
	if (ftruncate(fd, 3))
		return fail("ftruncate");
	if (futimens(fd, ts))
		return fail("futimens");
	if (fstat(fd, &st))
		return fail("fstat");
	printf("size %jd mode %o uid %u gid %u mtime %jd nlink %ju\n",
	       (intmax_t)st.st_size, st.st_mode & 07777, st.st_uid, st.st_gid,
	       (intmax_t)st.st_mtime, (uintmax_t)st.st_nlink);
	return close(fd) ? fail("close") : 0;
}

/* Keep a file's pages mapped (and so allocated) until killed. */
static int do_hold(int argc, char **argv)
{
	volatile const char *p;
	long page = sysconf(_SC_PAGESIZE);
	struct stat st;
	int fd;

	if (argc != 3)
		return 2;
	fd = open(argv[2], O_RDONLY);
	if (fd < 0 || fstat(fd, &st))
		return fail(argv[2]);
	p = st.st_size ? mmap(NULL, (size_t)st.st_size, PROT_READ, MAP_SHARED,
			      fd, 0) : NULL;
	if (p == MAP_FAILED)
		return fail("mmap");
	for (off_t i = 0; i < st.st_size; i += page)
		(void)p[i];
	close(fd);
	printf("holding %jd bytes\n", (intmax_t)st.st_size);
	fflush(stdout);
	for (;;)
		pause();
}

/* The offset of the store under way, for the SIGBUS handler. */
static volatile sig_atomic_t stored_pages;
static long store_page;

#define SIGBUS_MSG "fsop: SIGBUS at offset "

static void on_sigbus(int sig)
{
	char msg[80] = SIGBUS_MSG, num[24];
	size_t n = sizeof(SIGBUS_MSG) - 1, k = 0;
	unsigned long long off = (unsigned long long)stored_pages * store_page;

	do
		num[k++] = (char)('0' + off % 10);
	while ((off /= 10) && k < sizeof(num));
	while (k)
		msg[n++] = num[--k];
	msg[n++] = '\n';
	if (write(STDERR_FILENO, msg, n) < 0)
		_exit(1);
	/* Die of it: the store runs again and faults with no handler. */
	signal(sig, SIG_DFL);
}

static int do_mmap_write(int argc, char **argv)
{
	volatile char *p;
	char *end;
	unsigned long long size;
	int fd;

	if (argc != 4)
		return 2;
	size = strtoull(argv[3], &end, 10);
	if (*end || !size)
		return 2;
	store_page = sysconf(_SC_PAGESIZE);
	fd = open(argv[2], O_RDWR | O_CREAT, 0600);
	if (fd < 0)
		return fail(argv[2]);
	if (ftruncate(fd, (off_t)size))
		return fail("ftruncate");
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED)
		return fail("mmap");
	signal(SIGBUS, on_sigbus);
	for (unsigned long long i = 0; i < size; i += (unsigned long long)store_page) {
		stored_pages = (sig_atomic_t)(i / (unsigned long long)store_page);
		p[i] = 1;
	}
	printf("stored %llu bytes\n", size);
	return close(fd) ? fail("close") : 0;
}

static long long now_us(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (long long)t.tv_sec * 1000000 + t.tv_nsec / 1000;
}

static int cmp_ll(const void *a, const void *b)
{
	long long x = *(const long long *)a, y = *(const long long *)b;

	return x < y ? -1 : x > y;
}

/* How long after OBJECT's ftruncate PATH shows the new size: -1 if not
 * within a second; *FIRST whether the first stat showed it. */
static long long lag_once(int fd, const char *path, off_t size, int *first)
{
	long long t0;
	struct stat st;
	int tries = 0;

	if (ftruncate(fd, size))
		return -1;
	t0 = now_us();
	do {
		if (stat(path, &st) == 0 && st.st_size == size) {
			*first += tries == 0;
			return now_us() - t0;
		}
		tries++;
	} while (now_us() - t0 < 1000000);
	return -1;
}

static int do_lag(int argc, char **argv)
{
	long long *lags;
	int fd, n, first = 0;

	if (argc != 5 || (n = atoi(argv[4])) <= 0)
		return 2;
	lags = calloc((size_t)n, sizeof(*lags));
	fd = open(argv[2], O_RDWR | O_NOFOLLOW);
	if (!lags || fd < 0)
		return fail(argv[2]);
	for (int i = 0; i < n; i++) {
		lags[i] = lag_once(fd, argv[3], (off_t)(i % 2 ? 4096 : 8192) + i, &first);
		if (lags[i] < 0) {
			fprintf(stderr, "fsop: %s: size %d not seen within 1 s\n",
				argv[3], i);
			return 1;
		}
	}
	qsort(lags, (size_t)n, sizeof(*lags), cmp_ll);
	printf("first stat %d/%d, median %lld us, longest %lld us\n", first, n,
	       lags[n / 2], lags[n - 1]);
	free(lags);
	return close(fd) ? fail("close") : 0;
}

/* Count the names beginning with START made or moved into /dev/shm. */
static long count_events(int fd, const char *start)
{
	char buf[64 * 1024] __attribute__((aligned(8)));
	const struct inotify_event *ev;
	long n = 0;
	ssize_t len = read(fd, buf, sizeof(buf));

	for (char *e = buf; len > 0 && e < buf + len; e += sizeof(*ev) + ev->len) {
		ev = (const struct inotify_event *)e;
		n += ev->len && !strncmp(ev->name, start, strlen(start));
	}
	return n;
}

static int do_kill_after(int argc, char **argv)
{
	struct pollfd p = { .events = POLLIN };
	long want, seen = 0;
	pid_t pid;

	if (argc != 5)
		return 2;
	pid = (pid_t)atol(argv[2]);
	want = atol(argv[4]);
	p.fd = inotify_init1(IN_CLOEXEC);
	if (p.fd < 0 ||
	    inotify_add_watch(p.fd, "/dev/shm", IN_CREATE | IN_MOVED_TO) < 0)
		return fail("/dev/shm");
	printf("watching\n");
	fflush(stdout);
	while (seen < want) {
		if (poll(&p, 1, 60000) <= 0) {
			fprintf(stderr, "fsop: only %ld of %ld in 60 s\n", seen,
				want);
			return 1;
		}
		seen += count_events(p.fd, argv[3]);
	}
	if (kill(pid, SIGKILL))
		return fail(argv[2]);
	printf("killed after %ld\n", seen);
	return 0;
}

int main(int argc, char **argv)
{
	int ret = 2;

	if (argc >= 2 && strcmp(argv[1], "rename") == 0)
		ret = do_rename(argc, argv);
	else if (argc >= 2 && strcmp(argv[1], "mknod-reg") == 0)
		ret = do_mknod_reg(argc, argv);
	else if (argc >= 2 && strcmp(argv[1], "fd-ops") == 0)
		ret = do_fd_ops(argc, argv);
	else if (argc >= 2 && strcmp(argv[1], "hold") == 0)
		ret = do_hold(argc, argv);
	else if (argc >= 2 && strcmp(argv[1], "mmap-write") == 0)
		ret = do_mmap_write(argc, argv);
	else if (argc >= 2 && strcmp(argv[1], "lag") == 0)
		ret = do_lag(argc, argv);
	else if (argc >= 2 && strcmp(argv[1], "kill-after") == 0)
		ret = do_kill_after(argc, argv);
	if (ret == 2)
		fprintf(stderr, "usage: fsop rename [-n|-x] FROM TO | mknod-reg PATH | fd-ops PATH\n"
			"       | hold PATH | mmap-write PATH SIZE | lag OBJECT PATH N\n"
			"       | kill-after PID START N\n");
	return ret;
}
