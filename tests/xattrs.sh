#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# xattrs and POSIX ACLs (issue 16): a file's are its object's, a
# directory's its marker's; set through the mount they are in /dev/shm
# and the other way; every call gives what the same call gives on a
# tmpfs directory (values, lengths, ENODATA, ERANGE, E2BIG, EEXIST,
# EOPNOTSUPP; EPERM/EACCES for another user); an ACL lets one more user
# in, through the mount (the kernel checks it) and through shm_open
# (tmpfs does); chmod moves the mask; a directory's default ACL is
# inherited by what is made below it, and the umask applies without one,
# as on tmpfs.
. "${top_srcdir:-.}/tests/lib.sh"
. "${top_srcdir:-.}/tests/users.sh"
require_fuse
TOOL=${top_builddir:-.}/tests/shared_tool
[ -x "$TOOL" ] || skip_all "$TOOL is not built"
[ -x "$PSHM" ] || skip_all "$PSHM is not built"
command -v setfacl >/dev/null && command -v getfacl >/dev/null ||
	skip_all "setfacl/getfacl (package acl) are not installed"

REF=$SHMDIR/${PREFIX%.}-ref
mkdir "$REF"
obj() { echo "$SHMDIR/$PREFIX$1"; }
# both DESC -- TOOL_ARGS...: shared_tool on the mount and on tmpfs ("@"),
# run through "${AS[@]}" (nothing, or as another user).
AS=()
both() {
	local desc=$1 a=() b=() x
	shift 2
	for x in "$@"; do
		a+=("${x//@/$MNT}")
		b+=("${x//@/$REF}")
	done
	is "$("${AS[@]}" "$TOOL" "${a[@]}" 2>&1)" "$("${AS[@]}" "$TOOL" "${b[@]}" 2>&1)" "$desc"
}
put() { echo "$2" >"$MNT/$1" && echo "$2" >"$REF/$1"; }
mk() { mkdir "$MNT/$1" "$REF/$1"; }

start_pshmfs -o allow_other || { ok 1 "mount"; done_testing; exit 1; }

# --- user xattrs on files ------------------------------------------------
put f data
is "$("$TOOL" setx "$MNT/f" user.color blue)" ok "setxattr user.color through the mount"
is "$("$TOOL" getx "$(obj f)" user.color 100)" blue "it is the object's own (read in /dev/shm)"
"$TOOL" setx "$(obj f)" user.shape round >/dev/null
fresh "one set in /dev/shm reads through the mount" round -- "$TOOL" getx "$MNT/f" user.shape 100
"$TOOL" setx "$REF/f" user.color blue >/dev/null
"$TOOL" setx "$REF/f" user.shape round >/dev/null
both "listxattr: the names" -- listx @/f 1000
both "listxattr size 0: the length" -- listx @/f 0
both "listxattr into too small a buffer: ERANGE" -- listx @/f 5
both "getxattr size 0: the length" -- getx @/f user.color 0
both "getxattr into too small a buffer: ERANGE" -- getx @/f user.color 2
both "getxattr of a missing name: ENODATA" -- getx @/f user.none 100
both "XATTR_CREATE of an existing name: EEXIST" -- setx @/f user.color red create
both "XATTR_REPLACE of a missing name: ENODATA" -- setx @/f user.none red replace
both "XATTR_REPLACE of an existing one: ok" -- setx @/f user.color green replace
both "and it reads back" -- getx @/f user.color 100
both "removexattr" -- rmx @/f user.shape
both "removexattr of a missing name: ENODATA" -- rmx @/f user.shape
both "an unknown namespace: EOPNOTSUPP" -- setx @/f other.x y
both "a name over 255 bytes: ERANGE" -- setx @/f "user.$(printf 'n%.0s' $(seq 1 260))" y
big=$(head -c 70000 /dev/zero | tr '\0' v)
both "a value over 64 KiB: E2BIG" -- setx @/f user.big "$big"
both "trusted.* as root: set" -- setx @/f trusted.t one
both "trusted.* as root: get" -- getx @/f trusted.t 100
# tmpfs bounds the room user xattrs take: the same sets fill both.
fill() {
	local i out=
	for i in $(seq 1 40); do
		out="$out $("$TOOL" setx "$1/full" "user.k$i" "${big:0:60000}")"
	done
	echo "$out" | tr ' ' '\n' | sort | uniq -c | tr '\n' ' '
}
put full x
is "$(fill "$MNT")" "$(fill "$REF")" "sets of 60 KB values until tmpfs refuses: the same answers"

# --- directories: the marker's ------------------------------------------
mk d
is "$("$TOOL" setx "$MNT/d" user.k v)" ok "setxattr on a directory"
is "$("$TOOL" getx "$(obj d:)" user.k 100)" v "it is the marker's"
"$PSHM" create -c "${PREFIX}imp:x" >/dev/null
fresh "an implicit directory shows" directory -- stat -c %F "$MNT/imp"
is "$("$TOOL" getx "$MNT/imp" user.k 100)" ENODATA "an implicit directory has none: ENODATA"
is "$("$TOOL" listx "$MNT/imp" 0)" 0 "and lists none"
is "$("$TOOL" setx "$MNT/imp" user.k w)" ok "a set makes its marker"
is "$("$TOOL" getx "$(obj imp:)" user.k 100)" w "which holds it"

# --- ACLs -----------------------------------------------------------------
getacl() { getfacl -c -p "$1" 2>&1 | grep -v '^$'; }
put acl secret
chmod 600 "$MNT/acl" "$REF/acl"
setfacl -m u:nobody:r "$MNT/acl"
ok $? "setfacl -m u:nobody:r through the mount"
setfacl -m u:nobody:r "$REF/acl"
is "$(getacl "$MNT/acl")" "$(getacl "$REF/acl")" "getfacl through the mount: as tmpfs"
is "$(getacl "$(obj acl)")" "$(getacl "$REF/acl")" "the object holds that ACL"
is "$(stat -c %A "$MNT/acl")" "$(stat -c %A "$REF/acl")" "the mode shows the mask, as tmpfs"
chmod 640 "$MNT/acl" "$REF/acl"
is "$(getacl "$MNT/acl")" "$(getacl "$REF/acl")" "chmod sets the mask, as tmpfs"
setfacl -m m::r "$MNT/acl"
setfacl -m m::r "$REF/acl"
is "$(stat -c %a "$MNT/acl")" "$(stat -c %a "$REF/acl")" "setfacl of the mask sets the mode"
same "a default ACL on a file: refused as on tmpfs" -- setfacl -d -m u:nobody:r @/acl
setfacl -b "$MNT/acl"
setfacl -b "$REF/acl"
is "$(getacl "$MNT/acl")" "$(getacl "$REF/acl")" "setfacl -b: mode bits only"
setfacl -m u:nobody:rw "$(obj acl)"
fresh "an ACL set in /dev/shm shows through the mount" "$(getacl "$(obj acl)")" -- getacl "$MNT/acl"

# Default ACLs and the umask.
mk dd
setfacl -d -m u:nobody:rwx,g::r-x "$MNT/dd"
setfacl -d -m u:nobody:rwx,g::r-x "$REF/dd"
is "$(getacl "$MNT/dd")" "$(getacl "$REF/dd")" "a default ACL on a directory"
for d in "$MNT" "$REF"; do
	(umask 077 && touch "$d/dd/new" && mkdir "$d/dd/sub" && echo x >"$d/dd/sub/deeper")
done
is "$(getacl "$MNT/dd/new")" "$(getacl "$REF/dd/new")" "a new file inherits it (and the umask is not applied), as tmpfs"
is "$(stat -c %a "$MNT/dd/new")" "$(stat -c %a "$REF/dd/new")" "with tmpfs's mode"
is "$(getacl "$MNT/dd/sub")" "$(getacl "$REF/dd/sub")" "a new directory inherits it as access and default ACL"
is "$(getacl "$MNT/dd/sub/deeper")" "$(getacl "$REF/dd/sub/deeper")" "and passes it on"
is "$(getacl "$(obj dd:new)")" "$(getacl "$REF/dd/new")" "the new object holds it for shm_open users"
for d in "$MNT" "$REF"; do
	(umask 027 && touch "$d/plain" && mkdir "$d/plaind")
done
is "$(stat -c %a "$MNT/plain") $(stat -c %a "$MNT/plaind")" \
	"$(stat -c %a "$REF/plain") $(stat -c %a "$REF/plaind")" "no default ACL: the umask applies (640, 750)"
setfacl -k "$MNT/dd"
setfacl -k "$REF/dd"
is "$(getacl "$MNT/dd")" "$(getacl "$REF/dd")" "setfacl -k removes the default ACL"
both "and the hidden name it was kept under is not there" -- listx @/dd 1000

# --- another user -------------------------------------------------------
if [ "$(id -u)" -ne 0 ] || ! command -v useradd >/dev/null; then
	diag "the other-user part needs root and useradd"
	end_mount_test
	done_testing
	exit
fi
trap cleanup_with_users EXIT
U=pshmtX$$
add_user "$U" users || { ok 1 "create a test user"; done_testing; exit 1; }
chmod o+x "$SCRATCH"
put mine secret
chmod 600 "$MNT/mine" "$REF/mine"
chmod 755 "$REF"
"$PSHM" create -c -m 0600 "${PREFIX}shm" >/dev/null
"$PSHM" write "${PREFIX}shm" shared
AS=(as "$U" users)
both "another user: getxattr of a 0600 file (no read needed): as tmpfs" -- getx @/mine user.none 10
both "another user: setxattr user.* without write permission: EACCES as tmpfs" -- setx @/mine user.x y
both "another user: trusted.* get: ENODATA as tmpfs" -- getx @/f trusted.t 100
both "another user: trusted.* set: EPERM as tmpfs" -- setx @/f trusted.u y
AS=()
is "$(errname as "$U" users setfacl -m u:"$U":rw "$MNT/mine")" EPERM "another user may not set the ACL: EPERM"
is "$(errname as "$U" users cat "$MNT/mine")" EACCES "0600: the other user may not read through the mount"
is "$(errname as "$U" users "$PSHM" read "${PREFIX}mine")" EACCES "nor through shm_open"
setfacl -m u:"$U":r "$MNT/mine"
is "$(as "$U" users cat "$MNT/mine")" secret "an ACL entry for the user: it reads through the mount"
is "$(as "$U" users "$PSHM" read "${PREFIX}mine")" secret "and through shm_open (tmpfs enforces the object's ACL)"
is "$(errname as "$U" users sh -c "echo x >>'$MNT/mine'")" EACCES "but may not write (r only)"
setfacl -x u:"$U" "$MNT/mine"
is "$(errname as "$U" users cat "$MNT/mine")" EACCES "entry removed: refused again"
setfacl -m u:"$U":rw "$(obj shm)"
fresh "an ACL set by a shm_open user lets the user in through the mount" shared -- as "$U" users cat "$MNT/shm"
end_mount_test
done_testing
