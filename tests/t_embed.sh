#!/bin/sh
# Embedded fonts: each face carries only the glyphs its document prints (HarfBuzz subset,
# renumbered), the glyphs are the right ones, and a font program kept from an earlier
# document of a batch gives the same bytes as one made afresh.
. tests/lib.sh

# dark_pixels PDF: the number of dark pixels of page 1 rendered at 72 dpi
dark_pixels() {
	pdftoppm -gray -r 72 -f 1 -l 1 "$1" "$SCRATCH/px" 2>/dev/null &&
		python3 -c 'import sys
d = open(sys.argv[1], "rb").read()
h = d.split(b"\n", 3)
print(sum(1 for b in h[3] if b < 128))' "$SCRATCH"/px*.pgm && rm -f "$SCRATCH"/px*.pgm
}
typeset_text() { # NAME TEXT: a one-line document in 24 pt
	printf -- '---\nsize: 24\n---\n%s\n' "$2" >"$SCRATCH/$1.md"
	"$PDGEN" typeset "$SCRATCH/$1.md" -o "$SCRATCH/$1.pdf" 2>"$SCRATCH/$1.err"
}

subset_only() { pdffonts "$1" | awk 'NR > 2 && $(NF-3) != "yes" { bad = 1 } END { exit bad }'; }
"$PDGEN" letter samples/hernandez-lopez-ero.yaml --level fod -o "$SCRATCH/latin.pdf"
"$PDGEN" letter samples/wang-cjk.yaml --level occ -o "$SCRATCH/cjk.pdf"
sources="fonts/cut/*.ttf fonts/*.ttf $(ls /usr/share/fonts/truetype/wqy/wqy-microhei.ttc 2>/dev/null)"
for f in latin cjk; do
	check "$f letter: every font embedded as a subset" subset_only "$SCRATCH/$f.pdf"
	# shellcheck disable=SC2086
	check "$f letter: every character drawn with its own glyph (outlines compared)" \
		/usr/bin/python3 tests/pdf_glyphs.py "$SCRATCH/$f.pdf" $sources
	check "$f letter: qpdf accepts it" qpdf --check "$SCRATCH/$f.pdf"
	rendered=$(pdftoppm -r 20 -f 1 -l 1 "$SCRATCH/$f.pdf" "$SCRATCH/r" 2>&1)
	[ -z "$rendered" ] && ok "$f letter: poppler draws it without a complaint" \
		|| fail "$f letter: poppler draws it without a complaint" "$rendered"
done
size=$(wc -c <"$SCRATCH/latin.pdf")
[ "$size" -le 40960 ] && ok "a three-page Latin letter is at most 40 KB ($size bytes)" \
	|| fail "a three-page Latin letter is at most 40 KB ($size bytes)"
size=$(wc -c <"$SCRATCH/cjk.pdf")
[ "$size" -le 61440 ] && ok "a letter with a CJK name is at most 60 KB ($size bytes): the CJK font is cut to its characters" \
	|| fail "a letter with a CJK name is at most 60 KB ($size bytes)"

# the right glyphs: a wide letter blackens more than a narrow one, accents and ideographs
# are drawn (a wrong glyph map draws nothing: the subset's .notdef is empty)
typeset_text wide 'WWWWWWWW MMMMMMMM'
typeset_text thin 'llllllll iiiiiiii'
wide=$(dark_pixels "$SCRATCH/wide.pdf") thin=$(dark_pixels "$SCRATCH/thin.pdf")
[ "${wide:-0}" -gt $((2 * ${thin:-0})) ] && [ "${thin:-0}" -gt 20 ] &&
	ok "glyphs drawn are the characters' own (W $wide, l $thin dark pixels)" ||
	fail "glyphs drawn are the characters' own (W ${wide:-?}, l ${thin:-?} dark pixels)"
for t in 'Nguyễn Ấ Ở' '王小明 陳美玲' "Zoë Łukasz Østergaard"; do
	typeset_text one "$t"
	n=$(dark_pixels "$SCRATCH/one.pdf")
	[ "${n:-0}" -gt 100 ] && ok "'$t' is drawn ($n dark pixels)" \
		|| fail "'$t' is drawn (${n:-?} dark pixels)" "$(cat "$SCRATCH/one.err")"
done

# a program kept from an earlier document gives the bytes a fresh process gives
mkdir -p "$SCRATCH/d"
cp samples/hernandez-lopez-ero.yaml "$SCRATCH/d/a.yaml"
sed 's/^  a_number: .*/  a_number: "A087654321"/' samples/hernandez-lopez-ero.yaml >"$SCRATCH/d/b.yaml"
cat >"$SCRATCH/d/docket.yaml" <<'D'
docket: embed test
cases:
  - {file: b.yaml, level: fod, documents: [letter]}
  - {file: a.yaml, level: fod, documents: [letter]}
D
"$PDGEN" batch "$SCRATCH/d/docket.yaml" -o "$SCRATCH/d/out" -j 1 --quiet
"$PDGEN" letter "$SCRATCH/d/a.yaml" --level fod -o "$SCRATCH/d/alone.pdf"
check "a letter made second in a batch equals the same letter made alone" \
	cmp "$SCRATCH/d/out/hernandez-lopez-A012345678-fod-letter.pdf" "$SCRATCH/d/alone.pdf"
finish
