#!/usr/bin/env python3
"""Checks what a reader sees in a PDF made by `pdgen typeset` (stdlib only).

  typeset_check.py words SRC.md PDF    every word of the Markdown body appears in the
                                       PDF's text, in order
  typeset_check.py rows SRC.md PDF     every row of the tables lies whole on one page, and
                                       each page with rows shows the header row first
  typeset_check.py bbox PDF L R T B    no word box crosses the margins (points) and no
                                       two word boxes overlap
Prints the first problems and exits 1 when there are any.
"""
import html
import re
import subprocess
import sys

WORD = re.compile(r"\w+", re.UNICODE)


def source_words(path):
    text = open(path, encoding="utf-8").read()
    if text.startswith("---\n"):
        end = text.find("\n---\n", 4)
        text = text[end + 5:]
    out = []
    for line in text.split("\n"):
        if re.match(r"^\s*:::", line) or line.lstrip().startswith("|"):
            continue  # markers print nothing; tables are checked by rows
        line = re.sub(r"!\[[^\]]*\]\([^)]*\)", " ", line)  # images
        line = re.sub(r"\[([^\]]*)\]\([^)]*\)", r"\1", line)  # links: the text
        line = re.sub(r"<(https?://[^>]*|[^>@]+@[^>]+)>", r"\1", line)
        out.extend(WORD.findall(line))
    return [w for w in out if w not in ("_",)]


def pdf_text(pdf, *args):
    return subprocess.run(["pdftotext", "-enc", "UTF-8", *args, pdf, "-"],
                          capture_output=True, check=True).stdout.decode("utf-8")


def check_words(src, pdf):
    want = source_words(src)
    have = WORD.findall(pdf_text(pdf))
    i = 0
    for j, w in enumerate(want):
        while i < len(have) and have[i] != w:
            i += 1
        if i == len(have):
            ctx = " ".join(want[max(0, j - 5):j + 1])
            return ["word %d %r missing or out of order (after: %s)" % (j + 1, w, ctx)]
        i += 1
    return []


def check_rows(src, pdf):
    rows = [l for l in open(src, encoding="utf-8").read().split("\n")
            if l.lstrip().startswith("|") and not re.match(r"^\s*\|[\s:|-]+$", l)]
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
