#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# -o size= and -o nr_inodes=: the mount's own capacity, with tmpfs's syntax
# and semantics. Limits hit exactly (within a page) with ENOSPC and the
# bytes before intact; sparse objects cost nothing until written; objects
# made under the prefix outside the mount count; df and stat -f say what
# the limits and the usage are; rm gives the room back; bad values are
# refused at mount time. No root needed: the limits are pshmfs's own, so
# the machine's /dev/shm only holds a few MiB of our prefix's objects.
. "${top_srcdir:-.}/tests/lib.sh"
require_fuse
[ -x "$PSHM" ] || skip_all "$PSHM is not built"

PAGE=$(getconf PAGESIZE)
LIMIT=$((2 << 20))  # -o size=2m
NR=5                # -o nr_inodes=5
MIB=$((1 << 20))
obj() { echo "$SHMDIR/$PREFIX$1"; }
clear_objects() { rm -f -- "$SHMDIR/$PREFIX"*; }
within_page() { [ $(($1 - $2)) -le "$PAGE" ] && [ $(($2 - $1)) -le "$PAGE" ]; }
# df -B1 of the mount: "size used avail".
df_b() { df -B1 --output=size,used,avail "$MNT" | tail -n 1 | awk '{ print $1, $2, $3 }'; }
# Allocated bytes of our objects, as tmpfs counts them (st_blocks).
allocated() {
	local n=0 f
	for f in "$SHMDIR/$PREFIX"*; do
		[ -f "$f" ] && n=$((n + $(stat -c '%b * %B' "$f")))
	done
	echo "$n"
}
# dd_into FILE SRC [dd args]: copy, set DD_ST, DD_BYTES (dd's count), DD_ERR.
dd_into() {
	local f=$1 src=$2
	shift 2
	dd if="$src" of="$f" bs=64k "$@" 2>"$SCRATCH/dd.err"
	DD_ST=$?
	DD_BYTES=$(awk '/bytes/ && /copied/ { n = $1 } END { print n + 0 }' "$SCRATCH/dd.err")
	DD_ERR=$(cat "$SCRATCH/dd.err")
}

head -c $((3 * MIB)) /dev/urandom >"$SCRATCH/rand"

# --- bad values: refused at mount time, with a clear message, exit 1 ------------------
for bad in "size=12q:bad size '12q'" "size=-1:bad size '-1'" "nr_inodes=x:bad nr_inodes 'x'"; do
	o=${bad%%:*} msg=${bad#*:}
	err=$(timeout 10 "$PSHMFS" -f -o "prefix=$PREFIX,$o" "$MNT" 2>&1 >/dev/null)
	st=$?
	is "$st" 1 "-o $o: refused, exit status 1"
	[[ $err == *"$msg"* ]]
	ok $? "-o $o: the message names the option and value ($err)"
	! is_mounted "$MNT"
	ok $? "-o $o: nothing mounted"
done

# --- size=N%: a share of RAM, as tmpfs: MemTotal * N / 100, rounded up to pages -----------
start_pshmfs -o size=1% || { ok 1 "mount -o size=1%"; done_testing; exit 1; }
want=$(awk -v p="$PAGE" '$1 == "MemTotal:" { b = $2 * 1024 / 100; printf "%d", int((b + p - 1) / p) * p }' /proc/meminfo)
is "$(($(stat -f -c '%b * %S' "$MNT")))" "$want" "size=1%: df size is 1% of MemTotal, rounded up to a page"
stop_pshmfs

# --- size=: the limit, hit exactly ---------------------------------------------------
start_pshmfs -o size=2m || { ok 1 "mount -o size=2m"; done_testing; exit 1; }
is "$(df_b)" "$LIMIT 0 $LIMIT" "df: size 2 MiB, used 0, free 2 MiB on an empty mount"
is "$(stat -f -c '%b %f %a' "$MNT")" "$((LIMIT / $(stat -f -c %S "$MNT"))) $((LIMIT / $(stat -f -c %S "$MNT"))) $((LIMIT / $(stat -f -c %S "$MNT")))" \
	"stat -f: blocks, free and available blocks are the limit's"
is "$(stat -f -c %c "$MNT")" "$(stat -f -c %c "$SHMDIR")" "without nr_inodes=: total inodes are the tmpfs's"

dd_into "$MNT/big" "$SCRATCH/rand"
[ "$DD_ST" -ne 0 ]
ok $? "dd of 3 MiB into a 2 MiB mount fails"
[[ $DD_ERR == *"No space left on device"* ]]
ok $? "with 'No space left on device'"
within_page "$DD_BYTES" "$LIMIT"
ok $? "bytes written before ENOSPC ($DD_BYTES) = the limit ($LIMIT), within a page"
is "$(stat -c %s "$(obj big)")" "$DD_BYTES" "the object holds exactly the bytes written"
cmp -s -n "$DD_BYTES" "$SCRATCH/rand" "$(obj big)"
ok $? "the bytes written before ENOSPC are intact"
is "$(df_b)" "$LIMIT $LIMIT 0" "df: used = size, free 0"
fails_with "No space left on device" "one more byte in a new file: ENOSPC" -- \
	bash -c "printf x >'$MNT/more'"
is "$(stat -c %s "$MNT/more" 2>/dev/null)" 0 "the file is made (an inode costs no bytes), empty"

# --- rm gives the room back -------------------------------------------------------------
rm "$MNT/big" "$MNT/more"
is "$(df_b)" "$LIMIT 0 $LIMIT" "after rm: df used 0 again"
dd_into "$MNT/again" "$SCRATCH/rand" count=32
is "$DD_ST $DD_BYTES" "0 $LIMIT" "after rm, writing works again: the whole 2 MiB fits"
rm "$MNT/again"

# --- sparse objects: counted as they are written, not by their size --------------------------
truncate -s 1G "$MNT/sparse"
ok $? "truncate -s 1G on a 2 MiB mount succeeds"
is "$(stat -c %s "$(obj sparse)") $(stat -c %b "$(obj sparse)")" "1073741824 0" "the object: size 1 GiB, no blocks"
is "$(df_b)" "$LIMIT 0 $LIMIT" "df: a sparse object uses nothing"
dd_into "$MNT/sparse" "$SCRATCH/rand" count=1 bs=$PAGE seek=$((512 * MIB / PAGE)) conv=notrunc
is "$DD_ST $(df_b)" "0 $LIMIT $PAGE $((LIMIT - PAGE))" "one page written at 512 MiB: df used one page"
dd_into "$MNT/fill" "$SCRATCH/rand"
within_page "$DD_BYTES" $((LIMIT - PAGE))
ok $? "then a fill stops at the limit less that page ($DD_BYTES)"
is "$(allocated)" "$LIMIT" "the objects' blocks add up to the limit"
clear_objects

# --- objects made outside the mount, under the prefix, count ------------------------------
"$PSHM" create -c "/${PREFIX}outside" && head -c "$MIB" "$SCRATCH/rand" | "$PSHM" write "/${PREFIX}outside"
is "$(df_b)" "$LIMIT $MIB $((LIMIT - MIB))" "df counts an object written with pshm under the prefix"
"$PSHM" create -c "/${PREFIX%.}-elsewhere" && head -c "$MIB" "$SCRATCH/rand" | "$PSHM" write "/${PREFIX%.}-elsewhere"
is "$(df_b)" "$LIMIT $MIB $((LIMIT - MIB))" "df does not count an object outside the prefix"
dd_into "$MNT/fill" "$SCRATCH/rand"
within_page "$DD_BYTES" $((LIMIT - MIB))
ok $? "a write through the mount stops at the limit less the outside object ($DD_BYTES)"
rm -f "$MNT/fill"
df_b >/dev/null # a statfs: the daemon counts afresh now
"$PSHM" create -c "/${PREFIX}late" && head -c $((MIB / 2)) "$SCRATCH/rand" | "$PSHM" write "/${PREFIX}late"
dd_into "$MNT/fill" "$SCRATCH/rand"
within_page "$DD_BYTES" $((LIMIT - MIB - MIB / 2))
ok $? "an object made elsewhere just after a statfs counts for the next write ($DD_BYTES written)"
rm -f "$(obj fill)" "$(obj late)"

# --- an open file after rm still holds its pages, as on tmpfs ----------------------------------
exec 3<>"$MNT/held"
rm "$MNT/held"
dd if="$SCRATCH/rand" bs=64k 2>"$SCRATCH/dd.err" >&3
held=$(awk '/bytes/ && /copied/ { n = $1 } END { print n + 0 }' "$SCRATCH/dd.err")
exec 3>&-
within_page "$held" $((LIMIT - MIB))
ok $? "writes through a removed, still open file stop at the limit, as on tmpfs ($held written, room $((LIMIT - MIB)))"
stop_pshmfs
ok $? "unmount: the daemon exits 0"
clear_objects

# --- nr_inodes=: N objects fit, the N+1st is ENOSPC --------------------------------------------
start_pshmfs -o nr_inodes=$NR || { ok 1 "mount -o nr_inodes=$NR"; done_testing; exit 1; }
is "$(stat -f -c '%c %d' "$MNT")" "$NR $NR" "stat -f: inodes $NR, free $NR"
for i in $(seq 1 "$NR"); do touch "$MNT/f$i" || break; done
is "$(ls "$MNT" | wc -l)" "$NR" "$NR objects fit"
fails_with "No space left on device" "object $((NR + 1)): ENOSPC" -- touch "$MNT/f$((NR + 1))"
[ ! -e "$(obj f$((NR + 1)))" ]
ok $? "and no object is left behind"
is "$(stat -f -c '%c %d' "$MNT")" "$NR 0" "stat -f: inodes $NR, free 0"
is "$(df -i "$MNT" | tail -n 1 | awk '{ print $2, $3, $4 }')" "$NR $NR 0" \
	"df -i: $NR total, $NR used, 0 free"
rm "$MNT/f1"
is "$(stat -f -c %d "$MNT")" 1 "after rm: one inode free"
"$PSHM" create -c "/${PREFIX}outside"
is "$(stat -f -c %d "$MNT")" 0 "an object made with pshm under the prefix takes it"
fails_with "No space left on device" "so the next create is ENOSPC" -- touch "$MNT/g"
rm "$MNT/outside" "$MNT/f2"
touch "$MNT/g"
ok $? "after rm, creating works again"
stop_pshmfs
ok $? "unmount: the daemon exits 0"
check_log
done_testing
