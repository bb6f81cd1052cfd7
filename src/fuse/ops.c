/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * The FUSE glue for files: one pshmfs_<op>() per low-level operation, each
 * decoding the request, calling the core's core_<op>() (src/core/), and
 * replying; the replies that give the kernel nodes and attributes, and the
 * ops table. Names and directories are in dirops.c. The kernel's node id
 * of a file or directory is its struct node's address; the root is
 * FUSE_ROOT_ID.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "log.h"
#include "ops.h"
#include "ops_i.h"
#include "passthrough.h"
#include "shared_ops.h"

/* The core's setattr bits are FUSE's. */
_Static_assert(CORE_SET_MODE == FUSE_SET_ATTR_MODE &&
	       CORE_SET_UID == FUSE_SET_ATTR_UID &&
	       CORE_SET_GID == FUSE_SET_ATTR_GID &&
	       CORE_SET_SIZE == FUSE_SET_ATTR_SIZE &&
	       CORE_SET_ATIME == FUSE_SET_ATTR_ATIME &&
	       CORE_SET_MTIME == FUSE_SET_ATTR_MTIME &&
	       CORE_SET_ATIME_NOW == FUSE_SET_ATTR_ATIME_NOW &&
	       CORE_SET_MTIME_NOW == FUSE_SET_ATTR_MTIME_NOW &&
	       CORE_SET_CTIME == FUSE_SET_ATTR_CTIME,
	       "setattr bits");

/* The root's mode and owner are the mount's options, and the kernel asks
 * for them at every path walk to check permissions: let it keep them a
 * second. (Its link count and times may lag that long; the mount's own
 * operations refresh them at once.) */
#define ROOT_ATTR_TIMEOUT 1.0

/* The mount point, for raise_readahead() at the first open. */
static const char *readahead_mountpoint;
static pthread_once_t readahead_once = PTHREAD_ONCE_INIT;

static struct node *node_of_fh(const struct fuse_file_info *fi)
{
	return fh_node(fi); /* issue 16: fh carries a tag (ops_i.h) */
}

struct caller caller_of(fuse_req_t req, bool groups, gid_t *buf, int room)
{
	const struct fuse_ctx *ctx = fuse_req_ctx(req);
	struct caller who = { ctx->uid, ctx->gid, NULL, 0, ctx->umask };
	int n;

	if (groups && (n = fuse_req_getgroups(req, room, buf)) > 0 &&
	    n <= room) {
		who.groups = buf;
		who.ngroups = n;
	}
	return who;
}

const char *traced_name(struct pshmfs *fs, struct node *n, objname_t buf)
{
	if (nodes_peek_name(&fs->core.nodes, n, buf))
		strcpy(buf, "(removed)");
	return buf;
}

void reply_err(fuse_req_t req, int err)
{
	/* The core's errno goes back as it is: nothing here turns one
	 * error into another. */
	if (err)
		TRACE(fs_of(req), "  -> %s\n", strerror(err));
	fuse_reply_err(req, err);
}

void told(struct pshmfs *fs, struct node *n, const struct stat *st)
{
	core_told(&fs->core, n, st);
}

void fill_entry(struct pshmfs *fs, const struct core_entry *e,
		struct fuse_entry_param *fe)
{
	memset(fe, 0, sizeof(*fe));
	fe->entry_timeout = e->churn ? 0 : fs->o.entry_timeout;
	if (!e->n)
		return; /* "not there", cached like a name */
	fe->ino = ino_of(e->n);
	fe->generation = e->n->gen;
	fe->attr = e->st;
	fe->attr_timeout = fs->o.attr_timeout;
}

void reply_entry(fuse_req_t req, const struct core_entry *e)
{
	struct pshmfs *fs = fs_of(req);
	struct fuse_entry_param fe;

	fill_entry(fs, e, &fe);
	if (e->n)
		told(fs, e->n, &e->st);
	TRACE(fs, "  -> node %" PRIu64 " gen %" PRIu64 " ino %" PRIu64 "\n",
	      (uint64_t)fe.ino, (uint64_t)fe.generation, (uint64_t)fe.attr.st_ino);
	if (fuse_reply_entry(req, &fe) && e->n) {
		nodes_unseen(&fs->core.nodes, e->n);
		core_forget(&fs->core, e->n, 1);
	}
}

void reply_attr(fuse_req_t req, struct node *n, const struct stat *st,
		double timeout)
{
	struct pshmfs *fs = fs_of(req);

	told(fs, n, st);
	if (fuse_reply_attr(req, st, timeout))
		nodes_unseen(&fs->core.nodes, n);
}

/* The kernel holds node N open for FI from now on. */
static void set_open_flags(struct pshmfs *fs, struct fuse_file_info *fi,
			   struct node *n)
{
	fi->fh = open_fh(n);
	fi->noflush = !locks_flush(n); /* issue 16: lock_ops.c */
	fi->direct_io = fs->o.direct_io;
	/* Another process may have changed the object: drop the cache. */
	fi->keep_cache = 0;
}

static void reply_create(fuse_req_t req, const struct core_entry *e,
			 struct fuse_file_info *fi)
{
	struct pshmfs *fs = fs_of(req);
	struct fuse_entry_param fe;

	fill_entry(fs, e, &fe);
	set_open_flags(fs, fi, e->n);
	told(fs, e->n, &e->st);
	if (passthrough_reply(req, e->n, e->n->obj->fd, &fe, fi)) {
		nodes_unseen(&fs->core.nodes, e->n);
		core_release(&fs->core, e->n);
		core_forget(&fs->core, e->n, 1);
	}
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
	passthrough_init(conn);
	readahead_mountpoint = fs->mountpoint;
	shared_init(fs, conn); /* issue 16: locks, ACLs */
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

	core_forget(&fs->core, node_of(fs, ino), nlookup);
	fuse_reply_none(req);
}

static void pshmfs_forget_multi(fuse_req_t req, size_t count,
				struct fuse_forget_data *forgets)
{
	struct pshmfs *fs = fs_of(req);

	for (size_t i = 0; i < count; i++)
		core_forget(&fs->core, node_of(fs, forgets[i].ino),
			    forgets[i].nlookup);
	fuse_reply_none(req);
}

static void pshmfs_getattr(fuse_req_t req, fuse_ino_t ino,
			   struct fuse_file_info *fi)
{
	struct pshmfs *fs = fs_of(req);
	struct node *n = node_of(fs, ino);
	struct stat st;
	int err;

	(void)fi;
	TRACE_NODE(fs, "getattr", n, "%s", "");
	err = core_getattr(&fs->core, n, &st);
	if (err)
		reply_err(req, err);
	else
		reply_attr(req, n, &st, n->root ? ROOT_ATTR_TIMEOUT
						: fs->o.attr_timeout);
}

static void pshmfs_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr,
			   int valid, struct fuse_file_info *fi)
{
	struct pshmfs *fs = fs_of(req);
	struct node *n = node_of(fs, ino);
	gid_t groups[64];
	struct caller who;
	struct stat st;
	int err;

	(void)fi;
	TRACE_NODE(fs, "setattr", n, " valid 0x%x mode %o uid %d gid %d size %jd",
		   valid, attr->st_mode, (int)attr->st_uid, (int)attr->st_gid,
		   (intmax_t)attr->st_size);
	/* With FUSE_HANDLE_KILLPRIV_V2 (passthrough.c), a write() that
	 * passes through and must clear set-id bits comes as a setattr of
	 * nothing (the kernel's file_remove_privs() on the FUSE file), a
	 * truncate with FATTR_KILL_SUIDGID (libfuse: FUSE_SET_ATTR_KILL_SUID,
	 * the same bit). */
	if (!valid)
		valid = CORE_SET_KILL_SUIDGID;
	who = caller_of(req, valid & CORE_SET_KILL_SUIDGID, groups, 64);
	err = core_setattr(&fs->core, &who, n, attr, valid, &st);
	if (err)
		reply_err(req, err);
	else
		reply_attr(req, n, &st, fs->o.attr_timeout);
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

/* An O_TRUNC open or a copied write of open file node N: clear its set-id
 * bits if the kernel asks (FUSE_HANDLE_KILLPRIV_V2). */
static int kill_suidgid(fuse_req_t req, struct node *n)
{
	gid_t groups[64];
	struct caller who;

	if (!passthrough_kill_suidgid())
		return 0;
	who = caller_of(req, true, groups, 64);
	return core_kill_suidgid(&fs_of(req)->core, &who, n);
}

static void pshmfs_open(fuse_req_t req, fuse_ino_t ino,
			struct fuse_file_info *fi)
{
	struct pshmfs *fs = fs_of(req);
	struct node *n = node_of(fs, ino);
	int err;

	TRACE_NODE(fs, "open", n, " flags 0%o", fi->flags);
	pthread_once(&readahead_once, raise_readahead_once);
	err = core_open_node(&fs->core, n, fi->flags);
	if (!err && (fi->flags & O_TRUNC) && (err = kill_suidgid(req, n)))
		core_release(&fs->core, n);
	if (err) {
		reply_err(req, err);
		return;
	}
	set_open_flags(fs, fi, n);
	if (passthrough_reply(req, n, n->obj->fd, NULL, fi))
		core_release(&fs->core, n);
}

static void pshmfs_create(fuse_req_t req, fuse_ino_t parent, const char *name,
			  mode_t mode, struct fuse_file_info *fi)
{
	struct pshmfs *fs = fs_of(req);
	struct caller who = caller_of(req, false, NULL, 0);
	struct core_entry e;
	int err;

	TRACE_NODE(fs, "create", node_of(fs, parent), " name '%s' mode 0%o flags 0%o",
		   name, mode, fi->flags);
	err = core_create(&fs->core, &who, node_of(fs, parent), name, mode,
			  fi->flags, true, &e);
	if (err)
		reply_err(req, err);
	else
		reply_create(req, &e, fi);
}

static void pshmfs_mknod(fuse_req_t req, fuse_ino_t parent, const char *name,
			 mode_t mode, dev_t rdev)
{
	struct pshmfs *fs = fs_of(req);
	struct caller who = caller_of(req, false, NULL, 0);
	struct core_entry e;
	int err = EPERM;

	(void)rdev;
	TRACE_NODE(fs, "mknod", node_of(fs, parent), " name '%s' mode 0%o", name,
		   mode);
	/* A regular file is an object; shm holds no device or FIFO. */
	if (S_ISREG(mode))
		err = core_create(&fs->core, &who, node_of(fs, parent), name,
				  mode, O_EXCL, false, &e);
	if (err)
		reply_err(req, err);
	else
		reply_entry(req, &e);
}

static void pshmfs_read(fuse_req_t req, fuse_ino_t ino, size_t size,
			off_t off, struct fuse_file_info *fi)
{
	/* Ours until this reply is sent: then the file may be released,
	 * and shmmap_free waits for shmobj_read_end. */
	struct node *n = node_of_fh(fi);
	struct shmmap *m = n->obj;
	struct fuse_bufvec buf = FUSE_BUFVEC_INIT(0);
	const char *p;
	size_t len;
	int err;

	(void)ino;
	TRACE_NODE(fs_of(req), "read", n, " size %zu off %jd", size,
		   (intmax_t)off);
	err = shmobj_read_begin(m, size, off, &p, &len);
	if (err) {
		reply_err(req, err);
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
	struct pshmfs *fs = fs_of(req);
	struct node *n = node_of_fh(fi);
	size_t done;
	int err;

	(void)ino;
	TRACE_NODE(fs, "write", n, " size %zu off %jd", size, (intmax_t)off);
	err = core_write(&fs->core, n, buf, size, off, &done);
	/* The bytes are written: the write() succeeded, whatever clearing
	 * the set-id bits (a chmod of our own object) says. */
	if (!err && kill_suidgid(req, n))
		log_debug("write: cannot clear set-id bits");
	if (err)
		reply_err(req, err);
	else
		fuse_reply_write(req, done);
}

static void pshmfs_release(fuse_req_t req, fuse_ino_t ino,
			   struct fuse_file_info *fi)
{
	struct pshmfs *fs = fs_of(req);

	(void)ino;
	TRACE_NODE(fs, "release", node_of_fh(fi), "%s", "");
	shared_release(fs, fi); /* issue 16: its locks go */
	passthrough_release(req, node_of_fh(fi));
	core_release(&fs->core, node_of_fh(fi));
	fuse_reply_err(req, 0);
}

static void pshmfs_fsync(fuse_req_t req, fuse_ino_t ino, int datasync,
			 struct fuse_file_info *fi)
{
	struct pshmfs *fs = fs_of(req);

	(void)ino;
	TRACE_NODE(fs, "fsync", node_of_fh(fi), "%s", "");
	reply_err(req, core_fsync(&fs->core, node_of_fh(fi), datasync));
}

static void pshmfs_fallocate(fuse_req_t req, fuse_ino_t ino, int mode,
			     off_t off, off_t len, struct fuse_file_info *fi)
{
	struct pshmfs *fs = fs_of(req);

	(void)ino;
	TRACE_NODE(fs, "fallocate", node_of_fh(fi), " mode 0x%x off %jd len %jd",
		   mode, (intmax_t)off, (intmax_t)len);
	reply_err(req, core_fallocate(&fs->core, node_of_fh(fi), mode, off, len));
}

static void pshmfs_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct pshmfs *fs = fs_of(req);
	struct caller who = caller_of(req, false, NULL, 0);

	TRACE_NODE(fs, "unlink", node_of(fs, parent), " name '%s'", name);
	reply_err(req, core_unlink(&fs->core, &who, node_of(fs, parent), name));
}

static void pshmfs_refuse(fuse_req_t req, const char *what, const char *name)
{
	TRACE(fs_of(req), "%s: '%s': not possible in shm\n", what, name);
	reply_err(req, EPERM);
}

static void pshmfs_symlink(fuse_req_t req, const char *link, fuse_ino_t parent,
			   const char *name)
{
	(void)link;
	(void)parent;
	pshmfs_refuse(req, "symlink", name);
}

static void pshmfs_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct pshmfs *fs = fs_of(req);
	struct statvfs sv;
	int err;

	(void)ino;
	TRACE(fs, "statfs\n");
	err = core_statfs(&fs->core, &sv);
	if (err)
		reply_err(req, err);
	else
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
	/* .flush (lock_ops.c): at close(2), the closer's POSIX locks go. */
	.flush = pshmfs_flush,
	.release = pshmfs_release,
	.fsync = pshmfs_fsync,
	.fallocate = pshmfs_fallocate,
	.opendir = pshmfs_opendir,
	.readdir = pshmfs_readdir,
	.readdirplus = pshmfs_readdirplus,
	.releasedir = pshmfs_releasedir,
	.statfs = pshmfs_statfs,
	/* issue 16 (shared_ops.h): shared with shm_open users. */
	.lseek = pshmfs_lseek,
	.getxattr = pshmfs_getxattr,
	.setxattr = pshmfs_setxattr,
	.listxattr = pshmfs_listxattr,
	.removexattr = pshmfs_removexattr,
	.getlk = pshmfs_getlk,
	.setlk = pshmfs_setlk,
	.flock = pshmfs_flock,
};
