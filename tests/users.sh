# SPDX-License-Identifier: GPL-2.0-or-later
# Temporary users for the multi-user mount tests, sourced after lib.sh.
# Users and groups are made only when root, named with this test's $$,
# and removed on every exit: a test wraps its EXIT trap through
# users_cleanup. Commands run as them through setpriv, under timeout.

TEST_USERS=()
TEST_GROUPS=()

# Skip the whole test unless we can make users and act as them.
require_users() {
	[ "$(id -u)" -eq 0 ] || skip_all "needs root to create test users"
	local c
	for c in useradd userdel groupadd groupdel setpriv getent; do
		command -v "$c" >/dev/null || skip_all "$c is not installed"
	done
	getent group users >/dev/null || skip_all "there is no group 'users'"
}

# useradd and groupadd lock /etc/passwd; tests running side by side may
# hold the lock for a moment: retry.
users_retry() {
	local err
	for _ in 1 2 3 4 5 6 7 8 9 10; do
		err=$("$@" 2>&1) && return 0
		sleep 0.3
	done
	diag "$* failed: $err"
	return 1
}

# add_group NAME
add_group() {
	users_retry groupadd "$1" || return 1
	TEST_GROUPS+=("$1")
}

# add_user NAME PRIMARY_GROUP [SUPPLEMENTARY_GROUP]: no home, no shell.
add_user() {
	local extra=()
	[ -n "${3:-}" ] && extra=(-G "$3")
	users_retry useradd -M -N -s /usr/sbin/nologin -g "$2" "${extra[@]}" "$1" ||
		return 1
	TEST_USERS+=("$1")
}

users_cleanup() {
	local u g
	for u in "${TEST_USERS[@]}"; do
		users_retry userdel "$u"
	done
	for g in "${TEST_GROUPS[@]}"; do
		users_retry groupdel "$g"
	done
	TEST_USERS=()
	TEST_GROUPS=()
}

# The EXIT trap of a test with users: lib.sh's cleanup, then the users.
# (trap cleanup_with_users EXIT)
cleanup_with_users() {
	cleanup
	users_cleanup
}

# as USER GROUP COMMAND...: COMMAND with USER's uid, GROUP as its group
# and USER's supplementary groups; USER "root" runs it as we are.
as() {
	local u=$1 g=$2
	shift 2
	if [ "$u" = root ]; then
		timeout 10 "$@"
	else
		timeout 10 setpriv --reuid="$u" --regid="$g" --init-groups -- "$@"
	fi
}

# errname COMMAND...: run it; print "ok" when it succeeds, else the errno
# name its message shows (or the message itself).
errname() {
	local err st
	err=$("$@" 2>&1 >/dev/null)
	st=$?
	if [ $st -eq 0 ]; then
		echo ok
		return
	fi
	case $err in
	*"Permission denied"*) echo EACCES ;;
	*"Operation not permitted"*) echo EPERM ;;
	*"No such file or directory"* | *"Directory nonexistent"*) echo ENOENT ;; # dash: ENOENT
	*"Read-only file system"*) echo EROFS ;;
	*"File exists"*) echo EEXIST ;;
	*"Invalid argument"*) echo EINVAL ;;
	*"File name too long"*) echo ENAMETOOLONG ;;
	*"Is a directory"*) echo EISDIR ;;
	*"Directory not empty"*) echo ENOTEMPTY ;;
	*"Not a directory"*) echo ENOTDIR ;;
	*)
		if [ $st -eq 124 ]; then
			echo TIMEOUT
		else
			echo "status $st: $err" | tr '\n' ' '
		fi
		;;
	esac
}
