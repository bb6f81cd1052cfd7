#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Prefix confinement: no name, however built, reaches an object outside
# the mount's prefix. Decoy objects whose names share the prefix's stem
# (the prefix less its last byte, the stem with ':', '-', '_', UTF-8 and
# Latin-1 bytes after it, a second prefix of this test) are snapshotted
# (name, type, size, mode, owner, mtime, inode, checksum). Then a seeded
# fuzz throws a few thousand names -- every byte 1-255 but '/' alone and
# inside names, random bytes, lengths around every limit (the room left
# by the prefix, 255, 256, 1000), the prefix itself and the prefix with
# more after it, the delimiter ':', UTF-8, Latin-1, invalid UTF-8, overlong
# and look-alike slashes -- at touch, echo >, cat, stat, chmod, truncate,
# mv (into a directory and out, onto every name, and name by name onto a
# sample), rm, mkdir, mv of directories and rmdir through the mount
# (batched with xargs: a few processes per operation, not one per name).
# Every name that fits lands exactly as PREFIX NAME (PREFIX sub:NAME in
# the directory sub, PREFIX NAME: for a directory), no other does, the
# mount lists exactly the objects under the prefix, the decoys are byte
# for byte as before, the daemon lives and its log is clean. Names with
# '/', '.', '..' and the empty name are resolved by the kernel: only the
# harmless ones are tried. Then, when root, another user plants a
# symlink (to a decoy), a FIFO and a directory in the shm directory
# under names the mount would open, and a symlink as an implicit
# directory's marker: nothing follows the symlinks, nothing blocks on the
# FIFO, and no other user can remove or replace them through the mount.
# CONFINE_SEED=S CONFINE_NAMES=N replay a run (the seed is printed).
export LC_ALL=C
. "${top_srcdir:-.}/tests/lib.sh"
. "${top_srcdir:-.}/tests/users.sh"
require_fuse
[ -x "$PSHM" ] || skip_all "$PSHM is not built"

SEED=${CONFINE_SEED:-$((RANDOM * 32768 + RANDOM))}
NNAMES=${CONFINE_NAMES:-1500}
diag "seed $SEED, $NNAMES random names (replay: CONFINE_SEED=$SEED CONFINE_NAMES=$NNAMES)"
RANDOM=$SEED
T0=${EPOCHREALTIME/./}

STEM=${PREFIX%.}
Q="$STEM-q." # a second prefix of this test: outside ours
# Decoys: every name shares our stem, none begins with our prefix, none
# with the stem and a digit (another test's pid). Those beginning
# "$STEM-" are also removed by lib.sh; the others are removed by name.
DECOYS=("$STEM" "$STEM:" "$STEM:x" "${STEM}_" "${STEM}x" "$STEM-" "$STEM-decoy"
	"$STEM-target" "$Q" "${Q}a" "${Q}planted" "$STEM"$'\xc3\xa9' "$STEM"$'\xe9'
	"$STEM-$(printf 'L%.0s' $(seq 1 $((250 - ${#STEM}))))")
HAVE_USERS=
confine_cleanup() {
	cleanup
	local d
	for d in "${DECOYS[@]}"; do
		case $d in
		"$STEM"*) rm -f -- "$SHMDIR/$d" ;;
		esac
	done
	[ -n "$HAVE_USERS" ] && users_cleanup
}
trap confine_cleanup EXIT

for d in "${DECOYS[@]}"; do
	"$PSHM" create -c -x -m 0666 "$d" >/dev/null &&
		head -c $((RANDOM % 5000 + 1)) /dev/urandom >"$SHMDIR/$d" ||
		{ ok 1 "make decoy $d"; done_testing; exit 1; }
done

# The objects outside our prefix that share its stem, one line each.
outside() {
	local f n
	for f in "$SHMDIR/$STEM"*; do
		n=${f#"$SHMDIR/"}
		case $n in
		"$PREFIX"* | "$STEM"[0-9]*) continue ;;
		esac
		[ -e "$f" ] || [ -L "$f" ] || continue
		printf '%q %s %s\n' "$n" "$(stat -c '%F %s %a %u %g %.9Y %i' "$f")" \
			"$(sha256sum <"$f" | cut -c1-16)"
	done
}
before=$(outside)
is "$(echo "$before" | wc -l)" "${#DECOYS[@]}" "the decoys are in place"

# Root mounts with allow_other, so other users can be tried below.
opts=()
[ "$(id -u)" -eq 0 ] && opts=(-o allow_other)
start_pshmfs "${opts[@]}" || { ok 1 "mount"; done_testing; exit 1; }

took() { # the time since the last one, in a diagnostic
	local now=${EPOCHREALTIME/./}
	diag "  $1 took $(((now - T0) / 1000)) ms"
	T0=$now
}

# --- the names ---------------------------------------------------------------------
BYTES=() # every byte but NUL and '/'
for ((b = 1; b < 256; b++)); do
	[ $b -eq 47 ] && continue
	printf -v h %02x $b
	printf -v c "\\x$h"
	BYTES+=("$c")
done
randname() { # a random name of $1 bytes into $name
	local i
	name=
	for ((i = 0; i < $1; i++)); do
		name+=${BYTES[RANDOM % 254]}
	done
}
room=$((255 - ${#PREFIX}))
long() { printf "$1%.0s" $(seq 1 "$2"); }
names=("$PREFIX" "$STEM" "$PREFIX$PREFIX" "${PREFIX}x" "$STEM-decoy" "${Q}a" "$Q"
	":" "::" ":x" "x:" "x:y" "$STEM:x" ":$STEM" "sem.x" "sem." ".x" "..." "x."
	"-" "--" "-rf" " " "  x" $'\n' $'\t' $'x\ny' "*" "?" "[" "\\" "%s%n" "\$HOME" "~"
	$'\xc3\xa9' $'\xe9' $'\xff\xfe' $'\xc0\xaf' $'\xe2\x88\x95' $'\xef\xbc\x8f'
	$'\xe6\x97\xa5\xe6\x9c\xac' $'\xed\xa0\x80' $'\x7f' $'\x01' $'\x1b[0m'
	"$(long n $((room - 5)))" "$(long n $((room - 4)))" "$(long n $((room - 1)))"
	"$(long n "$room")" "$(long n $((room + 1)))" "$(long n 255)" "$(long n 256)"
	"$(long n 1000)" "$(long : "$room")" "$(long "$STEM" 9)")
for c in "${BYTES[@]}"; do # every byte, alone and inside a name
	[ "$c" = . ] || names+=("$c")
	names+=("a${c}b" "$c$STEM")
done
declare -A seen
all=("${names[@]}")
names=()
for n in "${all[@]}"; do # no name twice
	[ -n "${seen[$n]:-}" ] && continue
	seen[$n]=1
	names+=("$n")
done
want=$((${#names[@]} + NNAMES))
while [ ${#names[@]} -lt $want ]; do
	case $((RANDOM % 10)) in
	0 | 1 | 2 | 3 | 4 | 5) randname $((RANDOM % 16 + 1)) ;;
	6) randname $((room - 6 + RANDOM % 9)) ;;
	7) randname $((250 + RANDOM % 11)) ;;
	8) randname $((RANDOM % 8 + 1))
		name="$PREFIX$name" ;;
	9) randname $((RANDOM % 4 + 1))
		name="${name}:$STEM-decoy" ;;
	esac
	case $name in . | .. | sub | pivot) continue ;; esac # not ours to fuzz
	[ -n "${seen[$name]:-}" ] && continue
	seen[$name]=1
	names+=("$name")
done
unset seen

# A name fits in a directory whose object name is DIR when DIR NAME is at
# most 255 bytes and NAME holds no delimiter (':', the default: "a:b" is
# the file b in the directory a).
SUB=sub
fits() { [ $((${#PREFIX} + ${#1})) -le 255 ] && [[ $1 != *:* ]]; }
fits_sub() { [ $((${#PREFIX} + ${#SUB} + 1 + ${#1})) -le 255 ] && [[ $1 != *:* ]]; }
# ... and as a directory, whose marker is PREFIX NAME: (SUB: NAME: in $SUB)
fits_dir() { [ $((${#PREFIX} + ${#1} + 1)) -le 255 ] && [[ $1 != *:* ]]; }
fits_subdir() { [ $((${#PREFIX} + ${#SUB} + ${#1} + 2)) -le 255 ] && [[ $1 != *:* ]]; }
nfit=0 nsub=0
for n in "${names[@]}"; do
	fits "$n" && nfit=$((nfit + 1))
	fits_sub "$n" && nsub=$((nsub + 1))
done
diag "${#names[@]} names, $nfit fit beside the prefix, $nsub in the directory $SUB"
took "making the names"

paths=("${names[@]/#/$MNT/}")
subpaths=("${names[@]/#/$MNT/$SUB/}")
# each CMD...: CMD with every path (or with SUBDIR=1, every path in $SUB),
# in batches of as many as fit a command line: a few processes in all.
each() {
	if [ -n "${SUBDIR:-}" ]; then
		printf '%s\0' "${subpaths[@]}"
	else
		printf '%s\0' "${paths[@]}"
	fi | timeout 30 xargs -0 "$@" >/dev/null 2>&1
}
# count GLOB [ARGS]: how many objects PREFIX GLOB there are, with find's
# tests ARGS; top [ARGS]: how many at the root (no delimiter after PREFIX).
count() { find "$SHMDIR" -maxdepth 1 -name "$PREFIX$1" "${@:2}" -printf . | wc -c; }
top() { count '*' ! -name "$PREFIX*:*" "$@"; }
listed() { find "$MNT" -mindepth 1 -maxdepth 1 -printf '%f\0' | sort -z | sha256sum; }
direct() {
	find "$SHMDIR" -maxdepth 1 -name "$PREFIX*" -printf '%f\0' |
		sed -z "s/^${PREFIX//./\\.}//; s/:\$//" | sort -z | sha256sum
}

# --- create ------------------------------------------------------------------------
each touch --
took "touch"
bad=0
for n in "${names[@]}"; do
	fits "$n" || continue
	[ -f "$SHMDIR/$PREFIX$n" ] && continue
	bad=$((bad + 1))
	[ $bad -le 5 ] && diag "  missing: $(printf %q "$n")"
done
is "$bad" 0 "touch: every name that fits is the object PREFIX NAME"
is "$(count '*')" "$nfit" "  ... and there are no others"
is "$(listed)" "$(direct)" "the mount lists exactly the objects under the prefix, byte for byte"

# --- write, read, stat, chmod, truncate ----------------------------------------------
i=0 wrote=0
for p in "${paths[@]}"; do
	i=$((i + 1))
	{ echo "w$i" >"$p"; } 2>/dev/null && wrote=$((wrote + 1))
done
took "echo >"
is "$wrote" "$nfit" "echo >: a write to every name that fits, none to any other"
# The last name that fits holds the last write that went in (the last
# name itself fits in some seeds only: the check must not depend on it).
for ((k = ${#names[@]} - 1; k > 0; k--)); do fits "${names[k]}" && break; done
is "$(cat "$SHMDIR/$PREFIX${names[k]}" 2>&1)" "w$((k + 1))" "  ... each write is in PREFIX NAME"
each cat --
took "cat"
each stat --
took "stat"
each chmod 0640 --
took "chmod"
each truncate -s 3 --
took "truncate"
is "$(count '*' -perm 0640 -size 3c)" "$nfit" "chmod and truncate reached every PREFIX NAME that fits"

# --- mv both directions: into a directory, onto every name, back out --------------
mkdir "$MNT/$SUB"
is "$(count "$SUB:" -type f)" 1 "mkdir $SUB: the marker object PREFIX$SUB:"
SUBDIR=1 each touch --
took "touch in $SUB"
is "$(count "$SUB:?*")" "$nsub" "touch in $SUB: every name that fits is PREFIX$SUB:NAME"
# every name in $SUB onto the same name at the root (replacing it) ...
find "$MNT/$SUB" -mindepth 1 -maxdepth 1 -print0 | timeout 30 xargs -0 mv -f -t "$MNT" -- 2>/dev/null
took "mv $SUB/NAME onto NAME"
is "$(count "$SUB:?*")" 0 "mv $SUB/NAME onto NAME: moved every one"
is "$(top -size 0)" "$nsub" "  ... each replacing PREFIX NAME (now empty)"
# ... every name at the root into $SUB, and back
each mv -f -t "$MNT/$SUB" --
took "mv NAME to $SUB/"
is "$(count "$SUB:?*")" "$nsub" "mv NAME into $SUB: every name that fits there"
is "$(top)" "$((nfit - nsub))" "  ... the others stay where they are"
find "$MNT/$SUB" -mindepth 1 -maxdepth 1 -print0 | timeout 30 xargs -0 mv -f -t "$MNT" -- 2>/dev/null
took "mv back"
is "$(count "$SUB:?*") $(top)" "0 $nfit" "mv back: every name at the root"
# ... and, one by one for a sample, a name onto each fuzzed name and back
touch "$MNT/pivot"
# shellcheck disable=SC2016 # one bash under one timeout
moved=$(printf '%s\0' "${paths[@]:0:${MV_SAMPLE:-200}}" | timeout 30 bash -c '
	while IFS= read -r -d "" p; do
		mv -T -- "$1/pivot" "$p" 2>/dev/null && mv -T -- "$p" "$1/pivot" 2>/dev/null &&
			echo
		[ -e "$1/pivot" ] || : >"$1/pivot"
	done' bash "$MNT" | wc -l)
took "mv -T pivot NAME, and back"
is "$moved" "$(for n in "${names[@]:0:${MV_SAMPLE:-200}}"; do fits "$n" && echo; done | wc -l)" \
	"mv -T onto the first ${MV_SAMPLE:-200} names and back: done for every one that fits"
is "$(listed)" "$(direct)" "the mount still lists exactly the objects under the prefix"

# --- rm ---------------------------------------------------------------------------------
each rm -f --
rm -f "$MNT/pivot"
took "rm"
is "$(count '*')" 1 "rm: every object under the prefix is gone (but $SUB's marker)"

# --- mkdir, mv of directories, rmdir: markers PREFIX NAME: ------------------------------
ndir=0 nsubdir=0
for n in "${names[@]}"; do
	fits_dir "$n" && ndir=$((ndir + 1))
	fits_subdir "$n" && nsubdir=$((nsubdir + 1))
done
each mkdir --
took "mkdir"
is "$(count '?*:' ! -name "$PREFIX*:?*")" "$((ndir + 1))" \
	"mkdir: a marker PREFIX NAME: for every name that fits with the delimiter ($ndir, and $SUB)"
each mv -t "$MNT/$SUB" --
took "mv directories into $SUB"
is "$(count "$SUB:?*:")" "$nsubdir" "mv of the directories into $SUB: every one that fits there ($nsubdir)"
find "$MNT/$SUB" -mindepth 1 -maxdepth 1 -print0 | timeout 30 xargs -0 mv -t "$MNT" -- 2>/dev/null
each rmdir --
rmdir "$MNT/$SUB"
took "mv back, rmdir"
is "$(count '*')" 0 "rmdir: every marker under the prefix is gone"

# --- names with '/', '.', '..', empty: the kernel resolves them, and only
# the harmless (resolved inside the mount or its scratch parent) are tried
for n in "" . .. ./x x/.. ../mnt/y "$STEM-decoy/" "./$STEM-decoy" "../mnt/$STEM:x"; do
	p=$MNT/$n
	timeout 5 stat -- "$p" >/dev/null 2>&1
	timeout 5 cat -- "$p" >/dev/null 2>&1
	timeout 5 touch -- "$p" 2>/dev/null
	{ timeout 5 sh -c 'echo x >"$1"' sh "$p"; } 2>/dev/null
	timeout 5 rm -f -- "$p" 2>/dev/null
done
rm -f "$SCRATCH/y"

after=$(outside)
is "$after" "$before" "every decoy outside the prefix is unchanged (names, sizes, modes, owners, mtimes, bytes)"
kill -0 "$DAEMON_PID" 2>/dev/null
ok $? "the daemon is alive after the fuzz"

# --- planted: a symlink, a FIFO, a directory, made by another user ------------------------
if [ "$(id -u)" -ne 0 ] || ! command -v useradd >/dev/null; then
	ok 0 "planted symlink, FIFO, directory # SKIP needs root to make test users"
else
	require_users
	A=pshmtA$$
	B=pshmtB$$
	HAVE_USERS=1
	add_user "$A" users && add_user "$B" users || { ok 1 "create the test users"; done_testing; exit 1; }
	chmod o+x "$SCRATCH"
	T=$SHMDIR/$STEM-target
	chmod 0666 "$T"
	asB() { as "$B" users "$@"; }
	asA() { as "$A" users "$@"; }
	asB ln -s "$T" "$SHMDIR/${PREFIX}symlink" &&
		asB ln -s "$STEM-target" "$SHMDIR/${PREFIX}rellink" &&
		asB mkfifo -m 0666 "$SHMDIR/${PREFIX}fifo" &&
		asB mkdir -m 0777 "$SHMDIR/${PREFIX}dir" ||
		{ ok 1 "plant as $B"; done_testing; exit 1; }
	planted() { stat -c '%F %U' "$SHMDIR/${PREFIX}$1" 2>&1; }
	for who in root A; do
		[ $who = root ] && run=() || run=(asA)
		for n in symlink rellink fifo dir; do
			p=$MNT/$n
			is "$(errname "${run[@]}" stat "$p")" ENOENT "$who: stat of planted $n: not there"
			is "$(errname "${run[@]}" cat "$p")" ENOENT "$who: cat of planted $n: not there, no block"
			r=$(errname "${run[@]}" sh -c 'echo x >"$1"' sh "$p")
			[ "$r" != ok ] && [ "$r" != TIMEOUT ]
			ok $? "$who: echo > planted $n: refused without blocking ($r)"
			r=$(errname "${run[@]}" sh -c 'echo x >>"$1"' sh "$p")
			[ "$r" != ok ] && [ "$r" != TIMEOUT ]
			ok $? "$who: echo >> planted $n: refused without blocking ($r)"
			r=$(errname "${run[@]}" truncate -s 0 "$p")
			[ "$r" != ok ] && [ "$r" != TIMEOUT ]
			ok $? "$who: truncate planted $n: refused without blocking ($r)"
			is "$(errname "${run[@]}" chmod 0600 "$p")" ENOENT "$who: chmod of planted $n: not there"
			is "$(errname "${run[@]}" rm -f "$p")" ok "$who: rm -f of planted $n: nothing to remove"
			is "$(planted $n)" "$(case $n in symlink | rellink) echo "symbolic link $B" ;;
				fifo) echo "fifo $B" ;; dir) echo "directory $B" ;; esac)" \
				"$who: $B's planted $n is still there"
		done
	done
	is "$(errname ls "$MNT")" ok "ls works with things planted"
	is "$(ls "$MNT" | wc -l)" 0 "  ... and shows none of them"
	# A rename onto a planted name: the kernel found nothing there, so it
	# made no sticky check; directly, A may not replace B's entries in
	# /dev/shm (sticky), so the mount must not either.
	for n in symlink fifo; do
		want=$(planted $n)
		asA touch "$MNT/mine.$n" "$SHMDIR/${PREFIX}dmine.$n"
		d=$(errname asA mv -T "$SHMDIR/${PREFIX}dmine.$n" "$SHMDIR/${PREFIX}$n")
		is "$d $(planted $n)" "EPERM $want" "(directly, A's mv onto $B's $n in /dev/shm: EPERM)"
		m=$(errname asA mv -T "$MNT/mine.$n" "$MNT/$n")
		[ "$m" != ok ] && [ "$m" != TIMEOUT ]
		ok $? "A's mv onto $B's planted $n through the mount: refused ($m)"
		is "$(planted $n)" "$want" "  ... $B's $n is still there"
	done
	asA touch "$MNT/mine.dir"
	m=$(errname asA mv -T "$MNT/mine.dir" "$MNT/dir")
	[ "$m" != ok ] && [ "$m" != TIMEOUT ]
	ok $? "A's mv onto $B's planted directory through the mount: refused ($m)"
	is "$(planted dir)" "directory $B" "  ... $B's directory is still there"
	is "$(errname asA "${top_builddir:-.}/tests/fsop" rename -x "$MNT/mine.symlink" "$MNT/rellink")" ENOENT \
		"A's rename exchange with a planted symlink: not there"
	# A symlink where an implicit directory's marker would be: a chmod or
	# touch of the directory must not go through it to the target.
	"$PSHM" create -c -x -m 0644 "${PREFIX}imp:x" &&
		asB ln -s "$T" "$SHMDIR/${PREFIX}imp:" || ok 1 "plant a marker symlink"
	is "$(stat -c %F "$MNT/imp")" directory "(imp/ is a directory: imp:x is there)"
	tmtime=$(stat -c %Y "$T")
	r=$(errname chmod 0700 "$MNT/imp")
	is "$r $(stat -c %a "$T")" "$r 666" "root's chmod of imp/, marker a planted symlink: not through it ($r)"
	r=$(errname touch -d @1000000000 "$MNT/imp")
	is "$r $(stat -c %Y "$T")" "$r $tmtime" \
		"root's touch -d of imp/: not through the planted marker ($r)"
	rm -f "$MNT/imp/x"
	r=$(errname rmdir "$MNT/imp")
	is "$(planted imp:)" "symbolic link $B" "rmdir imp/ ($r): $B's planted marker symlink stays"
	r=$(errname mkdir "$MNT/imp")
	is "$(planted imp:)" "symbolic link $B" "mkdir imp/ ($r): $B's planted marker symlink stays"
	after=$(outside)
	is "$after" "$before" "the symlinks' target and every decoy are unchanged"
fi

end_mount_test
done_testing
