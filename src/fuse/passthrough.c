/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * FUSE passthrough (see passthrough.h): the decision, the bookkeeping of
 * backing files per node, and, for libfuse < 3.17, a shim that speaks the
 * kernel protocol itself.
 *
 * The shim (libfuse 3.14 has no passthrough API) takes the session's
 * reads and writes of /dev/fuse with fuse_session_custom_io() on the
 * mounted descriptor. The read hook notes, per thread, the unique number
 * and opcode of the request the thread is about to process, and whether
 * the kernel's INIT offers FUSE_PASSTHROUGH, and whether an OPEN or a WRITE
 * asks the daemon to clear set-id bits (FUSE_HANDLE_KILLPRIV_V2, below).
 * The write hook patches three replies: INIT (the FUSE_PASSTHROUGH flag,
 * max_stack_depth and FUSE_HANDLE_KILLPRIV_V2), and OPEN
 * and CREATE (FOPEN_PASSTHROUGH and the backing id that the same thread
 * put in `reply` just before fuse_reply_open/fuse_reply_create, which
 * call the hook synchronously). Each patch first checks that the reply is
 * the one expected, with the sizes and values libfuse 3.14 sends; if not,
 * it goes out unchanged and that kind of reply passes nothing through
 * again. libfuse's loops read and process a request in one thread, which
 * is what makes per-thread notes enough: no table of requests in flight.
 *
 * With libfuse >= 3.17 (configure's HAVE_FUSE_PASSTHROUGH_OPEN), the same
 * bookkeeping uses fuse_passthrough_open(), fi->backing_id and
 * FUSE_CAP_PASSTHROUGH instead, and the shim is left out.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <linux/capability.h>
#include <linux/fuse.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/uio.h>
#include <unistd.h>

#include "log.h"
#include "passthrough.h"

/* The inode number of the initial user namespace (PROC_USER_INIT_INO). */
#define INIT_USER_NS_INO 0xEFFFFFFDU

enum reply_kind { KIND_OPEN, KIND_CREATE, NKINDS };

/* A node with open files, and the mode they are in: all passed through
 * one backing file (backing_id > 0), or all copied (0). */
struct ptnode {
	const struct node *n;
	int backing_id;
	unsigned files;
	struct ptnode *next;
};

#define NBUCKETS 1024

static struct {
	int mode;            /* PASSTHROUGH_AUTO, _ON, _OFF */
	bool may;            /* options and privileges let us try */
	bool known;          /* the decision is made: why[] says it */
	bool refused;        /* passthrough=on, and it cannot be */
	char why[200];
	struct fuse_session *se;
	int devfd;
	atomic_bool offered; /* the kernel's INIT offered it */
	atomic_bool killpriv_offered; /* ... and FUSE_HANDLE_KILLPRIV_V2 */
	atomic_bool killpriv; /* negotiated: the daemon clears set-id bits */
	atomic_bool active;  /* negotiated, and a backing file registered */
	atomic_bool kind_ok[NKINDS]; /* that reply's layout was as expected */
	pthread_mutex_t lock; /* the table */
	struct ptnode *table[NBUCKETS];
} pt = { .devfd = -1, .lock = PTHREAD_MUTEX_INITIALIZER };

static void decide(bool may, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void decide(bool may, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(pt.why, sizeof(pt.why), fmt, ap);
	va_end(ap);
	pt.may = may;
	pt.known = true;
}

/* -------------------------------------------------------------------------
 * Privileges: the kernel lets only CAP_SYS_ADMIN in the initial user
 * namespace register backing files. Unknown (no /proc): let the probe
 * after INIT tell.
 */
static bool in_initial_userns(void)
{
	struct stat st;

	return stat("/proc/self/ns/user", &st) != 0 ||
	       st.st_ino == INIT_USER_NS_INO;
}

static bool has_sys_admin(void)
{
	struct __user_cap_header_struct h = {
		.version = _LINUX_CAPABILITY_VERSION_3, .pid = 0
	};
	struct __user_cap_data_struct d[2];

	if (syscall(SYS_capget, &h, d))
		return true;
	return d[CAP_SYS_ADMIN / 32].effective & (1U << (CAP_SYS_ADMIN % 32));
}

int passthrough_check(const struct pshmfs_opts *o)
{
	const char *no = NULL;

	pt.mode = o->passthrough;
	for (int k = 0; k < NKINDS; k++)
		atomic_store(&pt.kind_ok[k], true);
	if (o->passthrough == PASSTHROUGH_OFF) {
		decide(false, "-o passthrough=off");
		return 0;
	}
	if (o->direct_io)
		no = "-o direct_io sends every read and write to the daemon";
	else if (o->max_bytes)
		no = "-o size= counts the pages that writes allocate, and "
		     "the daemon sees no write that passes through";
	else if (!has_sys_admin() || !in_initial_userns())
		no = "registering backing files needs CAP_SYS_ADMIN in the "
		     "initial user namespace";
	if (no && o->passthrough == PASSTHROUGH_ON) {
		log_err("passthrough=on: %s", no);
		return -1;
	}
	if (no)
		decide(false, "%s", no);
	else
		pt.may = true;
	return 0;
}

void passthrough_announce(void)
{
	if (!pt.known || pt.refused)
		return;
	if (atomic_load(&pt.active))
		log_msg(LOG_NOTICE, "passthrough: on: the kernel reads, writes "
				    "and maps open files' objects itself");
	else
		log_msg(LOG_NOTICE,
			"passthrough: off, copying through the daemon: %s",
			pt.why);
}

/* INIT is done: passthrough negotiated (NEGOTIATED) and probed (ERR from
 * registering a backing file, 0 if it worked). */
static void init_done(bool negotiated, int err)
{
	if (!atomic_load(&pt.offered))
		decide(false, "the kernel does not offer passthrough "
			      "(Linux >= 6.9 with CONFIG_FUSE_PASSTHROUGH)");
	else if (!negotiated)
		decide(false, "libfuse's INIT reply is not the one expected");
	else if (err)
		decide(false, "registering a backing file: %s", strerror(err));
	else
		decide(true, "on");
	atomic_store(&pt.active, pt.may);
	if (!atomic_load(&pt.active) && pt.mode == PASSTHROUGH_ON) {
		log_err("passthrough=on: %s", pt.why);
		pt.refused = true;
		fuse_session_exit(pt.se);
	}
}

#ifndef HAVE_FUSE_PASSTHROUGH_OPEN
/* -------------------------------------------------------------------------
 * The shim: the kernel protocol (include/uapi/linux/fuse.h), 7.40 and on.
 * The system's linux/fuse.h may be older: the layouts are spelled out
 * here, and checked against the sizes it does know.
 */
#define INIT_EXT (1U << 30)           /* FUSE_INIT_EXT, in flags */
#define WRITEBACK_CACHE (1U << 16)    /* FUSE_WRITEBACK_CACHE */
#define PASSTHROUGH_FLAGS2 (1U << 5)  /* FUSE_PASSTHROUGH (1 << 37) */
#define PASSTHROUGH_MINOR 40          /* the protocol that brought it */
#define KILLPRIV (1U << 19)           /* FUSE_HANDLE_KILLPRIV */
#define KILLPRIV_V2 (1U << 28)        /* FUSE_HANDLE_KILLPRIV_V2 */
#define OPEN_KILL_SUIDGID (1U << 0)   /* FUSE_OPEN_KILL_SUIDGID */
#define WRITE_KILL_SUIDGID (1U << 2)  /* FUSE_WRITE_KILL_SUIDGID */
#define OPEN_DIRECT_IO (1U << 0)      /* FOPEN_DIRECT_IO */
#define OPEN_KEEP_CACHE (1U << 1)     /* FOPEN_KEEP_CACHE */
#define OPEN_PASSTHROUGH (1U << 7)    /* FOPEN_PASSTHROUGH */

struct init_in {
	uint32_t major, minor, max_readahead, flags, flags2;
	uint32_t unused[11];
};

struct init_out {
	uint32_t major, minor, max_readahead, flags;
	uint16_t max_background, congestion_threshold;
	uint32_t max_write, time_gran;
	uint16_t max_pages, map_alignment;
	uint32_t flags2;
	uint32_t max_stack_depth;     /* unused[0] before 7.40 */
	uint16_t request_timeout;
	uint16_t unused[11];
};

struct open_in {
	uint32_t flags, open_flags;
};

struct write_in {
	uint64_t fh, offset;
	uint32_t size, write_flags;
	uint64_t lock_owner;
	uint32_t flags, padding;
};

struct open_out {
	uint64_t fh;
	uint32_t open_flags;
	int32_t backing_id;           /* padding before 7.40 */
};

struct backing_map {
	int32_t fd;
	uint32_t flags;
	uint64_t padding;
};

#define DEV_IOC_BACKING_OPEN _IOW(229, 1, struct backing_map)
#define DEV_IOC_BACKING_CLOSE _IOW(229, 2, uint32_t)

_Static_assert(sizeof(struct init_in) == sizeof(struct fuse_init_in),
	       "fuse_init_in");
_Static_assert(sizeof(struct init_out) == sizeof(struct fuse_init_out),
	       "fuse_init_out");
_Static_assert(sizeof(struct open_out) == sizeof(struct fuse_open_out),
	       "fuse_open_out");
_Static_assert(sizeof(struct open_in) == sizeof(struct fuse_open_in),
	       "fuse_open_in");
_Static_assert(sizeof(struct write_in) == sizeof(struct fuse_write_in),
	       "fuse_write_in");
_Static_assert(KILLPRIV_V2 == FUSE_HANDLE_KILLPRIV_V2 &&
	       OPEN_KILL_SUIDGID == FUSE_OPEN_KILL_SUIDGID &&
	       WRITE_KILL_SUIDGID == FUSE_WRITE_KILL_SUIDGID, "killpriv");
_Static_assert(DEV_IOC_BACKING_OPEN == 0x4010e501, "BACKING_OPEN");
_Static_assert(DEV_IOC_BACKING_CLOSE == 0x4004e502, "BACKING_CLOSE");

/* What this thread read last and is processing (and whether it asks to
 * clear set-id bits), and the backing id for the OPEN or CREATE reply it
 * is about to send. */
static _Thread_local struct {
	uint64_t unique;
	uint32_t opcode;
	bool kill_suidgid;
	int backing_id;
	bool patched;
} cur;

static void note_init(const struct fuse_in_header *in, size_t len)
{
	const struct init_in *arg = (const void *)(in + 1);

	if (len < sizeof(*in) + sizeof(*arg))
		return;
	if (arg->major == 7 && arg->minor >= PASSTHROUGH_MINOR &&
	    (arg->flags & INIT_EXT) && (arg->flags2 & PASSTHROUGH_FLAGS2))
		atomic_store(&pt.offered, true);
	if (arg->major == 7 && (arg->flags & KILLPRIV_V2))
		atomic_store(&pt.killpriv_offered, true);
}

/* Whether the OPEN or WRITE in IN (N bytes read) carries the kernel's
 * request to clear set-id bits, which libfuse 3.14 does not pass on. */
static bool asks_kill(const struct fuse_in_header *in, size_t n)
{
	const void *arg = in + 1;

	if (!atomic_load(&pt.killpriv))
		return false;
	if (in->opcode == FUSE_OPEN && n >= sizeof(*in) + sizeof(struct open_in))
		return ((const struct open_in *)arg)->open_flags &
		       OPEN_KILL_SUIDGID;
	if (in->opcode == FUSE_WRITE &&
	    n >= sizeof(*in) + sizeof(struct write_in))
		return ((const struct write_in *)arg)->write_flags &
		       WRITE_KILL_SUIDGID;
	return false;
}

static ssize_t hook_read(int fd, void *buf, size_t len, void *userdata)
{
	ssize_t n = read(fd, buf, len);
	const struct fuse_in_header *in = buf;

	(void)userdata;
	if (n < (ssize_t)sizeof(*in))
		return n;
	cur.unique = in->unique;
	cur.opcode = in->opcode;
	cur.kill_suidgid = asks_kill(in, (size_t)n);
	if (in->opcode == FUSE_INIT)
		note_init(in, (size_t)n);
	return n;
}

/* Register FD's file as a backing file: its id, or -errno. */
static int backing_open(int fd)
{
	struct backing_map map = { .fd = fd };
	int id = ioctl(pt.devfd, DEV_IOC_BACKING_OPEN, &map);

	if (id > 0)
		return id;
	return id < 0 ? -errno : -EPROTO;
}

static void backing_close(fuse_req_t req, int id)
{
	uint32_t arg = (uint32_t)id;

	(void)req;
	if (ioctl(pt.devfd, DEV_IOC_BACKING_CLOSE, &arg))
		log_debug("backing id %d: close: %s", id, strerror(errno));
}

/* Whether the kernel lets us register one: a memfd lives on a tmpfs as
 * the objects do. 0 or the errno. */
static int probe(void)
{
	int fd = memfd_create("pshmfs-passthrough-probe", MFD_CLOEXEC);
	int id, err;

	if (fd < 0)
		return errno;
	id = backing_open(fd);
	err = id < 0 ? -id : 0;
	if (id > 0)
		backing_close(NULL, id);
	close(fd);
	return err;
}

/* IOV is libfuse 3.14's INIT reply: header, then struct init_out. If
 * everything is as expected, copy it to COPY and ask there for passthrough
 * where the kernel offers it (max_stack_depth 1: the objects' tmpfs
 * stacks on nothing), and for FUSE_HANDLE_KILLPRIV_V2: the daemon clears
 * set-id bits when the kernel says (core_setattr's CORE_SET_KILL_SUIDGID).
 * Without it the kernel asks for security.capability at every write() of
 * a FUSE file, a round trip to the daemon per write even when the data
 * passes through (the superblock has no SB_NOSEC). Whether passthrough
 * was asked for. */
static bool patch_init(struct iovec *iov, int count, struct init_out *copy)
{
	const struct fuse_out_header *out = iov[0].iov_base;
	bool passthrough = atomic_load(&pt.offered);

	if (count != 2 || out->error || iov[1].iov_len != sizeof(*copy))
		return false;
	memcpy(copy, iov[1].iov_base, sizeof(*copy));
	if (copy->major != 7 || !(copy->flags & INIT_EXT) ||
	    (copy->flags & (WRITEBACK_CACHE | KILLPRIV_V2)) ||
	    copy->max_stack_depth || (copy->flags2 & PASSTHROUGH_FLAGS2))
		return false;
	if (passthrough) {
		copy->flags2 |= PASSTHROUGH_FLAGS2;
		copy->max_stack_depth = 1;
	}
	if (atomic_load(&pt.killpriv_offered)) {
		copy->flags = (copy->flags & ~KILLPRIV) | KILLPRIV_V2;
		atomic_store(&pt.killpriv, true);
	}
	iov[1].iov_base = copy;
	return passthrough;
}

static ssize_t write_init(int fd, struct iovec *iov, int count)
{
	struct init_out copy;
	bool patched = false;
	ssize_t n;
	int err = 0;

	if (pt.may)
		patched = patch_init(iov, count, &copy);
	n = writev(fd, iov, count);
	if (n < 0) {
		atomic_store(&pt.killpriv, false);
		return n;
	}
	/* The kernel has taken the reply: it says whether passthrough is
	 * on at once, and registering a backing file tells. */
	if (patched)
		err = probe();
	if (pt.may)
		init_done(patched, err);
	return n;
}

/* IOV is an OPEN reply (OFF 0) or a CREATE reply (OFF: the entry before
 * the open_out): pass it through cur.backing_id. */
static bool patch_open(struct iovec *iov, int count, size_t off, char *copy)
{
	const struct fuse_out_header *out = iov[0].iov_base;
	struct open_out oo;

	if (count != 2 || out->error ||
	    iov[1].iov_len != off + sizeof(struct open_out))
		return false;
	memcpy(copy, iov[1].iov_base, iov[1].iov_len);
	memcpy(&oo, copy + off, sizeof(oo));
	if ((oo.open_flags & (OPEN_DIRECT_IO | OPEN_PASSTHROUGH)) ||
	    oo.backing_id)
		return false;
	oo.open_flags &= ~OPEN_KEEP_CACHE;
	oo.open_flags |= OPEN_PASSTHROUGH;
	oo.backing_id = cur.backing_id;
	memcpy(copy + off, &oo, sizeof(oo));
	iov[1].iov_base = copy;
	return true;
}

static ssize_t hook_writev(int fd, struct iovec *iov, int count,
			   void *userdata)
{
	const struct fuse_out_header *out = iov[0].iov_base;
	char copy[sizeof(struct fuse_entry_out) + sizeof(struct open_out)];
	enum reply_kind k = cur.opcode == FUSE_OPEN ? KIND_OPEN : KIND_CREATE;
	size_t off = k == KIND_OPEN ? 0 : sizeof(struct fuse_entry_out);

	(void)userdata;
	if (count < 1 || iov[0].iov_len != sizeof(*out) ||
	    out->unique != cur.unique || !out->unique)
		return writev(fd, iov, count);
	if (cur.opcode == FUSE_INIT)
		return write_init(fd, iov, count);
	if (cur.backing_id <= 0 || !atomic_load(&pt.kind_ok[k]) ||
	    (cur.opcode != FUSE_OPEN && cur.opcode != FUSE_CREATE))
		return writev(fd, iov, count);
	cur.patched = patch_open(iov, count, off, copy);
	if (!cur.patched && !out->error &&
	    atomic_exchange(&pt.kind_ok[k], false))
		log_info("passthrough: libfuse's %s reply is not the one "
			 "expected: copying",
			 k == KIND_OPEN ? "OPEN" : "CREATE");
	return writev(fd, iov, count);
}

static const struct fuse_custom_io shim_io = {
	.read = hook_read,
	.writev = hook_writev,
};

/* Answer the INIT that the kernel sent at mount, here and now. */
static void serve_init(struct fuse_session *se)
{
	struct fuse_buf buf = { .mem = NULL };
	int res = fuse_session_receive_buf(se, &buf);

	if (res > 0)
		fuse_session_process_buf(se, &buf);
	free(buf.mem);
	if (!pt.known && !fuse_session_exited(se))
		decide(false, "no INIT came from the kernel");
	if (res <= 0 && pt.mode == PASSTHROUGH_ON && !pt.refused) {
		log_err("passthrough=on: %s", pt.why);
		pt.refused = true;
	}
}

int passthrough_start(struct fuse_session *se)
{
	int err;

	pt.se = se;
	pt.devfd = fuse_session_fd(se);
	if (!pt.may)
		return 0;
	err = fuse_session_custom_io(se, &shim_io, pt.devfd);
	if (err) {
		decide(false, "fuse_session_custom_io: %s", strerror(-err));
		if (pt.mode == PASSTHROUGH_ON) {
			log_err("passthrough=on: %s", pt.why);
			return -1;
		}
		return 0;
	}
	serve_init(se);
	return pt.refused ? -1 : 0;
}

void passthrough_init(struct fuse_conn_info *conn)
{
	(void)conn;
}

bool passthrough_kill_suidgid(void)
{
	return cur.kill_suidgid;
}

static int reply_plain(fuse_req_t req, const struct fuse_entry_param *e,
		       struct fuse_file_info *fi)
{
	return e ? fuse_reply_create(req, e, fi) : fuse_reply_open(req, fi);
}

/* Send the reply with BACKING_ID (0: plain); whether the kernel got it
 * passed through. */
static int reply_with(fuse_req_t req, const struct fuse_entry_param *e,
		      struct fuse_file_info *fi, int backing_id, bool *passed)
{
	int ret;

	cur.backing_id = backing_id;
	cur.patched = false;
	ret = reply_plain(req, e, fi);
	*passed = cur.patched;
	cur.backing_id = 0;
	return ret;
}

#else /* HAVE_FUSE_PASSTHROUGH_OPEN: libfuse >= 3.17 */

static int backing_open_req(fuse_req_t req, int fd)
{
	int id = fuse_passthrough_open(req, fd);

	return id > 0 ? id : -EPERM;
}

static void backing_close(fuse_req_t req, int id)
{
	fuse_passthrough_close(req, id);
}

int passthrough_start(struct fuse_session *se)
{
	struct fuse_buf buf = { .mem = NULL };
	int res;

	pt.se = se;
	pt.devfd = fuse_session_fd(se);
	if (!pt.may)
		return 0;
	res = fuse_session_receive_buf(se, &buf);
	if (res > 0)
		fuse_session_process_buf(se, &buf);
	free(buf.mem);
	return pt.refused ? -1 : 0;
}

void passthrough_init(struct fuse_conn_info *conn)
{
	bool on = false;

	if (pt.may && (conn->capable & FUSE_CAP_PASSTHROUGH)) {
		atomic_store(&pt.offered, true);
		conn->want |= FUSE_CAP_PASSTHROUGH;
		conn->max_backing_stack_depth = 0;
		on = true;
	}
	/* Registering is tried at the first open: libfuse asks for a
	 * request to register with. */
	if (pt.may)
		init_done(on, 0);
}

/* libfuse >= 3.17 does not pass FUSE_WRITE_KILL_SUIDGID or
 * FUSE_OPEN_KILL_SUIDGID on either: FUSE_HANDLE_KILLPRIV_V2 is not asked
 * for, and the kernel keeps its own rules. */
bool passthrough_kill_suidgid(void)
{
	return false;
}

static int reply_with(fuse_req_t req, const struct fuse_entry_param *e,
		      struct fuse_file_info *fi, int backing_id, bool *passed)
{
	fi->backing_id = backing_id;
	if (backing_id > 0)
		fi->keep_cache = 0;
	*passed = backing_id > 0;
	return e ? fuse_reply_create(req, e, fi) : fuse_reply_open(req, fi);
}
#endif

/* -------------------------------------------------------------------------
 * The bookkeeping: which nodes have open files, in which mode.
 */
static struct ptnode **slot(const struct node *n)
{
	uintptr_t h = (uintptr_t)n;

	h ^= h >> 17;
	h *= 0x9E3779B97F4A7C15ULL;
	return &pt.table[(h >> 32) % NBUCKETS];
}

static struct ptnode *find(const struct node *n, struct ptnode ***at)
{
	struct ptnode **p = slot(n);

	while (*p && (*p)->n != n)
		p = &(*p)->next;
	if (at)
		*at = p;
	return *p;
}

/* One more open file of node N, whose object is open on FD: the backing
 * id it goes through (0: copied), or -ENOMEM. The first open decides for
 * them all: a backing file registered, or, if that fails, copies until
 * the node's open files are all closed. */
static int file_begin(fuse_req_t req, const struct node *n, int fd)
{
	struct ptnode **at, *p;
	int id;

	pthread_mutex_lock(&pt.lock);
	p = find(n, &at);
	if (!p) {
		p = calloc(1, sizeof(*p));
		if (!p) {
			pthread_mutex_unlock(&pt.lock);
			return -ENOMEM;
		}
		p->n = n;
#ifdef HAVE_FUSE_PASSTHROUGH_OPEN
		id = backing_open_req(req, fd);
#else
		(void)req;
		id = backing_open(fd);
#endif
		if (id < 0)
			log_debug("passthrough: node %p: %s: copying",
				  (const void *)n, strerror(-id));
		p->backing_id = id > 0 ? id : 0;
		*at = p;
	}
	p->files++;
	id = p->backing_id;
	pthread_mutex_unlock(&pt.lock);
	return id;
}

/* One open file of node N fewer; the node's last gives its backing file
 * back. */
static void file_end(fuse_req_t req, const struct node *n)
{
	struct ptnode **at, *p;

	pthread_mutex_lock(&pt.lock);
	p = find(n, &at);
	if (p && --p->files == 0) {
		*at = p->next;
		if (p->backing_id)
			backing_close(req, p->backing_id);
		free(p);
	}
	pthread_mutex_unlock(&pt.lock);
}

/* An open file of node N went out plain although the node's files pass
 * through (the reply was not as expected): if it is the node's only one,
 * the node's files are copied from now on. (If not, the kernel fails that
 * open with EIO, and releases it.) */
static void file_sent_plain(fuse_req_t req, const struct node *n)
{
	struct ptnode *p;

	pthread_mutex_lock(&pt.lock);
	p = find(n, NULL);
	if (p && p->files == 1 && p->backing_id) {
		backing_close(req, p->backing_id);
		p->backing_id = 0;
	}
	pthread_mutex_unlock(&pt.lock);
}

int passthrough_reply(fuse_req_t req, const struct node *n, int fd,
		      const struct fuse_entry_param *e,
		      struct fuse_file_info *fi)
{
	bool passed;
	int id, ret;

	if (!atomic_load(&pt.active))
		return e ? fuse_reply_create(req, e, fi)
			 : fuse_reply_open(req, fi);
	id = file_begin(req, n, fd);
	if (id < 0) {
		fuse_reply_err(req, -id);
		return id;
	}
	/* No data in the kernel's cache of a passed-through file. */
	if (id)
		fi->keep_cache = 0;
	ret = reply_with(req, e, fi, id, &passed);
	if (ret)
		file_end(req, n);
	else if (id && !passed)
		file_sent_plain(req, n);
	return ret;
}

void passthrough_release(fuse_req_t req, const struct node *n)
{
	if (atomic_load(&pt.active))
		file_end(req, n);
}

int passthrough_remount_check(uint64_t max_bytes, char *msg, size_t len)
{
	if (!max_bytes || !atomic_load(&pt.active))
		return 0;
	snprintf(msg, len, "size=%" PRIu64 ": this mount passes data through "
		 "and cannot count writes (mount with size= or passthrough=off)",
		 max_bytes);
	return EINVAL;
}
