# vault shell integration for fish (3.1+). Load it from ~/.config/fish/config.fish with:
#   vault hook fish | source
# Loading it twice is harmless: functions are redefined with their event handlers.

set -g __vault_bin '@VAULT@'

# The nearest .awsvault from $PWD upward, exactly as vault finds it (folders of that name, like
# aws-vault's ~/.awsvault/, are skipped; a symlink counts). Prints nothing when there is none.
function __vault_nearest
    set -l dir (string replace -r '/+$' '' -- $PWD)
    while true
        set -l file "$dir/.awsvault"
        if test -L $file; or begin
                test -e $file; and not test -d $file
            end
            echo $file
            return 0
        end
        test -n "$dir"; or return 0
        set dir (string replace -r '/[^/]*$' '' -- $dir)
    end
end

# How the trust records judge the watched file now: a(llowed) c(hanged) u(nknown) d(enied).
function __vault_judge
    test -n "$__vault_w_allow"; or return 0
    if test -e "$__vault_w_deny"
        echo d
    else if test -e "$__vault_w_allow"
        set -l rec
        read rec 2>/dev/null <$__vault_w_allow
        if test "$rec" = "$__vault_w_hash"
            echo a
        else
            echo c
        end
    else
        echo u
    end
end

# True when nothing vault decides on can have changed since it last ran: same nearest file,
# same bytes, same trust, and no renewal due. Only builtins run, so no process is started. The
# clock comes from `path mtime` (fish 3.5+): a file's mtime plus its age is the time now.
function __vault_unchanged
    set -q __vault_w_next; or return 1
    builtin -q path; or return 1
    set -l mtime (path mtime /)
    set -l age (path mtime --relative /)
    test -n "$mtime" -a -n "$age"; or return 1
    test (math $mtime + $age) -lt "$__vault_w_next"; or return 1
    set -l found (__vault_nearest)
    test "$found" = "$__vault_w_file"; or return 1
    test -n "$found"; or return 0
    # vault reads regular files only (no symlink, no fifo that would block us).
    set -l body
    if test -f $found; and not test -L $found
        read -z body 2>/dev/null <$found
    end
    test "$body" = "$__vault_w_body"; or return 1
    set -l judgement (__vault_judge)
    test "$judgement" = "$__vault_w_seen"
end

# Apply statements from vault (a list of lines, as a command substitution gives them).
function __vault_apply
    test -n "$argv"; or return 0
    printf '%s\n' $argv | source
    set -g __vault_w_seen (__vault_judge)
end

# At each prompt, and as soon as the folder changes (so `cd x; and cmd` sees the new profile).
# fish keeps $status across event handlers.
function __vault_hook --on-event fish_prompt --on-variable PWD
    __vault_unchanged; and return
    __vault_apply ($__vault_bin hook-env fish)
end

# `vault use/unuse/reload` change this shell: the binary prints statements, we apply them.
function vault --description 'vault, applying use/unuse/reload to this shell'
    switch "$argv[1]"
        case use unuse reload
            set -l out (__VAULT_SHELL=fish $__vault_bin $argv)
            set -l code $status
            test $code -eq 0; or return $code
            __vault_apply $out
        case allow deny
            $__vault_bin $argv; or return
            set -g __vault_w_next 0
        case '*'
            $__vault_bin $argv
    end
end

# Prompt segment, e.g. in fish_right_prompt. Starts a process only while a profile is active.
function __vault_prompt
    test -n "$AWS_VAULT"; or return 0
    $__vault_bin prompt $argv
end
