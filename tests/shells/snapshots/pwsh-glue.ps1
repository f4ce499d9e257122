# vault shell integration for PowerShell 7.2+. Load it from $PROFILE with:
#   Invoke-Expression (& vault hook pwsh | Out-String)
# Loading it twice is harmless: functions are redefined, the location hook and the prompt
# wrapper are installed once.
#
# When the hook runs, and why there:
# - On every change of location: a delegate chained onto
#   $ExecutionContext.SessionState.InvokeCommand.LocationChangedAction (PowerShell's chpwd).
#   It does not depend on `prompt`, which starship and oh-my-posh redefine, so `cd x; cmd`
#   sees the new credentials even when the prompt belongs to someone else.
# - At each prompt, for what changes while you stay in a folder (renewal before expiry, an
#   edited .awsvault, `vault allow` in another shell): a thin wrapper around whatever `prompt`
#   is. A later `function prompt` (starship, oh-my-posh) replaces it, so once the profile has
#   finished loading (PowerShell's first idle moment) the glue checks that its wrapper ran for
#   the first prompt and wraps the current `prompt` if it did not.
#   Why not do the check itself from PowerShell.OnIdle (Register-EngineEvent)? PSReadLine
#   raises that event while it waits for keys, with its key-reading thread blocked on the
#   console: a renewal that asks for an MFA code there would race PSReadLine for keystrokes,
#   and messages would land in the middle of the line being edited. The prompt is the one
#   moment when nobody else reads the terminal, so the idle event only repairs the wrapper.
# - Once when loaded, so a shell started inside a project is set up before its first prompt.
# Each time, a check that starts no process (__vault_unchanged: the location, the clock, and
# the paths vault listed, looked at again) decides whether anything vault decides on can have
# changed; only then does `vault hook-env pwsh` run, and its statements (the environment, then
# the watch record: $global:__vault_w_pwd, __vault_w_next, __vault_w as pairs of a path and
# its observation, and __vault_p_profile / __vault_p_expires for the prompt segment) are
# applied with Invoke-Expression. No rule of vault's (the nearest-file walk, size cap, UTF-8,
# links, trust) is in this file.

$global:__vault_bin = '<VAULT>'

# The folder native programs start in: the current FileSystem location, even while the
# location is on another drive such as Env: or HKLM:.
function global:__vault_cwd {
    $ExecutionContext.SessionState.Path.CurrentFileSystemLocation.ProviderPath
}

# How PowerShell observes a watched path; the binary computes the same string for it
# (src/activate/watch/pwsh.rs). '-' missing, 'l' a link (or a junction), 'd' a folder, 'o' a
# fifo, socket or device (Unix: PowerShell's UnixMode), '?' when it cannot tell (never
# matches), and for a regular file what __vault_read computes. No rule of vault's is here: the
# binary lists the paths, this only looks at them.
function global:__vault_observe {
    param([string]$Path)
    try {
        $info = [System.IO.FileInfo]::new($Path)
        if ($null -ne $info.LinkTarget) {
            return 'l'
        }
        if ([System.IO.Directory]::Exists($Path)) {
            return 'd'
        }
        if (-not $info.Exists) {
            return '-'
        }
        if (-not $IsWindows) {
            # Opening a fifo would block the prompt: only a regular file is read. PowerShell
            # reads a backslash as a separator even here, so such a name could show another
            # file's mode: it is not looked at.
            if ($Path.Contains('\')) {
                return '?'
            }
            $item = Get-Item -LiteralPath $Path -Force -ErrorAction Stop
            $mode = [string]$item.UnixMode
            if ($mode.Length -eq 0) {
                return '?'
            }
            if (-not $mode.StartsWith('-', [System.StringComparison]::Ordinal)) {
                return 'o'
            }
        }
    } catch {
        return '?'
    }
    return (__vault_read $Path)
}

# A regular file: 'f', the number of bytes one bounded read got (at most 4096: the FileStream
# is unbuffered, so no more is ever read, whatever the file's size), ':', and the SHA-256 of
# those bytes in lowercase hex. 'f-' when it cannot be opened or read. Windows: other programs
# may write, rename or delete the file meanwhile, as with vault's own reads.
function global:__vault_read {
    param([string]$Path)
    $stream = $null
    $sha = $null
    try {
        $share = [System.IO.FileShare]::ReadWrite -bor [System.IO.FileShare]::Delete
        $stream = [System.IO.FileStream]::new($Path, [System.IO.FileMode]::Open, [System.IO.FileAccess]::Read, $share, 1)
        $buffer = [byte[]]::new(4096)
        $count = 0
        while ($count -lt $buffer.Length) {
            $got = $stream.Read($buffer, $count, $buffer.Length - $count)
            if ($got -le 0) {
                break
            }
            $count += $got
        }
        $sha = [System.Security.Cryptography.SHA256]::Create()
        $digest = [System.Convert]::ToHexString($sha.ComputeHash($buffer, 0, $count)).ToLowerInvariant()
        return ('f' + $count.ToString([System.Globalization.CultureInfo]::InvariantCulture) + ':' + $digest)
    } catch {
        return 'f-'
    } finally {
        if ($null -ne $sha) {
            $sha.Dispose()
        }
        if ($null -ne $stream) {
            $stream.Dispose()
        }
    }
}

# Digits only, as a number; $null otherwise.
function global:__vault_digits {
    param([string]$Text)
    $value = [long]0
    $style = [System.Globalization.NumberStyles]::None
    if ([long]::TryParse($Text, $style, [System.Globalization.CultureInfo]::InvariantCulture, [ref]$value)) {
        return $value
    }
    return $null
}

# True while the watch record from the last `vault hook-env pwsh` holds: the same location,
# the clock before the next check, and every watched path observed as recorded. No process is
# started. Strings are compared ordinally, character by character: PowerShell's -eq and even
# -ceq compare linguistically, and so find a folder named with a soft hyphen or a zero-width
# character equal to the one without it.
#
# The location is compared as a string, and that is the whole check: PowerShell's location is
# a string that every command resolves again when it starts (native programs are started in
# it, cmdlets resolve relative paths against it), and vault is started the same way
# (__vault_capture: WorkingDirectory and $env:PWD are that string), so vault decides for the
# folder the next command runs in. bash must also check `$PWD -ef .`, because there a renamed
# folder with a symlink in its place makes $PWD name another folder than the one commands run
# in; in PowerShell both follow the symlink. vault sends '' as the location when it did not
# decide for $env:PWD (src/activate/session.rs `inspect`), which never matches.
function global:__vault_unchanged {
    $next = __vault_digits ([string]$global:__vault_w_next)
    if ($null -eq $next -or [DateTimeOffset]::UtcNow.ToUnixTimeSeconds() -ge $next) {
        return $false
    }
    $ordinal = [System.StringComparison]::Ordinal
    $decided = [string]$global:__vault_w_pwd
    if ($decided.Length -eq 0 -or -not [string]::Equals($decided, [string](__vault_cwd), $ordinal)) {
        return $false
    }
    $watch = @($global:__vault_w)
    for ($i = 0; $i + 1 -lt $watch.Count; $i += 2) {
        $seen = [string](__vault_observe ([string]$watch[$i]))
        # `?` is what neither side can observe (a backslash in a Unix path): it never matches.
        if ([string]::Equals($seen, '?', $ordinal) -or -not [string]::Equals($seen, [string]$watch[$i + 1], $ordinal)) {
            return $false
        }
    }
    return $true
}

# The prompt segment, `will 42m`, from the profile and expiry hook-env recorded, without a
# process: '' while nothing is active.
function global:__vault_segment {
    $name = [string]$global:__vault_p_profile
    if (-not $env:AWS_VAULT -or $name.Length -eq 0) {
        return ''
    }
    $expires = __vault_digits ([string]$global:__vault_p_expires)
    if ($null -eq $expires) {
        return $name
    }
    $left = $expires - [DateTimeOffset]::UtcNow.ToUnixTimeSeconds()
    $invariant = [System.Globalization.CultureInfo]::InvariantCulture
    if ($left -le 0) {
        return "$name expired"
    }
    if ($left -ge 3600) {
        $hours = [long][Math]::Floor($left / 3600)
        $minutes = [long][Math]::Floor(($left % 3600) / 60)
        return ($name + ' ' + $hours.ToString($invariant) + 'h' + $minutes.ToString('00', $invariant) + 'm')
    }
    if ($left -ge 60) {
        return ($name + ' ' + ([long][Math]::Floor($left / 60)).ToString($invariant) + 'm')
    }
    return ($name + ' ' + $left.ToString($invariant) + 's')
}

# Run vault with its standard output captured exactly: read to the end as UTF-8, whatever the
# console's code page, and not split into lines (PowerShell's own capture of a native command
# splits on CR too). Standard error, standard input and the terminal stay vault's, for MFA
# prompts and messages. It starts in the current folder with $env:PWD set to it for this
# process only: PowerShell does not keep $env:PWD up to date, and vault reads it. The caller's
# $LASTEXITCODE is not touched. Returns @{ Code; Out }.
function global:__vault_capture {
    param([string[]]$Arguments, [string]$Shell)
    $info = [System.Diagnostics.ProcessStartInfo]::new([string]$global:__vault_bin)
    foreach ($argument in $Arguments) {
        $info.ArgumentList.Add($argument)
    }
    $info.UseShellExecute = $false
    $info.RedirectStandardOutput = $true
    $info.StandardOutputEncoding = [System.Text.UTF8Encoding]::new($false)
    $cwd = __vault_cwd
    $info.WorkingDirectory = $cwd
    $info.Environment['PWD'] = $cwd
    if ($Shell) {
        $info.Environment['__VAULT_SHELL'] = $Shell
    }
    $process = [System.Diagnostics.Process]::Start($info)
    try {
        $out = $process.StandardOutput.ReadToEnd()
        $process.WaitForExit()
        return @{ Code = $process.ExitCode; Out = $out }
    } finally {
        $process.Dispose()
    }
}

# Run vault attached to the console and the pipeline, as if called directly (exec, export,
# list...), with $env:PWD set to the current folder while it runs. Sets $LASTEXITCODE.
function global:__vault_native {
    param([object[]]$Arguments)
    $saved = $env:PWD
    $env:PWD = __vault_cwd
    try {
        & $global:__vault_bin @Arguments
    } finally {
        $env:PWD = $saved
    }
}

# PowerShell drops the first bare `--` from a function's arguments (it ends PowerShell's own
# parameter parsing), but `vault exec PROFILE -- CMD ARGS` needs it. Find it again in the
# syntax tree of the line that called `vault`, and put it back where it was. When the
# arguments cannot be matched one to one with what was typed (splatting, -name:value), they
# are passed unchanged: write '--' in quotes there.
function global:__vault_arguments {
    param($Invocation, [object[]]$Arguments)
    $list = [System.Collections.Generic.List[object]]::new()
    foreach ($argument in $Arguments) {
        $list.Add($argument)
    }
    try {
        $column = $Invocation.OffsetInLine
        $tree = [System.Management.Automation.Language.Parser]::ParseInput([string]$Invocation.Line, [ref]$null, [ref]$null)
        $command = $tree.Find({
                param($node)
                $node -is [System.Management.Automation.Language.CommandAst] -and
                ($node.Extent.StartColumnNumber -eq $column -or
                $node.CommandElements[0].Extent.StartColumnNumber -eq $column)
            }, $true)
        if ($null -ne $command) {
            $elements = @($command.CommandElements | Select-Object -Skip 1)
            $dash = -1
            $plain = $true
            for ($i = 0; $i -lt $elements.Count; $i++) {
                $element = $elements[$i]
                if ($element -is [System.Management.Automation.Language.VariableExpressionAst] -and $element.Splatted) {
                    $plain = $false
                }
                if ($element -is [System.Management.Automation.Language.CommandParameterAst] -and $null -ne $element.Argument) {
                    $plain = $false
                }
                if ($dash -lt 0 -and $element.Extent.Text -ceq '--') {
                    $dash = $i
                }
            }
            if ($plain -and $dash -ge 0 -and $elements.Count -eq $list.Count + 1) {
                $list.Insert($dash, '--')
            }
        }
    } catch {
        # Leave the arguments as PowerShell passed them.
    }
    return , $list.ToArray()
}

# Apply statements from vault with Ctrl-C held back, so the environment is never half-changed.
function global:__vault_apply {
    param([string]$Text)
    if ($Text.Trim().Length -eq 0) {
        return
    }
    $ctrlc = $null
    try {
        $ctrlc = [Console]::TreatControlCAsInput
        [Console]::TreatControlCAsInput = $true
    } catch {
        $ctrlc = $null
    }
    try {
        Invoke-Expression -Command $Text
    } finally {
        if ($null -ne $ctrlc) {
            try {
                [Console]::TreatControlCAsInput = $ctrlc
            } catch {
                # No console: nothing to restore.
            }
        }
    }
}

# The check and, when something may have changed, `vault hook-env pwsh`. It never throws: a
# cd or a prompt must not fail because of vault. Not re-entered.
function global:__vault_hook {
    Set-StrictMode -Off
    $ErrorActionPreference = 'Continue'
    if ($global:__vault_busy) {
        return
    }
    $global:__vault_busy = $true
    try {
        if (-not (__vault_unchanged)) {
            $result = __vault_capture @('hook-env', 'pwsh') ''
            # Statements count only from a vault that finished: never half an output.
            if ($result.Code -eq 0) {
                __vault_apply $result.Out
            }
        }
    } catch {
        $Host.UI.WriteErrorLine("vault: the shell hook failed: $($_.Exception.Message)")
    } finally {
        $global:__vault_busy = $false
    }
}

# Called by the LocationChangedAction delegate and the prompt wrapper. Nothing here starts a
# native command the PowerShell way, so $LASTEXITCODE is untouched; it is restored anyway
# (and left unset when it was).
function global:__vault_on_event {
    Set-StrictMode -Off
    $had = Test-Path -LiteralPath Variable:global:LASTEXITCODE
    $code = $global:LASTEXITCODE
    __vault_hook
    if ($had) {
        $global:LASTEXITCODE = $code
    }
}

# `vault use/unuse/reload` change this shell: the binary prints statements, we apply them.
# `allow/deny` change what the hook decides: look again at once. Everything else goes straight
# to the binary, attached to the console; $LASTEXITCODE is the binary's exit code.
function global:vault {
    Set-StrictMode -Off
    $command = ''
    if ($args.Count -gt 0) {
        $command = [string]$args[0]
    }
    $arguments = __vault_arguments $MyInvocation $args
    if ($command -ceq 'use' -or $command -ceq 'unuse' -or $command -ceq 'reload') {
        $result = __vault_capture $arguments 'pwsh'
        if ($result.Code -eq 0) {
            __vault_apply $result.Out
            # `unuse` leaves the folder rules to the next check: run it now.
            __vault_hook
        }
        $global:LASTEXITCODE = $result.Code
        return
    }
    if ($command -ceq 'doctor') {
        # What only this shell knows (its watch record is not in the environment), for this one
        # process. With the embedded binary gone, the vault on PATH says so.
        $values = @{
            __VAULT_DOCTOR_SHELL = 'pwsh'
            __VAULT_DOCTOR_BIN   = [string]$global:__vault_bin
            __VAULT_DOCTOR_WATCH = [string]$global:__vault_w_next
        }
        $saved = @{}
        foreach ($name in $values.Keys) {
            $saved[$name] = [Environment]::GetEnvironmentVariable($name)
            [Environment]::SetEnvironmentVariable($name, $values[$name])
        }
        try {
            if (Test-Path -LiteralPath $global:__vault_bin -PathType Leaf) {
                __vault_native $arguments
            } else {
                & (Get-Command -CommandType Application -Name vault -TotalCount 1).Source @arguments
            }
        } finally {
            foreach ($name in $saved.Keys) {
                [Environment]::SetEnvironmentVariable($name, $saved[$name])
            }
        }
        return
    }
    __vault_native $arguments
    $code = $global:LASTEXITCODE
    if ($code -eq 0 -and ($command -ceq 'allow' -or $command -ceq 'deny')) {
        $global:__vault_w_next = '0'
        __vault_hook
        $global:LASTEXITCODE = $code
    }
}

# Prompt segment, e.g. function prompt { "$(__vault_prompt)PS> " }: `will 42m`, computed
# without a process from what the hook recorded. With arguments it asks `vault prompt`
# (`__vault_prompt --format '{profile}@{region}'`), only while a profile is active.
# $LASTEXITCODE is untouched either way.
function global:__vault_prompt {
    Set-StrictMode -Off
    if ($args.Count -eq 0) {
        $segment = __vault_segment
        if ($segment) {
            $segment
        }
        return
    }
    if (-not $env:AWS_VAULT) {
        return
    }
    $result = __vault_capture (@('prompt') + $args) ''
    $text = $result.Out.TrimEnd("`r", "`n")
    if ($text) {
        $text
    }
}

# Put the wrapper around the current `prompt` (PowerShell's default when there is none),
# unless it is already ours. The wrapper keeps $? and $LASTEXITCODE for the prompt it wraps,
# which reads them to show the last command's status. It reads no variable that may be unset,
# so it runs under the user's Set-StrictMode without changing it for the prompt it wraps.
function global:__vault_wrap_prompt {
    $current = $function:prompt
    if ($null -ne $current -and $current.ToString().Contains('__vault_prompt_ran')) {
        return
    }
    $global:__vault_prompt_next = $current
    function global:prompt {
        $__vault_ok = $global:?
        $global:__vault_prompt_ran = $true
        $null = __vault_on_event
        $__vault_next = $global:__vault_prompt_next
        if ($null -eq $__vault_next) {
            $__vault_next = {
                "PS $($ExecutionContext.SessionState.Path.CurrentLocation)$('>' * ($NestedPromptLevel + 1)) "
            }
        }
        # The last statement before the wrapped prompt sets $? back to what it was: $? cannot
        # be assigned; Write-Error -ErrorAction Ignore makes it false (nothing shown, nothing
        # added to $Error), any expression makes it true.
        if ($__vault_ok) {
            [void]0
        } else {
            Write-Error -Message 'vault' -ErrorAction Ignore
        }
        & $__vault_next
    }
}

# Chain the location delegate onto LocationChangedAction once, keeping whatever is there.
function global:__vault_watch_location {
    $intrinsics = $ExecutionContext.SessionState.InvokeCommand
    $current = $intrinsics.LocationChangedAction
    if ($null -ne $current -and $current.GetInvocationList() -contains $global:__vault_location_hook) {
        return
    }
    $intrinsics.LocationChangedAction = [Delegate]::Combine($current, $global:__vault_location_hook)
}

# Run at the first idle moment, once the profile has loaded: put back what a later tool
# replaced instead of chaining (an older zoxide assigns LocationChangedAction; starship and
# oh-my-posh define `prompt`). The wrapper ran for the first prompt if it is still in place.
function global:__vault_repair {
    Set-StrictMode -Off
    try {
        __vault_watch_location
        if (-not $global:__vault_prompt_ran) {
            __vault_wrap_prompt
        }
    } catch {
        $Host.UI.WriteErrorLine("vault: cannot install the shell hook: $($_.Exception.Message)")
    }
}

function global:__vault_setup {
    Set-StrictMode -Off
    $version = $PSVersionTable.PSVersion
    if ($version.Major -lt 7 -or ($version.Major -eq 7 -and $version.Minor -lt 2)) {
        Write-Warning "vault: the shell hook needs PowerShell 7.2 or later (this is $version)"
        return
    }
    # Declared up front: reading an unset variable is an error under Set-StrictMode.
    foreach ($name in 'w', 'w_pwd', 'w_next', 'p_profile', 'p_expires',
        'busy', 'prompt_ran', 'prompt_next', 'repair_pending', 'location_hook') {
        if (-not (Test-Path -LiteralPath "Variable:global:__vault_$name")) {
            Set-Variable -Scope Global -Name "__vault_$name" -Value $null
        }
    }
    if ($null -eq $global:__vault_location_hook) {
        $global:__vault_location_hook = [System.EventHandler[System.Management.Automation.LocationChangedEventArgs]] {
            param($source, $change)
            $null = __vault_on_event
        }
    }
    __vault_watch_location
    __vault_wrap_prompt
    if (-not $global:__vault_repair_pending) {
        $global:__vault_repair_pending = $true
        $null = Register-EngineEvent -SourceIdentifier PowerShell.OnIdle -MaxTriggerCount 1 -Action {
            $global:__vault_repair_pending = $false
            __vault_repair
        }
    }
    __vault_hook
}

__vault_setup
