/** @file
 * pshmfs's own mount options (beside libfuse's): one struct, one table.
 */
#ifndef PSHMFS_OPTS_H
#define PSHMFS_OPTS_H

#include <stdint.h>
#include <stdio.h>
#include <sys/types.h>

struct fuse_args;

/* How long the kernel may keep attributes and names by default, in
 * seconds. The inotify thread (watch.c) drops what other programs change
 * long before; the timeout bounds what no event reports (the times after
 * stores through a mapping). */
#define DEFAULT_CACHE_TIMEOUT 1.0

/* spin=: see loop.c. */
#define SPIN_DEFAULT_US 50
#define SPIN_MAX_US 10000

/* passthrough=: see src/fuse/passthrough.h. */
enum { PASSTHROUGH_AUTO, PASSTHROUGH_ON, PASSTHROUGH_OFF };

struct pshmfs_opts {
	char *prefix;        /* objects /PREFIX...; "" for all */
	char *delim_s;       /* delim=, as text */
	char delim;          /* folds names into directories; '\0': flat */
	char *mode;          /* the root directory's, as text */
	unsigned root_mode;
	int uid_set, gid_set;
	unsigned uid, gid;   /* the root directory's owner */
	int direct_io;
	char *passthrough_s; /* passthrough=, as text */
	int passthrough;     /* PASSTHROUGH_AUTO, _ON or _OFF */
	double attr_timeout;
	double entry_timeout;
	char *size;          /* size=, as text */
	char *nr_inodes;     /* nr_inodes=, as text */
	char *spin;          /* spin=, as text */
	long spin_us;        /* how long loop.c polls before it sleeps */
	uint64_t max_bytes;  /* 0: the tmpfs's own limit only */
	uint64_t max_objects;
};

/* Take our options out of ARGS into O and check them. Prints a message
 * and returns -1 on a bad value. */
int opts_parse(struct fuse_args *args, struct pshmfs_opts *o);

/* Our options, for --help. */
void opts_help(FILE *f);

void opts_free(struct pshmfs_opts *o);

#endif
