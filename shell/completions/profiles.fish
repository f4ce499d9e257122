# vault's PROFILE completer for fish. `vault completions fish` prints clap_complete's script,
# then the variables it derives from cli.rs:
#   __vault_profile_commands  the subcommands whose first argument is PROFILE
#   __vault_opts_<subcommand>  that subcommand's options that take a value
#   __vault_opts               the same, before the subcommand
# and then this file, which adds one more `complete` line: profile names, no file names, where a
# PROFILE goes.
# Profile names come from the AWS config file (AWS_CONFIG_FILE, else ~/.aws/config):
# `vault list --profiles` reads it at each completion, so new profiles show up at once.

function __vault_wants_profile
    set -l words (commandline -opc)
    set -e words[1]
    set -l sub
    set -l opts $__vault_opts
    set -l skip 0
    for w in $words
        if test $skip = 1
            set skip 0
        else if test "$w" = --
            return 1
        else if string match -q -- '-*' $w
            contains -- $w $opts; and set skip 1
        else if test -z "$sub"
            set sub $w
            contains -- $sub $__vault_profile_commands; or return 1
            set -l var __vault_opts_(string replace -a -- - _ $sub)
            set opts $$var
        else
            return 1 # the profile is already there
        end
    end
    test -n "$sub"; and test $skip = 0
end

complete -c vault -n __vault_wants_profile -f -a '(vault list --profiles 2>/dev/null)' -d Profile
