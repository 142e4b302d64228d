#!/bin/sh
# Every example command of pdgen(1) (its ".Dl pdgen ..." lines) runs from the project root
# with exit 0 and no error; examples that write files write them in a scratch directory.
. tests/lib.sh
n=0
grep '^\.Dl pdgen ' man/pdgen.1 | sed 's/^\.Dl pdgen //' >"$SCRATCH/examples"
while IFS= read -r args; do
	n=$((n + 1))
	mkdir -p "$SCRATCH/ex$n"
	# outputs go to the scratch directory: "-o out" becomes "-o SCRATCH/exN/out"
	cmd=$(printf '%s' "$args" | sed "s|-o \([^ ]*\)|-o $SCRATCH/ex$n/\1|")
	case $cmd in *" -o "*) ;; letter*|memo*) cmd="$cmd -o $SCRATCH/ex$n/" ;; esac
	# shellcheck disable=SC2086
	if $PDGEN $cmd >"$SCRATCH/out" 2>"$SCRATCH/err" && ! grep -q ': error:' "$SCRATCH/err"; then
		ok "pdgen(1) example: pdgen $args"
	else
		fail "pdgen(1) example: pdgen $args" "$(head -c 400 "$SCRATCH/err")"
	fi
done <"$SCRATCH/examples"
[ $n -ge 3 ] && ok "pdgen(1) has $n examples" || fail "pdgen(1) has examples"
man -l man/pdgen.1 >/dev/null 2>"$SCRATCH/manerr" && [ ! -s "$SCRATCH/manerr" ] && ok "pdgen(1) formats cleanly" \
	|| fail "pdgen(1) formats cleanly" "$(head -c 300 "$SCRATCH/manerr")"
finish
