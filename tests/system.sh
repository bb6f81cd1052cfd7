#!/usr/bin/env bash
# pshmfs in the system's habits, as pshmfs(1) documents them: --help,
# --version and exit codes of both programs; logging in the foreground and
# as a daemon; mount -t fuse with a source, mount -t fuse.pshmfs, an
# fstab-style entry (with _netdev, noauto, nofail, user), umount; make
# install and uninstall with DESTDIR and with configure --prefix.
. "${top_srcdir:-.}/tests/lib.sh"
top_srcdir=$(cd "${top_srcdir:-.}" && pwd)
top_builddir=$(cd "${top_builddir:-.}" && pwd)
PSHMFS=$top_builddir/src/pshmfs
PSHM=$top_builddir/src/pshm
[ -x "$PSHMFS" ] && [ -x "$PSHM" ] || skip_all "pshmfs and pshm are not built"

VERSION=$(sed -n 's/^AC_INIT(\[pshmfs\], *\[\([^]]*\)\].*/\1/p' "$top_srcdir/configure.ac")
[ -n "$VERSION" ] || { ok 1 "the version in configure.ac"; done_testing; exit 1; }

skip_one() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n # SKIP $*"
}

# make, in the build tree, without the outer make's flags and variables
# (make check may be running there: install and uninstall only copy).
mk() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES make "$@"
}

# The pids of the pshmfs daemons serving $MNT, whoever started them (mount
# runs them through mount.fuse3, which daemonizes them).
daemon_pids() {
	local p
	for p in /proc/[0-9]*; do
		[ -r "$p/cmdline" ] || continue
		tr '\0' '\n' <"$p/cmdline" 2>/dev/null | head -1 | grep -q 'pshmfs$' || continue
		# Not the daemon's guard (src/fuse/guard.c), a fork of it.
		[ "$(cat "$p/comm" 2>/dev/null)" = pshmfs-guard ] && continue
		tr '\0' '\n' <"$p/cmdline" 2>/dev/null | grep -qxF -- "$MNT" && echo "${p#/proc/}"
	done
}

# wait_gone PID...: true once none of them runs (5 s at most).
wait_gone() {
	local i p alive
	for i in $(seq 1 500); do
		alive=
		for p in "$@"; do
			kill -0 "$p" 2>/dev/null && alive=1
		done
		[ -z "$alive" ] && return 0
		sleep 0.01
	done
	return 1
}

mount_field() { awk -v m="$MNT" -v f="$1" '$2 == m { print $f }' /proc/mounts; }

sys_cleanup() {
	local pids
	is_mounted "$MNT" && { umount "$MNT" 2>/dev/null || umount -l "$MNT"; }
	pids=$(daemon_pids)
	[ -n "$pids" ] && kill $pids 2>/dev/null
	[ -n "$pids" ] && wait_gone $pids
}
trap 'sys_cleanup; cleanup' EXIT

# --- --help, --version, exit codes ------------------------------------------------
seen_codes=
code() { seen_codes="$seen_codes $1"; }

out=$("$PSHMFS" --help 2>&1)
st=$?
code $st
is "$st" 0 "pshmfs --help exits 0"
ours=$(grep -n '^pshmfs options:' <<<"$out" | cut -d: -f1)
last_ours=$(grep -n 'nr_inodes=' <<<"$out" | tail -1 | cut -d: -f1)
fuse_help=$(grep -n -- '--help  *print help' <<<"$out" | cut -d: -f1)
fuse_other=$(grep -n -- '-o allow_other' <<<"$out" | cut -d: -f1)
[ -n "$ours" ] && [ -n "$last_ours" ] && [ -n "$fuse_help" ] && [ -n "$fuse_other" ] &&
	[ "$ours" -lt "$last_ours" ] && [ "$last_ours" -lt "$fuse_help" ] &&
	[ "$fuse_help" -lt "$fuse_other" ]
ok $? "pshmfs --help: our options first, then libfuse's"
for o in prefix mode uid gid direct_io attr_timeout entry_timeout size nr_inodes spin; do
	grep -q -- "-o $o" <<<"$(sed -n '/^pshmfs options:/,/^$/p' <<<"$out")" || missing="${missing-} $o"
done
is "${missing-}" "" "pshmfs --help lists prefix, mode, uid, gid, direct_io, attr_timeout, entry_timeout, size, nr_inodes, spin"
is "$("$PSHMFS" -h 2>&1)" "$out" "pshmfs -h is --help"

out=$("$PSHMFS" --version 2>&1)
st=$?
code $st
is "$st" 0 "pshmfs --version exits 0"
is "$(sed -n 1p <<<"$out")" "pshmfs $VERSION" "pshmfs --version: the package version from configure.ac"
if command -v pkg-config >/dev/null && pkg-config --exists fuse3; then
	is "$(sed -n 2p <<<"$out")" "libfuse $(pkg-config --modversion fuse3)" \
		"pshmfs --version: the libfuse version"
else
	grep -q '^libfuse 3\.' <<<"$out"
	ok $? "pshmfs --version: the libfuse version"
fi

fails_with "no mountpoint" "no mountpoint: a message" -- "$PSHMFS"
"$PSHMFS" >/dev/null 2>&1
st=$?; code $st
is "$st" 1 "no mountpoint: exit 1"
"$PSHMFS" -o no_such_option "$MNT" >/dev/null 2>&1
st=$?; code $st
is "$st" 1 "an unknown option: exit 1"
fails_with "size" "a bad size=: a message naming it" -- "$PSHMFS" -o size=lots "$MNT"
"$PSHMFS" -o size=lots "$MNT" >/dev/null 2>&1
st=$?; code $st
is "$st" 1 "a bad size=: exit 1"
"$PSHMFS" -o prefix=a/b "$MNT" >/dev/null 2>&1
st=$?; code $st
is "$st" 1 "a prefix with '/': exit 1"
"$PSHMFS" shm "$MNT" extra >/dev/null 2>&1
st=$?; code $st
is "$st" 1 "three arguments: exit 1"
fails_with "No such file or directory" "a missing mountpoint: a message" -- "$PSHMFS" "$SCRATCH/none"
"$PSHMFS" "$SCRATCH/none" >/dev/null 2>&1
st=$?; code $st
is "$st" 1 "a missing mountpoint: exit 1"
is_mounted "$MNT"
ok $((!$?)) "after all those, nothing is mounted"

out=$("$PSHM" --help 2>&1)
st=$?
is "$st" 0 "pshm --help exits 0"
grep -q '^Usage: pshm create' <<<"$out"
ok $? "pshm --help prints the usage"
is "$("$PSHM" --version 2>&1)" "pshm (pshmfs) $VERSION" "pshm --version: the package version"
"$PSHM" >/dev/null 2>&1
is "$?" 2 "pshm with no verb: exit 2 (usage)"
"$PSHM" no-such-verb >/dev/null 2>&1
is "$?" 2 "pshm with an unknown verb: exit 2 (usage)"

# --- with FUSE: logging, -d, a daemon off the terminal; mount(8) and fstab ------
mount_tests() {
	# -d traces every operation in the foreground.
	start_pshmfs -d || ok 1 "mount with -d"
	stat "$MNT/nothere" >/dev/null 2>&1
	echo traced >"$MNT/traced"
	stop_pshmfs
	st=$?; code $st
	is "$st" 0 "-d: the daemon exits 0 when unmounted"
	grep -q "lookup: .*'nothere'" "$LOG"
	ok $? "-d traces a lookup with its name"
	grep -q "create: .*'traced'" "$LOG"
	ok $? "-d traces a create with its name"
	mv "$LOG" "$SCRATCH/debug.log"

	start_pshmfs || ok 1 "mount in the foreground"
	echo x >"$MNT/quiet" && cat "$MNT/quiet" >/dev/null && rm "$MNT/quiet"
	stop_pshmfs
	# But for the one line that says whether passthrough is on.
	is "$(grep -vc '^pshmfs: passthrough: ' "$LOG")/$(grep -c '^pshmfs: passthrough: ' "$LOG")" 0/1 \
		"in the foreground, normal use logs nothing at the default level but the passthrough line"

	"$PSHMFS" -o "prefix=$PREFIX" "$MNT" >"$SCRATCH/bg.out" 2>"$SCRATCH/bg.err" </dev/null
	st=$?; code $st
	is "$st" 0 "without -f: exits 0 once mounted"
	is_mounted "$MNT"
	ok $? "without -f: mounted"
	pid=$(daemon_pids)
	[ -n "$pid" ] && [ "$(wc -w <<<"$pid")" -eq 1 ]
	ok $? "without -f: one daemon goes on in the background"
	is "$(readlink "/proc/$pid/fd/2") $(readlink "/proc/$pid/fd/1")" "/dev/null /dev/null" \
		"the daemon's stdout and stderr are /dev/null: its messages can only go to syslog"
	is "$(ps -o tty= -p "$pid" | tr -d ' ')" "?" "the daemon has no controlling terminal"
	echo x >"$MNT/bg" && cat "$MNT/bg" >/dev/null && stat "$MNT/missing" >/dev/null 2>&1
	rm "$MNT/bg"
	fusermount3 -u "$MNT"
	ok $? "fusermount3 -u unmounts the daemon"
	[ -n "$pid" ] && wait_gone $pid
	ok $? "the daemon exits once unmounted"
	is "$(cat "$SCRATCH/bg.out" "$SCRATCH/bg.err")" "" "without -f: nothing printed on the terminal"

	# mount(8), root only.
	if [ "$(id -u)" -ne 0 ]; then
		skip_one "mount -t and fstab entries need root"
	else
		mount -t fuse "$PSHMFS#shm" "$MNT" -o "prefix=$PREFIX,size=64m,_netdev,noauto,nofail"
		ok $? "mount -t fuse PSHMFS#shm with _netdev,noauto,nofail"
		is "$(mount_field 1)" shm "/proc/mounts: the source is shm"
		is "$(mount_field 3)" fuse.pshmfs "/proc/mounts: the type is fuse.pshmfs"
		is "$(mount | awk -v m="$MNT" '$3 == m { print $1 }')" shm "mount: lists the source shm"
		is "$(df -P -k "$MNT" | awk 'NR == 2 { print $1, $2 }')" "shm 65536" "df: source shm, size 64M"
		is "$(df -h "$MNT" | awk 'NR == 2 { print $2 }')" 64M "df -h: 64M"
		echo hello >"$MNT/via-mount"
		is "$(cat "$SHMDIR/${PREFIX}via-mount" 2>/dev/null)" hello "the options reach pshmfs: prefix= applies"
		rm -f "$MNT/via-mount"
		pid=$(daemon_pids)
		umount "$MNT"
		ok $? "umount"
		is_mounted "$MNT"
		ok $((!$?)) "umount: unmounted"
		[ -n "$pid" ] && wait_gone $pid
		ok $? "umount: the daemon exits"

		# An fstab-style entry, used with mount -T FILE MOUNTPOINT.
		printf '# pshmfs test\n%s#shm %s fuse prefix=%s,size=64m,_netdev,noauto,nofail,user 0 0\n' \
			"$PSHMFS" "$MNT" "$PREFIX" >"$SCRATCH/fstab"
		mount -T "$SCRATCH/fstab" "$MNT"
		ok $? "mount -T FSTAB MOUNTPOINT with _netdev,noauto,nofail,user"
		is "$(mount_field 1)" shm "fstab: the source is shm"
		opts=$(mount_field 4)
		[[ ,$opts, == *,nosuid,* && ,$opts, == *,nodev,* && ,$opts, == *,noexec,* ]]
		ok $? "fstab: 'user' brings nosuid,nodev,noexec ($opts)"
		is "$(df -P -k "$MNT" | awk 'NR == 2 { print $1, $2 }')" "shm 65536" "fstab: df shows shm, 64M"
		pid=$(daemon_pids)
		umount "$MNT"
		ok $? "fstab: umount"
		[ -n "$pid" ] && wait_gone $pid
		ok $? "fstab: the daemon exits"

		# mount -t fuse.pshmfs finds pshmfs where mount.fuse3's sh looks: in a
		# private mount namespace, a private /usr/local/bin holds it.
		if command -v unshare >/dev/null; then
			out=$(MNT=$MNT PREFIX=$PREFIX PSHMFS=$PSHMFS timeout 60 \
				unshare --mount --propagation private bash -c '
				set -e
				mount -t tmpfs -o mode=755 pshmfs-test /usr/local/bin
				ln -s "$PSHMFS" /usr/local/bin/pshmfs
				mount -t fuse.pshmfs shm "$MNT" -o "prefix=$PREFIX,size=64m,nofail"
				trap "umount \"$MNT\" 2>/dev/null" EXIT
				awk -v m="$MNT" '\''$2 == m { print $1, $3 }'\'' /proc/self/mounts
				umount "$MNT"
				awk -v m="$MNT" '\''$2 == m { print "still mounted" }'\'' /proc/self/mounts
			' 2>&1)
			is "$out" "shm fuse.pshmfs" "mount -t fuse.pshmfs shm: mounted as shm, fuse.pshmfs; umount"
		else
			skip_one "unshare is not installed"
		fi
		pids=$(daemon_pids)
		[ -z "$pids" ] || wait_gone $pids
		ok $? "no daemon is left"
	fi
}

if [ ! -c /dev/fuse ] || [ ! -r /dev/fuse ] || [ ! -w /dev/fuse ] ||
	! command -v fusermount3 >/dev/null; then
	skip_one "FUSE is not usable here: no mount tests"
else
	mount_tests
fi

# --- make install / uninstall ----------------------------------------------------------
# DESTDIR, in the build tree: where configure's prefix says.
cat >"$SCRATCH/print.mk" <<'EOF'
print-%:
	@echo '$($*)'
EOF
var() { mk -s -C "$top_builddir" -f Makefile -f "$SCRATCH/print.mk" "print-$1" 2>/dev/null; }
bindir=$(var bindir) man1dir=$(var man1dir)
[ -n "$bindir" ] && [ -n "$man1dir" ]
ok $? "the build tree's bindir ($bindir) and man1dir ($man1dir)"
DEST=$SCRATCH/dest
installed() { (cd "$1" 2>/dev/null && find . -type f -o -type l) | sed 's|^\.||' | sort | tr '\n' ' '; }
if mk -s -C "$top_builddir" install DESTDIR="$DEST" >"$SCRATCH/install.log" 2>&1; then
	ok 0 "make install DESTDIR=..."
else
	ok 1 "make install DESTDIR=..."
	awk '{ print "#   " $0 }' "$SCRATCH/install.log"
fi
is "$(installed "$DEST")" "$bindir/pshm $bindir/pshmfs $man1dir/pshm.1 $man1dir/pshmfs.1 " \
	"make install DESTDIR: pshmfs, pshm and both man pages, where the prefix says"
is "$("$DEST$bindir/pshmfs" --version 2>/dev/null | head -1)" "pshmfs $VERSION" "the installed pshmfs runs"
cmp -s "$DEST$man1dir/pshmfs.1" "$top_srcdir/doc/pshmfs.1"
ok $? "the installed pshmfs(1) is doc/pshmfs.1"
before=$(installed "$DEST")
mk -s -C "$top_builddir" uninstall DESTDIR="$DEST" >"$SCRATCH/uninstall.log" 2>&1
ok $? "make uninstall DESTDIR=..."
after=$(installed "$DEST")
[ -n "$before" ] && [ -z "$after" ]
ok $? "make uninstall DESTDIR: what make install put there is gone (left: '$after')"

# configure --prefix, in a copy of the distributed tree.
DIST=$SCRATCH/dist
PFX=$SCRATCH/prefix
if mk -s -C "$top_builddir" distdir distdir="$DIST" >"$SCRATCH/distdir.log" 2>&1 &&
	(cd "$DIST" && ./configure -q --prefix="$PFX" && mk -s -j2 && mk -s install) \
		>"$SCRATCH/prefix.log" 2>&1; then
	ok 0 "configure --prefix=DIR && make && make install, in a copy of the dist tree"
else
	ok 1 "configure --prefix=DIR && make && make install, in a copy of the dist tree"
	tail -n 30 "$SCRATCH/distdir.log" "$SCRATCH/prefix.log" 2>/dev/null | awk '{ print "#   " $0 }'
fi
is "$(installed "$PFX")" "/bin/pshm /bin/pshmfs /share/man/man1/pshm.1 /share/man/man1/pshmfs.1 " \
	"--prefix: pshmfs and pshm in PREFIX/bin, the man pages in PREFIX/share/man/man1"
is "$("$PFX/bin/pshmfs" --version 2>/dev/null | head -1)" "pshmfs $VERSION" "--prefix: the installed pshmfs runs"
before=$(installed "$PFX")
(cd "$DIST" && mk -s uninstall) >"$SCRATCH/uninstall2.log" 2>&1
ok $? "--prefix: make uninstall"
after=$(installed "$PFX")
[ -n "$before" ] && [ -z "$after" ]
ok $? "--prefix: what make install put there is gone (left: '$after')"

# --- the exit codes seen are those pshmfs(1) documents ----------------------------
documented=$(sed -n '/^\.SH EXIT STATUS/,/^\.SH ERRORS/p' "$top_srcdir/doc/pshmfs.1" |
	sed -n 's/^\.B \([0-9][0-9]*\)$/\1/p' | sort -u | tr '\n' ' ')
is "$documented" "$(tr ' ' '\n' <<<"$seen_codes" | sed '/^$/d' | sort -u | tr '\n' ' ')" \
	"pshmfs(1) EXIT STATUS documents exactly the codes seen"

done_testing
