#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Directories as on tmpfs (issue 13.4), each case held against a real
# tmpfs directory: a directory's mtime and ctime move when an entry in it
# is made, removed or renamed (the mount's root too); as two test users,
# the sticky rules for removing and renaming directories, and the write
# permission a directory needs on itself to move to another parent (its
# ".." changes); and errnos of directory operations.
. "${top_srcdir:-.}/tests/lib.sh"
. "${top_srcdir:-.}/tests/users.sh"
require_fuse
FSOP=${top_builddir:-.}/tests/fsop

REF=$SHMDIR/${PREFIX%.}-ref
mkdir -m 1777 "$REF"
chmod o+x "$SCRATCH" # for the test users
start_pshmfs -o allow_other || { ok 1 "mount"; done_testing; exit 1; }

# in_both CMD ARGS...: CMD with each "@" as the mount, then as tmpfs.
in_both() {
	local x top
	for top in "$MNT" "$REF"; do
		local args=()
		for x in "$@"; do args+=("${x//@/$top}"); done
		"${args[@]}" || return 1
	done
}

# --- times ----------------------------------------------------------------
# moved DIR CMD...: did CMD (with "@" for the top) move DIR's mtime and
# ctime? "mtime ctime", each yes or no.
moved() {
	local top=$1 dir=$2 before after x args=()
	shift 2
	for x in "$@"; do args+=("${x//@/$top}"); done
	before=$(stat -c '%y %z' "$top/$dir")
	sleep 0.02 # past a coarse clock's tick
	"${args[@]}" || echo "failed: ${args[*]}"
	after=$(stat -c '%y %z' "$top/$dir")
	set -- $before
	local bm="$1 $2" bc="$4 $5"
	set -- $after
	[ "$bm" != "$1 $2" ] && x="yes" || x="no"
	[ "$bc" != "$4 $5" ] && x="$x yes" || x="$x no"
	echo "$x"
}
# times DESC DIR -- CMD...: the same answer on the mount and on tmpfs.
times_like_tmpfs() {
	local desc=$1 dir=$2
	shift 3
	is "$(moved "$MNT" "$dir" "$@")" "$(moved "$REF" "$dir" "$@")" "$desc"
}
in_both mkdir -p @/d/sub @/e
times_like_tmpfs "create in the root: its mtime and ctime move" . -- touch @/f
times_like_tmpfs "unlink in the root" . -- rm @/f
times_like_tmpfs "mkdir in the root" . -- mkdir @/g
times_like_tmpfs "rmdir in the root" . -- rmdir @/g
times_like_tmpfs "create in a directory: its times move" d -- touch @/d/f
times_like_tmpfs "rename within a directory" d -- mv @/d/f @/d/f2
times_like_tmpfs "rename out of a directory: the source's" d -- mv @/d/f2 @/e/f
times_like_tmpfs "rename into a directory: the target's" d -- mv @/e/f @/d/f
times_like_tmpfs "unlink in a directory" d -- rm @/d/f
times_like_tmpfs "mkdir in a directory" d -- mkdir @/d/h
times_like_tmpfs "rmdir in a directory" d -- rmdir @/d/h
times_like_tmpfs "a directory moved out: the source's" d -- mv @/d/sub @/e/sub
times_like_tmpfs "a directory moved in: the target's" d -- mv @/e/sub @/d/sub
times_like_tmpfs "chmod of an entry leaves the directory's times" d -- chmod 600 @/d/sub
# A directory's times are its marker's.
touch "$MNT/d/x"
is "$(stat -c %Y "$MNT/d")" "$(stat -c %Y "$SHMDIR/${PREFIX}d:")" "a directory's mtime is its marker's"

# --- errnos -----------------------------------------------------------------
in_both mkdir -p @/t/full/in @/u
same "rmdir of a directory holding a directory: ENOTEMPTY" -- rmdir @/t
same "rename of a directory into its own subdirectory: EINVAL" -- mv @/t @/t/full/x
same "rename of a directory onto a non-empty one: ENOTEMPTY" -- mv -T @/u @/t
same "rename over a directory with NOREPLACE: EEXIST" -- "$FSOP" rename -n @/u @/t
same "rmdir of a missing directory: ENOENT" -- rmdir @/nothere
same "rmdir of . : EINVAL" -- rmdir @/t/.
same "mkdir of a name that is there: EEXIST" -- mkdir @/t/full
same "rename of a missing directory: ENOENT" -- mv @/nothere @/u2
same "rename of a directory to where it is: ok" -- mv -T @/u @/u
rm -rf "$MNT/t" "$MNT/u" "$REF/t" "$REF/u"

# --- sticky directories and moving a directory: as two users ------------------
if [ "$(id -u)" -ne 0 ] || ! (require_users) >/dev/null 2>&1; then
	tap_n=$((tap_n + 1))
	echo "ok $tap_n - the users' rules # SKIP needs root and test users"
else
	A=pshmdA$$
	B=pshmdB$$
	trap cleanup_with_users EXIT
	add_user "$A" users && add_user "$B" users
	# The root of the mount and $REF are sticky (1777).
	as "$A" users mkdir "$MNT/ad" "$REF/ad"
	as "$A" users mkdir -m 0555 "$MNT/ro" "$REF/ro"
	as "$A" users mkdir -m 0777 "$MNT/pub" "$REF/pub"
	as "$A" users mkdir -m 1777 "$MNT/st" "$REF/st"
	as "$B" users mkdir "$MNT/st/bd" "$REF/st/bd"
	as "$A" users mkdir "$MNT/st/ad2" "$REF/st/ad2"
	# user DESC WHO CMD...: the same errno as WHO on both.
	user_same() {
		local desc=$1 who=$2 a=() b=() x
		shift 2
		for x in "$@"; do
			a+=("${x//@/$MNT}")
			b+=("${x//@/$REF}")
		done
		is "$(errname as "$who" users "${a[@]}")" "$(errname as "$who" users "${b[@]}")" "$desc"
	}
	user_same "sticky root: B cannot rmdir A's directory" "$B" rmdir @/ad
	user_same "sticky root: B cannot rename A's directory" "$B" mv @/ad @/bx
	user_same "sticky directory: A cannot rmdir B's directory in A's own sticky one" "$B" rmdir @/st/ad2
	# Its owner may remove B's entries on tmpfs; here the shm directory's
	# own sticky bit judges, as shm_unlink would: as for B's file, so for
	# B's directory.
	as "$B" users touch "$MNT/st/bf"
	is "$(errname as "$A" users rmdir "$MNT/st/bd")" "$(errname as "$A" users rm -f "$MNT/st/bf")" \
		"sticky directory: its owner removes B's directory as B's file"
	user_same "to another parent, a directory needs write permission on itself" "$A" mv @/ro @/pub/ro
	user_same "within its parent it does not" "$A" mv @/ro @/ro2
	user_same "a writable one moves to another parent" "$A" mv @/ad @/pub/ad
	user_same "B may not move A's directory out of a world-writable non-sticky one" "$B" mv @/pub/ad @/bad
	rm -rf "$MNT/ro2" "$MNT/pub" "$MNT/st" "$REF/ro2" "$REF/pub" "$REF/st"
fi

end_mount_test
done_testing
