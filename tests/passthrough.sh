#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# FUSE passthrough (-o passthrough=auto|on|off, src/fuse/passthrough.c):
# memory shared both ways between a mapping through the mount and a
# shm_open mapping (no msync, no reopen); write() seen by a mapper at once,
# a mapper's store seen by the next read(); no READ or WRITE request for a
# passed-through file (counted under -d), and some on the copy path, which
# shares none of that; after kill -9 of the daemon an open file still
# reads, writes and maps the object; random I/O with mmap (tests/fsx) clean
# in both modes; passthrough=on refused where it cannot work, with exit 1
# and the reason; the one log line that says which mode a mount is in.
# Needs root (CAP_SYS_ADMIN in the initial user namespace registers
# backing files) and a kernel that offers passthrough: else skipped.

. "${top_srcdir:-.}/tests/lib.sh"
require_fuse
unset PSHMFS_TEST_OPTS # this test chooses its modes itself
[ "$(id -u)" -eq 0 ] || skip_all "passthrough needs CAP_SYS_ADMIN: run as root"
PTSHARE=${top_builddir:-.}/tests/ptshare
FSX=${top_builddir:-.}/tests/fsx
[ -x "$PTSHARE" ] && [ -x "$FSX" ] || skip_all "tests/ptshare and tests/fsx are not built"
SEED=${FSX_SEED:-$(od -An -N4 -tu4 /dev/urandom | tr -d ' ')}
diag "fsx seed $SEED (FSX_SEED=$SEED to replay)"

# mode_line: the daemon's line that says which mode the mount is in.
mode_line() { grep 'pshmfs: passthrough:' "$LOG"; }

# restart OPTS...: a fresh daemon with a fresh log.
restart() {
	stop_pshmfs
	: >"$LOG"
	start_pshmfs "$@"
}

# requests OPCODE: how many the daemon served (under -d).
requests() { grep -c "opcode: $1 (" "$LOG"; }

# obj NAME: the object of the file NAME, for shm_open.
obj() { echo "/$PREFIX$1"; }

start_pshmfs || { ok 1 "mount"; done_testing; exit 1; }
if mode_line | grep -q 'does not offer'; then
	stop_pshmfs
	skip_all "this kernel does not offer FUSE passthrough: $(mode_line)"
fi
is "$(mode_line | wc -l)" 1 "one line says which mode the mount is in"
mode_line | grep -q 'passthrough: on:'
ok $? "by default, as root: passthrough on ($(mode_line))"

# --- memory shared with shm_open users ----------------------------------------
truncate -s 4096 "$MNT/s"
for c in map2shm shm2map write2map store2read; do
	err=$("$PTSHARE" $c "$MNT/s" "$(obj s)" 2>&1)
	ok $? "$c: $(case $c in
		map2shm) echo "a store into the mount's mapping shows in a shm_open mapping at once" ;;
		shm2map) echo "a store into a shm_open mapping shows in the mount's mapping at once" ;;
		write2map) echo "a write() through the mount shows in a shm_open mapping when it returns" ;;
		store2read) echo "a store into a shm_open mapping is what the next read() gives" ;;
		esac)"
	[ -n "$err" ] && diag "$err"
done

# Two files open on one object at once go through one backing file.
exec 3<>"$MNT/two"
printf 'first' >&3
is "$(cat "$MNT/two")" first "a second open while the first is open reads its write"
exec 3>&-

# Many opens and releases of one file at once, from four processes: its
# backing file registered and given back over and over, never an EIO.
printf 'hot' >"$MNT/hot"
for j in 1 2 3 4; do
	(for i in $(seq 1 150); do
		[ "$(head -c 3 "$MNT/hot")" = hot ] || echo "open $i: $(head -c 3 "$MNT/hot" 2>&1)"
	done >"$SCRATCH/hot.$j") &
	BG_PIDS="$BG_PIDS $!"
done
for p in $BG_PIDS; do wait "$p"; done
BG_PIDS=
is "$(cat "$SCRATCH"/hot.* | head -n 3)" "" "600 concurrent opens and releases of one file: every one read it"

# --- attributes ----------------------------------------------------------------
printf '0123456789' >"$MNT/attr"
is "$(stat -c %s "$MNT/attr")" 10 "a write through the mount shows in stat at once"
printf 'abc' >>"$MNT/attr"
is "$(stat -c %s "$MNT/attr")" 13 "an append through the mount shows in stat at once"
truncate -s 5 "$MNT/attr"
is "$(stat -c %s "$MNT/attr")" 5 "a truncate through the mount shows in stat at once"
"$PSHM" truncate "${PREFIX}attr" 3000
fresh "an outside ftruncate shows in stat" 3000 -- stat -c %s "$MNT/attr"
exec 3<"$MNT/attr"
"$PSHM" truncate "${PREFIX}attr" 7
fresh "an outside ftruncate of an open file shows in stat" 7 -- stat -c %s "$MNT/attr"
exec 3<&-

# --- random I/O with mmap --------------------------------------------------------
err=$(timeout 120 "$FSX" -s "$MNT/fsx" "$(obj fsx)" "$SEED" 4000 2>&1)
st=$?
ok $st "fsx, passthrough: 4000 random operations, the object equal to the model after each"
[ $st -eq 0 ] || diag "$err"

end_mount_test

# --- no data request for a passed-through file ----------------------------------
# -d: every request in the log. (Debug output names errors: no check_log.)
count_data_requests() {
	dd if=/dev/urandom of="$MNT/data" bs=64k count=16 status=none
	cat "$MNT/data" >/dev/null
	dd if="$MNT/data" of=/dev/null bs=4k status=none
	"$PTSHARE" map2shm "$MNT/data" "$(obj data)" >/dev/null 2>&1
	timeout 120 "$FSX" "$MNT/fsx2" "$(obj fsx2)" "$SEED" 500 >/dev/null
}
restart -d
count_data_requests
is "$(requests READ)/$(requests WRITE)" 0/0 \
	"passthrough: the daemon served no READ and no WRITE (dd, cat, mmap, fsx)"
restart -d -o passthrough=off
count_data_requests
[ "$(requests READ)" -gt 0 ] && [ "$(requests WRITE)" -gt 0 ]
ok $? "passthrough=off: the same served READs and WRITEs ($(requests READ)/$(requests WRITE)): the count is not vacuous"
stop_pshmfs

# --- the copy path --------------------------------------------------------------
restart -o passthrough=off
mode_line | grep -q 'passthrough: off, copying through the daemon: -o passthrough=off'
ok $? "passthrough=off: the log says so ($(mode_line))"
truncate -s 4096 "$MNT/s2"
"$PTSHARE" shm2map "$MNT/s2" "$(obj s2)" 2>/dev/null
ok $((!$?)) "passthrough=off: a shm_open store does not show in the mount's mapping (the copy path's cache)"
err=$(timeout 120 "$FSX" "$MNT/fsx" "$(obj fsx)" "$SEED" 4000 2>&1)
st=$?
ok $st "fsx, copy path: 4000 random operations, reads and the object equal to the model"
[ $st -eq 0 ] || diag "$err"
end_mount_test

for o in direct_io size=64m; do
	restart -o "$o"
	mode_line | grep -q "passthrough: off, copying through the daemon: -o ${o%%=*}"
	ok $? "-o $o: the copy path, and the log says why ($(mode_line))"
	stop_pshmfs
done
restart -o size=2m
fails_with "No space left on device" "-o size=2m: a write past the limit still fails with ENOSPC" -- \
	dd if=/dev/zero of="$MNT/big" bs=1M count=3 status=none
stop_pshmfs

# mount -o remount,size= on a mount that passes data through: refused.
restart
fails_with "this mount passes data through and cannot count writes" \
	"remount,size=64m where data passes through: refused with the reason" -- \
	"$PSHMFS" shm "$MNT" -o remount,size=64m
[ "$(df -k --output=size "$MNT" | tail -1 | tr -d ' ')" = "$(df -k --output=size "$SHMDIR" | tail -1 | tr -d ' ')" ]
ok $? "and the mount's capacity is still the tmpfs's"
stop_pshmfs

# --- passthrough=on ---------------------------------------------------------------
restart -o passthrough=on
mode_line | grep -q 'passthrough: on:'
ok $? "passthrough=on where it can: mounted, passthrough on"
stop_pshmfs

# refused WHY DESC -- CMD...: exits 1, says WHY, mounts nothing.
refused() {
	local why=$1 desc=$2 err st
	shift 3
	err=$(timeout 20 "$@" 2>&1 >/dev/null)
	st=$?
	[ $st -eq 1 ] && [[ $err == *"$why"* ]] && ! is_mounted "$MNT"
	ok $? "$desc"
	[ $st -eq 1 ] && [[ $err == *"$why"* ]] || diag "status $st: $err"
}
refused "pshmfs: passthrough=on: -o direct_io sends every read and write to the daemon" \
	"passthrough=on with direct_io: refused, exit 1, the reason" -- \
	"$PSHMFS" -f -o "prefix=$PREFIX,passthrough=on,direct_io" "$MNT"
refused "pshmfs: passthrough=on: -o size= counts" \
	"passthrough=on with size=: refused, exit 1, the reason" -- \
	"$PSHMFS" -f -o "prefix=$PREFIX,passthrough=on,size=1m" "$MNT"
refused "pshmfs: bad passthrough 'maybe': Invalid argument" \
	"passthrough=maybe: refused, exit 1" -- \
	"$PSHMFS" -f -o "prefix=$PREFIX,passthrough=maybe" "$MNT"
if unshare -Ur true 2>/dev/null; then
	refused "pshmfs: passthrough=on: registering backing files needs CAP_SYS_ADMIN in the initial user namespace" \
		"passthrough=on as root of a user namespace (unshare -Ur): refused, exit 1, the reason" -- \
		unshare -Ur "$PSHMFS" -f -o "prefix=$PREFIX,passthrough=on" "$MNT"
else
	ok 0 "# SKIP unshare -Ur does not work here"
fi

# --- kill -9 of the daemon -----------------------------------------------------------
# abort_mount: end the connection of $MNT (fusectl), so nothing waits.
abort_mount() {
	local dev
	dev=$(awk -v m="$MNT" '$5 == m { print $3 }' /proc/self/mountinfo)
	[ -n "$dev" ] || return 0
	[ -d /sys/fs/fuse/connections/"${dev#*:}" ] ||
		mount -t fusectl fusectl /sys/fs/fuse/connections 2>/dev/null
	echo 1 >/sys/fs/fuse/connections/"${dev#*:}"/abort 2>/dev/null
}
kill_cleanup() {
	abort_mount
	cleanup
}
trap kill_cleanup EXIT
restart
truncate -s 4096 "$MNT/k"
err=$("$PTSHARE" afterkill "$MNT/k" "$(obj k)" "$DAEMON_PID" 2>&1)
ok $? "after kill -9 of the daemon, an open file still writes, reads and maps the object"
[ -n "$err" ] && diag "$err"
wait "$DAEMON_PID" 2>/dev/null
DAEMON_PID=
abort_mount
fusermount3 -u "$MNT"
! is_mounted "$MNT"
ok $? "then the mount is freed (fusectl abort, fusermount3 -u)"

done_testing
