#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# kill -9 of the daemon in the middle of a directory rename of NOBJ objects
# (half of them moved: tests/fsop kill-after counts the moves in /dev/shm),
# under a create storm through the mount, while another program removes
# objects directly (so the watch thread is notifying, and may wait in the
# kernel for the root's lock that the unanswered rename holds):
#  - within 2 s every process blocked on the mount has returned, and the
#    daemon has exited (the guard, src/fuse/guard.c, aborted the
#    connection: ../shared/MEASURED.md item 12);
#  - fusermount3 -u works, a new mount works;
#  - the new mount finds the tree whole under exactly one name (the rename
#    journal, src/core/journal.c, finished the rename before mounting), no
#    journal is left, and nothing outside the prefix was touched.
# Rounds: a rename, a rename over an empty directory, an exchange
# (RENAME_EXCHANGE, three moves). DIRCRASH_OBJECTS sets NOBJ (20000).
# Whatever happens, the exit trap aborts our connection if it is still
# mounted, so no process stays in D state.
. "${top_srcdir:-.}/tests/lib.sh"
require_fuse
[ "$(id -u)" -eq 0 ] || skip_all "needs root (the guard writes to fusectl's abort file)"
FSOP=${top_builddir:-.}/tests/fsop
[ -x "$FSOP" ] || skip_all "$FSOP is not built"

NOBJ=${DIRCRASH_OBJECTS:-20000}
NOTHER=50   # objects of the directory an exchange swaps with
NVICTIM=4000 # top-level objects another program removes meanwhile
FUSECTL=/sys/fs/fuse/connections
CONN=

# The connection number of the mount at $1: the minor of its device.
conn_of() {
	awk -v m="$1" '$5 == m { split($3, d, ":"); c = d[2] } END { print c }' \
		/proc/self/mountinfo
}

# Free what a failed test would leave stuck: only our own connection, and
# only while our mount still holds it.
free_stuck() {
	if [ -n "$CONN" ] && [ "$(conn_of "$MNT")" = "$CONN" ] &&
		[ -w "$FUSECTL/$CONN/abort" ]; then
		echo 1 >"$FUSECTL/$CONN/abort"
	fi
}
trap 'free_stuck; cleanup' EXIT

count() { find "$SHMDIR" -maxdepth 1 -name "$1*" -printf . | wc -c; }

# A process has returned: gone, or a zombie waiting to be reaped.
returned() {
	local st
	st=$(awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null) || return 0
	[ -z "$st" ] || [ "$st" = Z ] || [ "$st" = X ]
}
state_of() { awk '{ sub(/.*\) /, ""); print $1 }' "/proc/$1/stat" 2>/dev/null || echo gone; }

# make_dir NAME N TAG: the directory NAME with N objects, made directly.
make_dir() {
	(cd "$SHMDIR" && echo "$3" >"$PREFIX$1:" &&
		seq -f "$PREFIX$1:f%.0f" 1 "$2" | xargs -r touch)
}

# round R KIND: KIND rename, over (onto an empty directory) or exchange.
round() {
	local r=$1 kind=$2 from=big to=moved watch pids p t0 i all bad
	rm -f -- "$SHMDIR/$PREFIX"*
	make_dir big "$NOBJ" big
	case $kind in
	over) make_dir moved 0 moved ;;
	exchange) to=other; make_dir other "$NOTHER" other ;;
	esac
	(cd "$SHMDIR" && seq -f "${PREFIX}v%.0f" 1 "$NVICTIM" | xargs touch)
	# Objects moved into TO: for an exchange, in its last of three moves.
	watch="$PREFIX$to:"
	start_pshmfs || { ok 1 "round $r: mount"; return; }
	CONN=$(conn_of "$MNT")
	ls "$MNT/$from" >/dev/null
	# The killer, then the remover, the storm and the rename.
	"$FSOP" kill-after "$DAEMON_PID" "$watch" $((NOBJ / 2)) >"$SCRATCH/killer" &
	local killer=$!
	for i in $(seq 100); do grep -q watching "$SCRATCH/killer" && break; sleep 0.02; done
	(cd "$SHMDIR" && seq -f "${PREFIX}v%.0f" 1 "$NVICTIM" | xargs -n 10 rm -f) &
	BG_PIDS="$BG_PIDS $!"
	(i=0; while : >"$MNT/s$i" 2>/dev/null; do i=$((i + 1)); done) &
	pids=$!
	if [ "$kind" = exchange ]; then
		"$FSOP" rename -x "$MNT/$from" "$MNT/$to" 2>"$SCRATCH/mv.err" &
	else
		mv -T "$MNT/$from" "$MNT/$to" 2>"$SCRATCH/mv.err" &
	fi
	pids="$pids $!"
	wait "$killer"
	t0=$(date +%s%N)
	diag "round $r ($kind): $(cat "$SCRATCH/killer" | tr '\n' ' ')"
	grep -q "killed after" "$SCRATCH/killer"
	ok $? "round $r: kill -9 the daemon with half of the $NOBJ objects moved"
	# Within 2 s: the rename, the storm and the daemon have all returned.
	for i in $(seq 200); do
		all=0
		for p in $pids "$DAEMON_PID"; do returned "$p" || all=1; done
		[ $all = 0 ] && break
		sleep 0.01
	done
	diag "round $r: all returned after $((($(date +%s%N) - t0) / 1000000)) ms"
	bad=
	for p in $pids "$DAEMON_PID"; do
		returned "$p" || bad="$bad $p:$(state_of "$p")"
	done
	is "$bad" "" "round $r: within 2 s the rename, the create storm and the daemon returned (none in D state)"
	[ -n "$bad" ] && free_stuck
	for p in $pids; do wait "$p"; done
	wait "$DAEMON_PID"
	is $? 137 "round $r: the daemon died of SIGKILL"
	DAEMON_PID=
	diag "round $r: the rename said: $(head -c 200 "$SCRATCH/mv.err")"
	fusermount3 -u "$MNT"
	ok $? "round $r: fusermount3 -u unmounts the dead mount"
	CONN=
	start_pshmfs
	ok $? "round $r: mount again"
	ls "$MNT" >/dev/null
	diag "round $r: objects under $from: $(count "$PREFIX$from:"), under $to: $(count "$PREFIX$to:")"
	if [ "$kind" = exchange ]; then
		[ "$(count "$PREFIX$to:")" -eq $((NOBJ + 1)) ] &&
			[ "$(count "$PREFIX$from:")" -eq $((NOTHER + 1)) ] &&
			[ "$(ls "$MNT/$to" | wc -l)" -eq "$NOBJ" ] &&
			[ "$(ls "$MNT/$from" | wc -l)" -eq "$NOTHER" ] &&
			[ "$(cat "$MNT/$to/f1" "$SHMDIR/$PREFIX$to:")" = big ] &&
			[ "$(count "${PREFIX}big.~")" -eq 0 ]
		ok $? "round $r: the two directories whole, swapped, through the mount and in $SHMDIR"
	else
		[ "$(count "$PREFIX$to:")" -eq $((NOBJ + 1)) ] &&
			[ "$(count "$PREFIX$from:")" -eq 0 ] &&
			[ "$(ls "$MNT/$to" | wc -l)" -eq "$NOBJ" ] &&
			[ "$(cat "$SHMDIR/$PREFIX$to:")" = big ] && [ ! -e "$MNT/$from" ]
		ok $? "round $r: the tree whole under exactly one name, through the mount and in $SHMDIR"
	fi
	grep -q "finished an interrupted" "$LOG"
	ok $? "round $r: the new daemon said it finished the rename"
	is "$(count "$PREFIX:.pshmfs-journal")" 0 "round $r: no journal left"
	is "$(cat "$SHMDIR/${PREFIX%.}-big:f1" "$SHMDIR/${PREFIX%.}-outside")" "not ours
not ours" "round $r: nothing outside the prefix touched"
	stop_pshmfs
	ok $? "round $r: the new daemon unmounts and exits 0"
	cat "$LOG" >>"$SCRATCH/all.log"
	: >"$LOG"
}

# Outside the prefix, with names a careless match would take.
echo "not ours" >"$SHMDIR/${PREFIX%.}-big:f1"
echo "not ours" >"$SHMDIR/${PREFIX%.}-outside"
WATCHDOG_SECONDS=${WATCHDOG_SECONDS:-150}
. "${top_srcdir:-.}/tests/watchdog.sh"
round 1 rename
round 2 over
round 3 exchange
is "$(grep -c 'connection .* aborted' "$SCRATCH/all.log")" 3 \
	"the guard aborted the connection at each of the 3 kills, never at a clean unmount"
LOG=$SCRATCH/all.log check_log
watchdog_check
done_testing
