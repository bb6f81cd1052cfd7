#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# scripts/tmpfs-size-experiment runs to the end with small sizes, and its
# table says what tmpfs and pshmfs's -o size= do: ENOSPC at the size,
# remount up seen at once, remount below use refused, sparse objects free,
# an unlinked object's pages held while mapped, SIGBUS for a careless mmap
# writer. It needs root (a private mount namespace with a tmpfs of its own
# on /dev/shm); the machine's /dev/shm must come out untouched.
. "${top_srcdir:-.}/tests/lib.sh"
require_fuse
[ "$(id -u)" -eq 0 ] || skip_all "needs root (a private mount namespace and a tmpfs of its own on /dev/shm)"
unshare -m --propagation private true 2>/dev/null || skip_all "unshare -m does not work here"
[ -x "$PSHM" ] || skip_all "$PSHM is not built"
EXP=${top_srcdir:-.}/scripts/tmpfs-size-experiment
FSOP=${top_builddir:-.}/tests/fsop
export PSHMFS PSHM FSOP

MIB=$((1 << 20))
OBJ=$((3 * MIB / 2))
OUT=$SCRATCH/out

# --- --help and usage errors --------------------------------------------------------
"$EXP" --help >"$OUT" 2>&1
is "$?" 0 "--help: exit 0"
grep -q -- '--tmpfs-size' "$OUT" && grep -q -- '--size' "$OUT" && grep -q -- '--plot' "$OUT"
ok $? "--help names --tmpfs-size, --size and --plot"
"$EXP" --tmpfs-size 12q >/dev/null 2>&1
is "$?" 2 "a bad size is a usage error (exit 2)"

# --- a run --------------------------------------------------------------------------------
shm_before=$(findmnt -n -o SOURCE,FSTYPE,OPTIONS --target /dev/shm)
plot=()
command -v gnuplot >/dev/null && plot=(--plot "$SCRATCH/plot.png")
timeout 50 "$EXP" --tmpfs-size 4m --object-size 1536k --sparse-size 64m \
	--size 3m --outside-size 1m "${plot[@]}" >"$OUT" 2>&1
st=$?
is "$st" 0 "the experiment runs to the end, every step as tmpfs documents (exit 0)"
[ "$st" -eq 0 ] || awk '{ print "#   " $0 }' "$OUT"
grep -q '^tmpfs-size-experiment: every step behaved as tmpfs documents$' "$OUT"
ok $? "it says so"
grep -q 'DIFFERS' "$OUT"
[ $? -eq 1 ]
ok $? "no step DIFFERS"

# The table: "step asked written used free tmpfs_used errno", after its header.
table=$(sed -n '/^step  *asked  *written/,/^$/p' "$OUT" | tail -n +2)
# row STEP: the fields of the table row whose step is STEP (the first one).
row() { awk -v s="$1" '{ n = NF - 6; step = $1; for (i = 2; i <= n; i++) step = step " " $i }
	step == s { for (i = n + 1; i <= NF; i++) printf "%s%s", $i, (i < NF ? " " : "\n"); exit }' <<<"$table"; }

[ "$(wc -l <<<"$table")" -ge 20 ]
ok $? "the table has a row per step ($(wc -l <<<"$table") rows)"
is "$(row "remount size=4m")" "4194304 - 0 4194304 0 0" "remount to 4m: empty, 4 MiB free"
is "$(row "write fill.1")" "$OBJ $OBJ $OBJ $((4 * MIB - OBJ)) $OBJ 0" "fill.1: 1.5 MiB written and used"
is "$(row "write fill.3")" "$OBJ $MIB $((4 * MIB)) 0 $((4 * MIB)) ENOSPC" \
	"fill.3: cut at 1 MiB by ENOSPC; used = the tmpfs size, free 0"
is "$(row "remount size=8m")" "$((8 * MIB)) - $((4 * MIB)) $((4 * MIB)) $((4 * MIB)) 0" \
	"remount size=8m: df on the mount shows the room at once"
is "$(row "write fill.4")" "$OBJ $OBJ $((4 * MIB + OBJ)) $((4 * MIB - OBJ)) $((4 * MIB + OBJ)) 0" \
	"writing resumes after the remount"
is "$(grep -E '^remount size=[0-9]+k ' <<<"$table" | awk '{ print $NF, $5 }')" "EINVAL $((4 * MIB + OBJ))" \
	"remount below use: EINVAL, used unchanged"
is "$(row "truncate -s 64m sparse")" "$((64 * MIB)) 0 $((4 * MIB + OBJ)) $((4 * MIB - OBJ)) $((4 * MIB + OBJ)) 0" \
	"truncate -s 64m: used unchanged"
is "$(row "write 4k at 32m" | cut -d' ' -f2,3)" "4096 $((4 * MIB + OBJ + 4096))" "a page written in it: used + 4096"
held=$(row "write held" | cut -d' ' -f3)
is "$(row "shm_unlink /held (mapped)" | cut -d' ' -f3)" "$held" "shm_unlink of a mapped object: used unchanged"
is "$(row "holder exits" | cut -d' ' -f3)" "$((held - OBJ))" "the holder exits: used drops by the object"
if [ -x "$FSOP" ]; then
	is "$(row "mmap-write careless" | awk '{ print $NF, $4 }')" "SIGBUS 0" \
		"a careless mmap writer dies of SIGBUS with the tmpfs full"
fi
is "$(row "mount -o size=3m")" "$((3 * MIB)) - 0 $((3 * MIB)) 0 0" "-o size=3m: df size 3 MiB, all free"
is "$(row "pshm write outside" | cut -d' ' -f3,4)" "$MIB $((2 * MIB))" "an object made outside under the prefix counts"
is "$(awk '$1 == "write" && $2 ~ /^fill/ && $NF == "ENOSPC"' <<<"$table" | tail -n 1 | awk '{ print $4, $5, $6 }')" \
	"$((MIB / 2)) $((3 * MIB)) 0" "-o size=: cut at the limit by ENOSPC, free 0"
is "$(row "write again" | awk '{ print $2, $NF }')" "$OBJ 0" "after rm, writing works again"
who=$(sed -n 's/^== 8\. pshmfs -o size=3m as \([^ ]*\) (uid [0-9]*):.*/\1/p' "$OUT")
[ -n "$who" ] && [ "$who" != root ]
ok $? "the -o size= part runs as a user other than root (${who:-?})"

if [ ${#plot[@]} -gt 0 ]; then
	[ "$(head -c 8 "$SCRATCH/plot.png" | od -An -tx1 | tr -d ' ')" = 89504e470d0a1a0a ]
	ok $? "--plot draws a PNG"
fi

# --- the machine's /dev/shm is untouched ----------------------------------------------------
is "$(findmnt -n -o SOURCE,FSTYPE,OPTIONS --target /dev/shm)" "$shm_before" "/dev/shm's mount is as it was"
[ ! -e /dev/shm/held ] && [ ! -e /dev/shm/careless ] && [ ! -e /dev/shm/sized.outside ]
ok $? "no object of the experiment is in the machine's /dev/shm"
done_testing
