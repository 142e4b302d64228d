#!/usr/bin/env python3
"""Checks what a reader sees in a PDF made by `pdgen typeset` (stdlib only).

  typeset_check.py words SRC.md PDF    every word of the Markdown body appears in the
                                       PDF's text, in order
  typeset_check.py cells SRC.md PDF    every word of the tables' rows appears in the PDF's
                                       text, in order (rows may split across pages)
  typeset_check.py header SRC.md PDF   every page that continues a table shows its header
                                       row before any word of the other rows
  typeset_check.py x PDF WORD          prints the left edge (points) of WORD's first box
  typeset_check.py rows SRC.md PDF     every row of the tables lies whole on one page, and
                                       each page with rows shows the header row first
  typeset_check.py bbox PDF L R T B    no word box crosses the margins (points) and no
                                       two word boxes overlap
Prints the first problems and exits 1 when there are any. A word hyphenated at a line's
end ("immi-" then "gration") counts as the source's word when the source has it whole.
"""
import html
import re
import subprocess
import sys

WORD = re.compile(r"\w+", re.UNICODE)


def body_lines(path):
    text = open(path, encoding="utf-8").read()
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        text = text[end + 5:]
    return text.split("\n")


def source_words(path):
    out = []
    for line in body_lines(path):
        if re.match(r"^\s*:::", line) or line.lstrip().startswith("|"):
            continue  # markers print nothing; tables are checked by rows
        line = re.sub(r"!\[[^\]]*\]\([^)]*\)", " ", line)  # images
        line = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line)  # links: the text
        line = re.sub(r"<(https?://[^>]*|[^>@]+@[^>]+)>", r"\1", line)
        out.extend(WORD.findall(line))
    return [w for w in out if w not in ("_",)]


def table_rows(path):
    return [l for l in body_lines(path)
            if l.lstrip().startswith("|") and not re.match(r"^\s*\|[\s:|-]+$", l)]


def pdf_text(pdf, *args):
    return subprocess.run(["pdftotext", "-enc", "UTF-8", *args, pdf, "-"],
                          capture_output=True, check=True).stdout.decode("utf-8")


def pdf_words(pdf, known, page=None):
    """The PDF's words; "xx-" at a line's end joined to the next line's "yy" when
    "xxyy" is a known (source) word."""
    text = pdf_text(pdf, "-raw") if page is None else page
    join = lambda m: m.group(1) + m.group(2) if m.group(1) + m.group(2) in known \
        else m.group(0)
    text = re.sub(r"(\w+)-\n(\w+)", join, text)
    return WORD.findall(text)


def in_order(want, have):
    i = 0
    for j, w in enumerate(want):
        while i < len(have) and have[i] != w:
            i += 1
        if i == len(have):
            ctx = " ".join(want[max(0, j - 5):j + 1])
            return ["word %d %r missing or out of order (after: %s)" % (j + 1, w, ctx)]
        i += 1
    return []


def check_words(src, pdf):
    want = source_words(src)
    return in_order(want, pdf_words(pdf, set(want)))


def check_cells(src, pdf):
    want = [w for r in table_rows(src) for w in WORD.findall(r)]
    return in_order(want, pdf_words(pdf, set(want))) if want else ["no table in " + src]


def check_header(src, pdf):
    rows = table_rows(src)
    if len(rows) < 2:
        return ["no table in " + src]
    header, known = WORD.findall(rows[0]), set(WORD.findall(" ".join(rows)))
    last = WORD.findall(rows[-1])[-1]
    pages = [pdf_words(pdf, known, t) for t in pdf_text(pdf).split("\f")]
    first = next((n for n, p in enumerate(pages) if header[0] in p), None)
    end = next((n for n, p in enumerate(pages) if last in p), None)
    if first is None or end is None:
        return ["table not found in " + pdf]
    body = set(WORD.findall(" ".join(rows[1:]))) - set(header)
    problems = []
    for n in range(first + 1, end + 1):
        top = next((i for i, w in enumerate(pages[n]) if w in body), len(pages[n]))
        if in_order(header, pages[n][:top]):
            problems.append("page %d: does not start with the header row %s"
                            % (n + 1, " ".join(header)))
    return problems


def word_x(pdf, word):
    m = re.search(r'<word xMin="([\d.]+)"[^>]*>%s</word>' % re.escape(word),
                  pdf_text(pdf, "-bbox"))
    return m.group(1) if m else None


def check_rows(src, pdf):
    rows = table_rows(src)
    if not rows:
        return ["no table in " + src]
    header = WORD.findall(rows[0])
    pages = [WORD.findall(t) for t in pdf_text(pdf).split("\f")]
    problems = []
    for r in rows[1:]:
        words = WORD.findall(r)
        where = [n for n, p in enumerate(pages, 1) if all(w in p for w in words)]
        if not where:
            problems.append("row split or missing: " + r[:60])
            continue
        page = pages[where[0] - 1]
        # the header row comes before the first row on the page
        first = page.index(words[-1]) if words[-1] in page else -1
        k = 0
        for w in page[:max(first, 0)]:
            if k < len(header) and w == header[k]:
                k += 1
        if k < len(header):
            problems.append("page %d: no header row before %s" % (where[0], r[:40]))
    return problems


def check_bbox(pdf, left, right, top, bottom):
    out = pdf_text(pdf, "-bbox")
    problems = []
    pages = re.split(r"<page ", out)[1:]
    for n, page in enumerate(pages, 1):
        m = re.match(r'width="([\d.]+)" height="([\d.]+)"', page)
        width, height = float(m.group(1)), float(m.group(2))
        boxes = []
        for b in re.finditer(r'<word xMin="([\d.]+)" yMin="([\d.]+)" xMax="([\d.]+)" '
                             r'yMax="([\d.]+)">([^<]*)</word>', page):
            x0, y0, x1, y1 = (float(b.group(k)) for k in range(1, 5))
            word = html.unescape(b.group(5))
            boxes.append((x0, y0, x1, y1, word))
            eps = 0.5
            if x0 < left - eps or x1 > width - right + eps or y0 < top - eps or \
                    y1 > height - bottom + eps:
                problems.append("page %d: %r at (%.1f,%.1f)-(%.1f,%.1f) crosses a margin"
                                % (n, word, x0, y0, x1, y1))
        for i, a in enumerate(boxes):
            for b in boxes[i + 1:]:
                w = min(a[2], b[2]) - max(a[0], b[0])
                h = min(a[3], b[3]) - max(a[1], b[1])
                if w > 0.3 and h > 0.3:
                    problems.append("page %d: %r and %r overlap" % (n, a[4], b[4]))
    return problems


def main():
    if len(sys.argv) == 4 and sys.argv[1] == "words":
        problems = check_words(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "rows":
        problems = check_rows(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "cells":
        problems = check_cells(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "header":
        problems = check_header(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 4 and sys.argv[1] == "x":
        x = word_x(sys.argv[2], sys.argv[3])
        print(x if x else "no word %r" % sys.argv[3])
        return 0 if x else 1
    elif len(sys.argv) == 7 and sys.argv[1] == "bbox":
        problems = check_bbox(sys.argv[2], *map(float, sys.argv[3:]))
    else:
        print(__doc__, file=sys.stderr)
        return 2
    for p in problems[:10]:
        print(p)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
