/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * The guard process (see guard.h).
 *
 * Why a process: PR_SET_PDEATHSIG fires when the thread that forked the
 * child exits (and stays set across the guard's execve), and a SIGKILL ends the daemon's main thread at once (it
 * waits in ppoll or in a join) even while another thread is stuck in the
 * kernel; nothing inside the daemon can act then. Why the abort file is
 * opened at start: fusectl's files of a connection that is gone stay
 * open but do nothing, so a write can only ever abort our own connection,
 * even if another mount has since taken the number.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <sys/signalfd.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include "daemon.h"
#include "guard.h"

#define FUSECTL "/sys/fs/fuse/connections"
#define FUSECTL_MAGIC 0x65735543

/* mountinfo's octal escapes (\040 for a space) undone, in place. */
static void unescape(char *s)
{
	char *o = s;

	for (; *s; s++, o++) {
		if (s[0] == '\\' && s[1] >= '0' && s[1] <= '3' && s[2] >= '0' &&
		    s[2] <= '7' && s[3] >= '0' && s[3] <= '7') {
			*o = (char)((s[1] - '0') * 64 + (s[2] - '0') * 8 +
				    (s[3] - '0'));
			s += 3;
		} else {
			*o = *s;
		}
	}
	*o = '\0';
}

/* Is the mountinfo LINE a FUSE mount at MOUNTPOINT made by us (user_id
 * our uid)? Its minor device number into *MINOR. */
static int ours(char *line, const char *mountpoint, unsigned *minor)
{
	char *save = NULL, *f[5], *dash, *type, *opts, *uid;
	unsigned major;
	char want[32];
	int i;

	dash = strstr(line, " - ");
	if (!dash)
		return 0;
	*dash = '\0';
	f[0] = strtok_r(line, " ", &save);
	for (i = 1; i < 5 && f[i - 1]; i++)
		f[i] = strtok_r(NULL, " ", &save);
	if (i < 5 || !f[4] || sscanf(f[2], "%u:%u", &major, minor) != 2 ||
	    major != 0)
		return 0;
	unescape(f[4]);
	save = NULL;
	type = strtok_r(dash + 3, " ", &save);
	strtok_r(NULL, " ", &save); /* the source */
	opts = strtok_r(NULL, " \n", &save);
	if (!type || !opts || strcmp(f[4], mountpoint) != 0 ||
	    (strcmp(type, "fuse") != 0 && strncmp(type, "fuse.", 5) != 0))
		return 0;
	snprintf(want, sizeof(want), "user_id=%u", (unsigned)getuid());
	uid = strstr(opts, want);
	return uid && (uid == opts || uid[-1] == ',') &&
	       (uid[strlen(want)] == ',' || uid[strlen(want)] == '\0');
}

/* The connection number of the newest FUSE mount of ours at MOUNTPOINT,
 * from /proc/self/mountinfo (a stat of the mountpoint would ask the daemon,
 * which serves nothing yet). */
static int find_conn(const char *mountpoint, unsigned *conn)
{
	FILE *f = fopen("/proc/self/mountinfo", "re");
	char *line = NULL;
	size_t cap = 0;
	unsigned minor;
	int err = ENOENT;

	if (!f)
		return errno;
	while (getline(&line, &cap, f) > 0)
		if (ours(line, mountpoint, &minor)) {
			*conn = minor;
			err = 0;
		}
	free(line);
	fclose(f);
	return err;
}

/* Connection CONN's abort file, open for writing; fusectl mounted first
 * if it is not (root only). The descriptor, or -errno. */
static int open_abort(unsigned conn)
{
	char path[64];
	struct statfs sf;
	int fd;

	snprintf(path, sizeof(path), FUSECTL "/%u/abort", conn);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd >= 0 || errno != ENOENT)
		return fd >= 0 ? fd : -errno;
	if (statfs(FUSECTL, &sf) == 0 && sf.f_type == FUSECTL_MAGIC)
		return -ENOENT;
	if (mount("fusectl", FUSECTL, "fusectl", MS_NOSUID | MS_NODEV | MS_NOEXEC,
		  NULL) && errno != EBUSY)
		return -errno;
	fd = open(path, O_WRONLY | O_CLOEXEC);
	return fd >= 0 ? fd : -errno;
}

/* Every descriptor but KEEP (N of them) and standard error closed; the
 * others on /dev/null. The guard must not hold /dev/fuse, the shm
 * directory or anything of the daemon's open. */
static void close_all_but(const int *keep, int n)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int fd, null = open("/dev/null", O_RDWR);
	bool kept;

	if (null >= 0) {
		dup2(null, STDIN_FILENO);
		dup2(null, STDOUT_FILENO);
	}
	if (!d)
		return;
	while ((e = readdir(d))) {
		fd = atoi(e->d_name);
		kept = fd <= STDERR_FILENO || fd == dirfd(d) || e->d_name[0] == '.';
		for (int i = 0; i < n; i++)
			kept |= fd == keep[i];
		if (!kept)
			close(fd);
	}
	closedir(d);
}

/* Say what the guard did: on standard error, or in the background (where
 * that is /dev/null) to syslog, as the daemon does. */
__attribute__((format(printf, 2, 3)))
static void say(bool to_syslog, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (to_syslog) {
		openlog("pshmfs", LOG_PID, LOG_DAEMON);
		vsyslog(LOG_NOTICE, fmt, ap);
	} else {
		vfprintf(stderr, fmt, ap);
	}
	va_end(ap);
}

/* The guard's watch: until the daemon says go (a byte on RD), or dies:
 * its main thread (the death signal, SIGUSR1, blocked and pending since
 * before the check) or all of it (the end of the pipe). Every signal is
 * blocked: a Ctrl-C for the daemon's process group is the daemon's. */
static int watch(pid_t daemon, int rd, int abort_fd, unsigned conn,
		 bool to_syslog)
{
	struct pollfd p[2] = { { .fd = rd, .events = POLLIN } };
	sigset_t death;
	char c;

	prctl(PR_SET_NAME, GUARD_NAME);
	sigemptyset(&death);
	sigaddset(&death, SIGUSR1);
	p[1].fd = signalfd(-1, &death, SFD_CLOEXEC);
	p[1].events = POLLIN;
	if (p[1].fd >= 0 && getppid() == daemon) {
		if (chdir("/") != 0) {
			/* then it keeps the daemon's: harmless */
		}
		while (poll(p, 2, -1) < 0 && errno == EINTR)
			;
		if (p[0].revents && read(rd, &c, 1) == 1)
			return 0; /* a clean shutdown */
	}
	if (write(abort_fd, "1", 1) == 1)
		say(to_syslog, "pshmfs: the daemon died: connection %u aborted, so"
			       " nothing waits for it\n", conn);
	return 0;
}

/* In the child of the fork: the death signal first, then the guard runs
 * as a program of its own (/proc/self/exe again, named GUARD_NAME): no
 * copy of the daemon's memory, and no command line a search for the
 * daemon would match. Without /proc, the same watch in this copy. */
static void child(pid_t daemon, int rd, int abort_fd, unsigned conn,
		  bool to_syslog)
{
	char arg[4][24];
	sigset_t all;

	daemon_forked(); /* the daemon's parent waits for neither of us */
	sigfillset(&all);
	sigprocmask(SIG_BLOCK, &all, NULL); /* kept across execve */
	if (prctl(PR_SET_PDEATHSIG, SIGUSR1) != 0)
		_exit(1);
	close_all_but((int[]){ rd, abort_fd }, 2);
	snprintf(arg[0], sizeof(arg[0]), "%ld", (long)daemon);
	snprintf(arg[1], sizeof(arg[1]), "%d", rd);
	snprintf(arg[2], sizeof(arg[2]), "%d", abort_fd);
	snprintf(arg[3], sizeof(arg[3]), "%u", conn);
	if (fcntl(rd, F_SETFD, 0) == 0 && fcntl(abort_fd, F_SETFD, 0) == 0)
		execl("/proc/self/exe", GUARD_NAME, arg[0], arg[1], arg[2],
		      arg[3], to_syslog ? "syslog" : "stderr", (char *)NULL);
	_exit(watch(daemon, rd, abort_fd, conn, to_syslog));
}

static bool number(const char *s, long max, long *v)
{
	char *end;

	errno = 0;
	*v = strtol(s, &end, 10);
	return !errno && end != s && !*end && *v >= 0 && *v <= max;
}

bool guard_called(int argc, char **argv)
{
	return argc > 0 && strcmp(argv[0], GUARD_NAME) == 0;
}

int guard_main(int argc, char **argv)
{
	long daemon, rd, abort_fd, conn;

	if (argc != 6 || !number(argv[1], INT_MAX, &daemon) ||
	    !number(argv[2], INT_MAX, &rd) || !number(argv[3], INT_MAX, &abort_fd) ||
	    !number(argv[4], UINT_MAX, &conn)) {
		fprintf(stderr, "%s: run by pshmfs only\n", GUARD_NAME);
		return 2;
	}
	return watch((pid_t)daemon, (int)rd, (int)abort_fd, (unsigned)conn,
		     strcmp(argv[5], "syslog") == 0);
}

int guard_start(struct guard *g, const char *mountpoint, bool to_syslog)
{
	pid_t self = getpid();
	int p[2], fd, err;

	g->pid = 0;
	g->fd = -1;
	err = find_conn(mountpoint, &g->conn);
	if (err)
		return err;
	fd = open_abort(g->conn);
	if (fd < 0)
		return -fd;
	if (pipe2(p, O_CLOEXEC)) {
		err = errno;
		close(fd);
		return err;
	}
	g->pid = fork();
	if (g->pid == 0)
		child(self, p[0], fd, g->conn, to_syslog);
	err = g->pid < 0 ? errno : 0;
	close(p[0]);
	close(fd);
	if (err) {
		close(p[1]);
		g->pid = 0;
		return err;
	}
	g->fd = p[1];
	return 0;
}

void guard_stop(struct guard *g)
{
	if (!g->pid)
		return;
	while (write(g->fd, "q", 1) < 0 && errno == EINTR)
		;
	close(g->fd);
	while (waitpid(g->pid, NULL, 0) < 0 && errno == EINTR)
		;
	g->pid = 0;
	g->fd = -1;
}
