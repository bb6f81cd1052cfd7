/* SPDX-License-Identifier: GPL-2.0-or-later */
/** @file
 * Unit tests of pshm's /proc reading (src/cli/procs.c), compiled straight
 * in so that its static helpers are reached: object names from the paths
 * of maps and fd links, the kernel's "(deleted)" and "\012", the order of
 * the holds and the count of their processes.
 */
#include "config.h"

#include "../src/cli/procs.c"
#include "tap.h"

/* path_name of PATH: "NAME", "NAME+" when deleted, "-" when none. */
static const char *named(const char *path, bool maps)
{
	static char buf[300];
	bool deleted;
	char *name;

	if (path_name(path, maps, &name, &deleted))
		return "ENOMEM";
	snprintf(buf, sizeof(buf), "%s%s", name ? name : "-",
		 deleted ? "+" : "");
	free(name);
	return buf;
}

static void test_names(void)
{
	is_str(named("/dev/shm/buf", true), "buf", "a mapping of /dev/shm/buf");
	is_str(named("/dev/shm/buf (deleted)", true), "buf+",
	       "unlinked: the name, deleted");
	is_str(named("/dev/shm/a b (deleted)", false), "a b+",
	       "a blank in the name");
	is_str(named("/dev/shm/a\\012b (deleted)", true), "a\nb+",
	       "maps writes a newline as \\012");
	is_str(named("/dev/shm/a\\012b", false), "a\\012b",
	       "an fd link shows the name as it is");
	is_str(named("/dev/shm/x (deleted) (deleted)", true), "x (deleted)+",
	       "a name that ends in \" (deleted)\", unlinked");
	is_str(named("/dev/shm/dir/f", true), "-",
	       "a file below a directory of /dev/shm is no object");
	is_str(named("/dev/shm/", true), "-", "the directory itself");
	is_str(named("/dev/shmx", true), "-", "another directory");
	is_str(named("/memfd:x (deleted)", true), "-+", "a memfd: no name");
	is_str(named("/SYSV00000000 (deleted)", true), "-+",
	       "a System V segment: no name");
}

static void test_holds(void)
{
	struct hold v[] = {
		{ .ino = 7, .pid = 20, .fd = 3 },
		{ .ino = 5, .pid = 10, .fd = -1, .start = 0x2000 },
		{ .ino = 7, .pid = 10, .fd = -1 },
		{ .ino = 5, .pid = 10, .fd = -1, .start = 0x1000 },
		{ .ino = 7, .pid = 20, .fd = -1 },
		{ .ino = 9, .pid = 30, .fd = 4 },
	};
	struct holds h = { .v = v, .n = 6, .cap = 6 };
	size_t first, n;

	qsort(v, 6, sizeof(*v), hold_cmp);
	ok(v[0].ino == 5 && v[0].start == 0x1000 && v[1].start == 0x2000,
	   "holds sorted by inode, then pid, fd and address");
	ok(v[2].ino == 7 && v[2].pid == 10 && v[3].pid == 20 &&
	   v[3].fd == -1 && v[4].fd == 3, "mappings before descriptors");
	n = holds_of(&h, 7, &first);
	is_int(first * 10 + n, 23, "inode 7: three holds from index 2");
	is_int(holds_procs(&h, first, n), 2, "inode 7: two processes");
	n = holds_of(&h, 5, &first);
	is_int(holds_procs(&h, first, n), 1,
	       "inode 5: two mappings of one process count once");
	is_int(holds_of(&h, 6, &first), 0, "inode 6: no holds");
	is_int(holds_of(&h, 10, &first), 0, "past the last inode: no holds");
}

static void test_pids(void)
{
	pid_t id = 0;

	ok(is_pid("1", &id) && id == 1, "/proc/1 is a process");
	ok(is_pid("4194304", &id) && id == 4194304, "a large pid");
	ok(!is_pid("self", &id), "/proc/self is not listed twice");
	ok(!is_pid("0", &id) && !is_pid("01", &id), "no pid 0, no leading 0");
	ok(!is_pid("12a", &id), "digits only");
	ok(!is_pid("99999999999", &id), "past INT_MAX");
}

int main(void)
{
	plan(24);
	test_names();
	test_holds();
	test_pids();
	return done();
}
