//! The text after each command's flags in `--help`: an "Examples:" block for every command,
//! and the set-up line for each shell under `vault hook`. Prose belongs in the command's doc
//! comment (its long about), not here.
//!
//! The man pages are made from the same text, so it keeps a shape `cmd/man.rs` reads back:
//! blocks separated by a blank line, each opening with an unindented `Heading:` line (a man
//! section of that name), then indented lines kept as they are. Lines stay under 80 columns, so
//! no terminal wraps them (clap wraps after_help at the terminal's width).

use clap::builder::Styles;

/// One example: what it does (a `#` comment line, so the block pastes into a shell), then the
/// command line (a long one continued with `\` and a line break).
pub type Example = (&'static str, &'static str);

/// The "Examples:" block, its heading styled as clap styles "Usage:" and "Options:".
pub fn examples(list: &[Example]) -> String {
    let mut out = heading("Examples");
    for (what, line) in list {
        let line = line.replace('\n', "\n  ");
        out.push_str(&format!("\n  # {what}\n  {line}"));
    }
    out
}

/// `vault hook --help`: the line each shell's startup file needs (README's "Shell set-up"
/// table, and docs/shells.md for nushell's two steps), then the examples.
pub fn hook() -> String {
    let mut out = heading("Set-up");
    out.push_str("\n  Add the line for your shell at the end of its startup file:");
    for (shell, file, lines) in SETUP {
        out.push_str(&format!("\n  {shell} ({file}):"));
        for line in *lines {
            out.push_str(&format!("\n    {line}"));
        }
    }
    format!("{out}\n\n{}", examples(HOOK))
}

fn heading(name: &str) -> String {
    let style = Styles::styled().get_header().to_owned();
    format!("{style}{name}:{style:#}")
}

/// Each shell, its startup file, and what goes there.
pub const SETUP: &[(&str, &str, &[&str])] = &[
    ("bash", "~/.bashrc", &[r#"eval "$(vault hook bash)""#]),
    ("zsh", "~/.zshrc", &[r#"eval "$(vault hook zsh)""#]),
    (
        "fish",
        "~/.config/fish/config.fish",
        &["vault hook fish | source"],
    ),
    (
        "nushell 0.98+",
        "save the glue once, then load it at the end of config.nu",
        &[
            "vault hook nu | save -f ($nu.default-config-dir | path join vault.nu)",
            "source ($nu.default-config-dir | path join vault.nu)",
        ],
    ),
    (
        "PowerShell 7.2+",
        "$PROFILE",
        &["Invoke-Expression (& vault hook pwsh | Out-String)"],
    ),
];

pub const VAULT: &[Example] = &[
    ("Store an IAM user's keys (asks for them)", "vault add will"),
    (
        "Run a command with temporary credentials",
        "vault exec will -- aws s3 ls",
    ),
    (
        "Put a role's credentials into this shell",
        r#"eval "$(vault export admin --format bash)""#,
    ),
    (
        "Choose the store, before or after the command's name",
        "vault --backend file list",
    ),
    ("Help on one command", "vault exec --help"),
];

pub const ADD: &[Example] = &[
    (
        "Ask for will's keys, then the new profile's region and MFA device",
        "vault add will",
    ),
    (
        "Keys from AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, nothing asked",
        "vault add will --env --region eu-west-1",
    ),
    ("Replace the keys stored for will", "vault add will --force"),
    (
        "Store the keys but leave ~/.aws/config alone",
        "vault add will --no-add-config",
    ),
];

pub const LIST: &[Example] = &[
    (
        "Profiles, stored keys, where roles get credentials, cached sessions",
        "vault list",
    ),
    (
        "Only the profile names, one a line",
        "vault list --profiles",
    ),
    (
        "Only the cached sessions and SSO sign-ins, with the time left",
        "vault list --sessions",
    ),
];

pub const REMOVE: &[Example] = &[
    (
        "Delete will's stored keys and sessions (asks first)",
        "vault remove will",
    ),
    (
        "The same without asking (no terminal needed)",
        "vault rm -f will",
    ),
];

pub const CLEAR: &[Example] = &[
    ("Drop every cached session and SSO sign-in", "vault clear"),
    (
        "Only admin's: its next command calls STS again",
        "vault clear admin",
    ),
];

pub const LOCK: &[Example] = &[(
    "The next command asks for the file store's passphrase again",
    "vault lock",
)];

pub const EXEC: &[Example] = &[
    (
        "Run a command with temporary credentials of profile will",
        "vault exec will -- aws s3 ls",
    ),
    (
        "A role for two hours, with the MFA code given",
        "vault exec admin -d 2h -t 123456 -- terraform plan",
    ),
    (
        "A shell with the credentials (exit it to drop them)",
        "vault exec admin",
    ),
    (
        "No profile named (and no AWS_PROFILE): pick one, type to filter",
        "vault exec -- aws s3 ls",
    ),
    (
        "Serve renewing credentials to a long job instead of its environment",
        "vault exec admin --server -- ./deploy.sh",
    ),
];

pub const EXPORT: &[Example] = &[
    (
        "Put the credentials into this bash or zsh",
        r#"eval "$(vault export will --format bash)""#,
    ),
    (
        "KEY=value lines, e.g. for docker --env-file",
        "vault export will > aws.env",
    ),
    (
        "For every SDK and the AWS CLI: a line in ~/.aws/config",
        "credential_process = vault export --format json will",
    ),
    ("fish", "vault export will --format fish | source"),
    (
        "Pick the profile on the terminal, even with AWS_PROFILE set",
        r#"eval "$(vault export --pick --format bash)""#,
    ),
];

pub const LOGIN: &[Example] = &[
    (
        "Open the AWS console in the browser, signed in as admin",
        "vault login admin",
    ),
    (
        "Land on the S3 page in another region",
        "vault login admin --path /s3/home --region us-east-1",
    ),
    (
        "Each profile in a Firefox container of its own: accounts side by side",
        "vault login prod-admin --browser firefox-container",
    ),
    ("Pick the profile first", "vault login"),
    (
        "Print the sign-in URL instead (it is a credential: do not share it)",
        "vault login admin --stdout",
    ),
];

pub const ROTATE: &[Example] = &[
    (
        "Replace will's access key with a new one (the old one is deleted)",
        "vault rotate will",
    ),
    (
        "Make the IAM calls with the stored keys directly (no MFA)",
        "vault rotate will -n",
    ),
];

pub const SSO: &[Example] = &[(
    "A profile for every account and role of the config's only sso-session",
    "vault sso populate",
)];

pub const SSO_POPULATE: &[Example] = &[
    (
        "A profile for every account and role of the config's only sso-session",
        "vault sso populate",
    ),
    (
        "Show the change to ~/.aws/config as a diff, write nothing",
        "vault sso populate corp --dry-run",
    ),
    (
        "Also drop the profiles whose account or role is gone",
        "vault sso populate corp --prune",
    ),
    (
        "No sso-session yet: vault adds one to its block",
        "vault sso populate --start-url https://my-org.awsapps.com/start \\\n  --region eu-west-1",
    ),
    (
        "Other profile names (the placeholders: see --template)",
        "vault sso populate corp --template '{account_name}-{role_name}'",
    ),
    (
        "Another region in the written profiles",
        "vault sso populate corp --profile-region us-east-1",
    ),
];

pub const IMPORT_AWS_VAULT: &[Example] = &[
    (
        "Copy the keys aws-vault has for every profile in the config",
        "vault import-aws-vault",
    ),
    (
        "Two profiles from aws-vault's file store, replacing vault's",
        "vault import-aws-vault will admin --from file --force",
    ),
];

pub const IMPORT_CREDENTIALS: &[Example] = &[
    (
        "Say what would move from ~/.aws/credentials, change nothing",
        "vault import-credentials --dry-run",
    ),
    (
        "Move every long-term key into the store and out of the file",
        "vault import-credentials",
    ),
    (
        "Only two profiles, keeping a copy of the file (mode 0600)",
        "vault import-credentials default work --keep-backup",
    ),
];

pub const DOCTOR: &[Example] = &[
    (
        "Check the store, config, shell hook, clock, AWS_PROFILE",
        "vault doctor",
    ),
    ("ok/FAIL instead of ✔/✗", "vault doctor --ascii"),
];

pub const HOOK: &[Example] = &[("Read the glue before loading it", "vault hook bash | less")];

pub const USE: &[Example] = &[
    (
        "Switch this shell to admin, for the next 2 hours at most",
        "vault use admin -d 2h",
    ),
    (
        "Pick the profile on the terminal (type to filter)",
        "vault use",
    ),
    (
        "Only say what this shell uses, and why",
        "vault use --status",
    ),
];

pub const UNUSE: &[Example] = &[(
    "Back to what this folder's .awsvault says (or nothing)",
    "vault unuse",
)];

pub const ALLOW: &[Example] = &[
    (
        "Trust the nearest .awsvault above this folder, as it is now",
        "vault allow",
    ),
    ("Trust a project's file", "vault allow ~/src/shop"),
];

pub const DENY: &[Example] = &[
    ("Block the nearest .awsvault", "vault deny"),
    (
        "Block a file that a cloned repository brings",
        "vault deny ~/src/untrusted/.awsvault",
    ),
];

pub const RELOAD: &[Example] = &[(
    "New credentials now, and try again after a failed activation",
    "vault reload",
)];

pub const PROMPT: &[Example] = &[
    (
        "Print e.g. `will 42m` while a profile is active",
        "vault prompt",
    ),
    (
        "Another template: {profile}, {region}, {remaining}",
        "vault prompt --format '{profile}@{region}'",
    ),
];

pub const COMPLETIONS: &[Example] = &[
    (
        "bash: load them from ~/.bashrc",
        "source <(vault completions bash)",
    ),
    (
        "fish",
        "vault completions fish > ~/.config/fish/completions/vault.fish",
    ),
];
