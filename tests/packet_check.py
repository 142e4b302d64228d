"""Checks a packet made by `pdgen packet` from outside: bookmarks, stamps, the memo's index.

usage: packet_check.py PACKET.pdf PREFIX LETTER_PAGES ENCL_PAGES...
Prints one line per finding and exits 1 when any check fails. ENCL_PAGES are the page counts
of the enclosure files in tab order (a scan is 1); dividers are counted when present."""
import re
import subprocess
import sys

import pikepdf


def page_text(path, n):
    return subprocess.run(["pdftotext", "-enc", "UTF-8", "-f", str(n), "-l", str(n), "-layout",
                           path, "-"], capture_output=True, text=True).stdout


def main():
    path, prefix, letter_pages = sys.argv[1], sys.argv[2], int(sys.argv[3])
    encl = [int(x) for x in sys.argv[4:]]
    pdf = pikepdf.open(path)
    npages = len(pdf.pages)
    bad = []
    marks = []
    with pdf.open_outline() as outline:
        for item in outline.root:
            marks.append((str(item.title), pdf.pages.index(pikepdf.Page(item.destination[0]))))
    tabs = [(t, p) for t, p in marks if t.startswith("Tab ")]
    if len(tabs) != len(encl):
        bad.append("bookmarks: %d tabs, expected %d: %r" % (len(tabs), len(encl), marks))
    if not marks or marks[0][1] != 0:
        bad.append("the first bookmark does not open page 1: %r" % marks)
    memo = [p for t, p in marks if t == "Memorandum"]
    if memo and memo[0] != letter_pages:
        bad.append("the memo bookmark opens page %d, expected %d" % (memo[0] + 1, letter_pages + 1))
    first_tab = tabs[0][1] if tabs else npages
    memo_pages = first_tab - letter_pages
    texts = [page_text(path, i + 1) for i in range(npages)]
    dividers = any(re.search(r"^\s*Tab [A-Z]+\s*$", texts[p], re.M) and "p. 1 of" not in texts[p]
                   for _, p in tabs)
    expected = letter_pages + memo_pages + sum(encl) + (len(encl) if dividers else 0)
    if npages != expected:
        bad.append("pages: %d, expected letter %d + memo %d + enclosures %d%s = %d"
                   % (npages, letter_pages, memo_pages, sum(encl),
                      " + dividers" if dividers else "", expected))
    for i, text in enumerate(texts):
        stamp = "%s-%04d" % (prefix, i + 1)
        if stamp not in text:
            bad.append("page %d lacks its stamp %s" % (i + 1, stamp))
    memo_text = "".join(texts[letter_pages:first_tab])
    for k, (title, start) in enumerate(tabs):
        end = tabs[k + 1][1] - 1 if k + 1 < len(tabs) else npages - 1
        first = start + 1 + (1 if dividers else 0)
        letter = title.split()[1]
        if ("Tab %s, p. 1 of %d" % (letter, encl[k])) not in texts[first - 1]:
            bad.append("%s: its first page lacks 'Tab %s, p. 1 of %d'" % (title, letter, encl[k]))
        want = "%s-%04d – %s-%04d" % (prefix, first, prefix, end + 1)
        if want not in re.sub(r"\s+", " ", memo_text):
            bad.append("the memo's index lacks %s for %s" % (want, title))
    for line in bad:
        print(line)
    print("%d pages, %d bookmarks, %d problems" % (npages, len(marks), len(bad)))
    sys.exit(1 if bad else 0)


main()
