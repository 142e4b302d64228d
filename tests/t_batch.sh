#!/bin/sh
# pdgen batch: a docket mixing good and broken cases, the manifest, re-runs, shards,
# --check, and an interrupted run that leaves no partial file.
. tests/lib.sh
cd "$SCRATCH" || exit 1
mkdir cases
grep -v '^  cc: ' "$TOP/samples/hernandez-lopez-ero.yaml" >cases/good.yaml
cp "$TOP/samples/occ-track.yaml" cases/occ.yaml
sed 's/^  a_number: "A 012-345-678"/  a_number: ["A 012-345-678"/' cases/good.yaml >cases/bad-yaml.yaml
sed "s/g28: {on_file: true, date: 2015-08-30, enclosure: E1}/g28: {on_file: false}/" cases/good.yaml >cases/no-g28.yaml
cat >docket.yaml <<'YAML'
docket: "mixed"
defaults: {letter: {cc: ["Client (w/o encl.)", "File"]}}
cases:
  - {file: cases/good.yaml, level: fod, documents: [letter, memo]}
  - {file: cases/bad-yaml.yaml, level: fod}
  - {file: cases/no-g28.yaml, level: ero}
  - {file: cases/occ.yaml, level: occ}
  - {file: cases/missing.yaml, level: occ}
YAML

"$PDGEN" batch docket.yaml -o out -j 2 >stdout 2>stderr; rc=$?
[ $rc = 1 ] && ok "a failed case makes the batch exit 1" || fail "batch exit 1 (got $rc)" "$(cat stderr)"
grep -q 'bad-yaml.yaml:5:' stderr && ok "diagnostics name the broken case's place" \
	|| fail "diagnostics name the broken case's place" "$(cat stderr)"
grep -q 'R-g28' stderr && ok "rule errors reported under the case" || fail "R-g28 reported" "$(cat stderr)"
grep -q '3 made, 3 failed' stderr && ok "summary counts made and failed" || fail "summary" "$(tail -2 stderr)"
[ "$(ls out/*.pdf | wc -l)" = 3 ] && ok "every valid case rendered" || fail "every valid case rendered" "$(ls out)"
status_of() { grep -F "\"case\":\"cases/$1\"" out/manifest.jsonl | grep -F "\"document\":\"$2\"" |
	sed 's/.*"status":"\([a-z-]*\)".*/\1/'; }
for c in good.yaml:letter:made good.yaml:memo:made bad-yaml.yaml:letter:failed \
	no-g28.yaml:letter:failed occ.yaml:letter:made missing.yaml:letter:failed; do
	f=${c%%:*} rest=${c#*:} d=${rest%%:*} want=${rest#*:}
	got=$(status_of "$f" "$d")
	[ "$got" = "$want" ] && ok "manifest: $f $d is $want" || fail "manifest: $f $d is $want (got '$got')"
done
grep -q '"sha256":"[0-9a-f]\{64\}"' out/manifest.jsonl && ok "manifest has SHA-256 sums" \
	|| fail "manifest has SHA-256 sums"
sha=$(grep good.yaml out/manifest.jsonl | grep '"letter"' | sed 's/.*"sha256":"\([0-9a-f]*\)".*/\1/')
[ "$sha" = "$(sha256sum out/hernandez-lopez-A012345678-fod-letter.pdf | cut -d' ' -f1)" ] &&
	ok "manifest SHA-256 matches the file" || fail "manifest SHA-256 matches the file"
# every made line's pages and bytes are those of its file
bad=$(grep '"status":"made"' out/manifest.jsonl | while IFS= read -r line; do
	f=$(echo "$line" | sed 's/.*"output":"\([^"]*\)".*/\1/')
	p=$(echo "$line" | sed 's/.*"pages":\([0-9]*\).*/\1/') b=$(echo "$line" | sed 's/.*"bytes":\([0-9]*\).*/\1/')
	[ "$p" = "$(pdfinfo "$f" | sed -n 's/^Pages: *//p')" ] && [ "$b" = "$(wc -c <"$f")" ] || echo "$f"
done)
[ -z "$bad" ] && grep -q '"pages":[1-9]' out/manifest.jsonl && ok "manifest pages and bytes match the files" \
	|| fail "manifest pages and bytes match the files" "$bad"
pdf_text out/hernandez-lopez-A012345678-fod-letter.pdf | grep -q 'File' &&
	ok "docket defaults merged into the case" || fail "docket defaults merged into the case"

"$PDGEN" batch docket.yaml -o out -j 2 2>stderr2
grep -q '0 made, 3 failed, 3 up to date' stderr2 && ok "a re-run skips what is up to date" \
	|| fail "a re-run skips what is up to date" "$(tail -1 stderr2)"
"$PDGEN" batch docket.yaml -o out -j 2 --force 2>stderr3
grep -q '3 made' stderr3 && ok "--force remakes" || fail "--force remakes" "$(tail -1 stderr3)"

"$PDGEN" batch docket.yaml --check -o nothing 2>stderr4; rc=$?
[ $rc = 1 ] && [ ! -d nothing ] && ok "--check validates and writes nothing" \
	|| fail "--check validates and writes nothing (exit $rc)"

# shards: disjoint, together the whole docket
for k in 1 2 3; do "$PDGEN" batch docket.yaml -o "shard$k" --shard "$k/3" -j 1 2>/dev/null; done
total=$(cat shard*/manifest.jsonl | wc -l) uniq=$(cat shard*/manifest.jsonl | sort -u | wc -l)
[ "$total" = 6 ] && [ "$uniq" = 6 ] && ok "three shards cover the docket once" \
	|| fail "three shards cover the docket once ($total lines, $uniq distinct)"
"$PDGEN" batch docket.yaml --shard 4/3 2>/dev/null; [ $? = 2 ] && ok "--shard 4/3 is a usage error" \
	|| fail "--shard 4/3 is a usage error"

# an interrupted batch: no partial file; the next run makes only what is missing
{
	echo "docket: big"; echo "cases:"
	i=0; while [ $i -lt 300 ]; do
		sed "s/^  a_number: .*/  a_number: \"A2$(printf %08d $i)\"/" cases/good.yaml >cases/g$i.yaml
		echo "  - {file: cases/g$i.yaml, level: fod, documents: [letter]}"
		i=$((i + 1)); done
} >big.yaml
"$PDGEN" batch big.yaml -o big -j 2 --quiet 2>/dev/null &
pid=$!
n=0; while [ -z "$(ls big 2>/dev/null | grep pdf)" ] && [ $n -lt 500 ]; do sleep 0.01; n=$((n + 1)); done
kill -INT $pid 2>/dev/null; wait $pid; rc=$?
[ $rc = 130 ] && ok "an interrupted batch exits 130" || fail "an interrupted batch exits 130 (got $rc)"
made=$(ls big/*.pdf 2>/dev/null | wc -l)
[ -z "$(ls big | grep -v '\.pdf$' | grep -v '^manifest.jsonl$')" ] && ok "interrupt leaves no partial file" \
	|| fail "interrupt leaves no partial file" "$(ls big)"
bad=0; for p in big/*.pdf; do [ -f "$p" ] && { qpdf --check "$p" >/dev/null 2>&1 || bad=1; }; done
[ $bad = 0 ] && ok "every PDF left by an interrupt is whole" || fail "every PDF left by an interrupt is whole"
[ -f big/manifest.jsonl ] && [ "$(wc -l <big/manifest.jsonl)" = "$made" ] &&
	ok "the manifest lists what finished (exit $rc, $made made)" ||
	fail "the manifest lists what finished" "exit $rc, $made pdfs, $(wc -l <big/manifest.jsonl 2>&1) lines"
"$PDGEN" batch big.yaml -o big -j 2 2>stderr5
want=$((300 - made))
grep -q "^pdgen: $want made, 0 failed, $made up to date" stderr5 && ok "the next run makes only what is missing" \
	|| fail "the next run makes only what is missing (want $want made)" "$(tail -1 stderr5)"

# a broken template is checked before any work: one report, no document made
mkdir mytemplates && printf 'Dear {{#client}}...\n' >mytemplates/letter-request.md
cp cases/occ.yaml cases/occ2.yaml
printf 'cases:\n  - {file: cases/occ.yaml, level: occ}\n  - {file: cases/occ2.yaml, level: occ}\n' >tb.yaml
"$PDGEN" batch tb.yaml -o tb --templates mytemplates -j 1 2>stderr6; rc=$?
n=$(grep -c 'letter-request.md:1:[0-9]*: error' stderr6)
[ $rc = 1 ] && [ "$n" = 1 ] && [ -z "$(ls tb 2>/dev/null | grep pdf)" ] &&
	ok "a broken template is reported once and nothing is made" \
	|| fail "a broken template is reported once and nothing is made (exit $rc, $n reports)" \
		"$(cat stderr6)"

# a warning of a case is printed once for all its documents (each row of the manifest keeps
# it); an error with no place in the case (a memo below the escalation rungs) is placed at
# the case's entry in the docket
cp "$TOP/samples/ero-emergency-detained.yaml" cases/emerg.yaml
sed -i 's/^  delivery: email$/  delivery: mail/' cases/emerg.yaml
printf 'cases:\n  - {file: cases/emerg.yaml, level: ero, documents: [letter, memo]}\n' >tw.yaml
"$PDGEN" batch tw.yaml -o tw -j 2 2>stderr7; rc=$?
n=$(grep -c 'warning: \[R-emergency\]' stderr7)
rows=$(grep -c 'R-emergency' tw/manifest.jsonl)
[ "$n" = 1 ] && [ "$rows" = 2 ] && ok "a case's warning is printed once for its two documents, kept in both rows" \
	|| fail "a case's warning is printed once for its two documents ($n printed, $rows rows)" "$(cat stderr7)"
[ $rc = 1 ] && grep -q '^tw.yaml:2:5: error: \[R-memo\]' stderr7 &&
	ok "an error of the document asked for is placed at its docket entry" ||
	fail "an error of the document asked for is placed at its docket entry (exit $rc)" "$(cat stderr7)"

mkdir ro && chmod 500 ro
if [ "$(id -u)" != 0 ]; then
	"$PDGEN" batch docket.yaml -o ro/out 2>/dev/null; [ $? = 3 ] && ok "unwritable output directory: exit 3" \
		|| fail "unwritable output directory: exit 3"
fi
finish
