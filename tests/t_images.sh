#!/bin/sh
# Images are untrusted input: PNG and JPEG files made here (good, cut short, 16-bit
# interlaced, a 30000 x 30000 bomb, a bare 65535 x 65535 JPEG header) are drawn exactly or
# refused with a located error at the Markdown that names them; none crashes or balloons.
. tests/lib.sh
S=$SCRATCH
cd "$S"
python3 - <<'PY'
import struct, zlib
def chunk(t, d):
    return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
def png(w, h, rows, depth=8, ctype=2, interlace=0, z=None):
    ihdr = struct.pack('>IIBBBBB', w, h, depth, ctype, 0, 0, interlace)
    return (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', ihdr) +
            chunk(b'IDAT', z if z is not None else zlib.compress(rows)) + chunk(b'IEND', b''))
w, h = 60, 30
good = png(w, h, b''.join(b'\0' + b''.join(bytes([x * 4, y * 8, 128]) for x in range(w))
                          for y in range(h)))
open('good.png', 'wb').write(good)
open('cut.png', 'wb').write(good[:len(good) // 2])
# 16-bit RGB, Adam7: each pass's rows in turn (libharu freed this twice)
passes = [(0, 0, 8, 8), (4, 0, 8, 8), (0, 4, 4, 8), (2, 0, 4, 4), (0, 2, 2, 4), (1, 0, 2, 2),
          (0, 1, 1, 2)]
raw = b''
for x0, y0, dx, dy in passes:
    xs, ys = range(x0, 17, dx), range(y0, 9, dy)
    if len(xs) and len(ys):
        for y in ys:
            raw += b'\0' + b''.join(struct.pack('>HHH', x * 3000, y * 7000, 40000) for x in xs)
open('deep.png', 'wb').write(png(17, 9, raw, depth=16, interlace=1))
# 30000 x 30000 of zero rows: 2.6 MB that decode to 2.7 GB
c = zlib.compressobj(9)
row = b'\0' * (1 + 3 * 30000)
z = b''.join(c.compress(row) for _ in range(30000)) + c.flush()
open('bomb.png', 'wb').write(png(30000, 30000, b'', z=z))
# a bare JPEG header of 65535 x 65535, then a scan header
sof = struct.pack('>BBHBHHB', 0xFF, 0xC0, 17, 8, 65535, 65535, 3) + bytes(
    [1, 0x22, 0, 2, 0x11, 1, 3, 0x11, 1])
sos = bytes([0xFF, 0xDA, 0, 12, 3, 1, 0, 2, 0x11, 3, 0x11, 0, 63, 0])
open('huge.jpg', 'wb').write(b'\xff\xd8' + sof + sos + b'\0' * 64 + b'\xff\xd9')
PY
printf '# T\n\n![a](good.png)\n\n![b](deep.png)\n' >good.md
"$PDGEN" typeset good.md -o good.pdf 2>err
check "images: a PNG drawn, a 16-bit interlaced one too" test -s good.pdf
check "images: qpdf accepts the PDF" qpdf --check good.pdf
pdftoppm -r 40 -jpeg -singlefile good.pdf page 2>/dev/null # a JPEG of our own
printf '# T\n\n![a](page.jpg)\n' >jpeg.md
"$PDGEN" typeset jpeg.md -o jpeg.pdf 2>err
check "images: a JPEG drawn, qpdf accepts it" qpdf --check jpeg.pdf
head -c 2000 page.jpg >cut.jpg

# refused IMAGE EXPECTED: typeset a Markdown that shows IMAGE as the paragraph of line 3,
# in 1 GB of address space (not under a sanitizer, which reserves terabytes)
limit="ulimit -v 1000000;"
sh -c "$limit \"\$0\" --version" "$PDGEN" >/dev/null 2>&1 || limit=""
refused() {
	printf '# T\n\n![x](%s)\n' "$1" >bad.md
	rm -f bad.pdf
	timeout 60 sh -c "$limit \"\$0\" typeset bad.md -o bad.pdf" "$PDGEN" 2>err
	got=$?
	if [ $got = 1 ] && [ ! -e bad.pdf ] && grep -q "^bad.md:3:6: error: $2" err
	then ok "images: $1 refused at the Markdown"
	else fail "images: $1 refused at the Markdown" "exit $got" "$(head -3 err)"; fi
}
refused cut.png "image './cut.png': damaged PNG data (the file ends early)"
refused bomb.png "image './bomb.png': the image is 30000 x 30000 pixels"
refused huge.jpg "image './huge.jpg': damaged JPEG data (Maximum supported image dimension"
refused cut.jpg "image './cut.jpg': damaged JPEG data (Premature end"
refused notes.md "cannot read image './notes.md': No such file"
cp good.md notes.png
refused notes.png "image './notes.png': not a PNG or JPEG file"

# in a case: the error is at the case's field, and a batch makes the other cases
cp "$TOP/samples/okafor-opla-hq.yaml" good.yaml
sed -e 's|    the proceedings without prejudice.|    the proceedings without prejudice.\n\n\n    ![scan](cut.png)|' \
	-e 's|^  a_number: .*|  a_number: "A 209 443 872"|' good.yaml >bad.yaml
line=$(grep -n 'narrative: >-' bad.yaml | cut -d: -f1)
"$PDGEN" letter bad.yaml --level opla-hq -o bad.pdf 2>err; got=$?
if [ $got = 1 ] && grep -q "^bad.yaml:$line:14: error: image './cut.png': damaged PNG" err
then ok "images: a bad image in a case is an error at its field"
else fail "images: a bad image in a case is an error at its field" "exit $got" "$(head -3 err)"; fi
printf 'cases:\n  - {file: bad.yaml, level: opla-hq}\n  - {file: good.yaml, level: opla-hq}\n' \
	>docket.yaml
"$PDGEN" batch docket.yaml -o out -j 2 >bout 2>berr; got=$?
if [ $got = 1 ] && [ "$(ls out/*.pdf | wc -l)" = 1 ] && grep -q "cut.png" berr
then ok "images: a bad image costs its case only"
else fail "images: a bad image costs its case only" "exit $got" "$(tail -3 berr)"; fi

# an image is an input: changed, the letter that shows it is made again
sed -e 's|    the proceedings without prejudice.|    the proceedings without prejudice.\n\n\n    ![scan](logo.png)|' \
	good.yaml >img.yaml
cp good.png logo.png
printf 'cases:\n  - {file: img.yaml, level: opla-hq}\n' >imgs.yaml
"$PDGEN" batch imgs.yaml -o imgs -q 2>/dev/null
"$PDGEN" batch imgs.yaml -o imgs 2>err1
cp deep.png logo.png
"$PDGEN" batch imgs.yaml -o imgs 2>err2
if grep -q '^pdgen: 0 made, 0 failed, 1 up to date' err1 && grep -q '^pdgen: 1 made' err2 &&
	grep -q '"files":\["./logo.png"\]' imgs/manifest.jsonl
then ok "images: a changed image makes its letter again"
else fail "images: a changed image makes its letter again" "$(tail -1 err1)" "$(tail -1 err2)"; fi
finish
