# bash completion for pdgen: commands, each command's options and --level's values, all
# asked of pdgen itself (pdgen help --complete), so they follow its command table.
_pdgen() {
	local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]} words
	if [ "$COMP_CWORD" -eq 1 ]; then
		words=$(pdgen help --complete 2>/dev/null)
	elif [ "$prev" = --level ]; then
		words=$(pdgen help --complete --level 2>/dev/null)
	elif [ "$prev" = --templates ] || [ "$prev" = -o ]; then
		COMPREPLY=($(compgen -d -- "$cur"))
		return
	elif [ "${COMP_WORDS[1]}" = help ]; then
		words=$(pdgen help --complete 2>/dev/null)
	elif [[ $cur == -* ]]; then
		words=$(pdgen help --complete "${COMP_WORDS[1]}" 2>/dev/null)
	else
		COMPREPLY=($(compgen -f -- "$cur"))
		return
	fi
	COMPREPLY=($(compgen -W "$words" -- "$cur"))
	[[ ${COMPREPLY[0]} == *= ]] && compopt -o nospace 2>/dev/null
}
complete -o filenames -F _pdgen pdgen
