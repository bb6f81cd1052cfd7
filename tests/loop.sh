#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The request loop (src/fuse/loop.c): a leader that polls for the next request
# for spin= microseconds, then sleeps. Under a burst the daemon serves; once
# the burst ends it sleeps (no CPU time while idle); it ends on SIGTERM and
# on unmount; -o spin=0, -s and -o clone_fd (libfuse's loops) serve too.
. "${top_srcdir:-.}/tests/lib.sh"
require_fuse

# CPU time so far of process $1's threads but its inotify thread (which
# follows all of /dev/shm, other programs' changes too), in clock ticks.
cpu_ticks() {
	local t sum=0
	for t in /proc/"$1"/task/*; do
		[ "$(cat "$t/comm" 2>/dev/null)" = pshmfs-watch ] && continue
		sum=$((sum + $(awk '{ print $14 + $15 }' "$t/stat" 2>/dev/null || echo 0)))
	done
	echo "$sum"
}

# burst: 300 creates, writes, stats and removals through the mount.
burst() {
	local i
	for i in $(seq 1 300); do
		echo "$i" >"$MNT/f$i"
	done
	cat "$MNT"/f* | wc -l
	rm -f "$MNT"/f*
}

# A mount with OPTIONS serves a burst, then sleeps: at most 4 ticks of CPU
# time in the 2 s after it (a daemon that kept polling would use 200).
serves_and_sleeps() {
	local label=$1 t0 t1
	shift
	start_pshmfs "$@" || { ok 1 "$label: mount"; return; }
	is "$(burst)" 300 "$label: a burst of 300 files is served"
	sleep 0.5
	t0=$(cpu_ticks "$DAEMON_PID")
	sleep 2
	t1=$(cpu_ticks "$DAEMON_PID")
	[ $((t1 - t0)) -le 4 ]
	ok $? "$label: idle afterwards, the daemon sleeps ($((t1 - t0)) ticks in 2 s)"
	is "$(our_objects)" "" "$label: nothing left"
	stop_pshmfs
	ok $? "$label: unmount: the daemon exits 0"
}

serves_and_sleeps "default (spin=50)"
serves_and_sleeps "spin=0" -o spin=0
serves_and_sleeps "spin=10000" -o spin=10000
serves_and_sleeps "-s (libfuse's single-threaded loop)" -s
serves_and_sleeps "clone_fd (libfuse's multi-threaded loop)" -o clone_fd

# SIGTERM while idle and while a reader streams: exit 0, nothing mounted.
start_pshmfs || { ok 1 "mount"; done_testing; exit 1; }
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID"
is $? 0 "SIGTERM to an idle daemon: exit 0"
DAEMON_PID=
is_mounted "$MNT"
is $? 1 "SIGTERM to an idle daemon: unmounted"

start_pshmfs || { ok 1 "mount"; done_testing; exit 1; }
head -c 8M /dev/zero >"$MNT/big"
(while cat "$MNT/big" >/dev/null 2>&1; do :; done) &
BG_PIDS="$BG_PIDS $!"
sleep 0.3
kill -TERM "$DAEMON_PID"
wait "$DAEMON_PID"
is $? 0 "SIGTERM while a reader streams: exit 0"
DAEMON_PID=
is_mounted "$MNT"
is $? 1 "SIGTERM while a reader streams: unmounted"
rm -f "$SHMDIR/${PREFIX}big"

# SIGTERM while files are made through the mount and removed outside it:
# the inotify thread is busy telling the kernel, and may wait in it for a
# directory that a create in flight holds; the daemon must still end.
start_pshmfs || { ok 1 "mount"; done_testing; exit 1; }
(i=0; while :; do i=$((i + 1)); : >"$MNT/c$i" 2>/dev/null || exit; done) &
BG_PIDS="$BG_PIDS $!"
(while :; do rm -f "$SHMDIR/${PREFIX}"c*; sleep 0.001; done) &
BG_PIDS="$BG_PIDS $!"
sleep 1
kill -TERM "$DAEMON_PID"
st=timeout
for i in $(seq 1 100); do
	kill -0 "$DAEMON_PID" 2>/dev/null || { wait "$DAEMON_PID"; st=$?; break; }
	sleep 0.1
done
is "$st" 0 "SIGTERM under creates inside and removals outside: exit 0 within 10 s"
[ "$st" = timeout ] || DAEMON_PID=
is_mounted "$MNT"
is $? 1 "SIGTERM under creates inside and removals outside: unmounted"
check_log
done_testing
