#!/usr/bin/env bash
# debian/ builds a .deb with dpkg-buildpackage -us -uc -b, in a copy of the
# distributed tree (make distdir into the scratch directory: never in the
# working tree), and the .deb holds pshmfs and pshm in /usr/bin (where
# mount -t fuse.pshmfs finds pshmfs) and both man pages. The build runs
# debian/rules' own dh_auto_test, which must run the unit tests and no
# mount test. Skipped when the Debian build tools are missing.
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

start=$(date +%s)
# Without the outer make's flags: make check passes TEST_LOGS (every test,
# this one too) down through MAKEFLAGS, which would become the package
# build's own list.
(cd "$SRC" && DEB_BUILD_OPTIONS="parallel=2" timeout 300 \
	env -u MAKEFLAGS -u MFLAGS -u MAKELEVEL -u MAKEOVERRIDES \
	dpkg-buildpackage -us -uc -b) >"$SCRATCH/build.log" 2>&1
st=$?
ok $st "dpkg-buildpackage -us -uc -b ($(($(date +%s) - start)) s)"
[ $st -eq 0 ] || tail -n 40 "$SCRATCH/build.log" | awk '{ print "#   " $0 }'

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

done_testing
