#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Set-id bits as tmpfs clears them (FUSE_HANDLE_KILLPRIV_V2, negotiated by
# src/fuse/passthrough.c; the rule in src/core/fileops.c): a write(), a
# truncate and an O_TRUNC open by a user clear set-user-ID, and
# set-group-ID where the file is group-executable or the user is not in
# its group; root's keep them; a chown clears them as root's does. Each
# case is run on the mount and on a tmpfs directory, and the modes after
# it must be the same. And the reason the flag is asked for: the kernel
# asks the daemon for security.capability at most once per file, not at
# every write() (a round trip per write where the data passes through).
# Needs root (users, and the shim that speaks the protocol runs only
# where passthrough may be tried).

. "${top_srcdir:-.}/tests/lib.sh"
. "${top_srcdir:-.}/tests/users.sh"
require_fuse
require_users
[ -n "${PSHMFS_TEST_OPTS:-}" ] &&
	skip_all "PSHMFS_TEST_OPTS=$PSHMFS_TEST_OPTS: the flag is asked for with passthrough"

A=pshmsA$$ # in the files' group G
B=pshmsB$$ # not in it
G=pshmsG$$
# The tmpfs twin: a name outside the prefix, which lib.sh's cleanup removes.
REF=$SHMDIR/${PREFIX%.}-ref
trap cleanup_with_users EXIT
mkdir "$REF" || exit 1

add_group "$G" && add_user "$A" users "$G" && add_user "$B" users ||
	{ ok 1 "create the test users"; done_testing; exit 1; }
chmod o+x "$SCRATCH"
chmod 0777 "$REF"
start_pshmfs -o allow_other || { ok 1 "mount"; done_testing; exit 1; }
grep -q 'pshmfs: passthrough: on' "$LOG" ||
	skip_all "passthrough is off here ($(grep -m1 'passthrough:' "$LOG"))"

# op OP WHO FILE: OP (append, pwrite, truncate, otrunc, chown) on FILE as
# WHO (root, A or B).
op() {
	local who=root grp=users
	case $2 in
	A) who=$A ;;
	B) who=$B ;;
	esac
	case $1 in
	append) as "$who" "$grp" sh -c 'echo y >>"$1"' - "$3" ;;
	pwrite) as "$who" "$grp" dd of="$3" bs=1 count=1 conv=notrunc \
		status=none </dev/zero ;;
	truncate) as "$who" "$grp" truncate -s 1 "$3" ;;
	otrunc) as "$who" "$grp" sh -c ': >"$1"' - "$3" ;;
	chown) chown "0:$G" "$3" ;;
	esac
}

# mode_after MODE OP WHO DIR: make DIR/f (group G, MODE), do OP as WHO,
# print its mode then.
mode_after() {
	local f=$4/f
	rm -f "$f"
	echo x >"$f" && chgrp "$G" "$f" && chmod "$1" "$f" &&
		op "$2" "$3" "$f" || echo "$2 failed"
	stat -c %a "$f"
	rm -f "$f"
}

for mode in 4777 2777 2767 6777 6767; do
	for o in append pwrite truncate otrunc; do
		for who in A B root; do
			want=$(mode_after "$mode" "$o" "$who" "$REF")
			is "$(mode_after "$mode" "$o" "$who" "$MNT")" "$want" \
				"$mode, $o by $who: $want as on tmpfs"
		done
	done
	want=$(mode_after "$mode" chown root "$REF")
	is "$(mode_after "$mode" chown root "$MNT")" "$want" \
		"$mode, chown by root: $want as on tmpfs"
done

# The cases where the bits go are not vacuous: tmpfs clears them.
is "$(mode_after 2767 append B "$REF")/$(mode_after 2767 append A "$REF")" \
	767/2767 "tmpfs: a non-member's write clears a set-group-ID without group execute, a member's does not"

# -d: every request in the log. (Debug output names errors: no check_log.)
stop_pshmfs
: >"$LOG"
start_pshmfs -d -o allow_other || { ok 1 "mount -d"; done_testing; exit 1; }
caps() { grep -c "getxattr: .*'security.capability'" "$LOG"; }
echo x >"$MNT/w" && chmod 0666 "$MNT/w"
before=$(caps)
as "$B" users dd if=/dev/zero of="$MNT/w" bs=4k count=200 conv=notrunc status=none
ok $? "200 writes as a user"
caps=$(($(caps) - before))
[ "$caps" -le 1 ]
ok $? "the daemon was asked for security.capability $caps times for 200 write()s (at most once)"
rm -f "$MNT/w"

kill -0 "$DAEMON_PID" 2>/dev/null
ok $? "the daemon is alive"
stop_pshmfs
ok $? "unmount: the daemon exits 0"
done_testing
