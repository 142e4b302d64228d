#!/usr/bin/python3
"""glyph_map.py PDF CHECK...: what the glyphs of a PDF's text show, read from outside
(pikepdf for the content streams and fonts, fontTools for the embedded programs).
Every glyph drawn must map to Unicode (ToUnicode) other than U+0000, U+FEFF and U+FFFE
(PDF/UA-1 7.21); then each CHECK:
  joined=TEXT   each Arabic letter of TEXT drawn with a glyph that is not its isolated
                (cmap) glyph when it joins a neighbour: a word's first letter initial,
                its middle ones medial, its last final (for letters that join both ways)
  lig=TEXT      some glyph maps back to TEXT (two or more characters: a ligature)
  nolig=TEXT    no glyph maps back to TEXT
  over=BM       the mark M drawn over its letter B (its origin within B's advance)
  seen=TEXT     some line, read left to right as a reader sees it (each glyph as the
                character whose cmap glyph it is, else as the text it maps to), holds
                TEXT, spaces aside: a bracket set right to left is seen as its mirror
Exits 1, printing what differs."""
import io
import re
import sys
import unicodedata

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
        self.width = {}
        w = list(desc.W)
        for i in range(0, len(w), 2):
            for k, v in enumerate(w[i + 1]):
                self.width[int(w[i]) + k] = float(v)


def drawn(pdf, at=None):
    """(font, cid) of every glyph the pages draw, in content order; with at, a list, each
    glyph's (x, y, advance) in it (the text as pdgen writes it: Td moves, TJ arrays)."""
    glyphs = []
    for page in pdf.pages:
        fonts = {str(k): Font(v) for k, v in page.Resources.get("/Font", {}).items()}
        font, size, lx, ly, x = None, 0, 0, 0, 0
        for operands, op in pikepdf.parse_content_stream(page):
            op = str(op)
            if op == "Tf":
                font, size = fonts[str(operands[0])], float(operands[1])
            elif op == "BT":
                lx = ly = x = 0
            elif op == "Td":
                lx, ly = lx + float(operands[0]), ly + float(operands[1])
                x = lx
            elif op in ("Tj", "TJ"):
                items = operands[0] if op == "TJ" else [operands[0]]
                for s in items:
                    if not isinstance(s, pikepdf.String):
                        x -= float(s) * size / 1000
                        continue
                    b = bytes(s)
                    for i in range(0, len(b), 2):
                        cid = int.from_bytes(b[i:i + 2], "big")
                        glyphs.append((font, cid))
                        adv = font.width.get(cid, 1000) * size / 1000
                        if at is not None:
                            at.append((x, ly, adv))
                        x += adv
    return glyphs


def main():
    pdf = pikepdf.open(sys.argv[1])
    at = []
    glyphs = drawn(pdf, at)
    bad = 0
    unmapped = [(f, c) for f, c in glyphs
                if not f.unicode.get(c) or set(f.unicode[c]) & {"\0", "\ufeff", "\ufffe"}]
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
        elif kind == "over":
            bad |= check_over(glyphs, at, text[0], text[1:])
        elif kind == "seen":
            bad |= check_seen(glyphs, at, text)
    return bad


def check_over(glyphs, at, base, mark):
    """Every mark drawn right after base stands within base's advance."""
    seen = 0
    for k in range(1, len(glyphs)):
        (f0, c0), (f1, c1) = glyphs[k - 1], glyphs[k]
        if f0.unicode.get(c0) != base or f1.unicode.get(c1) != mark:
            continue
        seen += 1
        (x0, y0, w0), (x1, y1, _) = at[k - 1], at[k]
        if not (x0 <= x1 < x0 + w0 and abs(y0 - y1) < 0.01):
            print("mark U+%04X at %.2f, its letter %s from %.2f to %.2f" % (ord(mark), x1, base, x0, x0 + w0))
            return 1
    if not seen:
        print("no %s followed by U+%04X" % (base, ord(mark)))
    return 0 if seen else 1


def check_seen(glyphs, at, text):
    """Some line's glyphs, left to right, seen as characters, hold text (spaces aside)."""
    lines = {}
    for (f, c), (x, y, _) in zip(glyphs, at):
        seen = {g: chr(cp) for cp, g in f.own.items()}
        lines.setdefault(round(y, 1), []).append((x, seen.get(f.gid(c), f.unicode.get(c, "?"))))
    want = "".join(text.split())  # a joined form seen as its letter (NFKC: U+FEE3 as U+0645)
    got = ["".join(unicodedata.normalize("NFKC", "".join(ch for _, ch in sorted(line))).split())
           for line in lines.values()]
    if any(want in line for line in got):
        return 0
    print("no line seen as %s; lines: %s" % (want, [g for g in got if g]))
    return 1


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
