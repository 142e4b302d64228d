"""Reads an .eml made by `pdgen email` with Python's email package and checks it.

usage: email_check.py MESSAGE.eml KEY=VALUE...
Keys: to, cc (comma-separated addresses, exact), from_name, subject_has (repeatable),
packet (a PDF file the attachment must equal), attachments (their number), body_has (in both bodies). Always: the headers are ASCII (RFC 2047),
X-Unsent: 1, a text/plain and a text/html body, each PDF attachment passes qpdf --check."""
import email
import email.policy
import os
import subprocess
import sys
import tempfile


def main():
    raw = open(sys.argv[1], "rb").read()
    msg = email.message_from_bytes(raw, policy=email.policy.default)
    bad = []
    head = raw.split(b"\r\n\r\n", 1)[0]
    try:
        head.decode("ascii")
    except UnicodeDecodeError:
        bad.append("the header holds bytes other than ASCII")
    if msg["X-Unsent"] != "1":
        bad.append("X-Unsent is %r" % msg["X-Unsent"])
    for arg in sys.argv[2:]:
        key, _, want = arg.partition("=")
        if key in ("to", "cc"):
            got = [a.addr_spec for a in msg[key].addresses] if msg[key] else []
            if got != [w for w in want.split(",") if w]:
                bad.append("%s: %r, expected %r" % (key, got, want))
        elif key == "from_name":
            got = msg["from"].addresses[0].display_name
            if got != want:
                bad.append("from: %r, expected %r" % (got, want))
        elif key == "subject_has":
            if want not in str(msg["subject"]):
                bad.append("subject %r lacks %r" % (str(msg["subject"]), want))
        elif key == "body_has":
            for kind in ("plain", "html"):
                body = msg.get_body((kind,))
                if body is None or want not in " ".join(body.get_content().split()):
                    bad.append("the text/%s body lacks %r" % (kind, want))
        elif key == "attachments":
            names = [p.get_filename() for p in msg.iter_attachments()]
            if len(names) != int(want):
                bad.append("%d attachments, expected %s: %r" % (len(names), want, names))
        elif key == "packet":
            atts = [p for p in msg.iter_attachments() if p.get_content_type() == "application/pdf"]
            if len(atts) != 1 or atts[0].get_content() != open(want, "rb").read():
                bad.append("the attachment is not the packet")
    for kind in ("plain", "html"):
        if msg.get_body((kind,)) is None:
            bad.append("no text/%s body" % kind)
    for part in msg.iter_attachments():
        with tempfile.NamedTemporaryFile(suffix=".pdf", delete=False) as f:
            f.write(part.get_content())
        r = subprocess.run(["qpdf", "--check", f.name], capture_output=True)
        os.unlink(f.name)
        if r.returncode != 0:
            bad.append("attachment %s fails qpdf --check" % part.get_filename())
    for line in bad:
        print(line)
    sys.exit(1 if bad else 0)


main()
