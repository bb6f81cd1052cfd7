#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Directory identity (issue 13.1): a node the kernel holds names one
# directory for its whole life. A directory renamed over one that is held
# open, or removed and made again by another program, is a new node: what
# it holds never goes missing through the mount.
. "${top_srcdir:-.}/tests/lib.sh"
require_fuse
[ -x "$PSHM" ] || skip_all "$PSHM is not built"

start_pshmfs || { ok 1 "mount"; done_testing; exit 1; }
obj() { echo "$SHMDIR/$PREFIX$1"; }

# --- the reduction in issue 13 ---------------------------------------------
mkdir "$MNT/x" "$MNT/b" && touch "$MNT/b/keep"
exec 3<"$MNT/x" # something holds the old x
mv -T "$MNT/b" "$MNT/x"
ok $? "mv -T of a directory over an empty one that is held open"
rm "$(obj x:)" # anything that drops the new entry
sleep 1.2
mkdir "$MNT/x" 2>/dev/null # EEXIST: x is there, implicit now
touch "$MNT/x/f"
ok $? "after another program removed the marker: a file made in it"
[ -e "$MNT/x/keep" ]
ok $? "and what the directory held is still there"
is "$(cd "$MNT/x" && ls | tr '\n' ' ')" "f keep " "the listing shows both"
exec 3<&-
rm -rf "$MNT/x"
ok $? "rm -rf of it works"
[ -z "$(our_objects)" ]
ok $? "nothing is left in the shm directory"

# --- its loop: hold x, rename b over it, stat x/keep -------------------------
fails=0
for i in $(seq 1 200); do
	mkdir "$MNT/x" "$MNT/b" && touch "$MNT/b/keep" || { fails=$((fails + 1)); continue; }
	exec 3<"$MNT/x"
	mv -T "$MNT/b" "$MNT/x" && stat "$MNT/x/keep" >/dev/null 2>&1 ||
		fails=$((fails + 1))
	exec 3<&-
	rm -rf "$MNT/x" "$MNT/b"
done
is "$fails" 0 "200 times: hold x, rename b over it, stat x/keep: no failure"

# --- the renamed-over directory is another node ------------------------------
mkdir "$MNT/old" "$MNT/new"
touch "$MNT/new/in"
ino_new=$(stat -c %i "$MNT/new")
exec 3<"$MNT/old"
mv -T "$MNT/new" "$MNT/old"
is "$(stat -c %i "$MNT/old")" "$ino_new" "a directory keeps its inode number (its marker's) across a rename"
is "$(stat -c %i "$(obj old:)")" "$ino_new" "which is the marker object's"
exec 3<&-
rm -rf "$MNT/old"

# --- a held directory removed and made again by another program --------------
mkdir "$MNT/h"
exec 4<"$MNT/h"
first=$(stat -c %i "$MNT/h")
rm "$(obj h:)"
gone_soon "$MNT/h"
ok $? "its marker removed by another program: the directory is gone"
"$PSHM" create -c "${PREFIX}h:"
start=$(date +%s%N)
seen=
for i in $(seq 1 200); do
	if [ -d "$MNT/h" ]; then
		seen=$(( ($(date +%s%N) - start) / 1000000 ))
		break
	fi
	sleep 0.001
done
diag "made again: seen after ${seen:-never} ms"
[ -n "$seen" ] && [ "$seen" -le 50 ]
ok $? "made again by another program while held: seen through the mount within 50 ms"
second=$(stat -c %i "$MNT/h")
[ "$first" != "$second" ]
ok $? "and it is a new directory (new inode number, the new marker's)"
touch "$MNT/h/f"
ok $? "a file made in it"
exec 4<&-

# --- and used by its path at once, 200 times --------------------------------
# 200 held directories (each a first time: a name removed lately is not
# cached, so only its first removal can race). Another program remakes
# each one's marker while the kernel has its entry, and at once chmod,
# opendir and a stat inside by the path: before the watch thread drops the
# entry, the old node answers ESTALE, so the VFS walks the path again and
# finds the new directory (it answered ENOENT: 53 of 200 failed).
fails=$(perl -e '
	use Fcntl;
	my ($obj, $mnt) = @ARGV;
	my ($fails, @held) = (0);
	for my $i (1 .. 200) {
		mkdir("$mnt/u$i") or die "mkdir: $!";
		open(my $f, ">", "$mnt/u$i/keep") or die "keep: $!";
		opendir(my $h, "$mnt/u$i") or die "hold: $!";
		push @held, $h;
	}
	for my $i (1 .. 200) {
		my $dir = "$mnt/u$i";
		stat($dir);
		unlink("${obj}u$i:") or die "unlink: $!";
		sysopen(my $fh, "${obj}u$i:", O_RDWR | O_CREAT | O_EXCL, 0700)
			or die "create: $!";
		close($fh);
		my $ok = chmod(0750, $dir);
		$ok &&= opendir(my $dh, $dir);
		$ok &&= grep { $_ eq "keep" } readdir($dh);
		$ok &&= -e "$dir/keep";
		$fails++ unless $ok;
	}
	print "$fails\n";
' "$(obj "")" "$MNT")
is "$fails" 0 "held directories whose markers another program remakes: chmod, opendir and a stat inside by the path at once work (200 of 200)"
is "$(stat -c %a "$MNT/u200")" 750 "and the chmod went to the new directory"
rm -rf "$MNT"/u*

# --- the same while the kernel caches "not there" ---------------------------
mkdir "$MNT/n"
exec 4<"$MNT/n"
rm "$(obj n:)"
gone_soon "$MNT/n"
stat "$MNT/n" >/dev/null 2>&1 # the kernel caches "not there" for 1 s
"$PSHM" create -c "${PREFIX}n:"
sleep 0.05
[ -d "$MNT/n" ]
ok $? "a negative entry is dropped when another program makes the marker"
exec 4<&-

# --- an implicit directory that ends and comes back --------------------------
"$PSHM" create -c "${PREFIX}imp:a"
[ -e "$MNT/imp/a" ]
ok $? "an implicit directory made by another program"
exec 5<"$MNT/imp"
"$PSHM" unlink "${PREFIX}imp:a"
gone_soon "$MNT/imp"
ok $? "its last object removed: it is gone"
"$PSHM" create -c "${PREFIX}imp:b"
fresh "it comes back with another object" "b" -- ls "$MNT/imp"
exec 5<&-

# --- rmdir and rename of held directories retire them ------------------------
mkdir "$MNT/r"
exec 6<"$MNT/r"
rmdir "$MNT/r"
ok $? "rmdir of a held directory"
mkdir "$MNT/r" && touch "$MNT/r/z"
ok $? "a new directory of the same name works"
is "$(ls "$MNT/r")" "z" "and shows its own contents"
exec 6<&-
rm -rf "$MNT/r" "$MNT/h" "$MNT/n" "$MNT/imp"

end_mount_test
done_testing
