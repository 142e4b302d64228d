#!/bin/sh
# A batch you can trust: inputs fingerprinted (templates switched either way re-make the
# letters), two entries writing one file refused before any work, a killed worker costing
# one case, FIFOs never opened, the output directory removed or swapped mid-batch, the
# manifest a journal that survives kill -9 and a second batch, files outside the docket
# refused unechoed, control characters escaped, long names shortened, failed cases listed.
. tests/lib.sh
cd "$SCRATCH" || exit 1
mkdir cases
grep -v '^  cc: ' "$TOP/samples/hernandez-lopez-ero.yaml" >cases/good.yaml
cp "$TOP/samples/occ-track.yaml" cases/occ.yaml
# many NAME N: a docket of N copies of the good case, each with its own A-number
many() {
	{ echo "cases:"; i=0; while [ $i -lt "$2" ]; do
		sed "s/^  a_number: .*/  a_number: \"A3$(printf %08d $i)\"/" cases/good.yaml >cases/$1$i.yaml
		echo "  - {file: cases/$1$i.yaml, level: fod, documents: [letter]}"; i=$((i + 1)); done
	} >"$1.yaml"
}
# background DOCKET DIR N: a batch of DOCKET into DIR (-j 2, stderr in err) started, and
# running once N PDFs are there; its process is $pid
background() {
	"$PDGEN" batch "$1" -o "$2" -j 2 -q 2>err &
	pid=$!
	n=0
	while [ "$(ls "$2" 2>/dev/null | grep -c pdf)" -lt "$3" ] && [ $n -lt 1000 ]; do
		sleep 0.01; n=$((n + 1))
	done
}
field() { sed "s/.*\"$1\":\"\{0,1\}\([^\",]*\).*/\1/"; }

# 1. fingerprints: switching --templates either way re-makes; an unchanged re-run does not
printf 'cases:\n  - {file: cases/occ.yaml, level: occ}\n' >one.yaml
"$PDGEN" batch one.yaml -o fp -q 2>/dev/null
mkdir tpl && sed 's/respectfully/RESPECTFULLY/' "$TOP/templates/relief.md" >tpl/relief.md
"$PDGEN" batch one.yaml -o fp --templates tpl 2>err; 
grep -q '^pdgen: 1 made, 0 failed, 0 up to date' err && pdf_text fp/*.pdf | grep -q RESPECTFULLY &&
	ok "fingerprint: other templates re-make the letter" ||
	fail "fingerprint: other templates re-make the letter" "$(tail -1 err)"
"$PDGEN" batch one.yaml -o fp 2>err
grep -q '^pdgen: 1 made, 0 failed, 0 up to date' err && ! pdf_text fp/*.pdf | grep -q RESPECTFULLY &&
	ok "fingerprint: switching back re-makes it too" ||
	fail "fingerprint: switching back re-makes it too" "$(tail -1 err)"
"$PDGEN" batch one.yaml -o fp 2>err
grep -q '^pdgen: 0 made, 0 failed, 1 up to date' err && ok "fingerprint: unchanged inputs are up to date" ||
	fail "fingerprint: unchanged inputs are up to date" "$(tail -1 err)"
printf 'defaults: {letter: {cc: ["File"]}}\n' | cat - one.yaml >one-cc.yaml
cp one-cc.yaml one.yaml
"$PDGEN" batch one.yaml -o fp 2>err
grep -q '^pdgen: 1 made' err && ok "fingerprint: new docket defaults re-make the letter" ||
	fail "fingerprint: new docket defaults re-make the letter" "$(tail -1 err)"
sed 's/family: "Öztürk"/family: "Yilmaz"/' cases/occ.yaml >cases/occ-renamed.yaml
cp cases/occ-renamed.yaml cases/occ.yaml
"$PDGEN" batch one.yaml -o fp 2>err
ls fp | grep -q '^yilmaz-A208555431-occ-letter.pdf$' && ok "fingerprint: a renamed client gets a file of that name" ||
	fail "fingerprint: a renamed client gets a file of that name" "$(ls fp)" "$(tail -2 err)"
cp "$TOP/samples/occ-track.yaml" cases/occ.yaml
grep -q '"inputs":"[0-9a-f]\{64\}"' fp/manifest.jsonl && ok "fingerprint: rows record their inputs" ||
	fail "fingerprint: rows record their inputs" "$(head -c 300 fp/manifest.jsonl)"

# 2. collisions: the same case twice, a copy with the same A-number: refused before any work
cp cases/occ.yaml cases/occ-copy.yaml
printf 'cases:\n  - {file: cases/occ.yaml, level: occ}\n  - {file: cases/good.yaml, level: fod}\n  - {file: cases/occ-copy.yaml, level: occ}\n  - {file: cases/occ.yaml, level: occ}\n' >dup.yaml
"$PDGEN" batch dup.yaml -o dup -j 2 2>err; rc=$?
n=$(grep -c '^dup.yaml:[45]:5: error: .* as the entry at line 2 does (cases/occ.yaml)' err)
[ $rc = 1 ] && [ "$n" = 2 ] && grep -q '^dup.yaml:4:5: error: this entry would write dup/' err &&
	grep -q '^dup.yaml:5:5: error' err && [ "$(ls dup/*.pdf | wc -l)" = 2 ] &&
	ok "collisions: later entries refused at their line, naming the first" ||
	fail "collisions: later entries refused at their line, naming the first" "exit $rc" "$(cat err)"
sha=$(grep '"case":"cases/occ.yaml"' dup/manifest.jsonl | grep '"made"' | field sha256)
[ "$sha" = "$(sha256sum dup/ozturk-*.pdf | cut -d' ' -f1)" ] &&
	ok "collisions: the manifest's SHA-256 is the file's" || fail "collisions: manifest SHA-256"

# 4. a worker killed mid-batch costs one case, named with its signal; the rest is made
many k 400 # enough work left to kill a worker in, on a busy machine too
background k.yaml kill 3
victim=$(pgrep -P $pid | head -1)
kill -KILL "$victim"; wait $pid; rc=$?
made=$(ls kill/*.pdf | wc -l)
[ $rc = 1 ] && [ "$made" = 399 ] && grep -q 'killed by signal 9' err &&
	grep -q '^failed:' err && grep -q '^  cases/k[0-9]*.yaml (fod letter): the worker' err &&
	ok "a killed worker costs one case (exit 1, 399 of 400 made)" ||
	fail "a killed worker costs one case" "exit $rc, $made made" "$(tail -5 err)"

# a resized terminal (SIGWINCH to every process) interrupts nothing
many w 100
background w.yaml winch 2
for k in 1 2 3 4 5 6 7 8 9 10; do
	kill -WINCH $pid $(pgrep -P $pid) 2>/dev/null; sleep 0.02
done
wait $pid; rc=$?
[ $rc = 0 ] && [ "$(ls winch/*.pdf | wc -l)" = 100 ] && ok "SIGWINCH mid-batch costs nothing" ||
	fail "SIGWINCH mid-batch costs nothing" "exit $rc" "$(tail -3 err)"

# a case changed while the batch runs to take another entry's name: refused before it is
# made, the other entry's file left as it was (as a collision when the stream had not yet
# planned it, else as a name other than the one it was planned under)
many r 400
background r.yaml rename 3
first=$(ls rename/*-A300000000-*.pdf)
sum=$(sha256sum "$first" | cut -d' ' -f1)
sed -i 's/^  a_number: .*/  a_number: "A300000000"/' cases/r399.yaml
wait $pid; rc=$?
[ $rc = 1 ] && [ "$(sha256sum "$first" | cut -d' ' -f1)" = "$sum" ] &&
	grep -Eq "^  cases/r399.yaml \(fod letter\): (.*-A300000000-.* is not the name this entry was checked under|this entry would write rename/.*-A300000000-.*, as the entry at line 2 does)" err &&
	[ "$(ls rename/*.pdf | wc -l)" = 399 ] &&
	ok "a case renamed mid-batch onto another entry's file is refused, that file kept" ||
	fail "a case renamed mid-batch onto another entry's file is refused, that file kept" \
		"exit $rc" "$(tail -3 err)"

# 5. FIFOs: as a case, a docket, --data, an image: refused at once, never waited on
mkfifo cases/fifo.yaml fifo-docket.yaml fifo-data.yaml cases/fifo.png
printf 'cases:\n  - {file: cases/fifo.yaml, level: occ}\n  - {file: cases/occ.yaml, level: occ}\n' >ff.yaml
timeout 20 "$PDGEN" batch ff.yaml -o ff 2>err; rc=$?
[ $rc = 1 ] && grep -q "^ff.yaml:2:5: error: cannot read case file 'cases/fifo.yaml': not a regular file" err &&
	[ "$(ls ff/*.pdf | wc -l)" = 1 ] && ok "a FIFO as a case fails that case, at once" ||
	fail "a FIFO as a case fails that case, at once" "exit $rc" "$(cat err)"
timeout 20 "$PDGEN" batch fifo-docket.yaml -o ff 2>err; rc=$?
[ $rc = 1 ] && grep -q 'not a regular file' err && ok "a FIFO as a docket is refused" ||
	fail "a FIFO as a docket is refused" "exit $rc" "$(cat err)"
printf 'x' >t.md
timeout 20 "$PDGEN" render t.md --data fifo-data.yaml >/dev/null 2>err; rc=$?
[ $rc != 124 ] && grep -q 'not a regular file' err && ok "a FIFO as --data is refused" ||
	fail "a FIFO as --data is refused" "exit $rc" "$(cat err)"
sed 's|    relief under the 2014 memorandum.*|&  ![x](fifo.png)|' cases/occ.yaml >cases/occ-img.yaml
printf '# T\n\n![x](cases/fifo.png)\n' >img.md
timeout 20 "$PDGEN" typeset img.md -o img.pdf 2>err; rc=$?
[ $rc = 1 ] && grep -q "img.md:3:6: error: cannot read image './cases/fifo.png': not a regular file" err &&
	ok "a FIFO as an image is refused at its Markdown" ||
	fail "a FIFO as an image is refused at its Markdown" "exit $rc" "$(cat err)"

# 6. the output directory removed, or swapped for a symbolic link, mid-batch
many r 400
background r.yaml gone 3
while [ -d gone ]; do rm -rf gone 2>/dev/null; done # workers add files as it goes
wait $pid; rc=$?
[ $rc != 0 ] && [ ! -e gone ] && grep -q 'No such file or directory' err &&
	ok "output directory removed: the rest fail, no file takes its name (exit $rc)" ||
	fail "output directory removed: the rest fail, no file takes its name" "exit $rc" \
		"$(ls -la gone 2>&1 | head -3)" "$(tail -3 err)"
mkdir elsewhere
background r.yaml swap 3
mv swap swapped && ln -s elsewhere swap; wait $pid; rc=$?
listed=$(grep -c '"made"' swapped/manifest.jsonl) there=$(ls swapped/*.pdf | wc -l)
[ "$(ls elsewhere | wc -l)" = 0 ] && [ "$listed" = "$there" ] && [ "$there" = 400 ] &&
	ok "output directory swapped for a link: every file stays where the manifest is" ||
	fail "output directory swapped for a link" "exit $rc; elsewhere: $(ls elsewhere | wc -l);" \
		"listed $listed, there $there"

# 7. the manifest is a journal: after kill -9 it lists exactly the whole files
many j 200
background j.yaml journal 20
kill -9 $pid; sleep 0.5
bad=0
while read -r line; do
	out=$(echo "$line" | field output) sha=$(echo "$line" | field sha256)
	[ "$(sha256sum "$out" 2>/dev/null | cut -d' ' -f1)" = "$sha" ] || bad=$((bad + 1))
done <journal/manifest.jsonl
rows=$(wc -l <journal/manifest.jsonl)
[ "$rows" -ge 20 ] && [ $bad = 0 ] && ok "after kill -9 every row names a whole file ($rows rows)" ||
	fail "after kill -9 every row names a whole file" "$rows rows, $bad wrong"
touch journal/x.pdf.tmp-AbC123
"$PDGEN" batch j.yaml -o journal -j 2 -q 2>/dev/null
[ ! -e journal/x.pdf.tmp-AbC123 ] && [ "$(ls journal | grep -c 'tmp-')" = 0 ] &&
	ok "a killed run's temporary files are removed" || fail "a killed run's temporary files are removed"
[ "$(wc -l <journal/manifest.jsonl)" = 200 ] && ok "the re-run's manifest has one row a document" ||
	fail "the re-run's manifest has one row a document" "$(wc -l <journal/manifest.jsonl)"
"$PDGEN" batch one.yaml -o journal -q 2>/dev/null
[ "$(wc -l <journal/manifest.jsonl)" = 201 ] && ok "two dockets into one directory keep both's rows" ||
	fail "two dockets into one directory keep both's rows" "$(wc -l <journal/manifest.jsonl)"
many c 150
"$PDGEN" batch c.yaml -o both -j 1 -q 2>/dev/null &
pid=$!
n=0; while [ ! -s both/manifest.jsonl ] && [ $n -lt 1000 ]; do sleep 0.01; n=$((n + 1)); done
"$PDGEN" batch one.yaml -o both 2>err; rc=$?
wait $pid
[ $rc = 3 ] && grep -q '^both: error: another pdgen batch is writing into this directory' err &&
	ok "a second batch into a busy directory is refused with a message" ||
	fail "a second batch into a busy directory is refused" "exit $rc" "$(cat err)"

# 8. files outside the docket's tree; files that are not YAML; control characters
printf 'cases:\n  - {file: /etc/passwd, level: occ}\n  - {file: ../../etc/passwd, level: occ}\n' >evil.yaml
"$PDGEN" batch evil.yaml -o evil 2>err; rc=$?
[ $rc = 1 ] && [ "$(grep -c '^evil.yaml:[23]:5: error: case file .* is outside the docket' err)" = 2 ] &&
	! grep -q 'root:' err &&
	! grep -q 'root:' evil/manifest.jsonl && ok "case files outside the docket's tree are refused" ||
	fail "case files outside the docket's tree are refused" "exit $rc" "$(cat err)"
"$PDGEN" batch evil.yaml -o evil --allow-outside 2>err; rc=$?
[ $rc = 1 ] && [ "$(grep -c '^[./]*etc/passwd: error: not a case file' err)" = 2 ] &&
	! grep -q 'root' err &&
	! grep -q 'root' evil/manifest.jsonl && ok "a file that is not a case is refused unechoed" ||
	fail "a file that is not a case is refused unechoed" "exit $rc" "$(cat err)"
printf 'root:*:19000:0:99999:7:::\ndaemon:*:19000:0:99999:7:::\n' >shadow-like
"$PDGEN" batch shadow-like -o evil 2>err; rc=$?
[ $rc = 1 ] && grep -q '^shadow-like: error: not a docket' err && ! grep -q 'root' err &&
	ok "a file that is not a docket is refused unechoed" ||
	fail "a file that is not a docket is refused unechoed" "exit $rc" "$(cat err)"
ctl=$(printf 'x\033[2J\302\205y.yaml') # a docket whose name holds ESC and U+0085
printf 'cases: 3\n' >"$ctl"
"$PDGEN" batch "$ctl" -o ctl 2>err
grep -q '^x\\x1B\[2J\\u0085y.yaml:1:8: error' err && ! grep -q "$(printf '\033')" err &&
	! grep -q "$(printf '\302\205')" err && ok "C0 and C1 control characters are escaped" ||
	fail "C0 and C1 control characters are escaped" "$(cat -A err | head -3)"

# 10. failed cases listed (20, then a count); diagnostics as arrays of objects
{ echo "cases:"; i=0; while [ $i -lt 25 ]; do
	echo "  - {file: cases/none$i.yaml, level: occ}"; i=$((i + 1)); done; } >fails.yaml
"$PDGEN" batch fails.yaml -o fails 2>err
[ "$(grep -c '^  cases/none[0-9]*.yaml (occ letter): ' err)" = 20 ] &&
	grep -q '^  \.\.\. and 5 more; every document.s row is in fails/manifest.jsonl' err &&
	ok "failed cases listed: 20, then a count and the manifest" ||
	fail "failed cases listed: 20, then a count and the manifest" "$(tail -4 err)"
python3 - "$SCRATCH/dup/manifest.jsonl" >py.out 2>&1 <<'PY' && ok "manifest diagnostics are arrays of objects" || fail "manifest diagnostics are arrays of objects" "$(cat py.out)"
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1])]
bad = [r for r in rows if r['status'] == 'failed']
assert bad, rows
for r in bad:
    d = r['diagnostics'][0]
    assert set(d) == {'file', 'line', 'column', 'severity', 'rule', 'message'}, d
    assert d['file'] == 'dup.yaml' and d['line'] in (4, 5) and d['severity'] == 'error', d
PY

# the progress bar on a terminal 50 columns wide: no line longer, the summary on its own
if command -v script >/dev/null; then
	script -qec "stty cols 50; '$PDGEN' batch k.yaml -o bar -j 2" /dev/null >tty.out 2>&1
	python3 - >py.out 2>&1 <<'PY' && ok "the progress bar fits 50 columns; the summary has its own line" ||
import re
text = open('tty.out', 'rb').read().decode('utf-8', 'replace').replace('\x1b[K', '')
parts = re.split(r'[\r\n]', text)
bars = [p for p in parts if p.startswith('[')]
assert bars and max(len(p) for p in bars) < 50, max(len(p) for p in bars)
assert any(p.startswith('pdgen: 400 made') for p in parts), parts[-5:]
PY
		fail "the progress bar fits 50 columns; the summary has its own line" "$(cat py.out)"
fi

# 11. a family name of 300 letters: a shortened name with a hash, under 255 bytes
long=$(python3 -c 'print("Abcdefghij" * 30)')
sed "s/family: \"[^\"]*\"/family: \"$long\"/" cases/occ.yaml >cases/long.yaml
printf 'cases:\n  - {file: cases/long.yaml, level: occ}\n' >long.yaml
"$PDGEN" batch long.yaml -o long 2>err; rc=$?
name=$(ls long | grep pdf)
[ $rc = 0 ] && [ ${#name} -lt 200 ] && echo "$name" | grep -q '^abcdefghij.*-[0-9a-f]\{8\}-A' &&
	ok "a long family name is shortened with a hash (${#name} bytes)" ||
	fail "a long family name is shortened with a hash" "exit $rc, '$name'" "$(tail -2 err)"
finish
