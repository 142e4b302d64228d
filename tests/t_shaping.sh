#!/bin/sh
# Shaping: the font's kerning in the PDF (word boxes narrower than the advances summed), the
# text extracted exactly, unkerned words kept as they were.
. tests/lib.sh
T=$SCRATCH
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
finish
