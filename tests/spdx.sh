#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The licence, GPL-2.0-or-later, is stated everywhere it must be: LICENSE
# is the GNU GPL version 2, debian/copyright says GPL-2.0+ in DEP-5, and
# every source file that git tracks (*.c, *.h, *.sh, the man pages,
# Makefile.am, configure.ac, every executable script) carries
# "SPDX-License-Identifier: GPL-2.0-or-later" in its first 5 lines. A new
# file without it fails here until it has one.
. "${top_srcdir:-.}/tests/tap.sh"
top_srcdir=$(cd "${top_srcdir:-.}" && pwd)
ID='SPDX-License-Identifier: GPL-2.0-or-later'

# --- LICENSE and debian/copyright ----------------------------------------------------
head -n 2 "$top_srcdir/LICENSE" 2>/dev/null | tr -s ' ' | tr '\n' '|' |
	grep -qx ' GNU GENERAL PUBLIC LICENSE| Version 2, June 1991|'
ok $? "LICENSE is the GNU General Public License, version 2"
if [ -r /usr/share/common-licenses/GPL-2 ]; then
	cmp -s "$top_srcdir/LICENSE" /usr/share/common-licenses/GPL-2
	ok $? "LICENSE is the text of /usr/share/common-licenses/GPL-2"
fi
copyright=$top_srcdir/debian/copyright
is "$(head -n 1 "$copyright")" \
	"Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/" \
	"debian/copyright is DEP-5 (machine-readable)"
is "$(awk '/^Files: \*$/ { f = 1; next } f && /^License:/ { print; exit }' "$copyright")" \
	"License: GPL-2.0+" "debian/copyright: Files: * under License: GPL-2.0+"
grep -q '^ version 2 can be found in the file `/usr/share/common-licenses/GPL-2'"'"'\.$' "$copyright" &&
	grep -q '(at your option) any later version' "$copyright"
ok $? "debian/copyright: the standard notice, or any later version, GPL-2 on Debian systems"
grep -q '^Copyright: [0-9]' "$copyright"
ok $? "debian/copyright: a Copyright: line with a year (lintian's copyright-without-copyright-notice)"

# --- SPDX lines ---------------------------------------------------------------------------------
# Only at the top of a git work tree (not in a distributed tree, which
# make distcheck may unpack inside one).
command -v git >/dev/null &&
	[ "$(git -C "$top_srcdir" rev-parse --show-toplevel 2>/dev/null)" = "$top_srcdir" ] || {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n # SKIP not the top of a git tree: which files are sources is git's list"
	done_testing
	exit
}
# is_source FILE: a source file, as the docs helper's SPDX script counts them.
is_source() {
	case $1 in
	*.c | *.h | *.sh | *.1 | Makefile.am | configure.ac) return 0 ;;
	esac
	[ -x "$1" ] && [ "$(head -c 2 "$1")" = '#!' ]
}
n=0 missing= other=
while IFS= read -r -d '' f; do
	[ -f "$top_srcdir/$f" ] && [ ! -L "$top_srcdir/$f" ] || continue
	(cd "$top_srcdir" && is_source "$f") || continue
	n=$((n + 1))
	spdx=$(head -n 5 "$top_srcdir/$f" | grep -o 'SPDX-License-Identifier:.*' | head -1)
	case $spdx in
	"") missing="$missing $f" ;;
	"$ID"*) ;;
	*) other="$other $f" ;;
	esac
done < <(git -C "$top_srcdir" ls-files -z)
[ "$n" -ge 50 ]
ok $? "git tracks $n source files"
is "${missing# }" "" "every tracked source file has '$ID' in its first 5 lines"
is "${other# }" "" "no source file names another licence"

done_testing
