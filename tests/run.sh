#!/bin/sh
# The whole suite: every unit-test binary in $BUILD/tests, then every tests/t_*.sh script.
# Scripts print "ok - NAME" or "not ok - NAME" lines; the run ends with a pass/fail count.
: "${PDGEN:=./pdgen}" "${BUILD:=build}"
export PDGEN BUILD
passed=0 failed=0
log=$(mktemp)
wrap=$(mktemp -d)
trap 'rm -f "$log"; rm -rf "$wrap"' EXIT
if [ -n "$VALGRIND" ]; then # the scripts' pdgen runs under valgrind too
	real=$(cd "$(dirname "$PDGEN")" && pwd)/$(basename "$PDGEN")
	printf '#!/bin/sh\nexec %s "%s" "$@"\n' "$VALGRIND" "$real" >"$wrap/pdgen"
	chmod +x "$wrap/pdgen"
	PDGEN=$wrap/pdgen
fi

count() { # reads one test program's output: TAP lines or cmocka's summary
	p=$(grep -c '^ok ' "$log"); f=$(grep -c '^not ok ' "$log")
	cp=$(sed -n 's/^\[  PASSED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
	cf=$(sed -n 's/^\[  FAILED  \] \([0-9]*\) test.*/\1/p' "$log" | tail -1)
	passed=$((passed + p + ${cp:-0})); failed=$((failed + f + ${cf:-0}))
}

for t in "$BUILD"/tests/test_*; do
	[ -x "$t" ] || continue
	if ! $VALGRIND "$t" >"$log" 2>&1; then
		grep -q '^\[  FAILED  \]' "$log" || { echo "not ok - $t crashed" >>"$log"; }
	fi
	grep -E '^(not ok|\[  FAILED  \]|\[  ERROR   \]|\[  FAILED  \] [a-z])' "$log"
	count
done
for t in tests/t_*.sh; do
	[ -f "$t" ] || continue
	if ! sh "$t" >"$log" 2>&1; then
		grep -q '^not ok ' "$log" || echo "not ok - $t exited non-zero" >>"$log"
	fi
	grep '^not ok ' "$log"
	count
done
echo "tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$passed" -gt 0 ]
