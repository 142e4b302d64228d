#!/bin/sh
# Page make-up and text rules: the sweeps (a heading, a run of headings before a table, a
# hyphenated paragraph, a closing, and a long footnote's reference moved through every line
# position of two pages), the
# no-break, address and quote rules over many measures, every sample checked for what a
# secretary would fix by hand (and every sample case in the docket), the house
# style's named spacing values (every name in pdgen-template(5) known, a wrong one
# refused at its place).
. tests/lib.sh
python3 "$TOP/tests/makeup_sweep.py" "$PDGEN" "$SCRATCH" || status=1
python3 "$TOP/tests/text_rules.py" "$PDGEN" "$SCRATCH" || status=1
python3 "$TOP/tests/samples_makeup.py" "$PDGEN" "$TOP/samples/docket.yaml" "$SCRATCH" || status=1

names=$(sed -n '/^\.Ss Spacing/,/^\.Sh/p' "$TOP/man/pdgen-template.5" |
	sed -n 's/^\.It Cm //p' | tr ',' '\n' | sed -n 's/^ *\([a-z0-9_]*\).*/\1/p' |
	grep -v '^No$' | grep '_')
extra=$(sed -n '/^\.Ss Spacing/,/^\.Sh/p' "$TOP/man/pdgen-template.5" |
	grep -o 'Cm [a-z0-9_]*_[a-z0-9_]*' | sed 's/Cm //')
doc=$SCRATCH/spacing.md
{ echo "---"; echo "spacing:"; for n in $(printf '%s\n' $names $extra | sort -u); do echo "  $n: 1"; done
  echo "---"; echo "Text."; } >"$doc"
count=$(printf '%s\n' $names $extra | sort -u | wc -l)
"$PDGEN" typeset "$doc" -o "$SCRATCH/spacing.pdf" 2>"$SCRATCH/spacing.err"
if ! grep -q "unknown spacing" "$SCRATCH/spacing.err" && [ "$count" -ge 35 ]; then
	ok "every spacing name of pdgen-template(5) is known ($count)"
else
	fail "every spacing name of pdgen-template(5) is known ($count)" "$(cat "$SCRATCH/spacing.err")"
fi
printf -- '---\nspacing:\n  heading_abvoe: 1\n  widow_lines: 1.5\n---\nText.\n' >"$SCRATCH/bad.md"
"$PDGEN" typeset "$SCRATCH/bad.md" -o "$SCRATCH/bad.pdf" 2>"$SCRATCH/bad.err"
rc=$?
if [ $rc -ne 0 ] && grep -q "bad.md:3:3: error: unknown spacing 'heading_abvoe' (did you mean 'heading_above'?)" "$SCRATCH/bad.err" &&
	grep -q "bad.md:4:.*error: bad spacing widow_lines '1.5'" "$SCRATCH/bad.err" && [ ! -e "$SCRATCH/bad.pdf" ]; then
	ok "a wrong spacing name or value is an error at its place"
else
	fail "a wrong spacing name or value is an error at its place" "exit $rc" "$(cat "$SCRATCH/bad.err")"
fi
# Markdown that must not print raw: task items get a box, an image inside text is an error
printf -- '- [ ] open task\n- [x] done task\n' >"$SCRATCH/task.md"
text=$("$PDGEN" typeset --text "$SCRATCH/task.md" 2>&1)
case $text in
*"["*) fail "task items print a box, not '[ ]'" "$text" ;;
*"open task"*"done task"*) ok "task items print a box, not '[ ]'" ;;
*) fail "task items print a box, not '[ ]'" "$text" ;;
esac
printf 'Text\n\nMore ![seal](seal.png) text.\n' >"$SCRATCH/img.md"
if ! "$PDGEN" typeset "$SCRATCH/img.md" -o "$SCRATCH/img.pdf" 2>"$SCRATCH/img.err" &&
	grep -q "img.md:3:14: error: image 'seal.png' inside a line of text" "$SCRATCH/img.err"; then
	ok "an image inside a line of text is an error at its place"
else
	fail "an image inside a line of text is an error at its place" "$(cat "$SCRATCH/img.err")"
fi
# footnotes: one cited from a table cell is set; a reference with no definition is a warning
printf '| A | B |\n|---|---|\n| cell[^t] | x |\n\n[^t]: Table note.\n' >"$SCRATCH/tn.md"
text=$("$PDGEN" typeset --text "$SCRATCH/tn.md" 2>&1)
case $text in *"Table note."*) ok "a footnote cited in a table cell is set" ;;
*) fail "a footnote cited in a table cell is set" "$text" ;; esac
printf 'Text.[^nope] End.\n' >"$SCRATCH/nn.md"
"$PDGEN" typeset "$SCRATCH/nn.md" -o "$SCRATCH/nn.pdf" 2>"$SCRATCH/nn.err"
grep -q "nn.md:1:6: warning: footnote '\[^nope\]' has no definition" "$SCRATCH/nn.err" &&
	ok "a footnote reference with no definition is a warning at its place" ||
	fail "a footnote reference with no definition is a warning at its place" "$(cat "$SCRATCH/nn.err")"
python3 "$TOP/tests/footnote_sweep.py" "$PDGEN" "$SCRATCH" || status=1
printf 'Text.[^a] More.\n\n[^a]: See the other note.[^b]\n\n[^b]: The nested note.\n' >"$SCRATCH/nest.md"
text=$("$PDGEN" typeset --text "$SCRATCH/nest.md" 2>&1)
case $text in *"See the other note."*"The nested note."*) ok "a footnote cited only from a footnote is set after it" ;;
*) fail "a footnote cited only from a footnote is set after it" "$text" ;; esac
cp "$TOP/samples/packet/encl/birth-certificate.png" "$SCRATCH/tall.png"
printf -- '---\nspacing:\n  image_max_height: 1\n---\nText cites it.[^big]\n\n[^big]: Its seal:\n\n    ![A seal](tall.png "width=20in")\n' >"$SCRATCH/big.md"
if ! "$PDGEN" typeset "$SCRATCH/big.md" -o "$SCRATCH/big.pdf" 2>"$SCRATCH/big.err" && [ ! -e "$SCRATCH/big.pdf" ] &&
	grep -q "big.md:7:.*error: footnote 1 has a part [0-9]* lines long that cannot split" "$SCRATCH/big.err"; then
	ok "a footnote with a part longer than a page that cannot split is an error at its definition"
else
	fail "a footnote with a part longer than a page that cannot split is an error at its definition" "$(cat "$SCRATCH/big.err")"
fi
# metadata: the title from the subject, the date at noon UTC, a deterministic /ID, the
# bookmarks open; a footer with {page} makes the header drop its "Page N of M"
pdf=$("$PDGEN" letter "$TOP/samples/okafor-opla-hq.yaml" --level opla-hq -o "$SCRATCH/" --print-path 2>"$SCRATCH/m.err")
info=$(pdfinfo "$pdf" 2>&1)
subject=$(echo "$info" | sed -n 's/^Subject: *//p')
title=$(echo "$info" | sed -n 's/^Title: *//p')
[ -n "$subject" ] && [ "$title" = "$subject" ] && ok "a letter's /Title is its subject" ||
	fail "a letter's /Title is its subject" "$info"
echo "$info" | grep -q '^Author: *Daniel O’Connor$' && ok "the document information follows the quote rule" ||
	fail "the document information follows the quote rule" "$info"
echo "$info" | grep -q '^CreationDate:.* 12:00:00 2015 UTC' && ok "the creation date is the letter's date at noon UTC" ||
	fail "the creation date is the letter's date at noon UTC" "$info"
id1=$(grep -a -o '/ID \[ <[0-9A-F]*> <[0-9A-F]*> \]' "$pdf")
cp "$pdf" "$SCRATCH/first.pdf"
"$PDGEN" letter "$TOP/samples/okafor-opla-hq.yaml" --level opla-hq -o "$pdf" 2>/dev/null
id2=$(grep -a -o '/ID \[ <[0-9A-F]*> <[0-9A-F]*> \]' "$pdf")
other=$("$PDGEN" letter "$TOP/samples/castro-ero-hq.yaml" --level ero-hq -o "$SCRATCH/" --print-path 2>/dev/null)
id3=$(grep -a -o '/ID \[ <[0-9A-F]*> <[0-9A-F]*> \]' "$other")
[ -n "$id1" ] && [ "$id1" = "$id2" ] && [ "$id1" != "$id3" ] && cmp -s "$pdf" "$SCRATCH/first.pdf" &&
	ok "the trailer's /ID is the same for the same letter, another for another" ||
	fail "the trailer's /ID is the same for the same letter, another for another" "$id1" "$id2" "$id3"
printf '# Heading\n\nText.\n' >"$SCRATCH/outl.md"
"$PDGEN" typeset "$SCRATCH/outl.md" -o "$SCRATCH/outl.pdf" 2>/dev/null
qpdf --qdf --object-streams=disable "$SCRATCH/outl.pdf" - | grep -a -q '/PageMode /UseOutlines' && ok "a document with headings opens with its bookmarks" ||
	fail "a document with headings opens with its bookmarks"
{ printf -- '---\nfooter: "{page} of {pages}"\n---\n'; i=0; while [ $i -lt 70 ]; do echo "Line $i."; echo; i=$((i + 1)); done; } >"$SCRATCH/foot.md"
"$PDGEN" typeset "$SCRATCH/foot.md" -o "$SCRATCH/foot.pdf" 2>/dev/null
p2=$(pdftotext -f 2 -l 2 "$SCRATCH/foot.pdf" - 2>/dev/null)
n=$(echo "$p2" | grep -c '2 of [0-9]')
[ "$n" = 1 ] && ! echo "$p2" | grep -q 'Page 2' && ok "the page number prints once with a {page} footer" ||
	fail "the page number prints once with a {page} footer" "$p2"
# a kern pair across a place a word may break (a soft hyphen, a hyphenation point) holds
# when the line does not break there, and is taken back when it does
printf -- '---\nsize: 24\n---\nWAVE and WA\302\255VE\n\n::: columns 1 8\n| h | h |\n|---|---|\n| WA\302\255VE | x |\n| WA | - |\n' >"$SCRATCH/kb.md"
"$PDGEN" typeset "$SCRATCH/kb.md" -o "$SCRATCH/kb.pdf" 2>"$SCRATCH/kb.err"
pdftotext -bbox "$SCRATCH/kb.pdf" - | python3 -c '
import re, sys
w = [(m[2], float(m[0]), float(m[1])) for m in re.findall(r"xMin=\"([\d.]+)\" yMin=\"[\d.]+\" xMax=\"([\d.]+)\" yMax=\"[\d.]+\">([^<]*)<", sys.stdin.read())]
width = lambda k: w[k][2] - w[k][1]
words = [x[0] for x in w]
wave, wa_hy, wa, hy = words.index("WAVE"), words.index("WA-"), words.index("WA"), words.index("-")
ok = abs(width(wave) - width(wave + 2)) < 0.01 and abs(width(wa_hy) - width(wa) - width(hy)) < 0.01
ok = ok and words[wave + 2] == "WAVE" and abs(w[words.index("VE")][1] - w[wa_hy][1]) < 0.01
sys.exit(0 if ok else "%s %s" % (words, [round(width(k), 3) for k in range(len(w))]))' >"$SCRATCH/kb.out" 2>&1 &&
	ok "a kern pair across a soft hyphen holds unbroken and is taken back at a break" ||
	fail "a kern pair across a soft hyphen holds unbroken and is taken back at a break" "$(cat "$SCRATCH/kb.err" "$SCRATCH/kb.out")"
finish
