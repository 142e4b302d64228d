#!/bin/sh
# Renders every case and document of samples/docket.yaml into OUTDIR and prints the paths.
# usage: sh tests/demo.sh PDGEN OUTDIR
pdgen=${1:-./pdgen} outdir=${2:-out}
mkdir -p "$outdir" || exit 3
status=0
sed -n 's/^ *- *{file: *\([^,]*\), *level: *\([^,]*\), *documents: *\[\([^]]*\)\].*/\1 \2 \3/p' \
	samples/docket.yaml | tr -d ',' |
while read -r file level documents; do
	for doc in $documents; do
		"$pdgen" "$doc" "samples/$file" --level "$level" -o "$outdir/" --print-path || exit 1
	done
done || status=1
exit $status
