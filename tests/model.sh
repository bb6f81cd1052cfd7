#!/usr/bin/env bash
# Randomized model test (tests/model.c): the same seeded random sequence of
# open/close/read/write/pread/pwrite/lseek/ftruncate/truncate/unlink/rename/
# chmod/fchmod/stat/fstat/readdir on the mount and on a plain tmpfs directory
# must give the same results, errno for errno and byte for byte. make check
# runs a short sequence with three seeds (MODEL_SEED S runs S, S+1, S+2; a
# failure prints the seed and the operation). A long sequence, standalone:
#
#   MODEL_OPS=200000 MODEL_SEED=1 make check TESTS=tests/model.sh
#
# (about two minutes; past a million operations add SH_LOG_COMPILER=bash
# to lift make check's 600 s limit), or tests/model directly against a
# mount, as the top of tests/model.c shows.
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
# in the shm directory, and the reference's files.
objects() {
	find "$SHMDIR" -maxdepth 1 -type f -name "$PREFIX*" -printf '%f\0' |
		sed -z "s/^$PREFIX//" | sort -z
}
ref_files() {
	find "$REF" -mindepth 1 -maxdepth 1 -printf '%f\0' | sort -z
}
empty_both() {
	find "$MNT" "$REF" -mindepth 1 -maxdepth 1 -exec rm -f -- {} +
}

start_pshmfs || { ok 1 "mount"; done_testing; exit 1; }
diag "model: $OPS operations per seed, prefix ${#PREFIX} bytes long"
for seed in "$SEED" $((SEED + 1)) $((SEED + 2)); do
	timeout $((OPS / 20 + 60)) \
		"$MODEL" -p "${#PREFIX}" -n "$OPS" -s "$seed" "$MNT" "$REF"
	ok $? "mount and tmpfs agree over $OPS random operations, seed $seed"
	cmp -s <(objects) <(ref_files)
	ok $? "the objects under the prefix are the reference's files, seed $seed"
	empty_both
done
stop_pshmfs
ok $? "unmount: the daemon exits 0"
check_log
done_testing
