#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Many processes at once on one mount: no corruption, no hang, no crash.
#  - fio (psync, --verify=crc32c): 4 jobs writing disjoint ranges of one
#    shared file (--offset_increment), and at the same time 4 jobs on 8
#    files each; every block read back and checked.
#  - meanwhile two "churn" loops create, stat, list, read, rename and
#    unlink files of their own, and stat and read fio's.
#  - two readers that open, pread and close the shared file in a loop.
#  - stress-ng file stressors on the mount, with --verify, churn still
#    going. Only stressors whose operations pshmfs supports (see below).
#    stress-ng makes a directory per stressor in --temp-path (the mount):
#    that part needs directories (the default delim=:); without, it skips.
#  - at the end fio --verify_only checks every file fio wrote once more.
# Everything under timeout, and a hung daemon is killed (its callers sleep
# where no timeout reaches): the daemon stays alive, its log clean.
. "${top_srcdir:-.}/tests/lib.sh"
require_fuse
command -v fio >/dev/null || skip_all "fio is not installed"

KILLED=
conc_cleanup() {
	[ -n "$CHURN_STOP" ] && : >"$CHURN_STOP"
	cleanup
}
trap conc_cleanup EXIT

. "${top_srcdir:-.}/tests/watchdog.sh"

start_pshmfs || { ok 1 "mount"; done_testing; exit 1; }
CHURN_STOP=$SCRATCH/churn.stop

# churn ID: until $CHURN_STOP exists (at most 60 s), over and over: make a
# file of its own, stat it, list the mount, read it back, rename it,
# remove it, and stat and read a fio file. Prints "rounds failures";
# failures of its own files' operations go to churn.ID.bad.
churn() {
	local id=$1 i=0 bad=0 f g end=$((SECONDS + 60))
	while [ ! -e "$CHURN_STOP" ] && [ $SECONDS -lt $end ]; do
		i=$((i + 1))
		f=$MNT/churn.$id.$i
		g=$MNT/churn.$id.$i.renamed
		{
			echo "churn $id $i" >"$f" &&
				[ "$(stat -c %s "$f")" -eq $((${#id} + ${#i} + 8)) ] &&
				[ "$(cat "$f")" = "churn $id $i" ] &&
				mv "$f" "$g" && [ ! -e "$f" ] &&
				[ "$(cat "$g")" = "churn $id $i" ] &&
				rm "$g" && [ ! -e "$g" ]
		} 2>>"$SCRATCH/churn.$id.bad" || { bad=$((bad + 1)); echo "round $i failed" >>"$SCRATCH/churn.$id.bad"; }
		# Others' files come and go: errors here are not failures.
		timeout 10 ls -l "$MNT" >/dev/null 2>&1
		timeout 10 stat "$MNT"/shared* >/dev/null 2>&1
		timeout 10 head -c 4096 "$MNT/shared" >/dev/null 2>&1
	done
	echo "$i $bad"
}

# --- fio: one shared file and many files, with churn -------------------------
# --directory before --filename: fio joins them as it parses.
FIO_COMMON=(--directory="$MNT" --ioengine=psync --rw=randwrite --bs=4k
	--verify=crc32c --verify_fatal=1 --do_verify=1 --verify_state_save=0
	--numjobs=4 --allow_file_create=1)
churn a >"$SCRATCH/churn.a.res" & BG_PIDS="$BG_PIDS $!"
churn b >"$SCRATCH/churn.b.res" & BG_PIDS="$BG_PIDS $!"
CHURN_PIDS=$BG_PIDS
timeout 50 fio --name=shared "${FIO_COMMON[@]}" --filename=shared \
	--size=4M --offset_increment=4M >"$SCRATCH/fio.shared" 2>&1 &
FIO1=$!
BG_PIDS="$BG_PIDS $FIO1"
timeout 50 fio --name=many "${FIO_COMMON[@]}" --nrfiles=8 --filesize=512k \
	>"$SCRATCH/fio.many" 2>&1 &
FIO2=$!
BG_PIDS="$BG_PIDS $FIO2"
wait "$FIO1"
st1=$?
wait "$FIO2"
st2=$?

# fio_summary FILE: per job "err=E written read", and the verify errors.
fio_summary() {
	grep -oE '(err= *[0-9]+)|(WRITE: bw=[^,]*, [^,]*, io=[^ ]*)|(READ: bw=[^,]*, [^,]*, io=[^ ]*)|verify.*' "$1" |
		sort | uniq -c | sed 's/^ */#   /'
}
for t in shared many; do
	diag "fio $t:"
	fio_summary "$SCRATCH/fio.$t"
done
[ $st1 -eq 0 ] && [ "$(grep -c 'err= 0' "$SCRATCH/fio.shared")" -eq 4 ] &&
	! grep -qi 'verify: bad' "$SCRATCH/fio.shared"
ok $? "fio, 4 jobs on disjoint ranges of one file: verify (crc32c) passes (exit $st1)"
[ $st2 -eq 0 ] && [ "$(grep -c 'err= 0' "$SCRATCH/fio.many")" -eq 4 ] &&
	! grep -qi 'verify: bad' "$SCRATCH/fio.many"
ok $? "fio, 4 jobs on 8 files each: verify (crc32c) passes (exit $st2)"
[ $st1 -ne 0 ] && awk '{ print "#   " $0 }' "$SCRATCH/fio.shared" | tail -n 30
[ $st2 -ne 0 ] && awk '{ print "#   " $0 }' "$SCRATCH/fio.many" | tail -n 30
is "$(stat -c %s "$MNT/shared")" $((16 * 1048576)) "the shared file is 4 x 4 MiB"
is "$(ls "$MNT" | grep -c '^many\.[0-3]\.[0-7]$')" 32 "the 32 files of the many-files job are listed"
kill -0 "$DAEMON_PID"
ok $? "after fio: the daemon is alive"

# --- readers that open, read and close, two at once --------------------------------
# Each read's reply races the other's release of the file in the daemon.
# finishes SECONDS PID...: all the PIDs end within SECONDS.
finishes() {
	local end=$((SECONDS + $1)) p live
	shift
	while :; do
		live=
		for p in "$@"; do kill -0 "$p" 2>/dev/null && live=1; done
		[ -z "$live" ] && return 0
		[ $SECONDS -ge $end ] && return 1
		sleep 0.1
	done
}
# unhang PID...: the daemon hangs: kill -9 it (its callers then get
# ENOTCONN), reap PID..., mount afresh.
unhang() {
	local p
	diag "the daemon hangs: kill -9 it, mount afresh"
	KILLED=" (the daemon was killed mid-way for hanging)"
	kill -9 "$DAEMON_PID"
	wait "$DAEMON_PID" 2>/dev/null
	DAEMON_PID=
	for p in "$@"; do wait "$p" 2>/dev/null; done
	fusermount3 -u "$MNT" || fusermount3 -uz "$MNT"
	start_pshmfs
}
READER='use Fcntl; my ($f, $secs) = @ARGV; my $end = time + $secs; my ($n, $bad) = (0, 0);
	while (time < $end) {
		sysopen(my $h, $f, O_RDONLY) or die "open: $!\n";
		for (1 .. 3) {
			sysseek($h, int(rand(64)) * 65536, 0);
			defined(sysread($h, my $b, 65536)) or die "read: $!\n";
		}
		close($h);
		$n++;
	}
	print "$n\n";'
perl -e "$READER" "$MNT/shared" 3 >"$SCRATCH/r1" 2>&1 &
R1=$!
perl -e "$READER" "$MNT/shared" 3 >"$SCRATCH/r2" 2>&1 &
R2=$!
if finishes 12 $R1 $R2; then
	wait $R1 && wait $R2
	ok $? "two readers, open + 3 preads of 64 KiB + close in a loop for 3 s: all came back ($(cat "$SCRATCH/r1") and $(cat "$SCRATCH/r2") rounds)"
else
	ok 1 "two readers, open + 3 preads of 64 KiB + close in a loop for 3 s: all came back (hung)"
	unhang $R1 $R2
fi
timeout 10 cat "$MNT/shared" >/dev/null &
C=$!
if finishes 15 $C; then
	wait $C
	ok $? "then cat of the whole file works"
else
	ok 1 "then cat of the whole file works (hung)"
	unhang $C
fi

# --- stress-ng file stressors, churn still going ----------------------------------
# Chosen from those that pass on a plain tmpfs and use only what pshmfs
# supports: create/open/read/write/pread/pwrite/lseek/ftruncate/fallocate
# (incl. punching holes), rename, unlink, utimes, chmod, fsync, readahead,
# POSIX and fcntl locks (the kernel's, on a FUSE mount), odd file names.
# With directories (mkdir works on the mount): dir and dirdeep as well.
# Left out: link and symlink (EPERM: shm has none), xattr (no xattrs),
# mknod (FIFOs and sockets: EPERM), copy-file (its smallest size is
# 128 MiB a file: too much memory for a test).
STRESSORS=(--hdd 2 --hdd-bytes 16M --seek 1 --seek-size 16M
	--fallocate 1 --fallocate-bytes 16M --fpunch 1 --rename 1 --dentry 1
	--readahead 1 --readahead-bytes 16M --sync-file 1 --sync-file-bytes 16M
	--iomix 1 --iomix-bytes 16M --lockf 1 --fcntl 1 --utime 1 --chmod 1
	--filename 1)
STRESS_PATH=
if ! command -v stress-ng >/dev/null; then
	why="stress-ng is not installed"
elif mkdir "$MNT/probe-dir" 2>/dev/null; then
	rmdir "$MNT/probe-dir"
	STRESS_PATH=$MNT
	STRESSORS+=(--dir 1 --dirdeep 1)
else
	why="stress-ng makes a directory per stressor: no mkdir on this mount"
fi

if [ -n "$STRESS_PATH" ]; then
	timeout 50 stress-ng "${STRESSORS[@]}" --verify \
		--temp-path "$STRESS_PATH" --timeout 10 --metrics-brief >"$SCRATCH/stress" 2>&1
	st=$?
	diag "stress-ng (exit $st), bogo ops per stressor:"
	grep -E 'metrc: .* [0-9]+ +[0-9.]+ +[0-9.]+ +[0-9.]+ ' "$SCRATCH/stress" |
		awk '{ printf "#   %s %s\n", $4, $5 }'
	grep -E 'fail|error|skipp|warn' "$SCRATCH/stress" | head -n 20 | awk '{ print "#   " $0 }'
	[ $st -eq 0 ] && grep -q 'successful run completed' "$SCRATCH/stress" &&
		! grep -Eq 'skipp|fail' "$SCRATCH/stress"
	ok $? "stress-ng: every stressor ran and passed its checks (--verify)"
	# The stressors: the options followed by an instance count.
	names=$(printf '%s\n' "${STRESSORS[@]}" | awk 'p && /^[0-9]+$/ { print p } { p = "" } /^--/ { p = substr($0, 3) }')
	want=$(echo $names)
	got=$(for n in $names; do
		grep -qE "metrc: .* $n +[1-9][0-9]* " "$SCRATCH/stress" && echo "$n"
	done)
	# How much each did depends on the machine's load: say, don't judge.
	diag "stressors: $want"
	diag "did some work: $(echo $got)"
	[ -z "$(ls -A "$STRESS_PATH" | grep "^tmp-stress-ng-")" ]
	ok $? "stress-ng removed its temporary directories"
	kill -0 "$DAEMON_PID"
	ok $? "after stress-ng: the daemon is alive"
else
	for d in "stress-ng: every stressor ran and passed its checks (--verify)" \
		"stress-ng removed its temporary directories" \
		"after stress-ng: the daemon is alive"; do
		tap_n=$((tap_n + 1))
		echo "ok $tap_n - $d # SKIP $why"
	done
fi

# --- stop churning; afterwards all is well ---------------------------------------
: >"$CHURN_STOP"
for p in $CHURN_PIDS; do wait "$p"; done
BG_PIDS=
for c in a b; do
	read -r rounds bad <"$SCRATCH/churn.$c.res"
	diag "churn $c: $rounds rounds of create/stat/cat/mv/rm + ls -l, $bad failed"
	[ -s "$SCRATCH/churn.$c.bad" ] && head -n 5 "$SCRATCH/churn.$c.bad" | awk '{ print "#   " $0 }'
	[ "${rounds:-0}" -ge 10 ] && [ "${bad:-1}" -eq 0 ]
	ok $? "churn $c: every create, stat, read, rename and unlink of its own files worked (${rounds:-0} rounds)$KILLED"
done
is "$(ls "$MNT" | grep -c '^churn')" 0 "no churn file left behind"
# fio's files, after stress-ng and churn: the same jobs, verify only.
timeout 50 fio --name=shared "${FIO_COMMON[@]}" --filename=shared \
	--size=4M --offset_increment=4M --verify_only >"$SCRATCH/fio.shared2" 2>&1 &&
	[ "$(grep -c 'err= 0' "$SCRATCH/fio.shared2")" -eq 4 ]
ok $? "fio --verify_only: the shared file still verifies at the end"
timeout 50 fio --name=many "${FIO_COMMON[@]}" --nrfiles=8 --filesize=512k \
	--verify_only >"$SCRATCH/fio.many2" 2>&1 &&
	[ "$(grep -c 'err= 0' "$SCRATCH/fio.many2")" -eq 4 ]
ok $? "fio --verify_only: the 32 files still verify at the end"
echo after >"$MNT/after" && [ "$(cat "$MNT/after")" = after ] && rm "$MNT/after"
ok $? "afterwards create, write, read, rm work"
kill -0 "$DAEMON_PID"
ok $? "the daemon is alive (pid $DAEMON_PID)"
timeout 20 bash -c 'fusermount3 -u "$1"' _ "$MNT"
ok $? "unmount, no hang"
wait "$DAEMON_PID"
ok $? "the daemon exits 0"
DAEMON_PID=
check_log
watchdog_check
done_testing
