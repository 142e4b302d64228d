#!/bin/sh
# pdgen email: a draft .eml that Python's email package reads with To/Cc by level and office,
# names with diacritics intact, the packet attached (qpdf-clean), the same bytes twice; an
# emergency marked, an office's subject pattern and attachment limit, a level with no address.
. tests/lib.sh
PY=/usr/bin/python3
sample=samples/packet/ramirez-opla-hq.yaml
hq="OPLA-PD-HQ-FLO@ice.dhs.gov" ero="eroprosecutorialdiscretioninquiries@ice.dhs.gov"

if "$PDGEN" email $sample --level opla-hq -o "$SCRATCH/m.eml" 2>"$SCRATCH/err"; then ok "email of the sample"
else fail "email of the sample" "$(cat "$SCRATCH/err")"; fi
"$PDGEN" packet $sample --level opla-hq -o "$SCRATCH/p.pdf" 2>/dev/null
check "OPLA HQ: To the FLO mailbox, Cc the ERO PD mailbox, names intact, the packet attached" \
	$PY tests/email_check.py "$SCRATCH/m.eml" to=$hq cc=$ero "from_name=María José Núñez" \
	"subject_has=Inés Ramírez Peña" subject_has=A209-517-846 packet="$SCRATCH/p.pdf" \
	"body_has=On behalf of Inés Ramírez Peña" "body_has=The attached packet holds"
"$PDGEN" email $sample --level opla-hq -o "$SCRATCH/m2.eml" 2>/dev/null
check "two runs give the same bytes" cmp "$SCRATCH/m.eml" "$SCRATCH/m2.eml"
grep -q "^Date: Wed, 30 Dec 2015" "$SCRATCH/m.eml" && ok "Date from the letter date" || fail "Date from the letter date"

# rung 1, an emergency: To the officer of the case, EMERGENCY in the subject
em=samples/ero-emergency-detained.yaml
if "$PDGEN" email $em --level ero -o "$SCRATCH/e.eml" 2>"$SCRATCH/err"; then
	check "an emergency: To the officer, EMERGENCY in the subject" \
		$PY tests/email_check.py "$SCRATCH/e.eml" to=paul.novak@ice.dhs.gov cc= subject_has=EMERGENCY
else fail "email of an emergency" "$(cat "$SCRATCH/err")"; fi

# an office that prescribes a subject pattern and a small attachment limit
data=$SCRATCH/data
mkdir -p "$data"
cp -R templates "$data/templates"
ln -s "$TOP/fonts" "$data/fonts"
$PY - "$data/templates/offices.yaml" <<'PY'
import sys
p = sys.argv[1]
text = open(p).read()
anchor = "  - id: ero-chicago\n"
assert anchor in text
text = text.replace(anchor, anchor + '    subject_pattern: "PD {{client.a_number_display}} {{client.name.family}}"\n'
                    "    attachment_limit_mb: 0.01\n", 1)
start = text.index(anchor)
end = text.index("\n  - id:", start + 1)
entry = "\n".join(l for l in text[start:end].split("\n") if not l.strip().startswith("email:"))
text = text[:start] + entry + text[end:]  # an office without a mailbox
open(p, "w").write(text)
PY
if PDGEN_DATADIR=$data "$PDGEN" email $em --level ero -o "$SCRATCH/o.eml" 2>"$SCRATCH/err"; then
	check "the office's subject pattern, the emergency still marked" \
		$PY tests/email_check.py "$SCRATCH/o.eml" "subject_has=EMERGENCY: PD A" "subject_has=D'Souza"
	grep -q "warning: the message is .* over the office's attachment limit of 0.01 MB" "$SCRATCH/err" &&
		ok "a message over the office's limit is a warning" ||
		fail "a message over the office's limit is a warning" "$(cat "$SCRATCH/err")"
else fail "email with an office's rules" "$(cat "$SCRATCH/err")"; fi

# an office that takes the documents separately: letter, memo and each tab, stamped, attached
$PY - "$data/templates/offices.yaml" <<'PY'
import sys
p = sys.argv[1]
text = open(p).read()
anchor = "  - id: opla-el-paso\n"
assert anchor in text
open(p, "w").write(text.replace(anchor, anchor + "    attachments: separate\n", 1))
PY
if PDGEN_DATADIR=$data "$PDGEN" email $sample --level cc -o "$SCRATCH/s.eml" 2>"$SCRATCH/err"; then
	check "attachments: separate: the letter, the memo and five tabs, each qpdf-clean" \
		$PY tests/email_check.py "$SCRATCH/s.eml" attachments=7 to=robert.hale@ice.dhs.gov \
		"body_has=one file to a tab"
	grep -q "filename=ramirez-pena-A209517846-cc-03-tab-A.pdf" "$SCRATCH/s.eml" &&
		ok "each part is named after the packet" || fail "each part is named after the packet"
	# each part tagged, its structure carried from the packet, declaring what its part is
	mkdir -p "$SCRATCH/parts"
	$PY -c 'import sys, email, email.policy
msg = email.message_from_binary_file(open(sys.argv[1], "rb"), policy=email.policy.default)
for a in msg.iter_attachments():
    open(sys.argv[2] + "/" + a.get_filename(), "wb").write(a.get_content())' "$SCRATCH/s.eml" "$SCRATCH/parts"
	for f in "$SCRATCH"/parts/*.pdf; do
		check "attachments: separate: $(basename "$f") tagged, PDF/UA-1 and PDF/A-2b as its part" \
			$PY tests/pdf_tags.py "$f"
	done
else fail "email with attachments: separate" "$(cat "$SCRATCH/err")"; fi

# no address for the level (no contact, an office without a mailbox): refused, naming the field
sed '/^  contacts:/,/^emergency:/{/ero: {name/d}' $em >"$SCRATCH/noaddr.yaml"
if PDGEN_DATADIR=$data "$PDGEN" email "$SCRATCH/noaddr.yaml" --level ero -o "$SCRATCH/n.eml" 2>"$SCRATCH/err"; then
	fail "a level with no e-mail address is refused"
elif grep -q "error: .*case.contacts.ero" "$SCRATCH/err" && [ ! -e "$SCRATCH/n.eml" ]; then
	ok "a level with no e-mail address is refused, naming case.contacts.ero.email"
else fail "a level with no e-mail address is refused" "$(cat "$SCRATCH/err")"; fi

# a letter that says it goes by mail cannot ride in an e-mail
cp -R samples/packet/encl "$SCRATCH/encl"
sed 's/^  delivery: email/  delivery: mail/' $sample >"$SCRATCH/mail.yaml"
line=$(grep -n '^  delivery: mail' "$SCRATCH/mail.yaml" | cut -d: -f1)
if "$PDGEN" email "$SCRATCH/mail.yaml" --level opla-hq -o "$SCRATCH/mail.eml" 2>"$SCRATCH/err"; then
	fail "letter.delivery: mail is refused for an e-mail"
elif grep -q "mail.yaml:$line:[0-9]*: error: letter.delivery is mail" "$SCRATCH/err" && [ ! -e "$SCRATCH/mail.eml" ]; then
	ok "letter.delivery: mail is refused for an e-mail, at its line"
else fail "letter.delivery: mail is refused for an e-mail, at its line" "$(cat "$SCRATCH/err")"; fi

# batch: packet and email in a docket, recorded in the manifest
cat >"$SCRATCH/docket.yaml" <<EOD
docket: test
cases:
  - {file: $TOP/$sample, level: opla-hq, documents: [letter, memo, packet, email]}
EOD
if "$PDGEN" batch "$SCRATCH/docket.yaml" -o "$SCRATCH/out" --quiet --allow-outside 2>"$SCRATCH/err"; then
	for doc in packet email; do
		row=$(grep "\"document\":\"$doc\"" "$SCRATCH/out/manifest.jsonl")
		file=$(printf '%s' "$row" | sed 's/.*"output":"\([^"]*\)".*/\1/')
		sum=$(printf '%s' "$row" | sed 's/.*"sha256":"\([0-9a-f]*\)".*/\1/')
		if [ -f "$file" ] && [ "$(sha256sum "$file" | cut -d' ' -f1)" = "$sum" ]; then
			ok "batch: the manifest records the $doc"
		else fail "batch: the manifest records the $doc" "$row"; fi
	done
else fail "batch with packet and email" "$(cat "$SCRATCH/err")"; fi
finish
