#!/bin/sh
# The command line: help, version, usage errors (exit 2), located input errors (exit 1),
# and nothing written when a letter cannot be made.
. tests/lib.sh

# run EXPECTED_EXIT NAME COMMAND...: checks the exit code; stderr is kept in $SCRATCH/err
run() {
	want=$1 name=$2; shift 2
	"$@" >"$SCRATCH/stdout" 2>"$SCRATCH/err"; got=$?
	if [ "$got" = "$want" ]; then ok "$name (exit $want)"
	else fail "$name (exit $want, got $got)" "$(head -c 400 "$SCRATCH/err")"; fi
}
has() { # has NAME FILE STRING: FILE contains STRING
	if grep -qF -- "$3" "$2"; then ok "$1"; else fail "$1" "wanted: $3" "got: $(head -c 400 "$2")"; fi
}

run 0 "--help" "$PDGEN" --help
has "--help lists letter" "$SCRATCH/stdout" "letter"
run 0 "help letter" "$PDGEN" help letter
has "help letter shows the synopsis" "$SCRATCH/stdout" "usage: pdgen letter CASE.yaml --level LEVEL"
run 0 "--version" "$PDGEN" --version
has "--version prints the version" "$SCRATCH/stdout" "pdgen 0."
run 2 "no command" "$PDGEN"
run 2 "unknown command" "$PDGEN" frobnicate
run 2 "unknown option" "$PDGEN" letter samples/occ-track.yaml --level occ --bogus
has "unknown option prints usage" "$SCRATCH/err" "usage: pdgen letter"
run 2 "unknown level" "$PDGEN" letter samples/occ-track.yaml --level chief
has "unknown level names the levels" "$SCRATCH/err" "opla-hq"
run 2 "missing --level" "$PDGEN" letter samples/occ-track.yaml
run 2 "check: unknown level" "$PDGEN" check samples/hernandez-lopez-ero.yaml --level fdo
has "check: unknown level names the levels" "$SCRATCH/err" "unknown level 'fdo'; the levels are: ero, fod,"
has "check: unknown level prints usage" "$SCRATCH/err" "usage: pdgen check"
run 0 "check: a known level" "$PDGEN" check samples/hernandez-lopez-ero.yaml --level fod

mkdir "$SCRATCH/work" && cd "$SCRATCH/work" || exit 1
run 1 "missing case file" "$PDGEN" letter nosuch.yaml --level fod
has "missing file is located" "$SCRATCH/err" "nosuch.yaml: error: cannot read"

sed 's/^  a_number: "A 012-345-678"/  a_number: ["A 012-345-678"/' \
	"$TOP/samples/hernandez-lopez-ero.yaml" >broken.yaml
run 1 "YAML syntax error" "$PDGEN" letter broken.yaml --level fod -o broken.pdf
has "syntax error at its line and column" "$SCRATCH/err" "broken.yaml:5:"
has "syntax error says error" "$SCRATCH/err" ": error: "
[ ! -e broken.pdf ] && ok "no PDF after a syntax error" || fail "no PDF after a syntax error"
[ -z "$(ls | grep -v '^broken.yaml$')" ] && ok "no temporary file left" || fail "no temporary file left" "$(ls)"

cp "$TOP/samples/hernandez-lopez-ero.yaml" good.yaml
run 0 "letter with the default name" "$PDGEN" letter good.yaml --level fod
[ -s hernandez-lopez-A012345678-fod-letter.pdf ] && ok "default output name" \
	|| fail "default output name" "$(ls)"
# an installation finds its data in PREFIX/share/pdgen beside PREFIX/bin, whatever PREFIX
# the program was built with
mkdir -p "$SCRATCH/prefix/bin" "$SCRATCH/prefix/share/pdgen"
cp "$PDGEN" "$SCRATCH/prefix/bin/pdgen"
ln -s "$TOP/templates" "$SCRATCH/prefix/share/pdgen/templates"
ln -s "$TOP/fonts" "$SCRATCH/prefix/share/pdgen/fonts"
(unset PDGEN_DATADIR; cd / && "$SCRATCH/prefix/bin/pdgen" letter "$TOP/samples/hernandez-lopez-ero.yaml" \
	--level fod -o "$SCRATCH/installed.pdf") 2>"$SCRATCH/inst.err"
[ -s "$SCRATCH/installed.pdf" ] && ok "an installation moved to another prefix finds its data" \
	|| fail "an installation moved to another prefix finds its data" "$(cat "$SCRATCH/inst.err")"
# a docket given where a case file goes: one error at its cases, naming the batch commands
cp "$TOP/samples/docket.yaml" "$SCRATCH/docket.yaml"
"$PDGEN" check "$SCRATCH/docket.yaml" >"$SCRATCH/dk.out" 2>&1; rc=$?
[ $rc = 1 ] && [ "$(grep -c 'error' "$SCRATCH/dk.out")" = 1 ] &&
	grep -q "^$SCRATCH/docket.yaml:4:1: error: this is a docket .*pdgen batch --check $SCRATCH/docket.yaml" "$SCRATCH/dk.out" &&
	ok "check of a docket: one located error pointing to batch --check" ||
	fail "check of a docket: one located error pointing to batch --check" "rc=$rc $(head -c 400 "$SCRATCH/dk.out")"
finish
