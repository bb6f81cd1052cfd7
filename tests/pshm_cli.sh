#!/usr/bin/env bash
# pshm on its own, with no mount: every verb, every error with its exact
# message and exit status, binary data, exact modes, sizes with suffixes,
# ls filtering, and (as root, in a private mount namespace) a full tmpfs.
# Only objects whose names begin with $PREFIX are touched.

. "${top_srcdir:-.}/tests/lib.sh"

[ -x "$PSHM" ] || skip_all "$PSHM is not built"

# Every call under a timeout; a death by signal still shows as 128+N.
pshm() { timeout 60 "$PSHM" "$@"; }

N=/${PREFIX}obj
F=$SCRATCH/data

# run CMD...: $st, $out and $err (trailing newlines dropped) of CMD.
run() {
	out=$("$@" 2>"$SCRATCH/stderr")
	st=$?
	err=$(cat "$SCRATCH/stderr")
}

# err_is STATUS STDERR DESC -- CMD...: exact status and stderr, no stdout.
err_is() {
	local want_st=$1 want_err=$2 desc=$3
	shift 4
	run "$@"
	if [ "$st" -eq "$want_st" ] && [ "$err" = "$want_err" ] && [ -z "$out" ]; then
		ok 0 "$desc"
	else
		ok 1 "$desc"
		diag "  status $st (want $want_st), stdout: '$out'"
		diag "  stderr: '$err'"
		diag "  want:   '$want_err'"
	fi
}

# usage_is FIRSTLINE DESC -- CMD...: exit 2, stderr is FIRSTLINE then the
# usage, stdout empty.
usage_is() {
	local want=$1 desc=$2
	shift 3
	run "$@"
	if [ "$st" -eq 2 ] && [ "${err%%$'\n'*}" = "$want" ] &&
		[[ $err == *$'\nUsage: pshm create '*'pshm ls [PREFIX]'* ]] &&
		[ -z "$out" ]; then
		ok 0 "$desc"
	else
		ok 1 "$desc"
		diag "  status $st (want 2), stdout: '$out'"
		diag "  stderr: '$err'"
		diag "  want first line: '$want'"
	fi
}

# field KEY NAME: one value of "pshm stat NAME".
field() { pshm stat "$2" | sed -n "s/^$1: //p"; }

# mode_of NAME: the octal mode the shm directory shows, as stat %a.
mode_of() { stat -c %a "$SHMDIR/${1#/}"; }

# ---- --help, --version, usage errors ----

run pshm --help
[ "$st" -eq 0 ] && [ -z "$err" ] &&
	[[ $out == "Usage: pshm create [-c] [-x] [-m MODE] [-s SIZE] NAME"* ]]
ok $? "--help: usage on stdout, exit 0"
missing=
for v in create write read unlink stat truncate chmod ls; do
	[[ $out == *"pshm $v "* ]] || missing="$missing $v"
done
is "$missing" "" "--help names every verb"
run pshm stat --help
[ "$st" -eq 0 ] && [[ $out == "Usage: pshm"* ]]
ok $? "VERB --help: usage, exit 0"

version=$(sed -n 's/^#define PACKAGE_VERSION "\(.*\)"$/\1/p' "${top_builddir:-.}/config.h")
run pshm --version
is "$st:$out" "0:pshm (pshmfs) $version" "--version"

usage_is "pshm: missing verb" "no verb: usage error" -- pshm
usage_is "pshm: unknown verb 'frob'" "unknown verb" -- pshm frob
usage_is "pshm: read: missing operand" "read without NAME" -- pshm read
usage_is "pshm: read: extra operand 'b'" "read with two names" -- pshm read a b
usage_is "pshm: create: invalid option -- 'z'" "unknown option" -- pshm create -z "$N"
usage_is "pshm: stat: unrecognized option '--bogus'" "unknown long option" -- pshm stat --bogus "$N"
usage_is "pshm: create: option requires an argument -- 'm'" "-m without MODE" -- pshm create -m
usage_is "pshm: create: -x needs -c" "-x without -c" -- pshm create -x "$N"
usage_is "pshm: create: -m needs -c" "-m without -c" -- pshm create -m 600 "$N"
usage_is "pshm: create: missing operand" "create without NAME" -- pshm create -c
usage_is "pshm: create: extra operand '-c'" "options come before NAME" -- pshm create "$N" -c
usage_is "pshm: truncate: missing operand" "truncate without SIZE" -- pshm truncate "$N"
usage_is "pshm: chmod: missing operand" "chmod without NAME" -- pshm chmod 600
usage_is "pshm: ls: extra operand 'b'" "ls with two prefixes" -- pshm ls a b
usage_is "pshm: write: extra operand 'c'" "write with two texts" -- pshm write "$N" b c
[ ! -e "$SHMDIR/${N#/}" ]
ok $? "usage errors create nothing"

# ---- names ----

err_is 1 "pshm: $N: No such file or directory" "create without -c: no such object" -- pshm create "$N"
err_is 1 "pshm: /a/b: Invalid argument (a name holds no '/' after the leading one)" \
	"'/' inside a name: EINVAL" -- pshm create -c /a/b
err_is 1 "pshm: /${PREFIX}x/: Invalid argument (a name holds no '/' after the leading one)" \
	"trailing '/': EINVAL" -- pshm stat "${PREFIX}x/"
err_is 1 "pshm: /: Invalid argument (empty name)" "empty name: EINVAL" -- pshm read ""
err_is 1 "pshm: /: Invalid argument (empty name)" "name '/': EINVAL" -- pshm unlink /
err_is 1 "pshm: /..: Invalid argument (not an object name)" "name '..': EINVAL" -- pshm stat ..
long255=$PREFIX$(printf '%*s' $((255 - ${#PREFIX})) '' | tr ' ' n)
long256=${long255}n
err_is 1 "pshm: /$long256: File name too long (names are at most 255 bytes)" \
	"256-byte name: ENAMETOOLONG" -- pshm create -c "/$long256"
[ ! -e "$SHMDIR/$long256" ]
ok $? "256-byte name: nothing created"
pshm create -c "/$long255"
[ -f "$SHMDIR/$long255" ]
ok $? "255-byte name: created"
pshm unlink "$long255"
[ ! -e "$SHMDIR/$long255" ]
ok $? "255-byte name: unlinked"

pshm create -c "${PREFIX}noslash"
[ -f "$SHMDIR/${PREFIX}noslash" ]
ok $? "a name without '/' is the same object"
pshm write "/${PREFIX}noslash" "same"
is "$(pshm read "${PREFIX}noslash")" "same" "with and without '/': one object"
is "$(field name "${PREFIX}noslash")" "/${PREFIX}noslash" "stat shows the name with '/'"
err_is 1 "pshm: /${PREFIX}gone: No such file or directory" \
	"errors show the name with '/'" -- pshm read "${PREFIX}gone"

# ---- create ----

run pshm create -c "$N"
is "$st:$out:$err" "0::" "create -c: silent success"
[ -f "$SHMDIR/${N#/}" ]
ok $? "create -c: the object exists"
is "$(field size "$N")" 0 "create -c: size 0"
err_is 1 "pshm: $N: File exists" "create -c -x on an existing object" -- pshm create -c -x "$N"
pshm write "$N" keep
run pshm create -c -m 0644 "$N"
is "$st:$(pshm read "$N")" "0:keep" "create -c on an existing object opens it, contents kept"
is "$(mode_of "$N")" 600 "create -c: -m is not applied to an object it did not create"
run pshm create "$N"
is "$st:$(pshm read "$N")" "0:keep" "create without -c opens an existing object"

M=/${PREFIX}mode
(umask 0 && pshm create -c "$M.default")
is "$(mode_of "$M.default")" 600 "default mode 0600, even under umask 000"
(umask 077 && pshm create -c -m 0666 "$M.666")
is "$(mode_of "$M.666")" 666 "-m 0666 under umask 077: exactly 0666"
(umask 077 && pshm create -c -x -m 2775 "$M.2775")
is "$(mode_of "$M.2775")" 2775 "-m 2775 under umask 077: set-gid kept"
(umask 022 && pshm create -c -m 0 "$M.0")
is "$(mode_of "$M.0")" 0 "-m 0: no permissions at all"
err_is 1 "pshm: invalid mode: '0999'" "-m 0999: invalid mode" -- pshm create -c -m 0999 "$M.bad"
err_is 1 "pshm: invalid mode: 'rw'" "-m rw: invalid mode" -- pshm create -c -m rw "$M.bad"
err_is 1 "pshm: invalid mode: '17777'" "-m 17777: invalid mode" -- pshm create -c -m 17777 "$M.bad"
[ ! -e "$SHMDIR/${M#/}.bad" ]
ok $? "invalid mode: nothing created"

S=/${PREFIX}size
for pair in 4096:4096 4k:4096 2K:2048 3m:3145728 1g:1073741824 0:0; do
	pshm create -c -x -s "${pair%%:*}" "$S.${pair%%:*}"
	is "$(stat -c %s "$SHMDIR/${S#/}.${pair%%:*}")" "${pair##*:}" "-s ${pair%%:*}: ${pair##*:} bytes"
done
pshm create -s 1k "$S.4k"
is "$(stat -c %s "$SHMDIR/${S#/}.4k")" 1024 "create -s on an existing object resizes it"
for bad in 12x 50% -1 "" 4kk; do
	err_is 1 "pshm: invalid size: '$bad'" "-s '$bad': invalid size" -- pshm create -c -s "$bad" "$S.bad"
done
err_is 1 "pshm: invalid size: '99999999999999999999': Value too large for defined data type" \
	"-s past 2^64: too large" -- pshm create -c -s 99999999999999999999 "$S.bad"
err_is 1 "pshm: invalid size: '8388608t': Value too large for defined data type" \
	"-s past off_t: too large" -- pshm create -c -s 8388608t "$S.bad"
[ ! -e "$SHMDIR/${S#/}.bad" ]
ok $? "invalid size: nothing created"

# ---- write and read ----

W=/${PREFIX}w
pshm create -c "$W"
run pshm write "$W" "hello world"
is "$st:$out:$err" "0::" "write TEXT: silent success"
pshm read "$W" >"$F"
printf 'hello world' | cmp -s - "$F"
ok $? "read gives TEXT back, no newline added"
is "$(field size "$W")" 11 "write TEXT: size is the length of TEXT"
pshm write "$W" bye
is "$(pshm read "$W")" bye "a shorter write replaces the contents"
is "$(field size "$W")" 3 "a shorter write shrinks the object to the data"
pshm write "$W" -x
is "$(pshm read "$W")" -x "TEXT may begin with '-'"
printf 'line1\nline2\n' | pshm write "$W"
pshm read "$W" >"$F"
printf 'line1\nline2\n' | cmp -s - "$F"
ok $? "write from standard input"
pshm write "$W" </dev/null
is "$(field size "$W")" 0 "write of empty input: size 0"
run pshm read "$W"
is "$st:${#out}:$err" "0:0:" "read of a 0-length object prints nothing"

for i in $(seq 0 255); do
	printf %b "\\0$(printf %03o "$i")"
done >"$SCRATCH/bytes"
is "$(od -An -v -tu1 "$SCRATCH/bytes" | xargs)" "$(seq -s ' ' 0 255)" \
	"(the test data: bytes 0 to 255, in order)"
pshm write "$W" <"$SCRATCH/bytes"
pshm read "$W" >"$F"
cmp -s "$SCRATCH/bytes" "$F"
ok $? "all 256 byte values survive write and read"
is "$(field size "$W")" 256 "write of 256 bytes: size 256"

head -c 10485760 /dev/urandom >"$SCRATCH/random"
pshm write "$W" <"$SCRATCH/random"
pshm read "$W" >"$F"
cmp -s "$SCRATCH/random" "$F"
ok $? "10 MiB of random bytes survive write and read"
is "$(field size "$W")" 10485760 "write of 10 MiB: size 10485760"
cmp -s "$SCRATCH/random" "$SHMDIR/${W#/}"
ok $? "the object itself holds the bytes"
is "$(pshm read "/${W#/}" | head -c 10485760 | cksum)" "$(cksum <"$SCRATCH/random")" \
	"read into a pipe"

err_is 1 "pshm: /${PREFIX}nope: No such file or directory" "write to a missing object" \
	-- pshm write "/${PREFIX}nope" text
[ ! -e "$SHMDIR/${PREFIX}nope" ]
ok $? "write does not create"
err_is 1 "pshm: /${PREFIX}nope: No such file or directory" "read of a missing object" \
	-- pshm read "/${PREFIX}nope"

# ---- truncate ----

T=/${PREFIX}t
pshm create -c "$T"
pshm write "$T" abc
run pshm truncate "$T" 8k
is "$st:$out:$err" "0::" "truncate: silent success"
is "$(field size "$T")" 8192 "truncate 8k: 8192 bytes"
{ printf abc; head -c 8189 /dev/zero; } >"$SCRATCH/grown"
pshm read "$T" | cmp -s "$SCRATCH/grown" -
ok $? "growth reads back as zeros after the old bytes"
pshm truncate "$T" 2
is "$(pshm read "$T")" ab "truncate 2: the first 2 bytes remain"
pshm truncate "$T" 0
is "$(field size "$T")" 0 "truncate 0"
err_is 1 "pshm: invalid size: 'big'" "truncate: invalid size" -- pshm truncate "$T" big
err_is 1 "pshm: /${PREFIX}nope: No such file or directory" "truncate of a missing object" \
	-- pshm truncate "/${PREFIX}nope" 1k

# ---- chmod ----

C=/${PREFIX}c
pshm create -c "$C"
run pshm chmod 640 "$C"
is "$st:$out:$err" "0::" "chmod: silent success"
is "$(mode_of "$C")" 640 "chmod 640"
is "$(field mode "$C"):$(field perms "$C")" "0640:-rw-r-----" "stat after chmod 640"
pshm chmod 4755 "$C"
is "$(field mode "$C"):$(field perms "$C")" "4755:-rwsr-xr-x" "chmod 4755: set-uid shown as s"
pshm chmod 1777 "$C"
is "$(field mode "$C"):$(field perms "$C")" "1777:-rwxrwxrwt" "chmod 1777: sticky shown as t"
pshm chmod 6644 "$C"
is "$(field perms "$C")" "-rwSr-Sr--" "chmod 6644: set-id without x shown as S"
pshm chmod 0 "$C"
is "$(mode_of "$C")" 0 "chmod 0"
err_is 1 "pshm: invalid mode: '8'" "chmod 8: invalid mode" -- pshm chmod 8 "$C"
err_is 1 "pshm: invalid mode: 'u+x'" "chmod u+x: invalid mode" -- pshm chmod u+x "$C"
err_is 1 "pshm: /${PREFIX}nope: No such file or directory" "chmod of a missing object" \
	-- pshm chmod 600 "/${PREFIX}nope"

# ---- stat ----

X=/${PREFIX}st
pshm create -c -m 0604 -s 5000 "$X"
pshm write "$X" "$(head -c 5000 /dev/zero | tr '\0' s)"
run pshm stat "$X"
is "$st:$err" "0:" "stat: exit 0, nothing on stderr"
is "$(printf '%s\n' "$out" | cut -d: -f1 | tr '\n' ' ')" \
	"name size blocks mode perms uid user gid group atime mtime ctime " \
	"stat: the keys, in order"
obj=$SHMDIR/${X#/}
is "$(field size "$X")" "$(stat -c %s "$obj")" "stat: size"
is "$(field blocks "$X")" "$(stat -c %b "$obj")" "stat: blocks (512-byte units)"
is "$(field mode "$X")" 0604 "stat: octal mode"
is "$(field perms "$X")" -rw----r-- "stat: symbolic mode"
is "$(field uid "$X"):$(field user "$X")" "$(stat -c %u:%U "$obj")" "stat: uid and user"
is "$(field gid "$X"):$(field group "$X")" "$(stat -c %g:%G "$obj")" "stat: gid and group"
is "$(field atime "$X")" "$(stat -c %x "$obj")" "stat: atime"
is "$(field mtime "$X")" "$(stat -c %y "$obj")" "stat: mtime"
is "$(field ctime "$X")" "$(stat -c %z "$obj")" "stat: ctime"
touch -d '2001-02-03 04:05:06.5' "$obj"
is "$(TZ=UTC0 pshm stat "$X" | sed -n 's/^mtime: //p')" \
	"2001-02-03 04:05:06.500000000 +0000" "stat: mtime format"
err_is 1 "pshm: /${PREFIX}nope: No such file or directory" "stat of a missing object" \
	-- pshm stat "/${PREFIX}nope"

# ---- unlink ----

U=/${PREFIX}u
pshm create -c "$U"
run pshm unlink "$U"
is "$st:$out:$err" "0::" "unlink: silent success"
[ ! -e "$SHMDIR/${U#/}" ]
ok $? "unlink removes the object"
err_is 1 "pshm: $U: No such file or directory" "unlink twice" -- pshm unlink "$U"

# ---- ls ----

L=${PREFIX}ls.
for s in a c b; do
	pshm create -c -m 0640 "$L$s"
done
pshm write "$L$s" 12345
pshm create -c "${PREFIX}other"
run pshm ls "$L"
is "$st:$err" "0:" "ls PREFIX: exit 0, nothing on stderr"
is "$(printf '%s\n' "$out" | awk '{ print $NF }' | tr '\n' ' ')" \
	"/${L}a /${L}b /${L}c " "ls PREFIX: only those objects, sorted, with '/'"
is "$(pshm ls "/$L")" "$out" "ls /PREFIX: the same"
obj=$SHMDIR/${L}b
want=$(printf '%10s %s %s %s /%s' 5 0640 "$(stat -c %U "$obj")" \
	"$(date -d "@$(stat -c %Y "$obj")" '+%Y-%m-%d %H:%M')" "${L}b")
is "$(pshm ls "${L}b")" "$want" "ls line: size, mode, owner, mtime, name"
run pshm ls
[ "$st" -eq 0 ] && [[ $out == *"$want"* ]] && [[ $out == *" /${PREFIX}other"* ]]
ok $? "ls without PREFIX lists every object"
pshm create -c "${PREFIX}esc"$'\t'"x\\y"
is "$(pshm ls "${PREFIX}esc" | awk '{ print $NF }')" "/${PREFIX}esc\\011x\\134y" \
	"ls shows control characters and '\\' as \\ooo"
is "$(field name "${PREFIX}esc"$'\t'"x\\y")" "/${PREFIX}esc\\011x\\134y" \
	"stat shows the name the same way"
run pshm ls "${PREFIX}none."
is "$st:$out:$err" "0::" "ls PREFIX matching nothing: no output"
err_is 1 "pshm: /a/b: Invalid argument (a name holds no '/' after the leading one)" \
	"ls a/b: EINVAL" -- pshm ls /a/b

# ---- an object shrunk under a copy: an error, never SIGBUS ----

R=/${PREFIX}shrink
pshm create -c -s 64m "${PREFIX}holes"
pshm read "${PREFIX}holes" | cat >/dev/null
is "$(stat -c %b "$SHMDIR/${PREFIX}holes")" 0 "read of a sparse object allocates none of its holes"

# Filled, not sparse: pshm reads an object with holes with read(2).
pshm create -c "$R"
head -c 64M /dev/zero | pshm write "$R"
{
	pshm read "$R" 2>"$SCRATCH/shrink.err"
	echo $? >"$SCRATCH/shrink.st"
} | {
	head -c 1 >/dev/null	# pshm read is inside its write(2)
	pshm truncate "$R" 0
	cat >/dev/null
}
is "$(cat "$SCRATCH/shrink.st")" 1 "read of an object shrunk under it: exit 1"
is "$(cat "$SCRATCH/shrink.err")" \
	"pshm: $R: Input/output error (the object shrank while being read)" \
	"read of an object shrunk under it: the message"

head -c 16M /dev/zero >"$SCRATCH/16m"
worst=0
for i in 1 2 3 4 5; do
	(while :; do "$PSHM" truncate "$R" 0; done) &
	loop=$!
	pshm write "$R" <"$SCRATCH/16m" 2>>"$SCRATCH/race.err"
	s=$?
	kill "$loop"
	wait "$loop" 2>/dev/null
	[ "$s" -gt "$worst" ] && worst=$s
done
[ "$worst" -le 1 ]
ok $? "write racing a shrink: no death by signal (worst status $worst)"
bad=$(grep -v "^pshm: $R: Input/output error (the object shrank while being written)\$" \
	"$SCRATCH/race.err")
is "$bad" "" "write racing a shrink: only the shrink message"

# ---- a full tmpfs, and what ls and stat hide (root only) ----

inner() {
	mount -t tmpfs -o size=1M tmpfs "$SHMDIR" || exit 1
	echo mounted
	local n=/${PREFIX}full
	"$PSHM" create -c "$n"
	"$PSHM" write "$n" hello
	head -c 2M /dev/urandom | "$PSHM" write "$n" 2>"$SCRATCH/full.err"
	echo "full_status=$?"
	echo "full_size=$(stat -c %s "$SHMDIR/${n#/}")"
	"$PSHM" read "$n" | cmp -s <(printf hello) - && echo full_intact=yes
	head -c 512K /dev/urandom >"$SCRATCH/512k"
	"$PSHM" write "$n" <"$SCRATCH/512k" &&
		"$PSHM" read "$n" | cmp -s "$SCRATCH/512k" - && echo fits=yes
	mkfifo "$SHMDIR/${PREFIX}fifo"
	mkdir "$SHMDIR/${PREFIX}dir"
	ln -s "${PREFIX}full" "$SHMDIR/${PREFIX}link"
	: >"$SHMDIR/sem.${PREFIX}sem"
	echo "ls=$("$PSHM" ls | awk '{ print $NF }' | tr '\n' ' ')"
	timeout 10 "$PSHM" stat "/${PREFIX}fifo" 2>&1 >/dev/null | sed 's/^/fifo=/'
	"$PSHM" read "/${PREFIX}dir" 2>&1 >/dev/null | sed 's/^/dir=/'
	"$PSHM" create -c "/${PREFIX}dir" 2>&1 >/dev/null | sed 's/^/mkdir=/'
	"$PSHM" stat "/${PREFIX}link" 2>&1 >/dev/null | sed 's/^/link=/'
}

if [ "$(id -u)" -ne 0 ]; then
	why="not root"
elif ! unshare -m --propagation private true 2>/dev/null; then
	why="no private mount namespace here"
else
	why=
	export -f inner
	export PSHM PREFIX SCRATCH SHMDIR
	unshare -m --propagation private bash -c inner >"$SCRATCH/ns.out"
	awk '{ print "# ns: " $0 }' "$SCRATCH/ns.out"
fi
ns() { sed -n "s/^$1=//p" "$SCRATCH/ns.out"; }
if [ -n "$why" ]; then
	for d in "private tmpfs mounted on $SHMDIR" "write into a full tmpfs: exit 1" "write into a full tmpfs: ENOSPC" \
		"a failed write leaves the size as it was" \
		"a failed write leaves the bytes as they were" "a write that fits still works" \
		"ls hides semaphores, FIFOs, directories and symlinks" \
		"stat of a FIFO: not a regular file, no hang" "read of a directory: EINVAL" \
		"create -c of a directory: EINVAL" "stat of a symlink: ELOOP"; do
		ok 0 "$d # SKIP $why"
	done
else
	grep -qx mounted "$SCRATCH/ns.out"
	ok $? "private tmpfs mounted on $SHMDIR"
	is "$(ns full_status)" 1 "write into a full tmpfs: exit 1"
	is "$(cat "$SCRATCH/full.err")" "pshm: /${PREFIX}full: No space left on device" \
		"write into a full tmpfs: ENOSPC"
	is "$(ns full_size)" 5 "a failed write leaves the size as it was"
	is "$(ns full_intact)" yes "a failed write leaves the bytes as they were"
	is "$(ns fits)" yes "a write that fits still works"
	is "$(ns ls)" "/${PREFIX}full " "ls hides semaphores, FIFOs, directories and symlinks"
	is "$(ns fifo)" "pshm: /${PREFIX}fifo: Invalid argument (not a regular file)" \
		"stat of a FIFO: not a regular file, no hang"
	is "$(ns dir)" "pshm: /${PREFIX}dir: Invalid argument (not a regular file)" \
		"read of a directory: EINVAL"
	is "$(ns mkdir)" "pshm: /${PREFIX}dir: Invalid argument (not a regular file)" \
		"create -c of a directory: EINVAL"
	is "$(ns link)" "pshm: /${PREFIX}link: Too many levels of symbolic links" \
		"stat of a symlink: ELOOP"
fi
[ ! -e "$SHMDIR/${PREFIX}full" ] && [ ! -e "$SHMDIR/sem.${PREFIX}sem" ]
ok $? "the machine's $SHMDIR was not touched by the full-tmpfs case"

done_testing
