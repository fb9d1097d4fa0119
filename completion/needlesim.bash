# bash completion for needlesim. The commands, each command's options and the
# config keys are read from the installed program itself (`needlesim --help`,
# `needlesim keys`), so the completion follows the version you run.
# Installed to share/bash-completion/completions/needlesim.

_needlesim_help() { "${COMP_WORDS[0]}" --help 2>/dev/null; }

_needlesim()
{
    local cur=${COMP_WORDS[COMP_CWORD]} prev=${COMP_WORDS[COMP_CWORD-1]}
    local cmd=${COMP_WORDS[1]:-}
    COMPREPLY=()
    if [ "$COMP_CWORD" -eq 1 ]; then
        local cmds
        cmds=$(_needlesim_help | awk '$1 == "needlesim" && $2 !~ /^-/ {print $2}' | sort -u)
        COMPREPLY=($(compgen -W "$cmds --help --version" -- "$cur"))
        return 0
    fi
    case $prev in
        -o|--output)
            compopt -o filenames 2>/dev/null
            COMPREPLY=($(compgen -f -X '!*.h5' -- "$cur") $(compgen -d -- "$cur"))
            return 0 ;;
        --set)
            # KEY=VALUE: keys from `needlesim keys`; a <layer> key for each layer
            # (the layer names of models/skin.c), values of an enumerated key
            # from its "allowed" list.
            if [[ $cur == *=* ]]; then
                local key=${cur%%=*} vals
                vals=$("${COMP_WORDS[0]}" keys 2>/dev/null | awk -v k="$key" '
                    $1 == k {getline; if (match($0, /allowed [a-z_0-9]+(, [a-z_0-9]+)+/)) {
                        s = substr($0, RSTART + 8, RLENGTH - 8); gsub(/,/, "", s); print s}}')
                COMPREPLY=($(compgen -P "$key=" -W "$vals" -- "${cur#*=}"))
            else
                local keys
                keys=$("${COMP_WORDS[0]}" keys 2>/dev/null | awk '/^  [a-z]/ {print $1}')
                keys=${keys//<layer>/stratum_corneum}$'\n'${keys//<layer>/viable_epidermis}$'\n'${keys//<layer>/dermis}$'\n'${keys//<layer>/hypodermis}
                compopt -o nospace 2>/dev/null
                COMPREPLY=($(compgen -S = -W "$(printf '%s\n' "$keys" | sort -u)" -- "$cur"))
            fi
            return 0 ;;
    esac
    if [ "$cmd" = presets ]; then
        COMPREPLY=($(compgen -W "skin needle drug procedure" -- "$cur"))
        return 0
    fi
    if [[ $cur == -* ]]; then
        # the options shown in the usage line of this command, and --help
        local opts
        opts=$(_needlesim_help | awk -v c="$cmd" '
            $1 == "needlesim" {on = ($2 == c)} on {print} /^$/ {on = 0}' | grep -o -- '--[a-z-]*\|-[a-z]\b' | sort -u)
        COMPREPLY=($(compgen -W "$opts --help" -- "$cur"))
        return 0
    fi
    case $cmd in
        run|check)
            compopt -o filenames 2>/dev/null
            COMPREPLY=($(compgen -f -X '!*.ini' -- "$cur") $(compgen -d -- "$cur")) ;;
    esac
    return 0
}
complete -F _needlesim needlesim
