/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * mount -o remount,size=N (and nr_inodes=, mode=, uid=, gid=) on a running
 * mount. FUSE cannot pass a remount's options to the daemon: mount(8) and
 * mount.fuse3 start a new "pshmfs SOURCE DIR -o ...,remount,...", which
 * hands the options to the running daemon over a control channel and exits
 * with its answer: 0, or 1 and the reason.
 *
 * The channel is an abstract unix socket named after the mount's device
 * number ("pshmfs-remount-MAJ:MIN", from /proc/self/mountinfo, never a
 * stat of the mount). The daemon takes requests only from root and from
 * whoever mounted (its own uid), by SO_PEERCRED; the client talks only to
 * a server run by root or by the mount's user_id=. The daemon applies a
 * request whole or not at all, under the quota's lock: by tmpfs's rules,
 * a size or inode count below what is in use is EINVAL and nothing
 * changes. df shows a new size at once (statfs reads the limit).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/sysinfo.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "passthrough.h"
#include "remount_opts.h"
#include "shared_ops.h"

#define REQ_MAX 4096
#define MSG_MAX 512

static int listen_fd = -1;
static pthread_t listener;
static bool listening;

/* The device number of the mount at PATH (resolved: REAL) and its
 * user_id=, from mountinfo; 0 or ENOENT. */
static int mount_dev(const char *real, unsigned *maj, unsigned *min,
		     long *user_id)
{
	char line[4096], mnt[PATH_MAX];
	FILE *f = fopen("/proc/self/mountinfo", "r");
	unsigned a, b;
	int err = ENOENT;

	/* The last entry for the path is the mount on top. */
	while (f && fgets(line, sizeof(line), f)) {
		const char *sep = strstr(line, " - "), *uid;

		if (sscanf(line, "%*u %*u %u:%u %*s %4095s", &a, &b, mnt) != 3 ||
		    strcmp(mnt, real) != 0 || !sep || strncmp(sep, " - fuse", 7))
			continue;
		uid = strstr(sep, "user_id=");
		*user_id = uid ? strtol(uid + 8, NULL, 10) : -1;
		*maj = a;
		*min = b;
		err = 0;
	}
	if (f)
		fclose(f);
	return err;
}

/* MOUNTPOINT's absolute path: its parent's resolved, without a path walk
 * into the mount itself, which another user (no allow_other) may not make
 * and a hung daemon would not answer. Into OUT (PATH_MAX). */
static int resolve(const char *mountpoint, char *out)
{
	char *copy = strdup(mountpoint), *slash, *parent;
	const char *base;
	int err = 0;

	if (!copy)
		return ENOMEM;
	for (size_t n = strlen(copy); n > 1 && copy[n - 1] == '/'; n--)
		copy[n - 1] = '\0';
	slash = strrchr(copy, '/');
	base = slash ? slash + 1 : copy;
	if (slash)
		*slash = '\0';
	parent = realpath(slash ? (*copy ? copy : "/") : ".", NULL);
	if (!parent)
		err = errno;
	else if (!*base || !strcmp(base, ".") || !strcmp(base, ".."))
		err = realpath(mountpoint, out) ? 0 : errno;
	else if (snprintf(out, PATH_MAX, "%s/%s", strcmp(parent, "/") ? parent : "",
			  base) >= PATH_MAX)
		err = ENAMETOOLONG;
	free(parent);
	free(copy);
	return err;
}

static int channel_addr(const char *mountpoint, struct sockaddr_un *sa,
			socklen_t *len, long *user_id)
{
	char real[PATH_MAX];
	unsigned maj, min;
	int n, err = resolve(mountpoint, real);

	if (!err)
		err = mount_dev(real, &maj, &min, user_id);
	if (err)
		return err;
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	/* Abstract (a leading NUL): nothing to clean up after a crash. */
	n = snprintf(sa->sun_path + 1, sizeof(sa->sun_path) - 1,
		     "pshmfs-remount-%u:%u", maj, min);
	*len = (socklen_t)(offsetof(struct sockaddr_un, sun_path) + 1 + n);
	return 0;
}

static uid_t peer_uid(int fd)
{
	struct ucred cred;
	socklen_t len = sizeof(cred);

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cred, &len))
		return (uid_t)-1;
	return cred.uid;
}

/* Apply the options OPTS to FS, whole or not at all. */
static int apply(struct pshmfs *fs, const char *opts, char *msg, size_t len)
{
	struct core *c = &fs->core;
	struct quota *q = &c->quota;
	uint64_t page = (uint64_t)sysconf(_SC_PAGESIZE);
	struct sysinfo si;
	struct limits l;
	int err;

	pthread_mutex_lock(&q->lock);
	l = (struct limits){ q->max_bytes, q->max_objects, c->cfg.root_mode,
			     c->cfg.uid, c->cfg.gid };
	err = remount_parse(opts, sysinfo(&si) ? 0 : (uint64_t)si.totalram * si.mem_unit,
			    &l, msg, len);
	/* Whole pages, as at mount (quota_init) and as tmpfs counts. */
	l.max_bytes = (l.max_bytes + page - 1) / page * page;
	if (!err && (err = quota_scan(q)) != 0)
		snprintf(msg, len, "counting what is in use: %s", strerror(err));
	if (!err)
		err = remount_check(&l, q->bytes, q->objects, msg, len);
	if (!err) /* issue 14: no size= where writes pass through */
		err = passthrough_remount_check(l.max_bytes, msg, len);
	if (!err) {
		q->max_bytes = l.max_bytes;
		q->max_objects = l.max_objects;
		c->cfg.root_mode = (mode_t)l.mode;
		c->cfg.uid = (uid_t)l.uid;
		c->cfg.gid = (gid_t)l.gid;
	}
	pthread_mutex_unlock(&q->lock);
	/* The root's attributes are the options: the kernel's are stale. */
	if (!err)
		fuse_lowlevel_notify_inval_inode(fs->se, FUSE_ROOT_ID, -1, 0);
	return err;
}

static void serve_one(struct pshmfs *fs, int fd)
{
	char req[REQ_MAX + 1], msg[MSG_MAX] = "", reply[MSG_MAX + 8];
	uid_t uid = peer_uid(fd);
	ssize_t n, got = 0;
	int err;

	while (got < REQ_MAX && (n = read(fd, req + got, REQ_MAX - (size_t)got)) > 0)
		got += n;
	req[got] = '\0';
	if (uid != 0 && uid != getuid()) {
		snprintf(msg, sizeof(msg), "%s", strerror(EPERM));
		err = EPERM;
	} else {
		err = apply(fs, req, msg, sizeof(msg));
	}
	fuse_log(err ? FUSE_LOG_NOTICE : FUSE_LOG_INFO,
		 "pshmfs: remount by uid %d: %s%s%s\n", (int)uid, req,
		 err ? ": refused: " : "", msg);
	n = snprintf(reply, sizeof(reply), "%d %s\n", err ? 1 : 0, msg);
	if (write(fd, reply, (size_t)n) != n)
		fuse_log(FUSE_LOG_DEBUG, "pshmfs: remount reply: %s\n",
			 strerror(errno));
}

static void *listen_loop(void *arg)
{
	struct pshmfs *fs = arg;
	int fd;

	for (;;) {
		fd = accept4(listen_fd, NULL, NULL, SOCK_CLOEXEC);
		if (fd < 0 && errno == EINTR)
			continue;
		if (fd < 0)
			break; /* shut down: the mount ends */
		serve_one(fs, fd);
		close(fd);
	}
	return NULL;
}

/* In the listener's thread: the address needs a path walk of the mount,
 * which the loop must be serving to answer. */
static void *start_listening(void *arg)
{
	struct pshmfs *fs = arg;
	struct sockaddr_un sa;
	socklen_t len;
	long user_id;
	int err = channel_addr(fs->mountpoint, &sa, &len, &user_id);

	if (!err && (bind(listen_fd, (struct sockaddr *)&sa, len) ||
		     listen(listen_fd, 8)))
		err = errno;
	if (err) {
		fuse_log(FUSE_LOG_WARNING, "pshmfs: no remount channel: %s\n",
			 strerror(err));
		return NULL;
	}
	return listen_loop(fs);
}

int remount_listen(struct pshmfs *fs)
{
	sigset_t all, old;
	int err;

	listen_fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (listen_fd < 0)
		return errno;
	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, &old);
	err = pthread_create(&listener, NULL, start_listening, fs);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	listening = !err;
	return err;
}

void remount_stop(struct pshmfs *fs)
{
	(void)fs;
	if (listen_fd < 0)
		return;
	/* Wakes accept() (or makes the bind fail) in the listener. */
	shutdown(listen_fd, SHUT_RDWR);
	if (listening)
		pthread_join(listener, NULL);
	close(listen_fd);
	listen_fd = -1;
	listening = false;
}

/* Connect to the daemon's channel at SA. A daemon that has just mounted
 * binds it from its listener thread a moment later: a mount -o remount
 * right after the mount retries for up to two seconds. 0 or errno. */
static int connect_daemon(const struct sockaddr_un *sa, socklen_t len, int *fd)
{
	const struct timespec pause = { 0, 10 * 1000 * 1000 };
	int err = 0;

	for (int tries = 0; tries < 200; tries++) {
		*fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
		if (*fd < 0)
			return errno;
		if (connect(*fd, (const struct sockaddr *)sa, len) == 0)
			return 0;
		err = errno;
		close(*fd);
		*fd = -1;
		if (err != ECONNREFUSED)
			break;
		nanosleep(&pause, NULL);
	}
	return err;
}

int remount_client(const char *mountpoint, const char *opts)
{
	char reply[MSG_MAX + 8] = "";
	struct sockaddr_un sa;
	socklen_t len;
	long user_id;
	ssize_t n, got = 0;
	uid_t server;
	int fd = -1, err;

	err = channel_addr(mountpoint, &sa, &len, &user_id);
	if (err == ENOENT) {
		fprintf(stderr, "pshmfs: remount: %s: not a pshmfs mount\n",
			mountpoint);
		return 1;
	}
	if (!err)
		err = connect_daemon(&sa, len, &fd);
	server = err ? 0 : peer_uid(fd);
	if (!err && server != 0 && (long)server != user_id)
		err = EPERM; /* not the mount's daemon */
	if (!err && (write(fd, opts, strlen(opts)) != (ssize_t)strlen(opts) ||
		     shutdown(fd, SHUT_WR)))
		err = errno;
	while (!err && got < (ssize_t)sizeof(reply) - 1 &&
	       (n = read(fd, reply + got, sizeof(reply) - 1 - (size_t)got)) > 0)
		got += n;
	if (fd >= 0)
		close(fd);
	if (err) {
		fprintf(stderr, "pshmfs: remount: %s: %s\n", mountpoint,
			strerror(err));
		return 1;
	}
	reply[strcspn(reply, "\n")] = '\0';
	if (reply[0] == '0')
		return 0;
	fprintf(stderr, "pshmfs: remount: %s: %s\n", mountpoint,
		reply[0] ? reply + 2 : "no answer");
	return 1;
}

/* Is this "pshmfs ... -o ...,remount,...": its options, joined, in *OPTS
 * (malloc'ed), and its last argument, the mount point, in *DIR. */
static bool remount_args(int argc, char **argv, char **opts, const char **dir)
{
	size_t len = 0;
	bool remount = false;

	*opts = calloc(1, 1);
	*dir = NULL;
	for (int i = 1; *opts && i < argc; i++) {
		const char *o = NULL;
		char *grown;

		if (strcmp(argv[i], "-o") == 0 && i + 1 < argc)
			o = argv[++i];
		else if (strncmp(argv[i], "-o", 2) == 0)
			o = argv[i] + 2;
		else if (argv[i][0] != '-')
			*dir = argv[i];
		if (!o)
			continue;
		grown = realloc(*opts, len + strlen(o) + 2);
		if (!grown)
			break;
		*opts = grown;
		len += (size_t)sprintf(*opts + len, "%s%s", len ? "," : "", o);
	}
	for (const char *p = *opts; p && (p = strstr(p, "remount")); p += 7)
		if ((p == *opts || p[-1] == ',') && (p[7] == ',' || !p[7]))
			remount = true;
	return remount;
}

int remount_main(int argc, char **argv)
{
	const char *dir;
	char *opts;
	int ret = -1;

	if (remount_args(argc, argv, &opts, &dir)) {
		if (!dir)
			fprintf(stderr, "pshmfs: remount: no mountpoint\n");
		ret = dir ? remount_client(dir, opts) : 1;
	}
	free(opts);
	return ret;
}
