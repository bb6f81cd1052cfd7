# SPDX-License-Identifier: GPL-2.0-or-later
# Shared by the mount tests: paths, a unique prefix, mounting with a
# readiness check, and cleanup on every exit (unmount, kill our daemon,
# remove the objects under our prefix, remove the scratch directory).

. "${top_srcdir:-.}/tests/tap.sh"

PSHMFS=${top_builddir:-.}/src/pshmfs
PSHM=${top_builddir:-.}/src/pshm
SHMDIR=/dev/shm
PREFIX="pshmfs-test.$(basename "$0" .sh).$$."
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/pshmfs-test.XXXXXX")
MNT=$SCRATCH/mnt
LOG=$SCRATCH/daemon.log
DAEMON_PID=
BG_PIDS= # a test's background processes, ended by PID on exit
mkdir "$MNT"

require_fuse() {
	[ -c /dev/fuse ] || skip_all "/dev/fuse is missing"
	[ -r /dev/fuse ] && [ -w /dev/fuse ] || skip_all "/dev/fuse is not usable by $(id -un)"
	command -v fusermount3 >/dev/null || skip_all "fusermount3 is not installed"
	[ -x "$PSHMFS" ] || skip_all "$PSHMFS is not built"
}

is_mounted() {
	awk -v m="$1" '$2 == m { f = 1 } END { exit !f }' /proc/mounts
}

# start_pshmfs [OPTIONS...]: mount $MNT with our prefix in the foreground,
# in the background; return once mounted, fail at once if the daemon dies.
# PSHMFS_TEST_OPTS: options for every mount (tests/copy_path.sh runs the
# mount tests with passthrough=off).
start_pshmfs() {
	"$PSHMFS" -f -o "prefix=$PREFIX${PSHMFS_TEST_OPTS:+,$PSHMFS_TEST_OPTS}" \
		"$@" "$MNT" >>"$LOG" 2>&1 &
	DAEMON_PID=$!
	local i
	for i in $(seq 1 500); do
		is_mounted "$MNT" && return 0
		kill -0 "$DAEMON_PID" 2>/dev/null || break
		sleep 0.01
	done
	diag "pshmfs did not mount; its log:"
	awk '{ print "#   " $0 }' "$LOG"
	return 1
}

# holders DIR: the processes with a descriptor or a directory under DIR.
holders() {
	local l p
	for l in /proc/[0-9]*/cwd /proc/[0-9]*/root /proc/[0-9]*/fd/*; do
		case $(readlink "$l" 2>/dev/null) in
		"$1" | "$1"/*)
			p=${l#/proc/}
			p=${p%%/*}
			echo "$p ($(cat "/proc/$p/comm" 2>/dev/null))" ;;
		esac
	done | sort -u | tr '\n' ' '
}

# unmount DIR: fusermount3 -u, waiting up to 5 s while the mount is busy.
# A test's last command may leave a child that still holds a file in the
# mount for a moment: cmp -n exits, the tail that feeds it from a
# process substitution dies of SIGPIPE only when next scheduled (under
# load, 8 unmounts in 100 were refused). A mount still busy after 5 s is a
# failure, and the log names who holds it.
unmount() {
	local err i
	for i in $(seq 1 50); do
		err=$(fusermount3 -u "$1" 2>&1) && return 0
		case $err in
		*"Device or resource busy"*) sleep 0.1 ;;
		*) break ;;
		esac
	done
	diag "fusermount3 -u: $err; held by: $(holders "$1")"
	return 1
}

stop_pshmfs() {
	# Still busy: the daemon stays up, and cleanup ends it.
	is_mounted "$MNT" && ! unmount "$MNT" && return 1
	if [ -n "$DAEMON_PID" ]; then
		wait "$DAEMON_PID"
		local st=$?
		DAEMON_PID=
		return $st
	fi
}

# The objects this test made, seen directly in the shm directory.
our_objects() {
	(cd "$SHMDIR" && ls -A) | grep -F -- "$PREFIX" | sed "s/^$PREFIX//" | sort
}

# Fail when the daemon wrote anything that looks like an error.
check_log() {
	if grep -Eiq 'error|warning|fuse:' "$LOG"; then
		ok 1 "daemon log is clean"
		awk '{ print "#   " $0 }' "$LOG"
	else
		ok 0 "daemon log is clean"
	fi
}

# fresh DESC WANT -- CMD...: CMD prints WANT within half a second. With
# the default caches (1 s), what another program changes through shm_open
# shows once the daemon's inotify thread has told the kernel (src/fuse/watch.c),
# in about 0.1 ms (1 ms in a stream of changes); tests/cache.sh proves the
# invalidation itself.
fresh() {
	local desc=$1 want=$2 got i
	shift 3
	for i in $(seq 1 50); do
		got=$("$@" 2>&1)
		[ "$got" = "$want" ] && break
		sleep 0.01
	done
	is "$got" "$want" "$desc"
}

# gone_soon PATH: PATH is gone within half a second (as fresh).
gone_soon() {
	local i
	for i in $(seq 1 50); do
		[ -e "$1" ] || return 0
		sleep 0.01
	done
	return 1
}

# same DESC -- CMD ARGS...: run CMD with each "@" in ARGS as the mount and
# as the tmpfs directory $REF (the test makes it): the same status and the
# same message.
same() {
	local desc=$1 a=() b=() x m r
	shift 2
	for x in "$@"; do
		a+=("${x//@/$MNT}")
		b+=("${x//@/$REF}")
	done
	m=$("${a[@]}" 2>&1 >/dev/null; echo "status $?")
	r=$("${b[@]}" 2>&1 >/dev/null; echo "status $?")
	is "${m//$MNT/@}" "${r//$REF/@}" "$desc"
}
# The usual end: the daemon is alive, unmounts and exits 0, its log is clean.
end_mount_test() {
	kill -0 "$DAEMON_PID" 2>/dev/null
	ok $? "the daemon is alive"
	stop_pshmfs
	ok $? "unmount: the daemon exits 0"
	check_log
}

cleanup() {
	local p
	# tests/watchdog.sh's, when the test sourced it.
	declare -F watchdog_stop >/dev/null && watchdog_stop
	for p in $BG_PIDS; do
		kill "$p" 2>/dev/null
		wait "$p" 2>/dev/null
	done
	if is_mounted "$MNT"; then
		fusermount3 -u "$MNT" 2>/dev/null || fusermount3 -uz "$MNT"
	fi
	if [ -n "$DAEMON_PID" ] && kill -0 "$DAEMON_PID" 2>/dev/null; then
		kill "$DAEMON_PID"
		wait "$DAEMON_PID" 2>/dev/null
	fi
	# Ours: "$PREFIX"* and "${PREFIX%.}-"*, names tests make to prove
	# that a mount does not see them.
	case $PREFIX in
	pshmfs-test.*.*.) rm -rf -- "$SHMDIR/$PREFIX"* "$SHMDIR/${PREFIX%.}-"* ;;
	esac
	rm -rf -- "$SCRATCH"
}
trap cleanup EXIT
