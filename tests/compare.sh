# compare LABEL WANT GOT: "ok - LABEL" when the file WANT exists and GOT equals it, else
# "not ok - LABEL" with the diff -u (or the missing file) and status=1. Sourced by the
# scripts that keep expected outputs (regress.sh, golden.sh); they set scratch.
compare_files() {
	if [ ! -f "$2" ]; then
		echo "not ok - $1 (no $2: make regress-update)"; status=1
	elif diff -u "$2" "$3" >"$scratch/diff"; then
		echo "ok - $1"
	else
		echo "not ok - $1"; sed 's/^/#   /' "$scratch/diff"; status=1
	fi
}
