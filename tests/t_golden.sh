#!/bin/sh
# Golden outputs (tests/golden.sh): every sample's and man-page example's Markdown, PDF text
# and page make-up as kept in tests/golden/. Then the proof that they catch a change: a
# sentence added to each shipped template must show in the goldens' diff.
. tests/lib.sh

PDGEN=$PDGEN sh tests/golden.sh >"$SCRATCH/golden" 2>&1
cat "$SCRATCH/golden"

# A copy of the data directory whose templates each end with a sentence of their own.
data=$SCRATCH/data
mkdir -p "$data"
cp -R templates "$data/templates"
ln -s "$TOP/fonts" "$data/fonts"
for t in "$data"/templates/*.md; do
	name=$(basename "$t" .md)
	printf '\nGolden marker sentence for %s.\n' "$name" >>"$t"
done
PDGEN_DATADIR=$data PDGEN=$PDGEN sh tests/golden.sh >"$SCRATCH/changed" 2>&1
rc=$?
[ $rc != 0 ] && ok "goldens fail when the templates change" ||
	fail "goldens fail when the templates change" "exit $rc"
for t in templates/*.md; do
	name=$(basename "$t" .md)
	if grep -q "^#   +.*Golden marker sentence for $name\." "$SCRATCH/changed"; then
		ok "a sentence added to templates/$name.md changes a golden"
	else
		fail "a sentence added to templates/$name.md changes a golden" \
			"no sample or man-page example renders it"
	fi
done
finish
