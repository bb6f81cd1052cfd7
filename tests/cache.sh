#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# With attr_timeout= and entry_timeout= above 0 (the default is 1 s) the
# kernel caches attributes and names; the daemon's inotify thread
# (src/fuse/watch.c) tells it what other programs changed. Every change made
# through shm_open must show through the mount well before the 30 s the
# cache would otherwise keep it; with the defaults, how soon is measured;
# with timeouts 0, it shows at the very next stat.
. "${top_srcdir:-.}/tests/lib.sh"
require_fuse
[ -x "$PSHM" ] || skip_all "$PSHM is not built"
FSOP=${top_builddir:-.}/tests/fsop
start_pshmfs -o attr_timeout=30,entry_timeout=30 || { ok 1 "mount"; done_testing; exit 1; }

echo hello >"$MNT/f"
mkdir "$MNT/d"
echo x >"$MNT/d/y"
stat "$MNT/f" "$MNT/d" "$MNT/d/y" >/dev/null # now in the kernel's cache
"$PSHM" truncate "${PREFIX}f" 100
fresh "an outside ftruncate shows in stat" 100 -- stat -c %s "$MNT/f"
"$PSHM" chmod 604 "${PREFIX}f"
fresh "an outside fchmod shows in stat" 604 -- stat -c %a "$MNT/f"
"$PSHM" write "${PREFIX}f" changed
fresh "an outside write shows in stat and in the next open+read" "7 changed" -- \
	sh -c "stat -c %s '$MNT/f' | tr '\n' ' '; cat '$MNT/f'"
"$PSHM" create -c "${PREFIX}g"
fresh "an object made outside shows in ls" "d f g" -- sh -c "ls '$MNT' | tr '\n' ' ' | sed 's/ \$//'"
"$PSHM" unlink "${PREFIX}g"
fresh "an object removed outside goes from stat" "gone" -- sh -c "stat '$MNT/g' >/dev/null 2>&1 || echo gone"
"$PSHM" truncate "${PREFIX}d:y" 9
fresh "an outside ftruncate in a directory shows" 9 -- stat -c %s "$MNT/d/y"
"$PSHM" unlink "${PREFIX}d:y"
fresh "an object removed outside goes from its directory" "" -- ls "$MNT/d"
"$PSHM" create -c "${PREFIX}d:z"
fresh "an object made outside shows in its directory" z -- ls "$MNT/d"
# A file made through the mount and at once removed by another program,
# 200 times: both events are often read together, when the name is gone
# already, so the index never held it; the kernel's entry from the create
# must go all the same (it stayed for the whole 30 s: 150-200 of 200).
late=$(perl -MTime::HiRes=usleep -e '
	my ($mnt, $obj, $late) = (@ARGV, 0);
	for my $i (1 .. 200) {
		open(my $f, ">", "$mnt/quick$i") or die "create: $!";
		close($f);
		unlink("${obj}quick$i") or die "unlink: $!";
		my $ms = 0;
		usleep(1000) while -e "$mnt/quick$i" && ++$ms <= 50;
		$late++ if -e "$mnt/quick$i";
	}
	print "$late\n";
' "$MNT" "$SHMDIR/$PREFIX")
is "$late" 0 "a file made through the mount and removed at once by another program goes from stat within 50 ms (200 of 200)"
stop_pshmfs
ok $? "unmount: the daemon exits 0"
check_log

# --- default options (1 s caches): how soon an outside change shows ----------
start_pshmfs || { ok 1 "mount with default options"; done_testing; exit 1; }
echo x >"$MNT/lag"
lag=$("$FSOP" lag "$SHMDIR/${PREFIX}lag" "$MNT/lag" 500)
ok $? "default options: each of 500 outside ftruncates shows through stat"
diag "default options: $lag"
median=$(echo "$lag" | sed -n 's/.* median \([0-9]*\) us.*/\1/p')
[ -n "$median" ] && [ "$median" -lt 50000 ]
ok $? "default options: the median wait (${median:-?} us) is far below the 1 s cache"

# Which inodes the daemon watches, from its inotify descriptor's fdinfo:
# "INO MASK" lines, in hex as the kernel prints them.
watches() {
	local fd
	for fd in /proc/"$DAEMON_PID"/fd/*; do
		[ "$(readlink "$fd")" = anon_inode:inotify ] &&
			sed -n 's/^inotify wd:[0-9a-f]* ino:\([0-9a-f]*\) .* mask:\([0-9a-f]*\) .*/\1 \2/p' \
				/proc/"$DAEMON_PID"/fdinfo/"${fd##*/}"
	done
}
hex_ino() { printf '%x' "$(stat -c %i "$1")"; }
dirmask=$(watches | awk -v i="$(hex_ino "$SHMDIR")" '$1 == i { print $2 }')
[ -n "$dirmask" ] && (( (0x$dirmask & 0x6) == 0 ))
ok $? "the shm directory's watch (mask ${dirmask:-none}) has no IN_MODIFY or IN_ATTRIB: reads and writes of objects do not notify it"
echo x >"$MNT/seen" && stat "$MNT/seen" >/dev/null
seenino=$(hex_ino "$SHMDIR/${PREFIX}seen")
is "$(watches | awk -v i="$seenino" '$1 == i { print $2 }')" 6 \
	"a file the kernel knows has its own watch of IN_MODIFY and IN_ATTRIB"
"$PSHM" create -c "${PREFIX}unseen"
is "$(watches | grep -c "^$(hex_ino "$SHMDIR/${PREFIX}unseen") ")" 0 \
	"an object the kernel was not told of is not watched"
rm "$MNT/seen" "$SHMDIR/${PREFIX}unseen"
gone=1
for _ in $(seq 50); do
	watches | grep -q "^$seenino " || { gone=0; break; }
	sleep 0.01
done
ok $gone "the watch goes with the file"
stop_pshmfs
ok $? "unmount: the daemon exits 0"

# --- timeouts 0: the kernel asks every time, so at once by construction ------
start_pshmfs -o attr_timeout=0,entry_timeout=0 ||
	{ ok 1 "mount with timeouts 0"; done_testing; exit 1; }
lag=$("$FSOP" lag "$SHMDIR/${PREFIX}lag" "$MNT/lag" 200)
is "${lag%%,*}" "first stat 200/200" "timeouts 0: every outside ftruncate shows at the very next stat"
"$PSHM" chmod 604 "${PREFIX}lag"
is "$(stat -c %a "$MNT/lag")" 604 "timeouts 0: an outside fchmod shows at the next stat"
"$PSHM" unlink "${PREFIX}lag"
[ -e "$MNT/lag" ]
is $? 1 "timeouts 0: an outside shm_unlink shows at the next stat"
"$PSHM" create -c "${PREFIX}lag"
[ -e "$MNT/lag" ]
is $? 0 "timeouts 0: an outside shm_open(O_CREAT) shows at the next stat"
stop_pshmfs
ok $? "unmount: the daemon exits 0"

# --- -s and clone_fd (libfuse's loops) keep no caches: as timeouts 0 ---------
for o in -s "-o clone_fd"; do
	# shellcheck disable=SC2086 # two words for "-o clone_fd"
	start_pshmfs $o || { ok 1 "mount with $o"; continue; }
	lag=$("$FSOP" lag "$SHMDIR/${PREFIX}lag" "$MNT/lag" 100)
	is "${lag%%,*}" "first stat 100/100" "$o: no caches, every outside ftruncate shows at the very next stat"
	stop_pshmfs
	ok $? "$o: unmount: the daemon exits 0"
done
check_log
done_testing
