# shellcheck shell=bash disable=SC2154 # __vault_profile_commands and __vault_opts: see below
# vault's PROFILE completer for bash. `vault completions bash` prints clap_complete's script
# (which defines _vault and registers it for vault), then the lines it derives from cli.rs:
#   __vault_profile_commands  ' add exec rm … ': the subcommands whose first argument is PROFILE
#   __vault_opts_<subcommand>  ' --region -d … ': that subcommand's options that take a value
#   __vault_opts               the same, before the subcommand
# and then this file. Registered in place of _vault, it offers profile names at a PROFILE
# position and hands every other position to clap_complete's _vault.
# Profile names come from the AWS config file (AWS_CONFIG_FILE, else ~/.aws/config):
# `vault list --profiles` reads it at each completion, so new profiles show up at once.

__vault_complete() {
    local cur=${COMP_WORDS[COMP_CWORD]} sub='' opts=$__vault_opts want='' skip='' i w var name
    for ((i = 1; i < COMP_CWORD; i++)); do
        w=${COMP_WORDS[i]}
        if [[ $w == = ]]; then
            skip=1 # --opt=value: bash splits at '='
        elif [[ -n $skip ]]; then
            skip=''
        elif [[ $w == -- ]]; then
            want=''
            break
        elif [[ $w == -* ]]; then
            [[ $opts == *" $w "* ]] && skip=1
        elif [[ -z $sub ]]; then
            sub=$w
            [[ $__vault_profile_commands == *" $sub "* ]] || break
            var=__vault_opts_${sub//-/_}
            opts=${!var} want=1
        else
            want='' # the profile is already there
            break
        fi
    done
    if [[ -z $want || -n $skip || $cur == -* ]]; then
        _vault "$@"
        return
    fi
    COMPREPLY=()
    while IFS= read -r name; do
        [[ $name == "$cur"* ]] && COMPREPLY+=("$name")
    done < <(vault list --profiles 2>/dev/null)
    # No file names when no profile matches.
    compopt +o default +o bashdefault 2>/dev/null
    return 0
}

# The options clap_complete registers _vault with (-o nosort needs bash 4.4).
complete -F __vault_complete -o nosort -o bashdefault -o default vault 2>/dev/null ||
    complete -F __vault_complete -o bashdefault -o default vault
