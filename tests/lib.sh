# Helpers for tests/t_*.sh: TAP-style "ok"/"not ok" lines and a scratch directory.
: "${PDGEN:=./pdgen}"
PDGEN=$(cd "$(dirname "$PDGEN")" && pwd)/$(basename "$PDGEN")
TOP=$(pwd)
SCRATCH=$(mktemp -d)
trap 'rm -rf "$SCRATCH"' EXIT
status=0

ok() { echo "ok - $1"; }
fail() { echo "not ok - $1"; shift; for line in "$@"; do echo "#   $line"; done; status=1; }
# check NAME COMMAND...: passes when the command succeeds
check() { check_name=$1; shift; if "$@" >"$SCRATCH/check.out" 2>&1; then ok "$check_name"; else fail "$check_name" "$(head -c 600 "$SCRATCH/check.out")"; fi; }
# pdf_text FILE: the text of a PDF, one string
pdf_text() { pdftotext -enc UTF-8 "$1" - 2>/dev/null; }
# fonts_embedded FILE: succeeds when every font of the PDF is embedded
fonts_embedded() { pdffonts "$1" | awk 'NR > 2 && $(NF-4) != "yes" { bad = 1 } END { exit bad }'; }
finish() { exit $status; }
