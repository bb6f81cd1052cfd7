#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# What the daemon says, and where, as pshmfs(1) DIAGNOSTICS documents it:
# in the foreground on standard error; in the background to syslog
# (facility daemon, tag pshmfs, with the pid) and, until it serves, its
# errors and warnings on standard error too; -o loglevel= from err to
# debug; a daemon that cannot serve (ulimit -n 8 and up) says why and
# exits 1, in the foreground and in the background, leaving nothing mounted.
#
# There is no syslog daemon to ask: the test runs as root in a private
# mount namespace whose /dev is a tmpfs holding the machine's device nodes
# (bound one by one) and a /dev/log of its own, a datagram socket that a
# small python3 program reads into a file, one record a line.
if [ -z "${PSHMFS_LOGGING_NS-}" ]; then
	. "${top_srcdir:-.}/tests/tap.sh"
	[ "$(id -u)" -eq 0 ] || skip_all "needs root (a private mount namespace with its own /dev/log)"
	command -v unshare >/dev/null || skip_all "unshare (util-linux) is not installed"
	command -v python3 >/dev/null || skip_all "python3 is not installed (it plays syslogd)"
	PSHMFS_LOGGING_NS=1 exec timeout 300 unshare --mount --propagation private \
		bash "$0" "$@"
fi
. "${top_srcdir:-.}/tests/lib.sh"
require_fuse

# --- a /dev of our own, with a /dev/log ------------------------------------------
# The machine's /dev is bound at STAGE only while its nodes are bound into
# the new /dev one by one, then unmounted: STAGE is outside $SCRATCH, and
# nothing ever removes files under it, so no cleanup can reach the
# machine's /dev (nor /dev/shm) through it.
STAGE=$(mktemp -d /tmp/pshmfs-logging-dev.XXXXXX)
setup_dev() {
	local n
	mount --rbind /dev "$STAGE" &&
		mount -t tmpfs -o mode=755 pshmfs-logging /dev || return 1
	for n in null zero full random urandom fuse tty; do
		[ -e "$STAGE/$n" ] || continue
		touch "/dev/$n" && mount --bind "$STAGE/$n" "/dev/$n" || return 1
	done
	mkdir /dev/shm /dev/pts &&
		mount --bind "$STAGE/shm" /dev/shm &&
		mount --bind "$STAGE/pts" /dev/pts &&
		ln -s /proc/self/fd /dev/fd &&
		ln -s /proc/self/fd/0 /dev/stdin &&
		ln -s /proc/self/fd/1 /dev/stdout &&
		ln -s /proc/self/fd/2 /dev/stderr
}
setup_dev >"$SCRATCH/setup.log" 2>&1
st=$?
[ "$(stat -c %t:%T /dev/fuse)" = "$(stat -c %t:%T "$STAGE/fuse")" ] &&
	[ "$(stat -c %d:%i /dev/shm)" = "$(stat -c %d:%i "$STAGE/shm")" ] &&
	[ ! -e "$STAGE/log" ] || st=1
umount -R "$STAGE" 2>>"$SCRATCH/setup.log" || umount -R -l "$STAGE"
grep -q " $STAGE" /proc/self/mounts && st=1
rmdir "$STAGE" 2>/dev/null
if [ "$st" -ne 0 ]; then
	ok 1 "a private /dev"
	awk '{ print "#   " $0 }' "$SCRATCH/setup.log"
	done_testing
	exit 1
fi
ok 0 "a private /dev: the machine's /dev/fuse and /dev/shm, no /dev/log of the machine's"

SYSLOG=$SCRATCH/syslog
cat >"$SCRATCH/syslogd.py" <<'EOF'
import os, socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind("/dev/log")
os.chmod("/dev/log", 0o666)
with open(sys.argv[1], "ab", buffering=0) as f:
    open(sys.argv[2], "w").close()
    while True:
        f.write(s.recv(65536).replace(b"\n", b" ") + b"\n")
EOF
: >"$SYSLOG"
python3 "$SCRATCH/syslogd.py" "$SYSLOG" "$SCRATCH/syslogd.ready" &
BG_PIDS="$BG_PIDS $!"
for i in $(seq 1 200); do
	[ -e "$SCRATCH/syslogd.ready" ] && break
	sleep 0.01
done
[ -S /dev/log ]
ok $? "a syslog socket on /dev/log"

# Records as "PRIORITY PID MESSAGE", from glibc's "<PRI>TIMESTAMP
# pshmfs[PID]: MESSAGE".
records() {
	sed -n 's/^<\([0-9]*\)>.\{15\} pshmfs\[\([0-9]*\)\]: \(.*\)$/\1 \2 \3/p' "$SYSLOG"
}
# The messages of priority PRI (daemon.err 27, daemon.warning 28,
# daemon.info 30, daemon.debug 31), without the pid.
messages() { records | awk -v p="$1" '$1 == p { $1 = ""; $2 = ""; print substr($0, 3) }'; }
# wait_record PRI TEXT: TEXT logged at PRI within 2 s.
wait_record() {
	local i
	for i in $(seq 1 200); do
		messages "$1" | grep -qxF -- "$2" && return 0
		sleep 0.01
	done
	return 1
}
forget() { : >"$SYSLOG"; }
# count_soon PRI REGEX: how many messages of PRI match REGEX, once at least
# one does (2 s at most).
count_soon() {
	local i
	for i in $(seq 1 200); do
		messages "$1" | grep -Eq -- "$2" && break
		sleep 0.01
	done
	messages "$1" | grep -Ec -- "$2"
}

# bg [OPTIONS]: pshmfs in the background on $MNT with our prefix; its
# status in BG_ST, its terminal output in BG_OUT.
bg() {
	"$PSHMFS" -o "prefix=$PREFIX" "$@" "$MNT" >"$SCRATCH/bg.out" 2>&1 </dev/null
	BG_ST=$?
	BG_OUT=$(cat "$SCRATCH/bg.out")
}
# The pid of the daemon on $MNT.
daemon_pid() {
	local p
	for p in /proc/[0-9]*; do
		{ tr '\0' '\n' <"$p/cmdline"; } 2>/dev/null | grep -qxF -- "$MNT" &&
			{ echo "${p#/proc/}"; return; }
	done
}
# Unmount a background daemon and wait for it to end.
bg_stop() {
	local pid i
	pid=$(daemon_pid)
	fusermount3 -u "$MNT"
	for i in $(seq 1 500); do
		[ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.01
	done
	return 1
}

# --- the background, default level: nothing for normal use -----------------------
forget
bg
is "$BG_ST $BG_OUT" "0 " "background: exits 0 once mounted, says nothing"
echo x >"$MNT/a" && cat "$MNT/a" >/dev/null && rm "$MNT/a" && stat "$MNT/none" 2>/dev/null
bg_stop
ok $? "background: unmounted, the daemon ends"
sleep 0.1
is "$(records | grep -v '^29 [0-9]* passthrough: ')" "" \
	"background, default level (notice): normal use logs nothing but the passthrough line"
[ "$(messages 29 | grep -c '^passthrough: ')" -le 1 ]
ok $? "background: the passthrough line, if any, once, as daemon.notice"

# --- loglevel=info: mount, limits hit, unmount ------------------------------------------
forget
bg -o loglevel=info,size=64k,nr_inodes=2
is "$BG_ST $BG_OUT" "0 " "loglevel=info in the background: exits 0, nothing on the terminal"
pid=$(daemon_pid)
wait_record 30 "mounted $MNT, prefix '$PREFIX'"
ok $? "daemon.info: 'mounted $MNT, prefix '$PREFIX''"
is "$(records | awk 'NR == 1 { print $2 }')" "$pid" "the record carries the daemon's pid (LOG_PID)"
for i in 1 2 3; do
	dd if=/dev/zero of="$MNT/big" bs=1M count=1 status=none 2>/dev/null
done
{ : >"$MNT/b"; } 2>/dev/null
for i in 1 2 3; do
	{ : >"$MNT/c$i"; } 2>/dev/null
done
size_lines=$(count_soon 30 '^size=65536 reached: ')
is "$size_lines" 1 "three writes past size=64k: one info line (rate-limited)"
messages 30 | grep -Eqx 'size=65536 reached: only [0-9]+ of [0-9]+ bytes fit \(ENOSPC\)'
ok $? "daemon.info: 'size=65536 reached: only N of M bytes fit (ENOSPC)'"
inode_lines=$(count_soon 30 '^nr_inodes=2 reached: ')
is "$inode_lines" 1 "three creates past nr_inodes=2: one info line (rate-limited)"
messages 30 | grep -qxF "nr_inodes=2 reached: ${PREFIX}c1 not created (ENOSPC)"
ok $? "daemon.info: 'nr_inodes=2 reached: ${PREFIX}c1 not created (ENOSPC)'"
rm -f "$MNT/big" "$MNT/b" "$MNT"/c*
bg_stop
wait_record 30 "unmounted $MNT"
ok $? "daemon.info: 'unmounted $MNT'"

# --- loglevel=debug: the traces of -d, to syslog --------------------------------------
forget
bg -o loglevel=debug
stat "$MNT/traced" 2>/dev/null
bg_stop
is "$(count_soon 31 "^lookup: .*'traced'\$")" 1 \
	"loglevel=debug in the background: one daemon.debug 'lookup: ... 'traced''"

# --- a warning: few descriptors --------------------------------------------------------------
W="only 64 open files allowed (ulimit -n): each file open through the mount holds one"
forget
(ulimit -n 64 && bg && echo "$BG_ST" >"$SCRATCH/st" && printf '%s' "$BG_OUT" >"$SCRATCH/out")
is "$(cat "$SCRATCH/st")" 0 "ulimit -n 64: mounts in the background"
is "$(cat "$SCRATCH/out")" "pshmfs: warning: $W" "ulimit -n 64: the warning, on the terminal"
wait_record 28 "$W"
ok $? "ulimit -n 64: the warning, daemon.warning in syslog"
bg_stop
forget
(ulimit -n 64 && bg -o loglevel=err && printf '%s' "$BG_OUT" >"$SCRATCH/out")
is "$(cat "$SCRATCH/out")" "" "loglevel=err: no warning on the terminal"
bg_stop
sleep 0.1
is "$(records)" "" "loglevel=err: no warning in syslog"

# --- a daemon that cannot serve ---------------------------------------------------------------
# ulimit -n N for N = 8, 9, ... until the daemon serves: every N below fails
# with exit status 1, a message that says EMFILE (ours, "pshmfs: ...", or
# libfuse's, "fuse: ..."; other threads may say more after it), the same
# in syslog, and nothing mounted; and
# some N fails after the mount was made (at the fork, or after it in the
# daemon): the failure that used to exit 0 with nothing said.
says_emfile() { [[ $1 == "pshmfs: "*": Too many open files" || $1 == "fuse: "*": Too many open files" ]]; }
after_mount='^pshmfs: (cannot go into the background|inotify|cannot start the request loop|cannot start a request thread): '
# The first line of FILE that says EMFILE, else its last line.
emfile_line() {
	local l
	while IFS= read -r l; do
		says_emfile "$l" && { echo "$l"; return; }
	done <"$1"
	tail -n 1 "$1"
}
# try_bg N: the background daemon under ulimit -n N; TRY_ST, TRY_LAST.
try_bg() {
	forget
	(ulimit -n "$1" && bg && echo "$BG_ST" >"$SCRATCH/st" && printf '%s\n' "$BG_OUT" >"$SCRATCH/out")
	TRY_ST=$(cat "$SCRATCH/st") TRY_LAST=$(emfile_line "$SCRATCH/out")
}
# try_fg N: the same in the foreground, ended by unmounting once mounted.
try_fg() {
	local pid i
	(ulimit -n "$1" && exec "$PSHMFS" -f -o "prefix=$PREFIX" "$MNT" >"$SCRATCH/out" 2>&1 </dev/null) &
	pid=$!
	for i in $(seq 1 500); do
		is_mounted "$MNT" && { fusermount3 -u "$MNT"; break; }
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.01
	done
	wait "$pid"
	TRY_ST=$? TRY_LAST=$(emfile_line "$SCRATCH/out")
}
for mode in bg fg; do
	served= bad= after= tried=
	for n in $(seq 8 64); do
		"try_$mode" "$n"
		if [ "$TRY_ST" = 0 ]; then
			served=$n
			[ "$mode" = bg ] && bg_stop
			break
		fi
		tried="$tried $n"
		is_mounted "$MNT" && { bad="$bad $n:mounted"; bg_stop; }
		[ "$TRY_ST" = 1 ] || bad="$bad $n:status=$TRY_ST"
		says_emfile "$TRY_LAST" || bad="$bad $n:said='$TRY_LAST'"
		if [ "$mode" = bg ] && ! wait_record 27 "${TRY_LAST#pshmfs: }"; then
			bad="$bad $n:not-in-syslog"
		fi
		[[ $TRY_LAST =~ $after_mount ]] && after="$after $n"
	done
	[ -n "$served" ] && [ -n "$tried" ]
	ok $? "$mode: ulimit -n 8 ... $((served - 1)) fail, $served serves"
	is "${bad# }" "" "$mode: each ulimit -n that fails: exit 1, says EMFILE$([ $mode = bg ] && echo ", in syslog too"), nothing mounted"
	if [ "$mode" = bg ]; then
		[ -n "$after" ]
		ok $? "bg: some fail after the mount was made (ulimit -n$after), and say so"
	fi
done

# A script's out=$(pshmfs DIR 2>&1) returns once mounted: neither the
# daemon nor the guard it forks keeps the pipe open (the guard did, on
# the copy path, whose INIT comes after the fork). The pipe's reader, cat,
# ends when the last writer lets go.
for o in passthrough=off passthrough=auto; do
	("$PSHMFS" -o "prefix=$PREFIX,$o" "$MNT" 2>&1 </dev/null | cat >"$SCRATCH/cap") &
	pipeline=$!
	for i in $(seq 1 500); do
		kill -0 "$pipeline" 2>/dev/null || break
		sleep 0.01
	done
	kill -0 "$pipeline" 2>/dev/null
	ok $((!$?)) "-o $o: \$(pshmfs DIR 2>&1) returns once mounted (within 5 s)"
	is_mounted "$MNT" && bg_stop
	wait "$pipeline"
done

# libfuse's own messages, which it writes in pieces: one record per line.
forget
bg -o bogus
is "$BG_ST $BG_OUT" "1 fuse: unknown option(s): \`-o bogus'" "-o bogus in the background: exit 1, libfuse's message"
wait_record 27 "fuse: unknown option(s): \`-o bogus'"
ok $? "-o bogus: libfuse's message is one daemon.err record"

# --- the foreground: standard error only; bad values ------------------------------------------
forget
start_pshmfs -o loglevel=info || ok 1 "mount with loglevel=info"
stop_pshmfs
is "$(grep -v '^pshmfs: passthrough: ' "$LOG")" "pshmfs: mounted $MNT, prefix '$PREFIX'
pshmfs: unmounted $MNT" "loglevel=info in the foreground: mount and unmount on standard error"
is "$(records)" "" "in the foreground, nothing goes to syslog"
: >"$LOG"
fails_with "pshmfs: bad loglevel 'loud': Invalid argument" "loglevel=loud: refused, named" \
	-- "$PSHMFS" -f -o loglevel=loud "$MNT"
for l in err warning notice info debug; do
	out=$("$PSHMFS" -f -o "loglevel=$l" -o size=lots "$MNT" 2>&1)
	[[ $out == "pshmfs: bad size 'lots': Invalid argument" ]] || refused="${refused-} $l"
done
is "${refused-}" "" "loglevel=err|warning|notice|info|debug are all accepted"

done_testing
