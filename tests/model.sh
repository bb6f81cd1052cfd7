#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# Randomized model test (tests/model.c): the same seeded random sequence of
# open/close/read/write/pread/pwrite/lseek/ftruncate/truncate/unlink/rename/
# chmod/fchmod/stat/fstat/readdir/mkdir/rmdir/link/xattr calls/SEEK_DATA
# and SEEK_HOLE on the mount and on a plain
# tmpfs directory must give the same results, errno for errno and byte for
# byte. make check runs, on a mount with directories:
#  - the seeds that found past failures (issue 13: a directory renamed over
#    another, 19149 1068 1131 1194 1354 1366 at 3000 operations, 149 at
#    20000), in the mix they were found in (model -c: without issue 16's
#    links, xattrs and SEEK_DATA);
#  - fresh random seeds: SEED and SEED+1 in the directory mix, SEED+2 in
#    the extended mix (model -x: directories held open by descriptors and
#    children's cwds, renames over directories), and SEED+3 in the
#    extended mix with another program's changes through
#    shm_open/shm_unlink (model -x -P: markers remade, files removed and
#    made);
# then SEED in the flat mix (model -f: files only, names with ':') on a
# mount with -o delim=. Every seed is printed; a failure prints the seed
# and the operation. MODEL_SEED sets SEED (default: random), MODEL_OPS the
# operations of the fresh seeds (3000). A long sequence, standalone:
#
#   MODEL_OPS=200000 MODEL_SEED=1 make check TESTS=tests/model.sh
#
# (past 700 000 operations add SH_LOG_COMPILER=bash to lift make check's
# 600 s limit), or tests/model directly against a mount, as the top of
# tests/model.c shows.
. "${top_srcdir:-.}/tests/lib.sh"

MODEL=${top_builddir:-.}/tests/model
OPS=${MODEL_OPS:-3000}
SEED=${MODEL_SEED:-$RANDOM}

require_fuse
[ -x "$MODEL" ] || skip_all "$MODEL is not built"

REF=$(mktemp -d "$SHMDIR/pshmfs-test.model.XXXXXX") || exit 1
model_cleanup() {
	cleanup
	case $REF in
	"$SHMDIR"/pshmfs-test.model.*) rm -rf -- "$REF" ;;
	esac
}
trap model_cleanup EXIT

# NUL-separated sorted names: the objects under our prefix, seen directly
# in the shm directory, and the reference's entries folded the way the
# mount folds them: the file a/b/c as a:b:c, the directory a/b as its
# marker a:b: (the flat mix makes no directories).
objects() {
	find "$SHMDIR" -maxdepth 1 -type f -name "$PREFIX*" -printf '%f\0' |
		sed -z "s/^$PREFIX//" | LC_ALL=C sort -z
}
ref_objects() {
	find "$REF" -mindepth 1 \( -type d -printf '%P/\0' -o -printf '%P\0' \) |
		tr / : | LC_ALL=C sort -z
}
empty_both() {
	find "$MNT" "$REF" -mindepth 1 -maxdepth 1 -exec rm -rf -- {} +
}

# run_model MIX SEED [MODEL_OPTIONS...]
run_model() {
	local mix=$1 seed=$2
	shift 2
	timeout $((OPS / 20 + 60)) \
		"$MODEL" "$@" -p "${#PREFIX}" -n "$OPS" -s "$seed" "$MNT" "$REF"
	ok $? "mount and tmpfs agree over $OPS random operations, $mix mix, seed $seed"
	cmp -s <(objects) <(ref_objects)
	ok $? "the objects under the prefix are the reference's entries, seed $seed"
	empty_both
}

# run_seeds MIX OPS SEED... [-- MODEL_OPTIONS...]: each on a mount of its
# own, as the seeds were found (a node table with the past of other seeds
# in it would run another course).
run_seeds() {
	local mix=$1 ops=$2 seeds= opts=()
	shift 2
	while [ $# -gt 0 ] && [ "$1" != -- ]; do seeds="$seeds $1"; shift; done
	[ "${1-}" = -- ] && shift && opts=("$@")
	for seed in $seeds; do
		start_pshmfs || { ok 1 "mount"; return; }
		OPS=$ops run_model "$mix" "$seed" "${opts[@]}"
		stop_pshmfs
		ok $? "unmount after seed $seed: the daemon exits 0"
	done
}

diag "model: prefix ${#PREFIX} bytes long; fresh seeds $SEED, $((SEED + 1)), $((SEED + 2)), $((SEED + 3)) at $OPS operations"
# As they were found: without issue 16's operations (model -c), which
# came later and change every sequence.
run_seeds "issue 13's" 3000 19149 1068 1131 1194 1354 1366 -- -c
run_seeds "issue 13's" 20000 149 -- -c
run_seeds directory "$OPS" "$SEED" $((SEED + 1))
run_seeds extended "$OPS" $((SEED + 2)) -- -x
# With another program's changes too (model -x -P).
run_seeds "extended with another program's changes" "$OPS" $((SEED + 3)) -- -x -P "$PREFIX"

start_pshmfs -o delim= || { ok 1 "mount with -o delim="; done_testing; exit 1; }
run_model flat "$SEED" -f
stop_pshmfs
ok $? "unmount of the flat mount: the daemon exits 0"
check_log
done_testing
