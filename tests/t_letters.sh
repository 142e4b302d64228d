#!/bin/sh
# Letters as a reader sees them: Markdown punctuation in a case value prints as itself,
# and the closing, signature, Enclosures and cc stay together on one page.
. tests/lib.sh
cd "$SCRATCH" || exit 1

star='*Star* Ltd_ #1 <b>x</b> [a](b) | c'
sed "s/^  name: {given: \"José Luis\", family: \"Hernández-López\"}/  name: {family: \"$(printf '%s' "$star" | sed 's/[&/\]/\\&/g')\"}/" \
	"$TOP/samples/hernandez-lopez-ero.yaml" >star.yaml
if out=$("$PDGEN" letter star.yaml --level fod -o ./ --print-path 2>err); then
	pdf_text "$out" >star.txt
	n=$(grep -cF -- "$star" star.txt)
	[ "$n" -ge 3 ] && ok "a client named '$star' prints as those characters ($n times)" \
		|| fail "a client named '$star' prints as those characters" "$(head -20 star.txt)"
else
	fail "letter for a client with Markdown punctuation" "$(cat err)"
fi

# the page holding the closing also holds the signature, "Enclosures:" and "cc:"
for spec in okafor-opla-hq.yaml:opla-hq:letter okafor-opla-hq.yaml:opla-hq:memo \
	hernandez-lopez-ero.yaml:fod:letter castro-ero-hq.yaml:ero-hq:letter; do
	file=${spec%%:*} rest=${spec#*:} level=${rest%%:*} doc=${rest#*:}
	pdf=$("$PDGEN" "$doc" "$TOP/samples/$file" --level "$level" -o ./ --print-path 2>err) ||
		{ fail "$doc for $file" "$(cat err)"; continue; }
	pages=$(pdfinfo "$pdf" | sed -n 's/^Pages: *//p')
	last=$(pdftotext -f "$pages" -l "$pages" "$pdf" - 2>/dev/null)
	case $last in
	*"Respectfully submitted,"*"Enclosures:"*) ok "$file $doc: closing, signature and Enclosures on one page" ;;
	*) fail "$file $doc: closing, signature and Enclosures on one page" "$(echo "$last" | head -5)" ;;
	esac
done
finish
