/** @file
 * The FUSE glue for files: one pshmfs_<op>() per low-level operation, each
 * a thin call into the shm side (shmobj.c) and the node table (core/nodes.c),
 * and the ops table. Names and directories are in dirops.c. The kernel's
 * node id of a file or directory is its struct node's address; the root is
 * FUSE_ROOT_ID. Every name from the kernel goes through names_join().
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "daemon.h"
#include "index.h"
#include "ops.h"
#include "ops_i.h"

/* The root's mode and owner are the mount's options, and the kernel asks
 * for them at every path walk to check permissions: let it keep them a
 * second. (Its link count and times may lag that long; the mount's own
 * mkdir and rmdir refresh them at once.) */
#define ROOT_ATTR_TIMEOUT 1.0

/* The mount point, for raise_readahead() at the first open. */
static const char *readahead_mountpoint;
static pthread_once_t readahead_once = PTHREAD_ONCE_INIT;

/* A path to reach an fd (O_PATH ones too) for calls that want a path. */
typedef char fdpath_t[32];

static struct node *node_of_fh(const struct fuse_file_info *fi)
{
	return (struct node *)(uintptr_t)fi->fh;
}

static const char *fd_path(int fd, fdpath_t buf)
{
	snprintf(buf, sizeof(fdpath_t), "/proc/self/fd/%d", fd);
	return buf;
}

/* How to reach node N: by its descriptor while open (true: the table stays
 * locked for the caller to use n->obj->fd, then unlock), else by its name, copied
 * into NAME with the lock released (*ERR is ENOENT once it was removed). */
static bool node_reach(struct pshmfs *fs, struct node *n, objname_t name,
		       int *err)
{
	pthread_mutex_lock(&fs->nodes.lock);
	if (n->obj)
		return true;
	*err = n->name ? 0 : ENOENT;
	if (n->name)
		strcpy(name, n->name);
	pthread_mutex_unlock(&fs->nodes.lock);
	return false;
}

/* Node N's attributes ST go to the kernel: what watch.c compares with. */
static void attrs_given(struct pshmfs *fs, struct node *n,
			const struct stat *st)
{
	pthread_mutex_lock(&fs->nodes.lock);
	node_seen(n, st);
	pthread_mutex_unlock(&fs->nodes.lock);
}

/* The attributes of node N, by its descriptor while open, else by name
 * (checking that the name still holds the same object), counted as given
 * to the kernel, which is what they are read for. */
static int node_stat(struct pshmfs *fs, struct node *n, struct stat *st)
{
	objname_t name;
	int err;

	if (node_reach(fs, n, name, &err)) {
		err = fstat(n->obj->fd, st) ? errno : 0;
		if (!err)
			node_seen(n, st);
		pthread_mutex_unlock(&fs->nodes.lock);
		return err;
	}
	if (err)
		return err;
	if (n->dir)
		return dir_stat(fs, name, st);
	err = shmobj_stat(fs->dirfd, name, st);
	/* The name went, or holds another object now, since the kernel
	 * looked it up: ESTALE makes it walk the path again. */
	if ((!err && st->st_ino != n->ino) || err == ENOENT)
		err = ESTALE;
	if (!err)
		attrs_given(fs, n, st);
	return err;
}

/* A descriptor of node N's object for the caller to close: a copy of the
 * open one, or an O_PATH one by name; for a directory, its marker's, made
 * if it had none. */
static int node_fd(struct pshmfs *fs, struct node *n, int *fd)
{
	objname_t name;
	struct stat st;
	int err;

	if (node_reach(fs, n, name, &err)) {
		*fd = fcntl(n->obj->fd, F_DUPFD_CLOEXEC, 0);
		err = *fd < 0 ? errno : 0;
		pthread_mutex_unlock(&fs->nodes.lock);
		return err;
	}
	if (err)
		return err;
	if (n->dir)
		return dir_marker_fd(fs, name, fd);
	err = shmobj_path_open(fs->dirfd, name, fd, &st);
	if (!err && st.st_ino != n->ino) {
		close(*fd);
		err = ENOENT;
	}
	return err;
}


void fill_entry(struct pshmfs *fs, struct node *n, const char *name,
		const struct stat *st, struct fuse_entry_param *e)
{
	memset(e, 0, sizeof(*e));
	e->ino = (uintptr_t)n;
	e->attr = *st;
	e->attr_timeout = fs->o.attr_timeout;
	e->entry_timeout = watch_entry_timeout(fs, name);
}

/* Find the object NAME and take a kernel reference on its node. */
int lookup_name(struct pshmfs *fs, const char *name,
		struct fuse_entry_param *e)
{
	struct stat st;
	struct node *n;
	int err = shmobj_stat(fs->dirfd, name, &st);

	if (err)
		return err;
	pthread_mutex_lock(&fs->nodes.lock);
	n = nodes_get(&fs->nodes, st.st_ino, name);
	if (n)
		node_seen(n, &st);
	pthread_mutex_unlock(&fs->nodes.lock);
	if (!n)
		return ENOMEM;
	fill_entry(fs, n, name, &st, e);
	return 0;
}

static void pshmfs_init(void *userdata, struct fuse_conn_info *conn)
{
	struct pshmfs *fs = userdata;

	/* O_TRUNC arrives with open: one round trip fewer. */
	if (conn->capable & FUSE_CAP_ATOMIC_O_TRUNC)
		conn->want |= FUSE_CAP_ATOMIC_O_TRUNC;
	/* With attribute timeout 0 this would ask for attributes before
	 * every read; open drops the cache instead (keep_cache off). */
	conn->want &= ~FUSE_CAP_AUTO_INVAL_DATA;
	readahead_mountpoint = fs->mountpoint;
	TRACE(fs, "init: prefix '%s'\n", fs->o.prefix);
	daemon_ready(); /* the kernel's first request: the mount serves */
}

static void pshmfs_destroy(void *userdata)
{
	struct pshmfs *fs = userdata;

	TRACE(fs, "destroy\n");
}

static void pshmfs_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	struct pshmfs *fs = fs_of(req);

	if (ino != FUSE_ROOT_ID)
		nodes_forget(&fs->nodes, node_of(ino), nlookup);
	fuse_reply_none(req);
}

static void pshmfs_forget_multi(fuse_req_t req, size_t count,
				struct fuse_forget_data *forgets)
{
	struct pshmfs *fs = fs_of(req);

	for (size_t i = 0; i < count; i++)
		if (forgets[i].ino != FUSE_ROOT_ID)
			nodes_forget(&fs->nodes, node_of(forgets[i].ino),
				     forgets[i].nlookup);
	fuse_reply_none(req);
}

static void pshmfs_getattr(fuse_req_t req, fuse_ino_t ino,
			   struct fuse_file_info *fi)
{
	struct pshmfs *fs = fs_of(req);
	struct stat st;
	int err = 0;

	(void)fi;
	TRACE(fs, "getattr: ino %" PRIu64 "\n", ino);
	if (ino == FUSE_ROOT_ID)
		err = dir_stat(fs, fs->o.prefix, &st);
	else
		err = node_stat(fs, node_of(ino), &st);
	if (err)
		fuse_reply_err(req, err);
	else
		fuse_reply_attr(req, &st, ino == FUSE_ROOT_ID ? ROOT_ATTR_TIMEOUT
							: fs->o.attr_timeout);
}

static int truncate_fd(int fd, off_t size)
{
	fdpath_t p;
	int wfd, err = 0;

	if (ftruncate(fd, size) == 0)
		return 0;
	if (errno != EBADF)
		return errno;
	/* An O_PATH or read-only descriptor: reopen it for writing. */
	wfd = open(fd_path(fd, p), O_RDWR | O_NONBLOCK | O_CLOEXEC);
	if (wfd < 0)
		return errno;
	if (ftruncate(wfd, size))
		err = errno;
	close(wfd);
	return err;
}

static struct timespec set_time(int valid, int set, int now,
				const struct timespec *t)
{
	struct timespec ts = { .tv_nsec = UTIME_OMIT };

	if (valid & now)
		ts.tv_nsec = UTIME_NOW;
	else if (valid & set)
		ts = *t;
	return ts;
}

/* Apply a setattr to the object behind FD, in the order chown, chmod
 * (chown clears set-id bits), truncate, times. */
static int apply_attr(int fd, const struct stat *attr, int valid)
{
	struct timespec ts[2];
	fdpath_t p;

	if ((valid & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)) &&
	    fchownat(fd, "", valid & FUSE_SET_ATTR_UID ? attr->st_uid : (uid_t)-1,
		     valid & FUSE_SET_ATTR_GID ? attr->st_gid : (gid_t)-1,
		     AT_EMPTY_PATH))
		return errno;
	if ((valid & FUSE_SET_ATTR_MODE) &&
	    chmod(fd_path(fd, p), attr->st_mode & 07777))
		return errno;
	if (valid & FUSE_SET_ATTR_SIZE) {
		int err = truncate_fd(fd, attr->st_size);

		if (err)
			return err;
	}
	if (valid & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME)) {
		ts[0] = set_time(valid, FUSE_SET_ATTR_ATIME,
				 FUSE_SET_ATTR_ATIME_NOW, &attr->st_atim);
		ts[1] = set_time(valid, FUSE_SET_ATTR_MTIME,
				 FUSE_SET_ATTR_MTIME_NOW, &attr->st_mtim);
		if (utimensat(AT_FDCWD, fd_path(fd, p), ts, 0))
			return errno;
	}
	return 0;
}

static void node_close(struct pshmfs *fs, struct node *n);

/* Keep node N's mapping while we use it, if it has one: true if so. */
static bool node_pin(struct pshmfs *fs, struct node *n)
{
	bool pinned;

	pthread_mutex_lock(&fs->nodes.lock);
	pinned = n->opens > 0;
	if (pinned)
		n->opens++;
	pthread_mutex_unlock(&fs->nodes.lock);
	return pinned;
}

/* apply_attr; a truncate waits for the reads from the mapping that are
 * under way, so none of them finds its pages gone. */
static int setattr_fd(struct pshmfs *fs, struct node *n, int fd,
		      const struct stat *attr, int valid)
{
	int err;

	if (!(valid & FUSE_SET_ATTR_SIZE) || !node_pin(fs, n))
		return apply_attr(fd, attr, valid);
	pthread_rwlock_wrlock(&n->obj->lock);
	err = apply_attr(fd, attr, valid);
	pthread_rwlock_unlock(&n->obj->lock);
	node_close(fs, n);
	return err;
}

static void pshmfs_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr,
			   int valid, struct fuse_file_info *fi)
{
	struct pshmfs *fs = fs_of(req);
	struct node *n = node_of(ino);
	struct stat st;
	int fd = -1, err;

	(void)fi;
	TRACE(fs, "setattr: ino %" PRIu64 " valid 0x%x mode %o uid %d gid %d size %jd\n",
	      ino, valid, attr->st_mode, (int)attr->st_uid, (int)attr->st_gid,
	      (intmax_t)attr->st_size);
	if (ino == FUSE_ROOT_ID) {
		/* The root is the mount's options, not an object. */
		fuse_reply_err(req, EPERM);
		return;
	}
	err = node_fd(fs, n, &fd);
	if (!err)
		err = setattr_fd(fs, n, fd, attr, valid);
	if (!err && (n->dir ? node_stat(fs, n, &st) : fstat(fd, &st)))
		err = n->dir ? ENOENT : errno;
	if (fd >= 0)
		close(fd);
	if (!err)
		attrs_given(fs, n, &st);
	if (err)
		fuse_reply_err(req, err);
	else
		fuse_reply_attr(req, &st, fs->o.attr_timeout);
}

/* Give node N the object open on FD; FD is closed on failure. */
static int node_attach(struct node *n, int fd, bool writable)
{
	n->obj = shmmap_new(fd, writable);
	if (n->obj)
		return 0;
	close(fd);
	return ENOMEM;
}

/* Count an open of node N, opening its object on the first one. */
static int node_open(struct pshmfs *fs, struct node *n)
{
	struct stat st;
	bool writable;
	int fd, err = 0;

	pthread_mutex_lock(&fs->nodes.lock);
	if (!n->obj) {
		err = n->name ? shmobj_open(fs->dirfd, n->name, &fd, &writable, &st)
			      : ENOENT;
		/* The name went, or holds another object now, since the
		 * kernel looked: ESTALE makes it walk the path again. */
		if (!err && st.st_ino != n->ino) {
			close(fd);
			err = ESTALE;
		}
		if (err == ENOENT && n->name)
			err = ESTALE;
		if (!err)
			err = node_attach(n, fd, writable);
	}
	if (!err)
		n->opens++;
	pthread_mutex_unlock(&fs->nodes.lock);
	return err;
}

/* Count a close of node N, closing its object on the last one. */
static void node_close(struct pshmfs *fs, struct node *n)
{
	struct shmmap *gone = NULL;

	pthread_mutex_lock(&fs->nodes.lock);
	if (--n->opens == 0) {
		gone = n->obj;
		n->obj = NULL;
	}
	pthread_mutex_unlock(&fs->nodes.lock);
	/* Outside the lock: it waits for a read still replying. */
	if (gone)
		shmmap_free(gone);
}

static void set_open_flags(struct pshmfs *fs, struct fuse_file_info *fi,
			   struct node *n)
{
	fi->fh = (uintptr_t)n;
	fi->direct_io = fs->o.direct_io;
	/* Another process may have changed the object: drop the cache. */
	fi->keep_cache = 0;
}

/* O_TRUNC, with the kernel's atomic_o_trunc: as setattr_fd does. */
static int open_truncate(struct node *n)
{
	int err = 0;

	if (!n->obj->writable)
		return EACCES;
	pthread_rwlock_wrlock(&n->obj->lock);
	if (ftruncate(n->obj->fd, 0))
		err = errno;
	pthread_rwlock_unlock(&n->obj->lock);
	return err;
}

/* The kernel reads ahead 128 KiB on a FUSE mount, and INIT cannot raise
 * it; root can, through the mount's bdi in sysfs: 1 MiB, as max_write.
 * Found through /proc/self/mountinfo, not stat, which would ask us. Done
 * at the first open, once INIT's reply has set the bdi up. */
static void raise_readahead(const char *mountpoint)
{
	char *real = realpath(mountpoint, NULL), line[4096], path[64];
	unsigned maj, min;
	FILE *f;
	int fd;

	f = real && geteuid() == 0 ? fopen("/proc/self/mountinfo", "r") : NULL;
	while (f && fgets(line, sizeof(line), f)) {
		char mnt[4096];

		if (sscanf(line, "%*u %*u %u:%u %*s %4095s", &maj, &min, mnt) != 3 ||
		    strcmp(mnt, real) != 0)
			continue;
		snprintf(path, sizeof(path), "/sys/class/bdi/%u:%u/read_ahead_kb",
			 maj, min);
		fd = open(path, O_WRONLY | O_CLOEXEC);
		if (fd >= 0 && write(fd, "1024", 4) != 4)
			fuse_log(FUSE_LOG_DEBUG, "pshmfs: %s: %s\n", path,
				 strerror(errno));
		if (fd >= 0)
			close(fd);
	}
	if (f)
		fclose(f);
	free(real);
}

static void raise_readahead_once(void)
{
	raise_readahead(readahead_mountpoint);
}

static void pshmfs_open(fuse_req_t req, fuse_ino_t ino,
			struct fuse_file_info *fi)
{
	struct pshmfs *fs = fs_of(req);
	struct node *n = node_of(ino);
	int err;

	TRACE(fs, "open: ino %" PRIu64 " flags 0%o\n", ino, fi->flags);
	if (ino == FUSE_ROOT_ID) {
		fuse_reply_err(req, EISDIR);
		return;
	}
	pthread_once(&readahead_once, raise_readahead_once);
	err = node_open(fs, n);
	if (!err && (fi->flags & O_TRUNC)) {
		err = open_truncate(n);
		if (err)
			node_close(fs, n);
	}
	if (err) {
		fuse_reply_err(req, err);
		return;
	}
	set_open_flags(fs, fi, n);
	if (fuse_reply_open(req, fi))
		node_close(fs, n);
}

/* Make the object NAME with MODE for the caller; return its node,
 * referenced once and opened once, in E. */
static int create_name(struct pshmfs *fs, fuse_req_t req, const char *name,
		       mode_t mode, struct fuse_entry_param *e)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	gid_t gid = ctx->gid;
	struct stat st;
	struct node *n;
	bool sgid;
	int fd, err;

	new_group(fs, name, &gid, &sgid);
	err = create_counted(fs, name, mode, ctx->uid, gid, &fd, &st);
	if (err)
		return err;
	pthread_mutex_lock(&fs->nodes.lock);
	n = nodes_get(&fs->nodes, st.st_ino, name);
	err = 0;
	if (!n)
		err = ENOMEM;
	else if (n->obj)
		close(fd); /* open already: keep that descriptor */
	else
		err = node_attach(n, fd, true);
	if (!err) {
		n->opens++;
		node_seen(n, &st);
	}
	pthread_mutex_unlock(&fs->nodes.lock);
	if (err) {
		if (n)
			nodes_forget(&fs->nodes, n, 1);
		else
			close(fd);
		unlinkat(fs->dirfd, name, 0);
		return err;
	}
	fill_entry(fs, n, name, &st, e);
	return 0;
}

/* O_CREAT without O_EXCL is one step on tmpfs; here it is a create, or,
 * when someone else made the object first, an open, which fails if they
 * removed it again meanwhile: then start over, a few times. */
static int create_or_open(struct pshmfs *fs, fuse_req_t req, const char *obj,
			  mode_t mode, int flags, struct fuse_entry_param *e)
{
	int err = EEXIST, tries;

	for (tries = 0; tries < 16 && (err == EEXIST || err == ESTALE ||
				       err == ENOENT); tries++) {
		err = create_name(fs, req, obj, mode, e);
		if (err != EEXIST || (flags & O_EXCL))
			return err;
		err = lookup_name(fs, obj, e);
		if (!err && (err = node_open(fs, node_of(e->ino))))
			nodes_forget(&fs->nodes, node_of(e->ino), 1);
	}
	return err == ESTALE ? ENOENT : err;
}

static void pshmfs_create(fuse_req_t req, fuse_ino_t parent, const char *name,
			  mode_t mode, struct fuse_file_info *fi)
{
	struct pshmfs *fs = fs_of(req);
	struct fuse_entry_param e;
	objname_t obj;
	int err;

	TRACE(fs, "create: parent %" PRIu64 " name '%s' mode 0%o flags 0%o\n",
	      parent, name, mode, fi->flags);
	err = child_name(fs, parent, name, obj);
	if (!err)
		err = create_or_open(fs, req, obj, mode, fi->flags, &e);
	if (err) {
		fuse_reply_err(req, err);
		return;
	}
	set_open_flags(fs, fi, node_of(e.ino));
	if (fuse_reply_create(req, &e, fi)) {
		node_close(fs, node_of(e.ino));
		nodes_forget(&fs->nodes, node_of(e.ino), 1);
	}
}

static void pshmfs_mknod(fuse_req_t req, fuse_ino_t parent, const char *name,
			 mode_t mode, dev_t rdev)
{
	struct pshmfs *fs = fs_of(req);
	struct fuse_entry_param e;
	objname_t obj;
	int err = EPERM;

	(void)rdev;
	TRACE(fs, "mknod: parent %" PRIu64 " name '%s' mode 0%o\n", parent,
	      name, mode);
	/* A regular file is an object; shm holds no device or FIFO. */
	if (S_ISREG(mode)) {
		err = child_name(fs, parent, name, obj);
		if (!err)
			err = create_name(fs, req, obj, mode, &e);
		if (!err)
			node_close(fs, node_of(e.ino));
	}
	if (err)
		fuse_reply_err(req, err);
	else if (fuse_reply_entry(req, &e))
		nodes_forget(&fs->nodes, node_of(e.ino), 1);
}

static void pshmfs_read(fuse_req_t req, fuse_ino_t ino, size_t size,
			off_t off, struct fuse_file_info *fi)
{
	/* Ours until this reply is sent: then the file may be released,
	 * and shmmap_free waits for shmobj_read_end. */
	struct shmmap *m = node_of_fh(fi)->obj;
	struct fuse_bufvec buf = FUSE_BUFVEC_INIT(0);
	const char *p;
	size_t len;
	int err;

	TRACE(fs_of(req), "read: ino %" PRIu64 " size %zu off %jd\n", ino,
	      size, (intmax_t)off);
	err = shmobj_read_begin(m, size, off, &p, &len);
	if (err) {
		fuse_reply_err(req, err);
		return;
	}
	/* One copy, by the kernel, from the mapping. If the object shrank
	 * meanwhile, the kernel fails the copy and the reader sees EIO. */
	buf.buf[0].mem = (void *)p;
	buf.buf[0].size = len;
	if (!p && len) {
		/* Holes: read the descriptor, which leaves them holes. */
		buf.buf[0].flags = FUSE_BUF_IS_FD | FUSE_BUF_FD_SEEK;
		buf.buf[0].fd = m->fd;
		buf.buf[0].pos = off;
	}
	fuse_reply_data(req, &buf, 0);
	shmobj_read_end(m);
}

static void pshmfs_write(fuse_req_t req, fuse_ino_t ino, const char *buf,
			 size_t size, off_t off, struct fuse_file_info *fi)
{
	struct shmmap *m = node_of_fh(fi)->obj;
	size_t fit, done = 0;
	blkcnt_t before;
	int err;

	TRACE(fs_of(req), "write: ino %" PRIu64 " size %zu off %jd\n", ino,
	      size, (intmax_t)off);
	err = charge_begin(fs_of(req), m->fd, off, size, &fit, &before);
	if (!err)
		err = shmobj_write(m, buf, fit, off, &done);
	charge_end(fs_of(req), m->fd, before);
	if (err)
		fuse_reply_err(req, err);
	else
		fuse_reply_write(req, done);
}

static void pshmfs_release(fuse_req_t req, fuse_ino_t ino,
			   struct fuse_file_info *fi)
{
	struct pshmfs *fs = fs_of(req);

	TRACE(fs, "release: ino %" PRIu64 "\n", ino);
	node_close(fs, node_of_fh(fi));
	fuse_reply_err(req, 0);
}

static void pshmfs_fsync(fuse_req_t req, fuse_ino_t ino, int datasync,
			 struct fuse_file_info *fi)
{
	struct node *n = node_of_fh(fi);
	int err;

	TRACE(fs_of(req), "fsync: ino %" PRIu64 "\n", ino);
	err = (datasync ? fdatasync(n->obj->fd) : fsync(n->obj->fd)) ? errno : 0;
	fuse_reply_err(req, err);
}

static void pshmfs_fallocate(fuse_req_t req, fuse_ino_t ino, int mode,
			     off_t off, off_t len, struct fuse_file_info *fi)
{
	struct pshmfs *fs = fs_of(req);
	struct node *n = node_of_fh(fi);
	size_t fit = (size_t)len;
	blkcnt_t before;
	int err = 0;

	TRACE(fs, "fallocate: ino %" PRIu64 " mode 0x%x off %jd len %jd\n",
	      ino, mode, (intmax_t)off, (intmax_t)len);
	if (!(mode & FALLOC_FL_PUNCH_HOLE))
		err = charge_begin(fs, n->obj->fd, off, (size_t)len, &fit, &before);
	/* fallocate is all or nothing. */
	if (!err && fit < (size_t)len)
		err = ENOSPC;
	if (!err && fallocate(n->obj->fd, mode, off, len))
		err = errno;
	if (!(mode & FALLOC_FL_PUNCH_HOLE))
		charge_end(fs, n->obj->fd, before);
	fuse_reply_err(req, err);
}

static void pshmfs_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct pshmfs *fs = fs_of(req);
	struct stat st;
	struct fsids ids;
	objname_t obj;
	int err;

	TRACE(fs, "unlink: parent %" PRIu64 " name '%s'\n", parent, name);
	err = child_name(fs, parent, name, obj);
	if (err == EINVAL)
		err = ENOENT;
	if (!err)
		err = shmobj_stat(fs->dirfd, obj, &st);
	ids = as_caller(fs, req);
	if (!err && unlinkat(fs->dirfd, obj, 0))
		err = errno;
	as_daemon(ids);
	if (!err) {
		/* Open handles keep the node's descriptor: they go on. */
		pthread_mutex_lock(&fs->nodes.lock);
		nodes_rename(&fs->nodes, st.st_ino, NULL);
		pthread_mutex_unlock(&fs->nodes.lock);
	}
	fuse_reply_err(req, err);
}

static void pshmfs_refuse(fuse_req_t req, const char *what, const char *name)
{
	TRACE(fs_of(req), "%s: '%s': not possible in shm\n", what, name);
	fuse_reply_err(req, EPERM);
}

static void pshmfs_symlink(fuse_req_t req, const char *link, fuse_ino_t parent,
			   const char *name)
{
	(void)link;
	(void)parent;
	pshmfs_refuse(req, "symlink", name);
}

static void pshmfs_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t newparent,
			const char *newname)
{
	(void)ino;
	(void)newparent;
	pshmfs_refuse(req, "link", newname);
}

static void pshmfs_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct pshmfs *fs = fs_of(req);
	struct statvfs sv;

	TRACE(fs, "statfs: ino %" PRIu64 "\n", ino);
	if (fstatvfs(fs->dirfd, &sv)) {
		fuse_reply_err(req, errno);
		return;
	}
	/* What is left of a name once the prefix is taken. */
	sv.f_namemax = SHM_NAME_MAX - strlen(fs->o.prefix);
	if (quota_limited(&fs->quota))
		statfs_limited(&fs->quota, &sv);
	fuse_reply_statfs(req, &sv);
}

const struct fuse_lowlevel_ops pshmfs_ops = {
	.init = pshmfs_init,
	.destroy = pshmfs_destroy,
	.lookup = pshmfs_lookup,
	.forget = pshmfs_forget,
	.forget_multi = pshmfs_forget_multi,
	.getattr = pshmfs_getattr,
	.setattr = pshmfs_setattr,
	.mknod = pshmfs_mknod,
	.mkdir = pshmfs_mkdir,
	.rmdir = pshmfs_rmdir,
	.symlink = pshmfs_symlink,
	.link = pshmfs_link,
	.unlink = pshmfs_unlink,
	.rename = pshmfs_rename,
	.open = pshmfs_open,
	.create = pshmfs_create,
	.read = pshmfs_read,
	.write = pshmfs_write,
	/* No .flush: nothing to do at close(2), and without it the kernel
	 * stops asking after the first ENOSYS: one round trip fewer a close. */
	.release = pshmfs_release,
	.fsync = pshmfs_fsync,
	.fallocate = pshmfs_fallocate,
	.opendir = pshmfs_opendir,
	.readdir = pshmfs_readdir,
	.readdirplus = pshmfs_readdirplus,
	.releasedir = pshmfs_releasedir,
	.statfs = pshmfs_statfs,
};
