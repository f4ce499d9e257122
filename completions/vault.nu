# Plain `vault` and `vault use`, `unuse`, `reload`, `allow`, `deny` have no extern here:
# the shell glue's `vault` command (`vault hook nu`) runs them and applies what they
# print, and an extern would shadow it.
module completions {

  # vault's PROFILE completer for nushell: the externs `vault completions nu` prints after it name
  # it for each PROFILE argument.
  # Profile names come from the AWS config file (AWS_CONFIG_FILE, else ~/.aws/config):
  # `vault list --profiles` reads it at each completion, so new profiles show up at once.
  def "nu-complete vault profile" [] {
    ^vault list --profiles | complete | get stdout | lines
  }

  # Store an IAM user's access key in the secret store and add its profile to ~/.aws/config
  export extern "vault add" [
    --env                     # Take the keys from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY instead of prompting
    --force(-f)               # Replace keys already stored for this profile
    --no-add-config           # Do not add `[profile NAME]` to the config file
    --region: string          # Region for a new profile's section (instead of asking)
    --mfa-serial: string      # MFA device ARN for a new profile's section (instead of asking)
    --backend: string         # Secret store: secret-service, keyutils, file, pass, keychain, wincred [env: VAULT_BACKEND, AWS_VAULT_BACKEND]
    --debug                   # Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]
    --help(-h)                # Print help
    --version(-V)             # Print version
    profile: string@"nu-complete vault profile" # Profile name (becomes `[profile NAME]` in ~/.aws/config)
  ]

  # List profiles, whether keys are stored for them, and cached sessions
  export extern "vault list" [
    --profiles                # Print only profile names
    --credentials             # Print only the names of profiles whose keys are stored
    --sessions                # Print only cached sessions and SSO sign-ins, one `PROFILE: KIND TIME left` a line
    --backend: string         # Secret store: secret-service, keyutils, file, pass, keychain, wincred [env: VAULT_BACKEND, AWS_VAULT_BACKEND]
    --debug                   # Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]
    --help(-h)                # Print help
    --version(-V)             # Print version
  ]

  # Delete a profile's stored keys and its cached sessions
  export extern "vault remove" [
    --force(-f)               # Do not ask for confirmation
    --backend: string         # Secret store: secret-service, keyutils, file, pass, keychain, wincred [env: VAULT_BACKEND, AWS_VAULT_BACKEND]
    --debug                   # Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]
    --help(-h)                # Print help
    --version(-V)             # Print version
    profile: string@"nu-complete vault profile" # Profile whose keys to delete
  ]

  # Drop cached sessions and SSO sign-ins (of one profile, or of all)
  export extern "vault clear" [
    --backend: string         # Secret store: secret-service, keyutils, file, pass, keychain, wincred [env: VAULT_BACKEND, AWS_VAULT_BACKEND]
    --debug                   # Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]
    --help(-h)                # Print help
    --version(-V)             # Print version
    profile?: string@"nu-complete vault profile" # Profile whose sessions to drop (default: every profile in the config)
  ]

  # Forget the file store's remembered unlock: the next command asks for its passphrase
  export extern "vault lock" [
    --debug                   # Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]
    --help(-h)                # Print help
    --version(-V)             # Print version
  ]

  # Run a command with temporary credentials for a profile
  export extern "vault exec" [
    --pick                    # Choose the profile in a picker on the terminal, even when AWS_PROFILE is set
    --no-session(-n)          # Use the stored long-term keys directly (no GetSessionToken)
    --duration(-d): string    # Lifetime of the session or role credentials, e.g. 15m, 1h, 12h (also the session in front of roles; STS's limits are checked first: sessions 15m-36h, roles 15m-12h, 1h chained)
    --region: string          # Region to use (overrides the profile's region)
    --mfa-token(-t): string   # MFA code to use instead of asking
    --server(-s)              # Serve credentials to the child from a local endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI) that renews them, instead of putting them in its environment
    --profile-env             # Set AWS_PROFILE for CMD instead of putting credentials in its environment (after checking they can be had), as aws-vault does; also AWS_VAULT_PROFILE_ENV
    --backend: string         # Secret store: secret-service, keyutils, file, pass, keychain, wincred [env: VAULT_BACKEND, AWS_VAULT_BACKEND]
    --debug                   # Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]
    --help(-h)                # Print help
    --version(-V)             # Print version
    profile?: string@"nu-complete vault profile" # Profile to run as (default: $AWS_PROFILE; neither: pick one on the terminal)
  ]

  def "nu-complete vault export format" [] {
    [ "env" "json" "ini" "bash" "zsh" "fish" "pwsh" "nu" ]
  }

  # Print temporary credentials for a profile, for a shell or another tool
  export extern "vault export" [
    --pick                    # Choose the profile in a picker on the terminal, even when AWS_PROFILE is set
    --no-session(-n)          # Use the stored long-term keys directly (no GetSessionToken)
    --duration(-d): string    # Lifetime of the session or role credentials, e.g. 15m, 1h, 12h (also the session in front of roles; STS's limits are checked first: sessions 15m-36h, roles 15m-12h, 1h chained)
    --region: string          # Region to use (overrides the profile's region)
    --mfa-token(-t): string   # MFA code to use instead of asking
    --format: string@"nu-complete vault export format" # Output format (no short form: `-f` is `--force` elsewhere)
    --backend: string         # Secret store: secret-service, keyutils, file, pass, keychain, wincred [env: VAULT_BACKEND, AWS_VAULT_BACKEND]
    --debug                   # Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]
    --help(-h)                # Print help (see more with '--help')
    --version(-V)             # Print version
    profile?: string@"nu-complete vault profile" # Profile to export (default: $AWS_PROFILE; neither: pick one on the terminal)
  ]

  # Open the AWS console signed in as a profile
  export extern "vault login" [
    --pick                    # Choose the profile in a picker on the terminal, even when AWS_PROFILE is set
    --no-session(-n)          # Use the stored long-term keys directly (no GetSessionToken)
    --duration(-d): string    # Lifetime of the session or role credentials, e.g. 15m, 1h, 12h (also the session in front of roles; STS's limits are checked first: sessions 15m-36h, roles 15m-12h, 1h chained)
    --region: string          # Region to use (overrides the profile's region)
    --mfa-token(-t): string   # MFA code to use instead of asking
    --path: string            # Console page to open, e.g. /s3/home or /ec2/home
    --stdout                  # Print the sign-in URL instead of opening a browser
    --browser: string         # Browser to open: firefox-container, chrome-profile, chromium-profile, edge-profile or brave-profile (one container or browser profile per vault profile), a browser's name, or a command (%s: the URL) [env: VAULT_LOGIN_BROWSER]
    --backend: string         # Secret store: secret-service, keyutils, file, pass, keychain, wincred [env: VAULT_BACKEND, AWS_VAULT_BACKEND]
    --debug                   # Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]
    --help(-h)                # Print help
    --version(-V)             # Print version
    profile?: string@"nu-complete vault profile" # Profile to sign in as (default: $AWS_PROFILE; neither: pick one on the terminal)
  ]

  # Rotate a profile's access key: create a new one, store it, delete the old one
  export extern "vault rotate" [
    --no-session(-n)          # Use the stored keys directly for the IAM calls (no session, no MFA)
    --backend: string         # Secret store: secret-service, keyutils, file, pass, keychain, wincred [env: VAULT_BACKEND, AWS_VAULT_BACKEND]
    --debug                   # Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]
    --help(-h)                # Print help
    --version(-V)             # Print version
    profile: string@"nu-complete vault profile" # Profile whose stored access key to rotate
  ]

  # IAM Identity Center: write a profile for every account and role you can reach
  export extern "vault sso" [
    --help(-h)                # Print help
    --version(-V)             # Print version
  ]

  # Sign in and write one profile per account and role into vault's block of ~/.aws/config
  export extern "vault sso populate" [
    --start-url: string       # Create the sso-session (in vault's block) with this start URL
    --region: string          # The new sso-session's IAM Identity Center region
    --template: string        # Profile names: placeholders in braces ({account_name} {account_id} {account_email} {role_name} {sso_session}), normalised to what the AWS CLI accepts
    --profile-region: string  # The profiles' `region` (default: the sso-session's sso_region)
    --prune                   # Remove profiles in vault's block whose account or role is no longer listed
    --dry-run                 # Print the change as a diff and write nothing
    --use-device-code         # Sign in with a code shown here and typed on any device, not a browser redirect
    --backend: string         # Secret store: secret-service, keyutils, file, pass, keychain, wincred [env: VAULT_BACKEND, AWS_VAULT_BACKEND]
    --debug                   # Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]
    --help(-h)                # Print help (see more with '--help')
    --version(-V)             # Print version
    sso_session?: string      # The [sso-session] to list (default: the config's only one)
  ]

  # Print this message or the help of the given subcommand(s)
  export extern "vault sso help" [
  ]

  # Sign in and write one profile per account and role into vault's block of ~/.aws/config
  export extern "vault sso help populate" [
  ]

  # Print this message or the help of the given subcommand(s)
  export extern "vault sso help help" [
  ]

  # Copy credentials that aws-vault stored into vault's store (aws-vault's items are only read)
  export extern "vault import-aws-vault" [
    --from: string            # Where aws-vault keeps its items: secret-service, keyutils (keyctl), file, pass or wincred (keychain is not supported yet)
    --force(-f)               # Replace keys vault already has for a profile
    --backend: string         # Secret store: secret-service, keyutils, file, pass, keychain, wincred [env: VAULT_BACKEND, AWS_VAULT_BACKEND]
    --debug                   # Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]
    --help(-h)                # Print help
    --version(-V)             # Print version
    ...profiles: string       # Profiles to import (default: every profile in the config that aws-vault has keys for)
  ]

  # Move long-term keys from the plain-text ~/.aws/credentials into the store, and out of that file
  export extern "vault import-credentials" [
    --force(-f)               # Replace other keys already stored for a profile
    --keep-backup             # Keep the file's previous content beside it, in CREDENTIALS.vault-backup (mode 0600)
    --dry-run                 # Say what would be stored and removed, and change nothing
    --backend: string         # Secret store: secret-service, keyutils, file, pass, keychain, wincred [env: VAULT_BACKEND, AWS_VAULT_BACKEND]
    --debug                   # Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]
    --help(-h)                # Print help
    --version(-V)             # Print version
    ...profiles: string       # Profiles to move (default: every profile in the file with long-term keys)
  ]

  # Check the set-up: the store, the config, the shell hook, the clock, AWS_PROFILE
  export extern "vault doctor" [
    --ascii                   # Print ok/FAIL instead of ✔/✗ (also when the terminal's locale is not UTF-8)
    --backend: string         # Secret store: secret-service, keyutils, file, pass, keychain, wincred [env: VAULT_BACKEND, AWS_VAULT_BACKEND]
    --debug                   # Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]
    --help(-h)                # Print help (see more with '--help')
    --version(-V)             # Print version
  ]

  def "nu-complete vault hook shell" [] {
    [ "bash" "zsh" "fish" "pwsh" "nu" ]
  }

  # Print the shell integration: eval "$(vault hook bash)" (set-up lines below)
  export extern "vault hook" [
    --help(-h)                # Print help
    --version(-V)             # Print version
    shell: string@"nu-complete vault hook shell"
  ]

  # Print a short prompt segment for the active profile, e.g. `will 42m`
  export extern "vault prompt" [
    --format: string          # Template with {profile}, {region} and {remaining}
    --help(-h)                # Print help
    --version(-V)             # Print version
  ]

  def "nu-complete vault completions shell" [] {
    [ "bash" "zsh" "fish" "powershell" "nu" ]
  }

  # Print a completion script
  export extern "vault completions" [
    --help(-h)                # Print help
    --version(-V)             # Print version
    shell: string@"nu-complete vault completions shell" # bash, zsh, fish, powershell or nu
  ]

  def "nu-complete vault hook-env shell" [] {
    [ "bash" "zsh" "fish" "pwsh" "nu" ]
  }

  # Run by the shell hook at each prompt (prints statements for the shell)
  export extern "vault hook-env" [
    --force                   # Renew now and retry failures (what `vault reload` does)
    --backend: string         # Secret store: secret-service, keyutils, file, pass, keychain, wincred [env: VAULT_BACKEND, AWS_VAULT_BACKEND]
    --debug                   # Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]
    --help(-h)                # Print help
    --version(-V)             # Print version
    shell: string@"nu-complete vault hook-env shell"
  ]

  # Write the man pages into DIR (`make man`; committed under man/)
  export extern "vault man" [
    --help(-h)                # Print help
    --version(-V)             # Print version
    dir: path                 # Folder to write vault.1 and one page per command into
  ]

  # Print this message or the help of the given subcommand(s)
  export extern "vault help" [
  ]

  # Store an IAM user's access key in the secret store and add its profile to ~/.aws/config
  export extern "vault help add" [
  ]

  # List profiles, whether keys are stored for them, and cached sessions
  export extern "vault help list" [
  ]

  # Delete a profile's stored keys and its cached sessions
  export extern "vault help remove" [
  ]

  # Drop cached sessions and SSO sign-ins (of one profile, or of all)
  export extern "vault help clear" [
  ]

  # Forget the file store's remembered unlock: the next command asks for its passphrase
  export extern "vault help lock" [
  ]

  # Run a command with temporary credentials for a profile
  export extern "vault help exec" [
  ]

  # Print temporary credentials for a profile, for a shell or another tool
  export extern "vault help export" [
  ]

  # Open the AWS console signed in as a profile
  export extern "vault help login" [
  ]

  # Rotate a profile's access key: create a new one, store it, delete the old one
  export extern "vault help rotate" [
  ]

  # IAM Identity Center: write a profile for every account and role you can reach
  export extern "vault help sso" [
  ]

  # Sign in and write one profile per account and role into vault's block of ~/.aws/config
  export extern "vault help sso populate" [
  ]

  # Copy credentials that aws-vault stored into vault's store (aws-vault's items are only read)
  export extern "vault help import-aws-vault" [
  ]

  # Move long-term keys from the plain-text ~/.aws/credentials into the store, and out of that file
  export extern "vault help import-credentials" [
  ]

  # Check the set-up: the store, the config, the shell hook, the clock, AWS_PROFILE
  export extern "vault help doctor" [
  ]

  # Print the shell integration: eval "$(vault hook bash)" (set-up lines below)
  export extern "vault help hook" [
  ]

  # Switch this shell to a profile until `vault unuse` (needs the shell hook); no name: pick one
  export extern "vault help use" [
  ]

  # Leave the profile chosen with `vault use` and return to folder rules
  export extern "vault help unuse" [
  ]

  # Trust a .awsvault file (default: the nearest one above the current folder)
  export extern "vault help allow" [
  ]

  # Block a .awsvault file, whatever its content
  export extern "vault help deny" [
  ]

  # Renew this shell's credentials now and retry a failed activation
  export extern "vault help reload" [
  ]

  # Print a short prompt segment for the active profile, e.g. `will 42m`
  export extern "vault help prompt" [
  ]

  # Print a completion script
  export extern "vault help completions" [
  ]

  # Run by the shell hook at each prompt (prints statements for the shell)
  export extern "vault help hook-env" [
  ]

  # Write the man pages into DIR (`make man`; committed under man/)
  export extern "vault help man" [
  ]

  # Print this message or the help of the given subcommand(s)
  export extern "vault help help" [
  ]

}

export use completions *
