#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The documentation cannot rot: every shell example of README.md (code
# blocks fenced as sh) and of the EXAMPLES of pshmfs(1) runs verbatim, and
# so do the fstab line and the systemd mount unit of its MOUNTING AT BOOT
# (the unit as systemd would mount it: mount -t Type What Where -o Options).
# tests/manpage.sh checks the pages' lint and that every option is
# documented.
#
# The examples run as root in a private mount namespace (unshare -m): an
# empty tmpfs on /dev/shm, /mnt and /usr/local/bin (holding pshmfs and pshm
# from the build tree, as make install would), a scratch $HOME and a
# scratch copy of /etc/fstab bound over the real one. So they may use ~,
# /mnt, /etc/fstab and any prefix without touching anything outside: no
# object of /dev/shm but their own, no file of the machine. README.md's
# blocks run from the top of the build tree, one after the other in the
# same namespace, as a reader would run them; "scripts/bootstrap && " is
# taken off (the tree is built), and "scripts/bootstrap && make check" is
# checked to be what .ci/run runs instead of being run.
. "${top_srcdir:-.}/tests/lib.sh"
top_srcdir=$(cd "${top_srcdir:-.}" && pwd)
top_builddir=$(cd "${top_builddir:-.}" && pwd)
README=$top_srcdir/README.md
PAGES="$top_srcdir/doc/pshmfs.1 $top_srcdir/doc/pshm.1"
PAGE=$top_srcdir/doc/pshmfs.1

skip_one() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n # SKIP $*"
}

# The page as a user's terminal shows it (Debian's man renders \- and \(aq
# as ASCII), without overstriking or colour.
render() {
	groff -man -T utf8 -P -cbou -rLL=200n "$1" 2>/dev/null
}

# --- extract the examples -----------------------------------------------------
BLOCKS=$SCRATCH/blocks
mkdir -p "$BLOCKS/readme" "$BLOCKS/man"

# README.md: code blocks fenced as sh, each to NN.sh, with NN.where saying
# from which line and section. Indented code blocks are refused: they would
# be examples that no test runs.
awk -v dir="$BLOCKS/readme" '
	/^## / { section = substr($0, 4) }
	infence && /^```[ \t]*$/ { infence = 0; close(f); next }
	infence { if (run) print > f; next }
	/^```/ {
		infence = 1
		run = ($0 ~ /^```sh[ \t]*$/)
		if (run) {
			n++
			f = sprintf("%s/%02d.sh", dir, n)
			printf "README.md line %d (%s)\n", NR, section > sprintf("%s/%02d.where", dir, n)
			close(sprintf("%s/%02d.where", dir, n))
			printf "" > f
		}
		next
	}
	prevblank && /^(    |\t)[^ \t*+-]/ && !inlist {
		printf "README.md line %d: an indented code block; fence it as sh (tested) or text\n", NR > dir "/indented"
	}
	/^[ \t]*([*+-]|[0-9]+\.) / { inlist = 1 }
	/^[^ \t]/ && !/^[ \t]*([*+-]|[0-9]+\.) / { inlist = 0 }
	{ prevblank = ($0 ~ /^[ \t]*$/) }
' "$README"
if [ -e "$BLOCKS/readme/indented" ]; then
	ok 1 "README.md has no indented (untested) code blocks"
	awk '{ print "# " $0 }' "$BLOCKS/readme/indented"
else
	ok 0 "README.md has no indented (untested) code blocks"
fi
nreadme=$(ls "$BLOCKS/readme" | grep -c '\.sh$')
[ "$nreadme" -ge 3 ]
ok $? "README.md: $nreadme sh blocks found (the two commands, the tour and more)"

# The two commands: "scripts/bootstrap && make check" is what CI runs; the
# mount command runs with its bootstrap taken off.
grep -qx 'scripts/bootstrap && make check' "$BLOCKS"/readme/*.sh &&
	grep -qx 'scripts/bootstrap && make check' "$top_srcdir/.ci/run"
ok $? "README.md's 'scripts/bootstrap && make check' is the line .ci/run runs"
grep -qx 'scripts/bootstrap && mkdir -p ~/shm && src/pshmfs ~/shm' "$BLOCKS"/readme/*.sh
ok $? "README.md keeps the mount command"
for f in "$BLOCKS"/readme/*.sh; do
	sed -i -e 's/^scripts\/bootstrap && make check$/: make check: what CI runs/' \
		-e 's/^scripts\/bootstrap && //' "$f"
done

# pshmfs(1): the .EX/.EE blocks of EXAMPLES, their escapes turned into the
# characters they show. An escape the list below does not know fails the
# test rather than run something else than what the reader sees.
awk -v dir="$BLOCKS/man" '
	/^\.SH / { examples = ($0 ~ /^\.SH "?EXAMPLES"?[ \t]*$/); next }
	!examples { next }
	/^\.EX/ { n++; f = sprintf("%s/%02d.sh", dir, n); printf "" > f
		  printf "pshmfs.1 line %d (EXAMPLES)\n", NR + 1 > sprintf("%s/%02d.where", dir, n)
		  close(sprintf("%s/%02d.where", dir, n)); inex = 1; next }
	/^\.EE/ { inex = 0; close(f); next }
	inex { print > f }
' "$PAGE"
nman=$(ls "$BLOCKS/man" | grep -c '\.sh$')
[ "$nman" -ge 3 ]
ok $? "pshmfs(1) EXAMPLES: $nman examples found"
unknown=
for f in "$BLOCKS"/man/*.sh; do
	[ -e "$f" ] || continue
	left=$(sed -e 's/\\-//g; s/\\(aq//g; s/\\(dq//g; s/\\(ti//g; s/\\(ha//g; s/\\(rs//g; s/\\e//g; s/\\&//g' "$f")
	if grep -q '\\\|^[.'"'"']' <<<"$left"; then
		unknown="$unknown $(basename "$f")"
	fi
	sed -i -e 's/\\-/-/g; s/\\(aq/'"'"'/g; s/\\(dq/"/g; s/\\(ti/~/g; s/\\(ha/^/g' \
		-e 's/\\(rs/\\\\/g; s/\\e/\\\\/g; s/\\&//g' "$f"
done
is "${unknown# }" "" "pshmfs(1) EXAMPLES use only escapes the test can turn into text"

# What the test runs is what the reader sees: each line of each example is
# a line of the rendered page.
if command -v groff >/dev/null; then
	shown=$(render "$PAGE" | sed -n '/^EXAMPLES/,/^FILES/p' | sed 's/^[ \t]*//')
	notshown=
	for f in "$BLOCKS"/man/*.sh; do
		while IFS= read -r line; do
			grep -qxF -- "$line" <<<"$shown" || notshown="$notshown|$line"
		done <"$f"
	done
	is "${notshown#|}" "" "pshmfs(1) EXAMPLES, rendered, show exactly what the test runs"
else
	skip_one "groff is not installed"
fi

# pshmfs(1) MOUNTING AT BOOT: its fstab line, mounted from a scratch
# /etc/fstab, and its mount unit, mounted as systemd mounts it.
mkdir -p "$BLOCKS/boot"
boot=$(sed -n '/^\.SH MOUNTING AT BOOT/,/^\.SH /p' "$PAGE" | sed -e 's/\\-/-/g' -e 's/\\&//g')
fstab_line=$(awk '/^\.EX/ { n++; f = 1; next } /^\.EE/ { f = 0 } f && n == 1' <<<"$boot")
unit=$(awk '/^\.EX/ { n++; f = 1; next } /^\.EE/ { f = 0 } f && n == 2' <<<"$boot")
key() { sed -n "s/^$1=//p" <<<"$unit"; }
where=$(awk '{ print $2 }' <<<"$fstab_line")
[ "$(wc -l <<<"$fstab_line")" -eq 1 ] && [ -n "$where" ] && [ -n "$(key Where)" ]
ok $? "pshmfs(1) MOUNTING AT BOOT: an fstab line ($where) and a mount unit ($(key Where))"
cat >"$BLOCKS/boot/01.sh" <<EOF
echo '$fstab_line' >>/etc/fstab
mkdir -p $where
mount $where
[ "\$(findmnt -n -o SOURCE,FSTYPE $where | tr -s ' ')" = "$(awk '{ print $1, $3 }' <<<"$fstab_line")" ]
umount $where
EOF
echo "pshmfs(1) MOUNTING AT BOOT: the fstab line" >"$BLOCKS/boot/01.where"
cat >"$BLOCKS/boot/02.sh" <<EOF
mkdir -p $(key Where)
mount -t $(key Type) $(key What) $(key Where) -o $(key Options)
[ "\$(findmnt -n -o SOURCE,FSTYPE $(key Where) | tr -s ' ')" = "$(key What) $(key Type)" ]
umount $(key Where)
EOF
echo "pshmfs(1) MOUNTING AT BOOT: the mount unit, as systemd mounts it" >"$BLOCKS/boot/02.where"

# --- run them -------------------------------------------------------------------
# ns_run DIR WORKDIR: run DIR/NN.sh in order inside one private namespace,
# each with its status in NN.rc and output in NN.out; DIR/left gets what
# is still mounted at the end.
cat >"$SCRATCH/ns.sh" <<'EOF'
set -u
dir=$1 workdir=$2
myns=$(readlink /proc/self/ns/mnt)
# Never go on without the private namespace and its tmpfs: the examples
# would then act on the machine.
[ "$myns" != "$HOST_NS" ] || { echo "not in a private mount namespace" >"$dir/setup"; exit 1; }
{
	mount -t tmpfs -o size=256m,mode=1777 pshmfs-docs /dev/shm &&
	mount -t tmpfs -o mode=755 pshmfs-docs /mnt &&
	mount -t tmpfs -o mode=755 pshmfs-docs /usr/local/bin &&
	ln -s "$BUILD/src/pshmfs" /usr/local/bin/pshmfs &&
	ln -s "$BUILD/src/pshm" /usr/local/bin/pshm &&
	{ cat /etc/fstab >"$SCRATCH/fstab" 2>/dev/null || : >"$SCRATCH/fstab"; } &&
	mount --bind "$SCRATCH/fstab" /etc/fstab &&
	[ "$(stat -c %i /etc/fstab)" = "$(stat -c %i "$SCRATCH/fstab")" ] &&
	[ -z "$(ls -A /dev/shm)" ]
} >"$dir/setup" 2>&1 || exit 1
rm "$dir/setup"
export HOME=$SCRATCH/home
mkdir -p "$HOME"
export PATH=/usr/local/bin:$PATH
ours() {
	awk -v h="$HOME" '$3 ~ /^fuse/ && (index($2, h "/") == 1 || index($2, "/mnt/") == 1) { print $2 }' /proc/self/mounts
}
for f in "$dir"/*.sh; do
	(cd "$workdir" && timeout 60 bash -e -o pipefail "$f") >"${f%.sh}.out" 2>&1 </dev/null
	echo $? >"${f%.sh}.rc"
done
ours >"$dir/left"
# Clean up after failed examples: unmount, then end the daemons that are
# still in this namespace, by PID.
for m in $(ours); do
	umount "$m" 2>/dev/null || umount -l "$m"
done
for i in $(seq 1 100); do
	pids=
	for p in /proc/[0-9]*; do
		pid=${p#/proc/}
		[ "$pid" = $$ ] && continue
		[ "$(readlink "$p/ns/mnt" 2>/dev/null)" = "$myns" ] && pids="$pids $pid"
	done
	[ -z "$pids" ] && break
	[ "$i" -eq 50 ] && kill $pids 2>/dev/null
	sleep 0.05
done
exit 0
EOF

# report DIR: one TAP line per example, and one for what is left mounted.
report() {
	local dir=$1 f rc
	for f in "$dir"/*.sh; do
		rc=$(cat "${f%.sh}.rc" 2>/dev/null || echo none)
		ok "$([ "$rc" = 0 ] && echo 0 || echo 1)" "$(cat "${f%.sh}.where") runs verbatim"
		if [ "$rc" != 0 ]; then
			diag "  exit status $rc; the example:"
			awk '{ print "#     " $0 }' "$f"
			diag "  its output:"
			awk '{ print "#     " $0 }' "${f%.sh}.out"
		fi
	done
	is "$(tr '\n' ' ' <"$dir/left")" "" "$2 leave nothing mounted"
}

run_examples() {
	local dir=$1 workdir=$2 what=$3
	HOST_NS=$(readlink /proc/self/ns/mnt) BUILD=$top_builddir SCRATCH=$SCRATCH \
		timeout 110 unshare --mount --propagation private \
		bash "$SCRATCH/ns.sh" "$dir" "$workdir"
	if [ -e "$dir/setup" ] || [ ! -e "$dir/left" ]; then
		ok 1 "$what: private namespace set up"
		[ -e "$dir/setup" ] && awk '{ print "#   " $0 }' "$dir/setup"
		return
	fi
	report "$dir" "$what"
}

if [ "$(id -u)" -ne 0 ]; then
	skip_one "the examples run as root in a private mount namespace; not root"
elif ! command -v unshare >/dev/null; then
	skip_one "unshare (util-linux) is not installed"
elif [ ! -c /dev/fuse ] || ! command -v fusermount3 >/dev/null; then
	skip_one "FUSE is not usable here"
elif [ ! -x "$PSHMFS" ] || [ ! -x "$PSHM" ]; then
	skip_one "pshmfs and pshm are not built"
else
	run_examples "$BLOCKS/readme" "$top_builddir" "README.md's examples"
	run_examples "$BLOCKS/man" "$SCRATCH" "pshmfs(1)'s examples"
	run_examples "$BLOCKS/boot" "$SCRATCH" "pshmfs(1)'s MOUNTING AT BOOT"
fi

done_testing
