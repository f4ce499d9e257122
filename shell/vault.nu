# vault shell integration for nushell (0.98+). nushell cannot eval text, so save the glue once
# and load it from your config:
#   vault hook nu | save -f ($nu.default-config-dir | path join vault.nu)
#   # then add to config.nu (`config nu` opens it):
#   source ($nu.default-config-dir | path join vault.nu)
# (at the end of config.nu, so nothing after it replaces $env.config.hooks), or save it into the
# vendor autoload folder instead, which nushell loads by itself after config.nu:
#   mkdir ($nu.data-dir | path join vendor autoload)
#   vault hook nu | save -f ($nu.data-dir | path join vendor autoload vault.nu)
# Run the `vault hook nu | save ...` line again after upgrading vault. Loading the glue twice
# is harmless: the hooks are found by their `__vault_hook` mark and replaced, never added twice.
#
# The glue knows no rule of vault's: `vault hook-env nu` decides, and prints JSON:
#   {"set": {NAME: value}, "unset": [NAME...], "watch": {pwd, dir, next, paths, profile, expires}}
# The watch record, kept in $env.__vault_w (a record, so it is never passed to programs), says
# what the decision depends on: while it holds, nothing can have changed and no process is
# started; otherwise the binary is asked again.

const __vault_bin = '@VAULT@'

# How nushell observes a watched path (the binary computes the same, src/activate/watch/nu.rs):
# `-` missing (or not examinable), `l` symlink, `d` folder, `o` other, or for a regular file
# `f<size>:<modified in ns>`. `path type` and `ls -D` only lstat() the path: the file is never
# opened, so a huge file costs what a small one does, and a fifo cannot block the prompt. A
# path held in a variable is taken literally, never as a glob. (`ls` only for regular files:
# it costs ten times what `path type` does.)
def __vault_observe [path: string]: nothing -> string {
    let kind = (try { $path | path type } catch { null })
    if $kind == "file" {
        let found = (try { ls -D $path } catch { [] })
        if ($found | is-empty) {
            return "-"
        }
        let entry = ($found | first)
        if $entry.type == "file" {
            return $"f($entry.size | into int):($entry.modified | into int)"
        }
        return (__vault_kind $entry.type)
    }
    __vault_kind $kind
}

def __vault_kind [kind]: nothing -> string {
    match $kind {
        null | "" => "-"
        "dir" => "d"
        "symlink" => "l"
        _ => "o"
    }
}

# True while the watch record holds: the same $PWD, still naming the folder the decision was
# made in, the clock before the next check, and every watched path observed as recorded.
#
# Why `path expand` and not bash's `$PWD -ef .`: nushell keeps no working directory of its
# own that could go stale. Every external command is started in the folder $env.PWD names at
# that moment, and builtins resolve relative paths against it. So the bash attack (the folder
# renamed and a symlink to another project put in its place: $PWD names the other project
# while commands still run in the renamed folder) cannot split the two here; what happens
# instead is that the very same $PWD string now names another folder, and every command from
# then on runs there. The binary decides for the folder it is started in, and records it with
# symlinks resolved (`dir`); the glue checks that $PWD still resolves to it. The watched paths
# alone would not do: their observations (size, time) can be copied onto the other folder's
# files.
def __vault_unchanged []: nothing -> bool {
    try {
        let w = $env.__vault_w
        let now = ((date now | into int) // 1_000_000_000)
        if $now >= $w.next or $w.pwd != $env.PWD or $w.dir != ($env.PWD | path expand) {
            return false
        }
        # A loop, not `all {|pair| ...}`: a closure per path costs ten times as much.
        for pair in $w.paths {
            if (__vault_observe ($pair | get 0)) != ($pair | get 1) {
                return false
            }
        }
        true
    } catch {
        false
    }
}

# Apply what the binary printed: unset, set, then keep the watch record.
def --env __vault_apply [out: string] {
    if ($out | str trim) == "" {
        return
    }
    let change = ($out | from json)
    for name in ($change.unset? | default []) {
        hide-env -i $name
        # Up to nushell 0.109 at least, hiding a variable that was set again in the same script
        # or command line uncovers the value inherited from the parent process. A null value
        # is never passed to programs, so it stands in for "unset" there.
        if $name in $env {
            load-env {$name: null}
        }
    }
    load-env ($change.set? | default {})
    if "watch" in $change {
        $env.__vault_w = $change.watch
    }
}

# Run at each prompt and when the folder changes (so `cd x; cmd` sees the new profile). The
# exit code of the user's last command is kept for the prompt.
def --env __vault_hook [] {
    if (__vault_unchanged) {
        return
    }
    let code = ($env.LAST_EXIT_CODE? | default 0)
    let out = (try { ^$__vault_bin hook-env nu } catch {|err| print -e $"vault: ($err.msg)"; "" })
    __vault_apply $out
    $env.LAST_EXIT_CODE = $code
}

# `vault use/unuse/reload` change this shell: the binary prints JSON, we load it.
def --env __vault_switch [args: list<string>] {
    let out = (with-env {__VAULT_SHELL: nu} { ^$__vault_bin ...$args })
    __vault_apply $out
}

export def --env --wrapped vault [...args] {
    match ($args | get 0? | default "") {
        "use" | "unuse" | "reload" => { __vault_switch $args }
        "allow" | "deny" => {
            ^$__vault_bin ...$args
            # The trust records changed: the next prompt asks the binary.
            $env.__vault_w = {}
        }
        "doctor" => {
            # What only this shell knows, for this one process ($env.__vault_w is a record,
            # never passed to programs); with the embedded binary gone, the vault on PATH.
            let bin = if ($__vault_bin | path exists) { $__vault_bin } else { "vault" }
            let next = ($env.__vault_w?.next? | default "" | into string)
            with-env {__VAULT_DOCTOR_SHELL: nu, __VAULT_DOCTOR_BIN: $__vault_bin, __VAULT_DOCTOR_WATCH: $next} {
                ^$bin ...$args
            }
        }
        _ => { ^$__vault_bin ...$args }
    }
}

# Profile names for `vault use NAME`, read from the config at each TAB.
def __vault_profiles [] {
    let listed = (^$__vault_bin list --profiles | complete)
    if $listed.exit_code == 0 { $listed.stdout | lines } else { [] }
}

# `vault use` is a command of its own so that NAME completes; an extern for it, as the
# completion scripts define for other subcommands, would bypass the glue.
export def --env --wrapped "vault use" [...args: string@__vault_profiles] {
    __vault_switch ["use" ...$args]
}

# Prompt segment, e.g. $env.PROMPT_COMMAND_RIGHT = {|| __vault_prompt }: `will 42m`, from the
# profile and expiry hook-env recorded, with builtins only. `__vault_prompt --format
# '{profile}@{region}'` asks `vault prompt` instead.
export def --wrapped __vault_prompt [...args]: nothing -> string {
    if ($env.AWS_VAULT? | default "") == "" {
        return ""
    }
    if ($args | is-not-empty) {
        return (^$__vault_bin prompt ...$args | str trim)
    }
    let w = ($env.__vault_w? | default {})
    let profile = (try { $w.profile | into string } catch { "" })
    let expires = (try { $w.expires | into string } catch { "" })
    if $profile == "" or $expires !~ '^[0-9]+$' {
        return $profile
    }
    let left = ($expires | into int) - ((date now | into int) // 1_000_000_000)
    let shown = if $left <= 0 {
        "expired"
    } else if $left >= 3600 {
        let minutes = ($left mod 3600 // 60 | into string | fill -a right -c "0" -w 2)
        $"($left // 3600)h($minutes)m"
    } else if $left >= 60 {
        $"($left // 60)m"
    } else {
        $"($left)s"
    }
    $"($profile) ($shown)"
}

# Register the hooks: on every prompt, and on every change of folder. Missing levels of
# $env.config are created; our own hooks (marked `__vault_hook`) are replaced, not duplicated.
export-env {
    let ours = {|hook| ($hook | describe | str starts-with "record") and ("__vault_hook" in ($hook | columns)) }
    let as_list = {|value| if $value == null { [] } else if ($value | describe) =~ '^(list|table)' { $value } else { [$value] } }
    $env.config = ($env.config? | default {})
    $env.config.hooks = ($env.config.hooks? | default {})
    $env.config.hooks.env_change = ($env.config.hooks.env_change? | default {})
    $env.config.hooks.pre_prompt = (
        do $as_list $env.config.hooks.pre_prompt?
        | where {|hook| not (do $ours $hook) }
        | append {__vault_hook: true, code: {|| __vault_hook }}
    )
    $env.config.hooks.env_change.PWD = (
        do $as_list $env.config.hooks.env_change.PWD?
        | where {|hook| not (do $ours $hook) }
        | append {__vault_hook: true, code: {|before, after| __vault_hook }}
    )
}
