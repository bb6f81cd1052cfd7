/** @file
 * fsop: the few file system calls that coreutils cannot make, for tests.
 * Errors are printed as coreutils prints them ("fsop: A: strerror"), exit 1.
 *
 *   fsop rename [-n|-x] FROM TO     renameat2 (-n NOREPLACE, -x EXCHANGE)
 *   fsop mknod-reg PATH             mknod(S_IFREG | 0644)
 *   fsop fd-ops PATH                open, unlink, then fstat, fchmod,
 *                                   fchown, futimens, ftruncate, pwrite,
 *                                   pread on the open file; prints "ok"
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
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

int main(int argc, char **argv)
{
	int ret = 2;

	if (argc >= 2 && strcmp(argv[1], "rename") == 0)
		ret = do_rename(argc, argv);
	else if (argc >= 2 && strcmp(argv[1], "mknod-reg") == 0)
		ret = do_mknod_reg(argc, argv);
	else if (argc >= 2 && strcmp(argv[1], "fd-ops") == 0)
		ret = do_fd_ops(argc, argv);
	if (ret == 2)
		fprintf(stderr, "usage: fsop rename [-n|-x] FROM TO | mknod-reg PATH | fd-ops PATH\n");
	return ret;
}
