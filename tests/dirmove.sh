#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# A directory rename is whole as seen through the mount (issue 13.2): while
# mv moves a directory of many objects one by one, listings and lookups
# through the mount see every object under the old name or every one under
# the new, never some under each.
. "${top_srcdir:-.}/tests/lib.sh"
require_fuse

N=3000
start_pshmfs || { ok 1 "mount"; done_testing; exit 1; }
mkdir "$MNT/a"
(cd "$MNT/a" && seq -f 'f%g' 1 "$N" | xargs touch)
is "$(ls "$MNT/a" | wc -l)" "$N" "a directory of $N files"

# Count what the listings show while the directory moves back and forth.
watcher() {
	local bad=0 seen=0 na nb
	while [ ! -e "$SCRATCH/stop" ]; do
		na=$(ls "$MNT/a" 2>/dev/null | wc -l)
		nb=$(ls "$MNT/b" 2>/dev/null | wc -l)
		seen=$((seen + 1))
		# Whole: each listing shows all of it or nothing (the two
		# listings are not one moment: both may show all, or none).
		if { [ "$na" -ne 0 ] && [ "$na" -ne "$N" ]; } ||
			{ [ "$nb" -ne 0 ] && [ "$nb" -ne "$N" ]; }; then
			bad=$((bad + 1))
			echo "split: a $na, b $nb" >>"$SCRATCH/splits"
		fi
	done
	echo "$seen $bad" >"$SCRATCH/watched"
}
watcher &
W=$!
BG_PIDS="$BG_PIDS $W"
moves=0
for i in $(seq 1 6); do
	mv "$MNT/a" "$MNT/b" && mv "$MNT/b" "$MNT/a" && moves=$((moves + 2))
done
touch "$SCRATCH/stop"
wait "$W"
read -r seen bad <"$SCRATCH/watched"
diag "$moves renames, $seen pairs of listings, $bad split"
[ -s "$SCRATCH/splits" ] && diag "$(head -3 "$SCRATCH/splits")"
is "$moves" 12 "12 renames of the directory"
is "$bad" 0 "no listing saw the directory split between its two names"

rm -rf "$MNT/a"
is "$(our_objects | wc -l)" 0 "rm -rf leaves nothing"

end_mount_test
done_testing
