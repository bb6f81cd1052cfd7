#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Another program shrinks and unlinks an object under the mount. While
# readers loop cat and dd bs=4k over a file in the mount, and a writer loops
# dd conv=notrunc into it, another process (pshm, through shm_open) truncates
# the object to 0 and back, rewrites it, and every few rounds unlinks and
# recreates it. A third reader preads 64 KiB at random offsets in a tight
# loop (perl). The daemon must never die (no SIGBUS, no SIGSEGV); a read
# gives the file's bytes, fewer of them, or "Input/output error"; a write
# succeeds or gives "Input/output error"; afterwards everything works.
# Twice: with the page cache, then with -o direct_io. Last, open(O_CREAT)
# of the name while another process unlinks and recreates it: never ENOENT.
#
# SHRINK_SECONDS (default 4) sets how long each round runs.
. "${top_srcdir:-.}/tests/lib.sh"
require_fuse
[ -x "$PSHM" ] || skip_all "$PSHM is not built"
command -v perl >/dev/null || skip_all "perl is not installed"

DUR=${SHRINK_SECONDS:-4}
SIZE=1048576
SRC=$SCRATCH/src
OBJ=${PREFIX}f
head -c "$SIZE" /dev/urandom >"$SRC"


. "${top_srcdir:-.}/tests/watchdog.sh"

# A read's bytes: each is the source's byte at that offset, or zero (the
# object was truncated and grown back, not yet rewritten); never more than
# the source. Prints what is wrong, if anything.
check_bytes() {
	perl -e '
		open(my $o, "<:raw", $ARGV[0]) or die "$ARGV[0]: $!\n";
		open(my $s, "<:raw", $ARGV[1]) or die "$ARGV[1]: $!\n";
		local $/;
		my ($out, $src) = (<$o> // "", <$s>);
		if (length($out) > length($src)) {
			print "longer than the file: ", length($out), " bytes\n";
			exit 1;
		}
		my $diff = $out ^ substr($src, 0, length($out));
		(my $mask = $out) =~ tr/\x01-\xff/\xff/;
		my $bad = ($diff & $mask) =~ tr/\0//c;
		print "$bad bytes neither the source'"'"'s nor zero\n" if $bad;
		exit($bad ? 1 : 0);
	' "$1" "$SRC"
}

# reader cat|dd NAME: read the file in a loop for $DUR seconds; print
# "runs full short eio gone bad" and keep unexpected results in NAME.bad.
reader() {
	local how=$1 out=$SCRATCH/$2.out err=$SCRATCH/$2.err bad=$SCRATCH/$2.bad
	local end=$((SECONDS + DUR)) runs=0 full=0 short=0 eio=0 gone=0 nbad=0 st why
	: >"$bad"
	while [ $SECONDS -lt $end ] && [ $runs -lt 100000 ]; do
		runs=$((runs + 1))
		# The shell opens for cat: "open: line 1: ..." is the open,
		# "cat: -: ..." the reads.
		if [ "$how" = cat ]; then
			timeout 10 bash -c 'cat <"$1"' open "$MNT/f" >"$out" 2>"$err"
		else
			timeout 10 dd if="$MNT/f" of="$out" bs=4k status=none 2>"$err"
		fi
		st=$?
		why=$(check_bytes "$out") || { echo "run $runs: $why" >>"$bad"; nbad=$((nbad + 1)); continue; }
		if [ $st -eq 0 ]; then
			if [ "$(stat -c %s "$out")" -eq "$SIZE" ]; then full=$((full + 1)); else short=$((short + 1)); fi
		elif [ $st -ne 124 ] && grep -Eq "^(cat: -: |dd: error reading ).*Input/output error$" "$err"; then
			eio=$((eio + 1))
		elif [ $st -ne 124 ] && grep -Eq "^(open: line 1: |dd: failed to open ).*No such file or directory$" "$err" &&
			! grep -q "error reading\|cat: -" "$err"; then
			# Opened between unlink and create: not there, which is true.
			gone=$((gone + 1))
		else
			echo "run $runs: status $st: $(cat "$err")" >>"$bad"
			nbad=$((nbad + 1))
		fi
	done
	echo "$runs $full $short $eio $gone $nbad"
}

# preader NAME: one process, for $DUR seconds: open the file, pread 64 KiB
# at 50 random offsets (each checked as check_bytes does), close, again;
# print "opens reads full short eio gone bad" and keep what is unexpected
# in NAME.bad. Many reads per second hit the window of a shrink.
preader() {
	timeout $((DUR + 20)) perl -e '
		use strict;
		use Errno qw(EIO ENOENT);
		use Fcntl qw(O_RDONLY SEEK_SET);
		my ($f, $srcf, $dur, $bad) = @ARGV;
		open(my $s, "<:raw", $srcf) or die "$srcf: $!\n";
		local $/;
		my $src = <$s>;
		open(my $b, ">", $bad) or die "$bad: $!\n";
		my ($opens, $reads, $full, $short, $eio, $gone, $nbad) = (0) x 7;
		my $end = time + $dur;
		while (time < $end) {
			$opens++;
			my $h;
			if (!sysopen($h, $f, O_RDONLY)) {
				if ($! == ENOENT) { $gone++; next; }
				print $b "open: $!\n"; $nbad++; next;
			}
			for (1 .. 50) {
				my $off = int(rand(length($src) / 4096)) * 4096;
				$reads++;
				sysseek($h, $off, SEEK_SET);
				my $n = sysread($h, my $buf, 65536);
				if (!defined $n) {
					if ($! == EIO) { $eio++; next; }
					print $b "read at $off: $!\n"; $nbad++; next;
				}
				my $want = substr($src, $off, $n);
				(my $mask = $buf) =~ tr/\x01-\xff/\xff/;
				if ((($buf ^ $want) & $mask) =~ tr/\0//c) {
					print $b "read at $off: bytes neither the source nor zero\n"; $nbad++;
				} elsif ($n == 65536 || $off + $n == length($src)) {
					$full++;
				} else {
					$short++;
				}
			}
			close($h);
		}
		print "$opens $reads $full $short $eio $gone $nbad\n";
	' "$MNT/f" "$SRC" "$DUR" "$SCRATCH/$1.bad"
}

# writer NAME: write the source into the file in a loop (no O_TRUNC);
# print "runs ok eio gone bad".
writer() {
	local err=$SCRATCH/$1.err bad=$SCRATCH/$1.bad
	local end=$((SECONDS + DUR)) runs=0 okn=0 eio=0 gone=0 nbad=0 st
	: >"$bad"
	while [ $SECONDS -lt $end ] && [ $runs -lt 100000 ]; do
		runs=$((runs + 1))
		timeout 10 dd if="$SRC" of="$MNT/f" bs=64k conv=notrunc status=none 2>"$err"
		st=$?
		if [ $st -eq 0 ]; then
			okn=$((okn + 1))
		elif [ $st -ne 124 ] && grep -q "^dd: error writing .*Input/output error$" "$err"; then
			eio=$((eio + 1))
		elif [ $st -ne 124 ] && grep -q "^dd: failed to open .*No such file or directory$" "$err"; then
			gone=$((gone + 1))
		else
			echo "run $runs: status $st: $(cat "$err")" >>"$bad"
			nbad=$((nbad + 1))
		fi
	done
	echo "$runs $okn $eio $gone $nbad"
}

# shrinker: through shm_open only, truncate to 0 and back, rewrite, and
# every fifth round unlink and recreate; print "rounds unlinks failures".
shrinker() {
	local end=$((SECONDS + DUR)) i=0 un=0 fails=0
	while [ $SECONDS -lt $end ] && [ $i -lt 100000 ]; do
		i=$((i + 1))
		"$PSHM" truncate "$OBJ" 0 || fails=$((fails + 1))
		"$PSHM" truncate "$OBJ" "$SIZE" || fails=$((fails + 1))
		"$PSHM" write "$OBJ" <"$SRC" || fails=$((fails + 1))
		if [ $((i % 5)) -eq 0 ]; then
			un=$((un + 1))
			"$PSHM" unlink "$OBJ" || fails=$((fails + 1))
			"$PSHM" create -c "$OBJ" || fails=$((fails + 1))
			"$PSHM" write "$OBJ" <"$SRC" || fails=$((fails + 1))
		fi
	done
	echo "$i $un $fails"
}

# show NAME: the unexpected results a loop kept, as diagnostics.
show_bad() { [ -s "$SCRATCH/$1.bad" ] && head -n 5 "$SCRATCH/$1.bad" | awk '{ print "#   " $0 }'; }

round() {
	local mode=$1 r1 r2 w s
	shift
	start_pshmfs "$@" || { ok 1 "mount ($mode)"; return 1; }
	cp "$SRC" "$MNT/f"
	reader cat cat >"$SCRATCH/cat.res" & BG_PIDS="$BG_PIDS $!"
	reader dd dd >"$SCRATCH/dd.res" & BG_PIDS="$BG_PIDS $!"
	preader pr >"$SCRATCH/pr.res" & BG_PIDS="$BG_PIDS $!"
	writer wr >"$SCRATCH/wr.res" & BG_PIDS="$BG_PIDS $!"
	shrinker >"$SCRATCH/sh.res" & BG_PIDS="$BG_PIDS $!"
	# The loops end by themselves after $DUR s; a caller still waiting on
	# the daemon long after that is in uninterruptible sleep: the daemon
	# hangs. Then kill -9 it, which fails the calls with ENOTCONN.
	local p dead= hung= live=1 deadline=$((SECONDS + DUR + 20))
	while [ -n "$live" ]; do
		live=
		for p in $BG_PIDS; do kill -0 "$p" 2>/dev/null && live=1; done
		kill -0 "$DAEMON_PID" 2>/dev/null || dead=1
		if [ -n "$live" ] && [ -z "$hung" ] && [ $SECONDS -ge $deadline ]; then
			hung=1
			diag "$mode: callers still waiting $((DUR + 20)) s in: kill -9 the hung daemon"
			kill -9 "$DAEMON_PID"
		fi
		sleep 0.2
	done
	for p in $BG_PIDS; do wait "$p"; done
	BG_PIDS=
	[ -z "$hung" ]
	ok $? "$mode: no hang: every reader and writer came back"
	[ -z "$hung" ] && [ -z "$dead" ] && kill -0 "$DAEMON_PID" 2>/dev/null
	ok $? "$mode: the daemon lived through the shrinks (pid $DAEMON_PID)"
	read -r s sun sfail <"$SCRATCH/sh.res"
	diag "$mode: shrinker: $s rounds (truncate 0, truncate $SIZE, rewrite), $sun unlink+recreate, $sfail pshm failures"
	[ "${s:-0}" -ge 5 ] && [ "${sun:-0}" -ge 1 ]
	ok $? "$mode: the object was shrunk ${s:-0} times and unlinked ${sun:-0} times"
	for r in cat dd; do
		read -r runs full short eio gone nbad <"$SCRATCH/$r.res"
		diag "$mode: $r reader: $runs reads: $full whole, $short short, $eio EIO, $gone while unlinked, $nbad unexpected"
		show_bad "$r"
		[ "${runs:-0}" -ge 1 ] && [ "${nbad:-1}" -eq 0 ]
		ok $? "$mode: $r: every read gave the file's bytes, fewer, or EIO (${runs:-0} reads)"
	done
	read -r opens runs full short eio gone nbad <"$SCRATCH/pr.res"
	diag "$mode: pread reader: $opens opens ($gone while unlinked), $runs preads of 64 KiB: $full whole, $short short, $eio EIO, $nbad unexpected"
	show_bad pr
	[ "${runs:-0}" -ge 10 ] && [ "${nbad:-1}" -eq 0 ]
	ok $? "$mode: pread: every read gave the file's bytes, fewer, or EIO (${runs:-0} reads)"
	read -r runs wok eio gone nbad <"$SCRATCH/wr.res"
	diag "$mode: writer: $runs dd runs: $wok ok, $eio EIO, $gone ENOENT at open, $nbad unexpected"
	show_bad wr
	[ "${runs:-0}" -ge 1 ] && [ "${nbad:-1}" -eq 0 ]
	ok $? "$mode: every write succeeded or gave EIO (${runs:-0} writes)"

	# Afterwards: everything works.
	cp "$SRC" "$MNT/f" && cmp -s "$SRC" "$MNT/f" && cmp -s "$SRC" "$SHMDIR/$OBJ"
	ok $? "$mode: afterwards, cp into the file and read back: equal"
	echo after >"$MNT/g" && [ "$(cat "$MNT/g")" = after ] &&
		[ "$(ls "$MNT" | tr '\n' ' ')" = "f g " ] && rm "$MNT/g" &&
		[ ! -e "$SHMDIR/${PREFIX}g" ]
	ok $? "$mode: afterwards, create, read, ls and rm work"
	stop_pshmfs
	ok $? "$mode: unmount: the daemon exits 0"
}

round "page cache"
round "direct_io" -o direct_io

# --- open(O_CREAT) while another process unlinks and recreates the name ------
# On tmpfs an open with O_CREAT never fails with ENOENT: the name either
# holds a file, which is opened, or none, and one is made.
start_pshmfs || ok 1 "mount"
echo x >"$MNT/f"
(
	end=$((SECONDS + 3))
	while [ $SECONDS -lt $end ]; do
		"$PSHM" unlink "$OBJ" && "$PSHM" create -c "$OBJ" && "$PSHM" write "$OBJ" data
	done
) >/dev/null 2>&1 &
RECREATOR=$!
BG_PIDS=$RECREATOR
opens=0
end=$((SECONDS + 3))
: >"$SCRATCH/creat.err"
while [ $SECONDS -lt $end ] && [ $opens -lt 100000 ]; do
	opens=$((opens + 1))
	echo data | timeout 10 dd of="$MNT/f" conv=notrunc status=none 2>>"$SCRATCH/creat.err"
done
wait "$RECREATOR"
BG_PIDS=
failed=$(grep -c . "$SCRATCH/creat.err")
diag "open(O_CREAT) under unlink+recreate: $opens opens, $failed failed$(sed 's/.*: //' "$SCRATCH/creat.err" | sort | uniq -c | tr -s ' \n' ' ' | sed 's/^ */: /')"
[ "$opens" -ge 20 ] && [ "$failed" -eq 0 ]
ok $? "open(O_CREAT) of a name another process unlinks and recreates never fails ($failed of $opens did)"
kill -0 "$DAEMON_PID"
ok $? "the daemon is alive"
stop_pshmfs

# libfuse prints "fuse: writing device: Bad address" when the kernel fails
# to copy a read reply out of a mapping that shrank: that is the EIO path.
diag "daemon log lines for read replies from shrunk mappings: $(grep -c 'fuse: writing device: Bad address' "$LOG")"
grep -v '^fuse: writing device: Bad address$' "$LOG" >"$SCRATCH/log.rest"
LOG=$SCRATCH/log.rest check_log
watchdog_check
done_testing
