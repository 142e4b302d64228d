"""The pages `pdgen typeset --text` lays a Markdown text out on, for the make-up sweeps.
In: pdgen, a scratch directory, the Markdown and a name for its file. Out: each page's
lines with text, stripped, the continuation header's "Page N of M" left out."""
import os
import re
import subprocess
import sys

HEADER = re.compile(r"^Page \d+ of \d+$")


def typeset_pages(pdgen, tmp, md, name, what="makeup sweep"):
    path = os.path.join(tmp, name + ".md")
    with open(path, "w") as f:
        f.write(md)
    r = subprocess.run([pdgen, "typeset", "--text", path], capture_output=True, text=True)
    if r.returncode != 0 or r.stderr.strip():
        sys.exit("not ok - %s: pdgen typeset %s failed: %s" % (what, name, r.stderr))
    return [[l.strip() for l in page.split("\n") if l.strip() and not HEADER.match(l.strip())]
            for page in r.stdout.split("\f")[:-1]]
