#!/usr/bin/env bash
# With -o attr_timeout= and entry_timeout= the kernel caches attributes and
# names; the daemon's inotify thread (src/watch.c) tells it what other
# programs changed. Every change made through shm_open must show through
# the mount well before the 30 s the cache would otherwise keep it.
. "${top_srcdir:-.}/tests/lib.sh"
require_fuse
[ -x "$PSHM" ] || skip_all "$PSHM is not built"
start_pshmfs -o attr_timeout=30,entry_timeout=30 || { ok 1 "mount"; done_testing; exit 1; }

# fresh DESC WANT -- CMD...: CMD prints WANT within 2 s.
fresh() {
	local desc=$1 want=$2 got i
	shift 3
	for i in $(seq 1 200); do
		got=$("$@" 2>&1)
		[ "$got" = "$want" ] && break
		sleep 0.01
	done
	is "$got" "$want" "$desc"
}

echo hello >"$MNT/f"
mkdir "$MNT/d"
echo x >"$MNT/d/y"
stat "$MNT/f" "$MNT/d" "$MNT/d/y" >/dev/null # now in the kernel's cache
"$PSHM" truncate "${PREFIX}f" 100
fresh "an outside ftruncate shows in stat" 100 -- stat -c %s "$MNT/f"
"$PSHM" chmod 604 "${PREFIX}f"
fresh "an outside fchmod shows in stat" 604 -- stat -c %a "$MNT/f"
"$PSHM" write "${PREFIX}f" changed
fresh "an outside write shows in stat and in the next open+read" "7 changed" -- \
	sh -c "stat -c %s '$MNT/f' | tr '\n' ' '; cat '$MNT/f'"
"$PSHM" create -c "${PREFIX}g"
fresh "an object made outside shows in ls" "d f g" -- sh -c "ls '$MNT' | tr '\n' ' ' | sed 's/ \$//'"
"$PSHM" unlink "${PREFIX}g"
fresh "an object removed outside goes from stat" "gone" -- sh -c "stat '$MNT/g' >/dev/null 2>&1 || echo gone"
"$PSHM" truncate "${PREFIX}d:y" 9
fresh "an outside ftruncate in a directory shows" 9 -- stat -c %s "$MNT/d/y"
"$PSHM" unlink "${PREFIX}d:y"
fresh "an object removed outside goes from its directory" "" -- ls "$MNT/d"
"$PSHM" create -c "${PREFIX}d:z"
fresh "an object made outside shows in its directory" z -- ls "$MNT/d"
stop_pshmfs
ok $? "unmount: the daemon exits 0"
check_log
done_testing
