#!/bin/sh
# Tagged PDF/UA-1 and PDF/A-2b: every sample letter and memo and typeset tables and lists
# pass tests/pdf_tags.py (structure tree, marked content, catalog, XMP), qpdf --check; the
# checker catches what it checks; --no-tags and 'tagged: false'; alt text; languages.
. tests/lib.sh
P=/usr/bin/python3
C="$P $TOP/tests/pdf_tags.py"
T=$SCRATCH

"$PDGEN" batch samples/docket.yaml -o "$T/docket" -q >"$T/batch.out" 2>&1 ||
	fail "the sample docket is made" "$(tail -5 "$T/batch.out")"
n=0
for f in "$T"/docket/*.pdf; do
	n=$((n + 1))
	check "$(basename "$f"): tagged, every text in marked content, catalog and XMP" $C "$f"
	check "$(basename "$f"): qpdf --check" qpdf --check "$f"
done
[ "$n" -ge 10 ] && ok "every sample checked ($n PDFs)" || fail "every sample checked" "only $n PDFs"
# what being tagged and archival costs in bytes: at most 10% over the plain PDFs
"$PDGEN" batch samples/docket.yaml -o "$T/plain" -q --no-tags >/dev/null 2>&1
tagged=$(cat "$T"/docket/*.pdf | wc -c) plain=$(cat "$T"/plain/*.pdf | wc -c)
[ "$tagged" -le $((plain * 110 / 100)) ] && ok "the tagged samples are at most 10% larger than the plain ($tagged and $plain bytes)" ||
	fail "the tagged samples are at most 10% larger than the plain" "$tagged and $plain bytes"

for doc in sample-letter table-60 table-tall letter-3page; do
	"$PDGEN" typeset "tests/typeset/$doc.md" -o "$T/$doc.pdf" 2>"$T/$doc.err" ||
		fail "typeset $doc" "$(cat "$T/$doc.err")"
	check "typeset $doc: tagged" $C "$T/$doc.pdf"
	check "typeset $doc: qpdf --check" qpdf --check "$T/$doc.pdf"
done
# the tags a reader meets: lists, tables with header cells, no repeated header in the tree
$C --tags "$T/sample-letter.pdf" >"$T/tags.txt"
for tag in L LI Lbl LBody Table TR TH TD P; do
	grep -q "^ *$tag\$" "$T/tags.txt" && ok "sample-letter has /$tag" || fail "sample-letter has /$tag"
done
$C --tags "$T/letter-3page.pdf" >"$T/tags3.txt"
grep -q "^  H1\$" "$T/tags3.txt" && ok "letter-3page: its '##' headings, the outermost, are /H1" ||
	fail "letter-3page: '##' headings are /H1"
rows=$($C --tags "$T/table-tall.pdf" | grep -c '^ *TH$')
[ "$rows" = 2 ] && ok "table-tall: the header row's 2 cells once in the tree, though printed on 3 pages" ||
	fail "table-tall: the header row once in the tree" "$rows TH"

# the checker fails on each fault it is meant to catch
$P - "$T/sample-letter.pdf" "$T" <<'EOF'
import sys, pikepdf
src, out = sys.argv[1], sys.argv[2]
def variant(name, change):
    pdf = pikepdf.open(src)
    change(pdf)
    pdf.save(f"{out}/bad-{name}.pdf")
def unmark(pdf):  # marked content removed from page 1: text outside it
    page = pdf.pages[0]
    ops = [(o, op) for o, op in pikepdf.parse_content_stream(page) if str(op) not in ("BDC", "BMC", "EMC")]
    page.Contents = pdf.make_stream(pikepdf.unparse_content_stream(ops))
def orphan(pdf):  # an element's kids dropped: its MCIDs are referenced by nothing
    doc = pdf.Root.StructTreeRoot.K
    for el in doc.K:
        if str(el.S) == "/P":
            el.K = pikepdf.Array([])
            break
def badtag(pdf):
    pdf.Root.StructTreeRoot.K.K[0].S = pikepdf.Name("/Paragraph")
def nolang(pdf):
    del pdf.Root["/Lang"]
def noxmp(pdf):
    del pdf.Root["/Metadata"]
def retitle(pdf):
    pdf.docinfo["/Title"] = "Another title"
def noscope(pdf):
    def walk(el):
        if str(el.get("/S")) == "/TH":
            del el["/A"]
        k = el.get("/K")
        if isinstance(k, pikepdf.Array):
            for c in k:
                if isinstance(c, pikepdf.Dictionary) and "/S" in c:
                    walk(c)
    walk(pdf.Root.StructTreeRoot.K)
for name, f in (("unmarked", unmark), ("orphan", orphan), ("tag", badtag), ("lang", nolang),
                ("xmp", noxmp), ("title", retitle), ("scope", noscope)):
    variant(name, f)
EOF
for bad in unmarked orphan tag lang xmp title scope; do
	if $C "$T/bad-$bad.pdf" >"$T/bad.out" 2>&1; then
		fail "the checker catches a PDF with its fault: $bad"
	else ok "the checker catches a PDF with its fault: $bad ($(head -1 "$T/bad.out" | sed 's/.*pdf: //'))"; fi
done

# a code span is a Code element inside its paragraph; a code block one of its own
printf '# Code\n\nRun `pdgen check case.yaml` first, then `pdgen letter`.\n\n```\nblock\n```\n' >"$T/code.md"
"$PDGEN" typeset "$T/code.md" -o "$T/code.pdf" 2>"$T/err" || fail "code" "$(cat "$T/err")"
check "code spans and blocks: tagged" $C "$T/code.pdf"
$C --tags "$T/code.pdf" | tr '\n' '|' >"$T/tags6.txt"
grep -q '  P|    Code|    Code|  Code|' "$T/tags6.txt" &&
	ok "a code span is a Code element in its P, a code block a Code of its own" ||
	fail "code spans tagged" "$(cat "$T/tags6.txt")"

# footnotes are Notes with an /ID, their links Links; task lists are lists
printf -- '# Facts\n\nHe arrived in 2001.[^1]\n\n- [x] filed\n- [ ] mailed\n\n[^1]: Per [the affidavit](https://example.org/a).\n' >"$T/notes.md"
"$PDGEN" typeset "$T/notes.md" -o "$T/notes.pdf" 2>"$T/err" || fail "footnotes" "$(cat "$T/err")"
check "footnotes and task lists: tagged" $C "$T/notes.pdf"
$C --tags "$T/notes.pdf" >"$T/tags5.txt"
grep -q "^  Note\$" "$T/tags5.txt" && grep -q "^    Link\$" "$T/tags5.txt" && grep -q "^      Lbl\$" "$T/tags5.txt" &&
	ok "a footnote is a Note, its link a Link; a task list's items have labels" || fail "footnotes and task lists" "$(cat "$T/tags5.txt")"
python3 -c "print('Cited.[^1]\n\n' + 'Text line.\\\\\n' * 60 + 'End.\n\n[^1]: ' + 'A long note sentence. ' * 900)" >"$T/split.md"
"$PDGEN" typeset "$T/split.md" -o "$T/split.pdf" 2>"$T/err" || fail "a split footnote" "$(cat "$T/err")"
check "a footnote split over pages: tagged" $C "$T/split.pdf"

# the same input gives the same bytes
"$PDGEN" letter samples/wang-cjk.yaml --level occ -o "$T/a.pdf" 2>/dev/null
"$PDGEN" letter samples/wang-cjk.yaml --level occ -o "$T/b.pdf" 2>/dev/null
check "a tagged letter made twice is the same bytes" cmp "$T/a.pdf" "$T/b.pdf"

# the plain form: --no-tags, or the front matter's 'tagged: false'
"$PDGEN" letter samples/wang-cjk.yaml --level occ --no-tags -o "$T/plain.pdf" 2>/dev/null
check "--no-tags: no structure, no PDF/A claim" $C --plain "$T/plain.pdf"
[ "$(pdf_text "$T/plain.pdf")" = "$(pdf_text "$T/a.pdf")" ] && ok "--no-tags: the same text" ||
	fail "--no-tags: the same text"
printf -- '---\ntagged: false\n---\n# Plain\n\nText.\n' >"$T/plain.md"
"$PDGEN" typeset "$T/plain.md" -o "$T/plain2.pdf" 2>"$T/err" || fail "tagged: false" "$(cat "$T/err")"
check "front matter 'tagged: false': plain" $C --plain "$T/plain2.pdf"
printf -- '---\ntagged: maybe\n---\nText.\n' >"$T/bad.md"
"$PDGEN" typeset "$T/bad.md" -o "$T/x.pdf" 2>"$T/err"
[ $? = 1 ] && grep -q "bad.md:2:9: error: tagged must be true" "$T/err" && ok "'tagged: maybe' is a located error" ||
	fail "'tagged: maybe' is a located error" "$(cat "$T/err")"

# images: a Figure with the description as /Alt; none is an error at the image
$P -c 'import zlib,struct,sys
def chunk(t,d): return struct.pack(">I",len(d))+t+d+struct.pack(">I",zlib.crc32(t+d))
raw=b"".join(b"\0"+b"\xff\x00\x00"*4 for _ in range(4))
sys.stdout.buffer.write(b"\x89PNG\r\n\x1a\n"+chunk(b"IHDR",struct.pack(">IIBBBBB",4,4,8,2,0,0,0))+chunk(b"IDAT",zlib.compress(raw))+chunk(b"IEND",b""))' >"$T/seal.png"
printf '# Exhibit\n\nThe seal:\n\n![The seal of the firm, a red square (Señora Muñoz’s)](seal.png)\n' >"$T/img.md"
"$PDGEN" typeset "$T/img.md" -o "$T/img.pdf" 2>"$T/err" || fail "an image with a description" "$(cat "$T/err")"
check "an image: tagged" $C "$T/img.pdf"
$C --tags "$T/img.pdf" >"$T/tags4.txt"
grep -q "Figure \[The seal of the firm, a red square (Señora Muñoz’s)\]" "$T/tags4.txt" &&
	ok "an image is a Figure with its description as /Alt" || fail "an image is a Figure with /Alt"
printf '# Exhibit\n\nThe seal:\n\n![](seal.png)\n' >"$T/noalt.md"
"$PDGEN" typeset "$T/noalt.md" -o "$T/noalt.pdf" 2>"$T/err"
[ $? = 1 ] && grep -q "noalt.md:5:5: error: image 'seal.png' has no description" "$T/err" && [ ! -e "$T/noalt.pdf" ] &&
	ok "an image without a description is an error at the image" || fail "an image without a description is an error" "$(cat "$T/err")"
"$PDGEN" typeset "$T/noalt.md" -o "$T/noalt.pdf" --no-tags 2>"$T/err" &&
	ok "--no-tags: an image without a description is made" || fail "--no-tags: an image without a description" "$(cat "$T/err")"

# languages: the document's from the front matter, a block's from '::: lang'
printf -- '---\nlang: es-MX\ntitle: Carta\n---\nHola.\n\n::: lang en\n> In English.\n' >"$T/es.md"
"$PDGEN" typeset "$T/es.md" -o "$T/es.pdf" 2>"$T/err" || fail "lang" "$(cat "$T/err")"
check "a document in Spanish: tagged" $C "$T/es.pdf"
$P -c 'import sys,pikepdf; p=pikepdf.open(sys.argv[1]); d=p.Root.StructTreeRoot.K
q=[k for k in d.K if str(k.S)=="/BlockQuote"][0]
sys.exit(0 if str(p.Root.Lang)=="es-MX" and str(q.Lang)=="en" else 1)' "$T/es.pdf" &&
	ok "catalog /Lang from the front matter, a block's /Lang from '::: lang'" || fail "languages"
printf -- '---\nlang: spanish language\n---\nHola.\n' >"$T/bad.md"
"$PDGEN" typeset "$T/bad.md" -o "$T/x.pdf" 2>"$T/err"
[ $? = 1 ] && grep -q "bad.md:2:7: error: lang 'spanish language' is not a language tag" "$T/err" &&
	ok "a bad language is a located error" || fail "a bad language is a located error" "$(cat "$T/err")"
printf 'Hola.\n\n::: lang !!\n> x\n' >"$T/bad.md"
"$PDGEN" typeset "$T/bad.md" -o "$T/x.pdf" 2>"$T/err"
[ $? = 1 ] && grep -q "bad.md:3:1: error: bad '::: lang' marker" "$T/err" &&
	ok "a bad '::: lang' is a located error" || fail "a bad '::: lang' is a located error" "$(cat "$T/err")"

# a document without a title takes its first heading (PDF/UA: every PDF has one)
printf '## Exhibit list\n\nText.\n' >"$T/untitled.md"
"$PDGEN" typeset "$T/untitled.md" -o "$T/untitled.pdf" 2>/dev/null
[ "$(pdfinfo "$T/untitled.pdf" | sed -n 's/^Title: *//p')" = "Exhibit list" ] &&
	ok "an untitled document takes its first heading as title" || fail "an untitled document's title"
finish
