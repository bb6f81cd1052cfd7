#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Bad input: names at and past the length limit, names with every byte,
# "." and "..", unknown and malformed -o options, odd mountpoints. What is
# tested for the mountpoints is what pshmfs does today; see the comments.
. "${top_srcdir:-.}/tests/lib.sh"
require_fuse
[ -x "$PSHM" ] || skip_all "$PSHM is not built"
command -v perl >/dev/null || skip_all "perl is not installed"
export LC_ALL=C

# Extra mounts and daemons of this test, undone on every exit.
EXTRA_PIDS=
EXTRA_MNTS=
bad_cleanup() {
	local m p
	for m in $EXTRA_MNTS; do
		while is_mounted "$m"; do
			fusermount3 -u "$m" 2>/dev/null || fusermount3 -uz "$m" || break
		done
	done
	for p in $EXTRA_PIDS; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	cleanup
}
trap bad_cleanup EXIT

. "${top_srcdir:-.}/tests/watchdog.sh"

# mounts_at DIR: how many mounts /proc/mounts has on DIR.
mounts_at() { awk -v m="$1" '$2 == m { n++ } END { print n + 0 }' /proc/mounts; }

# try_mount N DIR OPTS...: pshmfs on DIR in the background, logging to
# $SCRATCH/try.err; 0 once DIR has N mounts, 1 once the daemon has exited
# (its status in TRY_ST). The daemon's PID is TRY_PID.
try_mount() {
	local n=$1 dir=$2 i
	shift 2
	"$PSHMFS" -f -o "prefix=$PREFIX" "$@" "$dir" >"$SCRATCH/try.err" 2>&1 &
	TRY_PID=$!
	TRY_ST=
	EXTRA_PIDS="$EXTRA_PIDS $TRY_PID"
	echo "$TRY_PID" >>"$DAEMONS"
	for i in $(seq 1 500); do
		[ "$(mounts_at "$dir")" -ge "$n" ] && return 0
		if ! kill -0 "$TRY_PID" 2>/dev/null; then
			wait "$TRY_PID"
			TRY_ST=$?
			return 1
		fi
		sleep 0.01
	done
	return 1
}

# perl_errs PATH...: for each PATH and operation, "OP PATH: ok" or the error.
perl_errs() {
	perl -e '
		use Fcntl;
		sub t { printf "%s %s: %s\n", $_[0], $_[1] =~ s{.*/}{}r, $_[2] ? "ok" : $!; }
		for my $n (@ARGV) {
			(my $plain = $n) =~ s{/[^/]*$}{/plain};
			(my $other = $n) =~ s{/[^/]*$}{/other};
			t("open O_CREAT|O_EXCL", $n, sysopen(my $f, $n, O_CREAT | O_EXCL | O_WRONLY, 0644));
			t("open O_CREAT", $n, sysopen(my $g, $n, O_CREAT | O_WRONLY, 0644));
			t("unlink", $n, unlink($n));
			t("rmdir", $n, rmdir($n));
			t("mkdir", $n, mkdir($n));
			t("rename onto", $n, rename($plain, $n));
			t("rename from", $n, rename($n, $other));
			t("link", $n, link($plain, $n));
			t("symlink", $n, symlink("plain", $n));
		}' "$@"
}

start_pshmfs || { ok 1 "mount"; done_testing; exit 1; }

# === Names: the 255-byte limit counts the prefix ===================================
max=$((255 - ${#PREFIX}))
long=$(printf 'n%.0s' $(seq 1 "$max"))
echo 255 >"$MNT/$long"
ok $? "a name of $max bytes, 255 with the prefix: create works"
is "$("$PSHM" read "/$PREFIX$long")" 255 "it is the object /PREFIXNAME (read through shm_open)"
is "$(ls "$MNT" | grep -c "^$long\$")" 1 "ls lists it"
rm "$MNT/$long" && [ ! -e "$SHMDIR/$PREFIX$long" ]
ok $? "rm removes it"
fails_with "File name too long" "256 bytes with the prefix: create gives ENAMETOOLONG" -- \
	touch "$MNT/${long}n"
fails_with "File name too long" "256 bytes with the prefix: stat gives ENAMETOOLONG" -- \
	stat "$MNT/${long}n"
fails_with "File name too long" "256 bytes with the prefix: mv onto it gives ENAMETOOLONG" -- \
	bash -c 'echo x >"$1" && mv "$1" "$2"' _ "$MNT/short" "$MNT/${long}n"
rm -f "$MNT/short"
fails_with "File name too long" "pshm: a 256-byte object name gives ENAMETOOLONG" -- \
	"$PSHM" create -c "$PREFIX${long}n"
if mkdir "$MNT/d" 2>/dev/null; then
	# d/NAME is the object PREFIXd:NAME: two bytes fewer for NAME.
	echo d >"$MNT/d/${long:2}"
	ok $? "in a directory: a name of $((max - 2)) bytes (255 with PREFIXd:) works"
	fails_with "File name too long" "in a directory: one byte more gives ENAMETOOLONG" -- \
		touch "$MNT/d/${long:1}"
	rm -r "$MNT/d"
else
	for d in "in a directory: a name of $((max - 2)) bytes (255 with PREFIXd:) works" \
		"in a directory: one byte more gives ENAMETOOLONG"; do
		tap_n=$((tap_n + 1))
		echo "ok $tap_n - $d # SKIP no directories on this mount"
	done
fi

# === Names: every byte but NUL and '/' ===================================================
# bytes_round LABEL EXCLUDE: for each byte 1..255 but '/' and EXCLUDE, the
# file x<B>y through the mount and the object p<B>q through shm_open:
# create, stat, read both ways, list, unlink both ways. A few aggregated
# assertions, each naming the bytes that failed.
bytes_round() {
	local label=$1 exclude=$2 b c n files=() objs=() names=() bad
	local fail_create= fail_obj= fail_read= fail_pshm= fail_in= fail_rm= fail_unlink=
	for b in $(seq 1 255); do
		[ "$b" -eq 47 ] && continue
		[ -n "$exclude" ] && [ "$b" -eq "$exclude" ] && continue
		printf -v c "\\x$(printf %02x "$b")"
		n="x${c}y"
		printf 'v%d' "$b" >"$MNT/$n" || fail_create="$fail_create $b"
		[ -f "$SHMDIR/$PREFIX$n" ] || fail_obj="$fail_obj $b"
		files+=("$MNT/$n")
		names+=("$n" "p${c}q")
		objs+=("$PREFIX$n")
		"$PSHM" create -c "${PREFIX}p${c}q" && "$PSHM" write "${PREFIX}p${c}q" "w$b" ||
			fail_pshm="$fail_pshm $b"
	done
	is "$fail_create" "" "$label: create through the mount works for ${#files[@]} bytes (failing bytes listed)"
	is "$fail_obj" "" "$label: each is the object /PREFIXNAME in $SHMDIR"
	bad=$(stat -c '%s' -- "${files[@]}" 2>&1 | grep -cv '^[0-9]*$')
	is "$bad" 0 "$label: stat through the mount works for every name"
	for b in $(seq 1 255); do
		[ "$b" -eq 47 ] && continue
		[ -n "$exclude" ] && [ "$b" -eq "$exclude" ] && continue
		printf -v c "\\x$(printf %02x "$b")"
		n="x${c}y"
		read -r -d '' v <"$MNT/$n"
		[ "$v" = "v$b" ] || fail_read="$fail_read $b"
		[ "$("$PSHM" read "$PREFIX$n")" = "v$b" ] || fail_read="$fail_read $b"
		read -r -d '' v <"$MNT/p${c}q"
		[ "$v" = "w$b" ] || fail_in="$fail_in $b"
	done
	is "$fail_read" "" "$label: read back through the mount and through shm_open, every name"
	is "$fail_pshm" "" "$label: pshm create + write of /PREFIXp<byte>q works for every byte"
	is "$fail_in" "" "$label: objects made through shm_open read back through the mount"
	cmp -s <(printf '%s\0' "${names[@]}" | sort -z) \
		<(find "$MNT" -mindepth 1 -maxdepth 1 -printf '%f\0' | sort -z)
	ok $? "$label: the listing is exactly the $((${#names[@]})) names"
	rm -- "${files[@]}" || fail_rm="rm failed;"
	for n in "${objs[@]}"; do
		[ -e "$SHMDIR/$n" ] && fail_rm="$fail_rm $(printf '%d' "'${n:${#PREFIX}+1:1}")"
	done
	is "$fail_rm" "" "$label: rm through the mount removes every object (bytes left listed)"
	for b in $(seq 1 255); do
		[ "$b" -eq 47 ] && continue
		[ -n "$exclude" ] && [ "$b" -eq "$exclude" ] && continue
		printf -v c "\\x$(printf %02x "$b")"
		"$PSHM" unlink "${PREFIX}p${c}q" || fail_unlink="$fail_unlink $b"
		gone_soon "$MNT/p${c}q" || fail_unlink="$fail_unlink $b"
	done
	is "$fail_unlink" "" "$label: shm_unlink removes every name from the mount"
	is "$(ls -A "$MNT" | wc -l)" 0 "$label: nothing left"
}

# By default ':' folds names into directories (DESIGN.md): a component
# cannot hold it. With -o delim= every byte goes.
if touch "$MNT/a:b" 2>/dev/null; then
	rm "$MNT/a:b"
	bytes_round "no delimiter" ""
else
	bytes_round "default delim ':'" 58
	fails_with "Invalid argument" "default mount: a name with the delimiter ':' gives EINVAL" -- \
		touch "$MNT/a:b"
	stop_pshmfs
	start_pshmfs -o delim= || ok 1 "mount -o delim="
	bytes_round "delim= (flat)" ""
	stop_pshmfs
	start_pshmfs || ok 1 "mount"
fi

# === "." and ".." ==========================================================================
# The kernel resolves them; pshmfs must answer as tmpfs does. The errors
# below are tmpfs's (Linux 6.x), checked by hand on a tmpfs directory.
echo plain >"$MNT/plain"
perl_errs "$MNT/." >"$SCRATCH/dot"
is "$(cat "$SCRATCH/dot")" "open O_CREAT|O_EXCL .: File exists
open O_CREAT .: Is a directory
unlink .: Is a directory
rmdir .: Invalid argument
mkdir .: File exists
rename onto .: Device or resource busy
rename from .: Device or resource busy
link .: File exists
symlink .: File exists" "'.' at the root: every call fails as on tmpfs"
fails_with "Is a directory" "': > .' gives EISDIR" -- bash -c ': >"$1"' _ "$MNT/."
fails_with "File exists" "mkfifo . gives EEXIST" -- mkfifo "$MNT/."
# Differs from tmpfs, where root may touch and chmod a mount's root: the
# root of pshmfs is its options (mode=, uid=, gid=), not an object.
fails_with "Operation not permitted" "touch of the root ('.'): EPERM (tmpfs: allowed)" -- touch "$MNT/."
fails_with "Operation not permitted" "chmod of the root: EPERM (tmpfs: allowed)" -- chmod 1777 "$MNT/."
if mkdir "$MNT/sub" 2>/dev/null; then
	# ".." of a directory in the mount is the mount's root.
	echo plain >"$MNT/sub/plain"
	perl_errs "$MNT/sub/.." >"$SCRATCH/dotdot"
	is "$(cat "$SCRATCH/dotdot")" "open O_CREAT|O_EXCL ..: File exists
open O_CREAT ..: Is a directory
unlink ..: Is a directory
rmdir ..: Directory not empty
mkdir ..: File exists
rename onto ..: Device or resource busy
rename from ..: Device or resource busy
link ..: File exists
symlink ..: File exists" "'..' in a directory: every call fails as on tmpfs"
	rm "$MNT/sub/plain" && rmdir "$MNT/sub"
else
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - '..' in a directory: every call fails as on tmpfs # SKIP no directories"
fi
is "$(ls -A "$MNT")" plain "nothing was made by any of them"
rm "$MNT/plain"
# Objects named PREFIX, PREFIX. and PREFIX.. fold into no valid path: hidden.
"$PSHM" create -c "$PREFIX" && "$PSHM" create -c "$PREFIX." && "$PSHM" create -c "$PREFIX.."
ok $? "objects /PREFIX, /PREFIX. and /PREFIX.. made through shm_open"
is "$(ls -a "$MNT" | tr '\n' ' ')" ". .. " "ls -a shows just . and .. once each"
is "$(stat -c %F "$MNT/.")" directory "'.' is still the root directory"
is "$("$PSHM" ls -n -o NAME "$PREFIX" | wc -l)" 3 "pshm ls still shows the three objects"
"$PSHM" unlink "$PREFIX" && "$PSHM" unlink "$PREFIX." && "$PSHM" unlink "$PREFIX.."
stop_pshmfs

# === -o options: a message and status 1, nothing mounted ====================================
# bad_opt OPTION WANT: pshmfs -o OPTION exits 1 with WANT in its stderr and
# leaves nothing mounted.
bad_opt() {
	local err st
	err=$(timeout 10 "$PSHMFS" -f -o "prefix=$PREFIX" -o "$1" "$MNT" 2>&1 >/dev/null)
	st=$?
	if [ $st -eq 1 ] && [[ $err == *"$2"* ]] && ! is_mounted "$MNT"; then
		ok 0 "-o $1: exit 1, '$err'"
	else
		ok 1 "-o $1: exit 1 with a message, nothing mounted"
		diag "  status $st, stderr: $err"
		diag "  want status 1, stderr with: $2"
	fi
}
bad_opt bogus "unknown option(s): \`-o bogus'"
bad_opt prefix=a/b "bad prefix 'a/b': Invalid argument"
bad_opt "prefix=$long$long" "File name too long"
bad_opt mode=99 "bad mode '99'"
bad_opt attr_timeout=x "invalid parameter in option \`attr_timeout=x'"
bad_opt entry_timeout=-1 "bad entry_timeout"
bad_opt uid=abc "invalid parameter in option \`uid=abc'"
bad_opt gid=x "invalid parameter in option \`gid=x'"
bad_opt size=12q "bad size '12q'"
bad_opt nr_inodes=x "bad nr_inodes 'x'"
bad_opt delim=ab "bad delim 'ab'"
bad_opt spin=x "bad spin 'x': Invalid argument"
bad_opt spin=-1 "bad spin '-1': Invalid argument"
bad_opt spin=10001 "bad spin '10001': Invalid argument"

# === Mountpoints ===============================================================================
err=$(timeout 10 "$PSHMFS" -f -o "prefix=$PREFIX" 2>&1)
st=$?
[ $st -eq 1 ] && [[ $err == "pshmfs: no mountpoint"* ]]
ok $? "no mountpoint: exit 1, 'pshmfs: no mountpoint' and the usage"
[ $st -eq 1 ] || diag "  status $st: $err"

err=$(timeout 10 "$PSHMFS" -f -o "prefix=$PREFIX" "$SCRATCH/missing" 2>&1)
st=$?
[ $st -eq 1 ] && [[ $err == *"bad mount point"*"No such file or directory"* ]] &&
	[ ! -e "$SCRATCH/missing" ]
ok $? "a missing mountpoint: exit 1, '$err'"

# A regular file: refused before anything is mounted, as tmpfs refuses.
echo file >"$SCRATCH/file"
err=$(timeout 10 "$PSHMFS" -f -o "prefix=$PREFIX" "$SCRATCH/file" 2>&1)
st=$?
is "$st $err" "1 pshmfs: $SCRATCH/file: Not a directory" "a regular file as mountpoint: exit 1, ENOTDIR"
is "$(mounts_at "$SCRATCH/file") $(cat "$SCRATCH/file")" "0 file" "nothing mounted, the file untouched"

# A non-empty directory: FUSE 3 mounts over it, as tmpfs does; the
# directory's own files are hidden until the unmount.
mkdir "$SCRATCH/full"
echo mine >"$SCRATCH/full/mine"
EXTRA_MNTS="$EXTRA_MNTS $SCRATCH/full"
try_mount 1 "$SCRATCH/full"
ok $? "a non-empty mountpoint: pshmfs mounts over it"
is "$(ls -A "$SCRATCH/full")" "" "its own files are hidden by the mount"
echo over >"$SCRATCH/full/over" && [ -f "$SHMDIR/${PREFIX}over" ]
ok $? "the mount works: a file made there is an object"
fusermount3 -u "$SCRATCH/full" && wait "$TRY_PID"
ok $? "unmount, the daemon exits 0"
is "$(ls -A "$SCRATCH/full") $(cat "$SCRATCH/full/mine")" "mine mine" "after the unmount its own files are back"
rm -f "$SHMDIR/${PREFIX}over"

# A mountpoint that is already a pshmfs mount: as root, the new mount goes
# on top (as a tmpfs over a tmpfs would); unmounting it uncovers the first.
if [ "$(id -u)" -eq 0 ]; then
	start_pshmfs || ok 1 "mount"
	echo below >"$MNT/below"
	EXTRA_MNTS="$EXTRA_MNTS $MNT"
	if try_mount 2 "$MNT" -o delim=; then
		ok 0 "a mountpoint that is a pshmfs mount: a second pshmfs mounts on top"
		is "$(mounts_at "$MNT")" 2 "two mounts on the mountpoint"
		echo top >"$MNT/top" && [ "$(cat "$MNT/top")" = top ]
		ok $? "the top mount serves"
		fusermount3 -u "$MNT" && wait "$TRY_PID"
		ok $? "unmount the top one, its daemon exits 0"
		is "$(cat "$MNT/below")" below "the first mount is back and serves"
		kill -0 "$DAEMON_PID"
		ok $? "the first daemon lived through it"
	else
		ok 1 "a mountpoint that is a pshmfs mount: a second pshmfs mounts on top: status $TRY_ST, $(cat "$SCRATCH/try.err")"
	fi
	rm -f "$MNT/top" "$MNT/below"
	stop_pshmfs
else
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - a mountpoint that is a pshmfs mount # SKIP not root"
fi

# A mountpoint that is the shm directory or holds it would hang every shm
# user on the machine (the daemon's own inotify watch lands on its mount
# before any thread serves it): refused at once, before mounting. Run in a
# private mount namespace, so that a regression mounts nothing anyone else
# sees.
ln -s "$SHMDIR" "$SCRATCH/shmlink"
for m in "$SHMDIR" /dev / "$SCRATCH/shmlink"; do
	if ! unshare -m --propagation private true 2>/dev/null; then
		tap_n=$((tap_n + 1))
		echo "ok $tap_n - mountpoint $m: refused # SKIP no private mount namespace"
		continue
	fi
	real=$(realpath "$m")
	err=$(timeout 5 unshare -m --propagation private "$PSHMFS" -f "$m" 2>&1)
	st=$?
	is "$st $err" "1 pshmfs: $real: cannot mount over or above the shm directory $(realpath "$SHMDIR")" \
		"mountpoint $m: refused at once, exit 1"
done

check_log
watchdog_check
done_testing
