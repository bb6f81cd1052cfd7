/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * The calls the tests of issue 16 make, one per command, each printing its
 * result or the errno's name (tests/links.sh, sparse.sh, xattrs.sh,
 * locks.sh compare them between a mount and tmpfs):
 *
 *   shared_tool seek FILE OFF WHENCE         lseek: SET CUR END DATA HOLE
 *   shared_tool getx FILE NAME SIZE          getxattr: the value, or length
 *   shared_tool setx FILE NAME VALUE [create|replace]
 *   shared_tool listx FILE SIZE              listxattr: names, or length
 *   shared_tool rmx FILE NAME                removexattr
 *   shared_tool lock FILE|/SHMNAME KIND TYPE START LEN [HOLD_S]
 *       take a lock and hold it HOLD_S seconds (default 0); KIND: posix
 *       (F_SETLK), posixw (F_SETLKW), ofd, ofdw, flock, flockw; TYPE: r, w,
 *       u. A path beginning with '/' and no other '/' is a shm_open name.
 *       Prints "locked" once it holds it (then holds), or the errno.
 *   shared_tool getlk FILE|/SHMNAME KIND TYPE START LEN
 *       F_GETLK (posix) or F_OFD_GETLK (ofd): "unlocked", or the lock in
 *       the way: "TYPE START LEN pid=PID".
 *   shared_tool lockseq FILE|/SHMNAME KIND HOLD_S TYPE:START:LEN...
 *       take each lock in turn on one descriptor, print "locked", hold.
 *   shared_tool lockclose FILE|/SHMNAME KIND HOLD_S
 *       lock all of it through one descriptor, open and close a second
 *       one, print "closed", hold (POSIX: the close dropped the lock).
 *   shared_tool tmpfile DIR                  open(O_TMPFILE)
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/xattr.h>
#include <unistd.h>

static const char *errname(int e)
{
	static const struct {
		int e;
		const char *name;
	} names[] = {
		{ ENOENT, "ENOENT" },	  { ENXIO, "ENXIO" },
		{ EINVAL, "EINVAL" },	  { ENODATA, "ENODATA" },
		{ ERANGE, "ERANGE" },	  { E2BIG, "E2BIG" },
		{ EPERM, "EPERM" },	  { EACCES, "EACCES" },
		{ EEXIST, "EEXIST" },	  { EAGAIN, "EAGAIN" },
		{ EINTR, "EINTR" },	  { EBADF, "EBADF" },
		{ ENOTSUP, "ENOTSUP" },	  { ENOSPC, "ENOSPC" },
		{ EDEADLK, "EDEADLK" },	  { EISDIR, "EISDIR" },
		{ EOPNOTSUPP, "EOPNOTSUPP" },
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (names[i].e == e)
			return names[i].name;
	return strerror(e);
}

static int fail(void)
{
	printf("%s\n", errname(errno));
	return 1;
}

static int usage(void)
{
	fprintf(stderr, "usage: shared_tool seek|getx|setx|listx|rmx|lock|"
			"getlk|tmpfile ARGS (see the source)\n");
	return 2;
}

/* A path, or with one leading '/' only, a shm object's name. */
static int open_target(const char *what, int flags)
{
	if (what[0] == '/' && !strchr(what + 1, '/'))
		return shm_open(what, flags, 0);
	return open(what, flags);
}

static int cmd_seek(char **av)
{
	static const char *const wh[] = { "SET", "CUR", "END", "DATA", "HOLE" };
	int fd = open(av[0], O_RDONLY), whence = -1;
	off_t at;

	for (int i = 0; i < 5; i++)
		if (strcmp(av[2], wh[i]) == 0)
			whence = i;
	if (fd < 0 || whence < 0)
		return fd < 0 ? fail() : usage();
	at = lseek(fd, strtoll(av[1], NULL, 0), whence);
	if (at < 0)
		return fail();
	printf("%lld\n", (long long)at);
	return 0;
}

static int cmd_getx(char **av)
{
	size_t size = strtoul(av[2], NULL, 0);
	char *buf = malloc(size + 1);
	ssize_t n = getxattr(av[0], av[1], size ? buf : NULL, size);

	if (n < 0)
		return fail();
	if (size)
		printf("%.*s\n", (int)n, buf);
	else
		printf("%zd\n", n);
	free(buf);
	return 0;
}

static int cmd_setx(char **av, int ac)
{
	int flags = 0;

	if (ac > 3)
		flags = strcmp(av[3], "create") == 0 ? XATTR_CREATE : XATTR_REPLACE;
	if (setxattr(av[0], av[1], av[2], strlen(av[2]), flags))
		return fail();
	printf("ok\n");
	return 0;
}

static int cmd_listx(char **av)
{
	size_t size = strtoul(av[1], NULL, 0);
	char *buf = malloc(size + 1);
	ssize_t n = listxattr(av[0], size ? buf : NULL, size);

	if (n < 0)
		return fail();
	if (!size)
		printf("%zd\n", n);
	for (ssize_t i = 0; size && i < n; i += (ssize_t)strlen(buf + i) + 1)
		printf("%s\n", buf + i);
	free(buf);
	return 0;
}

static int cmd_rmx(char **av)
{
	if (removexattr(av[0], av[1]))
		return fail();
	printf("ok\n");
	return 0;
}

static void on_signal(int sig)
{
	(void)sig;
}

static short lock_type(const char *t)
{
	return t[0] == 'r' ? F_RDLCK : t[0] == 'w' ? F_WRLCK : F_UNLCK;
}

/* Take the lock; 0, or -1 with errno. */
static int take(int fd, const char *kind, const char *type, off_t start,
		off_t len)
{
	struct flock fl = { .l_type = lock_type(type), .l_whence = SEEK_SET,
			    .l_start = start, .l_len = len };
	bool wait = kind[strlen(kind) - 1] == 'w';

	if (strncmp(kind, "flock", 5) == 0)
		return flock(fd, (fl.l_type == F_RDLCK ? LOCK_SH
				  : fl.l_type == F_WRLCK ? LOCK_EX : LOCK_UN) |
				 (wait ? 0 : LOCK_NB));
	if (strncmp(kind, "ofd", 3) == 0)
		return fcntl(fd, wait ? F_OFD_SETLKW : F_OFD_SETLK, &fl);
	return fcntl(fd, wait ? F_SETLKW : F_SETLK, &fl);
}

static int cmd_lock(char **av, int ac)
{
	struct sigaction sa = { .sa_handler = on_signal };
	int fd = open_target(av[0], O_RDWR);

	/* SIGUSR1 interrupts a wait (no SA_RESTART): EINTR. */
	sigemptyset(&sa.sa_mask);
	sigaction(SIGUSR1, &sa, NULL);
	if (fd < 0)
		return fail();
	if (take(fd, av[1], av[2], strtoll(av[3], NULL, 0),
		 strtoll(av[4], NULL, 0)))
		return fail();
	printf("locked\n");
	fflush(stdout);
	if (ac > 5)
		sleep((unsigned)atoi(av[5]));
	return 0;
}

static int cmd_lockseq(char **av, int ac)
{
	int fd = open_target(av[0], O_RDWR);
	char type[2] = "";
	long long start, len;

	if (fd < 0)
		return fail();
	for (int i = 3; i < ac; i++) {
		if (sscanf(av[i], "%1[rwu]:%lld:%lld", type, &start, &len) != 3)
			return usage();
		if (take(fd, av[1], type, start, len))
			return fail();
	}
	printf("locked\n");
	sleep((unsigned)atoi(av[2]));
	return 0;
}

static int cmd_lockclose(char **av)
{
	int fd = open_target(av[0], O_RDWR), fd2;

	if (fd < 0 || take(fd, av[1], "w", 0, 0))
		return fail();
	fd2 = open_target(av[0], O_RDONLY);
	if (fd2 < 0 || close(fd2))
		return fail();
	printf("closed\n");
	sleep((unsigned)atoi(av[2]));
	return 0;
}

static int cmd_getlk(char **av)
{
	int fd = open_target(av[0], O_RDWR);
	struct flock fl = { .l_type = lock_type(av[2]), .l_whence = SEEK_SET,
			    .l_start = strtoll(av[3], NULL, 0),
			    .l_len = strtoll(av[4], NULL, 0) };

	if (fd < 0)
		return fail();
	if (fcntl(fd, strncmp(av[1], "ofd", 3) == 0 ? F_OFD_GETLK : F_GETLK, &fl))
		return fail();
	if (fl.l_type == F_UNLCK)
		printf("unlocked\n");
	else
		printf("%s %lld %lld pid=%d\n", fl.l_type == F_RDLCK ? "r" : "w",
		       (long long)fl.l_start, (long long)fl.l_len, (int)fl.l_pid);
	return 0;
}

static int cmd_tmpfile(char **av)
{
	int fd = open(av[0], O_TMPFILE | O_RDWR, 0600);

	if (fd < 0)
		return fail();
	printf("ok\n");
	return 0;
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	char **av = argv + 2;
	int ac = argc - 2;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (!strcmp(cmd, "seek") && ac == 3)
		return cmd_seek(av);
	if (!strcmp(cmd, "getx") && ac == 3)
		return cmd_getx(av);
	if (!strcmp(cmd, "setx") && (ac == 3 || ac == 4))
		return cmd_setx(av, ac);
	if (!strcmp(cmd, "listx") && ac == 2)
		return cmd_listx(av);
	if (!strcmp(cmd, "rmx") && ac == 2)
		return cmd_rmx(av);
	if (!strcmp(cmd, "lock") && (ac == 5 || ac == 6))
		return cmd_lock(av, ac);
	if (!strcmp(cmd, "getlk") && ac == 5)
		return cmd_getlk(av);
	if (!strcmp(cmd, "lockseq") && ac >= 4)
		return cmd_lockseq(av, ac);
	if (!strcmp(cmd, "lockclose") && ac == 3)
		return cmd_lockclose(av);
	if (!strcmp(cmd, "tmpfile") && ac == 1)
		return cmd_tmpfile(av);
	return usage();
}
