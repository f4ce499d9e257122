# vault's PROFILE completer for zsh. `vault completions zsh` prints clap_complete's script (the
# _vault function; compinit autoloads the file as _vault), then the lines it derives from
# cli.rs:
#   __vault_profile_opts  subcommand whose first argument is PROFILE -> its options that take
#                         a value ('exec' '--region -d …')
#   __vault_opts          the options that take a value before the subcommand
# and then this file. vault marks PROFILE ValueHint::Other, so clap_complete's _vault completes
# nothing there; __vault_complete runs _vault and then adds the profile names where one goes.
# Profile names come from the AWS config file (AWS_CONFIG_FILE, else ~/.aws/config):
# `vault list --profiles` reads it at each completion, so new profiles show up at once.

# Adds the profile names if the word being completed is a PROFILE argument.
__vault_complete_profiles() {
    local sub='' skip='' w i expl
    local -a opts profiles
    opts=($__vault_opts)
    [[ $PREFIX == -* ]] && return 1
    for ((i = 2; i < CURRENT; i++)); do
        w=$words[i]
        if [[ -n $skip ]]; then
            skip=''
        elif [[ $w == -- ]]; then
            return 1
        elif [[ $w == -* ]]; then
            (( $opts[(Ie)$w] )) && skip=1
        elif [[ -z $sub ]]; then
            sub=$w
            (( ${+__vault_profile_opts[$sub]} )) || return 1
            opts=(${=__vault_profile_opts[$sub]})
        else
            return 1 # the profile is already there
        fi
    done
    [[ -n $sub && -z $skip ]] || return 1
    profiles=(${(f)"$(_call_program profiles vault list --profiles 2>/dev/null)"})
    _wanted profiles expl profile compadd -a profiles
}

__vault_complete() {
    local ret=1
    _vault "$@" && ret=0
    __vault_complete_profiles && ret=0
    return ret
}

compdef __vault_complete vault
# Autoloaded by this very TAB (the file runs as _vault): clap_complete's part above has just
# completed, so add the profile names for this TAB too.
if [[ $funcstack[1] == _vault ]]; then
    __vault_complete_profiles || (( compstate[nmatches] ))
fi
