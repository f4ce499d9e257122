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
# Each time, a check that starts no process (Test-Path, file reads and the clock) decides
# whether anything vault decides on can have changed; only then does `vault hook-env pwsh` run,
# and its statements are applied with Invoke-Expression.

$global:__vault_bin = '@VAULT@'

# The folder native programs start in: the current FileSystem location, even while the
# location is on another drive such as Env: or HKLM:.
function global:__vault_cwd {
    $ExecutionContext.SessionState.Path.CurrentFileSystemLocation.ProviderPath
}

# The nearest .awsvault from $Dir upward, exactly as vault finds it: anything of that name but
# a folder (aws-vault keeps its file store in a folder ~/.awsvault/), dangling links included.
# '' when there is none.
function global:__vault_nearest {
    param([string]$Dir)
    while ($Dir) {
        $candidate = [System.IO.Path]::Combine($Dir, '.awsvault')
        $info = [System.IO.FileInfo]::new($candidate)
        if ($info.Exists -or $null -ne $info.LinkTarget) {
            return $candidate
        }
        $Dir = [System.IO.Path]::GetDirectoryName($Dir)
    }
    return ''
}

# A .awsvault's text as vault reads it, or '' where vault refuses it (a link, not a file, over
# 4096 bytes, not UTF-8), so comparing with what vault saw holds in every case.
function global:__vault_body {
    param([string]$Path)
    try {
        $info = [System.IO.FileInfo]::new($Path)
        if ($null -ne $info.LinkTarget -or -not $info.Exists -or $info.Length -gt 4096) {
            return ''
        }
        # Reading a fifo would block the prompt; vault reads regular files only. UnixMode
        # (PowerShell 7.1+ on Unix) starts with '-' for a regular file.
        $item = Get-Item -LiteralPath $Path -Force -ErrorAction Ignore
        if ($null -ne $item -and $null -ne $item.PSObject.Properties['UnixMode']) {
            $mode = [string]$item.UnixMode
            if ($mode -ne '' -and -not $mode.StartsWith('-')) {
                return ''
            }
        }
        $strict = [System.Text.UTF8Encoding]::new($false, $true)
        return $strict.GetString([System.IO.File]::ReadAllBytes($Path))
    } catch {
        return ''
    }
}

# How the trust records judge the watched file now: a(llowed) c(hanged) u(nknown) d(enied).
function global:__vault_judge {
    $allow = [string]$global:__vault_w_allow
    $deny = [string]$global:__vault_w_deny
    if ($allow -eq '') {
        return ''
    }
    if ($deny -ne '' -and (Test-Path -LiteralPath $deny)) {
        return 'd'
    }
    if (-not (Test-Path -LiteralPath $allow -PathType Leaf)) {
        return 'u'
    }
    $record = Get-Content -LiteralPath $allow -Raw -ErrorAction Ignore
    if (([string]$record).Trim() -ceq [string]$global:__vault_w_hash) {
        return 'a'
    }
    return 'c'
}

# True when nothing vault decides on can have changed since it last ran: same nearest file,
# same bytes, same trust, and no renewal due. No process is started. Comparisons are -ceq:
# PowerShell's -eq ignores case.
function global:__vault_unchanged {
    $next = [long]0
    if (-not [long]::TryParse([string]$global:__vault_w_next, [ref]$next)) {
        return $false
    }
    if ([DateTimeOffset]::UtcNow.ToUnixTimeSeconds() -ge $next) {
        return $false
    }
    $found = __vault_nearest (__vault_cwd)
    if ($found -cne [string]$global:__vault_w_file) {
        return $false
    }
    if ($found -eq '') {
        return $true
    }
    if ((__vault_body $found) -cne [string]$global:__vault_w_body) {
        return $false
    }
    return ((__vault_judge) -ceq [string]$global:__vault_w_seen)
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
    $global:__vault_w_seen = __vault_judge
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
            __vault_apply $result.Out
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
    __vault_native $arguments
    $code = $global:LASTEXITCODE
    if ($code -eq 0 -and ($command -ceq 'allow' -or $command -ceq 'deny')) {
        $global:__vault_w_next = '0'
        __vault_hook
        $global:LASTEXITCODE = $code
    }
}

# Prompt segment, e.g. function prompt { "$(__vault_prompt)PS> " }. Starts a process only
# while a profile is active; $LASTEXITCODE is untouched.
function global:__vault_prompt {
    Set-StrictMode -Off
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
    foreach ($name in 'w_file', 'w_body', 'w_allow', 'w_hash', 'w_deny', 'w_next', 'w_seen',
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
