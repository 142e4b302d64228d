#!/usr/bin/env python3
"""What a legal secretary would fix by hand, in every document of the samples docket: a
heading stranded at a page's foot, a closing on a page without two lines of body text, a
hyphen at a page's end, a straight apostrophe inside a word, an e-mail address split across
lines, a lead-in ("Enclosures:") left at a page's foot, Markdown printed raw (footnote
references, strikethrough, task boxes, images, emphasis), a page before the last less than
three fifths full. Each document is made with its Markdown dumped (--dump=md gives the
headings and addresses); the PDF is read with pdftotext -layout, page by page, and -bbox for
how far down each page its text reaches. Every case file under samples/ must be in the
docket, so that a new sample is checked too.
usage: samples_makeup.py PDGEN DOCKET SCRATCH   prints TAP lines, one per document and rule."""
import os
import re
import subprocess
import sys

import yaml

PDGEN, DOCKET, TMP = sys.argv[1:4]
BASE = os.path.dirname(DOCKET)
HEADER = re.compile(r"Page \d+ of \d+\s*$")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
CLOSING = "Respectfully submitted,"


def unescape(md):
    return re.sub(r"\\(.)", r"\1", md)


def pages(pdf):
    out = subprocess.run(["pdftotext", "-layout", "-enc", "UTF-8", pdf, "-"],
                         capture_output=True, text=True, check=True).stdout
    return [[l.strip() for l in p.split("\n") if l.strip() and not HEADER.search(l)]
            for p in out.split("\f")[:-1]]


RAW = re.compile(r"\*\*|~~|\[\^|\]\(|!\[|\[[ xX]\]")


def fill(pdf):
    """How far down the body each page's text reaches, as a share of the body's height."""
    out = subprocess.run(["pdftotext", "-bbox", pdf, "-"], capture_output=True, text=True,
                         check=True).stdout
    shares = []
    for page in out.split("<page ")[1:]:
        h = float(re.search(r'height="([\d.]+)"', page).group(1))
        ys = [float(y) for y in re.findall(r'yMax="([\d.]+)"', page)]
        ys = [y for y in ys if y < h - 72]  # the body, not a footer in the bottom margin
        shares.append((max(ys) - 72) / (h - 144) if ys else 0)
    return shares


def problems(md, ps, shares):
    heads = {unescape(l.lstrip("#").strip()) for l in md.split("\n") if l.startswith("#")}
    found = []
    for n, p in enumerate(ps):
        last_page = n + 1 == len(ps)
        if p and not last_page and p[-1] in heads:
            found.append("heading %r ends page %d" % (p[-1], n + 1))
        if p and not last_page and p[-1].endswith(":"):
            found.append("lead-in %r ends page %d" % (p[-1], n + 1))
        if not last_page and n < len(shares) and shares[n] < 0.6:
            found.append("page %d is %.0f%% full" % (n + 1, 100 * shares[n]))
        if p and not last_page and p[-1].endswith("-"):
            found.append("page %d ends with a hyphen: %r" % (n + 1, p[-1]))
        if CLOSING in p and p.index(CLOSING) < 2:
            found.append("closing on page %d with %d lines of text" % (n + 1, p.index(CLOSING)))
        for line in p:
            m = re.search(r"\w'\w", line)
            if m:
                found.append("straight apostrophe in %r" % line)
            if RAW.search(line):
                found.append("Markdown printed raw in %r" % line)
    text = "\n".join("\n".join(p) for p in ps)
    for addr in set(EMAIL.findall(unescape(md))):
        if addr not in text:
            found.append("e-mail address %s split" % addr)
    return found


with open(DOCKET) as f:
    docket = yaml.safe_load(f)
status = 0
listed = {os.path.normpath(c["file"]) for c in docket["cases"]}
for root, _, files in os.walk(BASE):
    for name in files:
        rel = os.path.normpath(os.path.relpath(os.path.join(root, name), BASE))
        if not name.endswith(".yaml") or rel == os.path.basename(DOCKET):
            continue
        with open(os.path.join(root, name)) as f:
            doc = yaml.safe_load(f)
        if isinstance(doc, dict) and "client" in doc and rel not in listed:
            print("not ok - sample %s is not in %s (make demo and these checks skip it)" % (rel, DOCKET))
            status = 1
for case in docket["cases"]:
    for doc in case["documents"]:
        if doc not in ("letter", "memo"):  # a packet and an e-mail carry these, checked here
            continue
        name = "%s-%s-%s" % (os.path.splitext(os.path.basename(case["file"]))[0], case["level"], doc)
        args = [PDGEN, doc, os.path.join(BASE, case["file"]), "--level", case["level"]]
        pdf = os.path.join(TMP, name + ".pdf")
        md = subprocess.run(args + ["--dump=md"], capture_output=True, text=True).stdout
        subprocess.run(args + ["-o", pdf], capture_output=True, check=True)
        found = problems(md, pages(pdf), fill(pdf))
        print(("not ok" if found else "ok") + " - sample %s: nothing to fix by hand" % name)
        for f in found:
            print("#   " + f)
        status |= bool(found)
sys.exit(status)
