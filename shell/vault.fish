# vault shell integration for fish (3.1+; 3.5+ for the fast path, which needs `path`). Load it
# from ~/.config/fish/config.fish with:
#   vault hook fish | source
# Loading it twice is harmless: functions are redefined with their event handlers.
#
# The glue knows no rule of vault's: `vault hook-env` decides, and hands back a watch record
# (__vault_w_pwd, __vault_w_next, and __vault_w: pairs of a path and how this shell observes
# it, see __vault_observe). While the record holds, nothing can have changed and no process is
# started; otherwise the binary is asked again.

set -g __vault_bin '@VAULT@'

# How fish observes a watched path (the binary computes the same, src/activate/watch/fish.rs):
# `-` missing, `l` symlink, `d` folder, `o` other, or for a regular file `f`, then 0 if a byte
# follows what was read and its NUL (1 if not), then the bytes up to the first NUL within 4096.
# `read` takes one byte per read(2) and counts characters, so it runs in the C locale, where a
# character is a byte: at most 4096 + 1 bytes are read. Sets __vault_o.
function __vault_observe --argument-names file
    if test -L "$file"
        set -g __vault_o l
    else if not test -e "$file"
        set -g __vault_o -
    else if test -f "$file"
        set -l text ''
        set -l ended 1
        # (A file we may not read is seen as empty.) The file is opened before the locale
        # changes, so its name is encoded as usual; locale variables count only when exported.
        test -r "$file"; and begin
            set -l fish_allow_singlebyte_locale 1
            set -lx LC_ALL C
            read -z -n 4096 text
            read -z -n 1 -l more; and set ended 0
        end <$file
        set -g __vault_o "f$ended$text"
    else if test -d "$file"
        set -g __vault_o d
    else
        set -g __vault_o o
    end
end

# The time now, in Unix seconds: fish has no clock builtin, but `path mtime` (fish 3.5+) gives
# a file's modification time and its age. Sets __vault_now; false without `path`.
function __vault_clock
    builtin -q path; or return 1
    set -l mtime_age (path mtime /; path mtime --relative /)
    set -g __vault_now (math $mtime_age[1] + $mtime_age[2])
end

# True while the watch record holds: the same $PWD, still naming the working directory (a
# renamed folder with a symlink in its place does not), the clock before the next check, and
# every watched path observed as recorded.
function __vault_unchanged
    string match -qr '^[0-9]+$' -- "$__vault_w_next"; or return 1
    test "$__vault_w_pwd" = "$PWD"; and test "$PWD" -ef .; or return 1
    __vault_clock; and test "$__vault_now" -lt "$__vault_w_next"; or return 1
    set -l rest $__vault_w
    while set -q rest[2]
        __vault_observe $rest[1]
        test "$__vault_o" = "$rest[2]"; or return 1
        set -e rest[1..2]
    end
end

# Run vault and apply the statements it prints (a command substitution gives them as lines).
# Statements count only from a vault that finished: never half an output.
function __vault_run
    set -l out (__VAULT_SHELL=fish $__vault_bin $argv)
    set -l code $status
    test $code -eq 0; or return $code
    test -n "$out"; and printf '%s\n' $out | source
    return 0
end

# At each prompt, and as soon as the folder changes (so `cd x; and cmd` sees the new profile).
# fish keeps $status across event handlers.
function __vault_hook --on-event fish_prompt --on-variable PWD
    __vault_unchanged; or __vault_run hook-env fish
end

# `vault use/unuse/reload` change this shell: the binary prints statements, we apply them.
function vault --description 'vault, applying use/unuse/reload to this shell'
    switch "$argv[1]"
        case use unuse reload
            __vault_run $argv
        case allow deny
            $__vault_bin $argv; or return
            set -g __vault_w_next 0
        case doctor
            # What only this shell knows, for this one process; with the embedded binary
            # gone, the vault on PATH says so.
            set -l bin $__vault_bin
            test -x "$bin"; or set bin (command -s vault)
            __VAULT_DOCTOR_SHELL=fish __VAULT_DOCTOR_BIN=$__vault_bin \
                __VAULT_DOCTOR_WATCH="$__vault_w_next" $bin $argv
        case '*'
            $__vault_bin $argv
    end
end

# Prompt segment, e.g. in fish_right_prompt: `will 42m`, from the profile and expiry hook-env
# recorded, with builtins only (a function in a command substitution starts no process).
# `__vault_prompt --format '{profile}@{region}'` asks `vault prompt`.
function __vault_prompt
    test -n "$AWS_VAULT"; or return 0
    if set -q argv[1]
        $__vault_bin prompt $argv
        return
    end
    test -n "$__vault_p_profile"; or return 0
    if not string match -qr '^[0-9]+$' -- "$__vault_p_expires"
        printf '%s\n' $__vault_p_profile
        return 0
    end
    # fish before 3.5 has no clock: vault computes the segment.
    __vault_clock; or begin
        $__vault_bin prompt
        return
    end
    set -l left (math $__vault_p_expires - $__vault_now)
    if test $left -le 0
        printf '%s expired\n' $__vault_p_profile
    else if test $left -ge 3600
        printf '%s %dh%02dm\n' $__vault_p_profile (math "floor($left / 3600)") (math "floor($left % 3600 / 60)")
    else if test $left -ge 60
        printf '%s %dm\n' $__vault_p_profile (math "floor($left / 60)")
    else
        printf '%s %ds\n' $__vault_p_profile $left
    end
end
