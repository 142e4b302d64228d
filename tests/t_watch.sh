#!/bin/sh
# pdgen watch: the letter made again after each change to the case, a template, a data file
# of the overlay; a broken template reported while the last good PDF stays; Ctrl-C exits 0.
# Driven by conditions (the PDF's text), each waited for with a time limit, never timed.
. tests/lib.sh

W=$SCRATCH/w
mkdir -p "$W/t"
cp "$TOP/samples/hernandez-lopez-ero.yaml" "$W/case.yaml"
OUT=$W/out.pdf

# until SECONDS CONDITION...: polls the condition every 0.1 s; fails after SECONDS
until_true() {
	limit=$(( $1 * 10 )); shift
	while [ $limit -gt 0 ]; do
		"$@" 2>/dev/null && return 0
		sleep 0.1
		limit=$((limit - 1))
	done
	return 1
}
pdf_has() { pdf_text "$OUT" | grep -q "$1"; }
made_times() { [ "$(grep -c '^wrote ' "$W/err")" -ge "$1" ]; }

timeout 120 "$PDGEN" watch "$W/case.yaml" --level fod --templates "$W/t" -o "$OUT" 2>"$W/err" &
pid=$!
trap 'kill $pid 2>/dev/null; rm -rf "$SCRATCH"' EXIT

if until_true 20 made_times 1 && pdf_has 'Hern'; then
	ok "watch makes the letter at once"
else
	fail "watch makes the letter at once" "$(cat "$W/err")"
fi

# one level's letter changed in the overlay
sed 's/We write to ask that you review/We write WATCHONE to ask that you review/' \
	"$TOP/templates/letter-review.md" >"$W/t/letter-review.md.new"
mv "$W/t/letter-review.md.new" "$W/t/letter-review.md"
until_true 20 pdf_has WATCHONE && ok "a new template in the overlay is made" ||
	fail "a new template in the overlay is made" "$(cat "$W/err")"

# a broken template: reported at its place, the last PDF left whole
n=$(grep -c '^wrote ' "$W/err")
printf '{{#client}}unclosed\n' >>"$W/t/letter-review.md"
if until_true 20 grep -q 'letter-review.md:.*error' "$W/err" && pdf_has WATCHONE; then
	ok "a broken template is reported; the last PDF stays"
else
	fail "a broken template is reported; the last PDF stays" "$(cat "$W/err")"
fi
sed -i 's/WATCHONE/WATCHTWO/; /^{{#client}}unclosed$/d' "$W/t/letter-review.md"
until_true 20 pdf_has WATCHTWO && ok "the mended template is made again" ||
	fail "the mended template is made again" "$(cat "$W/err")"

# the case file changed
sed -i 's/^  country_of_birth: Mexico/  country_of_birth: Guatemala/' "$W/case.yaml"
until_true 20 pdf_has 'Guatemala' && ok "a change to the case is made" ||
	fail "a change to the case is made" "$(cat "$W/err")"

# a data file of the overlay: the house style
printf 'paper: a4\n' >"$W/t/style.yaml"
a4() { pdfinfo "$OUT" | grep -q 'Page size: *595.2'; }
until_true 20 a4 && ok "style.yaml added to the overlay is made" ||
	fail "style.yaml added to the overlay is made" "$(cat "$W/err")"

# a logo: the image beside the case, then firm.logo naming it
python3 - "$W/logo.png" <<'PY'
import struct, sys, zlib
def chunk(t, d):
    return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
rows = b''.join(b'\0' + bytes([20, 60, 160]) * 30 for _ in range(10))
open(sys.argv[1], 'wb').write(b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', 30, 10, 8, 2, 0, 0, 0))
                              + chunk(b'IDAT', zlib.compress(rows)) + chunk(b'IEND', b''))
PY
sed -i 's/^  name: "Castillo & Reyes Immigration Law, LLC"/&\n  logo: logo.png/' "$W/case.yaml"
has_image() { [ "$(pdfimages -list "$OUT" 2>/dev/null | awk 'NR > 2' | wc -l)" -ge 1 ]; }
until_true 20 has_image && ok "a logo added to the case is made" ||
	fail "a logo added to the case is made" "$(tail -5 "$W/err")"

# Ctrl-C: exit 0
kill -INT $pid
wait $pid
rc=$?
[ $rc -eq 0 ] && ok "Ctrl-C ends watch with exit 0" || fail "Ctrl-C ends watch with exit 0" "exit $rc"
ls "$W" | grep -q '\.tmp-' && fail "no temporary file is left" "$(ls "$W")"

"$PDGEN" watch "$W/case.yaml" >/dev/null 2>&1
[ $? -eq 2 ] && ok "watch without --level is a usage error" || fail "watch without --level is a usage error"
finish
