"""A scanned PNG in a packet: the image the packet shows has the scan's pixels exactly
(gray and RGB: the PNG's own rows, with its predictors; alpha and transparency: laid over
white). Usage: packet_scan_check.py PACKET.pdf SCAN.png passthrough|pixels"""
import sys

import pikepdf
from PIL import Image

packet, scan, want = sys.argv[1], sys.argv[2], sys.argv[3]
src = Image.open(scan)
expected = src.convert("RGBA") if src.mode in ("RGBA", "LA", "P") or "transparency" in src.info else src
if expected.mode == "RGBA":
    white = Image.new("RGBA", expected.size, (255, 255, 255, 255))
    expected = Image.alpha_composite(white, expected).convert("RGB")
found = None
pdf = pikepdf.open(packet)
for page in pdf.pages:
    for _, xobj in page.images.items():
        if (int(xobj.Width), int(xobj.Height)) == src.size:
            found = xobj
if found is None:
    sys.exit(f"no image of {src.size} in the packet")
predicted = "/DecodeParms" in found and int(found.DecodeParms.get("/Predictor", 1)) == 15
if predicted != (want == "passthrough"):
    sys.exit(f"the image is {'' if predicted else 'not '}the PNG's rows as they are; want {want}")
got = pikepdf.PdfImage(found).as_pil_image()
if got.mode != expected.mode or got.tobytes() != expected.tobytes():
    sys.exit(f"the packet's image ({got.mode}) differs from the scan ({expected.mode})")
