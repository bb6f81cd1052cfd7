#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# When the kernel's limit of inotify watches runs out, attributes are
# followed through the shm directory's watch instead of each node's own
# (src/core/coherence.c, core_told): one notice in the log, and another
# program's chmod shows through the mount as before, for files watched
# before the limit and after. Run as root of a user namespace of its own
# (unshare -Urm), whose limit (/proc/sys/user/max_inotify_watches) is set
# to 3 there: the machine's is not touched. Skipped where user namespaces
# are not available.

if [ -z "${PSHMFS_USERNS:-}" ]; then
	. "${top_srcdir:-.}/tests/tap.sh"
	unshare -Urm --propagation private true 2>/dev/null ||
		skip_all "no user namespace (unshare -Urm)"
	PSHMFS_USERNS=1 exec unshare -Urm --propagation private bash "$0"
fi

. "${top_srcdir:-.}/tests/lib.sh"
require_fuse
[ -x "$PSHM" ] || skip_all "$PSHM is not built"
echo 3 >/proc/sys/user/max_inotify_watches ||
	skip_all "cannot set max_inotify_watches in the user namespace"
start_pshmfs -o attr_timeout=30,entry_timeout=30 || { ok 1 "mount"; done_testing; exit 1; }

for i in 1 2 3 4 5; do
	echo "$i" >"$MNT/f$i" && stat "$MNT/f$i" >/dev/null
done
is "$(grep -c 'inotify: watching an object: No space left on device: following attributes through the shm directory' "$LOG")" 1 \
	"the limit reached: one notice, and the shm directory's watch instead"
"$PSHM" chmod 600 "${PREFIX}f5"
fresh "a file the kernel learnt of after the limit: another program's chmod shows" 600 -- \
	stat -c %a "$MNT/f5"
"$PSHM" chmod 604 "${PREFIX}f1"
fresh "a file watched before the limit: another program's chmod shows" 604 -- \
	stat -c %a "$MNT/f1"
"$PSHM" truncate "${PREFIX}f4" 7
fresh "another program's truncate shows" 7 -- stat -c %s "$MNT/f4"
rm -f "$MNT"/f?
end_mount_test
done_testing
