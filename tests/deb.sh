#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# debian/ builds a .deb with dpkg-buildpackage -us -uc -b, in a copy of the
# distributed tree (make distdir into the scratch directory: never in the
# working tree), and the .deb holds pshmfs and pshm in /usr/bin (where
# mount -t fuse.pshmfs finds pshmfs), both man pages, the copyright (DEP-5,
# GPL-2.0+) and the README and doc/ pages; lintian says nothing of it. The
# build runs debian/rules' own dh_auto_test, which must run the unit tests
# and no mount test. Then the same build in a git tree of the files git
# tracks (as a clone would have them) leaves nothing untracked. Skipped
# when the Debian build tools are missing.
. "${top_srcdir:-.}/tests/lib.sh"
top_srcdir=$(cd "${top_srcdir:-.}" && pwd)
top_builddir=$(cd "${top_builddir:-.}" && pwd)

# Never inside a package build (dh_auto_test runs only the unit tests, but
# a make check around it could pass its own list of tests down).
[ -z "${DEB_BUILD_ARCH-}" ] || skip_all "inside a package build"
command -v dpkg-buildpackage >/dev/null ||
	skip_all "dpkg-buildpackage is missing (apt-get install dpkg-dev)"
command -v dh >/dev/null || skip_all "debhelper is missing (apt-get install debhelper)"
command -v dpkg-checkbuilddeps >/dev/null || skip_all "dpkg-checkbuilddeps is missing"
if ! err=$(cd "$top_srcdir" && dpkg-checkbuilddeps 2>&1); then
	skip_all "build dependencies missing: ${err##*: }"
fi

VERSION=$(sed -n 's/^AC_INIT(\[pshmfs\], *\[\([^]]*\)\].*/\1/p' "$top_srcdir/configure.ac")
ARCH=$(dpkg --print-architecture)

# make, in the build tree, without the outer make's flags and variables.
mk() {
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES make "$@"
}

is "$(dpkg-parsechangelog -l "$top_srcdir/debian/changelog" -S Version)" "$VERSION" \
	"debian/changelog's version is configure.ac's ($VERSION)"

SRC=$SCRATCH/pshmfs-$VERSION
if mk -s -C "$top_builddir" distdir distdir="$SRC" >"$SCRATCH/distdir.log" 2>&1; then
	ok 0 "make distdir: a copy of the distributed tree"
else
	ok 1 "make distdir: a copy of the distributed tree"
	awk '{ print "#   " $0 }' "$SCRATCH/distdir.log"
fi
missing=
for f in control rules changelog copyright source/format; do
	[ -f "$SRC/debian/$f" ] || missing="$missing debian/$f"
done
is "${missing# }" "" "the distributed tree holds debian/ (EXTRA_DIST)"
[ -x "$SRC/debian/rules" ]
ok $? "debian/rules is executable in the distributed tree"

# build_deb DIR LOG DESCRIPTION [DEB_BUILD_OPTIONS]: dpkg-buildpackage
# -us -uc -b in DIR, one TAP line. Without the outer make's flags: make
# check passes TEST_LOGS (every test, this one too) down through
# MAKEFLAGS, which would become the package build's own list.
build_deb() {
	local start st
	start=$(date +%s)
	(cd "$1" && DEB_BUILD_OPTIONS="parallel=2 ${4-}" timeout 300 \
		env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
		dpkg-buildpackage -us -uc -b) >"$2" 2>&1
	st=$?
	ok $st "$3 ($(($(date +%s) - start)) s)"
	[ $st -eq 0 ] || tail -n 40 "$2" | awk '{ print "#   " $0 }'
}
build_deb "$SRC" "$SCRATCH/build.log" "dpkg-buildpackage -us -uc -b"

grep -q '^PASS: tests/names_test' "$SCRATCH/build.log" &&
	grep -q '^PASS: tests/sizes_test' "$SCRATCH/build.log"
ok $? "the package build runs the unit tests"
! grep -Eq '^(PASS|FAIL|SKIP|ERROR): tests/[a-z_]+\.sh' "$SCRATCH/build.log"
ok $? "the package build runs no mount test"

DEB=$SCRATCH/pshmfs_${VERSION}_$ARCH.deb
[ -f "$DEB" ]
ok $? "the .deb is $(basename "$DEB")"
contents=$(dpkg-deb -c "$DEB" 2>/dev/null | awk '{ print $6 }')
missing=
for f in ./usr/bin/pshmfs ./usr/bin/pshm ./usr/share/man/man1/pshmfs.1.gz \
	./usr/share/man/man1/pshm.1.gz ./usr/share/doc/pshmfs/copyright; do
	grep -qxF "$f" <<<"$contents" || missing="$missing $f"
done
is "${missing# }" "" "the .deb holds /usr/bin/pshmfs, /usr/bin/pshm, both man pages, the copyright"
missing=
for f in README.md design.md performance.md performance.png tmpfs-experiments.md \
	tmpfs-experiments.png; do
	grep -qxF "./usr/share/doc/pshmfs/$f" <<<"$contents" || missing="$missing $f"
done
is "${missing# }" "" "the .deb holds /usr/share/doc/pshmfs/: README.md and doc/'s pages, with their images"
is "$(dpkg-deb -f "$DEB" Package Version Architecture 2>/dev/null | tr '\n' ' ')" \
	"Package: pshmfs Version: $VERSION Architecture: $ARCH " "the .deb's control fields"
depends=$(dpkg-deb -f "$DEB" Depends 2>/dev/null)
[[ ", $depends," == *", fuse3,"* && $depends == *libfuse3-* && $depends == *libc6* ]]
ok $? "Depends: fuse3 and the shared libraries ($depends)"

ROOT=$SCRATCH/root
dpkg-deb -x "$DEB" "$ROOT" 2>/dev/null
is "$("$ROOT/usr/bin/pshmfs" --version 2>/dev/null | head -1)" "pshmfs $VERSION" \
	"the packaged pshmfs runs"
is "$("$ROOT/usr/bin/pshm" --version 2>/dev/null)" "pshm (pshmfs) $VERSION" "the packaged pshm runs"
zcat "$ROOT/usr/share/man/man1/pshmfs.1.gz" 2>/dev/null | cmp -s - "$top_srcdir/doc/pshmfs.1"
ok $? "the packaged pshmfs(1) is doc/pshmfs.1"
cmp -s "$ROOT/usr/share/doc/pshmfs/README.md" "$top_srcdir/README.md"
ok $? "the packaged README.md is README.md"
grep -qx 'License: GPL-2.0+' "$ROOT/usr/share/doc/pshmfs/copyright" &&
	grep -q '/usr/share/common-licenses/GPL-2' "$ROOT/usr/share/doc/pshmfs/copyright"
ok $? "the packaged copyright: GPL-2.0+, pointing to /usr/share/common-licenses/GPL-2"

if command -v lintian >/dev/null; then
	root_ok=
	[ "$(id -u)" -ne 0 ] || root_ok=--allow-root
	start=$(date +%s)
	out=$(timeout 300 lintian $root_ok "$DEB" 2>&1)
	is "$?:$out" "0:" "lintian $(basename "$DEB"): nothing to say ($(($(date +%s) - start)) s)"
else
	tap_n=$((tap_n + 1))
	echo "ok $tap_n # SKIP lintian is not installed (apt-get install lintian)"
fi

# --- a build in a git tree leaves it clean --------------------------------------------------
# The files git tracks, as they are in the working tree, committed in a
# scratch repository: what a fresh clone holds.
GIT=$SCRATCH/git/pshmfs
if command -v git >/dev/null &&
	[ "$(git -C "$top_srcdir" rev-parse --show-toplevel 2>/dev/null)" = "$top_srcdir" ]; then
	mkdir -p "$GIT"
	(cd "$top_srcdir" && git ls-files -z | xargs -0 cp --parents -t "$GIT") &&
		(cd "$GIT" && git init -q && git add -A &&
			git -c user.name=test -c user.email=test@invalid commit -q -m tree) \
		>"$SCRATCH/git.log" 2>&1
	ok $? "a git tree of the tracked files"
	build_deb "$GIT" "$SCRATCH/git-build.log" "dpkg-buildpackage -us -uc -b in the git tree" nocheck
	is "$(cd "$GIT" && git status --porcelain)" "" \
		"after the build, git status --porcelain is empty (no debian/autoreconf.before, .after)"
else
	tap_n=$((tap_n + 1))
	echo "ok $tap_n # SKIP not the top of a git tree, or git is not installed"
fi

done_testing
