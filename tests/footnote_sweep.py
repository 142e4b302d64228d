#!/usr/bin/env python3
"""Footnotes that split across pages: a long footnote's reference moved through every line
position of two pages (a filler paragraph of 0..N lines before it), cited from a paragraph,
a list item and a table row, with a short second footnote cited three lines later; and a
footnote three pages long. Each rule is checked at each position from the text that
`pdgen typeset --text` lays out (pages split by form feeds): no word of a footnote or of
the text lost, repeated or out of order; the citing line and the footnote's first lines
on one page; its rest at the foot of the next pages, before any later footnote, never
fewer than two lines; later footnotes in order, on the page of their reference; the
filler's orphan and widow lines kept.
usage: footnote_sweep.py PDGEN SCRATCH_DIR   prints TAP lines, one per rule."""
import os
import re
import subprocess
import sys

from typeset_pages import typeset_pages

PDGEN, TMP = sys.argv[1], sys.argv[2]
N = 100
failures = {}
reached = {"footnotes held back behind one before them": 0, "split footnotes": 0, "footnotes over three pages": 0, "cite moved on": 0}


def fail(rule, case, why):
    failures.setdefault(rule, []).append("%s: %s" % (case, why))


def filler(k):
    return "\\\n".join("Filler line %d of %d." % (i + 1, k) for i in range(k)) + "\n\n" if k else ""


def note(tag, words):
    return " ".join("%s%d of the note." % (tag, i) for i in range(words))


CITES = {
    "paragraph": "Cited sentence here.[^a] More words of it.\\\nSecond line of it.\\\n"
                 "Third line cites again.[^b]\n\n",
    "list": "- First item.\n- Cited sentence here.[^a] More words of it.\\\n  Second line of it.\\\n"
            "  Third line cites again.[^b]\n- Last item.\n\n",
    "table": "| Who | What |\n|---|---|\n| One | First row. |\n"
             "| Two | Cited sentence here.[^a] |\n| Three | Third line cites again.[^b] |\n\n",
}


def pages(md, name):
    """The pages' lines, a footnote's raised number (a line of its own) left out."""
    return [[l for l in p if not l.isdigit() and not re.fullmatch(r"[\d ]+", l)]
            for p in typeset_pages(PDGEN, TMP, md, name, "footnote sweep")]


def tokens(ps, tag):
    """(page, line) of each numbered word of a footnote, in reading order."""
    out = []
    for n, p in enumerate(ps):
        for i, l in enumerate(p):
            out += [(int(m), n, i) for m in re.findall(r"\b%s(\d+)\b" % tag, l)]
    return out


def page_of(ps, text):
    found = [n for n, p in enumerate(ps) for l in p if text in l]
    return found[0] if len(found) == 1 else None


def check_note(case, ps, tag, words, cite, behind=None):
    """behind: the pages of the footnote before it, when it may be held back behind it."""
    toks = tokens(ps, tag)
    if [t[0] for t in toks] != list(range(words)):
        fail("no word of a footnote lost, repeated or out of order", case,
             "%s words %s" % (tag, [t[0] for t in toks][:8]))
        return None
    at = page_of(ps, cite)
    if at is None:
        fail("no word of the text lost, repeated or out of order", case, "cite %r" % cite)
        return None
    lines = {}
    for _, n, i in toks:
        lines.setdefault(n, set()).add(i)
    spread = sorted(lines)
    held = behind and at in behind and spread[0] == max(at + 1, behind[-1])
    if held:
        reached["footnotes held back behind one before them"] += 1
    if spread[0] != at and not held:
        fail("a footnote starts on the page of the line citing it", case,
             "%s cited on page %d, starts on %d" % (tag, at + 1, spread[0] + 1))
    if spread != list(range(spread[0], spread[0] + len(spread))):
        fail("a split footnote goes on at the foot of the next pages", case, "%s on %s" % (tag, spread))
    if len(spread) > 1:
        reached["split footnotes"] += 1
        if len(spread) >= 3:
            reached["footnotes over three pages"] += 1
        counts = [len(lines[n]) for n in spread]
        if min(counts[0], counts[-1]) < 2:
            fail("a split footnote keeps two lines on each page", case, "%s lines %s" % (tag, counts))
        for n in spread:  # its lines are the page's last ones, under the text
            if max(lines[n]) != len(ps[n]) - 1 and n != spread[-1]:
                fail("a split footnote goes on at the foot of the next pages", case,
                     "%s on page %d not at its foot" % (tag, n + 1))
    return spread


def check_text(case, ps, k):
    body = [l for p in ps for l in p if l.startswith("Filler line")]
    if body != ["Filler line %d of %d." % (i + 1, k) for i in range(k)]:
        fail("no word of the text lost, repeated or out of order", case, "filler %d lines" % len(body))
    counts = [sum(1 for l in p if l.startswith("Filler")) for p in ps]
    parts = [c for c in counts if c]
    if len(parts) > 1 and min(parts[0], parts[-1]) < 2:
        fail("no orphan or widow line in the text", case, "filler lines split %s" % parts)


def check_fill(case, ps):
    """Every page but the last is 70% full or more (a footnote line counts as the 0.83 of a line it is)."""
    fill = [sum(0.83 if re.search(r"\bn[a-z]\d+\b", l) else 1 for l in p) for p in ps]
    if any(f < 0.7 * max(fill) for f in fill[:-1]):
        fail("no page but the last is left 30% empty", case, "lines %s" % fill)


def sweep(kind, k):
    case = "%s, filler %d" % (kind, k)
    md = (filler(k) + CITES[kind] + "\\\n".join("After %d." % i for i in range(8)) + "\n\n" +
          "[^a]: " + note("na", 200) + "\n\n[^b]: " + note("nb", 6) + "\n")
    ps = pages(md, "fn-%s-%d" % (kind, k))
    check_text(case, ps, k)
    check_fill(case, ps)
    a = check_note(case, ps, "na", 200, "Cited sentence here.")
    b = check_note(case, ps, "nb", 6, "Third line cites again.", a)
    if a and b:
        if b[0] < a[-1]:
            fail("footnotes keep their order", case, "b on %s before a ends on %s" % (b, a))
        if b[0] == a[-1]:
            last_a = max(i for _, n, i in tokens(ps, "na") if n == b[0])
            first_b = min(i for _, n, i in tokens(ps, "nb") if n == b[0])
            if first_b < last_a:
                fail("footnotes keep their order", case, "b above a on page %d" % (b[0] + 1))
    if a and a[0] > 0 and k > 0 and page_of(ps, "Filler line %d of %d." % (k, k)) == a[0] - 1:
        reached["cite moved on"] += 1
    if k % 10 == 0:  # the words never run into the footnotes or off the page
        src, pdf = os.path.join(TMP, "fn-%s-%d.md" % (kind, k)), os.path.join(TMP, "fn.pdf")
        subprocess.run([PDGEN, "typeset", src, "-o", pdf], capture_output=True)
        r = subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__),
                            "typeset_check.py"), "bbox", pdf, "72", "72", "72", "72"],
                           capture_output=True, text=True)
        if r.returncode:
            fail("a page's text and its footnotes never overlap", case, r.stdout[:200])


def three_pages():
    """A footnote over three pages, cited early on a page, among short ones."""
    md = (filler(20) + "Early cite.[^x] Then a short one.[^y]\n\n" +
          "\\\n".join("After %d." % i for i in range(70)) + " Late cite.[^z]\n\n" +
          "[^x]: " + note("nx", 420) + "\n\n[^y]: " + note("ny", 5) + "\n\n[^z]: " +
          note("nz", 5) + "\n")
    ps = pages(md, "fn-three")
    x = check_note("three pages", ps, "nx", 420, "Early cite.")
    y = check_note("three pages", ps, "ny", 5, "Early cite.", x)
    z = check_note("three pages", ps, "nz", 5, "Late cite.")
    after = [l for p in ps for l in p if l.startswith("After")]
    if len(after) != 70:
        fail("no word of the text lost, repeated or out of order", "three pages", "%d" % len(after))
    if not (x and y and z and len(x) >= 3 and y[0] >= x[-1] and z[0] >= y[-1]):
        fail("a footnote three pages long goes on over three pages, in order", "three pages",
             "x %s y %s z %s" % (x, y, z))


for k in range(N + 1):
    for kind in CITES:
        sweep(kind, k)
three_pages()

RULES = ["no word of a footnote lost, repeated or out of order",
         "no word of the text lost, repeated or out of order",
         "a footnote starts on the page of the line citing it",
         "a split footnote goes on at the foot of the next pages",
         "a split footnote keeps two lines on each page", "footnotes keep their order",
         "no orphan or widow line in the text", "no page but the last is left 30% empty", "a page's text and its footnotes never overlap",
         "a footnote three pages long goes on over three pages, in order"]
for rule in RULES:
    if rule in failures:
        print("not ok - footnote sweep: %s (%d)\n#   %s" % (rule, len(failures[rule]),
              "\n#   ".join(failures[rule][:6])))
    else:
        print("ok - footnote sweep: %s (filler 0..%d)" % (rule, N))
for what, n in reached.items():
    print(("ok" if n else "not ok") + " - footnote sweep reaches %s (%d)" % (what, n))
