#!/bin/sh
# End to end: every sample of samples/docket.yaml renders to a valid PDF with embedded fonts,
# and the text a reader sees holds the client's name (NFC), the A-number and the addressee.
. tests/lib.sh

out=$SCRATCH/out
if sh tests/demo.sh "$PDGEN" "$out" >"$SCRATCH/demo.log" 2>&1; then ok "demo renders every sample"
else fail "demo renders every sample" "$(cat "$SCRATCH/demo.log")"; fi

for pdf in "$out"/*.pdf; do
	[ -f "$pdf" ] || { fail "demo wrote PDFs"; break; }
	name=$(basename "$pdf")
	check "$name passes qpdf --check" qpdf --check "$pdf"
	check "$name embeds every font" fonts_embedded "$pdf"
done
count=$(ls "$out"/*.pdf 2>/dev/null | wc -l)
[ "$count" -ge 3 ] && ok "at least three sample PDFs ($count)" || fail "at least three sample PDFs ($count)"

# expect PDF STRING...: every string appears in the PDF's text, byte for byte (NFC)
expect() {
	pdf=$out/$1; shift
	[ -f "$pdf" ] || { fail "$(basename "$pdf") exists"; return; }
	pdf_text "$pdf" | tr '\n' ' ' | tr -s ' ' >"$SCRATCH/text"
	for s in "$@"; do
		if grep -qF -- "$s" "$SCRATCH/text"; then ok "$(basename "$pdf") shows '$s'"
		else fail "$(basename "$pdf") shows '$s'" "$(head -c 400 "$SCRATCH/text")"; fi
	done
}
expect hernandez-lopez-A012345678-fod-letter.pdf "José Luis Hernández-López" "A012-345-678" \
	"Robert Smith" "Field Office Director"
expect ozturk-A208555431-occ-letter.pdf "Çağrı Öztürk" "A208-555-431" "Karen Li"
expect nguyen-A098765432-ero-letter.pdf "Nguyễn Thị Minh Khai" "A098-765-432" "Michael Brown"

# NFC: the decomposed spelling must never reach the PDF
nfd=$(printf 'Nguye\314\202\314\203n')
if pdf_text "$out/nguyen-A098765432-ero-letter.pdf" | grep -qF "$nfd"; then
	fail "text is NFC"; else ok "text is NFC"; fi
finish
