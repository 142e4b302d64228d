#!/bin/sh
# Limits: inputs too big, too deep or too many are refused with a located message, in
# seconds (no quadratic work), without a crash and without an output file.
. tests/lib.sh
S=$SCRATCH

# limit NAME EXIT FIRST-LINE COMMAND...: exit code, first line of stderr, within 20 s
secs=20; [ -n "$VALGRIND" ] && secs=900
limit() {
	name=$1 want=$2 line=$3; shift 3
	timeout "$secs" "$@" >"$S/out" 2>"$S/err"; got=$?
	first=$(head -n 1 "$S/err")
	if [ "$got" = "$want" ] && [ "$first" = "$line" ]; then ok "limit: $name"
	else fail "limit: $name" "exit $got (wanted $want)" "got:    $first" "wanted: $line"; fi
}

cd "$S"
python3 - <<'PY'
w = open
w('huge-file.yaml', 'w').write('# padding\n' * (1700 * 1024))
w('huge-string.yaml', 'w').write('client:\n  name: {given: "' + 'x' * (1100 * 1024) + '"}\n')
with w('many-items.yaml', 'w') as f:
    f.write('client:\n  other_a_numbers:\n')
    f.writelines('    - A%09d\n' % i for i in range(100001))
with w('many-keys.yaml', 'w') as f:  # duplicate detection must not be quadratic
    f.writelines('k%d: 1\n' % i for i in range(99999))
    f.write('k17: 2\n')
with w('many-anchors.yaml', 'w') as f:  # anchors cost nothing when aliases are refused
    f.write('a:\n')
    f.writelines('  - &a%d 1\n' % i for i in range(99999))
    f.write('  - *a5\n')
with w('case-many.yaml', 'w') as f:
    f.write('enclosures:\n')
    f.writelines('  - {id: E%d, title: t}\n' % i for i in range(1001))
w('deep.yaml', 'w').write('client: ' + '[' * 70000 + ']' * 70000 + '\n')
w('data.yaml', 'w').write('x: [1]\n')
w('deep.md', 'w').write('{{#x}}' * 101 + '{{/x}}' * 101 + '\n')
w('huge.md', 'w').write('word ' * (1 << 20))
w('inc.md', 'w').write('{{> inc}}\n')
w('out.md', 'w').write('{{#x}}' + '{{> big}}' * 40 + '{{/x}}\n')
w('big.md', 'w').write(('{{> row}}' * 64) + '\n')
w('row.md', 'w').write('x' * 40000 + '\n')
w('typeset-huge.md', 'w').write(('| a | b |\n|---|---|\n' + '| x | y |\n' * 500000))
PY

limit "file size" 1 "huge-file.yaml: error: file too large (the limit is 16777216 bytes)" \
	"$PDGEN" check huge-file.yaml
limit "string length" 1 "huge-string.yaml:2:17: error: value too long (1126400 bytes; the limit is 1048576)" \
	"$PDGEN" check huge-string.yaml
limit "list items (data)" 1 "many-items.yaml:100003:7: error: more than 100000 entries in one list" \
	"$PDGEN" render deep.md --data many-items.yaml
limit "list items (case file)" 1 "case-many.yaml:1002:5: error: more than 1000 entries in one list" \
	"$PDGEN" check case-many.yaml
limit "100000 keys, one duplicate" 1 "many-keys.yaml:100000:1: error: duplicate key 'k17' (first defined at many-keys.yaml:18:1)" \
	"$PDGEN" render inc.md --data many-keys.yaml
limit "100000 anchors, aliases refused" 1 "many-anchors.yaml:100001:5: error: aliases (*a5) are not allowed in this file: write the value out" \
	"$PDGEN" render inc.md --data many-anchors.yaml
limit "YAML depth" 1 "deep.yaml:1:72: error: nesting deeper than 64 levels" \
	"$PDGEN" check deep.yaml
limit "section nesting" 1 "deep.md:1:601: error: sections nested more than 100 deep" \
	"$PDGEN" render deep.md --data data.yaml
limit "template size" 1 "huge.md: error: cannot read template: larger than 4 MiB" \
	"$PDGEN" render huge.md --data data.yaml
limit "include depth" 1 "./inc.md:1:1: error: partials nested more than 32 deep (is \"inc\" including itself?)" \
	"$PDGEN" render inc.md --data data.yaml --templates .
limit "rendered size" 1 "./row.md:1:1: error: rendered text would be longer than 67108864 bytes" \
	"$PDGEN" render out.md --data data.yaml --templates .
limit "Markdown size" 1 "typeset-huge.md: error: Markdown text of 5000020 bytes is over the limit of 4194304" \
	"$PDGEN" typeset typeset-huge.md -o out.pdf
if [ -e out.pdf ]; then fail "no PDF after a refused input"; else ok "no PDF after a refused input"; fi
cd "$TOP"
finish
