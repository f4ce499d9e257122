//! The whole command surface, as clap derive structs. No logic lives here.

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::store::Backend;

#[derive(Debug, Parser)]
#[command(
    name = "vault",
    version,
    about = "Keep AWS credentials in the OS secret store; run commands with short-lived STS credentials",
    propagate_version = true
)]
pub struct Cli {
    /// Secret store: secret-service, keyutils, file, pass, keychain, wincred [env: VAULT_BACKEND, AWS_VAULT_BACKEND]
    #[arg(long, global = true, value_name = "STORE")]
    pub backend: Option<Backend>,

    /// Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]
    #[arg(long, global = true)]
    pub debug: bool,

    #[command(subcommand)]
    pub command: Command,
}

/// A parse error with vault's own tip added: `vault exec admin true` (aws-vault users type it)
/// fails on `true`, and the fix is the `--` that clap's usage line only hints at.
pub fn explain(mut err: clap::Error, args: &[String]) -> clap::Error {
    if err.kind() != ErrorKind::UnknownArgument || args.iter().any(|a| a == "--") {
        return err;
    }
    let Some(exec_at) = args.iter().skip(1).position(|a| a == "exec").map(|i| i + 1) else {
        return err;
    };
    // A mistyped flag is not a command: clap's own tip about it stands.
    let Some(ContextValue::String(stray)) = err.get(ContextKind::InvalidArg).cloned() else {
        return err;
    };
    if stray.starts_with('-') {
        return err;
    }
    // The stray word comes after `exec PROFILE`; from it on is the command meant to run.
    let Some(from) = (exec_at + 2..args.len()).find(|&i| args[i] == stray) else {
        return err;
    };
    let tip = format!(
        "put `--` before the command to run: vault {} -- {}",
        args[1..from].join(" "),
        args[from..].join(" ")
    );
    err.insert(
        ContextKind::Suggested,
        ContextValue::StyledStrs(vec![tip.into()]),
    );
    err
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Store an IAM user's access key in the secret store and add its profile to ~/.aws/config
    Add(AddArgs),
    /// List profiles, whether keys are stored for them, and cached sessions
    #[command(alias = "ls")]
    List(ListArgs),
    /// Delete a profile's stored keys and its cached sessions
    #[command(alias = "rm")]
    Remove(RemoveArgs),
    /// Drop cached sessions and SSO sign-ins (of one profile, or of all)
    Clear(ClearArgs),
    /// Forget the file store's remembered unlock: the next command asks for its passphrase
    Lock,
    /// Run a command with temporary credentials for a profile
    Exec(ExecArgs),
    /// Print temporary credentials for a profile, for a shell or another tool
    Export(ExportArgs),
    /// Open the AWS console signed in as a profile
    Login(LoginArgs),
    /// Rotate a profile's access key: create a new one, store it, delete the old one
    Rotate(RotateArgs),
    /// IAM Identity Center: write a profile for every account and role you can reach
    Sso(SsoArgs),
    /// Copy credentials that aws-vault stored into vault's store (aws-vault's items are only read)
    ImportAwsVault(ImportArgs),
    /// Move long-term keys from the plain-text ~/.aws/credentials into the store, and out of that file
    ImportCredentials(ImportCredentialsArgs),
    /// Check the set-up: the store, the config, the shell hook, the clock, AWS_PROFILE
    Doctor(DoctorArgs),
    /// Print the shell integration: eval "$(vault hook bash)" (see README)
    Hook(HookArgs),
    /// Switch this shell to a profile until `vault unuse` (needs the shell hook); no name: show what is active
    Use(UseArgs),
    /// Leave the profile chosen with `vault use` and return to folder rules
    Unuse,
    /// Trust a .awsvault file (default: the nearest one above the current folder)
    Allow(AllowArgs),
    /// Block a .awsvault file, whatever its content
    Deny(TrustArgs),
    /// Renew this shell's credentials now and retry a failed activation
    Reload,
    /// Print a short prompt segment for the active profile, e.g. `will 42m`
    Prompt(PromptArgs),
    /// Print a completion script
    Completions(CompletionsArgs),
    /// Run by the shell hook at each prompt (prints statements for the shell)
    #[command(hide = true)]
    HookEnv(HookEnvArgs),
}

/// The shells vault integrates with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ShellName {
    Bash,
    Zsh,
    Fish,
    #[value(alias = "powershell")]
    Pwsh,
    #[value(alias = "nushell")]
    Nu,
}

impl From<ShellName> for crate::shell::Shell {
    fn from(name: ShellName) -> Self {
        use crate::shell::Shell;
        match name {
            ShellName::Bash => Shell::Bash,
            ShellName::Zsh => Shell::Zsh,
            ShellName::Fish => Shell::Fish,
            ShellName::Pwsh => Shell::Pwsh,
            ShellName::Nu => Shell::Nu,
        }
    }
}

#[derive(Debug, Args)]
pub struct HookArgs {
    pub shell: ShellName,
}

#[derive(Debug, Args)]
pub struct HookEnvArgs {
    pub shell: ShellName,
    /// Renew now and retry failures (what `vault reload` does)
    #[arg(long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct UseArgs {
    /// Profile to switch to (none: choose in a picker on a terminal, else show what is active)
    pub profile: Option<String>,
    /// Choose the profile in a picker on the terminal (type to filter, Enter to choose)
    #[arg(long, conflicts_with = "profile")]
    pub pick: bool,
    /// Only say what is active in this shell, and why
    #[arg(long, conflicts_with_all = ["profile", "pick"])]
    pub status: bool,
    #[command(flatten)]
    pub creds: CredentialArgs,
}

#[derive(Debug, Args)]
pub struct TrustArgs {
    /// A .awsvault file or the folder holding it
    pub path: Option<std::path::PathBuf>,
}

/// `vault allow`: what it shows, and the one setting it never allows without asking.
#[derive(Debug, Args)]
#[command(
    after_help = "vault prints every setting the file makes (profile, region, duration, \
no_session). A file with no_session = true puts your long-term keys (not a temporary session) \
into every shell in its folder: vault asks you to confirm that on the terminal, and without a \
terminal refuses unless --allow-no-session is given. The confirmation is part of the record: \
an allowance made without it never exports long-term keys."
)]
pub struct AllowArgs {
    /// A .awsvault file or the folder holding it
    pub path: Option<std::path::PathBuf>,
    /// Allow `no_session = true` (long-term keys in the shell) without asking
    #[arg(long)]
    pub allow_no_session: bool,
}

#[derive(Debug, Args)]
pub struct PromptArgs {
    /// Template with {profile}, {region} and {remaining}
    #[arg(long, default_value = "{profile} {remaining}")]
    pub format: String,
}

#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// bash, zsh, fish, powershell or nu
    pub shell: CompletionShell,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum CompletionShell {
    Bash,
    Zsh,
    Fish,
    #[value(alias = "pwsh")]
    Powershell,
    #[value(alias = "nushell")]
    Nu,
}

#[derive(Debug, Args)]
pub struct AddArgs {
    /// Profile name (becomes `[profile NAME]` in ~/.aws/config)
    pub profile: String,
    /// Take the keys from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY instead of prompting
    #[arg(long)]
    pub env: bool,
    /// Replace keys already stored for this profile
    #[arg(short, long)]
    pub force: bool,
    /// Do not add `[profile NAME]` to the config file
    #[arg(long)]
    pub no_add_config: bool,
    /// Region for a new profile's section (instead of asking)
    #[arg(long, value_name = "REGION", conflicts_with = "no_add_config")]
    pub region: Option<String>,
    /// MFA device ARN for a new profile's section (instead of asking)
    #[arg(long, value_name = "ARN", conflicts_with = "no_add_config")]
    pub mfa_serial: Option<String>,
}

#[derive(Debug, Args)]
pub struct ListArgs {
    /// Print only profile names
    #[arg(long, conflicts_with = "credentials")]
    pub profiles: bool,
    /// Print only the names of profiles whose keys are stored
    #[arg(long, conflicts_with = "sessions")]
    pub credentials: bool,
    /// Print only cached sessions and SSO sign-ins, one `PROFILE: KIND TIME left` a line
    #[arg(long, conflicts_with = "profiles")]
    pub sessions: bool,
}

#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// Profile whose keys to delete
    pub profile: String,
    /// Do not ask for confirmation
    #[arg(short, long)]
    pub force: bool,
}

#[derive(Debug, Args)]
pub struct ClearArgs {
    /// Profile whose sessions to drop (default: every profile in the config)
    pub profile: Option<String>,
}

/// Flags shared by every command that fetches credentials.
#[derive(Debug, Args, Clone, Default)]
pub struct CredentialArgs {
    /// Use the stored long-term keys directly (no GetSessionToken)
    #[arg(short = 'n', long)]
    pub no_session: bool,
    /// Lifetime of the session or role credentials, e.g. 15m, 1h, 12h (also the session in
    /// front of roles; STS's limits are checked first: sessions 15m-36h, roles 15m-12h, 1h chained)
    #[arg(short, long, value_parser = crate::settings::parse_duration, value_name = "DURATION")]
    pub duration: Option<std::time::Duration>,
    /// Region to use (overrides the profile's region)
    #[arg(long, value_name = "REGION")]
    pub region: Option<String>,
    /// MFA code to use instead of asking
    #[arg(short = 't', long, value_name = "CODE")]
    pub mfa_token: Option<String>,
}

#[derive(Debug, Args)]
pub struct ExecArgs {
    /// Profile to run as (default: $AWS_PROFILE; neither: pick one on the terminal)
    #[arg(env = "AWS_PROFILE", hide_env = true)]
    pub profile: Option<String>,
    /// Choose the profile in a picker on the terminal, even when AWS_PROFILE is set
    #[arg(long)]
    pub pick: bool,
    #[command(flatten)]
    pub creds: CredentialArgs,
    /// Serve credentials to the child from a local endpoint (AWS_CONTAINER_CREDENTIALS_FULL_URI)
    /// that renews them, instead of putting them in its environment
    #[arg(short = 's', long)]
    pub server: bool,
    /// Set AWS_PROFILE for CMD instead of putting credentials in its environment (after
    /// checking they can be had), as aws-vault does; also AWS_VAULT_PROFILE_ENV
    #[arg(long, conflicts_with = "server")]
    pub profile_env: bool,
    /// Command and arguments to run (default: $SHELL)
    #[arg(last = true, value_name = "CMD")]
    pub command: Vec<String>,
}

#[derive(Debug, Args)]
pub struct LoginArgs {
    /// Profile to sign in as (default: $AWS_PROFILE; neither: pick one on the terminal)
    #[arg(env = "AWS_PROFILE", hide_env = true)]
    pub profile: Option<String>,
    /// Choose the profile in a picker on the terminal, even when AWS_PROFILE is set
    #[arg(long)]
    pub pick: bool,
    #[command(flatten)]
    pub creds: CredentialArgs,
    /// Console page to open, e.g. /s3/home or /ec2/home
    #[arg(long, value_name = "PAGE")]
    pub path: Option<String>,
    /// Print the sign-in URL instead of opening a browser
    #[arg(long, conflicts_with = "browser")]
    pub stdout: bool,
    /// Browser to open: firefox-container, chrome-profile, chromium-profile, edge-profile or
    /// brave-profile (one container or browser profile per vault profile), a browser's name,
    /// or a command (%s: the URL) [env: VAULT_LOGIN_BROWSER]
    #[arg(long, value_name = "NAME|COMMAND")]
    pub browser: Option<String>,
}

#[derive(Debug, Args)]
pub struct RotateArgs {
    /// Profile whose stored access key to rotate
    pub profile: String,
    /// Use the stored keys directly for the IAM calls (no session, no MFA)
    #[arg(short = 'n', long)]
    pub no_session: bool,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Profiles to import (default: every profile in the config that aws-vault has keys for)
    pub profiles: Vec<String>,
    /// Where aws-vault keeps its items: secret-service, keyutils (keyctl), file or pass (keychain and wincred are not supported yet)
    #[arg(long, value_name = "STORE")]
    pub from: Option<Backend>,
    /// Replace keys vault already has for a profile
    #[arg(short, long)]
    pub force: bool,
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  vault import-credentials --dry-run      show what would move, change nothing
  vault import-credentials                move every profile's long-term keys
  vault import-credentials work --keep-backup

The keys are stored first; only then is the file rewritten (atomically, its mode kept), without
the moved profiles' aws_access_key_id and aws_secret_access_key lines. Everything else in it
stays. Profiles with a session token (temporary keys) are skipped. AWS_SHARED_CREDENTIALS_FILE
names another file.")]
pub struct ImportCredentialsArgs {
    /// Profiles to move (default: every profile in the file with long-term keys)
    pub profiles: Vec<String>,
    /// Replace other keys already stored for a profile
    #[arg(long)]
    pub force: bool,
    /// Keep the file's previous content beside it, in CREDENTIALS.vault-backup (mode 0600)
    #[arg(long)]
    pub keep_backup: bool,
    /// Say what would be stored and removed, and change nothing
    #[arg(long)]
    pub dry_run: bool,
}

#[derive(Debug, Args)]
#[command(after_help = "Examples:
  vault doctor
  vault doctor --ascii      ok/FAIL instead of ✔/✗

Each check is one line; a failed one says how to fix it. Exits 1 when a check fails.")]
pub struct DoctorArgs {
    /// Print ok/FAIL instead of ✔/✗ (also when the terminal's locale is not UTF-8)
    #[arg(long)]
    pub ascii: bool,
}

#[derive(Debug, Args)]
pub struct ExportArgs {
    /// Profile to export (default: $AWS_PROFILE; neither: pick one on the terminal)
    #[arg(env = "AWS_PROFILE", hide_env = true)]
    pub profile: Option<String>,
    /// Choose the profile in a picker on the terminal, even when AWS_PROFILE is set
    #[arg(long)]
    pub pick: bool,
    #[command(flatten)]
    pub creds: CredentialArgs,
    /// Output format
    #[arg(short, long, value_enum, default_value_t = ExportFormat::Env)]
    pub format: ExportFormat,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ExportFormat {
    /// KEY=value lines (dotenv)
    Env,
    /// The credential_process JSON shape
    Json,
    /// An ~/.aws/credentials section
    Ini,
    /// `export`/`unset` statements for bash
    Bash,
    /// `export`/`unset` statements for zsh
    Zsh,
    /// `set -gx`/`set -e` statements for fish
    Fish,
    /// `$env:` statements for PowerShell
    Pwsh,
    /// A JSON record for nushell's `load-env`
    Nu,
}

#[derive(Debug, Args)]
pub struct SsoArgs {
    #[command(subcommand)]
    pub command: SsoCommand,
}

#[derive(Debug, Subcommand)]
pub enum SsoCommand {
    /// Sign in and write one profile per account and role into vault's block of ~/.aws/config
    #[command(after_help = SSO_POPULATE_EXAMPLES)]
    Populate(SsoPopulateArgs),
}

const SSO_POPULATE_EXAMPLES: &str = "\
Examples:
  vault sso populate                      the config's only [sso-session]
  vault sso populate corp --dry-run       show the change to ~/.aws/config, write nothing
  vault sso populate corp --prune         also drop profiles whose role is gone
  vault sso populate --start-url https://my-org.awsapps.com/start --region eu-west-1
  vault sso populate corp --template '{account_name}-{role_name}' --profile-region us-east-1

Placeholders: {account_name} {account_id} {account_email} {role_name} {sso_session}
See docs/sso.md.";

#[derive(Debug, Args)]
pub struct SsoPopulateArgs {
    /// The [sso-session] to list (default: the config's only one)
    pub sso_session: Option<String>,
    /// Create the sso-session (in vault's block) with this start URL
    #[arg(long, value_name = "URL", requires = "region")]
    pub start_url: Option<String>,
    /// The new sso-session's IAM Identity Center region
    #[arg(long, value_name = "REGION", requires = "start_url")]
    pub region: Option<String>,
    /// Profile names: placeholders in braces, normalised to what the AWS CLI accepts
    #[arg(long, default_value = crate::profile::name_template::DEFAULT)]
    pub template: String,
    /// The profiles' `region` (default: the sso-session's sso_region)
    #[arg(long, value_name = "REGION")]
    pub profile_region: Option<String>,
    /// Remove profiles in vault's block whose account or role is no longer listed
    #[arg(long)]
    pub prune: bool,
    /// Print the change as a diff and write nothing
    #[arg(long)]
    pub dry_run: bool,
    /// Sign in with a code shown here and typed on any device, not a browser redirect
    #[arg(long)]
    pub use_device_code: bool,
}
