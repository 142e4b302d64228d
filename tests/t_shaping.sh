#!/bin/sh
# Shaping: the font's kerning in the PDF (word boxes narrower than the advances summed), the
# text extracted exactly, unkerned words kept as they were; standard ligatures (a face with
# 'liga') that extract as the letters written and never span a hyphenation point or U+200C;
# Arabic joined and Hebrew and Arabic in the order read (fribidi), copied out in the order
# written, a paragraph in Hebrew set from the right; every glyph mapped to Unicode.
. tests/lib.sh
T=$SCRATCH
P=/usr/bin/python3
G="$P $TOP/tests/glyph_map.py"
# words PDF: the text of a PDF as words, without the bidi controls poppler adds
words() { pdf_text "$1" | $P -c 'import sys; print(" ".join(sys.stdin.read().translate({0x202a: None, 0x202b: None, 0x202c: None}).split()))'; }
# letters [PDF]: the words of a PDF (or of the standard input) without their punctuation, a
# word ending where the direction changes: pdftotext reorders text found right to left by
# its own rule, which moves the neutral characters at the edges of a right-to-left run (a
# space or bracket after it lands before it); the letters of each word, and the order of
# the words, must be as written.
letters() {
	if [ $# = 1 ]; then pdf_text "$1"; else cat; fi | $P -c 'import re, sys
t = sys.stdin.read().translate({0x202a: None, 0x202b: None, 0x202c: None})
print(" ".join(re.findall(r"[\u0590-\u08ff]+|[^\W\u0590-\u08ff]+", t)))'
}
cat >"$T/kern.md" <<'EOF'
---
title: Kerning
---

AV To WAVE Tomorrow mmm AVOID Yes. Office minimum
EOF
"$PDGEN" typeset "$T/kern.md" -o "$T/kern.pdf" 2>"$T/kern.err"
check "kerning: a typeset file" test -s "$T/kern.pdf"
check "kerning: AV, To, WAVE, Tomorrow, AVOID, Yes. narrower than unkerned; mmm, minimum kept" \
	/usr/bin/python3 tests/shaping_check.py "$T/kern.pdf" fonts/LiberationSerif-Regular.ttf \
	AV To WAVE Tomorrow AVOID Yes. =minimum
words=$(pdf_text "$T/kern.pdf" | tr -s ' \n\f' ' ' | sed 's/ *$//')
[ "$words" = "AV To WAVE Tomorrow mmm AVOID Yes. Office minimum" ] && ok "kerning: the words extracted exactly" ||
	fail "kerning: the words extracted exactly" "$words"
# the checker fails a PDF set without kerning (the font's own advances)
if /usr/bin/python3 tests/shaping_check.py "$T/kern.pdf" fonts/LiberationSerif-Regular.ttf =WAVE >/dev/null; then
	fail "kerning: the checker tells kerned from unkerned"
else ok "kerning: the checker tells kerned from unkerned"; fi
check "kerning: every glyph maps to Unicode" $G "$T/kern.pdf"
# every glyph of every sample letter and memo maps to Unicode (PDF/UA-1 7.21)
"$PDGEN" batch samples/docket.yaml -o "$T/docket" -q >"$T/docket.out" 2>&1 ||
	fail "the sample docket is made" "$(tail -5 "$T/docket.out")"
n=0
for f in "$T"/docket/*.pdf; do
	case $f in *-packet.pdf) continue ;; esac # enclosures: fonts pdgen did not make
	n=$((n + 1))
	$G "$f" >"$T/map.out" 2>&1 || fail "$(basename "$f"): every glyph maps to Unicode" "$(cat "$T/map.out")"
done
[ "$n" -ge 10 ] && ok "every glyph of the $n sample documents maps to Unicode" || fail "the samples' glyphs checked" "only $n"

# Ligatures: the shipped Liberation Serif has only discretionary ones (none set, as Typst
# sets none); DejaVu Serif has standard ones, read from a data directory that adds it.
D=$T/data
mkdir -p "$D/fonts"
ln -s "$TOP/templates" "$D/templates"
for f in "$TOP"/fonts/*.ttf; do ln -s "$f" "$D/fonts/"; done
for s in Regular Bold Italic BoldItalic; do
	f=/usr/share/fonts/truetype/dejavu/DejaVuSerif-$s.ttf
	[ $s = Regular ] && f=/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf
	ln -s "$f" "$D/fonts/DejaVuSerif-$s.ttf"
done
printf -- '---\ntitle: Ligatures\nfont: DejaVu Serif\n---\n\n%s\n' \
	'The office filed an affidavit; the fluent officer'"'"'s first flight was efficient, *baffled* and **offered**.' \
	>"$T/lig.md"
PDGEN_DATADIR=$D "$PDGEN" typeset "$T/lig.md" -o "$T/lig.pdf" 2>"$T/lig.err" ||
	fail "ligatures: typeset in DejaVu Serif" "$(cat "$T/lig.err")"
check "ligatures: fi, fl and ff are single glyphs, each mapped back to its letters" \
	$G "$T/lig.pdf" lig=fi lig=fl lig=ff
w=$(words "$T/lig.pdf")
[ "$w" = "The office filed an affidavit; the fluent officer’s first flight was efficient, baffled and offered." ] &&
	ok "ligatures: the words extracted as written" || fail "ligatures: the words extracted as written" "$w"
check "ligatures: qpdf --check" qpdf --check "$T/lig.pdf"
check "ligatures: the checker finds none in the shipped face" sh -c "! $G $T/kern.pdf lig=ff"
# U+200C keeps two letters apart, U+00AD (a hyphenation point) too; U+200D joins nothing
printf -- '---\ntitle: Apart\nfont: DejaVu Serif\n---\n\nshelf\342\200\214ful of\302\255fice cuf\342\200\215flink\n' >"$T/apart.md"
PDGEN_DATADIR=$D "$PDGEN" typeset "$T/apart.md" -o "$T/apart.pdf" 2>"$T/apart.err" ||
	fail "ligatures: U+200C and U+00AD typeset" "$(cat "$T/apart.err")"
check "ligatures: none across U+200C or a hyphenation point; fl still forms" \
	$G "$T/apart.pdf" nolig=ff nolig=ffi lig=fl
w=$(words "$T/apart.pdf")
[ "$w" = "shelfful office cufflink" ] && ok "ligatures: U+200C, U+00AD and U+200D print nothing" ||
	fail "ligatures: U+200C, U+00AD and U+200D print nothing" "$w"
# a narrow column, hyphenated: a ligature's letters never split by the hyphen ("affi-",
# "effica-"), and the halves (which pdftotext joins again) extract as written
printf -- '---\ntitle: Narrow\nfont: DejaVu Serif\nmargins: 3in\nhyphenate: true\n---\n\n%s\n' \
	'Sufficiently officious affidavits effectively fulfil inefficient official difficulties flawlessly, sufficiently efficaciously.' >"$T/narrow.md"
PDGEN_DATADIR=$D "$PDGEN" typeset "$T/narrow.md" -o "$T/narrow.pdf" 2>"$T/narrow.err" ||
	fail "ligatures: a narrow column typesets" "$(cat "$T/narrow.err")"
w=$(words "$T/narrow.pdf")
[ "$w" = "Sufficiently officious affidavits effectively fulfil inefficient official difficulties flawlessly, sufficiently efficaciously." ] &&
	ok "ligatures: words broken at a hyphen extract whole" || fail "ligatures: words broken at a hyphen extract whole" "$w"
h=$(pdftotext -bbox "$T/narrow.pdf" - | sed -n 's/.*>\([^<]*-\)<\/word>.*/\1/p' | tr '\n' ' ')
[ $(echo "$h" | wc -w) -ge 2 ] && ok "ligatures: the narrow column hyphenates ($h)" ||
	fail "ligatures: the narrow column hyphenates" "$h"
check "ligatures: the narrow column maps every glyph, with fi and ff" $G "$T/narrow.pdf" lig=fi lig=ff

# A letter with an Arabic native name and a Hebrew, a Vietnamese and a Chinese name in its
# text: each prints in the order read (Arabic joined) and copies out in the order written.
sed -e 's/^  native_name: .*/  native_name: "محمد علي"/' \
	-e 's/^  - {factor: family_ties, text: .*/  - {factor: family_ties, text: "His wife שרה כהן, his mother Nguyễn Thị Minh Khai and his brother 王小明 live in San Francisco; the imam of مسجد الفاروق and Rabbi אברהם לוי wrote letters.", exhibits: [E3]}/' \
	samples/wang-cjk.yaml >"$T/bidi.yaml"
grep -q 'שרה' "$T/bidi.yaml" || fail "bidi: the case has its names" "$(cat "$T/bidi.yaml")"
"$PDGEN" letter "$T/bidi.yaml" --level occ -o "$T/bidi.pdf" 2>"$T/bidi.err" ||
	fail "bidi: the letter is made" "$(cat "$T/bidi.err")"
w=$(letters "$T/bidi.pdf")
for phrase in "Client: Wang Xiaoming (محمد علي)" \
	"His wife שרה כהן, his mother Nguyễn Thị Minh Khai and his brother 王小明 live" \
	"the imam of مسجد الفاروق and Rabbi אברהם לוי wrote letters"; do
	case $w in *"$(echo "$phrase" | letters)"*) ok "bidi: copied out in the order written: $phrase" ;;
	*) fail "bidi: copied out in the order written: $phrase" "$w" ;; esac
done
# brackets around a right-to-left name in an English line: seen "(" before it and ")" after
# (mirrored by the level each resolves to, not by the direction the name was shaped in)
seen=$($P -c 'print("Xiaoming(" + "محمد علي"[::-1] + ")")')
check "bidi: the brackets around the Arabic name are seen as written" $G "$T/bidi.pdf" "seen=$seen"
mirrored=$($P -c 'print("Xiaoming(" + "محمد علي"[::-1] + "(")')
check "bidi: the checker fails brackets seen mirrored" sh -c "! $G $T/bidi.pdf 'seen=$mirrored'"
# in a paragraph written in Hebrew the brackets are mirrored: "(" seen on the right
printf -- '---\ntitle: Brackets\n---\n\nשלום (עליכם) אדוני.\n' >"$T/brackets.md"
"$PDGEN" typeset "$T/brackets.md" -o "$T/brackets.pdf" 2>"$T/brackets.err" ||
	fail "bidi: a Hebrew paragraph with brackets typesets" "$(cat "$T/brackets.err")"
seen=$($P -c 'print("(" + "עליכם"[::-1] + ")" + "שלום"[::-1])')
check "bidi: brackets in a Hebrew paragraph are seen mirrored" $G "$T/brackets.pdf" "seen=$seen"
check "bidi: Arabic joined (initial, medial, final forms) and every glyph mapped" \
	$G "$T/bidi.pdf" joined=محمد joined=علي joined=مسجد joined=الفاروق
check "bidi: the letter passes qpdf --check" qpdf --check "$T/bidi.pdf"
check "bidi: the letter is tagged PDF/UA and PDF/A" $P "$TOP/tests/pdf_tags.py" "$T/bidi.pdf"
check "bidi: the checker fails Arabic that is not joined" sh -c "! $G $T/bidi.pdf joined=שרה"
# a name with a letter no face in the chain has is refused at its field, no file written
sed 's/^  native_name: .*/  native_name: "محمد ꔀ"/' "$T/bidi.yaml" >"$T/vai.yaml"
"$PDGEN" letter "$T/vai.yaml" --level occ -o "$T/vai.pdf" 2>"$T/vai.err"; rc=$?
[ $rc = 1 ] && [ ! -e "$T/vai.pdf" ] && grep -q "vai.yaml:5:[0-9]*: error: no font has a glyph for U+A500" "$T/vai.err" &&
	ok "bidi: a letter no font has is refused at the case field" ||
	fail "bidi: a letter no font has is refused at the case field" "rc=$rc" "$(cat "$T/vai.err")"
# a batch sets the second letter's paragraphs from the first's (the memo): the same glyphs
sed 's/A-201-334-556/A-201-334-557/' "$T/bidi.yaml" >"$T/bidi2.yaml"
printf 'docket: two\ncases:\n  - {file: bidi.yaml, level: occ, documents: [letter]}\n  - {file: bidi2.yaml, level: occ, documents: [letter]}\n' >"$T/two.yaml"
"$PDGEN" batch "$T/two.yaml" -o "$T/two" -j 1 -q >"$T/two.out" 2>&1 || fail "bidi: a batch of two" "$(cat "$T/two.out")"
for f in "$T"/two/*.pdf; do
	check "bidi: $(basename "$f") of a batch: Arabic joined" $G "$f" joined=محمد joined=مسجد
	case $(letters "$f") in *"$(echo "the imam of مسجد الفاروق and Rabbi אברהם לוי wrote" | letters)"*)
		ok "bidi: $(basename "$f") of a batch: the words in order" ;;
	*) fail "bidi: $(basename "$f") of a batch: the words in order" "$(letters "$f")" ;; esac
done
# where the words stand: Hebrew and Arabic right to left, in a line read left to right
pdftotext -bbox "$T/bidi.pdf" "$T/bidi.html"
check "bidi: שרה right of כהן, محمد right of علي, الفاروق left of مسجد, Nguyễn left of Thị" \
	$P - "$T/bidi.html" <<'PY'
import re, sys
x = {}  # each word's left edge; -bbox gives a right-to-left word's letters as seen
for m in re.finditer(r'<word xMin="([\d.]+)"[^>]*>([^<]*)</word>', open(sys.argv[1]).read()):
    word = m.group(2).strip(",;()")
    x.setdefault(word[::-1] if re.search("[\u0590-\u08ff]", word) else word, float(m.group(1)))
pairs = [("שרה", "כהן"), ("محمد", "علي"), ("مسجد", "الفاروق"), ("אברהם", "לוי")]
bad = [p for p in pairs if not x.get(p[0], 0) > x.get(p[1], 1e9)]
bad += [p for p in [("Nguyễn", "Thị")] if not x[p[0]] < x[p[1]]]
print(bad or "")
sys.exit(1 if bad else 0)
PY
# a paragraph written in Hebrew: set from the right, its first word rightmost
printf -- '---\ntitle: Hebrew\n---\n\nEnglish first.\n\nשלום עליכם, אדוני השופט.\n\nلا إله إلا الله\n' >"$T/rtl.md"
"$PDGEN" typeset "$T/rtl.md" -o "$T/rtl.pdf" 2>"$T/rtl.err" || fail "bidi: a Hebrew paragraph typesets" "$(cat "$T/rtl.err")"
pdftotext -bbox "$T/rtl.pdf" "$T/rtl.html"
check "bidi: a Hebrew paragraph ends at the right margin, its first word rightmost; lam-alef" \
	$P - "$T/rtl.html" <<'PY'
import re, sys
w = {}  # each word's left and right edges, its letters in the order written
for m in re.finditer(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>([^<]*)</word>',
                     open(sys.argv[1]).read()):
    word = m.group(3).strip(",.")
    w[word[::-1] if re.search("[\u0590-\u08ff]", word) else word] = (float(m.group(1)), float(m.group(2)))
bad = []
if not w["שלום"][0] > w["עליכם"][0] > w["אדוני"][0] > w["השופט"][0]:
    bad.append("Hebrew words not right to left")
if not w["שלום"][1] > 539:  # the measure ends at 540 pt
    bad.append("Hebrew paragraph not at the right margin: %r" % (w["שלום"],))
if not w["لا"][0] > w["إله"][0]:
    bad.append("Arabic words not right to left")
print(bad or "")
sys.exit(1 if bad else 0)
PY
w=$(letters "$T/rtl.pdf")
case $w in *"שלום עליכם אדוני השופט"*"لا إله إلا الله"*) ok "bidi: right-to-left paragraphs copied out in the order written" ;;
*) fail "bidi: right-to-left paragraphs copied out in the order written" "$w" ;; esac
check "bidi: lam-alef is one glyph" $G "$T/rtl.pdf" lig=لا
# pdgen's own text form gives each line as written, punctuation and spaces in place
cat >"$T/order.md" <<'EOF'
---
title: Order
---

The imam of مسجد الفاروق and more.

The imam of مسجد الفاروق, and more (ok).

Rabbi אברהם לוי wrote: “שרה כהן (Sarah Cohen), 1999”.

שלום עליכם, אדוני השופט; Mr. Cohen 2024.
EOF
"$PDGEN" typeset --text "$T/order.md" >"$T/order.txt" 2>"$T/order.err" || fail "bidi: typeset --text" "$(cat "$T/order.err")"
awk 'n >= 2 && NF; /^---$/ { n++ }' "$T/order.md" >"$T/order.want"
tr -d '\f' <"$T/order.txt" | sed '/^$/d' >"$T/order.got"
check "bidi: the text form gives every line as written" cmp "$T/order.want" "$T/order.got"
# a link whose words are set right to left: its box over them where they stand; tagged
printf -- '---\ntitle: Links\n---\n\n%s\n' 'Write to the rabbi [אברהם](mailto:avraham@example.com) לוי or see ~~the imam مسجد~~ [the office](https://example.com/office) today.' >"$T/links.md"
"$PDGEN" typeset "$T/links.md" -o "$T/links.pdf" 2>"$T/links.err" || fail "bidi: links typeset" "$(cat "$T/links.err")"
pdftotext -bbox "$T/links.pdf" "$T/links.html"
check "bidi: a link's box covers its right-to-left words, and only them" $P - "$T/links.pdf" "$T/links.html" <<'PY'
import re, sys
import pikepdf
words = [(m.group(3)[::-1] if re.search("[\u0590-\u08ff]", m.group(3)) else m.group(3),
          float(m.group(1)), float(m.group(2)))
         for m in re.finditer(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>([^<]*)</word>',
                              open(sys.argv[2]).read())]
pdf = pikepdf.open(sys.argv[1])
box = {str(a.A.URI): [float(v) for v in a.Rect] for a in pdf.pages[0].Annots}
x0, _, x1, _ = box["mailto:avraham@example.com"]
inside = sorted(w for w, a, b in words if a >= x0 - 0.5 and b <= x1 + 0.5)
print(inside)
sys.exit(0 if inside == ["אברהם"] else 1)
PY
check "bidi: the links line is tagged" $P "$TOP/tests/pdf_tags.py" "$T/links.pdf"
# an English paragraph opening with a Hebrew name stays English (flush left, the name in
# its place); a Hebrew one with an English name in it is set right to left
printf -- '---\ntitle: T\n---\n\n%s\n\n%s\n' 'משה כהן, a native of Israel born in 1980, is not detained.' \
	'שלום עליכם, אדוני השופט, Mr. Cohen.' >"$T/para.md"
"$PDGEN" typeset "$T/para.md" -o "$T/para.pdf" 2>"$T/para.err" || fail "bidi: mixed paragraphs typeset" "$(cat "$T/para.err")"
pdftotext -bbox "$T/para.pdf" "$T/para.html"
check "bidi: a paragraph's direction is that of most of its letters, starting with the first" \
	$P - "$T/para.html" <<'PY'
import re, sys
w = {}
for m in re.finditer(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>([^<]*)</word>',
                     open(sys.argv[1]).read()):
    word = m.group(3).strip(",.")
    w.setdefault(word[::-1] if re.search("[\u0590-\u08ff]", word) else word, (float(m.group(1)), float(m.group(2))))
bad = []
if not (abs(w["כהן"][0] - 72) < 0.5 and w["משה"][0] > w["כהן"][0] and w["a"][0] > w["משה"][0]):
    bad.append("the English paragraph does not start at the left margin with the name")
if not (abs(w["שלום"][1] - 540) < 0.5 and w["Cohen"][0] < w["השופט"][0] and w["Mr"][0] < w["Cohen"][0]):
    bad.append("the Hebrew paragraph is not set from the right")
print(bad or "")
sys.exit(1 if bad else 0)
PY
# a list whose items are written right to left: indented from the right, each marker in the
# gutter to the right of its item's text; an English list beside it keeps its markers left
printf -- '---\ntitle: Lists\n---\n\n- שלום עליכם אדוני\n- תודה רבה\n\n1. אחד שניים\n\n- English item\n' >"$T/rtl-list.md"
"$PDGEN" typeset "$T/rtl-list.md" -o "$T/rtl-list.pdf" 2>"$T/rtl-list.err" || fail "bidi: a right-to-left list typesets" "$(cat "$T/rtl-list.err")"
pdftotext -bbox "$T/rtl-list.pdf" "$T/rtl-list.html"
check "bidi: a right-to-left list item's marker right of its text, its text indented from the right" \
	$P - "$T/rtl-list.html" <<'PY'
import re, sys
w = []  # (text, left, right) in the order pdftotext gives them
for m in re.finditer(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>([^<]*)</word>',
                     open(sys.argv[1]).read()):
    w.append((m.group(3), float(m.group(1)), float(m.group(2))))
def at(text):
    return [x for x in w if x[0] == text]
bad = []
hebrew = [x for x in w if re.search("[\u0590-\u05ff]", x[0])]
bullets, one, english = at("\u2022"), at("1."), at("English")
if len(bullets) != 3 or not one or not english:
    bad.append("markers or words missing: %r" % w)
else:
    right_edge = max(x[2] for x in hebrew)
    if not right_edge < 540 - 10:
        bad.append("right-to-left items not indented from the right: %r" % right_edge)
    if not (bullets[0][1] > right_edge and bullets[1][1] > right_edge and one[0][1] > right_edge):
        bad.append("right-to-left markers not right of the text: %r %r" % (bullets, one))
    if not bullets[2][2] < english[0][1]:
        bad.append("the English item's marker not left of its text: %r %r" % (bullets[2], english))
print(bad or "")
sys.exit(1 if bad else 0)
PY

# a mark the font places (DejaVu Serif's mark attachment) stands over its letter
printf -- '---\ntitle: Marks\nfont: DejaVu Serif\n---\n\nThe names n\314\210 and x\314\214 and Ad\303\251.\n' >"$T/marks.md"
PDGEN_DATADIR=$D "$PDGEN" typeset "$T/marks.md" -o "$T/marks.pdf" 2>"$T/marks.err" || fail "marks: typeset" "$(cat "$T/marks.err")"
check "marks: a diaeresis and a caron drawn over their letters" $G "$T/marks.pdf" over=n$(printf '\314\210') over=x$(printf '\314\214')
w=$(words "$T/marks.pdf")
[ "$w" = "$(printf 'The names n\314\210 and x\314\214 and Ad\303\251.')" ] && ok "marks: the text extracted as written" ||
	fail "marks: the text extracted as written" "$w"
check "marks: the checker fails a mark after its letter" sh -c "! $G $T/kern.pdf over=mm"
finish
