#!/bin/sh
# The escalation domain: the examples of pdgen-case(5) give their documented results, every
# sample passes `pdgen check`, the acceptance cases of the chain-of-command rules, routing
# of the headquarters letters, and the memo's lists.
. tests/lib.sh

# --- examples of man/pdgen-case.5: ".\" base" then ".\" test NAME ARGS => EXIT [TEXT]"
sh tests/man_examples.sh "$SCRATCH"
nex=0
for spec in "$SCRATCH"/spec.*; do
	[ -f "$spec" ] || continue
	nex=$((nex + 1))
	i=${spec##*.}
	line=$(cat "$spec")
	name=${line%% *}
	left=${line%%=>*}; right=${line#*=> }
	args=${left#"$name"}
	want_rc=${right%% *}; want_text=${right#"$want_rc"}; want_text=${want_text# }
	cat "$SCRATCH/base.yaml" "$SCRATCH/ex.$i.yaml" >"$SCRATCH/$name.yaml"
	# shellcheck disable=SC2086
	"$PDGEN" check "$SCRATCH/$name.yaml" $args >"$SCRATCH/out" 2>&1
	rc=$?
	if [ "$rc" != "$want_rc" ]; then
		fail "pdgen-case(5) example $name exits $want_rc" "exit $rc" "$(head -c 800 "$SCRATCH/out")"
	elif [ -n "$want_text" ] && ! grep -qF -- "$want_text" "$SCRATCH/out"; then
		fail "pdgen-case(5) example $name says '$want_text'" "$(head -c 800 "$SCRATCH/out")"
	elif [ "$want_rc" = 0 ] && [ -z "$want_text" ] && [ -s "$SCRATCH/out" ]; then
		fail "pdgen-case(5) example $name has no diagnostics" "$(head -c 800 "$SCRATCH/out")"
	else
		ok "pdgen-case(5) example $name"
	fi
done
[ "$nex" -ge 10 ] && ok "pdgen-case(5) has $nex tested examples" || fail "pdgen-case(5) examples found ($nex)"

# --- every sample passes check, at no level and at the level its header names
for f in samples/*.yaml; do
	grep -q '^docket:' "$f" && continue
	level=$(sed -n 's/.*--level \([a-z-]*\).*/\1/p' "$f" | head -1)
	[ -n "$level" ] || level=$("$PDGEN" next "$f" 2>/dev/null | sed -n 's/^next: //p')
	if "$PDGEN" check "$f" >"$SCRATCH/out" 2>&1 && ! grep -q 'error:' "$SCRATCH/out"; then
		ok "check $f"; else fail "check $f" "$(head -c 600 "$SCRATCH/out")"; fi
	if "$PDGEN" check "$f" --level "$level" --markdown >"$SCRATCH/md" 2>"$SCRATCH/out" &&
	    ! grep -q 'error:' "$SCRATCH/out" && [ -s "$SCRATCH/md" ]; then
		ok "$f renders at --level $level"
	else fail "$f renders at --level $level" "$(head -c 600 "$SCRATCH/out")"; fi
done

# --- acceptance: a skipped level names the missing level and the case file's place
"$PDGEN" check samples/occ-track.yaml --level opla-hq >"$SCRATCH/out" 2>&1
rc=$?
[ $rc = 1 ] && ok "opla-hq without a DCC/CC denial exits 1" || fail "opla-hq without a DCC/CC denial exits 1" "exit $rc"
grep -q '^samples/occ-track.yaml:[0-9]*:[0-9]*: error: \[R-chain\] opla-hq (rung 3) needs a recorded denial at rung 2 (dcc or cc)' "$SCRATCH/out" &&
	ok "[R-chain] names the missing level and the place" || fail "[R-chain] names the missing level and the place" "$(cat "$SCRATCH/out")"

sed 's/g28: {on_file: true, date: 2015-08-30, enclosure: E1}/g28: {on_file: false}/' samples/hernandez-lopez-ero.yaml >"$SCRATCH/nog28.yaml"
"$PDGEN" check "$SCRATCH/nog28.yaml" --level ero >"$SCRATCH/out" 2>&1
rc=$?
[ $rc = 1 ] && grep -q '\[R-g28\]' "$SCRATCH/out" && ok "--level ero without a G-28 exits 1 with [R-g28]" ||
	fail "--level ero without a G-28 exits 1 with [R-g28]" "exit $rc" "$(cat "$SCRATCH/out")"

# --- routing: the opla-hq letter names both mailboxes in their roles
"$PDGEN" check samples/okafor-opla-hq.yaml --level opla-hq --markdown 2>&1 | tr -d '\\' >"$SCRATCH/hq.md"
grep -q 'VIA EMAIL: OPLA-PD-HQ-FLO@ice.dhs.gov' "$SCRATCH/hq.md" && ok "opla-hq letter: To OPLA-PD-HQ-FLO" ||
	fail "opla-hq letter: To OPLA-PD-HQ-FLO" "$(head -20 "$SCRATCH/hq.md")"
grep -q 'CC: eroprosecutorialdiscretioninquiries@ice.dhs.gov' "$SCRATCH/hq.md" && ok "opla-hq letter: CC the ERO mailbox" ||
	fail "opla-hq letter: CC the ERO mailbox" "$(head -20 "$SCRATCH/hq.md")"
"$PDGEN" check samples/castro-ero-hq.yaml --level ero-hq --markdown 2>&1 | tr -d '\\' >"$SCRATCH/ero.md"
grep -q 'VIA EMAIL: eroprosecutorialdiscretioninquiries@ice.dhs.gov' "$SCRATCH/ero.md" && ok "ero-hq letter: To the ERO mailbox" ||
	fail "ero-hq letter: To the ERO mailbox" "$(head -20 "$SCRATCH/ero.md")"

# --- the memo lists every enclosure of the first request and every communication, by date
"$PDGEN" check samples/okafor-opla-hq.yaml --level opla-hq --memo --markdown 2>&1 | tr -d '\\' >"$SCRATCH/memo.md"
missing=""
for t in "Form EOIR-28" "Form G-28" "Leases, tax returns" "Marriage certificate" "Birth certificates of the children" \
	"Nursing license" "Letters of support" "Certificate of disposition"; do
	grep -q "^| [A-Z]* | $t" "$SCRATCH/memo.md" || missing="$missing $t;"
done
[ -z "$missing" ] && ok "memo indexes every enclosure of the first request" || fail "memo indexes every enclosure of the first request" "missing:$missing"
dates=$(sed -n '/IV\. Communications/,/V\. Action/p' "$SCRATCH/memo.md" | sed -n 's#^| \([0-9/]*\) | \(Sent\|Received\).*#\1#p')
n=$(printf '%s\n' "$dates" | grep -c .)
sorted=$(printf '%s\n' "$dates" | awk -F/ '{print $3 $1 $2 " " $0}' | sort | cut -d' ' -f2)
[ "$n" = 8 ] && ok "memo lists all eight communications" || fail "memo lists all eight communications" "$n found"
[ "$dates" = "$sorted" ] && ok "memo lists communications in date order" || fail "memo lists communications in date order" "$dates"

# --- R-emergency: removal two days after the letter date
"$PDGEN" check samples/ero-emergency-detained.yaml --level ero --markdown 2>&1 | tr -d '\\' >"$SCRATCH/em.md"
grep -q 'RE: EMERGENCY: Request for Prosecutorial Discretion' "$SCRATCH/em.md" && grep -q '^\*\*EMERGENCY REQUEST' "$SCRATCH/em.md" &&
	ok "emergency letter is marked in the subject and first line" || fail "emergency letter is marked" "$(head -30 "$SCRATCH/em.md")"

# --- R-rereq and R-bia choose their letters
"$PDGEN" check samples/reconsideration-2013.yaml --level ero --markdown 2>/dev/null | grep -q 'Request for Reconsideration' &&
	ok "a 2013 denial makes a reconsideration letter" || fail "a 2013 denial makes a reconsideration letter"
"$PDGEN" check samples/bia-pending.yaml --level occ --markdown 2>/dev/null | grep -q 'Board of Immigration Appeals' &&
	ok "a BIA case makes the BIA letter" || fail "a BIA case makes the BIA letter"

# --- pdgen next and pdgen levels
"$PDGEN" next samples/hernandez-lopez-ero.yaml | grep -q '^next: fod' && ok "next after an ero denial is fod" || fail "next after an ero denial is fod"
"$PDGEN" next samples/okafor-opla-hq.yaml | grep -q '^next: opla-hq' && ok "next after dcc denial is opla-hq" || fail "next after dcc denial is opla-hq"
"$PDGEN" next samples/occ-suboffice.yaml | grep -q '^next: occ$' && ok "next after a sub-office denial is occ" || fail "next after a sub-office denial is occ"
"$PDGEN" levels >"$SCRATCH/levels" 2>&1
for l in ero afod fod ero-hq occ-sub occ dcc cc opla-hq; do
	grep -q "^$l " "$SCRATCH/levels" || missing_level="$missing_level $l"
done
[ -z "$missing_level" ] && grep -q 'CC  eroprosecutorialdiscretioninquiries@ice.dhs.gov' "$SCRATCH/levels" &&
	ok "levels lists every level and the HQ mailboxes" || fail "levels lists every level" "$(cat "$SCRATCH/levels")"
# --- a decision named with its maker reads "by Field Office Director Diane Mercer", one
# without a name "by the ..."; a date with its year mid-sentence takes a comma after it
"$PDGEN" render templates/letter-review.md --case samples/castro-ero-hq.yaml --level ero-hq >"$SCRATCH/review.md" 2>&1
if grep -q 'denied on August 3, 2015, by Field Office Director Diane Mercer\.' "$SCRATCH/review.md" &&
	grep -q 'denied on May 11, 2015, by the Supervisory Detention' "$SCRATCH/review.md" &&
	grep -q 'issued on August 3, 2015, by the Field Office Director\.' "$SCRATCH/review.md" &&
	! grep -q 'by the [A-Z][a-z]* [A-Z][a-z]* [A-Z][a-z]* Diane' "$SCRATCH/review.md"; then
	ok "prior decisions: 'by Field Office Director Diane Mercer', a comma after the year"
else
	fail "prior decisions: 'by Field Office Director Diane Mercer', a comma after the year" "$(grep -n 'denied\|issued' "$SCRATCH/review.md")"
fi
# --- prose fields written without a closing full stop still end their sentences
sed -e 's/ is adjudicated\./ is adjudicated/' -e 's/runs a bakery with his brother\./runs a bakery with his brother/' \
	-e 's/priority of the November 20, 2014 memorandum\./priority of the November 20, 2014 memorandum/' \
	samples/haddad-arabic.yaml >"$SCRATCH/nostop.yaml"
"$PDGEN" render templates/letter-request.md --case "$SCRATCH/nostop.yaml" --level occ >"$SCRATCH/nostop.md" 2>&1
if grep -q 'is adjudicated\.$' "$SCRATCH/nostop.md" && grep -q 'with his brother\. (Tab C)' "$SCRATCH/nostop.md" &&
	grep -q '2014 memorandum\.$' "$SCRATCH/nostop.md"; then
	ok "narrative, rationale and equity without a full stop end their sentences"
else
	fail "narrative, rationale and equity without a full stop end their sentences" "$(grep -n 'adjudicated\|brother\|2014 memorandum' "$SCRATCH/nostop.md")"
fi
finish
