#!/bin/sh
# Regress cases: tests/regress/AREA/NAME.{yaml,md} beside NAME.err, the exact diagnostics
# and exit status expected. `--update` rewrites the .err files after a reviewed change.
#   yaml/, case/  pdgen check NAME.yaml [ARGS from NAME.args]
#   template/     pdgen render NAME.md --data NAME.data.yaml (or data.yaml) [ARGS]
#   markdown/     pdgen typeset NAME.md -o SCRATCH/NAME.pdf
# Each case also asserts that no output file was written when the command failed.
: "${PDGEN:=./pdgen}"
PDGEN=$(cd "$(dirname "$PDGEN")" && pwd)/$(basename "$PDGEN")
update=${1:-}
# The project's own templates and data, named DATADIR in expected diagnostics.
PDGEN_DATADIR=$(pwd); export PDGEN_DATADIR
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
status=0
. tests/compare.sh

run_case() { # area dir name input
	area=$1 dir=$2 name=$3 input=$4
	args=""; [ -f "$dir/$name.args" ] && args=$(cat "$dir/$name.args")
	rm -rf "$scratch/o"; mkdir "$scratch/o"
	case $area in
	template)
		data=$name.data.yaml; [ -f "$dir/$data" ] || data=data.yaml
		(cd "$dir" && "$PDGEN" render "$input" --data "$data" $args) ;;
	markdown)
		(cd "$dir" && "$PDGEN" typeset "$input" -o "$scratch/o/out.pdf" $args) ;;
	*)
		(cd "$dir" && "$PDGEN" check "$input" $args) ;;
	esac
}

for input in tests/regress/*/*.yaml tests/regress/*/*.md; do
	[ -f "$input" ] || continue
	case $input in *.data.yaml|*/data.yaml) continue ;; esac
	dir=$(dirname "$input") area=$(basename "$dir") file=$(basename "$input")
	name=${file%.*}
	[ "$area" = template ] && [ "${file##*.}" = yaml ] && continue
	[ "$area" = markdown ] && [ "${file##*.}" = yaml ] && continue
	run_case "$area" "$dir" "$name" "$file" >/dev/null 2>"$scratch/raw"
	echo "exit: $?" >>"$scratch/raw"
	sed "s|$PDGEN_DATADIR/|DATADIR/|g" "$scratch/raw" >"$scratch/err"
	if [ "$update" = --update ]; then
		cp "$scratch/err" "$dir/$name.err"; echo "updated $dir/$name.err"; continue
	fi
	compare_files "regress $input" "$dir/$name.err" "$scratch/err"
	if ! grep -q '^exit: 0$' "$scratch/err" && [ -n "$(ls -A "$scratch/o")" ]; then
		echo "not ok - regress $input left a file: $(ls -A "$scratch/o")"; status=1
	fi
done
exit $status
