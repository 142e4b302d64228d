#!/bin/sh
# Output failures: unwritable or missing directory, full device, file size limit, output
# path that is a directory. Each gives exit 3 with a message, leaves no partial or temporary
# file, and never touches an existing good file; an input error leaves it alone too.
. tests/lib.sh
S=$SCRATCH
CASE=$TOP/samples/hernandez-lopez-ero.yaml
NAME=hernandez-lopez-A012345678-fod-letter.pdf

# io NAME EXIT MESSAGE COMMAND...: exit code and a fragment of stderr
io() {
	name=$1 want=$2 msg=$3; shift 3
	"$@" >"$S/stdout" 2>"$S/err"; got=$?
	if [ "$got" = "$want" ] && { [ -z "$msg" ] || grep -qF -- "$msg" "$S/err"; }; then ok "io: $name (exit $want)"
	else fail "io: $name (exit $want, got $got)" "wanted: $msg" "got: $(head -c 300 "$S/err")"; fi
}
# only DIR FILES...: DIR holds exactly FILES (no temporary left behind)
only() {
	dir=$1; shift
	got=$(ls -A "$dir" | tr '\n' ' '); want="$* "
	[ "$*" ] || want=""
	label="${dir#"$S"/} holds only ${*:-nothing}"
	if [ "$got" = "$want" ]; then ok "io: $label"; else fail "io: $label" "got: $got"; fi
}
good() { # good FILE: FILE still has the good content
	if [ "$(cat "$1")" = "good letter" ]; then ok "io: ${1#"$S"/} untouched"
	else fail "io: ${1#"$S"/} untouched" "$(head -c 100 "$1")"; fi
}

mkdir "$S/out"
io "missing directory" 3 "cannot write '$S/none/x.pdf'" \
	"$PDGEN" letter "$CASE" --level fod -o "$S/none/x.pdf"
[ -e "$S/none" ] && fail "io: missing directory not created" || ok "io: missing directory not created"

if [ "$(id -u)" != 0 ]; then
	mkdir "$S/ro" && chmod 555 "$S/ro"
	io "unwritable directory" 3 "Permission denied" "$PDGEN" letter "$CASE" --level fod -o "$S/ro/x.pdf"
	only "$S/ro"
	chmod 755 "$S/ro"
else
	io "read-only file system" 3 "cannot write '/proc/pdgen-io.pdf'" \
		"$PDGEN" letter "$CASE" --level fod -o /proc/pdgen-io.pdf
fi

# A full disk. As root a device of our own stands in for /dev/full, so that a regression
# that renamed over the output could never replace the system's device node.
full=/dev/full
if [ "$(id -u)" = 0 ] && mknod "$S/full" c 1 7 2>/dev/null; then full=$S/full; fi
if [ -c "$full" ]; then
	io "full device" 3 "No space left on device" "$PDGEN" letter "$CASE" --level fod -o "$full"
	if [ -c "$full" ]; then ok "io: the device is still a device"; else fail "io: the device is still a device"; fi
	io "full device (typeset)" 3 "No space left on device" \
		"$PDGEN" typeset "$TOP/templates/cc.md" -o "$full"
fi

printf 'good letter' >"$S/out/$NAME"
io "file size limit" 3 "File too large" \
	sh -c 'ulimit -f 8; exec "$@"' sh "$PDGEN" letter "$CASE" --level fod -o "$S/out/$NAME"
good "$S/out/$NAME"
only "$S/out" "$NAME"

sed 's/^  dob: 1980-04-17/  dob: 1980-02-30/' "$CASE" >"$S/bad.yaml"
io "input error" 1 "is not a calendar date" \
	"$PDGEN" letter "$S/bad.yaml" --level fod -o "$S/out/$NAME"
good "$S/out/$NAME"
only "$S/out" "$NAME"

mkdir "$S/dir" "$S/dir/$NAME"
io "output path is a directory" 3 "Is a directory" "$PDGEN" letter "$CASE" --level fod -o "$S/dir"
only "$S/dir" "$NAME"
only "$S/dir/$NAME"

io "typeset into a missing directory" 3 "cannot write" \
	"$PDGEN" typeset "$TOP/templates/cc.md" -o "$S/none/x.pdf"

# A pipe or FIFO is written in place and never read back for the manifest fields: reading
# /dev/stdout back blocked on the pipe (and took the bytes meant for the reader).
{ timeout 20 "$PDGEN" letter "$CASE" --level fod -o /dev/stdout 2>"$S/err"; echo $? >"$S/rc"; } \
	| head -c 5 >"$S/head"
if [ "$(cat "$S/head")" = "%PDF-" ] && [ "$(cat "$S/rc")" = 0 ]; then ok "io: -o /dev/stdout into a pipe (exit 0)"
else fail "io: -o /dev/stdout into a pipe (exit 0)" "exit $(cat "$S/rc"), head: $(cat "$S/head")" "$(head -c 300 "$S/err")"; fi
mkdir "$S/fifo" && mkfifo "$S/fifo/out.pdf"
cat "$S/fifo/out.pdf" >"$S/from-fifo" &
reader=$!
io "-o a FIFO" 0 "" timeout 20 "$PDGEN" letter "$CASE" --level fod -o "$S/fifo/out.pdf"
: 3<>"$S/fifo/out.pdf" # a writer that comes and goes: the reader never waits forever
wait $reader
if head -c 5 "$S/from-fifo" | grep -q '%PDF-'; then ok "io: the FIFO's reader got the PDF"; else fail "io: the FIFO's reader got the PDF"; fi
only "$S/fifo" out.pdf

# /dev/stdout into a file the shell opened: written in place, never replaced by a rename
"$PDGEN" letter "$CASE" --level fod -o /dev/stdout >"$S/redirected.pdf" 2>"$S/err"
if head -c 5 "$S/redirected.pdf" | grep -q '%PDF-'; then ok "io: -o /dev/stdout into a file"
else fail "io: -o /dev/stdout into a file" "$(head -c 300 "$S/err")"; fi

# a plain directory under /dev (tmpfs) is an output directory like any other
if [ -d /dev/shm ] && shm=$(mktemp -d /dev/shm/pdgen-io.XXXXXX 2>/dev/null); then
	io "a directory under /dev/shm" 0 "" "$PDGEN" letter "$CASE" --level fod -o "$shm/$NAME"
	if head -c 5 "$shm/$NAME" | grep -q '%PDF-'; then ok "io: a PDF in /dev/shm"; else fail "io: a PDF in /dev/shm"; fi
	only "$shm" "$NAME"
	rm -rf "$shm"
fi

io "a good run replaces the good file" 0 "" "$PDGEN" letter "$CASE" --level fod -o "$S/out/$NAME"
if head -c 5 "$S/out/$NAME" | grep -q '%PDF-'; then ok "io: the new file is a PDF"; else fail "io: the new file is a PDF"; fi
only "$S/out" "$NAME"
finish
