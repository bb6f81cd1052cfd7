#!/usr/bin/env bash
# -o ro: every change through the mount is refused with "Read-only file
# system" (EROFS) and leaves the objects exactly as they were; reads work
# (cat, ls -l, stat, df), and still see changes made through shm_open.
. "${top_srcdir:-.}/tests/lib.sh"
require_fuse
[ -x "$PSHM" ] || skip_all "$PSHM is not built"
FSOP=${top_builddir:-.}/tests/fsop

"$PSHM" create -c -x -m 0644 "${PREFIX}a" && "$PSHM" write "${PREFIX}a" "alpha" &&
	"$PSHM" create -c -x -m 0600 "${PREFIX}b" && "$PSHM" write "${PREFIX}b" "beta" ||
	{ ok 1 "make the objects"; done_testing; exit 1; }

# Names, modes, owners, sizes, times (ns), bytes of every object of ours.
snapshot() {
	local f
	for f in "$SHMDIR/$PREFIX"*; do
		[ -e "$f" ] || continue
		printf '%s %s %s\n' "${f#"$SHMDIR/"}" \
			"$(stat -c '%a %u %g %s %.9Y %.9X' "$f")" "$(sha256sum <"$f" | cut -c1-16)"
	done
}
before=$(snapshot)

start_pshmfs -o ro || { ok 1 "mount"; done_testing; exit 1; }
is "$(awk -v m="$MNT" '$2 == m { split($4, o, ","); print o[1] }' /proc/mounts)" ro \
	"the mount is read-only in /proc/mounts"

r() { timeout 10 "$@"; }
EROFS="Read-only file system"
fails_with "$EROFS" "touch a new file" -- r touch "$MNT/new"
fails_with "$EROFS" "echo > a new file" -- r sh -c 'echo x >"$1"' sh "$MNT/new2"
fails_with "$EROFS" "mknod of a regular file" -- r "$FSOP" mknod-reg "$MNT/new3"
fails_with "$EROFS" "echo >> (append)" -- r sh -c 'echo x >>"$1"' sh "$MNT/a"
fails_with "$EROFS" "echo > (O_TRUNC)" -- r sh -c 'echo x >"$1"' sh "$MNT/a"
fails_with "$EROFS" "open read-write" -- r sh -c 'exec 3<>"$1"' sh "$MNT/a"
fails_with "$EROFS" "dd conv=notrunc" -- r dd if=/dev/zero of="$MNT/a" bs=1 count=1 conv=notrunc status=none
fails_with "$EROFS" "truncate -s 0" -- r truncate -s 0 "$MNT/a"
fails_with "$EROFS" "truncate -s 1M (grow)" -- r truncate -s 1M "$MNT/b"
fails_with "$EROFS" "fallocate" -- r fallocate -l 8192 "$MNT/a"
fails_with "$EROFS" "chmod" -- r chmod 0666 "$MNT/a"
fails_with "$EROFS" "chown" -- r chown 1234 "$MNT/a"
fails_with "$EROFS" "chgrp" -- r chgrp 1234 "$MNT/a"
fails_with "$EROFS" "touch (times now) of an existing file" -- r touch "$MNT/a"
fails_with "$EROFS" "touch -d" -- r touch -d @1000000000 "$MNT/a"
fails_with "$EROFS" "touch -a -d (atime only)" -- r touch -a -d @1000000000 "$MNT/b"
fails_with "$EROFS" "rm" -- r rm -f "$MNT/a"
fails_with "$EROFS" "mv to a new name" -- r mv -T "$MNT/a" "$MNT/c"
fails_with "$EROFS" "mv onto another file" -- r mv -T "$MNT/a" "$MNT/b"
fails_with "$EROFS" "rename with RENAME_EXCHANGE" -- r "$FSOP" rename -x "$MNT/a" "$MNT/b"
fails_with "$EROFS" "ln (hard link)" -- r ln "$MNT/a" "$MNT/hl"
fails_with "$EROFS" "ln -s" -- r ln -s a "$MNT/sl"
fails_with "$EROFS" "mkdir" -- r mkdir "$MNT/d"
fails_with "$EROFS" "mkfifo" -- r mkfifo "$MNT/f"
fails_with "$EROFS" "chmod of the root" -- r chmod 0755 "$MNT"
fails_with "$EROFS" "cp into the mount" -- r cp /etc/hostname "$MNT/cp"

# --- reads -------------------------------------------------------------------
is "$(r cat "$MNT/a")" alpha "cat reads"
is "$(r cat "$MNT/b")" beta "cat reads a 0600 object (as its owner)"
is "$(r ls "$MNT" | tr '\n' ' ')" "a b " "ls lists exactly the objects"
is "$(r ls -l "$MNT/a" | awk '{print $1, $5}')" "-rw-r--r-- 5" "ls -l shows mode and size"
is "$(r stat -c '%s %a %u %g %Y' "$MNT/b")" "$(stat -c '%s %a %u %g %Y' "$SHMDIR/${PREFIX}b")" \
	"stat: the object's size, mode, owner, group, mtime"
is "$(r stat -f -c '%b %S' "$MNT")" "$(stat -f -c '%b %S' "$SHMDIR")" "statfs: the tmpfs's blocks"
r df "$MNT" >/dev/null
ok $? "df works"
is "$(r dd if="$MNT/a" bs=1 skip=2 count=2 status=none)" ph "a read at an offset"

# Changes made through shm_open are still seen.
"$PSHM" write "${PREFIX}a" "changed"
# (its new size reaches the kernel's cache within milliseconds: the watch)
fresh "a change made through shm_open is read within 0.5 s" changed -- r cat "$MNT/a"
"$PSHM" create -c -x -m 0644 "${PREFIX}c"
is "$(r ls "$MNT" | tr '\n' ' ')" "a b c " "an object made through shm_open is listed"
"$PSHM" unlink "${PREFIX}c"
"$PSHM" write "${PREFIX}a" "alpha"

# Nothing changed: names, modes, owners, sizes, bytes; mtimes too (only
# the object written through shm_open above is left out of the times).
after=$(snapshot)
is "$(echo "$after" | awk '{print $1, $2, $3, $4, $5, $8}')" \
	"$(echo "$before" | awk '{print $1, $2, $3, $4, $5, $8}')" \
	"every object is as before: names, modes, owners, sizes, bytes"
is "$(echo "$after" | grep -F "${PREFIX}b " | awk '{print $6}')" \
	"$(echo "$before" | grep -F "${PREFIX}b " | awk '{print $6}')" \
	"the untouched object keeps its mtime"

end_mount_test
done_testing
