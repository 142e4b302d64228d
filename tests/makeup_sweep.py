#!/usr/bin/env python3
"""Page make-up sweep: moves a heading, a run of headings before a table, a hyphenated
paragraph and a letter's closing through every line position of a page (a filler paragraph
of 0..N lines before them) and checks each make-up rule at each position, from the text
`pdgen typeset --text` lays out (pages separated by form feeds).
usage: makeup_sweep.py PDGEN SCRATCH_DIR   prints TAP lines, one per rule."""
import os
import re
import subprocess
import sys

from typeset_pages import typeset_pages

PDGEN, TMP = sys.argv[1], sys.argv[2]
N = 110  # filler lines: past two pages, so every position of pages 1 and 2 is tried
failures = {}
exercised = {"hyphen lines": 0, "split filler": 0, "split list": 0}  # and footnote pages


def fail(rule, k, why):
    failures.setdefault(rule, []).append("filler %d: %s" % (k, why))


def filler(k):
    return "\\\n".join("Filler line %d of %d." % (i + 1, k) for i in range(k)) + "\n\n" if k else ""


def pages(md, name):
    return typeset_pages(PDGEN, TMP, md, name)


def check_split(rule, k, ps, prefix, least=2):
    """A run of lines starting with prefix is never split leaving fewer than least lines."""
    counts = [sum(1 for l in p if l.startswith(prefix)) for p in ps]
    parts = [c for c in counts if c]
    if len(parts) > 1:
        exercised["split " + ("filler" if prefix == "Filler" else "list")] += 1
        if min(parts[0], parts[-1]) < least:
            fail(rule, k, "%s lines split %s" % (prefix, parts))


HEADINGS = ["Heading alpha", "Run heading", "Sub heading", "Quoted heading"]


def sweep_headings(k):
    md = (filler(k) + "## Heading alpha\n\n" + "\\\n".join("Body %d." % i for i in range(5)) +
          "\n\n## Run heading\n\n### Sub heading\n\n| Name | Role |\n|---|---|\n" +
          "".join("| Row %d | Person |\n" % i for i in range(4)) + "\nLast paragraph.\n\n" +
          "> Quoted lead one,\\\n> quoted lead two.\n>\n> ### Quoted heading\n>\n> Quoted one,\\\n> quoted two,\\\n> quoted three.\n")
    ps = pages(md, "headings-%d" % k)
    for p in ps:
        for i, line in enumerate(p):
            if line in HEADINGS:
                after = p[i + 1:]
                if not after:
                    fail("a heading is never the last line of a page", k, line)
                elif line == "Sub heading" and not any(l.startswith("Row") for l in after):
                    fail("a heading before a table keeps its header and first row", k, repr(after))
            if line == "Name Role" and not (i + 1 < len(p) and p[i + 1].startswith("Row")):
                fail("a table's header keeps its first row", k, "header alone")
    check_split("no orphan or widow line in a paragraph", k, ps, "Filler")


def sweep_hyphens(k):
    words = ("Incomprehensibilities notwithstanding, characteristically uncharacteristic "
             "responsibilities accumulate unaccountably, extraordinarily complicating "
             "administrative determinations. ") * 8
    md = "---\nmargins: 2.2in\n---\n" + filler(k) + words + "\n\nAfter.\n"
    ps = pages(md, "hyphen-%d" % k)
    for n, p in enumerate(ps):
        exercised["hyphen lines"] += sum(1 for l in p if l.endswith("-"))
        if n + 1 < len(ps) and p and p[-1].endswith("-"):
            fail("no page ends with a hyphen", k, "page %d ends %r" % (n + 1, p[-1]))


CLOSINGS = {
    # the templates' closing block, and a plain letter's closing with no marker at all
    "marked": "::: closing\nRespectfully submitted,\n\n&nbsp;\n\nJane Counsel\\\nBar No. 1\\\n"
              "jane@example.org\n:::\n\n",
    "plain": "Respectfully submitted,\n\n*/s/ Jane Counsel*\n\nJane Counsel\\\nBar No. 1\\\n"
             "jane@example.org\n\n",
}


def sweep_closing(k, kind):
    md = (filler(k) + "Text one of the last paragraph,\\\ntext two,\\\ntext three.\n\n" +
          CLOSINGS[kind] + "**Enclosures:**\n\n" +
          "".join("- Tab %s: Exhibit\n" % t for t in "ABCDEF") + "\n**cc:**\n\n- Client\n- File\n")
    ps = pages(md, "closing-%s-%d" % (kind, k))
    for p in ps:
        if "Respectfully submitted," in p:
            i = p.index("Respectfully submitted,")
            if i < 2:
                fail("the closing keeps at least two lines of body text", k, kind + repr(p[:i]))
            if "jane@example.org" not in p or (kind == "plain" and "/s/ Jane Counsel" not in p):
                fail("the closing and the signature stay together", k, "signature split")
        if p and p[-1] in ("Enclosures:", "cc:"):
            fail("a lead-in ending in a colon keeps with its list", k, p[-1])
    check_split("no list leaves one item alone", k, ps, "• Tab")
    check_split("no orphan or widow line in a paragraph", k, ps, "Filler")


def spacing():
    """Space above a heading is larger than below it (baseline to baseline less a line)."""
    md = filler(3) + "## Heading alpha\n\nBody text.\n"
    src, pdf = os.path.join(TMP, "space.md"), os.path.join(TMP, "space.pdf")
    with open(src, "w") as f:
        f.write(md)
    subprocess.run([PDGEN, "typeset", src, "-o", pdf], check=True)
    box = subprocess.run(["pdftotext", "-bbox", pdf, "-"], capture_output=True, text=True).stdout
    y = {}
    for m in re.finditer(r'yMin="([\d.]+)" xMax="[\d.]+" yMax="([\d.]+)">([^<]*)<', box):
        y[m.group(3)] = (float(m.group(1)), float(m.group(2)))  # the last of each word
    above = y["Heading"][0] - y["3."][1]
    below = y["Body"][0] - y["alpha"][1]
    ok = above > below > 0
    print(("ok" if ok else "not ok") + " - makeup: space above a heading (%.1f pt) is larger "
          "than below it (%.1f pt)" % (above, below))


NOTE = ("Footnote alpha: a citation long enough to wrap over more than one line of the "
        "footnote at its size, so that the room it takes at the foot of the page counts. ") * 2


def sweep_notes(k):
    md = (filler(k) + "Cited sentence here.[^a] And more words after it.\n\n" +
          "\\\n".join("After %d." % i for i in range(6)) + "\n\n[^a]: " + NOTE + "\n")
    ps = pages(md, "notes-%d" % k)
    cited = [n for n, p in enumerate(ps) if any(l.startswith("Cited sentence here.") for l in p)]
    noted = [n for n, p in enumerate(ps) if any(l.startswith("Footnote alpha:") for l in p)]
    if len(cited) != 1 or cited != noted:
        fail("a footnote is on the page of its reference", k, "text on %s, note on %s" % (cited, noted))
    else:
        exercised.setdefault("footnotes on pages", set()).add(cited[0])
    if k % 9 == 0:  # the page's words never run into its footnotes or off the page
        src, pdf = os.path.join(TMP, "notes-%d.md" % k), os.path.join(TMP, "notes-%d.pdf" % k)
        r = subprocess.run([PDGEN, "typeset", src, "-o", pdf], capture_output=True)
        r = subprocess.run([sys.executable, os.path.join(os.path.dirname(__file__),
                            "typeset_check.py"), "bbox", pdf, "72", "72", "72", "72"],
                           capture_output=True, text=True)
        if r.returncode:
            fail("a page's text and its footnotes never overlap", k, r.stdout[:200])


spacing()
for k in range(N + 1):
    sweep_notes(k)
    sweep_headings(k)
    sweep_closing(k, "marked")
    sweep_closing(k, "plain")
    sweep_hyphens(k)

RULES = ["a heading is never the last line of a page", "a heading before a table keeps its "
         "header and first row", "a table's header keeps its first row",
         "no orphan or widow line in a paragraph", "no page ends with a hyphen",
         "the closing keeps at least two lines of body text",
         "the closing and the signature stay together",
         "a lead-in ending in a colon keeps with its list", "no list leaves one item alone",
         "a footnote is on the page of its reference",
         "a page's text and its footnotes never overlap"]
for rule in RULES:
    if rule in failures:
        print("not ok - makeup sweep: %s\n#   %s" % (rule, "\n#   ".join(failures[rule][:5])))
    else:
        print("ok - makeup sweep: %s (filler 0..%d)" % (rule, N))
exercised["footnotes on pages"] = len(exercised.get("footnotes on pages", ())) - 1
for what, n in exercised.items():
    # the sweep must reach the cases it checks, or it proves nothing
    print(("ok" if n else "not ok") + " - makeup sweep reaches %s (%d)" % (what, n))
