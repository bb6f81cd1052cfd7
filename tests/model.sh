#!/usr/bin/env bash
# Randomized model test (tests/model.c): the same seeded random sequence of
# open/close/read/write/pread/pwrite/lseek/ftruncate/truncate/unlink/rename/
# chmod/fchmod/stat/fstat/readdir/mkdir/rmdir/link/xattr calls/SEEK_DATA
# and SEEK_HOLE on the mount and on a plain
# tmpfs directory must give the same results, errno for errno and byte for
# byte. make check runs a short sequence of the directory mix with three
# seeds on a mount with directories, then of the flat mix (model -f: files
# only, names with ':') with one seed on a mount with -o delim= (MODEL_SEED
# S runs S, S+1, S+2, then S flat; a failure prints the seed and the
# operation). A long sequence, standalone:
#
#   MODEL_OPS=200000 MODEL_SEED=1 make check TESTS=tests/model.sh
#
# (four sequences of 200 000: about three minutes; past 700 000 operations
# add SH_LOG_COMPILER=bash to lift make check's 600 s limit), or
# tests/model directly against a mount, as the top of tests/model.c shows.
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

start_pshmfs || { ok 1 "mount"; done_testing; exit 1; }
diag "model: $OPS operations per seed, prefix ${#PREFIX} bytes long"
for seed in "$SEED" $((SEED + 1)) $((SEED + 2)); do
	run_model directory "$seed"
done
stop_pshmfs
ok $? "unmount: the daemon exits 0"

start_pshmfs -o delim= || { ok 1 "mount with -o delim="; done_testing; exit 1; }
run_model flat "$SEED" -f
stop_pshmfs
ok $? "unmount of the flat mount: the daemon exits 0"
check_log
done_testing
