#!/bin/sh
# Letters as a reader sees them: Markdown punctuation in a case value prints as itself,
# and the closing, signature, Enclosures and cc stay together on one page.
. tests/lib.sh
cd "$SCRATCH" || exit 1

star='*Star* Ltd_ #1 <b>x</b> [a](b) | c'
sed "s/^  name: {given: \"José Luis\", family: \"Hernández-López\"}/  name: {family: \"$(printf '%s' "$star" | sed 's/[&/\]/\\&/g')\"}/" \
	"$TOP/samples/hernandez-lopez-ero.yaml" >star.yaml
if out=$("$PDGEN" letter star.yaml --level fod -o ./ --print-path 2>err); then
	pdf_text "$out" >star.txt
	n=$(grep -cF -- "$star" star.txt)
	[ "$n" -ge 3 ] && ok "a client named '$star' prints as those characters ($n times)" \
		|| fail "a client named '$star' prints as those characters" "$(head -20 star.txt)"
else
	fail "letter for a client with Markdown punctuation" "$(cat err)"
fi

# the page holding the closing holds two lines of body text before it and the whole
# signature after it (the enclosures and cc may go on to the next page)
for spec in okafor-opla-hq.yaml:opla-hq:letter okafor-opla-hq.yaml:opla-hq:memo \
	hernandez-lopez-ero.yaml:fod:letter castro-ero-hq.yaml:ero-hq:letter; do
	file=${spec%%:*} rest=${spec#*:} level=${rest%%:*} doc=${rest#*:}
	pdf=$("$PDGEN" "$doc" "$TOP/samples/$file" --level "$level" -o ./ --print-path 2>err) ||
		{ fail "$doc for $file" "$(cat err)"; continue; }
	firm=$(sed -n 's/^ *firm: *{* *name: *"*\([^",}]*\).*/\1/p; /^firm:/,/^[a-z]/s/^  name: *"*\([^"]*\)"*$/\1/p' \
		"$TOP/samples/$file" | head -1)
	page=$(pdftotext -layout "$pdf" - 2>/dev/null | awk -v RS='\f' '/Respectfully submitted,/')
	before=$(echo "$page" | grep -v 'Page [0-9]* of' | sed -n '/[^ ]/p' | sed '/Respectfully submitted,/,$d' | wc -l)
	case $page in
	*"Respectfully submitted,"*"$firm"*) [ "$before" -ge 2 ] && ok "$file $doc: closing with body text and the whole signature" ||
		fail "$file $doc: closing with body text and the whole signature" "$before lines before it" ;;
	*) fail "$file $doc: closing with body text and the whole signature" "firm '$firm'" "$(echo "$page" | head -5)" ;;
	esac
done
# an escalation letter speaks of "the accompanying memorandum" only when the memo goes with
# it: --with-memo, a docket entry that makes both, a packet; a letter alone says the record
# is enclosed, and the docket's fingerprint tells the two letters apart
memo_words='indexed in the accompanying memorandum'
for with in "" --with-memo; do
	"$PDGEN" letter "$TOP/samples/castro-ero-hq.yaml" --level ero-hq $with -o alone$with.pdf 2>err ||
		fail "escalation letter $with" "$(cat err)"
done
pdf_text alone.pdf | tr '\n' ' ' | grep -qF 'local office are enclosed.' &&
	! pdf_text alone.pdf | tr '\n' ' ' | grep -qF "$memo_words" &&
	ok "an escalation letter made alone names no memorandum" ||
	fail "an escalation letter made alone names no memorandum" "$(pdf_text alone.pdf | grep -i -A1 enclosed)"
pdf_text alone--with-memo.pdf | tr '\n' ' ' | grep -qF "$memo_words" &&
	ok "--with-memo: the letter points to the accompanying memorandum" ||
	fail "--with-memo: the letter points to the accompanying memorandum"
mkdir -p dk
cp "$TOP/samples/castro-ero-hq.yaml" dk/
printf 'docket: t\ncases:\n  - {file: castro-ero-hq.yaml, level: ero-hq, documents: [letter]}\n' >dk/docket.yaml
"$PDGEN" batch dk/docket.yaml -o dk/out --quiet 2>err || fail "docket of a letter alone" "$(cat err)"
letter=$(ls dk/out/*letter*.pdf)
! pdf_text "$letter" | tr '\n' ' ' | grep -qF "$memo_words" && ok "batch: a letter alone names no memorandum" ||
	fail "batch: a letter alone names no memorandum"
sed -i 's/documents: \[letter\]/documents: [letter, memo]/' dk/docket.yaml
"$PDGEN" batch dk/docket.yaml -o dk/out --quiet 2>err || fail "docket of a letter and memo" "$(cat err)"
pdf_text "$letter" | tr '\n' ' ' | grep -qF "$memo_words" &&
	ok "batch: the letter made again with its memo points to it (not kept as up to date)" ||
	fail "batch: the letter made again with its memo points to it (not kept as up to date)"

# the house style, templates/style.yaml, sets every letter's page
mkdir -p house/templates
ln -s "$TOP/fonts" house/fonts
for f in "$TOP"/templates/*; do ln -s "$f" house/templates/; done
printf 'paper: a4\nmargins: 25mm\n' >house/templates/style.yaml
if pdf=$(PDGEN_DATADIR=house "$PDGEN" letter "$TOP/samples/occ-track.yaml" --level occ -o ./ --print-path 2>err); then
	pdfinfo "$pdf" | grep -q 'Page size: *595.* x 841.*' && ok "the house style sets A4" \
		|| fail "the house style sets A4" "$(pdfinfo "$pdf" | grep 'Page size')"
else
	fail "letter with a house style" "$(cat err)"
fi
printf 'paper: a4\nmargins: [1in\n' >house/templates/style.yaml
PDGEN_DATADIR=house "$PDGEN" letter "$TOP/samples/occ-track.yaml" --level occ -o bad.pdf 2>err; rc=$?
[ $rc = 1 ] && grep -q 'style.yaml:3:1: error' err && [ ! -e bad.pdf ] && ok "a broken house style is a located error" \
	|| fail "a broken house style is a located error (exit $rc)" "$(cat err)"
# a letter template whose front matter is never closed is an error, not a letter body
mkdir unclosed && printf -- '---\npaper: a4\n\nDear {{client.short_name}},\n' >unclosed/letter-review.md
"$PDGEN" letter "$TOP/samples/hernandez-lopez-ero.yaml" --level fod --templates unclosed -o unclosed.pdf 2>err; rc=$?
[ $rc = 1 ] && grep -q "letter-review.md:1:1: error: front matter opened by '---' is never closed" err &&
	[ ! -e unclosed.pdf ] && ok "unclosed front matter in a letter template is a located error" \
	|| fail "unclosed front matter in a letter template is a located error (exit $rc)" "$(cat err)"
# section titles are headings: PDF bookmarks, and never alone at the foot of a page
outline_titles() { qpdf --json --json-key=outlines "$1" | sed -n 's/^ *"title": "\(.*\)",*$/\1/p'; }
"$PDGEN" memo "$TOP/samples/okafor-opla-hq.yaml" --level opla-hq -o "$SCRATCH/sections-memo.pdf" 2>/dev/null
"$PDGEN" letter "$TOP/samples/hernandez-lopez-ero.yaml" --level fod -o "$SCRATCH/sections-letter.pdf" 2>/dev/null
outline_titles "$SCRATCH/sections-memo.pdf" >"$SCRATCH/memo-outline"
outline_titles "$SCRATCH/sections-letter.pdf" >"$SCRATCH/letter-outline"
for t in "I. Procedural history" "II. Basis for review" "III. Index of enclosed prior materials" \
	"IV. Communications with the local office" "V. Action requested"; do
	grep -qxF "$t" "$SCRATCH/memo-outline" && ok "memo bookmark: $t" \
		|| fail "memo bookmark: $t" "$(cat "$SCRATCH/memo-outline")"
done
for t in "Relief requested" "Background" "Requested action"; do
	grep -qxF "$t" "$SCRATCH/letter-outline" && ok "letter bookmark: $t" \
		|| fail "letter bookmark: $t" "$(cat "$SCRATCH/letter-outline")"
done
# problems found in the rendered letter point at their source: the template line a warning
# comes from, the case file's value a character no font has comes from
mkdir -p "$SCRATCH/origin"
cp "$TOP/templates/relief.md" "$SCRATCH/origin/relief.md"
printf 'Some <b>raw</b> text.\n\n' >>"$SCRATCH/origin/relief.md"
line=$(grep -n 'Some <b>raw' "$SCRATCH/origin/relief.md" | cut -d: -f1)
"$PDGEN" letter "$TOP/samples/hernandez-lopez-ero.yaml" --level fod --templates "$SCRATCH/origin" \
	-o "$SCRATCH/origin/l.pdf" 2>"$SCRATCH/origin/err"
grep -q "^$SCRATCH/origin/relief.md:$line:6: warning: raw HTML is not rendered" "$SCRATCH/origin/err" &&
	ok "a Markdown warning points at the partial's own line" ||
	fail "a Markdown warning points at the partial's own line ($line)" "$(cat "$SCRATCH/origin/err")"
sed 's/^  name: {given: "José Luis"/  name: {given: "Jos\xe1\x8e\xa0"/' "$TOP/samples/hernandez-lopez-ero.yaml" \
	>"$SCRATCH/origin/case.yaml"
name_line=$(grep -n '^  name: {given' "$SCRATCH/origin/case.yaml" | cut -d: -f1)
"$PDGEN" letter "$SCRATCH/origin/case.yaml" --level fod -o "$SCRATCH/origin/c.pdf" 2>"$SCRATCH/origin/err2"
rc=$?
[ $rc = 1 ] && grep -q "^$SCRATCH/origin/case.yaml:$name_line:[0-9]*: error: no font has a glyph for U+13A0" \
	"$SCRATCH/origin/err2" && [ ! -e "$SCRATCH/origin/c.pdf" ] &&
	ok "a character no font has points at the case file's value" ||
	fail "a character no font has points at the case file's value (exit $rc)" "$(cat "$SCRATCH/origin/err2")"
"$PDGEN" check "$SCRATCH/origin/case.yaml" --level fod 2>"$SCRATCH/origin/err3"
rc=$?
[ $rc = 1 ] && grep -q "^$SCRATCH/origin/case.yaml:$name_line:[0-9]*: error: no font has a glyph for U+13A0" \
	"$SCRATCH/origin/err3" && ok "check --level finds what only the layout finds" ||
	fail "check --level finds what only the layout finds (exit $rc)" "$(cat "$SCRATCH/origin/err3")"
printf 'cases:\n  - {file: case.yaml, level: fod}\n' >"$SCRATCH/origin/docket.yaml"
"$PDGEN" batch "$SCRATCH/origin/docket.yaml" --check -o "$SCRATCH/origin/out" 2>"$SCRATCH/origin/err4"
rc=$?
[ $rc = 1 ] && grep -q "U+13A0" "$SCRATCH/origin/err4" && [ -z "$(ls "$SCRATCH/origin/out" 2>/dev/null)" ] &&
	ok "batch --check finds it too, and writes nothing" ||
	fail "batch --check finds it too, and writes nothing (exit $rc)" "$(cat "$SCRATCH/origin/err4")"
finish
