#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Many users, one mount: a root daemon with -o allow_other, used by two
# real test users and root. Every operation through the mount must give
# what the same user gets doing the same thing to a twin object directly
# in the shm directory -- same errno, same resulting object (mode, owner,
# group, size, bytes) -- and what the rules say. Directly means pshm
# (shm_open) for read and truncate; for the rest the same command on
# /dev/shm/NAME, which is the call shm_open, fchmod, fchown make (rm:
# unlink(2), EPERM; glibc's shm_unlink reports that EPERM as EACCES).
#
# Roles: owner = user A on an object A:users; group = user B (group
# users) on an object A:users; other = user B on an object A:G (B is not
# in G, A is); root = root on an object A:users. Modes: 0600 0640 0644
# 0666 4666: 5 x 4 x 12 = 240 cells. ok = allowed, else refused with:
#
#   operation                    owner  group / other         root
#   read (cat)                   ok     r ? ok : EACCES       ok
#   write (echo >>)              ok     w ? ok : EACCES       ok
#   overwrite (echo >, O_TRUNC)  ok     w ? ok : EACCES       ok
#   truncate -s 2                ok     w ? ok : EACCES       ok
#   touch (times now)            ok     w ? ok : EACCES       ok
#   touch -d (times set)         ok     w ? EPERM : EACCES    ok
#   chmod 0604                   ok     EPERM                 ok
#   chgrp G (the owner's group)  ok     EPERM                 ok
#   chown B (another user)       EPERM  EPERM                 ok
#   rm (sticky root, 1777)       ok     EPERM                 ok
#   mv away (sticky)             ok     EPERM                 ok
#   mv own file onto it (sticky) ok     EPERM                 ok
#
# (r, w: the role's bit in the mode; owners have rw in all these modes;
# touch -d opens for writing first, so without w that error shows.)
# With 0666, group and other read, write and truncate but cannot rm or
# mv (sticky directory). Writes and truncates by non-root drop the
# set-user-ID bit of 4666 on both sides; root's keep it.
#
# Besides the matrix: create as each user under a umask (owner, group,
# mode; the daemon's own umask is 077 and must not matter), a chmod g+s
# by an owner outside the group (bit dropped), a refused open while
# another user holds the file open, ls and stat by another user; and
# directories (delimiter ':'): mkdir's marker owner and mode, rm, mv
# away, mv onto another user's object inside a world-writable directory
# and a rename of one's own directory holding another user's object (all
# refused directly in /dev/shm, so refused through the mount), create in
# another's 0755 directory (EACCES: the directory's mode guards the
# mount), chmod and rmdir of another's directory (EPERM), an implicit
# directory (1777 root: sticky).
. "${top_srcdir:-.}/tests/lib.sh"
. "${top_srcdir:-.}/tests/users.sh"
require_fuse
require_users
[ -x "$PSHM" ] || skip_all "$PSHM is not built"

A=pshmtA$$
B=pshmtB$$
G=pshmtG$$
D="${PREFIX%.}-d."	# the twins, made directly; lib.sh's cleanup removes them

trap cleanup_with_users EXIT

add_group "$G" && add_user "$A" users "$G" && add_user "$B" users ||
	{ ok 1 "create the test users"; done_testing; exit 1; }
chmod o+x "$SCRATCH"

# The daemon's own umask must not matter: start it under a strict one.
umask 077
start_pshmfs -o allow_other || { ok 1 "mount"; done_testing; exit 1; }
umask 022

# mkobj NAME MODE OWNER GROUP: the object $PREFIX NAME and its twin
# $D NAME, each with the same bytes, owner, group and mode.
mkobj() {
	local n
	for n in "$PREFIX$1" "$D$1"; do
		"$PSHM" create -c -x -m 0600 "$n" &&
			"$PSHM" write "$n" "bytes of $1" &&
			chown "$3:$4" "$SHMDIR/$n" && # chown first: it drops set-id bits
			chmod "$2" "$SHMDIR/$n" || return 1
	done
}

# state PFX NAME...: what each object PFX NAME is, or "-" when absent.
state() {
	local p=$1 n f
	shift
	for n; do
		f=$SHMDIR/$p$n
		if [ -f "$f" ]; then
			printf '%s=%s,%s ' "$n" "$(stat -c '%a,%U,%G,%s' "$f")" \
				"$(sha256sum <"$f" | cut -c1-16)"
		else
			printf '%s=- ' "$n"
		fi
	done
}

# cmd OP SIDE NAME: the command for OP on NAME, through the mount
# (SIDE mnt) or directly (SIDE shm), in CMD.
cmd() {
	local op=$1 side=$2 n=$3 p obj
	if [ "$side" = mnt ]; then
		p=$MNT/$n
	else
		p=$SHMDIR/$D$n
	fi
	obj=$D$n
	case $op in
	read) [ "$side" = mnt ] && CMD=(cat "$p") || CMD=("$PSHM" read "$obj") ;;
	write) CMD=(sh -c 'echo more >>"$1"' sh "$p") ;;
	overwrite) CMD=(sh -c 'echo new >"$1"' sh "$p") ;;
	truncate) [ "$side" = mnt ] && CMD=(truncate -s 2 "$p") ||
		CMD=("$PSHM" truncate "$obj" 2) ;;
	touch) CMD=(touch "$p") ;;
	touch-d) CMD=(touch -d @1000000000 "$p") ;;
	chmod) CMD=(chmod 0604 "$p") ;;
	chgrp) CMD=(chgrp "$G" "$p") ;;
	chown) CMD=(chown "$B" "$p") ;;
	rm) CMD=(rm -f "$p") ;; # pshm unlink: glibc's shm_unlink says EACCES for EPERM
	mv-away) CMD=(mv -T "$p" "$p.new") ;;
	mv-onto) CMD=(mv -T "$p.src" "$p") ;;
	esac
}

# want OP ROLE MODE: what the rules say.
want() {
	local op=$1 role=$2 mode=$((8#$3)) bits
	case $role in
	owner) bits=$(((mode >> 6) & 7)) ;;
	group) bits=$(((mode >> 3) & 7)) ;;
	other) bits=$((mode & 7)) ;;
	root) bits=7 ;;
	esac
	case $op in
	read) ((bits & 4)) && echo ok || echo EACCES ;;
	write | overwrite | truncate | touch) ((bits & 2)) && echo ok || echo EACCES ;;
	# touch opens the file for writing first: without w, that error
	touch-d) [ "$role" = owner ] || [ "$role" = root ] && echo ok ||
		{ ((bits & 2)) && echo EPERM || echo EACCES; } ;;
	chown) [ "$role" = root ] && echo ok || echo EPERM ;;
	*) [ "$role" = owner ] || [ "$role" = root ] && echo ok || echo EPERM ;;
	esac
}

OPS="read write overwrite truncate touch touch-d chmod chgrp chown rm mv-away mv-onto"
cells=0
for mode in 0600 0640 0644 0666 4666; do
	for role in owner group other root; do
		case $role in
		owner) u=$A ug=users og=users ;;
		group) u=$B ug=users og=users ;;
		other) u=$B ug=users og=$G ;;
		root) u=root ug=root og=users ;;
		esac
		for op in $OPS; do
			n=$op.$role.$mode
			mkobj "$n" "$mode" "$A" "$og" || ok 1 "make $n"
			[ "$op" = mv-onto ] && { mkobj "$n.src" 0644 "$u" "$ug" || ok 1 "make $n.src"; }
			w=$(want "$op" "$role" "$mode")
			cmd "$op" mnt "$n"
			mres=$(errname as "$u" "$ug" "${CMD[@]}")
			cmd "$op" shm "$n"
			dres=$(errname as "$u" "$ug" "${CMD[@]}")
			ms=$(state "$PREFIX" "$n" "$n.new" "$n.src")
			ds=$(state "$D" "$n" "$n.new" "$n.src")
			is "mount:$mres direct:$dres | $ms" "mount:$w direct:$w | $ds" \
				"$op as $role on $mode: $w, and the object as after the direct call"
			cells=$((cells + 1))
		done
	done
done
diag "matrix: $cells cells (operation x role x mode)"
# The rm rows through shm_unlink itself: refused too, as EACCES (glibc).
mkobj unl 0666 "$A" users
is "$(errname as "$B" users "$PSHM" unlink "${D}unl") $(errname as "$B" users rm -f "$MNT/unl")" \
	"EACCES EPERM" "B's shm_unlink of A's 0666 object: EACCES; rm through the mount: EPERM"
is "$(state "$PREFIX" unl)" "$(state "$D" unl)" "  ... both objects still there, unchanged"
is "$(errname as "$A" users "$PSHM" unlink "${D}unl") $(errname as "$A" users rm -f "$MNT/unl")" \
	"ok ok" "A's shm_unlink and rm of its own object: both done"

# --- create: the caller's owner, group and mode after the caller's umask --
# (the daemon runs under umask 077: it must not apply its own)
for spec in "$A users 027 touch 640" "$B users 002 echo 664" "$A $G 077 touch 600" \
	"$B users 000 echo 666" "root root 022 touch 644"; do
	set -- $spec
	n=new.$1.$3
	if [ "$4" = touch ]; then
		c='umask "$1"; touch "$2"'
	else
		c='umask "$1"; echo x >"$2"'
	fi
	mres=$(errname as "$1" "$2" sh -c "$c" sh "$3" "$MNT/$n")
	dres=$(errname as "$1" "$2" sh -c "$c" sh "$3" "$SHMDIR/$D$n")
	is "$mres $(stat -c '%a %U %G' "$SHMDIR/$PREFIX$n" 2>&1)" \
		"ok $5 $1 $2" "create ($4) as $1:$2 under umask $3: mode $5, owned $1:$2"
	is "$(stat -c '%a %U %G %s' "$SHMDIR/$PREFIX$n" 2>&1)" \
		"$(stat -c '%a %U %G %s' "$SHMDIR/$D$n" 2>&1)" \
		"create as $1 under umask $3: the same object as a direct open(O_CREAT) ($dres)"
done
# An existing object of A: B's O_CREAT open is an open for writing.
mkobj excl 0644 "$A" users
is "$(errname as "$B" users sh -c 'echo x >"$1"' sh "$MNT/excl") $(state "$PREFIX" excl)" \
	"EACCES $(state "$D" excl)" "B's create over A's 0644 object: EACCES, object unchanged"

# --- chmod g+s by an owner outside the object's group: the bit is dropped ---
mkobj sgid 0644 "$A" root
mres=$(errname as "$A" users chmod 2664 "$MNT/sgid")
dres=$(errname as "$A" users chmod 2664 "$SHMDIR/${D}sgid")
is "$mres $dres $(stat -c %a "$SHMDIR/${PREFIX}sgid")" "ok ok $(stat -c %a "$SHMDIR/${D}sgid")" \
	"chmod 2664 by the owner outside the group: set-group-ID dropped as directly"
is "$(stat -c %a "$SHMDIR/${PREFIX}sgid")" 664 "  ... mode 0664"

# --- an open file of one user opens nothing for another ----------------------
mkobj held 0600 "$A" users
mkdir -m 1777 "$SCRATCH/tmp"
timeout 10 setpriv --reuid="$A" --regid=users --init-groups -- \
	sh -c 'exec 3<>"$1" && : >"$2" && exec sleep 5' sh "$MNT/held" "$SCRATCH/tmp/held" &
holder=$!
for _ in $(seq 1 100); do
	[ -e "$SCRATCH/tmp/held" ] && break
	sleep 0.05
done
[ -e "$SCRATCH/tmp/held" ]
ok $? "A opens its 0600 file read-write and holds it open"
is "$(errname as "$B" users cat "$MNT/held")" EACCES \
	"while A holds its 0600 file open (read-write), B's read: EACCES"
is "$(errname as "$B" users sh -c 'echo x >>"$1"' sh "$MNT/held")" EACCES \
	"  ... and B's write: EACCES"
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null

# --- listing and stat need only the directory --------------------------------
mkobj seen 0600 "$A" users
is "$(as "$B" users ls "$MNT" | grep -cx seen)" 1 "ls as B lists A's 0600 object"
is "$(as "$B" users stat -c '%a %U %G %s' "$MNT/seen" 2>&1)" \
	"$(stat -c '%a %U %G %s' "$SHMDIR/${PREFIX}seen")" \
	"stat as B of A's 0600 object: the object's mode, owner, group, size"
is "$(as "$B" users stat -c '%a %U' "$MNT")" "1777 root" "the root is 1777 root, as /dev/shm"

# --- directories (delimiter ':'): the marker object PREFIX d: ------------------------
# In /dev/shm every object sits in one sticky directory: only its owner
# (or root) may remove or rename it, whatever directory the mount folds
# it into. A directory's own mode guards the mount only.
as "$A" users sh -c 'umask 022; mkdir "$1"' sh "$MNT/adir"
is "$(stat -c '%a %U %G' "$SHMDIR/${PREFIX}adir:" 2>&1)" "755 $A users" \
	"mkdir as A under umask 022: marker ${PREFIX}adir: is A's, mode 0755"
as "$A" users sh -c 'umask 000; mkdir "$1"' sh "$MNT/open"
is "$(stat -c '%a %U %G' "$SHMDIR/${PREFIX}open:" 2>&1)" "777 $A users" \
	"mkdir as A under umask 000: marker mode 0777"
# A's object in A's world-writable (not sticky) directory, and its twin.
mkobj open:rm 0666 "$A" users
mkobj open:away 0666 "$A" users
mkobj open:onto 0666 "$A" users
mkobj open:B 0644 "$B" users
for spec in "rm|rm -f @rm" "mv away|mv -T @away @away2" "mv onto|mv -T @B @onto"; do
	what=${spec%%|*} c=${spec#*|}
	m=$(errname as "$B" users ${c//@/$MNT/open/})
	d=$(errname as "$B" users ${c//@/$SHMDIR/${D}open:})
	set -- open:rm open:away open:away2 open:onto open:B
	is "mount:$m direct:$d | $(state "$PREFIX" "$@")" "mount:EPERM direct:EPERM | $(state "$D" "$@")" \
		"B's $what of A's 0666 object in A's 0777 directory: refused as shm_unlink/rename refuse it"
done
# B renames its own directory, which holds an object of A's.
as "$B" users mkdir "$MNT/bdir"
mkobj bdir:af 0644 "$A" users
m=$(errname as "$B" users mv -T "$MNT/bdir" "$MNT/bdir2")
d=$(errname as "$B" users mv -T "$SHMDIR/${D}bdir:af" "$SHMDIR/${D}bdir2:af")
is "mount:$m direct:$d | $(state "$PREFIX" bdir:af bdir2:af)" \
	"mount:EPERM direct:EPERM | $(state "$D" bdir:af bdir2:af)" \
	"B's mv of its own directory holding A's object: refused as renaming A's object is"
# The directory's mode guards the mount (by design; not shm_open).
is "$(errname as "$B" users touch "$MNT/adir/x")" EACCES "B's create in A's 0755 directory: EACCES"
mkobj adir:mine 0644 "$B" users
is "$(errname as "$B" users rm -f "$MNT/adir/mine") $(state "$PREFIX" adir:mine)" \
	"EACCES $(state "$D" adir:mine)" "B's rm of its own object in A's 0755 directory: EACCES (mode guards the mount)"
is "$(errname as "$B" users chmod 0777 "$MNT/adir") $(stat -c %a "$SHMDIR/${PREFIX}adir:")" \
	"EPERM 755" "B's chmod of A's directory: EPERM"
as "$A" users mkdir "$MNT/empty"
is "$(errname as "$B" users rmdir "$MNT/empty") $(stat -c %U "$SHMDIR/${PREFIX}empty:" 2>&1)" \
	"EPERM $A" "B's rmdir of A's empty directory (sticky root): EPERM"
is "$(errname as "$A" users rmdir "$MNT/empty") $([ -e "$SHMDIR/${PREFIX}empty:" ] && echo 1 || echo 0)" \
	"ok 0" "A's rmdir of its empty directory: done, marker gone"
# An implicit directory (objects below, no marker) looks like the root: 1777.
mkobj imp:x 0666 "$A" users
is "$(stat -c '%a %U' "$MNT/imp")" "1777 root" "an implicit directory is 1777 root, as the root"
is "$(errname as "$B" users rm -f "$MNT/imp/x") $(state "$PREFIX" imp:x)" \
	"EPERM $(state "$D" imp:x)" "B's rm of A's object in an implicit directory: EPERM (sticky)"
is "$(errname as "$B" users mv -T "$MNT/imp" "$MNT/imp2") $(state "$PREFIX" imp:x)" \
	"EPERM $(state "$D" imp:x)" "B's mv of an implicit directory: EPERM (root's, sticky root)"

end_mount_test
done_testing
