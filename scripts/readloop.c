/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * readloop FD BS: pread() the file open on descriptor FD, from its start
 * to its end, in blocks of BS bytes, and print the speed in MB/s. No
 * fstat(): once the kernel's attributes expire it would ask the daemon
 * (the end is where pread() returns 0). For
 * scripts/bench floor: the descriptor is opened by the shell while the
 * daemon serves, so that the reads can go on with the daemon stopped;
 * and the loop does nothing but read, so that the kernel's cost per
 * read() is what it measures (dd adds a write() per block).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static double seconds(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec + t.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
	char *buf, *end;
	long fd, bs;
	ssize_t n;
	double t0;
	off_t off = 0;

	if (argc != 3) {
		fprintf(stderr, "usage: readloop FD BLOCK_BYTES\n");
		return 2;
	}
	fd = strtol(argv[1], &end, 10);
	if (*end || fd < 0 || fd > 1 << 20) {
		fprintf(stderr, "readloop: %s: not an open descriptor\n", argv[1]);
		return 2;
	}
	bs = strtol(argv[2], &end, 10);
	if (*end || bs <= 0 || !(buf = malloc(bs))) {
		fprintf(stderr, "readloop: %s: not a block size\n", argv[2]);
		return 2;
	}
	t0 = seconds();
	while ((n = pread((int)fd, buf, bs, off)) > 0)
		off += n;
	if (n < 0) {
		fprintf(stderr, "readloop: pread at %lld: %s\n", (long long)off,
			strerror(errno));
		return 1;
	}
	printf("%.0f\n", off / 1e6 / (seconds() - t0));
	free(buf);
	return 0;
}
