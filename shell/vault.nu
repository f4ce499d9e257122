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
# The binary prints JSON: {"set": {NAME: value}, "unset": [NAME...], "watch": {...}}; the
# watch values, kept in $env.__vault_w_*, let each prompt decide that nothing changed without
# starting a process.

const __vault_bin = '@VAULT@'

# The nearest .awsvault from $PWD upward, exactly as vault finds it (folders of that name, like
# aws-vault's ~/.awsvault/, are skipped; a symlink counts). '' when there is none.
def __vault_nearest [] {
    mut dir = $env.PWD
    loop {
        let file = ($dir | path join .awsvault)
        let kind = ($file | path type | default "")
        if $kind != "" and $kind != "dir" {
            return $file
        }
        let up = ($dir | path dirname)
        if $up == $dir or $up == "" {
            return ""
        }
        $dir = $up
    }
}

# How the trust records judge the watched file now: a(llowed) c(hanged) u(nknown) d(enied).
def __vault_judge []: nothing -> string {
    let allow = ($env.__vault_w_allow? | default "")
    if $allow == "" {
        return ""
    }
    if ($env.__vault_w_deny? | default "" | path exists) {
        return "d"
    }
    if not ($allow | path exists) {
        return "u"
    }
    let record = (try { open --raw $allow | decode utf-8 | str trim } catch { "" })
    if $record == ($env.__vault_w_hash? | default "") { "a" } else { "c" }
}

# True when nothing vault decides on can have changed since it last ran: same nearest file,
# same bytes, same trust, and no renewal due. Only builtins run: no process is started.
def __vault_unchanged []: nothing -> bool {
    let next = (try { $env.__vault_w_next | into int } catch { 0 })
    if ((date now | into int) // 1_000_000_000) >= $next {
        return false
    }
    let found = (__vault_nearest)
    if $found != ($env.__vault_w_file? | default "") {
        return false
    }
    if $found == "" {
        return true
    }
    # vault reads regular files only (no symlink, no fifo that would block us).
    let body = if ($found | path type) == "file" {
        try { open --raw $found | decode utf-8 } catch { "" }
    } else {
        ""
    }
    if $body != ($env.__vault_w_body? | default "") {
        return false
    }
    (__vault_judge) == ($env.__vault_w_seen? | default "")
}

# Apply what the binary printed: unset, set, then remember what to watch.
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
    load-env ($change.watch? | default {})
    $env.__vault_w_seen = (__vault_judge)
}

# Run at each prompt and when the folder changes. The exit code of the user's last command is
# kept for the prompt.
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
            $env.__vault_w_next = "0"
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

# Prompt segment, e.g. $env.PROMPT_COMMAND_RIGHT = {|| __vault_prompt }. Starts a process only
# while a profile is active.
export def --wrapped __vault_prompt [...args]: nothing -> string {
    if ($env.AWS_VAULT? | default "") == "" {
        return ""
    }
    ^$__vault_bin prompt ...$args | str trim
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
