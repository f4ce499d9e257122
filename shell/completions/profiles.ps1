# vault's PROFILE completer for PowerShell. `vault completions powershell` prints, before this
# file:
#   $vaultClapScript       clap_complete's script, verbatim, in a here-string
#   $vaultProfileCommands  subcommand whose first argument is PROFILE -> its options that take
#                          a value (derived from cli.rs)
#   $vaultValueOpts        the options that take a value before the subcommand
# PowerShell has no way to read back a registered completer, and the script's `using` lines
# must open a script, so it cannot be wrapped in place: it runs here with
# Register-ArgumentCompleter shadowed by a function (functions win over cmdlets) that hands
# its completer back. Ours offers profile names at a PROFILE position and calls clap_complete's
# completer everywhere else.
# Profile names come from the AWS config file (AWS_CONFIG_FILE, else ~/.aws/config):
# `vault list --profiles` reads it at each completion, so new profiles show up at once.

$vaultClapCompleter = & {
    function Register-ArgumentCompleter {
        param([switch]$Native, [string[]]$CommandName, [scriptblock]$ScriptBlock)
        $ScriptBlock
    }
    . ([scriptblock]::Create($vaultClapScript))
}

$vaultCompleter = {
    param($wordToComplete, $commandAst, $cursorPosition)

    $sub = $null
    $opts = $vaultValueOpts
    $skip = $false
    $wants = $true
    $elements = $commandAst.CommandElements
    for ($i = 1; $i -lt $elements.Count; $i++) {
        $element = $elements[$i]
        if ($element.Extent.EndOffset -ge $cursorPosition) { break }
        $word = $element.Extent.Text
        if ($skip) {
            $skip = $false
        } elseif ($word -eq '--') {
            $wants = $false
            break
        } elseif ($word.StartsWith('-')) {
            if ($opts -contains $word) { $skip = $true }
        } elseif ($null -eq $sub) {
            $sub = $word
            if (-not $vaultProfileCommands.ContainsKey($word)) {
                $wants = $false
                break
            }
            $opts = $vaultProfileCommands[$word]
        } else {
            $wants = $false # the profile is already there
            break
        }
    }
    if ($wants -and $null -ne $sub -and -not $skip -and -not $wordToComplete.StartsWith('-')) {
        return @(vault list --profiles 2>$null) |
            Where-Object { $_ -like "$wordToComplete*" } |
            ForEach-Object {
                [System.Management.Automation.CompletionResult]::new(
                    $_, $_, [System.Management.Automation.CompletionResultType]::ParameterValue, 'Profile')
            }
    }
    & $vaultClapCompleter $wordToComplete $commandAst $cursorPosition
}.GetNewClosure()

Register-ArgumentCompleter -Native -CommandName 'vault' -ScriptBlock $vaultCompleter
Remove-Variable -Name 'vaultClapScript', 'vaultClapCompleter', 'vaultProfileCommands', 'vaultValueOpts', 'vaultCompleter' -ErrorAction Ignore
