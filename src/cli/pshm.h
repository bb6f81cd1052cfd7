/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * pshm's own declarations, shared by its files: main.c (the command line,
 * messages, the table of verbs), verbs.c (the verbs that act on objects by
 * name), guard.c (the SIGBUS guard of copies into mappings), table.c (the
 * libsmartcols output of ls and who), ls.c (the ls and who verbs) and
 * procs.c (who maps or holds what, from /proc).
 *
 * Exit status of every verb: 0 success, 1 failure (a verb with several
 * names goes on past a failure), 2 usage error.
 */
#ifndef PSHM_CLI_H
#define PSHM_CLI_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "names.h"

#define EXIT_USAGE 2

/* A checked object name: "/" NAME, as shm_open() takes it. */
struct shmname {
	char path[SHM_NAME_MAX + 2];
};

/* ---- main.c ---- */

/* Print "pshm: MESSAGE" and the usage to standard error; exit 2. */
__attribute__((noreturn, format(printf, 1, 2)))
void usage_error(const char *fmt, ...);

/* "pshm: /NAME: strerror (WHY)", the coreutils form. Returns 1. */
int fail_name(const char *name, int err, const char *why);
int fail(const struct shmname *n, int err);

/* ARG without its optional leading '/'. */
const char *bare_name(const char *arg);

/* Check ARG as shm_open() would (names_check_object) and fill N; on
 * failure print why and return 1. */
int name_get(const char *arg, struct shmname *n);

/* Parse a SIZE (coreutils syntax) or an octal MODE argument; on failure
 * print why ("pshm: invalid size: 'X'") and return 1. */
int size_get(const char *arg, off_t *out);
int mode_get(const char *arg, mode_t *out);

/* A long option every verb takes. */
#define HELP_OPTION { "help", no_argument, NULL, 'h' }

/* Next option of verb ARGV[0]: OPTS in getopt syntax, LONGOPTS (ending
 * with HELP_OPTION and a zero entry) or NULL for --help alone; -1 at the
 * end. Options may follow operands (getopt moves the operands to the end)
 * unless OPTS begins with '+'. Unknown options and missing arguments are
 * usage errors; --help prints the help and exits 0. */
struct option;
int next_opt(int argc, char **argv, const char *opts,
	     const struct option *longopts);

/* Take the options of a verb that has none (OPTS: "" or "+", as for
 * next_opt), then check that MIN..MAX operands remain (MAX -1: no limit);
 * they start at argv[optind]. */
void operands(int argc, char **argv, const char *opts, int min, int max);

/* Check that MIN..MAX operands follow the options (MAX -1: no limit). */
void operand_count(int argc, char **argv, int min, int max);

/* ---- verbs ---- */

int verb_create(int argc, char **argv);
int verb_write(int argc, char **argv);
int verb_read(int argc, char **argv);
int verb_unlink(int argc, char **argv);
int verb_stat(int argc, char **argv);
int verb_truncate(int argc, char **argv);
int verb_chmod(int argc, char **argv);
int verb_ls(int argc, char **argv);
int verb_who(int argc, char **argv);

/* The column lists of ls and who, for --help. */
void ls_help_columns(FILE *f);

/* ---- table.c: formats shared by stat, ls and who ---- */

/* "-rw-r--r--", with set-id and sticky bits as ls(1) shows them. */
void fmt_mode(mode_t m, char out[11]);

/* The name of user UID (group GID), or its number when it has none; the
 * result is in BUF or in static storage of getpwuid(3). */
const char *fmt_user(uid_t uid, char buf[24]);
const char *fmt_group(gid_t gid, char buf[24]);

/* ---- guard.c ---- */

/* Install the SIGBUS guard of copies into mappings: 0 or errno. */
int guard_init(void);

/* memcpy into a mapping of an object, surviving the object shrinking
 * under it: 0, or EIO when the copy hit a page past the object's end. */
int guard_copy_in(void *dst, const void *src, size_t n);

/* ---- procs.c ---- */

/* One mapping or open descriptor of a file of the shm directory's file
 * system, by one process. */
struct hold {
	pid_t pid;
	char comm[17];
	ino_t ino;
	int fd; /* -1: a mapping */
	unsigned long start, end, offset; /* a mapping's range */
	char perms[5]; /* a mapping's "rw-s" */
	char *name; /* the object's name from the path, or NULL if none */
	bool deleted; /* the path says "(deleted)" */
	bool have_st; /* st holds the file's attributes */
	struct stat st;
};

struct holds {
	struct hold *v; /* sorted by inode, then pid */
	size_t n, cap;
	unsigned denied; /* processes that could not be read (permission) */
};

/* Find every mapping and descriptor of a regular file on device DEV (the
 * shm directory's) in the processes of /proc, other than our own. What
 * cannot be read for want of permission is counted in H->denied. Returns
 * 0 or errno (the scan itself failed; H is then empty). */
int holds_scan(dev_t dev, struct holds *h);
void holds_free(struct holds *h);

/* The holds of inode INO: *FIRST (an index into H->v) and their count. */
size_t holds_of(const struct holds *h, ino_t ino, size_t *first);

/* How many distinct processes are among the N holds from FIRST. */
unsigned holds_procs(const struct holds *h, size_t first, size_t n);

/* Say on standard error how many processes could not be read, if any. */
void holds_warn(const struct holds *h);

#endif
