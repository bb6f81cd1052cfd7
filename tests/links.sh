#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Hard links (issue 16): ln through the mount is linkat in the shm
# directory: a second name of the same object, across directories too,
# with nlink right through the mount and in /dev/shm; removing or
# renaming one name leaves the other working, also while the kernel still
# holds the first (the node is the object, keyed by st_ino, and keeps its
# other names); a link made outside shows; nr_inodes= counts links as
# tmpfs does; a link the caller may not make (protected_hardlinks) is
# refused as in /dev/shm. Every refusal compared with a tmpfs directory.
# O_TMPFILE: EOPNOTSUPP (libfuse 3.14 has no tmpfile operation).
. "${top_srcdir:-.}/tests/lib.sh"
. "${top_srcdir:-.}/tests/users.sh"
require_fuse
[ -x "$PSHM" ] || skip_all "$PSHM is not built"
TOOL=${top_builddir:-.}/tests/shared_tool
[ -x "$TOOL" ] || skip_all "$TOOL is not built"

REF=$SHMDIR/${PREFIX%.}-ref
mkdir "$REF"
obj() { echo "$SHMDIR/$PREFIX$1"; }
start_pshmfs || { ok 1 "mount"; done_testing; exit 1; }

echo one >"$MNT/a"
ln "$MNT/a" "$MNT/b"
ok $? "ln a b through the mount"
is "$(stat -c %i "$(obj a)")" "$(stat -c %i "$(obj b)")" "/Pa and /Pb are one object in /dev/shm"
is "$(stat -c %h "$(obj a)")" 2 "nlink 2 in /dev/shm"
is "$(stat -c %h "$MNT/a") $(stat -c %h "$MNT/b")" "2 2" "nlink 2 through the mount, by either name"
is "$(stat -c %i "$MNT/a")" "$(stat -c %i "$MNT/b")" "both names show one inode number"
echo two >>"$MNT/b"
is "$("$PSHM" read "${PREFIX}a")" "one
two" "a write through one name is the other's, read by shm_open"

mkdir "$MNT/d"
ln "$MNT/a" "$MNT/d/c"
ok $? "ln across directories"
is "$(stat -c %i "$(obj d:c)")" "$(stat -c %i "$(obj a)")" "d/c is the object /Pd:c, the same one"
is "$(stat -c %h "$MNT/d/c")" 3 "nlink 3"

# The node was last looked up as d/c: remove the other names while the
# kernel still holds them, and use them.
cat "$MNT/a" "$MNT/b" >/dev/null
rm "$MNT/d/c"
is "$(cat "$MNT/a")" "one
two" "after rm of one name, the other (cached) still opens"
is "$(stat -c %h "$MNT/a")" 2 "nlink 2 after the rm"
mv "$MNT/a" "$MNT/d/moved"
is "$(cat "$MNT/b")" "one
two" "after mv of one name, the other still opens"
is "$(cat "$MNT/d/moved")" "one
two" "and the moved name too"
rm "$MNT/b"
is "$(stat -c %h "$MNT/d/moved")" 1 "rm of one of two names: nlink 1"
is "$(stat -c %h "$(obj d:moved)")" 1 "nlink 1 in /dev/shm"
is "$(cat "$MNT/d/moved")" "one
two" "the last name reads on"

# Open, then remove every name: the handle goes on, as on tmpfs.
exec 7<"$MNT/d/moved"
ln "$MNT/d/moved" "$MNT/e"
rm "$MNT/d/moved" "$MNT/e"
is "$(cat <&7)" "one
two" "an open file whose names are all gone still reads"
exec 7<&-

# A link made outside the mount.
echo out >"$(obj f)"
ln "$(obj f)" "$(obj g)"
fresh "a link made in /dev/shm shows nlink 2 through the mount" 2 -- stat -c %h "$MNT/g"
is "$(cat "$MNT/g")" out "and reads"

# Refusals, as on tmpfs.
echo x >"$MNT/h"
echo x >"$REF/h"
mkdir "$MNT/dir" "$REF/dir"
echo y >"$MNT/i"
echo y >"$REF/i"
same "ln onto an existing name: EEXIST" -- ln @/h @/i
same "ln onto a directory's name: EEXIST" -- ln -T @/h @/dir
same "ln of a missing file: ENOENT" -- ln @/nothere @/x
same "ln into a missing directory: ENOENT" -- ln @/h @/nothere/x
fails_with "Invalid argument" "ln to a name holding the delimiter: EINVAL" -- ln "$MNT/h" "$MNT/p:q"
# O_TMPFILE (an unnamed file to link in later): libfuse 3.14 has no
# operation for it, so the kernel answers EOPNOTSUPP (pshmfs(1) says so).
is "$("$TOOL" tmpfile "$MNT")" ENOTSUP "open(O_TMPFILE) in the mount: EOPNOTSUPP"
is "$("$TOOL" tmpfile "$REF")" ok "(tmpfs has it)"
rm -rf -- "${MNT:?}"/* "$(obj f)" "$(obj g)"
stop_pshmfs

# nr_inodes= counts each name, as tmpfs's does.
start_pshmfs -o nr_inodes=2 || { ok 1 "mount with nr_inodes=2"; done_testing; exit 1; }
echo x >"$MNT/n1"
ln "$MNT/n1" "$MNT/n2"
ok $? "nr_inodes=2: a file and one link"
fails_with "No space left on device" "nr_inodes=2: a second link: ENOSPC" -- ln "$MNT/n1" "$MNT/n3"
rm -f "$MNT/n1" "$MNT/n2"
stop_pshmfs

# size= counts a linked object's pages once, as tmpfs does.
start_pshmfs -o size=1m || { ok 1 "mount with size=1m"; done_testing; exit 1; }
head -c 524288 /dev/zero >"$MNT/s1"
ln "$MNT/s1" "$MNT/s2"
ln "$MNT/s1" "$MNT/s3"
is "$(df -k --output=used "$MNT" | tail -1 | tr -d ' ')" 512 "size=1m: a 512 KiB object with three names uses 512 KiB"
head -c 262144 /dev/zero >"$MNT/s4"
ok $? "so 256 KiB more still fit"
rm -f "$MNT"/s*
stop_pshmfs

# protected_hardlinks: another user may not link a file it cannot write.
if [ "$(id -u)" -eq 0 ] && command -v useradd >/dev/null &&
	[ "$(cat /proc/sys/fs/protected_hardlinks 2>/dev/null)" = 1 ]; then
	trap cleanup_with_users EXIT
	U=pshmtL$$
	add_user "$U" users || { ok 1 "create a test user"; done_testing; exit 1; }
	chmod o+x "$SCRATCH"
	start_pshmfs -o allow_other || { ok 1 "mount"; done_testing; exit 1; }
	echo secret >"$MNT/mine"
	chmod 600 "$MNT/mine" "$(obj mine)"
	echo secret >"$(obj twin)"
	chmod 600 "$(obj twin)"
	is "$(errname as "$U" users ln "$MNT/mine" "$MNT/theirs")" \
		"$(errname as "$U" users ln "$(obj twin)" "$(obj theirs2)")" \
		"another user linking a 0600 file: refused as in /dev/shm"
	is "$(errname as "$U" users ln "$MNT/mine" "$MNT/theirs")" EPERM "that is EPERM"
	chmod 666 "$MNT/mine"
	is "$(errname as "$U" users ln "$MNT/mine" "$MNT/theirs")" ok "a 0666 file: linked"
	is "$(stat -c %U "$(obj theirs)")" root "the link is the same object (owner root)"
	end_mount_test
	done_testing
	exit
fi
diag "protected_hardlinks part skipped (needs root, useradd, protected_hardlinks=1)"
start_pshmfs || { ok 1 "mount"; done_testing; exit 1; }
end_mount_test
done_testing
