#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# scripts/bench runs: --quick --no-bindfs gives a number for every workload
# on every target, and scale --quick a figure for every measure; each run
# leaves no object and no mount behind, SIGTERM included. Timed targets
# are not checked here: the figures belong to doc/performance.md.
. "${top_srcdir:-.}/tests/lib.sh"
require_fuse
command -v fio >/dev/null || skip_all "fio is not installed"
BENCH=${top_srcdir:-.}/scripts/bench
[ -r "$BENCH" ] || skip_all "$BENCH is missing"

# run_bench OUT ARGS...: the tables to OUT, the progress to OUT.err.
run_bench() {
	local out=$1
	shift
	timeout 300 bash "$BENCH" --pshmfs "$PSHMFS" "$@" >"$out" 2>"$out.err"
}

# The objects and mounts named on the run's first line of progress.
leftovers() {
	local tag scratch
	tag=$(sed -n 's|^bench: this run.s objects: \(.*\)\*; its mounts: \(.*\)/mnt\.\*$|\1|p' "$1")
	scratch=$(sed -n 's|^bench: this run.s objects: .*; its mounts: \(.*\)/mnt\.\*$|\1|p' "$1")
	[ -n "$tag" ] && [ -n "$scratch" ] || { echo "no tag line"; return; }
	compgen -G "$tag*"
	awk -v s="$scratch/" 'index($2, s) == 1 { print $2 }' /proc/mounts
	[ -e "$scratch" ] && echo "$scratch"
}

# cells FILE HEADING LABEL: the cells after the label in the row of that
# table (the first row whose label begins with LABEL).
cells() {
	awk -v h="$2" -v l="$3" '
		/^## / { in_t = index($0, h) == 4 }
		in_t && index($0, "| " l) == 1 {
			n = split($0, c, "|")
			for (i = 3; i < n; i++) { gsub(/^ +| +$/, "", c[i]); printf "%s\n", c[i] }
			exit
		}' "$1"
}

# all_numbers: every line of stdin is a number, and there is at least one.
all_numbers() {
	local n=0 v
	while read -r v; do
		[[ $v =~ ^[0-9]+(\.[0-9]+)?$ ]] || return 1
		n=$((n + 1))
	done
	[ $n -gt 0 ]
}

out=$SCRATCH/bench.out
run_bench "$out" --quick --no-bindfs
st=$?
ok $st "scripts/bench --quick --no-bindfs exits 0"
[ $st -eq 0 ] || awk '{ print "#   " $0 }' "$out.err" | tail -n 30
grep -q '^| workload | unit | native /dev/shm | pshmfs |' "$out"
ok $? "the medians table has native and pshmfs columns"
for w in "seq write 1 MiB" "rewrite 1 MiB" "seq read 1 MiB" "seq read 4 KiB" \
	"create " "stat " "delete " "cp -r " "ls -l "; do
	# The unit, then a number per target.
	cells "$out" "Medians" "$w" | tail -n +2 | all_numbers
	ok $? "medians: '$w' has a number for every target"
	cells "$out" "Speed relative" "$w" | all_numbers
	ok $? "ratios: '$w' has a number for every pshmfs variant"
	cells "$out" "FUSE daemons" "$w" | all_numbers
	ok $? "daemon RSS and CPU: '$w' has numbers"
done
is "$(leftovers "$out.err")" "" "no object, mount or scratch directory left"

out=$SCRATCH/scale.out
run_bench "$out" --quick scale
st=$?
ok $st "scripts/bench --quick scale exits 0"
[ $st -eq 0 ] || awk '{ print "#   " $0 }' "$out.err" | tail -n 30
for m in "stat of a file" "failed lookup" "touch of a new file" \
	"ls of the root" "ls -l of the root" "daemon peak RSS"; do
	cells "$out" "Scale: pshmfs," "$m" | head -n 3 | all_numbers
	ok $? "scale: '$m' has figures"
done
# A number once directories exist, n/a before.
v=$(cells "$out" "Scale: pshmfs," "ls of a 10-entry directory" | head -n 2)
[[ $v =~ ^(n/a|[0-9.]+)$'\n'(n/a|[0-9.]+)$ ]]
ok $? "scale: 'ls of a 10-entry directory' has figures or n/a"
grep -q "daemon peak RSS with [0-9]* objects listed by ls and ls -l: [0-9.]* MiB" "$out"
ok $? "scale: the peak RSS with the most objects"
is "$(leftovers "$out.err")" "" "scale: no object, mount or scratch directory left"

# floor: passed-through reads with the daemon stopped (SIGSTOP). It needs
# a mount that passes data through: root. A read that needed the daemon
# would give "fail" in the stopped column.
if [ "$(id -u)" -eq 0 ]; then
	out=$SCRATCH/floor.out
	run_bench "$out" --quick floor
	st=$?
	ok $st "scripts/bench --quick floor exits 0"
	[ $st -eq 0 ] || awk '{ print "#   " $0 }' "$out.err" | tail -n 30
	for b in 4k 1M; do
		cells "$out" "Passed-through reads" "$b" | all_numbers
		ok $? "floor: the $b row has a figure in every column, the daemon stopped too"
	done
	is "$(leftovers "$out.err")" "" "floor: no object, mount or scratch directory left"
	is "$(grep -l '^State:.*(stopped)' /proc/[0-9]*/status 2>/dev/null |
		xargs -r grep -l '^Name:.*pshmfs')" "" "floor: no pshmfs process left stopped"
else
	tap_n=$((tap_n + 1))
	echo "ok $tap_n # SKIP floor: needs root (a mount that passes data through)"
fi

# SIGTERM in the middle of a run: everything goes all the same. The
# signal goes once run 2 of 5 has begun: runs 2 to 5 are still to come,
# so the bench cannot have ended (under any load) before it gets it.
out=$SCRATCH/term.out
bash "$BENCH" --pshmfs "$PSHMFS" --quick --no-bindfs --runs 5 \
	>"$out" 2>"$out.err" &
pid=$!
for _ in $(seq 1 1200); do
	grep -q '^bench: run 2 of 5' "$out.err" && break
	sleep 0.1
done
grep -q '^bench: run 2 of 5' "$out.err"
ok $? "SIGTERM: sent while the bench runs (run 2 of 5 has begun)"
kill -TERM "$pid"
wait "$pid"
is "$?" 143 "SIGTERM: scripts/bench exits 143"
is "$(leftovers "$out.err")" "" "SIGTERM: no object, mount or scratch directory left"

done_testing
