#!/usr/bin/python3
"""pdf_glyphs.py PDF FONT...: checks that every character a PDF's Type0 fonts print is drawn
with the glyph the source font has for it. For each embedded font: the CID-to-glyph map
and the embedded program (qpdf --qdf gives them uncompressed); CIDs are code points; the
outline of each glyph is compared with the outline of the same character in the source
font given on the command line whose PostScript name matches. Prints what differs."""
import io
import re
import subprocess
import sys

from fontTools.pens.recordingPen import DecomposingRecordingPen
from fontTools.ttLib import TTCollection, TTFont


def objects(pdf):
    qdf = subprocess.run(["qpdf", "--qdf", "--object-streams=disable", pdf, "-"],
                         capture_output=True, check=True).stdout
    objs = {}
    for m in re.finditer(rb"\n(\d+) 0 obj\n(.*?)\nendobj", qdf, re.S):
        body = m.group(2)
        s = re.search(rb">>\nstream\n(.*)\nendstream$", body, re.S)
        objs[int(m.group(1))] = (body, s.group(1) if s else None)
    return objs


def ref(body, key):
    m = re.search(rb"/" + key + rb" (\d+) 0 R", body)
    return int(m.group(1)) if m else None


def sources(paths):
    fonts = {}
    for p in paths:
        faces = TTCollection(p).fonts if p.endswith(".ttc") else [TTFont(p)]
        for f in faces:
            fonts[f["name"].getDebugName(6)] = f
    return fonts


def outline(font, gid):
    glyphs = font.getGlyphSet()
    pen = DecomposingRecordingPen(glyphs)
    glyphs[font.getGlyphOrder()[gid]].draw(pen)
    return pen.value


def check_font(objs, body, fonts):
    name = re.search(rb"/BaseFont /[A-Z]{6}\+(\S+)", body).group(1).decode()
    cid = objs[int(re.search(rb"/DescendantFonts \[\s*(\d+) 0 R", body).group(1))][0]
    cmap = objs[ref(cid, b"CIDToGIDMap")][1]
    desc = objs[ref(cid, b"FontDescriptor")][0]
    sub = TTFont(io.BytesIO(objs[ref(desc, b"FontFile2")][1]))
    src = fonts.get(name)
    if src is None:
        return [f"{name}: no source font given"]
    best = src.getBestCmap()
    bad = []
    for code in range(len(cmap) // 2):
        g = cmap[2 * code] << 8 | cmap[2 * code + 1]
        if g == 0:
            continue
        want = best.get(code)
        if want is None or outline(sub, g) != outline(src, src.getGlyphID(want)):
            bad.append(f"{name}: U+{code:04X} is not drawn with its own glyph")
    return bad


def main():
    objs = objects(sys.argv[1])
    fonts = sources(sys.argv[2:])
    bad, seen = [], 0
    for body, _ in objs.values():
        if b"/Subtype /Type0" in body:
            seen += 1
            bad += check_font(objs, body, fonts)
    for b in bad:
        print(b)
    if not seen:
        print("no Type0 font")
    return 1 if bad or not seen else 0


sys.exit(main())
