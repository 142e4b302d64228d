#!/usr/bin/env python3
"""Text rules swept over measures: one paragraph holding every no-break case (honorifics,
abbreviations, "Tab C", month and day, "2:30 p.m.", "2 p."), capitalised hyphenated names
and e-mail addresses is set at right margins from 1in to 3.5in, and every line break is
checked; quotes, dashes and ellipses follow one rule in prose and in escaped text.
usage: text_rules.py PDGEN SCRATCH_DIR   prints TAP lines."""
import os
import re
import subprocess
import sys

PDGEN, TMP = sys.argv[1], sys.argv[2]
NOBREAK_AFTER = {"Mr.", "Mrs.", "Ms.", "Dr.", "Hon.", "No.", "p.", "pp.", "§", "Tab", "(Tab"}
AFTER_NUMBER = ("a.m.", "p.m.", "p.", "pp.")
MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August",
          "September", "October", "November", "December")
EMAILS = ["mcastillo@castillo-reyes.example", "OPLA-PD-HQ-FLO@ice.dhs.gov"]
NAMES = ["Hernández-López", "Pérez-Ruiz"]
PARA = ("On November 20, 2014 Mr. D'Souza met Dr. Beltrán and Ms. Pérez-Ruiz at 2:30 p.m. "
        "about the Hon. Judge's order (Tab C) under 8 U.S.C. § 1231, No. 12 and pp. 4-7; "
        "write to mcastillo@castillo-reyes.example or OPLA-PD-HQ-FLO@ice.dhs.gov before "
        "March 3 at 10:15 a.m. The record, 48 pp. long, and a letter of 2 p. follow. "
        "Mrs. Hernández-López arrived on October 1 and saw Dr. Okafor on December 12. ") * 2


def lines_at(margin):
    src = os.path.join(TMP, "rules.md")
    with open(src, "w") as f:
        f.write("---\nmargins: {left: 1in, right: %.2fin}\n---\n%s\n" % (margin, PARA))
    r = subprocess.run([PDGEN, "typeset", "--text", src], capture_output=True, text=True)
    if r.returncode or r.stderr.strip():
        sys.exit("not ok - text rules: pdgen typeset failed: " + r.stderr)
    return [l for l in r.stdout.replace("\f", "\n").split("\n")
            if l.strip() and not re.match(r"^Page \d+ of \d+$", l)]


failures = {}
breaks = 0
for step in range(0, 126):
    margin = 1.0 + step * 0.02
    ls = lines_at(margin)
    breaks += len(ls) - 1
    joined = " ".join(ls)
    for a, b in zip(ls, ls[1:]):
        last, first = a.split()[-1], b.split()[0]
        why = None
        if last in NOBREAK_AFTER:
            why = "a line ends with %r" % last
        elif re.search(r"\d$", last) and first.rstrip(",.;") in AFTER_NUMBER + ("pp", "p"):
            why = "%r starts a line after a number" % first
        elif last in MONTHS and first[0].isdigit():
            why = "month and day split: %r / %r" % (last, first)
        elif any(last.endswith(n.split("-")[0] + "-") for n in NAMES):
            why = "a name broken at its hyphen: %r" % last
        if why:
            failures.setdefault("no-break", []).append("%.2fin: %s" % (margin, why))
    for e in EMAILS:
        if e not in joined.replace("’", "'"):
            failures.setdefault("e-mail", []).append("%.2fin: %s split" % (margin, e))
print(("ok" if breaks > 1000 else "not ok") + " - text rules: %d line breaks tried" % breaks)
for rule, what in [("no-break", "no line breaks after an honorific or abbreviation, between "
                    "month and day, before a.m./p.m./p./pp., or in a capitalised name's hyphen"),
                   ("e-mail", "an e-mail address that fits is never split")]:
    if rule in failures:
        print("not ok - text rules: %s\n#   %s" % (what, "\n#   ".join(failures[rule][:6])))
    else:
        print("ok - text rules: %s" % what)

# a hyphen between two years is a range's en dash; dates, A-numbers, telephone numbers,
# ZIP+4 codes, a falling pair and numbers that are not years keep theirs
src = os.path.join(TMP, "years.md")
with open(src, "w") as f:
    f.write("Lived here 1990-2015 and (2008-2016); W-2s 2009-2014.\n\n"
            "Filed 2015-04-06, A078-112-340, call 312-555-2015, ZIP 60601-2019, 2016-2008, "
            "1200-1300, 1-2015-2016, 2015-2016-2017, x2015-2016.\n")
out = subprocess.run([PDGEN, "typeset", "--text", src], capture_output=True, text=True).stdout
want = ["Lived here 1990\u20132015 and (2008\u20132016); W-2s 2009\u20132014.",
        "Filed 2015-04-06, A078-112-340, call 312-555-2015, ZIP 60601-2019, 2016-2008, "
        "1200-1300, 1-2015-2016, 2015-2016-2017, x2015-2016."]
got = " ".join(l for l in out.replace("\f", "").split("\n") if l.strip())
print(("ok" if got == " ".join(want) else "not ok") +
      " - text rules: a range of years takes an en dash, other numbers keep their hyphens")
if got != " ".join(want):
    print("#   got %r" % got)

# quotes: prose and an escaped value (as a case value reaches the layout) alike
src = os.path.join(TMP, "quotes.md")
with open(src, "w") as f:
    f.write("He said \"yes\" to D'Souza's 'plan' in the '90s -- or --- not...\n\n"
            "He said \\\"yes\\\" to D\\'Souza\\'s \\'plan\\' in the \\'90s \\-\\- or \\-\\-\\- not\\.\\.\\.\n")
out = subprocess.run([PDGEN, "typeset", "--text", src], capture_output=True, text=True).stdout
want = "He said “yes” to D’Souza’s ‘plan’ in the ’90s – or — not…"
got = [l for l in out.replace("\f", "").split("\n") if l.strip()]
print(("ok" if got == [want, want] else "not ok") +
      " - text rules: quotes, dashes and ellipses by one rule in prose and escaped text")
if got != [want, want]:
    print("#   got %r" % got)

# an address wider than the measure breaks only after '@' or '/' or before '.', no hyphen
long_addr = "first.middle.lastname.of.counsel@immigration-law-offices-of-castillo-and-reyes.example"
with open(src, "w") as f:
    f.write("---\nmargins: {left: 1in, right: 3.9in}\n---\nWrite to %s today.\n" % long_addr)
out = subprocess.run([PDGEN, "typeset", "--text", src], capture_output=True, text=True).stdout
ls = [l for l in out.replace("\f", "").split("\n") if l.strip()]
cuts_ok = all(a.endswith(("@", "/")) or b.startswith(".") for a, b in zip(ls, ls[1:]))
good = len(ls) > 2 and cuts_ok and long_addr in "".join(ls).replace(" ", "").replace("Writeto", "")
print(("ok" if good else "not ok") +
      " - text rules: an address wider than the line breaks after @ or / or before ., no hyphen")
if not good:
    print("#   %r" % ls)

# invisible and no-break characters as Unicode says: U+2060 joins, U+FE0F is dropped, U+2011
# prints a hyphen no line breaks at, U+200C/U+200D print nothing; none is an error
with open(src, "w") as f:
    f.write("Word\u2060joiner, mark \u2714\ufe0f ok, non\u2011breaking, zw\u200cnj and zw\u200dj.\n")
r = subprocess.run([PDGEN, "typeset", "--text", src], capture_output=True, text=True)
want = "Wordjoiner, mark \u2714 ok, non-breaking, zwnj and zwj."
good = r.returncode == 0 and not r.stderr and r.stdout.replace("\f", "").strip() == want
print(("ok" if good else "not ok") + " - text rules: U+2060, U+FE0F, U+2011, U+200C, U+200D")
if not good:
    print("#   %r %r" % (r.stdout, r.stderr))
nb_fail = []
for step in range(0, 60):
    with open(src, "w") as f:
        f.write("---\nmargins: {left: 1in, right: %.2fin}\n---\n%s\n" % (
            2.0 + step * 0.03, "Counter\u2011signature and self\u2011represented co\u2011counsel. " * 6))
    out = subprocess.run([PDGEN, "typeset", "--text", src], capture_output=True, text=True).stdout
    nb_fail += [l for l in out.split("\n") if l.endswith(("Counter-", "self-", " co-"))]
print(("not ok" if nb_fail else "ok") + " - text rules: no line ends at a no-break hyphen")
for l in nb_fail[:3]:
    print("#   %r" % l)

# a code span in a justified line keeps its spaces at the mono face's width
with open(src, "w") as f:
    f.write("Justified words stretch around `x y z` here while the words of this line "
            "spread wide to fill the measure, and the next line carries on with more words "
            "until the paragraph ends.\n")
pdf = os.path.join(TMP, "code.pdf")
subprocess.run([PDGEN, "typeset", src, "-o", pdf], check=True)
box = subprocess.run(["pdftotext", "-bbox", pdf, "-"], capture_output=True, text=True).stdout
xs = {}
for m in re.finditer(r'xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<', box):
    xs.setdefault(m.group(3), (float(m.group(1)), float(m.group(2))))  # the first of each
gap_code = xs["y"][0] - xs["x"][1]
gap_prose = xs["words"][0] - xs["Justified"][1]
good = abs(gap_code - 7.2) < 0.05 and gap_prose > 3.5
print(("ok" if good else "not ok") + " - text rules: a code span is never stretched "
      "(%.2f pt between its words, %.2f between the line's)" % (gap_code, gap_prose))

# strikethrough runs across the spaces it covers: one unbroken stroke from the first struck
# word to the last, read from the page's drawing operators
with open(src, "w") as f:
    f.write("Plain ~~three struck words~~ plain.\n")
pdf = os.path.join(TMP, "strike.pdf")
subprocess.run([PDGEN, "typeset", src, "-o", pdf], check=True)
qdf = subprocess.run(["qpdf", "--qdf", "--object-streams=disable", pdf, "-"],
                     capture_output=True).stdout.decode("latin-1")
segs = sorted((float(a), float(c)) for a, b, c, d in
              re.findall(r"([\d.]+) ([\d.]+) m ([\d.]+) ([\d.]+) l S", qdf) if b == d)
box = subprocess.run(["pdftotext", "-bbox", pdf, "-"], capture_output=True, text=True).stdout
xs = {m.group(3): (float(m.group(1)), float(m.group(2))) for m in
      re.finditer(r'xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)" yMax="[\d.]+">([^<]*)<', box)}
covered = segs and segs[0][0] <= xs["three"][0] + 0.5 and \
    all(b[0] <= a[1] + 0.01 for a, b in zip(segs, segs[1:])) and \
    max(s[1] for s in segs) >= xs["words"][1] - 0.5
print(("ok" if covered else "not ok") + " - text rules: strikethrough is one stroke across its spaces")
if not covered:
    print("#   %r %r" % (segs, (xs.get("three"), xs.get("words"))))
