#!/usr/bin/python3
"""glyph_map.py PDF CHECK...: what the glyphs of a PDF's text show, read from outside
(pikepdf for the content streams and fonts, fontTools for the embedded programs).
Every glyph drawn must map to Unicode (ToUnicode); then each CHECK:
  joined=TEXT   each Arabic letter of TEXT drawn with a glyph that is not its isolated
                (cmap) glyph when it joins a neighbour: a word's first letter initial,
                its middle ones medial, its last final (for letters that join both ways)
  lig=TEXT      some glyph maps back to TEXT (two or more characters: a ligature)
  nolig=TEXT    no glyph maps back to TEXT
Exits 1, printing what differs."""
import io
import re
import sys

import pikepdf
from fontTools.ttLib import TTFont

# Arabic letters that join only to the letter before them (never to the next one)
RIGHT_JOINING = set("اأإآدذرزوؤةى")


def cmap_entries(data):
    """CID -> text from a ToUnicode CMap (bfchar and bfrange as pdgen writes them)."""
    out = {}
    text = data.decode("latin-1")
    for block in re.findall(r"beginbfchar(.*?)endbfchar", text, re.S):
        for cid, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            out[int(cid, 16)] = bytes.fromhex(dst).decode("utf-16-be")
    for block in re.findall(r"beginbfrange(.*?)endbfrange", text, re.S):
        for lo, hi, dst in re.findall(r"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
            base = int(dst, 16)
            for cid in range(int(lo, 16), int(hi, 16) + 1):
                out[cid] = chr(base + cid - int(lo, 16))
    return out


class Font:
    def __init__(self, obj):
        desc = obj.DescendantFonts[0]
        self.unicode = cmap_entries(obj.ToUnicode.read_bytes())
        gidmap = desc.CIDToGIDMap.read_bytes()
        self.gid = lambda cid: int.from_bytes(gidmap[2 * cid:2 * cid + 2], "big")
        self.program = TTFont(io.BytesIO(desc.FontDescriptor.FontFile2.read_bytes()))
        self.cmap = self.program.getBestCmap()
        order = self.program.getGlyphOrder()
        self.own = {cp: order.index(name) for cp, name in self.cmap.items()}


def drawn(pdf):
    """(font, cid) of every glyph the pages draw, in content order."""
    glyphs, missing = [], 0
    for page in pdf.pages:
        fonts = {str(k): Font(v) for k, v in page.Resources.get("/Font", {}).items()}
        font = None
        for operands, op in pikepdf.parse_content_stream(page):
            op = str(op)
            if op == "Tf":
                font = fonts[str(operands[0])]
            elif op in ("Tj", "TJ"):
                items = operands[0] if op == "TJ" else [operands[0]]
                for s in items:
                    if isinstance(s, pikepdf.String):
                        b = bytes(s)
                        for i in range(0, len(b), 2):
                            glyphs.append((font, int.from_bytes(b[i:i + 2], "big")))
    return glyphs


def main():
    pdf = pikepdf.open(sys.argv[1])
    glyphs = drawn(pdf)
    bad = 0
    unmapped = [(f, c) for f, c in glyphs if c not in f.unicode]
    if unmapped:
        print("glyphs with no Unicode:", sorted({hex(c) for _, c in unmapped}))
        bad = 1
    shows = {}
    for f, c in glyphs:
        shows.setdefault(f.unicode.get(c, ""), set()).add(f.gid(c))
    texts = set(shows)
    for arg in sys.argv[2:]:
        kind, _, text = arg.partition("=")
        if kind == "lig":
            hit = [t for t in texts if len(t) > 1 and t in (text, text[::-1])]
            if not hit:
                print("no ligature glyph shows", text)
                bad = 1
        elif kind == "nolig":
            if text in texts or text[::-1] in texts:
                print("a ligature glyph shows", text)
                bad = 1
        elif kind == "joined":
            bad |= check_joined(glyphs, text)
    return bad


def check_joined(glyphs, word):
    """Each letter of word that joins a neighbour is drawn with a glyph other than its own."""
    bad = 0
    for k, ch in enumerate(word):
        joins_prev = k > 0 and word[k - 1] not in RIGHT_JOINING
        joins_next = k + 1 < len(word) and ch not in RIGHT_JOINING
        if not (joins_prev or joins_next):
            continue
        drawn_with = {f.gid(c) for f, c in glyphs if f.unicode.get(c) == ch}
        own = {f.own.get(ord(ch)) for f, c in glyphs if f.unicode.get(c) == ch}
        if not drawn_with or drawn_with <= own:
            print("letter %s (U+%04X) of %s: only its isolated glyph" % (ch, ord(ch), word))
            bad = 1
    return bad


if __name__ == "__main__":
    sys.exit(main())
