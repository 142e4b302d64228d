#!/bin/sh
# The source's own rules: no writable variable outlives a function in generator/ but the
# signal flags of batch.c (what a process keeps is in the session, passed down), read from
# the symbol tables of the objects of $BUILD; memory only through util.c's allocators.
. tests/lib.sh
: "${BUILD:=build}"

objs=$(ls "$BUILD"/*.o 2>/dev/null)
if [ -z "$objs" ]; then
	fail "objects of $BUILD to read"
else
	# writable data: .data and .bss (not .data.rel.ro, which is constant after loading)
	for o in $objs; do
		objdump -t "$o" | awk -v f="$(basename "$o")" '$0 ~ / O / &&
			($4 == ".data" || $4 == ".bss" || $4 ~ /^\.(data|bss)\./) && $4 !~ /rel\.ro/ &&
			$NF !~ /^(__|\.L)/ { print f ": " $NF }'
	done | grep -vE '^(batch\.o: (interrupted|resized)|watch\.o: stop_asked)$' >"$SCRATCH/state"
	if [ -s "$SCRATCH/state" ]; then
		fail "no mutable state outside functions but the signal flags" "$(cat "$SCRATCH/state")"
	else ok "no mutable state outside functions but the signal flags"; fi
fi

if grep -nE '\b(malloc|calloc|realloc|strdup|strndup)\(|\babort\(\)' generator/*.c |
	grep -v '^generator/util\.c:' >"$SCRATCH/alloc"; then
	fail "allocation only through util.c's wrappers" "$(cat "$SCRATCH/alloc")"
else ok "allocation only through util.c's wrappers"; fi
finish
