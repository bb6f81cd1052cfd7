#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Passthrough in a private mount namespace (unshare -m; the machine's
# /dev/shm is never touched), with our own file systems on /dev/shm:
# - a tmpfs: passthrough gives its backing files back. The kernel holds
#   the object of a passed-through file while its backing id is
#   registered, so a removed object's memory is freed only once the daemon
#   closes that id at the node's last release (src/fuse/passthrough.c):
#   after opens one at a time, opens overlapping, a mapping that outlives
#   its descriptor, and an rm of an open file, df shows the pages back.
# - an overlay, whose files the kernel will not take as backing files
#   (ELOOP: stacked too deep): each node falls back to the copy path on
#   its own, its opens all copied, overlapping ones too (never a
#   passed-through and a copied open of one inode: the kernel fails that
#   with EIO).
# Root only; skipped where the kernel does not offer passthrough.

if [ -z "$PSHMFS_PRIVATE_NS" ]; then
	. "${top_srcdir:-.}/tests/tap.sh"
	[ "$(id -u)" -eq 0 ] || skip_all "needs root (passthrough, a private tmpfs)"
	unshare -m --propagation private true 2>/dev/null ||
		skip_all "no private mount namespace (unshare -m)"
	outer=$(readlink /proc/self/ns/mnt)
	PSHMFS_PRIVATE_NS=$outer exec unshare -m --propagation private bash "$0"
fi

. "${top_srcdir:-.}/tests/lib.sh"
require_fuse
unset PSHMFS_TEST_OPTS
[ "$(readlink /proc/self/ns/mnt)" != "$PSHMFS_PRIVATE_NS" ] || {
	ok 1 "in a mount namespace of our own"
	done_testing
	exit 1
}
PTSHARE=${top_builddir:-.}/tests/ptshare
mount -t tmpfs -o size=64M tmpfs "$SHMDIR" || skip_all "cannot mount a tmpfs"
release_cleanup() {
	cleanup
	# Ours: the private namespace's.
	mountpoint -q "$SHMDIR" && umount "$SHMDIR"
	mountpoint -q "$SHMDIR" && umount "$SHMDIR"
	[ -n "$LOWER" ] && umount "$LOWER"
}
LOWER=
trap release_cleanup EXIT

# used: KiB the tmpfs holds.
used() { df -k --output=used "$SHMDIR" | tail -n 1 | tr -d ' '; }

# freed DESC: the tmpfs holds (almost) nothing again within a second.
freed() {
	local i u
	for i in $(seq 1 100); do
		u=$(used)
		[ "$u" -lt 256 ] && break
		sleep 0.01
	done
	[ "$u" -lt 256 ]
	ok $? "$1 (tmpfs used: $u KiB)"
}

start_pshmfs || { ok 1 "mount"; done_testing; exit 1; }
grep -q 'pshmfs: passthrough: on' "$LOG" ||
	skip_all "passthrough is off here: $(grep 'pshmfs: passthrough' "$LOG")"

dd if=/dev/urandom of="$MNT/a" bs=1M count=8 status=none
cat "$MNT/a" >/dev/null
cat "$MNT/a" >/dev/null
[ "$(used)" -ge 8192 ]
ok $? "8 MiB written through the mount are in the tmpfs"
rm "$MNT/a"
freed "opens one after another, then rm: the object's memory is freed"

dd if=/dev/urandom of="$MNT/b" bs=1M count=8 status=none
exec 3<"$MNT/b" 4<>"$MNT/b"
cat "$MNT/b" >/dev/null
rm "$MNT/b"
[ "$(used)" -ge 8192 ]
ok $? "rm of an open file: its memory stays while it is open"
exec 3<&- 4<&-
freed "overlapping opens, rm, the last close: the memory is freed"

truncate -s 8M "$MNT/c"
dd if=/dev/urandom of="$MNT/c" bs=1M count=8 conv=notrunc status=none
# A mapping outlives its descriptor: the file is released at munmap.
"$PTSHARE" map2shm "$MNT/c" "/${PREFIX}c" >/dev/null 2>&1
ok $? "a mapping through the mount is the object's"
rm "$MNT/c"
freed "after a mapping, rm: the memory is freed"

end_mount_test

# --- objects the kernel will not take as backing files ---------------------------
LOWER=$SCRATCH/layers
mkdir -p "$LOWER" && mount -t tmpfs -o size=64M tmpfs "$LOWER" &&
	mkdir "$LOWER/l" "$LOWER/u" "$LOWER/w" &&
	umount "$SHMDIR" &&
	mount -t overlay overlay -o "lowerdir=$LOWER/l,upperdir=$LOWER/u,workdir=$LOWER/w" "$SHMDIR"
ok $? "an overlay on $SHMDIR"
: >"$LOG"
start_pshmfs -d || { ok 1 "mount"; done_testing; exit 1; }
grep -q 'pshmfs: passthrough: on' "$LOG"
ok $? "passthrough on (a memfd registers)"
printf 'over' >"$MNT/o"
exec 3<>"$MNT/o"
is "$(cat "$MNT/o")" over "two opens at once of an object that cannot be a backing file: no EIO"
printf 'lay' >&3
exec 3>&-
is "$(cat "$MNT/o")" layr "and a write through the one held open shows in the next open"
grep -q 'passthrough: node .*: Too many levels of symbolic links: copying' "$LOG"
ok $? "the node was put on the copy path (ELOOP from the kernel)"
[ "$(grep -c 'opcode: WRITE (' "$LOG")" -gt 0 ]
ok $? "its data went through the daemon (WRITE requests)"
kill -0 "$DAEMON_PID" 2>/dev/null
ok $? "the daemon is alive"
stop_pshmfs
ok $? "unmount: the daemon exits 0"
done_testing
