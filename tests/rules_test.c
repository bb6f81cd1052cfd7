/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * Unit tests of the core's permission and sticky rules (src/core/core.c)
 * and of the operations that apply them, without a mount. As root, every
 * answer of core_permission() over a matrix of modes, roles and access
 * masks is held against the kernel's own: faccessat(AT_EACCESS) in a
 * child process running as that role, on real objects in /dev/shm. Also
 * as root: removals run with the caller's file system ids, so the shm
 * directory's sticky bit judges them; the sticky rule of the mount's
 * directories for rmdir and rename; and a directory moved to another
 * parent needs write permission on itself.
 */
#include "config.h"

#include <errno.h>
#include <grp.h>
#include <sys/wait.h>

#include "core_test.h"

static struct core c;

/* Roles on objects owned by OWNER:GROUP. */
#define OWNER 40001
#define GROUP 40001
static const struct {
	const char *name;
	uid_t uid;
	gid_t gid, extra; /* EXTRA: a supplementary group, or 0 */
} roles[] = {
	{ "owner", OWNER, GROUP, 0 },
	{ "group", 40002, GROUP, 0 },
	{ "supplementary group", 40003, 40004, GROUP },
	{ "other", 40005, 40005, 0 },
};
static const mode_t modes[] = { 0, 0400, 0200, 0100, 0040, 0020, 0010,
				0004, 0002, 0001, 0644, 0755, 0750, 0705,
				0070, 0007, 0777 };
#define NMODES (sizeof(modes) / sizeof(modes[0]))
#define NMASKS 7 /* 1..7: X_OK, W_OK, R_OK and their unions */

static void test_hand(void)
{
	struct stat st = { .st_mode = S_IFREG | 0640, .st_uid = 10, .st_gid = 20 };
	gid_t groups[] = { 30, 20 };
	struct caller owner = { 10, 99, NULL, 0, 0 }, member = { 11, 20, NULL, 0, 0 };
	struct caller supp = { 12, 99, groups, 2, 0 }, other = { 13, 99, NULL, 0, 0 };
	struct caller root = { 0, 0, NULL, 0, 0 };
	struct stat dir = { .st_mode = S_IFDIR | 01777, .st_uid = 10 };

	is_int(core_permission(&owner, &st, R_OK | W_OK), 0, "permission: the owner reads and writes");
	is_int(core_permission(&owner, &st, X_OK), EACCES, "permission: the owner may not run it");
	is_int(core_permission(&member, &st, R_OK), 0, "permission: the group reads");
	is_int(core_permission(&member, &st, W_OK), EACCES, "permission: the group may not write");
	is_int(core_permission(&supp, &st, R_OK), 0, "permission: a supplementary group counts");
	is_int(core_permission(&other, &st, R_OK), EACCES, "permission: others nothing");
	is_int(core_permission(&root, &st, R_OK | W_OK), 0, "permission: root reads and writes");
	is_int(core_permission(&root, &st, X_OK), EACCES, "permission: root runs nothing no one may");
	st.st_mode = S_IFDIR | 0;
	is_int(core_permission(&root, &st, X_OK), 0, "permission: root searches any directory");
	st.st_mode = S_IFREG | 0070;
	is_int(core_permission(&owner, &st, R_OK), EACCES,
	       "permission: the owner's bits decide for the owner, not the group's");
	is_int(core_sticky(&owner, &dir, 55), 0, "sticky: the directory's owner removes anything");
	is_int(core_sticky(&other, &dir, 13), 0, "sticky: an entry's owner removes it");
	is_int(core_sticky(&other, &dir, 55), EPERM, "sticky: others may not");
	is_int(core_sticky(&root, &dir, 55), 0, "sticky: root may");
	dir.st_mode = S_IFDIR | 0777;
	is_int(core_sticky(&other, &dir, 55), 0, "sticky: no sticky bit, no rule");
}

/* In a child running as role R: may it do each mask to each object?
 * One byte an answer, written to FD. */
static void child_answers(int dirfd, int r, int fd)
{
	gid_t g = roles[r].extra;
	char name[SHM_NAME_MAX + 1], a;

	if (setgroups(g ? 1 : 0, &g) || setresgid(roles[r].gid, roles[r].gid, roles[r].gid) ||
	    setresuid(roles[r].uid, roles[r].uid, roles[r].uid))
		_exit(2);
	for (size_t m = 0; m < NMODES; m++)
		for (int mask = 1; mask <= NMASKS; mask++) {
			snprintf(name, sizeof(name), "%sm%zu", P, m);
			a = faccessat(dirfd, name, mask, AT_EACCESS) == 0 ? 'y' : 'n';
			if (write(fd, &a, 1) != 1)
				_exit(3);
		}
	_exit(0);
}

static void test_matrix(void)
{
	char name[SHM_NAME_MAX + 1], answers[NMODES * NMASKS];
	struct stat st[NMODES];
	int p[2], status, fd;
	size_t got;
	ssize_t n;
	pid_t pid;

	for (size_t m = 0; m < NMODES; m++) {
		snprintf(name, sizeof(name), "%sm%zu", P, m);
		fd = openat(c.dirfd, name, O_CREAT | O_EXCL | O_RDWR | O_CLOEXEC, 0);
		if (fd < 0 || fchown(fd, OWNER, GROUP) || fchmod(fd, modes[m]) ||
		    fstat(fd, &st[m]))
			diag("cannot make %s: %s", name, strerror(errno));
		close(fd);
	}
	for (int r = 0; r < 4; r++) {
		struct caller who = { roles[r].uid, roles[r].gid, &roles[r].extra,
				      roles[r].extra ? 1 : 0, 0 };

		if (pipe(p) || (pid = fork()) < 0)
			return;
		if (pid == 0) {
			close(p[0]);
			child_answers(c.dirfd, r, p[1]);
		}
		close(p[1]);
		got = 0;
		while (got < sizeof(answers) &&
		       (n = read(p[0], answers + got, sizeof(answers) - got)) > 0)
			got += (size_t)n;
		ok(got == sizeof(answers) && waitpid(pid, &status, 0) == pid &&
		   status == 0,
		   "matrix: the kernel's answers for the %s", roles[r].name);
		close(p[0]);
		for (size_t m = 0; m < NMODES; m++)
			for (int mask = 1; mask <= NMASKS; mask++) {
				bool kernel = answers[m * NMASKS + (size_t)mask - 1] == 'y';
				bool core = core_permission(&who, &st[m], mask) == 0;

				ok(kernel == core, "permission: %s, mode %04o, %s%s%s: %s as the kernel",
				   roles[r].name, modes[m], mask & R_OK ? "r" : "",
				   mask & W_OK ? "w" : "", mask & X_OK ? "x" : "",
				   core ? "yes" : "no");
			}
	}
}

static void test_ops(void)
{
	struct caller a = { OWNER, GROUP, NULL, 0, 0 }, b = { 40005, 40005, NULL, 0, 0 };
	struct node *root = &c.nodes.root;
	struct core_entry e, d, q, r;

	core_create(&c, &a, root, "afile", 0644, O_EXCL, false, &e);
	is_int(e.st.st_uid, OWNER, "as root: a new object is the caller's");
	is_int(core_unlink(&c, &b, root, "afile"), EPERM,
	       "unlink of another's object: the shm directory's sticky bit says EPERM");
	is_int(core_unlink(&c, &a, root, "afile"), 0, "unlink of one's own");
	core_forget(&c, e.n, 1);
	core_mkdir(&c, &a, root, "adir", 0755, &d);
	is_int(core_rmdir(&c, &b, root, "adir"), EPERM,
	       "rmdir of another's directory in the sticky root: EPERM");
	is_int(core_rename(&c, &b, root, "adir", root, "bdir", 0), EPERM,
	       "rename of another's directory in the sticky root: EPERM");
	core_mkdir(&c, &a, root, "ro", 0555, &q);
	core_mkdir(&c, &a, root, "pub", 0777, &r);
	is_int(core_rename(&c, &a, root, "ro", r.n, "ro", 0), EACCES,
	       "a directory to another parent needs write permission on itself");
	is_int(core_rename(&c, &a, root, "ro", root, "ro2", 0), 0,
	       "within its parent it does not");
	is_int(core_rename(&c, &a, root, "adir", r.n, "adir", 0), 0,
	       "a writable directory moves to another parent");
	is_int(core_rmdir(&c, &a, r.n, "adir"), 0, "its owner removes it");
	is_int(core_rmdir(&c, &a, root, "ro2"), 0, "and the other");
	is_int(core_rmdir(&c, &a, root, "pub"), 0, "and the third");
	for (struct node *n[] = { d.n, q.n, r.n }, **p = n; p < n + 3; p++)
		core_forget(&c, *p, 1);
}

/* Make object NAME as root with group GROUP and MODE; its mode after a
 * CORE_SET_KILL_SUIDGID setattr (VALID more) by WHO. */
static mode_t killed(const char *name, mode_t mode, const struct caller *who,
		     int valid)
{
	struct caller root = { 0, 0, NULL, 0, 0 };
	struct stat attr = { .st_uid = (uid_t)-1, .st_gid = GROUP }, st;
	struct core_entry e;
	mode_t got;

	if (core_create(&c, &root, &c.nodes.root, name, 0600, O_EXCL, false, &e))
		return (mode_t)-1;
	attr.st_mode = mode;
	core_setattr(&c, &root, e.n, &attr, CORE_SET_GID, &st);
	core_setattr(&c, &root, e.n, &attr, CORE_SET_MODE, &st);
	core_setattr(&c, who, e.n, &attr, CORE_SET_KILL_SUIDGID | valid, &st);
	got = st.st_mode & 07777;
	core_unlink(&c, &root, &c.nodes.root, name);
	core_forget(&c, e.n, 1);
	return got;
}

/* The set-id bits a write or truncate by a caller without CAP_FSETID
 * takes, as the kernel does on tmpfs (setattr_should_drop_suidgid). */
static void test_setid(void)
{
	gid_t g[] = { GROUP };
	struct caller member = { 40002, GROUP, NULL, 0, 0 };
	struct caller supp = { 40003, 40004, g, 1, 0 };
	struct caller other = { 40005, 40005, NULL, 0, 0 };

	is_int(killed("s1", 04777, &member, 0), 0777, "kill: set-user-ID goes");
	is_int(killed("s2", 02777, &member, 0), 0777,
	       "kill: set-group-ID of a group-executable file goes");
	is_int(killed("s3", 02767, &member, 0), 02767,
	       "kill: without group execute it stays for a member");
	is_int(killed("s4", 02767, &supp, 0), 02767,
	       "kill: ... and for a supplementary member");
	is_int(killed("s5", 02767, &other, 0), 0767,
	       "kill: ... and goes for a non-member");
	is_int(killed("s6", 06767, &member, 0), 02767, "kill: both bits, a member");
	is_int(killed("s7", 0777, &other, 0), 0777, "kill: nothing to clear");
	is_int(killed("s8", 02745, &other, CORE_SET_UID), 02745,
	       "kill: a chown's is the chown's own (root's), not the caller's");
}

int main(void)
{
	tap_start();
	if (test_core(&c, "rules_test", ':', 0, 0))
		skip_all(SHM_DIR " cannot be used");
	test_hand();
	if (geteuid() == 0) {
		test_matrix();
		test_ops();
		test_setid();
	} else {
		ok(1, "the kernel's answers and the operations as other users # SKIP not root");
	}
	remove_ours(c.dirfd);
	core_close(&c);
	return done_testing();
}
