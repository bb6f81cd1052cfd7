#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Directories over the flat shm namespace: markers, implicit directories,
# mkdir/rmdir/rename errors exactly as tmpfs gives them, and real trees
# copied in and out byte for byte.
. "${top_srcdir:-.}/tests/lib.sh"
require_fuse
[ -x "$PSHM" ] || skip_all "$PSHM is not built"
FSOP=${top_builddir:-.}/tests/fsop

# A plain tmpfs directory to hold the same operations against.
REF=$SHMDIR/${PREFIX%.}-ref
mkdir "$REF"
start_pshmfs || { ok 1 "mount"; done_testing; exit 1; }
obj() { echo "$SHMDIR/$PREFIX$1"; }

in_both() { "$@" "$MNT" && "$@" "$REF"; }
mk() { mkdir -p "$MNT/$1" "$REF/$1"; }
put() { echo "$2" >"$MNT/$1" && echo "$2" >"$REF/$1"; }

# --- mkdir and markers --------------------------------------------------
(umask 022 && mkdir "$MNT/a")
is "$(stat -c '%s %a' "$(obj a:)")" "0 755" "mkdir makes an empty marker object /Pa: with the directory's mode"
is "$(stat -c '%F %a' "$MNT/a")" "directory 755" "the directory shows as one, with the marker's mode"
mkdir "$MNT/a/b"
echo deep >"$MNT/a/b/c"
is "$("$PSHM" read "${PREFIX}a:b:c")" deep "a/b/c is the object /Pa:b:c"
is "$(stat -c %h "$MNT/a")" 3 "nlink counts subdirectories, as tmpfs does"
chmod 700 "$MNT/a/b"
is "$(stat -c %a "$(obj a:b:)")" 700 "chmod of a directory sets its marker's mode"
touch -d '2001-09-09 01:46:40 UTC' "$MNT/a/b"
is "$(stat -c %Y "$MNT/a/b")" 1000000000 "touch -d of a directory: the marker's time"
mk x
put x/f one
same "mkdir of an existing directory: EEXIST" -- mkdir @/x
same "mkdir over a file: EEXIST" -- mkdir @/x/f
same "mkdir in a missing directory: ENOENT" -- mkdir @/nothere/y
same "mkdir under a file: ENOTDIR" -- mkdir @/x/f/y
fails_with "Invalid argument" "mkdir of a name holding the delimiter: EINVAL" -- mkdir "$MNT/p:q"
fails_with "Invalid argument" "a file name holding the delimiter: EINVAL" -- touch "$MNT/x/p:q"
max=$((255 - ${#PREFIX} - 1))
long=$(printf 'd%.0s' $(seq 1 "$max"))
mkdir "$MNT/$long"
ok $? "mkdir of a name whose marker is 255 bytes with the prefix"
fails_with "File name too long" "mkdir one byte longer: ENAMETOOLONG" -- mkdir "$MNT/${long}d"
rmdir "$MNT/$long"

# --- rmdir ----------------------------------------------------------------
same "rmdir of a directory with a file: ENOTEMPTY" -- rmdir @/x
same "rmdir of a file: ENOTDIR" -- rmdir @/x/f
same "rmdir of a missing name: ENOENT" -- rmdir @/nothere
mk e
same "rmdir of an empty directory works" -- rmdir @/e
[ ! -e "$(obj e:)" ]
ok $? "rmdir removes the marker object"

# --- rename -----------------------------------------------------------------
mk r1
put r1/f1 data1
mk r2
put r2/f2 data2
mk r3
same "rename of a directory onto a non-empty one: ENOTEMPTY" -- mv -T @/r1 @/r2
same "rename of a directory into itself: EINVAL" -- mv @/r1 @/r1/sub
same "rename of a directory onto a file: ENOTDIR" -- mv -T @/r1 @/r2/f2
same "rename of a file onto a directory: EISDIR" -- mv -T @/r2/f2 @/r3
same "rename with NOREPLACE onto a directory: EEXIST" -- "$FSOP" rename -n @/r1 @/r3
mk x1
put x1/one 1
mk x2
mk x2/sub
put x2/sub/two 2
same "rename with EXCHANGE of two directories" -- "$FSOP" rename -x @/x1 @/x2
is "$(cat "$MNT/x2/one") $(cat "$MNT/x1/sub/two")" "1 2" "EXCHANGE of directories swaps the trees"
is "$(our_objects | grep -c exchange)" 0 "and leaves nothing on the way"
chmod 750 "$MNT/r1"
mv -T "$MNT/r1" "$MNT/r3"
is "$(cat "$MNT/r3/f1") $(stat -c %a "$MNT/r3")" "data1 750" \
	"rename of a directory onto an empty one: contents and mode move"
[ ! -e "$MNT/r1" ] && [ ! -e "$(obj r1:)" ] && [ ! -e "$(obj r1:f1)" ]
ok $? "nothing is left under the old name"
mkdir -p "$MNT/t/u/v"
echo leaf >"$MNT/t/u/v/w"
mv "$MNT/t" "$MNT/a/t"
is "$("$PSHM" read "${PREFIX}a:t:u:v:w")" leaf "rename of a tree: every object below moves"
exec 3<"$MNT/a/t/u/v/w"
mv "$MNT/a/t" "$MNT/t2"
is "$(cat <&3)" leaf "a file open across its directory's rename reads on"
exec 3<&-
mv "$MNT/x/f" "$MNT/a/b/f"
is "$(cat "$(obj a:b:f)")" one "rename of a file across directories"

# --- objects made outside the mount -------------------------------------------
"$PSHM" create -c "${PREFIX}out:side:obj"
"$PSHM" write "${PREFIX}out:side:obj" outside
is "$(cat "$MNT/out/side/obj")" outside "an object made through shm_open appears at once in its implicit directories"
is "$(stat -c '%F %a' "$MNT/out/side")" "directory 1777" "an implicit directory looks like the root"
is "$(ls "$MNT/out")" side "listing an implicit directory"
"$PSHM" create -c "${PREFIX}out::bad"
"$PSHM" create -c "${PREFIX}out:..:bad"
"$PSHM" create -c "${PREFIX}:lead"
is "$(ls -A "$MNT/out" | tr '\n' ' ')" "side " "names that fold into no valid path are left out"
ls -AR "$MNT" >/dev/null
ok $? "and never break a listing"
fails_with "Directory not empty" "rmdir of an implicit directory with an object: ENOTEMPTY" -- rmdir "$MNT/out/side"
"$PSHM" unlink "${PREFIX}out:side:obj"
fails_with "No such file or directory" "an implicit directory goes with its last object" -- stat "$MNT/out/side"
chmod 700 "$MNT/out" 2>/dev/null || true
"$PSHM" create -c "${PREFIX}imp:x"
chmod 705 "$MNT/imp"
is "$(stat -c %a "$(obj imp:)")" 705 "chmod of an implicit directory gives it a marker"

# --- real trees ---------------------------------------------------------------
src=/usr/include/linux
if [ -d "$src" ]; then
	cp -a "$src" "$MNT/linux"
	diff -r "$src" "$MNT/linux" >/dev/null
	ok $? "cp -a of $src into the mount: diff -r equal"
	is "$(cd "$MNT" && tar --sort=name -cf - linux | md5sum)" "$(cd "$(dirname "$src")" && tar --sort=name -cf - linux | md5sum)" \
		"tar of the tree out of the mount equals tar of the original"
	if command -v rsync >/dev/null; then
		rsync -a "$src/" "$MNT/rs/" && diff -r "$src" "$MNT/rs" >/dev/null
		ok $? "rsync -a into the mount"
		rsync -a "$MNT/rs/" "$SCRATCH/rsout/" && diff -r "$src" "$SCRATCH/rsout" >/dev/null
		ok $? "rsync -a out of the mount"
	else
		ok 0 "rsync -a into the mount # SKIP rsync not installed"
		ok 0 "rsync -a out of the mount # SKIP rsync not installed"
	fi
	rm -rf "$MNT/linux" "$MNT/rs"
	is "$(our_objects | grep -c -e '^linux' -e '^rs')" 0 "rm -rf of the trees removes every object"
else
	ok 0 "cp -a # SKIP no $src"
fi

# --- rewinddir lists the directory as it is now, also one renamed since opendir ---
mkdir "$MNT/rw" && touch "$MNT/rw/old"
got=$(perl -e 'my ($d, $m) = @ARGV; opendir(my $h, $d) or die; my @a = readdir($h);
	open(my $f, ">", "$d/new") or die; close($f); rename($d, "$m/rw2") or die;
	open($f, ">", "$m/rw2/later") or die; close($f);
	rewinddir($h); print join(",", sort grep { !/^\./ } readdir($h)), "\n"' "$MNT/rw" "$MNT")
is "$got" "later,new,old" "rewinddir: made since opendir, after a rename of the directory too"
rm -rf "$MNT/rw2"

# --- a flat mount and another delimiter ------------------------------------------
stop_pshmfs
start_pshmfs -o delim= || ok 1 "mount with delim="
fails_with "Operation not permitted" "delim=: mkdir gives EPERM" -- mkdir "$MNT/flat"
echo f >"$MNT/p:q"
is "$(cat "$(obj p:q)")" f "delim=: ':' is a plain byte in names"
stop_pshmfs
start_pshmfs -o delim=% || ok 1 "mount with delim=%"
mkdir "$MNT/pct" && echo in >"$MNT/pct/f"
is "$(cat "$(obj pct%f)")" in "delim=%: a/b is /Pa%b"
stop_pshmfs
"$PSHMFS" -o delim=ab "$MNT" 2>"$SCRATCH/err"
is "$? $(cat "$SCRATCH/err")" "1 pshmfs: bad delim 'ab': Invalid argument" "delim of two bytes refused"
check_log
done_testing
