#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A full tmpfs: writes through the mount that do not fit fail with ENOSPC
# ("No space left on device"), the bytes a write() returned success for stay
# intact, the daemon keeps serving, and once another file is removed writing
# works again. The same for writes into the holes of a sparse file and for
# O_APPEND (>>). df on the mount is df of the tmpfs.
#
# It needs its own small tmpfs on /dev/shm, so as root it re-runs itself in a
# private mount namespace (unshare -m) and mounts an 8 MiB tmpfs there; the
# machine's /dev/shm is never touched. Not root: skipped.

if [ -z "$PSHMFS_IN_NS" ]; then
	. "${top_srcdir:-.}/tests/tap.sh"
	[ "$(id -u)" -eq 0 ] || skip_all "needs root for a private tmpfs"
	command -v unshare >/dev/null || skip_all "unshare is not installed"
	unshare -m --propagation private true 2>/dev/null ||
		skip_all "no private mount namespace here"
	PSHMFS_OUTER_NS=$(readlink /proc/self/ns/mnt)
	exec env PSHMFS_IN_NS=1 PSHMFS_OUTER_NS="$PSHMFS_OUTER_NS" \
		unshare -m --propagation private bash "$0" "$@"
fi

. "${top_srcdir:-.}/tests/lib.sh"
require_fuse

# Never mount over the machine's /dev/shm: only in a namespace of our own.
if [ -z "$PSHMFS_OUTER_NS" ] || [ "$(readlink /proc/self/ns/mnt)" = "$PSHMFS_OUTER_NS" ]; then
	ok 1 "running in a private mount namespace"
	done_testing
	exit 1
fi
SHM_MOUNTED=
enospc_cleanup() {
	cleanup
	# Inside our namespace only (checked above).
	[ -n "$SHM_MOUNTED" ] && umount "$SHMDIR"
}
trap enospc_cleanup EXIT

. "${top_srcdir:-.}/tests/watchdog.sh"
mount -t tmpfs -o size=8M tmpfs "$SHMDIR" && SHM_MOUNTED=1
is "$(df -B1 --output=size "$SHMDIR" | tail -n 1 | tr -d ' ')" 8388608 \
	"a private 8 MiB tmpfs on $SHMDIR"
[ -n "$SHM_MOUNTED" ] || { done_testing; exit 1; }

start_pshmfs || { ok 1 "mount"; done_testing; exit 1; }

SRC=$SCRATCH/src
head -c 12M /dev/urandom >"$SRC"
M=1048576

# dd_bytes: the byte count that dd reported in the stderr that the last
# fails_with kept.
dd_bytes() {
	sed -n 's/^\([0-9][0-9]*\) bytes.* copied.*/\1/p' <<<"$FAILED_STDERR" | tail -n 1
}

# serving DESC: the daemon is alive and answers ls and cat.
serving() {
	kill -0 "$DAEMON_PID" 2>/dev/null && ls "$MNT" >/dev/null &&
		cmp -s <(head -c "$((2 * M))" "$SRC") "$MNT/keep"
	ok $? "$*: the daemon is alive, ls and cat work"
}

# avail: bytes the tmpfs has left.
avail() { df -B1 --output=avail "$SHMDIR" | tail -n 1 | tr -d ' '; }

# df_same DESC: df of the mount is df of the tmpfs, figure for figure.
df_same() {
	local cols=size,used,avail,itotal,iused,iavail
	is "$(df -B1 --output=$cols "$MNT" | tail -n 1)" \
		"$(df -B1 --output=$cols "$SHMDIR" | tail -n 1)" "$*"
}

# --- fill it up: 2 MiB to keep, three 1 MiB files to remove later ----------
head -c "$((2 * M))" "$SRC" >"$MNT/keep"
for f in f1 f2 f3; do head -c "$M" /dev/urandom >"$MNT/$f"; done
cksum_f3=$(cksum <"$MNT/f3")
df_same "df on the mount is df of the tmpfs (5 MiB used)"

# --- dd until full ----------------------------------------------------------
fails_with "No space left on device" "dd into the mount until full: No space left on device" \
	-- dd if="$SRC" of="$MNT/big" bs=100000
N=$(dd_bytes)
diag "dd wrote ${N:-?} bytes before ENOSPC"
[ -n "$N" ] && [ "$N" -gt $((2 * M)) ]
ok $? "dd wrote most of the 3 MiB left (${N:-?} bytes)"
is "$(avail)" 0 "the tmpfs is full"
is "$(stat -c %s "$MNT/big")" "$N" "the file's size is what dd reported written"
cmp -s -n "$N" "$SRC" "$MNT/big"
ok $? "every byte dd reported written reads back through the mount"
cmp -s -n "$N" "$SRC" "$SHMDIR/${PREFIX}big"
ok $? "every byte dd reported written is in the object"
serving "after ENOSPC"
is "$(ls "$MNT" | tr '\n' ' ')" "big f1 f2 f3 keep " "ls lists every file"
is "$(cksum <"$MNT/f3")" "$cksum_f3" "the other files are intact"
df_same "df on the mount is df of the tmpfs (full)"
fails_with "No space left on device" "full: echo into a new file fails with ENOSPC" \
	-- bash -c 'echo x >"$1"' _ "$MNT/small"
mkdir "$MNT/d1" && touch "$MNT/d1/x" && mv "$MNT/d1" "$MNT/d2" && [ -e "$MNT/d2/x" ]
ok $? "full: a directory rename works, as on tmpfs (its crash journal takes no block)"
rm -rf "$MNT/d2"

# --- rm another file: writing works again -------------------------------------
rm "$MNT/f1"
echo again >"$MNT/small"
ok $? "after rm of another file, echo > new file works"
is "$(cat "$MNT/small")" again "and reads back"
df_same "df on the mount is df of the tmpfs (1 MiB freed)"

# --- cp until full ------------------------------------------------------------
fails_with "No space left on device" "cp into the mount until full: No space left on device" \
	-- cp "$SRC" "$MNT/cp"
S=$(stat -c %s "$MNT/cp")
diag "cp wrote $S bytes before ENOSPC"
[ "$S" -gt $((M / 2)) ] && cmp -s -n "$S" "$SRC" "$MNT/cp"
ok $? "cp: the $S bytes written are intact"
serving "after ENOSPC from cp"

# --- O_APPEND (>>) until full -----------------------------------------------------
rm "$MNT/f2"
fails_with "No space left on device" "dd >> (O_APPEND) until full: No space left on device" \
	-- bash -c 'dd if="$1" bs=100000 skip="$2" iflag=skip_bytes >>"$3"' _ "$SRC" "$N" "$MNT/big"
A=$(dd_bytes)
diag "dd >> appended ${A:-?} bytes before ENOSPC"
[ -n "$A" ] && [ "$A" -gt $((M / 2)) ]
ok $? "the append wrote most of the 1 MiB freed (${A:-?} bytes)"
is "$(stat -c %s "$MNT/big")" "$((N + A))" "size after the append: what dd reported written"
cmp -s -n "$((N + A))" "$SRC" "$MNT/big"
ok $? "every byte before and in the append is intact"
is "$(avail)" 0 "the tmpfs is full again"
serving "after ENOSPC in O_APPEND"
rm "$MNT/f3"
printf 'TAIL' >>"$MNT/big"
ok $? "after rm of another file, >> works again"
is "$(tail -c 4 "$MNT/big")" TAIL "and the appended bytes are at the end"
cmp -s -n "$((N + A))" "$SRC" "$MNT/big"
ok $? "and the bytes before are intact"

# --- holes of a sparse file ---------------------------------------------------------
G=$((1024 * M))
MID=$((512 * M))
truncate -s 1G "$MNT/sparse"
ok $? "truncate -s 1G makes a sparse file in the full-ish tmpfs"
fails_with "No space left on device" "dd into the middle of the hole until full: No space left on device" \
	-- dd if="$SRC" of="$MNT/sparse" bs=100000 seek="$MID" oflag=seek_bytes conv=notrunc
H=$(dd_bytes)
diag "dd into the hole wrote ${H:-?} bytes before ENOSPC"
[ -n "$H" ] && [ "$H" -gt $((M / 2)) ]
ok $? "the write into the hole used the space freed (${H:-?} bytes)"
is "$(stat -c %s "$MNT/sparse")" "$G" "the sparse file's size stays 1 GiB"
cmp -s -n "$H" "$SRC" <(tail -c +"$((MID + 1))" "$MNT/sparse")
ok $? "every byte written into the hole reads back"
cmp -s -n "$H" "$SRC" <(tail -c +"$((MID + 1))" "$SHMDIR/${PREFIX}sparse")
ok $? "every byte written into the hole is in the object"
is "$(dd if="$MNT/sparse" bs=65536 skip=$((MID / 65536 - 1)) count=1 status=none | tr -d '\0' | wc -c)" 0 \
	"the hole just before reads as zeros"
is "$(avail)" 0 "the tmpfs is full again"
serving "after ENOSPC in a hole"
df_same "df on the mount is df of the tmpfs (full, sparse file)"
rm "$MNT/cp"
dd if="$SRC" of="$MNT/sparse" bs=65536 count=4 skip="$H" seek="$((MID + H))" \
	iflag=skip_bytes oflag=seek_bytes conv=notrunc status=none
ok $? "after rm of another file, writing into the hole works again"
cmp -s -n "$((H + 4 * 65536))" "$SRC" <(tail -c +"$((MID + 1))" "$MNT/sparse")
ok $? "the new bytes and those before are intact"

stop_pshmfs
ok $? "unmount: the daemon exits 0"
check_log
watchdog_check
done_testing
