#!/bin/sh
# pdgen packet: the sample's packet holds letter + memo + every enclosure page, each page
# stamped, the memo's index giving each tab's stamps, bookmarks on every tab, qpdf-clean,
# the same bytes twice; damaged, encrypted, missing and foreign files refused at their line.
. tests/lib.sh
PY=/usr/bin/python3
sample=samples/packet/ramirez-opla-hq.yaml
encl=samples/packet/encl

npages() { qpdf --show-npages "$1"; }
pages_of() { # the enclosure files' page counts in tab order (a scan is one page)
	for f in g28.pdf eoir28.pdf birth-certificate.png support-letters.pdf denial-email.pdf; do
		case $f in *.pdf) npages "$encl/$f" ;; *) echo 1 ;; esac
	done
}

"$PDGEN" letter $sample --level opla-hq -o "$SCRATCH/letter.pdf" 2>"$SCRATCH/err" || fail "letter" "$(cat "$SCRATCH/err")"
if "$PDGEN" packet $sample --level opla-hq -o "$SCRATCH/p.pdf" 2>"$SCRATCH/err"; then
	ok "packet of the sample"
else fail "packet of the sample" "$(cat "$SCRATCH/err")"; fi
[ -s "$SCRATCH/err" ] && fail "packet of the sample prints no diagnostics" "$(cat "$SCRATCH/err")"
check "packet passes qpdf --check" qpdf --check "$SCRATCH/p.pdf"
check "packet embeds every font" fonts_embedded "$SCRATCH/p.pdf"
check "packet: page count, a stamp on every page, bookmarks and the memo's index" \
	$PY tests/packet_check.py "$SCRATCH/p.pdf" A209517846 "$(npages "$SCRATCH/letter.pdf")" $(pages_of)
"$PDGEN" packet $sample --level opla-hq -o "$SCRATCH/p2.pdf" 2>/dev/null
check "two runs give the same bytes" cmp "$SCRATCH/p.pdf" "$SCRATCH/p2.pdf"
labels=$($PY -c 'import pikepdf,sys
pdf = pikepdf.open(sys.argv[1])
print(" ".join(p.label.replace(" ", "_") for p in pdf.pages))' "$SCRATCH/p.pdf")
case "$labels" in "Letter_1 "*"Memo_1 "*"Tab_A-1 Tab_A-2 Tab_B-1 Tab_C-1 "*) ok "page labels follow the tabs" ;;
	*) fail "page labels follow the tabs" "$labels" ;; esac

# a copy of the case whose enclosures the tests replace one at a time
work=$SCRATCH/case
mkdir -p "$work/encl"
cp $encl/*.pdf $encl/*.png "$work/encl/"
# refused FILE NAME PATTERN: with E4's file replaced by FILE, packet fails at E4's line
refused() {
	sed "s#encl/support-letters.pdf#$1#" $sample >"$work/case.yaml"
	line=$(grep -n "id: E4" "$work/case.yaml" | cut -d: -f1)
	echo keep >"$work/out.pdf"
	if "$PDGEN" packet "$work/case.yaml" --level opla-hq -o "$work/out.pdf" 2>"$work/err"; then
		fail "$2 is refused" "exit 0"
	elif ! grep -q "^$work/case.yaml:$line:[0-9]*: error: .*$3" "$work/err"; then
		fail "$2 is refused at its line ($line)" "$(cat "$work/err")"
	elif [ "$(cat "$work/out.pdf")" != keep ]; then
		fail "$2: the earlier output is untouched"
	else ok "$2 is refused at its line"; fi
}
qpdf --encrypt user owner 256 -- $encl/g28.pdf "$work/encl/locked.pdf"
refused encl/locked.pdf "an encrypted enclosure (user password)" "encrypted"
qpdf --encrypt "" owner 256 -- $encl/g28.pdf "$work/encl/owner.pdf"
refused encl/owner.pdf "an encrypted enclosure (owner password only)" "encrypted"
head -c 2000 $encl/support-letters.pdf >"$work/encl/truncated.pdf"
refused encl/truncated.pdf "a truncated PDF" "damaged"
$PY -c 'import sys; d=open(sys.argv[1],"rb").read(); i=d.rfind(b"startxref"); open(sys.argv[2],"wb").write(d[:i]+b"startxref\n77\n%%EOF\n")' \
	$encl/support-letters.pdf "$work/encl/xref.pdf"
refused encl/xref.pdf "a PDF with a broken cross-reference table" "damaged"
echo "not a pdf" >"$work/encl/text.pdf"
refused encl/text.pdf "a text file" "not a PDF, JPEG or PNG"
head -c 300 $encl/birth-certificate.png >"$work/encl/cut.png"
refused encl/cut.png "a cut-off PNG" "damaged PNG"
pdftoppm -r 30 -jpeg -singlefile $encl/eoir28.pdf "$work/encl/whole"
head -c 1500 "$work/encl/whole.jpg" >"$work/encl/cut.jpg"
refused encl/cut.jpg "a cut-off JPEG" "damaged JPEG"
refused encl/nowhere.pdf "a missing file" "does not exist"
mkdir -p "$work/encl/dir.pdf"
refused encl/dir.pdf "a directory" "not a file"

# a required enclosure without a file; the declared page count against the file's
sed 's#, file: encl/support-letters.pdf##' $sample >"$work/case.yaml"
if "$PDGEN" packet "$work/case.yaml" --level opla-hq -o "$work/out2.pdf" 2>"$work/err"; then
	fail "a required enclosure without a file is an error"
elif grep -q "error: \[R-package\] enclosure E4 (Tab D) has no file" "$work/err" && [ ! -e "$work/out2.pdf" ]; then
	ok "a required enclosure without a file is an error (no packet)"
else fail "a required enclosure without a file is an error" "$(cat "$work/err")"; fi
sed 's#pages: 3, file: encl/support-letters.pdf#pages: 5, file: encl/support-letters.pdf#' $sample >"$work/case.yaml"
if "$PDGEN" packet "$work/case.yaml" --level opla-hq -o "$work/out3.pdf" 2>"$work/err" &&
	grep -q "warning: \[R-package\] enclosure E4 (Tab D) declares pages: 5 but its file has 3" "$work/err"; then
	ok "a page count other than pages: is a warning at that line"
else fail "a page count other than pages: is a warning" "$(cat "$work/err")"; fi

# a JPEG scan and a rotated page: fitted, stamped
pdftoppm -r 30 -jpeg -singlefile $encl/eoir28.pdf "$work/encl/scan"
qpdf --rotate=+90:1 $encl/support-letters.pdf "$work/encl/rotated.pdf"
sed 's#encl/eoir28.pdf#encl/scan.jpg#; s#encl/support-letters.pdf#encl/rotated.pdf#' $sample >"$work/case.yaml"
if "$PDGEN" packet "$work/case.yaml" --level opla-hq -o "$work/jpeg.pdf" 2>"$work/err"; then
	check "a JPEG scan and a rotated page: page count, stamps, index" \
		$PY tests/packet_check.py "$work/jpeg.pdf" A209517846 "$(npages "$SCRATCH/letter.pdf")" 2 1 1 3 1
else fail "a JPEG scan is enclosed" "$(cat "$work/err")"; fi

# JPEG scans (baseline, progressive, gray) enclosed as they are: the image a DCTDecode
# stream holding the file's bytes, not decoded pixels compressed again
$PY - "$work/encl/scan.jpg" "$work/encl" <<'PYEOF'
import sys
from PIL import Image
im = Image.open(sys.argv[1])
im.save(f"{sys.argv[2]}/progressive.jpg", progressive=True, quality=80)
im.convert("L").save(f"{sys.argv[2]}/gray.jpg", quality=80)
PYEOF
for jpg in scan.jpg progressive.jpg gray.jpg; do
	sed "s#encl/birth-certificate.png#encl/$jpg#" $sample >"$work/case.yaml"
	if "$PDGEN" packet "$work/case.yaml" --level opla-hq -o "$work/dct.pdf" 2>"$work/err" &&
		$PY - "$work/dct.pdf" "$work/encl/$jpg" >"$work/dct.out" 2>&1 <<'PYEOF'
import sys, pikepdf
pdf = pikepdf.open(sys.argv[1])
raw = open(sys.argv[2], "rb").read()
imgs = [x for p in pdf.pages for x in p.images.values()]
dct = [x for x in imgs if x.get("/Filter") == pikepdf.Name.DCTDecode]
assert len(dct) == 1, f"{len(dct)} DCTDecode images"
assert dct[0].read_raw_bytes() == raw, "the stream is not the file's bytes"
PYEOF
	then check "a JPEG scan ($jpg) passed through: qpdf --check" qpdf --check "$work/dct.pdf"
		ok "a JPEG scan ($jpg) is a DCTDecode image of the file's own bytes"
	else fail "a JPEG scan ($jpg) passed through" "$(cat "$work/err" "$work/dct.out")"; fi
done

# PNG scans: gray and RGB enclosed with the PNG's own rows, the others as pixels over white;
# each shows the scan's pixels exactly
$PY - "$work/encl" <<'PYEOF'
import sys
from PIL import Image
d = sys.argv[1]
def pattern(size):
    im = Image.new("RGB", size)
    im.putdata([((x * 7 + y * 3) % 256, (x * y) % 251, (x * 13 + y) % 256)
                for y in range(size[1]) for x in range(size[0])])
    return im
pattern((257, 133)).convert("L").save(f"{d}/gray.png")
pattern((257, 133)).save(f"{d}/rgb.png")
rgba = pattern((120, 90)).convert("RGBA")
rgba.putalpha(Image.linear_gradient("L").resize((120, 90)))
rgba.save(f"{d}/rgba.png")
pattern((100, 80)).save(f"{d}/trns.png", transparency=(0, 0, 0))
pattern((90, 70)).quantize(16).save(f"{d}/pal.png")
PYEOF
for kind in gray:passthrough rgb:passthrough rgba:pixels trns:pixels pal:pixels; do
	png=${kind%%:*}.png
	sed "s#encl/birth-certificate.png#encl/$png#" $sample >"$work/case.yaml"
	if "$PDGEN" packet "$work/case.yaml" --level opla-hq -o "$work/scan.pdf" 2>"$work/err"; then
		check "a PNG scan ($png) shows its pixels" \
			$PY tests/packet_scan_check.py "$work/scan.pdf" "$work/encl/$png" ${kind#*:}
	else fail "a PNG scan ($png) is enclosed" "$(cat "$work/err")"; fi
done

# tab dividers (house style): one page before each tab
data=$SCRATCH/data
mkdir -p "$data"
cp -R templates "$data/templates"
ln -s "$TOP/fonts" "$data/fonts"
sed 's/^dividers: false/dividers: true/' templates/packet.yaml >"$data/templates/packet.yaml"
if PDGEN_DATADIR=$data "$PDGEN" packet $sample --level opla-hq -o "$SCRATCH/div.pdf" 2>"$SCRATCH/err"; then
	check "dividers: one page before each tab, all stamped" \
		$PY tests/packet_check.py "$SCRATCH/div.pdf" A209517846 "$(npages "$SCRATCH/letter.pdf")" $(pages_of)
	[ "$(npages "$SCRATCH/div.pdf")" -eq $(($(npages "$SCRATCH/p.pdf") + 5)) ] &&
		ok "dividers add one page a tab" || fail "dividers add one page a tab"
else fail "packet with dividers" "$(cat "$SCRATCH/err")"; fi
sed 's/^stamp: .*/stamp: "{{prefix}}\/{{page}}\/{{pages}}"/; s/^page_digits: 4/page_digits: 5/' \
	templates/packet.yaml >"$data/templates/packet.yaml"
PDGEN_DATADIR=$data "$PDGEN" packet $sample --level opla-hq -o "$SCRATCH/pat.pdf" 2>/dev/null
n=$(npages "$SCRATCH/pat.pdf" 2>/dev/null)
if pdftotext -f 2 -l 2 "$SCRATCH/pat.pdf" - 2>/dev/null | grep -q "A209517846/00002/$n"; then
	ok "the stamp pattern comes from packet.yaml"
else fail "the stamp pattern comes from packet.yaml"; fi

# the stamp against the house style: a bottom margin too narrow for it (a footer printing
# just above) moves it to the top as packet.yaml's stamp_places say; no margin wide enough,
# or only a narrow one allowed: refused at the style's margin; a bad place at its line
cp templates/packet.yaml "$data/templates/packet.yaml"
printf 'margins: {top: 1in, right: 1in, bottom: 0.3in, left: 1in}\nfooter: "Frontera Defensa Legal, page {page} of {pages}"\n' >"$data/templates/style.yaml"
if PDGEN_DATADIR=$data "$PDGEN" packet $sample --level opla-hq -o "$SCRATCH/top.pdf" 2>"$SCRATCH/err"; then
	# every page: the stamp in the top margin (pdftotext's y grows downwards), nothing else
	# of the page within 4pt of it; the footer in its place at the foot
	pdftotext -bbox "$SCRATCH/top.pdf" - | $PY -c 'import sys, re
pages, page = [], None
for line in sys.stdin:
    if "<page " in line: page = []; pages.append(page)
    m = re.search(r"yMin=\"([\d.]+)\" xMax=\"[\d.]+\" yMax=\"([\d.]+)\">(.*)</word>", line)
    if m and page is not None: page.append((float(m.group(1)), float(m.group(2)), m.group(3)))
for n, words in enumerate(pages, 1):
    stamp = [w for w in words if w[2].startswith("A209517846-") and w[1] < 72]
    assert len(stamp) == 1 and stamp[0][1] < 36, (n, stamp)
    below = min((w[0] for w in words if w[0] > stamp[0][0] + 1), default=99)  # not its line
    assert below >= stamp[0][1] + 4, (n, "text within 4pt of the stamp", below, stamp)
print(len(pages))' >"$SCRATCH/top.out" 2>&1 &&
		pdftotext -f 1 -l 1 "$SCRATCH/top.pdf" - | grep -q "Frontera Defensa Legal, page 1 of" &&
		pdftotext "$SCRATCH/top.pdf" - | grep -q "carries a stamp at its head;" &&
		ok "a bottom margin too narrow for the stamp: the stamp at the top of all $(cat "$SCRATCH/top.out") pages, clear of the text; the footer kept; the memo says where" ||
		fail "a narrow bottom margin moves the stamp to the top" "$(cat "$SCRATCH/top.out")"
else fail "a narrow bottom margin moves the stamp to the top" "$(cat "$SCRATCH/err")"; fi
printf 'margins: 0.3in\n' >"$data/templates/style.yaml"
if PDGEN_DATADIR=$data "$PDGEN" packet $sample --level opla-hq -o "$SCRATCH/narrow.pdf" 2>"$SCRATCH/err"; then
	fail "margins too narrow for the stamp are refused"
elif grep -q "^$data/templates/style.yaml:1:10: error: the bottom margin (0.30in) and the top margin (0.30in) .* leave no room for the packet stamp" "$SCRATCH/err" &&
	[ ! -e "$SCRATCH/narrow.pdf" ]; then
	ok "margins too narrow for the stamp: refused at the house style's margins, no packet"
else fail "margins too narrow for the stamp are refused at the style's margins" "$(cat "$SCRATCH/err")"; fi
# refused_at NAME PATTERN: the sample packet, made with $data, is refused (no file) with an
# error matching PATTERN
refused_at() {
	if PDGEN_DATADIR=$data "$PDGEN" packet $sample --level opla-hq -o "$SCRATCH/refused.pdf" 2>"$SCRATCH/err"; then
		fail "$1" "a packet was made"
	elif grep -q "$2" "$SCRATCH/err" && [ ! -e "$SCRATCH/refused.pdf" ]; then
		ok "$1"
	else fail "$1" "$(cat "$SCRATCH/err")"; fi
}
printf 'margins:\n  top: 1in\n  bottom: 20pt\n' >"$data/templates/style.yaml"
sed 's/^stamp_places: .*/stamp_places: [bottom]/' templates/packet.yaml >"$data/templates/packet.yaml"
refused_at "a narrow bottom margin, the stamp allowed only there: refused at the bottom margin's line" \
	"^$data/templates/style.yaml:3:11: error: the bottom margin (0.28in) .* leaves no room"
rm "$data/templates/style.yaml"
line=$(grep -n '^stamp_places:' templates/packet.yaml | cut -d: -f1)
sed 's/^stamp_places: .*/stamp_places: [bottom, middle]/' templates/packet.yaml >"$data/templates/packet.yaml"
PDGEN_DATADIR=$data "$PDGEN" packet $sample --level opla-hq -o "$SCRATCH/bad.pdf" 2>"$SCRATCH/err"
[ $? = 1 ] && grep -q "packet.yaml:$line:[0-9]*: error: packet.yaml: a stamp place is bottom or top, not 'middle'" "$SCRATCH/err" &&
	ok "a stamp place other than bottom or top: an error at its line of packet.yaml" ||
	fail "a bad stamp place is an error at its line" "$(cat "$SCRATCH/err")"

# a stamp pattern with a misspelt field, or a character the stamp face lacks: one error at
# its line of packet.yaml, no packet
line=$(grep -n '^stamp:' templates/packet.yaml | cut -d: -f1)
for bad in '{{prefx}}-{{page}}' 'Ä{{prefix}}-{{page}}'; do
	sed "s/^stamp: .*/stamp: \"$bad\"/" templates/packet.yaml >"$data/templates/packet.yaml"
	if PDGEN_DATADIR=$data "$PDGEN" packet $sample --level opla-hq -o "$SCRATCH/bad.pdf" 2>"$SCRATCH/err"; then
		fail "stamp '$bad' is refused"
	elif [ "$(grep -c ': error: ' "$SCRATCH/err")" = 1 ] &&
		grep -q "packet.yaml:$line:[0-9]*: error: " "$SCRATCH/err" && [ ! -e "$SCRATCH/bad.pdf" ]; then
		ok "stamp '$bad' is one error at its line of packet.yaml"
	else fail "stamp '$bad' is one error at its line of packet.yaml" "$(cat "$SCRATCH/err")"; fi
done

# the limits of packet.yaml: an enclosure over them is refused at its line
line=$(grep -n "id: E4" $sample | cut -d: -f1)
sed 's/^  pages: 2000 .*/  pages: 2/' templates/packet.yaml >"$data/templates/packet.yaml"
refused_at "an enclosure over limits.pages is refused at its line" \
	"^$sample:$line:[0-9]*: error: .*has 3 pages, over the limit of 2"
sed 's/^  file_mb: 50 .*/  file_mb: 1/' templates/packet.yaml >"$data/templates/packet.yaml"
head -c 1100000 /dev/urandom >"$work/encl/big.pdf"
sed "s#encl/support-letters.pdf#encl/big.pdf#" $sample >"$work/case.yaml"
if PDGEN_DATADIR=$data "$PDGEN" packet "$work/case.yaml" --level opla-hq -o "$SCRATCH/lim.pdf" 2>"$SCRATCH/err"; then
	fail "an enclosure over limits.file_mb is refused"
elif grep -q "^$work/case.yaml:$line:[0-9]*: error: .*over the limit of 1 MB" "$SCRATCH/err"; then
	ok "an enclosure over limits.file_mb is refused at its line"
else fail "an enclosure over limits.file_mb is refused at its line" "$(cat "$SCRATCH/err")"; fi

# a first request (no memo), its enclosures without files: the letter alone, a warning a tab
"$PDGEN" letter samples/ero-emergency-detained.yaml --level ero -o "$SCRATCH/hl.pdf" 2>/dev/null
if "$PDGEN" packet samples/ero-emergency-detained.yaml --level ero -o "$SCRATCH/ero.pdf" 2>"$SCRATCH/err" &&
	[ "$(npages "$SCRATCH/ero.pdf")" = "$(npages "$SCRATCH/hl.pdf")" ] &&
	[ "$(grep -c 'warning: \[R-package\] enclosure E[0-9]* (Tab [A-Z]) has no file: the packet leaves it out' "$SCRATCH/err")" = \
	  "$(grep -c '^  - {id: E' samples/ero-emergency-detained.yaml)" ]; then
	ok "a first request's packet: the letter, and a warning for each tab without a file"
else fail "a first request's packet" "$(cat "$SCRATCH/err")"; fi
pdftotext -f 1 -l 1 "$SCRATCH/ero.pdf" - | grep -q "A012345678-0001" && ok "a first request's packet is stamped" ||
	fail "a first request's packet is stamped"
finish
