#!/bin/sh
# The office directory, templates/offices.yaml: its schema (keys, kinds, parents, addresses,
# sources, verification dates, unknown lists) and that pdgen finds every office it lists.
. tests/lib.sh

python3 - templates/offices.yaml <<'EOF' || status=1
import re, sys, yaml
doc = yaml.safe_load(open(sys.argv[1], encoding="utf-8"))
offices = doc["offices"]
byid = {o.get("id"): o for o in offices}
keys = {"id", "kind", "name", "org", "parent", "aor", "aliases", "address", "pd_email", "email",
        "phone", "subject_pattern", "attachment_limit_mb", "source", "verified", "unknown"}
optional = ["address", "pd_email", "email", "phone"]
mail = re.compile(r"^[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[a-z]{2,}$")
city_st_zip = re.compile(r"^[^,]+, [A-Z]{2} \d{5}(-\d{4})?$")
alias = re.compile(r"^([^,]+, [A-Z]{2}|[A-Z]{2}|[A-Z][A-Za-z. ]+)$")

def rule(name, bad):
    print(("not ok - " if bad else "ok - ") + name)
    for b in bad[:10]:
        print("#   " + b)
    return bool(bad)

def each(test):
    return [f"{o.get('id')}: {m}" for o in offices for m in [test(o)] if m]

failed = False
failed |= rule("offices: ids are unique", [i for i in byid if sum(o.get("id") == i for o in offices) > 1])
failed |= rule("offices: only the agreed keys", each(lambda o: ", ".join(sorted(set(o) - keys))))
failed |= rule("offices: id, kind, name, org, source, verified present",
               each(lambda o: ", ".join(k for k in ("id", "kind", "name", "org", "source", "verified") if not o.get(k))))
failed |= rule("offices: kind is ero, occ or occ_sub", each(lambda o: o["kind"] not in ("ero", "occ", "occ_sub") and o["kind"]))
failed |= rule("offices: 25 ERO field offices", [] if sum(o["kind"] == "ero" for o in offices) == 25 else ["count differs"])
failed |= rule("offices: a sub-office names an OCC parent, no other office has one",
               each(lambda o: (o["kind"] == "occ_sub") != (byid.get(o.get("parent"), {}).get("kind") == "occ") and str(o.get("parent"))))
failed |= rule("offices: an address ends with 'City, ST ZIP'",
               each(lambda o: "address" in o and not (isinstance(o["address"], list) and all(isinstance(l, str) for l in o["address"])
                                                       and city_st_zip.match(o["address"][-1])) and str(o["address"])))
failed |= rule("offices: mailboxes are addresses",
               each(lambda o: ", ".join(o[k] for k in ("pd_email", "email") if k in o and not mail.match(str(o[k])))))
failed |= rule("offices: verified is a date, source a URL or reference key",
               each(lambda o: not re.match(r"^\d{4}-\d{2}-\d{2}$", str(o["verified"])) and "verified"
                    or any(not re.match(r"^(https://|S\d+$)", s) for s in ([o["source"]] if isinstance(o["source"], str) else o["source"])) and "source"))
failed |= rule("offices: unknown lists exactly the contact fields not given",
               each(lambda o: sorted(o.get("unknown", [])) != sorted(k for k in optional if k not in o)
                    and f"unknown {o.get('unknown')} but absent {[k for k in optional if k not in o]}"))
failed |= rule("offices: aliases are 'City, ST' or state strings",
               each(lambda o: not (o.get("aliases") and all(isinstance(a, str) and alias.match(a) for a in o["aliases"]))
                    and str(o.get("aliases"))))
failed |= rule("offices: a sub-office's cities lead to its parent too",
               each(lambda o: ", ".join(a for a in o.get("aliases", []) if o["kind"] == "occ_sub"
                                        and a not in byid.get(o.get("parent"), {}).get("aliases", []))))
sys.exit(1 if failed else 0)
EOF

# Every id the directory lists is one pdgen knows: no "not in the office directory" warning.
unknown=""
for id in $(sed -n 's/^  - id: \(.*\)$/\1/p' templates/offices.yaml); do
	case $id in
	ero-*) sed "s/ero_office: ero-chicago/ero_office: $id/" samples/hernandez-lopez-ero.yaml >"$SCRATCH/c.yaml" ;;
	*) sed "s/occ_office: opla-new-york/occ_office: $id/" samples/occ-track.yaml >"$SCRATCH/c.yaml" ;;
	esac
	"$PDGEN" check "$SCRATCH/c.yaml" 2>&1 | grep -q "not in the office directory" && unknown="$unknown $id"
done
[ -z "$unknown" ] && ok "pdgen finds every office of the directory" || fail "pdgen finds every office of the directory" "$unknown"
# the ids that cases and tests already use stay
for id in ero-chicago ero-los-angeles ero-new-york opla-new-york opla-chicago opla-chicago-kansas-city opla-san-francisco; do
	grep -q "^  - id: $id\$" templates/offices.yaml || missing="$missing $id"
done
[ -z "$missing" ] && ok "the ids used by samples and tests are kept" || fail "the ids used by samples and tests are kept" "$missing"
finish
