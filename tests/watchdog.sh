# SPDX-License-Identifier: GPL-2.0-or-later
# Sourced after tests/lib.sh by the tests that can catch a daemon hung.
# Watchdog: a deadlocked daemon leaves its callers in uninterruptible sleep,
# out of reach of timeout. After WATCHDOG_SECONDS (default 50) it kills -9
# the daemons this test started (checked by their prefix), whose callers
# then fail with ENOTCONN: the test fails instead of hanging.
DAEMONS=$SCRATCH/daemons
eval "lib_$(declare -f start_pshmfs)"
start_pshmfs() {
	lib_start_pshmfs "$@"
	local st=$?
	echo "$DAEMON_PID" >>"$DAEMONS"
	return $st
}
watchdog() {
	local s p
	trap 'kill "$s" 2>/dev/null; exit 0' TERM
	sleep "${WATCHDOG_SECONDS:-50}" &
	s=$!
	wait "$s"
	for p in $(cat "$DAEMONS" 2>/dev/null); do
		grep -qF -- "$PREFIX" "/proc/$p/cmdline" 2>/dev/null || continue
		# Where it hangs, for the report: each thread's kernel stack.
		for t in /proc/"$p"/task/*; do
			diag "watchdog: daemon $p thread ${t##*/} ($(cat "$t/comm" 2>/dev/null)): $(tr '\n' ' ' <"$t/stack" 2>/dev/null)"
		done
		is_mounted "$MNT" && diag "watchdog: $MNT is still mounted"
		kill -9 "$p" && echo "$p" >>"$SCRATCH/watchdog.fired"
	done
}
watchdog &
WATCHDOG_PID=$!
watchdog_stop() {
	[ -n "$WATCHDOG_PID" ] && kill "$WATCHDOG_PID" 2>/dev/null && wait "$WATCHDOG_PID"
	WATCHDOG_PID=
}
watchdog_check() {
	watchdog_stop
	[ ! -e "$SCRATCH/watchdog.fired" ]
	ok $? "no hang: the watchdog did not have to kill a daemon"
}
