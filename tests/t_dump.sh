#!/bin/sh
# --dump=STAGE of pdgen letter/memo: each stage of the pipeline printed as text, no PDF written.
. tests/lib.sh

# --- --dump=STAGE: each stage's text, no PDF; an unknown stage is a usage error
for stage in value case md layout; do
	(cd "$SCRATCH" && "$PDGEN" letter "$TOP/samples/occ-track.yaml" --level occ --dump=$stage) \
		>"$SCRATCH/dump" 2>"$SCRATCH/err"
	rc=$?
	if [ $rc = 0 ] && [ -s "$SCRATCH/dump" ] && [ -z "$(ls "$SCRATCH"/*.pdf 2>/dev/null)" ]; then
		ok "--dump=$stage prints and writes no PDF"
	else fail "--dump=$stage prints and writes no PDF" "exit $rc" "$(head -c 300 "$SCRATCH/err")"; fi
done
"$PDGEN" letter samples/occ-track.yaml --level occ --dump=value | grep -q '^  client: map [0-9]*:[0-9]*$' &&
	ok "--dump=value gives each node its place" || fail "--dump=value gives each node its place"
"$PDGEN" letter samples/occ-track.yaml --level occ --dump=case | grep -q 'a_number_display: str .*"A208-555-431"' &&
	ok "--dump=case shows derived fields" || fail "--dump=case shows derived fields"
"$PDGEN" letter samples/occ-track.yaml --level occ --dump=layout | grep -q '^page 1: [0-9]* lines' &&
	ok "--dump=layout lists pages and lines" || fail "--dump=layout lists pages and lines"
"$PDGEN" letter samples/occ-track.yaml --level occ --dump=pdf >/dev/null 2>"$SCRATCH/err"
[ $? = 2 ] && grep -q "value, case, md or layout" "$SCRATCH/err" && ok "--dump=pdf is a usage error" ||
	fail "--dump=pdf is a usage error" "$(cat "$SCRATCH/err")"
finish
