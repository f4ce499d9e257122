//! `vault add PROFILE`: store an IAM user's long-term keys.

use std::process::ExitCode;

use anyhow::{Context, Result, anyhow, bail};
use zeroize::Zeroizing;

use crate::cli::AddArgs;
use crate::creds::{Credentials, items};
use crate::store::SecretStore;

pub fn run(store: &dyn SecretStore, args: AddArgs) -> Result<ExitCode> {
    let profile = args.profile.trim();
    if profile.is_empty() || profile.contains(['[', ']', '\n', '\r']) {
        bail!("'{profile}' cannot be a profile name (no brackets or line breaks, not empty)");
    }
    // Read the config first: a malformed file fails here, before anything is stored.
    let config = crate::profile::load_config()?;
    if items::has_keys(store, profile)? && !args.force {
        bail!(
            "keys for profile '{profile}' are already stored in {} (use --force to replace them)",
            store.name()
        );
    }
    let (access_key_id, secret_access_key) = if args.env {
        keys_from_env()?
    } else {
        keys_from_terminal()?
    };
    let keys = validate(&access_key_id, &secret_access_key)?;
    items::write_keys(store, profile, &keys.access_key_id, &keys.secret_access_key)
        .with_context(|| format!("cannot store keys for '{profile}'"))?;
    // New keys make any session of the old ones stale.
    items::drop_sessions(store, profile)?;
    crate::note!(
        "Stored keys for profile '{profile}' in {}.",
        store.describe()
    );
    if !args.no_add_config && crate::profile::ensure_profile_section(&config, profile)? {
        crate::note!("Added [profile {profile}] to {}.", config.path.display());
    }
    Ok(ExitCode::SUCCESS)
}

/// Secrets, so not in `Settings`: read here, the secret straight into a zeroized buffer.
fn keys_from_env() -> Result<(String, Zeroizing<String>)> {
    let id = std::env::var("AWS_ACCESS_KEY_ID").unwrap_or_default();
    let secret = Zeroizing::new(std::env::var("AWS_SECRET_ACCESS_KEY").unwrap_or_default());
    if id.is_empty() || secret.is_empty() {
        bail!("--env needs AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set (nothing stored)");
    }
    Ok((id, secret))
}

fn keys_from_terminal() -> Result<(String, Zeroizing<String>)> {
    let hint = "(or pass --env with AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY set)";
    let id = crate::tty::ask("Enter Access Key ID: ")
        .with_context(|| format!("cannot ask for the keys {hint}"))?;
    let secret = crate::tty::ask_secret("Enter Secret Access Key: ")
        .with_context(|| format!("cannot ask for the keys {hint}"))?;
    Ok((id, secret))
}

/// The keys as they will be stored: trimmed (a pasted key often brings a space or a line
/// break along), then checked like every other source, so what `add` accepts is what a store
/// read accepts later.
fn validate(id: &str, secret: &str) -> Result<Credentials> {
    let id = id.trim();
    let secret = secret.trim();
    if id.is_empty() {
        bail!("the Access Key ID is empty (nothing stored)");
    }
    if secret.is_empty() {
        bail!("the Secret Access Key is empty (nothing stored)");
    }
    if id.chars().any(char::is_whitespace) || secret.chars().any(char::is_whitespace) {
        bail!("keys cannot contain spaces (nothing stored)");
    }
    Credentials::new("the input", id.to_string(), secret.to_string(), None, None)
        .map_err(|e| anyhow!("{e}; nothing stored"))
}
