#!/bin/sh
# The rule table: pdgen-case(5)'s RULES list is `pdgen explain --mdoc`; `pdgen explain RULE`
# gives what the rule requires, why (the practice pointer) and the fix; rule ids appear in
# the C source only in the table's rows.
. tests/lib.sh

awk '/^\.Sh RULES/ { on = 1 } on && /^\.Bl -tag/ { list = 1 } list { print } list && /^\.El/ { exit }' \
	man/pdgen-case.5 >"$SCRATCH/man"
"$PDGEN" explain --mdoc >"$SCRATCH/table"
if diff -u "$SCRATCH/man" "$SCRATCH/table" >"$SCRATCH/diff"; then
	ok "pdgen-case(5)'s rule list is the rule table"
else
	fail "pdgen-case(5)'s rule list is the rule table (paste pdgen explain --mdoc over it)" \
		"$(head -40 "$SCRATCH/diff")"
fi

"$PDGEN" explain R-chain >"$SCRATCH/chain" 2>&1
rc=$?
[ $rc = 0 ] && grep -q '^R-chain (error)' "$SCRATCH/chain" && grep -q '^Why:' "$SCRATCH/chain" &&
	grep -q 'chain of command' "$SCRATCH/chain" && grep -q '^Fix:' "$SCRATCH/chain" &&
	ok "explain R-chain: the rule, why (the pointer) and the fix" ||
	fail "explain R-chain: the rule, why (the pointer) and the fix" "$(cat "$SCRATCH/chain")"
"$PDGEN" explain chain | cmp -s - "$SCRATCH/chain" && ok "explain chain is explain R-chain" ||
	fail "explain chain is explain R-chain"

"$PDGEN" explain R-chian >/dev/null 2>"$SCRATCH/err"
[ $? = 2 ] && grep -q "no rule 'R-chian' (did you mean 'R-chain'?)" "$SCRATCH/err" &&
	ok "explain of an unknown rule: exit 2 and the nearest id" ||
	fail "explain of an unknown rule: exit 2 and the nearest id" "$(cat "$SCRATCH/err")"

# every rule listed, each explained in full
n=0
for id in $("$PDGEN" explain | sed -n 's/^\(R-[a-z0-9-]*\) .*/\1/p'); do
	n=$((n + 1))
	"$PDGEN" explain "$id" >"$SCRATCH/one" 2>&1 && grep -q '^Why:' "$SCRATCH/one" &&
		[ "$(sed -n '/^Why:/{n;p;}' "$SCRATCH/one")" != "" ] ||
		fail "explain $id has a basis" "$(cat "$SCRATCH/one")"
done
[ $n -ge 12 ] && ok "explain lists the $n rules, each with its basis" || fail "explain lists the rules ($n)"

# the ids diagnostics carry come from the table: no "R-..." literal outside its rows
if grep -n '"R-[a-z]' generator/*.c | grep -v '^generator/case_rules.c:[0-9]*:    {{"R-' >"$SCRATCH/lits"; then
	fail "rule ids only in the rule table" "$(cat "$SCRATCH/lits")"
else ok "rule ids only in the rule table"; fi
finish
