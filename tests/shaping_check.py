#!/usr/bin/python3
"""shaping_check.py PDF FONT WORD...: the kerning a reader sees. Each WORD's box in
pdftotext -bbox is compared with its width unkerned (the sum of FONT's advances, scaled
by the box of 'mmm', which no font kerns); a word starting with '=' must keep that width,
any other must be at least 1.5% narrower. Exits 1, printing what differs."""
import re
import subprocess
import sys

from fontTools.ttLib import TTFont


def boxes(pdf):
    out = subprocess.run(["pdftotext", "-bbox", pdf, "-"], capture_output=True, text=True,
                         check=True).stdout
    found = {}
    for m in re.finditer(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>([^<]*)</word>',
                         out):
        found.setdefault(m.group(3), float(m.group(2)) - float(m.group(1)))
    return found


def main():
    pdf, font = sys.argv[1], TTFont(sys.argv[2])
    cmap, hmtx = font.getBestCmap(), font["hmtx"]
    def unkerned(word):
        return sum(hmtx[cmap[ord(c)]][0] for c in word)
    found = boxes(pdf)
    if "mmm" not in found:
        print("no 'mmm' in", pdf)
        return 1
    scale = found["mmm"] / unkerned("mmm")
    bad = 0
    for arg in sys.argv[3:]:
        word = arg.lstrip("=")
        if word not in found:
            print("missing word", word)
            bad = 1
            continue
        plain, seen = unkerned(word) * scale, found[word]
        kept = abs(seen - plain) < 0.02
        narrower = seen < plain * 0.985
        if (arg.startswith("=") and not kept) or (not arg.startswith("=") and not narrower):
            print("%s: %.3f pt set, %.3f pt unkerned" % (word, seen, plain))
            bad = 1
    return bad


if __name__ == "__main__":
    sys.exit(main())
