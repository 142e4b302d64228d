#!/bin/sh
# The data files under templates/: `pdgen levels --check` loads every one (levels, offices,
# labels, each regime) and finds no error; a copy with a known fault is refused at its place.
. tests/lib.sh

if "$PDGEN" levels --check >"$SCRATCH/out" 2>&1 && ! grep -q 'error:' "$SCRATCH/out"; then
	ok "every data file under templates/ passes levels --check"
else fail "every data file under templates/ passes levels --check" "$(grep -A2 error: "$SCRATCH/out" | head -c 900)"; fi

# fault FILE SED-EXPRESSION TEXT: a copy of the data with one edit is refused, naming TEXT
fault() {
	rm -rf "$SCRATCH/d"; mkdir -p "$SCRATCH/d"; cp -r "$TOP/templates" "$SCRATCH/d/"
	sed -i "$2" "$SCRATCH/d/templates/$1"
	if cmp -s "$TOP/templates/$1" "$SCRATCH/d/templates/$1"; then
		fail "fault in $1: '$3'" "the edit '$2' changed nothing"; return
	fi
	PDGEN_DATADIR=$SCRATCH/d "$PDGEN" levels --check >"$SCRATCH/out" 2>&1
	rc=$?
	if [ $rc = 1 ] && grep -F -- "$3" "$SCRATCH/out" | grep -q "templates/$1:[0-9]*:[0-9]*: error"; then
		ok "fault in $1: '$3'"
	else fail "fault in $1: '$3'" "exit $rc" "$(head -c 900 "$SCRATCH/out")"; fi
}
fault regimes/johnson-2014.yaml 's/label: "Victim, witness or plaintiff in a proceeding"/label: Victim, witness or plaintiff in a proceeding/' \
	"unknown key 'witness or plaintiff in a proceeding' (a comma in an unquoted value"
fault regimes/mayorkas-2021.yaml 's/^  - {from: 2023-07-28, to: 2025-01-20}/  - {from: 2023-07-28, to: 2022-01-20}/' \
	"periods must follow one another"
fault regimes/kelly-2017.yaml 's/^partial: priority-case-by-case/partial: priority-kelly/' "no template priority-kelly.md"
fault regimes/trump-2025.yaml 's/^id: trump-2025/id: trump-2026/' "differs from the file name"
fault regimes/doyle-2022.yaml '/^citation:/,/^  Discretion/d' "citation is missing"
fault regimes/mayorkas-2021.yaml 's/^      who is a current threat to public safety/      a current threat to public safety/' \
	"category public_safety: text follows \"which covers a person\""
fault regimes/johnson-2014.yaml 's/^    text: issued a final order/    text: the holder of a final order/' \
	"cannot begin with 'the'"
fault labels.yaml '/code: no_appeal/d' "forms has no entry for no_appeal"
fault labels.yaml 's/{code: DO, label: "Deportation Officer"}/{code: DO}/' "label is missing"
fault levels.yaml 's/^    reviewer: the Chief Counsel$/    reviewer:/' "reviewer has no value"
fault offices.yaml 's/^    parent: opla-chicago$/    parent: ero-chicago/' "a sub-office needs parent"
fault offices.yaml '0,/^    kind: ero$/s//    kind: eroo/' "kind 'eroo' is not ero, occ or occ_sub"
fault levels.yaml 's/^    letter: letter-review$/    letter: letter-reviews/' "no template letter-reviews.md"
fault levels.yaml 's/^    decided_by: \[DCC, CC\]$/    decided_by: [DCC, CCC]/' "role CCC has no label in labels.yaml"

# The data files' compiled images (value_cache.c): a letter made from them is the letter made
# by parsing; an edit that keeps the file's size and time is seen; a damaged image is unused.
export PDGEN_CACHE_DIR="$SCRATCH/cache"
rm -rf "$SCRATCH/c"; mkdir -p "$SCRATCH/c"; cp -r "$TOP/templates" "$SCRATCH/c/"; ln -s "$TOP/fonts" "$SCRATCH/c/fonts"
letter() { PDGEN_DATADIR=$SCRATCH/c "$PDGEN" letter "$TOP/samples/hernandez-lopez-ero.yaml" --level fod -o "$1"; }
letter "$SCRATCH/parsed.pdf" && letter "$SCRATCH/read.pdf"
img=$(ls "$SCRATCH/cache"/value-offices.yaml.bin 2>/dev/null)
if [ -n "$img" ] && cmp -s "$SCRATCH/parsed.pdf" "$SCRATCH/read.pdf"; then
	ok "data images: kept, and the letter read from them is the letter parsed"
else fail "data images: kept, and the letter read from them is the letter parsed" "image: '$img'"; fi
dd if=/dev/zero of="$img" bs=1 seek=70000 count=64 conv=notrunc 2>/dev/null
letter "$SCRATCH/damaged.pdf"
if cmp -s "$SCRATCH/parsed.pdf" "$SCRATCH/damaged.pdf"; then ok "data images: a damaged one is not used"
else fail "data images: a damaged one is not used"; fi
f=$SCRATCH/c/templates/offices.yaml
sed '0,/^    kind: ero$/s//    kind: erx/' "$f" >"$f.new" && touch -r "$f" "$f.new" && mv "$f.new" "$f"
PDGEN_DATADIR=$SCRATCH/c "$PDGEN" levels --check >"$SCRATCH/out" 2>&1
if grep -q "templates/offices.yaml:[0-9]*:[0-9]*: error: .*kind 'erx'" "$SCRATCH/out"; then
	ok "data images: an edit of the same size and time is seen"
else fail "data images: an edit of the same size and time is seen" "$(head -c 600 "$SCRATCH/out")"; fi
unset PDGEN_CACHE_DIR
finish
