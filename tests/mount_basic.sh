#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The ordinary tools on a pshmfs mount, checked against the objects
# themselves (pshm speaks shm_open; stat of /dev/shm/NAME is the object's
# fstat), in both directions.
. "${top_srcdir:-.}/tests/lib.sh"
require_fuse
[ -x "$PSHM" ] || skip_all "$PSHM is not built"
FSOP=${top_builddir:-.}/tests/fsop

start_pshmfs || { ok 1 "mount"; done_testing; exit 1; }
obj() { echo "$SHMDIR/$PREFIX$1"; }

# --- create, read, write -------------------------------------------------
echo hello >"$MNT/a"
is "$("$PSHM" read "/${PREFIX}a")" hello "echo > file makes the object, read through shm_open"
"$PSHM" create -c "${PREFIX}b" && "$PSHM" write "${PREFIX}b" "from shm"
is "$(cat "$MNT/b")" "from shm" "object written through shm_open reads back with cat"
head -c 1048577 /dev/urandom >"$SCRATCH/rand"
cp "$SCRATCH/rand" "$MNT/rand"
"$PSHM" read "${PREFIX}rand" >"$SCRATCH/rand.back"
cmp -s "$SCRATCH/rand" "$SCRATCH/rand.back"
ok $? "cp in: 1 MiB + 1 of random bytes, object equal byte for byte"
cp "$MNT/rand" "$SCRATCH/rand.out"
cmp -s "$SCRATCH/rand" "$SCRATCH/rand.out"
ok $? "cp out: equal byte for byte"
dd if="$SCRATCH/rand" of="$MNT/dd" bs=64k status=none
cmp -s "$SCRATCH/rand" "$(obj dd)"
ok $? "dd bs=64k into the mount: object equal"
printf 'XY' | dd of="$MNT/dd" bs=1 seek=10 conv=notrunc status=none
is "$("$PSHM" read "${PREFIX}dd" | head -c 12 | tail -c 2)" XY \
	"a write is in the object when write() returns (dd conv=notrunc)"
echo more >>"$MNT/a"
is "$("$PSHM" read "${PREFIX}a")" "hello
more" "O_APPEND (>>) appends"
echo new >"$MNT/a"
is "$(cat "$(obj a)")" new "O_TRUNC (>) truncates"

# --- create mode is exactly the caller's, whatever the daemon's umask -------
(umask 077 && echo x >"$MNT/m077")
is "$(stat -c %a "$(obj m077)")" 600 "create under umask 077 gives 0600"
(umask 0 && echo x >"$MNT/m000")
is "$(stat -c %a "$(obj m000)")" 666 "create under umask 0 gives 0666"
touch "$MNT/t"
is "$(stat -c '%s %F' "$(obj t)")" "0 regular empty file" "touch makes an empty object"

# --- metadata: ls -l and stat show the object's fstat -----------------------
is "$(stat -c '%s %a %u %g %Y' "$MNT/rand")" "$(stat -c '%s %a %u %g %Y' "$(obj rand)")" \
	"stat: size, mode, owner, group, mtime are the object's"
is "$(stat -c %i "$MNT/rand")" "$(stat -c %i "$(obj rand)")" "stat: inode number is the object's"
is "$(ls -l "$MNT/rand" | awk '{print $1, $5}')" "-rw-r--r-- 1048577" "ls -l shows mode and size"
chmod 640 "$MNT/rand"
is "$(stat -c %a "$(obj rand)")" 640 "chmod sets the object's mode"
chown 1234:5678 "$MNT/rand"
is "$(stat -c '%u:%g' "$(obj rand)")" 1234:5678 "chown sets the object's owner and group"
touch -d '2001-09-09 01:46:40 UTC' "$MNT/rand"
is "$(stat -c %Y "$(obj rand)")" 1000000000 "touch -d sets the object's mtime"
truncate -s 100 "$MNT/t"
is "$(stat -c %s "$(obj t)")" 100 "truncate grows the object"
is "$(tr -d '\0' <"$MNT/t" | wc -c)" 0 "growth reads back as zeros"
truncate -s 64M "$MNT/sparse"
printf abc | dd of="$MNT/sparse" bs=1 seek=5000 conv=notrunc status=none
is "$(tr -d '\0' <"$MNT/sparse")" abc "a sparse file reads back as zeros around its data"
is "$(stat -c %b "$(obj sparse)")" 8 "reading a sparse file allocates none of its holes"
rm "$MNT/sparse"
truncate -s 3 "$MNT/rand"
is "$(stat -c %s "$(obj rand)")" 3 "truncate shrinks the object"

# --- changes made through shm_open show (tests/cache.sh: how soon) ----------
"$PSHM" truncate "${PREFIX}b" 4096
fresh "outside ftruncate: stat through the mount sees it" 4096 -- stat -c %s "$MNT/b"
"$PSHM" chmod 604 "${PREFIX}b"
fresh "outside fchmod: stat sees it" 604 -- stat -c %a "$MNT/b"
cat "$MNT/b" >/dev/null
"$PSHM" write "${PREFIX}b" "changed"
is "$(cat "$MNT/b")" changed "outside write: the next open+read sees the new bytes"

# --- listing ---------------------------------------------------------------
"$PSHM" create -c "${PREFIX%.}-outside"
mkdir "$(obj dir)" && mkfifo "$(obj fifo)" && ln -s "$(obj a)" "$(obj link)"
is "$(ls "$MNT" | tr '\n' ' ')" "a b dd m000 m077 rand t " \
	"ls shows exactly the regular objects under the prefix"
fails_with "No such file or directory" "a FIFO in the shm directory is not a file" -- stat "$MNT/fifo"
fails_with "No such file or directory" "a symlink in the shm directory is not a file" -- stat "$MNT/link"
fails_with "No such file or directory" "a directory in the shm directory is not a file" -- stat "$MNT/dir"
rm -rf "$(obj dir)" "$(obj fifo)" "$(obj link)"

# --- rm and mv -------------------------------------------------------------
rm "$MNT/t"
[ ! -e "$(obj t)" ]
ok $? "rm removes the object (shm_unlink)"
echo payload >"$MNT/open"
is "$("$FSOP" fd-ops "$MNT/open")" "size 3 mode 640 uid 4321 gid 8765 mtime 1000000000 nlink 0" \
	"after rm, the open file still reads, writes, fstats, fchmods, fchowns, futimens, ftruncates"
is "$(ls -A "$MNT" | grep -c fuse_hidden)" 0 "no .fuse_hidden files"
exec 3<"$MNT/dd"
rm "$MNT/dd"
is "$(head -c 12 <&3 | tail -c 2)" XY "an open file reads on after rm"
exec 3<&-

mv "$MNT/a" "$MNT/a2"
[ ! -e "$(obj a)" ] && [ "$(cat "$(obj a2)")" = new ]
ok $? "mv renames the object"
echo keep >"$MNT/victim"
exec 4<"$MNT/victim"
mv "$MNT/a2" "$MNT/victim"
is "$(cat "$(obj victim)")" new "mv over an existing file replaces it"
is "$(cat <&4)" keep "the replaced file, still open, reads its old bytes"
exec 4<&-
echo one >"$MNT/x1"
echo two >"$MNT/x2"
fails_with "File exists" "rename with RENAME_NOREPLACE onto a file: EEXIST" -- "$FSOP" rename -n "$MNT/x1" "$MNT/x2"
"$FSOP" rename -x "$MNT/x1" "$MNT/x2"
is "$(cat "$(obj x1)") $(cat "$(obj x2)")" "two one" "rename with RENAME_EXCHANGE swaps the objects"
"$FSOP" rename -n "$MNT/x1" "$MNT/x3"
is "$(cat "$MNT/x3")" two "rename with RENAME_NOREPLACE onto a free name works"
fails_with "No such file or directory" "mv of a missing file: ENOENT" -- mv "$MNT/nothere" "$MNT/x9"

# --- what shm cannot hold ----------------------------------------------------
fails_with "Operation not permitted" "ln -s: EPERM" -- ln -s x1 "$MNT/sl"
ln "$MNT/x2" "$MNT/hl"
ok $? "ln: a hard link works (tests/links.sh)"
fails_with "Operation not permitted" "mkfifo: EPERM" -- mkfifo "$MNT/ff"
fails_with "Operation not permitted" "mknod c: EPERM" -- mknod "$MNT/cd" c 1 3
"$FSOP" mknod-reg "$MNT/regnode"
ok $? "mknod of a regular file makes an object"
[ -f "$(obj regnode)" ]
ok $? "mknod's object is in the shm directory"

# --- names --------------------------------------------------------------------
max=$((255 - ${#PREFIX}))
long=$(printf 'n%.0s' $(seq 1 "$max"))
echo x >"$MNT/$long"
is "$(cat "$(obj "$long")")" x "a name of 255 bytes with the prefix works"
fails_with "File name too long" "256 bytes with the prefix: ENAMETOOLONG" -- touch "$MNT/${long}n"
is "$(stat -f -c %l "$MNT")" "$max" "statfs: name length left after the prefix"

# --- df: the tmpfs's own figures ------------------------------------------------
is "$(stat -f -c '%b %S' "$MNT")" "$(stat -f -c '%b %S' "$SHMDIR")" "df: total blocks are the tmpfs's"

# --- persistence ------------------------------------------------------------------
stop_pshmfs
ok $? "unmount: the daemon exits 0"
start_pshmfs || ok 1 "mount again"
is "$(cat "$MNT/victim")" new "after unmount and mount: files are still there"
is "$(ls "$MNT" | wc -l)" 10 "after unmount and mount: every file is listed"

# --- the tests' own unmount (tests/lib.sh) ------------------------------------------
# A child that holds a file for a moment, as a process substitution's tail
# does after cmp -n exits: unmount waits for it.
sleep 0.3 <"$MNT/victim" &
unmount "$MNT"
st=$?
ok $st "unmount waits while a child holds the mount for a moment"
# Still mounted, the daemon would never exit: no wait for it then.
[ $st -eq 0 ] || { ok 1 "and the daemon exits 0"; done_testing; exit 1; }
wait "$DAEMON_PID"
ok $? "and the daemon exits 0"
start_pshmfs || ok 1 "mount again"
sleep 30 <"$MNT/victim" &
HOLDER=$!
BG_PIDS="$BG_PIDS $HOLDER"
case $(unmount "$MNT" 2>&1) in
*"Device or resource busy; held by: $HOLDER (sleep)"*) ok 0 "unmount of a mount held on fails, and names the holder" ;;
*) ok 1 "unmount of a mount held on fails, and names the holder" ;;
esac
kill "$HOLDER"
wait "$HOLDER" 2>/dev/null
stop_pshmfs
check_log
done_testing
