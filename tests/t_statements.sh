#!/bin/sh
# Every letter sendable as is: where a document goes (R-deliver), which policy it cites
# (R-regime), what it may ask (R-relief, R-decided) and that each sentence of fact follows
# the case file. Cases are made here from the samples by one edit each; `check` and `letter`
# must report the same problems.
. tests/lib.sh

md() { "$PDGEN" letter "$1" --level "$2" --dump=md 2>/dev/null | tr -d '\\'; } # letter text
memo_md() { "$PDGEN" memo "$1" --level "$2" --dump=md 2>/dev/null | tr -d '\\'; }
has() { if printf '%s' "$2" | grep -qF -- "$3"; then ok "$1"; else fail "$1" "no '$3' in:" "$(printf '%s' "$2" | head -c 700)"; fi; }
lacks() { if printf '%s' "$2" | grep -qF -- "$3"; then fail "$1" "'$3' found"; else ok "$1"; fi; }
# refused NAME CASE LEVEL RULE TEXT: check and letter both exit 1 with the same diagnostics,
# located FILE:LINE:COL, carrying RULE and TEXT; no file is written
refused() {
	"$PDGEN" check "$2" --level "$3" >"$SCRATCH/c.out" 2>&1; crc=$?
	rm -rf "$SCRATCH/o"; mkdir "$SCRATCH/o"
	"$PDGEN" letter "$2" --level "$3" -o "$SCRATCH/o/x.pdf" >"$SCRATCH/l.out" 2>&1; lrc=$?
	if [ $crc = 1 ] && [ $lrc = 1 ] && grep -q "^$2:[0-9]*:[0-9]*: error: \[$4\] .*$5" "$SCRATCH/c.out" &&
	    cmp -s "$SCRATCH/c.out" "$SCRATCH/l.out" && [ -z "$(ls -A "$SCRATCH/o")" ]; then ok "$1"
	else fail "$1" "check $crc, letter $lrc" "$(head -c 700 "$SCRATCH/c.out")" "--- letter:" "$(head -c 300 "$SCRATCH/l.out")"; fi
}
edit() { sed "$2" "$TOP/samples/$1" >"$SCRATCH/$3"; } # edit SAMPLE SED NEW

cd "$SCRATCH" || exit 1

# --- 1, 2. a destination that exists, a delivery that can reach it
edit ero-emergency-detained.yaml 's/ero_office: ero-chicago/ero_office: ero-las-vegas/; /^  contacts:/,/^    ero:/d' lv.yaml
refused "unknown office, no contact: R-deliver at the office id" lv.yaml ero R-deliver "'ero-las-vegas' is not in the office directory (did you mean 'ero-salt-lake-city'?)"
edit ero-emergency-detained.yaml '/^  contacts:/,/^    ero:/d' noemail.yaml
refused "e-mail with no address for the level: R-deliver names the contact's email" noemail.yaml ero R-deliver "add case.contacts.ero.email"
edit las-vegas-ero-mail.yaml 's/ero_office: ero-salt-lake-city/ero_office: ero-buffalo/' nostreet.yaml
if grep -q 'address' "$TOP/templates/offices.yaml" && awk '/id: ero-buffalo/{f=1} f&&/address:/{print; exit}' "$TOP/templates/offices.yaml" | grep -q address; then
	# the directory gives Buffalo a street: take it away in a private copy of the data
	mkdir -p data; cp -r "$TOP/templates" data/
	awk '/id: ero-buffalo/{f=1} f&&/^    address:/{f=0; next} {print}' "$TOP/templates/offices.yaml" >data/templates/offices.yaml
	PDGEN_DATADIR=$SCRATCH/data; export PDGEN_DATADIR
fi
refused "mail with no street address: R-deliver names the address to add" nostreet.yaml ero R-deliver "no street address is known for ero-buffalo"
unset PDGEN_DATADIR
edit las-vegas-ero-mail.yaml 's/  delivery: mail/  delivery: fax/' fax.yaml
refused "fax with no number: R-deliver" fax.yaml ero R-deliver "add case.contacts.ero.fax"
text=$(md "$TOP/samples/las-vegas-ero-mail.yaml" ero)
edit okafor-opla-hq.yaml 's/^  date: 2015-12-30$/  date: 2018-03-01/; s/regime: johnson-2014/regime: kelly-2017/; /category:/d' hq2018.yaml
refused "a headquarters mailbox out of use on the letter date reaches no one" hq2018.yaml opla-hq R-deliver "no mailbox of opla-hq in use on 2018-03-01"
has "mail goes to the directory's street address" "$text" "2975 Decker Lake Drive, Suite 100"
has "mail letter says how it travels" "$text" "VIA FIRST-CLASS MAIL"

# --- 3. headquarters letters and memos name the office of record
has "ERO HQ letter names the field office" "$(md "$TOP/samples/castro-ero-hq.yaml" ero-hq)" "The office of record is the Los Angeles Field Office"
has "ERO HQ memo names the field office" "$(memo_md "$TOP/samples/castro-ero-hq.yaml" ero-hq)" "The office of record is the Los Angeles Field Office"
has "OPLA HQ letter names the OCC office" "$(md "$TOP/samples/okafor-opla-hq.yaml" opla-hq)" "The office of record is the Office of the Chief Counsel"
text=$(md "$TOP/samples/ero-hq-fod-aware-2026.yaml" ero-hq)
has "a supervisor aware of the case is named, with the copy" "$text" "The Field Office Director was aware of the case on October 20, 2025"
lacks "no 'now before the Enforcement and Removal Operations'" "$text" "before the Enforcement"
edit castro-ero-hq.yaml 's/ero_office: ero-los-angeles/ero_office: ero-la/' norecord.yaml
refused "an HQ letter that cannot name the office of record is refused" norecord.yaml ero-hq R-deliver "give the office of record's id"

# --- 4. statements that follow the case file
text=$(md "$TOP/samples/ero-emergency-detained.yaml" ero)
lacks "a Priority 3 client is never 'not a priority'" "$text" "not an enforcement priority"
has "a Priority 3 client: the category is answered" "$text" "as falling within \"Priority 3, recent final order\""
edit ero-emergency-detained.yaml 's/g28: {on_file: true, date: 2015-12-28, enclosure: E1}/g28: {on_file: true, date: 2015-12-28}/' onfile.yaml
text=$(md onfile.yaml ero)
lacks "a G-28 not enclosed is not said to be" "$text" "G-28 is enclosed"
has "... it is on file" "$text" "Our Form G-28 is on file, filed on December 28, 2015."
text=$(md "$TOP/samples/accredited-rep-las-vegas-2023.yaml" occ-sub)
lacks "an accredited representative is no firm" "$text" "This firm represents"
has "an accredited representative speaks for the organization" "$text" "Southern Nevada Immigrant Legal Services, through the undersigned accredited representative"
lacks "the local review claims nothing the file does not say" "$(md "$TOP/samples/okafor-opla-hq.yaml" dcc 2>/dev/null)" "has not yet had the opportunity"
edit ero-emergency-detained.yaml 's/forms: \[stay_of_removal, release\]/forms: [stay_of_removal, administrative_closure]/' relief.yaml
refused "an ERO letter asking for administrative closure: R-relief at the form" relief.yaml ero R-relief "administrative_closure is granted by the Office of Chief Counsel"

# --- 5. a salutation given as a whole line is printed once
text=$(md "$TOP/samples/las-vegas-ero-mail.yaml" ero)
has "salutation given whole: once" "$text" "Dear Officer O'Brien:"
lacks "salutation given whole: no 'Dear Dear'" "$text" "Dear Dear"
# a contact's family name after the title: particles kept, a suffix dropped
for pair in "a b c d e f g h i j k l m n o p q Reilly|Reilly" "Thomas Reilly, Jr.|Reilly" "Thomas Reilly III|Reilly" "Thomas de la Cruz|de la Cruz" "Ana María van der Berg Esq.|van der Berg"; do
	name=${pair%|*} want=${pair#*|}
	edit haddad-arabic.yaml "s/name: \"Thomas Reilly\"/name: \"$name\"/" surname.yaml
	has "salutation for '$name': Counsel $want" "$(md surname.yaml occ)" "Dear Assistant Chief Counsel $want:"
done

# --- 6. the policy in force on the letter date
for pair in "2018-03-01 kelly-2017" "2022-09-01 case-by-case-2022" "2026-03-02 trump-2025" "2021-06-01 interim-2021"; do
	date=${pair% *} want=${pair#* }
	edit hernandez-lopez-ero.yaml "s/^  date: 2015-12-30/  date: $date/" "r$date.yaml"
	"$PDGEN" check "r$date.yaml" >out 2>&1
	grep -q "^r$date.yaml:[0-9]*:[0-9]*: error: \[R-regime\] johnson-2014 was in force from 2015-01-05 to 2017-02-20; the letter is dated $date, when the policy in force was $want" out &&
		ok "R-regime: a $date letter citing johnson-2014 names $want" || fail "R-regime $date names $want" "$(head -c 500 out)"
done
edit hernandez-lopez-ero.yaml 's/^  date: 2015-12-30/  date: 2017-02-19/' last.yaml
"$PDGEN" check last.yaml >out 2>&1 && ! grep -q R-regime out && ok "R-regime: the last day of a period is in it" || fail "R-regime last day" "$(head -c 400 out)"
edit hernandez-lopez-ero.yaml 's/^  date: 2015-12-30/  date: 2017-02-20/' ended.yaml
"$PDGEN" check ended.yaml >out 2>&1; grep -q 'R-regime.*policy in force was kelly-2017' out && ok "R-regime: the day a regime ended belongs to the next" || fail "R-regime end day" "$(head -c 400 out)"
edit hernandez-lopez-ero.yaml 's/^  date: 2015-12-30/  date: 2022-09-01/; s/regime: johnson-2014/regime: mayorkas-2021/; s/category: none/category: none/' gap.yaml
"$PDGEN" check gap.yaml >out 2>&1
grep -q 'mayorkas-2021 was in force from 2021-11-29 to 2022-06-10 and from 2023-07-28 to 2025-01-20; the letter is dated 2022-09-01, when the policy in force was case-by-case-2022' out &&
	ok "R-regime: Mayorkas in the vacatur gap is refused" || fail "R-regime: Mayorkas in the vacatur gap" "$(head -c 500 out)"
edit hernandez-lopez-ero.yaml 's/^  date: 2015-12-30/  date: 2026-03-02/; s/regime: johnson-2014/regime: trump-2025/; /^  category: none/d' t25.yaml
sed -i 's/^    sent: 2015/    sent: 2015/' t25.yaml
text=$(md t25.yaml fod)
has "a regime without categories argues case by case" "$text" "no category of people is set apart"
lacks "... and states no priority" "$text" "not an enforcement priority"

# --- 7. the sub-office step is an escalation
"$PDGEN" memo "$TOP/samples/occ-suboffice.yaml" --level occ -o "$SCRATCH/sub-memo.pdf" >out 2>&1 &&
	ok "memo --level occ after a sub-office denial" || fail "memo --level occ after a sub-office denial" "$(head -c 400 out)"
has "the occ letter names the sub-office's denial" "$(md "$TOP/samples/occ-suboffice.yaml" occ)" "is pending under the Office of the Chief Counsel, Chicago (Kansas City)"

# --- 8. earlier decisions kept
text=$(md "$TOP/samples/reconsideration-2013.yaml" ero)
has "reconsideration names the first pre-memo denial" "$text" "On June 14, 2013, the Supervisory Detention and Deportation Officer declined"
has "reconsideration names the later, higher denial" "$text" "On September 20, 2013, the Field Office Director declined"
text=$(md "$TOP/samples/bia-pending.yaml" occ)
has "BIA letter names the earlier denial" "$text" "On August 14, 2015, the Assistant Chief Counsel, Thomas Reilly, declined an earlier request."
has "BIA letter states the new facts" "$text" "New facts and circumstances"
"$PDGEN" next "$TOP/samples/bia-pending.yaml" >out 2>&1
grep -q '^next: occ$' out && ok "next sends a BIA case with new facts to the trial attorney" || fail "next BIA" "$(cat out)"
edit bia-pending.yaml '/^  new_facts:/,/certification his employer/d' bianf.yaml
refused "a BIA request after a denial without new facts: R-bia" bianf.yaml occ R-bia "give request.new_facts"
edit castro-ero-hq.yaml 's/^letter:/letter:/' decided.yaml
refused "a letter to the level that denied: R-decided" decided.yaml fod R-decided "the fod level already decided this request"

# --- 10. smaller
text=$(memo_md "$TOP/samples/occ-suboffice.yaml" occ)
has "history rows name the sub-office" "$text" "Assistant Chief Counsel (Office of the Chief Counsel, Chicago (Kansas City))"
has "RE block gives the judge" "$(md "$TOP/samples/accredited-rep-las-vegas-2023.yaml" occ-sub)" "Immigration Judge: Carla Mendes"
has "RE block gives the final order's date" "$(md "$TOP/samples/castro-ero-hq.yaml" ero-hq)" "Final order of removal: February 17, 2009"
"$PDGEN" letter "$TOP/samples/las-vegas-ero-mail.yaml" --level ero -o lv.pdf >/dev/null 2>&1
python3 -c 'import sys,unicodedata; t=open(sys.argv[1],encoding="utf-8").read(); sys.exit(0 if "Nguyễn" in t and t==unicodedata.normalize("NFC",t) else 1)' "$(pdf_text lv.pdf >lv.txt; echo lv.txt)" &&
	ok "NFD input prints composed, header included" || fail "NFD input prints composed" "$(head -c 300 lv.txt)"
edit reconsideration-2013.yaml 's/    enclosures: \[E6\]/    enclosures: [E1]/' late.yaml
refused "an enclosure dated after the request that enclosed it: R-dates" late.yaml ero R-dates "enclosure E1 is dated 2015-10-20, after request R1"
edit hernandez-lopez-ero.yaml 's/exhibits: \[E[0-9, E]*\]//' noex.yaml
"$PDGEN" check noex.yaml --level fod >out 2>&1
grep -q 'warning: equities\[0\] cites no exhibit' out && ok "an equity without exhibit is a warning" || fail "equity without exhibit" "$(head -c 400 out)"
edit okafor-opla-hq.yaml 's/{id: R2, level: dcc,/{id: R2, level: opla-hq,/; s/decision: {outcome: denied, date: 2015-11-16, by_role: DCC,/decision: {outcome: returned, date: 2015-11-16,/' hqret.yaml
"$PDGEN" next hqret.yaml >out 2>&1
grep -q 'request R2 at opla-hq was returned on 2015-11-16: a level that skips a rung is sent back; complete rung 2, then ask opla-hq again' out &&
	ok "next: a request headquarters returned names the rung to complete" || fail "next after a return" "$(cat out)"
edit castro-ero-hq.yaml 's/outcome: denied, date: 2015-08-03/outcome: returned, date: 2015-08-03/' ret.yaml
"$PDGEN" next ret.yaml >out 2>&1
grep -q 'run: pdgen letter ret.yaml --level fod' out && ok "next prints the command to run" || fail "next prints the command" "$(cat out)"
# --- 8. calls and meetings: logged, and a memo to file of the log
edit castro-ero-hq.yaml 's/decision: {outcome: denied, date: 2015-05-11, by_role: SDDO/decision: {outcome: denied, date: 2015-05-12, channel: phone, by_role: SDDO/' oral.yaml
"$PDGEN" check oral.yaml --level ero-hq >out 2>&1
grep -q 'warning: \[R-package\] the phone decision on request R1 (2015-05-12) is not in communications' out &&
	ok "an oral decision not in the log is a warning" || fail "oral decision not logged" "$(head -c 500 out)"
"$PDGEN" letter "$TOP/samples/ero-hq-fod-aware-2026.yaml" --level ero-hq --template memo-to-file \
	-o mtf.pdf >out 2>&1 && pdf_text mtf.pdf | grep -q 'whether the FOD would review' &&
	ok "memo to file of the calls renders and typesets" || fail "memo to file" "$(head -c 500 out)"
finish
