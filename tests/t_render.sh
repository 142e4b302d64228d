#!/bin/sh
# pdgen render: every Mustache spec case through the command line, strict names, escaping,
# partial errors, usage, and every example of pdgen-template(5).
. tests/lib.sh

SPEC=${PDGEN_MUSTACHE_SPEC:-tests/mustache-spec}

# --- the spec, fed from outside: TEMPLATE file, DATA.yaml, each partial as NAME.md
PY=python3
[ -x /usr/bin/python3 ] && /usr/bin/python3 -c 'import yaml' 2>/dev/null && PY=/usr/bin/python3
if ! $PY -c 'import yaml' 2>/dev/null; then
	fail "spec through render" "python3 with PyYAML is needed to split the spec files"
elif [ ! -f "$SPEC/sections.yml" ]; then
	fail "spec through render" "no Mustache spec at $SPEC (set PDGEN_MUSTACHE_SPEC)"
else
	$PY - "$SPEC" "$SCRATCH/spec" <<'EOF'
import json, os, sys, yaml
spec, out = sys.argv[1], sys.argv[2]
files = ["comments", "delimiters", "interpolation", "inverted", "partials", "sections",
         "~inheritance", "~dynamic-names"]
n = 0
for f in files:
    with open(os.path.join(spec, f + ".yml"), encoding="utf-8") as fh:
        doc = yaml.safe_load(fh)
    for t in doc["tests"]:
        n += 1
        d = os.path.join(out, "%03d" % n)
        os.makedirs(os.path.join(d, "partials"))
        def write(name, text):
            with open(os.path.join(d, name), "wb") as w:
                w.write(text.encode("utf-8"))
        write("name", f + ": " + t["name"])
        write("template", t["template"])
        write("expected", t["expected"])
        write("data.yaml", json.dumps(t["data"], ensure_ascii=False))
        for k, v in (t.get("partials") or {}).items():
            write(os.path.join("partials", k + ".md"), v)
EOF
	passed=0 failed=""
	for d in "$SCRATCH"/spec/*/; do
		if "$PDGEN" render --escape html --lenient "$d/template" --data "$d/data.yaml" \
			--templates "$d/partials" >"$d/got" 2>"$d/err" && cmp -s "$d/got" "$d/expected"; then
			passed=$((passed + 1))
		else
			failed="$failed|$(cat "$d/name")"
		fi
	done
	if [ -z "$failed" ] && [ "$passed" -ge 163 ]; then
		ok "spec through render ($passed cases)"
	else
		fail "spec through render ($passed passed)" "failed: $failed"
	fi
fi

# --- strict names: a misspelled field is located, with a suggestion, exit 1
cat >"$SCRATCH/case.yaml" <<'EOF'
client:
  name: "*Star* Ltd_ #1 <b>x</b> [a](b) | c"
  a_number: "A 12-345-678"
letter: {date: 2015-12-30}
items: [one, two, three]
EOF
printf 'Client: {{client.name}}\nA-number: {{client.a_numbr}}\n' >"$SCRATCH/typo.md"
"$PDGEN" render "$SCRATCH/typo.md" --data "$SCRATCH/case.yaml" >"$SCRATCH/out" 2>"$SCRATCH/err"
rc=$?
if [ $rc -eq 1 ] && grep -q 'typo.md:2:11: error: unknown field "client.a_numbr" (did you mean "client.a_number"?)' "$SCRATCH/err" &&
	grep -q '^ *\^$' "$SCRATCH/err" && [ ! -s "$SCRATCH/out" ]; then
	ok "misspelled field: located error with suggestion, exit 1"
else
	fail "misspelled field: located error with suggestion, exit 1" "rc=$rc" "$(cat "$SCRATCH/err")"
fi
"$PDGEN" render --lenient "$SCRATCH/typo.md" --data "$SCRATCH/case.yaml" >"$SCRATCH/lenient" 2>&1
check "lenient: a missing field renders empty" grep -q '^A-number: $' "$SCRATCH/lenient"

# --- Markdown escaping by default, raw with {{{ }}}
printf '{{client.name}}|{{{client.name}}}\n' >"$SCRATCH/esc.md"
"$PDGEN" render "$SCRATCH/esc.md" --data "$SCRATCH/case.yaml" >"$SCRATCH/esc" 2>&1
printf '%s\n' '\*Star\* Ltd\_ \#1 \<b\>x\</b\> \[a\]\(b\) \| c|*Star* Ltd_ #1 <b>x</b> [a](b) | c' >"$SCRATCH/want"
check "markdown escaping of {{x}}, raw {{{x}}}" cmp "$SCRATCH/esc" "$SCRATCH/want"

# --- partials: search path, escape attempts, missing, errors inside partials
mkdir -p "$SCRATCH/tpl"
printf 'Dear {{client.name | upper}},\n{{#items}}\n{{> broken}}\n{{/items}}\n' >"$SCRATCH/tpl/body.md"
printf 'x {{#open}} y\n' >"$SCRATCH/tpl/broken.md"
printf '{{> body}}\n' >"$SCRATCH/main.md"
"$PDGEN" render "$SCRATCH/main.md" --data "$SCRATCH/case.yaml" --templates "$SCRATCH/tpl" >/dev/null 2>"$SCRATCH/err"
rc=$?
if [ $rc -eq 1 ] && grep -q 'broken.md:1:3: error: {{#open}} is never closed' "$SCRATCH/err" &&
	grep -q 'in partial "broken" included at .*body.md:3:1' "$SCRATCH/err" &&
	grep -q 'in partial "body" included at .*main.md:1:1' "$SCRATCH/err"; then
	ok "error in a partial shows the include chain"
else
	fail "error in a partial shows the include chain" "rc=$rc" "$(cat "$SCRATCH/err")"
fi
printf 'a {{> ../../etc/passwd}} b\n' >"$SCRATCH/evil.md"
"$PDGEN" render "$SCRATCH/evil.md" --data "$SCRATCH/case.yaml" --templates "$SCRATCH/tpl" >/dev/null 2>"$SCRATCH/err"
rc=$?
if [ $rc -eq 1 ] && grep -q 'evil.md:1:3: error: bad template name "../../etc/passwd"' "$SCRATCH/err"; then
	ok "a partial name cannot leave the search path"
else
	fail "a partial name cannot leave the search path" "rc=$rc" "$(cat "$SCRATCH/err")"
fi
printf 'a\n  {{> nowhere}}\n' >"$SCRATCH/miss.md"
"$PDGEN" render "$SCRATCH/miss.md" --data "$SCRATCH/case.yaml" --templates "$SCRATCH/tpl" >/dev/null 2>"$SCRATCH/err"
rc=$?
if [ $rc -eq 1 ] && grep -q 'miss.md:2:3: error: no partial "nowhere"' "$SCRATCH/err"; then
	ok "a missing partial is an error at its place"
else
	fail "a missing partial is an error at its place" "rc=$rc" "$(cat "$SCRATCH/err")"
fi
printf '{{> self}}' >"$SCRATCH/tpl/self.md"
"$PDGEN" render "$SCRATCH/tpl/self.md" --data "$SCRATCH/case.yaml" --templates "$SCRATCH/tpl" >/dev/null 2>"$SCRATCH/err"
rc=$?
if [ $rc -eq 1 ] && grep -q 'partials nested more than 32 deep' "$SCRATCH/err" &&
	grep -q 'in partial "self" included at' "$SCRATCH/err" &&
	grep -q 'more times from the same place)' "$SCRATCH/err"; then
	ok "include depth is capped, with the include chain"
else
	fail "include depth is capped, with the include chain" "rc=$rc" "$(head -5 "$SCRATCH/err")"
fi
printf '{{letter.date | dat}}\n' >"$SCRATCH/fmt.md"
"$PDGEN" render "$SCRATCH/fmt.md" --data "$SCRATCH/case.yaml" >/dev/null 2>"$SCRATCH/err"
rc=$?
if [ $rc -eq 1 ] && grep -q 'fmt.md:1:17: error: unknown formatter "dat" (did you mean "date"?)' "$SCRATCH/err"; then
	ok "unknown formatter: located, with a suggestion"
else
	fail "unknown formatter: located, with a suggestion" "rc=$rc" "$(cat "$SCRATCH/err")"
fi
printf '{{client.name | date}}\n' >"$SCRATCH/bad.md"
"$PDGEN" render "$SCRATCH/bad.md" --data "$SCRATCH/case.yaml" >/dev/null 2>"$SCRATCH/err"
rc=$?
if [ $rc -eq 1 ] && grep -q 'bad.md:1:1: error: formatter "date" needs a date' "$SCRATCH/err" &&
	grep -q 'the value is at .*case.yaml:2:9' "$SCRATCH/err"; then
	ok "a bad value names the template place and the YAML place"
else
	fail "a bad value names the template place and the YAML place" "rc=$rc" "$(cat "$SCRATCH/err")"
fi

# --- usage errors exit 2 with the usage on stderr
"$PDGEN" render "$SCRATCH/esc.md" >/dev/null 2>"$SCRATCH/err"
rc=$?
if [ $rc -eq 2 ] && grep -q '^usage: pdgen render TEMPLATE (--data' "$SCRATCH/err"; then
	ok "render without --data: usage, exit 2"
else
	fail "render without --data: usage, exit 2" "rc=$rc" "$(cat "$SCRATCH/err")"
fi
"$PDGEN" render "$SCRATCH/esc.md" --data "$SCRATCH/case.yaml" --escape latex >/dev/null 2>"$SCRATCH/err"
[ $? -eq 2 ] && ok "render --escape latex: exit 2" || fail "render --escape latex: exit 2" "$(cat "$SCRATCH/err")"

# --- docs are tests: every example of pdgen-template(5) renders as documented
# (examples named md-* with Markdown escaping, the others as plain text)
MAN=man/pdgen-template.5
# example KIND NAME: the lines of the display after '.\" example-KIND NAME'
example() {
	awk -v tag=".\\\\\" example-$1 $2" '
		$0 == tag { on = 1; next }
		on && /^\.Bd/ { next }
		on && /^\.Ed/ { exit }
		on { gsub(/\\e/, "\\"); gsub(/\\&/, ""); print }' "$MAN"
}
names=$(sed -n 's/^\.\\" example-template \(.*\)$/\1/p' "$MAN")
[ -n "$names" ] || fail "man page examples" "no examples found in $MAN"
for name in $names; do
	example data "$name" >"$SCRATCH/ex.yaml"
	example template "$name" >"$SCRATCH/ex.md"
	example output "$name" >"$SCRATCH/ex.want"
	case $name in md-*) esc=markdown ;; *) esc=none ;; esac
	if "$PDGEN" render --escape $esc "$SCRATCH/ex.md" --data "$SCRATCH/ex.yaml" >"$SCRATCH/ex.got" 2>"$SCRATCH/ex.err" &&
		[ ! -s "$SCRATCH/ex.err" ] && cmp -s "$SCRATCH/ex.got" "$SCRATCH/ex.want"; then
		ok "pdgen-template(5) example $name"
	else
		fail "pdgen-template(5) example $name" "$(cat "$SCRATCH/ex.err")" "got: $(cat "$SCRATCH/ex.got")" "want: $(cat "$SCRATCH/ex.want")"
	fi
done
finish
