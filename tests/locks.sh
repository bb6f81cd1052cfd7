#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Locks (issue 16): flock, POSIX (F_SETLK, F_SETLKW, F_GETLK) and OFD
# locks taken through the mount are held on the object, so they exclude
# the locks shm_open users hold and are excluded by them, both ways. Each
# case runs twice: through the mount against a shm_open user, and on the
# object's own tmpfs path against the same user, which must answer alike
# (and the main answers are checked outright). Then: locks merge and
# split within one owner; they go when the holder closes (POSIX: any of
# its descriptors of the file; OFD and flock: the last of the open file)
# or exits; a blocking wait through the mount is granted when the holder
# lets go, leaves the mount serving meanwhile, and ends with EINTR when
# the waiter is signalled (SIGUSR1, no SA_RESTART), or goes with it on
# kill -9, leaving no lock behind; more waits than the daemon's request
# threads do not stop it; SIGTERM during a wait ends it.
. "${top_srcdir:-.}/tests/lib.sh"
require_fuse
TOOL=${top_builddir:-.}/tests/shared_tool
[ -x "$TOOL" ] || skip_all "$TOOL is not built"

HOLD=30   # seconds a holder holds at most; tests end it sooner
HELD=
# hold TOOL_ARGS...: shared_tool in the background, holding what it took
# (its pid in HELD); returns once it has said "locked" or failed.
hold() {
	local out=$SCRATCH/hold.$RANDOM i
	"$TOOL" "$@" >"$out" 2>&1 &
	HELD=$!
	BG_PIDS="$BG_PIDS $HELD"
	for i in $(seq 1 500); do
		[ -s "$out" ] && break
		sleep 0.01
	done
	HELD_SAID=$(cat "$out")
}
# let_go: the holder exits (its locks go as it does).
let_go() {
	kill "$HELD" 2>/dev/null
	wait "$HELD" 2>/dev/null
}
# at SIDE NAME: the file NAME through the mount (m) or in tmpfs (t).
at() {
	if [ "$1" = m ]; then echo "$MNT/$2"; else echo "$SHMDIR/$PREFIX$2"; fi
}
# case SIDE HOLDER_ARGS -- TRY_ARGS: the holder is a shm_open user of /P f
# ("%" in its args), the trier uses SIDE's path ("@"); or the other way
# when the holder's args hold "@". Prints what the trier got, the
# holder's pid shown as HOLDER.
case_on() {
	local side=$1 h=() t=() x got
	shift
	while [ "$1" != -- ]; do
		x=${1//%//${PREFIX}f}
		h+=("${x//@/$(at "$side" f)}")
		shift
	done
	shift
	for x in "$@"; do
		x=${x//%//${PREFIX}f}
		t+=("${x//@/$(at "$side" f)}")
	done
	hold "${h[@]}"
	got=$("$TOOL" "${t[@]}" 2>&1)
	let_go
	echo "${got//pid=$HELD/pid=HOLDER}"
}
# check DESC WANT HOLDER_ARGS -- TRY_ARGS: through the mount as on tmpfs,
# and that is WANT.
check() {
	local desc=$1 want=$2 m t
	shift 2
	m=$(case_on m "$@")
	t=$(case_on t "$@")
	is "$m" "$t" "$desc: as on tmpfs"
	is "$m" "$want" "$desc: $want"
}

start_pshmfs || { ok 1 "mount"; done_testing; exit 1; }
echo "0123456789abcdefghij" >"$MNT/f"

# --- conflicts, both ways -------------------------------------------------
check "flock held by a shm_open user, tried through the mount" EAGAIN \
	lock % flock w 0 0 $HOLD -- lock @ flock w 0 0
check "flock held through the mount, tried by a shm_open user" EAGAIN \
	lock @ flock w 0 0 $HOLD -- lock % flock w 0 0
check "shared flocks on both sides" locked \
	lock % flock r 0 0 $HOLD -- lock @ flock r 0 0
check "POSIX lock held by a shm_open user, an overlapping one through the mount" EAGAIN \
	lock % posix w 10 5 $HOLD -- lock @ posix w 12 1
check "and one beside it" locked \
	lock % posix w 10 5 $HOLD -- lock @ posix w 20 1
check "POSIX lock held through the mount, tried by a shm_open user" EAGAIN \
	lock @ posix w 0 0 $HOLD -- lock % posix w 5 1
check "read locks on both sides" locked \
	lock @ posix r 0 0 $HOLD -- lock % posix r 0 0
check "a read lock through the mount keeps a shm_open user's write lock out" EAGAIN \
	lock @ posix r 0 0 $HOLD -- lock % posix w 0 0
check "OFD lock through the mount, POSIX lock by a shm_open user" EAGAIN \
	lock @ ofd w 0 0 $HOLD -- lock % posix w 0 0
check "OFD lock by a shm_open user, OFD lock through the mount" EAGAIN \
	lock % ofd w 0 0 $HOLD -- lock @ ofd w 0 0
check "lockf-style POSIX lock of a shm_open user, flock through the mount (independent on Linux)" locked \
	lock % posix w 0 0 $HOLD -- lock @ flock w 0 0
check "F_GETLK through the mount shows a shm_open user's lock and pid" "w 10 5 pid=HOLDER" \
	lock % posix w 10 5 $HOLD -- getlk @ posix w 0 0
check "F_GETLK through the mount shows another mount user's lock and pid" "w 3 4 pid=HOLDER" \
	lock @ posix w 3 4 $HOLD -- getlk @ posix w 0 0
check "F_GETLK with nothing in the way" unlocked \
	lock @ posix r 0 0 $HOLD -- getlk @ posix r 0 0
# F_OFD_GETLK through FUSE always shows pid -1 (the kernel marks the
# answer as an OFD lock's); tmpfs shows a POSIX holder's pid.
is "$(case_on m lock % posix w 10 5 $HOLD -- getlk @ ofd w 0 0)" "w 10 5 pid=-1" \
	"F_OFD_GETLK through the mount: the shm_open user's lock, pid -1"
# A shm_open user asking about a lock held through the mount sees the
# daemon's OFD lock: pid -1 where tmpfs would show the holder's.
is "$(case_on m lock @ posix w 2 3 $HOLD -- getlk % posix w 0 0)" "w 2 3 pid=-1" \
	"F_GETLK by a shm_open user of a lock held through the mount: the range, pid -1"

# --- merge and split within one owner ----------------------------------
for try in "w 3 2:locked" "w 0 3:EAGAIN" "w 5 5:EAGAIN" "w 10 1:locked"; do
	check "lock 0-9, unlock 3-4 through the mount; a shm_open user's lock ${try%%:*}" "${try#*:}" \
		lockseq @ posix $HOLD w:0:10 u:3:2 -- lock % posix ${try%%:*}
done

# --- locks go with their holder ------------------------------------------
# (A lock's last close is RELEASE, which the kernel sends without waiting:
# right after a holder's exit, fresh() gives it half a second.)
check "POSIX: closing another descriptor of the file drops the lock" locked \
	lockclose @ posix $HOLD -- lock % posix w 0 0
check "OFD: closing another open file keeps it" EAGAIN \
	lockclose @ ofd $HOLD -- lock % posix w 0 0
check "flock: closing another open file keeps it" EAGAIN \
	lockclose @ flock $HOLD -- lock % flock w 0 0
hold lock "$MNT/f" posix w 0 0 $HOLD
kill -9 "$HELD"
wait "$HELD" 2>/dev/null
fresh "the holder through the mount killed: its POSIX lock is gone" locked -- "$TOOL" lock "/${PREFIX}f" posix w 0 0
hold lock "$MNT/f" flock w 0 0 $HOLD
kill -9 "$HELD"
wait "$HELD" 2>/dev/null
fresh "and its flock" locked -- "$TOOL" lock "/${PREFIX}f" flock w 0 0

# --- blocking waits ---------------------------------------------------------
# wait_for KIND: a shm_open user holds; a waiter through the mount waits,
# the mount serves meanwhile, the holder lets go, the waiter gets it.
wait_for() {
	local kind=$1 out=$SCRATCH/waiter.$1 w t0 t1 i
	hold lock "/${PREFIX}f" "${kind%w}" w 0 0 $HOLD
	t0=$(date +%s%N)
	"$TOOL" lock "$MNT/f" "$kind" w 0 0 >"$out" 2>&1 &
	w=$!
	sleep 0.3
	is "$(cat "$out")" "" "$kind through the mount waits while a shm_open user holds"
	is "$(timeout 5 cat "$MNT/f")" "0123456789abcdefghij" "meanwhile the mount serves"
	let_go
	for i in $(seq 1 500); do
		[ -s "$out" ] && break
		sleep 0.01
	done
	wait "$w"
	t1=$(date +%s%N)
	is "$(cat "$out")" locked "$kind: granted when the holder exits"
	diag "$kind waited $(((t1 - t0) / 1000000)) ms (0.3 s of it on purpose)"
}
wait_for posixw
wait_for ofdw
wait_for flockw
# And the other way: a shm_open user waits for a lock held through the mount.
hold lock "$MNT/f" posix w 0 0 $HOLD
"$TOOL" lock "/${PREFIX}f" posixw w 0 0 >"$SCRATCH/shmwaiter" 2>&1 &
w=$!
sleep 0.3
let_go
wait "$w"
is "$(cat "$SCRATCH/shmwaiter")" locked "a shm_open user's F_SETLKW is granted when the mount's holder exits"

# interrupted KIND: the waiter through the mount gets SIGUSR1: EINTR.
interrupted() {
	local kind=$1 w t0 t1 got
	hold lock "/${PREFIX}f" "${kind%w}" w 0 0 $HOLD
	"$TOOL" lock "$MNT/f" "$kind" w 0 0 >"$SCRATCH/intr" 2>&1 &
	w=$!
	sleep 0.3
	t0=$(date +%s%N)
	kill -USR1 "$w"
	wait "$w"
	t1=$(date +%s%N)
	got=$(cat "$SCRATCH/intr")
	is "$got" EINTR "$kind through the mount, interrupted by a signal: EINTR"
	diag "$kind: EINTR $(((t1 - t0) / 1000000)) ms after the signal"
	let_go
	is "$("$TOOL" lock "/${PREFIX}f" "${kind%w}" w 0 0)" locked "$kind: the interrupted wait left no lock"
}
interrupted posixw
interrupted ofdw
interrupted flockw
# kill -9 of a waiter: it goes, and takes nothing with it.
hold lock "/${PREFIX}f" posix w 0 0 $HOLD
"$TOOL" lock "$MNT/f" posixw w 0 0 >/dev/null 2>&1 &
w=$!
sleep 0.3
kill -9 "$w"
wait "$w" 2>/dev/null
let_go
fresh "a waiter killed with -9 leaves no lock" locked -- "$TOOL" lock "/${PREFIX}f" posix w 0 0
# six_waiters: a shm_open user holds; six read-lock waits through the
# mount (their pids in WS).
six_waiters() {
	hold lock "/${PREFIX}f" posix w 0 0 $HOLD
	ws=
	for i in 1 2 3 4 5 6; do
		"$TOOL" lock "$MNT/f" posixw r 0 0 >/dev/null 2>&1 &
		ws="$ws $!"
	done
}
# Many waiters at once: the mount still serves.
six_waiters
sleep 0.3
is "$(timeout 5 cat "$MNT/f")" "0123456789abcdefghij" "six waiters: the mount still serves"
let_go
for w in $ws; do wait "$w"; done
ok $? "and the six are granted"
end_mount_test

# More waits than the request loop has threads (max_threads=2): each wait
# has a thread of its own, so the mount still serves, and a signal still
# ends a wait (its INTERRUPT is read).
start_pshmfs -o max_threads=2 || { ok 1 "mount with max_threads=2"; done_testing; exit 1; }
six_waiters
"$TOOL" lock "$MNT/f" posixw w 0 0 >"$SCRATCH/intr7" 2>&1 &
w=$!
sleep 0.3
is "$(timeout 5 cat "$MNT/f")" "0123456789abcdefghij" "max_threads=2 and seven waiters: the mount still serves"
kill -USR1 "$w"
wait "$w"
is "$(cat "$SCRATCH/intr7")" EINTR "and the seventh, signalled, gets EINTR"
let_go
for w in $ws; do wait "$w"; done
ok $? "the six are granted when the holder exits"
stop_pshmfs
ok $? "unmount: the daemon exits 0"

# The daemon stops (SIGTERM) while a wait through the mount is under way:
# the wait ends, the daemon exits and unmounts.
start_pshmfs || { ok 1 "mount again"; done_testing; exit 1; }
hold lock "/${PREFIX}f" posix w 0 0 $HOLD
"$TOOL" lock "$MNT/f" posixw w 0 0 >"$SCRATCH/stopped" 2>&1 &
w=$!
sleep 0.3
kill -TERM "$DAEMON_PID"
for i in $(seq 1 500); do
	kill -0 "$DAEMON_PID" 2>/dev/null || break
	sleep 0.01
done
if kill -0 "$DAEMON_PID" 2>/dev/null; then
	ok 1 "SIGTERM while a lock wait is under way: the daemon exits"
	kill -9 "$DAEMON_PID" # frees the waiter: ENOTCONN
	wait "$DAEMON_PID" 2>/dev/null
	ok 1 "with status 0"
else
	ok 0 "SIGTERM while a lock wait is under way: the daemon exits"
	wait "$DAEMON_PID"
	ok $? "with status 0"
fi
DAEMON_PID=
wait "$w"
got=$(cat "$SCRATCH/stopped")
[ "$got" = "No locks available" ] || [ "$got" = ENOTCONN ] || [[ $got == *"not connected"* ]]
ok $? "the waiter's fcntl fails (ENOLCK or ENOTCONN: $got)"
is_mounted "$MNT"
ok $((!$?)) "and the mount is gone"
let_go
check_log
done_testing
