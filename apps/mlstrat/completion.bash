# Bash completion of mlstrat (installed as share/bash-completion/completions/mlstrat): commands,
# then each command's options as its --help lists them, then file names.
_mlstrat() {
    local cur=${COMP_WORDS[COMP_CWORD]} program=${COMP_WORDS[0]}
    if [ "$COMP_CWORD" -eq 1 ]; then
        local commands
        commands=$("$program" --help 2>/dev/null |
            awk '/^Subcommands:/ { listed = 1; next } listed && /^  [a-z]/ { print $1 }')
        mapfile -t COMPREPLY < <(compgen -W "$commands" -- "$cur")
        return
    fi
    if [[ $cur == -* ]]; then
        local words=("${COMP_WORDS[1]}")  # the command, and its own subcommand if one follows
        if [ "$COMP_CWORD" -gt 2 ] && [[ ${COMP_WORDS[2]} != -* ]]; then
            words+=("${COMP_WORDS[2]}")
        fi
        local options
        options=$("$program" "${words[@]}" --help 2>/dev/null |
            grep -o -- '--[a-z][a-z0-9-]*' | sort -u)
        mapfile -t COMPREPLY < <(compgen -W "$options" -- "$cur")
        return
    fi
    mapfile -t COMPREPLY < <(compgen -f -- "$cur")
}
complete -o default -F _mlstrat mlstrat
