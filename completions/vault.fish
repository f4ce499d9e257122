# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_vault_global_optspecs
    string join \n backend= debug h/help V/version
end

function __fish_vault_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_vault_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_vault_using_subcommand
    set -l cmd (__fish_vault_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c vault -n "__fish_vault_needs_command" -l backend -d 'Secret store: secret-service, keyutils, file, pass, keychain, wincred [env: VAULT_BACKEND, AWS_VAULT_BACKEND]' -r
complete -c vault -n "__fish_vault_needs_command" -l debug -d 'Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]'
complete -c vault -n "__fish_vault_needs_command" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_needs_command" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_needs_command" -f -a "add" -d 'Store an IAM user\'s access key in the secret store and add its profile to ~/.aws/config'
complete -c vault -n "__fish_vault_needs_command" -f -a "list" -d 'List profiles, whether keys are stored for them, and cached sessions'
complete -c vault -n "__fish_vault_needs_command" -f -a "remove" -d 'Delete a profile\'s stored keys and its cached sessions'
complete -c vault -n "__fish_vault_needs_command" -f -a "clear" -d 'Drop cached sessions and SSO sign-ins (of one profile, or of all)'
complete -c vault -n "__fish_vault_needs_command" -f -a "lock" -d 'Forget the file store\'s remembered unlock: the next command asks for its passphrase'
complete -c vault -n "__fish_vault_needs_command" -f -a "exec" -d 'Run a command with temporary credentials for a profile'
complete -c vault -n "__fish_vault_needs_command" -f -a "export" -d 'Print temporary credentials for a profile, for a shell or another tool'
complete -c vault -n "__fish_vault_needs_command" -f -a "login" -d 'Open the AWS console signed in as a profile'
complete -c vault -n "__fish_vault_needs_command" -f -a "rotate" -d 'Rotate a profile\'s access key: create a new one, store it, delete the old one'
complete -c vault -n "__fish_vault_needs_command" -f -a "sso" -d 'IAM Identity Center: write a profile for every account and role you can reach'
complete -c vault -n "__fish_vault_needs_command" -f -a "import-aws-vault" -d 'Copy credentials that aws-vault stored into vault\'s store (aws-vault\'s items are only read)'
complete -c vault -n "__fish_vault_needs_command" -f -a "import-credentials" -d 'Move long-term keys from the plain-text ~/.aws/credentials into the store, and out of that file'
complete -c vault -n "__fish_vault_needs_command" -f -a "doctor" -d 'Check the set-up: the store, the config, the shell hook, the clock, AWS_PROFILE'
complete -c vault -n "__fish_vault_needs_command" -f -a "hook" -d 'Print the shell integration: eval "$(vault hook bash)" (set-up lines below)'
complete -c vault -n "__fish_vault_needs_command" -f -a "use" -d 'Switch this shell to a profile until `vault unuse` (needs the shell hook); no name: pick one'
complete -c vault -n "__fish_vault_needs_command" -f -a "unuse" -d 'Leave the profile chosen with `vault use` and return to folder rules'
complete -c vault -n "__fish_vault_needs_command" -f -a "allow" -d 'Trust a .awsvault file (default: the nearest one above the current folder)'
complete -c vault -n "__fish_vault_needs_command" -f -a "deny" -d 'Block a .awsvault file, whatever its content'
complete -c vault -n "__fish_vault_needs_command" -f -a "reload" -d 'Renew this shell\'s credentials now and retry a failed activation'
complete -c vault -n "__fish_vault_needs_command" -f -a "prompt" -d 'Print a short prompt segment for the active profile, e.g. `will 42m`'
complete -c vault -n "__fish_vault_needs_command" -f -a "completions" -d 'Print a completion script'
complete -c vault -n "__fish_vault_needs_command" -f -a "hook-env" -d 'Run by the shell hook at each prompt (prints statements for the shell)'
complete -c vault -n "__fish_vault_needs_command" -f -a "man" -d 'Write the man pages into DIR (`make man`; committed under man/)'
complete -c vault -n "__fish_vault_needs_command" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c vault -n "__fish_vault_using_subcommand add" -l region -d 'Region for a new profile\'s section (instead of asking)' -r
complete -c vault -n "__fish_vault_using_subcommand add" -l mfa-serial -d 'MFA device ARN for a new profile\'s section (instead of asking)' -r
complete -c vault -n "__fish_vault_using_subcommand add" -l backend -d 'Secret store: secret-service, keyutils, file, pass, keychain, wincred [env: VAULT_BACKEND, AWS_VAULT_BACKEND]' -r
complete -c vault -n "__fish_vault_using_subcommand add" -l env -d 'Take the keys from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY instead of prompting'
complete -c vault -n "__fish_vault_using_subcommand add" -s f -l force -d 'Replace keys already stored for this profile'
complete -c vault -n "__fish_vault_using_subcommand add" -l no-add-config -d 'Do not add `[profile NAME]` to the config file'
complete -c vault -n "__fish_vault_using_subcommand add" -l debug -d 'Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]'
complete -c vault -n "__fish_vault_using_subcommand add" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand add" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand list" -l backend -d 'Secret store: secret-service, keyutils, file, pass, keychain, wincred [env: VAULT_BACKEND, AWS_VAULT_BACKEND]' -r
complete -c vault -n "__fish_vault_using_subcommand list" -l profiles -d 'Print only profile names'
complete -c vault -n "__fish_vault_using_subcommand list" -l credentials -d 'Print only the names of profiles whose keys are stored'
complete -c vault -n "__fish_vault_using_subcommand list" -l sessions -d 'Print only cached sessions and SSO sign-ins, one `PROFILE: KIND TIME left` a line'
complete -c vault -n "__fish_vault_using_subcommand list" -l debug -d 'Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]'
complete -c vault -n "__fish_vault_using_subcommand list" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand list" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand remove" -l backend -d 'Secret store: secret-service, keyutils, file, pass, keychain, wincred [env: VAULT_BACKEND, AWS_VAULT_BACKEND]' -r
complete -c vault -n "__fish_vault_using_subcommand remove" -s f -l force -d 'Do not ask for confirmation'
complete -c vault -n "__fish_vault_using_subcommand remove" -l debug -d 'Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]'
complete -c vault -n "__fish_vault_using_subcommand remove" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand remove" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand clear" -l backend -d 'Secret store: secret-service, keyutils, file, pass, keychain, wincred [env: VAULT_BACKEND, AWS_VAULT_BACKEND]' -r
complete -c vault -n "__fish_vault_using_subcommand clear" -l debug -d 'Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]'
complete -c vault -n "__fish_vault_using_subcommand clear" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand clear" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand lock" -l debug -d 'Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]'
complete -c vault -n "__fish_vault_using_subcommand lock" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand lock" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand exec" -s d -l duration -d 'Lifetime of the session or role credentials, e.g. 15m, 1h, 12h (also the session in front of roles; STS\'s limits are checked first: sessions 15m-36h, roles 15m-12h, 1h chained)' -r
complete -c vault -n "__fish_vault_using_subcommand exec" -l region -d 'Region to use (overrides the profile\'s region)' -r
complete -c vault -n "__fish_vault_using_subcommand exec" -s t -l mfa-token -d 'MFA code to use instead of asking' -r
complete -c vault -n "__fish_vault_using_subcommand exec" -l backend -d 'Secret store: secret-service, keyutils, file, pass, keychain, wincred [env: VAULT_BACKEND, AWS_VAULT_BACKEND]' -r
complete -c vault -n "__fish_vault_using_subcommand exec" -l pick -d 'Choose the profile in a picker on the terminal, even when AWS_PROFILE is set'
complete -c vault -n "__fish_vault_using_subcommand exec" -s n -l no-session -d 'Use the stored long-term keys directly (no GetSessionToken)'
complete -c vault -n "__fish_vault_using_subcommand exec" -s s -l server -d 'Serve credentials to the child from a local endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI) that renews them, instead of putting them in its environment'
complete -c vault -n "__fish_vault_using_subcommand exec" -l profile-env -d 'Set AWS_PROFILE for CMD instead of putting credentials in its environment (after checking they can be had), as aws-vault does; also AWS_VAULT_PROFILE_ENV'
complete -c vault -n "__fish_vault_using_subcommand exec" -l debug -d 'Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]'
complete -c vault -n "__fish_vault_using_subcommand exec" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand exec" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand export" -s d -l duration -d 'Lifetime of the session or role credentials, e.g. 15m, 1h, 12h (also the session in front of roles; STS\'s limits are checked first: sessions 15m-36h, roles 15m-12h, 1h chained)' -r
complete -c vault -n "__fish_vault_using_subcommand export" -l region -d 'Region to use (overrides the profile\'s region)' -r
complete -c vault -n "__fish_vault_using_subcommand export" -s t -l mfa-token -d 'MFA code to use instead of asking' -r
complete -c vault -n "__fish_vault_using_subcommand export" -l format -d 'Output format (no short form: `-f` is `--force` elsewhere)' -r -f -a "env\t'KEY=value lines (dotenv)'
json\t'The credential_process JSON shape'
ini\t'An ~/.aws/credentials section'
bash\t'`export`/`unset` statements for bash'
zsh\t'`export`/`unset` statements for zsh'
fish\t'`set -gx`/`set -e` statements for fish'
pwsh\t'`$env:` statements for PowerShell'
nu\t'A JSON record for nushell\'s `load-env`'"
complete -c vault -n "__fish_vault_using_subcommand export" -l backend -d 'Secret store: secret-service, keyutils, file, pass, keychain, wincred [env: VAULT_BACKEND, AWS_VAULT_BACKEND]' -r
complete -c vault -n "__fish_vault_using_subcommand export" -l pick -d 'Choose the profile in a picker on the terminal, even when AWS_PROFILE is set'
complete -c vault -n "__fish_vault_using_subcommand export" -s n -l no-session -d 'Use the stored long-term keys directly (no GetSessionToken)'
complete -c vault -n "__fish_vault_using_subcommand export" -l debug -d 'Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]'
complete -c vault -n "__fish_vault_using_subcommand export" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c vault -n "__fish_vault_using_subcommand export" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand login" -s d -l duration -d 'Lifetime of the session or role credentials, e.g. 15m, 1h, 12h (also the session in front of roles; STS\'s limits are checked first: sessions 15m-36h, roles 15m-12h, 1h chained)' -r
complete -c vault -n "__fish_vault_using_subcommand login" -l region -d 'Region to use (overrides the profile\'s region)' -r
complete -c vault -n "__fish_vault_using_subcommand login" -s t -l mfa-token -d 'MFA code to use instead of asking' -r
complete -c vault -n "__fish_vault_using_subcommand login" -l path -d 'Console page to open, e.g. /s3/home or /ec2/home' -r
complete -c vault -n "__fish_vault_using_subcommand login" -l browser -d 'Browser to open: firefox-container, chrome-profile, chromium-profile, edge-profile or brave-profile (one container or browser profile per vault profile), a browser\'s name, or a command (%s: the URL) [env: VAULT_LOGIN_BROWSER]' -r
complete -c vault -n "__fish_vault_using_subcommand login" -l backend -d 'Secret store: secret-service, keyutils, file, pass, keychain, wincred [env: VAULT_BACKEND, AWS_VAULT_BACKEND]' -r
complete -c vault -n "__fish_vault_using_subcommand login" -l pick -d 'Choose the profile in a picker on the terminal, even when AWS_PROFILE is set'
complete -c vault -n "__fish_vault_using_subcommand login" -s n -l no-session -d 'Use the stored long-term keys directly (no GetSessionToken)'
complete -c vault -n "__fish_vault_using_subcommand login" -l stdout -d 'Print the sign-in URL instead of opening a browser'
complete -c vault -n "__fish_vault_using_subcommand login" -l debug -d 'Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]'
complete -c vault -n "__fish_vault_using_subcommand login" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand login" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand rotate" -l backend -d 'Secret store: secret-service, keyutils, file, pass, keychain, wincred [env: VAULT_BACKEND, AWS_VAULT_BACKEND]' -r
complete -c vault -n "__fish_vault_using_subcommand rotate" -s n -l no-session -d 'Use the stored keys directly for the IAM calls (no session, no MFA)'
complete -c vault -n "__fish_vault_using_subcommand rotate" -l debug -d 'Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]'
complete -c vault -n "__fish_vault_using_subcommand rotate" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand rotate" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand sso; and not __fish_seen_subcommand_from populate help" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand sso; and not __fish_seen_subcommand_from populate help" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand sso; and not __fish_seen_subcommand_from populate help" -f -a "populate" -d 'Sign in and write one profile per account and role into vault\'s block of ~/.aws/config'
complete -c vault -n "__fish_vault_using_subcommand sso; and not __fish_seen_subcommand_from populate help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c vault -n "__fish_vault_using_subcommand sso; and __fish_seen_subcommand_from populate" -l start-url -d 'Create the sso-session (in vault\'s block) with this start URL' -r
complete -c vault -n "__fish_vault_using_subcommand sso; and __fish_seen_subcommand_from populate" -l region -d 'The new sso-session\'s IAM Identity Center region' -r
complete -c vault -n "__fish_vault_using_subcommand sso; and __fish_seen_subcommand_from populate" -l template -d 'Profile names: placeholders in braces ({account_name} {account_id} {account_email} {role_name} {sso_session}), normalised to what the AWS CLI accepts' -r
complete -c vault -n "__fish_vault_using_subcommand sso; and __fish_seen_subcommand_from populate" -l profile-region -d 'The profiles\' `region` (default: the sso-session\'s sso_region)' -r
complete -c vault -n "__fish_vault_using_subcommand sso; and __fish_seen_subcommand_from populate" -l backend -d 'Secret store: secret-service, keyutils, file, pass, keychain, wincred [env: VAULT_BACKEND, AWS_VAULT_BACKEND]' -r
complete -c vault -n "__fish_vault_using_subcommand sso; and __fish_seen_subcommand_from populate" -l prune -d 'Remove profiles in vault\'s block whose account or role is no longer listed'
complete -c vault -n "__fish_vault_using_subcommand sso; and __fish_seen_subcommand_from populate" -l dry-run -d 'Print the change as a diff and write nothing'
complete -c vault -n "__fish_vault_using_subcommand sso; and __fish_seen_subcommand_from populate" -l use-device-code -d 'Sign in with a code shown here and typed on any device, not a browser redirect'
complete -c vault -n "__fish_vault_using_subcommand sso; and __fish_seen_subcommand_from populate" -l debug -d 'Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]'
complete -c vault -n "__fish_vault_using_subcommand sso; and __fish_seen_subcommand_from populate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c vault -n "__fish_vault_using_subcommand sso; and __fish_seen_subcommand_from populate" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand sso; and __fish_seen_subcommand_from help" -f -a "populate" -d 'Sign in and write one profile per account and role into vault\'s block of ~/.aws/config'
complete -c vault -n "__fish_vault_using_subcommand sso; and __fish_seen_subcommand_from help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c vault -n "__fish_vault_using_subcommand import-aws-vault" -l from -d 'Where aws-vault keeps its items: secret-service, keyutils (keyctl), file, pass or wincred (keychain is not supported yet)' -r
complete -c vault -n "__fish_vault_using_subcommand import-aws-vault" -l backend -d 'Secret store: secret-service, keyutils, file, pass, keychain, wincred [env: VAULT_BACKEND, AWS_VAULT_BACKEND]' -r
complete -c vault -n "__fish_vault_using_subcommand import-aws-vault" -s f -l force -d 'Replace keys vault already has for a profile'
complete -c vault -n "__fish_vault_using_subcommand import-aws-vault" -l debug -d 'Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]'
complete -c vault -n "__fish_vault_using_subcommand import-aws-vault" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand import-aws-vault" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand import-credentials" -l backend -d 'Secret store: secret-service, keyutils, file, pass, keychain, wincred [env: VAULT_BACKEND, AWS_VAULT_BACKEND]' -r
complete -c vault -n "__fish_vault_using_subcommand import-credentials" -s f -l force -d 'Replace other keys already stored for a profile'
complete -c vault -n "__fish_vault_using_subcommand import-credentials" -l keep-backup -d 'Keep the file\'s previous content beside it, in CREDENTIALS.vault-backup (mode 0600)'
complete -c vault -n "__fish_vault_using_subcommand import-credentials" -l dry-run -d 'Say what would be stored and removed, and change nothing'
complete -c vault -n "__fish_vault_using_subcommand import-credentials" -l debug -d 'Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]'
complete -c vault -n "__fish_vault_using_subcommand import-credentials" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand import-credentials" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand doctor" -l backend -d 'Secret store: secret-service, keyutils, file, pass, keychain, wincred [env: VAULT_BACKEND, AWS_VAULT_BACKEND]' -r
complete -c vault -n "__fish_vault_using_subcommand doctor" -l ascii -d 'Print ok/FAIL instead of ✔/✗ (also when the terminal\'s locale is not UTF-8)'
complete -c vault -n "__fish_vault_using_subcommand doctor" -l debug -d 'Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]'
complete -c vault -n "__fish_vault_using_subcommand doctor" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c vault -n "__fish_vault_using_subcommand doctor" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand hook" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand hook" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand use" -s d -l duration -d 'Lifetime of the session or role credentials, e.g. 15m, 1h, 12h (also the session in front of roles; STS\'s limits are checked first: sessions 15m-36h, roles 15m-12h, 1h chained)' -r
complete -c vault -n "__fish_vault_using_subcommand use" -l region -d 'Region to use (overrides the profile\'s region)' -r
complete -c vault -n "__fish_vault_using_subcommand use" -s t -l mfa-token -d 'MFA code to use instead of asking' -r
complete -c vault -n "__fish_vault_using_subcommand use" -l backend -d 'Secret store: secret-service, keyutils, file, pass, keychain, wincred [env: VAULT_BACKEND, AWS_VAULT_BACKEND]' -r
complete -c vault -n "__fish_vault_using_subcommand use" -l pick -d 'Choose the profile in a picker on the terminal (type to filter, Enter to choose)'
complete -c vault -n "__fish_vault_using_subcommand use" -l status -d 'Only say what is active in this shell, and why'
complete -c vault -n "__fish_vault_using_subcommand use" -s n -l no-session -d 'Use the stored long-term keys directly (no GetSessionToken)'
complete -c vault -n "__fish_vault_using_subcommand use" -l debug -d 'Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]'
complete -c vault -n "__fish_vault_using_subcommand use" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand use" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand unuse" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand unuse" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand allow" -l allow-no-session -d 'Allow `no_session = true` (long-term keys in the shell) without asking'
complete -c vault -n "__fish_vault_using_subcommand allow" -l debug -d 'Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]'
complete -c vault -n "__fish_vault_using_subcommand allow" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c vault -n "__fish_vault_using_subcommand allow" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand deny" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand deny" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand reload" -l backend -d 'Secret store: secret-service, keyutils, file, pass, keychain, wincred [env: VAULT_BACKEND, AWS_VAULT_BACKEND]' -r
complete -c vault -n "__fish_vault_using_subcommand reload" -l debug -d 'Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]'
complete -c vault -n "__fish_vault_using_subcommand reload" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand reload" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand prompt" -l format -d 'Template with {profile}, {region} and {remaining}' -r
complete -c vault -n "__fish_vault_using_subcommand prompt" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand prompt" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand completions" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand completions" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand hook-env" -l backend -d 'Secret store: secret-service, keyutils, file, pass, keychain, wincred [env: VAULT_BACKEND, AWS_VAULT_BACKEND]' -r
complete -c vault -n "__fish_vault_using_subcommand hook-env" -l force -d 'Renew now and retry failures (what `vault reload` does)'
complete -c vault -n "__fish_vault_using_subcommand hook-env" -l debug -d 'Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]'
complete -c vault -n "__fish_vault_using_subcommand hook-env" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand hook-env" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand man" -s h -l help -d 'Print help'
complete -c vault -n "__fish_vault_using_subcommand man" -s V -l version -d 'Print version'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from add list remove clear lock exec export login rotate sso import-aws-vault import-credentials doctor hook use unuse allow deny reload prompt completions hook-env man help" -f -a "add" -d 'Store an IAM user\'s access key in the secret store and add its profile to ~/.aws/config'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from add list remove clear lock exec export login rotate sso import-aws-vault import-credentials doctor hook use unuse allow deny reload prompt completions hook-env man help" -f -a "list" -d 'List profiles, whether keys are stored for them, and cached sessions'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from add list remove clear lock exec export login rotate sso import-aws-vault import-credentials doctor hook use unuse allow deny reload prompt completions hook-env man help" -f -a "remove" -d 'Delete a profile\'s stored keys and its cached sessions'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from add list remove clear lock exec export login rotate sso import-aws-vault import-credentials doctor hook use unuse allow deny reload prompt completions hook-env man help" -f -a "clear" -d 'Drop cached sessions and SSO sign-ins (of one profile, or of all)'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from add list remove clear lock exec export login rotate sso import-aws-vault import-credentials doctor hook use unuse allow deny reload prompt completions hook-env man help" -f -a "lock" -d 'Forget the file store\'s remembered unlock: the next command asks for its passphrase'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from add list remove clear lock exec export login rotate sso import-aws-vault import-credentials doctor hook use unuse allow deny reload prompt completions hook-env man help" -f -a "exec" -d 'Run a command with temporary credentials for a profile'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from add list remove clear lock exec export login rotate sso import-aws-vault import-credentials doctor hook use unuse allow deny reload prompt completions hook-env man help" -f -a "export" -d 'Print temporary credentials for a profile, for a shell or another tool'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from add list remove clear lock exec export login rotate sso import-aws-vault import-credentials doctor hook use unuse allow deny reload prompt completions hook-env man help" -f -a "login" -d 'Open the AWS console signed in as a profile'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from add list remove clear lock exec export login rotate sso import-aws-vault import-credentials doctor hook use unuse allow deny reload prompt completions hook-env man help" -f -a "rotate" -d 'Rotate a profile\'s access key: create a new one, store it, delete the old one'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from add list remove clear lock exec export login rotate sso import-aws-vault import-credentials doctor hook use unuse allow deny reload prompt completions hook-env man help" -f -a "sso" -d 'IAM Identity Center: write a profile for every account and role you can reach'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from add list remove clear lock exec export login rotate sso import-aws-vault import-credentials doctor hook use unuse allow deny reload prompt completions hook-env man help" -f -a "import-aws-vault" -d 'Copy credentials that aws-vault stored into vault\'s store (aws-vault\'s items are only read)'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from add list remove clear lock exec export login rotate sso import-aws-vault import-credentials doctor hook use unuse allow deny reload prompt completions hook-env man help" -f -a "import-credentials" -d 'Move long-term keys from the plain-text ~/.aws/credentials into the store, and out of that file'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from add list remove clear lock exec export login rotate sso import-aws-vault import-credentials doctor hook use unuse allow deny reload prompt completions hook-env man help" -f -a "doctor" -d 'Check the set-up: the store, the config, the shell hook, the clock, AWS_PROFILE'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from add list remove clear lock exec export login rotate sso import-aws-vault import-credentials doctor hook use unuse allow deny reload prompt completions hook-env man help" -f -a "hook" -d 'Print the shell integration: eval "$(vault hook bash)" (set-up lines below)'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from add list remove clear lock exec export login rotate sso import-aws-vault import-credentials doctor hook use unuse allow deny reload prompt completions hook-env man help" -f -a "use" -d 'Switch this shell to a profile until `vault unuse` (needs the shell hook); no name: pick one'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from add list remove clear lock exec export login rotate sso import-aws-vault import-credentials doctor hook use unuse allow deny reload prompt completions hook-env man help" -f -a "unuse" -d 'Leave the profile chosen with `vault use` and return to folder rules'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from add list remove clear lock exec export login rotate sso import-aws-vault import-credentials doctor hook use unuse allow deny reload prompt completions hook-env man help" -f -a "allow" -d 'Trust a .awsvault file (default: the nearest one above the current folder)'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from add list remove clear lock exec export login rotate sso import-aws-vault import-credentials doctor hook use unuse allow deny reload prompt completions hook-env man help" -f -a "deny" -d 'Block a .awsvault file, whatever its content'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from add list remove clear lock exec export login rotate sso import-aws-vault import-credentials doctor hook use unuse allow deny reload prompt completions hook-env man help" -f -a "reload" -d 'Renew this shell\'s credentials now and retry a failed activation'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from add list remove clear lock exec export login rotate sso import-aws-vault import-credentials doctor hook use unuse allow deny reload prompt completions hook-env man help" -f -a "prompt" -d 'Print a short prompt segment for the active profile, e.g. `will 42m`'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from add list remove clear lock exec export login rotate sso import-aws-vault import-credentials doctor hook use unuse allow deny reload prompt completions hook-env man help" -f -a "completions" -d 'Print a completion script'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from add list remove clear lock exec export login rotate sso import-aws-vault import-credentials doctor hook use unuse allow deny reload prompt completions hook-env man help" -f -a "hook-env" -d 'Run by the shell hook at each prompt (prints statements for the shell)'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from add list remove clear lock exec export login rotate sso import-aws-vault import-credentials doctor hook use unuse allow deny reload prompt completions hook-env man help" -f -a "man" -d 'Write the man pages into DIR (`make man`; committed under man/)'
complete -c vault -n "__fish_vault_using_subcommand help; and not __fish_seen_subcommand_from add list remove clear lock exec export login rotate sso import-aws-vault import-credentials doctor hook use unuse allow deny reload prompt completions hook-env man help" -f -a "help" -d 'Print this message or the help of the given subcommand(s)'
complete -c vault -n "__fish_vault_using_subcommand help; and __fish_seen_subcommand_from sso" -f -a "populate" -d 'Sign in and write one profile per account and role into vault\'s block of ~/.aws/config'

# vault: where a PROFILE goes, derived from cli.rs, for the completer below
# (shell/completions/profiles.fish in vault's repository).
set -g __vault_profile_commands add remove rm clear exec export login rotate use
set -g __vault_opts --backend
set -g __vault_opts_add --region --mfa-serial --backend
set -g __vault_opts_remove --backend
set -g __vault_opts_rm --backend
set -g __vault_opts_clear --backend
set -g __vault_opts_exec --duration -d --region --mfa-token -t --backend
set -g __vault_opts_export --duration -d --region --mfa-token -t --format --backend
set -g __vault_opts_login --duration -d --region --mfa-token -t --path --browser --backend
set -g __vault_opts_rotate --backend
set -g __vault_opts_use --duration -d --region --mfa-token -t --backend

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
