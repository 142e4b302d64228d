#!/bin/sh
# The template author's workbench: strict names in sections, raw fields, custom fields, front
# matter in parents and partials, the template overlay, new document types, per-command help.
. tests/lib.sh

CASE=$TOP/samples/hernandez-lopez-ero.yaml
T=$SCRATCH/t
mkdir -p "$T"

# overlay NAME: a copy of the shipped template NAME in $T, for sed to change
overlay() { cp "$TOP/templates/$1" "$T/$1"; }

# --- strict names: a misspelled section is an error naming the near name
overlay equities.md
sed -i 's/has\.equities}}/has.equites}}/g' "$T/equities.md"
if "$PDGEN" letter "$CASE" --level fod --templates "$T" -o "$SCRATCH/x.pdf" 2>"$SCRATCH/err"; then
	fail "a misspelled section is refused" "exit 0"
elif grep -q 'equities.md:.*unknown field "has.equites".*did you mean "has.equities"' "$SCRATCH/err" &&
     [ ! -e "$SCRATCH/x.pdf" ]; then
	ok "a misspelled section is refused with did-you-mean"
else
	fail "a misspelled section is refused with did-you-mean" "$(cat "$SCRATCH/err")"
fi
rm -f "$T/equities.md"

# an optional field the case leaves out stays false, in sections and inverted sections
cat >"$T/letter-review.md" <<'T'
{{<base-letter}}{{$body}}A{{#client.native_name}}N{{/client.native_name}}{{^emergency.deadline}}B{{/emergency.deadline}}{{#custom.anything.at_all}}C{{/custom.anything.at_all}}
{{/body}}{{/base-letter}}
T
if "$PDGEN" letter "$CASE" --level fod --templates "$T" --dump=md >"$SCRATCH/md" 2>"$SCRATCH/err" &&
   grep -qx 'AB' "$SCRATCH/md"; then
	ok "an absent optional field is false, not an error"
else
	fail "an absent optional field is false, not an error" "$(cat "$SCRATCH/err")"
fi

# {{{x}}} over a plain field warns; over a Markdown field it does not
cat >"$T/letter-review.md" <<'T'
{{<base-letter}}{{$body}}{{{client.full_name}}} {{{request.narrative}}}
{{/body}}{{/base-letter}}
T
"$PDGEN" letter "$CASE" --level fod --templates "$T" --dump=md >/dev/null 2>"$SCRATCH/err"
if grep -q 'letter-review.md:1:.*warning: "client.full_name" is plain text' "$SCRATCH/err" &&
   [ "$(grep -c 'warning:' "$SCRATCH/err")" = 1 ]; then
	ok "{{{x}}} over a plain field warns, over a Markdown field does not"
else
	fail "{{{x}}} over a plain field warns, over a Markdown field does not" "$(cat "$SCRATCH/err")"
fi
rm -f "$T/letter-review.md"

# Markdown emphasis in a plain field gets a note at the value
sed 's/^  country_of_birth: Mexico/  country_of_birth: "*Mexico*"/' "$CASE" >"$SCRATCH/emph.yaml"
"$PDGEN" check "$SCRATCH/emph.yaml" 2>"$SCRATCH/err"
if grep -q 'emph.yaml:6:.*note: client.country_of_birth is plain text' "$SCRATCH/err"; then
	ok "Markdown emphasis in a plain field gets a note"
else
	fail "Markdown emphasis in a plain field gets a note" "$(cat "$SCRATCH/err")"
fi
grep -q 'snake_case' "$SCRATCH/err" && fail "snake_case is no emphasis"

# --- custom: a firm's own fields, unchecked, never warned, seen by templates
{ cat "$CASE"; printf 'custom:\n  intake_id: "K-1187"\n  office: {room: 4}\n'; } >"$SCRATCH/custom.yaml"
cat >"$T/letter-review.md" <<'T'
{{<base-letter}}{{$body}}Intake {{custom.intake_id}} room {{custom.office.room}}.
{{/body}}{{/base-letter}}
T
if "$PDGEN" letter "$SCRATCH/custom.yaml" --level fod --templates "$T" --dump=md >"$SCRATCH/md" 2>"$SCRATCH/err" &&
   grep -q 'Intake K.*1187 room 4' "$SCRATCH/md" && ! grep -q 'custom' "$SCRATCH/err"; then
	ok "custom: reaches templates without a warning"
else
	fail "custom: reaches templates without a warning" "$(cat "$SCRATCH/err")"
fi
rm -f "$T/letter-review.md"

# --- front matter in a parent and a partial: merged (the child wins), never printed
overlay base-letter.md
overlay letterhead.md
printf -- '---\npaper: a4\nsize: 11\n---\n' | cat - "$TOP/templates/base-letter.md" >"$T/base-letter.md"
printf -- '---\nsize: 13\nalign: left\n---\n' | cat - "$TOP/templates/letterhead.md" >"$T/letterhead.md"
printf -- '---\nsize: 10\n---\n' | cat - "$TOP/templates/letter-review.md" >"$T/letter-review.md"
"$PDGEN" letter "$CASE" --level fod --templates "$T" --dump=md >"$SCRATCH/md" 2>"$SCRATCH/err"
"$PDGEN" letter "$CASE" --level fod --templates "$T" -o "$SCRATCH/fm.pdf" 2>>"$SCRATCH/err"
size=$(pdfinfo "$SCRATCH/fm.pdf" 2>/dev/null | awk '/Page size/ { print $3 "x" $5 }')
if ! grep -q 'paper\|size: \|align' "$SCRATCH/md" && ! pdf_text "$SCRATCH/fm.pdf" | grep -q 'paper' &&
   [ "$size" = "595.276x841.89" ] && [ ! -s "$SCRATCH/err" ]; then
	ok "front matter of a parent and a partial is never printed; the parent's paper applies"
else
	fail "front matter of a parent and a partial is never printed; the parent's paper applies" \
	     "size $size" "$(cat "$SCRATCH/err")" "$(head -5 "$SCRATCH/md")"
fi
"$PDGEN" letter "$CASE" --level fod --templates "$T" --dump=layout >"$SCRATCH/lay" 2>&1
if grep -q ' 10.00pt ' "$SCRATCH/lay" && ! grep -q ' 1[13].00pt ' "$SCRATCH/lay"; then
	ok "the letter's own front matter wins over its parent's and partial's"
else
	fail "the letter's own front matter wins over its parent's and partial's" "$(grep -m3 pt "$SCRATCH/lay")"
fi
rm -f "$T"/*.md

# --- --templates DIR is a whole overlay: data files too
cp "$TOP/templates/levels.yaml" "$T/levels.yaml"
sed -i 's/^\( *reviewer: \)the Field Office Director$/\1the Acting Field Office Director/' "$T/levels.yaml"
if grep -q 'the Acting Field Office Director' "$T/levels.yaml"; then
	"$PDGEN" letter "$CASE" --level fod --templates "$T" --dump=case >"$SCRATCH/case" 2>"$SCRATCH/err"
	grep -q 'the Acting Field Office Director' "$SCRATCH/case" &&
		ok "levels.yaml in the overlay is the level table" ||
		fail "levels.yaml in the overlay is the level table" "$(cat "$SCRATCH/err")"
else
	fail "levels.yaml in the overlay is the level table" "no FOD reviewer to change in levels.yaml"
fi
rm -f "$T/levels.yaml"
printf 'size: 9\n' >"$T/style.yaml"
"$PDGEN" letter "$CASE" --level fod --templates "$T" --dump=layout >"$SCRATCH/lay" 2>&1
grep -q ' 9.00pt ' "$SCRATCH/lay" && ok "style.yaml in the overlay is the house style" ||
	fail "style.yaml in the overlay is the house style" "$(grep -m2 pt "$SCRATCH/lay")"
rm -f "$T/style.yaml"
mkdir -p "$T/regimes"
sed 's/^\(short: \).*/\1the Overlay Memorandum/' "$TOP/templates/regimes/johnson-2014.yaml" >"$T/regimes/johnson-2014.yaml"
if grep -q 'Overlay Memorandum' "$T/regimes/johnson-2014.yaml"; then
	"$PDGEN" letter "$CASE" --level fod --templates "$T" --dump=md >"$SCRATCH/case" 2>&1
	grep -q 'Overlay Memorandum' "$SCRATCH/case" && ok "a regime in the overlay is the regime" ||
		fail "a regime in the overlay is the regime"
else
	fail "a regime in the overlay is the regime" "no short: line in johnson-2014.yaml"
fi
rm -rf "$T/regimes"

# an empty file removes a partial; pdgen templates says where each name resolves
: >"$T/cc.md"
"$PDGEN" letter "$CASE" --level fod --templates "$T" --dump=md >"$SCRATCH/md" 2>&1
"$PDGEN" letter "$CASE" --level fod --dump=md >"$SCRATCH/md0" 2>&1
grep -q '^\*\*cc:\*\*' "$SCRATCH/md0" && ! grep -q '^\*\*cc:\*\*' "$SCRATCH/md" &&
	ok "an empty file in the overlay removes a partial" ||
	fail "an empty file in the overlay removes a partial"
"$PDGEN" templates --templates "$T" >"$SCRATCH/list" 2>&1
if grep -q "^cc  *$T/cc.md  (overlay: empty, removed)" "$SCRATCH/list" &&
   grep -q "^signature  *$TOP/templates/signature.md\$" "$SCRATCH/list" &&
   grep -q "^levels.yaml  *$TOP/templates/levels.yaml\$" "$SCRATCH/list" &&
   grep -q "^regimes/johnson-2014.yaml " "$SCRATCH/list"; then
	ok "pdgen templates lists where each name resolves"
else
	fail "pdgen templates lists where each name resolves" "$(cat "$SCRATCH/list")"
fi
rm -f "$T/cc.md"

# --- a new document type from Markdown and YAML alone, for one letter and for a docket
cat >"$T/documents.yaml" <<'Y'
documents:
  stay-request:
    subject: "Request for a Stay of Removal"
Y
cat >"$T/stay-request.md" <<'Y'
{{<base-letter}}{{$body}}
We ask that your office stay {{client.short_name}}'s removal.
{{/body}}{{/base-letter}}
Y
if "$PDGEN" letter "$CASE" --level fod --templates "$T" --template stay-request -o "$SCRATCH/dt/" 2>"$SCRATCH/err" &&
   pdf_text "$SCRATCH/dt/hernandez-lopez-A012345678-fod-stay-request.pdf" >"$SCRATCH/txt" &&
   grep -q 'RE: Request for a Stay of Removal' "$SCRATCH/txt" && grep -q 'stay José Luis' "$SCRATCH/txt"; then
	ok "letter --template TYPE: a document type's template and subject line"
else
	fail "letter --template TYPE: a document type's template and subject line" "$(cat "$SCRATCH/err")"
fi
cp "$CASE" "$SCRATCH/dcase.yaml"
printf 'cases:\n  - {file: dcase.yaml, level: fod, documents: [letter, stay-request]}\n' >"$SCRATCH/docket.yaml"
if "$PDGEN" batch "$SCRATCH/docket.yaml" --templates "$T" -o "$SCRATCH/dk" >"$SCRATCH/out" 2>&1 &&
   [ -s "$SCRATCH/dk/hernandez-lopez-A012345678-fod-stay-request.pdf" ] &&
   [ -s "$SCRATCH/dk/hernandez-lopez-A012345678-fod-letter.pdf" ]; then
	ok "a docket makes a document type of documents.yaml"
else
	fail "a docket makes a document type of documents.yaml" "$(cat "$SCRATCH/out")"
fi
"$PDGEN" batch --check "$SCRATCH/docket.yaml" >"$SCRATCH/out" 2>&1
grep -q "unknown document 'stay-request'" "$SCRATCH/out" &&
	ok "without the overlay the type is unknown to the docket" ||
	fail "without the overlay the type is unknown to the docket" "$(cat "$SCRATCH/out")"
# --template NAME that is no type: that template, the letter's subject
if "$PDGEN" letter "$CASE" --level fod --templates "$T" --template stay-request --dump=md >/dev/null 2>&1 &&
   "$PDGEN" letter "$CASE" --level fod --template letter-request --dump=md >"$SCRATCH/md" 2>"$SCRATCH/err" &&
   grep -q 'We write to ask that your office exercise' "$SCRATCH/md"; then
	ok "letter --template NAME renders NAME.md"
else
	fail "letter --template NAME renders NAME.md" "$(cat "$SCRATCH/err")"
fi
printf 'documents:\n  letter: {subject: x}\n  odd: {subjet: y}\n' >"$T/documents.yaml"
"$PDGEN" letter "$CASE" --level fod --templates "$T" --dump=md >/dev/null 2>"$SCRATCH/err"
grep -q "documents.yaml:2:.*'letter' is built in" "$SCRATCH/err" &&
grep -q "documents.yaml:3:.*unknown key 'subjet'.*did you mean 'subject'" "$SCRATCH/err" &&
	ok "a bad documents.yaml is located" || fail "a bad documents.yaml is located" "$(cat "$SCRATCH/err")"
rm -f "$T/documents.yaml" "$T/stay-request.md"

# --- render --case: a template proofed against a case with the letter's exact data
"$PDGEN" letter "$CASE" --level fod --dump=md >"$SCRATCH/md0" 2>&1
if "$PDGEN" render "$TOP/templates/letter-review.md" --case "$CASE" --level fod >"$SCRATCH/md" 2>"$SCRATCH/err" &&
   cmp -s "$SCRATCH/md" "$SCRATCH/md0"; then
	ok "render --case --level: the letter's Markdown"
else
	fail "render --case --level: the letter's Markdown" "$(cat "$SCRATCH/err")"
fi

# --- --defaults FILE: the firm and attorney in one file, under the case's own
awk '/^(attorney|firm):/ { keep = 1; print; next } /^[a-z]/ { keep = 0 } keep' "$CASE" >"$SCRATCH/firm.yaml"
awk '/^(attorney|firm):/ { skip = 1; next } /^[a-z]/ { skip = 0 } !skip' "$CASE" >"$SCRATCH/bare.yaml"
"$PDGEN" letter "$CASE" --level fod --dump=md >"$SCRATCH/md0" 2>&1
if grep -q '^firm:' "$SCRATCH/firm.yaml" && ! grep -q '^firm:' "$SCRATCH/bare.yaml" &&
   "$PDGEN" letter "$SCRATCH/bare.yaml" --level fod --defaults "$SCRATCH/firm.yaml" --dump=md >"$SCRATCH/md" 2>"$SCRATCH/err" &&
   cmp -s "$SCRATCH/md" "$SCRATCH/md0"; then
	ok "--defaults FILE supplies the firm and attorney"
else
	fail "--defaults FILE supplies the firm and attorney" "$(cat "$SCRATCH/err")"
fi
printf -- '- a list\n' >"$SCRATCH/bad-defaults.yaml"
"$PDGEN" letter "$SCRATCH/bare.yaml" --level fod --defaults "$SCRATCH/bad-defaults.yaml" -o "$SCRATCH/no.pdf" 2>"$SCRATCH/err"
[ $? -eq 1 ] && grep -q 'bad-defaults.yaml:1:1: error: --defaults takes a map' "$SCRATCH/err" && [ ! -e "$SCRATCH/no.pdf" ] &&
	ok "--defaults that is not a map is a located error" ||
	fail "--defaults that is not a map is a located error" "$(cat "$SCRATCH/err")"

# --- images resolve beside the file that names them; the letterhead prints firm.logo
python3 - "$SCRATCH" <<'PY'
import struct, sys, zlib
def chunk(t, d):
    return struct.pack('>I', len(d)) + t + d + struct.pack('>I', zlib.crc32(t + d) & 0xffffffff)
rows = b''.join(b'\0' + bytes([200, 30, 30]) * 40 for _ in range(20))
png = (b'\x89PNG\r\n\x1a\n' + chunk(b'IHDR', struct.pack('>IIBBBBB', 40, 20, 8, 2, 0, 0, 0)) +
       chunk(b'IDAT', zlib.compress(rows)) + chunk(b'IEND', b''))
for name in ('logo.png', 'seal.png', 'sig.png'):
    open(sys.argv[1] + '/' + name, 'wb').write(png)
PY
mkdir -p "$SCRATCH/cases"
sed 's/^  name: "Castillo & Reyes Immigration Law, LLC"/&\n  logo: logo.png/' "$CASE" >"$SCRATCH/cases/logo.yaml"
mv "$SCRATCH/logo.png" "$SCRATCH/cases/logo.png"
images() { "$PDGEN" letter "$@" --dump=layout 2>"$SCRATCH/err" | grep -c '^ *image'; }
if grep -q 'logo: logo.png' "$SCRATCH/cases/logo.yaml" &&
   [ "$(images "$SCRATCH/cases/logo.yaml" --level fod)" = 1 ] && [ ! -s "$SCRATCH/err" ]; then
	ok "the shipped letterhead prints firm.logo, found beside the case file"
else
	fail "the shipped letterhead prints firm.logo, found beside the case file" "$(cat "$SCRATCH/err")"
fi
[ "$(images "$CASE" --level fod)" = 0 ] && ok "no firm.logo, no image" || fail "no firm.logo, no image"
# an image a template names is beside that template, not beside the case
mv "$SCRATCH/seal.png" "$T/seal.png"
{ printf '![Seal](seal.png)\n\n'; cat "$TOP/templates/letterhead.md"; } >"$T/letterhead.md"
if [ "$(images "$SCRATCH/cases/logo.yaml" --level fod --templates "$T")" = 2 ] && [ ! -s "$SCRATCH/err" ]; then
	ok "an image named in a template is found beside the template"
else
	fail "an image named in a template is found beside the template" "$(cat "$SCRATCH/err")"
fi
rm -f "$T/letterhead.md" "$T/seal.png"
# one letterhead: front matter may not add a second one
printf -- '---\nletterhead: {name: Other}\n---\n' | cat - "$TOP/templates/letter-review.md" >"$T/letter-review.md"
"$PDGEN" letter "$CASE" --level fod --templates "$T" -o "$SCRATCH/two.pdf" 2>"$SCRATCH/err"
[ $? -eq 1 ] && grep -q "letter-review.md:2:.*letterhead is the partial letterhead.md" "$SCRATCH/err" &&
	ok "a front-matter letterhead in a letter is refused (one letterhead)" ||
	fail "a front-matter letterhead in a letter is refused (one letterhead)" "$(cat "$SCRATCH/err")"
rm -f "$T/letter-review.md"
# nor the house style (style.yaml of the overlay); a typeset document keeps it
printf 'letterhead: {name: Other}\n' >"$T/style.yaml"
"$PDGEN" letter "$CASE" --level fod --templates "$T" -o "$SCRATCH/two.pdf" 2>"$SCRATCH/err"
[ $? -eq 1 ] && grep -q "style.yaml:1:.*letterhead is the partial letterhead.md" "$SCRATCH/err" &&
	[ ! -e "$SCRATCH/two.pdf" ] &&
	ok "a house-style letterhead in a letter is refused (one letterhead)" ||
	fail "a house-style letterhead in a letter is refused (one letterhead)" "$(cat "$SCRATCH/err")"
printf -- '---\nletterhead: {name: Notes Letterhead}\n---\n# Notes\n\nText.\n' >"$SCRATCH/notes.md"
"$PDGEN" typeset "$SCRATCH/notes.md" -o "$SCRATCH/notes.pdf" 2>"$SCRATCH/err" &&
	pdftotext "$SCRATCH/notes.pdf" - | grep -q "Notes Letterhead" &&
	ok "a typeset document keeps its front-matter letterhead" ||
	fail "a typeset document keeps its front-matter letterhead" "$(cat "$SCRATCH/err")"
rm -f "$T/style.yaml"
# pdgen-template(5)'s image example, as man prints it, places the image at its width
if command -v man >/dev/null; then
	ex=$(MANWIDTH=300 man -l "$TOP/man/pdgen-template.5" 2>/dev/null | grep -o '!\[Signature\]([^)]*)')
	printf '# Signed\n\n%s\n' "$ex" >"$SCRATCH/sig.md"
	"$PDGEN" typeset "$SCRATCH/sig.md" -o "$SCRATCH/sig.pdf" 2>"$SCRATCH/err"
	w=$("$PDGEN" typeset "$SCRATCH/sig.md" --text 2>/dev/null | grep -c 'width=')
	if [ -n "$ex" ] && [ -s "$SCRATCH/sig.pdf" ] && [ "$w" = 0 ] && ! pdf_text "$SCRATCH/sig.pdf" | grep -q 'width'; then
		ok "pdgen-template(5)'s image example places the image"
	else
		fail "pdgen-template(5)'s image example places the image" "example: $ex" "$(cat "$SCRATCH/err")"
	fi
fi

# --- --format=json: one object a line with file, line, column, severity, rule, message
sed 's/^  country_of_birth: Mexico/  country_of_birth: "*Mexico*"\n  nickname: Pepe/' "$CASE" >"$SCRATCH/json.yaml"
json_ok() {
	python3 -c '
import json, sys
rows = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
keys = ["file", "line", "column", "severity", "rule", "message"]
assert rows and all(sorted(r) == sorted(keys) for r in rows), rows
want = set(sys.argv[2:])
got = {"%s:%s:%s" % (r["severity"], r["line"], r["message"].split(" ")[0]) for r in rows}
assert want <= got, (want, got)' "$@"
}
"$PDGEN" check "$SCRATCH/json.yaml" --format=json >"$SCRATCH/json" 2>"$SCRATCH/err"
if json_ok "$SCRATCH/json" "note:6:client.country_of_birth" "warning:7:unknown" && [ ! -s "$SCRATCH/err" ]; then
	ok "check --format=json: one object a line on stdout"
else
	fail "check --format=json: one object a line on stdout" "$(cat "$SCRATCH/json" "$SCRATCH/err")"
fi
cp "$SCRATCH/json.yaml" "$SCRATCH/dcase.yaml"
printf 'cases:\n  - {file: dcase.yaml, level: fod}\n  - {file: nosuch.yaml, level: fod}\n' >"$SCRATCH/docket.yaml"
"$PDGEN" batch --check --format=json "$SCRATCH/docket.yaml" >"$SCRATCH/json" 2>"$SCRATCH/err"
if json_ok "$SCRATCH/json" "note:6:client.country_of_birth" "warning:7:unknown" "error:3:cannot"; then
	ok "batch --check --format=json: one object a line on stdout"
else
	fail "batch --check --format=json: one object a line on stdout" "$(cat "$SCRATCH/json" "$SCRATCH/err")"
fi
"$PDGEN" check "$CASE" --format=xml >/dev/null 2>&1
[ $? -eq 2 ] && ok "--format=xml is a usage error" || fail "--format=xml is a usage error"

# --- pdgen init: a skeleton every key of which the schema knows; filled in, it makes a letter
"$PDGEN" init >"$SCRATCH/init.yaml" 2>"$SCRATCH/err"
"$PDGEN" check "$SCRATCH/init.yaml" --level ero >"$SCRATCH/out" 2>&1
if grep -q '^#' "$SCRATCH/init.yaml" && ! grep -q 'warning\|unknown' "$SCRATCH/out" &&
   grep -q 'attorney.name is missing' "$SCRATCH/out"; then
	ok "pdgen init: a commented skeleton; check names each field to fill in"
else
	fail "pdgen init: a commented skeleton; check names each field to fill in" "$(cat "$SCRATCH/out" "$SCRATCH/err")"
fi
sed -e 's/{given: ~, family: ~}/{given: Ana, family: Ruiz}/' -e 's/^  name: ~/  name: "A. Name"/' \
    -e 's/^  date: ~ /  date: 2026-01-02/' "$SCRATCH/init.yaml" >"$SCRATCH/filled.yaml"
check "pdgen init filled in makes a letter" "$PDGEN" letter "$SCRATCH/filled.yaml" --level ero -o "$SCRATCH/init.pdf"
printf '# our firm\nclient: {}\n' >"$T/init-case.yaml"
"$PDGEN" init --templates "$T" | grep -q '^# our firm' && ok "init-case.yaml in the overlay is the skeleton" ||
	fail "init-case.yaml in the overlay is the skeleton"
rm -f "$T/init-case.yaml"

# --- -v says which partials came from the shipped templates; an empty one is not among them
: >"$T/cc.md"
"$PDGEN" letter "$CASE" --level fod --templates "$T" -v --dump=md >/dev/null 2>"$SCRATCH/err"
if grep -q "note: partial 'signature' is the shipped $TOP/templates/signature.md" "$SCRATCH/err" &&
   ! grep -q "partial 'cc'" "$SCRATCH/err"; then
	ok "-v names each shipped partial used, not the removed one"
else
	fail "-v names each shipped partial used, not the removed one" "$(cat "$SCRATCH/err")"
fi
"$PDGEN" letter "$CASE" --level fod --templates "$T" --dump=md >/dev/null 2>"$SCRATCH/err"
[ ! -s "$SCRATCH/err" ] && ok "without -v, no note" || fail "without -v, no note" "$(cat "$SCRATCH/err")"
rm -f "$T/cc.md"

finish
