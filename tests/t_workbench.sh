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

finish
