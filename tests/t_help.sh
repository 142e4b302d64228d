#!/bin/sh
# Per-command help: every command answers --help and -h with its full help and exit 0, and
# the options it lists are those of its synopsis in pdgen(1) (so no command can drift).
# The command-line conventions: '-' for standard input and output, -o DIR/ makes the
# directory, "wrote PATH (N pages)" on a terminal.
. tests/lib.sh

MAN=$TOP/man/pdgen.1
commands=$("$PDGEN" --help | awk '/^commands:/ { on = 1; next } on && /^  [a-z]/ { print $1 }')
[ -n "$commands" ] || fail "pdgen --help lists the commands"

# man_flags CMD: the flags of CMD's lines in pdgen(1)'s SYNOPSIS, one a line, sorted
man_flags() {
	awk -v cmd="$1" '
		/^\.Sh SYNOPSIS/ { on = 1; next }
		/^\.Sh / { on = 0 }
		!on { next }
		/^\.Nm$/ { cur = ""; next }
		cur == "" && /^\.Cm / { cur = $2; next }
		cur == cmd {
			line = $0
			while (match(line, /\\-[a-z][a-z-]*/)) {
				print "--" substr(line, RSTART + 2, RLENGTH - 2)
				line = substr(line, RSTART + RLENGTH)
			}
			line = $0
			while (match(line, /(Fl|\|) [a-zA-Z]( |$)/)) {
				f = substr(line, RSTART, RLENGTH); sub(/^(Fl|\|) /, "", f); sub(/ $/, "", f)
				print "-" f
				line = substr(line, RSTART + RLENGTH - 1)
			}
		}' "$MAN" | sort -u
}
# help_flags CMD: the flags of `pdgen CMD --help`'s options, one a line, sorted (-h, --help
# are every command's)
help_flags() {
	"$PDGEN" "$1" --help | awk '/^options:/ { on = 1; next } on && /^  -/ {
		sub(/^  /, ""); n = split($0, w, /  +/); k = split(w[1], f, /, /)
		for (i = 1; i <= k; i++) { g = f[i]; sub(/[ =].*/, "", g); print g } }' |
		grep -vx -e -h -e --help | sort -u
}

for c in $commands; do
	for h in --help -h; do
		if out=$("$PDGEN" "$c" $h 2>&1) && printf '%s\n' "$out" | grep -q "^usage: pdgen $c" &&
		   printf '%s\n' "$out" | grep -q '^options:'; then
			ok "$c $h prints its full help, exit 0"
		else
			fail "$c $h prints its full help, exit 0" "$out"
		fi
	done
	grep -q "^\.It Cm $c\$" "$MAN" || [ "$c" = help ] || fail "pdgen(1) describes $c"
	if [ "$(man_flags "$c")" = "$(help_flags "$c")" ]; then
		ok "$c: the options of its help are those of pdgen(1)"
	else
		fail "$c: the options of its help are those of pdgen(1)" \
		     "pdgen(1): $(man_flags "$c" | tr '\n' ' ')" "help: $(help_flags "$c" | tr '\n' ' ')"
	fi
done
check "help help" "$PDGEN" help help
"$PDGEN" help nosuch >/dev/null 2>&1; [ $? -eq 2 ] && ok "help of an unknown command is a usage error" ||
	fail "help of an unknown command is a usage error"

# --- '-' for standard input and output; -o DIR/ makes the directory
CASE=$TOP/samples/hernandez-lopez-ero.yaml
if "$PDGEN" letter - --level fod -o - <"$CASE" >"$SCRATCH/stdout.pdf" 2>"$SCRATCH/err" &&
   head -c 5 "$SCRATCH/stdout.pdf" | grep -q '%PDF-' && pdf_text "$SCRATCH/stdout.pdf" | grep -q 'Hern'; then
	ok "letter - -o -: the case from standard input, the PDF to standard output"
else
	fail "letter - -o -: the case from standard input, the PDF to standard output" "$(cat "$SCRATCH/err")"
fi
check "check - reads standard input" sh -c "'$PDGEN' check - <'$CASE'"
if "$PDGEN" letter "$CASE" --level fod -o "$SCRATCH/new/deeper/" 2>"$SCRATCH/err" &&
   [ -s "$SCRATCH/new/deeper/hernandez-lopez-A012345678-fod-letter.pdf" ]; then
	ok "-o DIR/ makes the directory"
else
	fail "-o DIR/ makes the directory" "$(cat "$SCRATCH/err")"
fi
: >"$SCRATCH/afile"
"$PDGEN" letter "$CASE" --level fod -o "$SCRATCH/afile/sub/" 2>"$SCRATCH/err"
[ $? -eq 3 ] && grep -q 'cannot make the directory' "$SCRATCH/err" &&
	ok "-o DIR/ under a file is an I/O error" || fail "-o DIR/ under a file is an I/O error" "$(cat "$SCRATCH/err")"

# --- on a terminal, the file written and its pages; nothing when not a terminal
if command -v script >/dev/null; then
	script -qec "'$PDGEN' letter '$CASE' --level fod -o '$SCRATCH/tty.pdf'" /dev/null >"$SCRATCH/tty" 2>&1
	if grep -q "wrote $SCRATCH/tty.pdf (3 pages)" "$SCRATCH/tty"; then
		ok "on a terminal: wrote PATH (N pages)"
	else
		fail "on a terminal: wrote PATH (N pages)" "$(cat "$SCRATCH/tty")"
	fi
fi
"$PDGEN" letter "$CASE" --level fod -o "$SCRATCH/quiet.pdf" >"$SCRATCH/out" 2>&1
[ ! -s "$SCRATCH/out" ] && ok "not on a terminal: silent" || fail "not on a terminal: silent" "$(cat "$SCRATCH/out")"

# --- shell completion, installed by make install, asks pdgen for its words
grep -q '^install:.*' "$TOP/Makefile" && sed -n '/^install:/,/^$/p' "$TOP/Makefile" | grep -q 'install-completion' ||
	fail "make install installs the completion"
MAKEFLAGS= make -s -C "$TOP" install-completion DESTDIR="$SCRATCH/root" PREFIX=/usr >"$SCRATCH/install" 2>&1
BASHC=$SCRATCH/root/usr/share/bash-completion/completions/pdgen
[ -s "$BASHC" ] && [ -s "$SCRATCH/root/usr/share/zsh/vendor-completions/_pdgen" ] &&
	ok "make install installs bash and zsh completion" ||
	fail "make install installs bash and zsh completion" "$(cat "$SCRATCH/install")"
# complete WORDS...: what bash completion offers for the last word
complete_words() {
	PATH=$(dirname "$PDGEN"):$PATH bash -c '. "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
		_pdgen; printf "%s\n" "${COMPREPLY[@]}"' sh "$BASHC" pdgen "$@"
}
[ -s "$BASHC" ] && {
	complete_words wa | grep -qx watch && ok "completion: commands" || fail "completion: commands" "$(complete_words wa)"
	complete_words letter case.yaml --lev | grep -qx -- --level && complete_words batch --for | grep -qx -- --format= &&
		ok "completion: a command's options" || fail "completion: a command's options" "$(complete_words letter x --lev)"
	[ "$(complete_words letter case.yaml --level o | tr '\n' ' ')" = "occ-sub occ opla-hq " ] &&
		ok "completion: --level values from the level table" ||
		fail "completion: --level values from the level table" "$(complete_words letter x --level o)"
}
if command -v zsh >/dev/null; then
	zsh -n "$SCRATCH/root/usr/share/zsh/vendor-completions/_pdgen" && ok "zsh completion parses" ||
		fail "zsh completion parses"
fi

finish
