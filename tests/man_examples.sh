#!/bin/sh
# The examples of pdgen-case(5) into DIR: base.yaml (the case every example adds to), and for
# the Nth ".\" test NAME ARGS => EXIT [TEXT]" line, spec.N (that line) and ex.N.yaml (its
# snippet). usage: sh tests/man_examples.sh DIR
awk -v dir="$1" '
	/^\.\\" base/ { mode = "base"; next }
	/^\.\\" test / { mode = "test"; sub(/^\.\\" test /, ""); n++
		print > (dir "/spec." n); close(dir "/spec." n); next }
	/^\.Bd -literal/ && mode != "" { inblock = 1; next }
	/^\.Ed/ && inblock { inblock = 0; mode = ""; next }
	inblock && mode == "base" { print > (dir "/base.yaml") }
	inblock && mode == "test" { print > (dir "/ex." n ".yaml") }
' man/pdgen-case.5
