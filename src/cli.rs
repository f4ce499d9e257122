//! The whole command surface, as clap derive structs. No logic lives here; the help texts
//! (examples, set-up lines) are in `cli/help.rs`.

pub mod help;

use clap::error::{ContextKind, ContextValue, ErrorKind};
use clap::{Args, Parser, Subcommand, ValueEnum};

use crate::store::Backend;

#[derive(Debug, Parser)]
#[command(
    name = "vault",
    version,
    about = "Keep AWS credentials in the OS secret store; run commands with short-lived STS credentials",
    propagate_version = true,
    after_help = help::examples(help::VAULT)
)]
pub struct Cli {
    /// `--backend` and `--debug` before the command name (`vault --backend file exec ...`), as
    /// aws-vault users type them. Accepted before any command, as they always were; after the
    /// name only on the commands they change, so `vault hook --help` does not offer them.
    #[command(flatten)]
    pub flags: StoreFlags,

    #[command(subcommand)]
    pub command: Command,
}

/// The flags of the commands that open the secret store (or load profiles).
#[derive(Debug, Args, Clone, Copy, Default)]
pub struct StoreFlags {
    /// Secret store: secret-service, keyutils, file, pass, keychain, wincred [env: VAULT_BACKEND, AWS_VAULT_BACKEND]
    #[arg(long, value_name = "STORE")]
    pub backend: Option<Backend>,

    #[command(flatten)]
    pub debug: DebugFlag,
}

/// `--debug` alone, for the commands that read the config or the file store but choose no store.
#[derive(Debug, Args, Clone, Copy, Default)]
pub struct DebugFlag {
    /// Explain what vault does on stderr (secrets are redacted) [env: VAULT_DEBUG]
    #[arg(long)]
    pub debug: bool,
}

impl Cli {
    /// `--backend` and `--debug` wherever they were given: after the command name wins over
    /// before it for the store; `--debug` in either place turns debugging on.
    pub fn flags(&self) -> StoreFlags {
        let after = self.command.flags();
        StoreFlags {
            backend: after.backend.or(self.flags.backend),
            debug: DebugFlag {
                debug: after.debug.debug || self.flags.debug.debug,
            },
        }
    }
}

/// A parse error with vault's own tip added: `vault exec admin true` (aws-vault users type it)
/// fails on `true`, and the fix is the `--` that clap's usage line only hints at; `vault export
/// -f json` fails on the `-f` that export no longer has.
pub fn explain(err: clap::Error, args: &[String]) -> clap::Error {
    if err.kind() != ErrorKind::UnknownArgument {
        return err;
    }
    let stray = match err.get(ContextKind::InvalidArg) {
        Some(ContextValue::String(stray)) => stray.clone(),
        _ => return err,
    };
    // `-f` was `--format` on export until it got one meaning, `--force` (add, remove,
    // import-aws-vault): scripts and credential_process lines may still say `-f json`.
    let usage = match err.get(ContextKind::Usage) {
        Some(ContextValue::StyledStr(usage)) => usage.to_string(),
        _ => String::new(),
    };
    if stray.starts_with("-f") && usage.contains("vault export ") {
        return suggest(
            err,
            "write `--format` in full (`-f` is `--force` on other commands)",
        );
    }
    if args.iter().any(|a| a == "--") {
        return err;
    }
    let Some(exec_at) = args.iter().skip(1).position(|a| a == "exec").map(|i| i + 1) else {
        return err;
    };
    // A mistyped flag is not a command: clap's own tip about it stands.
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
    suggest(err, &tip)
}

/// `err` with `tip` in place of clap's own.
fn suggest(mut err: clap::Error, tip: &str) -> clap::Error {
    err.insert(
        ContextKind::Suggested,
        ContextValue::StyledStrs(vec![tip.to_string().into()]),
    );
    err
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Store an IAM user's access key in the secret store and add its profile to ~/.aws/config
    #[command(after_help = help::examples(help::ADD))]
    Add(AddArgs),
    /// List profiles, whether keys are stored for them, and cached sessions
    #[command(alias = "ls", after_help = help::examples(help::LIST))]
    List(ListArgs),
    /// Delete a profile's stored keys and its cached sessions
    #[command(alias = "rm", after_help = help::examples(help::REMOVE))]
    Remove(RemoveArgs),
    /// Drop cached sessions and SSO sign-ins (of one profile, or of all)
    #[command(after_help = help::examples(help::CLEAR))]
    Clear(ClearArgs),
    /// Forget the file store's remembered unlock: the next command asks for its passphrase
    #[command(after_help = help::examples(help::LOCK))]
    Lock(DebugFlag),
    /// Run a command with temporary credentials for a profile
    #[command(after_help = help::examples(help::EXEC))]
    Exec(ExecArgs),
    /// Print temporary credentials for a profile, for a shell or another tool
    #[command(after_help = help::examples(help::EXPORT))]
    Export(ExportArgs),
    /// Open the AWS console signed in as a profile
    #[command(after_help = help::examples(help::LOGIN))]
    Login(LoginArgs),
    /// Rotate a profile's access key: create a new one, store it, delete the old one
    #[command(after_help = help::examples(help::ROTATE))]
    Rotate(RotateArgs),
    /// IAM Identity Center: write a profile for every account and role you can reach
    #[command(after_help = help::examples(help::SSO))]
    Sso(SsoArgs),
    /// Copy credentials that aws-vault stored into vault's store (aws-vault's items are only read)
    #[command(after_help = help::examples(help::IMPORT_AWS_VAULT))]
    ImportAwsVault(ImportArgs),
    /// Move long-term keys from the plain-text ~/.aws/credentials into the store, and out of that file
    #[command(after_help = help::examples(help::IMPORT_CREDENTIALS))]
    ImportCredentials(ImportCredentialsArgs),
    /// Check the set-up: the store, the config, the shell hook, the clock, AWS_PROFILE
    ///
    /// Each check is one line; a failed one says how to fix it. Exits 1 when a check fails.
    #[command(after_help = help::examples(help::DOCTOR))]
    Doctor(DoctorArgs),
    /// Print the shell integration: eval "$(vault hook bash)" (set-up lines below)
    #[command(after_help = help::hook())]
    Hook(HookArgs),
    /// Switch this shell to a profile until `vault unuse` (needs the shell hook); no name: pick one
    #[command(after_help = help::examples(help::USE))]
    Use(UseArgs),
    /// Leave the profile chosen with `vault use` and return to folder rules
    #[command(after_help = help::examples(help::UNUSE))]
    Unuse,
    /// Trust a .awsvault file (default: the nearest one above the current folder)
    ///
    /// vault prints every setting the file makes (profile, region, duration, no_session). A file
    /// with no_session = true puts your long-term keys (not a temporary session) into every shell
    /// in its folder: vault asks you to confirm that on the terminal, and without a terminal
    /// refuses unless --allow-no-session is given. The confirmation is part of the record: an
    /// allowance made without it never exports long-term keys.
    #[command(after_help = help::examples(help::ALLOW))]
    Allow(AllowArgs),
    /// Block a .awsvault file, whatever its content
    #[command(after_help = help::examples(help::DENY))]
    Deny(TrustArgs),
    /// Renew this shell's credentials now and retry a failed activation
    #[command(after_help = help::examples(help::RELOAD))]
    Reload(StoreFlags),
    /// Print a short prompt segment for the active profile, e.g. `will 42m`
    #[command(after_help = help::examples(help::PROMPT))]
    Prompt(PromptArgs),
    /// Print a completion script
    #[command(after_help = help::examples(help::COMPLETIONS))]
    Completions(CompletionsArgs),
    /// Run by the shell hook at each prompt (prints statements for the shell)
    #[command(hide = true)]
    HookEnv(HookEnvArgs),
    /// Write the man pages into DIR (`make man`; committed under man/)
    #[command(hide = true)]
    Man(ManArgs),
}

impl Command {
    /// `--backend` and `--debug` as given after the command name (none where it takes none).
    pub fn flags(&self) -> StoreFlags {
        let debug_only = |debug: &DebugFlag| StoreFlags {
            backend: None,
            debug: *debug,
        };
        match self {
            Command::Add(a) => a.store,
            Command::List(a) => a.store,
            Command::Remove(a) => a.store,
            Command::Clear(a) => a.store,
            Command::Lock(debug) => debug_only(debug),
            Command::Exec(a) => a.store,
            Command::Export(a) => a.store,
            Command::Login(a) => a.store,
            Command::Rotate(a) => a.store,
            Command::Sso(a) => match &a.command {
                SsoCommand::Populate(a) => a.store,
            },
            Command::ImportAwsVault(a) => a.store,
            Command::ImportCredentials(a) => a.store,
            Command::Doctor(a) => a.store,
            Command::Use(a) => a.store,
            Command::Allow(a) => debug_only(&a.debug),
            Command::Reload(store) => *store,
            Command::HookEnv(a) => a.store,
            Command::Hook(_)
            | Command::Unuse
            | Command::Deny(_)
            | Command::Prompt(_)
            | Command::Completions(_)
            | Command::Man(_) => StoreFlags::default(),
        }
    }
}

#[derive(Debug, Args)]
pub struct ManArgs {
    /// Folder to write vault.1 and one page per command into
    pub dir: std::path::PathBuf,
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
    #[command(flatten)]
    pub store: StoreFlags,
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
    #[command(flatten)]
    pub store: StoreFlags,
}

#[derive(Debug, Args)]
pub struct TrustArgs {
    /// A .awsvault file or the folder holding it
    pub path: Option<std::path::PathBuf>,
}

/// `vault allow`: what it shows, and the one setting it never allows without asking, are in
/// its long help (the doc comment of `Command::Allow`).
#[derive(Debug, Args)]
pub struct AllowArgs {
    /// A .awsvault file or the folder holding it
    pub path: Option<std::path::PathBuf>,
    /// Allow `no_session = true` (long-term keys in the shell) without asking
    #[arg(long)]
    pub allow_no_session: bool,
    #[command(flatten)]
    pub debug: DebugFlag,
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
    #[command(flatten)]
    pub store: StoreFlags,
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
    #[command(flatten)]
    pub store: StoreFlags,
}

#[derive(Debug, Args)]
pub struct RemoveArgs {
    /// Profile whose keys to delete
    pub profile: String,
    /// Do not ask for confirmation
    #[arg(short, long)]
    pub force: bool,
    #[command(flatten)]
    pub store: StoreFlags,
}

#[derive(Debug, Args)]
pub struct ClearArgs {
    /// Profile whose sessions to drop (default: every profile in the config)
    pub profile: Option<String>,
    #[command(flatten)]
    pub store: StoreFlags,
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
    #[command(flatten)]
    pub store: StoreFlags,
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
    #[command(flatten)]
    pub store: StoreFlags,
}

#[derive(Debug, Args)]
pub struct RotateArgs {
    /// Profile whose stored access key to rotate
    pub profile: String,
    /// Use the stored keys directly for the IAM calls (no session, no MFA)
    #[arg(short = 'n', long)]
    pub no_session: bool,
    #[command(flatten)]
    pub store: StoreFlags,
}

#[derive(Debug, Args)]
pub struct ImportArgs {
    /// Profiles to import (default: every profile in the config that aws-vault has keys for)
    pub profiles: Vec<String>,
    /// Where aws-vault keeps its items: secret-service, keyutils (keyctl), file, pass or wincred (keychain is not supported yet)
    #[arg(long, value_name = "STORE")]
    pub from: Option<Backend>,
    /// Replace keys vault already has for a profile
    #[arg(short, long)]
    pub force: bool,
    #[command(flatten)]
    pub store: StoreFlags,
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
    #[arg(short, long)]
    pub force: bool,
    /// Keep the file's previous content beside it, in CREDENTIALS.vault-backup (mode 0600)
    #[arg(long)]
    pub keep_backup: bool,
    /// Say what would be stored and removed, and change nothing
    #[arg(long)]
    pub dry_run: bool,
    #[command(flatten)]
    pub store: StoreFlags,
}

#[derive(Debug, Args)]
pub struct DoctorArgs {
    /// Print ok/FAIL instead of ✔/✗ (also when the terminal's locale is not UTF-8)
    #[arg(long)]
    pub ascii: bool,
    #[command(flatten)]
    pub store: StoreFlags,
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
    /// Output format (no short form: `-f` is `--force` elsewhere)
    #[arg(long, value_enum, default_value_t = ExportFormat::Env)]
    pub format: ExportFormat,
    #[command(flatten)]
    pub store: StoreFlags,
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
    ///
    /// Running it again changes nothing when nothing changed; profiles outside the block are
    /// never touched, and a name clash with one is reported. See docs/sso.md.
    #[command(after_help = help::examples(help::SSO_POPULATE))]
    Populate(SsoPopulateArgs),
}

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
    /// Profile names: placeholders in braces ({account_name} {account_id} {account_email}
    /// {role_name} {sso_session}), normalised to what the AWS CLI accepts
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
    #[command(flatten)]
    pub store: StoreFlags,
}
