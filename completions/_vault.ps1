# clap_complete's script, run and wrapped by vault's completer below.
$vaultClapScript = @'

using namespace System.Management.Automation
using namespace System.Management.Automation.Language

Register-ArgumentCompleter -Native -CommandName 'vault' -ScriptBlock {
    param($wordToComplete, $commandAst, $cursorPosition)

    $commandElements = $commandAst.CommandElements
    $command = @(
        'vault'
        for ($i = 1; $i -lt $commandElements.Count; $i++) {
            $element = $commandElements[$i]
            if ($element -isnot [StringConstantExpressionAst] -or
                $element.StringConstantType -ne [StringConstantType]::BareWord -or
                $element.Value.StartsWith('-') -or
                $element.Value -eq $wordToComplete) {
                break
        }
        $element.Value
    }) -join ';'

    $completions = @(switch ($command) {
        'vault' {
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Secret store: secret-service, keyutils, file, pass, keychain, wincred [env: VAULT_BACKEND, AWS_VAULT_BACKEND]')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Store an IAM user''s access key in the secret store and add its profile to ~/.aws/config')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List profiles, whether keys are stored for them, and cached sessions')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Delete a profile''s stored keys and its cached sessions')
            [CompletionResult]::new('clear', 'clear', [CompletionResultType]::ParameterValue, 'Drop cached sessions and SSO sign-ins (of one profile, or of all)')
            [CompletionResult]::new('lock', 'lock', [CompletionResultType]::ParameterValue, 'Forget the file store''s remembered unlock: the next command asks for its passphrase')
            [CompletionResult]::new('exec', 'exec', [CompletionResultType]::ParameterValue, 'Run a command with temporary credentials for a profile')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Print temporary credentials for a profile, for a shell or another tool')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Open the AWS console signed in as a profile')
            [CompletionResult]::new('rotate', 'rotate', [CompletionResultType]::ParameterValue, 'Rotate a profile''s access key: create a new one, store it, delete the old one')
            [CompletionResult]::new('sso', 'sso', [CompletionResultType]::ParameterValue, 'IAM Identity Center: write a profile for every account and role you can reach')
            [CompletionResult]::new('import-aws-vault', 'import-aws-vault', [CompletionResultType]::ParameterValue, 'Copy credentials that aws-vault stored into vault''s store (aws-vault''s items are only read)')
            [CompletionResult]::new('import-credentials', 'import-credentials', [CompletionResultType]::ParameterValue, 'Move long-term keys from the plain-text ~/.aws/credentials into the store, and out of that file')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check the set-up: the store, the config, the shell hook, the clock, AWS_PROFILE')
            [CompletionResult]::new('hook', 'hook', [CompletionResultType]::ParameterValue, 'Print the shell integration: eval "$(vault hook bash)" (set-up lines below)')
            [CompletionResult]::new('use', 'use', [CompletionResultType]::ParameterValue, 'Switch this shell to a profile until `vault unuse` (needs the shell hook); no name: pick one')
            [CompletionResult]::new('unuse', 'unuse', [CompletionResultType]::ParameterValue, 'Leave the profile chosen with `vault use` and return to folder rules')
            [CompletionResult]::new('allow', 'allow', [CompletionResultType]::ParameterValue, 'Trust a .awsvault file (default: the nearest one above the current folder)')
            [CompletionResult]::new('deny', 'deny', [CompletionResultType]::ParameterValue, 'Block a .awsvault file, whatever its content')
            [CompletionResult]::new('reload', 'reload', [CompletionResultType]::ParameterValue, 'Renew this shell''s credentials now and retry a failed activation')
            [CompletionResult]::new('prompt', 'prompt', [CompletionResultType]::ParameterValue, 'Print a short prompt segment for the active profile, e.g. `will 42m`')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a completion script')
            [CompletionResult]::new('hook-env', 'hook-env', [CompletionResultType]::ParameterValue, 'Run by the shell hook at each prompt (prints statements for the shell)')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Write the man pages into DIR (`make man`; committed under man/)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'vault;add' {
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'Region for a new profile''s section (instead of asking)')
            [CompletionResult]::new('--mfa-serial', '--mfa-serial', [CompletionResultType]::ParameterName, 'MFA device ARN for a new profile''s section (instead of asking)')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Secret store: secret-service, keyutils, file, pass, keychain, wincred [env: VAULT_BACKEND, AWS_VAULT_BACKEND]')
            [CompletionResult]::new('--env', '--env', [CompletionResultType]::ParameterName, 'Take the keys from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY instead of prompting')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Replace keys already stored for this profile')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace keys already stored for this profile')
            [CompletionResult]::new('--no-add-config', '--no-add-config', [CompletionResultType]::ParameterName, 'Do not add `[profile NAME]` to the config file')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;list' {
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Secret store: secret-service, keyutils, file, pass, keychain, wincred [env: VAULT_BACKEND, AWS_VAULT_BACKEND]')
            [CompletionResult]::new('--profiles', '--profiles', [CompletionResultType]::ParameterName, 'Print only profile names')
            [CompletionResult]::new('--credentials', '--credentials', [CompletionResultType]::ParameterName, 'Print only the names of profiles whose keys are stored')
            [CompletionResult]::new('--sessions', '--sessions', [CompletionResultType]::ParameterName, 'Print only cached sessions and SSO sign-ins, one `PROFILE: KIND TIME left` a line')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;remove' {
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Secret store: secret-service, keyutils, file, pass, keychain, wincred [env: VAULT_BACKEND, AWS_VAULT_BACKEND]')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Do not ask for confirmation')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;clear' {
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Secret store: secret-service, keyutils, file, pass, keychain, wincred [env: VAULT_BACKEND, AWS_VAULT_BACKEND]')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;lock' {
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;exec' {
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Lifetime of the session or role credentials, e.g. 15m, 1h, 12h (also the session in front of roles; STS''s limits are checked first: sessions 15m-36h, roles 15m-12h, 1h chained)')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Lifetime of the session or role credentials, e.g. 15m, 1h, 12h (also the session in front of roles; STS''s limits are checked first: sessions 15m-36h, roles 15m-12h, 1h chained)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'Region to use (overrides the profile''s region)')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'MFA code to use instead of asking')
            [CompletionResult]::new('--mfa-token', '--mfa-token', [CompletionResultType]::ParameterName, 'MFA code to use instead of asking')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Secret store: secret-service, keyutils, file, pass, keychain, wincred [env: VAULT_BACKEND, AWS_VAULT_BACKEND]')
            [CompletionResult]::new('--pick', '--pick', [CompletionResultType]::ParameterName, 'Choose the profile in a picker on the terminal, even when AWS_PROFILE is set')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Use the stored long-term keys directly (no GetSessionToken)')
            [CompletionResult]::new('--no-session', '--no-session', [CompletionResultType]::ParameterName, 'Use the stored long-term keys directly (no GetSessionToken)')
            [CompletionResult]::new('-s', '-s', [CompletionResultType]::ParameterName, 'Serve credentials to the child from a local endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI) that renews them, instead of putting them in its environment')
            [CompletionResult]::new('--server', '--server', [CompletionResultType]::ParameterName, 'Serve credentials to the child from a local endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI) that renews them, instead of putting them in its environment')
            [CompletionResult]::new('--profile-env', '--profile-env', [CompletionResultType]::ParameterName, 'Set AWS_PROFILE for CMD instead of putting credentials in its environment (after checking they can be had), as aws-vault does; also AWS_VAULT_PROFILE_ENV')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;export' {
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Lifetime of the session or role credentials, e.g. 15m, 1h, 12h (also the session in front of roles; STS''s limits are checked first: sessions 15m-36h, roles 15m-12h, 1h chained)')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Lifetime of the session or role credentials, e.g. 15m, 1h, 12h (also the session in front of roles; STS''s limits are checked first: sessions 15m-36h, roles 15m-12h, 1h chained)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'Region to use (overrides the profile''s region)')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'MFA code to use instead of asking')
            [CompletionResult]::new('--mfa-token', '--mfa-token', [CompletionResultType]::ParameterName, 'MFA code to use instead of asking')
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Output format (no short form: `-f` is `--force` elsewhere)')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Secret store: secret-service, keyutils, file, pass, keychain, wincred [env: VAULT_BACKEND, AWS_VAULT_BACKEND]')
            [CompletionResult]::new('--pick', '--pick', [CompletionResultType]::ParameterName, 'Choose the profile in a picker on the terminal, even when AWS_PROFILE is set')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Use the stored long-term keys directly (no GetSessionToken)')
            [CompletionResult]::new('--no-session', '--no-session', [CompletionResultType]::ParameterName, 'Use the stored long-term keys directly (no GetSessionToken)')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;login' {
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Lifetime of the session or role credentials, e.g. 15m, 1h, 12h (also the session in front of roles; STS''s limits are checked first: sessions 15m-36h, roles 15m-12h, 1h chained)')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Lifetime of the session or role credentials, e.g. 15m, 1h, 12h (also the session in front of roles; STS''s limits are checked first: sessions 15m-36h, roles 15m-12h, 1h chained)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'Region to use (overrides the profile''s region)')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'MFA code to use instead of asking')
            [CompletionResult]::new('--mfa-token', '--mfa-token', [CompletionResultType]::ParameterName, 'MFA code to use instead of asking')
            [CompletionResult]::new('--path', '--path', [CompletionResultType]::ParameterName, 'Console page to open, e.g. /s3/home or /ec2/home')
            [CompletionResult]::new('--browser', '--browser', [CompletionResultType]::ParameterName, 'Browser to open: firefox-container, chrome-profile, chromium-profile, edge-profile or brave-profile (one container or browser profile per vault profile), a browser''s name, or a command (%s: the URL) [env: VAULT_LOGIN_BROWSER]')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Secret store: secret-service, keyutils, file, pass, keychain, wincred [env: VAULT_BACKEND, AWS_VAULT_BACKEND]')
            [CompletionResult]::new('--pick', '--pick', [CompletionResultType]::ParameterName, 'Choose the profile in a picker on the terminal, even when AWS_PROFILE is set')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Use the stored long-term keys directly (no GetSessionToken)')
            [CompletionResult]::new('--no-session', '--no-session', [CompletionResultType]::ParameterName, 'Use the stored long-term keys directly (no GetSessionToken)')
            [CompletionResult]::new('--stdout', '--stdout', [CompletionResultType]::ParameterName, 'Print the sign-in URL instead of opening a browser')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;rotate' {
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Secret store: secret-service, keyutils, file, pass, keychain, wincred [env: VAULT_BACKEND, AWS_VAULT_BACKEND]')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Use the stored keys directly for the IAM calls (no session, no MFA)')
            [CompletionResult]::new('--no-session', '--no-session', [CompletionResultType]::ParameterName, 'Use the stored keys directly for the IAM calls (no session, no MFA)')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;sso' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('populate', 'populate', [CompletionResultType]::ParameterValue, 'Sign in and write one profile per account and role into vault''s block of ~/.aws/config')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'vault;sso;populate' {
            [CompletionResult]::new('--start-url', '--start-url', [CompletionResultType]::ParameterName, 'Create the sso-session (in vault''s block) with this start URL')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'The new sso-session''s IAM Identity Center region')
            [CompletionResult]::new('--template', '--template', [CompletionResultType]::ParameterName, 'Profile names: placeholders in braces ({account_name} {account_id} {account_email} {role_name} {sso_session}), normalised to what the AWS CLI accepts')
            [CompletionResult]::new('--profile-region', '--profile-region', [CompletionResultType]::ParameterName, 'The profiles'' `region` (default: the sso-session''s sso_region)')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Secret store: secret-service, keyutils, file, pass, keychain, wincred [env: VAULT_BACKEND, AWS_VAULT_BACKEND]')
            [CompletionResult]::new('--prune', '--prune', [CompletionResultType]::ParameterName, 'Remove profiles in vault''s block whose account or role is no longer listed')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Print the change as a diff and write nothing')
            [CompletionResult]::new('--use-device-code', '--use-device-code', [CompletionResultType]::ParameterName, 'Sign in with a code shown here and typed on any device, not a browser redirect')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;sso;help' {
            [CompletionResult]::new('populate', 'populate', [CompletionResultType]::ParameterValue, 'Sign in and write one profile per account and role into vault''s block of ~/.aws/config')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'vault;sso;help;populate' {
            break
        }
        'vault;sso;help;help' {
            break
        }
        'vault;import-aws-vault' {
            [CompletionResult]::new('--from', '--from', [CompletionResultType]::ParameterName, 'Where aws-vault keeps its items: secret-service, keyutils (keyctl), file, pass or wincred (keychain is not supported yet)')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Secret store: secret-service, keyutils, file, pass, keychain, wincred [env: VAULT_BACKEND, AWS_VAULT_BACKEND]')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Replace keys vault already has for a profile')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace keys vault already has for a profile')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;import-credentials' {
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Secret store: secret-service, keyutils, file, pass, keychain, wincred [env: VAULT_BACKEND, AWS_VAULT_BACKEND]')
            [CompletionResult]::new('-f', '-f', [CompletionResultType]::ParameterName, 'Replace other keys already stored for a profile')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Replace other keys already stored for a profile')
            [CompletionResult]::new('--keep-backup', '--keep-backup', [CompletionResultType]::ParameterName, 'Keep the file''s previous content beside it, in CREDENTIALS.vault-backup (mode 0600)')
            [CompletionResult]::new('--dry-run', '--dry-run', [CompletionResultType]::ParameterName, 'Say what would be stored and removed, and change nothing')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;doctor' {
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Secret store: secret-service, keyutils, file, pass, keychain, wincred [env: VAULT_BACKEND, AWS_VAULT_BACKEND]')
            [CompletionResult]::new('--ascii', '--ascii', [CompletionResultType]::ParameterName, 'Print ok/FAIL instead of ✔/✗ (also when the terminal''s locale is not UTF-8)')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;hook' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;use' {
            [CompletionResult]::new('-d', '-d', [CompletionResultType]::ParameterName, 'Lifetime of the session or role credentials, e.g. 15m, 1h, 12h (also the session in front of roles; STS''s limits are checked first: sessions 15m-36h, roles 15m-12h, 1h chained)')
            [CompletionResult]::new('--duration', '--duration', [CompletionResultType]::ParameterName, 'Lifetime of the session or role credentials, e.g. 15m, 1h, 12h (also the session in front of roles; STS''s limits are checked first: sessions 15m-36h, roles 15m-12h, 1h chained)')
            [CompletionResult]::new('--region', '--region', [CompletionResultType]::ParameterName, 'Region to use (overrides the profile''s region)')
            [CompletionResult]::new('-t', '-t', [CompletionResultType]::ParameterName, 'MFA code to use instead of asking')
            [CompletionResult]::new('--mfa-token', '--mfa-token', [CompletionResultType]::ParameterName, 'MFA code to use instead of asking')
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Secret store: secret-service, keyutils, file, pass, keychain, wincred [env: VAULT_BACKEND, AWS_VAULT_BACKEND]')
            [CompletionResult]::new('--pick', '--pick', [CompletionResultType]::ParameterName, 'Choose the profile in a picker on the terminal (type to filter, Enter to choose)')
            [CompletionResult]::new('--status', '--status', [CompletionResultType]::ParameterName, 'Only say what is active in this shell, and why')
            [CompletionResult]::new('-n', '-n', [CompletionResultType]::ParameterName, 'Use the stored long-term keys directly (no GetSessionToken)')
            [CompletionResult]::new('--no-session', '--no-session', [CompletionResultType]::ParameterName, 'Use the stored long-term keys directly (no GetSessionToken)')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;unuse' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;allow' {
            [CompletionResult]::new('--allow-no-session', '--allow-no-session', [CompletionResultType]::ParameterName, 'Allow `no_session = true` (long-term keys in the shell) without asking')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help (see more with ''--help'')')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;deny' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;reload' {
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Secret store: secret-service, keyutils, file, pass, keychain, wincred [env: VAULT_BACKEND, AWS_VAULT_BACKEND]')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;prompt' {
            [CompletionResult]::new('--format', '--format', [CompletionResultType]::ParameterName, 'Template with {profile}, {region} and {remaining}')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;completions' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;hook-env' {
            [CompletionResult]::new('--backend', '--backend', [CompletionResultType]::ParameterName, 'Secret store: secret-service, keyutils, file, pass, keychain, wincred [env: VAULT_BACKEND, AWS_VAULT_BACKEND]')
            [CompletionResult]::new('--force', '--force', [CompletionResultType]::ParameterName, 'Renew now and retry failures (what `vault reload` does)')
            [CompletionResult]::new('--debug', '--debug', [CompletionResultType]::ParameterName, 'Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]')
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;man' {
            [CompletionResult]::new('-h', '-h', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('--help', '--help', [CompletionResultType]::ParameterName, 'Print help')
            [CompletionResult]::new('-V', '-V ', [CompletionResultType]::ParameterName, 'Print version')
            [CompletionResult]::new('--version', '--version', [CompletionResultType]::ParameterName, 'Print version')
            break
        }
        'vault;help' {
            [CompletionResult]::new('add', 'add', [CompletionResultType]::ParameterValue, 'Store an IAM user''s access key in the secret store and add its profile to ~/.aws/config')
            [CompletionResult]::new('list', 'list', [CompletionResultType]::ParameterValue, 'List profiles, whether keys are stored for them, and cached sessions')
            [CompletionResult]::new('remove', 'remove', [CompletionResultType]::ParameterValue, 'Delete a profile''s stored keys and its cached sessions')
            [CompletionResult]::new('clear', 'clear', [CompletionResultType]::ParameterValue, 'Drop cached sessions and SSO sign-ins (of one profile, or of all)')
            [CompletionResult]::new('lock', 'lock', [CompletionResultType]::ParameterValue, 'Forget the file store''s remembered unlock: the next command asks for its passphrase')
            [CompletionResult]::new('exec', 'exec', [CompletionResultType]::ParameterValue, 'Run a command with temporary credentials for a profile')
            [CompletionResult]::new('export', 'export', [CompletionResultType]::ParameterValue, 'Print temporary credentials for a profile, for a shell or another tool')
            [CompletionResult]::new('login', 'login', [CompletionResultType]::ParameterValue, 'Open the AWS console signed in as a profile')
            [CompletionResult]::new('rotate', 'rotate', [CompletionResultType]::ParameterValue, 'Rotate a profile''s access key: create a new one, store it, delete the old one')
            [CompletionResult]::new('sso', 'sso', [CompletionResultType]::ParameterValue, 'IAM Identity Center: write a profile for every account and role you can reach')
            [CompletionResult]::new('import-aws-vault', 'import-aws-vault', [CompletionResultType]::ParameterValue, 'Copy credentials that aws-vault stored into vault''s store (aws-vault''s items are only read)')
            [CompletionResult]::new('import-credentials', 'import-credentials', [CompletionResultType]::ParameterValue, 'Move long-term keys from the plain-text ~/.aws/credentials into the store, and out of that file')
            [CompletionResult]::new('doctor', 'doctor', [CompletionResultType]::ParameterValue, 'Check the set-up: the store, the config, the shell hook, the clock, AWS_PROFILE')
            [CompletionResult]::new('hook', 'hook', [CompletionResultType]::ParameterValue, 'Print the shell integration: eval "$(vault hook bash)" (set-up lines below)')
            [CompletionResult]::new('use', 'use', [CompletionResultType]::ParameterValue, 'Switch this shell to a profile until `vault unuse` (needs the shell hook); no name: pick one')
            [CompletionResult]::new('unuse', 'unuse', [CompletionResultType]::ParameterValue, 'Leave the profile chosen with `vault use` and return to folder rules')
            [CompletionResult]::new('allow', 'allow', [CompletionResultType]::ParameterValue, 'Trust a .awsvault file (default: the nearest one above the current folder)')
            [CompletionResult]::new('deny', 'deny', [CompletionResultType]::ParameterValue, 'Block a .awsvault file, whatever its content')
            [CompletionResult]::new('reload', 'reload', [CompletionResultType]::ParameterValue, 'Renew this shell''s credentials now and retry a failed activation')
            [CompletionResult]::new('prompt', 'prompt', [CompletionResultType]::ParameterValue, 'Print a short prompt segment for the active profile, e.g. `will 42m`')
            [CompletionResult]::new('completions', 'completions', [CompletionResultType]::ParameterValue, 'Print a completion script')
            [CompletionResult]::new('hook-env', 'hook-env', [CompletionResultType]::ParameterValue, 'Run by the shell hook at each prompt (prints statements for the shell)')
            [CompletionResult]::new('man', 'man', [CompletionResultType]::ParameterValue, 'Write the man pages into DIR (`make man`; committed under man/)')
            [CompletionResult]::new('help', 'help', [CompletionResultType]::ParameterValue, 'Print this message or the help of the given subcommand(s)')
            break
        }
        'vault;help;add' {
            break
        }
        'vault;help;list' {
            break
        }
        'vault;help;remove' {
            break
        }
        'vault;help;clear' {
            break
        }
        'vault;help;lock' {
            break
        }
        'vault;help;exec' {
            break
        }
        'vault;help;export' {
            break
        }
        'vault;help;login' {
            break
        }
        'vault;help;rotate' {
            break
        }
        'vault;help;sso' {
            [CompletionResult]::new('populate', 'populate', [CompletionResultType]::ParameterValue, 'Sign in and write one profile per account and role into vault''s block of ~/.aws/config')
            break
        }
        'vault;help;sso;populate' {
            break
        }
        'vault;help;import-aws-vault' {
            break
        }
        'vault;help;import-credentials' {
            break
        }
        'vault;help;doctor' {
            break
        }
        'vault;help;hook' {
            break
        }
        'vault;help;use' {
            break
        }
        'vault;help;unuse' {
            break
        }
        'vault;help;allow' {
            break
        }
        'vault;help;deny' {
            break
        }
        'vault;help;reload' {
            break
        }
        'vault;help;prompt' {
            break
        }
        'vault;help;completions' {
            break
        }
        'vault;help;hook-env' {
            break
        }
        'vault;help;man' {
            break
        }
        'vault;help;help' {
            break
        }
    })

    $completions.Where{ $_.CompletionText -like "$wordToComplete*" } |
        Sort-Object -Property ListItemText
}
'@

# vault: where a PROFILE goes, derived from cli.rs, for the completer below
# (shell/completions/profiles.ps1 in vault's repository).
$vaultProfileCommands = @{
    'add' = @('--region', '--mfa-serial', '--backend')
    'remove' = @('--backend')
    'rm' = @('--backend')
    'clear' = @('--backend')
    'exec' = @('--duration', '-d', '--region', '--mfa-token', '-t', '--backend')
    'export' = @('--duration', '-d', '--region', '--mfa-token', '-t', '--format', '--backend')
    'login' = @('--duration', '-d', '--region', '--mfa-token', '-t', '--path', '--browser', '--backend')
    'rotate' = @('--backend')
    'use' = @('--duration', '-d', '--region', '--mfa-token', '-t', '--backend')
}
$vaultValueOpts = @('--backend')

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
