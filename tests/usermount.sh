#!/usr/bin/env bash
# A user mount: pshmfs run by an ordinary (test) user, mounted through the
# setuid fusermount3, without allow_other. It works for that user; no one
# else can enter the mount, root included (FUSE refuses every process
# whose uid is not the mounter's unless allow_other). The daemon acts with
# the user's rights only: what the user cannot do to an object through
# shm_open, the mount cannot do for them either. The user (and root, but
# no one else) may remount it.
#
# libfuse opens /dev/fuse itself before it falls back to fusermount3, so
# the user must be able to open it. Where /dev/fuse is root-only (mode
# 0600) and we are root, the test runs in a private mount namespace with
# a /dev/fuse node of its own, mode 0666, bound over /dev/fuse there:
# the machine's /dev/fuse is not changed. Elsewhere it skips.

if [ -z "${PSHMFS_TEST_NS:-}" ] && [ "$(id -u)" -eq 0 ] && [ -c /dev/fuse ] &&
	[ $((8#$(stat -c %a /dev/fuse) & 6)) -ne 6 ] &&
	command -v unshare >/dev/null &&
	unshare -m --propagation private true 2>/dev/null; then
	PSHMFS_TEST_NS=1 exec unshare -m --propagation private bash "$0" "$@"
fi

. "${top_srcdir:-.}/tests/lib.sh"
. "${top_srcdir:-.}/tests/users.sh"
require_fuse
require_users
[ -x "$PSHM" ] || skip_all "$PSHM is not built"
FM=$(command -v fusermount3)
[ "$(stat -c %u "$FM")" -eq 0 ] && [ -u "$FM" ] || skip_all "$FM is not setuid root"

A=pshmtA$$
B=pshmtB$$
DEV=$SCRATCH/dev
user_cleanup() {
	# Detach the private /dev/fuse (lazily: the daemon may still hold it)
	# before lib.sh's cleanup removes the scratch directory.
	if [ -n "${PSHMFS_TEST_NS:-}" ] && mountpoint -q "$DEV"; then
		umount -l /dev/fuse
		umount -l "$DEV"
	fi
	cleanup
	users_cleanup
}
trap user_cleanup EXIT

add_user "$A" users && add_user "$B" users ||
	{ ok 1 "create the test users"; done_testing; exit 1; }
chmod o+x "$SCRATCH"
chown "$A" "$MNT"

if [ -n "${PSHMFS_TEST_NS:-}" ]; then
	mkdir "$DEV" && mount -t tmpfs -o mode=0755 pshmfs-test "$DEV" &&
		mknod -m 0666 "$DEV/fuse" c "$((0x$(stat -c %t /dev/fuse)))" \
			"$((0x$(stat -c %T /dev/fuse)))" &&
		mount --bind "$DEV/fuse" /dev/fuse ||
		skip_all "cannot give this private mount namespace a /dev/fuse of mode 0666"
	diag "in a private mount namespace with its own /dev/fuse (mode 0666)"
fi
as "$A" users sh -c ': <>/dev/fuse' 2>/dev/null ||
	skip_all "an ordinary user cannot open /dev/fuse ($(stat -c %A /dev/fuse))"

# The daemon as A, in the foreground, in the background: fusermount3 mounts.
start_user() {
	setpriv --reuid="$A" --regid=users --init-groups -- \
		"$PSHMFS" -f -o "prefix=$PREFIX" "$@" "$MNT" >>"$LOG" 2>&1 &
	DAEMON_PID=$!
	for _ in $(seq 1 500); do
		is_mounted "$MNT" && return 0
		kill -0 "$DAEMON_PID" 2>/dev/null || break
		sleep 0.01
	done
	[ -n "${QUIET:-}" ] && return 1
	diag "pshmfs did not mount; its log:"
	awk '{ print "#   " $0 }' "$LOG"
	return 1
}

present() { [ -e "$SHMDIR/$1" ] && echo 1 || echo 0; }

# The objects that must stay out of A's reach: root's, in A's prefix.
"$PSHM" create -c -x -m 0600 "${PREFIX}rootonly" && "$PSHM" write "${PREFIX}rootonly" secret &&
	"$PSHM" create -c -x -m 0644 "${PREFIX}rootpub" && "$PSHM" write "${PREFIX}rootpub" public ||
	{ ok 1 "make root's objects"; done_testing; exit 1; }

start_user || { ok 1 "mount as $A"; done_testing; exit 1; }
opts=$(awk -v m="$MNT" '$2 == m { print $4 }' /proc/mounts)
[[ $opts == *user_id=$(id -u "$A"),* ]]
ok $? "mounted for $A (user_id=$(id -u "$A") in /proc/mounts: $opts)"
[[ $opts != *allow_other* ]]
ok $? "without allow_other"
is "$(ps -o user= -p "$DAEMON_PID")" "$A" "the daemon runs as $A"
is "$(grep 'pshmfs: passthrough:' "$LOG")" \
	"pshmfs: passthrough: off, copying through the daemon: registering backing files needs CAP_SYS_ADMIN in the initial user namespace" \
	"a user's mount takes the copy path, and the log says why"

# --- it works for its user -------------------------------------------------------
asA() { as "$A" users "$@"; }
is "$(errname asA sh -c 'umask 027; echo hello >"$1"' sh "$MNT/f")" ok "$A creates a file"
is "$(stat -c '%a %U %G %s' "$SHMDIR/${PREFIX}f")" "640 $A users 6" \
	"  ... the object is $A's, mode 0640 from $A's umask 027"
is "$(asA cat "$MNT/f")" hello "$A reads it"
is "$(asA sh -c 'echo more >>"$1" && cat "$1"' sh "$MNT/f" | tr '\n' ' ')" "hello more " "$A appends"
is "$(asA ls "$MNT" | tr '\n' ' ')" "f rootonly rootpub " "$A lists the mount"
is "$(asA stat -c '%a %U' "$MNT")" "1777 $A" "the root is 1777, owned by $A"
is "$(errname asA chmod 0600 "$MNT/f") $(stat -c %a "$SHMDIR/${PREFIX}f")" "ok 600" "$A chmods"
is "$(errname asA mv -T "$MNT/f" "$MNT/g") $(present "${PREFIX}g")" "ok 1" "$A renames"
is "$(errname asA truncate -s 2 "$MNT/g") $(stat -c %s "$SHMDIR/${PREFIX}g")" "ok 2" "$A truncates"
is "$(asA cat "$MNT/rootpub")" public "$A reads root's 0644 object"

# --- but only with the user's rights ----------------------------------------------
is "$(errname asA cat "$MNT/rootonly")" EACCES "$A cannot read root's 0600 object"
is "$(errname asA sh -c 'echo x >>"$1"' sh "$MNT/rootpub")" EACCES "$A cannot write root's 0644 object"
is "$(errname asA chmod 0666 "$MNT/rootonly")" EPERM "$A cannot chmod root's object"
is "$(errname asA chown "$A" "$MNT/g")" ok "$A can chown its own file to itself"
is "$(errname asA chown "$B" "$MNT/g")" EPERM "$A cannot give its file to $B"
# A owns the mount's sticky root, so the kernel lets A try; the daemon,
# being A, is refused by /dev/shm's sticky bit, exactly as A directly.
is "$(errname asA rm -f "$MNT/rootonly")" "$(errname asA rm -f "$SHMDIR/${PREFIX}rootonly")" \
	"$A's rm of root's object: refused as directly in /dev/shm"
[ "$(cat "$SHMDIR/${PREFIX}rootonly")" = secret ]
ok $? "  ... root's object is still there"
is "$(errname asA mv -T "$MNT/rootpub" "$MNT/stolen")" EPERM "$A cannot rename root's object"
is "$(errname asA mv -T "$MNT/g" "$MNT/rootpub")" EPERM "$A cannot rename onto root's object"
is "$(cat "$SHMDIR/${PREFIX}rootpub")" public "  ... root's object is unchanged"

# --- no one else enters ----------------------------------------------------------
asB() { as "$B" users "$@"; }
"$PSHM" create -c -x -m 0644 "${PREFIX}pub" && chown "$A" "$SHMDIR/${PREFIX}pub"
is "$(errname asB "$PSHM" read "${PREFIX}pub")" ok "(directly, $B can read $A's 0644 object)"
is "$(errname asB ls "$MNT")" EACCES "$B cannot list the mount"
is "$(errname asB stat "$MNT")" EACCES "$B cannot stat the mount's root"
is "$(errname asB stat "$MNT/pub")" EACCES "$B cannot stat a file"
is "$(errname asB cat "$MNT/pub")" EACCES "$B cannot read a 0644 file"
is "$(errname asB touch "$MNT/new")" EACCES "$B cannot create"
is "$(errname asB rm -f "$MNT/pub")" EACCES "$B cannot remove"
is "$(errname ls "$MNT")" EACCES "root cannot list the mount"
is "$(errname stat "$MNT/pub")" EACCES "root cannot stat a file"
is "$(errname cat "$MNT/pub")" EACCES "root cannot read a file"
is "$(errname touch "$MNT/new")" EACCES "root cannot create"
is "$(errname rm -f "$MNT/pub")" EACCES "root cannot remove"
is "$(present "${PREFIX}new") $(present "${PREFIX}pub")" "0 1" \
	"  ... nothing was made or removed"
is "$(errname asA rm "$MNT/g") $(present "${PREFIX}g")" "ok 0" "$A removes its file"

# --- remount (issue 16): whoever mounted, and root, may --------------------------
is "$(errname asA "$PSHMFS" shm "$MNT" -o remount,size=8m)" ok "$A remounts its mount with size=8m"
is "$(asA df -k --output=size "$MNT" | tail -1 | tr -d ' ')" 8192 "  ... df shows 8 MiB to $A"
is "$(errname asB "$PSHMFS" shm "$MNT" -o remount,size=16m)" EPERM "$B may not remount it"
is "$(errname "$PSHMFS" shm "$MNT" -o remount,size=4m)" ok "root may"
is "$(asA df -k --output=size "$MNT" | tail -1 | tr -d ' ')" 4096 "  ... df shows 4 MiB"

end_mount_test

# --- allow_other needs user_allow_other in /etc/fuse.conf -------------------------
if grep -qx '[[:space:]]*user_allow_other[[:space:]]*' /etc/fuse.conf 2>/dev/null; then
	ok 0 "a user mount with allow_other is refused # SKIP /etc/fuse.conf has user_allow_other"
else
	LOG=$SCRATCH/allow_other.log
	QUIET=1 start_user -o allow_other && ok 1 "a user mount with allow_other is refused" ||
		{ wait "$DAEMON_PID" 2>/dev/null; DAEMON_PID=; grep -q user_allow_other "$LOG"
		ok $? "a user mount with allow_other is refused (fusermount3: user_allow_other)"; }
fi
done_testing
