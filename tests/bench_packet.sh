#!/bin/sh
# make bench, the packet: the time of `pdgen packet` for the sample case with its Tab D made
# 30 and 60 pages long (letter, memo twice laid out, merge, stamps, write), the median of 11
# runs each, to show the cost per page. Figures, not a test. Target: under 50 ms at 60 pages.
: "${PDGEN:=./pdgen}"
dir=$(mktemp -d) || exit 3
trap 'rm -rf "$dir"' EXIT
src=samples/packet
mkdir -p "$dir/encl"
cp $src/encl/*.pdf $src/encl/*.png "$dir/encl/"
median() { sort -n | sed -n 6p; }
for target in 30 60; do
	# Tab D repeated to reach the target: letter 3 + memo 3 + the other tabs 5 + Tab D
	fixed=$(( $(qpdf --show-npages "$dir/encl/g28.pdf") + $(qpdf --show-npages "$dir/encl/eoir28.pdf") + 1 +
		$(qpdf --show-npages "$dir/encl/denial-email.pdf") + 6 ))
	want=$((target - fixed)) one=$(qpdf --show-npages "$dir/encl/support-letters.pdf")
	set --
	while [ $(($# * one)) -lt $want ]; do set -- "$@" "$dir/encl/support-letters.pdf"; done
	qpdf --empty --pages "$@" -- "$dir/encl/all.pdf" &&
		qpdf --empty --pages "$dir/encl/all.pdf" 1-$want -- "$dir/encl/tabd-$target.pdf" || exit 3
	sed "s#encl/support-letters.pdf#encl/tabd-$target.pdf#; s#pages: 3, file#pages: $want, file#" \
		$src/ramirez-opla-hq.yaml >"$dir/case-$target.yaml"
	for r in $(seq 11); do
		t0=$(date +%s%N)
		# (its Tab D, cut by qpdf, is untagged: a note says the packet claims no conformance)
		"$PDGEN" packet "$dir/case-$target.yaml" --level opla-hq -o "$dir/p.pdf" 2>"$dir/err" ||
			{ cat "$dir/err" >&2; exit 3; }
		t1=$(date +%s%N)
		echo $(( (t1 - t0) / 1000 ))
	done | median >"$dir/us"
	echo "packet of $(qpdf --show-npages "$dir/p.pdf") pages: $(awk '{printf "%.1f", $1 / 1000}' "$dir/us") ms wall (median of 11 runs)"
done
