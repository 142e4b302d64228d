#!/bin/sh
# make bench: a synthetic docket of N cases (default 1000) made from the samples with varied
# clients, rendered with `pdgen batch -j JOBS`; prints letters per second, ms per letter,
# peak memory per worker and KB per letter, then the single-letter time and the ratio to the
# yardstick of ../shared/bench. Figures, not a test.
# The outputs go to memory (/dev/shm) when it can take them, so that the figures are
# pdgen's: on this machine's disk (ext4 without a journal) creating a file can cost 2 ms
# for minutes after thousands were deleted nearby (a test run, the last bench). The same
# docket made on disk is printed after, for comparison. BENCH_OUT=dir puts them in dir.
: "${PDGEN:=./pdgen}" "${N:=1000}" "${JOBS:=2}"
dir=$(mktemp -d) || exit 3
out=$(mktemp -d "${BENCH_OUT:-/dev/shm}/pdgen-bench.XXXXXX" 2>/dev/null) || out=$dir/fast
trap 'rm -rf "$dir" "$out"' EXIT
mkdir -p "$dir/cases" "$out"

families="Hernández-López Nguyễn Öztürk D'Souza Çelik Muñoz Kowalczyk Østergaard Pérez-Ruiz Trần"
givens="José Thị_Minh Çağrı Anaïs Zoë Łukasz Björn María_José Ngọc_Ánh Seán"
natives="王小明 - - - - - - - - - 李娜 - - - - - - - - - 陳美玲 - - - - - - - - -" # 1 in 10
word() { echo "$1" | tr ' ' '\n' | sed -n "$(( $2 % $(echo "$1" | wc -w) + 1 ))p" | tr '_' ' '; }

set -- samples/hernandez-lopez-ero.yaml:fod samples/occ-track.yaml:occ \
	samples/nguyen-thi-minh-khai.yaml:ero
nsamples=$#
echo "docket: synthetic benchmark" >"$dir/docket.yaml"
echo "cases:" >>"$dir/docket.yaml"
i=0
while [ $i -lt "$N" ]; do
	k=$((i % nsamples + 1)); eval "pick=\${$k}"
	src=${pick%%:*} level=${pick##*:}
	fam=$(word "$families" $((i / 3))) giv=$(word "$givens" $((i / 7))) nat=$(word "$natives" $i)
	anum=$(printf 'A%09d' $((100000000 + i * 7919 % 899999999)))
	sed -e "s/^  name: {given: .*/  name: {given: \"$giv\", family: \"$fam\"}/" \
		-e "s/^  a_number: .*/  a_number: \"$anum\"/" "$src" >"$dir/cases/c$i.yaml"
	[ "$nat" != - ] && sed -i "s/^  a_number: /  native_name: \"$nat\"\n  a_number: /" "$dir/cases/c$i.yaml"
	echo "  - {file: cases/c$i.yaml, level: $level, documents: [letter]}" >>"$dir/docket.yaml"
	i=$((i + 1))
done

echo "pdgen bench: $N cases (1 in 10 with a CJK native name), -j $JOBS, $(nproc) cores, outputs in $(df -P "$out" | awk 'NR == 2 {print $1}') ($out)"
"$PDGEN" batch "$dir/docket.yaml" -o "$out/letters" -j "$JOBS" --force --quiet --stats >"$dir/stats" ||
	exit $?
cat "$dir/stats"
ms=$(sed -n 's/.* \([0-9.]*\) ms per letter.*/\1/p' "$dir/stats")
# the same docket again, nothing changed: every letter up to date from the manifest
t0=$(date +%s%N)
"$PDGEN" batch "$dir/docket.yaml" -o "$out/letters" -j "$JOBS" --quiet || exit $?
t1=$(date +%s%N)
full=$(sed -n 's/^letters: [0-9]* in \([0-9.]*\) s.*/\1/p' "$dir/stats")
echo "$t0 $t1 $full" | awk '{ s = ($2 - $1) / 1e9;
	printf "no-op re-run: %.2f s (%.0f%% of the full run; the target is 10%%)\n", s, 100 * s / $3 }'
if [ "$(df -P "$out" | awk 'NR == 2 {print $1}')" != "$(df -P "$dir" | awk 'NR == 2 {print $1}')" ]; then
	"$PDGEN" batch "$dir/docket.yaml" -o "$dir/letters" -j "$JOBS" --force --quiet --stats |
		sed -n "s|^letters: |the same on disk ($dir): |p"
fi

# one letter, one process, as an attorney runs it: the median of 21 runs
times=""
for r in $(seq 21); do
	t0=$(date +%s%N)
	"$PDGEN" letter samples/hernandez-lopez-ero.yaml --level fod -o "$out/one.pdf" || exit $?
	t1=$(date +%s%N)
	times="$times $(( (t1 - t0) / 1000 ))"
done
median=$(echo $times | tr ' ' '\n' | sort -n | sed -n 11p)
echo "single letter: $(echo "$median" | awk '{printf "%.1f", $1 / 1000}') ms wall (median of 21 runs)"

floor=../shared/bench/floor.c
liberation=/usr/share/fonts/truetype/liberation2/LiberationSerif-Regular.ttf # floor.c's fonts
if [ -f "$floor" ] && [ -f ../shared/bench/sample-letter.md ] && [ ! -f "$liberation" ]; then
	echo "yardstick floor.c: skipped ($liberation is missing: make deps installs fonts-liberation2)"
elif [ -f "$floor" ] && [ -f ../shared/bench/sample-letter.md ]; then
	cc -O2 -o "$dir/floor" "$floor" -lhpdf -lm 2>/dev/null && mkdir -p "$out/floor" &&
	t0=$(date +%s%N) && "$dir/floor" -n 200 -o "$out/floor" ../shared/bench/sample-letter.md &&
	t1=$(date +%s%N) &&
	us=$(( (t1 - t0) / 200000 )) &&
	echo "yardstick floor.c: $us us per letter (one process, 200 letters)" &&
	echo "$ms $us" | awk '{ printf "pdgen batch / yardstick: %.3f (Typst: 0.14; target: 0.05 or less)\n", $1 * 1000 / $2 }'
fi
