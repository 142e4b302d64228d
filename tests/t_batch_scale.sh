#!/bin/sh
# A batch at any size: the docket read as a stream (every entry checked and located before
# any work, defaults wherever they stand, more entries than one YAML list may hold in the
# loader), outputs named without loading the case (the name the document gets, whatever
# the YAML's form), re-runs read the manifest's rows back (escapes, damaged lines), and the
# hyphenation dictionary and fallback fonts in every document's fingerprint. No timing:
# speed and memory are make bench's.
. tests/lib.sh
cd "$SCRATCH" || exit 1
mkdir cases
grep -v '^  cc: ' "$TOP/samples/hernandez-lopez-ero.yaml" >cases/good.yaml
cp "$TOP/samples/occ-track.yaml" cases/occ.yaml
summary() { grep '^pdgen: ' err | tail -1; }

# 1. every broken entry reported at its place, nothing made, whatever stands after it
cat >broken.yaml <<'YAML'
cases:
  - {file: cases/occ.yaml, level: chief}
  - {level: occ}
  - {file: cases/occ.yaml, level: occ, documents: letter}
  - {file: cases/occ.yaml, level: occ, documents: [letter, brief]}
  - "cases/occ.yaml"
  - {file: cases/occ.yaml, level: occ, lvl: x}
defaults: {letter: {cc: [File]}}
YAML
"$PDGEN" batch broken.yaml -o broken 2>err; rc=$?
[ $rc = 1 ] && grep -q "^broken.yaml:2:35: error: unknown level 'chief'" err &&
	grep -q "^broken.yaml:3:5: error: this case has no 'file'" err &&
	grep -q "^broken.yaml:4:51: error: 'documents' must be a list" err &&
	grep -q "^broken.yaml:5:60: error: unknown document 'brief'" err &&
	grep -q "^broken.yaml:6:5: error: a case entry must be a mapping" err &&
	grep -q "^broken.yaml:7:40: warning: unknown key 'lvl'" err && [ ! -d broken ] &&
	ok "every broken entry is reported at its place before any work" ||
	fail "every broken entry is reported at its place before any work" "exit $rc" "$(cat err)"

# 2. defaults after the cases apply all the same (their places kept)
printf 'cases:\n  - {file: cases/good.yaml, level: fod}\ndefaults:\n  letter: {cc: ["Defaults After"]}\n' >late.yaml
"$PDGEN" batch late.yaml -o late -q 2>err
pdf_text late/*.pdf | grep -q 'Defaults After' && ok "defaults after the cases are merged" ||
	fail "defaults after the cases are merged" "$(cat err)"
printf 'cases:\n  - {file: cases/good.yaml, level: fod}\ndefaults:\n  letter: {cc: 3}\n' >late-bad.yaml
"$PDGEN" batch late-bad.yaml -o late-bad 2>err
grep -q '^late-bad.yaml:4:' err && ok "an error in late defaults is located at its line" ||
	fail "an error in late defaults is located at its line" "$(cat err)"
printf 'cases:\n  - {file: cases/good.yaml, level: fod}\n  - {file: cases/missing.yaml, level: fod}\ndefaults:\n  letter: {cc: [X]}\n' >late-miss.yaml
"$PDGEN" batch late-miss.yaml -o late-miss 2>err
sed -n 1p err | grep -q '^late-miss.yaml:3:5: error: cannot read case file' &&
	sed -n 2p err | grep -q '^ *- {file: cases/missing.yaml, level: fod}$' &&
	ok "an entry's error quotes the entry's line, with the defaults after it" ||
	fail "an entry's error quotes the entry's line, with the defaults after it" "$(cat err)"

# 3. the output's name read from the case's bytes is the name the document gets, in every
# form YAML gives it: flow or block, quoted keys, one name only, from the defaults, client
# after other keys, an A-number with spaces, a name too long for a file
sed -e 's/^  name: {given: "Çağrı", family: "Öztürk"}/  name:\n    "given": Ayşe\n    family: >-\n      Yıldız/' \
	cases/occ.yaml >cases/block.yaml
sed -e 's/^  name: {given: "Çağrı", family: "Öztürk"}/  name: {given: "Deniz"}/' \
	-e 's/^  a_number: .*/  a_number: "A 208 555 432"/' cases/occ.yaml >cases/given.yaml
sed -e '/^  name: {given: /d' -e 's/^  a_number: .*/  a_number: A208555433/' cases/occ.yaml >cases/nameless.yaml
python3 - cases/occ.yaml >cases/last.yaml <<'PY' # client: last, in flow style
import sys
lines = open(sys.argv[1]).read().split('\n')
start = lines.index('client:')
end = next(i for i in range(start + 1, len(lines)) if lines[i] and not lines[i].startswith(' '))
client = [l.strip() for l in lines[start + 1:end] if l.strip() and not l.strip().startswith(('name:', 'a_number:'))]
print('\n'.join(lines[:start] + lines[end:]))
print('client: {name: {family: "Kaya"}, a_number: "A208555434", ' + ', '.join(client) + '}')
PY
long=$(python3 -c 'print("Uzunisim" * 40)')
sed "s/family: \"Öztürk\"/family: \"$long\"/; s/^  a_number: .*/  a_number: A208555435/" cases/occ.yaml >cases/long.yaml
cat >names.yaml <<'YAML'
defaults: {client: {name: {family: "Defaultname"}}}
cases:
  - {file: cases/occ.yaml, level: occ}
  - {file: cases/block.yaml, level: occ}
  - {file: cases/given.yaml, level: occ}
  - {file: cases/nameless.yaml, level: occ}
  - {file: cases/last.yaml, level: occ}
  - {file: cases/long.yaml, level: occ}
YAML
"$PDGEN" batch names.yaml -o names -j 2 2>err; rc=$?
ls names | grep pdf >names.ls
[ $rc = 0 ] && [ "$(wc -l <names.ls)" = 6 ] && grep -q '^ozturk-A208555431-occ-letter.pdf$' names.ls &&
	grep -q '^y-ld-z-A208555431-occ-letter.pdf$' names.ls &&
	grep -q '^defaultname-A208555432-occ-letter.pdf$' names.ls &&
	grep -q '^defaultname-A208555433-occ-letter.pdf$' names.ls &&
	grep -q '^kaya-A208555434-occ-letter.pdf$' names.ls &&
	grep -q '^uzunisim.*-[0-9a-f]\{8\}-A208555435-occ-letter.pdf$' names.ls &&
	! grep -q 'not checked' err &&
	ok "outputs named from the case's bytes as the documents name them" ||
	fail "outputs named from the case's bytes as the documents name them" "exit $rc" "$(cat names.ls)" "$(cat err)"
# names alike only through the defaults: still refused before any work, at the later line
sed 's/^  name: {given: "Deniz"}/  name: {given: "Deniz"}/; s/^  a_number: .*/  a_number: A208555433/' \
	cases/given.yaml >cases/given2.yaml
printf 'defaults: {client: {name: {family: "Same"}}}\ncases:\n  - {file: cases/nameless.yaml, level: occ}\n  - {file: cases/given2.yaml, level: occ}\n' >same.yaml
"$PDGEN" batch same.yaml -o same 2>err; rc=$?
[ $rc = 1 ] && grep -q '^same.yaml:4:5: error: this entry would write same/same-A208555433-occ-letter.pdf, as the entry at line 3 does (cases/nameless.yaml)' err &&
	[ "$(ls same/*.pdf | wc -l)" = 1 ] && ok "two names made alike by the defaults collide" ||
	fail "two names made alike by the defaults collide" "exit $rc" "$(cat err)"

# --check writes nothing, but names the outputs all the same: distinct ones pass, two alike
# are refused (a missing -o directory names nothing)
"$PDGEN" batch names.yaml -o no-such-dir --check 2>err; rc=$?
[ $rc = 0 ] && summary | grep -q '^pdgen: 6 checked, 0 failed' && [ ! -e no-such-dir ] &&
	ok "--check names each output as the documents would" ||
	fail "--check names each output as the documents would" "exit $rc" "$(tail -3 err)"
"$PDGEN" batch same.yaml -o no-such-dir --check 2>err; rc=$?
[ $rc = 1 ] && grep -q '^same.yaml:4:5: error: this entry would write' err &&
	summary | grep -q '^pdgen: 1 checked, 1 failed' && ok "--check refuses two entries that would write one file" ||
	fail "--check refuses two entries that would write one file" "exit $rc" "$(cat err)"

# 4. re-runs read the rows back: escaped names, a damaged line, a cut last line
cp cases/occ.yaml 'cases/q"uo\te ü.yaml'
sed 's/^  a_number: .*/  a_number: A208555499/' cases/occ.yaml >cases/two.yaml
printf 'cases:\n  - {file: "cases/q\\"uo\\\\te ü.yaml", level: occ}\n  - {file: cases/two.yaml, level: occ}\n' >esc.yaml
"$PDGEN" batch esc.yaml -o esc -q 2>err
"$PDGEN" batch esc.yaml -o esc 2>err
summary | grep -q '^pdgen: 0 made, 0 failed, 2 up to date' && ok "a case path with quotes and backslashes is up to date on a re-run" ||
	fail "a case path with quotes and backslashes is up to date on a re-run" "$(cat err)" "$(head -c 300 esc/manifest.jsonl)"
{ head -1 esc/manifest.jsonl | cut -c1-40; echo; tail -1 esc/manifest.jsonl; } >esc/m && mv esc/m esc/manifest.jsonl
"$PDGEN" batch esc.yaml -o esc 2>err
summary | grep -q '^pdgen: 1 made, 0 failed, 1 up to date' && [ "$(wc -l <esc/manifest.jsonl)" = 2 ] &&
	ok "a damaged manifest row costs its document only" || fail "a damaged manifest row costs its document only" "$(cat err)"
head -c 100 esc/manifest.jsonl >esc/m && cat esc/manifest.jsonl esc/m >esc/m2 && mv esc/m2 esc/manifest.jsonl && rm esc/m
"$PDGEN" batch esc.yaml -o esc 2>err
summary | grep -q '^pdgen: 0 made, 0 failed, 2 up to date' && ok "a cut last row is dropped" ||
	fail "a cut last row is dropped" "$(cat err)"

# 5. the hyphenation dictionary and the fallback fonts are in every document's fingerprint
cp /usr/share/hyphen/hyph_en_US.dic my.dic
PDGEN_HYPHEN_DICT=$SCRATCH/my.dic "$PDGEN" batch late.yaml -o hy -q 2>err
PDGEN_HYPHEN_DICT=$SCRATCH/my.dic "$PDGEN" batch late.yaml -o hy 2>err
summary | grep -q '0 made, 0 failed, 1 up to date' && ok "fingerprint: the same dictionary, up to date" ||
	fail "fingerprint: the same dictionary, up to date" "$(cat err)"
echo 'x1y' >>my.dic
PDGEN_HYPHEN_DICT=$SCRATCH/my.dic "$PDGEN" batch late.yaml -o hy 2>err
summary | grep -q '1 made, 0 failed, 0 up to date' && ok "fingerprint: another hyphenation dictionary re-makes the letter" ||
	fail "fingerprint: another hyphenation dictionary re-makes the letter" "$(cat err)"
cp "$(ls "$TOP"/fonts/*.ttf | head -1)" fallback.ttf
PDGEN_FALLBACK_FONTS=$SCRATCH/fallback.ttf "$PDGEN" batch late.yaml -o fb -q 2>err
printf 'x' >>fallback.ttf
PDGEN_FALLBACK_FONTS=$SCRATCH/fallback.ttf "$PDGEN" batch late.yaml -o fb 2>err
summary | grep -q '1 made, 0 failed, 0 up to date' && ok "fingerprint: a changed fallback font re-makes the letter" ||
	fail "fingerprint: a changed fallback font re-makes the letter" "$(cat err)"

# 6. more entries than the loader takes in one list (100,000): the docket is streamed
awk 'BEGIN { print "cases:"; for (i = 0; i < 100001; i++) print "  - {file: cases/none" i ".yaml, level: occ}" }' >big.yaml
"$PDGEN" batch big.yaml -o big -q 2>err; rc=$?
summary | grep -q '^pdgen: 0 made, 100001 failed' && [ "$(wc -l <big/manifest.jsonl)" = 100001 ] &&
	grep -q "^  cases/none0.yaml (occ letter): cannot read case file" err &&
	ok "a docket of 100,001 entries is read as a stream" ||
	fail "a docket of 100,001 entries is read as a stream" "exit $rc" "$(tail -3 err)"
# 7. workers replaced after their share of jobs (PDGEN_WORKER_JOBS=3): every document made
# once, none lost between one worker and the next
{ echo "cases:"; i=0; while [ $i -lt 25 ]; do
	sed "s/^  a_number: .*/  a_number: \"A3$(printf %08d $i)\"/" cases/good.yaml >cases/r$i.yaml
	echo "  - {file: cases/r$i.yaml, level: fod, documents: [letter]}"; i=$((i + 1)); done; } >recycle.yaml
PDGEN_WORKER_JOBS=3 "$PDGEN" batch recycle.yaml -o recycle -j 2 2>err; rc=$?
[ $rc = 0 ] && summary | grep -q '^pdgen: 25 made, 0 failed' && [ "$(ls recycle/*.pdf | wc -l)" = 25 ] &&
	[ "$(grep -c '"made"' recycle/manifest.jsonl)" = 25 ] &&
	ok "workers replaced every 3 jobs: 25 of 25 made, one row each" ||
	fail "workers replaced every 3 jobs" "exit $rc" "$(tail -3 err)"
finish
