#!/usr/bin/python3
"""Cuts a shipped font to the characters letters need, for fast embedding.

usage: cut-font.py SOURCE.ttf OUT.ttf UNICODES
Keeps the glyphs of UNICODES (and the parts of composite glyphs) and the layout tables
shaping reads (GSUB, GPOS, GDEF, kern: kerning and standard ligatures), drops hinting,
and renames the family: the SIL OFL reserves the name "Liberation" for
the original, so the cut is "Pdgen Cut Serif" and so on. The licence travels with it.
"""
import sys

from fontTools import subset
from fontTools.ttLib import TTFont


def rename(font, source):
    names = font["name"]
    family = names.getDebugName(1) or "Font"
    style = names.getDebugName(2) or "Regular"
    new_family = "Pdgen Cut " + family.replace("Liberation ", "")
    postscript = (new_family + "-" + style).replace(" ", "")
    for record in list(names.names):
        if record.nameID in (1, 3, 4, 6, 16, 17):
            value = {1: new_family, 3: postscript, 4: new_family + " " + style,
                     6: postscript, 16: new_family, 17: style}[record.nameID]
            record.string = value
    names.setName("Cut by pdgen from %s; SIL Open Font License 1.1" % source, 10, 3, 1, 0x409)


def main():
    source, out, unicodes = sys.argv[1], sys.argv[2], sys.argv[3]
    options = subset.Options()
    options.hinting = False
    options.layout_features = ["kern", "liga", "ccmp", "locl", "mark", "mkmk"]
    options.legacy_kern = True
    options.drop_tables += ["DSIG", "FFTM", "hdmx", "VDMX", "LTSH", "gasp"]
    options.name_IDs = ["*"]
    options.notdef_outline = True
    options.glyph_names = False
    font = TTFont(source, recalcTimestamp=False)  # the source's dates: the same cut every build
    subsetter = subset.Subsetter(options)
    subsetter.populate(unicodes=subset.parse_unicodes(unicodes))
    subsetter.subset(font)
    rename(font, source.rsplit("/", 1)[-1])
    font.save(out)


if __name__ == "__main__":
    main()
