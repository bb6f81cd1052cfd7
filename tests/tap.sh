# SPDX-License-Identifier: GPL-2.0-or-later
# TAP for shell tests: ok, is, fails_with, diag, skip_all, done_testing.
# Sourced by tests/lib.sh. Each assertion prints one TAP line; the plan
# comes last, from done_testing, so a test that dies early is an error.

tap_n=0
tap_failed=0

diag() { printf '# %s\n' "$*"; }
skip_all() { echo "1..0 # SKIP $*"; exit 0; }

# ok COND_STATUS DESCRIPTION: pass when the status is 0.
ok() {
	local st=$1
	shift
	tap_n=$((tap_n + 1))
	if [ "$st" -eq 0 ]; then
		echo "ok $tap_n - $*"
	else
		echo "not ok $tap_n - $*"
		tap_failed=$((tap_failed + 1))
	fi
}

# is GOT WANT DESCRIPTION
is() {
	local got=$1 want=$2
	shift 2
	if [ "$got" = "$want" ]; then
		ok 0 "$@"
	else
		ok 1 "$@"
		diag "  got:  '$got'"
		diag "  want: '$want'"
	fi
}

# fails_with MESSAGE DESCRIPTION -- COMMAND...: the command fails and its
# stderr contains MESSAGE (strerror text, e.g. "No such file or directory").
# The stderr stays in FAILED_STDERR for the caller.
fails_with() {
	local msg=$1 desc=$2 err st
	shift 3
	err=$("$@" 2>&1 >/dev/null)
	st=$?
	FAILED_STDERR=$err
	if [ $st -ne 0 ] && [[ $err == *"$msg"* ]]; then
		ok 0 "$desc"
	else
		ok 1 "$desc"
		diag "  status $st, stderr: $err"
		diag "  want failure with: $msg"
	fi
}

done_testing() {
	echo "1..$tap_n"
	[ "$tap_failed" -eq 0 ]
}
