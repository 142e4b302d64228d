#!/bin/sh
# Fonts: letters are set in the cut fonts made at build time (small, fast to embed, renamed
# as the OFL asks); a character the cut lacks comes from the full shipped font, never a gap.
. tests/lib.sh
if [ ! -f fonts/cut/LiberationSerif-Regular.ttf ]; then
	fail "the build made the cut fonts (fonts/cut/)"; finish
fi
ok "the build made the cut fonts (fonts/cut/)"
cut=$(wc -c <fonts/cut/LiberationSerif-Regular.ttf) full=$(wc -c <fonts/LiberationSerif-Regular.ttf)
[ "$cut" -lt $((full / 2)) ] && ok "the cut is less than half the full font ($cut bytes)" \
	|| fail "the cut is less than half the full font ($cut of $full bytes)"

printf 'Ivan Petrov: Иван Петров. Hebrew: שלום. Nguyễn Thị Minh Khai.\n' >"$SCRATCH/mixed.md"
"$PDGEN" typeset "$SCRATCH/mixed.md" -o "$SCRATCH/mixed.pdf" 2>"$SCRATCH/err"
pdffonts "$SCRATCH/mixed.pdf" >"$SCRATCH/fonts" 2>/dev/null
grep -q 'PdgenCutSerif-Regular' "$SCRATCH/fonts" && ok "body text is set in the cut font" \
	|| fail "body text is set in the cut font" "$(cat "$SCRATCH/fonts" "$SCRATCH/err")"
grep -q '+LiberationSerif ' "$SCRATCH/fonts" && ok "Hebrew falls back to the full font" \
	|| fail "Hebrew falls back to the full font" "$(cat "$SCRATCH/fonts")"
pdf_text "$SCRATCH/mixed.pdf" >"$SCRATCH/text"
for w in 'Иван Петров' 'Nguyễn Thị Minh Khai'; do
	grep -qF "$w" "$SCRATCH/text" && ok "prints '$w'" || fail "prints '$w'" "$(cat "$SCRATCH/text")"
done
grep -q 'ש' "$SCRATCH/text" && ok "prints the Hebrew letters" || fail "prints the Hebrew letters"
check "every font is embedded" fonts_embedded "$SCRATCH/mixed.pdf"
finish
