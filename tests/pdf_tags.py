#!/usr/bin/python3
"""Checks a tagged PDF from outside the writer (pikepdf, over qpdf): the PDF/UA-1 and
PDF/A-2b entries of the catalog, the XMP metadata against the Info dictionary, the
structure tree (tag set, nesting, alternate text, table scopes, links) and every page's
content stream (every text, path and image operator inside marked content, every MCID
referenced by the tree once and mapped back by the parent tree).

usage: pdf_tags.py FILE.pdf...          (exit 1 and one line per problem)
       pdf_tags.py --claims=A,UA|A|UA|none [--untagged=FIRST-LAST,...] FILE.pdf...
                                        (a merged packet: tagged, declaring exactly these;
                                        the pages listed carry no structure, all others do)
       pdf_tags.py --plain FILE.pdf...  (an untagged PDF: no structure, no PDF/A claim)
       pdf_tags.py --tags FILE.pdf      (prints the structure, one element a line)
"""
import re
import sys

import pikepdf
from pikepdf import Name

TAGS = {"Document", "Part", "Div", "H1", "H2", "H3", "H4", "H5", "H6", "P", "L", "LI", "Lbl", "LBody",
        "Table", "TR", "TH", "TD", "Link", "Figure", "BlockQuote", "Note", "Code"}
# what each element may sit in (None: anywhere below the Document)
PARENTS = {"Document": {"StructTreeRoot"}, "Part": {"Document", "Part"}, "LI": {"L"}, "Lbl": {"LI"}, "LBody": {"LI"},
           "TR": {"Table"}, "TH": {"TR"}, "TD": {"TR"}}
TEXT_OPS = {"Tj", "TJ", "'", '"'}
PAINT_OPS = {"S", "s", "f", "F", "f*", "B", "B*", "b", "b*", "Do", "sh", "BI"}


class Check:
    def __init__(self, path):
        self.path = path
        self.problems = []

    def bad(self, msg):
        self.problems.append(f"{self.path}: {msg}")


def tag_of(el):
    return str(el.get("/S", ""))[1:]


def text_of(obj):
    return str(obj) if obj is not None else ""


CLAIMS = {"A", "UA"}  # what the PDF must declare (and nothing else)
UNTAGGED = set()       # pages (1-based) of untagged parts


def check_catalog(c, pdf):
    root = pdf.Root
    if pdf.pdf_version != "1.7":
        c.bad(f"PDF version {pdf.pdf_version}, not 1.7")
    mi = root.get("/MarkInfo")
    if mi is None or mi.get("/Marked") is not True:
        c.bad("catalog: no /MarkInfo <</Marked true>>")
    if not text_of(root.get("/Lang")):
        c.bad("catalog: no /Lang")
    vp = root.get("/ViewerPreferences")
    if vp is None or vp.get("/DisplayDocTitle") is not True:
        c.bad("catalog: no /ViewerPreferences /DisplayDocTitle true")
    if "/ID" not in pdf.trailer:
        c.bad("trailer: no /ID")
    ois = root.get("/OutputIntents")
    if "A" not in CLAIMS:
        pass
    elif not ois or not any(str(o.get("/S")) == "/GTS_PDFA1" and o.get("/DestOutputProfile") is not None
                          and int(o.DestOutputProfile.get("/N", 0)) == 3 for o in ois):
        c.bad("catalog: no GTS_PDFA1 output intent with an RGB ICC profile")
    check_xmp(c, pdf)


def check_xmp(c, pdf):
    md = pdf.Root.get("/Metadata")
    if md is None:
        return c.bad("catalog: no XMP /Metadata")
    if "/Filter" in md:
        c.bad("XMP metadata stream is compressed (PDF/A forbids a filter)")
    x = md.read_bytes().decode("utf-8")
    for prop, want, claim in (("pdfaid:part", "2", "A"), ("pdfaid:conformance", "B", "A"),
                              ("pdfuaid:part", "1", "UA")):
        found = re.search(rf'{prop}="{want}"|<{prop}>{want}</{prop}>', x)
        if claim in CLAIMS and not found:
            c.bad(f"XMP: no {prop} {want}")
        if claim not in CLAIMS and prop in x:
            c.bad(f"XMP: {prop} declared, though not every part conforms")
    if CLAIMS == {"A", "UA"} and ("pdfaExtension:schemas" not in x or "http://www.aiim.org/pdfua/ns/id/" not in x):
        c.bad("XMP: the pdfuaid schema is not described (PDF/A-2 extension schema)")
    with pdf.open_metadata() as meta:
        info = pdf.docinfo
        pairs = (("/Title", "dc:title"), ("/Author", "dc:creator"), ("/Subject", "dc:description"),
                 ("/Creator", "xmp:CreatorTool"), ("/Producer", "pdf:Producer"))
        for key, prop in pairs:
            iv = text_of(info.get(key))
            xv = meta.get(prop)
            if isinstance(xv, list):
                xv = "; ".join(xv)
            if (iv or xv) and iv != (xv or ""):
                c.bad(f"XMP {prop} {xv!r} differs from Info {key} {iv!r}")
        if not meta.get("dc:title"):
            c.bad("XMP: no dc:title (PDF/UA needs a title)")
        for key, prop in (("/CreationDate", "xmp:CreateDate"), ("/ModDate", "xmp:ModifyDate")):
            d = text_of(info.get(key))
            m = re.match(r"D:(\d{4})(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)", d)
            want = "%s-%s-%sT%s:%s:%s" % m.groups() if m else None
            if not want or not str(meta.get(prop, "")).startswith(want):
                c.bad(f"XMP {prop} {meta.get(prop)!r} differs from Info {key} {d!r}")


def walk(c, pdf, pages):
    """The structure tree: returns {(page objgen, mcid): element objgen} and the annotations
    reached through OBJR."""
    tree = pdf.Root.get("/StructTreeRoot")
    refs, objrs, counts = {}, set(), {}
    if tree is None:
        c.bad("catalog: no /StructTreeRoot")
        return refs, objrs, counts
    kids = tree.get("/K")
    kids = [kids] if isinstance(kids, pikepdf.Dictionary) else list(kids or [])
    if len(kids) != 1 or tag_of(kids[0]) != "Document":
        c.bad("the structure tree's root holds no single Document element")
    last_heading = [0]
    stack = [(k, "StructTreeRoot", tree) for k in reversed(kids)]
    while stack:
        el, parent_tag, parent = stack.pop()
        tag = tag_of(el)
        counts[tag] = counts.get(tag, 0) + 1
        if tag not in TAGS:
            c.bad(f"element /{tag} is not in the tag set")
        if tag in PARENTS and parent_tag not in PARENTS[tag]:
            c.bad(f"/{tag} inside /{parent_tag}")
        if el.get("/P") is None or el.P.objgen != parent.objgen:
            c.bad(f"/{tag}'s /P is not its parent")
        if re.fullmatch(r"H[1-6]", tag):
            level = int(tag[1])
            if level > last_heading[0] + 1:
                c.bad(f"/{tag} after /H{last_heading[0]}: a heading level is skipped")
            last_heading[0] = level
        if tag == "Figure" and not text_of(el.get("/Alt")).strip():
            c.bad("/Figure without /Alt")
        if tag == "Note" and not text_of(el.get("/ID")):
            c.bad("/Note without /ID")
        if tag == "TH" and str(el.get("/A", {}).get("/Scope", "")) not in ("/Column", "/Row", "/Both"):
            c.bad("/TH without /Scope")
        page = el.get("/Pg")
        if page is not None and page.objgen not in pages:
            c.bad(f"/{tag}'s /Pg is not a page of the document")
        k = el.get("/K")
        items = [] if k is None else [k] if not isinstance(k, pikepdf.Array) else list(k)
        has_objr = False
        for item in reversed(items):
            if isinstance(item, int):
                if page is None:
                    c.bad(f"/{tag} has an MCID and no /Pg")
                    continue
                key = (page.objgen, int(item))
            elif isinstance(item, pikepdf.Dictionary) and str(item.get("/Type")) == "/MCR":
                if item.Pg.objgen not in pages:
                    c.bad(f"/{tag}: a marked-content reference's /Pg is not a page of the document")
                key = (item.Pg.objgen, int(item.MCID))
            elif isinstance(item, pikepdf.Dictionary) and str(item.get("/Type")) == "/OBJR":
                objrs.add((item.Obj.objgen, el.objgen))
                has_objr = True
                continue
            else:
                stack.append((item, tag, el))
                continue
            if key in refs:
                c.bad(f"MCID {key[1]} referenced twice")
            refs[key] = el.objgen
        if tag == "Link" and not has_objr:
            c.bad("/Link without its annotation (OBJR)")
    return refs, objrs, counts


def check_ids(c, pdf):
    """The ID tree: each name once, in order, naming an element whose /ID is that name."""
    tree = pdf.Root.get("/StructTreeRoot")
    ids = tree.get("/IDTree") if tree is not None else None
    if ids is None:
        return
    names = []
    def collect(node):
        arr = node.get("/Names")
        if arr is not None:
            names.extend((bytes(arr[i]), arr[i + 1]) for i in range(0, len(arr), 2))
        for kid in node.get("/Kids", []):
            collect(kid)
    collect(ids)
    keys = [k for k, _ in names]
    if keys != sorted(keys) or len(set(keys)) != len(keys):
        c.bad("IDTree: names not sorted or not unique")
    for k, el in names:
        if "/S" not in el or bytes(el.get("/ID", b"")) != k:
            c.bad(f"IDTree: {k!r} names an element whose /ID is not {k!r}")


def parent_tree(pdf):
    nums = {}
    def collect(node):
        arr = node.get("/Nums")
        if arr is not None:
            for i in range(0, len(arr), 2):
                nums[int(arr[i])] = arr[i + 1]
        for kid in node.get("/Kids", []):
            collect(kid)
    tree = pdf.Root.get("/StructTreeRoot")
    if tree is not None and tree.get("/ParentTree") is not None:
        collect(tree.ParentTree)
    return nums


def check_page(c, pdf, pno, page, refs, nums):
    """Every text, path and image operator in marked content; the MCIDs met, mapped back."""
    stack, seen = [], set()
    pg = page.obj
    key = pg.get("/StructParents")
    marks = nums.get(int(key)) if key is not None else None
    for operands, op in pikepdf.parse_content_stream(page):
        op = str(op)
        if op in ("BMC", "BDC"):
            tag = str(operands[0])[1:]
            mcid = None
            if op == "BDC" and isinstance(operands[1], pikepdf.Dictionary) and "/MCID" in operands[1]:
                mcid = int(operands[1].MCID)
                if (pg.objgen, mcid) in seen:
                    c.bad(f"page {pno}: MCID {mcid} used twice")
                seen.add((pg.objgen, mcid))
                elem = refs.get((pg.objgen, mcid))
                if elem is None:
                    c.bad(f"page {pno}: MCID {mcid} is referenced by no structure element")
                elif marks is None or mcid >= len(marks) or marks[mcid].objgen != elem:
                    c.bad(f"page {pno}: the parent tree does not map MCID {mcid} to its element")
                elif tag_of(pdf.get_object(elem)) != tag:
                    c.bad(f"page {pno}: MCID {mcid} marked /{tag}, its element is /{tag_of(pdf.get_object(elem))}")
            stack.append((tag, mcid))
        elif op == "EMC":
            if not stack:
                c.bad(f"page {pno}: EMC without BMC/BDC")
            else:
                stack.pop()
        elif op in TEXT_OPS or op in PAINT_OPS:
            if not any(t == "Artifact" or m is not None for t, m in stack):
                c.bad(f"page {pno}: '{op}' outside marked content")
                return seen
    if stack:
        c.bad(f"page {pno}: marked content left open")
    return seen


def check_annots(c, pdf, pno, page, objrs, nums):
    annots = page.obj.get("/Annots") or []
    linked = {a for a, _ in objrs}
    for a in annots:
        if str(a.get("/Subtype")) != "/Link":
            continue
        if a.objgen not in linked:
            c.bad(f"page {pno}: a link annotation is in no /Link element")
        if not text_of(a.get("/Contents")):
            c.bad(f"page {pno}: a link annotation without /Contents")
        if int(a.get("/F", 0)) & 4 == 0:
            c.bad(f"page {pno}: a link annotation that is not printed (/F 4)")
        sp = a.get("/StructParent")
        if sp is None or nums.get(int(sp)) is None or str(nums[int(sp)].get("/S")) != "/Link":
            c.bad(f"page {pno}: a link annotation's /StructParent maps to no /Link")
    if annots and str(page.obj.get("/Tabs")) != "/S":
        c.bad(f"page {pno}: annotations, and no /Tabs /S")


def check_fonts(c, pdf):
    for page in pdf.pages:
        for name, font in (page.obj.get("/Resources", {}).get("/Font", {}) or {}).items():
            if "/ToUnicode" not in font:
                c.bad(f"font {name} has no ToUnicode map")
            for d in font.get("/DescendantFonts", [font]):
                fd = d.get("/FontDescriptor")
                if fd is None or not any(k in fd for k in ("/FontFile", "/FontFile2", "/FontFile3")):
                    c.bad(f"font {name} is not embedded")


def check(path):
    c = Check(path)
    with pikepdf.open(path) as pdf:
        check_catalog(c, pdf)
        refs, objrs, _ = walk(c, pdf, {p.obj.objgen for p in pdf.pages})
        nums = parent_tree(pdf)
        check_ids(c, pdf)
        seen = set()
        for pno, page in enumerate(pdf.pages, 1):
            if pno in UNTAGGED:
                if "/StructParents" in page.obj:
                    c.bad(f"page {pno}: of an untagged part, and it has /StructParents")
                continue
            if "/StructParents" not in page.obj:
                c.bad(f"page {pno}: no /StructParents (its content is in no structure)")
            seen |= check_page(c, pdf, pno, page, refs, nums)
            check_annots(c, pdf, pno, page, objrs, nums)
        for key in refs:
            if key not in seen:
                c.bad(f"MCID {key[1]} referenced by the tree and in no content stream")
        check_fonts(c, pdf)
    return c.problems


def check_plain(path):
    with pikepdf.open(path) as pdf:
        claims = [k for k in ("/StructTreeRoot", "/MarkInfo", "/Metadata", "/OutputIntents") if k in pdf.Root]
        return [f"{path}: a plain PDF with {', '.join(claims)}"] if claims else []


def print_tags(path):
    with pikepdf.open(path) as pdf:
        def show(el, depth):
            if not isinstance(el, pikepdf.Dictionary) or "/S" not in el:
                return
            extra = text_of(el.get("/Alt")) or ""
            print("  " * depth + tag_of(el) + (f" [{extra}]" if extra else ""))
            k = el.get("/K")
            for item in [] if k is None else [k] if not isinstance(k, pikepdf.Array) else k:
                show(item, depth + 1)
        show(pdf.Root.StructTreeRoot.K, 0)


def main(argv):
    if len(argv) == 3 and argv[1] == "--tags":
        print_tags(argv[2])
        return 0
    plain = len(argv) > 1 and argv[1] == "--plain"
    args = argv[2 if plain else 1:]
    while args and args[0].startswith(("--claims=", "--untagged=")):
        opt, _, val = args.pop(0).partition("=")
        if opt == "--claims":
            CLAIMS.clear()
            CLAIMS.update(c for c in val.split(",") if c != "none")
        else:
            for r in filter(None, val.split(",")):
                a, _, b = r.partition("-")
                UNTAGGED.update(range(int(a), int(b or a) + 1))
    problems = []
    for path in args:
        problems += check_plain(path) if plain else check(path)
    for p in problems:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
