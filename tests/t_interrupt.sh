#!/bin/sh
# Interrupted and unusual outputs: Ctrl-C or a kill at any moment of a letter leaves either
# the whole PDF or nothing (never a temporary file); a symbolic link is written through to
# its file; /dev/stdout is written in place, whatever stdout is.
. tests/lib.sh
case=samples/hernandez-lopez-ero.yaml
mkdir -p "$SCRATCH/int"
for delay in 0.005 0.01 0.015 0.02 0.025 0.03 0.035 0.04 0.05 0.06 0.08 0.1; do
	for sig in INT TERM; do
		"$PDGEN" letter "$case" --level fod -o "$SCRATCH/int/l.pdf" 2>/dev/null &
		pid=$!
		sleep "$delay"
		kill -"$sig" "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		if [ -f "$SCRATCH/int/l.pdf" ] && ! qpdf --check "$SCRATCH/int/l.pdf" >/dev/null 2>&1; then
			fail "SIG$sig after ${delay}s leaves a whole PDF or none"
		fi
		rm -f "$SCRATCH/int/l.pdf"
	done
done
left=$(ls "$SCRATCH/int")
[ -z "$left" ] && ok "no temporary file is left by 24 interrupted letters" \
	|| fail "no temporary file is left by 24 interrupted letters" "$left"

touch "$SCRATCH/real.pdf"
ln -s real.pdf "$SCRATCH/link.pdf"
"$PDGEN" letter "$case" --level fod -o "$SCRATCH/link.pdf" 2>"$SCRATCH/err"
[ -L "$SCRATCH/link.pdf" ] && qpdf --check "$SCRATCH/real.pdf" >/dev/null 2>&1 &&
	ok "an output that is a symbolic link is written through to its file" ||
	fail "an output that is a symbolic link is written through to its file" "$(cat "$SCRATCH/err")"

"$PDGEN" letter "$case" --level fod -o /dev/stdout >"$SCRATCH/stdout.pdf" 2>"$SCRATCH/err"
[ -L /dev/stdout ] && qpdf --check "$SCRATCH/stdout.pdf" >/dev/null 2>&1 &&
	[ -z "$(ls /dev | grep 'stdout.tmp')" ] &&
	ok "-o /dev/stdout redirected to a file writes the file, not /dev" ||
	fail "-o /dev/stdout redirected to a file writes the file, not /dev" "$(cat "$SCRATCH/err")"
finish
