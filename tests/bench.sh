#!/bin/sh
# make bench: synthetic dockets of 1,000, 20,000 and 100,000 cases (SIZES="N ...") made from
# the samples with varied clients, rendered with `pdgen batch -j JOBS`; for each: letters per
# second, the peak memory of the parent and of the largest worker, and the time of a no-op
# re-run; then how the peak memory grew from the smallest docket to the largest, the same
# docket made on disk, the single-letter time and the ratio to the yardstick of
# ../shared/bench. Figures, not a test.
# The outputs go to memory (/dev/shm) when it can take them, so that the figures are
# pdgen's: on this machine's disk (ext4 without a journal) creating a file can cost 2 ms
# for minutes after thousands were deleted nearby (a test run, the last bench). The same
# docket made on disk is printed after, for comparison. BENCH_OUT=dir puts them in dir.
: "${PDGEN:=./pdgen}" "${SIZES:=1000 20000 100000}" "${JOBS:=2}"
dir=$(mktemp -d) || exit 3
out=$(mktemp -d "${BENCH_OUT:-/dev/shm}/pdgen-bench.XXXXXX" 2>/dev/null) || out=$dir/fast
trap 'rm -rf "$dir" "$out"' EXIT
mkdir -p "$out"

# make_docket N DIR: DIR/docket.yaml and DIR/cases/cI.yaml, in one awk pass: each case a
# sample with its client's names and A-number changed, one in ten with a CJK native name
make_docket() {
	mkdir -p "$2/cases"
	awk -v n="$1" -v dir="$2" '
	function slurp(path, k,   line, m) {
		m = 0
		while ((getline line < path) > 0) src[k, ++m] = line
		close(path); len[k] = m
	}
	BEGIN {
		split("Hernández-López Nguyễn Öztürk D'"'"'Souza Çelik Muñoz Kowalczyk Østergaard Pérez-Ruiz Trần", fam, " ")
		split("José Thị_Minh Çağrı Anaïs Zoë Łukasz Björn María_José Ngọc_Ánh Seán", giv, " ")
		nat[0] = "王小明"; nat[10] = "李娜"; nat[20] = "陳美玲"
		slurp("samples/hernandez-lopez-ero.yaml", 0); lvl[0] = "fod"
		slurp("samples/occ-track.yaml", 1); lvl[1] = "occ"
		slurp("samples/nguyen-thi-minh-khai.yaml", 2); lvl[2] = "ero"
		docket = dir "/docket.yaml"
		print "docket: synthetic benchmark\ncases:" > docket
		for (i = 0; i < n; i++) {
			k = i % 3; f = dir "/cases/c" i ".yaml"
			g = giv[int(i / 7) % 10 + 1]; gsub("_", " ", g)
			anum = sprintf("A%09d", 100000000 + (i * 7919) % 899999999)
			for (m = 1; m <= len[k]; m++) {
				line = src[k, m]
				if (line ~ /^  name: \{given: /)
					line = "  name: {given: \"" g "\", family: \"" fam[int(i / 3) % 10 + 1] "\"}"
				else if (line ~ /^  a_number: /) {
					if ((i % 30) in nat) print "  native_name: \"" nat[i % 30] "\"" > f
					line = "  a_number: \"" anum "\""
				}
				print line > f
			}
			close(f)
			print "  - {file: cases/c" i ".yaml, level: " lvl[k] ", documents: [letter]}" > docket
		}
	}'
}
mb() { sed -n "s/^peak memory $1: \([0-9.]*\) MB/\1/p" "$2"; }

echo "pdgen bench: -j $JOBS, $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg), outputs in $(df -P "$out" | awk 'NR == 2 {print $1}') ($out)"
first="" last=""
for n in $SIZES; do
	d=$out/d$n
	make_docket "$n" "$d" || exit 3
	"$PDGEN" batch "$d/docket.yaml" -o "$d/letters" -j "$JOBS" --force --quiet --stats >"$dir/stats.$n" ||
		exit $?
	[ -z "$first" ] && first=$n && cat "$dir/stats.$n"
	t0=$(date +%s%N) # the same docket again, nothing changed: every letter up to date
	"$PDGEN" batch "$d/docket.yaml" -o "$d/letters" -j "$JOBS" --quiet --stats >"$dir/noop.$n" || exit $?
	t1=$(date +%s%N)
	full=$(sed -n 's/^letters: [0-9]* in \([0-9.]*\) s.*/\1/p' "$dir/stats.$n")
	rate=$(sed -n 's/.*: \([0-9.]*\) letters\/s.*/\1/p' "$dir/stats.$n")
	echo "$n $rate $(mb "of the parent" "$dir/stats.$n") $(mb "per worker" "$dir/stats.$n") $t0 $t1 $full $(mb "of the parent" "$dir/noop.$n")" |
		awk '{ s = ($6 - $5) / 1e9; printf "%d cases: %.0f letters/s; peak memory: parent %.1f MB, largest worker %.1f MB; no-op re-run %.2f s (%.1f%% of the full run; parent %.1f MB)\n", $1, $2, $3, $4, s, 100 * s / $7, $8 }'
	[ "$n" != "$first" ] && rm -rf "$d" # the first docket is made on disk below
	last=$n
done
if [ "$first" != "$last" ]; then
	echo "$(mb "of the parent" "$dir/stats.$first") $(mb "of the parent" "$dir/stats.$last") $(mb "per worker" "$dir/stats.$first") $(mb "per worker" "$dir/stats.$last")" |
		awk -v a="$first" -v b="$last" '{ printf "peak memory from %d to %d cases: parent x%.2f, largest worker x%.2f (the target: within 25%%)\n", a, b, $2 / $1, $4 / $3 }'
fi
ms=$(sed -n 's/.* \([0-9.]*\) ms per letter.*/\1/p' "$dir/stats.$first")
if [ "$(df -P "$out" | awk 'NR == 2 {print $1}')" != "$(df -P "$dir" | awk 'NR == 2 {print $1}')" ]; then
	"$PDGEN" batch "$out/d$first/docket.yaml" -o "$dir/letters" -j "$JOBS" --force --quiet --stats |
		sed -n "s|^letters: |the same $first on disk ($dir): |p"
fi
rm -rf "$out/d$first" "$dir/letters"

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
