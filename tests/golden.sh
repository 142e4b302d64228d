#!/bin/sh
# Golden outputs: every document the samples and the man-page examples make, kept as text in
# tests/golden/ and compared with `diff -u`, so that any change to a letter shows.
#   NAME.md     pdgen DOC CASE --level LEVEL --dump=md (the Markdown the template made)
#   NAME.txt    pdftotext -layout of the PDF (what a reader sees, pages split by form feeds)
#   NAME.pages  page make-up: each page's number, line count, first and last two lines
#   NAME.out    stdout, stderr and exit of a pdgen(1) example that makes no document
# Documents: samples/docket.yaml (as `make demo` renders it: a letter whose entry makes the
# memo too, with --with-memo), the letter and memo examples of
# pdgen(1) and the examples of pdgen-case(5) that pass. `--update` rewrites the goldens (run
# by `make regress-update`; read the diff before committing).
: "${PDGEN:=./pdgen}"
PDGEN=$(cd "$(dirname "$PDGEN")" && pwd)/$(basename "$PDGEN")
update=${1:-}
golden=tests/golden
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
status=0
: >"$scratch/made"

. tests/compare.sh

# compare NAME.EXT FILE: FILE against the golden of that name (or replaces it with --update)
compare() {
	echo "$1" >>"$scratch/made"
	if [ "$update" = --update ]; then
		cmp -s "$2" "$golden/$1" || { cp "$2" "$golden/$1"; echo "updated $golden/$1"; }
	else
		compare_files "golden $1" "$golden/$1" "$2"
	fi
}

# page make-up of pdftotext text: per page its line count (lines with text) and where it
# starts and ends, spaces squeezed
pages() {
	awk 'BEGIN { RS = "\f" }
	NF { n = split($0, l, "\n"); k = 0
		for (i = 1; i <= n; i++) if (l[i] ~ /[^ ]/) { gsub(/  +/, " ", l[i]); sub(/^ /, "", l[i]); t[++k] = l[i] }
		printf "page %d: %d lines\n", NR, k
		for (i = 1; i <= 2 && i <= k; i++) printf "  first: %s\n", t[i]
		for (i = (k > 3 ? k - 1 : 3); i <= k; i++) printf "  last:  %s\n", t[i]
	}'
}

# document NAME DOC CASE LEVEL: the Markdown, the PDF's text and its page make-up
document() {
	name=$1 doc=$2 file=$3 level=$4
	case $doc in packet | email) submission "$@"; return ;; esac
	shift 4 # the rest: options such as --template NAME
	grep -qxF "$name.md" "$scratch/made" && return # a man-page example of a sample
	if ! "$PDGEN" "$doc" "$file" --level "$level" "$@" --dump=md >"$scratch/md" 2>"$scratch/err" ||
		! "$PDGEN" "$doc" "$file" --level "$level" "$@" -o "$scratch/doc.pdf" 2>>"$scratch/err"; then
		echo "not ok - golden $name renders"; sed 's/^/#   /' "$scratch/err"; status=1; return
	fi
	pdftotext -layout -enc UTF-8 "$scratch/doc.pdf" "$scratch/txt"
	pages <"$scratch/txt" >"$scratch/pages"
	compare "$name.md" "$scratch/md"
	compare "$name.txt" "$scratch/txt"
	compare "$name.pages" "$scratch/pages"
}

# submission NAME DOC CASE LEVEL: a packet's text and page make-up (its memo holds the index
# of stamps); an e-mail's headers, bodies and attachment names (the PDFs are the packet's)
submission() {
	name=$1 doc=$2 file=$3 level=$4
	grep -qxF "$name.txt" "$scratch/made" && return
	if ! "$PDGEN" "$doc" "$file" --level "$level" -o "$scratch/sub" 2>"$scratch/err"; then
		echo "not ok - golden $name renders"; sed 's/^/#   /' "$scratch/err"; status=1; return
	fi
	if [ "$doc" = packet ]; then
		pdftotext -layout -enc UTF-8 "$scratch/sub" "$scratch/txt"
		pages <"$scratch/txt" >"$scratch/pages"
		compare "$name.pages" "$scratch/pages"
	else
		/usr/bin/python3 -c 'import email, email.policy, sys
m = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
for k in ("From", "To", "Cc", "Subject", "Date", "Message-ID", "X-Unsent"):
    print("%s: %s" % (k, m[k] or ""))
for kind in ("plain", "html"):
    print("\n--- text/%s\n%s" % (kind, m.get_body((kind,)).get_content()))
for a in m.iter_attachments():
    print("attachment: %s %s" % (a.get_content_type(), a.get_filename()))' "$scratch/sub" >"$scratch/txt"
	fi
	compare "$name.txt" "$scratch/txt"
}

# --- samples/docket.yaml: each case at its level, each document
python3 -c '
import sys, yaml
for c in yaml.safe_load(open(sys.argv[1]))["cases"]:
    docs = c.get("documents", ["letter"])
    for d in docs:
        print(c["file"], c["level"], d, "--with-memo" if d == "letter" and "memo" in docs else "")
' samples/docket.yaml >"$scratch/docket" || { echo "not ok - golden: samples/docket.yaml"; exit 1; }
while read -r file level doc with_memo; do # a letter whose entry makes the memo says so
	document "$(basename "${file%.yaml}").$level.$doc" "$doc" "samples/$file" "$level" $with_memo
done <"$scratch/docket"

# --- pdgen(1): letters and memos as documents, the other examples by what they print
n=0
grep '^\.Dl pdgen ' man/pdgen.1 | sed 's/^\.Dl pdgen //' >"$scratch/examples"
while IFS= read -r args; do
	n=$((n + 1))
	set -- $args
	cmd=$1 file=$2 level=$(printf '%s\n' "$args" | sed -n 's/.*--level \([^ ]*\).*/\1/p')
	template=$(printf '%s\n' "$args" | sed -n 's/.*--template \([^ ]*\).*/\1/p')
	case $cmd in
	letter | memo | packet | email)
		stem=$(basename "$file" .yaml)
		if [ -n "$template" ]; then
			document "$stem.$level.$template" "$cmd" "$file" "$level" --template "$template"
		else document "$stem.$level.$cmd" "$cmd" "$file" "$level"; fi ;;
	*)
		mkdir -p "$scratch/ex$n"
		run=$(printf '%s' "$args" | sed "s|-o \([^ ]*\)|-o $scratch/ex$n/\1|")
		"$PDGEN" $run >"$scratch/out" 2>&1
		echo "exit: $?" >>"$scratch/out"
		sed "s|$scratch/|SCRATCH/|g" "$scratch/out" >"$scratch/out.clean"
		name=$(printf '%s' "$args" | sed 's|samples/||g; s|\.yaml||g; s|[^A-Za-z0-9.]\{1,\}|-|g')
		compare "pdgen1-$name.out" "$scratch/out.clean" ;;
	esac
done <"$scratch/examples"

# --- pdgen-case(5): the examples that pass, as letters at their level
sh tests/man_examples.sh "$scratch"
for spec in "$scratch"/spec.*; do
	[ -f "$spec" ] || continue
	line=$(cat "$spec")
	case $line in *"=> 0"*"--level "* | *"--level "*"=> 0"*) ;; *) continue ;; esac
	name=${line%% *}
	level=$(printf '%s\n' "$line" | sed -n 's/.*--level \([^ ]*\).*/\1/p')
	cat "$scratch/base.yaml" "$scratch/ex.${spec##*.}.yaml" >"$scratch/case5-$name.yaml"
	document "case5-$name.$level.letter" letter "$scratch/case5-$name.yaml" "$level"
done

# --- the sample's packet with tab dividers (packet.yaml's dividers: true), from a copy of
# the data directory in use
data=$scratch/data
mkdir -p "$data"
cp -R "${PDGEN_DATADIR:-.}/templates" "$data/templates"
ln -s "$(cd "${PDGEN_DATADIR:-.}" && pwd)/fonts" "$data/fonts"
sed -i 's/^dividers: false/dividers: true/' "$data/templates/packet.yaml"
(
	PDGEN_DATADIR=$data && export PDGEN_DATADIR
	submission ramirez-opla-hq.opla-hq.packet-dividers packet \
		samples/packet/ramirez-opla-hq.yaml opla-hq
	exit $status
) || status=1
# --- the e-mail of a first request (its enclosures have no files: the letter alone)
submission ero-emergency-detained.ero.email email samples/ero-emergency-detained.yaml ero

# --- a golden no document makes any more is stale
for f in "$golden"/*; do
	[ -f "$f" ] || continue
	grep -qxF "$(basename "$f")" "$scratch/made" && continue
	if [ "$update" = --update ]; then rm "$f"; echo "removed $f"
	else echo "not ok - golden $(basename "$f") is made by no sample or example"; status=1; fi
done
[ "$(wc -l <"$scratch/made")" -ge 40 ] || { echo "not ok - golden: too few documents"; status=1; }
exit $status
