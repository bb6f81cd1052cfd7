#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# mount -o remount (issue 16): "pshmfs SOURCE DIR -o remount,size=N" (what
# mount.fuse3 runs) hands the options to the running daemon and exits
# with its answer; size= up and down shows in df at once; below what is in
# use it is refused with EINVAL's message and nothing changes (all options
# or none); nr_inodes=, mode=, uid=, gid= likewise; options only a new
# mount sets, and unknown ones, are refused; another user is refused;
# then the same through mount(8) and mount.fuse3 (in a private mount
# namespace), side by side with a tmpfs.
. "${top_srcdir:-.}/tests/lib.sh"
require_fuse

# size_of DIR: the capacity df shows, in KiB.
size_of() { df -k --output=size "$1" | tail -1 | tr -d ' '; }
remount() { "$PSHMFS" shm "$MNT" -o "remount,$1"; }

start_pshmfs -o size=64m || { ok 1 "mount"; done_testing; exit 1; }
is "$(size_of "$MNT")" 65536 "mounted with size=64m: df shows 64 MiB"
remount size=16m
ok $? "pshmfs -o remount,size=16m: exit 0"
is "$(size_of "$MNT")" 16384 "df shows 16 MiB at once"
remount size=128m
is "$(size_of "$MNT")" 131072 "and up again: 128 MiB"
head -c 3145728 /dev/zero >"$MNT/big"
fails_with "size=1048576: too small for current use (3145728 bytes)" \
	"size=1m below the 3 MiB in use: refused" -- remount size=1m
remount size=1m 2>/dev/null
is "$?" 1 "with exit status 1"
is "$(size_of "$MNT")" 131072 "nothing changed"
fails_with "too small" "size=1m,mode=700: refused whole" -- remount size=1m,mode=700
is "$(stat -c %a "$MNT")" 1777 "the mode did not change either"
remount size=4m
ok $? "size=4m holds the 3 MiB: accepted"
fails_with "No space left on device" "past it, a write: ENOSPC" -- dd if=/dev/zero of="$MNT/more" bs=1M count=2 status=none
rm -f "$MNT/more"
remount size=0
ok $? "size=0: no limit of the mount's own"
echo x >"$MNT/a"
echo x >"$MNT/b"
fails_with "nr_inodes=2: too few for current use (3 objects)" "nr_inodes=2 with 3 objects: refused" -- remount nr_inodes=2
remount nr_inodes=4
ok $? "nr_inodes=4: accepted"
echo x >"$MNT/c"
fails_with "No space left on device" "a fifth object: ENOSPC" -- touch "$MNT/d"
remount mode=0750,uid=12345,gid=54321
ok $? "mode=, uid=, gid=: accepted"
is "$(stat -c '%a %u %g' "$MNT")" "750 12345 54321" "the root shows them at once"
remount mode=1777,uid=0,gid=0
fails_with "prefix=x: only a new mount can set this" "prefix= cannot change" -- remount prefix=x
fails_with "bogus: unknown option" "an unknown option: refused" -- remount bogus
fails_with "size=lots: bad value" "a bad size: refused" -- remount size=lots
fails_with "a mount cannot be made read-only live" "ro: refused" -- remount ro
fails_with "not a pshmfs mount" "a directory that is no mount: refused" -- "$PSHMFS" shm "$SCRATCH" -o remount,size=1m
if [ "$(id -u)" -eq 0 ] && command -v setpriv >/dev/null; then
	fails_with "Operation not permitted" "another user (nobody) may not remount" -- \
		setpriv --reuid=65534 --regid=65534 --clear-groups "$PSHMFS" shm "$MNT" -o remount,size=1g
	is "$(size_of "$MNT")" "$(df -k --output=size "$SHMDIR" | tail -1 | tr -d ' ')" "nothing changed (no limit: the tmpfs's)"
else
	diag "the other-user case needs root and setpriv"
fi
rm -f "$MNT"/*
end_mount_test

# mount(8) and mount.fuse3, beside a tmpfs, in a private mount namespace
# (pshmfs in a private /usr/local/bin, where mount.fuse3's sh finds it).
if [ "$(id -u)" -ne 0 ] || ! command -v unshare >/dev/null; then
	diag "mount(8) part skipped: needs root and unshare"
	done_testing
	exit
fi
mkdir "$SCRATCH/tmpfs"
out=$(MNT=$MNT PREFIX=$PREFIX PSHMFS=$PSHMFS T=$SCRATCH/tmpfs timeout 120 \
	unshare --mount --propagation private bash -c '
	size() { df -k --output=size "$1" | tail -1 | tr -d " "; }
	mount -t tmpfs -o mode=755 pshmfs-test /usr/local/bin
	ln -s "$PSHMFS" /usr/local/bin/pshmfs
	mount -t fuse.pshmfs shm "$MNT" -o "prefix=$PREFIX,size=8m" || exit 1
	mount -t tmpfs -o size=8m pshmfs-test "$T" || exit 1
	trap "umount \"$MNT\" \"$T\" 2>/dev/null" EXIT
	for d in "$MNT" "$T"; do
		mount -o remount,size=16m "$d"; echo "up $? $(size "$d")"
		head -c 3145728 /dev/zero >"$d/big"
		mount -o remount,size=1m "$d" 2>/dev/null; echo "below use $? $(size "$d")"
		mount -o remount,size=4m "$d"; echo "down $? $(size "$d")"
		rm "$d/big"
	done
	mount.fuse3 shm "$MNT" -t fuse.pshmfs -o remount,size=2m; echo "mount.fuse3 $? $(size "$MNT")"
	umount "$MNT"
	# A remount at once after the mount: the daemon is still starting
	# its channel (the client waits for it).
	fails=0
	for i in $(seq 1 10); do
		mount -t fuse.pshmfs shm "$MNT" -o "prefix=$PREFIX" || exit 1
		mount -o remount,nr_inodes=$((1000 + i)) "$MNT" 2>/dev/null || fails=$((fails + 1))
		umount "$MNT"
	done
	echo "at once $fails"
' 2>&1)
got() { echo "$out" | grep "^$1 " | sed -n "${2}p"; }
is "$(got up 1)" "up 0 16384" "mount -o remount,size=16m on pshmfs: 0, df 16 MiB"
is "$(got up 2)" "up 0 16384" "... as on tmpfs"
is "$(got below 1 | cut -d' ' -f4)" 16384 "below use on pshmfs: nothing changed"
is "$(got below 2 | cut -d' ' -f4)" 16384 "... as on tmpfs"
ok "$([ "$(got below 1 | cut -d' ' -f3)" != 0 ] && [ "$(got below 2 | cut -d' ' -f3)" != 0 ]; echo $?)" \
	"below use: mount(8) fails on both ($(got below 1 | cut -d' ' -f3), $(got below 2 | cut -d' ' -f3))"
is "$(got down 1)" "down 0 4096" "remount,size=4m above use on pshmfs: 0, df 4 MiB"
is "$(got down 2)" "down 0 4096" "... as on tmpfs"
is "$(got mount.fuse3 1)" "mount.fuse3 0 2048" "mount.fuse3 ... -o remount,size=2m: 0, df 2 MiB"
is "$(got 'at once' 1)" "at once 0" "a remount right after each of 10 mounts: none refused"
done_testing
