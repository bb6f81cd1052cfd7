#!/usr/bin/env bash
# SPDX-License-Identifier: GPL-2.0-or-later
# The man pages, without running anything but pshmfs --help: both render
# without warnings (groff -ww, mandoc -T lint); every option that
# pshmfs --help lists, ours and libfuse's, is an item of its own in
# pshmfs(1) (the tag of a .TP) and named in README.md; no fstab example
# uses _netdev; the systemd mount unit of MOUNTING AT BOOT is named as
# systemd-escape names its Where= and passes systemd-analyze verify.
# Fast: tests/docs.sh runs the examples.
. "${top_srcdir:-.}/tests/tap.sh"
top_srcdir=$(cd "${top_srcdir:-.}" && pwd)
top_builddir=$(cd "${top_builddir:-.}" && pwd)
PSHMFS=$top_builddir/src/pshmfs
PAGE=$top_srcdir/doc/pshmfs.1
README=$top_srcdir/README.md
SCRATCH=$(mktemp -d "${TMPDIR:-/tmp}/pshmfs-manpage.XXXXXX")
trap 'rm -rf -- "$SCRATCH"' EXIT

skip_one() {
	tap_n=$((tap_n + 1))
	echo "ok $tap_n # SKIP $*"
}

# --- both pages render without warnings ---------------------------------------------------
for page in "$PAGE" "$top_srcdir/doc/pshm.1"; do
	if command -v groff >/dev/null; then
		is "$(groff -ww -z -man "$page" 2>&1)" "" "groff -ww -z -man $(basename "$page"): no warnings"
	else
		skip_one "groff is not installed"
	fi
	if command -v mandoc >/dev/null; then
		is "$(mandoc -T lint "$page" 2>&1)" "" "mandoc -T lint $(basename "$page"): clean"
	else
		skip_one "mandoc is not installed"
	fi
done

# --- every option of --help has an item of its own ------------------------------------------
# page_tags PAGE: the tags of PAGE's items, the line after each .TP, with
# macros, quotes and font escapes taken off ("-o prefix= P , --prefix= P").
page_tags() {
	awk 'tp { print; tp = 0; next } /^\.TP/ { tp = 1 }' "$1" |
		sed -e 's/^\.[A-Z][A-Z]* //' -e 's/"//g' -e 's/\\f[BIRP]//g' \
			-e 's/\\-/-/g' -e 's/\\&//g'
}
# The options of --help, ours and libfuse's, as "-o NAME", "--NAME" and
# "-X", from the option column of each line indented by at most 8 that
# starts with '-': its first 27 characters when a description follows in
# the 28th, else the whole line.
help_options() {
	local col
	col=$(awk 'match($0, /^ +-/) && RLENGTH <= 9 {
		if (substr($0, 27, 1) == " " && substr($0, 28, 1) != " ")
			print substr($0, 1, 27) " "
		else
			print $0 " "
	}')
	{
		grep -oE -- '-o [a-z_]+' <<<"$col"
		sed -E 's/-o [a-z_]+//g' <<<"$col" | grep -oE -- '(^| )--?[A-Za-z][-A-Za-z_]*' |
			sed 's/^ //'
	} | sort -u
}
# missing_items PAGE: the options of $opts that no tag of PAGE names.
missing_items() {
	local tags o missing=
	tags=$(page_tags "$1")
	while IFS= read -r o; do
		[ -n "$o" ] || continue
		grep -Eq -- "(^|[ ,])$o([= ,[]|$)" <<<"$tags" || missing="$missing|$o"
	done <<<"$opts"
	echo "${missing#|}"
}
if [ -x "$PSHMFS" ]; then
	help=$("$PSHMFS" --help 2>&1)
	opts=$(help_options <<<"$help")
	n=$(wc -l <<<"$opts")
	[ "$n" -ge 20 ]
	ok $? "pshmfs --help lists $n options: $(echo $opts | sed 's/-o /-o_/g')"
	is "$(missing_items "$PAGE")" "" \
		"pshmfs(1): each option of pshmfs --help is the tag of an item (.TP) of its own"
	# The check sees an item run into the one before (size= without its .TP).
	awk '$0 == ".TP" { held = 1; next }
		held { held = 0; if ($0 !~ /^\.BI "\\-o size="/) print ".TP" } { print }' \
		"$PAGE" >"$SCRATCH/broken.1"
	is "$(missing_items "$SCRATCH/broken.1")" "-o size" \
		"the check works: without its .TP, -o size= is found missing"
	# Ours (under "pshmfs options:") by name in README.md.
	ours=$(sed -n '/^pshmfs options:/,/^$/p' <<<"$help" | help_options |
		sed -n 's/^-o //p')
	missing=
	for o in $ours; do
		grep -Eq -- "(^|[^a-z_])$o(=|\`)" "$README" || missing="$missing $o"
	done
	is "${missing# }" "" "README.md names each of pshmfs's own options ($(echo $ours))"
	grep -q -- '--prefix=P' <<<"$help" && grep -q -- '-o ro ' <<<"$help"
	ok $? "pshmfs --help lists --prefix and -o ro"
	grep -q 'allocated bytes' <<<"$help"
	ok $((!$?)) "pshmfs --help: size= counts allocated pages, not 'allocated bytes'"
else
	skip_one "$PSHMFS is not built"
fi

# --- fstab examples: no _netdev ---------------------------------------------------------------
examples=$(awk '/^```sh/ { f = 1; next } /^```/ { f = 0 } f' "$README"
	awk '/^\.EX/ { f = 1; next } /^\.EE/ { f = 0 } f' "$PAGE")
grep -c 'fuse' <<<"$examples" >/dev/null && ! grep -q '_netdev' <<<"$examples"
ok $? "no example of README.md or pshmfs(1) mounts with _netdev"

# --- the systemd mount unit -------------------------------------------------------------------------
section=$(sed -n '/^\.SH MOUNTING AT BOOT/,/^\.SH /p' "$PAGE")
unit_path=$(grep -o '/etc/systemd/system/[^ ]*\.mount' <<<"$section" | sed 's/\\-/-/g' | head -1)
# The last .EX block of the section is the unit.
awk '/^\.EX/ { n++; f = 1; b[n] = ""; next } /^\.EE/ { f = 0 } f { b[n] = b[n] $0 "\n" }
	END { printf "%s", b[n] }' <<<"$section" | sed -e 's/\\-/-/g' -e 's/\\&//g' >"$SCRATCH/unit"
where=$(sed -n 's/^Where=//p' "$SCRATCH/unit")
[ -n "$unit_path" ] && [ -n "$where" ] && grep -q '^Type=fuse.pshmfs$' "$SCRATCH/unit"
ok $? "pshmfs(1) MOUNTING AT BOOT: a mount unit ($unit_path, Where=$where, Type=fuse.pshmfs)"
if command -v systemd-escape >/dev/null; then
	is "$(basename "$unit_path")" "$(systemd-escape -p --suffix=mount "$where")" \
		"the unit's file name is systemd-escape -p --suffix=mount of its Where="
else
	skip_one "systemd-escape is not installed"
fi
if command -v systemd-analyze >/dev/null && [ -n "$unit_path" ]; then
	cp "$SCRATCH/unit" "$SCRATCH/$(basename "$unit_path")"
	out=$(cd "$SCRATCH" && timeout 60 systemd-analyze verify "./$(basename "$unit_path")" 2>&1)
	st=$?
	is "$st $out" "0 " "systemd-analyze verify $(basename "$unit_path"): clean"
else
	skip_one "systemd-analyze is not installed"
fi

done_testing
