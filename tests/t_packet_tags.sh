#!/bin/sh
# A merged packet is tagged: pdgen's pages (letter, memo, dividers) keep their structure,
# each part a Part in reading order, parent-tree keys renumbered, /Pg right, stamps artifacts.
# It declares PDF/UA-1 or PDF/A-2b only when every part conforms: a scan without a
# description or an untagged enclosure stops the claim, with a note at the enclosure's line.
. tests/lib.sh
PY=/usr/bin/python3
C="$PY $TOP/tests/pdf_tags.py"
sample=samples/packet/ramirez-opla-hq.yaml
encl=samples/packet/encl
work=$SCRATCH/case
mkdir -p "$work/encl"
cp $encl/*.pdf $encl/*.png "$work/encl/"
npages() { qpdf --show-npages "$1"; }
# noted CASE OUT NAME PATTERN: the packet of CASE is made (OUT) with a diagnostic matching PATTERN
noted() {
	if "$PDGEN" packet "$1" --level opla-hq -o "$2" 2>"$work/err" && grep -q "$4" "$work/err"; then
		ok "$3"
	else fail "$3" "$(cat "$work/err")"; fi
}

"$PDGEN" letter $sample --level opla-hq -o "$SCRATCH/letter.pdf" 2>/dev/null
"$PDGEN" memo $sample --level opla-hq -o "$SCRATCH/memo.pdf" 2>/dev/null
L=$(npages "$SCRATCH/letter.pdf")

# every part conforms (pdgen's pages, enclosures typeset by pdgen, a described scan)
"$PDGEN" packet $sample --level opla-hq -o "$SCRATCH/p.pdf" 2>"$SCRATCH/err" || fail "packet" "$(cat "$SCRATCH/err")"
check "the sample packet: tagged, every page's content marked or an artifact, every MCID in the tree, PDF/UA-1 and PDF/A-2b declared" \
	$C "$SCRATCH/p.pdf"
check "the sample packet: qpdf --check" qpdf --check "$SCRATCH/p.pdf"
# one Part per document and tab, in reading order, titled as its bookmark; the scan a Figure
$PY - "$SCRATCH/p.pdf" >"$SCRATCH/parts.out" 2>&1 <<'EOF'
import sys, pikepdf
pdf = pikepdf.open(sys.argv[1])
doc = pdf.Root.StructTreeRoot.K
parts = [k for k in doc.K]
titles = [str(p.T) for p in parts]
marks = []
with pdf.open_outline() as o:
    marks = [str(i.title) for i in o.root]
assert all(str(p.S) == "/Part" for p in parts), [str(p.S) for p in parts]
assert titles == marks, (titles, marks)
# each Part's content lies on the pages its bookmark opens to the next one's
pages = {p.obj.objgen: i for i, p in enumerate(pdf.pages)}
with pdf.open_outline() as o:
    starts = [pages[i.destination[0].objgen] for i in o.root]
def pages_of(el, out):
    pg = el.get("/Pg")
    if pg is not None:
        out.add(pages[pg.objgen])
    k = el.get("/K")
    for item in ([] if k is None else k if isinstance(k, pikepdf.Array) else [k]):
        if isinstance(item, pikepdf.Dictionary):
            pages_of(item, out)
    return out
for n, part in enumerate(parts):
    end = starts[n + 1] if n + 1 < len(starts) else len(pdf.pages)
    got = pages_of(part, set())
    assert got and min(got) == starts[n] and max(got) < end, (titles[n], sorted(got), starts[n], end)
figs = [k for k in parts[4].K if str(k.S) == "/Figure"]
assert len(figs) == 1 and "child Sofía Ramírez, born June 14, 2010" in str(figs[0].Alt), "the scan's Figure"
# the stamps are artifacts: no stamp text in the structure's content
for page in pdf.pages:
    ops = pikepdf.parse_content_stream(page)
    depth, in_art = [], False
    for operands, op in ops:
        if str(op) in ("BDC", "BMC"):
            depth.append(str(operands[0]))
        elif str(op) == "EMC":
            depth.pop()
        elif str(op) == "Tj" and b"A209517846-" in bytes(operands[0]):
            assert depth and depth[-1] == "/Artifact", "a stamp outside an artifact"
print(len(parts), "parts")
EOF
[ $? = 0 ] && ok "one Part per document and tab in reading order, titled as its bookmark, its content on its pages; the scan a Figure with its description; stamps artifacts ($(cat "$SCRATCH/parts.out"))" ||
	fail "the packet's Parts" "$(cat "$SCRATCH/parts.out")"

# the letter's elements all carried: as many as in the letter alone
want=$($C --tags "$SCRATCH/letter.pdf" | grep -vc '^Document$')
got=$($PY -c 'import sys,pikepdf
pdf = pikepdf.open(sys.argv[1]); n = 0
def walk(el):
    global n
    n += 1
    k = el.get("/K")
    for i in ([] if k is None else k if isinstance(k, pikepdf.Array) else [k]):
        if isinstance(i, pikepdf.Dictionary) and "/S" in i: walk(i)
for el in pdf.Root.StructTreeRoot.K.K[0].K: walk(el)
print(n)' "$SCRATCH/p.pdf")
[ "$got" = "$want" ] && ok "the letter's structure elements all in the packet's first Part ($got)" ||
	fail "the letter's elements carried" "$got, not $want"

# a scan without a description: PDF/A-2b still, no PDF/UA-1; a note at its line names the field
line=$(grep -n "id: E3" $sample | cut -d: -f1)
sed '/description: "A State of Texas birth/d; s#birth-certificate.png,#birth-certificate.png}#' $sample >"$work/case.yaml"
noted "$work/case.yaml" "$work/nodesc.pdf" "a scan without a description: a note at its line naming description:" \
	"^$work/case.yaml:$line:[0-9]*: note: enclosure E3 (Tab C) is a scan with no description: the packet is not declared PDF/UA-1.*give the enclosure a description:"
check "a scan without a description: tagged, PDF/A-2b declared, PDF/UA-1 not" $C --claims=A "$work/nodesc.pdf"

# an untagged enclosure (typeset --no-tags): no claim at all; its pages without structure
# (no key of its own left behind), pdgen's pages still tagged
"$PDGEN" typeset $encl/support-letters.md --no-tags -o "$work/encl/plain.pdf" 2>/dev/null
# and a tagged enclosure with link annotations (their /StructParent renumbered)
printf '# Record\n\nSee [the docket](https://example.org/docket) and [the order](https://example.org/order).\n' >"$work/encl/links.md"
"$PDGEN" typeset "$work/encl/links.md" -o "$work/encl/links.pdf" 2>/dev/null
line=$(grep -n "id: E4" $sample | cut -d: -f1)
sed "s#encl/support-letters.pdf#encl/plain.pdf#; s#encl/denial-email.pdf#encl/links.pdf#; s#pages: 1, file: encl/links#pages: $(npages "$work/encl/links.pdf"), file: encl/links#" \
	$sample >"$work/case.yaml"
noted "$work/case.yaml" "$work/plain.pdf" "an untagged enclosure: a note at its line" \
	"^$work/case.yaml:$line:[0-9]*: note: enclosure E4 (Tab D) is neither a tagged PDF/UA-1 file nor a PDF/A-1 or PDF/A-2 one: the packet declares neither"
first=$(($(npages "$work/nodesc.pdf") - $(npages $encl/denial-email.pdf) - $(npages "$work/encl/plain.pdf") + 1))
last=$((first + $(npages "$work/encl/plain.pdf") - 1))
check "an untagged enclosure: nothing declared; its pages $first-$last untagged, every other page tagged; the links' annotations in the tree" \
	$C --claims=none --untagged=$first-$last "$work/plain.pdf"
check "an untagged enclosure: qpdf --check" qpdf --check "$work/plain.pdf"

# enclosures with ID trees naming the same identifier: both in the packet's, one renamed
# (its element's /ID too)
for f in g28 eoir28; do
	$PY - "$encl/$f.pdf" "$work/encl/$f.pdf" <<'EOF'
import sys, pikepdf
pdf = pikepdf.open(sys.argv[1])
tree = pdf.Root.StructTreeRoot
el = tree.K.K[0]
el.ID = pikepdf.String("note-1")
tree.IDTree = pikepdf.Dictionary(Names=pikepdf.Array([pikepdf.String("note-1"), el]))
pdf.save(sys.argv[2])
EOF
done
cp $sample "$work/case-ids.yaml"
"$PDGEN" packet "$work/case-ids.yaml" --level opla-hq -o "$work/ids.pdf" 2>"$work/err" || fail "packet with ID trees" "$(cat "$work/err")"
check "enclosures with ID trees: the packet's ID tree holds both, each naming its element" $C "$work/ids.pdf"
$PY -c 'import sys, pikepdf
a = pikepdf.open(sys.argv[1]).Root.StructTreeRoot.IDTree.Names
print(" ".join(bytes(a[i]).decode() for i in range(0, len(a), 2)))' "$work/ids.pdf" >"$work/ids.txt" 2>&1
[ "$(cat "$work/ids.txt")" = "note-1 note-1-2" ] && ok "a second note-1 is renamed note-1-2" ||
	fail "the ID trees merged" "$(cat "$work/ids.txt")"
$PY -c 'import sys, pikepdf
pdf = pikepdf.open(sys.argv[1]); a = pdf.Root.StructTreeRoot.IDTree.Names
a[3].ID = pikepdf.String("other"); pdf.save(sys.argv[2])' "$work/ids.pdf" "$work/bad-ids.pdf"
if $C "$work/bad-ids.pdf" >/dev/null 2>&1; then fail "the checker catches an ID tree naming the wrong element"
else ok "the checker catches an ID tree naming the wrong element"; fi

# a tagged enclosure made otherwise: its parent tree split under /Kids, its elements right
# below the structure root (no Document): carried the same
$PY - "$encl/support-letters.pdf" "$work/encl/other.pdf" <<'EOF'
import sys, pikepdf
pdf = pikepdf.open(sys.argv[1])
tree = pdf.Root.StructTreeRoot
doc = tree.K
kids = doc.K
for k in kids:
    k.P = tree
tree.K = kids
nums = tree.ParentTree.Nums
pairs = [(int(nums[i]), nums[i + 1]) for i in range(0, len(nums), 2)]
leaves = []
for j in range(0, len(pairs), 2):
    part = pairs[j:j + 2]
    arr = pikepdf.Array()
    for k, v in part:
        arr.append(k); arr.append(v)
    leaves.append(pdf.make_indirect(pikepdf.Dictionary(Nums=arr, Limits=pikepdf.Array([part[0][0], part[-1][0]]))))
tree.ParentTree = pikepdf.Dictionary(Kids=pikepdf.Array(leaves))
pdf.save(sys.argv[2])
EOF
sed "s#encl/support-letters.pdf#encl/other.pdf#" $sample >"$work/case-other.yaml"
"$PDGEN" packet "$work/case-other.yaml" --level opla-hq -o "$work/other.pdf" 2>"$work/err" || fail "packet with another tagged enclosure" "$(cat "$work/err")"
check "a tagged enclosure with a parent tree under /Kids and no Document: carried, the packet declared" $C "$work/other.pdf"

# a tagged PDF/UA enclosure that is not PDF/A: PDF/UA-1 declared, PDF/A-2b not, a note
$PY - "$encl/support-letters.pdf" "$work/encl/ua-only.pdf" <<'EOF'
import sys, re, pikepdf
pdf = pikepdf.open(sys.argv[1])
x = pdf.Root.Metadata.read_bytes().decode()
x = re.sub(r' pdfaid:(part|conformance)="[^"]*"', "", x)
pdf.Root.Metadata = pdf.make_stream(x.encode(), Type=pikepdf.Name.Metadata, Subtype=pikepdf.Name.XML)
pdf.save(sys.argv[2])
EOF
sed "s#encl/support-letters.pdf#encl/ua-only.pdf#" $sample >"$work/case-ua.yaml"
line=$(grep -n "id: E4" $sample | cut -d: -f1)
noted "$work/case-ua.yaml" "$work/ua.pdf" "an enclosure that is not PDF/A: a note at its line" \
	"^$work/case-ua.yaml:$line:[0-9]*: note: enclosure E4 (Tab D) is not a PDF/A-1 or PDF/A-2 file with an RGB output intent: the packet is not declared PDF/A-2b"
check "an enclosure that is not PDF/A: PDF/UA-1 declared, PDF/A-2b not" $C --claims=UA "$work/ua.pdf"

# an enclosure that declares PDF/A and PDF/UA-1 but leaves a font out (both require every
# font embedded): the packet declares neither, a note names the enclosure
$PY - "$encl/support-letters.pdf" "$work/encl/font-out.pdf" <<'EOF'
import sys, pikepdf
pdf = pikepdf.open(sys.argv[1])
fonts = pdf.pages[0].Resources.Font
del fonts[list(fonts.keys())[0]].DescendantFonts[0].FontDescriptor["/FontFile2"]
pdf.save(sys.argv[2])
EOF
sed "s#encl/support-letters.pdf#encl/font-out.pdf#" $sample >"$work/case-font-out.yaml"
noted "$work/case-font-out.yaml" "$work/font-out.pdf" "an enclosure with a font left out: a note at its line" \
	"^$work/case-font-out.yaml:$line:[0-9]*: note: enclosure E4 (Tab D) has a font that is not embedded: the packet is declared neither PDF/UA-1 nor PDF/A-2b"
check "an enclosure with a font left out: neither PDF/UA-1 nor PDF/A-2b declared" \
	$PY -c 'import sys, pikepdf
x = pikepdf.open(sys.argv[1]).Root.Metadata.read_bytes().decode()
sys.exit("pdfuaid:part" in x or "pdfaid:part" in x)' "$work/font-out.pdf"

# role and class maps: joined; a structure type two enclosures map two ways stops PDF/UA-1
for f in g28:H1 eoir28:P; do
	$PY - "$encl/${f%%:*}.pdf" "$work/encl/map-${f%%:*}.pdf" "${f#*:}" <<'EOF'
import sys, pikepdf
pdf = pikepdf.open(sys.argv[1])
tree = pdf.Root.StructTreeRoot
tree.RoleMap = pikepdf.Dictionary(Heading=pikepdf.Name("/" + sys.argv[3]))
tree.ClassMap = pikepdf.Dictionary({"/C" + sys.argv[3]: pikepdf.Dictionary(O=pikepdf.Name.Layout, TextAlign=pikepdf.Name.Center)})
pdf.save(sys.argv[2])
EOF
done
sed "s#encl/g28.pdf#encl/map-g28.pdf#" $sample >"$work/case-map1.yaml"
"$PDGEN" packet "$work/case-map1.yaml" --level opla-hq -o "$work/map1.pdf" 2>"$work/err" || fail "packet with a role map" "$(cat "$work/err")"
check "an enclosure's role and class maps: the packet's, declared" $C "$work/map1.pdf"
$PY -c 'import sys, pikepdf
t = pikepdf.open(sys.argv[1]).Root.StructTreeRoot
sys.exit(0 if str(t.RoleMap.Heading) == "/H1" and "/CH1" in t.ClassMap else 1)' "$work/map1.pdf" &&
	ok "an enclosure's role map and class map are in the packet's structure root" || fail "role and class maps carried"
sed "s#encl/g28.pdf#encl/map-g28.pdf#; s#encl/eoir28.pdf#encl/map-eoir28.pdf#" $sample >"$work/case-map2.yaml"
noted "$work/case-map2.yaml" "$work/map2.pdf" "a structure type mapped two ways: a note, naming it" \
	"note: two enclosures map the structure type or class 'Heading' two ways: the packet is not declared PDF/UA-1"
check "a structure type mapped two ways: PDF/A-2b declared, PDF/UA-1 not" $C --claims=A "$work/map2.pdf"

# footnotes: pdgen's notes carry an /ID each; two enclosures typeset with the same note
# number keep their identifiers apart in the packet's ID tree
printf -- '# Affidavit\n\nHe arrived in 2001.[^1]\n\n[^1]: Per the record.\n' >"$work/encl/note.md"
"$PDGEN" typeset "$work/encl/note.md" -o "$work/encl/note-a.pdf" 2>/dev/null
cp "$work/encl/note-a.pdf" "$work/encl/note-b.pdf"
sed "s#pages: 2, file: encl/g28.pdf#file: encl/note-a.pdf#; s#pages: 1, file: encl/eoir28.pdf#file: encl/note-b.pdf#" $sample >"$work/case-notes.yaml"
"$PDGEN" packet "$work/case-notes.yaml" --level opla-hq -o "$work/notes.pdf" 2>"$work/err" || fail "packet with footnotes" "$(cat "$work/err")"
check "enclosures with footnotes: the notes' identifiers unique in the packet's ID tree" $C "$work/notes.pdf"
$PY -c 'import sys, pikepdf
a = pikepdf.open(sys.argv[1]).Root.StructTreeRoot.IDTree.Names
print(len(a) // 2, len({bytes(a[i]) for i in range(0, len(a), 2)}))' "$work/notes.pdf" >"$work/n.txt" 2>&1
[ "$(cat "$work/n.txt")" = "2 2" ] && ok "two notes numbered 1, two identifiers" || fail "notes' identifiers" "$(cat "$work/n.txt")"

# tab dividers made by pdgen: tagged, each in its tab's Part, before the enclosure's pages
data=$SCRATCH/data
mkdir -p "$data"
cp -R templates "$data/templates"
ln -s "$TOP/fonts" "$data/fonts"
sed 's/^dividers: false/dividers: true/' templates/packet.yaml >"$data/templates/packet.yaml"
PDGEN_DATADIR=$data "$PDGEN" packet $sample --level opla-hq -o "$SCRATCH/div.pdf" 2>"$SCRATCH/err" ||
	fail "packet with dividers" "$(cat "$SCRATCH/err")"
check "dividers: tagged, declared as the sample" $C "$SCRATCH/div.pdf"
n=$($C --tags "$SCRATCH/div.pdf" | grep -v '^      ' | tr '\n' '|' | grep -o '  Part|    P|    P|    P|    H1|' | wc -l)
[ "$n" = 5 ] && ok "dividers: each of the 5 tabs' Parts opens with its divider (its heading before the enclosure)" ||
	fail "dividers in their tab's Part" "$n tab Parts open with a heading"

# --no-tags: a plain packet
"$PDGEN" packet $sample --level opla-hq --no-tags -o "$SCRATCH/plain.pdf" 2>/dev/null
check "--no-tags: a plain packet (no structure, no claim)" $C --plain "$SCRATCH/plain.pdf"

# the checker catches a packet's faults: a page out of the parent tree, an element's /Pg
# on another page
$PY - "$SCRATCH/p.pdf" "$SCRATCH" <<'EOF'
import sys, pikepdf
src, out = sys.argv[1], sys.argv[2]
pdf = pikepdf.open(src)
del pdf.pages[1].obj["/StructParents"]
pdf.save(f"{out}/bad-key.pdf")
pdf = pikepdf.open(src)
part = pdf.Root.StructTreeRoot.K.K[0]
for el in part.K:
    if "/Pg" in el:
        el.Pg = pdf.pages[-1].obj
        break
pdf.save(f"{out}/bad-pg.pdf")
EOF
for bad in key pg; do
	if $C "$SCRATCH/bad-$bad.pdf" >/dev/null 2>&1; then fail "the checker catches a packet's fault: $bad"
	else ok "the checker catches a packet's fault: $bad"; fi
done
finish
