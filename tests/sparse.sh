#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Sparse seeks (issue 16): SEEK_DATA and SEEK_HOLE through the mount are
# answered from the object, exactly as on tmpfs: a 1 MiB object with one
# page written at 512 KiB, and more shapes; so cp --sparse=always and
# tar -S keep the holes (the copy allocates what tmpfs's does).
. "${top_srcdir:-.}/tests/lib.sh"
require_fuse
TOOL=${top_builddir:-.}/tests/shared_tool
[ -x "$TOOL" ] || skip_all "$TOOL is not built"

REF=$SHMDIR/${PREFIX%.}-ref
mkdir "$REF"
start_pshmfs || { ok 1 "mount"; done_testing; exit 1; }

# shape NAME SIZE WRITE_OFFSETS...: a file of SIZE bytes with one 4 KiB
# page written at each offset, in the mount and in tmpfs.
shape() {
	local name=$1 size=$2 d off
	shift 2
	for d in "$MNT" "$REF"; do
		truncate -s "$size" "$d/$name"
		for off in "$@"; do
			head -c 4096 /dev/urandom | dd of="$d/$name" bs=4096 \
				seek=$((off / 4096)) conv=notrunc status=none
		done
	done
}
# seeks NAME: SEEK_DATA and SEEK_HOLE from a few offsets.
seeks() {
	local f=$1 off wh out=
	for off in 0 4096 524288 528384 600000 1048575 1048576 2097152; do
		for wh in DATA HOLE; do
			out="$out $wh@$off=$("$TOOL" seek "$f" "$off" "$wh")"
		done
	done
	echo "$out"
}

shape one 1048576 524288
is "$("$TOOL" seek "$MNT/one" 0 DATA) $("$TOOL" seek "$MNT/one" 0 HOLE)" "524288 0" \
	"1 MiB, one page at 512 KiB: SEEK_DATA 524288, SEEK_HOLE 0 (the issue's table)"
is "$(seeks "$MNT/one")" "$(seeks "$REF/one")" "the same as tmpfs from every offset, ENXIO at and past the end"
shape two 3145728 0 1048576 3141632
is "$(seeks "$MNT/two")" "$(seeks "$REF/two")" "three pages in 3 MiB: as tmpfs"
shape full 8192 0 4096
is "$(seeks "$MNT/full")" "$(seeks "$REF/full")" "no hole: as tmpfs"
: >"$MNT/empty"
: >"$REF/empty"
is "$(seeks "$MNT/empty")" "$(seeks "$REF/empty")" "an empty file: ENXIO, as tmpfs"

# The tools that keep holes.
cp --sparse=always "$MNT/one" "$REF/one.cp"
is "$(stat -c %b "$REF/one.cp")" "$(stat -c %b "$REF/one")" "cp --sparse=always out of the mount keeps the holes"
cmp -s "$MNT/one" "$REF/one.cp"
ok $? "and the bytes"
cp --sparse=always "$REF/one" "$MNT/one.cp"
is "$(stat -c %b "$MNT/one.cp")" "$(stat -c %b "$REF/one")" "cp --sparse=always into the mount keeps them"
is "$(seeks "$MNT/one.cp")" "$(seeks "$REF/one")" "and seeks the same"
(cd "$MNT" && tar -S -cf "$SCRATCH/m.tar" one)
(cd "$REF" && tar -S -cf "$SCRATCH/r.tar" one)
is "$(stat -c %s "$SCRATCH/m.tar")" "$(stat -c %s "$SCRATCH/r.tar")" "tar -S of the mount's file: as small as tmpfs's"
tar -xSf "$SCRATCH/m.tar" -C "$MNT" --transform 's/one/one.tar/'
cmp -s "$MNT/one.tar" "$MNT/one" && [ "$(stat -c %b "$MNT/one.tar")" = "$(stat -c %b "$REF/one")" ]
ok $? "tar -xS into the mount: the bytes, and the holes"
end_mount_test
done_testing
