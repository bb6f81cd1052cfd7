/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * Who maps or holds what: the mappings (/proc/PID/maps) and open
 * descriptors (/proc/PID/fd) of every process, kept when they are of a
 * regular file on the shm directory's device. Files are known by inode on
 * that device, not by name, so an object unlinked and a new one under the
 * same name are told apart; the path is read only for the name of an
 * object that has none any more ("/dev/shm/NAME (deleted)"). The
 * attributes of such an object come from stat of /proc/PID/fd/N or of
 * /proc/PID/map_files/START-END (which needs CAP_CHECKPOINT_RESTORE or
 * CAP_SYS_ADMIN). A process whose maps or descriptors we may not read is
 * counted, never guessed at; kernel threads hold nothing and are skipped.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "pshm.h"
#include "shmobj.h"

/* The flag of a kernel thread in /proc/PID/stat (linux/sched.h). */
#define PF_KTHREAD 0x00200000UL

/* What the kernel appends to the path of an unlinked file. */
static const char deleted_tag[] = " (deleted)";

/* One process being scanned. */
struct proc {
	int procfd; /* /proc */
	const char *pid; /* its directory name */
	pid_t id;
	char comm[17];
	dev_t dev; /* the shm directory's device */
	bool denied;
};

/* Read the small file PID/WHAT into BUF (NUL-ended): length or -errno. */
static ssize_t read_small(const struct proc *p, const char *what, char *buf,
			  size_t size)
{
	char path[64];
	ssize_t n;
	int fd, err;

	snprintf(path, sizeof(path), "%s/%s", p->pid, what);
	fd = openat(p->procfd, path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	n = read(fd, buf, size - 1);
	err = errno;
	close(fd);
	if (n < 0)
		return -err;
	buf[n] = '\0';
	return n;
}

/* A kernel thread? Its flags are the 9th field of PID/stat, the 7th after
 * the command, which is in parentheses and may hold anything. */
static bool is_kthread(const struct proc *p)
{
	char buf[1024], *s;
	unsigned long flags;

	if (read_small(p, "stat", buf, sizeof(buf)) < 0)
		return false;
	s = strrchr(buf, ')');
	if (!s || sscanf(s + 1, " %*c %*d %*d %*d %*d %*d %lu", &flags) != 1)
		return false;
	return flags & PF_KTHREAD;
}

static void read_comm(struct proc *p)
{
	ssize_t n = read_small(p, "comm", p->comm, sizeof(p->comm));

	if (n <= 0)
		strcpy(p->comm, "?");
	else if (p->comm[n - 1] == '\n')
		p->comm[n - 1] = '\0';
}

/* The object name in PATH ("/dev/shm/NAME", " (deleted)" after it once
 * unlinked): a copy in *NAME, or NULL when PATH names no object of the shm
 * directory. In maps a '\n' in a path is written "\012" (MAPS). */
static int path_name(const char *path, bool maps, char **name, bool *deleted)
{
	static const char dir[] = SHM_DIR "/";
	size_t len = strlen(path), tag = sizeof(deleted_tag) - 1;
	char *n, *r, *w;

	*name = NULL;
	*deleted = len > tag && !strcmp(path + len - tag, deleted_tag);
	if (strncmp(path, dir, sizeof(dir) - 1))
		return 0;
	path += sizeof(dir) - 1;
	len -= sizeof(dir) - 1 + (*deleted ? tag : 0);
	n = strndup(path, len);
	if (!n)
		return ENOMEM;
	for (r = w = n; *r; w++) {
		if (maps && !strncmp(r, "\\012", 4)) {
			*w = '\n';
			r += 4;
		} else {
			*w = *r++;
		}
	}
	*w = '\0';
	if (!*n || strchr(n, '/'))
		free(n);
	else
		*name = n;
	return 0;
}

static int add(struct holds *h, const struct hold *x)
{
	struct hold *v;

	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 32;
		v = realloc(h->v, h->cap * sizeof(*v));
		if (!v)
			return ENOMEM;
		h->v = v;
	}
	h->v[h->n++] = *x;
	return 0;
}

/* Open PID/WHAT; a refusal for want of permission marks P denied. */
static int open_proc(struct proc *p, const char *what, int flags)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "%s/%s", p->pid, what);
	fd = openat(p->procfd, path, flags | O_RDONLY | O_CLOEXEC);
	if (fd < 0 && (errno == EACCES || errno == EPERM))
		p->denied = true;
	return fd;
}

/* A hold of P, with its name taken from PATH. */
static int hold_of(const struct proc *p, struct hold *x, const char *path,
		   bool maps)
{
	x->pid = p->id;
	memcpy(x->comm, p->comm, sizeof(x->comm));
	return path_name(path, maps, &x->name, &x->deleted);
}

/* One line of maps: "START-END PERMS OFFSET MAJ:MIN INODE   PATH". */
static int map_line(struct proc *p, char *line, struct holds *h)
{
	struct hold x = { .fd = -1 };
	unsigned maj, min;
	unsigned long ino;
	char path[64];
	int pos = 0, err;

	if (sscanf(line, "%lx-%lx %4s %lx %x:%x %lu %n", &x.start, &x.end,
		   x.perms, &x.offset, &maj, &min, &ino, &pos) < 7 || !pos)
		return 0;
	if (makedev(maj, min) != p->dev || line[pos] != '/')
		return 0;
	x.ino = (ino_t)ino;
	line[strcspn(line, "\n")] = '\0';
	err = hold_of(p, &x, line + pos, true);
	if (!err && x.deleted) {
		/* An unlinked object has only this to show its size by. */
		snprintf(path, sizeof(path), "%s/map_files/%lx-%lx", p->pid,
			 x.start, x.end);
		x.have_st = !fstatat(p->procfd, path, &x.st, 0) &&
			    x.st.st_ino == x.ino;
	}
	if (!err)
		err = add(h, &x);
	if (err)
		free(x.name);
	return err;
}

static int scan_maps(struct proc *p, struct holds *h)
{
	int fd = open_proc(p, "maps", 0), err = 0;
	size_t cap = 0;
	char *line = NULL;
	FILE *f;

	if (fd < 0)
		return 0;
	f = fdopen(fd, "r");
	if (!f) {
		err = errno;
		close(fd);
		return err;
	}
	while (!err && getline(&line, &cap, f) > 0)
		err = map_line(p, line, h);
	free(line);
	fclose(f);
	return err;
}

/* One descriptor, D in PID/fd (DFD): kept if it is of a regular file on
 * the shm device. */
static int fd_entry(struct proc *p, int dfd, const char *d, struct holds *h)
{
	struct hold x = { 0 };
	char path[PATH_MAX];
	ssize_t n;
	int err;

	if (fstatat(dfd, d, &x.st, 0) || x.st.st_dev != p->dev ||
	    !S_ISREG(x.st.st_mode))
		return 0;
	n = readlinkat(dfd, d, path, sizeof(path) - 1);
	if (n < 0)
		return 0;
	path[n] = '\0';
	x.fd = atoi(d);
	x.ino = x.st.st_ino;
	x.have_st = true;
	err = hold_of(p, &x, path, false);
	if (!err)
		err = add(h, &x);
	if (err)
		free(x.name);
	return err;
}

static int scan_fds(struct proc *p, struct holds *h)
{
	int fd = open_proc(p, "fd", O_DIRECTORY), err = 0;
	struct dirent *d;
	DIR *dp;

	if (fd < 0)
		return 0;
	dp = fdopendir(fd);
	if (!dp) {
		err = errno;
		close(fd);
		return err;
	}
	while (!err && (d = readdir(dp)))
		if (d->d_name[0] != '.')
			err = fd_entry(p, dirfd(dp), d->d_name, h);
	closedir(dp);
	return err;
}

static int scan_proc(struct proc *p, struct holds *h)
{
	int err;

	if (is_kthread(p))
		return 0;
	read_comm(p);
	p->denied = false;
	err = scan_maps(p, h);
	if (!err)
		err = scan_fds(p, h);
	if (p->denied)
		h->denied++;
	return err;
}

static int hold_cmp(const void *a, const void *b)
{
	const struct hold *x = a, *y = b;

	if (x->ino != y->ino)
		return x->ino < y->ino ? -1 : 1;
	if (x->pid != y->pid)
		return x->pid < y->pid ? -1 : 1;
	if (x->fd != y->fd)
		return x->fd < y->fd ? -1 : 1;
	return x->start < y->start ? -1 : x->start > y->start;
}

/* Is NAME a process's directory? */
static bool is_pid(const char *name, pid_t *id)
{
	char *end;
	long v;

	if (name[0] < '1' || name[0] > '9')
		return false;
	v = strtol(name, &end, 10);
	*id = (pid_t)v;
	return !*end && v > 0 && v <= INT_MAX;
}

int holds_scan(dev_t dev, struct holds *h)
{
	struct proc p = { .dev = dev };
	pid_t self = getpid();
	struct dirent *d;
	DIR *dp;
	int err = 0;

	memset(h, 0, sizeof(*h));
	dp = opendir("/proc");
	if (!dp)
		return errno;
	p.procfd = dirfd(dp);
	while (!err && (errno = 0, d = readdir(dp))) {
		if (!is_pid(d->d_name, &p.id) || p.id == self)
			continue;
		p.pid = d->d_name;
		err = scan_proc(&p, h);
	}
	if (!err && errno)
		err = errno;
	closedir(dp);
	if (err)
		holds_free(h);
	else if (h->n)
		qsort(h->v, h->n, sizeof(*h->v), hold_cmp);
	return err;
}

void holds_free(struct holds *h)
{
	size_t i;

	for (i = 0; i < h->n; i++)
		free(h->v[i].name);
	free(h->v);
	memset(h, 0, sizeof(*h));
}

size_t holds_of(const struct holds *h, ino_t ino, size_t *first)
{
	size_t lo = 0, hi = h->n, n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (h->v[mid].ino < ino)
			lo = mid + 1;
		else
			hi = mid;
	}
	*first = lo;
	for (n = 0; lo + n < h->n && h->v[lo + n].ino == ino; n++)
		;
	return n;
}

unsigned holds_procs(const struct holds *h, size_t first, size_t n)
{
	unsigned procs = 0;
	size_t i;

	for (i = first; i < first + n; i++)
		if (i == first || h->v[i].pid != h->v[i - 1].pid)
			procs++;
	return procs;
}

void holds_warn(const struct holds *h)
{
	if (h->denied)
		fprintf(stderr, "pshm: %u process%s could not be read "
			"(permission)\n", h->denied,
			h->denied == 1 ? "" : "es");
}
