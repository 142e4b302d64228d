#!/bin/sh
# pdgen typeset: what a reader sees in the PDF (pdftotext, pdftotext -bbox), page furniture,
# tables across pages, fonts, determinism, atomic output and diagnostics.
. tests/lib.sh
D=$TOP/tests/typeset
C="python3 $TOP/tests/typeset_check.py"
T=$SCRATCH

# typeset NAME: tests/typeset/NAME.md -> $T/NAME.pdf
typeset() { "$PDGEN" typeset "$D/$1.md" -o "$T/$1.pdf" 2>"$T/$1.err"; }
page_text() { pdftotext -enc UTF-8 -f "$2" -l "$2" "$1" - 2>/dev/null; }

for doc in letter-3page table-60 sample-letter; do
	if typeset $doc && [ ! -s "$T/$doc.err" ]; then ok "typeset $doc"; else fail "typeset $doc" "$(cat "$T/$doc.err")"; fi
	check "$doc: qpdf --check" qpdf --check "$T/$doc.pdf"
	check "$doc: every font embedded" fonts_embedded "$T/$doc.pdf"
	check "$doc: no word box crosses a margin or overlaps another" $C bbox "$T/$doc.pdf" 72 72 72 72
done
check "letter-3page: every word in order" $C words "$D/letter-3page.md" "$T/letter-3page.pdf"
check "sample-letter: every word in order" $C words "$D/sample-letter.md" "$T/sample-letter.pdf"
check "sample-letter: table rows whole, header first" $C rows "$D/sample-letter.md" "$T/sample-letter.pdf"
check "table-60: every row whole on a page, header repeated" $C rows "$D/table-60.md" "$T/table-60.pdf"
check "table-60: words outside the table in order" $C words "$D/table-60.md" "$T/table-60.pdf"

# a row taller than a page splits between its lines; the header repeats; short rows stay whole
if typeset table-tall && [ ! -s "$T/table-tall.err" ]; then ok "typeset table-tall"; else fail "typeset table-tall" "$(cat "$T/table-tall.err")"; fi
pages=$(pdfinfo "$T/table-tall.pdf" 2>/dev/null | awk '/^Pages:/ {print $2}')
[ "$pages" = 3 ] && ok "table-tall: the tall row spans 3 pages" || fail "table-tall: the tall row spans 3 pages" "got $pages"
check "table-tall: no word box crosses a margin or overlaps another" $C bbox "$T/table-tall.pdf" 72 72 72 72
check "table-tall: every word of the table in order" $C cells "$D/table-tall.md" "$T/table-tall.pdf"
check "table-tall: words outside the table in order" $C words "$D/table-tall.md" "$T/table-tall.pdf"
check "table-tall: header row repeated on each page" $C header "$D/table-tall.md" "$T/table-tall.pdf"
n=$(pdftotext "$T/table-tall.pdf" - 2>/dev/null | tr '\f' '\n' | grep -c -e "A short row before the tall one. EndFirst" -e "A short row after the tall one. EndThird")
[ "$n" = 2 ] && ok "table-tall: short rows stay whole" || fail "table-tall: short rows stay whole" "$n"
sed 's/^| Second | \(.*\) |$/\n\1\n/' "$D/table-tall.md" >"$T/untable.md"
"$PDGEN" typeset "$T/untable.md" -o "$T/untable.pdf" 2>/dev/null
if $C header "$D/table-tall.md" "$T/untable.pdf" >/dev/null; then
	fail "header checker catches pages without the header row"
else ok "header checker catches pages without the header row"; fi

# column widths set by "::: columns" (measure 468pt from x = 72, cell padding 4pt)
cat >"$T/cols.md" <<'EOF'
Before the tables.

::: columns 1 3

| Name | Right |
|---|---|
| a | b |

::: columns 3 1
| Name2 | Right2 |
|---|---|
| a | b |

::: columns 20% 30% 50%

| A | B | Cee |
|---|---|---|
| x | y | z |

::: columns 1 2
After the tables.
EOF
"$PDGEN" typeset "$T/cols.md" -o "$T/cols.pdf" 2>"$T/cols.err"
xs=$(for w in Name Right Right2 B Cee; do $C x "$T/cols.pdf" $w; done | tr '\n' ' ')
case $xs in "76.0"*" 193.0"*" 427.0"*" 169.6"*" 310.0"*|"76.0"*" 193.0"*" 427.0"*" 169.6"*" 309.9"*)
	ok "::: columns sets the column x positions" ;;
*) fail "::: columns sets the column x positions" "got $xs" ;; esac
check "::: columns: words in order, inside the margins" sh -c "$C words '$T/cols.md' '$T/cols.pdf' && $C cells '$T/cols.md' '$T/cols.pdf' && $C bbox '$T/cols.pdf' 72 72 72 72"
grep -q "cols.md:20:1: warning: '::: columns' applies to the table right after it" "$T/cols.err" \
	&& [ "$(grep -c warning "$T/cols.err")" = 1 ] && ok "::: columns with no table after it: one warning at its place" \
	|| fail "::: columns with no table after it: one warning at its place" "$(cat "$T/cols.err")"
printf '::: columns 1 2 3\n| a | b |\n|---|---|\n| c | d |\n' >"$T/cols3.md"
"$PDGEN" typeset "$T/cols3.md" -o "$T/cols3.pdf" 2>"$T/cols3.err"; rc=$?
[ $rc = 0 ] && grep -q "cols3.md:1:1: warning: '::: columns' gives 3 widths for a table of 2 columns" "$T/cols3.err" \
	&& ok "::: columns with the wrong count: a warning" || fail "::: columns with the wrong count: a warning" "rc=$rc $(cat "$T/cols3.err")"
printf 'Text.\n\n::: columns 1 0\n| a | b |\n|---|---|\n' >"$T/cols0.md"
"$PDGEN" typeset "$T/cols0.md" -o "$T/cols0.pdf" 2>"$T/cols0.err"; rc=$?
[ $rc = 1 ] && [ ! -e "$T/cols0.pdf" ] && grep -q "cols0.md:3:1: error: bad '::: columns' marker" "$T/cols0.err" \
	&& ok "::: columns with a bad width: an error at its place" || fail "::: columns with a bad width: an error at its place" "rc=$rc $(cat "$T/cols0.err")"
# the example of pdgen-template(5) renders without diagnostics, its widths 1:3
sed -n '/^\.Ss Tables/,/^\.Ed/p' "$TOP/man/pdgen-template.5" | sed -n '/^\.Bd/,/^\.Ed/p' | sed '1d;$d' >"$T/manex.md"
"$PDGEN" typeset "$T/manex.md" -o "$T/manex.pdf" 2>"$T/manex.err"
[ -s "$T/manex.md" ] && [ ! -s "$T/manex.err" ] && [ "$($C x "$T/manex.pdf" What)" = 193.000000 ] \
	&& ok "pdgen-template(5) table example: no diagnostics, widths 1:3" \
	|| fail "pdgen-template(5) table example: no diagnostics, widths 1:3" "$(cat "$T/manex.err")"

# hyphenation: justified text on a narrow measure is hyphenated (TeX-like, libhyphen);
# ragged text, "hyphenate: false" and a missing dictionary give none, without a message
cp "$D/hyphenate.md" "$T/hy.md"
"$PDGEN" typeset "$T/hy.md" -o "$T/hy.pdf" 2>"$T/hy.err"
hy=$(pdftotext -raw "$T/hy.pdf" - 2>/dev/null | grep -c -- '[a-z]-$')
[ "$hy" -ge 2 ] && [ ! -s "$T/hy.err" ] && ok "hyphenate: narrow justified text is hyphenated" \
	|| fail "hyphenate: narrow justified text is hyphenated" "$hy hyphens; $(cat "$T/hy.err")"
check "hyphenate: every word in order (hyphenated words joined)" $C words "$T/hy.md" "$T/hy.pdf"
check "hyphenate: no word box crosses a margin or overlaps another" $C bbox "$T/hy.pdf" 216 216 72 72
names=$(pdftotext -raw "$T/hy.pdf" - 2>/dev/null | grep -E -e '(^| )[A-Z][A-Za-z]*-$' -e '[0-9@.`][a-z]*-$')
[ -z "$names" ] && ok "hyphenate: names, addresses, code and numbers are never hyphenated" \
	|| fail "hyphenate: names, addresses, code and numbers are never hyphenated" "$names"
sed 's/^hyphenate: true$/hyphenate: false/' "$D/hyphenate.md" >"$T/hy-off.md"
"$PDGEN" typeset "$T/hy-off.md" -o "$T/hy-off.pdf" 2>/dev/null
[ "$(pdftotext -raw "$T/hy-off.pdf" - 2>/dev/null | grep -c -- '[a-z]-$')" = 0 ] && ok "hyphenate: false" || fail "hyphenate: false"
PDGEN_HYPHEN_DICT=/nonexistent/hyph.dic "$PDGEN" typeset "$T/hy.md" -o "$T/hy-nodict.pdf" 2>"$T/hy-nodict.err"; rc=$?
[ $rc = 0 ] && [ ! -s "$T/hy-nodict.err" ] && [ "$(pdftotext -raw "$T/hy-nodict.pdf" - 2>/dev/null | grep -c -- '[a-z]-$')" = 0 ] \
	&& ok "hyphenate: no dictionary, no hyphens and no message" || fail "hyphenate: no dictionary, no hyphens and no message" "rc=$rc $(cat "$T/hy-nodict.err")"
"$PDGEN" typeset "$T/hy.md" -o "$T/hy2.pdf" 2>/dev/null
check "hyphenate: byte-identical output" cmp "$T/hy.pdf" "$T/hy2.pdf"
sed 's/^hyphenate: true$/hyphenate: yes/' "$D/hyphenate.md" >"$T/hy-yes.md"
"$PDGEN" typeset "$T/hy-yes.md" -o "$T/hy-yes.pdf" 2>"$T/hy-yes.err"; rc=$?
[ $rc = 1 ] && grep -q "hy-yes.md:3:12: error: hyphenate must be true or false" "$T/hy-yes.err" \
	&& ok "hyphenate: yes is an error at its place" || fail "hyphenate: yes is an error at its place" "rc=$rc $(cat "$T/hy-yes.err")"
if $C bbox "$T/letter-3page.pdf" 100 72 72 72 >/dev/null; then
	fail "bbox checker catches words inside a wider margin"
else ok "bbox checker catches words inside a wider margin"; fi

# page furniture of the 3-page letter
pages=$(pdfinfo "$T/letter-3page.pdf" 2>/dev/null | awk '/^Pages:/ {print $2}')
[ "$pages" = 3 ] && ok "letter-3page has 3 pages" || fail "letter-3page has 3 pages" "got $pages"
p1=$(page_text "$T/letter-3page.pdf" 1) p2=$(page_text "$T/letter-3page.pdf" 2) p3=$(page_text "$T/letter-3page.pdf" 3)
case $p1 in *"Castillo & Reyes, Attorneys at Law"*) ok "letterhead on page 1" ;; *) fail "letterhead on page 1" ;; esac
case "$p2$p3" in *"Castillo & Reyes, Attorneys at Law"*) fail "letterhead only on page 1" ;; *) ok "letterhead only on page 1" ;; esac
case $p1 in *"Page 1 of"*) fail "no continuation header on page 1" ;; *) ok "no continuation header on page 1" ;; esac
case $p2 in *"Page 2 of 3"*) ok "page 2 says Page 2 of 3" ;; *) fail "page 2 says Page 2 of 3" ;; esac
case $p3 in *"Page 3 of 3"*) ok "page 3 says Page 3 of 3" ;; *) fail "page 3 says Page 3 of 3" ;; esac
case $p3 in *"Öztürk-D’Souza · A012-345-678"*|*"Öztürk-D'Souza · A012-345-678"*) ok "continuation header text" ;;
*) fail "continuation header text" "$(echo "$p3" | head -3)" ;; esac
# the closing block is kept together (::: keep)
n=$(for p in 1 2 3; do page_text "$T/letter-3page.pdf" $p | grep -c -e "Respectfully submitted" -e "cc: Client" | tr '\n' ' '; done)
case $n in *2*) ok "closing and cc on one page" ;; *) fail "closing and cc on one page" "$n" ;; esac
# footer with page totals on every page of the table
f=$(pdftotext "$T/table-60.pdf" - 2>/dev/null | grep -c "Table test, page [0-9] of 3")
[ "$f" = 3 ] && ok "footer with page totals on each page" || fail "footer with page totals on each page" "$f"

# determinism and atomic output
"$PDGEN" typeset "$D/letter-3page.md" -o "$T/again.pdf" 2>/dev/null
check "same input twice gives byte-identical PDFs" cmp "$T/letter-3page.pdf" "$T/again.pdf"
SOURCE_DATE_EPOCH=1451433600 "$PDGEN" typeset "$D/letter-3page.md" -o "$T/sde.pdf" 2>/dev/null
check "SOURCE_DATE_EPOCH sets the PDF date" sh -c "pdfinfo '$T/sde.pdf' | grep -q 'CreationDate:.*2015'"
ls "$T"/*.tmp-* >/dev/null 2>&1 && fail "no temporary files left" || ok "no temporary files left"

# characters: fallback font for CJK, a clear error for a character no font has
printf '# Client\n\nNative name: 王小明; Vietnamese: Nguyễn Thị Minh Khai.\n' >"$T/cjk.md"
if "$PDGEN" typeset "$T/cjk.md" -o "$T/cjk.pdf" 2>"$T/cjk.err"; then
	case $(pdf_text "$T/cjk.pdf") in *王小明*) ok "CJK name prints through the fallback font" ;;
	*) fail "CJK name prints through the fallback font" ;; esac
	check "fallback font embedded" fonts_embedded "$T/cjk.pdf"
else fail "CJK document typesets" "$(cat "$T/cjk.err")"; fi
printf 'Snowman \342\233\204 here.\n\nEmoji \360\237\230\200 too.\n' >"$T/bad.md"
echo keep >"$T/bad.pdf"
"$PDGEN" typeset "$T/bad.md" -o "$T/bad.pdf" 2>"$T/bad.err"; rc=$?
[ $rc = 1 ] && ok "missing glyph exits 1" || fail "missing glyph exits 1" "rc=$rc"
grep -q "bad.md:1:9: error: no font has a glyph for U+26C4" "$T/bad.err" && ok "missing glyph named with its place" || fail "missing glyph named with its place" "$(cat "$T/bad.err")"
grep -q "bad.md:3:7: error: .*U+1F600" "$T/bad.err" && ok "astral character named with its place" || fail "astral character named with its place" "$(cat "$T/bad.err")"
[ "$(cat "$T/bad.pdf")" = keep ] && ok "failed run leaves the existing file untouched" || fail "failed run leaves the existing file untouched"

# raw HTML and links
printf 'Text.\n\n<div>raw</div>\n\nSee [x](javascript:alert(1)) and [ok](https://example.org) <b>b</b>.\n' >"$T/html.md"
"$PDGEN" typeset "$T/html.md" -o "$T/html.pdf" 2>"$T/html.err"
grep -q "html.md:3:1: warning: raw HTML is not rendered" "$T/html.err" && ok "raw HTML block warned with its place" || fail "raw HTML block warned with its place" "$(cat "$T/html.err")"
grep -q "html.md:5:9: warning: link to 'javascript:alert(1)' is not clickable" "$T/html.err" && ok "refused link warned with its place" || fail "refused link warned with its place" "$(cat "$T/html.err")"
case $(pdf_text "$T/html.pdf") in *raw*|*"<b>"*) fail "raw HTML never rendered" ;; *) ok "raw HTML never rendered" ;; esac
qpdf --show-npages "$T/html.pdf" >/dev/null 2>&1 && qpdf --qdf --object-streams=disable "$T/html.pdf" "$T/html.qdf" 2>/dev/null
grep -aq "/URI (https://example.org)" "$T/html.qdf" && ok "http link clickable" || fail "http link clickable"

# page-break marker and bad front matter
printf 'One.\n\n::: pagebreak\n\nTwo.\n' >"$T/pb.md"
"$PDGEN" typeset "$T/pb.md" -o "$T/pb.pdf" 2>/dev/null
[ "$(pdfinfo "$T/pb.pdf" 2>/dev/null | awk '/^Pages:/ {print $2}')" = 2 ] && ok "::: pagebreak starts a new page" || fail "::: pagebreak starts a new page"
printf -- '---\npaper: legal\nmargins: 1in\n---\nText.\n' >"$T/fm.md"
"$PDGEN" typeset "$T/fm.md" -o "$T/fm.pdf" 2>"$T/fm.err"; rc=$?
[ $rc = 1 ] && [ ! -e "$T/fm.pdf" ] && grep -q "fm.md:2:8: error: unknown paper 'legal'" "$T/fm.err" && ok "bad front matter: error at its place, no file" || fail "bad front matter: error at its place, no file" "rc=$rc $(cat "$T/fm.err")"
printf -- '---\npaper: a4\nmargins: 2cm\nalign: left\n---\nText on A4.\n' >"$T/a4.md"
"$PDGEN" typeset "$T/a4.md" -o "$T/a4.pdf" 2>/dev/null
pdfinfo "$T/a4.pdf" 2>/dev/null | grep -q "Page size: *595.* x 841.*" && ok "paper: a4" || fail "paper: a4"
# a justified line that a long unbreakable address leaves nearly empty is set flush left,
# not with gaps of several spaces ("VIA      EMAIL:")
cat >"$T/loose.md" <<'EOF'
---
paper: letter
---
**VIA EMAIL: thomas.reilly.assistant.chief.counsel.detroit.office.of.the.principal.legal.advisor.xyz@ice.dhs.gov**

An ordinary paragraph follows, long enough to be justified across the whole measure of the page and to wrap onto a second line of text.
EOF
"$PDGEN" typeset "$T/loose.md" -o "$T/loose.pdf" 2>/dev/null
x=$($C x "$T/loose.pdf" EMAIL:)
case $x in 9[0-9].*) ok "a line too loose to justify is set flush left (EMAIL: at $x)" ;;
*) fail "a line too loose to justify is set flush left" "EMAIL: at x=$x, want about 97" ;; esac
# a table whose minimum widths overfill the measure (a long URL in one cell): the short
# columns keep their words whole and the last column stays inside the margin
cat >"$T/urlcell.md" <<'EOF'
| Date | Direction | Channel | From | To | Summary | Copy |
|---|---|---|---|---|---|---|
| 05/11/2015 | Received | Email | SDDO, Los Angeles Field Office | Trần Văn Bảo | Denial of review, see https://example.gov/very/long/path/to/the/decision/document/2015-08-03.pdf | Tab E |
EOF
"$PDGEN" typeset "$T/urlcell.md" -o "$T/urlcell.pdf" 2>/dev/null
words=$(pdftotext -enc UTF-8 "$T/urlcell.pdf" - 2>/dev/null)
if $C bbox "$T/urlcell.pdf" 72 72 72 72 >"$T/urlcell.out" 2>&1 &&
	printf '%s' "$words" | grep -qw '05/11/2015' && printf '%s' "$words" | grep -qw 'Direction' &&
	printf '%s' "$words" | grep -qw 'Received'; then
	ok "a long URL in a cell: other cells keep their words whole, inside the margins"
else
	fail "a long URL in a cell: other cells keep their words whole, inside the margins" "$(cat "$T/urlcell.out")" "$(printf '%s' "$words" | head -12 | tr '\n' '|')"
fi
finish
